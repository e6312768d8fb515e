//! Which pages an edit can have changed. `serve` keeps a [`Snapshot`] of what the last
//! update's pages were rendered from, reduced to hashes and index lists; comparing it with the
//! next update's ([`dirty_jobs`]) tells which pages to render again.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::content::article::ArticleHead;
use crate::render::{PageJob, Renderer};

/// [`snapshot`] after edits applied in place: only the pages of `edited` (indexes into
/// `heads`) changed, since such an edit changes nothing another page shows. Spares hashing
/// every article's views again (tens of milliseconds at 10,000 articles).
pub fn restamp(
    snapshot: &mut Snapshot,
    renderer: &Renderer,
    heads: &[&ArticleHead],
    edited: &[usize],
) {
    let views = ViewHashes::of(renderer);
    for &i in edited {
        snapshot.articles[i] = article_stamp(renderer, &views, i, heads[i]);
    }
}

/// A hash of each category's and tag's view, made once for the thousands of article pages
/// that show one, and which of them each article's page shows: found from the library's lists
/// in one pass, not by looking each article's category and tags up by name.
struct ViewHashes {
    categories: Vec<u64>,
    tags: Vec<u64>,
    /// By article: the hashes of its category's view, then of its tags' (in slug order).
    shown: Vec<Vec<u64>>,
}

impl ViewHashes {
    fn of(renderer: &Renderer) -> Self {
        let categories: Vec<u64> = renderer.views.categories.iter().map(hash_of).collect();
        let tags: Vec<u64> = renderer.views.tags.iter().map(hash_of).collect();
        let library = renderer.library;
        let mut shown = vec![Vec::new(); library.articles.len()];
        let lists = library
            .categories
            .iter()
            .map(|c| &c.articles)
            .zip(&categories)
            .chain(library.tags.iter().map(|t| &t.articles).zip(&tags));
        for (members, &view) in lists {
            for &i in members {
                shown[i].push(view);
            }
        }
        Self {
            categories,
            tags,
            shown,
        }
    }
}

fn article_stamp(
    renderer: &Renderer,
    views: &ViewHashes,
    i: usize,
    article: &ArticleHead,
) -> ArticleStamp {
    let summary = renderer.views.summary_hashes[i];
    ArticleStamp {
        summary,
        page: hash_of(&(summary, &article.content_hash, &views.shown[i])),
        see_also: renderer.library.see_also[i].clone(),
    }
}

/// What every page `renderer` renders is rendered from, reduced to hashes (see [`Snapshot`]).
/// `heads` are the articles' current heads, in the library's order (those of edits applied in
/// place included).
pub fn snapshot(renderer: &Renderer, heads: &[&ArticleHead]) -> Snapshot {
    let common = renderer.views.common;
    let views = ViewHashes::of(renderer);
    let articles = heads
        .iter()
        .enumerate()
        .map(|(i, article)| article_stamp(renderer, &views, i, article))
        .collect();
    let list = |view: u64, members: &[usize]| ListStamp {
        view,
        members: members.to_vec(),
    };
    Snapshot {
        common,
        slugs: renderer
            .views
            .summaries
            .iter()
            .map(|s| s.slug.clone())
            .collect(),
        articles,
        categories: renderer
            .library
            .categories
            .iter()
            .zip(&views.categories)
            .map(|(index, &view)| list(view, &index.articles))
            .collect(),
        tags: renderer
            .library
            .tags
            .iter()
            .zip(&views.tags)
            .map(|(index, &view)| list(view, &index.articles))
            .collect(),
        recent: renderer.library.recent.clone(),
        redirects: renderer.library.redirects.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
