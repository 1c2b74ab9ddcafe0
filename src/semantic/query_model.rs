//! The query model file: what a search needs to embed its query, laid out once so that every
//! later process maps it and reads it in place — int8 weight blocks, the small f32 tables and
//! the tokenizer's vocabulary as a lookup table — with nothing decoded and candle never loaded.
//!
//! Why a file of its own: loading the model for one query cost a CLI search ~185 ms (candle
//! decoding 91 MB of f32 safetensors, the query weights quantised from them, `tokenizer.json`
//! parsed into maps) before a 5 ms embedding. The file (`query-model.int8`, beside the model's
//! files, ~26 MB) is made from the model's own files by `tipdex model fetch`, by `index
//! --semantic`, or by the first search that finds it missing. It is written whole to a
//! temporary name, fsynced and renamed, and its header names what it was made from (the
//! pinned sha256, the size and modification time of `model.safetensors` and
//! `tokenizer.json`, the format version) with the payload's length and xxh3, so a file that
//! is stale, cut short or foreign is made again, never read. A search checks the header, the
//! length and the layout; the xxh3 (a full read: ~5 ms, a fifth of a whole hybrid search
//! process when it was checked there) is checked where time is no matter, by `model fetch`
//! and `index --semantic` (`QueryEncoder::prepare`), which make a damaged file again. A
//! model folder the process cannot write to costs the build (~0.2 s) in every search, never
//! an error.

use super::assist::Assist;
use super::dense::{interleave, quantise_rows, Dense, BLOCK};
use super::encoder::{
    DIMENSIONS, INTERMEDIATE, LAYERS, LAYER_NORM_EPS, MAX_TOKENS, POSITIONS, VOCAB,
};
use super::model::{ModelDir, FILES};
use super::one_text::{Layer, Norm, OneText};
use super::wordpiece::{self, Specials, Vocab};
use super::{write_atomically, SemanticError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// The file's name in the model folder.
pub const FILE_NAME: &str = "query-model.int8";
const MAGIC: &[u8; 8] = b"TIPQMOD\0";
/// Bumped whenever the layout or the quantisation changes: an older file is then made again.
/// 2: dense rows in lane order (`dense::interleave`), for the int16-activation kernels.
const FORMAT: u32 = 2;
/// Written in native order: a file from a machine of the other byte order reads as stale.
const BYTE_ORDER: u32 = 0x0102_0304;
/// Fixed header: the key (magic … tokenizer stamp), payload length and checksum, padding.
const HEADER: usize = 256;
/// Every section starts on a multiple of this, so its f32 and u32 values are aligned in a map.
const ALIGN: usize = 64;

/// A query encoder: the tokenizer and the int8 forward pass over the query model file.
pub struct QueryEncoder {
    bytes: Bytes,
    /// Where it came from, for messages.
    path: PathBuf,
}

impl std::fmt::Debug for QueryEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QueryEncoder({})", self.path.display())
    }
}

/// The file's bytes: mapped, or built in memory where the model folder cannot be written
/// (held as u64s so the f32 sections are aligned as in a map).
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u64>, usize),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(words, len) => &bytemuck::cast_slice(words)[..*len],
        }
    }
}

/// What a search learns of a query model file: whether it was made now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prepared {
    /// A current file was already there.
    Present,
    /// It was missing, stale or damaged, and was written now.
    Written,
}

impl QueryEncoder {
    /// The query encoder of the model in `dir`: its query model file mapped, after making it
    /// if it is missing, stale or damaged (kept for later processes when the folder can be
    /// written, else used from memory).
    pub fn open(dir: &ModelDir) -> Result<QueryEncoder, SemanticError> {
        let key = Key::of(dir)?;
        let path = dir.file(FILE_NAME);
        if let Some(bytes) = map_current(&path, &key, Check::Layout) {
            return Ok(QueryEncoder { bytes, path });
        }
        let built = build(dir, &key)?;
        if write_whole(&dir.0, &built).is_ok() {
            if let Some(bytes) = map_current(&path, &key, Check::Layout) {
                return Ok(QueryEncoder { bytes, path });
            }
        }
        let mut words = vec![0u64; built.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..built.len()].copy_from_slice(&built);
        Ok(QueryEncoder {
            bytes: Bytes::Owned(words, built.len()),
            path,
        })
    }

    /// Make sure `dir` holds a current query model file (at `model fetch` and `index
    /// --semantic`, so searches find it); unlike [`QueryEncoder::open`], failing to write it
    /// is an error.
    pub fn prepare(dir: &ModelDir) -> Result<Prepared, SemanticError> {
        let key = Key::of(dir)?;
        let path = dir.file(FILE_NAME);
        if map_current(&path, &key, Check::Checksum).is_some() {
            return Ok(Prepared::Present);
        }
        write_whole(&dir.0, &build(dir, &key)?)?;
        Ok(Prepared::Written)
    }

    /// Token ids of a text as the model sees it (with `[CLS]`/`[SEP]`, cut at [`MAX_TOKENS`]).
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        let (_, vocab, specials) = self.view();
        wordpiece::token_ids(&vocab, &specials, text, MAX_TOKENS)
    }

    /// The unit vector of one short text (a query), on the calling thread: cosine ≥ 0.999 to
    /// the batch encoder's f32 vector.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let (model, vocab, specials) = self.view();
        model.embed(
            &wordpiece::token_ids(&vocab, &specials, text, MAX_TOKENS),
            None,
        )
    }

    /// [`QueryEncoder::embed`], with another thread (calling [`Assist::help`]) taking a
    /// share of each dense layer's rows when it can: the same vector, sooner.
    pub fn embed_assisted(&self, text: &str, assist: &Assist) -> Vec<f32> {
        let (model, vocab, specials) = self.view();
        let ids = wordpiece::token_ids(&vocab, &specials, text, MAX_TOKENS);
        model.embed(&ids, Some(assist))
    }

    fn view(&self) -> (OneText<'_>, Vocab<'_>, Specials<'_>) {
        // Checked when opened (`map_current` reads the whole layout), so this cannot fail.
        read_payload(&self.bytes[HEADER..]).expect("a query model file checked when opened")
    }
}

/// What a file was made from: the first bytes of its header, compared byte for byte.
struct Key(Vec<u8>);

impl Key {
    fn of(dir: &ModelDir) -> Result<Key, SemanticError> {
        dir.check_present()?;
        let mut key = Vec::with_capacity(128);
        key.extend_from_slice(MAGIC);
        key.extend_from_slice(&FORMAT.to_ne_bytes());
        key.extend_from_slice(&BYTE_ORDER.to_ne_bytes());
        key.extend_from_slice(FILES[0].sha256.as_bytes());
        for f in FILES {
            let path = dir.file(f.name);
            let meta = std::fs::metadata(&path).map_err(|source| SemanticError::Io {
                action: "read",
                path: path.clone(),
                source,
            })?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            key.extend_from_slice(&meta.len().to_le_bytes());
            key.extend_from_slice(&modified.as_secs().to_le_bytes());
            key.extend_from_slice(&modified.subsec_nanos().to_le_bytes());
        }
        Ok(Key(key))
    }
}

/// How much of a file [`map_current`] checks beyond its header and length.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The sections' layout (a search).
    Layout,
    /// The layout and the payload's xxh3 (`prepare`).
    Checksum,
}

/// `path` mapped if it is a whole file made from what `key` names, with a readable layout.
fn map_current(path: &Path, key: &Key, check: Check) -> Option<Bytes> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the file is only ever replaced by a rename, never written in place, so the
    // mapped bytes cannot change under the map.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let header = map.get(..HEADER)?;
    if header[..key.0.len()] != key.0[..] {
        return None;
    }
    let at = key.0.len();
    let length = u64::from_le_bytes(header[at..at + 8].try_into().ok()?) as usize;
    let checksum = u64::from_le_bytes(header[at + 8..at + 16].try_into().ok()?);
    let payload = map.get(HEADER..)?;
    if payload.len() != length || (check == Check::Checksum && xxh3_64(payload) != checksum) {
        return None;
    }
    read_payload(payload)?;
    Some(Bytes::Mapped(map))
}

/// The whole file for the model in `dir`: its safetensors and tokenizer.json read, the
/// weights quantised, the vocabulary laid out.
fn build(dir: &ModelDir, key: &Key) -> Result<Vec<u8>, SemanticError> {
    let fail = |reason: String| SemanticError::ModelLoad {
        dir: dir.0.clone(),
        reason,
    };
    let tensors = Safetensors::read(&dir.file("model.safetensors")).map_err(fail)?;
    let f32s = |name: &str, len: usize| -> Result<Vec<f32>, SemanticError> {
        tensors.f32s(name, len).ok_or_else(|| {
            fail(format!(
                "model.safetensors: no f32 tensor {name} of {len} values"
            ))
        })
    };
    let mut out = Writer::default();
    let words = f32s("embeddings.word_embeddings.weight", VOCAB * DIMENSIONS)?;
    let (rows, scales) = quantise_rows(DIMENSIONS, &words);
    out.i8s(&rows);
    out.f32s(&scales);
    out.f32s(&f32s(
        "embeddings.position_embeddings.weight",
        POSITIONS * DIMENSIONS,
    )?);
    out.f32s(&f32s("embeddings.token_type_embeddings.weight", 2 * DIMENSIONS)?[..DIMENSIONS]);
    for part in ["weight", "bias"] {
        out.f32s(&f32s(&format!("embeddings.LayerNorm.{part}"), DIMENSIONS)?);
    }
    let dense = |out: &mut Writer, names: &[String], inputs: usize, outputs: usize| {
        let mut weights = Vec::new();
        let mut bias = Vec::new();
        for name in names {
            weights.extend(f32s(&format!("{name}.weight"), inputs * outputs)?);
            bias.extend(f32s(&format!("{name}.bias"), outputs)?);
        }
        let (rows, scales) = quantise_rows(inputs, &weights);
        out.i8s(&interleave(inputs, &rows));
        out.f32s(&scales);
        out.f32s(&bias);
        Ok::<_, SemanticError>(())
    };
    let norm = |out: &mut Writer, name: &str| {
        for part in ["weight", "bias"] {
            out.f32s(&f32s(&format!("{name}.{part}"), DIMENSIONS)?);
        }
        Ok::<_, SemanticError>(())
    };
    for layer in 0..LAYERS {
        let l = format!("encoder.layer.{layer}");
        let qkv = ["query", "key", "value"].map(|p| format!("{l}.attention.self.{p}"));
        dense(&mut out, &qkv, DIMENSIONS, DIMENSIONS)?;
        dense(
            &mut out,
            &[format!("{l}.attention.output.dense")],
            DIMENSIONS,
            DIMENSIONS,
        )?;
        norm(&mut out, &format!("{l}.attention.output.LayerNorm"))?;
        dense(
            &mut out,
            &[format!("{l}.intermediate.dense")],
            DIMENSIONS,
            INTERMEDIATE,
        )?;
        dense(
            &mut out,
            &[format!("{l}.output.dense")],
            INTERMEDIATE,
            DIMENSIONS,
        )?;
        norm(&mut out, &format!("{l}.output.LayerNorm"))?;
    }
    write_tokenizer(&mut out, &dir.file("tokenizer.json")).map_err(fail)?;
    let payload = out.0;
    let mut file = Vec::with_capacity(HEADER + payload.len());
    file.extend_from_slice(&key.0);
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
    file.resize(HEADER, 0);
    file.extend_from_slice(&payload);
    Ok(file)
}

/// The vocabulary (in id order, with its lookup table) and the special tokens of the
/// model's tokenizer.json, for `wordpiece.rs`.
fn write_tokenizer(out: &mut Writer, path: &Path) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Added {
        id: u32,
        content: String,
        special: bool,
    }
    #[derive(serde::Deserialize)]
    struct Model {
        #[serde(rename = "type")]
        kind: String,
        vocab: HashMap<String, u32>,
        unk_token: String,
        continuing_subword_prefix: String,
        max_input_chars_per_word: usize,
    }
    #[derive(serde::Deserialize)]
    struct TokenizerJson {
        added_tokens: Vec<Added>,
        model: Model,
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("tokenizer.json: {e}"))?;
    let json: TokenizerJson =
        serde_json::from_str(&text).map_err(|e| format!("tokenizer.json: {e}"))?;
    let model = json.model;
    // What `wordpiece.rs` implements, checked rather than assumed.
    if model.kind != "WordPiece"
        || model.continuing_subword_prefix != "##"
        || model.max_input_chars_per_word != 100
    {
        return Err("tokenizer.json: not the WordPiece tokenizer this encoder reads".into());
    }
    let mut tokens = vec![None; model.vocab.len()];
    for (token, &id) in &model.vocab {
        let slot = tokens
            .get_mut(id as usize)
            .ok_or("tokenizer.json: vocabulary ids are not 0..n")?;
        *slot = Some(token.as_str());
    }
    let tokens: Vec<&str> = tokens
        .into_iter()
        .collect::<Option<_>>()
        .ok_or("tokenizer.json: vocabulary ids are not 0..n")?;
    if tokens.len() != VOCAB {
        return Err(format!(
            "tokenizer.json: {} tokens, not {VOCAB}",
            tokens.len()
        ));
    }
    let id = |t: &str| {
        model
            .vocab
            .get(t)
            .copied()
            .ok_or(format!("tokenizer.json: no {t}"))
    };
    out.u32s(&[id("[CLS]")?, id("[SEP]")?, id(&model.unk_token)?]);
    let added: Vec<&Added> = json.added_tokens.iter().filter(|a| a.special).collect();
    out.u32s(&[added.len() as u32]);
    out.u32s(&added.iter().map(|a| a.id).collect::<Vec<_>>());
    strings(out, added.iter().map(|a| a.content.as_str()));
    out.u32s(&[tokens.len() as u32]);
    strings(out, tokens.iter().copied());
    let slots = wordpiece::slot_table(&tokens);
    out.u32s(&[slots.len() as u32]);
    out.u32s(&slots);
    Ok(())
}

/// Strings as offsets (one more than there are strings) then their bytes.
fn strings<'a>(out: &mut Writer, items: impl Iterator<Item = &'a str> + Clone) {
    let mut offsets = vec![0u32];
    let mut bytes = Vec::new();
    for s in items {
        bytes.extend_from_slice(s.as_bytes());
        offsets.push(bytes.len() as u32);
    }
    out.u32s(&offsets);
    out.bytes(&bytes);
}

/// The model and tokenizer views over a payload, in the order [`build`] wrote them; `None`
/// when it is too short or inconsistent.
fn read_payload(payload: &[u8]) -> Option<(OneText<'_>, Vocab<'_>, Specials<'_>)> {
    let mut r = Reader {
        bytes: payload,
        at: 0,
    };
    let blocks = |inputs: usize| inputs.div_ceil(BLOCK);
    let words = r.i8s(VOCAB * DIMENSIONS)?;
    let word_scales = r.f32s(VOCAB * blocks(DIMENSIONS))?;
    let positions = r.f32s(POSITIONS * DIMENSIONS)?;
    let token_type = r.f32s(DIMENSIONS)?;
    let eps = LAYER_NORM_EPS as f32;
    fn dense<'a>(r: &mut Reader<'a>, inputs: usize, outputs: usize) -> Option<Dense<'a>> {
        Some(Dense {
            inputs,
            outputs,
            rows: r.i8s(inputs * outputs)?,
            scales: r.f32s(outputs * inputs.div_ceil(BLOCK))?,
            bias: r.f32s(outputs)?,
        })
    }
    let embeddings_norm = Norm {
        weight: r.f32s(DIMENSIONS)?,
        bias: r.f32s(DIMENSIONS)?,
        eps,
    };
    let mut layers = Vec::with_capacity(LAYERS);
    for _ in 0..LAYERS {
        let qkv = dense(&mut r, DIMENSIONS, 3 * DIMENSIONS)?;
        let attention_out = dense(&mut r, DIMENSIONS, DIMENSIONS)?;
        let attention_norm = Norm {
            weight: r.f32s(DIMENSIONS)?,
            bias: r.f32s(DIMENSIONS)?,
            eps,
        };
        let intermediate = dense(&mut r, DIMENSIONS, INTERMEDIATE)?;
        let output = dense(&mut r, INTERMEDIATE, DIMENSIONS)?;
        let output_norm = Norm {
            weight: r.f32s(DIMENSIONS)?,
            bias: r.f32s(DIMENSIONS)?,
            eps,
        };
        layers.push(Layer {
            qkv,
            attention_out,
            attention_norm,
            intermediate,
            output,
            output_norm,
        });
    }
    let model = OneText {
        words,
        word_scales,
        positions,
        token_type,
        embeddings_norm,
        layers,
    };
    let &[cls, sep, unk] = r.u32s(3)? else {
        return None;
    };
    let added_count = *r.u32s(1)?.first()? as usize;
    let added_ids = r.u32s(added_count)?;
    let added_offsets = r.u32s(added_count + 1)?;
    let added_bytes = r.bytes(*added_offsets.last()? as usize)?;
    let mut added = Vec::with_capacity(added_count);
    for (i, &id) in added_ids.iter().enumerate() {
        let text = added_bytes.get(added_offsets[i] as usize..added_offsets[i + 1] as usize)?;
        added.push((std::str::from_utf8(text).ok()?, id));
    }
    let vocab_count = *r.u32s(1)?.first()? as usize;
    let offsets = r.u32s(vocab_count + 1)?;
    let bytes = r.bytes(*offsets.last()? as usize)?;
    let slot_count = *r.u32s(1)?.first()? as usize;
    let slots = r.u32s(slot_count)?;
    let ids_fit = [cls, sep, unk]
        .iter()
        .chain(added_ids)
        .all(|&id| (id as usize) < VOCAB);
    let offsets_fit = offsets.windows(2).all(|w| w[0] <= w[1]);
    if vocab_count != VOCAB
        || !slot_count.is_power_of_two()
        || !ids_fit
        || !offsets_fit
        || slots.iter().any(|&s| s as usize > VOCAB)
        || r.at != payload.len()
    {
        return None;
    }
    let vocab = Vocab {
        offsets,
        bytes,
        slots,
    };
    let specials = Specials {
        added,
        cls,
        sep,
        unk,
    };
    Some((model, vocab, specials))
}

/// Sections appended, each aligned to [`ALIGN`].
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn bytes(&mut self, b: &[u8]) {
        self.0.resize(self.0.len().next_multiple_of(ALIGN), 0);
        self.0.extend_from_slice(b);
    }
    fn i8s(&mut self, v: &[i8]) {
        self.bytes(bytemuck::cast_slice(v));
    }
    fn f32s(&mut self, v: &[f32]) {
        self.bytes(bytemuck::cast_slice(v));
    }
    fn u32s(&mut self, v: &[u32]) {
        self.bytes(bytemuck::cast_slice(v));
    }
}

/// Sections read back in [`Writer`]'s order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let start = self.at.next_multiple_of(ALIGN);
        let out = self.bytes.get(start..start.checked_add(n)?)?;
        self.at = start + n;
        Some(out)
    }
    fn i8s(&mut self, n: usize) -> Option<&'a [i8]> {
        bytemuck::try_cast_slice(self.bytes(n)?).ok()
    }
    fn f32s(&mut self, n: usize) -> Option<&'a [f32]> {
        bytemuck::try_cast_slice(self.bytes(n.checked_mul(4)?)?).ok()
    }
    fn u32s(&mut self, n: usize) -> Option<&'a [u32]> {
        bytemuck::try_cast_slice(self.bytes(n.checked_mul(4)?)?).ok()
    }
}

/// A safetensors file's f32 tensors, read without candle.
struct Safetensors {
    bytes: memmap2::Mmap,
    data: usize,
    tensors: HashMap<String, TensorInfo>,
}

#[derive(serde::Deserialize)]
struct TensorInfo {
    dtype: String,
    data_offsets: [usize; 2],
}

impl Safetensors {
    fn read(path: &Path) -> Result<Safetensors, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // SAFETY: the model file is replaced only by a rename (`ModelDir::install_file`).
        let bytes =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
        let bad = || format!("{}: not a safetensors file", path.display());
        let length = u64::from_le_bytes(
            bytes
                .get(..8)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        );
        let data = usize::try_from(length)
            .map_err(|_| bad())?
            .checked_add(8)
            .ok_or_else(bad)?;
        let header: HashMap<String, serde_json::Value> =
            serde_json::from_slice(bytes.get(8..data).ok_or_else(bad)?).map_err(|_| bad())?;
        let tensors = header
            .into_iter()
            .filter(|(name, _)| name != "__metadata__")
            .filter_map(|(name, v)| Some((name, serde_json::from_value(v).ok()?)))
            .collect();
        Ok(Safetensors {
            bytes,
            data,
            tensors,
        })
    }

    /// Tensor `name` as f32s, if it is f32 and holds `len` values.
    fn f32s(&self, name: &str, len: usize) -> Option<Vec<f32>> {
        let t = self.tensors.get(name)?;
        let [start, end] = t.data_offsets;
        if t.dtype != "F32" || end.checked_sub(start)? != len * 4 {
            return None;
        }
        let raw = self.bytes.get(self.data + start..self.data + end)?;
        Some(
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }
}

/// The query model file into `dir`, whole, under a temporary name of this process: two
/// searches making it at once each rename a whole file.
fn write_whole(dir: &Path, bytes: &[u8]) -> Result<(), SemanticError> {
    let temp = format!(".{FILE_NAME}.{}.tmp", std::process::id());
    write_atomically(dir, FILE_NAME, &temp, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::encoder::{dot, tests::reference_cases, Encoder};
    use crate::semantic::model::test_model_dir;
    use crate::semantic::Finish;

    /// A model folder of its own for a test (the files linked, not copied), so writing the
    /// query model file there touches nothing shared.
    fn linked_model_dir() -> (tempfile::TempDir, ModelDir) {
        let source = test_model_dir();
        let dir = tempfile::tempdir().unwrap();
        for f in FILES {
            std::os::unix::fs::symlink(source.file(f.name), dir.path().join(f.name)).unwrap();
        }
        let model = ModelDir(dir.path().to_path_buf());
        (dir, model)
    }

    /// The mapped int8 path against candle's f32 batch path, on the reference sentences and
    /// query-like word lists.
    #[test]
    fn a_helped_embedding_is_the_same_vector() {
        let (_tmp, dir) = linked_model_dir();
        let query = QueryEncoder::open(&dir).unwrap();
        for text in [
            "forced labour in fishing",
            "HHS certification benefits",
            "x",
        ] {
            let alone = query.embed(text);
            // A helper from the start, one that arrives late, and none at all.
            for delay_us in [0, 300, u64::MAX] {
                let assist = Assist::default();
                let helped = std::thread::scope(|s| {
                    if delay_us != u64::MAX {
                        s.spawn(|| {
                            std::thread::sleep(std::time::Duration::from_micros(delay_us));
                            assist.help()
                        });
                    }
                    let _finish = Finish(&assist);
                    query.embed_assisted(text, &assist)
                });
                assert!(
                    helped
                        .iter()
                        .zip(&alone)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{text}, helper after {delay_us} us: a different vector"
                );
            }
        }
    }

    #[test]
    fn a_query_embedding_matches_the_batch_embedding() {
        let (_tmp, dir) = linked_model_dir();
        let encoder = Encoder::load(&dir).unwrap();
        let query = QueryEncoder::open(&dir).unwrap();
        let cases = reference_cases();
        let mut texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
        texts.extend([
            "forced labour",
            "sue traffickers for money",
            "victim identification border guards Nepal",
            "x",
        ]);
        let batch = encoder.embed(&texts).unwrap();
        for (text, expected) in texts.iter().zip(&batch) {
            let v = query.embed(text);
            assert_eq!(v.len(), DIMENSIONS);
            let cosine = dot(&v, expected);
            assert!(cosine >= 0.999, "{text}: cosine {cosine}");
        }
    }

    /// The file's tokenizer gives the `tokenizers` crate's ids, on text that exercises each of
    /// its rules: accents, case, punctuation, CJK, control characters, special tokens, words
    /// longer than WordPiece reads, pieces the vocabulary lacks, the length limit.
    #[test]
    fn the_tokenizer_gives_the_ids_of_tokenizer_json() {
        let (_tmp, dir) = linked_model_dir();
        let encoder = Encoder::load(&dir).unwrap();
        let query = QueryEncoder::open(&dir).unwrap();
        let long_word = "a".repeat(101);
        let long_text = "trafficking in persons ".repeat(200);
        let mut texts: Vec<String> = reference_cases()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect();
        texts.extend(
            [
                "",
                "   ",
                "Forced LABOUR in the Gulf's fishing-fleets (2019–2021)!",
                "Ça, c'est naïve: São Paulo, Zürich, İstanbul, Ångström",
                "人口贩卖 and 強制労働 in Tokyo",
                "tab\there\r\nnew line\u{0}nul\u{fffd}bad\u{200b}zero-width\u{7}bell",
                "[CLS] a [SEP] b [MASK][UNK]x[PAD]",
                "unbelievablyunpronounceablewordpiece ##hash 𝒳 🙂 emoji",
                "GLO.ACT, UNTOC/ICAT & T-visa §1591 — 18 U.S.C.",
                "ﬁancée ﬂight ⅷ ² ½",
                &long_word,
                &long_text,
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(
                query.token_ids(text),
                encoder.token_ids(text).unwrap(),
                "{text:?}"
            );
        }
    }

    /// The file is written once, read in place after, and made again when it is cut short or
    /// from another format (by any open) or damaged (by `prepare`, which checks its xxh3).
    #[test]
    fn a_damaged_or_stale_file_is_made_again() {
        let (_tmp, dir) = linked_model_dir();
        let path = dir.file(FILE_NAME);
        assert_eq!(QueryEncoder::prepare(&dir).unwrap(), Prepared::Written);
        assert_eq!(QueryEncoder::prepare(&dir).unwrap(), Prepared::Present);
        let good = std::fs::read(&path).unwrap();
        let expected = QueryEncoder::open(&dir).unwrap().embed("forced labour");

        // A flipped weight: found by `prepare`'s checksum, the file made again.
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        std::fs::write(&path, &flipped).unwrap();
        assert_eq!(QueryEncoder::prepare(&dir).unwrap(), Prepared::Written);
        assert_eq!(std::fs::read(&path).unwrap(), good);

        let mut older = good.clone();
        older[8] = older[8].wrapping_sub(1);
        for damaged in [good[..good.len() - 1000].to_vec(), older, Vec::new()] {
            std::fs::write(&path, &damaged).unwrap();
            // A search given a cut or older file builds a correct model and replaces the file.
            assert_eq!(
                QueryEncoder::open(&dir).unwrap().embed("forced labour"),
                expected
            );
            assert_eq!(std::fs::read(&path).unwrap(), good);
        }
        std::fs::remove_file(&path).unwrap();
        assert_eq!(QueryEncoder::prepare(&dir).unwrap(), Prepared::Written);
        // No temporary left behind.
        let names: Vec<String> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}
