//! Renderers of a saved search's report (`tipdex watch report`): the search formats, each hit
//! marked new or changed.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::json::{hit_json, FiltersJson, HitJson};
use super::{safe, text};
use crate::watch::{Novelty, Watch, WatchReport};

/// A saved search as listed (`watch list --format json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchJson {
    /// Its name.
    pub name: String,
    /// Its query.
    pub query: String,
    /// Its filters.
    pub filters: FiltersJson,
    /// When it was saved (RFC 3339, UTC).
    pub created: String,
    /// Where its next `--since last` report starts (RFC 3339, UTC).
    pub last_reported: String,
}

/// One report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchReportJson {
    /// The saved search's name.
    pub name: String,
    /// Its query.
    pub query: String,
    /// Documents added or changed after this moment (RFC 3339, UTC).
    pub since: String,
    /// Matching documents new or changed since then.
    pub total_documents: usize,
    /// How many of them are new.
    pub new_documents: usize,
    /// How many changed.
    pub changed_documents: usize,
    /// The shown ones, best first.
    pub hits: Vec<WatchHitJson>,
}

/// A hit of a report: the search hit and whether it is new or changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchHitJson {
    /// `new` or `changed`.
    pub novelty: Novelty,
    /// The document and its passages, as `search` gives them.
    #[serde(flatten)]
    pub hit: HitJson,
}

/// The wire form of a saved search.
pub fn watch_json(w: &Watch) -> WatchJson {
    WatchJson {
        name: w.name.clone(),
        query: w.query.clone(),
        filters: FiltersJson::from_filters(&w.filters.to_filters()),
        created: rfc3339(w.created_ms),
        last_reported: rfc3339(w.seen_ms),
    }
}

/// The wire form of a report.
pub fn report_json(r: &WatchReport, cwd: Option<&Path>) -> WatchReportJson {
    WatchReportJson {
        name: r.watch.name.clone(),
        query: r.watch.query.clone(),
        since: rfc3339(r.since_ms),
        total_documents: r.results.total_documents,
        new_documents: r.new_documents,
        changed_documents: r.results.total_documents - r.new_documents,
        hits: r
            .results
            .hits
            .iter()
            .zip(&r.novelty)
            .enumerate()
            .map(|(i, (h, &novelty))| WatchHitJson {
                novelty,
                hit: hit_json(i + 1, h, cwd),
            })
            .collect(),
    }
}

/// A report for a person: a heading with the counts, which ranks are new, then the hits as
/// `search` shows them.
pub fn report_text(
    out: &mut dyn Write,
    r: &WatchReport,
    style: text::Style,
    cwd: Option<&Path>,
) -> io::Result<()> {
    let changed = r.results.total_documents - r.new_documents;
    writeln!(
        out,
        "== {} ({}): {} new, {changed} changed since {}",
        style.title(&safe::line(&r.watch.name)),
        safe::line(&r.watch.query),
        r.new_documents,
        rfc3339(r.since_ms)
    )?;
    if r.results.total_documents == 0 {
        return Ok(());
    }
    let ranks = |which: Novelty| {
        r.novelty
            .iter()
            .enumerate()
            .filter(|(_, &n)| n == which)
            .map(|(i, _)| format!("{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (new, changed) = (ranks(Novelty::New), ranks(Novelty::Changed));
    let mut parts = Vec::new();
    if !new.is_empty() {
        parts.push(format!("new: {new}"));
    }
    if !changed.is_empty() {
        parts.push(format!("changed: {changed}"));
    }
    writeln!(out, "{}", style.dim(&parts.join(" · ")))?;
    text::search(out, &r.watch.query, &r.results, style, cwd)
}

/// Unix milliseconds as RFC 3339 in UTC, to the second.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_read_as_utc_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_764_469_845_123), "2025-11-30T02:30:45Z");
    }
}
