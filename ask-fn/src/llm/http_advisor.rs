//! [`HttpAdvisor`]: an [`Advisor`] over an LLM's HTTP API. What differs between providers
//! (where to post, how to authenticate, the request body, where the answer is in the reply) is a
//! [`WireFormat`]; everything else — one client for the process, timeouts, the single retry,
//! parsing and validating the answer, logging — is shared, so providers cannot drift apart.

use std::marker::PhantomData;
use std::sync::Arc;

use reqwest::header::HeaderMap;

use super::transport::{self, HttpCall, Reply};
use super::{Advice, AdviceRequest, Advisor, HttpLlmSettings, LlmError};

/// One provider's wire format.
pub trait WireFormat: Send + Sync + 'static {
    /// For logs and `Debug`.
    const PROVIDER: &'static str;
    /// Appended to the configured base URL.
    const PATH: &'static str;
    /// Authentication and protocol headers for `api_key`; `None` if the key cannot be sent as a
    /// header (then every call fails without a request).
    fn headers(api_key: &str) -> Option<HeaderMap>;
    fn body(settings: &HttpLlmSettings, request: &AdviceRequest) -> serde_json::Value;
    /// The assistant's text from a 2xx body.
    fn extract(body: &[u8]) -> Result<Reply, LlmError>;
}

/// Asks one provider for advice.
///
/// Holds one [`reqwest::Client`] for its whole life so warm Lambda invocations reuse the
/// connection (and its TLS handshake) instead of paying for a new one per question.
pub struct HttpAdvisor<W: WireFormat> {
    settings: HttpLlmSettings,
    client: reqwest::Client,
    headers: Option<HeaderMap>,
    known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    wire: PhantomData<W>,
}

impl<W: WireFormat> HttpAdvisor<W> {
    /// `known_slugs` says which slugs the answer may cite (our bundle's articles); anything else
    /// the model cites is dropped.
    pub fn new(
        settings: HttpLlmSettings,
        known_slugs: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> Result<Self, reqwest::Error> {
        let client = transport::build_client(&settings)?;
        let headers = W::headers(settings.api_key.expose());
        Ok(Self {
            settings,
            client,
            headers,
            known_slugs,
            wire: PhantomData,
        })
    }
}

impl<W: WireFormat> std::fmt::Debug for HttpAdvisor<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpAdvisor")
            .field("provider", &W::PROVIDER)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<W: WireFormat> Advisor for HttpAdvisor<W> {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError> {
        let headers = self
            .headers
            .as_ref()
            .ok_or_else(transport::unusable_key_error)?;
        transport::call_with_retry(HttpCall {
            provider: W::PROVIDER,
            client: &self.client,
            settings: &self.settings,
            url: format!(
                "{}{}",
                self.settings.base_url.trim_end_matches('/'),
                W::PATH
            ),
            headers,
            body: W::body(&self.settings, request).to_string().into_bytes(),
            extract: W::extract,
            known_slugs: &*self.known_slugs,
            retry_permit: request.retry_permit.as_ref(),
        })
        .await
    }

    fn is_llm(&self) -> bool {
        true
    }
}
