//! `tipdex status`.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::{finish, stdout, Context, OutputFormat};
use tipdex::output::{json, safe};
use tipdex::semantic::coverage;
use tipdex::store::Store;

/// Arguments of `tipdex status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// List the acronyms learned from the documents (text output; JSON always has them)
    #[arg(long)]
    pub acronyms: bool,
}

/// Print where the index is and what it holds.
pub fn run(ctx: &Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&ctx.index_dir)?;
    let reader = store.reader()?;
    let (docs, passages) = store.counts(&reader.searcher())?;
    let info = store.info()?;
    let mut status = json::status_json(&ctx.index_dir, &info, docs, passages, store.size_on_disk());
    let coverage = coverage(&ctx.index_dir, &store, &reader.searcher())?;
    if coverage.enabled {
        status.semantic = Some(json::SemanticStatusJson {
            documents_embedded: coverage.embedded_documents as u64,
            passages_embedded: coverage.embedded_passages as u64,
        });
    }
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(&mut out, &status)?,
        OutputFormat::Text => {
            // Paths come from the command line and the file system: shown inert.
            let index = ctx.index_dir.display().to_string();
            writeln!(out, "index         {}", safe::line(&index))?;
            writeln!(out, "documents     {docs}")?;
            writeln!(out, "passages      {passages}")?;
            writeln!(out, "size on disk  {}", human_bytes(status.size_bytes))?;
            for root in &status.roots {
                writeln!(out, "root          {}", safe::line(root))?;
                if let Some(globs) = status.excludes.get(root) {
                    writeln!(out, "  excludes    {}", safe::line(&globs.join("  ")))?;
                }
            }
            let last = info
                .last_indexed
                .map_or_else(|| "never".to_string(), format_unix);
            writeln!(out, "last indexed  {last}")?;
            writeln!(
                out,
                "acronyms      {} learned from the documents{}",
                info.acronyms.len(),
                if args.acronyms || info.acronyms.is_empty() {
                    ""
                } else {
                    " (list them with --acronyms)"
                }
            )?;
            if args.acronyms {
                for a in &info.acronyms {
                    let docs = if a.documents == 1 {
                        "document"
                    } else {
                        "documents"
                    };
                    writeln!(
                        out,
                        "  {:<10} {}  ({} {docs})",
                        a.acronym, a.long_form, a.documents
                    )?;
                }
            }
            if !info.synonyms.is_empty() {
                writeln!(
                    out,
                    "synonyms      {} (tipdex synonyms list)",
                    info.synonyms.len()
                )?;
            }
            if let Some(sem) = &status.semantic {
                let rest = if sem.documents_embedded < docs {
                    format!("; run `{}` to embed the rest", ctx.index_command())
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "embeddings    {} of {docs} documents ({} passages){rest}",
                    sem.documents_embedded, sem.passages_embedded
                )?;
            }
            if info.in_progress {
                writeln!(
                    out,
                    "note          the last run was interrupted; run `tipdex index` to finish it"
                )?;
            }
        }
    }
    finish(out)
}

/// `1.2 MB` style sizes.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (civil-from-days, so no date crate is needed).
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_and_sizes() {
        assert_eq!(format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_unix(1_582_934_400), "2020-02-29 00:00:00 UTC");
        assert_eq!(format_unix(1_764_089_999), "2025-11-25 16:59:59 UTC");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
    }
}
