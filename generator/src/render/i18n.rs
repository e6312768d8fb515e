//! The theme's user-visible strings, per language: `i18n/<lang>.toml` catalogues, layered key
//! by key (built-in default theme, then `themes/<theme>/i18n/`, then the site's own `i18n/`, as
//! Zola and Hugo do), and the checks that keep templates and languages in step.
//!
//! A catalogue is a flat map of quoted dotted keys to text. `{name}` is a placeholder the caller
//! fills in; a key with a count has `_one` and `_other` forms. Templates reach the strings with
//! the `t` function (see [`register`]); Rust (breadcrumbs, page titles, dates, callout labels)
//! with [`Catalogue::text`] and friends. The rule for escaping is in docs/theming.md.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tera::{Kwargs, State, TeraResult, Value};

use crate::content::markdown::CalloutLabels;
use crate::diagnostics::Diagnostic;
use crate::text::{Date, LineIndex};

/// The default theme's catalogues, embedded like its templates. Keep in step with
/// `themes/default/i18n/`.
const BUILTIN_CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../../../themes/default/i18n/en.toml")),
    ("nl", include_str!("../../../themes/default/i18n/nl.toml")),
];

/// The keys the generator itself writes (breadcrumbs, page titles and descriptions, dates,
/// callout labels): checked like the keys templates use, though no template names them.
const GENERATOR_KEYS: &[&str] = &[
    "nav.home",
    "categories.title",
    "categories.description",
    "category.description_fallback",
    "tags.title",
    "tags.description",
    "tag.title",
    "tag.description",
    "search.title",
    "search.description",
    "privacy.title",
    "privacy.description",
    "notfound.title",
    "notfound.description",
    "redirect.title",
    "redirect.description",
    "callout.note",
    "callout.tip",
    "callout.important",
    "callout.warning",
    "callout.caution",
    "date.format",
    "date.month_1",
    "date.month_2",
    "date.month_3",
    "date.month_4",
    "date.month_5",
    "date.month_6",
    "date.month_7",
    "date.month_8",
    "date.month_9",
    "date.month_10",
    "date.month_11",
    "date.month_12",
];

/// One language's strings, after layering.
#[derive(Debug, Default, Clone)]
pub struct Catalogue {
    strings: BTreeMap<String, String>,
    /// The files that gave this language strings, lowest layer first, for messages.
    files: Vec<PathBuf>,
}

/// Every language's catalogue the theme and the site provide.
#[derive(Debug, Default)]
pub struct Catalogues {
    languages: BTreeMap<String, Arc<Catalogue>>,
}

impl Default for CalloutLabels {
    /// The English labels, for code that renders Markdown without a site (tests, `new`).
    fn default() -> Self {
        Catalogues::builtin().get("en").callout_labels()
    }
}

impl Catalogue {
    /// The text of `key`, or the key itself when it is missing (the checks have reported it).
    pub fn text<'s>(&'s self, key: &'s str) -> &'s str {
        self.strings.get(key).map_or(key, String::as_str)
    }

    /// `key`'s text with its `{name}` placeholders filled from `args`, as plain text.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), Cow::Borrowed, |name| {
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| Cow::Borrowed(*v))
        })
        .unwrap_or_else(|_| self.text(key).to_owned())
    }

    /// A date in this language: `date.format` with `date.month_<n>`, "4 december 2026".
    pub fn date(&self, date: Date) -> String {
        let (day, month) = (date.day().to_string(), date.month_number());
        let month = self.text(&format!("date.month_{month}")).to_owned();
        let year = date.year().to_string();
        self.format(
            "date.format",
            &[("day", &day), ("month", &month), ("year", &year)],
        )
    }

    pub fn callout_labels(&self) -> CalloutLabels {
        CalloutLabels {
            note: self.text("callout.note").to_owned(),
            tip: self.text("callout.tip").to_owned(),
            important: self.text("callout.important").to_owned(),
            warning: self.text("callout.warning").to_owned(),
            caution: self.text("callout.caution").to_owned(),
        }
    }

    /// The key a lookup with `count` uses: `<key>_one` for 1 and `<key>_other` otherwise when
    /// the catalogue has plural forms (English and Dutch, like most languages of Western
    /// Europe, use the singular for exactly one), else `key` itself.
    fn plural_key<'k>(&self, key: &'k str, count: Option<f64>) -> Cow<'k, str> {
        match count {
            Some(count) if !self.strings.contains_key(key) => {
                let form = if count == 1.0 { "one" } else { "other" };
                Cow::Owned(format!("{key}_{form}"))
            }
            _ => Cow::Borrowed(key),
        }
    }

    /// Does a template's `t(key=…)` find something, directly or as plural forms?
    fn has(&self, key: &str) -> bool {
        self.strings.contains_key(key)
            || (self.strings.contains_key(&format!("{key}_one"))
                && self.strings.contains_key(&format!("{key}_other")))
    }

    /// The file to name when this language lacks a key: the topmost layer.
    fn file(&self) -> PathBuf {
        self.files.last().cloned().unwrap_or_default()
    }
}

impl Catalogues {
    /// The default theme's catalogues alone.
    pub fn builtin() -> Self {
        let mut catalogues = Catalogues::default();
        let mut problems = Vec::new();
        for (language, text) in BUILTIN_CATALOGUES {
            let file = PathBuf::from(format!("(built-in theme)/i18n/{language}.toml"));
            catalogues.layer(language, &file, text, &mut problems);
        }
        debug_assert!(problems.is_empty(), "{problems:?}");
        catalogues
    }

    /// The built-in catalogues, then `<theme_dir>/i18n/*.toml`, then `<root>/i18n/*.toml`, key
    /// by key. Every language found is loaded; which ones the site needs is for [`check`].
    pub fn load(root: &Path, theme_dir: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut catalogues = Self::builtin();
        let mut problems = Vec::new();
        for dir in [theme_dir.join("i18n"), root.join("i18n")] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for path in files {
                let (Some(language), Some("toml")) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    path.extension().and_then(|s| s.to_str()),
                ) else {
                    continue;
                };
                let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                match std::fs::read_to_string(&path) {
                    Ok(text) => catalogues.layer(language, &shown, &text, &mut problems),
                    Err(error) => {
                        problems.push(Diagnostic::error(&shown, format!("cannot read: {error}")))
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(catalogues)
        } else {
            Err(problems)
        }
    }

    /// `language`'s catalogue; an empty one when there is none (the checks say so).
    pub fn get(&self, language: &str) -> Arc<Catalogue> {
        self.languages.get(language).cloned().unwrap_or_default()
    }

    /// Adds the strings of `text` (the file `file`) over `language`'s.
    fn layer(&mut self, language: &str, file: &Path, text: &str, problems: &mut Vec<Diagnostic>) {
        let strings: BTreeMap<String, String> = match toml::from_str(text) {
            Ok(strings) => strings,
            Err(error) => {
                let index = LineIndex::new(text);
                let mut problem =
                    crate::config::toml_errors::to_diagnostic(&error, file, text, &index, 0);
                if problem.message.contains("expected a string") {
                    problem = problem.with_hint(
                        "every value is a string, and a dotted key is quoted: \
                         \"nav.home\" = \"Home\" (a bare nav.home = makes a table)",
                    );
                }
                problems.push(problem);
                return;
            }
        };
        let catalogue = self.languages.entry(language.to_owned()).or_default();
        let catalogue = Arc::make_mut(catalogue);
        catalogue.strings.extend(strings);
        catalogue.files.push(file.to_path_buf());
    }
}

/// What a template's source asks of the catalogues: every key named in `t(key="…")` and
/// `strings(keys=["…", …])`, with the line and column of its opening quote. Found in the text, not by rendering, so
/// a key used only in a branch no page takes is still checked.
pub fn template_keys(source: &str) -> Vec<(String, usize, usize)> {
    let index = LineIndex::new(source);
    let mut keys = Vec::new();
    for (call, list) in [("t(key=", false), ("strings(keys=", true)] {
        let mut from = 0;
        while let Some(found) = source[from..].find(call) {
            let at = from + found;
            from = at + call.len();
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = &source[from..];
            let end = if list {
                rest.find(']').unwrap_or(0)
            } else {
                rest.find([',', ')']).unwrap_or(0)
            };
            let mut inner_from = from;
            for piece in rest[..end].split(',') {
                let trimmed = piece.trim_start_matches([' ', '[', '\n']);
                let skipped = piece.len() - trimmed.len();
                if let Some(quote) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    if let Some(close) = trimmed[1..].find(quote) {
                        let key = &trimmed[1..=close];
                        let (line, column) = index.position(source, inner_from + skipped);
                        keys.push((key.to_owned(), line, column));
                    }
                }
                inner_from += piece.len() + 1;
            }
        }
    }
    keys.sort_by_key(|(_, line, column)| (*line, *column));
    keys
}

/// The strings checks, for the languages a site is built in: each has a catalogue, each has
/// the keys the others have, and each has every key a template names. `templates` are the
/// theme's templates after layering: (name, file to show, source).
pub fn check(
    catalogues: &Catalogues,
    languages: &[String],
    templates: &[(&str, PathBuf, &str)],
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let present: Vec<(&String, &Arc<Catalogue>)> = languages
        .iter()
        .filter_map(|language| match catalogues.languages.get(language) {
            Some(catalogue) => Some((language, catalogue)),
            None => {
                problems.push(
                    Diagnostic::error(
                        Path::new(crate::config::CONFIG_FILE),
                        format!("language \"{language}\" has no string catalogue"),
                    )
                    .with_hint(format!(
                        "copy themes/default/i18n/en.toml to i18n/{language}.toml and translate \
                         its values (catalogues found: {})",
                        catalogues
                            .languages
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                None
            }
        })
        .collect();
    // Keys one configured language has and another lacks.
    let all: BTreeSet<&String> = present.iter().flat_map(|(_, c)| c.strings.keys()).collect();
    for (language, catalogue) in &present {
        for key in &all {
            if !catalogue.strings.contains_key(*key) {
                let has: Vec<&str> = present
                    .iter()
                    .filter(|(_, c)| c.strings.contains_key(*key))
                    .map(|(l, _)| l.as_str())
                    .collect();
                problems.push(
                    Diagnostic::error(
                        &catalogue.file(),
                        format!(
                            "key \"{key}\" is missing in the \"{language}\" strings ({} has it)",
                            has.join(", ")
                        ),
                    )
                    .with_hint(format!("add \"{key}\" = \"…\" to i18n/{language}.toml")),
                );
            }
        }
    }
    // Keys the generator writes that a configured language lacks.
    for (language, catalogue) in &present {
        for key in GENERATOR_KEYS {
            if !catalogue.strings.contains_key(*key) {
                problems.push(
                    Diagnostic::error(
                        &catalogue.file(),
                        format!("key \"{key}\" is missing in the \"{language}\" strings"),
                    )
                    .with_hint(format!(
                        "the generator writes it; add \"{key}\" = \"…\" to i18n/{language}.toml"
                    )),
                );
            }
        }
    }
    // Keys templates name that a configured language lacks.
    for (name, file, source) in templates {
        for (key, line, column) in template_keys(source) {
            for (language, catalogue) in &present {
                if !catalogue.has(&key) {
                    let mut problem = Diagnostic::error(
                        file,
                        format!(
                            "template '{name}' uses the string \"{key}\", which the \
                             \"{language}\" catalogue does not have"
                        ),
                    )
                    .with_hint(format!("add \"{key}\" = \"…\" to i18n/{language}.toml"));
                    problem.line = u32::try_from(line).unwrap_or(u32::MAX);
                    problem.column = u32::try_from(column).unwrap_or(u32::MAX);
                    problem.source_line = source.lines().nth(line - 1).map(str::to_owned);
                    problems.push(problem);
                }
            }
        }
    }
    problems
}

/// Registers `t` and `strings` on `tera`, reading `catalogue`.
///
/// `t(key="nav.home")` is the key's text, HTML-escaped; `count=n` picks `_one`/`_other`; every
/// other named argument fills its `{placeholder}`: escaped like `{{ value }}` is, unless it is
/// already markup (a `{% set %}…{% endset %}` block or a value piped through `safe`), which is
/// how a template puts a link inside a sentence. `strings(keys=[…])` is those keys' raw texts
/// as a JSON object for a `<script type="application/json">` block, for the theme's scripts.
pub fn register(tera: &mut tera::Tera, catalogue: Arc<Catalogue>) {
    // Every page asks for the same few dozen strings: those without placeholders are escaped
    // once here, and each `strings(keys=[…])` block is made once per key list, so a page's
    // strings cost a lookup and a reference count, not an escape, a copy and a JSON encoding.
    let ready: Arc<HashMap<String, Value>> = Arc::new(
        catalogue
            .strings
            .iter()
            .filter(|(_, text)| !text.contains('{'))
            .map(|(key, text)| (key.clone(), Value::safe_string(&escape_text(text))))
            .collect(),
    );
    let blocks: Arc<RwLock<HashMap<String, Value>>> = Arc::default();
    let strings = Arc::clone(&catalogue);
    tera.register_function("t", move |kwargs: Kwargs, _: &State| {
        t(&catalogue, &ready, &kwargs)
    });
    tera.register_function("strings", move |kwargs: Kwargs, _: &State| {
        let keys: &[Value] = kwargs.must_get("keys")?;
        let id: String = keys
            .iter()
            .map(|k| k.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(block) = blocks.read().ok().and_then(|made| made.get(&id).cloned()) {
            return Ok(block);
        }
        let block = strings_json(&strings, &kwargs)?;
        if let Ok(mut made) = blocks.write() {
            made.insert(id, block.clone());
        }
        Ok(block)
    });
}

fn t(catalogue: &Catalogue, ready: &HashMap<String, Value>, kwargs: &Kwargs) -> TeraResult<Value> {
    let key: &str = kwargs.must_get("key")?;
    let count = kwargs
        .iter()
        .find(|(name, _)| name.as_str() == Some("count"))
        .and_then(|(_, value)| value.as_number())
        .map(|n| n.as_float());
    let key = catalogue.plural_key(key, count);
    if let Some(done) = ready.get(key.as_ref()) {
        return Ok(done.clone());
    }
    let Some(text) = catalogue.strings.get(key.as_ref()) else {
        return Err(tera::Error::message(format!(
            "the string \"{key}\" is not in the catalogue"
        )));
    };
    let filled = fill(text, escape_text, |name| {
        kwargs
            .iter()
            .find(|(n, _)| n.as_str() == Some(name))
            .map(|(_, value)| match value.as_str() {
                Some(s) if value.is_safe() => Cow::Owned(s.to_owned()),
                Some(s) => Cow::Owned(crate::text::escape_markup(s)),
                None => Cow::Owned(crate::text::escape_markup(&value.to_string())),
            })
    })
    .map_err(|name| {
        tera::Error::message(format!(
            "the string \"{key}\" has the placeholder {{{name}}}: pass {name}=… to t()"
        ))
    })?;
    Ok(Value::safe_string(&filled))
}

fn strings_json(catalogue: &Catalogue, kwargs: &Kwargs) -> TeraResult<Value> {
    let keys: &[Value] = kwargs.must_get("keys")?;
    let mut map = serde_json::Map::new();
    for key in keys {
        let key = key.as_str().unwrap_or_default();
        let Some(text) = catalogue.strings.get(key) else {
            return Err(tera::Error::message(format!(
                "the string \"{key}\" is not in the catalogue"
            )));
        };
        map.insert(key.to_owned(), text.clone().into());
    }
    let json = serde_json::to_string(&map).expect("strings serialise");
    // Inside <script>, `</script>` or `<!--` would end or change the block: `<` as \u003c.
    Ok(Value::safe_string(&json.replace('<', "\\u003c")))
}

/// Escapes a catalogue's own text for HTML: `& < > "`. The apostrophe is left as written (the
/// theme quotes attributes with `"`), so "won't" renders as it did before catalogues.
fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` with each `{name}` replaced by `arg(name)` and the rest passed through `literal`;
/// `Err(name)` for a placeholder `arg` does not know.
fn fill<'t>(
    text: &'t str,
    literal: impl Fn(&'t str) -> Cow<'t, str>,
    arg: impl Fn(&str) -> Option<Cow<'t, str>>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(&literal(&rest[..=open]));
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str(&literal(&rest[..open]));
        out.push_str(&arg(name).ok_or_else(|| name.to_owned())?);
        rest = &rest[close + 1..];
    }
    out.push_str(&literal(rest));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(text: &str) -> Arc<Catalogue> {
        let mut catalogues = Catalogues::default();
        let mut problems = Vec::new();
        catalogues.layer("xx", Path::new("xx.toml"), text, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        catalogues.get("xx")
    }

    fn render(strings: &str, template: &str, context: &tera::Context) -> String {
        let mut tera = tera::Tera::new();
        register(&mut tera, catalogue(strings));
        tera.add_raw_template("t.html", template).unwrap();
        tera.render("t.html", context).unwrap()
    }

    #[test]
    fn text_is_escaped_placeholders_too_unless_they_are_markup() {
        let strings = r#""a" = "Tom & Jerry's <b> \"{who}\" {link}.""#;
        let mut context = tera::Context::new();
        context.insert("who", "<i>O'Neil</i>");
        let html = render(
            strings,
            r#"{% set link %}<a href="/">{{ "x&y" }}</a>{% endset %}{{ t(key="a", who=who, link=link) }}"#,
            &context,
        );
        assert_eq!(
            html,
            "Tom &amp; Jerry's &lt;b&gt; &quot;&lt;i&gt;O&#39;Neil&lt;/i&gt;&quot; <a href=\"/\">x&amp;y</a>."
        );
    }

    #[test]
    fn count_picks_the_plural_form() {
        let strings = "\"n_one\" = \"{count} article\"\n\"n_other\" = \"{count} articles\"\n";
        let template = r#"{% for n in [0, 1, 2] %}{{ t(key="n", count=n) }}|{% endfor %}"#;
        assert_eq!(
            render(strings, template, &tera::Context::new()),
            "0 articles|1 article|2 articles|"
        );
    }

    #[test]
    fn a_missing_key_or_placeholder_fails_the_render() {
        let mut tera = tera::Tera::new();
        register(&mut tera, catalogue("\"a\" = \"Hi {name}\""));
        tera.add_raw_template("missing.html", r#"{{ t(key="b") }}"#)
            .unwrap();
        tera.add_raw_template("unfilled.html", r#"{{ t(key="a") }}"#)
            .unwrap();
        let context = tera::Context::new();
        let error =
            crate::render::theme::error_chain(&tera.render("missing.html", &context).unwrap_err());
        assert!(error.contains("\"b\""), "{error}");
        let error =
            crate::render::theme::error_chain(&tera.render("unfilled.html", &context).unwrap_err());
        assert!(error.contains("{name}"), "{error}");
    }

    #[test]
    fn strings_are_json_that_cannot_end_the_script_block() {
        let strings = "\"a\" = \"</script> “{q}”\"\n\"b\" = \"B\"\n";
        let json = render(
            strings,
            r#"{{ strings(keys=["a", "b"]) }}"#,
            &tera::Context::new(),
        );
        assert_eq!(json, r#"{"a":"\u003c/script> “{q}”","b":"B"}"#);
    }

    #[test]
    fn rust_formats_plain_text_and_dates_in_the_language() {
        let nl = Catalogues::builtin().get("nl");
        assert_eq!(nl.date(Date::new(2026, 12, 4).unwrap()), "4 december 2026");
        assert_eq!(
            Catalogues::builtin()
                .get("en")
                .date(Date::new(2026, 3, 1).unwrap()),
            "1 March 2026"
        );
        // Plain text: the template escapes it where it lands.
        assert_eq!(nl.format("tag.title", &[("tag", "a&b")]), "Met tag ‘a&b’");
        assert_eq!(nl.callout_labels().warning, "Waarschuwing");
        assert_eq!(nl.text("no.such.key"), "no.such.key");
    }

    #[test]
    fn template_keys_are_found_at_their_opening_quote() {
        let source = "a {{ t(key=\"x.one\") }}\n{% if no %}{{ t(key='x.two', n=1) }}{% endif %}\
                      {{ at(key=\"not.this\") }}\n<script>{{ strings(keys=[\"s.a\",\n \"s.b\"]) }}";
        assert_eq!(
            template_keys(source),
            [
                ("x.one".to_owned(), 1, 12),
                ("x.two".to_owned(), 2, 21),
                ("s.a".to_owned(), 3, 26),
                ("s.b".to_owned(), 4, 2),
            ]
        );
    }

    #[test]
    fn layers_override_key_by_key_site_over_theme_over_builtin() {
        let root = tempfile::tempdir().unwrap();
        let theme_dir = root.path().join("themes/plain");
        for (dir, text) in [
            (
                theme_dir.join("i18n"),
                "\"nav.home\" = \"Theme\"\n\"footer.feed\" = \"Feed\"\n",
            ),
            (root.path().join("i18n"), "\"nav.home\" = \"Site\"\n"),
        ] {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("nl.toml"), text).unwrap();
        }
        let nl = Catalogues::load(root.path(), &theme_dir).unwrap().get("nl");
        assert_eq!(nl.text("nav.home"), "Site");
        assert_eq!(nl.text("footer.feed"), "Feed");
        assert_eq!(nl.text("base.skip_link"), "Naar de inhoud");
        assert_eq!(nl.file(), Path::new("i18n/nl.toml"));
    }

    #[test]
    fn a_language_lacking_a_key_the_generator_writes_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("i18n")).unwrap();
        let mut text = String::new();
        for key in GENERATOR_KEYS.iter().filter(|k| **k != "date.month_3") {
            text.push_str(&format!("\"{key}\" = \"x\"\n"));
        }
        std::fs::write(root.path().join("i18n/fr.toml"), text).unwrap();
        let catalogues = Catalogues::load(root.path(), &root.path().join("themes/x")).unwrap();
        let problems = check(&catalogues, &["fr".to_owned()], &[]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].file, Path::new("i18n/fr.toml"));
        assert!(problems[0].message.contains("\"date.month_3\""));
    }

    /// The catalogues the binary carries have the same keys in every language, and the
    /// built-in templates use only keys they have.
    #[test]
    fn the_builtin_catalogues_are_complete() {
        let dir = tempfile::tempdir().unwrap();
        let theme = crate::render::theme::Theme::load(dir.path(), "default").unwrap();
        let problems = theme.check_strings(&["en".to_owned(), "nl".to_owned()]);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
