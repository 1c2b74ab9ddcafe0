//! Semantic benchmark, in three parts (each optional, named on the command line):
//!
//! - `embed N`: embedding throughput (passages/s, tokens/s, wall and CPU time) on the first N
//!   documents of the generated corpus (`../shared/bench/make_corpus.py --seed 42`, whose
//!   documents are the same for every size), their vectors dropped first so every run embeds
//!   the same sample.
//! - `latency N`: p50/p99 per mode (lexical, semantic, hybrid) over the generator's queries on
//!   the first N documents, embedded (incrementally) first.
//! - `query N`: embedding the generator's queries alone (the floor of every semantic or hybrid
//!   query), p50/p99 and tokens per query, on the corpus of N documents' queries.
//! - `exact`: the cost of exact vector search (one best passage per document, both kernels of
//!   `semantic::scan`) against the number of vectors, compute only, and the size where it
//!   passes the 20 ms query budget.
//! - `load`: what reading the vectors and laying them out costs a fresh process (each CLI
//!   search) at 10k, 100k and 236k vectors (236k: the 20k corpus' passages).
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
use tipdex::semantic::{embed_index, Encoder, LiveVectors, DIMENSIONS};
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
    if embed.is_none() && latency.is_none() && query.is_none() && !exact && !load {
        println!("semantic bench: name a part: `embed N`, `latency N`, `query N`, `exact`, `load` (see benches/semantic.rs)");
        return;
    }
    if exact {
        exact_search_cost();
    }
    if load {
        load_cost();
    }
    if embed.is_none() && latency.is_none() && query.is_none() {
        return;
    }
    let model = tipdex::semantic::model::test_model_dir();
    let encoder = Arc::new(Encoder::load(&model).expect("load the model"));
    if let Some(docs) = query {
        if let Some(generator) = common::generator("semantic") {
            query_embedding_cost(&common::generated_corpus(&generator, docs), &encoder);
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
        modes_latency(&corpus, &index, &encoder, docs);
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

/// p50/p99 per mode over the generator's queries (their words only: the semantic side reads
/// the text, and the operators of the query bench's classes mean nothing to it).
fn modes_latency(corpus: &Path, index: &Path, encoder: &Arc<Encoder>, docs: usize) {
    let queries = plain_queries(corpus);
    let store = Store::open(index).expect("open index");
    let reader = store.reader().expect("reader");
    let passages = {
        let searcher = reader.searcher();
        let live = LiveVectors::load(index, &store, &searcher).expect("vectors");
        live.layout.vectors()
    };
    println!(
        "in-process, {docs} documents ({passages} passage vectors), {} queries, top 10 with 2 passages each, after one warm-up pass:",
        queries.len()
    );
    println!("| mode | p50 ms | p99 ms | mean ms |");
    println!("|---|---:|---:|---:|");
    let mut medians = HashMap::new();
    for mode in [Mode::Lexical, Mode::Semantic, Mode::Hybrid] {
        let semantic = (mode != Mode::Lexical)
            .then(|| SemanticSearch::new(mode, encoder.clone(), index.to_path_buf()));
        let request = |q: &str| SearchRequest {
            query: q.to_string(),
            limit: 10,
            passages: 2,
            semantic: semantic.clone(),
            ..SearchRequest::default()
        };
        for q in &queries {
            search(&store, &reader, &request(q)).expect("warm-up search");
        }
        let mut times: Vec<Duration> = queries
            .iter()
            .map(|q| {
                let started = Instant::now();
                std::hint::black_box(search(&store, &reader, &request(q)).expect("search"));
                started.elapsed()
            })
            .collect();
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

/// p50/p99 of embedding one query, as a search does (`Encoder::embed_query`: one text on the
/// calling thread), beside the batch path (`Encoder::embed` of one text: candle, its thread
/// pool) measured in the same run, alternating query by query so both see the same load.
/// CPU time is the whole process's (candle's pool threads included) per query.
fn query_embedding_cost(corpus: &Path, encoder: &Encoder) {
    let queries = plain_queries(corpus);
    let tokens: usize = queries
        .iter()
        .map(|q| encoder.token_ids(q).expect("tokenize").len())
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
            "embed_query (one text, int8 rows)",
            Box::new(|q| encoder.embed_query(q).expect("embed")),
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
    for size in [10_000, 25_000, 50_000, 100_000, 200_000, 400_000, 800_000] {
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

/// What opening the vectors costs a fresh process (each `tipdex search` is one): read the
/// chunk files and build the contiguous layout, at sizes written as one compacted chunk.
fn load_cost() {
    println!("loading the vectors (read + decode + lay out), best of 3:");
    println!("| vectors | chunk MB | read + decode ms | lay out ms | total ms |");
    println!("|---:|---:|---:|---:|---:|");
    let mut random = RandomUnits(0x2545_f491_4f6c_dd1d);
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
        let mut best: Option<(Duration, Duration)> = None;
        for _ in 0..3 {
            let started = Instant::now();
            let loaded = VectorStore::load(dir.path()).expect("load");
            let read = started.elapsed();
            let started = Instant::now();
            std::hint::black_box(Layout::build(loaded.groups.values()));
            let laid = started.elapsed();
            if best.is_none_or(|(r, l)| read + laid < r + l) {
                best = Some((read, laid));
            }
        }
        let best = best.unwrap_or_default();
        println!(
            "| {size} | {:.1} | {:.1} | {:.1} | {:.1} |",
            bytes as f64 / 1e6,
            ms(best.0),
            ms(best.1),
            ms(best.0 + best.1)
        );
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
