//! Fourth re-audit: an instance's decision at open reaching the page's other instances, and a
//! load's instance writing no profile until its model has arrived (133e68b).
//!
//! `storage::after_writes` is in the wasm layer: here [`after_writes`] does what it does after an
//! instance's open or call that wrote — the page's other instances of the namespace run
//! `storage_changed`, again while one of them writes. `call_load` is `new ModelLoad(options)`
//! (`Session::open_awaiting_model`), `set_model` its arrival, `drop` a load that failed. What
//! needs the real wiring (the bound of `after_writes`, a busy instance, the page's clock) is in
//! `tests/browser/open_shared_audit.test.mjs`.
//!
//! Two tests show the defects the re-audit found (each failed on 133e68b): one fixed since, one
//! left (ignored, PRIVACY.md); the rest are guards that hold.

use super::sync_tests::{seed, view};
use super::tests::{catalog, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::Source;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

fn options(extra: Json, cat: Json) -> OpenOptions {
    let mut o = json!({ "catalog": cat });
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

/// `Vitrine.open` at `now`, last night's catalog.
fn open(mem: &MemoryBackend, extra: Json, now: f64) -> Session {
    Session::open(
        options(extra, catalog()),
        Box::new(mem.clone()),
        env(now, false),
    )
}

/// `Vitrine.open` at `now` with tonight's model (mugs-1 flagged sensitive).
fn open_tonight(mem: &MemoryBackend, extra: Json, now: f64) -> Session {
    Session::open(
        options(extra, flagged()),
        Box::new(mem.clone()),
        env(now, false),
    )
}

fn open_gpc(mem: &MemoryBackend, extra: Json, now: f64) -> Session {
    Session::open(
        options(extra, catalog()),
        Box::new(mem.clone()),
        env(now, true),
    )
}

/// `Vitrine.load(options)` called at `asked`: its instance opened, the model still to come.
fn call_load(mem: &MemoryBackend, extra: Json, asked: f64) -> Session {
    let o = OpenOptions::parse_with(from_json(&extra), Some(Model::empty())).unwrap();
    Session::open_awaiting_model(o, Box::new(mem.clone()), env(asked, false))
}

/// Tonight's catalog: mugs-1 flagged sensitive (last night's did not flag it).
fn flagged() -> Json {
    let mut c = catalog();
    assert_eq!(c[13]["id"], "mugs-1");
    c[13]["sensitive"] = json!(true);
    c
}

fn tonight() -> Model {
    parse_catalog(&from_json(&flagged())).unwrap()
}

fn yes() -> Json {
    json!({"personalization": true, "storage": true})
}

fn yes_sensitive() -> Json {
    json!({"personalization": true, "storage": true, "sensitive": true})
}

/// A refusal that keeps storage (its record stays, the profile goes).
fn refusal() -> Json {
    json!({"personalization": false, "storage": true})
}

fn consent(c: Json) -> Json {
    json!({ "consent": c })
}

fn items(s: &Session, now: f64) -> Vec<String> {
    let mut ids: Vec<String> = s
        .export(now)
        .profile
        .map(|p| p.items.into_iter().map(|i| i.item_id).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

fn tracks(s: &mut Session, id: &str, t: f64) -> bool {
    s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({ "product_id": id })),
        &Value::Undefined,
        t,
    )
    .unwrap()
    .accepted
}

fn keys(mem: &MemoryBackend) -> Vec<String> {
    mem.snapshot().into_keys().collect()
}

fn history(s: &Session) -> Vec<Entry> {
    s.audit(NOW).history
}

/// What `storage::after_writes` does after an open or a call that wrote: the page's other
/// instances take over what changed, in turn, and again while one of them writes.
fn after_writes(mem: &MemoryBackend, others: &mut [&mut Session], now: f64) {
    for _ in 0..8 {
        let before = mem.snapshot();
        for s in others.iter_mut() {
            s.storage_changed(now);
        }
        if mem.snapshot() == before {
            return;
        }
    }
    panic!("the instances kept writing");
}

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

/// The page opens its tracking instance with one consent (the CMP's yes) and, in the same task,
/// a shelf widget with another (the banner's refusal, storage kept): both decisions are dated
/// the same millisecond. The widget's refusal, applied last, is what storage holds, but the
/// instance opened before compares dates only (`d.at > mine.at`) and keeps its yes: it keeps
/// tracking, and writes its profile under the refusal's record. In one page the order of the
/// two calls is known; the later one should stand in every instance, as it stands in storage.
/// (The re-audit before this one moved two of its guards 5 ms apart for this reason.)
#[test]
fn a_refusal_opened_in_the_same_millisecond_reaches_the_instance_opened_before() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    let w = open(&mem, consent(refusal()), NOW);
    after_writes(&mem, &mut [&mut a], NOW);
    let stored = open(&mem, json!({}), NOW + 1.0).consent();
    assert!(!stored.personalization, "storage holds the refusal");
    let tracked = tracks(&mut a, "mugs-1", NOW + 2.0);
    assert_eq!(
        (a.consent().personalization, tracked),
        (false, false),
        "the instance opened before keeps personalizing under the later refusal"
    );
    assert_eq!(
        keys(&mem),
        ["vitrine:consent"],
        "a profile is written under the refusal"
    );
    drop(w);
}

/// The nightly swap, the case `Vitrine.load` is for: the page's instance serves with last
/// night's model while tonight's file is read; the shopper had allowed sensitive categories and
/// viewed mugs-1, which tonight's model flags sensitive; the banner now passes a yes without
/// `sensitive`, and the file never arrives (a 404, or a download that hangs).
///
/// Alone, such a failed load leaves the stored profile's lineage from before its withdrawal,
/// so the next page screens it with the model that flags mugs-1 (the previous re-audit's fix,
/// guarded below). But the load's decision, with its `sensitive` erasure time, now reaches the
/// serving instance at the call: that instance screens with last night's model (mugs-1 not
/// flagged), and its next write stamps the stored profile as screened at that time. A later yes
/// to `sensitive` then finds mugs-1 again, as the previous re-audit found for the load's own
/// write (compare `open` at the call, or the load arriving: mugs-1 erased for good).
#[test]
#[ignore = "left: the serving instance screens with its own, older model (PRIVACY.md, sensitive categories)"]
fn a_failed_load_withdrawing_sensitive_taken_over_by_the_serving_instance_leaves_items_that_come_back(
) {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes_sensitive()), NOW);
    view(&mut a, "mugs-1", NOW);
    view(&mut a, "mugs-2", NOW + 10.0);
    // Vitrine.load({model: fetch(tonight), consent: yes}) is called.
    let load = call_load(&mem, consent(yes()), NOW + 1_000.0);
    after_writes(&mem, &mut [&mut a], NOW + 1_000.0);
    assert!(
        !a.consent().sensitive,
        "the serving instance took the decision over"
    );
    // The shopper goes on browsing while the file downloads.
    view(&mut a, "candles-1", NOW + 2_000.0);
    drop(load); // the response is a 404
    drop(a);
    // Another page, with tonight's model: the shopper allows sensitive categories again.
    let c = open_tonight(&mem, consent(yes_sensitive()), NOW + 3_000.0);
    assert_eq!(
        items(&c, NOW + 3_000.0),
        ["candles-1", "mugs-2"],
        "mugs-1, viewed before the withdrawal, is back"
    );
}

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/// The comparisons for the defect above: a failed load with no other instance open, and the
/// same load arriving while the serving instance goes on: mugs-1 is gone for good.
#[test]
fn a_failed_load_alone_or_an_arriving_one_erases_the_flagged_item_for_good() {
    // Alone: the serving instance closed before the call.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes_sensitive()), NOW);
    view(&mut a, "mugs-1", NOW);
    view(&mut a, "mugs-2", NOW + 10.0);
    drop(a);
    drop(call_load(&mem, consent(yes()), NOW + 1_000.0));
    let c = open_tonight(&mem, consent(yes_sensitive()), NOW + 3_000.0);
    assert_eq!(items(&c, NOW + 3_000.0), ["mugs-2"]);
    // Arriving, the serving instance open and browsing throughout.
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes_sensitive()), NOW);
    view(&mut a, "mugs-1", NOW);
    view(&mut a, "mugs-2", NOW + 10.0);
    let mut load = call_load(&mem, consent(yes()), NOW + 1_000.0);
    after_writes(&mem, &mut [&mut a], NOW + 1_000.0);
    view(&mut a, "candles-1", NOW + 2_000.0);
    after_writes(&mem, &mut [&mut load], NOW + 2_000.0);
    load.set_model(tonight(), NOW + 2_500.0);
    after_writes(&mem, &mut [&mut a], NOW + 2_500.0);
    assert_eq!(items(&load, NOW + 2_500.0), ["candles-1", "mugs-2"]);
    drop((a, load));
    let c = open_tonight(&mem, consent(yes_sensitive()), NOW + 3_000.0);
    assert_eq!(items(&c, NOW + 3_000.0), ["candles-1", "mugs-2"]);
}

/// A refusal (storage kept) given to an instance opened later reaches the one serving the page
/// as another tab's does: it stops, drops its profile, says so in its history, and writes
/// nothing back, also when the shopper's next event reaches it.
#[test]
fn a_refusal_at_open_reaches_the_instance_serving_the_page() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let w = open(&mem, consent(refusal()), NOW + 5.0);
    let seen = history(&a).len();
    after_writes(&mem, &mut [&mut a], NOW + 5.0);
    assert!(!a.consent().personalization);
    assert!(!tracks(&mut a, "mugs-2", NOW + 6.0));
    a.flush(NOW + 1_000.0);
    assert_eq!(keys(&mem), ["vitrine:consent"]);
    let new: Vec<_> = history(&a)[seen..].to_vec();
    for noted in [
        |e: &Entry| {
            matches!(
                e,
                Entry::Erase {
                    what: "profile",
                    ..
                }
            )
        },
        |e: &Entry| {
            matches!(
                e,
                Entry::Sync {
                    what: "consent",
                    ..
                }
            )
        },
        |e: &Entry| {
            matches!(
                e,
                Entry::Consent {
                    personalization: false,
                    source: "stored",
                    ..
                }
            )
        },
    ] {
        assert!(new.iter().any(noted), "{new:?}");
    }
    assert!(items(&a, NOW + 7.0).is_empty());
    drop(w);
}

/// A widget opened with the banner's stale yes after the shopper refused in the page's main
/// instance: `open({consent})` is a decision made now (P3), and the page's instances take it over
/// as another tab's (P9). The documented outcome; what matters here is that nothing splits:
/// the main instance, the widget, storage and a page opened next agree, and the profile the
/// refusal erased does not come back.
#[test]
fn a_stale_yes_at_open_is_taken_over_by_every_instance_and_nothing_erased_comes_back() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    a.set_consent(&from_json(&refusal()), NOW + 10.0, false)
        .unwrap();
    let mut w = open(&mem, consent(yes()), NOW + 20.0);
    after_writes(&mem, &mut [&mut a], NOW + 20.0);
    let next = open(&mem, json!({}), NOW + 30.0);
    let state = |s: &Session| (s.consent().personalization, s.consent().storage);
    assert_eq!(
        [state(&a), state(&w), state(&next)],
        [(true, true); 3],
        "one decision everywhere"
    );
    assert!(items(&a, NOW + 30.0).is_empty());
    assert!(items(&next, NOW + 30.0).is_empty());
    view(&mut w, "mugs-2", NOW + 40.0);
    after_writes(&mem, &mut [&mut a], NOW + 40.0);
    assert_eq!(items(&a, NOW + 40.0), ["mugs-2"]);
}

/// `rememberRefusal`: a refusal given at open (storage denied) keeps its record; the serving
/// instance follows it, keeps the record too, and neither writes a profile.
#[test]
fn a_remembered_refusal_at_open_reaches_the_serving_instance_and_keeps_its_record() {
    let mem = MemoryBackend::new();
    let policy = json!({"rememberRefusal": true});
    let mut a = open(&mem, json!({"consent": yes(), "policy": policy}), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let w = open(
        &mem,
        json!({"consent": {"personalization": false}, "policy": policy}),
        NOW + 5.0,
    );
    after_writes(&mem, &mut [&mut a], NOW + 5.0);
    assert!(!a.consent().personalization && !a.consent().storage);
    assert_eq!(keys(&mem), ["vitrine:consent"]);
    let next = open(&mem, json!({"policy": policy}), NOW + 10.0);
    assert_eq!(next.consent().source, Source::Stored);
    assert!(!next.consent().personalization);
    drop(w);
}

/// Under Global Privacy Control: the serving instance opened with the banner's explicit yes
/// (an opt-in over GPC, P12); a widget opens with a Consent Mode yes, which GPC overrides (P11).
/// The serving instance takes it over as another tab would, and agrees with a page opened next.
#[test]
fn a_decision_opened_under_gpc_reaches_the_serving_instance_as_a_tab_s() {
    let mem = MemoryBackend::new();
    let mut a = open_gpc(&mem, consent(yes()), NOW);
    assert!(a.consent().personalization, "an opt-in over GPC");
    view(&mut a, "mugs-1", NOW + 1.0);
    let cm = json!({"googleConsentMode": {"personalization_storage": "granted"}});
    let w = open_gpc(&mem, consent(cm), NOW + 5.0);
    after_writes(&mem, &mut [&mut a], NOW + 5.0);
    let next = open_gpc(&mem, json!({}), NOW + 10.0);
    assert_eq!(a.consent().personalization, next.consent().personalization);
    assert!(!a.consent().personalization);
    assert!(!tracks(&mut a, "mugs-2", NOW + 11.0));
    assert_eq!(keys(&mem), ["vitrine:consent"]);
    drop(w);
}

/// `sensitive` withdrawn at open (a widget given the banner's yes without it): every sensitive
/// signal goes at once from the serving instance and storage (P19), and a later yes to it does
/// not bring them back.
#[test]
fn sensitive_withdrawn_at_open_is_erased_everywhere_for_good() {
    let mem = MemoryBackend::new();
    let policy = json!({"sensitiveCategories": ["Throws"]});
    let mut a = open(
        &mem,
        json!({"consent": yes_sensitive(), "policy": policy}),
        NOW,
    );
    view(&mut a, "throws-1", NOW + 1.0);
    view(&mut a, "mugs-1", NOW + 2.0);
    let w = open(&mem, json!({"consent": yes(), "policy": policy}), NOW + 5.0);
    after_writes(&mem, &mut [&mut a], NOW + 5.0);
    assert_eq!(items(&a, NOW + 5.0), ["mugs-1"]);
    assert!(history(&a).iter().any(|e| matches!(
        e,
        Entry::Erase {
            what: "sensitive",
            ..
        }
    )));
    drop((a, w));
    let c = open(
        &mem,
        json!({"consent": yes_sensitive(), "policy": policy}),
        NOW + 10.0,
    );
    assert_eq!(items(&c, NOW + 10.0), ["mugs-1"]);
}

/// An instance opened without `consent` reads the stored decision and writes nothing: the
/// serving instance's state and history are as they were (nothing "taken over").
#[test]
fn an_open_without_consent_writes_nothing_and_disturbs_nobody() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let before = (mem.snapshot(), history(&a), a.consent());
    let cards: Vec<_> = (0..5)
        .map(|i| open(&mem, json!({}), NOW + 10.0 + f64::from(i)))
        .collect();
    after_writes(&mem, &mut [&mut a], NOW + 20.0);
    assert_eq!((mem.snapshot(), history(&a), a.consent()), before);
    assert!(cards.iter().all(|c| c.consent().source == Source::Stored));
}

/// A refusal opened while `localStorage` is full: its record cannot be written; the serving
/// instance keeps the decision storage holds (it cannot learn of the other), the widget notes
/// the failure, and the instances settle without writing back and forth.
#[test]
fn a_refusal_at_open_whose_record_write_fails_settles() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    *mem.fail_writes.borrow_mut() = true;
    let mut w = open(&mem, consent(refusal()), NOW + 5.0);
    after_writes(&mem, &mut [&mut a, &mut w], NOW + 5.0);
    assert!(history(&w)
        .iter()
        .any(|e| matches!(e, Entry::StorageError { .. })));
    assert!(!w.consent().personalization);
    assert!(a.consent().personalization);
}

/// Another namespace on the page: its decision at open changes nothing of this one's.
#[test]
fn an_open_of_another_namespace_changes_nothing_here() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let before = (history(&a), a.consent());
    let w = open(
        &mem,
        json!({"consent": refusal(), "namespace": "widget"}),
        NOW + 5.0,
    );
    after_writes(&mem, &mut [&mut a], NOW + 5.0);
    assert_eq!((history(&a), a.consent()), before);
    assert!(keys(&mem).contains(&"vitrine:profile".to_owned()));
    drop(w);
}

/// A load whose file never arrives while the page's instance tracks and another tab writes:
/// the load's instance follows, writes no profile, and dropping it (the page aborts) changes
/// nothing in storage.
#[test]
fn a_hung_load_follows_writes_nothing_and_its_drop_changes_nothing() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut load = call_load(&mem, consent(yes()), NOW + 10.0);
    after_writes(&mem, &mut [&mut a], NOW + 10.0);
    let mut tab = open(&mem, json!({}), NOW + 20.0);
    for (i, id) in ["mugs-2", "mugs-4", "candles-1"].iter().enumerate() {
        let t = NOW + 100.0 + 10.0 * i as f64;
        view(&mut a, id, t);
        after_writes(&mem, &mut [&mut load], t);
        view(&mut tab, "candles-2", t + 1.0);
        load.storage_changed(t + 1.0); // the other tab's storage event
        a.storage_changed(t + 1.0);
    }
    let writes = mem.writes.get();
    load.flush(NOW + 5_000.0); // pagehide
    drop(load);
    assert_eq!(mem.writes.get(), writes, "the load's instance wrote");
    let r = open(&mem, json!({}), NOW + 60_000.0);
    assert_eq!(
        items(&r, NOW + 60_000.0),
        ["candles-1", "candles-2", "mugs-1", "mugs-2", "mugs-4"]
    );
}

/// The load's write when its model arrives (`sync_storage`) after the shopper erased everything
/// in the page's instance and said yes again: nothing of before comes back, the events made since
/// are kept, the profile is not removed, and the record's erasure time stays the erasure's.
#[test]
fn a_load_arriving_after_an_erasure_and_a_new_yes_writes_nothing_stale() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut load = call_load(&mem, consent(yes()), NOW + 10.0);
    after_writes(&mem, &mut [&mut a], NOW + 10.0);
    a.erase(NOW + 20.0);
    after_writes(&mem, &mut [&mut load], NOW + 20.0);
    a.set_consent(&from_json(&yes()), NOW + 30.0, false)
        .unwrap();
    after_writes(&mem, &mut [&mut load], NOW + 30.0);
    view(&mut a, "mugs-2", NOW + 40.0);
    after_writes(&mem, &mut [&mut load], NOW + 40.0);
    let erased = a.export(NOW + 40.0).erased_at.profile;
    load.set_model(tonight(), NOW + 50.0);
    after_writes(&mem, &mut [&mut a], NOW + 50.0);
    assert_eq!(items(&load, NOW + 50.0), ["mugs-2"]);
    assert_eq!(items(&a, NOW + 50.0), ["mugs-2"]);
    drop((a, load));
    let r = open(&mem, json!({}), NOW + 60_000.0);
    assert_eq!(items(&r, NOW + 60_000.0), ["mugs-2"]);
    assert_eq!(r.export(NOW + 60_000.0).erased_at.profile, erased);
}

/// A promise that resolved to no model (`ModelLoad.instance`: `set_model` with none) after the
/// shopper withdrew in the page's instance: the withdrawal stands, nothing is written.
#[test]
fn no_model_after_a_withdrawal_writes_nothing() {
    let mem = MemoryBackend::new();
    let mut a = open(&mem, consent(yes()), NOW);
    view(&mut a, "mugs-1", NOW + 1.0);
    let mut load = call_load(&mem, consent(yes()), NOW + 10.0);
    after_writes(&mem, &mut [&mut a], NOW + 10.0);
    a.set_consent(
        &from_json(&json!({"personalization": false})),
        NOW + 20.0,
        false,
    )
    .unwrap();
    after_writes(&mem, &mut [&mut load], NOW + 20.0);
    load.set_model(Model::empty(), NOW + 30.0);
    assert!(!load.consent().personalization);
    assert!(keys(&mem).is_empty(), "{:?}", keys(&mem));
}
