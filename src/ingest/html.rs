//! HTML to text plus the page's own metadata (`<title>`, `<meta>`, `<html lang>`).

use std::sync::LazyLock;

use regex::Regex;

use super::entity::{self, Names};
use super::{ExtractError, Extracted};
use crate::metadata::Hint;

/// Page chrome that is never the document: removed before conversion so its text cannot leak
/// into passages. (`regex` has no back-references, hence one pattern per element.)
static CHROME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template",
        "svg",
    ]
    .iter()
    .map(|tag| Regex::new(&format!(r"(?is)<{tag}\b[^>]*>.*?</{tag}\s*>")).expect("static regex"))
    .collect()
});
/// Block containers become flat paragraphs and inline wrappers disappear before conversion:
/// the text is the same, and html2text's cost grows with nesting depth (50,000 nested `<div>`s
/// took 45 s; flattened, milliseconds).
static BLOCK_CONTAINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(?:div|section|article|main|center|figure|blockquote)\b[^>]*>")
        .expect("static regex")
});
static INLINE_WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(?:span|font|small|big|abbr|cite|mark|time)\b[^>]*>").expect("static regex")
});
/// Cookie and consent banners are page chrome too, marked by their id or class rather than by
/// element; the banner's own block is dropped (up to its first closing tag of that element).
static CONSENT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    ["div", "section", "aside", "dialog", "p"]
        .iter()
        .map(|tag| {
            Regex::new(&format!(
                r#"(?is)<{tag}\b[^>]*\b(?:id|class)\s*=\s*["'][^"']*(?:cookie|consent|gdpr)[^"']*["'][^>]*>.*?</{tag}\s*>"#
            ))
            .expect("static regex")
        })
        .collect()
});
static COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->").expect("static regex"));
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<title[^>]*>(.*?)</title\s*>").expect("static regex"));
static META: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<meta\b([^>]*)>").expect("static regex"));
static HTML_LANG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<html\b[^>]*\blang\s*=\s*["']?([A-Za-z-]+)"#).expect("static regex")
});
static CANONICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>"#).expect("static regex")
});
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)([A-Za-z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
        .expect("static regex")
});

/// Convert an HTML page.
pub(crate) fn extract(html: &str) -> Result<Extracted, ExtractError> {
    let embedded = hints(html);
    let mut body = COMMENT.replace_all(html, " ").into_owned();
    for re in CHROME.iter().chain(CONSENT.iter()) {
        body = re.replace_all(&body, " ").into_owned();
    }
    body = BLOCK_CONTAINER.replace_all(&body, "<p>").into_owned();
    body = INLINE_WRAPPER.replace_all(&body, "").into_owned();
    // A wide width keeps paragraphs on one line, so passage splitting sees real paragraphs
    // rather than the converter's wrapping.
    let text = html2text::config::plain_no_decorate()
        .raw_mode(true)
        .allow_width_overflow()
        .string_from_read(body.as_bytes(), 10_000)
        .map_err(|e| ExtractError::Html(e.to_string()))?;
    let (text, chain) = sections_at_headings(&text);
    // The page's own opening headings are more specific than its <title>, which usually
    // carries the site's name too.
    let embedded = match chain {
        Some(chain) => {
            let mut hints = super::chain_hints(&chain, "html heading chain");
            hints.extend(embedded);
            hints
        }
        None => embedded,
    };
    Ok(Extracted {
        text,
        declared: Vec::new(),
        embedded,
        pages: Vec::new(),
        sections: true,
        truncated: None,
        cover: Vec::new(),
    })
}

/// html2text sets every block off with a blank line and marks headings with `#`s. Keep one
/// blank line before each heading and none elsewhere, so headings start sections that passages
/// do not cross (see [`Extracted::sections`]), and drop the marks, which are not the page's text.
/// The headings the page opens with, if they nest, become a heading chain and leave the text.
fn sections_at_headings(text: &str) -> (String, Option<super::HeadingChain>) {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let openers: Vec<(u8, &str)> = lines
        .iter()
        .map_while(|l| {
            let marks = l.bytes().take_while(|&b| b == b'#').count();
            heading_text(l).map(|h| (marks as u8, h))
        })
        .collect();
    let chain = super::heading_chain(&openers).filter(|c| lines.len() > c.consumed);
    let skip = chain.as_ref().map_or(0, |c| c.consumed);
    let mut out = String::with_capacity(text.len());
    for line in &lines[skip..] {
        let heading = heading_text(line);
        super::push_block(&mut out, heading.unwrap_or(line), heading.is_some());
    }
    (out, chain)
}

/// The text of a line html2text made from `<h1>`…`<h6>` (`## Findings` → `Findings`).
fn heading_text(line: &str) -> Option<&str> {
    let marks = line.bytes().take_while(|&b| b == b'#').count();
    let rest = line[marks..].strip_prefix(' ')?;
    ((1..=6).contains(&marks) && !rest.trim().is_empty()).then(|| rest.trim())
}

fn hints(html: &str) -> Vec<Hint> {
    let mut out = Vec::new();
    for cap in META.captures_iter(html) {
        let attrs = attributes(&cap[1]);
        let key = ["name", "property", "itemprop", "http-equiv"]
            .iter()
            .find_map(|k| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
        let content = attrs
            .iter()
            .find(|(n, _)| n == "content")
            .map(|(_, v)| v.clone());
        if let (Some(key), Some(content)) = (key, content) {
            let key = key.to_ascii_lowercase();
            let content = entity::decode(&content, Names::Html).into_owned();
            out.push(Hint {
                from: format!("html <meta {}=\"{key}\">", attr_kind(&cap[1])),
                key,
                values: vec![content],
            });
        }
    }
    if let Some(cap) = TITLE.captures(html) {
        let title = entity::decode(&strip_tags(&cap[1]), Names::Html).into_owned();
        out.push(Hint {
            key: "title".into(),
            values: vec![title],
            from: "html <title>".into(),
        });
    }
    if let Some(cap) = HTML_LANG.captures(html) {
        out.push(Hint {
            key: "language".into(),
            values: vec![cap[1].to_string()],
            from: "html <html lang>".into(),
        });
    }
    if let Some(link) = CANONICAL.find(html) {
        if let Some((_, href)) = attributes(link.as_str())
            .into_iter()
            .find(|(n, _)| n == "href")
        {
            out.push(Hint {
                key: "url".into(),
                values: vec![entity::decode(&href, Names::Html).into_owned()],
                from: "html <link rel=\"canonical\">".into(),
            });
        }
    }
    out
}

fn attr_kind(attrs: &str) -> &'static str {
    let lower = attrs.to_ascii_lowercase();
    ["property", "itemprop", "http-equiv"]
        .into_iter()
        .find(|k| lower.contains(k))
        .unwrap_or("name")
}

fn attributes(s: &str) -> Vec<(String, String)> {
    ATTR.captures_iter(s)
        .map(|c| {
            let value = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            (c[1].to_ascii_lowercase(), value.to_string())
        })
        .collect()
}

fn strip_tags(s: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").expect("static regex"));
    TAG.replace_all(s, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_heading_chain_titles_the_page_before_its_title_tag() {
        let e = extract(
            "<html><head><title>Site | Laws</title></head><body><h1>Title 22</h1><h2>Chapter 78</h2>\
             <h3>Sec. 7105. Protection of victims</h3><p>The Secretary shall act.</p></body></html>",
        )
        .unwrap();
        let first = |k: &str| {
            e.embedded
                .iter()
                .find(|h| h.key == k)
                .map(|h| h.values[0].clone())
        };
        assert_eq!(
            first("title").as_deref(),
            Some("Sec. 7105. Protection of victims")
        );
        assert_eq!(first("context").as_deref(), Some("Title 22 › Chapter 78"));
        assert_eq!(e.text, "The Secretary shall act.");
    }

    #[test]
    fn headings_open_sections_and_lose_their_marks() {
        let e = extract(
            "<html><body><h1>Main title</h1><p>Intro para.</p><h2>Findings</h2>\
             <p>Workers were recruited.</p><p>Wages withheld.</p><h3>Method</h3>\
             <p>Interviews.</p></body></html>",
        )
        .unwrap();
        assert_eq!(
            e.text,
            "Main title\nIntro para.\n\nFindings\nWorkers were recruited.\nWages withheld.\n\n\
             Method\nInterviews."
        );
        assert!(e.sections);
        assert_eq!(heading_text("## Findings"), Some("Findings"));
        for not_heading in ["####### seven", "#hashtag", "# ", "C# code"] {
            assert_eq!(heading_text(not_heading), None, "{not_heading}");
        }
    }

    const PAGE: &str = r#"<!DOCTYPE html><html lang="en-GB"><head>
<title>GLO.ACT Pakistan &amp; partners</title>
<meta name="dc.date" content="2021-03-04">
<meta property="og:site_name" content="UNODC">
<meta name="description" content="Short summary">
<link rel="canonical" href="https://www.unodc.org/glo-act">
<style>.x{color:red}</style><script>var tracking = 1;</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<header>Site banner</header>
<h1>GLO.ACT in Pakistan</h1>
<p>Victim identification training for border officials.</p>
<div id="cookie-notice" class="banner">We use cookies to improve your experience. Accept all</div>
<footer>Subscribe to our newsletter</footer>
</body></html>"#;

    #[test]
    fn text_without_chrome() {
        let e = extract(PAGE).unwrap();
        assert!(e.text.contains("GLO.ACT in Pakistan"), "{}", e.text);
        assert!(e.text.contains("Victim identification training"));
        for chrome in [
            "About us",
            "Site banner",
            "newsletter",
            "tracking",
            "color:red",
            "cookies",
            "Accept all",
        ] {
            assert!(!e.text.contains(chrome), "{chrome} leaked: {}", e.text);
        }
    }

    #[test]
    fn meta_title_lang_and_canonical_become_hints() {
        let e = extract(PAGE).unwrap();
        let get = |k: &str| {
            e.embedded
                .iter()
                .find(|h| h.key == k)
                .map(|h| h.values[0].clone())
        };
        assert_eq!(get("title").as_deref(), Some("GLO.ACT Pakistan & partners"));
        assert_eq!(get("dc.date").as_deref(), Some("2021-03-04"));
        assert_eq!(get("og:site_name").as_deref(), Some("UNODC"));
        assert_eq!(get("language").as_deref(), Some("en-GB"));
        assert_eq!(get("url").as_deref(), Some("https://www.unodc.org/glo-act"));
        let og = e.embedded.iter().find(|h| h.key == "og:site_name").unwrap();
        assert_eq!(og.from, "html <meta property=\"og:site_name\">");
    }
}
