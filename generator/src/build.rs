//! The build pipeline: load → parse → cross-check → render → write, in that order, each stage a
//! function of the previous stage's output. `check` runs the same pipeline with a sink that
//! discards, so it validates exactly what `build` would.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::article::{self, SourceFile};
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::diagnostics::{self, Diagnostic};
use crate::feeds;
use crate::library::Library;
use crate::output::{OutputError, Sink};
use crate::render::{self, PageJob, Renderer};
use crate::theme::Theme;

pub const CONTENT_DIR: &str = "content";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output folder; `None` means `<root>/public`.
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub include_drafts: bool,
    /// `false` for `check`: render everything, write nothing.
    pub write: bool,
    /// Override `ask_endpoint` from site.toml (`serve` points the form at itself).
    pub ask_endpoint: Option<String>,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            out: None,
            base_url: None,
            include_drafts: false,
            write: true,
            ask_endpoint: None,
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    pub drafts_skipped: usize,
    pub pages: usize,
    pub files: usize,
    /// Warnings only: a report exists only when there were no errors.
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The content has problems; nothing was written. Sorted, warnings included.
    #[error("{} error(s) in the site", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Everything a build knows before rendering, shared with `serve` later.
pub struct Loaded {
    pub config: SiteConfig,
    pub theme: Theme,
    pub articles: Vec<article::Article>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `site.toml`, the theme and every article, and parses them (articles in parallel).
/// The articles' texts are let go once parsed (see [`article::Article::forget_source`]).
pub fn load(options: &BuildOptions) -> Result<Loaded, BuildError> {
    let (config, theme) = load_settings(options)?;
    let (paths, mut diagnostics) = content_paths(&options.root);
    let parsed: Vec<_> = paths
        .into_par_iter()
        .map(|path| match read_source(&options.root, &path) {
            Ok(source) => {
                let (mut article, problems) = article::parse(source, &config);
                if let Some(article) = article.as_mut() {
                    article.forget_source();
                }
                (article, problems)
            }
            Err(problem) => (None, vec![problem]),
        })
        .collect();
    let mut articles = Vec::with_capacity(parsed.len());
    for (article, problems) in parsed {
        diagnostics.extend(problems);
        articles.extend(article);
    }
    Ok(Loaded {
        config,
        theme,
        articles,
        diagnostics,
    })
}

/// `site.toml` (with the options' overrides applied) and the theme.
pub fn load_settings(options: &BuildOptions) -> Result<(SiteConfig, Theme), BuildError> {
    let root = &options.root;
    let config_path = Path::new(CONFIG_FILE);
    let config_text = std::fs::read_to_string(root.join(CONFIG_FILE)).map_err(|error| {
        BuildError::Invalid(vec![Diagnostic::error(
            config_path,
            format!("cannot read {}: {error}", root.join(CONFIG_FILE).display()),
        )
        .with_hint("run tryfirst in the site's folder, or pass --root")])
    })?;
    let mut config = SiteConfig::parse(config_path, &config_text).map_err(BuildError::Invalid)?;
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url.trim_end_matches('/').to_owned();
    }
    if let Some(endpoint) = &options.ask_endpoint {
        config.ask_endpoint = endpoint.clone();
    }
    let theme = Theme::load(root, &config.theme).map_err(BuildError::Invalid)?;
    Ok((config, theme))
}

/// Every `*.md` under `content/`, sorted. Files and folders starting with `.` or `_` are
/// skipped (editor swap files, notes).
pub fn content_paths(root: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return (
            Vec::new(),
            vec![
                Diagnostic::error(Path::new(CONTENT_DIR), "the content folder does not exist")
                    .with_hint("create content/ and put articles in it, or run `tryfirst new`"),
            ],
        );
    }
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0 || !(name.starts_with('.') || name.starts_with('_'))
        });
    for entry in walker {
        match entry {
            Ok(entry)
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|e| e == "md") =>
            {
                paths.push(entry.into_path())
            }
            Ok(_) => {}
            Err(error) => problems.push(Diagnostic::error(
                Path::new(CONTENT_DIR),
                format!("cannot list the content folder: {error}"),
            )),
        }
    }
    (paths, problems)
}

/// One article file, with its path shown relative to the site root.
pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(SourceFile { path: shown, text }),
        Err(error) => Err(
            Diagnostic::error(&shown, format!("cannot read the file: {error}"))
                .with_hint("articles must be UTF-8 text"),
        ),
    }
}

/// Builds the site (or, with `write: false`, checks it).
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let Loaded {
        config,
        theme,
        articles,
        mut diagnostics,
    } = load(options)?;
    let total = articles.len();
    let static_paths: HashSet<String> = theme.assets.iter().map(|a| a.path.clone()).collect();
    let (library, mut problems) =
        Library::new(articles, &config, options.include_drafts, &static_paths);
    locate(&mut problems, &options.root);
    diagnostics.extend(problems);
    diagnostics::sort(&mut diagnostics);
    if diagnostics::has_errors(&diagnostics) {
        return Err(BuildError::Invalid(diagnostics));
    }

    let out_dir = options.out_dir();
    let sink = if options.write {
        Sink::staging(&out_dir)?
    } else {
        Sink::discard()
    };
    let renderer = Renderer::new(&config, &library, &theme);
    let jobs = render::jobs(&library);
    // The pages and the other files (feeds, bundle, search index) need only the library: made
    // side by side, so neither waits for the other's slowest, least parallel part.
    let (rendered, files) = rayon::join(
        || {
            render_pages(&renderer, &jobs, |path, html| {
                sink.write(path, html.as_bytes())
            })
        },
        // Only a written site needs a search index; `check` has nothing to validate in it.
        || site_files(&library, &config, &theme, options.write),
    );
    rendered?;
    let pages = jobs.len();
    for (path, bytes) in files {
        sink.write(&path, &bytes)?;
    }
    let files = sink.files_written();
    sink.commit()?;
    Ok(BuildReport {
        articles: library.articles.len(),
        drafts_skipped: total - library.articles.len(),
        pages,
        files,
        warnings: diagnostics,
        elapsed: started.elapsed(),
        out_dir: options.write.then_some(out_dir),
    })
}

/// Gives the diagnostics made after the articles' texts were let go their line, column and
/// source line, reading those files again (only files with a problem: rare, and such a build
/// writes nothing). A file that cannot be read keeps its diagnostic unlocated.
fn locate(diagnostics: &mut [Diagnostic], root: &Path) {
    for diagnostic in diagnostics.iter_mut() {
        let Some(offset) = diagnostic.offset else {
            continue;
        };
        if let Ok(text) = std::fs::read_to_string(root.join(&diagnostic.file)) {
            let index = crate::text::LineIndex::new(&text);
            *diagnostic = diagnostic.clone().at(&text, &index, offset as usize);
        }
    }
}

/// Renders `jobs` in parallel, handing each page to `write` as soon as it is rendered (pages are
/// streamed, never all held at once). Template errors are collected, one per distinct problem.
pub fn render_pages(
    renderer: &Renderer,
    jobs: &[PageJob],
    write: impl Fn(&str, &str) -> Result<(), OutputError> + Sync,
) -> Result<(), BuildError> {
    let results: Vec<Result<(), RenderFailure>> = jobs
        .par_iter()
        .map(|&job| {
            let (path, html) = renderer.render(job).map_err(RenderFailure::Template)?;
            write(&path, &html).map_err(RenderFailure::Output)
        })
        .collect();
    let mut template_problems = Vec::new();
    for result in results {
        match result {
            Ok(()) => {}
            Err(RenderFailure::Template(diagnostic)) => template_problems.push(diagnostic),
            Err(RenderFailure::Output(error)) => return Err(error.into()),
        }
    }
    if !template_problems.is_empty() {
        diagnostics::sort(&mut template_problems);
        // Many pages share one template: one report per distinct problem is enough.
        template_problems
            .dedup_by(|a, b| a.file == b.file && strip_page(&a.message) == strip_page(&b.message));
        return Err(BuildError::Invalid(template_problems));
    }
    Ok(())
}

/// Every file of the site that is not a page: theme assets, feeds, the bundle for the question
/// function and (with `search`) the search index.
pub fn site_files(
    library: &Library,
    config: &SiteConfig,
    theme: &Theme,
    search: bool,
) -> Vec<(String, Vec<u8>)> {
    site_files_with(library, config, theme, || {
        if search {
            crate::search::build(library, config)
        } else {
            Vec::new()
        }
    })
}

/// [`site_files`] with the search index's files made by `search_files` (`serve` makes them
/// from the entries it keeps per article), alongside the others.
pub fn site_files_with(
    library: &Library,
    config: &SiteConfig,
    theme: &Theme,
    search_files: impl FnOnce() -> Vec<(String, Vec<u8>)> + Send,
) -> Vec<(String, Vec<u8>)> {
    let (mut files, search) =
        rayon::join(|| files_but_search(library, config, theme), search_files);
    files.extend(search);
    files
}

/// [`site_files`] without the search index.
fn files_but_search(
    library: &Library,
    config: &SiteConfig,
    theme: &Theme,
) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = theme
        .assets
        .iter()
        .map(|asset| (asset.path.clone(), asset.bytes.clone()))
        .collect();
    files.extend([
        (
            crate::urls::SITEMAP.to_owned(),
            feeds::sitemap(library, config).into_bytes(),
        ),
        (
            crate::urls::FEED.to_owned(),
            feeds::atom(library, config).into_bytes(),
        ),
        ("/robots.txt".to_owned(), feeds::robots(config).into_bytes()),
        (
            crate::urls::REDIRECTS_MAP.to_owned(),
            feeds::redirects_map(library).into_bytes(),
        ),
        (
            format!("/{}", kb_model::BUNDLE_FILE_NAME),
            feeds::bundle_json(library, config),
        ),
    ]);
    files
}

enum RenderFailure {
    Template(Diagnostic),
    Output(OutputError),
}

fn strip_page(message: &str) -> &str {
    message.split_once(": ").map_or(message, |(_, rest)| rest)
}
