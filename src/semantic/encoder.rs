//! all-MiniLM-L6-v2 in Rust: tokenizer.json → BERT (6 layers, 384 dimensions, 12 heads) →
//! mean over the real tokens → unit vector. Written on candle-nn rather than taken from
//! candle-transformers, whose build compiles every model it ships for the one we run.

use super::model::ModelDir;
use super::SemanticError;
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};
use tokenizers::{Tokenizer, TruncationParams};

/// Length of an embedding.
pub const DIMENSIONS: usize = 384;

/// Longest input in tokens, as the model was trained (sentence-transformers' `max_seq_length`);
/// the rest of a longer passage is not seen.
pub const MAX_TOKENS: usize = 256;

pub(super) const LAYERS: usize = 6;
const HEADS: usize = 12;
pub(super) const INTERMEDIATE: usize = 1536;
pub(super) const VOCAB: usize = 30522;
pub(super) const POSITIONS: usize = 512;
pub(super) const LAYER_NORM_EPS: f64 = 1e-12;

/// Texts run through the model together, padded to the longest of them (inputs are sorted by
/// length first, so padding stays small).
const BATCH: usize = 16;

/// The loaded model and tokenizer, for batches of passages (a query is embedded by
/// `QueryEncoder`, which needs none of this).
pub struct Encoder {
    tokenizer: Tokenizer,
    bert: Bert,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Encoder(all-MiniLM-L6-v2)")
    }
}

impl Encoder {
    /// Load the model from its folder (files present with their pinned sizes; their hashes
    /// were checked when they were installed).
    pub fn load(dir: &ModelDir) -> Result<Encoder, SemanticError> {
        dir.check_present()?;
        let fail = |reason: String| SemanticError::ModelLoad {
            dir: dir.0.clone(),
            reason,
        };
        let mut tokenizer = Tokenizer::from_file(dir.file("tokenizer.json"))
            .map_err(|e| fail(format!("tokenizer.json: {e}")))?;
        // The file pads every input to 128 tokens and cuts there; the model reads up to 256
        // and this encoder pads per batch itself.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| fail(format!("tokenizer.json: {e}")))?;
        let weights_path = dir.file("model.safetensors");
        let bytes = std::fs::read(&weights_path).map_err(|source| SemanticError::Io {
            action: "read",
            path: weights_path,
            source,
        })?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| fail(e.to_string()))?;
        let bert = Bert::load(vb).map_err(|e| fail(e.to_string()))?;
        Ok(Encoder { tokenizer, bert })
    }

    /// Token ids of a text as the model sees it (with `[CLS]`/`[SEP]`, cut at [`MAX_TOKENS`]).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, SemanticError> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| SemanticError::Inference(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// One unit vector of [`DIMENSIONS`] per text, in the order given.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        Ok(self.embed_counted(texts)?.0)
    }

    /// [`Encoder::embed`], and the number of tokens the model read (for throughput figures).
    pub fn embed_counted(&self, texts: &[&str]) -> Result<(Vec<Vec<f32>>, u64), SemanticError> {
        let ids = texts
            .iter()
            .map(|t| self.token_ids(t))
            .collect::<Result<Vec<_>, _>>()?;
        let tokens = ids.iter().map(|i| i.len() as u64).sum();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            let vectors = self
                .bert
                .embed_batch(&batch)
                .map_err(|e| SemanticError::Inference(e.to_string()))?;
            for (&i, v) in chunk.iter().zip(vectors) {
                out[i] = v;
            }
        }
        Ok((out, tokens))
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

struct Bert {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl Bert {
    fn load(vb: VarBuilder) -> candle_core::Result<Bert> {
        let e = vb.pp("embeddings");
        let layers = (0..LAYERS)
            .map(|i| {
                let l = vb.pp(format!("encoder.layer.{i}"));
                Ok(Layer {
                    query: linear(DIMENSIONS, DIMENSIONS, l.pp("attention.self.query"))?,
                    key: linear(DIMENSIONS, DIMENSIONS, l.pp("attention.self.key"))?,
                    value: linear(DIMENSIONS, DIMENSIONS, l.pp("attention.self.value"))?,
                    attention_out: linear(DIMENSIONS, DIMENSIONS, l.pp("attention.output.dense"))?,
                    attention_norm: layer_norm(
                        DIMENSIONS,
                        LAYER_NORM_EPS,
                        l.pp("attention.output.LayerNorm"),
                    )?,
                    intermediate: linear(DIMENSIONS, INTERMEDIATE, l.pp("intermediate.dense"))?,
                    output: linear(INTERMEDIATE, DIMENSIONS, l.pp("output.dense"))?,
                    output_norm: layer_norm(DIMENSIONS, LAYER_NORM_EPS, l.pp("output.LayerNorm"))?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Bert {
            words: embedding(VOCAB, DIMENSIONS, e.pp("word_embeddings"))?,
            positions: embedding(POSITIONS, DIMENSIONS, e.pp("position_embeddings"))?,
            token_types: embedding(2, DIMENSIONS, e.pp("token_type_embeddings"))?,
            embeddings_norm: layer_norm(DIMENSIONS, LAYER_NORM_EPS, e.pp("LayerNorm"))?,
            layers,
        })
    }

    /// Embed token sequences of one batch, padded to the longest with masked positions.
    fn embed_batch(&self, batch: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let dev = Device::Cpu;
        let n = batch.len();
        let len = batch.iter().map(|b| b.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![0u32; n * len];
        let mut mask = vec![0f32; n * len];
        for (row, seq) in batch.iter().enumerate() {
            ids[row * len..row * len + seq.len()].copy_from_slice(seq);
            mask[row * len..row * len + seq.len()].fill(1.0);
        }
        let ids = Tensor::from_vec(ids, (n, len), &dev)?;
        let mask = Tensor::from_vec(mask, (n, len), &dev)?;
        let positions = Tensor::arange(0u32, len as u32, &dev)?.unsqueeze(0)?;
        let types = Tensor::zeros((n, len), DType::U32, &dev)?;
        let mut x = self
            .words
            .forward(&ids)?
            .broadcast_add(&self.positions.forward(&positions)?)?
            .broadcast_add(&self.token_types.forward(&types)?)?;
        x = self.embeddings_norm.forward(&x)?;
        // Padding gets a large negative score before the softmax, so no token attends to it.
        let attention_bias = ((mask.clone() - 1.0)? * 1e4)?.reshape((n, 1, 1, len))?;
        for layer in &self.layers {
            x = layer.forward(&x, &attention_bias)?;
        }
        // Mean over real tokens, then unit length (sentence-transformers' pooling + Normalize).
        let m = mask.unsqueeze(2)?;
        let summed = x.broadcast_mul(&m)?.sum(1)?;
        let counts = m.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        mean.broadcast_div(&norm)?.to_vec2::<f32>()
    }
}

impl Layer {
    fn forward(&self, x: &Tensor, attention_bias: &Tensor) -> candle_core::Result<Tensor> {
        let (n, len, _) = x.dims3()?;
        let head_dim = DIMENSIONS / HEADS;
        let heads = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((n, len, HEADS, head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = heads(self.query.forward(x)?)?;
        let k = heads(self.key.forward(x)?)?;
        let v = heads(self.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (head_dim as f64).sqrt())?;
        let weights = candle_nn::ops::softmax_last_dim(&scores.broadcast_add(attention_bias)?)?;
        let context = weights
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((n, len, DIMENSIONS))?;
        let x = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + x)?)?;
        let h = self.intermediate.forward(&x)?.gelu_erf()?;
        self.output_norm.forward(&(self.output.forward(&h)? + x)?)
    }
}

/// Dot product of two vectors (their cosine, as both are unit length).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::semantic::model::test_model_dir;

    /// The reference sentences: text, token ids and the numpy reimplementation's embedding
    /// (`scripts/minilm_reference.py`).
    pub(in crate::semantic) fn reference_cases() -> Vec<serde_json::Value> {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/minilm_reference.json"
        );
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap()
    }

    /// The model's output against an independent numpy reimplementation
    /// (`scripts/minilm_reference.py`): same token ids, cosine ≥ 0.999 for every sentence.
    #[test]
    fn embeddings_match_the_numpy_reference() {
        let encoder = Encoder::load(&test_model_dir()).unwrap();
        let cases = reference_cases();
        let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
        let vectors = encoder.embed(&texts).unwrap();
        for (case, v) in cases.iter().zip(&vectors) {
            let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
            assert_eq!(
                encoder.token_ids(case["text"].as_str().unwrap()).unwrap(),
                ids
            );
            let expected: Vec<f32> = serde_json::from_value(case["embedding"].clone()).unwrap();
            assert_eq!(v.len(), DIMENSIONS);
            let cosine = dot(v, &expected);
            assert!(cosine >= 0.999, "{}: cosine {cosine}", case["text"]);
        }
        // Batching with padding changes nothing: each text alone gives the same vector.
        let alone = encoder.embed(&texts[..1]).unwrap();
        assert!(dot(&alone[0], &vectors[0]) > 0.99999);
    }

    #[test]
    fn a_long_text_is_cut_at_the_model_limit() {
        let encoder = Encoder::load(&test_model_dir()).unwrap();
        let long = "trafficking ".repeat(1000);
        assert_eq!(encoder.token_ids(&long).unwrap().len(), MAX_TOKENS);
        assert_eq!(encoder.embed(&[&long]).unwrap()[0].len(), DIMENSIONS);
    }
}
