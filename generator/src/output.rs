//! The one place that writes the site to disk.
//!
//! A build writes into a staging folder next to the output folder and swaps it in only when
//! every page rendered, so a failed build leaves the previous site untouched and a web server
//! never sees half a site.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where rendered files go: a staging folder, or nowhere (for `check`).
pub enum Sink {
    Discard { files: AtomicUsize },
    Staging(Staging),
}

pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    files: AtomicUsize,
    committed: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct OutputError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{suffix}"))
}

impl Sink {
    pub fn discard() -> Self {
        Sink::Discard {
            files: AtomicUsize::new(0),
        }
    }

    /// Starts a build into a fresh staging folder beside `target`.
    pub fn staging(target: &Path) -> Result<Self, OutputError> {
        let staging = sibling(target, "tryfirst-staging");
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|source| OutputError {
                action: "cannot clear old staging folder",
                path: staging.clone(),
                source,
            })?;
        }
        fs::create_dir_all(&staging).map_err(|source| OutputError {
            action: "cannot create",
            path: staging.clone(),
            source,
        })?;
        Ok(Sink::Staging(Staging {
            target: target.to_path_buf(),
            staging,
            files: AtomicUsize::new(0),
            committed: false,
        }))
    }

    /// Writes one file at a site path (`/a/` → `a/index.html`). Safe to call from many threads.
    pub fn write(&self, site_path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if let Sink::Staging(staging) = self {
            let file = staging.prepare(site_path)?;
            fs::write(&file, bytes).map_err(|source| OutputError {
                action: "cannot write",
                path: file.clone(),
                source,
            })?;
        }
        self.count_file();
        Ok(())
    }

    /// Copies the file at `from` to a site path (an image: never read into memory here).
    pub fn copy(&self, site_path: &str, from: &Path) -> Result<(), OutputError> {
        if let Sink::Staging(staging) = self {
            let file = staging.prepare(site_path)?;
            fs::copy(from, &file).map_err(|source| OutputError {
                action: "cannot copy image to",
                path: file.clone(),
                source,
            })?;
        }
        self.count_file();
        Ok(())
    }

    /// Opens one file at a site path for writing bit by bit (the question function's bundle
    /// is tens of MiB on a large site: streamed, it is never held whole in memory). The file
    /// counts as written once [`SinkFile::finish`] succeeds.
    pub fn create(&self, site_path: &str) -> Result<SinkFile<'_>, OutputError> {
        let Sink::Staging(staging) = self else {
            return Ok(SinkFile {
                sink: self,
                file: None,
            });
        };
        let path = staging.prepare(site_path)?;
        let file = fs::File::create(&path).map_err(|source| OutputError {
            action: "cannot write",
            path: path.clone(),
            source,
        })?;
        Ok(SinkFile {
            sink: self,
            file: Some((io::BufWriter::with_capacity(1 << 16, file), path)),
        })
    }

    /// A failed write of the file at `site_path`, with the path written to.
    pub fn write_error(&self, site_path: &str, source: io::Error) -> OutputError {
        let file = crate::urls::output_file(site_path);
        OutputError {
            action: "cannot write",
            path: match self {
                Sink::Staging(staging) => staging.staging.join(file),
                Sink::Discard { .. } => file.into(),
            },
            source,
        }
    }

    fn count_file(&self) {
        match self {
            Sink::Discard { files } => files.fetch_add(1, Ordering::Relaxed),
            Sink::Staging(staging) => staging.files.fetch_add(1, Ordering::Relaxed),
        };
    }

    pub fn files_written(&self) -> usize {
        match self {
            Sink::Discard { files } => files.load(Ordering::Relaxed),
            Sink::Staging(staging) => staging.files.load(Ordering::Relaxed),
        }
    }

    /// Puts the staged site in place of the old one. The old one is renamed away first and
    /// removed last, so at every moment one complete site exists on disk.
    pub fn commit(self) -> Result<(), OutputError> {
        let Sink::Staging(mut staging) = self else {
            return Ok(());
        };
        let old = sibling(&staging.target, "tryfirst-old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(|source| OutputError {
                action: "cannot remove",
                path: old.clone(),
                source,
            })?;
        }
        let had_previous = staging.target.exists();
        if had_previous {
            fs::rename(&staging.target, &old).map_err(|source| OutputError {
                action: "cannot move the previous site aside",
                path: staging.target.clone(),
                source,
            })?;
        }
        if let Err(source) = fs::rename(&staging.staging, &staging.target) {
            if had_previous {
                // Put the previous site back; the build failed, the site must not disappear.
                let _ = fs::rename(&old, &staging.target);
            }
            return Err(OutputError {
                action: "cannot move the new site into place at",
                path: staging.target.clone(),
                source,
            });
        }
        staging.committed = true;
        if had_previous {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Staging {
    /// The staged file for a site path, its folder created.
    fn prepare(&self, site_path: &str) -> Result<PathBuf, OutputError> {
        let file = self.staging.join(crate::urls::output_file(site_path));
        create_parent(&file)?;
        Ok(file)
    }
}

/// Creates the folder `file` goes in, and the folders above it.
fn create_parent(file: &Path) -> Result<(), OutputError> {
    match file.parent() {
        Some(parent) => fs::create_dir_all(parent).map_err(|source| OutputError {
            action: "cannot create",
            path: parent.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

/// A file being written into a [`Sink`] (see [`Sink::create`]); writes to a discarding sink
/// go nowhere.
pub struct SinkFile<'s> {
    sink: &'s Sink,
    file: Option<(io::BufWriter<fs::File>, PathBuf)>,
}

impl SinkFile<'_> {
    /// Flushes the file: until then, a write error may not have been seen.
    pub fn finish(self) -> Result<(), OutputError> {
        if let Some((mut file, path)) = self.file {
            file.flush().map_err(|source| OutputError {
                action: "cannot write",
                path,
                source,
            })?;
        }
        self.sink.count_file();
        Ok(())
    }
}

impl io::Write for SinkFile<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some((file, _)) => file.write(bytes),
            None => Ok(bytes.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some((file, _)) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Staging {
    /// An abandoned build cleans up after itself.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Writes one file at a site path under `root` in place, unless it already holds exactly these
/// bytes; returns whether it wrote. For `serve`'s private folder, which is updated page by page:
/// each file is written beside its place and renamed over it, so a page being served is always
/// either the old or the new one, never half of each.
pub fn write_if_changed(root: &Path, site_path: &str, bytes: &[u8]) -> Result<bool, OutputError> {
    let file = root.join(crate::urls::output_file(site_path));
    if fs::read(&file).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    write_in_place(root, site_path, bytes)?;
    Ok(true)
}

/// Writes `bytes` at a site path under `root`, replacing the file whole (a reader sees the old
/// bytes or the new ones), without reading it first: for a file known to have changed.
pub fn write_in_place(root: &Path, site_path: &str, bytes: &[u8]) -> Result<(), OutputError> {
    stage(root, site_path, |out| out.write_all(bytes))?.commit()
}

/// Writes a file beside its place, hidden, without replacing it yet: `serve` writes the
/// question function's bundle (tens of MB at 10,000 articles) while the pages render, and puts
/// it in place ([`Staged::commit`]) only once they all did; dropped uncommitted, it is removed.
/// `write` gets the file unbuffered: a writer of many small pieces brings its own buffer.
pub fn stage(
    root: &Path,
    site_path: &str,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<Staged, OutputError> {
    let file = root.join(crate::urls::output_file(site_path));
    create_parent(&file)?;
    let staged = Staged {
        temporary: sibling(&file, "tryfirst-new"),
        file,
    };
    fs::File::create(&staged.temporary)
        .and_then(|mut created| write(&mut created))
        .map_err(|source| staged.error(source))?;
    Ok(staged)
}

/// A file written beside its place by [`stage`].
#[must_use = "a staged file is removed unless committed"]
pub struct Staged {
    temporary: PathBuf,
    file: PathBuf,
}

impl Staged {
    /// Puts the file in place, replacing the old one whole.
    pub fn commit(self) -> Result<(), OutputError> {
        replace(&self.temporary, &self.file).map_err(|source| self.error(source))
        // `self` dropped: what is left at the temporary name (the old file) is removed.
    }

    fn error(&self, source: io::Error) -> OutputError {
        OutputError {
            action: "cannot write",
            path: self.file.clone(),
            source,
        }
    }
}

/// Puts `temporary` where `file` is, in one step (a reader opens the old file or the new one).
/// Renaming over an existing file makes ext4 write the new file's data out first (its
/// `auto_da_alloc` safeguard): ~30 ms for the 46 MB bundle of 10,000 articles, on every edit
/// `serve` shows. Exchanging the two files (`renameat2`) and removing the old one costs ~2 ms.
/// Where there is nothing to exchange with, or the system cannot exchange, a rename.
fn replace(temporary: &Path, file: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        if renameat_with(CWD, temporary, CWD, file, RenameFlags::EXCHANGE).is_ok() {
            // The old bytes are now at the temporary name: dropping the `Staged` removes them.
            return Ok(());
        }
    }
    fs::rename(temporary, file)
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.temporary);
    }
}

/// Removes the file at a site path under `root`, if it is there.
pub fn remove(root: &Path, site_path: &str) -> Result<(), OutputError> {
    let file = root.join(crate::urls::output_file(site_path));
    match fs::remove_file(&file) {
        Err(source) if source.kind() != io::ErrorKind::NotFound => Err(OutputError {
            action: "cannot remove",
            path: file,
            source,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_file_replaces_the_old_one_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bundle.json");
        fs::write(&file, "old").unwrap();
        let entries = || fs::read_dir(dir.path()).unwrap().count();

        let staged = stage(dir.path(), "/bundle.json", |out| out.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "old");
        drop(staged);
        assert_eq!(fs::read_to_string(&file).unwrap(), "old");
        assert_eq!(entries(), 1, "the abandoned file is removed");

        let staged = stage(dir.path(), "/bundle.json", |out| out.write_all(b"new")).unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(entries(), 1);
    }

    #[test]
    fn commit_swaps_and_drop_abandons() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();

        let sink = Sink::staging(&target).unwrap();
        sink.write("/a/", b"new").unwrap();
        drop(sink);
        assert_eq!(fs::read_to_string(target.join("old.html")).unwrap(), "old");
        assert!(!dir.path().join(".public.tryfirst-staging").exists());

        let sink = Sink::staging(&target).unwrap();
        sink.write("/a/", b"new").unwrap();
        sink.write("/atom.xml", b"feed").unwrap();
        assert_eq!(sink.files_written(), 2);
        sink.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn in_place_writes_skip_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_if_changed(dir.path(), "/a/", b"one").unwrap());
        assert!(!write_if_changed(dir.path(), "/a/", b"one").unwrap());
        assert!(write_if_changed(dir.path(), "/a/", b"two").unwrap());
        assert_eq!(
            fs::read_to_string(dir.path().join("a/index.html")).unwrap(),
            "two"
        );
        let names: Vec<_> = fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["index.html"], "no temporary file left behind");
        remove(dir.path(), "/a/").unwrap();
        remove(dir.path(), "/a/").unwrap();
        assert!(!dir.path().join("a/index.html").exists());
    }
}
