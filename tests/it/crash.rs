//! Faults: SIGKILL at any moment and concurrent writers leave a usable, duplicate-free index.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tantivy::collector::DocSetCollector;
use tantivy::schema::Value;
use tantivy::TantivyDocument;
use tipdex::schema::KIND_PASSAGE;
use tipdex::store::Store;

use crate::harness::*;

pub const FILES: usize = 2000;

/// A deterministic corpus: each file has a unique marker word and 1–3 paragraphs.
pub fn generate(env: &Env) {
    let words = [
        "victims",
        "labour",
        "fishing",
        "recruitment",
        "debt",
        "bondage",
        "border",
        "smuggling",
        "protocol",
        "identification",
        "referral",
        "prosecution",
        "shelter",
        "migrants",
        "exploitation",
        "agency",
    ];
    for i in 0..FILES {
        let mut text = format!("Report {i}\n\nmarker{i:05} ");
        for p in 0..(1 + i % 3) {
            for w in 0..90 {
                text.push_str(words[(i * 7 + p * 13 + w * 5) % words.len()]);
                text.push(' ');
            }
            text.push_str(".\n\n");
        }
        env.write(
            &format!("{}/{i:05}.txt", ["UNODC", "ILO", "IOM", "OSCE"][i % 4]),
            text,
        );
    }
}

/// What the index holds: records by path, and whether passages are consistent with them.
struct Census {
    records: HashMap<String, u32>,
    passages: usize,
}

fn census(index: &Path) -> Census {
    let store = Store::open(index).expect("the index opens after a kill");
    let reader = store.reader().unwrap();
    let searcher = reader.searcher();
    let records = store.all_records(&searcher).unwrap();
    let mut by_path = HashMap::new();
    let mut expected_passages = 0usize;
    for r in &records {
        assert!(
            by_path.insert(r.rel_path.clone(), r.passages).is_none(),
            "record for {} twice",
            r.rel_path
        );
        expected_passages += r.passages as usize;
    }
    let addrs = searcher
        .search(&store.kind_query(KIND_PASSAGE), &DocSetCollector)
        .unwrap();
    let mut seen = HashSet::new();
    for addr in &addrs {
        let d: TantivyDocument = searcher.doc(*addr).unwrap();
        let key = d
            .get_first(store.fields.doc_key)
            .and_then(|v| v.as_u64())
            .unwrap();
        let ordinal = d
            .get_first(store.fields.ordinal)
            .and_then(|v| v.as_u64())
            .unwrap();
        assert!(
            seen.insert((key, ordinal)),
            "passage {ordinal} of document {key:x} twice"
        );
    }
    assert_eq!(
        addrs.len(),
        expected_passages,
        "every record has exactly its passages"
    );
    Census {
        records: by_path,
        passages: addrs.len(),
    }
}

fn files_on_disk(env: &Env) -> HashSet<String> {
    walkdir::WalkDir::new(env.data())
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(env.data())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn sigkill_at_any_moment_leaves_a_usable_index_without_duplicates() {
    let env = Env::empty();
    generate(&env);
    // How long a full run takes here, so kills can land across the whole run.
    let started = Instant::now();
    env.run(&["index", "data", "--quiet", "--commit-every", "150"])
        .ok();
    let full = started.elapsed();

    let mut kills = 0;
    let mut round = 0u64;
    while kills < 22 {
        round += 1;
        assert!(
            round < 80,
            "could not land 22 kills in 80 rounds (full run takes {full:?})"
        );
        // Churn between runs, so incremental runs have work too: edit, add, delete.
        let i = (round as usize * 131) % FILES;
        let victim = format!("{}/{i:05}.txt", ["UNODC", "ILO", "IOM", "OSCE"][i % 4]);
        if round.is_multiple_of(3) {
            let _ = std::fs::remove_file(env.data().join(&victim));
        } else {
            env.write(
                &format!("extra/{round}.txt"),
                format!("Extra report {round} on forced labour in fishing."),
            );
            env.write(
                &victim,
                format!("Edited in round {round}: debt bondage in agriculture."),
            );
        }
        let full_flag = round.is_multiple_of(2);
        let mut args = vec!["index", "data", "--quiet", "--commit-every", "150"];
        if full_flag {
            args.push("--full");
        }
        let mut child = env
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread kill points over the run: early (opening, walking), middle, late (commit).
        let fraction = ((round * 37) % 23) as f64 / 23.0;
        let budget = if full_flag { full } else { full / 3 };
        std::thread::sleep(budget.mul_f64(fraction));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        // After every kill the index opens, holds each document at most once with all its
        // passages, and answers searches.
        census(&env.index_dir());
        // Named explicitly, so the search reports the interrupted run instead of finishing it.
        env.run(&["search", "fishing", "--limit", "1", "--index", "index"])
            .ok();
    }

    let finish = env.run(&["index", "data", "--quiet"]).ok();
    assert!(finish.stderr.is_empty(), "{}", finish.stderr);
    let c = census(&env.index_dir());
    let on_disk = files_on_disk(&env);
    let indexed: HashSet<String> = c.records.keys().cloned().collect();
    assert_eq!(
        indexed, on_disk,
        "after a completed run every file is indexed exactly once"
    );
    assert!(c.passages >= on_disk.len());
    // The unique markers are all findable, once.
    let json = env.search_json(&["marker00042"]);
    assert!(json["total_documents"].as_u64().unwrap() <= 1);
}

#[test]
fn two_concurrent_writers_one_proceeds_the_other_is_told() {
    let env = Env::empty();
    generate(&env);
    env.run(&["index", "data", "--quiet"]).ok();
    let first = env
        .command(&[
            "index",
            "data",
            "--full",
            "--quiet",
            "--commit-every",
            "100",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    let second = env.run(&["index", "data"]);
    // Searches keep answering from the last commit while the first writer works. `--full`
    // starts from an empty index, so only a file of its first commit (paths sort ILO/ first;
    // 00001 is ILO's first) is sure to be visible whenever the search lands.
    let during = env.run(&["search", "marker00001"]).ok();
    let first = to_run(first.wait_with_output().unwrap());
    assert_eq!(first.code, 0, "the first writer proceeds: {}", first.stderr);
    assert_eq!(second.code, 1, "the second writer stops: {second:?}");
    assert_eq!(
        second.stderr.trim(),
        "tipdex: another tipdex update is already running on the index at index: wait for it to finish, then run this again"
    );
    assert!(during.stdout.contains("00001.txt"), "{}", during.stdout);
    let c = census(&env.index_dir());
    assert_eq!(c.records.len(), FILES);
}
