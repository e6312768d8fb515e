//! What a visitor is told when a question is not answered: a status, a stable code, a message
//! in plain words, and the form field it concerns. [`refusal`] is the only place an
//! [`AskError`] becomes any of these; upstream error text never reaches a visitor.

use axum::http::StatusCode;
use serde::Serialize;

use crate::clock::{self, HOUR};
use crate::email::EmailError;
use crate::error::{AskError, FieldProblem, RateLimit, Unreadable};
use crate::form::{COMPANY_MAX_CHARS, QUESTION_MAX_CHARS, QUESTION_MIN_CHARS};
use crate::messages::{self, Lang, Wait, Window};

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

/// The status, messages (in `lang`) and headers for `error`.
pub fn refusal(error: &AskError, lang: Lang) -> Refusal {
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
            messages::not_found(lang),
        ),
        AskError::OriginNotAllowed => one(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            None,
            messages::origin_not_allowed(lang),
        ),
        AskError::NoClientIp => one(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_client_ip",
            None,
            messages::no_client_ip(lang),
        ),
        AskError::BodyTooLarge => one(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Some("question"),
            messages::too_large(lang),
        ),
        AskError::UnsupportedContentType => one(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            None,
            messages::unsupported_content_type(lang),
        ),
        AskError::Unreadable(Unreadable::Json) => one(
            StatusCode::BAD_REQUEST,
            "bad_json",
            None,
            messages::unreadable(lang),
        ),
        AskError::Unreadable(Unreadable::Form | Unreadable::RequestId | Unreadable::Language) => {
            one(
                StatusCode::BAD_REQUEST,
                "bad_form",
                None,
                messages::unreadable(lang),
            )
        }
        AskError::Honeypot => one(
            StatusCode::BAD_REQUEST,
            "rejected",
            None,
            messages::rejected(lang),
        ),
        AskError::UnknownArticle => one(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_article",
            Some("article"),
            messages::unknown_article(lang),
        ),
        AskError::InvalidFields(problems) if problems.is_empty() => one(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            None,
            messages::form_incomplete(lang),
        ),
        AskError::InvalidFields(problems) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: problems
                .iter()
                .map(|&problem| field_error(problem, lang))
                .collect(),
            retry_after: None,
            extra: None,
        },
        AskError::RateLimited(limit) => rate_limited(limit, lang),
        AskError::AlreadyAsked => one(
            StatusCode::CONFLICT,
            "already_asked",
            None,
            messages::already_asked(lang),
        ),
        AskError::Unavailable => Refusal {
            retry_after: Some(30),
            ..one(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                None,
                messages::temporarily_unavailable(lang),
            )
        },
    }
}

fn field_error(problem: FieldProblem, lang: Lang) -> FieldError {
    let (code, message) = match problem {
        FieldProblem::QuestionRequired => (
            "question_required",
            messages::question_required(lang).to_owned(),
        ),
        FieldProblem::QuestionTooShort => (
            "question_too_short",
            messages::question_too_short(lang, QUESTION_MIN_CHARS),
        ),
        FieldProblem::QuestionTooLong { chars } => (
            "question_too_long",
            messages::question_too_long(lang, QUESTION_MAX_CHARS, chars),
        ),
        FieldProblem::Email(EmailError::Empty) => {
            ("email_required", messages::email_required(lang).to_owned())
        }
        FieldProblem::Email(EmailError::Invalid) => {
            ("invalid_email", messages::email_invalid(lang).to_owned())
        }
        FieldProblem::Email(EmailError::TooLong) => {
            ("invalid_email", messages::email_too_long(lang).to_owned())
        }
        FieldProblem::CompanyRequired => (
            "company_required",
            messages::company_required(lang).to_owned(),
        ),
        FieldProblem::CompanyTooLong => (
            "company_too_long",
            messages::company_too_long(lang, COMPANY_MAX_CHARS),
        ),
        FieldProblem::ConsentRequired => (
            "consent_required",
            messages::consent_required(lang).to_owned(),
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
fn rate_limited(limit: &RateLimit, lang: Lang) -> Refusal {
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
        (limits.per_hour, Window::Hour)
    } else {
        (limits.per_day, Window::Day)
    };
    let wait_words = if minutes >= 90 {
        Wait::AboutHours((minutes + 30) / 60)
    } else {
        Wait::Minutes(minutes)
    };
    Refusal {
        status: StatusCode::TOO_MANY_REQUESTS,
        errors: vec![FieldError {
            code: "rate_limited",
            message: messages::rate_limited(lang, count, window, clock_time, wait_words, kept),
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
        let refused = refusal(
            &AskError::InvalidFields(vec![
                FieldProblem::Email(EmailError::Invalid),
                FieldProblem::CompanyRequired,
            ]),
            Lang::En,
        );
        let body = refused.body();
        assert_eq!(
            body["error"],
            serde_json::json!({ "code": "invalid_email", "message": "That email address looks incomplete. Please check it (like name@company.com).", "field": "email" })
        );
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(refused.status, 422);
        assert!(
            refusal(&AskError::Unreadable(Unreadable::Json), Lang::En).body()["error"]
                .get("field")
                .is_none()
        );
        let limited = refusal(
            &AskError::RateLimited(RateLimit {
                retry_at: 60_000,
                wait: 60_000,
                limits: Limits {
                    per_hour: 1,
                    per_day: 1,
                },
                kept: false,
            }),
            Lang::En,
        );
        assert_eq!(limited.body()["retry_at"], "1970-01-01T00:01:00Z");
        assert_eq!(
            limited.headline().message,
            "You have reached the limit of 1 question per hour. You can ask again at 00:01 UTC (in 1 minute). For anything urgent, contact us directly.",
            "singular: not \"1 questions\", not \"1 minutes\""
        );
    }

    #[test]
    fn rate_limit_message_says_when() {
        let now = 1_795_961_109_000; // 2026-11-29T14:05:09Z
        let limits = Limits {
            per_hour: 2,
            per_day: 5,
        };
        let limited_in = |lang, wait, kept| {
            refusal(
                &AskError::RateLimited(RateLimit {
                    retry_at: now + wait,
                    wait,
                    limits,
                    kept,
                }),
                lang,
            )
        };
        let limited = |wait, kept| limited_in(Lang::En, wait, kept);
        let error = limited(23 * MINUTE, false);
        assert_eq!(error.status, 429);
        assert_eq!(error.retry_after, Some(23 * 60));
        assert_eq!(error.headline().message, "You have reached the limit of 2 questions per hour. You can ask again at 14:28 UTC (in 23 minutes). For anything urgent, contact us directly.");
        assert_eq!(error.body()["retry_at"], "2026-11-29T14:28:09Z");
        let daily = limited(10 * HOUR, true);
        assert!(daily.headline().message.starts_with("You have reached the limit of 5 questions per 24 hours. You can ask again at 00:05 UTC (in about 10 hours). We have kept this question"), "{}", daily.headline().message);
        let dutch = limited_in(Lang::Nl, 23 * MINUTE, false);
        assert_eq!(dutch.headline().message, "Je hebt de limiet van 2 vragen per uur bereikt. Je kunt om 14:28 UTC (over 23 minuten) weer een vraag stellen. Is het dringend, neem dan rechtstreeks contact met ons op.");
        assert_eq!(
            (dutch.status, dutch.retry_after, dutch.headline().code),
            (error.status, error.retry_after, "rate_limited"),
            "only the words change"
        );
        assert!(limited_in(Lang::Nl, MINUTE, true)
            .headline()
            .message
            .contains("(over 1 minuut)"));
        assert!(limited_in(Lang::Nl, 10 * HOUR, true).headline().message.starts_with("Je hebt de limiet van 5 vragen per 24 uur bereikt. Je kunt om 00:05 UTC (over ongeveer 10 uur) weer een vraag stellen. We hebben deze vraag bewaard"));
    }

    #[test]
    fn every_field_error_is_worded_in_dutch_for_a_dutch_page() {
        let problems = vec![
            FieldProblem::QuestionTooShort,
            FieldProblem::Email(EmailError::Invalid),
            FieldProblem::CompanyRequired,
            FieldProblem::ConsentRequired,
        ];
        let english = refusal(&AskError::InvalidFields(problems.clone()), Lang::En);
        let dutch = refusal(&AskError::InvalidFields(problems), Lang::Nl);
        let messages: Vec<&str> = dutch.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Beschrijf je situatie iets uitgebreider (minstens 10 tekens).",
                "Dat e-mailadres lijkt niet compleet. Controleer het (zoals naam@bedrijf.nl).",
                "Vul in bij welk bedrijf je werkt.",
                "Ga akkoord met de privacyverklaring, zodat we je gegevens mogen gebruiken om je te antwoorden.",
            ]
        );
        let codes = |r: &Refusal| {
            r.errors
                .iter()
                .map(|e| (e.code, e.field))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&english),
            codes(&dutch),
            "codes and fields do not depend on the language"
        );
        assert_eq!(
            refusal(&AskError::Unavailable, Lang::Nl).headline().message,
            "We kunnen even geen vragen aannemen. Je tekst staat nog in het formulier: probeer het over een minuut opnieuw."
        );
        assert_eq!(
            refusal(&AskError::BodyTooLarge, Lang::Nl)
                .headline()
                .message,
            "Je bericht is te lang om te versturen. Kort het in tot de belangrijkste details."
        );
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
            assert!(
                refusal(&error, Lang::En).status.is_client_error(),
                "{error:?}"
            );
        }
        let down = refusal(&AskError::Unavailable, Lang::En);
        assert_eq!(
            (down.status, down.retry_after),
            (StatusCode::SERVICE_UNAVAILABLE, Some(30))
        );
    }
}
