//! The web page, its script and style, and the OpenAPI description, embedded in the binary:
//! the page works with no network and nothing installed beside `tipdex`.

use super::api::Reply;

const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const STYLE_CSS: &str = include_str!("web/style.css");
const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// The file served at `path`, if any.
pub(crate) fn asset(path: &str) -> Option<Reply> {
    let (body, content_type) = match path {
        "/" | "/index.html" => (INDEX_HTML, "text/html; charset=utf-8"),
        "/app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "/style.css" => (STYLE_CSS, "text/css; charset=utf-8"),
        _ => return None,
    };
    Some(Reply {
        status: 200,
        content_type,
        body: body.as_bytes().to_vec(),
        headers: Vec::new(),
    })
}

/// The API's OpenAPI description.
pub(crate) fn openapi() -> Reply {
    Reply {
        status: 200,
        content_type: "application/json",
        body: OPENAPI.as_bytes().to_vec(),
        headers: Vec::new(),
    }
}
