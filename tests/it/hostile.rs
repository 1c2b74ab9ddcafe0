//! Hostile input and output (issue 13): text that must not reach the terminal or a spreadsheet
//! raw, queries that must not cost minutes or gigabytes, links out of the indexed folder, and
//! files that expand enormously.

use std::io::{Cursor, Write};
use std::path::Path;

use crate::harness::*;

/// Characters a terminal acts on; none may come out of tipdex raw.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
        })
        .collect()
}

fn assert_inert(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let bad = raw_controls(text);
        assert!(bad.is_empty(), "{what}: raw {bad:?} on {stream}:\n{text:?}");
    }
}

#[test]
fn uscode_sections_answer_in_text_output() {
    let src = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/uscode-trafficking"
    ));
    if !src.is_dir() {
        eprintln!("skipped: {} is absent", src.display());
        return;
    }
    let env = Env::empty();
    // The § 1597 sections (U+202F after every §) and their neighbours.
    for (folder, files) in [
        (
            "title-18-ch77",
            &["chunck-879.md", "chunck-894.md", "chunck-866.md"][..],
        ),
        (
            "title-18-ch117",
            &["chunck-1463.md", "chunck-1470.md", "chunck-1472.md"][..],
        ),
    ] {
        for f in files {
            std::fs::create_dir_all(env.data().join(folder)).unwrap();
            std::fs::copy(src.join(folder).join(f), env.data().join(folder).join(f)).unwrap();
        }
    }
    env.index();
    let run = env
        .run(&["search", "passport confiscation", "--passages", "3"])
        .ok();
    assert!(run.stdout.contains("passport"), "{}", run.stdout);
    assert!(run.stdout.contains("chunck-894.md"), "{}", run.stdout);
    let batch = env.path().join("q.txt");
    std::fs::write(&batch, "passport confiscation\nforced labor\n").unwrap();
    let run = env
        .run(&["search", "--batch", batch.to_str().unwrap()])
        .ok();
    assert!(run.stdout.contains("== 2: forced labor"), "{}", run.stdout);
}

#[test]
fn no_break_spaces_around_matches_render_in_text_output() {
    let env = Env::empty();
    // U+00A0 and U+202F between every word, so the snippet window starts next to one of them
    // whatever its size.
    let mut text = String::new();
    for i in 0..200 {
        let space = if i % 2 == 0 { '\u{a0}' } else { '\u{202f}' };
        text.push_str(&format!("§{space}{i}{space}section{space}"));
        if i == 120 {
            text.push_str("passport confiscation ");
        }
    }
    env.write("sections.txt", &text);
    env.index();
    for k in ["1", "3"] {
        let run = env
            .run(&["search", "passport confiscation", "--passages", k])
            .ok();
        assert!(run.stdout.contains("sections.txt"), "{}", run.stdout);
    }
}

#[test]
fn a_batch_reports_failing_lines_and_answers_the_others() {
    let env = Env::with_seeds();
    env.index();
    let file = env.path().join("queries.txt");
    let mut f = std::fs::File::create(&file).unwrap();
    writeln!(f, "GLO.ACT").unwrap();
    writeln!(f, "trafficking year:abc").unwrap();
    // 12 MB on one line: skipped without being held in memory.
    writeln!(f, "{}", "traffick* ".repeat(1_200_000)).unwrap();
    writeln!(f, "{{\"id\": \"j\"}}").unwrap();
    writeln!(f, "Nygard").unwrap();
    drop(f);
    for format in ["text", "json", "ndjson", "csv"] {
        let run = env.run(&["search", "--batch", "queries.txt", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {run:?}");
        let stderr = &run.stderr;
        assert!(
            stderr.contains("--batch line 2 (query 2): invalid filter `year:abc`"),
            "{stderr}"
        );
        assert!(stderr.contains("--batch line 3: longer than"), "{stderr}");
        assert!(stderr.contains("--batch line 4: no \"text\""), "{stderr}");
        assert!(stderr.contains("3 of 5 batch lines failed"), "{stderr}");
        assert!(stderr.len() < 2000, "the long line is not echoed");
        assert!(run.stdout.contains(S003), "{format}: {}", run.stdout);
        assert!(run.stdout.contains(S000), "{format}: {}", run.stdout);
    }
}

#[test]
fn hostile_queries_answer_or_fail_with_a_usage_error() {
    let env = Env::with_seeds();
    env.index();
    // 100 KB of one prefix: over the length cap.
    let long = "traffick* ".repeat(10_000);
    let run = env.run(&["search", &long]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("query too costly: 100000 bytes, over the limit of 8192 bytes; shorten it"),
        "{}",
        run.stderr
    );
    // Under the length cap, repeats are merged: 1,000 copies cost what one does.
    let repeated = "traffick* ".repeat(800);
    let once = env.search_json(&["traffick*"]);
    let many = env.search_json(&[&repeated]);
    assert_eq!(many["total_documents"], once["total_documents"]);
    assert_eq!(file_names(&many), file_names(&once));
    // 26 two-letter prefixes × 40 (4 KB): merged to 26 prefixes, then answered or refused by
    // the expansion cap.
    let prefixes: String = (b'a'..=b'z')
        .map(|c| format!("{}a* ", c as char))
        .collect::<String>()
        .repeat(40);
    let run = env.run(&["search", &prefixes, "--format", "json"]);
    match run.code {
        0 => assert!(run.json()["total_documents"].as_u64().unwrap() > 0),
        2 => assert!(run.stderr.contains("use longer prefixes"), "{}", run.stderr),
        _ => panic!("{run:?}"),
    }
    // Distinct words past the clause cap.
    let words: String = (0..200).map(|i| format!("w{i} ")).collect();
    let run = env.run(&["search", &words]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("200 distinct words, phrases and prefixes, over the limit of 128"),
        "{}",
        run.stderr
    );
    // The same caps hold for facets.
    let run = env.run(&["facets", &long]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn limit_zero_counts_and_malformed_filters_are_errors() {
    let env = Env::with_seeds();
    env.index();
    let run = env.run(&["search", "trafficking", "--limit", "0"]).ok();
    assert!(!run.stdout.contains("No documents match"), "{}", run.stdout);
    let all = env.search_json(&["trafficking"]);
    let total = all["total_documents"].as_u64().unwrap();
    assert!(
        run.stdout
            .starts_with(&format!("0 of {total} matching documents")),
        "{}",
        run.stdout
    );
    for filter in ["year:99999", "year:abc"] {
        let run = env.run(&["search", &format!("trafficking {filter}")]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr
                .contains(&format!("invalid filter `{filter}` in the query")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn control_and_bidi_characters_never_reach_the_terminal() {
    let env = Env::empty();
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}";
    env.write(
        &format!("Press{hostile}/report{hostile}.txt"),
        format!(
            "Victims{hostile} of forced labour were held on fishing vessels.\n\nThe crew{hostile} had no passports."
        ),
    );
    env.write(
        &format!("Press{hostile}/report{hostile}.meta.json"),
        serde_json::json!({
            "title": format!("Fishing{hostile} report"),
            "source": format!("NGO{hostile}"),
            "tags": [format!("sea{hostile}")],
        })
        .to_string(),
    );
    let run = env.run(&["index", "data", "-v"]).ok();
    assert_inert("index -v", &run);
    assert!(run.stderr.contains("\\u{1b}"), "{}", run.stderr);
    let run = env.run(&["search", "forced labour"]).ok();
    assert_inert("search", &run);
    assert!(
        run.stdout
            .contains("Fishing\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e} report"),
        "{}",
        run.stdout
    );
    let id = env.search_json(&["forced labour"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = env.run(&["show", &id]).ok();
    assert_inert("show", &run);
    let run = env.run(&["facets"]).ok();
    assert_inert("facets", &run);
    assert!(run.stdout.contains("NGO\\u{1b}"), "{}", run.stdout);
    let run = env.run(&["search", &format!("nothing{hostile}")]).ok();
    assert_inert("no match", &run);
    let run = env.run(&["show", &format!("x{hostile}")]);
    assert_eq!(run.code, 2);
    assert_inert("show's argument", &run);
    // JSON stays exact.
    let json = env.search_json(&["forced labour"]);
    assert_eq!(json["hits"][0]["title"], format!("Fishing{hostile} report"));
    assert!(json["hits"][0]["passages"][0]["text"]
        .as_str()
        .unwrap()
        .contains(hostile));
}

#[test]
fn csv_cells_are_never_formulas() {
    let env = Env::empty();
    let formula = "=cmd|' /C calc'!A0";
    env.write("calc.txt", "Debt bondage in brick kilns.");
    env.write(
        "calc.meta.json",
        serde_json::json!({"title": formula, "source": "@SUM(1+1)"}).to_string(),
    );
    env.index();
    let run = env
        .run(&["search", "--format", "csv", "--", "-smuggling debt"])
        .ok();
    let Some(rows) = python_csv(&run.stdout) else {
        eprintln!("skipped the CSV parse: python3 is absent");
        return;
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    let cell = |name: &str| {
        let i = rows[0].iter().position(|h| h == name).unwrap();
        rows[1][i].clone()
    };
    assert_eq!(cell("title"), format!("'{formula}"));
    assert_eq!(cell("source"), "'@SUM(1+1)");
    assert_eq!(cell("query"), "'-smuggling debt");
    for row in &rows {
        for c in row {
            assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{c:?}");
        }
    }
}

/// Rows of `csv` as Python's csv module reads them; None when python3 cannot run.
fn python_csv(csv: &str) -> Option<Vec<Vec<String>>> {
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(csv.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(())?;
    serde_json::from_slice(&out.stdout).ok()
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_followed_only_when_asked() {
    let env = Env::empty();
    env.write("inside.txt", "Labour inspection reports.");
    let outside = env.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.txt"),
        "Passwords of the labour inspectors.",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, env.data().join("out")).unwrap();
    std::os::unix::fs::symlink(".", env.data().join("loop")).unwrap();
    let run = env.run(&["index", "data"]);
    assert_eq!(run.code, 0, "a link loop is not a failure: {run:?}");
    assert!(
        run.stdout.contains("1  symbolic link loop"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1  symbolic link out of the indexed folders"),
        "{}",
        run.stdout
    );
    assert_eq!(file_names(&env.search_json(&["labour"])), ["inside.txt"]);
    env.run(&["index", "data", "--follow-symlinks"]).ok();
    let mut found = file_names(&env.search_json(&["labour"]));
    found.sort();
    assert_eq!(found, ["inside.txt", "secret.txt"]);
}

/// A DOCX of `sections` headed sections of 50 words: one passage each (passages never cross a
/// heading), so 300,000 of them would be 300,000 passages (180 MB of text) from a zip of about
/// 1.3 MB (Python's zipfile makes it 0.9 MB).
fn expanding_docx(sections: usize) -> Vec<u8> {
    let para = format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>"#,
        "Trafficking ".repeat(50).trim_end()
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#).unwrap();
    for _ in 0..sections {
        zip.write_all(para.as_bytes()).unwrap();
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// The note a file expanding past the text limit gets.
const TEXT_CUT: &str = "text cut at 8388608 bytes";

#[test]
fn a_docx_expanding_to_300k_passages_is_truncated_with_a_note() {
    let env = Env::empty();
    let bytes = expanding_docx(300_000);
    assert!(bytes.len() < 2 << 20, "{} bytes", bytes.len());
    std::fs::write(env.data().join("bomb.docx"), &bytes).unwrap();
    let run = env.run(&["index", "data"]).ok();
    let note = run
        .stdout
        .lines()
        .find(|l| l.contains("truncated") && l.contains("bomb.docx"))
        .unwrap_or_else(|| panic!("no truncation note:\n{}", run.stdout));
    assert!(note.contains(TEXT_CUT), "{note}");
    let json = env
        .run(&["show", "bomb.docx", "--format", "json"])
        .ok()
        .json();
    let passages = json["passages"].as_u64().unwrap();
    assert!((10_000..=20_000).contains(&passages), "{passages}");
    assert!(json["truncated"].as_str().unwrap().starts_with(TEXT_CUT));
    let show = env.run(&["show", "bomb.docx"]).ok();
    assert!(
        show.stdout.contains(&format!("truncated {TEXT_CUT}")),
        "{}",
        show.stdout
    );
}

#[cfg(target_os = "linux")]
#[test]
fn timed_out_and_expanding_docx_files_stay_bounded() {
    let env = Env::empty();
    let bytes = expanding_docx(300_000);
    for i in 0..6 {
        std::fs::write(env.data().join(format!("bomb{i}.docx")), &bytes).unwrap();
    }
    let run = crate::peak_rss::measured(&env.command(&["index", "data", "--timeout", "1"]));
    let (code, max_rss_kb, stdout) = (run.code, run.peak_kb, run.stdout);
    // Each file is either indexed in part with a note or given up on at the time limit
    // (exit 1); none runs on unbounded.
    let truncated = stdout.matches(TEXT_CUT).count();
    let failed: usize = stdout
        .split(" failed (")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    assert_eq!(truncated + failed, 6, "{stdout}");
    assert_eq!(code, if failed > 0 { 1 } else { 0 }, "{stdout}");
    eprintln!("peak RSS of `index --timeout 1` over 6 expanding DOCX: {max_rss_kb} KB");
    assert!(max_rss_kb < 500 * 1024, "{max_rss_kb} KB");
}
