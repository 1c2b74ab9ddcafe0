//! A damaged index: every command that meets the damage says which file, that the source
//! folders are untouched and the one command that rebuilds; `check` finds it; `index --full`
//! rebuilds from the folders without opening the old files, each document exactly once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tipdex::store::Store;

use crate::harness::*;

/// The largest segment's id (its files hold the documents' passages).
fn largest_segment(index: &Path) -> String {
    std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "store"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .unwrap()
}

fn flip(path: &Path, from: usize, len: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    for b in &mut bytes[from..from + len] {
        *b ^= 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

/// Damages an index folder and returns the file it damaged.
type Damage = Box<dyn Fn(&Path) -> PathBuf>;

/// Each damage of the probe list, as (what it is, what to do to `index/`, the file to name).
fn probes() -> Vec<(&'static str, Damage)> {
    vec![
        (
            "truncated segment file",
            Box::new(|index| {
                let file = index.join(format!("{}.store", largest_segment(index)));
                let len = std::fs::metadata(&file).unwrap().len();
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&file)
                    .unwrap()
                    .set_len(len / 3)
                    .unwrap();
                file
            }),
        ),
        (
            "missing segment file",
            Box::new(|index| {
                let file = index.join(format!("{}.idx", largest_segment(index)));
                std::fs::remove_file(&file).unwrap();
                file
            }),
        ),
        (
            "garbage meta.json",
            Box::new(|index| {
                std::fs::write(index.join("meta.json"), "garbage\n").unwrap();
                index.join("meta.json")
            }),
        ),
        (
            "garbage .managed.json",
            Box::new(|index| {
                std::fs::write(index.join(".managed.json"), "[garbage").unwrap();
                index.join(".managed.json")
            }),
        ),
        (
            "bad commit payload",
            Box::new(|index| {
                let path = index.join("meta.json");
                let mut meta: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                meta["payload"] = serde_json::Value::String("{\"roots\": 7".into());
                std::fs::write(&path, meta.to_string()).unwrap();
                path
            }),
        ),
        (
            "flipped bytes in postings",
            Box::new(|index| {
                let file = index.join(format!("{}.idx", largest_segment(index)));
                flip(&file, 200, 40);
                file
            }),
        ),
    ]
}

fn assert_clear(what: &str, stderr: &str, file: &Path, index: &str) {
    let name = file.file_name().unwrap().to_string_lossy();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: one line expected:\n{stderr}");
    let line = lines[0];
    assert!(line.contains("is damaged"), "{what}: {line}");
    assert!(line.contains(name.as_ref()), "{what}: names {name}? {line}");
    assert!(
        line.contains("Your source folders are untouched"),
        "{what}: {line}"
    );
    assert!(
        line.contains(&format!("`tipdex index --full --index {index}`")),
        "{what}: {line}"
    );
    // Once, in tipdex's words: no tantivy Debug dumps, no repetition, no panic.
    assert_eq!(line.matches("is damaged").count(), 1, "{what}: {line}");
    for raw in [
        "DataCorruption",
        "panicked",
        "tantivy 0.",
        "Error(",
        "Content:",
    ] {
        assert!(!line.contains(raw), "{what}: raw `{raw}` in {line}");
    }
}

fn keys(index: &Path) -> Vec<u64> {
    let store = Store::open(index).unwrap();
    let reader = store.reader().unwrap();
    store
        .all_records(&reader.searcher())
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

#[test]
fn each_damage_is_reported_once_in_words_and_full_rebuilds_every_document_once() {
    let env = Env::with_seeds();
    env.index();
    let sound = keys(&env.index_dir());
    let check = env.run(&["check", "--index", "index"]).ok();
    assert!(check.stdout.contains("no damage found"), "{}", check.stdout);

    for (what, damage) in probes() {
        let damaged = env.path().join("damaged");
        let _ = std::fs::remove_dir_all(&damaged);
        std::fs::create_dir_all(&damaged).unwrap();
        for entry in std::fs::read_dir(env.index_dir()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), damaged.join(entry.file_name())).unwrap();
        }
        let file = damage(&damaged);

        let check = env.run(&["check", "--index", "damaged"]);
        assert_eq!(check.code, 1, "{what}: {check:?}");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            check.stdout.contains("is damaged") && check.stdout.contains(&name),
            "{what}: {}",
            check.stdout
        );
        assert!(
            !check.stderr.contains("panicked"),
            "{what}: {}",
            check.stderr
        );

        // Flipped postings may leave a given word's list readable; check is what finds them.
        if what != "flipped bytes in postings" {
            for args in [
                &["search", "trafficking", "--index", "damaged"][..],
                &["status", "--index", "damaged"],
                &["index", "--index", "damaged"],
            ] {
                let run = env.run(args);
                assert_eq!(run.code, 1, "{what}: {args:?} {run:?}");
                assert_clear(what, &run.stderr, &file, "damaged");
            }
        }

        // A bare `index --full`: the folders come from what survives, the old files are not
        // needed, and every document is there once.
        let full = env.run(&["index", "--full", "--index", "damaged"]);
        assert_eq!(full.code, 0, "{what}: {full:?}");
        let mut rebuilt = keys(&damaged);
        rebuilt.sort();
        let unique: HashSet<u64> = rebuilt.iter().copied().collect();
        assert_eq!(unique.len(), rebuilt.len(), "{what}: a document twice");
        let mut expected = sound.clone();
        expected.sort();
        assert_eq!(rebuilt, expected, "{what}");
        let check = env.run(&["check", "--index", "damaged"]).ok();
        assert!(
            check.stdout.contains("no damage found"),
            "{what}: {}",
            check.stdout
        );
    }
}

#[test]
fn a_damaged_index_without_its_list_of_folders_asks_for_them() {
    let env = Env::with_seeds();
    env.index();
    let index = env.index_dir();
    std::fs::write(index.join("meta.json"), "garbage").unwrap();
    std::fs::remove_file(index.join(tipdex::store::SETTINGS)).unwrap();
    let full = env.run(&["index", "--full"]);
    assert_eq!(full.code, 2, "{full:?}");
    assert!(
        full.stderr.contains("give the folders to index"),
        "{}",
        full.stderr
    );
    env.run(&["index", "data", "--full"]).ok();
    assert_eq!(keys(&index).len(), 5);
}

#[test]
fn the_default_index_damaged_is_rebuilt_from_data_by_the_next_search() {
    let env = Env::with_seeds();
    env.index();
    std::fs::write(env.index_dir().join(".managed.json"), "garbage").unwrap();
    let run = env.run(&["search", "trafficking", "--format", "json"]).ok();
    assert!(
        run.stderr.contains("is damaged; rebuilding it"),
        "{}",
        run.stderr
    );
    assert!(run.json()["total_documents"].as_u64() > Some(0));
    assert_eq!(keys(&env.index_dir()).len(), 5);
}
