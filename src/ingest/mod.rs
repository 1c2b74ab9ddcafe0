//! From files on disk to plain text plus what the file says about itself.
//!
//! [`walk`] lists the files under the roots a user gave, deciding which formats tipdex reads and
//! counting the rest by reason; [`extract`] turns one file into [`Extracted`] text and metadata
//! hints. Nothing here knows about the index, and nothing here panics on bad input: every
//! problem becomes an [`ExtractError`] naming what to do.

mod decode;
mod docx;
mod entity;
mod guard;
mod html;
pub(crate) mod jsonl;
mod markdown;
mod pdf;
#[cfg(test)]
pub(crate) mod pdf_fixture;
mod pdf_lines;
pub(crate) mod sidecar;
mod stamp;
pub(crate) mod walk;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub(crate) use guard::extract_guarded;
pub use guard::EXTRACT_THREAD;
pub use stamp::FileStamp;
pub(crate) use walk::Candidate;
pub use walk::Format;

use crate::metadata::{Hint, SizedLine};

/// Extracted text kept per file. A 2,000-page report is about 6 MB of text; past this a file is
/// a generated or hostile one (a 0.9 MB DOCX expanded to 306,156 passages), and its start is
/// indexed with a note rather than all of it. A run holds one chunk of prepared files (32 on
/// two cores) at once, so this also bounds a run's memory: 24 such DOCX files with 16 MB each
/// peaked at 498 MB.
pub(crate) const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// A request to stop an extraction the caller has given up on (its time limit passed). The
/// extractors check it in their loops (DOCX decompression and XML events, PDF pages), so an
/// abandoned extraction ends within moments and gives its memory and CPU back instead of
/// running on beside the next files.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Ask the extraction to stop.
    pub(crate) fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`Stop::stop`] was called.
    pub(crate) fn requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The error an extractor returns when it saw [`Stop::requested`].
pub(crate) const STOPPED: &str = "extraction stopped";

/// What one document yielded.
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    /// Plain text, before boilerplate removal (metadata cues are still in it).
    pub text: String,
    /// For paged formats (PDF), the text of each page; `text` is then the pages joined by blank
    /// lines. Empty for other formats.
    pub pages: Vec<String>,
    /// Highest-trust hints: Markdown front matter.
    pub declared: Vec<Hint>,
    /// The document's own metadata: HTML `<title>`, `<meta>`, `<html lang>`.
    pub embedded: Vec<Hint>,
    /// Blank lines in `text` start sections (a heading opens each), which passages never
    /// cross. Set by the formats that know their headings (DOCX, Markdown, HTML); their text
    /// has blank lines nowhere else.
    pub sections: bool,
    /// Set when only the start of the file was kept (over [`MAX_TEXT_BYTES`]): what was cut.
    pub truncated: Option<String>,
    /// PDF: the printed lines of the first pages with their font sizes.
    pub cover: Vec<SizedLine>,
}

/// Why a file could not be read as a document.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The operating system refused or the file vanished.
    #[error("cannot read file: {}", io_reason(.0))]
    Io(#[from] std::io::Error),
    /// The bytes are not text in any encoding we recognise.
    #[error("binary data, not text: it is not UTF-8, UTF-16 or Windows-1252 text")]
    Binary,
    /// Nothing but whitespace.
    #[error("empty: no text to index")]
    Empty,
    /// Over the size limit.
    #[error("too large: {size} bytes is over the {limit}-byte limit")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The HTML converter failed.
    #[error("HTML could not be converted to text: {0}")]
    Html(String),
    /// A PDF or DOCX could not be read; the reason comes from the extractor.
    #[error("{0}")]
    Document(String),
    /// A PDF that has nothing to extract: scanned images or encrypted. Not a failure to fix.
    #[error("{0}")]
    NoText(String),
}

/// What a file holds: one document, or a collection of them (JSON Lines).
#[derive(Clone, Debug)]
pub enum Extraction {
    /// One document.
    Single(Extracted),
    /// Documents of a collection, and the lines that could not be read.
    Collection {
        /// The documents, in file order.
        docs: Vec<jsonl::JsonlDoc>,
        /// Lines skipped, with reasons.
        bad_lines: Vec<jsonl::BadLine>,
    },
}

/// An I/O error as a reason the user can act on.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!(
            "{e}: the user running tipdex may not read it; grant read permission or move it out of the indexed folder"
        ),
        std::io::ErrorKind::NotFound => format!("{e}: it was moved or deleted during the run"),
        _ => e.to_string(),
    }
}

/// The message of a caught panic, for reporting it as a file's failure.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Read a file's bytes, refusing files over `max_bytes` before reading them.
pub(crate) fn read(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ExtractError> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_bytes {
        return Err(ExtractError::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    // A file that grows while we read it (a log, a download) must not take memory past the
    // limit: read at most one byte more than allowed, and refuse if that byte exists.
    let mut bytes = Vec::with_capacity(size as usize);
    (&file)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ExtractError::TooLarge {
            size: file.metadata()?.len().max(bytes.len() as u64),
            limit: max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(bytes)
}

/// Append `block` to `text` in the layout [`Extracted::sections`] describes: a line break
/// between blocks, and a blank line before a heading (and nowhere else).
pub(crate) fn push_block(text: &mut String, block: &str, heading: bool) {
    if !text.is_empty() {
        text.push('\n');
        if heading {
            text.push('\n');
        }
    }
    text.push_str(block);
}

/// The headings a document opens with, nested one inside the next (Title › Chapter › Section),
/// as a breadcrumb: the most specific heading titles the document and the ones above it are
/// its context. Both are the same in every file of a split collection, so they belong to the
/// document's metadata, not to the text its first passage is matched on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeadingChain {
    /// The most specific heading of the chain that is not a bare subdivision label.
    pub title: String,
    /// The headings above the title, outermost first.
    pub context: Vec<String>,
    /// How many of the opening headings the chain consumed (title included); the ones after
    /// it (subdivision labels such as "(a) Purposes") stay in the text.
    pub consumed: usize,
}

/// The chain in `openers`, the (level, text) of the headings before any other block; `None`
/// unless at least two nest. A heading that is only a subdivision label ("(a) Findings",
/// "(2) Reports") names a part of the section, not a document, so it never titles one.
pub(crate) fn heading_chain(openers: &[(u8, &str)]) -> Option<HeadingChain> {
    if openers.len() < 2 {
        return None;
    }
    let mut nested = 1;
    while nested < openers.len() && openers[nested].0 > openers[nested - 1].0 {
        nested += 1;
    }
    let is_label = |t: &str| {
        let t = t.trim_start();
        t.starts_with('(')
            && t.find(')').is_some_and(|close| {
                (2..=5).contains(&close) && t[1..close].chars().all(char::is_alphanumeric)
            })
    };
    let title_at = (0..nested).rev().find(|&i| !is_label(openers[i].1))?;
    if title_at == 0 {
        return None;
    }
    Some(HeadingChain {
        title: openers[title_at].1.trim().to_string(),
        context: openers[..title_at]
            .iter()
            .map(|(_, t)| t.trim().to_string())
            .collect(),
        consumed: title_at + 1,
    })
}

/// The hints a heading chain gives: its title, and its context joined as a breadcrumb.
pub(crate) fn chain_hints(chain: &HeadingChain, from: &str) -> Vec<Hint> {
    vec![
        Hint {
            key: "title".into(),
            values: vec![chain.title.clone()],
            from: from.into(),
        },
        Hint {
            key: "context".into(),
            values: vec![chain.context.join(" › ")],
            from: from.into(),
        },
    ]
}

/// Turn a file's bytes, in `format`, into text and hints.
pub fn extract(bytes: &[u8], format: Format) -> Result<Extraction, ExtractError> {
    extract_until(bytes, format, &Stop::default())
}

/// [`extract`], giving up early when `stop` is requested.
pub(crate) fn extract_until(
    bytes: &[u8],
    format: Format,
    stop: &Stop,
) -> Result<Extraction, ExtractError> {
    let mut extracted = match format {
        Format::Pdf => {
            let pdf = pdf::extract_pdf_until(bytes, stop).map_err(|e| {
                if e.has_no_text() {
                    ExtractError::NoText(e.to_string())
                } else {
                    ExtractError::Document(e.to_string())
                }
            })?;
            Extracted {
                text: pdf.pages.join("\n\n"),
                pages: pdf.pages,
                declared: Vec::new(),
                embedded: pdf.hints,
                sections: false,
                truncated: pdf.truncated,
                cover: pdf.cover,
            }
        }
        Format::Docx => {
            let docx = docx::extract_docx(bytes, stop).map_err(ExtractError::Document)?;
            Extracted {
                text: docx.text,
                embedded: docx.hints,
                sections: true,
                truncated: docx.truncated,
                ..Extracted::default()
            }
        }
        Format::Jsonl => {
            let text = decode::decode(bytes).ok_or(ExtractError::Binary)?;
            let (docs, bad_lines) = jsonl::parse(&text);
            if docs.is_empty() && bad_lines.is_empty() {
                return Err(ExtractError::Empty);
            }
            return Ok(Extraction::Collection { docs, bad_lines });
        }
        Format::Text => Extracted {
            text: decode::decode(bytes).ok_or(ExtractError::Binary)?,
            ..Extracted::default()
        },
        Format::Markdown => markdown::extract(&decode::decode(bytes).ok_or(ExtractError::Binary)?),
        Format::Html => html::extract(&decode::decode(bytes).ok_or(ExtractError::Binary)?)?,
    };
    if extracted.text.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    if extracted.pages.is_empty() && extracted.text.len() > MAX_TEXT_BYTES {
        let mut cut = MAX_TEXT_BYTES;
        while !extracted.text.is_char_boundary(cut) {
            cut -= 1;
        }
        // An extractor that stopped at the limit itself has said so already.
        let whole = extracted.text.len();
        extracted
            .truncated
            .get_or_insert_with(|| format!("text cut at {MAX_TEXT_BYTES} of {whole} bytes"));
        extracted.text.truncate(cut);
    }
    Ok(Extraction::Single(extracted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_file_that_grows_without_end_is_refused_at_the_limit() {
        // /dev/zero claims size 0 and never ends, like a file growing faster than we read it.
        let err = read(Path::new("/dev/zero"), 4096).unwrap_err();
        assert_eq!(
            err.to_string(),
            "too large: 4097 bytes is over the 4096-byte limit"
        );
    }

    #[test]
    fn empty_and_over_limit_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        assert!(matches!(read(&empty, 10), Err(ExtractError::Empty)));
        let big = dir.path().join("big.txt");
        std::fs::write(&big, "x".repeat(11)).unwrap();
        assert_eq!(
            read(&big, 10).unwrap_err().to_string(),
            "too large: 11 bytes is over the 10-byte limit"
        );
        assert_eq!(read(&big, 11).unwrap().len(), 11);
    }
}
