//! Third re-audit of the erasure times (`store::lineage`) after 20fd9cd: any decision made in a
//! tab leaving personalization denied stamps a profile erasure, erasures are dated after the
//! stored record's times (at most an hour ahead), only a copy begun before a `sensitive` erasure
//! is screened. The tests under "Found" failed on 20fd9cd; the guards passed there too.

use super::tests::NOW;
use super::*;
use crate::store::{Load, MemoryBackend, StoreError};
use crate::value::from_json;
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::lineage_tests::{
    a_tab_that_viewed_mugs_1, decide, granted, recent_at, refused_keeping_storage, sensitive_tab,
    stored_recent, strings, tab_at, with_sensitive,
};
use super::sync_tests::{recent, stored_tab_at, view};

/// The erasures the stored consent record carries.
fn stored_erasures(mem: &MemoryBackend) -> crate::store::Erasures {
    match Store::new(Box::new(mem.clone()), "vitrine").load_consent() {
        Load::Found((_, e)) => e,
        other => panic!("consent record: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Found by the third re-audit (each failed on 20fd9cd)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stale_cmp_refusal_run_late_in_a_busy_tab_does_not_wipe_a_newer_yes_it_does_not_override() {
    use crate::consent::tcf::testing::tc_string;
    let mem = MemoryBackend::new();
    // The CMP's refusal (storage kept, personalization refused), of the day before.
    let no = tc_string(&[1], NOW - 86_400_000.0);
    let mut w = stored_tab_at(&mem, NOW);
    w.tcf_event(&no, TcfEvent::Loaded, NOW, false).unwrap();
    assert!(!w.consent().personalization && w.consent().storage);
    drop(w);
    // `a` opens on that refusal; its CMP loads the same string, but `a` is busy and runs the
    // `tcloaded` listener only later.
    let mut a = stored_tab_at(&mem, NOW + 1.0);
    // The shopper says yes in the site's banner in `y`, and views a mug.
    let mut y = stored_tab_at(&mem, NOW + 2.0);
    decide(&mut y, granted(), NOW + 3.0);
    view(&mut y, "mugs-1", NOW + 4.0);
    // A tab that heard of the yes ignores that string: it is older than the decision in force.
    let mut c = stored_tab_at(&mem, NOW + 4.5);
    c.tcf_event(&no, TcfEvent::Loaded, NOW + 4.6, false)
        .unwrap();
    assert!(
        c.consent().personalization,
        "the yes stands over the older string"
    );
    drop(c);
    // `a` runs its late `tcloaded`: the refusal (dated the day before) is applied there.
    a.tcf_event(&no, TcfEvent::Loaded, NOW + 5.0, false)
        .unwrap();
    y.storage_changed(NOW + 6.0);
    // `y` does not take the refusal over (older than its yes)…
    assert!(y.consent().personalization);
    // …yet followed its erasure: the newer yes's profile is gone while the yes stands.
    assert_eq!(
        recent(&y),
        strings(&["mugs-1"]),
        "y kept the yes but lost the profile begun under it"
    );
}

#[test]
fn a_busy_tabs_sensitive_event_recorded_before_a_sensitive_withdrawal_does_not_come_back_when_its_profile_was_dropped(
) {
    let mem = MemoryBackend::new();
    // `b`: sensitive yes, a mug written at once, then writes wait for the interval.
    let mut b = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    b.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut b, "mugs-1", NOW + 1.0);
    // In `w`, the shopper withdraws personalization (storage kept) and gives everything again:
    // a new profile, born at NOW + 3.
    let mut w = sensitive_tab(&mem, None, NOW + 1.5);
    decide(&mut w, refused_keeping_storage(), NOW + 2.0);
    decide(&mut w, with_sensitive(), NOW + 3.0);
    // `b`, busy (its `storage` events held back), records a throw under its sensitive yes: in
    // its merge buffer only (the write interval).
    view(&mut b, "throws-9", NOW + 4.0);
    // In `w`, the shopper withdraws `sensitive`, then gives it again.
    decide(&mut w, granted(), NOW + 5.0);
    decide(&mut w, with_sensitive(), NOW + 6.0);
    view(&mut w, "candles-1", NOW + 7.0);
    // `b` writes what waits: it takes `w`'s profile (its own, begun before the profile erasure,
    // goes), and re-applies its own events recorded since the new profile began…
    b.flush(NOW + 300.0);
    b.storage_changed(NOW + 301.0);
    w.storage_changed(NOW + 302.0);
    // …`throws-9` among them, although the `sensitive` withdrawal at NOW + 5 covered it.
    let stored = stored_recent(&mem);
    assert!(
        !stored.contains(&"throws-9".to_owned()),
        "storage holds a signal the sensitive withdrawal erased: {stored:?}"
    );
    let in_w = recent_at(&w, NOW + 303.0);
    assert!(
        !in_w.contains(&"throws-9".to_owned()),
        "w took back a signal its withdrawal erased: {in_w:?}"
    );
}

#[test]
fn a_decision_without_sensitive_in_a_tab_that_missed_a_sensitive_yes_is_a_sensitive_erasure() {
    let mem = MemoryBackend::new();
    // `a` opens first, with personalization (no `sensitive`).
    let mut a = sensitive_tab(&mem, Some(granted()), NOW - 1.0);
    // `z`: the shopper gives `sensitive` too; a mug is written, a throw waits for the interval.
    let mut z = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    z.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut z, "mugs-1", NOW + 0.5);
    view(&mut z, "throws-1", NOW + 1.0);
    // In `a`, which has not run the `storage` event of `z`'s yes, the shopper saves the banner
    // without `sensitive`: the latest decision, every tab takes it over.
    decide(&mut a, granted(), NOW + 2.0);
    // Later, in `x`, the shopper gives `sensitive` again.
    let mut x = sensitive_tab(&mem, None, NOW + 2.5);
    assert!(!x.consent().sensitive);
    decide(&mut x, with_sensitive(), NOW + 3.0);
    view(&mut x, "candles-1", NOW + 4.0);
    // `z`, busy through both, writes what waits, then runs its `storage` events.
    z.flush(NOW + 300.0);
    z.storage_changed(NOW + 301.0);
    x.storage_changed(NOW + 302.0);
    let stored = stored_recent(&mem);
    assert!(
        !stored.contains(&"throws-1".to_owned()),
        "storage holds a signal recorded under the sensitive yes the decision at NOW + 2 withdrew: {stored:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Guards: behaviour checked and found right
// ---------------------------------------------------------------------------------------------

/// `v` (a version 6 profile record) with its first writer entry dated `at`, or with its
/// version byte set to `version`.
fn patched(v: &str, at: Option<f64>, version: u8) -> String {
    let (_, mut payload) =
        crate::store::envelope::open(crate::store::envelope::Kind::Profile, v).unwrap();
    assert!(payload[0] >= 1, "a writer entry");
    if let Some(at) = at {
        payload[9..17].copy_from_slice(&at.to_le_bytes());
    }
    let mut b = b"VP".to_vec();
    b.push(version);
    b.extend_from_slice(&crate::bytes::crc32(&payload).to_le_bytes());
    b.extend_from_slice(&payload);
    crate::bytes::base64url_encode(&b)
}

#[test]
fn a_stored_record_with_absurd_damaged_or_newer_times_dates_no_erasure_more_than_an_hour_ahead() {
    use super::consent::ERASURE_LEAD_MS;
    let (mem, a, good) = a_tab_that_viewed_mugs_1();
    drop(a);
    let cases: Vec<(&str, String, f64)> = vec![
        (
            "entry far ahead",
            patched(&good, Some(1e300), 6),
            ERASURE_LEAD_MS,
        ),
        (
            "entry at f64::MAX",
            patched(&good, Some(f64::MAX), 6),
            ERASURE_LEAD_MS,
        ),
        (
            "entry infinite",
            patched(&good, Some(f64::INFINITY), 6),
            0.0,
        ),
        ("entry NaN", patched(&good, Some(f64::NAN), 6), 0.0),
        ("entry negative", patched(&good, Some(-5.0), 6), 0.0),
        ("newer version", patched(&good, Some(1e300), 7), 0.0),
        ("not an envelope", "garbage!".to_owned(), 0.0),
        ("empty", String::new(), 0.0),
    ];
    for (i, (what, value, lead)) in cases.into_iter().enumerate() {
        let now = NOW + 10_000.0 * (i as f64 + 1.0);
        let mut b = stored_tab_at(&mem, now);
        mem.put_raw("vitrine:profile", &value);
        decide(&mut b, refused_keeping_storage(), now + 1.0);
        let e = stored_erasures(&mem);
        assert!(
            e.profile >= now + 1.0 && e.profile <= now + 1.0 + ERASURE_LEAD_MS,
            "{what}: erasure dated {} (now {})",
            e.profile - (now + 1.0),
            now + 1.0
        );
        if lead > 0.0 {
            assert_eq!(e.profile, now + 1.0 + lead, "{what}");
        }
        // The shopper says yes again: the erasure's time is no obstacle to the new profile.
        decide(&mut b, granted(), now + 2.0);
        view(&mut b, "candles-1", now + 3.0);
        assert_eq!(recent_at(&b, now + 4.0), strings(&["candles-1"]), "{what}");
        mem.put_raw("vitrine:profile", &good);
        let _ = Store::new(Box::new(mem.clone()), "vitrine").remove_profile();
        mem.put_raw("vitrine:profile", &good);
    }
}

/// A back-end that counts reads per key.
#[derive(Clone, Default)]
struct Counting {
    inner: MemoryBackend,
    gets: Rc<RefCell<BTreeMap<String, usize>>>,
    contains: Rc<RefCell<BTreeMap<String, usize>>>,
}

impl Counting {
    fn reset(&self) {
        self.gets.borrow_mut().clear();
        self.contains.borrow_mut().clear();
    }
    fn gets(&self, key: &str) -> usize {
        self.gets.borrow().get(key).copied().unwrap_or(0)
    }
}

impl crate::store::Backend for Counting {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        *self.gets.borrow_mut().entry(key.to_owned()).or_default() += 1;
        self.inner.get(key)
    }
    fn contains(&self, key: &str) -> Result<bool, StoreError> {
        *self
            .contains
            .borrow_mut()
            .entry(key.to_owned())
            .or_default() += 1;
        self.inner.contains(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.inner.set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.inner.keys()
    }
}

fn counting_tab(backend: &Counting, consent: serde_json::Value, now: f64) -> Session {
    let o = json!({ "catalog": super::tests::catalog(), "consent": consent });
    Session::open(
        OpenOptions::parse(from_json(&o)).unwrap(),
        Box::new(backend.clone()),
        Env {
            now,
            seed: super::sync_tests::seed(),
            gpc: false,
        },
    )
}

#[test]
fn track_reads_neither_the_consent_record_nor_the_profile_head_per_event() {
    let backend = Counting::default();
    let mut a = counting_tab(&backend, granted(), NOW);
    // Every event written at once (write interval 0): one read of the profile record's
    // revision per event, none of the consent record (a look at whether it is there only).
    backend.reset();
    for i in 0..20 {
        view(&mut a, &format!("mugs-{i}"), NOW + 1.0 + f64::from(i));
    }
    assert_eq!(backend.gets("vitrine:consent"), 0, "load_consent per event");
    assert_eq!(
        backend.gets("vitrine:profile"),
        20,
        "profile reads per written event (profile_times would add one)"
    );
    // Within the write interval: no read at all until the flush.
    a.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut a, "candles-0", NOW + 1_000.0);
    backend.reset();
    for i in 1..20 {
        view(
            &mut a,
            &format!("candles-{i}"),
            NOW + 1_000.0 + f64::from(i),
        );
    }
    assert_eq!(backend.gets("vitrine:consent"), 0);
    assert_eq!(backend.gets("vitrine:profile"), 0);
    // Refused: `track` reads nothing either.
    let mut r = counting_tab(&backend, refused_keeping_storage(), NOW + 2_000.0);
    backend.reset();
    for i in 0..10 {
        let _ = r.track(
            &Value::from("Product Viewed"),
            &from_json(&json!({ "product_id": format!("mugs-{i}") })),
            &Value::Undefined,
            NOW + 2_001.0 + f64::from(i),
        );
    }
    assert_eq!(backend.gets("vitrine:consent"), 0);
    assert_eq!(backend.gets("vitrine:profile"), 0);
}

#[test]
fn a_page_that_opened_with_a_refusal_before_a_yes_elsewhere_wipes_nothing_when_it_catches_up() {
    // A page opened with `consent: {personalization: false}` (the site's default) before the
    // shopper said yes on another page: it takes the yes over (no decision made there), its
    // events and the other page's stay.
    let mem = MemoryBackend::new();
    let mut p = tab_at(&mem, refused_keeping_storage(), NOW);
    let mut y = stored_tab_at(&mem, NOW + 1.0);
    decide(&mut y, granted(), NOW + 2.0);
    view(&mut y, "mugs-1", NOW + 3.0);
    p.storage_changed(NOW + 4.0);
    assert!(p.consent().personalization);
    view(&mut p, "candles-1", NOW + 5.0);
    y.storage_changed(NOW + 6.0);
    let all = strings(&["candles-1", "mugs-1"]);
    assert_eq!(recent(&p), all);
    assert_eq!(recent(&y), all);
    assert_eq!(stored_recent(&mem), all);
    // The same page opened again with its refusal is the latest decision: an erasure, and the
    // yes given after it keeps its profile.
    let q = tab_at(&mem, refused_keeping_storage(), NOW + 10.0);
    drop(q);
    y.storage_changed(NOW + 11.0);
    assert!(recent(&y).is_empty());
    decide(&mut y, granted(), NOW + 12.0);
    view(&mut y, "candles-2", NOW + 13.0);
    p.storage_changed(NOW + 14.0);
    assert_eq!(recent(&p), strings(&["candles-2"]));
    assert_eq!(stored_recent(&mem), strings(&["candles-2"]));
}

#[test]
fn a_refusal_repeated_in_one_tab_writes_once_per_call_and_keeps_the_erasure_near_now() {
    // Page code passing the same refusal over and over (a consent-mode `update` on every
    // gtag call): each call writes the consent record once, and the erasure drifts at most a
    // millisecond a call beyond now.
    let mem = MemoryBackend::new();
    let mut a = tab_at(&mem, granted(), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let before = mem.writes.get();
    for _ in 0..50 {
        decide(&mut a, refused_keeping_storage(), NOW + 2.0);
    }
    let writes = mem.writes.get() - before;
    assert!(writes <= 50, "{writes} writes for 50 calls");
    let e = stored_erasures(&mem);
    assert!(e.profile <= NOW + 2.0 + 51.0, "{}", e.profile - NOW);
    // A yes a few ms later keeps its events.
    decide(&mut a, granted(), NOW + 5.0);
    view(&mut a, "candles-1", NOW + 6.0);
    let mut b = stored_tab_at(&mem, NOW + 7.0);
    view(&mut b, "candles-2", NOW + 8.0);
    a.storage_changed(NOW + 9.0);
    assert_eq!(recent(&a), strings(&["candles-1", "candles-2"]));
}

#[test]
fn a_busy_tab_that_keeps_its_profile_screens_its_own_sensitive_events_of_before() {
    // The case follow_erasures still screens: the busy tab's profile began before the
    // `sensitive` erasure and is held.
    let mem = MemoryBackend::new();
    let mut b = sensitive_tab(&mem, Some(with_sensitive()), NOW);
    b.set_write_interval(WRITE_INTERVAL_MS);
    view(&mut b, "mugs-1", NOW + 1.0);
    view(&mut b, "throws-1", NOW + 2.0);
    let mut w = sensitive_tab(&mem, None, NOW + 2.5);
    decide(&mut w, granted(), NOW + 3.0);
    decide(&mut w, with_sensitive(), NOW + 4.0);
    view(&mut w, "candles-1", NOW + 5.0);
    b.flush(NOW + 300.0);
    w.storage_changed(NOW + 301.0);
    let after = strings(&["candles-1", "mugs-1"]);
    assert_eq!(stored_recent(&mem), after);
    assert_eq!(recent_at(&w, NOW + 302.0), after);
}

#[test]
fn gpc_with_a_consent_mode_yes_at_open_is_the_latest_decision_and_its_erasure_holds() {
    // GPC on, policy `deny`: a page passing Consent Mode's yes (not an explicit opt-in) leaves
    // personalization denied; it is the latest decision, every tab takes it over, and the
    // explicit yes given after it keeps its profile.
    let mem = MemoryBackend::new();
    let open = |consent: Option<serde_json::Value>, now: f64| {
        super::lineage_tests::open_env(&mem, consent, json!({"gpc": "deny"}), now, true)
    };
    let mut y = open(Some(granted()), NOW);
    view(&mut y, "mugs-1", NOW + 1.0);
    let gcm = json!({"googleConsentMode": {"ad_storage": "granted", "ad_personalization": "granted", "analytics_storage": "granted", "personalization_storage": "granted"}});
    let p = open(Some(gcm), NOW + 2.0);
    assert!(!p.consent().personalization);
    drop(p);
    y.storage_changed(NOW + 3.0);
    assert!(recent(&y).is_empty());
    y.set_consent(&from_json(&granted()), NOW + 4.0, true)
        .unwrap();
    view(&mut y, "candles-1", NOW + 5.0);
    let r = open(None, NOW + 6.0);
    assert_eq!(recent(&r), strings(&["candles-1"]));
}
