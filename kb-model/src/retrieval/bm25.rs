//! BM25 scoring over an article's weighted fields.

use super::SearchIndex;
use crate::BundleArticle;

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 document-length normalisation.
const B: f32 = 0.75;

const TITLE_WEIGHT: f32 = 3.0;
const DESCRIPTION_WEIGHT: f32 = 2.0;
const TAG_WEIGHT: f32 = 2.0;
const BODY_WEIGHT: f32 = 1.0;

/// An article's indexed fields with their weights.
pub(super) fn fields(article: &BundleArticle) -> impl Iterator<Item = (&str, f32)> {
    [
        (article.title.as_str(), TITLE_WEIGHT),
        (article.description.as_str(), DESCRIPTION_WEIGHT),
        (article.escalation.as_str(), BODY_WEIGHT),
    ]
    .into_iter()
    .chain(article.tags.iter().map(|tag| (tag.as_str(), TAG_WEIGHT)))
    .chain(
        article
            .steps
            .iter()
            .map(|step| (step.as_str(), BODY_WEIGHT)),
    )
}

/// The best `limit` positive scores, best first, ties by index.
pub fn top(scores: &[f32], limit: usize) -> Vec<(usize, f32)> {
    let mut ranked: Vec<(usize, f32)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, score)| score > 0.0 && score.is_finite())
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked
}

impl SearchIndex {
    pub(super) fn add_term(&self, id: usize, factor: f32, scores: &mut [f32]) {
        let Some(postings) = self.postings.get(id) else {
            return;
        };
        let n = self.doc_lengths.len() as f32;
        let df = postings.len() as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let avg = if self.avg_doc_length > 0.0 {
            self.avg_doc_length
        } else {
            1.0
        };
        for &(doc, tf) in postings {
            let doc = doc as usize;
            let length = self.doc_lengths.get(doc).copied().unwrap_or(avg);
            let norm = K1 * (1.0 - B + B * length / avg);
            if let Some(score) = scores.get_mut(doc) {
                *score += factor * idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
    }
}
