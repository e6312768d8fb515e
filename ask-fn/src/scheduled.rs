//! The function's scheduled work: an EventBridge rule invokes the function every hour with
//! `{"task": "digest"}` (infra/template.yaml), and it sends the digest of the leads held back
//! by the hourly notification cap. Without it, held leads would only go out when a later lead
//! arrives: a quiet hour after a flood would leave them untold.
//!
//! One function takes both kinds of event, so a deploy updates one piece of code: [`dispatch`]
//! sends an event naming a task here and any other to the HTTP router, as `lambda_http::run`
//! would.

use std::sync::Arc;

use serde_json::Value;

use crate::handler::{App, DigestRun};

/// The task of the hourly scheduled event.
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

/// Serves the function's events in Lambda (HTTP and scheduled) until the runtime stops.
pub async fn run_lambda(app: Arc<App>) -> Result<(), lambda_http::Error> {
    let router = crate::http::router(app.clone());
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<Value>| {
            let app = app.clone();
            let router = router.clone();
            async move { dispatch(&app, router, event).await }
        },
    ))
    .await
}

/// One Lambda event: a scheduled task (it has a `task`), or an HTTP request for `router`,
/// answered as `lambda_http::run` answers it.
pub async fn dispatch(
    app: &App,
    router: axum::Router,
    event: lambda_http::LambdaEvent<Value>,
) -> Result<Value, lambda_http::Error> {
    use lambda_http::tower::ServiceExt as _;
    let lambda_http::LambdaEvent { payload, context } = event;
    if payload.get("task").is_some() {
        let run = handle(app, &payload, &context.request_id).await?;
        return Ok(serde_json::to_value(run)?);
    }
    let request: lambda_http::request::LambdaRequest = serde_json::from_value(payload)?;
    let response = lambda_http::Adapter::from(router)
        .oneshot(lambda_http::LambdaEvent::new(request, context))
        .await?;
    Ok(serde_json::to_value(response)?)
}
