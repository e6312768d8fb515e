//! `ask-fn`: in AWS Lambda, the question function; on a workstation, the same router on a
//! local port. Clients (DynamoDB, HTTP) and the bundle are built once here, never per request.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use ask_fn::clock::SystemClock;
use ask_fn::handler::App;
use ask_fn::settings::Settings;
use ask_fn::setup;
use ask_fn::store::schema;

#[derive(Parser)]
#[command(
    name = "ask-fn",
    version,
    about = "The function behind tryfirst's question form."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve POST /ask on a local address (for `tryfirst serve` and tests).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        addr: SocketAddr,
        /// Create missing DynamoDB tables first (emulators only; the Lambda never does).
        #[arg(long)]
        create_tables: bool,
        /// The generator's bundle [default: $TRYFIRST_BUNDLE or public/tryfirst-bundle.json]
        #[arg(long)]
        bundle: Option<PathBuf>,
    },
    /// Print the DynamoDB table definitions (the single source the infrastructure is checked against).
    Tables,
    /// Run as the AWS Lambda function (the default inside Lambda).
    Lambda,
}

fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

fn init_logging() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if in_lambda() {
        // JSON lines for CloudWatch; no ANSI colours, no timestamps (CloudWatch adds them).
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_ansi(false)
            .without_time()
            .with_current_span(false)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
}

async fn build_app(
    mut settings: Settings,
    bundle_override: Option<PathBuf>,
    create_tables: bool,
) -> anyhow::Result<App> {
    if let Some(path) = bundle_override {
        settings.bundle_path = path;
    }
    let bundle = setup::load_bundle(&settings.bundle_path)?;
    let store = setup::store(&settings, create_tables).await?;
    let advisor = setup::advisor(&settings, &bundle)?;
    tracing::info!(articles = bundle.articles.len(), "bundle loaded");
    Ok(App::new(
        settings,
        bundle,
        store,
        advisor,
        Arc::new(SystemClock),
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(if in_lambda() {
        Command::Lambda
    } else {
        Command::Serve {
            addr: "127.0.0.1:8787".parse()?,
            create_tables: false,
            bundle: None,
        }
    });
    if let Command::Tables = command {
        let settings = Settings::from_env()?;
        let specs = [
            schema::quota_table(&settings.quota_table),
            schema::leads_table(&settings.leads_table),
        ];
        println!("{}", serde_json::to_string_pretty(&specs)?);
        return Ok(());
    }
    init_logging();
    // Secrets named by `*_PARAMETER` variables come from SSM, laid over the environment.
    let secrets = ask_fn::secrets::from_env()
        .await
        .context("cannot read a secret from SSM Parameter Store")?;
    let settings = Settings::from_vars(|name| {
        secrets
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    })
    .context("invalid configuration")?;
    match command {
        Command::Serve {
            addr,
            create_tables,
            bundle,
        } => {
            let app = Arc::new(build_app(settings, bundle, create_tables).await?);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!("ask-fn listening on http://{}", listener.local_addr()?);
            axum::serve(
                listener,
                ask_fn::http::router(app).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
        Command::Lambda => {
            let app = Arc::new(build_app(settings, None, false).await?);
            lambda_http::run(ask_fn::http::router(app))
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
        }
        Command::Tables => {}
    }
    Ok(())
}
