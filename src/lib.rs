//! tipdex — full-text search for documents about trafficking in persons.
//!
//! Data flows one way:
//!
//! ```text
//! files ─▶ ingest (walk, extract) ─▶ metadata ─▶ clean ─▶ passage ─▶ indexer ─▶ index/
//! query ─▶ search (parse, filter, BM25 over passages, group by document) ─▶ highlight ─▶ output
//! ```
//!
//! # Example
//!
//! ```
//! use tipdex::indexer::{index_roots, IndexOptions};
//! use tipdex::search::{search, SearchRequest};
//! use tipdex::store::Store;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let docs = tempfile::tempdir()?;
//! std::fs::write(
//!     docs.path().join("report.txt"),
//!     "Forced labour in fishing\n\nVictims of forced labour were identified on fishing vessels.",
//! )?;
//! let index_dir = tempfile::tempdir()?;
//! let report = index_roots(index_dir.path(), &[docs.path().to_path_buf()], &IndexOptions::default(), &mut |_| {})?;
//! assert_eq!(report.added, 1);
//!
//! let store = Store::open(index_dir.path())?;
//! let reader = store.reader()?;
//! let request = SearchRequest { query: "forced labour".into(), ..SearchRequest::default() };
//! let results = search(&store, &reader, &request)?;
//! assert_eq!(results.hits[0].record.display_title(), "Forced labour in fishing");
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub(crate) mod acronyms;
pub(crate) mod analysis;
pub mod clean;
pub mod entities;
pub(crate) mod error;
pub mod eval;
pub mod export;
pub(crate) mod highlight;
pub(crate) mod index_doc;
pub mod indexer;
pub mod ingest;
pub(crate) mod metadata;
pub mod output;
pub mod passage;
pub(crate) mod prefetch;
pub(crate) mod record;
pub mod reprints;
pub mod schema;
pub mod search;
pub mod semantic;
pub mod serve;
pub mod store;
pub mod synonyms;
pub(crate) mod text;
pub mod watch;

pub use error::{Error, Result};
