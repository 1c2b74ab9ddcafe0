//! Fault injection for tests (never shipped: compiled under `cfg(test)` only).
//!
//! A [`Faults`] plan registered for a folder makes every [`super::directory::IndexDirectory`]
//! opened on it (or on a folder inside it, such as a rebuild's staging folder) count the
//! operations of tantivy's write path — each `write`, `flush`, the `sync_data` that ends a file,
//! `atomic_write` (tantivy's rename-based write of `meta.json` and `.managed.json`) and
//! `sync_directory` — and fail the Nth with the chosen error, then every later one too when the
//! fault is persistent (a full disk stays full). Reads can be served damaged: a file whose name
//! ends with a given suffix comes back truncated or with flipped bytes. Modelled on SQLite's
//! I/O-error tests: sweep N over every operation a run makes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::directory::{AntiCallToken, OwnedBytes, TerminatingWrite, WritePtr};

/// How a file is served damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadDamage {
    /// Only the first third of its bytes.
    Truncated,
    /// Bytes in its middle XOR-ed.
    Flipped,
}

/// One fault plan.
#[derive(Debug)]
pub(crate) struct Faults {
    /// Write-path operations seen so far.
    ops: AtomicU64,
    /// The operation (1-based) that fails; 0: none, only count.
    fail_at: u64,
    /// The error it fails with.
    kind: io::ErrorKind,
    /// Every operation after the failing one fails too.
    persistent: bool,
    /// Files served damaged: (name suffix, how).
    damaged_reads: Option<(String, ReadDamage)>,
}

impl Faults {
    /// Count only.
    pub(crate) fn counting() -> Faults {
        Faults::failing(0, io::ErrorKind::Other, false)
    }

    /// Fail operation `n` (1-based) with `kind`; with `persistent`, every later one too.
    pub(crate) fn failing(n: u64, kind: io::ErrorKind, persistent: bool) -> Faults {
        Faults {
            ops: AtomicU64::new(0),
            fail_at: n,
            kind,
            persistent,
            damaged_reads: None,
        }
    }

    /// Serve files whose name ends with `suffix` damaged.
    pub(crate) fn damaging_reads(suffix: &str, how: ReadDamage) -> Faults {
        Faults {
            damaged_reads: Some((suffix.to_string(), how)),
            ..Faults::counting()
        }
    }

    /// Operations counted so far.
    pub(crate) fn ops(&self) -> u64 {
        self.ops.load(Ordering::SeqCst)
    }

    /// Count one operation; its error when it is planned to fail.
    pub(crate) fn step(&self, what: &str) -> io::Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst) + 1;
        let fails =
            self.fail_at > 0 && (n == self.fail_at || (self.persistent && n > self.fail_at));
        if fails {
            // The operating system's own error, so tipdex sees what a full disk or a failing
            // one gives (tantivy sometimes passes on only its words).
            let _ = what;
            let errno = match self.kind {
                io::ErrorKind::StorageFull => libc::ENOSPC,
                io::ErrorKind::PermissionDenied => libc::EACCES,
                io::ErrorKind::ReadOnlyFilesystem => libc::EROFS,
                _ => libc::EIO,
            };
            return Err(io::Error::from_raw_os_error(errno));
        }
        Ok(())
    }

    /// The bytes of `name` as this plan serves them.
    pub(crate) fn serve(&self, name: &Path, bytes: OwnedBytes) -> OwnedBytes {
        let Some((suffix, how)) = &self.damaged_reads else {
            return bytes;
        };
        if !name.to_string_lossy().ends_with(suffix.as_str()) {
            return bytes;
        }
        let mut data = bytes.as_slice().to_vec();
        match how {
            ReadDamage::Truncated => data.truncate(data.len() / 3),
            ReadDamage::Flipped => {
                let mid = data.len() / 2;
                for b in data.iter_mut().skip(mid / 2).take(mid) {
                    *b ^= 0x5a;
                }
            }
        }
        OwnedBytes::new(data)
    }
}

type Registry = Mutex<Vec<(PathBuf, Arc<Faults>)>>;

fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(Vec::new()))
}

/// Apply `faults` to every index directory opened on `dir` or inside it, until [`clear`].
pub(crate) fn install(dir: &Path, faults: Arc<Faults>) {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut plans = registry().lock().unwrap_or_else(|e| e.into_inner());
    plans.retain(|(d, _)| d != &dir);
    plans.push((dir, faults));
}

/// Remove the plan for `dir`.
pub(crate) fn clear(dir: &Path) {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut plans = registry().lock().unwrap_or_else(|e| e.into_inner());
    plans.retain(|(d, _)| d != &dir);
}

/// The plan that applies to `dir`, if any.
pub(crate) fn for_dir(dir: &Path) -> Option<Arc<Faults>> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let plans = registry().lock().unwrap_or_else(|e| e.into_inner());
    plans
        .iter()
        .find(|(d, _)| dir.starts_with(d))
        .map(|(_, f)| Arc::clone(f))
}

/// A file being written under a fault plan.
pub(crate) struct FaultyWrite {
    inner: WritePtr,
    faults: Arc<Faults>,
}

impl FaultyWrite {
    /// Wrap `inner` (a file tantivy is writing).
    pub(crate) fn wrap(inner: WritePtr, faults: Arc<Faults>) -> WritePtr {
        io::BufWriter::new(Box::new(FaultyWrite { inner, faults }))
    }
}

impl Write for FaultyWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.faults.step("write")?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.faults.step("flush")?;
        self.inner.flush()
    }
}

impl TerminatingWrite for FaultyWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        // Ending a file flushes and fsyncs it (sync_data).
        self.faults.step("sync_data")?;
        self.inner.terminate_ref(token)
    }
}
