//! Fifth re-audit of the erasure times (`store::lineage`) after ab2a489: the `taken_over` flag
//! (a decision taken over from another tab is not this page's CMP string's to make again), the
//! late CMP string's catch-up through `storage_changed` (65ac324), and the buffered-event rule
//! (an event recorded later than now goes with an erasure it missed). The tests under "Found"
//! failed on ab2a489; the guards passed there too.

use super::tests::NOW;
use super::*;
use crate::consent::tcf::testing::tc_string;
use crate::store::MemoryBackend;

use super::lineage_tests::{
    decide, granted, recent_at, refused_keeping_storage, sensitive_tab, stored_decision,
    stored_recent, strings, tab_at, with_sensitive,
};
use super::sync_tests::{reader, recent, stored_tab_at, view};

const DAY: f64 = 86_400_000.0;

/// The CMP's yes of the day before, stored, and a mug viewed under it; the tab closed.
fn a_cmp_yes_of_yesterday(mem: &MemoryBackend) -> String {
    let yes = tc_string(&[1, 5, 6], NOW - DAY);
    let mut w = stored_tab_at(mem, NOW - 10.0);
    w.tcf_event(&yes, TcfEvent::Loaded, NOW - 10.0, false)
        .unwrap();
    assert!(w.consent().personalization);
    view(&mut w, "mugs-1", NOW - 9.0);
    yes
}

// ---------------------------------------------------------------------------------------------
// Found by the fifth re-audit (each failed on ab2a489)
// ---------------------------------------------------------------------------------------------

/// `a` opens on the CMP's stored yes and is busy (its `tcloaded` listener queued); in `b` the
/// shopper refuses everything in the CMP's dialog (purpose 1 too: no storage), which removes
/// both records. `a` then runs its queued `tcloaded` with the yes string it loaded before the
/// refusal: the records' removal leaves it on the default decision (no date), which any string
/// supersedes. The stale yes is applied, dated yesterday, and written back with a new profile:
/// consent and storage back after the shopper withdrew both, in `a`, in storage, in any open
/// tab that followed the removal (P10: no decision, so it takes over the yes written), and in
/// pages opened until one runs its CMP again.
fn a_stale_cmp_yes_after_a_cmp_refusal_of_everything(storage_event_first: bool) {
    let mem = MemoryBackend::new();
    let yes = a_cmp_yes_of_yesterday(&mem);
    let mut a = stored_tab_at(&mem, NOW);
    assert!(a.consent().personalization);
    view(&mut a, "mugs-2", NOW + 1.0);
    // A third tab, not busy, that follows everything at once.
    let mut c = stored_tab_at(&mem, NOW + 1.5);
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    let none = tc_string(&[], NOW + 3.0);
    b.tcf_event(&none, TcfEvent::UserAction, NOW + 3.0, false)
        .unwrap();
    assert!(!b.consent().personalization && !b.consent().storage);
    assert!(stored_decision(&mem).is_none(), "records removed");
    c.storage_changed(NOW + 3.5);
    assert!(!c.consent().personalization);
    if storage_event_first {
        a.storage_changed(NOW + 4.0);
    }
    a.tcf_event(&yes, TcfEvent::Loaded, NOW + 5.0, false)
        .unwrap();
    if !storage_event_first {
        a.storage_changed(NOW + 5.5);
    }
    view_if_allowed(&mut a, "mugs-3", NOW + 6.0);
    c.storage_changed(NOW + 7.0);
    b.storage_changed(NOW + 7.5);
    assert!(
        !a.consent().personalization,
        "a personalizes again after the shopper refused everything"
    );
    assert!(
        stored_decision(&mem).is_none(),
        "a record was written after the shopper refused storage: {:?}",
        stored_decision(&mem)
    );
    assert!(
        !mem.snapshot().contains_key("vitrine:profile"),
        "a profile was written after the shopper refused storage"
    );
    assert!(!c.consent().personalization, "c personalizes again");
    assert!(
        !reader(&mem).consent().personalization,
        "a page opened now (before its CMP runs) personalizes"
    );
}

fn view_if_allowed(s: &mut Session, id: &str, t: f64) {
    let _ = s.track(
        &Value::from("Product Viewed"),
        &crate::value::from_json(&serde_json::json!({ "product_id": id })),
        &Value::Undefined,
        t,
    );
}

#[test]
fn a_stale_cmp_yes_run_late_in_a_busy_tab_does_not_undo_a_cmp_refusal_that_removed_the_records() {
    a_stale_cmp_yes_after_a_cmp_refusal_of_everything(false);
}

#[test]
fn a_stale_cmp_yes_run_after_the_storage_event_does_not_undo_a_cmp_refusal_that_removed_the_records(
) {
    a_stale_cmp_yes_after_a_cmp_refusal_of_everything(true);
}

// ---------------------------------------------------------------------------------------------
// Guards: behaviour checked and found right on ab2a489
// ---------------------------------------------------------------------------------------------

#[test]
fn a_late_cmp_loading_the_string_another_tab_just_decided_changes_and_writes_nothing() {
    // `a`'s CMP loads late, after the shopper said yes in `y`'s CMP: the string it reports is
    // the one `y` decided (dated the day only), and `a`, having taken the yes over, keeps it.
    let mem = MemoryBackend::new();
    let today = (NOW / DAY).floor() * DAY;
    let mut w = stored_tab_at(&mem, NOW);
    w.tcf_event(&tc_string(&[1], today - DAY), TcfEvent::Loaded, NOW, false)
        .unwrap();
    drop(w);
    let mut a = stored_tab_at(&mem, NOW + 1.0);
    let mut y = stored_tab_at(&mem, NOW + 2.0);
    let yes = tc_string(&[1, 5, 6], today);
    y.tcf_event(&yes, TcfEvent::UserAction, NOW + 3.0, false)
        .unwrap();
    view(&mut y, "mugs-1", NOW + 4.0);
    a.storage_changed(NOW + 5.0);
    let writes = mem.writes.get();
    a.tcf_event(&yes, TcfEvent::Loaded, NOW + 6.0, false)
        .unwrap();
    assert!(a.consent().personalization);
    assert_eq!(mem.writes.get(), writes, "nothing written");
    view(&mut a, "candles-1", NOW + 7.0);
    y.storage_changed(NOW + 8.0);
    assert_eq!(recent(&y), strings(&["candles-1", "mugs-1"]));
}

#[test]
fn the_tabs_own_cmp_decides_after_a_take_over_in_either_direction() {
    // Taken over: a refusal, then the shopper's yes in this tab's CMP (`useractioncomplete`,
    // dated now) applies; taken over: a yes, then the shopper's refusal here applies and is
    // followed by the other tab.
    let mem = MemoryBackend::new();
    let today = (NOW / DAY).floor() * DAY;
    let mut a = stored_tab_at(&mem, NOW);
    a.tcf_event(&tc_string(&[1, 5, 6], today), TcfEvent::Loaded, NOW, false)
        .unwrap();
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    b.tcf_event(
        &tc_string(&[1], today),
        TcfEvent::UserAction,
        NOW + 3.0,
        false,
    )
    .unwrap();
    a.storage_changed(NOW + 4.0);
    assert!(!a.consent().personalization);
    a.tcf_event(
        &tc_string(&[1, 5, 6], today),
        TcfEvent::UserAction,
        NOW + 5.0,
        false,
    )
    .unwrap();
    assert!(a.consent().personalization, "a's own yes ignored");
    view(&mut a, "candles-1", NOW + 6.0);
    b.storage_changed(NOW + 7.0);
    assert!(b.consent().personalization);
    assert_eq!(recent(&b), strings(&["candles-1"]));
    // b took the yes over; the shopper refuses in b's CMP.
    b.tcf_event(
        &tc_string(&[1], today),
        TcfEvent::UserAction,
        NOW + 8.0,
        false,
    )
    .unwrap();
    assert!(!b.consent().personalization, "b's own refusal ignored");
    a.storage_changed(NOW + 9.0);
    assert!(!a.consent().personalization);
    assert!(recent(&a).is_empty());
    assert!(stored_recent(&mem).is_empty());
}

#[test]
fn a_take_over_then_records_cleared_then_a_newer_cmp_string_applies() {
    // check_vanished's default (source Default) clears `taken_over`: a string dated after the
    // clearing applies (nothing stale about it), and is written.
    let mem = MemoryBackend::new();
    let mut a = stored_tab_at(&mem, NOW);
    let mut y = stored_tab_at(&mem, NOW + 1.0);
    y.tcf_event(
        &tc_string(&[1, 5, 6], NOW + 2.0),
        TcfEvent::UserAction,
        NOW + 2.0,
        false,
    )
    .unwrap();
    drop(y);
    a.storage_changed(NOW + 3.0);
    assert!(a.consent().personalization);
    mem.clear();
    let fresh = tc_string(&[1, 5, 6], NOW + DAY);
    a.tcf_event(&fresh, TcfEvent::Loaded, NOW + DAY, false)
        .unwrap();
    assert!(a.consent().personalization);
    assert!(stored_decision(&mem).is_some_and(|d| d.personalization));
}

#[test]
fn a_late_cmp_string_newer_than_a_stored_decision_by_the_day_only_applies() {
    // The catch-up takes over a stored decision of yesterday evening; this morning's string
    // (lastUpdated at midnight, later than it) then applies, once.
    let mem = MemoryBackend::new();
    let today = (NOW / DAY).floor() * DAY;
    let mut a = tab_at(&mem, granted(), today - 5.0 * DAY);
    view(&mut a, "mugs-1", today - 5.0 * DAY + 1.0);
    let mut b = stored_tab_at(&mem, today - 3_600_000.0);
    decide(&mut b, refused_keeping_storage(), today - 3_600_000.0);
    drop(b);
    let yes = tc_string(&[1, 5, 6], today);
    a.tcf_event(&yes, TcfEvent::Loaded, NOW, false).unwrap();
    assert!(a.consent().personalization, "this morning's yes lost");
    assert!(recent(&a).is_empty(), "the profile of before came back");
    assert!(stored_decision(&mem).is_some_and(|d| d.personalization));
    assert!(stored_recent(&mem).is_empty());
}

#[test]
fn a_late_cmp_string_over_an_expired_newer_record_applies_without_taking_it_over() {
    // The catch-up finds a newer record past consentMaxAgeDays (a clock put right since is not
    // needed: the record is newer than the page's own decision, and old): it is not taken over
    // and the string decides.
    let mem = MemoryBackend::new();
    let policy = serde_json::json!({"consentMaxAgeDays": 1});
    let mut a = super::lineage_tests::open_at(&mem, None, policy.clone(), NOW);
    let mut old = super::lineage_tests::open_at(&mem, Some(granted()), policy, NOW - 3.0 * DAY);
    view(&mut old, "mugs-1", NOW - 3.0 * DAY + 1.0);
    drop(old);
    let no = tc_string(&[1], NOW);
    a.tcf_event(&no, TcfEvent::Loaded, NOW + 1.0, false)
        .unwrap();
    assert!(!a.consent().personalization);
    assert!(stored_decision(&mem).is_some_and(|d| !d.personalization));
}

#[test]
fn a_busy_tabs_event_recorded_in_the_millisecond_it_writes_after_a_new_yes_is_kept() {
    // No clock change: `now` equal to an event's recorded time keeps it (recorded <= now), and
    // an event recorded after the new profile began comes with it.
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    decide(&mut b, refused_keeping_storage(), NOW + 3.0);
    decide(&mut b, granted(), NOW + 4.0);
    view(&mut b, "candles-1", NOW + 5.0);
    // `a`, busy, records an event after the new yes and writes it in the same millisecond.
    view(&mut a, "mugs-2", NOW + 210.0);
    a.flush(NOW + 210.0);
    a.storage_changed(NOW + 210.0);
    b.storage_changed(NOW + 211.0);
    let after = strings(&["candles-1", "mugs-2"]);
    assert_eq!(recent_at(&a, NOW + 212.0), after, "a");
    assert_eq!(recent_at(&b, NOW + 212.0), after, "b");
    assert_eq!(stored_recent(&mem), after, "storage");
}

#[test]
fn an_event_recorded_in_the_millisecond_of_a_withdrawal_elsewhere_goes_with_it() {
    // The withdrawal is dated after the other tab's write of that millisecond.
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut b = stored_tab_at(&mem, NOW + 1.0);
    view(&mut a, "mugs-2", NOW + 3.0);
    decide(&mut b, refused_keeping_storage(), NOW + 3.0);
    decide(&mut b, granted(), NOW + 4.0);
    view(&mut b, "candles-1", NOW + 5.0);
    a.storage_changed(NOW + 6.0);
    b.storage_changed(NOW + 7.0);
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
    assert_eq!(recent_at(&b, NOW + 8.0), strings(&["candles-1"]));
}

#[test]
fn a_sensitive_event_recorded_in_the_millisecond_a_busy_tab_writes_after_a_sensitive_yes_is_kept() {
    let mem = MemoryBackend::new();
    let mut b = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    b.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut b, "mugs-1", NOW + 1.0);
    let mut w = sensitive_tab(&mem, None, NOW + 2.0);
    decide(&mut w, granted(), NOW + 3.0);
    decide(&mut w, with_sensitive(), NOW + 4.0);
    view(&mut w, "candles-1", NOW + 5.0);
    // `b` (busy, still under its sensitive yes) records a throw after w's new sensitive yes.
    view(&mut b, "throws-2", NOW + 210.0);
    b.flush(NOW + 210.0);
    b.storage_changed(NOW + 210.0);
    w.storage_changed(NOW + 211.0);
    let stored = stored_recent(&mem);
    assert!(stored.contains(&"throws-2".to_owned()), "{stored:?}");
    assert!(stored.contains(&"candles-1".to_owned()), "{stored:?}");
}
