//! Themes: Tera 2 templates and static files, layered so a site overrides one file at a time.
//!
//! Lookup order, first match wins, file by file: the site's own `templates/` and `static/`,
//! then `themes/<theme>/`, then the default theme compiled into the binary (so `tryfirst` works
//! on a site that has no theme folder at all). The theme's strings (`i18n/<lang>.toml`) are
//! layered the same way, key by key: see [`crate::render::i18n`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::render::i18n::{self, Catalogue, Catalogues};

/// The default theme, embedded. Keep in step with `themes/default/templates/`.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../../themes/default/templates/index.html"),
    ),
    (
        "article.html",
        include_str!("../../../themes/default/templates/article.html"),
    ),
    (
        "category.html",
        include_str!("../../../themes/default/templates/category.html"),
    ),
    (
        "categories.html",
        include_str!("../../../themes/default/templates/categories.html"),
    ),
    (
        "tag.html",
        include_str!("../../../themes/default/templates/tag.html"),
    ),
    (
        "tags.html",
        include_str!("../../../themes/default/templates/tags.html"),
    ),
    (
        "404.html",
        include_str!("../../../themes/default/templates/404.html"),
    ),
    (
        "redirect.html",
        include_str!("../../../themes/default/templates/redirect.html"),
    ),
    (
        "privacy.html",
        include_str!("../../../themes/default/templates/privacy.html"),
    ),
    (
        "search.html",
        include_str!("../../../themes/default/templates/search.html"),
    ),
    (
        "components.html",
        include_str!("../../../themes/default/templates/components.html"),
    ),
    (
        "partials/article_list.html",
        include_str!("../../../themes/default/templates/partials/article_list.html"),
    ),
    (
        "partials/ask.html",
        include_str!("../../../themes/default/templates/partials/ask.html"),
    ),
    (
        "partials/cta.html",
        include_str!("../../../themes/default/templates/partials/cta.html"),
    ),
];

const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../../themes/default/static/style.css"),
    ),
    (
        "ask.js",
        include_bytes!("../../../themes/default/static/ask.js"),
    ),
    (
        "search.js",
        include_bytes!("../../../themes/default/static/search.js"),
    ),
    (
        "copy.js",
        include_bytes!("../../../themes/default/static/copy.js"),
    ),
    // The Dutch search page's query stemmer, which search.js imports (see render::search).
    (
        "snowball-dutch.js",
        include_bytes!("../../../themes/default/static/snowball-dutch.js"),
    ),
    // Browsers ask for /favicon.ico whatever the page says: the ICO answers them, the SVG is
    // what the pages link to. A site's static/ replaces either.
    (
        "favicon.svg",
        include_bytes!("../../../themes/default/static/favicon.svg"),
    ),
    (
        "favicon.ico",
        include_bytes!("../../../themes/default/static/favicon.ico"),
    ),
];

/// Templates every theme must end up providing (after layering, the built-ins always do).
pub const PAGE_TEMPLATES: &[&str] = &[
    "index.html",
    "article.html",
    "category.html",
    "categories.html",
    "tag.html",
    "tags.html",
    "404.html",
    "redirect.html",
    "privacy.html",
    "search.html",
];

/// A static file to copy into the site.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Name in the theme's `static/` folder, e.g. `style.css`.
    pub name: String,
    /// Site path, e.g. `/style.3f2a9c1b.css`.
    pub path: String,
    pub bytes: Vec<u8>,
}

pub struct Theme {
    tera: Tera,
    origins: Arc<Origins>,
    /// The strings of every language the theme and the site have (see [`i18n`]).
    catalogues: Catalogues,
    pub assets: Vec<Asset>,
    pub stylesheet_url: String,
    /// The question form's script (`static/ask.js`), fingerprinted; empty if the theme has none.
    pub script_url: String,
    /// The search page's script (`static/search.js`), fingerprinted; empty if none.
    pub search_script_url: String,
    /// Code blocks' copy button (`static/copy.js`), fingerprinted; empty if none.
    pub copy_script_url: String,
}

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
enum Origin {
    Builtin,
    File(PathBuf),
}

/// Every template's origin and text, to point an error at its file and line.
#[derive(Debug)]
struct Origins {
    origins: BTreeMap<String, Origin>,
    sources: BTreeMap<String, String>,
}

/// The theme's compiled templates with the values every page of one build shows (Tera's
/// global context): made once per build, so a page's own context holds only what is its own.
#[derive(Clone)]
pub struct Pages {
    tera: Tera,
    origins: Arc<Origins>,
}

impl Pages {
    /// Renders `template` straight into `out` (a page's buffer), with `context` over the
    /// site-wide values; a failure names the template file and line.
    pub fn render_to(
        &self,
        template: &str,
        context: &Context,
        out: &mut Vec<u8>,
    ) -> Result<(), Diagnostic> {
        self.tera
            .render_to(template, context, out)
            .map_err(|error| {
                template_diagnostic(&error, &self.origins.origins, &self.origins.sources)
            })
    }
}

impl Theme {
    /// Loads the theme named in `site.toml` for the site at `root`.
    pub fn load(root: &Path, theme_name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let theme_dir = root.join("themes").join(theme_name);
        if theme_name != "default" && !theme_dir.is_dir() {
            return Err(vec![Diagnostic::error(
                Path::new(crate::config::CONFIG_FILE),
                format!("theme \"{theme_name}\" not found: there is no folder themes/{theme_name}"),
            )
            .with_hint("set `theme = \"default\"` or create the theme folder")]);
        }
        let mut templates: BTreeMap<String, (String, Origin)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), ((*text).to_owned(), Origin::Builtin)))
            .collect();
        let mut statics: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
            .iter()
            .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
            .collect();
        let mut problems = Vec::new();
        for layer in [theme_dir, root.to_path_buf()] {
            for (name, path, bytes) in layer_files(root, &layer.join("templates"), &mut problems) {
                match String::from_utf8(bytes) {
                    Ok(text) => {
                        templates.insert(name, (text, Origin::File(path)));
                    }
                    Err(_) => {
                        problems.push(Diagnostic::error(&path, "the template is not UTF-8 text"))
                    }
                }
            }
            for (name, _, bytes) in layer_files(root, &layer.join("static"), &mut problems) {
                statics.insert(name, bytes);
            }
        }
        let catalogues = match Catalogues::load(root, &root.join("themes").join(theme_name)) {
            Ok(catalogues) => Some(catalogues),
            Err(catalogue_problems) => {
                problems.extend(catalogue_problems);
                None
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let catalogues = catalogues.unwrap_or_default();
        let origins: BTreeMap<String, Origin> = templates
            .iter()
            .map(|(name, (_, origin))| (name.clone(), origin.clone()))
            .collect();
        let sources: BTreeMap<String, String> = templates
            .into_iter()
            .map(|(name, (text, _))| (name, text))
            .collect();
        let mut tera = Tera::new();
        // Tera 2 knows its functions when it compiles: `t` is registered here, and again with
        // a language's strings by [`Theme::pages`].
        i18n::register(&mut tera, Arc::default());
        // Tera 2's own escaping is ours (`crate::text::escape_markup`: `& < > " '`, with `/`
        // left readable, unlike Tera 1's), and faster: no `set_escape_fn` any more.
        tera.add_raw_templates(sources.iter())
            .map_err(|error| vec![template_diagnostic(&error, &origins, &sources)])?;
        let origins = Arc::new(Origins { origins, sources });
        let assets: Vec<Asset> = statics
            .into_iter()
            .map(|(name, bytes)| Asset {
                path: fingerprinted(&name, &bytes),
                name,
                bytes,
            })
            .collect();
        let url_of = |name: &str| {
            assets
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.path.clone())
                .unwrap_or_default()
        };
        let stylesheet_url = url_of("style.css");
        let script_url = url_of("ask.js");
        let search_script_url = url_of("search.js");
        let copy_script_url = url_of("copy.js");
        Ok(Theme {
            tera,
            origins,
            catalogues,
            assets,
            stylesheet_url,
            script_url,
            search_script_url,
            copy_script_url,
        })
    }

    /// The site path of the static file `name` (e.g. `snowball-dutch.js`); empty if none.
    pub fn asset_url(&self, name: &str) -> &str {
        self.assets
            .iter()
            .find(|a| a.name == name)
            .map_or("", |a| a.path.as_str())
    }

    /// The templates rendering in `language` (their `t` reads its catalogue), with `globals`
    /// given to every page they render (see [`Pages`]). One per language of a build.
    pub fn pages(&self, globals: Context, language: &str) -> Pages {
        let mut tera = self.tera.clone();
        *tera.global_context() = globals;
        i18n::register(&mut tera, self.strings(language));
        Pages {
            tera,
            origins: Arc::clone(&self.origins),
        }
    }

    /// `language`'s strings, for what Rust writes (breadcrumbs, page titles, dates, callouts).
    pub fn strings(&self, language: &str) -> Arc<Catalogue> {
        self.catalogues.get(language)
    }

    /// The strings checks for a site in `languages` (see [`i18n::check`]): a language without
    /// a catalogue, a key one language has and another lacks, a key a template uses that a
    /// language lacks (with the template's file and line).
    pub fn check_strings(&self, languages: &[String]) -> Vec<Diagnostic> {
        let templates: Vec<(&str, PathBuf, &str)> = self
            .origins
            .sources
            .iter()
            .map(|(name, source)| {
                let file = match self.origins.origins.get(name) {
                    Some(Origin::File(path)) => path.clone(),
                    _ => PathBuf::from(format!("(built-in theme)/{name}")),
                };
                (name.as_str(), file, source.as_str())
            })
            .collect();
        i18n::check(&self.catalogues, languages, &templates)
    }

    /// Renders one template on its own, in `language`; a failure names the template file and
    /// line.
    pub fn render(
        &self,
        template: &str,
        context: &Context,
        language: &str,
    ) -> Result<String, Diagnostic> {
        let mut out = Vec::new();
        self.pages(Context::new(), language)
            .render_to(template, context, &mut out)?;
        String::from_utf8(out)
            .map_err(|_| Diagnostic::error(Path::new("templates"), "the page is not UTF-8 text"))
    }
}

/// Every file under `dir` (if it exists): its name relative to `dir` with `/` separators, as
/// Tera names templates, its path relative to `root` for messages, and its bytes.
fn layer_files(
    root: &Path,
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return files;
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let shown = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let name = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let name = name
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if name.starts_with('.') || name.contains("/.") {
                    continue;
                }
                match std::fs::read(entry.path()) {
                    Ok(bytes) => files.push((name, shown(entry.path()), bytes)),
                    Err(error) => problems.push(Diagnostic::error(
                        &shown(entry.path()),
                        format!("cannot read: {error}"),
                    )),
                }
            }
            Ok(_) => {}
            Err(error) => problems.push(Diagnostic::error(
                &shown(dir),
                format!("cannot list: {error}"),
            )),
        }
    }
    files
}

/// `style.css` → `/style.<hash>.css` (and the same for `.js`), so the CDN can cache it forever
/// and a change still shows. Other files keep their names: they may be linked from content.
fn fingerprinted(name: &str, bytes: &[u8]) -> String {
    let split = name
        .rsplit_once('.')
        .filter(|(_, ext)| matches!(*ext, "css" | "js"));
    match split {
        Some((stem, ext)) => {
            let digest = Sha256::digest(bytes);
            let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            format!("/{stem}.{hash}.{ext}")
        }
        None => format!("/{name}"),
    }
}

/// Tera 1 syntax that Tera 2 refuses, in a line of a site's own older templates.
const TERA_1_ONLY: &[&str] = &["{% import", "{% macro", "macros::"];

/// Tera's error against the template file it comes from, at its line and column when Tera
/// gives them (syntax and rendering errors), with Tera's whole cause chain.
fn template_diagnostic(
    error: &tera::Error,
    origins: &BTreeMap<String, Origin>,
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    let file_of = |name: &str| match origins.get(name) {
        Some(Origin::File(path)) => path.clone(),
        Some(Origin::Builtin) => PathBuf::from(format!("(built-in theme)/{name}")),
        None => PathBuf::from("templates"),
    };
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let name = report.filename();
            let span = report.span();
            let mut diagnostic = Diagnostic::error(
                &file_of(name),
                format!("{} (in template '{name}')", report.message()),
            );
            if let Some(source) = sources.get(name) {
                let line = source.lines().nth(span.start_line.saturating_sub(1));
                if let Some(line) = line {
                    diagnostic.line = u32::try_from(span.start_line).unwrap_or(u32::MAX);
                    diagnostic.column = u32::try_from(span.start_col + 1).unwrap_or(u32::MAX);
                    diagnostic.source_line = Some(line.to_owned());
                    if TERA_1_ONLY.iter().any(|old| line.contains(old)) {
                        diagnostic = diagnostic.with_hint(
                            "Tera 2 has components instead of macros: see \"Migrating a \
                             company's own templates from Tera 1\" in docs/theming.md",
                        );
                    }
                }
            }
            diagnostic
        }
        _ => {
            let message = error_chain(error);
            let file = origins
                .keys()
                .find(|name| message.contains(&format!("'{name}'")))
                .map_or_else(|| PathBuf::from("templates"), |name| file_of(name));
            Diagnostic::error(&file, message)
        }
    }
}

pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_theme_loads_on_an_empty_site() {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        for name in PAGE_TEMPLATES {
            assert!(theme.origins.origins.contains_key(*name), "{name} missing");
        }
        assert!(theme.origins.origins.contains_key("partials/ask.html"));
        assert!(
            theme.search_script_url.starts_with("/search.")
                && theme.search_script_url.ends_with(".js")
        );
        assert!(theme.script_url.starts_with("/ask.") && theme.script_url.ends_with(".js"));
        assert!(
            theme.stylesheet_url.starts_with("/style.") && theme.stylesheet_url.ends_with(".css")
        );
    }

    #[test]
    fn site_templates_override_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/404.html"), "custom {{ 1 + 1 }}").unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let rendered = theme.render("404.html", &Context::new(), "en").unwrap();
        assert_eq!(rendered, "custom 2");
        assert!(matches!(
            theme.origins.origins["article.html"],
            Origin::Builtin
        ));
    }

    #[test]
    fn broken_template_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/tags.html"), "{% if %}").unwrap();
        let problems = Theme::load(dir.path(), "default").err().unwrap();
        assert_eq!(problems[0].file, PathBuf::from("templates/tags.html"));
        assert!(
            problems[0].message.contains("tags.html"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn template_errors_point_at_their_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/tags.html"), "ok\n  {% if %}").unwrap();
        let problems = Theme::load(dir.path(), "default").err().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            (problems[0].line, problems[0].source_line.as_deref()),
            (2, Some("  {% if %}"))
        );

        // A value the page does not have: found while rendering, in the included partial.
        std::fs::write(
            dir.path().join("templates/tags.html"),
            "{% include \"partials/x.html\" %}",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("templates/partials")).unwrap();
        std::fs::write(
            dir.path().join("templates/partials/x.html"),
            "one\ntwo {{ no_such_value }}",
        )
        .unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let problem = theme
            .render("tags.html", &Context::new(), "en")
            .unwrap_err();
        assert_eq!(problem.file, PathBuf::from("templates/partials/x.html"));
        assert_eq!((problem.line, problem.column), (2, 8), "{problem:?}");
        assert!(
            problem.message.contains("no_such_value"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn a_tera_1_macro_import_points_to_the_migration_notes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/tag.html"),
            "{% extends \"base.html\" %}\n{% import \"macros.html\" as macros %}",
        )
        .unwrap();
        let problems = Theme::load(dir.path(), "default").err().unwrap();
        assert_eq!(problems[0].line, 2);
        assert!(
            problems[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("Migrating")),
            "{problems:?}"
        );
    }

    /// What docs/theming.md shows a company's own templates: components of the default theme
    /// usable without an import, slicing, comprehensions, `or` as a fallback, our escaping.
    #[test]
    fn the_documented_tera_2_syntax_renders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/404.html"),
            "{% for a in items[:2] %}{{<risk_badge risk={a} />}}{% endfor %}\
             |{{ [x for x in items if x != \"low\"] | join(sep=\",\") }}\
             |{{ contact or \"fallback\" }}|{{ text }}",
        )
        .unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let mut context = Context::new();
        context.insert("items", &["low", "high", "medium"]);
        context.insert("contact", "");
        context.insert("text", "<it's & \"/\">");
        assert_eq!(
            theme.render("404.html", &context, "en").unwrap(),
            "<span class=\"risk risk-low\">Low risk · safe to try</span>\
             <span class=\"risk risk-high\">High risk · consider calling us</span>\
             |high,medium|fallback|&lt;it&#39;s &amp; &quot;/&quot;&gt;"
        );
    }

    #[test]
    fn missing_theme_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let problems = Theme::load(dir.path(), "fancy").err().unwrap();
        assert_eq!(
            problems[0].message,
            "theme \"fancy\" not found: there is no folder themes/fancy"
        );
    }

    #[test]
    fn css_is_fingerprinted() {
        assert_eq!(
            fingerprinted("style.css", b"a"),
            fingerprinted("style.css", b"a")
        );
        assert_ne!(
            fingerprinted("style.css", b"a"),
            fingerprinted("style.css", b"b")
        );
        assert_eq!(fingerprinted("img/logo.svg", b"a"), "/img/logo.svg");
        assert!(
            fingerprinted("ask.js", b"a").starts_with("/ask.")
                && fingerprinted("ask.js", b"a").ends_with(".js")
        );
    }
}
