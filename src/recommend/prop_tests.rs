//! Properties of `recommend` for any catalog, profile and request: never an excluded, on-screen,
//! out-of-stock (unless asked) or duplicate item, never more than `k`, always sorted; with
//! `excludePurchased`, nothing bought; for `cart`, nothing already in it.

use crate::consent::ConsentInput;
use crate::fuzzing::check;
use crate::model::{Model, ModelParts, Neighbours, NONE};
use crate::policy::Policy;
use crate::recommend::Request;
use crate::session::{Env, OpenOptions, Session, StorageChoice};
use crate::store::MemoryBackend;
use crate::value::{from_json, Value};
use proptest::prelude::*;
use serde_json::json;

const NOW: f64 = 1_750_000_000_000.0;
const CATEGORIES: [&str; 4] = ["Candles", "Mugs", "Tea", "Lamps"];

fn neighbours(n: usize) -> impl Strategy<Value = Neighbours> {
    // Self-links, repeated targets and zero weights included: ranking must cope with any
    // valid file.
    proptest::collection::vec(
        proptest::collection::vec((0..n as u32, prop_oneof![Just(0.0f32), 0.0..5.0f32]), 0..6),
        n,
    )
    .prop_map(|mut rows| {
        for r in &mut rows {
            r.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        Neighbours::from_rows(rows)
    })
}

fn model() -> impl Strategy<Value = Model> {
    (1..40usize, 0..3usize)
        .prop_flat_map(|(n, dims)| {
            (
                proptest::collection::vec(
                    (
                        prop_oneof![Just(NONE), 0..CATEGORIES.len() as u32],
                        prop_oneof![Just(NONE), 0..2u32],
                        prop_oneof![Just(f32::NAN), 0.0..200.0f32],
                        proptest::bool::weighted(0.7),
                        proptest::bool::weighted(0.1),
                        0.0..10.0f32,
                        0.0..10.0f32,
                    ),
                    n,
                ),
                neighbours(n),
                neighbours(n),
                proptest::collection::vec(-1.0..1.0f32, n * dims),
                Just(dims),
            )
        })
        .prop_map(|(items, co_purchase, co_view, embeddings, dims)| {
            let n = items.len();
            let p = ModelParts {
                ids: (0..n).map(|i| format!("i{i}")).collect(),
                titles: (0..n).map(|_| "").collect(),
                category: items.iter().map(|x| x.0).collect(),
                categories: CATEGORIES.into_iter().collect(),
                brand: items.iter().map(|x| x.1).collect(),
                brands: ["Lumen", "Clay"].into_iter().collect(),
                price: items.iter().map(|x| x.2).collect(),
                in_stock: items.iter().map(|x| x.3).collect(),
                sensitive: items.iter().map(|x| x.4).collect(),
                popularity: items.iter().map(|x| x.5).collect(),
                trending: items.iter().map(|x| x.6).collect(),
                co_purchase,
                co_view,
                dims,
                embeddings: embeddings.into(),
                ..Default::default()
            };
            Model::from_parts(p).unwrap_or_else(|e| panic!("{e}"))
        })
}

/// An id of the catalog (most of the time) or one it does not know.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![9 => (0..40u32).prop_map(|i| format!("i{i}")), 1 => Just("unknown".to_owned())]
}

fn events() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = [
        "Product Viewed",
        "Product Added",
        "Order Completed",
        "Product Removed",
    ];
    proptest::collection::vec((proptest::sample::select(names.to_vec()), id()), 0..40)
        .prop_map(|v| v.into_iter().map(|(n, i)| (n.to_owned(), i)).collect())
}

fn request() -> impl Strategy<Value = serde_json::Value> {
    let scenarios = [
        "for_you",
        "similar",
        "bought_together",
        "trending",
        "recently_viewed",
        "buy_again",
        "cart",
    ];
    (
        proptest::sample::select(scenarios.to_vec()),
        id(),
        proptest::collection::vec(id(), 0..3),
        1..=100u32,
        proptest::collection::vec(id(), 0..8),
        (
            proptest::option::of(proptest::sample::subsequence(CATEGORIES.to_vec(), 1..3)),
            proptest::option::of(0.0..100.0f64),
            proptest::option::of(100.0..300.0f64),
            proptest::option::of(any::<bool>()),
        ),
        (0.0..=1.0f64, prop_oneof![Just(0.0), 0.0..=1.0f64]),
        prop_oneof![Just(json!(false)), Just(json!(true)), Just(json!(["Tea"]))],
    )
        .prop_map(
            |(scenario, item, items, k, exclude, (cats, lo, hi, in_stock), (div, explore), ep)| {
                let mut filter = json!({});
                if let Some(c) = cats {
                    filter["category"] = json!(c);
                }
                if let Some(lo) = lo {
                    filter["minPrice"] = json!(lo);
                }
                if let Some(hi) = hi {
                    filter["maxPrice"] = json!(hi);
                }
                if let Some(s) = in_stock {
                    filter["inStock"] = json!(s);
                }
                json!({"scenario": scenario, "itemId": item, "itemIds": items, "k": k,
                    "exclude": exclude, "filter": filter, "diversity": div, "explore": explore,
                    "excludePurchased": ep})
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn recommendations_keep_every_rule(
        m in model(),
        events in events(),
        requests in proptest::collection::vec(request(), 1..6),
        seed in any::<u64>(),
    ) {
        let opts = OpenOptions {
            model: m.clone(),
            consent: ConsentInput::parse(
                "open",
                &from_json(&json!({"personalization": true})),
                crate::policy::TcfPurposes::Core,
            )
                .ok(),
            storage: StorageChoice::Memory,
            namespace: "vitrine".into(),
            policy: Policy::default(),
            currency: None,
        };
        let env = Env { now: NOW, seed, gpc: false };
        let mut s = Session::open(opts, Box::new(MemoryBackend::new()), env);
        for (name, id) in &events {
            let props = from_json(&json!({ "product_id": id }));
            s.track(&Value::from(name.as_str()), &props, &Value::Undefined, NOW).unwrap();
        }
        let export = s.export(NOW).profile.unwrap();
        let bought: Vec<&str> = export.purchases.iter().map(|p| p.item_id.as_str()).collect();
        let cart: Vec<&str> = export.cart.iter().map(|c| c.value.as_str()).collect();
        for r in &requests {
            let v = from_json(r);
            let req = Request::parse(&v).unwrap();
            let recs = s.recommend(&v, NOW).unwrap();
            check::recommendations(&m, &req, &recs);
            for x in &recs {
                if req.exclude_purchased {
                    prop_assert!(!bought.contains(&x.item_id.as_str()), "{} was bought: {r} {recs:?} {bought:?}", x.item_id);
                }
                use crate::recommend::Scenario::{BuyAgain, Cart, ForYou};
                let own_shelf = matches!(req.scenario, ForYou | BuyAgain);
                if own_shelf || (req.scenario == Cart && req.anchors.is_empty()) {
                    prop_assert!(!cart.contains(&x.item_id.as_str()), "{} is in the cart: {r}", x.item_id);
                }
                if req.scenario.is_personal() {
                    let i = m.index_of(&x.item_id).unwrap();
                    prop_assert!(!m.sensitive(i), "{} is sensitive", x.item_id);
                }
            }
        }
    }
}

/// Parts as explanations make them: few distinct reasons, repeated ones, ties and zeros.
fn parts() -> impl Strategy<Value = Vec<(super::explain::Reason, f32)>> {
    use super::explain::Reason;
    let reason = prop_oneof![
        Just(Reason::BoughtBefore),
        Just(Reason::ViewedBefore),
        Just(Reason::PriceRange),
        (0..3u32).prop_map(Reason::LikesCategory),
        (0..3u32).prop_map(Reason::Viewed),
    ];
    let contribution = prop_oneof![Just(0.0f32), Just(1e-7), Just(0.25), Just(0.5), 0.0..1.0f32];
    proptest::collection::vec((reason, contribution), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A part `outranked` says cannot be shown changes nothing `rank` picks, so explanations
    /// may leave it out (and skip what it costs to name it).
    #[test]
    fn an_outranked_part_is_never_shown(
        parts in parts(),
        c in prop_oneof![Just(0.0f32), Just(0.25), Just(0.5), 0.0..1.0f32],
        max in 1..4usize,
    ) {
        use super::explain::{outranked, rank, Reason};
        let mut shown = parts.clone();
        shown.push((Reason::SimilarTo(99), c));
        rank(&mut shown, max);
        prop_assert_eq!(
            outranked(&parts, c, max),
            !shown.iter().any(|x| x.0 == Reason::SimilarTo(99))
        );
    }
}
