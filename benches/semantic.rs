//! Semantic benchmark, in three parts (each optional, named on the command line):
//!
//! - `embed N`: embedding throughput (passages/s, tokens/s, wall and CPU time) on the first N
//!   documents of the generated corpus (`../shared/bench/make_corpus.py --seed 42`, whose
//!   documents are the same for every size), their vectors dropped first so every run embeds
//!   the same sample.
//! - `latency N`: p50/p99 per mode (lexical, semantic, hybrid) over the generator's queries on
//!   the first N documents, embedded (incrementally) first; the modes run in turn query by
//!   query, three rounds, so that a load that comes and goes (another session's build, the
//!   host's neighbours) falls on all three alike and their ratio means something.
//! - `query N`: embedding the generator's queries alone (the floor of every semantic or hybrid
//!   query), p50/p99 and tokens per query, on the corpus of N documents' queries.
//! - `latency-at CORPUS INDEX SECONDS`: the same per-mode latency on a corpus folder made by
//!   the generator (`queries.txt` beside `corpus/`) already indexed lexically into INDEX,
//!   after embedding it for at most SECONDS (so the semantic side covers the documents
//!   embedded so far, the lexical side all), then whole-process `tipdex search` timings
//!   per mode (each a fresh process: model and vectors loaded every time). With `fill` after
//!   SECONDS, the documents still without vectors get synthetic ones first (real vectors
//!   with noise: latency at full coverage, labelled so; see `fill_synthetic`).
//! - `exact`: the cost of exact vector search (one best passage per document, both kernels of
//!   `semantic::scan`) against the number of vectors, compute only, and the size where it
//!   passes the 20 ms query budget.
//! - `load`: what opening the vectors costs a fresh process (each CLI search) at 10k, 100k
//!   and 236k vectors (236k: the 20k corpus' passages), mapped in place against decoded.
//! - `ann INDEX QUERIES`: approximate search (`semantic::lists`) against exact on the real
//!   vectors of an embedded INDEX (the eval's `target/eval/scifact-index`, say) with the real
//!   queries of QUERIES (BEIR jsonl, `text`), then on those vectors replicated with small
//!   noise to 50k, 250k and 1M (labelled so: real vectors, not real documents): lists build time,
//!   recall@10 of documents against exact, p50/p99 of both; then the bit sketches
//!   (`semantic::sketch`) in each scoring and pool size: recall@10 and recall@1000 (the depth
//!   fusion z-scores over) against exact, p50/p99. `ann INDEX QUERIES real`: the real vectors
//!   only.
//!
//! ```sh
//! bash scripts/fetch_test_model.sh                   # the model, once
//! cargo bench --bench semantic -- embed 300
//! cargo bench --bench semantic -- latency 2000
//! cargo bench --bench semantic -- exact load
//! ```

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tipdex::search::{search, Mode, SearchRequest, SemanticSearch};
use tipdex::semantic::scan::{Kernel, Layout, Query};
use tipdex::semantic::vectors::{Group, PassageVector, VectorStore};
use tipdex::semantic::{embed_index, Encoder, LiveVectors, QueryEncoder, DIMENSIONS};
use tipdex::store::Store;

/// The query budget exact search must stay within.
const BUDGET: Duration = Duration::from_millis(20);
/// Passages per document in the synthetic vector sets (about the generated corpus' mean).
const PASSAGES_PER_DOCUMENT: usize = 4;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size_after = |name: &str| -> Option<usize> {
        let i = args.iter().position(|a| a == name)?;
        Some(
            args.get(i + 1)
                .and_then(|a| a.parse().ok())
                .unwrap_or(if name == "embed" { 300 } else { 2000 }),
        )
    };
    let (embed, latency, query, exact, load) = (
        size_after("embed"),
        size_after("latency"),
        size_after("query"),
        args.iter().any(|a| a == "exact"),
        args.iter().any(|a| a == "load"),
    );
    let latency_at = args
        .iter()
        .position(|a| a == "latency-at")
        .and_then(|i| args.get(i + 1..i + 4));
    let ann = args
        .iter()
        .position(|a| a == "ann")
        .and_then(|i| args.get(i + 1..i + 3));
    if embed.is_none()
        && latency.is_none()
        && query.is_none()
        && latency_at.is_none()
        && ann.is_none()
        && !exact
        && !load
    {
        println!("semantic bench: name a part: `embed N`, `latency N`, `latency-at CORPUS INDEX SECONDS`, `query N`, `exact`, `load` (see benches/semantic.rs)");
        return;
    }
    if exact {
        exact_search_cost();
    }
    if load {
        load_cost();
    }
    if embed.is_none()
        && latency.is_none()
        && query.is_none()
        && latency_at.is_none()
        && ann.is_none()
    {
        return;
    }
    let model = tipdex::semantic::model::test_model_dir();
    let encoder = Arc::new(Encoder::load(&model).expect("load the model"));
    let query_encoder = Arc::new(QueryEncoder::open(&model).expect("open the query model"));
    if let Some([index, queries]) = ann {
        let real_only = args.iter().any(|a| a == "real");
        approximate_against_exact(
            Path::new(index),
            Path::new(queries),
            &query_encoder,
            real_only,
        );
    }
    if let Some([corpus, index, seconds]) = latency_at {
        let seconds: u64 = seconds.parse().expect("latency-at CORPUS INDEX SECONDS");
        latency_on_index(
            Path::new(corpus),
            Path::new(index),
            seconds,
            args.iter().any(|a| a == "fill"),
            (&encoder, &query_encoder),
        );
    }
    if let Some(docs) = query {
        if let Some(generator) = common::generator("semantic") {
            query_embedding_cost(
                &common::generated_corpus(&generator, docs),
                &encoder,
                &query_encoder,
            );
        }
    }
    if let Some(docs) = embed {
        let Some((_, index)) = indexed_corpus(docs) else {
            return;
        };
        // The same sample every run: drop the vectors, embed them all again.
        let _ = std::fs::remove_dir_all(VectorStore::folder(&index));
        let cpu_before = cpu_time();
        let report =
            embed_index(&index, &encoder, &AtomicBool::new(false), &mut |_| {}).expect("embed");
        let cpu = cpu_time() - cpu_before;
        let secs = report.elapsed.as_secs_f64();
        println!(
            "embedding, first {docs} documents of the generated corpus: {} passages, {} tokens in {:.1} s wall, {:.1} s CPU",
            report.embedded_passages,
            report.embedded_tokens,
            secs,
            cpu.as_secs_f64()
        );
        println!(
            "  {:.1} passages/s, {:.0} tokens/s (wall); {:.1} passages per CPU-second; {} threads",
            report.embedded_passages as f64 / secs,
            report.embedded_tokens as f64 / secs,
            report.embedded_passages as f64 / cpu.as_secs_f64(),
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
    }
    if let Some(docs) = latency {
        let Some((corpus, index)) = indexed_corpus(docs) else {
            return;
        };
        let started = Instant::now();
        let report =
            embed_index(&index, &encoder, &AtomicBool::new(false), &mut |_| {}).expect("embed");
        if report.embedded_passages > 0 {
            println!(
                "embedded {} passages ({} tokens) in {:.1} s",
                report.embedded_passages,
                report.embedded_tokens,
                started.elapsed().as_secs_f64()
            );
        }
        modes_latency(&corpus, &index, &query_encoder, docs);
    }
}

/// The generated corpus of `docs` documents and its lexical index, made on first use (cached
/// in target/bench, shared with the query bench's corpus folders).
fn indexed_corpus(docs: usize) -> Option<(PathBuf, PathBuf)> {
    let generator = common::generator("semantic")?;
    let work = common::work_dir();
    let out = common::generated_corpus(&generator, docs);
    let index = work.join(format!("tipdex-semantic-{docs}"));
    // Once the index has vectors, `tipdex index` embeds too: it needs the model the bench uses.
    let model = tipdex::semantic::model::test_model_dir();
    let status = common::index_command(&out, &index)
        .env("TIPDEX_MODEL_DIR", &model.0)
        .status()
        .expect("run tipdex index");
    assert!(status.success());
    Some((out, index))
}

/// Per-mode latency on an existing lexical index, embedded for at most `seconds` first.
fn latency_on_index(
    corpus: &Path,
    index: &Path,
    seconds: u64,
    fill: bool,
    (encoder, query_encoder): (&Encoder, &Arc<QueryEncoder>),
) {
    let stop = Arc::new(AtomicBool::new(false));
    let timer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(seconds));
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        })
    };
    let cpu_before = cpu_time();
    let report = embed_index(index, encoder, &stop, &mut |_| {}).expect("embed");
    let cpu = cpu_time() - cpu_before;
    println!(
        "embedded {} passages ({} tokens) of {} documents in {:.1} s wall, {:.1} s CPU ({:.1} passages/s wall){}",
        report.embedded_passages,
        report.embedded_tokens,
        report.documents,
        report.elapsed.as_secs_f64(),
        cpu.as_secs_f64(),
        report.embedded_passages as f64 / report.elapsed.as_secs_f64().max(1e-9),
        if report.interrupted { ", stopped at the time limit" } else { "" }
    );
    drop(timer);
    if fill {
        let (documents, passages) = fill_synthetic(index);
        println!(
            "SYNTHETIC: {passages} passage vectors of {documents} documents filled in from the real ones with noise, for latency at full coverage only (not real embeddings)"
        );
    }
    let documents = Store::open(index)
        .and_then(|s| {
            let reader = s.reader()?;
            Ok(s.counts(&reader.searcher())?.0)
        })
        .expect("count documents");
    modes_latency(corpus, index, query_encoder, documents as usize);
    whole_process_latency(corpus, index);
}

/// For latency at full coverage only: every document of `index` without vectors gets
/// synthetic ones — a real passage vector of the index picked by key and ordinal, each
/// component moved by noise (~0.01, cosine ~0.98 to the original, as the `ann` bench's
/// replicated sets) — written, sketched and marked level with the index as an embedding run
/// would. Relevance on such an index means nothing. Returns (documents, passages) filled.
fn fill_synthetic(index: &Path) -> (usize, usize) {
    use tipdex::semantic::vectors::{fingerprint, signature};
    let store = Store::open(index).expect("open index");
    let reader = store.reader().expect("reader");
    let searcher = reader.searcher();
    let records = store.all_records(&searcher).expect("records");
    let mut vectors = VectorStore::load(index).expect("vectors");
    let real: Vec<Vec<f32>> = vectors
        .groups
        .values()
        .flat_map(|g| g.passages.iter())
        .map(|p| {
            p.components
                .iter()
                .map(|&c| f32::from(c) * p.scale)
                .collect()
        })
        .collect();
    assert!(
        !real.is_empty(),
        "fill needs some real vectors: embed for a few seconds first"
    );
    let mix = |a: u64, b: u64| {
        let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0x632B_E59B_D9B4_E019);
        x ^= x >> 31;
        x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 29)
    };
    let (mut documents, mut passages, mut batch) = (0, 0, Vec::new());
    for record in &records {
        if vectors.groups.contains_key(&record.key) {
            continue;
        }
        let group = Group {
            key: record.key,
            signature: signature(&record.hash, record.extractor),
            passages: (0..record.passages)
                .map(|ordinal| {
                    let seed = mix(record.key, u64::from(ordinal));
                    let base = &real[(seed % real.len() as u64) as usize];
                    let mut v: Vec<f32> = base
                        .iter()
                        .enumerate()
                        .map(|(i, x)| {
                            let r = mix(seed, i as u64);
                            x + ((r >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.02
                        })
                        .collect();
                    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.iter_mut().for_each(|x| *x /= norm);
                    PassageVector::quantise(ordinal, seed | 1, &v)
                })
                .collect(),
        };
        documents += 1;
        passages += group.passages.len();
        batch.push(group);
        if batch.len() >= 2_000 {
            vectors
                .append(index, std::mem::take(&mut batch))
                .expect("append");
        }
    }
    vectors.append(index, batch).expect("append");
    vectors.settle(index, false).expect("settle");
    tipdex::semantic::sketch::build_missing(index, true).expect("sketches");
    VectorStore::mark_synced(index, fingerprint(&searcher)).expect("synced");
    (documents, passages)
}

/// Wall time of `tipdex search` as a user runs it, per mode: a fresh process each time (the
/// model loaded, the vectors opened), the first 30 queries, after one warm-up run.
fn whole_process_latency(corpus: &Path, index: &Path) {
    let queries: Vec<String> = plain_queries(corpus).into_iter().take(30).collect();
    let model = tipdex::semantic::model::test_model_dir();
    let tipdex = common::tipdex_bin();
    println!(
        "whole process (`{} search --mode M -n 10 QUERY`, output to a pipe), {} queries:",
        tipdex.display(),
        queries.len()
    );
    println!("| mode | p50 ms | p99 ms |");
    println!("|---|---:|---:|");
    for mode in ["lexical", "semantic", "hybrid"] {
        let run = |q: &str| {
            let started = Instant::now();
            let out = std::process::Command::new(&tipdex)
                .args(["search", "--mode", mode, "-n", "10", "--index"])
                .arg(index)
                .arg(q)
                .env("TIPDEX_MODEL_DIR", &model.0)
                .output()
                .expect("run tipdex search");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            started.elapsed()
        };
        run(&queries[0]);
        let mut times: Vec<Duration> = queries.iter().map(|q| run(q)).collect();
        times.sort();
        let pick = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        println!("| {mode} | {:.1} | {:.1} |", ms(pick(0.5)), ms(pick(0.99)));
    }
}

/// p50/p99 per mode over the generator's queries (their words only: the semantic side reads
/// the text, and the operators of the query bench's classes mean nothing to it).
fn modes_latency(corpus: &Path, index: &Path, encoder: &Arc<QueryEncoder>, docs: usize) {
    let queries = plain_queries(corpus);
    let store = Store::open(index).expect("open index");
    let reader = store.reader().expect("reader");
    let passages = {
        let searcher = reader.searcher();
        let live = LiveVectors::load(index, &store, &searcher).expect("vectors");
        live.layout.vectors()
    };
    const ROUNDS: usize = 3;
    println!(
        "in-process, {docs} documents ({passages} passage vectors), {} queries × {ROUNDS} rounds, top 10 with 2 passages each, the three modes in turn query by query (so all see the same load), after one warm-up pass:",
        queries.len()
    );
    println!("| mode | p50 ms | p99 ms | mean ms |");
    println!("|---|---:|---:|---:|");
    let modes = [Mode::Lexical, Mode::Semantic, Mode::Hybrid];
    let requests: Vec<_> = modes
        .iter()
        .map(|&mode| {
            let semantic = (mode != Mode::Lexical)
                .then(|| SemanticSearch::new(mode, encoder.clone(), index.to_path_buf()));
            move |q: &str| SearchRequest {
                query: q.to_string(),
                limit: 10,
                passages: 2,
                semantic: semantic.clone(),
                ..SearchRequest::default()
            }
        })
        .collect();
    for q in &queries {
        for request in &requests {
            search(&store, &reader, &request(q)).expect("warm-up search");
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); modes.len()];
    for _ in 0..ROUNDS {
        for q in &queries {
            for (request, times) in requests.iter().zip(times.iter_mut()) {
                let started = Instant::now();
                std::hint::black_box(search(&store, &reader, &request(q)).expect("search"));
                times.push(started.elapsed());
            }
        }
    }
    let mut medians = HashMap::new();
    for (mode, mut times) in modes.iter().zip(times) {
        times.sort();
        let pick = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
        println!(
            "| {mode:?} | {:.2} | {:.2} | {:.2} |",
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(mean)
        );
        medians.insert(format!("{mode:?}"), pick(0.5));
    }
    println!(
        "hybrid p50 / lexical p50 = {:.2}",
        medians["Hybrid"].as_secs_f64() / medians["Lexical"].as_secs_f64()
    );
}

/// The generator's queries as the semantic side reads them: their words, operators dropped.
fn plain_queries(corpus: &Path) -> Vec<String> {
    common::generated_queries(corpus)
        .into_iter()
        .map(|(_, q)| {
            q.split_whitespace()
                .filter(|w| !w.contains(':'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|q| !q.is_empty())
        .collect()
}

/// p50/p99 of embedding one query, as a search does (`QueryEncoder::embed`: one text on the
/// calling thread, the mapped int8 model), beside the batch path (`Encoder::embed` of one text: candle, its thread
/// pool) measured in the same run, alternating query by query so both see the same load.
/// CPU time is the whole process's (candle's pool threads included) per query.
fn query_embedding_cost(corpus: &Path, encoder: &Encoder, query_encoder: &QueryEncoder) {
    let queries = plain_queries(corpus);
    let tokens: usize = queries
        .iter()
        .map(|q| query_encoder.token_ids(q).len())
        .sum();
    println!(
        "query embedding, {} queries ({:.1} tokens each with [CLS]/[SEP]), after one warm-up pass:",
        queries.len(),
        tokens as f64 / queries.len().max(1) as f64
    );
    println!("| path | p50 ms | p99 ms | mean ms | CPU ms per query |");
    println!("|---|---:|---:|---:|---:|");
    type Path1<'a> = (&'a str, Box<dyn Fn(&str) -> Vec<f32> + 'a>);
    let paths: [Path1; 2] = [
        (
            "QueryEncoder::embed (one text, int8 rows, mapped)",
            Box::new(|q| query_encoder.embed(q)),
        ),
        (
            "embed (candle batch path, f32)",
            Box::new(|q| encoder.embed(&[q]).expect("embed").remove(0)),
        ),
    ];
    let mut times = [Vec::new(), Vec::new()];
    let mut cpu = [Duration::ZERO; 2];
    for pass in 0..2 {
        for q in &queries {
            for (k, (_, embed)) in paths.iter().enumerate() {
                let (started, cpu_before) = (Instant::now(), cpu_time());
                std::hint::black_box(embed(q));
                if pass == 1 {
                    times[k].push(started.elapsed());
                    cpu[k] += cpu_time() - cpu_before;
                }
            }
        }
    }
    for (k, (name, _)) in paths.iter().enumerate() {
        let t = &mut times[k];
        t.sort();
        let pick = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(t.iter().sum::<Duration>() / t.len().max(1) as u32),
            ms(cpu[k] / t.len().max(1) as u32)
        );
    }
}

/// Random unit vectors, reproducible (xorshift, no dependency).
struct RandomUnits(u64);

impl RandomUnits {
    fn next(&mut self) -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSIONS)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    /// Groups of [`PASSAGES_PER_DOCUMENT`] quantised vectors, keys from `first_key`.
    fn groups(&mut self, first_key: u64, vectors: usize) -> Vec<Group> {
        (0..vectors.div_ceil(PASSAGES_PER_DOCUMENT) as u64)
            .map(|i| Group {
                key: first_key + i,
                signature: 0,
                passages: (0..PASSAGES_PER_DOCUMENT as u32)
                    .map(|o| PassageVector::quantise(o, first_key + i, &self.next()))
                    .collect(),
            })
            .collect()
    }
}

/// Exact search cost against the number of vectors, per kernel: random unit vectors
/// quantised as the index keeps them, grouped [`PASSAGES_PER_DOCUMENT`] to a document, in the
/// contiguous layout a search scans, best of 5 runs per size.
fn exact_search_cost() {
    println!(
        "exact search, contiguous layout (one best passage per document, {PASSAGES_PER_DOCUMENT} passages per document), best of 5:"
    );
    println!("| vectors | int8 query, ms | f32 query, ms |");
    println!("|---:|---:|---:|");
    let mut random = RandomUnits(0x9e37_79b9_7f4a_7c15);
    let query = random.next();
    let kernels = [Kernel::Int8, Kernel::Float];
    let mut groups: Vec<Group> = Vec::new();
    let mut previous: [Option<(usize, f64)>; 2] = [None, None];
    let mut crossover: [Option<f64>; 2] = [None, None];
    for size in [
        10_000, 25_000, 50_000, 100_000, 200_000, 236_000, 400_000, 800_000,
    ] {
        let have = groups.len() * PASSAGES_PER_DOCUMENT;
        groups.extend(random.groups(groups.len() as u64, size - have));
        let layout = Layout::build(&groups);
        let mut row = format!("| {size} |");
        for (k, kernel) in kernels.iter().enumerate() {
            let q = Query::new(&query, *kernel);
            let best = (0..5)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(layout.best_per_document(&q));
                    started.elapsed()
                })
                .min()
                .unwrap_or_default();
            let now = ms(best);
            row.push_str(&format!(" {now:.2} |"));
            if crossover[k].is_none() && best > BUDGET {
                // Linear between the last size under the budget and this one.
                crossover[k] = Some(match previous[k] {
                    Some((n0, t0)) => {
                        n0 as f64 + (ms(BUDGET) - t0) / (now - t0) * (size - n0) as f64
                    }
                    None => size as f64,
                });
            }
            previous[k] = Some((size, now));
        }
        println!("{row}");
    }
    for (k, kernel) in kernels.iter().enumerate() {
        match crossover[k] {
            Some(n) => println!(
                "{kernel:?}: exact search passes {} ms at about {n:.0} vectors",
                BUDGET.as_millis()
            ),
            None => println!(
                "{kernel:?}: exact search stays under {} ms up to 800000 vectors",
                BUDGET.as_millis()
            ),
        }
    }
}

/// What opening the vectors costs a fresh process (each `tipdex search` is one), at sizes
/// written as one compacted chunk: mapping the chunk and walking its headers (what a search
/// does, `Layout::open`), against reading and decoding every vector into groups and laying
/// them out (what it did before); then a scan over the mapped rows (int8 query).
fn load_cost() {
    println!("opening the vectors, best of 3 (page cache warm):");
    println!("| vectors | chunk MB | mapped (open) ms | decode + lay out ms | scan of the mapped rows ms |");
    println!("|---:|---:|---:|---:|---:|");
    let mut random = RandomUnits(0x2545_f491_4f6c_dd1d);
    let query = Query::new(&random.next(), Kernel::Int8);
    for size in [10_000, 100_000, 236_000] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = VectorStore::load(dir.path()).expect("empty store");
        store
            .append(dir.path(), random.groups(0, size))
            .expect("write the chunk");
        let bytes: u64 = std::fs::read_dir(VectorStore::folder(dir.path()))
            .expect("folder")
            .flatten()
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum();
        let best = |f: &dyn Fn()| {
            (0..3)
                .map(|_| {
                    let started = Instant::now();
                    f();
                    started.elapsed()
                })
                .min()
                .unwrap_or_default()
        };
        let mapped = best(&|| {
            std::hint::black_box(Layout::open(dir.path(), |_, _| true).expect("open"));
        });
        let decoded = best(&|| {
            let loaded = VectorStore::load(dir.path()).expect("load");
            std::hint::black_box(Layout::build(loaded.groups.values()));
        });
        let layout = Layout::open(dir.path(), |_, _| true).expect("open");
        assert_eq!(
            layout.vectors(),
            size.div_ceil(PASSAGES_PER_DOCUMENT) * PASSAGES_PER_DOCUMENT
        );
        let scan = best(&|| {
            std::hint::black_box(layout.best_per_document(&query));
        });
        println!(
            "| {size} | {:.1} | {:.1} | {:.1} | {:.1} |",
            bytes as f64 / 1e6,
            ms(mapped),
            ms(decoded),
            ms(scan)
        );
    }
}

/// Approximate search against exact on real vectors and real queries, then on the vectors
/// replicated with noise to 50k, 250k and 1M.
fn approximate_against_exact(
    index: &Path,
    queries: &Path,
    encoder: &QueryEncoder,
    real_only: bool,
) {
    use tipdex::semantic::lists::{self, Approximate};
    use tipdex::semantic::scan::VectorPlan;
    use tipdex::semantic::sketch::{self, Scoring, SketchSearch};
    let real: Vec<Group> = VectorStore::load(index)
        .expect("the index's vectors")
        .groups
        .into_values()
        .collect();
    let texts: Vec<String> = std::fs::read_to_string(queries)
        .expect("queries file")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .take(300)
        .collect();
    let embedded: Vec<Query> = texts
        .iter()
        .map(|t| Query::new(&encoder.embed(t), Kernel::Int8))
        .collect();
    let real_vectors: usize = real.iter().map(|g| g.passages.len()).sum();
    println!(
        "approximate (lists) against exact, {} real queries of {}, vectors of {} ({} documents), top 10 documents:",
        embedded.len(),
        queries.display(),
        index.display(),
        real.len()
    );
    println!("| vectors | lists (probed) | build s | recall@10 | exact p50 / p99 ms | lists p50 / p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    // The sketches' variants: (scoring, documents scored exactly). Fusion's depth is 1,000,
    // so the default pool is 4,000; the small pools show how well the sketches rank on real
    // vectors, where a pool of 1,000+ holds most of a small collection.
    let variants = [
        (Scoring::Weighted, 100),
        (Scoring::Weighted, 250),
        (Scoring::Weighted, 1000),
        (Scoring::Weighted, 2000),
        (Scoring::Weighted, 4000),
        (Scoring::Hamming, 250),
        (Scoring::Hamming, 2000),
        (Scoring::Hamming, 8000),
    ];
    let mut sketch_lines = vec![
        "| vectors | sketch s | scoring | pool | recall@10 | recall@1000 | p50 / p99 ms | exact p50 ms (same run) |".to_string(),
        "|---|---:|---|---:|---:|---:|---:|---:|".to_string(),
    ];
    let mut noise = RandomUnits(0x2545_f491_4f6c_dd1d);
    // (vectors, passages a document: 0 = as the real documents have them). 236k in documents
    // of 12 passages is the shape of the 20k bench corpus embedded whole (236k passages of 20k
    // documents), where the real sets have 1.2 passages a document.
    let sizes = if real_only {
        vec![(real_vectors, 0)]
    } else {
        vec![
            (real_vectors, 0),
            (50_000, 0),
            (236_000, 12),
            (250_000, 0),
            (1_000_000, 0),
        ]
    };
    let shape = |target: usize, per_document: usize| match (target == real_vectors, per_document) {
        (true, _) => " real".to_string(),
        (false, 0) => " replicated".to_string(),
        (false, n) => format!(" replicated, {n} a document"),
    };
    for (target, per_document) in sizes {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = VectorStore::load(dir.path()).expect("empty store");
        let (mut written, mut batch) = (0usize, Vec::new());
        'copies: for copy in 0u64.. {
            for g in &real {
                if written >= target {
                    break 'copies;
                }
                let passages: Vec<PassageVector> = g
                    .passages
                    .iter()
                    .map(|p| {
                        if copy == 0 {
                            return p.clone();
                        }
                        // A copy: each component moved by ~0.01 (cosine to the original ~0.98).
                        let v: Vec<f32> = p
                            .components
                            .iter()
                            .zip(noise.next())
                            .map(|(c, n)| f32::from(*c) * p.scale + n * 0.2)
                            .collect();
                        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                        let v: Vec<f32> = v.into_iter().map(|x| x / norm).collect();
                        PassageVector::quantise(p.ordinal, p.digest, &v)
                    })
                    .collect();
                written += passages.len();
                let key = g.key ^ copy.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                match batch.last_mut() {
                    // Passages gathered into documents of `per_document`, renumbered.
                    Some(Group { passages: into, .. })
                        if per_document > 0 && into.len() < per_document =>
                    {
                        for mut p in passages {
                            p.ordinal = into.len() as u32;
                            into.push(p);
                        }
                    }
                    _ => batch.push(Group {
                        key,
                        signature: g.signature,
                        passages,
                    }),
                }
                if batch.len() >= 8_000 {
                    store
                        .append(dir.path(), std::mem::take(&mut batch))
                        .expect("write a chunk");
                }
            }
        }
        store.append(dir.path(), batch).expect("write a chunk");
        let built = lists::build(dir.path()).expect("build the lists");
        let started = Instant::now();
        sketch::build_missing(dir.path(), false).expect("sketch the chunks");
        let sketched = started.elapsed();
        let layout = Layout::open(dir.path(), |_, _| true).expect("open");
        assert!(layout.has_sketches());
        let plan = |approximate| VectorPlan {
            approximate,
            exact: &Vec::new,
            only: &|| None,
            depth: 1000,
        };
        let top = |mut docs: Vec<(u64, f32, u32)>| -> Vec<u64> {
            docs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            docs.into_iter().take(10).map(|d| d.0).collect()
        };
        let top_n = |mut docs: Vec<(u64, f32, u32)>, n: usize| -> Vec<u64> {
            docs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            docs.into_iter().take(n).map(|d| d.0).collect()
        };
        let (mut exact_times, mut list_times, mut agreed) = (Vec::new(), Vec::new(), 0usize);
        let mut sketch_times = vec![Vec::new(); variants.len()];
        let mut sketch_agreed = vec![(0usize, 0usize, 0usize); variants.len()];
        for q in &embedded {
            // Timed: the search alone (the fusion that follows reads its scores unsorted),
            // each way in turn for the same query, so load hits them alike.
            let started = Instant::now();
            let exact = layout.best_documents(q, &plan(Approximate::Never), None, None);
            exact_times.push(started.elapsed());
            let started = Instant::now();
            let approximate = layout.best_documents(q, &plan(Approximate::Always), None, None);
            list_times.push(started.elapsed());
            let deep: std::collections::HashSet<u64> =
                top_n(exact.clone(), 1000).into_iter().collect();
            let want = top(exact);
            agreed += top(approximate).iter().filter(|k| want.contains(k)).count();
            for (i, &(scoring, pool)) in variants.iter().enumerate() {
                let search = SketchSearch {
                    scoring,
                    pool,
                    rows: 0,
                };
                let started = Instant::now();
                let found = layout.best_by_sketches(
                    q,
                    &plan(Approximate::Sketches),
                    None,
                    search,
                    None,
                    None,
                );
                sketch_times[i].push(started.elapsed());
                let a = &mut sketch_agreed[i];
                a.0 += top(found.clone())
                    .iter()
                    .filter(|k| want.contains(k))
                    .count();
                let found_deep = top_n(found, 1000);
                a.1 += found_deep.iter().filter(|k| deep.contains(k)).count();
                a.2 += deep.len();
            }
        }
        let pick = |times: &mut Vec<Duration>, p: f64| {
            times.sort();
            ms(times[((times.len() - 1) as f64 * p).round() as usize])
        };
        println!(
            "| {}{} | {} ({}) | {:.1} | {:.3} | {:.2} / {:.2} | {:.2} / {:.2} |",
            layout.vectors(),
            shape(target, per_document),
            built.lists,
            lists::probes(built.lists),
            built.elapsed.as_secs_f64(),
            agreed as f64 / (10 * embedded.len().max(1)) as f64,
            pick(&mut exact_times, 0.5),
            pick(&mut exact_times, 0.99),
            pick(&mut list_times, 0.5),
            pick(&mut list_times, 0.99),
        );
        let exact_p50 = pick(&mut exact_times, 0.5);
        for (i, &(scoring, pool)) in variants.iter().enumerate() {
            let (top10, deep, of) = sketch_agreed[i];
            sketch_lines.push(format!(
                "| {}{} | {:.2} | {scoring:?} | {} | {:.3} | {:.3} | {:.2} / {:.2} | {:.2} |",
                layout.vectors(),
                shape(target, per_document),
                sketched.as_secs_f64(),
                pool,
                top10 as f64 / (10 * embedded.len().max(1)) as f64,
                deep as f64 / of.max(1) as f64,
                pick(&mut sketch_times[i], 0.5),
                pick(&mut sketch_times[i], 0.99),
                exact_p50,
            ));
        }
    }
    println!();
    println!("sketches against exact (same queries, same vectors; every returned score exact):");
    for line in sketch_lines {
        println!("{line}");
    }
}

/// User + system CPU time of this process so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given; nothing else is shared.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
