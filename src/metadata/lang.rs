//! Language codes: one normal form for declared values, CLI filters and detection.

use whatlang::Lang;

use crate::text::collapse_whitespace;
/// (ISO 639-1, ISO 639-3/639-2 codes, lowercase English and native names).
///
/// Covers every language whatlang can detect plus the languages most often
/// met in anti-trafficking material, so declared values and detected values
/// land on the same code.
const LANGS: &[(&str, &[&str], &[&str])] = &[
    ("af", &["afr"], &["afrikaans"]),
    ("ak", &["aka", "twi"], &["akan", "twi"]),
    ("am", &["amh"], &["amharic", "አማርኛ"]),
    ("ar", &["ara", "arb"], &["arabic", "العربية"]),
    ("az", &["aze", "azj"], &["azerbaijani", "azərbaycanca"]),
    ("be", &["bel"], &["belarusian", "беларуская"]),
    ("bg", &["bul"], &["bulgarian", "български"]),
    ("bn", &["ben"], &["bengali", "bangla", "বাংলা"]),
    ("bs", &["bos"], &["bosnian", "bosanski"]),
    ("ca", &["cat"], &["catalan", "català"]),
    ("cs", &["ces", "cze"], &["czech", "čeština", "cestina"]),
    ("cy", &["cym", "wel"], &["welsh", "cymraeg"]),
    ("da", &["dan"], &["danish", "dansk"]),
    ("de", &["deu", "ger"], &["german", "deutsch"]),
    ("el", &["ell", "gre"], &["greek", "ελληνικά"]),
    ("en", &["eng"], &["english"]),
    ("eo", &["epo"], &["esperanto"]),
    (
        "es",
        &["spa"],
        &["spanish", "español", "espanol", "castellano"],
    ),
    ("et", &["est"], &["estonian", "eesti"]),
    ("eu", &["eus", "baq"], &["basque", "euskara"]),
    ("fa", &["fas", "per", "pes"], &["persian", "farsi", "فارسی"]),
    ("fi", &["fin"], &["finnish", "suomi"]),
    ("fr", &["fra", "fre"], &["french", "français", "francais"]),
    ("ga", &["gle"], &["irish", "gaeilge"]),
    ("gu", &["guj"], &["gujarati", "ગુજરાતી"]),
    ("ha", &["hau"], &["hausa"]),
    ("he", &["heb"], &["hebrew", "עברית"]),
    ("hi", &["hin"], &["hindi", "हिन्दी", "हिंदी"]),
    ("hr", &["hrv"], &["croatian", "hrvatski"]),
    ("hu", &["hun"], &["hungarian", "magyar"]),
    ("hy", &["hye", "arm"], &["armenian", "հայերեն"]),
    ("id", &["ind"], &["indonesian", "bahasa indonesia"]),
    ("ig", &["ibo"], &["igbo"]),
    ("is", &["isl", "ice"], &["icelandic", "íslenska"]),
    ("it", &["ita"], &["italian", "italiano"]),
    ("ja", &["jpn"], &["japanese", "日本語"]),
    ("jv", &["jav"], &["javanese", "basa jawa"]),
    ("ka", &["kat", "geo"], &["georgian", "ქართული"]),
    ("kk", &["kaz"], &["kazakh", "қазақ тілі"]),
    ("km", &["khm"], &["khmer", "ភាសាខ្មែរ"]),
    ("kn", &["kan"], &["kannada", "ಕನ್ನಡ"]),
    ("ko", &["kor"], &["korean", "한국어"]),
    ("ku", &["kur"], &["kurdish", "kurdî"]),
    ("ky", &["kir"], &["kyrgyz", "kirghiz", "кыргызча"]),
    ("la", &["lat"], &["latin", "latina"]),
    ("lo", &["lao"], &["lao", "ລາວ"]),
    ("lt", &["lit"], &["lithuanian", "lietuvių"]),
    ("lv", &["lav", "lvs"], &["latvian", "latviešu"]),
    ("mk", &["mkd", "mac"], &["macedonian", "македонски"]),
    ("ml", &["mal"], &["malayalam", "മലയാളം"]),
    ("mn", &["mon", "khk"], &["mongolian", "монгол"]),
    ("mr", &["mar"], &["marathi", "मराठी"]),
    ("ms", &["msa", "may", "zsm"], &["malay", "bahasa melayu"]),
    ("mt", &["mlt"], &["maltese", "malti"]),
    ("my", &["mya", "bur"], &["burmese", "myanmar", "မြန်မာ"]),
    (
        "nb",
        &["nob"],
        &["norwegian bokmål", "norwegian bokmal", "bokmål", "bokmal"],
    ),
    ("ne", &["nep", "npi"], &["nepali", "नेपाली"]),
    ("nl", &["nld", "dut"], &["dutch", "nederlands", "flemish"]),
    ("nn", &["nno"], &["norwegian nynorsk", "nynorsk"]),
    ("no", &["nor"], &["norwegian", "norsk"]),
    ("or", &["ori", "ory"], &["odia", "oriya", "ଓଡ଼ିଆ"]),
    ("pa", &["pan"], &["punjabi", "panjabi", "ਪੰਜਾਬੀ"]),
    ("pl", &["pol"], &["polish", "polski"]),
    ("ps", &["pus", "pbt"], &["pashto", "پښتو"]),
    ("pt", &["por"], &["portuguese", "português", "portugues"]),
    (
        "ro",
        &["ron", "rum"],
        &["romanian", "română", "romana", "moldovan"],
    ),
    ("ru", &["rus"], &["russian", "русский"]),
    ("si", &["sin"], &["sinhala", "sinhalese", "සිංහල"]),
    (
        "sk",
        &["slk", "slo"],
        &["slovak", "slovenčina", "slovencina"],
    ),
    ("sl", &["slv"], &["slovenian", "slovene", "slovenščina"]),
    ("sn", &["sna"], &["shona", "chishona"]),
    ("so", &["som"], &["somali", "soomaali"]),
    ("sq", &["sqi", "alb"], &["albanian", "shqip"]),
    ("sr", &["srp"], &["serbian", "српски", "srpski"]),
    ("sv", &["swe"], &["swedish", "svenska"]),
    ("sw", &["swa", "swh"], &["swahili", "kiswahili"]),
    ("ta", &["tam"], &["tamil", "தமிழ்"]),
    ("te", &["tel"], &["telugu", "తెలుగు"]),
    ("tg", &["tgk"], &["tajik", "тоҷикӣ"]),
    ("th", &["tha"], &["thai", "ไทย"]),
    ("ti", &["tir"], &["tigrinya", "ትግርኛ"]),
    ("tk", &["tuk"], &["turkmen", "türkmençe"]),
    ("tl", &["tgl", "fil"], &["tagalog", "filipino"]),
    ("tr", &["tur"], &["turkish", "türkçe", "turkce"]),
    ("uk", &["ukr"], &["ukrainian", "українська"]),
    ("ur", &["urd"], &["urdu", "اردو"]),
    ("uz", &["uzb", "uzn"], &["uzbek", "oʻzbek", "o'zbek"]),
    ("vi", &["vie"], &["vietnamese", "tiếng việt"]),
    ("yi", &["yid"], &["yiddish", "ייִדיש"]),
    ("yo", &["yor"], &["yoruba", "yorùbá"]),
    (
        "zh",
        &["zho", "chi", "cmn"],
        &["chinese", "mandarin", "中文", "汉语", "漢語"],
    ),
    ("zu", &["zul"], &["zulu", "isizulu"]),
];

/// Normalise a language name/code the way stored language values are normalised ("eng"/"English"/"EN" → "en"), so CLI filters and facets agree.
///
/// Locale tags ("en_US", "fr-FR", "zh-Hans-CN") reduce to their language;
/// a list ("en, fr") keeps its first entry. Unknown values give `None`
/// rather than an invented code.
pub(crate) fn normalize_language(s: &str) -> Option<String> {
    let first = s.split([',', ';']).next().unwrap_or("");
    // "English (United States)" names the language before the parenthesis.
    let first = first.split('(').next().unwrap_or("");
    let lower = collapse_whitespace(first).to_lowercase();
    if lower.is_empty() {
        return None;
    }
    let mut candidates = vec![lower.clone()];
    if let Some((primary, _)) = lower.split_once(['-', '_']) {
        if (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()) {
            candidates.insert(0, primary.to_string());
        }
    }
    for cand in &candidates {
        for (iso1, iso3s, names) in LANGS {
            if cand == iso1 || iso3s.contains(&cand.as_str()) || names.contains(&cand.as_str()) {
                return Some((*iso1).to_string());
            }
        }
    }
    // Languages without a 639-1 code that whatlang knows keep their 639-3 code.
    for cand in &candidates {
        if cand.len() == 3 {
            if let Some(lang) = Lang::from_code(cand.as_str()) {
                return Some(lang.code().to_string());
            }
        }
    }
    None
}

/// Code stored for a whatlang detection result.
pub(crate) fn code_for(lang: Lang) -> String {
    normalize_language(lang.code()).unwrap_or_else(|| lang.code().to_string())
}

/// Detects the language of a text, only when whatlang itself calls the result reliable.
///
/// Returns the normalised code and whatlang's confidence.
pub(crate) fn detect(text: &str) -> Option<(String, f64)> {
    // A few paragraphs decide the language as well as a whole book: whatlang's trigram scoring
    // was the largest single cost of indexing (18% of a profile at 20 kB samples).
    const SAMPLE: usize = 3_000;
    let mut end = text.len().min(SAMPLE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() {
        return None;
    }
    Some((code_for(info.lang()), info.confidence()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_codes_names_and_locales() {
        for (input, want) in [
            ("en", "en"),
            ("EN", "en"),
            ("eng", "en"),
            ("English", "en"),
            (" english ", "en"),
            ("en_US", "en"),
            ("en-GB", "en"),
            ("English (United States)", "en"),
            ("fr-FR", "fr"),
            ("fre", "fr"),
            ("Français", "fr"),
            ("deutsch", "de"),
            ("zh-Hans-CN", "zh"),
            ("cmn", "zh"),
            ("pes", "fa"),
            ("nob", "nb"),
            ("es, en", "es"),
            ("русский", "ru"),
        ] {
            assert_eq!(normalize_language(input).as_deref(), Some(want), "{input}");
        }
        for bad in ["", "  ", "xx", "klingon", "12", "-", "_en"] {
            assert_eq!(normalize_language(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_whatlang_language_has_a_code() {
        for lang in Lang::all() {
            let code = code_for(*lang);
            assert!(code.len() == 2, "{lang:?} -> {code}");
            assert_eq!(normalize_language(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn detection_is_cautious() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("ok"), None);
        let (code, conf) = detect(
            "The United Nations plays a central role in addressing human trafficking through its leadership and coordination efforts.",
        )
        .unwrap();
        assert_eq!(code, "en");
        assert!(conf > 0.5);
    }
}
