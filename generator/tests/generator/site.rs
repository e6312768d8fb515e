//! Builds the fixture sites (and our real content) end to end through the public API and the
//! `tryfirst` binary, and asserts on what an editor and a visitor would see.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use generator::build::{build, BuildError, BuildOptions};
use kb_model::retrieval::SearchIndex;
use kb_model::{Bundle, Risk};

use crate::support::{fixture, read, repo};

pub(crate) fn options(root: PathBuf, out: &Path) -> BuildOptions {
    BuildOptions {
        out: Some(out.to_path_buf()),
        // The image cache beside the output, not in the fixture's folder.
        cache_dir: Some(std::env::temp_dir().join("tryfirst-site-tests-image-cache")),
        ..BuildOptions::new(root)
    }
}

/// The JSON inside `<script type="application/ld+json">`.
pub(crate) fn json_ld(html: &str) -> serde_json::Value {
    let start = html
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD present")
        + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn built_valid() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build(&options(fixture("valid"), &out)).unwrap();
    assert_eq!(report.articles, 3);
    assert_eq!(report.drafts_skipped, 1);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    (dir, out)
}

#[test]
fn article_page_has_anatomy_metadata_and_hash() {
    let (_dir, out) = built_valid();
    let html = read(&out, "hardware-key/index.html");
    assert!(html.contains("<h1>What if my hardware key is lost?</h1>"));
    assert!(
        html.contains("<link rel=\"canonical\" href=\"https://help.fixture.test/hardware-key/\">")
    );
    assert!(
        html.contains("<meta property=\"og:title\" content=\"What if my hardware key is lost?\">")
    );
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(html.contains("<time datetime=\"2026-11-20\">20 November 2026</time>"));
    assert!(html.contains("class=\"risk risk-high\""));
    assert!(html.contains("<h2 id=\"try-this-first\">Try this first</h2>"));
    assert!(html.contains("<h2 id=\"when-to-bring-us-in\">When to bring us in</h2>"));
    // Inline code is escaped, `@/` links resolve to the target's URL.
    assert!(html.contains("<code>&lt;second&gt;</code> key &amp; a safe"));
    assert!(html.contains("<a href=\"/lost-phone/#try-this-first\">the phone article</a>"));
    // Breadcrumbs: Home › category › this page.
    let crumbs = &html[html.find("aria-label=\"Breadcrumb\"").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    assert!(crumbs.contains("<a href=\"/\">Home</a>"));
    assert!(crumbs.contains("<a href=\"/categories/accounts/\">Accounts &amp; MFA</a>"));
    assert!(crumbs.contains("aria-current=\"page\">What if my hardware key is lost?"));
    // The call to action closes the page; the ask section has its place.
    assert!(
        html.contains("Or skip the DIY entirely")
            && html.contains("href=\"https://fixture.test/clients\"")
    );
    assert!(html.contains("id=\"ask-heading\""));
    // No inline script: the JSON-LD and copy-strings data blocks and the copy button's
    // external script.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(
        html.matches("<script type=\"application/json\" id=\"copy-strings\">")
            .count(),
        1
    );
    assert_eq!(html.matches("<script src=\"/copy.").count(), 1);
    assert!(!html.contains(" style=") && !html.contains(" onclick="));

    let bundle = Bundle::from_json(&read(&out, "tryfirst-bundle.json")).unwrap();
    let index = bundle.index();
    let hash = &index["hardware-key"].content_hash;
    assert!(html.contains(&format!("data-content-hash=\"{hash}\"")));
    assert!(html.contains(&format!(
        "<meta name=\"tryfirst:content-hash\" content=\"{hash}\">"
    )));
}

#[test]
fn see_also_lists_related_first_then_shared_tags() {
    let (_dir, out) = built_valid();
    let section_links = |file: &str| {
        let html = read(&out, file);
        let start = html.find("id=\"see-also\"").expect("see also section");
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        section
            .split("class=\"article-link\" href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(section_links("hardware-key/index.html"), ["/lost-phone/"]);
    // lost-phone has no `related`, but shares the tag "mfa" with hardware-key.
    assert_eq!(section_links("lost-phone/index.html"), ["/hardware-key/"]);
}

#[test]
fn json_ld_describes_article_and_breadcrumbs() {
    let (_dir, out) = built_valid();
    let data = json_ld(&read(&out, "hardware-key/index.html"));
    let graph = data["@graph"].as_array().unwrap();
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(graph[0]["@type"], "Article");
    assert_eq!(graph[0]["headline"], "What if my hardware key is lost?");
    assert_eq!(graph[0]["dateModified"], "2026-11-20");
    assert_eq!(graph[0]["articleSection"], "Accounts & MFA");
    assert_eq!(graph[1]["@type"], "BreadcrumbList");
    let items = graph[1]["itemListElement"].as_array().unwrap();
    let names: Vec<_> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Home", "Accounts & MFA", "What if my hardware key is lost?"]
    );
    assert_eq!(items[2]["item"], "https://help.fixture.test/hardware-key/");
    assert_eq!(json_ld(&read(&out, "index.html"))["@type"], "WebSite");
}

#[test]
fn lists_home_categories_and_tags() {
    let (_dir, out) = built_valid();
    let home = read(&out, "index.html");
    // Recently updated: newest first.
    let recent = &home[home.find("Recently updated").unwrap()..];
    let order: Vec<_> = ["/hardware-key/", "/lost-phone/", "/printer/"]
        .iter()
        .map(|u| recent.find(&format!("href=\"{u}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let accounts = read(&out, "categories/accounts/index.html");
    // Weight -5 sorts lost-phone before hardware-key.
    assert!(accounts.find("/lost-phone/").unwrap() < accounts.find("/hardware-key/").unwrap());
    assert!(!accounts.contains("/printer/"));
    let tag = read(&out, "tags/mfa/index.html");
    assert!(
        tag.contains("/lost-phone/")
            && tag.contains("/hardware-key/")
            && !tag.contains("/printer/\"")
    );
    assert!(read(&out, "tags/index.html").contains("href=\"/tags/hardware-keys/\""));
    assert!(read(&out, "404.html").contains("<meta name=\"robots\" content=\"noindex\">"));
}

#[test]
fn drafts_and_underscore_files_stay_out() {
    let (_dir, out) = built_valid();
    assert!(!out.join("new-scanner").exists());
    assert!(!out.join("_notes").exists());
    assert!(!read(&out, "sitemap.xml").contains("new-scanner"));
    assert!(!read(&out, "tags/printing/index.html").contains("new-scanner"));

    let dir = tempfile::tempdir().unwrap();
    let mut with_drafts = options(fixture("valid"), &dir.path().join("out"));
    with_drafts.include_drafts = true;
    let report = build(&with_drafts).unwrap();
    assert_eq!(report.articles, 4);
    assert!(dir.path().join("out/new-scanner/index.html").exists());
}

#[test]
fn sitemap_feed_robots_and_redirects() {
    let (_dir, out) = built_valid();
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    assert!(sitemap.contains("<url><loc>https://help.fixture.test/hardware-key/</loc><lastmod>2026-11-20</lastmod></url>"));
    assert!(sitemap.contains("<loc>https://help.fixture.test/tags/mfa/</loc>"));
    assert!(!sitemap.contains("404") && !sitemap.contains("/old/"));
    assert_eq!(sitemap.matches("<url>").count(), 4 + 2 + 4 + 3);

    let feed = read(&out, "atom.xml");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"));
    assert!(feed.contains("<updated>2026-11-20T00:00:00Z</updated>"));
    assert_eq!(feed.matches("<entry>").count(), 3);
    assert!(feed.find("hardware-key").unwrap() < feed.find("printer").unwrap());
    assert!(feed.contains("<category term=\"accounts\" label=\"Accounts &amp; MFA\"/>"));

    assert_eq!(
        read(&out, "robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://help.fixture.test/sitemap.xml\n"
    );

    let map: serde_json::Value = serde_json::from_str(&read(&out, "redirects.json")).unwrap();
    assert_eq!(
        map,
        serde_json::json!({ "redirects": [{ "from": "/old/yubikey/", "to": "/hardware-key/", "status": 301 }] })
    );
    let page = read(&out, "old/yubikey/index.html");
    assert!(page.contains(
        "<meta http-equiv=\"refresh\" content=\"0; url=https://help.fixture.test/hardware-key/\">"
    ));
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://help.fixture.test/hardware-key/\">")
    );
}

#[test]
fn bundle_holds_steps_escalation_and_risk() {
    let (_dir, out) = built_valid();
    let bundle = Bundle::from_json(&read(&out, "tryfirst-bundle.json")).unwrap();
    let slugs: Vec<_> = bundle.articles.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(slugs, ["hardware-key", "lost-phone", "printer"]);
    let key = &bundle.articles[0];
    assert_eq!(key.url, "https://help.fixture.test/hardware-key/");
    assert_eq!(key.risk, Risk::High);
    assert_eq!(
        key.steps,
        [
            "Register two keys. Both at once, in every system.",
            "Block the lost one. In Entra, under Authentication methods; see the phone article.",
            "Test the backup every quarter."
        ]
    );
    assert_eq!(
        key.escalation,
        "Both keys gone and no break-glass account: that is a support case of days."
    );
    assert_eq!(
        key.intro,
        "A hardware key cannot be reset. The backup is a <second> key & a safe."
    );
    assert_eq!(key.tags, ["mfa", "hardware-keys"]);
    assert_eq!(key.see_also, ["lost-phone"]);
    assert_eq!(bundle.company_name, "Fixture IT");
    // Beside it, its search index: what the function would build of it, ready to load.
    let bytes = fs::read(out.join(kb_model::BUNDLE_FILE_NAME)).unwrap();
    let file = fs::read(out.join(kb_model::INDEX_FILE_NAME)).unwrap();
    let fingerprint = kb_model::BundleFingerprint::of(&bytes);
    let index = SearchIndex::from_file(&file, &fingerprint).expect("the index of this bundle");
    assert!(index == SearchIndex::new(&bundle));
}

#[test]
fn base_url_override_and_byte_identical_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let mut preview = options(fixture("valid"), &dir.path().join("a"));
    preview.base_url = Some("https://preview.fixture.test/".into());
    build(&preview).unwrap();
    assert!(read(&dir.path().join("a"), "printer/index.html")
        .contains("href=\"https://preview.fixture.test/printer/\""));

    build(&options(fixture("valid"), &dir.path().join("b"))).unwrap();
    build(&options(fixture("valid"), &dir.path().join("c"))).unwrap();
    let b = tree(&dir.path().join("b"));
    assert!(
        b.iter()
            .any(|(path, _)| path == Path::new(kb_model::INDEX_FILE_NAME)),
        "the bundle's search index is among the files compared"
    );
    assert_eq!(b, tree(&dir.path().join("c")));
}

fn tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir(root)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(root).unwrap().to_path_buf(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Every `href`/`src` to this site in every HTML page must reach a file, and every `#fragment`
/// an element with that id: the same promise lychee checks in the browser suite.
pub(crate) fn broken_internal_links(out: &Path) -> Vec<String> {
    let mut broken = BTreeSet::new();
    for page in walkdir(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = fs::read_to_string(&page).unwrap();
        for attr in ["href=\"", "src=\""] {
            for link in html
                .split(attr)
                .skip(1)
                .map(|s| s.split('"').next().unwrap())
            {
                if !link.starts_with('/') || link.starts_with("//") {
                    continue;
                }
                let (path, fragment) = link
                    .split_once('#')
                    .map_or((link, None), |(p, f)| (p, Some(f)));
                let file = out.join(generator::urls::output_file(path));
                let shown = format!("{} → {link}", page.strip_prefix(out).unwrap().display());
                // Images too: read as bytes, searched for ids only when text.
                match fs::read(&file).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()) {
                    Err(_) => {
                        broken.insert(shown);
                    }
                    Ok(target) => {
                        if let Some(fragment) = fragment {
                            if !target.contains(&format!("id=\"{fragment}\"")) {
                                broken.insert(shown);
                            }
                        }
                    }
                }
            }
        }
    }
    broken.into_iter().collect()
}

#[test]
fn fixture_site_has_no_broken_internal_link() {
    let (_dir, out) = built_valid();
    assert_eq!(broken_internal_links(&out), Vec::<String>::new());
}

#[test]
fn our_real_content_checks_clean_and_builds_without_broken_links() {
    let dir = tempfile::tempdir().unwrap();
    let report =
        build(&options(repo(), &dir.path().join("public"))).unwrap_or_else(|error| match error {
            BuildError::Invalid(problems) => panic!(
                "{}",
                problems
                    .iter()
                    .map(|p| p.to_human())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            other => panic!("{other}"),
        });
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(
        broken_internal_links(&dir.path().join("public")),
        Vec::<String>::new()
    );
    let bundle =
        Bundle::from_json(&read(&dir.path().join("public"), "tryfirst-bundle.json")).unwrap();
    assert!(bundle
        .articles
        .iter()
        .any(|a| a.slug == "hardware-key-lost" && a.risk == Risk::High));
    assert!(bundle
        .articles
        .iter()
        .all(|a| a.steps.len() >= 3 && !a.escalation.is_empty()));
    // The privacy page says what site.toml's `[privacy]` says.
    let privacy = read(&dir.path().join("public"), "privacy/index.html");
    assert!(privacy
        .contains("they are told through our Microsoft Teams channel and the support mailbox"));
    assert!(privacy.contains("is sent to OpenAI, our AI provider, without your email"));
    assert!(privacy.contains("href=\"mailto:privacy@northwind-it.example\""));
}

/// The invalid fixture holds one broken article per kind of mistake.
const EXPECTED_INVALID: &[(&str, u32, u32, &str)] = &[
    (
        "content/accounts/bad-risk.md",
        6,
        8,
        "`severe` is not an allowed value",
    ),
    (
        "content/accounts/missing-sections.md",
        4,
        12,
        "unknown category \"acounts\"",
    ),
    (
        "content/accounts/missing-sections.md",
        8,
        1,
        "the article has no \"Try this first\" section",
    ),
    (
        "content/accounts/missing-sections.md",
        8,
        1,
        "the article has no \"When to bring us in\" section",
    ),
    (
        "content/accounts/missing-sections.md",
        9,
        47,
        "image `screen.png` not found (looked for content/accounts/screen.png)",
    ),
    (
        "content/accounts/missing-sections.md",
        9,
        47,
        "image has no alt text",
    ),
    (
        "content/accounts/no-front-matter.md",
        1,
        1,
        "the article does not start with `+++` front matter",
    ),
    (
        "content/accounts/printer.md",
        7,
        12,
        "alias /old/page/ is also claimed by content/devices/broken-links.md",
    ),
    (
        "content/accounts/unknown-field.md",
        3,
        1,
        "unknown field `descripton`",
    ),
    (
        "content/devices/broken-links.md",
        5,
        23,
        "related article \"no-such-article\" does not exist",
    ),
    (
        "content/devices/broken-links.md",
        13,
        9,
        "link to an article that does not exist: @/priner",
    ),
    (
        "content/devices/broken-links.md",
        14,
        9,
        "link to a page that does not exist: /tags",
    ),
    (
        "content/devices/printer.md",
        0,
        0,
        "slug `printer` is already used by content/accounts/printer.md",
    ),
    (
        "content/devices/printer.md",
        14,
        1,
        "the steps must be a numbered list",
    ),
];

#[test]
fn invalid_site_reports_every_problem_with_file_line_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let Err(BuildError::Invalid(problems)) =
        build(&options(fixture("invalid"), &dir.path().join("out")))
    else {
        panic!("the invalid fixture must not build");
    };
    let found: Vec<_> = problems
        .iter()
        .map(|p| {
            (
                p.file.to_str().unwrap(),
                p.line,
                p.column,
                p.message.as_str(),
            )
        })
        .collect();
    assert_eq!(found, EXPECTED_INVALID);
    let hints: Vec<_> = problems
        .iter()
        .map(|p| p.hint.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(hints[1], "did you mean \"accounts\"?");
    assert_eq!(hints[8], "did you mean `description`?");
    assert_eq!(hints[10], "did you mean @/printer?");
    assert_eq!(hints[11], "add the trailing slash: /tags/");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn failed_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("valid"), &site);
    let out = dir.path().join("public");
    build(&options(site.clone(), &out)).unwrap();
    let before = tree(&out);

    // A typo in one article: the build fails, the old output is byte for byte the same.
    let article = site.join("content/devices/printer.md");
    fs::write(
        &article,
        fs::read_to_string(&article)
            .unwrap()
            .replace("risk = \"low\"", "risk = \"lo\""),
    )
    .unwrap();
    assert!(matches!(
        build(&options(site.clone(), &out)),
        Err(BuildError::Invalid(_))
    ));
    assert_eq!(tree(&out), before);

    // A broken template fails the same way.
    fs::write(
        &article,
        fs::read_to_string(&article)
            .unwrap()
            .replace("risk = \"lo\"", "risk = \"low\""),
    )
    .unwrap();
    fs::create_dir_all(site.join("templates")).unwrap();
    fs::write(
        site.join("templates/article.html"),
        "{{ article.no_such_field.deeper }}",
    )
    .unwrap();
    let Err(BuildError::Invalid(problems)) = build(&options(site.clone(), &out)) else {
        panic!("template error expected")
    };
    assert_eq!(
        problems.len(),
        1,
        "one report per template problem, not per page: {problems:?}"
    );
    assert_eq!(problems[0].file, PathBuf::from("templates/article.html"));
    assert_eq!(tree(&out), before);

    // A broken link is found only once the pages are rendered (links are checked after every
    // body is read): the rendered pages are dropped with the staging folder.
    fs::remove_dir_all(site.join("templates")).unwrap();
    fs::write(
        &article,
        fs::read_to_string(&article).unwrap().replace(
            "## Try this first",
            "See [this](@/no-such-article).\n\n## Try this first",
        ),
    )
    .unwrap();
    let Err(BuildError::Invalid(problems)) = build(&options(site.clone(), &out)) else {
        panic!("link error expected")
    };
    assert_eq!(
        problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>(),
        ["link to an article that does not exist: @/no-such-article"]
    );
    assert_eq!(tree(&out), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(leftovers, ["public", "site"]);
}

fn copy_tree(from: &Path, to: &Path) {
    for file in walkdir(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&file, &target).unwrap();
    }
}

fn tryfirst(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tryfirst"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_check_exit_codes_and_formats() {
    let invalid = fixture("invalid");
    let output = tryfirst(&["check", "--root", invalid.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("content/accounts/unknown-field.md:3:1: error: unknown field `descripton`\n   |\n 3 | descripton = \"The description key has a typo.\"\n   | ^\n  = hint: did you mean `description`?"), "{stderr}");
    assert!(
        stderr.ends_with("14 error(s); nothing was written.\n"),
        "{stderr}"
    );

    let output = tryfirst(&[
        "check",
        "--root",
        invalid.to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), EXPECTED_INVALID.len());
    assert!(stdout.contains("::error file=content/accounts/bad-risk.md,line=6,col=8,title=tryfirst::`severe` is not an allowed value (hint: allowed: \"low\", \"medium\", \"high\")"), "{stdout}");

    let valid = fixture("valid");
    let output = tryfirst(&["check", "--root", valid.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .starts_with("Checked 3 articles (1 draft(s) not published): 16 pages, 28 files in "));
}

/// `tryfirst check` on the invalid fixture with `env` set (and no colour variable inherited),
/// its stderr.
fn check_stderr_with(env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tryfirst"));
    command
        .args(["check", "--root", fixture("invalid").to_str().unwrap()])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied());
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn cli_colours_only_a_terminal_or_when_forced_and_never_under_no_color() {
    // The test's stderr is a pipe, not a terminal: plain text.
    let plain = check_stderr_with(&[]);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(plain.contains("content/accounts/bad-risk.md:6:8: error: "));

    let forced = check_stderr_with(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains("\x1b[1m\x1b[31merror:\x1b[0m"),
        "{forced:?}"
    );
    // Colour changes no character of the text.
    assert_eq!(anstream::adapter::strip_str(&forced).to_string(), plain);

    let refused = check_stderr_with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(refused, plain);
}

#[test]
fn cli_new_writes_a_skeleton_that_checks_as_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("valid"), dir.path());
    let root = dir.path().to_str().unwrap();
    let output = tryfirst(&[
        "new",
        "What if the scanner jams?",
        "--category",
        "devices",
        "--root",
        root,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(
        dir.path()
            .join("content/devices/what-if-the-scanner-jams.md"),
    )
    .unwrap();
    assert!(
        text.contains("title = \"What if the scanner jams?\"")
            && text.contains("## Try this first")
            && text.contains("## When to bring us in")
    );
    assert!(tryfirst(&["check", "--root", root]).status.success());
    // Publishing it unfinished is caught.
    let path = dir
        .path()
        .join("content/devices/what-if-the-scanner-jams.md");
    fs::write(&path, text.replace("draft = true", "draft = false")).unwrap();
    let output = tryfirst(&["check", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("error: the article still contains TODO"));

    let again = tryfirst(&[
        "new",
        "What if the scanner jams?",
        "--category",
        "devices",
        "--root",
        root,
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8(again.stderr)
        .unwrap()
        .contains("already exists"));
}

/// Words browsers' autofill (WHATWG `autocomplete` tokens and the heuristics that match field
/// names) react to. The honeypot's name must contain none, or autofill fills it and a real
/// visitor is refused as a bot.
const AUTOFILL_WORDS: &[&str] = &[
    "name", "mail", "url", "web", "site", "home", "company", "org", "tel", "phone", "mobile",
    "fax", "address", "street", "city", "zip", "postal", "country", "region", "state", "user",
    "login", "nick", "birth", "bday", "title", "cc", "card", "pass", "otp", "sex", "gender",
    "lang", "photo",
];

/// The honeypot: off-screen, out of the tab order, `autocomplete="off"`, with a name no autofill
/// vocabulary matches.
fn assert_honeypot_escapes_autofill(form: &str) {
    let hp = &form[form
        .find("<div class=\"hp\" aria-hidden=\"true\">")
        .expect("honeypot")..];
    let hp = &hp[..hp.find("</div>").unwrap()];
    let input = &hp[hp.find("<input").unwrap()..];
    let input = &input[..input.find('>').unwrap()];
    assert!(input.contains("autocomplete=\"off\""), "{input}");
    assert!(input.contains("tabindex=\"-1\""), "{input}");
    let name = input
        .split("name=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(name, ask_fn_honeypot(), "the function reads this field");
    for word in AUTOFILL_WORDS {
        assert!(
            !name.to_lowercase().contains(word),
            "honeypot `{name}` contains `{word}`"
        );
    }
}

/// ask-fn's `form::HONEYPOT_FIELD` (the generator depends on ask-fn only with `serve`).
fn ask_fn_honeypot() -> &'static str {
    let form = include_str!("../../../ask-fn/src/form.rs");
    let at = form.find("pub const HONEYPOT_FIELD: &str = \"").unwrap() + 34;
    let name = &form[at..];
    &name[..name.find('"').unwrap()]
}

#[test]
fn question_form_carries_slug_and_hash_but_never_the_steps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut with_form = options(fixture("valid"), &out);
    with_form.ask_endpoint = Some("https://ask.fixture.test/ask".into());
    build(&with_form).unwrap();
    let bundle = Bundle::from_json(&read(&out, "tryfirst-bundle.json")).unwrap();
    let hash = &bundle.index()["hardware-key"].content_hash;

    let article = read(&out, "hardware-key/index.html");
    let form = &article[article.find("data-ask-form").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(article.contains("action=\"https://ask.fixture.test/ask\""));
    assert!(form.contains("<input type=\"hidden\" name=\"article\" value=\"hardware-key\">"));
    assert!(form.contains(&format!(
        "<input type=\"hidden\" name=\"content_hash\" value=\"{hash}\">"
    )));
    assert!(
        form.contains("name=\"email\"")
            && form.contains("name=\"company\"")
            && form.contains("name=\"consent\"")
    );
    assert_honeypot_escapes_autofill(form);
    assert!(
        !form.contains("Register two keys"),
        "steps are looked up server-side, never posted"
    );
    assert!(article.contains("href=\"/privacy/\""));
    let script = article
        .split("<script src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(script.starts_with("/ask.") && script.ends_with(".js"));
    assert!(out.join(script.trim_start_matches('/')).is_file());

    // The home page has the general form: no article.
    let home = read(&out, "index.html");
    assert!(home.contains("data-ask-form"));
    assert!(!home.contains("name=\"article\""));
    // The privacy page states the retention period.
    assert!(read(&out, "privacy/index.html").contains("365 days"));
    assert_eq!(broken_internal_links(&out), Vec::<String>::new());
}

#[test]
fn privacy_page_without_notification_texts_falls_back_to_the_company() {
    let (_dir, out) = built_valid();
    let privacy = read(&out, "privacy/index.html");
    assert!(
        !privacy.contains("they are told through"),
        "no channel named, none claimed"
    );
    assert!(privacy.contains("is sent to an AI provider, without"));
    assert!(privacy.contains("href=\"mailto:"));
    assert!(
        !privacy.contains("href=\"mailto:\""),
        "an empty contact falls back to the company email"
    );
}

#[test]
fn search_index_and_vocabulary_are_written() {
    let (_dir, out) = built_valid();
    // Look a word up the way search.js does: manifest → the term's shard → articles → docs.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out, "search/index.json")).unwrap();
    assert_eq!(manifest["articles"], 3, "drafts are not indexed");
    let shards = manifest["shards"].as_u64().unwrap() as u32;
    let chunk = manifest["chunk"].as_u64().unwrap() as usize;
    let lookup = |word: &str| -> Vec<String> {
        let term = generator::render::search::stem(word);
        let shard: serde_json::Value = serde_json::from_str(&read(
            &out,
            &format!(
                "search/shard-{}.json",
                generator::render::search::fnv1a(term) % shards
            ),
        ))
        .unwrap();
        let Some(postings) = shard[term].as_array() else {
            return Vec::new();
        };
        postings
            .chunks(2)
            .map(|pair| {
                let doc = pair[0].as_u64().unwrap() as usize;
                let docs: serde_json::Value =
                    serde_json::from_str(&read(&out, &format!("search/docs-{}.json", doc / chunk)))
                        .unwrap();
                docs[doc % chunk][0].as_str().unwrap().to_owned()
            })
            .collect()
    };
    // An inflected form finds the article through its stem.
    assert_eq!(lookup("printers"), ["/printer/"]);
    assert!(lookup("scanner").is_empty(), "drafts are not searchable");
    let words: Vec<String> = serde_json::from_str(&read(&out, "search/words.json")).unwrap();
    assert!(words.contains(&"printer".to_owned()) && words.contains(&"hardware".to_owned()));
    assert!(
        !words.contains(&"scanner".to_owned()),
        "drafts are not searchable"
    );
    assert!(words.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    let page = read(&out, "search/index.html");
    assert!(
        page.contains("data-search-form")
            && page.contains("<meta name=\"robots\" content=\"noindex\">")
    );
    let script = page
        .split("<script src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(script.starts_with("/search.") && out.join(script.trim_start_matches('/')).is_file());
    // Every page has the header search box pointing at the search page.
    assert!(read(&out, "printer/index.html").contains(
        "<form class=\"site-search\" role=\"search\" aria-label=\"Site search\" action=\"/search/\" method=\"get\">"
    ));
}

#[test]
fn high_risk_pages_put_the_phone_first_and_the_form_claims_nothing_it_cannot_know() {
    let (_dir, out) = built_valid();
    let urgent = "Happening right now? Phone us: <a href=\"tel:+31200000000\">+31 20 000 0000</a>";
    let high = read(&out, "hardware-key/index.html");
    assert!(high.contains(urgent), "the high-risk page shows the phone");
    let low = read(&out, "printer/index.html");
    assert!(
        !low.contains("Happening right now?"),
        "not on a low-risk page"
    );
    // The bundle hands the same number to the ask function.
    let bundle = Bundle::from_json(&read(&out, "tryfirst-bundle.json")).unwrap();
    assert_eq!(bundle.company_phone, "+31 20 000 0000");
    // The page cannot know the function's limits or whether a model is configured.
    for page in [&high, &low] {
        assert!(!page.contains("2 questions per hour"));
        assert!(!page.contains("to our AI"));
    }
}

/// `ask-fn/evals/bundle.json` is the snapshot of our content that the advice evaluation
/// (`cargo test -p ask-fn --test evals`) runs on: it must be the bundle `content/` builds today,
/// or the figures in the README describe articles that no longer exist. Compared as JSON, so a
/// pretty-printed copy passes too.
#[test]
fn the_eval_bundle_is_the_bundle_of_our_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&options(repo(), &out)).expect("our content builds");
    let built: serde_json::Value =
        serde_json::from_str(&read(&out, "tryfirst-bundle.json")).unwrap();
    let snapshot = repo().join("ask-fn/evals/bundle.json");
    let committed: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&snapshot).unwrap_or_else(|e| panic!("{}: {e}", snapshot.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", snapshot.display()));
    assert!(
        built == committed,
        "ask-fn/evals/bundle.json is not the bundle of today's content/: refresh it with\n  \
         cargo run -p generator -- build && cp public/tryfirst-bundle.json ask-fn/evals/bundle.json\n\
         then run `cargo test -p ask-fn --test evals`, add questions for new articles and update \
         the figures in the README (Evaluating the advice)"
    );
}
