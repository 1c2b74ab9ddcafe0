//! The countries' wordings every query is given as equivalents (see [`COUNTRY_WORDINGS`]).

use std::sync::{Arc, LazyLock};

use crate::analysis::WordingSets;

/// Every country's names, aliases and demonyms as one set of equivalent wordings each, so a
/// query naming a country one way ("Nepali", "DPRK", "Burma") finds the others.
///
/// Read from [`COUNTRY_WORDINGS_ANALYZED`] rather than made from the gazetteer: building the
/// gazetteer and analyzing its 1,200 wordings took 10–25 ms, more than a whole search process
/// takes without it, and every `tipdex search` is a fresh process. Only an index of the
/// text's wordings is made here (see [`WordingSets`]).
pub(super) static COUNTRY_WORDINGS: LazyLock<Arc<WordingSets>> =
    LazyLock::new(|| Arc::new(WordingSets::from_text(COUNTRY_WORDINGS_ANALYZED)));

/// The countries' wordings as [`entities::countries::Gazetteer::wordings`] gives them and the
/// query analyzer analyzes them: one set per line, wordings separated by " | ", terms by a
/// space. Generated, and kept equal to what the gazetteer and analyzer make by the test
/// `country_wordings_file_is_current`, which says how to regenerate it.
///
/// [`entities::countries::Gazetteer::wordings`]: crate::entities::countries::Gazetteer::wordings
const COUNTRY_WORDINGS_ANALYZED: &str = include_str!("country_wordings.txt");

#[cfg(test)]
mod tests {
    use super::*;

    /// The file's text as the gazetteer and the query analyzer make it today.
    fn made_now() -> String {
        let mut made = crate::analysis::Equivalents::default();
        for (_, wordings) in crate::entities::countries::gazetteer().wordings() {
            made.add_set(wordings.iter().map(String::as_str));
        }
        made.sets().text().to_string()
    }

    #[test]
    fn country_wordings_file_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/store/country_wordings.txt"
        );
        let now = made_now();
        if std::env::var_os("TIPDEX_REGENERATE").is_some() {
            // The file is compiled in, so what was written is checked on the next run.
            std::fs::write(path, &now).expect("writing country_wordings.txt");
            return;
        }
        assert!(
            COUNTRY_WORDINGS_ANALYZED == now,
            "src/store/country_wordings.txt is out of date with the gazetteer or the analyzer; \
             regenerate it with `TIPDEX_REGENERATE=1 cargo test --lib country_wordings` and \
             commit it"
        );
    }

    #[test]
    fn loaded_wordings_equal_the_made_ones() {
        let mut made = crate::analysis::Equivalents::default();
        for (_, wordings) in crate::entities::countries::gazetteer().wordings() {
            made.add_set(wordings.iter().map(String::as_str));
        }
        assert_eq!(**COUNTRY_WORDINGS, *made.sets());
        let sets = COUNTRY_WORDINGS.sets();
        let nepal = sets
            .iter()
            .find(|set| set.contains(&vec!["nepal".to_string()]))
            .expect("Nepal has a set");
        assert!(
            nepal.iter().any(|w| w[0].starts_with("nepali")),
            "{nepal:?}"
        );
    }
}
