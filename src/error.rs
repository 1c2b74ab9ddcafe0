//! Typed errors of the library.
//!
//! Two kinds matter to a user: mistakes they can fix by changing what they typed
//! ([`Error::is_usage`], exit code 2) and failures of the machine or the index (exit code 1).
//! Every message says what went wrong and what to do next.

use std::path::PathBuf;

/// Everything that can go wrong in tipdex's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index directory holds no tipdex index.
    #[error("no index at {}: run `tipdex index PATH --index {}` to create it", .0.display(), .0.display())]
    NoIndex(PathBuf),

    /// The directory exists but is not a tipdex index (or was built by an incompatible version).
    #[error("{} is not a usable tipdex index ({reason}); rebuild it with `tipdex index --full PATH --index {}`", .path.display(), .path.display())]
    IncompatibleIndex {
        /// Where the index was looked for.
        path: PathBuf,
        /// What did not match.
        reason: String,
    },

    /// The directory holds something other than a tipdex index (another program's index, or the
    /// user's files). tipdex neither reads nor deletes it, so the advice is to choose another.
    #[error("{} is not a tipdex index: it holds files tipdex did not write (another program's index or your own files), which tipdex leaves alone; give `--index` a new or empty folder", .0.display())]
    NotTipdexIndex(PathBuf),

    /// Another process holds the index's writer lock.
    #[error("another tipdex update is already running on the index at {}: wait for it to finish, then run this again", .0.display())]
    IndexBusy(PathBuf),

    /// A path named on the command line does not exist or cannot be read.
    #[error("cannot read {}: {source}; check the path exists and is readable", .path.display())]
    UnreadablePath {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A command-line value could not be understood.
    #[error("invalid {what} `{value}`: {hint}")]
    InvalidArgument {
        /// Which argument (e.g. `--year`).
        what: &'static str,
        /// The value given.
        value: String,
        /// What is accepted instead.
        hint: String,
    },

    /// A query over one of the caps on what a query may cost (see `search::limits`).
    #[error("query too costly: {found}, over the limit of {limit}; {hint}")]
    QueryLimit {
        /// What the query has.
        found: String,
        /// The cap.
        limit: String,
        /// How to narrow the query.
        hint: &'static str,
    },

    /// A filter written inside a query (`year:abc`) could not be understood.
    #[error("invalid filter `{filter}` in the query: {hint}")]
    InvalidQueryFilter {
        /// The filter as written, e.g. `year:99999`.
        filter: String,
        /// What is accepted instead.
        hint: String,
    },

    /// No document in the index matches the id or path given to `show`.
    #[error("no indexed document matches `{0}`: give a document id (or its first characters) or a path as shown by `tipdex search`")]
    DocumentNotFound(String),

    /// An id prefix given to `show` matches more than one document.
    #[error("`{given}` matches {count} documents: type more characters of the id")]
    AmbiguousDocument {
        /// The prefix given.
        given: String,
        /// How many documents it matches.
        count: usize,
    },

    /// Reading or writing the index's files failed.
    #[error("I/O error on {}: {source}", .path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The search engine failed underneath.
    #[error("index error: {0}")]
    Engine(#[from] tantivy::TantivyError),

    /// `tipdex serve` could not listen on the address asked for.
    #[error("cannot listen on {addr}: {reason}; choose another address or port with --addr")]
    Bind {
        /// The address given.
        addr: String,
        /// The operating system's reason.
        reason: String,
    },

    /// A stored record could not be decoded: the index is damaged or from another version.
    #[error("corrupt record in the index ({0}); rebuild it with `tipdex index --full`")]
    CorruptRecord(String),
}

impl Error {
    /// True when the user can fix this by changing the command line (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::NoIndex(_)
                | Error::NotTipdexIndex(_)
                | Error::InvalidArgument { .. }
                | Error::QueryLimit { .. }
                | Error::InvalidQueryFilter { .. }
                | Error::UnreadablePath { .. }
                | Error::DocumentNotFound(_)
                | Error::AmbiguousDocument { .. }
        )
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
