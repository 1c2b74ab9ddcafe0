//! `tipdex::ingest::extract` on arbitrary bytes as Jsonl: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tipdex::ingest::{extract, Format};

fuzz_target!(|data: &[u8]| {
    let _ = extract(data, Format::Jsonl);
});
