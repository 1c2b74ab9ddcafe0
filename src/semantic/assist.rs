//! A second thread's hands on one query embedding: the thread that waits for the vector
//! computes some of each dense layer's output rows instead of sleeping.
//!
//! Why: a hybrid search embeds its query on a thread of its own beside the lexical passes,
//! and the lexical side finishes first (at 20k documents ~0.8 ms of passes against ~1.4 ms
//! of embedding), leaving one core idle while the other embeds; measured on a quiet machine
//! it takes hybrid/lexical p50 from 1.91–1.99 to 1.80–1.95 (BENCHMARKS.md, issue 22). The embedding's thread (the owner) publishes each
//! dense layer as a [`Job`] of row chunks; a helper ([`Assist::help`]) takes chunks from the
//! same counter until none is left. A row is computed whole by whichever thread takes it,
//! with the same kernel and token tiles, so the vector is the same bits however the rows
//! were shared — or if no helper came at all. No thread is started for this and none spins
//! for long: the helper is the searching thread, which had nothing else to do.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A dense layer's rows taken at a time: a few microseconds of work, so a late helper still
/// finds some and the counter is not fought over.
pub(super) const ROWS: usize = 64;
/// How many times a helper checks for the next layer before sleeping: the owner spends only
/// microseconds between dense layers (attention, norms), less than a sleep and a wake cost.
const SPINS: usize = 2_000;

/// The meeting point of one embedding's owner and its helper.
#[derive(Default)]
pub struct Assist {
    state: Mutex<State>,
    changed: Condvar,
    /// Bumped when a job is published or the embedding ends, read by a spinning helper.
    generation: AtomicU64,
    /// Helpers inside the current job: the owner waits for none before the job ends,
    /// spinning first (a helper's last chunk is microseconds away) and then on the lock.
    inside: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// The owner's current job, while it is published.
    job: Option<JobRef>,
    /// Its generation, so a helper does not join the same job twice.
    generation: u64,
    /// The embedding is over: the helper goes back.
    done: bool,
}

/// The owner's job, lent to the helper across threads.
#[derive(Clone, Copy)]
struct JobRef(*const Job<'static>);

// SAFETY: the job behind the pointer is `Sync` (an atomic counter and a `Sync` closure), and
// the owner keeps it alive until no helper is inside it (`Assist::split`).
unsafe impl Send for JobRef {}

/// Rows `0..rows` of one job (a dense layer's rows, a sketch pass's chunks), done by `work`
/// `chunk` rows at a time.
struct Job<'a> {
    rows: usize,
    chunk: usize,
    next: AtomicUsize,
    work: &'a (dyn Fn(Range<usize>) + Sync),
}

impl Job<'_> {
    /// Take chunks until none is left.
    fn run(&self) {
        loop {
            let start = self.next.fetch_add(self.chunk, Ordering::Relaxed);
            if start >= self.rows {
                return;
            }
            (self.work)(start..(start + self.chunk).min(self.rows));
        }
    }
}

impl Assist {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic inside a job leaves only counters behind, still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `work` over the rows `0..rows` (`chunk` at a time, each row exactly once), a
    /// helper taking some if one is waiting; returns when every row is done.
    pub(crate) fn split(&self, rows: usize, chunk: usize, work: &(dyn Fn(Range<usize>) + Sync)) {
        let job = Job {
            rows,
            chunk: chunk.max(1),
            next: AtomicUsize::new(0),
            work,
        };
        {
            let mut state = self.lock();
            // The lifetime is erased for the helper's sake; the job stays alive below until
            // no helper is inside it.
            state.job = Some(JobRef((&job as *const Job<'_>).cast::<Job<'static>>()));
            state.generation += 1;
            self.generation.store(state.generation, Ordering::Release);
        }
        self.changed.notify_all();
        job.run();
        // The helper's last chunk is a few microseconds away: spin for it rather than sleep
        // and be woken, which costs tens of microseconds on a VM, for every layer.
        for _ in 0..SPINS {
            if self.inside.load(Ordering::Acquire) == 0 {
                break;
            }
            std::hint::spin_loop();
        }
        let mut state = self.lock();
        state.job = None;
        while self.inside.load(Ordering::Acquire) > 0 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The embedding is over (or failed): a helper stops waiting for work.
    pub fn finish(&self) {
        self.lock().done = true;
        self.generation.fetch_add(1, Ordering::Release);
        self.changed.notify_all();
    }

    /// Take a share of every job the owner publishes, until [`Assist::finish`].
    pub fn help(&self) {
        let mut joined = 0;
        loop {
            // Spin a little for the next layer before sleeping on the lock.
            for _ in 0..SPINS {
                if self.generation.load(Ordering::Acquire) != joined {
                    break;
                }
                std::hint::spin_loop();
            }
            let mut state = self.lock();
            loop {
                if state.done {
                    return;
                }
                if state.generation != joined {
                    if let Some(job) = state.job {
                        joined = state.generation;
                        // Under the lock, so an owner that found none inside ends its
                        // job before another helper can join it.
                        self.inside.fetch_add(1, Ordering::AcqRel);
                        drop(state);
                        // SAFETY: the owner published the job and does not end it (nor
                        // let it go out of scope) while `inside` counts this thread.
                        unsafe { &*job.0 }.run();
                        let last = self.inside.fetch_sub(1, Ordering::AcqRel) == 1;
                        // Notified under the lock, so an owner that saw this thread inside
                        // is already waiting.
                        state = self.lock();
                        if last {
                            self.changed.notify_all();
                        }
                        break;
                    }
                    // Published and already ended: nothing to join.
                    joined = state.generation;
                }
                state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// Calls [`Assist::finish`] when dropped, so a helper never waits on an owner that panicked.
pub struct Finish<'a>(pub &'a Assist);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    /// Every row of every job done exactly once, with or without a helper, however the two
    /// threads meet.
    #[test]
    fn every_row_is_done_once() {
        for helper in [false, true] {
            let assist = Assist::default();
            let counts: Vec<AtomicU32> = (0..1000).map(|_| AtomicU32::new(0)).collect();
            std::thread::scope(|s| {
                if helper {
                    s.spawn(|| assist.help());
                }
                let _finish = Finish(&assist);
                for rows in [1, 64, 65, 384, 1000, 7] {
                    assist.split(rows, ROWS, &|range: Range<usize>| {
                        for r in range {
                            counts[r].fetch_add(1, Ordering::Relaxed);
                        }
                    });
                }
            });
            let expected = |r: usize| [1, 64, 65, 384, 1000, 7].iter().filter(|&&n| r < n).count();
            for (r, c) in counts.iter().enumerate() {
                assert_eq!(c.load(Ordering::Relaxed) as usize, expected(r), "row {r}");
            }
        }
    }
}
