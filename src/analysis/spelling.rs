//! British → American spelling, then stemming.

use super::stem_memo::StemMemo;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// British spellings to American, then Snowball stemming, memoised per thread: the two were a
/// quarter of indexing time, and a corpus repeats a small vocabulary millions of times.
#[derive(Clone)]
pub(super) struct SpellAndStem;

impl TokenFilter for SpellAndStem {
    type Tokenizer<T: Tokenizer> = SpellAndStemFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SpellAndStemFilter<T> {
        SpellAndStemFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(super) struct SpellAndStemFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SpellAndStemFilter<T> {
    type TokenStream<'a> = SpellAndStemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SpellAndStemStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub(super) struct SpellAndStemStream<T> {
    tail: T,
}

/// Entries kept per thread before the memo starts over; bounds memory on huge vocabularies.
const STEM_MEMO_LIMIT: usize = 200_000;

thread_local! {
    static STEM_MEMO: std::cell::RefCell<(frostem::Stemmer, StemMemo)> = std::cell::RefCell::new((
        frostem::Stemmer::new(frostem::Algorithm::English),
        StemMemo::new(STEM_MEMO_LIMIT),
    ));
}

/// Replace a folded word by its indexed form: American spelling, then its English stem. Written
/// in place, so a word seen before costs one lookup and no allocation.
pub(super) fn spell_and_stem(word: &mut String) {
    STEM_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let (stemmer, memo) = &mut *memo;
        memo.apply(word, |word| {
            let us = americanize(word);
            stemmer.stem(us.as_deref().unwrap_or(word)).into_owned()
        });
    })
}

/// Ask for the memo slot of `word` (folded) ahead of its lookup by [`spell_and_stem`] on this
/// thread (a hint: nothing is looked up or changed).
pub(super) fn prefetch_stem(word: &[u8]) {
    STEM_MEMO.with(|memo| {
        if let Ok(memo) = memo.try_borrow() {
            memo.1.prefetch(word);
        }
    })
}

impl<T: TokenStream> TokenStream for SpellAndStemStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        spell_and_stem(&mut token.text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Whole words whose American spelling no general rule produces, sorted for binary search.
/// `analyses` is absent on purpose: it is also the plural of `analysis` in both spellings.
pub(super) const SPELLING_WORDS: &[(&str, &str)] = &[
    ("acknowledgement", "acknowledgment"),
    ("acknowledgements", "acknowledgments"),
    ("aeroplane", "airplane"),
    ("aeroplanes", "airplanes"),
    ("ageing", "aging"),
    ("aluminium", "aluminum"),
    ("anaemia", "anemia"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("analyser", "analyzer"),
    ("analysers", "analyzers"),
    ("analysing", "analyzing"),
    ("calibre", "caliber"),
    ("catalogue", "catalog"),
    ("catalogued", "cataloged"),
    ("catalogues", "catalogs"),
    ("cataloguing", "cataloging"),
    ("catalyse", "catalyze"),
    ("catalysed", "catalyzed"),
    ("catalysing", "catalyzing"),
    ("centre", "center"),
    ("centred", "centered"),
    ("centres", "centers"),
    ("centring", "centering"),
    ("defence", "defense"),
    ("defences", "defenses"),
    ("diarrhoea", "diarrhea"),
    ("encyclopaedia", "encyclopedia"),
    ("enquire", "inquire"),
    ("enquired", "inquired"),
    ("enquiries", "inquiries"),
    ("enquiry", "inquiry"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("enrolments", "enrollments"),
    ("enrols", "enrolls"),
    ("epicentre", "epicenter"),
    ("fibre", "fiber"),
    ("fibres", "fibers"),
    ("foetal", "fetal"),
    ("foetus", "fetus"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("fulfils", "fulfills"),
    ("grey", "gray"),
    ("gynaecology", "gynecology"),
    ("instalment", "installment"),
    ("instalments", "installments"),
    ("jewellery", "jewelry"),
    ("judgement", "judgment"),
    ("judgements", "judgments"),
    ("kilometre", "kilometer"),
    ("kilometres", "kilometers"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("litre", "liter"),
    ("litres", "liters"),
    ("lustre", "luster"),
    ("manoeuvre", "maneuver"),
    ("manoeuvred", "maneuvered"),
    ("manoeuvres", "maneuvers"),
    ("manoeuvring", "maneuvering"),
    ("meagre", "meager"),
    ("metre", "meter"),
    ("metres", "meters"),
    ("offence", "offense"),
    ("offences", "offenses"),
    ("paediatric", "pediatric"),
    ("paediatrician", "pediatrician"),
    ("paediatricians", "pediatricians"),
    ("paralyse", "paralyze"),
    ("paralysed", "paralyzed"),
    ("paralysing", "paralyzing"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practises", "practices"),
    ("practising", "practicing"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("sceptics", "skeptics"),
    ("skilful", "skillful"),
    ("skilfully", "skillfully"),
    ("sombre", "somber"),
    ("spectre", "specter"),
    ("theatre", "theater"),
    ("theatres", "theaters"),
    ("wilful", "willful"),
    ("wilfully", "willfully"),
];

/// `-our` stems; replaced wherever they occur, which also covers their derivatives
/// (`labourers`, `unfavourable`, `neighbourhood`, `behavioural`).
const OUR_STEMS: &[(&str, &str)] = &[
    ("labour", "labor"),
    ("favour", "favor"),
    ("behaviour", "behavior"),
    ("neighbour", "neighbor"),
    ("honour", "honor"),
    ("rumour", "rumor"),
    ("colour", "color"),
    ("endeavour", "endeavor"),
    ("harbour", "harbor"),
    ("humour", "humor"),
    ("vigour", "vigor"),
    ("savour", "savor"),
    ("flavour", "flavor"),
    ("odour", "odor"),
    ("armour", "armor"),
    ("saviour", "savior"),
    ("candour", "candor"),
    ("rigour", "rigor"),
    ("tumour", "tumor"),
    ("vapour", "vapor"),
    ("clamour", "clamor"),
    ("parlour", "parlor"),
    ("splendour", "splendor"),
    ("fervour", "fervor"),
    ("valour", "valor"),
    ("ardour", "ardor"),
    ("demeanour", "demeanor"),
];

/// Stems that double their final `l` before a suffix in British spelling only.
const LL_STEMS: &[&str] = &[
    "travel", "counsel", "model", "label", "cancel", "signal", "fuel", "channel", "level", "total",
    "marshal", "dial", "duel", "jewel", "quarrel", "rival", "tunnel", "pedal", "panel", "shovel",
    "funnel", "marvel", "pencil", "libel", "unravel", "initial", "equal",
];

/// What may follow the doubled `l` (`travell|ed`, `counsell|or`, `panell|ist`).
const LL_SUFFIXES: &[&str] = &[
    "ed", "ing", "ings", "er", "ers", "or", "ors", "ous", "ist", "ists",
];

/// British `-is-` endings and their American forms, longest first so `isations` is not read
/// as `ise` + `…`.
const ISE_SUFFIXES: &[(&str, &str)] = &[
    ("isational", "izational"),
    ("isations", "izations"),
    ("isation", "ization"),
    ("isable", "izable"),
    ("ising", "izing"),
    ("isers", "izers"),
    ("iser", "izer"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
];

/// Endings of `-ise` base forms that are spelled `-ise` in American English too. They are
/// matched as suffixes of the base form, so `unsupervised`, `disenfranchise` and `otherwise`
/// are covered; only endings with no `-ize` word sharing them belong here (`rise` does not:
/// `authorise`, `summarise`).
const ISE_KEEP_SUFFIXES: &[&str] = &[
    "advise",
    "advertise",
    "chastise",
    "chemise",
    "comprise",
    "compromise",
    "demise",
    "despise",
    "devise",
    "enterprise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "merchandise",
    "mortise",
    "paradise",
    "premise",
    "promise",
    "revise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    // Whole families without an -ize member:
    "aise",  // raise, praise, appraise, fundraise, malaise, liaise
    "cise",  // precise, concise, excise, incise, exercise, circumcise
    "oise",  // noise, poise, tortoise, porpoise, turquoise
    "prise", // apprise, comprise, enterprise, reprise, surprise
    "uise",  // cruise, bruise, guise, disguise, marquise
    "vise",  // advise, devise, revise, supervise, improvise, televise, vise
    "wise",  // wise, otherwise, likewise, clockwise
];

/// Base forms kept only as whole words, because their ending is shared with `-ize` words
/// (`arise` vs `summarise`, `mise` vs `minimise`).
const ISE_KEEP_WORDS: &[&str] = &[
    "rise", "arise", "uprise", "sunrise", "moonrise", "cerise", "anise", "valise", "mise",
    "remise", "crise", "irise",
];

/// The American spelling of a lower-cased, folded word, or `None` when it has no other one.
pub(super) fn americanize(word: &str) -> Option<String> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    if let Ok(i) = SPELLING_WORDS.binary_search_by(|(uk, _)| uk.cmp(&word)) {
        return Some(SPELLING_WORDS[i].1.to_string());
    }
    // Cheap screens first: this runs on every token of every passage.
    if word.contains("our") {
        for &(uk, us) in OUR_STEMS {
            if word.contains(uk) {
                return Some(word.replacen(uk, us, 1));
            }
        }
    }
    if !word.contains("ll") && !word.contains("is") {
        return None;
    }
    for stem in LL_STEMS {
        if let Some(rest) = word.strip_prefix(stem) {
            if let Some(suffix) = rest.strip_prefix('l') {
                if LL_SUFFIXES.contains(&suffix) {
                    return Some(format!("{stem}{suffix}"));
                }
            }
        }
    }
    ise_to_ize(word)
}

pub(super) fn ise_to_ize(word: &str) -> Option<String> {
    let (uk, us) = ISE_SUFFIXES.iter().find(|(uk, _)| word.ends_with(uk))?;
    let root = &word[..word.len() - uk.len()];
    let base = format!("{root}ise");
    // Three letters before "ise" at least: every real -ize verb has them, while the short
    // words (rise, wise, noise, raise, crises) are not verbs of this family.
    if root.len() < 3
        || ISE_KEEP_WORDS.contains(&base.as_str())
        || ISE_KEEP_SUFFIXES.iter().any(|keep| base.ends_with(keep))
    {
        return None;
    }
    Some(format!("{root}{us}"))
}
