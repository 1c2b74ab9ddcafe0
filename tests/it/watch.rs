//! Saved searches: what a run added or changed, reported once, through renames, deletions,
//! dates and a SIGKILL during a run.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Instant;

use serde_json::Value;

use crate::harness::*;

/// `watch report … --format json`, as file name → novelty, for the one saved search asked.
fn reported(env: &Env, args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec!["watch", "report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "-n", "1000"]);
    let json = env.run(&all).ok().json();
    let reports = json.as_array().unwrap();
    assert_eq!(reports.len(), 1, "{json}");
    let r = &reports[0];
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(r["total_documents"].as_u64().unwrap() as usize, hits.len());
    let new = hits.iter().filter(|h| h["novelty"] == "new").count();
    assert_eq!(r["new_documents"].as_u64().unwrap() as usize, new);
    hits.iter()
        .map(|h| {
            let path = h["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_string(),
                h["novelty"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_saved_search_reports_exactly_what_the_last_run_added_or_changed() {
    let env = Env::with_seeds();
    env.index();
    env.run(&["watch", "add", "traf", "trafficking"]).ok();
    // Nothing happened since it was saved.
    assert_eq!(reported(&env, &["traf"]), expect(&[]));

    // Added, modified, renamed, deleted; and an added file the query does not match.
    env.write(
        "new-report.txt",
        "A new report on trafficking in persons and forced labour.",
    );
    env.write(
        "unrelated.txt",
        "Minutes of the gardening club: roses and tulips.",
    );
    let modified = env.data().join(S000);
    let mut text = std::fs::read_to_string(&modified).unwrap();
    text.push_str("\nAn added paragraph on trafficking for forced criminality.\n");
    std::fs::write(&modified, text).unwrap();
    std::fs::rename(env.data().join(S001), env.data().join("renamed.txt")).unwrap();
    std::fs::remove_file(env.data().join(S002)).unwrap();
    let run = env.index();
    assert!(
        run.stdout
            .contains("watch traf: 1 new, 1 changed since its last report"),
        "{}",
        run.stdout
    );

    let want = expect(&[("new-report.txt", "new"), (S000, "changed")]);
    assert_eq!(reported(&env, &["traf"]), want);
    // Reported since last: nothing is left until the next run brings something.
    assert_eq!(reported(&env, &["traf"]), expect(&[]));
    let quiet = env.index();
    assert!(!quiet.stdout.contains("watch traf"), "{}", quiet.stdout);
    // Every output format reports the same documents.
    let text = env
        .run(&["watch", "report", "traf", "--since", "2000"])
        .ok()
        .stdout;
    assert!(text.contains("== traf (trafficking):"), "{text}");
    assert!(text.contains("new-report.txt"), "{text}");
    let csv = env
        .run(&[
            "watch", "report", "traf", "--since", "2000", "--format", "csv",
        ])
        .ok()
        .stdout;
    assert!(csv.starts_with("query_id,"), "{csv}");
    let rows = csv
        .lines()
        .filter(|l| l.starts_with("traf,trafficking,"))
        .count();
    assert!(
        rows >= 2,
        "one row per document, the saved search's name first: {csv}"
    );
    for format in ["ndjson", "csljson", "ris"] {
        let out = env
            .run(&[
                "watch", "report", "traf", "--since", "2000", "--format", format,
            ])
            .ok()
            .stdout;
        assert!(
            out.contains("renamed.txt") || format == "ndjson",
            "{format}: {out}"
        );
    }
}

#[test]
fn since_a_date_reports_by_date_and_leaves_last_alone() {
    let env = Env::with_seeds();
    env.index();
    env.run(&["watch", "add", "unodc", "trafficking", "--source", "UNODC"])
        .ok();
    let all = env.search_json(&["trafficking", "--source", "UNODC", "-n", "100"]);
    // Every document was indexed today, so all matches are new since 2000 and none since 2999.
    let since_2000 = reported(&env, &["unodc", "--since", "2000-01-01"]);
    assert!(!since_2000.is_empty());
    assert_eq!(since_2000.len(), file_names(&all).len());
    assert!(since_2000.values().all(|n| n == "new"));
    assert_eq!(reported(&env, &["unodc", "--since", "2999"]), expect(&[]));
    // A dated report does not move "last": the next run's documents still come.
    env.write(
        "more.txt",
        "UNODC on trafficking for forced labour in construction.",
    );
    env.write(
        "more.meta.json",
        r#"{"source": "UNODC", "title": "Trafficking in construction"}"#,
    );
    env.index();
    reported(&env, &["unodc", "--since", "2000"]);
    assert_eq!(reported(&env, &["unodc"]), expect(&[("more.txt", "new")]));
    let bad = env.run(&["watch", "report", "unodc", "--since", "yesterday"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn saved_searches_are_listed_removed_and_named_once() {
    let env = Env::with_seeds();
    env.index();
    env.run(&["watch", "add", "a", "forced", "labour", "--year", "2019"])
        .ok();
    env.run(&["watch", "add", "b", "smuggling"]).ok();
    let twice = env.run(&["watch", "add", "a", "other"]);
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("has this name already"),
        "{}",
        twice.stderr
    );
    let list = env.run(&["watch", "list", "--format", "json"]).ok().json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(list[0]["query"], "forced labour");
    assert_eq!(
        list[0]["filters"]["year"],
        serde_json::json!([[2019, 2019]])
    );
    // They live in the index: a run keeps them.
    env.index();
    let text = env.run(&["watch", "list"]).ok().stdout;
    assert!(
        text.contains("a: forced labour --year 2019..2019"),
        "{text}"
    );
    env.run(&["watch", "rm", "a"]).ok();
    let gone = env.run(&["watch", "rm", "a"]);
    assert_eq!(gone.code, 2);
    assert!(
        gone.stderr.contains("no saved search is named `a`"),
        "{}",
        gone.stderr
    );
    let unknown = env.run(&["watch", "report", "a"]);
    assert_eq!(unknown.code, 2);
    let list: Value = env.run(&["watch", "list", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn a_run_killed_midway_loses_no_saved_search_and_no_new_document() {
    let env = Env::empty();
    crate::crash::generate(&env);
    env.run(&["index", "data", "--quiet"]).ok();
    env.run(&["watch", "add", "fish", "fishing"]).ok();
    // New and edited files, the ones the kill lands among.
    let mut want = BTreeMap::new();
    for i in 0..300 {
        let name = format!("{i:03}.txt");
        env.write(
            &format!("extra/{name}"),
            format!("New report {i} on fishing crews."),
        );
        want.insert(name, "new".to_string());
    }
    for i in (0..crate::crash::FILES).step_by(97) {
        let rel = format!("{}/{i:05}.txt", ["UNODC", "ILO", "IOM", "OSCE"][i % 4]);
        env.write(&rel, format!("Edited {i}: fishing and debt bondage."));
        want.insert(format!("{i:05}.txt"), "changed".to_string());
    }
    let started = Instant::now();
    let mut child = env
        .command(&["index", "data", "--quiet", "--commit-every", "40"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the run has committed some of its work (its first commit is at 40 files).
    let meta = env.index_dir().join("meta.json");
    let before = std::fs::metadata(&meta).unwrap().modified().unwrap();
    while std::fs::metadata(&meta).unwrap().modified().unwrap() == before
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(started.elapsed().as_secs() < 120);
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    let list = env
        .run(&["watch", "list", "--format", "json", "--index", "index"])
        .ok()
        .json();
    assert_eq!(
        list[0]["name"], "fish",
        "the saved search survives the kill"
    );
    let finish = env.run(&["index", "data"]).ok();
    assert!(finish.stdout.contains("watch fish:"), "{}", finish.stdout);
    assert_eq!(reported(&env, &["fish"]), want, "killed midway: {killed}");
}
