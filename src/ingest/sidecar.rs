//! Sidecars: `NAME.meta.json` beside a file, metadata the user declared about it. Found,
//! stamped and read here; the walk leaves them out, and the indexer re-reads a document when
//! its sidecar changes.

use std::path::{Path, PathBuf};

use super::jsonl::scalar;
use super::FileStamp;
use crate::metadata::Hint;

/// The ending of a sidecar's name.
pub(crate) const SUFFIX: &str = ".meta.json";

/// True when `file_name` names a sidecar, which is read with its document, never indexed on
/// its own.
pub(crate) fn is_sidecar(file_name: &str) -> bool {
    file_name.ends_with(SUFFIX)
}

/// `NAME.meta.json` beside the file, where NAME is the file name with or without its extension.
pub(crate) fn find(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    [stem, name]
        .into_iter()
        .map(|n| path.with_file_name(format!("{n}{SUFFIX}")))
        .find(|p| p.is_file())
}

/// Size and mtime of the sidecar beside `path`, if it has one.
pub(crate) fn stamp(path: &Path) -> Option<FileStamp> {
    find(path).as_deref().and_then(FileStamp::of)
}

/// Sidecars compare by size (mtime changes on copy), and absent equals absent.
pub(crate) fn same(a: Option<FileStamp>, b: Option<FileStamp>) -> bool {
    a.map(|s| s.size) == b.map(|s| s.size)
}

/// The hints of the sidecar at `path`, or the warning that says why it was ignored.
pub(crate) fn read(path: &Path) -> Result<Vec<Hint>, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = std::fs::read_to_string(path)
        .map_err(|e| format!("sidecar {} ignored: cannot read it: {e}", path.display()))?;
    hints(&json, &format!("sidecar {name}")).map_err(|e| {
        format!(
            "sidecar {} ignored: {e}; fix the JSON (an object of \"key\": \"value\") and run `tipdex index` again",
            path.display()
        )
    })
}

/// Parse a sidecar JSON object into hints (strings, numbers, bools → one value; arrays of
/// scalars → several values; nested objects/null ignored). `from` is e.g.
/// "sidecar 003_x.meta.json". Err(message) if not a JSON object.
pub(crate) fn hints(json: &str, from: &str) -> Result<Vec<Hint>, String> {
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
        let hints = hints(
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
    fn the_seed_sidecar_declares_its_source() {
        let json = include_str!("../../data/003_bd84540aa3d9ccf3.meta.json");
        let hints = hints(json, "sidecar 003.meta.json").unwrap();
        assert_eq!(hints.len(), 1);
        assert_eq!(
            (hints[0].key.as_str(), hints[0].values.as_slice()),
            ("source", &["UNODC".to_string()][..])
        );
    }

    #[test]
    fn sidecar_errors() {
        for bad in ["[1, 2]", "\"x\"", "3", "{", "", "null"] {
            let err = hints(bad, "sidecar y.meta.json").unwrap_err();
            assert!(err.starts_with("sidecar y.meta.json: "), "{err}");
        }
        for weird in [
            "   ",
            "\u{feff}{}",
            "日本語",
            "{\"a\": \"\u{0}\"}",
            "[[[[[[[[]]]]]]]]",
        ] {
            let _ = hints(weird, "sidecar");
        }
    }

    #[test]
    fn a_sidecar_is_found_by_the_file_name_with_or_without_its_extension() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.pdf");
        let notes = dir.path().join("notes.txt");
        std::fs::write(dir.path().join("report.meta.json"), "{}").unwrap();
        std::fs::write(dir.path().join("notes.txt.meta.json"), "{\"a\": 1}").unwrap();
        assert_eq!(find(&report), Some(dir.path().join("report.meta.json")));
        assert_eq!(find(&notes), Some(dir.path().join("notes.txt.meta.json")));
        assert_eq!(find(&dir.path().join("other.txt")), None);
        assert_eq!(stamp(&notes).map(|s| s.size), Some(8));
        assert!(is_sidecar("notes.txt.meta.json") && !is_sidecar("notes.txt"));
    }
}
