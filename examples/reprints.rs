//! Reprint groups measured on factbook-tip (`../shared/corpora/factbook-tip`): the groups
//! `tipdex::reprints` makes of its 922 entries against the exact repeats (same text hash in
//! `manifest.csv`) and the sidecars' countries, and the exact shingle similarity of every pair of
//! entries, so a threshold can be read off both sides.
//!
//! ```sh
//! cargo run --release --example reprints                    # summary
//! cargo run --release --example reprints -- --pairs 0.3    # same-country pairs near the line
//! ```

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use anyhow::Context;
use tipdex::reprints::{groups, signature, THRESHOLD};

struct Entry {
    path: String,
    country: String,
    hash: String,
    text: String,
}

fn shingles(text: &str) -> HashSet<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(3).map(|w| w.join(" ")).collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pairs_from: Option<f64> = args
        .iter()
        .position(|a| a == "--pairs")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse())
        .transpose()?;
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/factbook-tip"
    ));
    let manifest = std::fs::read_to_string(root.join("manifest.csv"))
        .with_context(|| format!("{} (is ../shared there?)", root.display()))?;
    let mut entries = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let path = cols[0].to_string();
        let hash = cols[cols.len() - 1].to_string();
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
            root.join(path.replace(".txt", ".meta.json")),
        )?)?;
        let country = meta["country"].as_str().unwrap_or_default().to_string();
        let text = std::fs::read_to_string(root.join(&path))?;
        entries.push(Entry {
            path,
            country,
            hash,
            text,
        });
    }
    // Grouped as the indexer groups them: signature and subject (the most-mentioned country).
    let gazetteer = tipdex::entities::countries::gazetteer();
    let sigs: Vec<(u64, tipdex::reprints::Signature, tipdex::reprints::Subject)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let countries = gazetteer.count(&e.text, &[]);
            let subject =
                tipdex::reprints::subject(tipdex::entities::countries::subject(&countries));
            signature(&e.text).map(|s| (i as u64, s, subject))
        })
        .collect();
    let found = groups(&sigs);
    let group_of = tipdex::reprints::group_of(&found);

    // Exact repeats: every entry sharing a text hash must share a group.
    let mut by_hash: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_hash.entry(&e.hash).or_default().push(i);
    }
    let exact: Vec<&Vec<usize>> = by_hash.values().filter(|v| v.len() > 1).collect();
    let split = exact
        .iter()
        .filter(|v| {
            let first = group_of.get(&(v[0] as u64));
            first.is_none() || v.iter().any(|&i| group_of.get(&(i as u64)) != first)
        })
        .count();
    let mixed: Vec<&Vec<u64>> = found
        .iter()
        .filter(|g| {
            let c: HashSet<&str> = g
                .iter()
                .map(|&i| entries[i as usize].country.as_str())
                .collect();
            c.len() > 1
        })
        .collect();
    let grouped: usize = found.iter().map(Vec::len).sum();
    println!(
        "entries {}  exact-repeat groups {} (docs {})  split {}",
        entries.len(),
        exact.len(),
        exact.iter().map(|v| v.len()).sum::<usize>(),
        split
    );
    println!(
        "threshold {THRESHOLD}: groups {}  docs grouped {}  distinct texts shown {}  groups mixing countries {}",
        found.len(),
        grouped,
        entries.len() - grouped + found.len(),
        mixed.len()
    );
    for g in &mixed {
        let names: Vec<&str> = g
            .iter()
            .map(|&i| entries[i as usize].path.as_str())
            .collect();
        println!("  mixed: {names:?}");
    }

    // Exact similarity of every pair: the highest across countries, and the same-country pairs
    // with different texts, by similarity, grouped or not.
    let sets: Vec<HashSet<String>> = entries.iter().map(|e| shingles(&e.text)).collect();
    let mut cross_max = (0.0f64, 0, 0);
    let mut same: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..entries.len() {
        for j in i + 1..entries.len() {
            let s = jaccard(&sets[i], &sets[j]);
            if entries[i].country != entries[j].country {
                if s > cross_max.0 {
                    cross_max = (s, i, j);
                }
            } else if entries[i].hash != entries[j].hash {
                same.push((s, i, j));
            }
        }
    }
    println!(
        "highest similarity across countries: {:.3} ({} / {})",
        cross_max.0, entries[cross_max.1].path, entries[cross_max.2].path
    );
    let together = |i: usize, j: usize| {
        let g = group_of.get(&(i as u64));
        g.is_some() && g == group_of.get(&(j as u64))
    };
    for (lo, hi) in [
        (0.9, 1.01),
        (0.8, 0.9),
        (0.7, 0.8),
        (0.6, 0.7),
        (0.5, 0.6),
        (0.4, 0.5),
        (0.3, 0.4),
        (0.0, 0.3),
    ] {
        let band: Vec<&(f64, usize, usize)> = same
            .iter()
            .filter(|(s, _, _)| *s >= lo && *s < hi)
            .collect();
        let joined = band.iter().filter(|(_, i, j)| together(*i, *j)).count();
        println!(
            "same country, different text, similarity {lo:.1}-{hi:.1}: pairs {:5}  in one group {:5}",
            band.len(),
            joined
        );
    }
    if let Some(from) = pairs_from {
        same.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (s, i, j) in same
            .iter()
            .filter(|(s, _, _)| *s >= from && *s < from + 0.1)
        {
            println!(
                "{s:.3} grouped={} {} {}",
                together(*i, *j),
                entries[*i].path,
                entries[*j].path
            );
        }
    }
    Ok(())
}
