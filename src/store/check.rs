//! `tipdex check`: read the whole index the way searches and runs would, and say in words what
//! is wrong and with which file.
//!
//! tantivy keeps no checksums, so damage shows only when the bytes are decoded: every segment is
//! opened, every stored document read (and every record decoded), and the postings of a sample
//! of every indexed field's terms decoded with their positions, checking what a decoder cannot
//! (document ids rising and inside the segment, as many documents as the term dictionary says).
//! Then the commit payload is checked against the records (roots, one record per key, the
//! passages each record counts). Panics from damaged bytes are caught here ([`guard`]).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::postings::Postings;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocSet, SegmentReader, TantivyDocument, TERMINATED};

use super::Store;
use crate::error::{Error, Result};
use crate::record::DocRecord;

/// Terms of one field of one segment whose postings are read; spread evenly over the
/// dictionary (all of them in a small index).
const TERMS_PER_FIELD: usize = 20_000;

/// One thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the index directory, when known.
    pub file: Option<PathBuf>,
    /// What is wrong, in words.
    pub what: String,
}

/// What `check` read and found.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Segments opened.
    pub segments: usize,
    /// Document records read and decoded.
    pub records: u64,
    /// Passages read.
    pub passages: u64,
    /// Posting lists decoded.
    pub posting_lists: u64,
    /// The last indexing run did not finish (not damage: the next `index` finishes it).
    pub incomplete: bool,
    /// Damage found; empty when the index is sound.
    pub problems: Vec<Problem>,
}

static GUARDED: AtomicUsize = AtomicUsize::new(0);

/// True while some thread runs inside [`guard`]: a panic then is damage being caught, and the
/// binary's panic hook keeps quiet about it.
pub fn panics_are_caught() -> bool {
    GUARDED.load(Ordering::Relaxed) > 0
}

/// Run `f`, turning a panic (tantivy's decoders panic on some damaged bytes) into its message.
pub fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    GUARDED.fetch_add(1, Ordering::Relaxed);
    let out = std::panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::Relaxed);
    out.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a decoder failed".to_string())
    })
}

/// Check the index in `dir`. Errors only when there is no tipdex index to check (no index,
/// another program's, another layout); damage is in the report.
pub fn verify(dir: &Path) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let store = match guard(|| Store::open(dir)) {
        Ok(Ok(store)) => store,
        Ok(Err(Error::Damaged { file, what, .. })) => {
            report.problems.push(Problem { file, what });
            return Ok(report);
        }
        Ok(Err(other)) => return Err(other),
        Err(panic) => {
            report.problems.push(Problem {
                file: None,
                what: format!("opening it failed ({panic})"),
            });
            return Ok(report);
        }
    };
    let info = store.info()?;
    report.incomplete = info.is_incomplete();
    let reader = match guard(|| store.reader()) {
        Ok(Ok(reader)) => reader,
        Ok(Err(e)) => {
            let fallback = failing_segment(&store);
            report.problems.push(problem_of(e, fallback));
            return Ok(report);
        }
        Err(panic) => {
            report.problems.push(Problem {
                file: failing_segment(&store),
                what: format!("opening its segments failed ({panic})"),
            });
            return Ok(report);
        }
    };
    let searcher = reader.searcher();
    let mut records: HashMap<u64, Vec<DocRecord>> = HashMap::new();
    let mut passages: HashMap<u64, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        report.segments += 1;
        let id = segment.segment_id().uuid_string();
        let file = |ext: &str| PathBuf::from(format!("{id}.{ext}"));
        match guard(|| read_stored(&store, segment, &mut records, &mut passages)) {
            Ok(Ok((r, p))) => {
                report.records += r;
                report.passages += p;
            }
            Ok(Err(what)) => report.problems.push(Problem {
                file: Some(file("store")),
                what,
            }),
            Err(panic) => report.problems.push(Problem {
                file: Some(file("store")),
                what: format!("its stored documents cannot be decoded ({panic})"),
            }),
        }
        match guard(|| read_postings(segment)) {
            Ok(Ok(lists)) => report.posting_lists += lists,
            Ok(Err((ext, what))) => report.problems.push(Problem {
                file: Some(file(ext)),
                what,
            }),
            Err(panic) => report.problems.push(Problem {
                file: Some(file("idx")),
                what: format!("its postings cannot be decoded ({panic})"),
            }),
        }
    }
    if report.problems.is_empty() {
        report
            .problems
            .extend(payload_against_records(&info.roots, &records, &passages));
    }
    report.problems.extend(vector_problems(dir));
    Ok(report)
}

/// Damaged vector chunks (semantic search): each read whole and its checksum checked, which a
/// search's open leaves out to stay cheap.
fn vector_problems(dir: &Path) -> Vec<Problem> {
    use crate::semantic::vectors::{verify_chunks, VectorStore};
    if !VectorStore::enabled(dir) {
        return Vec::new();
    }
    let lists = crate::semantic::lists::verify(dir).map(|what| {
        what.map(|what| Problem {
            file: Some(crate::semantic::lists::relative_path()),
            what: format!("{what}; `tipdex index --semantic` builds it again"),
        })
    });
    let sketches = crate::semantic::sketch::verify(dir).map(|faults| {
        faults.into_iter().map(|(file, what)| Problem {
            file: Some(file),
            what: format!("{what}; `tipdex index --semantic` builds it again"),
        })
    });
    match verify_chunks(dir).and_then(|d| Ok((d, lists?, sketches?))) {
        Ok((damaged, lists, sketches)) => damaged
            .into_iter()
            .map(|d| Problem {
                file: Some(d.file),
                what: format!(
                    "{}; `tipdex index --semantic` embeds its documents again",
                    d.what
                ),
            })
            .chain(lists)
            .chain(sketches)
            .collect(),
        Err(e) => vec![Problem {
            file: Some(PathBuf::from(crate::semantic::vectors::FOLDER)),
            what: e.to_string(),
        }],
    }
}

/// The files of the first segment that cannot be opened on its own (`ID.*`: tantivy does not
/// say which of them failed to parse), when opening all of them failed.
fn failing_segment(store: &Store) -> Option<PathBuf> {
    let segments = store.index.searchable_segments().ok()?;
    segments.iter().find_map(|segment| {
        let opened = guard(|| SegmentReader::open(segment));
        match opened {
            Ok(Ok(_)) => None,
            _ => Some(PathBuf::from(format!("{}.*", segment.id().uuid_string()))),
        }
    })
}

fn problem_of(e: Error, fallback: Option<PathBuf>) -> Problem {
    match e {
        Error::Damaged { file, what, .. } => Problem {
            file: file.or(fallback),
            what,
        },
        Error::Engine(e) => Problem {
            file: fallback,
            what: format!("it cannot be read ({e})"),
        },
        other => Problem {
            file: fallback,
            what: other.to_string(),
        },
    }
}

/// Read every stored document of `segment`: records decoded, passages counted per key.
fn read_stored(
    store: &Store,
    segment: &SegmentReader,
    records: &mut HashMap<u64, Vec<DocRecord>>,
    passages: &mut HashMap<u64, u32>,
) -> std::result::Result<(u64, u64), String> {
    let fields = &store.fields;
    let docs = segment
        .get_store_reader(1)
        .map_err(|e| format!("its document store cannot be opened ({e})"))?;
    let (mut r, mut p) = (0, 0);
    for doc_id in segment.doc_ids_alive() {
        let doc: TantivyDocument = docs
            .get(doc_id)
            .map_err(|e| format!("stored document {doc_id} cannot be read ({e})"))?;
        // `kind` is indexed, not stored: a record is the document that stores its JSON.
        let key = doc.get_first(fields.doc_key).and_then(|v| v.as_u64());
        if let Some(json) = doc.get_first(fields.record).and_then(|v| v.as_str()) {
            let record: DocRecord = serde_json::from_str(json)
                .map_err(|e| format!("document record {doc_id} cannot be decoded ({e})"))?;
            records.entry(record.key).or_default().push(record);
            r += 1;
        } else if let Some(key) = key {
            *passages.entry(key).or_default() += 1;
            p += 1;
        }
    }
    Ok((r, p))
}

/// Decode the postings of a sample of every indexed field's terms. Returns the posting lists
/// read, or the component (`idx`, `pos`, `term`) at fault and what is wrong.
fn read_postings(segment: &SegmentReader) -> std::result::Result<u64, (&'static str, String)> {
    let schema = segment.schema();
    let max_doc = segment.max_doc();
    let mut lists = 0;
    let mut positions = Vec::new();
    for (field, entry) in schema.fields() {
        let Some(option) = entry.field_type().index_record_option() else {
            continue;
        };
        let name = entry.name();
        let inverted = segment
            .inverted_index(field)
            .map_err(|e| ("idx", format!("field {name} cannot be opened ({e})")))?;
        let terms = inverted.terms();
        let step = (terms.num_terms() / TERMS_PER_FIELD).max(1);
        let mut stream = terms
            .stream()
            .map_err(|e| ("term", format!("terms of {name} cannot be read ({e})")))?;
        let mut ordinal = 0usize;
        while stream.advance() {
            ordinal += 1;
            if !(ordinal - 1).is_multiple_of(step) {
                continue;
            }
            let info = stream.value().clone();
            let mut postings = inverted
                .read_postings_from_terminfo(&info, option)
                .map_err(|e| ("idx", format!("postings of {name} cannot be read ({e})")))?;
            let mut count = 0u32;
            let mut previous: Option<u32> = None;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if doc >= max_doc || previous.is_some_and(|p| doc <= p) {
                    return Err((
                        "idx",
                        format!("postings of {name} point at documents that cannot be there"),
                    ));
                }
                if option.has_positions() {
                    positions.clear();
                    postings.positions(&mut positions);
                    let tf = postings.term_freq() as usize;
                    if positions.len() != tf || positions.windows(2).any(|w| w[0] > w[1]) {
                        return Err(("pos", format!("positions of {name} are out of order")));
                    }
                } else if option == IndexRecordOption::WithFreqs && postings.term_freq() == 0 {
                    return Err(("idx", format!("postings of {name} have zero frequencies")));
                }
                previous = Some(doc);
                count += 1;
                doc = postings.advance();
            }
            if count != info.doc_freq {
                return Err((
                    "idx",
                    format!(
                        "a term of {name} lists {count} documents where the dictionary says {}",
                        info.doc_freq
                    ),
                ));
            }
            lists += 1;
        }
    }
    Ok(lists)
}

/// The commit payload and the records must tell the same story.
fn payload_against_records(
    roots: &[PathBuf],
    records: &HashMap<u64, Vec<DocRecord>>,
    passages: &HashMap<u64, u32>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let meta = || Some(PathBuf::from("meta.json"));
    let mut unlisted: Vec<&Path> = records
        .values()
        .flatten()
        .map(|r| r.root.as_path())
        .filter(|root| !roots.iter().any(|r| r == root))
        .collect();
    unlisted.sort();
    unlisted.dedup();
    if let Some(root) = unlisted.first() {
        problems.push(Problem {
            file: meta(),
            what: format!(
                "its commit payload does not list {}, where {} of its documents come from",
                root.display(),
                unlisted.len()
            ),
        });
    }
    let twice = records.values().filter(|r| r.len() > 1).count();
    if twice > 0 {
        problems.push(Problem {
            file: None,
            what: format!("{twice} documents have more than one record"),
        });
    }
    let mismatched: Vec<&DocRecord> = records
        .values()
        .flatten()
        .filter(|r| passages.get(&r.key).copied().unwrap_or(0) != r.passages)
        .collect();
    if let Some(first) = mismatched.first() {
        problems.push(Problem {
            file: None,
            what: format!(
                "{} documents do not have the passages their records count (e.g. {}: {} counted, {} found)",
                mismatched.len(),
                first.rel_path,
                first.passages,
                passages.get(&first.key).copied().unwrap_or(0)
            ),
        });
    }
    let orphans = passages.keys().filter(|k| !records.contains_key(k)).count();
    if orphans > 0 {
        problems.push(Problem {
            file: None,
            what: format!("passages of {orphans} documents have no record"),
        });
    }
    problems
}
