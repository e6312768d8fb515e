//! The JSON-LD of the home page (the site) and of each article page (the article and its
//! breadcrumbs), for search engines.

use crate::config::SiteConfig;
use crate::content::article::ArticleHead;
use crate::urls;

/// JSON-LD is embedded in a `<script>` element, where `</script>` or `<!--` in a string would end
/// or break it; escaping `<`, `>` and `&` as JSON unicode escapes keeps the JSON identical.
fn embeddable_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

pub fn website_json_ld(config: &SiteConfig) -> String {
    embeddable_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": config.title,
        "url": config.permalink(&config.path(urls::HOME)),
        "inLanguage": config.language,
        "publisher": { "@type": "Organization", "name": config.company.name, "url": config.company.url },
    }))
}

/// `home` names the home page's breadcrumb, in the page's language (`nav.home`).
pub fn article_json_ld(
    config: &SiteConfig,
    article: &ArticleHead,
    category_name: &str,
    home: &str,
) -> String {
    let url = config.permalink(&article.url());
    let crumbs = [
        (home, config.permalink(&config.path(urls::HOME))),
        (
            category_name,
            config.permalink(&config.path(&urls::category(&article.category))),
        ),
        (article.title.as_str(), url.clone()),
    ];
    let items: Vec<_> = crumbs
        .iter()
        .enumerate()
        .map(|(n, (name, item))| serde_json::json!({ "@type": "ListItem", "position": n + 1, "name": name, "item": item }))
        .collect();
    let organisation = serde_json::json!({ "@type": "Organization", "name": config.company.name, "url": config.company.url });
    embeddable_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "headline": article.title,
                "description": article.description,
                "url": url,
                "mainEntityOfPage": url,
                "dateModified": article.updated.iso(),
                "inLanguage": config.language,
                "articleSection": category_name,
                "keywords": article.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                "author": organisation,
                "publisher": organisation,
            },
            { "@type": "BreadcrumbList", "itemListElement": items },
        ],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_script_elements_cannot_close_them() {
        let value = serde_json::json!({ "headline": "a </script><!-- & b" });
        let text = embeddable_json(&value);
        assert!(!text.contains('<') && !text.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
