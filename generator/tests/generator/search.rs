//! The site search of a built site, per language: the index is stemmed as its language needs
//! (`render::search::Stemmer`), the search page names its index and the script that stems a
//! query, and the English index is what it was before languages had stemmers of their own.

use std::path::{Path, PathBuf};

use generator::build::{build, BuildOptions};
use generator::render::search::{fnv1a, terms, Stemmer};
use serde_json::Value;

use crate::support::{fixture, read};

fn built(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let options = BuildOptions {
        out: Some(out.clone()),
        cache_dir: Some(std::env::temp_dir().join("tryfirst-search-tests-image-cache")),
        ..BuildOptions::new(fixture(name))
    };
    let report = build(&options).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    (dir, out)
}

fn json(out: &Path, file: &str) -> Value {
    serde_json::from_str(&read(out, file)).unwrap()
}

/// The URLs of the articles holding every term of `query`, found the way `search.js` finds
/// them: the manifest's stemmer, each term's shard, the articles' docs.
fn find(out: &Path, query: &str) -> Vec<String> {
    let manifest = json(out, "search/index.json");
    let stemmer = Stemmer::from_name(&manifest["stem"]).expect("a known stemmer");
    let shards = manifest["shards"].as_u64().unwrap() as u32;
    let chunk = manifest["chunk"].as_u64().unwrap() as usize;
    let mut found: Option<Vec<u64>> = None;
    for term in terms(query, stemmer) {
        let shard = json(out, &format!("search/shard-{}.json", fnv1a(&term) % shards));
        let docs: Vec<u64> = shard[term.as_str()].as_array().map_or(Vec::new(), |list| {
            list.iter()
                .step_by(2)
                .map(|d| d.as_u64().unwrap())
                .collect()
        });
        found = Some(match found {
            None => docs,
            Some(before) => before.into_iter().filter(|d| docs.contains(d)).collect(),
        });
    }
    found
        .unwrap_or_default()
        .into_iter()
        .map(|doc| {
            let doc = doc as usize;
            let docs = json(out, &format!("search/docs-{}.json", doc / chunk));
            docs[doc % chunk][0].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_dutch_index_finds_a_word_from_its_inflections() {
    let (_dir, out) = built("dutch-search");
    assert_eq!(json(&out, "search/index.json")["stem"], "snowball-dutch");
    // The article says "wachtwoord" only; the printer article "apparaat", "apparaten" and
    // "mogelijk".
    assert_eq!(find(&out, "wachtwoorden"), ["/wachtwoord-verlopen/"]);
    assert_eq!(find(&out, "Wachtwoord verlopen"), ["/wachtwoord-verlopen/"]);
    assert_eq!(find(&out, "apparaat"), ["/printer-offline/"]);
    // Too far from "mogelijk" for search.js's typo correction: only the stem finds it.
    assert_eq!(find(&out, "mogelijkheden"), ["/printer-offline/"]);
    // The index holds the Dutch stem: English stemming of the query would miss it.
    let english = terms("wachtwoorden", Stemmer::English);
    assert_eq!(english, ["wachtwoorden"]);
    let shards = json(&out, "search/index.json")["shards"].as_u64().unwrap() as u32;
    let shard = json(
        &out,
        &format!("search/shard-{}.json", fnv1a(&english[0]) % shards),
    );
    assert!(shard.get("wachtwoorden").is_none(), "indexed as its stem");

    // The search page gives search.js its index and the Dutch stemmer, which is published with
    // its licence notice.
    let page = read(&out, "search/index.html");
    assert!(page.contains("data-index=\"/search/index.json\""), "{page}");
    let stemmer = page
        .split("data-stemmer=\"")
        .nth(1)
        .expect("the Dutch search page names its stemmer")
        .split('"')
        .next()
        .unwrap();
    assert!(stemmer.starts_with("/snowball-dutch.") && stemmer.ends_with(".js"));
    let script = read(&out, stemmer.trim_start_matches('/'));
    assert!(script.contains("Snowball") && script.contains("Apache License"));
    assert!(script.contains("export function stemmer("));
}

/// The English index, file by file: English keeps its own small stemmer, so only the manifest
/// changed when languages got stemmers of their own (`"version": 3`, `"stem"` a name).
#[test]
fn the_english_index_keeps_its_stemmer() {
    let (_dir, out) = built("valid");
    assert_eq!(json(&out, "search/index.json")["stem"], "tryfirst-english");
    assert_eq!(find(&out, "printers"), ["/printer/"]);
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.join("search"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let listing: String = files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            format!("{name}\n{}\n", std::fs::read_to_string(path).unwrap())
        })
        .collect();
    insta::assert_snapshot!("english_search_index", listing);
    let page = read(&out, "search/index.html");
    assert!(page.contains("data-index=\"/search/index.json\""));
    assert!(
        !page.contains("data-stemmer"),
        "English needs no stemmer script"
    );
}
