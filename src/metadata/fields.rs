//! The user's own fields: keys a sidecar, front matter or JSON Lines record declares that no
//! metadata field takes (a case's `state`, `case_number`, `minors`; a report's `programme`).
//! Each is kept with its values as declared, so it can be shown, filtered and counted without a
//! schema change per key.

use std::collections::BTreeMap;

use super::hints::{classify, Key};
use super::{clean, Field, Hint};

/// Values longer than this are kept and shown but not counted or filtered: a facet of
/// paragraph-long values counts nothing useful and costs every passage a long term.
pub(crate) const MAX_FACET_VALUE: usize = 120;

/// At most this many fields of one document are counted and filtered (the first by key).
pub(crate) const MAX_FACET_FIELDS: usize = 32;

/// A declared key in the one form fields are stored, filtered and counted under: lower-cased,
/// every run of characters other than letters and digits one `_`, none at either end
/// (`Case Number`, `case-number` and `CASE_NUMBER` are `case_number`). `None` when nothing is
/// left (a key of punctuation only), and such a key is dropped.
pub(crate) fn field_key(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    (!out.is_empty()).then_some(out)
}

/// The fields among `declared` hints (in trust order: the first hint of a key wins, so a
/// sidecar overrides front matter): keys no metadata field takes, each with its cleaned,
/// de-duplicated values.
pub(crate) fn declared_fields(declared: &[Hint]) -> BTreeMap<String, Field<Vec<String>>> {
    let mut out: BTreeMap<String, Field<Vec<String>>> = BTreeMap::new();
    for h in declared {
        if classify(&h.key) != Key::Other {
            continue;
        }
        let Some(key) = field_key(&h.key) else {
            continue;
        };
        if out.contains_key(&key) {
            continue;
        }
        let mut values: Vec<String> = Vec::new();
        for v in h.values.iter().filter_map(|v| clean(v)) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if values.is_empty() {
            continue;
        }
        out.insert(
            key,
            Field {
                value: values,
                from: h.from.clone(),
            },
        );
    }
    out
}

/// `value` as a number, when it is written as one: an optional sign, digits, an optional
/// decimal point and digits (`12`, `-3`, `0.5`; written as a string or not). Thousands
/// separators, units and codes such as `3:11-cr-02420` are not numbers.
pub(crate) fn number(value: &str) -> Option<f64> {
    let v = value.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || (digits.contains('.') && frac.is_empty())
    {
        return None;
    }
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(key: &str, values: &[&str], from: &str) -> Hint {
        Hint {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            from: from.into(),
        }
    }

    #[test]
    fn keys_fold_to_one_form_and_punctuation_only_keys_are_dropped() {
        assert_eq!(field_key("Case Number").as_deref(), Some("case_number"));
        assert_eq!(field_key("case-number").as_deref(), Some("case_number"));
        assert_eq!(field_key(" CASE__NUMBER ").as_deref(), Some("case_number"));
        assert_eq!(field_key("a=b/c>d").as_deref(), Some("a_b_c_d"));
        assert_eq!(field_key("Région").as_deref(), Some("région"));
        assert_eq!(field_key("--"), None);
        assert_eq!(field_key(""), None);
    }

    #[test]
    fn known_keys_are_not_fields_and_the_first_declaration_wins() {
        let fields = declared_fields(&[
            hint("title", &["A case"], "sidecar"),
            hint("State", &["TX"], "sidecar"),
            hint("minors", &[" 2 ", "2", "3"], "sidecar"),
            hint("state", &["CA"], "front matter"),
            hint("empty", &["  "], "sidecar"),
        ]);
        let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(keys, ["minors", "state"]);
        assert_eq!(fields["state"].value, ["TX"]);
        assert_eq!(fields["state"].from, "sidecar");
        assert_eq!(fields["minors"].value, ["2", "3"]);
    }

    #[test]
    fn numbers_are_plain_decimal_numbers() {
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number(" -3 "), Some(-3.0));
        assert_eq!(number("0.5"), Some(0.5));
        for not in [
            "",
            "1,000",
            "3:11-cr-02420-FM",
            "12 kg",
            "1.",
            ".5",
            "1e5",
            "NaN",
            "inf",
            "-",
        ] {
            assert_eq!(number(not), None, "{not}");
        }
    }
}
