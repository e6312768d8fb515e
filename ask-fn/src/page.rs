//! The small HTML pages the form without JavaScript gets back: the answer, or the form again
//! with every field as the visitor typed it and the problems next to the fields. The answer
//! page is in the answer's language, the form in the page's; `<html lang>` says which.

use std::collections::HashMap;

use crate::handler::AskAnswer;
use crate::http::Refusal;
use crate::messages::{self, Lang};

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

fn document(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        lang.code(),
        escape(title)
    )
}

/// The answer page.
pub fn answer(answer: &AskAnswer) -> String {
    let lang = Lang::of(&answer.lang);
    let mut body = format!("<h1>{}</h1>\n", messages::answer_heading(lang));
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
        body.push_str(&format!("<h2>{}</h2>\n<ul>\n", messages::based_on(lang)));
        for cited in &answer.cited {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape(&cited.url),
                escape(&cited.title)
            ));
        }
        body.push_str("</ul>\n");
    }
    // The same sentence the page's script shows, so both forms read alike: the limits, never
    // what is left of them (see `handler::QuotaView`).
    body.push_str(&format!(
        "<p>{}</p>\n",
        escape(&messages::quota(
            lang,
            answer.quota.per_hour,
            answer.quota.per_day
        ))
    ));
    body.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>",
        escape(&answer.back_url),
        back_label(lang, answer.back_is_article)
    ));
    document(lang, messages::answer_heading(lang), &body)
}

fn back_label(lang: Lang, to_article: bool) -> &'static str {
    if to_article {
        messages::back_to_article(lang)
    } else {
        messages::back_to_site(lang)
    }
}

/// The form again, as typed, with the problems (worded in `lang`, the page's language, which
/// the form posts again). `back` must be a page of our site.
pub fn error(
    lang: Lang,
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
        "<h1>{title}</h1>\n<div role=\"alert\">{general}{summary}</div>\n\
<form method=\"post\">\n\
<input type=\"hidden\" name=\"article\" value=\"{article}\">\n<input type=\"hidden\" name=\"content_hash\" value=\"{hash}\">\n<input type=\"hidden\" name=\"lang\" value=\"{lang_value}\">\n<input type=\"hidden\" name=\"back\" value=\"{back_value}\">\n\
<label for=\"question\">{question_label}</label>{question_error}\n<textarea id=\"question\" name=\"question\" required{question_described}>{question}</textarea>\n\
<label for=\"email\">{email_label}</label>{email_error}\n<input type=\"email\" id=\"email\" name=\"email\" value=\"{email}\" required autocomplete=\"email\"{email_described}>\n\
<label for=\"company\">{company_label}</label>{company_error}\n<input type=\"text\" id=\"company\" name=\"company\" value=\"{company}\" required autocomplete=\"organization\"{company_described}>\n\
<label><input type=\"checkbox\" name=\"consent\" value=\"on\"{consent_checked}{consent_described}> {consent}</label>{consent_error}\n\
<div class=\"hp\" aria-hidden=\"true\"><label for=\"confirm_ref\">{honeypot_label}</label><input type=\"text\" id=\"confirm_ref\" name=\"confirm_ref\" tabindex=\"-1\" autocomplete=\"off\"></div>\n\
<button type=\"submit\">{submit}</button>\n</form>\n<p><a href=\"{back_link}\">{back_text}</a></p>",
        title = messages::check_title(lang),
        summary = if error.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY { format!("<p>{}</p>", messages::check_summary(lang)) } else { String::new() },
        article = value("article"),
        lang_value = value("lang"),
        question_label = messages::question_label(lang),
        email_label = messages::email_label(lang),
        company_label = messages::company_label(lang),
        consent = messages::consent_html(
            lang,
            &escape(company),
            &escape(&format!("{}/privacy/", base_url.trim_end_matches('/')))
        ),
        honeypot_label = messages::honeypot_label(lang),
        submit = messages::submit(lang),
        hash = value("content_hash"),
        back_value = escape(back),
        back_link = escape(back),
        back_text = back_label(lang, back.trim_end_matches('/') != base_url.trim_end_matches('/')),
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
    document(lang, messages::check_title(lang), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AskError, FieldProblem, Unreadable};
    use crate::http::refusal;

    #[test]
    fn error_page_keeps_what_was_typed_and_escapes_it() {
        let problem = refusal(
            &AskError::InvalidFields(vec![FieldProblem::Email(crate::email::EmailError::Invalid)]),
            Lang::En,
        );
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
            Lang::En,
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
            Lang::En,
            &refusal(&AskError::Unreadable(Unreadable::Form), Lang::En),
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
        let problem = refusal(&AskError::Unreadable(Unreadable::Form), Lang::En);
        let base = "https://help.example.test";
        for foreign in [
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://help.example.test.evil.example/",
            "javascript:alert(1)",
        ] {
            let page = error(Lang::En, &problem, &HashMap::new(), foreign, base, "Acme");
            assert!(!page.contains("evil.example"), "{foreign:?}");
            assert!(!page.contains("javascript:"), "{foreign:?}");
        }
        for own in ["/printer-offline/", "https://help.example.test/vpn/"] {
            let page = error(Lang::En, &problem, &HashMap::new(), own, base, "Acme");
            assert!(page.contains(&format!("href=\"{own}\"")), "{own}");
        }
    }

    #[test]
    fn a_dutch_page_gets_the_form_again_in_dutch_and_says_so_in_html_lang() {
        let problem = refusal(
            &AskError::InvalidFields(vec![FieldProblem::CompanyRequired]),
            Lang::Nl,
        );
        let fields: HashMap<String, String> = [("lang", "nl"), ("question", "Mijn printer")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let page = error(
            Lang::Nl,
            &problem,
            &fields,
            "/nl/",
            "https://help.example.test",
            "Acme",
        );
        for dutch in [
            "<html lang=\"nl\">",
            "<title>Controleer je vraag</title>",
            "<p class=\"error\" id=\"company-error\">Vul in bij welk bedrijf je werkt.</p>",
            "<p>Er ontbreekt iets of er moet iets worden aangepast. Alles wat je hebt getypt, staat er nog.</p>",
            "<label for=\"email\">E-mailadres</label>",
            "Ik ga ermee akkoord dat Acme deze gegevens gebruikt om mij te antwoorden, zoals beschreven in de <a href=\"https://help.example.test/privacy/\">privacyverklaring</a>.",
            "<button type=\"submit\">Mijn vraag versturen</button>",
            "<input type=\"hidden\" name=\"lang\" value=\"nl\">",
            ">Terug naar het artikel</a>",
        ] {
            assert!(page.contains(dutch), "{dutch}\n{page}");
        }
        for english in [
            "lang=\"en\"",
            "Please",
            "Describe your situation",
            "privacy statement",
        ] {
            assert!(!page.contains(english), "{english}\n{page}");
        }
    }
}
