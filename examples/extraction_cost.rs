//! What the reprint signature, the country gazetteer and the topic gazetteers (organisations,
//! instruments, forms of exploitation) cost per document, on the 20,000-
//! document bench corpus (`target/bench/corpus-20000`, made by the indexing bench): each pass
//! timed alone over the same texts, single-threaded.
//!
//! ```sh
//! cargo run --release --example extraction_cost [-- DIR]
//! ```

use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/bench/corpus-20000/corpus"
        )
        .to_string()
    });
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry?;
        if entry.file_type().is_file() {
            if let Ok(t) = std::fs::read_to_string(entry.path()) {
                texts.push(t);
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} documents, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    let g = tipdex::entities::countries::gazetteer();
    let t = Instant::now();
    let mut signed = Vec::new();
    for text in &texts {
        signed.push(tipdex::reprints::signature(text));
    }
    let n = signed.iter().flatten().count();
    println!(
        "signatures: {:.2} s ({n} signed)",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut m = 0;
    for text in &texts {
        m += g.count(text, &[]).len();
    }
    println!(
        "countries: {:.2} s ({m} document-country pairs)",
        t.elapsed().as_secs_f64()
    );
    // The indexer recomputes every group at each commit from all the signatures it holds.
    let docs: Vec<_> = signed
        .iter()
        .zip(&texts)
        .enumerate()
        .filter_map(|(i, (sig, text))| {
            let countries = g.count(text, &[]);
            let subject =
                tipdex::reprints::subject(tipdex::entities::countries::subject(&countries));
            sig.map(|sig| (i as u64, sig, subject))
        })
        .collect();
    let t = Instant::now();
    let groups = tipdex::reprints::groups(&docs);
    println!(
        "reprint groups of all of them: {:.2} s ({} groups)",
        t.elapsed().as_secs_f64(),
        groups.len()
    );
    let topics = tipdex::entities::topics::topics();
    let t = Instant::now();
    let mut k = 0;
    for text in &texts {
        k += topics.count(&[], text, &[]).len();
    }
    println!(
        "topics: {:.2} s ({k} document-topic pairs)",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
