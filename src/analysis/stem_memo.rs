//! The memo of indexed forms: a folded word → its American spelling's stem, kept per thread.
//!
//! Why not a `HashMap<String, String>`: that map was the largest single item of indexing after
//! tantivy's postings (~10 % of CPU at 20,000 documents), and `perf annotate` put ~75 % of it
//! on two loads that miss the cache, the control bytes and the bucket, before the key and the
//! stem, each a heap allocation of its own, are read and compared (more misses, under
//! `memcmp`). Here a word and its stem sit together in one 32-byte slot of an open-addressed
//! table (two slots per cache line, aligned), so a lookup reads one line and compares bytes
//! already there. A word and stem too long for a slot (rare: a stem that is not the word or a
//! prefix of it is kept after the word, within 28 bytes) go to a plain map, consulted only
//! when the slots miss.

use rustc_hash::FxHashMap;

/// Bytes of a slot: 4 of header, 28 for the word and, when it is neither the word nor a
/// prefix of it, the stem after it.
const SLOT: usize = 32;
pub(super) const ROOM: usize = SLOT - 4;

/// How a slot's stem relates to its word, so a hit writes as little as it can.
const SAME: u8 = 0;
const PREFIX: u8 = 1;
const OTHER: u8 = 2;

/// One slot: `[word length (0 = empty), stem length, SAME/PREFIX/OTHER, unused, bytes…]`.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot([u8; SLOT]);

const EMPTY: Slot = Slot([0; SLOT]);

/// The smallest table; it doubles while more than half full.
const MIN_SLOTS: usize = 4096;

/// Folded words and their indexed forms, at most `limit` of them (the memo starts over past
/// that, which bounds memory on huge vocabularies: 16 MB of slots at 200,000 words).
pub(super) struct StemMemo {
    slots: Vec<Slot>,
    /// Words held in `slots`.
    len: usize,
    /// Words whose pair with their stem is too long for a slot.
    long: FxHashMap<String, String>,
    limit: usize,
}

impl StemMemo {
    pub(super) fn new(limit: usize) -> StemMemo {
        StemMemo {
            slots: vec![EMPTY; MIN_SLOTS],
            len: 0,
            long: FxHashMap::default(),
            limit,
        }
    }

    /// Replace `word` by its memoised form, or by `make(word)`'s (then remembered). Returns
    /// without allocating when the word was seen before.
    pub(super) fn apply(&mut self, word: &mut String, make: impl FnOnce(&str) -> String) {
        if word.is_empty() || word.len() > ROOM {
            return self.apply_long(word, make);
        }
        let key = word.as_bytes();
        let mask = self.slots.len() - 1;
        let mut i = slot_of(key, mask);
        loop {
            let s = &self.slots[i].0;
            let len = usize::from(s[0]);
            if len == 0 {
                break;
            }
            if len == key.len() && &s[4..4 + len] == key {
                let stem_len = usize::from(s[1]);
                match s[2] {
                    SAME => {}
                    PREFIX => word.truncate(stem_len),
                    _ => {
                        // The stem is ASCII or whole UTF-8 copied from a `String`.
                        let stem = &s[4 + len..4 + len + stem_len];
                        word.clear();
                        word.push_str(std::str::from_utf8(stem).unwrap_or_default());
                    }
                }
                return;
            }
            i = (i + 1) & mask;
        }
        // Not in a slot: new, or a pair too long for one.
        self.apply_long(word, make)
    }

    /// Ask for the slot where `word` (folded: lower case) would be looked up to be brought into
    /// the cache, so the lookup that follows a little later does not wait for it: a word out
    /// of cache costs one miss per lookup, most of the memo's time.
    pub(super) fn prefetch(&self, word: &[u8]) {
        if word.is_empty() || word.len() > ROOM {
            return;
        }
        let slot = &self.slots[slot_of(word, self.slots.len() - 1)];
        crate::prefetch::prefetch(&slot.0, crate::prefetch::Keep::Cached);
    }

    /// Look `word` up in the long map, else make its form and remember it where it fits.
    fn apply_long(&mut self, word: &mut String, make: impl FnOnce(&str) -> String) {
        if let Some(done) = self.long.get(word.as_str()) {
            if done != word {
                word.clear();
                word.push_str(done);
            }
            return;
        }
        let stem = make(word);
        let folded = std::mem::replace(word, stem);
        if !self.insert(&folded, word) {
            self.remember_long(folded, word.clone());
        }
    }

    fn remember_long(&mut self, word: String, stem: String) {
        if self.long.len() >= self.limit {
            self.long.clear();
        }
        self.long.insert(word, stem);
    }

    /// Remember `word` → `stem` in a slot; false when the pair does not fit one.
    fn insert(&mut self, word: &str, stem: &str) -> bool {
        let (kind, extra) = if stem == word {
            (SAME, 0)
        } else if word.starts_with(stem) {
            (PREFIX, 0)
        } else {
            (OTHER, stem.len())
        };
        if word.is_empty() || word.len() + extra > ROOM {
            return false;
        }
        if self.len >= self.limit {
            self.slots.iter_mut().for_each(|s| *s = EMPTY);
            self.len = 0;
        } else if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mut slot = EMPTY;
        slot.0[0] = word.len() as u8;
        slot.0[1] = stem.len() as u8;
        slot.0[2] = kind;
        slot.0[4..4 + word.len()].copy_from_slice(word.as_bytes());
        if kind == OTHER {
            slot.0[4 + word.len()..4 + word.len() + stem.len()].copy_from_slice(stem.as_bytes());
        }
        self.place(slot);
        self.len += 1;
        true
    }

    /// Put `slot` (a word not in the table) into the first free slot of its probe sequence.
    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let len = usize::from(slot.0[0]);
        let mut i = slot_of(&slot.0[4..4 + len], mask);
        while self.slots[i].0[0] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let bigger = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        for slot in old.into_iter().filter(|s| s.0[0] != 0) {
            self.place(slot);
        }
    }
}

/// The first slot to probe for `key`: FxHash of its bytes, spread by a multiplication so the
/// table's low bits depend on all of them.
fn slot_of(key: &[u8], mask: usize) -> usize {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(key);
    (h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up indexed form of every kind a slot stores: unchanged, cut, rewritten, longer.
    fn form(w: &str) -> String {
        let cut = w.char_indices().last().map_or(0, |(i, _)| i);
        match w.len() % 4 {
            0 => w.to_string(),
            1 => w[..cut].to_string(),
            2 => format!("{}i", &w[..cut]),
            _ => format!("{w}-{w}"),
        }
    }

    #[test]
    fn every_word_gets_the_form_made_for_it_through_growth_overflow_and_restarts() {
        // Limit below the word count, so the memo starts over several times; lengths from 1
        // to 40 bytes, so slots, the long map and the edge of a slot's room are all used.
        let mut memo = StemMemo::new(3_000);
        let words: Vec<String> = (0..10_000u32)
            .map(|n| {
                let len = 1 + (n as usize * 7) % 40;
                let base = format!("w{n:x}é");
                base.chars().cycle().take(len).collect()
            })
            .collect();
        let mut made = 0;
        for round in 0..3 {
            for w in &words {
                let mut word = w.clone();
                memo.apply(&mut word, |x| {
                    made += 1;
                    form(x)
                });
                assert_eq!(word, form(w), "round {round}, word {w:?}");
            }
        }
        // Restarts make some words again, but a memo that never hit would make all 30,000.
        assert!(made < 30_000, "made {made}");
        assert!(memo.len <= 3_000 && memo.long.len() <= 3_000);
    }

    #[test]
    fn a_word_seen_before_is_not_made_again() {
        let mut memo = StemMemo::new(100);
        let mut calls = 0;
        for _ in 0..5 {
            for w in ["trafficking", "victims", "the", "harmonisation", "x"] {
                let mut word = w.to_string();
                memo.apply(&mut word, |x| {
                    calls += 1;
                    form(x)
                });
                assert_eq!(word, form(w));
            }
        }
        assert_eq!(calls, 5);
    }
}
