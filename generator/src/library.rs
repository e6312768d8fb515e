//! The library: every article's head, the checks that need all of them (duplicate slugs,
//! `related` targets, internal links, aliases), and the indexes the pages are rendered from
//! (categories, tags, See also, recent).
//!
//! Indexes are computed once here, so rendering is a pure function of one page's data, and no
//! page context ever carries the whole library. A library never changes once made; it holds
//! no body: the link checks are given the bodies' outlines (see [`Library::check_links`]).

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{CategoryConfig, SiteConfig};
use crate::content::article::{ArticleHead, TagRef};
use crate::content::markdown::{LinkTarget, Outline};
use crate::diagnostics::{did_you_mean, Diagnostic, Severity};
use crate::render::theme_ids;
use crate::urls;

/// How many articles "See also" lists at most.
pub const SEE_ALSO_LIMIT: usize = 6;
/// How many articles "Recently updated" lists on the home page.
pub const RECENT_LIMIT: usize = 10;

#[derive(Debug)]
pub struct CategoryIndex {
    pub config: CategoryConfig,
    /// By weight, then title.
    pub articles: Vec<usize>,
}

#[derive(Debug)]
pub struct TagIndex {
    pub tag: TagRef,
    /// By weight, then title.
    pub articles: Vec<usize>,
}

#[derive(Debug)]
pub struct Library {
    /// Published articles, sorted by slug. Shared: `serve` keeps them too, beside their bodies.
    pub articles: Vec<Arc<ArticleHead>>,
    pub categories: Vec<CategoryIndex>,
    /// Sorted by slug.
    pub tags: Vec<TagIndex>,
    /// For each article (same index), the articles listed under "See also".
    pub see_also: Vec<Vec<usize>>,
    /// Most recently updated first.
    pub recent: Vec<usize>,
    /// `(old path, new path)`, sorted by old path.
    pub redirects: Vec<(String, String)>,
    /// Drafts left out and duplicates refused: not part of the site, but their bodies are
    /// checked too, and a published article must not link to a draft.
    set_aside: Vec<Arc<ArticleHead>>,
    /// How many of `set_aside` (the first ones) are duplicates; the rest are drafts.
    duplicates: usize,
    /// Every path the site has (pages, feeds, theme files): what a site-path link may target.
    site_paths: HashSet<String>,
    include_drafts: bool,
    /// In another language's library, the default language's published articles (sorted by
    /// slug): what `related` and `@/` links fall back to where there is no translation.
    /// See also indexes past [`Library::articles`] point into it. Empty in the default's.
    pub fallback: Vec<Arc<ArticleHead>>,
}

impl Library {
    /// Cross-checks the articles and builds the indexes. Drafts take part in the checks (a
    /// published article must not link to one) but are only kept with `include_drafts`.
    pub fn new(
        all: Vec<Arc<ArticleHead>>,
        config: &SiteConfig,
        include_drafts: bool,
        static_paths: &HashSet<String>,
    ) -> (Self, Vec<Diagnostic>) {
        Self::of_language(all, config, include_drafts, static_paths, None)
    }

    /// [`Library::new`] for `serve`, after an edit of a library made from the same files
    /// (`previous`): the See also lists the edit cannot have changed are taken from it rather
    /// than ranked again (at 10,000 articles, ranking them all is most of making a library).
    pub fn after_edit(
        all: Vec<Arc<ArticleHead>>,
        config: &SiteConfig,
        include_drafts: bool,
        static_paths: &HashSet<String>,
        previous: &Library,
    ) -> (Self, Vec<Diagnostic>) {
        Self::make(
            all,
            config,
            include_drafts,
            static_paths,
            None,
            Some(previous),
        )
    }

    /// The library of one language: `all` are its articles, `config` is localized to it, and
    /// `default` is the default language's library when this is another language's (its
    /// translations must translate one of `default`'s articles, and fall back to them).
    pub fn of_language(
        all: Vec<Arc<ArticleHead>>,
        config: &SiteConfig,
        include_drafts: bool,
        static_paths: &HashSet<String>,
        default: Option<&Library>,
    ) -> (Self, Vec<Diagnostic>) {
        Self::make(all, config, include_drafts, static_paths, default, None)
    }

    fn make(
        mut all: Vec<Arc<ArticleHead>>,
        config: &SiteConfig,
        include_drafts: bool,
        static_paths: &HashSet<String>,
        default: Option<&Library>,
        previous: Option<&Library>,
    ) -> (Self, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        all.sort_by(|a, b| (&a.slug, &a.path).cmp(&(&b.slug, &b.path)));
        // Duplicate slugs: keep the first file (by path order), report the others.
        let mut kept: Vec<Arc<ArticleHead>> = Vec::with_capacity(all.len());
        let mut set_aside = Vec::new();
        for article in all {
            if let Some(first) = kept.last().filter(|first| first.slug == article.slug) {
                problems.push(
                    Diagnostic::error(
                        &article.path,
                        format!(
                            "slug `{}` is already used by {}",
                            article.slug,
                            first.path.display()
                        ),
                    )
                    .with_hint("file names must be unique across all folders; rename one of them"),
                );
                set_aside.push(article);
                continue;
            }
            kept.push(article);
        }
        if let Some(default) = default {
            kept = translations_of_originals(kept, default, config, include_drafts, &mut problems);
            check_own_slugs(&kept, &mut problems);
        }
        let fallback: Vec<Arc<ArticleHead>> = default
            .map(|default| default.articles.clone())
            .unwrap_or_default();
        let slugs = Slugs::of(&kept);

        let mut site_paths = generated_paths(&kept, config, include_drafts);
        site_paths.extend(static_paths.iter().cloned());
        for article in &kept {
            check_related(
                article,
                &slugs,
                include_drafts,
                &fallback,
                config,
                &mut problems,
            );
        }
        let redirects = collect_redirects(&kept, include_drafts, &site_paths, &mut problems);

        let (articles, drafts): (Vec<Arc<ArticleHead>>, Vec<Arc<ArticleHead>>) =
            kept.into_iter().partition(|a| include_drafts || !a.draft);
        let duplicates = set_aside.len();
        set_aside.extend(drafts);
        let listed = list_order(&articles);
        let categories = category_index(&config.categories, &articles, &listed);
        let tags = tag_index(&articles, &listed);
        // After an edit (one language): the lists it cannot have changed, with the previous
        // library they are taken from.
        let kept = previous
            .filter(|_| default.is_none())
            .and_then(|previous| Some((see_also_kept(previous, &articles, &tags)?, previous)));
        let see_also = match &kept {
            Some((kept, previous)) if kept.iter().all(|&kept| kept) => previous.see_also.clone(),
            _ => see_also(
                &articles,
                &tags,
                &fallback,
                kept.as_ref()
                    .map(|(kept, previous)| (kept.as_slice(), previous.see_also.as_slice())),
            ),
        };
        let mut recent: Vec<usize> = (0..articles.len()).collect();
        recent.sort_by(|&a, &b| {
            articles[b]
                .updated
                .cmp(&articles[a].updated)
                .then_with(|| articles[a].title.cmp(&articles[b].title))
        });
        recent.truncate(RECENT_LIMIT);
        let library = Self {
            articles,
            categories,
            tags,
            see_also,
            recent,
            redirects,
            set_aside,
            duplicates,
            site_paths,
            include_drafts,
            fallback,
        };
        (library, problems)
    }

    /// Checks every internal link: the article exists, is not a draft, has the `#fragment`
    /// linked to; a site path exists. `outlines` are the outlines of the bodies of
    /// [`Library::every_article`], in that order: apart from [`Library::new`] because `build`
    /// parses the bodies only after the library is made.
    pub fn check_links<O: Borrow<Outline>>(&self, outlines: &[O]) -> Vec<Diagnostic> {
        debug_assert_eq!(outlines.len(), self.articles.len() + self.set_aside.len());
        let published = self.articles.len();
        let checked = || {
            self.articles.iter().zip(&outlines[..published]).chain(
                self.drafts()
                    .iter()
                    .zip(&outlines[published + self.duplicates..]),
            )
        };
        let drafts: FxHashSet<&str> = checked()
            .filter(|(a, _)| a.draft)
            .map(|(a, _)| a.slug.as_str())
            .collect();
        let outlines: FxHashMap<&str, &Outline> = checked()
            .map(|(a, outline)| (a.slug.as_str(), outline.borrow()))
            .collect();
        let targets = self.targets(&outlines, &drafts);
        let mut problems = Vec::new();
        for (article, outline) in checked() {
            check_links(article, outline.borrow(), &targets, &mut problems);
        }
        problems
    }

    /// The drafts left out of the site (which still take part in the checks).
    fn drafts(&self) -> &[Arc<ArticleHead>] {
        &self.set_aside[self.duplicates..]
    }

    /// The published articles (in their order), then those set aside (duplicates, drafts left
    /// out): every article whose body has problems to report.
    pub fn every_article(&self) -> impl Iterator<Item = &Arc<ArticleHead>> {
        self.articles.iter().chain(&self.set_aside)
    }

    /// Checks the links of `article` (with its body's `outline`), an edited version of the
    /// library's article with the same slug, as [`Library::check_links`] would. `outlines` are
    /// those of [`Library::every_article`]. `serve` uses it when an edit left everything other
    /// articles depend on (title, tags, anchors, …) as it was, so no other article's checks can
    /// have changed. An empty list means the links are fine; otherwise the caller runs the full
    /// checks, which also suggest corrections.
    pub fn check_links_of<O: Borrow<Outline>>(
        &self,
        article: &ArticleHead,
        outline: &Outline,
        outlines: &[O],
    ) -> Vec<Diagnostic> {
        let published = self.articles.len();
        let find = |slug: &str| {
            self.index_of(slug)
                .map(|i| (&self.articles[i], outlines[i].borrow()))
                .or_else(|| {
                    self.set_aside
                        .iter()
                        .position(|a| a.slug == slug && a.draft)
                        .map(|j| (&self.set_aside[j], outlines[published + j].borrow()))
                })
        };
        let mut linked: FxHashMap<&str, &Outline> = FxHashMap::default();
        let mut drafts: FxHashSet<&str> = FxHashSet::default();
        let targets = outline.links.iter().filter_map(|link| match &link.target {
            LinkTarget::Article { slug, .. } => Some(slug.as_str()),
            _ => None,
        });
        for slug in targets {
            let target = if slug == article.slug {
                Some((article, outline))
            } else {
                find(slug).map(|(head, outline)| (&**head, outline))
            };
            if let Some((target, target_outline)) = target {
                if target.draft {
                    drafts.insert(slug);
                }
                linked.insert(slug, target_outline);
            }
        }
        linked.insert(&article.slug, outline);
        let mut problems = Vec::new();
        check_links(
            article,
            outline,
            &self.targets(&linked, &drafts),
            &mut problems,
        );
        problems
    }

    /// What links may point at, given the articles' `outlines` and the `drafts` among them.
    fn targets<'a>(
        &'a self,
        outlines: &'a FxHashMap<&'a str, &'a Outline>,
        drafts: &'a FxHashSet<&'a str>,
    ) -> Targets<'a> {
        Targets {
            outlines,
            drafts,
            include_drafts: self.include_drafts,
            site_paths: &self.site_paths,
            fallback: &self.fallback,
        }
    }

    /// The article a See also index names: one of [`Library::articles`], or past them, one of
    /// the default language's it falls back to.
    pub fn listed(&self, j: usize) -> &Arc<ArticleHead> {
        match j.checked_sub(self.articles.len()) {
            Some(k) => &self.fallback[k],
            None => &self.articles[j],
        }
    }

    pub fn index_of(&self, slug: &str) -> Option<usize> {
        self.articles
            .binary_search_by(|a| a.slug.as_str().cmp(slug))
            .ok()
    }

    /// The newest `updated` date, used where a stable "last changed" is needed (feed, footer).
    pub fn newest(&self) -> Option<crate::text::Date> {
        self.recent.first().map(|&i| self.articles[i].updated)
    }
}

/// Every article's index, in the order lists show them: by weight, then title (a stable sort,
/// so equal keys keep the slug order). Sorted once; each category's and tag's list is then
/// this order filtered, rather than a sort of its own.
fn list_order(articles: &[Arc<ArticleHead>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| {
        (articles[a].weight, &articles[a].title).cmp(&(articles[b].weight, &articles[b].title))
    });
    order
}

/// The site's categories (slugs are unique: the config is checked), each with its articles in
/// `listed` order (see [`list_order`]). One pass over the articles, not one per category.
fn category_index(
    categories: &[CategoryConfig],
    articles: &[Arc<ArticleHead>],
    listed: &[usize],
) -> Vec<CategoryIndex> {
    let position: FxHashMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(c, category)| (category.slug.as_str(), c))
        .collect();
    let mut lists = vec![Vec::new(); categories.len()];
    for &i in listed {
        if let Some(&c) = position.get(articles[i].category.as_str()) {
            lists[c].push(i);
        }
    }
    categories
        .iter()
        .zip(lists)
        .map(|(config, articles)| CategoryIndex {
            config: config.clone(),
            articles,
        })
        .collect()
}

/// The tags, by slug, each with its articles in `listed` order (see [`list_order`]).
fn tag_index(articles: &[Arc<ArticleHead>], listed: &[usize]) -> Vec<TagIndex> {
    let mut by_slug: FxHashMap<&str, (TagRef, Vec<usize>)> = FxHashMap::default();
    for &i in listed {
        for tag in &articles[i].tags {
            by_slug
                .entry(tag.slug.as_str())
                .or_insert_with(|| (tag.clone(), Vec::new()))
                .1
                .push(i);
        }
    }
    let mut tags: Vec<TagIndex> = by_slug
        .into_values()
        .map(|(tag, articles)| TagIndex { tag, articles })
        .collect();
    tags.sort_unstable_by(|a, b| a.tag.slug.cmp(&b.tag.slug));
    tags
}

/// Explicit `related` first, in the editor's order; then articles sharing the most tags (same
/// category breaks ties, then the most recently updated, then the slug). Uses the tag index, so
/// the cost is the sum of tag sizes per article rather than all pairs, and only the few best
/// candidates are sorted (by integer keys: articles are in slug order, so an index stands for
/// its slug). Articles are independent of each other: computed in parallel.
/// Which articles' See also lists are what they were in `previous`, made from the same
/// articles in the same order, some edited (`None` when the articles differ). A list depends
/// on its article's `related` and tags, and on the tags, category and date of the articles
/// sharing a tag with it: an edit changing none of those (a title, a body) keeps every list;
/// one changing only `related` keeps all but its own; one changing its tags, category or date
/// keeps all but the lists of its article and of those sharing one of its tags, old or new.
fn see_also_kept(
    previous: &Library,
    articles: &[Arc<ArticleHead>],
    tags: &[TagIndex],
) -> Option<Vec<bool>> {
    if previous.articles.len() != articles.len() || !previous.fallback.is_empty() {
        return None;
    }
    let mut kept = vec![true; articles.len()];
    let members = |index: &[TagIndex], slug: &str| -> Vec<usize> {
        index
            .iter()
            .find(|t| t.tag.slug == slug)
            .map(|t| t.articles.clone())
            .unwrap_or_default()
    };
    for (i, (old, new)) in previous.articles.iter().zip(articles).enumerate() {
        if old.slug != new.slug {
            return None;
        }
        if Arc::ptr_eq(old, new) {
            continue;
        }
        // What other lists rank it by.
        let same_candidate =
            old.tags == new.tags && old.category == new.category && old.updated == new.updated;
        let same_related = old
            .related
            .iter()
            .map(|r| &r.value)
            .eq(new.related.iter().map(|r| &r.value));
        if same_candidate && same_related {
            continue;
        }
        kept[i] = false;
        if same_candidate {
            // Only its own list names its related articles.
            continue;
        }
        kept[i] = false;
        for tag in &old.tags {
            for j in members(&previous.tags, &tag.slug) {
                kept[j] = false;
            }
        }
        for tag in &new.tags {
            for j in members(tags, &tag.slug) {
                kept[j] = false;
            }
        }
    }
    Some(kept)
}

/// Each article's See also. With `kept` (see [`see_also_kept`]) and the previous lists, the
/// lists marked kept are copied, not ranked again.
fn see_also(
    articles: &[Arc<ArticleHead>],
    tags: &[TagIndex],
    fallback: &[Arc<ArticleHead>],
    kept: Option<(&[bool], &[Vec<usize>])>,
) -> Vec<Vec<usize>> {
    let by_tag: HashMap<&str, &[usize]> = tags
        .iter()
        .map(|t| (t.tag.slug.as_str(), t.articles.as_slice()))
        .collect();
    let by_slug: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.slug.as_str(), i))
        .collect();
    let mut category_ids: HashMap<&str, usize> = HashMap::new();
    let category: Vec<usize> = articles
        .iter()
        .map(|a| {
            let next = category_ids.len();
            *category_ids.entry(a.category.as_str()).or_insert(next)
        })
        .collect();
    let days: Vec<u32> = articles.iter().map(|a| day_number(a.updated)).collect();
    articles
        .par_iter()
        .enumerate()
        // Each job zeroes a counter per article: few large jobs, not one per article.
        .with_min_len(256)
        .map_init(
            || vec![0u32; articles.len()],
            |shared, (me, article)| {
                if let Some((_, previous)) = kept.filter(|(kept, _)| kept[me]) {
                    return previous[me].clone();
                }
                let mut list: Vec<usize> = Vec::with_capacity(SEE_ALSO_LIMIT);
                for related in &article.related {
                    let slug = related.value.as_str();
                    let found = by_slug.get(slug).copied().or_else(|| {
                        fallback
                            .binary_search_by(|a| a.slug.as_str().cmp(slug))
                            .ok()
                            .map(|j| articles.len() + j)
                    });
                    if let Some(i) = found {
                        if !list.contains(&i) && list.len() < SEE_ALSO_LIMIT {
                            list.push(i);
                        }
                    }
                }
                let wanted = SEE_ALSO_LIMIT - list.len();
                if wanted == 0 {
                    return list;
                }
                // `shared` counts tags in common; it is all zeros again when this returns.
                let mut touched: Vec<usize> = Vec::new();
                for tag in &article.tags {
                    for &other in by_tag.get(tag.slug.as_str()).copied().unwrap_or_default() {
                        if other != me && !list.contains(&other) {
                            if shared[other] == 0 {
                                touched.push(other);
                            }
                            shared[other] += 1;
                        }
                    }
                }
                let mut candidates: Vec<u64> = touched
                    .iter()
                    .map(|&i| rank_key(shared[i], category[i] != category[me], days[i], i))
                    .collect();
                for &i in &touched {
                    shared[i] = 0;
                }
                if candidates.len() > wanted {
                    candidates.select_nth_unstable(wanted - 1);
                    candidates.truncate(wanted);
                }
                candidates.sort_unstable();
                list.extend(candidates.into_iter().map(index_of_key));
                list
            },
        )
        .collect()
}

/// A number that orders dates: the Julian day (about 2.5 million today, within [`DAY_BITS`];
/// negative only before 4713 BC, which no `updated` field can say).
fn day_number(date: crate::text::Date) -> u32 {
    u32::try_from(date.julian_day()).unwrap_or(0)
}

const DAY_BITS: u32 = 23;
const INDEX_BITS: u32 = 32;

/// A See also candidate's rank as one integer, smallest first: most tags shared, then the same
/// category, then the most recently updated, then the lowest index (slug). Ranking thousands of
/// candidates per article compares these, not tuples.
fn rank_key(shared: u32, other_category: bool, day: u32, index: usize) -> u64 {
    let fewer_shared = u64::from(u8::MAX - shared.min(u32::from(u8::MAX)) as u8);
    let older = u64::from((1 << DAY_BITS) - 1 - day.min((1 << DAY_BITS) - 1));
    (fewer_shared << (DAY_BITS + 1 + INDEX_BITS))
        | (u64::from(other_category) << (DAY_BITS + INDEX_BITS))
        | (older << INDEX_BITS)
        | index as u64
}

fn index_of_key(key: u64) -> usize {
    (key & ((1 << INDEX_BITS) - 1)) as usize
}

/// Whether `#fragment` is one a link to an article's page may use: one of its body's anchors
/// or of the ids the theme gives every article page. A scan: a body has a handful of anchors,
/// and only the few links with a fragment ask.
fn has_anchor(outline: &Outline, fragment: &str) -> bool {
    outline.anchors.iter().any(|anchor| anchor == fragment)
        || theme_ids::PAGE_IDS.contains(&fragment)
        || fragment == theme_ids::SEE_ALSO_ID
}

/// Every page path the build will write, for checking site-path links and alias collisions.
fn generated_paths(
    articles: &[Arc<ArticleHead>],
    config: &SiteConfig,
    include_drafts: bool,
) -> HashSet<String> {
    let paths = [
        urls::HOME,
        urls::CATEGORIES,
        urls::TAGS,
        urls::FEED,
        urls::SITEMAP,
        urls::NOT_FOUND,
        urls::PRIVACY,
        urls::SEARCH,
        urls::REDIRECTS_MAP,
        "/robots.txt",
    ];
    // The sitemap, robots.txt and the redirects are the site's, in no language.
    let shared = [urls::SITEMAP, urls::REDIRECTS_MAP, "/robots.txt"];
    let mut paths: HashSet<String> = paths.iter().map(|path| config.path(path)).collect();
    paths.extend(shared.iter().map(|path| (*path).to_owned()));
    paths.extend(
        config
            .categories
            .iter()
            .map(|c| config.path(&urls::category(&c.slug))),
    );
    // Thousands of articles share a few dozen tags: each tag's path is made once.
    let mut tags: FxHashSet<&str> = FxHashSet::default();
    for article in articles.iter().filter(|a| include_drafts || !a.draft) {
        paths.insert(article.url());
        tags.extend(article.tags.iter().map(|t| t.slug.as_str()));
    }
    paths.extend(tags.into_iter().map(|slug| config.path(&urls::tag(slug))));
    paths
}

/// The slugs of a language's articles, for the checks of `related`: looked up by hash, since a
/// binary search over thousands of strings, each in its own allocation, misses the cache at
/// every step.
struct Slugs<'a> {
    /// In slug order, for "did you mean" (a deterministic order breaks its ties).
    sorted: Vec<&'a str>,
    known: FxHashSet<&'a str>,
    drafts: FxHashSet<&'a str>,
}

impl<'a> Slugs<'a> {
    fn of(articles: &'a [Arc<ArticleHead>]) -> Self {
        let sorted: Vec<&str> = articles.iter().map(|a| a.slug.as_str()).collect();
        Self {
            known: sorted.iter().copied().collect(),
            drafts: articles
                .iter()
                .filter(|a| a.draft)
                .map(|a| a.slug.as_str())
                .collect(),
            sorted,
        }
    }
}

fn check_related(
    article: &ArticleHead,
    slugs: &Slugs<'_>,
    include_drafts: bool,
    fallback: &[Arc<ArticleHead>],
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) {
    for related in &article.related {
        let target = related.value.as_str();
        // Not translated, or only as a draft: the default language's article stands in.
        let known = slugs.known.contains(target);
        let draft = slugs.drafts.contains(target);
        let untranslated = !known || (!include_drafts && draft);
        if untranslated && find(fallback, target).is_some() {
            problems.push(
                article
                    .diagnostic_at(
                        Severity::Warning,
                        related.offset,
                        format!(
                            "related article \"{target}\" has no `{}` translation: See also links to its `{}` version",
                            article.lang,
                            config.default_language()
                        ),
                    )
                    .with_hint(format!("translate it as {target}.{}.md", article.lang)),
            );
        } else if !known {
            let mut diagnostic = article.diagnostic_at(
                Severity::Error,
                related.offset,
                format!("related article \"{target}\" does not exist"),
            );
            if let Some(near) = did_you_mean(target, slugs.sorted.iter().copied()) {
                diagnostic = diagnostic.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(diagnostic);
        } else if !article.draft && !include_drafts && draft {
            problems.push(
                article
                    .diagnostic_at(
                        Severity::Error,
                        related.offset,
                        format!("related article \"{target}\" is a draft"),
                    )
                    .with_hint("publish it first, or remove it from `related`"),
            );
        }
    }
}

/// What an article's links may point at.
struct Targets<'a> {
    /// Every article of the language, by slug, with its body's outline (for its anchors).
    outlines: &'a FxHashMap<&'a str, &'a Outline>,
    drafts: &'a FxHashSet<&'a str>,
    include_drafts: bool,
    site_paths: &'a HashSet<String>,
    /// The default language's articles, in a translation's library.
    fallback: &'a [Arc<ArticleHead>],
}

fn check_links(
    article: &ArticleHead,
    outline: &Outline,
    targets: &Targets<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let Targets {
        outlines,
        drafts,
        include_drafts,
        site_paths,
        fallback,
    } = *targets;
    for link in &outline.links {
        let offset = article.body_start + link.offset;
        let broken = |message: String| article.diagnostic_at(Severity::Error, offset, message);
        match &link.target {
            LinkTarget::Article { slug, .. }
                if (!outlines.contains_key(slug.as_str())
                    || (!include_drafts && drafts.contains(slug.as_str())))
                    && find(fallback, slug).is_some() =>
            {
                problems.push(
                    article
                        .diagnostic_at(
                            Severity::Warning,
                            offset,
                            format!(
                                "@/{slug} has no `{}` translation: the link goes to the article in the default language",
                                article.lang
                            ),
                        )
                        .with_hint(format!("translate it as {slug}.{}.md", article.lang)),
                );
            }
            LinkTarget::Article { slug, fragment } => match outlines.get(slug.as_str()) {
                None => {
                    let mut diagnostic =
                        broken(format!("link to an article that does not exist: @/{slug}"));
                    if let Some(near) = did_you_mean(slug, outlines.keys().copied()) {
                        diagnostic = diagnostic.with_hint(format!("did you mean @/{near}?"));
                    }
                    problems.push(diagnostic);
                }
                Some(_) if !article.draft && !include_drafts && drafts.contains(slug.as_str()) => {
                    problems.push(
                        broken(format!("link to a draft article: @/{slug}"))
                            .with_hint("publish it first, or remove the link"),
                    );
                }
                Some(target) => {
                    if let Some(fragment) = fragment.as_deref().filter(|f| !has_anchor(target, f)) {
                        problems.push(broken(format!("link to @/{slug}#{fragment}: that article has no heading with this anchor")));
                    }
                }
            },
            LinkTarget::SitePath { path, .. } => {
                if !site_paths.contains(path) {
                    let mut diagnostic =
                        broken(format!("link to a page that does not exist: {path}"));
                    if site_paths.contains(&format!("{path}/")) {
                        diagnostic =
                            diagnostic.with_hint(format!("add the trailing slash: {path}/"));
                    } else {
                        diagnostic = diagnostic.with_hint(
                            "link to another article with @/slug, e.g. [text](@/printer-offline)",
                        );
                    }
                    problems.push(diagnostic);
                }
            }
            LinkTarget::Fragment(fragment) => {
                let own = outlines.get(article.slug.as_str());
                if !own.is_some_and(|own| has_anchor(own, fragment)) {
                    problems.push(broken(format!(
                        "link to #{fragment}: no heading on this page has that anchor"
                    )));
                }
            }
        }
    }
}

/// The article named `slug` among `articles` (sorted by slug).
fn find<'a>(articles: &'a [Arc<ArticleHead>], slug: &str) -> Option<&'a Arc<ArticleHead>> {
    articles
        .binary_search_by(|a| a.slug.as_str().cmp(slug))
        .ok()
        .map(|i| &articles[i])
}

/// A language's articles that translate one of the default language's (`default`); a file
/// translating nothing is an error, since nothing would link to it or list it by its name.
fn translations_of_originals(
    articles: Vec<Arc<ArticleHead>>,
    default: &Library,
    config: &SiteConfig,
    include_drafts: bool,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Arc<ArticleHead>> {
    let originals: HashMap<&str, &ArticleHead> = default
        .every_article()
        .map(|a| (a.slug.as_str(), &**a))
        .collect();
    articles
        .into_iter()
        .filter(|article| {
            let Some(original) = originals.get(article.slug.as_str()) else {
                let mut diagnostic = article.diagnostic_at(
                    Severity::Error,
                    0,
                    format!(
                        "this translates `{}`, but there is no `{}.md` in the default language ({})",
                        article.slug,
                        article.slug,
                        config.default_language()
                    ),
                );
                diagnostic = match did_you_mean(&article.slug, originals.keys().copied()) {
                    Some(near) => diagnostic.with_hint(format!(
                        "did you mean {near}.{}.md? A translation is named after its original",
                        article.lang
                    )),
                    None => diagnostic.with_hint(
                        "a translation sits next to its original: printer.md and printer.nl.md",
                    ),
                };
                problems.push(diagnostic);
                return false;
            };
            // Published, a translation of a draft would be a page with no original to link to.
            if original.draft && !article.draft && !include_drafts {
                problems.push(
                    article
                        .diagnostic_at(
                            Severity::Error,
                            0,
                            format!(
                                "this translates {}, which is a draft",
                                original.path.display()
                            ),
                        )
                        .with_hint("publish the original first, or mark this translation `draft = true` too"),
                );
                return false;
            }
            // A translation older than its original may lack what the original now says.
            if original.updated > article.updated {
                problems.push(
                    article
                        .diagnostic_at(
                            Severity::Warning,
                            0,
                            format!(
                                "{} was updated on {}, after this translation ({})",
                                original.path.display(),
                                original.updated.iso(),
                                article.updated.iso()
                            ),
                        )
                        .with_hint("bring the translation up to date, then set its `updated`"),
                );
            }
            true
        })
        .collect()
}

/// Two translations whose own `slug`s give them one address: the second is an error.
fn check_own_slugs(articles: &[Arc<ArticleHead>], problems: &mut Vec<Diagnostic>) {
    let mut owner: HashMap<&str, &ArticleHead> = HashMap::new();
    for article in articles {
        if let Some(first) = owner.get(article.site_path.as_str()) {
            let first_path = first.path.display().to_string();
            problems.push(
                article
                    .diagnostic_at(
                        Severity::Error,
                        article.slug_at.unwrap_or(0),
                        format!(
                            "{} is already the address of {first_path}",
                            article.site_path
                        ),
                    )
                    .with_hint("give one of the two translations another `slug`"),
            );
        } else {
            owner.insert(&article.site_path, article);
        }
    }
}

impl crate::content::markdown::ArticleLinks for Library {
    /// In this library's language when the article is translated, else in the default's.
    fn article_path(&self, slug: &str) -> String {
        match self.index_of(slug) {
            Some(i) => self.articles[i].url(),
            None => find(&self.fallback, slug)
                .or_else(|| self.set_aside.iter().find(|a| a.slug == slug))
                .map_or_else(|| urls::article(slug), |a| a.url()),
        }
    }
}

fn collect_redirects(
    articles: &[Arc<ArticleHead>],
    include_drafts: bool,
    site_paths: &HashSet<String>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, String)> {
    let mut owner: HashMap<&str, &ArticleHead> = HashMap::new();
    let mut redirects = Vec::new();
    for article in articles {
        for alias in &article.aliases {
            let path = alias.value.as_str();
            if site_paths.contains(path) {
                problems.push(article.diagnostic_at(
                    Severity::Error,
                    alias.offset,
                    format!("alias {path} is the address of an existing page"),
                ));
            } else if let Some(other) = owner.get(path) {
                problems.push(article.diagnostic_at(
                    Severity::Error,
                    alias.offset,
                    format!("alias {path} is also claimed by {}", other.path.display()),
                ));
            } else {
                owner.insert(path, article);
                if include_drafts || !article.draft {
                    redirects.push((path.to_owned(), article.url()));
                }
            }
        }
    }
    redirects.sort();
    redirects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::article::{parse, SourceFile};
    use crate::content::source::Sources;
    use std::cmp::Reverse;
    use std::path::PathBuf;

    fn article(_config: &SiteConfig, slug: &str, extra: &str, body: &str) -> SourceFile {
        let text = format!(
            "+++\ntitle = \"About {slug}\"\ndescription = \"d\"\ncategory = \"accounts\"\nupdated = 2026-11-{:02}\nrisk = \"low\"\n{extra}\n+++\n\n{body}\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nb\n",
            slug.len()
        );
        SourceFile {
            path: PathBuf::from(format!("content/{slug}.md")),
            text,
        }
    }

    /// One article's head with the front-matter fields See also ranks by.
    fn ranked_head(
        config: &SiteConfig,
        slug: usize,
        fields: &(u8, bool, u8, u8, u8),
    ) -> Arc<ArticleHead> {
        let (tags, devices, day, related, title) = fields;
        let tags: Vec<String> = (0..5)
            .filter(|bit| tags & (1 << bit) != 0)
            .map(|bit| format!("\"t{bit}\""))
            .collect();
        let category = if *devices { "devices" } else { "accounts" };
        let text = format!(
            "+++\ntitle = \"Title {title}\"\ndescription = \"d\"\ncategory = \"{category}\"\nupdated = 2026-11-{:02}\nrisk = \"low\"\ntags = [{}]\nrelated = [\"a{:02}\"]\n+++\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nb\n",
            1 + day % 28,
            tags.join(", "),
            related % 12,
        );
        let source = SourceFile {
            path: PathBuf::from(format!("content/a{slug:02}.md")),
            text,
        };
        let images = crate::images::Images::for_tests();
        Arc::new(
            crate::content::article::parse_head(&source, config, &images)
                .0
                .expect("valid"),
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// `serve`'s library after an edit keeps the See also lists the edit cannot have
        /// changed: every list is still the one a library made from scratch ranks.
        #[test]
        fn after_an_edit_see_also_is_what_a_new_library_ranks(
            fields in proptest::collection::vec(proptest::prelude::any::<(u8, bool, u8, u8, u8)>(), 12),
            edits in proptest::collection::vec((0..12usize, 0..5usize, proptest::prelude::any::<u8>()), 1..6),
        ) {
            let config = SiteConfig::for_tests();
            let mut fields = fields;
            let mut heads: Vec<Arc<ArticleHead>> = fields
                .iter()
                .enumerate()
                .map(|(slug, fields)| ranked_head(&config, slug, fields))
                .collect();
            let (mut previous, _) = Library::new(heads.clone(), &config, false, &HashSet::new());
            // Each edit changes one field: several at once would hide a field left unchecked.
            for (slug, field, value) in edits {
                let edited = &mut fields[slug];
                match field {
                    0 => edited.0 = value,
                    1 => edited.1 = !edited.1,
                    2 => edited.2 = value,
                    3 => edited.3 = value,
                    _ => edited.4 = value,
                }
                heads[slug] = ranked_head(&config, slug, edited);
                let (edited, _) =
                    Library::after_edit(heads.clone(), &config, false, &HashSet::new(), &previous);
                let (fresh, _) = Library::new(heads.clone(), &config, false, &HashSet::new());
                proptest::prop_assert_eq!(&edited.see_also, &fresh.see_also);
                previous = edited;
            }
        }
    }

    /// The library of `files` parsed whole, and every problem its checks found (links too),
    /// placed in the files as `build` does.
    fn checked(config: &SiteConfig, files: Vec<SourceFile>) -> (Library, Vec<Diagnostic>) {
        let mut heads = Vec::new();
        let mut outlines = HashMap::new();
        for file in &files {
            let (parsed, problems) = parse(
                file,
                config,
                &crate::content::markdown::CalloutLabels::default(),
                &crate::images::Images::for_tests(),
            );
            assert!(problems.is_empty(), "{problems:?}");
            let (head, body) = parsed.unwrap();
            outlines.insert(head.path.clone(), body.outline);
            heads.push(Arc::new(head));
        }
        let (library, mut problems) = Library::new(heads, config, false, &HashSet::new());
        let outlines: Vec<&Outline> = library
            .every_article()
            .map(|head| &outlines[&head.path])
            .collect();
        problems.extend(library.check_links(&outlines));
        Sources::memory(files.into_iter().map(|file| (file.path, file.text))).locate(&mut problems);
        (library, problems)
    }

    fn messages(problems: &[Diagnostic]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.file.display(), p.line, p.message))
            .collect()
    }

    #[test]
    fn rank_keys_order_as_the_ranking_tuples_do() {
        use crate::text::Date;
        let dates = [
            Date::new(2024, 12, 31).unwrap(),
            Date::new(2025, 1, 1).unwrap(),
            Date::new(2025, 1, 2).unwrap(),
            Date::new(2026, 11, 29).unwrap(),
        ];
        let mut candidates = Vec::new();
        for shared in [1u32, 2, 3, 300] {
            for other_category in [false, true] {
                for date in dates {
                    for index in [0usize, 7, 9_999, 4_000_000] {
                        candidates.push((shared, other_category, date, index));
                    }
                }
            }
        }
        let mut by_tuple = candidates.clone();
        by_tuple.sort_by_key(|&(shared, other, date, index)| {
            (Reverse(shared.min(255)), other, Reverse(date), index)
        });
        let mut by_key = candidates;
        by_key.sort_by_key(|&(shared, other, date, index)| {
            rank_key(shared, other, day_number(date), index)
        });
        assert_eq!(by_key, by_tuple);
        assert_eq!(
            index_of_key(rank_key(2, true, 1_000_000, 4_000_000)),
            4_000_000
        );
    }

    #[test]
    fn see_also_puts_related_first_then_shared_tags() {
        let config = SiteConfig::for_tests();
        let articles = vec![
            article(&config, "a", "tags = [\"x\", \"y\"]\nrelated = [\"d\"]", ""),
            article(&config, "b", "tags = [\"x\"]", ""),
            article(&config, "c", "tags = [\"x\", \"y\"]", ""),
            article(&config, "d", "", ""),
            article(&config, "e", "tags = [\"z\"]", ""),
        ];
        let (library, problems) = checked(&config, articles);
        assert!(problems.is_empty(), "{problems:?}");
        let names = |list: &[usize]| {
            list.iter()
                .map(|&i| library.articles[i].slug.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&library.see_also[0]), ["d", "c", "b"]);
        assert_eq!(names(&library.see_also[4]), Vec::<&str>::new());
        let tags: Vec<_> = library
            .tags
            .iter()
            .map(|t| (t.tag.slug.as_str(), t.articles.len()))
            .collect();
        assert_eq!(tags, [("x", 3), ("y", 2), ("z", 1)]);
        assert_eq!(library.categories[0].articles.len(), 5);
        assert_eq!(library.categories[1].articles.len(), 0);
    }

    #[test]
    fn cross_article_problems() {
        let config = SiteConfig::for_tests();
        let articles = vec![
            article(&config, "alpha", "related = [\"bravo\", \"gamma\"]\naliases = [\"/old/\"]", "See [b](@/bravo), [g](@/gamma#x), [z](@/zulu), [c](/categories/devices), [t](#nope)."),
            article(&config, "bravo", "draft = true\naliases = [\"/old/\", \"/alpha/\"]", ""),
            article(&config, "gamma", "", ""),
        ];
        let (library, problems) = checked(&config, articles);
        let mut problems = problems;
        crate::diagnostics::sort(&mut problems);
        assert_eq!(
            messages(&problems),
            [
                "content/alpha.md:7: related article \"bravo\" is a draft",
                "content/alpha.md:11: link to a draft article: @/bravo",
                "content/alpha.md:11: link to @/gamma#x: that article has no heading with this anchor",
                "content/alpha.md:11: link to an article that does not exist: @/zulu",
                "content/alpha.md:11: link to a page that does not exist: /categories/devices",
                "content/alpha.md:11: link to #nope: no heading on this page has that anchor",
                "content/bravo.md:8: alias /old/ is also claimed by content/alpha.md",
                "content/bravo.md:8: alias /alpha/ is the address of an existing page",
            ]
        );
        assert_eq!(
            problems[4].hint.as_deref(),
            Some("add the trailing slash: /categories/devices/")
        );
        assert_eq!(library.articles.len(), 2, "the draft is not published");
        assert_eq!(
            library.redirects,
            [("/old/".to_owned(), "/alpha/".to_owned())]
        );
    }

    #[test]
    fn duplicate_slugs_and_unknown_related() {
        let config = SiteConfig::for_tests();
        let mut second = article(&config, "alpha", "", "");
        second.path = PathBuf::from("content/other/alpha.md");
        let articles = vec![
            article(&config, "alpha", "related = [\"alhpa-two\"]", ""),
            second,
            article(&config, "alpha-two", "", ""),
        ];
        let (library, problems) = checked(&config, articles);
        assert_eq!(
            messages(&problems),
            [
                "content/other/alpha.md:0: slug `alpha` is already used by content/alpha.md",
                "content/alpha.md:7: related article \"alhpa-two\" does not exist"
            ]
        );
        assert_eq!(
            problems[1].hint.as_deref(),
            Some("did you mean \"alpha-two\"?")
        );
        assert_eq!(library.articles.len(), 2);
        assert_eq!(library.index_of("alpha-two"), Some(1));
    }
}
