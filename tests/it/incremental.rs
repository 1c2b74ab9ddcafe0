//! Re-indexing touches only what changed; the index is the one record of what is indexed.

use crate::harness::*;

fn summary(run: &Run) -> &str {
    run.stdout.lines().next().unwrap_or("")
}

#[test]
fn add_modify_delete_and_unchanged_between_runs() {
    let env = Env::with_seeds();
    let first = env.index();
    assert!(
        summary(&first).contains("5 added, 0 updated, 0 moved, 0 removed, 0 unchanged"),
        "{}",
        first.stdout
    );

    let again = env.index();
    assert!(
        summary(&again).contains("0 added, 0 updated, 0 moved, 0 removed, 5 unchanged"),
        "{}",
        again.stdout
    );

    env.write("new.md", "---\ntitle: Forced labour in fishing\ndate: 2021-03\nsource: ILO\n---\n\nForced labour on fishing vessels in the Pacific.\n");
    std::fs::remove_file(env.data().join(S002)).unwrap();
    let p = env.data().join(S000);
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("Palermo Protocols", "Palermo Protocols and seaweed");
    std::fs::write(&p, text).unwrap();
    let run = env.index();
    assert!(
        summary(&run).contains("1 added, 1 updated, 0 moved, 1 removed, 3 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("index now holds 5 documents"),
        "{}",
        run.stdout
    );

    assert_eq!(env.hit_files(&["seaweed"]), [S000]);
    assert!(env
        .hit_files(&["\"Role of the United Nations and International Law\""])
        .is_empty());
    let hit = &env.search_json(&["fishing vessels"])["hits"][0];
    assert_eq!(hit["title"], "Forced labour in fishing");
    assert_eq!(hit["source"], "ILO");
    assert_eq!(hit["date"], "2021-03");
    // No document twice after all that.
    assert_eq!(env.search_json(&["the"])["total_documents"], 5);
}

#[test]
fn touched_but_identical_file_is_not_reextracted() {
    let env = Env::with_seeds();
    env.index();
    let shown = || {
        let mut json = env.run(&["show", S003, "--format", "json"]).ok().json();
        json.as_object_mut().unwrap().remove("indexed_at");
        json
    };
    let before = shown();
    let p = env.data().join(S003);
    let bytes = std::fs::read(&p).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&p, bytes).unwrap();
    let run = env.index();
    assert!(
        summary(&run).contains("0 added, 0 updated, 0 moved, 0 removed, 5 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("(0 passages written)"),
        "{}",
        run.stdout
    );
    // The planner holds only record summaries; the rewritten record is the whole old one.
    assert_eq!(shown(), before);
    assert_eq!(before["metadata"]["source"]["value"], "UNODC");
}

#[test]
fn full_rebuilds_from_scratch() {
    let env = Env::with_seeds();
    env.index();
    let run = env.run(&["index", "data", "--full"]).ok();
    assert!(summary(&run).contains("5 added"), "{}", run.stdout);
    assert!(
        run.stdout.contains("index now holds 5 documents"),
        "{}",
        run.stdout
    );
}

#[test]
fn indexing_another_root_keeps_the_first() {
    let env = Env::with_seeds();
    env.index();
    let other = env.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("x.txt"), "Labour exploitation in agriculture.").unwrap();
    let run = env.run(&["index", "other"]).ok();
    assert!(
        run.stdout.contains("index now holds 6 documents"),
        "{}",
        run.stdout
    );
    // With no path, every known root is refreshed.
    let run = env.run(&["index"]).ok();
    assert!(summary(&run).contains("6 unchanged"), "{}", run.stdout);
}

#[test]
fn a_second_writer_gets_a_clear_message() {
    let env = Env::with_seeds();
    env.index();
    // Hold the writer lock the way a running `tipdex index` does.
    let index = tantivy::Index::open_in_dir(env.index_dir()).unwrap();
    tipdex::schema::register_analyzer(&index);
    let writer: tantivy::IndexWriter = index.writer(20_000_000).unwrap();
    let run = env.run(&["index", "data"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("another tipdex update is already running on the index at index"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // Searches keep answering meanwhile.
    assert_eq!(env.hit_files(&["GLO.ACT"]), [S003]);
    drop(writer);
    env.index();
}

#[test]
fn renamed_and_moved_files_are_rekeyed_not_reextracted() {
    let env = Env::with_seeds();
    env.index();
    let before = env.run(&["show", S002, "--format", "json"]).ok().json();
    std::fs::create_dir_all(env.data().join("UNODC")).unwrap();
    std::fs::rename(env.data().join(S004), env.data().join("UNODC/strategy.txt")).unwrap();
    std::fs::rename(env.data().join(S002), env.data().join("renamed.txt")).unwrap();
    let run = env.run(&["index", "data", "--verbose"]).ok();
    assert!(
        summary(&run).contains("0 added, 0 updated, 2 moved, 0 removed, 3 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("moved") && run.stderr.contains("renamed.txt"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("index now holds 5 documents"),
        "{}",
        run.stdout
    );
    // Same passages under the new path, metadata from the text kept.
    let after = env
        .run(&["show", "renamed.txt", "--format", "json"])
        .ok()
        .json();
    assert_eq!(after["passages"], before["passages"]);
    assert_eq!(after["metadata"]["title"], before["metadata"]["title"]);
    assert_ne!(after["id"], before["id"]);
    // A title that came from the old file name follows the new one.
    let moved = env
        .run(&["show", "strategy.txt", "--format", "json"])
        .ok()
        .json();
    assert_eq!(moved["metadata"]["title"]["value"], "strategy");
    assert_eq!(moved["path"], "data/UNODC/strategy.txt");
    let hits = env.hit_files(&["\"Blue Heart Campaign\""]);
    assert_eq!(hits, ["strategy.txt"]);
    assert!(env.run(&["show", S002]).code == 2, "the old path is gone");
}

#[test]
fn a_moved_tree_is_recognised_at_its_new_location() {
    let env = Env::with_seeds();
    env.index();
    std::fs::rename(env.data(), env.path().join("moved")).unwrap();
    // Refreshing all roots warns about the vanished one but fails nothing.
    let refresh = env.run(&["index", "moved"]).ok();
    assert!(
        summary(&refresh).contains("0 added, 0 updated, 5 moved, 0 removed"),
        "{}",
        refresh.stdout
    );
    assert!(
        refresh.stdout.contains("index now holds 5 documents"),
        "{}",
        refresh.stdout
    );
    let status = env.run(&["status", "--format", "json"]).ok().json();
    let roots: Vec<&str> = status["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        roots.len(),
        1,
        "the vanished root is dropped once all its documents moved: {roots:?}"
    );
    assert!(roots[0].ends_with("moved"));
    assert_eq!(env.hit_files(&["GLO.ACT"]), [S003]);
}

#[test]
fn refreshing_with_a_vanished_root_keeps_its_documents() {
    let env = Env::with_seeds();
    env.index();
    let other = env.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("x.txt"), "Labour exploitation in agriculture.").unwrap();
    env.run(&["index", "other"]).ok();
    std::fs::remove_dir_all(&other).unwrap();
    let run = env.run(&["index"]).ok();
    assert!(
        run.stderr
            .contains("no longer exists; its documents stay in the index"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("index now holds 6 documents"),
        "{}",
        run.stdout
    );
}
