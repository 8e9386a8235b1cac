//! The harnesses. Each takes any bytes and panics only when an invariant breaks.

use super::{check, json};
use crate::bytes::crc32;
use crate::consent::{ConsentInput, ConsentMode, TcfSignal};
use crate::event::Event;
use crate::model::build::{self, Options};
use crate::model::file::HEADER_LEN;
use crate::model::{parse_catalog, Model};
use crate::policy::{Policy, TcfPurposes};
use crate::recommend::Request;
use crate::session::{Env, OpenOptions, StorageChoice};
use crate::store::envelope::{seal, Kind};
use crate::store::{Backend, MemoryBackend};
use crate::value::{obj, Value};
use crate::Session;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The time every harness runs at (June 2025), ms since the epoch.
pub const NOW: f64 = 1_750_000_000_000.0;

/// Calls made per input at most: enough for a profile to fill up, few enough to stay fast.
const MAX_CALLS: usize = 64;

/// A small catalog that exercises every rule: categories with odd spellings, brands, prices,
/// out-of-stock and sensitive items, tags and embeddings.
fn catalog() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let item = |i: usize| {
            let category = ["Candles", "Mugs", "Throws", "Tea", "İlaç"][i % 5];
            let brand = ["Lumen", "Clay", "Woolly"][i % 3];
            let tags = ["soy", "gift"][..i % 3].to_vec();
            let embedding = [((i * 3) % 7) as f64 - 3.0, ((i * 5) % 4) as f64, 1.0];
            serde_json::json!({
                "id": format!("p{i}"),
                "title": format!("Item {i}"),
                "category": category,
                "brand": brand,
                "price": 3 + i * 7,
                "inStock": i % 6 != 5,
                "sensitive": i == 4,
                "tags": tags,
                "popularity": (i * 37) % 11,
                "embedding": embedding,
            })
        };
        let j = serde_json::Value::Array((0..24).map(item).collect());
        parse_catalog(&crate::value::from_json(&j)).unwrap_or_else(|e| panic!("fixture: {e}"))
    })
}

fn granted() -> Value {
    obj(&[
        ("personalization", Value::Bool(true)),
        ("storage", Value::Bool(true)),
    ])
}

/// A session on `mem` with the fixture catalog, opened at [`NOW`].
pub fn session(mem: &MemoryBackend, consent: Option<Value>, policy: Policy) -> Session {
    let opts = OpenOptions {
        model: catalog().clone(),
        consent: consent.map(|c| {
            ConsentInput::parse("open", &c, policy.tcf_purposes)
                .unwrap_or_else(|e| panic!("fixture consent: {e}"))
        }),
        storage: StorageChoice::Memory,
        namespace: "vitrine".into(),
        policy,
        currency: None,
    };
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now: NOW,
            seed: 7,
            gpc: false,
        },
    )
}

/// The profile part of the export, as JSON (for comparisons).
fn exported_profile(s: &Session) -> serde_json::Value {
    serde_json::to_value(s.export(NOW).profile).unwrap_or_default()
}

/// A few events of every kind, so withdrawals and rankings have something to work on.
fn warm_up(s: &mut Session) {
    for (name, props) in [
        (
            "Product Viewed",
            r#"{"product_id": "p1", "category": "Candles"}"#,
        ),
        (
            "view_item",
            r#"{"items": [{"item_id": "p7", "price": 12}]}"#,
        ),
        ("Product Added", r#"{"product_id": "p2", "quantity": 2}"#),
        ("Order Completed", r#"{"products": [{"product_id": "p8"}]}"#),
        ("Products Searched", r#"{"query": "soy candle"}"#),
        ("Product Viewed", r#"{"product_id": "p13"}"#),
    ] {
        let props = json::value(props.as_bytes()).unwrap_or(Value::Undefined);
        let r = s.track(&Value::from(name), &props, &Value::Undefined, NOW);
        assert!(r.is_ok_and(|r| r.accepted), "warm-up event {name}");
    }
}

/// Event properties: `[name, properties, options]`, or a list of such calls, through
/// `Event::parse` and `Session::track`. The profile stays bounded and what is stored reads back
/// as the same profile.
pub fn event(data: &[u8]) {
    let Some(Value::Array(top)) = json::value(data) else {
        return;
    };
    let calls: Vec<Vec<Value>> = if matches!(top.first(), Some(Value::Array(_))) {
        top.into_iter()
            .filter_map(|c| match c {
                Value::Array(a) => Some(a),
                _ => None,
            })
            .collect()
    } else {
        vec![top]
    };
    let mem = MemoryBackend::new();
    let mut s = session(&mem, Some(granted()), Policy::default());
    let retention = Policy::default().retention_ms();
    for call in calls.iter().take(MAX_CALLS) {
        let arg = |i: usize| call.get(i).cloned().unwrap_or(Value::Undefined);
        let (name, props, options) = (arg(0), arg(1), arg(2));
        let parsed = Event::parse(&name, &props, &options);
        let tracked = s.track(&name, &props, &options, NOW);
        match (&parsed, &tracked) {
            (Err(a), Err(b)) => assert_eq!(a, b),
            (Ok(Ok(e)), Ok(t)) => {
                check::event(e);
                let expired = e.timestamp.is_some_and(|t| t < NOW - retention);
                // Without the separate `sensitive` consent, an event about nothing but
                // sensitive categories is refused (issue 6/7), and that is its only other refusal.
                let screened = t.reason == Some("sensitive") && !s.consent().sensitive;
                assert!(t.accepted != expired || screened, "{t:?} for a valid event");
            }
            (Ok(Err(refusal)), Ok(t)) => {
                assert!(!t.accepted && t.reason == Some(refusal.code()), "{t:?}")
            }
            _ => panic!("parse and track disagree: {parsed:?} vs {tracked:?}"),
        }
    }
    check::bounded(&s, NOW);
    check::storage_is_readable(&mem);
    // Another tab opened now reads exactly the profile this one holds.
    let other = session(&mem, None, Policy::default());
    assert_eq!(
        exported_profile(&other),
        exported_profile(&s),
        "the stored profile does not read back as the one in memory"
    );
}

/// Consent objects (banner flags, `tcf`, `googleConsentMode`): parsing never panics, a refused
/// input changes nothing, and a withdrawal leaves no personal data in memory or storage.
pub fn consent(data: &[u8]) {
    let Some(v) = json::value(data) else {
        return;
    };
    let _ = ConsentMode::parse("setConsent", v.get("googleConsentMode").unwrap_or(&v));
    let parsed = ConsentInput::parse("setConsent", &v, TcfPurposes::Core);
    let mem = MemoryBackend::new();
    let mut s = session(&mem, Some(granted()), Policy::default());
    warm_up(&mut s);
    let (consent, profile, stored) = (s.consent(), exported_profile(&s), mem.snapshot());
    match s.set_consent(&v, NOW + 1.0, false) {
        Err(e) => {
            assert_eq!(Err(e), parsed.map(|_| ()), "setConsent and parse disagree");
            assert_eq!(s.consent(), consent, "a refused input changed the consent");
            assert_eq!(
                exported_profile(&s),
                profile,
                "a refused input changed the profile"
            );
            assert_eq!(mem.snapshot(), stored, "a refused input changed storage");
        }
        Ok(state) => {
            assert!(parsed.is_ok(), "setConsent accepted what parse refused");
            let audit = s.audit(NOW + 1.0);
            if !state.personalization {
                assert!(
                    s.profile(NOW).is_none() && !audit.profile.held,
                    "profile kept"
                );
                assert!(
                    !mem.snapshot().contains_key("vitrine:profile"),
                    "profile left in storage"
                );
            }
            if !state.storage {
                assert!(mem.snapshot().is_empty(), "storage not emptied");
            }
            if !(state.personalization && state.storage) {
                assert_eq!(audit.profile.merge_buffer, 0, "merge buffer kept");
            }
            check::storage_is_readable(&mem);
        }
    }
}

/// TC strings: errors, never panics; decoded id lists are sorted, unique and 1-based.
pub fn tcf(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tc) = crate::consent::tcf::decode(s) else {
        return;
    };
    fn ascending<T: PartialOrd + Default + Copy + std::fmt::Debug>(what: &str, v: &[T]) {
        assert!(
            v.windows(2).all(|w| w[0] < w[1]) && v.first().is_none_or(|x| *x > T::default()),
            "{what}: {v:?}"
        );
    }
    ascending("purposeConsents", &tc.purpose_consents);
    ascending("purposeLI", &tc.purpose_legitimate_interests);
    ascending("specialFeatures", &tc.special_feature_optins);
    ascending("vendorConsents", &tc.vendor_consents);
    ascending("vendorLI", &tc.vendor_legitimate_interests);
    ascending("disclosedVendors", &tc.disclosed_vendors);
    ascending("allowedVendors", &tc.allowed_vendors);
    for r in &tc.publisher_restrictions {
        ascending("restriction", &r.vendors);
    }
    assert!(tc.created.is_finite() && tc.last_updated.is_finite());
    let publisher = tc.publisher_tc.as_ref().map(|p| &p.purpose_consents[..]);
    for (from, purposes) in [
        (TcfPurposes::Core, &tc.purpose_consents[..]),
        (TcfPurposes::Publisher, publisher.unwrap_or_default()),
    ] {
        let signal = TcfSignal::of(&tc, from);
        assert_eq!(signal.storage, purposes.contains(&1));
        assert_eq!(
            signal.personalization,
            purposes.contains(&5) && purposes.contains(&6)
        );
    }
    assert!(serde_json::to_string(&tc).is_ok());
}

/// The stored records. The first byte chooses what the rest is: 0 the profile record as stored
/// (any string), 1 the profile payload behind a valid envelope (so the decoder behind the
/// checksum is reached), 2 the consent payload behind a valid envelope, 3 both records as stored
/// strings split at the first NUL. A session opened on them keeps working, resets and reports
/// what is damaged, and leaves only readable records.
pub fn store(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mem = MemoryBackend::new();
    let consent_record = |d: (bool, bool)| {
        let mut w = crate::bytes::Writer::default();
        w.u8(u8::from(d.0));
        w.u8(u8::from(d.1));
        w.u8(1);
        w.f64(NOW - 1000.0);
        w.u8(0);
        seal(Kind::Consent, &w.buf)
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match mode % 4 {
        0 => {
            mem.put_raw("vitrine:consent", &consent_record((true, true)));
            mem.put_raw("vitrine:profile", &text(rest));
        }
        1 => {
            mem.put_raw("vitrine:consent", &consent_record((true, true)));
            mem.put_raw("vitrine:profile", &seal(Kind::Profile, rest));
        }
        2 => mem.put_raw("vitrine:consent", &seal(Kind::Consent, rest)),
        _ => {
            let mut parts = rest.splitn(2, |&b| b == 0);
            mem.put_raw("vitrine:consent", &text(parts.next().unwrap_or_default()));
            mem.put_raw("vitrine:profile", &text(parts.next().unwrap_or_default()));
        }
    }
    let before = mem.snapshot();
    let mut s = session(&mem, None, Policy::default());
    let audit = s.audit(NOW);
    for (key, value) in &before {
        if mem.snapshot().get(key) != Some(value) {
            // Changed or removed: that must be a reset or a decision that says so.
            let explained = audit.history.iter().any(|e| match e {
                crate::audit::Entry::Reset { key: k, .. } => k == key,
                crate::audit::Entry::Prune { .. }
                | crate::audit::Entry::Clock { .. }
                | crate::audit::Entry::Consent { .. } => true,
                _ => false,
            });
            assert!(explained, "{key} changed without a word in audit()");
        }
    }
    check::storage_is_readable(&mem);
    check::bounded(&s, NOW);
    // The page keeps working.
    let r = s.track(
        &Value::from("Product Viewed"),
        &obj(&[("product_id", Value::from("p3"))]),
        &Value::Undefined,
        NOW,
    );
    assert_eq!(
        r.map(|r| r.accepted),
        Ok(s.consent().personalization),
        "track after loading"
    );
    let req = obj(&[("scenario", Value::from("for_you"))]);
    let recs = s.recommend(&req, NOW).unwrap_or_default();
    let parsed = Request::parse(&req).unwrap_or_else(|e| panic!("{e}"));
    check::recommendations(catalog(), &parsed, &recs);
    // What loaded round-trips: with storage consent, and no newer vitrine's record beside it,
    // a second tab reads the same profile.
    let newer = check::storage_is_readable(&mem);
    if s.consent().storage && !newer {
        let other = session(&mem, None, Policy::default());
        assert_eq!(exported_profile(&other), exported_profile(&s));
    }
}

/// Model files. The first byte: odd means "fix the length field and both checksums first", so
/// the section parser and the validation behind them are reached. A file that loads ranks
/// without panicking, within the rules, and writes back to an equal file.
pub fn model(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= HEADER_LEN {
        let len = bytes.len() as u64;
        bytes[16..24].copy_from_slice(&len.to_le_bytes());
        // By the file's version: CRC-32 in version 1, XXH64's low half from version 2 on.
        let body = if bytes[8..10] == [1, 0] {
            crc32(&bytes[HEADER_LEN..])
        } else {
            crate::bytes::xxh64(&bytes[HEADER_LEN..]) as u32
        };
        bytes[24..28].copy_from_slice(&body.to_le_bytes());
        let head = crc32(&bytes[..28]);
        bytes[28..32].copy_from_slice(&head.to_le_bytes());
    }
    let m = match Model::from_bytes(&bytes) {
        Ok(m) => m,
        Err(e) => {
            assert!(e.to_string().starts_with("model: "), "{e}");
            return;
        }
    };
    same_after_reload(&m);
    rank(m);
}

/// A loaded model written to a file reads back the same (embeddings, scaled to unit length at
/// every load, within float rounding).
fn same_after_reload(m: &Model) {
    let again = Model::from_bytes(&m.to_bytes()).unwrap_or_else(|e| panic!("reload: {e}"));
    let (a, b) = (m.parts(), again.parts());
    let bits =
        |p: &crate::model::ModelParts| p.price.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b), "prices");
    // Informative numbers (shown by `vitrine-model inspect`, unused for ranking) may be NaN.
    assert_eq!(format!("{:?}", a.info), format!("{:?}", b.info), "info");
    let strip = |p: &crate::model::ModelParts| crate::model::ModelParts {
        price: Default::default(),
        embeddings: Default::default(),
        info: Default::default(),
        ..p.clone()
    };
    assert!(
        strip(a) == strip(b),
        "a loaded model does not write back the same"
    );
    assert_eq!(a.embeddings.len(), b.embeddings.len());
    for (x, y) in a.embeddings.iter().zip(&b.embeddings) {
        assert!((x - y).abs() <= 1e-5, "embedding {x} read back as {y}");
    }
}

/// Ranks with `m` in every scenario after a few events on its first items.
fn rank(m: Model) {
    let ids: Vec<String> = (0..m.len().min(6) as u32)
        .map(|i| m.id(i).to_owned())
        .collect();
    let opts = OpenOptions {
        model: m.clone(),
        consent: ConsentInput::parse("open", &granted(), TcfPurposes::Core).ok(),
        storage: StorageChoice::Memory,
        namespace: "vitrine".into(),
        policy: Policy::default(),
        currency: None,
    };
    let mem = MemoryBackend::new();
    let env = Env {
        now: NOW,
        seed: 3,
        gpc: false,
    };
    let mut s = Session::open(opts, Box::new(mem), env);
    for (i, id) in ids.iter().enumerate() {
        let name = ["Product Viewed", "Product Added", "Order Completed"][i % 3];
        let props = obj(&[("product_id", Value::from(id.as_str()))]);
        let _ = s.track(&Value::from(name), &props, &Value::Undefined, NOW);
    }
    let anchor = ids
        .first()
        .map_or(Value::from("none"), |s| Value::from(s.as_str()));
    for scenario in crate::recommend::Scenario::NAMES.map(|(n, _)| n) {
        for diversity in [0.0, 0.7] {
            let req = obj(&[
                ("scenario", Value::from(scenario)),
                ("itemId", anchor.clone()),
                ("k", Value::from(5.0)),
                ("diversity", Value::from(diversity)),
                ("explore", Value::from(0.3)),
            ]);
            let parsed = Request::parse(&req).unwrap_or_else(|e| panic!("{e}"));
            let recs = s
                .recommend(&req, NOW)
                .unwrap_or_else(|e| panic!("recommend: {e}"));
            check::recommendations(&m, &parsed, &recs);
        }
    }
}

/// A folder for the builder's files, one per process.
fn scratch_dir() -> PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let d = base.join(format!("vitrine-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
    .clone()
}

/// The builder's inputs (CSV or JSON Lines, plain or gzip). The first byte chooses the files:
/// bits 0–1: 0 interactions, 1 interactions and catalog, 2 pairs and popularity (the SQL
/// path), 3 pairs, popularity and catalog; files are split at NUL bytes. Bit 2 tolerates every
/// bad row. A build either fails with a message or makes a model that loads and ranks.
pub fn builder(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dir = scratch_dir();
    let mut parts = rest.splitn(3, |&b| b == 0);
    let mut file = |name: &str| {
        let p = dir.join(name);
        std::fs::write(&p, parts.next().unwrap_or_default()).map(|_| p)
    };
    let o = Options {
        neighbours: 4,
        dims: 3,
        memory_bytes: 4096,
        max_bad_fraction: if mode & 4 != 0 { 1.0 } else { 0.01 },
        temp_dir: dir.clone(),
        ..Options::default()
    };
    let built = match mode % 4 {
        0 | 1 => {
            let Ok(interactions) = file("interactions") else {
                return;
            };
            let catalog = if mode % 4 == 1 {
                file("catalog").ok()
            } else {
                None
            };
            build::build(&interactions, catalog.as_deref(), &o)
        }
        _ => {
            let (Ok(pairs), Ok(popularity)) = (file("pairs"), file("popularity")) else {
                return;
            };
            let catalog = if mode % 4 == 3 {
                file("catalog").ok()
            } else {
                None
            };
            build::build_from_counts(&pairs, &popularity, catalog.as_deref(), &o)
        }
    };
    let Ok((parts, _report)) = built else {
        return;
    };
    let m =
        Model::from_parts(parts).unwrap_or_else(|e| panic!("the builder made a bad model: {e}"));
    same_after_reload(&m);
    rank(m);
}

/// The options of `recommend` on a session with a profile: whatever the options, the results
/// keep every promise of [`check::recommendations`].
pub fn recommend(data: &[u8]) {
    let Some(v) = json::value(data) else {
        return;
    };
    let mem = MemoryBackend::new();
    let mut s = session(&mem, Some(granted()), Policy::default());
    warm_up(&mut s);
    let parsed = Request::parse(&v);
    match (s.recommend(&v, NOW), parsed) {
        (Ok(recs), Ok(req)) => check::recommendations(catalog(), &req, &recs),
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("recommend and parse disagree: {a:?} vs {b:?}"),
    }
}

/// The options of `open` (catalog, consent, storage, namespace, policy): an error, or a session
/// that tracks, ranks and reports.
pub fn open(data: &[u8]) {
    let Some(v) = json::value(data) else {
        return;
    };
    let Ok(opts) = OpenOptions::parse(v) else {
        return;
    };
    let model = opts.model.clone();
    let mem = MemoryBackend::new();
    let env = Env {
        now: NOW,
        seed: 5,
        gpc: data.len() % 2 == 0,
    };
    let mut s = Session::open(opts, Box::new(mem.clone()), env);
    let first = (!model.is_empty()).then(|| model.id(0).to_owned());
    if let Some(id) = &first {
        let props = obj(&[("product_id", Value::from(id.as_str()))]);
        let r = s.track(
            &Value::from("Product Viewed"),
            &props,
            &Value::Undefined,
            NOW,
        );
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        let sensitive = r.reason == Some("sensitive") && !s.consent().sensitive;
        assert!(
            r.accepted == s.consent().personalization || sensitive,
            "{r:?}"
        );
    }
    for scenario in ["for_you", "trending", "recently_viewed"] {
        let req = obj(&[("scenario", Value::from(scenario))]);
        let recs = s.recommend(&req, NOW).unwrap_or_else(|e| panic!("{e}"));
        let parsed = Request::parse(&req).unwrap_or_else(|e| panic!("{e}"));
        check::recommendations(&model, &parsed, &recs);
    }
    check::bounded(&s, NOW);
    assert!(serde_json::to_string(&s.audit(NOW)).is_ok());
    assert!(serde_json::to_string(&s.export(NOW)).is_ok());
    for k in mem.keys().unwrap_or_default() {
        assert!(
            k.starts_with(s.namespace()),
            "key {k} outside the namespace"
        );
    }
}
