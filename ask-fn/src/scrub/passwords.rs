//! Passwords typed in after a keyword ("password:", "my password is …", "wachtwoord").

use super::{in_masked, next_masked_start, SecretKind, Span};

/// Keyword, and whether it already ends in its colon (`pass:`, `ww:` are too common without it).
pub(super) const PASSWORD_KEYWORDS: &[(&str, bool)] = &[
    ("password", false),
    ("passwd", false),
    ("pwd", false),
    ("wachtwoord", false),
    ("pass:", true),
    ("ww:", true),
];

/// Words that follow "password is" in ordinary sentences ("my password is expired").
pub(super) const ORDINARY_AFTER_IS: &[&str] = &[
    "a",
    "accepted",
    "al",
    "all",
    "also",
    "always",
    "an",
    "and",
    "being",
    "blank",
    "blocked",
    "changed",
    "correct",
    "definitely",
    "de",
    "different",
    "disabled",
    "een",
    "empty",
    "expired",
    "expiring",
    "fine",
    "forgotten",
    "fout",
    "geblokkeerd",
    "geen",
    "gewijzigd",
    "goed",
    "gone",
    "het",
    "in",
    "incorrect",
    "invalid",
    "juist",
    "just",
    "kwijt",
    "leeg",
    "locked",
    "lost",
    "my",
    "never",
    "new",
    "niet",
    "nieuw",
    "no",
    "nog",
    "not",
    "now",
    "nu",
    "ok",
    "okay",
    "old",
    "onjuist",
    "only",
    "ook",
    "oud",
    "probably",
    "rejected",
    "required",
    "reset",
    "right",
    "same",
    "saved",
    "set",
    "still",
    "stored",
    "te",
    "the",
    "too",
    "unknown",
    "veranderd",
    "vergeten",
    "verkeerd",
    "verlopen",
    "very",
    "wel",
    "working",
    "wrong",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Separator {
    /// Only whitespace: remove the next word only if it looks like a password.
    Space,
    /// "is", "was": remove the next word unless it is an ordinary word.
    Weak,
    /// ":", "=", a quote, or a keyword with its colon: always remove.
    Strong,
}

pub(super) fn find_passwords(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    for (i, _) in text.char_indices() {
        if !matches!(bytes[i], b'p' | b'P' | b'w' | b'W') {
            continue;
        }
        let free_before = text
            .get(..i)
            .and_then(|before| before.chars().next_back())
            .is_none_or(|c| !c.is_alphanumeric());
        if !free_before || in_masked(masked, i, i + 1) {
            continue;
        }
        for &(keyword, has_colon) in PASSWORD_KEYWORDS {
            let end = i + keyword.len();
            let matches = bytes
                .get(i..end)
                .is_some_and(|b| b.eq_ignore_ascii_case(keyword.as_bytes()));
            if !matches {
                continue;
            }
            let free_after = has_colon
                || text
                    .get(end..)
                    .and_then(|rest| rest.chars().next())
                    .is_none_or(|c| !c.is_alphanumeric());
            if free_after {
                if let Some(span) = password_after(text, end, has_colon, masked) {
                    out.push(span);
                }
            }
            break;
        }
    }
}

pub(super) fn password_after(
    text: &str,
    keyword_end: usize,
    has_colon: bool,
    masked: &[(usize, usize)],
) -> Option<Span> {
    let rest = text.get(keyword_end..)?;
    let mut pos = 0; // relative to `rest`
    let mut separator = if has_colon {
        Separator::Strong
    } else {
        Separator::Space
    };
    let mut consumed = has_colon;
    for _ in 0..4 {
        let tail = &rest[pos..];
        let trimmed = tail.trim_start();
        if trimmed.len() < tail.len() {
            consumed = true;
            pos += tail.len() - trimmed.len();
        }
        let tail = &rest[pos..];
        if tail.starts_with(':') || tail.starts_with('=') {
            separator = Separator::Strong;
            consumed = true;
            pos += 1;
            continue;
        }
        let word = ["is", "was"].into_iter().find(|w| {
            tail.as_bytes()
                .get(..w.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
                && tail[w.len()..].starts_with(char::is_whitespace)
        });
        match word {
            Some(w) if consumed => {
                separator = separator.max(Separator::Weak);
                pos += w.len();
            }
            _ => break,
        }
    }

    let start = keyword_end + pos;
    let tail = &rest[pos..];
    // The token may not run into a placeholder (which was a secret already).
    let limit = next_masked_start(masked, start).map_or(tail.len(), |m| m - start);
    let tail = tail.get(..limit).unwrap_or(tail);
    let first = tail.chars().next()?;
    if !consumed && closing_quote(first).is_none() {
        return None;
    }

    if let Some(close) = closing_quote(first) {
        let inner = &tail[first.len_utf8()..];
        let quoted = inner
            .char_indices()
            .take(200)
            .take_while(|&(_, c)| c != '\n')
            .find(|&(_, c)| c == close);
        if let Some((at, _)) = quoted {
            if at > 0 {
                let end = start + first.len_utf8() + at + close.len_utf8();
                return Some(password_span(start, end));
            }
        }
        separator = Separator::Strong;
    }

    let token_len = tail.find(char::is_whitespace).unwrap_or(tail.len());
    let token = &tail[..token_len];
    if token.is_empty() {
        return None;
    }
    let core = token
        .trim_start_matches(['(', '\'', '"'])
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    let remove = match separator {
        Separator::Strong => true,
        Separator::Weak => {
            !core.is_empty() && !ORDINARY_AFTER_IS.contains(&core.to_lowercase().as_str())
        }
        Separator::Space => core.chars().count() >= 6 && looks_like_password(core),
    };
    remove.then(|| password_span(start, start + token_len))
}

pub(super) fn password_span(start: usize, end: usize) -> Span {
    Span {
        start,
        end,
        kind: SecretKind::Password,
    }
}

pub(super) fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '\'' => Some('\''),
        '`' => Some('`'),
        '“' | '„' => Some('”'),
        '‘' => Some('’'),
        '«' => Some('»'),
        _ => None,
    }
}

/// A digit, a symbol, or a capital after the first letter: not an ordinary word.
pub(super) fn looks_like_password(word: &str) -> bool {
    word.chars()
        .enumerate()
        .any(|(i, c)| c.is_numeric() || !c.is_alphanumeric() || (i > 0 && c.is_uppercase()))
}
