//! Whether a best match is relevant enough to be offered at all (calibrated on
//! `ask-fn/evals/`): a minimum score, a minimum share of the question's words, and no sign that
//! the question is outside what an IT help desk's articles answer.

use super::{top, SearchIndex};

/// The least BM25 score a best match needs to be offered at all. Calibrated on the evaluation
/// set (`ask-fn/evals/questions.json`; print the data with the `calibration` test in
/// `tests/evals.rs`): off-topic questions matched by one shared word scored under 3, the
/// weakest right on-topic match 3.9.
pub const MIN_SCORE: f32 = 3.5;

/// The least share of the question's distinct terms the best match must contain, unless it
/// scores [`STRONG_SCORE`]: an off-topic question sharing one word of three scored 5.3, while
/// questions wrapped in an injection attempt ("ignore all previous instructions…") cover few
/// of their words but match their article strongly.
pub const MIN_COVERAGE: f32 = 0.4;

/// A score that stands without [`MIN_COVERAGE`].
pub const STRONG_SCORE: f32 = 10.0;

/// Words that put a question outside what an IT help desk's articles answer: someone's private
/// life, or a request to recommend a product. With one of them, only a strong match counts.
const OUT_OF_SCOPE: &[&str] = &[
    "aanbevelen",
    "aanraden",
    "boyfriend",
    "daughter",
    "dochter",
    "girlfriend",
    "husband",
    "kids",
    "kinderen",
    "recommend",
    "son",
    "wife",
    "zoon",
];

impl SearchIndex {
    /// Whether the best match for `question` is relevant enough to be offered at all: a score of
    /// at least `min_score`, covering `min_coverage` of the question's terms (unless the score
    /// is [`STRONG_SCORE`]), and no [`OUT_OF_SCOPE`] word (unless strong). The handler uses the
    /// defaults ([`MIN_SCORE`], [`MIN_COVERAGE`]) to decide which articles an LLM may cite.
    pub fn is_relevant(&self, question: &str, min_score: f32, min_coverage: f32) -> bool {
        let (scores, coverage) = self.scores_and_coverage(question);
        let Some(&(best, score)) = top(&scores, 1).first() else {
            return false;
        };
        let out_of_scope = question
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| OUT_OF_SCOPE.contains(&word.to_lowercase().as_str()));
        let strong = score >= STRONG_SCORE.max(min_score);
        if out_of_scope {
            return strong;
        }
        score >= min_score && (coverage[best] >= min_coverage || strong)
    }
}
