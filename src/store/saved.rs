//! Saved searches as the commit payload keeps them: data only, so the store holds them
//! without knowing how they run (that is `crate::watch`, which reads the store).

use serde::{Deserialize, Serialize};

/// One saved search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    /// Its name, unique in the index.
    pub name: String,
    /// The query, in the query language.
    pub query: String,
    /// The filters it was saved with.
    #[serde(default)]
    pub filters: SavedFilters,
    /// Unix milliseconds when it was saved.
    pub created_ms: i64,
    /// Unix milliseconds of its last report "since last" (what `--since last` starts from);
    /// until its first report, when it was saved.
    pub seen_ms: i64,
}

/// The filters of a search ([`crate::search::Filters`]) in a form the payload keeps; made and
/// read back by `crate::watch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFilters {
    /// See [`crate::search::Filters::sources`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// See [`crate::search::Filters::tags`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// See [`crate::search::Filters::langs`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub langs: Vec<String>,
    /// See [`crate::search::Filters::countries`] (ISO 3166-1 alpha-2 codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// See [`crate::search::Filters::fields`], each as `--field` reads it (`minors>=1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// See [`crate::search::Filters::topics`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<(crate::entities::TopicKind, String)>,
    /// See [`crate::search::Filters::years`], as `[from, to]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<[i32; 2]>,
    /// See [`crate::search::Filters::from`], at its precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// See [`crate::search::Filters::to`], at its precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}
