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
    fn period_bounds() {
        let y = YearRange::parse("2019").unwrap();
        assert_eq!((y.lo(), y.hi()), (20190101, 20191231));
    }
}
