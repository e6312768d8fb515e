//! The site's URL scheme, in one place: every page path is derived here, so links, the sitemap,
//! the bundle and the link checker cannot disagree.

/// Article slugs that would collide with the site's own sections.
const RESERVED: &[&str] = &[
    "categories",
    "tags",
    "search",
    "privacy",
    "ask",
    "api",
    "assets",
    "static",
];

pub fn is_reserved(slug: &str) -> bool {
    RESERVED.contains(&slug)
}

pub fn reserved_slugs() -> &'static [&'static str] {
    RESERVED
}

pub const HOME: &str = "/";
pub const CATEGORIES: &str = "/categories/";
pub const TAGS: &str = "/tags/";
pub const FEED: &str = "/atom.xml";
pub const SITEMAP: &str = "/sitemap.xml";
pub const NOT_FOUND: &str = "/404.html";
pub const PRIVACY: &str = "/privacy/";
pub const SEARCH: &str = "/search/";
pub const REDIRECTS_MAP: &str = "/redirects.json";

pub fn article(slug: &str) -> String {
    format!("/{slug}/")
}

pub fn category(slug: &str) -> String {
    format!("/categories/{slug}/")
}

pub fn tag(slug: &str) -> String {
    format!("/tags/{slug}/")
}

/// The file a site path is written to: `/a/` → `a/index.html`, `/atom.xml` → `atom.xml`.
pub fn output_file(path: &str) -> String {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    }
}

/// Normalises an alias as editors may write it (`old/path`, `/old/path.html`, `/old/path/`) to a
/// site path, or `None` when it cannot be one (a full URL, a query string).
pub fn normalise_alias(alias: &str) -> Option<String> {
    let trimmed = alias.trim();
    if trimmed.is_empty()
        || trimmed.contains("://")
        || trimmed.contains(['?', '#', ' ', '\\'])
        || trimmed.split('/').any(|part| part == "..")
    {
        return None;
    }
    let path = format!("/{}", trimmed.trim_start_matches('/'));
    if path.ends_with('/') || path.ends_with(".html") {
        Some(path)
    } else {
        Some(format!("{path}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files() {
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(output_file("/a/"), "a/index.html");
        assert_eq!(output_file("/categories/x/"), "categories/x/index.html");
        assert_eq!(output_file("/atom.xml"), "atom.xml");
        assert_eq!(output_file("/old/page.html"), "old/page.html");
    }

    #[test]
    fn aliases() {
        assert_eq!(
            normalise_alias("old/yubikey").as_deref(),
            Some("/old/yubikey/")
        );
        assert_eq!(
            normalise_alias("/kb/123.html").as_deref(),
            Some("/kb/123.html")
        );
        assert_eq!(normalise_alias("/x/").as_deref(), Some("/x/"));
        assert_eq!(normalise_alias("https://a.b/c"), None);
        assert_eq!(normalise_alias("/a?b=1"), None);
        assert_eq!(normalise_alias("/../etc/"), None);
        assert_eq!(normalise_alias("  "), None);
    }
}
