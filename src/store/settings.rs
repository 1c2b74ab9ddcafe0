//! tipdex's copy of what it needs to rebuild an index from its folders (roots, remembered
//! excludes, the user's synonyms and saved searches), kept beside tantivy's files in a small file of its own.
//!
//! The commit payload stays the authority (it changes atomically with the documents); this copy
//! is written after each commit, atomically (temporary file, fsync, rename), so that when
//! `meta.json` is damaged `index --full` still knows which folders to read again.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::directory::{META, SETTINGS};
use super::IndexInfo;

/// What survives a damaged index: enough to rebuild it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// Every root indexed into the index (canonical paths).
    pub roots: Vec<PathBuf>,
    /// `--exclude` globs remembered per root.
    #[serde(default)]
    pub excludes: BTreeMap<PathBuf, Vec<String>>,
    /// The user's synonyms.
    #[serde(default)]
    pub synonyms: Vec<(String, String)>,
    /// The user's saved searches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<super::Watch>,
}

impl Settings {
    /// The part of a commit payload worth keeping outside tantivy.
    pub(crate) fn of(info: &IndexInfo) -> Settings {
        Settings {
            roots: info.roots.clone(),
            excludes: info.excludes.clone(),
            synonyms: info.synonyms.clone(),
            watches: info.watches.clone(),
        }
    }

    /// Carry these settings into a fresh payload.
    pub(crate) fn apply(&self, info: &mut IndexInfo) {
        for root in &self.roots {
            if !info.roots.contains(root) {
                info.roots.push(root.clone());
            }
        }
        for (root, globs) in &self.excludes {
            info.excludes
                .entry(root.clone())
                .or_insert_with(|| globs.clone());
        }
        if info.synonyms.is_empty() {
            info.synonyms = self.synonyms.clone();
        }
        if info.watches.is_empty() {
            info.watches = self.watches.clone();
        }
    }
}

/// Write the copy of `info`'s settings into `dir` (atomically: a reader sees the old or the new
/// file, never a part).
pub(crate) fn save(dir: &Path, info: &IndexInfo) -> io::Result<()> {
    let settings = Settings::of(info);
    let path = dir.join(SETTINGS);
    if read_file(&path).as_ref() == Some(&settings) {
        return Ok(());
    }
    let text = serde_json::to_vec_pretty(&settings).map_err(io::Error::other)?;
    // Named like tantivy's temporary files, so a run killed mid-write leaves nothing that the
    // next writer's clean-up of stale `.tmp*` files does not remove.
    let tmp = dir.join(".tmp-tipdex-settings");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&text)?;
    file.sync_data()?;
    drop(file);
    std::fs::rename(&tmp, &path)?;
    super::share_like_directory(dir)?;
    Ok(())
}

fn read_file(path: &Path) -> Option<Settings> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The settings of the index in `dir` without opening it: its commit payload when `meta.json`
/// can still be read as JSON, else tipdex's copy; None when neither can.
pub fn recover(dir: &Path) -> Option<Settings> {
    let from_payload = std::fs::read(dir.join(META))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|meta| meta["payload"].as_str().map(str::to_string))
        .and_then(|p| serde_json::from_str::<IndexInfo>(&p).ok())
        .map(|info| Settings::of(&info));
    from_payload.or_else(|| read_file(&dir.join(SETTINGS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_garbled_meta_json() {
        let dir = tempfile::tempdir().unwrap();
        let info = IndexInfo {
            roots: vec![PathBuf::from("/docs/a"), PathBuf::from("/docs/b")],
            synonyms: vec![("TIP".into(), "trafficking in persons".into())],
            ..IndexInfo::default()
        };
        save(dir.path(), &info).unwrap();
        std::fs::write(dir.path().join(META), "{ not json").unwrap();
        let recovered = recover(dir.path()).unwrap();
        assert_eq!(recovered.roots, info.roots);
        assert_eq!(recovered.synonyms, info.synonyms);
        // No temporary file is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
    }

    #[test]
    fn the_payload_wins_over_the_copy_while_it_can_be_read() {
        let dir = tempfile::tempdir().unwrap();
        save(
            dir.path(),
            &IndexInfo {
                roots: vec![PathBuf::from("/old")],
                ..IndexInfo::default()
            },
        )
        .unwrap();
        let payload = serde_json::to_string(&IndexInfo {
            roots: vec![PathBuf::from("/new")],
            ..IndexInfo::default()
        })
        .unwrap();
        let meta = serde_json::json!({ "segments": [], "payload": payload });
        std::fs::write(dir.path().join(META), meta.to_string()).unwrap();
        assert_eq!(
            recover(dir.path()).unwrap().roots,
            vec![PathBuf::from("/new")]
        );
        assert!(recover(tempfile::tempdir().unwrap().path()).is_none());
    }
}
