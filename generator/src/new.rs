//! `tryfirst new`: an article skeleton with every required section, so an editor starts from
//! the structure instead of remembering it.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::text::{slugify, Date};

#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error(
        "the title \"{0}\" gives an empty file name; use words, like \"What if my phone is lost?\""
    )]
    EmptySlug(String),
    #[error("unknown category \"{given}\"; categories in site.toml: {known}")]
    UnknownCategory { given: String, known: String },
    #[error("{} already exists; choose another title or edit that article", .0.display())]
    Exists(PathBuf),
    #[error("`{0}` is not one of the site's other languages (site.toml: {1})")]
    UnknownLanguage(String, String),
    #[error("there is no article `{0}` in content/ to translate")]
    NoOriginal(String),
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The skeleton's text. Pure, for tests; marked as a draft so it is not published half-written.
pub fn skeleton(
    title: &str,
    category: &str,
    today: Date,
    headings: &crate::config::SectionHeadings,
) -> String {
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"+++
title = "{title}"
description = "TODO: one or two sentences that answer the question; shown in search results."
category = "{category}"
tags = []
related = []
updated = {today}
risk = "medium"
draft = true
+++

TODO: one or two short paragraphs: what is going on, and the one thing to understand first.

## {steps}

1. **TODO: first thing to try.** What to do, where exactly (menu path, setting name).
2. **TODO: next thing.** One action per step.

## {escalation}

TODO: the point where the reader must stop and call us, and what goes wrong if they carry on.
"#,
        today = today.iso(),
        steps = headings.steps,
        escalation = headings.escalation,
    )
}

/// Writes `content/<category>/<slug>.md` and returns its path. Never overwrites.
pub fn create(
    root: &Path,
    config: &SiteConfig,
    title: &str,
    category: Option<&str>,
    today: Date,
) -> Result<PathBuf, NewError> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(NewError::EmptySlug(title.to_owned()));
    }
    let category = match category {
        Some(given) if config.category(given).is_none() => {
            return Err(NewError::UnknownCategory {
                given: given.to_owned(),
                known: config
                    .categories
                    .iter()
                    .map(|c| c.slug.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        Some(given) => given.to_owned(),
        None => config
            .categories
            .first()
            .map(|c| c.slug.clone())
            .unwrap_or_default(),
    };
    let path = root
        .join(crate::content::source::CONTENT_DIR)
        .join(&category)
        .join(format!("{slug}.md"));
    if path.exists() {
        return Err(NewError::Exists(path));
    }
    let text = skeleton(title, &category, today, &config.sections);
    let write = || -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
    };
    write().map_err(|source| NewError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// A translation's first draft from its original's text: the same front matter and body, the
/// section headings in `to`'s words, and `draft = true`, so it is not published before it is
/// translated. Pure, for tests.
pub fn translation_draft(
    original: &str,
    from: &crate::config::SectionHeadings,
    to: &crate::config::SectionHeadings,
) -> String {
    let heading = |line: &str| {
        let text = line.strip_prefix("## ")?.trim();
        [
            (&from.steps, &to.steps),
            (&from.escalation, &to.escalation),
            (&from.see_also, &to.see_also),
        ]
        .into_iter()
        .find(|(from, _)| text.eq_ignore_ascii_case(from.trim()))
        .map(|(_, to)| format!("## {to}"))
    };
    let mut out = String::with_capacity(original.len() + 64);
    let mut delimiters = 0;
    for line in original.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "+++" {
            delimiters += 1;
            if delimiters == 2 {
                out.push_str("# Translate the title, description and text, then remove `draft`.\n");
                out.push_str("draft = true\n");
            }
            out.push_str(line);
            continue;
        }
        if delimiters == 1 && bare.starts_with("draft") {
            continue;
        }
        match heading(bare).filter(|_| delimiters >= 2) {
            Some(translated) => {
                out.push_str(&translated);
                out.push_str(&line[bare.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Writes `<original's folder>/<slug>.<lang>.md`, a draft translation of the article `slug`,
/// and returns its path. Never overwrites.
pub fn create_translation(
    root: &Path,
    config: &SiteConfig,
    slug: &str,
    lang: &str,
) -> Result<PathBuf, NewError> {
    if lang == config.default_language() || !config.has_language(lang) {
        let others: Vec<&str> = config.languages.keys().map(String::as_str).collect();
        let known = match others.is_empty() {
            true => "none; add a [languages.<code>] table".to_owned(),
            false => others.join(", "),
        };
        return Err(NewError::UnknownLanguage(lang.to_owned(), known));
    }
    let (paths, _) = crate::content::source::content_paths(root);
    let original = paths
        .into_iter()
        .find(|path| crate::content::article::name_of(path) == (slug.to_owned(), None))
        .ok_or_else(|| NewError::NoOriginal(slug.to_owned()))?;
    let text = std::fs::read_to_string(&original).map_err(|source| NewError::Read {
        path: original.clone(),
        source,
    })?;
    let path = original.with_file_name(format!("{slug}.{lang}.md"));
    if path.exists() {
        return Err(NewError::Exists(path));
    }
    let draft = translation_draft(&text, &config.sections, config.sections_of(lang));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, draft.as_bytes()))
        .map_err(|source| NewError::Write {
            path: path.clone(),
            source,
        })?;
    Ok(path)
}

/// Today's date in UTC, from the system clock.
pub fn today() -> Date {
    Date::utc(time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::article::{parse, SourceFile};

    #[test]
    fn dates_in_utc() {
        let day = |days: i64, seconds: i64| {
            let instant = time::OffsetDateTime::from_unix_timestamp(days * 86_400 + seconds);
            Date::utc(instant.unwrap()).iso()
        };
        assert_eq!(day(0, 0), "1970-01-01");
        assert_eq!(day(20_786, 0), "2026-11-29");
        assert_eq!(day(20_786, 86_399), "2026-11-29");
        assert_eq!(day(11_016, 0), "2000-02-29");
        // An instant with an offset counts in UTC: 00:30 in Amsterdam is the day before.
        let amsterdam = time::OffsetDateTime::from_unix_timestamp(20_786 * 86_400 - 1800)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(amsterdam.day(), 29);
        assert_eq!(Date::utc(amsterdam).iso(), "2026-11-28");
    }

    #[test]
    fn skeleton_parses_as_a_draft_with_the_required_sections() {
        let config = SiteConfig::for_tests();
        let text = skeleton(
            "What if \"the\" printer is offline?",
            "devices",
            Date::new(2026, 11, 29).unwrap(),
            &config.sections,
        );
        let (article, problems) = parse(
            &SourceFile {
                path: "content/devices/x.md".into(),
                text,
            },
            &config,
            &crate::content::markdown::CalloutLabels::default(),
            &crate::images::Images::for_tests(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        let (article, body) = article.unwrap();
        assert!(article.draft);
        assert_eq!(article.title, "What if \"the\" printer is offline?");
        assert_eq!(body.steps.len(), 2);
    }

    #[test]
    fn a_published_skeleton_is_flagged_until_finished() {
        let config = SiteConfig::for_tests();
        let text = skeleton(
            "Q?",
            "devices",
            Date::new(2026, 11, 29).unwrap(),
            &config.sections,
        )
        .replace("draft = true", "draft = false");
        let (_, problems) = parse(
            &SourceFile {
                path: "content/devices/q.md".into(),
                text,
            },
            &config,
            &crate::content::markdown::CalloutLabels::default(),
            &crate::images::Images::for_tests(),
        );
        assert_eq!(problems[0].message, "the article still contains TODO");
    }

    #[test]
    fn a_translation_draft_has_the_languages_headings_and_is_a_draft() {
        let english = crate::config::SectionHeadings::default();
        let dutch = crate::config::SectionHeadings {
            steps: "Probeer eerst dit".into(),
            escalation: "Wanneer je ons inschakelt".into(),
            see_also: "Zie ook".into(),
        };
        let original = "+++\ntitle = \"Q?\"\ndraft = false\n+++\n\nIntro.\n\n## Try this first\n\n1. a\n\n## When to bring us in\r\n\nb\n";
        assert_eq!(
            translation_draft(original, &english, &dutch),
            "+++\ntitle = \"Q?\"\n# Translate the title, description and text, then remove `draft`.\ndraft = true\n+++\n\nIntro.\n\n## Probeer eerst dit\n\n1. a\n\n## Wanneer je ons inschakelt\r\n\nb\n"
        );
    }

    #[test]
    fn create_refuses_to_overwrite_and_checks_the_category() {
        let dir = tempfile::tempdir().unwrap();
        let config = SiteConfig::for_tests();
        let today = Date::new(2026, 11, 29).unwrap();
        let path = create(
            dir.path(),
            &config,
            "What if Wi-Fi drops?",
            Some("devices"),
            today,
        )
        .unwrap();
        assert_eq!(
            path,
            dir.path().join("content/devices/what-if-wi-fi-drops.md")
        );
        assert!(matches!(
            create(
                dir.path(),
                &config,
                "What if Wi-Fi drops?",
                Some("devices"),
                today
            ),
            Err(NewError::Exists(_))
        ));
        assert!(matches!(
            create(dir.path(), &config, "x", Some("devics"), today),
            Err(NewError::UnknownCategory { .. })
        ));
        assert!(matches!(
            create(dir.path(), &config, "???", None, today),
            Err(NewError::EmptySlug(_))
        ));
    }
}
