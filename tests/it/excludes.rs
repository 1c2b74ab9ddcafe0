//! What not to index: `.tipdexignore` files and `--exclude`, remembered per root.

use crate::harness::*;

/// Paths (relative to `data/`) of every document in the index, sorted.
fn indexed(env: &Env) -> Vec<String> {
    let json = env.search_json(&["trafficking", "--limit", "1000"]);
    let mut paths: Vec<String> = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let p = h["path"].as_str().unwrap();
            p.strip_prefix("data/")
                .or_else(|| p.split_once("/data/").map(|(_, rel)| rel))
                .unwrap_or(p)
                .to_string()
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn write_tree(env: &Env) {
    env.write("report.txt", "The report on the trafficking of persons.");
    env.write(
        "notes.meta.md",
        "# Notes\n\nThe provenance of the trafficking report.",
    );
    env.write("drafts/early.txt", "The early draft on trafficking.");
    env.write(
        "sub/drafts/late.md",
        "# Late\n\nThe late draft on trafficking.",
    );
    env.write("sub/kept.md", "# Kept\n\nThe kept note on trafficking.");
}

#[test]
fn an_ignore_file_keeps_folders_and_patterns_out() {
    let env = Env::empty();
    write_tree(&env);
    env.write(
        ".tipdexignore",
        "# drafts and notes stay out\ndrafts/\n*.meta.md\n",
    );
    let run = env.index();
    assert_eq!(indexed(&env), ["report.txt", "sub/kept.md"]);
    // Two folders named drafts and one file: named as excluded in the summary.
    assert!(
        run.stdout
            .contains("skipped     3  excluded by .tipdexignore or --exclude"),
        "{}",
        run.stdout
    );

    // A deeper ignore file's `!pattern` brings a file back, as in git.
    env.write("sub/.tipdexignore", "!drafts/\n");
    env.index();
    assert_eq!(
        indexed(&env),
        ["report.txt", "sub/drafts/late.md", "sub/kept.md"]
    );
}

#[test]
fn exclude_is_remembered_and_newly_excluded_files_are_removed() {
    let env = Env::empty();
    write_tree(&env);
    env.index();
    assert_eq!(indexed(&env).len(), 5);

    // Files indexed before are removed once excluded.
    let run = env
        .run(&[
            "index",
            "data",
            "--exclude",
            "drafts/",
            "--exclude",
            "*.meta.md",
        ])
        .ok();
    assert!(run.stdout.contains("3 removed"), "{}", run.stdout);
    assert_eq!(indexed(&env), ["report.txt", "sub/kept.md"]);

    // A bare run walks the remembered roots with their remembered excludes.
    env.write("drafts/newer.txt", "The newer draft on trafficking.");
    env.write("other.txt", "Another report on trafficking.");
    let run = env.run(&["index"]).ok();
    assert!(run.stdout.contains("1 added"), "{}", run.stdout);
    assert_eq!(indexed(&env), ["other.txt", "report.txt", "sub/kept.md"]);

    // status shows them, in text and JSON.
    let status = env.run(&["status"]).ok();
    assert!(
        status.stdout.contains("  excludes    drafts/  *.meta.md"),
        "{}",
        status.stdout
    );
    let json = env.run(&["status", "--format", "json"]).ok().json();
    let root = json["roots"][0].as_str().unwrap();
    assert_eq!(
        json["excludes"][root],
        serde_json::json!(["drafts/", "*.meta.md"])
    );

    // Forgetting them brings the files back.
    let run = env.run(&["index", "data", "--clear-excludes"]).ok();
    assert!(run.stdout.contains("4 added"), "{}", run.stdout);
    assert_eq!(indexed(&env).len(), 7);
    let status = env.run(&["status"]).ok();
    assert!(!status.stdout.contains("excludes"), "{}", status.stdout);
}

#[test]
fn a_bad_exclude_pattern_is_a_usage_error_before_any_work() {
    let env = Env::empty();
    write_tree(&env);
    let run = env.run(&["index", "data", "--exclude", "a{b"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("invalid --exclude `a{b`"),
        "{}",
        run.stderr
    );
    assert!(!env.index_dir().join("meta.json").exists());
}
