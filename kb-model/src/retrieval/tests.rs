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

mod file {
    //! The index file: loaded, it is the index built from the bundle; refused, it says why.

    use super::*;
    use crate::text::{ANALYSER_VERSION, DUTCH_TO_ENGLISH, STOP_WORDS};
    use crate::BundleFingerprint;
    use proptest::prelude::*;

    /// Questions of every kind the index answers: exact, inflected, Dutch, typos, nothing.
    const QUERIES: &[&str] = &[
        "my printers stopped printing",
        "the laptop is not connecting to wifi",
        "Recovery keys for Bitlocker?",
        "alle wachtwoorden kwijt",
        "verbindingen vallen weg",
        "pirnter",
        "bitlocer",
        "vnp",
        "the and of",
        "",
    ];

    fn fingerprint() -> BundleFingerprint {
        BundleFingerprint::of(b"{\"the\":\"bundle\"}")
    }

    fn loaded(index: &SearchIndex) -> SearchIndex {
        SearchIndex::from_file(&index.to_file(fingerprint()), &fingerprint()).expect("loads")
    }

    #[test]
    fn a_loaded_index_ranks_as_the_built_one() {
        let built = SearchIndex::new(&sample());
        let loaded = loaded(&built);
        assert!(loaded == built);
        for query in QUERIES {
            assert_eq!(
                loaded.scores_and_coverage(query),
                built.scores_and_coverage(query)
            );
            assert_eq!(loaded.rank(query, 5), built.rank(query, 5), "{query}");
        }
        let empty = SearchIndex::new(&bundle(vec![]));
        assert!(self::loaded(&empty) == empty);
    }

    #[test]
    fn the_same_index_gives_the_same_bytes() {
        let file = SearchIndex::new(&sample()).to_file(fingerprint());
        assert_eq!(SearchIndex::new(&sample()).to_file(fingerprint()), file);
        assert_eq!(
            loaded(&SearchIndex::new(&sample())).to_file(fingerprint()),
            file
        );
    }

    #[test]
    fn a_file_of_another_version_or_bundle_is_refused() {
        let index = SearchIndex::new(&sample());
        let refusal = |file: &[u8]| SearchIndex::from_file(file, &fingerprint()).unwrap_err();
        assert_eq!(
            refusal(&index.to_file_as(INDEX_LAYOUT, ANALYSER_VERSION + 1, fingerprint())),
            IndexFileError::Analyser {
                found: ANALYSER_VERSION + 1
            }
        );
        assert_eq!(
            refusal(&index.to_file_as(INDEX_LAYOUT + 1, ANALYSER_VERSION, fingerprint())),
            IndexFileError::Layout {
                found: INDEX_LAYOUT + 1
            }
        );
        let other = BundleFingerprint::of(b"{\"the\":\"bundle\"} ");
        assert_eq!(refusal(&index.to_file(other)), IndexFileError::OtherBundle);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let file = SearchIndex::new(&sample()).to_file(fingerprint());
        let refusal = |file: &[u8]| SearchIndex::from_file(file, &fingerprint()).unwrap_err();
        assert_eq!(refusal(b""), IndexFileError::NotAnIndex);
        assert_eq!(refusal(b"{\"format\":2}"), IndexFileError::NotAnIndex);
        assert_eq!(
            refusal(&file[..12]),
            IndexFileError::Damaged("the header is cut short")
        );
        let cut = refusal(&file[..file.len() - 1]);
        assert_eq!(cut, IndexFileError::Damaged("its checksum does not match"));
        for at in [file.len() / 2, file.len() - 1] {
            let mut flipped = file.clone();
            flipped[at] ^= 0x10;
            assert_eq!(
                refusal(&flipped),
                IndexFileError::Damaged("its checksum does not match")
            );
        }
    }

    /// What the analyser makes of every word it treats specially, and the index of the sample:
    /// a change to either changes the index files the generator writes, which the function must
    /// then not load as they are. Pinned with the versions that made it.
    #[test]
    fn index_of_the_pinned_text() {
        let mut words: Vec<String> = STOP_WORDS.iter().map(|w| (*w).to_owned()).collect();
        for (dutch, english) in DUTCH_TO_ENGLISH {
            words.extend([dutch, english].map(|w| (*w).to_owned()));
            words.push(format!("{dutch}en {dutch}s {english}s {english}ing"));
        }
        words.extend(
            [
                "herstelsleutel wachtwoordmanager printerstoring Wi-Fi win11 0x80070005 e-mail",
                "ÉÉN café naïve straße İstanbul Ångström x 7 a1 Printers PRINTING stopped",
            ]
            .map(str::to_owned),
        );
        let mut pinned = sample();
        pinned.articles.push(article(
            "every-word",
            "Every word",
            &words.join(" "),
            &["tag"],
            Risk::Low,
            &["A step."],
        ));
        let file = SearchIndex::new(&pinned).to_file_as(0, 0, fingerprint());
        let digest = crc32fast::hash(&file);
        // A new digest comes with a new version: never change one without the other.
        const PINNED: (u32, u32, u32) = (1, 1, 1_418_425_293);
        assert_eq!(
            (ANALYSER_VERSION, INDEX_LAYOUT, digest),
            PINNED,
            "the index of the pinned text changed: bump text::ANALYSER_VERSION if what a word \
             becomes changed, retrieval::INDEX_LAYOUT if the fields, their weights or the file's \
             layout did, and pin the new digest with the new versions"
        );
    }

    /// A few words of each kind the analyser treats: English, inflected, Dutch, typos.
    const WORDS: &[&str] = &[
        "printer",
        "printers",
        "printing",
        "pirnter",
        "offline",
        "laptop",
        "wifi",
        "Wi-Fi",
        "bitlocker",
        "bitlocer",
        "recovery",
        "key",
        "keys",
        "wachtwoord",
        "wachtwoorden",
        "herstelsleutel",
        "verbinding",
        "vpn",
        "the",
        "de",
        "win11",
        "mailbox",
        "teams",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(WORDS), 0..8).prop_map(|w| w.join(" "))
    }

    proptest! {
        /// On any bundle of these words: the loaded index is the built one and ranks the same.
        #[test]
        fn any_loaded_index_ranks_as_the_built_one(
            articles in prop::collection::vec((text(), text(), text()), 0..8),
            queries in prop::collection::vec(text(), 1..6),
        ) {
            let articles = articles
                .iter()
                .enumerate()
                .map(|(i, (title, description, step))| {
                    article(&format!("a{i}"), title, description, &[], Risk::Low, &[step])
                })
                .collect();
            let built = SearchIndex::new(&bundle(articles));
            let loaded = loaded(&built);
            prop_assert!(loaded == built);
            for query in &queries {
                prop_assert_eq!(loaded.scores_and_coverage(query), built.scores_and_coverage(query));
            }
        }
    }
}
