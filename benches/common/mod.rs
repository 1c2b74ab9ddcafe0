//! What the benches share: the generated corpora they measure on.
//!
//! Compiled into each bench, which uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the benches keep their corpora and indexes (under the project's target/).
pub fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench")
}

/// The corpus generator in the shared folder beside the project, or None after saying that
/// `bench` is skipped (the benches measure on generated corpora only).
pub fn generator(bench: &str) -> Option<PathBuf> {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/make_corpus.py");
    if generator.is_file() {
        return Some(generator);
    }
    println!(
        "{bench} bench skipped: {} not found (it lives in the shared folder beside the project)",
        generator.display()
    );
    None
}

/// The folder `make_corpus.py` writes for `docs` documents (`corpus/`, `manifest.json`,
/// `queries.txt`), generated on first use with the fixed seed and cached in [`work_dir`], so
/// every bench measures the same documents.
pub fn generated_corpus(generator: &Path, docs: usize) -> PathBuf {
    let out = work_dir().join(format!("corpus-{docs}"));
    if !out.join("manifest.json").is_file() {
        eprintln!(
            "generating {docs} documents with make_corpus.py (cached in {})…",
            out.display()
        );
        let ok = Command::new("python3")
            .arg(generator)
            .args([
                "--docs",
                &docs.to_string(),
                "--seed",
                "42",
                "--force",
                "--out",
            ])
            .arg(&out)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "make_corpus.py failed");
    }
    out
}

/// The `tipdex` binary the benches run as a process (indexing, whole-process searches):
/// `TIPDEX_BENCH_BIN` when set, else the one cargo built beside this bench. A bench binary
/// copied out to compare commits would otherwise run whatever `target/release/tipdex` is by
/// then, while its in-process figures come from its own commit.
pub fn tipdex_bin() -> PathBuf {
    std::env::var_os("TIPDEX_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tipdex")))
}

/// `tipdex index` of the generated `corpus` folder (from [`generated_corpus`]) into `index`,
/// quietly; incremental, so a no-op when another bench already built that index. Callers add
/// what their run needs (an environment variable) before running it.
pub fn index_command(corpus: &Path, index: &Path) -> Command {
    let mut command = Command::new(tipdex_bin());
    command
        .args(["index", "--quiet", "--index"])
        .arg(index)
        .arg(corpus.join("corpus"));
    command
}

/// The generator's queries of a `corpus` folder: (class, query as the generator wrote it).
pub fn generated_queries(corpus: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus.join("queries.txt")).expect("queries.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(class, q)| (class.to_string(), q.to_string()))
        .collect()
}
