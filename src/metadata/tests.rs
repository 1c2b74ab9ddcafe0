//! Seed documents and trust-order tests for [`extract`].

use super::*;

const SEED_000: &str = include_str!("../../data/000_2856f766485e6e1f.txt");
const SEED_001: &str = include_str!("../../data/001_94b517cd202b1d25.txt");
const SEED_002: &str = include_str!("../../data/002_2f2a5334aabe2614.txt");
const SEED_003: &str = include_str!("../../data/003_bd84540aa3d9ccf3.txt");
const SEED_004: &str = include_str!("../../data/004_4e25dece879ac80b.txt");

fn input<'a>(text: &'a str, file_name: &'a str) -> MetaInput<'a> {
    MetaInput {
        text,
        declared: Vec::new(),
        embedded: Vec::new(),
        folder: None,
        file_name,
        ..MetaInput::default()
    }
}

fn hint(key: &str, value: &str, from: &str) -> Hint {
    Hint {
        key: key.to_string(),
        values: vec![value.to_string()],
        from: from.to_string(),
    }
}

fn value<T: Clone>(f: &Option<Field<T>>) -> Option<T> {
    f.as_ref().map(|f| f.value.clone())
}

fn from<T>(f: &Option<Field<T>>) -> Option<&str> {
    f.as_ref().map(|f| f.from.as_str())
}

#[test]
fn seed_000() {
    let m = extract(&input(SEED_000, "000_2856f766485e6e1f.txt"));
    let date = value(&m.date).unwrap();
    assert_eq!(date.to_string(), "2020-01-28");
    assert_eq!(date.precision(), Precision::Day);
    assert_eq!(from(&m.date), Some("text: date line 1"));
    assert_eq!(m.source, None);
    assert_eq!(value(&m.author).as_deref(), Some("Vera Nygard"));
    assert_eq!(from(&m.author), Some("text: 'by' line 2"));
    assert_eq!(value(&m.tags), Some(vec!["Europe".to_string()]));
    assert!(from(&m.tags).unwrap().starts_with("text: 'Tags:' line "));
    assert_eq!(
        value(&m.title).as_deref(),
        Some("Combating Human Trafficking")
    );
    assert_eq!(value(&m.language).as_deref(), Some("en"));
    assert!(from(&m.language)
        .unwrap()
        .starts_with("detected (whatlang "));
    assert_eq!(m.place, None);
    assert_eq!(m.url, None);
    assert_eq!(m.license, None);
}

#[test]
fn seed_001() {
    let m = extract(&input(SEED_001, "001_94b517cd202b1d25.txt"));
    let date = value(&m.date).unwrap();
    assert_eq!(date.to_string(), "2025-06");
    assert_eq!(date.precision(), Precision::Month);
    assert_eq!(from(&m.date), Some("text: 'Date:' line 11"));
    assert_eq!(value(&m.source).as_deref(), Some("OpenDemocracy"));
    assert_eq!(from(&m.source), Some("text: '(C)' line 1"));
    assert_eq!(
        value(&m.title).as_deref(),
        Some("The UN’s missed chance to lead on anti-trafficking")
    );
    assert_eq!(
        value(&m.url).as_deref(),
        Some("https://www.opendemocracy.net/en/beyond-trafficking-and-slavery/united-nations-missed-chance-on-anti-trafficking/")
    );
    assert_eq!(value(&m.license).as_deref(), Some("CC BY-ND 4.0"));
    assert_eq!(m.author, None);
    assert_eq!(value(&m.language).as_deref(), Some("en"));
}

#[test]
fn seed_002() {
    let m = extract(&input(SEED_002, "002_2f2a5334aabe2614.txt"));
    assert_eq!(m.date, None);
    assert_eq!(m.source, None);
    assert_eq!(
        value(&m.title).as_deref(),
        Some("The Role of the United Nations and International Law in Combating Human Trafficking")
    );
    assert_eq!(from(&m.title), Some("text: line 1"));
    assert_eq!(m.author, None);
}

#[test]
fn seed_003_with_sidecar() {
    // The seed's sidecar, as ingest reads it (its JSON is read in `ingest::sidecar`'s tests).
    let declared = vec![hint(
        "source",
        "UNODC",
        "sidecar 003_bd84540aa3d9ccf3.meta.json",
    )];
    let m = extract(&MetaInput {
        declared,
        ..input(SEED_003, "003_bd84540aa3d9ccf3.txt")
    });
    let date = value(&m.date).unwrap();
    assert_eq!(date.to_string(), "2019-02-21");
    assert_eq!(date.precision(), Precision::Day);
    assert_eq!(from(&m.date), Some("text: dateline 3"));
    assert_eq!(value(&m.source).as_deref(), Some("UNODC"));
    assert_eq!(
        from(&m.source),
        Some("sidecar 003_bd84540aa3d9ccf3.meta.json")
    );
    assert_eq!(
        value(&m.title).as_deref(),
        Some("EU and UNODC discuss trafficking in persons and the smuggling of migrants")
    );
    assert_eq!(value(&m.place).as_deref(), Some("Brussels, Belgium"));
    assert_eq!(from(&m.place), Some("text: dateline 3"));
    assert!(m.extra.is_empty());
}

#[test]
fn seed_004() {
    let m = extract(&input(SEED_004, "004_4e25dece879ac80b.txt"));
    assert_eq!(m.date, None);
    assert_eq!(value(&m.source).as_deref(), Some("UNODC"));
    assert!(from(&m.source)
        .unwrap()
        .starts_with("text: contact e-mail domain unodc.org (line "));
    // The file name is a hash: the first sentence, cut at a word, is a title a reader can use.
    assert_eq!(
        value(&m.title).as_deref(),
        Some("Trafficking in persons and smuggling of migrants are global problems affecting…")
    );
    assert_eq!(from(&m.title), Some("text: first sentence, line 1"));
}

#[test]
fn trust_order() {
    let text = "A Title\nDate: 2020-05-01\n(C) Text Source\n";
    let declared = vec![hint("Date", "2019-02-21", "sidecar x.meta.json")];
    let embedded = vec![
        hint("dc.date", "2018-01-01", "html <meta name=\"dc.date\">"),
        hint(
            "og:site_name",
            "Embedded Source",
            "html <meta property=\"og:site_name\">",
        ),
    ];

    let m = extract(&MetaInput {
        declared: declared.clone(),
        embedded: embedded.clone(),
        ..input(text, "x.txt")
    });
    assert_eq!(value(&m.date).unwrap().to_string(), "2019-02-21");
    assert_eq!(from(&m.date), Some("sidecar x.meta.json"));
    assert_eq!(value(&m.source).as_deref(), Some("Embedded Source"));

    let m = extract(&MetaInput {
        embedded: embedded.clone(),
        ..input(text, "x.txt")
    });
    assert_eq!(value(&m.date).unwrap().to_string(), "2018-01-01");
    assert_eq!(from(&m.date), Some("html <meta name=\"dc.date\">"));

    let m = extract(&input(text, "x.txt"));
    assert_eq!(value(&m.date).unwrap().to_string(), "2020-05-01");
    assert_eq!(from(&m.date), Some("text: 'Date:' line 2"));
    assert_eq!(value(&m.source).as_deref(), Some("Text Source"));

    // An unparseable declared date is skipped, not trusted and not fatal.
    let m = extract(&MetaInput {
        declared: vec![hint("date", "sometime last spring", "sidecar x.meta.json")],
        ..input(text, "x.txt")
    });
    assert_eq!(value(&m.date).unwrap().to_string(), "2020-05-01");
    assert_eq!(from(&m.date), Some("text: 'Date:' line 2"));
    assert!(!m.extra.contains_key("date"));

    // Sidecar before front matter within the declared tier.
    let m = extract(&MetaInput {
        declared: vec![
            hint("title", "Sidecar Title", "sidecar x.meta.json"),
            hint("title", "Front Matter Title", "front matter"),
        ],
        embedded: vec![hint("title", "Html Title", "html <title>")],
        ..input(text, "x.txt")
    });
    assert_eq!(value(&m.title).as_deref(), Some("Sidecar Title"));
}

#[test]
fn folder_source() {
    let text = "Some Title\nBody text without any publisher cue at all, just words.";
    let m = extract(&MetaInput {
        folder: Some("2019"),
        ..input(text, "a.txt")
    });
    assert_eq!(m.source, None);
    let m = extract(&MetaInput {
        folder: Some("UNODC"),
        ..input(text, "a.txt")
    });
    assert_eq!(value(&m.source).as_deref(), Some("UNODC"));
    assert_eq!(from(&m.source), Some("folder"));
    // Text cues outrank the folder.
    let m = extract(&MetaInput {
        folder: Some("UNODC"),
        ..input("Title\n© 2021 Polaris", "a.txt")
    });
    assert_eq!(value(&m.source).as_deref(), Some("Polaris"));
}

#[test]
fn hint_values_are_normalised() {
    let m = extract(&MetaInput {
        declared: vec![
            hint("Country", "  Nepal  ", "front matter"),
            hint("country", "India", "front matter"),
            hint("empty", "   ", "front matter"),
            Hint {
                key: "keywords".into(),
                values: vec!["forced labour, Europe".into(), "europe".into()],
                from: "front matter".into(),
            },
            hint("title", "   ", "front matter"),
        ],
        embedded: vec![
            hint("og:locale", "en_US", "html <meta property=\"og:locale\">"),
            hint("title", "Microsoft Word - draft.docx", "pdf info"),
            hint("creator", "Microsoft® Word 2016", "pdf info"),
            hint("author", "Jane  Doe", "pdf info"),
            hint("CreationDate", "D:20190221103000+01'00'", "pdf info"),
            hint(
                "license",
                "Creative Commons Attribution 4.0 International",
                "html <meta name=\"license\">",
            ),
        ],
        ..input("Real Title\n", "a.txt")
    });
    assert_eq!(value(&m.language).as_deref(), Some("en"));
    assert_eq!(
        from(&m.language),
        Some("html <meta property=\"og:locale\">")
    );
    assert_eq!(
        m.fields.get("country").map(|f| f.value.clone()),
        Some(vec!["Nepal".to_string()])
    );
    assert!(!m.fields.contains_key("empty"));
    assert!(!m.extra.contains_key("country"));
    assert_eq!(
        value(&m.tags),
        Some(vec!["forced labour".to_string(), "Europe".to_string()])
    );
    // Empty declared title and the PDF producer's placeholder both fall through to the text.
    assert_eq!(value(&m.title).as_deref(), Some("Real Title"));
    assert_eq!(value(&m.author).as_deref(), Some("Jane Doe"));
    assert_eq!(value(&m.date).unwrap().to_string(), "2019-02-21");
    assert_eq!(value(&m.license).as_deref(), Some("CC BY 4.0"));
}

#[test]
fn metadata_serde_round_trip() {
    let declared = vec![hint("source", "UNODC", "sidecar 003.meta.json")];
    let m = extract(&MetaInput {
        declared,
        ..input(SEED_003, "003.txt")
    });
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains("\"value\":\"2019-02-21\""));
    let back: Metadata = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

#[test]
fn weird_inputs_do_not_panic() {
    let long_line = "é".repeat(5_000) + &"x".repeat(5_000);
    let many_lines = "Date: \n© \n(C)\nby\n- – —\n".repeat(2_000);
    let texts = [
        "",
        "   \n\t\n  ",
        long_line.as_str(),
        many_lines.as_str(),
        "日本語のテキスト。人身取引について。",
        "العربية الاتجار بالبشر",
        "\u{feff}\u{200b}\u{0}\r\n\r\n",
        "a@b\n@@@.\nx@unodc.org\ncontact @unodc.org",
        "Brussels – \n – 21 February 2019 –\n,, - 2019-02-21 -",
        "[1] Url: https://\nLicense: \nTags: ,;,\nTitle: \nAuthor: ",
        "(C)(C)(C) ©©© Copyright",
        "🔮🔮🔮\n💥 by 💥 💥",
    ];
    for text in texts {
        for name in ["", ".", "x", ".hidden", "a.b.c", "日本.txt"] {
            let m = extract(&MetaInput {
                text,
                declared: vec![hint("date", text, "sidecar"), hint(text, text, "sidecar")],
                embedded: vec![hint("lang", text, "html"), hint("title", text, "html")],
                folder: Some(text),
                file_name: name,
                ..MetaInput::default()
            });
            let _ = serde_json::to_string(&m).unwrap();
        }
        let _ = Date::parse(text);
        let _ = text.parse::<Date>();
        let _ = normalize_language(text);
    }
}

#[test]
fn a_declared_url_keeps_the_address_and_drops_the_archive_note() {
    let from = "sidecar CH-china.meta.json";
    let declared = vec![
        hint("title", "China: Trafficking in persons", from),
        hint(
            "url",
            "https://www.cia.gov/the-world-factbook/ (edition 2023, via github.com/x/y)",
            from,
        ),
    ];
    let m = extract(&MetaInput {
        declared,
        ..input(
            "China: Trafficking in persons\n\nSome text.",
            "CH-china.txt",
        )
    });
    assert_eq!(
        value(&m.url).as_deref(),
        Some("https://www.cia.gov/the-world-factbook/")
    );

    let annotated = "see <https://example.org/report.pdf>, p. 4";
    let declared = vec![hint("url", annotated, "sidecar r.meta.json")];
    let m = extract(&MetaInput {
        declared,
        ..input("Report\n\nText.", "r.txt")
    });
    assert_eq!(
        value(&m.url).as_deref(),
        Some("https://example.org/report.pdf")
    );

    // A value with no address in it is kept as written (a relative link, say).
    let declared = vec![hint("url", "/reports/2024/tip.html", "sidecar t.meta.json")];
    let m = extract(&MetaInput {
        declared,
        ..input("Report\n\nText.", "t.txt")
    });
    assert_eq!(value(&m.url).as_deref(), Some("/reports/2024/tip.html"));
}
