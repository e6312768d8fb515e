//! A site in two languages (`tests/fixtures/sites/bilingual`): where each language's pages go,
//! how the versions of a page link to each other, and what `check` says about translations.

use std::fs;
use std::path::Path;

use generator::build::{build, BuildError, BuildOptions};
use kb_model::retrieval::SearchIndex;

use crate::site::{broken_internal_links, json_ld, options};
use crate::support::{copy_tree, fixture, read};

fn built() -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build(&options(fixture("bilingual"), &out)).unwrap();
    assert_eq!(report.articles, 5, "3 English articles and 2 translations");
    let warnings = report
        .warnings
        .iter()
        .map(|w| format!("{}:{}: {}", w.file.display(), w.line, w.message))
        .collect();
    (dir, out, warnings)
}

/// The `<link rel="alternate" hreflang>` elements of a page, as (hreflang, href).
fn hreflangs(html: &str) -> Vec<(String, String)> {
    html.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .map(|rest| {
            let (lang, rest) = rest.split_once('"').unwrap();
            let href = rest
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (lang.to_owned(), href.to_owned())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn each_language_has_its_pages_under_its_prefix_linked_to_the_other() {
    let (_dir, out, warnings) = built();
    let dutch = read(&out, "nl/telefoon-kwijt/index.html");
    assert!(dutch.contains("<html lang=\"nl\">"));
    assert!(dutch.contains("<h2 id=\"probeer-eerst-dit\">Probeer eerst dit</h2>"));
    assert_eq!(
        hreflangs(&dutch),
        pairs(&[
            ("en", "https://help.fixture.test/lost-phone/"),
            ("nl", "https://help.fixture.test/nl/telefoon-kwijt/"),
            ("x-default", "https://help.fixture.test/lost-phone/"),
        ])
    );
    let english = read(&out, "lost-phone/index.html");
    assert!(english.contains("<html lang=\"en\">"));
    assert_eq!(hreflangs(&english), hreflangs(&dutch), "both name both");
    // A translation without its own slug keeps the original's, under the prefix.
    assert!(out.join("nl/printer/index.html").is_file());
    // The switch: to the translation, or to the language's home page, saying so.
    assert!(english
        .contains("<a href=\"/nl/telefoon-kwijt/\" hreflang=\"nl\" lang=\"nl\">Nederlands</a>"));
    let untranslated = read(&out, "hardware-key/index.html");
    let switch = untranslated
        .split("class=\"language-switch\"")
        .nth(1)
        .unwrap()
        .split("</nav>")
        .next()
        .unwrap();
    assert!(switch.contains("<a href=\"/nl/\" hreflang=\"nl\" lang=\"nl\">Nederlands</a> <span class=\"language-missing\">"), "{switch}");
    assert_eq!(
        hreflangs(&untranslated),
        pairs(&[
            ("en", "https://help.fixture.test/hardware-key/"),
            ("x-default", "https://help.fixture.test/hardware-key/"),
        ]),
        "no hreflang for a translation that does not exist"
    );
    // Lists and navigation stay in the page's language.
    let dutch_home = read(&out, "nl/index.html");
    assert!(dutch_home.contains("<title>Fixture Hulp</title>"));
    assert!(dutch_home.contains("href=\"/nl/categories/accounts/\""));
    assert!(dutch_home.contains("Accounts en MFA"));
    assert!(!dutch_home.contains("href=\"/lost-phone/\""));
    assert!(out.join("nl/tags/wachtwoorden/index.html").is_file());
    assert!(!out.join("tags/wachtwoorden/index.html").exists());
    assert_eq!(json_ld(&dutch)["@graph"][0]["inLanguage"], "nl");
    assert_eq!(json_ld(&english)["@graph"][0]["inLanguage"], "en");
    assert_eq!(broken_internal_links(&out), Vec::<String>::new());
    assert_eq!(
        warnings,
        [
            "content/accounts/lost-phone.nl.md:6: related article \"hardware-key\" has no `nl` translation: See also links to its `en` version",
            "content/accounts/lost-phone.nl.md:12: @/hardware-key has no `nl` translation: the link goes to the article in the default language",
        ]
    );
}

#[test]
fn links_and_see_also_stay_in_the_language_and_fall_back_to_the_default() {
    let (_dir, out, _) = built();
    let dutch = read(&out, "nl/telefoon-kwijt/index.html");
    assert!(dutch.contains("<a href=\"/nl/printer/\">de printer</a>"));
    assert!(dutch.contains("<a href=\"/hardware-key/\">je sleutel</a>"));
    let see_also = dutch.split("id=\"see-also\"").nth(1).unwrap();
    assert!(
        see_also.contains("href=\"/hardware-key/\""),
        "falls back to English"
    );
    assert!(!see_also.contains("href=\"/lost-phone/\""));
    let english = read(&out, "lost-phone/index.html");
    assert!(english.contains("<a href=\"/printer/\">the printer</a>"));
}

#[test]
fn sitemap_lists_every_version_and_each_language_has_its_feed() {
    let (_dir, out, _) = built();
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    let entry = sitemap
        .lines()
        .find(|l| l.contains("<loc>https://help.fixture.test/nl/telefoon-kwijt/</loc>"))
        .expect("the Dutch article is in the sitemap");
    assert!(entry.contains("<xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.fixture.test/lost-phone/\"/>"));
    assert!(entry.contains("<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://help.fixture.test/lost-phone/\"/>"));
    // Per language: 4 site pages, 2 categories, its tags (3 English, 4 Dutch), its articles.
    assert_eq!(
        sitemap.matches("<loc>").count(),
        (4 + 2 + 3 + 3) + (4 + 2 + 4 + 2)
    );
    let feed = read(&out, "nl/atom.xml");
    assert!(feed.contains("xml:lang=\"nl\""));
    assert!(feed.contains("<title>Fixture Hulp</title>"));
    assert!(feed.contains("https://help.fixture.test/nl/telefoon-kwijt/"));
    assert!(!feed.contains("https://help.fixture.test/lost-phone/"));
    assert!(!read(&out, "atom.xml").contains("/nl/"));
    let bundle: serde_json::Value =
        serde_json::from_str(&read(&out, "tryfirst-bundle.json")).unwrap();
    assert_eq!(
        bundle["homes"],
        serde_json::json!({"en": "https://help.fixture.test/", "nl": "https://help.fixture.test/nl/"}),
        "the question function links the general form's answer back to the page's home"
    );
    // The index beside it covers every language's records, in the bundle's order.
    let json = fs::read(out.join(kb_model::BUNDLE_FILE_NAME)).unwrap();
    let bundle = kb_model::Bundle::from_json(std::str::from_utf8(&json).unwrap()).unwrap();
    assert!(bundle.languages.len() == 2 && bundle.articles.len() > 3);
    let file = fs::read(out.join(kb_model::INDEX_FILE_NAME)).unwrap();
    let fingerprint = kb_model::BundleFingerprint::of(&json);
    let index = SearchIndex::from_file(&file, &fingerprint).expect("the bundle's index");
    assert!(index == SearchIndex::new(&bundle));
}

/// Breaks a copy of the fixture with `change` and returns `check`'s errors as `file:line: message`.
fn errors_after(change: impl FnOnce(&Path)) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("bilingual"), dir.path());
    change(dir.path());
    let options = BuildOptions {
        write: false,
        ..BuildOptions::new(dir.path())
    };
    match build(&options) {
        Err(BuildError::Invalid(problems)) => problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| format!("{}:{}: {}", p.file.display(), p.line, p.message))
            .collect(),
        other => panic!("expected errors, got {other:?}"),
    }
}

#[test]
fn translations_of_nothing_and_two_claiming_one_address_are_located_errors() {
    let content = |root: &Path, file: &str| root.join("content").join(file);
    let errors = errors_after(|root| {
        let dutch = fs::read_to_string(content(root, "devices/printer.nl.md")).unwrap();
        fs::write(content(root, "devices/scanner.nl.md"), &dutch).unwrap();
        fs::write(
            content(root, "devices/printer.nl.md"),
            dutch.replace(
                "risk = \"low\"\n",
                "risk = \"low\"\nslug = \"telefoon-kwijt\"\n",
            ),
        )
        .unwrap();
    });
    assert_eq!(
        errors,
        [
            "content/devices/printer.nl.md:8: /nl/telefoon-kwijt/ is already the address of content/accounts/lost-phone.nl.md",
            "content/devices/scanner.nl.md:1: this translates `scanner`, but there is no `scanner.md` in the default language (en)",
        ]
    );
}

#[test]
fn a_file_in_a_language_the_site_does_not_have_is_a_located_error() {
    let errors = errors_after(|root| {
        fs::copy(
            root.join("content/devices/printer.nl.md"),
            root.join("content/devices/printer.de.md"),
        )
        .unwrap();
    });
    assert_eq!(
        errors,
        ["content/devices/printer.de.md:1: `de` in the file name is not one of the site's languages"]
    );
}

/// `serve` on a site in two languages builds it whole on each change: an edit of a translation
/// reaches its page, and the other language's page still links to it.
#[test]
fn serve_brings_both_languages_up_to_date_after_an_edit() {
    use generator::serve::session::Session;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("bilingual"), &root);
    let out = dir.path().join("served");
    let mut session = Session::new(BuildOptions {
        out: Some(out.clone()),
        live_reload: true,
        cache_dir: Some(dir.path().join("cache")),
        ..BuildOptions::new(&root)
    });
    let first = session.update().unwrap();
    assert_eq!(first.articles, 5);
    let page = read(&out, "nl/printer/index.html");
    assert!(page.contains(generator::serve::session::RELOAD_TAG));
    let file = root.join("content/devices/printer.nl.md");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("Wat als de printer op offline staat?", "Printer offline?")
            .replace(
                "risk = \"low\"\n",
                "risk = \"low\"\nslug = \"printer-offline\"\n",
            ),
    )
    .unwrap();
    session.update().unwrap();
    assert!(read(&out, "nl/printer-offline/index.html").contains("<h1>Printer offline?</h1>"));
    assert!(
        !out.join("nl/printer/index.html").exists(),
        "the old address is gone"
    );
    assert!(read(&out, "printer/index.html").contains("href=\"/nl/printer-offline/\""));
}

/// `tryfirst new --translate hardware-key --lang nl` starts a draft translation: the language's
/// headings, not published, and until it is, Dutch links to it go to the English article.
#[test]
fn a_translation_started_with_new_is_a_draft_that_links_fall_back_from() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("bilingual"), &root);
    let text = fs::read_to_string(root.join("site.toml")).unwrap();
    let config = generator::config::SiteConfig::parse(Path::new("site.toml"), &text).unwrap();
    let path = generator::new::create_translation(&root, &config, "hardware-key", "nl").unwrap();
    assert_eq!(path, root.join("content/accounts/hardware-key.nl.md"));
    let draft = fs::read_to_string(&path).unwrap();
    assert!(draft.contains("\ndraft = true\n") && draft.contains("\n## Probeer eerst dit\n"));
    assert!(matches!(
        generator::new::create_translation(&root, &config, "hardware-key", "nl"),
        Err(generator::new::NewError::Exists(_))
    ));
    assert!(matches!(
        generator::new::create_translation(&root, &config, "hardware-key", "de"),
        Err(generator::new::NewError::UnknownLanguage(..))
    ));

    let out = dir.path().join("public");
    let report = build(&options(root.clone(), &out)).unwrap();
    assert_eq!(report.drafts_skipped, 1);
    assert!(!out.join("nl/hardware-key/index.html").exists());
    assert!(read(&out, "nl/telefoon-kwijt/index.html")
        .contains("<a href=\"/hardware-key/\">je sleutel</a>"));
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
}
