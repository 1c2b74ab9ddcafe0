//! Semantic search: a local sentence-embedding model (all-MiniLM-L6-v2) over passages.
//!
//! `model.rs` finds, installs and checks the model files (pinned by sha256); `encoder.rs` turns
//! text into unit vectors with a small BERT encoder written on candle; `query_model.rs` lays
//! the same model out once for queries (int8, mapped by each search; `one_text.rs` runs it,
//! `wordpiece.rs` tokenizes); `vectors.rs` keeps the
//! passages' vectors beside the index; `embed.rs` brings them level with the index;
//! `live.rs` gives a search the vectors that match the documents it sees, laid out by
//! `scan.rs` in one array for exact search, or through `lists.rs`' inverted lists past
//! ~250k vectors. Nothing here prints
//! or reaches the network unless the caller asks for a download.

mod assist;
mod dense;
pub mod embed;
pub mod encoder;
pub mod lists;
pub mod live;
pub mod model;
mod one_text;
pub mod query_model;
pub mod scan;
pub mod sketch;
pub mod vectors;
mod wordpiece;

pub use assist::{Assist, Finish};
pub use embed::{embed_index, EmbedProgress, EmbedReport};
pub use encoder::{Encoder, DIMENSIONS};
pub use live::{coverage, Coverage, LiveVectors};
pub use model::{ModelDir, MODEL_NAME};
pub use query_model::QueryEncoder;

use std::path::{Path, PathBuf};

/// What can go wrong with the embedding model.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    /// The model's files are not in the model folder.
    #[error("the embedding model {MODEL_NAME} is not in {}: run `tipdex model fetch --from DIR` with the unzipped model folder (or `tipdex model fetch` to download it from Hugging Face)", .0.display())]
    ModelMissing(PathBuf),

    /// A model file's bytes are not the pinned release.
    #[error("{} is not the pinned {MODEL_NAME} release (sha256 {found}, expected {expected}); fetch it again", .file.display())]
    ModelHash {
        /// The file checked.
        file: PathBuf,
        /// Its sha256.
        found: String,
        /// The pinned sha256.
        expected: &'static str,
    },

    /// Copying or reading the model files failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The download failed (offline, blocked, or no downloader on this machine).
    #[error("could not download {what}: {reason}; copy the files from another machine and run `tipdex model fetch --from DIR`")]
    Download {
        /// Which file.
        what: String,
        /// Why, in the downloader's words.
        reason: String,
    },

    /// The model files were read but could not be run (wrong shapes, bad tokenizer.json).
    #[error("the embedding model in {} cannot be loaded: {reason}", .dir.display())]
    ModelLoad {
        /// The model folder.
        dir: PathBuf,
        /// What failed.
        reason: String,
    },

    /// Another embedding run holds the index's vectors.
    #[error("another tipdex is embedding the index at {} now: wait for it to finish, then run this again", .0.display())]
    Busy(PathBuf),

    /// A vector chunk is torn, short or altered (found when a search opens it).
    #[error("the vector file {} is damaged: {what}; run `tipdex index --semantic` to embed its documents again (`tipdex check` lists every damaged file)", .file.display())]
    DamagedVectors {
        /// The chunk file.
        file: PathBuf,
        /// What is wrong.
        what: String,
    },

    /// Inference failed.
    #[error("embedding failed: {0}")]
    Inference(String),
}

/// The opening of a file of vectors (chunks, the lists file): its `magic`, then the model's
/// name and dimensions, so a file made for another model is told apart before it is read.
pub(crate) fn file_header(magic: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(magic);
    let model = MODEL_NAME.as_bytes();
    out.extend_from_slice(&(model.len() as u32).to_le_bytes());
    out.extend_from_slice(model);
    out.extend_from_slice(&(encoder::DIMENSIONS as u32).to_le_bytes());
    out
}

/// End a vectors file (`file_header` first) with the xxh3 of everything before it.
pub(crate) fn seal(out: &mut Vec<u8>) {
    let check = xxhash_rust::xxh3::xxh3_64(out);
    out.extend_from_slice(&check.to_le_bytes());
}

/// What is wrong with a sealed file's checksum, None when it holds (`bytes` at least the 8
/// bytes of the checksum: the callers' structure checks come first).
pub(crate) fn checksum_fault(bytes: &[u8]) -> Option<String> {
    let (body, check) = bytes.split_at(bytes.len() - 8);
    (xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(check.try_into().expect("8 bytes")))
        .then(|| "its checksum does not match its bytes (altered on disk)".to_string())
}

/// Little-endian fields read in order from a file's bytes (vector chunks, the lists file):
/// `None` past the end, so a short file is a value, never a panic.
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    /// Where the next field starts.
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// The fields of a file that [`file_header`] opened and [`seal`] closed, read from just
    /// past the header: `None` when it is too short or its header is not `magic` for this
    /// model. (The checksum itself is for the callers that read every byte anyway.)
    pub(crate) fn sealed(bytes: &'a [u8], magic: &[u8]) -> Option<Reader<'a>> {
        let body = bytes.get(..bytes.len().checked_sub(8)?)?;
        let mut r = Reader { bytes: body, at: 0 };
        r.file_header(magic)?;
        Some(r)
    }
    /// Read past what [`file_header`] wrote: `Some` only for `magic`, this model's name and
    /// its dimensions.
    pub(crate) fn file_header(&mut self, magic: &[u8]) -> Option<()> {
        if self.take(magic.len())? != magic {
            return None;
        }
        let model_len = self.u32()? as usize;
        let same = self.take(model_len)? == MODEL_NAME.as_bytes()
            && self.u32()? as usize == encoder::DIMENSIONS;
        same.then_some(())
    }
}

/// A file's bytes: mapped in place, or laid out in memory (`Layout::build`, sketches made for
/// a search of unsaved vectors).
pub(crate) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// The error of `action` on `path`, for `map_err`.
pub(crate) fn io_err(
    action: &'static str,
    path: &Path,
) -> impl FnOnce(std::io::Error) -> SemanticError {
    let path = path.to_path_buf();
    move |source| SemanticError::Io {
        action,
        path,
        source,
    }
}

/// Make a rename in `dir` durable; best effort, as a filesystem without directory fsync still
/// renames atomically.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Put `bytes` at `folder/name` whole: written to `folder/temp`, fsynced, renamed over `name`,
/// so a reader or a kill finds the old file or the new one, never part of one. A step that
/// fails removes the temporary. `temp` is the caller's: a name of its own per writer where
/// several processes may write the same file at once.
pub(crate) fn write_atomically(
    folder: &Path,
    name: &str,
    temp: &str,
    bytes: &[u8],
) -> Result<(), SemanticError> {
    use std::io::Write;
    let tmp = folder.join(temp);
    let written = std::fs::File::create(&tmp)
        .map_err(io_err("write", &tmp))
        .and_then(|mut f| {
            f.write_all(bytes).map_err(io_err("write", &tmp))?;
            f.sync_all().map_err(io_err("fsync", &tmp))
        });
    let dest = folder.join(name);
    let renamed = written
        .and_then(|()| std::fs::rename(&tmp, &dest).map_err(io_err("rename into place", &dest)));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed?;
    sync_dir(folder);
    Ok(())
}

impl SemanticError {
    /// Whether the user fixes this by what they type or install (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, SemanticError::ModelMissing(_))
    }
}
