//! `tipdex::passage::split` on arbitrary text: passages are in-bounds, on char boundaries,
//! increasing and non-overlapping.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tipdex::passage::{split, PassageConfig};

fuzz_target!(|text: &str| {
    let ranges = split(text, PassageConfig::default());
    let mut prev_end = 0;
    for r in &ranges {
        assert!(r.start < r.end, "empty or reversed passage {r:?}");
        assert!(
            r.end <= text.len(),
            "passage {r:?} past end ({})",
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "passage {r:?} not on char boundaries"
        );
        assert!(
            r.start >= prev_end,
            "passage {r:?} overlaps or precedes the previous one"
        );
        prev_end = r.end;
    }
});
