//! The build pipeline: load → parse → cross-check → render → write, in that order, each stage a
//! function of the previous stage's output. `check` runs the same pipeline with a sink that
//! discards, so it validates exactly what `build` would.
//!
//! Articles go through it in two passes, so that a large site is never held in memory whole:
//! 1. every article's front matter ([`load`]), from which the library is made: lists, tags,
//!    See also, redirects and every check that needs all articles but not their bodies;
//! 2. every article's body, read again and rendered straight into its page, its search entry
//!    and its record in the bundle (`BodyPass`), in the library's order and a chunk at a
//!    time; only the body's links and anchors are kept, for the link checks that follow.
//!
//! Nothing is committed before the link checks pass: the staging folder is dropped instead.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use kb_model::retrieval::IndexBuilder;
use kb_model::{ArticleJson, BundleArticle, BundleWriter};

use crate::config::{Locations, SiteConfig, CONFIG_FILE};
use crate::content::article::{self, ArticleHead};
use crate::content::markdown::{Body, CalloutLabels, Outline};
use crate::content::source::Sources;
use crate::diagnostics::{self, Diagnostic};
use crate::editions::{self, Edition, EditionRef, Versions};
use crate::images::Images;
use crate::library::Library;
use crate::output::{OutputError, Sink, SinkFile};
use crate::render::feeds;
use crate::render::search::{self, Stemmer};
use crate::render::theme::Theme;
use crate::render::{self, PageJob, Renderer};

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
    /// Minify pages, CSS and JavaScript (`build`; not `serve`, not the tests that compare
    /// pages by their text).
    pub minify: bool,
    /// Where encoded images are kept between builds; `None` means
    /// `<root>/.tryfirst-cache/images` (see [`crate::images`]).
    pub cache_dir: Option<PathBuf>,
    /// Put `serve`'s live-reload script in every page (`serve` only: see
    /// [`crate::serve::session::RELOAD_TAG`]).
    pub live_reload: bool,
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
            minify: false,
            cache_dir: None,
            live_reload: false,
        }
    }

    /// The image encode cache (see [`BuildOptions::cache_dir`]).
    pub fn image_cache(&self) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(|| self.root.join(crate::images::CACHE_DIR))
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
    /// Images encoded by this build; the others came from the encode cache.
    pub images_encoded: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The content has problems; nothing was written. Sorted, warnings included.
    #[error("{} error(s) in the site", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Everything a build knows before the articles' bodies: the settings and every article's
/// head.
pub struct Loaded {
    pub config: SiteConfig,
    pub theme: Theme,
    /// Their bodies are parsed later (see [`article::parse_body`]).
    pub articles: Vec<ArticleHead>,
    pub diagnostics: Vec<Diagnostic>,
    /// The site's images, found, checked and (for `build`) encoded as the bodies are read.
    pub images: Images,
}

/// Reads `site.toml`, the theme and every article's head from `sources` (in parallel). The
/// articles' texts are let go once parsed: a build reads each body again when it renders it.
pub fn load(options: &BuildOptions, sources: &Sources) -> Result<Loaded, BuildError> {
    let (config, theme) = load_settings(options)?;
    let images = Images::new(
        &options.root,
        &config.theme,
        config.images.clone(),
        options.write.then(|| options.image_cache()),
    );
    let (paths, mut diagnostics) = sources.list();
    let parsed: Vec<_> = paths
        .into_par_iter()
        .map(|path| match sources.read(&path) {
            Ok(source) => article::parse_head(&source, &config, &images),
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
        images,
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
    // Every language the site is built in needs every string its templates use.
    let languages: Vec<String> = config.languages().into_iter().map(str::to_owned).collect();
    let string_problems = theme.check_strings(&languages);
    if !string_problems.is_empty() {
        return Err(BuildError::Invalid(string_problems));
    }
    if !theme
        .assets
        .iter()
        .any(|asset| asset.path == config.favicon)
    {
        let names = theme.assets.iter().map(|asset| asset.path.as_str());
        let near = diagnostics::did_you_mean(&config.favicon, names);
        return Err(BuildError::Invalid(vec![Diagnostic::error(
            config_path,
            format!("favicon {} is not a file of the site", config.favicon),
        )
        .at(
            &config_text,
            &crate::text::LineIndex::new(&config_text),
            Locations::parse(&config_text).favicon.unwrap_or(0),
        )
        .with_hint(match near {
            Some(near) => format!("did you mean \"{near}\"?"),
            None => "put the icon in static/ (static/icon.svg is \"/icon.svg\")".to_owned(),
        })]));
    }
    Ok((config, theme))
}

/// Builds the site (or, with `write: false`, checks it).
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_from(options, &Sources::disk(&options.root))
}

/// [`build`] with the articles read from `sources`.
pub fn build_from(options: &BuildOptions, sources: &Sources) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let Loaded {
        config,
        theme,
        articles,
        mut diagnostics,
        images,
    } = load(options, sources)?;
    let total = articles.len();
    let static_paths: HashSet<String> = theme.assets.iter().map(|a| a.path.clone()).collect();
    let heads = articles.into_iter().map(Arc::new).collect();
    let (editions, mut problems) =
        editions::editions(heads, &config, options.include_drafts, &static_paths);
    let edition_refs: Vec<EditionRef> = editions.iter().map(Edition::as_ref).collect();
    let versions = Versions::new(&edition_refs);
    sources.locate(&mut problems);
    diagnostics.extend(problems);
    // A site already known to be wrong gets no pages; its bodies are still read, so that one
    // run reports their problems too.
    let render = !diagnostics::has_errors(&diagnostics);

    let out_dir = options.out_dir();
    let sink = if options.write && render {
        Sink::staging(&out_dir)?
    } else {
        Sink::discard()
    };
    let renderers: Vec<Option<Renderer>> = editions
        .iter()
        .map(|edition| {
            render.then(|| {
                Renderer::new(&edition.config, &edition.library, &theme).with_versions(&versions)
            })
        })
        .collect();
    // The list pages and the feeds need only the libraries: made while the bodies are rendered.
    let list_jobs: Vec<Vec<PageJob>> = editions
        .iter()
        .map(|edition| match render {
            true => render::jobs(&edition.library),
            false => Vec::new(),
        })
        .collect();
    let (bodies, (lists, files)) = rayon::join(
        || {
            BodyPasses {
                sources,
                theme: &theme,
                images: &images,
                page_options: options,
                sink: &sink,
                // Only a written site needs a search index; `check` has nothing to validate in it.
                search: options.write && render,
                bundle: render,
                bundle_index: options.write && render,
                chunk: BODY_CHUNK,
            }
            .run(&config, &editions, &renderers)
        },
        || match render {
            true => rayon::join(
                || {
                    renderers
                        .iter()
                        .zip(&list_jobs)
                        .try_for_each(|(renderer, jobs)| match renderer {
                            Some(renderer) => render_pages(renderer, jobs, &[], |path, html| {
                                sink.write(path, &page_bytes(html, options))
                            }),
                            None => Ok(()),
                        })
                },
                || files_but_search(&edition_refs, &versions, &theme),
            ),
            false => (Ok(()), Vec::new()),
        },
    );
    let bodies = bodies?;
    drop(renderers);
    for (edition, bodies) in editions.iter().zip(&bodies) {
        let mut problems = edition.library.check_links(&bodies.outlines);
        sources.locate(&mut problems);
        diagnostics.extend(problems);
    }
    let mut pages_done = Vec::new();
    let mut searches = Vec::new();
    for bodies in bodies {
        diagnostics.extend(bodies.problems);
        pages_done.extend(bodies.pages);
        searches.push(bodies.search);
    }
    diagnostics::sort(&mut diagnostics);
    if diagnostics::has_errors(&diagnostics) {
        return Err(BuildError::Invalid(diagnostics));
    }
    settle(pages_done)?;
    lists?;

    let search: Vec<(String, Vec<u8>)> = editions
        .iter()
        .zip(searches)
        .flat_map(|(edition, index)| {
            index.map_or_else(Vec::new, |index| {
                index.files_at(
                    &edition.library,
                    &edition.config,
                    &edition.config.path_prefix,
                )
            })
        })
        .collect();
    for (path, bytes) in files {
        match options.minify {
            true => sink.write(&path, &crate::minify::asset(&path, &bytes))?,
            false => sink.write(&path, &bytes)?,
        }
    }
    for (path, bytes) in search {
        sink.write(&path, &bytes)?;
    }
    for (path, file) in images.files() {
        sink.copy(&path, &file)?;
    }
    let published: usize = editions.iter().map(|e| e.library.articles.len()).sum();
    let list_pages: usize = list_jobs.iter().map(Vec::len).sum();
    let pages = list_pages + published;
    let files = sink.files_written();
    sink.commit()?;
    Ok(BuildReport {
        articles: published,
        drafts_skipped: total - published,
        pages,
        files,
        warnings: diagnostics,
        elapsed: started.elapsed(),
        out_dir: options.write.then_some(out_dir),
        images_encoded: images.encoded(),
    })
}

/// How many articles' bodies are in memory at once, at most. Big enough that both cores stay
/// busy within a chunk; small enough that a chunk's HTML and text are a few MiB.
const BODY_CHUNK: usize = 256;

/// The second pass over the articles (see the module's doc): each body is read again, rendered
/// into its page, its search entry and its bundle record, and let go but for its outline.
struct BodyPass<'a> {
    sources: &'a Sources,
    config: &'a SiteConfig,
    /// The callout labels of the site's language, written into the bodies.
    callouts: &'a CalloutLabels,
    images: &'a Images,
    library: &'a Library,
    /// `None` when the site has errors already: bodies are only checked.
    renderer: Option<&'a Renderer<'a>>,
    /// How pages are written (see [`page_bytes`]).
    page_options: &'a BuildOptions,
    sink: &'a Sink,
    /// Whether to make the search index.
    search: bool,
    /// Whether to make the bundle.
    bundle: bool,
    /// Articles per chunk: [`BODY_CHUNK`] (a parameter so that tests can cross chunks).
    chunk: usize,
}

/// What the second pass leaves.
struct Bodies {
    /// The outline of each of [`Library::every_article`], in that order.
    outlines: Vec<Outline>,
    problems: Vec<Diagnostic>,
    /// Each article page's outcome.
    pages: Vec<Result<(), RenderFailure>>,
    search: Option<search::Index<'static>>,
}

/// One body, done.
struct BodyDone {
    outline: Outline,
    problems: Vec<Diagnostic>,
    page: Option<Result<(), RenderFailure>>,
    search: Option<search::Entry>,
    /// The bundle's record, and its JSON (made here, in parallel).
    bundle: Option<(BundleArticle, ArticleJson)>,
}

/// What every language's [`BodyPass`] shares.
struct BodyPasses<'a> {
    sources: &'a Sources,
    /// Whose strings (callout labels) each language's bodies are rendered with.
    theme: &'a Theme,
    images: &'a Images,
    page_options: &'a BuildOptions,
    sink: &'a Sink,
    search: bool,
    bundle: bool,
    /// Whether to write the bundle's search index beside it (see [`Bundling`]).
    bundle_index: bool,
    chunk: usize,
}

/// The bundle being written and, when asked, its search index being built, article by article
/// in the bundle's order: the question function loads the index instead of analysing every
/// article at cold start (`kb_model::retrieval::file`), and it is built here by the same code
/// it would run, from the same records.
struct Bundling<'w, 'f> {
    writer: BundleWriter<&'w mut SinkFile<'f>>,
    index: Option<IndexBuilder>,
}

impl Bundling<'_, '_> {
    fn push(&mut self, (record, json): &(BundleArticle, ArticleJson)) -> std::io::Result<()> {
        if let Some(index) = self.index.as_mut() {
            index.add(record);
        }
        self.writer.push(json)
    }
}

impl BodyPasses<'_> {
    /// The second pass of every language (each with its `renderers`' renderer, `None` when
    /// only checking), one after the other, into one bundle; one [`Bodies`] per edition.
    fn run(
        &self,
        config: &SiteConfig,
        editions: &[Edition],
        renderers: &[Option<Renderer>],
    ) -> Result<Vec<Bodies>, BuildError> {
        with_bundle(
            self.sink,
            config,
            self.bundle,
            self.bundle_index,
            |mut bundle| {
                let mut all = Vec::with_capacity(editions.len());
                for (edition, renderer) in editions.iter().zip(renderers) {
                    let callouts = self
                        .theme
                        .strings(&edition.config.language)
                        .callout_labels();
                    let pass = BodyPass {
                        sources: self.sources,
                        config: &edition.config,
                        callouts: &callouts,
                        images: self.images,
                        library: &edition.library,
                        renderer: renderer.as_ref(),
                        page_options: self.page_options,
                        sink: self.sink,
                        search: self.search,
                        bundle: self.bundle,
                        chunk: self.chunk,
                    };
                    all.push(pass.run_into(bundle.as_deref_mut())?);
                }
                Ok(all)
            },
        )
    }
}

/// Runs `passes` with the bundle's writer (when `bundle`), then finishes the bundle file and,
/// with `index`, writes the bundle's search index beside it.
fn with_bundle<T>(
    sink: &Sink,
    config: &SiteConfig,
    bundle: bool,
    index: bool,
    passes: impl FnOnce(Option<&mut Bundling<'_, '_>>) -> Result<T, BuildError>,
) -> Result<T, BuildError> {
    let bundle_path = format!("/{}", kb_model::BUNDLE_FILE_NAME);
    let bundle_error = |error| sink.write_error(&bundle_path, error);
    let mut bundle_file = match bundle {
        true => Some(sink.create(&bundle_path)?),
        false => None,
    };
    let mut writer = match bundle_file.as_mut() {
        Some(file) => {
            let head = feeds::bundle_head(config);
            let index = index.then(|| {
                let mut builder = IndexBuilder::default();
                head.articles
                    .iter()
                    .for_each(|article| builder.add(article));
                builder
            });
            Some(Bundling {
                writer: BundleWriter::new(file, &head).map_err(bundle_error)?,
                index,
            })
        }
        None => None,
    };
    let done = passes(writer.as_mut())?;
    if let Some(Bundling { writer, index }) = writer {
        let (_, fingerprint) = writer.finish().map_err(bundle_error)?;
        if let Some(index) = index {
            let file = index.finish().to_file(fingerprint);
            sink.write(&format!("/{}", kb_model::INDEX_FILE_NAME), &file)?;
        }
    }
    if let Some(file) = bundle_file {
        file.finish()?;
    }
    Ok(done)
}

impl BodyPass<'_> {
    /// One language's pass, alone in its bundle (the tests').
    #[cfg(test)]
    fn run(&self) -> Result<Bodies, BuildError> {
        with_bundle(self.sink, self.config, self.bundle, self.bundle, |bundle| {
            self.run_into(bundle)
        })
    }

    /// The pass, its bundle records pushed to `bundle`.
    fn run_into(&self, mut bundle: Option<&mut Bundling<'_, '_>>) -> Result<Bodies, BuildError> {
        let all: Vec<&ArticleHead> = self.library.every_article().map(|a| &**a).collect();
        let mut bodies = Bodies {
            outlines: Vec::with_capacity(all.len()),
            problems: Vec::new(),
            pages: Vec::with_capacity(self.library.articles.len()),
            search: self.search.then(search::Index::default),
        };
        let bundle_path = format!("/{}", kb_model::BUNDLE_FILE_NAME);
        let bundle_error = |error| self.sink.write_error(&bundle_path, error);
        // Each chunk is absorbed (search index, bundle: in order, on one thread) while the
        // next one is rendered.
        let mut previous: Vec<BodyDone> = Vec::new();
        for (k, chunk) in all.chunks(self.chunk).enumerate() {
            let (absorbed, done) = rayon::join(
                || {
                    absorb(
                        &mut bodies,
                        bundle.as_deref_mut(),
                        std::mem::take(&mut previous),
                    )
                },
                || {
                    chunk
                        .par_iter()
                        .enumerate()
                        .map(|(j, article)| self.body(k * self.chunk + j, article))
                        .collect::<Vec<_>>()
                },
            );
            absorbed.map_err(bundle_error)?;
            previous = done;
        }
        absorb(&mut bodies, bundle, previous).map_err(bundle_error)?;
        Ok(bodies)
    }

    /// Article `i` of [`Library::every_article`] (published when `i` is below the
    /// library's article count).
    fn body(&self, i: usize, article: &ArticleHead) -> BodyDone {
        let mut done = BodyDone {
            outline: Outline::default(),
            problems: Vec::new(),
            page: None,
            search: None,
            bundle: None,
        };
        let text = match self.sources.read_again(article) {
            Ok(text) => text,
            Err(problem) => {
                done.problems.push(problem);
                return done;
            }
        };
        let (body, problems) = article::parse_body(
            article,
            &text,
            self.config,
            self.callouts,
            self.images,
            self.library,
        );
        drop(text);
        done.problems = problems;
        let published = i < self.library.articles.len();
        if let Some(renderer) = self.renderer.filter(|_| published) {
            done.page = Some(match renderer.render_article(i, article, &body) {
                Ok((path, html)) => self
                    .sink
                    .write(&path, &page_bytes(&html, self.page_options))
                    .map_err(RenderFailure::Output),
                Err(diagnostic) => Err(RenderFailure::Template(diagnostic)),
            });
            if self.search {
                done.search = Some(search::entry(article, &body, self.config));
            }
            if self.bundle {
                let record = feeds::bundle_article(self.library, self.config, i, article, &body);
                let json = record.to_json();
                done.bundle = Some((record, json));
            }
        }
        done.outline = body.outline;
        done
    }
}

/// A rendered page as written: minified, with `serve`'s reload script, or as it is.
fn page_bytes<'h>(html: &'h str, options: &BuildOptions) -> std::borrow::Cow<'h, [u8]> {
    use std::borrow::Cow;
    match (options.minify, options.live_reload) {
        (true, _) => Cow::Owned(crate::minify::page(html)),
        (false, true) => Cow::Owned(crate::serve::session::with_reload(html).into_bytes()),
        (false, false) => Cow::Borrowed(html.as_bytes()),
    }
}

/// Takes one chunk's results into `bodies` and the bundle, in order.
fn absorb(
    bodies: &mut Bodies,
    mut bundle: Option<&mut Bundling<'_, '_>>,
    done: Vec<BodyDone>,
) -> std::io::Result<()> {
    for one in done {
        bodies.outlines.push(one.outline);
        bodies.problems.extend(one.problems);
        bodies.pages.extend(one.page);
        if let (Some(index), Some(entry)) = (bodies.search.as_mut(), one.search) {
            index.add(entry);
        }
        if let (Some(bundle), Some(record)) = (bundle.as_deref_mut(), one.bundle) {
            bundle.push(&record)?;
        }
    }
    Ok(())
}

/// An article page to render: the library's article `i`, its head and its body (see
/// [`Renderer::render_article`]).
pub type ArticlePage<'a> = (usize, &'a ArticleHead, &'a Body);

/// Renders `jobs` and `articles` in parallel, handing each page to `write` as soon as it is
/// rendered (pages are streamed, never all held at once). Template errors are collected, one
/// per distinct problem.
pub fn render_pages(
    renderer: &Renderer,
    jobs: &[PageJob],
    articles: &[ArticlePage<'_>],
    write: impl Fn(&str, &str) -> Result<(), OutputError> + Sync,
) -> Result<(), BuildError> {
    let write = |rendered: Result<(String, String), Diagnostic>| {
        let (path, html) = rendered.map_err(RenderFailure::Template)?;
        write(&path, &html).map_err(RenderFailure::Output)
    };
    let mut results: Vec<Result<(), RenderFailure>> = jobs
        .par_iter()
        .map(|&job| write(renderer.render(job)))
        .collect();
    results.par_extend(
        articles
            .par_iter()
            .map(|&(i, head, body)| write(renderer.render_article(i, head, body))),
    );
    settle(results)
}

/// The first write error of `results`, or else their template errors, one per distinct problem.
fn settle(results: Vec<Result<(), RenderFailure>>) -> Result<(), BuildError> {
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

/// Every file of the site that is neither a page nor made from the articles' bodies (the bundle
/// for the question function: `build` streams it to its file as it renders the bodies): theme
/// assets, feeds, and the search index, whose files `search_files` makes alongside the others.
pub fn site_files(
    editions: &[EditionRef<'_>],
    theme: &Theme,
    search_files: impl FnOnce() -> Vec<(String, Vec<u8>)> + Send,
) -> Vec<(String, Vec<u8>)> {
    let versions = Versions::new(editions);
    let (mut files, search) = rayon::join(
        || files_but_search(editions, &versions, theme),
        search_files,
    );
    files.extend(search);
    files
}

/// [`site_files`] but the search index.
fn files_but_search(
    editions: &[EditionRef<'_>],
    versions: &Versions,
    theme: &Theme,
) -> Vec<(String, Vec<u8>)> {
    // A stemmer's script is published only for a language that searches with it: an English
    // site does not carry the Dutch one.
    let used: Vec<&str> = editions
        .iter()
        .filter_map(|e| Stemmer::for_language(&e.config.language).script())
        .collect();
    let unused_script =
        |name: &str| Stemmer::ALL.iter().any(|s| s.script() == Some(name)) && !used.contains(&name);
    let mut files: Vec<(String, Vec<u8>)> = theme
        .assets
        .iter()
        .filter(|asset| !unused_script(&asset.name))
        .map(|asset| (asset.path.clone(), asset.bytes.clone()))
        .collect();
    let default = &editions[0].config;
    files.extend([
        (
            crate::urls::SITEMAP.to_owned(),
            feeds::sitemap(editions, versions).into_bytes(),
        ),
        (
            "/robots.txt".to_owned(),
            feeds::robots(default).into_bytes(),
        ),
        (
            crate::urls::REDIRECTS_MAP.to_owned(),
            feeds::redirects_map(editions).into_bytes(),
        ),
    ]);
    for edition in editions {
        files.push((
            edition.config.path(crate::urls::FEED),
            feeds::atom(edition.library, edition.config).into_bytes(),
        ));
    }
    files
}

enum RenderFailure {
    Template(Diagnostic),
    Output(OutputError),
}

fn strip_page(message: &str) -> &str {
    message.split_once(": ").map_or(message, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::copy_of_valid_site as site;
    use kb_model::retrieval::SearchIndex;

    fn heads(articles: Vec<ArticleHead>) -> Vec<Arc<ArticleHead>> {
        articles.into_iter().map(Arc::new).collect()
    }

    /// An editor saving while a build runs: the body read in the second pass is not the text
    /// the front matter came from, and the build says so rather than mixing the two.
    #[test]
    fn a_file_changed_between_the_two_passes_is_an_error() {
        let dir = site();
        let options = BuildOptions::new(dir.path());
        // The articles, in memory: the first pass reads them, the second their edited version.
        let (paths, _) = Sources::disk(dir.path()).list();
        let files: Vec<(PathBuf, String)> = paths
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(dir.path().join(&path)).unwrap();
                (path, text)
            })
            .collect();
        let loaded = load(&options, &Sources::memory(files.clone())).unwrap();
        assert!(!diagnostics::has_errors(&loaded.diagnostics));
        let (library, problems) = Library::new(
            heads(loaded.articles),
            &loaded.config,
            false,
            &HashSet::new(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        let edited = Sources::memory(files.into_iter().map(|(path, text)| {
            let text = match path.ends_with("printer.md") {
                true => text.replace("## Try this first", "Saved.\n\n## Try this first"),
                false => text,
            };
            (path, text)
        }));

        let sink = Sink::discard();
        let bodies = BodyPass {
            sources: &edited,
            config: &loaded.config,
            callouts: &CalloutLabels::default(),
            images: &loaded.images,
            library: &library,
            renderer: None,
            page_options: &options,
            sink: &sink,
            search: false,
            bundle: false,
            chunk: BODY_CHUNK,
        }
        .run()
        .unwrap();
        let problems: Vec<String> = bodies
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.file.display(), p.message))
            .collect();
        assert_eq!(
            problems,
            ["content/devices/printer.md: the file changed during the build"]
        );
        assert_eq!(bodies.outlines.len(), library.every_article().count());
    }

    /// The bundle and the search index are written in the library's order whatever the
    /// chunks: one article per chunk gives the same bytes as one chunk for all.
    #[test]
    fn chunks_do_not_change_the_bundle_or_the_index() {
        let dir = site();
        let options = BuildOptions::new(dir.path());
        let sources = Sources::disk(dir.path());
        let loaded = load(&options, &sources).unwrap();
        let (library, _) = Library::new(
            heads(loaded.articles),
            &loaded.config,
            false,
            &HashSet::new(),
        );
        assert!(
            library.articles.len() >= 3,
            "the fixture has a few articles"
        );
        let renderer = Renderer::new(&loaded.config, &library, &loaded.theme);
        let run = |chunk: usize| {
            let out = dir.path().join(format!("out-{chunk}"));
            let sink = Sink::staging(&out).unwrap();
            let bodies = BodyPass {
                sources: &sources,
                config: &loaded.config,
                callouts: &CalloutLabels::default(),
                images: &loaded.images,
                library: &library,
                renderer: Some(&renderer),
                page_options: &options,
                sink: &sink,
                search: true,
                bundle: true,
                chunk,
            }
            .run()
            .unwrap();
            sink.commit().unwrap();
            let bundle = std::fs::read(out.join(kb_model::BUNDLE_FILE_NAME)).unwrap();
            let index = std::fs::read(out.join(kb_model::INDEX_FILE_NAME)).unwrap();
            let search = bodies.search.unwrap().files(&library, &loaded.config);
            let anchors: Vec<Vec<String>> =
                bodies.outlines.into_iter().map(|o| o.anchors).collect();
            (bundle, index, search, anchors, bodies.pages.len())
        };
        let one_by_one = run(1);
        assert_eq!(one_by_one, run(2));
        assert_eq!(one_by_one, run(BODY_CHUNK));
        assert_eq!(one_by_one.4, library.articles.len());
        let bundle = kb_model::Bundle::from_json(std::str::from_utf8(&one_by_one.0).unwrap())
            .expect("a valid bundle");
        let slugs: Vec<&str> = bundle.articles.iter().map(|a| a.slug.as_str()).collect();
        let expected: Vec<&str> = library.articles.iter().map(|a| a.slug.as_str()).collect();
        assert_eq!(slugs, expected);
        let fingerprint = kb_model::BundleFingerprint::of(&one_by_one.0);
        let index = SearchIndex::from_file(&one_by_one.1, &fingerprint).expect("its index");
        assert!(
            index == SearchIndex::new(&bundle),
            "the index of this bundle"
        );
    }
}
