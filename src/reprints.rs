//! Reprints: documents whose text is the same or nearly the same (a yearly edition that repeats
//! last year's entry, a press release syndicated across sites, one PDF saved under two names).
//!
//! Each document gets a [`Signature`] at extraction: a MinHash of its three-word shingles made
//! with one hash per shingle (one permutation hashing, Li, Owen & Zhang 2012: the hash's top
//! bits pick one of [`HASHES`] bins, each bin keeps its minimum; an empty bin borrows a full
//! one's by optimal densification, Shrivastava 2017), of which only the lowest byte of each
//! minimum is kept (b-bit minwise hashing, Li & König 2010), so a signature is 64 bytes whatever
//! the document's size, and costs one hash per word instead of 64. Two signatures agreeing
//! in a fraction `f` of their bytes estimate the shingles' Jaccard similarity as
//! `(f - 1/256) / (1 - 1/256)`. [`groups`] finds the pairs above [`THRESHOLD`] through
//! locality-sensitive hashing (bands of [`BAND`] bytes) and joins them into groups; the indexer
//! recomputes the groups from the records it holds at every commit, so they change atomically
//! with the documents (added, changed, removed, moved) like the learned acronyms.
//!
//! Similar wording is not enough: two texts are one group only when they are about the same
//! [`Subject`] (the country a document names most, see [`crate::entities::countries`]). Yearly
//! entries written from one boilerplate sentence that differ only by the country's name
//! ("Madagascar does not fully meet the minimum standards…" / "Serbia does not…") share most
//! of their shingles, more than real editions of one country's entry share with each other, so
//! no threshold alone can keep them apart; their subjects do.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Words;

/// MinHash functions per signature (bytes kept).
pub const HASHES: usize = 64;
// The signature's bins are picked by a hash's top six bits.
const _: () = assert!(HASHES == 64);
/// Bytes per LSH band: two documents are compared when one band agrees entirely.
const BAND: usize = 4;
/// Words per shingle: three keep word order without letting one changed word (a year, a
/// number) change more than three shingles.
const SHINGLE: usize = 3;
/// Fewer words than this and a text is too short to tell a reprint from a coincidence (a
/// heading, a one-line field): such documents get no signature and are never grouped.
pub const MIN_WORDS: usize = 20;
/// Estimated Jaccard similarity of the shingle sets from which two texts are one reprint group.
/// Measured on factbook-tip (see BENCHMARKS.md, "Reprints"): a repeated entry with a changed
/// sentence or year stays above it; two countries' entries written from the same template stay
/// below it.
pub const THRESHOLD: f64 = 0.6;
/// Members of one LSH bucket each new member is compared with: a bucket of thousands of
/// identical texts costs a few comparisons per member, not one per pair.
const BUCKET_REPRESENTATIVES: usize = 8;

/// What a document is about, for grouping: the alpha-2 code of the country it names most, or
/// `None` when it names none. Texts with different subjects are never one group.
pub type Subject = Option<[u8; 2]>;

/// The subject of a document whose most-mentioned country is `code`.
pub fn subject(code: Option<&str>) -> Subject {
    code.and_then(|c| c.as_bytes().try_into().ok())
}

/// The b-bit MinHash of a text's shingles.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; HASHES]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_hex())
    }
}

impl Signature {
    fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn from_hex(s: &str) -> Option<Signature> {
        if s.len() != HASHES * 2 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; HASHES];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Signature(out))
    }

    /// Estimated Jaccard similarity of the two texts' shingle sets, in [0, 1].
    pub fn similarity(&self, other: &Signature) -> f64 {
        let agree = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        let f = agree as f64 / HASHES as f64;
        // One byte agrees by chance with probability 1/256.
        ((f - 1.0 / 256.0) / (1.0 - 1.0 / 256.0)).max(0.0)
    }
}

// Stored as hex in the record's JSON: 128 characters instead of a 64-number array.
impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Signature, D::Error> {
        let s = String::deserialize(d)?;
        Signature::from_hex(&s).ok_or_else(|| serde::de::Error::custom("bad reprint signature"))
    }
}

/// splitmix64's finaliser: a cheap, well-mixed permutation of 64-bit values.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The signature of `text`, or `None` when it has fewer than [`MIN_WORDS`] words. Words are
/// runs of letters and digits, lower-cased, so line breaks, punctuation and case do not count.
pub fn signature(text: &str) -> Option<Signature> {
    signature_of(&Words::new(text))
}

/// [`signature`] of a text already split into words.
pub(crate) fn signature_of(split: &Words) -> Option<Signature> {
    let (text, lower) = (split.text(), split.lower());
    let words: Vec<u64> = split
        .ranges()
        .iter()
        .map(|r| {
            let w = &text[r.clone()];
            if w.is_ascii() {
                // The split's ASCII lower-casing is the full one for an ASCII word.
                xxhash_rust::xxh3::xxh3_64(lower[r.clone()].as_bytes())
            } else if w.chars().any(char::is_uppercase) {
                xxhash_rust::xxh3::xxh3_64(w.to_lowercase().as_bytes())
            } else {
                xxhash_rust::xxh3::xxh3_64(w.as_bytes())
            }
        })
        .collect();
    if words.len() < MIN_WORDS {
        return None;
    }
    // The top 6 bits pick the bin (HASHES = 64); the other 58 are the value compared.
    const VALUE: u64 = (1 << 58) - 1;
    let mut minima = [u64::MAX; HASHES];
    for window in words.windows(SHINGLE) {
        let h = mix(window[0] ^ window[1].rotate_left(21) ^ window[2].rotate_left(42));
        let (bin, value) = ((h >> 58) as usize, h & VALUE);
        if value < minima[bin] {
            minima[bin] = value;
        }
    }
    let mut out = [0u8; HASHES];
    for (j, byte) in out.iter_mut().enumerate() {
        let mut min = minima[j];
        // Optimal densification: an empty bin takes the minimum of the first full bin a
        // sequence of hashes seeded by its own number lands on, the same sequence in every
        // document, so two documents' empty bins agree as often as their full ones.
        let mut attempt = 0u64;
        while min == u64::MAX {
            attempt += 1;
            let k = (mix((j as u64) << 32 | attempt) >> 58) as usize;
            min = minima[k];
        }
        *byte = min as u8;
    }
    Some(Signature(out))
}

/// Union-find over document indexes.
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// The reprint groups among `docs` (key, signature, subject): every group of two or more
/// documents with one subject whose texts are linked by similarities of at least [`THRESHOLD`],
/// as sorted keys, the groups in the order of their first key. The same documents always give
/// the same groups, whatever their order.
pub fn groups(docs: &[(u64, Signature, Subject)]) -> Vec<Vec<u64>> {
    let mut docs = docs.to_vec();
    docs.sort_unstable_by_key(|(key, _, _)| *key);
    docs.dedup_by_key(|(key, _, _)| *key);
    let mut sets = Sets((0..docs.len()).collect());
    // Buckets are per subject: documents about different countries are never compared, so
    // neither joined directly nor through a third.
    let mut buckets: HashMap<(usize, u32, Subject), Vec<usize>> = HashMap::new();
    for (i, (_, sig, subject)) in docs.iter().enumerate() {
        for (band, bytes) in sig.0.chunks_exact(BAND).enumerate() {
            let value = u32::from_le_bytes(bytes.try_into().unwrap_or([0; BAND]));
            let reps = buckets.entry((band, value, *subject)).or_default();
            let mut joined = false;
            for &j in reps.iter() {
                if sig.similarity(&docs[j].1) >= THRESHOLD {
                    sets.join(i, j);
                    joined = true;
                    break;
                }
            }
            if !joined && reps.len() < BUCKET_REPRESENTATIVES {
                reps.push(i);
            }
        }
    }
    let mut by_root: HashMap<usize, Vec<u64>> = HashMap::new();
    for (i, (key, _, _)) in docs.iter().enumerate() {
        by_root.entry(sets.find(i)).or_default().push(*key);
    }
    let mut out: Vec<Vec<u64>> = by_root.into_values().filter(|g| g.len() > 1).collect();
    for g in &mut out {
        g.sort_unstable();
    }
    out.sort_unstable();
    out
}

/// Each grouped document's group number (its index in `groups`).
pub fn group_of(groups: &[Vec<u64>]) -> HashMap<u64, u32> {
    let mut out = HashMap::new();
    for (n, g) in groups.iter().enumerate() {
        for &key in g {
            out.insert(key, n as u32);
        }
    }
    out
}

/// The reprint groups of an index, with each grouped document's group, for searches to
/// collapse their hits.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    groups: Vec<Vec<u64>>,
    of: HashMap<u64, u32>,
}

impl Groups {
    /// The groups as [`groups`] made them.
    pub fn new(groups: Vec<Vec<u64>>) -> Groups {
        let of = group_of(&groups);
        Groups { groups, of }
    }

    /// True when no two documents are reprints of each other.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The group of `key`, if it has reprints.
    pub fn group(&self, key: u64) -> Option<u32> {
        self.of.get(&key).copied()
    }

    /// The keys of `key`'s group (itself included); empty when it has no reprints.
    pub fn members(&self, key: u64) -> &[u64] {
        self.group(key)
            .and_then(|g| self.groups.get(g as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Every group, as sorted keys.
    pub fn all(&self) -> &[Vec<u64>] {
        &self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str =
        "current situation: Nepal is a source, transit, and destination country for \
        men, women, and children subjected to forced labor and sex trafficking; Nepali women and \
        girls are subjected to sex trafficking in Nepal, India, the Middle East, and Asia; \
        Nepali men are recruited for work in construction and domestic service in Gulf states \
        and Malaysia and face debt bondage | tier rating: Tier 2 Watch List - Nepal does not \
        fully comply with the minimum standards for the elimination of trafficking in 2012";

    fn sig(text: &str) -> Signature {
        signature(text).expect("long enough")
    }

    /// A document as the indexer gives it to [`groups`]: its signature and the country it
    /// names most.
    fn doc(key: u64, text: &str) -> (u64, Signature, Subject) {
        let countries = crate::entities::countries::gazetteer().count(text, &[]);
        let code = crate::entities::countries::subject(&countries);
        (key, sig(text), subject(code))
    }

    #[test]
    fn identical_texts_are_one_group_whatever_their_spacing_and_case() {
        let spaced = ENTRY.replace(' ', "\n  ").to_uppercase();
        assert_eq!(sig(ENTRY), sig(&spaced));
        assert_eq!(groups(&[doc(7, ENTRY), doc(3, &spaced)]), vec![vec![3, 7]]);
    }

    #[test]
    fn a_changed_year_or_sentence_stays_in_the_group() {
        let year = ENTRY.replace("2012", "2013");
        let sentence = format!("{ENTRY}; the government prosecuted few traffickers in 2011");
        assert!(sig(ENTRY).similarity(&sig(&year)) > 0.8);
        let g = groups(&[doc(1, ENTRY), doc(2, &year), doc(3, &sentence)]);
        assert_eq!(g, vec![vec![1, 2, 3]]);
    }

    #[test]
    fn another_country_from_the_same_template_is_not_a_reprint() {
        let other = "current situation: Qatar is a destination country for men and women \
            subjected to forced labor and, to a much lesser extent, forced prostitution; men and \
            women from Nepal, India, Pakistan, Bangladesh, the Philippines, and Indonesia \
            voluntarily travel to Qatar as laborers and domestic servants | tier rating: Tier 2 \
            Watch List - Qatar does not fully comply with the minimum standards for the \
            elimination of trafficking in 2012";
        assert!(sig(ENTRY).similarity(&sig(other)) < THRESHOLD);
        assert!(groups(&[doc(1, ENTRY), doc(2, other)]).is_empty());
    }

    /// factbook-tip's 203 groups of entries repeating an earlier edition word for word
    /// (same text hash in its manifest) are each inside one reprint group, and no group holds
    /// two countries' entries (the manifest's FIPS code).
    #[test]
    fn factbook_exact_repeats_are_never_split_nor_countries_merged() {
        let root = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/factbook-tip"
        ));
        let Ok(manifest) = std::fs::read_to_string(root.join("manifest.csv")) else {
            eprintln!("skipped: {} not found", root.display());
            return;
        };
        let mut by_hash: HashMap<String, Vec<u64>> = HashMap::new();
        let mut docs = Vec::new();
        let mut fips = Vec::new();
        for (i, line) in manifest.lines().skip(1).enumerate() {
            let cols: Vec<&str> = line.split(',').collect();
            let hash = line.rsplit(',').next().unwrap().to_string();
            let text = std::fs::read_to_string(root.join(cols[0])).unwrap();
            if signature(&text).is_some() {
                docs.push(doc(i as u64, &text));
            }
            fips.push(cols[2].to_ascii_lowercase());
            by_hash.entry(hash).or_default().push(i as u64);
        }
        let found = groups(&docs);
        for g in &found {
            let first = &fips[g[0] as usize];
            assert!(
                g.iter().all(|&k| &fips[k as usize] == first),
                "countries merged: {:?}",
                g.iter().map(|&k| &fips[k as usize]).collect::<Vec<_>>()
            );
        }
        let of = group_of(&found);
        let repeats: Vec<&Vec<u64>> = by_hash.values().filter(|v| v.len() > 1).collect();
        assert_eq!(repeats.len(), 203);
        for keys in repeats {
            let first = of.get(&keys[0]);
            assert!(first.is_some(), "{keys:?} not grouped");
            assert!(keys.iter().all(|k| of.get(k) == first), "{keys:?} split");
        }
    }

    /// One boilerplate sentence that differs by the country's name alone is two subjects, not
    /// one reprint, however alike the wording; the same country's two editions stay one.
    #[test]
    fn the_same_boilerplate_about_two_countries_is_two_texts() {
        let entry = |country: &str, year: u32| {
            format!(
                "tier rating: Tier 2 Watch List {country} does not fully meet the minimum \
                 standards for the elimination of trafficking but is making significant efforts \
                 to do so, therefore {country} remained on Tier 2 Watch List; for more details, \
                 go to: https://www.state.gov/reports/{year}-trafficking-in-persons-report/"
            )
        };
        let (a, b) = (entry("Madagascar", 2024), entry("Serbia", 2024));
        assert!(sig(&a).similarity(&sig(&b)) >= THRESHOLD);
        let g = groups(&[
            doc(1, &a),
            doc(2, &b),
            doc(3, &entry("Madagascar", 2025)),
            doc(4, &entry("Serbia", 2025)),
        ]);
        assert_eq!(g, vec![vec![1, 3], vec![2, 4]]);
    }

    #[test]
    fn short_texts_get_no_signature() {
        assert_eq!(signature("Population: 29,164,578 (July 2012 est.)"), None);
    }

    #[test]
    fn signatures_round_trip_through_json() {
        let s = sig(ENTRY);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json.len(), HASHES * 2 + 2);
        assert_eq!(serde_json::from_str::<Signature>(&json).unwrap(), s);
        assert!(serde_json::from_str::<Signature>("\"zz\"").is_err());
    }

    #[test]
    fn many_identical_texts_form_one_group() {
        let docs: Vec<(u64, Signature, Subject)> = (0..500).map(|k| doc(k, ENTRY)).collect();
        let g = groups(&docs);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].len(), 500);
        assert_eq!(group_of(&g)[&499], 0);
    }
}
