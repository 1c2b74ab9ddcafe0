//! The only place where index field names, their options and the text analyzer live.
//!
//! The index holds two kinds of tantivy documents:
//! - one **document record** per indexed file (`kind = doc`): its path, size, mtime, content
//!   hash and full metadata as JSON. It is the one record of what is indexed, so incremental
//!   runs and crash recovery never consult a side file.
//! - one **passage** per ~50–250 words (`kind = passage`): its text, byte range and ordinal,
//!   plus copies of the document's title, facets and date bounds so filters and ranking run on
//!   passages alone.

use std::ops::Range;

use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
    STORED, STRING,
};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, TextAnalyzer};
use tantivy::Index;

/// Version of the on-disk layout; bumped whenever fields or analysis change meaning, so an old
/// index is refused with a clear message instead of answering wrongly.
pub(crate) const SCHEMA_VERSION: u32 = 3;

/// Name under which the English analyzer is registered in the index.
pub(crate) const ANALYZER: &str = "tipdex_en";

/// Name of the fast field holding a document's key, read by the grouping collector.
pub(crate) const DOC_KEY: &str = "doc_key";

/// Name of the facet field, read by the facet counters.
pub(crate) const FACETS: &str = "facets";

/// Values of the `kind` field.
pub(crate) const KIND_DOC: &str = "doc";
/// Values of the `kind` field.
pub const KIND_PASSAGE: &str = "passage";

/// Handles to every field of the schema.
#[derive(Clone, Debug)]
pub struct Fields {
    /// `doc` or `passage`.
    pub kind: Field,
    /// 64-bit key of the document (shared by its record and passages); fast for grouping.
    pub doc_key: Field,
    /// Same key as `doc_key`, but only on the record, so a record can be replaced without
    /// touching its passages (a file touched but not changed).
    pub record_key: Field,
    /// Canonical root the document was indexed under (records only).
    pub root: Field,
    /// Path relative to its root, `/`-separated (records only).
    pub rel_path: Field,
    /// Content hash as hex (records only), to recognise moved files.
    pub hash: Field,
    /// JSON [`crate::record::DocRecord`] (records only, stored).
    pub record: Field,
    /// Passage text (passages only, stored and analyzed).
    pub text: Field,
    /// Document title, analyzed on every passage so a title match lifts the whole document.
    pub title: Field,
    /// Document author(s), analyzed on every passage, so a name from a by-line finds the
    /// document although by-lines are not part of the passage text.
    pub author: Field,
    /// Hierarchical facets: `/source/X`, `/year/YYYY`, `/tag/X`, `/lang/xx`.
    pub facets: Field,
    /// Exact-match filter keys, lower-cased: `source=unodc`, `tag=europe`, `lang=en` (see
    /// [`crate::index_doc::FacetField::filter_key`]).
    pub filter: Field,
    /// First day of the document's date period as YYYYMMDD.
    pub date_lo: Field,
    /// Last day of the document's date period as YYYYMMDD.
    pub date_hi: Field,
    /// Passage number within its document, from 0.
    pub ordinal: Field,
    /// Byte offset where the passage starts in the document text.
    pub start: Field,
    /// Byte offset where the passage ends in the document text.
    pub end: Field,
    /// Page (1-based) where the passage starts, for paged formats (PDF).
    pub page: Field,
}

/// Build the schema and the handles to its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        doc_key: b.add_u64_field(DOC_KEY, INDEXED | FAST | STORED),
        record_key: b.add_u64_field("record_key", INDEXED),
        root: b.add_text_field("root", STRING),
        rel_path: b.add_text_field("rel_path", STRING),
        hash: b.add_text_field("hash", STRING),
        record: b.add_text_field("record", STORED),
        text: b.add_text_field("text", analyzed(true)),
        title: b.add_text_field("title", analyzed(false)),
        author: b.add_text_field("author", analyzed(false)),
        facets: b.add_facet_field(FACETS, FacetOptions::default()),
        filter: b.add_text_field("filter", STRING),
        date_lo: b.add_i64_field("date_lo", INDEXED | FAST),
        date_hi: b.add_i64_field("date_hi", INDEXED | FAST),
        ordinal: b.add_u64_field("ordinal", STORED),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        page: b.add_u64_field("page", STORED),
    };
    (b.build(), fields)
}

/// The analyzer of text, titles and queries: Unicode words, lower-cased, accents and
/// typographic quotes folded, British spellings mapped to American, Snowball stemming, and
/// joined forms (`GLO.ACT` → `gloact`) and acronyms (`trafficking in persons` → `tip`) injected
/// at the position of the words they stand for. See [`crate::analysis`].
/// Query terms and highlights go through this same chain, so what is highlighted is what matched.
pub(crate) fn analyzer() -> TextAnalyzer {
    crate::analysis::domain_analyzer()
}

/// Make the analyzer known to an index (tokenizers are not persisted by tantivy).
pub fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// One analyzed token: where it is in the text and the term it becomes in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AnalyzedToken {
    /// Byte range of the word in the analyzed text.
    pub range: Range<usize>,
    /// The indexed form (folded, stemmed).
    pub term: String,
    /// Word position; injected tokens share the position of the first word they stand for.
    pub position: usize,
}

/// Run `text` through the analyzer, keeping byte ranges.
pub(crate) fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push(AnalyzedToken {
            range: t.offset_from..t.offset_to,
            term: t.text.clone(),
            position: t.position,
        });
    }
    out
}

/// Lower-case, fold accents, trim and collapse whitespace, without stemming.
pub(crate) fn fold_plain(value: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let collapsed = crate::text::collapse_whitespace(value);
    let mut stream = analyzer.token_stream(&collapsed);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzer_stems_folds_and_keeps_offsets() {
        let mut a = analyzer();
        let text = "Trafficked victims, Eurídice";
        let toks = analyze(&mut a, text);
        let terms: Vec<_> = toks.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, ["traffick", "victim", "euridic"]);
        assert_eq!(
            toks.iter().map(|t| t.position).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(&text[toks[2].range.clone()], "Eurídice");
    }
}
