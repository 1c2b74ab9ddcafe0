//! `index --full` beside the live index: the new index is built in [`STAGING`], a folder of
//! tipdex's own inside the index directory, and swapped in at the end by renames.
//!
//! The swap, step by step, and what a crash at each step leaves:
//! 1. `.managed.json` is rewritten (atomically) to list the new segment files too, so whatever
//!    happens next tantivy's clean-up knows them: the old index is still the index.
//! 2. the new segment files are renamed into the index directory. Their names are new segment
//!    ids, so nothing of the old index is overwritten and the old `meta.json` does not see them:
//!    still the old index, with some unreferenced files the next writer removes.
//! 3. under tantivy's meta lock (which readers hold while they open segment files),
//!    `meta.json` is replaced by the new one with a rename: the one atomic switch. A reader
//!    either opened the old segments before (its memory maps stay valid after the files are
//!    unlinked) or opens the new ones after; it never sees a mix.
//! 4. still under the lock, the old segment files are removed and `.managed.json` lists only
//!    the new index; then the staging folder goes. A crash here leaves the new index complete,
//!    with old files that the next writer's clean-up removes.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, DirectoryLock, MmapDirectory, INDEX_WRITER_LOCK, META_LOCK};

use super::directory::{is_segment_file, is_unreferenced, live_segments, MANAGED, META, STAGING};

/// The staging folder of the index in `dir`, emptied of anything a killed rebuild left there.
pub(crate) fn fresh_staging(dir: &Path) -> io::Result<PathBuf> {
    let staging = dir.join(STAGING);
    discard_staging(dir)?;
    std::fs::create_dir(&staging)?;
    Ok(staging)
}

/// Remove the staging folder (a rebuild that did not finish, or its leftovers).
pub(crate) fn discard_staging(dir: &Path) -> io::Result<()> {
    // A thread of the abandoned writer may still be closing a file in it: a few tries.
    let mut last = Ok(());
    for _ in 0..5 {
        last = match std::fs::remove_dir_all(dir.join(STAGING)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => return Ok(()),
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    last
}

/// Take the index's writer lock without opening the index (which may be damaged), so a
/// rebuild and any other writer exclude each other. `Ok(None)`: another writer holds it.
pub(crate) fn writer_lock(dir: &Path) -> io::Result<Option<DirectoryLock>> {
    let directory = MmapDirectory::open(dir).map_err(io::Error::other)?;
    match directory.acquire_lock(&INDEX_WRITER_LOCK) {
        Ok(lock) => Ok(Some(lock)),
        Err(tantivy::directory::error::LockError::LockBusy) => Ok(None),
        Err(tantivy::directory::error::LockError::IoError(e)) => {
            Err(io::Error::new(e.kind(), e.to_string()))
        }
    }
}

/// Replace the index in `dir` by the complete one in its staging folder (see the module notes
/// for the order of the steps). Call with the writer lock held.
pub(crate) fn swap_in(dir: &Path) -> io::Result<()> {
    let staging = dir.join(STAGING);
    let new_files: BTreeSet<String> = std::fs::read_dir(&staging)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|n| is_segment_file(n))
        .collect();
    let new_meta = std::fs::read(staging.join(META))?;

    // 1. tantivy's list of its files names the new ones before they arrive.
    let mut managed: BTreeSet<String> = std::fs::read(dir.join(MANAGED))
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    managed.extend(new_files.iter().cloned());
    managed.insert(META.to_string());
    write_atomically(dir, MANAGED, &managed_json(&managed)?)?;

    // 2. the new segment files move in under names the old index does not use.
    for name in &new_files {
        std::fs::rename(staging.join(name), dir.join(name))?;
    }
    sync_dir(dir)?;

    // 3. the switch, under the lock readers take while opening segment files.
    let directory = MmapDirectory::open(dir).map_err(io::Error::other)?;
    let _meta_lock = directory
        .acquire_lock(&META_LOCK)
        .map_err(|e| io::Error::other(e.to_string()))?;
    write_atomically(dir, META, &new_meta)?;

    // 4. the old index's files go.
    let live = live_segments(dir).unwrap_or_default();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if is_segment_file(&name) && is_unreferenced(&name, &live) {
            match std::fs::remove_file(dir.join(&name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    let mut managed: BTreeSet<String> = new_files;
    managed.insert(META.to_string());
    write_atomically(dir, MANAGED, &managed_json(&managed)?)?;
    drop(_meta_lock);
    discard_staging(dir)
}

fn managed_json(names: &BTreeSet<String>) -> io::Result<Vec<u8>> {
    serde_json::to_vec(&names.iter().collect::<Vec<_>>()).map_err(io::Error::other)
}

/// Write `name` in `dir` through a temporary file, fsynced, renamed over it, directory synced.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!(".tmp-tipdex-{}", name.trim_start_matches('.')));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_data()?;
    drop(file);
    std::fs::rename(&tmp, dir.join(name))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Free bytes on the file system holding `dir` (None where it cannot be asked).
pub(crate) fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: statvfs writes into the zeroed struct we own; the path is NUL-terminated.
        let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
        if rc != 0 {
            return None;
        }
        #[allow(clippy::unnecessary_cast)]
        Some(stat.f_bavail as u64 * stat.f_frsize as u64)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}
