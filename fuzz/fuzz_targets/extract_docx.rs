//! `tipdex::ingest::extract` on arbitrary bytes as Docx: an error is fine, a panic is not.
//!
//! The Docx extractor wraps the third-party parsers in `catch_unwind` by design. libfuzzer-sys
//! installs a panic hook that aborts on *every* panic, caught or not, so `init` restores the
//! default hook. A panic that escapes `extract` still aborts: libfuzzer-sys's own
//! `catch_unwind` around this closure calls `process::abort()`. This target catches nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tipdex::ingest::{extract, Format};

fuzz_target!(
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        let _ = extract(data, Format::Docx);
    }
);
