//! How long `serve` takes to show an edit: the same [`Session`] `serve` uses, on a site on disk
//! (e.g. `bench/corpus.py 10000 /dev/shm/kb`), timed for a first full build, then for edits to one
//! article — its body (only its page changes), then its title (the lists that show it change
//! too), its tags, its related articles and its category (See also lists change too), each
//! one change from the original. Prints what `serve` prints; asserts nothing. Restores the
//! article afterwards.
//!
//! `cargo run --release --no-default-features -p generator --example incremental -- SITE_ROOT`

use std::path::PathBuf;

use anyhow::{bail, Context};
use generator::build::BuildOptions;
use generator::serve::session::Session;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: incremental SITE_ROOT")?,
    );
    let out = std::env::temp_dir().join(format!("tryfirst-incremental-{}", std::process::id()));
    let mut session = Session::new(BuildOptions {
        out: Some(out.clone()),
        ..BuildOptions::new(&root)
    });
    let result = measure(&root, &mut session);
    let _ = std::fs::remove_dir_all(&out);
    result
}

fn measure(root: &std::path::Path, session: &mut Session) -> anyhow::Result<()> {
    let first = session.update().context("the site does not build")?;
    println!("first build:  {}", first.summary());
    let (paths, _) = generator::content::source::content_paths(root);
    let Some(article) = paths.get(paths.len() / 2) else {
        bail!("the site has no articles");
    };
    let original = std::fs::read_to_string(article)?;
    let edits = [
        ("body edit", format!("{original}\nOne more sentence.\n")),
        (
            "body edit",
            format!("{original}\nTwo more sentences here.\n"),
        ),
        (
            "body edit",
            format!("{original}\nThree more sentences here now.\n"),
        ),
        (
            "title edit",
            original.replacen("title = \"", "title = \"Edited: ", 1),
        ),
        (
            "title edit",
            original.replacen("title = \"", "title = \"Edited again: ", 1),
        ),
        (
            "tags edit",
            with_line(&original, "tags", "[\"tag-01\", \"tag-02\"]"),
        ),
        (
            "related edit",
            with_line(&original, "related", "[\"kb-00001\"]"),
        ),
        (
            "category edit",
            with_line(&original, "category", &other_category(&original)),
        ),
    ];
    let outcome = (|| {
        // Back to the original first: each edit is one change from it.
        for (what, text) in &edits {
            std::fs::write(article, &original)?;
            session.update_changed(Some(std::slice::from_ref(article)))?;
            std::fs::write(article, text)?;
            // As `serve`'s watcher does: it has just seen which file changed.
            let update = session.update_changed(Some(std::slice::from_ref(article)))?;
            println!("{what:>13}: {}", update.summary());
        }
        anyhow::Ok(())
    })();
    std::fs::write(article, &original)?;
    outcome
}

/// `text` with its front matter's `key = …` line set to `key = value`.
fn with_line(text: &str, key: &str, value: &str) -> String {
    let prefix = format!("{key} = ");
    text.lines()
        .map(|line| match line.starts_with(&prefix) {
            true => format!("{prefix}{value}"),
            false => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A category of the corpus other than the article's (`bench/corpus.py` makes 12).
fn other_category(text: &str) -> String {
    let now = text.contains("category = \"category-00\"");
    format!("\"category-{:02}\"", if now { 1 } else { 0 })
}
