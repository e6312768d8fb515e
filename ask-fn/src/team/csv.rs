//! Leads as CSV (RFC 4180) for a CRM import.
//!
//! A visitor types the company name and the question, and spreadsheet programs execute cells
//! that start with `=`, `+`, `-` or `@` as formulas. Such cells get a leading `'`, the usual
//! neutraliser, so opening the export cannot run anything a visitor wrote. A cell holding `;` is
//! quoted too: where `;` is the list separator (Excel in NL, DE, …) an unquoted `;` starts a new
//! cell, and `Acme;=cmd|…` would put a formula at the start of one.

use crate::clock;
use crate::store::Lead;

pub const HEADER: [&str; 14] = [
    "lead_id",
    "asked_at",
    "status",
    "company",
    "email",
    "article",
    "verdict",
    "follow_up_reason",
    "question",
    "answer",
    "notification",
    "notification_error",
    "handled_at",
    "handled_note",
];

/// The whole export: a header row, then one row per lead, CRLF line ends.
pub fn export(leads: &[Lead]) -> String {
    let mut out = row(HEADER.iter().map(|h| (*h).to_owned()));
    for lead in leads {
        out.push_str(&row([
            lead.id.clone(),
            clock::rfc3339(lead.created_at),
            lead.outcome.status.as_str().to_owned(),
            lead.company.clone(),
            lead.email.clone(),
            lead.article.clone().unwrap_or_default(),
            lead.outcome
                .verdict
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default(),
            lead.outcome.follow_up_reason.clone().unwrap_or_default(),
            lead.question.clone(),
            lead.outcome.answer.clone().unwrap_or_default(),
            lead.outcome.notification.as_str().to_owned(),
            lead.outcome.notification_error.clone().unwrap_or_default(),
            lead.handled_at.map(clock::rfc3339).unwrap_or_default(),
            lead.handled_note.clone().unwrap_or_default(),
        ]));
    }
    out
}

/// One CSV row from its cells.
pub fn row(cells: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = cells.into_iter().map(|c| field(&c)).collect();
    format!("{}\r\n", cells.join(","))
}

fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', ';', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::lead;
    use crate::store::LeadStatus;

    #[test]
    fn quotes_what_needs_quoting_and_defuses_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+31 20 123"), "'+31 20 123");
        assert_eq!(
            field("Acme;=cmd|' /C calc'!A0"),
            "\"Acme;=cmd|' /C calc'!A0\"",
            "a `;` list separator must not split the cell"
        );
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field(""), "");
    }

    #[test]
    fn one_row_per_lead_under_the_header() {
        let mut a = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        a.company = "=cmd|' /C calc'!A0".into();
        let csv = export(&[a]);
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows[0], HEADER.join(","));
        assert!(rows[1].starts_with(
            "1795961109000-00000000000000ab,2026-11-29T14:05:09Z,needs_follow_up,'=cmd|' /C calc'!A0,jo@acme.test,printer-offline,bring_us_in,bring_us_in,"
        ));
        assert_eq!(rows[2], "");
        assert_eq!(rows.len(), 3);
    }
}
