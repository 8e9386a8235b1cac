//! The consent decisions the page's instances made (this module's instance), in the order made.
//!
//! `Vitrine.load` applies the consent it was given once the model file has arrived, seconds
//! after the page asked: a decision the shopper made in the page meanwhile — a withdrawal that
//! removed both records from storage, `erase()`, one kept in memory only, another tab's that an
//! instance of the page followed — left nothing in storage to say it is the later one, and the
//! load's consent undid it (the model lifecycle audit). Every decision an instance applies is
//! noted with its place in the page's order, which no clock put back can reorder; a load takes
//! its consent, then those noted since it was asked, as one instance would have ([`since`]).

use crate::consent::Decision;
use core::cell::{Cell, RefCell};

/// When a page called `Vitrine.load`: the time, and how many decisions had been noted by then.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Asked {
    pub at: f64,
    pub made: u64,
}

/// A decision an instance applied: its place in the order, its instance's namespace, and its
/// date — `fresh` when made at that moment (dated then, or undated: withdrawn by a record found
/// gone, `erase()`), not when dated by what it was read from (a CMP's string, a stored record).
struct Noted {
    made: u64,
    /// When it was noted (tests reconstruct a call's place from its time: [`asked_by_time`]).
    #[cfg(test)]
    noted_at: f64,
    namespace: String,
    decision: Decision,
    at: f64,
    fresh: bool,
}

/// The most decisions kept (a load reads those made while its file arrived).
const KEPT: usize = 64;

thread_local! {
    static MADE: Cell<u64> = const { Cell::new(0) };
    static NOTED: RefCell<Vec<Noted>> = const { RefCell::new(Vec::new()) };
}

/// A call made at `at`, after the decisions noted so far.
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
pub fn asked(at: f64) -> Asked {
    Asked {
        at,
        made: MADE.get(),
    }
}

/// Notes `decision`, applied at `now` by an instance of `namespace`.
pub fn note(namespace: &str, decision: Decision, now: f64) {
    let made = MADE.get() + 1;
    MADE.set(made);
    let noted = Noted {
        made,
        #[cfg(test)]
        noted_at: now,
        namespace: namespace.to_owned(),
        decision,
        at: decision.at.unwrap_or(now),
        fresh: decision.at.is_none_or(|t| t >= now),
    };
    NOTED.with_borrow_mut(|all| {
        if all.len() >= KEPT {
            all.remove(0);
        }
        all.push(noted);
    });
}

/// What stands of a consent given at `asked` and the decisions instances of `namespace` applied
/// since, taken in the order made, as one instance takes them: one made at that moment replaces
/// the one before (P3, P6, P10), one dated by a string or a record only when not older (P8).
/// `None` when the consent given stands; with the date of the one that stands.
pub fn since(namespace: &str, asked: Asked) -> (Option<Decision>, f64) {
    NOTED.with_borrow(|all| {
        let mut stands = (None, asked.at);
        let made = all
            .iter()
            .filter(|n| n.made > asked.made && n.namespace == namespace);
        for n in made {
            if n.fresh || n.at >= stands.1 {
                stands = (Some(n.decision), n.at);
            }
        }
        stands
    })
}

/// [`asked`] for a call made at `at` among decisions noted at known times: after those noted at
/// or before it (tests written as a timeline, whose steps' times stand for their order).
#[cfg(test)]
pub fn asked_by_time(at: f64) -> Asked {
    let made = NOTED.with_borrow(|all| {
        all.iter()
            .filter(|n| n.noted_at <= at)
            .map(|n| n.made)
            .max()
            .unwrap_or(0)
    });
    Asked { at, made }
}
