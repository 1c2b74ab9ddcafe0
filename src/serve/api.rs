//! The JSON API under `/api/`: each route turns its parameters into the library call the CLI
//! makes and answers with the CLI's wire type (`output::json`). Errors are [`ErrorJson`] with the
//! status code the error deserves.

use serde::Serialize;
use tantivy::IndexReader;

use super::lanes::{self, Lane};
use super::params::Params;
use crate::error::{Error, Result};
use crate::output::json::{self, ErrorJson};
use crate::search::context::MAX_WINDOW;
use crate::search::{
    facet_counts, passages_in_context, query_cost, search, Expansion, SearchRequest,
};
use crate::store::Store;

/// Most documents one page of results may show.
pub(crate) const MAX_LIMIT: usize = 100;
/// Deepest offset a page may start at: paging further is a query to narrow.
pub(crate) const MAX_OFFSET: usize = 1000;
/// Most passages shown per document.
pub(crate) const MAX_PASSAGES: usize = 10;

/// An answer: status, content type and body.
#[derive(Debug)]
pub(crate) struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` value.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// Headers of this answer beyond those every answer has.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// `value` as JSON with status 200.
    pub(crate) fn json<T: Serialize>(value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status: 200,
                content_type: "application/json",
                body,
                headers: Vec::new(),
            },
            Err(e) => Reply::error(500, "internal", &format!("cannot encode the answer: {e}")),
        }
    }

    /// An [`ErrorJson`] answer.
    pub(crate) fn error(status: u16, kind: &str, message: &str) -> Reply {
        let body = serde_json::to_vec(&ErrorJson {
            status,
            kind: kind.to_string(),
            message: message.to_string(),
        })
        .unwrap_or_default();
        Reply {
            status,
            content_type: "application/json",
            body,
            headers: Vec::new(),
        }
    }

    /// The answer for a library error: the user's mistake is a 400 (a missing document a
    /// 404), anything else a 500.
    pub(crate) fn from_error(e: &Error) -> Reply {
        match e {
            Error::DocumentNotFound(_) => Reply::error(404, "not_found", &e.to_string()),
            e if e.is_usage() => Reply::error(400, "usage", &e.to_string()),
            e => Reply::error(500, "internal", &e.to_string()),
        }
    }
}

/// Answer `GET path?query` under `/api/`.
pub(crate) fn route(store: &Store, reader: &IndexReader, path: &str, query: &str) -> Reply {
    let params = Params::parse(query);
    let parts: Vec<String> = path
        .trim_start_matches("/api/")
        .trim_end_matches('/')
        .split('/')
        .map(super::params::decode)
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let answer = match parts.as_slice() {
        ["search"] => search_route(store, reader, &params),
        ["facets"] => facets_route(store, reader, &params),
        ["status"] => status_route(store, reader),
        ["documents", id] => {
            document(store, reader, id).map(|record| Reply::json(&json::show_json(&record, None)))
        }
        ["documents", id, "passages"] => passages_route(store, reader, id, &params),
        _ => Ok(Reply::error(
            404,
            "not_found",
            &format!(
                "no API route {path}: the routes are /api/search, /api/facets, /api/status, \
                 /api/documents/ID and /api/documents/ID/passages (see /api/openapi.json)"
            ),
        )),
    };
    answer.unwrap_or_else(|e| Reply::from_error(&e))
}

/// The lane `GET path?query` runs in: only searches and facet counts run a query whose cost
/// depends on what is asked. A request the route will refuse (a query over a cap, a bad
/// parameter) is refused quickly, so it is everyday.
pub(crate) fn lane(store: &Store, reader: &IndexReader, path: &str, query: &str) -> Lane {
    let params = Params::parse(query);
    let passages = match path.trim_end_matches('/') {
        "/api/search" => {
            let number = |name, default, max| params.number(name, default, max).unwrap_or(0);
            (number("offset", 0, MAX_OFFSET) + number("limit", 10, MAX_LIMIT))
                * number("passages", 2, MAX_PASSAGES).max(1)
        }
        "/api/facets" => 0,
        _ => return Lane::Everyday,
    };
    match query_cost(
        store,
        reader,
        params.get("q").unwrap_or(""),
        params.flag("plain"),
    ) {
        Ok(cost) => lanes::classify(&cost, passages),
        Err(_) => Lane::Everyday,
    }
}

fn search_route(store: &Store, reader: &IndexReader, params: &Params) -> Result<Reply> {
    let query = params.get("q").unwrap_or("").to_string();
    let limit = params.number("limit", 10, MAX_LIMIT)?;
    let offset = params.number("offset", 0, MAX_OFFSET)?;
    params.field_values_are_filters()?;
    let filters = params.filters()?;
    let facets = params.facet_fields("facets")?;
    if query.trim().is_empty() && filters.is_empty() && facets.is_empty() {
        return Err(Error::NothingToSearch {
            hint: "give `q` or a filter (source, tag, year, from, to, lang, country) to list \
                   the documents it admits, newest first"
                .into(),
        });
    }
    let request = SearchRequest {
        query: query.clone(),
        filters,
        // Pages are cut from the top `offset + limit`, so ranks are those of the whole list.
        limit: offset + limit,
        passages: params.number("passages", 2, MAX_PASSAGES)?,
        plain: params.flag("plain"),
        expand: params.flag("expand").then(Expansion::default),
        all_copies: params.flag("all_copies"),
        facets,
        ..SearchRequest::default()
    };
    let results = search(store, reader, &request)?;
    let mut wire = json::search_json(&query, &request.filters, &results, None);
    wire.hits.drain(..offset.min(wire.hits.len()));
    Ok(Reply::json(&wire))
}

fn facets_route(store: &Store, reader: &IndexReader, params: &Params) -> Result<Reply> {
    let query = params.get("q").unwrap_or("");
    let mut fields = params.facet_fields("field")?;
    if fields.is_empty() {
        fields.add_name("field", "all")?;
    }
    let counts = facet_counts(store, reader, query, &params.filters()?, &fields)?;
    Ok(Reply::json(&json::facets_json(query, &counts)))
}

fn status_route(store: &Store, reader: &IndexReader) -> Result<Reply> {
    let (documents, passages) = store.counts(&reader.searcher())?;
    let info = store.info()?;
    Ok(Reply::json(&json::status_json(
        &store.dir,
        &info,
        documents,
        passages,
        store.size_on_disk(),
    )))
}

fn passages_route(store: &Store, reader: &IndexReader, id: &str, params: &Params) -> Result<Reply> {
    let record = document(store, reader, id)?;
    let query = params.get("q").unwrap_or("");
    let first = params.number("from", 0, u32::MAX as usize)? as u32;
    let count = params.number("count", 20, MAX_WINDOW)?;
    let window = passages_in_context(store, reader, record.key, query, first, count)?;
    Ok(Reply::json(&json::context_json(query, &window)))
}

/// The record with `id` as the API shows it: the 16-digit key of a file, or a collection's
/// own id. Never a path: no request makes the server look at the file system.
fn document(store: &Store, reader: &IndexReader, id: &str) -> Result<crate::record::DocRecord> {
    let searcher = reader.searcher();
    if id.len() == 16 {
        if let Ok(key) = u64::from_str_radix(id, 16) {
            if let Some(record) = store.record_by_key(&searcher, key)? {
                return Ok(record);
            }
        }
    }
    store
        .all_records(&searcher)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Error::DocumentNotFound(id.to_string()))
}
