//! Fourth re-audit of the erasure times (`store::lineage`) after 65ac324: a late CMP string first
//! takes over a newer stored decision, the merge buffer is screened for events before a
//! `sensitive` erasure whatever the profile, and any decision made in a tab leaving `sensitive`
//! denied is a sensitive erasure. The tests under "Found" failed on 65ac324; the guards passed
//! there too.

use super::tests::NOW;
use super::*;
use crate::consent::tcf::testing::tc_string;
use crate::store::MemoryBackend;
use serde_json::json;

use super::lineage_tests::{
    decide, granted, open_at, recent_at, refused_keeping_storage, sensitive_tab, stored_decision,
    stored_recent, strings, tab_at, with_sensitive,
};
use super::sync_tests::{recent, stored_tab_at, view};

const DAY: f64 = 86_400_000.0;

// ---------------------------------------------------------------------------------------------
// Found by the fourth re-audit (each failed on 65ac324)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stale_cmp_refusal_run_late_in_a_busy_tab_does_not_overturn_a_newer_cmp_yes() {
    let mem = MemoryBackend::new();
    // The CMP's refusal of the day before (storage kept, personalization refused).
    let no = tc_string(&[1], NOW - DAY);
    let mut w = stored_tab_at(&mem, NOW);
    w.tcf_event(&no, TcfEvent::Loaded, NOW, false).unwrap();
    drop(w);
    // `a` opens on that refusal; its CMP loads the same string, `a` is busy and runs the
    // `tcloaded` listener only later.
    let mut a = stored_tab_at(&mem, NOW + 1.0);
    // The shopper says yes in the CMP's dialog in `y` (not the site's banner), views a mug.
    let yes = tc_string(&[1, 5, 6], NOW + 3.0);
    let mut y = stored_tab_at(&mem, NOW + 2.0);
    y.tcf_event(&yes, TcfEvent::UserAction, NOW + 3.0, false)
        .unwrap();
    assert!(y.consent().personalization);
    view(&mut y, "mugs-1", NOW + 4.0);
    // `a` runs its late `tcloaded`: it takes the newer yes over first, then the older string.
    a.tcf_event(&no, TcfEvent::Loaded, NOW + 5.0, false)
        .unwrap();
    y.storage_changed(NOW + 6.0);
    assert!(
        stored_decision(&mem)
            .expect("a consent record")
            .personalization,
        "the older refusal was written over the newer yes"
    );
    assert!(a.consent().personalization, "a applied the older string");
    assert_eq!(recent(&y), strings(&["mugs-1"]), "y lost its profile");
}

#[test]
fn a_stale_same_day_cmp_yes_run_late_in_a_busy_tab_does_not_undo_a_newer_cmp_refusal() {
    let mem = MemoryBackend::new();
    let today = (NOW / DAY).floor() * DAY;
    // TCF 2.2 strings carry the day only.
    let yes = tc_string(&[1, 5, 6], today);
    let no = tc_string(&[1], today);
    let mut w = stored_tab_at(&mem, NOW);
    w.tcf_event(&yes, TcfEvent::Loaded, NOW, false).unwrap();
    view(&mut w, "mugs-1", NOW + 1.0);
    drop(w);
    // `a` opens on that yes; its CMP loads this morning's string; `a` is busy.
    let mut a = stored_tab_at(&mem, NOW + 2.0);
    // In `b` the shopper refuses in the CMP's dialog.
    let mut b = stored_tab_at(&mem, NOW + 2.5);
    b.tcf_event(&no, TcfEvent::UserAction, NOW + 3.0, false)
        .unwrap();
    assert!(!b.consent().personalization);
    // `a` runs its late `tcloaded` with this morning's yes.
    a.tcf_event(&yes, TcfEvent::Loaded, NOW + 4.0, false)
        .unwrap();
    b.storage_changed(NOW + 5.0);
    assert!(
        !stored_decision(&mem)
            .expect("a consent record")
            .personalization,
        "the stored decision is a yes again after the shopper refused"
    );
    assert!(
        !a.consent().personalization,
        "a personalizes after the refusal"
    );
    assert!(
        !b.consent().personalization,
        "b personalizes after the refusal"
    );
}

#[test]
fn a_stale_same_day_cmp_yes_run_after_the_storage_event_does_not_undo_a_newer_cmp_refusal() {
    let mem = MemoryBackend::new();
    let today = (NOW / DAY).floor() * DAY;
    let yes = tc_string(&[1, 5, 6], today);
    let no = tc_string(&[1], today);
    let mut w = stored_tab_at(&mem, NOW);
    w.tcf_event(&yes, TcfEvent::Loaded, NOW, false).unwrap();
    drop(w);
    let mut a = stored_tab_at(&mem, NOW + 2.0);
    let mut b = stored_tab_at(&mem, NOW + 2.5);
    b.tcf_event(&no, TcfEvent::UserAction, NOW + 3.0, false)
        .unwrap();
    // `a`'s queued tasks run in the other order: the `storage` event first.
    a.storage_changed(NOW + 3.5);
    assert!(!a.consent().personalization);
    a.tcf_event(&yes, TcfEvent::Loaded, NOW + 4.0, false)
        .unwrap();
    b.storage_changed(NOW + 5.0);
    assert!(
        !stored_decision(&mem)
            .expect("a consent record")
            .personalization,
        "yes stored again"
    );
    assert!(
        !b.consent().personalization,
        "b personalizes after the refusal"
    );
}

#[test]
fn a_busy_tabs_buffered_event_of_before_a_withdrawal_does_not_come_back_when_the_clock_was_put_back(
) {
    let mem = MemoryBackend::new();
    // `a`: a yes of long ago; a mug written at once, a second one waits for the interval.
    let mut a = tab_at(&mem, granted(), NOW - 100_000.0);
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut a, "mugs-2", NOW + 50.0);
    // The clock is put back a minute (NTP). `a` is busy; in `b` the shopper withdraws and gives
    // the consent again.
    let back = NOW - 60_000.0;
    let mut b = stored_tab_at(&mem, back + 2.0);
    decide(&mut b, refused_keeping_storage(), back + 3.0);
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    // `a` writes what waits, then runs its `storage` events.
    a.flush(back + 300.0);
    a.storage_changed(back + 301.0);
    b.storage_changed(back + 302.0);
    let stored = stored_recent(&mem);
    assert!(
        !stored.contains(&"mugs-2".to_owned()),
        "storage holds an event recorded before the withdrawal: {stored:?}"
    );
    let in_b = recent_at(&b, back + 303.0);
    assert!(
        !in_b.contains(&"mugs-2".to_owned()),
        "b took back an event of before the withdrawal: {in_b:?}"
    );
}

#[test]
fn a_busy_tabs_buffered_sensitive_event_of_before_a_sensitive_withdrawal_does_not_come_back_when_the_clock_was_put_back(
) {
    let mem = MemoryBackend::new();
    let mut b = sensitive_tab(&mem, Some(with_sensitive()), NOW - 100_000.0);
    b.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut b, "mugs-1", NOW + 1.0);
    view(&mut b, "throws-9", NOW + 50.0);
    // Clock put back a minute; in `w` the shopper withdraws `sensitive`, then gives it again.
    let back = NOW - 60_000.0;
    let mut w = sensitive_tab(&mem, None, back + 2.0);
    decide(&mut w, granted(), back + 3.0);
    decide(&mut w, with_sensitive(), back + 4.0);
    view(&mut w, "candles-1", back + 5.0);
    b.flush(back + 300.0);
    b.storage_changed(back + 301.0);
    w.storage_changed(back + 302.0);
    let stored = stored_recent(&mem);
    assert!(
        !stored.contains(&"throws-9".to_owned()),
        "storage holds a signal the sensitive withdrawal erased: {stored:?}"
    );
    let in_w = recent_at(&w, back + 303.0);
    assert!(
        !in_w.contains(&"throws-9".to_owned()),
        "w took back a signal its withdrawal erased: {in_w:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Guards: behaviour checked and found right
// ---------------------------------------------------------------------------------------------

#[test]
fn a_late_cmp_string_in_a_busy_tab_takes_over_a_newer_remembered_refusal_and_writes_nothing_back() {
    // `rememberRefusal`: the refusal's record stays though storage is refused. A busy tab's
    // late `tcloaded` (a yes older than the refusal) takes the refusal over, and is ignored.
    let mem = MemoryBackend::new();
    let policy = json!({"rememberRefusal": true});
    let old_yes = tc_string(&[1, 5, 6], NOW - DAY);
    let mut a = open_at(&mem, None, policy.clone(), NOW);
    a.tcf_event(&old_yes, TcfEvent::Loaded, NOW, false).unwrap();
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut b = open_at(&mem, None, policy, NOW + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": false}),
        NOW + 3.0,
    );
    let record = mem.snapshot()["vitrine:consent"].clone();
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    let writes = mem.writes.get();
    a.tcf_event(&old_yes, TcfEvent::Loaded, NOW + 4.0, false)
        .unwrap();
    assert!(!a.consent().personalization && !a.consent().storage);
    assert!(recent(&a).is_empty());
    assert_eq!(
        mem.snapshot()["vitrine:consent"],
        record,
        "record unchanged"
    );
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    assert_eq!(mem.writes.get(), writes, "nothing written");
    // A newer string still applies after the catch-up.
    let new_yes = tc_string(&[1, 5, 6], NOW + 5.0);
    a.tcf_event(&new_yes, TcfEvent::UserAction, NOW + 5.0, false)
        .unwrap();
    assert!(a.consent().personalization);
    b.storage_changed(NOW + 6.0);
    assert!(b.consent().personalization);
}

#[test]
fn a_late_cmp_string_newer_than_the_stored_decision_applies_after_the_catch_up() {
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    decide(&mut b, refused_keeping_storage(), NOW + 3.0);
    decide(&mut b, granted(), NOW + 4.0);
    view(&mut b, "candles-1", NOW + 5.0);
    // `a` (busy) gets the CMP's refusal made after all of it.
    let no = tc_string(&[1], NOW + 6.0);
    a.tcf_event(&no, TcfEvent::UserAction, NOW + 6.0, false)
        .unwrap();
    assert!(!a.consent().personalization);
    b.storage_changed(NOW + 7.0);
    assert!(!b.consent().personalization);
    assert!(recent(&b).is_empty());
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    // The shopper's yes after it keeps its profile, and nothing of before.
    decide(&mut b, granted(), NOW + 8.0);
    view(&mut b, "candles-2", NOW + 9.0);
    a.storage_changed(NOW + 10.0);
    assert_eq!(recent(&a), strings(&["candles-2"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-2"]));
}

#[test]
fn a_late_cmp_string_over_an_expired_or_newer_record_does_not_take_it_over() {
    // A record past `consentMaxAgeDays` is not taken over by the catch-up (storage_changed
    // leaves it), and the CMP's string then applies.
    let mem = MemoryBackend::new();
    let policy = json!({"consentMaxAgeDays": 1});
    let mut old = open_at(&mem, Some(granted()), policy.clone(), NOW - 3.0 * DAY);
    view(&mut old, "mugs-1", NOW - 3.0 * DAY + 1.0);
    drop(old);
    let mut a = open_at(&mem, None, policy, NOW);
    assert!(!a.consent().personalization);
    let yes = tc_string(&[1, 5, 6], NOW);
    a.tcf_event(&yes, TcfEvent::Loaded, NOW + 1.0, false)
        .unwrap();
    assert!(a.consent().personalization);
    assert!(stored_decision(&mem)
        .expect("a consent record")
        .at
        .is_some_and(|t| t >= NOW));
    // A newer vitrine's record: follow_stored_erasures reads nothing, the string applies as
    // before 65ac324 (no catch-up, no panic, no recursion).
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    let mut rec = mem.snapshot()["vitrine:consent"].clone();
    // Bump the version byte: not readable by this build.
    let (_, payload) =
        crate::store::envelope::open(crate::store::envelope::Kind::Consent, &rec).unwrap();
    let mut bytes = b"VC".to_vec();
    bytes.push(200);
    bytes.extend_from_slice(&crate::bytes::crc32(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    rec = crate::bytes::base64url_encode(&bytes);
    mem.put_raw("vitrine:consent", &rec);
    let no = tc_string(&[1], NOW + 2.0);
    a.tcf_event(&no, TcfEvent::UserAction, NOW + 2.0, false)
        .unwrap();
    assert!(!a.consent().personalization);
}

#[test]
fn a_decision_without_sensitive_at_every_page_load_makes_open_tabs_write_nothing() {
    // A shop that never asks for `sensitive` (but screens `Throws`): every page load's decision
    // is a sensitive erasure; an open tab following it erases nothing and writes nothing.
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(granted()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let mut p = sensitive_tab(&mem, Some(granted()), t);
        view(&mut p, &format!("candles-{i}"), t + 1.0);
        drop(p);
        let before = mem.writes.get();
        a.storage_changed(t + 2.0);
        assert_eq!(mem.writes.get(), before, "a wrote on a page load");
    }
    assert_eq!(
        recent(&a),
        strings(&["candles-0", "candles-1", "candles-2", "mugs-1"])
    );
}

#[test]
fn a_stale_banner_state_replayed_in_a_busy_tab_is_the_latest_decision_everywhere() {
    // Page code replaying its banner's old state (no `sensitive`) in a busy tab after another
    // tab's sensitive yes: it is a decision made now, taken over by every tab, so the erasure
    // it stamps matches the consent in force everywhere (nothing kept under a yes that stands).
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(granted()), NOW);
    let mut z = sensitive_tab(&mem, None, NOW + 1.0);
    decide(&mut z, with_sensitive(), NOW + 2.0);
    view(&mut z, "throws-1", NOW + 3.0);
    view(&mut z, "mugs-1", NOW + 4.0);
    let gcm = json!({"googleConsentMode": {"ad_storage": "granted", "ad_personalization": "granted", "analytics_storage": "granted", "personalization_storage": "granted"}});
    decide(&mut a, gcm, NOW + 5.0);
    z.storage_changed(NOW + 6.0);
    assert!(!z.consent().sensitive && !a.consent().sensitive);
    assert_eq!(recent(&z), strings(&["mugs-1"]));
    assert_eq!(stored_recent(&mem), strings(&["mugs-1"]));
    // A new sensitive yes keeps its signals in every tab.
    decide(&mut z, with_sensitive(), NOW + 7.0);
    view(&mut z, "throws-2", NOW + 8.0);
    a.storage_changed(NOW + 9.0);
    assert_eq!(recent(&a), strings(&["mugs-1", "throws-2"]));
}
