//! Query benchmark: in-process latency per query class (term, AND, OR, phrase, filtered) on the
//! 20,000-document generated corpus, each search including passage choice and highlighting for
//! the top 10, the same with facet counts, the time of each phase (matching and grouping, fetching
//! stored text, highlighting), plus whole-process `tipdex search` time (start-up, open, search,
//! output).
//!
//! ```sh
//! cargo bench --bench query            # builds the corpus and index on first use (cached)
//! cargo bench --bench query -- 2000    # another size
//! TIPDEX_BENCH_BIN=/tmp/tipdex-abc target/release/deps/query-HASH   # a copied-out bench, its own tipdex
//! ```

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tipdex::search::{search, FacetField, FacetRequest, Phases, SearchRequest};
use tipdex::store::Store;

const RUNS: usize = 5;

fn main() {
    let Some(generator) = common::generator("query") else {
        return;
    };
    let docs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let work = common::work_dir();
    let out = common::generated_corpus(&generator, docs);
    let tipdex = common::tipdex_bin();
    let index = work.join(format!("tipdex-{docs}"));
    let status = common::index_command(&out, &index)
        .status()
        .expect("run tipdex index");
    assert!(status.success());

    let queries: Vec<(String, String)> = common::generated_queries(&out)
        .into_iter()
        .map(|(kind, q)| {
            let q = to_tipdex(&kind, &q);
            (kind, q)
        })
        .collect();

    // Cold start in process: open the index and answer the first query (page cache as the
    // previous steps left it; the whole-process figures below include process start too).
    let started = Instant::now();
    let store = Store::open(&index).expect("open index");
    let reader = store.reader().expect("reader");
    let opened = started.elapsed();
    let first = SearchRequest {
        query: queries[0].1.clone(),
        ..SearchRequest::default()
    };
    search(&store, &reader, &first).expect("first search");
    let cold = started.elapsed();
    let mut by_kind: BTreeMap<String, Class> = BTreeMap::new();
    for (kind, q) in &queries {
        let request = SearchRequest {
            query: q.clone(),
            limit: 10,
            passages: 2,
            ..SearchRequest::default()
        };
        search(&store, &reader, &request).expect("warm-up search");
        let class = by_kind.entry(kind.clone()).or_default();
        for _ in 0..RUNS {
            let started = Instant::now();
            let results = search(&store, &reader, &request).expect("search");
            class.times.push(started.elapsed());
            class.phases.push(results.phases);
            std::hint::black_box(results);
        }
        // The same query with source and year counts over all matches (`search --facets`).
        let faceted = SearchRequest {
            facets: FacetRequest::of(&[FacetField::Source, FacetField::Year]),
            ..request.clone()
        };
        let facets = by_kind.entry("facets".into()).or_default();
        for _ in 0..RUNS {
            let started = Instant::now();
            let results = search(&store, &reader, &faceted).expect("search with facets");
            facets.times.push(started.elapsed());
            facets.phases.push(results.phases);
            std::hint::black_box(results);
        }
    }
    println!("in-process, {docs} documents, top 10 with 2 highlighted passages each, {RUNS} runs per query:");
    println!("(facets = every query again with source and year counts; match/fetch/highlight = mean ms per phase)");
    println!("| class | queries | p50 ms | p99 ms | mean ms | match | fetch | highlight |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut all = Class::default();
    for (kind, class) in &mut by_kind {
        if kind != "facets" {
            all.times.extend(class.times.iter().copied());
            all.phases.extend(class.phases.iter().copied());
        }
        class.row(kind);
    }
    all.row("all (without facets)");
    println!();
    println!(
        "cold start: open {:.1} ms, open + first query ({:?}) {:.1} ms",
        ms(opened),
        queries[0].1,
        ms(cold)
    );

    // Whole process, as a user or script runs it: median over the first query of each class.
    let mut process = Vec::new();
    for (_, q) in queries.iter().step_by(10) {
        let started = Instant::now();
        let ok = Command::new(&tipdex)
            .args(["search", q, "--index"])
            .arg(&index)
            .args(["--limit", "10", "--format", "json"])
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "tipdex search {q} failed");
        process.push(started.elapsed());
    }
    process.sort();
    println!();
    println!(
        "whole process (`{} search … --format json`), {} queries: median {:.1} ms, max {:.1} ms",
        tipdex.display(),
        process.len(),
        ms(process[process.len() / 2]),
        ms(*process.last().unwrap_or(&Duration::ZERO))
    );
}

/// The generator's query classes in tipdex's query language.
fn to_tipdex(kind: &str, q: &str) -> String {
    let words = || q.split_whitespace().filter(|w| !w.contains(':'));
    match kind {
        "and" => words()
            .map(|w| format!("+{w}"))
            .collect::<Vec<_>>()
            .join(" "),
        "or" => words().collect::<Vec<_>>().join(" OR "),
        "phrase" => format!("\"{q}\""),
        "filter" => {
            let filters: Vec<&str> = q.split_whitespace().filter(|w| w.contains(':')).collect();
            let required: Vec<String> = words().map(|w| format!("+{w}")).collect();
            format!("{} {}", filters.join(" "), required.join(" "))
        }
        _ => q.to_string(),
    }
}

/// Timings of one query class.
#[derive(Default)]
struct Class {
    times: Vec<Duration>,
    phases: Vec<Phases>,
}

impl Class {
    fn row(&mut self, kind: &str) {
        let times = &mut self.times;
        times.sort();
        let pick = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        let n = times.len().max(1) as u32;
        let mean = |f: fn(&Phases) -> Duration| ms(self.phases.iter().map(f).sum::<Duration>() / n);
        println!(
            "| {kind} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            times.len() / RUNS,
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(times.iter().sum::<Duration>() / n),
            mean(|p| p.matching),
            mean(|p| p.fetching),
            mean(|p| p.highlighting),
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
