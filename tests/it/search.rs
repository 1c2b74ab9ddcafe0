//! Ranking, highlights, filters, facets and output formats.

use std::collections::BTreeMap;

use serde_json::Value;
use tipdex::output::json::SearchJson;

use crate::harness::*;

#[test]
fn glo_act_ranks_seed_003_first_and_highlights_the_dotted_word() {
    let env = Env::with_seeds();
    env.index();
    let json = env.search_json(&["GLO.ACT"]);
    assert_eq!(file_names(&json), [S003]);
    let p = &json["hits"][0]["passages"][0];
    let text = p["text"].as_str().unwrap();
    let marks: Vec<&str> = p["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &text[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize])
        .collect();
    assert!(marks.contains(&"GLO.ACT"), "{marks:?}");
    // The programme's long name is the same thing, written out.
    let long = "Global Action against Trafficking in Persons and the Smuggling of Migrants";
    assert!(
        marks.iter().all(|m| *m == "GLO.ACT" || *m == long),
        "{marks:?}"
    );
    assert_eq!(env.hit_files(&["GLOACT"]), [S003]);
    assert_eq!(env.hit_files(&["glo-act"]), [S003]);
}

#[test]
fn year_2019_returns_only_seed_003() {
    let env = Env::with_seeds();
    env.index();
    assert_eq!(env.hit_files(&["trafficking", "--year", "2019"]), [S003]);
    assert_eq!(env.hit_files(&["trafficking year:2019"]), [S003]);
}

#[test]
fn year_ranges_and_dates_use_overlap_and_exclude_undated() {
    let env = Env::with_seeds();
    env.index();
    let mut files = env.hit_files(&["trafficking", "--year", "2015..2020"]);
    files.sort();
    assert_eq!(files, [S000, S003]);
    // 2025-06 is a month: it overlaps June 2025 but not May.
    assert_eq!(
        env.hit_files(&["trafficking", "--from", "2025-06-15"]),
        [S001]
    );
    assert!(env
        .hit_files(&["trafficking", "--from", "2025-07"])
        .is_empty());
    assert!(env
        .hit_files(&["trafficking", "--to", "2025-05-31", "--from", "2025-05"])
        .is_empty());
}

#[test]
fn filters_combine_and_within_or_across() {
    let env = Env::with_seeds();
    env.index();
    let mut both = env.hit_files(&[
        "trafficking",
        "--source",
        "unodc",
        "--source",
        "OpenDemocracy",
    ]);
    both.sort();
    assert_eq!(both, [S001, S003, S004]);
    assert_eq!(
        env.hit_files(&["trafficking", "--source", "UNODC", "--year", "2019"]),
        [S003]
    );
    assert!(env
        .hit_files(&["trafficking", "--source", "UNODC", "--year", "2025"])
        .is_empty());
    assert_eq!(env.hit_files(&["trafficking", "--tag", "europe"]), [S000]);
    assert_eq!(
        env.search_json(&["trafficking", "--lang", "English"])["total_documents"],
        5
    );
    assert_eq!(
        env.search_json(&["trafficking", "--lang", "fr"])["total_documents"],
        0
    );
}

#[test]
fn stemming_case_and_accents() {
    let env = Env::with_seeds();
    env.index();
    // "trafficked" is only in 001's body; the query form differs.
    let json = env.search_json(&["TRAFFICKED repatriated"]);
    assert_eq!(file_names(&json)[0], S001);
    let json = env.search_json(&["euridice marquez"]);
    assert_eq!(file_names(&json), [S003]);
    let p = &json["hits"][0]["passages"][0];
    let text = p["text"].as_str().unwrap();
    let h = &p["highlights"][0];
    assert_eq!(
        &text[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize],
        "Eurídice"
    );
}

#[test]
fn phrases_exclusion_prefix_and_or() {
    let env = Env::with_seeds();
    env.index();
    let with = env.hit_files(&["\"smuggling of migrants\""]);
    assert!(
        with.contains(&S003.to_string()) && with.contains(&S004.to_string()),
        "{with:?}"
    );
    let without = env.hit_files(&["\"smuggling of migrants\" -GLO.ACT"]);
    assert!(
        !without.contains(&S003.to_string()) && without.contains(&S004.to_string()),
        "{without:?}"
    );
    // A prefix reaches terms whose stem is shorter than the typed prefix.
    assert!(!env.hit_files(&["Kangaspun*"]).is_empty());
    assert_eq!(env.hit_files(&["Kangaspunta OR repatriated"]).len(), 2);
    // The author from a by-line finds the document, in general or with author:.
    assert_eq!(env.hit_files(&["Nygard"]), [S000]);
    assert_eq!(env.hit_files(&["author:vera"]), [S000]);
    assert!(env.hit_files(&["author:Kangaspunta"]).is_empty());
    // Unbalanced quotes and stray colons never error.
    env.run(&["search", "\"victim", "identification:", ":"])
        .ok();
}

#[test]
fn all_terms_rank_above_some_terms() {
    let env = Env::with_seeds();
    env.index();
    // Only 003 has both; 004 has "ICAT" many times but not "Chatzis".
    let json = env.search_json(&["ICAT Chatzis"]);
    assert_eq!(file_names(&json)[0], S003);
}

#[test]
fn json_parses_back_into_the_wire_types_with_valid_ranges() {
    let env = Env::with_seeds();
    env.index();
    let out = env
        .run(&[
            "search",
            "victims of trafficking",
            "--format",
            "json",
            "--passages",
            "3",
        ])
        .ok();
    let parsed: SearchJson = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed.query, "victims of trafficking");
    assert_eq!(parsed.total_documents, 5);
    assert!(parsed.hits.windows(2).all(|w| w[0].score >= w[1].score));
    for (i, hit) in parsed.hits.iter().enumerate() {
        assert_eq!(hit.rank, i + 1);
        assert_eq!(hit.id.len(), 16);
        assert!(!hit.passages.is_empty() && hit.passages.len() <= 3);
        assert!(hit.passages.windows(2).all(|w| w[0].score >= w[1].score));
        for p in &hit.passages {
            assert!(
                p.start < p.end && p.end - p.start == p.text.len(),
                "offsets match the text length"
            );
            assert!(!p.highlights.is_empty());
            for h in &p.highlights {
                assert!(p.text.is_char_boundary(h.start) && p.text.is_char_boundary(h.end));
                let word = p.text[h.start..h.end].to_lowercase();
                assert!(
                    word.starts_with("victim") || word.starts_with("traffick") || word == "of",
                    "unexpected highlight {word:?}"
                );
            }
        }
    }
}

#[test]
fn passage_offsets_point_into_the_document_text() {
    let env = Env::with_seeds();
    env.index();
    let json = env.search_json(&["GLO.ACT", "--passages", "10"]);
    let passages = json["hits"][0]["passages"].as_array().unwrap();
    // Passages never overlap and come from increasing offsets when sorted by ordinal.
    let mut spans: Vec<(u64, u64, u64)> = passages
        .iter()
        .map(|p| {
            (
                p["ordinal"].as_u64().unwrap(),
                p["start"].as_u64().unwrap(),
                p["end"].as_u64().unwrap(),
            )
        })
        .collect();
    spans.sort();
    assert!(spans.windows(2).all(|w| w[0].2 <= w[1].1), "{spans:?}");
}

#[test]
fn facets_count_documents_not_passages() {
    let env = Env::with_seeds();
    env.index();
    let json = env
        .run(&["facets", "--field", "source", "--format", "json"])
        .ok()
        .json();
    assert_eq!(facet_count(&json, "source", "UNODC"), Some(2));
    assert_eq!(facet_count(&json, "source", "OpenDemocracy"), Some(1));
    let source = json["facets"]["source"].as_array().unwrap();
    assert_eq!(
        source.iter().find(|e| e["value"].is_null()).unwrap()["documents"],
        2
    );
    // Restricted to a query: only documents with a matching passage count.
    let json = env
        .run(&["facets", "GLO.ACT", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json["total_documents"], 1);
    assert_eq!(json["facets"]["year"][0]["value"], "2019");
    assert_eq!(json["facets"]["year"][0]["documents"], 1);
    let text = env.run(&["facets", "--field", "year"]).ok().stdout;
    assert!(
        text.contains("2019") && text.contains("(unknown)"),
        "{text}"
    );
}

#[test]
fn terminal_output_plain_when_piped_coloured_when_asked() {
    let env = Env::with_seeds();
    env.index();
    let plain = env.run(&["search", "GLO.ACT"]).ok().stdout;
    assert!(!plain.contains('\x1b'), "no escape codes when piped");
    assert!(
        plain.contains("EU and UNODC discuss trafficking in persons and the smuggling of migrants")
    );
    assert!(
        plain.contains("2019-02-21 · UNODC · data/003_bd84540aa3d9ccf3.txt"),
        "{plain}"
    );
    let coloured = env
        .run(&["--color", "always", "search", "GLO.ACT"])
        .ok()
        .stdout;
    assert!(coloured.contains("\x1b[1;31mGLO.ACT\x1b[0m"), "{coloured}");
    let none = env
        .command(&["--color", "auto", "search", "GLO.ACT"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&none.stdout).contains('\x1b'));
}

#[test]
fn limit_and_passages_are_respected() {
    let env = Env::with_seeds();
    env.index();
    let json = env.search_json(&["trafficking", "--limit", "2", "--passages", "1"]);
    assert_eq!(json["hits"].as_array().unwrap().len(), 2);
    assert_eq!(json["total_documents"], 5);
    assert!(json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["passages"].as_array().unwrap().len() == 1));
}

#[test]
fn first_search_builds_the_index_from_data() {
    let env = Env::with_seeds();
    let out = env.run(&["search", "trafficking in persons"]).ok();
    assert!(
        out.stderr.contains("indexing data/ first"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains(" 1. "), "{}", out.stdout);
    assert!(env.index_dir().join("meta.json").is_file());
    // The second search does not index again.
    let again = env.run(&["search", "trafficking in persons"]).ok();
    assert!(again.stderr.is_empty(), "{}", again.stderr);
}

#[test]
fn default_index_left_by_another_version_is_rebuilt_a_named_one_is_not_touched() {
    let env = Env::with_seeds();
    // An index with another layout, as an older tipdex would leave it: its commit payload says
    // it is tipdex's (a payload-less index of unknown fields is another program's, refused).
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("body", tantivy::schema::TEXT);
    std::fs::create_dir_all(env.index_dir()).unwrap();
    let old = tantivy::Index::create_in_dir(env.index_dir(), schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = old.writer_with_num_threads(1, 20_000_000).unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload(r#"{"schema_version":1,"roots":[],"last_indexed":1}"#);
    commit.commit().unwrap();
    drop(writer);

    // Named explicitly: the user's index; an error with the fix, nothing rebuilt.
    let named = env.run(&["search", "GLO.ACT", "--index", "index"]);
    assert_eq!(named.code, 1, "{named:?}");
    assert!(
        named
            .stderr
            .contains("rebuild it with `tipdex index --full PATH --index index`"),
        "{}",
        named.stderr
    );
    // The default index is tipdex's cache of data/: rebuilt, then searched.
    let out = env.run(&["search", "GLO.ACT"]).ok();
    assert!(
        out.stderr
            .contains("index/ was built by another tipdex version; rebuilding it from data/"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("GLO.ACT"), "{}", out.stdout);
    let again = env.run(&["search", "GLO.ACT"]).ok();
    assert!(again.stderr.is_empty(), "{}", again.stderr);
}

#[test]
fn status_reports_counts_and_roots() {
    let env = Env::with_seeds();
    env.index();
    let json = env.run(&["status", "--format", "json"]).ok().json();
    assert_eq!(json["documents"], 5);
    assert!(json["passages"].as_u64().unwrap() >= 5);
    assert!(json["size_bytes"].as_u64().unwrap() > 0);
    assert!(json["roots"][0].as_str().unwrap().ends_with("data"));
    assert!(json["last_indexed"].as_i64().unwrap() > 1_700_000_000);
    let text = env.run(&["status"]).ok().stdout;
    assert!(text.contains("documents     5"), "{text}");
}

#[test]
fn spelling_variants_and_acronyms_match_both_ways() {
    let env = Env::empty();
    env.write(
        "us.txt",
        "Forced labor on fishing vessels\n\nThe program criminalized organized recruitment.",
    );
    env.write(
        "uk.txt",
        "Forced labour in agriculture\n\nThe programme criminalised organised recruitment.",
    );
    env.write(
        "tip.txt",
        "Annual TIP report\n\nThe TIP report ranks governments.",
    );
    env.write(
        "long.txt",
        "Trafficking in persons report\n\nThe report on trafficking in persons ranks governments.",
    );
    env.index();
    let both = |q: &str| {
        let mut f = env.hit_files(&[q]);
        f.sort();
        f
    };
    for q in [
        "\"forced labour\"",
        "\"forced labor\"",
        "programme",
        "program",
        "\"organised recruitment\"",
        "criminalized",
    ] {
        assert_eq!(both(q), ["uk.txt", "us.txt"], "{q}");
    }
    for q in ["TIP", "\"trafficking in persons\""] {
        assert_eq!(both(q), ["long.txt", "tip.txt"], "{q}");
    }
    // The acronym highlights the written-out form too.
    let json = env.search_json(&["TIP", "--passages", "1"]);
    let hit = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"].as_str().unwrap().ends_with("long.txt"))
        .unwrap();
    let p = &hit["passages"][0];
    let text = p["text"].as_str().unwrap();
    let h = &p["highlights"][0];
    assert_eq!(
        &text[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize],
        "Trafficking in persons"
    );
    // Typographic quotes fold.
    assert_eq!(both("“forced labour”"), ["uk.txt", "us.txt"]);
}

#[test]
fn batch_search_writes_one_result_set_per_query() {
    let env = Env::with_seeds();
    env.index();
    std::fs::write(
        env.path().join("queries.txt"),
        "# recruitment phrases\nGLO.ACT\n{\"id\": \"q-eu\", \"text\": \"\\\"smuggling of migrants\\\"\"}\nterm\tNygard\n",
    )
    .unwrap();
    let ndjson = env
        .run(&["search", "--batch", "queries.txt", "--format", "ndjson"])
        .ok()
        .stdout;
    let sets: Vec<SearchJson> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<_> = sets.iter().map(|s| s.query_id.clone().unwrap()).collect();
    assert_eq!(ids, ["2", "q-eu", "4"]);
    assert!(sets[0].hits[0].path.ends_with(S003));
    assert_eq!(sets[1].query, "\"smuggling of migrants\"");
    assert!(sets[2].hits[0].path.ends_with(S000));

    let csv = env
        .run(&[
            "search",
            "--batch",
            "queries.txt",
            "--format",
            "csv",
            "--limit",
            "1",
        ])
        .ok()
        .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "query_id,query,rank,id,path,title,date,source,score,page,passage,copies,original,\
         countries,org,instrument,exploitation,total_documents,total_distinct"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("2,GLO.ACT,1,"), "{}", lines[1]);
    assert!(
        lines[2].starts_with("q-eu,\"\"\"smuggling of migrants\"\"\",1,"),
        "{}",
        lines[2]
    );

    let json = env
        .run(&["search", "--batch", "queries.txt", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json.as_array().unwrap().len(), 3);

    let bad = env.run(&["search", "--batch", "missing.txt"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("cannot read missing.txt"),
        "{}",
        bad.stderr
    );
    let usage = env.run(&["search"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn plain_queries_ignore_operators() {
    let env = Env::with_seeds();
    env.index();
    // As syntax, -GLO.ACT would exclude seed 003; as plain words it is one of the words.
    let plain = env.hit_files(&["smuggling -GLO.ACT", "--plain"]);
    assert_eq!(plain[0], S003);
    let syntax = env.hit_files(&["smuggling -GLO.ACT"]);
    assert!(!syntax.contains(&S003.to_string()));
}

#[test]
fn query_facets_agree_with_the_result_list_on_a_many_segment_index() {
    let env = Env::empty();
    let sources = ["UNODC", "ILO", "IOM"];
    let sentence = |i: usize| {
        format!(
            "Paragraph {i} on labour inspection and the referral of victims to shelters, with \
             notes on recruitment agencies, debt and wages withheld by employers in the sector. "
        )
    };
    for i in 0..45 {
        // Several passages per document; every third one mentions fishing, in a late passage.
        let mut body: String = (0..12).map(sentence).collect();
        if i % 3 == 0 {
            body.push_str("Forced labour on fishing vessels was reported by the crew.");
        }
        if i % 6 == 0 {
            body.push_str(" The trawler was seized.");
        }
        let year = 2015 + i % 4;
        env.write(
            &format!("{}/doc{i:02}.txt", sources[i % 3]),
            format!("Report {i}\n{year}-03-0{}\n\n{body}", 1 + i % 9),
        );
    }
    // Small commits: many segments, so a document's passages can be split across them.
    env.run(&["index", "data", "--commit-every", "2"]).ok();
    // The documents repeat one template, so they are reprints of each other: each on its own.
    let hits = env.search_json(&["fishing", "--limit", "100", "--all-copies"]);
    let hits = hits["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 15);
    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
    for h in hits {
        *by_source
            .entry(h["source"].as_str().unwrap().into())
            .or_default() += 1;
        *by_year
            .entry(h["date"].as_str().unwrap()[..4].into())
            .or_default() += 1;
    }
    let facets = env
        .run(&["facets", "fishing", "--format", "json"])
        .ok()
        .json();
    assert_eq!(facets["total_documents"], 15);
    let table =
        |dim: &str| -> BTreeMap<String, u64> { facet_table(&facets, dim).into_iter().collect() };
    assert_eq!(table("source"), by_source);
    assert_eq!(table("year"), by_year);
    // The same counts come with the results when asked for, from the same pass.
    let with_results = env.search_json(&["fishing", "--facets", "--all-copies"]);
    assert_eq!(with_results["facets"], facets["facets"]);
    assert_eq!(with_results["hits"].as_array().unwrap().len(), 10);
    let text = env
        .run(&["search", "fishing", "--facets", "source"])
        .ok()
        .stdout;
    assert!(text.contains("source: UNODC 15"), "{text}");
    assert!(!text.contains("year:"), "{text}");
    // Filters and exclusions narrow the counts the same way they narrow the results.
    let narrowed = |args: &[&str]| {
        let mut all = vec!["facets"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let counted = env.run(&all).ok().json()["total_documents"].clone();
        all[0] = "search";
        all.extend_from_slice(&["--limit", "100", "--all-copies"]);
        let listed = env.run(&all).ok().json()["hits"].as_array().unwrap().len();
        (counted, listed)
    };
    let (counted, listed) = narrowed(&["fishing", "--year", "2015"]);
    assert_eq!((counted, listed), (Value::from(4), 4));
    let (counted, listed) = narrowed(&["fishing -trawler"]);
    assert_eq!((counted, listed), (Value::from(7), 7));
}

/// Paragraphs of filler long enough that each becomes its own passage.
fn filler(seed: usize) -> String {
    let words = [
        "report", "annual", "review", "council", "member", "states", "support", "regional",
        "office", "training", "partners", "national", "capacity", "meeting", "budget",
    ];
    (0..140)
        .map(|i| words[(seed * 5 + i * 7) % words.len()])
        .collect::<Vec<_>>()
        .join(" ")
        + "."
}

#[test]
fn required_words_are_required_of_the_document_not_of_one_passage() {
    let env = Env::empty();
    // "fishing" opens the report and "debt" closes it, passages apart.
    env.write(
        "data/apart.txt",
        format!(
            "Fishing vessels were inspected.\n\n{}\n\n{}\n\n{}\n\nDebt bondage was reported.",
            filler(1),
            filler(2),
            filler(3)
        ),
    );
    env.write(
        "data/together.txt",
        format!("Fishing crews held in debt bondage.\n\n{}", filler(4)),
    );
    env.write(
        "data/fishing_only.txt",
        format!("Fishing vessels and their crews.\n\n{}", filler(5)),
    );
    env.index();

    for query in ["+fishing +debt", "fishing AND debt"] {
        let json = env.search_json(&[query, "--passages", "2"]);
        assert_eq!(json["total_documents"], 2, "{query}: {json}");
        // Both words in one passage rank above words passages apart.
        assert_eq!(file_names(&json), ["together.txt", "apart.txt"], "{query}");
        // The document whose words are apart shows a passage for each word.
        let apart = &json["hits"][1];
        let marked: Vec<String> = hit_marks(apart).iter().map(|m| m.to_lowercase()).collect();
        assert!(
            marked.contains(&"fishing".to_string()) && marked.contains(&"debt".to_string()),
            "{query}: {marked:?}"
        );
    }
    // Optional words only rank: every document with "debt", and only those.
    let mut files = env.hit_files(&["vessels +debt"]);
    files.sort();
    assert_eq!(files, ["apart.txt", "together.txt"]);
    // A required word no document has leaves nothing, however common the others.
    assert!(env.hit_files(&["fishing +seafood"]).is_empty());
    // Facet counts, alone or beside the results, count the same documents.
    let facets = env
        .run(&["facets", "+fishing +debt", "--format", "json"])
        .ok()
        .json();
    assert_eq!(facets["total_documents"], 2, "{facets}");
    let with = env.search_json(&["+fishing +debt", "--facets", "source"]);
    assert_eq!(with["facets"]["source"][0]["documents"], 2, "{with}");
    // Exclusions and filters hold for required words too: "crews" is only in together.txt, and
    // no document is dated.
    assert_eq!(env.hit_files(&["+fishing +debt -crews"]), ["apart.txt"]);
    assert!(env
        .hit_files(&["+fishing +debt", "--year", "2020"])
        .is_empty());
    let facets = env
        .run(&["facets", "+fishing +debt -crews", "--format", "json"])
        .ok()
        .json();
    assert_eq!(facets["total_documents"], 1, "{facets}");
    // More required groups than a pass can track is a usage error, said plainly.
    let many: Vec<String> = (0..65).map(|i| format!("+w{i}")).collect();
    let run = env.run(&["search", &many.join(" ")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("at most 64 words or phrases can be required"),
        "{}",
        run.stderr
    );
}

#[test]
fn expansion_reorders_the_same_documents_and_highlights_only_typed_words() {
    let env = Env::with_seeds();
    env.index();
    let plain = env.search_json(&["trafficking", "--limit", "50"]);
    let expanded = env.search_json(&["trafficking", "--limit", "50", "--expand"]);
    // The same matches: expansion never adds a document, so counts stay the query's.
    assert_eq!(plain["total_documents"], expanded["total_documents"]);
    assert_eq!(plain["total_passages"], expanded["total_passages"]);
    let mut a = file_names(&plain);
    let mut b = file_names(&expanded);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // Scores changed (words were added), and every highlight is a form of the typed word.
    assert_ne!(plain["hits"][0]["score"], expanded["hits"][0]["score"]);
    for hit in expanded["hits"].as_array().unwrap() {
        for p in hit["passages"].as_array().unwrap() {
            let text = p["text"].as_str().unwrap();
            for h in p["highlights"].as_array().unwrap() {
                let (s, e) = (
                    h["start"].as_u64().unwrap() as usize,
                    h["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    text[s..e].to_lowercase().starts_with("traffick"),
                    "{}",
                    &text[s..e]
                );
            }
        }
    }
}
