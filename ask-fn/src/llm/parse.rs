//! The model's text → validated [`Advice`]. Models do not always obey "reply with ONLY a JSON
//! object", so this is lenient about the wrapping and strict about the schema. The HTTP loop
//! around it is `transport`.

use serde_json::{Map, Value};

use super::{prompt::MAX_ADVICE_CHARS, Advice, AdviceSource, LlmError, Verdict};

/// Most slugs kept in `cited`: the answer links them, and a wall of links helps nobody.
pub const MAX_CITED: usize = 5;

/// How many `{` positions [`parse_advice`] tries before giving up, so a reply full of braces
/// cannot make parsing quadratic in its length.
const MAX_OBJECT_CANDIDATES: usize = 64;

/// Parses the model's text content into validated advice (`source` is always [`AdviceSource::Ai`]).
///
/// Accepts a bare JSON object, one wrapped in a code fence, or one with prose around it: the
/// first `{…}` block that parses as a JSON object wins. Unknown fields are ignored so a model
/// adding e.g. `"confidence"` does not cost the visitor an answer.
///
/// Error reasons name the rule that failed, never the model's text, because they end up in logs
/// and in the lead record.
pub fn parse_advice(text: &str, known_slugs: &dyn Fn(&str) -> bool) -> Result<Advice, LlmError> {
    let object = first_json_object(text).ok_or_else(|| {
        LlmError::Malformed(if text.trim().is_empty() {
            "the answer is empty".to_owned()
        } else {
            format!(
                "no JSON object in the answer ({} characters)",
                text.chars().count()
            )
        })
    })?;

    let advice = match object.get("advice") {
        None | Some(Value::Null) => return Err(LlmError::OffSchema("`advice` is missing".into())),
        Some(Value::String(advice)) => advice.trim(),
        Some(_) => return Err(LlmError::OffSchema("`advice` is not a string".into())),
    };
    if advice.is_empty() {
        return Err(LlmError::OffSchema("`advice` is empty".into()));
    }

    let verdict = match object.get("verdict") {
        None | Some(Value::Null) => return Err(LlmError::OffSchema("`verdict` is missing".into())),
        Some(Value::String(verdict)) => parse_verdict(verdict).ok_or_else(|| {
            LlmError::OffSchema("`verdict` is not one of diy, careful, bring_us_in".into())
        })?,
        Some(_) => return Err(LlmError::OffSchema("`verdict` is not a string".into())),
    };

    Ok(Advice {
        markdown: truncate_advice(advice),
        verdict,
        cited: cited_slugs(object.get("cited"), known_slugs),
        source: AdviceSource::Ai,
    })
}

/// The first `{…}` in `text` that parses as a JSON object, trailing text ignored.
fn first_json_object(text: &str) -> Option<Map<String, Value>> {
    text.match_indices('{')
        .take(MAX_OBJECT_CANDIDATES)
        .find_map(|(start, _)| {
            // The stream deserializer stops after the first value, so prose or a closing code
            // fence after the object does not make it fail.
            serde_json::Deserializer::from_str(&text[start..])
                .into_iter::<Map<String, Value>>()
                .next()?
                .ok()
        })
}

/// `"diy"`, `"careful"`, `"bring_us_in"`, forgiving case and the separator (`"Bring us in"`,
/// `"BRING-US-IN"`): the meaning is unambiguous, and rejecting it would waste a paid answer.
fn parse_verdict(raw: &str) -> Option<Verdict> {
    let normalised: String = raw
        .trim()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase();
    match normalised.as_str() {
        "diy" => Some(Verdict::Diy),
        "careful" => Some(Verdict::Careful),
        "bring_us_in" => Some(Verdict::BringUsIn),
        _ => None,
    }
}

/// Cited slugs we actually have, deduplicated, in the model's order, at most [`MAX_CITED`].
///
/// Lenient on purpose: `cited` only adds links, so a malformed list drops the links rather than
/// the whole answer. Unknown slugs are dropped so we never link to a page that does not exist.
fn cited_slugs(cited: Option<&Value>, known_slugs: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(Value::Array(items)) = cited else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = Vec::new();
    for slug in items.iter().filter_map(Value::as_str).map(str::trim) {
        if slugs.len() == MAX_CITED {
            break;
        }
        if !slug.is_empty() && known_slugs(slug) && !slugs.iter().any(|kept| kept == slug) {
            slugs.push(slug.to_owned());
        }
    }
    slugs
}

/// Cuts advice longer than [`MAX_ADVICE_CHARS`] characters at a paragraph break (or, failing
/// that, whitespace) and marks the cut with "…"; the result, ellipsis included, fits the limit.
///
/// A paragraph break is only used if it keeps at least half of the allowed length: an early
/// break followed by one huge paragraph would otherwise throw away almost all of the advice.
fn truncate_advice(advice: &str) -> String {
    if advice.chars().count() <= MAX_ADVICE_CHARS {
        return advice.to_owned();
    }
    let budget = MAX_ADVICE_CHARS - 1; // room for the ellipsis
    let head_end = advice
        .char_indices()
        .nth(budget)
        .map_or(advice.len(), |(index, _)| index);
    let head = &advice[..head_end];
    let half = head
        .char_indices()
        .nth(budget / 2)
        .map_or(0, |(index, _)| index);
    let cut = match head.rfind("\n\n") {
        Some(index) if index >= half => index,
        _ => head
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(head.len(), |(index, _)| index),
    };
    let mut truncated = head[..cut].trim_end().to_owned();
    if truncated.is_empty() {
        // Whitespace only at the very start: a hard cut is better than no advice.
        truncated = head.trim().to_owned();
    }
    truncated.push('…');
    truncated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(slug: &str) -> bool {
        matches!(
            slug,
            "printer-offline" | "reset-password" | "a" | "b" | "c" | "d" | "e" | "f"
        )
    }

    fn parse(text: &str) -> Result<Advice, LlmError> {
        parse_advice(text, &known)
    }

    #[test]
    fn bare_object_parses() {
        let advice =
            parse(r#"{"advice":" Restart it. ","verdict":"diy","cited":["printer-offline"]}"#)
                .unwrap();
        assert_eq!(advice.markdown, "Restart it.");
        assert_eq!(advice.verdict, Verdict::Diy);
        assert_eq!(advice.cited, ["printer-offline"]);
        assert_eq!(advice.source, AdviceSource::Ai);
    }

    #[test]
    fn fenced_object_parses() {
        let text = "```json\n{\"advice\": \"Check the cable.\", \"verdict\": \"careful\"}\n```";
        let advice = parse(text).unwrap();
        assert_eq!(advice.markdown, "Check the cable.");
        assert_eq!(advice.verdict, Verdict::Careful);
        assert!(advice.cited.is_empty());
    }

    #[test]
    fn prose_around_and_unparseable_braces_before_are_skipped() {
        let text = "Sure! {not json} Here it is: {\"advice\": \"Use {braces} fine.\", \"verdict\": \"diy\"} Hope it helps {";
        let advice = parse(text).unwrap();
        assert_eq!(advice.markdown, "Use {braces} fine.");
    }

    #[test]
    fn nothing_parseable_is_malformed_without_echoing_the_text() {
        for text in [
            "",
            "   ",
            "I cannot help with that secret-ish text",
            "{\"advice\": \"unterminated",
        ] {
            match parse(text) {
                Err(LlmError::Malformed(reason)) => {
                    assert!(!reason.contains("secret-ish"), "{reason}");
                    assert!(!reason.contains("unterminated"), "{reason}");
                }
                other => panic!("{text:?}: expected Malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn missing_or_invalid_advice_is_off_schema() {
        for text in [
            r#"{"verdict":"diy"}"#,
            r#"{"advice":null,"verdict":"diy"}"#,
            r#"{"advice":42,"verdict":"diy"}"#,
            r#"{"advice":"  \n ","verdict":"diy"}"#,
        ] {
            assert!(matches!(parse(text), Err(LlmError::OffSchema(_))), "{text}");
        }
    }

    #[test]
    fn missing_or_invalid_verdict_is_off_schema_without_echoing_it() {
        for text in [
            r#"{"advice":"x"}"#,
            r#"{"advice":"x","verdict":"maybe-secret"}"#,
            r#"{"advice":"x","verdict":3}"#,
            r#"{"advice":"x","verdict":""}"#,
        ] {
            match parse(text) {
                Err(LlmError::OffSchema(reason)) => assert!(!reason.contains("maybe"), "{reason}"),
                other => panic!("{text}: expected OffSchema, got {other:?}"),
            }
        }
    }

    #[test]
    fn verdict_spellings_are_forgiven() {
        for (raw, expected) in [
            ("diy", Verdict::Diy),
            ("DIY", Verdict::Diy),
            (" Careful ", Verdict::Careful),
            ("bring_us_in", Verdict::BringUsIn),
            ("bring us in", Verdict::BringUsIn),
            ("BRING_US_IN", Verdict::BringUsIn),
            ("Bring-Us-In", Verdict::BringUsIn),
            ("bring  us_-in", Verdict::BringUsIn),
        ] {
            assert_eq!(parse_verdict(raw), Some(expected), "{raw}");
        }
        for raw in ["bringusin", "bring us", "safe", ""] {
            assert_eq!(parse_verdict(raw), None, "{raw}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let advice =
            parse(r#"{"advice":"x","verdict":"diy","confidence":0.9,"extra":{"a":1}}"#).unwrap();
        assert_eq!(advice.verdict, Verdict::Diy);
    }

    #[test]
    fn cited_keeps_known_unique_in_order_at_most_five() {
        let text =
            r#"{"advice":"x","verdict":"diy","cited":["f","unknown","a","f"," b ",7,"c","d","e"]}"#;
        assert_eq!(parse(text).unwrap().cited, ["f", "a", "b", "c", "d"]);
    }

    #[test]
    fn cited_of_the_wrong_type_is_dropped_not_fatal() {
        for cited in ["null", "\"printer-offline\"", "{}", "[]"] {
            let text = format!(r#"{{"advice":"x","verdict":"diy","cited":{cited}}}"#);
            assert!(parse(&text).unwrap().cited.is_empty(), "{cited}");
        }
    }

    #[test]
    fn advice_at_the_limit_is_kept_whole() {
        let advice = "a".repeat(MAX_ADVICE_CHARS);
        assert_eq!(truncate_advice(&advice), advice);
    }

    #[test]
    fn long_advice_is_cut_at_the_last_paragraph_break() {
        let first = "word ".repeat(500); // 2500 chars
        let second = "more ".repeat(300); // pushes past the limit
        let advice = format!("{}\n\n{}", first.trim_end(), second);
        let cut = truncate_advice(&advice);
        assert_eq!(cut, format!("{}…", first.trim_end()));
        assert!(cut.chars().count() <= MAX_ADVICE_CHARS);
    }

    #[test]
    fn long_advice_without_a_late_paragraph_break_is_cut_at_whitespace() {
        let advice = format!("Intro.\n\n{}", "wörd ".repeat(1000));
        let cut = truncate_advice(&advice);
        assert!(cut.ends_with("wörd…"), "{}", &cut[cut.len() - 20..]);
        assert!(cut.chars().count() <= MAX_ADVICE_CHARS);
        assert!(cut.chars().count() > MAX_ADVICE_CHARS - 10);
    }

    #[test]
    fn long_advice_without_whitespace_is_hard_cut() {
        let cut = truncate_advice(&"é".repeat(MAX_ADVICE_CHARS + 10));
        assert_eq!(cut.chars().count(), MAX_ADVICE_CHARS);
        assert!(cut.ends_with("é…"));
    }

    #[test]
    fn parse_applies_truncation() {
        let text =
            serde_json::json!({"advice": "step ".repeat(2000), "verdict": "diy"}).to_string();
        let advice = parse(&text).unwrap();
        assert!(advice.markdown.ends_with('…'));
        assert!(advice.markdown.chars().count() <= MAX_ADVICE_CHARS);
    }
}
