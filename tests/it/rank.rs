//! Ranking on mixed collections: document length, learned acronyms, synonyms, words that match
//! nothing, and what is highlighted.

use serde_json::Value;

use crate::harness::*;

/// A paragraph about nothing the tests search for (about 230 words, more than a passage holds
/// beside another paragraph, so each paragraph is its own passage), varied by `i`.
fn filler(i: usize) -> String {
    let sentence = format!(
        "The municipal council reviewed budget lines for road maintenance, school meals and \
         library opening hours in district number {i}. Members compared the cost of resurfacing \
         with the previous year, asked for quotes from three contractors, and agreed to publish \
         the minutes on the public noticeboard before the next quarterly meeting of the planning \
         committee."
    );
    vec![sentence; 4].join(" ")
}

/// A paragraph wholly about debt bondage in brick kilns.
fn topical() -> String {
    "Families working in brick kilns are held in debt bondage: an advance taken for a wedding \
     or medical care grows faster than wages can repay it. Debt bondage in brick kilns passes \
     from parents to children."
        .to_string()
}

/// Every document ranked on its own: the generated reports share their filler paragraphs, so
/// without `--all-copies` some would be one reprint group.
fn ranked(env: &Env, query: &str) -> Vec<String> {
    env.hit_files(&[query, "--limit", "10", "--all-copies"])
}

#[test]
fn a_long_document_ranks_by_how_much_of_it_answers_the_query() {
    let env = Env::empty();
    // A one-passage entry wholly about the query (its title line makes its passage a little
    // longer, so by the best passage alone the reports below would outrank it).
    env.write("entry.txt", format!("Entry 7\n\n{}\n", topical()));
    // A long report with the same passage once, among unrelated ones.
    let mut one: Vec<String> = (0..30).map(filler).collect();
    one.insert(15, topical());
    env.write(
        "report_one.txt",
        format!("Report 12\n\n{}\n", one.join("\n\n")),
    );
    // A long report that returns to the query every other passage.
    let many: Vec<String> = (0..30)
        .map(|i| if i % 2 == 0 { filler(i) } else { topical() })
        .collect();
    env.write(
        "report_many.txt",
        format!("Report 31\n\n{}\n", many.join("\n\n")),
    );
    env.index();
    let files = ranked(&env, "debt bondage brick kilns");
    assert_eq!(
        files,
        ["report_many.txt", "entry.txt", "report_one.txt"],
        "the report about the query first, the entry above the report with one such passage"
    );
    // The passages shown keep their own scores, below the document's.
    for passages in ["1", "2"] {
        let json = env.search_json(&["debt bondage brick kilns", "--passages", passages]);
        for hit in json["hits"].as_array().unwrap() {
            let best = hit["passages"][0]["score"].as_f64().unwrap();
            assert!(best < hit["score"].as_f64().unwrap(), "{hit}");
        }
    }
}

#[test]
fn a_document_that_writes_a_query_word_another_way_ranks_by_how_much_it_says() {
    let env = Env::empty();
    // An entry wholly about the query, naming the country as its texts do, never "DPRK".
    let pad = " They are paid late, live in crowded dormitories near the sites, and cannot leave \
               before their contracts end, according to interviews gathered over several years \
               by researchers and journalists working in the region.";
    let entry: Vec<String> = [
        "North Korea sends workers abroad to logging camps.",
        "Workers abroad from North Korea have their wages taken by the state.",
        "North Korea keeps minders with its workers abroad, who hold their passports.",
        "The state of North Korea earns foreign currency from workers abroad.",
    ]
    .iter()
    .map(|p| format!("{p}{pad}"))
    .collect();
    env.write("entry.txt", format!("Entry 4\n\n{}\n", entry.join("\n\n")));
    // A long report with one passage that repeats the query as typed, acronym and all: by
    // the best passage alone it comes first.
    let mut report: Vec<String> = (0..30).map(filler).collect();
    report.insert(
        12,
        "DPRK workers abroad: the delegation heard that DPRK workers abroad were discussed, and \
         that DPRK workers abroad may be many. The delegation asked how many DPRK workers abroad \
         there are, and the ministry said it would send the figures for DPRK workers abroad to \
         the council before the end of the year."
            .to_string(),
    );
    env.write(
        "report.txt",
        format!("Report 9\n\n{}\n", report.join("\n\n")),
    );
    env.index();
    // The document evidence counts "North Korea" for "DPRK", as the passage ranking does.
    assert_eq!(
        ranked(&env, "DPRK workers abroad"),
        ["entry.txt", "report.txt"],
        "the entry about North Korean workers abroad above the report's one passage"
    );
}

#[test]
fn an_acronym_defined_once_is_found_from_its_long_form_and_listed() {
    let env = Env::empty();
    env.write(
        "defines.txt",
        "Calls to the National Human Trafficking Hotline (NHTH) rose in spring.\n",
    );
    env.write(
        "uses.txt",
        "Farm workers reached the NHTH after their passports were taken.\n",
    );
    env.write(
        "spells_out.txt",
        "Posters in bus stations listed the national human trafficking hotline number.\n",
    );
    env.write(
        "other.txt",
        "A survey of shelters for survivors of forced labour.\n",
    );
    env.index();
    // Typed word by word, the long form also finds the document that only uses the acronym.
    let files = ranked(&env, "national human trafficking hotline");
    assert!(files.contains(&"uses.txt".to_string()), "{files:?}");
    // And the acronym finds the document that only spells it out.
    let files = ranked(&env, "NHTH");
    assert!(files.contains(&"spells_out.txt".to_string()), "{files:?}");
    assert!(!files.contains(&"other.txt".to_string()), "{files:?}");
    // The status lists what was learned.
    let status = env.run(&["status", "--acronyms"]).ok().stdout;
    assert!(
        status.contains("NHTH") && status.contains("National Human Trafficking Hotline"),
        "{status}"
    );
    // Learned pairs follow the documents: once the definition is gone, so is the pair.
    std::fs::remove_file(env.data().join("defines.txt")).unwrap();
    env.index();
    let json = env.run(&["status", "--format", "json"]).ok().json();
    assert_eq!(json["acronyms"], Value::Array(Vec::new()), "{json}");
    assert!(!ranked(&env, "NHTH").contains(&"spells_out.txt".to_string()));
}

#[test]
fn a_hyphenated_word_also_finds_its_parts_apart() {
    let env = Env::empty();
    env.write(
        "compound.txt",
        "Officers were trained in trauma-informed interviews with survivors.\n",
    );
    env.write(
        "apart.txt",
        "Interviews were informed by what survivors said about trauma.\n",
    );
    env.write("neither.txt", "Interviews of survivors.\n");
    env.index();
    // The compound as typed first, then the document with both parts apart, then the one
    // with only the other query word; the parts apart are marked where they matched.
    assert_eq!(
        ranked(&env, "trauma-informed interviews"),
        ["compound.txt", "apart.txt", "neither.txt"]
    );
    let json = env.search_json(&["trauma-informed interviews", "--all-copies"]);
    let apart = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"].as_str().unwrap().ends_with("apart.txt"))
        .unwrap();
    assert_eq!(
        hit_marks(apart),
        ["Interviews", "informed", "trauma"],
        "{apart}"
    );
}

#[test]
fn a_function_word_typed_among_others_does_not_match_titles() {
    let env = Env::empty();
    // Titles rarely hold "of" or "the", so scored as title words they would outweigh the
    // query's real word: the entry that says "fisheries" twice must win. Every body says "of
    // the", as real text does.
    env.write(
        "republic.txt",
        "Republic of the Isles\n\nMinutes of the fisheries ministry.\n",
    );
    env.write(
        "note.txt",
        "Annual Note\n\nMinutes of the fisheries ministry and the fisheries unions.\n",
    );
    for i in 0..3 {
        env.write(
            &format!("other{i}.txt"),
            format!("Memo {i}\n\nMinutes of the road works committee.\n"),
        );
    }
    env.index();
    assert_eq!(
        &ranked(&env, "workers of the fisheries")[..2],
        ["note.txt", "republic.txt"]
    );
    // Asked for in the title itself, a function word still matches there.
    assert_eq!(env.hit_files(&["title:the"]), ["republic.txt"]);
}

#[test]
fn a_lone_stop_word_is_not_highlighted() {
    let env = Env::empty();
    let text = "Victims in shelters spoke of trafficking in persons along the coast.";
    env.write("note.txt", format!("{text}\n"));
    env.index();
    let json = env.search_json(&["trafficking in persons"]);
    let passage = &json["hits"][0]["passages"][0];
    let shown = passage["text"].as_str().unwrap();
    let marks: Vec<&str> = passage["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &shown[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize])
        .collect();
    // The "in" of "trafficking in persons" is marked with the long form it belongs to; the one
    // of "Victims in shelters" is not.
    assert_eq!(marks, ["trafficking in persons"], "{passage}");
    // Typed on its own among other words, "in" marks only where it joins two marked words:
    // here "Victims" and "coast" are marked, neither "in".
    let json = env.search_json(&["victims in coast"]);
    let h = &json["hits"][0]["passages"][0]["highlights"];
    let starts: Vec<u64> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, [0, 62], "{json}");
}

#[test]
fn synonyms_apply_at_query_time_and_unmatched_words_are_said() {
    let env = Env::empty();
    env.write(
        "gulf.txt",
        "Migrant workers tied to one employer by the sponsorship system could not change jobs.\n",
    );
    env.write(
        "other.txt",
        "A survey of shelters for survivors of forced labour.\n",
    );
    env.index();
    // Nothing says kafala: the output says so, with the nearest indexed word.
    let run = env.run(&["search", "kafala shelters"]).ok();
    assert!(run.stdout.contains("kafala: no document"), "{}", run.stdout);
    let json = env.search_json(&["kafala"]);
    assert_eq!(json["unmatched"][0]["word"], "kafala", "{json}");
    let json = env.search_json(&["shelterz"]);
    assert_eq!(json["unmatched"][0]["did_you_mean"], "shelter", "{json}");
    // A synonym is applied from the next search on, without re-indexing.
    env.run(&["synonyms", "add", "kafala", "sponsorship system"])
        .ok();
    assert_eq!(ranked(&env, "kafala"), ["gulf.txt"]);
    let list = env.run(&["synonyms", "list"]).ok().stdout;
    assert_eq!(list.trim(), "kafala = sponsorship system");
    env.run(&["synonyms", "remove", "kafala"]).ok();
    assert!(ranked(&env, "kafala").is_empty());
    assert_ne!(env.run(&["synonyms", "remove", "kafala"]).code, 0);
}

#[test]
fn expansion_lifts_a_document_that_speaks_of_the_topic_in_other_words() {
    let env = Env::empty();
    // The documents that answer "debt bondage" best all speak of kilns, advances and wages.
    for i in 0..5 {
        env.write(
            &format!("kiln_{i}.txt"),
            format!("Kiln report {i}\n\n{}\n", topical()),
        );
    }
    // One mentions debt bondage once, then keeps to kilns, advances and wages in other words.
    let kilns = "Brick kilns recruit whole families with an advance against wages; the advance \
                 grows with interest while wages stay low, so families cannot leave the kilns.";
    env.write(
        "other_words.txt",
        format!(
            "Field notes\n\nSome workers described debt bondage.\n\n{}\n",
            [kilns; 3].join("\n\n")
        ),
    );
    // Another names debt bondage twice, about something else.
    env.write(
        "off_topic.txt",
        "Book review\n\nThe novel calls marriage a debt bondage of manners; debt bondage of \
         the heart is its refrain.\n",
    );
    // Unrelated documents, so the topic's words are rare in the collection.
    for i in 0..20 {
        env.write(
            &format!("council_{i}.txt"),
            format!("Minutes {i}\n\n{}\n", filler(i)),
        );
    }
    env.index();
    let plain = ranked(&env, "debt bondage");
    let expanded = env.hit_files(&["debt bondage", "--limit", "10", "--all-copies", "--expand"]);
    let at = |files: &[String], name: &str| files.iter().position(|f| f == name).unwrap();
    assert!(
        at(&plain, "off_topic.txt") < at(&plain, "other_words.txt"),
        "without expansion the words typed decide: {plain:?}"
    );
    assert!(
        at(&expanded, "other_words.txt") < at(&expanded, "off_topic.txt"),
        "with expansion the document about the topic rises: {expanded:?}"
    );
    // The same documents either way: expansion reorders, never adds.
    let mut a = plain.clone();
    let mut b = expanded.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}
