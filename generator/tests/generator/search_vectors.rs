//! The site search's test vectors (`tests/fixtures/search-vectors.json`), shared with
//! `search.js`'s tests (`tests/e2e/search-vectors.test.mjs`): the index is written with these
//! functions and a query goes through `search.js`'s, so both must give these values.
//!
//! The Snowball-Dutch stems are made here, from `rust-stemmers`, and checked by node against
//! the vendored `snowball-dutch.js`: every word of the Dutch articles (`content/**/*.nl.md`)
//! and inflections of them. After adding Dutch content, or to add words from a file (one text,
//! any words), rewrite them with
//! `TRYFIRST_UPDATE_VECTORS=1 [TRYFIRST_VECTOR_WORDS=file] cargo test -p generator search_vectors`.

use std::collections::BTreeSet;

use generator::render::search::{fnv1a, terms, Stemmer};
use serde_json::Value;

use crate::support::repo;

fn vectors_path() -> std::path::PathBuf {
    repo().join("tests/fixtures/search-vectors.json")
}

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap()
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    serde_json::from_value(value.clone()).unwrap()
}

#[test]
fn stems_terms_and_hashes_match_the_shared_vectors() {
    let vectors = vectors();
    let mut checked = 0;
    for (name, list) in vectors["stems"].as_object().unwrap() {
        let stemmer = Stemmer::from_name(&Value::from(name.as_str())).unwrap();
        for (word, expected) in pairs(list) {
            assert_eq!(stemmer.stem(&word), expected, "{name}: stem({word:?})");
            checked += 1;
        }
    }
    assert!(checked >= 1000, "{checked} stems");
    for case in vectors["terms"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let stemmer = Stemmer::from_name(&case["stem"]).unwrap();
        let expected: Vec<String> = serde_json::from_value(case["terms"].clone()).unwrap();
        assert_eq!(
            terms(text, stemmer),
            expected,
            "terms({text:?}, {stemmer:?})"
        );
    }
    for pair in vectors["hashes"].as_array().unwrap() {
        let (text, expected) = (pair[0].as_str().unwrap(), pair[1].as_u64().unwrap());
        assert_eq!(u64::from(fnv1a(text)), expected, "fnv1a({text:?})");
    }
}

/// Runs of letters (2+) of `text`, lower-cased: the words a Dutch index stems.
fn words_of(text: &str, into: &mut BTreeSet<String>) {
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if run.chars().nth(1).is_some() {
            into.insert(run.to_lowercase());
        }
    }
}

/// Every word of the Dutch articles (`*.nl.md` under `content/`).
fn dutch_content_words() -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo().join("content")) {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().ends_with(".nl.md") {
            words_of(&std::fs::read_to_string(entry.path()).unwrap(), &mut words);
        }
    }
    words
}

/// Endings a Dutch word takes (plural, diminutive, adjective, verb forms): added to the words
/// of the content, they give the stemmer the inflections a visitor may type.
const INFLECTIONS: &[&str] = &[
    "en", "s", "e", "je", "tje", "jes", "heden", "ing", "ingen", "end", "ig", "lijk", "baar",
    "bar", "te", "ten", "de", "den", "er", "ste",
];

#[test]
fn the_dutch_vectors_hold_every_word_of_the_dutch_content() {
    let vectors = vectors();
    let held: BTreeSet<String> = pairs(&vectors["stems"]["snowball-dutch"])
        .into_iter()
        .map(|(word, _)| word)
        .collect();
    let mut words = dutch_content_words();
    if std::env::var_os("TRYFIRST_UPDATE_VECTORS").is_some() {
        if let Some(file) = std::env::var_os("TRYFIRST_VECTOR_WORDS") {
            words_of(&std::fs::read_to_string(file).unwrap(), &mut words);
        }
        write_dutch_vectors(vectors, held, words);
        return;
    }
    words.retain(|word| !held.contains(word));
    assert!(
        words.is_empty(),
        "Dutch words missing from the vectors (rewrite them, see this file's doc): {words:?}"
    );
}

/// Rewrites the vectors' Snowball-Dutch stems: `held` and `words`, each with inflections (from
/// its own stem, and every third word's from the word as written), stemmed by `rust-stemmers`.
fn write_dutch_vectors(mut vectors: Value, held: BTreeSet<String>, words: BTreeSet<String>) {
    let mut all = held;
    for (n, word) in words.iter().enumerate() {
        all.insert(word.clone());
        if !word.chars().all(char::is_alphabetic) || word.chars().count() < 4 {
            continue;
        }
        let stem = Stemmer::Dutch.stem(word).into_owned();
        let ending = INFLECTIONS[n % INFLECTIONS.len()];
        all.insert(format!("{stem}{ending}"));
        if n % 3 == 0 {
            all.insert(format!(
                "{word}{}",
                INFLECTIONS[(n / 3) % INFLECTIONS.len()]
            ));
        }
    }
    let stems: Vec<(String, String)> = all
        .into_iter()
        .map(|word| {
            let stem = Stemmer::Dutch.stem(&word).into_owned();
            (word, stem)
        })
        .collect();
    vectors["stems"]["snowball-dutch"] = serde_json::to_value(stems).unwrap();
    std::fs::write(vectors_path(), format_vectors(&vectors)).unwrap();
}

/// The vectors as pretty JSON, with each pair and each case on a line of its own: thousands of
/// stems stay a readable, diffable file.
fn format_vectors(vectors: &Value) -> String {
    let line = |value: &Value| serde_json::to_string(value).unwrap();
    let list = |items: &[Value], indent: &str| {
        let lines: Vec<String> = items
            .iter()
            .map(|item| format!("{indent}  {}", line(item)))
            .collect();
        format!("[\n{}\n{indent}]", lines.join(",\n"))
    };
    let mut out = String::from("{\n");
    let object = vectors.as_object().unwrap();
    for (i, (key, value)) in object.iter().enumerate() {
        let formatted = match value {
            Value::Object(stems) => {
                let inner: Vec<String> = stems
                    .iter()
                    .map(|(name, pairs)| {
                        format!(
                            "    {}: {}",
                            line(&name.as_str().into()),
                            list(pairs.as_array().unwrap(), "    ")
                        )
                    })
                    .collect();
                format!("{{\n{}\n  }}", inner.join(",\n"))
            }
            Value::Array(items) => list(items, "  "),
            other => line(other),
        };
        let comma = if i + 1 < object.len() { "," } else { "" };
        out.push_str(&format!(
            "  {}: {formatted}{comma}\n",
            line(&key.as_str().into())
        ));
    }
    out.push_str("}\n");
    out
}
