//! JSON wire types. They are the contract with scripts: fields are only ever added.
//! Each type derives `Deserialize` too, so tests (and Rust users) can read the output back.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::display_path;
use crate::entities::TopicKind;
use crate::metadata::Precision;
use crate::record::DocRecord;
use crate::search::{
    FacetCounts, FacetField, FacetTable, Filters, PassageHit, PassageWindow, SearchHit,
    SearchResults,
};
use crate::store::IndexInfo;

/// A byte range within a passage's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One passage of a hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassageJson {
    /// Passage number in its document, from 0.
    pub ordinal: u32,
    /// Byte offset of the passage in the document's extracted text.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
    /// Page where the passage starts (PDF), or null.
    pub page: Option<u32>,
    /// BM25 score.
    pub score: f32,
    /// Passage text.
    pub text: String,
    /// Matches, as byte ranges into `text`.
    pub highlights: Vec<Span>,
}

/// One matching document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitJson {
    /// 1-based rank.
    pub rank: usize,
    /// Document id (for `tipdex show`).
    pub id: String,
    /// Path of the file.
    pub path: String,
    /// Title (the file name when none is known).
    pub title: String,
    /// The headings above the title ("Title 22— … › CHAPTER 78— …"), when the document
    /// opens with a heading chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Date at its precision (`2019-02-21`, `2025-06`, `2019`), or null.
    pub date: Option<String>,
    /// `day`, `month` or `year`, or null.
    pub date_precision: Option<Precision>,
    /// Publisher, or null.
    pub source: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// URL, or null.
    pub url: Option<String>,
    /// Language code, or null.
    pub language: Option<String>,
    /// The document's own fields (keys its sidecar or front matter declares), each with its
    /// values as declared; absent when it has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Document score.
    pub score: f32,
    /// How many of its passages matched.
    pub matching_passages: u32,
    /// Its best passages.
    pub passages: Vec<PassageJson>,
    /// The other documents with the same or nearly the same text (its reprint group), earliest
    /// first; shown once, under this hit, unless `--all-copies`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<CopyJson>,
    /// Id of the earliest dated document among this one and its copies (the original).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// Another document of a hit's reprint group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyJson {
    /// Document id.
    pub id: String,
    /// Path of the file.
    pub path: String,
    /// Date at its precision, or null.
    pub date: Option<String>,
}

/// The wire form of a reprint group member.
pub fn copy_json(record: &DocRecord, cwd: Option<&Path>) -> CopyJson {
    CopyJson {
        id: record.id.clone(),
        path: display_path(record, cwd),
        date: record.metadata.date.as_ref().map(|d| d.value.to_string()),
    }
}

/// Filters as applied, echoed back.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FiltersJson {
    /// `--source` values.
    pub source: Vec<String>,
    /// `--tag` values.
    pub tag: Vec<String>,
    /// `--lang` values.
    pub lang: Vec<String>,
    /// `--country` values as ISO 3166-1 alpha-2 codes; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<String>,
    /// `--field` filters, as read (`state=TX`, `minors>=1`); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field: Vec<String>,
    /// `--org` values, each the organisation's one name; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org: Vec<String>,
    /// `--instrument` values, each the instrument's one name; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instrument: Vec<String>,
    /// `--exploitation` values, each the form's one name; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exploitation: Vec<String>,
    /// `--year` ranges as `[from, to]`.
    pub year: Vec<[i32; 2]>,
    /// `--from`, or null.
    pub from: Option<String>,
    /// `--to`, or null.
    pub to: Option<String>,
}

/// A whole search answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchJson {
    /// The query's id in a batch; absent for a single search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_id: Option<String>,
    /// The query as typed.
    pub query: String,
    /// Filters from flags.
    pub filters: FiltersJson,
    /// Documents matching, every copy of a reprinted text counted.
    pub total_documents: usize,
    /// Distinct texts matching: a reprint group counts once (what the hits page through
    /// unless `--all-copies`).
    #[serde(default)]
    pub total_distinct: usize,
    /// Passages matching.
    pub total_passages: u64,
    /// Milliseconds spent searching.
    pub took_ms: f64,
    /// The returned documents.
    pub hits: Vec<HitJson>,
    /// Typed words or phrases that match no document, each with the closest indexed word.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<UnmatchedJson>,
    /// What the embedding model read, when it spelled out the query's acronyms (semantic and
    /// hybrid searches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    /// Facet counts over all matching documents, when asked for (`--facets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetValueJson>>>,
}

/// A query word that matches no document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedJson {
    /// As typed.
    pub word: String,
    /// The closest word the index holds (analyzed form), if any is close.
    pub did_you_mean: Option<String>,
}

impl FiltersJson {
    /// Echo of `filters`.
    pub(crate) fn from_filters(f: &Filters) -> FiltersJson {
        FiltersJson {
            source: f.sources.clone(),
            tag: f.tags.clone(),
            lang: f.langs.clone(),
            country: f.countries.clone(),
            field: f.fields.iter().map(ToString::to_string).collect(),
            org: topic_values(f, TopicKind::Org),
            instrument: topic_values(f, TopicKind::Instrument),
            exploitation: topic_values(f, TopicKind::Exploitation),
            year: f.years.iter().map(|y| [y.from, y.to]).collect(),
            from: f.from.map(|d| d.to_string()),
            to: f.to.map(|d| d.to_string()),
        }
    }
}

/// The values of one kind among the topic filters.
fn topic_values(f: &Filters, kind: TopicKind) -> Vec<String> {
    f.topics
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The wire form of one ranked document.
pub fn hit_json(rank: usize, hit: &SearchHit, cwd: Option<&Path>) -> HitJson {
    let m = &hit.record.metadata;
    HitJson {
        rank,
        id: hit.record.id.clone(),
        path: display_path(&hit.record, cwd),
        title: hit.record.display_title().to_string(),
        context: m.context.as_ref().map(|c| c.value.clone()),
        date: m.date.as_ref().map(|d| d.value.to_string()),
        date_precision: m.date.as_ref().map(|d| d.value.precision()),
        source: m.source.as_ref().map(|s| s.value.clone()),
        tags: m.tags.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        url: m.url.as_ref().map(|u| u.value.clone()),
        language: m.language.as_ref().map(|l| l.value.clone()),
        fields: m
            .fields
            .iter()
            .map(|(k, f)| (k.clone(), f.value.clone()))
            .collect(),
        score: hit.score,
        matching_passages: hit.matching_passages,
        passages: hit.passages.iter().map(passage_json).collect(),
        copies: hit.copies.iter().map(|r| copy_json(r, cwd)).collect(),
        original: hit.original().map(|r| r.id.clone()),
    }
}

/// The wire form of one passage.
pub(crate) fn passage_json(p: &PassageHit) -> PassageJson {
    PassageJson {
        ordinal: p.ordinal,
        start: p.start,
        end: p.end,
        page: p.page,
        score: p.score,
        text: p.text.clone(),
        highlights: p
            .highlights
            .iter()
            .map(|r| Span {
                start: r.start,
                end: r.end,
            })
            .collect(),
    }
}

/// The wire form of a search answer.
pub fn search_json(
    query: &str,
    filters: &Filters,
    results: &SearchResults,
    cwd: Option<&Path>,
) -> SearchJson {
    SearchJson {
        query_id: None,
        query: query.to_string(),
        filters: FiltersJson::from_filters(filters),
        total_documents: results.total_documents,
        total_distinct: results.total_distinct,
        total_passages: results.total_passages,
        took_ms: results.elapsed.as_secs_f64() * 1000.0,
        hits: results
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| hit_json(i + 1, h, cwd))
            .collect(),
        unmatched: results
            .unmatched
            .iter()
            .map(|u| UnmatchedJson {
                word: u.word.clone(),
                did_you_mean: u.suggestion.clone(),
            })
            .collect(),
        read_as: results.read_as.clone(),
        facets: (!results.facets.is_empty()).then(|| facet_values(&results.facets)),
    }
}

/// `tipdex duplicates`: the index's reprint groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicatesJson {
    /// Number of groups.
    pub total_groups: usize,
    /// Documents in them.
    pub total_documents: usize,
    /// The groups, largest first.
    pub groups: Vec<ReprintGroupJson>,
}

/// One reprint group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReprintGroupJson {
    /// Title of its earliest document.
    pub title: String,
    /// Id of its earliest dated document (the original), when any is dated.
    pub original: Option<String>,
    /// Its documents, earliest first.
    pub documents: Vec<CopyJson>,
}

/// The wire form of reprint groups, each given as its documents' records.
pub fn duplicates_json(groups: &[Vec<DocRecord>], cwd: Option<&Path>) -> DuplicatesJson {
    let mut out: Vec<ReprintGroupJson> = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let mut g: Vec<&DocRecord> = g.iter().collect();
            g.sort_by_key(|r| {
                (
                    r.metadata.date.as_ref().map_or(i64::MAX, |d| d.value.lo()),
                    r.key,
                )
            });
            ReprintGroupJson {
                title: g[0].display_title().to_string(),
                original: g
                    .iter()
                    .find(|r| r.metadata.date.is_some())
                    .map(|r| r.id.clone()),
                documents: g.iter().map(|r| copy_json(r, cwd)).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.documents
            .len()
            .cmp(&a.documents.len())
            .then_with(|| a.documents[0].path.cmp(&b.documents[0].path))
    });
    DuplicatesJson {
        total_groups: out.len(),
        total_documents: out.iter().map(|g| g.documents.len()).sum(),
        groups: out,
    }
}

/// Facet counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacetsJson {
    /// Query the counts are restricted to ("" for all documents).
    pub query: String,
    /// Documents counted, every copy of a reprinted text counted.
    pub total_documents: u64,
    /// Distinct texts among them: a reprint group counts once.
    #[serde(default)]
    pub total_distinct: u64,
    /// Dimension name → value → documents (and distinct texts); a null value counts documents
    /// without one.
    pub facets: BTreeMap<String, Vec<FacetValueJson>>,
}

/// One facet value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValueJson {
    /// The value; null for documents without one.
    pub value: Option<String>,
    /// Documents with it, every copy of a reprinted text counted.
    pub documents: u64,
    /// Distinct texts with it (a reprint group counts once); absent for the count of
    /// documents without a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
    /// How text output shows the value, when it differs (a long source's short form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The wire form of facet counts.
pub fn facets_json(query: &str, counts: &FacetCounts) -> FacetsJson {
    FacetsJson {
        query: query.to_string(),
        total_documents: counts.documents,
        total_distinct: counts.distinct,
        facets: facet_values(&counts.tables),
    }
}

fn facet_values(tables: &[FacetTable]) -> BTreeMap<String, Vec<FacetValueJson>> {
    tables
        .iter()
        .map(|t| {
            let mut values: Vec<FacetValueJson> = t
                .counts
                .iter()
                .map(|c| FacetValueJson {
                    value: Some(c.value.clone()),
                    documents: c.documents,
                    distinct: Some(c.distinct),
                    label: (t.field == FacetField::Source)
                        .then(|| crate::metadata::short_source(&c.value))
                        .filter(|short| short != &c.value),
                })
                .collect();
            if let Some(n) = t.unknown.filter(|&n| n > 0) {
                values.push(FacetValueJson {
                    value: None,
                    documents: n,
                    distinct: None,
                    label: None,
                });
            }
            (t.name(), values)
        })
        .collect()
}

/// One document's record as shown by `tipdex show`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowJson {
    /// Document id.
    pub id: String,
    /// Path of the file.
    pub path: String,
    /// Format the text was read as.
    pub format: String,
    /// Metadata fields, each with `value` and `from` (the rule that decided it).
    pub metadata: serde_json::Value,
    /// Passages indexed.
    pub passages: u32,
    /// Bytes of clean text.
    pub text_bytes: u64,
    /// Content hash.
    pub hash: String,
    /// Unix seconds when indexed.
    pub indexed_at: i64,
    /// Start of the clean text.
    pub head: String,
    /// What was left out of a file too large to index whole; absent when indexed whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
    /// The countries its text names, most-mentioned first; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryJson>,
    /// The organisations, instruments and forms of exploitation its text names, by kind and
    /// most-mentioned first; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicJson>,
}

/// An organisation, instrument or form of exploitation a document names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicJson {
    /// `org`, `instrument` or `exploitation` (the facet and the flag of that name).
    pub kind: TopicKind,
    /// Its one name (what the flag and the facet use).
    pub value: String,
    /// Mentions.
    pub count: u32,
    /// Ordinals (from 0) of the passages naming it.
    pub passages: Vec<u32>,
}

/// A country a document names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryJson {
    /// ISO 3166-1 alpha-2 code (what `--country` and the `country` facet use).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Mentions (names and demonyms).
    pub count: u32,
    /// Ordinals (from 0) of the passages naming it.
    pub passages: Vec<u32>,
}

/// The countries of a record, for JSON.
pub fn countries_json(record: &DocRecord) -> Vec<CountryJson> {
    let g = crate::entities::countries::gazetteer();
    record
        .countries
        .iter()
        .map(|c| CountryJson {
            code: c.code.clone(),
            name: g.name(&c.code).unwrap_or(&c.code).to_string(),
            count: c.count,
            passages: c.passages.clone(),
        })
        .collect()
}

/// The wire form of a record.
pub fn show_json(record: &DocRecord, cwd: Option<&Path>) -> ShowJson {
    ShowJson {
        id: record.id.clone(),
        path: display_path(record, cwd),
        format: serde_json::to_value(record.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        metadata: serde_json::to_value(&record.metadata).unwrap_or_default(),
        passages: record.passages,
        text_bytes: record.text_bytes,
        hash: record.hash.clone(),
        indexed_at: record.indexed_at,
        head: record.head.clone(),
        truncated: record.truncated.clone(),
        countries: countries_json(record),
        topics: record
            .topics
            .iter()
            .map(|t| TopicJson {
                kind: t.kind,
                value: t.value.clone(),
                count: t.count,
                passages: t.passages.clone(),
            })
            .collect(),
    }
}

/// Index status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusJson {
    /// Index directory.
    pub index: String,
    /// Documents indexed.
    pub documents: u64,
    /// Passages indexed.
    pub passages: u64,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// Roots indexed into it.
    pub roots: Vec<String>,
    /// `--exclude` globs remembered per root.
    pub excludes: BTreeMap<String, Vec<String>>,
    /// Unix seconds of the last completed run.
    pub last_indexed: Option<i64>,
    /// True when the last run was interrupted before it finished.
    pub interrupted: bool,
    /// Acronyms learned from the documents.
    #[serde(default)]
    pub acronyms: Vec<crate::acronyms::LearnedAcronym>,
    /// The index's synonyms (`tipdex synonyms`).
    #[serde(default)]
    pub synonyms: Vec<(String, String)>,
    /// Embedding coverage, when semantic search is on for the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic: Option<SemanticStatusJson>,
}

/// How much of an index has embeddings (semantic search).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SemanticStatusJson {
    /// Documents whose passages have vectors matching their current text.
    pub documents_embedded: u64,
    /// Passage vectors those documents have.
    pub passages_embedded: u64,
}

/// The wire form of a status.
pub fn status_json(
    dir: &Path,
    info: &IndexInfo,
    documents: u64,
    passages: u64,
    size: u64,
) -> StatusJson {
    StatusJson {
        index: dir.to_string_lossy().into_owned(),
        documents,
        passages,
        size_bytes: size,
        roots: info
            .roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect(),
        excludes: info
            .excludes
            .iter()
            .map(|(r, globs)| (r.to_string_lossy().into_owned(), globs.clone()))
            .collect(),
        last_indexed: info.last_indexed,
        interrupted: info.in_progress,
        acronyms: info.acronyms.clone(),
        synonyms: info.synonyms.clone(),
        semantic: None,
    }
}

/// A window of one document's passages in reading order (the server's document view).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ContextJson {
    /// Document id.
    pub id: String,
    /// Title (the file name when none is known).
    pub title: String,
    /// The query the highlights and matches are for ("" for none).
    pub query: String,
    /// Passages the document has.
    pub total_passages: u32,
    /// Ordinals of the passages matching the query, in reading order.
    pub matches: Vec<u32>,
    /// The window's passages, in reading order (scores are 0).
    pub passages: Vec<PassageJson>,
}

/// The wire form of a passage window.
pub(crate) fn context_json(query: &str, window: &PassageWindow) -> ContextJson {
    ContextJson {
        id: window.record.id.clone(),
        title: window.record.display_title().to_string(),
        query: query.to_string(),
        total_passages: window.total_passages,
        matches: window.matches.clone(),
        passages: window.passages.iter().map(passage_json).collect(),
    }
}

/// An error answer of the server: what went wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ErrorJson {
    /// The HTTP status code, repeated for scripts that only keep the body.
    pub status: u16,
    /// `usage` (change the request), `not_found`, `unauthorized` or `internal`.
    pub kind: String,
    /// The message, with the fix.
    pub message: String,
}

/// Write `value` as one compact JSON line (NDJSON).
pub fn write_line<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

/// Write `value` as pretty JSON followed by a newline.
pub fn write<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}
