//! The site search's test vectors (`tests/fixtures/search-vectors.json`), shared with
//! `search.js`'s tests (`tests/e2e/search-vectors.test.mjs`): the index is written with these
//! functions and a query goes through `search.js`'s, so both must give these values.

use generator::render::search::{fnv1a, stem, terms};

use crate::support::repo;

fn vectors() -> serde_json::Value {
    let path = repo().join("tests/fixtures/search-vectors.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn stems_terms_and_hashes_match_the_shared_vectors() {
    let vectors = vectors();
    let stems = vectors["stems"].as_array().unwrap();
    assert!(stems.len() >= 10);
    for pair in stems {
        let (word, expected) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        assert_eq!(stem(word), expected, "stem({word:?})");
    }
    for case in vectors["terms"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let stemming = case["stemming"].as_bool().unwrap();
        let expected: Vec<String> = serde_json::from_value(case["terms"].clone()).unwrap();
        assert_eq!(
            terms(text, stemming),
            expected,
            "terms({text:?}, {stemming})"
        );
    }
    for pair in vectors["hashes"].as_array().unwrap() {
        let (text, expected) = (pair[0].as_str().unwrap(), pair[1].as_u64().unwrap());
        assert_eq!(u64::from(fnv1a(text)), expected, "fnv1a({text:?})");
    }
}
