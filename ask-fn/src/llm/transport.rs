//! The HTTP loop both LLM clients share: one attempt under a timeout, at most one retry when
//! the failure is worth retrying and the whole attempt still fits the time budget, and error
//! mapping that never carries the key, the URL's secrets or the model's text.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

use super::parse::parse_advice;
use super::{Advice, HttpLlmSettings, LlmError};

/// Largest response body we read. A real answer is a few KiB; anything bigger is a broken or
/// hostile endpoint, and reading it would cost Lambda memory and time.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Wait before the retry when the provider did not say how long.
pub(crate) const DEFAULT_RETRY_WAIT: Duration = Duration::from_millis(250);

/// Longest `Retry-After` we honour: the visitor is waiting on the form.
pub(crate) const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);

/// The assistant's text pulled out of a provider's success body.
pub struct Reply {
    pub text: String,
    /// `finish_reason` / `stop_reason`, logged so a cut-off answer is diagnosable.
    pub stop_reason: Option<String>,
}

/// One provider's request, as the attempt loop needs it. Built once per question; the body is
/// serialised once and resent as is on the retry.
pub(crate) struct HttpCall<'a> {
    /// `"openai"` or `"anthropic"`, for logs.
    pub provider: &'static str,
    pub client: &'a reqwest::Client,
    pub settings: &'a HttpLlmSettings,
    pub url: String,
    /// Auth (marked sensitive) and protocol headers.
    pub headers: &'a HeaderMap,
    pub body: Vec<u8>,
    /// Pulls the assistant's text out of a 2xx body.
    pub extract: fn(&[u8]) -> Result<Reply, LlmError>,
    /// `Sync` because the advisor future must be `Send` (it runs on the multi-threaded runtime).
    pub known_slugs: &'a (dyn Fn(&str) -> bool + Send + Sync),
    /// Counts a retry against the daily cap (from the request).
    pub retry_permit: Option<&'a super::retry_budget::RetryPermit>,
}

/// Why one attempt failed, with what the retry decision and the logs need.
struct Failure {
    error: LlmError,
    status: Option<u16>,
    retry_after: Option<Duration>,
}

impl Failure {
    fn new(error: LlmError) -> Self {
        Self {
            error,
            status: None,
            retry_after: None,
        }
    }
}

/// Builds the one client an advisor reuses for every call (connection reuse across warm Lambda
/// invocations). Proxies from the environment are ignored: the endpoint is configured
/// explicitly, and a stray `HTTPS_PROXY` must not silently reroute requests carrying the key.
pub(crate) fn build_client(settings: &HttpLlmSettings) -> Result<reqwest::Client, reqwest::Error> {
    crate::tls::client_builder()
        .connect_timeout(settings.connect_timeout)
        .no_proxy()
        .user_agent(concat!("tryfirst-ask-fn/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A header value holding a secret, marked sensitive so `http`'s `Debug` prints it redacted.
/// Surrounding whitespace is dropped (a key pasted with a trailing newline is still the key);
/// `None` if the key cannot be a header value at all.
pub(crate) fn secret_header(prefix: &str, key: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("{prefix}{}", key.trim())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The error for a key that cannot be sent; reported without the key, and never retried.
pub(crate) fn unusable_key_error() -> LlmError {
    LlmError::Connect(
        "the API key contains characters that cannot be sent in an HTTP header".into(),
    )
}

/// Runs the call: one attempt, and at most one retry if the error is retryable and the wait
/// plus a whole attempt still fit in `total_budget`. Logs the outcome without any content.
///
/// The pause before the retry honours `Retry-After` on any retryable response (429, but also
/// 503 or Anthropic's 529 when they send one): the provider knows best when it will recover.
pub(crate) async fn call_with_retry(call: HttpCall<'_>) -> Result<Advice, LlmError> {
    let settings = call.settings;
    let started = Instant::now();
    let mut attempts: u32 = 1;
    loop {
        // The first attempt may not outlast the whole budget either.
        let timeout = settings.request_timeout.min(settings.total_budget);
        match attempt(&call, timeout).await {
            Ok((advice, status)) => {
                tracing::info!(
                    provider = call.provider,
                    outcome = "ok",
                    status,
                    attempts,
                    duration_ms = millis(started.elapsed()),
                    verdict = advice.verdict.as_str(),
                    cited = advice.cited.len(),
                    "LLM answered"
                );
                return Ok(advice);
            }
            Err(failure) => {
                let wait = retry_wait(failure.retry_after);
                let fits =
                    started.elapsed() + wait + settings.request_timeout <= settings.total_budget;
                // A retry is another paid call: it must fit the daily cap too.
                let retry = attempts == 1
                    && failure.error.is_retryable()
                    && fits
                    && super::retry_budget::allowed(call.retry_permit).await;
                tracing::warn!(
                    provider = call.provider,
                    outcome = failure.error.kind(),
                    status = failure.status,
                    attempts,
                    duration_ms = millis(started.elapsed()),
                    retry,
                    error = %failure.error,
                    "LLM attempt failed"
                );
                if !retry {
                    return Err(failure.error);
                }
                tokio::time::sleep(wait).await;
                attempts += 1;
            }
        }
    }
}

/// How long to wait before the retry: the provider's `Retry-After` capped at
/// [`MAX_RETRY_WAIT`], else [`DEFAULT_RETRY_WAIT`].
pub(crate) fn retry_wait(retry_after: Option<Duration>) -> Duration {
    retry_after.map_or(DEFAULT_RETRY_WAIT, |wait| wait.min(MAX_RETRY_WAIT))
}

/// `Retry-After` in (possibly fractional) seconds. The HTTP-date form is ignored: providers
/// send seconds, and a date would need a clock we do not want to trust here.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// One POST, bounded as a whole (connect, send, status, body) by `timeout`.
async fn attempt(call: &HttpCall<'_>, timeout: Duration) -> Result<(Advice, u16), Failure> {
    let exchange = async {
        let mut response = call
            .client
            .post(&call.url)
            .headers(call.headers.clone())
            .body(call.body.clone())
            .send()
            .await
            .map_err(|error| Failure::new(network_error(error, call.settings)))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            // The error body is not needed: the status says all we act on.
            let retry_after = parse_retry_after(response.headers());
            let error = if status == 429 {
                LlmError::RateLimited
            } else {
                LlmError::Status { status }
            };
            return Err(Failure {
                error,
                status: Some(status),
                retry_after,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| Failure {
            status: Some(status),
            ..Failure::new(network_error(error, call.settings))
        })? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Failure {
                    status: Some(status),
                    ..Failure::new(LlmError::Malformed(format!(
                        "response body larger than {MAX_RESPONSE_BYTES} bytes"
                    )))
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    };
    let (status, body) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_elapsed| Failure::new(LlmError::Timeout(timeout)))??;

    let with_status = |error| Failure {
        status: Some(status),
        ..Failure::new(error)
    };
    let reply = (call.extract)(&body).map_err(with_status)?;
    if let Some(stop_reason) = reply
        .stop_reason
        .as_deref()
        .filter(|reason| !is_normal_stop(reason))
    {
        tracing::info!(provider = call.provider, stop_reason, "LLM stopped early");
    }
    let advice = parse_advice(&reply.text, call.known_slugs).map_err(with_status)?;
    Ok((advice, status))
}

fn is_normal_stop(reason: &str) -> bool {
    matches!(reason, "stop" | "end_turn")
}

/// A transport error as [`LlmError::Connect`], described by its cause chain without the URL
/// (which may carry a query) and with the key scrubbed should any layer ever echo it.
fn network_error(error: reqwest::Error, settings: &HttpLlmSettings) -> LlmError {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    // Short "keys" only occur in tests; replacing them would mangle ordinary words.
    let key = settings.api_key.expose().trim();
    if key.len() >= 8 {
        message = message.replace(key, "<redacted>");
    }
    if message.chars().count() > 300 {
        message = message.chars().take(300).chain(['…']).collect();
    }
    LlmError::Connect(message)
}

/// Describes a JSON error by position only: serde_json's messages can quote the offending value,
/// which would put model or provider text into logs.
pub(crate) fn json_error(what: &str, error: &serde_json::Error) -> LlmError {
    let category = match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "JSON of the wrong shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    LlmError::Malformed(format!(
        "{what} is {category} (line {}, column {})",
        error.line(),
        error.column()
    ))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_wait_defaults_and_caps() {
        assert_eq!(retry_wait(None), DEFAULT_RETRY_WAIT);
        assert_eq!(
            retry_wait(Some(Duration::from_millis(500))),
            Duration::from_millis(500)
        );
        assert_eq!(retry_wait(Some(Duration::from_secs(30))), MAX_RETRY_WAIT);
    }

    #[test]
    fn retry_after_accepts_seconds_only() {
        let headers = |value: &str| {
            let mut map = HeaderMap::new();
            map.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            map
        };
        assert_eq!(
            parse_retry_after(&headers("1")),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            parse_retry_after(&headers(" 0.5 ")),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(&headers("-1")), None);
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn secret_headers_are_trimmed_sensitive_and_validated() {
        let value = secret_header("Bearer ", " sk-1\n").unwrap();
        assert_eq!(value.to_str().unwrap(), "Bearer sk-1");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("sk-1"));
        assert!(secret_header("", "bad\nkey").is_none());
    }

    #[test]
    fn json_errors_do_not_quote_values() {
        let error = serde_json::from_str::<u32>("\"secret-value\"").unwrap_err();
        let LlmError::Malformed(reason) = json_error("the body", &error) else {
            panic!()
        };
        assert!(!reason.contains("secret"), "{reason}");
    }
}
