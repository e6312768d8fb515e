//! Turns TOML and serde errors into diagnostics an editor can act on: the right line, a message
//! without serde jargon, and a "did you mean" for misspelt keys.

use std::path::Path;

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::text::LineIndex;

/// `toml_start` is the byte offset of the TOML text inside `file_text`, so front matter errors
/// point at the line in the article, not in the front matter alone.
pub fn to_diagnostic(
    error: &toml::de::Error,
    file: &Path,
    file_text: &str,
    index: &LineIndex,
    toml_start: usize,
) -> Diagnostic {
    let raw = error.message().trim();
    let (message, hint) = explain(raw);
    let diagnostic = Diagnostic::error(file, message);
    let diagnostic = match error.span() {
        Some(span) => diagnostic.at(file_text, index, toml_start + span.start),
        None => diagnostic,
    };
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// Rewrites serde's wording into an editor's: keeps what is wrong, adds how to fix it.
fn explain(raw: &str) -> (String, Option<String>) {
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let expected = backticked_after(raw, "expected");
        let hint = match did_you_mean(field, expected.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("allowed here: {}", expected.join(", ")),
        };
        return (format!("unknown field `{field}`"), Some(hint));
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let expected = backticked_after(raw, "expected");
        let listed = expected
            .iter()
            .map(|choice| format!("\"{choice}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let hint = match did_you_mean(value, expected.iter().map(String::as_str)) {
            Some(near) => format!("did you mean \"{near}\"? Allowed: {listed}"),
            None => format!("allowed: {listed}"),
        };
        return (format!("`{value}` is not an allowed value"), Some(hint));
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return (
            format!("required field `{field}` is missing"),
            Some(format!("add a line `{field} = ...`")),
        );
    }
    if raw.contains("expected a TOML datetime") || raw.contains("expected a date") {
        return (
            "expected a date".to_owned(),
            Some("write the date without quotes, like `updated = 2026-11-20`".to_owned()),
        );
    }
    if raw.contains("invalid type: string") && raw.contains("expected a sequence") {
        return (
            "expected a list".to_owned(),
            Some(
                "write a list in square brackets, like `tags = [\"mfa\", \"entra-id\"]`".to_owned(),
            ),
        );
    }
    (raw.to_owned(), None)
}

fn backticked_after(text: &str, marker: &str) -> Vec<String> {
    let Some(tail) = text.find(marker).map(|at| &text[at..]) else {
        return Vec::new();
    };
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let (message, hint) = explain("unknown field `titel`, expected one of `title`, `tags`");
        assert_eq!(message, "unknown field `titel`");
        assert_eq!(hint.as_deref(), Some("did you mean `title`?"));
        let (_, hint) = explain("unknown field `zzz`, expected one of `title`, `tags`");
        assert_eq!(hint.as_deref(), Some("allowed here: title, tags"));
    }

    #[test]
    fn unknown_variant_lists_the_choices() {
        let (message, hint) =
            explain("unknown variant `hihg`, expected one of `low`, `medium`, `high`");
        assert_eq!(message, "`hihg` is not an allowed value");
        assert_eq!(
            hint.as_deref(),
            Some("did you mean \"high\"? Allowed: \"low\", \"medium\", \"high\"")
        );
    }

    #[test]
    fn missing_field_says_what_to_add() {
        let (message, hint) = explain("missing field `title`");
        assert_eq!(message, "required field `title` is missing");
        assert_eq!(hint.as_deref(), Some("add a line `title = ...`"));
    }
}
