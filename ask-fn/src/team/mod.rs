//! The team's side of the leads: listing them in the order they need attention, marking them
//! handled, exporting for a CRM, erasing one person's data, and the editors' content-gap report.
//! Pure formatting lives here and in the submodules; the `ask-team leads` commands in `bin/ask-team.rs`
//! only read arguments and print.
//!
//! Everything reads through the `by_status` and `by_email` indexes: the leads table is never
//! scanned, so the cost of a list does not grow with years of leads.

pub mod csv;
pub mod erase;
pub mod gaps;

use crate::clock::{self, Millis, DAY};
use crate::notify::message::one_line;
use crate::plain_text;
use crate::store::{AdminStore, Lead, LeadStatus, NotifyState, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("`{0}` is not a date: write it as YYYY-MM-DD (UTC), e.g. 2026-11-29")]
    BadDay(String),
    #[error("the period is empty: --since {since} is after --until {until}")]
    EmptyPeriod { since: String, until: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whole UTC days, `from` inclusive and `to` exclusive (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    /// From `--since` and `--until` (both inclusive days). Without `--since`, the `default_days`
    /// days up to and including `--until` (or today).
    pub fn from_days(
        since: Option<&str>,
        until: Option<&str>,
        now: Millis,
        default_days: i64,
    ) -> Result<Self, TeamError> {
        let day = |text: &str| {
            clock::parse_utc_day(text).ok_or_else(|| TeamError::BadDay(text.to_owned()))
        };
        let to = match until {
            Some(text) => day(text)? + DAY,
            None => now.div_euclid(DAY) * DAY + DAY,
        };
        let from = match since {
            Some(text) => day(text)?,
            None => to - default_days * DAY,
        };
        if from >= to {
            return Err(TeamError::EmptyPeriod {
                since: clock::utc_day(from),
                until: clock::utc_day(to - DAY),
            });
        }
        Ok(Self { from, to })
    }

    /// `2026-11-01 to 2026-11-29`
    pub fn describe(&self) -> String {
        format!(
            "{} to {}",
            clock::utc_day(self.from),
            clock::utc_day(self.to - 1)
        )
    }
}

/// The leads in `statuses` created in `period`: statuses in triage order (what needs a person
/// first), newest first within each.
pub async fn triage(
    store: &dyn AdminStore,
    statuses: &[LeadStatus],
    period: Period,
) -> Result<Vec<Lead>, StoreError> {
    let mut leads = Vec::new();
    for status in LeadStatus::TRIAGE_ORDER {
        if statuses.contains(&status) {
            leads.extend(
                store
                    .leads_by_status(status, period.from, period.to)
                    .await?,
            );
        }
    }
    Ok(leads)
}

/// Every lead created in `period`, oldest first (exports and reports).
pub async fn all_in(store: &dyn AdminStore, period: Period) -> Result<Vec<Lead>, StoreError> {
    let mut leads = triage(store, &LeadStatus::TRIAGE_ORDER, period).await?;
    leads.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(leads)
}

/// How the NOTIFIED column reads: failures shout, because they are what slips through.
fn notified(lead: &Lead) -> &'static str {
    match lead.outcome.notification {
        NotifyState::Sent => "sent",
        NotifyState::Failed => "FAILED",
        NotifyState::NotConfigured => "no channel",
        NotifyState::NotRequired => "-",
        NotifyState::Pending => "?",
        NotifyState::Digest => "in digest",
    }
}

/// An aligned plain-text table for a terminal.
pub fn table(leads: &[Lead]) -> String {
    if leads.is_empty() {
        return "No leads in this period.\n".to_owned();
    }
    let header = [
        "ASKED (UTC)",
        "STATUS",
        "NOTIFIED",
        "COMPANY",
        "EMAIL",
        "ARTICLE",
        "QUESTION",
        "ID",
    ];
    let rows: Vec<[String; 8]> = leads
        .iter()
        .map(|lead| {
            [
                clock::rfc3339(lead.created_at)[..16].replace('T', " "),
                lead.outcome.status.as_str().to_owned(),
                notified(lead).to_owned(),
                one_line(&lead.company, 24),
                one_line(&crate::email::display_address(&lead.email), 254),
                one_line(lead.article.as_deref().unwrap_or("-"), 80),
                one_line(&lead.question, 48),
                lead.id.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Everything about one lead, for `ask-team leads show`.
pub fn details(lead: &Lead) -> String {
    let mut out = String::new();
    // Stored text is printed through `plain_text`: a lead written before the form removed
    // control characters must not be able to drive the team's terminal either.
    let mut field = |name: &str, value: &str| {
        out.push_str(&format!("{name:<13} {}\n", plain_text::single_line(value)))
    };
    field("Lead", &lead.id);
    field("Asked", &clock::rfc3339(lead.created_at));
    field("Status", lead.outcome.status.as_str());
    field("Company", &lead.company);
    field("Email", &crate::email::display_address(&lead.email));
    field("Article", lead.article.as_deref().unwrap_or("-"));
    if lead.stale_page {
        field("", "(they read an older version of the article)");
    }
    field(
        "Verdict",
        lead.outcome.verdict.map_or("-", |verdict| verdict.label()),
    );
    field(
        "Follow up",
        lead.outcome.follow_up_reason.as_deref().unwrap_or("-"),
    );
    let notification = match &lead.outcome.notification_error {
        Some(error) => format!("{} ({error})", lead.outcome.notification.as_str()),
        None => lead.outcome.notification.as_str().to_owned(),
    };
    field("Notified", &notification);
    if let Some(at) = lead.handled_at {
        field("Handled", &clock::rfc3339(at));
        field("Note", lead.handled_note.as_deref().unwrap_or("-"));
    }
    if !lead.removed_secrets.is_empty() {
        field("Removed", &lead.removed_secrets.join(", "));
    }
    out.push_str("\nQuestion:\n");
    out.push_str(&plain_text::multi_line(&lead.question));
    out.push('\n');
    if let Some(answer) = &lead.outcome.answer {
        out.push_str("\nAnswer given:\n");
        out.push_str(&plain_text::multi_line(answer));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::lead;
    use crate::store::LeadOutcome;

    const NOW: Millis = 1_795_961_109_000; // 2026-11-29T14:05:09Z

    #[test]
    fn periods_are_whole_inclusive_days() {
        let p = Period::from_days(Some("2026-11-01"), Some("2026-11-29"), NOW, 30).unwrap();
        assert_eq!(p.describe(), "2026-11-01 to 2026-11-29");
        assert_eq!(p.to - p.from, 29 * DAY);
        let default = Period::from_days(None, None, NOW, 7).unwrap();
        assert_eq!(default.describe(), "2026-11-23 to 2026-11-29");
        assert!(matches!(
            Period::from_days(Some("29-11-2026"), None, NOW, 7),
            Err(TeamError::BadDay(_))
        ));
        assert!(matches!(
            Period::from_days(Some("2026-11-30"), Some("2026-11-29"), NOW, 7),
            Err(TeamError::EmptyPeriod { .. })
        ));
    }

    #[test]
    fn the_table_aligns_and_shouts_failed_notifications() {
        let mut failed = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        failed.outcome.notification = NotifyState::Failed;
        let answered = Lead {
            id: "x".into(),
            company: "B".into(),
            question: "short".into(),
            outcome: LeadOutcome {
                notification: NotifyState::NotRequired,
                status: LeadStatus::Answered,
                ..failed.outcome.clone()
            },
            ..failed.clone()
        };
        let text = table(&[failed, answered]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("ASKED (UTC)       STATUS           NOTIFIED"));
        assert!(lines[1]
            .starts_with("2026-11-29 14:05  needs_follow_up  FAILED    Acme Bcc: evil@x.test"));
        assert!(lines[2].starts_with("2026-11-29 14:05  answered         -         B "));
        // Columns line up: STATUS starts at the same offset on every line.
        let at = lines[0].find("STATUS").unwrap();
        assert!(lines
            .iter()
            .all(|l| l[at..].starts_with(|c: char| c.is_alphabetic())));
        assert_eq!(table(&[]), "No leads in this period.\n");
    }

    /// Nothing a visitor typed can reach the terminal as an escape sequence (C0, C1, bidi).
    #[test]
    fn show_and_list_print_no_control_characters() {
        let mut evil = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        evil.company = "Acme\u{1b}]0;owned\u{7}\u{9b}2J BV".into();
        evil.question = "Line one\r\n\u{1b}[31mred\u{1b}[0m\u{202e}gnp.exe".into();
        evil.outcome.answer = Some("Fine\u{1b}[8m hidden".into());
        evil.handled_at = Some(NOW);
        evil.handled_note = Some("note\u{7}".into());
        let unsafe_char =
            |c: char| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c);
        for text in [details(&evil), table(&[evil.clone()])] {
            assert!(!text.chars().any(unsafe_char), "{text:?}");
        }
        let shown = details(&evil);
        assert!(
            shown.contains("Company       Acme]0;owned2J BV\n"),
            "{shown}"
        );
        assert!(shown.contains("\nLine one\n[31mred[0mgnp.exe\n"), "{shown}");
    }
}
