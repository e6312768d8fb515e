//! The theme's words per language: a Dutch site reads Dutch everywhere (navigation, dates,
//! callouts, page titles, the scripts' words), a site's own catalogue overrides one key, and
//! the checks name the template line or catalogue file of a missing string.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use generator::build::{build, BuildError, BuildOptions};
use generator::render::theme::Theme;

use crate::support::{fixture, read, repo, site_copy};

fn built(site: PathBuf) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let options = BuildOptions {
        out: Some(out.clone()),
        minify: false,
        cache_dir: Some(dir.path().join("cache")),
        ..BuildOptions::new(site)
    };
    let report = build(&options).unwrap_or_else(|e| match e {
        BuildError::Invalid(problems) => panic!("{problems:#?}"),
        other => panic!("{other}"),
    });
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    (dir, out)
}

fn catalogue(language: &str) -> BTreeMap<String, String> {
    let path = repo().join(format!("themes/default/i18n/{language}.toml"));
    toml::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn pages(out: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let name = e.path().strip_prefix(out).unwrap().display().to_string();
            (name, fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_dutch_site_reads_dutch_everywhere() {
    let (_dir, out) = built(fixture("dutch"));
    let home = read(&out, "index.html");
    // Navigation and the layout's words.
    assert!(home.contains("<html lang=\"nl\">"));
    assert!(home.contains("<a class=\"skip-link\" href=\"#main\">Naar de inhoud</a>"));
    assert!(home.contains("<nav class=\"site-nav\" aria-label=\"Categorieën\">"));
    assert!(home.contains(">Alle categorieën</a></li>"));
    assert!(home.contains(">Abonneren op updates (Atom-feed)</a>"));
    // Plurals: two articles in the category.
    assert!(
        home.contains("<p class=\"count\">2 artikelen</p>"),
        "{home}"
    );
    // Dates in Dutch.
    assert!(home.contains("<time datetime=\"2026-12-04\">4 december 2026</time>"));

    let article = read(&out, "printer-offline/index.html");
    assert!(article.contains("<p class=\"callout-title\">Waarschuwing</p>"));
    assert!(article.contains(
        "<span class=\"updated\">Bijgewerkt <time datetime=\"2026-12-04\">4 december 2026</time>"
    ));
    assert!(article.contains("<nav class=\"breadcrumbs wrap\" aria-label=\"Kruimelpad\">"));
    assert!(article.contains("Laag risico"), "risk badge");
    // The copy button's words reach the script as data, in Dutch.
    assert!(article.contains(
        "<script type=\"application/json\" id=\"copy-strings\">{\"copy.button\":\"Kopiëren\""
    ));
    let other = read(&out, "laptop-traag/index.html");
    assert!(other.contains("<p class=\"callout-title\">Opmerking</p>"));
    assert!(other.contains(">1 maart 2026</time>"));

    // Page titles and descriptions the generator writes.
    let categories = read(&out, "categories/index.html");
    assert!(categories.contains("<title>Alle categorieën · Fixture Hulp</title>"));
    assert!(categories
        .contains("<meta name=\"description\" content=\"Alle helpartikelen van Fixture Hulp, per categorie.\">"));
    assert!(read(&out, "search/index.html").contains("<title>Zoeken · Fixture Hulp</title>"));
    assert!(read(&out, "privacy/index.html").contains("<h1>Privacyverklaring</h1>"));
    assert!(read(&out, "404.html").contains("<h1>Pagina niet gevonden</h1>"));
    let tag = read(&out, "tags/prestaties/index.html");
    assert!(tag.contains("<h1>Met tag ‘prestaties’</h1>"), "{tag}");
    assert!(tag.contains("<p class=\"lead\">1 artikel</p>"));
    assert!(read(&out, "tags/printen/index.html").contains("<p class=\"lead\">2 artikelen</p>"));

    // Nothing English is left: no page holds an English string that Dutch words differently.
    let (en, nl) = (catalogue("en"), catalogue("nl"));
    let english: Vec<&String> = en
        .iter()
        .filter(|(key, text)| nl.get(*key) != Some(*text) && !text.contains('{') && text.len() > 5)
        .map(|(_, text)| text)
        .collect();
    assert!(english.len() > 100, "{}", english.len());
    for (name, html) in pages(&out) {
        for text in &english {
            let escaped = text.replace('&', "&amp;").replace('"', "&quot;");
            // A single word only as a whole text or attribute ("Language" is in "inLanguage").
            let found = match text.contains(' ') {
                true => html.contains(text.as_str()) || html.contains(&escaped),
                false => {
                    html.contains(&format!(">{text}<")) || html.contains(&format!("\"{text}\""))
                }
            };
            assert!(!found, "{name} has the English \"{text}\"");
        }
        for word in ["Updated", "Home page", "January", "December", "Warning"] {
            assert!(!html.contains(word), "{name} has \"{word}\"");
        }
    }
}

#[test]
fn a_sites_own_catalogue_overrides_one_key() {
    let (_dir, out) = built(fixture("dutch"));
    let home = read(&out, "index.html");
    // tests/fixtures/sites/dutch/i18n/nl.toml sets only this key...
    assert!(home.contains("<h2 id=\"recent-heading\">Net bijgewerkt</h2>"));
    assert!(!home.contains("Recent bijgewerkt"));
    // ...and every other key still comes from the theme.
    assert!(home.contains("Naar de inhoud"));
}

#[test]
fn a_key_a_template_uses_but_a_language_lacks_names_the_template_line_and_key() {
    let site = site_copy();
    fs::create_dir_all(site.path().join("templates")).unwrap();
    // In a branch no page takes: the check reads the template, it does not render it.
    fs::write(
        site.path().join("templates/tags.html"),
        "{% extends \"base.html\" %}\n{% block content %}{% if false %}\n  <p>{{ t(key=\"tags.no_such_key\") }}</p>\n{% endif %}{% endblock content %}\n",
    )
    .unwrap();
    let options = BuildOptions {
        write: false,
        ..BuildOptions::new(site.path())
    };
    let Err(BuildError::Invalid(problems)) = build(&options) else {
        panic!("the site should not build");
    };
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.file, Path::new("templates/tags.html"));
    assert_eq!((problem.line, problem.column), (3, 15));
    assert!(
        problem.message.contains("\"tags.no_such_key\"") && problem.message.contains("\"en\""),
        "{}",
        problem.message
    );
    assert!(problem.hint.as_deref().unwrap().contains("i18n/en.toml"));
}

#[test]
fn languages_must_have_the_same_keys_and_a_catalogue_each() {
    let site = tempfile::tempdir().unwrap();
    fs::create_dir_all(site.path().join("i18n")).unwrap();
    fs::write(
        site.path().join("i18n/en.toml"),
        "\"footer.extra\" = \"Only in English\"\n",
    )
    .unwrap();
    let theme = Theme::load(site.path(), "default").unwrap();
    let languages = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    // English alone is complete: the extra key is nobody's business.
    assert!(theme.check_strings(&languages(&["en"])).is_empty());
    // With Dutch too, Dutch lacks it: the Dutch catalogue is named, with the key.
    let problems = theme.check_strings(&languages(&["en", "nl"]));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, Path::new("(built-in theme)/i18n/nl.toml"));
    assert!(problems[0].message.contains("\"footer.extra\""));
    // A language nobody wrote strings for.
    let problems = theme.check_strings(&languages(&["en", "fr"]));
    assert!(
        problems.iter().any(|p| p.file == Path::new("site.toml")
            && p.message.contains("\"fr\"")
            && p.hint
                .as_deref()
                .is_some_and(|h| h.contains("i18n/fr.toml"))),
        "{problems:#?}"
    );
}

#[test]
fn a_malformed_catalogue_is_an_error_at_its_line() {
    let site = tempfile::tempdir().unwrap();
    fs::create_dir_all(site.path().join("i18n")).unwrap();
    fs::write(
        site.path().join("i18n/nl.toml"),
        "\"nav.home\" = \"Thuis\"\nfooter.feed = \"Atom\"\n",
    )
    .unwrap();
    let problems = Theme::load(site.path(), "default").err().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, Path::new("i18n/nl.toml"));
    assert_eq!(problems[0].line, 2, "{problems:#?}");
    assert!(
        problems[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("quoted")),
        "{problems:#?}"
    );
}
