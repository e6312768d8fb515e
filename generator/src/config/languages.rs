//! `[languages.<code>]`: the site's other languages, and the per-language view of `site.toml`.
//!
//! The default language (`language = "en"`) is served from `/`; each other language from its
//! own prefix (`/nl/`), with its own title, description, call to action, section headings and
//! category names. Everything else (company, base URL, theme) is shared. Rendering a language
//! means rendering with [`SiteConfig::localized`]: the same renderer, given settings whose
//! `language` and [`SiteConfig::path_prefix`] are that language's, so a one-language site goes
//! through exactly the code it always did.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{CallToAction, SectionHeadings, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::text::{is_slug, LineIndex};

/// One `[languages.<code>]` table. Every value is optional: what is left out is the default
/// language's (an untranslated category name is better than a build error).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Where the language's pages live: `/<prefix>/`. Defaults to the language code.
    pub prefix: Option<String>,
    /// The language's name in itself, for the language switch ("Nederlands"); defaults to the
    /// name the site knows for the code, else the code.
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub cta: Option<CtaText>,
    pub privacy: Option<PrivacyText>,
    pub sections: Option<SectionHeadings>,
    /// Category names and descriptions by category slug.
    pub categories: BTreeMap<String, CategoryText>,
}

/// The call to action's words in a language; its `url` defaults to the default language's.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CtaText {
    pub heading: String,
    pub text: String,
    pub button_label: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// The privacy page's sentences that come from `site.toml`, in a language.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyText {
    pub ai_provider: Option<String>,
    pub notified_via: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryText {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A few languages' names in themselves; any other is shown by its code unless `name` is set.
fn autonym(code: &str) -> &str {
    match code.split('-').next().unwrap_or(code) {
        "en" => "English",
        "nl" => "Nederlands",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "it" => "Italiano",
        "pt" => "Português",
        "pl" => "Polski",
        "tr" => "Türkçe",
        "ar" => "العربية",
        _ => code,
    }
}

/// A language code as `hreflang` and `<html lang>` take it: `nl`, `en`, `pt-br`, `zh-hant`.
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Where the first `[languages.<code>]` (or `[languages.<code>.…]`) header starts: a table's
/// span in the parser covers its keys, not its header, and an implicit table has none.
fn table_header(text: &str, code: &str) -> Option<usize> {
    let header = format!("[languages.{code}");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed
            .strip_prefix(header.as_str())
            .is_some_and(|rest| rest.starts_with(']') || rest.starts_with('.'))
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

impl SiteConfig {
    /// Every language of the site, the default first, then the others in code order.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once(self.default_language())
            .chain(self.languages.keys().map(String::as_str))
            .collect()
    }

    /// The site's default language, whichever language these settings are localized to.
    pub fn default_language(&self) -> &str {
        match self.default_language.is_empty() {
            true => &self.language,
            false => &self.default_language,
        }
    }

    /// Whether `code` is one of the site's languages.
    pub fn has_language(&self, code: &str) -> bool {
        code == self.default_language() || self.languages.contains_key(code)
    }

    /// The site path prefix of a language: `""` for the default, `"/nl"` for the others.
    pub fn prefix_of(&self, code: &str) -> String {
        self.folder_of(code)
            .map_or_else(String::new, |folder| format!("/{folder}"))
    }

    /// The folder a language other than the default lives in (`nl`).
    fn folder_of<'s>(&'s self, code: &'s str) -> Option<&'s str> {
        self.languages
            .get(code)
            .filter(|_| code != self.default_language())
            .map(|language| language.prefix.as_deref().unwrap_or(code))
    }

    /// Every other language's folder: names no article may take as its slug.
    pub fn language_folders(&self) -> impl Iterator<Item = &str> {
        self.languages
            .keys()
            .filter_map(|code| self.folder_of(code))
    }

    /// The section headings articles in `code` are written with.
    pub fn sections_of(&self, code: &str) -> &SectionHeadings {
        self.languages
            .get(code)
            .and_then(|language| language.sections.as_ref())
            .unwrap_or(&self.sections)
    }

    /// The settings as seen by the pages of `code`: its title, words and category names, its
    /// `language`, and its [`SiteConfig::path_prefix`]. The default language's are `self`'s.
    pub fn localized(&self, code: &str) -> SiteConfig {
        let mut config = self.clone();
        config.default_language = self.default_language().to_owned();
        let Some(language) = self
            .languages
            .get(code)
            .filter(|_| code != self.default_language())
        else {
            return config;
        };
        config.language = code.to_owned();
        config.path_prefix = self.prefix_of(code);
        if let Some(title) = &language.title {
            config.title = title.clone();
        }
        if let Some(description) = &language.description {
            config.description = description.clone();
        }
        if let Some(cta) = &language.cta {
            config.cta = CallToAction {
                heading: cta.heading.clone(),
                text: cta.text.clone(),
                button_label: cta.button_label.clone(),
                url: cta.url.clone().unwrap_or_else(|| self.cta.url.clone()),
            };
        }
        if let Some(privacy) = &language.privacy {
            if let Some(ai_provider) = &privacy.ai_provider {
                config.privacy.ai_provider = ai_provider.clone();
            }
            if let Some(notified_via) = &privacy.notified_via {
                config.privacy.notified_via = notified_via.clone();
            }
        }
        config.sections = self.sections_of(code).clone();
        for category in &mut config.categories {
            if let Some(text) = language.categories.get(&category.slug) {
                category.name = text.name.clone();
                if let Some(description) = &text.description {
                    category.description = description.clone();
                }
            }
        }
        config
    }

    /// A site path in this language: `/search/` → `/nl/search/`.
    pub fn path(&self, site_path: &str) -> String {
        format!("{}{site_path}", self.path_prefix)
    }

    /// This language's name in itself, as the language switch shows it.
    pub fn language_name(&self) -> &str {
        match self.languages.get(&self.language) {
            Some(LanguageConfig {
                name: Some(name), ..
            }) => name,
            _ => autonym(&self.language),
        }
    }

    /// Whether the site has more than one language.
    pub fn is_multilingual(&self) -> bool {
        !self.languages.is_empty()
    }

    pub(super) fn validate_languages(
        &self,
        path: &Path,
        text: &str,
        index: &LineIndex,
        reserved: impl Fn(&str) -> bool,
    ) -> Vec<Diagnostic> {
        let locations = super::Locations::parse(text);
        let at = |code: &str| table_header(text, code).unwrap_or(0);
        let mut problems = Vec::new();
        // Pages (`lang`, `hreflang`) and the question function's bundle name languages by code.
        if !is_language_code(&self.language) {
            problems.push(
                Diagnostic::error(
                    path,
                    format!(
                        "language: `{}` is not a language code (like \"en\", \"nl\" or \"en-GB\")",
                        self.language
                    ),
                )
                .at(text, index, locations.language.unwrap_or(0))
                .with_hint("write the site's language code, like `language = \"en\"`"),
            );
        }
        let mut prefixes: BTreeMap<String, &str> = BTreeMap::new();
        for (code, language) in &self.languages {
            let error =
                |message: String| Diagnostic::error(path, message).at(text, index, at(code));
            if code == &self.language {
                problems.push(
                    error(format!(
                        "[languages.{code}] is the default language (`language = \"{code}\"`)"
                    ))
                    .with_hint("[languages] lists the other languages; the default one's settings are the top-level ones"),
                );
                continue;
            }
            if !is_language_code(code) {
                problems.push(
                    error(format!(
                        "[languages.{code}]: `{code}` is not a language code"
                    ))
                    .with_hint("use a code such as \"nl\", \"de\" or \"pt-br\""),
                );
                continue;
            }
            let prefix = language.prefix.as_deref().unwrap_or(code);
            if !is_slug(prefix) || reserved(prefix) {
                problems.push(
                    error(format!(
                        "[languages.{code}]: prefix `{prefix}` cannot be a folder of the site"
                    ))
                    .with_hint("use lowercase letters, digits and dashes, not a name the site uses itself (categories, tags, search, …)"),
                );
            } else if let Some(other) = prefixes.insert(prefix.to_owned(), code) {
                problems.push(error(format!(
                    "[languages.{code}]: prefix `{prefix}` is already [languages.{other}]'s"
                )));
            }
            for slug in language.categories.keys() {
                if self.category(slug).is_none() {
                    let known = self.categories.iter().map(|c| c.slug.as_str());
                    let hint = match crate::diagnostics::did_you_mean(slug, known) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "name categories by their slug in [[categories]]".to_owned(),
                    };
                    problems.push(
                        error(format!(
                            "[languages.{code}.categories.{slug}]: there is no category `{slug}`"
                        ))
                        .with_hint(hint),
                    );
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TEST_CONFIG;

    const DUTCH: &str = r#"
[languages.nl]
title = "Hulp"
description = "Antwoorden"

[languages.nl.cta]
heading = "Of sla het over"
text = "Klant worden loont."
button_label = "Klant worden"

[languages.nl.sections]
steps = "Probeer eerst dit"
escalation = "Wanneer je ons inschakelt"
see_also = "Zie ook"

[languages.nl.categories.devices]
name = "Apparaten"
"#;

    fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        SiteConfig::parse(Path::new("site.toml"), text)
    }

    #[test]
    fn a_language_sees_its_own_words_under_its_prefix() {
        let config = parse(&format!("{TEST_CONFIG}{DUTCH}")).unwrap();
        assert_eq!(config.languages(), ["en", "nl"]);
        let nl = config.localized("nl");
        assert_eq!(nl.language, "nl");
        assert_eq!(nl.default_language, "en");
        assert_eq!(nl.path_prefix, "/nl");
        assert_eq!(nl.path("/search/"), "/nl/search/");
        assert_eq!(nl.title, "Hulp");
        assert_eq!(nl.cta.button_label, "Klant worden");
        assert_eq!(nl.cta.url, config.cta.url, "the URL is shared unless set");
        assert_eq!(nl.sections.steps, "Probeer eerst dit");
        assert_eq!(nl.category("devices").unwrap().name, "Apparaten");
        // An untranslated category keeps the default language's name.
        assert_eq!(
            nl.category("accounts").unwrap().name,
            config.category("accounts").unwrap().name
        );
        let en = config.localized("en");
        assert_eq!((en.path_prefix.as_str(), en.title.as_str()), ("", "Help"));
    }

    #[test]
    fn a_one_language_site_is_its_own_localization() {
        let config = parse(TEST_CONFIG).unwrap();
        assert_eq!(config.languages(), ["en"]);
        assert!(!config.is_multilingual());
        assert_eq!(config.localized("en").path("/"), "/");
    }

    #[test]
    fn language_mistakes_are_located() {
        let text = format!(
            "{TEST_CONFIG}{}\n[languages.en]\ntitle = \"x\"\n\n[languages.de]\nprefix = \"tags\"\n\n[languages.fr.categories.devises]\nname = \"Appareils\"\n",
            DUTCH.replace("[languages.nl]\n", "[languages.nl]\nprefix = \"nl\"\n")
        );
        let problems = parse(&text).unwrap_err();
        let found: Vec<(u32, &str)> = problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        let line_of = |needle: &str| {
            text.lines()
                .position(|line| line.starts_with(needle))
                .unwrap() as u32
                + 1
        };
        assert_eq!(
            found,
            [
                (
                    line_of("[languages.de]"),
                    "[languages.de]: prefix `tags` cannot be a folder of the site"
                ),
                (
                    line_of("[languages.en]"),
                    "[languages.en] is the default language (`language = \"en\"`)"
                ),
                (
                    line_of("[languages.fr.categories.devises]"),
                    "[languages.fr.categories.devises]: there is no category `devises`"
                ),
            ]
        );
        assert_eq!(problems[2].hint.as_deref(), Some("did you mean `devices`?"));
    }

    #[test]
    fn language_codes() {
        for good in ["en", "nl", "pt-br", "zh-hant", "fil"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in ["", "EN", "e", "english", "nl_NL", "nl-", "nl/x"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
