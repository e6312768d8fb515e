//! Images in articles: found next to the article or in the site's `static/` folder, checked,
//! measured, scaled down and offered as WebP (see [`process`]), and published under
//! `/assets/images/` with a content hash in the name (safe to cache for ever).
//!
//! Encoding is the slow part of a build, so each result is kept in a cache folder outside the
//! output (`.tryfirst-cache/images/` in the site), keyed by a hash of the image's bytes and the
//! settings: a rebuild or `serve` never encodes the same image twice. Within one run each
//! image is processed once however many articles show it.

pub mod process;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use crate::content::markdown::{ImageProblem, ImageResolver, ResolvedImage};
use process::ImageError;

/// The cache folder, relative to the site root.
pub const CACHE_DIR: &str = ".tryfirst-cache/images";
/// Where published images go in the site.
pub const SITE_DIR: &str = "/assets/images/";
/// Changes whenever [`process::encode`]'s output would: old cache entries are then not used.
const ENCODER_VERSION: u32 = 2;

/// `[images]` in site.toml.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImageSettings {
    /// Wider images are scaled down to this width (px).
    pub max_width: u32,
}

impl Default for ImageSettings {
    fn default() -> Self {
        Self { max_width: 1200 }
    }
}

/// One image's outcome, computed once per run by whichever thread needs it first.
type Outcome = Arc<OnceLock<Result<Published, ImageError>>>;

/// What one image became: its published file(s) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    src: String,
    webp: Option<String>,
    width: u32,
    height: u32,
}

/// The site's images for one build or `serve` session. Shared by the threads that render
/// articles.
pub struct Images {
    root: PathBuf,
    /// Where a `/path` reference is looked for, in order: the site's, then the theme's.
    static_dirs: Vec<PathBuf>,
    settings: ImageSettings,
    /// `None`: `check` decodes to validate but neither encodes nor writes anything.
    cache_dir: Option<PathBuf>,
    /// Per content key, the outcome, computed once.
    done: Mutex<HashMap<String, Outcome>>,
    /// Site path → the file to copy there.
    files: Mutex<BTreeMap<String, PathBuf>>,
    /// How many images were encoded (not found in the cache).
    encoded: AtomicUsize,
}

impl Images {
    /// With a cache folder images are encoded and published (build, serve); without one
    /// they are only checked (`check`).
    pub fn new(
        root: &Path,
        theme: &str,
        settings: ImageSettings,
        cache_dir: Option<PathBuf>,
    ) -> Self {
        Self {
            root: root.to_path_buf(),
            static_dirs: vec![
                root.join("static"),
                root.join("themes").join(theme).join("static"),
            ],
            settings,
            cache_dir,
            done: Mutex::new(HashMap::new()),
            files: Mutex::new(BTreeMap::new()),
            encoded: AtomicUsize::new(0),
        }
    }

    /// Images for unit tests of other modules: nothing is found, nothing encoded.
    #[cfg(test)]
    pub fn for_tests() -> Self {
        Self::new(
            Path::new("/nonexistent-site"),
            "default",
            ImageSettings::default(),
            None,
        )
    }

    /// The resolver for the article at `article` (relative to the site root).
    pub fn for_article<'a>(&'a self, article: &'a Path) -> ArticleImages<'a> {
        ArticleImages {
            images: self,
            article,
        }
    }

    /// How many images this run encoded; the others came from the cache (or were published
    /// as they are).
    pub fn encoded(&self) -> usize {
        self.encoded.load(Ordering::Relaxed)
    }

    /// Every file to publish: site path and the file on disk holding its bytes.
    pub fn files(&self) -> Vec<(String, PathBuf)> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    fn publish(&self, file: &Path, shown: &str) -> Result<Published, ImageProblem> {
        let problem = |error: ImageError| ImageProblem {
            message: format!("image `{shown}` {error}"),
            hint: Some(error.hint().to_owned()),
        };
        let io_problem = |error: std::io::Error| ImageProblem {
            message: format!("cannot read image `{shown}`: {error}"),
            hint: None,
        };
        let length = std::fs::metadata(file).map_err(io_problem)?.len();
        if length > process::MAX_FILE_BYTES {
            return Err(problem(ImageError::TooLarge(length)));
        }
        let bytes = std::fs::read(file).map_err(io_problem)?;
        let extension = file
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!(
            "{}-{}-w{}-v{ENCODER_VERSION}",
            &hash[..32],
            extension.to_ascii_lowercase(),
            self.settings.max_width
        );
        let cell = {
            let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
            done.entry(key.clone()).or_default().clone()
        };
        let stem = site_stem(file);
        cell.get_or_init(|| self.process(&bytes, &extension, &key, &hash[..10], &stem, file))
            .clone()
            .map_err(problem)
    }

    /// Probes, checks and (when publishing) encodes one image, through the cache.
    fn process(
        &self,
        bytes: &[u8],
        extension: &str,
        key: &str,
        hash: &str,
        stem: &str,
        source: &Path,
    ) -> Result<Published, ImageError> {
        let (kind, width, height) = process::probe(bytes, extension)?;
        let site = |ext: &str| format!("{SITE_DIR}{stem}.{hash}.{ext}");
        if !kind.is_processed() {
            let src = site(kind.extension());
            self.add_file(&src, source.to_path_buf());
            return Ok(Published {
                src,
                webp: None,
                width,
                height,
            });
        }
        let Some(cache_dir) = &self.cache_dir else {
            // `check`: a full decode finds a truncated or corrupt file; nothing is encoded.
            process::decode(bytes, kind)?;
            return Ok(Published {
                src: site(kind.extension()),
                webp: None,
                width,
                height,
            });
        };
        let cached =
            cache::Entry::read(cache_dir, key).filter(|entry| entry.files_exist(cache_dir, key));
        let entry = match cached {
            Some(entry) => entry,
            None => {
                self.encoded.fetch_add(1, Ordering::Relaxed);
                let image = process::decode(bytes, kind)?;
                let encoded = process::encode(image, kind, bytes.len(), self.settings.max_width)?;
                cache::Entry::write(cache_dir, key, kind, &encoded).map_err(|error| {
                    ImageError::Corrupt(format!("cannot write to the image cache: {error}"))
                })?
            }
        };
        let src = site(kind.extension());
        match entry.resized {
            true => self.add_file(&src, cache::path(cache_dir, key, kind.extension())),
            false => self.add_file(&src, source.to_path_buf()),
        }
        let webp = entry.webp.then(|| {
            let webp = site("webp");
            self.add_file(&webp, cache::path(cache_dir, key, "webp"));
            webp
        });
        Ok(Published {
            src,
            webp,
            width: entry.width,
            height: entry.height,
        })
    }

    fn add_file(&self, site_path: &str, file: PathBuf) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(site_path.to_owned(), file);
    }

    /// The file a reference points at, or a problem with a "did you mean".
    fn locate(&self, article: &Path, src: &str) -> Result<PathBuf, ImageProblem> {
        let decoded = percent_decode(src);
        let (bases, relative): (Vec<PathBuf>, &str) = match decoded.strip_prefix('/') {
            Some(rest) => (self.static_dirs.clone(), rest),
            None => {
                let folder = article.parent().unwrap_or(Path::new(""));
                (vec![self.root.join(folder)], &decoded)
            }
        };
        let Some(relative) = normalize(relative) else {
            return Err(ImageProblem {
                message: format!("image `{src}` points outside the site"),
                hint: Some("put the image next to the article or in static/".into()),
            });
        };
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        for base in &bases {
            let candidate = base.join(&relative);
            if !candidate.is_file() {
                continue;
            }
            // `../../x.png` may name a file outside the site: never published.
            match candidate.canonicalize() {
                Ok(real) if real.starts_with(&root) => return Ok(candidate),
                _ => {
                    return Err(ImageProblem {
                        message: format!("image `{src}` points outside the site"),
                        hint: Some("put the image next to the article or in static/".into()),
                    })
                }
            }
        }
        let looked: Vec<String> = bases
            .iter()
            .map(|base| {
                let full = base.join(&relative);
                full.strip_prefix(&self.root)
                    .unwrap_or(&full)
                    .display()
                    .to_string()
            })
            .collect();
        let folder = bases[0].join(&relative);
        let folder = folder.parent().unwrap_or(&bases[0]);
        let name = relative
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let siblings: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".md"))
                    .collect()
            })
            .unwrap_or_default();
        let hint = crate::diagnostics::did_you_mean(&name, siblings.iter().map(String::as_str))
            .map(|near| {
                let suggestion = match src.rfind('/') {
                    Some(slash) => format!("{}{near}", &src[..=slash]),
                    None => near.to_owned(),
                };
                format!("did you mean `{suggestion}`?")
            })
            .unwrap_or_else(|| {
                "put the image next to the article, or in static/ and reference it as `/name.png`"
                    .into()
            });
        Err(ImageProblem {
            message: format!(
                "image `{src}` not found (looked for {})",
                looked.join(" and ")
            ),
            hint: Some(hint),
        })
    }
}

/// Resolves one article's image references (see [`ImageResolver`]).
pub struct ArticleImages<'a> {
    images: &'a Images,
    article: &'a Path,
}

impl ImageResolver for ArticleImages<'_> {
    fn resolve(&self, src: &str) -> Result<Option<ResolvedImage>, ImageProblem> {
        if is_external(src) {
            return Ok(None);
        }
        let path_part = src.split(['?', '#']).next().unwrap_or_default();
        let file = self.images.locate(self.article, path_part)?;
        let published = self.images.publish(&file, src)?;
        Ok(Some(ResolvedImage {
            src: published.src,
            webp: published.webp,
            width: published.width,
            height: published.height,
        }))
    }
}

/// `https://…`, `//host/…`, `data:…`: not a file of the site (the link check judges schemes).
fn is_external(src: &str) -> bool {
    src.starts_with("//")
        || src.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// `a/./b/../c.png` → `a/c.png`; `None` when it climbs out of its base.
fn normalize(relative: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    // Up from the article's folder is fine as long as it stays in the site:
                    // `../shared.png` from content/a/ is content/shared.png.
                    out.push("..");
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    if out.as_os_str().is_empty() {
        return None;
    }
    Some(out)
}

/// `my%20shot.png` → `my shot.png`, as a browser would look the file up; a `%` that starts no
/// escape stays, and a reference whose escapes are not UTF-8 is taken as written.
fn percent_decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or(Cow::Borrowed(text))
}

/// The file's name as a URL-safe stem: `Outlook Profile.PNG` → `outlook-profile`.
fn site_stem(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match crate::text::slugify(&stem) {
        empty if empty.is_empty() => "image".to_owned(),
        slug => slug,
    }
}

/// The encode cache: per key, a one-line description and the encoded files.
mod cache {
    use std::path::{Path, PathBuf};

    use super::process::{Encoded, Kind};

    pub struct Entry {
        pub width: u32,
        pub height: u32,
        pub resized: bool,
        pub webp: bool,
        extension: String,
    }

    pub fn path(dir: &Path, key: &str, extension: &str) -> PathBuf {
        dir.join(format!("{key}.{extension}"))
    }

    impl Entry {
        pub fn read(dir: &Path, key: &str) -> Option<Entry> {
            let text = std::fs::read_to_string(path(dir, key, "meta")).ok()?;
            let mut parts = text.split_whitespace();
            let mut number = || parts.next()?.parse::<u32>().ok();
            let (width, height, resized, webp) = (number()?, number()?, number()?, number()?);
            let extension = text.split_whitespace().nth(4)?.to_owned();
            Some(Entry {
                width,
                height,
                resized: resized == 1,
                webp: webp == 1,
                extension,
            })
        }

        pub fn files_exist(&self, dir: &Path, key: &str) -> bool {
            (!self.resized || path(dir, key, &self.extension).is_file())
                && (!self.webp || path(dir, key, "webp").is_file())
        }

        /// Writes the files first and the description last (atomically, by rename): an entry
        /// that can be read is complete, even if two builds ran at once or one was killed.
        pub fn write(
            dir: &Path,
            key: &str,
            kind: Kind,
            encoded: &Encoded,
        ) -> std::io::Result<Entry> {
            std::fs::create_dir_all(dir)?;
            let write = |extension: &str, bytes: &[u8]| {
                let temporary = path(dir, key, &format!("{extension}.{}.tmp", std::process::id()));
                std::fs::write(&temporary, bytes)?;
                std::fs::rename(&temporary, path(dir, key, extension))
            };
            if let Some(resized) = &encoded.resized {
                write(kind.extension(), resized)?;
            }
            if let Some(webp) = &encoded.webp {
                write("webp", webp)?;
            }
            let entry = Entry {
                width: encoded.width,
                height: encoded.height,
                resized: encoded.resized.is_some(),
                webp: encoded.webp.is_some(),
                extension: kind.extension().to_owned(),
            };
            let meta = format!(
                "{} {} {} {} {}\n",
                entry.width,
                entry.height,
                u8::from(entry.resized),
                u8::from(entry.webp),
                entry.extension
            );
            write("meta", meta.as_bytes())?;
            Ok(entry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_percent_decoded_where_they_can_be() {
        assert_eq!(
            percent_decode("Outlook%20Profile.png"),
            "Outlook Profile.png"
        );
        assert_eq!(percent_decode("caf%C3%A9.png"), "café.png");
        assert_eq!(percent_decode("caf%c3%a9.png"), "café.png");
        assert_eq!(percent_decode("end%20"), "end ");
        // Not an escape: kept as written.
        assert_eq!(percent_decode("100%.png"), "100%.png");
        assert_eq!(percent_decode("a%zz.png"), "a%zz.png");
        assert_eq!(percent_decode("a%2"), "a%2");
        // Bytes that are not UTF-8: the reference as written.
        assert_eq!(percent_decode("a%FF.png"), "a%FF.png");
    }
}
