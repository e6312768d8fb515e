//! ask-fn: the function behind tryfirst's question form.
//!
//! One request path, in this order (see `handler`):
//! request → [`form`] validates → [`store`] consumes quota and captures the lead in one
//! transaction → [`llm`] advises (grounded in the bundle) → [`answer_html`] renders it safely →
//! the lead is updated → the visitor gets the answer.
//!
//! The public API is the wiring, one entry point for every host: [`Settings::load`] (environment
//! and secrets) → [`load_knowledge`] → [`open_store`] → [`app`], an axum router that runs in AWS
//! Lambda (`lambda_http::run`, the `ask-fn` binary), as a local server on 127.0.0.1 (`ask-fn
//! serve`) and inside `tryfirst serve`. The modules are public for this package's own binaries
//! (`ask-team`, the team's tools), tests, benches and fuzz targets, not for other crates.

pub use settings::{LoadError, Settings};
pub use setup::{
    app, load_bundle, load_knowledge, open_store, wire, Knowledge, SetupError, SharedStore,
};

pub mod answer_html;
pub mod aws;
pub mod clock;
pub mod email;
pub mod error;
pub mod eval;
pub mod form;
pub mod handler;
pub mod http;
pub mod language;
pub mod llm;
pub mod logging;
pub mod messages;
pub mod metrics;
pub mod network;
pub mod notify;
pub mod page;
pub mod plain_text;
pub mod policy;
pub mod quota;
pub mod scheduled;
pub mod scrub;
pub mod secrets;
pub mod settings;
pub mod setup;
pub mod store;
pub mod team;
pub mod tls;
