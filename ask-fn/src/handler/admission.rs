//! The admission side of the request path: which identities a question counts against, what
//! happens to a question asked past the visitor's allowance, and how a retried request is
//! answered with its first result.

use std::net::IpAddr;
use std::time::Duration;

use super::{quota_view, App, AskAnswer};
use crate::clock::Millis;
use crate::email::pseudonym;
use crate::error::AskError;
use crate::network;
use crate::quota::Limits;
use crate::store::{Admission, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck};

/// How long a retry waits for the first request of the same question to finish (it may still be
/// waiting for the LLM), checking this often.
const REPLAY_WAIT: Duration = Duration::from_secs(15);
const REPLAY_POLL: Duration = Duration::from_millis(300);

impl App {
    /// The identities a question counts against, the visitor's own (email) first: the email's
    /// allowance, then the loose abuse guards for the client's address (an IPv6 /64) and network
    /// (an IPv4 /24, an IPv6 /48), all as salted pseudonyms.
    pub(super) fn quota_checks(
        &self,
        email_hash: &str,
        client_ip: Option<IpAddr>,
    ) -> Vec<QuotaCheck> {
        let salt = &self.settings.hash_salt;
        let mut checks = vec![QuotaCheck {
            key: format!("email#{email_hash}"),
            limits: self.settings.email_limits,
        }];
        if let Some(ip) = client_ip {
            checks.push(QuotaCheck {
                key: format!(
                    "ip#{}",
                    pseudonym(salt, "ip", &network::address_identity(ip))
                ),
                limits: self.settings.ip_limits,
            });
            checks.push(QuotaCheck {
                key: format!(
                    "net#{}",
                    pseudonym(salt, "net", &network::network_identity(ip))
                ),
                limits: self.settings.net_limits,
            });
        }
        // A guard switched off (0 and 0) needs no item: nothing to count, nothing to write.
        let unlimited = |limits: Limits| limits.per_hour == 0 && limits.per_day == 0;
        checks.retain(|check| check.key.starts_with("email#") || !unlimited(check.limits));
        checks
    }

    /// Keeps a question the email's allowance refused as a `rate_limited` lead (no LLM call, no
    /// notification), at most `held_per_day` per email and day, and only within the address
    /// and network guards (which it counts against). Whether it was kept.
    pub(super) async fn hold(
        &self,
        checks: &[QuotaCheck],
        email_hash: &str,
        lead: &Lead,
        now: Millis,
        request_id: &str,
    ) -> bool {
        if self.settings.held_per_day == 0 {
            return false;
        }
        let mut held_checks = vec![QuotaCheck {
            key: format!("held#{email_hash}"),
            limits: Limits {
                per_hour: 0,
                per_day: self.settings.held_per_day,
            },
        }];
        held_checks.extend(checks.iter().skip(1).cloned());
        let held = lead.with_outcome(&LeadOutcome {
            status: LeadStatus::RateLimited,
            follow_up_reason: Some("rate_limited".to_owned()),
            notification: NotifyState::NotRequired,
            ..lead.outcome.clone()
        });
        match self.store.admit(&held_checks, now, &held).await {
            Ok(Admission::Accepted { .. }) => true,
            Ok(_) => false,
            Err(error) => {
                tracing::warn!(request_id, error = %error, "could not keep a question asked past the limit");
                false
            }
        }
    }

    /// Counts an LLM retry against the same daily cap as first calls (`llm#<day>`); no budget
    /// (no LLM): nothing to count.
    pub(super) fn llm_retry_permit(
        &self,
        budget: Option<&LlmBudget>,
    ) -> crate::llm::retry_budget::RetryPermit {
        let store = self.store.clone();
        let budget = budget.cloned();
        crate::llm::retry_budget::RetryPermit::new(move || {
            let store = store.clone();
            let budget = budget.clone();
            Box::pin(async move {
                let Some(budget) = budget else { return true };
                let key = format!("llm#{}", budget.day);
                match store.take_slot(&key, budget.cap, budget.expires_at).await {
                    Ok(slot) => slot.is_some(),
                    // Unsure whether it fits: no retry; the lead is kept and followed up.
                    Err(_) => false,
                }
            })
        })
    }

    /// The answer to a retried request, from the lead its first attempt stored: the same
    /// advice, or (if the first attempt is still running after a wait) that we have it.
    pub(super) async fn replay(
        &self,
        lead_id: &str,
        checks: &[QuotaCheck],
        languages: &crate::language::Languages,
        request_id: &str,
    ) -> Result<AskAnswer, AskError> {
        let unavailable = |error: crate::store::StoreError| {
            tracing::error!(request_id, error = %error, "store unavailable while answering a retry");
            AskError::Unavailable
        };
        let started = std::time::Instant::now();
        let lead = loop {
            let lead = self.store.lead(lead_id).await.map_err(unavailable)?;
            match lead {
                Some(lead)
                    if lead.outcome.status == LeadStatus::Pending
                        && started.elapsed() < REPLAY_WAIT =>
                {
                    tokio::time::sleep(REPLAY_POLL).await;
                }
                Some(lead) => break lead,
                // Erased by the team in between: nothing to replay, and nothing to redo.
                None => return Err(AskError::AlreadyAsked),
            }
        };
        // The retry posts what the first attempt posted: the same languages.
        let article = lead
            .article
            .as_deref()
            .and_then(|slug| self.article(slug, &languages.page));
        let advice = lead
            .outcome
            .answer
            .clone()
            .zip(lead.outcome.verdict)
            .zip(lead.outcome.answer_source)
            .map(|((markdown, verdict), source)| crate::llm::Advice {
                markdown,
                verdict,
                cited: lead.outcome.cited.clone(),
                source,
            });
        // The first attempt's floor, from the same inputs it had.
        let phone_first =
            crate::policy::floor(self.grounding_risk(article, &lead.question), &lead.question)
                .is_some_and(|floor| matches!(floor.rule, crate::policy::FloorRule::Incident(_)));
        Ok(self.respond(
            lead.id.clone(),
            lead.email.as_str(),
            advice.as_ref(),
            lead.outcome.status,
            phone_first,
            article,
            languages,
            quota_view(checks),
        ))
    }
}
