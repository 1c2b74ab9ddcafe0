//! The index directory: which of its files are tipdex's, and how tantivy reaches them.

use std::collections::HashSet;
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

const META: &str = "meta.json";
const MANAGED: &str = ".managed.json";
const LOCKS: [&str; 2] = [".tantivy-writer.lock", ".tantivy-meta.lock"];

/// Write the marker unless it is there.
pub fn write_marker(dir: &Path) -> io::Result<()> {
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
pub fn is_tipdex_index(dir: &Path) -> bool {
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
pub fn holds_foreign_files(dir: &Path) -> io::Result<bool> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let own = name == MARKER
            || name == MANAGED
            || LOCKS.contains(&name.as_ref())
            || name.starts_with(".tmp");
        if !own {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Remove tantivy's files of the index in `dir` and the marker, nothing else: the files listed
/// in `.managed.json` and files named like segment files (32 hex digits, a dot, an extension),
/// so a garbled `.managed.json` still leaves no index files behind.
pub fn remove_index_files(dir: &Path) -> io::Result<()> {
    let mut names: Vec<String> = std::fs::read_to_string(dir.join(MANAGED))
        .ok()
        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if is_segment_file(&name) {
            names.push(name);
        }
    }
    names.extend([META, MANAGED, MARKER].map(String::from));
    for name in names {
        // A name from .managed.json is only ever a bare file name inside the directory.
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
            continue;
        }
        let path = dir.join(&name);
        if path.is_file() {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

fn is_segment_file(name: &str) -> bool {
    let Some((id, ext)) = name.split_once('.') else {
        return false;
    };
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !ext.is_empty()
}

/// Make tantivy's metadata files (written owner-only through a temp file) as readable as the
/// directory, so another user who can read the directory can read the index.
pub fn share_like_directory(dir: &Path) -> io::Result<()> {
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
#[derive(Clone, Debug)]
pub struct IndexDirectory(MmapDirectory);

impl IndexDirectory {
    pub fn open(dir: &Path) -> Result<IndexDirectory> {
        MmapDirectory::open(dir)
            .map(IndexDirectory)
            .map_err(|e| Error::Io {
                path: dir.to_path_buf(),
                source: io::Error::other(e.to_string()),
            })
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && cannot_write(&e) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnlyLock)))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
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
    use std::path::PathBuf;

    #[test]
    fn segment_files_are_recognised_by_name() {
        assert!(is_segment_file("0123456789abcdef0123456789abcdef.idx"));
        assert!(is_segment_file("0123456789abcdef0123456789abcdef.12.del"));
        assert!(!is_segment_file("notes.txt"));
        assert!(!is_segment_file("0123456789abcdef0123456789abcdef"));
        assert!(!is_segment_file(MARKER));
    }

    #[test]
    fn removing_index_files_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let seg = "0123456789abcdef0123456789abcdef.store";
        for name in [META, MARKER, seg, "listed.bin", "notes.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::write(dir.path().join(MANAGED), r#"["listed.bin","../escape"]"#).unwrap();
        remove_index_files(dir.path()).unwrap();
        let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(left, vec![dir.path().join("notes.txt")]);
    }
}
