//! At most `notify.per_hour` leads are notified one by one per UTC hour; the rest are held
//! (`digest`) and told in one digest: by the hourly scheduled run ([`App::send_held_digest`],
//! `ask-fn`'s digest function in infra/template.yaml), or with the first notification of a
//! later hour, whichever comes first (one claim per hour, so never both). An attacker with a
//! pool of addresses can then cost the team one message an hour, not one per question, and a
//! held lead reaches the team within the hour even when no later question arrives.

use super::App;
use crate::clock::{Millis, DAY, HOUR};
use crate::notify::{digest, Delivery, LeadNotice};
use crate::store::{Lead, LeadStatus, NotifyState};

impl App {
    /// Notifies the team of `lead` (asked at `now`) within the hourly cap.
    pub(super) async fn notify_within_cap(
        &self,
        lead: &Lead,
        article: Option<(&str, &str)>,
        now: Millis,
        request_id: &str,
    ) -> Delivery {
        let notice = LeadNotice::new(lead, article);
        let cap = self.settings.notify.per_hour;
        if cap == 0 || !self.notifier.would_send(lead.outcome.status) {
            return self.notifier.notify(&notice).await;
        }
        let hour = now - now.rem_euclid(HOUR);
        let slot = self
            .store
            .take_slot(
                &format!("notify#{}", hour / HOUR),
                cap,
                (hour + 2 * HOUR) / 1_000,
            )
            .await;
        match slot {
            Ok(None) => {
                tracing::warn!(
                    request_id,
                    metric = "notification_held",
                    "hourly notification limit reached; the lead goes out in the next digest"
                );
                return Delivery {
                    state: NotifyState::Digest,
                    error: None,
                };
            }
            // The first notification of this hour also carries what earlier hours held back.
            Ok(Some(1)) => {
                self.send_digest(hour, request_id).await;
            }
            Ok(Some(_)) => {}
            // Better one notification too many than a lead nobody hears about.
            Err(error) => {
                tracing::warn!(request_id, error = %error, "could not count the notification; sending it")
            }
        }
        self.notifier.notify(&notice).await
    }

    /// The scheduled hourly run: sends the digest of the leads still held back, unless this
    /// hour's digest already went out. Never fails: what is not sent stays held for the next run.
    pub async fn send_held_digest(&self, request_id: &str) -> DigestRun {
        let now = self.clock.now();
        self.send_digest(now, request_id).await
    }

    /// Sends one digest of the leads held back in the day before `until`, and records on each
    /// whether it went out. At most one digest per UTC hour (`digest#<hour>`): the scheduled
    /// run and a request's first notification of the hour may coincide, and must not both
    /// send the same leads.
    async fn send_digest(&self, until: Millis, request_id: &str) -> DigestRun {
        let hour = until - until.rem_euclid(HOUR);
        let claim = self
            .store
            .take_slot(
                &format!("digest#{}", hour / HOUR),
                1,
                (hour + 2 * HOUR) / 1_000,
            )
            .await;
        match claim {
            Ok(Some(_)) => {}
            Ok(None) => return DigestRun::AlreadySent,
            Err(error) => {
                tracing::warn!(request_id, error = %error, "could not claim this hour's digest; it waits for the next run");
                return DigestRun::Unavailable;
            }
        }
        let mut held = Vec::new();
        for status in LeadStatus::TRIAGE_ORDER {
            match self.held.leads_by_status(status, until - DAY, until).await {
                Ok(leads) => held.extend(
                    leads
                        .into_iter()
                        .filter(|l| l.outcome.notification == NotifyState::Digest),
                ),
                Err(error) => {
                    tracing::warn!(request_id, error = %error, "could not read the leads held for the digest");
                    return DigestRun::Unavailable;
                }
            }
        }
        if held.is_empty() {
            return DigestRun::NothingHeld;
        }
        held.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let delivery = self.notifier.notify(&digest::notice(&held)).await;
        for lead in &held {
            if let Err(error) = self
                .held
                .set_notification(&lead.id, delivery.state, delivery.error.as_deref())
                .await
            {
                tracing::warn!(request_id, lead_id = %lead.id, error = %error, "could not record the digest on a lead");
            }
        }
        DigestRun::Sent {
            leads: held.len(),
            state: delivery.state,
        }
    }
}

/// What one digest run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "digest", rename_all = "snake_case")]
pub enum DigestRun {
    /// One notice listing `leads` held leads; `state` is how the channels took it.
    Sent { leads: usize, state: NotifyState },
    /// No lead was waiting.
    NothingHeld,
    /// This hour's digest was already sent (by a request, or an earlier run).
    AlreadySent,
    /// The store could not be read or written; the leads stay held for the next run.
    Unavailable,
}
