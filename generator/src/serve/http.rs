//! `tryfirst serve`: the editor's live preview.
//!
//! Builds the site into a private folder, serves it on 127.0.0.1, rebuilds when anything under
//! `content/`, `themes/`, `templates/`, `static/`, `i18n/` or `site.toml` changes, and reloads open pages.
//! Rebuilds are incremental ([`crate::serve::session`]): an edited article costs its own page
//! and the pages that show it, and the terminal says how many pages were rewritten in how long.
//! A broken edit is reported in the terminal and on the page, and the last good site stays
//! served. The question form works on the same origin: `/ask` is ask-fn's own router, with the
//! in-memory store and knowledge-base answers unless the environment configures DynamoDB or an
//! LLM.
//! Changes are found by [`crate::serve::watch`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use ask_fn::{Settings, SharedStore};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::build::{BuildError, BuildOptions};
use crate::diagnostics::{Diagnostic, ERROR_STYLE};
use crate::serve::session::Session;
use crate::serve::watch::{scan, start_events, watch_events, watch_files};

/// How long a long-polling page waits for a change before asking again.
const WAIT: Duration = Duration::from_secs(25);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub addr: SocketAddr,
    pub include_drafts: bool,
    /// Poll file metadata instead of taking the operating system's events (see
    /// [`crate::serve::watch`]).
    pub poll: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the question function could not start: {0}")]
    Ask(String),
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// What open pages learn by long-polling: a build counter and the last build's error, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BuildState {
    version: u64,
    error: Option<String>,
}

pub(super) struct Server {
    pub(super) options: ServeOptions,
    out_dir: PathBuf,
    /// The parsed site between edits: a rebuild redoes only what an edit changed.
    session: Mutex<Session>,
    state: watch::Sender<BuildState>,
    /// ask-fn's router for the current bundle, and the build it was made after; replaced
    /// after each good build (see [`Server::refresh_ask`]).
    ask: RwLock<Option<(u64, Router)>>,
    ask_settings: Settings,
    /// Kept across rebuilds, so quotas and leads survive an edit.
    store: SharedStore,
}

pub async fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: options.addr,
            source,
        })?;
    let addr = listener.local_addr()?;
    let options = ServeOptions { addr, ..options };
    let out_dir = std::env::temp_dir().join(format!("tryfirst-serve-{}", addr.port()));
    // The same loading as the Lambda's: secrets named by `*_PARAMETER` variables are fetched.
    let ask_settings = Settings::load()
        .await
        .map_err(|e| ServeError::Ask(e.to_string()))?;
    let store = ask_fn::open_store(&ask_settings, true)
        .await
        .map_err(|e| ServeError::Ask(e.to_string()))?;
    let (state, _) = watch::channel(BuildState {
        version: 0,
        error: None,
    });
    let out_dir_to_remove = out_dir.clone();
    // A folder left by an earlier run on the same port would hold pages this site lacks.
    let _ = std::fs::remove_dir_all(&out_dir);
    let session = Mutex::new(Session::new(build_options(&options, &out_dir)));
    let server = Arc::new(Server {
        options,
        out_dir,
        session,
        state,
        ask: RwLock::new(None),
        ask_settings,
        store,
    });

    // Started before the first build, so an edit made while it runs is still seen.
    let root = &server.options.root;
    let events = (!server.options.poll).then(|| start_events(root)).flatten();
    // Polling compares with the stamps taken now.
    let scanned = events.is_none().then(|| scan(root));
    // The question form is ready when serve says it is serving.
    if let Some(form) = server.rebuild(None).await {
        let _ = form.await;
    }
    eprintln!(
        "Serving {} at http://{addr}/ (Ctrl+C to stop)",
        site_folder(&server.options.root).display()
    );
    match events {
        Some((debouncer, events)) => {
            tokio::spawn(watch_events(server.clone(), debouncer, events));
        }
        None => {
            let scanned = scanned.expect("scanned when there are no events");
            tokio::spawn(watch_files(server.clone(), scanned));
        }
    }

    let app = Router::new()
        .route("/ask", any(ask))
        .route("/__tryfirst/reload.js", get(reload_script))
        .route("/__tryfirst/wait", get(wait_for_change))
        .fallback_service(static_files(&server.out_dir))
        .with_state(server);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    // The preview build is ours alone: leave no copy of the site behind.
    let _ = std::fs::remove_dir_all(&out_dir_to_remove);
    served?;
    Ok(())
}

/// The site's folder as the editor knows it: `--root .` is shown as the folder it stands for.
fn site_folder(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

/// Serves the built site like a static host would (`/a/` → `a/index.html`, HEAD, ranges,
/// `Last-Modified` and 304, a MIME type for every common extension), and a missing page as
/// the site's 404 page with status 404. Never cached: the preview changes with every edit.
fn static_files(out_dir: &Path) -> Router {
    let files = ServeDir::new(out_dir).not_found_service(ServeFile::new(
        out_dir.join(crate::urls::output_file(crate::urls::NOT_FOUND)),
    ));
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::map_response(no_store))
}

async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn build_options(options: &ServeOptions, out_dir: &Path) -> BuildOptions {
    BuildOptions {
        out: Some(out_dir.to_path_buf()),
        base_url: Some(format!("http://{}", options.addr)),
        include_drafts: options.include_drafts,
        ask_endpoint: Some("/ask".into()),
        live_reload: true,
        ..BuildOptions::new(options.root.clone())
    }
}

impl Server {
    /// Updates the site (off the async threads), then publishes the outcome to open pages.
    /// `changed`: the articles the watcher saw change, when nothing else did (see
    /// [`Session::update_changed`]).
    /// The question form follows in the background: the returned task makes its router from
    /// the new bundle (`None` after a failed build).
    pub(super) async fn rebuild(
        self: &Arc<Self>,
        changed: Option<Vec<PathBuf>>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let server = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            server
                .session
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .update_changed(changed.as_deref())
        })
        .await;
        let error = match result {
            Ok(Ok(update)) => {
                for warning in &update.warnings {
                    anstream::eprintln!("{}\n", warning.to_styled());
                }
                eprintln!("{}", update.summary());
                None
            }
            Ok(Err(BuildError::Invalid(diagnostics))) => {
                let joined = |render: fn(&Diagnostic) -> String| {
                    diagnostics
                        .iter()
                        .map(render)
                        .collect::<Vec<_>>()
                        .join("\n\n")
                };
                anstream::eprintln!(
                    "{}\n\nThe site was not rebuilt; the last good version is still served.",
                    joined(Diagnostic::to_styled)
                );
                // The browser's overlay shows the plain text.
                Some(joined(Diagnostic::to_human))
            }
            Ok(Err(error)) => {
                anstream::eprintln!("{ERROR_STYLE}error:{ERROR_STYLE:#} {error}");
                Some(error.to_string())
            }
            Err(panic) => Some(format!("the build stopped unexpectedly: {panic}")),
        };
        let built = error.is_none();
        let mut version = 0;
        self.state.send_modify(|state| {
            state.version += 1;
            state.error = error;
            version = state.version;
        });
        // After the pages are announced, and without holding up the next rebuild: open pages
        // reload at once, while the question form's retrieval index is made from the new
        // bundle (a third of a second at 10,000 articles); until then the form answers from
        // the previous bundle.
        let server = self.clone();
        built.then(|| tokio::spawn(async move { server.refresh_ask(version).await }))
    }

    /// Points the question form at the bundle of build `version`, unless a later build's
    /// router is already in place (refreshes of quick successive builds may finish out of
    /// order).
    async fn refresh_ask(&self, version: u64) {
        let bundle_path = self.out_dir.join(kb_model::BUNDLE_FILE_NAME);
        let knowledge = tokio::task::spawn_blocking(move || {
            ask_fn::load_bundle(&bundle_path).map(ask_fn::Knowledge::built_from)
        })
        .await;
        let router = match knowledge {
            Ok(Ok(knowledge)) => {
                ask_fn::app(self.ask_settings.clone(), knowledge, self.store.clone()).await
            }
            Ok(Err(error)) => Err(error),
            Err(_) => return,
        };
        match router {
            Ok(router) => {
                let mut ask = self
                    .ask
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if ask
                    .as_ref()
                    .is_none_or(|(made_after, _)| *made_after < version)
                {
                    *ask = Some((version, router));
                }
            }
            Err(error) => eprintln!("warning: the question form is not available: {error}"),
        }
    }
}

async fn ask(State(server): State<Arc<Server>>, request: Request) -> Response {
    let router = server
        .ask
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .map(|(_, router)| router.clone());
    match router {
        Some(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The site has not been built yet; see the terminal.",
        )
            .into_response(),
    }
}

#[derive(serde::Deserialize)]
struct WaitQuery {
    version: Option<u64>,
}

/// Long poll: answers as soon as the build version differs from the page's, or after `WAIT`.
async fn wait_for_change(
    State(server): State<Arc<Server>>,
    Query(query): Query<WaitQuery>,
) -> Response {
    let mut receiver = server.state.subscribe();
    let seen = query.version;
    let changed = async {
        loop {
            if seen != Some(receiver.borrow_and_update().version) {
                return;
            }
            if receiver.changed().await.is_err() {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(WAIT, changed).await;
    let state = server.state.borrow().clone();
    let body = serde_json::json!({ "version": state.version, "error": state.error });
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The script `serve` adds to every page (see [`crate::serve::session::RELOAD_TAG`]): reload after
/// a good build, show the error after a bad one. Only ever served by `serve`; built sites carry
/// no trace of it.
const RELOAD_SCRIPT: &str = r#"(() => {
  let version = null;
  const show = (error) => {
    let box = document.getElementById('tryfirst-build-error');
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement('pre');
      box.id = 'tryfirst-build-error';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;margin:0;padding:1rem;background:#2b0000;color:#ffdede;font:13px/1.4 monospace;z-index:99999;white-space:pre-wrap';
      document.body.appendChild(box);
    }
    box.textContent = 'The last edit did not build (this page is the last good version):\n\n' + error;
  };
  const poll = async () => {
    try {
      const response = await fetch('/__tryfirst/wait' + (version === null ? '' : '?version=' + version), { cache: 'no-store' });
      const state = await response.json();
      if (version !== null && state.version !== version && !state.error) { location.reload(); return; }
      version = state.version;
      show(state.error);
    } catch (_) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    poll();
  };
  poll();
})();
"#;

async fn reload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        RELOAD_SCRIPT,
    )
        .into_response()
}
