//! Re-audit of the erasure times the records carry (`store::lineage`): tabs busy through a
//! withdrawal, stale copies, clocks, versions.

use super::tests::{catalog, NOW};
use super::*;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::json;

use super::sync_tests::{reader, recent, seed, stored_tab_at, view};
use crate::audit::Entry;

/// A tab opened at `now`, with a decision of its own or (`None`) the stored one, `policy`, and
/// the browser's GPC signal `gpc`.
pub(super) fn open_env(
    mem: &MemoryBackend,
    consent: Option<serde_json::Value>,
    policy: serde_json::Value,
    now: f64,
    gpc: bool,
) -> Session {
    let mut o = json!({ "catalog": catalog(), "policy": policy });
    if let Some(c) = consent {
        o["consent"] = c;
    }
    let opts = OpenOptions::parse(from_json(&o)).unwrap();
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now,
            seed: seed(),
            gpc,
        },
    )
}

pub(super) fn open_at(
    mem: &MemoryBackend,
    consent: Option<serde_json::Value>,
    policy: serde_json::Value,
    now: f64,
) -> Session {
    open_env(mem, consent, policy, now, false)
}

/// A tab opened with a decision of its own.
pub(super) fn tab_at(mem: &MemoryBackend, consent: serde_json::Value, now: f64) -> Session {
    open_at(mem, Some(consent), json!({}), now)
}

/// A tab of a shop where `Throws` is a sensitive category.
pub(super) fn sensitive_tab(
    mem: &MemoryBackend,
    consent: Option<serde_json::Value>,
    now: f64,
) -> Session {
    open_at(
        mem,
        consent,
        json!({"sensitiveCategories": ["Throws"]}),
        now,
    )
}

pub(super) fn recent_at(s: &Session, now: f64) -> Vec<String> {
    let mut v = s
        .profile(now)
        .map(|p| p.recently_viewed)
        .unwrap_or_default();
    v.sort();
    v
}

/// What the stored profile record holds, read raw at `now` (no session screens or replaces it).
pub(super) fn stored_recent_at(mem: &MemoryBackend, now: f64) -> Vec<String> {
    use crate::consent::{ConsentState, Gate};
    use crate::store::{Load, Store};
    let gate = Gate::new(ConsentState {
        personalization: true,
        storage: true,
        sensitive: true,
        ..Default::default()
    });
    let (who, persist) = gate.persistent_profile().unwrap();
    let store = Store::new(Box::new(mem.clone()), "vitrine");
    match store.load_profile(&who, &persist, 1e12).0 {
        Load::Found((p, _, _)) => {
            let mut v = p.summary(&who, now).recently_viewed;
            v.sort();
            v
        }
        Load::Missing => Vec::new(),
        other => panic!("stored profile: {other:?}"),
    }
}

pub(super) fn stored_recent(mem: &MemoryBackend) -> Vec<String> {
    stored_recent_at(mem, NOW + 100.0)
}

/// The decision the stored consent record holds (`None`: no record).
pub(super) fn stored_decision(mem: &MemoryBackend) -> Option<crate::consent::Decision> {
    use crate::store::{Load, Store};
    match Store::new(Box::new(mem.clone()), "vitrine").load_consent() {
        Load::Found((d, _)) => Some(d),
        Load::Missing => None,
        other => panic!("consent record: {other:?}"),
    }
}

pub(super) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

pub(super) fn granted() -> serde_json::Value {
    json!({"personalization": true, "storage": true})
}

pub(super) fn refused_keeping_storage() -> serde_json::Value {
    json!({"personalization": false, "storage": true})
}

pub(super) fn with_sensitive() -> serde_json::Value {
    json!({"personalization": true, "storage": true, "sensitive": true})
}

pub(super) fn decide(s: &mut Session, consent: serde_json::Value, now: f64) {
    s.set_consent(&from_json(&consent), now, false).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Found by the re-audit (each failed on 6daaf29)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_busy_tabs_own_yes_before_its_storage_events_does_not_bring_back_a_withdrawn_profile() {
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    // The shopper withdraws personalization in `b` (storage kept: the consent record now says
    // when the profile was erased), and closes it.
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        NOW + 3.0,
    );
    drop(b);
    // `a` was busy: the first thing it runs afterwards is a new yes (the shopper's click in
    // `a`, or page code passing the CMP's state again), before the queued `storage` events.
    decide(&mut a, granted(), NOW + 4.0);
    a.storage_changed(NOW + 4.5);
    assert_eq!(recent(&a), Vec::<String>::new(), "a's memory");
    assert_eq!(stored_recent(&mem), Vec::<String>::new(), "storage");
    assert_eq!(recent(&reader(&mem)), Vec::<String>::new(), "a new page");
}

#[test]
fn a_stale_copy_is_refused_when_the_clock_was_put_back_before_the_withdrawal() {
    // NTP (or the shopper) steps the clock back by a minute between `a`'s first event and the
    // withdrawal in `b`.
    let back = NOW - 60_000.0;
    let (mem, _a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, back + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        back + 3.0,
    );
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    // `a`, busy all along, writes its copy of before.
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(back + 6.0);
    assert_eq!(
        recent_at(&b, back + 7.0),
        strings(&["candles-1"]),
        "b's memory"
    );
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]), "storage");
}

#[test]
fn a_busy_tabs_events_do_not_come_back_when_the_clock_was_put_back_before_the_withdrawal() {
    let back = NOW - 60_000.0;
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, back + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        back + 3.0,
    );
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    view(&mut a, "mugs-2", back + 6.0);
    b.storage_changed(back + 7.0);
    let after = strings(&["candles-1", "mugs-2"]);
    assert_eq!(recent_at(&a, back + 8.0), after, "a's memory");
    assert_eq!(stored_recent(&mem), after, "storage");
}

#[test]
fn a_copy_from_before_a_sensitive_withdrawal_does_not_stay_in_storage() {
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    view(&mut a, "throws-1", NOW + 1.0);
    view(&mut a, "mugs-1", NOW + 1.5);
    let stale = mem.snapshot()["vitrine:profile"].clone();
    let mut b = sensitive_tab(&mem, None, NOW + 2.0);
    // The shopper withdraws `sensitive` only; `a` (busy) then writes its copy of before.
    decide(&mut b, granted(), NOW + 3.0);
    assert_eq!(stored_recent(&mem), strings(&["mugs-1"]));
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(NOW + 4.0);
    assert_eq!(recent(&b), strings(&["mugs-1"]), "b's memory");
    assert_eq!(stored_recent(&mem), strings(&["mugs-1"]), "storage");
}

/// `x` keeps personalization but refuses storage (both records go) after `first`; later, in
/// `y`, the shopper gives everything, `sensitive` too, and views a throw, which every tab and
/// storage keep.
pub(super) fn a_later_sensitive_yes_keeps_its_signals(first: serde_json::Value) {
    let mem = MemoryBackend::new();
    let mut x = sensitive_tab(&mem, Some(first), NOW);
    let mut y = sensitive_tab(&mem, None, NOW + 1.0);
    decide(
        &mut x,
        json!({"personalization": true, "storage": false}),
        NOW + 2.0,
    );
    y.storage_changed(NOW + 2.5);
    assert!(mem.snapshot().is_empty());
    decide(&mut y, with_sensitive(), NOW + 3.0);
    view(&mut y, "throws-1", NOW + 4.0);
    x.storage_changed(NOW + 5.0);
    assert!(x.consent().sensitive);
    assert_eq!(recent(&x), strings(&["throws-1"]), "x's memory");
    view(&mut x, "mugs-1", NOW + 6.0);
    y.storage_changed(NOW + 7.0);
    let after = strings(&["mugs-1", "throws-1"]);
    assert_eq!(recent(&y), after, "y's memory");
    assert_eq!(stored_recent(&mem), after, "storage");
}

#[test]
fn sensitive_signals_kept_under_a_later_sensitive_yes_are_not_erased() {
    // `sensitive` never given before: the decision in `x` leaves it denied, a sensitive erasure
    // (in `x`'s memory only, as both records go); the profile `y` begins at its later yes
    // holds nothing it covered.
    a_later_sensitive_yes_keeps_its_signals(granted());
}

// ---------------------------------------------------------------------------------------------
// Guards: behaviour checked and found right
// ---------------------------------------------------------------------------------------------

#[test]
fn two_fresh_tabs_opening_at_once_after_a_withdrawal_lose_nothing() {
    let mem = MemoryBackend::new();
    // An earlier withdrawal the consent record tells of.
    let mut old = tab_at(&mem, granted(), NOW - 10_000.0);
    view(&mut old, "mugs-9", NOW - 9_000.0);
    decide(
        &mut old,
        json!({"personalization": false, "storage": true}),
        NOW - 8_000.0,
    );
    drop(old);
    // Two pages open in the same millisecond with the site's decision, before either writes.
    let mut a = tab_at(&mem, granted(), NOW);
    let mut b = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut b, "mugs-2", NOW + 1.0);
    view(&mut a, "mugs-3", NOW + 2.0);
    a.storage_changed(NOW + 3.0);
    b.storage_changed(NOW + 3.0);
    let all = strings(&["mugs-1", "mugs-2", "mugs-3"]);
    assert_eq!(recent(&a), all);
    assert_eq!(recent(&b), all);
    assert_eq!(stored_recent(&mem), all);
    assert_eq!(a.profile(NOW + 5.0).unwrap().events, 3);
    assert_eq!(b.profile(NOW + 5.0).unwrap().events, 3);
    // Converged: another round of events writes nothing.
    let before = mem.snapshot();
    a.storage_changed(NOW + 4.0);
    b.storage_changed(NOW + 4.0);
    assert_eq!(mem.snapshot(), before);
}

#[test]
fn the_same_decision_given_on_every_page_load_loses_no_event_of_an_open_tab() {
    // A shop with a sensitive list that never asks for `sensitive`: a decision without it,
    // given at every page load, is a sensitive erasure each time, and must lose nothing here
    // (no sensitive signal is kept).
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(granted()), NOW);
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "mugs-1", NOW + 1.0);
    view(&mut a, "mugs-2", NOW + 2.0); // waits for the interval
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let mut page = sensitive_tab(&mem, None, t);
        decide(&mut page, granted(), t + 1.0);
        view(&mut page, &format!("candles-{i}"), t + 2.0);
        a.storage_changed(t + 3.0);
    }
    a.flush(NOW + 300.0);
    let all = strings(&["candles-0", "candles-1", "candles-2", "mugs-1", "mugs-2"]);
    assert_eq!(recent(&a), all);
    assert_eq!(stored_recent(&mem), all);
    assert_eq!(a.profile(NOW + 300.0).unwrap().events, 5);
}

#[test]
fn a_tcf_yes_reloaded_on_every_page_loses_no_event_of_an_open_tab() {
    use crate::consent::tcf::testing::tc_string;
    let mem = MemoryBackend::new();
    let yes = tc_string(&[1, 5, 6], NOW - 1_000.0);
    let mut a = stored_tab_at(&mem, NOW);
    a.tcf_event(&yes, TcfEvent::UserAction, NOW, false).unwrap();
    view(&mut a, "mugs-1", NOW + 1.0);
    for i in 0..3 {
        let t = NOW + 10.0 + f64::from(i) * 10.0;
        let mut page = stored_tab_at(&mem, t);
        page.tcf_event(&yes, TcfEvent::Loaded, t, false).unwrap();
        view(&mut page, &format!("candles-{i}"), t + 2.0);
        a.storage_changed(t + 3.0);
    }
    view(&mut a, "mugs-2", NOW + 100.0);
    let all = strings(&["candles-0", "candles-1", "candles-2", "mugs-1", "mugs-2"]);
    assert_eq!(recent(&a), all);
    assert_eq!(stored_recent(&mem), all);
}

#[test]
fn old_orders_imported_under_the_new_yes_are_kept_by_every_tab() {
    // Their times are before the withdrawal; what tells is when they were recorded.
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        NOW + 3.0,
    );
    decide(&mut b, granted(), NOW + 4.0);
    let day = 86_400_000.0;
    let orders = json!([{"order_id": "POS-1", "timestamp": NOW - 5.0 * day,
        "products": [{"product_id": "candles-2", "quantity": 1}]}]);
    let r = b.import_history(&from_json(&orders), NOW + 5.0).unwrap();
    assert_eq!(r.imported, 1);
    a.storage_changed(NOW + 6.0);
    assert_eq!(
        a.profile(NOW + 6.0).unwrap().counts.get("purchase"),
        Some(1)
    );
    assert_eq!(
        recent(&a),
        Vec::<String>::new(),
        "mugs-1 went with the withdrawal"
    );
    let r = reader(&mem);
    assert_eq!(
        r.profile(NOW + 60_000.0).unwrap().counts.get("purchase"),
        Some(1)
    );
}

/// `v` (a version 6 profile record) as the previous build wrote it: version 5, no lineage.
fn as_version_5(v: &str) -> String {
    let (version, payload) =
        crate::store::envelope::open(crate::store::envelope::Kind::Profile, v).unwrap();
    assert_eq!(version, 6);
    let n = usize::from(payload[0]);
    let clock_end = 1 + 16 * n;
    let mut p = payload[..clock_end].to_vec();
    p.extend_from_slice(&payload[clock_end + 24..]);
    let mut b = b"VP".to_vec();
    b.push(5);
    b.extend_from_slice(&crate::bytes::crc32(&p).to_le_bytes());
    b.extend_from_slice(&p);
    crate::bytes::base64url_encode(&b)
}

#[test]
fn a_version_5_profile_is_taken_and_a_version_5_copy_from_before_a_withdrawal_is_not() {
    let (mem, a, _) = a_tab_that_viewed_mugs_1();
    let v5 = as_version_5(&mem.snapshot()["vitrine:profile"]);
    drop(a);
    // The previous build wrote it; a page of this build takes it and its events.
    mem.put_raw("vitrine:profile", &v5);
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    assert_eq!(recent(&b), strings(&["mugs-1"]));
    view(&mut b, "mugs-2", NOW + 3.0);
    assert_eq!(stored_recent(&mem), strings(&["mugs-1", "mugs-2"]));
    // A tab of the previous build, busy through a withdrawal and a new yes, writes its copy.
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        NOW + 4.0,
    );
    decide(&mut b, granted(), NOW + 5.0);
    view(&mut b, "candles-1", NOW + 6.0);
    mem.put_raw("vitrine:profile", &v5);
    b.storage_changed(NOW + 7.0);
    assert_eq!(recent(&b), strings(&["candles-1"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
}

#[test]
fn a_refusal_kept_by_remember_refusal_tells_a_new_page_of_the_erasure() {
    // Both purposes withdrawn: the consent record stays (rememberRefusal) and carries the
    // erasure, so a page opened for the new yes refuses the busy tab's copy.
    let open_rr = |mem: &MemoryBackend, consent: Option<serde_json::Value>, now: f64| {
        open_at(mem, consent, json!({"rememberRefusal": true}), now)
    };
    let mem = MemoryBackend::new();
    let mut a = open_rr(&mem, Some(granted()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let stale = mem.snapshot()["vitrine:profile"].clone();
    let mut b = open_rr(&mem, None, NOW + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": false}),
        NOW + 3.0,
    );
    assert!(mem.snapshot().contains_key("vitrine:consent"));
    drop(b);
    let mut c = open_rr(&mem, Some(granted()), NOW + 4.0);
    view(&mut c, "candles-1", NOW + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    c.storage_changed(NOW + 6.0);
    assert_eq!(recent(&c), strings(&["candles-1"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
    a.storage_changed(NOW + 7.0);
    assert_eq!(recent(&a), strings(&["candles-1"]));
}

#[test]
fn a_decision_past_its_age_answered_yes_finds_its_profile_again() {
    let day = 86_400_000.0;
    let open_aged = |mem: &MemoryBackend, consent: Option<serde_json::Value>, now: f64| {
        open_at(mem, consent, json!({"consentMaxAgeDays": 1}), now)
    };
    let mem = MemoryBackend::new();
    let mut a = open_aged(&mem, Some(granted()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    // Two days on: `a` (left open) asks again, and so does a page opened then.
    let later = NOW + 2.0 * day;
    a.tend(later);
    assert!(a.profile(later).is_none());
    let mut b = open_aged(&mem, None, later + 1.0);
    assert!(b.profile(later + 1.0).is_none());
    decide(&mut b, granted(), later + 2.0);
    a.storage_changed(later + 3.0);
    assert_eq!(recent_at(&b, later + 4.0), strings(&["mugs-1"]));
    assert_eq!(recent_at(&a, later + 4.0), strings(&["mugs-1"]));
    view(&mut a, "mugs-2", later + 5.0);
    b.storage_changed(later + 6.0);
    assert_eq!(recent_at(&b, later + 7.0), strings(&["mugs-1", "mugs-2"]));
}

#[test]
fn a_stale_copy_and_the_new_profile_settle_without_writing_back_and_forth() {
    let (mem, mut a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    let mut c = stored_tab_at(&mem, NOW + 2.0);
    decide(
        &mut b,
        json!({"personalization": false, "storage": true}),
        NOW + 3.0,
    );
    decide(&mut b, granted(), NOW + 4.0);
    c.storage_changed(NOW + 4.5);
    view(&mut b, "candles-1", NOW + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    // Every tab hears of every write until nothing changes; a few rounds at most.
    let mut rounds = 0;
    loop {
        let before = mem.snapshot();
        for (i, s) in [&mut a, &mut b, &mut c].into_iter().enumerate() {
            s.storage_changed(NOW + 6.0 + f64::from(rounds) * 10.0 + i as f64);
        }
        if mem.snapshot() == before {
            break;
        }
        rounds += 1;
        assert!(rounds < 4, "still writing after {rounds} rounds");
    }
    for s in [&a, &b, &c] {
        assert_eq!(recent(s), strings(&["candles-1"]));
    }
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
}

#[test]
fn an_erase_then_a_yes_in_a_tab_that_followed_it_heals_while_the_erasing_tab_is_open() {
    // `erase()` removes both records, so the erasure time is in `b`'s memory only; the new yes
    // is given in `c`, which followed the removal without learning it, while `a` was busy.
    // `a`'s merge puts `mugs-1` back for a moment (a page opened in that moment reads it);
    // `b`, still open, writes it over at its storage event.
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    let mut c = stored_tab_at(&mem, NOW + 2.0);
    b.erase(NOW + 3.0);
    c.storage_changed(NOW + 3.5);
    decide(&mut c, granted(), NOW + 4.0);
    view(&mut c, "candles-1", NOW + 5.0);
    b.storage_changed(NOW + 5.5);
    view(&mut a, "mugs-2", NOW + 6.0);
    assert_eq!(
        stored_recent(&mem),
        strings(&["candles-1", "mugs-1", "mugs-2"]),
        "the moment"
    );
    b.storage_changed(NOW + 7.0);
    a.storage_changed(NOW + 8.0);
    c.storage_changed(NOW + 8.0);
    b.storage_changed(NOW + 9.0);
    let after = strings(&["candles-1", "mugs-2"]);
    for s in [&a, &b, &c] {
        assert_eq!(recent(s), after);
    }
    assert_eq!(stored_recent(&mem), after);
}

#[test]
fn a_busy_tab_that_hears_of_the_erasure_after_its_own_stale_write_keeps_the_new_profile() {
    // The busy tab's write of before lands over the new profile, and the busy tab handles its
    // queued `storage` events before the other tab hears of that write: it writes a fresh
    // profile over its copy, and the other tab re-applies its recent events onto it.
    let (mem, mut a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    withdraw_and_grant_again(&mut b);
    mem.put_raw("vitrine:profile", &stale);
    a.storage_changed(NOW + 6.0);
    b.storage_changed(NOW + 7.0);
    a.storage_changed(NOW + 8.0);
    let after = strings(&["candles-1"]);
    assert_eq!(recent(&a), after);
    assert_eq!(recent(&b), after);
    assert_eq!(stored_recent(&mem), after);
}

// ---------------------------------------------------------------------------------------------
// The race the erasure times close (third re-audit of the twenty-ninth round): a withdrawal (or
// `erase()`) and a new yes in one tab while another was busy (a long task held back its
// `storage` events); the busy tab's copy from before must not come back.
// ---------------------------------------------------------------------------------------------

/// Storage, and tab `a` that viewed `mugs-1` at `NOW + 1` and wrote it, with the record it wrote.
pub(super) fn a_tab_that_viewed_mugs_1() -> (MemoryBackend, Session, String) {
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let stale = mem.snapshot()["vitrine:profile"].clone();
    (mem, a, stale)
}

/// `b` withdraws personalization at `NOW + 3`, gives it again at `NOW + 4`, and views
/// `candles-1` at `NOW + 5`.
fn withdraw_and_grant_again(b: &mut Session) {
    let no = json!({"personalization": false, "storage": true});
    b.set_consent(&from_json(&no), NOW + 3.0, false).unwrap();
    b.set_consent(&from_json(&granted()), NOW + 4.0, false)
        .unwrap();
    view(b, "candles-1", NOW + 5.0);
}

#[test]
fn a_busy_tabs_events_from_before_another_tabs_withdrawal_do_not_come_back_with_the_new_yes() {
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    withdraw_and_grant_again(&mut b);
    // `a` was busy through all of it; its next event writes, after merging what `b` stored.
    // Before, the merge re-applied `mugs-1` (its own event of the last seconds) to the new
    // profile.
    view(&mut a, "mugs-2", NOW + 6.0);
    b.storage_changed(NOW + 7.0);
    let after = vec!["candles-1".to_owned(), "mugs-2".to_owned()];
    assert_eq!(recent(&a), after);
    assert_eq!(recent(&b), after);
    assert_eq!(recent(&reader(&mem)), after);
}

#[test]
fn a_copy_written_before_a_withdrawal_is_not_taken_by_a_tab_that_knows_of_it() {
    // The busy tab's write from a stale view of storage lands over the new profile. Before,
    // `b` merged it whole, and every tab and the next page had `mugs-1` again.
    let (mem, mut a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    withdraw_and_grant_again(&mut b);
    mem.put_raw("vitrine:profile", &stale);
    // A page opened now reads the consent record, which knows of the withdrawal.
    assert_eq!(
        recent(&stored_tab_at(&mem, NOW + 5.5)),
        Vec::<String>::new()
    );
    b.storage_changed(NOW + 6.0);
    let after = vec!["candles-1".to_owned()];
    assert_eq!(recent(&b), after);
    assert_eq!(recent(&reader(&mem)), after);
    a.storage_changed(NOW + 7.0);
    assert_eq!(recent(&a), after);
    let history = a.audit(NOW + 7.0).history;
    assert!(history.iter().any(|e| matches!(
        e,
        Entry::Erase {
            what: "profile",
            ..
        }
    )));
}

#[test]
fn erase_and_a_new_yes_leave_nothing_of_a_busy_tabs_recent_events() {
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    b.erase(NOW + 3.0);
    b.set_consent(&from_json(&granted()), NOW + 4.0, false)
        .unwrap();
    view(&mut b, "candles-1", NOW + 5.0);
    view(&mut a, "mugs-2", NOW + 6.0);
    let after = vec!["candles-1".to_owned(), "mugs-2".to_owned()];
    assert_eq!(recent(&a), after);
    assert_eq!(recent(&reader(&mem)), after);
}

#[test]
fn a_busy_tabs_sensitive_events_from_before_another_tabs_withdrawal_do_not_come_back() {
    let with = json!({"personalization": true, "storage": true, "sensitive": true});
    let without = json!({"personalization": true, "storage": true});
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(with.clone()), NOW);
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "mugs-1", NOW + 1.0);
    // Waits for the write interval: in `a`'s merge buffer only.
    view(&mut a, "throws-1", NOW + 2.0);
    let mut b = sensitive_tab(&mem, Some(without), NOW + 3.0);
    b.set_consent(&from_json(&with), NOW + 4.0, false).unwrap();
    view(&mut b, "candles-1", NOW + 5.0);
    // Before, `a`'s write re-applied `throws-1` to the profile `b` stored under the new yes.
    a.flush(NOW + 6.0);
    let after = vec!["candles-1".to_owned(), "mugs-1".to_owned()];
    assert_eq!(recent(&a), after);
    b.storage_changed(NOW + 7.0);
    assert_eq!(recent(&b), after);
    assert_eq!(
        recent(&sensitive_tab(&mem, Some(with), NOW + 60_000.0)),
        after
    );
}

#[test]
fn a_copy_written_before_a_sensitive_withdrawal_is_screened_by_a_tab_that_knows_of_it() {
    let with = json!({"personalization": true, "storage": true, "sensitive": true});
    let without = json!({"personalization": true, "storage": true});
    let mem = MemoryBackend::new();
    let mut a = sensitive_tab(&mem, Some(with.clone()), NOW);
    view(&mut a, "throws-1", NOW + 1.0);
    view(&mut a, "mugs-1", NOW + 1.5);
    let stale = mem.snapshot()["vitrine:profile"].clone();
    let mut b = sensitive_tab(&mem, Some(without), NOW + 3.0);
    b.set_consent(&from_json(&with), NOW + 4.0, false).unwrap();
    view(&mut b, "candles-1", NOW + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(NOW + 6.0);
    let after = vec!["candles-1".to_owned(), "mugs-1".to_owned()];
    assert_eq!(recent(&b), after);
    assert_eq!(
        recent(&sensitive_tab(&mem, Some(with), NOW + 60_000.0)),
        after
    );
    a.storage_changed(NOW + 7.0);
    assert_eq!(recent(&a), after);
}

#[test]
fn a_profile_kept_in_memory_through_a_storage_withdrawal_is_stored_again_and_taken() {
    // Withdrawing storage alone erases no profile: the one this tab kept in memory is stored
    // again at the new yes, and the tab that followed the removal takes it.
    let (mem, mut a, _) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, NOW + 2.0);
    let memory_only = json!({"personalization": true, "storage": false});
    b.set_consent(&from_json(&memory_only), NOW + 3.0, false)
        .unwrap();
    a.storage_changed(NOW + 3.5);
    assert!(a.profile(NOW + 3.5).is_none());
    b.set_consent(&from_json(&granted()), NOW + 4.0, false)
        .unwrap();
    a.storage_changed(NOW + 4.5);
    assert_eq!(recent(&a), vec!["mugs-1".to_owned()]);
    view(&mut a, "mugs-2", NOW + 5.0);
    b.storage_changed(NOW + 5.5);
    assert_eq!(recent(&b), vec!["mugs-1".to_owned(), "mugs-2".to_owned()]);
}

#[test]
fn an_erase_with_the_clock_put_back_is_dated_after_what_it_erased() {
    // As for a withdrawal: `erase()` an hour after the clock was put back a minute is dated
    // after the profile it erased, so the busy tab's copy of before is refused.
    let back = NOW - 60_000.0;
    let (mem, _a, stale) = a_tab_that_viewed_mugs_1();
    let mut b = stored_tab_at(&mem, back + 2.0);
    b.erase(back + 3.0);
    decide(&mut b, granted(), back + 4.0);
    view(&mut b, "candles-1", back + 5.0);
    mem.put_raw("vitrine:profile", &stale);
    b.storage_changed(back + 6.0);
    assert_eq!(recent_at(&b, back + 7.0), strings(&["candles-1"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-1"]));
}
