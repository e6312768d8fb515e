//! Full-text search for a static host: a compact inverted index of every published article,
//! written from the article model as a few JSON files that `static/search.js` reads.
//!
//! Why our own index rather than Pagefind: Pagefind re-tokenises every record, compresses a
//! fragment file per page and ships a WebAssembly runtime; on a 1,000-article site it took ~85 %
//! of the build and most of its memory. This index is a pure function of the library, built in
//! parallel, a few bytes per (word, article) pair, and needs no `'wasm-unsafe-eval'` in the
//! Content-Security-Policy.
//!
//! Layout under `/search/`, one such folder per language (under the language's path prefix,
//! [`dir`]): each language's index holds its own articles, stemmed its way ([`Stemmer`]):
//! - `index.json`: `{"version", "articles", "shards", "chunk", "text_chunk", "stem"}`, read
//!   first; `"stem"` names the stemmer ([`Stemmer::name`]);
//! - `shard-<k>.json`: `{term: [article, weight, article, weight, …]}` for the terms whose
//!   FNV-1a hash (of the UTF-8 bytes) is `k` modulo `shards`, so a query fetches one small file
//!   per word whatever the site's size;
//! - `docs-<k>.json`: `[[url, title, category, description], …]` for articles `k × chunk ..`;
//! - `words.json`: every word as written (not stemmed), for correcting misspellings (a misspelt
//!   word otherwise matches nothing);
//! - `text-<k>.json`: `[text, …]` for articles `k × text_chunk ..`: the start of each article's
//!   text (intro, steps, when to bring us in; at most [`TEXT_LIMIT`] bytes), from which a
//!   result's excerpt around the matched words is cut. Small chunks: a results page fetches
//!   only those of the articles it shows.
//!
//! `search.js` repeats [`terms`] (split, lower-case, [`Stemmer::stem`]) and [`fnv1a`]: the two
//! must stay in step. Both are tested against one file of vectors,
//! `tests/fixtures/search-vectors.json` (words → stems for each stemmer, texts → terms and
//! hashes), and the e2e suite searches for a misspelt and an inflected word. The search page
//! gives `search.js` its language's index (`data-index`) and stemmer script (`data-stemmer`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::content::markdown::Body;
use crate::library::Library;

pub(crate) mod live;
mod stemming;

pub use stemming::{english as stem, Stemmer};

/// Bumped when the file layout changes, so a cached old `search.js` can tell. 3: `"stem"` is
/// the stemmer's name, no longer a bool.
const VERSION: u32 = 3;
/// Articles per `text-<k>.json`.
const TEXT_CHUNK: usize = 50;
/// How much of an article's text the excerpts are cut from: its first screen or so, where the
/// steps are. Keeps the text files about a KiB per article.
pub const TEXT_LIMIT: usize = 1200;
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
    text_chunk: usize,
    stem: &'static str,
}

/// The folder of one language's search files: `/search/` under the language's path prefix
/// (`""` for the default language, `"/nl"` for one under `/nl/`).
pub fn dir(prefix: &str) -> String {
    format!("{prefix}/search/")
}

/// The manifest of one language's index (see [`dir`]): what the search page's `data-index`
/// gives `search.js`, which finds the other files beside it.
pub fn manifest_path(prefix: &str) -> String {
    format!("{}index.json", dir(prefix))
}

/// What the index holds of one article. A pure function of the article (and the site's category
/// names), so `serve` can keep it between edits and recompute only the edited article's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Each distinct term and its weight, sorted by term.
    terms: Vec<(String, u32)>,
    /// Each distinct word as written (lower-cased, unstemmed), for typo correction.
    words: Vec<String>,
    /// The start of the article's text, for excerpts (see [`TEXT_LIMIT`]).
    text: String,
}

/// The index entry of one article, whose body is `body`: its text is read once, for both its
/// terms and its words.
pub fn entry(article: &ArticleHead, body: &Body, config: &SiteConfig) -> Entry {
    let mut collector = Collector::default();
    collector.add(&article.title, TITLE_WEIGHT);
    collector.add(&article.description, LABEL_WEIGHT);
    // The category and tag names are searchable, but not words to correct a query to.
    collector.add_terms_only(category_name(article, config), LABEL_WEIGHT);
    for tag in &article.tags {
        collector.add(&tag.name, LABEL_WEIGHT);
    }
    collector.add(&body.intro_text, BODY_WEIGHT);
    for step in &body.steps {
        collector.add(&step.text, BODY_WEIGHT);
    }
    collector.add(&body.escalation_text, BODY_WEIGHT);
    let mut entry = collector.into_entry(Stemmer::for_language(&config.language));
    entry.text = excerpt_text(body);
    entry
}

/// Intro, steps and escalation as one line of text, cut at a word before [`TEXT_LIMIT`] bytes.
fn excerpt_text(body: &Body) -> String {
    let mut text = String::with_capacity(TEXT_LIMIT + 8);
    let parts = std::iter::once(body.intro_text.as_str())
        .chain(body.steps.iter().map(|step| step.text.as_str()))
        .chain(std::iter::once(body.escalation_text.as_str()));
    'parts: for part in parts {
        for word in part.split_whitespace() {
            if text.len() + word.len() + 1 > TEXT_LIMIT {
                break 'parts;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
    text
}

/// One article's runs of letters and digits, lower-cased, each with its weight so far. An
/// article repeats most of its words: they are stemmed and split into vocabulary words once
/// each at the end, not at every occurrence.
#[derive(Default)]
struct Collector {
    runs: FxHashMap<String, Tally>,
    buffer: String,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    weight: u32,
    /// Seen where its words belong to the vocabulary (not only in the category name).
    vocabulary: bool,
}

impl Collector {
    fn add(&mut self, text: &str, weight: u32) {
        self.add_runs(text, weight, true);
    }

    fn add_terms_only(&mut self, text: &str, weight: u32) {
        self.add_runs(text, weight, false);
    }

    fn add_runs(&mut self, text: &str, weight: u32, vocabulary: bool) {
        for_each_run(text, |run| {
            // One character is no term, and no vocabulary word (those have 3+).
            if run.chars().nth(1).is_none() {
                return;
            }
            lower_case_into(&mut self.buffer, run);
            // Most runs repeat one already seen: look up by `&str` first, so only a new one
            // costs an allocation.
            let tally = match self.runs.get_mut(self.buffer.as_str()) {
                Some(tally) => tally,
                None => self.runs.entry(self.buffer.clone()).or_default(),
            };
            // Weights only grow, so capping the sum of capped parts caps the whole.
            tally.weight = (tally.weight + weight).min(MAX_WEIGHT);
            tally.vocabulary |= vocabulary;
        });
    }

    /// The terms (each run stemmed, weights of runs with one stem added up) and the
    /// vocabulary: runs of letters only (3+); a run with digits ("win10") gives its letter
    /// parts ("win").
    fn into_entry(self, stemmer: Stemmer) -> Entry {
        // English stems are slices of the run: only a changed Dutch stem is a new string.
        let mut weights: FxHashMap<Cow<str>, u32> = FxHashMap::default();
        let mut words: FxHashSet<&str> = FxHashSet::default();
        for (run, tally) in &self.runs {
            let weight = weights.entry(stemmer.stem(run)).or_default();
            *weight = (*weight + tally.weight).min(MAX_WEIGHT);
            if !tally.vocabulary {
                continue;
            }
            if run.is_ascii() && !run.bytes().any(|b| b.is_ascii_digit()) {
                words.insert(run);
            } else {
                words.extend(run.split(|c: char| !c.is_alphabetic()));
            }
        }
        let mut terms: Vec<(String, u32)> = weights
            .into_iter()
            .map(|(term, weight)| (term.into_owned(), weight))
            .collect();
        terms.sort_unstable();
        let mut words: Vec<String> = words
            .into_iter()
            .filter(|word| word.chars().nth(2).is_some())
            .map(str::to_owned)
            .collect();
        words.sort_unstable();
        Entry {
            terms,
            words,
            text: String::new(),
        }
    }
}

/// The search files from each article's entry (`entries[i]` belongs to `library.articles[i]`),
/// under `/search/`: [`files_at`] for the default language.
pub fn files(library: &Library, config: &SiteConfig, entries: &[Entry]) -> Vec<(String, Vec<u8>)> {
    files_at(library, config, entries, "")
}

/// The search files of one language under its path `prefix` (see [`dir`]): `library` holds
/// that language's articles, `config.language` is that language, `entries` their entries.
pub fn files_at(
    library: &Library,
    config: &SiteConfig,
    entries: &[Entry],
    prefix: &str,
) -> Vec<(String, Vec<u8>)> {
    let mut index = Index::default();
    for entry in entries {
        index.add_borrowed(entry);
    }
    index.files_at(library, config, prefix)
}

/// The index being made, one article's [`Entry`] after the other, in the library's order:
/// `build` adds each article's entry as soon as its body is rendered and lets the entry go,
/// rather than holding an entry per article (hundreds of strings each) until the end.
#[derive(Default)]
pub struct Index<'e> {
    /// term → `[article, weight, article, weight, …]`. A hash map while collecting (millions
    /// of insertions); each shard is sorted once at the end.
    postings: FxHashMap<Cow<'e, str>, Vec<u32>>,
    words: FxHashSet<Cow<'e, str>>,
    /// Each article's excerpt text, in order.
    texts: Vec<Cow<'e, str>>,
    articles: u32,
}

impl<'e> Index<'e> {
    /// Adds the next article's entry, taking its strings.
    pub fn add(&mut self, entry: Entry) {
        let doc = self.next_doc();
        for (term, weight) in entry.terms {
            self.post(Cow::Owned(term), doc, weight);
        }
        for word in entry.words {
            if !self.words.contains(word.as_str()) {
                self.words.insert(Cow::Owned(word));
            }
        }
        self.texts.push(Cow::Owned(entry.text));
    }

    /// Adds the next article's entry, borrowing its strings (`serve` keeps its entries).
    pub fn add_borrowed(&mut self, entry: &'e Entry) {
        let doc = self.next_doc();
        for (term, weight) in &entry.terms {
            self.post(Cow::Borrowed(term), doc, *weight);
        }
        self.words
            .extend(entry.words.iter().map(|word| Cow::Borrowed(word.as_str())));
        self.texts.push(Cow::Borrowed(entry.text.as_str()));
    }

    fn next_doc(&mut self) -> u32 {
        self.articles += 1;
        self.articles - 1
    }

    fn post(&mut self, term: Cow<'e, str>, doc: u32, weight: u32) {
        // Most terms are already there: look up by `&str` first, so only a new term is kept.
        let list = match self.postings.get_mut(term.as_ref()) {
            Some(list) => list,
            None => self.postings.entry(term).or_default(),
        };
        list.push(doc);
        list.push(weight);
    }

    /// The search files under `/search/`, once every article of `library` was added.
    pub fn files(self, library: &Library, config: &SiteConfig) -> Vec<(String, Vec<u8>)> {
        self.files_at(library, config, "")
    }

    /// The search files under `prefix` (see [`dir`]), once every article of `library` was
    /// added; the entries were made with `config`, whose language is the index's.
    pub fn files_at(
        self,
        library: &Library,
        config: &SiteConfig,
        prefix: &str,
    ) -> Vec<(String, Vec<u8>)> {
        debug_assert_eq!(self.articles as usize, library.articles.len());
        let Index {
            postings,
            words,
            texts,
            ..
        } = self;
        let (sharded, vocabulary) = rayon::join(|| shards(postings), || vocabulary(words));
        let layout = Layout::new(prefix, library.articles.len(), sharded.len());
        let mut files = vec![layout.manifest(config)];
        files.extend(
            sharded
                .iter()
                .enumerate()
                .map(|(k, shard)| layout.shard(k, shard)),
        );
        files.extend((0..layout.docs_chunks()).map(|k| layout.docs(k, library, config)));
        files.extend(
            texts
                .chunks(TEXT_CHUNK)
                .enumerate()
                .map(|(k, chunk)| layout.text(k, chunk)),
        );
        files.push(layout.words(vocabulary));
        files
    }
}

/// Where each of one language's search files goes and what it holds: shared by the index
/// made at once ([`Index`]) and the one `serve` keeps up to date ([`live::LiveIndex`]), so
/// the two write the same bytes.
pub(crate) struct Layout {
    /// The language's path prefix (see [`dir`]).
    prefix: String,
    articles: usize,
    shards: usize,
}

impl Layout {
    pub(crate) fn new(prefix: &str, articles: usize, shards: usize) -> Self {
        Self {
            prefix: prefix.to_owned(),
            articles,
            shards,
        }
    }

    pub(crate) fn manifest_path(&self) -> String {
        manifest_path(&self.prefix)
    }

    pub(crate) fn shard_path(&self, k: usize) -> String {
        format!("{}shard-{k}.json", dir(&self.prefix))
    }

    pub(crate) fn docs_path(&self, k: usize) -> String {
        format!("{}docs-{k}.json", dir(&self.prefix))
    }

    pub(crate) fn text_path(&self, k: usize) -> String {
        format!("{}text-{k}.json", dir(&self.prefix))
    }

    pub(crate) fn words_path(&self) -> String {
        format!("{}words.json", dir(&self.prefix))
    }

    pub(crate) fn manifest(&self, config: &SiteConfig) -> (String, Vec<u8>) {
        let manifest = Manifest {
            version: VERSION,
            articles: self.articles,
            shards: self.shards as u32,
            chunk: DOCS_CHUNK,
            text_chunk: TEXT_CHUNK,
            stem: Stemmer::for_language(&config.language).name(),
        };
        (self.manifest_path(), json(&manifest))
    }

    /// Shard `k`: `terms` are its terms with their postings, in term order.
    pub(crate) fn shard<T: Serialize>(&self, k: usize, terms: &T) -> (String, Vec<u8>) {
        (self.shard_path(k), json(terms))
    }

    pub(crate) fn docs_chunks(&self) -> usize {
        self.articles.div_ceil(DOCS_CHUNK)
    }

    /// `docs-<k>.json`: url, title, category and description of the library's articles
    /// `k × DOCS_CHUNK ..`.
    pub(crate) fn docs(
        &self,
        k: usize,
        library: &Library,
        config: &SiteConfig,
    ) -> (String, Vec<u8>) {
        let end = ((k + 1) * DOCS_CHUNK).min(library.articles.len());
        let docs: Vec<(String, &str, &str, &str)> = library.articles[k * DOCS_CHUNK..end]
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
        (self.docs_path(k), json(&docs))
    }

    /// `text-<k>.json`: the excerpt texts of articles `k × TEXT_CHUNK ..`.
    pub(crate) fn text<T: Serialize>(&self, k: usize, chunk: &[T]) -> (String, Vec<u8>) {
        (self.text_path(k), json(&chunk))
    }

    pub(crate) fn words(&self, vocabulary: Vec<u8>) -> (String, Vec<u8>) {
        (self.words_path(), vocabulary)
    }
}

/// How many shards `terms` distinct terms go into.
fn shard_count(terms: usize) -> usize {
    terms.div_ceil(TERMS_PER_SHARD).max(1)
}

/// The postings split into shards by the term's hash.
fn shards(postings: FxHashMap<Cow<'_, str>, Vec<u32>>) -> Vec<BTreeMap<Cow<'_, str>, Vec<u32>>> {
    let shards = shard_count(postings.len()) as u32;
    let mut sharded: Vec<BTreeMap<Cow<str>, Vec<u32>>> = vec![BTreeMap::new(); shards as usize];
    for (term, list) in postings {
        sharded[(fnv1a(&term) % shards) as usize].insert(term, list);
    }
    sharded
}

fn category_name<'a>(article: &'a ArticleHead, config: &'a SiteConfig) -> &'a str {
    config
        .category(&article.category)
        .map_or(article.category.as_str(), |c| c.name.as_str())
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("search files are plain strings and numbers")
}

/// The terms of a text: runs of letters and digits (2+ characters), lower-cased, stemmed.
pub fn terms(text: &str, stemmer: Stemmer) -> Vec<String> {
    let mut buffer = String::new();
    let mut found = Vec::new();
    for_each_run(text, |run| {
        if run.chars().nth(1).is_some() {
            lower_case_into(&mut buffer, run);
            found.push(stemmer.stem(&buffer).into_owned());
        }
    });
    found
}

/// Calls `each` with every run of letters and digits in `text`.
fn for_each_run(text: &str, each: impl FnMut(&str)) {
    crate::text::for_each_run(text, char::is_alphanumeric, each);
}

/// `word.to_lowercase()` into `buffer`, allocating only for non-ASCII words (whose lower case
/// has rules, such as Greek final sigma, that `search.js`'s `toLowerCase` applies too).
fn lower_case_into(buffer: &mut String, word: &str) {
    buffer.clear();
    if word.is_ascii() {
        buffer.push_str(word);
        buffer.make_ascii_lowercase();
    } else {
        buffer.push_str(&word.to_lowercase());
    }
}

/// FNV-1a (32 bits) of the UTF-8 bytes: tiny, and `search.js` computes the same value.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// `words.json`: every word (lower-case, letters only, 3+ characters) of the articles' searchable
/// text, sorted: the page corrects a query word that is not among them to the closest one.
fn vocabulary<S: AsRef<str> + Ord + Serialize>(words: impl IntoIterator<Item = S>) -> Vec<u8> {
    let mut words: Vec<S> = words.into_iter().collect();
    words.sort_unstable();
    json(&words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_text_is_the_articles_start_cut_at_a_word() {
        let body = Body {
            intro_text: "Most offline printers\n\nare asleep.".into(),
            steps: vec![
                crate::content::markdown::Step {
                    text: "Wake it.".into(),
                },
                crate::content::markdown::Step {
                    text: "Clear the queue.".into(),
                },
            ],
            escalation_text: "When nobody can print.".into(),
            ..Body::default()
        };
        assert_eq!(
            excerpt_text(&body),
            "Most offline printers are asleep. Wake it. Clear the queue. When nobody can print."
        );
        let long = Body {
            intro_text: "word ".repeat(1000),
            ..Body::default()
        };
        let text = excerpt_text(&long);
        assert!(text.len() <= TEXT_LIMIT && text.len() > TEXT_LIMIT - 10);
        assert!(text.ends_with("word"));
    }

    #[test]
    fn text_files_hold_each_articles_text_in_order() {
        let mut index = Index::default();
        for n in 0..(TEXT_CHUNK + 3) {
            index.add(Entry {
                terms: vec![(format!("t{n}"), 1)],
                words: Vec::new(),
                text: format!("text of {n}"),
            });
        }
        let config = SiteConfig::for_tests();
        let articles = (0..TEXT_CHUNK + 3)
            .map(|n| {
                let text = format!("+++\ntitle = \"Article {n}\"\ndescription = \"d\"\ncategory = \"accounts\"\nupdated = 2026-11-20\nrisk = \"low\"\n+++\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nb\n");
                let source = crate::content::article::SourceFile {
                    path: format!("content/a{n}.md").into(),
                    text,
                };
                let images = crate::images::Images::for_tests();
                let head = crate::content::article::parse_head(&source, &config, &images).0.unwrap();
                std::sync::Arc::new(head)
            })
            .collect();
        let (library, problems) =
            Library::new(articles, &config, false, &std::collections::HashSet::new());
        assert!(problems.is_empty(), "{problems:?}");
        let files = index.files(&library, &config);
        let file = |name: &str| -> serde_json::Value {
            let (_, bytes) = files.iter().find(|(path, _)| path == name).unwrap();
            serde_json::from_slice(bytes).unwrap()
        };
        assert_eq!(file("/search/index.json")["text_chunk"], TEXT_CHUNK);
        assert_eq!(file("/search/text-0.json")[0], "text of 0");
        assert_eq!(
            file("/search/text-1.json")[2],
            format!("text of {}", TEXT_CHUNK + 2)
        );
    }

    #[test]
    fn a_languages_files_are_under_its_prefix_and_name_its_stemmer() {
        let mut config = SiteConfig::for_tests();
        config.language = "nl".into();
        let library = Library::new(
            Vec::new(),
            &config,
            false,
            &std::collections::HashSet::new(),
        )
        .0;
        let files = Index::default().files_at(&library, &config, "/nl");
        assert!(files
            .iter()
            .all(|(path, _)| path.starts_with("/nl/search/")));
        assert_eq!(files[0].0, manifest_path("/nl"));
        assert_eq!(manifest_path(""), "/search/index.json");
        let manifest: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
        assert_eq!(manifest["stem"], "snowball-dutch");
        assert!(files
            .iter()
            .any(|(path, _)| path == "/nl/search/words.json"));
    }

    #[test]
    fn runs_are_the_same_for_ascii_and_other_text() {
        for text in [
            "",
            "a-b  c2d, 10x!",
            "Wi-Fi 2FA ",
            "Ünïcode wörds-and ascii 42",
        ] {
            let mut runs = Vec::new();
            for_each_run(text, |run| runs.push(run.to_owned()));
            let expected: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|run| !run.is_empty())
                .collect();
            assert_eq!(runs, expected, "{text:?}");
        }
    }
}
