//! Scanners for identifiers and keys that people paste when asking for help with an account or
//! a network, added to `scrub`'s phase 1:
//!
//! - Microsoft account recovery codes: five groups of five letters/digits joined by dashes;
//! - Temporary Access Passes and Wi-Fi keys: a key-looking token shortly after "temporary
//!   access pass"/"TAP", or after "wifi"/"wi-fi" and a key word ("key", "password",
//!   "wachtwoord", "code", "sleutel");
//! - the Dutch citizen service number (BSN): nine digits that pass the 11-proof;
//! - IBANs: a country code, two check digits and up to 30 letters/digits (grouped by four or
//!   not) that pass the mod-97 check. Kept out of the LLM; the lead stores the placeholder.
//!
//! Checksums keep ordinary numbers (order numbers, phone numbers) in the text: a random nine
//! digits passes the 11-proof one time in eleven, a random IBAN-shaped string mod-97 one time in
//! ninety-seven.

use super::{byte_before, in_masked, is_word_byte, SecretKind, Span};

/// Runs every scanner of this module over `text`.
pub(super) fn find(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    find_account_recovery_codes(bytes, out);
    find_bsn(bytes, out);
    find_ibans(bytes, out);
    find_keyed_tokens(text, masked, out);
}

fn free_before(bytes: &[u8], i: usize) -> bool {
    byte_before(bytes, i).is_none_or(|b| !is_word_byte(b) && b != b'-' && b != b'.')
}

/// Whether a match may end at `i`: no word glued on, directly or by a dash or dot. A
/// placeholder counts as glued on (`[` after the dash): it stands for what a first scrub
/// removed there, often digits, and a second scrub must see the number as the first did.
fn free_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_none_or(|&b| !is_word_byte(b))
        && !(matches!(bytes.get(i), Some(b'-' | b'.'))
            && bytes
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'['))
}

/// `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` with at least one digit.
fn find_account_recovery_codes(bytes: &[u8], out: &mut Vec<Span>) {
    const LEN: usize = 5 * 5 + 4;
    let mut i = 0;
    while i + LEN <= bytes.len() {
        let candidate = &bytes[i..i + LEN];
        let shaped = candidate.iter().enumerate().all(|(j, &b)| {
            if j % 6 == 5 {
                b == b'-'
            } else {
                b.is_ascii_alphanumeric()
            }
        });
        if shaped
            && candidate.iter().any(u8::is_ascii_digit)
            && free_before(bytes, i)
            && free_at(bytes, i + LEN)
        {
            out.push(Span {
                start: i,
                end: i + LEN,
                kind: SecretKind::AccountRecoveryCode,
            });
            i += LEN;
        } else {
            i += 1;
        }
    }
}

/// Whether nine digits pass the BSN 11-proof (and are not all zero).
pub(super) fn eleven_proof(digits: &[u8]) -> bool {
    if digits.len() != 9 || digits.iter().all(|&d| d == 0) {
        return false;
    }
    let sum: i64 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let weight = if i == 8 { -1 } else { 9 - i as i64 };
            weight * i64::from(d)
        })
        .sum();
    sum % 11 == 0
}

/// Nine digits in a row, or written `1234.56.789`, passing the 11-proof.
fn find_bsn(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || !free_before(bytes, i) {
            i += 1;
            continue;
        }
        // Read digits and single dots.
        let mut end = i;
        let mut digits = Vec::new();
        while end < bytes.len() {
            match bytes[end] {
                b if b.is_ascii_digit() => digits.push(b - b'0'),
                b'.' if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) && end > i => {}
                _ => break,
            }
            end += 1;
        }
        let text = &bytes[i..end];
        let dotted = text.len() == 11 && text[4] == b'.' && text[7] == b'.';
        let plain = text.len() == 9;
        if (plain || dotted) && free_at(bytes, end) && eleven_proof(&digits) {
            out.push(Span {
                start: i,
                end,
                kind: SecretKind::Bsn,
            });
        }
        i = end.max(i + 1);
    }
}

/// Whether the letters and digits of `iban` (no spaces) pass the ISO 13616 mod-97 check.
pub(super) fn iban_checksum(iban: &[u8]) -> bool {
    if !(15..=34).contains(&iban.len()) {
        return false;
    }
    let (head, rest) = iban.split_at(4);
    let mut remainder: u32 = 0;
    for &b in rest.iter().chain(head) {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// `NL91ABNA0417164300` or `NL91 ABNA 0417 1643 00`.
fn find_ibans(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let start_ok = bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 3].is_ascii_digit()
            && free_before(bytes, i);
        if !start_ok {
            i += 1;
            continue;
        }
        // Letters/digits, with single spaces only between groups of four.
        let mut end = i;
        let mut compact = Vec::new();
        let mut group = 0;
        while end < bytes.len() && compact.len() < 34 {
            let b = bytes[end];
            if b.is_ascii_alphanumeric() {
                compact.push(b);
                group += 1;
                end += 1;
            } else if b == b' '
                && group == 4
                && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                group = 0;
                end += 1;
            } else {
                break;
            }
        }
        // Shrink from the right until the checksum holds (a trailing word may have been read).
        let mut found = None;
        let mut len = compact.len();
        while len >= 15 {
            if iban_checksum(&compact[..len]) {
                found = Some(len);
                break;
            }
            len -= 1;
        }
        if let Some(len) = found {
            // Map back to a byte end: count `len` alphanumerics from `i`.
            let mut seen = 0;
            let mut stop = i;
            while seen < len {
                if bytes[stop].is_ascii_alphanumeric() {
                    seen += 1;
                }
                stop += 1;
            }
            if free_at(bytes, stop) {
                out.push(Span {
                    start: i,
                    end: stop,
                    kind: SecretKind::Iban,
                });
                i = stop;
                continue;
            }
        }
        i += 1;
    }
}

/// Words after which a key-looking token is a Temporary Access Pass or a Wi-Fi key, and the
/// words that must come between ("wifi … password: X"; none for a TAP).
const KEY_CONTEXTS: &[(&str, SecretKind, bool)] = &[
    (
        "temporary access pass",
        SecretKind::TemporaryAccessPass,
        false,
    ),
    (
        "tijdelijke toegangspas",
        SecretKind::TemporaryAccessPass,
        false,
    ),
    ("tap", SecretKind::TemporaryAccessPass, false),
    ("wifi", SecretKind::WifiKey, true),
    ("wi-fi", SecretKind::WifiKey, true),
    ("wlan", SecretKind::WifiKey, true),
    ("netwerksleutel", SecretKind::WifiKey, false),
    ("network key", SecretKind::WifiKey, false),
];

const KEY_WORDS: &[&str] = &[
    "key",
    "password",
    "wachtwoord",
    "code",
    "sleutel",
    "pass",
    "passphrase",
    "ww",
];

/// How far after the context word the key may be, in bytes.
const KEY_WINDOW: usize = 60;

/// A token that looks like a generated key: 8 to 63 characters with a digit, a symbol or an
/// inner capital; not a placeholder, not a web address.
fn looks_like_key(token: &str) -> bool {
    let len = token.chars().count();
    let has_digit = token.chars().any(|c| c.is_ascii_digit());
    let has_symbol = token.chars().any(|c| !c.is_alphanumeric());
    let inner_capital = token.chars().skip(1).any(char::is_uppercase);
    (8..=63).contains(&len)
        && (has_digit || has_symbol || inner_capital)
        && !token.contains("://")
        && !token.starts_with('[')
}

fn find_keyed_tokens(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for &(context, kind, needs_key_word) in KEY_CONTEXTS {
        for (at, _) in lower.match_indices(context) {
            let after = at + context.len();
            let bounded = byte_before(bytes, at).is_none_or(|b| !is_word_byte(b))
                && bytes.get(after).is_none_or(|&b| !b.is_ascii_alphabetic());
            if !bounded || in_masked(masked, at, after) {
                continue;
            }
            let mut window_end = (after + KEY_WINDOW).min(text.len());
            while !text.is_char_boundary(window_end) {
                window_end -= 1;
            }
            let mut seen_key_word = !needs_key_word;
            let mut pos = after;
            for token in text[after..window_end].split_whitespace() {
                let offset = text[pos..].find(token).map_or(pos, |o| pos + o);
                pos = offset + token.len();
                // A placeholder here is a secret an earlier scrub removed: for this context the
                // search ended there, as it ends at a key found now (so a second scrub finds
                // nothing the first did not).
                if in_masked(masked, offset, pos) {
                    break;
                }
                // A word the window cuts is not a token: removing its first part would leave
                // the rest to start a new word (and a new find) on a second scrub.
                if pos == window_end && text[pos..].starts_with(|c: char| !c.is_whitespace()) {
                    break;
                }
                let trimmed = token.trim_matches(|c: char| {
                    matches!(c, '"' | '\'' | ':' | '=' | ',' | ';' | '(' | ')' | '`')
                });
                let trimmed = trimmed.trim_end_matches(['.', '?']);
                let word = trimmed.to_lowercase();
                if KEY_WORDS.contains(&word.as_str()) || word.ends_with("wachtwoord") {
                    seen_key_word = true;
                    continue;
                }
                if seen_key_word && looks_like_key(trimmed) {
                    let start = offset + token.find(trimmed).unwrap_or(0);
                    let end = start + trimmed.len();
                    if pos <= window_end && !in_masked(masked, start, end) {
                        out.push(Span { start, end, kind });
                    }
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scrub::{scrub, SecretKind};

    fn kinds(text: &str) -> Vec<SecretKind> {
        scrub(text).removed
    }

    #[test]
    fn removes_microsoft_account_recovery_codes() {
        let s = scrub("My recovery code is AB1CD-EF2GH-IJ3KL-MN4OP-QR5ST, now what?");
        assert_eq!(
            s.text,
            "My recovery code is [removed: account recovery code], now what?"
        );
        assert_eq!(s.removed, vec![SecretKind::AccountRecoveryCode]);
        // Words joined by dashes are not codes.
        assert!(kinds("HELLO-WORLD-ABCDE-FGHIJ-KLMNO").is_empty());
    }

    #[test]
    fn removes_temporary_access_passes() {
        for text in [
            "My Temporary Access Pass is Xk7#pQ2m but it fails",
            "I got a TAP: Xk7#pQ2m from IT",
            "Mijn tijdelijke toegangspas Xk7#pQ2m werkt niet",
        ] {
            let s = scrub(text);
            assert!(!s.text.contains("Xk7#pQ2m"), "{text}: {}", s.text);
            assert_eq!(s.removed, vec![SecretKind::TemporaryAccessPass], "{text}");
        }
        assert!(kinds("My Temporary Access Pass has expired already").is_empty());
    }

    #[test]
    fn removes_wifi_keys_near_a_key_word() {
        for text in [
            "The wifi password is Gr33nH0use! and it does not work",
            "Wi-Fi key: 8f3kd93jf02",
            "het wifi wachtwoord is Zomer2026! maar het werkt niet",
            "wifi-wachtwoord: Zomer2026!",
        ] {
            let s = scrub(text);
            assert!(s.removed.contains(&SecretKind::WifiKey), "{text}: {s:?}");
            assert!(
                !s.text.contains("Gr33n")
                    && !s.text.contains("Zomer2026")
                    && !s.text.contains("8f3kd"),
                "{}",
                s.text
            );
        }
        for text in [
            "The wifi password is wrong somehow",
            "Wifi at home works, the office network Guest2024 does not",
        ] {
            assert!(!kinds(text).contains(&SecretKind::WifiKey), "{text}");
        }
    }

    #[test]
    fn a_second_scrub_finds_no_key_after_a_removed_one() {
        // Found by fuzzing (fuzz/corpus/scrub/wifi-key-after-a-removed-key): the first scrub
        // stopped at the first key after "netwerksleutel", the second went past its placeholder
        // and removed the next key-looking word.
        let input = "netwerksleutel8877678oveassword is Winte6\u{0}026!";
        let once = scrub(input);
        assert_eq!(
            once.text,
            "netwerksleutel[removed: Wi-Fi key] is Winte6\u{0}026!"
        );
        assert_eq!(scrub(&once.text).text, once.text);
    }

    #[test]
    fn a_word_longer_than_the_window_is_not_cut_in_two() {
        // Found by fuzzing (fuzz/corpus/scrub/wifi-window-cuts-a-word): the window ended inside
        // a 65-character word, the first 60 were removed as a key, and the rest ("WW:WW")
        // became a password keyword for the second scrub.
        let input = "netwerksleutel9+\0\0\0werksleutel~el~W+W12n\0\0W+W12n\0\0\0\0\0\0W~W+W\0\0\0W\u{1}W+W13g\0\0WUWW:WW \u{17}inter2026!t";
        let once = scrub(input);
        assert_eq!(scrub(&once.text).text, once.text);
        assert!(
            !once.text.contains("[removed: Wi-Fi key]WW"),
            "{:?}",
            once.text
        );
    }

    #[test]
    fn a_number_glued_to_a_removed_card_is_judged_as_before() {
        // Found by fuzzing (fuzz/corpus/scrub/bsn-glued-to-a-removed-card): nine digits joined
        // by a dash to a card number were part of a longer number on the first scrub, and a
        // BSN of their own on the second, once the card was a placeholder.
        let input = "My3456-12-\u{18}155312326-1234561P22326-1234-1234://561-23456-12-\u{18}155312327-12345611532156-123452";
        let once = scrub(input);
        assert_eq!(scrub(&once.text).text, once.text);
    }

    #[test]
    fn removes_a_bsn_only_when_it_passes_the_eleven_proof() {
        // 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6 × 11.
        let s = scrub("Mijn BSN is 111222333, klopt dat?");
        assert_eq!(s.text, "Mijn BSN is [removed: BSN], klopt dat?");
        assert_eq!(s.removed, vec![SecretKind::Bsn]);
        assert_eq!(scrub("BSN 1112.22.333").text, "BSN [removed: BSN]");
        for text in [
            "Order 111222334 is late",
            "call 0612345678",
            "ticket 1112223330",
        ] {
            assert!(!kinds(text).contains(&SecretKind::Bsn), "{text}");
        }
        assert!(super::eleven_proof(&[1, 1, 1, 2, 2, 2, 3, 3, 3]));
        assert!(!super::eleven_proof(&[0; 9]));
    }

    #[test]
    fn removes_ibans_that_pass_the_checksum() {
        for text in [
            "Pay to NL91ABNA0417164300 today",
            "Pay to NL91 ABNA 0417 1643 00 today",
            "IBAN: GB82 WEST 1234 5698 7654 32.",
        ] {
            let s = scrub(text);
            assert_eq!(s.removed, vec![SecretKind::Iban], "{text}: {}", s.text);
            assert!(s.text.contains("[removed: IBAN]"), "{}", s.text);
            assert!(
                !s.text.contains("0417") && !s.text.contains("5698"),
                "{}",
                s.text
            );
        }
        // One digit off: the checksum fails, the text stays.
        assert!(kinds("Pay to NL91ABNA0417164301 today").is_empty());
        assert!(super::iban_checksum(b"NL91ABNA0417164300"));
    }
}
