//! Hints a file declared about itself: sidecar JSON and key aliases.

use super::Hint;

/// The metadata field a hint key feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Title,
    Date,
    Source,
    Author,
    Url,
    License,
    Place,
    /// The headings above the title (a breadcrumb).
    Context,
    Tags,
    Language,
    /// Not a known field: kept in `Metadata::extra`.
    Other,
}

/// Hint keys reduced to one spelling: case and `-`/space vs `_` vary between
/// front matter, HTML and PDF producers.
pub(crate) fn normalize_key(key: &str) -> String {
    key.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Which field a hint key names.
pub(crate) fn classify(key: &str) -> Key {
    match normalize_key(key).as_str() {
        "title" | "og:title" | "dc.title" | "dcterms.title" | "citation_title" => Key::Title,
        "date"
        | "published"
        | "published_time"
        | "article:published_time"
        | "dc.date"
        | "dcterms.date"
        | "dcterms.issued"
        | "dcterms.created"
        | "date_published"
        | "citation_publication_date"
        | "citation_date"
        | "created"
        | "creationdate" => Key::Date,
        "source" | "publisher" | "site_name" | "og:site_name" | "dc.publisher"
        | "dcterms.publisher" | "citation_publisher" => Key::Source,
        "author" | "creator" | "dc.creator" | "dcterms.creator" | "citation_author" | "by" => {
            Key::Author
        }
        "url" | "link" | "canonical" | "og:url" => Key::Url,
        "license" | "licence" | "rights" | "dc.rights" | "dcterms.rights" | "dcterms.license" => {
            Key::License
        }
        "tags" | "tag" | "keywords" | "subject" | "categories" | "dc.subject"
        | "dcterms.subject" | "article:tag" | "citation_keywords" => Key::Tags,
        "language" | "lang" | "dc.language" | "dcterms.language" | "og:locale" => Key::Language,
        "place" | "location" | "dateline" => Key::Place,
        "context" | "breadcrumb" | "breadcrumbs" => Key::Context,
        _ => Key::Other,
    }
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parse a sidecar JSON object into hints (strings, numbers, bools → one value; arrays of scalars → several values; nested objects/null ignored). `from` is e.g. "sidecar 003_x.meta.json". Err(message) if not a JSON object.
pub(crate) fn sidecar_hints(json: &str, from: &str) -> Result<Vec<Hint>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("{from}: invalid JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(format!("{from}: expected a JSON object"));
    };
    let mut hints = Vec::new();
    for (key, v) in map {
        let values: Vec<String> = match &v {
            serde_json::Value::Array(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect(),
        };
        if values.is_empty() {
            continue;
        }
        hints.push(Hint {
            key,
            values,
            from: from.to_string(),
        });
    }
    Ok(hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_values() {
        let hints = sidecar_hints(
            r#"{"source": "UNODC", "year": 2019, "draft": false, "tags": ["a", 1, null, {"x": 1}],
                "nested": {"a": 1}, "none": null, "empty": []}"#,
            "sidecar x.meta.json",
        )
        .unwrap();
        let get = |k: &str| hints.iter().find(|h| h.key == k).map(|h| h.values.clone());
        assert_eq!(get("source"), Some(vec!["UNODC".to_string()]));
        assert_eq!(get("year"), Some(vec!["2019".to_string()]));
        assert_eq!(get("draft"), Some(vec!["false".to_string()]));
        assert_eq!(get("tags"), Some(vec!["a".to_string(), "1".to_string()]));
        assert_eq!(get("nested"), None);
        assert_eq!(get("none"), None);
        assert_eq!(get("empty"), None);
        assert!(hints.iter().all(|h| h.from == "sidecar x.meta.json"));
    }

    #[test]
    fn sidecar_errors() {
        for bad in ["[1, 2]", "\"x\"", "3", "{", "", "null"] {
            let err = sidecar_hints(bad, "sidecar y.meta.json").unwrap_err();
            assert!(err.starts_with("sidecar y.meta.json: "), "{err}");
        }
    }

    #[test]
    fn key_aliases() {
        assert_eq!(classify("DC.Date"), Key::Date);
        assert_eq!(classify("article:published_time"), Key::Date);
        assert_eq!(classify("og:site_name"), Key::Source);
        assert_eq!(classify("og:locale"), Key::Language);
        assert_eq!(classify("Date-Published"), Key::Date);
        assert_eq!(classify(" Keywords "), Key::Tags);
        assert_eq!(classify("dateline"), Key::Place);
        assert_eq!(classify("country"), Key::Other);
    }
}
