//! The in-memory store: one mutex around plain maps, so `admit` is trivially atomic. For
//! `tryfirst serve` and unit tests; state is lost when the process ends.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    AdminStore, Admission, Ask, Lead, LeadOutcome, LeadStatus, NotifyState, Refusal, RequestStore,
    StoreError,
};
use crate::clock::Millis;
use crate::quota;

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    quotas: HashMap<String, Vec<Millis>>,
    /// The LLM counters by day, and other capped counters by key (`take_slot`).
    llm_calls: HashMap<String, u64>,
    leads: HashMap<String, Lead>,
    /// Request keys already admitted, and their lead.
    once: HashMap<String, String>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated (every update is
        // a single insert), so a poisoned lock is safe to keep using.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every lead, oldest first (for `serve`'s debugging and tests).
    pub fn leads(&self) -> Vec<Lead> {
        let mut leads: Vec<Lead> = self.state().leads.values().cloned().collect();
        leads.sort_by(|a, b| a.id.cmp(&b.id));
        leads
    }
}

/// The stored lead `id`, to change in place, or `NoSuchLead`.
fn lead_mut<'a>(state: &'a mut State, id: &str) -> Result<&'a mut Lead, StoreError> {
    state
        .leads
        .get_mut(id)
        .ok_or_else(|| StoreError::NoSuchLead(id.to_owned()))
}

#[async_trait::async_trait]
impl RequestStore for MemoryStore {
    async fn admit_ask(&self, ask: &Ask<'_>) -> Result<Admission, StoreError> {
        let Ask {
            checks,
            now,
            lead,
            llm,
            once,
        } = *ask;
        let mut state = self.state();
        if let Some(lead_id) = once.and_then(|key| state.once.get(key)) {
            return Ok(Admission::Duplicate {
                lead_id: lead_id.clone(),
            });
        }
        let previous = checks.iter().map(|check| {
            state
                .quotas
                .get(&check.key)
                .map(Vec::as_slice)
                .unwrap_or_default()
        });
        let updates = match super::decide_checks(checks, now, previous) {
            Ok(updates) => updates,
            Err(Refusal { retry_at, check }) => return Ok(Admission::Refused { retry_at, check }),
        };
        let remaining = checks
            .iter()
            .zip(&updates)
            .map(|(check, times)| quota::remaining(times, now, check.limits))
            .collect();
        for (check, times) in checks.iter().zip(updates) {
            state.quotas.insert(check.key.clone(), times);
        }
        state.leads.insert(lead.id.clone(), lead.clone());
        if let Some(key) = once {
            state.once.insert(key.to_owned(), lead.id.clone());
        }
        let llm_call = match llm {
            Some(budget) => {
                let count = state
                    .llm_calls
                    .entry(format!("llm#{}", budget.day))
                    .or_default();
                let allowed = *count < budget.cap;
                *count += u64::from(allowed);
                allowed
            }
            None => false,
        };
        Ok(Admission::Accepted {
            remaining,
            llm_call,
        })
    }

    async fn finish_lead(&self, id: &str, outcome: &LeadOutcome) -> Result<(), StoreError> {
        let mut state = self.state();
        let lead = lead_mut(&mut state, id)?;
        lead.outcome.clone_from(outcome);
        Ok(())
    }

    async fn lead(&self, id: &str) -> Result<Option<Lead>, StoreError> {
        Ok(self.state().leads.get(id).cloned())
    }

    async fn take_slot(
        &self,
        key: &str,
        cap: u64,
        _expires_at: i64,
    ) -> Result<Option<u64>, StoreError> {
        let mut state = self.state();
        let count = state.llm_calls.entry(key.to_owned()).or_default();
        if *count >= cap {
            return Ok(None);
        }
        *count += 1;
        Ok(Some(*count))
    }
}

#[async_trait::async_trait]
impl AdminStore for MemoryStore {
    async fn quota_times(&self, key: &str) -> Result<Vec<Millis>, StoreError> {
        Ok(self.state().quotas.get(key).cloned().unwrap_or_default())
    }

    async fn leads_by_status(
        &self,
        status: LeadStatus,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<Lead>, StoreError> {
        let mut leads: Vec<Lead> = self
            .state()
            .leads
            .values()
            .filter(|l| l.outcome.status == status && (from..to).contains(&l.created_at))
            .cloned()
            .collect();
        leads.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(leads)
    }

    async fn leads_by_email(&self, email: &str) -> Result<Vec<Lead>, StoreError> {
        let mut leads: Vec<Lead> = self
            .state()
            .leads
            .values()
            .filter(|l| l.email == email)
            .cloned()
            .collect();
        leads.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(leads)
    }

    async fn mark_handled(
        &self,
        id: &str,
        at: Millis,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let lead = lead_mut(&mut state, id)?;
        lead.outcome.status = LeadStatus::Handled;
        lead.handled_at = Some(at);
        lead.handled_note = note.map(str::to_owned);
        Ok(())
    }

    async fn delete_lead(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.state().leads.remove(id).is_some())
    }

    async fn delete_quota(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.state().quotas.remove(key).is_some())
    }

    async fn set_notification(
        &self,
        id: &str,
        notification: NotifyState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let lead = lead_mut(&mut state, id)?;
        lead.outcome.notification = notification;
        lead.outcome.notification_error = error.map(str::to_owned);
        Ok(())
    }
}
