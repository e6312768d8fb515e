//! The editors' content-gap report: per article, how many questions it drew and how they were
//! answered, over a period.
//!
//! Every question asked under an article is a visitor the article did not fully help. The
//! verdict mix says what kind of gap it is: many `diy` answers mean the article is missing steps
//! people could follow themselves; many `bring_us_in` answers on a low-risk article mean its
//! risk or its "When to bring us in" section is wrong; many failures mean nobody was helped.

use std::collections::{BTreeMap, HashMap};

use super::csv::row;
use super::Period;
use crate::llm::Verdict;
use crate::notify::message::one_line;
use crate::store::Lead;

/// The questions of one article (or of the home page's general form: `slug` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArticleGaps {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub questions: usize,
    pub diy: usize,
    pub careful: usize,
    pub bring_us_in: usize,
    /// No advice at all: the LLM failed, the daily cap was reached, or the function stopped.
    pub unanswered: usize,
    /// Asked on an older version of the page than the one deployed now.
    pub stale_page: usize,
    /// The newest few questions (scrubbed), so editors see what people actually asked.
    pub samples: Vec<String>,
}

const SAMPLES: usize = 3;

/// Rows for `leads`, most-asked article first. `titles` maps slugs to titles (from the bundle).
pub fn report(leads: &[Lead], titles: &HashMap<String, String>) -> Vec<ArticleGaps> {
    let mut by_article: BTreeMap<Option<String>, ArticleGaps> = BTreeMap::new();
    let mut newest_first: Vec<&Lead> = leads.iter().collect();
    newest_first.sort_by_key(|lead| std::cmp::Reverse(lead.created_at));
    for lead in newest_first {
        let row = by_article
            .entry(lead.article.clone())
            .or_insert_with(|| ArticleGaps {
                slug: lead.article.clone(),
                title: lead.article.as_ref().and_then(|s| titles.get(s).cloned()),
                ..ArticleGaps::default()
            });
        row.questions += 1;
        match lead.outcome.verdict {
            Some(Verdict::Diy) => row.diy += 1,
            Some(Verdict::Careful) => row.careful += 1,
            Some(Verdict::BringUsIn) => row.bring_us_in += 1,
            None => row.unanswered += 1,
        }
        row.stale_page += usize::from(lead.stale_page);
        if row.samples.len() < SAMPLES {
            row.samples.push(one_line(&lead.question, 160));
        }
    }
    let mut rows: Vec<ArticleGaps> = by_article.into_values().collect();
    rows.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.slug.cmp(&b.slug)));
    rows
}

fn name(row: &ArticleGaps) -> String {
    match (&row.slug, &row.title) {
        (Some(slug), Some(title)) => format!("{title} (`{slug}`)"),
        (Some(slug), None) => format!("`{slug}` (no longer published)"),
        (None, _) => "General question (home page)".to_owned(),
    }
}

fn percent(part: usize, whole: usize) -> String {
    match (part * 100 + whole / 2).checked_div(whole) {
        Some(share) => format!("{share}%"),
        None => "-".to_owned(),
    }
}

/// A Markdown report: a table, then sample questions per article.
pub fn markdown(rows: &[ArticleGaps], period: Period) -> String {
    let total: usize = rows.iter().map(|r| r.questions).sum();
    let mut out = format!(
        "# Questions per article, {}\n\n{total} question(s) on {} page(s). Each is a visitor the article did not fully help.\n\n",
        period.describe(),
        rows.len()
    );
    if rows.is_empty() {
        return out;
    }
    out.push_str(
        "| Article | Questions | DIY | Careful | Bring us in | Unanswered | Older page |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            name(row).replace('|', "\\|"),
            row.questions,
            percent(row.diy, row.questions),
            percent(row.careful, row.questions),
            percent(row.bring_us_in, row.questions),
            percent(row.unanswered, row.questions),
            row.stale_page
        ));
    }
    out.push_str("\nMany DIY answers: the article lacks steps people could take themselves. Many \"bring us in\" on a low-risk article: check its risk and its \"When to bring us in\".\n");
    out.push_str("\n## What people asked\n");
    for row in rows {
        out.push_str(&format!("\n### {}\n\n", name(row)));
        for sample in &row.samples {
            out.push_str(&format!("- {}\n", sample.replace('<', "&lt;")));
        }
    }
    out
}

/// The same numbers as CSV (counts, not percentages), for a spreadsheet.
pub fn csv(rows: &[ArticleGaps]) -> String {
    let mut out = row([
        "article",
        "title",
        "questions",
        "diy",
        "careful",
        "bring_us_in",
        "unanswered",
        "older_page",
    ]
    .map(str::to_owned));
    for r in rows {
        out.push_str(&row([
            r.slug.clone().unwrap_or_default(),
            r.title.clone().unwrap_or_default(),
            r.questions.to_string(),
            r.diy.to_string(),
            r.careful.to_string(),
            r.bring_us_in.to_string(),
            r.unanswered.to_string(),
            r.stale_page.to_string(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY;
    use crate::notify::message::tests::lead;
    use crate::store::LeadStatus;

    fn asked(article: Option<&str>, verdict: Option<Verdict>, at: i64, question: &str) -> Lead {
        let mut l = lead(LeadStatus::Answered, None);
        l.article = article.map(str::to_owned);
        l.outcome.verdict = verdict;
        l.created_at = at;
        l.question = question.to_owned();
        l
    }

    #[test]
    fn counts_verdicts_per_article_most_asked_first() {
        let leads = vec![
            asked(Some("vpn"), Some(Verdict::Diy), 1, "vpn one"),
            asked(Some("printer"), Some(Verdict::BringUsIn), 2, "printer one"),
            asked(Some("vpn"), None, 3, "vpn two"),
            asked(Some("vpn"), Some(Verdict::Diy), 4, "vpn three"),
            asked(Some("vpn"), Some(Verdict::Careful), 5, "vpn four"),
            asked(None, Some(Verdict::Diy), 6, "general"),
        ];
        let titles = HashMap::from([("vpn".to_owned(), "My VPN won't connect".to_owned())]);
        let rows = report(&leads, &titles);
        assert_eq!(rows.len(), 3);
        let vpn = &rows[0];
        assert_eq!(vpn.slug.as_deref(), Some("vpn"));
        assert_eq!(
            (
                vpn.questions,
                vpn.diy,
                vpn.careful,
                vpn.bring_us_in,
                vpn.unanswered
            ),
            (4, 2, 1, 0, 1)
        );
        assert_eq!(
            vpn.samples,
            ["vpn four", "vpn three", "vpn two"],
            "newest first, three"
        );
        assert_eq!(rows[1].slug, None, "ties by slug: None sorts first");
        assert_eq!(rows[2].slug.as_deref(), Some("printer"));

        let period = Period {
            from: 0,
            to: 2 * DAY,
        };
        let md = markdown(&rows, period);
        assert!(md.starts_with(
            "# Questions per article, 1970-01-01 to 1970-01-02\n\n6 question(s) on 3 page(s)."
        ));
        assert!(md.contains("| My VPN won't connect (`vpn`) | 4 | 50% | 25% | 0% | 25% | 0 |\n"));
        assert!(md.contains("| `printer` (no longer published) | 1 | 0% | 0% | 100% | 0% | 0 |\n"));
        let csv = csv(&rows);
        assert!(csv.contains("vpn,My VPN won't connect,4,2,1,0,1,0\r\n"));
    }
}
