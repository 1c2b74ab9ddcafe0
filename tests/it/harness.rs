//! A small harness: a temp copy of the sample corpus and a way to run the real binary on it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A temp directory holding `data/` (a copy of the shipped corpus) and room for `index/`.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parse stdout as JSON, failing the test with stderr when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Assert success and return self.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_tipdex")
}

impl Env {
    /// A temp dir with a copy of the five seed files at the top of the shipped `data/` (not its
    /// folders of public-domain samples), so the tests' counts stay those of the seeds.
    pub fn with_seeds() -> Env {
        let env = Env::empty();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        std::fs::create_dir_all(env.data()).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if entry.file_type().unwrap().is_file() && !name.to_string_lossy().starts_with('.') {
                std::fs::copy(entry.path(), env.data().join(name)).unwrap();
            }
        }
        env
    }

    /// A temp dir with a copy of the whole shipped `data/`, folders and ignore files included.
    pub fn with_sample() -> Env {
        let env = Env::empty();
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
            &env.data(),
        );
        env
    }

    /// The shipped `data/` plus the fixture PDF as `data/report.pdf`: a corpus with dated web
    /// entries and a document with pages.
    pub fn with_sample_and_pdf() -> Env {
        let env = Env::with_sample();
        env.write(
            "report.pdf",
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report.pdf"))
                .unwrap(),
        );
        env
    }

    /// An empty temp dir with an empty `data/`.
    pub fn empty() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(env.data()).unwrap();
        env
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.path().join("index")
    }

    /// Write a file under `data/`.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.data().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Run tipdex with the temp dir as working directory (so `data/` and `index/` defaults apply).
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run tipdex");
        to_run(out)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .current_dir(self.path())
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        c
    }

    /// Index `data/` into `index/`, asserting success.
    pub fn index(&self) -> Run {
        self.run(&["index", "data"]).ok()
    }

    /// `search … --format json`, parsed.
    pub fn search_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        self.run(&all).ok().json()
    }

    /// File names of the hits of a JSON search, in rank order.
    pub fn hit_files(&self, args: &[&str]) -> Vec<String> {
        file_names(&self.search_json(args))
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn file_names(json: &Value) -> Vec<String> {
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let p = h["path"].as_str().unwrap();
            p.rsplit('/').next().unwrap().to_string()
        })
        .collect()
}

/// A facet table of a JSON answer (`facets` or `search --facets`): each value with the
/// documents it counts, in the order listed; the "(unknown)" row (a null value) left out.
pub fn facet_table(json: &Value, dim: &str) -> Vec<(String, u64)> {
    json["facets"][dim]
        .as_array()
        .unwrap_or_else(|| panic!("no {dim} facet in {json}"))
        .iter()
        .filter_map(|e| Some((e["value"].as_str()?.to_string(), e["documents"].as_u64()?)))
        .collect()
}

/// The documents a facet table of a JSON answer counts for `value`.
pub fn facet_count(json: &Value, dim: &str, value: &str) -> Option<u64> {
    facet_table(json, dim)
        .into_iter()
        .find(|(v, _)| v == value)
        .map(|(_, n)| n)
}

/// The words a hit's passages mark, as written in the passage texts, in passage order.
pub fn hit_marks(hit: &Value) -> Vec<String> {
    hit["passages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let text = p["text"].as_str().unwrap();
            p["highlights"].as_array().unwrap().iter().map(move |h| {
                let (s, e) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
                text[s as usize..e as usize].to_string()
            })
        })
        .collect()
}

pub fn to_run(out: Output) -> Run {
    // A process ended by a signal has no exit code: report minus the signal's number, so a
    // failure says which one (a crash prints nothing).
    #[cfg(unix)]
    let by_signal = std::os::unix::process::ExitStatusExt::signal(&out.status).map(|s| -s);
    #[cfg(not(unix))]
    let by_signal = None;
    Run {
        code: out.status.code().or(by_signal).unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub const S000: &str = "000_2856f766485e6e1f.txt";
pub const S001: &str = "001_94b517cd202b1d25.txt";
pub const S002: &str = "002_2f2a5334aabe2614.txt";
pub const S003: &str = "003_bd84540aa3d9ccf3.txt";
pub const S004: &str = "004_4e25dece879ac80b.txt";
