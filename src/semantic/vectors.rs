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
//! search can trust them without reading every record.
//! Compaction writes every live group into one new chunk, then deletes the older ones.
//!
//! Vectors are stored as int8 with one scale per vector (384 + 12 bytes per passage with its
//! ordinal and digest): the dot product loses < 1% of the cosine's precision (see `scan.rs`)
//! at a quarter of the size of f32.

use super::encoder::DIMENSIONS;
use super::{io_err, sync_dir, write_atomically, SemanticError};
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

    /// Read every whole chunk (a damaged or foreign one is skipped: its documents are embedded
    /// again) and remove temporaries a killed run left.
    pub fn load(index_dir: &Path) -> Result<VectorStore, SemanticError> {
        let folder = Self::folder(index_dir);
        let mut store = VectorStore::default();
        let entries = match std::fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
            Err(e) => return Err(io_err("read", &folder)(e)),
        };
        let mut chunks = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(n) = chunk_number(&name) {
                chunks.push((n, entry.path()));
            }
        }
        chunks.sort();
        for (n, path) in chunks {
            store.next_chunk = store.next_chunk.max(n + 1);
            let bytes = std::fs::read(&path).map_err(io_err("read", &path))?;
            if let Some(groups) = decode_chunk(&bytes) {
                for g in groups {
                    store.groups.insert(g.key, g);
                }
            }
            store.chunks.push(path);
        }
        Ok(store)
    }

    /// Every whole chunk of `index_dir`, oldest first, mapped into memory with its shape (a
    /// damaged or foreign one is left out, as [`VectorStore::load`] does), for a search to
    /// read in place: no decoding, no copy, pages read as the scan touches them.
    pub(crate) fn map(index_dir: &Path) -> Result<Vec<(memmap2::Mmap, ChunkShape)>, SemanticError> {
        let folder = Self::folder(index_dir);
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
        let mut mapped = Vec::with_capacity(chunks.len());
        for (_, path) in chunks {
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
            if let Some(shape) = chunk_shape(&map) {
                mapped.push((map, shape));
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
        if taken || self.chunks.len() > 16 {
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
        let text = std::fs::read_to_string(Self::folder(index_dir).join(SYNCED)).ok()?;
        u64::from_str_radix(text.trim(), 16).ok()
    }

    /// Note that every group on disk matches its document in the index state `fingerprint`
    /// (all of them, or those an interrupted run reached).
    pub fn mark_synced(index_dir: &Path, fingerprint: u64) -> Result<(), SemanticError> {
        let folder = Self::folder(index_dir);
        write_whole(&folder, SYNCED, format!("{fingerprint:016x}\n").as_bytes())
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
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    let model = super::MODEL_NAME.as_bytes();
    out.extend_from_slice(&(model.len() as u32).to_le_bytes());
    out.extend_from_slice(model);
    out.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
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
    let check = xxh3_64(&out);
    out.extend_from_slice(&check.to_le_bytes());
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

/// The shape of a chunk, or None when it is damaged (its check fails: a torn or altered file)
/// or written for another model.
pub(crate) fn chunk_shape(bytes: &[u8]) -> Option<ChunkShape> {
    let (body, check) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxh3_64(body) != u64::from_le_bytes(check.try_into().ok()?) {
        return None;
    }
    let mut r = Reader { bytes: body, at: 0 };
    let digested = match r.take(8)? {
        m if m == MAGIC => true,
        m if m == MAGIC_UNDIGESTED => false,
        _ => return None,
    };
    let model_len = r.u32()? as usize;
    if r.take(model_len)? != super::MODEL_NAME.as_bytes() || r.u32()? as usize != DIMENSIONS {
        return None;
    }
    let (digest_at, scale_at) = if digested { (Some(4), 12) } else { (None, 4) };
    let components_at = scale_at + 4;
    let stride = components_at + DIMENSIONS;
    let count = r.u32()?;
    let mut groups = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let key = r.u64()?;
        let signature = r.u64()?;
        let n = r.u32()?;
        let first = r.at;
        r.take(stride.checked_mul(n as usize)?)?;
        groups.push(GroupSpan {
            key,
            signature,
            first,
            count: n,
        });
    }
    (r.at == body.len()).then_some(ChunkShape {
        stride,
        digest_at,
        scale_at,
        components_at,
        groups,
    })
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

/// The groups of a chunk, or None when it is damaged or written for another model.
fn decode_chunk(bytes: &[u8]) -> Option<Vec<Group>> {
    let shape = chunk_shape(bytes)?;
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
    Some(groups)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
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
            Some(vec![g])
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
