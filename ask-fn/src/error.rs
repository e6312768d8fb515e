//! Why a question was not answered, as the request path's stages decide it: the edge checks,
//! the form, the allowance, the store. Each stage says *what* went wrong; what a visitor is told
//! (status, code, message, Retry-After) is chosen in one place, `http::refusal`, so a stage can
//! never pick a status and two stages can never word the same problem differently.

use crate::clock::Millis;
use crate::email::EmailError;
use crate::quota::Limits;

/// A request that gets no answer. The `Display` text is for logs (no visitor data in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskError {
    /// No route for this method and path.
    #[error("no such route")]
    NotFound,
    /// A browser on another site sent it.
    #[error("origin not allowed")]
    OriginNotAllowed,
    /// A Lambda event without a usable source IP: serving it would switch the IP limit off.
    #[error("no client IP in the Lambda event")]
    NoClientIp,
    /// The body is over the configured size.
    #[error("body too large")]
    BodyTooLarge,
    /// A `Content-Type` that is neither JSON nor a url-encoded form.
    #[error("unsupported content type")]
    UnsupportedContentType,
    /// The body could not be read as the form it claims to be.
    #[error("unreadable body ({0:?})")]
    Unreadable(Unreadable),
    /// The honeypot field was filled in.
    #[error("honeypot filled in")]
    Honeypot,
    /// The question is about an article that is not (or no longer) published.
    #[error("unknown article")]
    UnknownArticle,
    /// Fields to fix, every one at once; never empty, the first is the headline.
    #[error("invalid fields {0:?}")]
    InvalidFields(Vec<FieldProblem>),
    /// The visitor's allowance (or an address or network guard) is used up.
    #[error("rate limited (kept: {})", .0.kept)]
    RateLimited(RateLimit),
    /// A retried question whose lead was erased in between: nothing to replay.
    #[error("already asked, lead gone")]
    AlreadyAsked,
    /// The store could not be reached; nothing was asked of the LLM.
    #[error("store unavailable")]
    Unavailable,
}

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON, or not a JSON object of strings and flags.
    Json,
    /// Not a url-encoded form.
    Form,
    /// A `request_id` our page script never sends.
    RequestId,
    /// A `lang` that is no language code (our pages send their own, like `nl`).
    Language,
}

/// One field the visitor has to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    QuestionRequired,
    QuestionTooShort,
    /// Over the limit; `chars` is what they wrote.
    QuestionTooLong {
        chars: usize,
    },
    Email(EmailError),
    CompanyRequired,
    CompanyTooLong,
    ConsentRequired,
}

impl FieldProblem {
    /// The form field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            FieldProblem::QuestionRequired
            | FieldProblem::QuestionTooShort
            | FieldProblem::QuestionTooLong { .. } => "question",
            FieldProblem::Email(_) => "email",
            FieldProblem::CompanyRequired | FieldProblem::CompanyTooLong => "company",
            FieldProblem::ConsentRequired => "consent",
        }
    }
}

/// A refused question: when it can be asked again, which allowance refused it, and whether it
/// was kept as a `rate_limited` lead (a person will reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub retry_at: Millis,
    /// From now to `retry_at`.
    pub wait: Millis,
    pub limits: Limits,
    pub kept: bool,
}
