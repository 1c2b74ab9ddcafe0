//! `tipdex synonyms`.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{finish, stdout, Context};
use tipdex::store::Store;

/// Arguments of `tipdex synonyms`.
#[derive(Debug, Args)]
pub struct SynonymsArgs {
    #[command(subcommand)]
    pub action: SynonymsAction,
}

/// What to do with the synonyms.
#[derive(Debug, Subcommand)]
pub enum SynonymsAction {
    /// Match WORD and OTHER both ways from the next search on (no re-index)
    Add {
        /// A word or phrase
        word: String,
        /// Another way of writing it
        other: String,
    },
    /// Show the synonyms
    List,
    /// Forget the synonyms of WORD (only the pair with OTHER, when given)
    Remove {
        /// A word or phrase of a pair
        word: String,
        /// The other side of the pair
        other: Option<String>,
    },
}

/// Edit or list the index's synonyms.
pub fn run(ctx: &Context, args: &SynonymsArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&ctx.index_dir)?;
    let mut out = stdout();
    match &args.action {
        SynonymsAction::Add { word, other } => {
            if tipdex::synonyms::add(&store, word, other)? {
                writeln!(out, "added: {word} = {other}")?;
            } else {
                writeln!(out, "already there: {word} = {other}")?;
            }
        }
        SynonymsAction::List => {
            for (a, b) in tipdex::synonyms::list(&store)? {
                writeln!(out, "{a} = {b}")?;
            }
        }
        SynonymsAction::Remove { word, other } => {
            let n = tipdex::synonyms::remove(&store, word, other.as_deref())?;
            if n == 0 {
                anyhow::bail!("no synonym of {word:?} to remove (see `tipdex synonyms list`)");
            }
            writeln!(out, "removed {n}")?;
        }
    }
    finish(out)
}
