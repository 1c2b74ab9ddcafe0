//! Semantic benchmark, in three parts (each optional, named on the command line):
//!
//! - `embed N`: embedding throughput (passages/s, tokens/s, wall and CPU time) on the first N
//!   documents of the generated corpus (`../shared/bench/make_corpus.py --seed 42`, whose
//!   documents are the same for every size), their vectors dropped first so every run embeds
//!   the same sample.
//! - `latency N`: p50/p99 per mode (lexical, semantic, hybrid) over the generator's queries on
//!   the first N documents, embedded (incrementally) first.
//! - `exact`: the cost of exact vector search (int8, one best passage per document) against
//!   the number of vectors, compute only, and the size where it passes the 20 ms query budget.
//!
//! ```sh
//! bash scripts/fetch_test_model.sh                   # the model, once
//! cargo bench --bench semantic -- embed 300
//! cargo bench --bench semantic -- latency 2000
//! cargo bench --bench semantic -- exact
//! ```

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tipdex::search::{search, Mode, SearchRequest, SemanticSearch};
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
    let (embed, latency, exact) = (
        size_after("embed"),
        size_after("latency"),
        args.iter().any(|a| a == "exact"),
    );
    if embed.is_none() && latency.is_none() && !exact {
        println!("semantic bench: name a part: `embed N`, `latency N`, `exact` (see benches/semantic.rs)");
        return;
    }
    if exact {
        exact_search_cost();
    }
    if embed.is_none() && latency.is_none() {
        return;
    }
    let model = tipdex::semantic::model::test_model_dir();
    let encoder = Arc::new(Encoder::load(&model).expect("load the model"));
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
    let queries: Vec<String> = common::generated_queries(corpus)
        .into_iter()
        .map(|(_, q)| {
            q.split_whitespace()
                .filter(|w| !w.contains(':'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|q| !q.is_empty())
        .collect();
    let store = Store::open(index).expect("open index");
    let reader = store.reader().expect("reader");
    let (_, passages) = {
        let searcher = reader.searcher();
        let live = LiveVectors::load(index, &store, &searcher).expect("vectors");
        (
            live.groups.len(),
            live.groups
                .values()
                .map(|g| g.passages.len())
                .sum::<usize>(),
        )
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

/// Exact search cost against the number of vectors: random unit vectors quantised as the index
/// keeps them, grouped [`PASSAGES_PER_DOCUMENT`] to a document, best of 5 runs per size.
fn exact_search_cost() {
    println!(
        "exact int8 search (one best passage per document, {PASSAGES_PER_DOCUMENT} passages per document), best of 5:"
    );
    println!("| vectors | ms per query |");
    println!("|---:|---:|");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        // xorshift: reproducible, no dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let unit = |next: &mut dyn FnMut() -> f32| {
        let v: Vec<f32> = (0..DIMENSIONS).map(|_| next()).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
    };
    let query = unit(&mut next);
    let mut live = LiveVectors::default();
    let mut previous: Option<(usize, f64)> = None;
    let mut crossover = None;
    for size in [10_000, 25_000, 50_000, 100_000, 200_000, 400_000, 800_000] {
        while live.groups.len() * PASSAGES_PER_DOCUMENT < size {
            let key = live.groups.len() as u64;
            let passages = (0..PASSAGES_PER_DOCUMENT as u32)
                .map(|o| PassageVector::quantise(o, &unit(&mut next)))
                .collect();
            live.groups.insert(
                key,
                Group {
                    key,
                    signature: 0,
                    passages,
                },
            );
        }
        let best = (0..5)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(live.best_per_document(&query));
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
        println!("| {size} | {:.2} |", ms(best));
        let now = ms(best);
        if crossover.is_none() && best > BUDGET {
            // Linear between the last size under the budget and this one.
            crossover = Some(match previous {
                Some((n0, t0)) => n0 as f64 + (ms(BUDGET) - t0) / (now - t0) * (size - n0) as f64,
                None => size as f64,
            });
        }
        previous = Some((size, now));
    }
    match crossover {
        Some(n) => println!(
            "exact search passes {} ms at about {:.0} vectors",
            BUDGET.as_millis(),
            n
        ),
        None => println!(
            "exact search stays under {} ms up to 800000 vectors",
            BUDGET.as_millis()
        ),
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
