//! `tipdex serve` driven over HTTP on a loopback port: the API's answers against the CLI's,
//! errors, headers, the OpenAPI description checked against live answers, and an index run
//! committed while the server answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Env;

/// A running `tipdex serve`, killed when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    stderr: std::process::ChildStderr,
}

impl Served {
    /// Serve `env`'s index on a free loopback port, with `extra` arguments.
    pub fn start(env: &Env, extra: &[&str]) -> Served {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = env
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tipdex serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .map(|a| a.trim_end_matches('/').to_string())
            .filter(|a| a.contains(':'))
            .unwrap_or_else(|| panic!("no address in the first line: {line:?}"));
        Served {
            child,
            addr,
            stderr,
        }
    }

    /// `GET path`, parsed.
    pub fn get(&self, path: &str) -> Answer {
        request(&self.addr, "GET", path, &[])
    }

    /// Its stderr so far, after stopping it.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        let _ = self.stderr.read_to_string(&mut err);
        err
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn ok_json(&self) -> Value {
        assert_eq!(
            self.status,
            200,
            "expected 200: {}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }
}

/// A minimal HTTP/1.1 client (one request per connection), enough for tests.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

/// Percent-encode a query-string value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(json: &Value) -> Vec<String> {
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn serve_search_answers_as_the_cli_does_with_filters_paging_and_facets() {
    let env = Env::with_sample();
    env.index();
    let served = Served::start(&env, &[]);
    // The API gives one hit per text, as the page it feeds shows them; the CLI's JSON lists
    // every copy unless asked for one.
    let cli = env.search_json(&[
        "trafficking",
        "--facets",
        "--limit",
        "20",
        "--copies",
        "one",
    ]);
    let api = served
        .get("/api/search?q=trafficking&facets=all&limit=20")
        .ok_json();
    assert_eq!(ids(&api), ids(&cli));
    assert_eq!(api["total_documents"], cli["total_documents"]);
    assert_eq!(api["facets"], cli["facets"]);
    assert_eq!(api["hits"][0]["passages"], cli["hits"][0]["passages"]);
    assert!(api["hits"][0]["passages"][0]["highlights"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));

    // A page further down keeps the ranks of the whole list.
    let page = served
        .get("/api/search?q=trafficking&limit=5&offset=5")
        .ok_json();
    assert_eq!(ids(&page), ids(&cli)[5..10].to_vec());
    assert_eq!(page["hits"][0]["rank"], 6);

    // Filters as the flags: the CLI's answer for the same source and years.
    let source = cli["facets"]["source"][0]["value"].as_str().unwrap();
    let cli_filtered = env.search_json(&[
        "trafficking",
        "--source",
        source,
        "--year",
        "2010..2020",
        "--copies",
        "one",
    ]);
    let api_filtered = served
        .get(&format!(
            "/api/search?q=trafficking&source={}&year=2010..2020",
            enc(source)
        ))
        .ok_json();
    assert_eq!(ids(&api_filtered), ids(&cli_filtered));
    assert_eq!(api_filtered["filters"]["source"][0], source);
    assert!(api_filtered["total_documents"].as_u64() < cli["total_documents"].as_u64());

    // Facets of one query, as `tipdex facets --format json`.
    let cli_facets = env
        .run(&[
            "facets", "forced", "labour", "--field", "year", "--format", "json",
        ])
        .ok()
        .json();
    let api_facets = served
        .get("/api/facets?q=forced+labour&field=year")
        .ok_json();
    assert_eq!(api_facets, cli_facets);
}

#[test]
fn serve_document_passages_status_and_errors() {
    let env = Env::with_sample();
    env.index();
    let served = Served::start(&env, &[]);
    // The first hit whose best passage has the words in its own text (a title match lights
    // nothing in the text).
    let answer = served.get("/api/search?q=forced+labour&limit=20").ok_json();
    let hit = answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            h["passages"][0]["highlights"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .expect("a hit with highlights");
    let id = hit["id"].as_str().unwrap();
    let best = &hit["passages"][0];

    let document = served.get(&format!("/api/documents/{id}")).ok_json();
    let shown = env.run(&["show", id, "--format", "json"]).ok().json();
    assert_eq!(document["id"], shown["id"]);
    assert_eq!(document["metadata"], shown["metadata"]);
    assert!(document["metadata"]["title"]["from"].is_string());

    // The passage in context: a window around the hit's best passage, in reading order,
    // with the same highlights, and every match of the document listed.
    let ordinal = best["ordinal"].as_u64().unwrap();
    let from = ordinal.saturating_sub(1);
    let window = served
        .get(&format!(
            "/api/documents/{id}/passages?q=forced+labour&from={from}&count=3"
        ))
        .ok_json();
    let passages = window["passages"].as_array().unwrap();
    assert_eq!(passages[0]["ordinal"].as_u64(), Some(from));
    let same = passages
        .iter()
        .find(|p| p["ordinal"] == best["ordinal"])
        .unwrap();
    assert_eq!(same["text"], best["text"]);
    assert_eq!(same["highlights"], best["highlights"]);
    assert!(window["matches"]
        .as_array()
        .unwrap()
        .contains(&best["ordinal"]));
    assert_eq!(
        window["total_passages"].as_u64(),
        document["passages"].as_u64()
    );

    let status = served.get("/api/status").ok_json();
    let cli_status = env.run(&["status", "--format", "json"]).ok().json();
    assert_eq!(status["documents"], cli_status["documents"]);
    assert!(status["last_indexed"].is_i64());

    let error = |path: &str, code: u16, words: &[&str]| {
        let answer = request(&served.addr, "GET", path, &[]);
        assert_eq!(answer.status, code, "{path}");
        let json = answer.json();
        assert_eq!(json["status"], code);
        let message = json["message"].as_str().unwrap();
        for w in words {
            assert!(message.contains(w), "{path}: {message}");
        }
    };
    error("/api/search?q=x&year=abc", 400, &["abc"]);
    error("/api/search?q=x&from=2021&to=2019", 400, &["swap"]);
    error("/api/search?q=x&limit=5000", 400, &["limit", "0 to 100"]);
    error("/api/search?q=x&facets=colour", 400, &["colour", "source"]);
    error("/api/search?q=", 400, &["nothing to search for", "`q`"]);
    // Filters alone list the documents they admit, as the CLI does.
    let listed = served.get("/api/search?source=UNODC&limit=20").ok_json();
    let cli = env.search_json(&["--source", "UNODC", "-n", "20", "--copies", "one"]);
    assert_eq!(listed["total_documents"], cli["total_documents"]);
    assert_eq!(
        crate::harness::file_names(&listed),
        crate::harness::file_names(&cli)
    );
    error(
        &format!("/api/search?q={}", "w+".repeat(5000)),
        400,
        &["limit"],
    );
    error("/api/search?q=year:abc", 400, &["year:abc"]);
    error(
        "/api/documents/0123456789abcdef",
        404,
        &["0123456789abcdef"],
    );
    // Never a path: a path-looking id is looked up as an id, not opened.
    error(
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
        404,
        &["etc/passwd"],
    );
    error("/api/nothing", 404, &["/api/search"]);
    error("/nothing", 404, &["/"]);
    let post = request(&served.addr, "POST", "/api/search?q=x", &[]);
    assert_eq!(post.status, 405);
    assert!(post.json()["message"].as_str().unwrap().contains("GET"));
}

#[test]
fn serve_sends_security_headers_and_cors_only_when_asked() {
    let env = Env::with_seeds();
    env.index();
    let served = Served::start(&env, &[]);
    for path in ["/", "/app.js", "/api/status"] {
        let answer = request(
            &served.addr,
            "GET",
            path,
            &[("Origin", "https://evil.example")],
        );
        assert_eq!(answer.status, 200, "{path}");
        let csp = answer.header("Content-Security-Policy").unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(answer.header("Access-Control-Allow-Origin"), None);
    }
    let page = String::from_utf8(served.get("/").body).unwrap();
    assert!(page.contains(r#"<script src="/app.js" defer></script>"#));
    assert_eq!(page.matches("<script").count(), 1, "no inline script");
    assert!(served
        .get("/app.js")
        .header("Content-Type")
        .unwrap()
        .starts_with("text/javascript"));
    drop(served);

    let served = Served::start(&env, &["--cors", "https://intranet.example"]);
    let allowed = request(
        &served.addr,
        "GET",
        "/api/status",
        &[("Origin", "https://intranet.example")],
    );
    assert_eq!(
        allowed.header("Access-Control-Allow-Origin"),
        Some("https://intranet.example")
    );
    let other = request(
        &served.addr,
        "GET",
        "/api/status",
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(other.header("Access-Control-Allow-Origin"), None);
}

#[test]
fn serve_token_guards_the_api_and_other_addresses_warn() {
    let env = Env::with_seeds();
    env.index();
    let served = Served::start(&env, &["--token", "s3cret"]);
    let refused = served.get("/api/search?q=labour");
    assert_eq!(refused.status, 401);
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("Bearer"));
    let wrong = request(
        &served.addr,
        "GET",
        "/api/status",
        &[("Authorization", "Bearer s3cre")],
    );
    assert_eq!(wrong.status, 401);
    let right = request(
        &served.addr,
        "GET",
        "/api/status",
        &[("Authorization", "Bearer s3cret")],
    );
    assert_eq!(right.status, 200);
    // The page holds no data and asks for the token itself.
    assert_eq!(served.get("/").status, 200);
    let quiet = served.stop();
    assert!(!quiet.contains("warning"), "{quiet}");

    let quiet = Served::start(&env, &[]).stop();
    assert!(!quiet.contains("warning"), "{quiet}");

    let mut child = env
        .command(&["serve", "--addr", "0.0.0.0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no authentication") && err.contains("--token"),
        "{err}"
    );
}

#[test]
fn serve_picks_up_an_index_run_committed_while_it_answers() {
    let env = Env::with_seeds();
    env.index();
    let served = Served::start(&env, &[]);
    let query = "/api/search?q=zanzibarite+shipyard&limit=5";
    assert_eq!(served.get(query).ok_json()["total_documents"], 0);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hammer = {
        let addr = served.addr.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let a = request(&addr, "GET", "/api/search?q=labour&facets=all", &[]);
                assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
                answered += 1;
            }
            answered
        })
    };
    env.write(
        "new/shipyard.txt",
        "Zanzibarite shipyard inquiry\n\nInspectors found zanzibarite shipyard workers held in debt bondage.",
    );
    env.index();
    let started = Instant::now();
    let found = loop {
        let json = served.get(query).ok_json();
        if json["total_documents"] == 1 {
            break json;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the new document never appeared: {json}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(found["hits"][0]["title"], "Zanzibarite shipyard inquiry");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered = hammer
        .join()
        .expect("every request during the run succeeded");
    assert!(answered > 0);
}

/// The OpenAPI file's schemas against live answers of every route: each required field is
/// there with its type, and every field the server sends is described.
#[test]
fn serve_answers_match_the_openapi_description() {
    let env = Env::with_sample();
    env.index();
    let served = Served::start(&env, &[]);
    let spec = served.get("/api/openapi.json").ok_json();
    let file: Value = serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
    assert_eq!(spec, file);
    let search = served
        .get("/api/search?q=traffickng+labour&facets=all&limit=3")
        .ok_json();
    assert!(search.get("unmatched").is_some() && search.get("facets").is_some());
    let id = search["hits"][0]["id"].as_str().unwrap().to_string();
    let error = served.get("/api/search?q=x&year=abc");
    let cases = [
        ("/api/search", "200", search.clone()),
        ("/api/search", "400", error.json()),
        (
            "/api/facets",
            "200",
            served.get("/api/facets?q=labour").ok_json(),
        ),
        (
            "/api/documents/{id}",
            "200",
            served.get(&format!("/api/documents/{id}")).ok_json(),
        ),
        (
            "/api/documents/{id}",
            "404",
            served.get("/api/documents/ffffffffffffffff").json(),
        ),
        (
            "/api/documents/{id}/passages",
            "200",
            served
                .get(&format!("/api/documents/{id}/passages?q=labour&count=3"))
                .ok_json(),
        ),
        ("/api/status", "200", served.get("/api/status").ok_json()),
    ];
    for (path, code, answer) in cases {
        let schema =
            &spec["paths"][path]["get"]["responses"][code]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{path} {code} is not described");
        let mut problems = Vec::new();
        check(&spec, schema, &answer, path, &mut problems);
        assert!(problems.is_empty(), "{path} {code}: {problems:#?}");
    }
    // The checker itself catches a wrong type and a field the description lacks.
    let mut problems = Vec::new();
    let mut wrong = search.clone();
    wrong["total_documents"] = Value::from("many");
    wrong["surprise"] = Value::from(1);
    check(
        &spec,
        &spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"],
        &wrong,
        "search",
        &mut problems,
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
}

/// A small JSON-schema check: `$ref`, `type` (one or a list), `required`, `properties` (and
/// no undescribed properties unless `additionalProperties`), `items`, `enum`.
fn check(spec: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return check(
            spec,
            &spec["components"]["schemas"][name],
            value,
            at,
            problems,
        );
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let described = kinds.is_empty()
        || kinds.contains(&kind)
        || (kind == "integer" && kinds.contains(&"number"));
    if !described {
        problems.push(format!("{at}: {kind}, described as {kinds:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            problems.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    match value {
        Value::Object(map) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                if !map.contains_key(name) {
                    problems.push(format!("{at}: {name} missing"));
                }
            }
            let properties = schema["properties"].as_object();
            for (name, v) in map {
                match properties.and_then(|p| p.get(name)) {
                    Some(s) => check(spec, s, v, &format!("{at}.{name}"), problems),
                    None if schema["additionalProperties"].is_object() => check(
                        spec,
                        &schema["additionalProperties"],
                        v,
                        &format!("{at}.{name}"),
                        problems,
                    ),
                    None if properties.is_some() => {
                        problems.push(format!("{at}.{name} is not described"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, v) in items.iter().enumerate() {
                check(spec, &schema["items"], v, &format!("{at}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn serve_runs_costly_queries_in_their_own_lane_and_still_answers_them() {
    let env = Env::with_sample();
    env.index();
    let served = Served::start(&env, &[]);
    let lane = |path: &str| {
        let answer = served.get(path);
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.json());
        answer.header("X-Tipdex-Lane").map(str::to_string)
    };
    assert_eq!(lane("/api/search?q=forced+labour+trafficking"), None);
    assert_eq!(lane("/api/search?q=traffick*&limit=20&passages=3"), None);
    let missing = served.get("/api/documents/nothing-here-0");
    assert_eq!(
        (missing.status, missing.header("X-Tipdex-Lane")),
        (404, None)
    );
    // Many words, a long phrase, a large page: each is costly on its own.
    let many: Vec<String> = (0..40).map(|i| format!("word{i}")).collect();
    let costly = [
        format!("/api/search?q={}", enc(&many.join(" "))),
        format!(
            "/api/facets?q={}",
            enc("\"victims of trafficking were identified in the sample countries of origin\"")
        ),
        "/api/search?q=trafficking&limit=100&passages=10".to_string(),
    ];
    for path in &costly {
        assert_eq!(lane(path).as_deref(), Some("costly"), "{path}");
    }
    // A query over a cap is refused at once, as the CLI refuses it, whatever its lane.
    let over: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
    let refused = served.get(&format!("/api/search?q={}", enc(&over.join(" "))));
    assert_eq!(refused.status, 400);
}

/// Read `stream` to its end (or for a minute), as text.
fn read_all(mut stream: &TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn serve_closes_stalled_and_trickling_connections_and_answers_others_meanwhile() {
    let env = Env::with_seeds();
    env.index();
    let served = Served::start(&env, &["--read-timeout", "0.5"]);
    let started = Instant::now();
    let silent = TcpStream::connect(&served.addr).unwrap();
    let mut half = TcpStream::connect(&served.addr).unwrap();
    half.write_all(b"GET /api/status HTTP/1.1\r\nHo").unwrap();
    // One byte every 100 ms: each read is quick, the request never is.
    let trickle = TcpStream::connect(&served.addr).unwrap();
    let trickler = {
        let mut stream = trickle.try_clone().unwrap();
        std::thread::spawn(move || {
            for byte in b"GET /api/status HTTP/1.1\r\nHost: x\r\n".iter().cycle() {
                if stream.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // Meanwhile a whole request is answered.
    assert!(served.get("/api/status").ok_json()["documents"].is_u64());
    for (name, stream) in [("silent", &silent), ("half", &half), ("trickle", &trickle)] {
        let answer = read_all(stream);
        assert!(
            answer.starts_with("HTTP/1.1 408 ")
                && answer.contains(r#""kind":"timeout""#)
                && answer.contains("Connection: close"),
            "{name}: {answer:?}"
        );
    }
    trickler.join().unwrap();
    // The timeout is the request's, not each read's: all three closed near 0.5 s, well
    // before the trickle's 36 bytes (3.6 s) would have made a request.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // Keep-alive: one connection carries two requests, each answered in full.
    let mut kept = TcpStream::connect(&served.addr).unwrap();
    kept.write_all(
        b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let both = read_all(&kept);
    assert!(
        both.starts_with("HTTP/1.1 200 ") && both.contains("HTTP/1.1 404 "),
        "{both:?}"
    );
}

#[test]
fn serve_answers_503_past_its_connection_cap() {
    let env = Env::with_seeds();
    env.index();
    let served = Served::start(&env, &["--max-connections", "2", "--read-timeout", "30"]);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&served.addr).unwrap())
        .collect();
    // Connections are accepted in order: the two held ones count, the third is refused with a
    // JSON answer instead of waiting.
    let refused = served.get("/api/status");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.json()["kind"], "busy");
    drop(held);
    // The server counts a connection back when it sees it closed, a moment later.
    let mut answered = served.get("/api/status");
    for _ in 0..50 {
        if answered.status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        answered = served.get("/api/status");
    }
    assert_eq!(answered.status, 200, "freed connections are counted back");
}
