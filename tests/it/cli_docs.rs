//! `tipdex completions` and `tipdex man`, generated from the clap definitions.

use std::process::Command;

use crate::harness::*;

const SUBCOMMANDS: &[&str] = &[
    "index", "search", "facets", "show", "status", "synonyms", "serve", "check",
];

#[test]
fn completions_name_every_subcommand_and_flag() {
    let env = Env::empty();
    let bash = env.run(&["completions", "bash"]).ok().stdout;
    for sub in SUBCOMMANDS {
        assert!(bash.contains(&format!("tipdex,{sub})")), "{sub}: {bash}");
    }
    assert!(bash.contains("--format") && bash.contains("ndjson"));
    assert!(bash.contains("complete -F _tipdex"));
    let zsh = env.run(&["completions", "zsh"]).ok().stdout;
    assert!(zsh.starts_with("#compdef tipdex"), "{zsh}");
    let fish = env.run(&["completions", "fish"]).ok().stdout;
    assert!(fish.contains("complete -c tipdex"), "{fish}");
    // A shell that is not offered is a usage error naming the choices.
    let bad = env.run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("possible values: bash, zsh, fish"),
        "{}",
        bad.stderr
    );
}

/// bash itself parses the script and registers the completion (when bash is there).
#[test]
fn bash_accepts_the_completion_script() {
    let env = Env::empty();
    let script = env.path().join("tipdex.bash");
    std::fs::write(&script, env.run(&["completions", "bash"]).ok().stdout).unwrap();
    let Ok(out) = Command::new("bash")
        .args([
            "-c",
            &format!("source {} && complete -p tipdex", script.display()),
        ])
        .output()
    else {
        eprintln!("skipped: no bash");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("_tipdex"));
}

#[test]
fn man_page_is_roff_documenting_every_subcommand() {
    let env = Env::empty();
    let page = env.run(&["man"]).ok().stdout;
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH tipdex"),
        "{page}"
    );
    assert!(page.contains(".TH tipdex 1"));
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("tipdex {sub}")), "{sub}");
    }
    // Structural roff: every line is a request, an escape or text, never a stray tab or
    // control character.
    assert!(!page
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t'));
    // groff (with preconv, as man runs it) renders it without warnings, when installed.
    let path = env.path().join("tipdex.1");
    std::fs::write(&path, &page).unwrap();
    match Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .arg(&path)
        .output()
    {
        Ok(out) => {
            assert!(out.status.success());
            let warnings = String::from_utf8_lossy(&out.stderr);
            assert!(warnings.trim().is_empty(), "groff: {warnings}");
        }
        Err(_) => eprintln!("groff not installed: structural checks only"),
    }
}
