//! A fake LLM provider for integration tests: one local HTTP server speaking both real wire
//! formats (OpenAI chat completions with structured output, Anthropic Messages with a forced
//! tool call), with a scriptable queue of behaviours and a record of every request.
//!
//! An answer text that is one JSON object comes back from the Anthropic route as the input of
//! a `give_advice` tool call (as the real API does when the tool is forced); any other text comes
//! back as a text block, which a correct client refuses. [`Behaviour::Scripted`] lets a test
//! answer from the request (e.g. echo the system prompt, like a model that was talked round).
//!
//! Include it from a test binary with `#[path = "support/fake_llm.rs"] mod fake_llm;`.
//!
//! ```ignore
//! let fake = FakeLlm::start().await;
//! fake.push(Behaviour::RateLimited { retry_after_secs: None });
//! fake.push(Behaviour::Answer(answer_json("Restart it.", "diy", &[])));
//! // point an advisor at fake.base_url_openai() or fake.base_url_anthropic() …
//! assert_eq!(fake.request_count(), 2);
//! ```
#![allow(dead_code, reason = "not every helper is used by every test module")]

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// What the fake does with one request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with this assistant text in the provider's success format.
    Answer(String),
    /// Sleeps, then answers like [`Behaviour::Answer`]; for timeout tests.
    Slow(Duration, String),
    /// This status with the provider's error body (e.g. 500, 503, Anthropic's 529).
    Status(u16),
    /// 429 with the provider's rate-limit error body and, if given, a `Retry-After` header.
    RateLimited { retry_after_secs: Option<u64> },
    /// 200 whose body is not JSON at all.
    MalformedBody,
    /// 200 with the text this function makes from the request's JSON body.
    Scripted(Script),
    /// Fails about `fail_percent` % of requests with a 500 (or a malformed body), chosen by a
    /// seeded sequence so a run can be repeated, and answers `text` otherwise: for the soak.
    Flaky { fail_percent: u64, text: String },
}

/// A function from the request body to the answer text.
#[derive(Clone)]
pub struct Script(pub Arc<dyn Fn(&Value) -> String + Send + Sync>);

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Script(..)")
    }
}

/// The system prompt a request carried, in either wire format.
pub fn system_prompt_of(body: &Value) -> String {
    body.get("system")
        .and_then(Value::as_str)
        .or_else(|| {
            body.pointer("/messages/0/content")
                .and_then(Value::as_str)
                .filter(|_| body.pointer("/messages/0/role") == Some(&json!("system")))
        })
        .unwrap_or_default()
        .to_owned()
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub path: String,
    /// Lowercased header name → value (the last one if repeated; non-UTF-8 values lossily).
    pub headers: HashMap<String, String>,
    /// The JSON body, or `Value::Null` if it was not JSON.
    pub body: Value,
    pub received_at: Instant,
}

/// A boxed future, so hooks need no `futures` crate.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Runs when a request arrives, before the fake answers (and before a `Slow` sleep); e.g. to
/// check what is already stored at the moment the LLM gets called.
pub type RequestHook = Arc<dyn Fn(RecordedRequest) -> BoxFuture + Send + Sync>;

/// The wire format a request is answered in, chosen by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    OpenAi,
    Anthropic,
}

struct Shared {
    queue: Mutex<VecDeque<Behaviour>>,
    default: Mutex<Behaviour>,
    requests: Mutex<Vec<RecordedRequest>>,
    hook: Mutex<Option<RequestHook>>,
}

/// The running fake; the server stops when this is dropped.
pub struct FakeLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeLlm {
    /// Starts the server on `127.0.0.1:0` on the current tokio runtime.
    pub async fn start() -> FakeLlm {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            default: Mutex::new(Behaviour::Answer(answer_json(
                "Try restarting.",
                "careful",
                &[],
            ))),
            requests: Mutex::new(Vec::new()),
            hook: Mutex::new(None),
        });
        let router = Router::new()
            .route("/v1/chat/completions", post(openai))
            .route("/v1/messages", post(anthropic))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake LLM on 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of the fake LLM");
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("fake LLM server failed");
        });
        FakeLlm {
            addr,
            shared,
            server,
        }
    }

    /// Queues a behaviour for the next request not yet covered by the queue.
    pub fn push(&self, behaviour: Behaviour) {
        lock(&self.shared.queue).push_back(behaviour);
    }

    /// What requests get once the queue is empty (initially a valid "careful" answer).
    pub fn set_default(&self, behaviour: Behaviour) {
        *lock(&self.shared.default) = behaviour;
    }

    /// Installs the hook run when each request arrives, before answering.
    pub fn on_request(&self, hook: RequestHook) {
        *lock(&self.shared.hook) = Some(hook);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// `base_url` for the OpenAI client (it appends `/chat/completions`).
    pub fn base_url_openai(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// `base_url` for the Anthropic client (it appends `/v1/messages`).
    pub fn base_url_anthropic(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `http://127.0.0.1:PORT` where nothing listens (a port just bound and released), for
/// connection-refused tests.
pub async fn closed_base_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a throwaway port");
    let addr = listener
        .local_addr()
        .expect("local address of the throwaway port");
    drop(listener);
    format!("http://{addr}")
}

/// Assistant text that a correct client turns into advice: `{"advice", "verdict", "cited"}`.
pub fn answer_json(advice: &str, verdict: &str, cited: &[&str]) -> String {
    json!({"advice": advice, "verdict": verdict, "cited": cited}).to_string()
}

/// Poison-tolerant lock: a panicking test must not turn every later request into a second panic.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn openai(state: State<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    handle(Wire::OpenAi, state, uri, headers, body).await
}

async fn anthropic(
    state: State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(Wire::Anthropic, state, uri, headers, body).await
}

/// Unknown paths are recorded too (so a test sees a client calling the wrong URL) and get 404.
async fn not_found(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, &uri, &headers, &body);
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": {"message": "not found", "type": "not_found"}})),
    )
        .into_response()
}

fn record(shared: &Shared, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> RecordedRequest {
    let request = RecordedRequest {
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
        received_at: Instant::now(),
    };
    lock(&shared.requests).push(request.clone());
    request
}

async fn handle(
    wire: Wire,
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = record(&shared, &uri, &headers, &body);
    let request_body = request.body.clone();
    let model = request
        .body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("fake-model")
        .to_owned();
    let hook = lock(&shared.hook).clone();
    if let Some(hook) = hook {
        hook(request).await;
    }
    let behaviour = lock(&shared.queue)
        .pop_front()
        .unwrap_or_else(|| lock(&shared.default).clone());
    match behaviour {
        Behaviour::Answer(text) => success(wire, &model, &text),
        Behaviour::Slow(delay, text) => {
            tokio::time::sleep(delay).await;
            success(wire, &model, &text)
        }
        Behaviour::Status(status) => error(wire, status, None),
        Behaviour::RateLimited { retry_after_secs } => error(wire, 429, retry_after_secs),
        Behaviour::Scripted(script) => success(wire, &model, &(script.0)(&request_body)),
        Behaviour::MalformedBody => malformed(),
        Behaviour::Flaky { fail_percent, text } => {
            // SplitMix64 over the request number: repeatable, and spread out.
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let mut z = NEXT
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                .wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            match z % 100 {
                roll if roll < fail_percent / 2 => malformed(),
                roll if roll < fail_percent => error(wire, 500, None),
                _ => success(wire, &model, &text),
            }
        }
    }
}

fn malformed() -> Response {
    (
        StatusCode::OK,
        [("content-type", "text/html")],
        "<html><body>502 upstream hiccup</body></html>",
    )
        .into_response()
}

/// The provider's success body around `text`, shaped like the real APIs.
fn success(wire: Wire, model: &str, text: &str) -> Response {
    let output_tokens = text.len().div_ceil(4);
    let body = match wire {
        Wire::OpenAi => json!({
            "id": format!("chatcmpl-fake{}", unique()),
            "object": "chat.completion",
            "created": SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 512, "completion_tokens": output_tokens, "total_tokens": 512 + output_tokens},
        }),
        Wire::Anthropic => {
            let (content, stop_reason) = match serde_json::from_str::<Value>(text.trim()) {
                Ok(input @ Value::Object(_)) => (
                    json!([{"type": "tool_use", "id": format!("toolu_fake{}", unique()), "name": "give_advice", "input": input}]),
                    "tool_use",
                ),
                _ => (json!([{"type": "text", "text": text}]), "end_turn"),
            };
            json!({
            "id": format!("msg_fake{}", unique()),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": null,
            "usage": {"input_tokens": 512, "output_tokens": output_tokens},
            })
        }
    };
    (StatusCode::OK, Json(body)).into_response()
}

/// The provider's error body for `status`, with `Retry-After` if given.
fn error(wire: Wire, status: u16, retry_after_secs: Option<u64>) -> Response {
    let body = match wire {
        Wire::OpenAi => {
            let (kind, code, message) = match status {
                400 => ("invalid_request_error", Value::Null, "Invalid request."),
                401 => (
                    "invalid_request_error",
                    json!("invalid_api_key"),
                    "Incorrect API key provided.",
                ),
                404 => (
                    "invalid_request_error",
                    json!("model_not_found"),
                    "The model does not exist.",
                ),
                429 => (
                    "rate_limit_error",
                    json!("rate_limit_exceeded"),
                    "Rate limit reached for requests.",
                ),
                _ => (
                    "server_error",
                    Value::Null,
                    "The server had an error while processing your request.",
                ),
            };
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
        }
        Wire::Anthropic => {
            let (kind, message) = match status {
                400 => ("invalid_request_error", "Invalid request."),
                401 => ("authentication_error", "invalid x-api-key"),
                403 => ("permission_error", "Your API key does not have permission."),
                404 => ("not_found_error", "Not found."),
                413 => (
                    "request_too_large",
                    "Request exceeds the maximum allowed size.",
                ),
                429 => (
                    "rate_limit_error",
                    "Number of requests has exceeded your rate limit.",
                ),
                529 => ("overloaded_error", "Overloaded"),
                _ => ("api_error", "Internal server error"),
            };
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(body)).into_response();
    if let Some(seconds) = retry_after_secs {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
    }
    response
}

/// A process-wide counter for response ids.
fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
