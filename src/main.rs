//! The `tipdex` binary: parse arguments, run, turn the outcome into an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // `tipdex search … | head` closing the pipe early is not a failure.
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("tipdex: {err:#}");
            match err.downcast_ref::<tipdex::Error>() {
                Some(e) if e.is_usage() => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
