//! The index on a small bundle: inflections, Dutch, typos, determinism.

use super::*;
use crate::fixtures::{article, bundle, sample};
use crate::Risk;

#[test]
fn edit_distance_counts_typos() {
    let d = |a: &str, b: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        edit_distance(&a, &b, 2)
    };
    assert_eq!(d("print", "print"), 0);
    assert_eq!(d("pirnt", "print"), 1); // transposition
    assert_eq!(d("bitloc", "bitlock"), 1); // insertion
    assert_eq!(d("prnt", "print"), 1);
    assert_eq!(d("kitten", "sitting"), 3); // capped at max + 1
    assert_eq!(d("", "ab"), 2);
    assert_eq!(d("wachtwoord", "wagtwoord"), 2);
}

#[test]
fn ranks_english_inflections() {
    let bundle = sample();
    let index = SearchIndex::new(&bundle);
    let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
    assert_eq!(
        slug("my printers stopped printing").as_deref(),
        Some("printer-offline")
    );
    assert_eq!(
        slug("the laptop is not connecting to wifi").as_deref(),
        Some("wifi-connect")
    );
    assert_eq!(
        slug("Recovery keys for Bitlocker?").as_deref(),
        Some("bitlocker-recovery")
    );
}

#[test]
fn ranks_dutch_inflections() {
    let bundle = sample();
    let index = SearchIndex::new(&bundle);
    let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
    assert_eq!(
        slug("alle wachtwoorden kwijt").as_deref(),
        Some("wachtwoord-vergeten")
    );
    assert_eq!(
        slug("verbindingen vallen weg").as_deref(),
        Some("vpn-verbinding")
    );
}

#[test]
fn tolerates_typos() {
    let bundle = sample();
    let index = SearchIndex::new(&bundle);
    let slug = |q: &str| slug_of(&bundle, best(&index, q)).map(str::to_owned);
    assert_eq!(slug("pirnter").as_deref(), Some("printer-offline"));
    assert_eq!(slug("bitlocer").as_deref(), Some("bitlocker-recovery"));
    // Short words get no typo budget.
    assert!(index.rank("vnp", 5).is_empty());
}

#[test]
fn typo_matches_score_below_exact_ones() {
    let index = SearchIndex::new(&sample());
    let exact = index.rank("printer", 1)[0].1;
    let typo = index.rank("pirnter", 1)[0].1;
    assert!(typo < exact, "{typo} !< {exact}");
}

#[test]
fn stop_words_alone_match_nothing() {
    let index = SearchIndex::new(&sample());
    assert!(index.rank("the and of is it de het een niet", 5).is_empty());
    assert!(index.rank("", 5).is_empty());
    assert!(index.rank("?!", 5).is_empty());
}

#[test]
fn ranking_is_deterministic_and_ties_go_to_the_lower_index() {
    let twin = |slug: &str| {
        article(
            slug,
            "Printer offline",
            "Printer offline",
            &[],
            Risk::Low,
            &[],
        )
    };
    let bundle = bundle(vec![twin("b"), twin("a"), twin("c")]);
    let index = SearchIndex::new(&bundle);
    let first = index.rank("printer", 10);
    assert_eq!(first.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1, 2]);
    for _ in 0..5 {
        assert_eq!(index.rank("printer", 10), first);
    }
    assert_eq!(index.rank("printer", 2).len(), 2);
}

#[test]
fn empty_bundle_matches_nothing() {
    let index = SearchIndex::new(&bundle(vec![]));
    assert!(index.rank("printer", 5).is_empty());
}

fn best(index: &SearchIndex, query: &str) -> Option<usize> {
    index.rank(query, 5).first().map(|&(i, _)| i)
}

fn slug_of(bundle: &Bundle, index: Option<usize>) -> Option<&str> {
    index
        .and_then(|i| bundle.articles.get(i))
        .map(|a| a.slug.as_str())
}
