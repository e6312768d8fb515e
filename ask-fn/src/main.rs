//! `ask-fn`: in AWS Lambda, the question function (the deployed `bootstrap`); on a workstation,
//! the same router on a local port. Only the request path: the team's tools are `ask-team`.
//! Clients (DynamoDB, HTTP) and the bundle are built once here, never per request.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use ask_fn::settings::{in_lambda, Settings};

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
    /// Serve POST /ask on a local address (for tests and trying the function alone).
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
    /// Run as the AWS Lambda function (the default inside Lambda).
    Lambda,
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
    // Logs: see ask_fn::logging (Lambda's logging configuration inside Lambda, RUST_LOG locally).
    ask_fn::logging::init(in_lambda());
    let mut settings = Settings::load().await?;
    match command {
        Command::Serve {
            addr,
            create_tables,
            bundle,
        } => {
            if let Some(path) = bundle {
                settings.bundle_path = path;
            }
            let bundle = ask_fn::load_bundle(&settings.bundle_path)?;
            let store = ask_fn::open_store(&settings, create_tables).await?;
            let app = ask_fn::app(settings, bundle, store).await?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!("ask-fn listening on http://{}", listener.local_addr()?);
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
        Command::Lambda => {
            let bundle = ask_fn::load_bundle(&settings.bundle_path)?;
            let store = ask_fn::open_store(&settings, false).await?;
            // HTTP requests and the hourly scheduled digest (ask_fn::scheduled).
            ask_fn::scheduled::run_lambda(ask_fn::wire(settings, bundle, store).await?)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
        }
    }
    Ok(())
}
