//! Indexing benchmark: the full tipdex pipeline beside a minimal tantivy program (one text
//! field, default tokenizer: the raw-engine ceiling), measured in the same run on the same
//! files, plus a no-op re-index of unchanged files.
//!
//! ```sh
//! cargo bench --bench indexing                 # 2,000 and 20,000 documents
//! cargo bench --bench indexing -- 2000         # only the sizes given
//! ```
//!
//! Corpora come from `../shared/bench/make_corpus.py` (deterministic; cached under
//! `target/bench/`). Without `../shared/` the benchmark says so and exits. Each measured program
//! runs as its own process so wall time and peak RSS (from `wait4`) are its own.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RAW_FLAG: &str = "--raw-tantivy";
const WRITER_MEMORY: usize = 256 * 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(RAW_FLAG) {
        raw_tantivy(Path::new(&args[1]), Path::new(&args[2]));
        return;
    }
    let Some(generator) = common::generator("indexing") else {
        return;
    };
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![2_000, 20_000]
    } else {
        sizes
    };
    let work = common::work_dir();
    println!("| docs | MB | program | wall s | docs/s | MB/s | peak RSS MB | index MB |");
    println!("|---:|---:|---|---:|---:|---:|---:|---:|");
    for docs in sizes {
        let corpus = common::generated_corpus(&generator, docs).join("corpus");
        let (files, bytes) = corpus_size(&corpus);
        let mb = bytes as f64 / 1e6;
        let row = |name: &str, m: &Measured, index: &Path| {
            let secs = m.wall.as_secs_f64();
            println!(
                "| {files} | {mb:.1} | {name} | {secs:.2} | {:.0} | {:.1} | {:.0} | {:.1} |",
                files as f64 / secs,
                mb / secs,
                m.peak_rss_kb as f64 / 1024.0,
                dir_size(index) as f64 / 1e6
            );
        };

        let raw_index = work.join(format!("raw-{docs}"));
        let _ = std::fs::remove_dir_all(&raw_index);
        let me = std::env::current_exe().expect("bench binary path");
        let raw = measure(Command::new(&me).arg(RAW_FLAG).arg(&corpus).arg(&raw_index));
        row("raw tantivy (1 field)", &raw, &raw_index);

        let index = work.join(format!("tipdex-{docs}"));
        let _ = std::fs::remove_dir_all(&index);
        let tipdex = common::tipdex_bin();
        let full = measure(
            Command::new(&tipdex)
                .args(["index", "--quiet", "--index"])
                .arg(&index)
                .arg(&corpus),
        );
        row("tipdex index (full)", &full, &index);
        let noop = measure(
            Command::new(&tipdex)
                .args(["index", "--quiet", "--index"])
                .arg(&index)
                .arg(&corpus),
        );
        row("tipdex index (no-op)", &noop, &index);
        println!(
            "|  |  | ratios | tipdex/raw throughput {:.2}× · no-op/full {:.3} · no-op {:.0} ms |  |  |  |  |",
            raw.wall.as_secs_f64() / full.wall.as_secs_f64(),
            noop.wall.as_secs_f64() / full.wall.as_secs_f64(),
            noop.wall.as_secs_f64() * 1000.0
        );
    }
}

struct Measured {
    wall: Duration,
    peak_rss_kb: i64,
}

/// Run a command to completion, with its own wall time and peak RSS. On Linux a spawned
/// child's `wait4` peak includes this process's own (the kernel carries the parent's high-water
/// mark across a vfork-style `exec`): it is the child's because this process stays small (it
/// reads no index and holds no corpus; see tests/it/peak_rss.rs).
// The child is reaped by wait4, which std's Child::wait cannot do while also returning rusage.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> Measured {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .spawn()
        .expect("start measured program");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "measured program failed: {cmd:?}"
    );
    Measured {
        wall,
        peak_rss_kb: usage.ru_maxrss,
    }
}

fn files(dir: &Path) -> impl Iterator<Item = walkdir::DirEntry> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
}

fn corpus_size(dir: &Path) -> (usize, u64) {
    files(dir).fold((0, 0), |(n, b), e| {
        (n + 1, b + e.metadata().map(|m| m.len()).unwrap_or(0))
    })
}

fn dir_size(dir: &Path) -> u64 {
    files(dir)
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

/// The raw-engine ceiling: every file's text into one TEXT field, nothing else.
fn raw_tantivy(corpus: &Path, index_dir: &Path) {
    use tantivy::schema::{Schema, TEXT};
    let mut builder = Schema::builder();
    let body = builder.add_text_field("body", TEXT);
    let schema = builder.build();
    std::fs::create_dir_all(index_dir).expect("create raw index dir");
    let index = tantivy::Index::create_in_dir(index_dir, schema).expect("create raw index");
    let mut writer: tantivy::IndexWriter = index.writer(WRITER_MEMORY).expect("raw writer");
    for entry in files(corpus) {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        writer
            .add_document(tantivy::doc!(body => text))
            .expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
}
