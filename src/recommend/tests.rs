use super::*;
use crate::consent::{ConsentState, Gate, Source};
use crate::event::{Event, Kind, Line};
use crate::model::{parse_catalog, ModelParts, Neighbours, NONE};
use crate::profile::Profile;
use crate::rng::Rng;
use crate::value::from_json;
use rerank::{mmr, mmr_admitting, similarity, Scored};
use serde_json::json;

const NOW: f64 = 1_750_000_000_000.0;

pub(super) fn gate() -> Gate {
    Gate::new(ConsentState {
        personalization: true,
        storage: false,
        sensitive: false,
        source: Source::Explicit,
        updated_at: Some(0.0),
    })
}

pub(super) fn req(v: serde_json::Value) -> Request {
    Request::parse(&from_json(&v)).unwrap()
}

pub(super) fn view(kind: Kind, id: &str) -> Event {
    Event {
        kind,
        lines: vec![Line {
            item_id: Some(id.into()),
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
    }
}

/// Five items; 0–1 bought together, 2–3 viewed together; embeddings put 0,1,4 close.
fn model() -> Model {
    let n = 5;
    let mut rows = vec![vec![]; n];
    rows[0] = vec![(1, 4.0)];
    rows[1] = vec![(0, 4.0)];
    let mut view_rows = vec![vec![]; n];
    view_rows[2] = vec![(3, 1.0)];
    view_rows[3] = vec![(2, 1.0)];
    Model::from_parts(ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: vec![0, 0, 1, 1, 0].into(),
        categories: ["Candles", "Mugs"].into_iter().collect(),
        brand: vec![NONE; n].into(),
        price: vec![10.0; n].into(),
        in_stock: vec![true; n],
        sensitive: vec![false; n],
        popularity: vec![1.0, 2.0, 3.0, 4.0, 5.0],
        trending: vec![5.0, 4.0, 3.0, 2.0, 1.0],
        co_purchase: Neighbours::from_rows(rows),
        co_view: Neighbours::from_rows(view_rows),
        dims: 2,
        embeddings: vec![1.0, 0.1, 1.0, 0.2, 0.0, 1.0, 0.1, 1.0, 1.0, 0.0].into(),
        ..Default::default()
    })
    .unwrap()
}

/// What a session hands `recommend`: no sensitive consent, no channel, not gentle unless a test
/// says otherwise (`Input { channel: Some(…), ..input_of(…) }`).
fn input_of<'a>(
    model: &'a Model,
    policy: &'a Policy,
    weights: &'a Weights,
    profile: Option<crate::profile::View<'a>>,
) -> Input<'a> {
    Input {
        model,
        policy,
        weights,
        profile,
        sensitive_ok: false,
        channel: None,
        gentle: false,
    }
}

fn run(model: &Model, profile: Option<&Profile>, r: &Request) -> Vec<Recommendation> {
    let g = gate();
    let who = g.personalization().unwrap();
    let policy = Policy::default();
    let weights = Weights::default();
    let input = input_of(model, &policy, &weights, profile.map(|p| p.view(&who, NOW)));
    recommend(&input, r, &mut Scratch::default(), &mut Rng::new(1))
}

fn ids(r: &[Recommendation]) -> Vec<&str> {
    r.iter().map(|x| x.item_id.as_str()).collect()
}

#[test]
fn bought_together_follows_co_purchase_and_never_returns_the_item_on_screen() {
    let m = model();
    let r = run(
        &m,
        None,
        &req(json!({"scenario": "bought_together", "itemId": "i0", "k": 3})),
    );
    assert_eq!(r[0].item_id, "i1");
    assert_eq!(r[0].reasons[0], "often bought with i0");
    assert!(!ids(&r).contains(&"i0"));
}

#[test]
fn similar_uses_co_view_embeddings_and_category() {
    let m = model();
    let r = run(
        &m,
        None,
        &req(json!({"scenario": "similar", "itemId": "i2", "k": 2, "diversity": 0})),
    );
    assert_eq!(r[0].item_id, "i3");
    assert!(
        r[0].reasons.contains(&"often viewed with i2".to_string()),
        "{:?}",
        r[0]
    );
}

#[test]
fn for_you_blends_neighbours_and_explains() {
    let m = model();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    p.record(&who, &view(Kind::Purchase, "i0"), NOW);
    let r = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "for_you", "k": 3, "diversity": 0})),
    );
    assert_eq!(ids(&r)[..2], ["i0", "i1"], "{r:?}");
    assert_eq!(r[0].reasons[0], "you bought this before");
    assert!(
        r[1].reasons.iter().any(|x| x.ends_with(" i0")),
        "the reason names the item that led here: {:?}",
        r[1]
    );
    let r = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "for_you", "k": 3, "excludePurchased": true})),
    );
    assert!(!ids(&r).contains(&"i0"));
    // Durable categories: a candle bought is left out, other categories would stay.
    let r = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "for_you", "k": 5, "excludePurchased": ["CANDLES"]})),
    );
    assert!(!ids(&r).contains(&"i0"), "{r:?}");
    let r = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "for_you", "k": 5, "excludePurchased": ["Mugs"]})),
    );
    assert!(
        ids(&r).contains(&"i0"),
        "mugs are durable here, candles are not: {r:?}"
    );
}

#[test]
fn results_respect_k_filters_exclude_and_are_sorted_and_unique() {
    let m = parse_catalog(&from_json(&json!((0..60).map(|i| json!({
        "id": i, "category": if i % 2 == 0 { "even" } else { "odd" }, "price": i, "popularity": i % 7, "inStock": i % 5 != 0
    })).collect::<Vec<_>>()))).unwrap();
    for scenario in ["for_you", "trending", "similar", "bought_together", "cart"] {
        for diversity in [0.0, 0.5, 1.0] {
            let r = run(
                &m,
                None,
                &req(
                    json!({"scenario": scenario, "itemId": "2", "k": 7, "exclude": ["6", "8"],
                "filter": {"category": "Even", "minPrice": 4, "maxPrice": 40}, "diversity": diversity}),
                ),
            );
            assert!(r.len() <= 7 && !r.is_empty(), "{scenario}");
            let mut seen = std::collections::HashSet::new();
            for x in &r {
                let i: u32 = x.item_id.parse().unwrap();
                assert!(
                    i % 2 == 0 && (4..=40).contains(&i) && i % 5 != 0,
                    "{scenario}: {i}"
                );
                assert!(!["2", "6", "8"].contains(&x.item_id.as_str()));
                assert!(seen.insert(i), "duplicate {i}");
            }
            assert!(
                r.windows(2).all(|w| w[0].score >= w[1].score),
                "{scenario} sorted"
            );
        }
    }
}

#[test]
fn diversity_spreads_categories_and_is_deterministic() {
    let m = parse_catalog(&from_json(&json!((0..40)
        .map(|i| json!({
            "id": i, "category": if i < 30 { "a" } else { "b" }, "popularity": 100 - i
        }))
        .collect::<Vec<_>>())))
    .unwrap();
    let plain = run(
        &m,
        None,
        &req(json!({"scenario": "trending", "k": 5, "diversity": 0})),
    );
    assert!(ids(&plain).iter().all(|id| id.parse::<u32>().unwrap() < 30));
    let diverse = run(
        &m,
        None,
        &req(json!({"scenario": "trending", "k": 5, "diversity": 0.8})),
    );
    assert!(
        ids(&diverse)
            .iter()
            .any(|id| id.parse::<u32>().unwrap() >= 30),
        "{diverse:?}"
    );
    assert_eq!(
        diverse,
        run(
            &m,
            None,
            &req(json!({"scenario": "trending", "k": 5, "diversity": 0.8}))
        )
    );
}

#[test]
fn exploration_is_seeded_and_labelled() {
    let m = parse_catalog(&from_json(&json!((0..100)
        .map(|i| json!({"id": i, "popularity": 100 - i}))
        .collect::<Vec<_>>())))
    .unwrap();
    let r = run(
        &m,
        None,
        &req(json!({"scenario": "trending", "k": 10, "explore": 0.5, "diversity": 0})),
    );
    assert!(r.iter().any(|x| x.reasons == ["something new to discover"]));
    assert_eq!(r[0].item_id, "0", "the first slot is never explored");
    assert_eq!(
        r,
        run(
            &m,
            None,
            &req(json!({"scenario": "trending", "k": 10, "explore": 0.5, "diversity": 0}))
        )
    );
}

/// A seeded catalog with embeddings, attributes and neighbours, and a shopper who viewed and
/// bought some of it.
fn scan_fixture(n: usize, dims: usize) -> (Model, Profile) {
    let mut rng = Rng::new(11);
    let rows = (0..n)
        .map(|_| {
            (0..8)
                .map(|_| (rng.below(n) as u32, 0.1 + rng.unit() as f32))
                .collect::<Vec<_>>()
        })
        .map(|mut r| {
            r.sort_by(|a, b| b.1.total_cmp(&a.1));
            r.dedup_by_key(|x| x.0);
            r
        })
        .collect();
    let m = Model::from_parts(ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: (0..n as u32)
            .map(|i| if i % 11 == 0 { NONE } else { i % 7 })
            .collect(),
        categories: (0..7).map(|c| format!("c{c}")).collect(),
        brand: (0..n as u32).map(|i| i % 13).collect(),
        brands: (0..13).map(|c| format!("b{c}")).collect(),
        price: (0..n)
            .map(|i| {
                if i % 9 == 0 {
                    f32::NAN
                } else {
                    (i % 300) as f32
                }
            })
            .collect(),
        in_stock: (0..n).map(|i| i % 23 != 0).collect(),
        sensitive: vec![false; n],
        popularity: (0..n).map(|_| rng.unit() as f32).collect(),
        trending: (0..n).map(|_| rng.unit() as f32).collect(),
        co_purchase: Neighbours::from_rows(rows),
        dims,
        embeddings: (0..n * dims).map(|_| rng.unit() as f32 - 0.5).collect(),
        item_tags: {
            let mut lists = crate::model::Lists::default();
            for i in 0..n {
                let mut row: Vec<u32> = (0..i % 4).map(|_| rng.below(9) as u32).collect();
                crate::sort::sort(&mut row);
                row.dedup();
                lists.push(&row);
            }
            lists
        },
        tags: (0..9).map(|t| format!("t{t}")).collect(),
        ..Default::default()
    })
    .unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    for k in 0..30 {
        let kind = if k % 5 == 0 {
            Kind::Purchase
        } else {
            Kind::View
        };
        p.record(
            &who,
            &view(kind, &format!("i{}", rng.below(n))),
            NOW - k as f64 * 3.6e6,
        );
    }
    (m, p)
}

/// Every allowed item's for_you score computed the slow way: f32 dot, `attrs`, sparse part.
fn for_you_by_brute_force(m: &Model, p: &Profile, pool: usize) -> (Vec<Scored>, Vec<Scored>) {
    let g = gate();
    let who = g.personalization().unwrap();
    let (policy, weights) = (Policy::default(), Weights::default());
    let view = p.view(&who, NOW);
    let rep = UserRep::build(m, &view, &policy, &weights, false);
    let r = req(json!({"scenario": "for_you"}));
    let rules = Rules::new(m, &policy, &r, Some(&rep), false);
    let ctx = Ctx {
        model: m,
        rep: Some(&rep),
        weights: &weights,
        rules: &rules,
    };
    let mut s = score::ForYou::new(&ctx, &rep);
    let mut scratch = Scratch::default();
    let fast = s.pool(&mut scratch, pool);
    let dots = score::Dots::new(m, &rep.embedding);
    let mut all: Vec<Scored> = (0..m.len() as u32)
        .filter(|&i| rules.allows(i))
        .map(|i| {
            let emb = dots.one(i).max(0.0);
            Scored {
                score: weights.for_you.embedding * emb + s.attrs_sum(i) + scratch.extra_of(i),
                item: i,
            }
        })
        .collect();
    all.sort_by(|a, b| b.cmp(a));
    all.truncate(pool);
    (fast, all)
}

#[test]
fn the_one_pass_pool_equals_scoring_every_item() {
    let (mut m, p) = scan_fixture(701, 24);
    for exact in [false, true] {
        m.set_exact_scan(exact);
        let (fast, slow) = for_you_by_brute_force(&m, &p, 50);
        assert_eq!(fast.len(), 50);
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a.score - b.score).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn the_source_kept_while_scattering_is_the_best_row_of_either_relation() {
    // `for_you` names, for an item the shopper's neighbour rows scored, the profile item whose row
    // gave it the largest share. Kept while scattering, it must be what comparing every profile
    // item's row of both relations gives: the first best of each, co-view on a tie between them.
    // Interest and row weights from small sets, and few targets, so that shares tie often.
    let (m, _) = scan_fixture(400, 8);
    let mut parts = m.parts().clone();
    let mut rng = Rng::new(23);
    let mut rows = || {
        let rows = (0..parts.ids.len()).map(|_| {
            let mut r: Vec<(u32, f32)> = (0..rng.below(10))
                .map(|_| (rng.below(60) as u32, [1.0, 2.0, 4.0][rng.below(3)]))
                .collect();
            r.sort_by(|a, b| b.1.total_cmp(&a.1));
            r.dedup_by_key(|x| x.0);
            r
        });
        Neighbours::from_rows(rows.collect())
    };
    (parts.co_purchase, parts.co_view) = (rows(), rows());
    let m = Model::from_parts(parts).unwrap();
    let rep = UserRep {
        items: (0..40)
            .map(|k| represent::Interest {
                item: 60 + 7 * k,
                weight: [0.5, 1.0][k as usize % 2],
                bought: k % 3 == 0,
            })
            .collect(),
        ..Default::default()
    };
    let (policy, weights) = (Policy::default(), Weights::default());
    let r = req(json!({"scenario": "for_you"}));
    let rules = Rules::new(&m, &policy, &r, Some(&rep), false);
    let ctx = Ctx {
        model: &m,
        rep: Some(&rep),
        weights: &weights,
        rules: &rules,
    };
    let mut scratch = Scratch::default();
    score::ForYou::new(&ctx, &rep).pool(&mut scratch, 50);
    let interests = || rep.items.iter().map(|x| (x.item, x.weight));
    let mut named = 0;
    for i in 0..m.len() as u32 {
        let best = score::best_source(m.co_purchase(), interests(), i)
            .into_iter()
            .chain(score::best_source(m.co_view(), interests(), i))
            .filter(|s| s.1 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        assert_eq!(scratch.source_of(i), best.map(|s| s.0), "item {i}");
        named += usize::from(best.is_some());
    }
    assert!(named > 50, "{named} items have a source");
}

#[test]
fn the_similar_pool_equals_scoring_every_item() {
    // Its scan skips tags and affinity for items whose bound cannot enter: the pool must be the
    // one of scoring every item in full, scores included, with and without a shopper.
    let (m, _) = scan_fixture(1_500, 16);
    let policy = Policy::default();
    // A shopper who likes some categories and brands more than others (the fixture's profile
    // names none), and weights under which affinity decides more than tags do.
    let rep = UserRep {
        categories: (0..7).map(|c| c as f32 / 6.0).collect(),
        brands: (0..13).map(|b| (b % 5) as f32 / 4.0).collect(),
        ..Default::default()
    };
    let mut heavy = Weights::default();
    heavy.similar.personal = 6.0;
    heavy.similar.tags = 0.2;
    for (weights, anchors) in [Weights::default(), heavy]
        .iter()
        .flat_map(|w| [vec![3u32], vec![40, 41, 700], vec![1_499]].map(|a| (w, a)))
    {
        for rep in [None, Some(&rep)] {
            let r = req(json!({"scenario": "similar", "itemId": "i3"}));
            let rules = Rules::new(&m, &policy, &r, rep, false);
            let ctx = Ctx {
                model: &m,
                rep,
                weights,
                rules: &rules,
            };
            let s = score::Similar::new(&ctx, &anchors);
            let mut scratch = Scratch::default();
            let fast = s.pool(&mut scratch, 50);
            let mut all: Vec<Scored> = (0..m.len() as u32)
                .filter(|&i| rules.allows(i))
                .map(|i| Scored {
                    score: s.full_score(&scratch, i),
                    item: i,
                })
                .collect();
            all.sort_by(|a, b| b.cmp(a));
            all.truncate(50);
            assert_eq!(fast, all, "anchors {anchors:?}, shopper {}", rep.is_some());
        }
    }
}

#[test]
fn the_int8_scan_keeps_the_exact_top_ten() {
    let (mut m, p) = scan_fixture(2_000, 64);
    let r = req(json!({"scenario": "for_you", "k": 10, "diversity": 0}));
    let fast = run(&m, Some(&p), &r);
    m.set_exact_scan(true);
    let exact = run(&m, Some(&p), &r);
    let hits = fast
        .iter()
        .filter(|x| exact.iter().any(|y| y.item_id == x.item_id))
        .count();
    assert!(hits >= 9, "{hits} of 10: {fast:?} vs {exact:?}");
    let (q, _) = for_you_by_brute_force(&m, &p, 50);
    m.set_exact_scan(false);
    let (q8, _) = for_you_by_brute_force(&m, &p, 50);
    let same = q8
        .iter()
        .filter(|x| q.iter().any(|y| y.item == x.item))
        .count();
    assert!(same >= 45, "{same} of the 50-item pool");
}

#[test]
fn exclude_purchased_also_leaves_out_sensitive_purchases() {
    // Found by the property test: a bought item flagged sensitive is kept out of the ranking
    // signals, and so was missing from the list excludePurchased blocks; it came back on
    // trending and similar shelves.
    let mut parts = model().parts().clone();
    parts.sensitive[4] = true;
    let m = Model::from_parts(parts).unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    p.record(&who, &view(Kind::Purchase, "i4"), NOW);
    for r in [
        json!({"scenario": "trending", "k": 5, "excludePurchased": true}),
        json!({"scenario": "similar", "itemId": "i0", "k": 5, "excludePurchased": true}),
        json!({"scenario": "trending", "k": 5, "excludePurchased": ["candles"]}),
    ] {
        let out = run(&m, Some(&p), &req(r.clone()));
        assert!(!ids(&out).contains(&"i4"), "{r}: {out:?}");
    }
    let out = run(&m, Some(&p), &req(json!({"scenario": "trending", "k": 5})));
    assert!(ids(&out).contains(&"i4"), "only excluded when asked");
}

#[test]
fn the_shoppers_own_shelves_leave_out_what_is_in_the_cart() {
    // i0 was bought before and is in the cart again: buy_again and for_you (which leads with
    // it otherwise) leave it out; recently_viewed and similar shelves are not about the cart.
    let m = model();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    p.record(&who, &view(Kind::Purchase, "i0"), NOW - 86_400_000.0);
    p.record(&who, &view(Kind::View, "i0"), NOW - 1000.0);
    let before = run(&m, Some(&p), &req(json!({"scenario": "for_you", "k": 5})));
    assert_eq!(ids(&before)[0], "i0", "{before:?}");
    p.record(&who, &view(Kind::Add, "i0"), NOW);
    for r in [
        json!({"scenario": "for_you", "k": 5}),
        json!({"scenario": "buy_again", "k": 5}),
        json!({"scenario": "cart", "k": 5}),
    ] {
        let out = run(&m, Some(&p), &req(r.clone()));
        assert!(!ids(&out).contains(&"i0"), "{r}: {out:?}");
    }
    let out = run(&m, Some(&p), &req(json!({"scenario": "for_you", "k": 5})));
    assert_eq!(out.len(), 4, "the others still fill the shelf: {out:?}");
    // The cart shelf for the items a page names leaves out the profile's cart too (found by the
    // recommendation-quality audit: i0 came first as what goes with i1).
    let out = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "cart", "itemIds": ["i1"], "k": 5})),
    );
    assert!(
        !ids(&out).contains(&"i0") && !ids(&out).contains(&"i1"),
        "{out:?}"
    );
    assert_eq!(out.len(), 3, "{out:?}");
    for r in [
        json!({"scenario": "recently_viewed", "k": 5}),
        json!({"scenario": "similar", "itemId": "i1", "k": 5}),
    ] {
        let out = run(&m, Some(&p), &req(r.clone()));
        assert!(ids(&out).contains(&"i0"), "{r}: {out:?}");
    }
    // Out of the cart, back on the shelf.
    p.record(&who, &view(Kind::Remove, "i0"), NOW + 1000.0);
    let out = run(&m, Some(&p), &req(json!({"scenario": "buy_again", "k": 5})));
    assert_eq!(ids(&out), ["i0"], "{out:?}");
}

/// The test model with `row` as the co-purchase neighbours of i0, and none for the others.
fn with_co_purchase_of_i0(row: Vec<(u32, f32)>) -> Model {
    let mut parts = model().parts().clone();
    let mut rows = vec![Vec::new(); parts.ids.len()];
    rows[0] = row;
    parts.co_purchase = Neighbours::from_rows(rows);
    Model::from_parts(parts).unwrap()
}

#[test]
fn a_zero_weight_neighbour_never_makes_an_item_come_out_twice() {
    // Found by the model fuzz target: a row listing i1 with weight 0 and then again with a
    // positive weight put i1 twice in the candidate list, and twice on the shelf.
    let m = with_co_purchase_of_i0(vec![(1, 0.0), (1, 2.0), (2, 0.0), (3, 1.0)]);
    for r in [
        json!({"scenario": "bought_together", "itemId": "i0", "k": 5, "diversity": 0}),
        json!({"scenario": "cart", "itemIds": ["i0"], "k": 5, "diversity": 0}),
        json!({"scenario": "similar", "itemId": "i0", "k": 5, "diversity": 0}),
    ] {
        let out = run(&m, None, &req(r.clone()));
        let mut seen = ids(&out);
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), out.len(), "{r}: {out:?}");
    }
}

/// `n` items "i0", "i1", … without category or brand, all alike: price 10, in stock, popularity
/// and trending 0.5.
fn plain(n: usize) -> ModelParts {
    ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: vec![NONE; n].into(),
        brand: vec![NONE; n].into(),
        price: vec![10.0; n].into(),
        in_stock: vec![true; n],
        sensitive: vec![false; n],
        popularity: vec![0.5; n],
        trending: vec![0.5; n],
        ..Default::default()
    }
}

/// Three items the shopper bought once each, at the same time, in a model with the given repeat
/// rates, trending and popularity.
fn bought_alike(repeat: Vec<f32>, trending: Vec<f32>, popularity: Vec<f32>) -> (Model, Profile) {
    let n = 3;
    let m = Model::from_parts(ModelParts {
        popularity,
        trending,
        repeat,
        ..plain(n)
    })
    .unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    let mut order = view(Kind::Purchase, "i0");
    order.lines = (0..n)
        .map(|i| Line {
            item_id: Some(format!("i{i}")),
            other_ids: Vec::new(),
            currency: None,
            ..order.lines[0].clone()
        })
        .collect();
    p.record(&who, &order, NOW - 86_400_000.0);
    (m, p)
}

#[test]
fn buy_again_favours_items_bought_again_by_others_and_in_demand_now() {
    let again = req(json!({"scenario": "buy_again", "k": 3}));
    // The item most buyers buy again comes first.
    let (m, p) = bought_alike(vec![0.1, 0.8, 0.2], vec![1.0; 3], vec![1.0; 3]);
    assert_eq!(ids(&run(&m, Some(&p), &again)), ["i1", "i2", "i0"]);
    assert_eq!(run(&m, Some(&p), &again)[0].score, 1.0, "scaled to 1");
    // Demand now relative to the item's usual level: i2 sells now as usual, i0 more than usual,
    // i1 has not sold lately.
    let (m, p) = bought_alike(vec![0.5; 3], vec![0.9, 0.0, 0.5], vec![0.5, 1.0, 0.5]);
    assert_eq!(ids(&run(&m, Some(&p), &again)), ["i0", "i2", "i1"]);
    // A model without repeat rates ranks by demand alone.
    let (m, p) = bought_alike(Vec::new(), vec![0.9, 0.0, 0.5], vec![0.5, 1.0, 0.5]);
    assert_eq!(ids(&run(&m, Some(&p), &again)), ["i0", "i2", "i1"]);
    // for_you shows the same preference among the shopper's purchases.
    let (m, p) = bought_alike(vec![0.1, 0.8, 0.2], vec![1.0; 3], vec![1.0; 3]);
    let r = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "for_you", "k": 3, "diversity": 0})),
    );
    assert_eq!(r[0].item_id, "i1", "{r:?}");
}

#[test]
fn buy_again_knobs_at_zero_ignore_the_model() {
    let (m, p) = bought_alike(
        vec![0.1, 0.8, 0.2],
        vec![0.9, 0.0, 0.5],
        vec![0.5, 1.0, 0.5],
    );
    let mut weights = Weights::default();
    weights.buy_again.repeat = 0.0;
    weights.buy_again.trending = 0.0;
    weights.buy_again.popularity = 0.0;
    let g = gate();
    let who = g.personalization().unwrap();
    let policy = Policy::default();
    let input = input_of(&m, &policy, &weights, Some(p.view(&who, NOW)));
    let r = recommend(
        &input,
        &req(json!({"scenario": "buy_again", "k": 3})),
        &mut Scratch::default(),
        &mut Rng::new(1),
    );
    assert!(r.iter().all(|x| x.score == 1.0), "all alike: {r:?}");
    // Out-of-range knobs are clamped, and NaN ones switched off.
    weights.buy_again.repeat = f32::NAN;
    weights.buy_again.trending = 99.0;
    let c = weights.clamped();
    assert_eq!((c.buy_again.repeat, c.buy_again.trending), (0.0, 4.0));
}

#[test]
fn neighbour_weights_near_the_largest_float_give_finite_scores() {
    // Found by the model fuzz target: a file's row of weights near f32::MAX times the
    // co-purchase weight (3) overflowed to infinity before the row was scaled, and the shelf's
    // scores came out NaN.
    let m = with_co_purchase_of_i0(vec![(1, f32::MAX), (2, f32::MAX / 2.0)]);
    for r in [
        json!({"scenario": "bought_together", "itemId": "i0", "k": 5}),
        json!({"scenario": "cart", "itemIds": ["i0"], "k": 5}),
    ] {
        let out = run(&m, None, &req(r.clone()));
        assert_eq!(ids(&out)[..2], ["i1", "i2"], "{r}: {out:?}");
        assert!(out.iter().all(|x| x.score.is_finite()), "{r}: {out:?}");
    }
}

/// The plain reading of [`mmr_admitting`]: the argmax each time, a refused one removed.
fn naive(
    model: &Model,
    pool: &[Scored],
    k: usize,
    lambda: f32,
    admit: impl Fn(u32) -> bool,
) -> Vec<Scored> {
    let best = pool.first().map_or(0.0, |s| s.score);
    let rel = |s: &Scored| s.score / best;
    let mut left: Vec<(Scored, f32)> = pool.iter().map(|s| (*s, 0.0)).collect();
    let mut picked = Vec::new();
    while picked.len() < k && !left.is_empty() {
        let (mut at, mut val) = (0, f32::NEG_INFINITY);
        for (j, (s, m)) in left.iter().enumerate() {
            let v = (1.0 - lambda) * rel(s) - lambda * m;
            if v > val {
                (at, val) = (j, v);
            }
        }
        let (chosen, _) = left.remove(at);
        if !admit(chosen.item) {
            continue;
        }
        for (c, m) in &mut left {
            *m = m.max(similarity(model, chosen.item, c.item));
        }
        picked.push(Scored {
            score: val,
            item: chosen.item,
        });
    }
    picked
}

#[test]
fn refusals_give_what_taking_the_best_each_time_gives() {
    let mut rng = Rng::new(8);
    let n = 60;
    let mut embeddings = Vec::new();
    for _ in 0..n {
        let row: Vec<f32> = (0..4).map(|_| rng.unit() as f32 - 0.5).collect();
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        embeddings.extend(row.iter().map(|x| x / norm));
    }
    let model = Model::from_parts(ModelParts {
        dims: 4,
        embeddings: embeddings.into(),
        ..plain(n)
    })
    .unwrap();
    for round in 0..40 {
        let mut pool: Vec<Scored> = (0..n as u32)
            .map(|item| Scored {
                score: (rng.below(20) + 1) as f32,
                item,
            })
            .collect();
        pool.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        let refuse = |i: u32| (i as usize + round) % (2 + round % 4) == 0;
        for lambda in [0.0, 0.3, 0.8] {
            let (got, refused) = mmr_admitting(&model, &pool, 10, lambda, &mut |i| !refuse(i));
            assert_eq!(got, naive(&model, &pool, 10, lambda, |i| !refuse(i)));
            assert!(got.iter().all(|s| !refuse(s.item)));
            assert!(refused.iter().all(|&i| refuse(i)));
            // Without refusals: most candidates are compared with only some of the picks.
            let all = |_: u32| true;
            assert_eq!(
                mmr(&model, &pool, 10, lambda),
                naive(&model, &pool, 10, lambda, all)
            );
        }
    }
    assert_eq!(mmr(&model, &[], 3, 0.5), vec![]);
}

/// One scratch across calls whose inputs differ in one part of what the representation is built
/// from each time: every shelf is the one a fresh scratch gives.
#[test]
fn a_kept_representation_is_rebuilt_when_what_it_was_built_from_changes() {
    let m = model();
    // The same ids in another order: each stands for another row.
    let mut parts = m.parts().clone();
    parts.ids = ["i1", "i2", "i3", "i4", "i0"].into_iter().collect();
    let other = Model::from_parts(parts).unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    p.record(&who, &view(Kind::View, "i2"), NOW - 3.6e6);
    let mut mug = view(Kind::View, "i3");
    mug.lines[0].category = Some("Mugs".into());
    p.record(&who, &mug, NOW - 7.2e6);
    p.record(&who, &view(Kind::Purchase, "i0"), NOW);
    p.record(&who, &view(Kind::Purchase, "i4"), NOW);
    let plain = Policy::default();
    let mugs = Policy::parse(&from_json(&json!({"sensitiveCategories": ["Mugs"]}))).unwrap();
    let base = Weights::default();
    let mut repeat = Weights::default();
    repeat.buy_again.repeat = 0.0;
    repeat.buy_again.popularity = 3.0;
    let mut neighbours = Weights::default();
    neighbours.for_you.neighbours = 6.0;
    neighbours.for_you.embedding = 0.0;
    let mut categories = neighbours.clone();
    categories.for_you.category = 9.0;
    let r = req(json!({"scenario": "for_you", "k": 5, "diversity": 0}));
    let mut kept = Scratch::default();
    let mut seen = Vec::new();
    for (model, policy, weights, now, sensitive_ok) in [
        (&m, &plain, &base, NOW, false),
        (&m, &plain, &neighbours, NOW, false),
        (&m, &plain, &categories, NOW, false),
        (&m, &plain, &base, NOW + 9e8, false),
        (&m, &mugs, &base, NOW, false),
        (&m, &mugs, &base, NOW, true),
        (&m, &mugs, &repeat, NOW, true),
        (&m, &plain, &repeat, NOW - 1.8e6, false),
        (&other, &plain, &repeat, NOW - 1.8e6, false),
        (&m, &plain, &base, NOW, false),
    ] {
        let input = Input {
            model,
            policy,
            weights,
            profile: Some(p.view(&who, now)),
            sensitive_ok,
            channel: None,
            gentle: false,
        };
        let fresh = recommend(&input, &r, &mut Scratch::default(), &mut Rng::new(1));
        assert_eq!(recommend(&input, &r, &mut kept, &mut Rng::new(1)), fresh);
        seen.push(fresh);
    }
    assert_ne!(seen[0], seen[1], "the for_you weights change the shelf");
    assert_ne!(seen[1], seen[2], "the category weight too");
    assert_ne!(seen[0], seen[4], "so does the sensitive category");
    assert_ne!(seen[4], seen[5], "and allowing it");
    assert_ne!(seen[5], seen[6], "and the buy-again weights");
    assert_ne!(seen[7], seen[8], "and the model");
}

/// Read as of any time after the latest signal, every decaying part has the proportions it had
/// then: what `represent` relies on to read the profile as of that signal.
#[test]
fn a_representation_keeps_its_proportions_as_time_passes() {
    let m = model();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    for (k, (kind, id)) in [
        (Kind::View, "i2"),
        (Kind::Purchase, "i0"),
        (Kind::View, "i4"),
        (Kind::Purchase, "i1"),
    ]
    .into_iter()
    .enumerate()
    {
        p.record(&who, &view(kind, id), NOW - (4 - k) as f64 * 86_400_000.0);
    }
    let (policy, weights) = (Policy::default(), Weights::default());
    let at = |now: f64| UserRep::build(&m, &p.view(&who, now), &policy, &weights, false);
    let (then, later) = (at(NOW), at(NOW + 60.0 * 86_400_000.0));
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-5 * a.abs().max(1.0);
    assert_eq!(then.items.len(), later.items.len());
    for (a, b) in then.items.iter().zip(&later.items) {
        assert!(a.item == b.item && close(a.weight, b.weight), "{a:?} {b:?}");
    }
    for (a, b) in then.purchases.iter().zip(&later.purchases) {
        assert!(a.0 == b.0 && close(a.1, b.1), "{a:?} {b:?}");
    }
    for (a, b) in then
        .categories
        .iter()
        .chain(&then.embedding)
        .zip(later.categories.iter().chain(&later.embedding))
    {
        assert!(close(*a, *b), "{a} {b}");
    }
    assert!(
        then.items.iter().any(|x| x.weight < 0.99),
        "the weights differ"
    );
}

/// MMR by its definition: each step takes the candidate with the best objective, comparing it
/// with every pick by [`similarity`] (ties by position).
fn mmr_by_definition(m: &Model, pool: &[Scored], k: usize, lambda: f32) -> Vec<Scored> {
    let best = pool.first().map_or(0.0, |s| s.score);
    let mut left: Vec<(usize, Scored)> = pool.iter().copied().enumerate().collect();
    let mut picked: Vec<Scored> = Vec::new();
    while picked.len() < k && !left.is_empty() {
        let objective = |s: &Scored| {
            let sim = picked
                .iter()
                .map(|p| similarity(m, p.item, s.item))
                .fold(0.0f32, |a, b| if b > a { b } else { a });
            (1.0 - lambda) * (s.score / best) - lambda * sim
        };
        let (at, value) = left
            .iter()
            .enumerate()
            .map(|(at, (_, s))| (at, objective(s)))
            .fold(None, |best: Option<(usize, f32)>, (at, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((at, v)),
            })
            .unwrap();
        let (_, s) = left.remove(at);
        picked.push(Scored {
            score: value,
            item: s.item,
        });
    }
    picked
}

#[test]
fn mmr_picks_as_its_definition_does_with_f32_rows_and_with_codes_only() {
    // The lazy heap compares a candidate with a pick only when it comes off the heap; the picks
    // and their objectives must still be those of MMR by its definition, bit for bit, for a model
    // with f32 rows and for one with int8 codes only (a version-3 model file). 20 dims: the codes
    // are padded to 32.
    let (n, dims) = (60, 20);
    let mut rng = Rng::new(21);
    let built = Model::from_parts(ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: (0..n as u32).map(|i| i % 3).collect(),
        categories: ["a", "b", "c"].into_iter().collect(),
        brand: vec![NONE; n].into(),
        price: vec![10.0; n].into(),
        in_stock: vec![true; n],
        sensitive: vec![false; n],
        popularity: vec![1.0; n],
        trending: vec![1.0; n],
        co_purchase: Neighbours::from_rows(vec![vec![]; n]),
        co_view: Neighbours::from_rows(vec![vec![]; n]),
        dims,
        embeddings: (0..n * dims)
            .map(|_| rng.unit() as f32 - 0.5)
            .collect::<Vec<f32>>()
            .into(),
        ..Default::default()
    })
    .unwrap();
    let codes_only =
        Model::from_bytes(&built.to_file(crate::model::file::Embeddings::Int8)).unwrap();
    assert!(codes_only.embeddings().is_empty());
    for m in [&built, &codes_only] {
        for round in 0..20 {
            let mut pool: Vec<Scored> = (0..n as u32)
                .map(|item| Scored {
                    score: 1.0 + rng.unit() as f32,
                    item,
                })
                .collect();
            pool.sort_by(|a, b| b.score.total_cmp(&a.score));
            let lambda = [0.3, 0.7][round % 2];
            let got = mmr(m, &pool, 10, lambda);
            assert_eq!(
                got,
                mmr_by_definition(m, &pool, 10, lambda),
                "round {round}"
            );
        }
    }
}

/// A catalog where `mug` trends among TikTok visitors and `lamp` everywhere else.
fn tiktok_catalog() -> Model {
    parse_catalog(&from_json(&json!([
        {"id": "lamp", "category": "Lamps", "popularity": 90},
        {"id": "vase", "category": "Vases", "popularity": 80},
        {"id": "mug", "category": "Mugs", "popularity": 20, "popularityByChannel": {"tiktok": 300}},
    ])))
    .unwrap()
}

#[test]
fn for_you_before_anything_is_known_puts_the_channels_trending_first_with_consent_too() {
    // A TikTok visitor who accepted the banner and has done nothing yet got the shop's general
    // popularity: only the no-consent fallback used the channel's list.
    let m = tiktok_catalog();
    let g = gate();
    let who = g.personalization().unwrap();
    let (policy, weights) = (Policy::default(), Weights::default());
    let empty = Profile::new(14.0 * 86_400_000.0);
    let mut known = Profile::new(14.0 * 86_400_000.0);
    known.record(&who, &view(Kind::View, "lamp"), NOW);
    let shelf = |profile: Option<&Profile>, scenario: &str| {
        let input = Input {
            channel: Some("tiktok"),
            ..input_of(&m, &policy, &weights, profile.map(|p| p.view(&who, NOW)))
        };
        let r = req(json!({"scenario": scenario, "k": 2}));
        let out = recommend(&input, &r, &mut Scratch::default(), &mut Rng::new(1));
        (out, shelf_of(&input, &r))
    };
    for (profile, tail) in [
        (None, "personalization is off, so nothing about you is used"),
        (Some(&empty), "nothing is known about you yet"),
    ] {
        for scenario in ["for_you", "cart"] {
            let (r, why) = shelf(profile, scenario);
            assert_eq!(ids(&r)[0], "mug", "{scenario} {r:?}");
            assert_eq!(r[0].reasons, ["trending among visitors from tiktok"]);
            assert_eq!(
                (why.served, why.channel.as_deref(), why.personal),
                (Some("trending"), Some("tiktok"), false)
            );
            assert_eq!(
                why.explanation,
                format!("trending among visitors from tiktok: {tail}")
            );
        }
    }
    // Once something is known, the shelf is the shopper's own.
    let (r, why) = shelf(Some(&known), "for_you");
    assert_eq!(why.served, Some("for_you"));
    assert!(why.personal && why.channel.is_none(), "{why:?}");
    assert!(!r.is_empty());
}

#[test]
fn explain_shelf_says_sensitive_items_are_left_out_whenever_the_shelf_leaves_them_out() {
    // A shelf asked as `for_you` or `cart` leaves sensitive items out also when nothing personal
    // shapes it (no consent, nothing known yet, a cart given by the page); explainShelf said
    // `sensitiveExcluded: false` for those.
    let m = parse_catalog(&from_json(&json!([
        {"id": "kit", "category": "Pharmacy", "sensitive": true, "popularity": 90},
        {"id": "mug", "category": "Mugs", "popularity": 50},
        {"id": "cup", "category": "Mugs", "popularity": 40},
    ])))
    .unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let (policy, weights) = (Policy::default(), Weights::default());
    let empty = Profile::new(14.0 * 86_400_000.0);
    for profile in [None, Some(&empty)] {
        for (options, left_out) in [
            (json!({"scenario": "for_you"}), true),
            (json!({"scenario": "cart", "itemIds": ["cup"]}), true),
            (json!({"scenario": "trending"}), false),
            (json!({"scenario": "similar", "itemId": "cup"}), false),
        ] {
            let input = input_of(&m, &policy, &weights, profile.map(|p| p.view(&who, NOW)));
            let r = req(options.clone());
            let shelf = recommend(&input, &r, &mut Scratch::default(), &mut Rng::new(1));
            assert_eq!(
                !ids(&shelf).contains(&"kit"),
                left_out,
                "{options} {shelf:?}"
            );
            assert_eq!(
                shelf_of(&input, &r).sensitive_excluded,
                left_out,
                "{options}"
            );
        }
    }
}

#[test]
fn a_detractors_for_you_with_nothing_else_known_is_paused_and_says_so() {
    // Without the popularity push a gentle `for_you` for a shopper known only by a detractor's
    // answer is empty; explainShelf said "popular right now: nothing is known about you yet".
    let m = tiktok_catalog();
    let g = gate();
    let who = g.personalization().unwrap();
    let (policy, weights) = (Policy::default(), Weights::default());
    let empty = Profile::new(14.0 * 86_400_000.0);
    let mut known = Profile::new(14.0 * 86_400_000.0);
    known.record(&who, &view(Kind::Purchase, "vase"), NOW);
    for (profile, scenario, paused) in [
        (&empty, "for_you", true),
        (&empty, "cart", true),
        (&known, "for_you", false),
    ] {
        let input = Input {
            channel: Some("tiktok"),
            gentle: true,
            ..input_of(&m, &policy, &weights, Some(profile.view(&who, NOW)))
        };
        let r = req(json!({"scenario": scenario}));
        let shelf = recommend(&input, &r, &mut Scratch::default(), &mut Rng::new(1));
        let why = shelf_of(&input, &r);
        assert_eq!(shelf.is_empty(), paused, "{scenario} {shelf:?}");
        if paused {
            assert_eq!(why.served, None, "{why:?}");
            assert_eq!(why.explanation, "promotions are paused after your feedback");
            assert_eq!(why.signals, ["survey"]);
        } else {
            assert_eq!(ids(&shelf)[0], "vase");
            assert_eq!(why.served, Some("for_you"));
        }
    }
}

#[test]
fn bought_together_without_any_known_purchase_with_the_item_says_what_it_serves() {
    // i0 has co-purchase neighbours, i2 none: its shelf is the popular fill, and explainShelf
    // said "often bought with the item you are looking at" all the same.
    let m = model();
    let (policy, weights) = (Policy::default(), Weights::default());
    let input = input_of(&m, &policy, &weights, None);
    let said = |item: &str| {
        let r = req(json!({"scenario": "bought_together", "itemId": item}));
        shelf_of(&input, &r).explanation
    };
    assert_eq!(said("i0"), "often bought with the item you are looking at");
    assert_eq!(
        said("i2"),
        "popular right now: nothing is known yet of what is bought with the item you are looking at"
    );
    // The cart shelf the same (found by the recommendation-quality audit), and one whose cart
    // the catalog does not have says what it serves instead.
    let cart = |items: &[&str]| {
        let r = req(json!({"scenario": "cart", "itemIds": items}));
        shelf_of(&input, &r).explanation
    };
    assert_eq!(cart(&["i0"]), "goes with what is in your cart");
    assert_eq!(
        cart(&["i2", "i3"]),
        "popular right now: nothing is known yet of what is bought with what is in your cart"
    );
    assert_eq!(
        cart(&["gone"]),
        "popular right now: personalization is off, so nothing about you is used (no item in the cart is in the catalog)"
    );
    let shelf = run(
        &m,
        None,
        &req(json!({"scenario": "bought_together", "itemId": "i2", "k": 3})),
    );
    assert!(shelf
        .iter()
        .all(|r| r.reasons.iter().all(|x| !x.starts_with("often bought"))));
}

#[test]
fn shelves_about_items_say_which_liking_and_which_item() {
    // Found by the recommendation-quality audit: a shopper who only liked a brand was told
    // "because you like <category>" on `bought_together`, and `similar` for two items put every
    // tag match on the first of them.
    let mut parts = model().parts().clone();
    parts.brands = ["Kiln"].into_iter().collect();
    parts.brand = vec![0, 0, 0, 0, 0].into();
    parts.item_tags = crate::model::Lists::default();
    for row in [&[0u32][..], &[], &[1], &[], &[1]] {
        parts.item_tags.push(row);
    }
    parts.tags = ["oak", "plum"].into_iter().collect();
    parts.dims = 0;
    parts.embeddings = Vec::new().into();
    let m = Model::from_parts(parts).unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    let mut e = view(Kind::View, "zz");
    e.lines[0].brand = Some("Kiln".into());
    for _ in 0..5 {
        p.record(&who, &e, NOW - 1000.0);
    }
    let out = run(
        &m,
        Some(&p),
        &req(json!({"scenario": "bought_together", "itemId": "i0"})),
    );
    let all: Vec<&String> = out.iter().flat_map(|r| &r.reasons).collect();
    assert!(all.iter().any(|r| *r == "because you like Kiln"), "{out:?}");
    assert!(
        !all.iter().any(|r| r.starts_with("because you like c")),
        "{out:?}"
    );
    // A category and a brand of one name are one reason, not the same words twice (re-audit).
    let mut same = m.parts().clone();
    same.brands = ["Candles"].into_iter().collect();
    let same = Model::from_parts(same).unwrap();
    let mut e = view(Kind::View, "i2");
    e.lines[0].category = Some("Candles".into());
    e.lines[0].brand = Some("Candles".into());
    p.record(&who, &e, NOW - 500.0);
    for scenario in ["for_you", "bought_together"] {
        let r = req(json!({"scenario": scenario, "itemId": "i0"}));
        let out = run(&same, Some(&p), &r);
        let twice = |r: &Recommendation| r.reasons.windows(2).any(|w| w[0] == w[1]);
        assert!(!out.iter().any(twice), "{out:?}");
        assert!(out
            .iter()
            .any(|r| r.reasons.iter().any(|x| x == "because you like candles")));
    }
    let out = run(
        &m,
        None,
        &req(json!({"scenario": "similar", "itemIds": ["i1", "i2"]})),
    );
    let i4 = out
        .iter()
        .find(|r| r.item_id == "i4")
        .expect("i4 shares i2's tag");
    assert!(i4.reasons.contains(&"similar to i2".to_string()), "{i4:?}");
    assert!(!i4.reasons.contains(&"similar to i1".to_string()), "{i4:?}");
}

#[test]
fn for_you_is_not_the_recently_viewed_list_again() {
    // Found by the recommendation-quality audit: after twelve products viewed, all ten of
    // `for_you` were among them ("you viewed this before"), the list beside it on the page.
    let n = 40;
    let m = Model::from_parts(ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: (0..n).map(|i| (i % 2) as u32).collect::<Vec<_>>().into(),
        categories: ["Candles", "Mugs"].into_iter().collect(),
        brand: (0..n).map(|i| (i % 2) as u32).collect::<Vec<_>>().into(),
        brands: ["Lumen", "Kiln"].into_iter().collect(),
        price: vec![10.0; n].into(),
        in_stock: vec![true; n],
        sensitive: vec![false; n],
        popularity: (0..n).map(|i| (n - i) as f32).collect(),
        trending: vec![0.0; n],
        ..Default::default()
    })
    .unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    for i in 0..12 {
        p.record(
            &who,
            &view(Kind::View, &format!("i{}", 2 * i)),
            NOW - 1000.0,
        );
    }
    let seen = |p: &Profile| {
        let out = run(&m, Some(p), &req(json!({"scenario": "for_you", "k": 10})));
        assert_eq!(out.len(), 10);
        // Viewed: i0, i2, … i30, whether a reason shown says so or not.
        let seen = |r: &&Recommendation| {
            let n: u32 = r.item_id[1..].parse().unwrap();
            n % 2 == 0 && n < 32
        };
        (out.iter().filter(seen).count(), out)
    };
    let (n, out) = seen(&p);
    assert_eq!(n, 5, "half of the shelf (maxSignalShare 0.5): {out:?}");
    // Also when the views name their category, and "because you like candles" leads the reasons
    // (found by the re-audit: the cap read the first reason only, and let ten seen items by).
    for i in 0..16 {
        let mut e = view(Kind::View, &format!("i{}", 2 * i));
        e.lines[0].category = Some("Candles".into());
        e.lines[0].brand = Some("Lumen".into());
        p.record(&who, &e, NOW - 500.0);
    }
    let (n, out) = seen(&p);
    assert!(out
        .iter()
        .any(|r| r.reasons[0] == "because you like candles"));
    assert_eq!(n, 5, "{out:?}");
}

#[test]
fn a_new_shoppers_capped_shelf_looks_past_its_one_category_without_reading_the_catalog() {
    // Found by the phone audit: after one view, the viewed item's category explains the top
    // hundreds of the catalog, so the cap (half the shelf) left `for_you` short and the pool
    // deepened, ×4 at a time, until the scan read nearly every row (22 ms in Node at 100,000
    // items, 2.6 ms each call after). It now looks past the full category in the most popular
    // and trending items the rules leave (`Rules::look_past`).
    let n = 20_000;
    let dims = 16;
    let mut rng = Rng::new(7);
    let m = Model::from_parts(ModelParts {
        ids: (0..n).map(|i| format!("i{i}")).collect(),
        titles: (0..n).map(|_| "").collect(),
        category: (0..n as u32).map(|i| i % 40).collect(),
        categories: (0..40).map(|c| format!("c{c}")).collect(),
        brand: vec![NONE; n].into(),
        price: vec![10.0; n].into(),
        in_stock: vec![true; n],
        sensitive: vec![false; n],
        popularity: (0..n).map(|_| rng.unit() as f32).collect(),
        trending: (0..n).map(|_| rng.unit() as f32).collect(),
        dims,
        // Each category's items near its own direction, as a trained model places them.
        embeddings: {
            let centre: Vec<f32> = (0..40 * dims).map(|_| rng.unit() as f32 - 0.5).collect();
            (0..n * dims)
                .map(|x| {
                    centre[(x / dims % 40) * dims + x % dims] + 0.1 * (rng.unit() as f32 - 0.5)
                })
                .collect()
        },
        ..Default::default()
    })
    .unwrap();
    let g = gate();
    let who = g.personalization().unwrap();
    let mut p = Profile::new(14.0 * 86_400_000.0);
    p.record(&who, &view(Kind::View, "i0"), NOW - 1000.0);
    let before = kernel::TEST_ROWS.get();
    let out = run(&m, Some(&p), &req(json!({"scenario": "for_you", "k": 10})));
    let rows = kernel::TEST_ROWS.get() - before;
    assert_eq!(out.len(), 10, "{out:?}");
    // No personal reason leads more than half of the shelf; the rest are popular or trending.
    let lead = |r: &Recommendation| r.reasons.first().cloned().unwrap_or_default();
    let personal = |x: &str| !x.starts_with("popular") && !x.starts_with("trending");
    for r in &out {
        let same = out.iter().filter(|o| lead(o) == lead(r)).count();
        assert!(
            !personal(&lead(r)) || same <= 5,
            "{} leads {same}: {out:?}",
            lead(r)
        );
    }
    assert!(
        out.iter().filter(|r| personal(&lead(r))).count() >= 5,
        "{out:?}"
    );
    // Before: 42,929 rows (the catalog twice over, deepening); now the first pool's scan only.
    assert!(rows < n as u64 / 2, "{rows} of {n} rows read");
}
