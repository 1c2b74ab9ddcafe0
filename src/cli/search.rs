//! `tipdex search`: one query from the command line, or a batch from a file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::facets::facet_request;
use super::{finish, stdout, Context, FilterArgs};
use tipdex::output::{cite, csv, json, safe, text};
use tipdex::search::batch::{read_queries, BadLine, BatchQuery};
use tipdex::search::{
    search, Expansion, FacetRequest, Feedback, Mode, SearchRequest, SemanticSearch,
};
use tipdex::semantic::vectors::VectorStore;
use tipdex::semantic::{ModelDir, QueryEncoder, SemanticError};

/// Arguments of `tipdex search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (see QUERY LANGUAGE below). Without it, the filters (or --facets) list
    /// the documents they admit, newest first
    #[arg(value_name = "QUERY", conflicts_with = "batch")]
    pub query: Vec<String>,
    /// Run every query in FILE against one opened index: one per line, as text or as JSON with
    /// "id" and "text" ("-" reads standard input)
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Read queries as plain words: no operators, phrases or fields
    #[arg(long)]
    pub plain: bool,
    /// Re-rank with the words most of the best documents share (pseudo-relevance feedback): a
    /// document that keeps returning to the topic rises even where it uses other words than
    /// yours. Adds no documents and highlights only your words
    #[arg(long)]
    pub expand: bool,
    /// Reprints (documents with the same or nearly the same text): `one` hit per text, the
    /// best-ranked copy listing the others, or `all` copies as their own hits. Default: one for
    /// text output (people read each text once), all for json, ndjson, csv, csljson and ris
    /// (scripts count and cite documents; each hit still names its copies and original)
    #[arg(long, value_enum, value_name = "one|all")]
    pub copies: Option<Copies>,
    /// The same as `--copies all`
    #[arg(long, conflicts_with = "copies")]
    pub all_copies: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Documents to show per query
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Passages to show per document
    #[arg(long, short = 'k', default_value_t = 2, value_name = "K")]
    pub passages: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
    /// Also count matching documents per facet value, in the same pass (every dimension and
    /// the list of fields when given alone; or e.g. --facets source,year; `fields` for which
    /// fields your sidecars declare, field:KEY for one field's values: --facets field:state)
    #[arg(long, value_name = "FIELD", num_args = 0.., value_delimiter = ',')]
    pub facets: Option<Vec<String>>,
    /// Rank by words (lexical), by meaning (semantic, the embedding model), or both fused
    /// (hybrid) [default: hybrid when the index has embeddings (`tipdex index --semantic`),
    /// else lexical]
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Model folder [default: $TIPDEX_MODEL_DIR, else ~/.local/share/tipdex/models/all-MiniLM-L6-v2]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Hybrid mode: widen the query's meaning with the passages of the N documents its words
    /// rank best (0: the query's meaning alone)
    #[arg(long, value_name = "N", default_value_t = Feedback::default().docs)]
    pub widen: usize,
}

/// `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Words only (BM25)
    Lexical,
    /// Meaning only
    Semantic,
    /// Words and meaning, fused
    Hybrid,
}

/// How the copies of a reprinted text are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Copies {
    /// One hit per text: the best-ranked copy, listing the others
    One,
    /// Every copy as its own hit
    All,
}

impl SearchArgs {
    /// Whether every copy of a reprint is its own hit: asked for, or else the format's default
    /// (people read a text once; scripts count and cite every document).
    fn all_copies(&self) -> bool {
        match (self.all_copies, self.copies) {
            (true, _) => true,
            (false, Some(copies)) => copies == Copies::All,
            (false, None) => self.format != SearchFormat::Text,
        }
    }
}

/// Output formats of `search`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// Human-readable
    Text,
    /// One JSON object (an array of them for --batch)
    Json,
    /// One JSON object per line, one line per query
    Ndjson,
    /// One row per query and document, with the best passage
    Csv,
    /// CSL-JSON for reference managers (Zotero, pandoc): one item per document, its passages
    /// quoted with their pages in the note (one array for the whole --batch)
    Csljson,
    /// RIS for reference managers (EndNote, Zotero): one record per document
    Ris,
}

/// Run the search(es) and print them. In a batch a failing query (or an unreadable line) is
/// reported on stderr with its line number and the others go on; the exit code is then 2 when
/// every failure was the query's fault, else 1.
pub fn run(ctx: &Context, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let filters = args.filters.to_filters()?;
    if args.batch.is_none()
        && args.query.iter().all(|w| w.trim().is_empty())
        && filters.is_empty()
        && args.facets.is_none()
    {
        anyhow::bail!(tipdex::Error::NothingToSearch {
            hint: "give query words (`tipdex search \"forced labour\"`) or a filter to list \
                   the documents it admits, newest first (`tipdex search --source UNODC --year \
                   2024`; also --tag, --lang, --country, --from, --to, --facets)"
                .into(),
        });
    }
    let facets = match &args.facets {
        None => FacetRequest::default(),
        Some(names) if names.is_empty() => facet_request("--facets", &["all".into()])?,
        Some(names) => facet_request("--facets", names)?,
    };
    let queries = match &args.batch {
        Some(path) => read_batch(path)?,
        None => vec![Ok(BatchQuery {
            id: "1".into(),
            text: args.query.join(" "),
            line: 0,
        })],
    };
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let semantic = semantic_search(ctx, args)?;
    let batch = args.batch.is_some();
    let cwd = ctx.cwd.as_deref();
    let mut out = stdout();
    if args.format == SearchFormat::Csv {
        csv::header(&mut out)?;
    }
    let mut collected = Vec::new();
    let mut citations = Vec::new();
    let mut cited = std::collections::HashSet::new();
    let mut failures = Failures::default();
    let mut shown = 0;
    for q in &queries {
        let q = match q {
            Ok(q) => q,
            Err(bad) => {
                eprintln!(
                    "tipdex: --batch line {}: {}",
                    bad.line,
                    safe::line(&bad.reason)
                );
                failures.usage += 1;
                continue;
            }
        };
        let request = SearchRequest {
            query: q.text.clone(),
            filters: filters.clone(),
            limit: args.limit,
            passages: args.passages,
            plain: args.plain,
            expand: args.expand.then(Expansion::default),
            semantic: semantic.clone(),
            all_copies: args.all_copies(),
            facets: facets.clone(),
            ..SearchRequest::default()
        };
        let results = match search(&store, &reader, &request) {
            Ok(r) => r,
            Err(e) if batch => {
                eprintln!(
                    "tipdex: --batch line {} (query {}): {}",
                    q.line,
                    safe::line(&q.id),
                    safe::line(&e.to_string())
                );
                failures.count(&e);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let mut wire = json::search_json(&q.text, &request.filters, &results, cwd);
        if batch {
            wire.query_id = Some(q.id.clone());
        }
        match args.format {
            SearchFormat::Text => {
                if batch {
                    if shown > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "== {}: {}", safe::line(&q.id), safe::line(&q.text))?;
                }
                text::search(&mut out, &q.text, &results, ctx.style, cwd)?;
            }
            SearchFormat::Ndjson => json::write_line(&mut out, &wire)?,
            SearchFormat::Csv => csv::search_rows(&mut out, &q.id, &q.text, &results, cwd)?,
            SearchFormat::Json if batch => collected.push(wire),
            SearchFormat::Json => json::write(&mut out, &wire)?,
            // A reference manager imports each document once: a batch cites a document
            // found by several queries with the passages of the first.
            SearchFormat::Csljson => citations.extend(
                results
                    .hits
                    .iter()
                    .filter(|h| cited.insert(h.record.id.clone()))
                    .map(|h| cite::csl_item(&h.record, &h.passages, cwd)),
            ),
            SearchFormat::Ris => {
                for h in results
                    .hits
                    .iter()
                    .filter(|h| cited.insert(h.record.id.clone()))
                {
                    cite::write_ris(&mut out, &h.record, &h.passages, cwd)?;
                }
            }
        }
        shown += 1;
    }
    if batch && args.format == SearchFormat::Json {
        json::write(&mut out, &collected)?;
    }
    if args.format == SearchFormat::Csljson {
        cite::write_csljson(&mut out, &citations)?;
    }
    let code = finish(out)?;
    Ok(failures.exit_code(queries.len()).unwrap_or(code))
}

/// The semantic side of the searches, if any: `--mode`, else hybrid when the index has
/// embeddings. A missing model is an error when asked for, a note when only the default.
fn semantic_search(ctx: &Context, args: &SearchArgs) -> anyhow::Result<Option<SemanticSearch>> {
    let embedded = VectorStore::enabled(&ctx.index_dir);
    let mode = match args.mode {
        Some(ModeArg::Lexical) => return Ok(None),
        Some(ModeArg::Semantic) => Mode::Semantic,
        Some(ModeArg::Hybrid) => Mode::Hybrid,
        None if embedded => Mode::Hybrid,
        None => return Ok(None),
    };
    if !embedded {
        anyhow::bail!(tipdex::Error::InvalidArgument {
            what: "--mode",
            value: format!("{mode:?}").to_lowercase(),
            hint: format!(
                "the index has no embeddings; run `{} --semantic` first",
                ctx.index_command()
            ),
        });
    }
    let model = args
        .model_dir
        .clone()
        .map(ModelDir)
        .unwrap_or_else(ModelDir::default_for_user);
    let encoder = match QueryEncoder::open(&model) {
        Ok(e) => e,
        Err(e @ SemanticError::ModelMissing(_)) if args.mode.is_none() => {
            eprintln!("tipdex: answering lexically: {e}");
            return Ok(None);
        }
        Err(e) => return Err(tipdex::Error::from(e).into()),
    };
    let mut semantic =
        SemanticSearch::new(mode, std::sync::Arc::new(encoder), ctx.index_dir.clone());
    semantic.feedback.docs = args.widen;
    Ok(Some(semantic))
}

/// Queries of a batch that failed, by whose fault.
#[derive(Default)]
struct Failures {
    /// The query's or the line's (exit 2 if all are).
    usage: usize,
    /// The machine's or the index's.
    other: usize,
}

impl Failures {
    fn count(&mut self, e: &tipdex::Error) {
        if e.is_usage() {
            self.usage += 1;
        } else {
            self.other += 1;
        }
    }

    fn exit_code(&self, total: usize) -> Option<ExitCode> {
        let failed = self.usage + self.other;
        if failed == 0 {
            return None;
        }
        eprintln!("tipdex: {failed} of {total} batch lines failed; the others were answered");
        Some(ExitCode::from(if self.other > 0 { 1 } else { 2 }))
    }
}

/// The batch file's queries, each line read with a bounded buffer (see [`read_queries`]).
fn read_batch(path: &PathBuf) -> anyhow::Result<Vec<Result<BatchQuery, BadLine>>> {
    let unreadable = |source| tipdex::Error::UnreadablePath {
        path: path.clone(),
        source,
    };
    let read = if path.as_os_str() == "-" {
        read_queries(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(unreadable)?;
        read_queries(std::io::BufReader::new(file))
    };
    Ok(read.map_err(unreadable)?)
}
