//! The search index `serve` keeps between updates. Made from every article's [`Entry`] once;
//! after that an edited article's entry replaces its old one in the postings, and only the
//! files holding what changed are serialised again: the shards of the terms whose postings
//! changed, the article's text and docs chunks, `words.json` when a word came or went. At
//! 10,000 articles that is a few files out of ~250 (20 MB), instead of merging every entry
//! and writing the whole index again.
//!
//! The bytes are those [`files_at`] writes for the same entries: both go through
//! [`Layout`], and the tests compare the two after random edits.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{files_at, fnv1a, shard_count, vocabulary, Entry, Layout, DOCS_CHUNK, TEXT_CHUNK};
use crate::config::SiteConfig;
use crate::library::Library;

pub struct LiveIndex {
    entries: Vec<Entry>,
    /// term → `[article, weight, article, weight, …]`, articles ascending (as `Index` adds them).
    postings: FxHashMap<String, Vec<u32>>,
    /// How many articles use each word: a word leaves `words.json` with its last article.
    words: FxHashMap<String, u32>,
    /// The shard count of the files last handed out: when an edit changes it, every term moves.
    shards: usize,
    prefix: String,
}

/// What the edits since the last [`LiveIndex::stale_files`] changed.
#[derive(Default)]
pub struct Stale {
    terms: FxHashSet<String>,
    texts: BTreeSet<usize>,
    docs: BTreeSet<usize>,
    words: bool,
}

impl LiveIndex {
    /// The index of `entries` (those of the library's articles, in its order), for the
    /// language under `prefix`.
    pub fn new(entries: Vec<Entry>, prefix: &str) -> Self {
        let mut postings: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut words: FxHashMap<String, u32> = FxHashMap::default();
        for (doc, entry) in entries.iter().enumerate() {
            for (term, weight) in &entry.terms {
                let list = match postings.get_mut(term.as_str()) {
                    Some(list) => list,
                    None => postings.entry(term.clone()).or_default(),
                };
                list.extend([doc as u32, *weight]);
            }
            for word in &entry.words {
                match words.get_mut(word.as_str()) {
                    Some(count) => *count += 1,
                    None => {
                        words.insert(word.clone(), 1);
                    }
                }
            }
        }
        let shards = shard_count(postings.len());
        Self {
            entries,
            postings,
            words,
            shards,
            prefix: prefix.to_owned(),
        }
    }

    /// Every file of the index, as `build` writes them.
    pub fn files(&self, library: &Library, config: &SiteConfig) -> Vec<(String, Vec<u8>)> {
        files_at(library, config, &self.entries, &self.prefix)
    }

    /// The site path of every file [`LiveIndex::files`] writes.
    pub fn paths(&self) -> Vec<String> {
        let layout = self.layout();
        let mut paths = vec![layout.manifest_path()];
        paths.extend((0..self.shards).map(|k| layout.shard_path(k)));
        paths.extend((0..layout.docs_chunks()).map(|k| layout.docs_path(k)));
        paths.extend((0..self.entries.len().div_ceil(TEXT_CHUNK)).map(|k| layout.text_path(k)));
        paths.push(layout.words_path());
        paths
    }

    fn layout(&self) -> Layout {
        Layout::new(&self.prefix, self.entries.len(), self.shards)
    }

    /// Puts `entry` in place of article `doc`'s and notes in `stale` which files changed.
    /// The article's docs chunk is always stale: its title or description may have changed
    /// in ways its terms do not show (letter case).
    pub fn replace(&mut self, doc: usize, entry: Entry, stale: &mut Stale) {
        stale.docs.insert(doc / DOCS_CHUNK);
        if self.entries[doc] == entry {
            return;
        }
        let old = std::mem::replace(&mut self.entries[doc], entry);
        let new = &self.entries[doc];
        if old.text != new.text {
            stale.texts.insert(doc / TEXT_CHUNK);
        }
        // Both term lists are sorted by term: walk them side by side.
        let (mut a, mut b) = (old.terms.iter().peekable(), new.terms.iter().peekable());
        loop {
            let order = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((x, _)), Some((y, _))) => x.cmp(y),
            };
            match order {
                std::cmp::Ordering::Less => {
                    let (term, _) = a.next().expect("peeked");
                    remove_posting(&mut self.postings, term, doc as u32);
                    stale.terms.insert(term.clone());
                }
                std::cmp::Ordering::Greater => {
                    let (term, weight) = b.next().expect("peeked");
                    insert_posting(&mut self.postings, term, doc as u32, *weight);
                    stale.terms.insert(term.clone());
                }
                std::cmp::Ordering::Equal => {
                    let ((term, before), (_, after)) =
                        (a.next().expect("peeked"), b.next().expect("peeked"));
                    if before != after {
                        insert_posting(&mut self.postings, term, doc as u32, *after);
                        stale.terms.insert(term.clone());
                    }
                }
            }
        }
        for word in &old.words {
            if let Some(count) = self.words.get_mut(word.as_str()) {
                *count -= 1;
                if *count == 0 {
                    self.words.remove(word.as_str());
                    stale.words = true;
                }
            }
        }
        for word in &new.words {
            match self.words.get_mut(word.as_str()) {
                Some(count) => *count += 1,
                None => {
                    self.words.insert(word.clone(), 1);
                    stale.words = true;
                }
            }
        }
    }

    /// The files `stale` names, as they are now, and the manifest. `library` is the one
    /// the entries belong to (for the docs chunks).
    pub fn stale_files(
        &mut self,
        stale: Stale,
        library: &Library,
        config: &SiteConfig,
    ) -> Vec<(String, Vec<u8>)> {
        let shards = shard_count(self.postings.len());
        let every_shard = shards != self.shards;
        self.shards = shards;
        let layout = self.layout();
        let wanted: BTreeSet<usize> = match every_shard {
            true => (0..shards).collect(),
            false => stale
                .terms
                .iter()
                .map(|term| shard_of(term, shards))
                .collect(),
        };
        let mut files = vec![layout.manifest(config)];
        if !wanted.is_empty() {
            let mut sharded: BTreeMap<usize, BTreeMap<&str, &Vec<u32>>> =
                wanted.iter().map(|&k| (k, BTreeMap::new())).collect();
            for (term, list) in &self.postings {
                if let Some(shard) = sharded.get_mut(&shard_of(term, shards)) {
                    shard.insert(term, list);
                }
            }
            let shards: Vec<(String, Vec<u8>)> = sharded
                .par_iter()
                .map(|(&k, terms)| layout.shard(k, terms))
                .collect();
            files.extend(shards);
        }
        files.extend(stale.docs.iter().map(|&k| layout.docs(k, library, config)));
        files.extend(stale.texts.iter().map(|&k| {
            let end = ((k + 1) * TEXT_CHUNK).min(self.entries.len());
            let texts: Vec<&str> = self.entries[k * TEXT_CHUNK..end]
                .iter()
                .map(|e| e.text.as_str())
                .collect();
            layout.text(k, &texts)
        }));
        if stale.words {
            files.push(layout.words(vocabulary(self.words.keys().map(String::as_str))));
        }
        files
    }
}

fn shard_of(term: &str, shards: usize) -> usize {
    (fnv1a(term) % shards as u32) as usize
}

/// Where `doc`'s pair is (`Ok`), or would go (`Err`), in `list` (pairs ordered by article).
fn position(list: &[u32], doc: u32) -> Result<usize, usize> {
    let (pairs, _) = list.as_chunks::<2>();
    pairs.binary_search_by_key(&doc, |pair| pair[0])
}

fn insert_posting(postings: &mut FxHashMap<String, Vec<u32>>, term: &str, doc: u32, weight: u32) {
    let list = match postings.get_mut(term) {
        Some(list) => list,
        None => postings.entry(term.to_owned()).or_default(),
    };
    match position(list, doc) {
        Ok(at) => list[2 * at + 1] = weight,
        Err(at) => {
            list.splice(2 * at..2 * at, [doc, weight]);
        }
    }
}

fn remove_posting(postings: &mut FxHashMap<String, Vec<u32>>, term: &str, doc: u32) {
    let Some(list) = postings.get_mut(term) else {
        return;
    };
    if let Ok(at) = position(list, doc) {
        list.drain(2 * at..2 * at + 2);
    }
    if list.is_empty() {
        postings.remove(term);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;

    /// A library of `n` articles (`a000`, `a001`, …), for the docs files.
    fn library(config: &SiteConfig, n: usize) -> Library {
        let images = crate::images::Images::for_tests();
        let heads = (0..n)
            .map(|i| {
                let text = format!("+++\ntitle = \"Article {i}\"\ndescription = \"d\"\ncategory = \"accounts\"\nupdated = 2026-11-20\nrisk = \"low\"\n+++\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nb\n");
                let source = crate::content::article::SourceFile {
                    path: format!("content/a{i:03}.md").into(),
                    text,
                };
                let head = crate::content::article::parse_head(&source, config, &images).0;
                Arc::new(head.expect("a valid head"))
            })
            .collect();
        let (library, problems) = Library::new(heads, config, false, &HashSet::new());
        assert!(problems.is_empty(), "{problems:?}");
        library
    }

    /// An entry whose terms and words are drawn from a small vocabulary, so that edits add
    /// and remove terms other articles share, and empty a word now and then.
    fn entry(terms: &BTreeMap<u16, u32>, words: &[u8], text: u8) -> Entry {
        let mut words: Vec<String> = words.iter().map(|w| format!("w{}", w % 12)).collect();
        words.sort();
        words.dedup();
        // Sorted by term, as `Collector` makes them.
        let terms: BTreeMap<String, u32> = terms
            .iter()
            .map(|(t, w)| (format!("t{}", t % 1500), *w))
            .collect();
        Entry {
            terms: terms.into_iter().collect(),
            words,
            text: format!("text {text}"),
        }
    }

    fn an_entry() -> impl Strategy<Value = Entry> {
        (
            prop::collection::btree_map(any::<u16>(), 1..60u32, 0..40),
            prop::collection::vec(any::<u8>(), 0..5),
            any::<u8>(),
        )
            .prop_map(|(terms, words, text)| entry(&terms, &words, text))
    }

    /// The smallest edits, one at a time: a weight, a word, a text. Each must hand out the
    /// file that holds it (random edits change so much at once that they hide such a miss).
    #[test]
    fn the_smallest_edit_hands_out_the_file_holding_it() {
        let config = SiteConfig::for_tests();
        let library = library(&config, 2);
        let terms = |weight| BTreeMap::from([(1, weight), (2, 5)]);
        let before = [entry(&terms(3), &[1], 0), entry(&terms(4), &[2], 0)];
        for (edited, file) in [
            (entry(&terms(9), &[1], 0), "/search/shard-0.json"),
            (entry(&terms(3), &[3], 0), "/search/words.json"),
            (entry(&terms(3), &[1], 7), "/search/text-0.json"),
        ] {
            let mut live = LiveIndex::new(before.to_vec(), "");
            let mut stale = Stale::default();
            live.replace(0, edited.clone(), &mut stale);
            let files = live.stale_files(stale, &library, &config);
            let fresh = files_at(&library, &config, &[edited, before[1].clone()], "");
            let bytes = |files: &[(String, Vec<u8>)]| {
                files
                    .iter()
                    .find(|(path, _)| path == file)
                    .map(|(_, b)| b.clone())
            };
            assert!(bytes(&files).is_some(), "{file} not handed out");
            assert_eq!(bytes(&files), bytes(&fresh), "{file}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// After any edits, the files the live index handed out (all first, then the stale
        /// ones after each edit) are those a fresh index of the same entries writes. The term
        /// space (1,500 terms, 400 a shard) makes the shard count change as edits come and go.
        #[test]
        fn edits_leave_the_same_files_as_a_fresh_index(
            first in prop::collection::vec(an_entry(), 1..60),
            edits in prop::collection::vec((any::<prop::sample::Index>(), an_entry()), 1..12),
        ) {
            let config = SiteConfig::for_tests();
            let library = library(&config, first.len());
            let mut live = LiveIndex::new(first.clone(), "");
            let mut served: BTreeMap<String, Vec<u8>> = live.files(&library, &config).into_iter().collect();
            let mut entries = first;
            for (at, edited) in edits {
                let doc = at.index(entries.len());
                entries[doc] = edited.clone();
                let mut stale = Stale::default();
                live.replace(doc, edited, &mut stale);
                served.extend(live.stale_files(stale, &library, &config));
                let paths: HashSet<String> = live.paths().into_iter().collect();
                served.retain(|path, _| paths.contains(path));

                let fresh: BTreeMap<String, Vec<u8>> =
                    files_at(&library, &config, &entries, "").into_iter().collect();
                prop_assert_eq!(served.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>());
                for (path, bytes) in &fresh {
                    prop_assert!(served[path] == *bytes, "{} differs", path);
                }
            }
        }
    }
}
