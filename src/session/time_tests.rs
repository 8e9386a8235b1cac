//! Times as event streams and clocks give them (the time audit), and a consent given to
//! `Vitrine.load` before the file arrived (the model lifecycle audit; its re-audit:
//! `load_consent_audit_tests`).

use super::tests::{catalog, open_at, NOW};
use super::*;
use crate::consent::Source;
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

/// `open` for a load asked at `asked` ([`page::asked`] when the page called it), its file arrived
/// at `now`.
fn load_at(mem: &MemoryBackend, consent: Json, asked: page::Asked, now: f64) -> Session {
    let opts = json!({"catalog": catalog(), "consent": consent});
    let opts = OpenOptions::parse(from_json(&opts)).unwrap();
    let env = Env {
        now,
        seed: 7,
        gpc: false,
    };
    Session::open_asked(opts, Box::new(mem.clone()), env, Some(asked))
}

#[test]
fn a_decision_made_while_a_load_arrives_stands_over_the_consent_it_was_given() {
    let banner = json!({"personalization": true, "storage": true});
    let no = from_json(&json!({"personalization": false, "storage": false}));
    // A withdrawal of both purposes (nothing left in storage) in the page's instance.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    let asked = page::asked(NOW + 500.0);
    a.set_consent(&no, NOW + 1_000.0, false).unwrap();
    let b = load_at(&mem, banner.clone(), asked, NOW + 2_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    assert!(mem.snapshot().is_empty(), "{:?}", mem.snapshot());
    // The same with the clock put back while the file arrived: the order decides, not the time.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    let asked = page::asked(NOW + 500.0);
    a.set_consent(&no, NOW + 1_000.0, false).unwrap();
    let b = load_at(&mem, banner.clone(), asked, NOW - 5_000.0);
    assert!(!b.consent().personalization, "{:?}", b.consent());
    // `erase()` likewise: nothing decided, as in the instance that erased.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, yes(), NOW);
    let asked = page::asked(NOW + 500.0);
    a.erase(NOW + 1_000.0);
    let b = load_at(&mem, banner.clone(), asked, NOW + 2_000.0);
    assert_eq!(b.consent(), a.consent());
    // Another tab's later decision, stored: it stands too.
    let mem = MemoryBackend::new();
    let mut other = open_at(&mem, json!({}), NOW);
    let asked = page::asked(NOW + 500.0);
    let all = from_json(&json!({"personalization": true, "storage": true, "sensitive": true}));
    other.set_consent(&all, NOW + 1_000.0, false).unwrap();
    let b = load_at(
        &mem,
        json!({"personalization": false}),
        asked,
        NOW + 2_000.0,
    );
    assert!(b.consent().personalization && b.consent().sensitive);
    // A decision made before the load was asked: the load's consent replaces it, dated when
    // it was asked.
    let mem = MemoryBackend::new();
    let mut a = open_at(&mem, json!({}), NOW);
    a.set_consent(&no, NOW + 100.0, false).unwrap();
    let asked = page::asked(NOW + 500.0);
    let b = load_at(&mem, banner, asked, NOW + 2_000.0);
    assert!(b.consent().personalization);
    assert_eq!(b.consent().source, Source::Explicit);
    assert_eq!(b.consent().updated_at, Some(NOW + 500.0));
}
