//! Threads kept for the work a search runs beside its passes (a query's embedding).
//!
//! Why not a thread per query: starting one cost ~0.1 ms on the searching thread and ~0.2 ms
//! before the new thread ran, and the embedding is the longest chain of a hybrid search, so
//! every microsecond before it starts is added to the query (BENCHMARKS.md, issue 22). A kept
//! thread waits on its channel; handing it a job is a send and a wake-up.
//!
//! A job goes to an idle kept thread, or to a new one when none is idle (concurrent searches
//! in a server each get their own). A thread goes back to the idle list when its job is done,
//! unless [`KEPT`] already wait there; then it ends. A job that panics ends its thread (the
//! job's owner sees its channel closed), never the process.

use std::sync::mpsc::{channel, SendError, Sender};
use std::sync::{Mutex, MutexGuard};

/// Work for a kept thread.
pub(super) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Idle threads kept at most: a server's concurrent searches, on the machines this runs on.
const KEPT: usize = 8;

/// The idle threads, each by the sender of its channel.
static IDLE: Mutex<Vec<Sender<Job>>> = Mutex::new(Vec::new());

fn idle() -> MutexGuard<'static, Vec<Sender<Job>>> {
    // Only senders are kept under the lock: nothing a panic could leave half-done.
    IDLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `job` on a kept thread (an idle one, or a new one).
pub(super) fn run(mut job: Job) {
    loop {
        let Some(thread) = idle().pop() else { break };
        match thread.send(job) {
            Ok(()) => return,
            // That thread has ended: try the next.
            Err(SendError(back)) => job = back,
        }
    }
    let (send, receive) = channel::<Job>();
    std::thread::Builder::new()
        .name("tipdex-beside".to_string())
        .spawn(move || {
            job();
            loop {
                {
                    let mut idle = idle();
                    if idle.len() >= KEPT {
                        return;
                    }
                    idle.push(send.clone());
                }
                // This thread holds a sender itself, so the channel never closes under it.
                match receive.recv() {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        })
        .expect("start a thread for the query embedding");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    /// Jobs run, one after another on a kept thread or side by side on several, and a job
    /// that panics does not stop the next ones.
    #[test]
    fn jobs_run_and_survive_a_panicking_one() {
        let (done, results) = sync_channel::<u32>(16);
        for i in 0..4 {
            let done = done.clone();
            run(Box::new(move || done.send(i).unwrap()));
        }
        run(Box::new(|| panic!("a job that fails")));
        for i in 4..8 {
            let done = done.clone();
            run(Box::new(move || done.send(i).unwrap()));
        }
        let mut got: Vec<u32> = (0..8).map(|_| results.recv().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, (0..8).collect::<Vec<_>>());
        // Two jobs at once each get a thread: each waits for the other's signal, which one
        // thread running them in turn would never give the first.
        let wait = std::time::Duration::from_secs(10);
        let (to_b, from_a) = sync_channel::<()>(1);
        let (to_a, from_b) = sync_channel::<()>(1);
        let (report, reports) = sync_channel::<bool>(2);
        let report_b = report.clone();
        run(Box::new(move || {
            to_b.send(()).unwrap();
            report.send(from_b.recv_timeout(wait).is_ok()).unwrap();
        }));
        run(Box::new(move || {
            let heard = from_a.recv_timeout(wait).is_ok();
            let _ = to_a.send(());
            report_b.send(heard).unwrap();
        }));
        assert!(reports.recv().unwrap() && reports.recv().unwrap());
    }
}
