//! Organisations, instruments and forms of exploitation from the text: `--org`,
//! `--instrument`, `--exploitation` by any of their names, their facets, and `show` listing
//! each with its passages.

use std::path::Path;

use crate::harness::*;

fn env_with_three() -> Env {
    let env = Env::empty();
    env.write(
        "unodc.txt",
        "UNODC assisted victims of forced labor in fishing. The Palermo Protocol obliges \
         states to protect them.\n",
    );
    env.write(
        "ilo.txt",
        "The International Labour Organisation counts debt bondage and bonded labour as \
         forced labour under ILO Convention No. 29.\n",
    );
    env.write(
        "case.txt",
        "The defendant was convicted under 18 U.S.C. § 1591(a) of sex trafficking of a minor.\n",
    );
    env.index();
    env
}

fn sorted(mut files: Vec<String>) -> Vec<String> {
    files.sort();
    files
}

#[test]
fn any_name_of_a_topic_filters_the_same_documents() {
    let env = env_with_three();
    for org in ["UNODC", "unodc", "United Nations Office on Drugs and Crime"] {
        assert_eq!(
            env.hit_files(&["victims", "--org", org]),
            ["unodc.txt"],
            "{org}"
        );
    }
    for form in ["forced labour", "Forced Labor", "labour trafficking"] {
        assert_eq!(
            sorted(env.hit_files(&["states counts victims", "--exploitation", form])),
            ["ilo.txt", "unodc.txt"],
            "{form}"
        );
    }
    for section in ["18 USC 1591", "§ 1591", "1591", "18 U.S.C. § 1591"] {
        assert_eq!(
            env.hit_files(&["defendant", "--instrument", section]),
            ["case.txt"],
            "{section}"
        );
    }
    // Kinds combine as AND: forced labour and ILO C29 only in one.
    assert_eq!(
        env.hit_files(&[
            "forced",
            "--exploitation",
            "forced labour",
            "--instrument",
            "C29"
        ]),
        ["ilo.txt"]
    );
    let run = env.run(&["search", "victims", "--org", "Atlantis Bureau"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--org"), "{}", run.stderr);
    // The filter is echoed by its one name.
    let json = env.search_json(&["victims", "--org", "unodc"]);
    assert_eq!(json["filters"]["org"][0], "UNODC", "{json}");
    // CSV gives each kind a column.
    let csv = env
        .run(&["search", "defendant", "--format", "csv"])
        .ok()
        .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains(",org,instrument,exploitation,"), "{csv}");
    assert!(
        lines[1].contains(",,18 U.S.C. § 1591,sexual exploitation,"),
        "{csv}"
    );
}

#[test]
fn topics_are_counted_as_facets_and_listed_by_show() {
    let env = env_with_three();
    let json = env
        .run(&[
            "facets",
            "--field",
            "exploitation",
            "--field",
            "instrument",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let count = |field: &str, value: &str| facet_count(&json, field, value);
    assert_eq!(count("exploitation", "forced labour"), Some(2), "{json}");
    assert_eq!(count("exploitation", "debt bondage"), Some(1), "{json}");
    assert_eq!(
        count("exploitation", "sexual exploitation"),
        Some(1),
        "{json}"
    );
    assert_eq!(count("instrument", "18 U.S.C. § 1591"), Some(1), "{json}");
    assert_eq!(count("instrument", "ILO C29"), Some(1), "{json}");

    let search = env.search_json(&["forced", "--facets", "org"]);
    let orgs: Vec<String> = facet_table(&search, "org")
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert!(
        orgs.iter().any(|o| o == "ILO") && orgs.iter().any(|o| o == "UNODC"),
        "{search}"
    );

    let ilo = env.search_json(&["bondage"]);
    let id = ilo["hits"][0]["id"].as_str().unwrap().to_string();
    let show = env.run(&["show", &id, "--format", "json"]).ok().json();
    let topics = show["topics"].as_array().unwrap();
    let debt = topics
        .iter()
        .find(|t| t["value"] == "debt bondage")
        .unwrap_or_else(|| panic!("{show}"));
    assert_eq!(debt["kind"], "exploitation");
    assert_eq!(debt["count"], 2, "debt bondage and bonded labour: {show}");
    assert_eq!(debt["passages"][0], 0);
    let text = env.run(&["show", &id]).ok().stdout;
    assert!(text.contains("org       ILO 1×, passage 1"), "{text}");
    assert!(
        text.contains("exploitation debt bondage 2×, passage 1"),
        "{text}"
    );
}

#[test]
fn a_us_code_section_gets_its_instrument() {
    let src = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/uscode-trafficking/title-18-ch77"
    ));
    if !src.is_dir() {
        eprintln!("skipped: {} is absent", src.display());
        return;
    }
    let env = Env::empty();
    // § 1591 (sex trafficking of children) and § 1589 (forced labor), as published.
    for f in ["chunck-877.md", "chunck-875.md"] {
        let text = std::fs::read_to_string(src.join(f)).unwrap();
        env.write(f, &text);
    }
    env.index();
    let files = env.hit_files(&["whoever", "--instrument", "18 USC 1591"]);
    assert!(files.contains(&"chunck-877.md".to_string()), "{files:?}");
    let json = env
        .run(&["facets", "--field", "instrument", "--format", "json"])
        .ok()
        .json();
    assert!(
        facet_count(&json, "instrument", "18 U.S.C. § 1591").is_some(),
        "{json}"
    );
}
