//! The answer sanitiser: whatever Markdown the LLM writes, the HTML holds only allowed tags and
//! attributes, and every link stays on the site (as a browser would resolve it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryfirst_fuzz::check_answer_html;

const BASE: &str = "https://help.example.com";

fuzz_target!(|markdown: &str| {
    let html = ask_fn::answer_html::render(markdown, BASE);
    check_answer_html(&html, BASE);
    // A base URL with a path prefix and a trailing slash is the same site.
    let html = ask_fn::answer_html::render(markdown, "https://example.com/help/");
    check_answer_html(&html, "https://example.com/help");
});
