//! Answers from our own knowledge base when no LLM is configured (the local default).
//!
//! Why: the question form must be useful without an API key, in development and for companies
//! that do not want an AI in the loop. Instead of a model, [`SearchIndex`] ranks our published
//! articles against the question with BM25, and [`RetrievalAdvisor`] answers with the best
//! match's steps. The answer says plainly that no AI wrote it, so nobody mistakes a search result
//! for advice tailored to them.
//!
//! The index is built once per bundle (at cold start) with the shared analyser of
//! [`kb_model::text`]: English and Dutch stop words dropped, Dutch help-desk words translated to
//! the English of our articles ("wachtwoord verlopen" meets "password expired"), Snowball
//! English stems. A query word with no exact match may match a vocabulary term one typo away
//! (two for long words), at a penalty, because visitors type in a hurry ("pirnter", "bitlocer").
//!
//! The advisor earns its answer: a best match must reach [`MIN_SCORE`] and cover
//! [`MIN_COVERAGE`] of the question's words (both calibrated on `ask-fn/evals/`), otherwise it
//! says nothing matched instead of citing an unrelated article. A question with an incident
//! signal (see `policy`) is answered from the high-risk articles only, and its badge is the
//! article's risk, never a personal verdict.
//!
//! Pure: no I/O; the advisor is `async` only because the [`Advisor`] port is.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use kb_model::{text, Bundle, BundleArticle, Risk};

use super::{Advice, AdviceRequest, AdviceSource, Advisor, LlmError, Verdict};
use crate::policy;

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 document-length normalisation.
const B: f32 = 0.75;

const TITLE_WEIGHT: f32 = 3.0;
const DESCRIPTION_WEIGHT: f32 = 2.0;
const TAG_WEIGHT: f32 = 2.0;
const BODY_WEIGHT: f32 = 1.0;

/// Score multiplier per edit for a typo-tolerant match.
const FUZZY_PENALTY: f32 = 0.7;
/// Typed words at least this long may match with one edit…
const FUZZY_ONE_EDIT_LEN: usize = 5;
/// …and at least this long with two.
const FUZZY_TWO_EDITS_LEN: usize = 8;

/// Other matches must score at least this share of the best match to be offered.
const RELATIVE_FLOOR: f32 = 0.5;

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

/// Weight of the current article's title in the ranking: a tie-breaker only.
const CURRENT_TITLE_TIE_BREAK: f32 = 1e-3;

/// How many articles an answer links: the best match and up to two "Also see".
const ANSWER_ARTICLES: usize = 3;

/// The first paragraph of every answer from the knowledge base.
pub const NOT_AI_NOTICE: &str = "This answer was not written by AI: no AI model is configured \
here, so these are the closest matching steps from our knowledge base.";

/// The first paragraph of the answer when nothing matched.
pub const NOT_AI_NO_MATCH_NOTICE: &str = "This answer was not written by AI: no AI model is \
configured here, so we searched our knowledge base instead.";

/// The fixed sentences of a knowledge-base answer, and what a Dutch visitor reads instead.
const DUTCH_NOTICES: &[(&str, &str)] = &[
    (
        NOT_AI_NOTICE,
        "Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus dit zijn \
de best passende stappen uit onze kennisbank (in het Engels).",
    ),
    (
        NOT_AI_NO_MATCH_NOTICE,
        "Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus we hebben \
in onze kennisbank gezocht.",
    ),
    (
        "Nothing in our knowledge base matched your question closely enough, so we will not guess.",
        "Niets in onze kennisbank past goed genoeg bij je vraag, dus we gaan niet gokken.",
    ),
    (
        " has your question and will follow up by email.",
        " heeft je vraag en antwoordt per e-mail.",
    ),
    (
        " If it is urgent, phone us: ",
        " Is het dringend? Bel ons: ",
    ),
];

/// A BM25 index over a bundle's articles, built once.
pub struct SearchIndex {
    /// Term → term id.
    term_ids: HashMap<String, usize>,
    /// Term id → the term's characters, for the typo-tolerant scan.
    vocabulary: Vec<Box<[char]>>,
    /// Term id → (article index, weighted term frequency).
    postings: Vec<Vec<(usize, f32)>>,
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
        let mut index = SearchIndex {
            term_ids: HashMap::new(),
            vocabulary: Vec::new(),
            postings: Vec::new(),
            doc_lengths: Vec::with_capacity(bundle.articles.len()),
            avg_doc_length: 0.0,
        };
        for (doc, article) in bundle.articles.iter().enumerate() {
            let mut frequencies: HashMap<usize, f32> = HashMap::new();
            let mut length = 0.0;
            for (text, weight) in fields(article) {
                for term in text::terms(text) {
                    let id = index.term_id(term.stem);
                    *frequencies.entry(id).or_insert(0.0) += weight;
                    length += weight;
                }
            }
            let mut frequencies: Vec<(usize, f32)> = frequencies.into_iter().collect();
            frequencies.sort_unstable_by_key(|&(id, _)| id);
            for (id, frequency) in frequencies {
                index.postings[id].push((doc, frequency));
            }
            index.doc_lengths.push(length);
        }
        let total: f32 = index.doc_lengths.iter().sum();
        index.avg_doc_length = if index.doc_lengths.is_empty() {
            0.0
        } else {
            total / index.doc_lengths.len() as f32
        };
        index
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

    /// Articles matching `query`, best first, as (index in the bundle, score); only positive
    /// scores, ties broken by index, at most `limit`.
    pub fn rank(&self, query: &str, limit: usize) -> Vec<(usize, f32)> {
        top(&self.scores(query), limit)
    }

    /// The BM25 score of every article for `query` (0 for no match).
    fn scores(&self, query: &str) -> Vec<f32> {
        self.scores_and_coverage(query).0
    }

    /// The BM25 score of every article for `query`, and the share of the query's distinct
    /// terms each article contains (typo matches included).
    fn scores_and_coverage(&self, query: &str) -> (Vec<f32>, Vec<f32>) {
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
                    (ids, FUZZY_PENALTY.powi(edits as i32))
                }
            };
            let mut docs = std::collections::HashSet::new();
            for id in ids {
                self.add_term(id, factor, &mut scores);
                docs.extend(self.postings[id].iter().map(|&(doc, _)| doc));
            }
            for doc in docs {
                matched[doc] += 1;
            }
        }
        let total = query_terms.len().max(1) as f32;
        let coverage = matched.into_iter().map(|m| m as f32 / total).collect();
        (scores, coverage)
    }

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

    fn add_term(&self, id: usize, factor: f32, scores: &mut [f32]) {
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
            let length = self.doc_lengths.get(doc).copied().unwrap_or(avg);
            let norm = K1 * (1.0 - B + B * length / avg);
            if let Some(score) = scores.get_mut(doc) {
                *score += factor * idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
    }

    /// The vocabulary terms closest to a term with no exact match, within the typo budget of a
    /// word typed `typed_len` characters long, and their edit distance. Scans the vocabulary.
    fn near_terms(&self, term: &str, typed_len: usize) -> (Vec<usize>, usize) {
        let budget = if typed_len >= FUZZY_TWO_EDITS_LEN {
            2
        } else if typed_len >= FUZZY_ONE_EDIT_LEN {
            1
        } else {
            return (Vec::new(), 0);
        };
        let query: Vec<char> = term.chars().collect();
        // Very short stems match too much by accident.
        if query.len() < 4 {
            return (Vec::new(), 0);
        }
        let mut best = budget + 1;
        let mut ids = Vec::new();
        for (id, candidate) in self.vocabulary.iter().enumerate() {
            if candidate.len().abs_diff(query.len()) > best.min(budget) {
                continue;
            }
            let distance = edit_distance(&query, candidate, budget);
            if distance < best {
                best = distance;
                ids.clear();
            }
            if distance == best {
                ids.push(id);
            }
        }
        if best > budget {
            ids.clear();
        }
        (ids, best)
    }
}

/// An article's indexed fields with their weights.
fn fields(article: &BundleArticle) -> impl Iterator<Item = (&str, f32)> {
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
fn top(scores: &[f32], limit: usize) -> Vec<(usize, f32)> {
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

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `max + 1`
/// as soon as it is certain to exceed `max`.
pub fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut before_previous: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before_previous[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()].min(max + 1)
}

// ---------------------------------------------------------------------------------------------
// The advisor

/// Answers with the best matching article's steps; never calls an LLM.
pub struct RetrievalAdvisor {
    bundle: Arc<Bundle>,
    index: Arc<SearchIndex>,
    /// [`MIN_SCORE`] and [`MIN_COVERAGE`] unless a test sets others.
    min_score: f32,
    min_coverage: f32,
}

impl fmt::Debug for RetrievalAdvisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetrievalAdvisor")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl RetrievalAdvisor {
    /// Builds the index once; keep the advisor for the life of the process.
    pub fn new(bundle: Arc<Bundle>) -> Self {
        let index = Arc::new(SearchIndex::new(&bundle));
        Self {
            bundle,
            index,
            min_score: MIN_SCORE,
            min_coverage: MIN_COVERAGE,
        }
    }

    /// Other minimum relevance thresholds: BM25 scores depend on the bundle, and the defaults
    /// are calibrated on our real knowledge base (the evaluation set), not on a tiny test one.
    pub fn with_min_relevance(mut self, score: f32, coverage: f32) -> Self {
        self.min_score = score;
        self.min_coverage = coverage;
        self
    }

    /// The answer, synchronously (the [`Advisor`] impl wraps this). A Dutch question gets its
    /// notices in Dutch; the steps stay in the language of the article.
    pub fn answer(&self, request: &AdviceRequest) -> Advice {
        let mut advice = self.answer_in_english(request);
        if text::looks_dutch(&request.question) {
            for (english, dutch) in DUTCH_NOTICES {
                advice.markdown = advice.markdown.replace(english, dutch);
            }
        }
        advice
    }

    fn answer_in_english(&self, request: &AdviceRequest) -> Advice {
        let picked = self.pick(request);
        let Some((&best, also)) = picked.split_first() else {
            return no_match(&request.company_name, &request.company_phone);
        };
        let Some(article) = self.bundle.articles.get(best) else {
            return no_match(&request.company_name, &request.company_phone);
        };
        if request
            .article
            .as_ref()
            .is_some_and(|current| current.slug == article.slug)
        {
            return already_read(article, &request.company_name);
        }

        let mut markdown = String::new();
        markdown.push_str(NOT_AI_NOTICE);
        let _ = write!(
            markdown,
            "\n\n**[{}]({})**\n\n",
            markdown_text(&article.title),
            markdown_url(&article.url)
        );
        for (number, step) in article.steps.iter().enumerate() {
            let _ = writeln!(markdown, "{}. {}", number + 1, markdown_text(step));
        }
        if !article.escalation.trim().is_empty() {
            let _ = write!(
                markdown,
                "\nIf this does not solve it: {}\n",
                markdown_text(&article.escalation)
            );
        }
        let mut cited = vec![article.slug.clone()];
        for other in also.iter().filter_map(|&i| self.bundle.articles.get(i)) {
            let _ = write!(
                markdown,
                "\nAlso see: [{}]({})\n",
                markdown_text(&other.title),
                markdown_url(&other.url)
            );
            cited.push(other.slug.clone());
        }

        Advice {
            markdown: markdown.trim_end().to_owned(),
            verdict: verdict_for(article.risk),
            cited,
            source: AdviceSource::KnowledgeBase,
        }
    }

    /// The best match for a question, before the current-article rules: (index in the bundle,
    /// score, coverage), or `None` when it is not relevant enough (see
    /// [`SearchIndex::is_relevant`]). An incident question is matched against the high-risk
    /// articles only, with no minimum: it must reach the incident article if any matches.
    pub fn best_match(&self, question: &str) -> Option<(usize, f32, f32)> {
        let (scores, coverage) = self.scored(question);
        let &(best, score) = top(&scores, 1).first()?;
        let incident = !policy::incidents(question).is_empty();
        let relevant = self
            .index
            .is_relevant(question, self.min_score, self.min_coverage);
        (incident || relevant).then(|| (best, score, coverage[best]))
    }

    /// Scores and coverage, with non-high-risk articles zeroed for an incident question.
    fn scored(&self, question: &str) -> (Vec<f32>, Vec<f32>) {
        let (mut scores, coverage) = self.index.scores_and_coverage(question);
        if !policy::incidents(question).is_empty() {
            for (score, article) in scores.iter_mut().zip(&self.bundle.articles) {
                if article.risk != Risk::High {
                    *score = 0.0;
                }
            }
        }
        (scores, coverage)
    }

    /// Indexes of the articles to answer with, best first; empty when nothing is relevant
    /// enough (see [`RetrievalAdvisor::best_match`]). The article the visitor is reading is only
    /// offered when nothing else matches well: they already read it. "Well" is relative: a match
    /// scoring under [`RELATIVE_FLOOR`] of the best one is noise (a shared word such as
    /// "offline"), and pointing a visitor at it would be worse than saying nothing.
    fn pick(&self, request: &AdviceRequest) -> Vec<usize> {
        if self.best_match(&request.question).is_none() {
            return Vec::new();
        }
        let (mut scores, _) = self.scored(&request.question);
        if let Some(article) = &request.article {
            let title_scores = self.index.scores(&article.title);
            let max = title_scores.iter().copied().fold(0.0f32, f32::max);
            if max > 0.0 {
                for (score, title) in scores.iter_mut().zip(&title_scores) {
                    if *score > 0.0 {
                        *score += CURRENT_TITLE_TIE_BREAK * title / max;
                    }
                }
            }
        }
        let ranked = top(&scores, ANSWER_ARTICLES + 1);
        let Some(&(_, best_score)) = ranked.first() else {
            return Vec::new();
        };
        let current = request.article.as_ref().map(|a| a.slug.as_str());
        let is_current = |i: usize| {
            current.is_some_and(|slug| self.bundle.articles.get(i).is_some_and(|a| a.slug == slug))
        };
        let mut picked: Vec<usize> = ranked
            .iter()
            .filter(|&&(i, score)| !is_current(i) && score >= RELATIVE_FLOOR * best_score)
            .map(|&(i, _)| i)
            .take(ANSWER_ARTICLES)
            .collect();
        if picked.is_empty() {
            picked.extend(ranked.first().map(|&(i, _)| i));
        }
        picked
    }
}

#[async_trait::async_trait]
impl Advisor for RetrievalAdvisor {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError> {
        Ok(self.answer(request))
    }

    fn is_llm(&self) -> bool {
        false
    }

    fn search_index(&self) -> Option<Arc<SearchIndex>> {
        Some(self.index.clone())
    }
}

/// How safe an article's steps are to follow alone, from its risk level.
pub fn verdict_for(risk: Risk) -> Verdict {
    match risk {
        Risk::Low => Verdict::Diy,
        Risk::Medium => Verdict::Careful,
        Risk::High => Verdict::BringUsIn,
    }
}

/// The best match is the article the visitor already read and its steps did not help: nothing
/// in the knowledge base goes further, so say so, repeat its escalation advice, and hand over
/// to a person.
fn already_read(article: &BundleArticle, company: &str) -> Advice {
    let mut markdown = String::from(NOT_AI_NOTICE);
    let _ = write!(
        markdown,
        "\n\nThe closest match in our knowledge base is the article you are reading, **[{}]({})**, and nothing else covers your situation better.",
        markdown_text(&article.title),
        markdown_url(&article.url)
    );
    if !article.escalation.trim().is_empty() {
        let _ = write!(
            markdown,
            "\n\nIts advice on when to bring us in: {}",
            markdown_text(&article.escalation)
        );
    }
    let _ = write!(
        markdown,
        "\n\n{} has your question and will follow up by email.",
        markdown_text(company)
    );
    Advice {
        markdown,
        verdict: Verdict::BringUsIn,
        cited: vec![article.slug.clone()],
        source: AdviceSource::KnowledgeBase,
    }
}

/// Nothing was relevant enough: say so plainly, keep the lead (the handler does) and offer
/// contact, rather than cite an unrelated article.
fn no_match(company_name: &str, phone: &str) -> Advice {
    let who = if company_name.trim().is_empty() {
        "Our team".to_owned()
    } else {
        markdown_text(company_name)
    };
    let contact = if phone.trim().is_empty() {
        String::new()
    } else {
        let phone: String = phone
            .chars()
            .filter(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-'))
            .collect();
        format!(" If it is urgent, phone us: {}.", phone.trim())
    };
    Advice {
        markdown: format!(
            "{NOT_AI_NO_MATCH_NOTICE}\n\nNothing in our knowledge base matched your question \
             closely enough, so we will not guess. {who} has your question and will follow up \
             by email.{contact}"
        ),
        verdict: Verdict::BringUsIn,
        cited: Vec::new(),
        source: AdviceSource::KnowledgeBase,
    }
}

/// Plain text as Markdown that renders as exactly that text, on one line.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // What would start a block (list, heading, quote) at the start of a line.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && out[digits..].starts_with(['.', ')']) {
            out.insert(digits, '\\');
        }
    }
    out
}

/// A URL as a Markdown link destination: characters that would end or break it are encoded.
fn markdown_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{byte:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ArticleContext;
    use kb_model::BUNDLE_FORMAT;

    fn article(
        slug: &str,
        title: &str,
        description: &str,
        tags: &[&str],
        risk: Risk,
        steps: &[&str],
    ) -> BundleArticle {
        BundleArticle {
            slug: slug.into(),
            url: format!("https://help.example.com/{slug}/"),
            title: title.into(),
            description: description.into(),
            category: "general".into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            risk,
            intro: String::new(),
            steps: steps.iter().map(|s| (*s).to_owned()).collect(),
            escalation: "Call us if it still fails.".into(),
            see_also: vec![],
            updated: "2026-01-01".into(),
            content_hash: "h".into(),
        }
    }

    fn bundle(articles: Vec<BundleArticle>) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT,
            site_title: "Help".into(),
            base_url: "https://help.example.com".into(),
            company_name: "Acme IT".into(),
            company_phone: "+31 20 123 4567".into(),
            articles,
        }
    }

    fn sample() -> Bundle {
        bundle(vec![
            article(
                "printer-offline",
                "Printer shows as offline",
                "Your printer is offline or stopped printing.",
                &["printer", "printing"],
                Risk::Low,
                &["Turn the printer off and on.", "Check the cable."],
            ),
            article(
                "bitlocker-recovery",
                "BitLocker asks for a recovery key",
                "The laptop starts with a blue BitLocker screen.",
                &["bitlocker", "encryption"],
                Risk::High,
                &["Do not guess the key.", "Note the key ID shown."],
            ),
            article(
                "wifi-connect",
                "Laptop cannot connect to Wi-Fi",
                "The laptop will not connect to the wireless network.",
                &["wifi", "network"],
                Risk::Low,
                &[
                    "Switch Wi-Fi off and on.",
                    "Forget the network and reconnect.",
                ],
            ),
            article(
                "wachtwoord-vergeten",
                "Wachtwoord vergeten",
                "Je wachtwoord opnieuw instellen via de portal.",
                &["wachtwoord", "account"],
                Risk::Medium,
                &["Ga naar de portal.", "Kies 'wachtwoord vergeten'."],
            ),
            article(
                "vpn-verbinding",
                "VPN-verbinding valt steeds weg",
                "De VPN-verbinding verbreekt na een paar minuten.",
                &["vpn", "verbinding"],
                Risk::Medium,
                &["Herstart de VPN-app.", "Controleer de internetverbinding."],
            ),
        ])
    }

    /// An advisor without minimum relevance: the defaults are calibrated on the real knowledge
    /// base, and BM25 scores of a five-article bundle are far lower.
    fn lenient(bundle: Bundle) -> RetrievalAdvisor {
        RetrievalAdvisor::new(Arc::new(bundle)).with_min_relevance(0.0, 0.0)
    }

    #[test]
    fn incident_questions_are_answered_from_high_risk_articles_only() {
        let advisor = lenient(sample());
        // "wifi" points at the Wi-Fi article, but a stolen laptop is an incident: only the
        // high-risk article may answer.
        let advice = advisor.answer(&request("my wifi laptop was stolen", None));
        assert_eq!(
            advice.cited,
            vec!["bitlocker-recovery"],
            "{}",
            advice.markdown
        );
        let advice = advisor.answer(&request("my wifi laptop is slow", None));
        assert_eq!(
            advice.cited.first().map(String::as_str),
            Some("wifi-connect")
        );
    }

    #[test]
    fn weak_matches_are_not_offered() {
        let strict = RetrievalAdvisor::new(Arc::new(sample())).with_min_relevance(100.0, 0.0);
        let advice = strict.answer(&request("printer offline", None));
        assert!(advice.cited.is_empty());
        assert!(advice
            .markdown
            .contains("matched your question closely enough"));
        let covering = RetrievalAdvisor::new(Arc::new(sample())).with_min_relevance(0.0, 0.9);
        // One of three words matches: not enough of the question is covered.
        assert!(covering
            .answer(&request("printer lunch menu", None))
            .cited
            .is_empty());
        assert!(!covering
            .answer(&request("printer offline", None))
            .cited
            .is_empty());
    }

    #[test]
    fn private_life_and_product_recommendations_need_a_strong_match() {
        let advisor = lenient(sample());
        for question in [
            "recommend a printer",
            "a printer for my daughter",
            "Kunnen jullie een printer aanraden?",
        ] {
            assert!(
                advisor.answer(&request(question, None)).cited.is_empty(),
                "{question}"
            );
        }
        assert!(!advisor
            .answer(&request("a printer for my office", None))
            .cited
            .is_empty());
    }

    fn best(index: &SearchIndex, query: &str) -> Option<usize> {
        index.rank(query, 5).first().map(|&(i, _)| i)
    }

    fn slug_of(bundle: &Bundle, index: Option<usize>) -> Option<&str> {
        index
            .and_then(|i| bundle.articles.get(i))
            .map(|a| a.slug.as_str())
    }

    fn request(question: &str, current: Option<&BundleArticle>) -> AdviceRequest {
        AdviceRequest {
            article: current.map(ArticleContext::from),
            question: question.into(),
            catalogue: vec![],
            company_name: "Acme IT".into(),
            company_phone: "+31 20 123 4567".into(),
            phone_first: false,
        }
    }

    #[test]
    fn edit_distance_counts_typos() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            edit_distance(&a, &b, 2)
        };
        assert_eq!(d("print", "print"), 0);
        assert_eq!(d("pirnt", "print"), 1); // transposition
        assert_eq!(d("bitloc", "bitlock"), 1); // insertion
        assert_eq!(d("prnt", "print"), 1);
        assert_eq!(d("kitten", "sitting"), 3); // capped at max + 1
        assert_eq!(d("", "ab"), 2);
        assert_eq!(d("wachtwoord", "wagtwoord"), 2);
    }

    #[test]
    fn ranks_english_inflections() {
        let bundle = sample();
        let index = SearchIndex::new(&bundle);
        let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
        assert_eq!(
            slug("my printers stopped printing").as_deref(),
            Some("printer-offline")
        );
        assert_eq!(
            slug("the laptop is not connecting to wifi").as_deref(),
            Some("wifi-connect")
        );
        assert_eq!(
            slug("Recovery keys for Bitlocker?").as_deref(),
            Some("bitlocker-recovery")
        );
    }

    #[test]
    fn ranks_dutch_inflections() {
        let bundle = sample();
        let index = SearchIndex::new(&bundle);
        let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
        assert_eq!(
            slug("alle wachtwoorden kwijt").as_deref(),
            Some("wachtwoord-vergeten")
        );
        assert_eq!(
            slug("verbindingen vallen weg").as_deref(),
            Some("vpn-verbinding")
        );
    }

    #[test]
    fn tolerates_typos() {
        let bundle = sample();
        let index = SearchIndex::new(&bundle);
        let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
        assert_eq!(slug("pirnter").as_deref(), Some("printer-offline"));
        assert_eq!(slug("bitlocer").as_deref(), Some("bitlocker-recovery"));
        // Short words get no typo budget.
        assert!(index.rank("vnp", 5).is_empty());
    }

    #[test]
    fn typo_matches_score_below_exact_ones() {
        let index = SearchIndex::new(&sample());
        let exact = index.rank("printer", 1)[0].1;
        let typo = index.rank("pirnter", 1)[0].1;
        assert!(typo < exact, "{typo} !< {exact}");
    }

    #[test]
    fn stop_words_alone_match_nothing() {
        let index = SearchIndex::new(&sample());
        assert!(index.rank("the and of is it de het een niet", 5).is_empty());
        assert!(index.rank("", 5).is_empty());
        assert!(index.rank("?!", 5).is_empty());
    }

    #[test]
    fn ranking_is_deterministic_and_ties_go_to_the_lower_index() {
        let twin = |slug: &str| {
            article(
                slug,
                "Printer offline",
                "Printer offline",
                &[],
                Risk::Low,
                &[],
            )
        };
        let bundle = bundle(vec![twin("b"), twin("a"), twin("c")]);
        let index = SearchIndex::new(&bundle);
        let first = index.rank("printer", 10);
        assert_eq!(first.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1, 2]);
        for _ in 0..5 {
            assert_eq!(index.rank("printer", 10), first);
        }
        assert_eq!(index.rank("printer", 2).len(), 2);
    }

    #[test]
    fn empty_bundle_matches_nothing() {
        let index = SearchIndex::new(&bundle(vec![]));
        assert!(index.rank("printer", 5).is_empty());
    }

    #[test]
    fn answers_with_the_best_match_labelled_not_ai() {
        let advisor = lenient(sample());
        let advice = advisor.answer(&request("my printer is offline", None));
        assert!(
            advice.markdown.starts_with(NOT_AI_NOTICE),
            "{}",
            advice.markdown
        );
        assert!(advice
            .markdown
            .contains("**[Printer shows as offline](https://help.example.com/printer-offline/)**"));
        assert!(advice
            .markdown
            .contains("1. Turn the printer off and on.\n2. Check the cable."));
        assert!(advice
            .markdown
            .contains("If this does not solve it: Call us if it still fails."));
        assert_eq!(
            advice.cited.first().map(String::as_str),
            Some("printer-offline")
        );
        assert_eq!(advice.source, AdviceSource::KnowledgeBase);
        assert_eq!(advice.verdict, Verdict::Diy);
    }

    #[test]
    fn links_up_to_two_more_matches() {
        let advisor = lenient(sample());
        let advice = advisor.answer(&request(
            "laptop printer bitlocker wifi vpn wachtwoord",
            None,
        ));
        assert_eq!(advice.cited.len(), 3, "{:?}", advice.cited);
        assert_eq!(
            advice.markdown.matches("\nAlso see: [").count(),
            2,
            "{}",
            advice.markdown
        );
    }

    #[test]
    fn prefers_another_article_over_the_one_being_read() {
        let bundle = sample();
        let printer = bundle.articles[0].clone();
        let advisor = lenient(bundle);
        // A question about another article's topic, asked on the printer page.
        let advice = advisor.answer(&request("laptop wifi will not connect", Some(&printer)));
        assert_eq!(
            advice.cited.first().map(String::as_str),
            Some("wifi-connect"),
            "{}",
            advice.markdown
        );
        assert!(!advice.cited.contains(&"printer-offline".to_owned()));
    }

    #[test]
    fn weak_other_matches_are_not_offered_instead_of_the_article_being_read() {
        let bundle = sample();
        let printer = bundle.articles[0].clone();
        let advisor = lenient(bundle);
        // "laptop" also matches other articles, but far below the printer article: the honest
        // answer is that the knowledge base has nothing beyond what they read.
        for question in ["laptop printer offline", "printer offline"] {
            let advice = advisor.answer(&request(question, Some(&printer)));
            assert_eq!(advice.cited, vec!["printer-offline"], "{question}");
            assert_eq!(advice.verdict, Verdict::BringUsIn);
            assert!(advice.markdown.starts_with(NOT_AI_NOTICE));
            assert!(
                advice.markdown.contains("the article you are reading"),
                "{}",
                advice.markdown
            );
            assert!(advice.markdown.contains("will follow up by email"));
        }
    }

    #[test]
    fn current_title_only_breaks_ties() {
        let bundle = bundle(vec![
            article("a", "Mail problems", "mail", &["calendar"], Risk::Low, &[]),
            article("b", "Mail problems", "mail", &["outlook"], Risk::Low, &[]),
            article(
                "outlook",
                "Outlook will not open",
                "outlook",
                &[],
                Risk::Low,
                &[],
            ),
        ]);
        let current = bundle.articles[2].clone();
        let advisor = RetrievalAdvisor::new(Arc::new(bundle)).with_min_relevance(0.0, 0.0);
        assert_eq!(
            advisor.answer(&request("mail problems", None)).cited,
            vec!["a", "b"]
        );
        // Reading the Outlook article tips the tie towards the article about Outlook.
        let advice = advisor.answer(&request("mail problems", Some(&current)));
        assert_eq!(advice.cited, vec!["b", "a"]);
        // But it never creates a match of its own.
        let advice = advisor.answer(&request("nothing relevant", Some(&current)));
        assert!(advice.cited.is_empty());
    }

    #[test]
    fn maps_risk_to_verdict() {
        assert_eq!(verdict_for(Risk::Low), Verdict::Diy);
        assert_eq!(verdict_for(Risk::Medium), Verdict::Careful);
        assert_eq!(verdict_for(Risk::High), Verdict::BringUsIn);
        let advisor = lenient(sample());
        assert_eq!(
            advisor.answer(&request("bitlocker", None)).verdict,
            Verdict::BringUsIn
        );
        assert_eq!(
            advisor.answer(&request("wachtwoord", None)).verdict,
            Verdict::Careful
        );
    }

    #[test]
    fn dutch_questions_get_dutch_notices() {
        let advisor = lenient(sample());
        let advice = advisor.answer(&request(
            "Mijn printer staat offline, wat moet ik doen?",
            None,
        ));
        assert!(
            advice
                .markdown
                .starts_with("Dit antwoord is niet door AI geschreven"),
            "{}",
            advice.markdown
        );
        let advice = advisor.answer(&request("Wat is het weer morgen?", None));
        assert!(
            advice.markdown.contains("Niets in onze kennisbank"),
            "{}",
            advice.markdown
        );
        assert!(
            advice
                .markdown
                .contains("Is het dringend? Bel ons: +31 20 123 4567."),
            "{}",
            advice.markdown
        );
    }

    #[test]
    fn no_match_hands_over_to_the_team() {
        let advisor = lenient(sample());
        let advice = advisor.answer(&request("the and of", None));
        assert_eq!(advice.verdict, Verdict::BringUsIn);
        assert!(advice.cited.is_empty());
        assert!(advice
            .markdown
            .starts_with("This answer was not written by AI"));
        assert!(
            advice
                .markdown
                .contains("Acme IT has your question and will follow up by email. If it is urgent, phone us: +31 20 123 4567."),
            "{}",
            advice.markdown
        );
    }

    #[test]
    fn article_text_cannot_inject_markdown() {
        let mut tricky = article(
            "tricky",
            "Use <Ctrl> + [Alt] *now*",
            "tricky",
            &[],
            Risk::Low,
            &[
                "- not a list",
                "2. not a number",
                "<img src=x onerror=alert(1)>",
            ],
        );
        tricky.url = "https://help.example.com/a (b)/".into();
        let advisor =
            RetrievalAdvisor::new(Arc::new(bundle(vec![tricky]))).with_min_relevance(0.0, 0.0);
        let advice = advisor.answer(&request("tricky", None));
        let html = crate::answer_html::render(&advice.markdown, "https://help.example.com");
        assert!(html.contains("Use &lt;Ctrl&gt; + [Alt] *now*"), "{html}");
        assert!(html.contains("<li>- not a list</li>"), "{html}");
        assert!(html.contains("<li>2. not a number</li>"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(
            html.contains("href=\"https://help.example.com/a%20%28b%29/\""),
            "{html}"
        );
    }

    #[tokio::test]
    async fn is_an_advisor_without_llm() {
        let advisor = lenient(sample());
        assert!(!advisor.is_llm());
        let advice = advisor.advise(&request("pirnter offline", None)).await;
        assert_eq!(
            advice
                .ok()
                .and_then(|a| a.cited.first().cloned())
                .as_deref(),
            Some("printer-offline")
        );
    }
}
