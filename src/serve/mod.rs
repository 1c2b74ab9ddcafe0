//! `tipdex serve`: the JSON API ([`api`]) and the web page ([`assets`]) over one index,
//! read-only, on a small synchronous HTTP/1.1 server ([`http`]): a thread per connection (at
//! most [`ServeOptions::max_connections`]), each request read within
//! [`ServeOptions::read_timeout`], and API requests run in one of two [`lanes`] so costly
//! queries cannot take every worker.
//!
//! Every request is answered from the last commit: a request reloads the reader when the last
//! reload is older than [`RELOAD_EVERY`], so a concurrent `tipdex index` run's commits appear
//! without a restart. Nothing here prints; the caller reports the bound address and errors.

pub(crate) mod api;
mod assets;
mod http;
mod lanes;
pub(crate) mod params;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tantivy::IndexReader;

use crate::error::{Error, Result};
use crate::store::Store;
use api::Reply;
use http::{Connection, ReadError};
use lanes::{Lane, Lanes};

/// How stale an answer may be after a commit.
pub(crate) const RELOAD_EVERY: Duration = Duration::from_millis(500);
/// Longest request URL (path and query string) accepted; the query text itself is capped at
/// 8 KB by `search::limits`, percent-encoding can triple it.
pub(crate) const MAX_URL: usize = 32 * 1024;

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
    /// Everyday API requests answered at once (costly queries have one more worker of their
    /// own, see [`lanes`]).
    pub workers: usize,
    /// Costly queries that may wait for the costly lane; one more is answered 503.
    pub costly_queue: usize,
    /// Time a client has to send each request's head, idle keep-alive time included; a
    /// connection over it is answered 408 and closed.
    pub read_timeout: Duration,
    /// Connections open at once; one more is answered 503 and closed.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: "127.0.0.1:7700".into(),
            token: None,
            cors: None,
            workers: 4,
            costly_queue: 4,
            read_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// A bound server, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

struct State {
    store: Store,
    reader: IndexReader,
    last_reload: Mutex<Instant>,
    token: Option<String>,
    cors: Option<String>,
    lanes: Lanes,
    read_timeout: Duration,
    max_connections: usize,
    connections: AtomicUsize,
}

impl Server {
    /// Bind `options.addr` over `store`.
    pub fn bind(store: Store, options: &ServeOptions) -> Result<Server> {
        let reader = store.reader()?;
        // Requests are the parallelism; see `Store::search_on_calling_thread`.
        store.search_on_calling_thread();
        let listener = TcpListener::bind(&options.addr).map_err(|e| Error::Bind {
            addr: options.addr.clone(),
            reason: e.to_string(),
        })?;
        Ok(Server {
            listener,
            state: Arc::new(State {
                store,
                reader,
                last_reload: Mutex::new(Instant::now()),
                token: options.token.clone().filter(|t| !t.is_empty()),
                cors: options.cors.clone(),
                lanes: Lanes::new(options.workers.max(1), options.costly_queue),
                read_timeout: options.read_timeout.max(Duration::from_millis(1)),
                max_connections: options.max_connections.max(1),
                connections: AtomicUsize::new(0),
            }),
        })
    }

    /// The address actually bound (the port chosen for port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Answer connections until the process ends, each on a thread of its own.
    pub fn run(self) -> Result<()> {
        for stream in self.listener.incoming() {
            // A failed accept (the client gave up, too many open files) concerns one
            // connection; the listener goes on.
            let Ok(stream) = stream else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let state = Arc::clone(&self.state);
            if state.connections.fetch_add(1, Ordering::AcqRel) >= state.max_connections {
                state.connections.fetch_sub(1, Ordering::AcqRel);
                state.refuse(stream);
                continue;
            }
            let spawned = std::thread::Builder::new()
                .name("tipdex-http".into())
                .spawn(move || {
                    state.serve(stream);
                    state.connections.fetch_sub(1, Ordering::AcqRel);
                });
            if spawned.is_err() {
                // No thread for it: its stream was dropped (closed) with the closure.
                self.state.connections.fetch_sub(1, Ordering::AcqRel);
            }
        }
        Ok(())
    }
}

impl State {
    /// Answer one connection's requests until it closes, asks to close, or times out.
    fn serve(&self, stream: TcpStream) {
        let mut connection = Connection::new(stream, self.read_timeout);
        loop {
            let (bytes, keep_alive) = match connection.next_request() {
                Ok(request) => {
                    let keep_alive = request.keep_alive && !request.has_body;
                    (self.answer(&request, keep_alive), keep_alive)
                }
                Err(ReadError::Closed | ReadError::Io) => return,
                Err(e) => (self.encode(&read_error(&e), None, false, false), false),
            };
            if connection.write(&bytes).is_err() || !keep_alive {
                return;
            }
        }
    }

    /// Answer a connection over the cap, without reading it.
    fn refuse(&self, stream: TcpStream) {
        let reply = Reply::error(
            503,
            "busy",
            &format!(
                "tipdex has {} connections open, its most: retry shortly",
                self.max_connections
            ),
        );
        let mut connection = Connection::new(stream, Duration::from_secs(1));
        let _ = connection.write(&self.encode(&reply, None, false, false));
        connection.linger(Duration::from_millis(100));
    }

    fn answer(&self, request: &http::Request, keep_alive: bool) -> Vec<u8> {
        // A panic (tantivy's decoders panic on some damaged bytes) answers this request with a
        // 500 instead of ending the connection's thread.
        let reply = crate::store::check::guard(|| self.reply(request)).unwrap_or_else(|panic| {
            Reply::error(
                500,
                "internal",
                &format!(
                    "tipdex failed on this request ({panic}); the index may be damaged: \
                     run `tipdex check` on it"
                ),
            )
        });
        self.encode(
            &reply,
            request.header("Origin"),
            keep_alive,
            request.method == "HEAD",
        )
    }

    /// `reply` on the wire, with the headers every answer has.
    fn encode(&self, reply: &Reply, origin: Option<&str>, keep_alive: bool, head: bool) -> Vec<u8> {
        let mut headers: Vec<(&str, &str)> = vec![
            ("Content-Type", reply.content_type),
            ("Content-Security-Policy", CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        ];
        if let (Some(allowed), Some(origin)) = (&self.cors, origin) {
            if allowed == origin {
                headers.extend([
                    ("Access-Control-Allow-Origin", allowed.as_str()),
                    ("Access-Control-Allow-Headers", "Authorization"),
                    ("Access-Control-Allow-Methods", "GET"),
                    ("Vary", "Origin"),
                ]);
            }
        }
        if reply.status == 401 {
            headers.push(("WWW-Authenticate", "Bearer"));
        }
        headers.extend(reply.headers.iter().map(|(n, v)| (*n, v.as_str())));
        http::response(reply.status, &headers, &reply.body, keep_alive, head)
    }

    fn reply(&self, request: &http::Request) -> Reply {
        let url = request.target.as_str();
        if url.len() > MAX_URL {
            return Reply::error(
                414,
                "usage",
                &format!("the request URL is over {MAX_URL} bytes: shorten the query"),
            );
        }
        let method = request.method.as_str();
        if method == "OPTIONS" && self.cors.is_some() {
            return Reply {
                status: 204,
                content_type: "text/plain",
                body: Vec::new(),
                headers: Vec::new(),
            };
        }
        if method != "GET" && method != "HEAD" {
            return Reply::error(
                405,
                "usage",
                &format!("{method} is not allowed: the server is read-only, use GET"),
            );
        }
        // A GET carries no body; one that announces one is refused unread (and the
        // connection closed, as the body is never read).
        if request.has_body {
            return Reply::error(413, "usage", "a GET request takes no body");
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
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
            let expected = format!("Bearer {token}");
            if !request
                .header("Authorization")
                .is_some_and(|g| same(g.as_bytes(), expected.as_bytes()))
            {
                return Reply::error(
                    401,
                    "unauthorized",
                    "this server needs its token: send `Authorization: Bearer TOKEN`",
                );
            }
        }
        self.refresh();
        let lane = api::lane(&self.store, &self.reader, path, query);
        let _permit = match self.lanes.enter(lane) {
            Ok(permit) => permit,
            Err(busy) => return busy,
        };
        let mut reply = api::route(&self.store, &self.reader, path, query);
        if lane == Lane::Costly {
            // Tells a client why it may be answered 503 when it sends more of the same.
            reply.headers.push(("X-Tipdex-Lane", "costly".into()));
        }
        reply
    }

    /// Reload the reader when the last reload is older than [`RELOAD_EVERY`]; one request at a
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

/// The answer to a request that could not be read.
fn read_error(e: &ReadError) -> Reply {
    match e {
        ReadError::TimedOut => Reply::error(
            408,
            "timeout",
            "the request did not arrive in time: send it whole, at once",
        ),
        ReadError::TooLong {
            in_request_line: true,
        } => Reply::error(
            414,
            "usage",
            &format!("the request URL is over {MAX_URL} bytes: shorten the query"),
        ),
        ReadError::TooLong { .. } => Reply::error(
            431,
            "usage",
            &format!(
                "the request's headers are over {} bytes: send fewer",
                http::MAX_HEAD - MAX_URL
            ),
        ),
        ReadError::Malformed(why) => Reply::error(400, "usage", &format!("not HTTP: {why}")),
        ReadError::Closed | ReadError::Io => Reply::error(400, "usage", "the connection failed"),
    }
}

/// Byte equality whose time does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when `addr` only listens on the loopback interface.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
