//! Never lose or strand an index: tipdex deletes only its own files, interrupted runs are
//! finished by the next one, and a read-only index answers searches.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tipdex::store::{Store, MARKER};

use crate::crash::{generate, FILES};
use crate::harness::*;

/// A tantivy index with a schema of its own in `dir`, with one document and `payload`.
fn tantivy_index(dir: &Path, payload: Option<&str>) {
    use tantivy::schema::{Schema, STORED, TEXT};
    std::fs::create_dir_all(dir).unwrap();
    let mut builder = Schema::builder();
    let title = builder.add_text_field("title", TEXT | STORED);
    let index = tantivy::Index::create_in_dir(dir, builder.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(title => "another program's document"))
        .unwrap();
    let mut prepared = writer.prepare_commit().unwrap();
    if let Some(p) = payload {
        prepared.set_payload(p);
    }
    prepared.commit().unwrap();
}

#[test]
fn a_directory_that_is_not_tipdex_index_is_refused_and_left_alone() {
    let env = Env::with_seeds();
    let other = env.path().join("other");
    tantivy_index(&other, None);
    std::fs::write(other.join("notes.txt"), "my notes").unwrap();
    let files_before = std::fs::read_dir(&other).unwrap().count();

    let full = env.run(&["index", "data", "--full", "--index", "other"]);
    assert_eq!(full.code, 2, "{full:?}");
    assert!(
        full.stderr.contains("other is not a tipdex index"),
        "{}",
        full.stderr
    );
    assert!(!full.stderr.contains("--full"), "{}", full.stderr);
    let search = env.run(&["search", "trafficking", "--index", "other"]);
    assert_eq!(search.code, 2, "{search:?}");
    assert!(!search.stderr.contains("--full"), "{}", search.stderr);
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert!(other.join("meta.json").is_file());
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), files_before);

    // A folder of the user's files is not made into an index either.
    let mine = env.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("letter.txt"), "dear").unwrap();
    let run = env.run(&["index", "data", "--index", "mine"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a tipdex index"), "{}", run.stderr);
    assert!(!run.stderr.contains("--full"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(&mine)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("letter.txt")]);
}

#[test]
fn full_rebuild_of_tipdex_index_keeps_the_users_files() {
    let env = Env::with_seeds();
    env.index();
    assert!(env.index_dir().join(MARKER).is_file());
    std::fs::write(env.index_dir().join("notes.txt"), "kept").unwrap();
    env.run(&["index", "data", "--full"]).ok();
    assert_eq!(
        std::fs::read_to_string(env.index_dir().join("notes.txt")).unwrap(),
        "kept"
    );
    assert!(env.search_json(&["trafficking"])["total_documents"].as_u64() > Some(0));

    // An index of an older tipdex layout, made before the marker: recognised by its commit
    // payload, rebuilt by `--full` without touching the user's file, and marked from then on.
    let old = env.path().join("old");
    tantivy_index(
        &old,
        Some(r#"{"schema_version":1,"roots":[],"last_indexed":1}"#),
    );
    std::fs::write(old.join("notes.txt"), "old notes").unwrap();
    let refused = env.run(&["search", "trafficking", "--index", "old"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("is not a usable tipdex index")
            && refused.stderr.contains("--full"),
        "{}",
        refused.stderr
    );
    env.run(&["index", "data", "--full", "--index", "old"]).ok();
    assert_eq!(
        std::fs::read_to_string(old.join("notes.txt")).unwrap(),
        "old notes"
    );
    assert!(old.join(MARKER).is_file());
    let hits = env.search_json(&["trafficking", "--index", "old"]);
    assert!(hits["total_documents"].as_u64() > Some(0), "{hits}");
}

fn wait_for(path: &Path) {
    let started = Instant::now();
    while !path.is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn record_count(index: &Path) -> usize {
    let store = Store::open(index).unwrap();
    let reader = store.reader().unwrap();
    store.all_records(&reader.searcher()).unwrap().len()
}

#[test]
fn ctrl_c_on_a_new_folder_is_reported_and_a_bare_index_finishes_it() {
    let env = Env::empty();
    generate(&env);
    let child = env
        .command(&["index", "data", "--commit-every", "50"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&env.index_dir().join("meta.json"));
    // SAFETY: a plain kill(2) of our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let run = to_run(child.wait_with_output().unwrap());
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr.contains("tipdex: interrupted:")
            && run.stderr.contains("Run `tipdex index` to finish"),
        "{}",
        run.stderr
    );
    assert!(record_count(&env.index_dir()) < FILES);

    // A search of the named index says it is incomplete and how to finish it.
    let search = env.run(&["search", "marker00001", "--index", "index"]).ok();
    assert!(
        search
            .stderr
            .contains("is incomplete (its last indexing run was interrupted)")
            && search
                .stderr
                .contains("Run `tipdex index --index index` to finish it"),
        "{}",
        search.stderr
    );

    // No path given: the interrupted folder is known to the index and finished.
    let finish = env.run(&["index"]).ok();
    assert!(finish.stdout.contains("0 failed"), "{}", finish.stdout);
    assert_eq!(record_count(&env.index_dir()), FILES);
    let again = env.run(&["search", "marker01999", "--index", "index"]).ok();
    assert!(again.stderr.is_empty(), "{}", again.stderr);
}

#[test]
fn a_killed_first_automatic_index_is_resumed_by_the_next_search() {
    let env = Env::empty();
    generate(&env);
    let mut child = env
        .command(&["search", "marker01999"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&env.index_dir().join("meta.json"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first index finished before the kill; the test needs a slower run"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(record_count(&env.index_dir()) < FILES);

    let run = env.run(&["search", "marker01999", "--format", "json"]).ok();
    assert!(
        run.stderr
            .contains("the last indexing run into index/ did not finish; finishing it first"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["total_documents"], 1, "{}", run.stdout);
    assert_eq!(record_count(&env.index_dir()), FILES);
    let quiet = env.run(&["search", "marker00002"]).ok();
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

/// Run `args` as a user who cannot write the index: `nobody` when the tests run as root
/// (where permissions do not bind), else the current user.
fn run_as_reader(env: &Env, args: &[&str]) -> Run {
    let mut command = env.command(args);
    #[cfg(unix)]
    if is_root() {
        use std::os::unix::process::CommandExt;
        command.uid(65534).gid(65534);
    }
    to_run(command.output().unwrap())
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A copy of the indexed seeds' index at `ro/` with its folder made 0555, or None (skip) where
/// the reader could write it anyway (permissions not enforced).
#[cfg(unix)]
fn read_only_copy(env: &Env) -> Option<std::path::PathBuf> {
    let ro = env.path().join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    for entry in std::fs::read_dir(env.index_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), ro.join(entry.file_name())).unwrap();
    }
    set_mode(env.path(), 0o755);
    set_mode(&ro, 0o555);
    let writable = {
        use std::os::unix::process::CommandExt;
        let mut touch = std::process::Command::new("touch");
        touch.arg(ro.join("probe"));
        if is_root() {
            touch.uid(65534).gid(65534);
        }
        touch.status().is_ok_and(|s| s.success())
    };
    if writable {
        eprintln!("skipped: the reader can write a 0555 directory here");
        set_mode(&ro, 0o755);
        return None;
    }
    Some(ro)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_copy_of_an_index_answers_searches() {
    let env = Env::with_seeds();
    env.index();
    let Some(ro) = read_only_copy(&env) else {
        return;
    };
    let search = run_as_reader(
        &env,
        &["search", "trafficking", "--index", "ro", "--format", "json"],
    );
    let status = run_as_reader(&env, &["status", "--index", "ro"]);
    let show = run_as_reader(&env, &["show", S000, "--index", "ro"]);
    let facets = run_as_reader(&env, &["facets", "--index", "ro"]);
    set_mode(&ro, 0o755);
    let search = search.ok();
    assert!(search.json()["total_documents"].as_u64() > Some(0));
    status.ok();
    assert!(show.ok().stdout.contains(S000));
    facets.ok();
}

#[cfg(unix)]
#[test]
fn indexing_an_index_the_user_cannot_write_says_so_in_words_and_keeps_it() {
    let env = Env::with_seeds();
    env.index();
    let Some(ro) = read_only_copy(&env) else {
        return;
    };
    let before = record_count(&env.index_dir());
    let index = run_as_reader(&env, &["index", "data", "--index", "ro"]);
    set_mode(&ro, 0o755);
    assert_ne!(index.code, 0, "{}", index.stdout);
    let stderr = index.stderr.trim();
    let before_text = format!("the last commit ({before} documents) is intact");
    for words in [
        "cannot write the index at ro: permission denied",
        before_text.as_str(),
        "give `--index` a folder you own",
    ] {
        assert!(stderr.contains(words), "{words:?} in {stderr}");
    }
    // Said once, in words: no engine dump, no OS text repeated after the message.
    assert!(
        !stderr.contains("tantivy") && !stderr.contains("os error"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    // The index it could not write still answers with every document.
    assert_eq!(record_count(&ro), before);
}

/// Documents `search` counts for a word every generated file holds, or None when the search
/// failed (it never should while a rebuild runs beside the index).
fn searched_total(env: &Env) -> Option<u64> {
    let run = env.run(&[
        "search", "report", "--index", "index", "--format", "json", "--limit", "1",
    ]);
    if run.code != 0 {
        eprintln!("search failed during --full: {}", run.stderr);
        return None;
    }
    run.json()["total_documents"].as_u64()
}

#[test]
fn searches_during_full_see_the_whole_old_index_then_the_whole_new_one() {
    let env = Env::empty();
    generate(&env);
    env.run(&["index", "data", "--quiet"]).ok();
    let full_count = searched_total(&env).unwrap();
    assert_eq!(full_count, FILES as u64);
    let mut child = env
        .command(&["index", "--full", "--commit-every", "100", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        seen.push(searched_total(&env));
    }
    let run = to_run(child.wait_with_output().unwrap());
    assert_eq!(run.code, 0, "{run:?}");
    seen.push(searched_total(&env));
    assert!(seen.len() > 2, "the rebuild ended before a search ran");
    assert!(
        seen.iter().all(|n| *n == Some(full_count)),
        "a search saw a partial index: {seen:?}"
    );
    assert!(!env.index_dir().join(tipdex::store::STAGING).exists());
}

#[test]
fn a_killed_full_leaves_the_old_index_answering() {
    let env = Env::empty();
    generate(&env);
    env.run(&["index", "data", "--quiet"]).ok();
    let full_count = searched_total(&env).unwrap();
    let mut child = env
        .command(&["index", "--full", "--commit-every", "50", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the rebuild has committed into its staging folder.
    wait_for(
        &env.index_dir()
            .join(tipdex::store::STAGING)
            .join("meta.json"),
    );
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(searched_total(&env), Some(full_count));
    assert_eq!(record_count(&env.index_dir()), FILES);
    // The next run clears the abandoned rebuild and changes nothing else.
    let next = env.run(&["index", "--quiet"]).ok();
    assert!(next.stderr.is_empty(), "{}", next.stderr);
    assert!(!env.index_dir().join(tipdex::store::STAGING).exists());
    assert_eq!(record_count(&env.index_dir()), FILES);
}
