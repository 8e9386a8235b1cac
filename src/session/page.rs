//! The latest decision each namespace's instances made in this page (this module's instance).
//!
//! `Vitrine.load` applies the consent it was given once the model file has arrived, seconds
//! after the page asked: a decision the shopper made in the page meanwhile — a withdrawal that
//! removed both records from storage, `erase()`, one kept in memory only — left nothing in
//! storage to say it is the later one, and the load's consent undid it (the model lifecycle
//! audit). Every decision made here is noted, and a load weighs its consent against the latest.

use crate::consent::Decision;
use core::cell::RefCell;

thread_local! {
    static LATEST: RefCell<Vec<(String, Decision)>> = const { RefCell::new(Vec::new()) };
}

/// Notes `decision`, made here by an instance of `namespace`.
pub fn note(namespace: &str, decision: Decision) {
    LATEST.with_borrow_mut(|all| match all.iter_mut().find(|(n, _)| n == namespace) {
        Some((_, d)) => *d = decision,
        None => all.push((namespace.to_owned(), decision)),
    });
}

/// The latest decision made here by an instance of `namespace`, when it was made after `t`.
pub fn after(namespace: &str, t: f64) -> Option<Decision> {
    LATEST.with_borrow(|all| {
        all.iter()
            .find(|(n, _)| n == namespace)
            .map(|&(_, d)| d)
            .filter(|d| d.at.is_some_and(|at| at > t))
    })
}
