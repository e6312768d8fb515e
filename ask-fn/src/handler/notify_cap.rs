//! At most `notify.per_hour` leads are notified one by one per UTC hour; the rest are held
//! (`digest`) and told in one digest with the first notification of a later hour. An attacker
//! with a pool of addresses can then cost the team one message an hour, not one per question.

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
        if cap == 0 || !self.notifier.would_send(lead.status) {
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
            Ok(Some(1)) => self.send_digest(hour, request_id).await,
            Ok(Some(_)) => {}
            // Better one notification too many than a lead nobody hears about.
            Err(error) => {
                tracing::warn!(request_id, error = %error, "could not count the notification; sending it")
            }
        }
        self.notifier.notify(&notice).await
    }

    /// Sends one digest of the leads held back in the day before `until`, and records on each
    /// whether it went out.
    async fn send_digest(&self, until: Millis, request_id: &str) {
        let mut held = Vec::new();
        for status in LeadStatus::TRIAGE_ORDER {
            match self.store.leads_by_status(status, until - DAY, until).await {
                Ok(leads) => held.extend(
                    leads
                        .into_iter()
                        .filter(|l| l.notification == NotifyState::Digest),
                ),
                Err(error) => {
                    tracing::warn!(request_id, error = %error, "could not read the leads held for the digest");
                    return;
                }
            }
        }
        if held.is_empty() {
            return;
        }
        held.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let delivery = self.notifier.notify(&digest::notice(&held)).await;
        for lead in &held {
            if let Err(error) = self
                .store
                .set_notification(&lead.id, delivery.state, delivery.error.as_deref())
                .await
            {
                tracing::warn!(request_id, lead_id = %lead.id, error = %error, "could not record the digest on a lead");
            }
        }
    }
}
