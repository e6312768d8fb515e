//! ask-fn's integration tests, one binary (one link of the AWS SDK instead of one per file).
//! Tests that need an emulator are `#[ignore = "needs …: run scripts/test"]`: a plain
//! `cargo test` passes without one; `scripts/test` starts moto and DynamoDB Local and runs them
//! with `--include-ignored`. One module: `cargo test -p ask-fn --test it soak::`.

mod support;

mod ask_api;
mod deploy_trust;
mod evals;
mod leads_cli;
mod llm_clients;
mod secrets_ssm;
mod soak;
mod store_conformance;
mod template_salt;
mod template_tables;
