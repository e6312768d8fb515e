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
//!
//! [`render_answer`] (what the handler uses) is stricter still: a link survives only if it goes
//! to one of the articles the answer cites (links only from a list: the model never gets URLs,
//! so any other link it writes is a guess, likely a 404 under our name), and a bare domain in
//! the text ("evil.example") is replaced unless it is ours or on [`ALLOWED_DOMAINS`].

use pulldown_cmark::{html, Alignment, CodeBlockKind, CowStr, Event, LinkType, Options, Parser};
use pulldown_cmark::{Tag, TagEnd};
use url::Url;

/// Domains a visitor may see written out in an answer (and their subdomains), besides our
/// site's own host: where Microsoft 365 users really go.
pub const ALLOWED_DOMAINS: &[&str] = &[
    "microsoft.com",
    "office.com",
    "microsoft365.com",
    "aka.ms",
    "live.com",
];

/// What replaces a bare domain that is not allowed.
pub const REMOVED_DOMAIN: &str = "[link removed]";

/// Advice Markdown → HTML safe to insert into our page. `site_base_url` is the site's origin (and
/// optional path prefix), e.g. `https://help.example.com`; a trailing slash is ignored.
pub fn render(markdown: &str, site_base_url: &str) -> String {
    render_inner(markdown, site_base_url, None)
}

/// Like [`render`], but links are kept only to `cited_urls` (absolute article URLs; query and
/// fragment ignored), and bare domains other than ours and [`ALLOWED_DOMAINS`] are removed.
pub fn render_answer(markdown: &str, site_base_url: &str, cited_urls: &[String]) -> String {
    render_inner(markdown, site_base_url, Some(cited_urls))
}

fn render_inner(markdown: &str, site_base_url: &str, cited: Option<&[String]>) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = sanitise(Parser::new_ext(markdown, options), site_base_url, cited);
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// The URL in the `url` crate's form (scheme and host lower-case, no default port), without
/// query, fragment and trailing slash: two spellings of one article compare equal.
fn url_key(url: &str) -> Option<String> {
    let mut url = Url::parse(url).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    Some(url.as_str().trim_end_matches('/').to_owned())
}

/// The host a browser opens for `url` (lower-case, punycode): the `url` crate implements the
/// same standard, so `https://evil.example\@microsoft.com/` is evil.example.
fn host_of(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    url.host_str()
        .filter(|host| !host.is_empty())
        .map(str::to_owned)
}

/// File extensions that look like a top-level domain in "profile.ost" or "setup.exe".
const FILE_EXTENSIONS: &[&str] = &[
    "bat",
    "cmd",
    "csv",
    "dll",
    "doc",
    "docx",
    "encrypted",
    "exe",
    "htm",
    "html",
    "ini",
    "jpg",
    "json",
    "lnk",
    "locked",
    "log",
    "msi",
    "ost",
    "pdf",
    "png",
    "pptx",
    "ps1",
    "pst",
    "txt",
    "xls",
    "xlsx",
    "xml",
    "zip",
];

/// Whether a whitespace-separated word of text is (or starts with) a web address: a scheme, or
/// `label.label…` ending in an alphabetic top-level label that is not a file extension.
fn domain_in(word: &str) -> Option<String> {
    let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    if let Some(at) = trimmed.find("://") {
        // The address starts at its scheme: `see:https://x` and `(https://x` are about x.
        let scheme_len = trimmed[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .next()
            .unwrap_or_default()
            .len();
        return host_of(&trimmed[at - scheme_len..]).or_else(|| Some(String::new()));
    }
    let host = trimmed
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let tld = labels[labels.len() - 1];
    let is_domain = tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !FILE_EXTENSIONS.contains(&tld)
        && labels
            .iter()
            .all(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    is_domain.then_some(host)
}

fn domain_allowed(host: &str, own_host: Option<&str>) -> bool {
    let matches = |allowed: &str| host == allowed || host.ends_with(&format!(".{allowed}"));
    own_host.is_some_and(matches) || ALLOWED_DOMAINS.iter().any(|d| matches(d))
}

/// `text` with every word that is a disallowed web address replaced by [`REMOVED_DOMAIN`].
fn strip_bare_domains<'a>(text: CowStr<'a>, own_host: Option<&str>) -> CowStr<'a> {
    let needs = text.split_whitespace().any(|word| {
        domain_in(word).is_some_and(|host| host.is_empty() || !domain_allowed(&host, own_host))
    });
    if !needs {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        match domain_in(word) {
            Some(host) if host.is_empty() || !domain_allowed(&host, own_host) => {
                out.push_str(REMOVED_DOMAIN)
            }
            _ => out.push_str(word),
        }
        rest = &rest[end..];
    }
    CowStr::from(out)
}

/// Filters and rewrites the events so that only allowed elements can be written. With `cited`,
/// links must go to one of those URLs and bare domains are filtered too.
fn sanitise<'a>(
    events: impl Iterator<Item = Event<'a>>,
    base: &str,
    cited: Option<&[String]>,
) -> Vec<Event<'a>> {
    let own_host = host_of(base);
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
                    // Site paths become absolute: the answer may be shown on a page the
                    // function serves itself (the form without JavaScript), on its own
                    // origin, where `/a/` would point at the function.
                    let own = is_own_site(&dest_url, base);
                    let dest_url = match dest_url.strip_prefix('/') {
                        Some(path) if own && !base.is_empty() => {
                            CowStr::from(format!("{}/{path}", base.trim_end_matches('/')))
                        }
                        _ => dest_url,
                    };
                    let keep = own
                        && cited.is_none_or(|urls| {
                            let key = url_key(&dest_url);
                            key.is_some() && urls.iter().any(|url| url_key(url) == key)
                        });
                    links.push(keep);
                    if keep {
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
            Event::Text(text) if cited.is_some() => {
                out.push(Event::Text(strip_bare_domains(text, own_host.as_deref())));
            }
            Event::Code(text) if cited.is_some() => {
                out.push(Event::Code(strip_bare_domains(text, own_host.as_deref())));
            }
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

/// Whether a link destination is on our own site: a path starting with a single `/` (written
/// out under `base` when rendered), or an `http(s)://` URL that a browser opens on `base`'s
/// origin (scheme, host, port) and under its path, without userinfo. The `url` crate reads
/// links as browsers do, so `https://help.example.com.evil.com`, `https://help.example.com@evil.com`
/// and `https://help.example.com:8443` do not pass.
pub fn is_own_site(dest: &str, base: &str) -> bool {
    // Browsers (and the `url` crate) drop tabs and newlines from URLs and read `\` as `/`,
    // which would turn `/\evil.com` or `/<tab>/evil.com` into a protocol-relative link.
    if dest.is_empty()
        || dest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || dest.to_ascii_lowercase().contains("javascript:")
    {
        return false;
    }
    // `..` climbs out of a base with a path (`https://x/help` + `/..?v` is `https://x/?v`).
    if has_dot_segment(dest) {
        return false;
    }
    let site = site_url(base);
    if let Some(path) = dest.strip_prefix('/') {
        if path.starts_with('/') {
            return false;
        }
        // Without a usable base the path stays relative; with one, check what is written.
        let written = format!("{}{dest}", base.trim_end_matches('/'));
        return site.is_none_or(|site| is_under(&written, &site));
    }
    // Only `scheme://` is absolute on every page: `https:x` is relative on an https page (the
    // answer is also shown on the function's own origin).
    let absolute = ["https://", "http://"].iter().any(|prefix| {
        dest.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    });
    absolute && site.is_some_and(|site| is_under(dest, &site))
}

/// `base` as a URL, if it is an `http(s)` URL with a host.
fn site_url(base: &str) -> Option<Url> {
    let url = Url::parse(base).ok()?;
    (matches!(url.scheme(), "https" | "http") && url.host().is_some()).then_some(url)
}

/// Whether `url` parses to `site`'s origin, without userinfo, and its path is `site`'s path or
/// continues it after a `/` (case-sensitive, as paths are: `/HELP` is not under `/help`).
fn is_under(url: &str, site: &Url) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    let prefix = site.path().trim_end_matches('/');
    url.origin() == site.origin()
        && url.username().is_empty()
        && url.password().is_none()
        && url
            .path()
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether the path of `dest` (before any `?` or `#`) has a `.` or `..` segment, also
/// percent-encoded (`%2e`): a browser resolves them, so the link may leave the site's path.
fn has_dot_segment(dest: &str) -> bool {
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Found by fuzzing (`answer_html`): with a base that has a path, `/..?v` rendered as
    /// `https://example.com/help/..?v`, which a browser opens as `https://example.com/?v`.
    #[test]
    fn a_link_climbing_out_of_the_base_path_is_not_ours() {
        let base = "https://example.com/help";
        for dest in [
            "/..?v",
            "/../x/",
            "/a/./b",
            "/%2e%2e/x",
            "/.%2E#top",
            "https://example.com/help/../x",
            "https://example.com/help/%2E%2e?x",
        ] {
            assert!(!is_own_site(dest, base), "{dest}");
        }
        for dest in [
            "/printer-offline/",
            "/a..b/",
            "/v1.2/notes",
            "https://example.com/help/x?a=..#..",
        ] {
            assert!(is_own_site(dest, base), "{dest}");
        }
        let html = render("[r](/..??v)", base);
        assert!(!html.contains("href"), "{html}");
    }

    const BASE: &str = "https://help.example.com";

    #[test]
    fn answers_link_only_to_cited_articles() {
        let cited = vec!["https://help.example.com/printer-offline/".to_owned()];
        let html = render_answer(
            "See [the printer article](/printer-offline/), [a guess](/printer-fix/), \
             [again](https://help.example.com/printer-offline/#steps) and [evil](https://evil.example/x).",
            BASE,
            &cited,
        );
        assert!(
            html.contains(
                "<a href=\"https://help.example.com/printer-offline/\">the printer article</a>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://help.example.com/printer-offline/#steps\">again</a>"),
            "{html}"
        );
        assert!(!html.contains("printer-fix"), "{html}");
        assert!(!html.contains("evil.example"), "{html}");
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        // Nothing cited: no link at all.
        assert!(!render_answer("[x](/printer-offline/)", BASE, &[]).contains("<a "));
    }

    #[test]
    fn answers_lose_bare_domains_outside_the_allow_list() {
        let html = render_answer(
            "Go to evil-login.example.net or https://evil.example/reset, not `paypa1.com/x`. \
             Use account.microsoft.com, aka.ms/mfasetup and help.example.com. \
             Keep profile.ost, setup.exe and version 2.1 as they are.",
            BASE,
            &[],
        );
        for gone in ["evil-login", "evil.example", "paypa1"] {
            assert!(!html.contains(gone), "{gone}: {html}");
        }
        assert_eq!(html.matches(REMOVED_DOMAIN).count(), 3, "{html}");
        for kept in [
            "account.microsoft.com",
            "aka.ms/mfasetup",
            "help.example.com",
            "profile.ost",
            "setup.exe",
            "2.1",
        ] {
            assert!(html.contains(kept), "{kept}: {html}");
        }
    }

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

    /// Compared as a browser reads them: the default port written out is the same origin, and
    /// a path is case-sensitive (`/HELP/` is not under `/help`).
    #[test]
    fn origins_and_paths_compare_as_a_browser_reads_them() {
        assert!(is_own_site("https://help.example.com:443/a/", BASE));
        assert!(is_own_site("HTTPS://HELP.example.COM/a/", BASE));
        assert!(!is_own_site("https://help.example.com:8443/a/", BASE));
        assert!(!is_own_site("https://user@help.example.com/a/", BASE));
        assert!(!is_own_site("https:/help.example.com/a/", BASE));
        assert!(!is_own_site("https:help.example.com/a/", BASE));
        let base = "https://example.com/help";
        assert!(!is_own_site("https://example.com/HELP/a/", base));
        assert!(is_own_site("https://example.com:443/help/a/", base));
        let cited = vec!["https://help.example.com/printer-offline/".to_owned()];
        let html = render_answer(
            "[a](HTTPS://Help.Example.com:443/printer-offline/#steps)",
            BASE,
            &cited,
        );
        assert_eq!(
            html,
            "<p><a href=\"HTTPS://Help.Example.com:443/printer-offline/#steps\">a</a></p>\n"
        );
    }

    /// A browser reads `\` as `/`, so the host here is evil.example, not microsoft.com.
    #[test]
    fn a_bare_address_is_judged_by_the_host_a_browser_would_open() {
        let html = render_answer("Open `https://evil.example\\@microsoft.com/`", BASE, &[]);
        assert!(!html.contains("evil"), "{html}");
        let html = render_answer("Sign in at portal:https://portal.office.com/", BASE, &[]);
        assert!(html.contains("portal:https://portal.office.com/"), "{html}");
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
