//! Getting advice for a question: the [`Advisor`] port and its three implementations.
//!
//! - [`openai::OpenAiAdvisor`]: any OpenAI-compatible chat-completions endpoint.
//! - [`anthropic::AnthropicAdvisor`]: Anthropic's Messages API.
//! - [`retrieval::RetrievalAdvisor`]: no LLM at all; ranks our own articles against the question
//!   (BM25, [`kb_model::retrieval`]) and returns the best matching steps, labelled as not
//!   AI-generated. The local default.
//!
//! Every implementation returns the same validated [`Advice`]; the handler never sees a
//! provider's wire format.

pub mod anthropic;
pub mod http_advisor;
pub mod openai;
pub mod parse;
pub mod prompt;
pub mod retrieval;
pub mod retry_budget;
mod transport;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How safe it is for the visitor to act on the advice themselves: the riskiest action the
/// advice asks them to take (see `policy`). Ordered from least to most cautious, so the
/// stricter of two verdicts is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Safe to try yourself.
    Diy,
    /// Can be done yourself, with care.
    Careful,
    /// Too risky to do yourself: the company should take over.
    BringUsIn,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Diy => "diy",
            Verdict::Careful => "careful",
            Verdict::BringUsIn => "bring_us_in",
        }
    }

    /// The words a visitor sees on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Diy => "Safe to try yourself",
            Verdict::Careful => "Be careful",
            Verdict::BringUsIn => "Bring us in",
        }
    }
}

/// Where the advice came from; shown to the visitor, so nobody mistakes a search result for AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceSource {
    Ai,
    KnowledgeBase,
}

/// An article as the advisor is given it: looked up server-side in the bundle, never taken from
/// the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleContext {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub risk: kb_model::Risk,
    pub steps: Vec<String>,
    pub escalation: String,
}

impl From<&kb_model::BundleArticle> for ArticleContext {
    fn from(article: &kb_model::BundleArticle) -> Self {
        Self {
            slug: article.slug.clone(),
            title: article.title.clone(),
            url: article.url.clone(),
            risk: article.risk,
            steps: article.steps.clone(),
            escalation: article.escalation.clone(),
        }
    }
}

/// Everything an advisor needs for one question.
#[derive(Debug, Clone)]
pub struct AdviceRequest {
    /// The article the visitor was reading, if any (none: the general form on the home page).
    pub article: Option<ArticleContext>,
    /// The visitor's question, secrets already scrubbed.
    pub question: String,
    /// The language to answer in (see `language::choose`); `article` is in the page's.
    pub language: kb_model::Language,
    /// Slugs and titles of every article the advisor may cite, so it can point to them.
    pub catalogue: Vec<(String, String)>,
    pub company_name: String,
    /// From the bundle (`site.toml`); incident answers open with it.
    pub company_phone: String,
    /// The server saw an incident signal: the answer must open with the phone number.
    pub phone_first: bool,
    /// What a retry of a paid call is counted against (the daily cap); `None`: retries are
    /// not counted.
    pub retry_permit: Option<retry_budget::RetryPermit>,
}

/// Validated advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// Markdown; rendered to safe HTML by `answer_html` before it reaches the visitor.
    pub markdown: String,
    pub verdict: Verdict,
    /// Slugs of our articles the advice relied on; unknown slugs already dropped.
    pub cited: Vec<String>,
    pub source: AdviceSource,
}

/// Why no advice came back. None of these reach the visitor as text; they get an honest,
/// generic message and the lead is flagged for follow-up.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the LLM did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the LLM could not be reached: {0}")]
    Connect(String),
    #[error("the LLM is rate-limiting us (HTTP 429)")]
    RateLimited,
    #[error("the LLM failed with HTTP {status}")]
    Status { status: u16 },
    #[error("the LLM's response was not the expected JSON: {0}")]
    Malformed(String),
    #[error("the LLM's answer did not follow the schema: {0}")]
    OffSchema(String),
}

impl LlmError {
    /// Worth one more try (if time allows): overload and server errors, not our mistakes.
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::RateLimited | LlmError::Connect(_) => true,
            LlmError::Status { status } => *status >= 500,
            _ => false,
        }
    }

    /// Short stable name for logs and the lead record.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Timeout(_) => "timeout",
            LlmError::Connect(_) => "connect",
            LlmError::RateLimited => "rate_limited",
            LlmError::Status { .. } => "status",
            LlmError::Malformed(_) => "malformed",
            LlmError::OffSchema(_) => "off_schema",
        }
    }
}

/// The port: one question in, validated advice out.
#[async_trait::async_trait]
pub trait Advisor: Send + Sync {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError>;
    /// Whether calls cost money and count against the global daily cap.
    fn is_llm(&self) -> bool;
}

/// Settings shared by both HTTP providers.
#[derive(Debug, Clone)]
pub struct HttpLlmSettings {
    /// e.g. `https://api.openai.com/v1` or `https://api.anthropic.com`; no trailing slash.
    pub base_url: String,
    pub model: String,
    /// From the environment; never logged (see the `Debug` of [`ApiKey`]).
    pub api_key: ApiKey,
    pub max_tokens: u32,
    pub connect_timeout: Duration,
    /// Per attempt.
    pub request_timeout: Duration,
    /// For all attempts together; a retry is only made if a whole attempt still fits.
    pub total_budget: Duration,
}

/// An API key that cannot be printed by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}
