//! The question form parser, JSON and url-encoded: whatever the bytes, either a 4xx with a
//! message, or a question inside every limit the form promises.
#![no_main]

use ask_fn::email::Email;
use ask_fn::messages::Lang;
use ask_fn::form::{
    parse, raw_fields, Encoding, COMPANY_MAX_CHARS, QUESTION_MAX_CHARS, QUESTION_MIN_CHARS,
};
use libfuzzer_sys::fuzz_target;

fn known(slug: &str) -> bool {
    slug == "printer-offline"
}

/// C0 and C1 control characters; `allow_newline` lets `\n` through (multi-line question).
fn has_control(text: &str, allow_newline: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_newline && c == '\n'))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let encoding = if selector & 1 == 0 {
        Encoding::Json
    } else {
        Encoding::UrlEncoded
    };
    let _ = raw_fields(body, encoding);
    match parse(body, encoding, &known) {
        Ok(question) => {
            let length = question.text.chars().count();
            assert!(
                (QUESTION_MIN_CHARS..=QUESTION_MAX_CHARS).contains(&length),
                "a question of {length} characters was accepted"
            );
            assert_eq!(
                question.text,
                question.text.trim(),
                "the question is trimmed"
            );
            assert!(
                !has_control(&question.text, true),
                "control character in the question"
            );
            let company = question.company.chars().count();
            assert!(
                (1..=COMPANY_MAX_CHARS).contains(&company),
                "a company of {company} characters was accepted"
            );
            assert!(
                !has_control(&question.company, false),
                "control character in the company"
            );
            assert_eq!(question.company, question.company.trim());
            assert_eq!(
                Email::parse(question.email.as_str()).as_ref(),
                Ok(&question.email),
                "the email is valid and normalised"
            );
            assert!(
                question.article.as_deref().is_none_or(known),
                "unknown article accepted"
            );
            assert!(question.content_hash.as_deref().is_none_or(|hash| {
                !hash.is_empty() && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
            }));
        }
        Err(error) => {
            // Worded in either language, the same refusal.
            for lang in [Lang::En, Lang::Nl] {
                let refused = ask_fn::http::refusal(&error, lang);
                assert!(
                    refused.status.is_client_error(),
                    "status {}",
                    refused.status
                );
                assert!(!refused.errors.is_empty(), "an error says what is wrong");
            }
        }
    }
});
