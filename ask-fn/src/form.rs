//! Parsing and validating the question form, whichever way it arrives: JSON from the page's
//! script, or `application/x-www-form-urlencoded` from the plain HTML form when JavaScript is off.
//!
//! Pure: bytes and an encoding in, a [`Question`] (every field valid) or an [`AskError`] saying
//! what is wrong (the HTTP edge words it for the visitor). Never panics, whatever the bytes.

use kb_model::Language;
use serde::Deserialize;

use crate::email::Email;
use crate::error::{AskError, FieldProblem, Unreadable};
use crate::plain_text;

pub const QUESTION_MIN_CHARS: usize = 10;
pub const QUESTION_MAX_CHARS: usize = 2_000;
pub const COMPANY_MAX_CHARS: usize = 200;
/// The honeypot field's name: no autofill vocabulary (WHATWG `autocomplete` tokens, the
/// words browsers' heuristics look for: name, email, url, website, company, phone, address…)
/// contains it. The theme's form and `page.rs` use it, with `autocomplete="off"`.
pub const HONEYPOT_FIELD: &str = "confirm_ref";

/// How the form was sent, which decides how we answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    UrlEncoded,
}

/// The form's fields as sent. Everything optional and stringly, so that a missing or mistyped
/// field becomes a clear message rather than a deserialisation error. Fields we do not know
/// (e.g. step text a modified page might send) are ignored: steps come from the bundle.
#[derive(Debug, Default, Deserialize)]
struct RawForm {
    #[serde(default)]
    article: Option<String>,
    #[serde(default)]
    content_hash: Option<String>,
    #[serde(default)]
    question: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    consent: Option<Flag>,
    /// Honeypot: hidden from people, filled in by bots. Its name ([`HONEYPOT_FIELD`]) is one
    /// no browser autofills: the old `website` was filled in by some password managers and
    /// autofill, which refused real visitors. A `website` sent by a page cached before the
    /// rename is ignored like any unknown field.
    #[serde(default)]
    confirm_ref: Option<String>,
    /// The page script's id for this question, the same on a retry (see [`RequestId`]).
    #[serde(default)]
    request_id: Option<String>,
    /// The language of the page the form is on (`site.language` of that page).
    #[serde(default)]
    lang: Option<String>,
}

/// A checkbox: `true` in JSON, `on`/`yes`/`true`/`1` from an HTML form.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn is_set(&self) -> bool {
        match self {
            Flag::Bool(value) => *value,
            Flag::Text(text) => matches!(
                text.trim().to_ascii_lowercase().as_str(),
                "on" | "yes" | "true" | "1"
            ),
        }
    }
}

/// A valid question: every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// `None` for the general form (home page).
    pub article: Option<String>,
    pub content_hash: Option<String>,
    /// Trimmed, 10–2000 characters.
    pub text: String,
    pub email: Email,
    pub company: String,
    /// Sent by the page's script; absent from the form without JavaScript.
    pub request_id: Option<RequestId>,
    /// The page's language as posted; `None` when absent (pages built before it was sent).
    /// Whether the bundle has it is the handler's to decide (see `language`).
    pub lang: Option<Language>,
}

/// The page script's random id for one question, resent unchanged when the visitor retries after
/// a timeout, so the retry gets the first result instead of a second lead. 16–64 characters of
/// `[A-Za-z0-9_-]`: anything else is not something our script sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn parse(text: &str) -> Option<RequestId> {
        let valid = (16..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| RequestId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which encoding a `Content-Type` header names, if one we accept.
pub fn encoding_of(content_type: Option<&str>) -> Result<Encoding, AskError> {
    let essence = content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(Encoding::Json),
        "application/x-www-form-urlencoded" => Ok(Encoding::UrlEncoded),
        _ => Err(AskError::UnsupportedContentType),
    }
}

/// The fields as sent, best effort, for refilling the form when it has to be shown again (the
/// page without JavaScript must not lose what the visitor typed). Unparseable bodies give none.
pub fn raw_fields(body: &[u8], encoding: Encoding) -> std::collections::HashMap<String, String> {
    match encoding {
        Encoding::UrlEncoded => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(|pairs| pairs.into_iter().collect())
            .unwrap_or_default(),
        Encoding::Json => {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
                .map(|map| {
                    map.into_iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                        .collect()
                })
                .unwrap_or_default()
        }
    }
}

/// Parses and validates a form body. `known_article` says whether a slug is a published article.
pub fn parse(
    body: &[u8],
    encoding: Encoding,
    known_article: &dyn Fn(&str) -> bool,
) -> Result<Question, AskError> {
    let raw: RawForm = match encoding {
        Encoding::Json => {
            serde_json::from_slice(body).map_err(|_| AskError::Unreadable(Unreadable::Json))?
        }
        Encoding::UrlEncoded => serde_urlencoded::from_bytes(body)
            .map_err(|_| AskError::Unreadable(Unreadable::Form))?,
    };
    validate(raw, known_article)
}

fn validate(raw: RawForm, known_article: &dyn Fn(&str) -> bool) -> Result<Question, AskError> {
    if raw
        .confirm_ref
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Err(AskError::Honeypot);
    }
    let article = raw
        .article
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    if let Some(slug) = &article {
        if !known_article(slug) {
            return Err(AskError::UnknownArticle);
        }
    }
    let request_id = match raw.request_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            Some(RequestId::parse(text).ok_or(AskError::Unreadable(Unreadable::RequestId))?)
        }
    };
    let lang = posted_language(raw.lang.as_deref())?;
    let content_hash = raw
        .content_hash
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && h.len() <= 64 && h.chars().all(|c| c.is_ascii_hexdigit()));

    let mut problems = Vec::new();

    // Control characters go before counting: they are not part of what the visitor said.
    let text = plain_text::multi_line(&raw.question.unwrap_or_default())
        .trim()
        .to_owned();
    let length = text.chars().count();
    if length == 0 {
        problems.push(FieldProblem::QuestionRequired);
    } else if length < QUESTION_MIN_CHARS {
        problems.push(FieldProblem::QuestionTooShort);
    } else if length > QUESTION_MAX_CHARS {
        problems.push(FieldProblem::QuestionTooLong { chars: length });
    }
    let email = match Email::parse(raw.email.as_deref().unwrap_or_default()) {
        Ok(email) => Some(email),
        Err(error) => {
            problems.push(FieldProblem::Email(error));
            None
        }
    };
    let company = plain_text::single_line(&raw.company.unwrap_or_default())
        .trim()
        .to_owned();
    if company.is_empty() {
        problems.push(FieldProblem::CompanyRequired);
    } else if company.chars().count() > COMPANY_MAX_CHARS {
        problems.push(FieldProblem::CompanyTooLong);
    }
    if !raw.consent.as_ref().is_some_and(Flag::is_set) {
        problems.push(FieldProblem::ConsentRequired);
    }
    match (problems.is_empty(), email) {
        (true, Some(email)) => Ok(Question {
            article,
            content_hash,
            text,
            email,
            company,
            request_id,
            lang,
        }),
        _ => Err(AskError::InvalidFields(problems)),
    }
}

/// The `lang` field: absent or empty is `None`; a language code is parsed; anything else is
/// not what our pages send (`<html lang>`'s value), so the body is refused as unreadable
/// rather than guessed at.
fn posted_language(lang: Option<&str>) -> Result<Option<Language>, AskError> {
    match lang.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => Language::parse(code)
            .map(Some)
            .map_err(|_| AskError::Unreadable(Unreadable::Language)),
    }
}

/// The page's language as posted, read as far as the body allows: for wording a refusal of a
/// body that may not even parse. `None` when there is none to read.
pub fn language_of(body: &[u8], encoding: Encoding) -> Option<Language> {
    raw_fields(body, encoding)
        .get("lang")
        .and_then(|code| Language::parse(code).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{refusal, Refusal};
    use crate::messages::Lang;
    use proptest::prelude::*;

    fn known(slug: &str) -> bool {
        slug == "printer-offline"
    }

    /// Parses, with a refusal as the visitor would see it.
    fn parse(
        body: &[u8],
        encoding: Encoding,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<Question, Refusal> {
        super::parse(body, encoding, known).map_err(|error| refusal(&error, Lang::En))
    }

    fn json(value: serde_json::Value) -> Result<Question, Refusal> {
        parse(value.to_string().as_bytes(), Encoding::Json, &known)
    }

    fn good() -> serde_json::Value {
        serde_json::json!({
            "article": "printer-offline",
            "content_hash": "e3f7cadf764f36ab",
            "question": "The printer is still offline after a restart.",
            "email": " Ann@Example.com ",
            "company": "Acme BV",
            "consent": true,
            "confirm_ref": "",
            "steps": ["ignored: steps come from the bundle"]
        })
    }

    #[test]
    fn a_good_json_question() {
        let question = json(good()).unwrap();
        assert_eq!(question.article.as_deref(), Some("printer-offline"));
        assert_eq!(question.email.as_str(), "ann@example.com");
        assert_eq!(question.company, "Acme BV");
        assert_eq!(question.content_hash.as_deref(), Some("e3f7cadf764f36ab"));
    }

    #[test]
    fn a_request_id_is_kept_when_well_formed_and_refused_otherwise() {
        assert_eq!(json(good()).unwrap().request_id, None, "optional");
        let mut body = good();
        body["request_id"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into();
        assert_eq!(
            json(body.clone()).unwrap().request_id.unwrap().as_str(),
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        );
        for bad in [
            "short",
            "has space in it 123456",
            "<script>alert(1)</script>",
        ] {
            body["request_id"] = bad.into();
            assert_eq!(json(body.clone()).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn the_page_language_is_optional_parsed_and_refused_when_no_language_code() {
        assert_eq!(
            json(good()).unwrap().lang,
            None,
            "absent: the bundle's default"
        );
        let mut body = good();
        body["lang"] = "nl".into();
        assert_eq!(json(body.clone()).unwrap().lang.unwrap().as_str(), "nl");
        body["lang"] = "en-GB".into();
        assert_eq!(json(body.clone()).unwrap().lang.unwrap().as_str(), "en-gb");
        body["lang"] = "".into();
        assert_eq!(json(body.clone()).unwrap().lang, None);
        for bad in ["dutch", "<script>", "n"] {
            body["lang"] = bad.into();
            let error = json(body.clone()).unwrap_err();
            assert_eq!(
                (error.status.as_u16(), error.headline().code),
                (400, "bad_form"),
                "{bad}"
            );
        }
        let form =
            b"lang=nl&question=Mijn+printer+staat+offline&email=a%40b.co&company=C&consent=on";
        let question = parse(form, Encoding::UrlEncoded, &known).unwrap();
        assert_eq!(question.lang.unwrap().as_str(), "nl");
        assert_eq!(
            language_of(form, Encoding::UrlEncoded).unwrap().as_str(),
            "nl"
        );
        assert_eq!(language_of(b"{not json", Encoding::Json), None);
    }

    #[test]
    fn a_good_urlencoded_question_without_article() {
        let body = b"article=&question=Our+VPN+drops+every+hour%21&email=bob%40example.org&company=Acme&consent=on&confirm_ref=";
        let question = parse(body, Encoding::UrlEncoded, &known).unwrap();
        assert_eq!(question.article, None);
        assert_eq!(question.text, "Our VPN drops every hour!");
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let error =
            json(serde_json::json!({ "question": "short", "email": "ann@", "company": " " }))
                .unwrap_err();
        assert_eq!(error.status, 422);
        let fields: Vec<_> = error
            .errors
            .iter()
            .map(|e| (e.code, e.field.unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("question_too_short", "question"),
                ("invalid_email", "email"),
                ("company_required", "company"),
                ("consent_required", "consent")
            ]
        );
        assert_eq!(error.headline().field, Some("question"));
    }

    #[test]
    fn limits_on_length() {
        let mut long = good();
        long["question"] = serde_json::json!("x".repeat(QUESTION_MAX_CHARS + 1));
        assert_eq!(json(long).unwrap_err().headline().code, "question_too_long");
        let mut exact = good();
        exact["question"] = serde_json::json!("é".repeat(QUESTION_MAX_CHARS));
        assert!(
            json(exact).is_ok(),
            "the limit counts characters, not bytes"
        );
    }

    #[test]
    fn honeypot_unknown_article_and_bad_bodies() {
        let mut bot = good();
        bot[HONEYPOT_FIELD] = serde_json::json!("http://spam.example");
        assert_eq!(json(bot).unwrap_err().headline().code, "rejected");
        // What autofill put into the old field name, from a page cached before the rename.
        let mut autofilled = good();
        autofilled["website"] = serde_json::json!("https://acme.example");
        assert!(json(autofilled).is_ok(), "the old honeypot name is ignored");
        let mut gone = good();
        gone["article"] = serde_json::json!("no-such-article");
        let error = json(gone).unwrap_err();
        assert_eq!(
            (
                error.status.as_u16(),
                error.headline().code,
                error.headline().field
            ),
            (422, "unknown_article", Some("article"))
        );
        assert_eq!(
            parse(b"{not json", Encoding::Json, &known)
                .unwrap_err()
                .headline()
                .code,
            "bad_json"
        );
        assert_eq!(
            parse(b"[1,2]", Encoding::Json, &known)
                .unwrap_err()
                .headline()
                .code,
            "bad_json"
        );
        let mut wrong_type = good();
        wrong_type["email"] = serde_json::json!(42);
        assert_eq!(json(wrong_type).unwrap_err().status, 400);
    }

    #[test]
    fn control_characters_are_removed_before_anything_is_kept() {
        let mut sneaky = good();
        sneaky["company"] = serde_json::json!("Acme\u{1b}[2J\r\nBV\u{9b}");
        sneaky["question"] =
            serde_json::json!("\u{1b}]0;pwned\u{7}The printer\r\nis offline\u{202e} again");
        let question = json(sneaky).unwrap();
        assert_eq!(question.company, "Acme[2J BV");
        assert_eq!(question.text, "]0;pwnedThe printer\nis offline again");
        let mut only_escapes = good();
        only_escapes["company"] = serde_json::json!("\u{1b}\u{7}");
        assert_eq!(
            json(only_escapes).unwrap_err().headline().code,
            "company_required"
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            encoding_of(Some("application/json; charset=utf-8")).unwrap(),
            Encoding::Json
        );
        assert_eq!(
            encoding_of(Some("Application/X-WWW-Form-Urlencoded")).unwrap(),
            Encoding::UrlEncoded
        );
        assert_eq!(
            encoding_of(Some("text/plain")).unwrap_err(),
            AskError::UnsupportedContentType
        );
        assert_eq!(
            encoding_of(None).unwrap_err(),
            AskError::UnsupportedContentType
        );
    }

    #[test]
    fn consent_as_form_values() {
        for (value, ok) in [
            ("on", true),
            ("yes", true),
            ("1", true),
            ("off", false),
            ("", false),
        ] {
            let body =
                format!("question=The+printer+is+offline&email=a%40b.co&company=C&consent={value}");
            assert_eq!(
                parse(body.as_bytes(), Encoding::UrlEncoded, &known).is_ok(),
                ok,
                "{value}"
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for encoding in [Encoding::Json, Encoding::UrlEncoded] {
                if let Err(error) = parse(&bytes, encoding, &known) {
                    prop_assert!(error.status.is_client_error());
                }
            }
        }

        #[test]
        fn never_panics_on_arbitrary_json_fields(question in ".{0,300}", email in ".{0,80}", company in ".{0,50}", consent in any::<bool>()) {
            let value = serde_json::json!({ "question": question, "email": email, "company": company, "consent": consent });
            if let Err(error) = json(value) {
                prop_assert!(error.status.is_client_error());
            }
        }
    }
}
