//! The document record: everything the index knows about one indexed file.

use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::acronyms::Definition;
use crate::entities::{CountryMentions, TopicMentions};
use crate::ingest::{FileStamp, Format};
use crate::metadata::Metadata;
use crate::reprints::Signature;

/// One indexed document, stored as JSON in its record so that the index alone says what is
/// indexed, from which file version, with which metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    /// Stable id shown to users: the key as 16 hex digits.
    pub id: String,
    /// 64-bit key shared by the record and its passages.
    pub key: u64,
    /// For a document of a collection (JSON Lines), its id within the file.
    #[serde(default)]
    pub item: Option<String>,
    /// Canonical root the file was indexed under.
    pub root: PathBuf,
    /// Path under the root, `/`-separated (for display; lossy when the name is not UTF-8).
    pub rel_path: String,
    /// The path under the root as raw bytes, only when it is not valid UTF-8, so the file can
    /// still be found again (Unix file names are bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel_path_raw: Option<Vec<u8>>,
    /// Format the text was extracted as.
    pub format: Format,
    /// The file's size and mtime when indexed.
    pub stamp: FileStamp,
    /// The sidecar's size and mtime, when there was one (editing it re-indexes the document).
    pub sidecar: Option<FileStamp>,
    /// Hash of the file's bytes (xxh3-128, hex).
    pub hash: String,
    /// Metadata with provenance.
    pub metadata: Metadata,
    /// Number of passages indexed.
    pub passages: u32,
    /// Bytes of clean text.
    pub text_bytes: u64,
    /// The first few hundred characters of the clean text, for `tipdex show`.
    pub head: String,
    /// Unix seconds when this record was written.
    pub indexed_at: i64,
    /// [`EXTRACTOR_VERSION`] of the run that extracted the text (0 before versions were kept).
    #[serde(default)]
    pub extractor: u32,
    /// What was left out of a file too large to index whole (text or passages past the
    /// limits), shown by `tipdex show`; absent when it was indexed whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
    /// Acronyms the text defines ("National Human Trafficking Hotline (NHTH)"), learned by the
    /// index when enough documents define them (see [`crate::acronyms`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acronyms: Vec<Definition>,
    /// Unix milliseconds of the run that first indexed this document; kept when its file is
    /// renamed, changes or is extracted again (0: indexed before stamps were kept).
    #[serde(default)]
    pub added_ms: i64,
    /// Unix milliseconds of the run that indexed its current content (file bytes or sidecar);
    /// kept when the file is renamed, touched or extracted again by newer rules.
    #[serde(default)]
    pub changed_ms: i64,
    /// The text's reprint signature (see [`crate::reprints`]); absent for a text too short to
    /// group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// The countries its text names, most-mentioned first, with the passages naming each (see
    /// [`crate::entities::countries`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryMentions>,
    /// The organisations, instruments and forms of exploitation its text names, by kind and
    /// most-mentioned first, with the passages naming each (see [`crate::entities::topics`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicMentions>,
}

/// Version of what extraction makes of a file (text, passages, metadata). Raised when a change
/// gives existing files different text or passages (e.g. headings starting passages) or adds
/// to what a record holds (8: reprint signatures, countries; 9: country aliases, "St." forms,
/// person names guarded; 10: the user's own fields, and a long source's short form as a
/// filter key; 11: organisations, instruments, forms of exploitation), so the
/// next run re-extracts files whose bytes did not change instead of keeping a mix of both.
pub(crate) const EXTRACTOR_VERSION: u32 = 11;

impl DocRecord {
    /// Absolute path of the file.
    pub fn path(&self) -> PathBuf {
        file_path(&self.root, &self.rel_path, self.rel_path_raw.as_deref())
    }

    /// Title to display: the metadata title, else the file name.
    pub fn display_title(&self) -> &str {
        match &self.metadata.title {
            Some(t) => &t.value,
            None => self.rel_path.rsplit('/').next().unwrap_or(&self.rel_path),
        }
    }
}

/// What planning a run needs of a record, read from the same stored JSON: enough to tell new,
/// unchanged, moved and gone files apart. A no-op run over 100,000 documents held 465 MB of full
/// records (metadata with provenance, the text head); the full record of a file is read only
/// when that file changed or moved.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct RecordSummary {
    /// See [`DocRecord::key`].
    pub key: u64,
    /// See [`DocRecord::item`].
    #[serde(default)]
    pub item: Option<String>,
    /// See [`DocRecord::root`].
    pub root: PathBuf,
    /// See [`DocRecord::rel_path`].
    pub rel_path: String,
    /// See [`DocRecord::rel_path_raw`].
    #[serde(default)]
    pub rel_path_raw: Option<Vec<u8>>,
    /// See [`DocRecord::stamp`].
    pub stamp: FileStamp,
    /// See [`DocRecord::sidecar`].
    pub sidecar: Option<FileStamp>,
    /// See [`DocRecord::hash`].
    pub hash: String,
    /// See [`DocRecord::extractor`].
    #[serde(default)]
    pub extractor: u32,
    /// See [`DocRecord::acronyms`].
    #[serde(default)]
    pub acronyms: Vec<Definition>,
    /// See [`DocRecord::added_ms`].
    #[serde(default)]
    pub added_ms: i64,
    /// See [`DocRecord::changed_ms`].
    #[serde(default)]
    pub changed_ms: i64,
    /// See [`DocRecord::signature`].
    #[serde(default)]
    pub signature: Option<Signature>,
    /// See [`DocRecord::countries`]; its first is the document's subject for reprints.
    #[serde(default)]
    pub countries: Vec<CountryMentions>,
}

impl RecordSummary {
    /// Whether this record was extracted by the current rules.
    pub(crate) fn current(&self) -> bool {
        self.extractor == EXTRACTOR_VERSION
    }

    /// Absolute path of the file.
    pub(crate) fn path(&self) -> PathBuf {
        file_path(&self.root, &self.rel_path, self.rel_path_raw.as_deref())
    }
}

fn file_path(root: &Path, rel_path: &str, raw: Option<&[u8]>) -> PathBuf {
    #[cfg(unix)]
    if let Some(raw) = raw {
        use std::os::unix::ffi::OsStrExt;
        return root.join(std::ffi::OsStr::from_bytes(raw));
    }
    #[cfg(not(unix))]
    let _ = raw;
    root.join(rel_path)
}

/// Document keys are already uniform 64-bit hashes (xxh3 of the path), so hashing them again with
/// SipHash only costs time: it was 5% of query time in a profile of the query bench.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; fold anything else in so the hasher stays correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// A map keyed by document key.
pub(crate) type KeyMap<V> = std::collections::HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// A set of document keys.
pub type KeySet = std::collections::HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// Key of the document at `path` (canonical): stable across runs and machines with the same
/// layout, so re-indexing replaces rather than duplicates.
pub(crate) fn doc_key(path: &Path) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_encoded_bytes())
}

/// The raw bytes of `path` under `root` when they are not UTF-8 (see [`DocRecord::rel_path_raw`]).
pub(crate) fn raw_rel_path(root: &Path, path: &Path) -> Option<Vec<u8>> {
    let rel = path.strip_prefix(root).ok()?;
    if rel.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(rel.as_os_str().as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Key of the document `id` inside the collection file at `path`.
pub(crate) fn item_key(path: &Path, id: &str) -> u64 {
    let mut bytes = path.as_os_str().as_encoded_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(id.as_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The user-facing id for a key.
pub(crate) fn doc_id(key: u64) -> String {
    format!("{key:016x}")
}

/// Content hash of a file's bytes.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}
