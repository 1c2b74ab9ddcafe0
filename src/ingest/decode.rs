//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decode a file's bytes, or `None` when they look like binary data rather than text.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (!had_errors || encoding != UTF_8).then(|| text.into_owned());
    }
    // NUL bytes never occur in real text files but are everywhere in binaries; checking a prefix
    // keeps this O(1) for huge files.
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_owned()),
        // Old web scrapes and Word exports are mostly Windows-1252; decoding them as such keeps
        // "Eurídice" instead of replacement characters.
        Err(_) => {
            let (text, _, _) = WINDOWS_1252.decode(bytes);
            let controls = text
                .chars()
                .take(8192)
                .filter(|c| c.is_control() && !c.is_whitespace())
                .count();
            (controls * 20 < text.len().min(8192)).then(|| text.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Eurídice".as_bytes()).unwrap(), "Eurídice");
        assert_eq!(decode(b"\xEF\xBB\xBFhello").unwrap(), "hello");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Márquez".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "Márquez");
    }

    #[test]
    fn windows_1252_is_not_mangled() {
        assert_eq!(
            decode(b"Eur\xEDdice \x93quoted\x94").unwrap(),
            "Eurídice “quoted”"
        );
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(b"\x7FELF\x02\x01\x01\x00\x00\x00\x00").is_none());
    }
}
