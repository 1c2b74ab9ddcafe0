//! The text a query's embedding is made from.
//!
//! The embedding model reads general English: it knows "internally displaced persons" but
//! not "IDPs", "Democratic Republic of the Congo" but barely "DRC". The lexical side already
//! matches an acronym's long form (the built-in table, the acronyms the collection defines);
//! the semantic side needs the same knowledge written out, or it ranks on the query's other
//! words alone. So the model reads the words the user typed, each acronym followed by its
//! long form in parentheses, as documents write them on first use.

use crate::acronyms::Glossary;

use super::query;

/// What the model reads for a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModelText {
    /// The text embedded.
    pub(crate) text: String,
    /// Whether some acronym in it was spelled out (so it says more than the query typed).
    pub(crate) spelled_out: bool,
}

/// What the model reads for `text`: for a query as typed (`plain` false), its words and
/// phrases without operators, filters or exclusions; for a plain question, the question.
/// Either way every acronym the glossary knows is followed by its long form, unless the
/// query already says it.
pub(crate) fn embedding_text(text: &str, plain: bool, glossary: &Glossary) -> ModelText {
    let words: Vec<String> = if plain {
        text.split_whitespace().map(str::to_string).collect()
    } else {
        query::written_words(text)
    };
    let typed = words.join(" ");
    let said = typed.to_lowercase();
    let mut out = String::with_capacity(typed.len() * 2);
    let mut spelled_out = false;
    for phrase in &words {
        for word in phrase.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            // "IDPs." → "IDPs (internally displaced persons).": the long form goes right
            // after the acronym, before the punctuation around it.
            let start = word.find(char::is_alphanumeric).unwrap_or(word.len());
            let end = word.rfind(char::is_alphanumeric).map_or(start, |i| {
                i + word[i..].chars().next().map_or(1, char::len_utf8)
            });
            out.push_str(&word[..end]);
            if let Some(long_form) = glossary.long_form(&word[start..end]) {
                if !said.contains(&long_form.to_lowercase()) {
                    out.push_str(" (");
                    out.push_str(long_form);
                    out.push(')');
                    spelled_out = true;
                }
            }
            out.push_str(&word[end..]);
        }
    }
    ModelText {
        text: out,
        spelled_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acronyms::LearnedAcronym;

    fn glossary() -> Glossary {
        let learned = [
            LearnedAcronym {
                acronym: "IDPs".into(),
                long_form: "internally displaced persons".into(),
                documents: 2,
            },
            LearnedAcronym {
                acronym: "HHS".into(),
                long_form: "Health and Human Services".into(),
                documents: 2,
            },
        ];
        Glossary::new(&learned)
    }

    fn read(query: &str, plain: bool, g: &Glossary) -> String {
        let model = embedding_text(query, plain, g);
        assert_eq!(model.spelled_out, model.text.contains(" ("), "{model:?}");
        model.text
    }

    #[test]
    fn acronyms_are_followed_by_their_long_forms() {
        let g = glossary();
        assert_eq!(
            read("IDPs in camps vulnerable to trafficking", false, &g),
            "IDPs (internally displaced persons) in camps vulnerable to trafficking"
        );
        // The singular of a learned plural, a built-in acronym, a country's abbreviation.
        assert_eq!(
            read("IDP camps", false, &g),
            "IDP (internally displaced persons) camps"
        );
        assert_eq!(
            read("THB cases", false, &g),
            "THB (trafficking in human beings) cases"
        );
        assert_eq!(
            read("DPRK workers abroad", false, &g),
            "DPRK (Democratic People's Republic of Korea) workers abroad"
        );
    }

    #[test]
    fn ordinary_words_and_spelled_out_queries_are_left_alone() {
        let g = glossary();
        // Lower case or capitalised, "tip" is a word; an unknown acronym stays as typed.
        assert_eq!(read("a tip line", false, &g), "a tip line");
        assert_eq!(read("Tip lines", false, &g), "Tip lines");
        assert_eq!(read("MS-13 recruitment", false, &g), "MS-13 recruitment");
        // The user already wrote the long form.
        assert_eq!(
            read("HHS Health and Human Services letters", false, &g),
            "HHS Health and Human Services letters"
        );
    }

    #[test]
    fn operators_filters_and_exclusions_are_not_read() {
        let g = glossary();
        assert_eq!(
            read(
                "+\"forced labour\" fishing OR fisheries -smuggling year:2019 title:HHS",
                false,
                &g
            ),
            "forced labour fishing fisheries HHS (Health and Human Services)"
        );
        // A plain question is read as written, acronyms spelled out.
        assert_eq!(
            read("IL-6 levels rise in IDPs.", true, &g),
            "IL-6 levels rise in IDPs (internally displaced persons)."
        );
    }
}
