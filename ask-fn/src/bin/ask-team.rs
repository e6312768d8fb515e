//! `ask-team`: the team's tools, on an admin's machine: the leads in DynamoDB (`leads list |
//! show | handle | export | erase | gaps`), the evaluation set (`eval`) and the table
//! definitions (`tables`). A binary of its own so the deployed function (`ask-fn`) does not
//! ship them.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use ask_fn::clock::SystemClock;
use ask_fn::handler::App;
use ask_fn::settings::Settings;
use ask_fn::setup;
use ask_fn::store::dynamo::DynamoStore;
use ask_fn::store::{schema, AdminStore, LeadStatus, RequestStore};
use ask_fn::team::{self, Period};

#[derive(Parser)]
#[command(
    name = "ask-team",
    version,
    about = "The team's tools for tryfirst's question function: leads, evaluation, tables."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The team's tools for leads in DynamoDB: list, show, handle, export, erase, gaps.
    ///
    /// Uses the standard AWS environment (AWS_PROFILE or keys, AWS_REGION) and the function's
    /// table settings (TRYFIRST_LEADS_TABLE, TRYFIRST_QUOTA_TABLE or TRYFIRST_TABLE_PREFIX;
    /// TRYFIRST_HASH_SALT for `erase`).
    Leads {
        #[command(subcommand)]
        command: LeadsCommand,
    },
    /// Run the evaluation set against the configured advisor (TRYFIRST_LLM_PROVIDER etc.) and
    /// print a scorecard. Uses an in-memory store; nobody is notified.
    Eval {
        /// The evaluation set [default: ask-fn/evals/questions.json]
        #[arg(long, default_value = "ask-fn/evals/questions.json")]
        set: PathBuf,
        /// The generator's bundle [default: $TRYFIRST_BUNDLE or public/tryfirst-bundle.json]
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// List every case that missed something
        #[arg(long)]
        verbose: bool,
    },
    /// Print the DynamoDB table definitions (the single source the infrastructure is checked against).
    Tables,
}

#[derive(Subcommand)]
enum LeadsCommand {
    /// Leads that need a person first (needs_follow_up, llm_failed, pending), then answered ones.
    List {
        /// Only these statuses (repeatable) [default: all but handled]
        #[arg(long, value_parser = parse_status)]
        status: Vec<LeadStatus>,
        #[command(flatten)]
        period: PeriodArgs,
        /// JSON lines instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Everything about one lead.
    Show { id: String },
    /// Marks a lead as dealt with.
    Handle {
        id: String,
        /// What was done, for colleagues
        #[arg(long)]
        note: Option<String>,
    },
    /// Leads of a period as CSV, for a CRM import.
    Export {
        #[command(flatten)]
        period: PeriodArgs,
        /// Write to this file instead of standard output
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Deletes every lead and quota item of one email address (a privacy request).
    Erase {
        email: String,
        /// Show what would be deleted, delete nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Questions per article and how they were answered: which articles fail to help.
    Gaps {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, value_enum, default_value = "markdown")]
        format: GapsFormat,
        /// The site's bundle, for article titles [default: $TRYFIRST_BUNDLE or public/tryfirst-bundle.json]
        #[arg(long)]
        bundle: Option<PathBuf>,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct PeriodArgs {
    /// First day, YYYY-MM-DD (UTC) [default: 30 days before --until]
    #[arg(long)]
    since: Option<String>,
    /// Last day, inclusive [default: today]
    #[arg(long)]
    until: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum GapsFormat {
    Markdown,
    Csv,
}

fn parse_status(text: &str) -> Result<LeadStatus, String> {
    LeadStatus::parse(text).ok_or_else(|| {
        let known: Vec<&str> = LeadStatus::TRIAGE_ORDER
            .iter()
            .map(|s| s.as_str())
            .collect();
        format!("unknown status; one of: {}", known.join(", "))
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Leads { command } => leads(command).await,
        Command::Eval {
            set,
            bundle,
            verbose,
        } => eval(set, bundle, verbose).await,
        Command::Tables => {
            let settings = Settings::from_env()?;
            let specs = [
                schema::quota_table(&settings.quota_table),
                schema::leads_table(&settings.leads_table),
            ];
            println!("{}", serde_json::to_string_pretty(&specs)?);
            Ok(())
        }
    }
}

/// `ask-team eval`: the evaluation set through the whole request path with the configured advisor,
/// an in-memory store, no notifications and no quota in the way.
async fn eval(set: PathBuf, bundle: Option<PathBuf>, verbose: bool) -> anyhow::Result<()> {
    let mut settings = Settings::load().await?;
    if let Some(path) = bundle {
        settings.bundle_path = path;
    }
    let json = std::fs::read_to_string(&set)
        .with_context(|| format!("cannot read the evaluation set {}", set.display()))?;
    let cases = ask_fn::eval::parse_cases(&json)
        .with_context(|| format!("{} is not a valid evaluation set", set.display()))?;
    let bundle = setup::load_bundle(&settings.bundle_path)?;
    let index = Arc::new(kb_model::retrieval::SearchIndex::new(&bundle));
    let advisor = setup::advisor(&settings, &bundle, &index)?;
    settings.llm_daily_cap = u64::MAX / 2;
    let store = Arc::new(ask_fn::store::memory::MemoryStore::new());
    let app = App::new(
        settings,
        bundle,
        index,
        store,
        advisor,
        Arc::new(SystemClock),
    );
    let outcomes = ask_fn::eval::run(&app, &cases).await;
    println!("{}", ask_fn::eval::Scorecard::of(&outcomes));
    if verbose {
        print!("{}", ask_fn::eval::misses(&outcomes));
    }
    Ok(())
}

/// Writes `text` to `output`, or to standard output.
fn emit(text: &str, output: Option<&PathBuf>) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

/// `ask-team leads …`: always DynamoDB (the team's tools are useless against an in-memory store).
async fn leads(command: LeadsCommand) -> anyhow::Result<()> {
    // The same secrets as the function: `erase` needs its hash salt.
    let settings = Settings::load().await?;
    let store = DynamoStore::new(
        DynamoStore::client_from_env().await?,
        &settings.quota_table,
        &settings.leads_table,
    );
    let now = ask_fn::clock::Clock::now(&SystemClock);
    let period = |args: &PeriodArgs| {
        Period::from_days(args.since.as_deref(), args.until.as_deref(), now, 30)
    };
    let store_context = || {
        format!(
            "cannot read the leads table `{}` (check AWS_REGION, your AWS credentials and TRYFIRST_LEADS_TABLE)",
            settings.leads_table
        )
    };
    match command {
        LeadsCommand::List {
            status,
            period: args,
            json,
        } => {
            let statuses = if status.is_empty() {
                LeadStatus::TRIAGE_ORDER
                    .into_iter()
                    .filter(|s| *s != LeadStatus::Handled)
                    .collect()
            } else {
                status
            };
            let period = period(&args)?;
            let leads = team::triage(&store, &statuses, period)
                .await
                .with_context(store_context)?;
            if json {
                let mut out = String::new();
                for lead in &leads {
                    out.push_str(&serde_json::to_string(lead)?);
                    out.push('\n');
                }
                emit(&out, None)?;
            } else {
                eprintln!(
                    "Leads from {} (UTC), what needs a person first:",
                    period.describe()
                );
                emit(&team::table(&leads), None)?;
                let failed = leads
                    .iter()
                    .filter(|l| l.outcome.notification == ask_fn::store::NotifyState::Failed)
                    .count();
                if failed > 0 {
                    eprintln!("{failed} lead(s) could not be notified (NOTIFIED = FAILED): nobody was told about them.");
                }
            }
        }
        LeadsCommand::Show { id } => match store.lead(&id).await.with_context(store_context)? {
            Some(lead) => emit(&team::details(&lead), None)?,
            None => anyhow::bail!("no lead with id `{id}`"),
        },
        LeadsCommand::Handle { id, note } => {
            match store.mark_handled(&id, now, note.as_deref()).await {
                Ok(()) => eprintln!("Lead {id} marked handled."),
                Err(ask_fn::store::StoreError::NoSuchLead(_)) => {
                    anyhow::bail!("no lead with id `{id}`")
                }
                Err(error) => return Err(error).with_context(store_context),
            }
        }
        LeadsCommand::Export {
            period: args,
            output,
        } => {
            let period = period(&args)?;
            let leads = team::all_in(&store, period)
                .await
                .with_context(store_context)?;
            emit(&team::csv::export(&leads), output.as_ref())?;
            eprintln!(
                "{} lead(s) from {} exported.",
                leads.len(),
                period.describe()
            );
        }
        LeadsCommand::Erase { email, dry_run } => {
            let email = ask_fn::email::Email::parse(&email)
                .map_err(|error| anyhow::anyhow!("`{email}`: {error}"))?;
            let plan = team::erase::plan(&store, &email, &settings.hash_salt)
                .await
                .with_context(store_context)?;
            emit(&team::erase::describe(&plan), None)?;
            if dry_run {
                eprintln!("Dry run: nothing was deleted.");
            } else {
                let erased = team::erase::execute(&store, &plan)
                    .await
                    .with_context(store_context)?;
                eprintln!(
                    "Deleted {} lead(s) and {} quota item(s).",
                    erased.leads, erased.quotas
                );
            }
        }
        LeadsCommand::Gaps {
            period: args,
            format,
            bundle,
            output,
        } => {
            let period = period(&args)?;
            let bundle_path = bundle.unwrap_or_else(|| settings.bundle_path.clone());
            let titles = match setup::load_bundle(&bundle_path) {
                Ok(bundle) => bundle
                    .articles
                    .iter()
                    .map(|a| (a.slug.clone(), a.title.clone()))
                    .collect(),
                Err(error) => {
                    eprintln!("warning: {error}; the report shows slugs instead of titles");
                    Default::default()
                }
            };
            let leads = team::all_in(&store, period)
                .await
                .with_context(store_context)?;
            let rows = team::gaps::report(&leads, &titles);
            let text = match format {
                GapsFormat::Markdown => team::gaps::markdown(&rows, period),
                GapsFormat::Csv => team::gaps::csv(&rows),
            };
            emit(&text, output.as_ref())?;
        }
    }
    Ok(())
}
