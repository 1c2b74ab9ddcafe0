//! A file's stamp: size and modification time, read from the file system.

use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// Size and modification time of a file, the cheap test for "unchanged".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Bytes.
    pub size: u64,
    /// Nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

impl FileStamp {
    /// The stamp of the file at `path`, or None when it cannot be read (gone, not accessible).
    pub(crate) fn of(path: &Path) -> Option<FileStamp> {
        std::fs::metadata(path).ok().map(|m| FileStamp {
            size: m.len(),
            mtime_ns: mtime_ns(&m),
        })
    }
}

/// Modification time in nanoseconds since the epoch (0 when the platform has none).
pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
