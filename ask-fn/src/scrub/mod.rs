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
//! How (no regex crate): small hand-rolled scanners over the text, one file each
//! (`recovery_keys`, `cards`, `tokens`, `passwords`, `ids`, `one_time_codes`; `digits` reads the
//! digit groups three of them share); this file holds the API and the span bookkeeping. Every
//! scanner matches on ASCII bytes or walks `char`s, so each match starts and ends on a character
//! boundary, whatever the input; no input can make this module panic.
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

mod cards;
mod digits;
mod ids;
mod one_time_codes;
mod passwords;
mod recovery_keys;
mod tokens;

use cards::find_card_numbers;
use one_time_codes::find_one_time_codes;
use passwords::find_passwords;
use recovery_keys::find_recovery_keys;
use tokens::find_api_tokens;

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
