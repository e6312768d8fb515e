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

    /// A forced tool call: the one tool's `input_schema` is the advice schema and
    /// `tool_choice` names it, so the answer arrives as the tool's `input` object.
    fn body(settings: &HttpLlmSettings, request: &AdviceRequest) -> serde_json::Value {
        let marker = prompt::new_marker();
        json!({
            "model": settings.model,
            "max_tokens": settings.max_tokens,
            "system": prompt::system_prompt(&request.company_name, &request.company_phone),
            "messages": [{"role": "user", "content": prompt::user_message(request, &marker)}],
            "temperature": 0.2,
            "tools": [{
                "name": prompt::ADVICE_TOOL,
                "description": "Give the visitor next-step advice, a verdict and the cited article slugs.",
                "input_schema": prompt::advice_schema(request),
            }],
            "tool_choice": {"type": "tool", "name": prompt::ADVICE_TOOL},
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
    name: Option<String>,
    input: Option<serde_json::Value>,
}

/// The `input` of the one `tool_use` block calling our tool, as JSON text for the parser.
/// None, or more than one, is malformed: we never pick among several answers. Text blocks
/// (the model thinking aloud) are ignored.
fn extract(body: &[u8]) -> Result<Reply, LlmError> {
    let response: MessagesResponse = serde_json::from_slice(body)
        .map_err(|error| transport::json_error("the response body", &error))?;
    let mut calls = response
        .content
        .into_iter()
        .filter(|block| block.kind == "tool_use");
    let call = calls
        .next()
        .ok_or_else(|| LlmError::Malformed("the response has no tool call".into()))?;
    if calls.next().is_some() {
        return Err(LlmError::Malformed(
            "the response has more than one tool call".into(),
        ));
    }
    if call.name.as_deref() != Some(prompt::ADVICE_TOOL) {
        return Err(LlmError::Malformed(
            "the tool call names another tool".into(),
        ));
    }
    let input = call
        .input
        .ok_or_else(|| LlmError::Malformed("the tool call has no input".into()))?;
    Ok(Reply {
        text: input.to_string(),
        stop_reason: response.stop_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_one_tool_call() {
        let body = br#"{"type":"message","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"t","name":"give_advice","input":{"advice":"x","verdict":"diy","cited":[]}}],"stop_reason":"tool_use"}"#;
        let reply = extract(body).unwrap();
        let input: serde_json::Value = serde_json::from_str(&reply.text).unwrap();
        assert_eq!(input["verdict"], "diy");
        assert_eq!(reply.stop_reason.as_deref(), Some("tool_use"));
    }

    #[test]
    fn no_single_call_of_our_tool_is_malformed() {
        for body in [
            &br#"{"type":"message","content":[]}"#[..],
            br#"{"type":"message","content":[{"type":"text","text":"{\"advice\":\"x\",\"verdict\":\"diy\",\"cited\":[]}"}]}"#,
            br#"{"type":"message","content":[{"type":"tool_use","name":"give_advice","input":{}},{"type":"tool_use","name":"give_advice","input":{}}]}"#,
            br#"{"type":"message","content":[{"type":"tool_use","name":"other","input":{}}]}"#,
            br#"{"type":"message","content":[{"type":"tool_use","name":"give_advice"}]}"#,
            br#"{"type":"message"}"#,
            b"not json",
        ] {
            assert!(matches!(extract(body), Err(LlmError::Malformed(_))));
        }
    }
}
