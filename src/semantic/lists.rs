//! Approximate vector search: an inverted-file index (IVF) over the chunks' int8 rows.
//!
//! The passages' vectors are clustered by k-means (spherical: unit centroids, nearest by dot
//! product) into about √n lists; a search scores the centroids, then only the rows of the
//! best few lists ([`probes`]), read in place from the mapped chunks like an exact scan. The
//! file (`semantic/lists.ivf`) holds the centroids (int8 with a scale, scored by the same
//! kernel as the rows) and each list's rows as references (chunk number, byte offset), not
//! copies: ~12 bytes per vector beside the chunks' ~400, so a fresh process maps it for free.
//!
//! Why this and not HNSW from a crate: the kept HNSW crates (`hnsw_rs`, `instant-distance`)
//! hold their own f32 copy of every vector and load the whole graph into memory (about 1.5 KB
//! per 384-dimension vector plus the links), which every CLI search would read and decode —
//! the cost the mapped chunks were made to remove — and their build inserts vector by vector
//! (minutes at 250k on two cores). IVF reads nothing it does not probe, is built in seconds
//! from a sample, and its probe count trades recall for time in one number.
//!
//! Derived data: built by `index --semantic` (never by a search) when the vectors pass
//! [`APPROXIMATE_FROM`], written whole then renamed like a chunk, and named by the chunk files
//! (number and length) it was built over. A search uses it when every one of those chunks is
//! still there at that length (rows of later chunks are scanned exactly); otherwise it is
//! stale and the search is exact until the next embedding run rebuilds it.

use super::encoder::DIMENSIONS;
use super::scan::{dequantised, dot_f32, Layout};
use super::vectors::{VectorStore, FOLDER};
use super::{io_err, write_atomically, Reader, SemanticError};
use rayon::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Vectors from which a search goes through the lists unless told otherwise (and the chunks
/// have no sketches, which are tried first from `sketch::SKETCH_FROM`): where the exact scan
/// passes the 20 ms query budget on these cores (BENCHMARKS.md, "Exact search, contiguous
/// layout": ~254,000 vectors), rounded down.
pub const APPROXIMATE_FROM: usize = 250_000;

/// The file's name in the vectors' folder.
pub const FILE: &str = "lists.ivf";
const MAGIC: &[u8; 8] = b"TIPIVF01";
/// Bytes of one centroid: its scale and int8 components.
const CENTROID: usize = 4 + DIMENSIONS;
/// Bytes of one list entry: chunk index (in the file's chunk list) and the row's offset.
const ENTRY: usize = 12;
/// Lloyd iterations over the sample.
const ITERATIONS: usize = 10;
/// Sample rows per list for k-means (faiss uses 39–256).
const SAMPLE_PER_LIST: usize = 64;

/// How a search finds its documents' best passages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Approximate {
    /// Through the sketches when they exist and the vectors searched pass
    /// `sketch::SKETCH_FROM`, else through the lists when they exist and the vectors searched
    /// pass [`APPROXIMATE_FROM`].
    #[default]
    Auto,
    /// Through the lists whenever they exist and are current (tests, measurements).
    Always,
    /// Through the bit sketches (`semantic::sketch`) whenever any chunk has a current one
    /// (tests, measurements).
    Sketches,
    /// Every row scanned.
    Never,
}

/// Lists probed for `lists` lists: a sixteenth, at least 8 (all of them when fewer).
pub fn probes(lists: usize) -> usize {
    lists.div_ceil(16).max(8).min(lists)
}

/// The number of lists for `n` vectors: about √n.
fn list_count(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(1, 4096)
}

/// What building the lists did.
#[derive(Clone, Debug, Default)]
pub struct ListsReport {
    /// Vectors placed in lists.
    pub vectors: usize,
    /// Lists made.
    pub lists: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// The lists of an index, mapped, with the chunks they refer to resolved to the layout's.
pub(crate) struct Lists {
    map: memmap2::Mmap,
    count: usize,
    centroids_at: usize,
    offsets_at: usize,
    entries_at: usize,
    /// The layout source of each chunk the file names.
    pub(crate) sources: Vec<u32>,
}

impl Lists {
    /// Lists in the file.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Centroid `i`: scale and int8 components.
    pub(crate) fn centroid(&self, i: usize) -> (f32, &[u8]) {
        let at = self.centroids_at + i * CENTROID;
        let scale = f32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes"));
        (scale, &self.map[at + 4..at + CENTROID])
    }

    /// The entries of list `i`: (chunk index in the file, byte offset of the row).
    pub(crate) fn entries(&self, i: usize) -> impl Iterator<Item = (u32, u64)> + '_ {
        let offset = |k: usize| {
            let at = self.offsets_at + k * 4;
            u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes")) as usize
        };
        let (from, to) = (offset(i), offset(i + 1));
        // Offsets out of order or past the entries (an altered file: the search checks the
        // structure, not the checksum) give an empty list, not a panic.
        self.map
            .get(self.entries_at + from * ENTRY..self.entries_at + to * ENTRY)
            .filter(|_| from <= to && self.entries_at + to * ENTRY <= self.map.len() - 8)
            .unwrap_or_default()
            .chunks_exact(ENTRY)
            .map(|e| {
                (
                    u32::from_le_bytes(e[..4].try_into().expect("4 bytes")),
                    u64::from_le_bytes(e[4..].try_into().expect("8 bytes")),
                )
            })
    }

    /// The lists of `index_dir`, when the file is there, whole in structure, and every chunk
    /// it names is mapped at the length it had (`chunks`: number and length of each layout
    /// source, in source order). None when missing or stale: the search is then exact.
    pub(crate) fn open(
        index_dir: &Path,
        chunks: &[(u64, u64)],
    ) -> Result<Option<Lists>, SemanticError> {
        let path = VectorStore::folder(index_dir).join(FILE);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        // SAFETY: the file is only ever replaced by a rename, never written in place, so the
        // mapped bytes cannot change.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err("map", &path))?;
        let Some(shape) = Shape::read(&map) else {
            return Err(SemanticError::DamagedVectors {
                file: path,
                what: "its structure does not hold (a torn or short file)".to_string(),
            });
        };
        let mut sources = Vec::with_capacity(shape.chunks.len());
        for (number, length) in &shape.chunks {
            match chunks.iter().position(|c| c == &(*number, *length)) {
                Some(source) => sources.push(source as u32),
                None => return Ok(None),
            }
        }
        Ok(Some(Lists {
            count: shape.count,
            centroids_at: shape.centroids_at,
            offsets_at: shape.offsets_at,
            entries_at: shape.entries_at,
            sources,
            map,
        }))
    }
}

/// Where the parts of a lists file are.
struct Shape {
    chunks: Vec<(u64, u64)>,
    count: usize,
    centroids_at: usize,
    offsets_at: usize,
    entries_at: usize,
}

impl Shape {
    /// The structure of `bytes` (header, sizes adding up to the length), or None.
    fn read(bytes: &[u8]) -> Option<Shape> {
        let mut r = Reader::sealed(bytes, MAGIC)?;
        let body = r.bytes;
        let chunk_count = r.u32()? as usize;
        let mut chunks = Vec::with_capacity(chunk_count.min(body.len() / 16));
        for _ in 0..chunk_count {
            chunks.push((r.u64()?, r.u64()?));
        }
        let count = r.u32()? as usize;
        let entries = r.u32()? as usize;
        let centroids_at = r.at;
        r.take(count.checked_mul(CENTROID)?)?;
        let offsets_at = r.at;
        let offsets = r.take((count + 1).checked_mul(4)?)?;
        if u32::from_le_bytes(offsets[count * 4..].try_into().ok()?) as usize != entries {
            return None;
        }
        let entries_at = r.at;
        r.take(entries.checked_mul(ENTRY)?)?;
        let at = r.at;
        (at == body.len()).then_some(Shape {
            chunks,
            count,
            centroids_at,
            offsets_at,
            entries_at,
        })
    }
}

/// Whether `index_dir`'s lists file, if any, is whole (its checksum over all its bytes): for
/// `tipdex check`. None when there is no file.
pub(crate) fn verify(index_dir: &Path) -> Result<Option<String>, SemanticError> {
    let path = VectorStore::folder(index_dir).join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("read", &path)(e)),
    };
    if Shape::read(&bytes).is_none() {
        return Ok(Some(
            "its structure does not hold (a torn or short file)".to_string(),
        ));
    }
    Ok(super::checksum_fault(&bytes))
}

/// Whether `index_dir` has lists current with its chunks and whole (checksum included: the
/// embedding run, which asks, reads them once, so a damaged file is built again there rather
/// than left for a user to delete).
pub fn current(index_dir: &Path) -> Result<bool, SemanticError> {
    let layout = Layout::open_rows(index_dir, |_, _| true)?;
    let named_chunks = Lists::open(index_dir, &layout.chunk_ids())
        .unwrap_or(None)
        .is_some();
    Ok(named_chunks && verify(index_dir)?.is_none())
}

/// Build `index_dir`'s lists over every vector of its chunks (the latest group of each
/// document) and write them whole. With no vectors, any old file is removed.
pub fn build(index_dir: &Path) -> Result<ListsReport, SemanticError> {
    let started = Instant::now();
    let layout = Layout::open_rows(index_dir, |_, _| true)?;
    let folder = VectorStore::folder(index_dir);
    let rows = layout.row_refs();
    if rows.is_empty() {
        let path = folder.join(FILE);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_err("remove", &path)(e))
            }
            _ => {}
        }
        return Ok(ListsReport::default());
    }
    let unit = |r: &(u32, u64)| -> Vec<f32> {
        let (scale, components) = layout.row(r.0, r.1);
        dequantised(scale, components)
    };
    let count = list_count(rows.len());
    // An evenly spaced sample (deterministic: the same vectors give the same lists).
    let sample_len = rows.len().min(count * SAMPLE_PER_LIST);
    let sample: Vec<Vec<f32>> = (0..sample_len)
        .map(|i| unit(&rows[i * rows.len() / sample_len]))
        .collect();
    let mut centroids: Vec<Vec<f32>> = (0..count)
        .map(|i| sample[i * sample_len / count].clone())
        .collect();
    for _ in 0..ITERATIONS {
        let quantised: Vec<(f32, Vec<u8>)> = centroids.iter().map(|c| quantise(c)).collect();
        let nearest: Vec<usize> = sample
            .par_iter()
            .map(|v| nearest_centroid(&quantised, v))
            .collect();
        let mut sums = vec![vec![0f32; DIMENSIONS]; count];
        for (v, &c) in sample.iter().zip(&nearest) {
            for (s, x) in sums[c].iter_mut().zip(v) {
                *s += x;
            }
        }
        for (c, sum) in centroids.iter_mut().zip(sums) {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            // An empty list keeps its centroid.
            if norm > 0.0 {
                *c = sum.into_iter().map(|x| x / norm).collect();
            }
        }
    }
    let quantised: Vec<(f32, Vec<u8>)> = centroids.iter().map(|c| quantise(c)).collect();
    let assigned: Vec<usize> = rows
        .par_iter()
        .map(|r| nearest_centroid(&quantised, &unit(r)))
        .collect();
    let mut lists: Vec<Vec<(u32, u64)>> = vec![Vec::new(); count];
    let chunks = layout.chunk_ids();
    for (r, &c) in rows.iter().zip(&assigned) {
        lists[c].push(*r);
    }
    let mut out = super::file_header(MAGIC);
    out.extend_from_slice(&(chunks.len() as u32).to_le_bytes());
    for (number, length) in &chunks {
        out.extend_from_slice(&number.to_le_bytes());
        out.extend_from_slice(&length.to_le_bytes());
    }
    out.extend_from_slice(&(count as u32).to_le_bytes());
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    for (scale, components) in &quantised {
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(components);
    }
    let mut offset = 0u32;
    out.extend_from_slice(&offset.to_le_bytes());
    for list in &lists {
        offset += list.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for list in &lists {
        for (source, at) in list {
            out.extend_from_slice(&source.to_le_bytes());
            out.extend_from_slice(&at.to_le_bytes());
        }
    }
    super::seal(&mut out);
    write_atomically(&folder, FILE, &format!(".{FILE}.tmp"), &out)?;
    Ok(ListsReport {
        vectors: rows.len(),
        lists: count,
        elapsed: started.elapsed(),
    })
}

/// A unit vector as int8 components (as bytes) with their scale.
fn quantise(v: &[f32]) -> (f32, Vec<u8>) {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    (
        scale,
        v.iter().map(|x| (x / scale).round() as i8 as u8).collect(),
    )
}

fn nearest_centroid(centroids: &[(f32, Vec<u8>)], v: &[f32]) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (i, (scale, c)) in centroids.iter().enumerate() {
        let s = dot_f32(v, c) * scale;
        if s > best.0 {
            best = (s, i);
        }
    }
    best.1
}

/// The path of the lists file, relative to the index folder (for messages).
pub fn relative_path() -> std::path::PathBuf {
    Path::new(FOLDER).join(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::scan::{Kernel, Query, VectorPlan};
    use crate::semantic::vectors::{Group, PassageVector};

    /// Deterministic pseudo-random numbers in [-1, 1).
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        }
        fn unit_near(&mut self, centre: &[f32], spread: f32) -> Vec<f32> {
            let v: Vec<f32> = centre.iter().map(|c| c + spread * self.next()).collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect()
        }
    }

    /// Documents of three passages around a few topics, as embeddings cluster by subject.
    fn topical_groups(noise: &mut Noise, docs: u64, topics: &[Vec<f32>]) -> Vec<Group> {
        (0..docs)
            .map(|key| Group {
                key,
                signature: 0,
                passages: (0..3)
                    .map(|o| {
                        let topic =
                            &topics[((key * 7 + o as u64 * 3) % topics.len() as u64) as usize];
                        PassageVector::quantise(
                            o,
                            key * 10 + u64::from(o) + 1,
                            &noise.unit_near(topic, 0.08),
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    fn top10(mut docs: Vec<(u64, f32, u32)>) -> Vec<u64> {
        docs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        docs.into_iter().take(10).map(|d| d.0).collect()
    }

    fn plan(
        approximate: Approximate,
        only: Option<Vec<u64>>,
    ) -> impl Fn(&Layout, &Query) -> Vec<(u64, f32, u32)> {
        move |layout, query| {
            let only = only.clone();
            layout.best_documents(
                query,
                &VectorPlan {
                    approximate,
                    exact: &Vec::new,
                    only: &move || only.clone(),
                    depth: 1000,
                },
                None,
                None,
            )
        }
    }

    /// The lists find most of the exact top 10 while reading a fraction of the rows; rows
    /// written after they were built are still found; a compaction makes them stale (exact
    /// again until rebuilt); filters keep to the admitted documents.
    #[test]
    fn approximate_search_agrees_with_exact_search() {
        let dir = tempfile::tempdir().unwrap();
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        let topics: Vec<Vec<f32>> = (0..20)
            .map(|_| noise.unit_near(&[0.0; DIMENSIONS], 1.0))
            .collect();
        let mut store = VectorStore::load(dir.path()).unwrap();
        let groups = topical_groups(&mut noise, 500, &topics);
        store.append(dir.path(), groups[..250].to_vec()).unwrap();
        store.append(dir.path(), groups[250..].to_vec()).unwrap();
        let report = build(dir.path()).unwrap();
        assert_eq!((report.vectors, report.lists), (1500, 39));
        assert!(current(dir.path()).unwrap());
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(layout.has_current_lists());

        let (approximate, exact) = (
            plan(Approximate::Always, None),
            plan(Approximate::Never, None),
        );
        let mut agreed = 0;
        for q in 0..30 {
            let query = Query::new(
                &noise.unit_near(&topics[q % topics.len()], 0.15),
                Kernel::Int8,
            );
            let want = top10(exact(&layout, &query));
            let found = approximate(&layout, &query);
            assert!(
                found.len() < layout.documents(),
                "approximate search read every document"
            );
            let got = top10(found);
            agreed += got.iter().filter(|k| want.contains(k)).count();
        }
        let recall = agreed as f32 / 300.0;
        assert!(recall >= 0.8, "recall@10 against exact {recall}");
        // Auto stays exact below the crossover.
        let q = Query::new(&topics[3], Kernel::Int8);
        assert_eq!(
            plan(Approximate::Auto, None)(&layout, &q).len(),
            layout.documents()
        );

        // A document written after the lists: its rows are scanned exactly.
        let new = Group {
            key: 9999,
            signature: 0,
            passages: vec![PassageVector::quantise(0, 1, &topics[3])],
        };
        store.append(dir.path(), vec![new]).unwrap();
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(layout.has_current_lists());
        assert_eq!(top10(approximate(&layout, &q))[0], 9999);

        // Filters: only the admitted documents, with their exact scores.
        let admitted: Vec<u64> = (0..500).step_by(37).collect();
        let filtered = plan(Approximate::Always, Some(admitted.clone()))(&layout, &q);
        assert!(!filtered.is_empty());
        assert!(filtered.iter().all(|d| admitted.contains(&d.0)));

        // Compaction rewrites the chunks: the lists name chunks that are gone.
        store.settle(dir.path(), true).unwrap();
        assert!(!current(dir.path()).unwrap());
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(!layout.has_current_lists());
        assert_eq!(approximate(&layout, &q).len(), layout.documents());
        build(dir.path()).unwrap();
        assert!(Layout::open(dir.path(), |_, _| true)
            .unwrap()
            .has_current_lists());
    }

    /// A lists file cut short is an error naming it at open; `verify` finds an altered byte.
    #[test]
    fn a_torn_lists_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut noise = Noise(7);
        let topics: Vec<Vec<f32>> = (0..4)
            .map(|_| noise.unit_near(&[0.0; DIMENSIONS], 1.0))
            .collect();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store
            .append(dir.path(), topical_groups(&mut noise, 50, &topics))
            .unwrap();
        build(dir.path()).unwrap();
        assert_eq!(verify(dir.path()).unwrap(), None);
        let path = VectorStore::folder(dir.path()).join(FILE);
        let bytes = std::fs::read(&path).unwrap();
        let mut altered = bytes.clone();
        let last = altered.len() - 20;
        altered[last] ^= 1;
        std::fs::write(&path, &altered).unwrap();
        assert!(verify(dir.path()).unwrap().unwrap().contains("checksum"));
        // The embedding run asks `current` and builds a damaged file again.
        assert!(!current(dir.path()).unwrap());
        // A search reads the structure, not the checksum: a row an altered entry points far
        // past its chunk is skipped, not a panic.
        let mut far = bytes.clone();
        let offset_at = far.len() - 16;
        far[offset_at..offset_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &far).unwrap();
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        let q = Query::new(&topics[0], Kernel::Int8);
        assert!(!plan(Approximate::Always, None)(&layout, &q).is_empty());
        std::fs::write(&path, &bytes[..bytes.len() - 30]).unwrap();
        let err = Layout::open(dir.path(), |_, _| true)
            .unwrap_err()
            .to_string();
        assert!(err.contains(FILE), "{err}");
    }
}
