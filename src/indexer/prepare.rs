//! One file through the pipeline: read → extract → metadata → clean → passages.
//!
//! Pure with respect to the index: it reads the file (and its sidecar) and returns what should be
//! written, so many files can be prepared in parallel while one thread writes.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use rayon::prelude::*;

use crate::clean::{clean, strip_page_furniture};
use crate::ingest::{self, sidecar, Candidate, ExtractError, Extraction, FileStamp};
use crate::metadata::{self, Hint, MetaInput, SizedLine};
use crate::passage::{blank_line_starts, split, split_sections, PassageConfig};
use crate::record::{
    content_hash, doc_id, doc_key, item_key, raw_rel_path, DocRecord, RecordSummary,
    EXTRACTOR_VERSION,
};
use crate::text::Words;

/// Characters of clean text kept in the record for `tipdex show`.
const HEAD_CHARS: usize = 600;

/// Passages indexed per document. A 2,000-page report makes about 10,000; past this a file is
/// generated or hostile, and its first passages are indexed with a note (one 0.9 MB DOCX made
/// 306,156 passages, 14.6 s and 721 MB).
pub(crate) const MAX_PASSAGES: usize = 20_000;

/// A document ready to be written.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// Its record.
    pub record: DocRecord,
    /// Clean text the passages point into.
    pub text: String,
    /// Passage byte ranges into `text`.
    pub passages: Vec<Range<usize>>,
    /// Page (1-based) of each passage, for paged formats; empty otherwise.
    pub pages: Vec<u32>,
}

/// What became of one file.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Extracted and ready to write: one document, or every document of a collection.
    Indexed {
        /// The documents.
        docs: Vec<Prepared>,
        /// Non-fatal problems: an unreadable sidecar, collection lines skipped.
        warnings: Vec<String>,
    },
    /// Same bytes and sidecar as the indexed version: only the records' stamps change.
    Touched(Vec<DocRecord>),
    /// A new path with the same bytes as a document that left its old path: re-key it.
    Moved {
        /// The record at the old path.
        from: Box<DocRecord>,
        /// The record for the new path.
        to: Box<DocRecord>,
    },
    /// Deliberately not indexed (empty, too large, no text after boilerplate removal).
    Skipped(String),
    /// Could not be processed; the reason says what to do.
    Failed(String),
}

/// Reads a full record from the index by key (the planner holds only summaries).
pub(crate) type RecordSource<'a> = &'a (dyn Fn(u64) -> Option<DocRecord> + Sync);

/// Prepare `candidate`. `existing` holds its records' summaries (one per document; a collection
/// has many); `movable` holds those it may have been moved from, by content hash; `records`
/// reads a full record when the file turns out unchanged or moved; `now` is the run's time;
/// extraction gives up after `timeout`.
pub(crate) fn prepare(
    candidate: &Candidate,
    existing: &[RecordSummary],
    movable: &HashMap<String, RecordSummary>,
    records: RecordSource<'_>,
    max_bytes: u64,
    timeout: Duration,
    now: i64,
) -> Outcome {
    let (stamp, bytes) = match read_settled(&candidate.path, max_bytes, ingest::read) {
        Ok(read) => read,
        Err(outcome) => return outcome,
    };
    let hash = content_hash(&bytes);
    let sidecar_path = sidecar::find(&candidate.path);
    let sidecar = sidecar_path.as_deref().and_then(FileStamp::of);
    if !existing.is_empty()
        && existing
            .iter()
            .all(|r| r.hash == hash && r.sidecar == sidecar && r.current())
    {
        // A record that cannot be read back is rebuilt below by extracting the file again.
        let full: Option<Vec<DocRecord>> = existing.iter().map(|r| records(r.key)).collect();
        if let Some(full) = full {
            let touched = full
                .into_iter()
                .map(|old| DocRecord {
                    stamp,
                    indexed_at: now,
                    ..old
                })
                .collect();
            return Outcome::Touched(touched);
        }
    }
    // A sidecar can change metadata, so only a file that moved with the same (or no) sidecar
    // keeps its old extraction.
    let moved_from = movable
        .get(&hash)
        .filter(|old| {
            existing.is_empty()
                && old.item.is_none()
                && old.current()
                && sidecar::same(old.sidecar, sidecar)
        })
        .and_then(|old| records(old.key));
    if let Some(old) = moved_from {
        let record = moved_record(&old, candidate, stamp, sidecar, now);
        return Outcome::Moved {
            from: Box::new(old),
            to: Box::new(record),
        };
    }

    let extraction = match ingest::extract_guarded(bytes, candidate.format, timeout) {
        Ok(e) => e,
        Err(e @ (ExtractError::Empty | ExtractError::NoText(_))) => {
            return Outcome::Skipped(e.to_string())
        }
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut warnings = Vec::new();
    let sidecar_hints = match sidecar_path.as_deref().map(sidecar::read) {
        Some(Ok(hints)) => hints,
        Some(Err(w)) => {
            warnings.push(w);
            Vec::new()
        }
        None => Vec::new(),
    };
    let base = Base {
        candidate,
        stamp,
        sidecar,
        hash,
        now,
        truncated: None,
    };
    match extraction {
        Extraction::Single(e) => {
            let mut declared = sidecar_hints;
            declared.extend(e.declared);
            let mut base = base;
            base.truncated = e.truncated;
            let hints = Hints {
                declared,
                embedded: e.embedded,
                cover: &e.cover,
            };
            match base.document(None, &e.text, &e.pages, e.sections, hints) {
                Some(doc) => Outcome::Indexed {
                    docs: vec![doc],
                    warnings,
                },
                None => Outcome::Skipped("no text left after removing boilerplate".into()),
            }
        }
        Extraction::Collection { docs, bad_lines } => {
            for bad in &bad_lines {
                warnings.push(format!("line {}: {}; line skipped", bad.line, bad.reason));
            }
            let prepared: Vec<Prepared> = docs
                .into_par_iter()
                .filter_map(|d| {
                    // A line's own fields are more specific than a sidecar for the whole file.
                    let mut declared = d.hints;
                    declared.extend(sidecar_hints.iter().cloned());
                    let hints = Hints {
                        declared,
                        embedded: Vec::new(),
                        cover: &[],
                    };
                    base.document(Some(d.id), &d.text, &[], false, hints)
                })
                .collect();
            if prepared.is_empty() {
                let first = warnings.first().cloned().unwrap_or_default();
                return Outcome::Failed(format!(
                    "no readable document in this JSON Lines file ({first})"
                ));
            }
            Outcome::Indexed {
                docs: prepared,
                warnings,
            }
        }
    }
}

/// How often a file that keeps changing under the reader is read before this run gives up on it.
const READ_ATTEMPTS: usize = 3;

/// The file's bytes together with the stamp that belongs to them.
///
/// The file is stat'ed before and after reading. When the two differ it changed while we read
/// it (truncated, rewritten, still being downloaded), so the bytes may be a mix of versions: it is
/// read again, and after [`READ_ATTEMPTS`] the file fails for this run. A failed file keeps its
/// old passages, and its new stamp makes the next run read it again. `read` is the reading step
/// (a parameter so tests can change the file at exactly that moment).
fn read_settled(
    path: &Path,
    max_bytes: u64,
    read: impl Fn(&Path, u64) -> Result<Vec<u8>, ExtractError>,
) -> Result<(FileStamp, Vec<u8>), Outcome> {
    const GONE: &str = "cannot read file: it vanished or is not accessible";
    for _ in 0..READ_ATTEMPTS {
        let Some(before) = FileStamp::of(path) else {
            return Err(Outcome::Failed(GONE.into()));
        };
        let bytes = match read(path, max_bytes) {
            Ok(b) => b,
            Err(e @ (ExtractError::TooLarge { .. } | ExtractError::Empty)) => {
                return Err(Outcome::Skipped(e.to_string()))
            }
            Err(e) => return Err(Outcome::Failed(e.to_string())),
        };
        match FileStamp::of(path) {
            Some(after) if after == before => return Ok((before, bytes)),
            Some(_) => continue,
            None => {
                return Err(Outcome::Failed(
                    "the file was deleted while it was being read; the next run removes it".into(),
                ))
            }
        }
    }
    Err(Outcome::Failed(format!(
        "the file kept changing while it was being read ({READ_ATTEMPTS} attempts); if it is still being written, run `tipdex index` again when it is complete"
    )))
}

/// What a document says about itself besides its text.
struct Hints<'a> {
    declared: Vec<Hint>,
    embedded: Vec<Hint>,
    cover: &'a [SizedLine],
}

/// What every document of one file shares.
struct Base<'a> {
    candidate: &'a Candidate,
    stamp: FileStamp,
    sidecar: Option<FileStamp>,
    hash: String,
    now: i64,
    /// What extraction left out of the file, if anything.
    truncated: Option<String>,
}

impl Base<'_> {
    /// metadata → clean → passages for one document of the file (`item` names it within a
    /// collection; `sections`: blank lines start sections, see `Extracted::sections`). None
    /// when nothing is left to index.
    fn document(
        &self,
        item: Option<String>,
        raw: &str,
        pages: &[String],
        sections: bool,
        hints: Hints,
    ) -> Option<Prepared> {
        let c = self.candidate;
        let file_name = c.rel_path.rsplit('/').next().unwrap_or(&c.rel_path);
        let folder = c.rel_path.split_once('/').map(|(first, _)| first);
        let metadata = metadata::extract(&MetaInput {
            text: raw,
            declared: hints.declared,
            embedded: hints.embedded,
            cover: hints.cover,
            pages,
            folder,
            // A collection's documents are named by their ids, not by the file's name.
            file_name: item.as_deref().unwrap_or(file_name),
        });
        let (text, page_starts) = if pages.is_empty() {
            (clean(raw), Vec::new())
        } else {
            clean_pages(pages)
        };
        let mut passages = if sections {
            // clean keeps blank lines between kept lines, so the section starts survive it.
            split_sections(&text, &blank_line_starts(&text), PassageConfig::default())
        } else if !page_starts.is_empty() {
            // A passage cited by its page must lie on it: each page is split on its own, so no
            // passage crosses a page break.
            split_pages(&text, &page_starts)
        } else {
            split(&text, PassageConfig::default())
        };
        if passages.is_empty() {
            return None;
        }
        let mut truncated = self.truncated.clone();
        if passages.len() > MAX_PASSAGES {
            let note = format!(
                "first {MAX_PASSAGES} of {} passages indexed",
                passages.len()
            );
            truncated = Some(match truncated {
                Some(before) => format!("{before}; {note}"),
                None => note,
            });
            passages.truncate(MAX_PASSAGES);
        }
        let mut text = text;
        if truncated.is_some() {
            // Nothing past the last passage is searchable, so nothing past it is kept.
            text.truncate(passages.last().map_or(0, |p| p.end));
        }
        let pages = passages
            .iter()
            .map(|p| page_starts.partition_point(|&start| start <= p.start) as u32)
            .filter(|_| !page_starts.is_empty())
            .collect();
        let key = match &item {
            Some(id) => item_key(&c.path, id),
            None => doc_key(&c.path),
        };
        // A heading chain leaves the text for the title and context ("§ 1591. Sex
        // trafficking…"), so they are read for topics too.
        let headings: Vec<&str> = [&metadata.context, &metadata.title]
            .into_iter()
            .flatten()
            .map(|f| f.value.as_str())
            .collect();
        // One word split serves the reprint signature and both gazetteers.
        let words = Words::new(&text);
        let topics = crate::entities::topics::topics().count_in(&headings, &words, &passages);
        let countries = crate::entities::countries::gazetteer().count_in(&words, &passages);
        let signature = crate::reprints::signature_of(&words);
        let record = DocRecord {
            id: item.clone().unwrap_or_else(|| doc_id(key)),
            key,
            item,
            root: c.root.clone(),
            rel_path: c.rel_path.clone(),
            rel_path_raw: raw_rel_path(&c.root, &c.path),
            format: c.format,
            stamp: self.stamp,
            sidecar: self.sidecar,
            hash: self.hash.clone(),
            metadata,
            passages: u32::try_from(passages.len()).unwrap_or(u32::MAX),
            text_bytes: text.len() as u64,
            head: text.chars().take(HEAD_CHARS).collect(),
            indexed_at: self.now,
            extractor: EXTRACTOR_VERSION,
            truncated,
            acronyms: crate::acronyms::definitions(&text),
            // Stamped by the run, which knows the document's earlier record.
            added_ms: 0,
            changed_ms: 0,
            signature,
            countries,
            topics,
        };
        Some(Prepared {
            record,
            text,
            passages,
            pages,
        })
    }
}

/// Passages of each page on its own (`starts`: where each page begins in `text`).
fn split_pages(text: &str, starts: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (i, &from) in starts.iter().enumerate() {
        let to = starts.get(i + 1).copied().unwrap_or(text.len());
        out.extend(
            split(&text[from..to], PassageConfig::default())
                .into_iter()
                .map(|r| r.start + from..r.end + from),
        );
    }
    out
}

/// Clean each page on its own (page furniture repeats per page) and join them, returning the
/// byte offset where each page starts in the joined text.
fn clean_pages(pages: &[String]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    for page in &strip_page_furniture(pages) {
        let cleaned = clean(page);
        if !text.is_empty() && !cleaned.is_empty() {
            text.push_str("\n\n");
        }
        starts.push(text.len());
        text.push_str(&cleaned);
    }
    (text, starts)
}

/// The old record under its new path: fields that came from the path (the folder as source,
/// the file name as title) are decided again by the same rules.
fn moved_record(
    old: &DocRecord,
    c: &Candidate,
    stamp: FileStamp,
    sidecar: Option<FileStamp>,
    now: i64,
) -> DocRecord {
    let key = doc_key(&c.path);
    let file_name = c.rel_path.rsplit('/').next().unwrap_or(&c.rel_path);
    let folder = c.rel_path.split_once('/').map(|(first, _)| first);
    let from_path = metadata::extract(&MetaInput {
        folder,
        file_name,
        ..MetaInput::default()
    });
    let mut m = old.metadata.clone();
    let from_name = |from: &str| from == metadata::FROM_FILE_NAME;
    // The first sentence titles a file only while its name is an identifier; under a real
    // name the name wins again, as a fresh extraction would decide.
    let from_sentence = |from: &str| from.starts_with(metadata::FROM_FIRST_SENTENCE);
    if m.title.as_ref().is_some_and(|t| {
        from_name(&t.from) || (from_sentence(&t.from) && !metadata::identifier_like(file_name))
    }) {
        m.title = from_path.title;
    }
    // The folder rule is the last resort, so it applies when the source came from the old
    // folder or from nowhere.
    if m.source
        .as_ref()
        .is_none_or(|s| s.from == metadata::FROM_FOLDER)
    {
        m.source = from_path.source;
    }
    DocRecord {
        id: doc_id(key),
        key,
        root: c.root.clone(),
        rel_path: c.rel_path.clone(),
        rel_path_raw: raw_rel_path(&c.root, &c.path),
        stamp,
        sidecar,
        metadata: m,
        indexed_at: now,
        ..old.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Format;

    /// `bytes` saved as `name` in `dir`, listed as the walk lists it.
    fn written(dir: &Path, name: &str, format: Format, bytes: &[u8]) -> Candidate {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Candidate {
            path,
            root: dir.to_path_buf(),
            rel_path: name.into(),
            format,
            size: bytes.len() as u64,
            mtime_ns: 0,
        }
    }

    /// What a first run makes of `candidate`: no records yet, no size limit, a time limit no
    /// test file comes near.
    fn prepare_new(candidate: &Candidate) -> Outcome {
        let records = |_key: u64| None;
        let timeout = Duration::from_secs(600);
        prepare(
            candidate,
            &[],
            &HashMap::new(),
            &records,
            u64::MAX,
            timeout,
            0,
        )
    }

    #[test]
    fn an_unchanged_file_is_touched_unless_an_older_extractor_made_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Crews were held in debt bondage on trawlers.";
        let candidate = written(dir.path(), "report.txt", Format::Text, text.as_bytes());
        let run = |existing: &[RecordSummary], record: Option<DocRecord>| {
            let records = move |_key: u64| record.clone();
            prepare(
                &candidate,
                existing,
                &HashMap::new(),
                &records,
                1 << 20,
                Duration::from_secs(10),
                0,
            )
        };
        let Outcome::Indexed { docs, .. } = run(&[], None) else {
            panic!("a new file is extracted");
        };
        let record = docs.into_iter().next().unwrap().record;
        assert_eq!(record.extractor, EXTRACTOR_VERSION);
        let summary: RecordSummary =
            serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert!(matches!(
            run(std::slice::from_ref(&summary), Some(record.clone())),
            Outcome::Touched(_)
        ));
        // The same bytes, recorded by an older extractor: extracted again, by today's rules.
        let old = DocRecord {
            extractor: 0,
            ..record
        };
        let old_summary = RecordSummary {
            extractor: 0,
            ..summary
        };
        match run(&[old_summary], Some(old)) {
            Outcome::Indexed { docs, .. } => {
                assert_eq!(docs[0].record.extractor, EXTRACTOR_VERSION);
            }
            other => panic!("expected a new extraction, got {other:?}"),
        }
    }

    #[test]
    fn passages_past_the_limit_are_left_out_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        // Every heading starts a passage: 21,000 sections of 50 words, 6.5 MB.
        let section = format!("{}.", "labour ".repeat(50).trim_end());
        let md: String = (0..21_000)
            .map(|i| format!("# Part {i}\n\n{section}\n\n"))
            .collect();
        let candidate = written(dir.path(), "sections.md", Format::Markdown, md.as_bytes());
        let outcome = prepare_new(&candidate);
        let Outcome::Indexed { docs, .. } = outcome else {
            panic!("expected a document, got {outcome:?}");
        };
        let doc = &docs[0];
        assert_eq!(doc.passages.len(), MAX_PASSAGES);
        assert_eq!(doc.record.passages as usize, MAX_PASSAGES);
        assert_eq!(
            doc.record.truncated.as_deref(),
            Some("first 20000 of 21000 passages indexed")
        );
        assert_eq!(doc.text.len(), doc.passages.last().unwrap().end);
    }

    fn failed_reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Failed(reason) => reason,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_file_truncated_while_read_is_read_again_and_stamped_with_its_new_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        std::fs::write(&path, "forced labour in fishing fleets, ".repeat(100)).unwrap();
        let calls = std::cell::Cell::new(0);
        // The first read sees the file cut in half after it was stat'ed.
        let (stamp, bytes) = read_settled(&path, 1 << 20, |p, max| {
            calls.set(calls.get() + 1);
            if calls.get() == 1 {
                let full = std::fs::read(p).unwrap();
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .unwrap()
                    .set_len(full.len() as u64 / 2)
                    .unwrap();
                return Ok(full);
            }
            ingest::read(p, max)
        })
        .unwrap();
        assert_eq!(calls.get(), 2, "read again after the change");
        assert_eq!(bytes.len(), 1650);
        assert_eq!(
            stamp,
            FileStamp::of(&path).unwrap(),
            "stamp belongs to these bytes"
        );
    }

    #[test]
    fn a_file_that_keeps_changing_fails_for_this_run_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("download.txt");
        std::fs::write(&path, "partial ").unwrap();
        let reason = failed_reason(
            read_settled(&path, 1 << 20, |p, max| {
                let bytes = ingest::read(p, max);
                // Still being written: every read is followed by more bytes.
                let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
                std::io::Write::write_all(&mut f, b"more ").unwrap();
                bytes
            })
            .unwrap_err(),
        );
        assert!(
            reason.starts_with("the file kept changing while it was being read (3 attempts)"),
            "{reason}"
        );
        assert!(reason.contains("run `tipdex index` again"), "{reason}");
    }

    #[test]
    fn a_file_deleted_while_read_is_a_failure_not_a_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.txt");
        std::fs::write(&path, "victim identification").unwrap();
        let reason = failed_reason(
            read_settled(&path, 1 << 20, |p, max| {
                let bytes = ingest::read(p, max);
                std::fs::remove_file(p).unwrap();
                bytes
            })
            .unwrap_err(),
        );
        assert!(
            reason.contains("deleted while it was being read"),
            "{reason}"
        );
    }

    /// Prepare every file of a folder of the shared corpus as `tipdex index` would; `None` when
    /// this machine does not have it.
    fn prepare_shared(folder: &str) -> Option<Vec<(String, DocRecord)>> {
        let root =
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora")).join(folder);
        let links = crate::ingest::walk::Links::default();
        let Ok(walked) = crate::ingest::walk::walk_excluding(&root, None, &links, &[]) else {
            eprintln!("skipped: {} is not on this machine", root.display());
            return None;
        };
        let mut out = Vec::new();
        for candidate in &walked.files {
            if let Outcome::Indexed { docs, .. } = prepare_new(candidate) {
                for d in docs {
                    out.push((candidate.rel_path.clone(), d.record));
                }
            }
        }
        Some(out)
    }

    /// Letters and digits only, lowercase: titles compare case-, punctuation- and
    /// space-insensitively.
    fn squash(s: &str) -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// The metadata gold of the real reports (title, publisher, printed year, judged by
    /// reading them) against what indexing decides.
    #[test]
    fn real_reports_meet_the_metadata_gold() {
        let gold_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/eval/metadata/pdf-reports.tsv"
        );
        let Ok(gold) = std::fs::read_to_string(gold_path) else {
            eprintln!("skipped: {gold_path} is not on this machine");
            return;
        };
        let Some(prepared) = prepare_shared("pdf-reports") else {
            return;
        };
        let (mut titles, mut sources, mut rows) = (0, 0, 0);
        let mut report = Vec::new();
        for line in gold.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [file, title, source, year] = cols[..] else {
                continue;
            };
            rows += 1;
            let record = &prepared
                .iter()
                .find(|(rel, _)| rel == file)
                .unwrap_or_else(|| panic!("{file} was not indexed"))
                .1;
            let m = &record.metadata;
            let got_title = m
                .title
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default();
            let show = |f: &Option<metadata::Field<String>>| {
                f.as_ref().map(|f| format!("{} [{}]", f.value, f.from))
            };
            eprintln!(
                "{file}\n  title {:?}\n  source {:?}\n  date {:?}",
                show(&m.title),
                show(&m.source),
                m.date.as_ref().map(|d| format!("{} [{}]", d.value, d.from))
            );
            if squash(&got_title) == squash(title) {
                titles += 1;
            } else {
                report.push(format!("{file}: title {got_title:?}, want {title:?}"));
            }
            let got_source = m.source.as_ref().map(|s| s.value.clone());
            let source_right = match (source, &got_source) {
                ("-", None) => true,
                ("-", Some(s)) => {
                    panic!("{file}: source {s:?} guessed where the document names none")
                }
                (want, Some(got)) => want.split(" || ").any(|w| squash(w) == squash(got)),
                (_, None) => false,
            };
            if source_right {
                sources += 1;
            } else {
                report.push(format!("{file}: source {got_source:?}, want {source:?}"));
            }
            if year != "-" {
                let got_year = m
                    .date
                    .as_ref()
                    .map(|d| d.value.to_string()[..4].to_string());
                assert_eq!(got_year.as_deref(), Some(year), "{file}: printed year");
            }
        }
        assert_eq!(rows, 13, "the gold lists 13 reports");
        eprintln!(
            "titles {titles}/13, sources {sources}/13\n{}",
            report.join("\n")
        );
        assert!(titles >= 12, "titles {titles}/13:\n{}", report.join("\n"));
        assert!(
            sources >= 11,
            "sources {sources}/13:\n{}",
            report.join("\n")
        );
    }

    /// Every US Code section of the shared corpus is titled by its § heading, with the title
    /// and chapter headings as its context and out of its text and source.
    #[test]
    fn us_code_sections_are_titled_by_their_section_heading() {
        let Some(prepared) = prepare_shared("uscode-trafficking") else {
            return;
        };
        let sections: Vec<_> = prepared
            .iter()
            .filter(|(rel, _)| rel.contains("/ch") || rel.contains("-ch"))
            .collect();
        assert_eq!(sections.len(), 165);
        for (rel, record) in sections {
            let m = &record.metadata;
            let title = &m.title.as_ref().unwrap().value;
            assert!(title.starts_with("§ "), "{rel}: title {title:?}");
            let context = &m.context.as_ref().unwrap().value;
            assert!(
                context.starts_with("Title ") && context.contains(" › CHAPTER "),
                "{rel}: context {context:?}"
            );
            assert_eq!(
                m.source, None,
                "{rel}: a statute section names no publisher"
            );
            assert!(
                !record.head.contains("CHAPTER "),
                "{rel}: {:?}",
                record.head
            );
        }
    }

    /// The record `tipdex index` makes of a PDF with these bytes, saved as `name`.
    fn prepare_pdf(bytes: &[u8], name: &str) -> DocRecord {
        let dir = tempfile::tempdir().unwrap();
        let candidate = written(dir.path(), name, Format::Pdf, bytes);
        let Outcome::Indexed { mut docs, .. } = prepare_new(&candidate) else {
            panic!("{name} was not indexed");
        };
        docs.remove(0).record
    }

    fn field(f: &Option<metadata::Field<String>>) -> (String, String) {
        let f = f.as_ref().expect("a value");
        (f.value.clone(), f.from.clone())
    }

    #[test]
    fn a_banner_above_a_two_line_cover_title_is_not_the_title() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf};
        let mut cover = vec![
            // Set as large as the title and just above it: only its words tell it apart.
            line(36, 640, "CONFIDENTIAL - DRAFT"),
            line(36, 600, "Forced Labour in"),
            line(36, 560, "Inland Fisheries"),
            line(20, 520, "A Field Assessment"),
        ];
        cover.extend(body_lines(1, 300, 4));
        let inside = body_lines(2, 700, 30);
        let r = prepare_pdf(&pdf(&[cover, inside], &[]), "report.pdf");
        assert_eq!(
            field(&r.metadata.title),
            (
                "Forced Labour in Inland Fisheries: A Field Assessment".into(),
                "pdf cover: largest text, page 1".into()
            )
        );
    }

    #[test]
    fn a_letter_spaced_cover_date_is_a_date_and_not_the_title() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf, Drawn};
        let mut cover = vec![
            Drawn {
                size: 14,
                y: 700,
                tracking: 5.0,
                text: "APRIL 2017".into(),
            },
            line(40, 500, "Labour Inspection Review"),
        ];
        cover.extend(body_lines(3, 300, 3));
        let r = prepare_pdf(
            &pdf(
                &[cover, body_lines(4, 700, 30)],
                &[("CreationDate", "D:20190301000000Z")],
            ),
            "review.pdf",
        );
        assert_eq!(
            r.metadata.title.as_ref().unwrap().value,
            "Labour Inspection Review"
        );
        let date = r.metadata.date.as_ref().unwrap();
        assert_eq!(
            (date.value.to_string(), date.from.as_str()),
            ("2017-04".to_string(), "pdf cover: date line, page 1")
        );
    }

    #[test]
    fn a_cover_letter_defers_to_the_cover_after_it() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf};
        let mut letter = vec![
            line(22, 740, "Regional Support Office"),
            line(11, 700, "Dear colleagues,"),
        ];
        letter.extend(body_lines(5, 680, 8));
        letter.push(line(11, 500, "Kind regards,"));
        let mut cover = vec![line(40, 520, "Shelter Standards Handbook")];
        cover.extend(body_lines(6, 300, 2));
        let r = prepare_pdf(
            &pdf(&[letter, cover, body_lines(7, 700, 30)], &[]),
            "handbook.pdf",
        );
        assert_eq!(
            field(&r.metadata.title),
            (
                "Shelter Standards Handbook".into(),
                "pdf cover: largest text, page 2".into()
            )
        );
    }

    #[test]
    fn a_file_name_in_the_title_field_is_not_the_title() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf};
        // One font size throughout: no cover to read, so the first text line titles it.
        let mut page = vec![line(11, 740, "Guidance on Victim Referral")];
        page.extend(body_lines(8, 720, 30));
        let bytes = pdf(
            &[page.clone()],
            &[("Title", "Microsoft Word - referral_v3.docx")],
        );
        let r = prepare_pdf(&bytes, "referral_v3.pdf");
        assert_eq!(
            field(&r.metadata.title),
            ("Guidance on Victim Referral".into(), "text: line 1".into())
        );
        let bytes = pdf(
            &[page.clone()],
            &[("Title", "Draft Referral Guide - v5.docx")],
        );
        assert_eq!(
            prepare_pdf(&bytes, "x.pdf").metadata.title.unwrap().value,
            "Guidance on Victim Referral"
        );
        // A real title in the field counts when the cover has no display type.
        let bytes = pdf(&[page], &[("Title", "National Referral Guidance 2020")]);
        assert_eq!(
            field(&prepare_pdf(&bytes, "x.pdf").metadata.title),
            (
                "National Referral Guidance 2020".into(),
                "pdf info /Title".into()
            )
        );
    }

    #[test]
    fn one_font_size_throughout_has_no_cover_title() {
        use crate::ingest::pdf_fixture::{body_lines, pdf};
        let bytes = pdf(&[body_lines(9, 740, 30), body_lines(10, 740, 30)], &[]);
        let r = prepare_pdf(&bytes, "field_notes_2019.pdf");
        // Every line is running text: the title is the file name made readable.
        assert_eq!(
            field(&r.metadata.title),
            ("field notes 2019".into(), metadata::FROM_FILE_NAME.into())
        );
    }

    #[test]
    fn a_copyright_line_on_page_two_names_the_publisher_in_its_canonical_form() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf};
        let mut cover = vec![line(40, 520, "Migrant Workers at Risk")];
        cover.extend(body_lines(11, 300, 2));
        let mut colophon = body_lines(12, 700, 10);
        colophon.push(line(
            9,
            120,
            "© 2022 International Organization for Migration",
        ));
        let r = prepare_pdf(
            &pdf(
                &[cover, colophon, body_lines(13, 700, 30)],
                &[("Author", "Jane Smith")],
            ),
            "migrants.pdf",
        );
        let (value, from) = field(&r.metadata.source);
        assert_eq!(value, "IOM");
        assert!(from.starts_with("text: '©' line "), "{from}");
    }

    #[test]
    fn passages_do_not_cross_page_breaks_and_carry_their_pages() {
        use crate::ingest::pdf_fixture::{body_lines, line, pdf};
        let mut second = vec![line(
            11,
            740,
            "Crews were kept in debt bondage at sea for years.",
        )];
        second.extend(body_lines(14, 720, 3));
        let pages = [
            body_lines(15, 740, 3),
            second,
            vec![line(11, 740, "Annex")],
            body_lines(16, 740, 3),
        ];
        let dir = tempfile::tempdir().unwrap();
        let candidate = written(dir.path(), "pages.pdf", Format::Pdf, &pdf(&pages, &[]));
        let Outcome::Indexed { docs, .. } = prepare_new(&candidate) else {
            panic!("not indexed");
        };
        let doc = &docs[0];
        let placed: Vec<(&str, u32)> = doc
            .passages
            .iter()
            .zip(&doc.pages)
            .map(|(r, &p)| (&doc.text[r.clone()], p))
            .collect();
        let bondage = placed.iter().find(|(t, _)| t.contains("bondage")).unwrap();
        assert!(bondage.0.starts_with("Crews were kept"), "{placed:?}");
        assert_eq!(bondage.1, 2);
        assert_eq!(placed[0].1, 1);
        // Even a page of one line is a passage of its own page.
        assert!(placed.contains(&("Annex", 3)), "{placed:?}");
        assert_eq!(placed.last().unwrap().1, 4);
    }
}
