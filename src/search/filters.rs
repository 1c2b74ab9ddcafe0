//! Facet and date filters: OR within one field, AND across fields.

use super::query::{FilterField, ParsedQuery};
use crate::entities::TopicKind;
use crate::error::{Error, Result};
use crate::metadata::{normalize_language, Date};

/// Filters a search or a facet count is restricted to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Any of these sources (case- and accent-insensitive).
    pub sources: Vec<String>,
    /// Any of these tags.
    pub tags: Vec<String>,
    /// Any of these languages (codes or names: `en`, `eng`, `English`).
    pub langs: Vec<String>,
    /// Naming any of these countries (ISO 3166-1 alpha-2 codes, see [`parse_country_arg`]).
    pub countries: Vec<String>,
    /// The user's own fields (`--field state=TX`): every key's filters must hold (AND), and
    /// one of each key's (OR).
    pub fields: Vec<FieldFilter>,
    /// Naming any of these organisations, instruments or forms of exploitation (each kind a
    /// filter of its own: any value of a kind, every kind given; see [`parse_topic_arg`]).
    pub topics: Vec<(TopicKind, String)>,
    /// Dated within any of these year ranges.
    pub years: Vec<YearRange>,
    /// Dated on or after this (a document's period overlapping it counts).
    pub from: Option<Date>,
    /// Dated on or before this.
    pub to: Option<Date>,
}

impl Filters {
    /// True when nothing is filtered: every document is admitted.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Add the filters written inside a query (`source:UNODC year:2019`). A malformed year
    /// is a usage error naming it: dropping it silently would widen the results unseen.
    pub(crate) fn absorb(&mut self, parsed: &ParsedQuery) -> Result<()> {
        for (field, value) in &parsed.filters {
            match field {
                FilterField::Source => self.sources.push(value.clone()),
                FilterField::Tag => self.tags.push(value.clone()),
                FilterField::Lang => self.langs.push(normalize_lang(value)),
                FilterField::Year => {
                    let year = YearRange::parse(value).map_err(|e| Error::InvalidQueryFilter {
                        filter: format!("year:{value}"),
                        hint: match e {
                            Error::InvalidArgument { hint, .. } => hint
                                .replace("2015..2020", "year:2015..2020")
                                .replace("a year like 2019", "year:2019"),
                            other => other.to_string(),
                        },
                    })?;
                    self.years.push(year);
                }
            }
        }
        Ok(())
    }
}

/// What `--field` expects, said by every error about it.
const FIELD_FORMS: &str = "use KEY=VALUE (state=TX), KEY>=N, KEY>N, KEY<=N, KEY<N (minors>=1) or \
                           KEY=LO..HI (defendants=2..5, or open: total_victims=10..)";

/// One filter on a user field (`--field`): its key and the test its value must pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldFilter {
    /// The key, in the form fields are stored under (lower-cased, `_` for other characters).
    pub key: String,
    /// What a value must be.
    pub test: FieldTest,
}

/// One end of a [`FieldTest::Range`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldBound {
    /// No bound on this side.
    Open,
    /// This number or beyond.
    Inclusive(Number),
    /// Beyond this number.
    Exclusive(Number),
}

/// A number of a range filter, kept as its sortable form (see [`Number::value`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number(u64);

impl Number {
    fn new(n: f64) -> Number {
        let n = if n == 0.0 { 0.0 } else { n };
        Number(n.to_bits())
    }

    /// The number.
    pub fn value(self) -> f64 {
        f64::from_bits(self.0)
    }
}

/// What a user field's value must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldTest {
    /// This value (case- and accent-insensitive); when it is a number, also the same number
    /// written otherwise (`2` finds `2.0`).
    Is(String),
    /// A number within these bounds (values that are not numbers never match).
    Range(FieldBound, FieldBound),
}

impl FieldFilter {
    /// Parse `KEY=VALUE`, `KEY>=N`, `KEY>N`, `KEY<=N`, `KEY<N` or `KEY=LO..HI` (either end may
    /// be left open). `what` names the flag or parameter in errors.
    pub fn parse(what: &'static str, s: &str) -> Result<FieldFilter> {
        let bad = |hint: String| Error::InvalidArgument {
            what,
            value: s.to_string(),
            hint,
        };
        let at = s
            .find(['=', '<', '>'])
            .ok_or_else(|| bad(format!("no operator; {FIELD_FORMS}")))?;
        let key = crate::metadata::field_key(&s[..at]).ok_or_else(|| {
            bad(format!(
                "no field name before `{}`; {FIELD_FORMS}",
                &s[at..at + 1]
            ))
        })?;
        let rest = &s[at..];
        let (op, value) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("=", ""));
        if value.is_empty() {
            return Err(bad(format!("no value after `{op}`; {FIELD_FORMS}")));
        }
        let num = |v: &str| {
            crate::metadata::number(v)
                .map(Number::new)
                .ok_or_else(|| bad(format!("`{v}` is not a number; {FIELD_FORMS}")))
        };
        let test = match op {
            ">=" => FieldTest::Range(FieldBound::Inclusive(num(value)?), FieldBound::Open),
            ">" => FieldTest::Range(FieldBound::Exclusive(num(value)?), FieldBound::Open),
            "<=" => FieldTest::Range(FieldBound::Open, FieldBound::Inclusive(num(value)?)),
            "<" => FieldTest::Range(FieldBound::Open, FieldBound::Exclusive(num(value)?)),
            _ => match value.split_once("..") {
                // A range when either end is a number; `a..b` of words is a value.
                Some((lo, hi))
                    if [lo, hi]
                        .iter()
                        .any(|v| crate::metadata::number(v).is_some()) =>
                {
                    let end = |v: &str| -> Result<FieldBound> {
                        let v = v.trim();
                        Ok(if v.is_empty() {
                            FieldBound::Open
                        } else {
                            FieldBound::Inclusive(num(v)?)
                        })
                    };
                    let (lo, hi) = (end(lo)?, end(hi)?);
                    if let (FieldBound::Inclusive(a), FieldBound::Inclusive(b)) = (lo, hi) {
                        if a.value() > b.value() {
                            return Err(bad(format!(
                                "the range runs backwards; did you mean {key}={}..{}?",
                                b.value(),
                                a.value()
                            )));
                        }
                    }
                    FieldTest::Range(lo, hi)
                }
                _ => FieldTest::Is(value.to_string()),
            },
        };
        Ok(FieldFilter { key, test })
    }
}

impl std::fmt::Display for FieldFilter {
    /// The filter in the form [`FieldFilter::parse`] reads (echoed in JSON, kept by saved
    /// searches).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = &self.key;
        match &self.test {
            FieldTest::Is(v) => write!(f, "{key}={v}"),
            FieldTest::Range(FieldBound::Inclusive(a), FieldBound::Open) => {
                write!(f, "{key}>={}", a.value())
            }
            FieldTest::Range(FieldBound::Exclusive(a), FieldBound::Open) => {
                write!(f, "{key}>{}", a.value())
            }
            FieldTest::Range(FieldBound::Open, FieldBound::Inclusive(b)) => {
                write!(f, "{key}<={}", b.value())
            }
            FieldTest::Range(FieldBound::Open, FieldBound::Exclusive(b)) => {
                write!(f, "{key}<{}", b.value())
            }
            FieldTest::Range(lo, hi) => {
                let end = |b: &FieldBound| match b {
                    FieldBound::Open => String::new(),
                    FieldBound::Inclusive(n) | FieldBound::Exclusive(n) => n.value().to_string(),
                };
                write!(f, "{key}={}..{}", end(lo), end(hi))
            }
        }
    }
}

/// Normalise a language filter the way stored languages are normalised.
pub fn normalize_lang(value: &str) -> String {
    normalize_language(value).unwrap_or_else(|| value.trim().to_lowercase())
}

/// An inclusive range of years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearRange {
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
}

impl YearRange {
    /// Parse `2019`, `2015..2020` or `2015-2020` (also open: `2015..`, `..2020`).
    pub fn parse(s: &str) -> Result<YearRange> {
        let bad = || Error::InvalidArgument {
            what: "--year",
            value: s.to_string(),
            hint: "use a year like 2019 or a range like 2015..2020".into(),
        };
        let year = |t: &str, default: i32| -> Result<i32> {
            let t = t.trim();
            if t.is_empty() {
                return Ok(default);
            }
            match t.parse::<i32>() {
                Ok(y) if (1000..=9999).contains(&y) && t.len() == 4 => Ok(y),
                _ => Err(bad()),
            }
        };
        let (a, b) = match s.split_once("..") {
            Some((a, b)) => (a, b),
            None => match s.trim().split_once('-') {
                Some((a, b)) if !a.is_empty() => (a, b),
                _ => (s, s),
            },
        };
        let (from, to) = (year(a, 1000)?, year(b, 9999)?);
        if a.trim().is_empty() && b.trim().is_empty() {
            return Err(bad());
        }
        if from > to {
            return Err(Error::InvalidArgument {
                what: "--year",
                value: s.to_string(),
                hint: format!("the range runs backwards; did you mean {to}..{from}?"),
            });
        }
        Ok(YearRange { from, to })
    }

    /// First day as YYYYMMDD.
    pub(crate) fn lo(&self) -> i64 {
        i64::from(self.from) * 10_000 + 101
    }

    /// Last day as YYYYMMDD.
    pub(crate) fn hi(&self) -> i64 {
        i64::from(self.to) * 10_000 + 1231
    }
}

/// Parse a `--country`: an ISO 3166 code, any of a country's names or its demonym (`NP`, `NPL`,
/// `Nepal`, `Nepali`) → its alpha-2 code.
pub fn parse_country_arg(what: &'static str, s: &str) -> Result<String> {
    crate::entities::countries::gazetteer()
        .lookup(s)
        .map(str::to_string)
        .ok_or_else(|| Error::InvalidArgument {
            what,
            value: s.to_string(),
            hint: "not a country or territory tipdex knows; give an ISO 3166 code (NP), a name \
                   (Nepal) or a demonym (Nepali)"
                .to_string(),
        })
}

/// Parse an `--org`, `--instrument` or `--exploitation`: any of the gazetteer's names of one, in
/// any case and spelling (`unodc`, `forced labor`, `18 USC 1591`) → its one name.
pub fn parse_topic_arg(
    what: &'static str,
    kind: TopicKind,
    s: &str,
) -> Result<(TopicKind, String)> {
    crate::entities::topics::topics()
        .lookup(kind, s)
        .map(|v| (kind, v))
        .ok_or_else(|| Error::InvalidArgument {
            what,
            value: s.to_string(),
            hint: format!(
                "not a {} tipdex knows; `tipdex facets --field {}` lists the ones indexed",
                match kind {
                    TopicKind::Org => "organisation",
                    TopicKind::Instrument => "legal instrument",
                    TopicKind::Exploitation => "form of exploitation",
                },
                kind.name()
            ),
        })
}

/// Parse a `--from`/`--to` date: `2019`, `2019-06` or `2019-06-30`.
pub fn parse_date_arg(what: &'static str, s: &str) -> Result<Date> {
    s.parse::<Date>().map_err(|hint| Error::InvalidArgument {
        what,
        value: s.to_string(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_forms() {
        assert_eq!(
            YearRange::parse("2019").unwrap(),
            YearRange {
                from: 2019,
                to: 2019
            }
        );
        assert_eq!(
            YearRange::parse("2015..2020").unwrap(),
            YearRange {
                from: 2015,
                to: 2020
            }
        );
        assert_eq!(
            YearRange::parse("2015-2020").unwrap(),
            YearRange {
                from: 2015,
                to: 2020
            }
        );
        assert_eq!(
            YearRange::parse("2015..").unwrap(),
            YearRange {
                from: 2015,
                to: 9999
            }
        );
        assert_eq!(YearRange::parse("..2020").unwrap().to, 2020);
    }

    #[test]
    fn bad_years_say_what_to_type() {
        for bad in ["19", "twenty", "2019..x", "..", "20190"] {
            let e = YearRange::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("--year") && e.contains("2015..2020"),
                "{bad}: {e}"
            );
        }
        let e = YearRange::parse("2020..2015").unwrap_err().to_string();
        assert!(e.contains("2015..2020"), "{e}");
    }

    #[test]
    fn a_malformed_year_in_the_query_is_an_error_naming_it() {
        for (query, shown) in [("x year:99999", "year:99999"), ("date:abc x", "year:abc")] {
            let err = Filters::default()
                .absorb(&crate::search::parse(query))
                .unwrap_err();
            assert!(err.is_usage());
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("`{shown}`")) && msg.contains("year:2019"),
                "{msg}"
            );
        }
        let mut ok = Filters::default();
        ok.absorb(&crate::search::parse("year:2015..2020 source:UNODC"))
            .unwrap();
        assert_eq!((ok.years.len(), ok.sources.len()), (1, 1));
    }

    #[test]
    fn field_filters_read_values_comparisons_and_ranges() {
        let parse = |s| FieldFilter::parse("--field", s).unwrap();
        let n = |v: f64| FieldBound::Inclusive(Number::new(v));
        assert_eq!(
            parse("State=TX"),
            FieldFilter {
                key: "state".into(),
                test: FieldTest::Is("TX".into())
            }
        );
        assert_eq!(parse("Case Number = 3:11-cr-02420").key, "case_number");
        assert_eq!(
            parse("minors>=1").test,
            FieldTest::Range(n(1.0), FieldBound::Open)
        );
        assert_eq!(
            parse("minors>0").test,
            FieldTest::Range(FieldBound::Exclusive(Number::new(0.0)), FieldBound::Open)
        );
        assert_eq!(
            parse("defendants=2..5").test,
            FieldTest::Range(n(2.0), n(5.0))
        );
        assert_eq!(
            parse("total_victims=10..").test,
            FieldTest::Range(n(10.0), FieldBound::Open)
        );
        assert_eq!(parse("code=a..b").test, FieldTest::Is("a..b".into()));
        for s in ["state=TX", "minors>=1", "minors<3", "defendants=2..5"] {
            assert_eq!(parse(s).to_string(), s);
        }
        // What is echoed reads back as the same filter.
        assert_eq!(parse("x=..2.5").to_string(), "x<=2.5");
        assert_eq!(parse("x<=2.5"), parse("x=..2.5"));
    }

    #[test]
    fn bad_field_filters_name_the_expected_form() {
        for bad in [
            "state",
            "=TX",
            "state=",
            "minors>=one",
            "defendants=5..2",
            "x=1..y",
            "<3",
        ] {
            let e = FieldFilter::parse("--field", bad).unwrap_err();
            assert!(e.is_usage());
            let msg = e.to_string();
            assert!(msg.contains(&format!("`{bad}`")), "{msg}");
            assert!(
                msg.contains("KEY=VALUE") || msg.contains("did you mean defendants=2..5"),
                "{msg}"
            );
        }
    }

    #[test]
    fn period_bounds() {
        let y = YearRange::parse("2019").unwrap();
        assert_eq!((y.lo(), y.hi()), (20190101, 20191231));
    }
}
