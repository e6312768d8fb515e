//! The one way to wire the function, used by the Lambda, `ask-fn serve` and `tryfirst serve`
//! alike: [`Settings::load`](crate::settings::Settings::load) → [`load_knowledge`] →
//! [`open_store`] → [`app`]. Everything is built once per process (per bundle, under
//! `tryfirst serve`): the store (DynamoDB when configured, else in memory), the advisor (an LLM
//! when a provider is configured, else knowledge-base retrieval) and the notifier.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use kb_model::retrieval::{IndexFileError, SearchIndex};
use kb_model::{Bundle, BundleFingerprint, INDEX_FILE_NAME};

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

/// The bundle at `path`, without its search index (the team's tools that only look articles
/// up; the function itself loads both with [`load_knowledge`]).
pub fn load_bundle(path: &Path) -> Result<Arc<Bundle>, SetupError> {
    read_bundle(path).map(|(bundle, _)| Arc::new(bundle))
}

fn read_bundle(path: &Path) -> Result<(Bundle, BundleFingerprint), SetupError> {
    let shown = || path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SetupError::ReadBundle {
        path: shown(),
        source,
    })?;
    let fingerprint = BundleFingerprint::of(&bytes);
    let text = String::from_utf8(bytes).map_err(|error| SetupError::ReadBundle {
        path: shown(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, error.utf8_error()),
    })?;
    let bundle = Bundle::from_json(&text).map_err(|source| SetupError::Bundle {
        path: shown(),
        source,
    })?;
    Ok((bundle, fingerprint))
}

/// What the function answers from: the published articles and their search index, loaded
/// once per process (per build under `tryfirst serve`) and shared by every request.
#[derive(Debug, Clone)]
pub struct Knowledge {
    pub bundle: Arc<Bundle>,
    pub index: Arc<SearchIndex>,
}

impl Knowledge {
    /// `bundle` with its search index built from it: for `tryfirst serve`, which does not
    /// write the index file (it would cost every edit the ~250 ms of building it at 10,000
    /// articles; the form builds it after the pages are up to date instead).
    pub fn built_from(bundle: Arc<Bundle>) -> Self {
        let index = Arc::new(SearchIndex::new(&bundle));
        Self { bundle, index }
    }
}

/// Reads the bundle at `path` and loads its search index from [`INDEX_FILE_NAME`] beside it,
/// which the generator writes so that a cold start analyses no text (a 10,000-article bundle's
/// index takes ~250 ms to build, ~6 ms to load). The index is built from the bundle instead,
/// with one log line saying why, when that file is missing (a bundle from before it existed),
/// made by another analyser or for another bundle, or damaged: slower, never wrong.
pub fn load_knowledge(path: &Path) -> Result<Knowledge, SetupError> {
    let (bundle, fingerprint) = read_bundle(path)?;
    let (index, not_loaded) =
        index_of(&bundle, &fingerprint, &path.with_file_name(INDEX_FILE_NAME));
    if let Some(why) = not_loaded {
        // The reason names neither the path nor anything in the files.
        tracing::warn!(reason = %why, "search index built from the bundle, not loaded");
    }
    Ok(Knowledge {
        bundle: Arc::new(bundle),
        index: Arc::new(index),
    })
}

/// Why the search index was built rather than loaded.
#[derive(Debug, thiserror::Error)]
pub enum IndexNotLoaded {
    #[error("there is no {INDEX_FILE_NAME} beside the bundle")]
    Missing,
    #[error("{INDEX_FILE_NAME} cannot be read ({0})")]
    Unreadable(std::io::ErrorKind),
    #[error("{INDEX_FILE_NAME} is not used: {0}")]
    Refused(#[from] IndexFileError),
}

/// The search index of `bundle`, whose file has `fingerprint`: loaded from `file` if it is
/// that bundle's index by this analyser, else built (and why it was).
pub fn index_of(
    bundle: &Bundle,
    fingerprint: &BundleFingerprint,
    file: &Path,
) -> (SearchIndex, Option<IndexNotLoaded>) {
    let loaded = match std::fs::read(file) {
        Ok(bytes) => SearchIndex::from_file(&bytes, fingerprint)
            .and_then(|index| match index.articles() == bundle.articles.len() {
                true => Ok(index),
                false => Err(IndexFileError::Damaged("it counts other articles")),
            })
            .map_err(IndexNotLoaded::from),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(IndexNotLoaded::Missing),
        Err(error) => Err(IndexNotLoaded::Unreadable(error.kind())),
    };
    match loaded {
        Ok(index) => (index, None),
        Err(why) => (SearchIndex::new(bundle), Some(why)),
    }
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

/// The function's HTTP face over `knowledge` and `store`: `POST /ask` and `GET /healthz`, with
/// the advisor and notifier the settings configure.
pub async fn app(
    settings: Settings,
    knowledge: Knowledge,
    store: SharedStore,
) -> Result<Router, SetupError> {
    Ok(crate::http::router(wire(settings, knowledge, store).await?))
}

/// The request path itself, for a host that takes more than HTTP: Lambda also runs the hourly
/// scheduled digest on it (`scheduled::run_lambda`).
pub async fn wire(
    settings: Settings,
    knowledge: Knowledge,
    store: SharedStore,
) -> Result<Arc<App>, SetupError> {
    // One index for the handler (the articles an LLM may cite, the floor's grounding) and a
    // knowledge-base advisor alike.
    let Knowledge { bundle, index } = knowledge;
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

#[cfg(test)]
mod tests {
    use super::*;
    use kb_model::retrieval::IndexFileError;
    use kb_model::text::ANALYSER_VERSION;
    use kb_model::BUNDLE_FILE_NAME;
    use std::io::Write;
    use std::sync::Mutex;

    /// A built site's two files: the sample bundle and its index, as the generator writes them.
    fn site() -> (tempfile::TempDir, std::path::PathBuf, Bundle) {
        let dir = tempfile::tempdir().unwrap();
        let bundle = kb_model::fixtures::sample();
        let json = bundle.to_json();
        let path = dir.path().join(BUNDLE_FILE_NAME);
        std::fs::write(&path, &json).unwrap();
        let index = SearchIndex::new(&bundle).to_file(BundleFingerprint::of(json.as_bytes()));
        std::fs::write(dir.path().join(INDEX_FILE_NAME), index).unwrap();
        (dir, path, bundle)
    }

    fn index_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
        dir.path().join(INDEX_FILE_NAME)
    }

    /// The index `load_knowledge` comes with, and why it was built if it was.
    fn loaded(path: &Path) -> (SearchIndex, Option<IndexNotLoaded>) {
        let (bundle, fingerprint) = read_bundle(path).unwrap();
        index_of(&bundle, &fingerprint, &path.with_file_name(INDEX_FILE_NAME))
    }

    #[test]
    fn the_index_beside_the_bundle_is_loaded() {
        let (_dir, path, bundle) = site();
        let (index, why) = loaded(&path);
        assert!(why.is_none(), "{why:?}");
        assert!(index == SearchIndex::new(&bundle));
        let knowledge = load_knowledge(&path).unwrap();
        assert_eq!(*knowledge.bundle, bundle);
        assert!(*knowledge.index == SearchIndex::new(&bundle));
    }

    /// An old bundle (no index beside it), an index of another analyser, of another bundle, or
    /// damaged: the index is built from the bundle, the same one as if it had loaded.
    #[test]
    fn without_a_usable_index_it_is_built() {
        let (dir, path, bundle) = site();
        let built = SearchIndex::new(&bundle);
        let good = std::fs::read(index_file(&dir)).unwrap();
        let check = |expect: &dyn Fn(&IndexNotLoaded) -> bool| {
            let (index, why) = loaded(&path);
            let why = why.expect("built, not loaded");
            assert!(expect(&why), "{why}");
            assert!(index == built);
        };

        // What the analyser's version is written as: a byte, after the magic and the layout.
        assert_eq!(good[9], ANALYSER_VERSION as u8, "the file's header moved");
        let mut stale = good.clone();
        stale[9] += 1;
        std::fs::write(index_file(&dir), &stale).unwrap();
        check(&|why| {
            matches!(
                why,
                IndexNotLoaded::Refused(IndexFileError::Analyser { .. })
            )
        });

        let mut damaged = good.clone();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0xff;
        std::fs::write(index_file(&dir), &damaged).unwrap();
        check(&|why| matches!(why, IndexNotLoaded::Refused(IndexFileError::Damaged(_))));

        std::fs::write(index_file(&dir), b"").unwrap();
        check(&|why| matches!(why, IndexNotLoaded::Refused(IndexFileError::NotAnIndex)));

        // The bundle rewritten alone (as `tryfirst serve` does): the old index is not its own.
        let mut edited = bundle.clone();
        edited.articles[0].title.push_str(" again");
        std::fs::write(index_file(&dir), &good).unwrap();
        std::fs::write(&path, edited.to_json()).unwrap();
        let (index, why) = loaded(&path);
        assert!(matches!(
            why,
            Some(IndexNotLoaded::Refused(IndexFileError::OtherBundle))
        ));
        assert!(index == SearchIndex::new(&edited));
        std::fs::write(&path, bundle.to_json()).unwrap();

        std::fs::remove_file(index_file(&dir)).unwrap();
        check(&|why| matches!(why, IndexNotLoaded::Missing));
    }

    /// Lines logged while `run` runs on this thread.
    fn logged(run: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, run);
        let bytes = lines.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn building_the_index_is_logged_once_without_paths_or_content() {
        let (dir, path, _) = site();
        assert_eq!(logged(|| drop(load_knowledge(&path).unwrap())), "");
        let mut stale = std::fs::read(index_file(&dir)).unwrap();
        stale[9] = 7;
        std::fs::write(index_file(&dir), stale).unwrap();
        let log = logged(|| drop(load_knowledge(&path).unwrap()));
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(
            log.contains("search index built from the bundle")
                && log.contains("analyser version 7"),
            "{log}"
        );
        let folder = dir.path().to_str().unwrap();
        assert!(!log.contains(folder) && !log.contains("Printer"), "{log}");
    }
}
