//! Ranking a bundle's articles against a question: BM25 over the articles' fields, with the
//! shared English/Dutch analyser of [`crate::text`] (stop words dropped, Dutch help-desk words
//! translated, Snowball stems) and typo tolerance. Not tied to any LLM: ask-fn's knowledge-base
//! advisor answers with it, its handler picks the articles an LLM may cite with it, and the site
//! search can share its tokenizer.
//!
//! The index is built once per bundle: by the generator, which writes it beside the bundle
//! ([`file`]), or at cold start when that file is missing or was made by another analyser. A query word with no exact match may
//! match a vocabulary term one typo away (two for long words), at a penalty, because visitors
//! type in a hurry ("pirnter", "bitlocer").
//!
//! - [`bm25`]: the scoring and the fields' weights;
//! - [`fuzzy`]: typo-tolerant term matching (edit distance);
//! - [`relevance`]: whether a best match is good enough to offer at all.
//!
//! Pure: no I/O.

mod bm25;
pub mod file;
mod fuzzy;
mod relevance;
#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap;
use std::fmt;
use std::ops::Range;

use crate::{text, Bundle, BundleArticle};

pub use bm25::top;
pub use file::{IndexFileError, INDEX_LAYOUT};
pub use fuzzy::edit_distance;
pub use relevance::{MIN_COVERAGE, MIN_SCORE, STRONG_SCORE};

/// A BM25 index over a bundle's articles, built once: by the function at cold start
/// ([`SearchIndex::new`]), or by the generator, which writes it beside the bundle for the
/// function to load without analysing anything ([`SearchIndex::to_file`], [`file`]).
#[derive(PartialEq)]
pub struct SearchIndex {
    /// Term → term id.
    /// FxHash: the keys are the bundle's own words (a visitor's words are only looked up),
    /// and SipHash was a tenth of a cold start.
    term_ids: FxHashMap<String, usize>,
    /// Term id → the term's characters, for the typo-tolerant scan.
    vocabulary: Vec<Box<[char]>>,
    /// Term id → (article index, weighted term frequency), by article index. `u32`: half the
    /// memory of `usize`, which a 10,000-article index's page faults are felt in.
    postings: Vec<Vec<(u32, f32)>>,
    /// Article index → weighted length in tokens.
    doc_lengths: Vec<f32>,
    avg_doc_length: f32,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("articles", &self.doc_lengths.len())
            .field("terms", &self.vocabulary.len())
            .finish()
    }
}

impl SearchIndex {
    /// Indexes every article of the bundle, in O(total tokens).
    pub fn new(bundle: &Bundle) -> Self {
        let mut builder = IndexBuilder::default();
        for article in &bundle.articles {
            builder.add(article);
        }
        builder.finish()
    }

    /// How many articles the index was built over.
    pub fn articles(&self) -> usize {
        self.doc_lengths.len()
    }

    fn term_id(&mut self, term: String) -> usize {
        if let Some(&id) = self.term_ids.get(&term) {
            return id;
        }
        let id = self.vocabulary.len();
        self.vocabulary.push(term.chars().collect());
        self.postings.push(Vec::new());
        self.term_ids.insert(term, id);
        id
    }

    /// Sets the average document length from the lengths: the one place it is computed, for a
    /// built index and a loaded one alike (so the two are equal to the bit).
    fn with_average(mut self) -> Self {
        let total: f32 = self.doc_lengths.iter().sum();
        self.avg_doc_length = if self.doc_lengths.is_empty() {
            0.0
        } else {
            total / self.doc_lengths.len() as f32
        };
        self
    }
}

/// Builds a [`SearchIndex`] one article at a time, in the bundle's order: the generator streams
/// a bundle's articles to its file without holding them all, and indexes them on the way.
/// [`SearchIndex::new`] is this over a whole bundle, so the function and the generator index
/// with the same code.
pub struct IndexBuilder {
    index: SearchIndex,
    /// Each distinct word (as typed) is analysed once: without this, stemming took ~75 % of
    /// a cold start and 14 s of CPU at 10,000 articles. Word → its term ids, a range of
    /// `term_lists` (a range is `Copy`: a hit is one lookup, with nothing borrowed).
    analysed: FxHashMap<String, Range<usize>>,
    term_lists: Vec<usize>,
}

impl Default for IndexBuilder {
    fn default() -> Self {
        Self {
            index: SearchIndex {
                term_ids: FxHashMap::default(),
                vocabulary: Vec::new(),
                postings: Vec::new(),
                doc_lengths: Vec::new(),
                avg_doc_length: 0.0,
            },
            analysed: FxHashMap::default(),
            term_lists: Vec::new(),
        }
    }
}

impl IndexBuilder {
    /// Indexes the bundle's next article.
    pub fn add(&mut self, article: &BundleArticle) {
        let index = &mut self.index;
        let doc = u32::try_from(index.doc_lengths.len()).expect("fewer than 2^32 articles");
        let mut frequencies: FxHashMap<usize, f32> = FxHashMap::default();
        let mut length = 0.0;
        for (text, weight) in bm25::fields(article) {
            for word in text::words(text) {
                let ids = match self.analysed.get(word) {
                    Some(ids) => ids.clone(),
                    None => {
                        let start = self.term_lists.len();
                        for term in text::word_terms(word) {
                            self.term_lists.push(index.term_id(term.stem));
                        }
                        let ids = start..self.term_lists.len();
                        self.analysed.insert(word.to_owned(), ids.clone());
                        ids
                    }
                };
                for &id in &self.term_lists[ids] {
                    *frequencies.entry(id).or_insert(0.0) += weight;
                    length += weight;
                }
            }
        }
        let mut frequencies: Vec<(usize, f32)> = frequencies.into_iter().collect();
        frequencies.sort_unstable_by_key(|&(id, _)| id);
        for (id, frequency) in frequencies {
            index.postings[id].push((doc, frequency));
        }
        index.doc_lengths.push(length);
    }

    /// The index of the articles added, in their order.
    pub fn finish(self) -> SearchIndex {
        self.index.with_average()
    }
}

impl SearchIndex {
    /// Articles matching `query`, best first, as (index in the bundle, score); only positive
    /// scores, ties broken by index, at most `limit`.
    pub fn rank(&self, query: &str, limit: usize) -> Vec<(usize, f32)> {
        top(&self.scores(query), limit)
    }

    /// The BM25 score of every article for `query` (0 for no match).
    pub fn scores(&self, query: &str) -> Vec<f32> {
        self.scores_and_coverage(query).0
    }

    /// The BM25 score of every article for `query`, and the share of the query's distinct
    /// terms each article contains (typo matches included).
    pub fn scores_and_coverage(&self, query: &str) -> (Vec<f32>, Vec<f32>) {
        let mut scores = vec![0.0; self.doc_lengths.len()];
        let mut matched = vec![0usize; self.doc_lengths.len()];
        let mut query_terms: Vec<(String, usize)> = Vec::new();
        for term in text::terms(query) {
            match query_terms.iter_mut().find(|(t, _)| *t == term.stem) {
                Some(existing) => existing.1 = existing.1.max(term.typed_len),
                None => query_terms.push((term.stem, term.typed_len)),
            }
        }
        for (term, typed_len) in &query_terms {
            let (ids, factor) = match self.term_ids.get(term) {
                Some(&id) => (vec![id], 1.0),
                None => {
                    let (ids, edits) = self.near_terms(term, *typed_len);
                    (ids, fuzzy::PENALTY.powi(edits as i32))
                }
            };
            let mut docs = std::collections::HashSet::new();
            for id in ids {
                self.add_term(id, factor, &mut scores);
                docs.extend(self.postings[id].iter().map(|&(doc, _)| doc as usize));
            }
            for doc in docs {
                matched[doc] += 1;
            }
        }
        let total = query_terms.len().max(1) as f32;
        let coverage = matched.into_iter().map(|m| m as f32 / total).collect();
        (scores, coverage)
    }
}
