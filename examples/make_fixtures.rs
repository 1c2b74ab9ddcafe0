//! Writes the binary fixtures of the integration tests, `tests/fixtures/report.pdf` (three
//! pages, info dictionary) and `tests/fixtures/brief.docx` (headings, core properties).
//! The files are committed; run `cargo run --example make_fixtures` to make them again.
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use std::io::{Cursor, Write};

fn pdf(pages: &[&[&str]]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let mut kids = Vec::new();
    for lines in pages {
        let mut ops = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let y = 720 - 15 * i as i64;
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), 12.into()]));
            ops.push(Operation::new("Td", vec![72.into(), y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
            ops.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations: ops }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(
            doc.add_object(
                dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id },
            )
            .into(),
        );
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Forced Labour in Fishing: Field Report"),
        "Author" => Object::string_literal("Jane Doe"),
        "CreationDate" => Object::string_literal("D:20210315103000+01'00'"),
    });
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn docx() -> Vec<u8> {
    let document = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>National Referral Mechanism Review</w:t></w:r></w:p>
<w:p><w:r><w:t>Survivors were referred to shelters within two days of identification.</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Recommendations</w:t></w:r></w:p>
<w:p><w:r><w:t>Frontline staff need training on indicators of debt bondage.</w:t></w:r></w:p>
</w:body></w:document>"#;
    let core = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>NRM Review 2022</dc:title><dc:creator>A. Analyst</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">2022-05-10T09:00:00Z</dcterms:created></cp:coreProperties>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", document),
        ("docProps/core.xml", core),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    // Each page holds more than a passage's minimum of 50 words, so page numbers are tested.
    let filler = "Inspectors interviewed crew members in three ports over six weeks and recorded";
    let more =
        "their working hours, wages, documents, recruitment fees and living conditions on board.";
    std::fs::write(
        dir.join("report.pdf"),
        pdf(&[
            &[
                "Forced Labour in Fishing",
                "Field report, March 2021",
                filler,
                more,
                filler,
                more,
            ],
            &[
                "Crew members described debt bondage on long-haul vessels.",
                filler,
                more,
                filler,
                more,
            ],
            &[
                "Recommendations: port inspections and victim identification.",
                filler,
                more,
                filler,
                more,
            ],
        ]),
    )
    .unwrap();
    std::fs::write(dir.join("brief.docx"), docx()).unwrap();
}
