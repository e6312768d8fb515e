//! [`OpenAiAdvisor`]: any OpenAI-compatible chat-completions endpoint (OpenAI itself, Azure-style
//! gateways, local servers such as Ollama or vLLM), so the provider can change by configuration.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::json;

use super::http_advisor::{HttpAdvisor, WireFormat};
use super::transport::{self, Reply};
use super::{prompt, AdviceRequest, HttpLlmSettings, LlmError};

/// The OpenAI chat-completions wire format.
pub struct OpenAi;

/// Asks an OpenAI-compatible `/chat/completions` endpoint for advice.
pub type OpenAiAdvisor = HttpAdvisor<OpenAi>;

impl WireFormat for OpenAi {
    const PROVIDER: &'static str = "openai";
    const PATH: &'static str = "/chat/completions";

    fn headers(api_key: &str) -> Option<HeaderMap> {
        transport::secret_header("Bearer ", api_key).map(|auth| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, auth);
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers
        })
    }

    /// Strict structured output: `response_format: json_schema` with `strict: true`, so the
    /// model can only emit one object of the schema. A compatible server that ignores it and
    /// writes prose gets its answer refused by the parser (a model failure), never guessed at.
    fn body(settings: &HttpLlmSettings, request: &AdviceRequest) -> serde_json::Value {
        let marker = prompt::new_marker();
        json!({
            "model": settings.model,
            "messages": [
                {"role": "system", "content": prompt::system_prompt(&request.company_name, &request.company_phone)},
                {"role": "user", "content": prompt::user_message(request, &marker)},
            ],
            "max_tokens": settings.max_tokens,
            "temperature": 0.2,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": prompt::ADVICE_TOOL,
                    "strict": true,
                    "schema": prompt::advice_schema(request),
                },
            },
        })
    }

    fn extract(body: &[u8]) -> Result<Reply, LlmError> {
        extract(body)
    }
}

/// Just the parts of a chat completion we read; everything else is ignored so additions to the
/// API (or a compatible server's extras) do not break us.
#[derive(Deserialize)]
struct ChatCompletion {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
    /// Set instead of `content` when a strict-mode model refuses.
    refusal: Option<String>,
}

/// `choices[0].message.content` of a 2xx body. A `finish_reason` of `"length"` is not an error by
/// itself: if the JSON got cut off the parser reports it, and if it did not, the answer is usable.
fn extract(body: &[u8]) -> Result<Reply, LlmError> {
    let completion: ChatCompletion = serde_json::from_slice(body)
        .map_err(|error| transport::json_error("the response body", &error))?;
    let choice = completion
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| LlmError::Malformed("the response has no choices".into()))?;
    let message = choice
        .message
        .ok_or_else(|| LlmError::Malformed("the first choice has no message".into()))?;
    if message.refusal.is_some_and(|r| !r.trim().is_empty()) {
        return Err(LlmError::Malformed(
            "the model refused (strict mode)".into(),
        ));
    }
    let text = message
        .content
        .ok_or_else(|| LlmError::Malformed("the first choice has no message content".into()))?;
    Ok(Reply {
        text,
        stop_reason: choice.finish_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_first_choice() {
        let body = br#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"length"},{"message":{"content":"no"}}]}"#;
        let reply = extract(body).unwrap();
        assert_eq!(reply.text, "hi");
        assert_eq!(reply.stop_reason.as_deref(), Some("length"));
    }

    #[test]
    fn missing_content_or_choices_is_malformed() {
        for body in [
            &br#"{"choices":[]}"#[..],
            br#"{"choices":[{"message":{"role":"assistant","content":null,"refusal":"no"}}]}"#,
            br#"{"object":"chat.completion"}"#,
            b"<html>bad gateway</html>",
            br#"{"choices":"nope"}"#,
        ] {
            assert!(matches!(extract(body), Err(LlmError::Malformed(_))));
        }
    }
}
