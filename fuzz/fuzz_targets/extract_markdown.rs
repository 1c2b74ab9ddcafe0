//! `tipdex::ingest::extract` on arbitrary bytes as Markdown, then the section-aware passage
//! split its text goes through: an error is fine, a panic is not, and no passage may cross a
//! heading's section start.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tipdex::ingest::{extract, Extraction, Format};
use tipdex::passage::{blank_line_starts, split_sections, PassageConfig};

fuzz_target!(|data: &[u8]| {
    if let Ok(Extraction::Single(e)) = extract(data, Format::Markdown) {
        let starts = blank_line_starts(&e.text);
        let passages = split_sections(&e.text, &starts, PassageConfig::default());
        for s in starts {
            assert!(passages.iter().all(|p| !(p.start < s && s < p.end)));
        }
    }
});
