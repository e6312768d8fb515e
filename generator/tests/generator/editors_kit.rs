//! The editors' kit around the articles: favicon, "Edit this page", minified output, the code
//! copy button's script.

use std::fs;
use std::path::Path;

use generator::build::{build, BuildError, BuildOptions};

use crate::support::{fixture, site_copy};

fn options(root: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        out: Some(out.to_path_buf()),
        cache_dir: Some(out.with_file_name("cache")),
        ..BuildOptions::new(root)
    }
}

fn append_config(site: &Path, extra: &str) {
    let config = fs::read_to_string(site.join("site.toml")).unwrap();
    // Top-level keys go before the first table.
    let at = config.find("\n[").unwrap();
    fs::write(
        site.join("site.toml"),
        format!("{}\n{extra}\n{}", &config[..at], &config[at..]),
    )
    .unwrap();
}

fn errors(result: Result<generator::build::BuildReport, BuildError>) -> Vec<String> {
    match result {
        Err(BuildError::Invalid(diagnostics)) => diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}:{}: {} ({})",
                    d.file.display(),
                    d.line,
                    d.message,
                    d.hint.clone().unwrap_or_default()
                )
            })
            .collect(),
        other => panic!("expected errors, got {other:?}"),
    }
}

#[test]
fn the_default_favicon_is_published_and_linked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&options(&fixture("valid"), &out)).unwrap();
    let ico = fs::read(out.join("favicon.ico")).unwrap();
    assert_eq!(&ico[..4], &[0, 0, 1, 0], "an ICO file");
    assert!(fs::read_to_string(out.join("favicon.svg"))
        .unwrap()
        .starts_with("<svg"));
    for page in ["index.html", "printer/index.html", "404.html"] {
        let html = fs::read_to_string(out.join(page)).unwrap();
        assert!(
            html.contains("<link rel=\"icon\" href=\"/favicon.ico\" sizes=\"32x32\">"),
            "{page}"
        );
        assert!(
            html.contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"),
            "{page}"
        );
    }
}

#[test]
fn the_favicon_is_configurable_and_checked() {
    let site = site_copy();
    fs::write(site.path().join("static/brand.png"), b"not checked here").unwrap();
    append_config(site.path(), "favicon = \"/brand.png\"");
    let out = site.path().join("public");
    build(&options(site.path(), &out)).unwrap();
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("<link rel=\"icon\" href=\"/brand.png\">"),
        "{html}"
    );

    let site = site_copy();
    append_config(site.path(), "favicon = \"/favicon.sv\"");
    assert_eq!(
        errors(build(&options(site.path(), &site.path().join("public")))),
        ["site.toml:6: favicon /favicon.sv is not a file of the site (did you mean \"/favicon.svg\"?)"]
    );
}

#[test]
fn edit_url_puts_an_edit_link_on_articles() {
    let site = site_copy();
    append_config(
        site.path(),
        "edit_url = \"https://github.com/acme/help/edit/main/{path}\"",
    );
    let out = site.path().join("public");
    build(&options(site.path(), &out)).unwrap();
    let html = fs::read_to_string(out.join("printer/index.html")).unwrap();
    assert!(html.contains("<a href=\"https://github.com/acme/help/edit/main/content/devices/printer.md\" rel=\"nofollow\">Edit this page</a>"), "{html}");
    // Not on other pages, and not without the setting.
    assert!(!fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("Edit this page"));
    let plain = tempfile::tempdir().unwrap();
    build(&options(&fixture("valid"), &plain.path().join("public"))).unwrap();
    assert!(
        !fs::read_to_string(plain.path().join("public/printer/index.html"))
            .unwrap()
            .contains("Edit this page")
    );

    let site = site_copy();
    append_config(
        site.path(),
        "edit_url = \"https://github.com/acme/help/edit/main/\"",
    );
    let problems = errors(build(&options(site.path(), &site.path().join("public"))));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("site.toml:6: edit_url must be an http(s) URL containing {path}"),
        "{problems:?}"
    );
}

#[test]
fn build_minifies_pages_css_and_js_and_serve_style_output_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, small) = (dir.path().join("plain"), dir.path().join("small"));
    build(&options(&fixture("valid"), &plain)).unwrap();
    build(&BuildOptions {
        minify: true,
        ..options(&fixture("valid"), &small)
    })
    .unwrap();
    let size = |dir: &Path, file: &str| fs::metadata(dir.join(file)).unwrap().len();
    let plain_page = fs::read_to_string(plain.join("printer/index.html")).unwrap();
    let small_page = fs::read_to_string(small.join("printer/index.html")).unwrap();
    assert!(
        plain_page.contains("\n  <"),
        "unminified keeps its indentation"
    );
    assert!(!small_page.contains("\n  <"), "{small_page}");
    assert!(small_page.len() < plain_page.len() * 9 / 10);
    // Same content: the visible text and the image markup survive.
    assert!(small_page.contains("What if the printer shows offline?"));
    assert!(small_page.contains("width=1200") || small_page.contains("width=\"1200\""));
    let css = fs::read_dir(&small)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("style.") && name.ends_with(".css"))
        .unwrap();
    assert!(size(&small, &css) < size(&plain, &css) * 8 / 10);
    let css_text = fs::read_to_string(small.join(&css)).unwrap();
    assert!(!css_text.contains("/*"), "comments removed");
    let js = fs::read_dir(&small)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("copy.") && name.ends_with(".js"))
        .unwrap();
    assert!(size(&small, &js) < size(&plain, &js));
    // Data files are not touched.
    assert_eq!(
        fs::read(small.join("sitemap.xml")).unwrap(),
        fs::read(plain.join("sitemap.xml")).unwrap()
    );
}

#[test]
fn the_cli_minifies_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let site = site_copy();
    let run = |out: &Path, extra: &[&str]| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_tryfirst"))
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--out")
            .arg(out)
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success());
        fs::read_to_string(out.join("index.html")).unwrap()
    };
    let minified = run(&dir.path().join("a"), &[]);
    let plain = run(&dir.path().join("b"), &["--no-minify"]);
    assert!(minified.len() < plain.len());
    assert!(plain.contains("\n  <"));
}

#[test]
fn articles_load_the_copy_script_but_carry_no_button_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&options(&fixture("valid"), &out)).unwrap();
    let html = fs::read_to_string(out.join("printer/index.html")).unwrap();
    let script = html
        .split("<script src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|src| src.starts_with("/copy."))
        .expect("the copy script is loaded");
    assert!(html.contains(&format!("<script src=\"{script}\" defer></script>")));
    assert!(
        !html.contains("copy-button"),
        "the button exists only with JavaScript"
    );
    let js = fs::read_to_string(out.join(script.trim_start_matches('/'))).unwrap();
    assert!(js.contains("navigator.clipboard"));
}

#[test]
fn cli_init_then_check_then_build_pass_and_a_second_init_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tryfirst = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tryfirst"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let init = tryfirst(&["init", "my-help"]);
    assert!(init.status.success(), "{init:?}");
    for args in [
        &["check", "--root", "my-help"][..],
        &["build", "--root", "my-help"],
    ] {
        let output = tryfirst(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("warning"), "{stderr}");
    }
    assert!(dir
        .path()
        .join("my-help/public/printer-offline/index.html")
        .is_file());
    let again = tryfirst(&["init", "my-help"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}
