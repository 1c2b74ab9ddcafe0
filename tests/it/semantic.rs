//! Semantic and hybrid search with the real model: meaning found without shared words,
//! incremental embedding, and a kill -9 while embedding.
//!
//! These tests need all-MiniLM-L6-v2 (`bash scripts/fetch_test_model.sh`, run by `.ci/run`);
//! without it they fail with that command.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::harness::{file_names, Env, Run};

fn model_dir() -> String {
    tipdex::semantic::model::test_model_dir()
        .0
        .to_string_lossy()
        .into_owned()
}

fn run(env: &Env, args: &[&str]) -> Run {
    let out = env
        .command(args)
        .env("TIPDEX_MODEL_DIR", model_dir())
        .output()
        .expect("run tipdex");
    super::harness::to_run(out)
}

fn search(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    run(env, &all).ok().json()
}

fn status(env: &Env) -> Value {
    run(env, &["status", "--format", "json"]).ok().json()
}

/// A small corpus on distinct subjects; `civil.txt` says "civil action" and "damages" where a
/// user may ask to "sue" for "compensation".
fn write_corpus(env: &Env) {
    env.write(
        "civil.txt",
        "Civil remedies\n\nAn individual who is a victim of a violation of this chapter may bring a civil action against the perpetrator in an appropriate district court of the United States and may recover damages and reasonable attorneys fees.",
    );
    env.write(
        "fishing.txt",
        "Forced labour at sea\n\nCrews on distant-water fishing vessels reported unpaid wages, confiscated passports and beatings by officers.",
    );
    env.write(
        "border.txt",
        "Border screening\n\nImmigration officers at airports received training on indicators of exploitation among arriving passengers.",
    );
    env.write(
        "shelter.txt",
        "Shelter services\n\nThe ministry funded three shelters offering housing, counselling and medical care for rescued persons.",
    );
    env.write(
        "data.txt",
        "Statistics\n\nThe annual report counts identified persons by age, sex and form of exploitation across the region.",
    );
}

#[test]
fn a_query_sharing_no_word_with_its_document_finds_it_in_hybrid_mode() {
    let env = Env::empty();
    write_corpus(&env);
    run(&env, &["index", "data", "--semantic"]).ok();
    // No word of this query is in any document, so only meaning can rank them.
    let query = "survivors suing to get compensation";
    let lexical = file_names(&search(&env, &[query, "--mode", "lexical"]));
    assert!(
        !lexical.contains(&"civil.txt".to_string()),
        "the words are not in the document, so lexical search cannot find it: {lexical:?}"
    );
    // Hybrid is the default once the index has embeddings.
    let hybrid = search(&env, &[query]);
    assert_eq!(file_names(&hybrid)[0], "civil.txt", "{hybrid}");
    let semantic = file_names(&search(&env, &[query, "--mode", "semantic"]));
    assert_eq!(semantic[0], "civil.txt");
    // Filters hold on the semantic side too.
    let filtered = search(&env, &[query, "--mode", "semantic", "--lang", "fr"]);
    assert!(file_names(&filtered).is_empty(), "{filtered}");
    // Typed words are still what is highlighted.
    let typed = search(&env, &["fishing wages", "--mode", "hybrid"]);
    let hit = &typed["hits"][0];
    assert_eq!(file_names(&typed)[0], "fishing.txt");
    let passage = &hit["passages"][0];
    let text = passage["text"].as_str().unwrap();
    let marked: Vec<&str> = passage["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &text[h["start"].as_u64().unwrap() as usize..h["end"].as_u64().unwrap() as usize])
        .collect();
    assert!(
        marked.contains(&"fishing") && marked.contains(&"wages"),
        "{marked:?}"
    );
}

/// The model reads an acronym the collection defines with its long form: "IDPs" means
/// little to a general English model, "internally displaced persons" a lot.
#[test]
fn the_model_reads_the_collections_acronyms_spelled_out() {
    let env = Env::empty();
    write_corpus(&env);
    env.write(
        "camps.txt",
        "Camps in the east\n\nCamps for internally displaced persons (IDPs) lack clean water, and recruiters promise jobs in the capital.",
    );
    env.write(
        "fled.txt",
        "Driven from home\n\nFamilies driven from their villages by the fighting now live in tents inside their own country, without papers or income.",
    );
    run(&env, &["index", "data", "--semantic"]).ok();
    let results = search(&env, &["IDPs -smuggling", "--mode", "semantic"]);
    assert_eq!(
        results["read_as"], "IDPs (internally displaced persons)",
        "exclusions are not read; the acronym is spelled out: {results}"
    );
    let results = search(&env, &["IDPs", "--mode", "semantic"]);
    let mut top: Vec<String> = file_names(&results).into_iter().take(2).collect();
    top.sort();
    assert_eq!(top, ["camps.txt", "fled.txt"], "{results}");
    // A query without acronyms is read as typed, and the output says nothing more.
    let plain = search(&env, &["displaced families", "--mode", "semantic"]);
    assert!(plain.get("read_as").is_none(), "{plain}");
    let text = run(&env, &["search", "IDPs", "--mode", "hybrid"]).ok();
    assert!(
        text.stdout
            .contains("meaning read as: IDPs (internally displaced persons)"),
        "{}",
        text.stdout
    );
}

/// A name the model has never seen means nothing to it, but the documents the name finds say
/// what it is about: hybrid search widens the query's meaning with them, so a document that
/// tells the same story without the name rises, and `--widen 0` turns that off.
#[test]
fn hybrid_search_widens_a_name_with_what_its_documents_say() {
    let env = Env::empty();
    write_corpus(&env);
    env.write(
        "tolvan.txt",
        "Prosecutions under the Tolvan Act\n\nThe defendant was convicted under the Tolvan Act for transporting women across state lines to work in prostitution.",
    );
    env.write(
        "drove.txt",
        "Truck stops\n\nHe drove two women across state lines from Ohio to Nevada to sell sex to drivers at truck stops.",
    );
    run(&env, &["index", "data", "--semantic"]).ok();
    let query = "Tolvan Act cases";
    let lexical = file_names(&search(&env, &[query, "--mode", "lexical"]));
    assert_eq!(lexical, ["tolvan.txt"], "only one document has the name");
    let widened = file_names(&search(&env, &[query, "--mode", "hybrid"]));
    let alone = file_names(&search(&env, &[query, "--mode", "hybrid", "--widen", "0"]));
    let place = |names: &[String]| names.iter().position(|n| n == "drove.txt").unwrap();
    assert_eq!(
        (widened[0].as_str(), alone[0].as_str()),
        ("tolvan.txt", "tolvan.txt")
    );
    assert!(
        place(&widened) + 2 <= place(&alone),
        "the story without the name rises when the name's document widens the query: \
         {widened:?} against {alone:?} without widening"
    );
}

/// A search opens the vectors without reading them whole, yet a chunk cut short stops a
/// hybrid search with the file's name and the command that mends it; `tipdex check` reads the
/// chunks whole and names it too; lexical search never reads them; `index --semantic` mends it.
#[test]
fn a_torn_vector_file_is_named_and_mended_by_embedding_again() {
    let env = Env::empty();
    write_corpus(&env);
    run(&env, &["index", "data", "--semantic"]).ok();
    assert!(run(&env, &["check"])
        .ok()
        .stdout
        .contains("no damage found"));
    let folder = env.index_dir().join("semantic");
    let chunk = first_file_ending(&folder, "vec").expect("a vector chunk");
    let name = chunk.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes[..bytes.len() - 500]).unwrap();

    let hybrid = run(&env, &["search", "survivors suing", "--mode", "hybrid"]);
    assert_ne!(hybrid.code, 0);
    assert!(
        hybrid.stderr.contains(&name) && hybrid.stderr.contains("tipdex index --semantic"),
        "{}",
        hybrid.stderr
    );
    let lexical = search(&env, &["fishing", "--mode", "lexical"]);
    assert_eq!(file_names(&lexical), vec!["fishing.txt"]);
    let check = run(&env, &["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains(&name) && check.stdout.contains("index --semantic"),
        "{}",
        check.stdout
    );

    run(&env, &["index", "data", "--semantic"]).ok();
    assert!(run(&env, &["check"])
        .ok()
        .stdout
        .contains("no damage found"));
    let mended = search(&env, &["survivors suing to get compensation"]);
    assert_eq!(file_names(&mended)[0], "civil.txt", "{mended}");
}

/// `index --semantic` sketches each chunk beside it; an altered sketch is named by
/// `tipdex check`, does not change what a search finds (every score is exact; a search does
/// not read the checksum), and the next embedding run makes it again.
#[test]
fn an_altered_sketch_is_named_by_check_and_made_again() {
    let env = Env::empty();
    write_corpus(&env);
    run(&env, &["index", "data", "--semantic"]).ok();
    let folder = env.index_dir().join("semantic");
    let sketch = first_file_ending(&folder, "sketch").expect("a sketch beside the chunk");
    let name = sketch.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(&sketch).unwrap();
    let mut altered = bytes.clone();
    let at = altered.len() - 12;
    altered[at] ^= 0xff;
    std::fs::write(&sketch, &altered).unwrap();

    let check = run(&env, &["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains(&name) && check.stdout.contains("index --semantic"),
        "{}",
        check.stdout
    );
    let found = search(&env, &["survivors suing to get compensation"]);
    assert_eq!(file_names(&found)[0], "civil.txt", "{found}");

    run(&env, &["index", "data", "--semantic"]).ok();
    assert_eq!(std::fs::read(&sketch).unwrap(), bytes);
    assert!(run(&env, &["check"])
        .ok()
        .stdout
        .contains("no damage found"));
}

#[test]
fn semantic_mode_without_embeddings_says_how_to_make_them() {
    let env = Env::empty();
    write_corpus(&env);
    run(&env, &["index", "data"]).ok();
    let r = run(&env, &["search", "sue", "--mode", "hybrid"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--semantic"), "{}", r.stderr);
}

fn embedded_line(stderr: &str) -> (u64, u64, u64) {
    // "tipdex: embedded P passages of D documents in … ; X documents' vectors dropped"
    let line = stderr
        .lines()
        .find(|l| l.contains("tipdex: embedded"))
        .unwrap_or_else(|| panic!("no embedding summary in:\n{stderr}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter_map(|w| w.parse().ok())
        .collect();
    let dropped = line
        .split("; ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    (numbers[0], numbers[1], dropped)
}

#[test]
fn incremental_embedding_touches_only_changed_passages() {
    let env = Env::empty();
    write_corpus(&env);
    let first = run(&env, &["index", "data", "--semantic"]).ok();
    let (passages, docs, dropped) = embedded_line(&first.stderr);
    assert_eq!((docs, dropped), (5, 0));
    assert_eq!(
        status(&env)["semantic"]["passages_embedded"].as_u64(),
        Some(passages)
    );
    // Nothing changed: nothing embedded.
    let again = run(&env, &["index"]).ok();
    assert_eq!(embedded_line(&again.stderr), (0, 0, 0));
    // One changed, one added, one removed: two documents embedded, two dropped.
    env.write(
        "shelter.txt",
        "Shelter services\n\nThe ministry closed two shelters; one remains for rescued persons.",
    );
    env.write(
        "hotline.txt",
        "Hotline\n\nA free telephone line answers calls in six languages day and night.",
    );
    std::fs::remove_file(env.data().join("data.txt")).unwrap();
    let third = run(&env, &["index"]).ok();
    let (passages, docs, dropped) = embedded_line(&third.stderr);
    assert_eq!((docs, dropped), (2, 2), "{}", third.stderr);
    assert_eq!(passages, 2);
    let s = status(&env);
    assert_eq!(s["semantic"]["documents_embedded"].as_u64(), Some(5), "{s}");
    assert_eq!(
        s["semantic"]["passages_embedded"].as_u64(),
        s["passages"].as_u64()
    );
    let hybrid = file_names(&search(&env, &["telephone help in many languages"]));
    assert_eq!(hybrid[0], "hotline.txt");
}

/// The "N unchanged passages' vectors reused" count of an embedding summary.
fn reused(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("tipdex: embedded"))
        .unwrap_or_else(|| panic!("no embedding summary in:\n{stderr}"));
    line.rsplit("; ")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no reuse count in {line}"))
}

/// Three paragraphs long enough to be three passages.
fn report_text(second: &str) -> String {
    let paragraph = |topic: &str| {
        format!("{topic} ").repeat(6)
            + &"Inspectors visited the sites, interviewed workers in their own language and wrote down what each of them said about wages, hours, documents and the conditions of their recruitment. ".repeat(4)
    };
    format!(
        "Annual report\n\n{}\n\n{}\n\n{}\n",
        paragraph("Farm labour."),
        paragraph(second),
        paragraph("Domestic work.")
    )
}

/// A change of a document's bytes that leaves its passages' text alone (as a new extraction
/// rule that does not touch it would) embeds nothing; editing one passage embeds that one.
#[test]
fn only_passages_whose_text_changed_are_embedded_again() {
    let env = Env::empty();
    env.write("report.txt", report_text("Construction sites."));
    let first = run(&env, &["index", "data", "--semantic"]).ok();
    let (passages, docs, _) = embedded_line(&first.stderr);
    assert_eq!(docs, 1);
    assert!(passages >= 3, "{}", first.stderr);
    // New bytes, same passages: the document is visited, no passage embedded.
    env.write("report.txt", report_text("Construction sites.") + "\n\n\n");
    let same = run(&env, &["index"]).ok();
    assert_eq!(embedded_line(&same.stderr), (0, 1, 1), "{}", same.stderr);
    assert_eq!(reused(&same.stderr), passages);
    // One paragraph edited: its passage only.
    env.write("report.txt", report_text("Fishing vessels at sea."));
    let edited = run(&env, &["index"]).ok();
    assert_eq!(
        embedded_line(&edited.stderr),
        (1, 1, 1),
        "{}",
        edited.stderr
    );
    assert_eq!(reused(&edited.stderr), passages - 1);
    let s = status(&env);
    assert_eq!(
        s["semantic"]["passages_embedded"].as_u64(),
        Some(passages),
        "{s}"
    );
    // The new passage's vector is its own: a query about it finds that passage first.
    let hit = &search(&env, &["boats fishing at sea", "--mode", "semantic"])["hits"][0];
    let text = hit["passages"][0]["text"].as_str().unwrap();
    assert!(text.contains("Fishing vessels"), "{text}");
}

/// Documents of the kill test: ~3 passages each, so embedding outlasts its first saved chunk
/// (saved after 10 s) by far.
const DOCS: u64 = 150;

fn chunks(index: &Path) -> usize {
    std::fs::read_dir(index.join("semantic"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with("chunk-") && n.ends_with(".vec")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn kill_during_embedding_leaves_a_lexical_index_and_the_next_run_resumes() {
    let env = Env::empty();
    // Enough passages that embedding lasts well past its first saved chunk.
    let words = [
        "labour",
        "border",
        "shelter",
        "court",
        "victim",
        "fishing",
        "factory",
        "recruiter",
        "passport",
        "wages",
        "debt",
        "migrant",
        "police",
        "prosecutor",
        "hotline",
        "survivor",
    ];
    for d in 0..DOCS {
        let mut text = format!("Report {d}\n\n");
        for p in 0..3 {
            for s in 0..12 {
                let w = |k: u64| words[((d * 7 + p * 5 + s * 3 + k) % words.len() as u64) as usize];
                text.push_str(&format!(
                    "Sentence {s} of part {p} in report {d} mentions the {} and the {} near the {}. ",
                    w(0),
                    w(1),
                    w(2)
                ));
            }
            text.push_str("\n\n");
        }
        env.write(&format!("r{d:03}.txt"), text);
    }
    let mut child = env
        .command(&["index", "data", "--semantic"])
        .env("TIPDEX_MODEL_DIR", model_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while chunks(&env.index_dir()) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first chunk: make the corpus larger"
        );
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no chunk after 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The lexical index is whole and answers; coverage is partial.
    let lexical = search(&env, &["report", "--mode", "lexical", "-n", "5"]);
    assert_eq!(lexical["total_documents"].as_u64(), Some(DOCS), "{lexical}");
    let s = status(&env);
    let documents = s["documents"].as_u64().unwrap();
    let embedded = s["semantic"]["documents_embedded"].as_u64().unwrap();
    assert_eq!(documents, DOCS);
    assert!(
        embedded > 0 && embedded < documents,
        "{embedded} of {documents}"
    );
    // Hybrid answers with what is embedded.
    search(&env, &["wages owed to fishermen"]);
    // The next run embeds only the rest.
    let resumed = run(&env, &["index"]).ok();
    let (_, docs, dropped) = embedded_line(&resumed.stderr);
    assert_eq!(
        (docs, dropped),
        (documents - embedded, 0),
        "{}",
        resumed.stderr
    );
    let s = status(&env);
    assert_eq!(
        s["semantic"]["documents_embedded"].as_u64(),
        Some(documents)
    );
    assert_eq!(
        s["semantic"]["passages_embedded"].as_u64(),
        s["passages"].as_u64()
    );
}

/// The first file of `folder` (in the order the directory lists them) named `*.ext`.
fn first_file_ending(folder: &std::path::Path, ext: &str) -> Option<std::path::PathBuf> {
    std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
}
