//! Which language a question is answered in: the page's, or the question's when it is clearly
//! another.
//!
//! Why two: the page's language decides what the visitor already read (the article's steps
//! given to the model are those of the page) and the words around the form (its errors, the
//! limit); the answer is in the language the visitor wrote in, because an English speaker on
//! a Dutch page who asks in English wants English back. Pure, so both rules are unit-tested.

use kb_model::text::spoken_language;
use kb_model::{Bundle, Language};

/// The two languages of one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages {
    /// The page's: one of the bundle's languages.
    pub page: Language,
    /// The answer's: the page's, unless the question is clearly in another language. Need
    /// not be one of the bundle's (an English-only site still answers a Dutch question in
    /// Dutch, with its English steps).
    pub answer: Language,
}

/// The page's language: as posted when the bundle has records in it, else the bundle's
/// default. A page that posts a language the bundle lacks (cached from before a language was
/// removed, or hand-made) still gets an answer, in the language every article has; the posted
/// value is only trusted as far as the bundle goes.
pub fn page_language(bundle: &Bundle, posted: Option<&Language>) -> Language {
    posted
        .and_then(|language| bundle.language(language))
        .unwrap_or(&bundle.default_language)
        .clone()
}

/// Both languages for `question` asked on a page in `posted` (see [`page_language`]).
pub fn choose(bundle: &Bundle, posted: Option<&Language>, question: &str) -> Languages {
    let page = page_language(bundle, posted);
    let answer = match spoken_language(question) {
        Some(spoken) if spoken.code() != page.primary() => bundle
            .languages
            .iter()
            .find(|language| language.primary() == spoken.code())
            .cloned()
            .or_else(|| Language::parse(spoken.code()).ok())
            .unwrap_or_else(|| page.clone()),
        _ => page.clone(),
    };
    Languages { page, answer }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Language {
        Language::parse(code).unwrap()
    }

    fn bilingual() -> Bundle {
        let mut bundle = kb_model::fixtures::sample();
        bundle.languages.push(lang("nl"));
        bundle
    }

    #[test]
    fn the_page_language_is_the_posted_one_when_the_bundle_has_it() {
        let bundle = bilingual();
        assert_eq!(page_language(&bundle, Some(&lang("nl"))), lang("nl"));
        assert_eq!(
            page_language(&bundle, None),
            lang("en"),
            "absent: the default"
        );
        assert_eq!(
            page_language(&bundle, Some(&lang("de"))),
            lang("en"),
            "not in the bundle: the default"
        );
        let english_only = kb_model::fixtures::sample();
        assert_eq!(page_language(&english_only, Some(&lang("nl"))), lang("en"));
    }

    #[test]
    fn the_answer_follows_the_question_only_when_it_is_clearly_another_language() {
        let bundle = bilingual();
        let nl = Some(lang("nl"));
        let en = Some(lang("en"));
        let dutch = "Mijn wachtwoord is verlopen, wat moet ik doen?";
        let english = "My password has expired, what do I do?";
        let unclear = "Outlook 0x800CCC0E";
        let both = |page: &Option<Language>, question| {
            let chosen = choose(&bundle, page.as_ref(), question);
            (chosen.page.to_string(), chosen.answer.to_string())
        };
        assert_eq!(both(&nl, dutch), ("nl".into(), "nl".into()));
        assert_eq!(both(&nl, english), ("nl".into(), "en".into()));
        assert_eq!(both(&nl, unclear), ("nl".into(), "nl".into()));
        assert_eq!(both(&en, dutch), ("en".into(), "nl".into()));
        assert_eq!(both(&en, english), ("en".into(), "en".into()));
        assert_eq!(both(&en, unclear), ("en".into(), "en".into()));
        // An English-only site still answers a Dutch question in Dutch.
        let english_only = kb_model::fixtures::sample();
        assert_eq!(choose(&english_only, None, dutch).answer, lang("nl"));
    }
}
