//! Citation export read back by real readers of the formats: `rispy` for RIS and `citeproc-py`
//! (which also renders a bibliography from the items in the style it ships) for CSL-JSON, on the shipped sample
//! corpus plus the fixture PDF (for pages). The readers are Python packages that `.ci/run`
//! installs; without them these tests fail with the install command (they never skip).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::harness::*;

const INSTALL: &str = "python3 -m pip install rispy citeproc-py";

const READ_RIS: &str = r#"
import json, sys, rispy
print(json.dumps(rispy.loads(sys.stdin.read())))
"#;

/// Parse the items, then render a bibliography from them with a shipped style: a reader that
/// got the names, dates or types wrong fails here.
const READ_CSL: &str = r#"
import json, sys
from citeproc import CitationStylesStyle, CitationStylesBibliography, Citation, CitationItem, formatter
from citeproc.source.json import CiteProcJSON
source = CiteProcJSON(json.load(sys.stdin))
style = CitationStylesStyle('harvard-cite-them-right', validate=False)
bib = CitationStylesBibliography(style, source, formatter.plain)
out = []
for key, ref in source.items():
    bib.register(Citation([CitationItem(key)]))
    issued = ref.get('issued')
    out.append({
        'id': key,
        'title': str(ref.title),
        'date': [issued[p] for p in ('year', 'month', 'day') if issued is not None and p in issued],
        'url': str(ref['URL']) if 'URL' in ref else None,
        'page': str(ref['page']) if 'page' in ref else None,
        'note': str(ref['note']),
    })
print(json.dumps({'items': out, 'bibliography': [str(b) for b in bib.bibliography()]}))
"#;

/// Run `script` with `input` on stdin and parse what it prints.
fn python_reader(module: &str, script: &str, input: &str) -> Value {
    let probe = Command::new("python3")
        .arg("-c")
        .arg(format!("import {module}"))
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!("reading this format needs the Python package of `{module}`: {INSTALL}"),
    }
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{module} could not read it: {}\ninput:\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The sample corpus (factbook entries carry URLs and dates) and the fixture PDF (pages),
/// indexed, with a batch of two queries that find both kinds.
fn indexed() -> (Env, String) {
    let env = Env::with_sample_and_pdf();
    env.index();
    let batch = env.path().join("queries.txt");
    std::fs::write(&batch, "\"debt bondage\"\nAlgeria tier\n").unwrap();
    (env, batch.to_string_lossy().into_owned())
}

/// The JSON hits of the batch, by document id, first occurrence kept (as citations are).
fn json_hits(env: &Env, batch: &str) -> Vec<Value> {
    let all = env
        .run(&["search", "--batch", batch, "-n", "5", "--format", "json"])
        .ok()
        .json();
    let mut seen = std::collections::HashSet::new();
    all.as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["hits"].as_array().unwrap().clone())
        .filter(|h| seen.insert(h["id"].as_str().unwrap().to_string()))
        .collect()
}

fn date_parts(hit: &Value) -> Vec<i64> {
    hit["date"]
        .as_str()
        .map(|d| d.split('-').map(|p| p.parse().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn ris_of_search_results_reads_back_with_title_date_url_and_page() {
    let (env, batch) = indexed();
    let hits = json_hits(&env, &batch);
    let ris = env
        .run(&["search", "--batch", &batch, "-n", "5", "--format", "ris"])
        .ok()
        .stdout;
    let entries = python_reader("rispy", READ_RIS, &ris);
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), hits.len(), "{ris}");
    let (mut dated, mut with_url, mut paged) = (0, 0, 0);
    for (e, h) in entries.iter().zip(&hits) {
        assert_eq!(e["id"], h["id"]);
        assert_eq!(e["title"], h["title"]);
        assert!(e["file_attachments1"]
            .as_str()
            .unwrap()
            .ends_with(h["path"].as_str().unwrap()));
        if let Some(date) = h["date"].as_str() {
            dated += 1;
            assert_eq!(e["year"], &date[..4]);
            // The date keeps its precision: unknown parts stay empty.
            let parts = date_parts(h);
            let da: Vec<&str> = e["date"].as_str().unwrap().split('/').collect();
            assert_eq!(da.len(), 4, "{e}");
            for (i, part) in da[..3].iter().enumerate() {
                match parts.get(i) {
                    Some(&n) => assert_eq!(part.parse::<i64>().unwrap(), n),
                    None => assert_eq!(*part, "", "{e}"),
                }
            }
        }
        if let Some(url) = h["url"].as_str() {
            with_url += 1;
            assert_eq!(e["urls"][0], url);
        }
        let notes = e["notes"].as_array().unwrap();
        assert_eq!(notes.len(), h["passages"].as_array().unwrap().len());
        if let Some(page) = h["passages"][0]["page"].as_u64() {
            paged += 1;
            assert_eq!(e["start_page"], page.to_string());
            assert!(notes[0]
                .as_str()
                .unwrap()
                .ends_with(&format!("(p. {page})")));
        }
    }
    assert!(dated > 0 && with_url > 0 && paged > 0, "{ris}");
}

#[test]
fn csljson_of_search_results_reads_back_and_renders_a_bibliography() {
    let (env, batch) = indexed();
    let hits = json_hits(&env, &batch);
    let csl = env
        .run(&[
            "search", "--batch", &batch, "-n", "5", "--format", "csljson",
        ])
        .ok()
        .stdout;
    let read = python_reader("citeproc", READ_CSL, &csl);
    let items = read["items"].as_array().unwrap();
    assert_eq!(items.len(), hits.len(), "{csl}");
    assert_eq!(read["bibliography"].as_array().unwrap().len(), hits.len());
    let (mut dated, mut with_url, mut paged) = (0, 0, 0);
    for (item, h) in items.iter().zip(&hits) {
        // citeproc-py lowercases keys.
        assert_eq!(item["id"], h["id"].as_str().unwrap().to_lowercase());
        assert_eq!(item["title"], h["title"]);
        let parts: Vec<i64> = serde_json::from_value(item["date"].clone()).unwrap();
        assert_eq!(parts, date_parts(h), "only the known parts: {item}");
        dated += usize::from(!parts.is_empty());
        assert_eq!(item["url"], h["url"]);
        with_url += usize::from(h["url"].is_string());
        let note = item["note"].as_str().unwrap();
        assert!(note.starts_with(&format!("file: {}", h["path"].as_str().unwrap())));
        match h["passages"][0]["page"].as_u64() {
            Some(page) => {
                paged += 1;
                assert_eq!(item["page"], page.to_string());
                assert!(note.contains(&format!("(p. {page})")), "{note}");
            }
            None => assert!(item["page"].is_null()),
        }
    }
    assert!(dated > 0 && with_url > 0 && paged > 0, "{csl}");
}

#[test]
fn show_cites_one_document_in_both_formats() {
    let (env, _) = indexed();
    let show = env
        .run(&["show", "report.pdf", "--format", "json"])
        .ok()
        .json();
    let ris = env
        .run(&["show", "report.pdf", "--format", "ris"])
        .ok()
        .stdout;
    let entries = python_reader("rispy", READ_RIS, &ris);
    assert_eq!(entries.as_array().unwrap().len(), 1);
    let e = &entries[0];
    assert_eq!(e["title"], show["metadata"]["title"]["value"]);
    assert_eq!(e["authors"][0], "Jane Doe");
    assert_eq!(e["date"], "2021/03/15/");
    let csl = env
        .run(&["show", "report.pdf", "--format", "csljson"])
        .ok()
        .stdout;
    let read = python_reader("citeproc", READ_CSL, &csl);
    assert_eq!(read["items"][0]["date"], serde_json::json!([2021, 3, 15]));
    let entry = read["bibliography"][0].as_str().unwrap();
    assert!(
        entry.contains("Jane Doe") || entry.contains("Doe"),
        "{entry}"
    );
}
