//! Every sentence a visitor reads from this function, in English and Dutch.
//!
//! Why functions, not a catalogue file: each message is a `match` on [`Lang`], so a message
//! missing in one language does not compile, and its placeholders are typed arguments (a
//! count is a number, chosen between singular and plural here), so no `{name}` can be left
//! unfilled or misspelt at run time. The theme has its own catalogue
//! (`themes/default/i18n/*.toml`); this binary runs without the theme, so it carries its own
//! words, taken from those drafts. What the team reads (notifications, `ask-team`, logs) stays
//! English and is not here.
//!
//! Every function returns text, never HTML, except where its name ends in `_html` (it then
//! takes already-escaped HTML for its placeholders).

mod answers;
mod knowledge_base;
mod pages;
mod refusals;

pub use answers::*;
pub use knowledge_base::*;
pub use pages::*;
pub use refusals::*;

use kb_model::Language;

/// The languages this function speaks to visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Nl,
}

impl Lang {
    /// The messages for a page or answer in `language`: Dutch for `nl` (and `nl-be`), English
    /// for every other language, since English is the one a bundle without translations has.
    pub fn of(language: &Language) -> Lang {
        if language.primary() == "nl" {
            Lang::Nl
        } else {
            Lang::En
        }
    }

    /// The code of `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }
}

/// One of two fixed texts.
fn pick(lang: Lang, en: &'static str, nl: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Nl => nl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_for_dutch_pages_english_for_any_other() {
        let lang = |code: &str| Lang::of(&Language::parse(code).unwrap());
        assert_eq!(lang("nl"), Lang::Nl);
        assert_eq!(lang("nl-BE"), Lang::Nl);
        assert_eq!(lang("en"), Lang::En);
        assert_eq!(lang("de"), Lang::En);
    }
}
