//! Where quotas and leads live: the [`Store`] port (the request path's [`RequestStore`] and the
//! team's [`AdminStore`]), its data, and two implementations that pass the same conformance
//! tests (`tests/it/store_conformance.rs`):
//!
//! - [`dynamo::DynamoStore`]: DynamoDB, for Lambda (and any DynamoDB-compatible server).
//! - [`memory::MemoryStore`]: in-process, the default for `tryfirst serve`.
//!
//! The central operation is [`RequestStore::admit`]: in ONE atomic step it checks and consumes the
//! visitor's allowance for every identity (email, IP) and writes the lead. A refused question
//! writes nothing; an accepted one always has its lead, stored before any LLM is called.

pub mod dynamo;
pub mod memory;
pub mod schema;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::llm::{AdviceSource, Verdict};
use crate::quota::{Limits, Remaining};

/// One identity whose allowance a question consumes: `email#<hash>` or `ip#<hash>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaCheck {
    pub key: String,
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Quota consumed and lead stored. `remaining` is in the order of the checks.
    Accepted {
        remaining: Vec<Remaining>,
        /// An LLM call was counted against the daily cap in the same write. `false` when none
        /// was asked for, or the cap is reached (the question is still accepted and kept).
        llm_call: bool,
    },
    /// Nothing written. `check` is the index of the identity that refused (the one that frees
    /// up last, when several do).
    Refused { retry_at: Millis, check: usize },
    /// Nothing written: this request (its [`Ask::once`] key) was already admitted, as `lead_id`.
    /// A visitor's retry after a timeout gets the first result, not a second lead or quota slot.
    Duplicate { lead_id: String },
}

/// One question to admit, with everything the atomic write needs.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub checks: &'a [QuotaCheck],
    pub now: Millis,
    pub lead: &'a Lead,
    /// Count an LLM call against this daily budget, if it is not used up.
    pub llm: Option<&'a LlmBudget>,
    /// The visitor's request, pseudonymised (`req#…`): admitted at most once (for a day).
    pub once: Option<&'a str>,
}

/// Counting one LLM call against the global daily cap, as part of admitting a question, so the
/// request path needs no separate write for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmBudget {
    /// UTC day, `2026-11-29`: the counter's key.
    pub day: String,
    pub cap: u64,
    /// Unix seconds; the counter item's TTL.
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Stored, advice not yet recorded (or the function stopped before it could be).
    Pending,
    Answered,
    /// The verdict was `bring_us_in`, or no LLM call was allowed (daily cap): a person follows up.
    NeedsFollowUp,
    /// The LLM failed; a person follows up.
    LlmFailed,
    /// Asked past the visitor's allowance: kept without an LLM call (at most a few per address
    /// and day), because an engaged prospect is worth a reply.
    RateLimited,
    /// Someone on the team dealt with it (`ask-fn leads handle`).
    Handled,
}

impl LeadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Pending => "pending",
            LeadStatus::Answered => "answered",
            LeadStatus::NeedsFollowUp => "needs_follow_up",
            LeadStatus::LlmFailed => "llm_failed",
            LeadStatus::RateLimited => "rate_limited",
            LeadStatus::Handled => "handled",
        }
    }

    /// Every status, in the order the team works through them: what needs a person first.
    pub const TRIAGE_ORDER: [Self; 6] = [
        Self::NeedsFollowUp,
        Self::LlmFailed,
        Self::RateLimited,
        // Stored but never finished: the function stopped mid-request, so nobody was told.
        Self::Pending,
        Self::Answered,
        Self::Handled,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::TRIAGE_ORDER.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a person at the MSP has to act on a lead in this state.
    pub fn needs_a_person(self) -> bool {
        matches!(
            self,
            Self::NeedsFollowUp | Self::LlmFailed | Self::RateLimited | Self::Pending
        )
    }
}

/// Whether the team was told about a lead. Recorded on the lead so a failed notification is
/// visible in `ask-fn leads list` instead of slipping through silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyState {
    /// Not decided yet (the advice is still being produced).
    Pending,
    /// At least one channel accepted the notification.
    Sent,
    /// Every configured channel failed; `notification_error` says how.
    Failed,
    /// The lead did not need a notification (answered, and not notifying every lead).
    NotRequired,
    /// It needed one but no channel is configured.
    NotConfigured,
    /// Past the hour's cap on notifications: it goes out in the next hourly digest.
    Digest,
}

impl NotifyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::NotRequired => "not_required",
            Self::NotConfigured => "not_configured",
            Self::Digest => "digest",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Sent,
            Self::Failed,
            Self::NotRequired,
            Self::NotConfigured,
            Self::Digest,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A question, as the team sees it: who asked, about what, and what we answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    /// Time-ordered and unique: `<created_at>-<random>`.
    pub id: String,
    pub created_at: Millis,
    /// Normalised (trimmed, lower-case); stored because the team must reply to it.
    pub email: String,
    pub company: String,
    /// With obvious secrets removed.
    pub question: String,
    /// What the scrubber removed (kinds only, never the values).
    pub removed_secrets: Vec<String>,
    pub article: Option<String>,
    pub content_hash: Option<String>,
    /// The page the visitor read is older than the bundle (its hash differs).
    pub stale_page: bool,
    /// What became of it; pending until the request path records it. Flattened: the JSON export
    /// and the stored item keep one level of fields.
    #[serde(flatten)]
    pub outcome: LeadOutcome,
    /// When someone on the team marked the lead handled, and what they noted.
    pub handled_at: Option<Millis>,
    pub handled_note: Option<String>,
    /// Unix seconds; DynamoDB deletes the lead some time after (TTL).
    pub expires_at: i64,
}

impl Lead {
    /// A new lead asked at `now`, as it is first stored: pending, unanswered, nobody notified
    /// yet, not about an article. The caller sets what else it knows (article, page version, …)
    /// with struct update syntax, so the outcome fields are written in one place.
    pub fn pending(
        now: Millis,
        email: impl Into<String>,
        company: impl Into<String>,
        question: impl Into<String>,
        expires_at: i64,
    ) -> Lead {
        Lead {
            id: new_lead_id(now),
            created_at: now,
            email: email.into(),
            company: company.into(),
            question: question.into(),
            removed_secrets: Vec::new(),
            article: None,
            content_hash: None,
            stale_page: false,
            outcome: LeadOutcome::pending(),
            handled_at: None,
            handled_note: None,
            expires_at,
        }
    }

    /// This lead as it is once `outcome` is recorded.
    pub fn with_outcome(&self, outcome: &LeadOutcome) -> Lead {
        Lead {
            outcome: outcome.clone(),
            ..self.clone()
        }
    }
}

/// What became of a lead: its status, the advice (if any), why a person follows up, and whether
/// the team was told. One value, so the request path records it in one write
/// ([`RequestStore::finish_lead`]) and every reader sees the same fields together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadOutcome {
    pub status: LeadStatus,
    pub verdict: Option<Verdict>,
    pub answer: Option<String>,
    pub answer_source: Option<AdviceSource>,
    pub cited: Vec<String>,
    /// Why a person must follow up: `bring_us_in`, `daily_cap`, `llm_failed:<kind>`, or
    /// `policy_floor:<rule>:model_<verdict>` when the server's floor raised the verdict.
    pub follow_up_reason: Option<String>,
    pub notification: NotifyState,
    /// Which channel failed and how (never the webhook URL, which is a secret).
    pub notification_error: Option<String>,
}

impl LeadOutcome {
    /// A lead as first stored: pending, unanswered, nobody notified yet.
    pub fn pending() -> LeadOutcome {
        LeadOutcome {
            status: LeadStatus::Pending,
            verdict: None,
            answer: None,
            answer_source: None,
            cited: Vec::new(),
            follow_up_reason: None,
            notification: NotifyState::Pending,
            notification_error: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, throttled or failing: the visitor gets a 503 and no LLM is called.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// Too many simultaneous writes for one identity even after retries.
    #[error("too much contention on one quota")]
    Contention,
    #[error("lead {0} does not exist")]
    NoSuchLead(String),
}

/// What the request path needs of a store, and all the handler may use: admit a question
/// (quota, lead, LLM budget in one write), record its outcome, read a lead back for a retried
/// request, and take a place under a capped counter (notifications, LLM retries).
#[async_trait::async_trait]
pub trait RequestStore: Send + Sync {
    /// Atomically: if `ask.once` was admitted before, nothing but [`Admission::Duplicate`];
    /// else if every check allows a question at `now`, record it in each, store the lead, mark
    /// `once` as admitted, and count an LLM call against `llm` if it is given and not used up
    /// (a cap of 0 allows none); otherwise write nothing.
    async fn admit_ask(&self, ask: &Ask<'_>) -> Result<Admission, StoreError>;

    /// [`RequestStore::admit_ask`] without a request key.
    async fn admit_asking(
        &self,
        checks: &[QuotaCheck],
        now: Millis,
        lead: &Lead,
        llm: Option<&LlmBudget>,
    ) -> Result<Admission, StoreError> {
        self.admit_ask(&Ask {
            checks,
            now,
            lead,
            llm,
            once: None,
        })
        .await
    }

    /// [`RequestStore::admit_asking`] without an LLM call.
    async fn admit(
        &self,
        checks: &[QuotaCheck],
        now: Millis,
        lead: &Lead,
    ) -> Result<Admission, StoreError> {
        self.admit_asking(checks, now, lead, None).await
    }

    /// Records the outcome on a stored lead.
    async fn finish_lead(&self, id: &str, outcome: &LeadOutcome) -> Result<(), StoreError>;

    /// Reads a lead back (a retried request's first result; the team's tools, and tests).
    async fn lead(&self, id: &str) -> Result<Option<Lead>, StoreError>;

    /// Takes one place of a capped counter (e.g. `notify#<hour>`): the place's number (1 for
    /// the first) or `None` when all `cap` are taken. Atomic across instances. `expires_at`:
    /// the counter item's TTL, Unix seconds.
    async fn take_slot(
        &self,
        key: &str,
        cap: u64,
        expires_at: i64,
    ) -> Result<Option<u64>, StoreError>;
}

/// The team's side and the hourly digest's bookkeeping: lists, erasure, marking leads handled,
/// recording how the team was told. Never on the request path of a question, so the function's
/// hot path cannot grow a Query or a Scan by accident.
#[async_trait::async_trait]
pub trait AdminStore: Send + Sync {
    /// The accepted times currently recorded for a quota key (tests and diagnostics).
    async fn quota_times(&self, key: &str) -> Result<Vec<Millis>, StoreError>;

    /// Leads in one status created in `from..to` (ms), newest first. Uses the `by_status`
    /// index: the team's lists never Scan the table.
    async fn leads_by_status(
        &self,
        status: LeadStatus,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<Lead>, StoreError>;

    /// Every lead of one (normalised) email address, oldest first, through the `by_email` index.
    async fn leads_by_email(&self, email: &str) -> Result<Vec<Lead>, StoreError>;

    /// Marks a lead as dealt with by the team.
    async fn mark_handled(
        &self,
        id: &str,
        at: Millis,
        note: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Deletes a lead; `false` when there was none.
    async fn delete_lead(&self, id: &str) -> Result<bool, StoreError>;

    /// Deletes a quota item; `false` when there was none.
    async fn delete_quota(&self, key: &str) -> Result<bool, StoreError>;

    /// Records how the team was told about a lead, and nothing else (the hourly digest).
    async fn set_notification(
        &self,
        id: &str,
        notification: NotifyState,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
}

/// A whole store: both sides. Every store implements both, and the conformance tests
/// (`tests/it/store_conformance.rs`) run each on every store.
pub trait Store: RequestStore + AdminStore {}

impl<T: RequestStore + AdminStore + ?Sized> Store for T {}

/// The decision on one question for every identity it counts against, from each identity's
/// accepted times (`previous`, in the order of `checks`): the new times to write for each, or
/// the refusal (by the identity that frees up last). Shared by the stores, so the rule of
/// [`RequestStore::admit_ask`] lives in one place and only the atomic write differs.
pub fn decide_checks<'a>(
    checks: &[QuotaCheck],
    now: Millis,
    previous: impl IntoIterator<Item = &'a [Millis]>,
) -> Result<Vec<Vec<Millis>>, Refusal> {
    let mut updates = Vec::with_capacity(checks.len());
    let mut refused: Option<Refusal> = None;
    for (index, (check, times)) in checks.iter().zip(previous).enumerate() {
        match crate::quota::decide(times, now, check.limits) {
            crate::quota::Decision::Allow(times) => updates.push(times),
            crate::quota::Decision::Deny { retry_at } => {
                if refused.is_none_or(|r| retry_at > r.retry_at) {
                    refused = Some(Refusal {
                        retry_at,
                        check: index,
                    });
                }
            }
        }
    }
    match refused {
        Some(refusal) => Err(refusal),
        None => Ok(updates),
    }
}

/// Why [`decide_checks`] refused: when to retry, and which check refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub retry_at: Millis,
    pub check: usize,
}

/// 128 random bits as 32 hex digits: a quota item's version token, a transaction's idempotency
/// token. Random rather than counted, so a value never repeats after an item is deleted (by TTL
/// or `erase`) and recreated: a stale writer cannot match it by coincidence (ABA).
pub fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let part = |salt: u64| {
        // RandomState's keys come from the OS once per thread, then change per instance.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed) ^ salt);
        hasher.finish()
    };
    format!("{:016x}{:016x}", part(0), part(u64::MAX))
}

/// A new lead id: creation time first (so ids sort by time), then 64 random bits.
pub fn new_lead_id(now: Millis) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState is seeded from the OS per process; the counter separates ids within one.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_i64(now);
    format!("{now:013}-{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_ids_are_unique_and_time_ordered() {
        let a = new_lead_id(1_000);
        let b = new_lead_id(1_000);
        let c = new_lead_id(2_000);
        assert_ne!(a, b);
        assert!(a < c && b < c);
        assert_eq!(a.len(), 13 + 1 + 16);
    }

    #[test]
    fn a_lead_exports_as_one_level_of_fields_with_its_outcome_among_them() {
        let lead = Lead::pending(1_000, "a@b.co", "Acme", "The printer is offline", 0);
        let json = serde_json::to_value(&lead).unwrap();
        assert_eq!(json["status"], "pending");
        assert_eq!(json["notification"], "pending");
        assert!(json.get("outcome").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<Lead>(json).unwrap(), lead);
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            LeadStatus::Pending,
            LeadStatus::Answered,
            LeadStatus::NeedsFollowUp,
            LeadStatus::LlmFailed,
            LeadStatus::RateLimited,
            LeadStatus::Handled,
        ] {
            assert_eq!(LeadStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(LeadStatus::parse("done"), None);
        for state in [
            NotifyState::Pending,
            NotifyState::Sent,
            NotifyState::Failed,
            NotifyState::NotRequired,
            NotifyState::NotConfigured,
            NotifyState::Digest,
        ] {
            assert_eq!(NotifyState::parse(state.as_str()), Some(state));
        }
        assert_eq!(NotifyState::parse("ok"), None);
    }
}
