//! The machine-readable files: sitemap, Atom feed, robots.txt, the redirects map and the bundle.
//! Pure functions from the library to text; the writer puts them on disk.

use std::fmt::Write as _;

use kb_model::{Bundle, BundleArticle, Language, BUNDLE_FORMAT};

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::content::markdown::Body;
use crate::library::Library;
use crate::text::escape_markup as escape_xml;
use crate::urls;

/// How many articles the Atom feed carries.
pub const FEED_LIMIT: usize = 20;

/// Every indexable page with its last change. Lists take the newest date of their articles.
pub fn sitemap(library: &Library, config: &SiteConfig) -> String {
    let newest = library.newest().map(|d| d.iso());
    let mut entries: Vec<(String, Option<String>)> = vec![
        (urls::HOME.to_owned(), newest.clone()),
        (urls::CATEGORIES.to_owned(), newest.clone()),
        (urls::TAGS.to_owned(), newest),
        (urls::PRIVACY.to_owned(), None),
    ];
    let newest_of = |list: &[usize]| {
        list.iter()
            .map(|&i| library.articles[i].updated)
            .max()
            .map(|d| d.iso())
    };
    for category in &library.categories {
        entries.push((
            urls::category(&category.config.slug),
            newest_of(&category.articles),
        ));
    }
    for tag in &library.tags {
        entries.push((urls::tag(&tag.tag.slug), newest_of(&tag.articles)));
    }
    for article in &library.articles {
        entries.push((article.url(), Some(article.updated.iso())));
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, lastmod) in entries {
        let _ = write!(
            xml,
            "  <url><loc>{}</loc>",
            escape_xml(&config.permalink(&path))
        );
        if let Some(date) = lastmod {
            let _ = write!(xml, "<lastmod>{date}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
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
        feed = escape_xml(&config.permalink(urls::FEED)),
        home = escape_xml(&config.permalink(urls::HOME)),
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
pub fn redirects_map(library: &Library) -> String {
    let redirects: Vec<_> = library
        .redirects
        .iter()
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
    let language = language_of(config);
    Bundle {
        format: BUNDLE_FORMAT,
        site_title: config.title.clone(),
        base_url: config.base_url.clone(),
        company_name: config.company.name.clone(),
        company_phone: config.company.phone.clone(),
        default_language: language.clone(),
        languages: vec![language],
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
            .map(|&j| library.articles[j].slug.clone())
            .collect(),
        updated: article.updated.iso(),
        content_hash: article.content_hash.clone(),
    }
}
