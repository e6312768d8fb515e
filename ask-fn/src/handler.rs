//! The request path, in order: validate → quota + lead (one atomic write) → advice → record →
//! answer. Framework-free: bytes and a client IP in, an [`AskAnswer`] or an [`ApiError`] out;
//! `http` turns those into responses for Lambda and the local server alike.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use kb_model::{Bundle, BundleArticle};
use serde::Serialize;

use crate::clock::{self, Clock, Millis, HOUR};
use crate::email::pseudonym;
use crate::error::ApiError;
use crate::form::{self, Question};
use crate::llm::retrieval::SearchIndex;
use crate::llm::{AdviceRequest, AdviceSource, Advisor, ArticleContext, Verdict};
use crate::notify::{LeadNotice, Notifier};
use crate::quota::Limits;
use crate::settings::Settings;
use crate::store::{
    Admission, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck, Store,
};
use crate::{answer_html, scrub};

/// How many of our articles the LLM is offered to cite (the best matches for the question).
const CATALOGUE_SIZE: usize = 8;

/// Everything a request needs, built once per process (cold start) and shared.
pub struct App {
    pub settings: Settings,
    bundle: Arc<Bundle>,
    by_slug: HashMap<String, usize>,
    /// Ranks the articles the LLM may cite (shared with a retrieval advisor: built once).
    index: Arc<SearchIndex>,
    store: Arc<dyn Store>,
    advisor: Arc<dyn Advisor>,
    notifier: Notifier,
    clock: Arc<dyn Clock>,
}

/// One request as the handler sees it.
pub struct AskInput<'a> {
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
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
    pub verdict_label: Option<&'static str>,
    /// Safe HTML: no raw HTML, no images, links only to our site.
    pub answer_html: Option<String>,
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
        store: Arc<dyn Store>,
        advisor: Arc<dyn Advisor>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let by_slug = bundle
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.slug.clone(), i))
            .collect();
        let index = advisor
            .search_index()
            .unwrap_or_else(|| Arc::new(SearchIndex::new(&bundle)));
        Self {
            settings,
            bundle,
            by_slug,
            index,
            store,
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

    fn article(&self, slug: &str) -> Option<&BundleArticle> {
        self.by_slug.get(slug).map(|&i| &self.bundle.articles[i])
    }

    /// The whole request path.
    pub async fn ask(&self, input: AskInput<'_>) -> Result<AskAnswer, ApiError> {
        let started = Instant::now();
        let encoding = form::encoding_of(input.content_type)?;
        if input.body.len() > self.settings.max_body_bytes {
            return Err(too_large());
        }
        let question = form::parse(input.body, encoding, &|slug| {
            self.by_slug.contains_key(slug)
        })?;
        let result = self
            .accepted(&question, input.client_ip, input.request_id)
            .await;
        let outcome = match &result {
            Ok(answer) => answer.status,
            Err(error) => error.headline().code,
        };
        tracing::info!(
            request_id = input.request_id,
            outcome,
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
    ) -> Result<AskAnswer, ApiError> {
        let salt = &self.settings.hash_salt;
        let article = question
            .article
            .as_deref()
            .and_then(|slug| self.article(slug));
        let scrubbed = scrub::scrub(&question.text);
        let now = self.clock.now();
        let ip_hash = client_ip.map(|ip| pseudonym(salt, "ip", &ip.to_string()));
        let mut checks = vec![QuotaCheck {
            key: format!(
                "email#{}",
                pseudonym(salt, "email", &question.email.quota_identity())
            ),
            limits: self.settings.email_limits,
        }];
        if let Some(hash) = &ip_hash {
            checks.push(QuotaCheck {
                key: format!("ip#{hash}"),
                limits: self.settings.ip_limits,
            });
        }
        let lead = Lead {
            removed_secrets: scrubbed
                .removed
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
            article: article.map(|a| a.slug.clone()),
            content_hash: question.content_hash.clone(),
            stale_page: matches!((article, &question.content_hash), (Some(a), Some(hash)) if *hash != a.content_hash),
            ip_hash,
            ..Lead::pending(
                now,
                question.email.as_str(),
                question.company.as_str(),
                scrubbed.text.as_str(),
                now / 1_000 + i64::from(self.settings.lead_retention_days) * 86_400,
            )
        };

        // Quota, lead and the LLM call's place under the daily cap in one atomic write, before
        // any LLM is involved.
        let budget = self.advisor.is_llm().then(|| LlmBudget {
            day: clock::utc_day(now),
            cap: self.settings.llm_daily_cap,
            expires_at: now / 1_000 + 2 * 86_400,
        });
        let llm_call = match self
            .store
            .admit_asking(&checks, now, &lead, budget.as_ref())
            .await
        {
            Ok(Admission::Accepted { llm_call, .. }) => {
                crate::metrics::emit(crate::metrics::Metric::LeadCaptured);
                llm_call
            }
            Ok(Admission::Refused { retry_at, check }) => {
                crate::metrics::emit(crate::metrics::Metric::QuotaRefused);
                let limits = checks[check].limits;
                return Err(rate_limited(retry_at, now, limits));
            }
            Err(error) => {
                tracing::error!(request_id, error = %error, "store unavailable; question refused before any LLM call");
                return Err(ApiError::store_unavailable());
            }
        };

        let (advice, reason) = self
            .advise(article, &scrubbed.text, llm_call, request_id)
            .await;
        let status = match (&advice, reason.as_deref()) {
            (Some(advice), _) if advice.verdict == Verdict::BringUsIn => LeadStatus::NeedsFollowUp,
            (Some(_), _) => LeadStatus::Answered,
            (None, Some(reason)) if reason.starts_with("llm_failed") => LeadStatus::LlmFailed,
            (None, _) => LeadStatus::NeedsFollowUp,
        };
        let follow_up_reason = match status {
            LeadStatus::NeedsFollowUp if advice.is_some() => Some("bring_us_in".to_owned()),
            _ => reason,
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
            .notifier
            .notify(&LeadNotice::new(
                &lead.with_outcome(&outcome),
                article.map(|a| (a.title.as_str(), a.url.as_str())),
            ))
            .await;
        if delivery.state == NotifyState::Failed {
            crate::metrics::emit(crate::metrics::Metric::NotificationFailed);
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

        let follow_up = matches!(status, LeadStatus::NeedsFollowUp | LeadStatus::LlmFailed);
        let email = question.email.as_str();
        let message = match (&advice, status) {
            (Some(_), LeadStatus::NeedsFollowUp) => format!("This is one to leave to us. We have your question and will email you at {email}."),
            (Some(advice), _) if advice.source == AdviceSource::KnowledgeBase => "These are the closest matching steps from our knowledge base (not written by AI).".to_owned(),
            (Some(_), _) => "Here is our advice. If it does not solve it, reply to our email or contact us.".to_owned(),
            (None, LeadStatus::LlmFailed) => format!("We could not generate advice right now. We have your question and will email you at {email}."),
            (None, _) => format!("We have your question and will reply by email to {email}."),
        };
        let cited = advice
            .as_ref()
            .map(|a| {
                a.cited
                    .iter()
                    .filter_map(|slug| self.article(slug))
                    .map(|a| CitedArticle {
                        slug: a.slug.clone(),
                        title: a.title.clone(),
                        url: a.url.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(AskAnswer {
            lead_id: lead.id,
            status: if follow_up { "follow_up" } else { "answered" },
            follow_up,
            source: advice.as_ref().map(|a| a.source),
            verdict: advice.as_ref().map(|a| a.verdict),
            verdict_label: advice.as_ref().map(|a| a.verdict.label()),
            answer_html: advice
                .as_ref()
                .map(|a| answer_html::render(&a.markdown, &self.bundle.base_url)),
            message,
            cited,
            quota: quota_view(&checks),
            back_url: article
                .map_or_else(|| format!("{}/", self.bundle.base_url), |a| a.url.clone()),
            back_is_article: article.is_some(),
        })
    }

    /// Asks the advisor, if an LLM call fits under the global daily cap (`llm_call`, counted
    /// when the question was admitted). Returns the advice, or why there is none.
    async fn advise(
        &self,
        article: Option<&BundleArticle>,
        text: &str,
        llm_call: bool,
        request_id: &str,
    ) -> (Option<crate::llm::Advice>, Option<String>) {
        if self.advisor.is_llm() && !llm_call {
            crate::metrics::emit(crate::metrics::Metric::LlmDailyCapReached);
            tracing::warn!(
                request_id,
                metric = "llm_daily_cap_reached",
                "global daily LLM cap reached; question kept as a lead"
            );
            return (None, Some("daily_cap".to_owned()));
        }
        let catalogue_query = match article {
            Some(article) => format!("{text} {}", article.title),
            None => text.to_owned(),
        };
        let catalogue = self
            .index
            .rank(&catalogue_query, CATALOGUE_SIZE)
            .into_iter()
            .map(|(i, _)| &self.bundle.articles[i])
            .chain(
                article
                    .into_iter()
                    .flat_map(|a| a.see_also.iter().filter_map(|slug| self.article(slug))),
            )
            .fold(Vec::<(String, String)>::new(), |mut list, a| {
                if !list.iter().any(|(slug, _)| *slug == a.slug) {
                    list.push((a.slug.clone(), a.title.clone()));
                }
                list
            });
        let request = AdviceRequest {
            article: article.map(ArticleContext::from),
            question: text.to_owned(),
            catalogue,
            company_name: self.bundle.company_name.clone(),
        };
        let started = Instant::now();
        match self.advisor.advise(&request).await {
            Ok(advice) => {
                tracing::info!(
                    request_id,
                    verdict = advice.verdict.as_str(),
                    llm_ms = started.elapsed().as_millis() as u64,
                    "advice produced"
                );
                (Some(advice), None)
            }
            Err(error) => {
                crate::metrics::emit(crate::metrics::Metric::LlmFailure);
                tracing::warn!(
                    request_id,
                    metric = "llm_failure",
                    failure = error.kind(),
                    llm_ms = started.elapsed().as_millis() as u64,
                    "no advice"
                );
                (None, Some(format!("llm_failed:{}", error.kind())))
            }
        }
    }
}

fn too_large() -> ApiError {
    ApiError::field(
        413,
        "too_large",
        "question",
        "Your message is too long to send. Please shorten it to the most important details.",
    )
}

/// The body-size error for the HTTP layer, which refuses oversize bodies before reading them.
pub fn body_too_large() -> ApiError {
    too_large()
}

fn rate_limited(retry_at: Millis, now: Millis, limits: Limits) -> ApiError {
    let wait_seconds = ((retry_at - now).max(0) + 999) / 1_000;
    let minutes = (wait_seconds + 59) / 60;
    let when = clock::rfc3339(retry_at);
    let clock_time = &when[11..16];
    let (count, window) = if retry_at - now <= HOUR {
        (limits.per_hour, "hour")
    } else {
        (limits.per_day, "24 hours")
    };
    let wait = if minutes >= 90 {
        format!("about {} hours", (minutes + 30) / 60)
    } else {
        format!("{minutes} minutes")
    };
    let mut error = ApiError::new(
        429,
        "rate_limited",
        format!("You have reached the limit of {count} questions per {window}. You can ask again at {clock_time} UTC (in {wait}). For anything urgent, contact us directly."),
    );
    error.retry_after = Some(wait_seconds as u64);
    error.extra = Some(Box::new(
        serde_json::json!({ "retry_at": when, "retry_after_seconds": wait_seconds }),
    ));
    error
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
    use crate::clock::MINUTE;

    #[test]
    fn rate_limit_message_says_when() {
        let now = 1_795_961_109_000; // 2026-11-29T14:05:09Z
        let error = rate_limited(
            now + 23 * MINUTE,
            now,
            Limits {
                per_hour: 2,
                per_day: 5,
            },
        );
        assert_eq!(error.status, 429);
        assert_eq!(error.retry_after, Some(23 * 60));
        assert_eq!(error.headline().message, "You have reached the limit of 2 questions per hour. You can ask again at 14:28 UTC (in 23 minutes). For anything urgent, contact us directly.");
        assert_eq!(error.body()["retry_at"], "2026-11-29T14:28:09Z");
        let daily = rate_limited(
            now + 10 * HOUR,
            now,
            Limits {
                per_hour: 2,
                per_day: 5,
            },
        );
        assert!(daily.headline().message.starts_with("You have reached the limit of 5 questions per 24 hours. You can ask again at 00:05 UTC (in about 10 hours)."), "{}", daily.headline().message);
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
