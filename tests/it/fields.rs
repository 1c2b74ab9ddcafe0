//! Lists without query words (filters only, newest first) and the fields sidecars declare.

use serde_json::Value;

use crate::harness::{facet_count, facet_table, file_names, Env};

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
    assert_eq!(facet_count(&json, "source", "UNODC"), Some(2));
    assert_eq!(facet_count(&json, "source", "ILO"), Some(1));
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

/// Cases declaring fields in sidecars (numbers as strings and as numbers, odd key spellings,
/// a list) and one Markdown file declaring them in front matter.
fn cases_corpus() -> Env {
    let env = Env::empty();
    let case = |name: &str, n: usize, fields: &str| {
        write_doc(&env, name, n, "Court records", Some("2020"), fields)
    };
    case(
        "tx1.txt",
        1,
        r#", "state": "TX", "minors": "2", "Case Number": "A-1""#,
    );
    case(
        "tx2.txt",
        2,
        r#", "STATE": "tx", "minors": 0, "charges": ["labor", "sex"]"#,
    );
    case(
        "ca1.txt",
        3,
        r#", "state": "CA", "minors": 2.0, "case-number": "B-2""#,
    );
    case(
        "ca2.txt",
        4,
        r#", "state": "CA", "minors": "5", "charges": ["labor"]"#,
    );
    case("ny1.txt", 5, r#", "state": "NY", "minors": "unknown""#);
    env.write(
        "fl1.md",
        format!(
            "---\ntitle: Florida case\nstate: FL\nminors: 7\n---\n\n{}\n",
            prose(6)
        ),
    );
    env.index();
    env
}

fn hit_set(env: &Env, args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-n", "50"]);
    let mut files = env.hit_files(&all);
    files.sort();
    files
}

#[test]
fn own_fields_are_shown_and_filtered_with_values_and_numeric_ranges() {
    let env = cases_corpus();
    // Keys and values match case-insensitively; several values of one key: any.
    assert_eq!(
        hit_set(&env, &["--field", "State=TX"]),
        ["tx1.txt", "tx2.txt"]
    );
    assert_eq!(
        hit_set(&env, &["--field", "state=TX", "--field", "state=fl"]),
        ["fl1.md", "tx1.txt", "tx2.txt"]
    );
    // Different keys: all. Numbers compare as numbers (2 and 2.0, "5" and 7).
    assert_eq!(
        hit_set(&env, &["--field", "state=CA", "--field", "minors>=2"]),
        ["ca1.txt", "ca2.txt"]
    );
    assert_eq!(
        hit_set(&env, &["--field", "minors=2"]),
        ["ca1.txt", "tx1.txt"]
    );
    assert_eq!(
        hit_set(&env, &["--field", "minors=2..5"]),
        ["ca1.txt", "ca2.txt", "tx1.txt"]
    );
    assert_eq!(hit_set(&env, &["--field", "minors>5"]), ["fl1.md"]);
    assert_eq!(hit_set(&env, &["--field", "minors<2"]), ["tx2.txt"]);
    // A key written three ways is one key; a list's values are each a value.
    assert_eq!(hit_set(&env, &["--field", "case_number=b-2"]), ["ca1.txt"]);
    assert_eq!(
        hit_set(&env, &["--field", "charges=labor"]),
        ["ca2.txt", "tx2.txt"]
    );
    // With query words too (every text ends with "Case note N.").
    assert_eq!(
        hit_set(&env, &["note", "--field", "state=CA"]),
        ["ca1.txt", "ca2.txt"]
    );

    // Shown by `show` and in JSON hits, values as declared.
    let json = env.search_json(&["--field", "state=NY"]);
    let hit = &json["hits"][0];
    assert_eq!(hit["fields"]["state"], serde_json::json!(["NY"]));
    assert_eq!(hit["fields"]["minors"], serde_json::json!(["unknown"]));
    assert_eq!(json["filters"]["field"], serde_json::json!(["state=NY"]));
    let id = hit["id"].as_str().unwrap();
    let shown = env.run(&["show", id, "--format", "json"]).ok().json();
    assert_eq!(
        shown["metadata"]["fields"]["state"]["value"],
        serde_json::json!(["NY"])
    );
    let text = env.run(&["show", id]).ok().stdout;
    assert!(text.contains("state") && text.contains("NY"), "{text}");
    let csv = env
        .run(&["search", "--field", "charges=labor", "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn own_fields_are_counted_as_facets_and_listed_by_facets() {
    let env = cases_corpus();
    let json = env.search_json(&[
        "--source",
        "Court records",
        "--facets",
        "field:state,fields",
    ]);
    let table = |name: &str| facet_table(&json, name);
    // The declared values, one document counted once however many of its values a key has.
    assert_eq!(
        table("field:state"),
        [
            ("CA".into(), 2),
            ("NY".into(), 1),
            ("TX".into(), 1),
            ("tx".into(), 1)
        ]
    );
    let fields = table("fields");
    assert!(fields.contains(&("state".into(), 5)), "{fields:?}");
    assert!(fields.contains(&("charges".into(), 2)), "{fields:?}");
    assert!(fields.contains(&("case_number".into(), 2)), "{fields:?}");

    let all = env.run(&["facets", "--format", "json"]).ok().json();
    assert!(all["facets"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["value"] == "minors" && v["documents"] == 6));
    // `tipdex facets --field`: a name counts, a filter filters.
    let counted = env
        .run(&[
            "facets",
            "--field",
            "field:minors",
            "--field",
            "minors>=2",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(counted["total_documents"], 4);
    let text = env.run(&["facets", "--field", "field:charges"]).ok().stdout;
    assert!(
        text.contains("field:charges") && text.contains("labor"),
        "{text}"
    );
}

#[test]
fn bad_field_syntax_is_a_usage_error_naming_the_expected_form() {
    let env = cases_corpus();
    for (args, needle) in [
        (vec!["search", "--field", "state"], "KEY=VALUE"),
        (vec!["search", "--field", "minors>=many"], "not a number"),
        (
            vec!["search", "--field", "minors=5..2"],
            "did you mean minors=2..5",
        ),
        (vec!["search", "x", "--facets", "state"], "field:KEY"),
        (vec!["facets", "--field", "colour"], "field:KEY"),
    ] {
        let run = env.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_long_source_is_shown_short_and_found_by_either_form() {
    let env = Env::empty();
    let long = "Human Trafficking Data Institute (humantraffickingdata.org), via github.com/x/y";
    write_doc(&env, "case.txt", 1, long, Some("2011"), "");
    env.index();
    let text = env.run(&["search", "--year", "2011"]).ok().stdout;
    assert!(
        text.contains("Human Trafficking Data Institute ·") && !text.contains("via github"),
        "{text}"
    );
    let json = env.search_json(&[
        "--source",
        "Human Trafficking Data Institute",
        "--facets",
        "source",
    ]);
    assert_eq!(json["hits"][0]["source"], long);
    assert_eq!(json["facets"]["source"][0]["value"], long);
    assert_eq!(
        json["facets"]["source"][0]["label"],
        "Human Trafficking Data Institute"
    );
    assert_eq!(env.hit_files(&["--source", long]), ["case.txt"]);
}

#[test]
fn the_api_and_saved_searches_take_field_filters() {
    let env = cases_corpus();
    let served = crate::serve::Served::start(&env, &[]);
    let api = served
        .get("/api/search?field=state%3DCA&field=minors%3E%3D3&limit=20")
        .ok_json();
    assert_eq!(file_names(&api), ["ca2.txt"]);
    let facets = served
        .get("/api/facets?field=field:state&field=minors%3C3")
        .ok_json();
    assert_eq!(facets["total_documents"], 3);
    assert!(facets["facets"]["field:state"].is_array(), "{facets}");
    drop(served);

    env.run(&["watch", "add", "ca", "--field", "state=CA"]).ok();
    let listed = env.run(&["watch", "list", "--format", "json"]).ok().stdout;
    assert!(listed.contains("state=CA"), "{listed}");
    case_added(&env);
    let json = env
        .run(&["watch", "report", "ca", "--format", "json"])
        .ok()
        .json();
    assert_eq!(file_names(&json[0]), ["ca3.txt"], "{json}");
}

fn case_added(env: &Env) {
    write_doc(
        env,
        "ca3.txt",
        11,
        "Court records",
        Some("2021"),
        r#", "state": "CA""#,
    );
    write_doc(
        env,
        "nv1.txt",
        12,
        "Court records",
        Some("2021"),
        r#", "state": "NV""#,
    );
    env.index();
}

/// The real HTDI folder: `--field state=TX` finds every case whose sidecar says TX, and a range
/// finds the cases the test counts itself.
#[test]
fn htdi_cases_filter_by_state_and_by_a_numeric_range() {
    let cases = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/htdi-federal-cases/cases"
    );
    let Ok(entries) = std::fs::read_dir(cases) else {
        eprintln!("skipped: {cases} is absent");
        return;
    };
    let (mut tx, mut minors_1_to_3) = (0, 0);
    for e in entries {
        let path = e.unwrap().path();
        if !path.to_string_lossy().ends_with(".meta.json") {
            continue;
        }
        let meta: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if meta["state"] == "TX" {
            tx += 1;
        }
        let minors = meta["minors"].as_str().and_then(|m| m.parse::<f64>().ok());
        if minors.is_some_and(|m| (1.0..=3.0).contains(&m)) {
            minors_1_to_3 += 1;
        }
    }
    assert!(tx > 0 && minors_1_to_3 > 0);
    let env = Env::empty();
    env.run(&["index", cases]).ok();
    let count = |field: &str| {
        env.search_json(&["--field", field, "-n", "0"])["total_documents"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("state=TX"), tx);
    assert_eq!(count("minors=1..3"), minors_1_to_3);
}

/// Counts say what they count: documents (every copy of a reprinted text) and distinct texts
/// (a reprint group once), both in JSON, text, CSV and the API.
#[test]
fn counts_of_documents_and_of_distinct_texts_are_both_given() {
    let env = Env::empty();
    // One text in three editions, and two other texts.
    write_doc(&env, "ed2019.txt", 1, "UNODC", Some("2019"), "");
    env.write("ed2020.txt", prose(1));
    env.write(
        "ed2020.meta.json",
        r#"{"source": "UNODC", "date": "2020", "title": "Note 1"}"#,
    );
    env.write("ed2021.txt", prose(1));
    env.write(
        "ed2021.meta.json",
        r#"{"source": "UNODC", "date": "2021", "title": "Note 1"}"#,
    );
    write_doc(&env, "other.txt", 2, "UNODC", Some("2021"), "");
    write_doc(&env, "ilo.txt", 3, "ILO", Some("2021"), "");
    env.index();

    let facets = env.run(&["facets", "--format", "json"]).ok().json();
    assert_eq!(facets["total_documents"], 5);
    assert_eq!(facets["total_distinct"], 3);
    let value = |dim: &str, v: &str| {
        facets["facets"][dim]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["value"] == v)
            .map(|e| {
                (
                    e["documents"].as_u64().unwrap(),
                    e["distinct"].as_u64().unwrap(),
                )
            })
    };
    assert_eq!(value("source", "UNODC"), Some((4, 2)));
    assert_eq!(value("source", "ILO"), Some((1, 1)));
    // The 2021 edition and two other texts: no repeat within the year.
    assert_eq!(value("year", "2021"), Some((3, 3)));
    let text = env.run(&["facets", "--field", "source"]).ok().stdout;
    assert!(
        text.contains("5 documents, 3 distinct texts") && text.contains("4 (2 texts)"),
        "{text}"
    );

    // A search counts the same way, with the facets from the same pass.
    let json = env.search_json(&["--source", "UNODC", "--facets", "source"]);
    assert_eq!(
        (
            json["total_documents"].as_u64(),
            json["total_distinct"].as_u64()
        ),
        (Some(4), Some(2))
    );
    assert_eq!(json["facets"]["source"][0]["distinct"], 2);
    let csv = env
        .run(&["search", "--source", "UNODC", "--format", "csv"])
        .ok()
        .stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert!(
        rows[0].ends_with(",total_documents,total_distinct"),
        "{csv}"
    );
    assert_eq!(rows.len(), 5, "every copy is a row in CSV: {csv}");
    assert!(rows[1..].iter().all(|r| r.ends_with(",4,2")), "{csv}");
    let text = env.run(&["search", "--source", "UNODC"]).ok().stdout;
    assert!(
        text.contains("2 of 2 distinct texts in 4 matching documents"),
        "{text}"
    );

    let served = crate::serve::Served::start(&env, &[]);
    let api = served.get("/api/facets?source=UNODC").ok_json();
    assert_eq!(
        (
            api["total_documents"].as_u64(),
            api["total_distinct"].as_u64()
        ),
        (Some(4), Some(2))
    );
}

/// Many documents sharing the page's last date (here all undated) are put in path order too
/// (their paths then come from one walk of the path terms rather than record by record).
#[test]
fn a_long_run_of_one_date_is_listed_by_path() {
    let env = Env::empty();
    // Written in an order that is neither path order nor key order.
    let mut names: Vec<String> = (0..80)
        .map(|i| format!("n{:02}.txt", (i * 37) % 80))
        .collect();
    for (n, name) in names.iter().enumerate() {
        write_doc(&env, name, 100 + n, "UNODC", None, "");
    }
    env.index();
    names.sort();
    assert_eq!(env.hit_files(&["--source", "UNODC", "-n", "5"]), names[..5]);
    assert_eq!(env.hit_files(&["--source", "UNODC", "-n", "80"]), names);
}
