//! Hint keys: their spellings reduced to one, and the metadata field each feeds.

/// The metadata field a hint key feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Title,
    Date,
    Source,
    Author,
    Url,
    License,
    Place,
    /// The headings above the title (a breadcrumb).
    Context,
    Tags,
    Language,
    /// Not a known field: kept in `Metadata::extra`.
    Other,
}

/// Hint keys reduced to one spelling: case and `-`/space vs `_` vary between
/// front matter, HTML and PDF producers.
pub(crate) fn normalize_key(key: &str) -> String {
    key.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Which field a hint key names.
pub(crate) fn classify(key: &str) -> Key {
    match normalize_key(key).as_str() {
        "title" | "og:title" | "dc.title" | "dcterms.title" | "citation_title" => Key::Title,
        "date"
        | "published"
        | "published_time"
        | "article:published_time"
        | "dc.date"
        | "dcterms.date"
        | "dcterms.issued"
        | "dcterms.created"
        | "date_published"
        | "citation_publication_date"
        | "citation_date"
        | "created"
        | "creationdate" => Key::Date,
        "source" | "publisher" | "site_name" | "og:site_name" | "dc.publisher"
        | "dcterms.publisher" | "citation_publisher" => Key::Source,
        "author" | "creator" | "dc.creator" | "dcterms.creator" | "citation_author" | "by" => {
            Key::Author
        }
        "url" | "link" | "canonical" | "og:url" => Key::Url,
        "license" | "licence" | "rights" | "dc.rights" | "dcterms.rights" | "dcterms.license" => {
            Key::License
        }
        "tags" | "tag" | "keywords" | "subject" | "categories" | "dc.subject"
        | "dcterms.subject" | "article:tag" | "citation_keywords" => Key::Tags,
        "language" | "lang" | "dc.language" | "dcterms.language" | "og:locale" => Key::Language,
        "place" | "location" | "dateline" => Key::Place,
        "context" | "breadcrumb" | "breadcrumbs" => Key::Context,
        _ => Key::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_aliases() {
        assert_eq!(classify("DC.Date"), Key::Date);
        assert_eq!(classify("article:published_time"), Key::Date);
        assert_eq!(classify("og:site_name"), Key::Source);
        assert_eq!(classify("og:locale"), Key::Language);
        assert_eq!(classify("Date-Published"), Key::Date);
        assert_eq!(classify(" Keywords "), Key::Tags);
        assert_eq!(classify("dateline"), Key::Place);
        assert_eq!(classify("country"), Key::Other);
    }
}
