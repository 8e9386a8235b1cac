//! Invariants shared by the fuzz harnesses and the property tests. Each panics with a message
//! naming the broken rule, which is what libFuzzer and proptest report.

use crate::args::MAX_ID_LEN;
use crate::event::{Event, MAX_LINES, MAX_PRICE, MAX_QUANTITY, MAX_TEXT_LEN};
use crate::model::Model;
use crate::recommend::{Recommendation, Request, MAX_REASONS};
use crate::store::{Backend, Load, MemoryBackend, Store};
use crate::Session;

/// A parsed event stays within every documented limit.
pub fn event(e: &Event) {
    assert!(e.lines.len() <= MAX_LINES, "more than {MAX_LINES} lines");
    for l in &e.lines {
        if let Some(id) = &l.item_id {
            assert!(!id.is_empty() && id.len() <= MAX_ID_LEN, "item id {id:?}");
        }
        for t in [&l.category, &l.brand].into_iter().flatten() {
            assert!(!t.is_empty() && t.len() <= MAX_TEXT_LEN, "text {t:?}");
        }
        if let Some(p) = l.price {
            assert!(p.is_finite() && (0.0..=MAX_PRICE).contains(&p), "price {p}");
        }
        if let Some(q) = l.quantity {
            assert!(
                q.is_finite() && q > 0.0 && q <= MAX_QUANTITY,
                "quantity {q}"
            );
        }
    }
    for t in [&e.query, &e.list, &e.channel].into_iter().flatten() {
        assert!(!t.is_empty(), "empty text");
    }
    if let Some(t) = e.timestamp {
        assert!(t.is_finite() && t >= 0.0, "timestamp {t}");
    }
}

/// What `recommend` promises for any request: at most `k` results, no duplicate, none excluded,
/// on screen, out of stock (unless asked) or outside the filter, scores finite and never
/// increasing, one or two reasons each.
pub fn recommendations(model: &Model, req: &Request, recs: &[Recommendation]) {
    assert!(
        recs.len() <= req.k,
        "{} results for k = {}",
        recs.len(),
        req.k
    );
    let mut seen = std::collections::HashSet::new();
    for r in recs {
        assert!(seen.insert(r.item_id.as_str()), "{} twice", r.item_id);
        let Some(i) = model.index_of(&r.item_id) else {
            panic!("{} is not in the catalog", r.item_id)
        };
        assert!(
            !req.exclude.contains(&r.item_id),
            "{} is excluded",
            r.item_id
        );
        assert!(
            !req.anchors.contains(&r.item_id),
            "{} is on screen",
            r.item_id
        );
        if req.filter.in_stock {
            assert!(model.in_stock(i), "{} is out of stock", r.item_id);
        }
        let f = &req.filter;
        if !f.categories.is_empty() {
            let c = model.category_name(model.category(i)).map(crate::text::key);
            assert!(
                c.is_some_and(|c| f.categories.contains(&c)),
                "{} outside the category filter",
                r.item_id
            );
        }
        if f.min_price.is_some() || f.max_price.is_some() {
            let p = model.price(i).map(f64::from);
            assert!(p.is_some(), "{} has no price", r.item_id);
            let p = p.unwrap_or_default() as f32;
            assert!(
                f.min_price.is_none_or(|lo| p >= lo as f32),
                "under minPrice"
            );
            assert!(f.max_price.is_none_or(|hi| p <= hi as f32), "over maxPrice");
        }
        assert!(r.score.is_finite(), "score {} in {req:?} {recs:?}", r.score);
        assert!(
            !r.reasons.is_empty() && r.reasons.len() <= MAX_REASONS,
            "reasons {:?}",
            r.reasons
        );
    }
    for w in recs.windows(2) {
        assert!(w[0].score >= w[1].score, "not sorted: {w:?}");
    }
}

/// Storage holds only records that read back: every vitrine key that is present loads, in the
/// namespace `vitrine`. A damaged record must have been reset (removed) when it was found.
/// Returns whether a newer vitrine's record is there: this version leaves such records (and,
/// under a newer decision, every record) as they are, and keeps its own profile in memory
/// (docs/RELIABILITY.md, storage faults), so another tab does not read what this one holds.
pub fn storage_is_readable(mem: &MemoryBackend) -> bool {
    let store = Store::new(Box::new(mem.clone()), "vitrine");
    for k in mem.keys().unwrap_or_default() {
        assert!(k.starts_with("vitrine:"), "foreign key {k} written");
    }
    match store.load_consent() {
        Load::Corrupt(_) => panic!("a damaged consent record was left in storage"),
        Load::Newer => return true,
        _ => {}
    }
    let gate = crate::consent::Gate::new(crate::consent::ConsentState {
        personalization: true,
        storage: true,
        ..Default::default()
    });
    let (who, persist) = gate.persistent_profile().unwrap_or_else(|| unreachable!());
    let (load, _) = store.load_profile(&who, &persist, 1e9);
    assert!(
        !matches!(load, Load::Corrupt(_)),
        "a damaged profile record was left in storage: {load:?}"
    );
    matches!(load, Load::Newer)
}

/// A profile held within its documented memory bound.
pub fn bounded(s: &Session, now: f64) {
    let bytes = s.audit(now).profile.memory_bytes;
    assert!(
        bytes <= crate::profile::MAX_BYTES,
        "profile holds {bytes} bytes, over {}",
        crate::profile::MAX_BYTES
    );
}
