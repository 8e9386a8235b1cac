use super::*;
use crate::value::from_json;
use serde_json::json;

#[test]
fn catalog_builds_a_model_with_interned_attributes() {
    let m = parse_catalog(&from_json(&json!([
        {"id": "a", "title": "Amber candle", "category": "Candles", "brand": "Lumen", "price": 12, "tags": ["amber", "soy"], "popularity": 10, "embedding": [3, 4]},
        {"id": 2, "category": "candles", "inStock": false, "sensitive": true, "popularity": 5, "embedding": [1, 0]},
        {"id": "c", "brand": "LUMEN", "embedding": [0, 0]}
    ])))
    .unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m.index_of("2"), Some(1));
    assert_eq!(
        m.category(0),
        m.category(1),
        "categories match case-insensitively"
    );
    assert_eq!(m.category_name(m.category(0)), Some("Candles"));
    assert_eq!(m.category(2), NONE);
    assert_eq!(m.brand(0), m.brand(2));
    assert_eq!(m.price(0), Some(12.0));
    assert_eq!(m.price(1), None);
    assert!(!m.in_stock(1) && m.sensitive(1) && m.in_stock(0));
    assert_eq!(m.popularity(0), 1.0);
    assert_eq!(m.popularity(1), 0.5);
    assert_eq!(m.by_popularity(), &[0, 1, 2]);
    let e = m.embedding(0).unwrap().to_vec();
    assert!(
        (e[0] - 0.6).abs() < 1e-6 && (e[1] - 0.8).abs() < 1e-6,
        "unit length"
    );
    assert_eq!(m.embedding(2).unwrap().to_vec(), [0.0, 0.0]);
    assert_eq!(m.tags(0).len(), 2);
    assert_eq!(m.category_of_name("candles"), Some(0));
}

#[test]
fn a_shops_own_product_objects_open_with_the_fields_vitrine_does_not_read() {
    // Found by the storefront audit: a product API's `url` or `image` threw at the first `open`.
    let m = parse_catalog(&from_json(&json!([
        {"id": "a", "title": "Amber candle", "url": "/p/a", "image": {"src": "/a.jpg"},
         "variants": [{"id": 1}], "name": "Amber", "handle": "amber-candle", "category": "Candles"},
        {"id": "b", "tags": ["x"], "compare_at_price": "12.00", "price": 9},
        // A Shopify REST product's tags, a WooCommerce product's price: as those APIs give them.
        {"id": 7, "tags": "summer, linen,, sale ", "price": "21.99"},
        {"id": 8, "price": " ", "_id": "64b", "$type": "product"}
    ])))
    .unwrap();
    assert_eq!((m.len(), m.price(1)), (4, Some(9.0)));
    assert_eq!((m.price(2), m.price(3)), (Some(21.99), None));
    assert_eq!(m.tags(2).len(), 3);
    assert_eq!(m.category_name(m.category(0)), Some("Candles"));
}

#[test]
fn bad_catalogs_name_the_item_and_the_problem() {
    let cases = [
        (json!("x"), "open: options.catalog must be an array"),
        (json!([{"title": "no id"}]), "open: catalog[0] has no id"),
        (
            json!([{"id": "a"}, {"id": "b", "price": -1}]),
            "open: catalog[1] price must be a non-negative number of at most 3.4e38",
        ),
        // Finite as JSON numbers, infinite as the f32s the model holds.
        (
            json!([{"id": "a", "price": 1e300}]),
            "open: catalog[0] price must be a non-negative number of at most 3.4e38",
        ),
        (
            json!([{"id": "a", "embedding": [0, 1e39]}]),
            "open: catalog[0] embedding must contain only finite numbers of at most 3.4e38",
        ),
        (
            json!([{"id": "a", "embedding": [1]}, {"id": "b", "embedding": [1, 2]}]),
            "open: catalog[1] embedding has 2 numbers, but earlier items have 1",
        ),
        (
            json!([{"id": "a"}, {"id": "b", "embedding": [1]}]),
            "open: catalog[1] has an embedding, but earlier items have none",
        ),
        (
            json!([{"id": "a", "colour": "red", "in_stock": false}]),
            "open: catalog[0] has a field 'in_stock', read as 'inStock' only when spelt so",
        ),
        (
            json!([{"id": "a"}, {"id": "b", "Category": "Mugs"}]),
            "open: catalog[1] has a field 'Category', read as 'category' only when spelt so",
        ),
        (
            json!([{"id": "a", "in stock": true}]),
            "open: catalog[0] has a field 'in stock', read as 'inStock' only when spelt so",
        ),
        (
            json!([{"id": "a", "category ": "Mugs"}]),
            "open: catalog[0] has a field 'category ', read as 'category' only when spelt so",
        ),
        (
            json!([{"id": "a"}, {"id": "a"}]),
            "open: options.catalog item id 'a' appears twice",
        ),
        (
            json!([{"id": "a", "tags": 5}]),
            "open: catalog[0] tags must be an array",
        ),
        (
            json!([{"id": "a", "inStock": "yes"}]),
            "open: catalog[0] inStock must be a boolean, got string",
        ),
    ];
    for (input, want) in cases {
        let err = parse_catalog(&from_json(&input)).unwrap_err().to_string();
        assert!(err.starts_with(want), "{input}: {err}");
    }
}

#[test]
fn neighbours_are_validated() {
    let mut parts = ModelParts {
        ids: ["a", "b"].into_iter().collect(),
        titles: ["", ""].into_iter().collect(),
        category: vec![NONE; 2].into(),
        brand: vec![NONE; 2].into(),
        price: vec![f32::NAN; 2].into(),
        in_stock: vec![true; 2],
        sensitive: vec![false; 2],
        popularity: vec![1.0; 2],
        trending: vec![1.0; 2],
        co_purchase: Neighbours::from_rows(vec![vec![(1, 0.5)], vec![(0, 0.5)]]),
        ..Default::default()
    };
    let m = Model::from_parts(parts.clone()).unwrap();
    assert_eq!(m.co_purchase().of(0), (&[1u32][..], &[0.5f32][..]));
    assert_eq!(m.co_purchase().of(7), (&[][..], &[][..]));
    parts.co_purchase.targets.to_mut()[0] = 9;
    assert!(Model::from_parts(parts.clone()).is_err());
    parts.co_purchase.targets.to_mut()[0] = 1;
    parts.co_purchase.offsets.to_mut()[1] = 5;
    assert!(Model::from_parts(parts).is_err());
}

#[test]
fn lookups_by_id_find_every_item_when_ids_share_long_prefixes() {
    let ids = [
        "sku-0000001",
        "sku-0000002",
        "sku-000000",
        "sku-0000",
        "s",
        "",
        "sku-0000\0",
        "é-1",
        "sku-00000010",
        "SKU-0000001",
    ];
    let mut parts = ModelParts::default();
    let n = ids.iter().filter(|s| !s.is_empty()).count();
    (parts.category, parts.brand) = (vec![NONE; n].into(), vec![NONE; n].into());
    parts.price = vec![f32::NAN; n].into();
    for id in ids.iter().filter(|s| !s.is_empty()) {
        parts.ids.push(id);
        parts.titles.push("");
        parts.in_stock.push(true);
        parts.sensitive.push(false);
        parts.popularity.push(1.0);
        parts.trending.push(1.0);
    }
    let m = Model::from_parts(parts).unwrap();
    for (i, id) in ids.iter().filter(|s| !s.is_empty()).enumerate() {
        assert_eq!(m.index_of(id), Some(i as u32), "{id:?}");
    }
    for absent in [
        "",
        "sku-000000100",
        "sku-00000",
        "sku-0000001\0",
        "t",
        "sku-0000\0\0",
    ] {
        assert_eq!(m.index_of(absent), None, "{absent:?}");
    }
}

#[test]
fn embeddings_of_any_magnitude_load_at_unit_length() {
    // Found by the model fuzz target: with the norm computed in f32, the squares of components
    // around 1e-22 vanished and rows loaded up to 3.5 % off unit length (and rows around 1e20
    // overflowed to zero), so a model read back differently from what was written.
    let rows: [[f32; 3]; 4] = [
        [1.06e-22, 1.69e-21, 2.6e-23],
        [6.5e-27, 0.0, 1.0e-40],
        [3.0e20, -2.0e20, 1.0e19],
        [3.0e38, 3.0e38, 0.0],
    ];
    let parts = ModelParts {
        ids: ["a", "b", "c", "d"].into_iter().collect(),
        titles: ["", "", "", ""].into_iter().collect(),
        category: vec![NONE; 4].into(),
        brand: vec![NONE; 4].into(),
        price: vec![f32::NAN; 4].into(),
        in_stock: vec![true; 4],
        sensitive: vec![false; 4],
        popularity: vec![1.0; 4],
        trending: vec![1.0; 4],
        dims: 3,
        embeddings: rows.concat().into(),
        ..Default::default()
    };
    let m = Model::from_parts(parts).unwrap();
    for i in 0..4 {
        let e = m.embedding(i).unwrap().to_vec();
        let norm = e.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-6, "item {i}: {e:?} has norm {norm}");
    }
    let again = Model::from_bytes(&m.to_bytes()).unwrap();
    for (a, b) in m.parts().embeddings.iter().zip(&again.parts().embeddings) {
        assert!((a - b).abs() < 1e-6, "{a} read back as {b}");
    }
}

#[test]
fn an_order_is_recognised_only_when_it_is_the_order() {
    let v = [0.5f32, 1.0, 0.5, 0.0, 0.25, 1.0];
    let order = order_by(&v);
    assert_eq!(order, [1, 5, 0, 2, 4, 3]);
    assert!(is_order_of(&v, &order));
    for bad in [
        vec![5, 1, 0, 2, 4, 3],
        vec![1, 5, 2, 0, 4, 3],
        vec![1, 5, 0, 2, 4],
        vec![1, 5, 0, 0, 4, 3],
        vec![1, 5, 0, 2, 4, 6],
    ] {
        assert!(!is_order_of(&v, &bad), "{bad:?}");
    }
}

#[test]
fn ids_that_tie_on_their_prefix_order_bytewise() {
    let words: [&[u8]; 9] = [
        b"",
        b"a",
        b"a\0",
        b"a\0\0",
        b"abcdefgh",
        b"abcdefgh\0",
        b"abcdefghi",
        b"abcdefgha",
        b"ab",
    ];
    for a in words {
        for b in words {
            if prefix(a) == prefix(b) {
                assert_eq!(after_prefix(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
