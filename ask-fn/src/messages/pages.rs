//! The words of the small pages the form without JavaScript gets back (`page.rs`).

use super::{pick, Lang};

pub fn answer_heading(lang: Lang) -> &'static str {
    pick(lang, "Our answer", "Ons antwoord")
}

pub fn based_on(lang: Lang) -> &'static str {
    pick(
        lang,
        "Articles this is based on",
        "Artikelen waarop dit is gebaseerd",
    )
}

/// The limits, never what is left of them (see `handler::QuotaView`).
pub fn quota(lang: Lang, per_hour: u32, per_day: u32) -> String {
    match (lang, per_hour == 1) {
        (Lang::En, true) => format!("You can ask up to 1 question an hour and {per_day} a day."),
        (Lang::En, false) => {
            format!("You can ask up to {per_hour} questions an hour and {per_day} a day.")
        }
        (Lang::Nl, true) => {
            format!("Je kunt maximaal 1 vraag per uur en {per_day} per dag stellen.")
        }
        (Lang::Nl, false) => {
            format!("Je kunt maximaal {per_hour} vragen per uur en {per_day} per dag stellen.")
        }
    }
}

pub fn back_to_article(lang: Lang) -> &'static str {
    pick(lang, "Back to the article", "Terug naar het artikel")
}

pub fn back_to_site(lang: Lang) -> &'static str {
    pick(lang, "Back to the help site", "Terug naar de helpsite")
}

pub fn check_title(lang: Lang) -> &'static str {
    pick(lang, "Please check your question", "Controleer je vraag")
}

pub fn check_summary(lang: Lang) -> &'static str {
    pick(
        lang,
        "Some details are missing or need a fix. Everything you typed is still here.",
        "Er ontbreekt iets of er moet iets worden aangepast. Alles wat je hebt getypt, staat er nog.",
    )
}

pub fn question_label(lang: Lang) -> &'static str {
    pick(lang, "Describe your situation", "Beschrijf je situatie")
}

pub fn email_label(lang: Lang) -> &'static str {
    pick(lang, "Email", "E-mailadres")
}

pub fn company_label(lang: Lang) -> &'static str {
    pick(lang, "Company", "Bedrijf")
}

/// The consent checkbox's label; `company` and `privacy_url` already HTML-escaped.
pub fn consent_html(lang: Lang, company: &str, privacy_url: &str) -> String {
    match lang {
        Lang::En => format!("I agree that {company} uses these details to answer me, as described in the <a href=\"{privacy_url}\">privacy statement</a>."),
        Lang::Nl => format!("Ik ga ermee akkoord dat {company} deze gegevens gebruikt om mij te antwoorden, zoals beschreven in de <a href=\"{privacy_url}\">privacyverklaring</a>."),
    }
}

pub fn honeypot_label(lang: Lang) -> &'static str {
    pick(lang, "Leave this empty", "Laat dit leeg")
}

pub fn submit(lang: Lang) -> &'static str {
    pick(lang, "Send my question", "Mijn vraag versturen")
}
