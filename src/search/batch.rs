//! Query files for batch search: one query per line, plain text or JSON.

/// One query of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchQuery {
    /// Its id: the JSON `id`/`_id`, else the line number.
    pub id: String,
    /// The query text.
    pub text: String,
}

/// Read a query file: blank lines and `#` comments are skipped; a line holding a JSON object
/// takes `id`/`_id` and `text`/`query` from it; a `kind<TAB>query` line (the benchmark query
/// sets) uses the part after the tab; any other line is the query itself, its id the line
/// number. Err names the line that could not be read.
pub fn parse_queries(text: &str) -> Result<Vec<BatchQuery>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("line {line_no}: not valid JSON: {e}"))?;
            let id = match value.get("id").or_else(|| value.get("_id")) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => line_no.to_string(),
            };
            let text = value
                .get("text")
                .or_else(|| value.get("query"))
                .and_then(|v| v.as_str())
                .ok_or_else(|| format!("line {line_no}: no \"text\" (or \"query\") string"))?;
            out.push(BatchQuery {
                id,
                text: text.to_string(),
            });
        } else {
            let text = line.split_once('\t').map_or(line, |(_, q)| q.trim());
            out.push(BatchQuery {
                id: line_no.to_string(),
                text: text.to_string(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_and_tab_lines() {
        let q = parse_queries("# names\nforced labour\n\n{\"_id\": 7, \"text\": \"GLO.ACT\"}\nphrase\t\"debt bondage\"\n").unwrap();
        assert_eq!(
            q,
            [
                BatchQuery {
                    id: "2".into(),
                    text: "forced labour".into()
                },
                BatchQuery {
                    id: "7".into(),
                    text: "GLO.ACT".into()
                },
                BatchQuery {
                    id: "5".into(),
                    text: "\"debt bondage\"".into()
                },
            ]
        );
    }

    #[test]
    fn bad_json_names_its_line() {
        assert_eq!(
            parse_queries("ok\n{\"id\": 1}\n").unwrap_err(),
            "line 2: no \"text\" (or \"query\") string"
        );
        assert!(parse_queries("{oops")
            .unwrap_err()
            .starts_with("line 1: not valid JSON"));
    }
}
