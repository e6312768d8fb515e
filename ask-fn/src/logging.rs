//! The `ask-fn` binary's logs.
//!
//! In Lambda: stdout, no timestamps or targets (CloudWatch adds both), JSON when the function's
//! `AWS_LAMBDA_LOG_FORMAT` is `JSON`, the level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`,
//! else `info` — what lambda_runtime's own `init_default_subscriber` does, set up here so that
//! its `tracing` feature, which needs tracing-subscriber's `env-filter` and so the regex crates,
//! stays out of the deployed binary (issue #17). Locally: stderr, `RUST_LOG`, default `info`.
//!
//! With the `env-filter` feature (the default) `RUST_LOG` may also hold directives
//! (`ask_fn=debug,aws_smithy_runtime=warn`), as before; the deployed build reads a level only,
//! and a value that is not one counts as unset.

use std::str::FromStr;

use tracing_subscriber::filter::LevelFilter;

/// The level: `AWS_LAMBDA_LOG_LEVEL` (Lambda's logging configuration; `TRACE`…`FATAL`, any
/// case) wins over `RUST_LOG`; neither, or not a level: `info`.
pub fn level(var: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let parse = |name: &str| {
        var(name).and_then(|value| {
            let value = value.trim();
            // Lambda's FATAL has no tracing counterpart; its nearest is ERROR.
            if value.eq_ignore_ascii_case("fatal") {
                return Some(LevelFilter::ERROR);
            }
            LevelFilter::from_str(value).ok()
        })
    };
    parse("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|| parse("RUST_LOG"))
        .unwrap_or(LevelFilter::INFO)
}

/// Installs the subscriber for this process (see the module docs).
pub fn init(in_lambda: bool) {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let var = |name: &str| std::env::var(name).ok();
    let level = if in_lambda {
        level(var)
    } else {
        // Locally RUST_LOG alone, as before (AWS_LAMBDA_LOG_LEVEL is Lambda's).
        level(|name| (name == "RUST_LOG").then(|| var(name)).flatten())
    };
    #[cfg(feature = "env-filter")]
    let filter = tracing_subscriber::EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    #[cfg(not(feature = "env-filter"))]
    let filter = level;
    let registry = tracing_subscriber::registry().with(filter);
    if !in_lambda {
        let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
        registry.with(layer).init();
        return;
    }
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_writer(std::io::stdout);
    if var("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")) {
        registry.with(layer.json()).init();
    } else {
        registry.with(layer).init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level_of(vars: &[(&str, &str)]) -> LevelFilter {
        level(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn lambda_level_wins_over_rust_log_and_info_is_the_default() {
        assert_eq!(level_of(&[]), LevelFilter::INFO);
        assert_eq!(level_of(&[("RUST_LOG", "debug")]), LevelFilter::DEBUG);
        assert_eq!(
            level_of(&[("AWS_LAMBDA_LOG_LEVEL", "WARN"), ("RUST_LOG", "debug")]),
            LevelFilter::WARN
        );
        assert_eq!(
            level_of(&[("AWS_LAMBDA_LOG_LEVEL", "FATAL")]),
            LevelFilter::ERROR
        );
        assert_eq!(level_of(&[("RUST_LOG", "off")]), LevelFilter::OFF);
    }

    #[test]
    fn what_is_not_a_level_counts_as_unset() {
        assert_eq!(level_of(&[("RUST_LOG", "ask_fn=debug")]), LevelFilter::INFO);
        assert_eq!(
            level_of(&[("AWS_LAMBDA_LOG_LEVEL", "loud"), ("RUST_LOG", "trace")]),
            LevelFilter::TRACE
        );
    }
}
