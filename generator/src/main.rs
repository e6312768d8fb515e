//! The `tryfirst` command line. Parses arguments, runs one command, prints the outcome; all the
//! work lives in the library crate.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use generator::build::{self, BuildError, BuildOptions};
use generator::config::{SiteConfig, CONFIG_FILE};
use generator::diagnostics::{Diagnostic, ERROR_STYLE};

/// mimalloc instead of the system allocator: a build allocates millions of small strings from
/// several threads at once, where glibc's malloc spent ~15 % of a 10,000-article build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tryfirst",
    version,
    about = "Build a help knowledge base from Markdown articles."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into public/ (or --out). A failed build leaves the previous output as it was.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder [default: ROOT/public]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write pages, CSS and JavaScript as they are, not minified
        #[arg(long)]
        no_minify: bool,
    },
    /// Check every article and template without writing anything; exits 1 on any error.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// `github` prints annotations for GitHub Actions.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Preview the site on 127.0.0.1 with live reload; the question form works locally.
    #[cfg(feature = "serve")]
    Serve {
        /// Site folder (the one with site.toml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port on 127.0.0.1 (0 picks a free one)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Publish articles marked draft = true
        #[arg(long)]
        drafts: bool,
        /// Check the files for changes every 250 ms instead of taking the operating system's
        /// events: for network drives and containers, whose mounts may deliver none
        #[arg(long)]
        poll: bool,
    },
    /// Start a new site in DIR (new or empty): site.toml, an example article, a CI workflow.
    Init {
        /// Folder to create the site in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write a new article skeleton with the required sections (as a draft).
    New {
        /// The question the article answers, e.g. "What if my phone is lost?"
        #[arg(required_unless_present = "translate", conflicts_with = "translate")]
        title: Option<String>,
        /// Start a translation of this article (its slug) instead, e.g. `--translate
        /// password-expired --lang nl` writes password-expired.nl.md beside it, as a draft
        #[arg(long, requires = "lang")]
        translate: Option<String>,
        /// The translation's language, one of site.toml's [languages]
        #[arg(long, requires = "translate")]
        lang: Option<String>,
        /// Category slug from site.toml [default: the first category]
        #[arg(long)]
        category: Option<String>,
        /// Site folder
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// Site folder (the one with site.toml)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Override base_url from site.toml, e.g. for a preview deployment
    #[arg(long)]
    base_url: Option<String>,
    /// Publish articles marked draft = true
    #[arg(long)]
    drafts: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Github,
}

impl SiteArgs {
    fn options(self, write: bool) -> BuildOptions {
        BuildOptions {
            root: self.root,
            out: None,
            base_url: self.base_url,
            include_drafts: self.drafts,
            write,
            ask_endpoint: None,
            minify: false,
            cache_dir: None,
            live_reload: false,
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            anstream::eprintln!("{ERROR_STYLE}error:{ERROR_STYLE:#} {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], format: Format) {
    for diagnostic in diagnostics {
        match format {
            // Coloured where stderr is a terminal; anstream strips them elsewhere.
            Format::Human => anstream::eprintln!("{}\n", diagnostic.to_styled()),
            Format::Github => println!("{}", diagnostic.to_github()),
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build {
            site,
            out,
            no_minify,
        } => {
            let mut options = site.options(true);
            options.out = out;
            options.minify = !no_minify;
            finish(build::build(&options), Format::Human, "Built")
        }
        Command::Check { site, format } => {
            finish(build::build(&site.options(false)), format, "Checked")
        }
        #[cfg(feature = "serve")]
        Command::Serve {
            root,
            port,
            drafts,
            poll,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "ask_fn=info,warn".into());
            // The log follows the diagnostics' rules for colour (tracing's own only knows
            // NO_COLOR, and would colour a pipe).
            let colour =
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(colour)
                .with_writer(std::io::stderr)
                .init();
            let options = generator::serve::ServeOptions {
                root,
                addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                include_drafts: drafts,
                poll,
            };
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(generator::serve::serve(options))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            let written = generator::init::init(&dir)?;
            for path in &written {
                println!("  {}", path.display());
            }
            let root = dir.display();
            println!(
                "Created a site in {root}. Next:\n  tryfirst serve --root {root}    # preview at http://127.0.0.1:8000\n  tryfirst check --root {root}    # what CI runs on every pull request\n  tryfirst build --root {root}    # the site, into {root}/public"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            title,
            translate,
            lang,
            category,
            root,
        } => {
            let config_path = root.join(CONFIG_FILE);
            let text = std::fs::read_to_string(&config_path)
                .with_context(|| format!("cannot read {}", config_path.display()))?;
            let config = match SiteConfig::parse(std::path::Path::new(CONFIG_FILE), &text) {
                Ok(config) => config,
                Err(problems) => {
                    print_diagnostics(&problems, Format::Human);
                    return Ok(ExitCode::FAILURE);
                }
            };
            let path = match (translate, lang, title) {
                (Some(slug), Some(lang), _) => {
                    generator::new::create_translation(&root, &config, &slug, &lang)?
                }
                (_, _, title) => generator::new::create(
                    &root,
                    &config,
                    title.as_deref().unwrap_or_default(),
                    category.as_deref(),
                    generator::new::today(),
                )?,
            };
            println!(
                "Created {} (a draft: set draft = false when it is ready)",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn finish(
    result: Result<build::BuildReport, BuildError>,
    format: Format,
    verb: &str,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(report) => {
            print_diagnostics(&report.warnings, format);
            let drafts = match report.drafts_skipped {
                0 => String::new(),
                n => format!(" ({n} draft(s) not published)"),
            };
            let destination = report
                .out_dir
                .map(|dir| format!(" into {}", dir.display()))
                .unwrap_or_default();
            let encoded = match report.images_encoded {
                0 => String::new(),
                n => format!(" ({n} image(s) encoded)"),
            };
            eprintln!(
                "{verb} {} articles{drafts}: {} pages, {} files{encoded}{destination} in {} ms{}",
                report.articles,
                report.pages,
                report.files,
                report.elapsed.as_millis(),
                match report.warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Invalid(diagnostics)) => {
            print_diagnostics(&diagnostics, format);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("{errors} error(s); nothing was written.");
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error.into()),
    }
}
