//! `ask-fn`: in AWS Lambda, the question function (the deployed `bootstrap`); on a workstation,
//! the same router on a local port. Only the request path: the team's tools are `ask-team`.
//! Clients (DynamoDB, HTTP) and the bundle are built once here, never per request.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;

use ask_fn::settings::{in_lambda, Settings};

const HELP: &str = "\
The function behind tryfirst's question form.

Usage: ask-fn [COMMAND]

Commands:
  serve   Serve POST /ask on a local address (for tests and trying the function alone)
  lambda  Run as the AWS Lambda function (the default inside Lambda)

Options of serve:
  --addr <ADDR>      [default: 127.0.0.1:8787]
  --create-tables    Create missing DynamoDB tables first (emulators only; the Lambda never does)
  --bundle <BUNDLE>  The generator's bundle [default: $TRYFIRST_BUNDLE or public/tryfirst-bundle.json]

  -h, --help     Print help
  -V, --version  Print version
";

#[derive(Debug, PartialEq)]
enum Command {
    Serve {
        addr: SocketAddr,
        create_tables: bool,
        bundle: Option<PathBuf>,
    },
    Lambda,
}

/// The command line. Parsed with lexopt rather than clap (which `ask-team` uses): this is the
/// Lambda's binary, two commands and three options, and clap's parser and help renderer were
/// ~0.1 MiB of it (issue #17). `Ok(None)`: help or version was printed.
fn parse(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<Option<Command>, lexopt::Error> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut command: Option<&str> = None;
    let mut addr: SocketAddr = "127.0.0.1:8787".parse().expect("a valid address");
    let mut create_tables = false;
    let mut bundle = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(None);
            }
            Short('V') | Long("version") => {
                println!("ask-fn {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            Value(value) if command.is_none() => {
                command = Some(match value.to_str() {
                    Some("serve") => "serve",
                    Some("lambda") => "lambda",
                    _ => {
                        return Err(format!(
                            "unrecognized subcommand '{}' (the team's tools are `ask-team`)",
                            value.to_string_lossy()
                        )
                        .into())
                    }
                })
            }
            Long("addr") if command == Some("serve") => addr = parser.value()?.parse()?,
            Long("create-tables") if command == Some("serve") => create_tables = true,
            Long("bundle") if command == Some("serve") => bundle = Some(parser.value()?.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(match command {
        Some("serve") => Command::Serve {
            addr,
            create_tables,
            bundle,
        },
        Some(_) => Command::Lambda,
        None if in_lambda() => Command::Lambda,
        None => Command::Serve {
            addr,
            create_tables,
            bundle,
        },
    }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = match parse(std::env::args_os().skip(1)) {
        Ok(Some(command)) => command,
        Ok(None) => return Ok(()),
        Err(error) => {
            // As clap reports a usage error.
            eprintln!("error: {error}\n\nFor more information, try '--help'.");
            std::process::exit(2);
        }
    };
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
            let knowledge = ask_fn::load_knowledge(&settings.bundle_path)?;
            let store = ask_fn::open_store(&settings, create_tables).await?;
            let app = ask_fn::app(settings, knowledge, store).await?;
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
            let knowledge = ask_fn::load_knowledge(&settings.bundle_path)?;
            let store = ask_fn::open_store(&settings, false).await?;
            // HTTP requests and the hourly scheduled digest (ask_fn::scheduled).
            ask_fn::scheduled::run_lambda(ask_fn::wire(settings, knowledge, store).await?)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Option<Command>, String> {
        parse(args.iter().map(Into::into)).map_err(|e| e.to_string())
    }

    #[test]
    fn serve_takes_its_options_and_lambda_none() {
        assert_eq!(
            parsed(&[
                "serve",
                "--addr",
                "0.0.0.0:9000",
                "--create-tables",
                "--bundle=b.json"
            ]),
            Ok(Some(Command::Serve {
                addr: "0.0.0.0:9000".parse().unwrap(),
                create_tables: true,
                bundle: Some("b.json".into()),
            }))
        );
        assert_eq!(
            parsed(&["serve"]),
            Ok(Some(Command::Serve {
                addr: "127.0.0.1:8787".parse().unwrap(),
                create_tables: false,
                bundle: None,
            }))
        );
        assert_eq!(parsed(&["lambda"]), Ok(Some(Command::Lambda)));
        assert_eq!(parsed(&["--version"]), Ok(None));
    }

    #[test]
    fn unknown_commands_and_misplaced_options_are_refused() {
        let error = parsed(&["leads", "list"]).unwrap_err();
        assert!(error.contains("unrecognized subcommand 'leads'"), "{error}");
        assert!(parsed(&["lambda", "--addr", "127.0.0.1:1"]).is_err());
        assert!(parsed(&["--create-tables", "serve"]).is_err());
        assert!(parsed(&["serve", "--addr", "nowhere"]).is_err());
        assert!(parsed(&["serve", "extra"]).is_err());
    }
}
