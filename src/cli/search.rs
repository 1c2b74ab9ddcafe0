//! `tipdex search`: one query from the command line, or a batch from a file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::facets::FacetArg;
use super::{finish, stdout, Context, FilterArgs};
use tipdex::output::{csv, json, text};
use tipdex::search::batch::{parse_queries, BatchQuery};
use tipdex::search::{search, Expansion, FacetField, SearchRequest};

/// Arguments of `tipdex search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (see QUERY LANGUAGE below)
    #[arg(num_args = 1.., value_name = "QUERY", required_unless_present = "batch", conflicts_with = "batch")]
    pub query: Vec<String>,
    /// Run every query in FILE against one opened index: one per line, as text or as JSON with
    /// "id" and "text" ("-" reads standard input)
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Read queries as plain words: no operators, phrases or fields
    #[arg(long)]
    pub plain: bool,
    /// Re-rank with words the best passages share (pseudo-relevance feedback), fused with the
    /// query's own ranking: finds more of the documents that say it in other words, at a little
    /// cost to the first few results. Adds no documents and highlights only your words;
    /// document scores become rank-fusion scores
    #[arg(long)]
    pub expand: bool,
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
    /// Also count matching documents per facet value, in the same pass (all four dimensions when
    /// given alone; or e.g. --facets source,year)
    #[arg(long, value_enum, value_name = "FIELD", num_args = 0.., value_delimiter = ',')]
    pub facets: Option<Vec<FacetArg>>,
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
}

/// Run the search(es) and print them.
pub fn run(ctx: &Context, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let filters = args.filters.to_filters()?;
    let queries = match &args.batch {
        Some(path) => read_batch(path)?,
        None => vec![BatchQuery {
            id: "1".into(),
            text: args.query.join(" "),
        }],
    };
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let batch = args.batch.is_some();
    let cwd = ctx.cwd.as_deref();
    let mut out = stdout();
    if args.format == SearchFormat::Csv {
        csv::header(&mut out)?;
    }
    let mut collected = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let request = SearchRequest {
            query: q.text.clone(),
            filters: filters.clone(),
            limit: args.limit,
            passages: args.passages,
            plain: args.plain,
            expand: args.expand.then(Expansion::default),
            facets: match &args.facets {
                None => Vec::new(),
                Some(dims) if dims.is_empty() => FacetField::ALL.to_vec(),
                Some(dims) => dims.iter().map(|&d| d.into()).collect(),
            },
            ..SearchRequest::default()
        };
        let results = search(&store, &reader, &request)?;
        let mut wire = json::search_json(&q.text, &request.filters, &results, cwd);
        if batch {
            wire.query_id = Some(q.id.clone());
        }
        match args.format {
            SearchFormat::Text => {
                if batch {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "== {}: {}", q.id, q.text)?;
                }
                text::search(&mut out, &q.text, &results, ctx.style, cwd)?;
            }
            SearchFormat::Ndjson => json::write_line(&mut out, &wire)?,
            SearchFormat::Csv => csv::search_rows(&mut out, &q.id, &q.text, &results, cwd)?,
            SearchFormat::Json if batch => collected.push(wire),
            SearchFormat::Json => json::write(&mut out, &wire)?,
        }
    }
    if batch && args.format == SearchFormat::Json {
        json::write(&mut out, &collected)?;
    }
    finish(out)
}

fn read_batch(path: &PathBuf) -> anyhow::Result<Vec<BatchQuery>> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(path).map_err(|source| tipdex::Error::UnreadablePath {
            path: path.clone(),
            source,
        })?
    };
    parse_queries(&text).map_err(|reason| {
        tipdex::Error::InvalidArgument {
            what: "--batch",
            value: path.display().to_string(),
            hint: reason,
        }
        .into()
    })
}
