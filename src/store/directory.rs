//! The index directory: which of its files are tipdex's, and how tantivy reaches them.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, META_LOCK,
};

use super::IndexInfo;
use crate::error::{Error, Result};
use crate::schema;

/// tipdex's marker file: its presence says the directory's index files are tipdex's to manage.
pub const MARKER: &str = ".tipdex-index";

pub(crate) const META: &str = "meta.json";
pub(crate) const MANAGED: &str = ".managed.json";
/// Where `--full` builds the new index before swapping it in (a folder of tipdex's own inside
/// the index directory, so the swap is renames within one file system).
pub const STAGING: &str = ".tipdex-rebuild";
/// tipdex's copy of the roots and settings, outside tantivy's files, so a damaged index can
/// still be rebuilt from its folders (see `super::settings`).
pub const SETTINGS: &str = ".tipdex-settings.json";
const LOCKS: [&str; 2] = [".tantivy-writer.lock", ".tantivy-meta.lock"];

/// Write the marker unless it is there.
pub(crate) fn write_marker(dir: &Path) -> io::Result<()> {
    let path = dir.join(MARKER);
    if path.is_file() {
        return Ok(());
    }
    std::fs::write(
        path,
        "This folder holds a tipdex index. tipdex deletes only its own index files here.\n",
    )
}

/// True when `dir`'s index is tipdex's: the marker, or for an index from before the marker a
/// commit payload written by tipdex or exactly tipdex's field names.
pub(crate) fn is_tipdex_index(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(dir.join(META)) else {
        return false;
    };
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let by_payload = meta["payload"]
        .as_str()
        .and_then(|p| serde_json::from_str::<IndexInfo>(p).ok())
        .is_some_and(|info| info.schema_version > 0);
    let names: Option<HashSet<&str>> = meta["schema"]
        .as_array()
        .map(|fields| fields.iter().filter_map(|f| f["name"].as_str()).collect());
    let (ours, _) = schema::build();
    let our_names: HashSet<&str> = ours.fields().map(|(_, e)| e.name()).collect();
    by_payload || names.is_some_and(|n| n == our_names)
}

/// True when `dir` holds a file tipdex did not write (anything but the marker, tantivy's lock
/// files and temporary files, and `.managed.json`).
pub(crate) fn holds_foreign_files(dir: &Path) -> io::Result<bool> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let own = name == MARKER
            || name == MANAGED
            || name == SETTINGS
            || name == STAGING
            || LOCKS.contains(&name.as_ref())
            || name.starts_with(".tmp");
        if !own {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Segment ids (32 hex digits) of the segments `meta.json` lists, with the opstamp of each
/// one's deletes file, or None when it cannot be read.
pub(crate) fn live_segments(dir: &Path) -> Option<HashMap<String, Option<u64>>> {
    let text = std::fs::read_to_string(dir.join(META)).ok()?;
    let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
    let segments = meta["segments"].as_array()?;
    segments
        .iter()
        .map(|s| {
            let id = s["segment_id"].as_str()?.replace('-', "");
            Some((id, s["deletes"]["opstamp"].as_u64()))
        })
        .collect()
}

/// True when the segment file `name` belongs to no segment of `live`: another segment, or a
/// deletes file (`ID.OPSTAMP.del`) of an opstamp the commit does not use (a failed run's,
/// whose name a later run would want again).
pub(crate) fn is_unreferenced(name: &str, live: &HashMap<String, Option<u64>>) -> bool {
    let Some(deletes) = live.get(&name[..32]) else {
        return true;
    };
    match name[33..].strip_suffix(".del") {
        Some(opstamp) => opstamp.parse::<u64>().ok() != *deletes,
        None => false,
    }
}

/// Remove what a run that died (killed, disk full) left behind: tantivy's temporary files and
/// segment files that `meta.json` does not list (written but never committed).
/// Call only with the writer lock held, so no other run is writing them right now; readers
/// only ever open the files `meta.json` lists. Returns how many files it removed.
pub(crate) fn remove_stale_files(dir: &Path) -> io::Result<u64> {
    let live = live_segments(dir);
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = name.starts_with(".tmp")
            || (is_segment_file(&name)
                && live
                    .as_ref()
                    .is_some_and(|live| is_unreferenced(&name, live)));
        if stale && entry.file_type()?.is_file() {
            match std::fs::remove_file(entry.path()) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                Err(_) => {}
                Ok(()) => removed += 1,
            }
        }
    }
    Ok(removed)
}

/// Bytes of the index's segment files (what a rebuild will write again, about).
pub(crate) fn segment_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| is_segment_file(&e.file_name().to_string_lossy()))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

pub(crate) fn is_segment_file(name: &str) -> bool {
    let Some((id, ext)) = name.split_once('.') else {
        return false;
    };
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !ext.is_empty()
}

/// Make tantivy's metadata files (written owner-only through a temp file) as readable as the
/// directory, so another user who can read the directory can read the index.
pub(crate) fn share_like_directory(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir_mode = std::fs::metadata(dir)?.permissions().mode();
        for name in [META, MANAGED] {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let mode = meta.permissions().mode();
            let wanted = mode | (dir_mode & 0o044);
            if wanted != mode {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wanted))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// tantivy's memory-mapped directory, except that a reader who cannot create the meta lock
/// file (a read-only mount, another user's index) reads without it. The lock only keeps a
/// writer's clean-up from deleting files while a reader opens them; a reader who cannot write
/// cannot take it, and refusing to read would help no one.
///
/// Under `cfg(test)` it also obeys the fault plan registered for its folder
/// (`super::faults`), so tests can fail any write, fsync or rename of the write path.
#[derive(Clone, Debug)]
pub(crate) struct IndexDirectory {
    inner: MmapDirectory,
    #[cfg(test)]
    faults: Option<Arc<super::faults::Faults>>,
}

impl IndexDirectory {
    pub(crate) fn open(dir: &Path) -> Result<IndexDirectory> {
        let inner = MmapDirectory::open(dir).map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: io::Error::other(e.to_string()),
        })?;
        Ok(IndexDirectory {
            inner,
            #[cfg(test)]
            faults: super::faults::for_dir(dir),
        })
    }

    /// Count a write-path operation against the fault plan (tests only).
    fn step(&self, _what: &str) -> io::Result<()> {
        #[cfg(test)]
        if let Some(f) = &self.faults {
            return f.step(_what);
        }
        Ok(())
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        #[cfg(test)]
        if let Some(f) = &self.faults {
            let bytes = self
                .inner
                .open_read(path)?
                .read_bytes()
                .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
            return Ok(Arc::new(f.serve(path, bytes)));
        }
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.step("open_write")
            .map_err(|e| OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
        let file = self.inner.open_write(path)?;
        #[cfg(test)]
        if let Some(f) = &self.faults {
            return Ok(super::faults::FaultyWrite::wrap(file, Arc::clone(f)));
        }
        Ok(file)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.step("atomic_write")?;
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.step("sync_directory")?;
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && cannot_write(&e) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnlyLock)))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// The lock a reader holds when it could not create the lock file: nothing to release.
struct ReadOnlyLock;

fn cannot_write(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_files_are_recognised_by_name() {
        assert!(is_segment_file("0123456789abcdef0123456789abcdef.idx"));
        assert!(is_segment_file("0123456789abcdef0123456789abcdef.12.del"));
        assert!(!is_segment_file("notes.txt"));
        assert!(!is_segment_file("0123456789abcdef0123456789abcdef"));
        assert!(!is_segment_file(MARKER));
    }
}
