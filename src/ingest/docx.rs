//! Word (.docx) files: body text and the core properties Word keeps about the document.
//!
//! A .docx is a zip of XML parts. The body is `word/document.xml`, where every paragraph is a
//! `<w:p>` and the visible text sits in `<w:t>` runs; `docProps/core.xml` holds title, author,
//! dates and keywords as Dublin Core elements. Headers, footers, footnotes and comments are other
//! parts and are left out: they repeat on every page or are not part of the running text.

use std::io::{BufRead, BufReader, Cursor, Read, Take};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::entity::{self, Names};
use super::{Stop, MAX_TEXT_BYTES, STOPPED};
use crate::metadata::Hint;
use crate::text::collapse_whitespace;

/// XML of the body read at most: real documents are a few MB of XML. It is parsed as it
/// decompresses (only its text is kept), so this bounds time, not memory; past it the body is
/// kept up to there and marked truncated.
const MAX_PART_BYTES: usize = 256 * 1024 * 1024;

/// Core properties are a few KB; a larger part is not metadata worth the memory.
const MAX_PROPERTIES_BYTES: u64 = 4 * 1024 * 1024;

/// Small parts decompress in steps of this size, checking [`Stop`] between them.
const READ_STEP: u64 = 1024 * 1024;

/// XML events between two checks of [`Stop`].
const EVENTS_PER_CHECK: usize = 4096;

/// What a .docx file yielded.
#[derive(Clone, Debug, Default)]
pub(crate) struct DocxText {
    /// Body text: one paragraph per line, headings set off by blank lines.
    pub text: String,
    /// Core properties (title, creator, created, language, keywords, subject), non-empty only.
    pub hints: Vec<Hint>,
    /// Set when only the start of the body was kept, saying what was cut.
    pub truncated: Option<String>,
}

/// Extract the body text and core properties of a .docx file, giving up when `stop` is
/// requested. `Err` is a human-readable reason.
pub(crate) fn extract_docx(bytes: &[u8], stop: &Stop) -> Result<DocxText, String> {
    // The zip and XML crates are not expected to panic, but a crash on one hostile file must not
    // take down a batch of thousands.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract_inner(bytes, stop))) {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "DOCX library failed on this file: {}",
            super::panic_message(&*panic)
        )),
    }
}

fn extract_inner(bytes: &[u8], stop: &Stop) -> Result<DocxText, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable DOCX: corrupt or not a zip archive ({e})"))?;
    let (text, truncated) = match zip.by_name("word/document.xml") {
        Ok(part) => body_of(part, stop)?,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err("not a DOCX: word/document.xml is missing from the zip archive".into())
        }
        Err(e) => return Err(format!("corrupt DOCX: cannot open word/document.xml ({e})")),
    };
    // Properties are a bonus: a broken core.xml must not cost us the text.
    let hints = match read_part(&mut zip, "docProps/core.xml", stop) {
        Ok(Some(core)) => core_hints(&core),
        _ => Vec::new(),
    };
    Ok(DocxText {
        text,
        hints,
        truncated,
    })
}

/// The body's text and what was cut from it, parsed while the part decompresses: only the text
/// is ever held, never the XML, so a part that expands enormously costs its kept text.
fn body_of(part: impl Read, stop: &Stop) -> Result<(String, Option<String>), String> {
    let mut input = BufReader::new(part.take(MAX_PART_BYTES as u64));
    let head = input
        .fill_buf()
        .map_err(|e| format!("corrupt DOCX: cannot decompress word/document.xml ({e})"))?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        // UTF-16 is legal XML though Word never writes it: decoded whole, within the limit.
        let mut raw = Vec::new();
        input
            .read_to_end(&mut raw)
            .map_err(|e| format!("corrupt DOCX: cannot decompress word/document.xml ({e})"))?;
        let xml = decode_xml(raw);
        return body_text(BufReader::new(xml.as_bytes().take(u64::MAX)), stop);
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    body_text(input, stop)
}

/// A small part's text (`docProps/core.xml`), `None` when the archive has no such entry.
fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    stop: &Stop,
) -> Result<Option<String>, String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("corrupt DOCX: cannot open {name} ({e})")),
    };
    let mut raw = Vec::new();
    let mut limited = file.take(MAX_PROPERTIES_BYTES + 1);
    loop {
        if stop.requested() {
            return Err(STOPPED.into());
        }
        let n = (&mut limited)
            .take(READ_STEP)
            .read_to_end(&mut raw)
            .map_err(|e| format!("corrupt DOCX: cannot decompress {name} ({e})"))?;
        if n == 0 {
            break;
        }
    }
    if raw.len() as u64 > MAX_PROPERTIES_BYTES {
        return Err(format!(
            "corrupt DOCX: {name} decompresses to over {MAX_PROPERTIES_BYTES} bytes"
        ));
    }
    Ok(Some(decode_xml(raw)))
}

/// XML parts are UTF-8 in every Office version; UTF-16 is legal XML, so accept it (by its
/// byte-order mark, as `ingest::decode` reads files) rather than return mojibake.
fn decode_xml(raw: Vec<u8>) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(&raw) {
        let (text, _) = encoding.decode_without_bom_handling(&raw[bom_len..]);
        return text.into_owned();
    }
    // Valid UTF-8 (the usual case) becomes the String without a copy.
    String::from_utf8(raw).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|v| v.into_owned())
}

/// Word's built-in heading styles are "Heading1".."Heading9", "Title" and "Subtitle" in English
/// templates; localized templates rename the style id but still set an outline level.
fn is_heading_style(style: &str) -> bool {
    let s = style.to_ascii_lowercase();
    s.starts_with("heading") || s == "title" || s == "subtitle"
}

/// One `<w:p>` being collected.
#[derive(Default)]
struct Para {
    text: String,
    heading: bool,
}

/// The body's paragraphs, and a note when they were cut: at [`MAX_TEXT_BYTES`] of text, or
/// where the XML reached [`MAX_PART_BYTES`].
fn body_text<R: Read>(
    input: BufReader<Take<R>>,
    stop: &Stop,
) -> Result<(String, Option<String>), String> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(false);
    // Text boxes put whole paragraphs inside a run of the outer paragraph, so paragraphs nest.
    let mut stack: Vec<Para> = Vec::new();
    let mut done: Vec<Para> = Vec::new();
    let mut in_text = false;
    // Inside <mc:Fallback> Word repeats the <mc:Choice> content for old readers: skip it, or
    // every text box would appear twice.
    let mut fallback_depth = 0usize;
    let mut events = 0usize;
    let mut kept = 0usize;
    let mut truncated = None;
    let mut buf = Vec::new();
    loop {
        events += 1;
        if events.is_multiple_of(EVENTS_PER_CHECK) {
            if stop.requested() {
                return Err(STOPPED.into());
            }
            if kept > MAX_TEXT_BYTES {
                truncated = Some(format!("text cut at {MAX_TEXT_BYTES} bytes"));
                break;
            }
        }
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            // The XML limit can fall inside a tag; what came before it is kept.
            Err(_) if reader.get_ref().get_ref().limit() == 0 => Event::Eof,
            Err(e) => {
                return Err(format!(
                    "corrupt DOCX: word/document.xml is not valid XML ({e})"
                ))
            }
        };
        if matches!(event, Event::Eof) && reader.get_ref().get_ref().limit() == 0 {
            truncated = Some(format!(
                "word/document.xml cut at {MAX_PART_BYTES} bytes of XML"
            ));
        }
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    "Fallback" => fallback_depth += 1,
                    _ if fallback_depth > 0 => {}
                    "p" => {
                        // Emit the outer paragraph's text so far, so a text box's text lands
                        // where the box is anchored instead of before the paragraph holding it.
                        if let Some(outer) = stack.last_mut() {
                            if !outer.text.trim().is_empty() {
                                let text = std::mem::take(&mut outer.text);
                                kept += text.len() + 1;
                                done.push(Para {
                                    text,
                                    heading: outer.heading,
                                });
                            }
                        }
                        stack.push(Para::default());
                    }
                    "t" => in_text = true,
                    "pStyle" => mark_heading(&mut stack, &e),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if fallback_depth > 0 {
                    continue;
                }
                let name = e.local_name();
                let piece = match name.as_ref() {
                    "p" => {
                        // An empty paragraph is only vertical space.
                        continue;
                    }
                    "pStyle" => {
                        mark_heading(&mut stack, &e);
                        continue;
                    }
                    "outlineLvl" => {
                        // Level 9 is Word's "body text" level.
                        let level = attr(&e, "w:val").and_then(|v| v.parse::<u8>().ok());
                        if let (Some(p), Some(0..=8)) = (stack.last_mut(), level) {
                            p.heading = true;
                        }
                        continue;
                    }
                    "tab" | "ptab" => " ",
                    "br" | "cr" => "\n",
                    "noBreakHyphen" => "-",
                    _ => continue,
                };
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(piece);
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    "Fallback" => fallback_depth = fallback_depth.saturating_sub(1),
                    _ if fallback_depth > 0 => {}
                    "t" => in_text = false,
                    "p" => {
                        if let Some(p) = stack.pop() {
                            kept += p.text.len() + 1;
                            done.push(p);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && fallback_depth == 0 => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_text && fallback_depth == 0 => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) if in_text && fallback_depth == 0 => {
                if let (Some(p), Some(s)) = (
                    stack.last_mut(),
                    entity::resolve(&r.xml10_content(), Names::Xml),
                ) {
                    p.text.push_str(&s);
                }
            }
            _ => {}
        }
    }
    // Unclosed paragraphs at the end of a damaged part still carry text worth keeping.
    done.extend(stack.into_iter().rev());
    Ok((join_paragraphs(&done), truncated))
}

fn mark_heading(stack: &mut [Para], e: &BytesStart) {
    if let (Some(p), Some(style)) = (stack.last_mut(), attr(e, "w:val")) {
        if is_heading_style(&style) {
            p.heading = true;
        }
    }
}

/// One paragraph per line, and a blank line before each heading: the start of a section that
/// passages do not cross (see `Extracted::sections`).
fn join_paragraphs(paras: &[Para]) -> String {
    let mut out = String::new();
    for p in paras {
        let lines: Vec<String> = p
            .text
            .split('\n')
            .map(collapse_whitespace)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        super::push_block(&mut out, &lines.join("\n"), p.heading);
    }
    out
}

/// Dublin Core elements of docProps/core.xml → hints keyed the way the metadata module reads them.
fn core_hints(xml: &str) -> Vec<Hint> {
    // (local name, hint key, provenance); local names are unique across the three namespaces used.
    const FIELDS: [(&str, &str, &str); 6] = [
        ("title", "title", "docx core.xml dc:title"),
        ("creator", "creator", "docx core.xml dc:creator"),
        ("created", "created", "docx core.xml dcterms:created"),
        ("language", "language", "docx core.xml dc:language"),
        ("keywords", "keywords", "docx core.xml cp:keywords"),
        ("subject", "subject", "docx core.xml dc:subject"),
    ];
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut values: Vec<String> = vec![String::new(); FIELDS.len()];
    let mut current: Option<usize> = None;
    // A malformed part ends the parse but keeps what was read before the damage.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                let name = e.local_name();
                current = FIELDS.iter().position(|f| f.0 == name.as_ref());
            }
            Event::End(_) => current = None,
            Event::Text(t) => {
                if let Some(i) = current {
                    values[i].push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let (Some(i), Some(s)) =
                    (current, entity::resolve(&r.xml10_content(), Names::Xml))
                {
                    values[i].push_str(&s);
                }
            }
            _ => {}
        }
    }
    FIELDS
        .iter()
        .zip(values)
        .filter_map(|(&(_, key, from), value)| {
            let value = collapse_whitespace(&value);
            (!value.is_empty()).then(|| Hint {
                key: key.to_string(),
                values: vec![value],
                from: from.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::Write;

    #[test]
    fn xml_parts_are_read_by_their_byte_order_mark() {
        let text = "<t>Trata de personas – Côte d’Ivoire</t>";
        let utf16 = |le: bool| -> Vec<u8> {
            let mut bytes = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in text.encode_utf16() {
                bytes.extend(if le {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            bytes
        };
        let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
        utf8_bom.extend(text.as_bytes());
        for raw in [
            utf16(true),
            utf16(false),
            utf8_bom,
            text.as_bytes().to_vec(),
        ] {
            assert_eq!(decode_xml(raw), text);
        }
    }

    const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Forced Labour in Fishing</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Victims were recruited </w:t></w:r><w:r><w:t>through brokers &amp; agencies.</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>Wages were withheld</w:t></w:r><w:r><w:tab/><w:t>for months.</w:t></w:r></w:p>
</w:body>
</w:document>"#;

    const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Fishing Fleet Report</dc:title>
<dc:creator>Jane Doe</dc:creator>
<cp:keywords>forced labour, fishing</cp:keywords>
<dc:language>en-GB</dc:language>
<dc:subject>   </dc:subject>
<dcterms:created xsi:type="dcterms:W3CDTF">2021-03-04T10:00:00Z</dcterms:created>
</cp:coreProperties>"#;

    fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn valid() -> Vec<u8> {
        docx(&[
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", DOCUMENT),
            ("docProps/core.xml", CORE),
        ])
    }

    #[test]
    fn body_paragraphs_and_heading() {
        let d = extract_docx(&valid(), &Stop::default()).unwrap();
        assert_eq!(
            d.text,
            "Forced Labour in Fishing\n\
             Victims were recruited through brokers & agencies.\n\
             Wages were withheld for months."
        );
    }

    #[test]
    fn core_properties_become_hints() {
        let d = extract_docx(&valid(), &Stop::default()).unwrap();
        let got: Vec<(&str, Vec<&str>, &str)> = d
            .hints
            .iter()
            .map(|h| {
                (
                    h.key.as_str(),
                    h.values.iter().map(String::as_str).collect(),
                    h.from.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "title",
                    vec!["Fishing Fleet Report"],
                    "docx core.xml dc:title"
                ),
                ("creator", vec!["Jane Doe"], "docx core.xml dc:creator"),
                (
                    "created",
                    vec!["2021-03-04T10:00:00Z"],
                    "docx core.xml dcterms:created"
                ),
                ("language", vec!["en-GB"], "docx core.xml dc:language"),
                (
                    "keywords",
                    vec!["forced labour, fishing"],
                    "docx core.xml cp:keywords"
                ),
            ]
        );
    }

    #[test]
    fn a_blank_line_opens_each_heading_section_and_nothing_else() {
        let doc = r#"<w:document xmlns:w="w"><w:body>
<w:p><w:r><w:t>Intro.</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Findings</w:t></w:r></w:p>
<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Überschrift</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t>Body &#8211; text</w:t><w:br/><w:t>next line</w:t></w:r></w:p>
</w:body></w:document>"#;
        let d = extract_docx(&docx(&[("word/document.xml", doc)]), &Stop::default()).unwrap();
        assert_eq!(
            d.text,
            "Intro.\n\nFindings\n\nÜberschrift\nBody – text\nnext line"
        );
        assert!(d.hints.is_empty());
    }

    #[test]
    fn text_box_fallback_is_not_repeated_and_deleted_text_is_dropped() {
        let doc = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
<w:p><w:r><w:t>Before</w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:txbxContent>
<w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Choice>
<mc:Fallback><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Fallback>
</mc:AlternateContent></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>
</w:body></w:document>"#;
        let d = extract_docx(&docx(&[("word/document.xml", doc)]), &Stop::default()).unwrap();
        assert_eq!(d.text, "Before\nBoxed");
    }

    #[test]
    fn missing_document_part() {
        let err =
            extract_docx(&docx(&[("docProps/core.xml", CORE)]), &Stop::default()).unwrap_err();
        assert_eq!(
            err,
            "not a DOCX: word/document.xml is missing from the zip archive"
        );
    }

    #[test]
    fn not_a_zip() {
        let err =
            extract_docx(b"PK\x03\x04 this is not really a zip", &Stop::default()).unwrap_err();
        assert!(
            err.starts_with("not a readable DOCX: corrupt or not a zip archive"),
            "{err}"
        );
        let err = extract_docx(&[], &Stop::default()).unwrap_err();
        assert!(err.starts_with("not a readable DOCX"), "{err}");
    }

    #[test]
    fn broken_xml_is_a_reason() {
        let err = extract_docx(
            &docx(&[("word/document.xml", "<w:body><w:p></w:x>")]),
            &Stop::default(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("corrupt DOCX: word/document.xml is not valid XML"),
            "{err}"
        );
    }

    #[test]
    fn broken_core_xml_keeps_the_text() {
        let d = extract_docx(
            &docx(&[
                ("word/document.xml", DOCUMENT),
                ("docProps/core.xml", "<cp:x><dc:title>T</dc:title></cp:y>"),
            ]),
            &Stop::default(),
        )
        .unwrap();
        assert!(d.text.starts_with("Forced Labour"));
    }

    #[test]
    fn mutated_and_truncated_files_never_panic() {
        let good = valid();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            // xorshift: deterministic, so a failure reproduces.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in (0..good.len()).step_by(7) {
            let _ = extract_docx(&good[..len], &Stop::default());
        }
        for _ in 0..400 {
            let mut bad = good.clone();
            for _ in 0..(next() % 8 + 1) {
                let i = (next() as usize) % bad.len();
                bad[i] = next() as u8;
            }
            let _ = extract_docx(&bad, &Stop::default());
        }
    }

    /// `n` heading paragraphs of one word each, the shape that made a 0.9 MB DOCX expand to
    /// 306,156 passages.
    fn headings(n: usize, text: &str) -> Vec<u8> {
        let para = format!(
            r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        );
        let doc = format!(
            "<w:document><w:body>{}</w:body></w:document>",
            para.repeat(n)
        );
        docx(&[("word/document.xml", &doc)])
    }

    #[test]
    fn a_stopped_extraction_gives_up() {
        let stop = Stop::default();
        stop.stop();
        assert_eq!(
            extract_docx(&headings(10_000, "Trafficking"), &stop).unwrap_err(),
            STOPPED
        );
    }

    #[test]
    fn text_past_the_limit_is_cut_with_a_note() {
        // 20,000 paragraphs of 1 KB: 20 MB of text from a zip of a few hundred KB.
        let long = "Trafficking ".repeat(84);
        let d = extract_docx(&headings(20_000, &long), &Stop::default()).unwrap();
        assert!(
            d.text.len() <= MAX_TEXT_BYTES + (1 << 20),
            "{}",
            d.text.len()
        );
        assert!(d.text.len() > MAX_TEXT_BYTES / 2);
        assert_eq!(
            d.truncated.as_deref(),
            Some(format!("text cut at {MAX_TEXT_BYTES} bytes").as_str())
        );
        let whole = extract_docx(&headings(1_000, &long), &Stop::default()).unwrap();
        assert!(whole.truncated.is_none());
    }
}
