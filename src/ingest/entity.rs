//! Character and entity references (`&amp;`, `&#8211;`, `&rsquo;`): the one decoder of the
//! HTML, DOCX and PDF (XMP) readers.
//!
//! XML's five names come from `quick_xml::escape`; HTML adds the few its pages use in titles
//! and `<meta>` values. Not `quick_xml::escape::unescape_with` over a whole string: it refuses
//! the whole string for one unknown name or a bare `&` (common in HTML: "AT&T"), and it reads
//! numbers more strictly than these readers always have (`&#X41;`, `&#0;`), so decoding what is
//! known and keeping the rest as written would need its errors picked apart.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Which names a format defines.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Names {
    /// XML's five (`amp`, `lt`, `gt`, `quot`, `apos`).
    Xml,
    /// XML's, plus the HTML ones of quotes, dashes and the no-break space.
    Html,
}

/// The text the reference `&NAME;` stands for (`name` without `&` and `;`): a character number
/// (decimal or `x`/`X` hex) or a name `names` defines; None for anything else.
pub(crate) fn resolve(name: &str, names: Names) -> Option<Cow<'static, str>> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).map(|c| Cow::Owned(c.to_string()));
    }
    let text = quick_xml::escape::resolve_xml_entity(name).or(match names {
        Names::Xml => None,
        Names::Html => html_only(name),
    })?;
    Some(Cow::Borrowed(text))
}

/// `text` with every reference [`resolve`] knows decoded and anything else kept as written
/// (once: `&amp;lt;` is `&lt;`).
pub(crate) fn decode(text: &str, names: Names) -> Cow<'_, str> {
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);").expect("static regex")
    });
    REFERENCE.replace_all(text, |c: &regex::Captures| {
        resolve(&c[1], names).map_or_else(|| c[0].to_string(), Cow::into_owned)
    })
}

/// HTML names XML lacks. The no-break space is a plain space: in a title or a `<meta>` value
/// it only separates words.
fn html_only(name: &str) -> Option<&'static str> {
    Some(match name {
        "nbsp" => " ",
        "rsquo" => "\u{2019}",
        "lsquo" => "\u{2018}",
        "rdquo" => "\u{201D}",
        "ldquo" => "\u{201C}",
        "ndash" => "\u{2013}",
        "mdash" => "\u{2014}",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// References as an XML reader meets them (`&NAME;` without `&` and `;`), with the text
    /// they stand for; None: not one the XML readers know (DOCX and PDF metadata leave it out).
    const XML_REFERENCES: &[(&str, Option<&str>)] = &[
        ("amp", Some("&")),
        ("lt", Some("<")),
        ("gt", Some(">")),
        ("quot", Some("\"")),
        ("apos", Some("'")),
        ("#65", Some("A")),
        ("#0065", Some("A")),
        ("#x41", Some("A")),
        ("#X41", Some("A")),
        ("#x2013", Some("\u{2013}")),
        ("#8217", Some("\u{2019}")),
        ("#x1F600", Some("\u{1F600}")),
        ("#0", Some("\0")),
        ("#+65", Some("A")),
        ("#xD800", None),
        ("#x110000", None),
        ("#99999999999", None),
        ("#", None),
        ("#x", None),
        ("#abc", None),
        ("#-65", None),
        ("nbsp", None),
        ("mdash", None),
        ("rsquo", None),
        ("eacute", None),
        ("AMP", None),
        ("", None),
    ];

    #[test]
    fn xml_references_resolve_as_the_table_says() {
        for &(name, text) in XML_REFERENCES {
            assert_eq!(resolve(name, Names::Xml).as_deref(), text, "&{name};");
        }
    }

    /// Entities in `<title>`, `<meta content>` and canonical links: what is known is decoded,
    /// anything else kept as written.
    #[test]
    fn html_text_decodes_as_the_table_says() {
        let table = [
            ("Pakistan &amp; partners", "Pakistan & partners"),
            ("x &lt;b&gt; &quot;y&quot; &apos;z&apos;", "x <b> \"y\" 'z'"),
            ("a&nbsp;b", "a b"),
            (
                "&lsquo;&rsquo;&ldquo;&rdquo;&ndash;&mdash;",
                "\u{2018}\u{2019}\u{201C}\u{201D}\u{2013}\u{2014}",
            ),
            ("&#65;&#x42;&#X43;&#0068;", "ABCD"),
            ("caf&#233; &#x2014; done", "caf\u{e9} \u{2014} done"),
            ("&#0;", "\0"),
            ("&#xD800; &#99999999999;", "&#xD800; &#99999999999;"),
            ("&#+65; &#x; &#;", "&#+65; &#x; &#;"),
            (
                "&eacute;t&eacute; &frac12; &AMP;",
                "&eacute;t&eacute; &frac12; &AMP;",
            ),
            ("AT&T and R&D", "AT&T and R&D"),
            ("A & B; C &amp", "A & B; C &amp"),
            ("&amp;amp; &amp;lt;", "&amp; &lt;"),
            ("&&amp;;", "&&;"),
            ("", ""),
        ];
        for (raw, text) in table {
            assert_eq!(decode(raw, Names::Html), text, "{raw}");
        }
    }
}
