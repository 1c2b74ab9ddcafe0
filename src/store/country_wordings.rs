//! The countries' wordings every query is given as equivalents (see [`COUNTRY_WORDINGS`]).

use crate::analysis::Equivalents;

/// Every country's names, aliases and demonyms as one set of equivalent wordings each, so a
/// query naming a country one way ("Nepali", "DPRK", "Burma") finds the others.
///
/// Read from [`COUNTRY_WORDINGS_ANALYZED`] rather than made from the gazetteer: building the
/// gazetteer and analyzing its 1,200 wordings took 10–25 ms, more than a whole search process
/// takes without it, and every `tipdex search` is a fresh process.
pub(super) static COUNTRY_WORDINGS: std::sync::LazyLock<Equivalents> =
    std::sync::LazyLock::new(|| {
        let mut out = Equivalents::default();
        for line in COUNTRY_WORDINGS_ANALYZED.lines() {
            out.add_analyzed_set(
                line.split(WORDING_SEPARATOR)
                    .map(|w| w.split(' ').map(str::to_string).collect()),
            );
        }
        out
    });

/// The countries' wordings as [`entities::countries::Gazetteer::wordings`] gives them and the
/// query analyzer analyzes them: one set per line, wordings separated by " | ", terms by a
/// space. Generated, and kept equal to what the gazetteer and analyzer make by the test
/// `country_wordings_file_is_current`, which says how to regenerate it.
///
/// [`entities::countries::Gazetteer::wordings`]: crate::entities::countries::Gazetteer::wordings
const COUNTRY_WORDINGS_ANALYZED: &str = include_str!("country_wordings.txt");
const WORDING_SEPARATOR: &str = " | ";

#[cfg(test)]
mod tests {
    use super::*;

    /// The file's text as the gazetteer and the query analyzer make it today.
    fn made_now() -> String {
        let mut made = Equivalents::default();
        for (_, wordings) in crate::entities::countries::gazetteer().wordings() {
            made.add_set(wordings.iter().map(String::as_str));
        }
        let mut text = String::new();
        for set in made.sets() {
            let wordings: Vec<String> = set.iter().map(|terms| terms.join(" ")).collect();
            assert!(
                wordings
                    .iter()
                    .all(|w| !w.contains(WORDING_SEPARATOR.trim()) && !w.is_empty()),
                "a wording the file format cannot hold: {wordings:?}"
            );
            text.push_str(&wordings.join(WORDING_SEPARATOR));
            text.push('\n');
        }
        text
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
        let mut made = Equivalents::default();
        for (_, wordings) in crate::entities::countries::gazetteer().wordings() {
            made.add_set(wordings.iter().map(String::as_str));
        }
        assert_eq!(*COUNTRY_WORDINGS, made);
        let nepal = COUNTRY_WORDINGS
            .sets()
            .iter()
            .find(|set| set.contains(&vec!["nepal".to_string()]))
            .expect("Nepal has a set");
        assert!(
            nepal.iter().any(|w| w[0].starts_with("nepali")),
            "{nepal:?}"
        );
    }
}
