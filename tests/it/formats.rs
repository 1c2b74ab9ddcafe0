//! PDF, DOCX and JSON Lines through the real binary; hostile files never crash a batch.

use std::path::Path;

use crate::harness::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn pdf_pages_and_info_metadata() {
    let env = Env::empty();
    env.write("report.pdf", fixture("report.pdf"));
    env.index();
    let json = env.search_json(&["\"debt bondage\""]);
    let p = &json["hits"][0]["passages"][0];
    assert_eq!(p["page"], 2, "{json}");
    let json = env.search_json(&["\"port inspections\""]);
    assert_eq!(json["hits"][0]["passages"][0]["page"], 3);
    let text = env.run(&["search", "debt bondage"]).ok().stdout;
    assert!(text.contains("    p. 2 Crew members described"), "{text}");
    let show = env
        .run(&["show", "report.pdf", "--format", "json"])
        .ok()
        .json();
    let m = &show["metadata"];
    assert_eq!(
        m["title"]["value"],
        "Forced Labour in Fishing: Field Report"
    );
    assert_eq!(m["title"]["from"], "pdf info /Title");
    assert_eq!(m["date"]["value"], "2021-03-15");
    assert_eq!(m["author"]["value"], "Jane Doe");
}

#[test]
fn docx_text_and_core_properties() {
    let env = Env::empty();
    env.write("brief.docx", fixture("brief.docx"));
    env.index();
    let show = env
        .run(&["show", "brief.docx", "--format", "json"])
        .ok()
        .json();
    let m = &show["metadata"];
    assert_eq!(m["title"]["value"], "NRM Review 2022");
    assert_eq!(m["title"]["from"], "docx core.xml dc:title");
    assert_eq!(m["author"]["value"], "A. Analyst");
    assert_eq!(m["date"]["value"], "2022-05-10");
    // The acronym in the title-less body is found through its long form.
    assert_eq!(env.hit_files(&["NRM"]), ["brief.docx"]);
    assert_eq!(env.hit_files(&["\"debt bondage\""]), ["brief.docx"]);
    // Each heading starts a passage, however short the section before it.
    let json = env.search_json(&["\"debt bondage\""]);
    let text = json["hits"][0]["passages"][0]["text"].as_str().unwrap();
    assert_eq!(
        text,
        "Recommendations\nFrontline staff need training on indicators of debt bondage."
    );
    assert_eq!(show["passages"], 2, "{show}");
}

#[test]
fn headings_start_passages_in_markdown_and_html() {
    let env = Env::empty();
    env.write(
        "data/notes.md",
        "# Field notes\n\nThree ports visited.\n\n## Fishing\n\nCrews were held in debt bondage.\n\n- wages withheld\n- passports kept\n",
    );
    env.write(
        "data/page.html",
        "<html><body><h1>Port report</h1><p>Two harbours inspected.</p>\
         <h2>Brick kilns</h2><p>Families were bonded by advances.</p></body></html>",
    );
    env.index();
    let first_passage = |q: &str| env.search_json(&[q])["hits"][0]["passages"][0]["text"].clone();
    assert_eq!(
        first_passage("passports"),
        "Fishing\nCrews were held in debt bondage.\nwages withheld\npassports kept"
    );
    assert_eq!(
        first_passage("visited"),
        "Field notes\nThree ports visited."
    );
    assert_eq!(
        first_passage("advances"),
        "Brick kilns\nFamilies were bonded by advances."
    );
    assert_eq!(
        first_passage("harbours"),
        "Port report\nTwo harbours inspected."
    );
}

#[test]
fn jsonl_collections_keep_their_ids_and_report_bad_lines() {
    let env = Env::empty();
    env.write(
        "export.jsonl",
        concat!(
            r#"{"id": "ngo-17", "title": "Shelter survey", "text": "Survivors described recruitment through agencies.", "date": "2020-04", "source": "Polaris", "tags": ["shelters"]}"#,
            "\n",
            r#"{"id": "ngo-18", "title": "Port visits", "text": "Inspectors found forced labour on two vessels."}"#,
            "\n",
            "{broken json\n",
            r#"{"_id": 19, "text": "Hotline calls doubled in the second quarter."}"#,
            "\n",
        ),
    );
    let run = env.run(&["index", "data"]);
    assert_eq!(
        run.code, 1,
        "bad lines make the run report a problem: {run:?}"
    );
    assert!(
        run.stderr.contains("export.jsonl: line 3: not valid JSON"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("3 added"), "{}", run.stdout);
    let json = env.search_json(&["recruitment agencies"]);
    let hit = &json["hits"][0];
    assert_eq!(hit["id"], "ngo-17");
    assert_eq!(hit["title"], "Shelter survey");
    assert_eq!(hit["date"], "2020-04");
    assert_eq!(hit["source"], "Polaris");
    assert_eq!(hit["tags"], serde_json::json!(["shelters"]));
    assert!(hit["path"].as_str().unwrap().ends_with("data/export.jsonl"));
    assert_eq!(env.search_json(&["hotline"])["hits"][0]["id"], "19");
    let show = env.run(&["show", "ngo-18", "--format", "json"]).ok().json();
    assert_eq!(show["metadata"]["title"]["from"], "jsonl field \"title\"");
    let facets = env
        .run(&["facets", "--field", "source", "--format", "json"])
        .ok()
        .json();
    assert_eq!(facets["total_documents"], 3);

    // A line removed from the collection leaves the index; the others are kept.
    env.write(
        "export.jsonl",
        r#"{"id": "ngo-17", "title": "Shelter survey", "text": "Survivors described recruitment through agencies."}"#,
    );
    let run = env.index();
    assert!(
        run.stdout.contains("1 updated") && run.stdout.contains("2 removed"),
        "{}",
        run.stdout
    );
    assert_eq!(env.search_json(&["hotline"])["total_documents"], 0);
    assert_eq!(env.search_json(&["survivors"])["hits"][0]["id"], "ngo-17");
}

#[test]
fn hostile_files_are_skipped_or_failed_with_reasons_and_the_rest_indexed() {
    let env = Env::with_seeds();
    let pdf = fixture("report.pdf");
    env.write("truncated.pdf", &pdf[..pdf.len() / 2]);
    env.write(
        "random.pdf",
        (0..4000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    env.write("fake.docx", b"PK\x03\x04 not really a zip");
    let nested = format!(
        "<html><body>{}deep text{}</body></html>",
        "<div>".repeat(50_000),
        "</div>".repeat(50_000)
    );
    env.write("nested.html", nested);
    env.write(
        "latin1.txt",
        b"Eur\xEDdice M\xE1rquez led the GLO.ACT review.",
    );
    env.write("name with spaces.txt", "Forced labour in brick kilns.");
    env.write(
        "line\nbreak.txt",
        "Trafficking for forced begging in Xylandia.",
    );
    env.write("empty.md", "");
    #[cfg(unix)]
    std::os::unix::fs::symlink(env.data(), env.data().join("loop")).unwrap();
    // A link whose target is gone: the file cannot be read, like one deleted mid-run.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        env.path().join("vanished.txt"),
        env.data().join("dangling.txt"),
    )
    .unwrap();

    let run = env.run(&["index", "data"]);
    assert_eq!(run.code, 1, "{run:?}");
    for (file, reason) in [
        ("truncated.pdf", "truncated PDF"),
        ("random.pdf", "not a PDF"),
        ("fake.docx", "DOCX"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{}", run.stderr));
        assert!(line.contains(reason), "{line}");
    }
    #[cfg(unix)]
    assert!(run.stdout.contains("symbolic link loop"), "{}", run.stdout);
    #[cfg(unix)]
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("dangling.txt") && l.contains("No such file")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stdout.contains("empty: no text to index"),
        "{}",
        run.stdout
    );
    // Everything else is searchable.
    let mut euridice = env.hit_files(&["euridice"]);
    euridice.sort();
    assert_eq!(
        euridice,
        [S003, "latin1.txt"],
        "Windows-1252 text decoded, not mangled"
    );
    assert!(env
        .hit_files(&["kilns"])
        .contains(&"name with spaces.txt".to_string()));
    assert_eq!(env.hit_files(&["xylandia"]), ["line\nbreak.txt"]);
    assert_eq!(env.hit_files(&["\"deep text\""]), ["nested.html"]);
    let latin = env.search_json(&["Márquez GLO.ACT review"]);
    assert!(latin["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["path"].as_str().unwrap().ends_with("latin1.txt")));
}

#[test]
fn oversized_files_are_skipped_with_the_limit_in_the_reason() {
    let env = Env::with_seeds();
    // A log-sized text file: over a 1 MB limit, skipped before it is read into memory.
    env.write("huge.txt", "forced labour ".repeat(150_000));
    let run = env.run(&["index", "data", "--max-file-size", "1"]).ok();
    assert!(
        run.stdout
            .contains("too large: 2100000 bytes is over the 1048576-byte limit"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("5 added"), "{}", run.stdout);
    // The summary names the file, not only the reason.
    assert!(run.stdout.contains("huge.txt"), "{}", run.stdout);
}

#[test]
fn the_summary_names_ten_skipped_files_per_reason_and_all_with_verbose() {
    let env = Env::empty();
    for i in 0..12 {
        env.write(&format!("blank{i:02}.txt"), "   \n");
    }
    env.write("real.txt", "Crews were held in debt bondage.");
    let run = env.run(&["index", "data"]).ok();
    let named = |out: &str| out.lines().filter(|l| l.contains("blank")).count();
    assert!(
        run.stdout.contains("skipped    12  empty"),
        "{}",
        run.stdout
    );
    assert_eq!(named(&run.stdout), 10, "{}", run.stdout);
    assert!(
        run.stdout.contains("… and 2 more (--verbose lists all)"),
        "{}",
        run.stdout
    );
    let run = env.run(&["index", "data", "--full", "--verbose"]).ok();
    assert_eq!(named(&run.stdout), 12, "{}", run.stdout);
}

/// A 200 MB text file at the default 64 MB limit: skipped with the limit in the reason, the
/// rest indexed, and the run's peak memory nowhere near the file's size.
#[cfg(target_os = "linux")]
#[test]
fn a_200_mb_file_is_skipped_at_the_default_limit_and_memory_stays_bounded() {
    let env = Env::with_seeds();
    // Sparse: 200 MB to every reader, nothing on the test machine's disk.
    let huge = std::fs::File::create(env.data().join("server.log.txt")).unwrap();
    huge.set_len(200_000_000).unwrap();
    drop(huge);
    let run = crate::peak_rss::measured(&env.command(&["index", "data"]));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("too large: 200000000 bytes is over the 67108864-byte limit"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("5 added"), "{}", run.stdout);
    let peak_mb = run.peak_kb / 1024;
    assert!(
        peak_mb < 150,
        "peak RSS {peak_mb} MB while skipping a 200 MB file"
    );
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_indexed() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::empty();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 report.txt");
    std::fs::write(env.data().join(name), "Domestic servitude in Zentravia.").unwrap();
    env.index();
    let again = env.index();
    assert!(
        again.stdout.contains("0 moved, 0 removed, 1 unchanged"),
        "the file is found again: {}",
        again.stdout
    );
    let json = env.search_json(&["zentravia"]);
    assert_eq!(json["total_documents"], 1);
    assert!(json["hits"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("caf\u{fffd} report.txt"));
}

/// Root reads every file whatever its mode (and CI runs as root), so a permission test only
/// means something when tipdex runs as an ordinary user: as root, hand the temp tree to
/// `nobody` and run the binary under that uid.
#[cfg(unix)]
struct AsUser {
    bin: std::path::PathBuf,
    drop_to: Option<u32>,
}

#[cfg(unix)]
impl AsUser {
    const NOBODY: u32 = 65534;

    fn new(env: &Env) -> AsUser {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return AsUser {
                bin: bin().into(),
                drop_to: None,
            };
        }
        // The build tree may sit under a folder `nobody` cannot enter: use a copy of the binary.
        let bin = env.path().join("tipdex-bin");
        std::fs::copy(self::bin(), &bin).unwrap();
        for entry in walkdir::WalkDir::new(env.path()) {
            let p = entry.unwrap().into_path();
            std::os::unix::fs::lchown(&p, Some(Self::NOBODY), Some(Self::NOBODY)).unwrap();
        }
        AsUser {
            bin,
            drop_to: Some(Self::NOBODY),
        }
    }

    fn run(&self, env: &Env, args: &[&str]) -> Run {
        use std::os::unix::process::CommandExt;
        let mut c = std::process::Command::new(&self.bin);
        c.args(args)
            .current_dir(env.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        if let Some(id) = self.drop_to {
            c.uid(id).gid(id);
        }
        to_run(c.output().expect("run tipdex"))
    }
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_keep_their_passages() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::empty();
    env.write("open.txt", "Debt bondage in the brick kilns of Ostravia.");
    let notes = env.write("notes.txt", "Referral notes on victims in Karvenia.");
    let folder = env.data().join("locked");
    env.write("locked/shelter.txt", "Shelter capacity in Lumbria.");
    let user = AsUser::new(&env);
    let first = user.run(&env, &["index", "data"]).ok();
    assert!(first.stdout.contains("3 added"), "{}", first.stdout);

    // The file changes and loses its read permission; the folder cannot be listed; a new file
    // arrives unreadable.
    std::fs::write(
        &notes,
        "Referral notes on victims in Karvenia and Dorsetia.",
    )
    .unwrap();
    let fresh = env.write("fresh.txt", "Labour inspection in Quenland.");
    let lock = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    lock(&notes, 0o000);
    lock(&fresh, 0o000);
    lock(&folder, 0o000);
    if user.drop_to.is_some() {
        std::os::unix::fs::lchown(&fresh, Some(AsUser::NOBODY), Some(AsUser::NOBODY)).unwrap();
    }
    let run = user.run(&env, &["index", "data"]);
    assert_eq!(run.code, 1, "some files failed: {run:?}");
    for name in ["notes.txt", "fresh.txt", "locked"] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(&format!("data/{name}")))
            .unwrap_or_else(|| panic!("{name} not reported:\n{}", run.stderr));
        assert!(
            line.contains("Permission denied")
                && line.contains("the user running tipdex may not read it"),
            "{line}"
        );
    }
    assert!(
        run.stderr.contains("cannot list folder")
            && run.stderr.contains("already indexed are kept"),
        "{}",
        run.stderr
    );
    // Nothing indexed before is lost: the old version of the file and the unlisted folder's
    // file still answer.
    let search = |q: &str| {
        let r = user.run(&env, &["search", q, "--format", "json"]).ok();
        file_names(&r.json())
    };
    assert_eq!(search("karvenia"), ["notes.txt"]);
    assert_eq!(search("lumbria"), ["shelter.txt"]);
    assert_eq!(search("ostravia"), ["open.txt"]);
    assert!(search("dorsetia").is_empty());

    // Readable again: the next run picks up the new text and the new file.
    lock(&notes, 0o644);
    lock(&fresh, 0o644);
    lock(&folder, 0o755);
    let again = user.run(&env, &["index", "data"]).ok();
    assert!(
        again.stdout.contains("1 added, 1 updated"),
        "{}",
        again.stdout
    );
    assert_eq!(search("dorsetia"), ["notes.txt"]);
    assert_eq!(search("quenland"), ["fresh.txt"]);
}

/// The fixture report (three pages of text) broken by `tweak` the way a test needs.
fn broken_report(tweak: impl FnOnce(&mut lopdf::Document)) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&fixture("report.pdf")).unwrap();
    tweak(&mut doc);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The object id of a PDF's page tree root.
fn page_tree(doc: &lopdf::Document) -> lopdf::ObjectId {
    let pages = doc.catalog().unwrap().get(b"Pages").unwrap();
    pages.as_reference().unwrap()
}

#[test]
fn pdfs_the_library_cannot_read_are_reported_and_the_rest_indexed() {
    use lopdf::{dictionary, Object, StringFormat};
    let env = Env::with_seeds();
    env.write("report.pdf", fixture("report.pdf"));
    // Every page a drawing and no text, like a scan.
    env.write(
        "scanned.pdf",
        broken_report(|doc| {
            for page in doc.get_pages().into_values().collect::<Vec<_>>() {
                let contents = doc.get_dictionary(page).unwrap().get(b"Contents").unwrap();
                let contents = contents.as_reference().unwrap();
                doc.get_object_mut(contents)
                    .unwrap()
                    .as_stream_mut()
                    .unwrap()
                    .set_content(b"0 0 m 100 100 l S".to_vec());
            }
        }),
    );
    env.write(
        "encrypted.pdf",
        broken_report(|doc| {
            let encrypt = doc.add_object(dictionary! {
                "Filter" => "Standard", "V" => 1, "R" => 2, "P" => -4,
                "O" => Object::String(vec![0x5A; 32], StringFormat::Hexadecimal),
                "U" => Object::String(vec![0xA5; 32], StringFormat::Hexadecimal),
            });
            doc.trailer.set("Encrypt", encrypt);
            let id = Object::String(vec![1; 16], StringFormat::Hexadecimal);
            doc.trailer.set("ID", vec![id.clone(), id]);
        }),
    );
    // pdf-extract panics on a page tree without a MediaBox; the panic must stay in its file.
    env.write(
        "panics.pdf",
        broken_report(|doc| {
            let pages = page_tree(doc);
            doc.get_dictionary_mut(pages).unwrap().remove(b"MediaBox");
        }),
    );
    // A form that draws itself would recurse until the stack overflows.
    env.write(
        "self-drawing.pdf",
        broken_report(|doc| {
            // One page left, and it draws a form that draws itself.
            doc.delete_pages(&[2, 3]);
            let form_id = doc.new_object_id();
            let form = lopdf::Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Form",
                    "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                    "Resources" => dictionary! { "XObject" => dictionary! { "X0" => form_id } },
                },
                b"/X0 Do".to_vec(),
            );
            doc.objects.insert(form_id, Object::Stream(form));
            let page = doc.get_pages()[&1];
            let pages = page_tree(doc);
            let mut resources = doc
                .get_dictionary(pages)
                .unwrap()
                .get(b"Resources")
                .unwrap()
                .clone();
            resources
                .as_dict_mut()
                .unwrap()
                .set("XObject", dictionary! { "X0" => form_id });
            let page = doc.get_dictionary_mut(page).unwrap();
            page.set("Resources", resources);
            let contents = page.get(b"Contents").unwrap().as_reference().unwrap();
            doc.get_object_mut(contents)
                .unwrap()
                .as_stream_mut()
                .unwrap()
                .set_content(b"/X0 Do".to_vec());
        }),
    );

    let run = env.run(&["index", "data"]);
    assert_eq!(
        run.code, 1,
        "failed files make the exit code say so: {run:?}"
    );
    let line_for = |file: &str| {
        run.stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{}", run.stderr))
            .to_string()
    };
    assert!(
        line_for("panics.pdf").contains("PDF library failed on this file"),
        "{}",
        run.stderr
    );
    assert!(
        line_for("self-drawing.pdf").contains("a form XObject draws itself"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
    // Scanned and password-protected PDFs are skipped, not failed: nothing is wrong with them.
    for reason in [
        "no text layer (scanned PDF?)",
        "encrypted PDF: cannot extract text without the password",
    ] {
        assert!(run.stdout.contains(reason), "{reason}:\n{}", run.stdout);
    }
    assert!(!run.stderr.contains("scanned.pdf") && !run.stderr.contains("encrypted.pdf"));
    // The good PDF and the seeds are all searchable, and nothing of the broken copies is.
    assert_eq!(env.hit_files(&["\"long-haul vessels\""]), ["report.pdf"]);
    assert_eq!(
        env.search_json(&["GLO.ACT"])["hits"][0]["path"]
            .as_str()
            .map(|p| p.ends_with(S003)),
        Some(true)
    );
    assert_eq!(
        env.search_json(&["\"debt bondage\""])["total_documents"],
        1,
        "only report.pdf"
    );
}

#[test]
fn html_meta_tags_feed_metadata_with_provenance_and_page_chrome_is_dropped() {
    let env = Env::empty();
    env.write(
        "data/page.html",
        r#"
<!DOCTYPE html>
<html lang="fr-FR">
<head>
<title>Page title | Site</title>
<meta name="description" content="How brokers recruit fishers for distant-water fleets.">
<meta property="og:site_name" content="Global Fisheries Watch">
<meta property="og:title" content="Recruitment of fishers by brokers">
<meta property="article:published_time" content="2021-03-15T08:00:00Z">
<meta name="dc.date" content="2020-01-01">
<meta name="DC.publisher" content="Fisheries Press">
<meta name="citation_title" content="Brokers and fishers: a field study">
<meta name="citation_author" content="Ortega, Lucía">
<meta name="citation_publication_date" content="2021/03/15">
<script>var tracking = "scriptword";</script>
<style>.x { content: "styleword"; }</style>
</head>
<body>
<header>Headerword Home About</header>
<nav>Navword Menu</nav>
<div id="cookie-banner">Cookieword We use cookies. Accept all</div>
<main><p>Brokers recruited fishers in the port with promises of high wages. Crews later reported withheld pay and confiscated passports.</p></main>
<footer>Footerword Contact us</footer>
</body></html>
"#,
    );
    env.write(
        "data/page2.html",
        r#"
<html><head>
<title>Shelter survey results</title>
<meta name="DC.publisher" content="Fisheries Press">
<meta name="DC.date" content="2019-06">
<meta name="citation_title" content="Shelters for survivors: a survey">
</head><body><p>Survivors described the shelters as safe but crowded.</p></body></html>
"#,
    );
    env.index();
    let meta = |file: &str| {
        let show = env.run(&["show", file, "--format", "json"]).ok().json();
        show["metadata"].clone()
    };
    let field = |m: &serde_json::Value, k: &str| {
        (
            m[k]["value"].as_str().unwrap_or_default().to_string(),
            m[k]["from"].as_str().unwrap_or_default().to_string(),
        )
    };
    let m = meta("page.html");
    // Open Graph outranks citation_*, Dublin Core and <title>; each value names its tag.
    assert_eq!(
        field(&m, "title"),
        (
            "Recruitment of fishers by brokers".into(),
            "html <meta property=\"og:title\">".into()
        )
    );
    assert_eq!(
        field(&m, "source"),
        (
            "Global Fisheries Watch".into(),
            "html <meta property=\"og:site_name\">".into()
        )
    );
    assert_eq!(
        field(&m, "date"),
        (
            "2021-03-15".into(),
            "html <meta property=\"article:published_time\">".into()
        )
    );
    assert_eq!(
        field(&m, "author"),
        (
            "Ortega, Lucía".into(),
            "html <meta name=\"citation_author\">".into()
        )
    );
    assert_eq!(
        field(&m, "language"),
        ("fr".into(), "html <html lang>".into())
    );
    assert_eq!(
        m["extra"]["description"]["value"],
        "How brokers recruit fishers for distant-water fleets."
    );
    // Without Open Graph, citation_* and Dublin Core decide (case-insensitive names).
    let m = meta("page2.html");
    assert_eq!(
        field(&m, "title"),
        (
            "Shelters for survivors: a survey".into(),
            "html <meta name=\"citation_title\">".into()
        )
    );
    assert_eq!(
        field(&m, "source"),
        (
            "Fisheries Press".into(),
            "html <meta name=\"dc.publisher\">".into()
        )
    );
    assert_eq!(
        field(&m, "date"),
        ("2019-06".into(), "html <meta name=\"dc.date\">".into())
    );
    // Scripts, styles, header, nav, footer and the cookie banner never reach passages.
    for word in [
        "scriptword",
        "styleword",
        "headerword",
        "navword",
        "cookieword",
        "footerword",
    ] {
        assert_eq!(env.search_json(&[word])["total_documents"], 0, "{word}");
    }
    assert_eq!(env.hit_files(&["passports"]), ["page.html"]);
}
