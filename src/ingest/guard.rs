//! The extraction guard: one file's extraction on a thread of its own, so a panic, a deep
//! recursion or a pathological file costs that file, not the run.

use std::time::Duration;

use super::{extract_until, panic_message, ExtractError, Extraction, Format, Stop};

/// Extraction on its own thread: a generous stack for deeply nested input, a panic in a
/// format library turned into an error, and a time limit so one pathological file cannot stall
/// the batch. Past the limit the thread is asked to stop ([`Stop`]): the DOCX and PDF
/// extractors check it in their loops and return, giving their memory back, instead of running
/// on beside the next files (24 timed-out DOCX files grew a run to 5.9 GB). The HTML converter
/// has no loop of ours to check; its input is bounded by the file size limit.
///
/// Cooperative stopping rather than a child process per file: no process start per file (most
/// files are small), no serialising the text back, and the same code path with or without a
/// time limit.
pub(crate) fn extract_guarded(
    bytes: Vec<u8>,
    format: Format,
    timeout: Duration,
) -> Result<Extraction, ExtractError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let stop = Stop::default();
    let stop_thread = stop.clone();
    let spawned = std::thread::Builder::new()
        .name(EXTRACT_THREAD.into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                extract_until(&bytes, format, &stop_thread)
            }));
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(ExtractError::Io(e));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(ExtractError::Document(format!(
            "the {format:?} extractor crashed on this file ({}); skipped",
            panic_message(&*panic)
        ))),
        Err(_) => {
            stop.stop();
            Err(ExtractError::Document(format!(
                "extraction took longer than {} s; skipped (the file may be malformed; raise --timeout to wait longer)",
                timeout.as_secs()
            )))
        }
    }
}

/// Name of extraction threads, so the binary's panic hook can keep their caught panics quiet.
pub const EXTRACT_THREAD: &str = "tipdex-extract";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_past_its_time_limit_is_reported_not_waited_for() {
        // 20,000 nested lists keep html2text busy far longer than a microsecond.
        let html = format!(
            "<ul>{}x{}</ul>",
            "<li><ul>".repeat(20_000),
            "</ul></li>".repeat(20_000)
        );
        let started = std::time::Instant::now();
        let err =
            extract_guarded(html.into_bytes(), Format::Html, Duration::from_micros(1)).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the caller did not wait for the extractor"
        );
        assert!(
            err.to_string()
                .starts_with("extraction took longer than 0 s; skipped"),
            "{err}"
        );
    }

    #[test]
    fn garbage_named_pdf_is_an_error_value() {
        // Whatever the PDF library does with garbage, the caller gets an error value.
        let garbage: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
        let result = extract_guarded(garbage, Format::Pdf, Duration::from_secs(30));
        assert!(result.is_err());
    }
}
