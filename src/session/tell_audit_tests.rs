//! Fifth re-audit: telling the page's other instances (`storage::after_writes`, `told_late`) and
//! a different decision of the same millisecond taken over (`Session::storage_changed`).
//!
//! `storage::after_writes` is in the wasm layer. [`Page`] here is a port of it: the instances
//! are `Rc<RefCell<Session>>`, a busy one put aside (`SKIPPED`) and told when its call ends
//! (`told_late`, first thing in `after_writes`), the others told in turns, once a turn, until a
//! turn without a write (three at most). Of the defects the re-audit found (on 4fd2e8d), those
//! shown here are fixed but one, left (ignored: more than 32 writers). Its back-end, [`Local`], counts writes as `LocalStorage`
//! does: every `setItem`, and a `removeItem` only of a key that is there (looked at with
//! `getItem` first). What needs the real wiring (a page's `Storage` methods, the timer, the
//! `storage` event) is in `tests/browser/tell_audit.test.mjs`.

use super::sync_tests::seed;
use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::Source;
use crate::store::{Backend, MemoryBackend, StoreError};
use crate::value::from_json;
use serde_json::{json, Value as Json};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

// ---------------------------------------------------------------------------------------------
// The page: `LocalStorage`'s write count and `storage::after_writes`, ported
// ---------------------------------------------------------------------------------------------

/// `LocalStorage` over a [`MemoryBackend`]: `WRITES` counts every write and every removal of a
/// key that is there; a removal looks first (`contains`, a `getItem`) and fails when the look
/// does, as `LocalStorage::remove` does (a look that fails removes anyway).
#[derive(Clone)]
pub(super) struct Local {
    pub(super) mem: MemoryBackend,
    pub(super) writes: Rc<Cell<u64>>,
}

impl Backend for Local {
    fn name(&self) -> &'static str {
        "local"
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.mem.get(key)
    }
    fn contains(&self, key: &str) -> Result<bool, StoreError> {
        self.mem.contains(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.mem.set(key, value)?;
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        if let Ok(false) = self.contains(key) {
            return Ok(());
        }
        self.mem.remove(key)?;
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.mem.keys()
    }
}

pub(super) type Inst = Rc<RefCell<Session>>;

/// One page: its `localStorage`, its instances (`SHARED`), the instances put aside (`SKIPPED`),
/// and how often an instance was told (`storage_changed` run by `after_writes`).
pub(super) struct Page {
    pub(super) local: Local,
    pub(super) shared: Vec<(String, Weak<RefCell<Session>>)>,
    pub(super) skipped: Vec<Weak<RefCell<Session>>>,
    pub(super) tellings: usize,
}

impl Page {
    pub(super) fn new() -> Self {
        Page {
            local: Local {
                mem: MemoryBackend::new(),
                writes: Rc::new(Cell::new(0)),
            },
            shared: Vec::new(),
            skipped: Vec::new(),
            tellings: 0,
        }
    }

    pub(super) fn mem(&self) -> &MemoryBackend {
        &self.local.mem
    }

    pub(super) fn writes(&self) -> u64 {
        self.local.writes.get()
    }

    /// `Vitrine.open` at `now` (`open_parsed`: the write interval of the wasm layer, then
    /// `Shared::join` and `after_writes`).
    pub(super) fn open(&mut self, extra: Json, now: f64) -> Inst {
        let before = self.writes();
        let mut s = Session::open(
            options(extra),
            Box::new(self.local.clone()),
            Env {
                now,
                seed: seed(),
                gpc: false,
            },
        );
        s.set_write_interval(WRITE_INTERVAL_MS);
        let ns = s.namespace().to_owned();
        let rc = Rc::new(RefCell::new(s));
        self.shared.push((ns, Rc::downgrade(&rc)));
        self.after_writes(&rc, before, now);
        rc
    }

    /// `Vitrine::with`: the call, then `after_writes`.
    pub(super) fn call<T>(&mut self, v: &Inst, now: f64, f: impl FnOnce(&mut Session) -> T) -> T {
        let before = self.writes();
        let r = f(&mut v.borrow_mut());
        self.after_writes(v, before, now);
        r
    }

    /// `storage::after_writes` as it is now (told late first, then in turns).
    pub(super) fn after_writes(&mut self, session: &Inst, before: u64, now: f64) {
        if self.told_late(session) {
            if let Ok(mut s) = session.try_borrow_mut() {
                s.storage_changed(now);
            }
        }
        if self.writes() == before {
            return;
        }
        let Ok(namespace) = session.try_borrow().map(|s| s.namespace().to_owned()) else {
            return;
        };
        let others = |shared: &[(String, Weak<RefCell<Session>>)]| -> Vec<Weak<RefCell<Session>>> {
            shared
                .iter()
                .filter(|(n, s)| *n == namespace && !std::ptr::eq(s.as_ptr(), Rc::as_ptr(session)))
                .map(|(_, s)| s.clone())
                .collect()
        };
        let mut turn = others(&self.shared);
        for _ in 0..3 {
            let start = self.writes();
            for other in &turn {
                let Some(rc) = other.upgrade() else { continue };
                let told = match rc.try_borrow_mut() {
                    Ok(mut s) => {
                        s.storage_changed(now);
                        true
                    }
                    Err(_) => false,
                };
                match told {
                    true => self.tellings += 1,
                    false => self.skipped.push(other.clone()),
                }
            }
            if self.writes() == start {
                return;
            }
            turn = others(&self.shared);
            turn.push(Rc::downgrade(session));
        }
    }

    /// `storage::told_late`.
    pub(super) fn told_late(&mut self, session: &Inst) -> bool {
        let before = self.skipped.len();
        self.skipped
            .retain(|s| s.strong_count() > 0 && !std::ptr::eq(s.as_ptr(), Rc::as_ptr(session)));
        self.skipped.len() != before
    }
}

pub(super) fn options(extra: Json) -> OpenOptions {
    let mut o = json!({ "catalog": catalog() });
    if let (Json::Object(o), Json::Object(e)) = (&mut o, extra) {
        o.extend(e);
    }
    OpenOptions::parse(from_json(&o)).unwrap()
}

pub(super) fn yes() -> Json {
    json!({"consent": {"personalization": true, "storage": true}})
}

/// A refusal that keeps storage (its record stays, the profile goes).
pub(super) fn no() -> Json {
    json!({"consent": {"personalization": false, "storage": true}})
}

pub(super) fn track(s: &mut Session, id: &str, t: f64) -> bool {
    s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({ "product_id": id })),
        &Value::Undefined,
        t,
    )
    .unwrap()
    .accepted
}

pub(super) fn events(s: &Session, now: f64) -> u32 {
    s.profile(now).map_or(0, |p| p.events)
}

pub(super) fn personalizes(v: &Inst) -> bool {
    v.borrow().consent().personalization
}

pub(super) fn syncs(s: &Session) -> usize {
    s.audit(NOW)
        .history
        .iter()
        .filter(|e| {
            matches!(
                e,
                Entry::Sync {
                    what: "consent",
                    ..
                }
            )
        })
        .count()
}

/// The catalog's items, by index.
pub(super) fn item(i: usize) -> String {
    let c = catalog();
    c[i % c.as_array().unwrap().len()]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What a page opened at `now` reads from storage: the events of the stored profile.
pub(super) fn stored_events(page: &Page, now: f64) -> u32 {
    let r = Session::open(
        options(json!({})),
        Box::new(page.mem().clone()),
        Env {
            now,
            seed: seed(),
            gpc: false,
        },
    );
    events(&r, now)
}

/// `n` instances with the banner's yes, each tracking one event (written at once: the first of
/// each), then, when `waiting`, one more within the write interval (left for the timer).
pub(super) fn instances_tracking(page: &mut Page, n: usize, waiting: bool) -> Vec<Inst> {
    let all: Vec<Inst> = (0..n).map(|i| page.open(yes(), NOW + i as f64)).collect();
    for (i, v) in all.iter().enumerate() {
        let t = NOW + 100.0 + i as f64;
        assert!(page.call(v, t, |s| track(s, &item(i), t)));
    }
    if waiting {
        for (i, v) in all.iter().enumerate() {
            let t = NOW + 150.0 + i as f64;
            assert!(page.call(v, t, |s| track(s, &item(i + 20), t)));
        }
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

/// The main instance and nine product cards each have an event waiting for its timer; the main
/// instance's `audit()` writes its own. Each card it tells merges and writes its waiting event,
/// and each such write re-tells every instance told before it (1 + 2 + … + 9 = 45 re-tellings
/// against a bound of 40): the bound runs out, and the instances told before the last cards
/// wrote never take their events over. The main instance has no timer left to merge them: it
/// holds 19 of the 20 until something else writes. As ten tabs, each would receive every write.
#[test]
fn ten_instances_each_with_an_event_waiting_all_hold_every_event_after_one_writes() {
    let mut page = Page::new();
    let all = instances_tracking(&mut page, 10, true);
    let t = NOW + 200.0;
    page.call(&all[0], t, |s| s.flush(t)); // `audit()`
    assert_eq!(stored_events(&page, t), 20);
    // Every other instance's timer: it merges what is stored, and has nothing left to write.
    for v in &all[1..] {
        page.call(v, t + 200.0, |s| s.flush(t + 200.0));
    }
    let held: Vec<u32> = all.iter().map(|v| events(&v.borrow(), t)).collect();
    // Found: [19, 20, 19, 19, 19, 19, 19, 19, 19, 19] (the timers: [19, 20, 20, …]).
    assert_eq!(held, [20; 10]);
}

/// Thirty-three instances of a namespace (product cards) each track one event, one after the
/// other. The writers' clock keeps 32 writers (`MAX_WRITERS`): the 33rd write pushes the writer
/// that wrote least recently out, and that instance, told, finds its own event missing from the
/// clock and re-applies it; its write pushes out another, and so on (every write tells every
/// instance). Storage ends with 66 events for 33; 32 instances store 32.
#[test]
#[ignore = "left: more than 32 instances or tabs writing count events again (the writers\' clock keeps 32; RELIABILITY.md)"]
fn thirty_three_instances_each_tracking_one_event_store_each_once() {
    let mut page = Page::new();
    let all = instances_tracking(&mut page, 32, false);
    assert_eq!(stored_events(&page, NOW + 1_000.0), 32, "thirty-two");
    drop(all);
    let mut page = Page::new();
    let all = instances_tracking(&mut page, 33, false);
    let most = all.iter().map(|v| events(&v.borrow(), NOW + 1_000.0)).max();
    // Found: 66 stored, an instance holding 66.
    assert_eq!(
        (stored_events(&page, NOW + 1_000.0), most),
        (33, Some(33)),
        "thirty-three"
    );
}

/// The main instance opens with the CMP's yes and, in the same millisecond, a widget with the
/// banner's refusal, whose consent record cannot be written (`localStorage` full for it). Storage
/// holds the yes, written *before* the refusal was made. The main instance's next write tells
/// the widget, which takes the yes over as a different decision of the same millisecond
/// "written after" its own — it never was — and personalizes. A millisecond later, the widget
/// keeps its refusal (the guard below). Two tabs do the same.
#[test]
fn a_refusal_whose_record_write_failed_is_not_undone_by_a_yes_of_the_same_millisecond() {
    let mut page = Page::new();
    let main = page.open(yes(), NOW);
    *page.mem().fail_writes_of.borrow_mut() = Some("consent");
    let widget = page.open(no(), NOW);
    *page.mem().fail_writes_of.borrow_mut() = None;
    assert!(!personalizes(&widget));
    assert!(page.call(&main, NOW + 300.0, |s| track(s, "mugs-2", NOW + 300.0)));
    // Found: true, true.
    assert!(!personalizes(&widget), "the widget takes the yes over");
    assert!(!page.call(&widget, NOW + 400.0, |s| track(s, "mugs-3", NOW + 400.0)));
}

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/// The same, a millisecond apart: the widget keeps its refusal (the main instance keeps the yes
/// storage holds: it cannot learn of the other, as documented by the fourth re-audit).
#[test]
fn a_refusal_whose_record_write_failed_a_millisecond_later_stands() {
    let mut page = Page::new();
    let main = page.open(yes(), NOW);
    *page.mem().fail_writes_of.borrow_mut() = Some("consent");
    let widget = page.open(no(), NOW + 1.0);
    *page.mem().fail_writes_of.borrow_mut() = None;
    assert!(page.call(&main, NOW + 300.0, |s| track(s, "mugs-2", NOW + 300.0)));
    assert!(!personalizes(&widget));
    assert!(!page.call(&widget, NOW + 400.0, |s| track(s, "mugs-3", NOW + 400.0)));
}

/// Two instances whose decisions differ in one millisecond, in either order, and a third with a
/// third decision: each takes over what storage holds (the one written last), once; nothing is
/// written back and forth afterwards, however often they are told again, and a page opened next
/// agrees.
#[test]
fn decisions_of_one_millisecond_settle_on_the_last_written_without_flipping() {
    let decisions = [
        yes(),
        no(),
        json!({"consent": {"personalization": true, "storage": true, "sensitive": true}}),
        json!({"consent": {"personalization": false, "storage": false}, "policy": {"rememberRefusal": true}}),
    ];
    for a in &decisions {
        for b in &decisions {
            for c in [None, Some(&decisions[1]), Some(&decisions[2])] {
                let mut page = Page::new();
                let mut all = vec![page.open(a.clone(), NOW), page.open(b.clone(), NOW)];
                if let Some(c) = c {
                    all.push(page.open(c.clone(), NOW));
                }
                let state = |v: &Inst| {
                    let c = v.borrow().consent();
                    (c.personalization, c.storage, c.sensitive)
                };
                let next = Session::open(
                    options(json!({"policy": {"rememberRefusal": true}})),
                    Box::new(page.mem().clone()),
                    Env {
                        now: NOW + 1.0,
                        seed: seed(),
                        gpc: false,
                    },
                );
                let stored = next.consent();
                let want = (stored.personalization, stored.storage, stored.sensitive);
                for (i, v) in all.iter().enumerate() {
                    assert_eq!(state(v), want, "{i}: {a} {b} {c:?}");
                }
                let (writes, snapshot) = (page.writes(), page.mem().snapshot());
                let syncs_before: Vec<usize> = all.iter().map(|v| syncs(&v.borrow())).collect();
                for round in 0..5 {
                    for v in &all {
                        let t = NOW + 10.0 + f64::from(round);
                        page.call(v, t, |s| s.storage_changed(t));
                    }
                }
                assert_eq!(
                    page.writes(),
                    writes,
                    "{a} {b} {c:?}: written back and forth"
                );
                assert_eq!(page.mem().snapshot(), snapshot);
                let syncs_after: Vec<usize> = all.iter().map(|v| syncs(&v.borrow())).collect();
                assert_eq!(syncs_after, syncs_before, "{a} {b} {c:?}: taken over again");
            }
        }
    }
}

/// Two tabs (no `after_writes` between them: each runs `storage_changed` on the other's events,
/// delivered late, in any order) whose decisions differ in one millisecond: both end with the
/// one storage holds, and an event of the earlier write delivered after the later one does not
/// flip a tab back (the handler reads storage as it is).
#[test]
fn two_tabs_deciding_in_one_millisecond_agree_and_a_late_event_flips_nothing() {
    for (first, second) in [(yes(), no()), (no(), yes())] {
        let mem = MemoryBackend::new();
        let tab = |extra: Json| {
            Session::open(
                options(extra),
                Box::new(mem.clone()),
                Env {
                    now: NOW,
                    seed: seed(),
                    gpc: false,
                },
            )
        };
        let mut one = tab(first.clone());
        let mut two = tab(second.clone());
        let writes = mem.writes.get();
        // Two's event for its own write reaches one; one's (older) event reaches two late.
        one.storage_changed(NOW + 5.0);
        two.storage_changed(NOW + 6.0);
        one.storage_changed(NOW + 7.0);
        let (a, b) = (one.consent(), two.consent());
        assert_eq!(
            (a.personalization, a.storage),
            (b.personalization, b.storage),
            "{first} then {second}"
        );
        assert_eq!(
            b.source,
            Source::Explicit,
            "the tab that wrote last keeps its own"
        );
        assert_eq!(mem.writes.get(), writes, "no decision written back");
    }
}

/// Fifty instances (a main one, 49 cards) idle while the main one tracks: each card is told
/// once, none re-told, none writes; every one holds the event.
#[test]
fn fifty_idle_instances_are_each_told_once_per_write() {
    let mut page = Page::new();
    let all: Vec<Inst> = (0..50).map(|i| page.open(yes(), NOW + i as f64)).collect();
    page.tellings = 0;
    let writes = page.writes();
    let t = NOW + 1_000.0;
    assert!(page.call(&all[0], t, |s| track(s, "mugs-1", t)));
    assert_eq!(page.tellings, 49);
    assert_eq!(page.writes(), writes + 1, "one write: the main instance's");
    assert!(all.iter().all(|v| events(&v.borrow(), t) == 1));
}

/// Nine instances each with an event waiting: the bound holds, every one ends with every event,
/// each stored once, and the tellings stay within `others + 4 × (others + 1)`.
#[test]
fn nine_instances_each_with_an_event_waiting_all_hold_every_event() {
    let mut page = Page::new();
    let all = instances_tracking(&mut page, 9, true);
    page.tellings = 0;
    let t = NOW + 200.0;
    page.call(&all[0], t, |s| s.flush(t));
    assert!(page.tellings <= 8 + 4 * 9, "{} tellings", page.tellings);
    assert_eq!(stored_events(&page, t), 18);
    assert!(all.iter().all(|v| events(&v.borrow(), t) == 18));
}

/// A refusal one of fifty instances opens with (the removals of a record already gone count as
/// no write) reaches every instance, the first-opened included, each told once.
#[test]
fn a_refusal_opened_by_the_fiftieth_instance_reaches_all_forty_nine() {
    let mut page = Page::new();
    let main = page.open(yes(), NOW);
    assert!(page.call(&main, NOW + 1.0, |s| track(s, "mugs-1", NOW + 1.0)));
    let cards: Vec<Inst> = (0..48)
        .map(|i| page.open(json!({}), NOW + 2.0 + i as f64))
        .collect();
    page.tellings = 0;
    let writes = page.writes();
    let widget = page.open(no(), NOW + 100.0);
    assert!(!personalizes(&widget));
    assert!(!personalizes(&main) && cards.iter().all(|c| !personalizes(c)));
    assert_eq!(page.tellings, 49, "each told once");
    assert_eq!(
        page.writes(),
        writes + 2,
        "the refusal's two: its record, the profile's removal"
    );
    assert_eq!(
        page.mem().snapshot().into_keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
}

/// An instance busy when another opens with a refusal (page code inside its call): put aside,
/// then told when its call ends — also when that call wrote the profile back after the removal
/// (a look before its write ran the page code), when a nested call on it was refused meanwhile,
/// and when another instance put aside with it was freed before.
#[test]
fn an_instance_busy_when_told_follows_when_its_call_ends() {
    let mut page = Page::new();
    let main = page.open(yes(), NOW);
    assert!(page.call(&main, NOW + 1.0, |s| track(s, "mugs-1", NOW + 1.0)));
    let card = page.open(json!({}), NOW + 2.0);
    let t = NOW + 300.0;
    let before = page.writes();
    // The call: page code opens the widget inside it, then the call writes.
    let (widget, card_guard) = {
        let mut s = main.borrow_mut();
        let g = card.borrow_mut(); // the card busy too (its own call, further out)
        let w = page.open(no(), t);
        assert!(
            track(&mut s, "mugs-2", t),
            "the call itself ran under the yes"
        );
        s.flush(t);
        (w, g)
    };
    assert_eq!(page.skipped.len(), 2);
    drop(card_guard);
    drop(card); // freed before its call's end looked
    if page.told_late(&main) {
        main.borrow_mut().storage_changed(t);
    }
    page.after_writes(&main, before, t);
    assert!(page.skipped.is_empty(), "the freed one is forgotten");
    assert!(!personalizes(&main));
    assert!(!personalizes(&widget));
    assert_eq!(
        page.mem().snapshot().into_keys().collect::<Vec<_>>(),
        ["vitrine:consent"],
        "the profile the call wrote back went when it ended"
    );
    assert!(!page.call(&main, t + 1.0, |s| track(s, "mugs-3", t + 1.0)));
}
