//! The content of a notification, independent of the channel: built from a stored lead, in
//! plain text. Channels escape it for their own markup.

use serde::Serialize;

use crate::clock;
use crate::llm::Verdict;
use crate::store::{Lead, LeadStatus};

/// Everything the team needs to act on a lead without opening another tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadNotice {
    pub lead_id: String,
    /// RFC 3339, UTC.
    pub asked_at: String,
    #[serde(skip)]
    pub status: LeadStatus,
    /// One line saying why this reached the team.
    pub headline: String,
    /// As typed by the visitor: unverified, and labelled so wherever it is shown.
    pub company: String,
    /// The domain in punycode (see [`crate::email::display_address`]); unverified.
    pub email: String,
    /// The article the visitor was reading (title and absolute URL), if any.
    pub article_title: Option<String>,
    pub article_url: Option<String>,
    /// With secrets already removed by the scrubber.
    pub question: String,
    pub verdict: Option<Verdict>,
    pub follow_up_reason: Option<String>,
}

impl LeadNotice {
    /// `article` is the title and URL of `lead.article`, looked up in the bundle.
    pub fn new(lead: &Lead, article: Option<(&str, &str)>) -> Self {
        Self {
            lead_id: lead.id.clone(),
            asked_at: clock::rfc3339(lead.created_at),
            status: lead.outcome.status,
            headline: headline(lead),
            company: lead.company.clone(),
            email: crate::email::display_address(&lead.email),
            article_title: article.map(|(title, _)| title.to_owned()),
            article_url: article.map(|(_, url)| url.to_owned()),
            question: lead.question.clone(),
            verdict: lead.outcome.verdict,
            follow_up_reason: lead.outcome.follow_up_reason.clone(),
        }
    }

    /// "Acme BV" or "Acme BV about "Printer offline"": used in subjects and chat titles.
    pub fn who_and_what(&self) -> String {
        let company = one_line(&self.company, 80);
        match &self.article_title {
            Some(title) => format!("{company} about \u{201c}{}\u{201d}", one_line(title, 100)),
            None => company,
        }
    }
}

fn headline(lead: &Lead) -> String {
    let reason = lead.outcome.follow_up_reason.as_deref().unwrap_or_default();
    match lead.outcome.status {
        LeadStatus::NeedsFollowUp if reason == "bring_us_in" => {
            "Too risky to do yourself: please follow up".to_owned()
        }
        LeadStatus::NeedsFollowUp if reason == "daily_cap" => {
            "Daily AI limit reached, not answered: please reply by email".to_owned()
        }
        LeadStatus::NeedsFollowUp => "Not answered: please follow up".to_owned(),
        LeadStatus::LlmFailed => "The AI could not answer: please follow up".to_owned(),
        LeadStatus::RateLimited => "Asked past the limit, not answered: please reply".to_owned(),
        LeadStatus::Answered => match lead.outcome.verdict {
            Some(verdict) => format!("Answered ({})", verdict.label()),
            None => "Answered".to_owned(),
        },
        LeadStatus::Pending => "Question received".to_owned(),
        LeadStatus::Handled => "Handled".to_owned(),
    }
}

/// Said next to the company and the email in every notification: anyone can type any name and
/// address into the form, and nothing has confirmed them yet.
pub const UNVERIFIED: &str = "unverified";

/// `text` on one line (control characters and line breaks become spaces), at most `max`
/// characters: for subjects and titles, where a visitor's line break must not inject anything.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = crate::plain_text::single_line(text)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}\u{2026}", cut.trim_end())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::LeadOutcome;

    pub(crate) fn lead(status: LeadStatus, reason: Option<&str>) -> Lead {
        Lead {
            id: "1795961109000-00000000000000ab".into(),
            article: Some("printer-offline".into()),
            outcome: LeadOutcome {
                status,
                verdict: Some(Verdict::BringUsIn),
                follow_up_reason: reason.map(str::to_owned),
                ..LeadOutcome::pending()
            },
            ..Lead::pending(
                1_795_961_109_000,
                "jo@acme.test",
                "Acme\r\nBcc: evil@x.test",
                "The <!channel> printer *still* shows [offline](https://evil.test)",
                0,
            )
        }
    }

    #[test]
    fn headline_says_why_the_team_is_told() {
        let notice = LeadNotice::new(
            &lead(LeadStatus::NeedsFollowUp, Some("bring_us_in")),
            Some((
                "Printer offline",
                "https://help.example.test/printer-offline/",
            )),
        );
        assert_eq!(
            notice.headline,
            "Too risky to do yourself: please follow up"
        );
        assert_eq!(notice.asked_at, "2026-11-29T14:05:09Z");
        assert_eq!(
            LeadNotice::new(&lead(LeadStatus::NeedsFollowUp, Some("daily_cap")), None).headline,
            "Daily AI limit reached, not answered: please reply by email"
        );
        assert_eq!(
            LeadNotice::new(
                &lead(LeadStatus::LlmFailed, Some("llm_failed:timeout")),
                None
            )
            .headline,
            "The AI could not answer: please follow up"
        );
    }

    #[test]
    fn titles_cannot_carry_line_breaks() {
        let notice = LeadNotice::new(
            &lead(LeadStatus::LlmFailed, None),
            Some((
                "Printer offline",
                "https://help.example.test/printer-offline/",
            )),
        );
        assert_eq!(
            notice.who_and_what(),
            "Acme Bcc: evil@x.test about \u{201c}Printer offline\u{201d}"
        );
        assert_eq!(one_line("abcdef", 4), "abc\u{2026}");
    }
}
