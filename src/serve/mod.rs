//! `tipdex serve`: the JSON API ([`api`]) and the web page ([`assets`]) over one index,
//! read-only, on a small synchronous HTTP server (tiny_http) with a fixed pool of workers.
//!
//! Every request is answered from the last commit: a worker reloads the reader when the last
//! reload is older than [`RELOAD_EVERY`], so a concurrent `tipdex index` run's commits appear
//! without a restart. Nothing here prints; the caller reports the bound address and errors.

pub mod api;
mod assets;
pub mod params;

use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tantivy::IndexReader;

use crate::error::{Error, Result};
use crate::store::Store;
use api::Reply;

/// How stale an answer may be after a commit.
pub const RELOAD_EVERY: Duration = Duration::from_millis(500);
/// Longest request URL (path and query string) accepted; the query text itself is capped at
/// 8 KB by `search::limits`, percent-encoding can triple it.
pub const MAX_URL: usize = 32 * 1024;

/// Content-Security-Policy of every answer: scripts, styles and requests only from this
/// server, no inline script, never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to listen on (`127.0.0.1:7700`; port 0 picks a free one).
    pub addr: String,
    /// Bearer token the API requires, if any.
    pub token: Option<String>,
    /// Origin allowed to call the API from another site (CORS), if any.
    pub cors: Option<String>,
    /// Worker threads answering requests.
    pub workers: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: "127.0.0.1:7700".into(),
            token: None,
            cors: None,
            workers: 4,
        }
    }
}

/// A bound server, ready to [`Server::run`].
pub struct Server {
    http: Arc<tiny_http::Server>,
    state: Arc<State>,
    workers: usize,
}

struct State {
    store: Store,
    reader: IndexReader,
    last_reload: Mutex<Instant>,
    token: Option<String>,
    cors: Option<String>,
}

impl Server {
    /// Bind `options.addr` over `store`.
    pub fn bind(store: Store, options: &ServeOptions) -> Result<Server> {
        let reader = store.reader()?;
        let http = tiny_http::Server::http(&options.addr).map_err(|e| Error::Bind {
            addr: options.addr.clone(),
            reason: e.to_string(),
        })?;
        Ok(Server {
            http: Arc::new(http),
            state: Arc::new(State {
                store,
                reader,
                last_reload: Mutex::new(Instant::now()),
                token: options.token.clone().filter(|t| !t.is_empty()),
                cors: options.cors.clone(),
            }),
            workers: options.workers.max(1),
        })
    }

    /// The address actually bound (the port chosen for port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.http.server_addr().to_ip()
    }

    /// Answer requests until the process ends; each worker takes the next request.
    pub fn run(self) -> Result<()> {
        let workers: Vec<_> = (0..self.workers)
            .map(|i| {
                let http = Arc::clone(&self.http);
                let state = Arc::clone(&self.state);
                std::thread::Builder::new()
                    .name(format!("tipdex-http-{i}"))
                    .spawn(move || {
                        for request in http.incoming_requests() {
                            state.answer(request);
                        }
                    })
            })
            .collect::<std::io::Result<_>>()
            .map_err(|source| Error::Io {
                path: self.state.store.dir.clone(),
                source,
            })?;
        for worker in workers {
            // A worker only ends when the listener closes; a panic in one is its request's.
            let _ = worker.join();
        }
        Ok(())
    }
}

impl State {
    fn answer(&self, mut request: tiny_http::Request) {
        let origin = header(&request, "Origin");
        // A panic (tantivy's decoders panic on some damaged bytes) answers this request with a
        // 500 instead of ending the worker: a pool that loses a worker per panic would end up
        // accepting connections nobody answers.
        let reply =
            crate::store::check::guard(|| self.reply(&mut request)).unwrap_or_else(|panic| {
                Reply::error(
                    500,
                    "internal",
                    &format!(
                        "tipdex failed on this request ({panic}); the index may be damaged: \
                     run `tipdex check` on it"
                    ),
                )
            });
        let mut response = tiny_http::Response::from_data(reply.body)
            .with_status_code(reply.status)
            .with_header(h("Content-Type", reply.content_type))
            .with_header(h("Content-Security-Policy", CSP))
            .with_header(h("X-Content-Type-Options", "nosniff"))
            .with_header(h("X-Frame-Options", "DENY"))
            .with_header(h("Referrer-Policy", "no-referrer"))
            .with_header(h("Cache-Control", "no-store"));
        if let (Some(allowed), Some(origin)) = (&self.cors, origin) {
            if *allowed == origin {
                response = response
                    .with_header(h("Access-Control-Allow-Origin", allowed))
                    .with_header(h("Access-Control-Allow-Headers", "Authorization"))
                    .with_header(h("Access-Control-Allow-Methods", "GET"))
                    .with_header(h("Vary", "Origin"));
            }
        }
        if reply.status == 401 {
            response = response.with_header(h("WWW-Authenticate", "Bearer"));
        }
        // The client may have gone; nothing is left to do for it.
        let _ = request.respond(response);
    }

    fn reply(&self, request: &mut tiny_http::Request) -> Reply {
        let url = request.url().to_string();
        if url.len() > MAX_URL {
            return Reply::error(
                414,
                "usage",
                &format!("the request URL is over {MAX_URL} bytes: shorten the query"),
            );
        }
        let method = request.method().clone();
        if method == tiny_http::Method::Options && self.cors.is_some() {
            return Reply {
                status: 204,
                content_type: "text/plain",
                body: Vec::new(),
            };
        }
        if method != tiny_http::Method::Get && method != tiny_http::Method::Head {
            return Reply::error(
                405,
                "usage",
                &format!("{method} is not allowed: the server is read-only, use GET"),
            );
        }
        // A GET carries no body; one that does is refused unread beyond a small bound.
        if request.body_length().unwrap_or(0) > 0
            || request.as_reader().take(1).read(&mut [0u8; 1]).unwrap_or(0) > 0
        {
            return Reply::error(413, "usage", "a GET request takes no body");
        }
        let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        if !path.starts_with("/api/") {
            return assets::asset(path).unwrap_or_else(|| {
                Reply::error(
                    404,
                    "not_found",
                    &format!("nothing at {path}: the page is at /"),
                )
            });
        }
        if path == "/api/openapi.json" {
            return assets::openapi();
        }
        if let Some(token) = &self.token {
            let given = header(request, "Authorization");
            let expected = format!("Bearer {token}");
            if !given.is_some_and(|g| same(g.as_bytes(), expected.as_bytes())) {
                return Reply::error(
                    401,
                    "unauthorized",
                    "this server needs its token: send `Authorization: Bearer TOKEN`",
                );
            }
        }
        self.refresh();
        api::route(&self.store, &self.reader, path, query)
    }

    /// Reload the reader when the last reload is older than [`RELOAD_EVERY`]; one worker at a
    /// time, the others answer from the commit they have.
    fn refresh(&self) {
        let Ok(mut last) = self.last_reload.try_lock() else {
            return;
        };
        if last.elapsed() >= RELOAD_EVERY {
            // A failed reload keeps the previous commit, which is still a consistent answer.
            let _ = self.reader.reload();
            *last = Instant::now();
        }
    }
}

fn h(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| tiny_http::Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).unwrap())
}

fn header(request: &tiny_http::Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// Byte equality whose time does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when `addr` only listens on the loopback interface.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
