//! `tipdex watch`: saved searches and what is new for them.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::{finish, stdout, Context, FilterArgs};
use tipdex::indexer::unix_now_ms;
use tipdex::output::{cite, csv, json, safe, watch as render};
use tipdex::search::parse_date_arg;
use tipdex::store::Store;
use tipdex::watch::{self, Watch, WatchReport};

/// Arguments of `tipdex watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub action: WatchAction,
}

/// What to do with the saved searches.
// `Add` carries every filter flag; the value is parsed once per run, so its size is no cost.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum WatchAction {
    /// Save a search under NAME; each `tipdex index` then says when it has new or changed
    /// documents
    Add {
        /// A short name for it
        name: String,
        /// The query (see `tipdex search --help`); without it, the filters alone (new or
        /// changed documents they admit)
        #[arg(value_name = "QUERY")]
        query: Vec<String>,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Show the saved searches
    List {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Forget a saved search
    Rm {
        /// Its name
        name: String,
    },
    /// The documents added or changed for a saved search (all of them without NAME), best first
    Report {
        /// The saved search (all when left out)
        name: Option<String>,
        /// `last` (since the last report of each, the default; the start is then remembered) or
        /// a date: 2026, 2026-11, 2026-11-30 (documents indexed on or after it)
        #[arg(long, value_name = "DATE|last", default_value = "last")]
        since: String,
        /// Documents to show per saved search
        #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
        limit: usize,
        /// Passages to show per document
        #[arg(long, short = 'k', default_value_t = 2, value_name = "K")]
        passages: usize,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
}

/// Output formats of `watch list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One line each
    Text,
    /// A JSON array
    Json,
}

/// Output formats of `watch report` (those of `search`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Human-readable
    Text,
    /// A JSON array, one report per saved search
    Json,
    /// One JSON report per line
    Ndjson,
    /// One row per saved search and document (the query id is the search's name)
    Csv,
    /// CSL-JSON items of the documents
    Csljson,
    /// RIS records of the documents
    Ris,
}

/// Edit, list or report the saved searches.
pub fn run(ctx: &Context, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let mut out = stdout();
    match &args.action {
        WatchAction::Add {
            name,
            query,
            filters,
        } => {
            let store = Store::open(&ctx.index_dir)?;
            let query = query.join(" ");
            watch::add(&store, name, &query, &filters.to_filters()?, unix_now_ms())?;
            writeln!(out, "saved: {} = {}", safe::line(name), safe::line(&query))?;
        }
        WatchAction::List { format } => {
            let store = Store::open(&ctx.index_dir)?;
            let watches = watch::list(&store)?;
            match format {
                ListFormat::Json => json::write(
                    &mut out,
                    &watches.iter().map(render::watch_json).collect::<Vec<_>>(),
                )?,
                ListFormat::Text => {
                    for w in &watches {
                        writeln!(out, "{}", list_line(w))?;
                    }
                }
            }
        }
        WatchAction::Rm { name } => {
            let store = Store::open(&ctx.index_dir)?;
            if !watch::remove(&store, name)? {
                return Err(tipdex::Error::UnknownWatch(name.clone()).into());
            }
            writeln!(out, "removed: {}", safe::line(name))?;
        }
        WatchAction::Report {
            name,
            since,
            limit,
            passages,
            format,
        } => return report(ctx, name.as_deref(), since, *limit, *passages, *format),
    }
    finish(out)
}

fn list_line(w: &Watch) -> String {
    let f = &w.filters;
    let mut filters = Vec::new();
    filters.extend(f.sources.iter().map(|s| format!("--source {s}")));
    filters.extend(f.tags.iter().map(|s| format!("--tag {s}")));
    filters.extend(f.langs.iter().map(|s| format!("--lang {s}")));
    filters.extend(f.years.iter().map(|[a, b]| format!("--year {a}..{b}")));
    filters.extend(f.from.iter().map(|s| format!("--from {s}")));
    filters.extend(f.to.iter().map(|s| format!("--to {s}")));
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!(" {}", filters.join(" "))
    };
    format!(
        "{}: {}{} (last reported {})",
        safe::line(&w.name),
        safe::line(&w.query),
        safe::line(&filters),
        render::rfc3339(w.seen_ms)
    )
}

fn report(
    ctx: &Context,
    name: Option<&str>,
    since: &str,
    limit: usize,
    passages: usize,
    format: ReportFormat,
) -> anyhow::Result<ExitCode> {
    let since_date = match since.trim() {
        "last" => None,
        other => Some(watch::since_date_ms(&parse_date_arg("--since", other)?)),
    };
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let watches = match name {
        Some(n) => vec![watch::get(&store, n)?],
        None => watch::list(&store)?,
    };
    // Taken before reading: whatever a later run adds falls after it.
    let now = unix_now_ms();
    let reports: Vec<WatchReport> = watches
        .iter()
        .map(|w| {
            let since = since_date.unwrap_or(w.seen_ms);
            watch::report(&store, &reader, w, since, limit, passages)
        })
        .collect::<tipdex::Result<_>>()?;
    let cwd = ctx.cwd.as_deref();
    let mut out = stdout();
    match format {
        ReportFormat::Text => {
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                render::report_text(&mut out, r, ctx.style, cwd)?;
            }
            if reports.is_empty() {
                writeln!(
                    out,
                    "no saved searches: add one with `tipdex watch add NAME QUERY`"
                )?;
            }
        }
        ReportFormat::Json => json::write(
            &mut out,
            &reports
                .iter()
                .map(|r| render::report_json(r, cwd))
                .collect::<Vec<_>>(),
        )?,
        ReportFormat::Ndjson => {
            for r in &reports {
                json::write_line(&mut out, &render::report_json(r, cwd))?;
            }
        }
        ReportFormat::Csv => {
            csv::header(&mut out)?;
            for r in &reports {
                csv::search_rows(&mut out, &r.watch.name, &r.watch.query, &r.results, cwd)?;
            }
        }
        ReportFormat::Csljson | ReportFormat::Ris => {
            let mut cited = std::collections::HashSet::new();
            let hits = reports
                .iter()
                .flat_map(|r| &r.results.hits)
                .filter(|h| cited.insert(h.record.id.clone()));
            if format == ReportFormat::Ris {
                for h in hits {
                    cite::write_ris(&mut out, &h.record, &h.passages, cwd)?;
                }
            } else {
                let items: Vec<_> = hits
                    .map(|h| cite::csl_item(&h.record, &h.passages, cwd))
                    .collect();
                cite::write_csljson(&mut out, &items)?;
            }
        }
    }
    out.flush()?;
    if since_date.is_none() {
        // "Since last" moves on only once the report is out. An index run holding the writer
        // leaves it where it was: the next report repeats these documents rather than lose any.
        for w in &watches {
            match watch::mark_seen(&store, &w.name, now) {
                Ok(()) => {}
                Err(tipdex::Error::IndexBusy(_)) => {
                    eprintln!(
                        "tipdex: an index run holds the index; the next `watch report` starts from the same point"
                    );
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    finish(out)
}

/// One line per saved search with new or changed documents since its last report, for the end
/// of an `index` run.
pub fn summary_lines(store: &Store) -> tipdex::Result<Vec<String>> {
    let reader = store.reader()?;
    let mut lines = Vec::new();
    for w in watch::list(store)? {
        let r = watch::report(store, &reader, &w, w.seen_ms, 1, 1)?;
        let total = r.results.total_documents;
        if total == 0 {
            continue;
        }
        lines.push(format!(
            "watch {}: {} new, {} changed since its last report; `tipdex watch report {}`",
            safe::line(&w.name),
            r.new_documents,
            total - r.new_documents,
            safe::line(&w.name)
        ));
    }
    Ok(lines)
}
