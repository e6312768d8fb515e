//! The function's scheduled work: an EventBridge rule invokes the digest function (the same
//! binary, `TRYFIRST_LAMBDA_TASK=digest`, see infra/template.yaml) every hour with
//! `{"task": "digest"}`, and it sends the digest of the leads held back by the hourly
//! notification cap. Without it, held leads would only go out when a later lead arrives: a
//! quiet hour after a flood would leave them untold.

use std::sync::Arc;

use serde_json::Value;

use crate::handler::{App, DigestRun};

/// The environment variable that turns a Lambda into the digest function, and its value.
pub const TASK_VARIABLE: &str = "TRYFIRST_LAMBDA_TASK";
pub const DIGEST_TASK: &str = "digest";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduledError {
    /// The event names no task this function runs (a misconfigured rule): it fails loudly, in
    /// the function's error metric, instead of doing nothing quietly.
    #[error("not a scheduled task this function runs: {0}")]
    UnknownTask(String),
}

/// Runs the task a scheduled event names.
pub async fn handle(
    app: &App,
    event: &Value,
    request_id: &str,
) -> Result<DigestRun, ScheduledError> {
    match event.get("task").and_then(Value::as_str) {
        Some(DIGEST_TASK) => {
            let run = app.send_held_digest(request_id).await;
            tracing::info!(request_id, outcome = ?run, "scheduled digest run");
            Ok(run)
        }
        Some(other) => Err(ScheduledError::UnknownTask(
            other.chars().take(40).collect(),
        )),
        None => Err(ScheduledError::UnknownTask("(no \"task\")".to_owned())),
    }
}

/// Serves scheduled events in Lambda until the runtime stops.
pub async fn run_lambda(app: Arc<App>) -> Result<(), lambda_http::Error> {
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<Value>| {
            let app = app.clone();
            async move {
                let run = handle(&app, &event.payload, &event.context.request_id).await?;
                Ok::<Value, lambda_http::Error>(serde_json::to_value(run)?)
            }
        },
    ))
    .await
}
