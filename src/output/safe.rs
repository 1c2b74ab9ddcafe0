//! What a document says must not act on the reader's terminal or spreadsheet.
//!
//! Titles, passages, paths and sources come from files anyone can write: an ESC starts a
//! terminal escape sequence (clear the screen, set the window title, fake colours), a bidi
//! override reorders what is shown, and a CSV cell starting with `=` is a formula. Text output
//! escapes such characters visibly (`\u{1b}`); CSV output prefixes formula-leading cells with a
//! quote (OWASP's rule); JSON keeps every character exactly.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters a terminal acts on rather than shows: C0 controls, DEL and C1 controls (ESC, BEL,
/// CSI…), and the bidi embeddings, overrides, isolates and marks (U+202A–202E, U+2066–2069,
/// U+200E/F, U+061C).
pub(crate) fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{61c}')
}

/// Text for one line of terminal output: line breaks and tabs become spaces, every other unsafe
/// character is shown escaped (`\u{1b}`), so it is visible and inert.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, |c| matches!(c, '\n' | '\t' | '\r' | '\u{b}' | '\u{c}'))
}

/// Text for a block of terminal output (several lines): newlines and tabs stay, the rest as
/// [`line`]. A carriage return is escaped: alone it moves back to overwrite the line.
pub(crate) fn block(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

fn escape(s: &str, as_space: impl Fn(char) -> bool) -> Cow<'_, str> {
    // Newlines and tabs are layout, kept unless the caller wants one line.
    let kept = |c: char| matches!(c, '\n' | '\t') && !as_space(c);
    if !s.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || kept(c) {
            out.push(c);
        } else if as_space(c) {
            out.push(' ');
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell a spreadsheet will not run: a cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP "CSV Injection"), numbers like `-3` included, since
/// a spreadsheet evaluates `-3+cmd|…` as well.
pub(crate) fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_and_bidi_are_escaped() {
        let hostile = "Report\u{1b}]0;owned\u{7}\u{1b}[2J \u{202e}gnp.exe\u{9b}31m";
        let shown = line(hostile);
        assert_eq!(
            shown,
            "Report\\u{1b}]0;owned\\u{7}\\u{1b}[2J \\u{202e}gnp.exe\\u{9b}31m"
        );
        assert!(!shown.chars().any(is_unsafe));
        for c in [
            '\u{200e}', '\u{200f}', '\u{61c}', '\u{2066}', '\u{2069}', '\u{202a}',
        ] {
            assert!(!line(&format!("a{c}b")).contains(c));
        }
    }

    #[test]
    fn layout_whitespace_is_kept_where_it_means_layout() {
        assert_eq!(line("a\nb\tc\rd"), "a b c d");
        assert_eq!(block("a\nb\tc\rd"), "a\nb\tc\\u{d}d");
        assert!(matches!(line("plain § 1597"), Cow::Borrowed(_)));
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        for lead in ["+", "-", "@", "\t", "\r"] {
            assert_eq!(csv_cell(&format!("{lead}x")), format!("'{lead}x"));
        }
        assert_eq!(csv_cell("-3"), "'-3");
        assert_eq!(csv_cell("GLO.ACT"), "GLO.ACT");
        assert_eq!(csv_cell("a=b"), "a=b");
    }
}
