//! The one way to wire the function, used by the Lambda, `ask-fn serve` and `tryfirst serve`
//! alike: [`Settings::load`](crate::settings::Settings::load) → [`load_bundle`] →
//! [`open_store`] → [`app`]. Everything is built once per process (per bundle, under
//! `tryfirst serve`): the store (DynamoDB when configured, else in memory), the advisor (an LLM
//! when a provider is configured, else knowledge-base retrieval) and the notifier.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use kb_model::retrieval::SearchIndex;
use kb_model::Bundle;

use crate::clock::SystemClock;
use crate::handler::App;
use crate::llm::anthropic::AnthropicAdvisor;
use crate::llm::openai::OpenAiAdvisor;
use crate::llm::retrieval::RetrievalAdvisor;
use crate::llm::Advisor;
use crate::notify::email::EmailChannel;
use crate::notify::webhook::WebhookChannel;
use crate::notify::Notifier;
use crate::settings::{LlmChoice, Settings, StoreChoice};
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
    #[error("cannot configure the AWS clients: {0}")]
    Aws(#[from] crate::aws::AwsConfigError),
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

/// Where leads and quotas are kept, opened once and shared by every [`app`] built over it (so
/// `tryfirst serve` keeps quotas and leads across rebuilds). Which store is behind it is the
/// wiring's business only.
#[derive(Clone)]
pub struct SharedStore(Arc<dyn Store>);

impl SharedStore {
    /// A store of the caller's choosing (tests, benches).
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self(store)
    }
}

/// DynamoDB when configured (creating missing tables if asked, for emulators), else memory.
pub async fn open_store(
    settings: &Settings,
    create_tables: bool,
) -> Result<SharedStore, SetupError> {
    if settings.store == StoreChoice::Memory {
        tracing::info!("no DynamoDB endpoint configured: using the in-memory store");
        return Ok(SharedStore(Arc::new(MemoryStore::new())));
    }
    let dynamo = DynamoStore::new(
        DynamoStore::client_from_env().await?,
        &settings.quota_table,
        &settings.leads_table,
    );
    if create_tables {
        dynamo.create_tables().await.map_err(SetupError::Tables)?;
    }
    Ok(SharedStore(Arc::new(dynamo)))
}

/// The function's HTTP face over `bundle` and `store`: `POST /ask` and `GET /healthz`, with the
/// advisor and notifier the settings configure.
pub async fn app(
    settings: Settings,
    bundle: Arc<Bundle>,
    store: SharedStore,
) -> Result<Router, SetupError> {
    Ok(crate::http::router(wire(settings, bundle, store).await?))
}

/// The request path itself, for a host that takes more than HTTP: Lambda also runs the hourly
/// scheduled digest on it (`scheduled::run_lambda`).
pub async fn wire(
    settings: Settings,
    bundle: Arc<Bundle>,
    store: SharedStore,
) -> Result<Arc<App>, SetupError> {
    // One index for the handler (the articles an LLM may cite, the floor's grounding) and a
    // knowledge-base advisor alike.
    let index = Arc::new(SearchIndex::new(&bundle));
    let advisor = advisor(&settings, &bundle, &index)?;
    let notifier = notifier(&settings).await?;
    tracing::info!(articles = bundle.articles.len(), "bundle loaded");
    let app = App::new(
        settings,
        bundle,
        index,
        store.0,
        advisor,
        Arc::new(SystemClock),
    )
    .with_notifier(notifier);
    Ok(Arc::new(app))
}

/// The configured LLM, or knowledge-base retrieval when there is none.
pub fn advisor(
    settings: &Settings,
    bundle: &Arc<Bundle>,
    index: &Arc<SearchIndex>,
) -> Result<Arc<dyn Advisor>, SetupError> {
    let known = App::slug_checker(bundle);
    Ok(match &settings.llm {
        LlmChoice::None => {
            tracing::info!("no LLM configured: answering from the knowledge base");
            Arc::new(RetrievalAdvisor::new(bundle.clone(), index.clone()))
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
            let config = crate::aws::sdk_config().await?;
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
            "no notification channel configured: leads are only listed by `ask-team leads`"
        );
    }
    Ok(Notifier::new(notify.policy, notify.timeout, webhook, email))
}
