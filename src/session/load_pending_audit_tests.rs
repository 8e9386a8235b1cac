//! Re-audit of `Vitrine.load`'s instance opened at the call and given its model on arrival
//! (`Session::set_model`).
//!
//! `call_load` is what `ModelLoad::new` does (the options parsed with `Model::empty()`, the
//! session opened at the call); `arrived` is `Vitrine.openLoaded` (`set_model`); a load that
//! fails drops the session (`file.free()`). Three tests are the defects it found (each failed on
//! the build it was found on: the load's instance wrote the profile before its model could screen
//! it), fixed by `Session::open_awaiting_model`; the rest are guards that hold.

use super::sync_tests::view;
use super::tests::{catalog, open_at, NOW};
use super::*;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

fn call_load(mem: &MemoryBackend, extra: Json, asked: f64) -> Session {
    let opts = OpenOptions::parse_with(from_json(&extra), Some(Model::empty())).unwrap();
    let env = Env {
        now: asked,
        seed: 11,
        gpc: false,
    };
    Session::open_awaiting_model(opts, Box::new(mem.clone()), env)
}

fn arrived(s: &mut Session, now: f64) {
    s.set_model(parse_catalog(&from_json(&catalog())).unwrap(), now);
}

fn policy() -> Json {
    json!({"sensitiveCategories": ["Throws"]})
}

fn with_sensitive() -> Json {
    json!({"personalization": true, "storage": true, "sensitive": true})
}

fn without_sensitive() -> Json {
    json!({"personalization": true, "storage": true})
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

/// The shopper allowed sensitive categories (Throws, on the site's list) and viewed a throw; the
/// page's banner now says yes without `sensitive`.
fn shopper_with_a_sensitive_view(mem: &MemoryBackend) {
    let mut a = open_at(
        mem,
        json!({"consent": with_sensitive(), "policy": policy()}),
        NOW,
    );
    view(&mut a, "throws-1", NOW);
    view(&mut a, "mugs-1", NOW + 10.0);
    assert_eq!(items(&a, NOW + 10.0), ["mugs-1", "throws-1"]);
}

/// Guard: `open` with the model at the call erases the throw at once, in storage too, and a
/// later yes to `sensitive` does not bring it back.
#[test]
fn open_withdrawing_sensitive_erases_the_items_for_good() {
    let mem = MemoryBackend::new();
    shopper_with_a_sensitive_view(&mem);
    let b = open_at(
        &mem,
        json!({"consent": without_sensitive(), "policy": policy()}),
        NOW + 1_000.0,
    );
    assert_eq!(items(&b, NOW + 1_000.0), ["mugs-1"]);
    drop(b);
    let c = open_at(
        &mem,
        json!({"consent": with_sensitive(), "policy": policy()}),
        NOW + 2_000.0,
    );
    assert_eq!(items(&c, NOW + 2_000.0), ["mugs-1"]);
}

/// A load given a consent without `sensitive` whose file never arrives (404, a stream error):
/// documented as having applied its consent "as `open` would have". Its empty model at the call
/// cannot tell the throw is sensitive, yet the profile it writes back (the category screened by
/// name) carries the sensitive erasure as done: a later yes to `sensitive` finds the throw
/// viewed before the withdrawal again.
#[test]
fn a_failed_load_withdrawing_sensitive_leaves_items_that_come_back() {
    let mem = MemoryBackend::new();
    shopper_with_a_sensitive_view(&mem);
    let b = call_load(
        &mem,
        json!({"consent": without_sensitive(), "policy": policy()}),
        NOW + 1_000.0,
    );
    drop(b); // the file's response was a 404: `file.free()`
    let c = open_at(
        &mem,
        json!({"consent": with_sensitive(), "policy": policy()}),
        NOW + 2_000.0,
    );
    assert_eq!(
        items(&c, NOW + 2_000.0),
        ["mugs-1"],
        "an item viewed under the sensitive consent, withdrawn since, is back"
    );
}

/// The same while the file still arrives: another tab (or instance) where the shopper allows
/// `sensitive` again reads the stored profile the load's instance wrote at its call, and finds
/// the throw; the load then arrives and keeps it too.
#[test]
fn a_sensitive_yes_given_during_the_download_finds_what_the_load_withdrew() {
    let mem = MemoryBackend::new();
    shopper_with_a_sensitive_view(&mem);
    let mut b = call_load(
        &mem,
        json!({"consent": without_sensitive(), "policy": policy()}),
        NOW + 1_000.0,
    );
    let c = open_at(
        &mem,
        json!({"consent": with_sensitive(), "policy": policy()}),
        NOW + 2_000.0,
    );
    let in_c = items(&c, NOW + 2_000.0);
    b.storage_changed(NOW + 2_000.0);
    arrived(&mut b, NOW + 3_000.0);
    let in_b = items(&b, NOW + 3_000.0);
    assert_eq!(in_c, ["mugs-1"], "the other tab");
    assert_eq!(in_b, ["mugs-1"], "the loaded instance");
}

/// Guard: the load that arrives screens the throw (its category on the list, the model's flag)
/// and a later yes to `sensitive` does not bring it back.
#[test]
fn a_load_that_arrives_erases_what_it_withdrew() {
    let mem = MemoryBackend::new();
    shopper_with_a_sensitive_view(&mem);
    let mut b = call_load(
        &mem,
        json!({"consent": without_sensitive(), "policy": policy()}),
        NOW + 1_000.0,
    );
    arrived(&mut b, NOW + 2_000.0);
    assert_eq!(items(&b, NOW + 2_000.0), ["mugs-1"]);
    drop(b);
    let c = open_at(
        &mem,
        json!({"consent": with_sensitive(), "policy": policy()}),
        NOW + 3_000.0,
    );
    assert_eq!(items(&c, NOW + 3_000.0), ["mugs-1"]);
    // The model's own flag (no policy list): the same.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, json!({"consent": with_sensitive()}), NOW);
    let mut flagged = catalog();
    flagged[13]["sensitive"] = json!(true); // mugs-1
    a.set_model(parse_catalog(&from_json(&flagged)).unwrap(), NOW);
    view(&mut a, "mugs-1", NOW);
    view(&mut a, "mugs-2", NOW + 10.0);
    drop(a);
    let mut b = call_load(&mem, json!({"consent": without_sensitive()}), NOW + 1_000.0);
    b.set_model(parse_catalog(&from_json(&flagged)).unwrap(), NOW + 2_000.0);
    assert_eq!(items(&b, NOW + 2_000.0), ["mugs-2"]);
}

/// The same with the model's own flag, no list in the policy: the load's instance writes the
/// profile back at its call whenever it prunes something (a signal past `retentionDays`), and
/// the item the catalog flags, which its empty model cannot see, is stored as erased.
#[test]
fn a_failed_load_that_prunes_leaves_flagged_items_that_come_back() {
    const DAY: f64 = 86_400_000.0;
    let mem = MemoryBackend::new();
    let mut flagged = catalog();
    flagged[13]["sensitive"] = json!(true); // mugs-1
    let model = || parse_catalog(&from_json(&flagged)).unwrap();
    let mut a = open_at(&mem, json!({"consent": with_sensitive()}), NOW - 29.0 * DAY);
    a.set_model(model(), NOW - 29.0 * DAY);
    view(&mut a, "candles-1", NOW - 29.0 * DAY);
    view(&mut a, "mugs-1", NOW);
    view(&mut a, "mugs-2", NOW + 10.0);
    drop(a);
    // Two days later the page loads tonight's file with the banner's yes without `sensitive`;
    // the response is a 404.
    let later = NOW + 2.0 * DAY;
    drop(call_load(
        &mem,
        json!({"consent": without_sensitive()}),
        later,
    ));
    // Compare `open` at that moment, on a copy of storage: mugs-1 is erased for good.
    let opened = {
        let m = MemoryBackend::new();
        for (k, v) in mem.snapshot() {
            m.clone().set(&k, &v).unwrap();
        }
        let mut o = open_at(&m, json!({"consent": without_sensitive()}), later);
        o.set_model(model(), later);
        drop(o);
        let mut c = open_at(&m, json!({"consent": with_sensitive()}), later + 1_000.0);
        c.set_model(model(), later + 1_000.0);
        items(&c, later + 1_000.0)
    };
    assert_eq!(opened, ["mugs-2"]);
    // The next page, with the site's model (which flags mugs-1) from the start.
    let next = json!({"consent": with_sensitive(), "catalog": flagged});
    let c = open_at(&mem, next, later + 1_000.0);
    assert_eq!(items(&c, later + 1_000.0), ["mugs-2"], "mugs-1 is back");
}
