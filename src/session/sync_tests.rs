//! Two tabs of one site: one profile, no lost updates, withdrawals and erasure follow (P9, P10).

use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::Source;
use crate::session::MERGE_WINDOW_MS;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::json;

use std::sync::atomic::{AtomicU64, Ordering};

/// Each tab has its own seed, hence its own writer id (the wasm layer seeds from crypto).
pub(super) fn seed() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A tab: a session over the shared storage.
fn tab(mem: &MemoryBackend, consent: serde_json::Value) -> Session {
    let opts = OpenOptions::parse(from_json(
        &json!({"catalog": catalog(), "consent": consent}),
    ))
    .unwrap();
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now: NOW,
            seed: seed(),
            gpc: false,
        },
    )
}

/// A tab opened without a consent option: it reads the stored decision.
fn stored_tab(mem: &MemoryBackend) -> Session {
    stored_tab_at(mem, NOW)
}

pub(super) fn stored_tab_at(mem: &MemoryBackend, now: f64) -> Session {
    let opts = OpenOptions::parse(from_json(&json!({"catalog": catalog()}))).unwrap();
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now,
            seed: seed(),
            gpc: false,
        },
    )
}

/// A page opened after every event of a test (a minute on), to read what storage holds: one
/// opened earlier than them would bring their times back to its own and write that back.
pub(super) fn reader(mem: &MemoryBackend) -> Session {
    stored_tab_at(mem, NOW + 60_000.0)
}

pub(super) fn view(s: &mut Session, id: &str, t: f64) {
    let r = s
        .track(
            &Value::from("Product Viewed"),
            &from_json(&json!({ "product_id": id })),
            &Value::Undefined,
            t,
        )
        .unwrap();
    assert!(r.accepted);
}

pub(super) fn recent(s: &Session) -> Vec<String> {
    let mut v = s
        .profile(NOW + 100.0)
        .map(|p| p.recently_viewed)
        .unwrap_or_default();
    v.sort();
    v
}

const GRANTED: fn() -> serde_json::Value = || json!({"personalization": true, "storage": true});

#[test]
fn interleaved_writes_from_two_tabs_lose_no_update() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    let mut b = stored_tab(&mem);
    // Neither tab hears of the other's writes (no storage event delivered yet).
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut b, "mugs-2", NOW + 2.0);
    view(&mut a, "mugs-3", NOW + 3.0);
    view(&mut b, "mugs-4", NOW + 4.0);
    let all = ["mugs-1", "mugs-2", "mugs-3", "mugs-4"];
    assert_eq!(recent(&b), all, "b rebased its writes on a's");
    assert_eq!(recent(&reader(&mem)), all, "storage holds all four");
    // a rebased its second write on b's first; it catches up with b's second on the event.
    assert_eq!(recent(&a), ["mugs-1", "mugs-2", "mugs-3"]);
    a.storage_changed(NOW + 5.0);
    assert_eq!(recent(&a), all);
    assert_eq!(a.profile(NOW + 5.0).unwrap().events, 4);
    assert!(a.audit(NOW).history.iter().any(|e| matches!(
        e,
        Entry::Sync {
            what: "profile",
            ..
        }
    )));
    // A storage event for a write a tab already has changes nothing.
    let before = (b.audit(NOW).history.len(), mem.snapshot());
    b.storage_changed(NOW + 6.0);
    assert_eq!((b.audit(NOW).history.len(), mem.snapshot()), before);
    // Each tab keeps its own recent events only for the merge window.
    assert_eq!(a.audit(NOW).profile.merge_buffer, 2);
    view(&mut a, "mugs-5", NOW + MERGE_WINDOW_MS + 10.0);
    assert_eq!(a.audit(NOW).profile.merge_buffer, 1);
    // Without another event: the next flush after the window (the wasm layer's `audit()` and
    // timers flush first) forgets it too.
    a.flush(NOW + MERGE_WINDOW_MS + 11.0);
    assert_eq!(
        a.audit(NOW).profile.merge_buffer,
        1,
        "still within its window"
    );
    a.flush(NOW + 2.0 * MERGE_WINDOW_MS + 11.0);
    assert_eq!(a.audit(NOW).profile.merge_buffer, 0);
}

#[test]
fn the_merge_buffer_keeps_an_order_by_its_hash_only() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    let r = a
        .track(
            &Value::from("Order Completed"),
            &from_json(&json!({"order_id": "POS-1042", "products": [{"product_id": "mugs-1"}]})),
            &Value::Undefined,
            NOW + 1.0,
        )
        .unwrap();
    assert!(r.accepted);
    assert_eq!(a.own.len(), 1);
    assert_eq!(a.own[0].event.order, Some(crate::event::fnv1a("POS-1042")));
    assert!(!format!("{:?}", a.own).contains("POS-1042"));
}

#[test]
fn a_write_from_a_stale_copy_loses_nothing_and_counts_nothing_twice() {
    // Browsers propagate localStorage between tabs asynchronously: b may write from a copy that
    // predates a's last write, overwriting it.
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    let mut b = stored_tab(&mem);
    view(&mut a, "mugs-1", NOW + 1.0);
    b.storage_changed(NOW + 2.0);
    let before_a2 = mem.snapshot()["vitrine:profile"].clone();
    view(&mut a, "mugs-2", NOW + 3.0);
    let with_a2 = mem.snapshot()["vitrine:profile"].clone();
    mem.put_raw("vitrine:profile", &before_a2); // b's stale view of storage …
    view(&mut b, "mugs-3", NOW + 4.0); // … which b writes over a's
    assert_eq!(
        recent(&reader(&mem)),
        ["mugs-1", "mugs-3"],
        "a's mugs-2 overwritten"
    );
    assert_ne!(mem.snapshot()["vitrine:profile"], with_a2);
    // The storage events arrive: a finds its event missing, re-applies it and stores it.
    a.storage_changed(NOW + 5.0);
    b.storage_changed(NOW + 6.0);
    let all = ["mugs-1", "mugs-2", "mugs-3"];
    for s in [&a, &b, &reader(&mem)] {
        assert_eq!(recent(s), all);
        assert_eq!(
            s.profile(NOW + 10.0).unwrap().events,
            3,
            "each event counted once"
        );
    }
    // Nothing more to do: further events change nothing.
    let settled = mem.snapshot();
    a.storage_changed(NOW + 7.0);
    b.storage_changed(NOW + 8.0);
    assert_eq!(mem.snapshot(), settled);
}

#[test]
fn p9_a_newer_decision_in_another_tab_is_adopted() {
    let mem = MemoryBackend::new();
    let mut a = stored_tab(&mem);
    let mut b = stored_tab(&mem);
    a.set_consent(&from_json(&GRANTED()), NOW + 10.0, false)
        .unwrap();
    view(&mut a, "mugs-1", NOW + 11.0);
    assert_eq!(b.consent().source, Source::Default);
    b.storage_changed(NOW + 12.0);
    assert_eq!(
        (b.consent().personalization, b.consent().source),
        (true, Source::Stored)
    );
    assert_eq!(recent(&b), ["mugs-1"], "the same profile");
    view(&mut b, "mugs-2", NOW + 13.0);
    a.storage_changed(NOW + 14.0);
    assert_eq!(recent(&a), ["mugs-1", "mugs-2"]);
    // Withdrawal in b reaches a, and a's memory is erased.
    b.set_consent(
        &from_json(&json!({"personalization": false, "storage": true})),
        NOW + 15.0,
        false,
    )
    .unwrap();
    a.storage_changed(NOW + 16.0);
    assert!(!a.consent().personalization);
    assert!(a.profile(NOW).is_none());
    assert_eq!(
        mem.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    // An older record (a tab that decided earlier) does not undo a newer decision here.
    let mut old = stored_tab(&mem);
    old.set_consent(&from_json(&GRANTED()), NOW + 1.0, false)
        .unwrap();
    a.storage_changed(NOW + 17.0);
    assert!(!a.consent().personalization);
}

#[test]
fn p10_erase_in_another_tab_empties_this_one() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    let mut b = stored_tab(&mem);
    view(&mut a, "mugs-1", NOW + 1.0);
    b.storage_changed(NOW + 2.0);
    assert_eq!(recent(&b), ["mugs-1"]);
    a.erase(NOW + 3.0);
    b.storage_changed(NOW + 4.0);
    assert!(b.profile(NOW).is_none());
    assert_eq!(b.consent().source, Source::Default);
    let r = b
        .track(
            &Value::from("Product Viewed"),
            &from_json(&json!({"product_id": "mugs-2"})),
            &Value::Undefined,
            NOW + 5.0,
        )
        .unwrap();
    assert_eq!(r.reason, Some("no_consent"));
    assert!(mem.snapshot().is_empty(), "b writes nothing back");
}

#[test]
fn a_corrupt_write_by_another_tab_is_reset_and_reported() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    view(&mut a, "mugs-1", NOW + 1.0);
    mem.put_raw("vitrine:profile", "####");
    a.storage_changed(NOW + 2.0);
    let h = a.audit(NOW).history;
    assert!(
        h.iter().any(|e| matches!(
            e,
            Entry::Reset {
                reason: "not base64url",
                ..
            }
        )),
        "{h:?}"
    );
    assert_eq!(recent(&a), ["mugs-1"], "this tab's profile is kept");
    view(&mut a, "mugs-2", NOW + 3.0);
    assert_eq!(
        recent(&reader(&mem)),
        ["mugs-1", "mugs-2"],
        "and written back whole"
    );
}

#[test]
fn signals_past_retention_are_pruned_when_merging_and_written_back() {
    let mem = MemoryBackend::new();
    let day = 86_400_000.0;
    let policy = json!({"personalization": true, "storage": true});
    // a keeps signals longer (a page pruning its own, `Session::tend`, would write the view out
    // itself); b's shorter period prunes what it merges.
    let opts_for = |consent: serde_json::Value, days: u32| {
        OpenOptions::parse(from_json(&json!({"catalog": catalog(), "consent": consent,
            "policy": {"retentionDays": days}})))
        .unwrap()
    };
    let opts = |consent| opts_for(consent, 5);
    let env = |now| Env {
        now,
        seed: seed(),
        gpc: false,
    };
    let mut a = Session::open(
        opts_for(policy.clone(), 30),
        Box::new(mem.clone()),
        env(NOW),
    );
    a.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({"product_id": "mugs-1"})),
        &from_json(&json!({"timestamp": NOW - 4.0 * day})),
        NOW,
    )
    .unwrap();
    let mut b = Session::open(opts(json!(null)), Box::new(mem.clone()), env(NOW));
    assert_eq!(recent(&b), ["mugs-1"]);
    // Two days later a writes; b merges, drops the now six-day-old view, and writes that back.
    view(&mut a, "mugs-2", NOW + 2.0 * day);
    b.storage_changed(NOW + 2.0 * day);
    assert!(b
        .audit(NOW)
        .history
        .iter()
        .any(|e| matches!(e, Entry::Prune { .. })));
    // Read storage as of the start (a tab opened then does not prune the view itself).
    let fresh = Session::open(opts(json!(null)), Box::new(mem.clone()), env(NOW));
    let stored = fresh
        .profile(NOW)
        .map(|p| p.recently_viewed)
        .unwrap_or_default();
    assert_eq!(stored, ["mugs-2"]);
}

#[test]
fn with_a_write_interval_a_burst_of_events_is_written_once_at_its_end() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    a.set_write_interval(200.0);
    let stored = |mem: &MemoryBackend| recent(&reader(mem));
    view(&mut a, "mugs-1", NOW + 1.0);
    assert_eq!(
        stored(&mem),
        ["mugs-1"],
        "the first event is written at once"
    );
    assert_eq!(a.flush_due(), None);
    view(&mut a, "mugs-2", NOW + 50.0);
    view(&mut a, "mugs-3", NOW + 100.0);
    assert_eq!(stored(&mem), ["mugs-1"], "the rest wait");
    assert_eq!(a.flush_due(), Some(NOW + 201.0));
    a.flush(NOW + 201.0);
    assert_eq!(stored(&mem), ["mugs-1", "mugs-2", "mugs-3"]);
    assert_eq!(a.flush_due(), None);
    a.flush(NOW + 202.0);
    // After a quiet interval the next event is written at once again.
    view(&mut a, "mugs-4", NOW + 500.0);
    assert_eq!(stored(&mem).len(), 4);
    // Another tab's write while events wait: the merge keeps them and writes them back.
    let mut b = stored_tab(&mem);
    b.set_write_interval(200.0);
    view(&mut a, "mugs-5", NOW + 510.0);
    view(&mut b, "mugs-6", NOW + 520.0);
    a.storage_changed(NOW + 530.0);
    a.flush(NOW + 700.0);
    b.storage_changed(NOW + 710.0);
    let all: Vec<String> = (1..=6).map(|i| format!("mugs-{i}")).collect();
    assert_eq!(stored(&mem), all);
    assert_eq!(recent(&b), all);
}

#[test]
fn events_waiting_for_a_write_are_never_written_after_a_withdrawal() {
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    a.set_write_interval(200.0);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut a, "mugs-2", NOW + 2.0);
    assert!(a.flush_due().is_some());
    a.set_consent(
        &from_json(&json!({"personalization": true, "storage": false})),
        NOW + 3.0,
        false,
    )
    .unwrap();
    a.flush(NOW + 300.0);
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot());
    assert_eq!(recent(&a), ["mugs-1", "mugs-2"], "memory keeps the profile");
}

fn add(s: &mut Session, id: &str, t: f64) {
    let r = s
        .track(
            &Value::from("Product Added"),
            &from_json(&json!({ "product_id": id })),
            &Value::Undefined,
            t,
        )
        .unwrap();
    assert!(r.accepted);
}

fn adds(s: &Session) -> u32 {
    let p = s.profile(NOW + 1_000.0).unwrap();
    p.counts.get("add").unwrap_or(0)
}

#[test]
fn a_burst_of_more_events_than_the_merge_buffer_holds_loses_none_to_another_tabs_write() {
    // The audit's two tabs: a tracks 100 adds within one write interval while b tracks a view.
    // Before, the buffer dropped a's oldest unstored events beyond 64, and the merge of b's
    // write could re-apply only the 64 left: every tab and the next page ended with 65 adds.
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    let mut b = stored_tab(&mem);
    a.set_write_interval(WRITE_INTERVAL_MS);
    b.set_write_interval(WRITE_INTERVAL_MS);
    for i in 0..100 {
        add(&mut a, "mugs-1", NOW + 1.0 + f64::from(i));
    }
    assert!(
        a.audit(NOW).profile.merge_buffer <= MAX_OWN,
        "still bounded"
    );
    view(&mut b, "mugs-2", NOW + 150.0);
    a.flush(NOW + 1.0 + WRITE_INTERVAL_MS);
    b.storage_changed(NOW + 250.0);
    for (who, s) in [("a", &a), ("b", &b), ("the next page", &reader(&mem))] {
        assert_eq!(adds(s), 100, "{who}");
        assert_eq!(s.profile(NOW + 1_000.0).unwrap().events, 101, "{who}");
    }
}

#[test]
fn a_decision_taken_over_from_storage_is_not_written_again() {
    // Before, every `apply` wrote the consent record, also when the decision had just been read
    // from it (at open, and when taking over another tab's): each such write woke every other
    // tab, and rewrote another vitrine's record (a newer one's, in a deploy) in this format.
    let mem = MemoryBackend::new();
    let mut a = tab(&mem, GRANTED());
    view(&mut a, "mugs-1", NOW + 1.0);
    let stored = mem.snapshot();
    let mut b = stored_tab_at(&mem, NOW + 1.5);
    assert_eq!(b.consent().source, Source::Stored);
    assert_eq!(mem.snapshot(), stored, "opening wrote nothing");
    a.set_consent(
        &from_json(&json!({"personalization": true, "storage": true, "sensitive": true})),
        NOW + 2.0,
        false,
    )
    .unwrap();
    let stored = mem.snapshot();
    b.storage_changed(NOW + 3.0);
    assert!(b.consent().sensitive, "taken over");
    assert_eq!(mem.snapshot(), stored, "taking it over wrote nothing");
    // Its removal is still followed (P10), and a decision made here is still written.
    let mut c = stored_tab(&mem);
    c.set_consent(&from_json(&GRANTED()), NOW + 4.0, false)
        .unwrap();
    assert_ne!(mem.snapshot()["vitrine:consent"], stored["vitrine:consent"]);
    b.storage_changed(NOW + 5.0);
    a.erase(NOW + 6.0);
    b.storage_changed(NOW + 7.0);
    assert!(b.profile(NOW).is_none());
    assert!(mem.snapshot().is_empty());
}

#[test]
fn a_writers_clock_dated_ahead_does_not_make_tabs_count_their_events_again() {
    // The security audit's record: a stored profile whose clock lists 32 writers dated a year
    // ahead. Each write sorted the clock by time and kept 32, dropping the tab's own entry, so
    // at every merge each tab found its recent events missing and re-applied them: two
    // instances tracking 5 views each ended with 30 each, and 61 stored.
    use crate::consent::{ConsentState, Gate};
    use crate::store::clock::{Clock, MAX_WRITERS};
    use crate::store::{Load, Store};
    let mem = MemoryBackend::new();
    let mut first = tab(&mem, GRANTED());
    view(&mut first, "mugs-1", NOW + 1.0);
    drop(first);
    let gate = Gate::new(ConsentState {
        personalization: true,
        storage: true,
        ..Default::default()
    });
    let (who, persist) = gate.persistent_profile().unwrap();
    let mut store = Store::new(Box::new(mem.clone()), "vitrine");
    let (Load::Found((p, _, lineage)), _) = store.load_profile(&who, &persist, 1e9) else {
        panic!("stored profile")
    };
    let mut forged = Clock::default();
    for w in 0..MAX_WRITERS as u32 {
        forged.advance(1000 + w, 5, NOW + 365.0 * 86_400_000.0);
    }
    store
        .save_profile(&who, &persist, &p, &forged, &lineage)
        .unwrap();
    let mut a = stored_tab_at(&mem, NOW + 10.0);
    let mut b = stored_tab_at(&mem, NOW + 10.0);
    // Two instances of one namespace on a page: each takes over what the other wrote.
    for i in 0..5 {
        let t = NOW + 20.0 + f64::from(i) * 10.0;
        view(&mut a, "mugs-2", t);
        b.storage_changed(t + 1.0);
        view(&mut b, "mugs-3", t + 2.0);
        a.storage_changed(t + 3.0);
    }
    let views = |s: &Session| s.profile(NOW + 1_000.0).unwrap().events;
    assert_eq!(views(&a), 11);
    assert_eq!(views(&b), 11);
    assert_eq!(views(&reader(&mem)), 11);
}
