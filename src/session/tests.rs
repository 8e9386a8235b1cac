use super::*;
use crate::audit::Entry;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

pub(crate) const NOW: f64 = 1_750_000_000_000.0;

pub(crate) fn catalog() -> Json {
    let mut items = Vec::new();
    for (cat, brand, n) in [
        ("Candles", "Lumen", 12),
        ("Mugs", "Clay", 12),
        ("Throws", "Woolly", 12),
    ] {
        for i in 0..n {
            items.push(json!({
                "id": format!("{}-{i}", cat.to_lowercase()),
                "title": format!("{cat} {i}"),
                "category": cat,
                "brand": brand,
                "price": 10 + i,
                "popularity": if cat == "Throws" { 100 - i } else { 10 - i % 5 },
                "inStock": i != 3,
            }));
        }
    }
    Json::Array(items)
}

pub(crate) fn open_with(mem: &MemoryBackend, extra: Json) -> Session {
    open_at(mem, extra, NOW)
}

/// A page opened at `now` (a later page of a visit: opened before its events were made, it
/// would bring their times back to when it opened, see `Profile::clamp_future`).
pub(crate) fn open_at(mem: &MemoryBackend, extra: Json, now: f64) -> Session {
    let mut opts = json!({"catalog": catalog()});
    if let (Json::Object(o), Json::Object(e)) = (&mut opts, extra) {
        o.extend(e);
    }
    let opts = OpenOptions::parse(from_json(&opts)).unwrap();
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now,
            seed: 7,
            gpc: false,
        },
    )
}

fn track(s: &mut Session, name: &str, props: Json) -> TrackResult {
    s.track(
        &Value::from(name),
        &from_json(&props),
        &Value::Undefined,
        NOW,
    )
    .unwrap()
}

fn rec(s: &mut Session, opts: Json) -> Vec<Recommendation> {
    s.recommend(&from_json(&opts), NOW).unwrap()
}

fn ids(r: &[Recommendation]) -> Vec<&str> {
    r.iter().map(|x| x.item_id.as_str()).collect()
}

#[test]
fn without_consent_nothing_is_held_and_shelves_fall_back() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({}));
    let r = track(&mut s, "Product Viewed", json!({"product_id": "candles-1"}));
    assert_eq!(
        r,
        TrackResult {
            accepted: false,
            reason: Some("no_consent")
        }
    );
    assert!(s.profile(NOW).is_none());
    assert!(s.profile.is_none(), "nothing held in memory");
    assert!(mem.snapshot().is_empty(), "nothing in storage");
    let trending = rec(&mut s, json!({"scenario": "for_you", "k": 3}));
    assert_eq!(ids(&trending), ["throws-0", "throws-1", "throws-2"]);
    assert_eq!(trending[0].reasons, ["trending in throws"]);
    assert!(rec(&mut s, json!({"scenario": "recently_viewed"})).is_empty());
    assert!(rec(&mut s, json!({"scenario": "buy_again"})).is_empty());
    let similar = rec(
        &mut s,
        json!({"scenario": "similar", "itemId": "candles-0", "k": 5}),
    );
    assert!(ids(&similar)
        .iter()
        .all(|id| id.starts_with("candles-") && *id != "candles-0"));
}

#[test]
fn with_consent_the_shelf_follows_the_shopper() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    for id in ["candles-1", "candles-2", "candles-4"] {
        assert!(track(&mut s, "Product Viewed", json!({"product_id": id})).accepted);
    }
    let r = rec(
        &mut s,
        json!({"scenario": "for_you", "k": 5, "diversity": 0}),
    );
    // Candles lead; at most half the shelf (maxSignalShare) is what was viewed already.
    let candles = ids(&r)
        .iter()
        .filter(|id| id.starts_with("candles-"))
        .count();
    assert!(candles >= 4 && ids(&r)[0].starts_with("candles-"), "{r:?}");
    assert!(!ids(&r).contains(&"candles-3"), "out of stock never shown");
    assert!(r.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(r.iter().all(|x| !x.reasons.is_empty()));
    assert!(
        r.iter()
            .any(|x| x.reasons.iter().any(|s| s == "because you like candles")),
        "{r:?}"
    );
    let summary = s.profile(NOW).unwrap();
    assert_eq!(summary.categories[0].name, "candles");
    assert_eq!(
        summary.recently_viewed,
        ["candles-4", "candles-2", "candles-1"]
    );
    let rv = rec(&mut s, json!({"scenario": "recently_viewed"}));
    assert_eq!(ids(&rv), ["candles-4", "candles-2", "candles-1"]);
    assert_eq!(rv[0].reasons, ["you viewed this recently"]);
    // Persisted under storage consent, and read back by a new session ("reload").
    assert!(mem.snapshot().contains_key("vitrine:profile"));
    let again = open_with(&mem, json!({}));
    assert_eq!(again.consent().source, crate::consent::Source::Stored);
    assert_eq!(again.profile(NOW).unwrap().recently_viewed.len(), 3);
}

#[test]
fn withdrawing_personalization_erases_memory_and_storage_at_once() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    track(&mut s, "Product Added", json!({"product_id": "mugs-2"}));
    assert_eq!(mem.snapshot().len(), 2);
    assert!(
        !s.audit(NOW).storage.persistent,
        "the memory back-end keeps nothing beyond the page"
    );
    let c = s
        .set_consent(
            &from_json(&json!({"personalization": false, "storage": true})),
            NOW,
            false,
        )
        .unwrap();
    assert!(!c.personalization && c.storage);
    assert!(s.profile.is_none());
    assert_eq!(
        mem.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    s.set_consent(
        &from_json(&json!({"personalization": false, "storage": false})),
        NOW,
        false,
    )
    .unwrap();
    assert!(mem.snapshot().is_empty(), "withdrawal leaves no trace");
    let audit = s.audit(NOW);
    assert!(audit.history.iter().any(|e| matches!(
        e,
        Entry::Erase {
            what: "profile",
            ..
        }
    )));
    assert_eq!(audit.storage.total_bytes, 0);
}

#[test]
fn personalization_without_storage_lives_in_memory_then_persists_at_the_decision() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"consent": {"personalization": true}}));
    track(&mut s, "Product Viewed", json!({"product_id": "mugs-1"}));
    assert!(mem.snapshot().is_empty());
    s.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW,
        false,
    )
    .unwrap();
    assert!(
        mem.snapshot().contains_key("vitrine:profile"),
        "persisted at the decision"
    );
    assert_eq!(s.profile(NOW).unwrap().events, 1);
}

#[test]
fn corrupt_storage_is_reset_and_reported() {
    let mem = MemoryBackend::new();
    mem.put_raw("vitrine:consent", "not a record");
    mem.put_raw("vitrine:profile", "garbage!");
    let s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    let audit = s.audit(NOW);
    assert!(audit.history.iter().any(|e| matches!(e, Entry::Reset { key, reason: "not base64url", .. } if key == "vitrine:profile")), "{:?}", audit.history);
    assert_eq!(s.profile(NOW).unwrap().events, 0);
    let stored = mem.snapshot();
    assert_ne!(stored["vitrine:profile"], "garbage!");
}

#[test]
fn erase_deletes_everything_and_forgets_the_decision() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}, "namespace": "shop1"}),
    );
    track(
        &mut s,
        "Order Completed",
        json!({"products": [{"product_id": "mugs-1"}]}),
    );
    assert_eq!(
        ids(&rec(&mut s, json!({"scenario": "buy_again"}))),
        ["mugs-1"]
    );
    let export = s.export(NOW);
    assert_eq!(
        export.profile.as_ref().unwrap().purchases[0].item_id,
        "mugs-1"
    );
    s.erase(NOW);
    assert!(mem.snapshot().is_empty());
    assert!(rec(&mut s, json!({"scenario": "buy_again"})).is_empty());
    // P15: nothing is collected again until the shopper decides anew.
    assert_eq!(s.consent().source, crate::consent::Source::Default);
    assert_eq!(
        track(&mut s, "Product Viewed", json!({"product_id": "mugs-1"})).reason,
        Some("no_consent")
    );
    s.set_consent(
        &from_json(&json!({"personalization": true, "storage": true})),
        NOW,
        false,
    )
    .unwrap();
    assert!(track(&mut s, "Product Viewed", json!({"product_id": "mugs-1"})).accepted);
    assert_eq!(s.profile(NOW).unwrap().events, 1, "a new, empty profile");
}

#[test]
fn events_for_unknown_items_still_count_and_bad_ones_are_refused() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"consent": {"personalization": true}}));
    let r = track(
        &mut s,
        "Product Viewed",
        json!({"product_id": "not-in-catalog", "category": "Mugs", "price": 15}),
    );
    assert!(r.accepted);
    assert_eq!(s.profile(NOW).unwrap().categories[0].name, "mugs");
    assert_eq!(
        track(
            &mut s,
            "Product Viewed",
            json!({"product_id": "x", "price": -3})
        )
        .reason,
        Some("invalid_price")
    );
    let old = s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({"product_id": "x"})),
        &from_json(&json!({"timestamp": NOW - 40.0 * 86_400_000.0})),
        NOW,
    );
    assert_eq!(old.unwrap().reason, Some("expired"));
    assert_eq!(
        s.profile(NOW).unwrap().events,
        1,
        "refused events are never stored"
    );
    assert!(s
        .track(
            &Value::Number(42.0),
            &Value::Undefined,
            &Value::Undefined,
            NOW
        )
        .is_err());
}

#[test]
fn an_item_the_catalog_knows_counts_for_the_catalogs_category_and_brand() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"consent": {"personalization": true}}));
    // GA4's most specific level and a theme's brand label, for a mug the catalog files under
    // Mugs by Clay: the taste kept is the one shelves can rank by.
    for _ in 0..3 {
        let r = track(
            &mut s,
            "view_item",
            json!({"items": [{"item_id": "mugs-1", "item_category": "Kitchen",
                "item_category2": "Stoneware 12oz", "item_brand": "CLAY STUDIO", "price": 9}]}),
        );
        assert!(r.accepted);
    }
    let p = s.profile(NOW).unwrap();
    assert_eq!(p.categories.len(), 1);
    assert_eq!(p.categories[0].name, "mugs");
    assert_eq!(p.brands[0].name, "clay");
    let shelf = rec(
        &mut s,
        json!({"scenario": "for_you", "k": 4, "diversity": 0}),
    );
    // Three of four (the one-signal cap keeps the last slot for something else).
    let mugs = ids(&shelf)
        .iter()
        .filter(|id| id.starts_with("mugs-"))
        .count();
    assert!(mugs >= 3, "{:?}", ids(&shelf));
}

#[test]
fn a_list_counts_for_its_category_only_when_the_catalog_has_it() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"consent": {"personalization": true}}));
    for title in ["Frontpage", "Summer Sale", " mugs "] {
        let r = track(
            &mut s,
            "collection_viewed",
            json!({"collection": {"title": title}}),
        );
        assert!(r.accepted, "{title}");
    }
    let p = s.profile(NOW).unwrap();
    let names: Vec<&str> = p.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["mugs"]);
    assert_eq!(p.counts.get("list_view"), Some(3));
}

#[test]
fn a_sensitive_name_an_event_gives_is_screened_whatever_the_catalog_says() {
    // The catalog's category replaces an event's, and a list the catalog lacks is no taste; but
    // a name on the sensitive list stays for screening to refuse, as without a catalog.
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true},
               "policy": {"sensitiveCategories": ["Health", "Pregnancy"]}}),
    );
    let r = track(
        &mut s,
        "Product Viewed",
        json!({"product_id": "mugs-1", "category": "Health"}),
    );
    assert_eq!(r.reason, Some("sensitive"));
    let r = track(
        &mut s,
        "Product List Viewed",
        json!({"category": "Pregnancy"}),
    );
    assert_eq!(r.reason, Some("sensitive"));
    assert_eq!(s.profile(NOW).unwrap().events, 0);
}

#[test]
fn retention_prunes_on_open() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}, "policy": {"retentionDays": 5}}),
    );
    s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({"product_id": "mugs-1"})),
        &from_json(&json!({"timestamp": NOW - 4.0 * 86_400_000.0})),
        NOW,
    )
    .unwrap();
    let opts = OpenOptions::parse(from_json(
        &json!({"catalog": catalog(), "policy": {"retentionDays": 5}}),
    ))
    .unwrap();
    let later = Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now: NOW + 2.0 * 86_400_000.0,
            seed: 1,
            gpc: false,
        },
    );
    assert_eq!(later.profile(NOW).unwrap().signals, 0);
    assert!(later
        .audit(NOW)
        .history
        .iter()
        .any(|e| matches!(e, Entry::Prune { .. })));
}

#[test]
fn open_options_are_checked() {
    let bad = [
        (
            json!({"catalog": [], "model": 1}),
            "give both model and catalog; give one of them",
        ),
        (
            json!({"storage": "cookie"}),
            "options.storage must be one of local, memory",
        ),
        (json!({"namespace": "a b"}), "options.namespace"),
        (
            json!({"consnet": {}}),
            "options.consnet is not a known option",
        ),
        (
            json!({"model": "file.vtr"}),
            "options.model must be a Uint8Array",
        ),
    ];
    for (v, want) in bad {
        let err = OpenOptions::parse(from_json(&v)).err().unwrap().to_string();
        assert!(err.contains(want), "{v}: {err}");
    }
    assert!(OpenOptions::parse(Value::Undefined).is_ok());
}

#[test]
fn storage_failures_keep_the_page_working_and_are_reported_once() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    *mem.fail_writes.borrow_mut() = true;
    for _ in 0..5 {
        assert!(track(&mut s, "Product Viewed", json!({"product_id": "mugs-1"})).accepted);
    }
    let errors = s
        .audit(NOW)
        .history
        .iter()
        .filter(|e| matches!(e, Entry::StorageError { .. }))
        .count();
    assert_eq!(errors, 1);
    assert_eq!(s.profile(NOW).unwrap().events, 5);
}

/// A small shop's catalog as it is often given: no popularity at all.
fn unranked_catalog() -> Json {
    let cats = ["Dresses", "Tops", "Jeans", "Accessories"];
    let mut items: Vec<Json> = (0..24)
        .map(|i| json!({"id": format!("{}-{i}", cats[i % 4].to_lowercase()), "category": cats[i % 4], "price": 30 + i}))
        .collect();
    items.push(json!({"id": "mug-luxe", "category": "Mugs", "price": 300}));
    items.push(json!({"id": "mug-basic", "category": "Mugs", "price": 12}));
    items.push(json!({"id": "plate", "category": "Plates", "price": 11}));
    items.push(json!({"id": "bowl", "category": "Bowls", "price": 150}));
    Json::Array(items)
}

#[test]
fn a_catalog_without_popularity_has_nothing_popular_or_trending() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"catalog": unranked_catalog(), "consent": {"personalization": true}}),
    );
    let reasons = |r: &[Recommendation]| {
        r.iter()
            .flat_map(|x| x.reasons.iter().cloned())
            .collect::<Vec<_>>()
    };
    for scenario in [
        json!({"scenario": "trending"}),
        json!({"scenario": "for_you"}),
        json!({"scenario": "similar", "itemId": "plate"}),
        json!({"scenario": "bought_together", "itemId": "tops-1"}),
    ] {
        let all = reasons(&rec(&mut s, scenario.clone()));
        assert!(
            !all.iter()
                .any(|r| r.contains("popular") || r.contains("trending")),
            "{scenario}: {all:?}"
        );
    }
    assert_eq!(
        rec(&mut s, json!({"scenario": "trending", "k": 1}))[0].reasons,
        ["more from the shop"]
    );
    let shelf = s
        .explain_shelf(&from_json(&json!({"scenario": "for_you"})), NOW)
        .unwrap();
    assert_eq!(
        shelf.explanation,
        "more from the shop: nothing is known about you yet"
    );
    // The same catalog with figures: popular again.
    let mut ranked = unranked_catalog();
    ranked[0]["popularity"] = json!(9);
    let mut s = open_with(&mem, json!({"catalog": ranked}));
    let top = rec(&mut s, json!({"scenario": "trending", "k": 2}));
    assert_eq!(top[0].reasons, ["trending in dresses"]);
    assert_eq!(
        top[1].reasons,
        ["more from the shop"],
        "the rest sell no more than the least"
    );
}

#[test]
fn similar_price_is_said_of_a_price_near_one_on_screen() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"catalog": unranked_catalog()}));
    let shelf = rec(&mut s, json!({"scenario": "similar", "itemId": "mug-luxe"}));
    for r in &shelf {
        assert!(!r.reasons.contains(&"similar price".to_owned()), "{r:?}");
    }
    // Nor to two items on screen whose mean is near (11 and 300: 155.5).
    let shelf = rec(
        &mut s,
        json!({"scenario": "similar", "itemIds": ["plate", "mug-luxe"], "k": 30}),
    );
    let bowl = shelf.iter().find(|r| r.item_id == "bowl").unwrap();
    assert!(
        !bowl.reasons.contains(&"similar price".to_owned()),
        "{bowl:?}"
    );
    let shelf = rec(
        &mut s,
        json!({"scenario": "similar", "itemId": "dresses-20"}),
    );
    let near = shelf.iter().find(|r| r.item_id == "tops-21").unwrap();
    assert!(
        near.reasons.contains(&"similar price".to_owned()),
        "{near:?}"
    );
}

#[test]
fn the_cart_shelf_after_one_addition_is_held_to_the_cap() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"catalog": unranked_catalog(), "consent": {"personalization": true},
            "policy": {"maxSignalShare": 0.5}}),
    );
    track(&mut s, "Product Added", json!({"product_id": "dresses-0"}));
    let shelf = rec(&mut s, json!({"scenario": "cart", "k": 6}));
    let dresses = ids(&shelf)
        .iter()
        .filter(|i| i.starts_with("dresses"))
        .count();
    assert_eq!((shelf.len(), dresses), (6, 3), "{shelf:?}");
}

#[test]
fn an_item_without_a_category_is_not_unlike_everything_for_diversity() {
    let cats = ["Green tea", "Black tea", "Herbal"];
    let mut items: Vec<Json> = (0..12)
        .map(|i| json!({"id": format!("tea-{i}"), "category": cats[i % 3], "brand": "Leaf"}))
        .collect();
    items.push(json!({"id": "gift-card"}));
    items.push(json!({"id": "honey"}));
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"catalog": items}));
    // Every item alike but for its category: the shop's own categories come first, one each,
    // before what has none (it came second and third, as the item least like the first pick).
    let shelf = rec(&mut s, json!({"scenario": "trending", "k": 4}));
    assert_eq!(&ids(&shelf)[..3], ["tea-0", "tea-1", "tea-2"], "{shelf:?}");
}

#[test]
fn similar_to_an_item_the_catalog_says_nothing_of_says_so() {
    let mut items = unranked_catalog();
    items.as_array_mut().unwrap().push(json!({"id": "gift"}));
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"catalog": items}));
    let explain = |s: &Session, id: &str| {
        s.explain_shelf(
            &from_json(&json!({"scenario": "similar", "itemId": id})),
            NOW,
        )
        .unwrap()
        .explanation
    };
    assert_eq!(
        explain(&s, "gift"),
        "more from the shop: nothing is known of what is like the item you are looking at"
    );
    assert_eq!(
        explain(&s, "plate"),
        "similar to the item you are looking at"
    );
    assert!(!rec(&mut s, json!({"scenario": "similar", "itemId": "gift"})).is_empty());
}

#[test]
fn a_shelf_of_an_instance_without_a_catalog_says_the_catalog_is_empty() {
    // Found by the storefront audit: `catalog` still undefined at `open` gave empty shelves that
    // said "nothing is known about you yet" right after an accepted event.
    let opts = json!({"consent": {"personalization": true}, "storage": "memory"});
    let mut s = Session::open(
        OpenOptions::parse(from_json(&opts)).unwrap(),
        Box::new(MemoryBackend::new()),
        Env {
            now: NOW,
            seed: 7,
            gpc: false,
        },
    );
    assert!(track(&mut s, "Product Viewed", json!({"product_id": "x"})).accepted);
    for scenario in ["for_you", "trending", "similar"] {
        let req = from_json(&json!({"scenario": scenario, "itemId": "x"}));
        let shelf = s.explain_shelf(&req, NOW).unwrap();
        assert_eq!(
            shelf.explanation,
            "nothing to show: the catalog is empty (open was given no model or catalog, or an empty one)"
        );
        assert!(s.recommend(&req, NOW).unwrap().is_empty());
    }
}
