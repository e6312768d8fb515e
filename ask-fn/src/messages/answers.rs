//! What an accepted question's answer says around the advice: the badge and the one sentence
//! about what happens next. In the answer's language.

use kb_model::Risk;

use super::{pick, Lang};
use crate::llm::Verdict;

/// The badge of AI advice. (The team's notifications use [`Verdict::label`], in English.)
pub fn verdict_label(lang: Lang, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Diy => pick(lang, "Safe to try yourself", "Veilig om zelf te proberen"),
        Verdict::Careful => pick(lang, "Be careful", "Wees voorzichtig"),
        Verdict::BringUsIn => pick(lang, "Bring us in", "Schakel ons in"),
    }
}

/// The badge of a knowledge-base answer: the cited article's risk, not a verdict on the case.
pub fn article_risk(lang: Lang, risk: Risk) -> String {
    match lang {
        Lang::En => format!("Article risk: {risk}"),
        Lang::Nl => {
            let word = match risk {
                Risk::Low => "laag",
                Risk::Medium => "gemiddeld",
                Risk::High => "hoog",
            };
            format!("Risico volgens het artikel: {word}")
        }
    }
}

/// A possible incident: phone first (`phone` empty when the site has none).
pub fn phone_now(lang: Lang, phone: &str, email: &str) -> String {
    match (lang, phone.is_empty()) {
        (Lang::En, false) => format!("Phone us now: {phone}. This may be a security incident, so do not wait for an email. We also have your question and will follow up at {email}."),
        (Lang::En, true) => format!("Phone us now. This may be a security incident, so do not wait for an email. We also have your question and will follow up at {email}."),
        (Lang::Nl, false) => format!("Bel ons nu: {phone}. Dit kan een beveiligingsincident zijn, dus wacht niet op een e-mail. We hebben je vraag ook ontvangen en nemen contact op via {email}."),
        (Lang::Nl, true) => format!("Bel ons nu. Dit kan een beveiligingsincident zijn, dus wacht niet op een e-mail. We hebben je vraag ook ontvangen en nemen contact op via {email}."),
    }
}

pub fn leave_to_us(lang: Lang, email: &str) -> String {
    match lang {
        Lang::En => format!(
            "This is one to leave to us. We have your question and will email you at {email}."
        ),
        Lang::Nl => format!(
            "Dit kun je beter aan ons overlaten. We hebben je vraag en mailen je op {email}."
        ),
    }
}

pub fn from_knowledge_base(lang: Lang) -> &'static str {
    pick(
        lang,
        "These are the closest matching steps from our knowledge base (not written by AI).",
        "Dit zijn de best passende stappen uit onze kennisbank (niet door AI geschreven).",
    )
}

pub fn advice(lang: Lang) -> &'static str {
    pick(
        lang,
        "Here is our advice. If it does not solve it, reply to our email or contact us.",
        "Dit is ons advies. Lost het je probleem niet op, reageer dan op onze e-mail of neem contact met ons op.",
    )
}

pub fn llm_failed(lang: Lang, email: &str) -> String {
    match lang {
        Lang::En => format!("We could not generate advice right now. We have your question and will email you at {email}."),
        Lang::Nl => format!("We konden op dit moment geen advies opstellen. We hebben je vraag en mailen je op {email}."),
    }
}

pub fn received(lang: Lang, email: &str) -> String {
    match lang {
        Lang::En => format!("We have your question and will reply by email to {email}."),
        Lang::Nl => format!("We hebben je vraag en antwoorden per e-mail op {email}."),
    }
}
