//! The search index and the question function's bundle as `serve` keeps them between updates:
//! each published article's search entry and bundle record, made again only for the articles
//! an update changed. At 10,000 articles, merging every entry into a new index and serialising
//! every record took most of an edit's time (0.3–0.6 s); now an edit serialises its own
//! record, the search files holding its terms, and writes the bundle from the kept records.

use std::path::Path;
use std::sync::Arc;

use kb_model::{ArticleJson, BundleWriter};
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::content::markdown::Body;
use crate::library::Library;
use crate::output::{self, OutputError, Staged};
use crate::render::feeds;
use crate::render::search::{self, live::LiveIndex, live::Stale};

/// One published article as the session holds it.
pub(super) type Article<'a> = (&'a Arc<ArticleHead>, &'a Arc<Body>);

pub(super) struct Derived {
    search: LiveIndex,
    /// Each published article's bundle record, in the library's order.
    records: Vec<ArticleJson>,
    /// The heads and bodies the entries and records were made from, to tell what changed.
    made_from: Vec<(Arc<ArticleHead>, Arc<Body>)>,
    /// Each article's See also: the only thing a record takes from other articles. (Indexes
    /// into the same articles in the same order, so comparable across updates.)
    see_also: Vec<Vec<usize>>,
}

/// The files an update changed: the search index's that did, and the bundle when a record
/// did.
pub(super) struct Changed {
    /// Search files (some may be as they were: written only if their bytes differ).
    pub files: Vec<(String, Vec<u8>)>,
    /// Whether a record changed, so that the bundle must be written again (see
    /// [`Derived::stage_bundle`]).
    pub bundle: bool,
    /// Every search file's site path, now.
    pub search_paths: Vec<String>,
}

impl Derived {
    /// Entries and records for every published article of `library` (`articles`, in its
    /// order), and every file made from them.
    pub(super) fn new(
        library: &Library,
        config: &SiteConfig,
        articles: &[Article],
    ) -> (Self, Changed) {
        let entries: Vec<search::Entry> = articles
            .par_iter()
            .map(|(head, body)| search::entry(head, body, config))
            .collect();
        let records = articles
            .par_iter()
            .enumerate()
            .map(|(i, (head, body))| record(library, config, i, head, body))
            .collect();
        let derived = Self {
            search: LiveIndex::new(entries, ""),
            records,
            made_from: made_from(articles),
            see_also: library.see_also.clone(),
        };
        let changed = Changed {
            files: derived.search.files(library, config),
            bundle: true,
            search_paths: derived.search.paths(),
        };
        (derived, changed)
    }

    /// Brings the entries and records up to date with `articles` — the same articles, with
    /// the same slugs in the same order, some of them edited (`None` when that is not so:
    /// then [`Derived::new`] is the way). Only what the edited articles change is made again.
    pub(super) fn update(
        &mut self,
        library: &Library,
        config: &SiteConfig,
        articles: &[Article],
    ) -> Option<Changed> {
        let same_articles = articles.len() == self.made_from.len()
            && articles
                .iter()
                .zip(&self.made_from)
                .all(|((head, _), (old, _))| head.slug == old.slug);
        if !same_articles {
            return None;
        }
        let see_also = &library.see_also;
        let mut stale = Stale::default();
        let mut bundle_changed = false;
        for (i, (head, body)) in articles.iter().enumerate() {
            let (old_head, old_body) = &self.made_from[i];
            let edited = !Arc::ptr_eq(head, old_head) || !Arc::ptr_eq(body, old_body);
            if edited {
                self.search
                    .replace(i, search::entry(head, body, config), &mut stale);
                self.made_from[i] = ((*head).clone(), (*body).clone());
            }
            if edited || see_also[i] != self.see_also[i] {
                let new = record(library, config, i, head, body);
                if new != self.records[i] {
                    self.records[i] = new;
                    bundle_changed = true;
                }
            }
        }
        self.see_also.clone_from(see_also);
        Some(Changed {
            files: self.search.stale_files(stale, library, config),
            bundle: bundle_changed,
            search_paths: self.search.paths(),
        })
    }

    /// Writes the bundle from the kept records beside its place in `out_dir`, streamed (at
    /// 10,000 articles it is tens of MB, not compared with the file: a changed record changed
    /// it), to be put in place with [`Staged::commit`].
    pub(super) fn stage_bundle(
        &self,
        out_dir: &Path,
        config: &SiteConfig,
    ) -> Result<Staged, OutputError> {
        let path = format!("/{}", kb_model::BUNDLE_FILE_NAME);
        output::stage(out_dir, &path, |file| {
            // Records are pushed one by one: a buffer makes them a few large writes.
            let out = std::io::BufWriter::with_capacity(1 << 20, file);
            let mut bundle = BundleWriter::new(out, &feeds::bundle_head(config))?;
            for record in &self.records {
                bundle.push(record)?;
            }
            bundle.finish().map(drop)
        })
    }
}

fn record(
    library: &Library,
    config: &SiteConfig,
    i: usize,
    head: &ArticleHead,
    body: &Body,
) -> ArticleJson {
    feeds::bundle_article(library, config, i, head, body).to_json()
}

fn made_from(articles: &[Article]) -> Vec<(Arc<ArticleHead>, Arc<Body>)> {
    articles
        .iter()
        .map(|(head, body)| ((*head).clone(), (*body).clone()))
        .collect()
}
