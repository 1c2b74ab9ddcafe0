//! The `tipdex` binary: parse arguments, run, turn the outcome into an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_extractor_panics();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // `tipdex search … | head` closing the pipe early is not a failure.
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // Errors echo what was typed (an id, a query, a path): never raw to the terminal.
            eprintln!(
                "tipdex: {}",
                tipdex::output::safe::line(&format!("{err:#}"))
            );
            match err.downcast_ref::<tipdex::Error>() {
                Some(e) if e.is_usage() => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// A format library that panics on one hostile file is caught and reported as that file's
/// failure; Rust's default hook would still print a backtrace-style message mid-batch.
fn quiet_extractor_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Panics from damaged index files are caught at the reader boundary and reported as
        // damage (`tipdex::store::check::guard`).
        let caught = std::thread::current().name() == Some(tipdex::ingest::EXTRACT_THREAD)
            || tipdex::store::check::panics_are_caught();
        if !caught {
            default(info);
        }
    }));
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
