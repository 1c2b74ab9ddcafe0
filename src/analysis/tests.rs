use super::spelling::{americanize, SPELLING_WORDS};
use super::*;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Token,
};
use tantivy::{doc, Index, TantivyDocument, Term};

fn tokens(text: &str) -> Vec<Token> {
    collect_tokens(&mut domain_analyzer(), text)
}

fn terms(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.text).collect()
}

fn with_positions(text: &str) -> Vec<(String, usize)> {
    tokens(text)
        .into_iter()
        .map(|t| (t.text, t.position))
        .collect()
}

/// The analyzer the crate used before this module, for "nothing changed" comparisons.
fn plain_terms(text: &str) -> Vec<String> {
    let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(tantivy::tokenizer::Stemmer::default())
        .build();
    collect_tokens(&mut plain, text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn british_and_american_spellings_meet() {
    let pairs = [
        ("forced labour", "forced labor"),
        ("organised crime", "organized crime"),
        ("programme", "program"),
        ("programmes", "programs"),
        ("criminalisation", "criminalization"),
        ("criminalise", "criminalize"),
        ("criminalised", "criminalized"),
        ("favour", "favor"),
        ("labours", "labors"),
        ("organisation", "organization"),
        ("organisations", "organizations"),
        ("organising", "organizing"),
        ("behaviour", "behavior"),
        ("behavioural", "behavioral"),
        ("centre", "center"),
        ("defence", "defense"),
        ("offences", "offenses"),
        ("licence", "license"),
        ("travelling", "traveling"),
        ("counselling", "counseling"),
        ("counsellors", "counselors"),
        ("recognise", "recognize"),
        ("prioritise", "prioritize"),
        ("mobilise", "mobilize"),
        ("harmonise", "harmonize"),
        ("emphasise", "emphasize"),
        ("analyse", "analyze"),
        ("analysed", "analyzed"),
        ("catalogue", "catalog"),
        ("neighbours", "neighbors"),
        ("neighbourhood", "neighborhood"),
        ("honour", "honor"),
        ("rumours", "rumors"),
        ("colour", "color"),
        ("endeavour", "endeavor"),
        ("judgement", "judgment"),
        ("labourers", "laborers"),
        ("unfavourable", "unfavorable"),
        ("victimisation", "victimization"),
        ("stigmatised", "stigmatized"),
        ("decriminalisation", "decriminalization"),
        ("re-victimised", "re-victimized"),
    ];
    for (uk, us) in pairs {
        assert_eq!(terms(uk), terms(us), "{uk} vs {us}");
        assert_eq!(terms(&uk.to_uppercase()), terms(us), "{uk} upper-cased");
    }
    // Both ways: American input is left as the plain analyzer had it.
    assert_eq!(terms("forced labor"), plain_terms("forced labor"));
    assert_eq!(terms("organized crime"), plain_terms("organized crime"));
}

#[test]
fn exception_words_are_unchanged() {
    let words = [
        "advise",
        "advised",
        "adviser",
        "advertise",
        "advertising",
        "comprise",
        "compromise",
        "despise",
        "devise",
        "enterprise",
        "enterprises",
        "exercise",
        "exercised",
        "franchise",
        "disenfranchised",
        "improvise",
        "improvisation",
        "merchandise",
        "premise",
        "premises",
        "promise",
        "promising",
        "unpromising",
        "revise",
        "revised",
        "supervise",
        "unsupervised",
        "surprise",
        "surprising",
        "televise",
        "expertise",
        "precise",
        "concise",
        "paradise",
        "wise",
        "wiser",
        "rise",
        "rising",
        "arise",
        "arising",
        "uprising",
        "noise",
        "raise",
        "raised",
        "fundraising",
        "praise",
        "cruise",
        "bruise",
        "demise",
        "disguise",
        "excise",
        "incise",
        "chastise",
        "apprise",
        "treatise",
        "otherwise",
        "likewise",
        "clockwise",
        "vise",
        "crises",
        "analyses",
        "four",
        "hour",
        "tour",
        "pour",
        "contour",
        "glamour",
        "cancellation",
        "compelled",
        "controlled",
        "totality",
    ];
    for w in words {
        assert_eq!(americanize(w), None, "{w}");
        assert_eq!(terms(w), plain_terms(w), "{w}");
    }
}

#[test]
fn ise_rule_on_real_words() {
    let changed = [
        ("organise", "organize"),
        ("realised", "realized"),
        ("recognises", "recognizes"),
        ("criminalising", "criminalizing"),
        ("victimise", "victimize"),
        ("stigmatisation", "stigmatization"),
        ("traumatised", "traumatized"),
        ("prioritisation", "prioritization"),
        ("minimise", "minimize"),
        ("maximise", "maximize"),
        ("optimise", "optimize"),
        ("authorised", "authorized"),
        ("unauthorised", "unauthorized"),
        ("categorise", "categorize"),
        ("summarised", "summarized"),
        ("characterise", "characterize"),
        ("familiarise", "familiarize"),
        ("standardised", "standardized"),
        ("jeopardise", "jeopardize"),
        ("subsidised", "subsidized"),
        ("mobilisation", "mobilization"),
        ("legalisation", "legalization"),
        ("globalisation", "globalization"),
        ("marginalised", "marginalized"),
        ("apologise", "apologize"),
        ("specialised", "specialized"),
        ("utilise", "utilize"),
        ("finalised", "finalized"),
        ("sensitisation", "sensitization"),
        ("privatisation", "privatization"),
        ("legitimise", "legitimize"),
        ("harmonisation", "harmonization"),
        ("colonise", "colonize"),
        ("modernise", "modernize"),
        ("scrutinise", "scrutinize"),
        ("penalised", "penalized"),
        ("hospitalised", "hospitalized"),
        ("institutionalised", "institutionalized"),
        ("internationalisation", "internationalization"),
        ("organisational", "organizational"),
        ("organiser", "organizer"),
        ("organisers", "organizers"),
        ("itemise", "itemize"),
        ("ionise", "ionize"),
        ("sanitised", "sanitized"),
        ("democratise", "democratize"),
        ("patronising", "patronizing"),
        ("theorise", "theorize"),
        ("memorise", "memorize"),
        ("terrorised", "terrorized"),
        ("computerised", "computerized"),
        ("recognisable", "recognizable"),
    ];
    for (uk, us) in changed {
        assert_eq!(americanize(uk).as_deref(), Some(us), "{uk}");
        assert_eq!(terms(uk), plain_terms(us), "{uk}");
    }
}

#[test]
fn spelling_table_is_sorted_for_binary_search() {
    assert!(SPELLING_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn other_spelling_rules() {
    for (uk, us) in [
        ("travelled", "traveled"),
        ("traveller", "traveler"),
        ("counsellor", "counselor"),
        ("modelling", "modeling"),
        ("labelled", "labeled"),
        ("cancelled", "canceled"),
        ("panellist", "panelist"),
        ("marvellous", "marvelous"),
        ("labour", "labor"),
        ("behavioural", "behavioral"),
        ("neighbourhoods", "neighborhoods"),
        ("dishonourable", "dishonorable"),
        ("programme", "program"),
        ("offence", "offense"),
        ("fulfilment", "fulfillment"),
        ("enquiries", "inquiries"),
    ] {
        assert_eq!(americanize(uk).as_deref(), Some(us), "{uk}");
    }
    for word in ["programs", "labor", "organize", "x", "", "naïve", "über"] {
        assert_eq!(americanize(word), None, "{word}");
    }
}

#[test]
fn long_form_yields_acronym_at_first_position() {
    assert_eq!(
        with_positions("trafficking in persons"),
        vec![
            ("traffick".to_string(), 0),
            ("tip".to_string(), 0),
            ("in".to_string(), 1),
            ("person".to_string(), 2),
        ]
    );
    let tip = tokens("Victims of trafficking in persons")
        .into_iter()
        .find(|t| t.text == "tip")
        .expect("tip injected");
    assert_eq!((tip.position, tip.position_length), (2, 3));
    assert_eq!((tip.offset_from, tip.offset_to), (11, 33));
}

/// Most words go through the read-ahead filters without being copied; the words around a joined
/// form or a long form take the read-ahead path. The stream must not depend on which path a word
/// took: a plural acronym folded on the way through, a joined form, then a long form.
#[test]
fn words_let_through_and_words_read_ahead_make_one_stream() {
    assert_eq!(
        with_positions("NRMs e-mail trafficking in persons"),
        vec![
            ("nrm".to_string(), 0),
            ("e".to_string(), 1),
            ("email".to_string(), 1),
            ("mail".to_string(), 2),
            ("traffick".to_string(), 3),
            ("tip".to_string(), 3),
            ("in".to_string(), 4),
            ("person".to_string(), 5),
        ]
    );
    // A long form whose first word follows a joined form at the position before it, and one
    // whose first word is the second part of a joined form.
    for text in ["anti-migrant smuggling", "pro-migrant smuggling by boat"] {
        let toks = with_positions(text);
        let migrant = toks.iter().find(|(t, _)| t == "migrant").map(|(_, p)| *p);
        let som = toks.iter().find(|(t, _)| t == "som").map(|(_, p)| *p);
        assert_eq!(som, migrant, "{text}: {toks:?}");
        assert!(som.is_some(), "{text}: {toks:?}");
    }
    // Offsets stay the word's own on both paths.
    let text = "GLO.ACT and UNTOC";
    for t in tokens(text) {
        if t.text == "untoc" {
            assert_eq!(&text[t.offset_from..t.offset_to], "UNTOC");
        }
        if t.text == "glo" {
            assert_eq!(&text[t.offset_from..t.offset_to], "GLO");
        }
    }
}

#[test]
fn acronyms_and_long_forms_share_a_term() {
    let cases = [
        ("TIP", "trafficking in persons"),
        ("SOM", "smuggling of migrants"),
        ("SOM", "migrant smuggling"),
        ("THB", "trafficking in human beings"),
        (
            "UNTOC",
            "United Nations Convention against Transnational Organized Crime",
        ),
        (
            "UNTOC",
            "United Nations Convention against Transnational Organised Crime",
        ),
        (
            "ICAT",
            "Inter-Agency Coordination Group against Trafficking in Persons",
        ),
        (
            "ICAT",
            "Inter\u{2011}agency Coordination Group against Trafficking in Persons",
        ),
        (
            "ICAT",
            "Interagency Coordination Group against Trafficking in Persons",
        ),
        (
            "GLO.ACT",
            "Global Action against Trafficking in Persons and the Smuggling of Migrants",
        ),
        (
            "GLOACT",
            "Global Action to Prevent and Address Trafficking in Persons and the Smuggling \
             of Migrants",
        ),
        ("CSEC", "commercial sexual exploitation of children"),
        ("NRM", "National Referral Mechanism"),
        ("NRMs", "national referral mechanisms"),
    ];
    for (acronym, long) in cases {
        // The longest term is the joined form of a dotted acronym (`glo`, `gloact`, `act`).
        let acronym_terms = terms(acronym);
        let joined = acronym_terms
            .iter()
            .max_by_key(|t| t.len())
            .expect("acronym has a term")
            .clone();
        let long_tokens = tokens(long);
        let injected = long_tokens
            .iter()
            .find(|t| t.text == joined)
            .unwrap_or_else(|| panic!("{long}: no {joined} in {long_tokens:?}"));
        assert_eq!(injected.position, 0, "{long}");
    }
    for acronym in [
        "tip", "som", "thb", "untoc", "icat", "csec", "nrm", "gloact",
    ] {
        assert_eq!(terms(&acronym.to_uppercase()), vec![acronym.to_string()]);
    }
    // Nested long forms each get their acronym.
    let all = terms("global action against trafficking in persons and the smuggling of migrants");
    for acronym in ["gloact", "tip", "som"] {
        assert!(all.contains(&acronym.to_string()), "{acronym} in {all:?}");
    }
    // A gap (a dropped over-long token) breaks the long form.
    let gap = format!("trafficking {} in persons", "x".repeat(80));
    assert!(!terms(&gap).contains(&"tip".to_string()));
}

#[test]
fn case_and_typography_fold() {
    assert_eq!(
        terms("Trafficking In Persons’ rights"),
        terms("trafficking in persons' rights")
    );
    assert_eq!(terms("“TIP” report"), terms("\"tip\" report"));
    assert_eq!(terms("Côte d’Ivoire"), terms("cote d'ivoire"));
    assert_eq!(terms("ORGANISED"), terms("organized"));
}

#[test]
fn joined_parts_meet_their_solid_spelling() {
    let dotted = with_positions("GLO.ACT");
    assert_eq!(
        dotted,
        vec![
            ("glo".to_string(), 0),
            ("gloact".to_string(), 0),
            ("act".to_string(), 1),
        ]
    );
    for text in ["GLO.ACT", "glo-act", "GLOACT", "Glo\u{2011}Act"] {
        assert!(terms(text).contains(&"gloact".to_string()), "{text}");
    }
    let solid = terms("antitrafficking");
    assert_eq!(solid.len(), 1);
    assert!(terms("anti-trafficking").contains(&solid[0]));
    assert!(!terms("anti trafficking").contains(&solid[0]));
    assert_eq!(terms("anti trafficking"), plain_terms("anti trafficking"));
    assert!(terms("e-mail").contains(&"email".to_string()));
    assert_eq!(terms("e - mail"), vec!["e".to_string(), "mail".to_string()]);
    // Numbers alone are not joined; a word with a number is.
    assert_eq!(terms("3.5"), vec!["3".to_string(), "5".to_string()]);
    assert!(terms("COVID-19").contains(&"covid19".to_string()));
    // A joined British spelling is americanized like the solid one.
    assert_eq!(terms("re-organised"), terms("re-organized"));
    // Too many parts: nothing joined, not even a tail of them.
    let long_run = "a.b.c.d.e.f.g.h.i";
    assert_eq!(terms(long_run), plain_terms(long_run));
    // A run of exactly the maximum is joined.
    assert!(terms("a.b.c.d.e.f").contains(&"abcdef".to_string()));
}

#[test]
fn query_alternatives_swap_long_forms_and_acronyms() {
    let tip = query_alternatives(&strings(&["traffick", "in", "person"]));
    assert!(tip.contains(&strings(&["tip"])), "{tip:?}");
    let long = query_alternatives(&strings(&["tip"]));
    assert!(
        long.contains(&strings(&["traffick", "in", "person"])),
        "{long:?}"
    );
    let inside = query_alternatives(&strings(&["child", "traffick", "in", "person", "law"]));
    assert!(
        inside.contains(&strings(&["child", "tip", "law"])),
        "{inside:?}"
    );
    assert!(query_alternatives(&strings(&["forc", "labor"])).is_empty());
    assert!(query_alternatives(&[]).is_empty());
    let icat = query_alternatives(&strings(&["icat"]));
    assert!(icat.len() >= 2, "{icat:?}");
    // The long forms offered are what the analyzer makes of the written long form.
    let untoc = query_alternatives(&strings(&["untoc"]));
    let analyzed = terms("united nations convention against transnational organized crime")
        .into_iter()
        .filter(|t| t != "untoc")
        .collect::<Vec<_>>();
    assert!(untoc.contains(&analyzed), "{untoc:?}");
}

#[test]
fn query_term_sequences_cover_joined_and_acronym_forms() {
    let seqs = query_term_sequences("GLO.ACT");
    assert_eq!(seqs[0], strings(&["glo", "act"]));
    assert!(seqs.contains(&strings(&["gloact"])));
    assert!(seqs.iter().any(|s| s.len() > 5), "{seqs:?}");
    let seqs = query_term_sequences("trafficking in persons in Europe");
    assert_eq!(
        seqs[0],
        strings(&["traffick", "in", "person", "in", "europ"])
    );
    assert!(seqs.contains(&strings(&["tip", "in", "europ"])));
    assert!(query_term_sequences("").is_empty());
    assert!(query_term_sequences("?!").is_empty());
    assert_eq!(
        query_term_sequences("forced labour"),
        vec![strings(&["forc", "labor"])]
    );
}

/// Small deterministic generator, to avoid a dev-dependency for a fuzz-style test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn weird_input_does_not_panic_and_positions_never_decrease() {
    let mut inputs: Vec<String> = vec![
        String::new(),
        " ".into(),
        "...---...".into(),
        "‑‑‑".into(),
        "\u{00AD}".into(),
        "x".repeat(10_000),
        format!("a-{}-b", "y".repeat(10_000)),
        "Трафик людей 人口贩卖 الاتجار بالبشر trafficking in persons".into(),
        "ﬁnance ǅ İstanbul ß ΣΑΣ".into(),
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p".into(),
        "trafficking in".into(),
        "in persons trafficking".into(),
        "TIP. TIP- -TIP .TIP".into(),
        "1.2.3 2010-2015 covid-19".into(),
        "\u{0}\u{1}\t\n\r".into(),
    ];
    let alphabet: Vec<char> = "ab.- ’é人\u{2011}TIPtraffickingpersons".chars().collect();
    let mut rng = Lcg(42);
    for _ in 0..500 {
        let len = (rng.next() % 40) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        inputs.push(s);
    }
    let words = [
        "trafficking",
        "in",
        "persons",
        "glo",
        ".",
        "-",
        "act",
        " ",
        "the",
    ];
    for _ in 0..500 {
        let len = (rng.next() % 12) as usize;
        let s: String = (0..len)
            .map(|_| words[(rng.next() as usize) % words.len()])
            .collect();
        inputs.push(s);
    }
    for input in &inputs {
        let toks = tokens(input);
        for pair in toks.windows(2) {
            assert!(pair[0].position <= pair[1].position, "{input:?}: {toks:?}");
        }
        for t in &toks {
            assert!(
                !t.text.is_empty() && t.text.len() < MAX_TOKEN_BYTES,
                "{input:?}"
            );
            assert!(t.position_length >= 1);
            assert!(input.get(t.offset_from..t.offset_to).is_some(), "{input:?}");
        }
        let primary: Vec<String> = primary_of(&toks).into_iter().map(|t| t.text).collect();
        let _ = query_alternatives(&primary);
        let _ = query_term_sequences(input);
    }
}

#[test]
fn index_finds_either_variant() {
    const NAME: &str = "test_domain";
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = builder.add_text_field(
        "text",
        TextOptions::default()
            .set_indexing_options(indexing)
            .set_stored(),
    );
    let id = builder.add_u64_field("id", STORED);
    let index = Index::create_in_ram(builder.build());
    index.tokenizers().register(NAME, domain_analyzer());
    let docs = [
        "Forced labour and trafficking in persons in supply chains.",
        "The TIP report on organised crime.",
        "GLO.ACT supports anti-trafficking programmes.",
        "National referral mechanisms (NRMs) identify victims.",
        "Criminalisation of smuggling of migrants under the UNTOC.",
        "Contact us by e-mail about the GLOACT project.",
    ];
    let mut writer = index.writer(15_000_000).expect("writer");
    for (i, body) in docs.iter().enumerate() {
        writer
            .add_document(doc!(text => *body, id => i as u64))
            .expect("add");
    }
    writer.commit().expect("commit");
    let searcher = index.reader().expect("reader").searcher();

    let search = |query: &dyn Query| -> Vec<u64> {
        let mut ids: Vec<u64> = searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .expect("search")
            .into_iter()
            .filter_map(|(_, addr)| {
                let d: TantivyDocument = searcher.doc(addr).ok()?;
                d.get_first(id).and_then(|v| v.as_u64())
            })
            .collect();
        ids.sort_unstable();
        ids
    };
    // The query side as a query builder would do it: each term sequence becomes a term
    // query or a phrase, ORed together.
    let query_for = |q: &str| -> BooleanQuery {
        let clauses = query_term_sequences(q)
            .into_iter()
            .map(|seq| -> (Occur, Box<dyn Query>) {
                let terms: Vec<Term> = seq.iter().map(|t| Term::from_field_text(text, t)).collect();
                if terms.len() == 1 {
                    let term = terms.into_iter().next().expect("one term");
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    )
                } else {
                    (Occur::Should, Box::new(PhraseQuery::new(terms)))
                }
            })
            .collect();
        BooleanQuery::new(clauses)
    };
    let phrase = |q: &str| -> PhraseQuery {
        let seq = query_term_sequences(q).into_iter().next().expect("terms");
        PhraseQuery::new(seq.iter().map(|t| Term::from_field_text(text, t)).collect())
    };
    let term = |q: &str| -> TermQuery {
        let t = terms(q).into_iter().next().expect("a term");
        TermQuery::new(
            Term::from_field_text(text, &t),
            IndexRecordOption::WithFreqs,
        )
    };

    assert_eq!(search(&phrase("forced labor")), vec![0]);
    assert_eq!(search(&term("TIP")), vec![0, 1]);
    assert_eq!(search(&phrase("trafficking in persons")), vec![0]);
    assert_eq!(search(&query_for("trafficking in persons")), vec![0, 1]);
    assert_eq!(search(&phrase("organized crime")), vec![1]);
    assert_eq!(search(&term("GLOACT")), vec![2, 5]);
    assert_eq!(search(&phrase("glo act")), vec![2]);
    assert_eq!(search(&query_for("glo-act")), vec![2, 5]);
    assert_eq!(search(&term("antitrafficking")), vec![2]);
    assert_eq!(search(&phrase("anti trafficking programs")), vec![2]);
    assert_eq!(search(&term("NRM")), vec![3]);
    assert_eq!(search(&phrase("national referral mechanism")), vec![3]);
    assert_eq!(search(&term("criminalization")), vec![4]);
    assert_eq!(search(&term("SOM")), vec![4]);
    assert_eq!(
        search(&query_for(
            "United Nations Convention against Transnational Organized Crime"
        )),
        vec![4]
    );
    assert_eq!(search(&term("email")), vec![5]);
}

#[test]
fn a_set_of_wordings_gives_each_the_others_and_typed_words_spell_one() {
    let mut extra = Equivalents::default();
    extra.add_set(["North Korea", "North Korean", "DPRK"]);
    extra.add_set(["Nepal", "Nepali", "Nepalese"]);
    let seqs = query_term_sequences_with("Nepali", &extra);
    assert_eq!(seqs[0], ["nepali"]);
    assert!(seqs.contains(&vec!["nepal".to_string()]), "{seqs:?}");
    assert_eq!(seqs.len(), 3, "{seqs:?}");
    let seqs = query_term_sequences_with("dprk workers", &extra);
    assert!(
        seqs.contains(&vec!["north".into(), "korea".into(), "worker".into()]),
        "{seqs:?}"
    );
    // The longest wording at a place wins: "North Korean" is not "North Korea" + "n".
    let seqs = query_term_sequences_with("North Korean", &extra);
    assert!(seqs.contains(&vec!["dprk".to_string()]), "{seqs:?}");
    // Typed one word at a time, a wording of several words is still found.
    let typed = ["men", "from", "North", "Korea"];
    assert_eq!(
        written_otherwise(&typed, &extra),
        Some((2, 4, "north korea".to_string()))
    );
    assert_eq!(written_otherwise(&["North", "Sea"], &extra), None);
}

/// The memo is a cache: every word of the seed files (read twice, so the second pass is all
/// hits) gets the form americanize + Snowball give it directly.
#[test]
fn memoised_forms_are_the_forms_made_directly() {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    let mut words = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            words.extend(
                text.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase),
            );
        }
    }
    assert!(words.len() > 1000, "{}", words.len());
    for _ in 0..2 {
        for w in &words {
            let mut memoised = w.clone();
            super::spelling::spell_and_stem(&mut memoised);
            let us = americanize(w);
            let direct = stemmer.stem(us.as_deref().unwrap_or(w)).into_owned();
            assert_eq!(memoised, direct, "{w}");
        }
    }
}
