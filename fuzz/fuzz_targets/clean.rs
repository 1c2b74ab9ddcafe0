//! `tipdex::clean::clean` never panics and is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tipdex::clean::clean;

fuzz_target!(|text: &str| {
    let once = clean(text);
    let twice = clean(&once);
    assert_eq!(twice, once, "clean is not idempotent on {text:?}");
});
