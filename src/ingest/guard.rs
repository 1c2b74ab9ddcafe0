//! The extraction guard: one file's extraction on a thread of its own, so a panic, a deep
//! recursion or a pathological file costs that file, not the run.

use std::cell::RefCell;
use std::sync::mpsc;
use std::thread::JoinHandle;
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

/// `work` on this thread's kept extraction thread: its result or its panic, or `None` past
/// `timeout` (the thread was told to stop and is left to finish on its own).
///
/// A thread is kept per calling thread and reused from file to file: starting one per file
/// (a 256 MB stack mapped, its first pages faulted in, unmapped again with a TLB shootdown on
/// the other cores) was ~3 % of a 20,000-file build's CPU. A thread whose extraction panicked
/// or ran out of time is not reused: a panicking library may have left its thread's state
/// half-updated, and a timed-out one is still busy.
fn on_guarded_thread<T: Send + 'static>(
    work: impl FnOnce(&Stop) -> T + Send + 'static,
    timeout: Duration,
) -> std::io::Result<Option<std::thread::Result<T>>> {
    let (tx, rx) = mpsc::channel();
    let stop = Stop::default();
    let stop_thread = stop.clone();
    let job: Job = Box::new(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&stop_thread)));
        // Before the result goes: the caller may hand this thread the next file at once.
        deep_stack::release();
        let _ = tx.send(result);
    });
    let worker = match KEPT.with(|kept| kept.borrow_mut().take()) {
        Some(worker) => worker,
        None => Worker::start()?,
    };
    // A kept thread leaves its loop only when its sender is dropped, so it takes the job.
    worker.jobs.send(job).map_err(|_| {
        std::io::Error::other("the extraction thread ended before it was given a file")
    })?;
    match rx.recv_timeout(timeout) {
        Ok(result) => {
            if result.is_ok() {
                KEPT.with(|kept| *kept.borrow_mut() = Some(worker));
            }
            Ok(Some(result))
        }
        Err(_) => {
            stop.stop();
            worker.abandon();
            Ok(None)
        }
    }
}

/// One extraction, run on a kept thread.
type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// The calling thread's kept extraction thread, idle between files.
    static KEPT: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// An extraction thread waiting for jobs: it runs them one by one until its sender is dropped.
struct Worker {
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn start() -> std::io::Result<Worker> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name(EXTRACT_THREAD.into())
            .stack_size(256 * 1024 * 1024)
            .spawn(move || {
                deep_stack::mark_top();
                while let Ok(job) = inbox.recv() {
                    job();
                }
            })?;
        Ok(Worker {
            jobs,
            thread: Some(thread),
        })
    }

    /// Leave a busy thread to finish its job and end on its own: its sender goes, so it stops
    /// after the job.
    fn abandon(mut self) {
        self.thread.take();
    }
}

impl Drop for Worker {
    /// An idle (or panicked) worker is ended and joined, not detached: glibc's pthread_detach
    /// races with a thread that is exiting at that moment (the exiting thread sees itself
    /// detached and unmaps its stack while pthread_detach still reads the thread's descriptor
    /// there); with this 256 MB stack, too big for glibc's stack cache, the unmap is immediate,
    /// and an index run of 20,000 files once died of it by SIGSEGV in pthread_detach. A join
    /// has no such window.
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.jobs, closed));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A kept thread's stack past its first [`deep_stack::KEPT`] bytes given back after each file.
/// A file that recursed deep (nested HTML lists, PDF objects) touches pages of the 256 MB
/// stack that a thread living on would otherwise hold for the rest of the run, and three kept
/// threads could hold three such peaks at once; a thread per file gave them back as it ended.
mod deep_stack {
    /// Stack kept resident below the extraction loop's frame: what ordinary files use, so
    /// they do not fault their stack in again file after file.
    pub(super) const KEPT: usize = 8 * 1024 * 1024;

    #[cfg(target_os = "linux")]
    thread_local! {
        /// The part of this thread's stack given back after each file (page-aligned), found
        /// once when the thread starts.
        pub(super) static RELEASED: std::cell::Cell<Option<(usize, usize)>> =
            const { std::cell::Cell::new(None) };
    }

    /// Note which part of this thread's stack goes back after each file: everything more
    /// than [`KEPT`] bytes below here. Called first thing on an extraction thread.
    pub(super) fn mark_top() {
        #[cfg(target_os = "linux")]
        {
            let here = 0u8;
            let top = std::ptr::addr_of!(here) as usize;
            RELEASED.with(|r| r.set(stack_below(top.saturating_sub(KEPT))));
        }
    }

    /// Give back the pages of this thread's stack more than [`KEPT`] bytes below its top (a
    /// hint to the kernel: untouched pages cost nothing, touched ones read as zero again). No-op
    /// off Linux and on threads that did not [`mark_top`].
    pub(super) fn release() {
        #[cfg(target_os = "linux")]
        if let Some((low, high)) = RELEASED.with(std::cell::Cell::get) {
            // SAFETY: the range is this thread's own stack, below (deeper than) every frame
            // live now, which sits within KEPT bytes of the top; nothing there is read again
            // before being written. MADV_DONTNEED only drops pages.
            unsafe {
                libc::madvise(low as *mut libc::c_void, high - low, libc::MADV_DONTNEED);
            }
        }
    }

    /// The page-aligned part of this thread's stack from its lowest address up to `end`.
    #[cfg(target_os = "linux")]
    fn stack_below(end: usize) -> Option<(usize, usize)> {
        // SAFETY: plain libc calls on this thread's own attributes, destroyed after use.
        let (addr, _size) = unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
                return None;
            }
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let got = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
            libc::pthread_attr_destroy(&mut attr);
            if got != 0 {
                return None;
            }
            (addr as usize, size)
        };
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
        let low = addr.checked_add(page - 1)? & !(page - 1);
        let high = end & !(page - 1);
        (high > low).then_some((low, high))
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
    fn thread_id() -> i32 {
        // SAFETY: gettid has no preconditions.
        unsafe { libc::gettid() }
    }

    #[cfg(target_os = "linux")]
    fn task_exists(tid: i32) -> bool {
        std::path::PathBuf::from(format!("/proc/self/task/{tid}")).exists()
    }

    /// Waits for a thread that was asked to end: the kernel removes its task entry at the end
    /// of its exit, a moment after the join returns (seen once on a loaded CI machine).
    #[cfg(target_os = "linux")]
    fn ends_soon(tid: i32) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while task_exists(tid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        !task_exists(tid)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn files_in_a_row_share_one_extraction_thread_and_a_failed_one_is_replaced() {
        // On a thread of its own, so no other test's extractions share its kept thread.
        std::thread::spawn(|| {
            let on_kept = || {
                on_guarded_thread(|_| thread_id(), Duration::from_secs(30))
                    .unwrap()
                    .unwrap()
                    .unwrap()
            };
            let first = on_kept();
            assert_ne!(first, thread_id(), "extraction ran on the caller's thread");
            for _ in 0..200 {
                assert_eq!(
                    on_kept(),
                    first,
                    "a new thread was started for a later file"
                );
            }
            // A panic retires the thread: the next file gets a new one, and the old one ends.
            let panicked = on_guarded_thread(
                |_| -> i32 { panic!("a format library gave up") },
                Duration::from_secs(30),
            )
            .unwrap()
            .unwrap();
            assert!(panicked.is_err());
            assert!(
                ends_soon(first),
                "the panicked thread {first} was left behind"
            );
            let second = on_kept();
            assert_ne!(second, first);
            // A timed-out extraction keeps its thread busy: the next file gets another one,
            // and the abandoned one ends once its extraction sees the stop.
            let (tid_tx, tid_rx) = std::sync::mpsc::channel();
            let timed_out = on_guarded_thread(
                move |stop| {
                    let _ = tid_tx.send(thread_id());
                    while !stop.requested() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                },
                Duration::from_millis(50),
            )
            .unwrap();
            assert!(timed_out.is_none());
            let busy = tid_rx.recv().unwrap();
            assert_eq!(busy, second);
            assert!(ends_soon(busy), "the abandoned thread {busy} did not end");
            let third = on_kept();
            assert_ne!(third, second);
            let text = extract_guarded(
                b"plain text".to_vec(),
                Format::Text,
                Duration::from_secs(30),
            );
            assert!(text.is_ok());
        })
        .join()
        .unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_kept_thread_ends_with_the_thread_that_kept_it() {
        let kept = std::thread::spawn(|| {
            on_guarded_thread(|_| thread_id(), Duration::from_secs(30))
                .unwrap()
                .unwrap()
                .unwrap()
        })
        .join()
        .unwrap();
        assert!(
            ends_soon(kept),
            "extraction thread {kept} outlived its caller"
        );
    }

    /// Touches `depth` KB of stack, one frame per KB, and returns the deepest address reached.
    #[cfg(target_os = "linux")]
    fn recurse(depth: usize) -> usize {
        let frame = std::hint::black_box([1u8; 1024]);
        let here = std::ptr::addr_of!(frame) as usize;
        if depth == 0 {
            return here;
        }
        std::hint::black_box(recurse(depth - 1)).min(here)
    }

    /// How many pages of `low..high` are resident.
    #[cfg(target_os = "linux")]
    fn resident_pages(low: usize, high: usize) -> usize {
        let page = 4096;
        let mut flags = vec![0u8; (high - low).div_ceil(page)];
        // SAFETY: the range is mapped (a live thread's stack); mincore only reads page tables.
        let got =
            unsafe { libc::mincore(low as *mut libc::c_void, high - low, flags.as_mut_ptr()) };
        assert_eq!(got, 0, "mincore failed");
        flags.iter().filter(|f| *f & 1 == 1).count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_deep_file_leaves_its_kept_thread_with_no_more_stack_than_an_ordinary_one() {
        std::thread::spawn(|| {
            // 48 MB deep: far past what the thread keeps resident.
            let (deepest, range) = on_guarded_thread(
                |_| {
                    let deepest = recurse(48 * 1024);
                    (deepest, deep_stack::RELEASED.with(std::cell::Cell::get))
                },
                Duration::from_secs(60),
            )
            .unwrap()
            .unwrap()
            .unwrap();
            let (low, high) = range.expect("the thread's stack bounds");
            let low = low.max(deepest & !4095);
            assert!(
                high > low + 32 * 1024 * 1024,
                "the recursion did not go deep"
            );
            // The kept thread is idle now, and the pages it touched past KEPT are gone.
            assert_eq!(resident_pages(low, high), 0);
            // And it is still the kept one: the next file runs on it.
            let again = on_guarded_thread(|_| recurse(0), Duration::from_secs(60))
                .unwrap()
                .unwrap()
                .unwrap();
            assert!(again >= high, "the next file ran on another thread's stack");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn garbage_named_pdf_is_an_error_value() {
        // Whatever the PDF library does with garbage, the caller gets an error value.
        let garbage: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
        let result = extract_guarded(garbage, Format::Pdf, Duration::from_secs(30));
        assert!(result.is_err());
    }
}
