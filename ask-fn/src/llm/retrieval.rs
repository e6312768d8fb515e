//! Answers from our own knowledge base when no LLM is configured (the local default).
//!
//! Why: the question form must be useful without an API key, in development and for companies
//! that do not want an AI in the loop. Instead of a model, the search index
//! ([`kb_model::retrieval::SearchIndex`], built once at wiring and shared with the handler)
//! ranks our published articles against the question with BM25, and [`RetrievalAdvisor`]
//! answers with the best match's steps. The answer says plainly that no AI wrote it, so nobody
//! mistakes a search result for advice tailored to them.
//!
//! The advisor earns its answer: a best match must reach [`MIN_SCORE`] and cover
//! [`MIN_COVERAGE`] of the question's words (both calibrated on `ask-fn/evals/`), otherwise it
//! says nothing matched instead of citing an unrelated article. A question with an incident
//! signal (see `policy`) is answered from the high-risk articles only, and its badge is the
//! article's risk, never a personal verdict.
//!
//! Pure: no I/O; the advisor is `async` only because the [`Advisor`] port is.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use kb_model::retrieval::{top, SearchIndex, MIN_COVERAGE, MIN_SCORE};
use kb_model::{Bundle, BundleArticle, RecordIndex, Risk};

use super::{Advice, AdviceRequest, AdviceSource, Advisor, LlmError, Verdict};
use crate::messages::{self, Lang};
use crate::policy;

/// Other matches must score at least this share of the best match to be offered.
const RELATIVE_FLOOR: f32 = 0.5;

/// Weight of the current article's title in the ranking: a tie-breaker only.
const CURRENT_TITLE_TIE_BREAK: f32 = 1e-3;

/// How many articles an answer links: the best match and up to two "Also see".
const ANSWER_ARTICLES: usize = 3;

/// The first paragraph of every English answer from the knowledge base with English steps
/// (the words are in `messages::not_ai`).
pub const NOT_AI_NOTICE: &str = "This answer was not written by AI: no AI model is configured \
here, so these are the closest matching steps from our knowledge base.";

// ---------------------------------------------------------------------------------------------
// The advisor

/// Answers with the best matching article's steps; never calls an LLM.
pub struct RetrievalAdvisor {
    bundle: Arc<Bundle>,
    index: Arc<SearchIndex>,
    /// Finds the record of a matched article in the answer's language: the search ranks every
    /// record, whatever its language (the analyser meets Dutch and English words), and the
    /// visitor reads the match in their language, or its original when it has no translation.
    records: RecordIndex,
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
    /// Answers from `bundle`, ranked by `index` (built from it once, at wiring).
    pub fn new(bundle: Arc<Bundle>, index: Arc<SearchIndex>) -> Self {
        Self {
            records: RecordIndex::new(&bundle),
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

    /// The answer, synchronously (the [`Advisor`] impl wraps this), in the request's language
    /// (`request.language`): its sentences, and the matched articles' records in that language
    /// where they have one. Steps in another language (an article not translated) are said to
    /// be.
    pub fn answer(&self, request: &AdviceRequest) -> Advice {
        let lang = Lang::of(&request.language);
        let picked = self.in_language(&self.pick(request), &request.language);
        let Some((&article, also)) = picked.split_first() else {
            return no_match(lang, &request.company_name, &request.company_phone);
        };
        if request
            .article
            .as_ref()
            .is_some_and(|current| current.slug == article.slug)
        {
            return already_read(lang, article, &request.company_name);
        }

        let steps_in = Lang::of(&article.language);
        let mut markdown = String::new();
        markdown.push_str(messages::not_ai(
            lang,
            (steps_in != lang).then_some(steps_in),
        ));
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
                "\n{}\n",
                messages::if_not_solved(lang, &markdown_text(&article.escalation))
            );
        }
        let mut cited = vec![article.slug.clone()];
        for other in also {
            let link = format!(
                "[{}]({})",
                markdown_text(&other.title),
                markdown_url(&other.url)
            );
            let _ = write!(markdown, "\n{}\n", messages::also_see(lang, &link));
            cited.push(other.slug.clone());
        }

        Advice {
            markdown: markdown.trim_end().to_owned(),
            verdict: verdict_for(article.risk),
            cited,
            source: AdviceSource::KnowledgeBase,
        }
    }

    /// The records of the picked articles in `language` (else their originals), each article
    /// once: a Dutch question may match both records of one article.
    fn in_language(&self, picked: &[usize], language: &kb_model::Language) -> Vec<&BundleArticle> {
        let mut records: Vec<&BundleArticle> = Vec::with_capacity(picked.len());
        for slug in picked
            .iter()
            .filter_map(|&i| self.bundle.articles.get(i))
            .map(|a| a.slug.as_str())
        {
            if records.iter().any(|r| r.slug == slug) {
                continue;
            }
            records.extend(self.records.find(&self.bundle, slug, language));
        }
        records
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
        // Twice as many: an article may be ranked once per language, and is answered once.
        let ranked = top(&scores, 2 * (ANSWER_ARTICLES + 1));
        let Some(&(_, best_score)) = ranked.first() else {
            return Vec::new();
        };
        let current = request.article.as_ref().map(|a| a.slug.as_str());
        let is_current = |i: usize| {
            current.is_some_and(|slug| self.bundle.articles.get(i).is_some_and(|a| a.slug == slug))
        };
        let slug = |i: usize| self.bundle.articles.get(i).map(|a| a.slug.as_str());
        let mut picked: Vec<usize> = Vec::with_capacity(ANSWER_ARTICLES);
        for &(i, score) in &ranked {
            if picked.len() == ANSWER_ARTICLES {
                break;
            }
            if !is_current(i)
                && score >= RELATIVE_FLOOR * best_score
                && !picked.iter().any(|&p| slug(p) == slug(i))
            {
                picked.push(i);
            }
        }
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
fn already_read(lang: Lang, article: &BundleArticle, company: &str) -> Advice {
    let steps_in = Lang::of(&article.language);
    let mut markdown = String::from(messages::not_ai(
        lang,
        (steps_in != lang).then_some(steps_in),
    ));
    let link = format!(
        "**[{}]({})**",
        markdown_text(&article.title),
        markdown_url(&article.url)
    );
    let _ = write!(markdown, "\n\n{}", messages::already_read(lang, &link));
    if !article.escalation.trim().is_empty() {
        let _ = write!(
            markdown,
            "\n\n{}",
            messages::already_read_escalation(lang, &markdown_text(&article.escalation))
        );
    }
    let _ = write!(
        markdown,
        "\n\n{}",
        messages::follow_up(lang, &markdown_text(company))
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
fn no_match(lang: Lang, company_name: &str, phone: &str) -> Advice {
    let who = if company_name.trim().is_empty() {
        messages::our_team(lang).to_owned()
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
        format!(" {}", messages::urgent_phone(lang, phone.trim()))
    };
    Advice {
        markdown: format!(
            "{}\n\n{} {}{contact}",
            messages::not_ai_no_match(lang),
            messages::no_match(lang),
            messages::follow_up(lang, &who),
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
    use kb_model::fixtures::{article, bundle, sample};

    /// An advisor without minimum relevance: the defaults are calibrated on the real knowledge
    /// base, and BM25 scores of a five-article bundle are far lower.
    impl RetrievalAdvisor {
        /// An advisor over `bundle` with its own index.
        fn over(bundle: Bundle) -> Self {
            let bundle = Arc::new(bundle);
            let index = Arc::new(SearchIndex::new(&bundle));
            Self::new(bundle, index)
        }
    }

    fn lenient(bundle: Bundle) -> RetrievalAdvisor {
        RetrievalAdvisor::over(bundle).with_min_relevance(0.0, 0.0)
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
        let strict = RetrievalAdvisor::over(sample()).with_min_relevance(100.0, 0.0);
        let advice = strict.answer(&request("printer offline", None));
        assert!(advice.cited.is_empty());
        assert!(advice
            .markdown
            .contains("matched your question closely enough"));
        let covering = RetrievalAdvisor::over(sample()).with_min_relevance(0.0, 0.9);
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

    fn request(question: &str, current: Option<&BundleArticle>) -> AdviceRequest {
        AdviceRequest {
            article: current.map(ArticleContext::from),
            question: question.into(),
            language: kb_model::Language::english(),
            catalogue: vec![],
            company_name: "Acme IT".into(),
            company_phone: "+31 20 123 4567".into(),
            phone_first: false,
            retry_permit: None,
        }
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
        let advisor = RetrievalAdvisor::over(bundle).with_min_relevance(0.0, 0.0);
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

    fn in_dutch(question: &str, current: Option<&BundleArticle>) -> AdviceRequest {
        AdviceRequest {
            language: kb_model::Language::parse("nl").unwrap(),
            ..request(question, current)
        }
    }

    /// `sample()` with a Dutch record of the printer article.
    fn with_dutch_printer() -> Bundle {
        let mut bundle = sample();
        let mut dutch = bundle.articles[0].clone();
        dutch.language = kb_model::Language::parse("nl").unwrap();
        dutch.url = "https://help.example.com/nl/printer-staat-offline/".into();
        dutch.title = "Printer staat offline".into();
        dutch.steps = vec![
            "Zet de printer uit en aan.".into(),
            "Controleer de kabel.".into(),
        ];
        dutch.escalation = "Bel ons als het blijft.".into();
        bundle.articles.insert(1, dutch);
        bundle
            .languages
            .push(kb_model::Language::parse("nl").unwrap());
        bundle
    }

    #[test]
    fn a_dutch_answer_gives_the_dutch_steps_and_says_nothing_is_english() {
        let advisor = lenient(with_dutch_printer());
        let advice = advisor.answer(&in_dutch("Mijn printer staat offline", None));
        assert!(
            advice.markdown.starts_with("Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus dit zijn de best passende stappen uit onze kennisbank.\n\n**[Printer staat offline](https://help.example.com/nl/printer-staat-offline/)**\n\n1. Zet de printer uit en aan.\n2. Controleer de kabel.\n\nLost dit het niet op: Bel ons als het blijft."),
            "{}",
            advice.markdown
        );
        assert_eq!(
            advice
                .cited
                .iter()
                .filter(|s| *s == "printer-offline")
                .count(),
            1,
            "one article, once"
        );
        // The same question in English on the English page: the English record, unchanged.
        let english = advisor.answer(&request("my printer is offline", None));
        assert!(english.markdown.starts_with(&format!("{NOT_AI_NOTICE}\n\n**[Printer shows as offline](https://help.example.com/printer-offline/)**")), "{}", english.markdown);
        // An article without a Dutch record: its English steps, and the visitor is told.
        let wifi = advisor.answer(&in_dutch("wifi verbinding laptop", None));
        assert!(
            wifi.markdown
                .contains("uit onze kennisbank (in het Engels)."),
            "{}",
            wifi.markdown
        );
        assert!(
            wifi.markdown.contains("Switch Wi-Fi off and on."),
            "{}",
            wifi.markdown
        );
    }

    #[test]
    fn dutch_questions_get_dutch_notices() {
        let advisor = lenient(sample());
        let advice = advisor.answer(&in_dutch(
            "Mijn printer staat offline, wat moet ik doen?",
            None,
        ));
        assert!(
            advice
                .markdown
                .starts_with("Dit antwoord is niet door AI geschreven: hier is geen AI-model ingesteld, dus dit zijn de best passende stappen uit onze kennisbank (in het Engels)."),
            "{}",
            advice.markdown
        );
        let advice = advisor.answer(&in_dutch("Wat is het weer morgen?", None));
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
        let advisor = RetrievalAdvisor::over(bundle(vec![tricky])).with_min_relevance(0.0, 0.0);
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
