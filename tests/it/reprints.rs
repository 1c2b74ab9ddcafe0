//! Reprints: documents with the same or nearly the same text are one hit, listed by
//! `duplicates`, and their groups follow files added, changed, removed and renamed.

use serde_json::Value;

use crate::harness::*;

/// A yearly entry: the same text each edition, with its year and (when `extra`) one more
/// sentence.
fn entry(country: &str, year: u32, extra: bool) -> String {
    let mut text = format!(
        "---\ntitle: {country} trafficking entry\ndate: {year}\n---\n\n\
         {country} is a source and destination country for men, women and children subjected to \
         forced labour and sex trafficking. Recruiters promise jobs in domestic service and \
         construction abroad and then confiscate passports and impose debts that workers cannot \
         repay. The government does not fully meet the minimum standards for the elimination \
         of trafficking but is making significant efforts to do so in {year}.\n"
    );
    if extra {
        text.push_str("Authorities opened a shelter for victims in the capital.\n");
    }
    text
}

/// A different country's entry from the same template: another story altogether.
fn other_entry(year: u32) -> String {
    format!(
        "---\ntitle: Qatar trafficking entry\ndate: {year}\n---\n\n\
         Qatar is a destination for migrant workers who arrive voluntarily from South and \
         Southeast Asia to work in construction and as domestic servants; some face conditions \
         of involuntary servitude such as withheld wages, passport retention and restricted \
         movement under the sponsorship system. The government does not fully meet the minimum \
         standards for the elimination of trafficking in {year}.\n"
    )
}

/// The groups `duplicates` lists, file names sorted within each.
fn groups(env: &Env) -> Vec<Vec<String>> {
    let json = env.run(&["duplicates", "--format", "json"]).ok().json();
    json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let mut names: Vec<String> = g["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| name(&d["path"]))
                .collect();
            names.sort();
            names
        })
        .collect()
}

fn name(path: &Value) -> String {
    path.as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn reprints_are_one_hit_listing_the_others_with_the_earliest() {
    let env = Env::empty();
    env.write("nepal-2010.md", entry("Nepal", 2010, false));
    env.write("nepal-2011.md", entry("Nepal", 2011, false));
    env.write("nepal-2012.md", entry("Nepal", 2012, true));
    env.write("qatar-2012.md", other_entry(2012));
    env.index();

    let json = env.search_json(&["passports construction", "--copies", "one"]);
    assert_eq!(json["total_documents"], 4);
    assert_eq!(json["total_distinct"], 2);
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{json:#}");
    let nepal = hits
        .iter()
        .find(|h| h["title"] == "Nepal trafficking entry")
        .unwrap();
    let mut copies: Vec<String> = nepal["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| name(&c["path"]))
        .collect();
    let copy_dates: Vec<&str> = nepal["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["date"].as_str().unwrap())
        .collect();
    assert!(
        copy_dates.windows(2).all(|w| w[0] <= w[1]),
        "{copy_dates:?}"
    );
    copies.push(name(&nepal["path"]));
    copies.sort();
    assert_eq!(copies, ["nepal-2010.md", "nepal-2011.md", "nepal-2012.md"]);
    let original = nepal["original"].as_str().unwrap();
    let show = env.run(&["show", original, "--format", "json"]).ok().json();
    assert!(show["path"].as_str().unwrap().ends_with("nepal-2010.md"));
    let qatar = hits
        .iter()
        .find(|h| h["title"] == "Qatar trafficking entry");
    assert!(qatar.unwrap().get("copies").is_none());

    let all = env.search_json(&["passports construction", "--all-copies"]);
    assert_eq!(all["hits"].as_array().unwrap().len(), 4);
    // Scripts count and cite documents: JSON lists every copy unless asked for one per text,
    // and each copy still names the group's original.
    let default_json = env.search_json(&["passports construction"]);
    let default_hits = default_json["hits"].as_array().unwrap();
    assert_eq!(default_hits.len(), 4, "{default_json:#}");
    let originals: std::collections::BTreeSet<&str> = default_hits
        .iter()
        .filter(|h| h["title"] == "Nepal trafficking entry")
        .map(|h| h["original"].as_str().unwrap())
        .collect();
    assert_eq!(originals.len(), 1, "{default_json:#}");
    assert!(env
        .run(&[
            "search",
            "passports construction",
            "--copies",
            "one",
            "--all-copies"
        ])
        .stderr
        .contains("--copies"));

    let text = env.run(&["search", "passports construction"]).ok().stdout;
    assert!(text.contains("also in 2 documents"), "{text}");
    assert!(
        text.contains("(2010) earliest") || text.contains("this one is the earliest"),
        "{text}"
    );
    assert!(
        text.contains("2 distinct texts in 4 matching documents"),
        "{text}"
    );

    let csv = env
        .run(&[
            "search",
            "passports construction",
            "--format",
            "csv",
            "--copies",
            "one",
        ])
        .ok()
        .stdout;
    let nepal_row = csv.lines().find(|l| l.contains("Nepal")).unwrap();
    // Its own path, then the two copies in one `; `-separated cell.
    assert_eq!(nepal_row.matches("data/nepal-").count(), 3, "{csv}");
    assert_eq!(nepal_row.matches(".md; data/nepal-").count(), 1, "{csv}");

    assert_eq!(
        groups(&env),
        [["nepal-2010.md", "nepal-2011.md", "nepal-2012.md"]]
    );
}

#[test]
fn groups_follow_added_changed_removed_and_renamed_files() {
    let env = Env::empty();
    env.write("a.md", entry("Nepal", 2010, false));
    env.write("b.md", other_entry(2010));
    env.index();
    assert!(groups(&env).is_empty());

    // Added: a reprint of a.md joins it.
    env.write("c.md", entry("Nepal", 2011, true));
    env.index();
    assert_eq!(groups(&env), [["a.md", "c.md"]]);

    // Changed: b.md becomes a reprint too; then c.md becomes something else.
    env.write("b.md", entry("Nepal", 2012, false));
    env.index();
    assert_eq!(groups(&env), [["a.md", "b.md", "c.md"]]);
    env.write("c.md", other_entry(2011));
    env.index();
    assert_eq!(groups(&env), [["a.md", "b.md"]]);

    // Renamed: the group follows the file to its new name.
    std::fs::rename(env.data().join("b.md"), env.data().join("renamed.md")).unwrap();
    let run = env.index();
    assert!(run.stdout.contains("1 moved"), "{}", run.stdout);
    assert_eq!(groups(&env), [["a.md", "renamed.md"]]);

    // Removed: a group of one is no group.
    std::fs::remove_file(env.data().join("a.md")).unwrap();
    env.index();
    assert!(groups(&env).is_empty());
    let text = env.run(&["duplicates"]).ok().stdout;
    assert!(text.contains("0 groups of reprints"), "{text}");
}

#[test]
fn incremental_runs_keep_subject_guarded_groups_right() {
    let env = Env::empty();
    env.write("a.md", entry("Nepal", 2010, false));
    env.write("c.md", entry("Nepal", 2011, false));
    env.index();
    assert_eq!(groups(&env), [["a.md", "c.md"]]);

    // Changed so that its subject country changes: the text is still the same template word
    // for word but one, yet c.md leaves Nepal's group, since texts about different countries
    // are never compared.
    env.write("c.md", entry("Bhutan", 2011, false));
    env.index();
    assert!(groups(&env).is_empty(), "{:?}", groups(&env));

    // Added: a reprint of each entry joins its own country's group.
    env.write("d.md", entry("Bhutan", 2012, true));
    env.write("f.md", entry("Nepal", 2013, true));
    env.index();
    let sorted = |env: &Env| {
        let mut g = groups(env);
        g.sort();
        g
    };
    assert_eq!(sorted(&env), [["a.md", "f.md"], ["c.md", "d.md"]]);

    // Renamed: the copy keeps its group under its new name.
    std::fs::rename(env.data().join("d.md"), env.data().join("e.md")).unwrap();
    let run = env.index();
    assert!(run.stdout.contains("1 moved"), "{}", run.stdout);
    assert_eq!(sorted(&env), [["a.md", "f.md"], ["c.md", "e.md"]]);

    // Changed back to Nepal: c.md leaves Bhutan's group for Nepal's.
    env.write("c.md", entry("Nepal", 2011, false));
    env.index();
    assert_eq!(groups(&env), [["a.md", "c.md", "f.md"]]);

    // Removed: Bhutan's last copy alone is no group; Nepal's group loses one member.
    std::fs::remove_file(env.data().join("f.md")).unwrap();
    env.index();
    assert_eq!(groups(&env), [["a.md", "c.md"]]);
}
