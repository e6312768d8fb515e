//! Languages in the bundle: the code a record is written in, and finding an article's record
//! in the language a visitor reads.
//!
//! Why a type of its own: the same code is written by the generator (`site.toml`), posted by a
//! page's form and compared by the ask function; parsed once into one lowercase form, `en-GB`
//! from one place and `en-gb` from another are the same language, and a value that is no
//! language code at all (`<script>`) cannot become one.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Bundle, BundleArticle};

/// A language code such as `en`, `nl` or `en-gb`: a primary subtag of 2–3 ASCII letters,
/// optionally followed by `-` and subtags of 1–8 letters or digits (BCP 47's shape, without
/// its registry). Stored lowercase: language tags are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

/// The text is not a language code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a language code (like \"en\", \"nl\" or \"en-GB\")")]
pub struct NotALanguage(pub String);

impl Language {
    /// Parses a language code; longer than 35 characters or not of the shape above is refused.
    pub fn parse(text: &str) -> Result<Language, NotALanguage> {
        let lower = text.trim().to_ascii_lowercase();
        let mut parts = lower.split('-');
        let primary = parts.next().unwrap_or_default();
        let valid = lower.len() <= 35
            && (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_lowercase())
            && parts.all(|part| {
                (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if valid {
            Ok(Language(lower))
        } else {
            Err(NotALanguage(text.to_owned()))
        }
    }

    /// English: the language of every bundle written before records carried one (tryfirst
    /// spoke nothing else then).
    pub fn english() -> Language {
        Language("en".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary subtag: `nl` for `nl-be`. Two codes with the same primary subtag are the
    /// same language for the visitor's messages, not for the bundle's records.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }
}

/// Bundles written before format 2 carry no language: they are read as English.
impl Default for Language {
    fn default() -> Self {
        Language::english()
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Language {
    type Error = NotALanguage;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Language::parse(&text)
    }
}

impl From<Language> for String {
    fn from(language: Language) -> Self {
        language.0
    }
}

/// Where each article's records are in a bundle, by slug and language, built once (cold
/// start) so a request finds one in O(1).
///
/// A slug names an article in every language (a translation keeps its original's slug), so the
/// record a visitor needs is (slug, the page's language), and when the article has no
/// translation into it, the original: the default language's record, which every slug has
/// ([`Bundle::from_json`] checks it).
#[derive(Debug, Clone, Default)]
pub struct RecordIndex {
    /// Per slug: (language, position in `articles`), the default language's first.
    by_slug: HashMap<String, Vec<(Language, usize)>>,
}

impl RecordIndex {
    pub fn new(bundle: &Bundle) -> Self {
        let mut by_slug: HashMap<String, Vec<(Language, usize)>> = HashMap::new();
        for (i, article) in bundle.articles.iter().enumerate() {
            let records = by_slug.entry(article.slug.clone()).or_default();
            let record = (article.language.clone(), i);
            if article.language == bundle.default_language {
                records.insert(0, record);
            } else {
                records.push(record);
            }
        }
        Self { by_slug }
    }

    /// Whether any record has this slug.
    pub fn contains(&self, slug: &str) -> bool {
        self.by_slug.contains_key(slug)
    }

    /// The position of the record of `slug` in `language`, else of its original (the default
    /// language's record); `None` for a slug the bundle does not have.
    pub fn position(&self, slug: &str, language: &Language) -> Option<usize> {
        let records = self.by_slug.get(slug)?;
        records
            .iter()
            .find(|(lang, _)| lang == language)
            .or_else(|| records.first())
            .map(|&(_, i)| i)
    }

    /// The record of `slug` in `language`, else its original (see [`RecordIndex::position`]).
    pub fn find<'b>(
        &self,
        bundle: &'b Bundle,
        slug: &str,
        language: &Language,
    ) -> Option<&'b BundleArticle> {
        self.position(slug, language)
            .and_then(|i| bundle.articles.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_are_parsed_lowercase_and_nothing_else_is_one() {
        assert_eq!(Language::parse("en-GB").unwrap().as_str(), "en-gb");
        assert_eq!(Language::parse(" nl ").unwrap().as_str(), "nl");
        assert_eq!(Language::parse("nl-BE").unwrap().primary(), "nl");
        for bad in [
            "",
            "e",
            "english",
            "e1",
            "nl_NL",
            "nl-",
            "<script>",
            "en-toolongsubtag",
        ] {
            assert!(Language::parse(bad).is_err(), "{bad}");
        }
    }
}
