//! The knowledge-base **bundle**: the one definition of what the generator hands the ask function.
//!
//! The generator writes a [`Bundle`] as JSON next to the site (`tryfirst-bundle.json`); the ask
//! function loads it once at cold start and looks an article's steps up by slug and the page's
//! language ([`RecordIndex`]). Steps are never taken from the browser: a visitor could send
//! anything, the bundle is what we published.
//!
//! Both programs depend on this crate, so a field added here is added for both, and the JSON
//! schema (documented in `docs/bundle.md`) cannot drift between writer and reader.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod language;
pub mod retrieval;
pub mod text;

pub use language::{Language, NotALanguage, RecordIndex};

/// Version of the bundle format. Bumped on any incompatible change so the reader can refuse a
/// bundle it does not understand instead of misreading it.
///
/// 2: records and the head carry their language (a site in two languages has a record per
/// article and language). A format-2 bundle given to a format-1 reader is refused by its format
/// check with "rebuild the site", not by an unknown field.
pub const BUNDLE_FORMAT: u32 = 2;

/// The formats this version reads: format 1 (no language fields) is read as a bundle in one
/// language, English, so a bundle written before languages existed still loads.
pub const READABLE_FORMATS: [u32; 2] = [1, BUNDLE_FORMAT];

/// File name the generator writes the bundle under, inside the output directory.
pub const BUNDLE_FILE_NAME: &str = "tryfirst-bundle.json";

/// File name of the bundle's search index ([`retrieval::file`]), written beside the bundle:
/// the function looks for it in the bundle's folder, whatever the bundle's own name.
pub const INDEX_FILE_NAME: &str = "tryfirst-index.bin";

/// Which bundle a search index file was built from: the bundle file's length and CRC-32. The
/// function uses an index file only with the bundle of the same fingerprint, so a bundle copied
/// without its index, or rewritten alone (`tryfirst serve` does), never gets another's index.
/// CRC-32, not a cryptographic hash: it guards against mistakes, not tampering (whoever can
/// write the bundle decides the answers anyway), and it hashes 46 MB in a few milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BundleFingerprint {
    bytes: u64,
    crc32: u32,
}

impl BundleFingerprint {
    /// The fingerprint of a whole bundle file.
    pub fn of(file: &[u8]) -> Self {
        let mut fingerprinting = Fingerprinting::new(std::io::sink());
        fingerprinting.write_all(file).expect("writing to a sink");
        fingerprinting.fingerprint()
    }
}

/// A writer that fingerprints what goes through it.
struct Fingerprinting<W> {
    out: W,
    bytes: u64,
    crc32: crc32fast::Hasher,
}

impl<W> Fingerprinting<W> {
    fn new(out: W) -> Self {
        Self {
            out,
            bytes: 0,
            crc32: crc32fast::Hasher::new(),
        }
    }

    fn fingerprint(&self) -> BundleFingerprint {
        BundleFingerprint {
            bytes: self.bytes,
            crc32: self.crc32.clone().finalize(),
        }
    }
}

impl<W: Write> Write for Fingerprinting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf)?;
        self.crc32.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// How risky it is for a visitor to follow an article on their own.
///
/// The page shows it as a badge and the AI leans on it: a `high` article makes the AI slow to
/// recommend anything beyond the published steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    pub const ALL: [Risk; 3] = [Risk::Low, Risk::Medium, Risk::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `low`, `medium`, `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown risk level `{0}`: use \"low\", \"medium\" or \"high\"")]
pub struct UnknownRisk(pub String);

impl FromStr for Risk {
    type Err = UnknownRisk;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Risk::ALL
            .into_iter()
            .find(|risk| risk.as_str() == s)
            .ok_or_else(|| UnknownRisk(s.to_owned()))
    }
}

/// One published article, as the ask function needs it: everything to ground an answer, nothing
/// about presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleArticle {
    /// Stable identifier: the article's file name without `.md`. A translation keeps its
    /// original's slug (the article's identity across languages), whatever its own URL.
    pub slug: String,
    /// The language this record is written in. Absent in format 1: English.
    #[serde(default)]
    pub language: Language,
    /// Absolute URL of the article page in this record's language.
    pub url: String,
    /// The question the article answers.
    pub title: String,
    pub description: String,
    /// Category slug.
    pub category: String,
    pub tags: Vec<String>,
    pub risk: Risk,
    /// The intro paragraph(s) as plain text.
    pub intro: String,
    /// The "Try this first" steps, in order, as plain text (Markdown formatting removed).
    pub steps: Vec<String>,
    /// The "When to bring us in" section as plain text.
    pub escalation: String,
    /// Slugs of the articles the page lists under "See also", in page order.
    pub see_also: Vec<String>,
    /// `YYYY-MM-DD`.
    pub updated: String,
    /// Hash of the article's source file; the page carries the same value, so a question can be
    /// tied to the exact version the visitor read.
    pub content_hash: String,
}

impl BundleArticle {
    /// This article's record, serialised once, to be handed to a [`BundleWriter`] (which may
    /// run on another thread than the one that made it).
    pub fn to_json(&self) -> ArticleJson {
        ArticleJson(serde_json::to_vec(self).expect("an article always serialises"))
    }
}

/// One [`BundleArticle`] as compact JSON; made only by [`BundleArticle::to_json`], so a
/// [`BundleWriter`] never writes anything else into the `articles` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleJson(Vec<u8>);

/// Writes a bundle's JSON one article at a time: a site's generator streams the bundle of
/// 10,000 articles (tens of MiB) to its file without ever holding it, or every article's
/// text, in memory. The bytes are those of [`Bundle::to_json`]; their fingerprint is taken on
/// the way, for the bundle's search index file.
pub struct BundleWriter<W: std::io::Write> {
    out: Fingerprinting<W>,
    /// `]}`: what closes the `articles` list and the object.
    tail: Vec<u8>,
    first: bool,
}

impl<W: std::io::Write> BundleWriter<W> {
    /// Writes `head` (its own articles included) up to where more articles go.
    pub fn new(out: W, head: &Bundle) -> std::io::Result<Self> {
        let mut out = Fingerprinting::new(out);
        let whole = serde_json::to_vec(head)
            .expect("a bundle always serialises: no maps with non-string keys");
        // `articles` is the last field: the JSON ends with its closing `]` and the object's `}`.
        let (start, tail) = whole.split_at(whole.len() - 2);
        debug_assert_eq!(tail, b"]}");
        out.write_all(start)?;
        Ok(Self {
            out,
            tail: tail.to_vec(),
            first: head.articles.is_empty(),
        })
    }

    /// Appends one article to the `articles` list.
    pub fn push(&mut self, article: &ArticleJson) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(&article.0)
    }

    /// Closes the list and the object; returns the writer (flushed) and the fingerprint of
    /// everything written.
    pub fn finish(mut self) -> std::io::Result<(W, BundleFingerprint)> {
        self.out.write_all(&self.tail)?;
        self.out.flush()?;
        let fingerprint = self.out.fingerprint();
        Ok((self.out.out, fingerprint))
    }
}

/// Every published article of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`] when written by this version.
    pub format: u32,
    pub site_title: String,
    pub base_url: String,
    pub company_name: String,
    /// The company's phone number as written in `site.toml` (`[company] phone`): incident
    /// answers open with it. Empty when the site has none (bundles written before it existed).
    #[serde(default)]
    pub company_phone: String,
    /// The site's default language: the original of every article is in it, and a question
    /// from a page of a language without a translation is grounded in it. Absent in format 1:
    /// English.
    #[serde(default)]
    pub default_language: Language,
    /// Every language with records, the default first. Absent in format 1 (and read as just
    /// the default language).
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Each language's home page by language code, on a site with more than one language:
    /// where the general form's answer page links back to (`base_url/` otherwise).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub homes: std::collections::BTreeMap<String, String>,
    /// Sorted by slug (then by language), so the file is byte-stable across builds. Must stay
    /// the last field: [`BundleWriter`] streams the articles after everything else.
    pub articles: Vec<BundleArticle>,
}

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the bundle is not valid JSON for format {BUNDLE_FORMAT}: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the bundle has format {found}, this program reads formats 1 and {BUNDLE_FORMAT}; rebuild the site with the same tryfirst version")]
    Format { found: u32 },
    #[error("the bundle lists slug `{slug}` twice in language `{language}`")]
    DuplicateSlug { slug: String, language: Language },
    #[error("the bundle's record of `{slug}` is in `{language}`, which is not among its languages ({languages})")]
    UnlistedLanguage {
        slug: String,
        language: Language,
        languages: String,
    },
    #[error("the bundle's default language `{0}` is not the first of its languages")]
    DefaultLanguage(Language),
    #[error("the bundle has `{slug}` in `{language}` but not in its default language `{default}`: a translation needs its original")]
    MissingOriginal {
        slug: String,
        language: Language,
        default: Language,
    },
}

impl Bundle {
    /// The home page of `language`'s pages: its own on a site with several languages, else
    /// the site's.
    pub fn home_of(&self, language: &Language) -> String {
        self.homes
            .get(language.as_str())
            .cloned()
            .unwrap_or_else(|| format!("{}/", self.base_url))
    }

    /// Parses and checks a bundle. Pure: the caller reads the file.
    pub fn from_json(json: &str) -> Result<Self, BundleError> {
        let mut bundle: Bundle = serde_json::from_str(json)?;
        if !READABLE_FORMATS.contains(&bundle.format) {
            return Err(BundleError::Format {
                found: bundle.format,
            });
        }
        if bundle.languages.is_empty() {
            bundle.languages.push(bundle.default_language.clone());
        }
        if bundle.languages.first() != Some(&bundle.default_language) {
            return Err(BundleError::DefaultLanguage(bundle.default_language));
        }
        let mut seen = std::collections::HashSet::new();
        for article in &bundle.articles {
            if !bundle.languages.contains(&article.language) {
                return Err(BundleError::UnlistedLanguage {
                    slug: article.slug.clone(),
                    language: article.language.clone(),
                    languages: bundle
                        .languages
                        .iter()
                        .map(Language::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            if !seen.insert((article.slug.as_str(), &article.language)) {
                return Err(BundleError::DuplicateSlug {
                    slug: article.slug.clone(),
                    language: article.language.clone(),
                });
            }
        }
        for article in &bundle.articles {
            if !seen.contains(&(article.slug.as_str(), &bundle.default_language)) {
                return Err(BundleError::MissingOriginal {
                    slug: article.slug.clone(),
                    language: article.language.clone(),
                    default: bundle.default_language.clone(),
                });
            }
        }
        Ok(bundle)
    }

    /// The language of `code` if the bundle has records in it.
    pub fn language(&self, code: &Language) -> Option<&Language> {
        self.languages.iter().find(|language| *language == code)
    }

    /// Compact JSON: the bundle of a 10,000-article site is tens of MiB, read by a machine on
    /// every cold start; indentation would add a fifth to its size and to the build's time.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .expect("a bundle always serialises: no maps with non-string keys")
    }

    /// The default language's record of every slug (the originals), by slug. For lookups in
    /// a visitor's language, with the fallback to the original, see [`RecordIndex`].
    pub fn index(&self) -> HashMap<&str, &BundleArticle> {
        self.articles
            .iter()
            .filter(|article| article.language == self.default_language)
            .map(|article| (article.slug.as_str(), article))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(slug: &str) -> BundleArticle {
        BundleArticle {
            slug: slug.into(),
            language: Language::english(),
            url: format!("https://example.test/{slug}/"),
            title: "What if?".into(),
            description: "d".into(),
            category: "accounts".into(),
            tags: vec!["mfa".into()],
            risk: Risk::High,
            intro: "intro".into(),
            steps: vec!["one".into(), "two".into()],
            escalation: "call us".into(),
            see_also: vec![],
            updated: "2026-11-20".into(),
            content_hash: "abc".into(),
        }
    }

    fn bundle(articles: Vec<BundleArticle>) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT,
            site_title: "Help".into(),
            base_url: "https://example.test".into(),
            company_name: "Co".into(),
            company_phone: "+31 20 000 0000".into(),
            default_language: Language::english(),
            languages: vec![Language::english()],
            homes: Default::default(),
            articles,
        }
    }

    #[test]
    fn round_trips_through_json() {
        let original = bundle(vec![article("a"), article("b")]);
        let parsed = Bundle::from_json(&original.to_json()).unwrap();
        assert_eq!(parsed, original);
        assert_eq!(parsed.index()["b"].steps, vec!["one", "two"]);
    }

    #[test]
    fn risk_is_lowercase_on_the_wire() {
        let json = original_json();
        assert!(json.contains(r#""risk":"high""#), "{json}");
    }

    fn original_json() -> String {
        bundle(vec![article("a")]).to_json()
    }

    #[test]
    fn a_bundle_without_a_phone_still_reads() {
        let json = original_json().replace(r#""company_phone":"+31 20 000 0000","#, "");
        assert!(!json.contains("company_phone"), "{json}");
        assert_eq!(Bundle::from_json(&json).unwrap().company_phone, "");
    }

    #[test]
    fn refuses_another_format() {
        let json = original_json().replace(r#""format":2"#, r#""format":99"#);
        assert!(matches!(
            Bundle::from_json(&json),
            Err(BundleError::Format { found: 99 })
        ));
    }

    #[test]
    fn json_made_one_article_at_a_time_is_the_same() {
        let whole = bundle(vec![article("a"), article("b"), article("c")]);
        let mut head = whole.clone();
        let records = |articles: Vec<BundleArticle>| -> Vec<ArticleJson> {
            articles.iter().map(BundleArticle::to_json).collect()
        };
        let streamed = |head: &Bundle, more: &[ArticleJson]| -> Vec<u8> {
            let mut writer = BundleWriter::new(Vec::new(), head).unwrap();
            for record in more {
                writer.push(record).unwrap();
            }
            writer.finish().unwrap().0
        };
        let rest = records(head.articles.split_off(1));
        assert_eq!(streamed(&head, &rest), whole.to_json().into_bytes());
        let mut empty = whole.clone();
        let all = records(std::mem::take(&mut empty.articles));
        assert_eq!(streamed(&empty, &all), whole.to_json().into_bytes());
        assert_eq!(streamed(&empty, &[]), empty.to_json().into_bytes());
    }

    /// The generator fingerprints the bundle as it streams it; the function, the whole file.
    #[test]
    fn a_streamed_bundle_has_the_fingerprint_of_its_bytes() {
        let whole = bundle(vec![article("a"), article("b")]);
        let mut writer = BundleWriter::new(Vec::new(), &bundle(vec![article("a")])).unwrap();
        writer.push(&article("b").to_json()).unwrap();
        let (bytes, fingerprint) = writer.finish().unwrap();
        assert_eq!(bytes, whole.to_json().into_bytes());
        assert_eq!(fingerprint, BundleFingerprint::of(&bytes));
        let mut other = bytes.clone();
        other[bytes.len() / 2] ^= 1;
        assert_ne!(BundleFingerprint::of(&other), fingerprint);
        assert_ne!(BundleFingerprint::of(&bytes[1..]), fingerprint);
    }

    #[test]
    fn refuses_duplicate_slugs() {
        let json = bundle(vec![article("a"), article("a")]).to_json();
        assert!(matches!(
            Bundle::from_json(&json),
            Err(BundleError::DuplicateSlug { slug, .. }) if slug == "a"
        ));
    }

    fn nl() -> Language {
        Language::parse("nl").unwrap()
    }

    /// `a` in English and Dutch, `b` in English only.
    fn two_languages() -> Bundle {
        let mut dutch = article("a");
        dutch.language = nl();
        dutch.url = "https://example.test/nl/a-nl/".into();
        dutch.steps = vec!["een".into(), "twee".into()];
        let mut both = bundle(vec![article("a"), dutch, article("b")]);
        both.languages.push(nl());
        both
    }

    /// What `tryfirst build` wrote before format 2, byte for byte in its shape: no language
    /// anywhere. It must still load, as English.
    #[test]
    fn a_format_1_bundle_without_languages_still_loads_as_english() {
        let old = r#"{"format":1,"site_title":"Help","base_url":"https://example.test","company_name":"Co","company_phone":"","articles":[{"slug":"a","url":"https://example.test/a/","title":"What if?","description":"d","category":"accounts","tags":[],"risk":"low","intro":"","steps":["one"],"escalation":"","see_also":[],"updated":"2026-11-20","content_hash":"abc"}]}"#;
        let bundle = Bundle::from_json(old).unwrap();
        assert_eq!(bundle.default_language, Language::english());
        assert_eq!(bundle.languages, [Language::english()]);
        assert_eq!(bundle.articles[0].language, Language::english());
        let index = RecordIndex::new(&bundle);
        assert_eq!(index.find(&bundle, "a", &nl()).unwrap().steps, ["one"]);
    }

    #[test]
    fn the_language_fields_are_written_and_read_back() {
        let both = two_languages();
        let json = both.to_json();
        assert!(
            json.contains(r#""default_language":"en","languages":["en","nl"],"articles":[{"slug":"a","language":"en","url""#),
            "{json}"
        );
        assert_eq!(Bundle::from_json(&json).unwrap(), both);
    }

    #[test]
    fn a_record_is_found_in_the_language_asked_for_else_the_original() {
        let both = Bundle::from_json(&two_languages().to_json()).unwrap();
        let index = RecordIndex::new(&both);
        assert_eq!(
            index.find(&both, "a", &nl()).unwrap().steps,
            ["een", "twee"]
        );
        assert_eq!(
            index.find(&both, "a", &Language::english()).unwrap().steps,
            ["one", "two"]
        );
        let fallback = index.find(&both, "b", &nl()).unwrap();
        assert_eq!(
            (fallback.language.as_str(), fallback.url.as_str()),
            ("en", "https://example.test/b/"),
            "no Dutch `b`: the English original"
        );
        let german = Language::parse("de").unwrap();
        assert_eq!(
            index.find(&both, "a", &german).unwrap().language,
            Language::english()
        );
        assert!(index.find(&both, "c", &nl()).is_none());
        assert_eq!(
            both.index()["a"].language,
            Language::english(),
            "index() holds originals"
        );
    }

    #[test]
    fn languages_are_checked_on_read() {
        let mut orphan = two_languages();
        orphan.articles.remove(0);
        assert!(matches!(
            Bundle::from_json(&orphan.to_json()),
            Err(BundleError::MissingOriginal { slug, .. }) if slug == "a"
        ));
        let mut unlisted = two_languages();
        unlisted.languages.pop();
        assert!(matches!(
            Bundle::from_json(&unlisted.to_json()),
            Err(BundleError::UnlistedLanguage { slug, .. }) if slug == "a"
        ));
        let mut twice = two_languages();
        let copy = twice.articles[1].clone();
        twice.articles.push(copy);
        assert!(matches!(
            Bundle::from_json(&twice.to_json()),
            Err(BundleError::DuplicateSlug { slug, language }) if slug == "a" && language == nl()
        ));
        let mut default_not_first = two_languages();
        default_not_first.languages.reverse();
        assert!(matches!(
            Bundle::from_json(&default_not_first.to_json()),
            Err(BundleError::DefaultLanguage(_))
        ));
    }

    #[test]
    fn parses_risk_levels() {
        assert_eq!("medium".parse::<Risk>().unwrap(), Risk::Medium);
        assert_eq!(
            "severe".parse::<Risk>().unwrap_err().to_string(),
            "unknown risk level `severe`: use \"low\", \"medium\" or \"high\""
        );
    }
}
