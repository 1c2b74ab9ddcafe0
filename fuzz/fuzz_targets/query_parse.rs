//! Both query parsers accept any string without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = tipdex::search::parse(input);
    let _ = tipdex::search::query::parse_plain(input);
});
