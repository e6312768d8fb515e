//! [`AnthropicAdvisor`]: Anthropic's Messages API (`POST /v1/messages`).
//!
//! Same timeout, retry and logging rules as the OpenAI client (both are an
//! [`HttpAdvisor`]). Anthropic's 529 "overloaded" arrives as
//! [`LlmError::Status`] `{ status: 529 }`, which is retryable like any 5xx.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::json;

use super::http_advisor::{HttpAdvisor, WireFormat};
use super::transport::{self, Reply};
use super::{prompt, AdviceRequest, HttpLlmSettings, LlmError};

/// The API version we speak; pinned so Anthropic cannot change the wire format under us.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Anthropic's Messages wire format.
pub struct Anthropic;

/// Asks Anthropic's Messages API for advice.
pub type AnthropicAdvisor = HttpAdvisor<Anthropic>;

impl WireFormat for Anthropic {
    const PROVIDER: &'static str = "anthropic";
    const PATH: &'static str = "/v1/messages";

    fn headers(api_key: &str) -> Option<HeaderMap> {
        transport::secret_header("", api_key).map(|key| {
            let mut headers = HeaderMap::new();
            headers.insert(HeaderName::from_static("x-api-key"), key);
            headers.insert(
                HeaderName::from_static("anthropic-version"),
                HeaderValue::from_static(ANTHROPIC_VERSION),
            );
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers
        })
    }

    fn body(settings: &HttpLlmSettings, request: &AdviceRequest) -> serde_json::Value {
        json!({
            "model": settings.model,
            "max_tokens": settings.max_tokens,
            "system": prompt::system_prompt(&request.company_name),
            "messages": [{"role": "user", "content": prompt::user_message(request)}],
            "temperature": 0.2,
        })
    }

    fn extract(body: &[u8]) -> Result<Reply, LlmError> {
        extract(body)
    }
}

/// Just the parts of a Messages response we read; unknown fields and block types are ignored.
#[derive(Deserialize)]
struct MessagesResponse {
    #[serde(default)]
    content: Vec<ContentBlock>,
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

/// The `text` of every `"text"` block, concatenated (other blocks, e.g. `thinking`, skipped).
fn extract(body: &[u8]) -> Result<Reply, LlmError> {
    let response: MessagesResponse = serde_json::from_slice(body)
        .map_err(|error| transport::json_error("the response body", &error))?;
    let mut text_blocks = response
        .content
        .into_iter()
        .filter(|block| block.kind == "text")
        .filter_map(|block| block.text)
        .peekable();
    if text_blocks.peek().is_none() {
        return Err(LlmError::Malformed(
            "the response has no text content".into(),
        ));
    }
    Ok(Reply {
        text: text_blocks.collect(),
        stop_reason: response.stop_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_text_blocks_only() {
        let body = br#"{"type":"message","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"{\"a\":"},{"type":"text","text":"1}"}],"stop_reason":"max_tokens"}"#;
        let reply = extract(body).unwrap();
        assert_eq!(reply.text, "{\"a\":1}");
        assert_eq!(reply.stop_reason.as_deref(), Some("max_tokens"));
    }

    #[test]
    fn no_text_is_malformed() {
        for body in [
            &br#"{"type":"message","content":[]}"#[..],
            br#"{"type":"message","content":[{"type":"tool_use","id":"t"}]}"#,
            br#"{"type":"message"}"#,
            b"not json",
        ] {
            assert!(matches!(extract(body), Err(LlmError::Malformed(_))));
        }
    }
}
