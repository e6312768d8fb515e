//! Provider-neutral pieces shared by the HTTP advisors:
//!
//! - [`parse_advice`]: the model's text → validated [`Advice`]. Models do not always obey "reply
//!   with ONLY a JSON object", so this is lenient about the wrapping and strict about the schema.
//! - [`call_with_retry`] and friends: one POST per attempt under a hard timeout, at most one
//!   retry within the total budget, and logging that never carries the key, the prompt, the
//!   question or the answer. Both providers share it so their failure behaviour cannot drift
//!   apart. (It lives here because `llm/mod.rs`, which lists the modules, is owned elsewhere;
//!   it would sit well in its own `llm/transport.rs`.)

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::{Map, Value};

use super::{prompt::MAX_ADVICE_CHARS, Advice, AdviceSource, HttpLlmSettings, LlmError, Verdict};

/// Most slugs kept in `cited`: the answer links them, and a wall of links helps nobody.
pub const MAX_CITED: usize = 5;

/// How many `{` positions [`parse_advice`] tries before giving up, so a reply full of braces
/// cannot make parsing quadratic in its length.
const MAX_OBJECT_CANDIDATES: usize = 64;

/// Parses the model's text content into validated advice (`source` is always [`AdviceSource::Ai`]).
///
/// Accepts a bare JSON object, one wrapped in a code fence, or one with prose around it: the
/// first `{…}` block that parses as a JSON object wins. Unknown fields are ignored so a model
/// adding e.g. `"confidence"` does not cost the visitor an answer.
///
/// Error reasons name the rule that failed, never the model's text, because they end up in logs
/// and in the lead record.
pub fn parse_advice(text: &str, known_slugs: &dyn Fn(&str) -> bool) -> Result<Advice, LlmError> {
    let object = first_json_object(text).ok_or_else(|| {
        LlmError::Malformed(if text.trim().is_empty() {
            "the answer is empty".to_owned()
        } else {
            format!(
                "no JSON object in the answer ({} characters)",
                text.chars().count()
            )
        })
    })?;

    let advice = match object.get("advice") {
        None | Some(Value::Null) => return Err(LlmError::OffSchema("`advice` is missing".into())),
        Some(Value::String(advice)) => advice.trim(),
        Some(_) => return Err(LlmError::OffSchema("`advice` is not a string".into())),
    };
    if advice.is_empty() {
        return Err(LlmError::OffSchema("`advice` is empty".into()));
    }

    let verdict = match object.get("verdict") {
        None | Some(Value::Null) => return Err(LlmError::OffSchema("`verdict` is missing".into())),
        Some(Value::String(verdict)) => parse_verdict(verdict).ok_or_else(|| {
            LlmError::OffSchema("`verdict` is not one of diy, careful, bring_us_in".into())
        })?,
        Some(_) => return Err(LlmError::OffSchema("`verdict` is not a string".into())),
    };

    Ok(Advice {
        markdown: truncate_advice(advice),
        verdict,
        cited: cited_slugs(object.get("cited"), known_slugs),
        source: AdviceSource::Ai,
    })
}

/// The first `{…}` in `text` that parses as a JSON object, trailing text ignored.
fn first_json_object(text: &str) -> Option<Map<String, Value>> {
    text.match_indices('{')
        .take(MAX_OBJECT_CANDIDATES)
        .find_map(|(start, _)| {
            // The stream deserializer stops after the first value, so prose or a closing code
            // fence after the object does not make it fail.
            serde_json::Deserializer::from_str(&text[start..])
                .into_iter::<Map<String, Value>>()
                .next()?
                .ok()
        })
}

/// `"diy"`, `"careful"`, `"bring_us_in"`, forgiving case and the separator (`"Bring us in"`,
/// `"BRING-US-IN"`): the meaning is unambiguous, and rejecting it would waste a paid answer.
fn parse_verdict(raw: &str) -> Option<Verdict> {
    let normalised: String = raw
        .trim()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase();
    match normalised.as_str() {
        "diy" => Some(Verdict::Diy),
        "careful" => Some(Verdict::Careful),
        "bring_us_in" => Some(Verdict::BringUsIn),
        _ => None,
    }
}

/// Cited slugs we actually have, deduplicated, in the model's order, at most [`MAX_CITED`].
///
/// Lenient on purpose: `cited` only adds links, so a malformed list drops the links rather than
/// the whole answer. Unknown slugs are dropped so we never link to a page that does not exist.
fn cited_slugs(cited: Option<&Value>, known_slugs: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(Value::Array(items)) = cited else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = Vec::new();
    for slug in items.iter().filter_map(Value::as_str).map(str::trim) {
        if slugs.len() == MAX_CITED {
            break;
        }
        if !slug.is_empty() && known_slugs(slug) && !slugs.iter().any(|kept| kept == slug) {
            slugs.push(slug.to_owned());
        }
    }
    slugs
}

/// Cuts advice longer than [`MAX_ADVICE_CHARS`] characters at a paragraph break (or, failing
/// that, whitespace) and marks the cut with "…"; the result, ellipsis included, fits the limit.
///
/// A paragraph break is only used if it keeps at least half of the allowed length: an early
/// break followed by one huge paragraph would otherwise throw away almost all of the advice.
fn truncate_advice(advice: &str) -> String {
    if advice.chars().count() <= MAX_ADVICE_CHARS {
        return advice.to_owned();
    }
    let budget = MAX_ADVICE_CHARS - 1; // room for the ellipsis
    let head_end = advice
        .char_indices()
        .nth(budget)
        .map_or(advice.len(), |(index, _)| index);
    let head = &advice[..head_end];
    let half = head
        .char_indices()
        .nth(budget / 2)
        .map_or(0, |(index, _)| index);
    let cut = match head.rfind("\n\n") {
        Some(index) if index >= half => index,
        _ => head
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(head.len(), |(index, _)| index),
    };
    let mut truncated = head[..cut].trim_end().to_owned();
    if truncated.is_empty() {
        // Whitespace only at the very start: a hard cut is better than no advice.
        truncated = head.trim().to_owned();
    }
    truncated.push('…');
    truncated
}

// ---------------------------------------------------------------------------------------------
// The shared HTTP attempt loop.
// ---------------------------------------------------------------------------------------------

/// Largest response body we read. A real answer is a few KiB; anything bigger is a broken or
/// hostile endpoint, and reading it would cost Lambda memory and time.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Wait before the retry when the provider did not say how long.
pub(crate) const DEFAULT_RETRY_WAIT: Duration = Duration::from_millis(250);

/// Longest `Retry-After` we honour: the visitor is waiting on the form.
pub(crate) const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);

/// The assistant's text pulled out of a provider's success body.
pub(crate) struct Reply {
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
    reqwest::Client::builder()
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
                let retry = attempts == 1 && failure.error.is_retryable() && fits;
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

    fn known(slug: &str) -> bool {
        matches!(
            slug,
            "printer-offline" | "reset-password" | "a" | "b" | "c" | "d" | "e" | "f"
        )
    }

    fn parse(text: &str) -> Result<Advice, LlmError> {
        parse_advice(text, &known)
    }

    #[test]
    fn bare_object_parses() {
        let advice =
            parse(r#"{"advice":" Restart it. ","verdict":"diy","cited":["printer-offline"]}"#)
                .unwrap();
        assert_eq!(advice.markdown, "Restart it.");
        assert_eq!(advice.verdict, Verdict::Diy);
        assert_eq!(advice.cited, ["printer-offline"]);
        assert_eq!(advice.source, AdviceSource::Ai);
    }

    #[test]
    fn fenced_object_parses() {
        let text = "```json\n{\"advice\": \"Check the cable.\", \"verdict\": \"careful\"}\n```";
        let advice = parse(text).unwrap();
        assert_eq!(advice.markdown, "Check the cable.");
        assert_eq!(advice.verdict, Verdict::Careful);
        assert!(advice.cited.is_empty());
    }

    #[test]
    fn prose_around_and_unparseable_braces_before_are_skipped() {
        let text = "Sure! {not json} Here it is: {\"advice\": \"Use {braces} fine.\", \"verdict\": \"diy\"} Hope it helps {";
        let advice = parse(text).unwrap();
        assert_eq!(advice.markdown, "Use {braces} fine.");
    }

    #[test]
    fn nothing_parseable_is_malformed_without_echoing_the_text() {
        for text in [
            "",
            "   ",
            "I cannot help with that secret-ish text",
            "{\"advice\": \"unterminated",
        ] {
            match parse(text) {
                Err(LlmError::Malformed(reason)) => {
                    assert!(!reason.contains("secret-ish"), "{reason}");
                    assert!(!reason.contains("unterminated"), "{reason}");
                }
                other => panic!("{text:?}: expected Malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn missing_or_invalid_advice_is_off_schema() {
        for text in [
            r#"{"verdict":"diy"}"#,
            r#"{"advice":null,"verdict":"diy"}"#,
            r#"{"advice":42,"verdict":"diy"}"#,
            r#"{"advice":"  \n ","verdict":"diy"}"#,
        ] {
            assert!(matches!(parse(text), Err(LlmError::OffSchema(_))), "{text}");
        }
    }

    #[test]
    fn missing_or_invalid_verdict_is_off_schema_without_echoing_it() {
        for text in [
            r#"{"advice":"x"}"#,
            r#"{"advice":"x","verdict":"maybe-secret"}"#,
            r#"{"advice":"x","verdict":3}"#,
            r#"{"advice":"x","verdict":""}"#,
        ] {
            match parse(text) {
                Err(LlmError::OffSchema(reason)) => assert!(!reason.contains("maybe"), "{reason}"),
                other => panic!("{text}: expected OffSchema, got {other:?}"),
            }
        }
    }

    #[test]
    fn verdict_spellings_are_forgiven() {
        for (raw, expected) in [
            ("diy", Verdict::Diy),
            ("DIY", Verdict::Diy),
            (" Careful ", Verdict::Careful),
            ("bring_us_in", Verdict::BringUsIn),
            ("bring us in", Verdict::BringUsIn),
            ("BRING_US_IN", Verdict::BringUsIn),
            ("Bring-Us-In", Verdict::BringUsIn),
            ("bring  us_-in", Verdict::BringUsIn),
        ] {
            assert_eq!(parse_verdict(raw), Some(expected), "{raw}");
        }
        for raw in ["bringusin", "bring us", "safe", ""] {
            assert_eq!(parse_verdict(raw), None, "{raw}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let advice =
            parse(r#"{"advice":"x","verdict":"diy","confidence":0.9,"extra":{"a":1}}"#).unwrap();
        assert_eq!(advice.verdict, Verdict::Diy);
    }

    #[test]
    fn cited_keeps_known_unique_in_order_at_most_five() {
        let text =
            r#"{"advice":"x","verdict":"diy","cited":["f","unknown","a","f"," b ",7,"c","d","e"]}"#;
        assert_eq!(parse(text).unwrap().cited, ["f", "a", "b", "c", "d"]);
    }

    #[test]
    fn cited_of_the_wrong_type_is_dropped_not_fatal() {
        for cited in ["null", "\"printer-offline\"", "{}", "[]"] {
            let text = format!(r#"{{"advice":"x","verdict":"diy","cited":{cited}}}"#);
            assert!(parse(&text).unwrap().cited.is_empty(), "{cited}");
        }
    }

    #[test]
    fn advice_at_the_limit_is_kept_whole() {
        let advice = "a".repeat(MAX_ADVICE_CHARS);
        assert_eq!(truncate_advice(&advice), advice);
    }

    #[test]
    fn long_advice_is_cut_at_the_last_paragraph_break() {
        let first = "word ".repeat(500); // 2500 chars
        let second = "more ".repeat(300); // pushes past the limit
        let advice = format!("{}\n\n{}", first.trim_end(), second);
        let cut = truncate_advice(&advice);
        assert_eq!(cut, format!("{}…", first.trim_end()));
        assert!(cut.chars().count() <= MAX_ADVICE_CHARS);
    }

    #[test]
    fn long_advice_without_a_late_paragraph_break_is_cut_at_whitespace() {
        let advice = format!("Intro.\n\n{}", "wörd ".repeat(1000));
        let cut = truncate_advice(&advice);
        assert!(cut.ends_with("wörd…"), "{}", &cut[cut.len() - 20..]);
        assert!(cut.chars().count() <= MAX_ADVICE_CHARS);
        assert!(cut.chars().count() > MAX_ADVICE_CHARS - 10);
    }

    #[test]
    fn long_advice_without_whitespace_is_hard_cut() {
        let cut = truncate_advice(&"é".repeat(MAX_ADVICE_CHARS + 10));
        assert_eq!(cut.chars().count(), MAX_ADVICE_CHARS);
        assert!(cut.ends_with("é…"));
    }

    #[test]
    fn parse_applies_truncation() {
        let text =
            serde_json::json!({"advice": "step ".repeat(2000), "verdict": "diy"}).to_string();
        let advice = parse(&text).unwrap();
        assert!(advice.markdown.ends_with('…'));
        assert!(advice.markdown.chars().count() <= MAX_ADVICE_CHARS);
    }

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
