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

    /// The embedding model (semantic search) is missing, not the pinned release, or failed.
    #[error(transparent)]
    Semantic(#[from] crate::semantic::SemanticError),

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

    /// No saved search has the name given to `watch`.
    #[error("no saved search is named `{0}`: `tipdex watch list` shows them")]
    UnknownWatch(String),

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

    /// The search engine failed underneath (not damage, not storage: see [`Error::from`]).
    #[error("index error: {0}")]
    Engine(tantivy::TantivyError),

    /// A file of the index cannot be read as what it should be (truncated, missing, garbled).
    /// The source folders are never touched by tipdex, so the index can always be rebuilt.
    #[error("{}", damaged_message(.index.as_deref(), .file.as_deref(), .what))]
    Damaged {
        /// The index directory, when known where the damage was met.
        index: Option<PathBuf>,
        /// The damaged file, when known (relative to the index directory or absolute).
        file: Option<PathBuf>,
        /// What is wrong with it, in words.
        what: String,
    },

    /// The index could not be written or read for a reason of the storage (disk full,
    /// permission denied, read-only file system).
    #[error("{}", storage_message(.index.as_deref(), .file.as_deref(), .cause, .committed))]
    Storage {
        /// The index directory, when known where the failure was met; filled in once, by
        /// [`Error::in_index`], so a relative folder is never joined to itself.
        index: Option<PathBuf>,
        /// The file involved, when known (relative to the index directory or absolute).
        file: Option<PathBuf>,
        /// The operating system's reason, already said in words by the message (so not a
        /// `source`, which would print it a second time).
        cause: std::io::Error,
        /// Documents of the last commit, which is intact, when known.
        committed: Option<u64>,
    },

    /// `index --full` would clearly not fit on the disk (checked before anything is written).
    #[error("not enough free space to rebuild the index at {}: it takes about {} and {} are free; the index was left as it is. Free some space (or index into another folder with `--index`) and run this again", .path.display(), human_bytes(*.needed), human_bytes(*.free))]
    NotEnoughSpace {
        /// The index directory.
        path: PathBuf,
        /// Bytes the rebuild is expected to take.
        needed: u64,
        /// Bytes free on its file system.
        free: u64,
    },

    /// The folders to index cannot be known: none given, and the index's record of them is
    /// unreadable.
    #[error("the index at {} is damaged and its list of folders cannot be read; give the folders to index: `tipdex index --full FOLDER… --index {}`", .0.display(), .0.display())]
    UnknownRoots(PathBuf),

    /// `tipdex serve` could not listen on the address asked for.
    #[error("cannot listen on {addr}: {reason}; choose another address or port with --addr")]
    Bind {
        /// The address given.
        addr: String,
        /// The operating system's reason.
        reason: String,
    },

    /// A search with neither query words nor a filter: nothing says which documents to list.
    #[error("nothing to search for: {hint}")]
    NothingToSearch {
        /// What to type, in the caller's terms (flags or query parameters).
        hint: String,
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
                | Error::UnknownWatch(_)
                | Error::AmbiguousDocument { .. }
                | Error::UnknownRoots(_)
                | Error::NothingToSearch { .. }
        ) || matches!(self, Error::Semantic(e) if e.is_usage())
    }
}

impl Error {
    /// The index directory where this error was met, filled in by a caller that knows it
    /// (damage and storage failures found deep in tantivy are reported without the directory,
    /// their files relative to it). Only an unknown directory is filled, so an error passed up
    /// through several callers names its folder once.
    pub fn in_index(self, dir: &std::path::Path) -> Error {
        match self {
            Error::Damaged {
                index: None,
                file,
                what,
            } => Error::Damaged {
                index: Some(dir.to_path_buf()),
                file,
                what,
            },
            Error::Storage {
                index: None,
                file,
                cause,
                committed,
            } => Error::Storage {
                index: Some(dir.to_path_buf()),
                file,
                cause,
                committed,
            },
            other => other,
        }
    }

    /// A storage failure (disk full, permissions, read-only) in the index in `dir`, on `file`
    /// of it when known.
    pub(crate) fn storage(
        dir: &std::path::Path,
        file: Option<PathBuf>,
        cause: std::io::Error,
    ) -> Error {
        Error::Storage {
            index: Some(dir.to_path_buf()),
            file,
            cause,
            committed: None,
        }
    }

    /// Damage of `file` of the index in `dir`.
    pub(crate) fn damaged(
        dir: &std::path::Path,
        file: impl Into<PathBuf>,
        what: impl Into<String>,
    ) -> Error {
        Error::Damaged {
            index: Some(dir.to_path_buf()),
            file: Some(file.into()),
            what: what.into(),
        }
    }
}

/// Every tantivy error meets tipdex here, once: damage (corrupt or missing files), storage
/// (disk full, permissions, read-only), a busy writer, or else an engine error.
impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};
        use tantivy::TantivyError as T;
        let damaged = |file: Option<PathBuf>, what: String| Error::Damaged {
            index: None,
            file,
            what,
        };
        match e {
            T::DataCorruption(c) => {
                let (file, what) = split_corruption(&format!("{c:?}"));
                damaged(file, what)
            }
            T::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
                damaged(Some(p), "the file is missing".into())
            }
            T::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
                io_failure(filepath, io_error.kind(), &io_error)
            }
            T::OpenReadError(OpenReadError::IncompatibleIndex(i)) => {
                damaged(None, tidy(&format!("{i:?}")))
            }
            T::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => {
                io_failure(filepath, io_error.kind(), &io_error)
            }
            T::IoError(io) if is_storage(io.kind()) => Error::Storage {
                index: None,
                file: None,
                cause: std::io::Error::new(io.kind(), io.to_string()),
                committed: None,
            },
            T::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                damaged(None, "a file ends before its data does (truncated)".into())
            }
            T::LockFailure(LockError::IoError(io), _) if is_storage(io.kind()) => Error::Storage {
                index: None,
                file: None,
                cause: std::io::Error::new(io.kind(), io.to_string()),
                committed: None,
            },
            // Some paths pass an I/O error on only as text (an indexing thread's failure).
            other => match storage_kind_in(&other.to_string()) {
                Some(kind) => Error::Storage {
                    index: None,
                    file: None,
                    cause: std::io::Error::from(kind),
                    committed: None,
                },
                None => Error::Engine(other),
            },
        }
    }
}

/// The storage failure an error's text names, by the operating system's words.
fn storage_kind_in(text: &str) -> Option<std::io::ErrorKind> {
    use std::io::ErrorKind as K;
    [
        ("No space left on device", K::StorageFull),
        ("Disk quota exceeded", K::QuotaExceeded),
        ("Read-only file system", K::ReadOnlyFilesystem),
        ("Permission denied", K::PermissionDenied),
    ]
    .into_iter()
    .find(|(words, _)| text.contains(words))
    .map(|(_, kind)| kind)
}

use std::path::Path;

/// tantivy's `DataCorruption` keeps its file and comment private; its Debug text is
/// "Data corruption (in file `\"NAME\"`): COMMENT." — split it back into the two.
fn split_corruption(debug: &str) -> (Option<PathBuf>, String) {
    let rest = debug.trim_start_matches("Data corruption");
    let (file, comment) = match rest
        .strip_prefix(" (in file `")
        .and_then(|r| r.split_once("`)"))
    {
        Some((file, comment)) => (Some(PathBuf::from(file.trim_matches('"'))), comment),
        None => (None, rest),
    };
    let comment = comment.trim_start_matches(':').trim();
    (file, tidy(comment))
}

fn io_failure(filepath: PathBuf, kind: std::io::ErrorKind, e: &std::io::Error) -> Error {
    if is_storage(kind) {
        Error::Storage {
            index: None,
            file: Some(filepath).filter(|f| !f.as_os_str().is_empty()),
            cause: std::io::Error::new(kind, e.to_string()),
            committed: None,
        }
    } else if kind == std::io::ErrorKind::NotFound {
        Error::Damaged {
            index: None,
            file: Some(filepath),
            what: "the file is missing".into(),
        }
    } else {
        Error::Damaged {
            index: None,
            file: Some(filepath),
            what: format!("it cannot be read ({})", tidy(&e.to_string())),
        }
    }
}

/// Failures of the storage rather than of the index's content.
pub(crate) fn is_storage(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        kind,
        K::StorageFull | K::PermissionDenied | K::ReadOnlyFilesystem | K::QuotaExceeded
    )
}

/// tantivy's messages as a sentence fragment in tipdex's words: one line, the first sentence
/// (tantivy goes on about its versions and dumps the file's content), no Debug wrapping.
fn tidy(s: &str) -> String {
    if s.contains("Footer magic byte mismatch") || s.contains("footer") && s.contains("corrupt") {
        return "its end is missing or garbled (the file was cut short or overwritten)".into();
    }
    let one_line = crate::text::collapse_whitespace(s);
    let first = one_line
        .split(". ")
        .next()
        .unwrap_or(&one_line)
        .trim_end_matches('.');
    if let Some((head, detail)) = first.split_once(" Error(") {
        // serde_json's Debug: Error("expected value", line: 1, column: 1)
        let detail = detail.trim_end_matches(')').replace('"', "");
        return format!("{} ({detail})", head.trim_end_matches([':', '.']));
    }
    let first = first.split_once(": Error(").map_or(first, |(h, _)| h);
    first.to_string()
}

fn damaged_message(index: Option<&Path>, file: Option<&Path>, what: &str) -> String {
    let (at, rebuild) = match index {
        Some(dir) => (
            format!(" at {}", dir.display()),
            format!("tipdex index --full --index {}", dir.display()),
        ),
        None => (String::new(), "tipdex index --full".to_string()),
    };
    let file = file.map_or_else(
        || "one of its files".to_string(),
        |f| in_folder(index, f).display().to_string(),
    );
    format!(
        "the index{at} is damaged: {file}: {what}. Your source folders are untouched; rebuild the index from them with `{rebuild}`"
    )
}

/// A file of the index as the user can find it: a relative name joined to the index folder.
fn in_folder(index: Option<&Path>, file: &Path) -> PathBuf {
    match index {
        Some(dir) if file.is_relative() => dir.join(file),
        _ => file.to_path_buf(),
    }
}

fn storage_message(
    index: Option<&Path>,
    file: Option<&Path>,
    source: &std::io::Error,
    committed: &Option<u64>,
) -> String {
    use std::io::ErrorKind as K;
    let (what, todo) = match source.kind() {
        K::StorageFull | K::QuotaExceeded => (
            "the disk is full",
            "free some space (or index into a folder on another disk with `--index`), then run the same command again",
        ),
        K::PermissionDenied => (
            "permission denied",
            "index as a user who may write there, or give `--index` a folder you own",
        ),
        K::ReadOnlyFilesystem => (
            "the file system is read-only",
            "searching still works; to index, give `--index` a folder on a writable disk",
        ),
        _ => ("input/output error", "check the disk, then run the same command again"),
    };
    let intact = match committed {
        Some(n) => format!("; the last commit ({n} documents) is intact"),
        None => String::new(),
    };
    let at = match (index, file) {
        (_, Some(file)) => format!(" at {}", in_folder(index, file).display()),
        (Some(dir), None) => format!(" at {}", dir.display()),
        (None, None) => String::new(),
    };
    format!("cannot write the index{at}: {what}{intact}; {todo}")
}

fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if n as f64 >= 1024.0 * MB {
        format!("{:.1} GB", n as f64 / (1024.0 * MB))
    } else {
        format!("{:.1} MB", n as f64 / MB)
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
