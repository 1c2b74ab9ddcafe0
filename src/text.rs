//! Small text helpers every stage shares; a leaf, importing nothing of the crate.

/// `s` on one line: runs of whitespace (line breaks included) as one space, none at the ends.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_to_single_spaces() {
        let table = [
            ("", ""),
            (" \t\n ", ""),
            ("one", "one"),
            (
                "  Trafficking \r\n in\u{a0}persons\t",
                "Trafficking in persons",
            ),
            ("a\u{2003}\u{2028}b", "a b"),
        ];
        for (raw, one_line) in table {
            assert_eq!(collapse_whitespace(raw), one_line, "{raw:?}");
        }
    }
}
