//! API keys and tokens: known prefixes, or long runs of token characters.

use super::{SecretKind, Span};

pub(super) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Well-known key prefixes; the rest of the token must be at least 10 characters.
pub(super) const TOKEN_PREFIXES: &[&str] = &[
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
pub(super) fn find_api_tokens(bytes: &[u8], out: &mut Vec<Span>) {
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

pub(super) fn is_api_token(run: &[u8]) -> bool {
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
