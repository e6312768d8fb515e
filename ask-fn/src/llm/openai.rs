//! [`OpenAiAdvisor`]: any OpenAI-compatible chat-completions endpoint (OpenAI itself, Azure-style
//! gateways, local servers such as Ollama or vLLM), so the provider can change by configuration.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::json;

use super::transport::{self, HttpCall, Reply};
use super::{prompt, Advice, AdviceRequest, Advisor, HttpLlmSettings, LlmError};

/// Asks an OpenAI-compatible `/chat/completions` endpoint for advice.
///
/// Holds one [`reqwest::Client`] for its whole life so warm Lambda invocations reuse the
/// connection (and its TLS handshake) instead of paying for a new one per question.
pub struct OpenAiAdvisor {
    settings: HttpLlmSettings,
    client: reqwest::Client,
    /// `None` if the key cannot be sent as a header; every call then fails without a request.
    headers: Option<HeaderMap>,
    known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
}

impl OpenAiAdvisor {
    /// `known_slugs` says which slugs the answer may cite (our bundle's articles); anything else
    /// the model cites is dropped.
    pub fn new(
        settings: HttpLlmSettings,
        known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> Result<Self, reqwest::Error> {
        let client = transport::build_client(&settings)?;
        let headers = transport::secret_header("Bearer ", settings.api_key.expose()).map(|auth| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, auth);
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

    /// The request body. `response_format: json_object` makes compatible servers emit JSON
    /// only; the parser still tolerates prose for servers that ignore it.
    fn body(&self, request: &AdviceRequest) -> serde_json::Value {
        json!({
            "model": self.settings.model,
            "messages": [
                {"role": "system", "content": prompt::system_prompt(&request.company_name)},
                {"role": "user", "content": prompt::user_message(request)},
            ],
            "max_tokens": self.settings.max_tokens,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
        })
    }
}

impl std::fmt::Debug for OpenAiAdvisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiAdvisor")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Advisor for OpenAiAdvisor {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError> {
        let headers = self
            .headers
            .as_ref()
            .ok_or_else(transport::unusable_key_error)?;
        transport::call_with_retry(HttpCall {
            provider: "openai",
            client: &self.client,
            settings: &self.settings,
            url: format!(
                "{}/chat/completions",
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
    let text = choice
        .message
        .and_then(|message| message.content)
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
