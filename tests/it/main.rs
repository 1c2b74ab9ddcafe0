//! Integration tests: the real `tipdex` binary on temp copies of the sample corpus.

mod browser;
mod cite;
mod cli_docs;
mod countries;
mod crash;
mod damage;
mod errors;
mod excludes;
mod export;
mod fields;
mod formats;
mod harness;
mod hostile;
mod incremental;
mod metadata;
#[cfg(target_os = "linux")]
mod peak_rss;
mod rank;
mod recovery;
mod reprints;
mod sample;
mod search;
mod semantic;
mod serve;
mod topics;
mod watch;
