//! The site's article files: the only module that reads them. A build reads each file twice
//! (its front matter first, its body once the library is made, see `crate::build`) and once
//! more to place a diagnostic made after the text was let go; all three go through
//! [`Sources`], which tests can fill from memory instead of a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::content::article::{content_hash, ArticleHead};
use crate::diagnostics::Diagnostic;
use crate::text::LineIndex;

/// The folder of the site's articles.
pub const CONTENT_DIR: &str = "content";

/// An article's text and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, as shown in diagnostics: `content/accounts/x.md`.
    pub path: PathBuf,
    pub text: String,
}

/// Where the article files are read from.
#[derive(Debug, Clone)]
pub enum Sources {
    /// `<root>/content/**/*.md`.
    Disk { root: PathBuf },
    /// Files by path (relative to a site root, `content/…`), for tests.
    Memory(BTreeMap<PathBuf, String>),
}

impl Sources {
    pub fn disk(root: impl Into<PathBuf>) -> Self {
        Self::Disk { root: root.into() }
    }

    pub fn memory<P: Into<PathBuf>, T: Into<String>>(
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Self {
        Self::Memory(
            files
                .into_iter()
                .map(|(path, text)| (path.into(), text.into()))
                .collect(),
        )
    }

    /// Every article file (`*.md` under `content/`), relative to the root and sorted. Files
    /// and folders starting with `.` or `_` are skipped (editor swap files, notes).
    pub fn list(&self) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        match self {
            Self::Disk { root } => {
                let (paths, problems) = content_paths(root);
                let shown = paths
                    .into_iter()
                    .map(|path| {
                        path.strip_prefix(root)
                            .map(Path::to_path_buf)
                            .unwrap_or(path)
                    })
                    .collect();
                (shown, problems)
            }
            Self::Memory(files) => {
                let paths = files
                    .keys()
                    .filter(|path| {
                        path.starts_with(CONTENT_DIR)
                            && path.extension().is_some_and(|e| e == "md")
                            && !path.components().skip(1).any(|c| {
                                let name = c.as_os_str().to_string_lossy();
                                name.starts_with('.') || name.starts_with('_')
                            })
                    })
                    .cloned()
                    .collect();
                (paths, Vec::new())
            }
        }
    }

    /// The first read: one article file, `path` relative to the root.
    pub fn read(&self, path: &Path) -> Result<SourceFile, Diagnostic> {
        let text = match self {
            Self::Disk { root } => std::fs::read_to_string(root.join(path)).map_err(|error| {
                Diagnostic::error(path, format!("cannot read the file: {error}"))
                    .with_hint("articles must be UTF-8 text")
            })?,
            Self::Memory(files) => files
                .get(path)
                .cloned()
                .ok_or_else(|| Diagnostic::error(path, "cannot read the file: not found"))?,
        };
        Ok(SourceFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The second read: the text `head` was parsed from, for its body. An error when the file
    /// changed since (an editor saved during the build): the body must not be mixed with
    /// another version's front matter.
    pub fn read_again(&self, head: &ArticleHead) -> Result<String, Diagnostic> {
        let text = match self {
            Self::Disk { root } => {
                std::fs::read_to_string(root.join(&head.path)).map_err(|error| {
                    Diagnostic::error(&head.path, format!("cannot read the file again: {error}"))
                })?
            }
            Self::Memory(files) => files.get(&head.path).cloned().ok_or_else(|| {
                Diagnostic::error(&head.path, "cannot read the file again: not found")
            })?,
        };
        if content_hash(&text) != head.content_hash {
            return Err(
                Diagnostic::error(&head.path, "the file changed during the build")
                    .with_hint("run the build again once the file is saved"),
            );
        }
        Ok(text)
    }

    /// Gives the diagnostics made after the articles' texts were let go (those with an
    /// `offset`) their line, column and source line, reading those files again (only files
    /// with a problem: rare). A file that cannot be read keeps its diagnostic unlocated.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        for diagnostic in diagnostics.iter_mut() {
            let Some(offset) = diagnostic.offset else {
                continue;
            };
            if let Ok(source) = self.read(&diagnostic.file) {
                let index = LineIndex::new(&source.text);
                *diagnostic = diagnostic.clone().at(&source.text, &index, offset as usize);
            }
        }
    }
}

/// Every `*.md` under `<root>/content/`, sorted, as paths under `root`.
pub fn content_paths(root: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return (
            Vec::new(),
            vec![
                Diagnostic::error(Path::new(CONTENT_DIR), "the content folder does not exist")
                    .with_hint("create content/ and put articles in it, or run `tryfirst new`"),
            ],
        );
    }
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0 || !(name.starts_with('.') || name.starts_with('_'))
        });
    for entry in walker {
        match entry {
            Ok(entry)
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|e| e == "md") =>
            {
                paths.push(entry.into_path())
            }
            Ok(_) => {}
            Err(error) => problems.push(Diagnostic::error(
                Path::new(CONTENT_DIR),
                format!("cannot list the content folder: {error}"),
            )),
        }
    }
    (paths, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sources_list_articles_as_a_folder_would() {
        let sources = Sources::memory([
            ("content/b/two.md", "2"),
            ("content/a.md", "1"),
            ("content/_notes/x.md", "n"),
            ("content/.swap.md", "s"),
            ("content/image.png", "p"),
            ("site.toml", "t"),
        ]);
        let (paths, problems) = sources.list();
        assert!(problems.is_empty());
        assert_eq!(
            paths,
            [
                PathBuf::from("content/a.md"),
                PathBuf::from("content/b/two.md")
            ]
        );
        assert_eq!(sources.read(Path::new("content/a.md")).unwrap().text, "1");
        assert!(sources.read(Path::new("content/c.md")).is_err());
    }

    #[test]
    fn diagnostics_made_without_the_text_are_placed_by_reading_it_again() {
        let sources = Sources::memory([("content/a.md", "first\nsecond line\n")]);
        let mut diagnostics = vec![
            Diagnostic::error(Path::new("content/a.md"), "x").at_offset(13),
            Diagnostic::error(Path::new("content/gone.md"), "y").at_offset(3),
        ];
        sources.locate(&mut diagnostics);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (2, 8));
        assert_eq!(diagnostics[0].source_line.as_deref(), Some("second line"));
        assert_eq!(diagnostics[0].offset, None);
        assert_eq!(diagnostics[1].line, 0, "an unreadable file stays unplaced");
    }
}
