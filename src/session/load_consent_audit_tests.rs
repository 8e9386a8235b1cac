//! Re-audit of a consent given to `Vitrine.load` as the shopper's as of the call
//! (`Session::open_asked`, the page's registry `session::page`), and of a decision made while the
//! clock ran ahead, dated now in the open page (`Session::keep`): privacy leaks, lost consent,
//! lost data, writes going back and forth between tabs and instances.
//!
//! The first eleven tests are the defects it found, each failing on the code it was written
//! against: the re-dating in `keep` was taken out again, and the registry now takes decisions in
//! the order they were made, not by their dates. The others are guards that hold. Another tab is
//! another page, hence another instance of the module and of its registry: [`in_other_tab`] runs
//! it on a thread of its own (the registry is thread-local) over a copy of storage, and copies
//! what it left back, as a browser propagates `localStorage`.

use super::sync_tests::{seed, view};
use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::tcf::testing::tc_string;
use crate::consent::Source;
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

fn open_gpc(mem: &MemoryBackend, extra: Json, now: f64, gpc: bool) -> Session {
    Session::open(options(extra), Box::new(mem.clone()), env(now, gpc))
}

/// `Vitrine.load(options)` called at `asked`, its file arrived at `now`.
fn load(mem: &MemoryBackend, extra: Json, asked: f64, now: f64) -> Session {
    load_gpc(mem, extra, asked, now, false)
}

fn load_gpc(mem: &MemoryBackend, extra: Json, asked: f64, now: f64, gpc: bool) -> Session {
    load_asked(mem, extra, page::asked_by_time(asked), now, gpc)
}

/// `Vitrine.load(options)` as the page calls it: `asked` noted at the call (`page::asked`), where
/// the steps' times do not stand for their order (a clock that ran ahead).
fn load_asked(
    mem: &MemoryBackend,
    extra: Json,
    asked: page::Asked,
    now: f64,
    gpc: bool,
) -> Session {
    Session::open_asked(
        options(extra),
        Box::new(mem.clone()),
        env(now, gpc),
        Some(asked),
    )
}

/// Runs `f` in another tab: another page (its own module instance, so its own registry of the
/// decisions made there) over the same `localStorage`.
fn in_other_tab(mem: &MemoryBackend, f: impl FnOnce(&MemoryBackend) + Send + 'static) {
    let before = mem.snapshot();
    let after = std::thread::spawn(move || {
        let m = MemoryBackend::new();
        for (k, v) in &before {
            m.put_raw(k, v);
        }
        f(&m);
        m.snapshot()
    })
    .join()
    .unwrap();
    mem.clear();
    for (k, v) in &after {
        mem.put_raw(k, v);
    }
}

fn set(s: &mut Session, consent: Json, now: f64) -> crate::consent::ConsentState {
    s.set_consent(&from_json(&consent), now, false).unwrap()
}

fn yes() -> Json {
    json!({"personalization": true, "storage": true})
}

fn no() -> Json {
    json!({"personalization": false, "storage": false})
}

fn keys(mem: &MemoryBackend) -> Vec<String> {
    mem.snapshot().into_keys().collect()
}

fn syncs(s: &Session, what: &str) -> usize {
    s.audit(NOW)
        .history
        .iter()
        .filter(|e| matches!(e, Entry::Sync { what: w, .. } if *w == what))
        .count()
}

// ---------------------------------------------------------------------------------------------
// Defects found, fixed
// ---------------------------------------------------------------------------------------------

/// A record dated later than now was written while the clock ran ahead: when, on a right clock,
/// it was made is unknown — before the load was asked, here. The refusal the shopper gave (and
/// `open` would apply: P3) is overruled by a yes of another day.
#[test]
fn a_stored_yes_dated_ahead_does_not_overrule_the_refusal_given_to_load() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    // Last month, in another tab, while the device's clock ran a month ahead: a yes, a view.
    in_other_tab(&mem, move |m| {
        let mut t = open(m, json!({"consent": yes()}), ahead);
        view(&mut t, "mugs-1", ahead);
    });
    assert_eq!(keys(&mem), ["vitrine:consent", "vitrine:profile"]);
    // The clock right again, the shopper refuses on the banner; the page loads the model with it.
    let reference = MemoryBackend::new();
    for (k, v) in mem.snapshot() {
        reference.put_raw(&k, &v);
    }
    let sync = open(&reference, json!({"consent": no()}), NOW + 2_000.0);
    assert!(!sync.consent().personalization, "open applies it (P3)");
    let b = load(&mem, json!({"consent": no()}), NOW, NOW + 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(b.profile(NOW + 2_000.0).is_none());
    assert!(mem.snapshot().is_empty(), "{:?}", keys(&mem));
}

/// The same through the page's registry: the yes was made in this page before the load was
/// asked, while the clock ran ahead; the instance that made it dates it now once the clock is
/// right (`keep`), but the registry keeps the date it had, and it overrules the later refusal.
#[test]
fn a_yes_made_in_the_page_before_the_load_while_the_clock_ran_ahead_does_not_overrule_it() {
    let ahead = NOW + 30.0 * DAY;
    let mem = MemoryBackend::new();
    // A yes kept in memory only (nothing stored: only the registry knows of it).
    let memory_only = json!({"personalization": true, "storage": false});
    let mut a = open(&mem, json!({"consent": memory_only}), ahead);
    view(&mut a, "mugs-1", ahead);
    // The clock is right again; the page's instance runs a call before the load.
    a.tend(NOW - 1_000.0);
    // At NOW the shopper refuses, and the page loads the new model with that refusal.
    let asked = page::asked(NOW);
    let b = load_asked(&mem, json!({"consent": no()}), asked, NOW + 2_000.0, false);
    assert!(!b.consent().personalization, "{:?}", b.consent());
}

/// The clock is put back a few seconds (an NTP step) while the file downloads: the file arrives
/// at a time before the call, `asked` is taken as now, and the load's consent is applied as
/// `open`'s (P3) — over the withdrawal the shopper made in the page meanwhile.
#[test]
fn a_withdrawal_made_during_the_download_stands_when_the_clock_is_put_back() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    view(&mut a, "mugs-1", NOW - 60_000.0);
    // NOW: the page calls load with the yes it has. NOW + 1 s: the shopper withdraws.
    set(&mut a, no(), NOW + 1_000.0);
    assert!(mem.snapshot().is_empty());
    // The clock is put back 5 s; the file arrives at what now reads NOW - 2 s.
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW - 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(mem.snapshot().is_empty(), "{:?}", keys(&mem));
}

/// Another tab withdraws both purposes (both records removed) during the download; this page's
/// serving instance follows it (P10). The load then opens with the yes it was given before, and
/// writes both records back: the withdrawal is undone in this page and for every page after it
/// (P10: "nothing written back").
#[test]
fn another_tabs_withdrawal_during_the_download_is_not_written_over() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    view(&mut a, "mugs-1", NOW - 60_000.0);
    // NOW: the page calls load({consent: yes}). NOW + 1 s: the shopper withdraws in another tab.
    in_other_tab(&mem, |m| {
        let mut t = open(m, json!({}), NOW + 900.0);
        set(&mut t, no(), NOW + 1_000.0);
    });
    assert!(mem.snapshot().is_empty());
    a.storage_changed(NOW + 1_100.0);
    assert!(
        !a.consent().personalization,
        "the serving instance follows (P10)"
    );
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(mem.snapshot().is_empty(), "{:?}", keys(&mem));
}

/// `erase()` during the download forgets the decision (P15); the registry notes a "default"
/// dated when it was made, which the load applies as a refusal the shopper expressed: with
/// `rememberRefusal` it writes a consent record the erasure had just removed.
#[test]
fn erase_during_the_download_leaves_no_record_with_remember_refusal() {
    let policy = json!({"rememberRefusal": true});
    let mem = MemoryBackend::new();
    let mut a = open(
        &mem,
        json!({"consent": yes(), "policy": policy.clone()}),
        NOW - 60_000.0,
    );
    view(&mut a, "mugs-1", NOW - 60_000.0);
    a.erase(NOW + 1_000.0);
    assert!(mem.snapshot().is_empty());
    assert_eq!(a.consent().updated_at, None);
    let b = load(
        &mem,
        json!({"consent": yes(), "policy": policy}),
        NOW,
        NOW + 2_000.0,
    );
    assert!(!b.consent().personalization);
    assert!(mem.snapshot().is_empty(), "{:?}", keys(&mem));
}

/// The same without `rememberRefusal`: the new instance reads as a dated "default" — `consent()`
/// says `updatedAt` is `null` for the default, and the instance that erased says so.
#[test]
fn erase_during_the_download_opens_with_no_decision_like_the_erasing_instance() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    a.erase(NOW + 1_000.0);
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert_eq!(b.consent(), a.consent());
}

/// The registry keeps the decision noted last, not the latest: a shelf widget's instance kept in
/// memory applies its CMP's `tcloaded` of yesterday's yes after the shopper withdrew in the
/// page's instance, and the load then finds no decision made since it was asked.
#[test]
fn a_withdrawal_in_the_page_stands_when_an_older_decision_is_noted_after_it() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    view(&mut a, "mugs-1", NOW - 60_000.0);
    // A widget's instance of the namespace, in memory (`storage: 'memory'`), following the CMP.
    let mut widget = open(&MemoryBackend::new(), json!({}), NOW - 30_000.0);
    // NOW: load asked with the yes. NOW + 1 s: the shopper withdraws.
    set(&mut a, no(), NOW + 1_000.0);
    // NOW + 1.5 s: the widget's CMP loads the string it stored yesterday (P7 for it: it had none).
    let old_yes = tc_string(&[1, 5, 6], NOW - DAY);
    let c = widget
        .tcf_event(&old_yes, TcfEvent::Loaded, NOW + 1_500.0, false)
        .unwrap();
    assert!(c.personalization && c.updated_at < Some(NOW));
    // Dated, yesterday's yes is older than the withdrawal: in one instance it would be ignored
    // (P8); the withdrawal is the latest decision made since the load was asked.
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(mem.snapshot().is_empty(), "{:?}", keys(&mem));
}

/// A tab whose decision was made while the clock ran ahead, idle since the clock was put back
/// (no call ran `keep`), receives another tab's later refusal: the storage event compares it
/// with the date still ahead and ignores it (P9). The tab keeps personalizing, and writes its
/// profile under the refusal.
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
/// refusal and before the storage event, and dates its decision of last month "now" — later
/// than the refusal, which the storage event then ignores.
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
/// in the CMP (`useractioncomplete`: P6, "replaces the decision in force, dated now"); the CMP
/// callback does not run `keep`, and the refusal is ignored as older than the decision.
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

/// Re-dated in memory only, a tab takes its own record (still dated ahead, read as now) for
/// another tab's newer decision at every write of another instance: the decision's date moves
/// to now each time (it never ages while writes come: `consentMaxAgeDays` counts from the last
/// one, up to the clock's lead), and the history says another tab decided when none did.
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

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/// A decision made in the page before the load was asked does not win; one of another
/// namespace does not count; a synchronous `open` is P3 whatever the registry holds.
#[test]
fn only_decisions_of_the_namespace_made_since_the_call_stand() {
    // Before the call: the load's consent replaces it, dated when the load was asked.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": no()}), NOW - 60_000.0);
    set(&mut a, no(), NOW - 1.0);
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(b.consent().personalization);
    assert_eq!(b.consent().source, Source::Explicit);
    assert_eq!(b.consent().updated_at, Some(NOW));
    // Another namespace's withdrawal since: not this one's.
    let mem = MemoryBackend::new();
    let mut other = open(&mem, json!({"namespace": "widget", "consent": yes()}), NOW);
    set(&mut other, no(), NOW + 1_000.0);
    let b = load(
        &mem,
        json!({"namespace": "shop", "consent": yes()}),
        NOW,
        NOW + 2_000.0,
    );
    assert!(b.consent().personalization);
    // The same namespace's, by an instance already freed: it stands.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"namespace": "freed", "consent": yes()}), NOW);
    set(&mut a, no(), NOW + 1_000.0);
    drop(a);
    let b = load(
        &mem,
        json!({"namespace": "freed", "consent": yes()}),
        NOW,
        NOW + 2_000.0,
    );
    assert!(!b.consent().personalization);
    assert!(mem.snapshot().is_empty());
    // `open` (asked now) gives P3, even with a registry entry and a stored record dated later
    // than now (the clock put back since): exactly as before.
    let mem = MemoryBackend::new();
    let mut a = open(
        &mem,
        json!({"namespace": "p3", "consent": yes()}),
        NOW + 10_000.0,
    );
    view(&mut a, "mugs-1", NOW + 10_000.0);
    let s = open(&mem, json!({"namespace": "p3", "consent": no()}), NOW);
    assert!(!s.consent().personalization);
    assert_eq!(s.consent().updated_at, Some(NOW));
    assert!(mem.snapshot().is_empty());
    let s = open(
        &mem,
        json!({"namespace": "p3", "consent": yes()}),
        NOW + 1.0,
    );
    assert_eq!(s.consent().source, Source::Explicit);
}

/// Refusal given, yes made meanwhile (with `sensitive`, kept in memory only) — and the reverse —
/// the decision made since stands; `sensitive` withdrawn meanwhile stays withdrawn, its signals
/// gone from storage.
#[test]
fn the_decision_made_during_the_download_stands_both_ways() {
    let policy = json!({"sensitiveCategories": ["Throws"]});
    // A yes with sensitive, in memory only, over the load's refusal.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"policy": policy.clone()}), NOW - 60_000.0);
    let all = json!({"personalization": true, "storage": false, "sensitive": true});
    set(&mut a, all, NOW + 1_000.0);
    let b = load(
        &mem,
        json!({"consent": no(), "policy": policy.clone()}),
        NOW,
        NOW + 2_000.0,
    );
    let c = b.consent();
    assert!(c.personalization && c.sensitive && !c.storage, "{c:?}");
    assert_eq!(c.updated_at, Some(NOW + 1_000.0));
    assert!(mem.snapshot().is_empty());
    // `sensitive` withdrawn meanwhile, the load given it: withdrawn, nothing sensitive stored.
    let mem = MemoryBackend::new();
    let with = json!({"personalization": true, "storage": true, "sensitive": true});
    let mut a = open(
        &mem,
        json!({"consent": with.clone(), "policy": policy.clone()}),
        NOW - 60_000.0,
    );
    view(&mut a, "throws-1", NOW - 60_000.0);
    view(&mut a, "mugs-1", NOW - 59_000.0);
    set(&mut a, yes(), NOW + 1_000.0);
    let b = load(
        &mem,
        json!({"consent": with, "policy": policy.clone()}),
        NOW,
        NOW + 2_000.0,
    );
    assert!(b.consent().personalization && !b.consent().sensitive);
    let p = b.export(NOW + 2_000.0).profile.unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        !json.contains("throws-1") && json.contains("mugs-1"),
        "{json}"
    );
    let stored = open(&mem, json!({"policy": policy}), NOW + 3_000.0);
    let json = serde_json::to_string(&stored.export(NOW + 3_000.0).profile).unwrap();
    assert!(!json.contains("throws-1"), "{json}");
}

/// GPC: a decision made meanwhile keeps what it was (an opt-in made under GPC stands under it;
/// one made without is denied by it), as the load's own consent would.
#[test]
fn gpc_reads_the_decision_made_meanwhile_as_it_was_made() {
    let mem = MemoryBackend::new();
    let mut a = open_gpc(&mem, json!({}), NOW - 60_000.0, true);
    a.set_consent(&from_json(&yes()), NOW + 1_000.0, true)
        .unwrap();
    let b = load_gpc(&mem, json!({"consent": no()}), NOW, NOW + 2_000.0, true);
    assert!(b.consent().personalization, "an opt-in made under GPC");
    let mem = MemoryBackend::new();
    let mut a = open_gpc(&mem, json!({"namespace": "g2"}), NOW - 60_000.0, false);
    a.set_consent(&from_json(&yes()), NOW + 1_000.0, false)
        .unwrap();
    let b = load_gpc(
        &mem,
        json!({"namespace": "g2", "consent": yes()}),
        NOW,
        NOW + 2_000.0,
        true,
    );
    assert!(!b.consent().personalization);
    assert_eq!(b.consent().source, Source::Gpc);
}

/// A CMP's `tcloaded` of an older string applied meanwhile is dated by its string: the load's
/// consent, given later, is the later decision (P8), as in one instance. A Consent Mode or TCF
/// consent given to the load is dated when the load was asked.
#[test]
fn a_cmp_string_loaded_meanwhile_is_dated_by_its_string() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({}), NOW - 60_000.0);
    let old_no = tc_string(&[], NOW - DAY);
    a.tcf_event(&old_no, TcfEvent::Loaded, NOW + 1_000.0, false)
        .unwrap();
    assert!(!a.consent().personalization);
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(b.consent().personalization);
    // One instance given the load's yes at NOW ignores that string (P8): the same outcome.
    let mem = MemoryBackend::new();
    let mut one = open(&mem, json!({"namespace": "one", "consent": yes()}), NOW);
    let c = one
        .tcf_event(&old_no, TcfEvent::Loaded, NOW + 1_000.0, false)
        .unwrap();
    assert!(c.personalization);
    // Consent Mode given to the load: dated `asked`.
    let mem = MemoryBackend::new();
    let gcm = json!({"googleConsentMode": {"personalization_storage": "granted"}});
    let b = load(
        &mem,
        json!({"namespace": "gcm", "consent": gcm}),
        NOW,
        NOW + 2_000.0,
    );
    assert_eq!(b.consent().source, Source::ConsentMode);
    assert_eq!(b.consent().updated_at, Some(NOW));
}

/// `erase()` then a new yes during the download: the yes stands, and the profile the load opens
/// holds nothing of before the erasure; the erasure time it carries is the erasure's.
#[test]
fn erase_then_a_new_yes_during_the_download() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    view(&mut a, "mugs-1", NOW - 60_000.0);
    a.erase(NOW + 1_000.0);
    set(&mut a, yes(), NOW + 1_500.0);
    view(&mut a, "mugs-2", NOW + 1_600.0);
    let b = load(&mem, json!({"consent": no()}), NOW, NOW + 2_000.0);
    assert!(b.consent().personalization);
    let e = b.export(NOW + 2_000.0);
    let json = serde_json::to_string(&e.profile).unwrap();
    assert!(
        !json.contains("mugs-1") && json.contains("mugs-2"),
        "{json}"
    );
    assert!(e.erased_at.profile >= Some(NOW + 1_000.0));
}

/// An instance kept in memory (`storage: 'memory'`: its own back-end) loads: a withdrawal made
/// meanwhile by the page's `localStorage` instance stands for it too.
#[test]
fn a_memory_instance_follows_the_pages_decision_made_meanwhile() {
    let local = MemoryBackend::new();
    let mut a = open(&local, json!({"consent": yes()}), NOW - 60_000.0);
    set(&mut a, no(), NOW + 1_000.0);
    let mem = MemoryBackend::new();
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(!b.consent().personalization);
}

/// The load's refusal is dated when it was asked, its erasure when it is applied: later than
/// what another tab wrote during the download (`store::lineage`), and that tab, busy, cannot
/// write its copy back.
#[test]
fn a_refusal_given_to_load_erases_what_was_written_during_the_download() {
    let mem = MemoryBackend::new();
    let mut t = open(&mem, json!({"consent": yes()}), NOW - 60_000.0);
    view(&mut t, "mugs-1", NOW - 60_000.0);
    // During the download the other tab tracks (its yes made before the call).
    view(&mut t, "mugs-2", NOW + 1_000.0);
    let withdraw = json!({"personalization": false, "storage": true});
    let b = load(&mem, json!({"consent": withdraw}), NOW, NOW + 2_000.0);
    assert_eq!(b.consent().updated_at, Some(NOW));
    assert!(b.export(NOW + 2_000.0).erased_at.profile >= Some(NOW + 2_000.0));
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    // The busy tab writes before its storage event: its copy is not taken, nor kept.
    view(&mut t, "mugs-3", NOW + 2_500.0);
    t.storage_changed(NOW + 2_600.0);
    assert!(!t.consent().personalization);
    let r = open(&mem, json!({}), NOW + 60_000.0);
    assert!(r.profile(NOW + 60_000.0).is_none());
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
}

/// A stored decision older than `consentMaxAgeDays`: the load's consent replaces it. Another
/// tab's decision stored since the call stands, read as stored, and the load writes no record.
#[test]
fn stored_decisions_old_and_new() {
    let mem = MemoryBackend::new();
    let mut old = open(&mem, json!({"consent": no()}), NOW - 400.0 * DAY);
    set(
        &mut old,
        json!({"personalization": false, "storage": true}),
        NOW - 400.0 * DAY,
    );
    let b = load(&mem, json!({"consent": yes()}), NOW, NOW + 2_000.0);
    assert!(b.consent().personalization);
    assert_eq!(b.consent().updated_at, Some(NOW));
    // Another tab's decision of since (its own page: nothing in this page's registry).
    let mem = MemoryBackend::new();
    in_other_tab(&mem, |m| {
        let mut t = open(m, json!({}), NOW + 500.0);
        let sens = json!({"personalization": true, "storage": true, "sensitive": true});
        set(&mut t, sens, NOW + 1_000.0);
    });
    let stored = mem.snapshot();
    let b = load(&mem, json!({"consent": no()}), NOW, NOW + 2_000.0);
    let c = b.consent();
    assert!(
        c.personalization && c.sensitive && c.source == Source::Stored,
        "{c:?}"
    );
    assert_eq!(mem.snapshot()["vitrine:consent"], stored["vitrine:consent"]);
}

/// Two loads at once: the consent of the one called later stands, whichever file arrives first.
#[test]
fn of_two_loads_the_later_call_wins() {
    for first_arrives_first in [true, false] {
        let ns = if first_arrives_first { "l1" } else { "l2" };
        let mem = MemoryBackend::new();
        let early = json!({"namespace": ns, "consent": yes()});
        let late = json!({"namespace": ns, "consent": no()});
        let (e, l) = if first_arrives_first {
            let e = load(&mem, early, NOW, NOW + 2_000.0);
            let l = load(&mem, late, NOW + 500.0, NOW + 3_000.0);
            (e, l)
        } else {
            let l = load(&mem, late, NOW + 500.0, NOW + 2_000.0);
            let e = load(&mem, early, NOW, NOW + 3_000.0);
            (e, l)
        };
        assert!(!l.consent().personalization);
        if !first_arrives_first {
            assert!(
                !e.consent().personalization,
                "the earlier call's yes is older"
            );
        }
        assert!(mem.snapshot().is_empty(), "{ns}");
    }
}

/// `rememberRefusal`: a refusal made in the page meanwhile stands over the load's yes, its record
/// kept.
#[test]
fn a_remembered_refusal_made_meanwhile_stands() {
    let policy = json!({"rememberRefusal": true});
    let mem = MemoryBackend::new();
    let mut a = open(
        &mem,
        json!({"consent": yes(), "policy": policy.clone()}),
        NOW - 60_000.0,
    );
    view(&mut a, "mugs-1", NOW - 60_000.0);
    set(&mut a, no(), NOW + 1_000.0);
    let b = load(
        &mem,
        json!({"consent": yes(), "policy": policy}),
        NOW,
        NOW + 2_000.0,
    );
    assert!(!b.consent().personalization);
    assert_eq!(keys(&mem), ["vitrine:consent"]);
}

/// A decision dated now in memory (`keep`) is not written, and two tabs holding it settle: no
/// write goes back and forth over storage events.
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
