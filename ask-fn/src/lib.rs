//! ask-fn: the function behind tryfirst's question form.
//!
//! One request path, in this order (see `handler`):
//! request → [`form`] validates → [`store`] consumes quota and captures the lead in one
//! transaction → [`llm`] advises (grounded in the bundle) → [`answer_html`] renders it safely →
//! the lead is updated → the visitor gets the answer.
//!
//! The same axum router ([`http::router`]) runs in AWS Lambda (`lambda_http::run`) and as a local
//! server on 127.0.0.1 (for `tryfirst serve` and the tests).

pub mod answer_html;
pub mod clock;
pub mod email;
pub mod error;
pub mod eval;
pub mod form;
pub mod handler;
pub mod http;
pub mod llm;
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
