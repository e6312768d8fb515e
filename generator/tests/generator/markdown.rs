//! Snapshots of Markdown → HTML: one representative body per feature the renderer supports,
//! with everything it extracts (sections, steps, links, anchors, problems) beside the HTML, so
//! a change to any of it shows as a reviewable diff in `snapshots/`.

use std::fmt::Write as _;

use generator::config::SectionHeadings;
use generator::content::markdown::{
    render_with, Body, CalloutLabels, DefaultLanguageLinks, ImageProblem, ImageResolver,
    ResolvedImage,
};

/// The sections every article needs, appended to cases about something else.
const REQUIRED: &str = "\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n";

/// Knows one image, `shot.png`, 800 × 600 with a WebP version; `https:` images are not the
/// site's; anything else is missing.
struct OneShot;

impl ImageResolver for OneShot {
    fn resolve(&self, src: &str) -> Result<Option<ResolvedImage>, ImageProblem> {
        match src {
            "shot.png" => Ok(Some(ResolvedImage {
                src: "/assets/images/shot.abc.png".into(),
                webp: Some("/assets/images/shot.abc.webp".into()),
                width: 800,
                height: 600,
            })),
            s if s.starts_with("https:") => Ok(None),
            _ => Err(ImageProblem {
                message: format!("image `{src}` not found"),
                hint: Some("did you mean `shot.png`?".into()),
            }),
        }
    }
}

/// The body rendered as the build does (with `main` taken by the theme), as readable text.
fn rendered(markdown: &str) -> String {
    let body = render_with(
        markdown,
        &SectionHeadings::default(),
        &CalloutLabels::default(),
        &["main"],
        &OneShot,
        &DefaultLanguageLinks,
    );
    describe(&body)
}

fn describe(body: &Body) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- intro ({:?})", body.intro_text);
    out.push_str(&body.intro_html);
    for section in &body.sections {
        let _ = writeln!(
            out,
            "--- section {:?} #{} {:?}",
            section.kind, section.id, section.heading
        );
        out.push_str(&section.html);
    }
    out.push_str("--- steps\n");
    for (number, step) in body.steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", number + 1, step.text);
    }
    let _ = writeln!(out, "--- escalation: {:?}", body.escalation_text);
    out.push_str("--- links\n");
    for link in &body.outline.links {
        let _ = writeln!(out, "@{} {:?}", link.offset, link.target);
    }
    let _ = writeln!(out, "--- anchors: {}", body.outline.anchors.join(" "));
    out.push_str("--- problems\n");
    for problem in &body.problems {
        let _ = writeln!(
            out,
            "@{} {:?}: {} (hint: {})",
            problem.offset,
            problem.severity,
            problem.message,
            problem.hint.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(out, "--- words: {}", body.word_count);
    out
}

#[test]
fn a_whole_article() {
    insta::assert_snapshot!(rendered(
        "Intro with **bold**, _emphasis_ and ~~old~~ text.\n\n\
         ## Try this first\n\n\
         1. **Check** the [cable](@/printer-offline#power).\n\
         2. Restart it.\n   - nested detail\n   - and `another`\n\
         3. Type `lpstat -p` and read the answer.\n\n\
         After the list.\n\n\
         ## When to bring us in\n\nIf it smokes.\n\nOr beeps.\n\n\
         ## See also\n\n- [Lost phone](@/lost-phone)\n- [All devices](/categories/devices/)\n"
    ));
}

#[test]
fn callouts() {
    insta::assert_snapshot!(rendered(&format!(
        "> [!NOTE]\n> Read **this**.\n\n> [!TIP]\n> A tip.\n\n> [!IMPORTANT]\n> Key.\n\n\
         > [!WARNING]\n> Hot.\n\n> [!CAUTION]\n> Careful.\n\n> A plain quote.{REQUIRED}"
    )));
}

#[test]
fn code() {
    insta::assert_snapshot!(rendered(&format!(
        "Inline `<second> & key` code.\n\n\
         ```powershell\nGet-Printer | Where-Object {{ $_.Name -like \"*HP*\" }}\n```\n\n\
         ```\n<b>not bold</b> & \"quoted\"\n```\n\n    indented code\n{REQUIRED}"
    )));
}

#[test]
fn tables_and_task_lists() {
    insta::assert_snapshot!(rendered(&format!(
        "| Light | Meaning | Do |\n|:--|:-:|--:|\n| green | **ready** | nothing |\n\
         | red `E2` | jam | open tray 2 |\n\n- [x] plugged in\n- [ ] switched on\n{REQUIRED}"
    )));
}

#[test]
fn links() {
    insta::assert_snapshot!(rendered(&format!(
        "See [the key](@/hardware-key), [its steps](@/hardware-key#try-this-first), \
         [a category](/categories/accounts/), [tags](/tags/), [this page](#when-to-bring-us-in), \
         [outside](https://example.com/a?b=1&c=2), <https://example.org>, \
         [mail](mailto:it@example.com) and [bad](javascript:alert(1)).{REQUIRED}"
    )));
}

#[test]
fn heading_ids() {
    insta::assert_snapshot!(rendered(
        "## Notes\n\n## Notes\n\n## Main\n\n## Café & Wi‑Fi *setup*\n\n\
         ## Try this first\n\n1. a\n\n### The `second` step\n\n### Notes\n\n\
         ## When to bring us in\n\nx\n\n#### Too deep\n"
    ));
}

#[test]
fn raw_html_and_images() {
    insta::assert_snapshot!(rendered(&format!(
        "![The \"panel\" & its light](shot.png)\n\n\
         A <b>bold</b> claim <!-- a note -->.\n\n<script>alert(1)</script>\n\n\
         ![](shot.png) ![Remote](https://example.com/x.png) ![Lost](nope.png){REQUIRED}"
    )));
}

#[test]
fn missing_and_malformed_sections() {
    insta::assert_snapshot!(rendered(
        "# A title in the body\n\nJust an intro.\n\n## Try this first\n\n- not\n- numbered\n"
    ));
}

// What the snapshots do not show at a glance: where lazy loading starts, titles, and the
// alt text counting as words.

#[test]
fn images_get_their_size_a_webp_source_and_lazy_loading_below_the_top() {
    let text = "![First \"shot\" & co](shot.png)\n\n## Try this first\n\n1. a ![Again](shot.png \"T\")\n\n## When to bring us in\n\n![Remote](https://example.com/x.png) ![Lost](nope.png)\n";
    let body = render_with(
        text,
        &SectionHeadings::default(),
        &CalloutLabels::default(),
        &[],
        &OneShot,
        &DefaultLanguageLinks,
    );
    assert_eq!(
        body.intro_html,
        "<p><picture><source srcset=\"/assets/images/shot.abc.webp\" type=\"image/webp\"><img src=\"/assets/images/shot.abc.png\" alt=\"First &quot;shot&quot; &amp; co\" width=\"800\" height=\"600\"></picture></p>\n"
    );
    assert!(body.sections[0].html.contains("<img src=\"/assets/images/shot.abc.png\" alt=\"Again\" title=\"T\" width=\"800\" height=\"600\" loading=\"lazy\" decoding=\"async\">"), "{}", body.sections[0].html);
    assert!(body.sections[1].html.contains("<img src=\"https://example.com/x.png\" alt=\"Remote\" loading=\"lazy\" decoding=\"async\">"), "{}", body.sections[1].html);
    assert_eq!(
        body.problems
            .iter()
            .map(|p| (p.offset, p.message.as_str()))
            .collect::<Vec<_>>(),
        [(text.find("![Lost]").unwrap(), "image `nope.png` not found")]
    );
    assert_eq!(
        body.problems[0].hint.as_deref(),
        Some("did you mean `shot.png`?")
    );
    // The alt text still counts as words, as before.
    assert_eq!(body.intro_text, "First \"shot\" & co");
}

#[test]
fn a_first_image_far_down_is_lazy_too() {
    let words = "word ".repeat(200);
    let text = format!("{words}\n\n![Shot](shot.png)\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n");
    let body = render_with(
        &text,
        &SectionHeadings::default(),
        &CalloutLabels::default(),
        &[],
        &OneShot,
        &DefaultLanguageLinks,
    );
    assert!(
        body.intro_html.contains("loading=\"lazy\""),
        "{}",
        body.intro_html
    );
}
