//! `tipdex completions SHELL` and `tipdex man`: generated from the clap definitions, so they
//! never fall behind the flags.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, CommandFactory, ValueEnum};

use super::{finish, stdout, Cli};

/// Arguments of `tipdex completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Shells with a completion script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash (bash-completion)
    Bash,
    /// Zsh
    Zsh,
    /// Fish
    Fish,
}

/// Print the completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let mut out = stdout();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    // Generated into memory: clap_complete panics when its writer fails, and a closed pipe
    // (`tipdex completions bash | head`) must stay the quiet success it is elsewhere.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "tipdex", &mut script);
    out.write_all(&script)?;
    finish(out)
}

/// Print the man page (roff): the top-level page followed by one section per subcommand, so
/// `man tipdex` alone documents every flag.
pub fn man() -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    command.build();
    let mut out = stdout();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        let name = format!("tipdex {}", sub.get_name());
        let sub = sub.clone().display_name(name.clone()).bin_name(name);
        let man = clap_mangen::Man::new(sub);
        // Subcommand pages go on as sections of the one page rather than as separate pages.
        let mut section = Vec::new();
        man.render_name_section(&mut section)?;
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        man.render_options_section(&mut section)?;
        out.write_all(&section)?;
    }
    finish(out)
}
