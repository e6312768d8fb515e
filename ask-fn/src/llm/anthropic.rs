//! [`AnthropicAdvisor`]: Anthropic's Messages API (`POST /v1/messages`).
//!
//! Same timeout, retry and logging rules as the OpenAI client (shared in
//! [`transport::call_with_retry`]). Anthropic's 529 "overloaded" arrives as
//! [`LlmError::Status`] `{ status: 529 }`, which is retryable like any 5xx.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::json;

use super::transport::{self, HttpCall, Reply};
use super::{prompt, Advice, AdviceRequest, Advisor, HttpLlmSettings, LlmError};

/// The API version we speak; pinned so Anthropic cannot change the wire format under us.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Asks Anthropic's Messages API for advice.
///
/// Holds one [`reqwest::Client`] for its whole life so warm Lambda invocations reuse the
/// connection instead of paying for a new TLS handshake per question.
pub struct AnthropicAdvisor {
    settings: HttpLlmSettings,
    client: reqwest::Client,
    /// `None` if the key cannot be sent as a header; every call then fails without a request.
    headers: Option<HeaderMap>,
    known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
}

impl AnthropicAdvisor {
    /// `known_slugs` says which slugs the answer may cite (our bundle's articles); anything else
    /// the model cites is dropped.
    pub fn new(
        settings: HttpLlmSettings,
        known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> Result<Self, reqwest::Error> {
        let client = transport::build_client(&settings)?;
        let headers = transport::secret_header("", settings.api_key.expose()).map(|key| {
            let mut headers = HeaderMap::new();
            headers.insert(HeaderName::from_static("x-api-key"), key);
            headers.insert(
                HeaderName::from_static("anthropic-version"),
                HeaderValue::from_static(ANTHROPIC_VERSION),
            );
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers
        });
        Ok(Self {
            settings,
            client,
            headers,
            known_slugs,
        })
    }

    fn body(&self, request: &AdviceRequest) -> serde_json::Value {
        json!({
            "model": self.settings.model,
            "max_tokens": self.settings.max_tokens,
            "system": prompt::system_prompt(&request.company_name),
            "messages": [{"role": "user", "content": prompt::user_message(request)}],
            "temperature": 0.2,
        })
    }
}

impl std::fmt::Debug for AnthropicAdvisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicAdvisor")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Advisor for AnthropicAdvisor {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError> {
        let headers = self
            .headers
            .as_ref()
            .ok_or_else(transport::unusable_key_error)?;
        transport::call_with_retry(HttpCall {
            provider: "anthropic",
            client: &self.client,
            settings: &self.settings,
            url: format!(
                "{}/v1/messages",
                self.settings.base_url.trim_end_matches('/')
            ),
            headers,
            body: self.body(request).to_string().into_bytes(),
            extract,
            known_slugs: &*self.known_slugs,
        })
        .await
    }

    fn is_llm(&self) -> bool {
        true
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
