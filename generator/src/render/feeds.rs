//! The machine-readable files: sitemap, Atom feed, robots.txt, the redirects map and the bundle.
//! Pure functions from the library to text; the writer puts them on disk.

use std::fmt::Write as _;

use kb_model::{Bundle, BundleArticle, Language, BUNDLE_FORMAT};

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::content::markdown::Body;
use crate::editions::{EditionRef, PageKey, Versions};
use crate::library::Library;
use crate::text::escape_markup as escape_xml;
use crate::urls;

/// How many articles the Atom feed carries.
pub const FEED_LIMIT: usize = 20;

/// Every indexable page with its last change, in every language. Lists take the newest date
/// of their articles. A site in several languages lists each page's versions with it
/// (`xhtml:link`, as search engines read them), `x-default` being the default language's.
pub fn sitemap(editions: &[EditionRef<'_>], versions: &Versions) -> String {
    let multilingual = versions.is_multilingual();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"");
    if multilingual {
        xml.push_str(" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"");
    }
    xml.push_str(">\n");
    for edition in editions {
        for (path, key, lastmod) in sitemap_entries(edition) {
            let _ = write!(
                xml,
                "  <url><loc>{}</loc>",
                escape_xml(&edition.config.permalink(&path))
            );
            if let Some(date) = lastmod {
                let _ = write!(xml, "<lastmod>{date}</lastmod>");
            }
            if multilingual {
                let all = versions.of(key, &edition.config.language);
                for version in all.iter().filter(|v| v.same_page) {
                    let _ = write!(
                        xml,
                        "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        escape_xml(&version.lang),
                        escape_xml(&version.url)
                    );
                }
                if let Some(default) = all.first() {
                    let _ = write!(
                        xml,
                        "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                        escape_xml(&default.url)
                    );
                }
            }
            xml.push_str("</url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// One language's sitemap entries: site path, the page across languages, last change.
fn sitemap_entries<'a>(edition: &'a EditionRef<'_>) -> Vec<(String, PageKey<'a>, Option<String>)> {
    let (library, config) = (edition.library, edition.config);
    let newest = library.newest().map(|d| d.iso());
    let everywhere = |path: &'a str, lastmod: Option<String>| {
        (config.path(path), PageKey::Everywhere(path), lastmod)
    };
    let mut entries = vec![
        everywhere(urls::HOME, newest.clone()),
        everywhere(urls::CATEGORIES, newest.clone()),
        everywhere(urls::TAGS, newest),
        everywhere(urls::PRIVACY, None),
    ];
    let newest_of = |list: &[usize]| {
        list.iter()
            .map(|&i| library.articles[i].updated)
            .max()
            .map(|d| d.iso())
    };
    for category in &library.categories {
        let path = urls::category(&category.config.slug);
        entries.push((
            config.path(&path),
            PageKey::Category(&category.config.slug),
            newest_of(&category.articles),
        ));
    }
    for tag in &library.tags {
        entries.push((
            config.path(&urls::tag(&tag.tag.slug)),
            PageKey::Tag(&tag.tag.slug),
            newest_of(&tag.articles),
        ));
    }
    for article in &library.articles {
        entries.push((
            article.url(),
            PageKey::Article(&article.slug),
            Some(article.updated.iso()),
        ));
    }
    entries
}

/// Atom 1.0 feed of the most recently updated articles. Dates come from the content, never
/// from the clock, so an unchanged site builds byte-identical files.
pub fn atom(library: &Library, config: &SiteConfig) -> String {
    let updated = library
        .newest()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{title}</title>\n  <subtitle>{subtitle}</subtitle>\n  <link href=\"{feed}\" rel=\"self\" type=\"application/atom+xml\"/>\n  <link href=\"{home}\" rel=\"alternate\" type=\"text/html\"/>\n  <id>{home}</id>\n  <updated>{updated}</updated>\n  <author><name>{author}</name></author>\n",
        lang = escape_xml(&config.language),
        title = escape_xml(&config.title),
        subtitle = escape_xml(&config.description),
        feed = escape_xml(&config.permalink(&config.path(urls::FEED))),
        home = escape_xml(&config.permalink(&config.path(urls::HOME))),
        author = escape_xml(&config.company.name),
    );
    let mut recent: Vec<usize> = (0..library.articles.len()).collect();
    recent.sort_by(|&a, &b| {
        library.articles[b]
            .updated
            .cmp(&library.articles[a].updated)
            .then_with(|| library.articles[a].slug.cmp(&library.articles[b].slug))
    });
    for &i in recent.iter().take(FEED_LIMIT) {
        let article = &library.articles[i];
        let link = escape_xml(&config.permalink(&article.url()));
        let category = config
            .category(&article.category)
            .map_or(article.category.as_str(), |c| c.name.as_str());
        let _ = write!(
            xml,
            "  <entry>\n    <title>{title}</title>\n    <link href=\"{link}\" rel=\"alternate\" type=\"text/html\"/>\n    <id>{link}</id>\n    <updated>{updated}</updated>\n    <summary>{summary}</summary>\n    <category term=\"{term}\" label=\"{label}\"/>\n  </entry>\n",
            title = escape_xml(&article.title),
            updated = article.updated.rfc3339(),
            summary = escape_xml(&article.description),
            term = escape_xml(&article.category),
            label = escape_xml(category),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

pub fn robots(config: &SiteConfig) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.permalink(urls::SITEMAP)
    )
}

/// `{"redirects": [{"from": "/old/", "to": "/new/", "status": 301}]}`: one map a CDN function
/// (see infra/) applies before serving, in addition to the HTML redirect pages.
pub fn redirects_map(editions: &[EditionRef<'_>]) -> String {
    let redirects: Vec<_> = editions
        .iter()
        .flat_map(|edition| &edition.library.redirects)
        .map(|(from, to)| serde_json::json!({ "from": from, "to": to, "status": 301 }))
        .collect();
    let mut json = serde_json::to_string_pretty(&serde_json::json!({ "redirects": redirects }))
        .unwrap_or_default();
    json.push('\n');
    json
}

/// The bundle (what the ask function needs of every published article, see
/// `docs/bundle.md`) without its articles, whose records ([`bundle_article`]) follow it one by
/// one (see [`kb_model::BundleWriter`]).
///
/// The site's language is the bundle's default and only language (a site in several languages
/// will list them all, its default first).
pub fn bundle_head(config: &SiteConfig) -> Bundle {
    let language = |code: &str| {
        Language::parse(code).expect("site.toml's languages are validated when it is loaded")
    };
    Bundle {
        format: BUNDLE_FORMAT,
        site_title: config.title.clone(),
        base_url: config.base_url.clone(),
        company_name: config.company.name.clone(),
        company_phone: config.company.phone.clone(),
        default_language: language(config.default_language()),
        languages: config.languages().into_iter().map(language).collect(),
        // The general form's answer page links back to the home page of its language.
        homes: match config.is_multilingual() {
            true => config
                .languages()
                .into_iter()
                .map(|code| {
                    let home = format!("{}{}", config.prefix_of(code), urls::HOME);
                    (language(code).as_str().to_owned(), config.permalink(&home))
                })
                .collect(),
            false => Default::default(),
        },
        articles: Vec::new(),
    }
}

/// `config.language` as the bundle writes it: checked when the configuration is loaded.
fn language_of(config: &SiteConfig) -> Language {
    Language::parse(&config.language)
        .expect("site.toml's language is validated when the configuration is loaded")
}

/// The bundle's record of the library's article `i`, whose head is `article` (the library's,
/// or that of an edit `serve` applies in place) and whose body is `body`.
pub fn bundle_article(
    library: &Library,
    config: &SiteConfig,
    i: usize,
    article: &ArticleHead,
    body: &Body,
) -> BundleArticle {
    BundleArticle {
        slug: article.slug.clone(),
        language: language_of(config),
        url: config.permalink(&article.url()),
        title: article.title.clone(),
        description: article.description.clone(),
        category: article.category.clone(),
        tags: article.tags.iter().map(|t| t.slug.clone()).collect(),
        risk: article.risk,
        intro: body.intro_text.clone(),
        steps: body.steps.iter().map(|s| s.text.clone()).collect(),
        escalation: body.escalation_text.clone(),
        see_also: library.see_also[i]
            .iter()
            .map(|&j| library.listed(j).slug.clone())
            .collect(),
        updated: article.updated.iso(),
        content_hash: article.content_hash.clone(),
    }
}
