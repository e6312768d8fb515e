//! What a visitor is told when a question is not accepted: a status, a stable code, a message
//! in plain words, and the form field it concerns. Upstream error text never reaches them.

use serde::Serialize;

/// One problem with a request, as the JSON error body `{code, message, field}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// A refused request. `errors` holds every problem, never none; the first is the headline, so
/// the form can show one message and still mark every field at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<FieldError>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    /// Extra JSON fields for the body (e.g. when the next question is possible). Boxed: errors
    /// travel through every `Result` of the request path and should stay small.
    pub extra: Option<Box<serde_json::Value>>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![FieldError {
                code,
                message: message.into(),
                field: None,
            }],
            retry_after: None,
            extra: None,
        }
    }

    pub fn field(
        status: u16,
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            errors: vec![FieldError {
                code,
                message: message.into(),
                field: Some(field),
            }],
            retry_after: None,
            extra: None,
        }
    }

    /// Several field errors; the first is the headline.
    pub fn fields(mut errors: Vec<FieldError>) -> Self {
        if errors.is_empty() {
            errors.push(FieldError {
                code: "invalid",
                message: "The form is incomplete.".into(),
                field: None,
            });
        }
        Self {
            status: 422,
            errors,
            retry_after: None,
            extra: None,
        }
    }

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
            (self.extra.as_deref(), body.as_object_mut())
        {
            for (key, value) in extra {
                object.insert(key.clone(), value.clone());
            }
        }
        body
    }

    pub fn store_unavailable() -> Self {
        let mut error = Self::new(
            503,
            "temporarily_unavailable",
            "We cannot take questions for a moment. Your text is still in the form: please try again in a minute.",
        );
        error.retry_after = Some(30);
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_headline_all_errors_and_extras() {
        let mut error = ApiError::fields(vec![
            FieldError {
                code: "invalid_email",
                message: "Check the email.".into(),
                field: Some("email"),
            },
            FieldError {
                code: "company_required",
                message: "Company?".into(),
                field: Some("company"),
            },
        ]);
        error.extra = Some(Box::new(serde_json::json!({ "retry_at": "x" })));
        let body = error.body();
        assert_eq!(
            body["error"],
            serde_json::json!({ "code": "invalid_email", "message": "Check the email.", "field": "email" })
        );
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["retry_at"], "x");
        assert_eq!(error.status, 422);
        assert!(ApiError::new(400, "bad_json", "x").body()["error"]
            .get("field")
            .is_none());
    }
}
