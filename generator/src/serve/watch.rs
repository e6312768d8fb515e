//! Change detection for `serve`. By default the operating system tells us of each save
//! (`notify`: inotify, FSEvents, ReadDirectoryChangesW), through a debouncer that gathers a
//! burst of events (an editor's temporary file, rename and write) for [`SETTLE`]; files being
//! opened and read (by the rebuild itself, too) are not changes. A save is seen within
//! milliseconds, where polling took up to a quarter second and a `stat` of every
//! file each time. The articles named by the events go to the session, which reads just those.
//!
//! `serve --poll` polls file metadata instead, for network drives and containers whose
//! mounts deliver no events: a few thousand `stat` calls every quarter second (tens of
//! milliseconds at 10,000 articles, in parallel), which see every editor's save strategy
//! (rename-over, truncate-and-write) the same way on every platform.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use rayon::prelude::*;

use crate::content::source::CONTENT_DIR;
use crate::serve::http::Server;
use crate::serve::session::{stamp, Stamp, SETTINGS_DIRS};

/// How often the watched files are checked for changes, with `--poll`.
const POLL: Duration = Duration::from_millis(250);

/// How long a file must be quiet before its events are handed on: an editor's save is a burst
/// of events within a few milliseconds.
const SETTLE: Duration = Duration::from_millis(10);

/// Every watched file's stamp, by path.
pub(super) type Scan = HashMap<PathBuf, Option<Stamp>>;

/// Stamps every watched file (in parallel: thousands of `stat`s every poll).
pub(super) fn scan(root: &Path) -> Scan {
    let config = root.join(crate::config::CONFIG_FILE);
    let mut paths = vec![config];
    for dir in site_dirs(root) {
        paths.extend(
            walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
                .map(walkdir::DirEntry::into_path),
        );
    }
    paths
        .into_par_iter()
        .map(|path| {
            let stamp = stamp(&path);
            (path, stamp)
        })
        .collect()
}

/// The articles that changed between two scans, when nothing else did (no file added or
/// removed, no setting or theme file changed): the session then re-reads just those.
fn changed_articles(root: &Path, before: &Scan, after: &Scan) -> Option<Vec<PathBuf>> {
    if before.len() != after.len() {
        return None;
    }
    let content = root.join(CONTENT_DIR);
    let mut changed = Vec::new();
    for (path, stamp) in after {
        if before.get(path)? != stamp {
            let article = path.starts_with(&content) && path.extension().is_some_and(|e| e == "md");
            if !article {
                return None;
            }
            changed.push(path.clone());
        }
    }
    Some(changed)
}

/// The folders and files `serve` watches for events: `content/` and the settings folders,
/// recursively, and the site folder itself (not recursively: for `site.toml`, which editors
/// replace by renaming, and for a settings folder created later).
fn watched(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut watched = vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    watched.extend(site_dirs(root).map(|dir| (dir, RecursiveMode::Recursive)));
    watched
}

/// `content/` and those of the settings folders the site has: what both ways of watching
/// look into.
fn site_dirs(root: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    std::iter::once(&CONTENT_DIR)
        .chain(SETTINGS_DIRS)
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
}

/// Starts the operating system's watcher: its events arrive on the returned channel. `None`
/// (with the reason printed) when the system refuses, e.g. out of inotify watches: then
/// `serve` polls.
pub(super) fn start_events(
    root: &Path,
) -> Option<(
    Debouncer<RecommendedWatcher, RecommendedCache>,
    tokio::sync::mpsc::UnboundedReceiver<DebounceEventResult>,
)> {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let started = new_debouncer(SETTLE, None, move |events: DebounceEventResult| {
        let _ = sender.send(events);
    })
    .and_then(|mut debouncer| {
        for (path, mode) in watched(root) {
            debouncer.watch(&path, mode)?;
        }
        Ok(debouncer)
    });
    match started {
        Ok(debouncer) => Some((debouncer, receiver)),
        Err(error) => {
            eprintln!("warning: cannot watch the site's files ({error}); polling them instead");
            None
        }
    }
}

/// Rebuilds after each burst of events from [`start_events`]. `debouncer` is held for as long
/// as events are wanted.
pub(super) async fn watch_events(
    server: Arc<Server>,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<DebounceEventResult>,
) {
    let _watching = debouncer;
    let root = server.options.root.clone();
    while let Some(first) = events.recv().await {
        // Whatever else has arrived meanwhile goes into the same rebuild.
        let mut batch = vec![first];
        while let Ok(more) = events.try_recv() {
            batch.push(more);
        }
        let mut paths = Vec::new();
        let mut lost = false;
        for events in batch {
            match events {
                Ok(events) => paths.extend(
                    events
                        .into_iter()
                        .filter(|event| !matches!(event.kind, EventKind::Access(_)))
                        .flat_map(|event| event.event.paths),
                ),
                // The system dropped events (a queue overflow): only a look at every file
                // tells what changed.
                Err(_) => lost = true,
            }
        }
        let changed = match lost {
            true => Some(None),
            false => changes(&root, &paths),
        };
        let Some(changed) = changed else {
            continue;
        };
        eprintln!("Change detected, rebuilding…");
        let _form = server.rebuild(changed).await;
    }
}

/// What `paths` (from events) mean for the session: `None` when none matters (a temporary
/// file of an editor, the output folder), `Some(Some(articles))` when only those existing
/// articles changed, `Some(None)` when anything else did (an article added or removed, an
/// image, a setting or theme file): then the session looks at every file.
fn changes(root: &Path, paths: &[PathBuf]) -> Option<Option<Vec<PathBuf>>> {
    let content = root.join(CONTENT_DIR);
    let settings: Vec<PathBuf> = std::iter::once(root.join(crate::config::CONFIG_FILE))
        .chain(SETTINGS_DIRS.iter().map(|dir| root.join(dir)))
        .collect();
    let mut articles = Vec::new();
    let mut everything = false;
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Editors' swap, backup and probe files (`.x.md.swp`, `x.md~`, vim's `4913`).
        if name.starts_with('.') || name.ends_with('~') || name == "4913" {
            continue;
        }
        if path.starts_with(&content) {
            let article = path.extension().is_some_and(|e| e == "md") && path.is_file();
            match article {
                true => articles.push(path.clone()),
                false => everything = true,
            }
        } else if settings.iter().any(|s| path.starts_with(s)) || path == &content {
            everything = true;
        }
    }
    match (everything, articles.is_empty()) {
        (true, _) => Some(None),
        (false, true) => None,
        (false, false) => {
            articles.sort();
            articles.dedup();
            Some(Some(articles))
        }
    }
}

/// Rebuilds whenever the files differ from `last`, their stamps when last built (`--poll`).
pub(super) async fn watch_files(server: Arc<Server>, mut last: Scan) {
    let root = server.options.root.clone();
    loop {
        tokio::time::sleep(POLL).await;
        let root_now = root.clone();
        let Ok(now) = tokio::task::spawn_blocking(move || scan(&root_now)).await else {
            continue;
        };
        if now == last {
            continue;
        }
        // Let a burst of saves (an editor writing several files) settle before building.
        tokio::time::sleep(Duration::from_millis(60)).await;
        let root_now = root.clone();
        let Ok(settled) = tokio::task::spawn_blocking(move || scan(&root_now)).await else {
            continue;
        };
        let changed = changed_articles(&root, &last, &settled);
        last = settled;
        eprintln!("Change detected, rebuilding…");
        let _form = server.rebuild(changed).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_tell_which_articles_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/x")).unwrap();
        std::fs::write(root.join("content/x/a.md"), "a").unwrap();
        std::fs::write(root.join("content/x/b.md"), "b").unwrap();
        let (a, b) = (root.join("content/x/a.md"), root.join("content/x/b.md"));
        assert_eq!(
            changes(
                root,
                &[
                    a.clone(),
                    root.join("content/x/.a.md.swp"),
                    a.clone(),
                    b.clone()
                ]
            ),
            Some(Some(vec![a.clone(), b.clone()]))
        );
        // Nothing the site is made from.
        assert_eq!(
            changes(root, &[root.join("public/index.html"), root.join("x.md~")]),
            None
        );
        assert_eq!(changes(root, &[root.join("content/x/4913")]), None);
        // A removed article, an image, a setting: every file is looked at.
        for path in [
            root.join("content/x/gone.md"),
            root.join("content/x/panel.png"),
            root.join("site.toml"),
            root.join("templates/base.html"),
            root.join("content"),
        ] {
            assert_eq!(
                changes(root, &[a.clone(), path.clone()]),
                Some(None),
                "{path:?}"
            );
        }
    }

    #[test]
    fn scans_tell_which_articles_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/x")).unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("content/x/a.md"), "a").unwrap();
        std::fs::write(root.join("content/x/b.md"), "b").unwrap();
        std::fs::write(root.join("templates/base.html"), "t").unwrap();
        let before = scan(root);
        assert_eq!(before, scan(root));
        assert_eq!(changed_articles(root, &before, &before), Some(vec![]));

        std::fs::write(root.join("content/x/a.md"), "ab").unwrap();
        let after = scan(root);
        assert_ne!(before, after);
        assert_eq!(
            changed_articles(root, &before, &after),
            Some(vec![root.join("content/x/a.md")])
        );
        // A new file, or a changed template, is not just an edited article.
        std::fs::write(root.join("content/x/c.md"), "c").unwrap();
        assert_eq!(changed_articles(root, &after, &scan(root)), None);
        let after = scan(root);
        std::fs::write(root.join("templates/base.html"), "tt").unwrap();
        assert_eq!(changed_articles(root, &after, &scan(root)), None);
    }
}
