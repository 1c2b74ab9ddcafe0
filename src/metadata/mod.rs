//! Document metadata: title, date, source, author and friends.
//!
//! Each field is decided by a fixed order of trust — what the file declared
//! about itself (sidecar, front matter), then what its format embedded (HTML
//! meta, PDF info), then narrow cues in the text, then the folder and file
//! name — and records which rule decided it, so `tipdex show` can explain
//! every value. A wrong guess is worse than "unknown": every text rule
//! prefers to give up.

mod cover;
pub(crate) mod date;
mod fields;
mod gazetteer;
mod hints;
mod lang;
mod source;
mod text_cues;

use std::collections::BTreeMap;

pub(crate) use cover::SizedLine;
pub(crate) use date::{Date, Precision};
pub(crate) use fields::{field_key, number, MAX_FACET_FIELDS, MAX_FACET_VALUE};
pub(crate) use gazetteer::{canonical_source, organisations, short_source};
pub(crate) use lang::normalize_language;

use hints::{classify, normalize_key, Key};

/// Provenance of a title taken from the file name.
pub(crate) const FROM_FILE_NAME: &str = "file name";
/// Provenance prefix of a title taken from the text's first sentence.
pub(crate) const FROM_FIRST_SENTENCE: &str = "text: first sentence";
pub(crate) use text_cues::identifier_like;

/// Provenance of a source taken from the first folder under the indexed root.
pub(crate) const FROM_FOLDER: &str = "folder";

/// A metadata value together with the rule that decided it (shown by `tipdex show`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field<T> {
    /// The decided value.
    pub value: T,
    /// Human-readable rule that produced it, e.g. "sidecar 003_x.meta.json" or "text: 'Date:' line 7".
    pub from: String,
}

/// Everything known about a document besides its text.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Metadata {
    /// Document title.
    pub title: Option<Field<String>>,
    /// Publication date, at the precision it was written with.
    pub date: Option<Field<Date>>,
    /// Publishing organisation or outlet.
    pub source: Option<Field<String>>,
    /// Author(s); several are joined with "; ".
    pub author: Option<Field<String>>,
    /// Canonical URL of the document.
    pub url: Option<Field<String>>,
    /// License, Creative Commons ones in short form ("CC BY-ND 4.0").
    pub license: Option<Field<String>>,
    /// Place the document was written about or from (e.g. a dateline's city).
    pub place: Option<Field<String>>,
    /// The headings above the title in the document's opening heading chain, outermost
    /// first, joined by " › " (e.g. "Title 22— … › CHAPTER 78— …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Field<String>>,
    /// Tags/keywords, trimmed and de-duplicated.
    pub tags: Option<Field<Vec<String>>>,
    /// ISO 639-1 where one exists ("en"), else 639-3.
    pub language: Option<Field<String>>,
    /// Other keys the document's own metadata embeds (html meta, PDF info) kept as strings.
    pub extra: BTreeMap<String, Field<String>>,
    /// The user's own fields: keys a sidecar, front matter or JSON Lines record declares that
    /// no field above takes (`state`, `minors`, `country`), under [`field_key`], with their
    /// values as declared; shown, filtered (`--field`) and counted (`field:KEY` facets).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Field<Vec<String>>>,
}

/// One key/value pair a file format declared about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Key as the format wrote it ("dc.date", "og:title", "Title"); matched case-insensitively.
    pub key: String,
    /// One or more values; repeated keys or arrays give several.
    pub values: Vec<String>,
    /// Where the hint came from, e.g. "front matter" or "html <meta name=\"dc.date\">".
    pub from: String,
}

/// Everything [`extract`] looks at for one document.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetaInput<'a> {
    /// Plain text of the document as extracted (boilerplate NOT yet removed; header/footer cue lines are still there).
    pub text: &'a str,
    /// Highest trust: sidecar `NAME.meta.json` hints first, then Markdown front matter.
    pub declared: Vec<Hint>,
    /// Middle trust: the document's own metadata: HTML <meta>, <title>, <html lang>, PDF info.
    pub embedded: Vec<Hint>,
    /// First folder under the indexed root, if the file is not at the root (e.g. "UNODC" for root/UNODC/2019/x.txt).
    pub folder: Option<&'a str>,
    /// File name without directories, e.g. "004_4e25dece879ac80b.txt".
    pub file_name: &'a str,
    /// PDF: the printed lines of the first pages with their sizes (the cover rules read them).
    pub cover: &'a [SizedLine],
    /// PDF: the text of each page (repeated footers name the publisher).
    pub pages: &'a [String],
}

/// Trims and collapses internal whitespace; an empty value counts as absent.
pub(crate) fn clean(s: &str) -> Option<String> {
    let joined = crate::text::collapse_whitespace(s);
    (!joined.is_empty()).then_some(joined)
}

/// Hints in trust order, each tagged with whether it was declared (vs embedded).
fn ranked<'a>(input: &'a MetaInput) -> impl Iterator<Item = (&'a Hint, bool)> + 'a {
    input
        .declared
        .iter()
        .map(|h| (h, true))
        .chain(input.embedded.iter().map(|h| (h, false)))
}

/// The first hint of `hints` for `key` whose values `parse` accepts.
fn from_list<T>(
    hints: &[Hint],
    declared: bool,
    key: Key,
    parse: impl Fn(&[String], bool) -> Option<T>,
) -> Option<Field<T>> {
    hints
        .iter()
        .filter(|h| classify(&h.key) == key)
        .find_map(|h| {
            parse(&h.values, declared).map(|value| Field {
                value,
                from: h.from.clone(),
            })
        })
}

/// The first hint for `key` whose values `parse` accepts; unparseable hints fall through.
fn from_hints<T>(
    input: &MetaInput,
    key: Key,
    parse: impl Fn(&[String], bool) -> Option<T>,
) -> Option<Field<T>> {
    ranked(input)
        .filter(|(h, _)| classify(&h.key) == key)
        .find_map(|(h, declared)| {
            parse(&h.values, declared).map(|value| Field {
                value,
                from: h.from.clone(),
            })
        })
}

/// First value of a hint that `f` accepts.
fn first<T>(values: &[String], f: impl Fn(&str) -> Option<T>) -> Option<T> {
    values.iter().find_map(|v| f(v))
}

/// The file name as a reader would write it: no extension, and "_" or the "-" of a slug
/// ("in-harms-way") read as the spaces they stand for.
fn readable_file_name(name: &str) -> Option<String> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let slug = !stem.contains(' ');
    let spaced: String = stem
        .chars()
        .map(|c| match c {
            '_' => ' ',
            '-' if slug => ' ',
            c => c,
        })
        .collect();
    clean(&spaced).or_else(|| clean(stem))
}

/// Decide every field by the order of trust: declared > embedded > cues in the text > folder (source only) > file name (title only) > unknown.
pub(crate) fn extract(input: &MetaInput) -> Metadata {
    let lines = text_cues::non_empty_lines(input.text);
    let dateline = text_cues::dateline(&lines);

    let title_hint = |hints: &[Hint], declared: bool| {
        from_list(hints, declared, Key::Title, |vs, declared| {
            first(vs, |v| {
                clean(v).filter(|t| declared || !text_cues::junk_title(t))
            })
        })
    };
    // The cover is what a reader cites; a PDF's Title field is often a working name.
    let title = title_hint(&input.declared, true)
        .or_else(|| cover::title(input.cover, input.pages))
        .or_else(|| title_hint(&input.embedded, false))
        .or_else(|| text_cues::title(&lines))
        .or_else(|| {
            let name = readable_file_name(input.file_name)?;
            Some(Field {
                value: name,
                from: FROM_FILE_NAME.to_string(),
            })
            .filter(|_| !text_cues::identifier_like(input.file_name))
        })
        .or_else(|| text_cues::first_sentence(&lines))
        .or_else(|| {
            readable_file_name(input.file_name).map(|value| Field {
                value,
                from: FROM_FILE_NAME.to_string(),
            })
        });

    let date_hint = |hints: &[Hint], declared: bool| {
        from_list(hints, declared, Key::Date, |vs, _| first(vs, Date::parse))
    };
    // A date printed on the cover beats the file's creation date, which records when the PDF
    // was made, not when the document was published.
    let date = date_hint(&input.declared, true)
        .or_else(|| cover::date(input.cover))
        .or_else(|| date_hint(&input.embedded, false))
        .or_else(|| text_cues::date(&lines, dateline.as_ref()));

    let source = from_hints(input, Key::Source, |vs, _| first(vs, clean))
        .or_else(|| source::from_text(&lines))
        .or_else(|| source::from_author_hints(&input.embedded))
        .or_else(|| source::contact_email(input.text))
        .or_else(|| source::from_cover(input.cover))
        .or_else(|| source::from_running_lines(input.pages, input.text))
        .or_else(|| source::from_figure_sources(&lines))
        // Mentions count only in a report (paged); an article or essay names the bodies it
        // writes about.
        .or_else(|| {
            (!input.pages.is_empty())
                .then(|| source::dominant_organisation(input.text))
                .flatten()
        })
        .or_else(|| source::from_folder(input.folder))
        // One name per organisation, however the document wrote it.
        .map(|f| Field {
            value: canonical_source(&f.value),
            from: f.from,
        });

    let author = from_hints(input, Key::Author, |vs, declared| {
        let names: Vec<String> = vs
            .iter()
            .filter_map(|v| clean(v))
            .filter(|v| declared || !text_cues::junk_author(v))
            .collect();
        (!names.is_empty()).then(|| names.join("; "))
    })
    .or_else(|| text_cues::author(&lines));

    let url = from_hints(input, Key::Url, |vs, _| {
        first(vs, |v| {
            clean(text_cues::strip_url_punct(text_cues::url_in_value(v)))
        })
    })
    .or_else(|| text_cues::url(&lines));

    let license = from_hints(input, Key::License, |vs, _| {
        first(vs, text_cues::license_value)
    })
    .or_else(|| text_cues::license(&lines));

    let place = from_hints(input, Key::Place, |vs, _| first(vs, clean)).or_else(|| {
        let dl = dateline.as_ref()?;
        Some(Field {
            value: dl.place.clone()?,
            from: format!("text: dateline {}", dl.line),
        })
    });

    let context = from_hints(input, Key::Context, |vs, _| first(vs, clean));

    let tags = from_hints(input, Key::Tags, |vs, _| {
        let tags = text_cues::split_tags(vs.iter().map(String::as_str));
        (!tags.is_empty()).then_some(tags)
    })
    .or_else(|| text_cues::tags(&lines));

    let language =
        from_hints(input, Key::Language, |vs, _| first(vs, normalize_language)).or_else(|| {
            let (code, confidence) = lang::detect(input.text)?;
            Some(Field {
                value: code,
                from: format!("detected (whatlang {confidence:.2})"),
            })
        });

    let fields = fields::declared_fields(&input.declared);
    let mut extra = BTreeMap::new();
    for h in &input.embedded {
        if classify(&h.key) != Key::Other {
            continue;
        }
        let Some(key) = clean(&normalize_key(&h.key)) else {
            continue;
        };
        if extra.contains_key(&key) {
            continue;
        }
        let values: Vec<String> = h.values.iter().filter_map(|v| clean(v)).collect();
        if values.is_empty() {
            continue;
        }
        extra.insert(
            key,
            Field {
                value: values.join(", "),
                from: h.from.clone(),
            },
        );
    }

    Metadata {
        title,
        date,
        source,
        author,
        url,
        license,
        place,
        context,
        tags,
        language,
        extra,
        fields,
    }
}

#[cfg(test)]
mod tests;
