//! PDF files: the text of each page and what the file says about itself.
//!
//! Parsing is lopdf's; turning a page's content stream into text (fonts, encodings, glyph
//! positions → words and lines) is pdf-extract's, which emits text in content-stream order —
//! the order the authoring tool wrote it, which for the two-column reports we index is the
//! reading order, where layout-based tools interleave the columns. Both libraries panic on some
//! malformed input, so every call into them is behind `catch_unwind`.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::entity::{self, Names};
use super::pdf_lines::Recorder;
use crate::metadata::{Hint, SizedLine};
use crate::text::collapse_whitespace;

/// A page tree with more leaves than this is treated as corrupt: the largest real reports have
/// a few thousand pages, and a cyclic tree would otherwise be walked until memory runs out.
const MAX_PAGES: usize = 50_000;

/// XMP packets are a few KB; a huge one is not metadata worth the memory.
const MAX_XMP_BYTES: usize = 4 * 1024 * 1024;

/// What a PDF yielded.
#[derive(Clone, Debug, Default)]
pub(crate) struct PdfText {
    /// Text of each page, index 0 = page 1; a page without text is an empty string, so indices
    /// stay page numbers.
    pub pages: Vec<String>,
    /// Title, author, creation date, keywords from the info dictionary and XMP, non-empty only.
    pub hints: Vec<Hint>,
    /// Set when pages past the text limit were left out.
    pub truncated: Option<String>,
    /// The printed lines of the first pages with their font sizes, in drawing order.
    pub cover: Vec<SizedLine>,
}

/// Why a PDF gave no text. Its message is the reason a user reads; the kind decides whether the
/// file is skipped (nothing to extract) or failed (broken).
#[derive(Debug, PartialEq, thiserror::Error)]
pub(crate) enum PdfError {
    /// The bytes do not start as a PDF.
    #[error("not a PDF: no %PDF- header at the start of the file")]
    NotPdf,
    /// The file was cut off before its end marker.
    #[error("truncated PDF: the file ends before its %%EOF marker (incomplete download?)")]
    Truncated,
    /// The structure or a page cannot be read.
    #[error("corrupt PDF: {0}")]
    Corrupt(String),
    /// The PDF libraries panicked on the file (caught).
    #[error("PDF library failed on this file: {0}")]
    LibraryFailed(String),
    /// Text is there but needs a password.
    #[error("encrypted PDF: cannot extract text without the password")]
    Encrypted,
    /// Every page is without text: scanned images.
    #[error("no text layer (scanned PDF?)")]
    NoTextLayer,
    /// The caller asked extraction to stop ([`super::Stop`]).
    #[error("{}", super::STOPPED)]
    Stopped,
}

impl PdfError {
    /// Scanned and password-protected PDFs are not broken files: nothing to fix, so skipped.
    pub(crate) fn has_no_text(&self) -> bool {
        matches!(self, PdfError::NoTextLayer | PdfError::Encrypted)
    }
}

/// Extract the text of every page and the document's metadata.
#[cfg(test)]
pub(crate) fn extract_pdf(bytes: &[u8]) -> Result<PdfText, PdfError> {
    extract_pdf_until(bytes, &super::Stop::default())
}

/// [`extract_pdf`], giving up between pages once `stop` is requested, and keeping pages up to
/// [`super::MAX_TEXT_BYTES`] of text.
pub(crate) fn extract_pdf_until(bytes: &[u8], stop: &super::Stop) -> Result<PdfText, PdfError> {
    match catch_unwind(AssertUnwindSafe(|| extract_inner(bytes, stop))) {
        Ok(result) => result,
        Err(panic) => Err(library_failed(&panic)),
    }
}

fn library_failed(panic: &Box<dyn std::any::Any + Send>) -> PdfError {
    PdfError::LibraryFailed(super::panic_message(&**panic))
}

fn extract_inner(bytes: &[u8], stop: &super::Stop) -> Result<PdfText, PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_none() {
        return Err(PdfError::NotPdf);
    }
    // Readers look for %%EOF in the last 1024 bytes (Acrobat tolerates no more trailing junk);
    // without it the file was cut off, and lopdf's recovery would silently index a fragment.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if find(tail, b"%%EOF").is_none() {
        return Err(PdfError::Truncated);
    }
    let doc = Document::load_mem(bytes).map_err(|e| PdfError::Corrupt(e.to_string()))?;
    // lopdf opens files encrypted with an empty user password (permission-only protection is
    // common in published reports) and drops /Encrypt from the trailer; it stays only when a
    // real password is needed.
    if doc.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted);
    }
    let page_ids = page_ids(&doc)?;
    if page_ids.is_empty() {
        return Err(PdfError::Corrupt("no pages found".into()));
    }
    let mut hints = info_hints(&doc);
    hints.extend(xmp_hints(&doc));

    let mut pages = Vec::with_capacity(page_ids.len());
    let mut cover = Vec::new();
    let mut first_failure: Option<PdfError> = None;
    let mut text_bytes = 0;
    let mut truncated = None;
    for (number, &id) in (1..).zip(&page_ids) {
        if stop.requested() {
            return Err(PdfError::Stopped);
        }
        if text_bytes > super::MAX_TEXT_BYTES {
            truncated = Some(format!(
                "pages {number}-{} left out: over {} bytes of text",
                page_ids.len(),
                super::MAX_TEXT_BYTES
            ));
            break;
        }
        // One bad page (a broken font, a missing stream) must not cost the other pages.
        match catch_unwind(AssertUnwindSafe(|| page_text(&doc, number, id))) {
            Ok(Ok((text, lines))) => {
                let page = clean_page(&text);
                text_bytes += page.len();
                pages.push(page);
                cover.extend(lines.into_iter().filter_map(|mut l| {
                    l.text = clean_page(&l.text);
                    (!l.text.is_empty()).then_some(l)
                }));
            }
            Ok(Err(e)) => {
                first_failure.get_or_insert(PdfError::Corrupt(e));
                pages.push(String::new());
            }
            Err(panic) => {
                first_failure.get_or_insert_with(|| library_failed(&panic));
                pages.push(String::new());
            }
        }
    }
    if pages.iter().all(|p| p.is_empty()) {
        return Err(first_failure.unwrap_or(PdfError::NoTextLayer));
    }
    Ok(PdfText {
        pages,
        hints,
        truncated,
        cover,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The pages in order, refusing page trees that repeat a page or never end: pdf-extract walks the
/// whole tree again for every page it renders, so such a tree would never finish.
fn page_ids(doc: &Document) -> Result<Vec<ObjectId>, PdfError> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::new();
    for id in doc.page_iter() {
        if !seen.insert(id) || seen.len() > MAX_PAGES {
            return Err(PdfError::Corrupt(
                "the page tree loops or is implausibly large".into(),
            ));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Deeper nesting of form XObjects than this is refused; real files nest a handful deep.
const MAX_FORM_DEPTH: usize = 32;

/// pdf-extract draws a form XObject by recursing into it with no depth limit, so a form that
/// draws itself overflows the stack — an abort that `catch_unwind` cannot stop and that would
/// end the whole indexing run. Walk the forms the page can reach first and refuse such pages.
fn check_forms(doc: &Document, page_id: ObjectId) -> Result<(), String> {
    let Some(resources) = page_resources(doc, page_id) else {
        return Ok(());
    };
    let mut done = BTreeSet::new();
    // Every XObject in the page's resources is a root: reading the page's own content for its
    // `Do` operators would double the cost, and an unused self-drawing form is no real loss.
    for (_, id, stream) in xobjects(doc, resources) {
        visit_form(doc, id, stream, resources, &mut Vec::new(), &mut done)?;
    }
    Ok(())
}

fn page_resources(doc: &Document, page_id: ObjectId) -> Option<&Dictionary> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    // Resources are inherited down the page tree; the depth bound guards a looping /Parent.
    for _ in 0..MAX_FORM_DEPTH * 8 {
        if let Ok(res) = node.get(b"Resources").and_then(|o| doc.dereference(o)) {
            return res.1.as_dict().ok();
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The resources' XObjects by name.
fn xobjects<'a>(
    doc: &'a Document,
    resources: &'a Dictionary,
) -> Vec<(&'a [u8], ObjectId, &'a Stream)> {
    let Ok((_, Object::Dictionary(dict))) =
        resources.get(b"XObject").and_then(|o| doc.dereference(o))
    else {
        return Vec::new();
    };
    dict.iter()
        .filter_map(|(name, o)| {
            let id = o.as_reference().ok()?;
            Some((
                name.as_slice(),
                id,
                doc.get_object(id).ok()?.as_stream().ok()?,
            ))
        })
        .collect()
}

fn visit_form<'a>(
    doc: &'a Document,
    id: ObjectId,
    stream: &'a Stream,
    inherited: &'a Dictionary,
    path: &mut Vec<ObjectId>,
    done: &mut BTreeSet<(ObjectId, *const Dictionary)>,
) -> Result<(), String> {
    if !matches!(stream.dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Form") {
        return Ok(());
    }
    if path.contains(&id) {
        return Err("a form XObject draws itself".to_string());
    }
    if path.len() >= MAX_FORM_DEPTH {
        return Err("form XObjects nested too deep".to_string());
    }
    // Same rule as pdf-extract: a form without its own resources uses its caller's.
    let resources = stream
        .dict
        .get(b"Resources")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
        .unwrap_or(inherited);
    if !done.insert((id, resources as *const Dictionary)) {
        return Ok(());
    }
    let content = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let Ok(content) = lopdf::content::Content::decode(&content) else {
        return Ok(());
    };
    let targets = xobjects(doc, resources);
    path.push(id);
    for op in content.operations.iter().filter(|op| op.operator == "Do") {
        let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
            continue;
        };
        let Some(&(_, target, form)) = targets.iter().find(|t| t.0 == name) else {
            continue;
        };
        visit_form(doc, target, form, resources, path, done)?;
    }
    path.pop();
    Ok(())
}

/// A page's plain text, and its printed lines with their sizes when it is one of the first.
fn page_text(
    doc: &Document,
    number: u32,
    page_id: ObjectId,
) -> Result<(String, Vec<SizedLine>), String> {
    check_forms(doc, page_id).map_err(|e| format!("page {number}: {e}"))?;
    let mut text = String::new();
    let mut output = Recorder::new(&mut text);
    pdf_extract::output_doc_page(doc, &mut output, number)
        .map_err(|e| format!("page {number}: {e}"))?;
    let lines = std::mem::take(&mut output.lines);
    Ok((text, lines))
}

/// Info dictionary entries we map, with the key spelled as the PDF spells it. Left out:
/// /Creator and /Producer name the authoring software (and "creator" means the author
/// everywhere else in tipdex's metadata); /Subject is a descriptive sentence in practice, and
/// the metadata module would read it as tags.
const INFO_KEYS: [&str; 4] = ["Title", "Author", "CreationDate", "Keywords"];

fn info_hints(doc: &Document) -> Vec<Hint> {
    let Ok(info) = doc
        .trailer
        .get(b"Info")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
    else {
        return Vec::new();
    };
    INFO_KEYS
        .iter()
        .filter_map(|&key| {
            let (_, value) = info
                .get(key.as_bytes())
                .and_then(|o| doc.dereference(o))
                .ok()?;
            let value = normalize_value(&text_string(value)?);
            (!value.is_empty()).then(|| Hint {
                key: key.to_string(),
                values: vec![value],
                from: format!("pdf info /{key}"),
            })
        })
        .collect()
}

/// A PDF text string: Unicode with a byte-order mark (UTF-16BE or UTF-8 by the standard, and
/// UTF-16LE, which some producers write), else PDFDocEncoding. Lossy, because a title with one
/// bad code unit is still a title.
fn text_string(obj: &Object) -> Option<String> {
    let raw = obj.as_str().ok()?;
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(raw) {
        let (text, _) = encoding.decode_without_bom_handling(&raw[bom_len..]);
        return Some(text.into_owned());
    }
    lopdf::decode_text_string(obj)
        .ok()
        .or_else(|| Some(raw.iter().map(|&b| char::from(b)).collect()))
}

/// A metadata value on one line, control characters as spaces.
fn normalize_value(s: &str) -> String {
    collapse_whitespace(&s.replace(char::is_control, " "))
}

/// XMP properties we map: (qualified name as Adobe writes it, hint key).
const XMP_PROPS: [(&str, &str); 6] = [
    ("dc:title", "title"),
    ("dc:creator", "creator"),
    ("xmp:CreateDate", "created"),
    ("dc:language", "language"),
    ("dc:subject", "subject"),
    ("pdf:Keywords", "keywords"),
];

fn xmp_hints(doc: &Document) -> Vec<Hint> {
    let Ok(stream) = doc
        .catalog()
        .and_then(|c| c.get(b"Metadata"))
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_stream())
    else {
        return Vec::new();
    };
    let Ok(raw) = stream.decompressed_content() else {
        return Vec::new();
    };
    if raw.len() > MAX_XMP_BYTES {
        return Vec::new();
    }
    parse_xmp(&String::from_utf8_lossy(&raw))
}

fn parse_xmp(xml: &str) -> Vec<Hint> {
    let mut values: Vec<Vec<String>> = vec![Vec::new(); XMP_PROPS.len()];
    let prop_index = |e: &BytesStart| XMP_PROPS.iter().position(|p| p.0 == e.name().as_ref());
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    // (property, text so far): a simple property's text, or the current rdf:li of an array.
    let mut current: Option<(usize, String)> = None;
    // A malformed packet ends the parse but keeps what was read before the damage.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "rdf:Description" => {
                // Simple properties may be written as attributes of rdf:Description.
                for a in e.attributes().with_checks(false).flatten() {
                    let key = a.key.as_ref();
                    if let Some(i) = XMP_PROPS.iter().position(|p| p.0 == key) {
                        if let Ok(v) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                            values[i].push(v.into_owned());
                        }
                    }
                }
            }
            Event::Start(e) => {
                if let Some(i) = prop_index(&e) {
                    current = Some((i, String::new()));
                } else if e.name().as_ref() == "rdf:li" {
                    if let Some((_, text)) = current.as_mut() {
                        text.clear();
                    }
                }
            }
            Event::End(e) => {
                let name = e.name();
                if name.as_ref() == "rdf:li" {
                    if let Some((i, text)) = current.as_mut() {
                        values[*i].push(std::mem::take(text));
                    }
                } else if let Some(i) = XMP_PROPS.iter().position(|p| p.0 == name.as_ref()) {
                    if let Some((j, text)) = current.take() {
                        // Arrays already pushed their items; this is a simple property's text.
                        if j == i && values[i].is_empty() {
                            values[i].push(text);
                        }
                    }
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = current.as_mut() {
                    // An unknown name is left out, as the DOCX reader does.
                    if let Some(s) = entity::resolve(&r.xml10_content(), Names::Xml) {
                        text.push_str(&s);
                    }
                }
            }
            _ => {}
        }
    }
    XMP_PROPS
        .iter()
        .zip(values)
        .filter_map(|(&(name, key), values)| {
            let values: Vec<String> = values
                .iter()
                .map(|v| normalize_value(v))
                .filter(|v| !v.is_empty())
                .collect();
            (!values.is_empty()).then(|| Hint {
                key: key.to_string(),
                values,
                from: format!("pdf xmp {name}"),
            })
        })
        .collect()
}

/// Characters that carry no text for search, or spell letters in a way a query will never
/// match ("ﬁ" ligatures, math-italic letters from equation fonts).
fn normalize_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push('\n'),
        '\u{AD}' => out.push('-'),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
        // Private-use code points are icon-font glyphs (bullets, arrows) with no meaning.
        '\u{E000}'..='\u{F8FF}' => out.push(' '),
        '\u{FB00}'..='\u{FB06}' | '\u{1D400}'..='\u{1D7FF}' => {
            unicode_normalization::char::decompose_compatible(c, |d| out.push(d))
        }
        c if c.is_whitespace() || c.is_control() => out.push(' '),
        c => out.push(c),
    }
}

/// Normalize a page as pdf-extract emits it: one space between words, no trailing spaces, at
/// most one blank line in a row, and words hyphenated across a line break joined again.
fn clean_page(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    for c in raw.replace("\r\n", "\n").chars() {
        normalize_char(if c == '\r' { '\n' } else { c }, &mut text);
    }
    let lines = dehyphenate(
        text.split('\n')
            .map(|l| {
                l.split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect(),
    );
    let mut out = String::with_capacity(text.len());
    let mut blank_run = true; // suppresses leading blank lines
    for line in lines {
        if line.is_empty() {
            if !blank_run {
                out.push('\n');
                blank_run = true;
            }
            continue;
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&line);
        blank_run = false;
    }
    out.trim_end().to_string()
}

/// "traf-" + "ficking ..." → "trafficking" + "...": the fragment moves up so the word is whole;
/// only before a lowercase letter, since "Anti-" + "Slavery" is a real hyphen. One blank line
/// between the halves is skipped too (pdf-extract emits one between widely spaced lines, and a
/// paragraph never ends mid-word). A line left empty by the move is dropped rather than read as
/// a paragraph break.
fn dehyphenate(lines: Vec<String>) -> Vec<String> {
    fn hyphenated(line: &str) -> bool {
        let mut rev = line.chars().rev();
        matches!(rev.next(), Some('-' | '\u{2010}')) && rev.next().is_some_and(char::is_alphabetic)
    }
    let continues = |line: &str| line.starts_with(char::is_lowercase);
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        let Some(prev) = out.last_mut().filter(|p| hyphenated(p)) else {
            out.push(line);
            continue;
        };
        if line.is_empty() && lines.peek().is_some_and(|next| continues(next)) {
            continue;
        }
        if !continues(&line) {
            out.push(line);
            continue;
        }
        let (fragment, rest) = line.split_once(' ').unwrap_or((&line, ""));
        prev.pop();
        prev.push_str(fragment);
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use lopdf::{dictionary, Stream};

    use crate::ingest::pdf_fixture::{document, line, Drawn};

    const XMP: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmp:CreateDate="2019-02-21T10:30:00+01:00" pdf:Keywords="  ">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Trafficking &amp; Fisheries</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li><rdf:li>John Roe</rdf:li></rdf:Seq></dc:creator>
<dc:subject><rdf:Bag><rdf:li>forced labour</rdf:li><rdf:li>fishing</rdf:li></rdf:Bag></dc:subject>
<dc:language><rdf:Bag/></dc:language>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#;

    /// A PDF whose pages hold `pages[i]`, one 12-point line per string (a "" leaves a gap).
    fn build(pages: &[&[&str]], info: Option<Dictionary>, xmp: Option<&str>) -> Document {
        let drawn: Vec<Vec<Drawn>> = pages
            .iter()
            .map(|lines| {
                (0..)
                    .zip(lines.iter())
                    .filter(|(_, text)| !text.is_empty())
                    .map(|(i, text)| line(12, 720 - 15 * i, text))
                    .collect()
            })
            .collect();
        let mut doc = document(&drawn);
        if let Some(xmp) = xmp {
            let dict = dictionary! { "Type" => "Metadata", "Subtype" => "XML" };
            let xmp_id = doc.add_object(Stream::new(dict, xmp.into()));
            doc.catalog_mut().unwrap().set("Metadata", xmp_id);
        }
        if let Some(info) = info {
            let info_id = doc.add_object(info);
            doc.trailer.set("Info", info_id);
        }
        doc
    }

    /// The object id of the document's page tree root.
    fn pages_id(doc: &Document) -> ObjectId {
        doc.catalog()
            .unwrap()
            .get(b"Pages")
            .unwrap()
            .as_reference()
            .unwrap()
    }

    fn save(mut doc: Document) -> Vec<u8> {
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn three_pages() -> Vec<u8> {
        let info = dictionary! {
            "Title" => lopdf::text_string("Trata de personas – informe"),
            "Author" => Object::string_literal("Jane Doe"),
            "CreationDate" => Object::string_literal("D:20190221103000+01'00'"),
            "Subject" => Object::string_literal("A long description of the report."),
            "Keywords" => Object::string_literal(""),
            "Creator" => Object::string_literal("Microsoft Word"),
        };
        save(build(
            &[
                &["Trafficking in persons", "Annual report 2019"],
                &[
                    "Victims of traf-",
                    "ficking were found",
                    "in   three    provinces.",
                    "",
                    "",
                    "",
                    "Anti-",
                    "Slavery Act",
                ],
                &["Page three text."],
            ],
            Some(info),
            Some(XMP),
        ))
    }

    fn hint_triples(hints: &[Hint]) -> Vec<(String, Vec<String>, String)> {
        hints
            .iter()
            .map(|h| (h.key.clone(), h.values.clone(), h.from.clone()))
            .collect()
    }

    fn triple(key: &str, values: &[&str], from: &str) -> (String, Vec<String>, String) {
        (
            key.to_string(),
            values.iter().map(|v| v.to_string()).collect(),
            from.to_string(),
        )
    }

    #[test]
    fn text_per_page() {
        let pdf = extract_pdf(&three_pages()).unwrap();
        assert_eq!(
            pdf.pages,
            vec![
                "Trafficking in persons\nAnnual report 2019".to_string(),
                "Victims of trafficking\nwere found\nin three provinces.\n\nAnti-\nSlavery Act"
                    .to_string(),
                "Page three text.".to_string(),
            ]
        );
    }

    #[test]
    fn info_and_xmp_hints() {
        let pdf = extract_pdf(&three_pages()).unwrap();
        assert_eq!(
            hint_triples(&pdf.hints),
            vec![
                triple("Title", &["Trata de personas – informe"], "pdf info /Title"),
                triple("Author", &["Jane Doe"], "pdf info /Author"),
                triple(
                    "CreationDate",
                    &["D:20190221103000+01'00'"],
                    "pdf info /CreationDate"
                ),
                triple("title", &["Trafficking & Fisheries"], "pdf xmp dc:title"),
                triple("creator", &["Jane Doe", "John Roe"], "pdf xmp dc:creator"),
                triple(
                    "created",
                    &["2019-02-21T10:30:00+01:00"],
                    "pdf xmp xmp:CreateDate"
                ),
                triple(
                    "subject",
                    &["forced labour", "fishing"],
                    "pdf xmp dc:subject"
                ),
            ]
        );
    }

    #[test]
    fn no_metadata_means_no_hints() {
        let pdf = extract_pdf(&save(build(&[&["Just text."]], None, None))).unwrap();
        assert_eq!(pdf.pages, vec!["Just text.".to_string()]);
        assert!(pdf.hints.is_empty());
    }

    #[test]
    fn page_without_text_keeps_its_index() {
        let pdf = extract_pdf(&save(build(&[&[], &["Second page."]], None, None))).unwrap();
        assert_eq!(pdf.pages, vec![String::new(), "Second page.".to_string()]);
    }

    #[test]
    fn scanned_pdf_has_no_text_layer() {
        let bytes = save(build(&[&[], &[]], None, None));
        let err = extract_pdf(&bytes).unwrap_err();
        assert_eq!(err, PdfError::NoTextLayer);
        assert_eq!(err.to_string(), "no text layer (scanned PDF?)");
    }

    #[test]
    fn encrypted_pdf_needs_the_password() {
        let mut doc = build(&[&["Secret text."]], None, None);
        let encrypt = doc.add_object(dictionary! {
            "Filter" => "Standard", "V" => 1, "R" => 2, "P" => -4,
            "O" => Object::String(vec![0x5A; 32], lopdf::StringFormat::Hexadecimal),
            "U" => Object::String(vec![0xA5; 32], lopdf::StringFormat::Hexadecimal),
        });
        doc.trailer.set("Encrypt", encrypt);
        let id = Object::String(vec![1; 16], lopdf::StringFormat::Hexadecimal);
        doc.trailer.set("ID", vec![id.clone(), id]);
        let err = extract_pdf(&save(doc)).unwrap_err();
        assert_eq!(err, PdfError::Encrypted);
        assert_eq!(
            err.to_string(),
            "encrypted PDF: cannot extract text without the password"
        );
    }

    #[test]
    fn truncated_pdf() {
        let bytes = three_pages();
        let err = extract_pdf(&bytes[..bytes.len() / 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "truncated PDF: the file ends before its %%EOF marker (incomplete download?)"
        );
    }

    #[test]
    fn corrupt_and_foreign_bytes() {
        let err = extract_pdf(b"%PDF-1.7\nthis is not a pdf body\n%%EOF\n").unwrap_err();
        assert!(matches!(err, PdfError::Corrupt(_)), "{err}");
        assert!(err.to_string().starts_with("corrupt PDF: "), "{err}");
        let err = extract_pdf(b"PK\x03\x04 a zip file").unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a PDF: no %PDF- header at the start of the file"
        );
        assert!(extract_pdf(&[]).is_err());
    }

    #[test]
    fn library_panic_becomes_an_error() {
        // pdf-extract panics ("MediaBox") on a page tree without a MediaBox.
        let mut doc = build(&[&["Text."]], None, None);
        let pages_id = pages_id(&doc);
        doc.get_dictionary_mut(pages_id)
            .unwrap()
            .remove(b"MediaBox");
        let err = extract_pdf(&save(doc)).unwrap_err();
        assert!(matches!(err, PdfError::LibraryFailed(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("PDF library failed on this file: "),
            "{err}"
        );
    }

    #[test]
    fn self_drawing_form_is_refused_without_overflowing_the_stack() {
        let mut doc = build(&[&["Fine page."], &["Looping page."]], None, None);
        let form_id = doc.new_object_id();
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "X0" => form_id } },
            },
            b"/X0 Do".to_vec(),
        );
        doc.objects.insert(form_id, Object::Stream(form));
        let page2 = doc.get_pages()[&2];
        let pages_id = pages_id(&doc);
        let mut resources = doc
            .get_dictionary(pages_id)
            .unwrap()
            .get(b"Resources")
            .unwrap()
            .clone();
        resources
            .as_dict_mut()
            .unwrap()
            .set("XObject", dictionary! { "X0" => form_id });
        let page = doc.get_dictionary_mut(page2).unwrap();
        page.set("Resources", resources);
        let contents = page.get(b"Contents").unwrap().as_reference().unwrap();
        let stream = doc
            .get_object_mut(contents)
            .unwrap()
            .as_stream_mut()
            .unwrap();
        stream.set_content(b"BT /F1 12 Tf 72 700 Td (Looping page.) Tj ET /X0 Do".to_vec());
        let bytes = save(doc);
        let pdf = extract_pdf(&bytes).unwrap();
        assert_eq!(pdf.pages, vec!["Fine page.".to_string(), String::new()]);
        // Alone, the looping page is the reason the file yields nothing.
        let mut doc = lopdf::Document::load_mem(&bytes).unwrap();
        doc.delete_pages(&[1]);
        assert_eq!(
            extract_pdf(&save(doc)).unwrap_err().to_string(),
            "corrupt PDF: page 1: a form XObject draws itself"
        );
    }

    #[test]
    fn cyclic_page_tree_ends() {
        let mut doc = build(&[&["Only page."]], None, None);
        let pages_id = pages_id(&doc);
        let pages = doc.get_dictionary_mut(pages_id).unwrap();
        let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
        kids.push(pages_id.into());
        kids.push(pages_id.into());
        pages.set("Kids", kids);
        match extract_pdf(&save(doc)) {
            Ok(pdf) => assert_eq!(pdf.pages, vec!["Only page.".to_string()]),
            Err(e) => assert_eq!(
                e.to_string(),
                "corrupt PDF: the page tree loops or is implausibly large"
            ),
        }
    }

    #[test]
    fn text_strings_are_decoded_by_their_byte_order_mark() {
        let table: [(&[u8], &str); 7] = [
            (b"\xFE\xFF\x00T\x00i\x00p", "Tip"),
            (b"\xEF\xBB\xBFTip \xC3\xA9", "Tip \u{e9}"),
            (b"\xFF\xFET\x00i\x00p\x00", "Tip"),
            (b"\xFE\xFF\xD8\x00\x00T", "\u{FFFD}T"),
            (b"\xFE\xFF\x00T\x00", "T\u{FFFD}"),
            (b"Tip \xE9", "Tip \u{e9}"),
            (b"", ""),
        ];
        for (raw, text) in table {
            let obj = Object::String(raw.to_vec(), lopdf::StringFormat::Literal);
            assert_eq!(text_string(&obj).as_deref(), Some(text), "{raw:?}");
        }
    }

    #[test]
    fn page_cleaning() {
        assert_eq!(
            clean_page("\n\n  a\u{a0}\u{a0}b \t c  \r\n\n\n\nd\u{fb01}ne  \n\n"),
            "a b c\n\ndfine"
        );
        // Hyphen before a capital or a digit is kept; soft hyphen at a line end is joined.
        assert_eq!(
            clean_page("pages 10-\n12 and co-\nOperation, traf\u{ad}\nficking"),
            "pages 10-\n12 and co-\nOperation, trafficking"
        );
        // A one-word continuation is pulled up without leaving a false paragraph break.
        assert_eq!(clean_page("exploi-\ntation\nnext"), "exploitation\nnext");
        assert_eq!(
            clean_page("law enforce-\n\nment to act\n\nAnti-\n\nslavery-\n\n\nlaws"),
            "law enforcement\nto act\n\nAntislavery-\n\nlaws"
        );
        assert_eq!(clean_page("icon \u{f0b7} bullet"), "icon bullet");
    }

    #[test]
    fn mutated_and_truncated_files_never_panic() {
        let good = three_pages();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            // xorshift: deterministic, so a failure reproduces.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for cut in (0..good.len()).step_by(good.len() / 50 + 1) {
            assert!(extract_pdf(&good[..cut]).is_err());
        }
        for round in 0..300 {
            let mut bad = good.clone();
            for _ in 0..(next() % 6 + 1) {
                let i = (next() as usize) % bad.len();
                bad[i] = if round % 2 == 0 {
                    next() as u8
                } else {
                    // Structural bytes break the parser in more interesting places.
                    b"0123456789 /<>[]()RobjendstreamxrefN\n"[(next() % 37) as usize]
                };
            }
            let _ = extract_pdf(&bad);
        }
        let mut noise = vec![0u8; 4096];
        noise.iter_mut().for_each(|b| *b = next() as u8);
        assert!(extract_pdf(&noise).is_err());
    }

    /// The real reports in the shared corpus, when this machine has it.
    #[test]
    fn real_reports() {
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/pdf-reports"
        ));
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!(
                "skipped: {} is not here (the shared corpora sit beside the project)",
                dir.display()
            );
            return;
        };
        let mut seen = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "pdf") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            match extract_pdf(&bytes) {
                Ok(pdf) => {
                    let words: usize = pdf.pages.iter().map(|p| p.split_whitespace().count()).sum();
                    assert!(
                        !pdf.pages.is_empty() && words >= 100,
                        "{path:?}: {words} words"
                    );
                }
                Err(e) => assert!(!e.to_string().is_empty(), "{path:?}"),
            }
            seen += 1;
        }
        if seen == 0 {
            return;
        }
        let hotline = dir.join("Hotline-Trends-Report-2023.pdf");
        if let Ok(bytes) = std::fs::read(hotline) {
            let pdf = extract_pdf(&bytes).unwrap();
            let text = pdf.pages.join("\n").to_lowercase();
            assert!(text.contains("trafficking"));
            assert!(
                text.contains("human trafficking"),
                "words must be separated"
            );
        }
        let guide = dir.join("Combating Child Sex Trafficking a Guide for Law Enforcement.pdf");
        if let Ok(bytes) = std::fs::read(guide) {
            let pdf = extract_pdf(&bytes).unwrap();
            assert_eq!(pdf.pages.len(), 24);
            let title = pdf.hints.iter().find(|h| h.from == "pdf info /Title");
            assert_eq!(
                title.map(|h| h.values[0].as_str()),
                Some("Combating Child Sex Trafficking: A Guide for Law Enforcement Leaders")
            );
        }
    }

    #[test]
    fn cover_lines_carry_their_size_and_letter_spaced_words_are_whole() {
        use super::super::pdf_fixture::{line, pdf, Drawn};
        let bytes = pdf(
            &[
                vec![
                    Drawn {
                        size: 14,
                        y: 700,
                        tracking: 5.0,
                        text: "APRIL 2017".into(),
                    },
                    line(40, 500, "Labour Inspection"),
                    line(11, 300, "Body text."),
                ],
                vec![line(11, 700, "Second page.")],
                vec![line(11, 700, "Third page.")],
                vec![line(11, 700, "Fourth page.")],
            ],
            &[],
        );
        let cover: Vec<(u32, f32, String)> = extract_pdf(&bytes)
            .unwrap()
            .cover
            .into_iter()
            .map(|l| (l.page, l.size, l.text))
            .collect();
        assert_eq!(
            cover,
            [
                (1, 14.0, "APRIL 2017".to_string()),
                (1, 40.0, "Labour Inspection".to_string()),
                (1, 11.0, "Body text.".to_string()),
                (2, 11.0, "Second page.".to_string()),
                (3, 11.0, "Third page.".to_string()),
            ]
        );
    }
}
