//! Renders advice Markdown to HTML that is safe to insert into our page.
//!
//! Why: advice may come from an LLM that has read a visitor's message, so it is untrusted text.
//! A prompt-injected answer must not be able to run script, load a tracking pixel, restyle the
//! page, or show a phishing link under our company's name. So instead of escaping problems away
//! afterwards, the Markdown event stream is filtered against an allow-list before pulldown-cmark
//! writes HTML:
//!
//! - raw HTML (blocks and inline) is dropped entirely; images are dropped, their alt text kept as
//!   plain text;
//! - headings become `<p><strong>…</strong></p>`, so the page's outline stays ours;
//! - links are kept only when they point to our own site (a path starting with one `/`, or an
//!   absolute URL under `site_base_url` on an origin boundary); any other link becomes its text;
//!   kept links carry only `href` (no `title`, no `target`);
//! - what remains can only produce `p ul ol li strong em code pre a br blockquote` and table
//!   elements, with no attributes other than `href` on `a` and `start` on `ol`. Code blocks lose
//!   their language class and table cells their alignment style.
//!
//! Text is HTML-escaped by pulldown-cmark.

use pulldown_cmark::{html, Alignment, CodeBlockKind, CowStr, Event, LinkType, Options, Parser};
use pulldown_cmark::{Tag, TagEnd};

/// Advice Markdown → HTML safe to insert into our page. `site_base_url` is the site's origin (and
/// optional path prefix), e.g. `https://help.example.com`; a trailing slash is ignored.
pub fn render(markdown: &str, site_base_url: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = sanitise(Parser::new_ext(markdown, options), site_base_url);
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Filters and rewrites the events so that only allowed elements can be written.
fn sanitise<'a>(events: impl Iterator<Item = Event<'a>>, base: &str) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // Inside content that is dropped with everything in it (HTML blocks, metadata).
    let mut dropped_depth = 0usize;
    // Inside an image: only its text survives.
    let mut image_depth = 0usize;
    // For each open link: whether it was kept.
    let mut links: Vec<bool> = Vec::new();

    for event in events {
        if dropped_depth > 0 {
            match event {
                Event::Start(Tag::HtmlBlock | Tag::MetadataBlock(_)) => dropped_depth += 1,
                Event::End(TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => dropped_depth -= 1,
                _ => {}
            }
            continue;
        }
        if image_depth > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => image_depth -= 1,
                Event::Text(text) | Event::Code(text) => out.push(Event::Text(text)),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph
                | Tag::List(_)
                | Tag::Item
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
                | Tag::Emphasis
                | Tag::Strong => out.push(Event::Start(tag)),
                Tag::Heading { .. } => {
                    out.push(Event::Start(Tag::Paragraph));
                    out.push(Event::Start(Tag::Strong));
                }
                Tag::BlockQuote(_) => out.push(Event::Start(Tag::BlockQuote(None))),
                Tag::CodeBlock(_) => {
                    out.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)));
                }
                Tag::Table(alignments) => out.push(Event::Start(Tag::Table(vec![
                    Alignment::None;
                    alignments.len()
                ]))),
                Tag::Link { dest_url, .. } => {
                    let keep = is_own_site(&dest_url, base);
                    links.push(keep);
                    if keep {
                        // Site paths become absolute: the answer may be shown on a page the
                        // function serves itself (the form without JavaScript), on its own
                        // origin, where `/a/` would point at the function.
                        let dest_url = match dest_url.strip_prefix('/') {
                            Some(path) if !base.is_empty() => {
                                CowStr::from(format!("{}/{path}", base.trim_end_matches('/')))
                            }
                            _ => dest_url,
                        };
                        out.push(Event::Start(Tag::Link {
                            link_type: LinkType::Inline,
                            dest_url,
                            title: CowStr::Borrowed(""),
                            id: CowStr::Borrowed(""),
                        }));
                    }
                }
                Tag::Image { .. } => image_depth = 1,
                Tag::HtmlBlock | Tag::MetadataBlock(_) => dropped_depth = 1,
                // Kept as their content only.
                Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::CodeBlock => out.push(Event::End(tag)),
                TagEnd::Heading(_) => {
                    out.push(Event::End(TagEnd::Strong));
                    out.push(Event::End(TagEnd::Paragraph));
                }
                TagEnd::BlockQuote(_) => out.push(Event::End(TagEnd::BlockQuote(None))),
                TagEnd::Link => {
                    if links.pop() == Some(true) {
                        out.push(Event::End(TagEnd::Link));
                    }
                }
                TagEnd::Image
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_)
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition => {}
            },
            Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => {
                out.push(event);
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => out.push(Event::Text(text)),
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::Rule
            | Event::TaskListMarker(_) => {}
        }
    }
    out
}

/// Whether a link destination is on our own site: a path starting with a single `/`, or an
/// absolute URL under `base` that continues (if at all) with `/`, `?` or `#`, so that
/// `https://help.example.com.evil.com` and `https://help.example.com@evil.com` do not pass.
pub fn is_own_site(dest: &str, base: &str) -> bool {
    // Browsers drop tabs and newlines from URLs and read `\` as `/`, which would turn
    // `/\evil.com` or `/<tab>/evil.com` into a protocol-relative link.
    if dest.is_empty()
        || dest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || dest.to_ascii_lowercase().contains("javascript:")
    {
        return false;
    }
    if let Some(path) = dest.strip_prefix('/') {
        return !path.starts_with('/');
    }
    let base = base.trim_end_matches('/');
    let Some((scheme, host)) = base.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
    if !scheme_ok || host.is_empty() {
        return false;
    }
    let (dest, base) = (dest.as_bytes(), base.as_bytes());
    dest.len() >= base.len()
        && dest[..base.len()].eq_ignore_ascii_case(base)
        && matches!(dest.get(base.len()), None | Some(b'/' | b'?' | b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "https://help.example.com";

    fn html(markdown: &str) -> String {
        render(markdown, BASE)
    }

    /// Every tag in `html` (text is escaped, so every `<` opens a tag): its name and attributes.
    fn tags(html: &str) -> Vec<(String, String)> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let close = after.find('>').unwrap_or(after.len());
            let inner = after[..close].trim_start_matches('/').trim_end_matches('/');
            let name_len = inner
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(inner.len());
            tags.push((
                inner[..name_len].to_owned(),
                inner[name_len..].trim().to_owned(),
            ));
            rest = &after[close..];
        }
        tags
    }

    const ALLOWED: &[&str] = &[
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

    #[track_caller]
    fn assert_only_allowed(html: &str) {
        for (name, attributes) in tags(html) {
            assert!(ALLOWED.contains(&name.as_str()), "tag <{name}> in {html}");
            let attribute_ok = attributes.is_empty()
                || (name == "a" && attributes.starts_with("href=\"") && attributes.ends_with('"'))
                || (name == "ol"
                    && attributes.starts_with("start=\"")
                    && attributes[7..attributes.len() - 1]
                        .chars()
                        .all(|c| c.is_ascii_digit()));
            assert!(
                attribute_ok,
                "attributes `{attributes}` on <{name}> in {html}"
            );
        }
    }

    #[test]
    fn renders_ordinary_advice() {
        let out =
            html("Try this:\n\n1. Restart the **printer**\n2. Check *the cable*\n\n`ipconfig`");
        assert_eq!(
            out,
            "<p>Try this:</p>\n<ol>\n<li>Restart the <strong>printer</strong></li>\n\
             <li>Check <em>the cable</em></li>\n</ol>\n<p><code>ipconfig</code></p>\n"
        );
    }

    #[test]
    fn drops_script_tags_and_raw_html() {
        let out = html("<script>alert(1)</script>\n\nHello <b onclick=\"x()\">you</b>");
        assert!(!out.contains("<script"), "{out}");
        assert!(
            !out.contains("alert"),
            "block HTML is dropped entirely: {out}"
        );
        assert!(!out.contains("onclick"), "{out}");
        assert_eq!(out, "<p>Hello you</p>\n");
    }

    #[test]
    fn onerror_attributes_are_impossible() {
        let out = html("<img src=x onerror=alert(1)>\n\ntext <img src=x onerror=alert(1)> more");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert_only_allowed(&out);
    }

    #[test]
    fn javascript_links_become_text() {
        assert_eq!(html("[x](javascript:alert(1))"), "<p>x</p>\n");
        assert_eq!(html("[x](JavaScript:alert(1))"), "<p>x</p>\n");
        assert_eq!(html("[x](/javascript:alert(1))"), "<p>x</p>\n");
    }

    #[test]
    fn links_to_other_sites_become_text() {
        assert_eq!(html("[x](https://evil.example/)"), "<p>x</p>\n");
        assert_eq!(html("[x](//evil.example/)"), "<p>x</p>\n");
        assert_eq!(html("[x](/\\evil.example/)"), "<p>x</p>\n");
        assert_eq!(html("[x](data:text/html,hi)"), "<p>x</p>\n");
        assert_eq!(html("[mail us](mailto:a@b.example)"), "<p>mail us</p>\n");
        assert_eq!(html("[x](printer-offline/)"), "<p>x</p>\n");
        assert_eq!(html("[x](#top)"), "<p>x</p>\n");
        assert_eq!(
            html("<https://evil.example/>"),
            "<p>https://evil.example/</p>\n"
        );
        assert_eq!(html("<a@b.example>"), "<p>a@b.example</p>\n");
    }

    #[test]
    fn lookalike_hosts_become_text() {
        assert_eq!(
            html("[x](https://help.example.com.evil.com/)"),
            "<p>x</p>\n"
        );
        assert_eq!(
            html("[x](https://help.example.com@evil.com/)"),
            "<p>x</p>\n"
        );
        assert_eq!(html("[x](https://help.example.community/)"), "<p>x</p>\n");
        assert_eq!(html("[x](http://help.example.com/)"), "<p>x</p>\n");
    }

    #[test]
    fn own_links_are_kept_without_target() {
        assert_eq!(
            html("[x](/printer-offline/)"),
            "<p><a href=\"https://help.example.com/printer-offline/\">x</a></p>\n"
        );
        assert_eq!(
            html("[x](https://help.example.com/a/ \"title\")"),
            "<p><a href=\"https://help.example.com/a/\">x</a></p>\n"
        );
        assert_eq!(
            render(
                "[x](HTTPS://Help.Example.com?q=1)",
                "https://help.example.com/"
            ),
            "<p><a href=\"HTTPS://Help.Example.com?q=1\">x</a></p>\n"
        );
        assert!(!html("[x](/a/)").contains("target"));
    }

    #[test]
    fn base_with_a_path_matches_on_its_boundary() {
        let base = "https://example.com/help";
        assert!(is_own_site("https://example.com/help/a/", base));
        assert!(is_own_site("https://example.com/help", base));
        assert!(!is_own_site("https://example.com/helpdesk/", base));
        assert!(!is_own_site("https://example.com/other/", base));
    }

    #[test]
    fn an_unusable_base_keeps_only_relative_links() {
        assert!(!is_own_site("https://anything.example/", ""));
        assert!(!is_own_site("https://anything.example/", "https://"));
        assert!(is_own_site("/a/", ""));
    }

    #[test]
    fn images_are_dropped_keeping_alt_text() {
        assert_eq!(
            html("![a *printer* photo](https://evil.example/x.png)"),
            "<p>a printer photo</p>\n"
        );
        assert_eq!(
            html("[![icon](/i.png)](/printer-offline/)"),
            "<p><a href=\"https://help.example.com/printer-offline/\">icon</a></p>\n"
        );
    }

    #[test]
    fn headings_are_demoted() {
        assert_eq!(
            html("# Fix it\n\ntext"),
            "<p><strong>Fix it</strong></p>\n<p>text</p>\n"
        );
        assert_eq!(html("Fix it\n---"), "<p><strong>Fix it</strong></p>\n");
    }

    #[test]
    fn code_blocks_tables_and_quotes_lose_attributes() {
        let out = html("```js\nalert(1)\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n> quoted\n\n3. three\n4. four\n\n---\n\n~~gone~~");
        assert_only_allowed(&out);
        assert!(out.contains("<pre><code>alert(1)\n</code></pre>"), "{out}");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<blockquote>"), "{out}");
        assert!(out.contains("<ol start=\"3\">"), "{out}");
        assert!(!out.contains("<hr"), "{out}");
        assert!(out.contains("gone") && !out.contains("<del>"), "{out}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(html("a < b & c > d"), "<p>a &lt; b &amp; c &gt; d</p>\n");
        assert_eq!(html("`<script>`"), "<p><code>&lt;script&gt;</code></p>\n");
    }

    /// Pieces that build hostile Markdown far more often than random text would.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("<script>".to_owned()),
            Just("</script>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("<iframe src=x>".to_owned()),
            Just(" onload=".to_owned()),
            Just("<a href=\"javascript:alert(1)\">".to_owned()),
            Just("[x](".to_owned()),
            Just("![x](".to_owned()),
            Just("](".to_owned()),
            Just(")".to_owned()),
            Just("javascript:alert(1)".to_owned()),
            Just("/".to_owned()),
            Just("//evil.example".to_owned()),
            Just("https://help.example.com".to_owned()),
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("\"".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("# ".to_owned()),
            Just("```".to_owned()),
            Just("| a |\n|---|\n".to_owned()),
            Just("&#106;".to_owned()),
            Just("\\".to_owned()),
            Just("* ".to_owned()),
            "[a-z =:]{1,6}",
            any::<char>().prop_map(String::from),
        ]
    }

    fn hostile_markdown() -> impl Strategy<Value = String> {
        prop::collection::vec(fragment(), 0..30).prop_map(|parts| parts.concat())
    }

    #[track_caller]
    fn assert_safe(out: &str) {
        let lower = out.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{out}");
        assert!(!lower.contains("<img"), "{out}");
        assert!(!lower.contains("<iframe"), "{out}");
        for (name, attributes) in tags(&lower) {
            let event_handler = attributes.split(|c: char| c.is_whitespace()).any(|word| {
                word.strip_prefix("on").is_some_and(|rest| {
                    let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
                    letters > 0 && rest[letters..].starts_with('=')
                })
            });
            assert!(!event_handler, "event handler on <{name}>: {out}");
            if let Some(href) = attributes.strip_prefix("href=\"") {
                assert!(!href.contains("javascript:"), "{out}");
            }
        }
        assert_only_allowed(out);
    }

    proptest! {
        #[test]
        fn output_is_safe_for_any_input(markdown in any::<String>()) {
            assert_safe(&html(&markdown));
        }

        #[test]
        fn output_is_safe_for_hostile_markdown(markdown in hostile_markdown()) {
            assert_safe(&html(&markdown));
        }
    }
}
