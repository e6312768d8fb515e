//! Incremental rebuilds for `serve`: the parsed site stays in memory between edits, an edit
//! re-reads and re-parses only the files whose size or modification time changed, re-renders
//! only the pages whose inputs changed (see [`render::dirty_jobs`]) and rewrites only files whose
//! bytes changed, in place in `serve`'s private output folder.
//!
//! A change to `site.toml` or the theme starts over from scratch (every article is parsed
//! again); adding or removing an article, or changing what every page shows (the category
//! list), renders every page but still writes only the files that differ. A broken edit writes
//! nothing: the last good site stays in place.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::article::{self, Article};
use crate::build::{self, BuildError, BuildOptions};
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::diagnostics::{self, Diagnostic};
use crate::library::Library;
use crate::output;
use crate::render::{self, Renderer, Snapshot};
use crate::theme::Theme;

/// Folders besides `content/` whose files change how every page looks.
const SETTINGS_DIRS: &[&str] = &["themes", "templates", "static"];

/// A file's size and modification time: when neither changed, the file is not read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// One article file as last read.
struct Entry {
    stamp: Option<Stamp>,
    article: Option<Article>,
    problems: Vec<Diagnostic>,
}

struct Settings {
    config: SiteConfig,
    theme: Theme,
    static_paths: HashSet<String>,
}

/// What the last good update wrote.
struct Written {
    snapshot: Snapshot,
    /// Site paths of every page and every other file.
    pages: BTreeSet<String>,
    files: BTreeSet<String>,
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
    entries: BTreeMap<PathBuf, Entry>,
    /// Files read again since the last good update.
    pending: BTreeSet<PathBuf>,
    written: Option<Written>,
}

impl Session {
    /// A session writing into `options.out_dir()`; nothing is read until [`Session::update`].
    pub fn new(options: BuildOptions) -> Self {
        Self {
            out_dir: options.out_dir(),
            options,
            settings: None,
            settings_stamps: BTreeMap::new(),
            entries: BTreeMap::new(),
            pending: BTreeSet::new(),
            written: None,
        }
    }

    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Brings the output up to date with the files on disk. On `Err`, nothing was written.
    pub fn update(&mut self) -> Result<Update, BuildError> {
        let started = Instant::now();
        let root = self.options.root.clone();

        let settings_stamps = settings_stamps(&root);
        if self.settings.is_none() || settings_stamps != self.settings_stamps {
            self.settings_stamps = settings_stamps;
            self.settings = None;
            self.entries.clear();
            self.written = None;
            let (config, theme) = build::load_settings(&self.options)?;
            let static_paths = theme.assets.iter().map(|a| a.path.clone()).collect();
            self.settings = Some(Settings {
                config,
                theme,
                static_paths,
            });
        }
        let settings = self.settings.as_ref().expect("loaded above");

        // Re-read what changed, in parallel.
        let (paths, listing_problems) = build::content_paths(&root);
        let listed: BTreeSet<PathBuf> = paths
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).to_path_buf())
            .collect();
        // A removed article changes the set of slugs, which makes the next render a full one.
        self.entries.retain(|path, _| listed.contains(path));
        let stale: Vec<(PathBuf, PathBuf, Option<Stamp>)> = paths
            .into_iter()
            .filter_map(|path| {
                let shown = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
                let now = stamp(&path);
                match self.entries.get(&shown) {
                    Some(entry) if entry.stamp == now => None,
                    _ => Some((path, shown, now)),
                }
            })
            .collect();
        let reread: Vec<(PathBuf, Entry)> = stale
            .into_par_iter()
            .map(|(path, shown, stamp)| {
                let (article, problems) = match build::read_source(&root, &path) {
                    Ok(source) => article::parse(source, &settings.config),
                    Err(problem) => (None, vec![problem]),
                };
                (
                    shown,
                    Entry {
                        stamp,
                        article,
                        problems,
                    },
                )
            })
            .collect();
        for (shown, entry) in reread {
            self.pending.insert(shown.clone());
            self.entries.insert(shown, entry);
        }
        let mut diagnostics = listing_problems;
        let mut articles = Vec::with_capacity(self.entries.len());
        for entry in self.entries.values_mut() {
            diagnostics.extend(entry.problems.iter().cloned());
            articles.extend(entry.article.take());
        }
        let (library, problems) = Library::new(
            articles,
            &settings.config,
            self.options.include_drafts,
            &settings.static_paths,
        );
        diagnostics.extend(problems);
        diagnostics::sort(&mut diagnostics);
        let result = if diagnostics::has_errors(&diagnostics) {
            Err(BuildError::Invalid(diagnostics))
        } else {
            write(
                &self.out_dir,
                settings,
                &library,
                self.written.as_ref(),
                &self.pending,
                started,
            )
            .map(|(update, written)| (update, written, diagnostics))
        };
        for article in library.into_articles() {
            if let Some(entry) = self.entries.get_mut(&article.source.path) {
                entry.article = Some(article);
            }
        }
        let (mut update, written, warnings) = result?;
        update.warnings = warnings;
        update.elapsed = started.elapsed();
        self.written = Some(written);
        self.pending.clear();
        Ok(update)
    }
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
    settings: &Settings,
    library: &Library,
    written: Option<&Written>,
    pending: &BTreeSet<PathBuf>,
    started: Instant,
) -> Result<(Update, Written), BuildError> {
    let renderer = Renderer::new(&settings.config, library, &settings.theme);
    let snapshot = renderer.snapshot();
    let reparsed: Vec<usize> = library
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| pending.contains(&a.source.path))
        .map(|(i, _)| i)
        .collect();
    let all = render::jobs(library);
    let dirty = written.and_then(|w| render::dirty_jobs(&w.snapshot, &snapshot, &reparsed));
    let full = dirty.is_none();
    let jobs = dirty.unwrap_or_else(|| all.clone());

    // Render every page first: a template error must leave the served site untouched.
    let rendered = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    build::render_pages(&renderer, &jobs, |path, html| {
        rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((path.to_owned(), html.to_owned()));
        Ok(())
    })?;
    let rendered = rendered
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let pages_written = AtomicUsize::new(0);
    rendered.par_iter().try_for_each(|(path, html)| {
        if output::write_if_changed(out_dir, path, html.as_bytes())? {
            pages_written.fetch_add(1, Ordering::Relaxed);
        }
        Ok::<_, output::OutputError>(())
    })?;
    let mut pages: BTreeSet<String> = match written {
        Some(w) if !full => w.pages.clone(),
        _ => BTreeSet::new(),
    };
    if full {
        // Page paths are known without rendering: the paths of this full render.
        pages.extend(rendered.iter().map(|(path, _)| path.clone()));
    }
    let pages_elapsed = started.elapsed();

    let mut files_written = 0;
    let mut files = BTreeSet::new();
    for (path, bytes) in build::site_files(library, &settings.config, &settings.theme, true) {
        if output::write_if_changed(out_dir, &path, &bytes)? {
            files_written += 1;
        }
        files.insert(path);
    }
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
        pages_rendered: jobs.len(),
        pages_written: pages_written.into_inner(),
        pages_elapsed,
        files_written,
        elapsed: Duration::ZERO,
        warnings: Vec::new(),
    };
    Ok((
        update,
        Written {
            snapshot,
            pages,
            files,
        },
    ))
}
