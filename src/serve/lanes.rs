//! Two lanes for API requests, so costly queries cannot starve everyday ones: a request's cost
//! is classified before it runs ([`classify`], from the query's [`QueryCost`] and the size of
//! the page asked for); everyday requests share the workers' permits, costly ones share one
//! permit with a short queue, and a costly request finding that queue full is answered 503
//! with `Retry-After` at once. Without lanes, eight clients sending prefix queries held all
//! four workers and everyday queries waited 13.7× longer (BENCHMARKS.md, "Serving").

use std::sync::{Condvar, Mutex};

use super::api::Reply;
use crate::search::limits::QueryCost;

/// Distinct clauses from which a query is costly: a question has a few to twenty words; a
/// pasted paragraph, each word a scorer and, when unmatched, a dictionary walk, is costly.
pub(crate) const COSTLY_CLAUSES: usize = 32;
/// Index terms the prefixes expand to from which a query is costly (`traffick*` is a few
/// dozen over the three searched fields; a one- or two-letter prefix is thousands).
pub(crate) const COSTLY_PREFIX_TERMS: usize = 256;
/// Terms in a phrase from which a query is costly: positions are intersected term by term.
pub(crate) const COSTLY_PHRASE_TERMS: usize = 8;
/// Passages read and highlighted for one page (`(offset + limit) × passages`) from which a
/// request is costly; the page's default is 10 × 2.
pub(crate) const COSTLY_PASSAGES: usize = 200;
/// Seconds a client told the costly lane is full should wait.
pub(crate) const RETRY_AFTER_SECS: u32 = 2;

/// Where a request runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// Everyday requests: the workers' permits.
    Everyday,
    /// Costly queries: one permit and a short queue.
    Costly,
}

/// The lane of a query costing `cost` whose page reads `passages` passages.
pub(crate) fn classify(cost: &QueryCost, passages: usize) -> Lane {
    if cost.clauses > COSTLY_CLAUSES
        || cost.prefix_terms > COSTLY_PREFIX_TERMS
        || cost.longest_phrase > COSTLY_PHRASE_TERMS
        || passages > COSTLY_PASSAGES
    {
        Lane::Costly
    } else {
        Lane::Everyday
    }
}

/// A counting semaphore whose queue is bounded.
struct Gate {
    state: Mutex<GateState>,
    freed: Condvar,
    permits: usize,
    queue: usize,
}

#[derive(Default)]
struct GateState {
    running: usize,
    waiting: usize,
}

/// The right to run one request in a lane, returned when dropped.
pub(crate) struct Permit<'a> {
    gate: &'a Gate,
}

impl Gate {
    fn new(permits: usize, queue: usize) -> Gate {
        Gate {
            state: Mutex::new(GateState::default()),
            freed: Condvar::new(),
            permits: permits.max(1),
            queue,
        }
    }

    /// A permit, after waiting in the queue if every permit is taken; `None` when the queue
    /// is full too.
    fn enter(&self) -> Option<Permit<'_>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.running >= self.permits {
            if state.waiting >= self.queue {
                return None;
            }
            state.waiting += 1;
            while state.running >= self.permits {
                state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            state.waiting -= 1;
        }
        state.running += 1;
        Some(Permit { gate: self })
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.state.lock().unwrap_or_else(|e| e.into_inner());
        state.running -= 1;
        self.gate.freed.notify_one();
    }
}

/// The two lanes of a server.
pub(crate) struct Lanes {
    everyday: Gate,
    costly: Gate,
}

impl Lanes {
    /// `workers` permits for everyday requests (their queue is bounded by the connections);
    /// one for costly ones, with `costly_queue` more waiting at most.
    pub(crate) fn new(workers: usize, costly_queue: usize) -> Lanes {
        Lanes {
            everyday: Gate::new(workers, usize::MAX),
            costly: Gate::new(1, costly_queue),
        }
    }

    /// A permit in `lane`, or the 503 answer when the costly lane's queue is full.
    pub(crate) fn enter(&self, lane: Lane) -> Result<Permit<'_>, Reply> {
        match lane {
            Lane::Everyday => self.everyday.enter().ok_or_else(busy),
            Lane::Costly => self.costly.enter().ok_or_else(busy),
        }
    }
}

/// 503 with `Retry-After`: the costly lane is full.
fn busy() -> Reply {
    let mut reply = Reply::error(
        503,
        "busy",
        &format!(
            "tipdex is already running as many costly queries as it allows (short prefixes, \
             more than {COSTLY_CLAUSES} words, phrases over {COSTLY_PHRASE_TERMS} words, or pages \
             over {COSTLY_PASSAGES} passages): retry in {RETRY_AFTER_SECS} s, or narrow the \
             query (longer prefixes, fewer words, a smaller page)"
        ),
    );
    reply
        .headers
        .push(("Retry-After", RETRY_AFTER_SECS.to_string()));
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    fn cost(clauses: usize, prefix_terms: usize, longest_phrase: usize) -> QueryCost {
        QueryCost {
            clauses,
            prefix_terms,
            longest_phrase,
        }
    }

    #[test]
    fn everyday_queries_and_costly_ones_are_told_apart() {
        assert_eq!(classify(&cost(3, 0, 1), 20), Lane::Everyday);
        assert_eq!(classify(&cost(20, 40, 5), 200), Lane::Everyday);
        assert_eq!(classify(&cost(33, 0, 1), 20), Lane::Costly);
        assert_eq!(classify(&cost(1, 5_000, 0), 20), Lane::Costly);
        assert_eq!(classify(&cost(1, 0, 300), 20), Lane::Costly);
        assert_eq!(classify(&cost(1, 0, 1), 100 * 10), Lane::Costly);
    }

    #[test]
    fn a_full_costly_lane_answers_503_with_retry_after_and_everyday_requests_still_run() {
        let lanes = Lanes::new(2, 1);
        let running = lanes.enter(Lane::Costly).unwrap();
        std::thread::scope(|s| {
            // One costly request waits for the running one…
            let (entered, waited) = mpsc::channel();
            let lanes = &lanes;
            s.spawn(move || {
                let _permit = lanes.enter(Lane::Costly).unwrap();
                entered.send(()).unwrap();
            });
            while lanes.costly.state.lock().unwrap().waiting == 0 {
                std::thread::yield_now();
            }
            // … the next finds the queue full and is told to come back.
            let refused = lanes
                .enter(Lane::Costly)
                .err()
                .expect("a full lane refuses");
            assert_eq!(refused.status, 503);
            assert_eq!(
                refused.headers,
                vec![("Retry-After", RETRY_AFTER_SECS.to_string())]
            );
            let body: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
            assert_eq!(body["kind"], "busy");
            assert!(body["message"].as_str().unwrap().contains("retry in 2 s"));
            // Everyday requests have their own permits meanwhile.
            let a = lanes.enter(Lane::Everyday).unwrap();
            let b = lanes.enter(Lane::Everyday).unwrap();
            drop((a, b));
            assert!(waited.try_recv().is_err(), "the costly one still waits");
            drop(running);
            waited.recv_timeout(Duration::from_secs(60)).unwrap();
        });
        assert!(lanes.enter(Lane::Costly).is_ok());
    }
}
