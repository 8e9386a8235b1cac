//! Decisions made while the device's clock ran ahead meeting later ones: another tab's stored
//! (`Session::storage_changed`: a different decision stored replaces one dated ahead of now) and
//! a CMP's `useractioncomplete` (P6, whatever the date of the decision in force). From the
//! re-audit of the time audit's fixes (the re-dating of such a decision in the open page, tried
//! and taken out again: see PRIVACY.md, the device's clock).

use super::sync_tests::{seed, view};
use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::tcf::testing::tc_string;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

const DAY: f64 = 86_400_000.0;

fn options(extra: Json) -> OpenOptions {
    let mut o = json!({ "catalog": catalog() });
    if let (Json::Object(o), Json::Object(e)) = (&mut o, extra) {
        o.extend(e);
    }
    OpenOptions::parse(from_json(&o)).unwrap()
}

fn env(now: f64, gpc: bool) -> Env {
    Env {
        now,
        seed: seed(),
        gpc,
    }
}

/// `Vitrine.open(options)` at `now` (options beside the catalog: consent, policy, namespace).
fn open(mem: &MemoryBackend, extra: Json, now: f64) -> Session {
    Session::open(options(extra), Box::new(mem.clone()), env(now, false))
}

fn set(s: &mut Session, consent: Json, now: f64) -> crate::consent::ConsentState {
    s.set_consent(&from_json(&consent), now, false).unwrap()
}

fn yes() -> Json {
    json!({"personalization": true, "storage": true})
}

fn syncs(s: &Session, what: &str) -> usize {
    s.audit(NOW)
        .history
        .iter()
        .filter(|e| matches!(e, Entry::Sync { what: w, .. } if *w == what))
        .count()
}

/// A tab whose decision was made while the clock ran ahead, idle since the clock was put back,
/// receives another tab's later refusal: the storage event compared it with the date still
/// ahead and ignored it (P9); the tab kept personalizing, and wrote its profile under the
/// refusal. A different decision stored now replaces one dated ahead of now.
#[test]
fn an_idle_tab_with_a_decision_dated_ahead_takes_over_a_later_refusal() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    let mut x = open(&mem, json!({"consent": yes()}), ahead);
    view(&mut x, "mugs-1", ahead);
    // The clock is right again. Another tab opens and the shopper refuses personalization there,
    // storage kept (the record stays, with the refusal).
    let mut y = open(&mem, json!({}), NOW);
    set(
        &mut y,
        json!({"personalization": false, "storage": true}),
        NOW + 1_000.0,
    );
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    x.storage_changed(NOW + 1_100.0);
    x.tend(NOW + 1_200.0);
    assert!(!x.consent().personalization, "{:?}", x.consent());
    let _ = x.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({"product_id": "mugs-2"})),
        &Value::Undefined,
        NOW + 1_300.0,
    );
    assert!(
        !mem.snapshot().contains_key("vitrine:profile"),
        "a profile written under the refusal"
    );
}

/// The same tab busy: its first call after the clock is right comes after the other tab's
/// refusal and before the storage event (a build that dated its decision "now" then ignored
/// the refusal as older).
#[test]
fn a_busy_tab_dating_its_decision_now_does_not_outrank_a_refusal_made_before() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    let mut x = open(&mem, json!({"consent": yes()}), ahead);
    view(&mut x, "mugs-1", ahead);
    let mut y = open(&mem, json!({}), NOW);
    set(
        &mut y,
        json!({"personalization": false, "storage": true}),
        NOW + 1_000.0,
    );
    // x, busy, runs a call (its decision dated now) before the storage event.
    x.tend(NOW + 2_000.0);
    x.storage_changed(NOW + 2_100.0);
    assert!(!x.consent().personalization, "{:?}", x.consent());
}

/// A page whose decision was dated ahead, idle since the clock was put back: the shopper refuses
/// in the CMP (`useractioncomplete`: P6, "replaces the decision in force, dated now"); it was
/// ignored as older than the decision.
#[test]
fn a_cmp_refusal_made_now_replaces_a_decision_dated_ahead() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    let mut x = open(&mem, json!({"consent": yes()}), ahead);
    view(&mut x, "mugs-1", ahead);
    let refusal = tc_string(&[], NOW);
    let c = x
        .tcf_event(&refusal, TcfEvent::UserAction, NOW + 1_000.0, false)
        .unwrap();
    assert!(!c.personalization, "{c:?}");
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
}

/// A tab does not take its own record (dated ahead, as its decision is) for another tab's newer
/// decision at every write of another instance (a build that re-dated the decision in memory
/// did: its date moved to now each time, and the history said another tab decided).
#[test]
fn a_redated_decision_is_not_taken_over_again_from_its_own_record() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    // Two instances of the page (tracking code and a shelf widget), one decision, made ahead.
    let mut x = open(&mem, json!({"consent": yes()}), ahead);
    let mut w = open(&mem, json!({}), ahead + 10.0);
    view(&mut x, "mugs-1", ahead + 20.0);
    w.storage_changed(ahead + 30.0);
    // The clock is right again; both run a call.
    x.tend(NOW);
    w.tend(NOW);
    let date = w.consent().updated_at;
    let before = syncs(&w, "consent");
    // Hours of browsing in x: each write reaches w (as `after_writes` does).
    for i in 1..=5 {
        let t = NOW + f64::from(i) * 3_600_000.0;
        view(&mut x, &format!("mugs-{i}"), t);
        w.storage_changed(t + 1.0);
    }
    assert_eq!(syncs(&w, "consent"), before, "no other tab decided");
    assert_eq!(w.consent().updated_at, date, "its date does not move");
}

/// Two tabs holding a decision dated ahead settle once the clock is right: no write goes back
/// and forth over storage events, and the decision record is not written again.
#[test]
fn a_decision_dated_now_in_memory_writes_nothing_and_tabs_settle() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    let mut x = open(&mem, json!({"consent": yes()}), ahead);
    let mut y = open(&mem, json!({}), ahead + 10.0);
    view(&mut x, "mugs-1", ahead + 20.0);
    y.storage_changed(ahead + 30.0);
    let record = mem.snapshot()["vitrine:consent"].clone();
    // Once the clock is right, the profile's times are brought back and written (documented);
    // the decision's date is not written.
    x.tend(NOW);
    y.tend(NOW);
    y.storage_changed(NOW + 0.5);
    assert_eq!(mem.snapshot()["vitrine:consent"], record);
    let writes = mem.writes.get();
    for i in 0..5 {
        let t = NOW + 1.0 + f64::from(i);
        x.storage_changed(t);
        y.storage_changed(t);
        let _ = x.tcf_event(
            &tc_string(&[1, 5, 6], NOW - DAY),
            TcfEvent::Loaded,
            t,
            false,
        );
    }
    assert_eq!(mem.writes.get(), writes, "no write back and forth");
    assert_eq!(mem.snapshot()["vitrine:consent"], record);
    assert!(x.consent().personalization && y.consent().personalization);
    // A page opened now dates the record now, and writes it once; the tabs take it over quietly.
    let z = open(&mem, json!({}), NOW + 100.0);
    assert_eq!(z.consent().updated_at, Some(NOW + 100.0));
    let writes = mem.writes.get();
    for i in 0..3 {
        let t = NOW + 200.0 + f64::from(i);
        x.storage_changed(t);
        y.storage_changed(t);
    }
    assert_eq!(mem.writes.get(), writes);
}
