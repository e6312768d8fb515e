//! One article: its head (front matter and file name) parsed and validated on its own, and its
//! body parsed apart from it.
//!
//! Checks that need every other article (does a `related` slug exist?) belong to the library;
//! everything that can be decided from one file and `site.toml` is decided here, in parallel.
//! An [`ArticleHead`] holds neither the text nor the body: [`parse_body`] makes the [`Body`]
//! from the text when it is needed, and whoever needs it (the page, the search entry, the
//! bundle record) is given it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use kb_model::Risk;

use crate::config::toml_errors;
use crate::config::SiteConfig;
use crate::content::front_matter::{self, FrontMatter};
use crate::content::markdown::{self, ArticleLinks, Body, CalloutLabels, DefaultLanguageLinks};
use crate::diagnostics::{did_you_mean, Diagnostic, Severity};
use crate::images::Images;
use crate::render::theme_ids;
use crate::text::{is_slug, slugify, Date, LazyLineIndex};
use crate::urls;

pub use crate::content::source::SourceFile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub name: String,
    pub slug: String,
}

/// A value from the front matter and the byte offset (in the file) it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub offset: usize,
}

/// What an article's front matter and file name say of it: everything the library and the list
/// pages need. Its diagnostics carry byte offsets, placed by [`crate::content::source::Sources::locate`].
#[derive(Debug, Clone)]
pub struct ArticleHead {
    /// The article's name across languages: the original's file name. `related`, `@/` links,
    /// the bundle and the form name an article by it, in every language.
    pub slug: String,
    /// The language the file is written in: `x.nl.md` is `nl`, `x.md` the site's default.
    pub lang: String,
    /// Where the page is: `/x/` or, for a translation, `/nl/<its own slug or x>/`.
    pub site_path: String,
    /// Where a translation's own `slug` is written, when it has one.
    pub slug_at: Option<usize>,
    /// Relative to the site root, as shown in diagnostics: `content/accounts/x.md`.
    pub path: PathBuf,
    pub title: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<TagRef>,
    pub related: Vec<Located<String>>,
    pub updated: Date,
    pub risk: Risk,
    pub aliases: Vec<Located<String>>,
    pub draft: bool,
    pub weight: i64,
    /// Offset of the body in the file, to locate body diagnostics.
    pub body_start: usize,
    pub content_hash: String,
}

impl ArticleHead {
    pub fn url(&self) -> String {
        self.site_path.clone()
    }

    /// Whether `other` (a new version of the same file) shows the rest of the site what this
    /// one does: everything a list, another article's See also, a link check, the redirects
    /// or the navigation reads of it (but its body's anchors, which the caller compares).
    /// When true, an edit changes only this article's own page (and the search index and
    /// bundle), which is what lets `serve` skip the rest.
    pub fn same_outward(&self, other: &ArticleHead) -> bool {
        self.slug == other.slug
            && self.lang == other.lang
            && self.site_path == other.site_path
            && self.path == other.path
            && self.title == other.title
            && self.description == other.description
            && self.category == other.category
            && self.tags == other.tags
            && same_values(&self.related, &other.related)
            && self.updated == other.updated
            && self.risk == other.risk
            && same_values(&self.aliases, &other.aliases)
            && self.draft == other.draft
            && self.weight == other.weight
    }

    /// A diagnostic at a byte offset of this article's file, whose text the head does not
    /// keep: [`crate::content::source::Sources::locate`] places it.
    pub fn diagnostic_at(
        &self,
        severity: Severity,
        offset: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let diagnostic = match severity {
            Severity::Error => Diagnostic::error(&self.path, message),
            Severity::Warning => Diagnostic::warning(&self.path, message),
        };
        diagnostic.at_offset(offset)
    }
}

/// The same values in the same order, wherever in the file they were written.
fn same_values<T: PartialEq>(a: &[Located<T>], b: &[Located<T>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.value == b.value)
}

/// Whether a file named with the language `suffix` (`x.nl.md`: `Some("nl")`) is in one of the
/// site's languages (`x.md`, `None`, always is).
fn in_site_language(suffix: Option<&str>, config: &SiteConfig) -> bool {
    suffix.is_none_or(|lang| lang != config.default_language() && config.has_language(lang))
}

/// Where a slug is written: what a message about it names, and how it is changed.
#[derive(Clone, Copy)]
enum SlugSource {
    FileName,
    /// A translation's `slug` field.
    Field,
}

/// Why `slug` cannot be a URL, with a hint: not a slug, or a name the site or a language uses
/// itself.
fn slug_problem(slug: &str, source: SlugSource, config: &SiteConfig) -> Option<(String, String)> {
    let what = match source {
        SlugSource::FileName => "file name",
        SlugSource::Field => "slug",
    };
    if !is_slug(slug) {
        let fix = slugify(slug);
        return Some((
            format!("the {what} `{slug}` is not a valid slug"),
            match source {
                SlugSource::FileName => {
                    format!("the file name becomes the URL; rename it to `{fix}.md`")
                }
                SlugSource::Field => format!("the slug becomes the URL; use lowercase letters, digits and dashes, like `{fix}`"),
            },
        ));
    }
    if urls::is_reserved(slug) || config.language_folders().any(|folder| folder == slug) {
        let reserved: Vec<&str> = urls::reserved_slugs()
            .iter()
            .copied()
            .chain(config.language_folders())
            .collect();
        let reserved = reserved.join(", ");
        return Some((
            format!("`{slug}` is reserved for the site's own pages"),
            match source {
                SlugSource::FileName => format!("rename the file; reserved names: {reserved}"),
                SlugSource::Field => format!("choose another slug; reserved names: {reserved}"),
            },
        ));
    }
    None
}

/// Hash of the article's bytes, as hex. 16 hex digits (64 bits) identify a version among an
/// article's edits with no realistic chance of collision, and stay short in forms and logs.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The slug an article gets from its file name.
pub fn slug_of(path: &Path) -> String {
    name_of(path).0
}

/// The slug and the language suffix (`x.nl.md` → `("x", Some("nl"))`) of an article's file.
pub fn name_of(path: &Path) -> (String, Option<String>) {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('.') {
        Some((slug, lang)) => (slug.to_owned(), Some(lang.to_owned())),
        None => (stem, None),
    }
}

/// Parses an article's front matter and file name. Returns the head when it could be understood
/// at all (it may still have errors, reported alongside, so one run lists every problem), plus
/// every diagnostic found. The body is left for [`parse_body`]: `build` reads every article's
/// head first, makes the library from them, and then renders each body straight into its page,
/// so it never holds every article's HTML and text at once.
///
/// An article whose front matter is wrong has its body parsed here too, so its body's problems
/// are reported in the same run (errors are rare; that costs nothing in a good build).
pub fn parse_head(
    source: &SourceFile,
    config: &SiteConfig,
    images: &Images,
) -> (Option<ArticleHead>, Vec<Diagnostic>) {
    let index = LazyLineIndex::new(&source.text);
    let Front {
        fields,
        body_start,
        mut problems,
    } = parse_front(source, config, &index);
    match (fields, body_start) {
        (Some(fields), Some(body_start)) => {
            (Some(fields.into_head(&source.path, body_start)), problems)
        }
        (None, Some(body_start)) => {
            let suffix = name_of(&source.path).1;
            // A file in no language of the site: its headings cannot be known, nor its problems.
            if !in_site_language(suffix.as_deref(), config) {
                return (None, problems);
            }
            let lang = suffix.as_deref().unwrap_or(config.default_language());
            let (_, body_problems) = parse_body_text(
                &source.path,
                &source.text,
                body_start,
                &index,
                images,
                // Only the body's problems are kept: its labels and links do not matter.
                &InLanguage {
                    sections: config.sections_of(lang),
                    callouts: &CalloutLabels::default(),
                    links: &DefaultLanguageLinks,
                },
            );
            problems.extend(body_problems);
            (None, problems)
        }
        (_, None) => (None, problems),
    }
}

/// Renders the body of the article `head` was parsed from, from `text`, the file's text (read
/// again by `build`, see [`crate::content::source::Sources::read_again`]), with the body's diagnostics.
pub fn parse_body(
    head: &ArticleHead,
    text: &str,
    config: &SiteConfig,
    callouts: &CalloutLabels,
    images: &Images,
    links: &dyn ArticleLinks,
) -> (Body, Vec<Diagnostic>) {
    let index = LazyLineIndex::new(text);
    parse_body_text(
        &head.path,
        text,
        head.body_start,
        &index,
        images,
        &InLanguage {
            // A translation is written with its language's headings (`## Probeer eerst dit`).
            sections: config.sections_of(&head.lang),
            callouts,
            links,
        },
    )
}

/// What the language of a body decides: the headings of its sections, its callouts' labels
/// and where its `@/` links go.
struct InLanguage<'a> {
    sections: &'a crate::config::SectionHeadings,
    callouts: &'a CalloutLabels,
    links: &'a dyn ArticleLinks,
}

/// [`parse_head`] then [`parse_body`] of the same text, for who keeps both (`serve`, tests).
pub fn parse(
    source: &SourceFile,
    config: &SiteConfig,
    callouts: &CalloutLabels,
    images: &Images,
) -> (Option<(ArticleHead, Body)>, Vec<Diagnostic>) {
    let (head, mut problems) = parse_head(source, config, images);
    let Some(head) = head else {
        return (None, problems);
    };
    // Only a one-language site's `serve` keeps bodies parsed before the library exists, and
    // there every `@/x` is `/x/`.
    let (body, body_problems) = parse_body(
        &head,
        &source.text,
        config,
        callouts,
        images,
        &DefaultLanguageLinks,
    );
    problems.extend(body_problems);
    (Some((head, body)), problems)
}

fn parse_body_text(
    path: &Path,
    text: &str,
    body_start: usize,
    index: &LazyLineIndex,
    images: &Images,
    language: &InLanguage<'_>,
) -> (Body, Vec<Diagnostic>) {
    let body = markdown::render_with(
        &text[body_start..],
        language.sections,
        language.callouts,
        theme_ids::PAGE_IDS,
        &images.for_article(path),
        language.links,
    );
    let problems = body
        .problems
        .iter()
        .map(|problem| {
            let diagnostic = Diagnostic {
                severity: problem.severity,
                ..Diagnostic::error(path, problem.message.clone())
            };
            // Missing sections concern the whole body: point at its first line.
            let diagnostic = diagnostic.at(text, index.get(), body_start + problem.offset);
            match &problem.hint {
                Some(hint) => diagnostic.with_hint(hint.clone()),
                None => diagnostic,
            }
        })
        .collect();
    (body, problems)
}

/// What the front matter (and the file as a whole) says of an article.
struct Front {
    /// `None` when a field the article cannot do without is wrong.
    fields: Option<Fields>,
    /// `None` when there is no front matter at all.
    body_start: Option<usize>,
    problems: Vec<Diagnostic>,
}

/// Every [`ArticleHead`] field the front matter and the file name give.
struct Fields {
    slug: String,
    lang: String,
    site_path: String,
    slug_at: Option<usize>,
    title: String,
    description: String,
    category: String,
    tags: Vec<TagRef>,
    related: Vec<Located<String>>,
    updated: Date,
    risk: Risk,
    aliases: Vec<Located<String>>,
    draft: bool,
    weight: i64,
    content_hash: String,
}

impl Fields {
    fn into_head(self, path: &Path, body_start: usize) -> ArticleHead {
        ArticleHead {
            slug: self.slug,
            lang: self.lang,
            site_path: self.site_path,
            slug_at: self.slug_at,
            path: path.to_path_buf(),
            title: self.title,
            description: self.description,
            category: self.category,
            tags: self.tags,
            related: self.related,
            updated: self.updated,
            risk: self.risk,
            aliases: self.aliases,
            draft: self.draft,
            weight: self.weight,
            body_start,
            content_hash: self.content_hash,
        }
    }
}

fn parse_front(source: &SourceFile, config: &SiteConfig, index: &LazyLineIndex) -> Front {
    let mut problems = Vec::new();
    let split = match front_matter::split(&source.text) {
        Ok(split) => split,
        Err(error) => {
            let hint = "an article starts with a line `+++`, then TOML fields such as `title = \"…\"`, then another `+++` line";
            problems.push(
                Diagnostic::error(&source.path, error.to_string())
                    .at(&source.text, index.get(), 0)
                    .with_hint(hint),
            );
            return Front {
                fields: None,
                body_start: None,
                problems,
            };
        }
    };
    let front: FrontMatter = match front_matter::parse(split.toml) {
        Ok(front) => front,
        Err(error) => {
            problems.push(toml_errors::to_diagnostic(
                &error,
                &source.path,
                &source.text,
                index.get(),
                split.toml_start,
            ));
            return Front {
                fields: None,
                body_start: None,
                problems,
            };
        }
    };
    let toml_start = split.toml_start;
    let body_start = split.body_start;
    let at = |offset: usize| toml_start + offset;
    let error_at = |offset: usize, message: String| {
        Diagnostic::error(&source.path, message).at(&source.text, index.get(), offset)
    };

    let (slug, suffix) = name_of(&source.path);
    let suffix_ok = in_site_language(suffix.as_deref(), config);
    let lang = match suffix {
        None => config.default_language().to_owned(),
        Some(lang) if lang == config.default_language() => {
            problems.push(
                Diagnostic::error(
                    &source.path,
                    format!("`{lang}` is the site's default language"),
                )
                .at(&source.text, index.get(), 0)
                .with_hint(format!(
                    "an article in the default language has no language in its name: rename it to `{slug}.md`"
                )),
            );
            lang
        }
        Some(lang) if !config.has_language(&lang) => {
            let hint = match config.is_multilingual() {
                true => format!(
                    "the site's languages are {}; a translation is named `{slug}.<language>.md`",
                    config.languages().join(", ")
                ),
                false => format!(
                    "to translate articles into `{lang}`, add a [languages.{lang}] table to site.toml"
                ),
            };
            problems.push(
                Diagnostic::error(
                    &source.path,
                    format!("`{lang}` in the file name is not one of the site's languages"),
                )
                .at(&source.text, index.get(), 0)
                .with_hint(hint),
            );
            lang
        }
        Some(lang) => lang,
    };
    // A file in no language of the site is not an article of it (its problem is reported).
    let known_language = suffix_ok;
    let translation = lang != config.default_language();
    if let Some(problem) = slug_problem(&slug, SlugSource::FileName, config) {
        problems.push(Diagnostic::error(&source.path, problem.0).with_hint(problem.1));
    }
    let own_slug = match &front.slug {
        Some(own) if !translation => {
            problems.push(
                error_at(
                    at(own.span().start),
                    "only a translation can set its own `slug`".into(),
                )
                .with_hint(format!(
                    "an article's slug is its file name (`{slug}`): rename the file instead"
                )),
            );
            None
        }
        Some(own) => match slug_problem(own.get_ref(), SlugSource::Field, config) {
            Some((message, hint)) => {
                problems.push(error_at(at(own.span().start), message).with_hint(hint));
                None
            }
            None => Some(own.get_ref().clone()),
        },
        None => None,
    };
    let site_path = format!(
        "{}{}",
        config.prefix_of(&lang),
        urls::article(own_slug.as_deref().unwrap_or(&slug))
    );

    let title = front.title.get_ref().trim().to_owned();
    if title.is_empty() {
        problems.push(
            error_at(at(front.title.span().start), "the title is empty".into()).with_hint(
                "write the question the article answers, like \"What if my phone is lost?\"",
            ),
        );
    }
    let description = front.description.get_ref().trim().to_owned();
    if description.is_empty() {
        problems.push(
            error_at(
                at(front.description.span().start),
                "the description is empty".into(),
            )
            .with_hint("one or two sentences; search results and link previews show it"),
        );
    } else if description.chars().count() > 200 {
        problems.push(
            Diagnostic::warning(
                &source.path,
                format!(
                    "the description is {} characters long",
                    description.chars().count()
                ),
            )
            .at(
                &source.text,
                index.get(),
                at(front.description.span().start),
            )
            .with_hint("search engines cut descriptions after about 160 characters"),
        );
    }

    let category = front.category.get_ref().clone();
    if config.category(&category).is_none() {
        let known = config.categories.iter().map(|c| c.slug.as_str());
        let hint = match did_you_mean(&category, known.clone()) {
            Some(near) => format!("did you mean \"{near}\"?"),
            None => format!(
                "categories are defined in site.toml: {}",
                known.collect::<Vec<_>>().join(", ")
            ),
        };
        problems.push(
            error_at(
                at(front.category.span().start),
                format!("unknown category \"{category}\""),
            )
            .with_hint(hint),
        );
    }

    let mut tags: Vec<TagRef> = Vec::new();
    for tag in &front.tags {
        let name = tag.get_ref().trim().to_owned();
        let tag_slug = slugify(&name);
        if tag_slug.is_empty() {
            problems.push(error_at(at(tag.span().start), "empty tag".into()));
        } else if tags.iter().any(|seen| seen.slug == tag_slug) {
            problems.push(
                Diagnostic::warning(&source.path, format!("tag \"{name}\" is listed twice")).at(
                    &source.text,
                    index.get(),
                    at(tag.span().start),
                ),
            );
        } else {
            tags.push(TagRef {
                name,
                slug: tag_slug,
            });
        }
    }

    let updated = match front_matter::date_of(front.updated.get_ref()) {
        Ok(date) => Some(date),
        Err(message) => {
            problems.push(error_at(at(front.updated.span().start), message.into()));
            None
        }
    };

    let mut related = Vec::new();
    for entry in &front.related {
        let offset = at(entry.span().start);
        let target = entry
            .get_ref()
            .trim()
            .trim_start_matches("@/")
            .trim_matches('/')
            .to_owned();
        if target == slug {
            problems.push(error_at(
                offset,
                "an article cannot be related to itself".into(),
            ));
        } else if !is_slug(&target) {
            problems.push(error_at(offset, format!("\"{target}\" is not an article slug")).with_hint("use the file name of the other article without `.md`, like \"lost-phone-authenticator\""));
        } else {
            related.push(Located {
                value: target,
                offset,
            });
        }
    }

    let mut aliases = Vec::new();
    for alias in &front.aliases {
        let offset = at(alias.span().start);
        match urls::normalise_alias(alias.get_ref()) {
            Some(path) => aliases.push(Located {
                value: path,
                offset,
            }),
            None => problems.push(
                error_at(
                    offset,
                    format!("alias \"{}\" is not a path on this site", alias.get_ref()),
                )
                .with_hint("write the old path only, like \"/old/yubikey-article/\""),
            ),
        }
    }

    if !front.draft {
        if let Some(todo) = source.text.find("TODO") {
            problems.push(
                error_at(todo, "the article still contains TODO".into()).with_hint(
                    "finish the text, or mark the article `draft = true` until it is ready",
                ),
            );
        }
    }

    let fields = updated.filter(|_| known_language).map(|updated| Fields {
        slug,
        lang,
        site_path,
        slug_at: front.slug.as_ref().map(|own| at(own.span().start)),
        title,
        description,
        category,
        tags,
        related,
        updated,
        risk: front.risk,
        aliases,
        draft: front.draft,
        weight: front.weight,
        content_hash: content_hash(&source.text),
    });
    Front {
        fields,
        body_start: Some(body_start),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const GOOD: &str = "+++\ntitle = \"What if the printer is offline?\"\ndescription = \"Get it printing.\"\ncategory = \"devices\"\ntags = [\"printing\", \"Wi-Fi\"]\nrelated = [\"wifi\"]\nupdated = 2026-11-20\nrisk = \"low\"\naliases = [\"old/printer\"]\n+++\n\nIntro.\n\n## Try this first\n\n1. Turn it on.\n2. Check paper.\n\n## When to bring us in\n\nIf it is on fire.\n";

    fn parse_text(path: &str, text: &str) -> (Option<(ArticleHead, Body)>, Vec<Diagnostic>) {
        parse(
            &SourceFile {
                path: PathBuf::from(path),
                text: text.to_owned(),
            },
            &SiteConfig::for_tests(),
            &CalloutLabels::default(),
            &Images::for_tests(),
        )
    }

    fn located(problems: &[Diagnostic]) -> Vec<(u32, u32, &str)> {
        problems
            .iter()
            .map(|p| (p.line, p.column, p.message.as_str()))
            .collect()
    }

    #[test]
    fn parses_a_good_article() {
        let (article, problems) = parse_text("content/devices/printer-offline.md", GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        let (article, body) = article.unwrap();
        assert_eq!(article.slug, "printer-offline");
        assert_eq!(article.url(), "/printer-offline/");
        assert_eq!(
            article.tags[1],
            TagRef {
                name: "Wi-Fi".into(),
                slug: "wi-fi".into()
            }
        );
        assert_eq!(article.related[0].value, "wifi");
        assert_eq!(article.aliases[0].value, "/old/printer/");
        assert_eq!(body.steps.len(), 2);
        assert_eq!(article.content_hash, content_hash(GOOD));
        assert_eq!(article.content_hash.len(), 16);
        assert_ne!(
            content_hash(GOOD),
            content_hash(&GOOD.replace("paper", "toner"))
        );
    }

    #[test]
    fn unknown_field_names_line_and_suggestion() {
        let text = GOOD.replace("risk = \"low\"", "rsik = \"low\"");
        let (article, problems) = parse_text("content/a.md", &text);
        assert!(article.is_none());
        assert_eq!(located(&problems), [(8, 1, "unknown field `rsik`")]);
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `risk`?"));
    }

    #[test]
    fn semantic_errors_are_all_reported_with_positions() {
        let text = GOOD
            .replace("\"devices\"", "\"devics\"")
            .replace(
                "[\"wifi\"]",
                "[\"wifi\", \"printer-offline\", \"Not A Slug\"]",
            )
            .replace("Intro.", "Intro. TODO\n\n![](x.png)");
        let (article, mut problems) = parse_text("content/devices/printer-offline.md", &text);
        crate::diagnostics::sort(&mut problems);
        assert!(article.is_some());
        assert_eq!(
            located(&problems),
            [
                (4, 12, "unknown category \"devics\""),
                (6, 20, "an article cannot be related to itself"),
                (6, 39, "\"Not A Slug\" is not an article slug"),
                (12, 8, "the article still contains TODO"),
                (
                    14,
                    1,
                    "image `x.png` not found (looked for content/devices/x.png)"
                ),
                (14, 1, "image has no alt text"),
            ]
        );
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("did you mean \"devices\"?")
        );
    }

    #[test]
    fn drafts_may_hold_todo_and_bad_names_are_refused() {
        let draft = GOOD
            .replace("risk = \"low\"", "risk = \"low\"\ndraft = true")
            .replace("Intro.", "TODO");
        assert!(parse_text("content/a.md", &draft).1.is_empty());
        let (_, problems) = parse_text("content/Bad Name.md", GOOD);
        assert_eq!(
            problems[0].message,
            "the file name `Bad Name` is not a valid slug"
        );
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("the file name becomes the URL; rename it to `bad-name.md`")
        );
        let (_, problems) = parse_text("content/tags.md", GOOD);
        assert_eq!(
            problems[0].message,
            "`tags` is reserved for the site's own pages"
        );
    }

    #[test]
    fn missing_front_matter_and_bad_date() {
        let (article, problems) = parse_text("content/a.md", "Hello\n");
        assert!(article.is_none());
        assert_eq!(
            located(&problems),
            [(1, 1, "the article does not start with `+++` front matter")]
        );
        let text = GOOD.replace("updated = 2026-11-20", "updated = \"2026-11-20\"");
        let (_, problems) = parse_text("content/a.md", &text);
        assert_eq!(located(&problems), [(7, 11, "expected a date")]);
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("write the date without quotes, like `updated = 2026-11-20`")
        );
    }

    #[test]
    fn dates_off_the_calendar_or_with_a_time_are_located_in_their_file() {
        // The TOML parser already refuses a day that does not exist (at the value's end);
        // `front_matter::date_of` refuses a time of day (at the value's start).
        let off_the_calendar = "invalid date-time\nvalue is out of range";
        for (updated, column, message) in [
            ("2026-02-29", 19, off_the_calendar),
            ("2100-02-29", 19, off_the_calendar),
            ("2026-04-31", 19, off_the_calendar),
            (
                "2026-11-20T10:00:00",
                11,
                "`updated` must be a date without a time, like 2026-11-20",
            ),
        ] {
            let text = GOOD.replace("2026-11-20", updated);
            let (article, problems) = parse_text("content/devices/a.md", &text);
            assert!(article.is_none(), "{updated}");
            assert_eq!(located(&problems), [(7, column, message)], "{updated}");
            assert_eq!(problems[0].file, Path::new("content/devices/a.md"));
        }
        let leap = GOOD.replace("2026-11-20", "2028-02-29");
        let (article, problems) = parse_text("content/a.md", &leap);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(article.unwrap().0.updated.iso(), "2028-02-29");
    }
}
