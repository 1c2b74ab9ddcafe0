//! The embedding step of `tipdex index` (after the lexical commit) with its progress on stderr.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tipdex::semantic::vectors::VectorStore;
use tipdex::semantic::{embed_index, EmbedProgress, Encoder, ModelDir, QueryEncoder};

/// Without a terminal, a progress line this often.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// Embed what the index's vectors lack; `Some(code)` when the run must end with that code.
pub fn run(index_dir: &Path, model: &ModelDir, quiet: bool) -> anyhow::Result<Option<ExitCode>> {
    let encoder = Encoder::load(model).map_err(tipdex::Error::from)?;
    // Searches of this index will need the query model file: made now, once, not by the
    // first search.
    QueryEncoder::prepare(model).map_err(tipdex::Error::from)?;
    let stop = super::interrupt::stop_flag();
    let tty = std::io::stderr().is_terminal() && !quiet;
    let mut bar: Option<ProgressBar> = None;
    let mut last_line = Instant::now();
    let report = embed_index(index_dir, &encoder, &stop, &mut |p: EmbedProgress| {
        if quiet || p.passages_total == 0 {
            return;
        }
        if tty {
            let b = bar.get_or_insert_with(|| {
                let b = ProgressBar::new(p.passages_total);
                b.set_style(
                    ProgressStyle::with_template(
                        "embedding {bar:40} {pos}/{len} passages  {per_sec}  eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                b
            });
            b.set_position(p.passages_done);
        } else if last_line.elapsed() >= LINE_EVERY || p.passages_done == 0 {
            last_line = Instant::now();
            eprintln!("tipdex: embedding: {}", progress_line(p));
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if report.interrupted {
        eprintln!(
            "tipdex: interrupted: embedding stopped after {} passages, which are saved; the index answers lexically and in hybrid mode with what is embedded. Run the same command to go on",
            report.embedded_passages
        );
        return Ok(Some(ExitCode::from(super::INTERRUPTED)));
    }
    if !quiet {
        let secs = report.elapsed.as_secs_f64().max(1e-3);
        eprintln!(
            "tipdex: embedded {} passages of {} documents in {:.1} s ({:.1} passages/s); {} documents' vectors dropped; {} unchanged passages' vectors reused",
            report.embedded_passages,
            report.embedded_documents,
            secs,
            report.embedded_passages as f64 / secs,
            report.dropped,
            report.reused_passages
        );
        if let Some(lists) = &report.lists {
            eprintln!(
                "tipdex: approximate search: {} vectors clustered into {} lists in {:.1} s",
                lists.vectors,
                lists.lists,
                lists.elapsed.as_secs_f64()
            );
        }
    }
    Ok(None)
}

/// "1200/5000 passages, 21.3/s, eta 3m 2s".
fn progress_line(p: EmbedProgress) -> String {
    let secs = p.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        p.passages_done as f64 / secs
    } else {
        0.0
    };
    let eta = if rate > 0.0 {
        let left = (p.passages_total - p.passages_done) as f64 / rate;
        format!("{}m {}s", left as u64 / 60, left as u64 % 60)
    } else {
        "unknown".to_string()
    };
    format!(
        "{}/{} passages, {rate:.1}/s, eta {eta}",
        p.passages_done, p.passages_total
    )
}

/// Whether the index's embedding step runs: asked for now, or turned on before.
pub fn wanted(index_dir: &Path, asked: bool) -> bool {
    asked || VectorStore::enabled(index_dir)
}
