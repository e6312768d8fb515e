//! One analyser for English and Dutch help-desk text: the ask function's knowledge-base advisor
//! uses it, and the site search can use it too, so a question and an article meet on the same
//! terms wherever they are compared.
//!
//! Why this shape: the articles are written in English, visitors write in English or Dutch.
//! Each word is lower-cased; stop words of both languages are dropped; a Dutch word (or its
//! Snowball-Dutch stem, or a two-part compound of known Dutch words such as "herstelsleutel") is
//! replaced by the English words it means, from a small curated help-desk vocabulary
//! ([`DUTCH_TO_ENGLISH`]); every remaining word is reduced by the Snowball English stemmer
//! (`rust-stemmers`). So "Mijn wachtwoorden zijn verlopen" and "my password has expired" give
//! the same terms. Words with digits are kept as typed ("win11", "0x80070005").
//!
//! Pure and allocation-light; the stemmers are built once per process.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// The analyser's version, written into the search index file the generator makes
/// ([`crate::retrieval::file`]): an index made by another analyser holds other terms than this
/// one makes of a question, so the function builds its own index instead of loading that one.
/// Bump it with any change to what a word becomes (splitting, stop words, the Dutch vocabulary,
/// the stemmers or their crate's version); `retrieval`'s `index_of_the_pinned_text` test fails
/// until you do.
pub const ANALYSER_VERSION: u32 = 1;

/// One index or query term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The English stem the term is compared by.
    pub stem: String,
    /// How many characters the visitor typed for the word it came from (the typo budget of a
    /// fuzzy match depends on it).
    pub typed_len: usize,
    /// Whether the word was translated from Dutch.
    pub translated: bool,
}

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));
static DUTCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Dutch));
static DUTCH_MAP: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| DUTCH_TO_ENGLISH.iter().copied().collect());
/// The same vocabulary keyed by the Snowball-Dutch stem of each word, for inflected forms.
static DUTCH_STEM_MAP: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    DUTCH_TO_ENGLISH
        .iter()
        .map(|(dutch, english)| (DUTCH.stem(dutch).into_owned(), *english))
        .collect()
});

/// English and Dutch words too common to say anything about a problem. Sorted (binary search).
pub const STOP_WORDS: &[&str] = &[
    "a", "aan", "about", "after", "again", "al", "all", "alle", "alles", "als", "also", "am", "an",
    "and", "any", "are", "as", "at", "be", "been", "before", "ben", "bent", "bij", "but", "by",
    "can", "could", "dan", "dat", "de", "deze", "did", "die", "dit", "do", "does", "doesn", "don",
    "door", "dus", "een", "en", "er", "even", "for", "from", "geen", "get", "got", "graag", "had",
    "has", "have", "he", "heb", "hebben", "hebt", "heeft", "her", "het", "hier", "hij", "his",
    "hoe", "how", "i", "ik", "in", "into", "is", "isn", "it", "its", "je", "jij", "jullie", "just",
    "kan", "kun", "kunnen", "kunt", "m", "maar", "me", "meer", "met", "mij", "mijn", "moet",
    "moeten", "my", "na", "naar", "niet", "no", "nog", "not", "now", "nu", "of", "om", "on", "ons",
    "onze", "ook", "op", "or", "our", "over", "please", "s", "she", "should", "so", "some", "t",
    "te", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "to", "toch", "tot", "u", "uit", "up", "van", "ve", "very", "voor", "waar", "waarom",
    "wanneer", "was", "wat", "we", "wel", "were", "what", "when", "where", "which", "who", "why",
    "wij", "wil", "will", "with", "won", "worden", "wordt", "would", "you", "your", "ze", "zij",
    "zijn", "zo", "zou",
];

/// Dutch help-desk words → the English words of our articles. Keys are lower-case Dutch words
/// or their Snowball-Dutch stems; values are one or more English words (stemmed afterwards).
/// Curated: no key is also an English word, so English text is never "translated".
pub const DUTCH_TO_ENGLISH: &[(&str, &str)] = &[
    ("aangekomen", "arrived"),
    ("aanmelden", "sign in"),
    ("aanmelding", "sign in"),
    ("aanmeldingen", "sign in"),
    ("afdrukken", "print"),
    ("afwezig", "away"),
    ("apparaat", "device"),
    ("apparaten", "device"),
    ("bankrekening", "bank account"),
    ("beeldscherm", "monitor display"),
    ("beeldschermen", "monitor display"),
    ("beginnen", "start"),
    ("begint", "start"),
    ("beheerder", "admin"),
    ("beheerders", "admin"),
    ("belde", "called"),
    ("beleid", "policy"),
    ("bellen", "call"),
    ("bereiden", "prepare"),
    ("bericht", "message"),
    ("besmet", "infected"),
    ("bestand", "file"),
    ("bestanden", "file"),
    ("betaald", "paid"),
    ("betaling", "payment"),
    ("beveiliging", "security"),
    ("beveiligingssleutel", "security key"),
    ("bewerken", "edit"),
    ("bijlage", "attachment"),
    ("bijwerken", "update"),
    ("blauw", "blue"),
    ("blauwe", "blue"),
    ("buitengesloten", "locked"),
    ("collega", "colleague"),
    ("dag", "day"),
    ("datalek", "breach"),
    ("diefstal", "stolen"),
    ("directeur", "director"),
    ("dockingstation", "dock"),
    ("draadloos", "wireless"),
    ("draadloze", "wireless"),
    ("eerste", "first"),
    ("extensie", "extension"),
    ("facturen", "invoice"),
    ("factuur", "invoice"),
    ("gebeld", "called"),
    ("geblokkeerd", "blocked locked"),
    ("gebruiker", "user"),
    ("gedeeld", "shared"),
    ("gedeelde", "shared"),
    ("gegevens", "data"),
    ("gehacked", "hacked"),
    ("gehackt", "hacked"),
    ("geklikt", "clicked"),
    ("geluid", "audio"),
    ("gemaild", "emailed"),
    ("gestolen", "stolen"),
    ("gestuurd", "sent"),
    ("geweigerd", "denied"),
    ("gewijzigd", "changed"),
    ("gijzelsoftware", "ransomware"),
    ("goedkeuren", "approve"),
    ("goedkeuring", "approval"),
    ("goedkeuringsverzoek", "approval prompt"),
    ("goedkeuringsverzoeken", "approval prompt"),
    ("hangen", "stuck"),
    ("herkend", "detected"),
    ("herkent", "detect"),
    ("herstarten", "restart"),
    ("herstel", "recovery"),
    ("herstellen", "restore"),
    ("herstelsleutel", "recovery key"),
    ("hoofdtelefoon", "headset"),
    ("hoort", "hear"),
    ("horen", "hear"),
    ("ingelogd", "sign in"),
    ("ingevuld", "entered"),
    ("inloggen", "sign in"),
    ("inlogpoging", "sign in"),
    ("inlogpogingen", "sign in"),
    ("inrichten", "set up"),
    ("instellen", "set up"),
    ("kantoor", "office"),
    ("klant", "customer"),
    ("klanten", "customer"),
    ("klassiek", "classic"),
    ("klassieke", "classic"),
    ("klikte", "clicked"),
    ("komt", "arrive"),
    ("kopieerapparaat", "copier"),
    ("kopieermachine", "copier"),
    ("koptelefoon", "headset"),
    ("kruisjes", "cross"),
    ("kwijt", "lost"),
    ("kwijtgeraakt", "lost"),
    ("laden", "loading"),
    ("langzaam", "slow"),
    ("leverancier", "supplier"),
    ("licentie", "licence licensed"),
    ("losgeld", "ransom"),
    ("losgeldbericht", "ransom note"),
    ("maandag", "monday"),
    ("medewerker", "employee"),
    ("medewerkers", "employee"),
    ("melding", "alert notification"),
    ("meldingen", "alert notification"),
    ("microfoon", "microphone"),
    ("mislukken", "fail"),
    ("mislukt", "fail"),
    ("mobiel", "phone"),
    ("mobieltje", "phone"),
    ("netwerk", "network"),
    ("netwerkschijf", "mapped drive network"),
    ("nieuw", "new"),
    ("nieuwe", "new"),
    ("noodaccount", "emergency account"),
    ("noodaccounts", "emergency account"),
    ("noodtoegang", "emergency access"),
    ("nummer", "number"),
    ("ongeluk", "accident"),
    ("ontslag", "leaving"),
    ("ontvanger", "recipient"),
    ("opnieuw", "again"),
    ("opslag", "storage"),
    ("opslagruimte", "storage"),
    ("opstarten", "start"),
    ("overschreven", "overwrote"),
    ("persoon", "person"),
    ("persoonsgegevens", "personal data"),
    ("postvak", "mailbox"),
    ("printen", "print"),
    ("profiel", "profile"),
    ("prullenbak", "recycle bin"),
    ("rechten", "permission"),
    ("rekeningnummer", "bank account"),
    ("richten", "set up"),
    ("rode", "red"),
    ("scannen", "scan"),
    ("scherm", "screen"),
    ("schijf", "drive"),
    ("schijven", "drive"),
    ("sleutel", "key"),
    ("spoedbetaling", "urgent payment"),
    ("synchronisatie", "sync"),
    ("synchroniseert", "sync"),
    ("synchroniseren", "sync"),
    ("telefoon", "phone"),
    ("terug", "back restore"),
    ("terughalen", "restore"),
    ("terugzetten", "restore"),
    ("thuis", "home"),
    ("toegang", "access"),
    ("toont", "show"),
    ("traag", "slow"),
    ("trage", "slow"),
    ("trein", "train"),
    ("tweede", "second"),
    ("uitdiensttreding", "leaving"),
    ("vastgelopen", "stuck"),
    ("verander", "change"),
    ("veranderen", "change"),
    ("verbinden", "connect"),
    ("verbinding", "connect"),
    ("verdacht", "suspicious"),
    ("verdachte", "suspicious"),
    ("vergadering", "meeting"),
    ("vergaderingen", "meeting"),
    ("vergeten", "forgot"),
    ("vergrendeld", "locked"),
    ("verkeerd", "wrong"),
    ("verkeerde", "wrong"),
    ("verlopen", "expired"),
    ("verloren", "lost"),
    ("verscheen", "appeared"),
    ("versie", "version"),
    ("versleuteld", "encrypted"),
    ("versleuteling", "encryption"),
    ("versturen", "send"),
    ("verstuurd", "sent"),
    ("vertrekt", "leaving"),
    ("verwacht", "expecting"),
    ("verwijderd", "deleted"),
    ("verzenden", "send"),
    ("verzoek", "request"),
    ("verzoeken", "request"),
    ("vol", "full"),
    ("voldoet", "compliant"),
    ("volle", "full"),
    ("voorbereiden", "prepare"),
    ("vorige", "previous"),
    ("vraagt", "ask"),
    ("vreemde", "strange"),
    ("waarschuwing", "alert"),
    ("wachtwoord", "password"),
    ("weggegooid", "deleted"),
    ("werk", "work"),
    ("werkmail", "work email"),
    ("werknemer", "employee"),
    ("werkt", "working"),
    ("wijzigen", "change"),
    ("wisselen", "change"),
    ("zie", "show"),
    ("zien", "show"),
    ("ziet", "see"),
];

/// Whether `word` (lower-case) is a stop word in English or Dutch.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// The Snowball English stem of a lower-case word; words with digits are kept as they are.
pub fn english_stem(word: &str) -> String {
    if word.chars().any(|c| !c.is_alphabetic()) {
        return word.to_owned();
    }
    ENGLISH.stem(word).into_owned()
}

/// The Snowball-Dutch stem of a lower-case word, exactly as [`translate_dutch`] stems it: the
/// site search's Dutch index uses it too, so the form and the search page agree on what a
/// Dutch word is ("wachtwoorden" → "wachtwoord"). Words are stemmed whatever they contain.
pub fn dutch_stem(word: &str) -> Cow<'_, str> {
    DUTCH.stem(word)
}

/// The English words a Dutch word stands for, if it is in the vocabulary: as typed, by its
/// Dutch stem, or as a compound of two known words ("herstel" + "sleutel").
pub fn translate_dutch(word: &str) -> Option<String> {
    if let Some(english) = lookup(word) {
        return Some(english.to_owned());
    }
    // Compounds: both halves at least four characters, a linking "s" allowed.
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    if chars.len() < 8 {
        return None;
    }
    for &(at, _) in &chars[4..=chars.len() - 4] {
        let (left, right) = word.split_at(at);
        let left_english = lookup(left).or_else(|| left.strip_suffix('s').and_then(lookup));
        if let (Some(left), Some(right)) = (left_english, lookup(right)) {
            return Some(format!("{left} {right}"));
        }
    }
    None
}

fn lookup(word: &str) -> Option<&'static str> {
    DUTCH_MAP
        .get(word)
        .copied()
        .or_else(|| DUTCH_STEM_MAP.get(DUTCH.stem(word).as_ref()).copied())
}

/// The terms of `text`, in order. See the module documentation for what happens to a word.
pub fn terms(text: &str) -> Vec<Term> {
    words(text).flat_map(word_terms).collect()
}

/// The words of `text` as typed: what [`terms`] analyses one by one. An index over many texts
/// analyses each distinct word once (see [`word_terms`]): stemming and the Dutch compound
/// lookup are most of the cost of indexing a bundle, and its texts repeat a few thousand words.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The terms one word as typed stands for: none for a stop word or a single letter, the English
/// words' stems for a Dutch word in the vocabulary, else its own stem.
pub fn word_terms(word: &str) -> Vec<Term> {
    let lower = word.to_lowercase();
    let typed_len = lower.chars().count();
    let single_letter = typed_len == 1 && !lower.chars().all(char::is_numeric);
    if single_letter || is_stop_word(&lower) {
        return Vec::new();
    }
    match translate_dutch(&lower) {
        Some(english) => english
            .split(' ')
            .map(|w| Term {
                stem: english_stem(w),
                typed_len,
                translated: true,
            })
            .collect(),
        None => vec![Term {
            stem: english_stem(&lower),
            typed_len,
            translated: false,
        }],
    }
}

/// The language a visitor's text is written in, as far as its common words tell: Dutch or
/// English, the two this analyser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spoken {
    Dutch,
    English,
}

impl Spoken {
    /// Its language code, as the bundle writes it.
    pub fn code(self) -> &'static str {
        match self {
            Spoken::Dutch => "nl",
            Spoken::English => "en",
        }
    }
}

/// The language `text` is clearly written in: more of its words are Dutch-only (stop words or
/// vocabulary) than English-only stop words, or the other way round. `None` when neither wins
/// (no such words, or as many of each: "printer offline", "Outlook crashes"), so the caller
/// keeps the language of the page rather than guess from a product name.
pub fn spoken_language(text: &str) -> Option<Spoken> {
    const DUTCH_ONLY: &[&str] = &[
        "aan", "al", "alle", "alles", "als", "ben", "bent", "bij", "dan", "dat", "de", "deze",
        "die", "dit", "door", "dus", "een", "en", "geen", "heb", "hebben", "heeft", "het", "hij",
        "hoe", "ik", "je", "kan", "kun", "maar", "met", "mijn", "moet", "naar", "niet", "nog",
        "ook", "op", "te", "van", "voor", "waar", "wat", "wij", "zijn",
    ];
    const ENGLISH_ONLY: &[&str] = &[
        "a", "and", "are", "be", "can", "do", "has", "have", "how", "i", "is", "it", "my", "not",
        "of", "the", "this", "to", "what", "why", "with", "you",
    ];
    let (mut dutch, mut english) = (0usize, 0usize);
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        if DUTCH_ONLY.contains(&lower.as_str()) || DUTCH_MAP.contains_key(lower.as_str()) {
            dutch += 1;
        } else if ENGLISH_ONLY.contains(&lower.as_str()) {
            english += 1;
        }
    }
    match dutch.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Spoken::Dutch),
        std::cmp::Ordering::Less => Some(Spoken::English),
        std::cmp::Ordering::Equal => None,
    }
}

/// Whether more words of `text` look Dutch than English (see [`spoken_language`]): enough to
/// answer in the visitor's language when no model does it for us.
pub fn looks_dutch(text: &str) -> bool {
    spoken_language(text) == Some(Spoken::Dutch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn no_dutch_key_is_a_stop_word_or_repeated() {
        let mut keys: Vec<&str> = DUTCH_TO_ENGLISH.iter().map(|(k, _)| *k).collect();
        assert!(keys.iter().all(|k| !is_stop_word(k)));
        keys.sort_unstable();
        assert!(keys.windows(2).all(|w| w[0] != w[1]), "duplicate key");
    }

    #[test]
    fn english_word_forms_meet() {
        assert_eq!(stems("printers printing"), stems("printer print"));
        assert_eq!(stems("expired"), stems("expire"));
        assert_eq!(stems("connecting connection"), stems("connect connect"));
        assert_eq!(stems("win11 0x80070005"), ["win11", "0x80070005"]);
    }

    #[test]
    fn dutch_questions_meet_the_english_articles() {
        assert_eq!(
            stems("Mijn wachtwoord is verlopen"),
            stems("password expired")
        );
        assert_eq!(stems("wachtwoorden"), stems("password"));
        assert_eq!(stems("verbindingen"), stems("connect"));
        assert_eq!(stems("losgeldbericht"), stems("ransom note"));
        // A compound that is not in the list itself (plural of one that is not either).
        assert_eq!(stems("herstelsleutels"), stems("recovery key"));
        assert!(terms("gehackt").iter().all(|t| t.translated));
    }

    #[test]
    fn english_text_is_not_translated() {
        assert!(terms("the printer is offline and the laptop is slow")
            .iter()
            .all(|t| !t.translated));
    }

    #[test]
    fn stop_words_of_both_languages_are_dropped() {
        assert!(terms("the and of is it de het een niet").is_empty());
    }

    #[test]
    fn tells_dutch_from_english() {
        assert!(looks_dutch(
            "Mijn wachtwoord is verlopen, wat moet ik doen?"
        ));
        assert!(!looks_dutch("My password has expired, what do I do?"));
        assert_eq!(
            spoken_language("My password has expired, what do I do?"),
            Some(Spoken::English)
        );
        assert_eq!(spoken_language("Outlook crashes"), None);
        assert_eq!(
            spoken_language("Mijn printer is kapot"),
            None,
            "one each: no winner"
        );
    }
}
