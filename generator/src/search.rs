//! Full-text search for a static host: a [Pagefind](https://pagefind.app) index of every
//! published article, built from the article model (no re-parsing of the rendered HTML), plus a
//! vocabulary the search page uses to correct typos when a query finds nothing (Pagefind
//! stems words but does not forgive misspellings).
//!
//! Pagefind's indexing API is async; it runs here on a small runtime of its own, so the rest of
//! the build stays synchronous.

use std::collections::{BTreeMap, BTreeSet};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::article::Article;
use crate::config::SiteConfig;
use crate::library::Library;

/// Where the vocabulary for typo correction is written.
pub const WORDS_PATH: &str = "/search/words.json";

#[derive(Debug, thiserror::Error)]
#[error("building the search index failed: {0}")]
pub struct SearchError(String);

/// The text Pagefind indexes for one article: what a visitor would search for.
fn searchable_text(article: &Article) -> String {
    let mut text = format!(
        "{}\n{}\n{}\n",
        article.title, article.description, article.body.intro_text
    );
    for step in &article.body.steps {
        text.push_str(&step.text);
        text.push('\n');
    }
    text.push_str(&article.body.escalation_text);
    for tag in &article.tags {
        text.push(' ');
        text.push_str(&tag.name);
    }
    text
}

/// The index files (site path, bytes), under `/pagefind/`, and the vocabulary.
pub fn build(
    library: &Library,
    config: &SiteConfig,
) -> Result<Vec<(String, Vec<u8>)>, SearchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SearchError(e.to_string()))?;
    let mut files = runtime.block_on(pagefind_files(library, config))?;
    files.push((WORDS_PATH.to_owned(), vocabulary(library)));
    Ok(files)
}

async fn pagefind_files(
    library: &Library<'_>,
    config: &SiteConfig,
) -> Result<Vec<(String, Vec<u8>)>, SearchError> {
    let options = PagefindServiceConfig::builder()
        .keep_index_url(true)
        .force_language(config.language.clone())
        .build();
    let mut index = PagefindIndex::new(Some(options)).map_err(|e| SearchError(e.to_string()))?;
    for article in &library.articles {
        let category = config
            .category(&article.category)
            .map_or(article.category.clone(), |c| c.name.clone());
        let meta = BTreeMap::from([
            ("title".to_owned(), article.title.clone()),
            ("category".to_owned(), category.clone()),
            ("description".to_owned(), article.description.clone()),
            ("risk".to_owned(), article.risk.as_str().to_owned()),
        ]);
        let filters = BTreeMap::from([("category".to_owned(), vec![category])]);
        index
            .add_custom_record(
                article.url(),
                searchable_text(article),
                config.language.clone(),
                Some(meta),
                Some(filters),
                None,
            )
            .await
            .map_err(|e| SearchError(format!("{}: {e}", article.source.path.display())))?;
    }
    let files = index
        .get_files()
        .await
        .map_err(|e| SearchError(e.to_string()))?;
    Ok(files
        .into_iter()
        .map(|file| {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            let name = name.trim_start_matches('/');
            let path = if name.starts_with("pagefind/") {
                format!("/{name}")
            } else {
                format!("/pagefind/{name}")
            };
            (path, file.contents)
        })
        .collect())
}

/// Every word (lower-case, letters only, 3+ characters) of the searchable text, sorted.
fn vocabulary(library: &Library) -> Vec<u8> {
    let words: BTreeSet<String> = library
        .articles
        .iter()
        .flat_map(|article| {
            searchable_text(article)
                .split(|c: char| !c.is_alphabetic())
                .filter(|word| word.chars().count() >= 3)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    serde_json::to_vec(&words).unwrap_or_default()
}
