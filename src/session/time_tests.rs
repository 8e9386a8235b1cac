//! Times as event streams and clocks give them (the time audit), and a consent given to
//! `Vitrine.load` before the file arrived (the model lifecycle audit; its re-audit:
//! `load_consent_audit_tests`).

use super::tests::{catalog, open_at, NOW};
use super::*;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

const DAY: f64 = 86_400_000.0;

fn track_at(s: &mut Session, name: &str, props: Json, options: Json, now: f64) -> TrackResult {
    let (name, props, options) = (Value::from(name), from_json(&props), from_json(&options));
    s.track(&name, &props, &options, now).unwrap()
}

fn yes() -> Json {
    json!({"consent": {"personalization": true, "storage": true}})
}

#[test]
fn microseconds_and_nanoseconds_are_refused_not_dated_now() {
    let mem = MemoryBackend::new();
    let mut s = open_at(&mem, yes(), NOW);
    let view = json!({"product_id": "mugs-1"});
    for t in [NOW * 1000.0, NOW * 1e6, 253_402_300_800_000.0] {
        let r = track_at(
            &mut s,
            "Product Viewed",
            view.clone(),
            json!({"timestamp": t}),
            NOW,
        );
        assert_eq!(
            r,
            TrackResult::refused(crate::event::Refusal::InvalidTimestamp),
            "{t}"
        );
    }
    // The last millisecond of the year 9999 is a time (ahead of the clock: dated now).
    let r = track_at(
        &mut s,
        "Product Viewed",
        view,
        json!({"timestamp": 253_402_300_799_999.0}),
        NOW,
    );
    assert!(r.accepted);
    // importHistory likewise: a GA4 order dated in microseconds is refused, not bought today.
    let order = json!([{"order_id": "o1", "products": [{"product_id": "mugs-2"}],
        "timestamp": (NOW - 400.0 * DAY) * 1000.0}]);
    let r = s.import_history(&from_json(&order), NOW).unwrap();
    assert_eq!(r.imported, 0);
    assert!(s.export(NOW).profile.is_none_or(|p| p.purchases.is_empty()));
}

#[test]
fn under_a_clock_before_2001_an_event_keeps_its_own_time() {
    let mem = MemoryBackend::new();
    let wrong = 5_000.0; // a kiosk reset to 1970
    let mut s = open_at(&mem, yes(), wrong);
    let at = NOW - 3.0 * DAY;
    let order =
        json!([{"order_id": "o1", "products": [{"product_id": "mugs-2"}], "timestamp": at}]);
    assert_eq!(
        s.import_history(&from_json(&order), wrong)
            .unwrap()
            .imported,
        1
    );
    let r = track_at(
        &mut s,
        "Product Viewed",
        json!({"product_id": "mugs-1"}),
        json!({"timestamp": at}),
        wrong,
    );
    assert!(r.accepted);
    let e = s.export(wrong).profile.unwrap();
    assert_eq!(e.last_seen, Some(at));
    drop(s);
    // The clock right again, a page keeps them: they are three days old, not from 2001.
    let s = open_at(&mem, json!({}), NOW);
    let e = s.export(NOW).profile.unwrap();
    assert_eq!(e.purchases.len(), 1);
    assert_eq!(e.first_seen, Some(at));
}

/// `Vitrine.load` as the wasm layer runs it: the instance opened at the page's call, without its
/// model (`asked`), the model set when the file has arrived. Between the two, what another
/// instance of the page writes reaches it as it reaches any (`storage::after_writes`, here
/// `storage_changed`).
fn call_load(mem: &MemoryBackend, consent: Json, asked: f64) -> Session {
    let opts = OpenOptions::parse(from_json(&json!({"consent": consent}))).unwrap();
    let env = Env {
        now: asked,
        seed: 7,
        gpc: false,
    };
    Session::open(opts, Box::new(mem.clone()), env)
}

fn arrived(s: &mut Session, now: f64) {
    let model = parse_catalog(&from_json(&catalog())).unwrap();
    s.set_model(model, now);
}

#[test]
fn a_decision_made_while_a_load_arrives_stands_over_the_consent_it_was_given() {
    let banner = json!({"personalization": true, "storage": true});
    let no = from_json(&json!({"personalization": false, "storage": false}));
    // A withdrawal of both purposes (nothing left in storage) in the page's other instance.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    track_at(
        &mut a,
        "Product Viewed",
        json!({"product_id": "mugs-1"}),
        json!({}),
        NOW,
    );
    let mut b = call_load(&mem, banner.clone(), NOW + 500.0);
    assert!(b.consent().personalization);
    a.set_consent(&no, NOW + 1_000.0, false).unwrap();
    b.storage_changed(NOW + 1_000.0);
    arrived(&mut b, NOW + 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(b.profile(NOW + 2_000.0).is_none());
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot());
    // `erase()` likewise, with the clock put back while the file arrived.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    track_at(
        &mut a,
        "Product Viewed",
        json!({"product_id": "mugs-1"}),
        json!({}),
        NOW,
    );
    let mut b = call_load(&mem, banner.clone(), NOW + 500.0);
    a.erase(NOW + 1_000.0);
    b.storage_changed(NOW + 1_000.0);
    arrived(&mut b, NOW - 5_000.0);
    assert!(!b.consent().personalization);
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot());
    // Without anything decided meanwhile, the instance is the one `open` gives: its consent,
    // the stored profile, the model's shelves.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    track_at(
        &mut a,
        "Product Viewed",
        json!({"product_id": "mugs-1"}),
        json!({}),
        NOW,
    );
    drop(a);
    let mut b = call_load(&mem, banner, NOW + 500.0);
    arrived(&mut b, NOW + 2_000.0);
    let opened = open_at(&mem, yes(), NOW + 2_000.0);
    assert_eq!(
        b.consent().personalization,
        opened.consent().personalization
    );
    assert_eq!(b.profile(NOW + 2_000.0), opened.profile(NOW + 2_000.0));
    let ask = from_json(&json!({"scenario": "for_you", "k": 5}));
    let mut opened = opened;
    let x = b.recommend(&ask, NOW + 2_000.0).unwrap();
    assert_eq!(x, opened.recommend(&ask, NOW + 2_000.0).unwrap());
    assert!(!x.is_empty());
}

#[test]
fn a_model_read_after_open_screens_what_it_flags_sensitive() {
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    track_at(
        &mut a,
        "Product Viewed",
        json!({"product_id": "mugs-1"}),
        json!({}),
        NOW,
    );
    drop(a);
    let mut b = call_load(&mem, yes()["consent"].clone(), NOW + 500.0);
    let mut items = catalog();
    items[12]["sensitive"] = json!(true); // mugs-0 .. mugs-11 follow the 12 candles: mugs-0
    items[13]["sensitive"] = json!(true); // mugs-1
    b.set_model(parse_catalog(&from_json(&items)).unwrap(), NOW + 2_000.0);
    let e = b.export(NOW + 2_000.0).profile.unwrap();
    assert!(
        !e.items.iter().any(|i| i.item_id == "mugs-1"),
        "{:?}",
        e.items
    );
    // And in storage: a page opened now does not find it either.
    let c = open_at(&mem, json!({}), NOW + 3_000.0);
    let e = c.export(NOW + 3_000.0).profile.unwrap();
    assert!(
        !e.items.iter().any(|i| i.item_id == "mugs-1"),
        "{:?}",
        e.items
    );
}
