//! `site.toml`: the site-wide settings, parsed into a typed struct and validated once.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::text::{is_slug, LineIndex};

mod languages;
pub(crate) mod toml_errors;

pub use languages::{is_language_code, LanguageConfig};

pub const CONFIG_FILE: &str = "site.toml";

/// Everything `site.toml` holds. Unknown keys are errors, so a typo never silently does nothing.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL the site is served from, without a trailing slash once validated.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Where the question form posts; empty means the site has no form yet.
    #[serde(default)]
    pub ask_endpoint: String,
    pub company: Company,
    pub cta: CallToAction,
    #[serde(default)]
    pub sections: SectionHeadings,
    #[serde(default)]
    pub privacy: Privacy,
    /// The icon pages link to: a site path of a file in `static/` (an SVG or PNG). The default
    /// theme ships `/favicon.svg` and the `/favicon.ico` browsers ask for on their own.
    #[serde(default = "default_favicon")]
    pub favicon: String,
    /// "Edit this page" link on articles: a URL with `{path}` for the article's file, e.g.
    /// `https://github.com/acme/help/edit/main/{path}`. Empty: no link.
    #[serde(default)]
    pub edit_url: String,
    /// `[images]`: how article images are published.
    #[serde(default)]
    pub images: crate::images::ImageSettings,
    /// In display order. Articles must name one of these, so a typo cannot create a category.
    pub categories: Vec<CategoryConfig>,
    /// The site's other languages, by code (see [`languages`]).
    #[serde(default)]
    pub languages: std::collections::BTreeMap<String, LanguageConfig>,
    /// Where this language's pages live: `""` for the default language, `"/nl"` for another
    /// (set by [`SiteConfig::localized`], never written in `site.toml`).
    #[serde(skip)]
    pub path_prefix: String,
    /// The site's default language, whichever language these settings are localized to:
    /// read it with [`SiteConfig::default_language`].
    #[serde(skip)]
    pub(in crate::config) default_language: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub url: String,
}

/// The "skip the DIY" block that closes every article.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CallToAction {
    pub heading: String,
    pub text: String,
    pub button_label: String,
    pub url: String,
}

/// The headings that mark an article's sections. Configurable so a site in another language (or
/// with another house style) keeps the structure the generator and the AI rely on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectionHeadings {
    pub steps: String,
    pub escalation: String,
    pub see_also: String,
}

impl Default for SectionHeadings {
    fn default() -> Self {
        Self {
            steps: "Try this first".into(),
            escalation: "When to bring us in".into(),
            see_also: "See also".into(),
        }
    }
}

/// What the privacy page states. Keep `retention_days` equal to the ask function's
/// `TRYFIRST_LEAD_RETENTION_DAYS`: the page promises what the database's TTL does.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Privacy {
    pub retention_days: u32,
    /// Who writes the advice from the question text, e.g. "OpenAI (United States)".
    pub ai_provider: String,
    /// Where the team is told about a question (ask-fn's notification channels), e.g.
    /// "Microsoft Teams and email". Empty: the page does not mention notifications.
    pub notified_via: String,
    /// Where privacy requests go; empty means the company email.
    pub contact_email: String,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            retention_days: 365,
            ai_provider: "an AI provider".into(),
            notified_via: String::new(),
            contact_email: String::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryConfig {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

fn default_language() -> String {
    "en".into()
}

fn default_theme() -> String {
    "default".into()
}

fn default_favicon() -> String {
    "/favicon.svg".into()
}

impl SiteConfig {
    /// Parses and validates `site.toml`. Pure: `path` is only used in diagnostics.
    /// (A value's place in the file, for a diagnostic about it, is [`Locations`]'.)
    pub fn parse(path: &Path, text: &str) -> Result<Self, Vec<Diagnostic>> {
        let index = LineIndex::new(text);
        let mut config: SiteConfig = toml::from_str(text)
            .map_err(|error| vec![toml_errors::to_diagnostic(&error, path, text, &index, 0)])?;
        let problems = config.validate(path, text, &index);
        if problems.is_empty() {
            config.base_url = config.base_url.trim_end_matches('/').to_owned();
            config.default_language = config.language.clone();
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, path: &Path, text: &str, index: &LineIndex) -> Vec<Diagnostic> {
        // The struct no longer knows where its values came from: the parser's spans do.
        let locations = Locations::parse(text);
        let at = |offset: Option<usize>| offset.unwrap_or(0);
        let mut problems = Vec::new();
        if let Some(problem) = check_base_url(&self.base_url) {
            problems.push(
                Diagnostic::error(path, problem)
                    .at(text, index, at(locations.base_url))
                    .with_hint(
                        "use the full address, like `base_url = \"https://help.example.com\"`",
                    ),
            );
        }
        if !self.edit_url.is_empty()
            && (!self.edit_url.contains("{path}")
                || !(self.edit_url.starts_with("https://") || self.edit_url.starts_with("http://")))
        {
            problems.push(
                Diagnostic::error(path, "edit_url must be an http(s) URL containing {path}")
                    .at(text, index, at(locations.edit_url))
                    .with_hint(
                        "e.g. `edit_url = \"https://github.com/acme/help/edit/main/{path}\"`",
                    ),
            );
        }
        if !self.favicon.starts_with('/') {
            problems.push(
                Diagnostic::error(path, "favicon must be a site path such as \"/favicon.svg\"")
                    .at(text, index, at(locations.favicon))
                    .with_hint("put the icon in static/ and name it from the site root"),
            );
        }
        if self.images.max_width < 100 {
            problems.push(
                Diagnostic::error(path, "images.max_width must be at least 100 (px)")
                    .at(text, index, at(locations.max_width))
                    .with_hint("the default, 1200, suits screenshots"),
            );
        }
        if self.categories.is_empty() {
            problems.push(
                Diagnostic::error(path, "no categories are defined")
                    .with_hint("add at least one [[categories]] table with `slug` and `name`"),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, category) in self.categories.iter().enumerate() {
            let offset = at(locations.category_slugs.get(i).copied());
            if !is_slug(&category.slug) {
                problems.push(
                    Diagnostic::error(
                        path,
                        format!("category slug `{}` is not a valid slug", category.slug),
                    )
                    .at(text, index, offset)
                    .with_hint(format!(
                        "use lowercase letters, digits and dashes, like `{}`",
                        crate::text::slugify(&category.slug)
                    )),
                );
            } else if !seen.insert(category.slug.as_str()) {
                problems.push(
                    Diagnostic::error(
                        path,
                        format!("category `{}` is defined twice", category.slug),
                    )
                    .at(text, index, offset),
                );
            }
        }
        problems.extend(self.validate_languages(path, text, index, crate::urls::is_reserved));
        problems
    }

    pub fn category(&self, slug: &str) -> Option<&CategoryConfig> {
        self.categories
            .iter()
            .find(|category| category.slug == slug)
    }

    /// Absolute URL for a site path such as `/a/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A complete configuration for unit tests elsewhere in the crate.
    #[cfg(test)]
    pub fn for_tests() -> Self {
        Self::parse(Path::new(CONFIG_FILE), TEST_CONFIG).expect("the test config is valid")
    }
}

fn check_base_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        None => Some(format!(
            "base_url `{url}` must start with https:// or http://"
        )),
        Some(host) if host.trim_end_matches('/').is_empty() => {
            Some("base_url has no host name".into())
        }
        Some(host) if host.contains(char::is_whitespace) => {
            Some(format!("base_url `{url}` contains a space"))
        }
        Some(_) => None,
    }
}

/// A complete `site.toml` for unit tests in the crate; the `article` fuzz target reads the same
/// file.
#[cfg(test)]
pub const TEST_CONFIG: &str = include_str!("../../../tests/fixtures/unit-site.toml");

/// Where some of `site.toml`'s values are written (byte offsets of the values), from the TOML
/// parser's spans: what a diagnostic about a value that parsed but is not acceptable points at
/// (a key's name found by searching the text could be in a comment or another table).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Locations {
    pub base_url: Option<usize>,
    pub edit_url: Option<usize>,
    pub favicon: Option<usize>,
    pub max_width: Option<usize>,
    /// Each `[[categories]]` table's `slug`, in order.
    pub category_slugs: Vec<usize>,
    pub language: Option<usize>,
}

impl Locations {
    /// The locations in `text`; none when it does not parse (its error says so already).
    pub fn parse(text: &str) -> Self {
        type Value = toml::Spanned<toml::Value>;
        #[derive(Deserialize)]
        struct Spans {
            base_url: Option<Value>,
            edit_url: Option<Value>,
            favicon: Option<Value>,
            images: Option<ImageSpans>,
            #[serde(default)]
            categories: Vec<CategorySpans>,
            language: Option<Value>,
        }
        #[derive(Deserialize)]
        struct ImageSpans {
            max_width: Option<Value>,
        }
        #[derive(Deserialize)]
        struct CategorySpans {
            slug: Option<Value>,
        }
        let Ok(spans) = toml::from_str::<Spans>(text) else {
            return Self::default();
        };
        let start = |value: Option<Value>| value.map(|value| value.span().start);
        Self {
            base_url: start(spans.base_url),
            edit_url: start(spans.edit_url),
            favicon: start(spans.favicon),
            max_width: start(spans.images.and_then(|images| images.max_width)),
            category_slugs: spans
                .categories
                .into_iter()
                .map(|category| start(category.slug).unwrap_or(0))
                .collect(),
            language: start(spans.language),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diagnostic points at the value itself, not at the first place the key's name appears
    /// (a comment above it, another table's `slug`).
    #[test]
    fn values_are_located_by_the_parsers_spans() {
        let text = format!(
            "# base_url, favicon and \"accounts\" are explained in the README{}",
            TEST_CONFIG
                .replace("https://help.example.test/", "help.example.test")
                .replace(
                    "title = \"Help\"",
                    "title = \"Help\"\nfavicon = \"icon.svg\""
                )
                .replace("slug = \"devices\"", "slug = \"accounts\"")
        );
        let locations = Locations::parse(&text);
        assert_eq!(&text[locations.favicon.unwrap()..][..10], "\"icon.svg\"");
        assert_eq!(locations.category_slugs.len(), 2);
        assert_eq!(locations.max_width, None);
        let problems = SiteConfig::parse(Path::new("site.toml"), &text).unwrap_err();
        let lines: Vec<(u32, u32, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.message.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    4,
                    12,
                    "base_url `help.example.test` must start with https:// or http://"
                ),
                (
                    3,
                    11,
                    "favicon must be a site path such as \"/favicon.svg\""
                ),
                (17, 8, "category `accounts` is defined twice"),
            ]
        );
    }

    #[test]
    fn parses_and_normalises_base_url() {
        let config = SiteConfig::for_tests();
        assert_eq!(config.base_url, "https://help.example.test");
        assert_eq!(config.permalink("/a/"), "https://help.example.test/a/");
        assert_eq!(config.sections.steps, "Try this first");
        assert_eq!(config.language, "en");
        assert_eq!(config.category("devices").unwrap().name, "Devices");
    }

    #[test]
    fn the_language_must_be_a_language_code() {
        let text = TEST_CONFIG.replace(
            "title = \"Help\"",
            "title = \"Help\"\nlanguage = \"english\"",
        );
        let problems = SiteConfig::parse(Path::new("site.toml"), &text).unwrap_err();
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["language: `english` is not a language code (like \"en\", \"nl\" or \"en-GB\")"]
        );
        let text =
            TEST_CONFIG.replace("title = \"Help\"", "title = \"Help\"\nlanguage = \"nl-BE\"");
        assert!(SiteConfig::parse(Path::new("site.toml"), &text).is_ok());
    }

    #[test]
    fn unknown_key_is_located_with_a_hint() {
        let text = TEST_CONFIG.replace("title = \"Help\"", "titel = \"Help\"");
        let problems = SiteConfig::parse(Path::new("site.toml"), &text).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message, "unknown field `titel`");
        assert_eq!((problems[0].line, problems[0].column), (2, 1));
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn bad_base_url_and_duplicate_category() {
        let text = TEST_CONFIG
            .replace("https://help.example.test/", "help.example.test")
            .replace("slug = \"devices\"", "slug = \"accounts\"");
        let problems = SiteConfig::parse(Path::new("site.toml"), &text).unwrap_err();
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "base_url `help.example.test` must start with https:// or http://",
                "category `accounts` is defined twice"
            ]
        );
        assert_eq!(problems[1].line, 16);
    }
}
