//! Full-text search for a static host: a compact inverted index of every published article,
//! written from the article model as a few JSON files that `static/search.js` reads.
//!
//! Why our own index rather than Pagefind: Pagefind re-tokenises every record, compresses a
//! fragment file per page and ships a WebAssembly runtime; on a 1,000-article site it took ~85 %
//! of the build and most of its memory. This index is a pure function of the library, built in
//! parallel, a few bytes per (word, article) pair, and needs no `'wasm-unsafe-eval'` in the
//! Content-Security-Policy.
//!
//! Layout under `/search/`:
//! - `index.json`: `{"version", "articles", "shards", "chunk", "stem"}`, read first;
//! - `shard-<k>.json`: `{term: [article, weight, article, weight, …]}` for the terms whose
//!   FNV-1a hash (of the UTF-8 bytes) is `k` modulo `shards`, so a query fetches one small file
//!   per word whatever the site's size;
//! - `docs-<k>.json`: `[[url, title, category, description], …]` for articles `k × chunk ..`;
//! - `words.json`: every word as written (not stemmed), for correcting misspellings (a misspelt
//!   word otherwise matches nothing).
//!
//! `search.js` repeats [`terms`] (split, lower-case, [`stem`]) and [`fnv1a`]: the two must stay in
//! step, which the e2e suite checks by searching for a misspelt and an inflected word.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::article::Article;
use crate::config::SiteConfig;
use crate::library::Library;

/// Where the vocabulary for typo correction is written.
pub const WORDS_PATH: &str = "/search/words.json";
/// The file `search.js` reads first.
pub const MANIFEST_PATH: &str = "/search/index.json";
/// Bumped when the file layout changes, so a cached old `search.js` can tell.
const VERSION: u32 = 1;
/// Articles per `docs-<k>.json`: a results page needs at most a few of these files.
const DOCS_CHUNK: usize = 500;
/// Distinct terms aimed at per shard: a shard stays a few tens of KiB.
const TERMS_PER_SHARD: usize = 400;

/// How much one occurrence of a word counts, by where it occurs.
const TITLE_WEIGHT: u32 = 8;
const LABEL_WEIGHT: u32 = 4;
const BODY_WEIGHT: u32 = 1;
/// A word repeated all over one article does not drown the title matches of others.
const MAX_WEIGHT: u32 = 60;

#[derive(Serialize)]
struct Manifest {
    version: u32,
    articles: usize,
    shards: u32,
    chunk: usize,
    stem: bool,
}

/// The search files: (site path, bytes), in a fixed order.
pub fn build(library: &Library, config: &SiteConfig) -> Vec<(String, Vec<u8>)> {
    let stemming = stems(&config.language);
    let per_article: Vec<Vec<(String, u32)>> = library
        .articles
        .par_iter()
        .map(|article| weighted_terms(article, config, stemming))
        .collect();

    let mut postings: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (doc, terms) in per_article.iter().enumerate() {
        for (term, weight) in terms {
            let list = postings.entry(term.as_str()).or_default();
            list.push(doc as u32);
            list.push(*weight);
        }
    }
    let shards = postings.len().div_ceil(TERMS_PER_SHARD).max(1) as u32;
    let mut sharded: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); shards as usize];
    for (term, list) in postings {
        sharded[(fnv1a(term) % shards) as usize].insert(term, list);
    }

    let mut files = vec![(
        MANIFEST_PATH.to_owned(),
        json(&Manifest {
            version: VERSION,
            articles: library.articles.len(),
            shards,
            chunk: DOCS_CHUNK,
            stem: stemming,
        }),
    )];
    files.extend(
        sharded
            .iter()
            .enumerate()
            .map(|(k, shard)| (format!("/search/shard-{k}.json"), json(shard))),
    );
    files.extend(
        library
            .articles
            .chunks(DOCS_CHUNK)
            .enumerate()
            .map(|(k, chunk)| {
                let docs: Vec<(String, &str, &str, &str)> = chunk
                    .iter()
                    .map(|a| {
                        (
                            a.url(),
                            a.title.as_str(),
                            category_name(a, config),
                            a.description.as_str(),
                        )
                    })
                    .collect();
                (format!("/search/docs-{k}.json"), json(&docs))
            }),
    );
    files.push((WORDS_PATH.to_owned(), vocabulary(library)));
    files
}

fn category_name<'a>(article: &'a Article, config: &'a SiteConfig) -> &'a str {
    config
        .category(&article.category)
        .map_or(article.category.as_str(), |c| c.name.as_str())
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("search files are plain strings and numbers")
}

/// English suffix stripping is only right for English sites.
fn stems(language: &str) -> bool {
    language == "en" || language.starts_with("en-")
}

/// Each distinct term of an article and its weight, sorted by term.
fn weighted_terms(article: &Article, config: &SiteConfig, stemming: bool) -> Vec<(String, u32)> {
    let mut weights: HashMap<String, u32> = HashMap::new();
    let mut add = |text: &str, weight: u32| {
        for term in terms(text, stemming) {
            let entry = weights.entry(term).or_default();
            *entry = (*entry + weight).min(MAX_WEIGHT);
        }
    };
    add(&article.title, TITLE_WEIGHT);
    add(&article.description, LABEL_WEIGHT);
    add(category_name(article, config), LABEL_WEIGHT);
    for tag in &article.tags {
        add(&tag.name, LABEL_WEIGHT);
    }
    add(&article.body.intro_text, BODY_WEIGHT);
    for step in &article.body.steps {
        add(&step.text, BODY_WEIGHT);
    }
    add(&article.body.escalation_text, BODY_WEIGHT);
    let mut list: Vec<(String, u32)> = weights.into_iter().collect();
    list.sort_unstable();
    list
}

/// The terms of a text: runs of letters and digits, lower-cased, stemmed, 2+ characters.
pub fn terms(text: &str, stemming: bool) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().nth(1).is_some())
        .map(move |word| {
            let lower = word.to_lowercase();
            if stemming {
                stem(&lower).to_owned()
            } else {
                lower
            }
        })
}

/// A deliberately small English stemmer: plurals and `-ing`/`-ed`, so "printers" finds
/// "printer" and "syncing" finds "sync". Both the index and the query go through it, so it need
/// not produce real words, only the same stem for the common inflections.
pub fn stem(word: &str) -> &str {
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

/// FNV-1a (32 bits) of the UTF-8 bytes: tiny, and `search.js` computes the same value.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Every word (lower-case, letters only, 3+ characters) an article's searchable text holds,
/// sorted: the page corrects a query word that is not among them to the closest one that is.
fn vocabulary(library: &Library) -> Vec<u8> {
    let words: BTreeSet<String> = library
        .articles
        .par_iter()
        .map(|article| {
            let mut words = BTreeSet::new();
            let mut add = |text: &str| {
                for word in text.split(|c: char| !c.is_alphabetic()) {
                    if word.chars().nth(2).is_some() {
                        words.insert(word.to_lowercase());
                    }
                }
            };
            add(&article.title);
            add(&article.description);
            add(&article.body.intro_text);
            for step in &article.body.steps {
                add(&step.text);
            }
            add(&article.body.escalation_text);
            for tag in &article.tags {
                add(&tag.name);
            }
            words
        })
        .reduce(BTreeSet::new, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        });
    json(&words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_stem() {
        for (a, b) in [
            ("printers", "printer"),
            ("passwords", "password"),
            ("syncing", "sync"),
            ("locked", "lock"),
            ("batteries", "battery"),
            ("addresses", "address"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        // Short words and words that only look inflected stay as they are.
        assert_eq!(stem("vpn"), "vpn");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("access"), "access");
        assert_eq!(stem("red"), "red");
    }

    #[test]
    fn terms_are_lower_case_words_of_two_or_more_characters() {
        let found: Vec<String> = terms("Outlook won't start: a 2FA code, Wi-Fi", true).collect();
        assert_eq!(
            found,
            ["outlook", "won", "start", "2fa", "code", "wi", "fi"]
        );
        let plain: Vec<String> = terms("Printers", false).collect();
        assert_eq!(plain, ["printers"]);
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // From the FNV reference test suite (32-bit FNV-1a).
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
