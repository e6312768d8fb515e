//! Which stemmer a language's search index is written with. The manifest names it, and
//! `search.js` stems a query with the same algorithm: a query term must be the index's term.
//!
//! - English: the small suffix stripper [`english`], kept rather than Snowball English: the
//!   English index stays byte-identical, the English search page loads no stemmer script, and
//!   this is the hot path of a 10,000-article build. It only has to give one stem to the
//!   inflections visitors type ("printers", "syncing"), which it does.
//! - Dutch: Snowball Dutch as `rust-stemmers` 1.2 implements it, through
//!   [`kb_model::text::dutch_stem`], the stemmer the question function uses. That is Snowball's
//!   Dutch algorithm before Snowball 3.0 (since then called `dutch_porter`; Snowball 3's `dutch`
//!   is another algorithm). `search.js` runs it from `static/snowball-dutch.js`, vendored from
//!   `@orama/stemmers` (Snowball's own generated JavaScript): the shared test vectors
//!   (`tests/fixtures/search-vectors.json`) hold every word of our Dutch articles, and both
//!   sides must give each its stem.
//! - Any other language: no stemming, words are matched as written.

use std::borrow::Cow;

/// A search index's stemming, named in its manifest (`"stem"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stemmer {
    /// Words as written (lower-cased).
    None,
    /// [`english`].
    English,
    /// Snowball Dutch (`rust-stemmers`), words with a digit kept as written.
    Dutch,
}

impl Stemmer {
    /// Every stemmer, for what needs to know their scripts.
    pub const ALL: [Stemmer; 3] = [Stemmer::None, Stemmer::English, Stemmer::Dutch];

    /// The stemmer for pages in `language` (`site.toml`'s language tag: "en", "nl-BE", …).
    pub fn for_language(language: &str) -> Stemmer {
        let is = |code: &str| {
            language == code
                || language
                    .strip_prefix(code)
                    .is_some_and(|rest| rest.starts_with('-'))
        };
        if is("en") {
            Stemmer::English
        } else if is("nl") {
            Stemmer::Dutch
        } else {
            Stemmer::None
        }
    }

    /// The name the manifest gives it, which `search.js` looks up.
    pub fn name(self) -> &'static str {
        match self {
            Stemmer::None => "none",
            Stemmer::English => "tryfirst-english",
            Stemmer::Dutch => "snowball-dutch",
        }
    }

    /// The stemmer a manifest's `"stem"` names; the bool of index version 2 too.
    pub fn from_name(name: &serde_json::Value) -> Option<Stemmer> {
        match name {
            serde_json::Value::Bool(true) => Some(Stemmer::English),
            serde_json::Value::Bool(false) => Some(Stemmer::None),
            serde_json::Value::String(name) => [Stemmer::None, Stemmer::English, Stemmer::Dutch]
                .into_iter()
                .find(|stemmer| stemmer.name() == name),
            _ => None,
        }
    }

    /// The theme's static file `search.js` imports to stem a query, if this stemmer needs one
    /// (the English stemmer is written into `search.js`).
    pub fn script(self) -> Option<&'static str> {
        match self {
            Stemmer::Dutch => Some("snowball-dutch.js"),
            Stemmer::None | Stemmer::English => None,
        }
    }

    /// The stem of a lower-case word.
    pub fn stem(self, word: &str) -> Cow<'_, str> {
        match self {
            Stemmer::None => Cow::Borrowed(word),
            Stemmer::English => Cow::Borrowed(english(word)),
            // As the question function does with English stems: "win11" and "0x80070005" are
            // names, not words with endings.
            Stemmer::Dutch if word.chars().any(|c| !c.is_alphabetic()) => Cow::Borrowed(word),
            Stemmer::Dutch => kb_model::text::dutch_stem(word),
        }
    }
}

/// A deliberately small English stemmer: plurals and `-ing`/`-ed`, so "printers" finds
/// "printer" and "syncing" finds "sync". Both the index and the query go through it, so it need
/// not produce real words, only the same stem for the common inflections.
pub fn english(word: &str) -> &str {
    let chars = word.chars().count();
    if chars <= 3 {
        return word;
    }
    let word = if let Some(base) = word.strip_suffix("ies").filter(|_| chars > 4) {
        // "batteries" → "batter" + "y" would need an allocation; "batter" is as good a stem as
        // long as "battery" maps to it too.
        return base;
    } else if word.ends_with("sses") {
        &word[..word.len() - 2]
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        &word[..word.len() - 1]
    } else {
        word
    };
    if let Some(base) = word.strip_suffix('y').filter(|_| chars > 4) {
        return base;
    }
    for suffix in ["ing", "ed"] {
        if let Some(base) = word.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return base;
            }
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_tag_chooses_the_stemmer() {
        for (language, stemmer) in [
            ("en", Stemmer::English),
            ("en-GB", Stemmer::English),
            ("nl", Stemmer::Dutch),
            ("nl-BE", Stemmer::Dutch),
            ("de", Stemmer::None),
            ("nld", Stemmer::None),
            ("english", Stemmer::None),
        ] {
            assert_eq!(Stemmer::for_language(language), stemmer, "{language}");
        }
    }

    #[test]
    fn manifests_name_their_stemmer_and_old_ones_stay_readable() {
        for stemmer in [Stemmer::None, Stemmer::English, Stemmer::Dutch] {
            assert_eq!(Stemmer::from_name(&stemmer.name().into()), Some(stemmer));
        }
        assert_eq!(Stemmer::from_name(&true.into()), Some(Stemmer::English));
        assert_eq!(Stemmer::from_name(&false.into()), Some(Stemmer::None));
        assert_eq!(Stemmer::from_name(&"porter".into()), None);
    }

    #[test]
    fn dutch_inflections_meet_and_names_with_digits_are_kept() {
        let dutch = |word| Stemmer::Dutch.stem(word).into_owned();
        assert_eq!(dutch("wachtwoorden"), dutch("wachtwoord"));
        assert_eq!(dutch("wachtwoord"), "wachtwoord");
        assert_eq!(dutch("apparaten"), dutch("apparaat"));
        assert_eq!(dutch("win11"), "win11");
        assert_eq!(dutch("aadsts50053"), "aadsts50053");
    }
}
