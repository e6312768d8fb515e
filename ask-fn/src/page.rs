//! The small HTML pages the form without JavaScript gets back: the answer, or the form again
//! with every field as the visitor typed it and the problems next to the fields.

use std::collections::HashMap;

use crate::handler::AskAnswer;
use crate::http::Refusal;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(ch),
        }
    }
    out
}

const STYLE: &str = "body{font:1.05rem/1.6 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}\
a{color:#0b57d0}.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;border:1px solid;font-weight:600}\
.diy{color:#0a5a2a}.careful{color:#7a4a00}.bring_us_in{color:#9b1c1c}.error{color:#9b1c1c;font-weight:600}[aria-invalid=true]{border:2px solid #b3261e}\
label{display:block;margin-top:1rem;font-weight:600}input[type=text],input[type=email],textarea{width:100%;font:inherit;padding:.4rem}\
textarea{min-height:8rem}.hp{position:absolute;left:-10000px}button{margin-top:1rem;font:inherit;padding:.5rem 1rem}\
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}a{color:#8ab4f8}.diy{color:#7ee2a8}.careful{color:#ffc46b}.bring_us_in,.error{color:#ff9d9d}}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The answer page.
pub fn answer(answer: &AskAnswer) -> String {
    let mut body = String::from("<h1>Our answer</h1>\n");
    if let (Some(verdict), Some(label)) = (answer.verdict, &answer.verdict_label) {
        body.push_str(&format!(
            "<p><span class=\"badge {}\">{}</span></p>\n",
            verdict.as_str(),
            escape(label)
        ));
    }
    body.push_str(&format!("<p>{}</p>\n", escape(&answer.message)));
    if let Some(html) = &answer.answer_html {
        // Already safe: rendered by answer_html (no raw HTML, own links only).
        body.push_str(&format!("<div class=\"answer\">{html}</div>\n"));
    }
    if !answer.cited.is_empty() {
        body.push_str("<h2>Articles this is based on</h2>\n<ul>\n");
        for cited in &answer.cited {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape(&cited.url),
                escape(&cited.title)
            ));
        }
        body.push_str("</ul>\n");
    }
    body.push_str(&format!("<p>{}</p>\n", escape(&quota_sentence(answer))));
    body.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>",
        escape(&answer.back_url),
        back_label(answer.back_is_article)
    ));
    document("Our answer", &body)
}

fn back_label(to_article: bool) -> &'static str {
    if to_article {
        "Back to the article"
    } else {
        "Back to the help site"
    }
}

/// The same sentence the page's script shows, so both forms read alike: the limits, never
/// what is left of them (see `handler::QuotaView`).
fn quota_sentence(answer: &AskAnswer) -> String {
    let quota = &answer.quota;
    format!(
        "You can ask up to {} an hour and {} a day.",
        questions(quota.per_hour),
        quota.per_day
    )
}

fn questions(n: u32) -> String {
    if n == 1 {
        "1 question".to_owned()
    } else {
        format!("{n} questions")
    }
}

/// The form again, as typed, with the problems. `back` must be a page of our site.
pub fn error(
    error: &Refusal,
    fields: &HashMap<String, String>,
    back: &str,
    base_url: &str,
    company: &str,
) -> String {
    // The answer's link guard: `/\evil.example` or `/<tab>/evil.example` read as `//` in a
    // browser, so a prefix test is not enough.
    let back = if crate::answer_html::is_own_site(back, base_url) {
        back
    } else {
        base_url
    };
    let value = |name: &str| escape(fields.get(name).map(String::as_str).unwrap_or_default());
    let problem = |field: &str| {
        error
            .errors
            .iter()
            .filter(|e| e.field == Some(field))
            .map(|e| {
                format!(
                    "<p class=\"error\" id=\"{field}-error\">{}</p>",
                    escape(&e.message)
                )
            })
            .collect::<String>()
    };
    let described = |field: &str| {
        if error.errors.iter().any(|e| e.field == Some(field)) {
            format!(" aria-invalid=\"true\" aria-describedby=\"{field}-error\"")
        } else {
            String::new()
        }
    };
    let general: String = error
        .errors
        .iter()
        .filter(|e| e.field.is_none() || e.field == Some("article"))
        .map(|e| format!("<p class=\"error\">{}</p>", escape(&e.message)))
        .collect();
    let consent_checked = if matches!(
        fields.get("consent").map(String::as_str),
        Some("on" | "yes" | "true" | "1")
    ) {
        " checked"
    } else {
        ""
    };
    let body = format!(
        "<h1>Please check your question</h1>\n<div role=\"alert\">{general}{summary}</div>\n\
<form method=\"post\">\n\
<input type=\"hidden\" name=\"article\" value=\"{article}\">\n<input type=\"hidden\" name=\"content_hash\" value=\"{hash}\">\n<input type=\"hidden\" name=\"back\" value=\"{back_value}\">\n\
<label for=\"question\">Describe your situation</label>{question_error}\n<textarea id=\"question\" name=\"question\" required{question_described}>{question}</textarea>\n\
<label for=\"email\">Email</label>{email_error}\n<input type=\"email\" id=\"email\" name=\"email\" value=\"{email}\" required autocomplete=\"email\"{email_described}>\n\
<label for=\"company\">Company</label>{company_error}\n<input type=\"text\" id=\"company\" name=\"company\" value=\"{company}\" required autocomplete=\"organization\"{company_described}>\n\
<label><input type=\"checkbox\" name=\"consent\" value=\"on\"{consent_checked}{consent_described}> I agree that {company_name} uses these details to answer me, as described in the <a href=\"{privacy}\">privacy statement</a>.</label>{consent_error}\n\
<div class=\"hp\" aria-hidden=\"true\"><label for=\"confirm_ref\">Leave this empty</label><input type=\"text\" id=\"confirm_ref\" name=\"confirm_ref\" tabindex=\"-1\" autocomplete=\"off\"></div>\n\
<button type=\"submit\">Send my question</button>\n</form>\n<p><a href=\"{back_link}\">{back_text}</a></p>",
        summary = if error.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY { "<p>Some details are missing or need a fix. Everything you typed is still here.</p>" } else { "" },
        article = value("article"),
        hash = value("content_hash"),
        back_value = escape(back),
        back_link = escape(back),
        back_text = back_label(back.trim_end_matches('/') != base_url.trim_end_matches('/')),
        company_name = escape(company),
        privacy = escape(&format!("{}/privacy/", base_url.trim_end_matches('/'))),
        question = value("question"),
        email = value("email"),
        company = value("company"),
        question_error = problem("question"),
        email_error = problem("email"),
        company_error = problem("company"),
        consent_error = problem("consent"),
        question_described = described("question"),
        email_described = described("email"),
        company_described = described("company"),
        consent_described = described("consent"),
    );
    document("Please check your question", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AskError, FieldProblem, Unreadable};
    use crate::http::refusal;

    #[test]
    fn error_page_keeps_what_was_typed_and_escapes_it() {
        let problem = refusal(&AskError::InvalidFields(vec![FieldProblem::Email(
            crate::email::EmailError::Invalid,
        )]));
        let fields: HashMap<String, String> = [
            ("question", "My <b>printer</b> & me"),
            ("email", "ann@"),
            ("company", "Acme"),
            ("consent", "on"),
            ("article", "printer-offline"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let page = error(
            &problem,
            &fields,
            "https://evil.example/",
            "https://help.example.test",
            "Example & Co",
        );
        assert!(page.contains(">My &lt;b&gt;printer&lt;/b&gt; &amp; me</textarea>"));
        assert!(page.contains("value=\"ann@\""));
        assert!(page.contains("<p class=\"error\" id=\"email-error\">That email address looks incomplete. Please check it (like name@company.com).</p>"));
        assert!(page.contains("aria-describedby=\"email-error\""));
        assert!(page.contains(" checked"));
        assert!(page.contains("I agree that Example &amp; Co uses these details to answer me, as described in the <a href=\"https://help.example.test/privacy/\">privacy statement</a>."));
        assert!(
            page.contains(">Back to the help site</a>"),
            "a foreign back link falls back to the site"
        );
        assert!(
            !page.contains("evil.example"),
            "foreign back links are replaced"
        );
        assert!(page.contains("href=\"https://help.example.test\""));
    }

    #[test]
    fn the_honeypot_is_the_one_form_reads_and_never_autofilled() {
        let page = error(
            &refusal(&AskError::Unreadable(Unreadable::Form)),
            &HashMap::new(),
            "/",
            "https://help.example.test",
            "Acme",
        );
        let input = format!(
            "<input type=\"text\" id=\"{0}\" name=\"{0}\" tabindex=\"-1\" autocomplete=\"off\">",
            crate::form::HONEYPOT_FIELD
        );
        assert!(
            page.contains(&format!("<div class=\"hp\" aria-hidden=\"true\"><label for=\"{}\">Leave this empty</label>{input}</div>", crate::form::HONEYPOT_FIELD)),
            "{page}"
        );
        assert!(!page.contains("website"));
    }

    #[test]
    fn back_links_that_a_browser_reads_as_another_host_are_replaced() {
        let problem = refusal(&AskError::Unreadable(Unreadable::Form));
        let base = "https://help.example.test";
        for foreign in [
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://help.example.test.evil.example/",
            "javascript:alert(1)",
        ] {
            let page = error(&problem, &HashMap::new(), foreign, base, "Acme");
            assert!(!page.contains("evil.example"), "{foreign:?}");
            assert!(!page.contains("javascript:"), "{foreign:?}");
        }
        for own in ["/printer-offline/", "https://help.example.test/vpn/"] {
            let page = error(&problem, &HashMap::new(), own, base, "Acme");
            assert!(page.contains(&format!("href=\"{own}\"")), "{own}");
        }
    }
}
