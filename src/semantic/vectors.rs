//! Where passage embeddings live: `INDEX/semantic/`, beside tantivy's files, never inside them.
//!
//! Why a folder of its own and not tantivy segments or the commit payload: embedding is slow
//! (minutes to hours) and must never hold the index writer, so the lexical index never waits
//! for it and a lexical run can commit while embedding goes on. Vectors are grouped by
//! document under a signature of what the passages were made from (the document key, its
//! content hash and the extraction rules' version), so they stay valid across segment merges,
//! moves and `--full` rebuilds, and a changed document's old vectors are simply not matched
//! any more. Each vector also carries the [`passage_digest`] of the exact text the model read,
//! so when a document's signature changes (an edit, a new extraction rule) the embedding run
//! reuses every vector whose text is unchanged and embeds only the passages that differ.
//!
//! Files: `chunk-NNNNNNNN.vec`, each a self-checking batch of groups (magic, model, dimensions,
//! groups, xxh3 of all before; `TIPVEC01` chunks, written before passage digests, are still
//! read, their vectors with digest 0 = unknown, and re-keyed by the next embedding run from
//! the document's current passages without embedding them again when its signature holds), written as `.chunk-….tmp`, fsynced and renamed, so a kill
//! at any moment leaves whole chunks only; a later chunk's group replaces an earlier one of
//! the same document. `synced` names the index state (its segments and deletions) every group
//! in the chunks matches (all its documents, or the ones an interrupted run reached), so a
//! search can trust them without reading every record, and each chunk's length then. A
//! chunk's checksum is checked where all its bytes are read anyway (the embedding run) and by
//! `tipdex check`; a search checks only what costs no pass over the vectors (header, group
//! walk, noted length), and a chunk failing that is an error naming the file.
//! Compaction writes every live group into one new chunk, then deletes the older ones.
//!
//! Vectors are stored as int8 with one scale per vector (384 + 12 bytes per passage with its
//! ordinal and digest): the dot product loses < 1% of the cosine's precision (see `scan.rs`)
//! at a quarter of the size of f32.

use super::encoder::DIMENSIONS;
use super::{io_err, sync_dir, write_atomically, Reader, SemanticError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// The folder inside an index.
pub const FOLDER: &str = "semantic";
const MAGIC: &[u8; 8] = b"TIPVEC02";
/// Chunks without passage digests (read, never written).
const MAGIC_UNDIGESTED: &[u8; 8] = b"TIPVEC01";
const SYNCED: &str = "synced";

/// One passage's vector: its ordinal in the document, the digest of the text it was made
/// from, int8 components and their scale.
#[derive(Clone, Debug, PartialEq)]
pub struct PassageVector {
    /// The passage's ordinal within its document.
    pub ordinal: u32,
    /// [`passage_digest`] of the text the model read; 0 when unknown (an old chunk).
    pub digest: u64,
    /// Multiply the components by this to get the (approximate) unit vector.
    pub scale: f32,
    /// The components, quantised.
    pub components: Vec<i8>,
}

impl PassageVector {
    /// Quantise a unit vector made from the text of digest `digest`.
    pub fn quantise(ordinal: u32, digest: u64, v: &[f32]) -> PassageVector {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let components = v.iter().map(|x| (x / scale).round() as i8).collect();
        PassageVector {
            ordinal,
            digest,
            scale,
            components,
        }
    }
}

/// One document's vectors with the signature of the text they were made from.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The document's key.
    pub key: u64,
    /// See [`signature`].
    pub signature: u64,
    /// Its passages' vectors.
    pub passages: Vec<PassageVector>,
}

/// What a document's passages were made from: its content hash and the extraction rules'
/// version. Equal signatures mean equal passages.
pub fn signature(content_hash: &str, extractor: u32) -> u64 {
    let mut bytes = content_hash.as_bytes().to_vec();
    bytes.extend_from_slice(&extractor.to_le_bytes());
    xxh3_64(&bytes)
}

/// What identifies a passage's vector: the model and the exact text it read. Never 0 (the
/// mark of an unknown digest).
pub fn passage_digest(model_text: &str) -> u64 {
    let mut bytes = Vec::with_capacity(super::MODEL_NAME.len() + 1 + model_text.len());
    bytes.extend_from_slice(super::MODEL_NAME.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(model_text.as_bytes());
    xxh3_64(&bytes).max(1)
}

impl Group {
    /// Whether every vector carries the digest of its text (false for an old chunk's group).
    pub fn digested(&self) -> bool {
        self.passages.iter().all(|p| p.digest != 0)
    }
}

/// The vectors of an index, as read from its chunks.
#[derive(Debug, Default)]
pub struct VectorStore {
    /// Live groups by document key.
    pub groups: HashMap<u64, Group>,
    /// The chunk files read, oldest first.
    chunks: Vec<PathBuf>,
    next_chunk: u64,
    /// A chunk read was damaged: the next settle rewrites the live groups without it.
    damaged: bool,
}

impl VectorStore {
    /// The folder of `index_dir`'s vectors.
    pub fn folder(index_dir: &Path) -> PathBuf {
        index_dir.join(FOLDER)
    }

    /// Whether semantic search was turned on for this index (its folder exists).
    pub fn enabled(index_dir: &Path) -> bool {
        Self::folder(index_dir).is_dir()
    }

    /// Read every whole chunk, its checksum checked (a damaged or foreign one is skipped: its
    /// documents are embedded again, and a damaged file is removed at the next settle).
    pub fn load(index_dir: &Path) -> Result<VectorStore, SemanticError> {
        let mut store = VectorStore {
            next_chunk: SyncedNote::read(index_dir)
                .highest_chunk()
                .map_or(0, |n| n + 1),
            ..VectorStore::default()
        };
        for (n, path) in chunk_files(index_dir)? {
            store.next_chunk = store.next_chunk.max(n + 1);
            let bytes = std::fs::read(&path).map_err(io_err("read", &path))?;
            match decode_chunk(&bytes) {
                Ok(groups) => {
                    for g in groups {
                        store.groups.insert(g.key, g);
                    }
                }
                Err(ChunkFault::Damaged(_)) => store.damaged = true,
                Err(ChunkFault::Foreign) => {}
            }
            store.chunks.push(path);
        }
        Ok(store)
    }

    /// [`VectorStore::map_with`] with every chunk's groups found by the walk.
    #[cfg(test)]
    pub(crate) fn map(
        index_dir: &Path,
    ) -> Result<Vec<(u64, memmap2::Mmap, ChunkShape)>, SemanticError> {
        Self::map_with(index_dir, |_, _| Ok(None))
    }

    /// Every chunk of `index_dir`, oldest first, mapped into memory with its shape, for a
    /// search to read in place: no decoding, no copy, pages read as the scan touches them.
    /// Each chunk's groups come from `directory(number, bytes)` when it has them and they
    /// fit the chunk ([`chunk_shape_from`]), else from the walk through its group headers.
    /// Only the structure is checked (header, groups, the length the `synced` note gives),
    /// not the checksum, which would read every byte of every chunk on every CLI search: the
    /// embedding run checks it when it reads the chunks and `tipdex check` when asked. A chunk
    /// for another model is left out; a torn or short one is an error naming it.
    pub(crate) fn map_with(
        index_dir: &Path,
        mut directory: impl FnMut(u64, &[u8]) -> Result<Option<Vec<GroupSpan>>, SemanticError>,
    ) -> Result<Vec<(u64, memmap2::Mmap, ChunkShape)>, SemanticError> {
        let chunks = chunk_files(index_dir)?;
        let noted = SyncedNote::read(index_dir);
        let mut mapped = Vec::with_capacity(chunks.len());
        for (number, path) in chunks {
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                // Compacted away since the folder was listed: its groups are in a later chunk.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err("read", &path)(e)),
            };
            // SAFETY: a chunk file is never written after it is renamed into place (new
            // vectors go to new chunks, compaction writes a new chunk and deletes old ones,
            // and a deleted file stays mapped until unmapped), so the bytes cannot change
            // under the map.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err("map", &path))?;
            let fault = noted
                .length_fault(&path, map.len() as u64)
                .map(ChunkFault::Damaged);
            let shape = match fault {
                Some(fault) => Err(fault),
                None => match directory(number, &map)?.and_then(|g| chunk_shape_from(&map, g)) {
                    Some(shape) => Ok(shape),
                    None => chunk_shape(&map),
                },
            };
            match shape {
                Ok(shape) => mapped.push((number, map, shape)),
                Err(ChunkFault::Foreign) => {}
                Err(ChunkFault::Damaged(what)) => {
                    return Err(SemanticError::DamagedVectors { file: path, what })
                }
            }
        }
        Ok(mapped)
    }

    /// Append `groups` as a new chunk (temporary file, fsync, rename, folder fsync).
    pub fn append(&mut self, index_dir: &Path, groups: Vec<Group>) -> Result<(), SemanticError> {
        if groups.is_empty() {
            return Ok(());
        }
        let path = self.write_chunk(index_dir, &groups)?;
        self.chunks.push(path);
        for g in groups {
            self.groups.insert(g.key, g);
        }
        Ok(())
    }

    /// Take the groups `keep` refuses out of the live set, in memory only: their chunks stay
    /// on disk (so a killed run can still reuse their vectors) until [`VectorStore::settle`].
    pub fn take_unless(&mut self, keep: impl Fn(&Group) -> bool) -> HashMap<u64, Group> {
        let keys: Vec<u64> = self
            .groups
            .values()
            .filter(|g| !keep(g))
            .map(|g| g.key)
            .collect();
        keys.into_iter()
            .filter_map(|k| self.groups.remove_entry(&k))
            .collect()
    }

    /// Bring the files level with the live set: rewrite the chunks as one when groups were
    /// taken out (`taken`) or the chunks have become many.
    pub fn settle(&mut self, index_dir: &Path, taken: bool) -> Result<(), SemanticError> {
        if taken || self.damaged || self.chunks.len() > 16 {
            self.compact(index_dir)?;
        }
        Ok(())
    }

    /// Write every live group into one new chunk, then delete the older chunks. A kill between
    /// the two leaves duplicates only, which the next load resolves (later chunk wins).
    fn compact(&mut self, index_dir: &Path) -> Result<(), SemanticError> {
        let mut groups: Vec<Group> = self.groups.values().cloned().collect();
        groups.sort_by_key(|g| g.key);
        let old = std::mem::take(&mut self.chunks);
        if !groups.is_empty() {
            let path = self.write_chunk(index_dir, &groups)?;
            self.chunks.push(path);
        }
        for path in old {
            std::fs::remove_file(&path).map_err(io_err("remove", &path))?;
        }
        self.damaged = false;
        sync_dir(&Self::folder(index_dir));
        Ok(())
    }

    fn write_chunk(
        &mut self,
        index_dir: &Path,
        groups: &[Group],
    ) -> Result<PathBuf, SemanticError> {
        let folder = Self::folder(index_dir);
        std::fs::create_dir_all(&folder).map_err(io_err("create", &folder))?;
        let name = format!("chunk-{:08}.vec", self.next_chunk);
        self.next_chunk += 1;
        let path = folder.join(&name);
        write_whole(&folder, &name, &encode_chunk(groups))?;
        Ok(path)
    }

    /// The index state the vectors were last brought level with (see [`fingerprint`]).
    pub fn synced(index_dir: &Path) -> Option<u64> {
        SyncedNote::read(index_dir).fingerprint
    }

    /// Note that every group on disk matches its document in the index state `fingerprint`
    /// (all of them, or those an interrupted run reached), and each chunk's length now (the
    /// chunks were all written whole and checked by this run).
    pub fn mark_synced(index_dir: &Path, fingerprint: u64) -> Result<(), SemanticError> {
        let folder = Self::folder(index_dir);
        let mut note = format!("{fingerprint:016x}\n");
        for (_, path) in chunk_files(index_dir)? {
            let len = std::fs::metadata(&path)
                .map_err(io_err("read", &path))?
                .len();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            note.push_str(&format!("{name} {len}\n"));
        }
        write_whole(&folder, SYNCED, note.as_bytes())
    }

    /// Turn semantic search on for an index: create its folder.
    pub fn enable(index_dir: &Path) -> Result<(), SemanticError> {
        let folder = Self::folder(index_dir);
        std::fs::create_dir_all(&folder).map_err(io_err("create", &folder))
    }

    /// Number of passage vectors held.
    pub fn passages(&self) -> usize {
        self.groups.values().map(|g| g.passages.len()).sum()
    }
}

/// A fingerprint of what a searcher sees: its segments and their deletions. Any document
/// added, changed or removed changes it (merges too, which only costs a slower check).
pub fn fingerprint(searcher: &tantivy::Searcher) -> u64 {
    let mut parts: Vec<String> = searcher
        .segment_readers()
        .iter()
        .map(|s| format!("{}:{}", s.segment_id().uuid_string(), s.num_deleted_docs()))
        .collect();
    parts.sort();
    xxh3_64(parts.join(",").as_bytes())
}

fn chunk_number(name: &str) -> Option<u64> {
    name.strip_prefix("chunk-")?
        .strip_suffix(".vec")?
        .parse()
        .ok()
}

pub(super) fn encode_chunk<G: std::borrow::Borrow<Group>>(groups: &[G]) -> Vec<u8> {
    let mut out = super::file_header(MAGIC);
    out.extend_from_slice(&(groups.len() as u32).to_le_bytes());
    for g in groups {
        let g = g.borrow();
        out.extend_from_slice(&g.key.to_le_bytes());
        out.extend_from_slice(&g.signature.to_le_bytes());
        out.extend_from_slice(&(g.passages.len() as u32).to_le_bytes());
        for p in &g.passages {
            out.extend_from_slice(&p.ordinal.to_le_bytes());
            out.extend_from_slice(&p.digest.to_le_bytes());
            out.extend_from_slice(&p.scale.to_le_bytes());
            out.extend(p.components.iter().map(|c| *c as u8));
        }
    }
    super::seal(&mut out);
    out
}

/// Where a chunk's vectors sit in its bytes, found without copying them: every passage is a
/// fixed-size record (ordinal, digest, scale, components), so a search can read the rows in
/// place from a mapped file (`scan::Layout::open`) and only the embedding run decodes them.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChunkShape {
    /// Bytes from one passage record to the next.
    pub stride: usize,
    /// Offsets within a record of the digest (None: an undigested chunk), scale and
    /// components; the ordinal is at 0.
    pub digest_at: Option<usize>,
    /// See `digest_at`.
    pub scale_at: usize,
    /// See `digest_at`.
    pub components_at: usize,
    /// The chunk's groups in file order.
    pub groups: Vec<GroupSpan>,
}

/// One group's place in a chunk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GroupSpan {
    /// The document's key.
    pub key: u64,
    /// See [`signature`].
    pub signature: u64,
    /// Byte offset of its first passage record.
    pub first: usize,
    /// Its passages.
    pub count: u32,
}

/// Why a chunk's bytes cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ChunkFault {
    /// Written for another model or another number of dimensions: not damage, just not ours
    /// (its documents are embedded again with this model).
    Foreign,
    /// Torn, short or altered: what is wrong, in words.
    Damaged(String),
}

/// The shape of a chunk from its structure alone: the header (magic, model, dimensions) and
/// the group headers' walk, which must end exactly at the checksum. Reads one header per
/// document, never the vectors, so a search opening a chunk pays no pass over its bytes; a
/// torn or short file cannot pass it (the groups' counts and the length must agree). Bit
/// damage inside the vectors is what only [`chunk_checked`] finds.
pub(crate) fn chunk_shape(bytes: &[u8]) -> Result<ChunkShape, ChunkFault> {
    let (mut shape, mut r, count) = chunk_header(bytes)?;
    let short =
        || ChunkFault::Damaged("it ends before its last group (a torn or short file)".into());
    // Capacity from what the bytes can hold, not from a count a damaged header may inflate.
    let mut groups = Vec::with_capacity((count as usize).min(r.bytes.len() / GROUP_HEADER));
    for _ in 0..count {
        let key = r.u64().ok_or_else(short)?;
        let signature = r.u64().ok_or_else(short)?;
        let n = r.u32().ok_or_else(short)?;
        let first = r.at;
        r.take(shape.stride.checked_mul(n as usize).ok_or_else(short)?)
            .ok_or_else(short)?;
        groups.push(GroupSpan {
            key,
            signature,
            first,
            count: n,
        });
    }
    if r.at != r.bytes.len() {
        return Err(ChunkFault::Damaged(
            "it is longer than its groups (bytes after the last group)".into(),
        ));
    }
    shape.groups = groups;
    Ok(shape)
}

/// The shape of a chunk from its header and a directory of its groups kept elsewhere (its
/// sketch file, named by this chunk's checksum), without the walk through the group
/// headers, which touches every page of the chunk. None unless the directory has the
/// header's number of groups and its spans tile the chunk exactly as the walk would find
/// them (each group's header, then its records, up to the checksum).
pub(crate) fn chunk_shape_from(bytes: &[u8], groups: Vec<GroupSpan>) -> Option<ChunkShape> {
    let (mut shape, r, count) = chunk_header(bytes).ok()?;
    if groups.len() != count as usize {
        return None;
    }
    let mut at = r.at;
    for span in &groups {
        at = at.checked_add(GROUP_HEADER)?;
        if span.first != at {
            return None;
        }
        at = at.checked_add(shape.stride.checked_mul(span.count as usize)?)?;
    }
    if at != r.bytes.len() {
        return None;
    }
    shape.groups = groups;
    Some(shape)
}

/// Bytes before a group's records: its key, signature and count.
const GROUP_HEADER: usize = 20;

/// A chunk's header: its shape without groups, a reader at its first group, and the number
/// of groups it says it has.
fn chunk_header(bytes: &[u8]) -> Result<(ChunkShape, Reader<'_>, u32), ChunkFault> {
    let damaged = |what: &str| ChunkFault::Damaged(what.to_string());
    let body_len = bytes
        .len()
        .checked_sub(8)
        .ok_or_else(|| damaged("shorter than a chunk header"))?;
    let body = &bytes[..body_len];
    let short = || damaged("it ends before its last group (a torn or short file)");
    let mut r = Reader { bytes: body, at: 0 };
    let digested = match r.take(8).ok_or_else(short)? {
        m if m == MAGIC => true,
        m if m == MAGIC_UNDIGESTED => false,
        _ => return Err(damaged("its header is not a tipdex vector chunk's")),
    };
    let model_len = r.u32().ok_or_else(short)? as usize;
    if model_len > 1024 {
        return Err(damaged("its header is not a tipdex vector chunk's"));
    }
    if r.take(model_len).ok_or_else(short)? != super::MODEL_NAME.as_bytes()
        || r.u32().ok_or_else(short)? as usize != DIMENSIONS
    {
        return Err(ChunkFault::Foreign);
    }
    let (digest_at, scale_at) = if digested { (Some(4), 12) } else { (None, 4) };
    let components_at = scale_at + 4;
    let stride = components_at + DIMENSIONS;
    let count = r.u32().ok_or_else(short)?;
    let shape = ChunkShape {
        stride,
        digest_at,
        scale_at,
        components_at,
        groups: Vec::new(),
    };
    Ok((shape, r, count))
}

/// [`chunk_shape`] after the chunk's checksum over all its bytes: what the embedding run
/// (which reads every vector anyway) and `tipdex check` use.
pub(crate) fn chunk_checked(bytes: &[u8]) -> Result<ChunkShape, ChunkFault> {
    let shape = chunk_shape(bytes)?;
    match super::checksum_fault(bytes) {
        Some(what) => Err(ChunkFault::Damaged(what)),
        None => Ok(shape),
    }
}

/// A damaged chunk of `index_dir`'s vectors: the file (relative to the index folder) and what
/// is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DamagedChunk {
    /// The chunk file, relative to the index folder.
    pub file: PathBuf,
    /// What is wrong, in words.
    pub what: String,
}

/// Read every chunk of `index_dir` whole and check it (header, structure, checksum, the
/// length the last embedding run noted): what `tipdex check` reports. Chunks written for
/// another model are not damage.
pub fn verify_chunks(index_dir: &Path) -> Result<Vec<DamagedChunk>, SemanticError> {
    let noted = SyncedNote::read(index_dir);
    let mut damaged = Vec::new();
    for (_, path) in chunk_files(index_dir)? {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        let fault = noted
            .length_fault(&path, bytes.len() as u64)
            .map(ChunkFault::Damaged)
            .map_or_else(|| chunk_checked(&bytes).err(), Some);
        if let Some(ChunkFault::Damaged(what)) = fault {
            damaged.push(DamagedChunk {
                file: Path::new(FOLDER).join(path.file_name().unwrap_or_default()),
                what,
            });
        }
    }
    Ok(damaged)
}

/// The `synced` note: the index state every group on disk matches, and the length of each
/// chunk file then, so a search opening a chunk can tell a file cut short or grown since
/// from one it may trust, without reading it.
#[derive(Debug, Default)]
struct SyncedNote {
    fingerprint: Option<u64>,
    lengths: HashMap<String, u64>,
}

impl SyncedNote {
    /// The note of `index_dir` (empty when there is none or it cannot be read: then only the
    /// chunks' structure is checked).
    fn read(index_dir: &Path) -> SyncedNote {
        let Ok(text) = std::fs::read_to_string(VectorStore::folder(index_dir).join(SYNCED)) else {
            return SyncedNote::default();
        };
        let mut lines = text.lines();
        let fingerprint = lines
            .next()
            .and_then(|l| u64::from_str_radix(l.trim(), 16).ok());
        let lengths = lines
            .filter_map(|l| {
                let (name, len) = l.split_once(' ')?;
                Some((name.to_string(), len.trim().parse().ok()?))
            })
            .collect();
        SyncedNote {
            fingerprint,
            lengths,
        }
    }

    /// What is wrong when `path` is `len` bytes long but the note says otherwise.
    fn length_fault(&self, path: &Path, len: u64) -> Option<String> {
        let name = path.file_name()?.to_string_lossy();
        let noted = *self.lengths.get(name.as_ref())?;
        (noted != len).then(|| {
            format!("it is {len} bytes long where the last embedding run left {noted} (a torn or altered file)")
        })
    }

    /// The highest chunk number the note names: never reused while the note names it, so a
    /// noted length always belongs to the file it was taken from.
    fn highest_chunk(&self) -> Option<u64> {
        self.lengths.keys().filter_map(|n| chunk_number(n)).max()
    }
}

/// The chunk files of `index_dir`, oldest first.
pub(crate) fn chunk_files(index_dir: &Path) -> Result<Vec<(u64, PathBuf)>, SemanticError> {
    let folder = VectorStore::folder(index_dir);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err("read", &folder)(e)),
    };
    let mut chunks: Vec<(u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((chunk_number(&e.file_name().to_string_lossy())?, e.path())))
        .collect();
    chunks.sort();
    Ok(chunks)
}

impl ChunkShape {
    /// The `i`-th passage record of `span` in `bytes` (the chunk this shape was read from).
    pub fn record<'a>(&self, bytes: &'a [u8], span: &GroupSpan, i: usize) -> &'a [u8] {
        &bytes[span.first + i * self.stride..][..self.stride]
    }

    /// The passage ordinal of a record.
    pub fn ordinal(&self, record: &[u8]) -> u32 {
        u32::from_le_bytes(record[..4].try_into().expect("4 bytes"))
    }

    /// The scale of a record.
    pub fn scale(&self, record: &[u8]) -> f32 {
        f32::from_le_bytes(
            record[self.scale_at..self.scale_at + 4]
                .try_into()
                .expect("4 bytes"),
        )
    }
}

/// The groups of a chunk, its checksum checked.
fn decode_chunk(bytes: &[u8]) -> Result<Vec<Group>, ChunkFault> {
    let shape = chunk_checked(bytes)?;
    let groups = shape
        .groups
        .iter()
        .map(|span| Group {
            key: span.key,
            signature: span.signature,
            passages: (0..span.count as usize)
                .map(|i| {
                    let record = shape.record(bytes, span, i);
                    PassageVector {
                        ordinal: shape.ordinal(record),
                        digest: shape.digest_at.map_or(0, |at| {
                            u64::from_le_bytes(record[at..at + 8].try_into().expect("8 bytes"))
                        }),
                        scale: shape.scale(record),
                        components: record[shape.components_at..]
                            .iter()
                            .map(|b| *b as i8)
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(groups)
}

/// `name` in the vectors' folder, whole (one embedding run writes at a time: `RunLock`).
fn write_whole(folder: &Path, name: &str, bytes: &[u8]) -> Result<(), SemanticError> {
    write_atomically(folder, name, &format!(".{name}.tmp"), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u32) -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSIONS)
            .map(|i| (((i as u32 * 7 + seed * 13) % 29) as f32) - 14.0)
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn group(key: u64, sig: u64, n: u32) -> Group {
        Group {
            key,
            signature: sig,
            passages: (0..n)
                .map(|o| PassageVector::quantise(o, u64::from(o) + 1, &unit(o + key as u32)))
                .collect(),
        }
    }

    #[test]
    fn chunks_round_trip_and_a_later_chunk_replaces_a_document() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store
            .append(dir.path(), vec![group(1, 10, 3), group(2, 20, 1)])
            .unwrap();
        store.append(dir.path(), vec![group(1, 11, 2)]).unwrap();
        let loaded = VectorStore::load(dir.path()).unwrap();
        assert_eq!(loaded.groups.len(), 2);
        assert_eq!(loaded.groups[&1], group(1, 11, 2));
        assert_eq!(loaded.groups[&2], group(2, 20, 1));
        assert_eq!(loaded.passages(), 3);
    }

    /// Chunks written before passage digests are read, their vectors marked undigested.
    #[test]
    fn an_undigested_chunk_is_read_with_unknown_digests() {
        let g = group(7, 70, 2);
        let mut old = Vec::new();
        old.extend_from_slice(MAGIC_UNDIGESTED);
        let model = crate::semantic::MODEL_NAME.as_bytes();
        old.extend_from_slice(&(model.len() as u32).to_le_bytes());
        old.extend_from_slice(model);
        old.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
        old.extend_from_slice(&1u32.to_le_bytes());
        old.extend_from_slice(&g.key.to_le_bytes());
        old.extend_from_slice(&g.signature.to_le_bytes());
        old.extend_from_slice(&(g.passages.len() as u32).to_le_bytes());
        for p in &g.passages {
            old.extend_from_slice(&p.ordinal.to_le_bytes());
            old.extend_from_slice(&p.scale.to_le_bytes());
            old.extend(p.components.iter().map(|c| *c as u8));
        }
        let check = xxh3_64(&old);
        old.extend_from_slice(&check.to_le_bytes());
        let read = decode_chunk(&old).expect("an old chunk is read");
        assert!(!read[0].digested());
        assert_eq!(read[0].passages[1].components, g.passages[1].components);
        assert!(g.digested());
        assert_eq!(
            decode_chunk(&encode_chunk(std::slice::from_ref(&g))),
            Ok(vec![g])
        );
    }

    #[test]
    fn a_damaged_chunk_or_a_leftover_temporary_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.append(dir.path(), vec![group(1, 10, 2)]).unwrap();
        store.append(dir.path(), vec![group(2, 20, 2)]).unwrap();
        let folder = VectorStore::folder(dir.path());
        // A kill mid-write leaves a temporary; a torn disk write a chunk whose check fails.
        std::fs::write(folder.join(".chunk-00000009.vec.tmp"), b"partial").unwrap();
        let second = folder.join("chunk-00000001.vec");
        let mut bytes = std::fs::read(&second).unwrap();
        bytes[40] ^= 0xff;
        std::fs::write(&second, bytes).unwrap();
        let loaded = VectorStore::load(dir.path()).unwrap();
        assert_eq!(loaded.groups.keys().copied().collect::<Vec<_>>(), vec![1]);
    }

    /// A search's open checks structure and the noted length, not the checksum: a chunk cut
    /// short is an error naming it; an altered byte inside the vectors is found by
    /// `verify_chunks` (and skipped, then removed, by the embedding run).
    #[test]
    fn a_search_catches_a_torn_chunk_and_check_catches_an_altered_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.append(dir.path(), vec![group(1, 10, 2)]).unwrap();
        store.append(dir.path(), vec![group(2, 20, 2)]).unwrap();
        VectorStore::mark_synced(dir.path(), 42).unwrap();
        assert_eq!(VectorStore::synced(dir.path()), Some(42));
        assert_eq!(VectorStore::map(dir.path()).unwrap().len(), 2);
        assert!(verify_chunks(dir.path()).unwrap().is_empty());

        let folder = VectorStore::folder(dir.path());
        let second = folder.join("chunk-00000001.vec");
        let whole = std::fs::read(&second).unwrap();
        let mut altered = whole.clone();
        altered[100] ^= 0xff;
        std::fs::write(&second, &altered).unwrap();
        assert_eq!(VectorStore::map(dir.path()).unwrap().len(), 2);
        let found = verify_chunks(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, Path::new("semantic/chunk-00000001.vec"));
        assert!(found[0].what.contains("checksum"), "{}", found[0].what);

        // Cut short: the search's open says which file and what to run.
        std::fs::write(&second, &whole[..whole.len() - 300]).unwrap();
        let err = VectorStore::map(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("chunk-00000001.vec")
                && err.contains("torn")
                && err.contains("tipdex index --semantic"),
            "{err}"
        );
        // Without the note, the group walk alone still catches it.
        std::fs::remove_file(folder.join(SYNCED)).unwrap();
        let err = VectorStore::map(dir.path()).unwrap_err().to_string();
        assert!(err.contains("chunk-00000001.vec"), "{err}");

        // The embedding run skips it and rewrites the live groups without it.
        let mut store = VectorStore::load(dir.path()).unwrap();
        assert_eq!(store.groups.keys().copied().collect::<Vec<_>>(), vec![1]);
        store.settle(dir.path(), false).unwrap();
        assert_eq!(VectorStore::map(dir.path()).unwrap().len(), 1);
        assert!(verify_chunks(dir.path()).unwrap().is_empty());
    }

    /// A chunk name the note gives a length is never reused, so an old note cannot call a
    /// new chunk of that name damaged.
    #[test]
    fn chunk_names_in_the_note_are_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.append(dir.path(), vec![group(1, 10, 2)]).unwrap();
        VectorStore::mark_synced(dir.path(), 1).unwrap();
        // Every group taken out: compaction leaves no chunk at all.
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.take_unless(|_| false);
        store.settle(dir.path(), true).unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.append(dir.path(), vec![group(2, 20, 5)]).unwrap();
        assert!(VectorStore::folder(dir.path())
            .join("chunk-00000001.vec")
            .exists());
        assert_eq!(VectorStore::map(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn taken_groups_stay_on_disk_until_settled_into_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store.append(dir.path(), vec![group(1, 10, 2)]).unwrap();
        store.append(dir.path(), vec![group(2, 20, 2)]).unwrap();
        let taken = store.take_unless(|g| g.key != 1);
        assert_eq!(taken.keys().copied().collect::<Vec<_>>(), vec![1]);
        // A kill before settling loses nothing.
        assert_eq!(VectorStore::load(dir.path()).unwrap().groups.len(), 2);
        store.settle(dir.path(), true).unwrap();
        let chunks = std::fs::read_dir(VectorStore::folder(dir.path()))
            .unwrap()
            .filter(|e| chunk_number(&e.as_ref().unwrap().file_name().to_string_lossy()).is_some())
            .count();
        assert_eq!(chunks, 1);
        let loaded = VectorStore::load(dir.path()).unwrap();
        assert_eq!(loaded.groups.keys().copied().collect::<Vec<_>>(), vec![2]);
    }
}
