//! The search index as a file: the generator writes it beside the bundle
//! ([`crate::INDEX_FILE_NAME`]), so that the function loads its index at cold start instead of
//! analysing every article (most of a 10,000-article cold start, see the README's Performance).
//!
//! Layout ([postcard](https://docs.rs/postcard)): the magic and [`INDEX_LAYOUT`], then the
//! analyser's version ([`crate::text::ANALYSER_VERSION`]), the fingerprint of the bundle the
//! index was built from and the CRC-32 of what follows; then the terms in id order, each term's
//! postings and each article's weighted length. Nothing else: the index is exactly what
//! [`SearchIndex::new`] would build, and a file is used only if every check passes. A reader
//! that refuses a file builds the index from the bundle instead (ask-fn's `setup`), so an old
//! bundle without a file, or a file of another version, costs time, never a wrong answer.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::SearchIndex;
use crate::text::ANALYSER_VERSION;
use crate::BundleFingerprint;

/// Version of the file's layout and of what the index holds besides the analyser's terms: bump
/// it when the layout, the indexed fields or their weights (`bm25.rs`) change. The
/// `index_of_the_pinned_text` test fails until you do.
pub const INDEX_LAYOUT: u32 = 1;

/// What every index file starts with, whatever its layout.
const MAGIC: [u8; 8] = *b"TFINDEX\0";

/// Everything checked before the body is decoded (after the magic and the layout).
#[derive(Serialize, Deserialize)]
struct Header {
    analyser: u32,
    bundle: BundleFingerprint,
    body_crc32: u32,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    terms: Vec<&'a str>,
    postings: &'a [Vec<(u32, f32)>],
    doc_lengths: &'a [f32],
}

#[derive(Deserialize)]
struct BodyIn<'a> {
    #[serde(borrow)]
    terms: Vec<&'a str>,
    postings: Vec<Vec<(u32, f32)>>,
    doc_lengths: Vec<f32>,
}

/// Why an index file was not used. None of them names a path or holds any of its text: the
/// function logs the reason as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexFileError {
    #[error("it is not a tryfirst search index")]
    NotAnIndex,
    #[error("its layout is version {found}, this program reads version {INDEX_LAYOUT}")]
    Layout { found: u32 },
    #[error("it was made by analyser version {found}, this program's is {ANALYSER_VERSION}")]
    Analyser { found: u32 },
    #[error("it was made from another bundle")]
    OtherBundle,
    #[error("it is damaged ({0})")]
    Damaged(&'static str),
}

impl SearchIndex {
    /// The index as a file, for the bundle whose bytes have fingerprint `bundle`. The same
    /// index gives the same bytes: terms are written in id order, which follows the articles'.
    pub fn to_file(&self, bundle: BundleFingerprint) -> Vec<u8> {
        self.to_file_as(INDEX_LAYOUT, ANALYSER_VERSION, bundle)
    }

    /// [`SearchIndex::to_file`] as another version would write it (the tests').
    pub(super) fn to_file_as(
        &self,
        layout: u32,
        analyser: u32,
        bundle: BundleFingerprint,
    ) -> Vec<u8> {
        let mut terms = vec![""; self.vocabulary.len()];
        for (term, &id) in &self.term_ids {
            terms[id] = term;
        }
        let body = postcard::to_allocvec(&BodyOut {
            terms,
            postings: &self.postings,
            doc_lengths: &self.doc_lengths,
        })
        .expect("an index always serialises");
        let header = Header {
            analyser,
            bundle,
            body_crc32: crc32fast::hash(&body),
        };
        let mut file =
            postcard::to_allocvec(&(MAGIC, layout, header)).expect("a header always serialises");
        file.extend_from_slice(&body);
        file
    }

    /// Loads an index file written by [`SearchIndex::to_file`] for the bundle whose bytes have
    /// fingerprint `bundle`: the index [`SearchIndex::new`] builds of that bundle, without
    /// analysing any text.
    pub fn from_file(file: &[u8], bundle: &BundleFingerprint) -> Result<Self, IndexFileError> {
        let ((magic, layout), rest): (([u8; 8], u32), _) =
            postcard::take_from_bytes(file).map_err(|_| IndexFileError::NotAnIndex)?;
        if magic != MAGIC {
            return Err(IndexFileError::NotAnIndex);
        }
        if layout != INDEX_LAYOUT {
            return Err(IndexFileError::Layout { found: layout });
        }
        let (header, body): (Header, _) = postcard::take_from_bytes(rest)
            .map_err(|_| IndexFileError::Damaged("the header is cut short"))?;
        if header.analyser != ANALYSER_VERSION {
            return Err(IndexFileError::Analyser {
                found: header.analyser,
            });
        }
        if header.bundle != *bundle {
            return Err(IndexFileError::OtherBundle);
        }
        if crc32fast::hash(body) != header.body_crc32 {
            return Err(IndexFileError::Damaged("its checksum does not match"));
        }
        let body: BodyIn = postcard::from_bytes(body)
            .map_err(|_| IndexFileError::Damaged("its body does not decode"))?;
        Self::from_parts(body)
    }

    /// Checks what the ranking relies on (each term once, a posting list per term, articles
    /// that exist): a file that passed its checksum but breaks these was not written by us.
    fn from_parts(body: BodyIn<'_>) -> Result<Self, IndexFileError> {
        if body.terms.len() != body.postings.len() {
            return Err(IndexFileError::Damaged(
                "terms and postings differ in number",
            ));
        }
        let articles = body.doc_lengths.len();
        if body
            .postings
            .iter()
            .flatten()
            .any(|&(doc, _)| doc as usize >= articles)
        {
            return Err(IndexFileError::Damaged("a posting names no article"));
        }
        let mut term_ids =
            FxHashMap::with_capacity_and_hasher(body.terms.len(), Default::default());
        let mut vocabulary = Vec::with_capacity(body.terms.len());
        for (id, term) in body.terms.into_iter().enumerate() {
            if term_ids.insert(term.to_owned(), id).is_some() {
                return Err(IndexFileError::Damaged("a term is listed twice"));
            }
            vocabulary.push(term.chars().collect());
        }
        Ok(SearchIndex {
            term_ids,
            vocabulary,
            postings: body.postings,
            doc_lengths: body.doc_lengths,
            avg_doc_length: 0.0,
        }
        .with_average())
    }
}
