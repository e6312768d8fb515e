//! Markdown body → the article's anatomy: intro, sections (recognised by heading), the steps as
//! structured data, and everything the checker needs (internal links, images, heading levels).
//!
//! Pure and per-article: it needs no knowledge of other articles, so all bodies render in
//! parallel. Whether a link's target exists is decided later, by the library, from [`LinkRef`]s.

use std::borrow::Cow;
use std::collections::HashSet;

use pulldown_cmark::{
    html, BlockQuoteKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};

use crate::config::SectionHeadings;
use crate::diagnostics::Severity;
use crate::text::{escape_markup, slugify};
use crate::urls;

/// What a section is for, by its heading. Only `Steps` and `Escalation` are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Steps,
    Escalation,
    SeeAlso,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    /// The heading's anchor.
    pub id: String,
    pub heading: String,
    /// The body without the heading.
    pub html: String,
    /// Byte offset of the heading in the body.
    pub offset: usize,
}

/// One "Try this first" step. (Its HTML is part of the steps section's; nothing needs it alone.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Markdown stripped; what the AI is given.
    pub text: String,
}

/// An internal link found in the body, to be resolved once every article is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub target: LinkTarget,
    /// Byte offset of the link in the body.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `@/slug` or `@/slug#anchor`: another article, by slug, so links survive URL changes.
    Article {
        slug: String,
        fragment: Option<String>,
    },
    /// `/categories/x/`: a page of this site by path.
    SitePath {
        path: String,
        fragment: Option<String>,
    },
    /// `#anchor` on the same page.
    Fragment(String),
}

/// A problem in the body, located by byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    pub severity: Severity,
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// Finds the file behind an image reference and says how to show it. The I/O lives behind this
/// trait (see `crate::images`), so rendering stays a pure function of the text.
pub trait ImageResolver {
    /// `Ok(None)`: not a file of the site (`https://…`), shown as written.
    fn resolve(&self, src: &str) -> Result<Option<ResolvedImage>, ImageProblem>;
}

/// How to show one image of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// The published image in its own format.
    pub src: String,
    /// A WebP version, offered first through `<picture>`.
    pub webp: Option<String>,
    pub width: u32,
    pub height: u32,
}

/// Why an image reference cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageProblem {
    pub message: String,
    pub hint: Option<String>,
}

/// Where an `@/slug` link goes. A translation's links go to the article in its own language
/// when there is one (the library knows), so the parser is told rather than deciding.
pub trait ArticleLinks {
    /// The site path of the article named `slug`, in the language of the page being rendered.
    fn article_path(&self, slug: &str) -> String;
}

/// Links as the default language writes them: `@/x` is `/x/`.
pub struct DefaultLanguageLinks;

impl ArticleLinks for DefaultLanguageLinks {
    fn article_path(&self, slug: &str) -> String {
        urls::article(slug)
    }
}

/// A resolver that finds nothing: every image shown as written (tests of other features).
pub struct NoImages;

impl ImageResolver for NoImages {
    fn resolve(&self, _src: &str) -> Result<Option<ResolvedImage>, ImageProblem> {
        Ok(None)
    }
}

/// An article's body, rendered: its HTML by section, its text for search and the question
/// function, and its [`Outline`]. Made from the file's text and the article's head by
/// `content::article::parse_body`, and handed to whatever needs it (page, search entry,
/// bundle record): no article carries one.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub intro_html: String,
    pub intro_text: String,
    pub sections: Vec<Section>,
    pub steps: Vec<Step>,
    pub escalation_text: String,
    pub outline: Outline,
    pub problems: Vec<BodyProblem>,
    pub word_count: usize,
}

/// What the site-wide link checks read of a body: its links and its anchors. `build` keeps this
/// much of each article once its page is rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub links: Vec<LinkRef>,
    /// Every heading anchor on the page, for checking `#fragment` links.
    pub anchors: Vec<String>,
}

fn options() -> Options {
    // ENABLE_GFM: GitHub's callouts, `> [!NOTE]` and the like.
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// The labels of GitHub-style callouts (`> [!NOTE]`), written into the body, so in the
/// page's language (the catalogue's `callout.*`; the default is the built-in English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutLabels {
    pub note: String,
    pub tip: String,
    pub important: String,
    pub warning: String,
    pub caution: String,
}

/// Renders `body` and extracts its anatomy, with images shown as written, no ids taken and
/// the default callout labels.
pub fn render(body: &str, headings: &SectionHeadings) -> Body {
    render_with(
        body,
        headings,
        &CalloutLabels::default(),
        &[],
        &NoImages,
        &DefaultLanguageLinks,
    )
}

/// Renders `body` and extracts its anatomy; `images` finds and measures its images.
/// `taken_ids` are the ids the page around the body already uses (the theme knows them): a
/// heading that would get one is numbered instead (`main-2`).
pub fn render_with(
    body: &str,
    headings: &SectionHeadings,
    callouts: &CalloutLabels,
    taken_ids: &[&str],
    images: &dyn ImageResolver,
    links: &dyn ArticleLinks,
) -> Body {
    let mut walker = Walker::new(headings, callouts, taken_ids, images, links);
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    if body.contains("###") {
        // A level-3+ heading's anchor is made from its text, which follows its start event:
        // look ahead, which needs the events in hand.
        let events: Vec<_> = parser.collect();
        let sub_heading_texts = sub_heading_texts(&events);
        for ((event, range), heading_text) in events.into_iter().zip(sub_heading_texts) {
            walker.event(event, range.start, heading_text);
        }
    } else {
        for (event, range) in parser {
            walker.event(event, range.start, None);
        }
    }
    walker.finish()
}

/// The text of every level-3+ heading, at its start event's index, so its anchor can be made
/// from its words before the walker reaches them.
fn sub_heading_texts(events: &[(Event<'_>, std::ops::Range<usize>)]) -> Vec<Option<String>> {
    let mut texts = vec![None; events.len()];
    for (at, (event, _)) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading {
            level, id: None, ..
        }) = event
        {
            if heading_number(*level) >= 3 {
                let text = events[at + 1..]
                    .iter()
                    .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .filter_map(|(e, _)| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect::<String>();
                texts[at] = Some(text);
            }
        }
    }
    texts
}

/// Events of the section being read, before they become HTML.
struct Bucket<'a> {
    kind: Option<SectionKind>,
    heading: String,
    id: String,
    offset: usize,
    events: Vec<Event<'a>>,
    text: String,
}

/// An image being read: its alt text follows its start event.
struct PendingImage {
    dest: String,
    title: String,
    alt: String,
    offset: usize,
}

struct Walker<'h, 'a> {
    headings: &'h SectionHeadings,
    callouts: &'h CalloutLabels,
    images: &'h dyn ImageResolver,
    links: &'h dyn ArticleLinks,
    image: Option<PendingImage>,
    /// Images so far: only the first, near the top, is loaded at once.
    images_seen: usize,
    out: Body,
    bucket: Bucket<'a>,
    /// Set while inside an H2: its text becomes the next section's heading.
    heading_text: Option<(String, usize)>,
    used_ids: HashSet<String>,
    last_heading_level: u8,
    list_depth: usize,
    steps_list_done: bool,
    capturing_steps: bool,
    /// Inside a top-level item of the steps list: its text goes to `step_text`.
    in_step: bool,
    step_text: String,
    saw_steps: bool,
    saw_escalation: bool,
    steps_offset: usize,
}

impl<'h, 'a> Walker<'h, 'a> {
    fn new(
        headings: &'h SectionHeadings,
        callouts: &'h CalloutLabels,
        taken_ids: &[&str],
        images: &'h dyn ImageResolver,
        links: &'h dyn ArticleLinks,
    ) -> Self {
        Self {
            headings,
            callouts,
            images,
            links,
            image: None,
            images_seen: 0,
            out: Body::default(),
            bucket: Bucket {
                kind: None,
                heading: String::new(),
                id: String::new(),
                offset: 0,
                events: Vec::new(),
                text: String::new(),
            },
            heading_text: None,
            // Ids the page template uses around the article body.
            used_ids: taken_ids.iter().map(|id| (*id).to_owned()).collect(),
            last_heading_level: 1,
            list_depth: 0,
            steps_list_done: false,
            capturing_steps: false,
            in_step: false,
            step_text: String::new(),
            saw_steps: false,
            saw_escalation: false,
            steps_offset: 0,
        }
    }

    fn problem(
        &mut self,
        severity: Severity,
        offset: usize,
        message: String,
        hint: Option<String>,
    ) {
        self.out.problems.push(BodyProblem {
            severity,
            offset,
            message,
            hint,
        });
    }

    fn unique_id(&mut self, text: &str) -> String {
        let base = match slugify(text) {
            empty if empty.is_empty() => "section".to_owned(),
            slug => slug,
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.used_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.out.outline.anchors.push(id.clone());
        id
    }

    fn kind_of(&self, heading: &str) -> SectionKind {
        let same = |configured: &str| heading.trim().eq_ignore_ascii_case(configured.trim());
        if same(&self.headings.steps) {
            SectionKind::Steps
        } else if same(&self.headings.escalation) {
            SectionKind::Escalation
        } else if same(&self.headings.see_also) {
            SectionKind::SeeAlso
        } else {
            SectionKind::Other
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize, sub_heading_text: Option<String>) {
        // Inside an H2: collect its text, emit nothing (the template renders the heading).
        if let Some((text, _)) = self.heading_text.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let (text, heading_offset) = self.heading_text.take().unwrap_or_default();
                    self.start_section(text.trim().to_owned(), heading_offset);
                }
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                _ => {}
            }
            return;
        }
        // Inside an image: its text is the alt text; the image is written at its end.
        if self.image.is_some() {
            match event {
                Event::End(TagEnd::Image) => {
                    let html = self.finish_image();
                    self.bucket.events.push(Event::InlineHtml(html.into()));
                }
                other => self.track(&other, offset),
            }
            return;
        }
        let event = match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout(kind, self.callouts);
                let label = crate::text::escape_markup(label);
                // A labelled note: screen readers announce "Warning" before its text, and the
                // label is visible too (colour alone carries no meaning).
                Event::Html(
                    format!(
                        "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>\n"
                    )
                    .into(),
                )
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let level_number = heading_number(level);
                if level_number <= 2 {
                    if level_number == 1 {
                        self.problem(
                            Severity::Error,
                            offset,
                            "the article body must not contain a level-1 heading".into(),
                            Some("the title is the page's only `#` heading; start sections with `##`".into()),
                        );
                    }
                    self.last_heading_level = 2;
                    self.heading_text = Some((String::new(), offset));
                    return;
                }
                if level_number > self.last_heading_level + 1 {
                    self.problem(
                        Severity::Error,
                        offset,
                        format!(
                            "heading level {level_number} follows level {}, skipping a level",
                            self.last_heading_level
                        ),
                        Some(format!(
                            "use {} here",
                            "#".repeat(usize::from(self.last_heading_level) + 1)
                        )),
                    );
                }
                self.last_heading_level = level_number;
                let id = match id {
                    Some(given) => {
                        self.out.outline.anchors.push(given.to_string());
                        given
                    }
                    None => CowStr::from(
                        self.unique_id(sub_heading_text.as_deref().unwrap_or_default()),
                    ),
                };
                Event::Start(Tag::Heading {
                    level,
                    id: Some(id),
                    classes,
                    attrs,
                })
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.internal_link(dest_url, offset);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                self.image = Some(PendingImage {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    alt: String::new(),
                    offset,
                });
                return;
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // Raw HTML would let an article carry scripts, styles or invalid markup past a
                // strict CSP and the HTML checker. Comments are editors' notes: dropped. The
                // rest is shown as the text it is, with a warning.
                if raw.trim_start().starts_with("<!--") {
                    return;
                }
                self.problem(
                    Severity::Warning,
                    offset,
                    format!("raw HTML `{}` is shown as text", raw.trim()),
                    Some(
                        "use Markdown instead; to show a literal tag, wrap it in backticks".into(),
                    ),
                );
                Event::Text(raw)
            }
            other => other,
        };
        self.track(&event, offset);
        self.bucket.events.push(event);
    }

    /// Follows lists (for the steps), text (for plain-text copies and word counts) and image alt.
    fn track(&mut self, event: &Event<'a>, offset: usize) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                if let Some(image) = self.image.as_mut() {
                    image.alt.push_str(text);
                }
                self.out.word_count += count_words(text);
                self.bucket.text.push_str(text);
                if self.in_step {
                    self.step_text.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                self.bucket.text.push(' ');
                if self.in_step {
                    self.step_text.push(' ');
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock,
            ) => {
                self.bucket.text.push('\n');
                if self.in_step {
                    self.step_text.push(' ');
                }
            }
            Event::Start(Tag::Item) if self.in_step => self.step_text.push(' '),
            // A table's cells are words apart and its rows lines apart in the plain text, or the
            // search index and the AI read "greenreadynothing".
            Event::End(TagEnd::TableCell) => {
                self.bucket.text.push(' ');
                if self.in_step {
                    self.step_text.push(' ');
                }
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                self.bucket.text.push('\n');
                if self.in_step {
                    self.step_text.push(' ');
                }
            }
            _ => {}
        }
        let in_steps = self.bucket.kind == Some(SectionKind::Steps);
        match event {
            Event::Start(Tag::List(first)) => {
                if self.list_depth == 0 && in_steps && !self.steps_list_done {
                    if first.is_some() {
                        self.capturing_steps = true;
                    } else {
                        self.problem(
                            Severity::Error,
                            offset,
                            "the steps must be a numbered list".into(),
                            Some("start each step with `1.`, `2.`, … instead of `-` or `*`".into()),
                        );
                        self.steps_list_done = true;
                    }
                }
                self.list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                self.list_depth -= 1;
                if self.list_depth == 0 && self.capturing_steps {
                    self.capturing_steps = false;
                    self.steps_list_done = true;
                }
            }
            Event::Start(Tag::Item) if self.capturing_steps && self.list_depth == 1 => {
                self.in_step = true;
                self.step_text.clear();
            }
            Event::End(TagEnd::Item) if self.capturing_steps && self.list_depth == 1 => {
                self.in_step = false;
                self.out.steps.push(Step {
                    text: collapse_whitespace(&self.step_text),
                });
            }
            _ => {}
        }
    }

    /// The markup of the image just read: `<picture>` with a WebP source when there is one,
    /// its size always (no layout shift), and lazy loading below the first screen.
    fn finish_image(&mut self) -> String {
        let Some(image) = self.image.take() else {
            return String::new();
        };
        if image.alt.trim().is_empty() {
            self.problem(
                Severity::Error,
                image.offset,
                "image has no alt text".into(),
                Some(
                    "describe the image in the brackets: ![Outlook's account settings](...)".into(),
                ),
            );
        }
        let mut src = image.dest.clone();
        let mut resolved = None;
        if let Some(problem) = dangerous_scheme(&image.dest) {
            self.problem(Severity::Error, image.offset, problem.0, Some(problem.1));
            src = String::new();
        } else {
            match self.images.resolve(&image.dest) {
                Ok(found) => resolved = found,
                Err(problem) => {
                    self.problem(Severity::Error, image.offset, problem.message, problem.hint)
                }
            }
        }
        // The first image near the top is likely on the first screen: loading it lazily would
        // delay the page's largest paint. Every other one waits until it is scrolled to.
        let eager = self.images_seen == 0 && self.out.word_count < 150;
        self.images_seen += 1;
        let mut img = String::from("<img src=\"");
        img.push_str(&escape_markup(
            resolved.as_ref().map_or(src.as_str(), |r| r.src.as_str()),
        ));
        img.push_str("\" alt=\"");
        img.push_str(&escape_markup(&collapse_whitespace(&image.alt)));
        img.push('"');
        if !image.title.is_empty() {
            img.push_str(&format!(" title=\"{}\"", escape_markup(&image.title)));
        }
        if let Some(resolved) = &resolved {
            img.push_str(&format!(
                " width=\"{}\" height=\"{}\"",
                resolved.width, resolved.height
            ));
        }
        if !eager {
            img.push_str(" loading=\"lazy\" decoding=\"async\"");
        }
        img.push('>');
        match resolved.and_then(|r| r.webp) {
            Some(webp) => format!(
                "<picture><source srcset=\"{}\" type=\"image/webp\">{img}</picture>",
                escape_markup(&webp)
            ),
            None => img,
        }
    }

    fn internal_link(&mut self, dest: CowStr<'a>, offset: usize) -> CowStr<'a> {
        if let Some((message, hint)) = dangerous_scheme(&dest) {
            self.problem(Severity::Error, offset, message, Some(hint));
            return CowStr::from("#");
        }
        if let Some(rest) = dest.strip_prefix("@/") {
            let (slug, fragment) = split_fragment(rest);
            let slug = slug
                .trim_end_matches('/')
                .trim_end_matches(".md")
                .to_owned();
            let path = self.links.article_path(&slug);
            let href = match &fragment {
                Some(fragment) => format!("{path}#{fragment}"),
                None => path,
            };
            self.out.outline.links.push(LinkRef {
                target: LinkTarget::Article { slug, fragment },
                offset,
            });
            return CowStr::from(href);
        }
        if dest.starts_with('/') && !dest.starts_with("//") {
            let (path, fragment) = split_fragment(&dest);
            self.out.outline.links.push(LinkRef {
                target: LinkTarget::SitePath {
                    path: path.to_owned(),
                    fragment,
                },
                offset,
            });
        } else if let Some(fragment) = dest.strip_prefix('#') {
            self.out.outline.links.push(LinkRef {
                target: LinkTarget::Fragment(fragment.to_owned()),
                offset,
            });
        }
        dest
    }

    fn start_section(&mut self, heading: String, offset: usize) {
        self.close_bucket();
        let kind = self.kind_of(&heading);
        match kind {
            SectionKind::Steps if self.saw_steps => self.problem(
                Severity::Error,
                offset,
                format!("a second \"{}\" section", self.headings.steps),
                Some("keep all steps in one numbered list under one heading".into()),
            ),
            SectionKind::Steps => {
                self.saw_steps = true;
                self.steps_offset = offset;
            }
            SectionKind::Escalation => self.saw_escalation = true,
            _ => {}
        }
        let id = self.unique_id(&heading);
        self.bucket = Bucket {
            kind: Some(kind),
            heading,
            id,
            offset,
            events: Vec::new(),
            text: String::new(),
        };
    }

    fn close_bucket(&mut self) {
        let bucket = std::mem::replace(
            &mut self.bucket,
            Bucket {
                kind: None,
                heading: String::new(),
                id: String::new(),
                offset: 0,
                events: Vec::new(),
                text: String::new(),
            },
        );
        let mut body_html = String::with_capacity(bucket.text.len() * 3 / 2);
        html::push_html(&mut body_html, bucket.events.into_iter());
        let text = collapse_paragraphs(&bucket.text);
        match bucket.kind {
            None => {
                self.out.intro_html = body_html;
                self.out.intro_text = text;
            }
            Some(kind) => {
                if kind == SectionKind::Escalation {
                    self.out.escalation_text = text;
                }
                self.out.sections.push(Section {
                    kind,
                    id: bucket.id,
                    heading: bucket.heading,
                    html: body_html,
                    offset: bucket.offset,
                });
            }
        }
    }

    fn finish(mut self) -> Body {
        self.close_bucket();
        if !self.saw_steps {
            self.problem(
                Severity::Error,
                0,
                format!("the article has no \"{}\" section", self.headings.steps),
                Some(format!(
                    "add `## {}` followed by a numbered list of steps",
                    self.headings.steps
                )),
            );
        } else if self.out.steps.is_empty()
            && !self
                .out
                .problems
                .iter()
                .any(|p| p.message.contains("numbered list"))
        {
            let offset = self.steps_offset;
            self.problem(
                Severity::Error,
                offset,
                format!(
                    "the \"{}\" section has no numbered steps",
                    self.headings.steps
                ),
                Some("list the steps as `1. …`, `2. …`".into()),
            );
        }
        if !self.saw_escalation {
            self.problem(
                Severity::Error,
                0,
                format!(
                    "the article has no \"{}\" section",
                    self.headings.escalation
                ),
                Some(format!(
                    "add `## {}` saying when the reader should stop and call you",
                    self.headings.escalation
                )),
            );
        }
        self.out
    }
}

/// The class and the visible label of a GitHub-style callout.
fn callout(kind: BlockQuoteKind, labels: &CalloutLabels) -> (&'static str, &str) {
    match kind {
        BlockQuoteKind::Note => ("note", &labels.note),
        BlockQuoteKind::Tip => ("tip", &labels.tip),
        BlockQuoteKind::Important => ("important", &labels.important),
        BlockQuoteKind::Warning => ("warning", &labels.warning),
        BlockQuoteKind::Caution => ("caution", &labels.caution),
    }
}

/// A link or image target that would run code or smuggle content into the page:
/// `javascript:`, `vbscript:` or `data:`, written the way browsers read it (case, spaces, tabs
/// and control characters ignored). The message and a hint.
fn dangerous_scheme(dest: &str) -> Option<(String, String)> {
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = ["javascript:", "vbscript:", "data:"]
        .into_iter()
        .find(|scheme| cleaned.starts_with(scheme))?;
    let shown: String = dest.chars().take(40).collect();
    let (message, hint) = match scheme {
        "data:" => (
            format!("link target `{shown}` is a data: URL, which the site does not allow"),
            "put the file next to the article and link to it by name".to_owned(),
        ),
        _ => (
            format!("link target `{shown}` uses the {scheme} scheme, which runs code in the reader's browser"),
            "link to a page (`https://…`) or an article (`@/slug`) instead".to_owned(),
        ),
    };
    Some((message, hint))
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn split_fragment(target: &str) -> (&str, Option<String>) {
    match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment.to_owned())),
        None => (target, None),
    }
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_words(&mut out, text);
    out
}

/// Appends the words of `text` to `out`, one space between them (one pass, no per-word
/// allocation: this runs over every article's whole text).
fn push_words(out: &mut String, text: &str) {
    let mut separate = !out.is_empty() && !out.ends_with(['\n', ' ']);
    for_each_word(text, |word| {
        if separate {
            out.push(' ');
        }
        out.push_str(word);
        separate = true;
    });
}

/// `text.split_whitespace().count()`, without decoding ASCII text.
fn count_words(text: &str) -> usize {
    let mut words = 0;
    for_each_word(text, |_| words += 1);
    words
}

/// What `split_whitespace` yields, without decoding ASCII text.
fn for_each_word(text: &str, each: impl FnMut(&str)) {
    crate::text::for_each_run(text, |c| !c.is_whitespace(), each);
}

/// Keeps paragraph breaks, collapses everything else: plain text for the AI and the bundle.
fn collapse_paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if line.split_whitespace().next().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        push_words(&mut out, line);
    }
    out
}

/// The plain-text form of a Markdown snippet (used for descriptions in feeds).
pub fn plain_text(markdown: &str) -> Cow<'_, str> {
    if !markdown.contains(['*', '_', '`', '[', '<']) {
        return Cow::Borrowed(markdown);
    }
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Intro with **bold**.\n\n## Try this first\n\n1. **Check** the [cable](@/printer-offline#power).\n2. Restart it.\n   - nested detail\n\nAfter the list.\n\n## When to bring us in\n\nIf it smokes.\n\nOr beeps.\n";

    fn rendered(body: &str) -> Body {
        render(body, &SectionHeadings::default())
    }

    #[test]
    fn extracts_the_anatomy() {
        let body = rendered(ARTICLE);
        assert!(body.problems.is_empty(), "{:?}", body.problems);
        assert_eq!(
            body.intro_html,
            "<p>Intro with <strong>bold</strong>.</p>\n"
        );
        assert_eq!(body.intro_text, "Intro with bold.");
        let kinds: Vec<_> = body
            .sections
            .iter()
            .map(|s| (s.kind, s.id.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (SectionKind::Steps, "try-this-first"),
                (SectionKind::Escalation, "when-to-bring-us-in")
            ]
        );
        assert_eq!(body.steps.len(), 2);
        assert_eq!(body.steps[0].text, "Check the cable.");
        assert!(body.sections[0]
            .html
            .contains("<strong>Check</strong> the <a href=\"/printer-offline/#power\">cable</a>."));
        assert_eq!(body.steps[1].text, "Restart it. nested detail");
        assert!(body.sections[0].html.contains("<p>After the list.</p>"));
        assert!(!body.sections[0].html.contains("Try this first"));
        assert_eq!(body.escalation_text, "If it smokes.\n\nOr beeps.");
    }

    #[test]
    fn records_internal_links_with_offsets() {
        let body = rendered(ARTICLE);
        assert_eq!(body.outline.links.len(), 1);
        assert_eq!(
            body.outline.links[0].target,
            LinkTarget::Article {
                slug: "printer-offline".into(),
                fragment: Some("power".into())
            }
        );
        assert_eq!(
            &ARTICLE[body.outline.links[0].offset..body.outline.links[0].offset + 7],
            "[cable]"
        );
        let body = rendered("## Try this first\n\n1. See [all](/categories/) and [x](https://example.com) and [y](#top).\n\n## When to bring us in\n\nx");
        let targets: Vec<_> = body.outline.links.iter().map(|l| &l.target).collect();
        assert_eq!(
            targets,
            [
                &LinkTarget::SitePath {
                    path: "/categories/".into(),
                    fragment: None
                },
                &LinkTarget::Fragment("top".into())
            ]
        );
    }

    #[test]
    fn headings_are_configurable_and_case_insensitive() {
        let headings = SectionHeadings {
            steps: "Probeer eerst".into(),
            escalation: "Bel ons".into(),
            see_also: "Zie ook".into(),
        };
        let body = render(
            "## probeer eerst\n\n1. a\n\n## Bel ons\n\nb\n\n## Zie ook\n\n- x\n",
            &headings,
        );
        assert!(body.problems.is_empty(), "{:?}", body.problems);
        assert_eq!(body.sections[2].kind, SectionKind::SeeAlso);
    }

    fn messages(body: &Body) -> Vec<(usize, &str)> {
        body.problems
            .iter()
            .map(|p| (p.offset, p.message.as_str()))
            .collect()
    }

    #[test]
    fn missing_sections_are_reported() {
        let body = rendered("Just an intro.\n");
        assert_eq!(
            messages(&body),
            [
                (0, "the article has no \"Try this first\" section"),
                (0, "the article has no \"When to bring us in\" section")
            ]
        );
    }

    #[test]
    fn steps_must_be_numbered() {
        let text = "## Try this first\n\n- a\n- b\n\n## When to bring us in\n\nx\n";
        let body = rendered(text);
        assert_eq!(messages(&body), [(19, "the steps must be a numbered list")]);
        let body = rendered("## Try this first\n\nNo list.\n\n## When to bring us in\n\nx\n");
        assert_eq!(
            messages(&body),
            [(0, "the \"Try this first\" section has no numbered steps")]
        );
    }

    #[test]
    fn images_need_alt_text_and_headings_their_order() {
        let text = "# Big\n\n![](a.png) ![ok](b.png)\n\n## Try this first\n\n1. a\n\n#### Deep\n\n## When to bring us in\n\nx\n";
        let body = rendered(text);
        assert_eq!(
            messages(&body),
            [
                (0, "the article body must not contain a level-1 heading"),
                (7, "image has no alt text"),
                (57, "heading level 4 follows level 2, skipping a level"),
            ]
        );
    }

    #[test]
    fn ids_are_unique() {
        let body = rendered("## Notes\n\n## Notes\n\n## Try this first\n\n1. a\n\n### Detail\n\n## When to bring us in\n\nx");
        let ids: Vec<_> = body.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["notes", "notes-2", "try-this-first", "when-to-bring-us-in"]
        );
        assert!(
            body.sections[2]
                .html
                .contains("<h3 id=\"detail\">Detail</h3>"),
            "{}",
            body.sections[2].html
        );
        assert!(body.outline.anchors.contains(&"detail".to_owned()));
    }

    #[test]
    fn raw_html_is_escaped_and_comments_dropped() {
        let body = rendered("A <b>bold</b> claim <!-- note -->.\n\n<script>alert(1)</script>\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx");
        assert_eq!(
            body.intro_html,
            "<p>A &lt;b&gt;bold&lt;/b&gt; claim .</p>\n&lt;script&gt;alert(1)&lt;/script&gt;\n"
        );
        let warnings: Vec<_> = body
            .problems
            .iter()
            .map(|p| (p.severity, p.message.as_str()))
            .collect();
        assert_eq!(
            warnings,
            [
                (Severity::Warning, "raw HTML `<b>` is shown as text"),
                (Severity::Warning, "raw HTML `</b>` is shown as text"),
                (
                    Severity::Warning,
                    "raw HTML `<script>alert(1)</script>` is shown as text"
                ),
            ]
        );
    }

    #[test]
    fn ascii_fast_paths_agree_with_unicode_whitespace() {
        let samples = [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\x0Bvertical\x0Cfeed\r\nline",
            "non\u{a0}breaking and émigré  words",
        ];
        for text in samples {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(text), expected, "{text:?}");
            let mut appended = String::from("start");
            push_words(&mut appended, text);
            let joined = std::iter::once("start")
                .chain(text.split_whitespace())
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(appended, joined, "{text:?}");
        }
    }

    #[test]
    fn callouts_are_labelled_notes() {
        let text = "> [!NOTE]\n> Read **this**.\n\n> [!CAUTION]\n> Careful.\n\n> A plain quote.\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n";
        let body = rendered(text);
        assert!(body.problems.is_empty(), "{:?}", body.problems);
        assert_eq!(
            body.intro_html,
            "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Note</p>\n<p>Read <strong>this</strong>.</p>\n</div>\n<div class=\"callout callout-caution\" role=\"note\">\n<p class=\"callout-title\">Caution</p>\n<p>Careful.</p>\n</div>\n<blockquote>\n<p>A plain quote.</p>\n</blockquote>\n"
        );
        for (kind, label) in [
            ("TIP", "Tip"),
            ("IMPORTANT", "Important"),
            ("WARNING", "Warning"),
        ] {
            let body = rendered(&format!(
                "> [!{kind}]\n> x\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n"
            ));
            assert!(
                body.intro_html.contains(&format!(
                    "callout-{}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>",
                    kind.to_lowercase()
                )),
                "{}",
                body.intro_html
            );
        }
    }

    #[test]
    fn script_and_data_link_targets_are_errors() {
        for target in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "<java\tscript:alert(1)>",
            "&#106;avascript:alert(1)",
            "vbscript:msgbox",
            "data:text/html;base64,PHNjcmlwdD4=",
        ] {
            let text = format!("Intro [click]({target}).\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n");
            let body = rendered(&text);
            assert_eq!(body.problems.len(), 1, "{target}: {:?}", body.problems);
            assert_eq!(body.problems[0].offset, 6, "{target}");
            assert!(!body.intro_html.contains("script:"), "{}", body.intro_html);
            assert!(
                body.intro_html.contains("href=\"#\""),
                "{}",
                body.intro_html
            );
        }
        let body = rendered("![x](data:image/png;base64,AAAA)\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n");
        assert_eq!(messages(&body).len(), 1);
        assert!(body.problems[0].message.contains("data: URL"));
        // Ordinary targets pass.
        let body = rendered("[a](https://x.test/javascript:) [b](mailto:x@y.test) [c](/data:x)\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n");
        assert!(body.problems.is_empty(), "{:?}", body.problems);
    }

    #[test]
    fn a_tables_cells_stay_separate_words_in_the_plain_text() {
        let body = rendered(
            "| Light | Do |\n|--|--|\n| green | nothing |\n| red | open tray 2 |\n\n## Try this first\n\n1. a\n\n## When to bring us in\n\nx\n",
        );
        assert_eq!(
            body.intro_text,
            "Light Do\n\ngreen nothing\n\nred open tray 2"
        );
    }

    #[test]
    fn plain_text_strips_markup() {
        assert_eq!(plain_text("Use **two** `keys`"), "Use two keys");
        assert!(matches!(plain_text("plain"), Cow::Borrowed("plain")));
    }
}
