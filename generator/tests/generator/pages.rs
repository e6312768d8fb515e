//! Snapshots of every page, feed and sitemap of the valid fixture site, built as `tryfirst
//! build --no-minify` would build it, so a change to a template, the Markdown renderer or the
//! page data shows as a diff of the HTML a visitor gets. The fixture's dates are its own (front
//! matter), and no page names the folder it was built in, so the snapshots hold still.

use std::path::Path;

use generator::build::{build, BuildOptions};

use crate::support::fixture;

/// The files of a built site to snapshot: what a visitor or a crawler reads as text. Scripts,
/// CSS, images and search shards are theme files or data with tests of their own.
fn is_snapshotted(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "xml" | "txt")
    ) || path.ends_with("redirects.json")
}

#[test]
fn every_page_of_the_fixture_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&BuildOptions {
        out: Some(out.clone()),
        cache_dir: Some(dir.path().join("cache")),
        ..BuildOptions::new(fixture("valid"))
    })
    .unwrap();

    let mut pages: Vec<_> = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.is_file() && is_snapshotted(path))
        .collect();
    pages.sort();
    assert!(pages.len() > 15, "{pages:?}");
    for page in pages {
        let relative = page.strip_prefix(&out).unwrap().to_str().unwrap();
        // `tags/mfa/index.html` → snapshot `page@tags__mfa__index.html`.
        let name = format!("page@{}", relative.replace('/', "__"));
        let text = std::fs::read_to_string(&page).unwrap();
        insta::assert_snapshot!(name, text);
    }
}
