//! Incremental rebuilds for `serve`: the parsed site stays in memory between edits, an edit
//! re-reads and re-parses only the files whose size or modification time changed, re-renders
//! only the pages whose inputs changed (see [`dirty::dirty_jobs`]) and rewrites only files whose
//! bytes changed, in place in `serve`'s private output folder.
//!
//! A change to `site.toml` or the theme starts over from scratch (every article is parsed
//! again); adding or removing an article, or changing what every page shows (the category
//! list), renders every page but still writes only the files that differ. A broken edit writes
//! nothing: the last good site stays in place.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::build::{self, ArticlePage, BuildError, BuildOptions};
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::content::article::{self, ArticleHead};
use crate::content::markdown::{Body, Outline};
use crate::content::source::Sources;
use crate::diagnostics::{self, Diagnostic};
use crate::editions::EditionRef;
use crate::images::Images;
use crate::library::Library;
use crate::output::{self, Staged};
use crate::render::search;
use crate::render::theme::Theme;
use crate::render::{self, PageJob, Renderer, Views};
use crate::serve::derived::{self, Derived};
use crate::serve::dirty::{self, Dirty, Snapshot};

/// Folders besides `content/` whose files change how every page looks (`i18n/`: the site's
/// own strings, see `render::i18n`).
pub(crate) const SETTINGS_DIRS: &[&str] = &["themes", "templates", "static", "i18n"];

/// A file's size and modification time: when neither changed, the file is not read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

pub(crate) fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// One article as the session keeps it: its head, shared with the library, and its body.
#[derive(Clone)]
struct Parsed {
    head: Arc<ArticleHead>,
    body: Arc<Body>,
}

/// One article file as last read.
struct Entry {
    stamp: Option<Stamp>,
    parsed: Option<Parsed>,
    problems: Vec<Diagnostic>,
}

/// The site of the last good update.
struct Site {
    /// Made from the heads of that update; never changed, not even by an edit applied in
    /// place, which changes nothing the library reads (see [`ArticleHead::same_outward`]).
    library: Library,
    /// Each article of [`Library::every_article`], in that order, as it is now: an edit
    /// applied in place replaces its article here.
    articles: Vec<Parsed>,
    /// The search index and bundle as last written; carried into the next update's site
    /// (the full way too), which then makes again only what its changed articles change.
    /// `None` after a failed write: then they are made whole.
    derived: Option<Derived>,
}

impl Site {
    fn outlines(&self) -> Vec<&Outline> {
        self.articles.iter().map(|a| &a.body.outline).collect()
    }
}

/// The published articles among `articles` (those of [`Library::every_article`]), in the
/// library's order.
fn published_articles<'a>(library: &Library, articles: &'a [Parsed]) -> Vec<derived::Article<'a>> {
    articles[..library.articles.len()]
        .iter()
        .map(|a| (&a.head, &a.body))
        .collect()
}

struct Settings {
    config: SiteConfig,
    theme: Theme,
    static_paths: HashSet<String>,
    /// Lives as long as the settings: an image used by an edited article is not processed
    /// again (and the encode cache on disk spares even a new session the work).
    images: Images,
}

/// What the last good update wrote.
struct Written {
    snapshot: Snapshot,
    /// Site paths of every page and every other file.
    pages: BTreeSet<String>,
    files: BTreeSet<String>,
    /// The views the pages were rendered with, for edits that leave them as they are.
    views: Views,
}

/// What one update did, for the terminal.
#[derive(Debug)]
pub struct Update {
    pub articles: usize,
    /// Every page was rendered (first build, settings or the article set changed).
    pub full: bool,
    pub pages_rendered: usize,
    pub pages_written: usize,
    /// From the start of the update until the last changed page was on disk.
    pub pages_elapsed: Duration,
    /// Feeds, bundle, search index and theme files that changed.
    pub files_written: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// The edit was applied in place: only the edited articles were checked, rendered and
    /// indexed again (see `Session::apply_local_edits`).
    pub in_place: bool,
}

impl Update {
    /// One line for the terminal: `Built 25 articles: 61 pages (61 changed) in 48 ms; …` for a
    /// full render, `Rebuilt 7 pages of 25 articles (3 changed) in 9 ms; …` after an edit.
    pub fn summary(&self) -> String {
        let pages = if self.full {
            format!(
                "Built {} articles: {}",
                self.articles,
                plural(self.pages_rendered, "page")
            )
        } else {
            format!(
                "Rebuilt {} of {} articles",
                plural(self.pages_rendered, "page"),
                self.articles
            )
        };
        format!(
            "{pages} ({} changed) in {} ms; feeds, bundle and search index ({} changed) in {} ms more",
            self.pages_written,
            self.pages_elapsed.as_millis(),
            self.files_written,
            (self.elapsed - self.pages_elapsed).as_millis(),
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub struct Session {
    options: BuildOptions,
    out_dir: PathBuf,
    settings: Option<Settings>,
    settings_stamps: BTreeMap<PathBuf, Option<Stamp>>,
    /// Every article file under `content/`, by path relative to the root.
    entries: HashMap<PathBuf, Entry>,
    /// Files read again since the last good update.
    pending: BTreeSet<PathBuf>,
    written: Option<Written>,
    /// The last good update's site: an edit that changes only its own page is applied to it
    /// in place.
    site: Option<Site>,
}

/// Files read again, with what reading them found.
type Reread = Vec<(PathBuf, Entry)>;

impl Session {
    /// A session writing into `options.out_dir()`; nothing is read until [`Session::update`].
    pub fn new(options: BuildOptions) -> Self {
        Self {
            out_dir: options.out_dir(),
            options,
            settings: None,
            settings_stamps: BTreeMap::new(),
            entries: HashMap::new(),
            pending: BTreeSet::new(),
            written: None,
            site: None,
        }
    }

    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Brings the output up to date with the files on disk. On `Err`, nothing was written.
    pub fn update(&mut self) -> Result<Update, BuildError> {
        self.update_changed(None)
    }

    /// [`Session::update`], told which article files changed by a caller that has just
    /// compared every file's stamp (`serve`'s watcher): `Some(paths)` (absolute) means only
    /// those `.md` files under `content/` changed, none was added or removed. That saves a
    /// `stat` of every article, which at 10,000 articles costs more than the rest of an edit.
    /// A path the session does not know makes it list the folder as `update` does.
    pub fn update_changed(&mut self, changed: Option<&[PathBuf]>) -> Result<Update, BuildError> {
        let started = Instant::now();
        let root = self.options.root.clone();

        let settings_stamps = settings_stamps(&root);
        if self.settings.is_none() || settings_stamps != self.settings_stamps {
            self.settings_stamps = settings_stamps;
            self.settings = None;
            self.entries.clear();
            self.written = None;
            self.site = None;
            let (config, theme) = build::load_settings(&self.options)?;
            let static_paths = theme.assets.iter().map(|a| a.path.clone()).collect();
            let images = Images::new(
                &root,
                &config.theme,
                config.images.clone(),
                Some(self.options.image_cache()),
            );
            self.settings = Some(Settings {
                config,
                theme,
                static_paths,
                images,
            });
        }
        let settings = self.settings.as_ref().expect("loaded above");
        if settings.config.is_multilingual() {
            return self.rebuild_whole_site(started);
        }
        let sources = Sources::disk(&root);

        // Re-read what changed, in parallel.
        let known = |path: &PathBuf| {
            path.strip_prefix(&root)
                .is_ok_and(|shown| self.entries.contains_key(shown))
        };
        let (paths, listing_problems, listed_all) = match changed {
            Some(changed) if !self.entries.is_empty() && changed.iter().all(known) => {
                (changed.to_vec(), Vec::new(), false)
            }
            _ => {
                let (paths, problems) = crate::content::source::content_paths(&root);
                (paths, problems, true)
            }
        };
        // (path, path shown, stamp) of every article file (or of those named as changed);
        // thousands of `stat`s, in parallel.
        let listed: Vec<(PathBuf, PathBuf, Option<Stamp>)> = paths
            .into_par_iter()
            .map(|path| {
                let shown = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
                let now = stamp(&path);
                (path, shown, now)
            })
            .collect();
        let mut still_there = 0;
        let mut stale = Vec::new();
        for (path, shown, now) in &listed {
            match self.entries.get(shown) {
                // An article whose image was missing is read again when files were added: the
                // image may be one of them.
                Some(entry) if entry.stamp == *now && !(listed_all && misses_an_image(entry)) => {
                    still_there += 1
                }
                Some(_) => {
                    still_there += 1;
                    stale.push((path.clone(), shown.clone(), *now));
                }
                None => stale.push((path.clone(), shown.clone(), *now)),
            }
        }
        // A removed article changes the set of slugs, which makes the next render a full one.
        let removed = listed_all && still_there != self.entries.len();
        if removed {
            let shown: HashSet<&Path> =
                listed.iter().map(|(_, shown, _)| shown.as_path()).collect();
            self.entries
                .retain(|path, _| shown.contains(path.as_path()));
        }
        let callouts = settings
            .theme
            .strings(&settings.config.language)
            .callout_labels();
        let reread: Vec<(PathBuf, Entry)> = stale
            .into_par_iter()
            .map(|(_, shown, stamp)| {
                let (parsed, problems) = match sources.read(&shown) {
                    Ok(source) => {
                        article::parse(&source, &settings.config, &callouts, &settings.images)
                    }
                    Err(problem) => (None, vec![problem]),
                };
                let parsed = parsed.map(|(head, body)| Parsed {
                    head: Arc::new(head),
                    body: Arc::new(body),
                });
                (
                    shown,
                    Entry {
                        stamp,
                        parsed,
                        problems,
                    },
                )
            })
            .collect();
        let reread = if removed || !listing_problems.is_empty() {
            reread
        } else {
            match self.apply_local_edits(reread, started) {
                Ok(Ok(update)) => return Ok(update),
                Ok(Err((error, edited))) => {
                    // The site already holds the edited articles but their pages failed: the
                    // next update goes the full way and renders them again.
                    self.site = None;
                    self.pending.extend(edited);
                    return Err(error);
                }
                Err(reread) => reread,
            }
        };
        // The full way: every article goes through the library's checks again.
        let previous = self.site.take();
        for (shown, entry) in reread {
            self.pending.insert(shown.clone());
            self.entries.insert(shown, entry);
        }
        let settings = self.settings.as_ref().expect("loaded above");
        let mut diagnostics = listing_problems;
        let mut heads = Vec::with_capacity(self.entries.len());
        for entry in self.entries.values() {
            diagnostics.extend(entry.problems.iter().cloned());
            heads.extend(entry.parsed.as_ref().map(|parsed| parsed.head.clone()));
        }
        let (library, mut problems) = match &previous {
            Some(previous) => Library::after_edit(
                heads,
                &settings.config,
                self.options.include_drafts,
                &settings.static_paths,
                &previous.library,
            ),
            None => Library::new(
                heads,
                &settings.config,
                self.options.include_drafts,
                &settings.static_paths,
            ),
        };
        let articles: Vec<Parsed> = library
            .every_article()
            .map(|head| {
                let entry = &self.entries[&head.path];
                entry
                    .parsed
                    .clone()
                    .expect("the library's heads come from entries")
            })
            .collect();
        let mut site = Site {
            library,
            articles,
            derived: previous.and_then(|site| site.derived),
        };
        problems.extend(site.library.check_links(&site.outlines()));
        sources.locate(&mut problems);
        diagnostics.extend(problems);
        diagnostics::sort(&mut diagnostics);
        if diagnostics::has_errors(&diagnostics) {
            return Err(BuildError::Invalid(diagnostics));
        }
        let written = write(
            &self.out_dir,
            self.options.live_reload,
            settings,
            &mut site,
            self.written.as_ref(),
            &self.pending,
            started,
        );
        let (mut update, written) = written?;
        update.warnings = diagnostics;
        update.elapsed = started.elapsed();
        self.written = Some(written);
        self.site = Some(site);
        self.pending.clear();
        Ok(update)
    }

    /// A site in several languages is built whole on every change, as `build` does: edits are
    /// not applied in place across languages (yet), so an edit costs a build of the site.
    fn rebuild_whole_site(&mut self, started: Instant) -> Result<Update, BuildError> {
        let options = BuildOptions {
            out: Some(self.out_dir.clone()),
            ..self.options.clone()
        };
        let report = build::build(&options)?;
        Ok(Update {
            articles: report.articles,
            full: true,
            pages_rendered: report.pages,
            pages_written: report.pages,
            pages_elapsed: started.elapsed(),
            files_written: report.files.saturating_sub(report.pages),
            elapsed: started.elapsed(),
            warnings: report.warnings,
            in_place: false,
        })
    }

    /// The quick way, for the common edit: files that existed before, still parse without
    /// errors, and changed nothing other pages read of them (see [`ArticleHead::same_outward`]),
    /// with links that still check out. Then only their own pages are rendered, against the
    /// last good library, before anything else is done; the feeds, bundle and search index
    /// follow. Anything else gives `reread` back for the full way.
    fn apply_local_edits(
        &mut self,
        reread: Reread,
        started: Instant,
    ) -> Result<Result<Update, (BuildError, Vec<PathBuf>)>, Reread> {
        let (Some(settings), Some(site), Some(written)) =
            (&self.settings, &mut self.site, &mut self.written)
        else {
            return Err(reread);
        };
        if site.derived.is_none() {
            return Err(reread);
        }
        let mut edits = Vec::with_capacity(reread.len());
        {
            let outlines = site.outlines();
            for (shown, entry) in &reread {
                let known = self.entries.contains_key(shown);
                let parsed = entry
                    .parsed
                    .as_ref()
                    .filter(|_| known && !diagnostics::has_errors(&entry.problems));
                let in_place = parsed.and_then(|new| {
                    site.library.index_of(&new.head.slug).filter(|&i| {
                        let old = &site.articles[i];
                        old.head.same_outward(&new.head)
                            && old.body.outline.anchors == new.body.outline.anchors
                            && site
                                .library
                                .check_links_of(&new.head, &new.body.outline, &outlines)
                                .is_empty()
                    })
                });
                match in_place {
                    Some(i) => edits.push(i),
                    None => return Err(reread),
                }
            }
        }
        let mut edited = Vec::with_capacity(edits.len());
        for (i, (shown, entry)) in edits.iter().copied().zip(reread) {
            site.articles[i] = entry.parsed.clone().expect("checked above");
            edited.push(shown.clone());
            self.entries.insert(shown, entry);
        }
        let library = &site.library;

        // The edits changed no title, tag or category: the last update's views still hold.
        let renderer =
            Renderer::with_views(&settings.config, library, &settings.theme, &written.views);
        let pages: Vec<ArticlePage> = edits
            .iter()
            .map(|&i| (i, &*site.articles[i].head, &*site.articles[i].body))
            .collect();
        let live_reload = self.options.live_reload;
        let pages_written =
            match render_and_write(&self.out_dir, &renderer, &[], &pages, live_reload) {
                Ok((written, _)) => written,
                Err(error) => return Ok(Err((error, edited))),
            };
        let pages_elapsed = started.elapsed();
        let published = &site.articles[..library.articles.len()];
        let changed = site
            .derived
            .as_mut()
            .and_then(|d| {
                d.update(
                    library,
                    &settings.config,
                    &published_articles(library, &site.articles),
                )
            })
            .expect("an edit in place keeps the articles and their order");
        let derived = site.derived.as_ref().expect("updated above");
        let files_written = match write_derived(
            &self.out_dir,
            &mut written.files,
            changed,
            derived,
            &settings.config,
        ) {
            Ok(count) => count,
            Err(error) => {
                site.derived = None;
                return Ok(Err((error, edited)));
            }
        };
        dirty::restamp(
            &mut written.snapshot,
            &renderer,
            &heads_of(published),
            &edits,
        );
        let mut warnings: Vec<Diagnostic> = self
            .entries
            .values()
            .flat_map(|entry| entry.problems.iter().cloned())
            .collect();
        diagnostics::sort(&mut warnings);
        Ok(Ok(Update {
            articles: library.articles.len(),
            full: false,
            pages_rendered: pages.len(),
            pages_written,
            pages_elapsed,
            files_written,
            elapsed: started.elapsed(),
            warnings,
            in_place: true,
        }))
    }
}

/// The heads of `articles`, in their order.
fn heads_of(articles: &[Parsed]) -> Vec<&ArticleHead> {
    articles.iter().map(|a| &*a.head).collect()
}

/// The element that loads `serve`'s live-reload script (served at that path by
/// `crate::serve::http`). Put in each page as it is rendered, with `live_reload`, so the files
/// are served as they are.
pub const RELOAD_TAG: &str = "<script src=\"/__tryfirst/reload.js\" defer></script>";

/// `html` with [`RELOAD_TAG`] before its last `</body>` (a page without one is left as it is).
pub(crate) fn with_reload(html: &str) -> String {
    match html.rfind("</body>") {
        Some(at) => [&html[..at], RELOAD_TAG, &html[at..]].concat(),
        None => html.to_owned(),
    }
}

/// Renders `jobs` and `articles` and writes the pages whose bytes changed: how many did, and
/// every page's site path. A template error writes nothing. With `live_reload`, each page
/// loads the live-reload script.
fn render_and_write(
    out_dir: &Path,
    renderer: &Renderer,
    jobs: &[PageJob],
    articles: &[ArticlePage<'_>],
    live_reload: bool,
) -> Result<(usize, Vec<String>), BuildError> {
    let rendered = render_in_memory(renderer, jobs, articles, live_reload)?;
    write_rendered(out_dir, rendered)
}

/// Every page of `jobs` and `articles`, rendered but not written: a template error must leave
/// the served site untouched. (Site path, HTML.)
fn render_in_memory(
    renderer: &Renderer,
    jobs: &[PageJob],
    articles: &[ArticlePage<'_>],
    live_reload: bool,
) -> Result<Vec<(String, String)>, BuildError> {
    let rendered = std::sync::Mutex::new(Vec::with_capacity(jobs.len() + articles.len()));
    build::render_pages(renderer, jobs, articles, |path, html| {
        let html = match live_reload {
            true => with_reload(html),
            false => html.to_owned(),
        };
        rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((path.to_owned(), html));
        Ok(())
    })?;
    Ok(rendered
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Writes the pages whose bytes changed: how many did, and every page's site path.
fn write_rendered(
    out_dir: &Path,
    rendered: Vec<(String, String)>,
) -> Result<(usize, Vec<String>), BuildError> {
    let pages_written = AtomicUsize::new(0);
    rendered.par_iter().try_for_each(|(path, html)| {
        if output::write_if_changed(out_dir, path, html.as_bytes())? {
            pages_written.fetch_add(1, Ordering::Relaxed);
        }
        Ok::<_, output::OutputError>(())
    })?;
    let paths = rendered.into_iter().map(|(path, _)| path).collect();
    Ok((pages_written.into_inner(), paths))
}

/// Whether the article had an image problem when last read (see [`crate::images`]).
fn misses_an_image(entry: &Entry) -> bool {
    entry
        .problems
        .iter()
        .any(|problem| problem.message.starts_with("image `"))
}

/// The site's files and its images' (read from the encode cache or the image itself).
fn site_files_with_images(
    settings: &Settings,
    files: impl FnOnce() -> Vec<(String, Vec<u8>)>,
) -> Result<Vec<(String, Vec<u8>)>, BuildError> {
    let mut files = files();
    for (site_path, file) in settings.images.files() {
        let bytes = std::fs::read(&file).map_err(|source| output::OutputError {
            action: "cannot read",
            path: file.clone(),
            source,
        })?;
        files.push((site_path, bytes));
    }
    Ok(files)
}

/// Writes what an edit in place changed of the search index and bundle (see [`Derived`]),
/// and removes search files the index no longer has: how many files were written.
fn write_derived(
    out_dir: &Path,
    written: &mut BTreeSet<String>,
    changed: derived::Changed,
    derived: &Derived,
    config: &SiteConfig,
) -> Result<usize, BuildError> {
    let search_dir = search::dir("");
    let now: BTreeSet<String> = changed.search_paths.into_iter().collect();
    let gone: Vec<String> = written
        .iter()
        .filter(|path| {
            path.starts_with(&search_dir) && path.ends_with(".json") && !now.contains(*path)
        })
        .cloned()
        .collect();
    for path in gone {
        output::remove(out_dir, &path)?;
        written.remove(&path);
    }
    written.extend(now);
    let staged = match changed.bundle {
        true => Some(derived.stage_bundle(out_dir, config)?),
        false => None,
    };
    write_changed(out_dir, changed.files, staged)
}

/// Writes the search files whose bytes changed and puts the bundle in place, when it was
/// written again (a record changed): how many files were written.
fn write_changed(
    out_dir: &Path,
    search_files: Vec<(String, Vec<u8>)>,
    bundle: Option<Staged>,
) -> Result<usize, BuildError> {
    let (mut count, _) = write_files(out_dir, search_files)?;
    if let Some(bundle) = bundle {
        bundle.commit()?;
        count += 1;
    }
    Ok(count)
}

/// Writes the files whose bytes changed: how many did, and every file's site path.
fn write_files(
    out_dir: &Path,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(usize, BTreeSet<String>), BuildError> {
    let mut written = 0;
    let mut paths = BTreeSet::new();
    for (path, bytes) in files {
        if output::write_if_changed(out_dir, &path, &bytes)? {
            written += 1;
        }
        paths.insert(path);
    }
    Ok((written, paths))
}

/// Every file outside `content/` that the site's look depends on, with its stamp.
fn settings_stamps(root: &Path) -> BTreeMap<PathBuf, Option<Stamp>> {
    let mut stamps = BTreeMap::new();
    let config = root.join(CONFIG_FILE);
    stamps.insert(config.clone(), stamp(&config));
    for dir in SETTINGS_DIRS {
        let dir = root.join(dir);
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
            {
                let path = entry.into_path();
                let now = stamp(&path);
                stamps.insert(path, now);
            }
        }
    }
    stamps
}

/// Renders what changed since `written` (everything without it) and writes what differs.
fn write(
    out_dir: &Path,
    live_reload: bool,
    settings: &Settings,
    site: &mut Site,
    written: Option<&Written>,
    pending: &BTreeSet<PathBuf>,
    started: Instant,
) -> Result<(Update, Written), BuildError> {
    let library = &site.library;
    let published = &site.articles[..library.articles.len()];
    let renderer = match written {
        Some(written) => {
            Renderer::after_edit(&settings.config, library, &settings.theme, &written.views)
        }
        None => Renderer::new(&settings.config, library, &settings.theme),
    };
    let snapshot = dirty::snapshot(&renderer, &heads_of(published));
    let reparsed: Vec<usize> = library
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| pending.contains(&a.path))
        .map(|(i, _)| i)
        .collect();
    let dirty = written.and_then(|w| dirty::dirty_jobs(&w.snapshot, &snapshot, &reparsed));
    let full = dirty.is_none();
    let Dirty {
        pages: jobs,
        articles,
    } = dirty.unwrap_or_else(|| Dirty {
        pages: render::jobs(library),
        articles: (0..published.len()).collect(),
    });
    let article_pages: Vec<ArticlePage> = articles
        .iter()
        .map(|&i| (i, &*published[i].head, &*published[i].body))
        .collect();

    // The pages render while the rest is made: the search index and bundle brought up to
    // date, the bundle written beside its place (tens of MB, streamed), the feeds and sitemap.
    // Two cores: at 10,000 articles the longest page (the categories index) keeps one busy for
    // ~30 ms. Nothing is put in place before every page rendered.
    let articles = published_articles(library, &site.articles);
    let derived = &mut site.derived;
    let (rendered, made) = rayon::join(
        || render_in_memory(&renderer, &jobs, &article_pages, live_reload),
        || {
            let changed = match derived
                .as_mut()
                .and_then(|d| d.update(library, &settings.config, &articles))
            {
                Some(changed) => changed,
                None => {
                    let (made, changed) = Derived::new(library, &settings.config, &articles);
                    *derived = Some(made);
                    changed
                }
            };
            let bundle = match (changed.bundle, derived.as_ref()) {
                (true, Some(derived)) => Some(derived.stage_bundle(out_dir, &settings.config)?),
                _ => None,
            };
            let site_files = site_files_with_images(settings, || {
                build::site_files(
                    &[EditionRef {
                        config: &settings.config,
                        library,
                    }],
                    &settings.theme,
                    Vec::new,
                )
            })?;
            Ok::<_, BuildError>((changed, bundle, site_files))
        },
    );
    let rendered = rendered?;
    let (changed, bundle, site_files) = made?;
    let (pages_written, paths) = write_rendered(out_dir, rendered)?;
    let mut pages: BTreeSet<String> = match written {
        Some(w) if !full => w.pages.clone(),
        _ => BTreeSet::new(),
    };
    if full {
        // Page paths are known without rendering: the paths of this full render.
        pages.extend(paths);
    }
    let pages_elapsed = started.elapsed();

    let site_paths: Vec<String> = site_files.iter().map(|(path, _)| path.clone()).collect();
    let (written_here, _) = write_files(out_dir, site_files)?;
    let files_written = written_here + write_changed(out_dir, changed.files, bundle)?;
    let mut files: BTreeSet<String> = site_paths.into_iter().collect();
    files.extend(changed.search_paths);
    files.insert(format!("/{}", kb_model::BUNDLE_FILE_NAME));
    // Whatever the previous update wrote and this one did not is gone from the site.
    if let Some(old) = written {
        for path in old.pages.iter().chain(&old.files) {
            if !pages.contains(path) && !files.contains(path) {
                output::remove(out_dir, path)?;
            }
        }
    }
    let update = Update {
        articles: library.articles.len(),
        full,
        pages_rendered: jobs.len() + article_pages.len(),
        pages_written,
        pages_elapsed,
        files_written,
        elapsed: Duration::ZERO,
        warnings: Vec::new(),
        in_place: false,
    };
    Ok((
        update,
        Written {
            snapshot,
            pages,
            files,
            views: renderer.into_views(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the valid fixture site, and a session building it into `<copy>/out`.
    fn site() -> (tempfile::TempDir, Session) {
        let dir = crate::test_support::copy_of_valid_site();
        let session = Session::new(BuildOptions {
            out: Some(dir.path().join("out")),
            ..BuildOptions::new(dir.path())
        });
        (dir, session)
    }

    /// Rewrites a file with a new modification time, as an editor's save does.
    fn edit(dir: &Path, file: &str, change: impl FnOnce(String) -> String) {
        let path = dir.join(file);
        let text = change(std::fs::read_to_string(&path).unwrap());
        std::fs::write(&path, text).unwrap();
        let later = SystemTime::now() + Duration::from_secs(2);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
    }

    fn read(dir: &Path, file: &str) -> String {
        std::fs::read_to_string(dir.join("out").join(file)).unwrap()
    }

    const PRINTER: &str = "content/devices/printer.md";

    #[test]
    fn the_reload_script_goes_before_the_body_end() {
        assert_eq!(
            with_reload("<html><body><p>x</p></body></html>"),
            "<html><body><p>x</p><script src=\"/__tryfirst/reload.js\" defer></script></body></html>"
        );
        assert_eq!(with_reload("no body"), "no body");
    }

    /// Pages rendered for `serve` load the live-reload script; a build's never do.
    #[test]
    fn live_reload_puts_the_script_in_every_page_a_session_writes() {
        let dir = crate::test_support::copy_of_valid_site();
        let mut session = Session::new(BuildOptions {
            out: Some(dir.path().join("out")),
            live_reload: true,
            ..BuildOptions::new(dir.path())
        });
        session.update().unwrap();
        for page in [
            "index.html",
            "printer/index.html",
            "404.html",
            "tags/index.html",
        ] {
            assert!(read(dir.path(), page).contains(RELOAD_TAG), "{page}");
        }
        assert!(!read(dir.path(), "tryfirst-bundle.json").contains("reload.js"));
    }

    /// Every file under `dir`, by path relative to it.
    fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                let path = entry.path().strip_prefix(dir).unwrap().to_path_buf();
                (path, std::fs::read(entry.path()).unwrap())
            })
            .collect()
    }

    /// `build` renders each body straight into its page and streams the bundle, `serve` keeps
    /// every parsed article: two ways through the pipeline that must give the same site.
    #[test]
    fn a_session_writes_the_same_site_as_a_build() {
        let (dir, mut session) = site();
        session.update().unwrap();
        assert_same_site_as_a_build(dir.path());
    }

    /// The session's output under `<dir>/out` is what a build of `dir` writes, file for file.
    fn assert_same_site_as_a_build(dir: &Path) {
        let built = dir.join("built");
        let _ = std::fs::remove_dir_all(&built);
        build::build(&BuildOptions {
            out: Some(built.clone()),
            ..BuildOptions::new(dir)
        })
        .unwrap();
        let (mut built, served) = (files_under(&built), files_under(&dir.join("out")));
        // Not written by serve: its question form builds the index from the bundle at each
        // reload instead (the bundle's fingerprint keeps it from loading a stale one).
        assert!(built.remove(Path::new(kb_model::INDEX_FILE_NAME)).is_some());
        assert!(built.len() > 20, "{:?}", built.keys());
        assert_eq!(
            built.keys().collect::<Vec<_>>(),
            served.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &built {
            assert!(served[path] == *bytes, "{} differs", path.display());
        }
    }

    /// The search index and the bundle are kept between updates and only the edited
    /// articles' parts made again (`derived`): after edits of every kind, in place and the
    /// full way, the site is still byte for byte what a build writes.
    #[test]
    fn after_edits_the_session_still_writes_what_a_build_writes() {
        let (dir, mut session) = site();
        session.update().unwrap();
        let edits: [(&str, &str, bool); 5] = [
            ("asleep or on", "asleep (zzzquiet) or on", true),
            ("Clear the print queue.", "Clear the queue.", true),
            (
                "the printer shows offline",
                "the Printer shows offline",
                false,
            ),
            (
                "tags = [\"printing\"]",
                "tags = [\"printing\", \"hardware\"]",
                false,
            ),
            ("(zzzquiet) ", "", true),
        ];
        for (from, to, in_place) in edits {
            edit(dir.path(), PRINTER, |t| t.replace(from, to));
            let update = session.update().unwrap();
            assert_eq!(update.in_place, in_place, "{from} → {to}");
            assert_same_site_as_a_build(dir.path());
        }
        // An edit applied in place re-stamps only its own page: the same as stamping all.
        let (site, written) = (
            session.site.as_ref().unwrap(),
            session.written.as_ref().unwrap(),
        );
        let settings = session.settings.as_ref().unwrap();
        let renderer = Renderer::with_views(
            &settings.config,
            &site.library,
            &settings.theme,
            &written.views,
        );
        let published = &site.articles[..site.library.articles.len()];
        assert!(written.snapshot == dirty::snapshot(&renderer, &heads_of(published)));
    }

    #[test]
    fn a_body_edit_is_applied_in_place_with_its_index_and_bundle() {
        let (dir, mut session) = site();
        let first = session.update().unwrap();
        assert!(first.full && !first.in_place);

        edit(dir.path(), PRINTER, |t| {
            t.replace("asleep or on", "asleep (zzzquiet) or on")
        });
        let update = session.update().unwrap();
        assert!(update.in_place, "{update:?}");
        assert_eq!((update.pages_rendered, update.pages_written), (1, 1));
        assert!(read(dir.path(), "printer/index.html").contains("zzzquiet"));
        assert!(read(dir.path(), "tryfirst-bundle.json").contains("zzzquiet"));
        assert!(read(dir.path(), "search/words.json").contains("\"zzzquiet\""));

        // Saving again without a change rewrites nothing.
        edit(dir.path(), PRINTER, |t| t);
        let update = session.update().unwrap();
        assert!(update.in_place);
        assert_eq!((update.pages_written, update.files_written), (0, 0));
    }

    #[test]
    fn a_broken_link_in_an_edit_is_reported_as_by_a_full_check_and_nothing_is_written() {
        let (dir, mut session) = site();
        session.update().unwrap();
        let before = read(dir.path(), "printer/index.html");

        edit(dir.path(), PRINTER, |t| {
            t.replace("Clear the print queue.", "Clear the [queue](@/lost-phon).")
        });
        let Err(BuildError::Invalid(problems)) = session.update() else {
            panic!("a link to a missing article must fail the update");
        };
        let text = problems[0].to_human();
        assert!(text.contains("does not exist: @/lost-phon"), "{text}");
        assert!(text.contains("did you mean @/lost-phone?"), "{text}");
        assert_eq!(read(dir.path(), "printer/index.html"), before);

        // Fixed: the next update goes the full way (the failed one left no library) and works.
        edit(dir.path(), PRINTER, |t| {
            t.replace("@/lost-phon)", "@/lost-phone)")
        });
        let update = session.update().unwrap();
        assert!(!update.in_place);
        assert!(read(dir.path(), "printer/index.html").contains("href=\"/lost-phone/\""));
        // And from there edits are applied in place again.
        edit(dir.path(), PRINTER, |t| {
            t.replace("the [queue]", "the print [queue]")
        });
        assert!(session.update().unwrap().in_place);
    }

    /// A missing image is an error until the image is added; adding it is enough (the
    /// article need not be saved again).
    #[test]
    fn adding_a_missing_image_recovers_without_saving_the_article() {
        let (dir, mut session) = site();
        session.update().unwrap();
        edit(dir.path(), "content/devices/printer.md", |text| {
            text.replace("(printer-panel.png)", "(panel-two.png)")
        });
        let Err(BuildError::Invalid(problems)) = session.update() else {
            panic!("the missing image is an error");
        };
        assert!(problems[0]
            .message
            .starts_with("image `panel-two.png` not found"));
        std::fs::copy(
            dir.path().join("content/devices/printer-panel.png"),
            dir.path().join("content/devices/panel-two.png"),
        )
        .unwrap();
        session.update().expect("the image is there now");
        // The same bytes as printer-panel.png: published once, under the first name seen.
        assert!(read(dir.path(), "printer/index.html").contains("width=\"1200\" height=\"360\""));
    }

    #[test]
    fn an_edit_with_an_error_fails_the_update_and_the_fix_recovers() {
        let (dir, mut session) = site();
        session.update().unwrap();
        edit(dir.path(), PRINTER, |t| {
            t.replace("risk = \"low\"", "risk = \"lo\"")
        });
        let Err(BuildError::Invalid(problems)) = session.update() else {
            panic!("an invalid risk must fail the update");
        };
        assert!(problems[0].to_human().contains("`lo`"), "{problems:?}");
        edit(dir.path(), PRINTER, |t| {
            t.replace("risk = \"lo\"", "risk = \"low\"")
        });
        session.update().unwrap();
    }

    #[test]
    fn a_page_that_fails_to_render_after_an_in_place_edit_is_rendered_again_when_fixed() {
        let (dir, mut session) = site();
        // A site template that fails only for long articles.
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/article.html"),
            "{{ article.title }}{% if article.word_count > 60 %}{{ no_such_value }}{% endif %}",
        )
        .unwrap();
        session.update().unwrap();
        let long = " More words here.".repeat(20);
        edit(dir.path(), PRINTER, |t| {
            t.replace("another network.", &format!("another network.{long}"))
        });
        let Err(BuildError::Invalid(problems)) = session.update() else {
            panic!("the template error must fail the update");
        };
        assert!(
            problems[0].to_human().contains("no_such_value"),
            "{problems:?}"
        );

        // Nothing else changes, but the page is still out of date: it is rendered (and fails)
        // again rather than the failure being forgotten.
        assert!(session.update().is_err());
        edit(dir.path(), PRINTER, |t| t.replace(&long, " Short again."));
        let update = session.update().unwrap();
        assert!(!update.in_place, "after a failure the full way runs");
        assert_eq!(
            read(dir.path(), "printer/index.html"),
            "What if the printer shows offline?"
        );
    }

    #[test]
    fn a_changed_site_catalogue_renders_every_page_again() {
        let (dir, mut session) = site();
        session.update().unwrap();
        assert!(read(dir.path(), "index.html").contains(">Recently updated</h2>"));
        std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
        std::fs::write(
            dir.path().join("i18n/en.toml"),
            "\"home.recent_heading\" = \"Fresh\"\n",
        )
        .unwrap();
        session.update().unwrap();
        assert!(read(dir.path(), "index.html").contains(">Fresh</h2>"));
    }

    #[test]
    fn told_which_article_changed_the_session_reads_just_that_one() {
        let (dir, mut session) = site();
        session.update().unwrap();
        let printer = dir.path().join(PRINTER);
        edit(dir.path(), PRINTER, |t| {
            t.replace("asleep or on", "dozing or on")
        });
        let update = session.update_changed(Some(&[printer])).unwrap();
        assert!(update.in_place);
        assert!(read(dir.path(), "printer/index.html").contains("dozing or on"));

        // A path it does not know (a new file) makes it list the folder itself.
        let new = dir.path().join("content/devices/scanner-jam.md");
        let text = std::fs::read_to_string(dir.path().join(PRINTER)).unwrap();
        std::fs::write(&new, text.replace("printer shows offline", "scanner jams")).unwrap();
        let update = session.update_changed(Some(&[new])).unwrap();
        assert!(update.full, "a new article renders every page");
        assert!(read(dir.path(), "scanner-jam/index.html").contains("scanner jams"));
    }

    #[test]
    fn a_tag_count_a_theme_prints_on_article_pages_follows_another_articles_edit() {
        let (dir, mut session) = site();
        // The default theme shows no count on article pages; a site's own template may.
        let article = include_str!("../../../themes/default/templates/article.html");
        let counted = article.replace("{{ t.name }}</a>", "{{ t.name }} ({{ t.count }})</a>");
        assert_ne!(counted, article, "the template's tag link has changed");
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/article.html"), counted).unwrap();
        session.update().unwrap();
        let key = "hardware-key/index.html";
        assert!(read(dir.path(), key).contains("mfa (2)</a>"));

        // Another article leaves the key's tag: the key's page is not edited, but shows the
        // new count.
        edit(dir.path(), "content/accounts/lost-phone.md", |t| {
            t.replace("tags = [\"mfa\", \"mobile\"]", "tags = [\"mobile\"]")
        });
        session.update().unwrap();
        assert!(read(dir.path(), key).contains("mfa (1)</a>"));
    }

    #[test]
    fn edits_other_pages_can_see_go_the_full_way() {
        let (dir, mut session) = site();
        session.update().unwrap();
        // A new title shows in lists; a new heading is a new link target for other articles.
        for change in [
            ("the printer shows offline", "the printer says offline"),
            (
                "## When to bring us in",
                "### Still offline?\n\nTry once more.\n\n## When to bring us in",
            ),
        ] {
            edit(dir.path(), PRINTER, |t| t.replace(change.0, change.1));
            let update = session.update().unwrap();
            assert!(!update.in_place, "{change:?}");
        }
        assert!(
            read(dir.path(), "categories/devices/index.html").contains("the printer says offline")
        );
        assert!(read(dir.path(), "printer/index.html").contains("id=\"still-offline\""));
    }
}
