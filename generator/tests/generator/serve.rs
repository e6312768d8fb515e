//! `tryfirst serve` as an editor uses it: the real binary on 127.0.0.1, a site copied to a temp
//! folder, edits on disk, and plain HTTP requests.
#![cfg(feature = "serve")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use std::time::{Duration, Instant};

use crate::support::site_copy;

struct Serve {
    child: Child,
    addr: String,
    /// Everything the server printed to stderr so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The private folder the server builds into.
    fn out_dir(&self) -> PathBuf {
        let port = self.addr.rsplit(':').next().unwrap();
        std::env::temp_dir().join(format!("tryfirst-serve-{port}"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Serve {
    start_with(root, &[])
}

fn start_with(root: &Path, options: &[&str]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tryfirst"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .args(options)
        // The in-memory store and knowledge-base answers: what an editor gets by default.
        .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("TRYFIRST_LLM_PROVIDER")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Serving ") {
            break rest
                .split("http://")
                .nth(1)
                .unwrap()
                .trim_end_matches(" (Ctrl+C to stop)")
                .trim_end_matches('/')
                .to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Serve { child, addr, log }
}

/// A minimal HTTP/1.1 client: status and body.
fn request(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Sends `request_line` with `headers` (each ending in `\r\n`): status, response head, body.
fn exchange(addr: &str, request_line: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8(response[..end].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head, response[end + 4..].to_vec())
}

/// The value of header `name` in a response head.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The preview serves files as a static host does: the right type for every common kind of
/// file (a GIF, AVIF, PDF or MP4 in `static/` once went out as application/octet-stream), HEAD,
/// byte ranges (video seeking) and 304 for a copy the browser already has.
#[test]
fn static_files_get_their_type_ranges_head_and_304() {
    let dir = site_copy();
    let files = dir.path().join("static/files");
    std::fs::create_dir_all(&files).unwrap();
    for name in ["a.gif", "a.avif", "a.pdf", "a.mp4", "a.woff2"] {
        std::fs::write(files.join(name), b"0123456789").unwrap();
    }
    let serve = start(dir.path());
    for (name, mime) in [
        ("a.gif", "image/gif"),
        ("a.avif", "image/avif"),
        ("a.pdf", "application/pdf"),
        ("a.mp4", "video/mp4"),
        ("a.woff2", "font/woff2"),
    ] {
        let (status, head, _) = exchange(&serve.addr, &format!("GET /files/{name} HTTP/1.1"), "");
        assert_eq!(status, 200, "{name}: {head}");
        assert_eq!(
            header(&head, "content-type").as_deref(),
            Some(mime),
            "{name}"
        );
        assert_eq!(header(&head, "cache-control").as_deref(), Some("no-store"));
    }
    let (status, head, body) = exchange(&serve.addr, "HEAD /files/a.mp4 HTTP/1.1", "");
    assert_eq!((status, body.len()), (200, 0));
    assert_eq!(header(&head, "content-length").as_deref(), Some("10"));

    let (status, head, body) = exchange(
        &serve.addr,
        "GET /files/a.mp4 HTTP/1.1",
        "Range: bytes=2-5\r\n",
    );
    assert_eq!(status, 206, "{head}");
    assert_eq!(body, b"2345");
    assert_eq!(
        header(&head, "content-range").as_deref(),
        Some("bytes 2-5/10")
    );

    let (_, head, _) = exchange(&serve.addr, "GET /printer/ HTTP/1.1", "");
    let modified = header(&head, "last-modified").expect("pages carry their modification time");
    let (status, _, body) = exchange(
        &serve.addr,
        "GET /printer/ HTTP/1.1",
        &format!("If-Modified-Since: {modified}\r\n"),
    );
    assert_eq!((status, body.len()), (304, 0));
}

fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn serves_rebuilds_reports_errors_and_answers_questions() {
    let dir = site_copy();
    let serve = start(dir.path());

    let (status, page) = request(&serve.addr, "GET", "/printer/", None);
    assert_eq!(status, 200);
    assert!(page.contains("Power, network, queue: in that order."));
    assert!(page.contains("<script src=\"/__tryfirst/reload.js\" defer></script></body>"));
    assert!(
        page.contains(&format!("href=\"http://{}/printer/\"", serve.addr)),
        "canonical URLs point at the preview"
    );
    let (status, head, _) = exchange(&serve.addr, "GET /printer HTTP/1.1", "");
    assert_eq!(status, 307, "a folder without its slash is redirected");
    assert!(
        head.to_lowercase().contains("location: /printer/"),
        "{head}"
    );
    let (status, missing) = request(&serve.addr, "GET", "/no-such-page/", None);
    assert_eq!(status, 404);
    assert!(missing.contains("Page not found"));
    let (status, outside) = request(&serve.addr, "GET", "/../Cargo.toml", None);
    assert_eq!(status, 404);
    assert!(
        outside.contains("Page not found"),
        "nothing outside the site is served"
    );

    // A broken edit: the error is published to pages, the last good site stays served.
    let article = dir.path().join("content/devices/printer.md");
    let good = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, good.replace("risk = \"low\"", "risk = \"lo\"")).unwrap();
    wait_until("the build error", || {
        request(&serve.addr, "GET", "/__tryfirst/wait?version=0", None)
            .1
            .contains("`lo` is not an allowed value")
    });
    assert!(request(&serve.addr, "GET", "/printer/", None)
        .1
        .contains("Power, network, queue: in that order."));

    // The fix: rebuilt, error gone, new text served.
    std::fs::write(
        &article,
        good.replace(
            "Power, network, queue: in that order.",
            "Check power first.",
        ),
    )
    .unwrap();
    wait_until("the rebuild", || {
        request(&serve.addr, "GET", "/printer/", None)
            .1
            .contains("Check power first.")
    });
    // The page is swapped in before the build's outcome is published: wait for both.
    wait_until("the error to clear", || {
        request(&serve.addr, "GET", "/__tryfirst/wait?version=0", None)
            .1
            .contains("\"error\":null")
    });

    // The question form works on the same origin, with no AWS and no API key.
    let question = r#"{"article":"printer","question":"The printer is offline and I can't wake it.","email":"ed@example.com","company":"Acme","consent":true}"#;
    let (status, answer) = request(&serve.addr, "POST", "/ask", Some(question));
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("\"source\":\"knowledge_base\""), "{answer}");

    // stderr is a pipe here: no colour, neither in the diagnostics nor in the question
    // function's log.
    wait_until("the question's log line", || {
        serve.log_lines().iter().any(|line| line.contains("ask_fn"))
    });
    let log = serve.log_lines();
    assert!(log
        .iter()
        .any(|line| line.contains("`lo` is not an allowed value")));
    assert!(log.iter().all(|line| !line.contains('\x1b')), "{log:?}");
}

fn modified(out: &Path, page: &str) -> SystemTime {
    std::fs::metadata(out.join(page))
        .unwrap()
        .modified()
        .unwrap()
}

/// Writes `text` to `file`, as an editor's save, and waits for serve's report of the rebuild.
fn save_and_wait(serve: &Serve, file: &Path, text: &str) -> String {
    let seen = serve.log_lines().len();
    std::fs::write(file, text).unwrap();
    next_rebuild(serve, seen)
}

/// Waits for the next "Rebuilt …" line after the `seen` first lines of the log.
fn next_rebuild(serve: &Serve, seen: usize) -> String {
    let mut found = None;
    wait_until("the rebuild report", || {
        found = serve.log_lines()[seen..]
            .iter()
            .find(|line| line.starts_with("Rebuilt "))
            .cloned();
        found.is_some()
    });
    found.unwrap()
}

#[test]
fn an_edit_rewrites_only_the_pages_that_show_the_article() {
    let dir = site_copy();
    let serve = start(dir.path());
    assert_eq!(request(&serve.addr, "GET", "/printer/", None).0, 200);
    let out = serve.out_dir();
    let untouched = [
        "hardware-key/index.html",
        "lost-phone/index.html",
        "privacy/index.html",
        "tags/index.html",
        "categories/accounts/index.html",
        "404.html",
    ];
    let before: Vec<SystemTime> = untouched.iter().map(|p| modified(&out, p)).collect();
    let listed_before = modified(&out, "categories/devices/index.html");
    let article = dir.path().join("content/devices/printer.md");
    let good = std::fs::read_to_string(&article).unwrap();

    // A body edit changes only the article's own page.
    let report = save_and_wait(
        &serve,
        &article,
        &good.replace("are asleep or on", "are sleeping or on"),
    );
    assert!(
        report.starts_with("Rebuilt 1 page of 3 articles (1 changed) in "),
        "{report}"
    );
    assert!(read_out(&out, "printer/index.html").contains("are sleeping or on"));
    assert_eq!(
        modified(&out, "categories/devices/index.html"),
        listed_before,
        "the category page shows no body text"
    );

    // A new title also changes the lists that show it, and nothing else.
    let report = save_and_wait(
        &serve,
        &article,
        &good.replace("the printer shows offline", "the printer says offline"),
    );
    assert!(report.starts_with("Rebuilt "), "{report}");
    for page in [
        "printer/index.html",
        "categories/devices/index.html",
        "tags/printing/index.html",
        "index.html",
    ] {
        assert!(
            read_out(&out, page).contains("the printer says offline"),
            "{page}"
        );
    }
    let after: Vec<SystemTime> = untouched.iter().map(|p| modified(&out, p)).collect();
    assert_eq!(
        before, after,
        "pages that do not show the article are not rewritten"
    );
    // The bundle the question form answers from follows the edit too, and the form (made
    // again from it in the background, after the pages).
    assert!(read_out(&out, "tryfirst-bundle.json").contains("the printer says offline"));
    let mut asked = 0;
    wait_until("the form's answer from the new bundle", || {
        asked += 1;
        let question = format!(
            r#"{{"article":"printer","question":"The printer is offline and I can't wake it.","email":"ed{asked}@example.com","company":"Acme","consent":true}}"#
        );
        let (status, answer) = request(&serve.addr, "POST", "/ask", Some(&question));
        assert_eq!(status, 200, "{answer}");
        answer.contains("the printer says offline")
    });
}

/// `--poll` (for mounts that deliver no file events) sees an edit too, and a new article.
#[test]
fn polling_sees_edits_too() {
    let dir = site_copy();
    let serve = start_with(dir.path(), &["--poll"]);
    let article = dir.path().join("content/devices/printer.md");
    let good = std::fs::read_to_string(&article).unwrap();
    let report = save_and_wait(
        &serve,
        &article,
        &good.replace("are asleep or on", "are napping or on"),
    );
    assert!(
        report.starts_with("Rebuilt 1 page of 3 articles"),
        "{report}"
    );
    assert!(read_out(&serve.out_dir(), "printer/index.html").contains("are napping or on"));

    std::fs::write(
        dir.path().join("content/devices/scanner.md"),
        good.replace("the printer shows offline", "the scanner jams"),
    )
    .unwrap();
    wait_until("the new article", || {
        request(&serve.addr, "GET", "/scanner/", None).0 == 200
    });
}

fn read_out(out: &Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap()
}

/// `serve` loads the question function's settings as the Lambda does: a secret named by a
/// `*_PARAMETER` variable is fetched from SSM Parameter Store, so one that cannot be read stops
/// the start with a message naming it (plain environment reading would ignore it silently).
#[test]
fn the_question_function_reads_its_secrets_from_ssm_as_in_lambda() {
    let site = site_copy();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tryfirst"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("TRYFIRST_LLM_PROVIDER")
        .env("TRYFIRST_HASH_SALT_PARAMETER", "/tryfirst/missing-salt")
        // Nothing listens there: the fetch fails at once, without leaving the machine.
        .env("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_MAX_ATTEMPTS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("serve started without the secret its settings name");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "TRYFIRST_HASH_SALT_PARAMETER names the SSM parameter `/tryfirst/missing-salt`"
        ),
        "{stderr}"
    );
}
