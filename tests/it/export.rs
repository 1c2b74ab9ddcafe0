//! `tipdex export`: the files follow the bulk format's rules and carry only mapped fields.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::harness::*;

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

fn files(dir: &Path, suffix: &str, stem: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(stem) && name.ends_with(suffix)
        })
        .collect();
    out.sort();
    out
}

fn indexed() -> (Env, u64, u64) {
    let env = Env::with_sample_and_pdf();
    env.index();
    let status = env.run(&["status", "--format", "json"]).ok().json();
    (
        env,
        status["documents"].as_u64().unwrap(),
        status["passages"].as_u64().unwrap(),
    )
}

#[test]
fn opensearch_bulk_files_are_action_document_pairs_of_mapped_fields() {
    let (env, documents, passages) = indexed();
    let out = env.path().join("os");
    let run = env
        .run(&["export", "--to", "opensearch", out.to_str().unwrap()])
        .ok();
    assert!(run.stdout.contains("_bulk"), "{}", run.stdout);
    for (stem, index, expected) in [
        ("documents", "tipdex-documents", documents),
        ("passages", "tipdex-passages", passages),
    ] {
        let definition: Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.index.json"))).unwrap())
                .unwrap();
        let mapping = &definition["mappings"];
        assert_eq!(mapping["dynamic"], "strict");
        let props = mapping["properties"].as_object().unwrap();
        let mut ids = HashSet::new();
        let mut dated = 0;
        for file in files(&out, ".bulk.ndjson", stem) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text.ends_with('\n'), "a bulk body ends with a newline");
            let lines = lines(&file);
            assert_eq!(lines.len() % 2, 0, "{}: pairs of lines", file.display());
            for pair in lines.chunks(2) {
                let action = pair[0].as_object().unwrap();
                assert_eq!(action.len(), 1);
                let meta = &action["index"];
                assert_eq!(meta["_index"], index);
                assert!(
                    ids.insert(meta["_id"].as_str().unwrap().to_string()),
                    "id twice"
                );
                let doc = pair[1].as_object().unwrap();
                for (field, value) in doc {
                    let mapped = props
                        .get(field)
                        .unwrap_or_else(|| panic!("{field} is not in the {stem} mapping"));
                    if mapped["type"] == "date" {
                        let formats = mapped["format"].as_str().unwrap();
                        let v = value.as_str().unwrap();
                        assert!(
                            formats.split("||").any(|f| f.len() == v.len()),
                            "{field} {v} in {formats}"
                        );
                    }
                }
                assert!(doc["doc_id"].is_string() && doc["title"].is_string());
                dated += usize::from(doc.contains_key("date"));
            }
        }
        assert_eq!(ids.len() as u64, expected, "{stem}: every one, once");
        assert!(dated > 0);
        let text: Vec<&Value> = props.values().filter(|v| v["type"] == "text").collect();
        assert!(!text.is_empty() && text.iter().all(|v| v["analyzer"] == "english"));
        assert_eq!(props["source"]["type"], "keyword", "facets are keywords");
    }
    // Pages reach the passages.
    let pdf_pages: Vec<u64> = files(&out, ".bulk.ndjson", "passages")
        .iter()
        .flat_map(|f| lines(f))
        .filter(|d| {
            d["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("report.pdf"))
        })
        .filter_map(|d| d["page"].as_u64())
        .collect();
    assert!(pdf_pages.contains(&2), "{pdf_pages:?}");
}

#[test]
fn quickwit_documents_carry_only_fields_of_their_doc_mapping() {
    let (env, documents, passages) = indexed();
    let out = env.path().join("qw");
    env.run(&["export", "--to", "quickwit", out.to_str().unwrap()])
        .ok();
    for (stem, expected) in [("documents", documents), ("passages", passages)] {
        let config: Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.index.json"))).unwrap())
                .unwrap();
        assert_eq!(config["index_id"], format!("tipdex-{stem}"));
        let mapping = &config["doc_mapping"];
        assert_eq!(mapping["mode"], "strict");
        let fields: Vec<&Value> = mapping["field_mappings"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        let names: HashSet<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        for f in config["search_settings"]["default_search_fields"]
            .as_array()
            .unwrap()
        {
            assert!(names.contains(f.as_str().unwrap()));
        }
        let docs = lines(&out.join(format!("{stem}.ndjson")));
        assert_eq!(docs.len() as u64, expected);
        for doc in &docs {
            for (field, value) in doc.as_object().unwrap() {
                let mapped = fields
                    .iter()
                    .find(|f| f["name"] == field.as_str())
                    .unwrap_or_else(|| panic!("{field} is not in the {stem} doc mapping"));
                match mapped["type"].as_str().unwrap() {
                    "u64" => assert!(value.is_u64(), "{field}: {value}"),
                    "array<text>" => assert!(value.is_array(), "{field}: {value}"),
                    "datetime" => {
                        let v = value.as_str().unwrap();
                        assert!(v.len() == 10 && v.as_bytes()[4] == b'-', "{field}: {v}");
                    }
                    _ => assert!(value.is_string(), "{field}: {value}"),
                }
            }
        }
    }
}
