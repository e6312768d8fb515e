//! Telling the team about a lead, after it is stored: a chat webhook (Microsoft Teams or Slack)
//! and/or an email through Amazon SES.
//!
//! Best effort by design. The lead is already in the store when we get here, so a failed or
//! slow notification must never fail the visitor's request; instead the result is recorded on the
//! lead ([`NotifyState`]) and shows up in `ask-team leads list`, so nothing slips through silently.
//! Each channel has its own short timeout and they run concurrently.

pub mod digest;
pub mod email;
pub mod message;
pub mod webhook;

use std::time::Duration;

use crate::store::{LeadStatus, NotifyState};

pub use message::LeadNotice;

/// Which leads the team hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Only those a person must act on: `bring_us_in`, LLM failed, daily cap reached.
    FollowUpOnly,
    /// Every accepted question (small teams that want to see all of them).
    Every,
}

impl Policy {
    pub fn wants(self, status: LeadStatus) -> bool {
        match status {
            LeadStatus::NeedsFollowUp | LeadStatus::LlmFailed => true,
            LeadStatus::Answered => self == Policy::Every,
            // Listed in `leads list`; not pushed, so asking past the limit cannot flood the team.
            LeadStatus::Pending | LeadStatus::RateLimited | LeadStatus::Handled => false,
        }
    }
}

/// What happened when notifying: the state to record and, if a channel failed, how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub state: NotifyState,
    pub error: Option<String>,
}

/// The configured channels, built once per process.
pub struct Notifier {
    policy: Policy,
    timeout: Duration,
    webhook: Option<webhook::WebhookChannel>,
    email: Option<email::EmailChannel>,
}

impl Notifier {
    /// No channels: leads that need a person are recorded as `not_configured`.
    pub fn disabled() -> Self {
        Self {
            policy: Policy::FollowUpOnly,
            timeout: Duration::from_secs(2),
            webhook: None,
            email: None,
        }
    }

    pub fn new(
        policy: Policy,
        timeout: Duration,
        webhook: Option<webhook::WebhookChannel>,
        email: Option<email::EmailChannel>,
    ) -> Self {
        Self {
            policy,
            timeout,
            webhook,
            email,
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Whether a lead in this state would be sent anywhere (the policy wants it and a channel
    /// is configured): only those count against the hourly cap.
    pub fn would_send(&self, status: LeadStatus) -> bool {
        self.policy.wants(status) && (self.webhook.is_some() || self.email.is_some())
    }

    /// Sends `notice` on every channel if the policy wants this lead; never fails.
    pub async fn notify(&self, notice: &LeadNotice) -> Delivery {
        if !self.policy.wants(notice.status) {
            return Delivery {
                state: NotifyState::NotRequired,
                error: None,
            };
        }
        if self.webhook.is_none() && self.email.is_none() {
            return Delivery {
                state: NotifyState::NotConfigured,
                error: None,
            };
        }
        let webhook = async {
            match &self.webhook {
                Some(channel) => Some(within(self.timeout, "webhook", channel.send(notice)).await),
                None => None,
            }
        };
        let email = async {
            match &self.email {
                Some(channel) => Some(within(self.timeout, "email", channel.send(notice)).await),
                None => None,
            }
        };
        let (webhook, email) = tokio::join!(webhook, email);
        summarise(webhook.into_iter().chain(email))
    }
}

/// One channel's attempt, cut off after `timeout` so a slow service cannot hold the visitor.
async fn within(
    timeout: Duration,
    channel: &'static str,
    send: impl std::future::Future<Output = Result<(), String>>,
) -> (&'static str, Result<(), String>) {
    match tokio::time::timeout(timeout, send).await {
        Ok(result) => (channel, result),
        Err(_) => (
            channel,
            Err(format!("no answer within {} ms", timeout.as_millis())),
        ),
    }
}

/// One state for the lead from the channels' results: sent if anyone was reached (the failures
/// still recorded), failed if nobody was.
fn summarise(results: impl Iterator<Item = (&'static str, Result<(), String>)>) -> Delivery {
    let mut reached = false;
    let mut failures = Vec::new();
    for (channel, result) in results {
        match result {
            Ok(()) => reached = true,
            Err(error) => failures.push(format!("{channel}: {error}")),
        }
    }
    Delivery {
        state: if reached {
            NotifyState::Sent
        } else {
            NotifyState::Failed
        },
        error: (!failures.is_empty()).then(|| failures.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_up_leads_are_always_wanted_answered_ones_only_when_asked() {
        for policy in [Policy::FollowUpOnly, Policy::Every] {
            assert!(policy.wants(LeadStatus::NeedsFollowUp));
            assert!(policy.wants(LeadStatus::LlmFailed));
            assert!(!policy.wants(LeadStatus::Handled));
        }
        assert!(!Policy::FollowUpOnly.wants(LeadStatus::Answered));
        assert!(Policy::Every.wants(LeadStatus::Answered));
    }

    #[test]
    fn one_reached_channel_counts_as_sent_but_keeps_the_other_failure() {
        let delivery =
            summarise([("webhook", Err("HTTP 404".to_owned())), ("email", Ok(()))].into_iter());
        assert_eq!(delivery.state, NotifyState::Sent);
        assert_eq!(delivery.error.as_deref(), Some("webhook: HTTP 404"));
        let delivery = summarise([("webhook", Err("timed out".to_owned()))].into_iter());
        assert_eq!(delivery.state, NotifyState::Failed);
        assert_eq!(delivery.error.as_deref(), Some("webhook: timed out"));
    }
}
