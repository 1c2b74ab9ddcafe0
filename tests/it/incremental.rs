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
        summary(&first).contains("5 added, 0 updated, 0 removed, 0 unchanged"),
        "{}",
        first.stdout
    );

    let again = env.index();
    assert!(
        summary(&again).contains("0 added, 0 updated, 0 removed, 5 unchanged"),
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
        summary(&run).contains("1 added, 1 updated, 1 removed, 3 unchanged"),
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
    let p = env.data().join(S003);
    let bytes = std::fs::read(&p).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&p, bytes).unwrap();
    let run = env.index();
    assert!(
        summary(&run).contains("0 added, 0 updated, 0 removed, 5 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("(0 passages written)"),
        "{}",
        run.stdout
    );
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
