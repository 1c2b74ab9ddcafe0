//! Relevance evaluation on a BEIR-format folder (`corpus.jsonl`, `queries*.jsonl`, `qrels*.tsv`)
//! through the same pipeline users get: JSON Lines ingestion, the domain analyzer, passage
//! ranking grouped into documents.
//!
//! A folder without `corpus.jsonl` is a judged *folder collection* (as `../shared/eval/tip-dev`):
//! document ids are file paths relative to a corpora folder (`--corpora DIR`, default the
//! folder's `../../corpora`), several roots go into one index (`--roots a,b`, relative to that
//! folder; by default each judged collection's deepest folder holding all its judged files), and
//! nDCG uses the exponential gain `2^grade - 1` of graded judgments; queries are read with the
//! query language, as `tipdex search --batch` reads them; a `pool.tsv` beside the qrels (every
//! judged pair, grade 0 included) makes judged@10 count the documents somebody read.
//!
//! ```sh
//! cargo run --release --example eval -- ../shared/eval/scifact            # test split
//! cargo run --release --example eval -- ../shared/eval/scifact --split train
//! cargo run --release --example eval -- ../shared/eval/tip-dev            # folder collection
//! ```
//!
//! The index is kept under `target/eval/` and updated incrementally, so a second run only
//! searches. Prints nDCG@10, Recall@100 and MRR@10 beside the published BM25 figures.
//! `--k1 0.9,1.2 --b 0.4,0.75` scores every combination of BM25 parameters (tune on train).
//! `--expand off,10:10:0.3,5:20:0.2` adds pseudo-relevance feedback settings to the grid
//! (documents read : words added : weight; `default` is `search --expand`'s setting).
//! `--doc 0:0,0.5:0.75` scores each document-level evidence setting (`WEIGHT:B`, see
//! `tipdex::search::doc_score`; `0:0` ranks by the best passage alone).
//! `--limit N` asks for N documents per query instead of 100 (Recall@100 then counts only those).
//! `--runs DIR` also writes each setting's ranking as a TREC run file (`qid Q0 docid rank score tipdex`),
//! 100 deep with a score falling with rank, for trec_eval; with `--raw-scores` 1,000 deep with the
//! engine's own scores, for fusion experiments (offline fusion needs each side's score spread).
//! `--modes lexical,semantic,hybrid` runs those rankings (semantic ones embed the index first,
//! kept with it, so later runs embed nothing; the model comes from `--model-dir`, else
//! `$TIPDEX_MODEL_DIR`, else `target/models/all-MiniLM-L6-v2` as `scripts/fetch_test_model.sh`
//! puts it); `--weights 0.3,0.5` scores each lexical weight of the hybrid fusion (tune on train),
//! `--depth 500,1000` each fusion depth (documents per side z-scored and fused);
//! `--feedback 0,10:0.5` each widening of the query's meaning by its best word matches
//! (`DOCS:WEIGHT`, `0` for none; see `tipdex::search::Feedback`).
//! `--approximate` builds the approximate vector search's lists (`tipdex::semantic::lists`)
//! and forces the semantic side through them, whatever the index's size; `--sketches`
//! likewise with the bit sketches (`tipdex::semantic::sketch`, made by the embedding run).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use tipdex::eval::{evaluate_with, parse_qrels, Gain, Qrels};
use tipdex::indexer::{index_roots, IndexOptions};
use tipdex::search::batch::parse_queries;
use tipdex::search::{
    search, Bm25, DocScoring, Expansion, Feedback, Mode, SearchRequest, SemanticSearch,
};
use tipdex::semantic::{embed_index, Encoder, ModelDir, QueryEncoder};
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
        bail!("usage: eval BEIR_FOLDER [--split test|train] [--index DIR] [--k1 LIST] [--b LIST] [--expand LIST] [--limit N] [--runs DIR [--raw-scores]]");
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

    let qrels = parse_qrels(&read(&folder.join(qrels_file))?).map_err(anyhow::Error::msg)?;
    let corpus = folder.join("corpus.jsonl");
    // A folder collection's documents are files under a corpora folder, named by their path
    // relative to it.
    let corpora: Option<PathBuf> = if corpus.exists() {
        None
    } else {
        let dir = flag("--corpora")
            .map(PathBuf::from)
            .unwrap_or_else(|| folder.join("../../corpora"));
        Some(
            dir.canonicalize()
                .with_context(|| format!("corpora folder {}", dir.display()))?,
        )
    };
    let roots: Vec<PathBuf> = match &corpora {
        None => vec![corpus.clone()],
        Some(dir) => {
            let names: Vec<String> = match flag("--roots") {
                Some(list) => list.split(',').map(|r| r.trim().to_string()).collect(),
                None => judged_roots(&qrels),
            };
            println!("roots under {}: {}", dir.display(), names.join(", "));
            names.iter().map(|r| dir.join(r)).collect()
        }
    };
    // Grade-0 judgments (a pool file beside the qrels) do not change nDCG or recall, but they
    // tell judged@10 which shown documents somebody read.
    let mut qrels = qrels;
    let pool = folder.join("pool.tsv");
    if pool.exists() {
        for line in read(&pool)?.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            if let [query, doc, grade, ..] = fields[..] {
                let grade = grade.trim().parse::<u32>().unwrap_or(0);
                let slot = qrels
                    .entry(query.to_string())
                    .or_default()
                    .entry(doc.to_string())
                    .or_insert(0);
                *slot = (*slot).max(grade);
            }
        }
    }
    // A folder collection's queries are typed by users, so they are read as the command line
    // reads them (operators included); BEIR claims are read as plain words.
    let plain = corpora.is_none();
    let raw_scores = args.iter().any(|a| a == "--raw-scores");
    // Documents asked for per query: 100 for Recall@100 (the rescoring depth follows it), fewer
    // to see nDCG@10 as a user's page of 10 ranks it.
    let limit: usize = match flag("--limit") {
        Some(n) => n
            .parse()
            .with_context(|| format!("--limit {n}: a number of documents"))?,
        None if raw_scores => 1000,
        None => 100,
    };
    let approximate = args.iter().any(|a| a == "--approximate");
    let sketches = args.iter().any(|a| a == "--sketches");
    let gain = if corpora.is_some() {
        Gain::Exponential
    } else {
        Gain::Grade
    };
    let started = Instant::now();
    let report = index_roots(&index_dir, &roots, &IndexOptions::default(), &mut |_| {})
        .with_context(|| format!("indexing {}", folder.display()))?;
    println!(
        "indexed {} documents ({} passages) in {:.1} s ({} added, {} unchanged)",
        report.documents_total,
        report.passages_total,
        started.elapsed().as_secs_f64(),
        report.added,
        report.unchanged
    );

    let modes: Vec<Mode> = match flag("--modes") {
        None => vec![Mode::Lexical],
        Some(v) => v
            .split(',')
            .map(|m| match m.trim() {
                "lexical" => Ok(Mode::Lexical),
                "semantic" => Ok(Mode::Semantic),
                "hybrid" => Ok(Mode::Hybrid),
                other => bail!("--modes {other}: expected lexical, semantic or hybrid"),
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let encoder = if modes.iter().any(|m| *m != Mode::Lexical) {
        let model = flag("--model-dir")
            .map(|d| ModelDir(PathBuf::from(d)))
            .or_else(|| std::env::var_os("TIPDEX_MODEL_DIR").map(|d| ModelDir(PathBuf::from(d))))
            .unwrap_or_else(|| {
                ModelDir(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/models/all-MiniLM-L6-v2"),
                )
            });
        let encoder = Encoder::load(&model)?;
        let stop = std::sync::atomic::AtomicBool::new(false);
        let mut last = Instant::now();
        let embedded = embed_index(&index_dir, &encoder, &stop, &mut |p| {
            if last.elapsed().as_secs() >= 30 {
                last = Instant::now();
                eprintln!(
                    "embedding {}/{} passages",
                    p.passages_done, p.passages_total
                );
            }
        })?;
        println!(
            "embedded {} passages of {} documents in {:.1} s ({:.1} passages/s)",
            embedded.embedded_passages,
            embedded.embedded_documents,
            embedded.elapsed.as_secs_f64(),
            embedded.embedded_passages as f64 / embedded.elapsed.as_secs_f64().max(1e-3)
        );
        if approximate {
            let lists = tipdex::semantic::lists::build(&index_dir)?;
            println!(
                "approximate search: {} vectors in {} lists ({} probed) in {:.1} s",
                lists.vectors,
                lists.lists,
                tipdex::semantic::lists::probes(lists.lists),
                lists.elapsed.as_secs_f64()
            );
        }
        if sketches {
            // An index embedded before sketches existed gets them here.
            let made = tipdex::semantic::sketch::build_missing(&index_dir, true)?;
            println!("sketches: {} chunks sketched now", made.written);
        }
        Some(std::sync::Arc::new(QueryEncoder::open(&model)?))
    } else {
        None
    };
    let weights = list_of(
        "--weights",
        flag("--weights"),
        tipdex::search::hybrid::DEFAULT_LEXICAL_WEIGHT,
    )?;
    // `--feedback 0,10:0.5`: documents and weight of the query's widening (hybrid only).
    let feedbacks = settings_of(flag("--feedback"), Feedback::default(), parse_feedback)?;
    // `--depth 500,1000`: documents per side fused and z-scored (semantic and hybrid).
    let depths: Vec<usize> = match flag("--depth") {
        Some(list) => list
            .split(',')
            .map(|d| d.trim().parse().with_context(|| format!("--depth {d}")))
            .collect::<anyhow::Result<_>>()?,
        None => vec![tipdex::search::hybrid::DEFAULT_DEPTH],
    };
    let settings: Vec<MeaningSetting> = modes
        .iter()
        .flat_map(|&m| match m {
            Mode::Hybrid => weights
                .iter()
                .flat_map(|&w| feedbacks.iter().map(move |&f| (m, w, f)))
                .collect::<Vec<_>>(),
            _ => vec![(m, f32::NAN, Feedback::OFF)],
        })
        .flat_map(|(m, w, f)| {
            let depths = if m == Mode::Lexical {
                &depths[..1]
            } else {
                &depths[..]
            };
            depths.iter().map(move |&d| (m, w, f, d))
        })
        .collect();

    let queries = parse_queries(&read(&folder.join(queries_file))?).map_err(anyhow::Error::msg)?;
    let store = Store::open(&index_dir)?;
    let reader = store.reader()?;
    // `--k1 0.9,1.2 --b 0.4,0.75`: every combination (for tuning on the train split).
    let list = |name: &str, default: f32| list_of(name, flag(name), default);
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
    let expansions = settings_of(flag("--expand"), None, parse_expansion)?;
    let scorings = settings_of(flag("--doc"), DocScoring::default(), parse_doc_scoring)?;
    let grid: Vec<LexicalSetting> = grid
        .into_iter()
        .flat_map(|bm25| expansions.iter().map(move |&e| (bm25, e)))
        .flat_map(|(bm25, e)| scorings.iter().map(move |&d| (bm25, e, d)))
        .collect();
    let grid: Vec<(LexicalSetting, MeaningSetting)> = grid
        .into_iter()
        .flat_map(|lexical| settings.iter().map(move |&meaning| (lexical, meaning)))
        .collect();
    println!(
        "| system | mode | k1 | b | expansion | doc | nDCG@10 | Recall@100 | MRR@10 | judged@10 | ms/query |"
    );
    println!("|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|");
    for ((bm25, expand, doc_scoring), (mode, weight, feedback, depth)) in grid {
        let semantic = encoder.as_ref().filter(|_| mode != Mode::Lexical).map(|e| {
            let mut s = SemanticSearch::new(mode, e.clone(), index_dir.clone());
            s.depth = depth;
            if approximate {
                s.approximate = tipdex::semantic::lists::Approximate::Always;
            }
            if sketches {
                s.approximate = tipdex::semantic::lists::Approximate::Sketches;
            }
            if mode == Mode::Hybrid {
                s.lexical_weight = weight;
                s.feedback = feedback;
            }
            s
        });
        let mut mode_name = match mode {
            Mode::Lexical => "lexical".to_string(),
            Mode::Semantic => "semantic".to_string(),
            Mode::Hybrid => format!("hybrid w={weight} fb={}:{}", feedback.docs, feedback.weight),
        };
        if mode != Mode::Lexical && depth != tipdex::search::hybrid::DEFAULT_DEPTH {
            mode_name.push_str(&format!(" depth={depth}"));
        }
        let started = Instant::now();
        let mut runs: HashMap<String, Vec<String>> = HashMap::new();
        let mut trec = String::new();
        for q in queries.iter().filter(|q| qrels.contains_key(&q.id)) {
            let request = SearchRequest {
                query: q.text.clone(),
                limit,
                passages: 1,
                plain,
                bm25,
                expand,
                doc_scoring,
                semantic: semantic.clone(),
                // Judgments are per document, as `search --format ndjson` lists them: every
                // copy of a reprint is its own hit.
                all_copies: true,
                ..SearchRequest::default()
            };
            let results = search(&store, &reader, &request)?;
            // trec_eval orders by score and breaks ties by document id, tipdex by key: a score
            // falling with rank keeps tipdex's order (fusion scores often tie).
            let n = results.hits.len();
            let ids: Vec<String> = results
                .hits
                .iter()
                .map(|h| match &corpora {
                    Some(dir) => h
                        .record
                        .path()
                        .strip_prefix(dir)
                        .map_or_else(|_| h.record.id.clone(), |p| p.display().to_string()),
                    None => h.record.id.clone(),
                })
                .collect();
            for (rank, (id, hit)) in ids.iter().zip(&results.hits).enumerate() {
                let score = if raw_scores {
                    f64::from(hit.score)
                } else {
                    (n - rank) as f64
                };
                trec.push_str(&format!(
                    "{} Q0 {} {} {} tipdex\n",
                    q.id,
                    id,
                    rank + 1,
                    score
                ));
            }
            runs.insert(q.id.clone(), ids);
        }
        let elapsed = started.elapsed();
        let scores = evaluate_with(&runs, &qrels, gain);
        if let Some(dir) = flag("--runs") {
            let expansion = expand.map_or("off".to_string(), |e| {
                format!("{}-{}-{}", e.docs, e.terms, e.weight)
            });
            let file = Path::new(&dir).join(format!(
                "{split}_k{}_b{}_x{expansion}_d{}-{}_{}.trec",
                bm25.k1,
                bm25.b,
                doc_scoring.weight,
                doc_scoring.b,
                mode_name.replace([' ', '='], "")
            ));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {dir}"))?;
            std::fs::write(&file, &trec).with_context(|| format!("writing {}", file.display()))?;
        }
        println!(
            "| tipdex, {name} {split} ({} queries) | {mode_name} | {} | {} | {} | {}:{} | {:.4} | {:.4} | {:.4} | {:.3} | {:.1} |",
            scores.queries,
            bm25.k1,
            bm25.b,
            expand.map_or("off".to_string(), |e| format!(
                "{}:{}:{}",
                e.docs, e.terms, e.weight
            )),
            doc_scoring.weight,
            doc_scoring.b,
            scores.ndcg_at_10,
            scores.recall_at_100,
            scores.mrr_at_10,
            scores.judged_at_10,
            elapsed.as_secs_f64() * 1000.0 / scores.queries.max(1) as f64
        );
    }
    if name == "scifact" && split == "test" {
        println!("| BM25, BEIR paper (Elasticsearch) | lexical | 0.9 | 0.4 | off | | 0.665 | 0.908 | – | | |");
        println!("| BM25 flat, Anserini/Pyserini | lexical | 0.9 | 0.4 | off | | 0.679 | 0.925 | – | | |");
    }
    Ok(())
}

/// For each collection (first path component) of the judged documents, the deepest folder that
/// holds all of its judged documents: the roots a folder collection is indexed from.
fn judged_roots(qrels: &Qrels) -> Vec<String> {
    let mut common: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for id in qrels.values().flat_map(|j| j.keys()) {
        let mut folders: Vec<String> = id.split('/').map(str::to_string).collect();
        folders.pop(); // the file name
        let Some(collection) = folders.first().cloned() else {
            continue;
        };
        let prefix = common.entry(collection).or_insert_with(|| folders.clone());
        let shared = prefix
            .iter()
            .zip(&folders)
            .take_while(|(a, b)| a == b)
            .count();
        prefix.truncate(shared);
    }
    common.into_values().map(|f| f.join("/")).collect()
}

/// The settings a comma-separated flag `value` lists, each read by `parse`; `default` alone
/// when the flag is absent.
fn settings_of<T>(
    value: Option<String>,
    default: T,
    parse: fn(&str) -> anyhow::Result<T>,
) -> anyhow::Result<Vec<T>> {
    match value {
        None => Ok(vec![default]),
        Some(v) => v.split(',').map(|x| parse(x.trim())).collect(),
    }
}

/// `WEIGHT:B` of the document-level evidence (`0:0` is the best passage alone).
fn parse_doc_scoring(spec: &str) -> anyhow::Result<DocScoring> {
    let (weight, b) = spec
        .split_once(':')
        .with_context(|| format!("--doc {spec}: expected WEIGHT:B"))?;
    Ok(DocScoring {
        weight: weight.parse().with_context(|| format!("--doc {spec}"))?,
        b: b.parse().with_context(|| format!("--doc {spec}"))?,
    })
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

/// `DOCS:WEIGHT` of `--feedback`, `0` for none.
fn parse_feedback(x: &str) -> anyhow::Result<Feedback> {
    if x == "0" || x == "off" {
        return Ok(Feedback::OFF);
    }
    let (docs, weight) = x
        .split_once(':')
        .with_context(|| format!("--feedback {x}: expected DOCS:WEIGHT, e.g. 10:0.5"))?;
    Ok(Feedback {
        docs: docs.parse().with_context(|| format!("--feedback {x}"))?,
        weight: weight.parse().with_context(|| format!("--feedback {x}"))?,
    })
}

/// The comma-separated numbers of flag `name`, or `default` alone when it is absent.
fn list_of(name: &str, value: Option<String>, default: f32) -> anyhow::Result<Vec<f32>> {
    match value {
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
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// One setting of the word side: BM25, expansion, document-level evidence.
type LexicalSetting = (Bm25, Option<Expansion>, DocScoring);
/// One setting of the meaning side: mode, lexical weight, feedback, fusion depth.
type MeaningSetting = (Mode, f32, Feedback, usize);
