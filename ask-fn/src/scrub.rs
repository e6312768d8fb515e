//! Removes obvious secrets from a visitor's question before it reaches the LLM, the database or
//! the logs.
//!
//! Why: people asking for IT help paste what is on their screen. A BitLocker recovery key, the
//! six digits of an SMS code or "my password is …" must not end up in a third party's model, in a
//! lead record that lives for months, or in a log line. We cannot catch every secret, so this is
//! a safety net for the *obvious* ones, tuned to leave ordinary question text (years, error codes,
//! build numbers, phone numbers, GUIDs) alone: a question mangled by over-eager scrubbing gets a
//! worse answer.
//!
//! Each secret is replaced by a visible placeholder such as `[removed: one-time code]`, so both
//! the team and the LLM can see that something was there.
//!
//! How (no regex crate): small hand-rolled scanners over the text. Every scanner matches on ASCII
//! bytes or walks `char`s, so each match starts and ends on a character boundary, whatever the
//! input; no input can make this module panic.
//!
//! The work is done in two phases so that [`scrub`] is idempotent
//! (`scrub(&scrub(x).text).text == scrub(x).text`):
//! 1. recovery keys, card numbers, API keys/tokens and typed-in passwords are found on the input
//!    and replaced (overlapping finds are merged, so nothing is left half-removed);
//! 2. one-time codes are found on the result. Their detection depends on nearby words ("code",
//!    "sms", …) within a distance, so it runs last, when the only changes still to come are its own
//!    (longer) placeholders, which can only move other numbers *further* from those words.
//!
//! Placeholders already in the text are treated as opaque: their words ("code", "password") never
//! count as context and never start a new match.
//!
//! Decisions worth knowing:
//! - GUIDs (`cb69481e-8ff7-4039-93ec-0a2729a154a8`) are left alone: they identify things
//!   (a FIDO key's AAGUID, a tenant, an error correlation id) and are not secrets. More generally
//!   the "long token" rule only fires when one dash/underscore-separated segment is at least 16
//!   characters, so hyphenated slugs and GUIDs survive.
//! - A password keyword followed only by a space ("password reset") removes the next word only if
//!   it looks like a password (6+ characters with a digit, symbol or inner capital); after "is" or
//!   "was", common words ("expired", "wrong", "niet") are kept; after ":", "=" or a quote, the
//!   next token is always removed.
//! - `removed` lists each kind once, in the order first found.
//!
//! Known limitations: secrets without a recognisable shape or keyword ("my password for the portal
//! is …" with words in between, a short PIN, a base64 secret split by `+` or `/` into runs shorter
//! than 32 characters) are not caught.

use serde::Serialize;

mod ids;

/// The question with obvious secrets replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrubbed {
    pub text: String,
    /// What was removed (kinds only, never the values), each kind once, in the order found.
    pub removed: Vec<SecretKind>,
}

/// What kind of secret was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    OneTimeCode,
    RecoveryKey,
    Password,
    ApiKeyOrToken,
    CardNumber,
    AccountRecoveryCode,
    TemporaryAccessPass,
    WifiKey,
    Bsn,
    Iban,
}

impl SecretKind {
    pub const ALL: [SecretKind; 10] = [
        SecretKind::OneTimeCode,
        SecretKind::RecoveryKey,
        SecretKind::Password,
        SecretKind::ApiKeyOrToken,
        SecretKind::CardNumber,
        SecretKind::AccountRecoveryCode,
        SecretKind::TemporaryAccessPass,
        SecretKind::WifiKey,
        SecretKind::Bsn,
        SecretKind::Iban,
    ];

    /// Stable snake_case name, as serialised; for the lead record and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::OneTimeCode => "one_time_code",
            SecretKind::RecoveryKey => "recovery_key",
            SecretKind::Password => "password",
            SecretKind::ApiKeyOrToken => "api_key_or_token",
            SecretKind::CardNumber => "card_number",
            SecretKind::AccountRecoveryCode => "account_recovery_code",
            SecretKind::TemporaryAccessPass => "temporary_access_pass",
            SecretKind::WifiKey => "wifi_key",
            SecretKind::Bsn => "bsn",
            SecretKind::Iban => "iban",
        }
    }

    /// Words shown inside the placeholder.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::OneTimeCode => "one-time code",
            SecretKind::RecoveryKey => "recovery key",
            SecretKind::Password => "password",
            SecretKind::ApiKeyOrToken => "API key or token",
            SecretKind::CardNumber => "card number",
            SecretKind::AccountRecoveryCode => "account recovery code",
            SecretKind::TemporaryAccessPass => "Temporary Access Pass",
            SecretKind::WifiKey => "Wi-Fi key",
            SecretKind::Bsn => "BSN",
            SecretKind::Iban => "IBAN",
        }
    }

    /// The text that replaces a secret of this kind, e.g. `[removed: one-time code]`.
    pub fn placeholder(self) -> String {
        format!("{PLACEHOLDER_PREFIX}{}]", self.label())
    }
}

const PLACEHOLDER_PREFIX: &str = "[removed: ";

/// Removes obvious secrets from `text`. Never panics; idempotent.
pub fn scrub(text: &str) -> Scrubbed {
    let mut removed = Vec::new();

    // Phase 1: everything whose detection does not depend on distances to context words.
    let masked = placeholder_spans(text);
    let mut found = Vec::new();
    // First, so a Wi-Fi key or TAP found at the same place as a "password" is named as such.
    ids::find(text, &masked, &mut found);
    find_recovery_keys(text.as_bytes(), &mut found);
    find_card_numbers(text.as_bytes(), &mut found);
    find_api_tokens(text.as_bytes(), &mut found);
    find_passwords(text, &masked, &mut found);
    let intermediate = replace_spans(text, found, &masked, &mut removed);

    // Phase 2: one-time codes, on the text as it will be seen from now on.
    let masked = placeholder_spans(&intermediate);
    let mut found = Vec::new();
    find_one_time_codes(&intermediate, &masked, &mut found);
    let text = replace_spans(&intermediate, found, &masked, &mut removed);

    Scrubbed { text, removed }
}

/// A found secret: a byte range of the text, on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    kind: SecretKind,
}

/// Byte ranges of placeholders already in the text (from an earlier scrub, or typed by someone).
fn placeholder_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (start, _) in text.match_indices(PLACEHOLDER_PREFIX) {
        let rest = &text.as_bytes()[start + PLACEHOLDER_PREFIX.len()..];
        for kind in SecretKind::ALL {
            let label = kind.label().as_bytes();
            if rest.starts_with(label) && rest.get(label.len()) == Some(&b']') {
                spans.push((start, start + PLACEHOLDER_PREFIX.len() + label.len() + 1));
                break;
            }
        }
    }
    spans
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether `start..end` touches a placeholder. `masked` is sorted and non-overlapping (found left
/// to right), so this is a binary search: the scanners call it often.
fn in_masked(masked: &[(usize, usize)], start: usize, end: usize) -> bool {
    let first_ending_after = masked.partition_point(|m| m.1 <= start);
    masked
        .get(first_ending_after)
        .is_some_and(|&m| overlaps(m, (start, end)))
}

/// Start of the first placeholder at or after `pos`.
fn next_masked_start(masked: &[(usize, usize)], pos: usize) -> Option<usize> {
    let index = masked.partition_point(|m| m.0 < pos);
    masked.get(index).map(|m| m.0)
}

/// Replaces the spans by placeholders. Spans touching an existing placeholder are ignored;
/// overlapping spans are merged (the earliest, then longest, names the kind), so a secret is
/// never left half-removed.
fn replace_spans(
    text: &str,
    mut spans: Vec<Span>,
    masked: &[(usize, usize)],
    removed: &mut Vec<SecretKind>,
) -> String {
    spans.retain(|span| {
        span.start < span.end
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
            && !in_masked(masked, span.start, span.end)
    });
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));

    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }

    let mut out = String::with_capacity(text.len() + merged.len() * 16);
    let mut pos = 0;
    for span in merged {
        out.push_str(text.get(pos..span.start).unwrap_or_default());
        out.push_str(&span.kind.placeholder());
        if !removed.contains(&span.kind) {
            removed.push(span.kind);
        }
        pos = span.end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

/// Letters, digits and `_`: what glues characters into one "word" for boundary checks.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn byte_before(bytes: &[u8], i: usize) -> Option<u8> {
    i.checked_sub(1).and_then(|j| bytes.get(j)).copied()
}

/// Length of the run of ASCII digits starting at `i`.
fn digit_run(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

// ---------------------------------------------------------------------------------------------
// Digit groups

/// A maximal sequence of digit groups joined by single spaces or dashes, e.g. `4111 1111-1111`.
struct Composite {
    /// Byte ranges of the digit groups.
    groups: Vec<(usize, usize)>,
    /// Not glued to a letter, digit or `_` on the left.
    left_free: bool,
    /// Not glued to a letter, digit or `_` on the right.
    right_free: bool,
}

impl Composite {
    fn start(&self) -> usize {
        self.groups.first().map_or(0, |g| g.0)
    }

    fn end(&self) -> usize {
        self.groups.last().map_or(0, |g| g.1)
    }

    fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups.iter().map(|g| g.1 - g.0)
    }
}

fn digit_composites(bytes: &[u8]) -> Vec<Composite> {
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

// ---------------------------------------------------------------------------------------------
// BitLocker recovery keys

/// Eight groups of six digits, separated by dashes and/or a little whitespace; or 48 digits.
fn find_recovery_keys(bytes: &[u8], out: &mut Vec<Span>) {
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

fn recovery_key_at(bytes: &[u8], start: usize) -> Option<usize> {
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
fn skip_key_separator(bytes: &[u8], mut pos: usize) -> Option<usize> {
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

// ---------------------------------------------------------------------------------------------
// Card numbers

/// 13–19 digits, contiguous or in the usual groupings (4-4-4-4[-3], 4-6-5, 4-6-4), passing Luhn.
/// Any run of groups inside a longer digit sequence is tried, so "call 020 4111 1111 1111 1111"
/// still loses the card.
fn find_card_numbers(bytes: &[u8], out: &mut Vec<Span>) {
    for composite in digit_composites(bytes) {
        let sizes: Vec<usize> = composite.sizes().collect();
        let n = sizes.len();
        let mut first = 0;
        while first < n {
            if first == 0 && !composite.left_free {
                first += 1;
                continue;
            }
            let mut best = None;
            let mut digits = 0;
            for last in first..n {
                digits += sizes[last];
                if digits > 19 || (last == n - 1 && !composite.right_free) {
                    break;
                }
                let groups = &composite.groups[first..=last];
                if card_grouping(&sizes[first..=last]) && luhn(bytes, groups) {
                    best = Some(last);
                }
            }
            match best {
                Some(last) => {
                    out.push(Span {
                        start: composite.groups[first].0,
                        end: composite.groups[last].1,
                        kind: SecretKind::CardNumber,
                    });
                    first = last + 1;
                }
                None => first += 1,
            }
        }
    }
}

fn card_grouping(sizes: &[usize]) -> bool {
    let total: usize = sizes.iter().sum();
    if !(13..=19).contains(&total) {
        return false;
    }
    match sizes {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [init @ .., last] => init.iter().all(|&s| s == 4) && (1..=4).contains(last),
        [] => false,
    }
}

fn luhn(bytes: &[u8], groups: &[(usize, usize)]) -> bool {
    let digits = groups
        .iter()
        .flat_map(|&(a, b)| bytes.get(a..b).unwrap_or_default().iter())
        .map(|b| u32::from(b - b'0'));
    let digits: Vec<u32> = digits.collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

// ---------------------------------------------------------------------------------------------
// API keys and tokens

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Well-known key prefixes; the rest of the token must be at least 10 characters.
const TOKEN_PREFIXES: &[&str] = &[
    "sk-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "glpat-",
];

/// Runs of `[A-Za-z0-9_-]` that are a known key format, or 32+ characters mixing letters and
/// digits with at least one 16+ character segment (so slugs and GUIDs are not tokens).
fn find_api_tokens(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        if !is_token_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_token_byte(bytes[i]) {
            i += 1;
        }
        if is_api_token(&bytes[start..i]) {
            out.push(Span {
                start,
                end: i,
                kind: SecretKind::ApiKeyOrToken,
            });
        }
    }
}

fn is_api_token(run: &[u8]) -> bool {
    let prefixed = TOKEN_PREFIXES
        .iter()
        .any(|p| run.starts_with(p.as_bytes()) && run.len() >= p.len() + 10);
    let aws_key_id = run.len() == 20
        && (run.starts_with(b"AKIA") || run.starts_with(b"ASIA"))
        && run[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let generic = run.len() >= 32
        && run.iter().any(u8::is_ascii_alphabetic)
        && run.iter().any(u8::is_ascii_digit)
        && run
            .split(|&b| b == b'-' || b == b'_')
            .any(|segment| segment.len() >= 16);
    prefixed || aws_key_id || generic
}

// ---------------------------------------------------------------------------------------------
// Passwords typed in

/// Keyword, and whether it already ends in its colon (`pass:`, `ww:` are too common without it).
const PASSWORD_KEYWORDS: &[(&str, bool)] = &[
    ("password", false),
    ("passwd", false),
    ("pwd", false),
    ("wachtwoord", false),
    ("pass:", true),
    ("ww:", true),
];

/// Words that follow "password is" in ordinary sentences ("my password is expired").
const ORDINARY_AFTER_IS: &[&str] = &[
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
enum Separator {
    /// Only whitespace: remove the next word only if it looks like a password.
    Space,
    /// "is", "was": remove the next word unless it is an ordinary word.
    Weak,
    /// ":", "=", a quote, or a keyword with its colon: always remove.
    Strong,
}

fn find_passwords(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
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

fn password_after(
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

fn password_span(start: usize, end: usize) -> Span {
    Span {
        start,
        end,
        kind: SecretKind::Password,
    }
}

fn closing_quote(open: char) -> Option<char> {
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
fn looks_like_password(word: &str) -> bool {
    word.chars()
        .enumerate()
        .any(|(i, c)| c.is_numeric() || !c.is_alphanumeric() || (i > 0 && c.is_uppercase()))
}

// ---------------------------------------------------------------------------------------------
// One-time codes

/// Characters of context looked at before a number, and after it.
const CONTEXT_BEFORE: usize = 40;
const CONTEXT_AFTER: usize = 20;

/// Words that make a nearby 6–8 digit number a one-time code.
const CODE_WORDS: &[&str] = &[
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
const NOT_SECRET_CODES: &[&str] = &[
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
const NOT_SECRET_QUALIFIERS: &[&str] = &[
    "area", "bron", "bug", "country", "error", "event", "exit", "fout", "http", "post", "product",
    "return", "source", "status", "stop", "tracking", "zip",
];

/// A standalone 6–8 digit number (or `123 456` / `1234 5678`) near a word like "code" or "sms".
fn find_one_time_codes(text: &str, masked: &[(usize, usize)], out: &mut Vec<Span>) {
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

fn has_code_context(text: &str, start: usize, end: usize, masked: &[(usize, usize)]) -> bool {
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

fn is_code_word(word: &str, previous: Option<&str>) -> bool {
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

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?')
}

/// Start (byte index) of the context before a number: up to [`CONTEXT_BEFORE`] characters back,
/// within the same sentence; if the number opens its sentence ("The code. 123456"), the previous
/// sentence counts too. Widened to the start of the word it cuts.
fn context_start(text: &str, start: usize) -> usize {
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
fn context_end(text: &str, end: usize) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scrubbed(text: &str) -> String {
        scrub(text).text
    }

    fn kinds(text: &str) -> Vec<SecretKind> {
        scrub(text).removed
    }

    #[track_caller]
    fn untouched(text: &str) {
        let result = scrub(text);
        assert_eq!(result.text, text);
        assert!(result.removed.is_empty(), "{:?}", result.removed);
    }

    // Recovery keys --------------------------------------------------------------------------

    #[test]
    fn removes_bitlocker_recovery_keys() {
        let key = "123456-234567-345678-456789-567890-678901-789012-890123";
        assert_eq!(
            scrubbed(&format!("BitLocker wants {key} but it fails")),
            "BitLocker wants [removed: recovery key] but it fails"
        );
        let spaced = "123456 234567 345678 456789 567890 678901 789012 890123";
        assert_eq!(scrubbed(spaced), "[removed: recovery key]");
        let loose = "123456 - 234567 - 345678 - 456789 - 567890 - 678901 - 789012 - 890123.";
        assert_eq!(scrubbed(loose), "[removed: recovery key].");
        assert_eq!(kinds(key), vec![SecretKind::RecoveryKey]);
    }

    #[test]
    fn seven_groups_are_not_a_recovery_key() {
        untouched("groups 123456-234567-345678-456789-567890-678901-789012 only");
    }

    // One-time codes --------------------------------------------------------------------------

    #[test]
    fn removes_one_time_codes_near_code_words() {
        assert_eq!(
            scrubbed("The SMS code I got is 483920 but it is rejected"),
            "The SMS code I got is [removed: one-time code] but it is rejected"
        );
        assert_eq!(
            scrubbed("Authenticator shows 123 456, login fails"),
            "Authenticator shows [removed: one-time code], login fails"
        );
        assert_eq!(
            scrubbed("mijn verificatiecode is 1234 5678."),
            "mijn verificatiecode is [removed: one-time code]."
        );
        assert_eq!(
            scrubbed("MFA prompt: 12345678"),
            "MFA prompt: [removed: one-time code]"
        );
        assert_eq!(
            scrubbed("I got 4839201 as my 2FA code"),
            "I got [removed: one-time code] as my 2FA code"
        );
        assert_eq!(
            scrubbed("Here is the code.\n483920"),
            "Here is the code.\n[removed: one-time code]"
        );
        assert_eq!(kinds("otp 483920"), vec![SecretKind::OneTimeCode]);
    }

    #[test]
    fn leaves_numbers_without_code_context() {
        untouched("error 0x80070005 in 2026 on Windows 11 build 22631");
        untouched("Call me on +31 20 123 4567 please");
        untouched("Ticket 12345678 is still open");
        untouched("I have 123456 unread mails.");
        // Context in another sentence does not count.
        untouched("The code worked yesterday. Now I have 654321 files.");
    }

    #[test]
    fn phone_numbers_stay_even_with_code_context() {
        untouched("I get no SMS code on +31 20 123 4567");
        untouched("no sms code on 06-12345678");
    }

    #[test]
    fn error_codes_are_not_one_time_codes() {
        untouched("Outlook shows error code 80070005 since today");
        untouched("foutcode 80070005 bij het inloggen");
        untouched("code 0x80070005");
    }

    // Passwords -------------------------------------------------------------------------------

    #[test]
    fn removes_typed_passwords_and_keeps_the_keyword() {
        assert_eq!(
            scrubbed("my password is hunter2 and it fails"),
            "my password is [removed: password] and it fails"
        );
        assert_eq!(
            scrubbed("Password: Summer2026! does not work"),
            "Password: [removed: password] does not work"
        );
        assert_eq!(scrubbed("pwd=abc"), "pwd=[removed: password]");
        assert_eq!(
            scrubbed("wachtwoord is \"Welkom 01\" maar"),
            "wachtwoord is [removed: password] maar"
        );
        assert_eq!(scrubbed("ww: geheim123"), "ww: [removed: password]");
        assert_eq!(scrubbed("pass:letmein"), "pass:[removed: password]");
        assert_eq!(scrubbed("passwd Welkom01!"), "passwd [removed: password]");
        assert_eq!(kinds("password: x"), vec![SecretKind::Password]);
    }

    #[test]
    fn leaves_sentences_about_passwords() {
        untouched("I forgot my password yesterday and reset does not work");
        untouched("My password is expired, can you help?");
        untouched("mijn wachtwoord is verlopen");
        untouched("Password reset link does not arrive");
        untouched("passwordless sign-in fails");
        untouched("I passed: the exam");
    }

    // API keys and tokens ---------------------------------------------------------------------

    #[test]
    fn removes_api_keys_and_tokens() {
        assert_eq!(
            scrubbed("key sk-proj-abcDEF1234567890 fails"),
            "key [removed: API key or token] fails"
        );
        assert_eq!(
            scrubbed("token=ghp_16C7e42F292c6912E7710c838347Ae178B4a!"),
            "token=[removed: API key or token]!"
        );
        assert_eq!(
            scrubbed("AKIAIOSFODNN7EXAMPLE"),
            "[removed: API key or token]"
        );
        assert_eq!(
            scrubbed("xoxb-123456789012-abcdefABCDEF"),
            "[removed: API key or token]"
        );
        assert_eq!(
            scrubbed("secret aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z end"),
            "secret [removed: API key or token] end"
        );
        assert_eq!(
            kinds("sk_live_0123456789abcdef"),
            vec![SecretKind::ApiKeyOrToken]
        );
    }

    #[test]
    fn leaves_guids_slugs_and_short_identifiers() {
        untouched("AAGUID cb69481e-8ff7-4039-93ec-0a2729a154a8 of my key");
        untouched("see /windows-11-update-kb5034441-fails-to-install-on-2026/");
        untouched("desk-top and task-bar");
        untouched("AKIA is not a key");
    }

    // Card numbers ----------------------------------------------------------------------------

    #[test]
    fn removes_card_numbers_passing_luhn() {
        assert_eq!(
            scrubbed("card 4111 1111 1111 1111 was charged"),
            "card [removed: card number] was charged"
        );
        assert_eq!(scrubbed("4111-1111-1111-1111"), "[removed: card number]");
        assert_eq!(scrubbed("5500005555555559"), "[removed: card number]");
        assert_eq!(
            scrubbed("amex 3782 822463 10005"),
            "amex [removed: card number]"
        );
        assert_eq!(
            scrubbed("call 020 4111 1111 1111 1111"),
            "call 020 [removed: card number]"
        );
        assert_eq!(kinds("4111111111111111"), vec![SecretKind::CardNumber]);
    }

    #[test]
    fn leaves_numbers_failing_luhn_or_shape() {
        untouched("order 4111 1111 1111 1112 was shipped");
        untouched("serial 41111111111111119999 is long");
        untouched("+31 20 123 4567 8901 234");
    }

    // General ---------------------------------------------------------------------------------

    #[test]
    fn lists_each_kind_once_in_order_found() {
        let result = scrub("password: a and password: b and sms code 123456");
        assert_eq!(
            result.removed,
            vec![SecretKind::Password, SecretKind::OneTimeCode]
        );
    }

    #[test]
    fn overlapping_finds_are_merged() {
        assert_eq!(
            scrubbed("pass: ab,4111 1111 1111 1111 ok"),
            "pass: [removed: password] ok"
        );
    }

    #[test]
    fn existing_placeholders_are_left_alone() {
        untouched("password: [removed: password] and [removed: one-time code] 123456");
    }

    #[test]
    fn kinds_serialise_as_snake_case() {
        for kind in SecretKind::ALL {
            assert_eq!(
                serde_json::to_string(&kind).ok(),
                Some(format!("\"{}\"", kind.as_str()))
            );
        }
    }

    #[test]
    fn handles_non_ascii_around_secrets() {
        assert_eq!(
            scrubbed("wachtwoord: Ünïcødé€ en code 123456 ✓"),
            "wachtwoord: [removed: password] en code [removed: one-time code] ✓"
        );
        untouched("ééé 123456 ééé");
    }

    #[test]
    fn large_inputs_stay_linear_enough() {
        let text = "sms code 123456, password: x1 and 4111 1111 1111 1111. ".repeat(2_000);
        let once = scrub(&text);
        assert_eq!(once.removed.len(), 3);
        assert!(!once.text.contains("123456") && !once.text.contains("4111"));
        assert_eq!(scrub(&once.text).text, once.text);
    }

    /// Pieces that exercise the scanners far more often than random text would.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("code".to_owned()),
            Just("sms".to_owned()),
            Just("password".to_owned()),
            Just("wachtwoord".to_owned()),
            Just("pass:".to_owned()),
            Just("ww:".to_owned()),
            Just(" is ".to_owned()),
            Just(": ".to_owned()),
            Just("=".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just(" ".to_owned()),
            Just("-".to_owned()),
            Just(". ".to_owned()),
            Just("\n".to_owned()),
            Just("123456".to_owned()),
            Just("123".to_owned()),
            Just("4111".to_owned()),
            Just("1111".to_owned()),
            Just("4111 1111 1111 1111".to_owned()),
            Just("sk-".to_owned()),
            Just("ghp_".to_owned()),
            Just("AKIA".to_owned()),
            Just("abcdefghij0123456789".to_owned()),
            Just("[removed: password]".to_owned()),
            Just("[removed: one-time code]".to_owned()),
            Just("é".to_owned()),
            Just("error".to_owned()),
            "[a-zA-Z0-9]{1,8}",
            "[0-9]{1,8}",
            any::<char>().prop_map(String::from),
        ]
    }

    fn mixed_text() -> impl Strategy<Value = String> {
        prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent_on_any_unicode(text in any::<String>()) {
            let once = scrub(&text).text;
            prop_assert_eq!(scrub(&once).text, once);
        }

        #[test]
        fn is_idempotent_on_secret_like_text(text in mixed_text()) {
            let once = scrub(&text);
            let twice = scrub(&once.text);
            prop_assert_eq!(&twice.text, &once.text);
            prop_assert!(twice.removed.is_empty(), "{:?}", twice.removed);
        }

        #[test]
        fn removed_is_empty_exactly_when_text_is_unchanged(text in mixed_text()) {
            let result = scrub(&text);
            prop_assert_eq!(result.removed.is_empty(), result.text == text);
        }
    }
}
