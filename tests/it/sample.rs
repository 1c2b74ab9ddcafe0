//! The shipped sample corpus as a new user meets it: the README's first command on the whole of
//! `data/` (the seeds plus the public-domain Factbook and US Code slices).

use crate::harness::*;

/// The arguments of the README's first `cargo run --release -- …` command, quotes removed.
fn readme_first_command() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let line = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("cargo run --release -- "))
        .expect("the README opens with a `cargo run --release -- …` command");
    let command = line.split('#').next().unwrap().trim();
    let mut args = Vec::new();
    let mut rest = command;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let (arg, after) = match rest.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted.find('"').expect("closed quote");
                (&quoted[..end], &quoted[end + 1..])
            }
            None => rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len())),
        };
        args.push(arg.to_string());
        rest = after;
    }
    args
}

#[test]
fn the_readme_first_command_shows_real_titles_dates_sources_and_facets() {
    let env = Env::with_sample();
    let args = readme_first_command();
    assert_eq!(args[0], "search", "{args:?}");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The first search builds the index from data/ (the default), as for a new user.
    let run = env.run(&args).ok();
    assert!(
        run.stderr.contains("data"),
        "says it indexes data/: {}",
        run.stderr
    );
    let out = &run.stdout;
    // Numbered result lines are titles; none is a file name.
    let titles: Vec<&str> = out
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .split_once(". ")
                .filter(|(n, _)| n.parse::<u32>().is_ok())
        })
        .map(|(_, t)| t)
        .collect();
    assert!(titles.len() >= 5, "{out}");
    for t in &titles {
        assert!(
            !t.ends_with(".txt") && !t.ends_with(".md") && !t.contains("chunck"),
            "file name as title: {t}\n{out}"
        );
    }
    assert!(
        titles.iter().any(|t| t.starts_with("§ 15")),
        "a US Code section titled by its § heading: {titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.contains(": Trafficking in persons (CIA World Factbook 20")),
        "a Factbook entry's title: {titles:?}"
    );
    // Metadata lines carry dates and sources.
    assert!(out.contains(" · CIA World Factbook · "), "{out}");
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("20") && l.contains(" · CIA World Factbook · ")),
        "a Factbook edition year opens its metadata line: {out}"
    );
    // The facets count documents per source and per year.
    assert!(out.contains("matching documents by"), "{out}");
    assert!(out.contains("CIA World Factbook "), "{out}");

    // The provenance notes shipped with the samples are not documents.
    let status = env.run(&["status", "--format", "json"]).ok().json();
    let json = env.search_json(&["provenance", "--limit", "100"]);
    for hit in json["hits"].as_array().unwrap() {
        assert!(
            !hit["path"].as_str().unwrap().ends_with("SOURCE.md"),
            "{hit}"
        );
    }
    // 5 seeds + 97 Factbook entries + 31 US Code sections.
    assert_eq!(status["documents"], 133, "{status}");
}
