//! The tantivy documents of the index, written and read back: a document's record, its
//! passages, and the facets, filter keys and date bounds they carry.
//!
//! [`crate::schema`] names the fields; this module decides what goes into them. The writer
//! (`indexer`), the filter builder and the facet counter (`search`) all go through here, so what
//! a filter or a count looks for is by construction what was written.

use serde::de::DeserializeOwned;
use tantivy::schema::{Facet, Value};
use tantivy::{doc, TantivyDocument};

use crate::entities::{CountryMentions, TopicKind, TopicMentions};
use crate::error::{Error, Result};
use crate::metadata::{number, Metadata, MAX_FACET_FIELDS, MAX_FACET_VALUE};
use crate::record::DocRecord;
use crate::schema::{fold_plain, Fields, KIND_DOC, KIND_PASSAGE};

/// A facet dimension: a facet path's first part (`/source/UNODC`), the prefix of a filter key
/// (`source=unodc`), and the name in flags and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacetField {
    /// Publisher.
    Source,
    /// Year of the document's date.
    Year,
    /// Tags.
    Tag,
    /// Language.
    Lang,
    /// Countries the text names (ISO 3166-1 alpha-2 codes).
    Country,
    /// The user's own fields (`/field/KEY/VALUE`): as a dimension alone, which keys documents
    /// have; with a key, that key's values (see [`field_facet`]). Not in [`FacetField::ALL`].
    Field,
    /// Organisations the text names.
    Org,
    /// Legal instruments the text names.
    Instrument,
    /// Forms of exploitation the text names.
    Exploitation,
}

impl FacetField {
    /// All dimensions, in display order.
    pub const ALL: [FacetField; 8] = [
        FacetField::Source,
        FacetField::Year,
        FacetField::Tag,
        FacetField::Lang,
        FacetField::Country,
        FacetField::Org,
        FacetField::Instrument,
        FacetField::Exploitation,
    ];

    /// The dimension of a kind of topic.
    pub fn of_topic(kind: TopicKind) -> FacetField {
        match kind {
            TopicKind::Org => FacetField::Org,
            TopicKind::Instrument => FacetField::Instrument,
            TopicKind::Exploitation => FacetField::Exploitation,
        }
    }

    /// Name used in facet paths, flags and JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            FacetField::Source => "source",
            FacetField::Year => "year",
            FacetField::Tag => "tag",
            FacetField::Lang => "lang",
            FacetField::Country => "country",
            FacetField::Field => "field",
            FacetField::Org => "org",
            FacetField::Instrument => "instrument",
            FacetField::Exploitation => "exploitation",
        }
    }

    /// True when a document has at most one value, so "unknown" is meaningful.
    pub(crate) fn single_valued(self) -> bool {
        matches!(
            self,
            FacetField::Source | FacetField::Year | FacetField::Lang
        )
    }

    /// The facet of `value` in this dimension (`/source/UNODC`).
    pub(crate) fn facet(self, value: &str) -> Facet {
        Facet::from_path([self.name(), value])
    }

    /// The key [`Fields::filter`] holds for `value`: lower-cased and folded, so
    /// `--source unodc` matches `UNODC` and `--tag europe` matches `Europe`.
    pub(crate) fn filter_key(self, value: &str) -> String {
        format!("{}={}", self.name(), fold_plain(value))
    }
}

/// The facet of a user field's value: `/field/KEY/VALUE` (KEY as [`crate::metadata::field_key`]
/// left it, VALUE as declared).
pub(crate) fn field_facet(key: &str, value: &str) -> Facet {
    Facet::from_path([FacetField::Field.name(), key, value])
}

/// The filter key of a user field's value: `field.KEY=value`, folded as other filter keys are.
/// Keys hold only letters, digits and `_`, so `.` and `=` cannot be part of one.
pub(crate) fn field_filter_key(key: &str, value: &str) -> String {
    format!("field.{key}={}", fold_plain(value))
}

/// The prefix of a user field's numeric filter keys (`fieldnum.KEY=`), followed by
/// [`sortable_number`]: one term per number, ordered as the numbers are, so a range of numbers
/// is a range of terms.
pub(crate) fn field_number_prefix(key: &str) -> String {
    format!("fieldnum.{key}=")
}

/// `n` as 16 hex digits whose text order is numeric order (the IEEE 754 bits with the sign
/// bit flipped for positives and every bit flipped for negatives).
pub(crate) fn sortable_number(n: f64) -> String {
    let n = if n == 0.0 { 0.0 } else { n };
    let bits = n.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    format!("{ordered:016x}")
}

/// Facets, filter keys and date bounds of one document. They go on its record (for document
/// counts) and on every passage (for filtering), so they are computed once per document: filter
/// keys go through an analyzer, which is not free per passage.
pub(crate) struct DocFacets {
    facets: Vec<Facet>,
    filters: Vec<String>,
    dates: Option<(i64, i64)>,
}

impl DocFacets {
    /// What a document's metadata `m`, and the countries and topics its text names, put on its
    /// record and passages. Countries and topics are filtered by their facet term (their
    /// values are the gazetteers' own, so no folded filter key is needed): one term less per
    /// value and passage.
    pub(crate) fn of(
        m: &Metadata,
        countries: &[CountryMentions],
        topics: &[TopicMentions],
    ) -> DocFacets {
        let mut out = DocFacets {
            facets: Vec::new(),
            filters: Vec::new(),
            dates: None,
        };
        if let Some(source) = &m.source {
            out.facets.push(FacetField::Source.facet(&source.value));
            out.filters
                .push(FacetField::Source.filter_key(&source.value));
            // A long source is shown by its short form; typing that form finds it too.
            let short = crate::metadata::short_source(&source.value);
            if short != source.value {
                out.filters.push(FacetField::Source.filter_key(&short));
            }
        }
        if let Some(date) = &m.date {
            let year = date.value.year.to_string();
            out.facets.push(FacetField::Year.facet(&year));
            out.dates = Some((date.value.lo(), date.value.hi()));
        }
        if let Some(tags) = &m.tags {
            for tag in &tags.value {
                out.facets.push(FacetField::Tag.facet(tag));
                out.filters.push(FacetField::Tag.filter_key(tag));
            }
        }
        if let Some(lang) = &m.language {
            out.facets.push(FacetField::Lang.facet(&lang.value));
            out.filters.push(FacetField::Lang.filter_key(&lang.value));
        }
        for c in countries {
            out.facets.push(FacetField::Country.facet(&c.code));
        }
        for t in topics {
            out.facets
                .push(FacetField::of_topic(t.kind).facet(&t.value));
        }
        for (key, field) in m.fields.iter().take(MAX_FACET_FIELDS) {
            for value in field.value.iter().filter(|v| v.len() <= MAX_FACET_VALUE) {
                out.facets.push(field_facet(key, value));
                out.filters.push(field_filter_key(key, value));
                if let Some(n) = number(value) {
                    out.filters
                        .push(field_number_prefix(key) + &sortable_number(n));
                }
            }
        }
        out
    }

    fn add_to(&self, d: &mut TantivyDocument, fields: &Fields) {
        for facet in &self.facets {
            d.add_facet(fields.facets, facet.clone());
        }
        for key in &self.filters {
            d.add_text(fields.filter, key);
        }
        if let Some((lo, hi)) = self.dates {
            d.add_i64(fields.date_lo, lo);
            d.add_i64(fields.date_hi, hi);
        }
    }
}

/// A document's record: its [`DocRecord`] as JSON, the keys planning looks up, and its facets.
pub(crate) fn record_document(
    fields: &Fields,
    record: &DocRecord,
    facets: &DocFacets,
) -> Result<TantivyDocument> {
    let json = serde_json::to_string(record).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    let mut d = doc!(
        fields.kind => KIND_DOC,
        fields.doc_key => record.key,
        fields.record_key => record.key,
        fields.root => record.root.to_string_lossy().as_ref(),
        fields.rel_path => record.rel_path.as_str(),
        fields.hash => record.hash.as_str(),
        fields.record => json,
    );
    facets.add_to(&mut d, fields);
    Ok(d)
}

/// The record stored in a record document (a [`DocRecord`], or any part of it such as
/// [`crate::record::RecordSummary`]).
pub(crate) fn read_record<T: DeserializeOwned>(
    fields: &Fields,
    doc: &TantivyDocument,
) -> Result<T> {
    let json = doc
        .get_first(fields.record)
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::CorruptRecord("document record without its JSON".into()))?;
    serde_json::from_str(json).map_err(|e| Error::CorruptRecord(e.to_string()))
}

/// Where a passage sits in its document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    /// Passage number within its document, from 0.
    pub ordinal: u64,
    /// Byte offset of the passage in the document's text.
    pub start: usize,
    /// Byte offset of the passage's end in the document's text.
    pub end: usize,
    /// Page where the passage starts (PDF), if the format has pages.
    pub page: Option<u32>,
}

/// One passage of a document: its text, where it sits, and copies of what filters and ranking
/// need of the document (title, author, facets), so they never read the record.
pub(crate) fn passage_document(
    fields: &Fields,
    record: &DocRecord,
    facets: &DocFacets,
    place: &Place,
    text: &str,
) -> TantivyDocument {
    let mut d = doc!(
        fields.kind => KIND_PASSAGE,
        fields.doc_key => record.key,
        fields.text => text,
        fields.ordinal => place.ordinal,
        fields.start => place.start as u64,
        fields.end => place.end as u64,
    );
    if let Some(page) = place.page {
        d.add_u64(fields.page, u64::from(page));
    }
    if let Some(title) = &record.metadata.title {
        d.add_text(fields.title, &title.value);
    }
    if let Some(author) = &record.metadata.author {
        d.add_text(fields.author, &author.value);
    }
    facets.add_to(&mut d, fields);
    d
}

/// A passage as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredPassage {
    /// Where it sits in its document.
    pub place: Place,
    /// Its text.
    pub text: String,
}

/// The text of a stored passage, if `doc` is one.
pub(crate) fn passage_text<'a>(fields: &Fields, doc: &'a TantivyDocument) -> Option<&'a str> {
    doc.get_first(fields.text).and_then(|v| v.as_str())
}

/// Read back a passage of the document `doc_id` (named in the error when its text is missing).
pub(crate) fn read_passage(
    fields: &Fields,
    doc: &TantivyDocument,
    doc_id: &str,
) -> Result<StoredPassage> {
    let text = passage_text(fields, doc)
        .ok_or_else(|| Error::CorruptRecord(format!("passage of {doc_id} without text")))?
        .to_string();
    let number = |f| doc.get_first(f).and_then(|v| v.as_u64());
    Ok(StoredPassage {
        place: Place {
            ordinal: number(fields.ordinal).unwrap_or(0),
            start: number(fields.start).unwrap_or(0) as usize,
            end: number(fields.end).unwrap_or(0) as usize,
            page: number(fields.page).map(|p| p as u32),
        },
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_keys_fold_case_accents_and_space() {
        assert_eq!(FacetField::Source.filter_key(" UNODC "), "source=unodc");
        assert_eq!(
            FacetField::Tag.filter_key("Forced  Labour"),
            "tag=forced labour"
        );
        assert_eq!(FacetField::Source.filter_key("Médecins"), "source=medecins");
    }

    #[test]
    fn sortable_numbers_order_as_the_numbers_do() {
        let ns = [-1e9, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, 10.0, 1e12];
        let keys: Vec<String> = ns.iter().map(|&n| sortable_number(n)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(sortable_number(-0.0), sortable_number(0.0));
        assert!(keys.iter().all(|k| k.len() == 16));
    }
}
