//! Erasing everything stored about one email address (a GDPR Article 17 request): its leads
//! and the quota items keyed by its pseudonym. Leads do not record the network address they
//! came from, so the address quota items (shared by everyone behind that address, holding only
//! times) cannot be linked to the person; they expire a day after their last question.
//!
//! Always planned first and shown, so `--dry-run` and the real run print the same list.

use crate::email::{pseudonym, Email};
use crate::store::{AdminStore, Lead, NotifyState, StoreError};

/// What an erasure would delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasurePlan {
    pub email: String,
    pub leads: Vec<Lead>,
    /// Quota items (`email#…` for the address, `held#…` for its questions kept past the
    /// limit) and how many question times each currently holds.
    pub quotas: Vec<(String, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    pub leads: usize,
    pub quotas: usize,
}

/// Finds what is stored for `email`. `salt` must be the function's `TRYFIRST_HASH_SALT`: the
/// quota key is a salted hash of the address, never the address itself.
pub async fn plan(
    store: &dyn AdminStore,
    email: &Email,
    salt: &str,
) -> Result<ErasurePlan, StoreError> {
    let leads = store.leads_by_email(email.as_str()).await?;
    let hash = pseudonym(salt, "email", &email.quota_identity());
    let keys = [format!("email#{hash}"), format!("held#{hash}")];
    let mut quotas = Vec::new();
    for key in keys {
        let times = store.quota_times(&key).await?.len();
        if times > 0 {
            quotas.push((key, times));
        }
    }
    Ok(ErasurePlan {
        email: email.as_str().to_owned(),
        leads,
        quotas,
    })
}

/// Deletes what `plan` found. Deleting is idempotent: a second run finds nothing.
pub async fn execute(store: &dyn AdminStore, plan: &ErasurePlan) -> Result<Erased, StoreError> {
    let mut erased = Erased {
        leads: 0,
        quotas: 0,
    };
    for lead in &plan.leads {
        erased.leads += usize::from(store.delete_lead(&lead.id).await?);
    }
    for (key, _) in &plan.quotas {
        erased.quotas += usize::from(store.delete_quota(key).await?);
    }
    Ok(erased)
}

/// The plan in words, for the person handling the request.
pub fn describe(plan: &ErasurePlan) -> String {
    let mut out = format!("Stored for {}:\n", plan.email);
    if plan.leads.is_empty() && plan.quotas.is_empty() {
        out.push_str("  nothing (no leads, no quota items).\n");
        return out;
    }
    out.push_str(&format!("  {} lead(s)\n", plan.leads.len()));
    for lead in &plan.leads {
        out.push_str(&format!(
            "    {}  {}  {}  {}\n",
            lead.id,
            crate::clock::rfc3339(lead.created_at),
            lead.outcome.status.as_str(),
            lead.article.as_deref().unwrap_or("-")
        ));
    }
    out.push_str(&format!("  {} quota item(s)\n", plan.quotas.len()));
    for (key, times) in &plan.quotas {
        let kind = if key.starts_with("held#") {
            "its questions kept past the limit"
        } else {
            "the address itself"
        };
        out.push_str(&format!(
            "    {key}  {times} question time(s), for {kind}\n"
        ));
    }
    let notified = plan
        .leads
        .iter()
        .filter(|l| l.outcome.notification == NotifyState::Sent)
        .count();
    if notified > 0 {
        out.push_str(&format!(
            "\nNote: {notified} lead(s) were sent to the team's chat or mailbox; delete those messages there too.\n"
        ));
    }
    out
}
