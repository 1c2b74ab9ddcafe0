//! The HTTP/1.1 wire: a connection's requests read within a deadline, its answers written
//! back. Only what a read-only GET API needs: no request bodies, no chunked input, keep-alive.
//!
//! Every read on a connection shares one deadline per request, from the moment the server
//! waits for it to its last header line: a client that sends nothing, half a request, or one
//! byte at a time (slowloris) is answered 408 and closed when the deadline passes, however
//! it trickles. tiny_http, used before, waited forever and gave each such connection a thread.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Longest request head (request line and headers) read: the URL cap plus room for headers.
pub(crate) const MAX_HEAD: usize = super::MAX_URL + 16 * 1024;

/// One request's head.
#[derive(Debug)]
pub(crate) struct Request {
    /// `GET`, `HEAD`, …
    pub(crate) method: String,
    /// The path and query string (an absolute-form target is reduced to them).
    pub(crate) target: String,
    /// Header names and values, in order.
    pub(crate) headers: Vec<(String, String)>,
    /// True when the connection may carry another request after this one.
    pub(crate) keep_alive: bool,
    /// True when the head announces a body (`Content-Length` over 0 or `Transfer-Encoding`).
    pub(crate) has_body: bool,
}

impl Request {
    /// The first value of header `name`, compared without case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// The client closed the connection between requests: nothing to answer.
    Closed,
    /// The deadline passed before the head was complete (408).
    TimedOut,
    /// The head is longer than [`MAX_HEAD`] (414 when the request line itself is).
    TooLong {
        /// True when no complete request line was read.
        in_request_line: bool,
    },
    /// Not an HTTP/1.x request (400).
    Malformed(&'static str),
    /// The socket failed: nothing can be answered.
    Io,
}

/// The requests of one connection, read with bytes a client sent ahead kept for the next.
pub(crate) struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    timeout: Duration,
}

impl Connection {
    /// Read `stream`'s requests, each within `timeout`.
    pub(crate) fn new(stream: TcpStream, timeout: Duration) -> Connection {
        // Answers are small and written whole; Nagle's delay would add 40 ms to each.
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(timeout));
        Connection {
            stream,
            buffer: Vec::new(),
            timeout,
        }
    }

    /// The next request's head, read before `timeout` from now.
    pub(crate) fn next_request(&mut self) -> Result<Request, ReadError> {
        let deadline = Instant::now() + self.timeout;
        let mut scanned = 0;
        let end = loop {
            if let Some(at) = find_head_end(&self.buffer, scanned) {
                break at;
            }
            scanned = self.buffer.len().saturating_sub(3);
            if self.buffer.len() > MAX_HEAD {
                return Err(ReadError::TooLong {
                    in_request_line: !self.buffer.contains(&b'\n'),
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::TimedOut);
            }
            let _ = self.stream.set_read_timeout(Some(left));
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) if self.buffer.iter().all(u8::is_ascii_whitespace) => {
                    return Err(ReadError::Closed)
                }
                Ok(0) => return Err(ReadError::Malformed("the request ended before its headers")),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ReadError::TimedOut)
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(ReadError::Io),
            }
        };
        let head: Vec<u8> = self.buffer.drain(..end).collect();
        parse_head(&head)
    }

    /// Close after an answer sent unread: stop writing, then wait up to `wait` for the request
    /// the client sent meanwhile and drop it. Closing with unread bytes would send a reset,
    /// which can discard the answer before the client reads it.
    pub(crate) fn linger(mut self, wait: Duration) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        let _ = self.stream.set_read_timeout(Some(wait));
        let _ = self.stream.read(&mut [0u8; 4096]);
    }

    /// Write `bytes` (a whole answer), within the timeout.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }
}

/// The end (past the blank line) of the head in `buffer`, searching from `from`.
fn find_head_end(buffer: &[u8], from: usize) -> Option<usize> {
    let start = from.min(buffer.len());
    // Blank lines before a request line are allowed (RFC 9112 §2.2); they are skipped by
    // `parse_head`, so only a blank line after some text ends a head.
    let text_from = buffer.iter().position(|b| !b.is_ascii_whitespace())?;
    let start = start.max(text_from);
    let rest = &buffer[start..];
    (0..rest.len()).find_map(|i| {
        if rest[i..].starts_with(b"\r\n\r\n") {
            Some(start + i + 4)
        } else if rest[i..].starts_with(b"\n\n") {
            Some(start + i + 2)
        } else {
            None
        }
    })
}

/// Parse a complete head (request line, headers, blank line).
fn parse_head(head: &[u8]) -> Result<Request, ReadError> {
    let text = std::str::from_utf8(head)
        .map_err(|_| ReadError::Malformed("the request head is not UTF-8"))?;
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .skip_while(|l| l.trim().is_empty());
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(
            "the request line is not `METHOD /path HTTP/1.1`",
        ));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(ReadError::Malformed(
                "only HTTP/1.0 and HTTP/1.1 are spoken",
            ))
        }
    };
    if !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ReadError::Malformed("the method is not a word"));
    }
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or(ReadError::Malformed("a header line has no `:`"))?;
        if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
            return Err(ReadError::Malformed("a header name is empty or has spaces"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    // An absolute-form target (`http://host/path`) is its path; this server has one host.
    let target = match target.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(at) => rest[at..].to_string(),
            None => "/".to_string(),
        },
        None => target.to_string(),
    };
    let mut request = Request {
        method: method.to_string(),
        target,
        headers,
        keep_alive: false,
        has_body: false,
    };
    let connection = request
        .header("Connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    request.keep_alive = if http10 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    request.has_body = request.header("Transfer-Encoding").is_some()
        || request
            .header("Content-Length")
            .is_some_and(|n| n.trim() != "0");
    Ok(request)
}

/// An answer's bytes: status line, `headers`, `Content-Length`, and `body` unless `head_only`.
pub(crate) fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    keep_alive: bool,
    head_only: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 512);
    let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(
        out,
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_with_keep_alive_and_bodies_announced() {
        let r =
            parse_head(b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nOrigin:  https://o \r\n\r\n")
                .unwrap();
        assert_eq!(
            (r.method.as_str(), r.target.as_str()),
            ("GET", "/api/search?q=a")
        );
        assert_eq!(r.header("origin"), Some("https://o"));
        assert!(r.keep_alive && !r.has_body);
        let r = parse_head(b"GET http://h:1/p?x HTTP/1.0\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert_eq!(r.target, "/p?x");
        assert!(!r.keep_alive && r.has_body);
        let r = parse_head(b"\r\nGET / HTTP/1.1\nConnection: Close\n\n").unwrap();
        assert!(!r.keep_alive);
        assert!(matches!(
            parse_head(b"GET / HTTP/2\r\n\r\n"),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(
            parse_head(b"GET /\r\n\r\n"),
            Err(ReadError::Malformed(_))
        ));
    }

    #[test]
    fn a_head_ends_at_its_first_blank_line_after_text() {
        assert_eq!(
            find_head_end(b"\r\n\r\nGET / HTTP/1.1\r\n\r\nGET", 0),
            Some(22)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
        let r = response(503, &[("Retry-After", "2")], b"{}", false, false);
        let text = String::from_utf8(r).unwrap();
        assert!(text.starts_with("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\n"));
        assert!(text.ends_with("Content-Length: 2\r\nConnection: close\r\n\r\n{}"));
    }
}
