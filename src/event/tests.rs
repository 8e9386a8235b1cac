use super::*;
use crate::value::from_json;
use serde_json::json;

fn parse(name: &str, props: serde_json::Value) -> Parsed {
    Event::parse(&Value::from(name), &from_json(&props), &Value::Undefined).unwrap()
}

fn one_line(e: &Event) -> &Line {
    assert_eq!(e.lines.len(), 1, "{e:?}");
    &e.lines[0]
}

#[test]
fn every_documented_name_parses_to_its_kind() {
    for (name, kind, _) in EVENT_NAMES {
        let props = json!({"product_id": "p1", "query": "q", "category": "c", "score": 9});
        let e = parse(name, props).unwrap_or_else(|r| panic!("{name}: {r:?}"));
        assert_eq!(e.kind, *kind, "{name}");
    }
    assert_eq!(EVENT_NAMES.len(), 36);
}

#[test]
fn the_vocabularies_names_vitrine_does_not_use_are_told_from_unknown_ones() {
    for name in IGNORED_NAMES.split('\n') {
        assert!(kind_of(name).is_none(), "{name} is both used and ignored");
        let props = json!({"product_id": "p1", "order_id": "o1"});
        assert_eq!(parse(name, props), Err(Refusal::IgnoredEvent), "{name}");
    }
    // Names are exact, as in the specs: another case is a misspelling.
    for name in ["coupon applied", "Refund", "Order Exploded"] {
        assert_eq!(parse(name, json!({})), Err(Refusal::UnknownEvent), "{name}");
    }
}

#[test]
fn segment_product_and_order() {
    let e = parse(
        "Product Viewed",
        json!({"product_id": "sku-9", "category": "Candles", "brand": "Lumen", "price": 12.5}),
    )
    .unwrap();
    assert_eq!(
        one_line(&e),
        &Line {
            item_id: Some("sku-9".into()),
            other_ids: Vec::new(),
            currency: None,
            category: Some("Candles".into()),
            brand: Some("Lumen".into()),
            price: Some(12.5),
            quantity: None,
            broader: Vec::new(),
            sensitive: false,
        }
    );
    let e = parse(
        "Order Completed",
        json!({"order_id": "o1", "products": [{"sku": "a", "quantity": 2}, {"product_id": 7, "price": "3.50"}]}),
    )
    .unwrap();
    assert_eq!(e.kind, Kind::Purchase);
    assert_eq!(e.items().map(|(id, _)| id).collect::<Vec<_>>(), ["a", "7"]);
    assert_eq!(e.lines[0].quantity, Some(2.0));
    assert_eq!(e.lines[1].price, Some(3.5));
}

#[test]
fn ga4_items_use_the_most_specific_category() {
    let e = parse(
        "add_to_cart",
        json!({"currency": "EUR", "items": [{"item_id": "g1", "item_brand": "B", "item_category": "Home", "item_category2": "Candles", "price": 9, "quantity": 3}]}),
    )
    .unwrap();
    let l = one_line(&e);
    assert_eq!(l.category.as_deref(), Some("Candles"));
    assert_eq!(
        l.broader,
        [Name::from("Home")],
        "kept for the sensitive screen"
    );
    assert_eq!(l.brand.as_deref(), Some("B"));
    assert_eq!(l.quantity, Some(3.0));
    let e = parse("search", json!({"search_term": " red candle "})).unwrap();
    assert_eq!(e.query.as_deref(), Some("red candle"));
}

#[test]
fn shopify_pixel_shapes_whole_event_or_data() {
    let variant = json!({"id": "v1", "sku": "S1", "price": {"amount": 20.0, "currencyCode": "EUR"},
        "product": {"id": "gid://shopify/Product/1", "title": "T", "vendor": "V", "type": "Mugs"}});
    let e = parse("product_viewed", json!({"productVariant": variant})).unwrap();
    let l = one_line(&e);
    assert_eq!(l.item_id.as_deref(), Some("gid://shopify/Product/1"));
    assert_eq!(
        (l.brand.as_deref(), l.category.as_deref(), l.price),
        (Some("V"), Some("Mugs"), Some(20.0))
    );

    let whole = json!({"name": "product_added_to_cart", "id": "evt-1", "data": {"cartLine": {"merchandise": variant, "quantity": 2}}});
    let e = parse("product_added_to_cart", whole).unwrap();
    assert_eq!(one_line(&e).quantity, Some(2.0));

    let e = parse(
        "checkout_completed",
        json!({"checkout": {"lineItems": [{"quantity": 1, "variant": variant}, {"quantity": 4, "variant": {"id": "v2"}}]}}),
    )
    .unwrap();
    assert_eq!(
        e.items().map(|(id, _)| id).collect::<Vec<_>>(),
        ["gid://shopify/Product/1", "v2"]
    );
    let e = parse(
        "search_submitted",
        json!({"searchResult": {"query": "mug"}}),
    )
    .unwrap();
    assert_eq!(e.query.as_deref(), Some("mug"));
    let e = parse(
        "collection_viewed",
        json!({"collection": {"id": "c", "title": "Autumn", "productVariants": [variant]}}),
    )
    .unwrap();
    assert_eq!(e.list.as_deref(), Some("Autumn"));
    assert_eq!(e.lines.len(), 1);
}

#[test]
fn a_tag_manager_data_layer_push_is_read_as_it_is() {
    let push = json!({"event": "purchase", "ecommerce": {"transaction_id": "T-1", "value": 24,
        "items": [{"item_id": "sku-9", "item_category": "Candles", "price": 12, "quantity": 2}]}});
    let e = parse("purchase", push.clone()).unwrap();
    assert_eq!(e, parse("purchase", push["ecommerce"].clone()).unwrap());
    assert_eq!(one_line(&e).item_id.as_deref(), Some("sku-9"));
    assert_eq!(e.order, Some(fnv1a("T-1")));
    // `ecommerce` is only an envelope next to `event`.
    let plain = json!({"item_id": "sku-9", "ecommerce": {"items": [{"item_id": "other"}]}});
    assert_eq!(
        one_line(&parse("view_item", plain).unwrap())
            .item_id
            .as_deref(),
        Some("sku-9")
    );
}

#[test]
fn bad_data_is_refused_with_a_reason() {
    let cases = [
        (
            "Product Exploded",
            json!({"product_id": "a"}),
            Refusal::UnknownEvent,
        ),
        (
            "Product Viewed",
            json!({"category": "c"}),
            Refusal::MissingItemId,
        ),
        (
            "Product Viewed",
            json!({"product_id": ""}),
            Refusal::MissingItemId,
        ),
        (
            "Product Viewed",
            json!({"product_id": true}),
            Refusal::InvalidItemId,
        ),
        (
            "Product Viewed",
            json!({"product_id": "x".repeat(129)}),
            Refusal::TooLong,
        ),
        (
            "Product Viewed",
            json!({"product_id": "a", "price": -1}),
            Refusal::InvalidPrice,
        ),
        (
            "Product Viewed",
            json!({"product_id": "a", "price": "cheap"}),
            Refusal::InvalidPrice,
        ),
        (
            "Product Viewed",
            json!({"product_id": "a", "category": "c".repeat(257)}),
            Refusal::TooLong,
        ),
        (
            "Product Viewed",
            json!({"product_id": "a", "category": 5}),
            Refusal::InvalidProperty,
        ),
        (
            "Product Added",
            json!({"product_id": "a", "quantity": 0}),
            Refusal::InvalidQuantity,
        ),
        // Too small to be a quantity, and to be kept: the profile's f32 held 0 (security audit).
        (
            "add_to_cart",
            json!({"items": [{"item_id": "p7", "quantity": 1e-50}]}),
            Refusal::InvalidQuantity,
        ),
        (
            "Cart Viewed",
            json!({"products": [{"product_id": "a", "quantity": 9.9e-7}]}),
            Refusal::InvalidQuantity,
        ),
        ("Products Searched", json!({}), Refusal::MissingQuery),
        ("Product List Viewed", json!({}), Refusal::MissingList),
        (
            "Order Completed",
            json!({"products": "a"}),
            Refusal::InvalidProperty,
        ),
        (
            "Order Completed",
            json!({"products": [1]}),
            Refusal::InvalidProperty,
        ),
        (
            "Order Completed",
            json!({"products": vec![json!({"sku": "a"}); 501]}),
            Refusal::TooManyItems,
        ),
    ];
    for (name, props, want) in cases {
        assert_eq!(parse(name, props.clone()), Err(want), "{name} {props}");
    }
    let nan = Event::parse(
        &Value::from("Product Viewed"),
        &crate::value::obj(&[
            ("product_id", "a".into()),
            ("price", Value::Number(f64::NAN)),
        ]),
        &Value::Undefined,
    );
    assert_eq!(nan.unwrap(), Err(Refusal::InvalidPrice));
    let ts = Event::parse(
        &Value::from("Cart Viewed"),
        &Value::Undefined,
        &crate::value::obj(&[("timestamp", Value::Number(f64::INFINITY))]),
    );
    assert_eq!(ts.unwrap(), Err(Refusal::InvalidTimestamp));
    let channel = |v: Value| {
        let options = crate::value::obj(&[("channel", v)]);
        Event::parse(&Value::from("Cart Viewed"), &Value::Undefined, &options).unwrap()
    };
    assert_eq!(channel(Value::Number(5.0)), Err(Refusal::InvalidChannel));
    assert_eq!(
        channel(Value::from("x".repeat(300).as_str())),
        Err(Refusal::TooLong)
    );
}

#[test]
fn wrong_shapes_are_errors_that_say_what_was_expected() {
    let e = Event::parse(&Value::Number(42.0), &Value::Undefined, &Value::Undefined).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("track: event must be an event name string"),
        "{e}"
    );
    assert!(e.to_string().ends_with("got number"), "{e}");
    let e = Event::parse(
        &Value::from("view_item"),
        &Value::from("x"),
        &Value::Undefined,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "track: properties must be an object (or undefined), got string"
    );
}

#[test]
fn options_give_time_and_channel() {
    let e = Event::parse(
        &Value::from("Cart Viewed"),
        &Value::Undefined,
        &from_json(&json!({"timestamp": 1000, "channel": "Instagram", "context": {"ip": "x"}})),
    )
    .unwrap()
    .unwrap();
    assert_eq!(e.timestamp, Some(1000.0));
    assert_eq!(e.channel.as_deref(), Some("instagram"));
}

#[test]
fn survey_answers_keep_the_score_only() {
    let e = parse(
        "Survey Answered",
        json!({"score": 4, "comment": "delivery was late"}),
    )
    .unwrap();
    assert_eq!((e.kind, e.score), (Kind::Survey, Some(4)));
    assert!(e.lines.is_empty() && e.query.is_none());
    // The product an answer names is not kept (it stayed as an item at weight 0: the docs audit).
    let e = parse(
        "Survey Answered",
        json!({"score": 3, "product_id": "sku-1"}),
    )
    .unwrap();
    assert!(e.lines.is_empty() && e.items().next().is_none());
    assert_eq!(
        parse("survey_answered", json!({"score": 10}))
            .unwrap()
            .score,
        Some(10)
    );
    for bad in [
        json!({}),
        json!({"score": 11}),
        json!({"score": 7.5}),
        json!({"score": "9"}),
        json!({"score": -1}),
    ] {
        assert_eq!(
            parse("Survey Answered", bad.clone()),
            Err(Refusal::InvalidScore),
            "{bad}"
        );
    }
    assert_eq!(
        parse("Survey Answered", json!({"score": 3, "comment": 5})),
        Err(Refusal::InvalidProperty)
    );
    assert_eq!(
        parse("Product Viewed", json!({"product_id": "a", "score": 3}))
            .unwrap()
            .score,
        None
    );
}

#[test]
fn purchases_carry_their_order_id_hashed() {
    let id = |name: &str, props| parse(name, props).unwrap().order;
    assert_eq!(
        id(
            "Order Completed",
            json!({"order_id": "o-1", "products": [{"sku": "a"}]})
        ),
        Some(fnv1a("o-1"))
    );
    assert_eq!(
        id(
            "purchase",
            json!({"transaction_id": 42, "items": [{"item_id": "a"}]})
        ),
        Some(fnv1a("42"))
    );
    assert_eq!(
        id(
            "checkout_completed",
            json!({"checkout": {"order": {"id": "gid://shopify/Order/1"}, "lineItems": [{"variant": {"product": {"id": "p"}}}]}})
        ),
        Some(fnv1a("gid://shopify/Order/1"))
    );
    // FNV-1a's published 64-bit test value: the hash is the one profiles already store.
    assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(
        id(
            "Product Added",
            json!({"order_id": "o-1", "product_id": "a"})
        ),
        None,
        "only purchases"
    );
    assert_eq!(
        parse(
            "Order Completed",
            json!({"order_id": true, "products": [{"sku": "a"}]})
        ),
        Err(Refusal::InvalidProperty)
    );
    assert_eq!(
        parse(
            "Order Completed",
            json!({"order_id": "o".repeat(129), "products": [{"sku": "a"}]})
        ),
        Err(Refusal::TooLong)
    );
}

#[test]
fn channels_are_normalized() {
    let ch = |c: &str| {
        Event::parse(
            &Value::from("Product Viewed"),
            &from_json(&json!({"product_id": "a"})),
            &from_json(&json!({"channel": c})),
        )
        .unwrap()
        .unwrap()
        .channel
    };
    assert_eq!(ch("IG").as_deref(), Some("instagram"));
    assert_eq!(ch("In-Store").as_deref(), Some("in_store"));
    assert_eq!(ch("Partner Blog").as_deref(), Some("partner_blog"));
    assert_eq!(ch("  "), None);
}

#[test]
fn an_empty_category_level_gives_way_to_the_next() {
    // GA4 themes send every level, empty where the product has none: the category is the most
    // specific level that names one, not nothing.
    let e = parse(
        "view_item",
        json!({"items": [{"item_id": "zz", "item_category": "Kitchen", "item_category2": "Mugs",
            "item_category3": " ", "item_category4": "", "item_category5": "", "item_brand": "B", "brand": ""}]}),
    )
    .unwrap();
    let l = one_line(&e);
    assert_eq!(l.category.as_deref(), Some("Mugs"));
    assert_eq!(l.brand.as_deref(), Some("B"));
    let e = parse(
        "view_item",
        json!({"items": [{"item_id": "zz", "item_category": "Kitchen", "item_category2": ""}]}),
    )
    .unwrap();
    assert_eq!(one_line(&e).category.as_deref(), Some("Kitchen"));
    // A level of the wrong type is still refused.
    assert_eq!(
        parse(
            "view_item",
            json!({"items": [{"item_id": "zz", "item_category": "Kitchen", "item_category2": 5}]})
        ),
        Err(Refusal::InvalidProperty)
    );
}

#[test]
fn a_list_counts_as_a_category_only_when_it_names_one() {
    let list = |name: &str, props| parse(name, props).map(|e| e.list);
    assert_eq!(
        list(
            "Product List Viewed",
            json!({"list_id": "hot_deals_1", "category": "Deals", "products": [{"product_id": "a"}]})
        ),
        Ok(Some("Deals".into()))
    );
    assert_eq!(
        list(
            "collection_viewed",
            json!({"collection": {"id": "288", "title": "Candles"}})
        ),
        Ok(Some("Candles".into()))
    );
    // Where a list was shown is not what the shopper likes: accepted, not kept as a category.
    assert_eq!(
        list(
            "Product List Filtered",
            json!({"list_id": "todays_deals_may_11_2019", "filters": [{"type": "price", "value": "under-$25"}],
                "products": [{"product_id": "a"}]})
        ),
        Ok(None)
    );
    assert_eq!(
        list(
            "view_item_list",
            json!({"item_list_id": "related_products", "item_list_name": "Related products"})
        ),
        Ok(None)
    );
    assert_eq!(
        list("view_item_list", json!({"item_list_name": "  "})),
        Err(Refusal::MissingList)
    );
    assert_eq!(
        list("view_item_list", json!({"item_list_name": 5})),
        Err(Refusal::InvalidProperty)
    );
}

#[test]
fn a_search_keeps_its_query_not_its_results() {
    let variant = json!({"id": "v1", "product": {"id": "p1"}});
    let e = parse(
        "search_submitted",
        json!({"searchResult": {"query": "mug", "productVariants": [variant, variant]}}),
    )
    .unwrap();
    assert_eq!((e.query.as_deref(), e.lines.len()), (Some("mug"), 0));
    let e = parse(
        "view_search_results",
        json!({"search_term": "tea", "items": [{"item_id": "p5"}]}),
    )
    .unwrap();
    assert!(e.lines.is_empty());
    assert_eq!(
        parse(
            "search",
            json!({"search_term": "tea", "items": [{"item_id": "p5", "price": -1}]})
        ),
        Err(Refusal::InvalidPrice)
    );
}

#[test]
fn a_blank_string_is_a_property_not_given() {
    // A tag manager sends '' for a variable it has no value for: the id falls through to the
    // next one the line gives, an empty price or quantity is none, and the event is kept.
    let e = parse(
        "Order Completed",
        json!({"order_id": "", "products": [
            {"product_id": "", "sku": "ROUTE-INS", "price": "", "quantity": " "},
            {"product_id": "p1", "price": 5}]}),
    )
    .unwrap();
    assert_eq!(e.order, None);
    let ids: Vec<_> = e.items().map(|(id, _)| id).collect();
    assert_eq!(ids, ["ROUTE-INS", "p1"]);
    assert_eq!((e.lines[0].price, e.lines[0].quantity), (None, None));
    assert_eq!(
        parse("view_item", json!({"items": [{"item_id": "", "price": 3}]})),
        Err(Refusal::MissingItemId)
    );
    // An id of spaces is an id, as a catalog takes it (ids are never trimmed).
    let e = parse("view_item", json!({"items": [{"item_id": " "}]})).unwrap();
    assert_eq!(one_line(&e).item_id.as_deref(), Some(" "));
    assert_eq!(
        parse(
            "Product Viewed",
            json!({"product_id": "p1", "price": "n/a"})
        ),
        Err(Refusal::InvalidPrice)
    );
}

#[test]
fn a_line_keeps_its_other_ids_once_each() {
    let e = parse(
        "Product Viewed",
        json!({"product_id": 9714107010u64, "sku": "SKU-10", "id": "SKU-10"}),
    )
    .unwrap();
    let line = one_line(&e);
    assert_eq!(line.item_id.as_deref(), Some("9714107010"));
    assert_eq!(line.other_ids, ["SKU-10"]);
    let shopify = json!({"productVariant": {"id": "v1", "sku": "S-1", "product": {"id": "p1"}}});
    let e = parse("product_viewed", shopify).unwrap();
    assert_eq!(one_line(&e).other_ids, ["v1", "S-1"]);
}

#[test]
fn a_whole_segment_message_is_read_from_its_properties() {
    let message = json!({"type": "track", "event": "Products Searched", "userId": "u1",
        "properties": {"query": "blue lamp"}, "context": {"page": {"url": "https://x.test/"}}});
    assert_eq!(
        parse("Products Searched", message)
            .unwrap()
            .query
            .as_deref(),
        Some("blue lamp")
    );
}

#[test]
fn a_line_has_its_own_currency_else_the_events() {
    let e = parse(
        "purchase",
        json!({"currency": "eur", "items": [{"item_id": "a", "price": 3}, {"item_id": "b", "currency": "GBP"}]}),
    )
    .unwrap();
    let codes: Vec<_> = e.lines.iter().map(|l| l.currency).collect();
    assert_eq!(codes, [Some(*b"EUR"), Some(*b"GBP")]);
    let shopify = json!({"checkout": {"currencyCode": "CAD", "lineItems": [
        {"quantity": 1, "variant": {"id": "v1", "price": {"amount": 5, "currencyCode": "USD"}}},
        {"quantity": 1, "variant": {"id": "v2"}}]}});
    let e = parse("checkout_completed", shopify).unwrap();
    let codes: Vec<_> = e.lines.iter().map(|l| l.currency).collect();
    assert_eq!(codes, [Some(*b"USD"), Some(*b"CAD")]);
    // A label that is no code names none, and refuses nothing.
    for label in ["US$", "€", "", "EURO"] {
        let e = parse(
            "view_item",
            json!({"currency": label, "items": [{"item_id": "a"}]}),
        )
        .unwrap();
        assert_eq!(one_line(&e).currency, None, "{label}");
    }
}
