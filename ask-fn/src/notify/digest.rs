//! The hourly digest: leads held back by the cap on notifications per hour, told in one message
//! instead of one each, so a flood of questions (a pool of addresses, a burnt LLM cap) cannot
//! bury the team's channel. Sent through the ordinary channels as a notice of its own.

use crate::clock;
use crate::store::{Lead, LeadStatus};

use super::message::one_line;
use super::LeadNotice;

/// One notice listing `leads` (oldest first): when, who, why, and the id to look it up with.
pub fn notice(leads: &[Lead]) -> LeadNotice {
    let lines: Vec<String> = leads
        .iter()
        .map(|lead| {
            format!(
                "{}  {}  {}  {}  ({})",
                clock::rfc3339(lead.created_at),
                lead.outcome.status.as_str(),
                one_line(&lead.company, 60),
                one_line(&lead.question, 80),
                lead.id
            )
        })
        .collect();
    let first = leads.first().map_or(0, |l| l.created_at);
    LeadNotice {
        lead_id: format!("digest-{first}"),
        asked_at: clock::rfc3339(first),
        status: LeadStatus::NeedsFollowUp,
        headline: format!(
            "Digest: {} more lead(s) held back by the hourly notification limit",
            leads.len()
        ),
        company: format!("{} lead(s)", leads.len()),
        email: String::new(),
        article_title: None,
        article_url: None,
        question: format!("{}\nSee them with: ask-team leads list", lines.join("\n")),
        verdict: None,
        follow_up_reason: Some("digest".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LeadOutcome;

    #[test]
    fn a_digest_lists_every_held_lead_on_its_own_line() {
        let leads: Vec<Lead> = (0..3)
            .map(|n| Lead {
                outcome: LeadOutcome {
                    status: LeadStatus::NeedsFollowUp,
                    ..LeadOutcome::pending()
                },
                ..Lead::pending(
                    1_795_961_109_000 + n,
                    format!("v{n}@example.com"),
                    format!("Company {n}\nInjected: line"),
                    "The printer is offline",
                    0,
                )
            })
            .collect();
        let notice = notice(&leads);
        assert!(notice.headline.starts_with("Digest: 3 more lead(s)"));
        for lead in &leads {
            assert!(notice.question.contains(&lead.id));
        }
        assert_eq!(notice.question.lines().count(), 4, "{}", notice.question);
        assert!(!notice.question.contains("\nInjected"), "one line per lead");
    }

    #[test]
    fn a_digest_email_has_no_reply_to_and_does_not_blame_an_address() {
        let lead = Lead::pending(
            1_795_961_109_000,
            "v@example.com".to_owned(),
            String::new(),
            "Q",
            0,
        );
        let notice = notice(&[lead]);
        assert_eq!(crate::notify::email::reply_to(&notice), None);
        let (_, body) = crate::notify::email::compose(&notice);
        assert!(!body.contains("non-ASCII"), "{body}");
        assert!(body.contains("ask-team leads handle "), "{body}");
    }
}
