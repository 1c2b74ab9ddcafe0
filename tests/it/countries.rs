//! Countries from the text: `--country` by code, name or demonym, the `country` facet, and
//! `show` listing each country with its passages.

use crate::harness::*;

fn env_with_three() -> Env {
    let env = Env::empty();
    env.write(
        "nepal.txt",
        "Nepal is a source country for forced labour. Recruiters in Nepal charge high fees.\n",
    );
    env.write(
        "qatar.txt",
        "Qatar is a destination for migrant workers; Nepali and Filipino men face forced labour \
         in construction in Qatar.\n",
    );
    env.write(
        "brazil.txt",
        "Brazil prosecuted forced labour on cattle ranches and in charcoal production.\n",
    );
    env.index();
    env
}

#[test]
fn a_code_a_name_and_a_demonym_filter_the_same_documents() {
    let env = env_with_three();
    for country in ["NP", "npl", "Nepal", "Nepali", "Nepalese"] {
        let mut files = env.hit_files(&["forced labour", "--country", country]);
        files.sort();
        assert_eq!(files, ["nepal.txt", "qatar.txt"], "--country {country}");
    }
    assert_eq!(
        env.hit_files(&["forced labour", "--country", "Brazil"]),
        ["brazil.txt"]
    );
    let run = env.run(&["search", "forced labour", "--country", "Atlantis"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--country"), "{}", run.stderr);
}

#[test]
fn countries_are_counted_as_a_facet_and_listed_by_show() {
    let env = env_with_three();
    let json = env
        .run(&["facets", "--field", "country", "--format", "json"])
        .ok()
        .json();
    let count = |code: &str| facet_count(&json, "country", code);
    assert_eq!(count("NP"), Some(2), "{json}");
    assert_eq!(count("QA"), Some(1), "{json}");
    assert_eq!(count("PH"), Some(1), "{json}");
    assert_eq!(count("BR"), Some(1), "{json}");

    let search = env.search_json(&["forced labour", "--facets", "country"]);
    assert_eq!(search["facets"]["country"][0]["value"], "NP", "{search}");

    let hit = env.search_json(&["charcoal"]);
    let id = hit["hits"][0]["id"].as_str().unwrap().to_string();
    let qatar = env.search_json(&["destination"]);
    let qatar_id = qatar["hits"][0]["id"].as_str().unwrap().to_string();
    let show = env
        .run(&["show", &qatar_id, "--format", "json"])
        .ok()
        .json();
    let countries = show["countries"].as_array().unwrap();
    assert_eq!(countries[0]["code"], "QA");
    assert_eq!(countries[0]["name"], "Qatar");
    assert_eq!(countries[0]["count"], 2);
    assert_eq!(countries[0]["passages"][0], 0);
    let text = env.run(&["show", &qatar_id]).ok().stdout;
    assert!(text.contains("Qatar (QA) 2×, passage 1"), "{text}");
    assert!(text.contains("Nepal (NP) 1×"), "{text}");
    let brazil = env.run(&["show", &id, "--format", "json"]).ok().json();
    assert_eq!(brazil["countries"][0]["code"], "BR");
}

/// The highlighted words of each hit, by file name.
fn marks_by_file(json: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let path = hit["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            let marks = hit_marks(hit);
            (name, marks)
        })
        .collect()
}

#[test]
fn a_country_named_one_way_in_a_query_finds_its_other_names_as_one_word() {
    let env = Env::empty();
    env.write(
        "from-nepal.txt",
        "Migrants from Nepal paid recruitment fees to agents.\n",
    );
    env.write(
        "nepali.txt",
        "Nepali migrants paid recruitment fees to agents.\n",
    );
    env.write(
        "korea.txt",
        "Workers from North Korea are sent abroad; Korea, North is listed in Tier 3.\n",
    );
    env.write(
        "dprk.txt",
        "The DPRK sends workers abroad under state contracts.\n",
    );
    env.write("burma.txt", "Fishermen from Burma were held on boats.\n");
    env.write(
        "myanmar.txt",
        "Fishermen from Myanmar were held on boats.\n",
    );
    env.write("uae.txt", "Domestic workers in the UAE lack protection.\n");
    env.write(
        "emirates.txt",
        "Domestic workers in the United Arab Emirates lack protection.\n",
    );
    env.write(
        "plain.txt",
        "Migrants paid recruitment fees to agents in the capital.\n",
    );
    env.index();

    let mut files = env.hit_files(&["Nepali migrants"]);
    assert_eq!(files.len(), 3, "{files:?}");
    // Both documents naming Nepal rank above the one that only says "migrants", and one query
    // word counts once: neither Nepal document outranks the other by matching two wordings.
    files.truncate(2);
    files.sort();
    assert_eq!(files, ["from-nepal.txt", "nepali.txt"]);
    let marks = marks_by_file(&env.search_json(&["Nepali migrants"]));
    let nepal = marks.iter().find(|(f, _)| f == "from-nepal.txt").unwrap();
    assert!(nepal.1.contains(&"Nepal".to_string()), "{marks:?}");

    for (query, expected) in [
        ("DPRK", ["dprk.txt", "korea.txt"]),
        ("North Korea", ["dprk.txt", "korea.txt"]),
        ("\"North Korea\"", ["dprk.txt", "korea.txt"]),
        ("Burma", ["burma.txt", "myanmar.txt"]),
        ("Myanmar", ["burma.txt", "myanmar.txt"]),
        ("UAE", ["emirates.txt", "uae.txt"]),
        ("United Arab Emirates", ["emirates.txt", "uae.txt"]),
    ] {
        let mut files = env.hit_files(&[query]);
        files.sort();
        assert_eq!(files, expected, "{query}");
    }
    let marks = marks_by_file(&env.search_json(&["DPRK"]));
    let korea = marks.iter().find(|(f, _)| f == "korea.txt").unwrap();
    assert!(korea.1.contains(&"North Korea".to_string()), "{marks:?}");
}

#[test]
fn the_wording_typed_ranks_above_the_same_country_written_otherwise() {
    // Same words, same length; one says what the user typed, the other the country's other
    // form. Both are found, and the typed wording is the stronger evidence.
    let env = Env::empty();
    env.write("typed.txt", "Nepali fishermen were held on boats at sea.\n");
    env.write("other.txt", "Nepal fishermen were held on boats at sea.\n");
    env.index();
    assert_eq!(
        env.hit_files(&["Nepali fishermen"]),
        ["typed.txt", "other.txt"]
    );
    assert_eq!(
        env.hit_files(&["Nepal fishermen"]),
        ["other.txt", "typed.txt"]
    );
}
