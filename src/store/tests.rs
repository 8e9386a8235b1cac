use super::*;
use crate::consent::Gate;
use crate::event::{Event, Kind, Line};

fn granted() -> Gate {
    Gate::new(crate::consent::ConsentState {
        personalization: true,
        storage: true,
        source: Source::Explicit,
        updated_at: Some(1.0),
    })
}

fn decision() -> Decision {
    Decision {
        personalization: true,
        storage: true,
        source: Source::Explicit,
        at: Some(1.0),
        over_gpc: true,
    }
}

#[test]
fn profile_and_consent_round_trip_and_erase_only_our_keys() {
    let mem = MemoryBackend::new();
    mem.put_raw("other-app:key", "keep me");
    let mut store = Store::new(Box::new(mem.clone()), "vitrine");
    let gate = granted();
    let (who, persist) = gate.persistent_profile().unwrap();
    let mut p = Profile::new(1e9);
    let e = Event {
        kind: Kind::View,
        lines: vec![Line {
            item_id: Some("a".into()),
            category: None,
            brand: None,
            price: None,
            quantity: 1.0,
        }],
        query: None,
        list: None,
        timestamp: None,
        channel: None,
    };
    p.record(&who, &e, 10.0);
    assert_eq!(
        store.load_profile(&who, &persist, 1e9),
        (Load::Missing, None)
    );
    let mut clock = Clock::default();
    clock.advance(42, 1, 10.0);
    let rev = store.save_profile(&who, &persist, &p, &clock).unwrap();
    store.save_consent(&decision()).unwrap();
    assert_eq!(
        store.load_profile(&who, &persist, 1e9),
        (Load::Found((p.clone(), clock.clone())), Some(rev))
    );
    assert_eq!(store.load_consent(), Load::Found(decision()));
    p.record(&who, &e, 11.0);
    let rev2 = store.save_profile(&who, &persist, &p, &clock).unwrap();
    assert_ne!(rev, rev2, "a different profile is a different revision");
    let inv = store.inventory();
    assert_eq!(
        inv.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
        ["vitrine:consent", "vitrine:profile"]
    );
    assert!(inv.iter().all(|k| k.bytes > 20));
    store.erase_all().unwrap();
    assert_eq!(
        mem.snapshot().into_iter().collect::<Vec<_>>(),
        [("other-app:key".to_string(), "keep me".to_string())]
    );
}

#[test]
fn damaged_records_are_reported_corrupt() {
    let mem = MemoryBackend::new();
    let store = Store::new(Box::new(mem.clone()), "ns");
    let gate = granted();
    let (who, persist) = gate.persistent_profile().unwrap();
    mem.put_raw("ns:profile", "garbage!");
    assert_eq!(
        store.load_profile(&who, &persist, 1.0).0,
        Load::Corrupt("not base64url")
    );
    mem.put_raw(
        "ns:profile",
        &envelope::seal(envelope::Kind::Profile, &[1, 2, 3]),
    );
    assert_eq!(
        store.load_profile(&who, &persist, 1.0).0,
        Load::Corrupt("truncated")
    );
    mem.put_raw(
        "ns:profile",
        &envelope::seal(envelope::Kind::Profile, &[0, 2, 3]),
    );
    assert_eq!(
        store.load_profile(&who, &persist, 1.0).0,
        Load::Corrupt("truncated"),
        "an empty clock, then a truncated profile"
    );
    // A consent record where a profile belongs: foreign.
    mem.put_raw(
        "ns:profile",
        &envelope::seal(
            envelope::Kind::Consent,
            &[1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ),
    );
    assert_eq!(
        store.load_profile(&who, &persist, 1.0).0,
        Load::Corrupt("foreign value (wrong magic)")
    );
    for bad in [
        vec![1, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0],
    ] {
        mem.put_raw("ns:consent", &envelope::seal(envelope::Kind::Consent, &bad));
        assert_eq!(
            store.load_consent(),
            Load::Corrupt("bad consent record"),
            "{bad:?}"
        );
    }
}
