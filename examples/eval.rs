//! Relevance evaluation on a BEIR-format folder (`corpus.jsonl`, `queries*.jsonl`, `qrels*.tsv`)
//! through the same pipeline users get: JSON Lines ingestion, the domain analyzer, passage
//! ranking grouped into documents.
//!
//! ```sh
//! cargo run --release --example eval -- ../shared/eval/scifact            # test split
//! cargo run --release --example eval -- ../shared/eval/scifact --split train
//! ```
//!
//! The index is kept under `target/eval/` and updated incrementally, so a second run only
//! searches. Prints nDCG@10, Recall@100 and MRR@10 beside the published BM25 figures.
//! `--k1 0.9,1.2 --b 0.4,0.75` scores every combination of BM25 parameters (tune on train).
//! `--expand off,10:10:0.3,5:20:0.2` adds pseudo-relevance feedback settings to the grid
//! (documents read : words added : weight; `default` is `search --expand`'s setting).
//! `--runs DIR` also writes each setting's ranking as a TREC run file (`qid Q0 docid rank score tipdex`), for trec_eval or fusion experiments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use tipdex::eval::{evaluate, parse_qrels};
use tipdex::indexer::{index_roots, IndexOptions};
use tipdex::search::batch::parse_queries;
use tipdex::search::{search, Bm25, Expansion, SearchRequest};
use tipdex::store::Store;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The one argument that is neither a flag nor a flag's value.
    let Some(folder) = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a)
    else {
        bail!("usage: eval BEIR_FOLDER [--split test|train] [--index DIR] [--k1 LIST] [--b LIST] [--expand LIST] [--runs DIR]");
    };
    let folder = PathBuf::from(folder);
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let split = flag("--split").unwrap_or_else(|| "test".into());
    let (queries_file, qrels_file) = match split.as_str() {
        "test" => ("queries.jsonl", "qrels.tsv"),
        "train" => ("queries-train.jsonl", "qrels-train.tsv"),
        other => bail!("unknown split {other}: use test or train"),
    };
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "beir".into());
    let index_dir = flag("--index").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/eval")
            .join(format!("{name}-index"))
    });

    let corpus = folder.join("corpus.jsonl");
    let started = Instant::now();
    let report = index_roots(
        &index_dir,
        std::slice::from_ref(&corpus),
        &IndexOptions::default(),
        &mut |_| {},
    )
    .with_context(|| format!("indexing {}", corpus.display()))?;
    println!(
        "indexed {} documents ({} passages) in {:.1} s ({} added, {} unchanged)",
        report.documents_total,
        report.passages_total,
        started.elapsed().as_secs_f64(),
        report.added,
        report.unchanged
    );

    let qrels = parse_qrels(&read(&folder.join(qrels_file))?).map_err(anyhow::Error::msg)?;
    let queries = parse_queries(&read(&folder.join(queries_file))?).map_err(anyhow::Error::msg)?;
    let store = Store::open(&index_dir)?;
    let reader = store.reader()?;
    // `--k1 0.9,1.2 --b 0.4,0.75`: every combination (for tuning on the train split).
    let list = |name: &str, default: f32| -> anyhow::Result<Vec<f32>> {
        match flag(name) {
            None => Ok(vec![default]),
            Some(v) => v
                .split(',')
                .map(|x| {
                    x.trim()
                        .parse::<f32>()
                        .with_context(|| format!("{name} {x}"))
                })
                .collect(),
        }
    };
    let defaults = Bm25::default();
    let grid: Vec<Bm25> = list("--k1", defaults.k1)?
        .into_iter()
        .flat_map(|k1| {
            list("--b", defaults.b)
                .unwrap_or_default()
                .into_iter()
                .map(move |b| Bm25 { k1, b })
        })
        .collect();
    let expansions: Vec<Option<Expansion>> = match flag("--expand") {
        None => vec![None],
        Some(v) => v
            .split(',')
            .map(|x| parse_expansion(x.trim()))
            .collect::<anyhow::Result<_>>()?,
    };
    let grid: Vec<(Bm25, Option<Expansion>)> = grid
        .into_iter()
        .flat_map(|bm25| expansions.iter().map(move |&e| (bm25, e)))
        .collect();
    println!("| system | k1 | b | expansion | nDCG@10 | Recall@100 | MRR@10 | ms/query |");
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    for (bm25, expand) in grid {
        let started = Instant::now();
        let mut runs: HashMap<String, Vec<String>> = HashMap::new();
        let mut trec = String::new();
        for q in queries.iter().filter(|q| qrels.contains_key(&q.id)) {
            let request = SearchRequest {
                query: q.text.clone(),
                limit: 100,
                passages: 1,
                plain: true,
                bm25,
                expand,
                ..SearchRequest::default()
            };
            let results = search(&store, &reader, &request)?;
            // trec_eval orders by score and breaks ties by document id, tipdex by key: a score
            // falling with rank keeps tipdex's order (fusion scores often tie).
            let n = results.hits.len();
            for (rank, hit) in results.hits.iter().enumerate() {
                trec.push_str(&format!(
                    "{} Q0 {} {} {} tipdex\n",
                    q.id,
                    hit.record.id,
                    rank + 1,
                    n - rank
                ));
            }
            runs.insert(
                q.id.clone(),
                results.hits.into_iter().map(|h| h.record.id).collect(),
            );
        }
        let elapsed = started.elapsed();
        let scores = evaluate(&runs, &qrels);
        if let Some(dir) = flag("--runs") {
            let expansion = expand.map_or("off".to_string(), |e| {
                format!("{}-{}-{}", e.docs, e.terms, e.weight)
            });
            let file = Path::new(&dir).join(format!(
                "{split}_k{}_b{}_x{expansion}.trec",
                bm25.k1, bm25.b
            ));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {dir}"))?;
            std::fs::write(&file, &trec).with_context(|| format!("writing {}", file.display()))?;
        }
        println!(
            "| tipdex, {name} {split} ({} queries) | {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.1} |",
            scores.queries,
            bm25.k1,
            bm25.b,
            expand.map_or("off".to_string(), |e| format!(
                "{}:{}:{}",
                e.docs, e.terms, e.weight
            )),
            scores.ndcg_at_10,
            scores.recall_at_100,
            scores.mrr_at_10,
            elapsed.as_secs_f64() * 1000.0 / scores.queries.max(1) as f64
        );
    }
    if name == "scifact" && split == "test" {
        println!("| BM25, BEIR paper (Elasticsearch) | 0.9 | 0.4 | off | 0.665 | 0.908 | – | |");
        println!("| BM25 flat, Anserini/Pyserini | 0.9 | 0.4 | off | 0.679 | 0.925 | – | |");
    }
    Ok(())
}

/// `off`, `default`, or `DOCS:TERMS:WEIGHT`.
fn parse_expansion(spec: &str) -> anyhow::Result<Option<Expansion>> {
    match spec {
        "off" => return Ok(None),
        "default" => return Ok(Some(Expansion::default())),
        _ => {}
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let [docs, terms, weight] = parts[..] else {
        bail!("--expand {spec}: expected off, default or DOCS:TERMS:WEIGHT");
    };
    Ok(Some(Expansion {
        docs: docs.parse().with_context(|| format!("--expand {spec}"))?,
        terms: terms.parse().with_context(|| format!("--expand {spec}"))?,
        weight: weight.parse().with_context(|| format!("--expand {spec}"))?,
    }))
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}
