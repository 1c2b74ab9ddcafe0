//! A request's query string → the library's request types, with the CLI's validation: the
//! same names as the flags (`source`, `tag`, `lang`, `year`, `from`, `to`, repeatable where the
//! flag is) and the same errors for a bad value.

use crate::error::{Error, Result};
use crate::search::{
    normalize_lang, parse_date_arg, FacetRequest, FieldFilter, Filters, YearRange,
};

/// True when a `field` value is a filter (`state=TX`, `minors>=1`) rather than a facet name.
fn is_field_filter(value: &str) -> bool {
    value.contains(['=', '<', '>'])
}

/// The decoded `name=value` pairs of a query string, in order.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decode `query` (`a=1&b=x+y&c=%C3%A9`); `+` is a space, bad escapes stay as typed.
    pub(crate) fn parse(query: &str) -> Params {
        Params(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(name), decode(value))
                })
                .collect(),
        )
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name` (a repeated parameter), in order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// `name` as a number in `0..=max`, or `default` when absent.
    pub(crate) fn number(&self, name: &'static str, default: usize, max: usize) -> Result<usize> {
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(Error::InvalidArgument {
                    what: name,
                    value: v.to_string(),
                    hint: format!("give a whole number from 0 to {max}"),
                }),
            },
        }
    }

    /// `name` as a flag: present and not `0`/`false`/`no`/`off`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| !matches!(v.trim(), "0" | "false" | "no" | "off"))
    }

    /// The filters, validated as `FilterArgs::to_filters` validates the flags.
    pub(crate) fn filters(&self) -> Result<Filters> {
        let years = self
            .all("year")
            .iter()
            .map(|y| YearRange::parse(y))
            .collect::<Result<Vec<_>>>()?;
        let date = |name: &'static str, what: &'static str| {
            self.get(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| parse_date_arg(what, v))
                .transpose()
        };
        let from = date("from", "from")?;
        let to = date("to", "to")?;
        if let (Some(f), Some(t)) = (from, to) {
            if f.lo() > t.hi() {
                return Err(Error::InvalidArgument {
                    what: "from",
                    value: f.to_string(),
                    hint: format!("it is after to={t}; swap them"),
                });
            }
        }
        Ok(Filters {
            sources: self.all("source"),
            tags: self.all("tag"),
            langs: self.all("lang").iter().map(|l| normalize_lang(l)).collect(),
            countries: self
                .all("country")
                .iter()
                .map(|c| crate::search::parse_country_arg("country", c))
                .collect::<Result<_>>()?,
            fields: self
                .all("field")
                .iter()
                .filter(|f| is_field_filter(f))
                .map(|f| FieldFilter::parse("field", f))
                .collect::<Result<_>>()?,
            topics: crate::entities::TopicKind::ALL
                .into_iter()
                .flat_map(|kind| {
                    self.all(kind.name())
                        .into_iter()
                        .map(move |v| crate::search::parse_topic_arg(kind.name(), kind, &v))
                })
                .collect::<Result<_>>()?,
            years,
            from,
            to,
        })
    }

    /// Facet dimensions and fields named by `name` (`source,year,field:state`, repeatable;
    /// `all` for every dimension); with `bare_fields`, only the values of `name` without a
    /// filter's operator (the facets route's `field` also carries `field=state=TX` filters).
    pub(crate) fn facet_fields(&self, name: &'static str) -> Result<FacetRequest> {
        let mut out = FacetRequest::default();
        for value in self.all(name) {
            if name == "field" && is_field_filter(&value) {
                continue;
            }
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                out.add_name(name, part)?;
            }
        }
        Ok(out)
    }

    /// Every `field` value that names no dimension, as a field filter: in a search, one without
    /// an operator is an error saying the filter's forms.
    pub(crate) fn field_values_are_filters(&self) -> Result<()> {
        match self.all("field").iter().find(|v| !is_field_filter(v)) {
            Some(bare) => FieldFilter::parse("field", bare).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// Percent-decoding of one query-string component; invalid UTF-8 is replaced, not refused.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::FacetField;

    #[test]
    fn decodes_plus_and_escapes_and_keeps_bad_ones() {
        let p = Params::parse("q=forced+labour&source=UNODC&source=IOM&x=%C3%A9t%C3%A9&bad=%zz%4");
        assert_eq!(p.get("q"), Some("forced labour"));
        assert_eq!(p.all("source"), vec!["UNODC", "IOM"]);
        assert_eq!(p.get("x"), Some("été"));
        assert_eq!(p.get("bad"), Some("%zz%4"));
        assert_eq!(p.get("missing"), None);
        assert_eq!(Params::parse("a=%E2%82").get("a"), Some("\u{FFFD}"));
    }

    #[test]
    fn filters_are_validated_like_the_flags() {
        let f = Params::parse("year=2015..2020&from=2019-06&lang=English&tag=Europe")
            .filters()
            .unwrap();
        assert_eq!((f.years[0].from, f.years[0].to), (2015, 2020));
        assert_eq!(f.from.unwrap().to_string(), "2019-06");
        assert_eq!(f.langs, vec!["en"]);
        assert_eq!(f.tags, vec!["Europe"]);
        let bad = Params::parse("year=abc").filters().unwrap_err();
        assert!(bad.is_usage() && bad.to_string().contains("abc"), "{bad}");
        let swapped = Params::parse("from=2021&to=2019").filters().unwrap_err();
        assert!(swapped.to_string().contains("swap"), "{swapped}");
    }

    #[test]
    fn numbers_and_facets_are_bounded() {
        let p = Params::parse("limit=20&offset=-1&facets=source,year&facets=all&big=1000");
        assert_eq!(p.number("limit", 10, 100).unwrap(), 20);
        assert_eq!(p.number("absent", 10, 100).unwrap(), 10);
        assert!(p.number("offset", 0, 100).is_err());
        let over = p.number("big", 0, 100).unwrap_err();
        assert!(over.to_string().contains("0 to 100"), "{over}");
        assert_eq!(
            p.facet_fields("facets").unwrap().dimensions,
            [&FacetField::ALL[..], &[FacetField::Field]].concat()
        );
        let p = Params::parse(
            "field=year&field=field%3ACase+Number&field=state%3DTX&field=minors%3E%3D1",
        );
        let wanted = p.facet_fields("field").unwrap();
        assert_eq!(wanted.dimensions, vec![FacetField::Year]);
        assert_eq!(wanted.fields, vec!["case_number".to_string()]);
        let filters = p.filters().unwrap();
        let typed: Vec<String> = filters.fields.iter().map(ToString::to_string).collect();
        assert_eq!(typed, ["state=TX", "minors>=1"]);
        let wrong = Params::parse("facets=colour").facet_fields("facets");
        assert!(wrong.unwrap_err().to_string().contains("colour"));
    }
}
