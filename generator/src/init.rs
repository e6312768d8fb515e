//! `tryfirst init [DIR]`: a new site that checks and builds at once: `site.toml` with every
//! key explained, one example article with every section, the default theme, a GitHub
//! workflow that runs `check` on pull requests, and a `.gitignore`.

use std::path::{Path, PathBuf};

/// The files of a new site: path relative to the site folder, and text.
pub const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("init/site.toml")),
    (
        "content/general/printer-offline.md",
        include_str!("init/article.md"),
    ),
    (
        ".github/workflows/check.yml",
        include_str!("init/check.yml"),
    ),
    (".gitignore", include_str!("init/gitignore")),
];

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} is not empty; tryfirst init only writes into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("{} exists and is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes a new site into `dir` (created if missing), which must be empty: nothing an editor
/// already has is ever overwritten. Returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let write_error = |path: &Path, source| InitError::Write {
        path: path.to_path_buf(),
        source,
    };
    if dir.exists() {
        if !dir.is_dir() {
            return Err(InitError::NotAFolder(dir.to_path_buf()));
        }
        let mut entries = std::fs::read_dir(dir).map_err(|e| write_error(dir, e))?;
        if entries.next().is_some() {
            return Err(InitError::NotEmpty(dir.to_path_buf()));
        }
    }
    let mut written = Vec::with_capacity(FILES.len());
    for (relative, text) in FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{build, BuildOptions};

    #[test]
    fn a_new_site_checks_and_builds_clean() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("my-help");
        let written = init(&site).unwrap();
        assert_eq!(written.len(), FILES.len());
        let check = build(&BuildOptions {
            write: false,
            ..BuildOptions::new(&site)
        })
        .unwrap();
        assert!(check.warnings.is_empty(), "{:?}", check.warnings);
        assert_eq!(check.articles, 1);
        let report = build(&BuildOptions::new(&site)).unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let page = std::fs::read_to_string(site.join("public/printer-offline/index.html")).unwrap();
        // Every section the article format knows, and a callout.
        for part in [
            "id=\"try-this-first\"",
            "id=\"when-to-bring-us-in\"",
            "id=\"see-also\"",
            "callout callout-tip",
            "<pre><code>",
        ] {
            assert!(page.contains(part), "{part}");
        }
    }

    #[test]
    fn every_site_toml_key_is_explained() {
        let config = FILES[0].1;
        let lines: Vec<&str> = config.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let is_key = line.contains(" = ") && !line.starts_with('#');
            if is_key {
                let above = lines[..i].last().copied().unwrap_or_default();
                let table_start = lines[..i]
                    .iter()
                    .rev()
                    .take_while(|l| !l.is_empty())
                    .any(|l| l.starts_with("# ") && !l.starts_with("# tryfirst"));
                assert!(
                    above.starts_with('#') || above.starts_with('[') || table_start,
                    "no comment for `{line}`"
                );
            }
        }
        // Every key the configuration knows is in the file.
        let parsed: toml::Value = toml::from_str(config).unwrap();
        let known = serde_json::to_value(crate::config::SiteConfig::for_tests()).unwrap();
        for key in known.as_object().unwrap().keys() {
            assert!(parsed.get(key).is_some(), "site.toml lacks `{key}`");
        }
    }

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(init(dir.path()), Err(InitError::NotEmpty(_))));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "mine"
        );
        assert!(!dir.path().join("site.toml").exists());
        // An empty one is fine.
        let empty = tempfile::tempdir().unwrap();
        init(empty.path()).unwrap();
        assert!(empty.path().join(".github/workflows/check.yml").is_file());
    }
}
