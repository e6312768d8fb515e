//! BitLocker recovery keys: eight groups of six digits.

use super::{byte_before, digit_run, is_word_byte, SecretKind, Span};

/// Eight groups of six digits, separated by dashes and/or a little whitespace; or 48 digits.
pub(super) fn find_recovery_keys(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        let at_start =
            bytes[i].is_ascii_digit() && byte_before(bytes, i).is_none_or(|b| !is_word_byte(b));
        if !at_start {
            i += 1;
            continue;
        }
        if let Some(end) = recovery_key_at(bytes, i) {
            out.push(Span {
                start: i,
                end,
                kind: SecretKind::RecoveryKey,
            });
            i = end;
        } else {
            i += digit_run(bytes, i).max(1);
        }
    }
}

pub(super) fn recovery_key_at(bytes: &[u8], start: usize) -> Option<usize> {
    let free_after = |end: usize| bytes.get(end).is_none_or(|&b| !is_word_byte(b));
    if digit_run(bytes, start) == 48 {
        return free_after(start + 48).then_some(start + 48);
    }
    let mut pos = start;
    for group in 0..8 {
        if group > 0 {
            pos = skip_key_separator(bytes, pos)?;
        }
        if digit_run(bytes, pos) != 6 {
            return None;
        }
        pos += 6;
    }
    free_after(pos).then_some(pos)
}

/// Up to three whitespace bytes, an optional dash, up to three whitespace bytes; at least one.
pub(super) fn skip_key_separator(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let begin = pos;
    let skip_ws = |pos: &mut usize| {
        let mut n = 0;
        while n < 3 && bytes.get(*pos).is_some_and(u8::is_ascii_whitespace) {
            *pos += 1;
            n += 1;
        }
    };
    skip_ws(&mut pos);
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    skip_ws(&mut pos);
    (pos > begin).then_some(pos)
}
