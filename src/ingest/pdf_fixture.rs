//! PDFs built for tests, with the layout traits the cover rules read: font sizes, positions,
//! letter spacing and info-dictionary fields.

use std::borrow::Cow;

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};

/// One line drawn in Helvetica: size in points, baseline in points from the bottom of a US
/// Letter page, extra space after each character (PDF `Tc`, letter spacing) and its text.
#[derive(Clone)]
pub(crate) struct Drawn<'a> {
    pub size: i64,
    pub y: i64,
    pub tracking: f32,
    pub text: Cow<'a, str>,
}

/// A line in `size`-point type at height `y`.
pub(crate) fn line(size: i64, y: i64, text: &str) -> Drawn<'_> {
    Drawn {
        size,
        y,
        tracking: 0.0,
        text: text.into(),
    }
}

/// Running text: `n` 11-point lines from `y` down, each different from every line of every
/// other call with another `seed` (repeated lines would read as running headers).
pub(crate) fn body_lines(seed: usize, y: i64, n: usize) -> Vec<Drawn<'static>> {
    const SENTENCES: [&str; 4] = [
        "Workers were recruited with false promises and held by debt in the camps",
        "Inspectors found passports kept by the employer and wages withheld for months",
        "The shelter referred the survivors to legal aid and to medical care",
        "Recruiters charged fees that the workers could never repay from their wages",
    ];
    (0..n)
        .map(|i| {
            // A letter code unique to (seed, i): digits would not tell lines apart.
            let code: String = format!("{:03}{:02}", seed % 1000, i % 100)
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            let text = format!(
                "{} near site {code}.",
                SENTENCES[(seed + i) % SENTENCES.len()]
            );
            Drawn {
                text: text.into(),
                ..line(11, y - 14 * i as i64, "")
            }
        })
        .collect()
}

/// A PDF of `pages` with the given info-dictionary entries.
pub(crate) fn pdf(pages: &[Vec<Drawn>], info: &[(&str, &str)]) -> Vec<u8> {
    let mut doc = document(pages);
    if !info.is_empty() {
        let mut dict = lopdf::Dictionary::new();
        for (k, v) in info {
            dict.set(*k, Object::string_literal(*v));
        }
        let info_id = doc.add_object(dict);
        doc.trailer.set("Info", info_id);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The document of `pages`, for tests that change it before saving (a page without lines is
/// a drawing without text, like a scanned page's image).
pub(crate) fn document(pages: &[Vec<Drawn>]) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut kids = Vec::new();
    for lines in pages {
        let mut ops = Vec::new();
        for l in lines {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), l.size.into()]));
            ops.push(Operation::new("Tc", vec![l.tracking.into()]));
            ops.push(Operation::new("Td", vec![72.into(), l.y.into()]));
            // WinAnsi: Latin-1 characters ("©", "é") are their own byte.
            let bytes: Vec<u8> = l
                .text
                .chars()
                .map(|c| u8::try_from(c).unwrap_or(b'?'))
                .collect();
            ops.push(Operation::new(
                "Tj",
                vec![Object::String(bytes, lopdf::StringFormat::Literal)],
            ));
            ops.push(Operation::new("ET", vec![]));
        }
        if lines.is_empty() {
            ops.push(Operation::new("m", vec![0.into(), 0.into()]));
            ops.push(Operation::new("l", vec![100.into(), 100.into()]));
            ops.push(Operation::new("S", vec![]));
        }
        let content = Content { operations: ops }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            })
            .into(),
        );
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Count" => kids.len() as i64,
            "Kids" => kids,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}
