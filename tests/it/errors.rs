//! Bad input: one clear line, the right exit code, no panics or debug output, batch goes on.

use std::io::Read;
use std::process::Stdio;

use crate::harness::*;

fn assert_clean_error(run: &Run, code: i32, needles: &[&str]) {
    assert_eq!(
        run.code, code,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    for n in needles {
        assert!(
            run.stderr.contains(n),
            "stderr lacks {n:?}:\n{}",
            run.stderr
        );
    }
    for bad in ["panicked", "RUST_BACKTRACE", "Os {", "Error {", "kind:"] {
        assert!(
            !run.stderr.contains(bad),
            "debug output {bad:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn unknown_index_dir_says_how_to_create_it() {
    let env = Env::with_seeds();
    let run = env.run(&["search", "trafficking", "--index", "nowhere"]);
    assert_clean_error(
        &run,
        2,
        &["no index at nowhere", "tipdex index PATH --index nowhere"],
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let run = env.run(&["status", "--index", "nowhere"]);
    assert_clean_error(&run, 2, &["no index at nowhere"]);
}

#[test]
fn bad_year_and_dates_are_usage_errors() {
    let env = Env::with_seeds();
    env.index();
    let run = env.run(&["search", "x", "--year", "19"]);
    assert_clean_error(&run, 2, &["invalid --year `19`", "2015..2020"]);
    let run = env.run(&["search", "x", "--year", "2020..2015"]);
    assert_clean_error(&run, 2, &["2015..2020"]);
    let run = env.run(&["search", "x", "--from", "June 2019"]);
    assert_clean_error(&run, 2, &["invalid --from `June 2019`"]);
    let run = env.run(&["search", "x", "--from", "2021", "--to", "2019"]);
    assert_clean_error(&run, 2, &["swap"]);
    let run = env.run(&["facets", "--field", "colour"]);
    assert_eq!(run.code, 2);
}

#[test]
fn unreadable_path_is_a_usage_error_and_touches_nothing() {
    let env = Env::with_seeds();
    let run = env.run(&["index", "no/such/folder"]);
    assert_clean_error(&run, 2, &["cannot read no/such/folder", "check the path"]);
    assert!(
        !env.index_dir().exists(),
        "a failed start must not create an index"
    );
}

#[test]
fn unknown_document_for_show() {
    let env = Env::with_seeds();
    env.index();
    let run = env.run(&["show", "ffffffffff"]);
    assert_clean_error(&run, 2, &["no indexed document matches `ffffffffff`"]);
}

#[test]
fn one_bad_file_is_reported_and_the_batch_goes_on() {
    let env = Env::with_seeds();
    env.write(
        "broken.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00binary\x00\x00",
    );
    env.write("empty.txt", b"");
    env.write("sheet.xlsx", b"PK");
    let run = env.run(&["index", "data"]);
    assert_clean_error(&run, 1, &["broken.txt", "binary data", "1 file(s) failed"]);
    assert!(run.stdout.contains("5 added"), "{}", run.stdout);
    assert!(
        run.stdout.contains("empty: no text to index"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("unsupported type .xlsx"),
        "{}",
        run.stdout
    );
    // The good files are searchable.
    assert_eq!(env.hit_files(&["GLO.ACT"]), [S003]);
}

#[test]
fn a_broken_sidecar_is_reported_but_the_document_is_indexed() {
    let env = Env::with_seeds();
    env.write("003_bd84540aa3d9ccf3.meta.json", "{ not json");
    let run = env.run(&["index", "data"]);
    assert_clean_error(&run, 1, &["003_bd84540aa3d9ccf3.meta.json", "fix the JSON"]);
    assert_eq!(env.hit_files(&["GLO.ACT"]), [S003]);
    // Fixing the sidecar alone re-indexes the document with it.
    env.write("003_bd84540aa3d9ccf3.meta.json", r#"{"source": "UNODC"}"#);
    let run = env.run(&["index", "data"]).ok();
    assert!(run.stdout.contains("1 updated"), "{}", run.stdout);
    assert_eq!(env.hit_files(&["GLO.ACT", "--source", "UNODC"]), [S003]);
}

#[test]
fn broken_pipe_is_not_an_error() {
    let env = Env::empty();
    // Enough output to overflow a pipe buffer.
    let body = "Victims of trafficking were identified in the fishing sector. ".repeat(40);
    for i in 0..300 {
        env.write(&format!("doc{i:03}.txt"), format!("Report {i}\n\n{body}"));
    }
    env.index();
    let mut child = env
        .command(&["search", "trafficking", "--limit", "300", "--passages", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn an_index_of_another_layout_is_refused_until_rebuilt() {
    let env = Env::with_seeds();
    env.index();
    // Stamp the index as written by another layout version.
    let index = tantivy::Index::open_in_dir(env.index_dir()).unwrap();
    tipdex::schema::register_analyzer(&index);
    let mut writer: tantivy::IndexWriter = index.writer(20_000_000).unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload(r#"{"schema_version": 1, "roots": []}"#);
    commit.commit().unwrap();
    drop(writer);
    // Named with --index (the default index/ is rebuilt by a search instead: tests/it/search.rs).
    let run = env.run(&["search", "trafficking", "--index", "index"]);
    assert_clean_error(
        &run,
        1,
        &[
            "not a usable tipdex index",
            "layout version 1",
            "tipdex index --full",
        ],
    );
    let run = env.run(&["index", "data"]);
    assert_clean_error(&run, 1, &["tipdex index --full"]);
    let rebuilt = env.run(&["index", "data", "--full"]).ok();
    assert!(
        rebuilt.stdout.contains("index now holds 5 documents"),
        "{}",
        rebuilt.stdout
    );
    assert_eq!(env.hit_files(&["GLO.ACT"]), [S003]);
}
