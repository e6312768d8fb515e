//! Splitting an article into its TOML front matter and Markdown body, and the typed front matter.
//!
//! Splitting is separate from parsing so each can be tested on strings, and so byte offsets of
//! both parts are known: every diagnostic points at a line of the original file.

use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use kb_model::Risk;

const DELIMITER: &str = "+++";

/// The two halves of an article file, with where each starts in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub toml: &'a str,
    pub toml_start: usize,
    pub body: &'a str,
    pub body_start: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("the article does not start with `+++` front matter")]
    NoOpening,
    #[error("the front matter opened with `+++` is never closed")]
    NoClosing,
}

/// Splits `+++\n<toml>\n+++\n<markdown>`. A UTF-8 byte-order mark and Windows line ends are
/// accepted, since editors on Windows produce both.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lines = LineSpans::new(text, bom);
    let first = lines.next().ok_or(SplitError::NoOpening)?;
    if text[first.0..first.1].trim_end() != DELIMITER {
        return Err(SplitError::NoOpening);
    }
    let toml_start = first.2;
    for (start, end, next) in lines {
        if text[start..end].trim_end() == DELIMITER {
            return Ok(Split {
                toml: &text[toml_start..start],
                toml_start,
                body: &text[next..],
                body_start: next,
            });
        }
    }
    Err(SplitError::NoClosing)
}

/// Iterates `(line_start, line_end_without_newline, next_line_start)`.
struct LineSpans<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> LineSpans<'a> {
    fn new(text: &'a str, at: usize) -> Self {
        Self { text, at }
    }
}

impl Iterator for LineSpans<'_> {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.text.len() {
            return None;
        }
        let start = self.at;
        let (end, next) = match self.text[start..].find('\n') {
            Some(newline) => (start + newline, start + newline + 1),
            None => (self.text.len(), self.text.len()),
        };
        self.at = next;
        Some((start, end, next))
    }
}

/// An article's front matter as written. Spans are kept on the fields that later checks report
/// on (a category that does not exist, a related slug with no article), so those diagnostics
/// can name the line too.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The question the article answers, e.g. "What if my YubiKey is lost?".
    pub title: Spanned<String>,
    /// One or two sentences; used for meta tags, lists and search results.
    pub description: Spanned<String>,
    /// Slug of a category defined in `site.toml`.
    pub category: Spanned<String>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    /// Slugs of articles listed first under "See also".
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    pub updated: Spanned<Datetime>,
    /// How risky doing this yourself is; shown on the page and given to the AI.
    pub risk: Risk,
    /// Old URLs that should redirect here.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// Drafts are checked but only published with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Lower sorts first within a category; ties sort by title.
    #[serde(default)]
    pub weight: i64,
    /// A translation's own URL slug (`slug = "wachtwoord-verlopen"`); an original's slug is
    /// its file name, which every language's `related` and `@/` links name it by.
    #[serde(default)]
    pub slug: Option<Spanned<String>>,
}

/// The front matter field names, in the order `tryfirst new` writes them.
pub const FIELDS: &[&str] = &[
    "title",
    "description",
    "category",
    "tags",
    "related",
    "updated",
    "risk",
    "aliases",
    "draft",
    "weight",
    "slug",
];

pub fn parse(toml_text: &str) -> Result<FrontMatter, toml::de::Error> {
    toml::from_str(toml_text)
}

/// The calendar date of `updated`, or why it is not one.
pub fn date_of(value: &Datetime) -> Result<crate::text::Date, &'static str> {
    if value.time.is_some() || value.offset.is_some() {
        return Err("`updated` must be a date without a time, like 2026-11-20");
    }
    let date = value
        .date
        .ok_or("`updated` must be a date, like 2026-11-20")?;
    crate::text::Date::new(date.year, date.month, date.day)
        .ok_or("`updated` is not a real calendar date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_offsets() {
        let text = "+++\ntitle = \"x\"\n+++\nBody\n";
        let split = split(text).unwrap();
        assert_eq!(split.toml, "title = \"x\"\n");
        assert_eq!(split.toml_start, 4);
        assert_eq!(split.body, "Body\n");
        assert_eq!(&text[split.body_start..], "Body\n");
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let text = "\u{feff}+++\r\ntitle = \"x\"\r\n+++\r\nBody";
        let split = split(text).unwrap();
        assert_eq!(split.toml, "title = \"x\"\r\n");
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn split_errors() {
        assert_eq!(split("title = 1\n"), Err(SplitError::NoOpening));
        assert_eq!(split(""), Err(SplitError::NoOpening));
        assert_eq!(split("+++\ntitle = 1\n"), Err(SplitError::NoClosing));
        // A `+++` inside a line does not close the front matter.
        assert_eq!(split("+++\na = \"+++\"\n"), Err(SplitError::NoClosing));
    }

    #[test]
    fn parses_all_fields() {
        let front = parse(
            r#"
title = "What if?"
description = "d"
category = "accounts"
tags = ["mfa"]
related = ["b"]
updated = 2026-11-20
risk = "high"
aliases = ["/old/"]
draft = true
weight = -1
"#,
        )
        .unwrap();
        assert_eq!(front.title.get_ref(), "What if?");
        assert_eq!(front.risk, Risk::High);
        assert_eq!(
            date_of(front.updated.get_ref()).unwrap().iso(),
            "2026-11-20"
        );
        assert!(front.draft);
        assert_eq!(front.weight, -1);
        assert_eq!(front.related[0].get_ref(), "b");
    }

    #[test]
    fn dates_must_be_dates() {
        let with_time: Datetime = "2026-11-20T10:00:00Z".parse().unwrap();
        assert!(date_of(&with_time).is_err());
        let day_only: Datetime = "2026-11-20".parse().unwrap();
        assert!(date_of(&day_only).is_ok());
    }
}
