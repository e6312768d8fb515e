//! The site in each of its languages: one [`Edition`] (settings localized to the language and a
//! library of its articles) per language, the default language's first, and the [`Versions`]
//! that link a page to the same page in the other languages (`hreflang`, the sitemap, the
//! language switcher).
//!
//! A translation is its own article in its own language's library: lists, tags, See also and
//! feeds of a language are made from that language's articles only, by the same code that makes
//! a one-language site. What crosses languages is decided here and in [`Library::of_language`]
//! (translations must translate something; `related` and `@/` fall back to the default).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::diagnostics::Diagnostic;
use crate::library::Library;
use crate::urls;

/// One language of the site.
pub struct Edition {
    /// `site.toml` as this language's pages see it ([`SiteConfig::localized`]).
    pub config: SiteConfig,
    pub library: Library,
}

/// An [`Edition`] borrowed: what the files made from every language (sitemap, redirects) read,
/// also from `serve`, which keeps its one library elsewhere.
#[derive(Clone, Copy)]
pub struct EditionRef<'a> {
    pub config: &'a SiteConfig,
    pub library: &'a Library,
}

impl Edition {
    pub fn as_ref(&self) -> EditionRef<'_> {
        EditionRef {
            config: &self.config,
            library: &self.library,
        }
    }
}

/// Splits `heads` by language and makes each language's library; the default language's comes
/// first. Heads in a language the site does not have were reported when parsed: left out.
pub fn editions(
    heads: Vec<Arc<ArticleHead>>,
    config: &SiteConfig,
    include_drafts: bool,
    static_paths: &HashSet<String>,
) -> (Vec<Edition>, Vec<Diagnostic>) {
    let languages = config.languages();
    let mut by_language: Vec<Vec<Arc<ArticleHead>>> = vec![Vec::new(); languages.len()];
    for head in heads {
        if let Some(k) = languages.iter().position(|code| *code == head.lang) {
            by_language[k].push(head);
        }
    }
    let mut by_language = by_language.into_iter();
    let default_config = config.localized(languages[0]);
    let (default, mut problems) = Library::new(
        by_language.next().unwrap_or_default(),
        &default_config,
        include_drafts,
        static_paths,
    );
    let mut others = Vec::new();
    for (code, heads) in languages[1..].iter().zip(by_language) {
        let localized = config.localized(code);
        let (library, found) = Library::of_language(
            heads,
            &localized,
            include_drafts,
            static_paths,
            Some(&default),
        );
        problems.extend(found);
        others.push(Edition {
            config: localized,
            library,
        });
    }
    let mut all = vec![Edition {
        config: default_config,
        library: default,
    }];
    all.extend(others);
    (all, problems)
}

/// A page as the same page in every language: what `hreflang` and the switcher link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKey<'a> {
    /// An article, by its slug (the original's file name).
    Article(&'a str),
    /// A tag's page, by the tag's slug: only languages with an article so tagged have one.
    Tag(&'a str),
    /// A category's page, by the category's slug: every language has one.
    Category(&'a str),
    /// A page every language has at the same path under its prefix (`/`, `/search/`).
    Everywhere(&'a str),
}

/// The other-language version of a page, for one language.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Version {
    /// The language code: `hreflang` and `lang` of the link.
    pub lang: String,
    /// The language's name in itself ("Nederlands"), as the switcher shows it.
    pub name: String,
    /// The page in that language, or that language's home page when it has no such page.
    pub path: String,
    /// `path` as an absolute URL.
    pub url: String,
    /// Whether `path` is the same page (false: the language's home page, in its stead).
    pub same_page: bool,
    /// Whether this is the language of the page being rendered.
    pub current: bool,
}

/// For every language: where its prefix is and which articles and tags it has.
pub struct Versions {
    base_url: String,
    languages: Vec<LanguageIndex>,
}

struct LanguageIndex {
    code: String,
    name: String,
    prefix: String,
    /// Article slug → its site path in this language.
    articles: HashMap<String, String>,
    tags: HashSet<String>,
}

impl Versions {
    pub fn new(editions: &[EditionRef<'_>]) -> Self {
        // A one-language site links no versions: its pages (and each of `serve`'s updates)
        // need not index every article.
        let editions = match editions.len() {
            0 | 1 => &[],
            _ => editions,
        };
        let languages = editions
            .iter()
            .map(|edition| LanguageIndex {
                code: edition.config.language.clone(),
                name: edition.config.language_name().to_owned(),
                prefix: edition.config.path_prefix.clone(),
                articles: edition
                    .library
                    .articles
                    .iter()
                    .map(|a| (a.slug.clone(), a.url()))
                    .collect(),
                tags: edition
                    .library
                    .tags
                    .iter()
                    .map(|t| t.tag.slug.clone())
                    .collect(),
            })
            .collect();
        Self {
            base_url: editions
                .first()
                .map(|e| e.config.base_url.clone())
                .unwrap_or_default(),
            languages,
        }
    }

    /// Whether the site has more than one language (else there is nothing to link).
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// `page` in every language (the default first), seen from a page in `current`.
    pub fn of(&self, page: PageKey<'_>, current: &str) -> Vec<Version> {
        self.languages
            .iter()
            .map(|language| {
                let home = format!("{}{}", language.prefix, urls::HOME);
                let found = match page {
                    PageKey::Article(slug) => language.articles.get(slug).cloned(),
                    PageKey::Tag(slug) => language
                        .tags
                        .contains(slug)
                        .then(|| format!("{}{}", language.prefix, urls::tag(slug))),
                    PageKey::Category(slug) => {
                        Some(format!("{}{}", language.prefix, urls::category(slug)))
                    }
                    PageKey::Everywhere(path) => Some(format!("{}{path}", language.prefix)),
                };
                let same_page = found.is_some();
                let path = found.unwrap_or(home);
                Version {
                    lang: language.code.clone(),
                    name: language.name.clone(),
                    url: format!("{}{path}", self.base_url),
                    path,
                    same_page,
                    current: language.code == current,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::article::{parse_head, SourceFile};
    use crate::images::Images;
    use std::path::{Path, PathBuf};

    const CONFIG: &str = "[languages.nl]\ntitle = \"Hulp\"\n\n[languages.nl.sections]\nsteps = \"Probeer eerst dit\"\nescalation = \"Wanneer je ons inschakelt\"\nsee_also = \"Zie ook\"\n";

    fn config() -> SiteConfig {
        SiteConfig::parse(
            Path::new("site.toml"),
            &format!("{}{CONFIG}", crate::config::TEST_CONFIG),
        )
        .unwrap()
    }

    /// An article file: `name` is `x` or `x.nl`; `extra` goes into the front matter.
    fn file(name: &str, extra: &str) -> SourceFile {
        let dutch = name.ends_with(".nl");
        let (steps, escalation) = match dutch {
            true => ("Probeer eerst dit", "Wanneer je ons inschakelt"),
            false => ("Try this first", "When to bring us in"),
        };
        SourceFile {
            path: PathBuf::from(format!("content/{name}.md")),
            text: format!("+++\ntitle = \"About {name}\"\ndescription = \"d\"\ncategory = \"accounts\"\ntags = [\"mfa\"]\nupdated = 2026-11-20\nrisk = \"low\"\n{extra}\n+++\n\nIntro.\n\n## {steps}\n\n1. a\n\n## {escalation}\n\nb\n"),
        }
    }

    fn split(files: &[SourceFile]) -> (Vec<Edition>, Vec<String>) {
        let config = config();
        let mut messages = Vec::new();
        let mut heads = Vec::new();
        for file in files {
            let (head, problems) = parse_head(file, &config, &Images::for_tests());
            messages.extend(problems.iter().map(|p| p.message.clone()));
            heads.extend(head.map(Arc::new));
        }
        let (editions, problems) = editions(heads, &config, false, &HashSet::new());
        let editions: Vec<Edition> = editions;
        messages.extend(problems.iter().map(|p| p.message.clone()));
        (editions, messages)
    }

    #[test]
    fn each_language_has_its_own_library_and_links_its_versions() {
        let (editions, problems) = split(&[
            file("vpn", ""),
            file("printer", ""),
            file(
                "vpn.nl",
                "slug = \"vpn-werkt-niet\"\nrelated = [\"printer\"]",
            ),
        ]);
        assert_eq!(
            problems,
            ["related article \"printer\" has no `nl` translation: See also links to its `en` version"]
        );
        assert_eq!(editions.len(), 2);
        let dutch = &editions[1];
        assert_eq!(dutch.config.language, "nl");
        let urls: Vec<String> = dutch.library.articles.iter().map(|a| a.url()).collect();
        assert_eq!(urls, ["/nl/vpn-werkt-niet/"]);
        // See also falls back to the English article, past the Dutch library's own articles.
        assert_eq!(dutch.library.see_also[0], [1]);
        assert_eq!(dutch.library.fallback[0].slug, "printer");

        let refs: Vec<EditionRef> = editions.iter().map(Edition::as_ref).collect();
        let versions = Versions::new(&refs);
        let of_vpn: Vec<(String, String, bool)> = versions
            .of(PageKey::Article("vpn"), "nl")
            .into_iter()
            .map(|v| (v.lang, v.path, v.same_page))
            .collect();
        assert_eq!(
            of_vpn,
            [
                ("en".into(), "/vpn/".into(), true),
                ("nl".into(), "/nl/vpn-werkt-niet/".into(), true)
            ]
        );
        let of_printer = versions.of(PageKey::Article("printer"), "en");
        assert_eq!(
            (of_printer[1].path.as_str(), of_printer[1].same_page),
            ("/nl/", false),
            "no translation: the switcher goes to the Dutch home page"
        );
        assert_eq!(
            versions.of(PageKey::Everywhere("/search/"), "en")[1].url,
            "https://help.example.test/nl/search/"
        );
    }

    #[test]
    fn a_published_translation_of_a_draft_is_an_error() {
        let (_, problems) = split(&[file("vpn", "draft = true"), file("vpn.nl", "")]);
        assert_eq!(
            problems,
            ["this translates content/vpn.md, which is a draft"]
        );
        let (_, problems) = split(&[file("vpn", "draft = true"), file("vpn.nl", "draft = true")]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_translation_older_than_its_original_is_a_warning() {
        let newer = |name: &str| {
            let mut f = file(name, "");
            f.text = f.text.replace("2026-11-20", "2026-12-01");
            f
        };
        let (_, problems) = split(&[newer("vpn"), file("vpn.nl", "")]);
        assert_eq!(
            problems,
            ["content/vpn.md was updated on 2026-12-01, after this translation (2026-11-20)"]
        );
        let (_, problems) = split(&[file("vpn", ""), newer("vpn.nl")]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn translations_must_translate_something_and_keep_their_own_addresses() {
        let (_, problems) = split(&[
            file("vpn", ""),
            file("wifi", ""),
            file("vnp.nl", ""),
            file("vpn.nl", "slug = \"netwerk\""),
            file("wifi.nl", "slug = \"netwerk\""),
        ]);
        assert_eq!(
            problems,
            [
                "this translates `vnp`, but there is no `vnp.md` in the default language (en)",
                "/nl/netwerk/ is already the address of content/vpn.nl.md",
            ]
        );
    }

    #[test]
    fn file_names_and_slugs_in_the_wrong_language_are_errors() {
        let (_, problems) = split(&[
            file("vpn", "slug = \"other\""),
            file("vpn.de", ""),
            file("vpn.en", ""),
            file("wifi", ""),
            file("wifi.nl", "slug = \"tags\""),
        ]);
        assert_eq!(
            problems,
            [
                "only a translation can set its own `slug`",
                "`de` in the file name is not one of the site's languages",
                "`en` is the site's default language",
                "`tags` is reserved for the site's own pages",
            ]
        );
    }
}
