//! What a visitor is told when a question is not answered: a status, a stable code, a message
//! in plain words, and the form field it concerns. [`refusal`] is the only place an
//! [`AskError`] becomes any of these; upstream error text never reaches a visitor.

use axum::http::StatusCode;
use serde::Serialize;

use crate::clock::{self, HOUR};
use crate::email::EmailError;
use crate::error::{AskError, FieldProblem, RateLimit, Unreadable};
use crate::form::{COMPANY_MAX_CHARS, QUESTION_MAX_CHARS, QUESTION_MIN_CHARS};

/// One problem with a request, as the JSON error body `{code, message, field}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// A refused request as the visitor sees it. `errors` holds every problem, never none; the
/// first is the headline, so the form can show one message and still mark every field at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub errors: Vec<FieldError>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    /// Extra JSON fields for the body (when the next question is possible).
    pub extra: Option<serde_json::Value>,
}

const UNREADABLE: &str = "The form data could not be read. Please reload the page and try again.";

/// The status, messages and headers for `error`.
pub fn refusal(error: &AskError) -> Refusal {
    let one =
        |status: StatusCode, code: &'static str, field: Option<&'static str>, message: &str| {
            Refusal {
                status,
                errors: vec![FieldError {
                    code,
                    message: message.to_owned(),
                    field,
                }],
                retry_after: None,
                extra: None,
            }
        };
    match error {
        AskError::NotFound => one(
            StatusCode::NOT_FOUND,
            "not_found",
            None,
            "There is nothing here. Questions are sent to /ask.",
        ),
        AskError::OriginNotAllowed => one(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            None,
            "Questions can only be sent from our help site.",
        ),
        AskError::NoClientIp => one(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_client_ip",
            None,
            "We cannot take questions right now. Please try again later, or contact us directly.",
        ),
        AskError::BodyTooLarge => one(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Some("question"),
            "Your message is too long to send. Please shorten it to the most important details.",
        ),
        AskError::UnsupportedContentType => one(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            None,
            "The form was sent in a format we do not accept. Please reload the page and try again.",
        ),
        AskError::Unreadable(Unreadable::Json) => {
            one(StatusCode::BAD_REQUEST, "bad_json", None, UNREADABLE)
        }
        AskError::Unreadable(Unreadable::Form | Unreadable::RequestId) => {
            one(StatusCode::BAD_REQUEST, "bad_form", None, UNREADABLE)
        }
        AskError::Honeypot => one(
            StatusCode::BAD_REQUEST,
            "rejected",
            None,
            "Your question could not be sent. If you are a person, please email us instead.",
        ),
        AskError::UnknownArticle => one(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_article",
            Some("article"),
            "This page is no longer in our knowledge base. Please reload the page and ask again.",
        ),
        AskError::InvalidFields(problems) if problems.is_empty() => one(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            None,
            "The form is incomplete.",
        ),
        AskError::InvalidFields(problems) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: problems.iter().map(|&problem| field_error(problem)).collect(),
            retry_after: None,
            extra: None,
        },
        AskError::RateLimited(limit) => rate_limited(limit),
        AskError::AlreadyAsked => one(
            StatusCode::CONFLICT,
            "already_asked",
            None,
            "We already received this question. Please reload the page to ask another.",
        ),
        AskError::Unavailable => Refusal {
            retry_after: Some(30),
            ..one(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                None,
                "We cannot take questions for a moment. Your text is still in the form: please try again in a minute.",
            )
        },
    }
}

fn field_error(problem: FieldProblem) -> FieldError {
    let (code, message) = match problem {
        FieldProblem::QuestionRequired => {
            ("question_required", "Please describe your situation.".to_owned())
        }
        FieldProblem::QuestionTooShort => ("question_too_short", format!("Please describe your situation in a bit more detail (at least {QUESTION_MIN_CHARS} characters).")),
        FieldProblem::QuestionTooLong { chars } => ("question_too_long", format!("Please keep it under {QUESTION_MAX_CHARS} characters (you wrote {chars}). The most important details are enough.")),
        FieldProblem::Email(EmailError::Empty) => {
            ("email_required", "Please enter your email address.".to_owned())
        }
        FieldProblem::Email(EmailError::Invalid) => (
            "invalid_email",
            "That email address looks incomplete. Please check it (like name@company.com).".to_owned(),
        ),
        FieldProblem::Email(EmailError::TooLong) => {
            ("invalid_email", "That email address is too long.".to_owned())
        }
        FieldProblem::CompanyRequired => (
            "company_required",
            "Please tell us which company you work for.".to_owned(),
        ),
        FieldProblem::CompanyTooLong => (
            "company_too_long",
            format!("Please keep the company name under {COMPANY_MAX_CHARS} characters."),
        ),
        FieldProblem::ConsentRequired => (
            "consent_required",
            "Please agree to the privacy statement, so we may use your details to answer you."
                .to_owned(),
        ),
    };
    FieldError {
        code,
        message,
        field: Some(problem.field()),
    }
}

/// The 429: when the visitor can ask again, in their words and as data; `kept`: the question was
/// stored as a `rate_limited` lead, which the visitor is told (a person will reply), without
/// promising an answer.
fn rate_limited(limit: &RateLimit) -> Refusal {
    let RateLimit {
        retry_at,
        wait,
        limits,
        kept,
    } = *limit;
    let wait_seconds = (wait.max(0) + 999) / 1_000;
    let minutes = (wait_seconds + 59) / 60;
    let when = clock::rfc3339(retry_at);
    let clock_time = &when[11..16];
    let (count, window) = if wait <= HOUR {
        (limits.per_hour, "hour")
    } else {
        (limits.per_day, "24 hours")
    };
    let wait_words = if minutes >= 90 {
        format!("about {} hours", (minutes + 30) / 60)
    } else {
        format!("{minutes} minutes")
    };
    let next = if kept {
        "We have kept this question and someone will reply by email."
    } else {
        "For anything urgent, contact us directly."
    };
    Refusal {
        status: StatusCode::TOO_MANY_REQUESTS,
        errors: vec![FieldError {
            code: "rate_limited",
            message: format!("You have reached the limit of {count} questions per {window}. You can ask again at {clock_time} UTC (in {wait_words}). {next}"),
            field: None,
        }],
        retry_after: Some(wait_seconds as u64),
        extra: Some(
            serde_json::json!({ "retry_at": when, "retry_after_seconds": wait_seconds, "kept": kept }),
        ),
    }
}

impl Refusal {
    /// The headline problem.
    pub fn headline(&self) -> &FieldError {
        &self.errors[0]
    }

    /// The JSON body: `{"error": {code, message, field}, "errors": [...], ...extra}`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "error": self.headline(),
            "errors": self.errors,
        });
        if let (Some(serde_json::Value::Object(extra)), Some(object)) =
            (self.extra.as_ref(), body.as_object_mut())
        {
            for (key, value) in extra {
                object.insert(key.clone(), value.clone());
            }
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MINUTE;
    use crate::quota::Limits;

    #[test]
    fn body_has_the_headline_all_errors_and_extras() {
        let refused = refusal(&AskError::InvalidFields(vec![
            FieldProblem::Email(EmailError::Invalid),
            FieldProblem::CompanyRequired,
        ]));
        let body = refused.body();
        assert_eq!(
            body["error"],
            serde_json::json!({ "code": "invalid_email", "message": "That email address looks incomplete. Please check it (like name@company.com).", "field": "email" })
        );
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(refused.status, 422);
        assert!(
            refusal(&AskError::Unreadable(Unreadable::Json)).body()["error"]
                .get("field")
                .is_none()
        );
        let limited = refusal(&AskError::RateLimited(RateLimit {
            retry_at: 60_000,
            wait: 60_000,
            limits: Limits {
                per_hour: 1,
                per_day: 1,
            },
            kept: false,
        }));
        assert_eq!(limited.body()["retry_at"], "1970-01-01T00:01:00Z");
    }

    #[test]
    fn rate_limit_message_says_when() {
        let now = 1_795_961_109_000; // 2026-11-29T14:05:09Z
        let limits = Limits {
            per_hour: 2,
            per_day: 5,
        };
        let limited = |wait, kept| {
            refusal(&AskError::RateLimited(RateLimit {
                retry_at: now + wait,
                wait,
                limits,
                kept,
            }))
        };
        let error = limited(23 * MINUTE, false);
        assert_eq!(error.status, 429);
        assert_eq!(error.retry_after, Some(23 * 60));
        assert_eq!(error.headline().message, "You have reached the limit of 2 questions per hour. You can ask again at 14:28 UTC (in 23 minutes). For anything urgent, contact us directly.");
        assert_eq!(error.body()["retry_at"], "2026-11-29T14:28:09Z");
        let daily = limited(10 * HOUR, true);
        assert!(daily.headline().message.starts_with("You have reached the limit of 5 questions per 24 hours. You can ask again at 00:05 UTC (in about 10 hours). We have kept this question"), "{}", daily.headline().message);
    }

    #[test]
    fn what_the_form_refuses_is_a_4xx_and_the_store_being_down_a_503_with_retry_after() {
        for error in [
            AskError::BodyTooLarge,
            AskError::UnsupportedContentType,
            AskError::Unreadable(Unreadable::Form),
            AskError::Unreadable(Unreadable::RequestId),
            AskError::Honeypot,
            AskError::UnknownArticle,
            AskError::InvalidFields(vec![FieldProblem::QuestionTooLong { chars: 2_001 }]),
        ] {
            assert!(refusal(&error).status.is_client_error(), "{error:?}");
        }
        let down = refusal(&AskError::Unavailable);
        assert_eq!(
            (down.status, down.retry_after),
            (StatusCode::SERVICE_UNAVAILABLE, Some(30))
        );
    }
}
