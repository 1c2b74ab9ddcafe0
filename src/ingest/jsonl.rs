//! JSON Lines collections: one document per line, as scrapers and exports write them.
//!
//! A line is an object with `id` or `_id` (string or number), `text`, and optional `title`,
//! `date`, `source`, `tags`, `url`, `author`, `language` and any other fields; BEIR-style nested
//! `metadata` objects are flattened. Every field but `text` becomes a declared metadata hint.

use serde_json::{Map, Value};

use crate::metadata::Hint;

/// One document of a collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonlDoc {
    /// 1-based line number in the file.
    pub line: usize,
    /// The document's own id (`id`, else `_id`, else `line-N`).
    pub id: String,
    /// Its text.
    pub text: String,
    /// Every other field, as declared metadata.
    pub hints: Vec<Hint>,
}

/// A line that could not be read as a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// Read every line of a collection; blank lines are ignored, bad ones reported by number.
pub(crate) fn parse(text: &str) -> (Vec<JsonlDoc>, Vec<BadLine>) {
    let mut docs = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        match parse_line(line, line_no) {
            Ok(None) => {}
            Ok(Some(doc)) => {
                if let Some(first) = seen.insert(doc.id.clone(), line_no) {
                    bad.push(BadLine {
                        line: line_no,
                        reason: format!(
                            "duplicate id {:?} (first on line {first}); ids must be unique",
                            doc.id
                        ),
                    });
                    seen.insert(doc.id, first);
                } else {
                    docs.push(doc);
                }
            }
            Err(reason) => bad.push(BadLine {
                line: line_no,
                reason,
            }),
        }
    }
    (docs, bad)
}

fn parse_line(line: &str, line_no: usize) -> Result<Option<JsonlDoc>, String> {
    let line = line.trim_start_matches('\u{feff}').trim();
    if line.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(object) = value else {
        return Err("not a JSON object".into());
    };
    let text = match object
        .get("text")
        .or_else(|| object.get("body"))
        .or_else(|| object.get("contents"))
    {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err("empty \"text\"".into()),
        Some(_) => return Err("\"text\" is not a string".into()),
        None => return Err("no \"text\" field".into()),
    };
    let id = match object.get("id").or_else(|| object.get("_id")) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None => format!("line-{line_no}"),
        Some(_) => return Err("\"id\" is neither a string nor a number".into()),
    };
    let mut hints = Vec::new();
    collect_hints(&object, "", &mut hints);
    Ok(Some(JsonlDoc {
        line: line_no,
        id,
        text,
        hints,
    }))
}

fn collect_hints(object: &Map<String, Value>, prefix: &str, hints: &mut Vec<Hint>) {
    for (key, value) in object {
        if prefix.is_empty() && matches!(key.as_str(), "id" | "_id" | "text" | "body" | "contents")
        {
            continue;
        }
        let values: Vec<String> = match value {
            Value::String(s) => vec![s.clone()],
            Value::Number(n) => vec![n.to_string()],
            Value::Bool(b) => vec![b.to_string()],
            Value::Array(items) => items.iter().filter_map(scalar).collect(),
            // BEIR puts extra fields under "metadata": flatten one level.
            Value::Object(inner) if prefix.is_empty() => {
                collect_hints(inner, key, hints);
                continue;
            }
            _ => continue,
        };
        let values: Vec<String> = values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect();
        if !values.is_empty() {
            hints.push(Hint {
                key: key.clone(),
                values,
                from: if prefix.is_empty() {
                    format!("jsonl field \"{key}\"")
                } else {
                    format!("jsonl field \"{prefix}.{key}\"")
                },
            });
        }
    }
}

/// A JSON scalar as a hint's value (strings, numbers, booleans); None for the rest.
pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beir_lines_and_metadata() {
        let text = concat!(
            r#"{"_id": "4983", "title": "Forced labour at sea", "text": "Crew were held in debt bondage.", "metadata": {"year": 2019}}"#,
            "\n\n",
            r#"{"id": 7, "text": "Second.", "tags": ["fishing", "Asia"], "source": "ILO", "date": "2021-03"}"#,
            "\n"
        );
        let (docs, bad) = parse(text);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].id.as_str(), docs[0].line), ("4983", 1));
        assert_eq!(docs[0].text, "Crew were held in debt bondage.");
        let title = docs[0].hints.iter().find(|h| h.key == "title").unwrap();
        assert_eq!(title.values, ["Forced labour at sea"]);
        assert_eq!(title.from, "jsonl field \"title\"");
        let year = docs[0].hints.iter().find(|h| h.key == "year").unwrap();
        assert_eq!(
            (year.values[0].as_str(), year.from.as_str()),
            ("2019", "jsonl field \"metadata.year\"")
        );
        assert_eq!((docs[1].id.as_str(), docs[1].line), ("7", 3));
        let tags = docs[1].hints.iter().find(|h| h.key == "tags").unwrap();
        assert_eq!(tags.values, ["fishing", "Asia"]);
    }

    #[test]
    fn bad_lines_are_numbered_and_skipped() {
        let text = "{\"id\":\"a\",\"text\":\"ok\"}\nnot json\n[1,2]\n{\"id\":\"b\"}\n{\"id\":\"a\",\"text\":\"again\"}\n{\"text\":\"no id\"}\n";
        let (docs, bad) = parse(text);
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "line-6"]);
        let lines: Vec<_> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(bad[0].reason.starts_with("not valid JSON"));
        assert_eq!(bad[1].reason, "not a JSON object");
        assert_eq!(bad[2].reason, "no \"text\" field");
        assert!(bad[3]
            .reason
            .contains("duplicate id \"a\" (first on line 1)"));
    }
}
