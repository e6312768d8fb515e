//! What the theme's article page holds besides the body, that the parse and the link checks
//! must know of: theme knowledge, kept with the theme rather than inside the Markdown parser.

/// Ids the default theme puts on every article page around the body (landmarks, the question
/// form, the call to action). A heading in the body must not take one of them, so headings that
/// would get one are numbered instead (`main-2`). "see-also" is not here: an article's own
/// "See also" section is meant to carry it.
pub const PAGE_IDS: &[&str] = &[
    "main",
    "ask-heading",
    "ask-question",
    "ask-question-hint",
    "ask-question-error",
    "ask-who-reason",
    "ask-email",
    "ask-email-error",
    "ask-company",
    "ask-company-error",
    "ask-consent",
    "ask-consent-error",
    "ask-confirm-ref",
    "cta-heading",
];

/// The id of the article page's "See also" list, which the theme always shows.
pub const SEE_ALSO_ID: &str = "see-also";
