//! Visitor-typed text made safe to store and to print on a terminal.
//!
//! A company name or question is shown raw by `ask-team leads show`; an ESC (C0) or CSI (C1)
//! character in it would be a terminal escape sequence, able to rewrite the screen, set the
//! window title or, in some terminals, write the clipboard. Bidirectional overrides would make
//! the text read differently from what it is. So these characters are removed on the way in
//! (the form) and again on the way out (the team's tools, for leads stored before this).
//! Line breaks survive where text may have several lines.

use std::borrow::Cow;

/// Unicode bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n') || is_bidi_control(c)
}

/// `text` without C0/C1 control characters (except `\n`) or bidi controls. A `\r\n` or lone
/// `\r` line break becomes `\n` and a tab a space, so words stay apart.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\t' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`multi_line`], with line breaks also turned into spaces: for one-line fields (company).
pub fn single_line(text: &str) -> Cow<'_, str> {
    match multi_line(text) {
        Cow::Borrowed(text) if !text.contains('\n') => Cow::Borrowed(text),
        text => Cow::Owned(text.replace('\n', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_escapes_and_bidi_overrides_are_removed() {
        assert_eq!(
            multi_line("Acme\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J BV"),
            "Acme]52;c;ZXZpbA==[2J BV"
        );
        assert_eq!(multi_line("a\u{9b}31mb\u{85}c\u{7f}d"), "a31mbcd");
        assert_eq!(multi_line("evil\u{202e}txt.exe"), "eviltxt.exe");
        assert_eq!(
            multi_line("one\r\ntwo\rthree\n\tfour"),
            "one\ntwo\nthree\n four"
        );
        assert_eq!(single_line("Acme\r\nBcc: x"), "Acme Bcc: x");
        assert!(matches!(multi_line("plain\ntext é"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn nothing_unsafe_survives(text in "\\PC*|[\\x00-\\x{9f}\\x{202a}-\\x{202e}a\\n]*") {
            let clean = multi_line(&text);
            prop_assert!(!clean.chars().any(is_unsafe));
            prop_assert_eq!(multi_line(&clean), clean.clone());
            prop_assert!(!single_line(&text).contains('\n'));
        }
    }
}
