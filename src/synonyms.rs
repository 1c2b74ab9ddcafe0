//! A team's own synonyms, kept in the index's commit payload (so they travel with the index and
//! change atomically) and applied at query time: adding one needs no re-index.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::text::collapse_whitespace;

/// Add `word` ≡ `other`. Returns false when the pair (either way round) is already there.
pub fn add(store: &Store, word: &str, other: &str) -> Result<bool> {
    let (word, other) = (collapse_whitespace(word), collapse_whitespace(other));
    for (what, value) in [("synonym", &word), ("synonym", &other)] {
        if crate::analysis::Equivalents::terms_of(value).is_empty() {
            return Err(Error::InvalidArgument {
                what,
                value: value.clone(),
                hint: "a synonym needs at least one word".into(),
            });
        }
    }
    if crate::analysis::Equivalents::terms_of(&word)
        == crate::analysis::Equivalents::terms_of(&other)
    {
        return Err(Error::InvalidArgument {
            what: "synonym",
            value: format!("{word} = {other}"),
            hint: "both sides already match the same words".into(),
        });
    }
    let mut info = store.info()?;
    if info.synonyms.iter().any(|p| same(p, &word, &other)) {
        return Ok(false);
    }
    info.synonyms.push((word, other));
    store.commit_info(&info)?;
    Ok(true)
}

/// Remove the pairs with `word` on either side (only the one with `other`, when given).
/// Returns how many were removed.
pub fn remove(store: &Store, word: &str, other: Option<&str>) -> Result<usize> {
    let word = collapse_whitespace(word);
    let other = other.map(collapse_whitespace);
    let mut info = store.info()?;
    let before = info.synonyms.len();
    info.synonyms.retain(|p| match &other {
        Some(o) => !same(p, &word, o),
        None => !(fold(&p.0) == fold(&word) || fold(&p.1) == fold(&word)),
    });
    let removed = before - info.synonyms.len();
    if removed > 0 {
        store.commit_info(&info)?;
    }
    Ok(removed)
}

/// The pairs, as added.
pub fn list(store: &Store) -> Result<Vec<(String, String)>> {
    Ok(store.info()?.synonyms)
}

fn same(pair: &(String, String), a: &str, b: &str) -> bool {
    let (x, y) = (fold(&pair.0), fold(&pair.1));
    let (a, b) = (fold(a), fold(b));
    (x == a && y == b) || (x == b && y == a)
}

fn fold(s: &str) -> String {
    collapse_whitespace(s).to_lowercase()
}
