//! The printed lines of a PDF's first pages with their font sizes, for the cover rules in
//! [`crate::metadata`]: a reader cites the largest text of the cover, which plain text loses.
//!
//! pdf-extract reports every glyph with its text matrix and font size; [`Recorder`] passes each
//! one to the plain-text output (so page text stays exactly as before) and, on the first pages,
//! also keeps it. Glyphs are grouped into lines by baseline, and words are told apart by the gap
//! before a glyph measured against the line's own letter gaps, so letter-spaced display type
//! ("A P R I L  2 0 1 7") reads as the words it spells.

use pdf_extract::{MediaBox, OutputDev, OutputError, PlainTextOutput, Transform};

use crate::metadata::SizedLine;

/// Pages whose lines are kept: the cover, and the pages after a cover letter or a blank cover.
pub(crate) const COVER_PAGES: u32 = 3;

/// One glyph as drawn: left edge, baseline (from the top of the page), right edge, size.
#[derive(Clone, Debug)]
struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

/// An [`OutputDev`] writing plain text and keeping the glyphs of one page when asked.
pub(crate) struct Recorder<'a> {
    plain: PlainTextOutput<&'a mut String>,
    keep: bool,
    page: u32,
    height: f64,
    glyphs: Vec<Glyph>,
    /// Lines of the kept pages, in drawing order.
    pub lines: Vec<SizedLine>,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(text: &'a mut String) -> Self {
        Recorder {
            plain: PlainTextOutput::new(text),
            keep: false,
            page: 0,
            height: 0.0,
            glyphs: Vec::new(),
            lines: Vec::new(),
        }
    }
}

impl OutputDev for Recorder<'_> {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.keep = page_num <= COVER_PAGES;
        self.page = page_num;
        self.height = media_box.ury - media_box.lly;
        self.glyphs.clear();
        self.plain.begin_page(page_num, media_box, art_box)
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        if self.keep {
            let glyphs = std::mem::take(&mut self.glyphs);
            self.lines.extend(group_lines(self.page, &glyphs));
        }
        self.plain.end_page()
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        if self.keep {
            // The same size measure pdf-extract's own text output uses: the side of the square
            // with the area of the transformed em box.
            let (sx, sy) = (
                font_size * (trm.m11 + trm.m21),
                font_size * (trm.m12 + trm.m22),
            );
            let size = (sx * sy).abs().sqrt();
            if size.is_finite() && size > 0.0 {
                let x = trm.m31;
                self.glyphs.push(Glyph {
                    x,
                    y: self.height - trm.m32,
                    end: x + width * size,
                    size,
                    text: char.to_string(),
                });
            }
        }
        self.plain
            .output_character(trm, width, spacing, font_size, char)
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.plain.begin_word()
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        self.plain.end_word()
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        self.plain.end_line()
    }
}

/// Glyphs on one baseline that follow each other, as one printed line.
fn group_lines(page: u32, glyphs: &[Glyph]) -> Vec<SizedLine> {
    let mut lines = Vec::new();
    let mut start = 0;
    for i in 1..=glyphs.len() {
        let breaks = i == glyphs.len() || {
            let (prev, g) = (&glyphs[i - 1], &glyphs[i]);
            let size = prev.size.max(g.size);
            // Another baseline, a jump back to the left, or a gap wider than any word space
            // (the next column) ends the line.
            (g.y - prev.y).abs() > 0.4 * size
                || g.x < prev.x - 0.5 * size
                || g.x - prev.end > 3.0 * size
        };
        if breaks {
            if let Some(line) = line_of(page, &glyphs[start..i]) {
                lines.push(line);
            }
            start = i;
        }
    }
    lines
}

fn line_of(page: u32, glyphs: &[Glyph]) -> Option<SizedLine> {
    let mut sizes: Vec<f64> = glyphs
        .iter()
        .filter(|g| g.text.chars().any(char::is_alphanumeric))
        .map(|g| g.size)
        .collect();
    if sizes.is_empty() {
        return None;
    }
    sizes.sort_by(f64::total_cmp);
    let size = sizes[sizes.len() / 2];
    // Gaps between glyphs not separated by a drawn space. In running text glyphs touch (gap
    // ≈ 0) and a word space is ~0.25 em; letter-spaced display type puts a gap after every
    // letter, so a word gap is one clearly wider than the typical letter gap.
    let mut gaps: Vec<f64> = glyphs
        .windows(2)
        .filter(|w| !w[0].text.trim().is_empty() && !w[1].text.trim().is_empty())
        .map(|w| (w[1].x - w[0].end) / size)
        .collect();
    gaps.sort_by(f64::total_cmp);
    let typical = gaps.get(gaps.len() / 2).copied().unwrap_or(0.0).max(0.0);
    let word_gap = if typical > 0.06 {
        typical * 1.6 + 0.08
    } else {
        0.15
    };
    let mut text = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in glyphs {
        if g.text.trim().is_empty() {
            text.push(' ');
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            if (g.x - p.end) / size > word_gap {
                text.push(' ');
            }
        }
        text.push_str(&g.text);
        prev = Some(g);
    }
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let capitals = words.iter().all(|w| !w.chars().any(char::is_lowercase));
    if typical > 0.06 || capitals {
        rejoin_stray_letters(&mut words);
    }
    let text = words.join(" ");
    (!text.is_empty()).then(|| SizedLine {
        page,
        size: size as f32,
        top: glyphs[0].y as f32,
        text,
    })
}

/// In letter-spaced and capitals-only display type the last letter of a word often sits a
/// little further off than the others (tracking and kerning pairs), leaving "RESOURC E" or
/// "201 7": a lone capital or digit after a word of the same kind belongs to it.
fn rejoin_stray_letters(words: &mut Vec<String>) {
    let kind = |s: &str| {
        if s.chars().all(|c| c.is_ascii_digit()) {
            Some(0)
        } else if s.chars().all(|c| c.is_uppercase()) {
            Some(1)
        } else {
            None
        }
    };
    let mut i = 1;
    while i < words.len() {
        let lone = words[i].chars().count() == 1;
        let joins = lone
            && words[i - 1].chars().count() >= 2
            && kind(&words[i]).is_some()
            && kind(&words[i]) == kind(&words[i - 1]);
        if joins {
            let w = words.remove(i);
            words[i - 1].push_str(&w);
        } else {
            i += 1;
        }
    }
}
