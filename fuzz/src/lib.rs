//! Invariant checks shared by the fuzz targets. Each is written independently of the code it
//! checks (its own HTML tokenizer, the `url` crate as the browser's view of a link, line
//! counting from scratch), so a bug in the code cannot hide in a shared helper.

use std::path::Path;

use generator::diagnostics::Diagnostic;

/// The only elements the answer sanitiser may write (ask-fn/src/answer_html.rs's doc comment).
pub const ALLOWED_TAGS: &[&str] = &[
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "a",
    "br",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Undoes the HTML escaping pulldown-cmark applies to attribute values.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
        ]
        .into_iter()
        .find(|(name, _)| rest.starts_with(name));
        match entity {
            Some((name, c)) => {
                out.push(c);
                rest = &rest[name.len()..];
            }
            None => panic!("a bare or unknown `&` entity in an attribute: {value:?}"),
        }
    }
    out.push_str(rest);
    out
}

/// Panics unless `html` holds only allowed tags, with only `href` on `a` (a link a browser
/// resolves to `base`'s origin, under its path) and a number as `start` on `ol`.
pub fn check_answer_html(html: &str, base: &str) {
    let site = url::Url::parse(&format!("{}/", base.trim_end_matches('/'))).expect("base URL");
    // The page the answer is shown on: a different path from the links' targets.
    let page = site.join("some/article/").expect("page URL");
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => panic!("a bare `>` in text at {i}: {html:?}"),
            b'<' => {}
            _ => {
                i += 1;
                continue;
            }
        }
        i += 1;
        if bytes.get(i) == Some(&b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let name = &html[name_start..i];
        assert!(ALLOWED_TAGS.contains(&name), "tag <{name}> in {html:?}");
        loop {
            match bytes.get(i) {
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b' ') => i += 1,
                Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                    i += 2;
                    break;
                }
                Some(_) => {
                    let attr_start = i;
                    while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                        i += 1;
                    }
                    let attribute = &html[attr_start..i];
                    assert!(
                        html[i..].starts_with("=\""),
                        "malformed attribute `{attribute}` on <{name}> in {html:?}"
                    );
                    i += 2;
                    let end = html[i..]
                        .find('"')
                        .unwrap_or_else(|| panic!("unterminated attribute in {html:?}"));
                    let value = unescape(&html[i..i + end]);
                    i += end + 1;
                    match (name, attribute) {
                        ("a", "href") => {
                            let target = page
                                .join(&value)
                                .unwrap_or_else(|e| panic!("href {value:?} does not parse: {e}"));
                            assert_eq!(
                                target.origin(),
                                site.origin(),
                                "href {value:?} leaves the site in {html:?}"
                            );
                            // The base itself, written without its slash, is the site too.
                            assert!(
                                target.path().starts_with(site.path())
                                    || target.path() == site.path().trim_end_matches('/'),
                                "href {value:?} leaves the site's path in {html:?}"
                            );
                            assert!(
                                matches!(target.scheme(), "https" | "http"),
                                "href {value:?} has scheme {}",
                                target.scheme()
                            );
                        }
                        ("ol", "start") => assert!(
                            !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
                            "ol start={value:?}"
                        ),
                        _ => panic!("attribute `{attribute}` on <{name}> in {html:?}"),
                    }
                }
                None => panic!("unterminated tag <{name} in {html:?}"),
            }
        }
    }
}

/// Panics unless every diagnostic about `file` points inside `text`: a line that exists, a
/// column within it (one past its end at most), and quotes that very line.
pub fn check_diagnostics(diagnostics: &[Diagnostic], file: &Path, text: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    for diagnostic in diagnostics {
        assert_eq!(diagnostic.file, file, "a diagnostic about another file");
        assert!(
            diagnostic.offset.is_none(),
            "an unresolved offset with the text at hand"
        );
        if diagnostic.line == 0 {
            assert_eq!(
                diagnostic.column, 0,
                "a column without a line: {diagnostic:?}"
            );
            continue;
        }
        let line = diagnostic.line as usize;
        assert!(
            line <= lines.len(),
            "line {line} of a {}-line file: {diagnostic:?}",
            lines.len()
        );
        let quoted = lines[line - 1].trim_end_matches('\r');
        let width = lines[line - 1].chars().count();
        let column = diagnostic.column as usize;
        assert!(
            (1..=width + 1).contains(&column),
            "column {column} on a line of {width} characters: {diagnostic:?}"
        );
        assert_eq!(
            diagnostic.source_line.as_deref(),
            Some(quoted),
            "the quoted line is not line {line}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://help.example.com";

    #[test]
    fn allowed_html_and_own_links_pass() {
        check_answer_html(
            "<p>See <a href=\"/printer-offline/\">this</a> and <a href=\"https://help.example.com/a?b=1&amp;c=2\">that</a></p>\n<ol start=\"3\">\n<li>x &gt; y</li>\n</ol>\n<br />",
            BASE,
        );
    }

    #[test]
    fn a_base_with_a_path_is_the_site_with_or_without_its_slash() {
        // As `answer_html::is_own_site` judges it.
        let base = "https://help.example.com/help";
        check_answer_html("<p><a href=\"https://help.example.com/help\">x</a></p>", base);
        check_answer_html("<p><a href=\"https://help.example.com/help/a/\">x</a></p>", base);
    }

    #[test]
    #[should_panic(expected = "leaves the site's path")]
    fn a_sibling_of_the_base_path_is_caught() {
        check_answer_html(
            "<p><a href=\"https://help.example.com/helpdesk/\">x</a></p>",
            "https://help.example.com/help",
        );
    }

    #[test]
    #[should_panic(expected = "leaves the site")]
    fn a_foreign_link_is_caught() {
        check_answer_html("<p><a href=\"//evil.example/\">x</a></p>", BASE);
    }

    #[test]
    #[should_panic(expected = "leaves the site")]
    fn a_backslash_link_is_caught_as_a_browser_reads_it() {
        check_answer_html("<p><a href=\"/\\evil.example\">x</a></p>", BASE);
    }

    #[test]
    #[should_panic(expected = "tag <img>")]
    fn a_foreign_tag_is_caught() {
        check_answer_html("<p><img src=\"x\"></p>", BASE);
    }

    #[test]
    #[should_panic(expected = "attribute `title`")]
    fn a_foreign_attribute_is_caught() {
        check_answer_html("<p><a href=\"/a/\" title=\"t\">x</a></p>", BASE);
    }

    #[test]
    fn diagnostics_inside_the_file_pass_and_outside_panic() {
        let text = "a = 1\nbé = \n";
        let file = Path::new("site.toml");
        let at = |line: u32, column: u32, quoted: &str| Diagnostic {
            line,
            column,
            source_line: Some(quoted.to_owned()),
            ..Diagnostic::error(file, "x")
        };
        check_diagnostics(&[at(2, 6, "bé = ")], file, text);
        check_diagnostics(&[at(3, 1, "")], file, text);
        for bad in [at(4, 1, ""), at(2, 7, "bé = "), at(1, 1, "bé = ")] {
            let result = std::panic::catch_unwind(|| check_diagnostics(&[bad], file, text));
            assert!(result.is_err());
        }
    }
}
