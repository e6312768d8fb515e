//! The LLM answer parser: lenient about wrapping, strict about the schema. Whatever the model
//! says, accepted advice fits the limits, cites only known articles, and renders safely.
#![no_main]

use ask_fn::llm::parse::{parse_advice, MAX_CITED};
use ask_fn::llm::prompt::MAX_ADVICE_CHARS;
use ask_fn::llm::AdviceSource;
use libfuzzer_sys::fuzz_target;
use tryfirst_fuzz::check_answer_html;

const KNOWN: [&str; 3] = ["printer-offline", "wifi-no-internet", "vpn-wont-connect"];

fuzz_target!(|text: &str| {
    let known = |slug: &str| KNOWN.contains(&slug);
    let Ok(advice) = parse_advice(text, &known) else {
        return;
    };
    let length = advice.markdown.chars().count();
    assert!(
        length > 0 && length <= MAX_ADVICE_CHARS,
        "advice of {length} characters"
    );
    assert!(advice.cited.len() <= MAX_CITED);
    for (i, slug) in advice.cited.iter().enumerate() {
        assert!(known(slug), "unknown slug cited");
        assert!(!advice.cited[..i].contains(slug), "slug cited twice");
    }
    assert_eq!(advice.source, AdviceSource::Ai);
    let base = "https://help.example.com";
    check_answer_html(&ask_fn::answer_html::render(&advice.markdown, base), base);
});
