//! The web page end to end in headless Chromium, driven through chromedriver's WebDriver API
//! by a small client over the test's own HTTP helper (no extra crates). Screenshots go to
//! `target/e2e-screenshots/`. Chromium and chromedriver must be installed: without them the
//! test fails with the install command (it never skips).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::Env;
use crate::serve::{enc, Served};

const INSTALL: &str = "apt-get install -y chromium chromium-driver";
/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// chromedriver and one headless Chromium session, ended when dropped.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
    shots: PathBuf,
    /// Chromium's profile, removed with the browser.
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"])
            .unwrap_or_else(|| panic!("the browser tests need Chromium: {INSTALL}"));
        let chromedriver = find_program(&["chromedriver"])
            .unwrap_or_else(|| panic!("the browser tests need chromedriver: {INSTALL}"));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                // The machine has no network: background fetches would only fail.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1200,900",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            shots: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots"),
            _profile: profile,
        };
        let answer = browser.call("POST", "/session", Some(capabilities));
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        std::fs::create_dir_all(&browser.shots).unwrap();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let answer = webdriver_request(&self.addr, method, path, &body);
        let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        assert!(
            answer.status == 200,
            "WebDriver {method} {path}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        json["value"].clone()
    }

    fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, url: &str) {
        self.session("POST", "/url", Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.session("GET", "/url", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn script(&self, script: &str) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn element(&self, css: &str) -> String {
        let found = self.session(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.session("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.session(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Wait until `script` returns true (the page renders after its fetches).
    fn wait(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.script(script) != Value::Bool(true) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; page at {}: {}",
                self.url(),
                self.script("return document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) {
        let data = self.session("GET", "/screenshot", None);
        let png = base64_decode(data.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = webdriver_request(&self.addr, "DELETE", &path, "");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn webdriver_request(addr: &str, method: &str, path: &str, body: &str) -> crate::serve::Answer {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "chromedriver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = raw[split + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "chromedriver closed the connection");
        body.extend_from_slice(&buf[..n]);
    }
    crate::serve::Answer {
        status,
        headers: Vec::new(),
        body,
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

const HOSTILE: &str = "Hostile notice about trafficking\n\n\
    This trafficking notice says <script>window.pwned = 1</script> and \
    <img src=x onerror=\"window.pwned = 2\"> and <a href=\"javascript:window.pwned=3\">click</a> \
    in its text, which must stay text.";

#[test]
fn browser_search_facets_paging_document_view_reload_and_hostile_text() {
    let env = Env::with_sample();
    env.write("hostile/notice.txt", HOSTILE);
    env.index();
    let served = Served::start(&env, &[]);
    let base = format!("http://{}/", served.addr);
    let browser = Browser::start();
    let results = "document.querySelectorAll('#results .hit').length";

    // Type a query.
    browser.open(&base);
    browser.wait(
        "the status line",
        "return /documents/.test(document.getElementById('status').textContent)",
    );
    browser.type_into("#q", "trafficking\n");
    // The page first lists every document for the empty query: wait for the typed one's.
    browser.wait(
        "results",
        &format!(
            "return {results} === 10 && document.querySelectorAll('#results mark').length > 0"
        ),
    );
    assert!(browser.url().contains("q=trafficking"));
    assert!(browser
        .script("return document.querySelectorAll('#results mark').length > 0")
        .as_bool()
        .unwrap());
    browser.screenshot("1-results");

    // Page through results.
    let first_title = browser.script("return document.querySelector('#results h3').textContent");
    browser.click("#next");
    browser.wait(
        "page 2",
        "return /^Documents 11–/.test(document.getElementById('summary').textContent)",
    );
    assert!(browser.url().contains("offset=10"));
    assert_ne!(
        browser.script("return document.querySelector('#results h3').textContent"),
        first_title
    );
    // The back button returns to page 1.
    browser.session("POST", "/back", Some(json!({})));
    browser.wait(
        "page 1 again",
        "return /^Documents 1–/.test(document.getElementById('summary').textContent)",
    );

    // Click a facet: the first source narrows the results and lands in the URL.
    let total_before = browser.script("return document.getElementById('summary').textContent");
    browser.click("#facet-source li button:not([disabled])");
    browser.wait(
        "the source filter",
        "return document.querySelector('#facet-source button[aria-pressed=true]') !== null",
    );
    assert!(browser.url().contains("source="), "{}", browser.url());
    assert_ne!(
        browser.script("return document.getElementById('summary').textContent"),
        total_before
    );
    // Paging scrolled the window down; the README's screenshot (docs/serve.png) is this one,
    // at the top of the page: search box, facet sidebar, first results.
    assert_eq!(
        browser.script("window.scrollTo(0, 0); return window.scrollY;"),
        json!(0)
    );
    browser.screenshot("2-facet");

    // Open a document at its passage.
    browser.click("#results .passage a");
    browser.wait(
        "the document view",
        "return !document.getElementById('document').hidden && document.querySelector('#doc-passages .current') !== null",
    );
    let url = browser.url();
    assert!(url.contains("doc=") && url.contains("p="), "{url}");
    let current = "return document.querySelector('#doc-passages .current').id";
    let passage = browser.script(current);
    assert!(browser
        .script("return document.querySelectorAll('#doc-passages .current mark').length > 0")
        .as_bool()
        .unwrap());
    browser.screenshot("3-document");

    // Reload the URL: the same view.
    browser.open(&url);
    browser.wait(
        "the document view after reload",
        "return document.querySelector('#doc-passages .current') !== null",
    );
    assert_eq!(browser.script(current), passage);
    assert_eq!(browser.url(), url);

    // Hostile text stays text: nothing ran, no element was made from it.
    browser.open(&format!("{base}?q={}", enc("pwned notice")));
    browser.wait("the hostile result", &format!("return {results} > 0"));
    let text = browser.script("return document.getElementById('results').textContent");
    let text = text.as_str().unwrap();
    assert!(text.contains("<script>window.pwned = 1</script>"), "{text}");
    assert!(text.contains("onerror"), "{text}");
    assert_eq!(
        browser.script("return window.pwned === undefined"),
        json!(true)
    );
    assert_eq!(
        browser.script("return document.querySelectorAll('#results img, #results script, #results a[href^=javascript]').length"),
        json!(0)
    );
    browser.click("#results .passage a");
    browser.wait(
        "the hostile document",
        "return document.querySelector('#doc-passages .current') !== null",
    );
    assert_eq!(
        browser.script("return window.pwned === undefined"),
        json!(true)
    );
    assert_eq!(
        browser
            .script("return document.querySelectorAll('#document img, #document script').length"),
        json!(0)
    );
    browser.screenshot("4-hostile");

    // On a phone-sized window the filters stack above the results instead of beside them.
    browser.session(
        "POST",
        "/window/rect",
        Some(json!({"width": 400, "height": 850})),
    );
    browser.open(&format!("{base}?q=trafficking"));
    browser.wait("results on a phone", &format!("return {results} > 0"));
    let stacked = "const a = document.getElementById('facets').getBoundingClientRect(); \
                   const m = document.querySelector('main').getBoundingClientRect(); \
                   return a.bottom <= m.top && m.width > 300 && document.documentElement.scrollWidth <= window.innerWidth";
    assert_eq!(browser.script(stacked), json!(true));
    browser.screenshot("5-phone");
}
