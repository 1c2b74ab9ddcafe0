//! The seed table from the core issue: each field's value and where it came from.

use serde_json::Value;

use crate::harness::*;

fn show(env: &Env, file: &str) -> Value {
    env.run(&["show", &format!("data/{file}"), "--format", "json"])
        .ok()
        .json()
}

fn value<'a>(doc: &'a Value, field: &str) -> &'a Value {
    &doc["metadata"][field]["value"]
}

#[test]
fn seed_000_day_date_author_and_tag() {
    let env = Env::with_seeds();
    env.index();
    let d = show(&env, S000);
    assert_eq!(value(&d, "date"), "2020-01-28");
    assert!(d["metadata"]["date"]["from"]
        .as_str()
        .unwrap()
        .starts_with("text"));
    assert_eq!(value(&d, "author"), "Vera Nygard");
    assert_eq!(value(&d, "tags"), &serde_json::json!(["Europe"]));
    assert!(
        d["metadata"]["source"].is_null(),
        "no source is known for 000: {d}"
    );
}

#[test]
fn seed_001_month_precision_source_title_url_license() {
    let env = Env::with_seeds();
    env.index();
    let d = show(&env, S001);
    assert_eq!(value(&d, "date"), "2025-06");
    assert_eq!(value(&d, "source"), "OpenDemocracy");
    assert_eq!(
        value(&d, "title"),
        "The UN’s missed chance to lead on anti-trafficking"
    );
    assert_eq!(
        value(&d, "url"),
        "https://www.opendemocracy.net/en/beyond-trafficking-and-slavery/united-nations-missed-chance-on-anti-trafficking/"
    );
    assert_eq!(value(&d, "license"), "CC BY-ND 4.0");
    // Month precision survives into search results too, not silently turned into 1 June.
    let hit = &env.search_json(&["missed chance", "--limit", "1"])["hits"][0];
    assert_eq!(hit["date"], "2025-06");
    assert_eq!(hit["date_precision"], "month");
}

#[test]
fn seed_002_has_no_date_but_a_title() {
    let env = Env::with_seeds();
    env.index();
    let d = show(&env, S002);
    assert!(
        d["metadata"]["date"].is_null(),
        "a year in the body is not the date: {d}"
    );
    assert_eq!(
        value(&d, "title"),
        "The Role of the United Nations and International Law in Combating Human Trafficking"
    );
}

#[test]
fn seed_003_source_from_sidecar_date_and_place_from_dateline() {
    let env = Env::with_seeds();
    env.index();
    let d = show(&env, S003);
    assert_eq!(value(&d, "date"), "2019-02-21");
    assert_eq!(value(&d, "source"), "UNODC");
    assert_eq!(
        d["metadata"]["source"]["from"],
        "sidecar 003_bd84540aa3d9ccf3.meta.json"
    );
    assert_eq!(
        value(&d, "title"),
        "EU and UNODC discuss trafficking in persons and the smuggling of migrants"
    );
    assert_eq!(value(&d, "place"), "Brussels, Belgium");
}

#[test]
fn seed_004_undated_source_from_contact_domain_and_no_boilerplate() {
    let env = Env::with_seeds();
    env.index();
    let d = show(&env, S004);
    assert!(
        d["metadata"]["date"].is_null(),
        "December 2012 in the body is not the date: {d}"
    );
    assert_eq!(value(&d, "source"), "UNODC");
    assert!(d["metadata"]["source"]["from"]
        .as_str()
        .unwrap()
        .contains("unodc.org"));
    // Nothing a search returns from 004 carries its navigation footer.
    let json = env.search_json(&["UNODC", "--limit", "10", "--passages", "100"]);
    let mut seen = 0;
    for hit in json["hits"].as_array().unwrap() {
        for p in hit["passages"].as_array().unwrap() {
            let text = p["text"].as_str().unwrap();
            seen += 1;
            for junk in ["Subscribe to", "Back to Top", "RSS Feed"] {
                assert!(!text.contains(junk), "{junk:?} in a passage: {text}");
            }
        }
    }
    assert!(seen > 5);
}

#[test]
fn show_text_names_the_rule_for_each_field() {
    let env = Env::with_seeds();
    env.index();
    let out = env.run(&["show", "003"]).ok().stdout;
    assert!(
        out.contains("source    UNODC  [sidecar 003_bd84540aa3d9ccf3.meta.json]"),
        "{out}"
    );
    assert!(
        out.contains("date      2019-02-21 (day)  [text: dateline 3]"),
        "{out}"
    );
    assert!(out.contains("author    unknown"), "{out}");
}

#[test]
fn no_boilerplate_in_any_passage() {
    let env = Env::with_seeds();
    env.index();
    for q in [
        "subscribe",
        "\"back to top\"",
        "gopher",
        "magical",
        "END",
        "\"originally published\"",
    ] {
        let json = env.search_json(&[q, "--passages", "100"]);
        for hit in json["hits"].as_array().unwrap() {
            for p in hit["passages"].as_array().unwrap() {
                let text = p["text"].as_str().unwrap();
                for junk in [
                    "[END]",
                    "Back to Top",
                    "Subscribe to",
                    "via Magical.Fish",
                    "gopher://",
                    ". . . .",
                ] {
                    assert!(
                        !text.contains(junk),
                        "{junk:?} leaked into a passage for {q}: {text}"
                    );
                }
            }
        }
    }
}

/// Sections split one per file share their heading chain; its words belong to each file's
/// context, so a word of the breadcrumb does not match every section.
#[test]
fn a_breadcrumb_heading_does_not_match_every_section() {
    let env = Env::empty();
    let chain = "# Title 18— CRIMES AND CRIMINAL PROCEDURE\n### CHAPTER 77— PEONAGE, SLAVERY, AND TRAFFICKING IN PERSONS\n";
    env.write(
        "s1581.md",
        format!("{chain}#### § 1581. Peonage; obstructing enforcement\n\nWhoever holds any person to a condition of peonage shall be fined.\n"),
    );
    env.write(
        "s1583.md",
        format!("{chain}#### § 1583. Enticement into slavery\n\nWhoever kidnaps any other person with the intent that such other person be sold into involuntary servitude, or held as a slave, shall be fined.\n"),
    );
    env.write(
        "s1592.md",
        format!("{chain}#### § 1592. Unlawful conduct with respect to documents\n\nWhoever knowingly destroys any actual or purported passport shall be fined.\n"),
    );
    env.index();
    assert_eq!(env.hit_files(&["peonage"]), ["s1581.md"]);
    assert_eq!(env.hit_files(&["criminal procedure"]), Vec::<String>::new());
    let d = show(&env, "s1592.md");
    assert_eq!(
        value(&d, "title"),
        "§ 1592. Unlawful conduct with respect to documents"
    );
    assert_eq!(
        value(&d, "context"),
        "Title 18— CRIMES AND CRIMINAL PROCEDURE › CHAPTER 77— PEONAGE, SLAVERY, AND TRAFFICKING IN PERSONS"
    );
    let hit = &env.search_json(&["passport"])["hits"][0];
    assert_eq!(
        hit["context"],
        "Title 18— CRIMES AND CRIMINAL PROCEDURE › CHAPTER 77— PEONAGE, SLAVERY, AND TRAFFICKING IN PERSONS"
    );
    let text = env
        .run(&["search", "passport", "--color", "never"])
        .ok()
        .stdout;
    assert!(
        text.contains("Title 18— CRIMES AND CRIMINAL PROCEDURE › CHAPTER 77"),
        "{text}"
    );
    let shown = env
        .run(&["show", "data/s1592.md", "--color", "never"])
        .ok()
        .stdout;
    assert!(shown.contains("context   Title 18— CRIMES"), "{shown}");
}

/// One organisation is one source: its short and long names are the same filter and one facet.
#[test]
fn short_and_long_names_of_an_organisation_are_one_source() {
    let env = Env::empty();
    env.write(
        "a.txt",
        "Forced labour in fishing\nCrews were held at sea.\n© 2021 United Nations Office on Drugs and Crime\n",
    );
    env.write(
        "b.txt",
        "Debt bondage in brick kilns\nFamilies owed the kiln owners.\n© 2022 UNODC. All rights reserved.\n",
    );
    env.index();
    for filter in ["UNODC", "United Nations Office on Drugs and Crime", "unodc"] {
        let mut files = env.hit_files(&["held OR owed", "--source", filter]);
        files.sort();
        assert_eq!(files, ["a.txt", "b.txt"], "--source {filter:?}");
    }
    let facets = env.run(&["facets", "--format", "json"]).ok().json();
    assert_eq!(
        facet_table(&facets, "source"),
        [("UNODC".to_string(), 2)],
        "{facets}"
    );
}
