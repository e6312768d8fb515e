//! Building the parts of an [`App`] from configuration, once per process:
//! the bundle, the store (DynamoDB when an endpoint is configured, else in memory) and the
//! advisor (an LLM when a provider is configured, else knowledge-base retrieval). Shared by the
//! `ask-fn` binary and `tryfirst serve`.

use std::path::Path;
use std::sync::Arc;

use kb_model::Bundle;

use crate::handler::App;
use crate::llm::anthropic::AnthropicAdvisor;
use crate::llm::openai::OpenAiAdvisor;
use crate::llm::retrieval::RetrievalAdvisor;
use crate::llm::Advisor;
use crate::notify::email::EmailChannel;
use crate::notify::webhook::WebhookChannel;
use crate::notify::Notifier;
use crate::settings::{LlmChoice, Settings};
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "cannot read the bundle at {path} (build the site first, or set TRYFIRST_BUNDLE): {source}"
    )]
    ReadBundle {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid bundle {path}: {source}")]
    Bundle {
        path: String,
        source: kb_model::BundleError,
    },
    #[error("cannot create the DynamoDB tables: {0}")]
    Tables(StoreError),
    #[error("cannot build the HTTP client for the LLM: {0}")]
    HttpClient(#[from] reqwest::Error),
}

pub fn load_bundle(path: &Path) -> Result<Arc<Bundle>, SetupError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SetupError::ReadBundle {
        path: shown.clone(),
        source,
    })?;
    Bundle::from_json(&text)
        .map(Arc::new)
        .map_err(|source| SetupError::Bundle {
            path: shown,
            source,
        })
}

/// Whether the AWS SDK will find DynamoDB: inside Lambda, or with an endpoint override.
pub fn dynamodb_configured() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
}

/// DynamoDB when configured (creating missing tables if asked, for emulators), else memory.
pub async fn store(settings: &Settings, create_tables: bool) -> Result<Arc<dyn Store>, SetupError> {
    if !dynamodb_configured() {
        tracing::info!("no DynamoDB endpoint configured: using the in-memory store");
        return Ok(Arc::new(MemoryStore::new()));
    }
    let dynamo = DynamoStore::new(
        DynamoStore::client_from_env().await,
        &settings.quota_table,
        &settings.leads_table,
    );
    if create_tables {
        dynamo.create_tables().await.map_err(SetupError::Tables)?;
    }
    Ok(Arc::new(dynamo))
}

/// The configured LLM, or knowledge-base retrieval when there is none.
pub fn advisor(settings: &Settings, bundle: &Arc<Bundle>) -> Result<Arc<dyn Advisor>, SetupError> {
    let known = App::slug_checker(bundle);
    Ok(match &settings.llm {
        LlmChoice::None => {
            tracing::info!("no LLM configured: answering from the knowledge base");
            Arc::new(RetrievalAdvisor::new(bundle.clone()))
        }
        LlmChoice::OpenAi(http) => Arc::new(OpenAiAdvisor::new(http.clone(), known)?),
        LlmChoice::Anthropic(http) => Arc::new(AnthropicAdvisor::new(http.clone(), known)?),
    })
}

/// The team's notification channels from the settings (none configured: a disabled notifier).
/// SES gets its region, credentials and any `AWS_ENDPOINT_URL_SESV2` override from the standard
/// AWS environment, like DynamoDB.
pub async fn notifier(settings: &Settings) -> Result<Notifier, SetupError> {
    let notify = &settings.notify;
    let webhook = match &notify.webhook {
        Some((url, format)) => Some(WebhookChannel::new(url.clone(), *format, notify.timeout)?),
        None => None,
    };
    let email = match &notify.email {
        Some((from, to)) => {
            let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            Some(EmailChannel::new(
                aws_sdk_sesv2::Client::new(&config),
                from.clone(),
                to.clone(),
            ))
        }
        None => None,
    };
    if webhook.is_none() && email.is_none() {
        tracing::info!(
            "no notification channel configured: leads are only listed by `ask-fn leads`"
        );
    }
    Ok(Notifier::new(notify.policy, notify.timeout, webhook, email))
}
