//! Entities found in a document's text from gazetteers, no model: today the countries and
//! territories it names ([`countries`]). Found at extraction with the passages they occur in,
//! kept in the record, and stored as facets (`/country/NP`).

pub mod countries;

pub use countries::{CountryMentions, Gazetteer};
