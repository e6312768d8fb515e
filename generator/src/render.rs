//! Rendering: one page = one template + a context built from the library's indexes.
//!
//! A list page receives article *summaries* (a handful of strings each), never whole articles,
//! and the summaries are built once and shared, so memory stays flat as the site grows.

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde::Serialize;
use tera::Context;

use crate::article::ArticleHead;
use crate::config::{CallToAction, Company, Privacy, SectionHeadings, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::library::Library;
use crate::markdown::{Body, SectionKind};
use crate::theme::Theme;
use crate::urls;

/// How many articles each category shows on the home page.
pub const HOME_CATEGORY_ARTICLES: usize = 5;

/// One page to render besides the articles' (which need their bodies, see
/// [`Renderer::render_article`]); the list of jobs is made first so they can be rendered in
/// parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageJob {
    Home,
    Categories,
    Category(usize),
    Tags,
    Tag(usize),
    Privacy,
    Search,
    NotFound,
    Redirect(usize),
}

pub fn jobs(library: &Library) -> Vec<PageJob> {
    let mut jobs = vec![
        PageJob::Home,
        PageJob::Categories,
        PageJob::Tags,
        PageJob::Privacy,
        PageJob::Search,
        PageJob::NotFound,
    ];
    jobs.extend((0..library.categories.len()).map(PageJob::Category));
    jobs.extend((0..library.tags.len()).map(PageJob::Tag));
    jobs.extend((0..library.redirects.len()).map(PageJob::Redirect));
    jobs
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    company: &'a Company,
    cta: &'a CallToAction,
    ask_endpoint: &'a str,
    sections: &'a SectionHeadings,
    privacy: &'a Privacy,
    /// Values the templates would otherwise compute with filters on every page of the site.
    og_locale: String,
    company_tel: String,
    company_url_label: String,
    favicon: &'a str,
}

#[derive(Serialize, Clone, Hash)]
struct Summary {
    slug: String,
    title: String,
    description: String,
    url: String,
    updated: String,
    updated_human: String,
    risk: &'static str,
    category_name: String,
    category_url: String,
}

#[derive(Serialize, Clone, Hash)]
struct CategoryView {
    slug: String,
    name: String,
    description: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct CategoryWithArticles<'a> {
    #[serde(flatten)]
    category: &'a CategoryView,
    articles: Vec<&'a Summary>,
}

#[derive(Serialize, Clone, Hash)]
struct TagView {
    name: String,
    slug: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct SectionView<'a> {
    kind: SectionKind,
    id: &'a str,
    heading: &'a str,
    html: &'a str,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    permalink: String,
    category: &'a CategoryView,
    tags: Vec<&'a TagView>,
    content_hash: &'a str,
    intro_html: &'a str,
    sections: Vec<SectionView<'a>>,
    step_count: usize,
    word_count: usize,
}

#[derive(Serialize)]
struct PageMeta<'a> {
    title: &'a str,
    description: &'a str,
    path: &'a str,
    canonical: String,
    og_type: &'static str,
    noindex: bool,
}

#[derive(Serialize)]
struct Crumb {
    name: String,
    url: String,
}

/// Everything rendering needs, computed once per build.
pub struct Renderer<'a> {
    config: &'a SiteConfig,
    library: &'a Library,
    theme: &'a Theme,
    views: Cow<'a, Views>,
}

/// The template views of every article, category and tag, and what every page shows: made once
/// per library. `serve` keeps them for edits that change none of them (an article's body).
#[derive(Clone)]
pub struct Views {
    common: Context,
    summaries: Vec<Summary>,
    categories: Vec<CategoryView>,
    tags: Vec<TagView>,
}

impl<'a> Renderer<'a> {
    pub fn new(config: &'a SiteConfig, library: &'a Library, theme: &'a Theme) -> Self {
        let views = Views::new(config, library, theme);
        Self {
            config,
            library,
            theme,
            views: Cow::Owned(views),
        }
    }

    /// A renderer using `views` made earlier for a library that lists the same articles under
    /// the same titles, categories and tags as `library`.
    pub fn with_views(
        config: &'a SiteConfig,
        library: &'a Library,
        theme: &'a Theme,
        views: &'a Views,
    ) -> Self {
        Self {
            config,
            library,
            theme,
            views: Cow::Borrowed(views),
        }
    }

    /// The views, to keep for [`Renderer::with_views`].
    pub fn into_views(self) -> Views {
        self.views.into_owned()
    }
}

impl Views {
    pub fn new(config: &SiteConfig, library: &Library, theme: &Theme) -> Self {
        let categories: Vec<CategoryView> = library
            .categories
            .iter()
            .map(|c| CategoryView {
                slug: c.config.slug.clone(),
                name: c.config.name.clone(),
                description: c.config.description.clone(),
                url: urls::category(&c.config.slug),
                count: c.articles.len(),
            })
            .collect();
        let summaries = library
            .articles
            .iter()
            .map(|article| {
                let category = config.category(&article.category);
                Summary {
                    slug: article.slug.clone(),
                    title: article.title.clone(),
                    description: article.description.clone(),
                    url: article.url(),
                    updated: article.updated.iso(),
                    updated_human: article.updated.human(),
                    risk: article.risk.as_str(),
                    category_name: category.map(|c| c.name.clone()).unwrap_or_default(),
                    category_url: urls::category(&article.category),
                }
            })
            .collect();
        let tags = library
            .tags
            .iter()
            .map(|t| TagView {
                name: t.tag.name.clone(),
                slug: t.tag.slug.clone(),
                url: urls::tag(&t.tag.slug),
                count: t.articles.len(),
            })
            .collect();
        let mut common = Context::new();
        common.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                base_url: &config.base_url,
                company: &config.company,
                cta: &config.cta,
                ask_endpoint: &config.ask_endpoint,
                sections: &config.sections,
                privacy: &config.privacy,
                og_locale: config.language.replace('-', "_"),
                company_tel: config.company.phone.replace(' ', ""),
                company_url_label: url_label(&config.company.url).to_owned(),
                favicon: &config.favicon,
            },
        );
        common.insert("stylesheet_url", &theme.stylesheet_url);
        common.insert("script_url", &theme.script_url);
        common.insert("search_script_url", &theme.search_script_url);
        common.insert("copy_script_url", &theme.copy_script_url);
        common.insert("search_url", urls::SEARCH);
        common.insert("feed_url", urls::FEED);
        common.insert("categories_url", urls::CATEGORIES);
        common.insert("tags_url", urls::TAGS);
        common.insert("nav_categories", &categories);
        common.insert("build_year", &library.newest().map_or(1970, |d| d.year));
        common.insert("json_ld", "");
        common.insert("breadcrumbs", &Vec::<Crumb>::new());
        Self {
            common,
            summaries,
            categories,
            tags,
        }
    }
}

impl<'a> Renderer<'a> {
    fn summaries_of(&self, list: &[usize]) -> Vec<&Summary> {
        list.iter().map(|&i| &self.views.summaries[i]).collect()
    }

    fn context(&self, meta: PageMeta<'_>, crumbs: &[(&str, &str)]) -> Context {
        let mut context = self.views.common.clone();
        let mut breadcrumbs = vec![Crumb {
            name: "Home".into(),
            url: urls::HOME.into(),
        }];
        breadcrumbs.extend(crumbs.iter().map(|(name, url)| Crumb {
            name: (*name).to_owned(),
            url: (*url).to_owned(),
        }));
        if !crumbs.is_empty() {
            context.insert("breadcrumbs", &breadcrumbs);
        }
        context.insert("page", &meta);
        context
    }

    fn meta<'m>(&self, title: &'m str, description: &'m str, path: &'m str) -> PageMeta<'m> {
        PageMeta {
            title,
            description,
            path,
            canonical: self.config.permalink(path),
            og_type: "website",
            noindex: false,
        }
    }

    /// Renders one page: its site path and its HTML.
    pub fn render(&self, job: PageJob) -> Result<(String, String), Diagnostic> {
        let config = self.config;
        let library = self.library;
        let (path, template, context) = match job {
            PageJob::Home => {
                let mut context = self.context(
                    self.meta(&config.title, &config.description, urls::HOME),
                    &[],
                );
                context.insert(
                    "categories",
                    &self.categories_with(Some(HOME_CATEGORY_ARTICLES)),
                );
                context.insert("recent", &self.summaries_of(&library.recent));
                context.insert("json_ld", &website_json_ld(config));
                (urls::HOME.to_owned(), "index.html", context)
            }
            PageJob::Categories => {
                let description = format!("All help articles of {}, by category.", config.title);
                let mut context = self.context(
                    self.meta("All categories", &description, urls::CATEGORIES),
                    &[("All categories", urls::CATEGORIES)],
                );
                context.insert("categories", &self.categories_with(None));
                (urls::CATEGORIES.to_owned(), "categories.html", context)
            }
            PageJob::Category(i) => {
                let view = &self.views.categories[i];
                let description = if view.description.is_empty() {
                    format!("Help articles: {}", view.name)
                } else {
                    view.description.clone()
                };
                let mut context = self.context(
                    self.meta(&view.name, &description, &view.url),
                    &[(&view.name, &view.url)],
                );
                context.insert("category", view);
                context.insert(
                    "articles",
                    &self.summaries_of(&library.categories[i].articles),
                );
                (view.url.clone(), "category.html", context)
            }
            PageJob::Tags => {
                let description = format!("All topics covered by {}.", config.title);
                let mut context = self.context(
                    self.meta("All tags", &description, urls::TAGS),
                    &[("All tags", urls::TAGS)],
                );
                context.insert("tags", &self.views.tags);
                (urls::TAGS.to_owned(), "tags.html", context)
            }
            PageJob::Tag(i) => {
                let view = &self.views.tags[i];
                let title = format!("Tagged “{}”", view.name);
                let description = format!("Help articles about {}.", view.name);
                let mut context = self.context(
                    self.meta(&title, &description, &view.url),
                    &[("All tags", urls::TAGS), (&view.name, &view.url)],
                );
                context.insert("tag", view);
                context.insert("articles", &self.summaries_of(&library.tags[i].articles));
                (view.url.clone(), "tag.html", context)
            }
            PageJob::Search => {
                let description = format!("Search the help articles of {}.", config.title);
                let mut meta = self.meta("Search", &description, urls::SEARCH);
                // Result pages are per query: nothing for a search engine to index here.
                meta.noindex = true;
                let mut context = self.context(meta, &[("Search", urls::SEARCH)]);
                context.insert("categories", &self.categories_with(Some(0)));
                (urls::SEARCH.to_owned(), "search.html", context)
            }
            PageJob::Privacy => {
                let description = format!(
                    "What {} stores when you ask a question, why, and for how long.",
                    config.company.name
                );
                let mut context = self.context(
                    self.meta("Privacy statement", &description, urls::PRIVACY),
                    &[("Privacy statement", urls::PRIVACY)],
                );
                context.insert("privacy_retention_days", &config.privacy.retention_days);
                (urls::PRIVACY.to_owned(), "privacy.html", context)
            }
            PageJob::NotFound => {
                let mut meta = self.meta(
                    "Page not found",
                    "This page does not exist (any more).",
                    urls::NOT_FOUND,
                );
                meta.noindex = true;
                (
                    urls::NOT_FOUND.to_owned(),
                    "404.html",
                    self.context(meta, &[]),
                )
            }
            PageJob::Redirect(i) => {
                let (from, to) = &library.redirects[i];
                let target = config.permalink(to);
                let mut meta = self.meta("Moved", "This page has moved.", from);
                meta.canonical = target.clone();
                meta.noindex = true;
                let mut context = self.context(meta, &[]);
                context.insert("target", &target);
                (from.clone(), "redirect.html", context)
            }
        };
        self.finish(path, template, context)
    }

    /// Renders the page of the library's article `i`, whose head is `head` (the library's, or
    /// that of an edit `serve` applies in place, which shows the site the same) and whose body
    /// is `body`: its site path and its HTML.
    pub fn render_article(
        &self,
        i: usize,
        head: &ArticleHead,
        body: &Body,
    ) -> Result<(String, String), Diagnostic> {
        let (path, template, context) = self.article_page(i, head, body);
        self.finish(path, template, context)
    }

    fn finish(
        &self,
        path: String,
        template: &str,
        context: Context,
    ) -> Result<(String, String), Diagnostic> {
        let html = self
            .theme
            .render(template, &context)
            .map_err(|mut diagnostic| {
                diagnostic.message = format!("rendering {path}: {}", diagnostic.message);
                diagnostic
            })?;
        Ok((path, html))
    }

    /// What every page is rendered from, reduced to hashes (see [`Snapshot`]). `heads` are the
    /// articles' current heads, in the library's order (those of edits applied in place
    /// included).
    pub fn snapshot(&self, heads: &[&ArticleHead]) -> Snapshot {
        let common = hash_of(&self.views.common.clone().into_json().to_string());
        let articles = heads
            .iter()
            .enumerate()
            .map(|(i, article)| {
                let summary = hash_of(&self.views.summaries[i]);
                let (_, category) = self.category_of(article);
                let tags: Vec<&TagView> = self.tag_views_of(article).collect();
                ArticleStamp {
                    summary,
                    page: hash_of(&(summary, &article.content_hash, category, tags)),
                    see_also: self.library.see_also[i].clone(),
                }
            })
            .collect();
        let list = |view: u64, members: &[usize]| ListStamp {
            view,
            members: members.to_vec(),
        };
        Snapshot {
            common,
            slugs: self
                .views
                .summaries
                .iter()
                .map(|s| s.slug.clone())
                .collect(),
            articles,
            categories: self
                .views
                .categories
                .iter()
                .zip(&self.library.categories)
                .map(|(view, index)| list(hash_of(view), &index.articles))
                .collect(),
            tags: self
                .views
                .tags
                .iter()
                .zip(&self.library.tags)
                .map(|(view, index)| list(hash_of(view), &index.articles))
                .collect(),
            recent: self.library.recent.clone(),
            redirects: self.library.redirects.clone(),
        }
    }

    fn category_of(&self, article: &ArticleHead) -> (usize, &CategoryView) {
        let index = self
            .library
            .categories
            .iter()
            .position(|c| c.config.slug == article.category)
            .unwrap_or(0);
        (index, &self.views.categories[index])
    }

    fn tag_views_of<'s>(&'s self, article: &'s ArticleHead) -> impl Iterator<Item = &'s TagView> {
        article
            .tags
            .iter()
            .filter_map(|t| {
                self.library
                    .tags
                    .binary_search_by(|x| x.tag.slug.cmp(&t.slug))
                    .ok()
            })
            .map(|ti| &self.views.tags[ti])
    }

    fn categories_with(&self, limit: Option<usize>) -> Vec<CategoryWithArticles<'_>> {
        self.views
            .categories
            .iter()
            .zip(&self.library.categories)
            .map(|(view, index)| {
                let list = &index.articles
                    [..limit.map_or(index.articles.len(), |l| l.min(index.articles.len()))];
                CategoryWithArticles {
                    category: view,
                    articles: self.summaries_of(list),
                }
            })
            .collect()
    }

    fn article_page(
        &self,
        i: usize,
        article: &ArticleHead,
        body: &Body,
    ) -> (String, &'static str, Context) {
        let summary = &self.views.summaries[i];
        let (_, category) = self.category_of(article);
        let tags = self.tag_views_of(article).collect();
        let view = ArticleView {
            summary,
            permalink: self.config.permalink(&summary.url),
            category,
            tags,
            content_hash: &article.content_hash,
            intro_html: &body.intro_html,
            sections: body
                .sections
                .iter()
                .map(|s| SectionView {
                    kind: s.kind,
                    id: &s.id,
                    heading: &s.heading,
                    html: &s.html,
                })
                .collect(),
            step_count: body.steps.len(),
            word_count: body.word_count,
        };
        let mut meta = self.meta(&article.title, &article.description, &summary.url);
        meta.og_type = "article";
        let mut context = self.context(
            meta,
            &[
                (&category.name, &category.url),
                (&article.title, &summary.url),
            ],
        );
        context.insert(
            "json_ld",
            &article_json_ld(self.config, article, &category.name),
        );
        context.insert("article", &view);
        context.insert("edit_url", &edit_url(&self.config.edit_url, &article.path));
        context.insert("see_also", &self.summaries_of(&self.library.see_also[i]));
        (summary.url.clone(), "article.html", context)
    }
}

/// The "Edit this page" link: `template` with `{path}` replaced by the article's file, relative
/// to the site root with `/` separators; empty without a template.
fn edit_url(template: &str, path: &std::path::Path) -> String {
    if template.is_empty() {
        return String::new();
    }
    let path: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    template.replace("{path}", &path.join("/"))
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What the pages of one build were rendered from, reduced to hashes and index lists. `serve`
/// keeps the last one: comparing it with the next build's tells which pages an edit can have
/// changed, so only those are rendered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Everything every page shows (site settings, navigation, footer year).
    common: u64,
    slugs: Vec<String>,
    articles: Vec<ArticleStamp>,
    categories: Vec<ListStamp>,
    tags: Vec<ListStamp>,
    recent: Vec<usize>,
    redirects: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ArticleStamp {
    /// What list pages show of the article.
    summary: u64,
    /// The article page's own inputs: summary, source file hash, category and tag views.
    page: u64,
    see_also: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ListStamp {
    view: u64,
    members: Vec<usize>,
}

/// The pages to render again after an edit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirty {
    pub pages: Vec<PageJob>,
    /// Articles, by index in the library.
    pub articles: Vec<usize>,
}

/// The pages to render again after an edit: those whose inputs differ between `old` and `new`,
/// plus the pages of the articles in `reparsed` (their files changed). `None` when the set of
/// articles, tags or redirects, or anything every page shows, changed: then every page must be
/// rendered (and pages that no longer exist removed).
pub fn dirty_jobs(old: &Snapshot, new: &Snapshot, reparsed: &[usize]) -> Option<Dirty> {
    if old.common != new.common
        || old.slugs != new.slugs
        || old.tags.len() != new.tags.len()
        || old.categories.len() != new.categories.len()
        || old.redirects != new.redirects
    {
        return None;
    }
    let summary_changed: Vec<bool> = old
        .articles
        .iter()
        .zip(&new.articles)
        .map(|(a, b)| a.summary != b.summary)
        .collect();
    let lists_changed = |members: &[usize]| members.iter().any(|&i| summary_changed[i]);
    let mut articles = Vec::new();
    for (i, (a, b)) in old.articles.iter().zip(&new.articles).enumerate() {
        if reparsed.contains(&i) || a != b || lists_changed(&b.see_also) {
            articles.push(i);
        }
    }
    let mut jobs = Vec::new();
    let list_dirty = |a: &ListStamp, b: &ListStamp| a != b || lists_changed(&b.members);
    let mut any_category = false;
    for (c, (a, b)) in old.categories.iter().zip(&new.categories).enumerate() {
        if list_dirty(a, b) {
            any_category = true;
            jobs.push(PageJob::Category(c));
        }
    }
    if any_category {
        jobs.push(PageJob::Categories);
        jobs.push(PageJob::Search);
    }
    if any_category || old.recent != new.recent || lists_changed(&new.recent) {
        jobs.push(PageJob::Home);
    }
    let mut any_tag = false;
    for (t, (a, b)) in old.tags.iter().zip(&new.tags).enumerate() {
        any_tag |= a.view != b.view;
        if list_dirty(a, b) {
            jobs.push(PageJob::Tag(t));
        }
    }
    if any_tag {
        jobs.push(PageJob::Tags);
    }
    Some(Dirty {
        pages: jobs,
        articles,
    })
}

/// A URL as shown to people: `https://example.com/` → `example.com`.
fn url_label(url: &str) -> &str {
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    url.trim_end_matches('/')
}

/// JSON-LD is embedded in a `<script>` element, where `</script>` or `<!--` in a string would end
/// or break it; escaping `<`, `>` and `&` as JSON unicode escapes keeps the JSON identical.
fn embeddable_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn website_json_ld(config: &SiteConfig) -> String {
    embeddable_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": config.title,
        "url": config.permalink(urls::HOME),
        "inLanguage": config.language,
        "publisher": { "@type": "Organization", "name": config.company.name, "url": config.company.url },
    }))
}

fn article_json_ld(config: &SiteConfig, article: &ArticleHead, category_name: &str) -> String {
    let url = config.permalink(&article.url());
    let crumbs = [
        ("Home", config.permalink(urls::HOME)),
        (
            category_name,
            config.permalink(&urls::category(&article.category)),
        ),
        (article.title.as_str(), url.clone()),
    ];
    let items: Vec<_> = crumbs
        .iter()
        .enumerate()
        .map(|(n, (name, item))| serde_json::json!({ "@type": "ListItem", "position": n + 1, "name": name, "item": item }))
        .collect();
    let organisation = serde_json::json!({ "@type": "Organization", "name": config.company.name, "url": config.company.url });
    embeddable_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "headline": article.title,
                "description": article.description,
                "url": url,
                "mainEntityOfPage": url,
                "dateModified": article.updated.iso(),
                "inLanguage": config.language,
                "articleSection": category_name,
                "keywords": article.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                "author": organisation,
                "publisher": organisation,
            },
            { "@type": "BreadcrumbList", "itemListElement": items },
        ],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_labels_drop_the_scheme_and_trailing_slash() {
        assert_eq!(url_label("https://example.com/"), "example.com");
        assert_eq!(url_label("http://example.com/it/"), "example.com/it");
        assert_eq!(url_label("example.com"), "example.com");
        assert_eq!(url_label(""), "");
    }

    /// Three articles: 0 and 1 in category 0 (tag 0), 2 in category 1; 2 lists 1 under See also.
    fn snapshot() -> Snapshot {
        let article = |summary, see_also: &[usize]| ArticleStamp {
            summary,
            page: summary * 10,
            see_also: see_also.to_vec(),
        };
        let list = |view, members: &[usize]| ListStamp {
            view,
            members: members.to_vec(),
        };
        Snapshot {
            common: 1,
            slugs: vec!["a".into(), "b".into(), "c".into()],
            articles: vec![article(1, &[]), article(2, &[]), article(3, &[1])],
            categories: vec![list(1, &[0, 1]), list(2, &[2])],
            tags: vec![list(1, &[0, 1])],
            recent: vec![2, 0, 1],
            redirects: Vec::new(),
        }
    }

    #[test]
    fn a_body_edit_dirties_only_its_page() {
        let old = snapshot();
        assert_eq!(
            dirty_jobs(&old, &old, &[0]),
            Some(Dirty {
                pages: vec![],
                articles: vec![0]
            })
        );
        assert_eq!(dirty_jobs(&old, &old, &[]), Some(Dirty::default()));
    }

    #[test]
    fn a_new_title_dirties_every_page_that_lists_the_article() {
        let old = snapshot();
        let mut new = old.clone();
        new.articles[1].summary = 20;
        new.articles[1].page = 200;
        let Dirty {
            pages: jobs,
            articles,
        } = dirty_jobs(&old, &new, &[1]).unwrap();
        // 2's See also shows the title.
        assert_eq!(articles, [1, 2]);
        for job in [
            PageJob::Category(0),
            PageJob::Categories,
            PageJob::Home,
            PageJob::Tag(0),
        ] {
            assert!(jobs.contains(&job), "{job:?} missing from {jobs:?}");
        }
        assert!(!jobs.contains(&PageJob::Category(1)));
        assert!(!jobs.contains(&PageJob::Tags), "tag counts did not change");
    }

    #[test]
    fn changes_every_page_shows_need_a_full_render() {
        let old = snapshot();
        let mut new = old.clone();
        new.common = 2;
        assert_eq!(dirty_jobs(&old, &new, &[]), None);
        let mut new = old.clone();
        new.slugs[2] = "d".into();
        assert_eq!(dirty_jobs(&old, &new, &[]), None);
        let mut new = old.clone();
        new.redirects.push(("/old/".into(), "/a/".into()));
        assert_eq!(dirty_jobs(&old, &new, &[]), None);
    }

    #[test]
    fn json_for_script_elements_cannot_close_them() {
        let value = serde_json::json!({ "headline": "a </script><!-- & b" });
        let text = embeddable_json(&value);
        assert!(!text.contains('<') && !text.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
