//! Entities found in a document's text from gazetteers, no model: the countries and
//! territories it names ([`countries`]), and the organisations, legal instruments and forms of
//! exploitation ([`topics`]). Found at extraction with the passages they occur in, kept in the
//! record, and stored as facets (`/country/NP`, `/org/UNODC`, `/instrument/Palermo Protocol`,
//! `/exploitation/debt bondage`).

pub mod countries;
pub mod topics;

pub use countries::{CountryMentions, Gazetteer};
pub use topics::{TopicKind, TopicMentions};
