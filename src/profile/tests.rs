use super::*;
use crate::consent::{ConsentState, Gate, Source};
use crate::event::{fnv1a, Event, Line};

pub(crate) fn granted() -> Gate {
    Gate::new(ConsentState {
        personalization: true,
        storage: true,
        sensitive: false,
        source: Source::Explicit,
        updated_at: Some(0.0),
    })
}

const DAY: f64 = decay::DAY_MS;
const T0: f64 = 1_700_000_000_000.0;

fn ev(kind: Kind, id: &str, category: &str, price: f64) -> Event {
    Event {
        kind,
        lines: vec![Line {
            item_id: Some(id.into()),
            other_ids: Vec::new(),
            currency: None,
            category: Some(category.into()),
            brand: Some("Acme".into()),
            price: Some(price),
            quantity: None,
            broader: Vec::new(),
            sensitive: false,
        }],
        query: None,
        list: None,
        timestamp: None,
        channel: Some("instagram".into()),
        score: None,
        order: None,
        empty_list: false,
        sensitive: false,
    }
}

/// An event as `track` reads it from its name and properties.
fn parse(name: &str, props: serde_json::Value) -> Event {
    use crate::value::{from_json, Value};
    Event::parse(&Value::from(name), &from_json(&props), &Value::Undefined)
        .unwrap()
        .unwrap()
}

#[test]
fn records_items_categories_bands_cart_and_purchases() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "a", "Candles", 12.0), T0);
    p.record(&tok, &ev(Kind::Add, "a", "Candles", 12.0), T0 + 1.0);
    p.record(&tok, &ev(Kind::View, "b", "Mugs", 30.0), T0 + 2.0);
    let v = p.view(&tok, T0 + 2.0);
    assert!(v.category("candles") > v.category("mugs"));
    assert_eq!(v.recent().map(|(id, _)| id).collect::<Vec<_>>(), ["b", "a"]);
    assert_eq!(v.cart().collect::<Vec<_>>(), ["a"]);
    assert_eq!(price_band(12.0), 2);
    assert!(v.price_bands()[2] > 0.0);
    p.record(&tok, &ev(Kind::Purchase, "a", "Candles", 12.0), T0 + 3.0);
    let v = p.view(&tok, T0 + 3.0);
    assert_eq!(v.cart().count(), 0, "bought items leave the cart");
    assert!(v.purchased("a"));
    let s = p.summary(&tok, T0 + 3.0);
    assert_eq!(s.categories[0].name, "candles");
    assert_eq!(s.counts.get("view"), Some(2));
    assert_eq!(s.events, 4);
    assert_eq!(s.channels[0].name, "instagram");
    assert_eq!(s.price_band.as_ref().map(|b| b.min), Some(10.0));
}

#[test]
fn interest_decays_with_the_half_life() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "a", "Candles", 12.0), T0);
    let w = |t: f64| p.view(&tok, t).category("candles");
    assert!((w(T0) - 1.0).abs() < 1e-6);
    assert!((w(T0 + 14.0 * DAY) - 0.5).abs() < 1e-6);
    assert!((w(T0 + 28.0 * DAY) - 0.25).abs() < 1e-6);
    // Older interest loses to newer interest of the same strength.
    p.record(&tok, &ev(Kind::View, "b", "Mugs", 12.0), T0 + 7.0 * DAY);
    let v = p.view(&tok, T0 + 8.0 * DAY);
    assert!(v.category("mugs") > v.category("candles"));
}

#[test]
fn hundred_thousand_events_stay_under_the_bound() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let long = "x".repeat(100);
    for i in 0..100_000u32 {
        let kind = Kind::ALL[(i % 11) as usize];
        let mut e = ev(
            kind,
            &format!("{long}-{i}"),
            &format!("{long}-cat-{}", i % 997),
            f64::from(i % 2000),
        );
        e.query = Some(format!("{long} query {i}"));
        e.list = Some(format!("{long}-list-{}", i % 333));
        e.channel = Some(format!("channel-{}", i % 40));
        e.score = Some((i % 11) as u8);
        e.order = Some(fnv1a(&format!("{long}-order-{i}")));
        p.record(&tok, &e, T0 + f64::from(i) * 1000.0);
        if kind == Kind::Add {
            p.record(
                &tok,
                &ev(Kind::Remove, &format!("{long}-{i}"), "c", 1.0),
                T0 + f64::from(i) * 1000.0,
            );
        }
    }
    let bytes = p.memory_bytes();
    assert!(bytes < MAX_BYTES, "{bytes} bytes");
    assert!(p.items.len() <= MAX_ITEMS && p.categories.len() <= MAX_CATEGORIES);
    assert!(p.recent.len() <= RECENT_VIEWS && p.purchases.len() <= MAX_PURCHASES);
    assert!(p.cart.len() <= MAX_CART && p.queries.len() <= RECENT_QUERIES);
    assert_eq!(p.removals.len(), RECENT_REMOVALS);
    assert_eq!(p.orders.len(), MAX_ORDERS);
    assert!(p.encode(&tok).len() < MAX_BYTES);
}

#[test]
fn eviction_keeps_what_matters_now() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    for _ in 0..5 {
        p.record(&tok, &ev(Kind::Purchase, "favourite", "c", 1.0), T0);
    }
    for i in 0..MAX_ITEMS * 2 {
        p.record(&tok, &ev(Kind::View, &format!("i{i}"), "c", 1.0), T0 + 1.0);
    }
    assert!(p.items.get("favourite").is_some());
}

#[test]
fn codec_round_trips_and_rejects_damage() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    for (i, k) in Kind::ALL.iter().enumerate() {
        let mut e = ev(*k, &format!("id{i}"), "Cat", 10.0 * i as f64);
        e.query = Some("q".into());
        e.score = Some(6);
        e.order = Some(fnv1a("o-1"));
        p.record(&tok, &e, T0 + i as f64);
    }
    p.record(&tok, &ev(Kind::Add, "r", "Cat", 1.0), T0 + 20.0);
    p.record(&tok, &ev(Kind::Remove, "r", "Cat", 1.0), T0 + 21.0);
    p.record(&tok, &ev(Kind::Checkout, "r", "Cat", 1.0), T0 + 22.0);
    assert!(p.survey.is_some() && !p.removals.is_empty() && p.checkout_at > 0.0);
    assert_eq!(p.orders.len(), 1);
    let bytes = p.encode(&tok);
    let back = Profile::decode(&tok, &bytes, 14.0 * DAY).unwrap();
    assert_eq!(back, p);
    for cut in 0..bytes.len() {
        assert!(
            Profile::decode(&tok, &bytes[..cut], DAY).is_err(),
            "cut at {cut}"
        );
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert_eq!(
        Profile::decode(&tok, &extra, DAY),
        Err(codec::Corrupt::Invalid("trailing bytes"))
    );
}

#[test]
fn prune_deletes_signals_older_than_retention() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::Purchase, "old", "Old", 5.0), T0);
    p.record(&tok, &ev(Kind::View, "new", "New", 5.0), T0 + 40.0 * DAY);
    let removed = p.prune(&tok, T0 + 10.0 * DAY);
    assert!(removed > 0);
    let v = p.view(&tok, T0 + 40.0 * DAY);
    assert_eq!(v.items().map(|(id, _)| id).collect::<Vec<_>>(), ["new"]);
    assert_eq!(v.category("old"), 0.0);
    assert!(!v.purchased("old"));
    assert_eq!(p.oldest(), Some(T0 + 40.0 * DAY));
    p.prune(&tok, T0 + 50.0 * DAY);
    assert!(p.is_empty());
    assert_eq!(p.summary(&tok, T0).events, 0);
}

#[test]
fn a_signal_touched_within_retention_is_kept_whole() {
    // What docs/PRIVACY.md (Retention) says: an item bought again keeps its count and first
    // purchase time, the counts by kind stay, and the first event time is the oldest signal's.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "seen", "Seen", 5.0), T0);
    p.record(&tok, &ev(Kind::Purchase, "mug", "Mugs", 5.0), T0 + DAY);
    p.record(
        &tok,
        &ev(Kind::Purchase, "mug", "Mugs", 5.0),
        T0 + 25.0 * DAY,
    );
    assert!(p.prune(&tok, T0 + 10.0 * DAY) > 0);
    let v = p.view(&tok, T0 + 25.0 * DAY);
    assert_eq!(v.items().map(|(id, _)| id).collect::<Vec<_>>(), ["mug"]);
    let bought: Vec<_> = v
        .purchases()
        .map(|(id, n, _, first, _)| (id, n, first))
        .collect();
    assert_eq!(bought, [("mug", 2, T0 + DAY)]);
    let summary = p.summary(&tok, T0 + 25.0 * DAY);
    assert_eq!(summary.events, 3);
    assert_eq!(summary.first_seen, Some(T0 + DAY));
    assert_eq!(p.oldest(), Some(T0 + DAY));
}

#[test]
fn an_event_without_signals_counts_until_it_is_itself_old() {
    // Found by the `event` fuzz target: a list view of items without ids leaves no signal; the
    // prune at the next open reset its count, so another tab read a different profile.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let mut e = ev(Kind::ListView, "x", "c", 1.0);
    e.lines[0].item_id = None;
    e.lines[0].category = None;
    e.lines[0].brand = None;
    e.lines[0].price = None;
    e.list = None;
    e.channel = None;
    p.record(&tok, &e, T0);
    let before = p.clone();
    p.prune(&tok, T0 - DAY);
    assert_eq!(p, before);
    assert_eq!(p.summary(&tok, T0).events, 1);
    p.prune(&tok, T0 + DAY);
    assert_eq!(p.summary(&tok, T0).events, 0);
}

#[test]
fn names_that_grow_when_lower_cased_still_round_trip() {
    // Found by the `event` fuzz target: a 256-byte category of 'İ' lower-cases to 384 bytes,
    // which the codec refused, so the whole stored profile was reset at the next load.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let long = "İ".repeat(128);
    let mut e = ev(Kind::View, "a", &long, 1.0);
    e.lines[0].brand = Some("Ⱥ".repeat(128).into());
    e.channel = Some(long.clone());
    e.list = Some(long);
    p.record(&tok, &e, T0);
    let back = Profile::decode(&tok, &p.encode(&tok), 14.0 * DAY).unwrap();
    assert_eq!(back, p);
    assert!(p.categories.iter().all(|(k, _)| k.len() <= MAX_TEXT_LEN));
}

#[test]
fn the_latest_survey_answer_is_kept_and_nothing_else_of_it() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let mut e = ev(Kind::Survey, "x", "c", 1.0);
    e.lines.clear();
    e.score = Some(3);
    p.record(&tok, &e, T0 + 10.0);
    e.score = Some(9);
    p.record(&tok, &e, T0 + 5.0);
    assert_eq!(
        p.view(&tok, T0).survey(),
        Some((3, T0 + 10.0)),
        "a late report of an older answer does not replace it"
    );
    e.score = Some(10);
    p.record(&tok, &e, T0 + 20.0);
    let s = p.summary(&tok, T0 + 20.0);
    let nps = s.nps.unwrap();
    assert_eq!(
        (nps.score, nps.class, nps.at),
        (10, crate::nps::Class::Promoter, T0 + 20.0)
    );
    assert_eq!(s.counts.get("survey"), Some(3));
    assert_eq!(p.export(&tok, T0).survey.map(|x| x.score), Some(10));
}

#[test]
fn an_order_is_counted_once_however_often_it_is_reported() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let mut e = ev(Kind::Purchase, "mug", "Mugs", 9.0);
    e.order = Some(fnv1a("A-1"));
    assert!(p.record(&tok, &e, T0));
    assert!(!p.record(&tok, &e, T0 + 1.0), "the thank-you page reloaded");
    let before = p.clone();
    assert!(
        !p.record(&tok, &e, T0 - DAY),
        "imported later from the account page"
    );
    assert_eq!(p, before, "nothing changed");
    e.order = Some(fnv1a("A-2"));
    assert!(p.record(&tok, &e, T0 + 2.0));
    let v = p.view(&tok, T0 + 3.0);
    assert_eq!(v.purchases().next().map(|x| x.1), Some(2));
    let mut second_part = ev(Kind::Purchase, "lamp", "Lamps", 9.0);
    second_part.order = Some(fnv1a("A-2"));
    assert!(
        p.record(&tok, &second_part, T0 + 2.0),
        "an order too large for one event, in parts"
    );
    e.order = None;
    assert!(
        p.record(&tok, &e, T0 + 4.0),
        "without an id, every report counts"
    );
    let ex = p.export(&tok, T0 + 5.0);
    assert_eq!(ex.orders.len(), 3);
    assert!(
        ex.orders.iter().all(|o| o.fingerprint.len() == 16),
        "{:?}",
        ex.orders
    );
    assert!(
        !ex.orders.iter().any(|o| o.fingerprint.contains("A-")),
        "the order id itself is not kept"
    );
}

#[test]
fn cart_removals_and_an_open_checkout_are_tracked_and_pruned() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::Remove, "never-added", "c", 1.0), T0);
    assert_eq!(
        p.view(&tok, T0).removals().count(),
        0,
        "only items that were in the cart"
    );
    p.record(&tok, &ev(Kind::Add, "a", "c", 1.0), T0);
    p.record(&tok, &ev(Kind::Remove, "a", "c", 1.0), T0 + 1.0);
    p.record(&tok, &ev(Kind::Checkout, "b", "c", 1.0), T0 + 2.0);
    let v = p.view(&tok, T0 + 3.0);
    assert_eq!(v.removals().collect::<Vec<_>>(), [("a", T0 + 1.0)]);
    assert_eq!(v.open_checkout(), Some(T0 + 2.0));
    assert_eq!(p.export(&tok, T0).checkout_started_at, Some(T0 + 2.0));
    p.prune(&tok, T0 + 10.0);
    let v = p.view(&tok, T0 + 11.0);
    assert_eq!((v.removals().count(), v.open_checkout()), (0, None));
}

#[test]
fn erasing_sensitive_signals_leaves_the_rest() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::Purchase, "test-kit", "health", 5.0), T0);
    p.record(&tok, &ev(Kind::Add, "mug", "mugs", 5.0), T0);
    let mut s = ev(Kind::Search, "x", "c", 1.0);
    s.lines.clear();
    s.query = Some("Health insurance".into());
    p.record(&tok, &s, T0);
    s.query = Some("blue mug".into());
    p.record(&tok, &s, T0);
    let erased = p.erase_sensitive(&tok, &|id| id == "test-kit", &|name| {
        name.to_lowercase().contains("health")
    });
    assert!(erased >= 4, "{erased}");
    let v = p.view(&tok, T0);
    assert!(!v.purchased("test-kit") && v.items().all(|(id, _)| id != "test-kit"));
    assert_eq!(v.category("health"), 0.0);
    assert!(v.category("mugs") > 0.0);
    assert_eq!(v.queries().collect::<Vec<_>>(), ["blue mug"]);
    assert_eq!(v.cart().collect::<Vec<_>>(), ["mug"]);
}

#[test]
fn a_price_is_in_the_first_band_whose_bound_is_above_it() {
    let first_above = |p: f64| {
        PRICE_BANDS
            .iter()
            .position(|&upper| p < upper)
            .unwrap_or(PRICE_BANDS.len() - 1)
    };
    let mut prices = vec![
        f64::NEG_INFINITY,
        -1.0,
        0.0,
        4.99,
        1e9,
        f64::INFINITY,
        f64::NAN,
    ];
    for &b in &PRICE_BANDS[..PRICE_BANDS.len() - 1] {
        prices.extend([b, b - 1e-9, b + 1e-9]);
    }
    for p in prices {
        assert_eq!(price_band(p), first_above(p), "{p}");
    }
}

#[test]
fn a_cart_view_that_lists_no_products_empties_the_cart() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let cart = |p: &Profile, t: f64| {
        p.view(&tok, t)
            .cart()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    for empty in [
        parse("Cart Viewed", serde_json::json!({"products": []})),
        parse(
            "view_cart",
            serde_json::json!({"currency": "EUR", "items": []}),
        ),
        parse("cart_viewed", serde_json::json!({"cart": {"lines": []}})),
    ] {
        let mut p = Profile::new(14.0 * DAY);
        p.record(&tok, &ev(Kind::Add, "a", "c", 1.0), T0);
        p.record(&tok, &ev(Kind::Add, "b", "c", 1.0), T0 + 2.0);
        // A cart view without a product list says nothing about the cart.
        p.record(&tok, &parse("Cart Viewed", serde_json::json!({})), T0 + 3.0);
        assert_eq!(cart(&p, T0 + 3.0), ["a", "b"]);
        // An empty one reported late (an import) leaves what was added after it.
        p.record(&tok, &empty, T0 + 1.0);
        assert_eq!(cart(&p, T0 + 3.0), ["b"], "{:?}", empty.kind);
        p.record(&tok, &empty, T0 + 4.0);
        assert_eq!(cart(&p, T0 + 4.0), Vec::<String>::new());
    }
}

/// The kept cart's lines, with how many of each.
fn cart_lines(p: &Profile, who: &Personal<'_>) -> Vec<(String, f64)> {
    let lines = p.export(who, T0 + 99.0).cart.into_iter();
    lines.map(|c| (c.value, c.quantity)).collect()
}

#[test]
fn cart_events_reported_late_change_the_cart_as_they_would_have_then() {
    use serde_json::json;
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let cart = |p: &Profile| cart_lines(p, &tok);
    let add = |id: &str| parse("Product Added", json!({"product_id": id}));
    let remove = |id: &str| parse("Product Removed", json!({"product_id": id}));
    let bought = |id: &str| {
        parse(
            "Order Completed",
            json!({"order_id": id, "products": [{"product_id": id}]}),
        )
    };
    let listing = |ids: &[&str]| {
        let products: Vec<_> = ids
            .iter()
            .map(|id| json!({"product_id": id, "quantity": 2}))
            .collect();
        parse("Cart Viewed", json!({ "products": products }))
    };
    let mut p = Profile::new(14.0 * DAY);
    // Taken out (or bought) at 20, the add of 10 reported afterwards does not put it back.
    p.record(&tok, &add("mug"), T0);
    p.record(&tok, &remove("mug"), T0 + 20.0);
    p.record(&tok, &bought("lamp"), T0 + 20.0);
    p.record(&tok, &add("mug"), T0 + 10.0);
    p.record(&tok, &add("lamp"), T0 + 10.0);
    assert_eq!(cart(&p), []);
    // Put in at 30: a removal or a purchase of 25 reported afterwards leaves it.
    p.record(&tok, &add("mug"), T0 + 30.0);
    p.record(&tok, &remove("mug"), T0 + 25.0);
    p.record(&tok, &bought("mug"), T0 + 25.0);
    assert_eq!(cart(&p), [("mug".to_owned(), 1.0)]);
    // A cart listing of 28 reported late keeps the mug put in at 30 on top of what it lists,
    // and does not bring back what left the cart after it.
    p.record(&tok, &add("vase"), T0 + 31.0);
    p.record(&tok, &remove("vase"), T0 + 32.0);
    p.record(&tok, &listing(&["mug", "vase", "cup"]), T0 + 28.0);
    assert_eq!(
        cart(&p),
        [("mug".to_owned(), 3.0), ("cup".to_owned(), 2.0)],
        "the listing's two mugs and the one added after it"
    );
    // In order, a listing replaces the cart as before.
    p.record(&tok, &listing(&["cup"]), T0 + 40.0);
    assert_eq!(cart(&p), [("cup".to_owned(), 2.0)]);
}

#[test]
fn a_cart_line_keeps_its_quantity_and_taking_some_out_leaves_the_rest() {
    use serde_json::json;
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let cart = |p: &Profile| cart_lines(p, &tok);
    let mug = |p: &Profile| {
        let v = p.view(&tok, T0 + 9.0);
        let weight = v.items().find(|(id, _)| *id == "mug").map(|(_, w)| w);
        weight.unwrap_or_default()
    };
    let mut p = Profile::new(14.0 * DAY);
    p.record(
        &tok,
        &parse("Product Added", json!({"product_id": "mug", "quantity": 2})),
        T0,
    );
    p.record(
        &tok,
        &parse("add_to_cart", json!({"items": [{"item_id": "mug"}]})),
        T0 + 1.0,
    );
    assert_eq!(cart(&p), [("mug".to_owned(), 3.0)]);
    let interest = mug(&p);
    // The '−' button of a cart: one of three out (Segment, GA4, Shopify shapes).
    p.record(
        &tok,
        &parse(
            "Product Removed",
            json!({"product_id": "mug", "quantity": 1}),
        ),
        T0 + 2.0,
    );
    let shopify =
        json!({"cartLine": {"quantity": 1, "merchandise": {"id": "v1", "product": {"id": "mug"}}}});
    p.record(&tok, &parse("product_removed_from_cart", shopify), T0 + 3.0);
    assert_eq!(cart(&p), [("mug".to_owned(), 1.0)]);
    assert_eq!(
        p.view(&tok, T0 + 9.0).removals().count(),
        0,
        "not a hesitation"
    );
    assert_eq!(
        mug(&p),
        interest,
        "fewer of an item is not a turn away from it"
    );
    // The last one out, by a removal that says how many or one that does not.
    for last in [
        parse(
            "remove_from_cart",
            json!({"items": [{"item_id": "mug", "quantity": 5}]}),
        ),
        parse("Product Removed", json!({"product_id": "mug"})),
    ] {
        let mut q = p.clone();
        q.record(&tok, &last, T0 + 4.0);
        assert_eq!(cart(&q), []);
        assert_eq!(
            q.view(&tok, T0 + 9.0).removals().collect::<Vec<_>>(),
            [("mug", T0 + 4.0)]
        );
        assert!(mug(&q) < interest);
    }
    // A cart view's lines of one product (two variants) add up.
    let lines = json!({"cart": {"lines": [
        {"quantity": 2, "merchandise": {"id": "v1", "product": {"id": "mug"}}},
        {"quantity": 1, "merchandise": {"id": "v2", "product": {"id": "mug"}}},
        {"merchandise": {"id": "v3", "product": {"id": "lamp"}}}]}});
    p.record(&tok, &parse("cart_viewed", lines), T0 + 5.0);
    assert_eq!(
        cart(&p),
        [("mug".to_owned(), 3.0), ("lamp".to_owned(), 1.0)]
    );
    // Quantities are stored; a version 3 record (without them) reads as one of each.
    let bytes = p.encode(&tok);
    assert_eq!(Profile::decode(&tok, &bytes, 14.0 * DAY).unwrap(), p);
    // Version 3: 11 event counts (no page views), no cart quantities and no sensitive event
    // counts (version 5) at the end.
    let mut v3 = bytes[..16 + 44].to_vec();
    v3.extend_from_slice(&bytes[16 + 48..bytes.len() - 8 - 48]);
    let old = Profile::decode_version(&tok, &v3, 14.0 * DAY, 3).unwrap();
    assert_eq!(
        cart(&old),
        [("mug".to_owned(), 1.0), ("lamp".to_owned(), 1.0)]
    );
    // Version 4 without the sensitive counts, with 12 event counts and, as written before page
    // views were counted, with 11 (found by the upgrade audit: those records were reset as
    // "collection over its capacity").
    let v4 = &bytes[..bytes.len() - 48];
    let mut v4_11 = bytes[..16 + 44].to_vec();
    v4_11.extend_from_slice(&bytes[16 + 48..bytes.len() - 48]);
    for old in [v4, &v4_11] {
        let back = Profile::decode_version(&tok, old, 14.0 * DAY, 4).unwrap();
        assert_eq!(back, p);
    }
    assert!(Profile::decode_version(&tok, &v4_11[..v4_11.len() - 1], DAY, 4).is_err());
    let mut bad = bytes.clone();
    let at = bad.len() - 4 - 48;
    bad[at..at + 4].copy_from_slice(&0f32.to_le_bytes());
    assert_eq!(
        Profile::decode(&tok, &bad, DAY),
        Err(codec::Corrupt::Invalid("bad cart quantity"))
    );
}

#[test]
fn recent_views_are_ordered_by_when_they_happened_not_when_they_were_reported() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let recent = |p: &Profile| {
        let v = p.view(&tok, T0);
        v.recent().map(|(id, _)| id.to_owned()).collect::<Vec<_>>()
    };
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "new", "c", 1.0), T0);
    p.record(&tok, &ev(Kind::View, "late", "c", 1.0), T0 - 10.0 * DAY);
    assert_eq!(recent(&p), ["new", "late"]);
    // A late view of an item seen since does not move it back.
    p.record(&tok, &ev(Kind::View, "new", "c", 1.0), T0 - 5.0 * DAY);
    assert_eq!(recent(&p), ["new", "late"]);
    // Views in the same millisecond go in the order they are reported.
    p.record(&tok, &ev(Kind::View, "late", "c", 1.0), T0);
    assert_eq!(recent(&p), ["late", "new"]);
    p.record(&tok, &ev(Kind::View, "new", "c", 1.0), T0);
    assert_eq!(recent(&p), ["new", "late"]);
    // With the list full, a view older than all of it is not kept, and pushes none out.
    for i in 0..RECENT_VIEWS {
        p.record(
            &tok,
            &ev(Kind::View, &format!("i{i}"), "c", 1.0),
            T0 + i as f64,
        );
    }
    let full = recent(&p);
    assert_eq!(full.first().map(String::as_str), Some("i19"));
    p.record(&tok, &ev(Kind::View, "ancient", "c", 1.0), T0 - 20.0 * DAY);
    assert_eq!(recent(&p), full);
}

#[test]
fn a_list_view_is_one_look_at_a_page_not_a_view_of_each_product() {
    // Found by the recommendation-quality audit: a collection of 24 plants added 0.5 to each
    // plant and 12 to `plants`, outweighing a dozen products opened, and its items were then
    // "viewed before" on `for_you`.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "mug-1", "mugs", 12.0), T0);
    let mut list = ev(Kind::ListView, "plant-0", "plants", 20.0);
    list.lines = (0..24)
        .map(|i| {
            let mut l = list.lines[0].clone();
            l.item_id = Some(format!("plant-{i}"));
            l
        })
        .collect();
    p.record(&tok, &list, T0);
    let view = p.view(&tok, T0);
    let items: Vec<_> = view.items().map(|(id, _)| id).collect();
    assert_eq!(
        items,
        ["mug-1"],
        "no listed product is taken for one viewed"
    );
    let cats: Vec<_> = view.categories().collect();
    let weight = |name: &str| cats.iter().find(|(c, _)| *c == name).map(|(_, w)| *w);
    assert!((weight("plants").unwrap() - 0.5).abs() < 1e-6, "{cats:?}");
    assert!(weight("mugs").unwrap() > weight("plants").unwrap());
    assert_eq!(p.summary(&tok, T0).events, 2);
    // A collection naming its category gives it the 0.5, not 0.5 more (the re-audit: 1.0).
    list.list = Some("Plants".into());
    let mut q = Profile::new(14.0 * DAY);
    q.record(&tok, &list, T0);
    let view = q.view(&tok, T0);
    let cats: Vec<_> = view.categories().collect();
    assert_eq!(cats.len(), 1);
    assert!((cats[0].1 - 0.5).abs() < 1e-6, "{cats:?}");
}

#[test]
fn the_smallest_quantity_accepted_is_kept_and_read_back() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let props =
        serde_json::json!({"items": [{"item_id": "p7", "quantity": crate::event::MIN_QUANTITY}]});
    p.record(&tok, &parse("add_to_cart", props), T0);
    let back = Profile::decode(&tok, &p.encode(&tok), 14.0 * DAY).unwrap();
    assert_eq!(back, p);
}

#[test]
fn a_record_listing_an_item_twice_reads_with_it_once() {
    // Found by the security audit: a stored record edited to list p2 and p1 twice in recently
    // viewed (and p3 twice in the cart) was read as it was, and the shelf showed p2, p1, p2, p1.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    for id in ["p1", "p2", "p3"] {
        p.record(&tok, &ev(Kind::View, id, "c", 1.0), T0);
    }
    p.record(&tok, &ev(Kind::Add, "p3", "c", 1.0), T0);
    let (recent, cart) = (p.recent.clone(), p.cart.clone());
    p.recent.extend(recent.clone());
    p.cart.extend(cart.clone());
    let back = Profile::decode(&tok, &p.encode(&tok), 14.0 * DAY).unwrap();
    assert_eq!(back.recent, recent);
    assert_eq!(back.cart, cart);
}

#[test]
fn orders_imported_again_are_not_counted_again_beyond_those_remembered() {
    // Found by the upgrade audit: 200 orders over 600 days imported at each sign-in counted the
    // 72 oldest again every time (only the latest 128 fingerprints are kept); and by the
    // re-audits: ranked by time alone, orders of one date were refused at the first import or
    // counted again at the next. `importHistory` reads records in the orders' rank.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let n = MAX_ORDERS as u32 + 72;
    for per_day in [1, 3, n] {
        let order = |i: u32| {
            let mut e = ev(Kind::Purchase, &format!("p{}", i % 10), "c", 1.0);
            e.order = Some(fnv1a(&format!("W-{i}")));
            (e, T0 + f64::from(i / per_day) * DAY)
        };
        let rank = |i: &u32| {
            let (e, t) = order(*i);
            let h = order_fingerprint(e.order.unwrap(), e.items().map(|(id, _)| id));
            (t, h)
        };
        let mut ranked: Vec<u32> = (0..n).collect();
        ranked.sort_by(|a, b| order_rank(rank(a), rank(b)));
        let mut p = Profile::new(1000.0 * DAY);
        let counted = ranked.iter().filter(|&&i| {
            let (e, t) = order(i);
            p.record(&tok, &e, t)
        });
        assert_eq!(
            counted.count(),
            n as usize,
            "{per_day} a day: the first import counts all"
        );
        let purchases = p.summary(&tok, T0).events;
        for again in [ranked.clone(), (0..n).rev().collect()] {
            let recounted = again.iter().filter(|&&i| {
                let (e, t) = order(i);
                p.record(&tok, &e, t)
            });
            assert_eq!(recounted.count(), 0, "{per_day} a day: none counted again");
        }
        assert_eq!(p.summary(&tok, T0).events, purchases);
        // An order later than all remembered is new.
        let (mut e, _) = order(0);
        e.order = Some(7);
        assert!(p.record(&tok, &e, T0 + f64::from(n) * DAY));
    }
}

#[test]
fn a_clock_before_any_true_reading_neither_rewinds_the_profile_nor_dates_events_before_it() {
    // Found by the security audit: with `Date.now()` at 0 every time was brought back to 1970,
    // and the next page (its clock right) deleted all as older than retention; at -1 an event
    // was kept at -1, and the next page reset the unreadable record.
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    p.record(&tok, &ev(Kind::View, "a", "c", 1.0), T0);
    let before = p.clone();
    for wrong in [0.0, 946_684_800_000.0 + DAY] {
        assert!(!p.ahead_of(wrong));
        assert_eq!(p.clamp_future(&tok, wrong), None);
        assert_eq!(p, before);
    }
    p.record(&tok, &ev(Kind::View, "b", "c", 1.0), -1.0);
    assert_eq!(p.last_at, T0, "dated when the profile was last changed");
    let back = Profile::decode(&tok, &p.encode(&tok), 14.0 * DAY).unwrap();
    assert_eq!(back, p);
    assert_eq!(p.prune(&tok, T0 + DAY - 14.0 * DAY), 0);
}

#[test]
fn a_full_cart_keeps_the_latest_lines() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    let cart = |p: &Profile| {
        p.cart
            .iter()
            .map(|c| c.item.value.clone())
            .collect::<Vec<_>>()
    };
    for i in 0..MAX_CART {
        p.record(
            &tok,
            &ev(Kind::Add, &format!("i{i}"), "c", 1.0),
            T0 + i as f64,
        );
    }
    // The 51st addition is in the cart; the line put in first gave it its place.
    p.record(&tok, &ev(Kind::Add, "mug", "c", 1.0), T0 + 100.0);
    let held = cart(&p);
    assert_eq!(held.len(), MAX_CART);
    assert!(held.contains(&"mug".to_owned()) && !held.contains(&"i0".to_owned()));
    // An addition reported late, older than every line held, takes no later line's place.
    p.record(&tok, &ev(Kind::Add, "late", "c", 1.0), T0 - 5.0);
    assert_eq!(cart(&p), held);
    // Lines put in at one time (a burst in one millisecond): the first put in gives its place.
    let mut q = Profile::new(14.0 * DAY);
    for i in 0..=MAX_CART {
        q.record(&tok, &ev(Kind::Add, &format!("i{i}"), "c", 1.0), T0);
    }
    let held = cart(&q);
    assert!(held.contains(&format!("i{MAX_CART}")) && !held.contains(&"i0".to_owned()));
}

#[test]
fn an_order_of_sensitive_lines_only_goes_with_them_and_older_records_hold_none() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let order = |sensitive: bool, id: &str| {
        let mut e = ev(Kind::Purchase, "p1", "c", 1.0);
        e.order = Some(fnv1a(id));
        e.lines[0].sensitive = sensitive;
        e
    };
    let mut p = Profile::new(14.0 * DAY);
    assert!(p.record(&tok, &order(true, "A-1"), T0));
    assert!(p.record(&tok, &order(false, "A-2"), T0 + 1.0));
    assert!(
        !p.record(&tok, &order(true, "A-1"), T0 + 2.0),
        "counted once"
    );
    assert_eq!(p.orders.iter().filter(|(h, _)| h & 1 == 1).count(), 1);
    // A version 5 record's fingerprints carry no such bit: none of them is taken for one.
    let mut marked = p.clone();
    for (h, _) in &mut marked.orders {
        *h |= 1;
    }
    let v5 = Profile::decode_version(&tok, &marked.encode(&tok), 14.0 * DAY, 5).unwrap();
    assert!(v5.orders.iter().all(|(h, _)| h & 1 == 0));
    let mut erased = p.clone();
    erased.erase_sensitive(&tok, &|id| id == "p1", &|_| false);
    assert_eq!(erased.orders.len(), 1, "the order of ordinary lines stays");
    assert!(!erased.record(&tok, &order(false, "A-2"), T0 + 3.0));
}

/// A search or a cart removal reported late (a page replaying what it queued, an import) goes
/// where its time puts it among the 8 kept, not first: it pushed a newer one out (the time
/// audit), and the hesitation signal lost a removal of the last half hour.
#[test]
fn late_searches_and_removals_go_where_their_time_puts_them() {
    let gate = granted();
    let tok = gate.personalization().unwrap();
    let mut p = Profile::new(14.0 * DAY);
    for i in 0..RECENT_QUERIES {
        let mut e = ev(Kind::Search, "x", "Candles", 1.0);
        e.lines.clear();
        e.query = Some(format!("q{i}"));
        p.record(&tok, &e, T0 + i as f64 * 1000.0);
    }
    let mut late = ev(Kind::Search, "x", "Candles", 1.0);
    late.lines.clear();
    late.query = Some("yesterday".into());
    p.record(&tok, &late, T0 - DAY);
    let newer = |p: &Profile| {
        p.view(&tok, T0 + DAY)
            .searches()
            .map(|(q, _)| q.to_owned())
            .collect::<Vec<_>>()
    };
    let kept = newer(&p);
    assert_eq!(kept.len(), RECENT_QUERIES);
    assert_eq!(kept.first().map(String::as_str), Some("q7"));
    assert!(!kept.iter().any(|q| q == "yesterday"), "{kept:?}");
    // One of the same time as the oldest kept is older than none of them: in, before it.
    let mut mid = late.clone();
    mid.query = Some("between".into());
    p.record(&tok, &mid, T0 + 3500.0);
    let kept = newer(&p);
    assert_eq!(kept.get(4).map(String::as_str), Some("between"), "{kept:?}");
    assert!(!kept.iter().any(|q| q == "q0"));

    // Removals: eight, then one reported an hour late.
    let mut p = Profile::new(14.0 * DAY);
    for i in 0..RECENT_REMOVALS {
        let id = format!("r{i}");
        let t = T0 + i as f64 * 1000.0;
        p.record(&tok, &ev(Kind::Add, &id, "Mugs", 5.0), t);
        p.record(&tok, &ev(Kind::Remove, &id, "Mugs", 5.0), t + 1.0);
    }
    p.record(
        &tok,
        &ev(Kind::Add, "old", "Mugs", 5.0),
        T0 - 2.0 * 3_600_000.0,
    );
    p.record(
        &tok,
        &ev(Kind::Remove, "old", "Mugs", 5.0),
        T0 - 3_600_000.0,
    );
    let removed: Vec<String> = p
        .view(&tok, T0 + DAY)
        .removals()
        .map(|(r, _)| r.to_owned())
        .collect();
    assert_eq!(removed.len(), RECENT_REMOVALS);
    assert_eq!(removed.first().map(String::as_str), Some("r7"));
    assert!(!removed.iter().any(|r| r == "old"), "{removed:?}");
}
