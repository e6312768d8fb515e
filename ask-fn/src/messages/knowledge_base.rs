//! The sentences of an answer from the knowledge base (`llm/retrieval.rs`), around the
//! article's own text. Markdown is added by the caller; these are plain sentences.

use super::{pick, Lang};

/// The first paragraph when steps are given. `steps_in`: the language of the steps when it is
/// not the answer's (an article without a translation), so the visitor is told.
pub fn not_ai(lang: Lang, steps_in: Option<Lang>) -> &'static str {
    match (lang, steps_in) {
        (Lang::En, Some(Lang::Nl)) => "This answer was not written by AI: no AI model is configured here, so these are the closest matching steps from our knowledge base (in Dutch).",
        (Lang::En, _) => "This answer was not written by AI: no AI model is configured here, so these are the closest matching steps from our knowledge base.",
        (Lang::Nl, Some(Lang::En)) => "Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus dit zijn de best passende stappen uit onze kennisbank (in het Engels).",
        (Lang::Nl, _) => "Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus dit zijn de best passende stappen uit onze kennisbank.",
    }
}

pub fn not_ai_no_match(lang: Lang) -> &'static str {
    pick(
        lang,
        "This answer was not written by AI: no AI model is configured here, so we searched our knowledge base instead.",
        "Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus we hebben in onze kennisbank gezocht.",
    )
}

pub fn no_match(lang: Lang) -> &'static str {
    pick(
        lang,
        "Nothing in our knowledge base matched your question closely enough, so we will not guess.",
        "Niets in onze kennisbank past goed genoeg bij je vraag, dus we gaan niet gokken.",
    )
}

/// Who follows up when the site has no company name.
pub fn our_team(lang: Lang) -> &'static str {
    pick(lang, "Our team", "Ons team")
}

pub fn follow_up(lang: Lang, who: &str) -> String {
    match lang {
        Lang::En => format!("{who} has your question and will follow up by email."),
        Lang::Nl => format!("{who} heeft je vraag en antwoordt per e-mail."),
    }
}

pub fn urgent_phone(lang: Lang, phone: &str) -> String {
    match lang {
        Lang::En => format!("If it is urgent, phone us: {phone}."),
        Lang::Nl => format!("Is het dringend? Bel ons: {phone}."),
    }
}

pub fn if_not_solved(lang: Lang, escalation: &str) -> String {
    match lang {
        Lang::En => format!("If this does not solve it: {escalation}"),
        Lang::Nl => format!("Lost dit het niet op: {escalation}"),
    }
}

pub fn also_see(lang: Lang, link: &str) -> String {
    match lang {
        Lang::En => format!("Also see: {link}"),
        Lang::Nl => format!("Zie ook: {link}"),
    }
}

pub fn already_read(lang: Lang, link: &str) -> String {
    match lang {
        Lang::En => format!("The closest match in our knowledge base is the article you are reading, {link}, and nothing else covers your situation better."),
        Lang::Nl => format!("Het artikel dat je nu leest, {link}, past het best bij je vraag; niets anders in onze kennisbank beschrijft je situatie beter."),
    }
}

pub fn already_read_escalation(lang: Lang, escalation: &str) -> String {
    match lang {
        Lang::En => format!("Its advice on when to bring us in: {escalation}"),
        Lang::Nl => format!("Wat het artikel zegt over wanneer je ons inschakelt: {escalation}"),
    }
}
