//! Markdown to text, with YAML-style front matter as declared metadata.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use std::ops::Range;

use super::{chain_hints, heading_chain, Extracted};
use crate::metadata::Hint;

/// Convert a Markdown document.
pub(crate) fn extract(source: &str) -> Extracted {
    let (front, body) = split_front_matter(source);
    let (mut text, opening) = to_text(body);
    let mut embedded = Vec::new();
    let openers: Vec<(u8, &str)> = opening
        .iter()
        .map(|(level, range)| (*level, &text[range.clone()]))
        .collect();
    if let Some(chain) = heading_chain(&openers) {
        let rest = text[opening[chain.consumed - 1].1.end..].trim_start();
        // A document that is nothing but its headings keeps them as its text.
        if !rest.is_empty() {
            embedded = chain_hints(&chain, "markdown heading chain");
            text = rest.to_string();
        }
    }
    Extracted {
        text,
        declared: front.map(parse_front_matter).unwrap_or_default(),
        embedded,
        pages: Vec::new(),
        sections: true,
        truncated: None,
        cover: Vec::new(),
    }
}

/// Split `---`-delimited front matter from the body.
fn split_front_matter(source: &str) -> (Option<&str>, &str) {
    let s = source.strip_prefix('\u{feff}').unwrap_or(source);
    let Some(rest) = s
        .strip_prefix("---\n")
        .or_else(|| s.strip_prefix("---\r\n"))
    else {
        return (None, s);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return (Some(&rest[..offset]), &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, s)
}

/// Read the simple YAML that front matter uses in practice: `key: value`, `key: [a, b]` and
/// `key:` followed by `- item` lines. Anything fancier is ignored rather than misread.
fn parse_front_matter(front: &str) -> Vec<Hint> {
    let mut hints: Vec<Hint> = Vec::new();
    for line in front.lines() {
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            if line.starts_with(char::is_whitespace) || line.starts_with('-') {
                if let Some(last) = hints.last_mut() {
                    push_value(&mut last.values, item);
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.starts_with(char::is_whitespace) || key.trim().is_empty() {
            continue;
        }
        let mut values = Vec::new();
        let value = value.trim();
        if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            for item in list.split(',') {
                push_value(&mut values, item);
            }
        } else {
            push_value(&mut values, value);
        }
        hints.push(Hint {
            key: key.trim().to_ascii_lowercase(),
            values,
            from: "front matter".into(),
        });
    }
    hints.retain(|h| !h.values.is_empty());
    hints
}

fn push_value(values: &mut Vec<String>, raw: &str) {
    let v = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if !v.is_empty() {
        values.push(v.to_string());
    }
}

/// Render Markdown as plain text: one paragraph, heading or list item per line, link and image
/// text kept, markup dropped. A blank line comes before each heading and nowhere else, so
/// headings start sections that passages do not cross (see [`Extracted::sections`]). Also
/// returns the level and byte range of each heading that opens the document, before any
/// other block.
fn to_text(body: &str) -> (String, Vec<(u8, Range<usize>)>) {
    let mut opening = Vec::new();
    let mut heading: Option<(u8, usize)> = None;
    let mut body_seen = false;
    let mut out = String::with_capacity(body.len());
    let block_break = |out: &mut String| {
        while out.ends_with(' ') {
            out.pop();
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    let mut in_code = false;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                body_seen = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                block_break(&mut out);
            }
            // Blank lines inside a code block are layout, and would start sections.
            Event::Text(t) if in_code => {
                for line in t.lines().filter(|l| !l.trim().is_empty()) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                block_break(&mut out);
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                heading = Some((level as u8, out.len()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start)) = heading.take() {
                    if !body_seen {
                        opening.push((level, start..out.trim_end().len().max(start)));
                    }
                }
                block_break(&mut out);
            }
            Event::Text(_) | Event::Code(_) | Event::Start(Tag::Image { .. })
                if heading.is_none() && !body_seen =>
            {
                body_seen = true;
                if let Event::Text(t) | Event::Code(t) = event {
                    out.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) if !out.is_empty() && !out.ends_with('\n') => {
                out.push('\n');
            }
            Event::End(TagEnd::Paragraph | TagEnd::BlockQuote(_))
            | Event::End(TagEnd::List(_) | TagEnd::Table) => block_break(&mut out),
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.push('\n'),
            _ => {}
        }
    }
    let trimmed = out.trim_start().len();
    let lead = out.len() - trimmed;
    let opening = opening
        .into_iter()
        .map(|(level, r)| (level, r.start - lead..r.end - lead))
        .collect();
    (out.trim().to_string(), opening)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_becomes_declared_hints() {
        let doc = "---\ntitle: \"Forced labour in fishing\"\ndate: 2021-05\ntags: [Fishing, Asia]\nauthors:\n  - A. Author\n---\n# Heading\n\nBody *text* with [a link](https://x.org).\n";
        let e = extract(doc);
        let get = |k: &str| {
            e.declared
                .iter()
                .find(|h| h.key == k)
                .map(|h| h.values.clone())
        };
        assert_eq!(get("title").unwrap(), ["Forced labour in fishing"]);
        assert_eq!(get("date").unwrap(), ["2021-05"]);
        assert_eq!(get("tags").unwrap(), ["Fishing", "Asia"]);
        assert_eq!(get("authors").unwrap(), ["A. Author"]);
        assert_eq!(e.text, "Heading\nBody text with a link.");
    }

    #[test]
    fn blank_lines_in_code_blocks_do_not_start_sections() {
        let e = extract("Intro.\n\n```\nfirst\n\nsecond\n```\n\nAfter.\n");
        assert_eq!(e.text, "Intro.\nfirst\nsecond\nAfter.");
    }

    #[test]
    fn no_front_matter_and_lists() {
        let e = extract(
            "# § 1589. Forced labor\n\n- (a) Whoever knowingly\n- (b) Whoever benefits\n\nEnd.",
        );
        assert!(e.declared.is_empty());
        assert_eq!(
            e.text,
            "§ 1589. Forced labor\n(a) Whoever knowingly\n(b) Whoever benefits\nEnd."
        );
    }

    #[test]
    fn an_opening_heading_chain_titles_the_section_and_leaves_the_text() {
        let e = extract(
            "# Title 18— CRIMES\n### CHAPTER 77— PEONAGE, SLAVERY\n#### § 1589. Forced labor\n##### (a) Offense\n\nWhoever knowingly provides labor.\n\n## Notes\n\nMore.\n",
        );
        let hint = |k: &str| {
            e.embedded
                .iter()
                .find(|h| h.key == k)
                .map(|h| (h.values[0].clone(), h.from.clone()))
        };
        assert_eq!(
            hint("title"),
            Some((
                "§ 1589. Forced labor".into(),
                "markdown heading chain".into()
            ))
        );
        assert_eq!(
            hint("context").map(|h| h.0).as_deref(),
            Some("Title 18— CRIMES › CHAPTER 77— PEONAGE, SLAVERY")
        );
        // The subdivision label stays: it is this file's own text, not the breadcrumb.
        assert_eq!(
            e.text,
            "(a) Offense\nWhoever knowingly provides labor.\n\nNotes\nMore."
        );
    }

    #[test]
    fn one_heading_or_headings_that_do_not_nest_are_no_chain() {
        let e = extract("# Report\n\nBody.\n");
        assert!(e.embedded.is_empty());
        assert_eq!(e.text, "Report\nBody.");
        let e = extract("## Part one\n# Part two\n\nBody.\n");
        assert!(e.embedded.is_empty());
        // A document of headings only keeps them as its text.
        let e = extract("# A\n## B\n");
        assert!(e.embedded.is_empty());
        assert_eq!(e.text, "A\n\nB");
    }
}
