//! One-time codes: short digit runs near a code word ("code", "sms", …), found on the text
//! after phase 1, as their context is a distance.

use super::digits::digit_composites;
use super::{byte_before, in_masked, SecretKind, Span};

/// Characters of context looked at before a number, and after it.
pub(super) const CONTEXT_BEFORE: usize = 40;
pub(super) const CONTEXT_AFTER: usize = 20;

/// Words that make a nearby 6–8 digit number a one-time code.
pub(super) const CODE_WORDS: &[&str] = &[
    "2fa",
    "2sv",
    "authenticator",
    "code",
    "codes",
    "eenmalige",
    "mfa",
    "otp",
    "passcode",
    "pin",
    "sms",
    "token",
    "totp",
];

/// Compounds ending in "code" that are not secrets.
pub(super) const NOT_SECRET_CODES: &[&str] = &[
    "barcode",
    "broncode",
    "errorcode",
    "exitcode",
    "foutcode",
    "postcode",
    "productcode",
    "qrcode",
    "sourcecode",
    "statuscode",
    "zipcode",
];

/// A word before "code" that makes it not a secret ("error code 80070005").
pub(super) const NOT_SECRET_QUALIFIERS: &[&str] = &[
    "area", "bron", "bug", "country", "error", "event", "exit", "fout", "http", "post", "product",
    "return", "source", "status", "stop", "tracking", "zip",
];

/// A standalone 6–8 digit number (or `123 456` / `1234 5678`) near a word like "code" or "sms".
pub(super) fn find_one_time_codes(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    for composite in digit_composites(bytes) {
        if !composite.left_free || !composite.right_free {
            continue;
        }
        let sizes: Vec<usize> = composite.sizes().collect();
        let shaped = matches!(sizes.as_slice(), [6..=8] | [3, 3] | [4, 4]);
        if !shaped {
            continue;
        }
        let (start, end) = (composite.start(), composite.end());
        // Part of a larger number: "+31 …", "1.234567", "123456,78", "10/123456".
        let before = byte_before(bytes, start);
        let glued_before = before == Some(b'+')
            || (matches!(before, Some(b'.' | b',' | b'/' | b':'))
                && byte_before(bytes, start - 1).is_some_and(|b| b.is_ascii_digit()));
        let glued_after = matches!(bytes.get(end), Some(b'.' | b',' | b'/' | b':'))
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if glued_before || glued_after || in_masked(masked, start, end) {
            continue;
        }
        if has_code_context(text, start, end, masked) {
            out.push(Span {
                start,
                end,
                kind: SecretKind::OneTimeCode,
            });
        }
    }
}

pub(super) fn has_code_context(
    text: &str,
    start: usize,
    end: usize,
    masked: &[(usize, usize)],
) -> bool {
    let from = context_start(text, start);
    let to = context_end(text, end);
    let words = |range_start: usize, slice: &str| -> Vec<(usize, usize, String)> {
        let mut words = Vec::new();
        let mut word_start = None;
        for (i, c) in slice
            .char_indices()
            .chain(std::iter::once((slice.len(), ' ')))
        {
            match (c.is_alphanumeric(), word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(s)) => {
                    let (a, b) = (range_start + s, range_start + i);
                    if !in_masked(masked, a, b) {
                        words.push((a, b, slice[s..i].to_lowercase()));
                    }
                    word_start = None;
                }
                _ => {}
            }
        }
        words
    };
    let before = words(from, text.get(from..start).unwrap_or_default());
    let after = words(end, text.get(end..to).unwrap_or_default());
    let is_trigger = |list: &[(usize, usize, String)], k: usize| {
        let word = list[k].2.as_str();
        let previous = k.checked_sub(1).map(|p| list[p].2.as_str());
        is_code_word(word, previous)
    };
    (0..before.len()).any(|k| is_trigger(&before, k))
        || (0..after.len()).any(|k| is_trigger(&after, k))
}

pub(super) fn is_code_word(word: &str, previous: Option<&str>) -> bool {
    if NOT_SECRET_CODES.contains(&word) {
        return false;
    }
    let code_like = CODE_WORDS.contains(&word)
        || word.ends_with("code")
        || word.ends_with("codes")
        || word.starts_with("verif");
    if !code_like {
        return false;
    }
    let plain_code = word == "code" || word == "codes";
    !(plain_code && previous.is_some_and(|p| NOT_SECRET_QUALIFIERS.contains(&p)))
}

pub(super) fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?')
}

/// Start (byte index) of the context before a number: up to [`CONTEXT_BEFORE`] characters back,
/// within the same sentence; if the number opens its sentence ("The code. 123456"), the previous
/// sentence counts too. Widened to the start of the word it cuts.
pub(super) fn context_start(text: &str, start: usize) -> usize {
    let before = text.get(..start).unwrap_or_default();
    let mut from = start;
    let mut seen_word = false;
    let mut crossed = false;
    let mut next_is_space = false; // the character after the current one (walking backwards)
    for (count, (i, c)) in before.char_indices().rev().enumerate() {
        if count >= CONTEXT_BEFORE {
            break;
        }
        if is_sentence_end(c) && next_is_space {
            if seen_word || crossed {
                break;
            }
            crossed = true;
        }
        seen_word |= c.is_alphanumeric();
        next_is_space = c.is_whitespace();
        from = i;
    }
    // Widen to the start of the word the window cuts.
    let head = text.get(..from).unwrap_or_default();
    for (i, c) in head.char_indices().rev() {
        if !c.is_alphanumeric() {
            break;
        }
        from = i;
    }
    from
}

/// End (byte index) of the context after a number: up to [`CONTEXT_AFTER`] characters, within the
/// sentence, widened to the end of the word it cuts.
pub(super) fn context_end(text: &str, end: usize) -> usize {
    let after = text.get(end..).unwrap_or_default();
    let mut to = end;
    let mut chars = after.char_indices().peekable();
    let mut count = 0;
    while let Some((i, c)) = chars.next() {
        let cut = count >= CONTEXT_AFTER && !c.is_alphanumeric();
        let sentence_end =
            is_sentence_end(c) && chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if cut || sentence_end {
            break;
        }
        to = end + i + c.len_utf8();
        count += 1;
    }
    to
}
