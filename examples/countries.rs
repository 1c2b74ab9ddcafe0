//! Country entities measured on factbook-tip (`../shared/corpora/factbook-tip`): for each
//! country entry (the "World" entries aside), is the sidecar's country the one its text names
//! most? Counted with names alone and with names and demonyms; the misses are listed.
//!
//! ```sh
//! cargo run --release --example countries             # summary
//! cargo run --release --example countries -- --misses # and every miss
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use tipdex::entities::countries::gazetteer;

fn main() -> anyhow::Result<()> {
    let show_misses = std::env::args().any(|a| a == "--misses");
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/factbook-tip"
    ));
    let manifest = std::fs::read_to_string(root.join("manifest.csv"))
        .with_context(|| format!("{} (is ../shared there?)", root.display()))?;
    let g = gazetteer();
    let (mut entries, mut names_only, mut with_demonyms) = (0, 0, 0);
    let mut unknown = Vec::new();
    let mut misses = Vec::new();
    for line in manifest.lines().skip(1) {
        let path = line.split(',').next().unwrap_or_default();
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
            root.join(path.replace(".txt", ".meta.json")),
        )?)?;
        let country = meta["country"].as_str().unwrap_or_default();
        if country == "World" {
            continue;
        }
        let Some(expected) = g.lookup(country) else {
            unknown.push(country.to_string());
            continue;
        };
        entries += 1;
        let text = std::fs::read_to_string(root.join(path))?;
        let top = |demonyms: bool| {
            let mut counts: HashMap<&str, (u32, usize)> = HashMap::new();
            for m in g
                .mentions(&text)
                .into_iter()
                .filter(|m| demonyms || !m.demonym)
            {
                counts.entry(m.code).or_insert((0, m.range.start)).0 += 1;
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                .map(|(c, _)| c)
        };
        if top(false) == Some(expected) {
            names_only += 1;
        }
        let counted = g.count(&text, &[]);
        if counted.first().map(|c| c.code.as_str()) == Some(expected) {
            with_demonyms += 1;
        } else {
            let got: Vec<String> = counted
                .iter()
                .take(3)
                .map(|c| format!("{}×{}", c.code, c.count))
                .collect();
            misses.push(format!(
                "{path} ({country} = {expected}): {}",
                got.join(" ")
            ));
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / entries as f64;
    println!("country entries: {entries} (sidecar country not in the gazetteer: {unknown:?})");
    println!(
        "sidecar country most mentioned: names only {names_only} ({:.1}%), names and demonyms {with_demonyms} ({:.1}%)",
        pct(names_only),
        pct(with_demonyms)
    );
    println!("misses (names and demonyms): {}", misses.len());
    for m in misses
        .iter()
        .take(if show_misses { usize::MAX } else { 10 })
    {
        println!("  {m}");
    }
    Ok(())
}
