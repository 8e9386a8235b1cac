use super::*;
use crate::consent::Gate;
use crate::event::{Event, Kind, Line};

fn granted() -> Gate {
    Gate::new(crate::consent::ConsentState {
        personalization: true,
        storage: true,
        sensitive: false,
        source: Source::Explicit,
        updated_at: Some(1.0),
    })
}

fn decision() -> Decision {
    Decision {
        personalization: true,
        storage: true,
        sensitive: true,
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
            other_ids: Vec::new(),
            currency: None,
            category: None,
            brand: None,
            price: None,
            quantity: None,
            broader: Vec::new(),
            sensitive: false,
        }],
        query: None,
        list: None,
        timestamp: None,
        channel: None,
        score: None,
        order: None,
        empty_list: false,
        sensitive: false,
    };
    p.record(&who, &e, 10.0);
    assert_eq!(
        store.load_profile(&who, &persist, 1e9),
        (Load::Missing, None)
    );
    let mut clock = Clock::default();
    clock.advance(42, 1, 10.0);
    let erasures = Erasures {
        profile: 3.0,
        sensitive: 4.0,
    };
    let lineage = Lineage {
        born: 5.0,
        erasures,
    };
    let rev = store
        .save_profile(&who, &persist, &p, &clock, &lineage)
        .unwrap();
    store.save_consent(&decision(), &erasures).unwrap();
    assert_eq!(
        store.load_profile(&who, &persist, 1e9),
        (Load::Found((p.clone(), clock.clone(), lineage)), Some(rev))
    );
    assert_eq!(store.load_consent(), Load::Found((decision(), erasures)));
    p.record(&who, &e, 11.0);
    let rev2 = store
        .save_profile(&who, &persist, &p, &clock, &lineage)
        .unwrap();
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
        vec![1, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
        vec![1, 1, 1, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0],
    ] {
        mem.put_raw("ns:consent", &envelope::seal(envelope::Kind::Consent, &bad));
        assert_eq!(
            store.load_consent(),
            Load::Corrupt("bad consent record"),
            "{bad:?}"
        );
    }
}

/// A record as vitrine 0.1 wrote it (envelope version 2).
fn seal_v2(magic: &[u8; 2], payload: &[u8]) -> String {
    let mut b = magic.to_vec();
    b.push(2);
    b.extend_from_slice(&crate::bytes::crc32(payload).to_le_bytes());
    b.extend_from_slice(payload);
    crate::bytes::base64url_encode(&b)
}

#[test]
fn version_2_records_are_read_and_rewritten_as_the_current_version() {
    let mem = MemoryBackend::new();
    let mut store = Store::new(Box::new(mem.clone()), "ns");
    // Consent: 12 bytes, no sensitive flag.
    let mut w = Writer::default();
    w.u8(1);
    w.u8(1);
    w.u8(1);
    w.f64(5.0);
    w.u8(0);
    mem.put_raw("ns:consent", &seal_v2(b"VC", &w.buf));
    let d = match store.load_consent() {
        Load::Found((d, erasures)) => {
            assert_eq!(erasures, Erasures::default(), "none known");
            d
        }
        other => panic!("{other:?}"),
    };
    assert!(d.personalization && d.storage && !d.sensitive);
    assert_eq!(d.at, Some(5.0));
    // Profile: the version 2 payload is today's without what versions 3 and 4 added at its end
    // and with 10 event counts (12 today).
    let gate = granted();
    let (who, persist) = gate.persistent_profile().unwrap();
    let mut p = Profile::new(1e9);
    let e = Event {
        kind: Kind::Add,
        lines: vec![Line {
            item_id: Some("a".into()),
            other_ids: Vec::new(),
            currency: None,
            category: Some("c".into()),
            brand: None,
            price: Some(3.0),
            quantity: None,
            broader: Vec::new(),
            sensitive: false,
        }],
        query: None,
        list: None,
        timestamp: None,
        channel: Some("email".into()),
        score: None,
        order: None,
        empty_list: false,
        sensitive: false,
    };
    p.record(&who, &e, 10.0);
    let now = p.encode(&who);
    let mut v2 = now[..16].to_vec();
    v2.extend_from_slice(&now[16..16 + 40]);
    // Tail: survey flag, removals, checkout, orders (version 3), one cart line's quantity (4),
    // sensitive event counts (5).
    v2.extend_from_slice(&now[16 + 48..now.len() - 13 - 4 - 48]);
    let mut clock = Writer::default();
    Clock::default().encode(&mut clock);
    clock.buf.extend_from_slice(&v2);
    mem.put_raw("ns:profile", &seal_v2(b"VP", &clock.buf));
    let (load, _) = store.load_profile(&who, &persist, 1e9);
    match load {
        Load::Found((back, _, lineage)) => {
            assert_eq!(back, p);
            assert_eq!(lineage, Lineage::default(), "no erasure known, begun at 0");
        }
        other => panic!("{other:?}"),
    }
    store
        .save_profile(&who, &persist, &p, &Clock::default(), &lineage_now())
        .unwrap();
    let stored = mem.snapshot();
    let (version, _) = envelope::open(envelope::Kind::Profile, &stored["ns:profile"]).unwrap();
    assert_eq!(version, envelope::VERSION);
}

fn lineage_now() -> Lineage {
    Lineage {
        born: 10.0,
        erasures: Erasures::default(),
    }
}

#[test]
fn a_lineage_that_cannot_be_is_a_damaged_record() {
    // A profile begun before an erasure its writer knew of, or a time that is not one.
    let mem = MemoryBackend::new();
    let mut store = Store::new(Box::new(mem.clone()), "vitrine");
    let gate = granted();
    let (who, persist) = gate.persistent_profile().unwrap();
    let p = Profile::new(1e9);
    for (born, profile) in [
        (1.0, 2.0),
        (f64::NAN, 0.0),
        (5.0, -1.0),
        (f64::INFINITY, 0.0),
    ] {
        let lineage = Lineage {
            born,
            erasures: Erasures {
                profile,
                sensitive: 0.0,
            },
        };
        store
            .save_profile(&who, &persist, &p, &Clock::default(), &lineage)
            .unwrap();
        assert_eq!(
            store.load_profile(&who, &persist, 1e9).0,
            Load::Corrupt("bad lineage"),
            "{born} {profile}"
        );
    }
}

#[test]
fn the_times_of_a_stored_profile_are_read_from_its_head() {
    // Up to the most writers a clock keeps, and a profile of any size behind them; what is not
    // an envelope, or is cut inside the head, names no time.
    let mem = MemoryBackend::new();
    let mut store = Store::new(Box::new(mem.clone()), "vitrine");
    let gate = granted();
    let (who, persist) = gate.persistent_profile().unwrap();
    let mut p = Profile::new(1e9);
    let e = |i: usize| Event {
        kind: Kind::View,
        lines: vec![Line {
            item_id: Some(format!("item-{i}")),
            other_ids: Vec::new(),
            currency: None,
            category: None,
            brand: None,
            price: None,
            quantity: None,
            broader: Vec::new(),
            sensitive: false,
        }],
        query: None,
        list: None,
        timestamp: None,
        channel: None,
        score: None,
        order: None,
        empty_list: false,
        sensitive: false,
    };
    for i in 0..300 {
        p.record(&who, &e(i), 10.0 + i as f64);
    }
    let mut clock = Clock::default();
    for w in 0..clock::MAX_WRITERS as u32 {
        clock.advance(w, 1, 1_000.0 + f64::from(w));
    }
    let lineage = Lineage {
        born: 5.0,
        erasures: Erasures::default(),
    };
    store
        .save_profile(&who, &persist, &p, &clock, &lineage)
        .unwrap();
    let latest = 1_000.0 + (clock::MAX_WRITERS - 1) as f64;
    assert_eq!(store.profile_times(), latest);
    let value = mem.snapshot()["vitrine:profile"].clone();
    assert!(value.len() > 10_000, "a profile well past the head");
    let later = Lineage {
        born: 2_000.0,
        ..lineage
    };
    store
        .save_profile(&who, &persist, &p, &clock, &later)
        .unwrap();
    assert_eq!(store.profile_times(), 2_000.0);
    for bad in ["", "not a record", &value[..40]] {
        mem.put_raw("vitrine:profile", bad);
        assert_eq!(store.profile_times(), 0.0, "{bad}");
    }
}
