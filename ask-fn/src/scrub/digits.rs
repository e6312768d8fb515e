//! Digit groups: maximal runs of digit groups joined by single spaces or dashes, the shape
//! recovery keys, card numbers and one-time codes are read from.

use super::{byte_before, digit_run, is_word_byte};

/// A maximal sequence of digit groups joined by single spaces or dashes, e.g. `4111 1111-1111`.
pub(super) struct Composite {
    /// Byte ranges of the digit groups.
    pub(super) groups: Vec<(usize, usize)>,
    /// Not glued to a letter, digit or `_` on the left.
    pub(super) left_free: bool,
    /// Not glued to a letter, digit or `_` on the right.
    pub(super) right_free: bool,
}

impl Composite {
    pub(super) fn start(&self) -> usize {
        self.groups.first().map_or(0, |g| g.0)
    }

    pub(super) fn end(&self) -> usize {
        self.groups.last().map_or(0, |g| g.1)
    }

    pub(super) fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups.iter().map(|g| g.1 - g.0)
    }
}

pub(super) fn digit_composites(bytes: &[u8]) -> Vec<Composite> {
    let mut composites = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let left_free = byte_before(bytes, i).is_none_or(|b| !is_word_byte(b));
        let mut groups = Vec::new();
        let mut pos = i;
        loop {
            let len = digit_run(bytes, pos);
            groups.push((pos, pos + len));
            pos += len;
            let joined = matches!(bytes.get(pos), Some(b' ' | b'-'))
                && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit);
            if !joined {
                break;
            }
            pos += 1;
        }
        let right_free = bytes.get(pos).is_none_or(|&b| !is_word_byte(b));
        composites.push(Composite {
            groups,
            left_free,
            right_free,
        });
        i = pos;
    }
    composites
}
