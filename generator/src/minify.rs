//! Minification for `build` (Hugo's `--minify`, Zola's `minify_html`): pages, and the theme's
//! CSS and JavaScript, through `minify-html` (lightningcss for CSS, oxc for JS). `serve` and
//! `check` skip it: a preview stays readable, and a check writes nothing.
//!
//! The settings keep the output valid HTML (closing tags, `<html>`/`<head>`, quoted attribute
//! values, spaces between attributes): the Nu checker must still find nothing.

use std::borrow::Cow;

fn config() -> minify_html::Cfg {
    minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        keep_comments: false,
        minify_css: true,
        minify_js: true,
        minify_doctype: false,
        allow_noncompliant_unquoted_attribute_values: false,
        allow_optimal_entities: false,
        allow_removing_spaces_between_attributes: false,
        ..minify_html::Cfg::default()
    }
}

/// A whole page.
pub fn page(html: &str) -> Vec<u8> {
    minify_html::minify(html.as_bytes(), &config())
}

/// A theme file: CSS and JavaScript are minified (as the content of a `<style>` or `<script>`
/// element, the way minify-html takes them), anything else is returned as it is.
pub fn asset<'a>(site_path: &str, bytes: &'a [u8]) -> Cow<'a, [u8]> {
    let (open, close): (&[u8], &[u8]) = if site_path.ends_with(".css") {
        (b"<style>", b"</style>")
    } else if site_path.ends_with(".js") {
        (b"<script>", b"</script>")
    } else {
        return Cow::Borrowed(bytes);
    };
    let mut wrapped = Vec::with_capacity(bytes.len() + 20);
    wrapped.extend_from_slice(open);
    wrapped.extend_from_slice(bytes);
    wrapped.extend_from_slice(close);
    let out = minify_html::minify(&wrapped, &config());
    match out
        .strip_prefix(open)
        .and_then(|rest| rest.strip_suffix(close))
    {
        Some(inner) if !inner.is_empty() || bytes.is_empty() => Cow::Owned(inner.to_vec()),
        // Not the shape expected: publish the file unminified rather than guess.
        _ => Cow::Borrowed(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_lose_whitespace_and_comments_but_stay_valid() {
        let html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <title>T</title>\n  <!-- a note -->\n</head>\n<body>\n  <p class=\"a\"   id=\"b\">Hello   there</p>\n  <ul>\n    <li>one</li>\n  </ul>\n</body>\n</html>\n";
        let out = String::from_utf8(page(html)).unwrap();
        assert!(out.len() < html.len());
        assert!(!out.contains("a note"));
        assert!(
            out.contains("<html lang=en>") || out.contains("<html lang=\"en\">"),
            "{out}"
        );
        assert!(out.contains("<li>one</li>"), "{out}");
        assert!(out.contains("</p>"), "{out}");
    }

    #[test]
    fn css_and_js_are_minified_other_files_untouched() {
        let css = b"/* comment */\nbody {\n  color: #ffffff;\n  margin: 0px;\n}\n";
        let out = asset("/style.1234.css", css);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(!text.contains("comment"), "{text}");
        assert!(text.len() < css.len() / 2, "{text}");
        assert!(text.contains("body{"), "{text}");

        let js = b"// a comment\n(() => {\n  const message = \"hello\";\n  console.log(message);\n})();\n";
        let out = asset("/copy.1234.js", js);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(!text.contains("const message"), "{text}");
        assert!(text.len() < js.len(), "{text}");
        assert!(text.contains("hello"), "{text}");

        let svg = b"<svg>  </svg>";
        assert_eq!(&*asset("/favicon.svg", svg), svg);
    }
}
