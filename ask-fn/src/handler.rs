//! The request path, in order: validate → quota + lead (one atomic write) → advice → record →
//! answer. Framework-free: a body (already within the size limit, of a known encoding) and a
//! client IP in, an [`AskAnswer`] or an [`AskError`] out; `http` turns those into responses for
//! Lambda and the local server alike.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use kb_model::{Bundle, BundleArticle, Language, RecordIndex};
use serde::Serialize;

use crate::clock::{self, Clock};
use crate::email::pseudonym;
use crate::error::{AskError, RateLimit};
use crate::form::{self, Encoding, Question};
use crate::language::{self, Languages};
use crate::llm::retry_budget::RetryPermit;
use crate::llm::{AdviceRequest, AdviceSource, Advisor, ArticleContext, Verdict};
use crate::messages::{self, Lang};
use crate::notify::Notifier;
use crate::policy::{self, Floor, FloorRule};
use crate::quota::Limits;
use crate::settings::Settings;
use crate::store::{
    AdminStore, Admission, Ask, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck,
    RequestStore, Store,
};
use crate::{answer_html, scrub};
use kb_model::retrieval::{self, SearchIndex};

mod admission;
mod notify_cap;
pub use notify_cap::DigestRun;

/// How many of our articles the LLM is offered to cite (the best matches for the question).
const CATALOGUE_SIZE: usize = 8;

/// Everything a request needs, built once per process (cold start) and shared.
pub struct App {
    pub settings: Settings,
    bundle: Arc<Bundle>,
    /// An article's record by slug and language, with the fallback to the original.
    records: RecordIndex,
    /// Ranks the articles the LLM may cite and the floor's grounding; built once at wiring and
    /// shared with a knowledge-base advisor.
    index: Arc<SearchIndex>,
    /// The request path's side of the store: all a question may touch.
    store: Arc<dyn RequestStore>,
    /// The same store's bookkeeping side, for the hourly digest only (`notify_cap`).
    held: Arc<dyn AdminStore>,
    advisor: Arc<dyn Advisor>,
    notifier: Notifier,
    clock: Arc<dyn Clock>,
}

/// One request as the handler sees it: the HTTP edge has checked the body's size and read its
/// content type.
pub struct AskInput<'a> {
    pub body: &'a [u8],
    pub encoding: Encoding,
    pub client_ip: Option<IpAddr>,
    pub request_id: &'a str,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CitedArticle {
    pub slug: String,
    pub title: String,
    pub url: String,
}

/// The visitor's allowance: the limits only. Nothing here depends on earlier questions: the
/// address is typed, not verified, so anyone typing a known address would otherwise learn from
/// a 200 how many questions its owner asked today, and when. A visitor who reaches a limit is
/// told when they can ask again by the 429.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QuotaView {
    pub per_hour: u32,
    pub per_day: u32,
}

/// An accepted question's response body.
#[derive(Debug, Clone, Serialize)]
pub struct AskAnswer {
    pub lead_id: String,
    /// `answered`, or `follow_up` when a person will email the visitor.
    pub status: &'static str,
    pub follow_up: bool,
    /// `ai` or `knowledge_base`; absent when there is no advice.
    pub source: Option<AdviceSource>,
    pub verdict: Option<Verdict>,
    /// The badge: the verdict's words for AI advice; "Article risk: …" for a knowledge-base
    /// answer, which is about the article, not the visitor's case.
    pub verdict_label: Option<String>,
    /// The question signalled a possible incident: the answer and the message open with
    /// "Phone us now".
    pub phone_first: bool,
    /// Safe HTML: no raw HTML, no images, links only to our site.
    pub answer_html: Option<String>,
    /// The language of the answer (its advice, `message`, badge and cited articles): the
    /// page's, or the question's when clearly another (see `language::choose`). Sent so the
    /// page's script can mark the answer with `lang` and it is read out in the right language
    /// (the default theme's ask.js does not do that yet).
    pub lang: Language,
    /// One honest sentence about what happens next.
    pub message: String,
    pub cited: Vec<CitedArticle>,
    pub quota: QuotaView,
    /// Where "back to the article" goes (the no-JavaScript page uses it).
    pub back_url: String,
    /// Whether `back_url` is an article (or the home page, for the general form).
    #[serde(skip)]
    pub back_is_article: bool,
}

impl App {
    pub fn new(
        settings: Settings,
        bundle: Arc<Bundle>,
        index: Arc<SearchIndex>,
        store: Arc<dyn Store>,
        advisor: Arc<dyn Advisor>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            settings,
            records: RecordIndex::new(&bundle),
            bundle,
            index,
            store: store.clone(),
            held: store,
            advisor,
            notifier: Notifier::disabled(),
            clock,
        }
    }

    /// Tells the team about leads through `notifier` (none by default).
    pub fn with_notifier(mut self, notifier: Notifier) -> Self {
        self.notifier = notifier;
        self
    }

    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// A function telling whether a slug is a published article (for the LLM answer parser).
    pub fn slug_checker(bundle: &Bundle) -> Arc<dyn Fn(&str) -> bool + Send + Sync> {
        let slugs: HashSet<String> = bundle.articles.iter().map(|a| a.slug.clone()).collect();
        Arc::new(move |slug: &str| slugs.contains(slug))
    }

    /// Counts `metric` (inside Lambda only).
    fn metric(&self, metric: crate::metrics::Metric) {
        crate::metrics::emit(self.settings.function_name.as_deref(), metric);
    }

    /// The record of `slug` in `language`, else its original.
    fn article(&self, slug: &str, language: &Language) -> Option<&BundleArticle> {
        self.records.find(&self.bundle, slug, language)
    }

    /// The language to word a refusal of this body in: the page's as posted, as far as the
    /// body can be read and the bundle has it; else the bundle's default.
    pub fn page_language(&self, body: &[u8], encoding: Encoding) -> Language {
        language::page_language(&self.bundle, form::language_of(body, encoding).as_ref())
    }

    /// The whole request path.
    pub async fn ask(&self, input: AskInput<'_>) -> Result<AskAnswer, AskError> {
        let started = Instant::now();
        let question = form::parse(input.body, input.encoding, &|slug| {
            self.records.contains(slug)
        })?;
        let result = self
            .accepted(&question, input.client_ip, input.request_id)
            .await;
        let (outcome, refused) = match &result {
            Ok(answer) => (answer.status, None),
            Err(error) => ("refused", Some(error.to_string())),
        };
        tracing::info!(
            request_id = input.request_id,
            outcome,
            refused = refused.as_deref().unwrap_or("-"),
            article = question.article.as_deref().unwrap_or("-"),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "question handled"
        );
        result
    }

    async fn accepted(
        &self,
        question: &Question,
        client_ip: Option<IpAddr>,
        request_id: &str,
    ) -> Result<AskAnswer, AskError> {
        let salt = &self.settings.hash_salt;
        let scrubbed = scrub::scrub(&question.text);
        let languages = language::choose(&self.bundle, question.lang.as_ref(), &scrubbed.text);
        // What the visitor read: the article in the page's language (its steps, its hash).
        let article = question
            .article
            .as_deref()
            .and_then(|slug| self.article(slug, &languages.page));
        let now = self.clock.now();
        let email_hash = pseudonym(salt, "email", &question.email.quota_identity());
        let checks = self.quota_checks(&email_hash, client_ip);
        let lead = Lead {
            removed_secrets: scrubbed
                .removed
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
            article: article.map(|a| a.slug.clone()),
            content_hash: question.content_hash.clone(),
            stale_page: matches!((article, &question.content_hash), (Some(a), Some(hash)) if *hash != a.content_hash),
            ..Lead::pending(
                now,
                question.email.as_str(),
                question.company.as_str(),
                scrubbed.text.as_str(),
                now / 1_000 + i64::from(self.settings.lead_retention_days) * 86_400,
            )
        };
        // The page script's id for this question, tied to the address: a retry is answered
        // with the first result, without a second lead or a second place in the allowance.
        let once = question.request_id.as_ref().map(|id| {
            format!(
                "req#{}",
                pseudonym(salt, "request", &format!("{email_hash}:{}", id.as_str()))
            )
        });

        // Quota, lead and the LLM call's place under the daily cap in one atomic write, before
        // any LLM is involved.
        let budget = self.advisor.is_llm().then(|| LlmBudget {
            day: clock::utc_day(now),
            cap: self.settings.llm_daily_cap,
            expires_at: now / 1_000 + 2 * 86_400,
        });
        let admission = self
            .store
            .admit_ask(&Ask {
                checks: &checks,
                now,
                lead: &lead,
                llm: budget.as_ref(),
                once: once.as_deref(),
            })
            .await;
        let llm_call = match admission {
            Ok(Admission::Accepted { llm_call, .. }) => {
                self.metric(crate::metrics::Metric::LeadCaptured);
                llm_call
            }
            Ok(Admission::Refused { retry_at, check }) => {
                self.metric(crate::metrics::Metric::QuotaRefused);
                let limits = checks[check].limits;
                let kept = check == 0
                    && self
                        .hold(&checks, &email_hash, &lead, now, request_id)
                        .await;
                return Err(AskError::RateLimited(RateLimit {
                    retry_at,
                    wait: retry_at - now,
                    limits,
                    kept,
                }));
            }
            Ok(Admission::Duplicate { lead_id }) => {
                tracing::info!(
                    request_id,
                    "a retry of an admitted question; answering with the first result"
                );
                return self.replay(&lead_id, &checks, &languages, request_id).await;
            }
            Err(error) => {
                tracing::error!(request_id, error = %error, "store unavailable; question refused before any LLM call");
                return Err(AskError::Unavailable);
            }
        };

        let floor = policy::floor(self.grounding_risk(article, &scrubbed.text), &scrubbed.text);
        let phone_first = matches!(
            floor,
            Some(Floor {
                rule: FloorRule::Incident(_),
                ..
            })
        );
        let permit = self.llm_retry_permit(budget.as_ref());
        let advised = self
            .advise(
                article,
                &scrubbed.text,
                &languages,
                llm_call,
                request_id,
                floor,
                permit,
            )
            .await;
        let (advice, status, follow_up_reason) = match advised {
            Ok((advice, raised)) => {
                let status = if advice.verdict == Verdict::BringUsIn {
                    LeadStatus::NeedsFollowUp
                } else {
                    LeadStatus::Answered
                };
                // The floor's note (`policy_floor:<rule>:model_<verdict>`) says why it is theirs.
                let reason = raised.or_else(|| {
                    (status == LeadStatus::NeedsFollowUp).then(|| "bring_us_in".to_owned())
                });
                (Some(advice), status, reason)
            }
            Err(none) => (None, none.status(), Some(none.note())),
        };
        let outcome = LeadOutcome {
            status,
            verdict: advice.as_ref().map(|a| a.verdict),
            answer: advice.as_ref().map(|a| a.markdown.clone()),
            answer_source: advice.as_ref().map(|a| a.source),
            cited: advice.as_ref().map(|a| a.cited.clone()).unwrap_or_default(),
            follow_up_reason,
            notification: NotifyState::Pending,
            notification_error: None,
        };
        // The lead is stored; now tell the team (best effort, bounded), then record the outcome
        // and whether they were told in one write.
        let delivery = self
            .notify_within_cap(
                &lead.with_outcome(&outcome),
                article.map(|a| (a.title.as_str(), a.url.as_str())),
                now,
                request_id,
            )
            .await;
        if delivery.state == NotifyState::Failed {
            self.metric(crate::metrics::Metric::NotificationFailed);
            tracing::warn!(
                request_id,
                lead_id = %lead.id,
                metric = "notification_failed",
                error = delivery.error.as_deref().unwrap_or_default(),
                "the team could not be notified; the lead is kept and listed as not notified"
            );
        }
        let outcome = LeadOutcome {
            notification: delivery.state,
            notification_error: delivery.error,
            ..outcome
        };
        if let Err(error) = self.store.finish_lead(&lead.id, &outcome).await {
            // The lead is stored (as pending); the visitor still gets their answer.
            tracing::error!(request_id, lead_id = %lead.id, error = %error, "could not record the outcome on the lead");
        }

        Ok(self.respond(
            lead.id,
            question.email.as_str(),
            advice.as_ref(),
            status,
            phone_first,
            article,
            &languages,
            quota_view(&checks),
        ))
    }

    /// The visitor's answer for a lead's outcome: made once here, for a first attempt and for
    /// a retry replayed from the stored lead alike, so the two can never say different things.
    #[allow(
        clippy::too_many_arguments,
        reason = "one field each of the answer; a struct would only rename them"
    )]
    fn respond(
        &self,
        lead_id: String,
        email: &str,
        advice: Option<&crate::llm::Advice>,
        status: LeadStatus,
        phone_first: bool,
        article: Option<&BundleArticle>,
        languages: &Languages,
        quota: QuotaView,
    ) -> AskAnswer {
        let answer_language = &languages.answer;
        let follow_up = matches!(status, LeadStatus::NeedsFollowUp | LeadStatus::LlmFailed);
        let phone = self.bundle.company_phone.trim();
        let lang = Lang::of(answer_language);
        let message = match (advice, status) {
            _ if phone_first => messages::phone_now(lang, phone, email),
            (Some(_), LeadStatus::NeedsFollowUp) => messages::leave_to_us(lang, email),
            (Some(advice), _) if advice.source == AdviceSource::KnowledgeBase => {
                messages::from_knowledge_base(lang).to_owned()
            }
            (Some(_), _) => messages::advice(lang).to_owned(),
            (None, LeadStatus::LlmFailed) => messages::llm_failed(lang, email),
            (None, _) => messages::received(lang, email),
        };
        // Cited articles in the answer's language, like the advice that links them.
        let cited: Vec<CitedArticle> = advice
            .map(|a| {
                a.cited
                    .iter()
                    .filter_map(|slug| self.article(slug, answer_language))
                    .map(|a| CitedArticle {
                        slug: a.slug.clone(),
                        title: a.title.clone(),
                        url: a.url.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        AskAnswer {
            lead_id,
            status: if follow_up { "follow_up" } else { "answered" },
            follow_up,
            source: advice.map(|a| a.source),
            verdict: advice.map(|a| a.verdict),
            verdict_label: advice.and_then(|a| self.badge(a, lang)),
            phone_first,
            answer_html: advice.map(|a| {
                let urls: Vec<String> = cited.iter().map(|c| c.url.clone()).collect();
                answer_html::render_answer(&a.markdown, &self.bundle.base_url, &urls)
            }),
            lang: answer_language.clone(),
            message,
            cited,
            quota,
            back_url: article
                .map_or_else(|| self.bundle.home_of(&languages.page), |a| a.url.clone()),
            back_is_article: article.is_some(),
        }
    }

    /// The badge words: the verdict for AI advice; for a knowledge-base answer the risk of the
    /// article it cites ("Article risk: high"), or none when nothing matched.
    fn badge(&self, advice: &crate::llm::Advice, lang: Lang) -> Option<String> {
        match advice.source {
            AdviceSource::Ai => Some(messages::verdict_label(lang, advice.verdict).to_owned()),
            AdviceSource::KnowledgeBase => advice
                .cited
                .first()
                .and_then(|slug| self.article(slug, &self.bundle.default_language))
                .map(|a| messages::article_risk(lang, a.risk)),
        }
    }

    /// The risk the floor follows: the article read or, on the general form, the riskier of the
    /// two articles the question matches best: the advice is grounded in them, and when the
    /// match is unclear the stricter reading is the safe one. One place, so a retry replayed
    /// from the stored lead gets the first attempt's floor.
    pub(crate) fn grounding_risk(
        &self,
        article: Option<&BundleArticle>,
        question: &str,
    ) -> Option<kb_model::Risk> {
        article.map(|a| a.risk).or_else(|| {
            self.index
                .rank(question, 2)
                .iter()
                .map(|&(i, _)| self.bundle.articles[i].risk)
                .max()
        })
    }

    /// Asks the advisor, if an LLM call fits under the global daily cap (`llm_call`, counted
    /// when the question was admitted; a retry takes `retry_permit`), then puts the server's
    /// floor under the verdict. Returns the advice with the lead's note `policy_floor:…` when
    /// the floor raised the verdict, or why there is none.
    #[allow(
        clippy::too_many_arguments,
        reason = "the request path's values, each used once"
    )]
    async fn advise(
        &self,
        article: Option<&BundleArticle>,
        text: &str,
        languages: &Languages,
        llm_call: bool,
        request_id: &str,
        floor: Option<Floor>,
        retry_permit: RetryPermit,
    ) -> Result<(crate::llm::Advice, Option<String>), NoAdvice> {
        if self.advisor.is_llm() && !llm_call {
            self.metric(crate::metrics::Metric::LlmDailyCapReached);
            tracing::warn!(
                request_id,
                metric = "llm_daily_cap_reached",
                "global daily LLM cap reached; question kept as a lead"
            );
            return Err(NoAdvice::DailyCap);
        }
        let catalogue_query = match article {
            Some(article) => format!("{text} {}", article.title),
            None => text.to_owned(),
        };
        // Links only from a list: the articles retrieval finds relevant (none for an off-topic
        // question, so the model has nothing unrelated to cite) and those the page links to.
        let relevant =
            matches!(
                floor,
                Some(Floor {
                    rule: FloorRule::Incident(_),
                    ..
                })
            ) || self
                .index
                .is_relevant(text, retrieval::MIN_SCORE, retrieval::MIN_COVERAGE);
        let ranked = if relevant {
            self.index.rank(&catalogue_query, CATALOGUE_SIZE)
        } else {
            Vec::new()
        };
        // The search ranks every record; the model is offered each article once, titled in
        // the answer's language.
        let catalogue = ranked
            .into_iter()
            .map(|(i, _)| self.bundle.articles[i].slug.as_str())
            .chain(
                article
                    .into_iter()
                    .flat_map(|a| a.see_also.iter().map(String::as_str)),
            )
            .filter_map(|slug| self.article(slug, &languages.answer))
            .fold(Vec::<(String, String)>::new(), |mut list, a| {
                if !list.iter().any(|(slug, _)| *slug == a.slug) {
                    list.push((a.slug.clone(), a.title.clone()));
                }
                list
            });
        let request = AdviceRequest {
            article: article.map(ArticleContext::from),
            question: text.to_owned(),
            language: languages.answer.clone(),
            catalogue,
            company_name: self.bundle.company_name.clone(),
            company_phone: self.bundle.company_phone.clone(),
            phone_first: matches!(
                floor,
                Some(Floor {
                    rule: FloorRule::Incident(_),
                    ..
                })
            ),
            retry_permit: Some(retry_permit),
        };
        let started = Instant::now();
        match self.advisor.advise(&request).await {
            Ok(advice) => {
                let (advice, raised) = apply_policy(advice, &request, floor);
                tracing::info!(
                    request_id,
                    verdict = advice.verdict.as_str(),
                    policy_floor = raised.as_deref().unwrap_or("-"),
                    llm_ms = started.elapsed().as_millis() as u64,
                    "advice produced"
                );
                if raised.is_some() {
                    self.metric(crate::metrics::Metric::PolicyFloorRaised);
                }
                Ok((advice, raised))
            }
            Err(error) => {
                self.metric(crate::metrics::Metric::LlmFailure);
                tracing::warn!(
                    request_id,
                    metric = "llm_failure",
                    failure = error.kind(),
                    llm_ms = started.elapsed().as_millis() as u64,
                    "no advice"
                );
                Err(NoAdvice::LlmFailed(error.kind()))
            }
        }
    }
}

/// Why a question got no advice: a person follows it up either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoAdvice {
    /// The global daily LLM cap was reached before this question.
    DailyCap,
    /// The LLM failed; the kind is [`LlmError::kind`](crate::llm::LlmError::kind).
    LlmFailed(&'static str),
}

impl NoAdvice {
    /// The lead's status: a failure is told apart so the team sees the LLM is the problem.
    fn status(self) -> LeadStatus {
        match self {
            NoAdvice::DailyCap => LeadStatus::NeedsFollowUp,
            NoAdvice::LlmFailed(_) => LeadStatus::LlmFailed,
        }
    }

    /// The lead's `follow_up_reason` (a stored format: `daily_cap`, `llm_failed:<kind>`).
    fn note(self) -> String {
        match self {
            NoAdvice::DailyCap => "daily_cap".to_owned(),
            NoAdvice::LlmFailed(kind) => format!("llm_failed:{kind}"),
        }
    }
}

/// The server's side of the policy, applied to any advisor's advice: an AI answer may cite only
/// the candidate articles it was given (links only from a list); the verdict is raised to the
/// floor; an incident answer opens with the phone number. Returns the advice and, when the floor
/// raised the verdict, the lead's note `policy_floor:<rule>:model_<verdict>`.
pub fn apply_policy(
    mut advice: crate::llm::Advice,
    request: &AdviceRequest,
    floor: Option<Floor>,
) -> (crate::llm::Advice, Option<String>) {
    if advice.source == AdviceSource::Ai {
        let current = request.article.as_ref().map(|a| a.slug.as_str());
        advice.cited.retain(|slug| {
            Some(slug.as_str()) == current || request.catalogue.iter().any(|(s, _)| s == slug)
        });
    }
    let decision = policy::decide(advice.verdict, floor);
    advice.verdict = decision.verdict;
    if decision.phone_first {
        let line = policy::phone_first_line(
            &request.company_phone,
            Lang::of(&request.language) == Lang::Nl,
        );
        advice.markdown = format!("{line}\n\n{}", advice.markdown);
    }
    let raised = match (decision.raised_from, decision.rule) {
        (Some(from), Some(rule)) => Some(format!(
            "policy_floor:{}:model_{}",
            rule.as_str(),
            from.as_str()
        )),
        _ => None,
    };
    (advice, raised)
}

/// The visitor's (email) limits; see [`QuotaView`] for why nothing more.
fn quota_view(checks: &[QuotaCheck]) -> QuotaView {
    let email = checks.first().map(|c| c.limits).unwrap_or(Limits {
        per_hour: 0,
        per_day: 0,
    });
    QuotaView {
        per_hour: email.per_hour,
        per_day: email.per_day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_advice_keeps_the_lead_statuses_and_notes_the_team_reads() {
        assert_eq!(NoAdvice::DailyCap.status(), LeadStatus::NeedsFollowUp);
        assert_eq!(NoAdvice::DailyCap.note(), "daily_cap");
        let failed = NoAdvice::LlmFailed("timeout");
        assert_eq!(failed.status(), LeadStatus::LlmFailed);
        assert_eq!(failed.note(), "llm_failed:timeout");
    }

    #[test]
    fn the_quota_in_a_200_says_the_limits_and_nothing_learnt_from_earlier_questions() {
        let checks = [QuotaCheck {
            key: "email#a".into(),
            limits: Limits {
                per_hour: 2,
                per_day: 5,
            },
        }];
        assert_eq!(
            serde_json::to_value(quota_view(&checks)).unwrap(),
            serde_json::json!({ "per_hour": 2, "per_day": 5 })
        );
    }
}
