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
    match on_guarded_thread(move |stop| extract_until(&bytes, format, stop), timeout) {
        Err(e) => Err(ExtractError::Io(e)),
        Ok(Some(Ok(result))) => result,
        Ok(Some(Err(panic))) => Err(ExtractError::Document(format!(
            "the {format:?} extractor crashed on this file ({}); skipped",
            panic_message(&*panic)
        ))),
        Ok(None) => Err(ExtractError::Document(format!(
            "extraction took longer than {} s; skipped (the file may be malformed; raise --timeout to wait longer)",
            timeout.as_secs()
        ))),
    }
}

/// `work` on an extraction thread: its result or its panic, or `None` past `timeout` (the
/// thread was told to stop and is left to finish on its own).
fn on_guarded_thread<T: Send + 'static>(
    work: impl FnOnce(&Stop) -> T + Send + 'static,
    timeout: Duration,
) -> std::io::Result<Option<std::thread::Result<T>>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let stop = Stop::default();
    let stop_thread = stop.clone();
    let thread = std::thread::Builder::new()
        .name(EXTRACT_THREAD.into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&stop_thread)));
            let _ = tx.send(result);
        })?;
    match rx.recv_timeout(timeout) {
        Ok(result) => {
            // The thread has sent its result and is exiting: join it rather than drop (detach)
            // its handle. glibc's pthread_detach races with a thread that is exiting at that
            // moment (the exiting thread sees itself detached and unmaps its stack while
            // pthread_detach still reads the thread's descriptor there); with this 256 MB
            // stack, too big for glibc's stack cache, the unmap is immediate, and an index run
            // of 20,000 files died of it by SIGSEGV in pthread_detach. A join has no such
            // window. A timed-out thread is still running when its handle is dropped.
            let _ = thread.join();
            Ok(Some(result))
        }
        Err(_) => {
            stop.stop();
            Ok(None)
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_finished_extraction_leaves_no_thread_behind() {
        // Joined, not detached: a detached thread could still be exiting when the call returns
        // (and glibc's detach races with that exit; see on_guarded_thread). Each thread is
        // known by its own OS id, so other tests' extractions do not count.
        for _ in 0..200 {
            // SAFETY: gettid has no preconditions.
            let done = on_guarded_thread(|_| unsafe { libc::gettid() }, Duration::from_secs(30));
            let tid = done.unwrap().unwrap().unwrap();
            let task = std::path::PathBuf::from(format!("/proc/self/task/{tid}"));
            // A joined thread's task entry can outlive the join by a moment: the kernel wakes
            // the joiner when it clears the thread's id, early in the thread's exit, and
            // removes the entry at its end (seen once on a loaded CI machine). A thread left
            // running would stay; one still exiting is gone within a few milliseconds.
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            while task.exists() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert!(!task.exists(), "thread {tid} left behind");
        }
        let text = extract_guarded(
            b"plain text".to_vec(),
            Format::Text,
            Duration::from_secs(30),
        );
        assert!(text.is_ok());
    }

    #[test]
    fn garbage_named_pdf_is_an_error_value() {
        // Whatever the PDF library does with garbage, the caller gets an error value.
        let garbage: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
        let result = extract_guarded(garbage, Format::Pdf, Duration::from_secs(30));
        assert!(result.is_err());
    }
}
