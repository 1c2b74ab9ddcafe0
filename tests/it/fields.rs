//! Lists without query words (filters only, newest first) and the fields sidecars declare.

use serde_json::Value;

use crate::harness::{file_names, Env};

/// Distinct prose for document `n`, so no two documents read as reprints of each other.
fn prose(n: usize) -> String {
    const WORDS: [&str; 24] = [
        "recruitment",
        "debt",
        "brokers",
        "harbour",
        "fishing",
        "vessels",
        "garment",
        "factory",
        "domestic",
        "workers",
        "passports",
        "withheld",
        "wages",
        "shelter",
        "prosecutors",
        "convicted",
        "hotline",
        "referral",
        "migrants",
        "border",
        "orphanage",
        "volunteers",
        "construction",
        "contracts",
    ];
    (0..60)
        .map(|i| WORDS[(i * (n + 3) + n * 7 + i * i) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
        + &format!(" Case note {n}.")
}

/// A file with a sidecar declaring `source`, and `date` when given.
fn write_doc(env: &Env, name: &str, n: usize, source: &str, date: Option<&str>, extra: &str) {
    env.write(name, prose(n));
    let date = date
        .map(|d| format!(r#""date": "{d}", "#))
        .unwrap_or_default();
    let stem = name.trim_end_matches(".txt");
    env.write(
        &format!("{stem}.meta.json"),
        format!(r#"{{{date}"source": "{source}", "title": "Note {n}"{extra}}}"#),
    );
}

/// Seven UNODC documents (two sharing a day, two undated) and one from ILO.
fn dated_corpus() -> Env {
    let env = Env::empty();
    write_doc(&env, "b-year.txt", 1, "UNODC", Some("2024"), "");
    write_doc(&env, "a-day.txt", 2, "UNODC", Some("2024-03-01"), "");
    write_doc(&env, "c-eve.txt", 3, "UNODC", Some("2023-12-31"), "");
    write_doc(&env, "z-same.txt", 4, "UNODC", Some("2022-05-05"), "");
    write_doc(&env, "m-same.txt", 5, "UNODC", Some("2022-05-05"), "");
    write_doc(&env, "y-undated.txt", 6, "UNODC", None, "");
    write_doc(&env, "k-undated.txt", 7, "UNODC", None, "");
    write_doc(&env, "ilo.txt", 8, "ILO", Some("2025-01-01"), "");
    env.index();
    env
}

#[test]
fn filters_alone_list_documents_newest_first_undated_last_then_by_path() {
    let env = dated_corpus();
    let json = env.search_json(&["--source", "UNODC", "-n", "20"]);
    assert_eq!(
        file_names(&json),
        [
            "a-day.txt",
            "b-year.txt",
            "c-eve.txt",
            "m-same.txt",
            "z-same.txt",
            "k-undated.txt",
            "y-undated.txt"
        ]
    );
    assert_eq!(json["total_documents"], 7);
    assert_eq!(json["query"], "");
    // A page that ends inside a run of one date takes that run's first paths.
    assert_eq!(
        env.hit_files(&["--source", "UNODC", "-n", "4"]),
        ["a-day.txt", "b-year.txt", "c-eve.txt", "m-same.txt"]
    );
    assert_eq!(
        env.hit_files(&["--source", "UNODC", "--year", "2022..2024", "-n", "2"]),
        ["a-day.txt", "b-year.txt"]
    );
}

#[test]
fn a_filter_only_list_in_csv_and_json_with_facet_counts() {
    let env = dated_corpus();
    let csv = env
        .run(&["search", "--year", "2024..2025", "--format", "csv"])
        .ok()
        .stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("query_id,query,rank,id,path"), "{csv}");
    let paths: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(4).unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(paths, ["ilo.txt", "a-day.txt", "b-year.txt"], "{csv}");

    let json = env.search_json(&["--year", "2024..2025", "--facets", "source"]);
    let sources = json["facets"]["source"].as_array().unwrap();
    let count = |v: &str| {
        sources
            .iter()
            .find(|e| e["value"] == v)
            .map(|e| e["documents"].clone())
    };
    assert_eq!(count("UNODC"), Some(Value::from(2)));
    assert_eq!(count("ILO"), Some(Value::from(1)));
    // Facets alone list everything, with the counts.
    let json = env.search_json(&["--facets", "year", "-n", "1"]);
    assert_eq!(json["total_documents"], 8);
    assert_eq!(file_names(&json), ["ilo.txt"]);
}

#[test]
fn no_query_and_no_filter_is_a_usage_error_saying_what_to_type() {
    let env = dated_corpus();
    let run = env.run(&["search"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for needle in [
        "nothing to search for",
        "tipdex search --source UNODC",
        "--tag",
    ] {
        assert!(run.stderr.contains(needle), "{}", run.stderr);
    }
    let run = env.run(&["search", " "]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_saved_search_of_filters_alone_reports_the_new_documents_they_admit() {
    let env = dated_corpus();
    env.run(&["watch", "add", "unodc", "--source", "UNODC"])
        .ok();
    let run = env.run(&["watch", "add", "everything"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing to search for"),
        "{}",
        run.stderr
    );
    write_doc(&env, "new-unodc.txt", 9, "UNODC", Some("2020"), "");
    write_doc(&env, "new-ilo.txt", 10, "ILO", Some("2020"), "");
    env.index();
    let json = env
        .run(&["watch", "report", "unodc", "--format", "json"])
        .ok()
        .json();
    assert_eq!(file_names(&json[0]), ["new-unodc.txt"], "{json}");
}
