//! The peak memory of one run of the binary: its own, not this test process's.
//!
//! `wait4` reports a finished child's peak resident set, but on Linux a child started by
//! `Command::spawn` (`posix_spawn`, a vfork-style start) inherits its parent's peak: at `exec`
//! the kernel folds the high-water mark of the address space being left into the new
//! program's figure (`setmax_mm_hiwater_rss`), and a vfork-style child leaves its parent's. In
//! this test process that is the peak of every test run so far in its threads: a bound of
//! 150 MB on a ~45 MB run failed at 195 MB. So the run is started from a fresh copy of this
//! test binary (the ignored [`probe`] test), whose own address space is small, which waits
//! for it and writes back its exit code and peak.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// The environment variable that hands [`probe`] the run to measure (a spec file's path).
const PROBE: &str = "TIPDEX_TEST_PEAK_RSS_PROBE";

/// What a measured run gave.
pub struct Measured {
    pub code: i32,
    /// Peak resident set of the run alone, in KB.
    pub peak_kb: u64,
    pub stdout: String,
}

/// The run [`probe`] starts, and where it writes what it saw.
#[derive(Serialize, Deserialize)]
struct Spec {
    program: PathBuf,
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    /// Variables set (`Some`) or removed (`None`) for the run.
    env: Vec<(OsString, Option<OsString>)>,
    stdout: PathBuf,
    result: PathBuf,
}

/// Run `cmd` (program, arguments, directory and environment; its input is empty, its error
/// output dropped) to the end, and return its exit code, its own peak memory and its output.
pub fn measured(cmd: &Command) -> Measured {
    let scratch = tempfile::tempdir().unwrap();
    let spec = Spec {
        program: cmd.get_program().into(),
        args: cmd.get_args().map(Into::into).collect(),
        dir: cmd.get_current_dir().map(Into::into),
        env: cmd
            .get_envs()
            .map(|(k, v)| (k.into(), v.map(Into::into)))
            .collect(),
        stdout: scratch.path().join("stdout"),
        result: scratch.path().join("result"),
    };
    let spec_path = scratch.path().join("spec.json");
    std::fs::write(&spec_path, serde_json::to_vec(&spec).unwrap()).unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "peak_rss::probe",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(PROBE, &spec_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the peak-memory probe failed: {status}");
    let result = std::fs::read_to_string(&spec.result).unwrap();
    let (code, peak_kb) = result.trim().split_once(' ').unwrap();
    Measured {
        code: code.parse().unwrap(),
        peak_kb: peak_kb.parse().unwrap(),
        stdout: std::fs::read_to_string(&spec.stdout).unwrap(),
    }
}

/// Not a test of its own: [`measured`] runs it in a fresh copy of this binary with the run to
/// measure in `TIPDEX_TEST_PEAK_RSS_PROBE`; without that variable there is nothing to do.
#[test]
#[ignore = "started by peak_rss::measured in a fresh process"]
// The child is reaped by wait4, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn probe() {
    let Some(spec_path) = std::env::var_os(PROBE) else {
        return;
    };
    let spec: Spec = serde_json::from_slice(&std::fs::read(spec_path).unwrap()).unwrap();
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&spec.stdout).unwrap())
        .stderr(Stdio::null());
    if let Some(dir) = &spec.dir {
        cmd.current_dir(dir);
    }
    for (key, value) in &spec.env {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own unwaited child; status and usage point to live locals.
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    std::fs::write(&spec.result, format!("{code} {}", usage.ru_maxrss)).unwrap();
}

/// The figure is the run's own: the peak this process has reached does not leak into it.
#[test]
fn a_run_is_measured_apart_from_this_process() {
    // Take this process's peak well past what `tipdex --version` needs, then let it go.
    let mut block = vec![0u8; 256 << 20];
    for page in block.iter_mut().step_by(4096) {
        *page = 1;
    }
    std::hint::black_box(&block);
    drop(block);
    let run = measured(Command::new(crate::harness::bin()).arg("--version"));
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("tipdex "), "{}", run.stdout);
    assert!(run.peak_kb < 128 * 1024, "peak {} KB", run.peak_kb);
}
