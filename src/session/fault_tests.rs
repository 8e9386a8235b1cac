//! Storage faults: full, disabled, cleared by the browser mid-session, records of another
//! vitrine version, two tabs writing through an outage. Each keeps the page working, loses no
//! more than docs/RELIABILITY.md says, and shows in `audit()`.

use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::Source;
use crate::store::envelope::{seal, Kind};
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::json;

fn open(mem: &MemoryBackend, consent: Option<serde_json::Value>, seed: u64) -> Session {
    let mut o = json!({ "catalog": catalog() });
    if let Some(c) = consent {
        o["consent"] = c;
    }
    let opts = OpenOptions::parse(from_json(&o)).unwrap();
    let env = Env {
        now: NOW,
        seed,
        gpc: false,
    };
    Session::open(opts, Box::new(mem.clone()), env)
}

/// A session whose decision stands one day (`consentMaxAgeDays: 1`), on `localStorage`'s
/// write interval.
fn open_expiring_in_a_day(mem: &MemoryBackend) -> Session {
    let o = json!({"catalog": catalog(), "consent": {"personalization": true, "storage": true},
        "policy": {"consentMaxAgeDays": 1}, "storage": "local"});
    let opts = OpenOptions::parse(from_json(&o)).unwrap();
    let env = Env {
        now: NOW,
        seed: 1,
        gpc: false,
    };
    let mut s = Session::open(opts, Box::new(mem.clone()), env);
    s.set_write_interval(WRITE_INTERVAL_MS);
    s
}

fn granted() -> Option<serde_json::Value> {
    Some(json!({"personalization": true, "storage": true}))
}

fn view(s: &mut Session, id: &str) -> TrackResult {
    let props = from_json(&json!({ "product_id": id }));
    s.track(
        &Value::from("Product Viewed"),
        &props,
        &Value::Undefined,
        NOW,
    )
    .unwrap()
}

fn events(s: &Session) -> u32 {
    s.profile(NOW).map_or(0, |p| p.events)
}

fn storage_errors(s: &Session) -> Vec<String> {
    s.audit(NOW)
        .history
        .into_iter()
        .filter_map(|e| match e {
            Entry::StorageError { message, .. } => Some(message),
            _ => None,
        })
        .collect()
}

/// Records as a later vitrine (envelope version 3) would write them.
fn newer(kind: Kind, payload: &[u8]) -> String {
    let mut bytes = crate::bytes::base64url_decode(&seal(kind, payload)).unwrap();
    bytes[2] = crate::store::envelope::VERSION + 1;
    crate::bytes::base64url_encode(&bytes)
}

#[test]
fn a_full_storage_loses_nothing_once_it_has_room_again() {
    let mem = MemoryBackend::new();
    // Full from the start: not even the decision can be written.
    *mem.fail_writes.borrow_mut() = true;
    let mut s = open(&mem, granted(), 1);
    for i in 0..10 {
        assert!(view(&mut s, &format!("mugs-{i}")).accepted);
    }
    assert_eq!(events(&s), 10, "held in memory");
    assert_eq!(
        storage_errors(&s),
        ["quota exceeded"],
        "reported once, not per event"
    );
    assert!(mem.snapshot().is_empty());
    assert!(
        s.recommend(&from_json(&json!({"scenario": "for_you"})), NOW)
            .is_ok_and(|r| !r.is_empty()),
        "shelves still personal"
    );
    // The site frees space: the next event stores the profile and the decision.
    *mem.fail_writes.borrow_mut() = false;
    assert!(view(&mut s, "mugs-10").accepted);
    let next_page = open(&mem, None, 2);
    assert_eq!(next_page.consent().source, Source::Stored, "decision kept");
    assert_eq!(events(&next_page), 11, "every event kept");
}

#[test]
fn a_full_storage_is_not_tried_again_at_every_event() {
    // Found by the re-audit: once the merge buffer held 64 unstored events, each further event
    // tried to write the whole profile (937 writes for 1,000 events) while storage was full.
    let mem = MemoryBackend::new();
    *mem.fail_writes.borrow_mut() = true;
    let mut s = open(&mem, granted(), 1);
    s.set_write_interval(WRITE_INTERVAL_MS);
    for i in 0..1000 {
        assert!(view(&mut s, &format!("mugs-{}", i % 20)).accepted);
    }
    assert!(mem.writes.get() < 10, "{} writes", mem.writes.get());
    assert_eq!(events(&s), 1000, "all held in memory");
    assert_eq!(storage_errors(&s), ["quota exceeded"]);
}

#[test]
fn disabled_storage_keeps_the_page_working_in_memory_and_says_so() {
    let mem = MemoryBackend::new();
    let mut before = open(&mem, granted(), 1);
    view(&mut before, "mugs-1");
    // Storage disabled (every call throws) with a decision and a profile in it.
    *mem.disabled.borrow_mut() = true;
    let mut s = open(&mem, None, 2);
    assert_eq!(
        s.consent().source,
        Source::Default,
        "unknown decision: fail closed"
    );
    assert_eq!(storage_errors(&s), ["localStorage is disabled"]);
    assert!(!view(&mut s, "mugs-2").accepted);
    s.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW,
        false,
    )
    .unwrap();
    assert!(view(&mut s, "mugs-2").accepted);
    assert_eq!(events(&s), 1);
    // Disabled while a tab holds data: it keeps working, reports once, takes nothing for a
    // withdrawal (a failed read is not a missing record).
    let mut a = open(&MemoryBackend::new(), granted(), 3);
    let shared = MemoryBackend::new();
    let mut b = open(&shared, granted(), 4);
    view(&mut b, "mugs-1");
    *shared.disabled.borrow_mut() = true;
    for _ in 0..3 {
        assert!(view(&mut b, "mugs-2").accepted);
    }
    b.storage_changed(NOW);
    assert_eq!(b.consent().source, Source::Explicit);
    assert_eq!(events(&b), 4);
    assert_eq!(storage_errors(&b), ["localStorage is disabled"]);
    assert!(view(&mut a, "mugs-3").accepted);
}

#[test]
fn storage_cleared_by_the_browser_mid_session_is_not_written_back() {
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    view(&mut s, "mugs-1");
    assert_eq!(mem.snapshot().len(), 2);
    // The shopper clears the site's data (or Safari's seven-day limit does): no storage event.
    mem.clear();
    let r = view(&mut s, "mugs-2");
    assert_eq!(r.reason, Some("no_consent"), "handled as an erasure");
    assert!(mem.snapshot().is_empty(), "nothing written back");
    assert!(s.profile(NOW).is_none(), "profile dropped from memory");
    let history = s.audit(NOW).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
    assert_eq!(s.consent().source, Source::Default);
    assert!(s
        .recommend(&from_json(&json!({"scenario": "trending"})), NOW)
        .is_ok_and(|r| !r.is_empty()));
    // Losing only the profile record (consent still stored) is not a clearing: the tab
    // stores its profile again, with every event.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    view(&mut s, "mugs-1");
    let consent = mem.snapshot()["vitrine:consent"].clone();
    mem.clear();
    mem.put_raw("vitrine:consent", &consent);
    assert!(view(&mut s, "mugs-2").accepted);
    assert_eq!(events(&open(&mem, None, 2)), 2);
}

#[test]
fn records_of_a_newer_vitrine_are_left_alone() {
    // Another tab runs a later deploy whose records this version cannot read.
    let mem = MemoryBackend::new();
    let consent = newer(Kind::Consent, b"a format from the future");
    let profile = newer(Kind::Profile, b"a profile from the future");
    mem.put_raw("vitrine:consent", &consent);
    mem.put_raw("vitrine:profile", &profile);
    let mut s = open(&mem, None, 1);
    assert_eq!(s.consent().source, Source::Default, "unknown decision");
    assert!(!view(&mut s, "mugs-1").accepted);
    assert_eq!(
        mem.snapshot().values().collect::<Vec<_>>(),
        [&consent, &profile],
        "neither removed nor rewritten"
    );
    let ignored: Vec<_> = s
        .audit(NOW)
        .history
        .into_iter()
        .filter_map(|e| match e {
            Entry::Ignored {
                source: "stored",
                reason,
                ..
            } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        ignored,
        ["vitrine:consent was written by a newer vitrine: left as it is"]
    );
    // The shopper decides in this tab: the decision is written (the latest decision wins), but
    // the newer profile is not overwritten; this tab keeps its own in memory.
    s.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW,
        false,
    )
    .unwrap();
    for i in 0..3 {
        assert!(view(&mut s, &format!("mugs-{i}")).accepted);
    }
    assert_eq!(events(&s), 3);
    assert_eq!(mem.snapshot()["vitrine:profile"], profile);
    assert_ne!(mem.snapshot()["vitrine:consent"], consent);
    let notes = s
        .audit(NOW)
        .history
        .iter()
        .filter(
            |e| matches!(e, Entry::Ignored { reason, .. } if reason.starts_with("vitrine:profile")),
        )
        .count();
    assert_eq!(notes, 1, "noted once");
    // Another tab of the newer version decides again: unreadable here, so this tab keeps its
    // decision and profile in memory and leaves the record alone (see
    // `a_decision_and_profile_outlive_a_newer_vitrines_record`).
    mem.put_raw("vitrine:consent", &consent);
    s.storage_changed(NOW);
    assert_eq!(s.consent().source, Source::Explicit);
    assert_eq!(events(&s), 3);
    assert_eq!(mem.snapshot()["vitrine:consent"], consent);
    // erase() removes every key of the namespace, whatever wrote it.
    s.erase(NOW);
    assert!(mem.snapshot().is_empty());
}

#[test]
fn an_older_profile_record_is_reset_and_reported() {
    let mem = MemoryBackend::new();
    let mut first = open(&mem, granted(), 1);
    view(&mut first, "mugs-1");
    let mut bytes = crate::bytes::base64url_decode(&mem.snapshot()["vitrine:profile"]).unwrap();
    bytes[2] = 1;
    mem.put_raw("vitrine:profile", &crate::bytes::base64url_encode(&bytes));
    let mut s = open(&mem, None, 2);
    assert!(s.audit(NOW).history.iter().any(|e| matches!(
        e,
        Entry::Reset {
            reason: "written by an older, unsupported vitrine",
            ..
        }
    )));
    assert_eq!(s.consent().source, Source::Stored, "the decision is kept");
    assert!(view(&mut s, "mugs-2").accepted);
    assert_eq!(events(&open(&mem, None, 3)), 1);
}

#[test]
fn two_tabs_writing_through_an_outage_lose_nothing() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, granted(), 1);
    let mut b = open(&mem, None, 2);
    view(&mut a, "mugs-1");
    b.storage_changed(NOW);
    *mem.fail_writes.borrow_mut() = true;
    for i in 0..20 {
        view(&mut a, &format!("candles-{i}"));
        view(&mut b, &format!("throws-{}", i % 12));
    }
    *mem.fail_writes.borrow_mut() = false;
    view(&mut a, "mugs-2");
    view(&mut b, "mugs-3");
    a.storage_changed(NOW);
    let stored = open(&mem, None, 3);
    assert_eq!(
        events(&stored),
        1 + 40 + 2,
        "every event of both tabs, once"
    );
    assert_eq!(events(&a), events(&stored));
    assert_eq!(events(&b), events(&stored));
}

#[test]
fn storage_cleared_while_a_write_waits_is_not_written_back() {
    // With the wasm layer's write interval, the second event waits for a timer (or `audit()`,
    // `free()`, the page hiding); the browser clears the site's data before it fires.
    let waiting = || {
        let mem = MemoryBackend::new();
        let mut s = open(&mem, granted(), 1);
        s.set_write_interval(WRITE_INTERVAL_MS);
        assert!(view(&mut s, "mugs-1").accepted);
        assert!(view(&mut s, "mugs-2").accepted);
        assert!(s.flush_due().is_some(), "the second write waits");
        mem.clear();
        (mem, s)
    };
    let cleared = |s: &Session| {
        let history = s.audit(NOW).history;
        history.iter().any(|e| matches!(e, Entry::Cleared { .. }))
    };
    // The flush finds the records gone: an erasure, nothing written back.
    let (mem, mut s) = waiting();
    s.flush(NOW + WRITE_INTERVAL_MS);
    assert!(mem.snapshot().is_empty(), "nothing written back");
    assert!(s.profile(NOW).is_none());
    assert!(cleared(&s));
    // A decision made after the clearing is a new one: written, with none of the cleared events.
    let (mem, mut s) = waiting();
    let c = from_json(&json!({"personalization": true, "storage": true}));
    s.set_consent(&c, NOW + 1.0, false).unwrap();
    assert!(cleared(&s));
    assert_eq!(events(&s), 0);
    assert!(mem.snapshot().contains_key("vitrine:consent"));
}

#[test]
fn a_read_that_fails_at_open_deletes_nothing() {
    let mem = MemoryBackend::new();
    let mut first = open(&mem, granted(), 1);
    assert!(view(&mut first, "mugs-1").accepted);
    let stored = mem.snapshot();
    assert_eq!(stored.len(), 2);
    // `getItem` throws (a damaged database, a page's broken wrapper); deleting would still work.
    *mem.fail_reads.borrow_mut() = Some("");
    let s = open(&mem, None, 2);
    assert_eq!(mem.snapshot(), stored, "fail closed: nothing deleted");
    assert_eq!(
        s.consent().source,
        Source::Default,
        "and nothing personalized"
    );
    assert!(s
        .audit(NOW)
        .history
        .iter()
        .any(|e| matches!(e, Entry::StorageError { .. })));
    // Readable again: the next page has its decision and profile.
    *mem.fail_reads.borrow_mut() = None;
    let s = open(&mem, None, 3);
    assert_eq!(s.consent().source, Source::Stored);
    assert_eq!(events(&s), 1);
}

#[test]
fn a_profile_whose_read_fails_is_not_overwritten_and_gets_the_events_later() {
    let mem = MemoryBackend::new();
    let mut first = open(&mem, granted(), 1);
    for id in ["mugs-1", "mugs-2", "mugs-3"] {
        assert!(view(&mut first, id).accepted);
    }
    let stored = mem.snapshot()["vitrine:profile"].clone();
    // The decision reads; the profile does not.
    *mem.fail_reads.borrow_mut() = Some("profile");
    let mut s = open(&mem, None, 2);
    assert_eq!(s.consent().source, Source::Stored);
    assert!(view(&mut s, "mugs-4").accepted);
    assert_eq!(mem.snapshot()["vitrine:profile"], stored, "not overwritten");
    // Readable again: the next write merges this tab's event into the stored three.
    *mem.fail_reads.borrow_mut() = None;
    assert!(view(&mut s, "mugs-5").accepted);
    assert_eq!(events(&open(&mem, None, 3)), 5);
}

#[test]
fn a_decision_and_profile_outlive_a_newer_vitrines_record() {
    // A tab open during a deploy: a tab of the later vitrine writes its decision in a newer
    // format. Before, this tab took that for no decision: it dropped its profile and recent
    // events, and a decision the shopper then made here was undone at the next such write.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    for id in ["mugs-1", "mugs-2"] {
        assert!(view(&mut s, id).accepted);
    }
    let newer_consent = newer(Kind::Consent, b"a decision from the future");
    mem.put_raw("vitrine:consent", &newer_consent);
    s.storage_changed(NOW);
    assert_eq!(
        s.consent().source,
        Source::Explicit,
        "the decision in force stays"
    );
    assert!(s.consent().personalization && s.consent().storage);
    assert_eq!(events(&s), 2, "the profile stays");
    // Events are still taken, in memory; nothing is written over the newer record (nor the
    // profile under it: what the newer decision allows is unknown here).
    let before = mem.snapshot();
    assert!(view(&mut s, "mugs-3").accepted);
    s.flush(NOW);
    s.storage_changed(NOW);
    assert_eq!(mem.snapshot(), before, "nothing written");
    assert_eq!(events(&s), 3);
    let notes = s
        .audit(NOW)
        .history
        .iter()
        .filter(|e| {
            matches!(
                e,
                Entry::Ignored {
                    source: "stored",
                    ..
                }
            )
        })
        .count();
    assert_eq!(notes, 1, "noted once");
    // The shopper decides here: the decision is written (the latest wins), and the profile with
    // every event of this tab; a newer record written again is left alone, the decision kept.
    s.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW + 1.0,
        false,
    )
    .unwrap();
    assert_ne!(mem.snapshot()["vitrine:consent"], newer_consent);
    assert_eq!(events(&open(&mem, None, 2)), 3, "nothing lost");
    mem.put_raw("vitrine:consent", &newer_consent);
    s.storage_changed(NOW + 2.0);
    assert_eq!(s.consent().source, Source::Explicit, "not undone");
    assert_eq!(events(&s), 3);
    // The newer vitrine erases everything: followed here as any tab's erasure (P10).
    mem.clear();
    s.storage_changed(NOW + 3.0);
    assert!(s.profile(NOW).is_none());
    assert!(!view(&mut s, "mugs-4").accepted);
    assert!(mem.snapshot().is_empty(), "nothing written back");
}

#[test]
fn storage_cleared_while_events_wait_is_not_written_back_when_the_decision_expires() {
    // Found by a re-audit: every call now ends a decision past `consentMaxAgeDays` first, and
    // that wrote what waited — the whole profile — back into the storage the browser cleared.
    let mem = MemoryBackend::new();
    let mut s = open_expiring_in_a_day(&mem);
    view(&mut s, "mugs-1");
    view(&mut s, "mugs-2"); // waits for the next write
    mem.clear();
    let later = NOW + 1.1 * 86_400_000.0;
    s.tend(later);
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot().keys());
    let history = s.audit(later).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

#[test]
fn an_event_that_waits_for_its_write_looks_at_storage_only_when_it_is_written() {
    // `track` looks whether the browser cleared vitrine's records (a `getItem`) only when it
    // writes; an event within the write interval is held in memory and `flush` looks first.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    s.set_write_interval(WRITE_INTERVAL_MS);
    assert!(view(&mut s, "mugs-1").accepted);
    mem.clear();
    assert!(
        view(&mut s, "mugs-2").accepted,
        "not looked at: held in memory"
    );
    assert!(view(&mut s, "mugs-3").accepted);
    assert!(mem.snapshot().is_empty());
    s.flush(NOW + WRITE_INTERVAL_MS);
    assert!(mem.snapshot().is_empty(), "nothing written back");
    assert!(
        s.profile(NOW).is_none(),
        "the events held went with the rest"
    );
    let history = s.audit(NOW).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
    // The next event due for a write looks first, and is refused.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    s.set_write_interval(WRITE_INTERVAL_MS);
    assert!(view(&mut s, "mugs-1").accepted);
    mem.clear();
    let r = s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({"product_id": "mugs-2"})),
        &Value::Undefined,
        NOW + WRITE_INTERVAL_MS,
    );
    assert_eq!(r.unwrap().reason, Some("no_consent"));
    assert!(mem.snapshot().is_empty(), "nothing written back");
}

#[test]
fn an_event_that_waits_for_its_write_still_looks_before_a_decision_past_its_age_writes() {
    // The decision expires between two events of one write interval: ending it writes what
    // waits, so the event that did not look at storage looks then.
    let mem = MemoryBackend::new();
    let mut s = open_expiring_in_a_day(&mem);
    let day = 86_400_000.0;
    assert!(
        view_at(&mut s, "mugs-1", NOW + day - 50.0).accepted,
        "written, looked"
    );
    mem.clear();
    let r = view_at(&mut s, "mugs-1", NOW + day + 50.0);
    assert_eq!(r.reason, Some("no_consent"), "the decision ended");
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot().keys());
    let history = s.audit(NOW + day + 50.0).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

fn view_at(s: &mut Session, id: &str, at: f64) -> TrackResult {
    let props = from_json(&json!({ "product_id": id }));
    s.track(
        &Value::from("Product Viewed"),
        &props,
        &Value::Undefined,
        at,
    )
    .unwrap()
}

#[test]
fn a_burst_after_a_clearing_that_fills_the_merge_buffer_looks_before_it_writes() {
    // Found by a re-audit: the 65th event of one write interval writes at once (the merge
    // buffer is full of events not stored yet), and that write did not look at storage.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    s.set_write_interval(WRITE_INTERVAL_MS);
    assert!(view_at(&mut s, "mugs-1", NOW).accepted);
    mem.clear();
    for i in 0..(MAX_OWN + 6) {
        view_at(&mut s, "mugs-2", NOW + 1.0 + i as f64 / 100.0);
        assert!(mem.snapshot().is_empty(), "written back at event {i}");
    }
    assert!(s.profile(NOW + 2.0).is_none());
    let history = s.audit(NOW + 2.0).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

#[test]
fn a_cmp_decision_after_a_clearing_starts_from_nothing() {
    // Found by a re-audit: `listenTcf`'s decisions did not look at storage first, so the
    // profile the browser deleted stayed in memory under the CMP's new yes, and was written.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    assert!(view(&mut s, "mugs-1").accepted);
    mem.clear();
    let tc = crate::consent::tcf::testing::tc_string(&[1, 5, 6], NOW);
    let c = s
        .tcf_event(&tc, crate::session::TcfEvent::UserAction, NOW + 1.0, false)
        .unwrap();
    assert!(c.personalization && c.storage);
    let history = s.audit(NOW + 1.0).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
    assert!(
        s.profile(NOW + 1.0).is_none_or(|p| p.events == 0),
        "the deleted profile is gone"
    );
    assert!(!mem
        .snapshot()
        .get("vitrine:profile")
        .is_some_and(|p| p.contains("mugs-1")));
}

#[test]
fn a_decision_whose_write_failed_still_looks_for_the_record_it_left() {
    // Found by a re-audit: a decision whose write failed (storage full) left the previous
    // record, but the tab stopped looking for it; storage freed, then cleared, and the next
    // write brought the deleted profile back.
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    assert!(view(&mut s, "mugs-1").accepted);
    *mem.fail_writes.borrow_mut() = true;
    let granted_again = from_json(&json!({"personalization": true, "storage": true}));
    s.set_consent(&granted_again, NOW + 1.0, false).unwrap();
    *mem.fail_writes.borrow_mut() = false;
    mem.clear();
    let r = view_at(&mut s, "mugs-2", NOW + 2.0);
    assert_eq!(r.reason, Some("no_consent"), "handled as an erasure");
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot().keys());
}

#[test]
fn a_profile_stored_without_its_consent_record_is_looked_for_too() {
    // Found by a re-audit: the consent record did not fit while the profile did; with no
    // consent record known to be stored nothing was looked for, and after a clearing the next
    // write brought the deleted profile back, with a decision.
    let mem = MemoryBackend::new();
    *mem.fail_writes_of.borrow_mut() = Some(":consent");
    let mut s = open(&mem, granted(), 1);
    assert!(view(&mut s, "mugs-1").accepted);
    assert!(mem.snapshot().contains_key("vitrine:profile"));
    assert!(!mem.snapshot().contains_key("vitrine:consent"));
    *mem.fail_writes_of.borrow_mut() = None;
    mem.clear();
    let r = view_at(&mut s, "mugs-2", NOW + 1.0);
    assert_eq!(r.reason, Some("no_consent"), "handled as an erasure");
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot().keys());
}

#[test]
fn another_tabs_new_decision_after_a_clearing_takes_nothing_of_the_deleted_profile() {
    // Found by a re-audit: a tab that took over another tab's newer decision after the site's
    // data was cleared kept its old profile, and its next write stored it under the new one.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, granted(), 1);
    assert!(view(&mut a, "mugs-1").accepted);
    mem.clear();
    // Another tab, opened after the clearing, is given a yes (no `storage` event for a clearing).
    let mut b = super::tests::open_at(&mem, json!({}), NOW + 10.0);
    b.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW + 10.0,
        false,
    )
    .unwrap();
    // The `storage` event of its consent record reaches this tab before its profile record's
    // (a busy browser), so this tab finds the decision and no profile.
    let consent = mem.snapshot()["vitrine:consent"].clone();
    mem.clear();
    mem.put_raw("vitrine:consent", &consent);
    a.storage_changed(NOW + 11.0);
    assert_eq!(a.consent().source, Source::Stored);
    assert!(a.profile(NOW + 11.0).is_none_or(|p| p.events == 0));
    assert!(view_at(&mut a, "mugs-2", NOW + 12.0).accepted);
    let stored = mem.snapshot();
    assert!(!stored
        .get("vitrine:profile")
        .is_some_and(|p| p.contains("mugs-1")));
    let history = a.audit(NOW + 12.0).history;
    assert!(history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

#[test]
fn events_after_the_clock_was_put_back_are_written_at_once() {
    // Found by a re-audit: with the clock an hour behind the last write, every event waited
    // for a write due an hour later (a tab closed without `pagehide` lost them).
    let mem = MemoryBackend::new();
    let mut s = open(&mem, granted(), 1);
    s.set_write_interval(WRITE_INTERVAL_MS);
    assert!(view_at(&mut s, "mugs-1", NOW).accepted);
    let back = NOW - 3_600_000.0;
    assert!(view_at(&mut s, "mugs-2", back).accepted);
    assert!(s.flush_due().is_none(), "written at once");
    assert!(view_at(&mut s, "mugs-3", back + 10.0).accepted);
    assert_eq!(s.flush_due(), Some(back + WRITE_INTERVAL_MS));
}

#[test]
fn another_tabs_withdrawal_is_followed_as_one_not_as_a_clearing() {
    // The withdrawing tab removes the profile record; this tab follows the withdrawal (P10),
    // and its history says so, not that the browser cleared anything.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, granted(), 1);
    assert!(view(&mut a, "mugs-1").accepted);
    let mut b = super::tests::open_at(&mem, json!({}), NOW + 10.0);
    b.set_consent(
        &from_json(&json!({"personalization": false, "storage": true})),
        NOW + 10.0,
        false,
    )
    .unwrap();
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    a.storage_changed(NOW + 11.0);
    assert!(!a.consent().personalization);
    assert!(a.profile(NOW + 11.0).is_none());
    let history = a.audit(NOW + 11.0).history;
    assert!(!history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

#[test]
fn a_profile_record_removed_alone_survives_another_tabs_new_decision() {
    // Found by a re-audit: page code removed only the profile record; another tab's new
    // decision (which did not rewrite it) made this tab take the missing record for a clearing
    // and drop every event. The deciding tab writes the profile it holds again.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, granted(), 1);
    for id in ["mugs-1", "mugs-2", "mugs-3"] {
        assert!(view(&mut a, id).accepted);
    }
    let mut b = super::tests::open_at(&mem, json!({}), NOW + 6_000.0);
    let consent = mem.snapshot()["vitrine:consent"].clone();
    mem.clear();
    mem.put_raw("vitrine:consent", &consent);
    b.set_consent(
        &from_json(&json!({"personalization": true, "storage": true, "sensitive": true})),
        NOW + 6_000.0,
        false,
    )
    .unwrap();
    assert!(
        mem.snapshot().contains_key("vitrine:profile"),
        "written again"
    );
    a.storage_changed(NOW + 6_001.0);
    assert_eq!(a.profile(NOW + 6_001.0).map(|p| p.events), Some(3));
    let history = a.audit(NOW + 6_001.0).history;
    assert!(!history.iter().any(|e| matches!(e, Entry::Cleared { .. })));
}

#[test]
fn events_stored_before_another_tabs_erasure_are_not_reapplied_to_its_next_profile() {
    // Found by a re-audit: a tab that missed another tab's `erase()` (busy) and then took over
    // its new yes re-applied its events of six seconds before — its merge buffer was pruned only
    // when it wrote — onto the new profile, bringing back what was erased.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, granted(), 1);
    for id in ["mugs-1", "mugs-2"] {
        assert!(view(&mut a, id).accepted);
    }
    let mut b = super::tests::open_at(&mem, json!({}), NOW + 6_000.0);
    b.erase(NOW + 6_000.0);
    b.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW + 6_000.0,
        false,
    )
    .unwrap();
    a.storage_changed(NOW + 6_001.0);
    assert!(a.profile(NOW + 6_001.0).is_none_or(|p| p.events == 0));
    assert!(!mem
        .snapshot()
        .get("vitrine:profile")
        .is_some_and(|p| p.contains("mugs-1")));
}
