//! Ctrl-C during `index`: the first stops the run at its next chunk with its work committed
//! (the indexer checks the flag), a second ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock};

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();
static INSTALL: Once = Once::new();

/// The flag a Ctrl-C sets, with the handler installed.
pub fn stop_flag() -> Arc<AtomicBool> {
    let flag = STOP
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone();
    #[cfg(unix)]
    INSTALL.call_once(|| {
        let handler = on_sigint as extern "C" fn(libc::c_int);
        // SAFETY: the handler only touches an atomic and calls async-signal-safe functions.
        unsafe {
            libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        }
    });
    #[cfg(not(unix))]
    INSTALL.call_once(|| {});
    flag
}

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    let first = STOP
        .get()
        .is_some_and(|flag| !flag.swap(true, Ordering::SeqCst));
    if first {
        let note = b"\ntipdex: stopping: committing the files done so far (Ctrl-C again to quit at once)\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, note.as_ptr().cast(), note.len());
        }
    } else {
        unsafe { libc::_exit(130) }
    }
}
