//! `tipdex export`: the index as files another engine loads, for when one machine is not
//! enough. OpenSearch/Elasticsearch: an index definition (settings and mapping) per kind and
//! `_bulk` NDJSON files of action/document line pairs, cut every [`BULK_ACTIONS`] documents so
//! each file is one request of a sane size. Quickwit: an index config per kind and NDJSON
//! documents for `quickwit index ingest`.
//!
//! Two indexes, as in tipdex itself: documents (one per file, the record's metadata) and
//! passages (the searchable text, with copies of the document fields that filters need). Both
//! are written from one walk over the stored documents of each segment, holding one stored
//! document at a time: memory does not grow with the index.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Value};
use tantivy::TantivyDocument;

use crate::error::{Error, Result};
use crate::index_doc::{passage_text, read_passage, read_record};
use crate::metadata::Date;
use crate::record::{doc_id, DocRecord};
use crate::store::Store;

/// Documents per OpenSearch bulk file: passages of ~250 words make a file of a few MB, well
/// under the 100 MB a bulk request may carry by default.
pub const BULK_ACTIONS: usize = 5_000;

/// The engine the files are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// OpenSearch or Elasticsearch (`_bulk`).
    OpenSearch,
    /// Quickwit (`quickwit index ingest`).
    Quickwit,
}

/// What an export wrote.
#[derive(Clone, Debug, Default)]
pub struct ExportReport {
    /// Documents written.
    pub documents: u64,
    /// Passages written.
    pub passages: u64,
    /// Files written, in order (definitions first).
    pub files: Vec<PathBuf>,
}

/// The name of each exported index.
pub const DOCUMENTS: &str = "tipdex-documents";
/// See [`DOCUMENTS`].
pub const PASSAGES: &str = "tipdex-passages";

/// What a field holds, mapped to each engine's types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Analysed English text.
    Text,
    /// An exact value (facets, ids, paths).
    Keyword,
    /// A whole number.
    Integer,
    /// A date as written, at its precision: `2019`, `2019-06`, `2019-06-30`.
    PartialDate,
    /// A full day, `2019-06-30` (the first or last day of a partial date).
    Day,
}

/// The fields of the document index: the one list the mapping and the documents agree on.
const DOCUMENT_FIELDS: &[(&str, Kind)] = &[
    ("doc_id", Kind::Keyword),
    ("title", Kind::Text),
    ("context", Kind::Text),
    ("author", Kind::Text),
    ("source", Kind::Keyword),
    ("date", Kind::PartialDate),
    ("date_precision", Kind::Keyword),
    ("date_start", Kind::Day),
    ("date_end", Kind::Day),
    ("url", Kind::Keyword),
    ("license", Kind::Keyword),
    ("place", Kind::Keyword),
    ("language", Kind::Keyword),
    ("tags", Kind::Keyword),
    ("format", Kind::Keyword),
    ("path", Kind::Keyword),
    ("passages", Kind::Integer),
    ("text_bytes", Kind::Integer),
];

/// The fields of the passage index.
const PASSAGE_FIELDS: &[(&str, Kind)] = &[
    ("doc_id", Kind::Keyword),
    ("ordinal", Kind::Integer),
    ("page", Kind::Integer),
    ("start", Kind::Integer),
    ("end", Kind::Integer),
    ("text", Kind::Text),
    ("title", Kind::Text),
    ("source", Kind::Keyword),
    ("date", Kind::PartialDate),
    ("date_precision", Kind::Keyword),
    ("date_start", Kind::Day),
    ("date_end", Kind::Day),
    ("language", Kind::Keyword),
    ("tags", Kind::Keyword),
    ("path", Kind::Keyword),
];

/// The field names of the document index (for tests and readers of the files).
pub fn document_fields() -> Vec<&'static str> {
    DOCUMENT_FIELDS.iter().map(|(n, _)| *n).collect()
}

/// The field names of the passage index.
pub fn passage_fields() -> Vec<&'static str> {
    PASSAGE_FIELDS.iter().map(|(n, _)| *n).collect()
}

fn opensearch_type(kind: Kind) -> Value {
    match kind {
        Kind::Text => json!({"type": "text", "analyzer": "english"}),
        Kind::Keyword => json!({"type": "keyword"}),
        Kind::Integer => json!({"type": "long"}),
        Kind::PartialDate => json!({"type": "date", "format": "yyyy-MM-dd||yyyy-MM||yyyy"}),
        Kind::Day => json!({"type": "date", "format": "yyyy-MM-dd"}),
    }
}

/// OpenSearch index definition: the English analyzer on text, keywords for facets, dates at
/// their precision, and `strict` so a field outside this list is refused rather than guessed.
fn opensearch_index(fields: &[(&str, Kind)]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|&(name, kind)| {
            let mut t = opensearch_type(kind);
            if name == "title" {
                // Sorting and exact matching on titles, beside the analysed text.
                t["fields"] = json!({"raw": {"type": "keyword", "ignore_above": 512}});
            }
            (name.to_string(), t)
        })
        .collect();
    json!({
        "settings": {"number_of_shards": 1},
        "mappings": {"dynamic": "strict", "properties": properties}
    })
}

fn quickwit_field(name: &str, kind: Kind) -> Value {
    let mut f = match kind {
        Kind::Text => json!({"type": "text", "tokenizer": "en_stem", "record": "position"}),
        Kind::Keyword | Kind::PartialDate => {
            json!({"type": "text", "tokenizer": "raw", "fast": true})
        }
        Kind::Integer => json!({"type": "u64", "fast": true}),
        Kind::Day => json!({"type": "datetime", "input_formats": ["%Y-%m-%d"], "fast": true}),
    };
    if name == "tags" {
        f["type"] = json!("array<text>");
    }
    f["name"] = json!(name);
    f
}

/// Quickwit index config (its config loader reads JSON as well as YAML).
fn quickwit_index(id: &str, fields: &[(&str, Kind)], default_search: &[&str]) -> Value {
    json!({
        "version": "0.8",
        "index_id": id,
        "doc_mapping": {
            "mode": "strict",
            "field_mappings": fields.iter().map(|&(n, k)| quickwit_field(n, k)).collect::<Vec<_>>(),
        },
        "search_settings": {"default_search_fields": default_search},
    })
}

/// YYYYMMDD as `YYYY-MM-DD`.
fn day(yyyymmdd: i64) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        yyyymmdd / 10_000,
        yyyymmdd / 100 % 100,
        yyyymmdd % 100
    )
}

/// What passages copy of their document.
#[derive(Debug, Serialize)]
struct Shared {
    doc_id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(flatten)]
    date: Option<Dated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    path: String,
}

#[derive(Debug, Serialize)]
struct Dated {
    date: String,
    date_precision: String,
    date_start: String,
    date_end: String,
}

impl Dated {
    fn of(d: &Date) -> Dated {
        Dated {
            date: d.to_string(),
            date_precision: serde_json::to_value(d.precision())
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            date_start: day(d.lo()),
            date_end: day(d.hi()),
        }
    }
}

#[derive(Debug, Serialize)]
struct DocumentOut<'a> {
    #[serde(flatten)]
    shared: &'a Shared,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<&'a str>,
    format: Value,
    passages: u32,
    text_bytes: u64,
}

#[derive(Debug, Serialize)]
struct PassageOut<'a> {
    #[serde(flatten)]
    shared: &'a Shared,
    ordinal: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    start: usize,
    end: usize,
    text: &'a str,
}

fn document_out<'a>(r: &'a DocRecord, shared: &'a Shared) -> DocumentOut<'a> {
    let m = &r.metadata;
    let value = |f: &'a Option<crate::metadata::Field<String>>| {
        f.as_ref()
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty())
    };
    DocumentOut {
        shared,
        context: value(&m.context),
        author: value(&m.author),
        url: value(&m.url),
        license: value(&m.license),
        place: value(&m.place),
        format: serde_json::to_value(r.format).unwrap_or(Value::Null),
        passages: r.passages,
        text_bytes: r.text_bytes,
    }
}

fn shared(r: &DocRecord) -> Shared {
    let m = &r.metadata;
    Shared {
        doc_id: r.id.clone(),
        title: r.display_title().to_string(),
        source: m.source.as_ref().map(|s| s.value.clone()),
        date: m.date.as_ref().map(|d| Dated::of(&d.value)),
        language: m.language.as_ref().map(|l| l.value.clone()),
        tags: m.tags.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        path: r.path().to_string_lossy().into_owned(),
    }
}

/// NDJSON output cut into numbered files of at most `per_file` documents (unbounded: one file).
struct Sink {
    dir: PathBuf,
    stem: &'static str,
    index: &'static str,
    target: Target,
    per_file: usize,
    in_file: usize,
    files: Vec<PathBuf>,
    out: Option<BufWriter<File>>,
}

impl Sink {
    fn new(dir: &Path, stem: &'static str, index: &'static str, target: Target) -> Sink {
        Sink {
            dir: dir.to_path_buf(),
            stem,
            index,
            target,
            per_file: match target {
                Target::OpenSearch => BULK_ACTIONS,
                // `quickwit index ingest` streams a file of any size.
                Target::Quickwit => usize::MAX,
            },
            in_file: 0,
            files: Vec::new(),
            out: None,
        }
    }

    fn write<T: Serialize>(&mut self, id: &str, doc: &T) -> Result<()> {
        if self.out.is_none() || self.in_file >= self.per_file {
            self.finish()?;
            let name = match self.target {
                Target::OpenSearch => {
                    format!("{}-{:05}.bulk.ndjson", self.stem, self.files.len() + 1)
                }
                Target::Quickwit => format!("{}.ndjson", self.stem),
            };
            let path = self.dir.join(name);
            self.out = Some(BufWriter::new(File::create(&path).map_err(io(&path))?));
            self.files.push(path);
            self.in_file = 0;
        }
        let path = self.files.last().cloned().unwrap_or_default();
        let out = self.out.as_mut().expect("opened above");
        let mut line = Vec::with_capacity(512);
        if self.target == Target::OpenSearch {
            serde_json::to_writer(
                &mut line,
                &json!({"index": {"_index": self.index, "_id": id}}),
            )
            .map_err(|e| Error::CorruptRecord(e.to_string()))?;
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, doc).map_err(|e| Error::CorruptRecord(e.to_string()))?;
        line.push(b'\n');
        out.write_all(&line).map_err(io(&path))?;
        self.in_file += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if let Some(mut out) = self.out.take() {
            let path = self.files.last().cloned().unwrap_or_default();
            out.flush().map_err(io(&path))?;
            out.into_inner()
                .map_err(|e| io(&path)(e.into_error()))?
                .sync_all()
                .map_err(io(&path))?;
        }
        Ok(())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    std::fs::write(path, text).map_err(io(path))
}

/// Export the last commit of `store` into `dir` (created if missing) for `target`.
pub fn export(store: &Store, dir: &Path, target: Target) -> Result<ExportReport> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut report = ExportReport::default();
    let definitions = match target {
        Target::OpenSearch => [
            ("documents.index.json", opensearch_index(DOCUMENT_FIELDS)),
            ("passages.index.json", opensearch_index(PASSAGE_FIELDS)),
        ],
        Target::Quickwit => [
            (
                "documents.index.json",
                quickwit_index(DOCUMENTS, DOCUMENT_FIELDS, &["title", "author", "context"]),
            ),
            (
                "passages.index.json",
                quickwit_index(PASSAGES, PASSAGE_FIELDS, &["text", "title"]),
            ),
        ],
    };
    for (name, value) in definitions {
        let path = dir.join(name);
        write_json(&path, &value)?;
        report.files.push(path);
    }
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut documents = Sink::new(dir, "documents", DOCUMENTS, target);
    let mut passages = Sink::new(dir, "passages", PASSAGES, target);
    // One walk over each segment's store. A document's passages follow its record in the
    // segment it was written to, so the record last read is nearly always theirs; a record
    // rewritten alone (a touched file) is looked up by key, once for its run of passages.
    // Memory holds one stored document and one document's fields, whatever the index size.
    let mut current: Option<(u64, Shared)> = None;
    for segment in searcher.segment_readers() {
        let stored = segment.get_store_reader(1).map_err(io(&store.dir))?;
        for doc in stored.iter::<TantivyDocument>(segment.alive_bitset()) {
            let doc = doc?;
            if passage_text(&store.fields, &doc).is_none() {
                let r: DocRecord = read_record(&store.fields, &doc)?;
                documents.write(&r.id, &document_out(&r, &shared(&r)))?;
                report.documents += 1;
                current = Some((r.key, shared(&r)));
                continue;
            }
            let key = doc
                .get_first(store.fields.doc_key)
                .and_then(|v| tantivy::schema::Value::as_u64(&v))
                .ok_or_else(|| Error::CorruptRecord("passage without its document key".into()))?;
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                let r = store.record_by_key(&searcher, key)?.ok_or_else(|| {
                    Error::CorruptRecord(format!("passage of {} without its record", doc_id(key)))
                })?;
                current = Some((key, shared(&r)));
            }
            let (_, s) = current.as_ref().expect("set above");
            let p = read_passage(&store.fields, &doc, &s.doc_id)?;
            passages.write(
                &format!("{}-{}", s.doc_id, p.place.ordinal),
                &PassageOut {
                    shared: s,
                    ordinal: p.place.ordinal,
                    page: p.place.page,
                    start: p.place.start,
                    end: p.place.end,
                    text: &p.text,
                },
            )?;
            report.passages += 1;
        }
    }
    documents.finish()?;
    passages.finish()?;
    report.files.append(&mut documents.files);
    report.files.append(&mut passages.files);
    Ok(report)
}
