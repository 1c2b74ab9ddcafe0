//! Command line: clap structs, turned into plain library calls by one file per subcommand.
//! This is the only place that prints or decides exit codes.

mod check;
mod completions;
mod duplicates;
mod embed;
mod export;
mod facets;
mod index;
mod interrupt;
mod model;
mod search;
mod serve;
mod show;
mod status;
mod synonyms;
mod watch;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tipdex::entities::TopicKind;
use tipdex::output::text::Style;
use tipdex::search::{
    normalize_lang, parse_country_arg, parse_date_arg, parse_topic_arg, FieldFilter, Filters,
    YearRange,
};
use tipdex::store::check::{guard, verify};
use tipdex::store::Store;

/// Where the index lives unless `--index` says otherwise.
pub const DEFAULT_INDEX: &str = "index";
/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;
/// What gets indexed when no path is given and the index knows no roots yet.
pub const DEFAULT_DATA: &str = "data";

const QUERY_HELP: &str = "\
QUERY LANGUAGE (lenient: stray quotes or colons never cause an error)
  forced labour            all words preferred; any word matches
  \"forced labour\"          exact phrase
  fishing OR seafood       either word
  +fishing   a AND b       required
  -smuggling NOT x         excluded
  traffick*                prefix
  title:strategy           in the title only (text: passage text, author: author)
  source:UNODC tag:Europe lang:en year:2019 year:2015..2020
                           filters, same as the flags
  GLO.ACT                  dotted/hyphenated words match as phrases
Matching is case- and accent-insensitive with English stemming
(trafficking = trafficked, victims = victim).";

/// Full-text search over documents about trafficking in persons.
#[derive(Debug, Parser)]
#[command(name = "tipdex", version, about, long_about = None, after_help = QUERY_HELP)]
pub struct Cli {
    /// Index directory [default: index]
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders (incremental: only new, changed and removed files are touched)
    Index(index::IndexArgs),
    /// Search: ranked documents with their best passages, matches highlighted
    #[command(after_help = QUERY_HELP)]
    Search(search::SearchArgs),
    /// Count documents per source, year, tag or language (all, or those matching a query)
    Facets(facets::FacetsArgs),
    /// One document's metadata, with the rule that decided each field
    Show(show::ShowArgs),
    /// Index location, size and counts (--acronyms: the acronyms learned from the documents)
    Status(status::StatusArgs),
    /// Your own synonyms, kept with the index and applied at query time: add, list, remove
    Synonyms(synonyms::SynonymsArgs),
    /// Serve a search page and a JSON API over the index (read-only; picks up new commits)
    Serve(serve::ServeArgs),
    /// Read every file of the index and say whether it is damaged (and how to rebuild it)
    Check(check::CheckArgs),
    /// Saved searches: add, list, rm, and report what is new or changed for them
    Watch(watch::WatchArgs),
    /// Write the index as files OpenSearch/Elasticsearch or Quickwit load (for when one machine
    /// is not enough)
    Export(export::ExportArgs),
    /// Print a shell completion script (bash, zsh, fish); see the README for where it goes
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff) generated from these definitions
    Man,
    /// The embedding model for semantic search: `model fetch` installs it (pinned by sha256)
    Model(model::ModelArgs),
    /// Reprints: groups of documents with the same or nearly the same text, earliest first
    Duplicates(duplicates::DuplicatesArgs),
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

/// Output format for results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable
    Text,
    /// One JSON object
    Json,
}

/// Filter flags shared by `search` and `facets`.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only documents from this source (repeat for any of several)
    #[arg(long, value_name = "S")]
    pub source: Vec<String>,
    /// Only documents with this tag (repeat for any of several)
    #[arg(long, value_name = "T")]
    pub tag: Vec<String>,
    /// Only documents dated in this year or range: 2019, 2015..2020
    #[arg(long, value_name = "YEAR")]
    pub year: Vec<String>,
    /// Only documents dated on or after: 2019, 2019-06, 2019-06-30
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only documents dated on or before: 2021, 2021-12, 2021-12-31
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only documents in this language: en, fr, English… (repeat for several)
    #[arg(long, value_name = "L")]
    pub lang: Vec<String>,
    /// Only documents naming this country: a code, name or demonym (NP, Nepal, Nepali; repeat
    /// for any of several)
    #[arg(long, value_name = "C")]
    pub country: Vec<String>,
    /// Only documents whose own field (a key their sidecar or front matter declares) passes:
    /// KEY=VALUE (state=TX), KEY>=N, KEY>N, KEY<=N, KEY<N (minors>=1) or KEY=LO..HI
    /// (defendants=2..5). Repeat: different keys must all hold, values of one key any. In
    /// `tipdex facets`, a name without an operator picks what to count instead
    #[arg(long, value_name = "KEY=VALUE")]
    pub field: Vec<String>,
    /// Only documents naming this organisation: any of its names (UNODC, "International Labour
    /// Organization"; repeat for any of several)
    #[arg(long, value_name = "ORG")]
    pub org: Vec<String>,
    /// Only documents citing this legal instrument: Palermo Protocol, UNTOC, TVPA, "TVPRA 2008",
    /// "18 USC 1591", "ILO C29"… (repeat for any of several)
    #[arg(long, value_name = "INSTRUMENT")]
    pub instrument: Vec<String>,
    /// Only documents naming this form of exploitation: forced labour, sexual exploitation,
    /// debt bondage, domestic servitude… (repeat for any of several)
    #[arg(long, value_name = "FORM")]
    pub exploitation: Vec<String>,
}

impl FilterArgs {
    /// Validate into library filters; bad values are usage errors naming the flag.
    pub fn to_filters(&self) -> tipdex::Result<Filters> {
        self.to_filters_with(&self.field)
    }

    /// [`FilterArgs::to_filters`] with `fields` as the `--field` filters.
    pub fn to_filters_with(&self, fields: &[String]) -> tipdex::Result<Filters> {
        let years = self
            .year
            .iter()
            .map(|y| YearRange::parse(y))
            .collect::<Result<Vec<_>, _>>()?;
        let from = self
            .from
            .as_deref()
            .map(|s| parse_date_arg("--from", s))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| parse_date_arg("--to", s))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f.lo() > t.hi() {
                return Err(tipdex::Error::InvalidArgument {
                    what: "--from",
                    value: f.to_string(),
                    hint: format!("it is after --to {t}; swap them"),
                });
            }
        }
        Ok(Filters {
            sources: self.source.clone(),
            tags: self.tag.clone(),
            langs: self.lang.iter().map(|l| normalize_lang(l)).collect(),
            countries: self
                .country
                .iter()
                .map(|c| parse_country_arg("--country", c))
                .collect::<tipdex::Result<_>>()?,
            fields: fields
                .iter()
                .map(|f| FieldFilter::parse("--field", f))
                .collect::<tipdex::Result<_>>()?,
            topics: [
                ("--org", TopicKind::Org, &self.org),
                ("--instrument", TopicKind::Instrument, &self.instrument),
                (
                    "--exploitation",
                    TopicKind::Exploitation,
                    &self.exploitation,
                ),
            ]
            .into_iter()
            .flat_map(|(flag, kind, values)| {
                values.iter().map(move |v| parse_topic_arg(flag, kind, v))
            })
            .collect::<tipdex::Result<_>>()?,
            years,
            from,
            to,
        })
    }
}

/// Everything a subcommand needs from the global options.
pub struct Context {
    /// The index directory.
    pub index_dir: PathBuf,
    /// Whether `--index` was left to its default (then `search` may build it from `data/`).
    pub default_index: bool,
    /// Colour choice resolved against the terminal and NO_COLOR.
    pub style: Style,
    /// Current directory, for showing paths relative to it.
    pub cwd: Option<PathBuf>,
}

impl Context {
    /// Open the index for reading; with the default location and no index yet, build it from
    /// `data/` first (saying so on stderr), so the README's first command just works.
    pub fn open_for_reading(&self) -> anyhow::Result<Store> {
        if self.default_index && Path::new(DEFAULT_DATA).is_dir() {
            // The default index is tipdex's own cache of data/: build it on first use, and
            // rebuild it when an older tipdex left it in a layout this one cannot read. An index
            // the user named with --index is theirs, so it only gets the error and the advice.
            let rebuild = if !Store::exists(&self.index_dir) {
                Some("no index at {index}/ yet; indexing {data}/ first (one time)…")
            } else {
                match Store::open(&self.index_dir) {
                    Err(tipdex::Error::IncompatibleIndex { .. }) => Some(
                        "{index}/ was built by another tipdex version; rebuilding it from {data}/ (one time)…",
                    ),
                    // tipdex's own cache of data/: rebuilt rather than left broken.
                    Err(tipdex::Error::Damaged { .. }) => Some(
                        "{index}/ is damaged; rebuilding it from {data}/ (your files there are untouched)…",
                    ),
                    _ => None,
                }
            };
            if let Some(message) = rebuild {
                eprintln!(
                    "tipdex: {}",
                    message
                        .replace("{index}", &self.index_dir.display().to_string())
                        .replace("{data}", DEFAULT_DATA)
                );
                let args = index::IndexArgs {
                    full: Store::exists(&self.index_dir),
                    ..index::IndexArgs::quiet()
                };
                let outcome = index::run_index(self, &[PathBuf::from(DEFAULT_DATA)], &args)?;
                if outcome == ExitCode::from(INTERRUPTED) {
                    // Ctrl-C: the user asked to stop, not to search a partial index.
                    std::process::exit(INTERRUPTED.into());
                }
                if outcome != ExitCode::SUCCESS {
                    eprintln!("tipdex: some files could not be indexed; searching what was");
                }
            }
        }
        let store = Store::open(&self.index_dir)?;
        let info = store.info()?;
        if !info.is_incomplete() {
            return Ok(store);
        }
        // The last run stopped before its end (killed, Ctrl-C): never answer from a partial
        // index silently. The default index is tipdex's own cache, so it is finished here.
        if self.default_index && Path::new(DEFAULT_DATA).is_dir() {
            eprintln!(
                "tipdex: the last indexing run into {}/ did not finish; finishing it first…",
                self.index_dir.display()
            );
            drop(store);
            match index::run(self, &index::IndexArgs::quiet()) {
                Ok(code) if code == ExitCode::SUCCESS => {}
                Ok(code) if code == ExitCode::from(INTERRUPTED) => {
                    std::process::exit(INTERRUPTED.into())
                }
                Ok(_) => eprintln!("tipdex: some files could not be indexed; searching what was"),
                Err(e) => match e.downcast_ref::<tipdex::Error>() {
                    Some(tipdex::Error::IndexBusy(_)) => eprintln!(
                        "tipdex: another tipdex is indexing {}/ now; searching what it has committed so far",
                        self.index_dir.display()
                    ),
                    _ => eprintln!(
                        "tipdex: the index is incomplete and could not be finished ({e:#}); searching what it holds. Run `{}` to finish it",
                        self.index_command()
                    ),
                },
            }
            return Ok(Store::open(&self.index_dir)?);
        }
        eprintln!(
            "tipdex: the index at {} is incomplete (its last indexing run was interrupted); searching what it holds. Run `{}` to finish it",
            self.index_dir.display(),
            self.index_command()
        );
        Ok(store)
    }

    /// The command that brings this context's index up to date with its folders.
    pub fn index_command(&self) -> String {
        if self.default_index {
            "tipdex index".to_string()
        } else {
            format!("tipdex index --index {}", self.index_dir.display())
        }
    }
}

/// Parse arguments and run; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let ctx = Context {
        default_index: cli.index.is_none(),
        index_dir: cli.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX)),
        style: Style { color },
        cwd: std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok()),
    };
    // The reader boundary: a panic from damaged index bytes (tantivy's decoders assume sound
    // files) is caught here and reported as damage, with the file `check` finds at fault.
    let outcome = guard(|| match cli.command {
        Command::Index(args) => index::run(&ctx, &args),
        Command::Search(args) => search::run(&ctx, &args),
        Command::Facets(args) => facets::run(&ctx, &args),
        Command::Show(args) => show::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Synonyms(args) => synonyms::run(&ctx, &args),
        Command::Serve(args) => serve::run(&ctx, &args),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Watch(args) => watch::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man => completions::man(),
        Command::Model(args) => model::run(&args),
        Command::Duplicates(args) => duplicates::run(&ctx, &args),
    });
    match outcome {
        Ok(Ok(code)) => Ok(code),
        Ok(Err(e)) => Err(match e.downcast::<tipdex::Error>() {
            // Damage met without knowing the file (tantivy does not always say): `check` names it.
            Ok(tipdex::Error::Damaged {
                file: None, what, ..
            }) => locate_damage(ctx, what).into(),
            Ok(e) => e.in_index(&ctx.index_dir).into(),
            Err(other) => other,
        }),
        Err(panic) => Err(locate_damage(ctx, format!("reading it failed ({panic})")).into()),
    }
}

/// The damage behind a failure or a caught panic: the first problem `check` finds with its
/// file, else `what` as it was met.
fn locate_damage(ctx: Context, what: String) -> tipdex::Error {
    let found = guard(|| verify(&ctx.index_dir))
        .ok()
        .and_then(|r| r.ok())
        .and_then(|r| r.problems.into_iter().find(|p| p.file.is_some()));
    let (file, what) = match found {
        Some(p) => (p.file, p.what),
        None => (None, what),
    };
    tipdex::Error::Damaged {
        index: Some(ctx.index_dir),
        file,
        what,
    }
}

/// Buffered, locked stdout; callers flush so a broken pipe surfaces as an error main ignores.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}

/// Flush and turn the result into success.
pub fn finish(mut out: impl Write) -> anyhow::Result<ExitCode> {
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
