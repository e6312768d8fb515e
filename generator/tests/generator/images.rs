//! Images in articles, end to end: published next to their article or from `static/`, sized,
//! scaled down, offered as WebP, encoded once thanks to the cache, and every bad input refused
//! with a located message while the previous site stays as it was.

use std::fs;
use std::path::Path;

use generator::build::{build, BuildError, BuildOptions};
use generator::diagnostics::Diagnostic;

use crate::support::{fixture, site_copy};

fn options(root: &Path, out: &Path, cache: &Path) -> BuildOptions {
    BuildOptions {
        out: Some(out.to_path_buf()),
        cache_dir: Some(cache.to_path_buf()),
        ..BuildOptions::new(root)
    }
}

fn img_tags(html: &str) -> Vec<&str> {
    html.match_indices("<img ")
        .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap() + 1])
        .collect()
}

#[test]
fn images_next_to_the_article_and_in_static_are_published_sized_and_cached() {
    let dir = tempfile::tempdir().unwrap();
    let (out, cache) = (dir.path().join("public"), dir.path().join("cache"));
    let report = build(&options(&fixture("valid"), &out, &cache)).unwrap();
    // Both PNGs went through the encoder once.
    assert_eq!(report.images_encoded, 2);
    let html = fs::read_to_string(out.join("printer/index.html")).unwrap();
    let imgs = img_tags(&html);
    assert_eq!(imgs.len(), 2, "{imgs:?}");
    // The screenshot next to the article: 1600 px wide, scaled down to 1200, with a WebP.
    assert!(html.contains("<picture><source srcset=\"/assets/images/printer-panel."));
    assert!(
        imgs[0].contains("width=\"1200\" height=\"360\""),
        "{}",
        imgs[0]
    );
    // The first image, near the top, loads at once; the one further down waits.
    assert!(!imgs[0].contains("loading="), "{}", imgs[0]);
    assert!(
        imgs[1].contains("width=\"64\" height=\"48\" loading=\"lazy\" decoding=\"async\""),
        "{}",
        imgs[1]
    );
    assert!(imgs[1].contains("title=\"Warning light\""));
    // Every published image is there. The WebP is the scaled one; the PNG fallback is the
    // scaled copy or, when that came out larger in bytes (as for this flat image), the
    // original shown at the scaled size.
    for url in html
        .split(['"', ' '])
        .filter(|part| part.starts_with("/assets/images/"))
    {
        let bytes = fs::read(out.join(url.trim_start_matches('/'))).unwrap();
        let size = imagesize::blob_size(&bytes).unwrap();
        if url.contains("printer-panel") && url.ends_with(".webp") {
            assert_eq!((size.width, size.height), (1200, 360), "{url}");
        }
        if url.contains("printer-panel") && url.ends_with(".png") {
            let original =
                fs::read(fixture("valid").join("content/devices/printer-panel.png")).unwrap();
            assert!(
                bytes.len() <= original.len(),
                "{url}: never larger than the original"
            );
        }
    }
    // The encoded files live in the cache, not in the output.
    assert!(fs::read_dir(&cache).unwrap().count() >= 3);

    // A rebuild (and any other run with the same cache) encodes nothing and writes the same.
    let out2 = dir.path().join("public2");
    let again = build(&options(&fixture("valid"), &out2, &cache)).unwrap();
    assert_eq!(again.images_encoded, 0);
    assert_eq!(
        fs::read_to_string(out2.join("printer/index.html")).unwrap(),
        html
    );
    let listing = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = fs::read_dir(dir.join("assets/images"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    assert_eq!(listing(&out), listing(&out2));
}

#[test]
fn max_width_is_configurable() {
    let site = site_copy();
    let config = fs::read_to_string(site.path().join("site.toml")).unwrap();
    fs::write(
        site.path().join("site.toml"),
        format!("{config}\n[images]\nmax_width = 800\n"),
    )
    .unwrap();
    let out = site.path().join("public");
    build(&options(site.path(), &out, &site.path().join("cache"))).unwrap();
    let html = fs::read_to_string(out.join("printer/index.html")).unwrap();
    assert!(html.contains("width=\"800\" height=\"240\""), "{html}");
}

/// Builds `site` into an output folder that holds a previous site, and returns the errors;
/// asserts that the previous site is still there, untouched.
fn failed_build(site: &Path) -> Vec<Diagnostic> {
    let out = site.join("public");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("index.html"), "the previous site").unwrap();
    let result = build(&options(site, &out, &site.join("cache")));
    let Err(BuildError::Invalid(diagnostics)) = result else {
        panic!("expected errors, got {result:?}");
    };
    assert_eq!(
        fs::read_to_string(out.join("index.html")).unwrap(),
        "the previous site"
    );
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        1,
        "nothing else written"
    );
    // `check` finds the same problems.
    let checked = build(&BuildOptions {
        write: false,
        ..options(site, &out, &site.join("cache"))
    });
    let Err(BuildError::Invalid(checked)) = checked else {
        panic!("check should fail too");
    };
    assert_eq!(messages(&checked), messages(&diagnostics));
    diagnostics.into_iter().filter(|d| d.is_error()).collect()
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {}",
                d.file.display(),
                d.line,
                d.column,
                d.message
            )
        })
        .collect()
}

/// The printer article's screenshot replaced by `bytes`.
fn with_screenshot(bytes: &[u8]) -> tempfile::TempDir {
    let site = site_copy();
    fs::write(site.path().join("content/devices/printer-panel.png"), bytes).unwrap();
    site
}

fn only_error(site: &Path) -> Diagnostic {
    let mut errors = failed_build(site);
    assert_eq!(errors.len(), 1, "{:?}", messages(&errors));
    errors.remove(0)
}

#[test]
fn a_missing_image_is_located_with_a_did_you_mean() {
    let site = site_copy();
    let article = site.path().join("content/devices/printer.md");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        text.replace("(printer-panel.png)", "(printer-panell.png)"),
    )
    .unwrap();
    let error = only_error(site.path());
    assert_eq!(
        messages(std::slice::from_ref(&error)),
        ["content/devices/printer.md:12:1: image `printer-panell.png` not found (looked for content/devices/printer-panell.png)"]
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("did you mean `printer-panel.png`?")
    );

    let site = site_copy();
    let article = site.path().join("content/devices/printer.md");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        text.replace("/images/key-icon.png", "/images/key-ikon.png"),
    )
    .unwrap();
    let error = only_error(site.path());
    assert!(
        error
            .message
            .contains("looked for static/images/key-ikon.png"),
        "{}",
        error.message
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("did you mean `/images/key-icon.png`?")
    );
}

#[test]
fn a_reference_outside_the_site_is_refused() {
    let site = site_copy();
    let article = site.path().join("content/devices/printer.md");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        text.replace("(printer-panel.png)", "(../../../../../../etc/hostname)"),
    )
    .unwrap();
    let error = only_error(site.path());
    assert!(
        error.message.contains("points outside the site") || error.message.contains("not found"),
        "{}",
        error.message
    );
}

#[test]
fn a_corrupt_image_is_an_error_not_a_panic() {
    let site = with_screenshot(b"this is not a picture at all, only text saved as .png");
    let error = only_error(site.path());
    assert!(
        error
            .message
            .starts_with("image `printer-panel.png` is not an image"),
        "{}",
        error.message
    );
    assert_eq!(error.line, 12);
}

#[test]
fn a_truncated_image_is_an_error() {
    let whole = fs::read(fixture("valid").join("content/devices/printer-panel.png")).unwrap();
    let site = with_screenshot(&whole[..whole.len() / 2]);
    let error = only_error(site.path());
    assert!(
        error
            .message
            .starts_with("image `printer-panel.png` is corrupt or truncated"),
        "{}",
        error.message
    );
    assert!(error.hint.is_some());
}

#[test]
fn a_20000_by_20000_image_is_refused_before_decoding() {
    // A valid PNG header claiming 20,000 × 20,000 px over a few bytes: decoding it would need
    // 1.6 GB; the header alone refuses it.
    let mut header = fs::read(fixture("valid").join("static/images/key-icon.png")).unwrap();
    header[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    header[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let site = with_screenshot(&header);
    let error = only_error(site.path());
    assert_eq!(
        error.message,
        "image `printer-panel.png` is 20000 × 20000 px; images are limited to 48000000 pixels and 16384 px a side"
    );
}

#[test]
fn a_50_mb_file_is_refused_unread() {
    let site = site_copy();
    let file = fs::File::create(site.path().join("content/devices/printer-panel.png")).unwrap();
    // Sparse: 50 MB on paper, nothing on disk. Its size alone refuses it.
    file.set_len(50 * 1024 * 1024).unwrap();
    let error = only_error(site.path());
    assert_eq!(
        error.message,
        "image `printer-panel.png` is 50.0 MB; images are limited to 20.0 MB"
    );
}

#[test]
fn an_svg_with_a_script_is_refused_and_a_clean_one_published() {
    let site = site_copy();
    let article = site.path().join("content/devices/printer.md");
    let text = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        text.replace("(printer-panel.png)", "(diagram.svg)"),
    )
    .unwrap();
    let svg = site.path().join("content/devices/diagram.svg");
    fs::write(
        &svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><script>alert(document.cookie)</script></svg>"#,
    )
    .unwrap();
    let error = only_error(site.path());
    assert_eq!(
        error.message,
        "image `diagram.svg` contains a <script> element, which could run code on the help site"
    );

    fs::write(
        &svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><rect width="200" height="100" fill="#07c"/></svg>"##,
    )
    .unwrap();
    let out = site.path().join("public");
    build(&options(site.path(), &out, &site.path().join("cache"))).unwrap();
    let html = fs::read_to_string(out.join("printer/index.html")).unwrap();
    let imgs = img_tags(&html);
    assert!(
        imgs[0].contains("width=\"200\" height=\"100\""),
        "{}",
        imgs[0]
    );
    let src = imgs[0].split('"').nth(1).unwrap();
    assert!(src.starts_with("/assets/images/diagram.") && src.ends_with(".svg"));
    assert!(out.join(src.trim_start_matches('/')).is_file());
}
