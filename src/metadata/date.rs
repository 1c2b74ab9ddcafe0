//! Calendar dates that remember how precisely they were written.
//!
//! Documents say "June 2025" as often as "2025-06-12"; pretending the former
//! is the first of June would make range filters lie, so the precision is
//! kept and ranges use [`Date::lo`]/[`Date::hi`].

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

/// How much of a [`Date`] is known.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Only the year is known.
    Year,
    /// Year and month are known.
    Month,
    /// Year, month and day are known.
    Day,
}

/// A calendar date that keeps its precision: "2025-06" is June 2025, not 1 June 2025.
///
/// Invariant (upheld by [`Date::new`], the only constructor used by this
/// module): `day` implies `month`, the month is 1..=12 and the day exists in
/// that month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 0..=9999 (so that [`Date::lo`]/[`Date::hi`] stay 8-digit YYYYMMDD).
    pub year: i32,
    /// Month 1..=12, if known.
    pub month: Option<u8>,
    /// Day of the month, if known; only present together with `month`.
    pub day: Option<u8>,
}

/// Lenient parsing is a heuristic over free text, so it only believes
/// years a document about modern trafficking could plausibly carry.
const PARSE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn month_from_name(name: &str) -> Option<u8> {
    let n = name.to_ascii_lowercase();
    let m = match n.as_str() {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

const WEEKDAY: &str = r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?,?\s+)?";
const TIME: &str = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?(?:\s*(?:z|utc|gmt|cet|cest|est|edt|pst|pdt|bst|[+-]\d{2}:?\d{2}))?)?";

static ISO_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?$",
    )
    .expect("valid regex")
});
static ISO_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})[-/](\d{1,2})$").expect("valid regex"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{4})$").expect("valid regex"));
// PDF info dictionaries write dates as D:YYYYMMDDHHmmSSOHH'mm'.
static PDF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^D:(\d{4})(?:(\d{2})(?:(\d{2})[0-9Zz+\-']*)?)?$").expect("valid regex")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^{WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{{4}}){TIME}$"
    ))
    .expect("valid regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^{WEEKDAY}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){TIME}$"
    ))
    .expect("valid regex")
});
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^([a-z]+)\.?,?\s+(\d{4})$").expect("valid regex"));

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` in ASCII digits: year, month and day as written, unchecked.
/// By hand rather than by regex: every record read back holds a date in this form, and
/// compiling a regex cost ~0.4 ms of each one-shot search process (BENCHMARKS.md, issue 21).
fn strict_iso_parts(t: &str) -> Option<(i32, Option<u8>, Option<u8>)> {
    fn digits<T: FromStr>(part: Option<&str>, len: usize) -> Option<T> {
        part.filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))?
            .parse()
            .ok()
    }
    let mut parts = t.split('-');
    let year = digits(parts.next(), 4)?;
    let month = match parts.next() {
        None => return Some((year, None, None)),
        Some(m) => digits(Some(m), 2)?,
    };
    let day = match parts.next() {
        None => return Some((year, Some(month), None)),
        Some(d) => digits(Some(d), 2)?,
    };
    parts
        .next()
        .is_none()
        .then_some((year, Some(month), Some(day)))
}

fn num<T: FromStr>(s: Option<regex::Match<'_>>) -> Option<T> {
    s.and_then(|m| m.as_str().parse().ok())
}

/// Builds a date from parsed parts, applying the plausible-year window.
fn lenient(year: i32, month: Option<u8>, day: Option<u8>) -> Option<Date> {
    if !PARSE_YEARS.contains(&year) {
        return None;
    }
    Date::new(year, month, day)
}

impl Date {
    /// Builds a date, or `None` if the parts do not name a real calendar period.
    pub(crate) fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Option<Date> {
        if !(0..=9999).contains(&year) {
            return None;
        }
        match (month, day) {
            (None, None) => {}
            (None, Some(_)) => return None,
            (Some(m), d) => {
                if !(1..=12).contains(&m) {
                    return None;
                }
                if let Some(d) = d {
                    if d < 1 || d > days_in_month(year, m) {
                        return None;
                    }
                }
            }
        }
        Some(Date { year, month, day })
    }

    /// How much of the date is known.
    pub(crate) fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// First day of the period as a YYYYMMDD integer (2025-06 → 20250601, 2019 → 20190101).
    pub fn lo(&self) -> i64 {
        let m = self.month.unwrap_or(1);
        let d = self.day.unwrap_or(1);
        i64::from(self.year) * 10_000 + i64::from(m) * 100 + i64::from(d)
    }

    /// Last day of the period as YYYYMMDD (2025-06 → 20250630, 2024-02 → 20240229, 2019 → 20191231).
    pub fn hi(&self) -> i64 {
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or_else(|| days_in_month(self.year, m));
        i64::from(self.year) * 10_000 + i64::from(m) * 100 + i64::from(d)
    }

    /// Parses a date written any common unambiguous way.
    ///
    /// Accepts ISO ("2019-02-21", "2019-02-21T10:00:00Z", "2019-02-21 10:00",
    /// "2025-06", "2019"), written-out English months ("28 January 2020",
    /// "28 Jan. 2020", "January 28, 2020", "Jan 28 2020", "March 2020", with an
    /// optional weekday and time) and PDF "D:20190221…" dates. The whole
    /// trimmed string must be the date. Numeric day/month forms such as
    /// "02/03/2019" are ambiguous between conventions and return `None`, as do
    /// years outside 1900..=2100.
    pub(crate) fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        if s.is_empty() || s.len() > 80 {
            return None;
        }
        if let Some(c) = ISO_DAY.captures(s) {
            // Mixed separators ("2019-02/21") are more likely a typo or range than a date.
            if c[2] != c[4] {
                return None;
            }
            return lenient(num(c.get(1))?, Some(num(c.get(3))?), Some(num(c.get(5))?));
        }
        if let Some(c) = ISO_MONTH.captures(s) {
            return lenient(num(c.get(1))?, Some(num(c.get(2))?), None);
        }
        if let Some(c) = YEAR.captures(s) {
            return lenient(num(c.get(1))?, None, None);
        }
        if let Some(c) = PDF.captures(s) {
            return lenient(num(c.get(1))?, num(c.get(2)), num(c.get(3)));
        }
        if let Some(c) = DAY_MONTH_YEAR.captures(s) {
            let month = month_from_name(&c[2])?;
            return lenient(num(c.get(3))?, Some(month), Some(num(c.get(1))?));
        }
        if let Some(c) = MONTH_DAY_YEAR.captures(s) {
            let month = month_from_name(&c[1])?;
            return lenient(num(c.get(3))?, Some(month), Some(num(c.get(2))?));
        }
        if let Some(c) = MONTH_YEAR.captures(s) {
            let month = month_from_name(&c[1])?;
            return lenient(num(c.get(2))?, Some(month), None);
        }
        None
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Date {
    type Err = String;

    /// Strict ISO only (YYYY, YYYY-MM, YYYY-MM-DD), because this is what
    /// users type on the command line and a lenient guess there would
    /// silently filter on the wrong period.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let err = || {
            format!("invalid date '{t}': expected YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2019, 2019-02 or 2019-02-21)")
        };
        let (year, month, day) = strict_iso_parts(t).ok_or_else(err)?;
        Date::new(year, month, day).ok_or_else(err)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Option<Date> {
        Date::new(y, Some(m), Some(day))
    }

    #[test]
    fn parses_iso_forms() {
        assert_eq!(Date::parse("2019-02-21"), d(2019, 2, 21));
        assert_eq!(Date::parse("  2019-02-21  "), d(2019, 2, 21));
        assert_eq!(Date::parse("2019-02-21T10:00:00Z"), d(2019, 2, 21));
        assert_eq!(Date::parse("2019-02-21T10:00:00+01:00"), d(2019, 2, 21));
        assert_eq!(Date::parse("2019-02-21 10:00"), d(2019, 2, 21));
        assert_eq!(Date::parse("2019/02/21"), d(2019, 2, 21));
        assert_eq!(Date::parse("2025-06"), Date::new(2025, Some(6), None));
        assert_eq!(Date::parse("2019"), Date::new(2019, None, None));
        assert_eq!(Date::parse("D:20190221103000+01'00'"), d(2019, 2, 21));
    }

    #[test]
    fn parses_written_forms() {
        let jan28 = d(2020, 1, 28);
        assert_eq!(Date::parse("28 January 2020"), jan28);
        assert_eq!(Date::parse("28 Jan. 2020"), jan28);
        assert_eq!(Date::parse("28 Jan 2020"), jan28);
        assert_eq!(Date::parse("28th January, 2020"), jan28);
        assert_eq!(Date::parse("January 28, 2020"), jan28);
        assert_eq!(Date::parse("Jan 28 2020"), jan28);
        assert_eq!(Date::parse("january 28th, 2020"), jan28);
        assert_eq!(Date::parse("Tuesday, 28 January 2020"), jan28);
        assert_eq!(Date::parse("Tue, 28 Jan 2020 10:00:00 +0000"), jan28);
        assert_eq!(Date::parse("March 2020"), Date::new(2020, Some(3), None));
        assert_eq!(Date::parse("Sept. 2020"), Date::new(2020, Some(9), None));
    }

    #[test]
    fn rejects_non_dates_and_ambiguous_forms() {
        for s in [
            "02/03/2019",
            "21.02.2019",
            "2019-13-01",
            "2019-02-30",
            "2019-00",
            "Sunday",
            "in 2019",
            "(2011-2013)",
            "2011-2013",
            "2019-02/21",
            "1850",
            "2200",
            "",
            "   ",
            "Smarch 2020",
            "30 February 2020",
            "May",
            "12345",
        ] {
            assert_eq!(Date::parse(s), None, "{s:?} should not parse");
        }
    }

    #[test]
    fn validates_leap_years() {
        assert!(Date::new(2024, Some(2), Some(29)).is_some());
        assert!(Date::new(2023, Some(2), Some(29)).is_none());
        assert!(Date::new(2000, Some(2), Some(29)).is_some());
        assert!(Date::new(1900, Some(2), Some(29)).is_none());
        assert!(Date::new(2020, None, Some(1)).is_none());
        assert!(Date::new(2020, Some(4), Some(31)).is_none());
        assert!(Date::new(10_000, None, None).is_none());
    }

    #[test]
    fn precision_lo_hi() {
        let june = Date::parse("2025-06").unwrap();
        assert_eq!(june.precision(), Precision::Month);
        assert_eq!((june.lo(), june.hi()), (20250601, 20250630));
        let feb = Date::parse("2024-02").unwrap();
        assert_eq!((feb.lo(), feb.hi()), (20240201, 20240229));
        let feb23 = Date::parse("2023-02").unwrap();
        assert_eq!(feb23.hi(), 20230228);
        let year = Date::parse("2019").unwrap();
        assert_eq!(year.precision(), Precision::Year);
        assert_eq!((year.lo(), year.hi()), (20190101, 20191231));
        let day = Date::parse("2019-02-21").unwrap();
        assert_eq!(day.precision(), Precision::Day);
        assert_eq!((day.lo(), day.hi()), (20190221, 20190221));
    }

    #[test]
    fn display_and_serde_round_trip() {
        for s in ["2019-02-21", "2025-06", "2019", "2000-02-29"] {
            let date: Date = s.parse().unwrap();
            assert_eq!(date.to_string(), s);
            let json = serde_json::to_string(&date).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            let back: Date = serde_json::from_str(&json).unwrap();
            assert_eq!(back, date);
        }
        assert!(serde_json::from_str::<Date>("\"28 January 2020\"").is_err());
        assert_eq!(
            serde_json::to_string(&Precision::Month).unwrap(),
            "\"month\""
        );
        assert_eq!(
            serde_json::from_str::<Precision>("\"day\"").unwrap(),
            Precision::Day
        );
    }

    #[test]
    fn from_str_is_strict() {
        assert_eq!(
            "2019".parse::<Date>(),
            Ok(Date::new(2019, None, None).unwrap())
        );
        assert_eq!(
            " 2019-02 ".parse::<Date>(),
            Ok(Date::new(2019, Some(2), None).unwrap())
        );
        for bad in [
            "2019-2",
            "28 January 2020",
            "2019/02/21",
            "2019-02-30",
            "x",
            "",
            "2019-",
            "2019-02-",
            "2019-02-21-01",
            "+201",
            "20190",
            "\u{661}\u{662}\u{663}\u{664}",
        ] {
            let err = bad.parse::<Date>().unwrap_err();
            assert!(err.contains("YYYY, YYYY-MM or YYYY-MM-DD"), "{err}");
        }
    }

    #[test]
    fn ordering_is_chronological_within_precision() {
        let a = Date::parse("2019-02-21").unwrap();
        let b = Date::parse("2019-03").unwrap();
        let c = Date::parse("2020").unwrap();
        assert!(a < b && b < c);
    }
}
