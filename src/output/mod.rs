//! Renderers: one result type, several formats. Nothing here decides what matched; it only
//! presents [`crate::search`] results, facet tables and records.

pub mod csv;
pub mod json;
pub mod text;

use std::path::Path;

use crate::indexer::DocRecord;

/// Output formats for results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, optionally coloured.
    Text,
    /// One JSON object.
    Json,
}

/// The path to show for a document: relative to `cwd` when under it (what a user can paste
/// back into a shell), absolute otherwise.
pub fn display_path(record: &DocRecord, cwd: Option<&Path>) -> String {
    let path = record.path();
    cwd.and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(&path)
        .to_string_lossy()
        .into_owned()
}
