//! Asking for memory before it is read: the loops that know which bytes they read next (the
//! semantic passes' rows, the stem memo's next slot) ask for them a little ahead, so the
//! cache miss overlaps other work instead of stalling it.

/// Ask for `bytes` to be brought into the cache, `keep` saying for how long (a hint; nothing
/// on other architectures). Shared by the semantic passes (the exact scores' records, the
/// sketch pass, the query model's rows) and the analyzer's stem memo.
#[inline]
pub(crate) fn prefetch(bytes: &[u8], keep: Keep) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_NTA, _MM_HINT_T0};
        // Every cache line the bytes touch: each 64th byte, and the last.
        let last = bytes.len().saturating_sub(1);
        for at in (0..bytes.len()).step_by(64).chain(std::iter::once(last)) {
            let line = bytes.as_ptr().wrapping_add(at).cast();
            // SAFETY: a prefetch reads nothing and cannot fault; the address is in `bytes`.
            unsafe {
                match keep {
                    Keep::Cached => _mm_prefetch::<_MM_HINT_T0>(line),
                    Keep::Once => _mm_prefetch::<_MM_HINT_NTA>(line),
                }
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, keep);
}

/// [`prefetch`] item `at` of `items`, a slice of `size`-byte items, when there is one: the
/// loops that stream through fixed-size items ask for the one a few places ahead.
#[inline]
pub(crate) fn prefetch_item(items: &[u8], at: usize, size: usize, keep: Keep) {
    if let Some(item) = items.get(at * size..(at + 1) * size) {
        prefetch(item, keep);
    }
}

/// How long prefetched bytes are wanted ([`prefetch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// In every level, as any read would bring them.
    Cached,
    /// Read once: not kept in the shared last level on their way out, which the searching
    /// thread's index data, read beside them, needs more.
    Once,
}
