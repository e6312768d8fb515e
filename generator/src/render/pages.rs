//! Rendering: one page = one template + a context built from the library's indexes.
//!
//! A list page receives article *summaries* (a handful of strings each), never whole articles,
//! and the summaries are built once and shared, so memory stays flat as the site grows.
//!
//! With Tera 2 they are built once as Tera values, whose lists and maps are shared (an `Arc`):
//! putting a summary on a page costs a reference count, not a copy. What every page shows
//! (site settings, navigation, asset URLs) is Tera's global context, set once per build.

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Map, Value};

use crate::config::{CallToAction, Company, Privacy, SectionHeadings, SiteConfig};
use crate::content::article::ArticleHead;
use crate::content::markdown::Body;
use crate::diagnostics::Diagnostic;
use crate::editions::{PageKey, Version, Versions};
use crate::library::Library;
use crate::render::i18n::Catalogue;
use crate::render::{json_ld, search};

use crate::render::theme::{Pages, Theme};
use crate::urls;

/// How many articles each category shows on the home page.
pub const HOME_CATEGORY_ARTICLES: usize = 5;

/// A page buffer's first size: most pages fit, so few grow while being rendered.
const PAGE_CAPACITY: usize = 32 * 1024;

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
pub(crate) struct Summary {
    pub(crate) slug: String,
    /// The article's language: a See also entry that falls back to the default language is
    /// marked as such on the page (`lang`), so it is read out in its own language.
    lang: String,
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
pub(crate) struct CategoryView {
    slug: String,
    name: String,
    description: String,
    url: String,
    count: usize,
}

#[derive(Serialize, Clone, Hash)]
pub(crate) struct TagView {
    name: String,
    slug: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct PageMeta<'a> {
    title: &'a str,
    description: &'a str,
    path: &'a str,
    canonical: String,
    og_type: &'static str,
    noindex: bool,
    /// The page in every language (empty on a one-language site): `hreflang` links and the
    /// language switcher.
    versions: Vec<Version>,
}

#[derive(Serialize)]
struct Crumb {
    name: String,
    url: String,
}

/// Everything rendering needs, computed once per build.
pub struct Renderer<'a> {
    config: &'a SiteConfig,
    pub(crate) library: &'a Library,
    pub(crate) views: Cow<'a, Views>,
    /// The other languages' versions of each page, on a site with several.
    versions: Option<&'a Versions>,
}

/// The template views of every article, category and tag, and what every page shows: made once
/// per library. `serve` keeps them for edits that change none of them (an article's body).
#[derive(Clone)]
pub struct Views {
    /// The theme's templates with what every page shows as their global context.
    pages: Pages,
    /// The strings of the site's language, for what Rust writes (titles, breadcrumbs).
    strings: Arc<Catalogue>,
    /// A hash of that global context (see [`crate::serve::dirty::Snapshot`]).
    pub(crate) common: u64,
    pub(crate) summaries: Vec<Summary>,
    /// A hash of each of `summaries` (see [`crate::serve::dirty::Snapshot`]).
    pub(crate) summary_hashes: Vec<u64>,
    /// The articles `summaries` were made from, in the same order: an article still the same
    /// (the same `Arc`) keeps its summary in [`Views::after_edit`].
    heads: Vec<Arc<ArticleHead>>,
    pub(crate) categories: Vec<CategoryView>,
    pub(crate) tags: Vec<TagView>,
    /// `summaries`, `categories` and `tags` as Tera values, in the same order.
    summary_values: Vec<Value>,
    category_values: Vec<Value>,
    tag_values: Vec<Value>,
}

/// What every page shows: Tera's global context, and (serialised) a hash for
/// [`crate::serve::dirty::Snapshot`].
#[derive(Serialize)]
struct Globals<'a> {
    site: SiteView<'a>,
    stylesheet_url: &'a str,
    script_url: &'a str,
    search_script_url: &'a str,
    /// This language's search index (`data-index`) and the script stemming its queries
    /// (`data-stemmer`, empty when `search.js` needs none), see [`crate::render::search`].
    search_index_url: String,
    search_stemmer_url: &'a str,
    copy_script_url: &'a str,
    search_url: &'a str,
    feed_url: &'a str,
    categories_url: &'a str,
    tags_url: &'a str,
    home_url: &'a str,
    privacy_url: &'a str,
    nav_categories: &'a [CategoryView],
    build_year: i32,
    /// Pages without JSON-LD or breadcrumbs get these; the others set their own.
    json_ld: &'a str,
    breadcrumbs: Vec<Crumb>,
}

impl<'a> Renderer<'a> {
    pub fn new(config: &'a SiteConfig, library: &'a Library, theme: &'a Theme) -> Self {
        Self::with_owned_views(config, library, Views::new(config, library, theme))
    }

    /// [`Renderer::new`] for a library made after an edit, with `previous` the views of the
    /// library before it, made with the same `config` and `theme` (see [`Views::after_edit`]).
    pub fn after_edit(
        config: &'a SiteConfig,
        library: &'a Library,
        theme: &'a Theme,
        previous: &Views,
    ) -> Self {
        let views = Views::after_edit(config, library, theme, previous);
        Self::with_owned_views(config, library, views)
    }

    fn with_owned_views(config: &'a SiteConfig, library: &'a Library, views: Views) -> Self {
        Self {
            config,
            library,
            views: Cow::Owned(views),
            versions: None,
        }
    }

    /// This renderer, linking each page to its versions in the site's other languages.
    pub fn with_versions(self, versions: &'a Versions) -> Self {
        Self {
            versions: versions.is_multilingual().then_some(versions),
            ..self
        }
    }

    /// A renderer using `views` made earlier for a library that lists the same articles under
    /// the same titles, categories and tags as `library`.
    pub fn with_views(
        config: &'a SiteConfig,
        library: &'a Library,
        _theme: &'a Theme,
        views: &'a Views,
    ) -> Self {
        Self {
            config,
            library,
            views: Cow::Borrowed(views),
            versions: None,
        }
    }

    /// The views, to keep for [`Renderer::with_views`].
    pub fn into_views(self) -> Views {
        self.views.into_owned()
    }
}

impl Views {
    pub fn new(config: &SiteConfig, library: &Library, theme: &Theme) -> Self {
        Self::made(config, library, theme, None)
    }

    /// The views of a library made after an edit: the summary of an article the edit left as
    /// it was (the same `Arc` at the same place) is taken from `previous`, which must have been
    /// made with the same `config` and `theme` (`serve` drops its views when settings change).
    /// At 10,000 articles that spares most of the views' cost for a one-article edit.
    pub fn after_edit(
        config: &SiteConfig,
        library: &Library,
        theme: &Theme,
        previous: &Views,
    ) -> Self {
        Self::made(config, library, theme, Some(previous))
    }

    fn made(
        config: &SiteConfig,
        library: &Library,
        theme: &Theme,
        previous: Option<&Views>,
    ) -> Self {
        let strings = theme.strings(&config.language);
        let categories: Vec<CategoryView> = library
            .categories
            .iter()
            .map(|c| CategoryView {
                slug: c.config.slug.clone(),
                name: c.config.name.clone(),
                description: c.config.description.clone(),
                url: config.path(&urls::category(&c.config.slug)),
                count: c.articles.len(),
            })
            .collect();
        // A language's own articles, then the default language's it falls back to (See also).
        let heads: Vec<Arc<ArticleHead>> = library
            .articles
            .iter()
            .chain(&library.fallback)
            .cloned()
            .collect();
        // Each summary with its Tera value and hash: taken together from `previous` for an
        // article still the same, made together otherwise.
        let mut summaries = Vec::with_capacity(heads.len());
        let mut summary_values = Vec::with_capacity(heads.len());
        let mut summary_hashes = Vec::with_capacity(heads.len());
        for (i, article) in heads.iter().enumerate() {
            let kept = previous.filter(|previous| {
                previous
                    .heads
                    .get(i)
                    .is_some_and(|was| Arc::ptr_eq(was, article))
            });
            if let Some(previous) = kept {
                summaries.push(previous.summaries[i].clone());
                summary_values.push(previous.summary_values[i].clone());
                summary_hashes.push(previous.summary_hashes[i]);
                continue;
            }
            let category = config.category(&article.category);
            let summary = Summary {
                slug: article.slug.clone(),
                lang: article.lang.clone(),
                title: article.title.clone(),
                description: article.description.clone(),
                url: article.url(),
                updated: article.updated.iso(),
                updated_human: strings.date(article.updated),
                risk: article.risk.as_str(),
                category_name: category.map(|c| c.name.clone()).unwrap_or_default(),
                category_url: config.path(&urls::category(&article.category)),
            };
            summary_values.push(Value::from_serializable(&summary));
            summary_hashes.push(hash_of(&summary));
            summaries.push(summary);
        }
        let tags: Vec<TagView> = library
            .tags
            .iter()
            .map(|t| TagView {
                name: t.tag.name.clone(),
                slug: t.tag.slug.clone(),
                url: config.path(&urls::tag(&t.tag.slug)),
                count: t.articles.len(),
            })
            .collect();
        let globals = Globals {
            site: SiteView {
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
            stylesheet_url: &theme.stylesheet_url,
            script_url: &theme.script_url,
            search_script_url: &theme.search_script_url,
            search_index_url: search::manifest_path(&config.path_prefix),
            search_stemmer_url: search::Stemmer::for_language(&config.language)
                .script()
                .map_or("", |name| theme.asset_url(name)),
            copy_script_url: &theme.copy_script_url,
            search_url: &config.path(urls::SEARCH),
            feed_url: &config.path(urls::FEED),
            categories_url: &config.path(urls::CATEGORIES),
            tags_url: &config.path(urls::TAGS),
            home_url: &config.path(urls::HOME),
            privacy_url: &config.path(urls::PRIVACY),
            nav_categories: &categories,
            build_year: library.newest().map_or(1970, |d| d.year()),
            json_ld: "",
            breadcrumbs: Vec::new(),
        };
        let common = hash_of(&serde_json::to_string(&globals).unwrap_or_default());
        let globals = Context::from_serialize(&globals)
            .expect("the site-wide values serialise as a map: a struct of strings and lists");
        Self {
            pages: theme.pages(globals, &config.language),
            strings,
            common,
            summary_values,
            category_values: values_of(&categories),
            tag_values: values_of(&tags),
            summary_hashes,
            summaries,
            heads,
            categories,
            tags,
        }
    }
}

impl<'a> Renderer<'a> {
    /// The summaries of the articles `list` indexes, as a template list (shared, not copied).
    fn summaries_of(&self, list: &[usize]) -> Value {
        list.iter()
            .map(|&i| self.views.summary_values[i].clone())
            .collect::<Vec<_>>()
            .into()
    }

    /// A page's own context; what every page shows is in the global context.
    fn context(&self, meta: PageMeta<'_>, crumbs: &[(&str, &str)]) -> Context {
        let mut context = Context::new();
        let mut breadcrumbs = vec![Crumb {
            name: self.views.strings.text("nav.home").to_owned(),
            url: self.config.path(urls::HOME),
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

    fn meta<'m>(
        &self,
        title: &'m str,
        description: &'m str,
        path: &'m str,
        key: Option<PageKey<'_>>,
    ) -> PageMeta<'m> {
        PageMeta {
            title,
            description,
            path,
            canonical: self.config.permalink(path),
            og_type: "website",
            noindex: false,
            versions: match (self.versions, key) {
                (Some(versions), Some(key)) => versions.of(key, &self.config.language),
                _ => Vec::new(),
            },
        }
    }

    /// Renders one page: its site path and its HTML.
    pub fn render(&self, job: PageJob) -> Result<(String, String), Diagnostic> {
        let config = self.config;
        let library = self.library;
        let strings = &self.views.strings;
        let home = config.path(urls::HOME);
        let categories = config.path(urls::CATEGORIES);
        let tags = config.path(urls::TAGS);
        let (path, template, context) = match job {
            PageJob::Home => {
                let mut context = self.context(
                    self.meta(
                        &config.title,
                        &config.description,
                        &home,
                        Some(PageKey::Everywhere(urls::HOME)),
                    ),
                    &[],
                );
                context.insert_value(
                    "categories",
                    self.categories_with(Some(HOME_CATEGORY_ARTICLES)),
                );
                context.insert_value("recent", self.summaries_of(&library.recent));
                context.insert("json_ld", &json_ld::website_json_ld(config));
                (home, "index.html", context)
            }
            PageJob::Categories => {
                let title = strings.text("categories.title");
                let description =
                    strings.format("categories.description", &[("site", &config.title)]);
                let mut context = self.context(
                    self.meta(
                        title,
                        &description,
                        &categories,
                        Some(PageKey::Everywhere(urls::CATEGORIES)),
                    ),
                    &[(title, &categories)],
                );
                context.insert_value("categories", self.categories_with(None));
                (categories, "categories.html", context)
            }
            PageJob::Category(i) => {
                let view = &self.views.categories[i];
                let description = if view.description.is_empty() {
                    strings.format("category.description_fallback", &[("category", &view.name)])
                } else {
                    view.description.clone()
                };
                let mut context = self.context(
                    self.meta(
                        &view.name,
                        &description,
                        &view.url,
                        Some(PageKey::Category(&view.slug)),
                    ),
                    &[(&view.name, &view.url)],
                );
                context.insert_value("category", self.views.category_values[i].clone());
                context.insert_value(
                    "articles",
                    self.summaries_of(&library.categories[i].articles),
                );
                (view.url.clone(), "category.html", context)
            }
            PageJob::Tags => {
                let title = strings.text("tags.title");
                let description = strings.format("tags.description", &[("site", &config.title)]);
                let mut context = self.context(
                    self.meta(
                        title,
                        &description,
                        &tags,
                        Some(PageKey::Everywhere(urls::TAGS)),
                    ),
                    &[(title, &tags)],
                );
                context.insert_value("tags", self.views.tag_values.clone().into());
                (tags, "tags.html", context)
            }
            PageJob::Tag(i) => {
                let view = &self.views.tags[i];
                let title = strings.format("tag.title", &[("tag", &view.name)]);
                let description = strings.format("tag.description", &[("tag", &view.name)]);
                let mut context = self.context(
                    self.meta(
                        &title,
                        &description,
                        &view.url,
                        Some(PageKey::Tag(&view.slug)),
                    ),
                    &[(strings.text("tags.title"), &tags), (&view.name, &view.url)],
                );
                context.insert_value("tag", self.views.tag_values[i].clone());
                context.insert_value("articles", self.summaries_of(&library.tags[i].articles));
                (view.url.clone(), "tag.html", context)
            }
            PageJob::Search => {
                let title = strings.text("search.title");
                let description = strings.format("search.description", &[("site", &config.title)]);
                let search = config.path(urls::SEARCH);
                let mut meta = self.meta(
                    title,
                    &description,
                    &search,
                    Some(PageKey::Everywhere(urls::SEARCH)),
                );
                // Result pages are per query: nothing for a search engine to index here.
                meta.noindex = true;
                let mut context = self.context(meta, &[(title, &search)]);
                context.insert_value("categories", self.categories_with(Some(0)));
                (search, "search.html", context)
            }
            PageJob::Privacy => {
                let title = strings.text("privacy.title");
                let description =
                    strings.format("privacy.description", &[("company", &config.company.name)]);
                let privacy = config.path(urls::PRIVACY);
                let mut context = self.context(
                    self.meta(
                        title,
                        &description,
                        &privacy,
                        Some(PageKey::Everywhere(urls::PRIVACY)),
                    ),
                    &[(title, &privacy)],
                );
                context.insert("privacy_retention_days", &config.privacy.retention_days);
                (privacy, "privacy.html", context)
            }
            PageJob::NotFound => {
                let not_found = config.path(urls::NOT_FOUND);
                let mut meta = self.meta(
                    strings.text("notfound.title"),
                    strings.text("notfound.description"),
                    &not_found,
                    None,
                );
                meta.noindex = true;
                let context = self.context(meta, &[]);
                (not_found, "404.html", context)
            }
            PageJob::Redirect(i) => {
                let (from, to) = &library.redirects[i];
                let target = config.permalink(to);
                let mut meta = self.meta(
                    strings.text("redirect.title"),
                    strings.text("redirect.description"),
                    from,
                    None,
                );
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
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        let failed = |mut diagnostic: Diagnostic| {
            diagnostic.message = format!("rendering {path}: {}", diagnostic.message);
            diagnostic
        };
        self.views
            .pages
            .render_to(template, &context, &mut html)
            .map_err(failed)?;
        let html = String::from_utf8(html).map_err(|_| {
            failed(Diagnostic::error(
                std::path::Path::new(template),
                "the page is not UTF-8 text",
            ))
        })?;
        Ok((path, html))
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

    /// The library's index of each of `article`'s tags, in the article's order.
    fn tag_indices_of<'s>(&'s self, article: &'s ArticleHead) -> impl Iterator<Item = usize> + 's {
        article.tags.iter().filter_map(|t| {
            self.library
                .tags
                .binary_search_by(|x| x.tag.slug.cmp(&t.slug))
                .ok()
        })
    }

    /// Every category with (up to `limit` of) its articles.
    fn categories_with(&self, limit: Option<usize>) -> Value {
        self.views
            .category_values
            .iter()
            .zip(&self.library.categories)
            .map(|(view, index)| {
                let list = &index.articles
                    [..limit.map_or(index.articles.len(), |l| l.min(index.articles.len()))];
                let mut map = view.as_map().cloned().unwrap_or_default();
                map.insert("articles".into(), self.summaries_of(list));
                Value::from(map)
            })
            .collect::<Vec<_>>()
            .into()
    }

    fn article_page(
        &self,
        i: usize,
        article: &ArticleHead,
        body: &Body,
    ) -> (String, &'static str, Context) {
        let summary = &self.views.summaries[i];
        let (category_index, category) = self.category_of(article);
        // The summary's fields, then the article's own.
        let mut view: Map = self.views.summary_values[i]
            .as_map()
            .cloned()
            .unwrap_or_default();
        let mut put = |key: &'static str, value: Value| {
            view.insert(key.into(), value);
        };
        put("permalink", self.config.permalink(&summary.url).into());
        put(
            "category",
            self.views.category_values[category_index].clone(),
        );
        put("tags", self.tag_values_of(article).into());
        put("content_hash", article.content_hash.as_str().into());
        put("intro_html", body.intro_html.as_str().into());
        put(
            "sections",
            body.sections
                .iter()
                .map(|s| {
                    let mut section = Map::default();
                    section.insert("kind".into(), Value::from_serializable(&s.kind));
                    section.insert("id".into(), s.id.as_str().into());
                    section.insert("heading".into(), s.heading.as_str().into());
                    section.insert("html".into(), s.html.as_str().into());
                    Value::from(section)
                })
                .collect::<Vec<_>>()
                .into(),
        );
        put("step_count", body.steps.len().into());
        put("word_count", body.word_count.into());
        let mut meta = self.meta(
            &article.title,
            &article.description,
            &summary.url,
            Some(PageKey::Article(&article.slug)),
        );
        meta.og_type = "article";
        let mut context = self.context(
            meta,
            &[
                (&category.name, &category.url),
                (&article.title, &summary.url),
            ],
        );
        context.insert_value(
            "json_ld",
            json_ld::article_json_ld(
                self.config,
                article,
                &category.name,
                self.views.strings.text("nav.home"),
            )
            .into(),
        );
        context.insert_value("article", view.into());
        context.insert_value(
            "edit_url",
            edit_url(&self.config.edit_url, &article.path).into(),
        );
        context.insert_value("see_also", self.summaries_of(&self.library.see_also[i]));
        (summary.url.clone(), "article.html", context)
    }

    /// The tag values of `article`'s tags, in its order.
    fn tag_values_of(&self, article: &ArticleHead) -> Vec<Value> {
        self.tag_indices_of(article)
            .map(|ti| self.views.tag_values[ti].clone())
            .collect()
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

/// Views as Tera values, made once and then shared by every page that shows them.
fn values_of<T: Serialize>(views: &[T]) -> Vec<Value> {
    views.iter().map(Value::from_serializable).collect()
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A URL as shown to people: `https://example.com/` → `example.com`.
fn url_label(url: &str) -> &str {
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    url.trim_end_matches('/')
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
}
