//! One file through the pipeline: read → extract → metadata → clean → passages.
//!
//! Pure with respect to the index: it reads the file (and its sidecar) and returns what should be
//! written, so many files can be prepared in parallel while one thread writes.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::record::{content_hash, doc_id, doc_key, DocRecord, FileStamp};
use crate::clean::clean;
use crate::ingest::{self, walk::mtime_ns, Candidate, ExtractError, SIDECAR_SUFFIX};
use crate::metadata::{self, Hint, MetaInput};
use crate::passage::{split, PassageConfig};

/// Characters of clean text kept in the record for `tipdex show`.
const HEAD_CHARS: usize = 600;

/// A document ready to be written.
#[derive(Debug)]
pub struct Prepared {
    /// Its record.
    pub record: DocRecord,
    /// Clean text the passages point into.
    pub text: String,
    /// Passage byte ranges into `text`.
    pub passages: Vec<Range<usize>>,
    /// Non-fatal problems (e.g. an unreadable sidecar).
    pub warnings: Vec<String>,
}

/// What became of one file.
#[derive(Debug)]
pub enum Outcome {
    /// Extracted and ready to write.
    Indexed(Box<Prepared>),
    /// Same bytes and sidecar as the indexed version: only the record's stamp changes.
    Touched(Box<DocRecord>),
    /// A new path with the same bytes as a document that left its old path: re-key it.
    Moved {
        /// The record at the old path.
        from: Box<DocRecord>,
        /// The record for the new path.
        to: Box<DocRecord>,
    },
    /// Deliberately not indexed (empty, too large, no text after boilerplate removal).
    Skipped(String),
    /// Could not be processed; the reason says what to do.
    Failed(String),
}

/// Prepare `candidate`. `existing` is its record from the index, if any; `movable` holds records
/// it may have been moved from, by content hash; `now` is the run's time.
pub fn prepare(
    candidate: &Candidate,
    existing: Option<&DocRecord>,
    movable: &HashMap<String, DocRecord>,
    max_bytes: u64,
    now: i64,
) -> Outcome {
    // Stat before reading: if the file changes while we read it, its mtime moves past the
    // recorded one and the next run reads it again, instead of trusting a stamp that belongs to
    // other bytes.
    let Some(stamp) = stamp_of(&candidate.path) else {
        return Outcome::Failed("cannot read file: it vanished or is not accessible".into());
    };
    let bytes = match ingest::read(&candidate.path, max_bytes) {
        Ok(b) => b,
        Err(e @ (ExtractError::TooLarge { .. } | ExtractError::Empty)) => {
            return Outcome::Skipped(e.to_string())
        }
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let hash = content_hash(&bytes);
    let sidecar_path = find_sidecar(&candidate.path);
    let sidecar_stamp = sidecar_path.as_deref().and_then(stamp_of);
    if let Some(old) = existing {
        if old.hash == hash && old.sidecar == sidecar_stamp {
            let mut record = old.clone();
            record.stamp = stamp;
            record.indexed_at = now;
            return Outcome::Touched(Box::new(record));
        }
    }
    // A sidecar can change metadata, so only a file that moved with the same (or no) sidecar
    // keeps its old extraction.
    let moved_from = movable
        .get(&hash)
        .filter(|old| existing.is_none() && same_sidecar(old.sidecar, sidecar_stamp));
    if let Some(old) = moved_from {
        let record = moved_record(old, candidate, stamp, sidecar_stamp, now);
        return Outcome::Moved {
            from: Box::new(old.clone()),
            to: Box::new(record),
        };
    }

    let extracted = match ingest::extract(&bytes, candidate.format) {
        Ok(e) => e,
        Err(e @ ExtractError::Empty) => return Outcome::Skipped(e.to_string()),
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut warnings = Vec::new();
    let mut declared = match sidecar_path.as_deref().map(read_sidecar) {
        Some(Ok(hints)) => hints,
        Some(Err(w)) => {
            warnings.push(w);
            Vec::new()
        }
        None => Vec::new(),
    };
    declared.extend(extracted.declared);
    let file_name = candidate
        .rel_path
        .rsplit('/')
        .next()
        .unwrap_or(&candidate.rel_path);
    let folder = candidate.rel_path.split_once('/').map(|(first, _)| first);
    let metadata = metadata::extract(&MetaInput {
        text: &extracted.text,
        declared,
        embedded: extracted.embedded,
        folder,
        file_name,
    });

    let text = clean(&extracted.text);
    let passages = split(&text, PassageConfig::default());
    if passages.is_empty() {
        return Outcome::Skipped("no text left after removing boilerplate".into());
    }
    let key = doc_key(&candidate.path);
    let record = DocRecord {
        id: doc_id(key),
        key,
        root: candidate.root.clone(),
        rel_path: candidate.rel_path.clone(),
        format: candidate.format,
        stamp,
        sidecar: sidecar_stamp,
        hash,
        metadata,
        passages: u32::try_from(passages.len()).unwrap_or(u32::MAX),
        text_bytes: text.len() as u64,
        head: text.chars().take(HEAD_CHARS).collect(),
        indexed_at: now,
    };
    Outcome::Indexed(Box::new(Prepared {
        record,
        text,
        passages,
        warnings,
    }))
}

/// Sidecars compare by size (mtime changes on copy), and absent equals absent.
fn same_sidecar(a: Option<FileStamp>, b: Option<FileStamp>) -> bool {
    a.map(|s| s.size) == b.map(|s| s.size)
}

/// The old record under its new path: fields that came from the path (the folder as source,
/// the file name as title) are decided again by the same rules.
fn moved_record(
    old: &DocRecord,
    c: &Candidate,
    stamp: FileStamp,
    sidecar: Option<FileStamp>,
    now: i64,
) -> DocRecord {
    let key = doc_key(&c.path);
    let file_name = c.rel_path.rsplit('/').next().unwrap_or(&c.rel_path);
    let folder = c.rel_path.split_once('/').map(|(first, _)| first);
    let from_path = metadata::extract(&MetaInput {
        folder,
        file_name,
        ..MetaInput::default()
    });
    let mut m = old.metadata.clone();
    if m.title
        .as_ref()
        .is_some_and(|t| t.from == metadata::FROM_FILE_NAME)
    {
        m.title = from_path.title;
    }
    // The folder rule is the last resort, so it applies when the source came from the old
    // folder or from nowhere.
    if m.source
        .as_ref()
        .is_none_or(|s| s.from == metadata::FROM_FOLDER)
    {
        m.source = from_path.source;
    }
    DocRecord {
        id: doc_id(key),
        key,
        root: c.root.clone(),
        rel_path: c.rel_path.clone(),
        stamp,
        sidecar,
        metadata: m,
        indexed_at: now,
        ..old.clone()
    }
}

/// Size and mtime of the sidecar beside `path`, if it has one.
pub fn sidecar_stamp(path: &Path) -> Option<FileStamp> {
    find_sidecar(path).as_deref().and_then(stamp_of)
}

fn stamp_of(path: &Path) -> Option<FileStamp> {
    std::fs::metadata(path).ok().map(|m| FileStamp {
        size: m.len(),
        mtime_ns: mtime_ns(&m),
    })
}

/// `NAME.meta.json` beside the file, where NAME is the file name with or without its extension.
fn find_sidecar(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    [stem, name]
        .into_iter()
        .map(|n| path.with_file_name(format!("{n}{SIDECAR_SUFFIX}")))
        .find(|p| p.is_file())
}

fn read_sidecar(path: &Path) -> Result<Vec<Hint>, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = std::fs::read_to_string(path)
        .map_err(|e| format!("sidecar {} ignored: cannot read it: {e}", path.display()))?;
    metadata::sidecar_hints(&json, &format!("sidecar {name}")).map_err(|e| {
        format!(
            "sidecar {} ignored: {e}; fix the JSON (an object of \"key\": \"value\") and run `tipdex index` again",
            path.display()
        )
    })
}
