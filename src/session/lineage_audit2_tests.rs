//! Second re-audit of the erasure times (`store::lineage`) after bb3e3c1: decisions that follow
//! the stored record first, erasures dated after what their tab knows of, only a withdrawal
//! stamping one. Tests marked `//! against; the others are guards that pass.

use super::tests::NOW;
use super::*;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::json;

use super::lineage_tests::{
    a_tab_that_viewed_mugs_1, decide, granted, open_at, open_env, recent_at,
    refused_keeping_storage, sensitive_tab, stored_recent, stored_recent_at, strings, tab_at,
    with_sensitive,
};
use super::sync_tests::{recent, stored_tab_at, view};

const DAY: f64 = 86_400_000.0;

// ---------------------------------------------------------------------------------------------
// Found by the second re-audit (each failed on 20e5ecc)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_withdrawal_given_at_open_with_the_clock_put_back_does_not_let_a_busy_tabs_copy_back() {
    let back = NOW - 60_000.0;
    let (mem, _a, stale) = a_tab_that_viewed_mugs_1();
    // A page opens with the site's decision, a withdrawal (the shopper refused in the CMP).
    let mut b = tab_at(&mem, refused_keeping_storage(), back + 3.0);
    assert_eq!(stored_recent_at(&mem, back + 3.0), Vec::<String>::new());
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(back + 6.0);
    assert_eq!(
        recent_at(&b, back + 7.0),
        strings(&["candles-1"]),
        "b's memory"
    );
    assert_eq!(
        stored_recent_at(&mem, back + 7.0),
        strings(&["candles-1"]),
        "storage"
    );
}

#[test]
fn a_no_answering_a_decision_past_its_age_is_an_erasure() {
    let open_aged = |mem: &MemoryBackend, consent: Option<serde_json::Value>, now: f64| {
        open_at(mem, consent, json!({"consentMaxAgeDays": 1}), now)
    };
    let mem = MemoryBackend::new();
    let mut a = open_aged(&mem, Some(granted()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    // Two days on, a page asks again; the shopper answers no (storage kept).
    let later = NOW + 2.0 * DAY;
    let mut b = open_aged(&mem, None, later + 1.0);
    decide(&mut b, refused_keeping_storage(), later + 2.0);
    assert_eq!(
        stored_recent_at(&mem, later + 2.0),
        Vec::<String>::new(),
        "the no erased the stored profile"
    );
    // `a`, open since before the decision's age ran out and busy while the shopper answered,
    // asks again at its next call: it first stores the profile it held, for the answer.
    a.tend(later + 2.5);
    // The shopper says yes again.
    decide(&mut b, granted(), later + 3.0);
    view(&mut b, "candles-1", later + 4.0);
    assert_eq!(
        recent_at(&b, later + 5.0),
        strings(&["candles-1"]),
        "b's memory"
    );
    assert_eq!(
        stored_recent_at(&mem, later + 5.0),
        strings(&["candles-1"]),
        "storage"
    );
}

#[test]
fn a_no_given_at_open_without_a_stored_record_is_an_erasure() {
    let mem = MemoryBackend::new();
    // Personalization without storage: the profile lives in `m`'s memory, no record is stored.
    let mut m = tab_at(
        &mem,
        json!({"personalization": true, "storage": false}),
        NOW,
    );
    view(&mut m, "mugs-1", NOW + 1.0);
    assert!(mem.snapshot().is_empty());
    // A page opens with the shopper's refusal (storage allowed): the consent record says no.
    let p = tab_at(&mem, refused_keeping_storage(), NOW + 2.0);
    drop(p);
    // `m` was busy: its own yes (the shopper's click, or the page passing the CMP's state)
    // runs before its `storage` events.
    decide(&mut m, granted(), NOW + 3.0);
    m.storage_changed(NOW + 3.5);
    assert_eq!(recent(&m), Vec::<String>::new(), "m's memory");
    assert_eq!(stored_recent(&mem), Vec::<String>::new(), "storage");
}

#[test]
fn a_no_given_in_a_tab_that_missed_another_tabs_yes_is_an_erasure() {
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    decide(&mut a, refused_keeping_storage(), NOW + 2.0);
    // The shopper says yes in `b`, and views a candle; `c` opens and takes that profile.
    let mut b = stored_tab_at(&mem, NOW + 2.5);
    decide(&mut b, granted(), NOW + 3.0);
    view(&mut b, "candles-1", NOW + 4.0);
    let mut c = stored_tab_at(&mem, NOW + 4.5);
    assert_eq!(recent(&c), strings(&["candles-1"]));
    // A moment later a no is given in `a` before `a` ran the `storage` event of `b`'s yes (two
    // tabs deciding at nearly the same time; or `a` busy, input running first): the stored
    // profile goes, and `b` follows.
    decide(&mut a, refused_keeping_storage(), NOW + 5.0);
    assert_eq!(stored_recent(&mem), Vec::<String>::new());
    b.storage_changed(NOW + 5.5);
    assert!(b.profile(NOW + 5.5).is_none());
    // `c`, busy through the no, writes its copy at its next event.
    view(&mut c, "mugs-5", NOW + 5.6);
    // The shopper says yes again in `b`.
    decide(&mut b, granted(), NOW + 6.0);
    let r = recent_at(&b, NOW + 7.0);
    assert!(
        !r.contains(&"candles-1".to_owned()),
        "b took back what the no erased: {r:?}"
    );
}

#[test]
fn a_second_sensitive_withdrawal_with_the_clock_put_back_is_a_new_erasure() {
    let (w, stored) = two_sensitive_withdrawals_and_a_busy_tab(NOW - 60_000.0);
    assert!(
        !w.contains(&"throws-2".to_owned()),
        "w took back a signal the second withdrawal erased: {w:?}"
    );
    assert!(
        !stored.contains(&"throws-2".to_owned()),
        "storage holds a signal the second withdrawal erased: {stored:?}"
    );
}

/// `c` views `throws-1` under a sensitive yes; `w` withdraws `sensitive` (`c` follows), gives it
/// again (`c` follows), `c` views `throws-2` (it waits for the write interval); then, at
/// `back + 5` (the clock put back, or not), `w` withdraws `sensitive` again and gives it a third
/// time while `c` is busy; `c` writes what waits and `w` hears of it. What `w` holds, and
/// storage.
fn two_sensitive_withdrawals_and_a_busy_tab(back: f64) -> (Vec<String>, Vec<String>) {
    let mem = MemoryBackend::new();
    let mut c = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    view(&mut c, "throws-1", NOW + 1.0);
    c.set_write_interval(WRITE_INTERVAL_MS);
    let mut w = sensitive_tab(&mem, None, NOW + 1.5);
    decide(&mut w, granted(), NOW + 2.0);
    c.storage_changed(NOW + 2.2);
    decide(&mut w, with_sensitive(), NOW + 3.0);
    c.storage_changed(NOW + 3.2);
    assert!(c.consent().sensitive);
    view(&mut c, "throws-2", NOW + 4.0);
    decide(&mut w, granted(), back + 5.0);
    decide(&mut w, with_sensitive(), back + 6.0);
    c.flush(back + 7.0);
    w.storage_changed(back + 8.0);
    (
        recent_at(&w, back + 9.0),
        stored_recent_at(&mem, back + 9.0),
    )
}

/// Storage with a profile record whose writers' clock has an entry a day ahead (a tab wrote
/// while the device's clock ran a day ahead, then the clock was corrected; no tab with events
/// of its own has written since, which is what brings such an entry back), and a tab `b`
/// opened since that holds it. `lead` 0: no entry ahead.
fn a_record_with_a_writer_ahead(lead: f64) -> (MemoryBackend, Session) {
    let mem = MemoryBackend::new();
    let mut w = tab_at(&mem, granted(), NOW);
    view(&mut w, "mugs-1", NOW + 1.0);
    view(&mut w, "mugs-2", NOW + 2.0 + lead);
    drop(w);
    let b = stored_tab_at(&mem, NOW + 10.0);
    assert_eq!(recent_at(&b, NOW + 10.0), strings(&["mugs-1", "mugs-2"]));
    (mem, b)
}

/// `b` withdraws both purposes (both records go: the erasure is in `b`'s memory); `later` ms
/// on, a new page gets a yes and views a candle; `b`, still open, takes that decision over.
fn withdraw_all_then_a_new_page_says_yes(
    mem: &MemoryBackend,
    b: &mut Session,
    later: f64,
) -> Session {
    decide(
        b,
        json!({"personalization": false, "storage": false}),
        NOW + 20.0,
    );
    assert!(mem.snapshot().is_empty());
    let mut c = tab_at(mem, granted(), NOW + 30.0 + later);
    view(&mut c, "candles-1", NOW + 31.0 + later);
    b.storage_changed(NOW + 32.0 + later);
    c.storage_changed(NOW + 33.0 + later);
    c
}

#[test]
fn a_writer_entry_dated_ahead_dates_an_erasure_at_most_an_hour_ahead() {
    // Found by this audit: an entry a day ahead dated the withdrawal a day ahead, and every
    // profile begun since under a new yes was wiped. An erasure is now dated no more than
    // `ERASURE_LEAD_MS` ahead of the clock: a page that gives the new yes after that keeps its
    // events (one within it is taken for a copy of before: RELIABILITY.md).
    let later = super::consent::ERASURE_LEAD_MS;
    let (mem, mut b) = a_record_with_a_writer_ahead(DAY);
    let c = withdraw_all_then_a_new_page_says_yes(&mem, &mut b, later);
    let after = strings(&["candles-1"]);
    assert_eq!(recent_at(&c, NOW + 40.0 + later), after, "c's memory");
    assert_eq!(recent_at(&b, NOW + 40.0 + later), after, "b's memory");
    assert_eq!(stored_recent_at(&mem, NOW + 40.0 + later), after, "storage");
}

#[test]
fn sensitive_signals_kept_under_a_later_yes_given_without_knowing_of_the_withdrawal_stay() {
    // `sensitive` given in `x` before: its decision withdraws it (the erasure in `x`'s memory
    // only, as both records go); the profile `y` begins at its yes, after the erasure, holds
    // nothing it covered.
    super::lineage_tests::a_later_sensitive_yes_keeps_its_signals(with_sensitive());
}

// ---------------------------------------------------------------------------------------------
// Guards: behaviour checked and found right
// ---------------------------------------------------------------------------------------------

#[test]
fn a_second_sensitive_withdrawal_with_the_clock_right_screens_a_busy_tabs_signals() {
    let (w, stored) = two_sensitive_withdrawals_and_a_busy_tab(NOW + 10.0);
    assert_eq!(w, Vec::<String>::new());
    assert_eq!(stored, Vec::<String>::new());
}

#[test]
fn erase_with_the_clock_put_back_leaves_nothing_of_a_busy_tabs_recent_events() {
    // Found by this audit on bb3e3c1 (erase() dated at `now`: the busy tab re-applied
    // `mugs-1`); fixed meanwhile by 20e5ecc, whose own test covers the stale copy only.
    let back = NOW - 60_000.0;
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, back + 2.0);
    b.erase(back + 3.0);
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    view(&mut a, "mugs-2", back + 6.0);
    b.storage_changed(back + 7.0);
    let after = strings(&["candles-1", "mugs-2"]);
    assert_eq!(recent_at(&a, back + 8.0), after, "a's memory");
    assert_eq!(stored_recent_at(&mem, back + 8.0), after, "storage");
}

#[test]
fn a_withdrawal_with_writers_of_the_right_time_lets_a_later_profile_stay() {
    // The same flow as `a_writer_entry_dated_ahead_dates_an_erasure_at_most_an_hour_ahead`, without
    // the entry ahead: `b` takes the new profile.
    let (mem, mut b) = a_record_with_a_writer_ahead(0.0);
    let c = withdraw_all_then_a_new_page_says_yes(&mem, &mut b, 0.0);
    let after = strings(&["candles-1"]);
    assert_eq!(recent_at(&c, NOW + 40.0), after);
    assert_eq!(recent_at(&b, NOW + 40.0), after);
    assert_eq!(stored_recent(&mem), after);
}

#[test]
fn a_withdrawal_given_at_open_refuses_a_busy_tabs_copy() {
    let (mem, _a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = tab_at(&mem, refused_keeping_storage(), NOW + 3.0);
    decide(&mut b, granted(), NOW + 4.0);
    view(&mut b, "candles-1", NOW + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(NOW + 6.0);
    assert_eq!(recent(&b), strings(&["candles-1"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
}

#[test]
fn gpc_pages_giving_the_explicit_yes_on_every_load_lose_no_event_of_an_open_tab() {
    // GPC on, policy `deny`: the shopper's explicit yes (made while GPC was on) stands; a site
    // passing it again at every load and `setConsent` withdraws nothing.
    let mem = MemoryBackend::new();
    let open = |consent: Option<serde_json::Value>, now: f64| {
        open_env(&mem, consent, json!({"gpc": "deny"}), now, true)
    };
    let mut a = open(Some(granted()), NOW);
    assert!(a.consent().personalization);
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut a, "mugs-2", NOW + 2.0); // waits for the interval
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let mut page = open(Some(granted()), t);
        page.set_consent(&from_json(&granted()), t + 1.0, true)
            .unwrap();
        view(&mut page, &format!("candles-{i}"), t + 2.0);
        a.storage_changed(t + 3.0);
    }
    a.flush(NOW + 300.0);
    let all = strings(&["candles-0", "candles-1", "candles-2", "mugs-1", "mugs-2"]);
    assert_eq!(recent(&a), all);
    assert_eq!(stored_recent(&mem), all);
}

#[test]
fn two_tabs_giving_the_same_yes_in_the_same_millisecond_lose_nothing() {
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    let mut b = stored_tab_at(&mem, NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut b, "mugs-2", NOW + 1.0);
    // Both run the page's `setConsent` with the CMP's state at once, before the other's
    // `storage` event.
    decide(&mut a, granted(), NOW + 2.0);
    decide(&mut b, granted(), NOW + 2.0);
    view(&mut a, "mugs-3", NOW + 3.0);
    a.storage_changed(NOW + 4.0);
    b.storage_changed(NOW + 4.0);
    a.storage_changed(NOW + 5.0);
    let all = strings(&["mugs-1", "mugs-2", "mugs-3"]);
    assert_eq!(recent(&a), all);
    assert_eq!(recent(&b), all);
    assert_eq!(stored_recent(&mem), all);
}

#[test]
fn a_refusal_given_on_every_load_with_remember_refusal_then_a_yes_keeps_the_new_profile() {
    let open_rr = |mem: &MemoryBackend, consent: Option<serde_json::Value>, now: f64| {
        open_at(mem, consent, json!({"rememberRefusal": true}), now)
    };
    let no = json!({"personalization": false, "storage": false});
    let mem = MemoryBackend::new();
    let mut a = open_rr(&mem, Some(granted()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    decide(&mut a, no.clone(), NOW + 2.0);
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let page = open_rr(&mem, Some(no.clone()), t);
        drop(page);
        a.storage_changed(t + 1.0);
    }
    decide(&mut a, granted(), NOW + 50.0);
    view(&mut a, "candles-1", NOW + 51.0);
    // Another refusal-at-load page opened, then the site passes the yes at the next load.
    let mut b = open_rr(&mem, None, NOW + 60.0);
    decide(&mut b, granted(), NOW + 61.0);
    view(&mut b, "candles-2", NOW + 62.0);
    a.storage_changed(NOW + 63.0);
    let after = strings(&["candles-1", "candles-2"]);
    assert_eq!(recent(&a), after);
    assert_eq!(recent(&b), after);
    assert_eq!(stored_recent(&mem), after);
}

#[test]
fn a_tcf_yes_loaded_on_every_page_while_an_open_tab_writes_loses_nothing() {
    use crate::consent::tcf::testing::tc_string;
    let mem = MemoryBackend::new();
    let yes = tc_string(&[1, 5, 6], NOW - 1_000.0);
    let mut a = stored_tab_at(&mem, NOW);
    a.tcf_event(&yes, TcfEvent::Loaded, NOW, false).unwrap();
    view(&mut a, "mugs-1", NOW + 1.0);
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let mut page = open_at(&mem, Some(json!({"tcf": yes.clone()})), json!({}), t);
        view(&mut page, &format!("candles-{i}"), t + 2.0);
        // `a` runs the CMP's tcloaded again before its storage event.
        a.tcf_event(&yes, TcfEvent::Loaded, t + 3.0, false).unwrap();
        view(&mut a, &format!("mugs-{}", i + 2), t + 4.0);
    }
    a.storage_changed(NOW + 100.0);
    let all = strings(&[
        "candles-0",
        "candles-1",
        "candles-2",
        "mugs-1",
        "mugs-2",
        "mugs-3",
        "mugs-4",
    ]);
    assert_eq!(recent(&a), all);
    assert_eq!(stored_recent(&mem), all);
}

#[test]
fn a_sensitive_yes_given_where_the_withdrawal_is_known_keeps_its_signals_everywhere() {
    // The withdrawal of `sensitive` is kept in the records (storage kept): a new yes in another
    // tab knows of it, and its signals stay in the withdrawing tab and in storage.
    let mem = MemoryBackend::new();
    let mut x = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    view(&mut x, "throws-1", NOW + 1.0);
    let mut y = sensitive_tab(&mem, None, NOW + 1.5);
    decide(&mut x, granted(), NOW + 2.0);
    y.storage_changed(NOW + 2.5);
    assert_eq!(recent(&y), Vec::<String>::new());
    decide(&mut y, with_sensitive(), NOW + 3.0);
    view(&mut y, "throws-2", NOW + 4.0);
    x.storage_changed(NOW + 5.0);
    assert_eq!(recent(&x), strings(&["throws-2"]));
    view(&mut x, "mugs-1", NOW + 6.0);
    y.storage_changed(NOW + 7.0);
    let after = strings(&["mugs-1", "throws-2"]);
    assert_eq!(recent(&y), after);
    assert_eq!(stored_recent(&mem), after);
}
