//! Bit sketches of the passage vectors: a first pass that reads an eighth of the int8 rows'
//! bytes, so a vector search at full coverage (~236k vectors for the 20k bench corpus) picks a
//! pool of candidate documents in about a millisecond and scores only those exactly.
//!
//! A row's sketch is the signs of its vector minus its chunk's mean vector: 384 bits, 48
//! bytes beside the row's 396. The signs of raw MiniLM vectors are mostly the same across a
//! collection (their components share an offset), so it is the centred signs that tell
//! passages apart. Two ways to compare a query with the sketches (`Scoring`):
//! - `Hamming`: the query's own signs against the row's, XOR + popcount;
//! - `Weighted` (the default, measured better in BENCHMARKS.md): the query's components, each
//!   times the chunk's mean absolute deviation in that dimension, rounded to 4 bits, summed
//!   over the row's signs (four AND + popcount per word), plus the query's product with the
//!   chunk's mean: an estimate of the dot product itself, comparable across chunks whose
//!   means differ.
//!
//! The sketches only choose which documents are scored: every document returned is scored
//! exactly on all its int8 rows (`scan::Layout::best_documents`), so a sketch can cost recall
//! (a document left out of the pool), never a wrong score.
//!
//! Rows are stored in blocks of 8, word by word, so one 512-bit register holds a word of 8 rows
//! and the counts add up lane by lane (row by row, each row's 8 lanes had to be summed: 0.78 of
//! the time at 236k vectors, BENCHMARKS.md).
//!
//! Files: one per chunk, `chunk-NNNNNNNN.sketch` beside `chunk-NNNNNNNN.vec`, named inside by
//! the chunk's number, length and checksum, so a sketch of another chunk or of a chunk since
//! rewritten is stale and not used (that chunk's rows are then scored exactly). Written by the
//! embedding run for each chunk lacking a current one (never by a search), whole then renamed;
//! sketches of chunks that are gone are removed by the same run. A search checks the
//! structure and the names, not the checksum (`tipdex check` does).

use super::encoder::DIMENSIONS;
use super::vectors::{chunk_checked, chunk_files, ChunkShape, GroupSpan, VectorStore};
use super::{io_err, write_atomically, Bytes, Reader, SemanticError};
use crate::prefetch::{prefetch_item, Keep};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// 64-bit words of one row's sketch.
pub const WORDS: usize = DIMENSIONS / 64;
/// Bytes of one row's sketch.
pub const ROW: usize = WORDS * 8;
/// Rows stored together word by word (word 0 of each of 8 rows, then word 1 …), so a 512-bit
/// register holds one word of 8 rows and a block's estimates need no horizontal sum.
const BLOCK: usize = 8;
/// The file name's ending.
pub const SUFFIX: &str = ".sketch";
const MAGIC: &[u8; 8] = b"TIPSKT03";
/// Sketch files written before they carried their chunk's group directory: still read (the
/// chunk's groups are then found by walking it), made again by the next embedding run.
const MAGIC_V2: &[u8; 8] = b"TIPSKT02";
/// Bytes of one group in a sketch's directory: key, signature, first record's offset, rows.
const DIRECTORY_ENTRY: usize = 28;
/// Bits per query component in [`Scoring::Weighted`].
const PLANES: usize = 4;
/// The largest 4-bit level; levels stand for `step · (level − 7.5)`.
const LEVELS: f32 = 15.0;

/// Vectors from which a search goes through the sketches unless told otherwise: at 50k the
/// sketch search took 0.6 of the exact scan's time, at 6.4k a little more than it
/// (BENCHMARKS.md, "Ninth pass"); below, exact search costs well under a millisecond.
pub const SKETCH_FROM: usize = 50_000;
/// Documents scored exactly per document fusion needs (`VectorPlan::depth`). Each is scored on
/// all its rows, so the pool's cost grows with passages a document: at the 20k corpus' shape
/// (12 a document, 236k vectors) a pool of 4 × depth cost as much as the exact scan, 1 × half
/// of it; with 1 × the SciFact and tip-dev fused figures moved by −0.0005 and +0.0002.
pub const POOL_PER_DEPTH: usize = 1;

/// Rows of a document scored exactly: its nearest by their sketches.
pub const ROWS_PER_DOCUMENT: usize = 2;

/// How a sketch search runs: the comparison, and how many documents it scores exactly.
#[derive(Clone, Copy, Debug)]
pub struct SketchSearch {
    /// See [`Scoring`].
    pub scoring: Scoring,
    /// Documents, nearest by their sketches, scored exactly.
    pub pool: usize,
    /// Rows of each such document scored exactly, its nearest by their sketches (0: all).
    pub rows: usize,
}

impl SketchSearch {
    /// The default for a search wanting `depth` documents.
    pub fn for_depth(depth: usize) -> SketchSearch {
        SketchSearch {
            scoring: Scoring::default(),
            pool: depth.max(1) * POOL_PER_DEPTH,
            rows: ROWS_PER_DOCUMENT,
        }
    }
}

/// How a query is compared with the sketches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scoring {
    /// The query's signs against the row's: Hamming distance.
    Hamming,
    /// The query's components (times the chunk's spread, 4 bits) summed over the row's signs.
    #[default]
    Weighted,
}

/// The sketch of one chunk's rows, in the chunk's row order (its groups in file order, each
/// group's passages in order), with the centre and spread they were taken against.
pub(crate) struct Sketch {
    bytes: Bytes,
    rows: usize,
    centre_at: usize,
    bits_at: usize,
    /// Where its chunk's group directory starts, and its groups (TIPSKT03 files).
    directory: Option<(usize, usize)>,
}

/// What names a chunk: its number, length and checksum (its last 8 bytes).
fn chunk_name(number: u64, chunk: &[u8]) -> (u64, u64, u64) {
    let check = chunk.len().checked_sub(8).map_or(0, |at| {
        u64::from_le_bytes(chunk[at..].try_into().expect("8 bytes"))
    });
    (number, chunk.len() as u64, check)
}

/// Where the parts of a sketch file are.
struct Shape {
    name: (u64, u64, u64),
    rows: usize,
    centre_at: usize,
    bits_at: usize,
    directory: Option<(usize, usize)>,
}

impl Shape {
    fn read(bytes: &[u8]) -> Option<Shape> {
        let (mut r, with_directory) = match Reader::sealed(bytes, MAGIC) {
            Some(r) => (r, true),
            None => (Reader::sealed(bytes, MAGIC_V2)?, false),
        };
        let body = r.bytes;
        let name = (r.u64()?, r.u64()?, r.u64()?);
        let rows = r.u32()? as usize;
        let centre_at = r.at;
        r.take(2 * DIMENSIONS * 4)?;
        let bits_at = r.at;
        r.take(rows.div_ceil(BLOCK).checked_mul(BLOCK * ROW)?)?;
        let directory = if with_directory {
            let groups = r.u32()? as usize;
            let at = r.at;
            r.take(groups.checked_mul(DIRECTORY_ENTRY)?)?;
            Some((at, groups))
        } else {
            None
        };
        (r.at == body.len()).then_some(Shape {
            name,
            rows,
            centre_at,
            bits_at,
            directory,
        })
    }
}

impl Sketch {
    /// The sketch of a chunk's rows, made in memory (`Layout::build`, and the embedding run
    /// before writing it).
    pub(crate) fn of_chunk(number: u64, chunk: &[u8], shape: &ChunkShape) -> Sketch {
        let bytes = encode(number, chunk, shape);
        let parts = Shape::read(&bytes).expect("a sketch just encoded reads back");
        Sketch {
            rows: parts.rows,
            centre_at: parts.centre_at,
            bits_at: parts.bits_at,
            directory: parts.directory,
            bytes: Bytes::Owned(bytes),
        }
    }

    /// The sketch of chunk `number` (mapped as `chunk`) from its file, when the file is
    /// there, whole in structure and names that chunk as it is. None otherwise: that chunk's
    /// rows are then scored exactly. (Whether it has the chunk's rows is the caller's check,
    /// once it knows them.)
    pub(crate) fn open(
        index_dir: &Path,
        number: u64,
        chunk: &[u8],
    ) -> Result<Option<Sketch>, SemanticError> {
        let path = file_of(index_dir, number);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        // SAFETY: a sketch file is only ever replaced by a rename, never written in place, so
        // the mapped bytes cannot change.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err("map", &path))?;
        let Some(parts) = Shape::read(&map) else {
            return Ok(None);
        };
        if parts.name != chunk_name(number, chunk) {
            return Ok(None);
        }
        Ok(Some(Sketch {
            rows: parts.rows,
            centre_at: parts.centre_at,
            bits_at: parts.bits_at,
            directory: parts.directory,
            bytes: Bytes::Mapped(map),
        }))
    }

    /// Rows sketched.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Every row's sketch, in blocks of [`BLOCK`] rows (the last padded with zeros).
    pub(crate) fn all_bits(&self) -> &[u8] {
        let end = self.bits_at + self.rows.div_ceil(BLOCK) * BLOCK * ROW;
        &self.bytes[self.bits_at..end]
    }

    /// Its chunk's groups as written when it was sketched (None for a TIPSKT02 file): what
    /// opening the vectors would find by walking the chunk, which touches every page of it.
    pub(crate) fn groups(&self) -> Option<Vec<GroupSpan>> {
        let (at, groups) = self.directory?;
        let entries = self.bytes.get(at..at + groups * DIRECTORY_ENTRY)?;
        let word = |e: &[u8], at: usize| u64::from_le_bytes(e[at..at + 8].try_into().expect("8"));
        Some(
            entries
                .chunks_exact(DIRECTORY_ENTRY)
                .map(|e| GroupSpan {
                    key: word(e, 0),
                    signature: word(e, 8),
                    first: word(e, 16) as usize,
                    count: u32::from_le_bytes(e[24..28].try_into().expect("4")),
                })
                .collect(),
        )
    }

    fn floats(&self, at: usize) -> impl Iterator<Item = f32> + '_ {
        self.bytes[at..at + DIMENSIONS * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// The mean vector the signs were taken against.
    fn centre(&self) -> impl Iterator<Item = f32> + '_ {
        self.floats(self.centre_at)
    }

    /// Each dimension's mean absolute deviation from the centre.
    fn spread(&self) -> impl Iterator<Item = f32> + '_ {
        self.floats(self.centre_at + DIMENSIONS * 4)
    }
}

/// A chunk's sketch file: header, the chunk's name, rows, centre, spread, signs, checksum.
fn encode(number: u64, chunk: &[u8], shape: &ChunkShape) -> Vec<u8> {
    let mut vectors: Vec<[f32; DIMENSIONS]> = Vec::new();
    for span in &shape.groups {
        for i in 0..span.count as usize {
            let record = shape.record(chunk, span, i);
            let scale = shape.scale(record);
            let components = &record[shape.components_at..shape.components_at + DIMENSIONS];
            let mut v = [0f32; DIMENSIONS];
            for (x, &c) in v.iter_mut().zip(components) {
                *x = f32::from(c as i8) * scale;
            }
            vectors.push(v);
        }
    }
    let n = vectors.len().max(1) as f32;
    let mut centre = [0f32; DIMENSIONS];
    for v in &vectors {
        for (c, x) in centre.iter_mut().zip(v) {
            *c += x / n;
        }
    }
    let mut spread = [0f32; DIMENSIONS];
    for v in &vectors {
        for ((s, x), c) in spread.iter_mut().zip(v).zip(&centre) {
            *s += (x - c).abs() / n;
        }
    }
    let mut out = super::file_header(MAGIC);
    let (number, length, check) = chunk_name(number, chunk);
    for field in [number, length, check] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&(vectors.len() as u32).to_le_bytes());
    for x in centre.iter().chain(&spread) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    for block in vectors.chunks(BLOCK) {
        let mut words = [[0u64; BLOCK]; WORDS];
        for (r, v) in block.iter().enumerate() {
            for (i, (x, c)) in v.iter().zip(&centre).enumerate() {
                if x > c {
                    words[i / 64][r] |= 1 << (i % 64);
                }
            }
        }
        for w in words.iter().flatten() {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }
    out.extend_from_slice(&(shape.groups.len() as u32).to_le_bytes());
    for span in &shape.groups {
        out.extend_from_slice(&span.key.to_le_bytes());
        out.extend_from_slice(&span.signature.to_le_bytes());
        out.extend_from_slice(&(span.first as u64).to_le_bytes());
        out.extend_from_slice(&span.count.to_le_bytes());
    }
    super::seal(&mut out);
    out
}

/// The sketch file of chunk `number`.
fn file_of(index_dir: &Path, number: u64) -> PathBuf {
    VectorStore::folder(index_dir).join(format!("chunk-{number:08}{SUFFIX}"))
}

/// The chunk number a sketch file's name gives.
fn sketch_number(name: &str) -> Option<u64> {
    name.strip_prefix("chunk-")?
        .strip_suffix(SUFFIX)?
        .parse()
        .ok()
}

/// What bringing the sketches level with the chunks did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SketchReport {
    /// Chunks sketched now.
    pub written: usize,
    /// Sketches of chunks that are gone, removed.
    pub removed: usize,
}

/// Sketch every chunk of `index_dir` that lacks a current sketch (each chunk read whole and
/// its checksum checked first: a damaged chunk gets none, and is scored exactly until the
/// embedding run replaces it), and remove the sketches of chunks that are gone. Only the
/// sketch files' headers are read for chunks already sketched, unless `whole`: then each is
/// read and its checksum checked, and a damaged one made again (the end of an embedding run,
/// so what `tipdex check` reports is repaired by the run it recommends).
pub fn build_missing(index_dir: &Path, whole: bool) -> Result<SketchReport, SemanticError> {
    let folder = VectorStore::folder(index_dir);
    let chunks = chunk_files(index_dir)?;
    let mut report = SketchReport::default();
    for (number, path) in &chunks {
        // Called after every chunk the run writes: a chunk already sketched costs its last 8
        // bytes and the sketch's header, not a read of either file.
        let named = match tail_name(*number, path) {
            Ok(name) => name,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err("read", path)(e)),
        };
        let sketch = file_of(index_dir, *number);
        if named.is_some() && header_name(&sketch) == named && (!whole || is_whole(&sketch)) {
            continue;
        }
        let chunk = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err("read", path)(e)),
        };
        let Ok(shape) = chunk_checked(&chunk) else {
            continue;
        };
        let name = format!("chunk-{number:08}{SUFFIX}");
        write_atomically(
            &folder,
            &name,
            &format!(".{name}.tmp"),
            &encode(*number, &chunk, &shape),
        )?;
        report.written += 1;
    }
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(io_err("read", &folder)(e)),
    };
    for entry in entries.flatten() {
        let Some(number) = sketch_number(&entry.file_name().to_string_lossy()) else {
            continue;
        };
        if !chunks.iter().any(|(n, _)| *n == number) {
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_err("remove", &path)(e))
                }
                _ => report.removed += 1,
            }
        }
    }
    Ok(report)
}

/// The name of chunk `number` at `path` from its length and last 8 bytes; None when it is
/// too short to have a checksum.
fn tail_name(number: u64, path: &Path) -> std::io::Result<Option<(u64, u64, u64)>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len < 8 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(len - 8))?;
    let mut check = [0u8; 8];
    file.read_exact(&mut check)?;
    Ok(Some((number, len, u64::from_le_bytes(check))))
}

/// The chunk name in the header of the sketch file at `path`, None when it cannot be read.
/// Only the header: whether the rest is whole is for `tipdex check` and the search's open.
fn header_name(path: &Path) -> Option<(u64, u64, u64)> {
    use std::io::Read;
    let mut head = Vec::with_capacity(256);
    std::fs::File::open(path)
        .ok()?
        .take(256)
        .read_to_end(&mut head)
        .ok()?;
    let mut r = Reader {
        bytes: &head,
        at: 0,
    };
    r.file_header(MAGIC)?;
    Some((r.u64()?, r.u64()?, r.u64()?))
}

/// Whether the sketch file at `path` holds in structure and checksum.
fn is_whole(path: &Path) -> bool {
    std::fs::read(path)
        .is_ok_and(|bytes| Shape::read(&bytes).is_some() && super::checksum_fault(&bytes).is_none())
}

/// The sketch files of `index_dir` that are not whole (structure or checksum), each with what
/// is wrong: for `tipdex check`. Paths are relative to the index folder.
pub fn verify(index_dir: &Path) -> Result<Vec<(PathBuf, String)>, SemanticError> {
    let folder = VectorStore::folder(index_dir);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err("read", &folder)(e)),
    };
    let mut faults = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if sketch_number(&name).is_none() {
            continue;
        }
        let path = entry.path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        let fault = if Shape::read(&bytes).is_none() {
            Some("its structure does not hold (a torn or short file)".to_string())
        } else {
            super::checksum_fault(&bytes)
        };
        if let Some(what) = fault {
            faults.push((Path::new(super::vectors::FOLDER).join(name), what));
        }
    }
    faults.sort();
    Ok(faults)
}

/// A query prepared for the sketches of every chunk of a layout: per chunk, the words it is
/// compared with and the offset that makes its estimates comparable with other chunks'.
pub(crate) struct QueryCode {
    scoring: Scoring,
    /// Per chunk (None: no sketch): [`PLANES`] planes (Weighted) or the signs (Hamming, in
    /// plane 0), eight words each (the last two zero) so a row fills one 512-bit register.
    planes: Vec<Option<([[u64; 8]; PLANES], i32)>>,
}

/// The distance at which rows are no better than any: the middle of every estimate's range.
const FAR: i32 = 1 << 15;
/// Every distance is below this (Hamming ≤ 384, Weighted clamped to 0..=2 · FAR).
pub(crate) const DISTANCES: usize = 2 * FAR as usize + 1;

impl QueryCode {
    /// Prepare the unit vector `query` for the `sketches` (by layout source).
    pub(crate) fn new(query: &[f32], sketches: &[Option<Sketch>], scoring: Scoring) -> QueryCode {
        let planes = match scoring {
            Scoring::Hamming => {
                let mut signs = [[0u64; 8]; PLANES];
                for (i, x) in query.iter().enumerate() {
                    if *x > 0.0 {
                        signs[0][i / 64] |= 1 << (i % 64);
                    }
                }
                sketches
                    .iter()
                    .map(|s| s.as_ref().map(|_| (signs, 0)))
                    .collect()
            }
            Scoring::Weighted => {
                // One step for every chunk, so the integer estimates share a unit.
                let weights: Vec<Option<Vec<f32>>> = sketches
                    .iter()
                    .map(|s| {
                        s.as_ref()
                            .map(|s| query.iter().zip(s.spread()).map(|(q, d)| q * d).collect())
                    })
                    .collect();
                let max = weights
                    .iter()
                    .flatten()
                    .flatten()
                    .fold(0f32, |m, w| m.max(w.abs()));
                let step = if max > 0.0 { max / (LEVELS / 2.0) } else { 1.0 };
                weights
                    .iter()
                    .zip(sketches)
                    .map(|(w, s)| {
                        let (w, s) = (w.as_ref()?, s.as_ref()?);
                        let mut planes = [[0u64; 8]; PLANES];
                        let mut levels = 0i32;
                        for (i, x) in w.iter().enumerate() {
                            let level = (x / step + LEVELS / 2.0).round().clamp(0.0, LEVELS) as u32;
                            levels += level as i32;
                            for (p, plane) in planes.iter_mut().enumerate() {
                                if level >> p & 1 == 1 {
                                    plane[i / 64] |= 1 << (i % 64);
                                }
                            }
                        }
                        // Σ w·s over signs s = ±1 is step · (2W − 15·pop − Σlevels + 7.5·384)
                        // with W = Σ levels over set bits; the chunk's mean adds q·centre.
                        let centred: f32 = query.iter().zip(s.centre()).map(|(q, c)| q * c).sum();
                        let offset = (centred / step).round() as i32 - levels
                            + (LEVELS as i32 * DIMENSIONS as i32) / 2;
                        Some((planes, offset))
                    })
                    .collect()
            }
        };
        QueryCode { scoring, planes }
    }

    /// Whether chunk `source` has a sketch this code can read.
    pub(crate) fn covers(&self, source: usize) -> bool {
        self.planes.get(source).is_some_and(Option::is_some)
    }

    /// The distances of the rows `rows` of chunk `source`'s `sketch` into `out` (one per row;
    /// `rows` starts at a block's first row).
    pub(crate) fn fill(&self, source: usize, sketch: &Sketch, rows: Range<usize>, out: &mut [u32]) {
        let (planes, offset) = self.planes[source]
            .as_ref()
            .expect("a chunk the code covers");
        debug_assert_eq!(rows.start % BLOCK, 0);
        let bits = sketch.all_bits();
        let from = (rows.start / BLOCK * BLOCK * ROW).min(bits.len());
        let blocks = &bits[from..];
        let n = rows.len().min(out.len()).min(blocks.len() / ROW);
        distances(self.scoring, planes, *offset, blocks, &mut out[..n]);
    }
}

/// The distance of each row of `blocks` into `out` (one per row, as many as `out` holds), AVX-512
/// (with VPOPCNTDQ) when the CPU has it.
fn distances(
    scoring: Scoring,
    planes: &[[u64; 8]; PLANES],
    offset: i32,
    blocks: &[u8],
    out: &mut [u32],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
        {
            // SAFETY: the CPU was just checked to have the features this copy uses.
            return unsafe { distances_avx512(scoring, planes, offset, blocks, out) };
        }
    }
    distances_portable(scoring, planes, offset, blocks, out)
}

/// The distance a row's integer estimate gives: lower is closer, never negative. Weighted:
/// `counts` of the row's bits under each plane and `ones` its bits, the estimate
/// `2W − 15 · ones` with `W` the counts weighted by their plane's bit.
#[inline(always)]
fn distance(scoring: Scoring, counts: [i64; PLANES], ones: i64, offset: i32) -> u32 {
    match scoring {
        Scoring::Hamming => counts[0] as u32,
        Scoring::Weighted => {
            let estimate = 2 * counts[0] + 4 * counts[1] + 8 * counts[2] + 16 * counts[3]
                - LEVELS as i64 * ones;
            (FAR - (estimate as i32 + offset)).clamp(0, 2 * FAR) as u32
        }
    }
}

/// Blocks of rows asked for ahead of the one whose distances are computed. A query reads every
/// sketch once (11 MB at the 20k corpus' 237k rows) and the hardware's own prefetching did not
/// keep up: asking ahead took the sketch pass from ~920 to ~700 µs there (2, 8 or 16 blocks
/// ahead the same; BENCHMARKS.md, issue 22). Asked for as read once ([`Keep::Once`]): kept out
/// of the shared last level, where the query model's weights and the index's own data are
/// worth more.
const BLOCKS_AHEAD: usize = 4;

/// Word `w` of row `r` of a block of [`BLOCK`] rows.
#[inline(always)]
fn word(block: &[u8], w: usize, r: usize) -> u64 {
    let at = (w * BLOCK + r) * 8;
    u64::from_le_bytes(block[at..at + 8].try_into().expect("8 bytes"))
}

fn distances_portable(
    scoring: Scoring,
    planes: &[[u64; 8]; PLANES],
    offset: i32,
    blocks: &[u8],
    out: &mut [u32],
) {
    for (i, (block, out)) in blocks
        .chunks_exact(BLOCK * ROW)
        .zip(out.chunks_mut(BLOCK))
        .enumerate()
    {
        prefetch_item(blocks, i + BLOCKS_AHEAD, BLOCK * ROW, Keep::Once);
        for (r, out) in out.iter_mut().enumerate() {
            let (mut counts, mut ones) = ([0i64; PLANES], 0i64);
            for w in 0..WORDS {
                let v = word(block, w, r);
                match scoring {
                    Scoring::Hamming => counts[0] += i64::from((v ^ planes[0][w]).count_ones()),
                    Scoring::Weighted => {
                        for (count, plane) in counts.iter_mut().zip(planes) {
                            *count += i64::from((v & plane[w]).count_ones());
                        }
                        ones += i64::from(v.count_ones());
                    }
                }
            }
            *out = distance(scoring, counts, ones, offset);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vpopcntdq")]
unsafe fn distances_avx512(
    scoring: Scoring,
    planes: &[[u64; 8]; PLANES],
    offset: i32,
    blocks: &[u8],
    out: &mut [u32],
) {
    use std::arch::x86_64::*;
    // Each plane's word w in every lane: one register per (plane, word).
    let spread = |p: usize| -> [__m512i; WORDS] {
        std::array::from_fn(|w| _mm512_set1_epi64(planes[p][w] as i64))
    };
    let (p0, p1, p2, p3) = (spread(0), spread(1), spread(2), spread(3));
    for (i, (block, out)) in blocks
        .chunks_exact(BLOCK * ROW)
        .zip(out.chunks_mut(BLOCK))
        .enumerate()
    {
        prefetch_item(blocks, i + BLOCKS_AHEAD, BLOCK * ROW, Keep::Once);
        let zero = _mm512_setzero_si512();
        let (mut c0, mut c1, mut c2, mut c3, mut ones) = (zero, zero, zero, zero, zero);
        for w in 0..WORDS {
            // SAFETY: the block holds WORDS × BLOCK words; this reads the BLOCK of word w.
            let v = unsafe { _mm512_loadu_si512(block[w * BLOCK * 8..].as_ptr().cast()) };
            match scoring {
                Scoring::Hamming => {
                    c0 = _mm512_add_epi64(c0, _mm512_popcnt_epi64(_mm512_xor_si512(v, p0[w])));
                }
                Scoring::Weighted => {
                    c0 = _mm512_add_epi64(c0, _mm512_popcnt_epi64(_mm512_and_si512(v, p0[w])));
                    c1 = _mm512_add_epi64(c1, _mm512_popcnt_epi64(_mm512_and_si512(v, p1[w])));
                    c2 = _mm512_add_epi64(c2, _mm512_popcnt_epi64(_mm512_and_si512(v, p2[w])));
                    c3 = _mm512_add_epi64(c3, _mm512_popcnt_epi64(_mm512_and_si512(v, p3[w])));
                    ones = _mm512_add_epi64(ones, _mm512_popcnt_epi64(v));
                }
            }
        }
        // The distances of the block's 8 rows at once, as `distance` gives them one by one.
        let estimate = match scoring {
            Scoring::Hamming => c0,
            Scoring::Weighted => {
                let weighted = _mm512_add_epi64(
                    _mm512_add_epi64(_mm512_slli_epi64(c0, 1), _mm512_slli_epi64(c1, 2)),
                    _mm512_add_epi64(_mm512_slli_epi64(c2, 3), _mm512_slli_epi64(c3, 4)),
                );
                let ones = _mm512_mullo_epi64(ones, _mm512_set1_epi64(LEVELS as i64));
                let estimate = _mm512_add_epi64(
                    _mm512_sub_epi64(weighted, ones),
                    _mm512_set1_epi64(i64::from(offset)),
                );
                let far = _mm512_sub_epi64(_mm512_set1_epi64(i64::from(FAR)), estimate);
                _mm512_min_epi64(
                    _mm512_max_epi64(far, zero),
                    _mm512_set1_epi64(i64::from(2 * FAR)),
                )
            }
        };
        let distances = _mm512_cvtepi64_epi32(estimate);
        if out.len() == BLOCK {
            // SAFETY: `out` holds BLOCK u32, 32 bytes.
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), distances) };
        } else {
            let mut lanes = [0u32; BLOCK];
            // SAFETY: `lanes` is BLOCK u32, 32 bytes.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), distances) };
            out.copy_from_slice(&lanes[..out.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::lists::Approximate;
    use crate::semantic::scan::{Kernel, Layout, Query, VectorPlan};
    use crate::semantic::vectors::{chunk_shape, chunk_shape_from, Group, PassageVector};

    /// Unit vectors near a few topics, with the shared offset real embeddings have (so the
    /// centring matters), from a deterministic generator.
    struct Topics {
        seed: u64,
        topics: Vec<Vec<f32>>,
    }

    impl Topics {
        fn new(count: usize) -> Topics {
            let mut t = Topics {
                seed: 0x9e37_79b9_7f4a_7c15,
                topics: Vec::new(),
            };
            t.topics = (0..count)
                .map(|_| t.near(&[0.3; DIMENSIONS], 1.0))
                .collect();
            t
        }
        fn noise(&mut self) -> f32 {
            (words(&mut self.seed) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        }
        fn near(&mut self, centre: &[f32], spread: f32) -> Vec<f32> {
            let v: Vec<f32> = centre.iter().map(|c| c + spread * self.noise()).collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect()
        }
        fn groups(&mut self, keys: std::ops::Range<u64>) -> Vec<Group> {
            keys.map(|key| Group {
                key,
                signature: 0,
                passages: (0..3u32)
                    .map(|o| {
                        let topic = self.topics
                            [(key as usize * 7 + o as usize) % self.topics.len()]
                        .clone();
                        PassageVector::quantise(
                            o,
                            key * 10 + u64::from(o) + 1,
                            &self.near(&topic, 0.3),
                        )
                    })
                    .collect(),
            })
            .collect()
        }
    }

    fn ranked(mut docs: Vec<(u64, f32, u32)>, n: usize) -> Vec<u64> {
        docs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        docs.into_iter().take(n).map(|d| d.0).collect()
    }

    fn search(
        layout: &Layout,
        query: &Query,
        how: Approximate,
        only: Option<Vec<u64>>,
        depth: usize,
    ) -> Vec<(u64, f32, u32)> {
        layout.best_documents(
            query,
            &VectorPlan {
                approximate: how,
                exact: &Vec::new,
                only: &move || only.clone(),
                depth,
            },
            None,
            None,
        )
    }

    /// A vector folder in `dir` with one chunk per range of `topics`' groups.
    fn chunked(dir: &Path, topics: &mut Topics, chunks: &[std::ops::Range<u64>]) -> VectorStore {
        let mut store = VectorStore::load(dir).unwrap();
        for keys in chunks {
            store.append(dir, topics.groups(keys.clone())).unwrap();
        }
        store
    }

    /// Opening the vectors takes each chunk's groups from its sketch's directory, and finds
    /// the same rows the walk through the chunk finds; a sketch written before directories
    /// (TIPSKT02) is still read, its chunk walked, and the next embedding run writes it again
    /// with one; a directory that does not fit its chunk is not used.
    #[test]
    fn the_groups_come_from_the_sketch_and_are_the_walks() {
        let dir = tempfile::tempdir().unwrap();
        let mut topics = Topics::new(10);
        chunked(dir.path(), &mut topics, &[0..200, 200..260]);
        build_missing(dir.path(), false).unwrap();
        let walked = Layout::open_rows(dir.path(), |_, _| true).unwrap();
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(layout.sketches_in_use(Approximate::Sketches));
        assert_eq!(layout.row_refs(), walked.row_refs());
        assert_eq!(layout.documents(), 260);
        let chunk = std::fs::read(dir.path().join("semantic/chunk-00000000.vec")).unwrap();
        let sketch = Sketch::open(dir.path(), 0, &chunk).unwrap().unwrap();
        let groups = sketch.groups().expect("a directory");
        let spans = |g: &[GroupSpan]| -> Vec<(u64, u64, usize, u32)> {
            g.iter()
                .map(|s| (s.key, s.signature, s.first, s.count))
                .collect()
        };
        assert_eq!(spans(&groups), spans(&chunk_shape(&chunk).unwrap().groups));
        // A directory off by one record, or missing a group, does not fit.
        let mut off = groups.clone();
        off[3].count += 1;
        assert!(chunk_shape_from(&chunk, off).is_none());
        assert!(chunk_shape_from(&chunk, groups[1..].to_vec()).is_none());
        assert!(chunk_shape_from(&chunk, groups).is_some());

        // The first chunk's sketch as TIPSKT02 wrote it: no directory.
        let path = file_of(dir.path(), 0);
        let bytes = std::fs::read(&path).unwrap();
        let (at, _) = Shape::read(&bytes).unwrap().directory.unwrap();
        // The directory and the count before it left out.
        let mut old = bytes[..at - 4].to_vec();
        old[..8].copy_from_slice(MAGIC_V2);
        super::super::seal(&mut old);
        std::fs::write(&path, &old).unwrap();
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(Sketch::open(dir.path(), 0, &chunk)
            .unwrap()
            .unwrap()
            .groups()
            .is_none());
        assert_eq!(layout.row_refs(), walked.row_refs());
        assert!(layout.sketches_in_use(Approximate::Sketches));
        assert!(
            verify(dir.path()).unwrap().is_empty(),
            "an old sketch is not damage"
        );
        assert_eq!(build_missing(dir.path(), false).unwrap().written, 1);
        let bytes = std::fs::read(&path).unwrap();
        assert!(Shape::read(&bytes).unwrap().directory.is_some());
    }

    /// A pass made ahead (as a hybrid search makes it on the embedding's thread) and the
    /// exact scores, each shared with a helping thread, give what one thread alone gives.
    #[test]
    fn a_pass_made_ahead_and_shared_gives_the_same_documents() {
        let dir = tempfile::tempdir().unwrap();
        let mut topics = Topics::new(40);
        // A chunk of 4,500 rows (past one share of the pass) and a small one.
        chunked(dir.path(), &mut topics, &[0..1500, 1500..1800]);
        build_missing(dir.path(), false).unwrap();
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        let plan = VectorPlan {
            approximate: Approximate::Sketches,
            exact: &|| (0..50).collect(),
            only: &|| None,
            depth: 100,
        };
        let sketches: Vec<Option<Sketch>> = [(0u64, 4500), (1, 900)]
            .iter()
            .map(|&(n, rows)| {
                let path = dir.path().join(format!("semantic/chunk-{n:08}.vec"));
                let sketch = Sketch::open(dir.path(), n, &std::fs::read(path).unwrap()).unwrap();
                sketch.filter(|s| s.rows() == rows)
            })
            .collect();
        assert!(sketches.iter().all(Option::is_some));
        for q in 0..5 {
            let topic = topics.topics[q * 3].clone();
            let query = Query::new(&topics.near(&topic, 0.4), Kernel::Int8);
            // The pass's shares fill what one call per chunk fills.
            let pass = layout.sketch_pass(query.float(), Scoring::default(), None);
            let code = QueryCode::new(query.float(), &sketches, Scoring::default());
            let mut whole = Vec::new();
            for (source, sketch) in sketches.iter().flatten().enumerate() {
                let mut out = vec![0; sketch.rows()];
                code.fill(source, sketch, 0..sketch.rows(), &mut out);
                whole.extend(out);
            }
            assert_eq!(pass.distances(), &whole[..]);
            let mut alone = layout.best_documents(&query, &plan, None, None);
            let assist = crate::semantic::Assist::default();
            let mut shared = std::thread::scope(|s| {
                s.spawn(|| assist.help());
                let _finish = crate::semantic::Finish(&assist);
                let pass = layout.sketch_pass(query.float(), Scoring::default(), Some(&assist));
                layout.best_documents(&query, &plan, Some(pass), Some(&assist))
            });
            let order = |a: &(u64, f32, u32), b: &(u64, f32, u32)| a.0.cmp(&b.0);
            alone.sort_by(order);
            shared.sort_by(order);
            assert_eq!(alone.len(), shared.len());
            assert!(alone.len() >= 100, "the pool and the exact documents");
            assert_eq!(alone, shared);
        }
    }

    /// Over chunks with different means, the sketches find the exact top 10 while scoring a
    /// fraction of the documents, each with the exact score of a passage it has; a chunk without a sketch is
    /// scored exactly; filters keep to the admitted documents; a compaction's new chunk is
    /// sketched and the old sketches removed; a stale sketch is not used.
    #[test]
    fn sketches_find_what_exact_search_finds() {
        let dir = tempfile::tempdir().unwrap();
        let mut topics = Topics::new(40);
        let mut store = chunked(dir.path(), &mut topics, &[0..600, 600..1200]);
        assert_eq!(build_missing(dir.path(), false).unwrap().written, 2);
        assert_eq!(
            build_missing(dir.path(), true).unwrap(),
            SketchReport::default()
        );
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(layout.has_sketches());
        let (mut agreed, mut asked) = (0, 0);
        for q in 0..30 {
            let topic = topics.topics[q % 40].clone();
            let query = Query::new(&topics.near(&topic, 0.4), Kernel::Int8);
            let exact = search(&layout, &query, Approximate::Never, None, 200);
            let found = search(&layout, &query, Approximate::Sketches, None, 200);
            assert_eq!(found.len(), 200, "the pool is the depth");
            for &(key, score, ordinal) in &found {
                // The exact score of the passage it names, which is at most the document's
                // best (only its nearest rows by sketch were scored).
                let passage = layout.passage_scores(key, &query)[&ordinal];
                assert_eq!(
                    score, passage,
                    "not the exact score of passage {ordinal} of {key}"
                );
                let best = exact.iter().find(|d| d.0 == key).expect("every document").1;
                assert!(score <= best, "above the document's best: {key}");
            }
            let want = ranked(exact, 10);
            agreed += ranked(found, 10)
                .iter()
                .filter(|k| want.contains(k))
                .count();
            asked += 10;
        }
        let recall = agreed as f32 / asked as f32;
        // A pool of 200 of 1,200 documents (BENCHMARKS.md has the real vectors' figures).
        assert!(recall >= 0.85, "recall@10 against exact {recall}");

        // Written after the sketches: scored exactly until sketched.
        let topic = topics.topics[5].clone();
        let new = Group {
            key: 9999,
            signature: 0,
            passages: vec![PassageVector::quantise(0, 1, &topic)],
        };
        store.append(dir.path(), vec![new]).unwrap();
        let query = Query::new(&topic, Kernel::Int8);
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert_eq!(
            ranked(search(&layout, &query, Approximate::Sketches, None, 1), 1),
            [9999]
        );

        // Filters: the admitted documents only.
        let admitted: Vec<u64> = (0..1200).step_by(13).collect();
        let filtered = search(
            &layout,
            &query,
            Approximate::Sketches,
            Some(admitted.clone()),
            5,
        );
        assert_eq!(filtered.len(), 5);
        assert!(filtered.iter().all(|d| admitted.contains(&d.0)));

        // Compaction: one new chunk, sketched; the three old sketches removed.
        store.settle(dir.path(), true).unwrap();
        let report = build_missing(dir.path(), true).unwrap();
        assert_eq!((report.written, report.removed), (1, 2));
        let layout = Layout::open(dir.path(), |_, _| true).unwrap();
        assert!(layout.has_sketches());
        assert_eq!(
            ranked(search(&layout, &query, Approximate::Sketches, None, 1), 1),
            [9999]
        );

        // A sketch naming the chunk at another length is stale: not used, made again.
        let sketch = std::fs::read_dir(VectorStore::folder(dir.path()))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(SUFFIX))
            .unwrap();
        let bytes = std::fs::read(&sketch).unwrap();
        let header = super::super::file_header(MAGIC).len();
        let mut stale = bytes.clone();
        stale[header + 8] ^= 1;
        std::fs::write(&sketch, &stale).unwrap();
        assert!(!Layout::open(dir.path(), |_, _| true)
            .unwrap()
            .has_sketches());
        assert_eq!(build_missing(dir.path(), false).unwrap().written, 1);
        assert_eq!(std::fs::read(&sketch).unwrap(), bytes);

        // An altered bit: `verify` names it; the end of a run (whole) makes it again.
        let mut altered = bytes.clone();
        let last = altered.len() - 20;
        altered[last] ^= 1;
        std::fs::write(&sketch, &altered).unwrap();
        let faults = verify(dir.path()).unwrap();
        assert_eq!(faults.len(), 1);
        assert!(faults[0].1.contains("checksum"), "{faults:?}");
        assert_eq!(build_missing(dir.path(), false).unwrap().written, 0);
        assert_eq!(build_missing(dir.path(), true).unwrap().written, 1);
        assert!(verify(dir.path()).unwrap().is_empty());
    }

    /// Deterministic pseudo-random words.
    fn words(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// The AVX-512 kernel (where this CPU has it) and the portable one give the same
    /// distances, for both scorings, on random rows and planes.
    #[test]
    fn the_kernels_agree() {
        let mut seed = 0x1234_5678_9abc_def1;
        // 33 blocks of 8 rows; 257 distances asked for (the last block's others padding).
        let rows: Vec<u8> = (0..ROW * 264).map(|_| words(&mut seed) as u8).collect();
        for scoring in [Scoring::Hamming, Scoring::Weighted] {
            for _ in 0..20 {
                let mut planes = [[0u64; 8]; PLANES];
                for plane in &mut planes {
                    for w in plane.iter_mut().take(WORDS) {
                        *w = words(&mut seed);
                    }
                }
                let offset = (words(&mut seed) % 4000) as i32 - 2000;
                let (mut fast, mut portable) = (vec![0; 257], vec![1; 257]);
                distances(scoring, &planes, offset, &rows, &mut fast);
                distances_portable(scoring, &planes, offset, &rows, &mut portable);
                assert_eq!(fast, portable, "{scoring:?}");
            }
        }
    }
}
