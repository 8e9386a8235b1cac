//! The next-basket replay of `vitrine-eval uci`, on a small seeded synthetic shop: the model is
//! built from the training orders with the real builder, each test customer's history is tracked
//! through a fresh `Session`, and `for_you` must beat the peers on the same split.

use std::collections::HashMap;
use vitrine::eval::basket::{self, Split, DAY_MS};
use vitrine::eval::synth::{orders, Shop};
use vitrine::model::build::Options;
use vitrine::recommend::Weights;

#[test]
fn for_you_beats_pop_and_topfreq_on_a_synthetic_shop() {
    let shop = Shop::default();
    let mut all = Vec::new();
    orders(&shop, |o| all.push(o));
    let split = Split::new(all, shop.start_ms + 80 * DAY_MS);
    assert!(
        split.test.len() > 200,
        "{} test customers",
        split.test.len()
    );
    let dir = std::env::temp_dir().join(format!("vitrine-replay-{}", std::process::id()));
    let o = Options {
        temp_dir: dir.clone(),
        dims: 16,
        ..Options::default()
    };
    let model = basket::build_model(&split, &HashMap::new(), &dir, &o).unwrap();
    let k = 10;
    let pop = basket::evaluate_pop(&split, k);
    let topfreq = basket::evaluate_topfreq(&split, k);
    let vitrine = basket::evaluate_vitrine(&model, &split, &[Weights::default()], 45.0, k);
    let v = &vitrine[0];
    eprintln!("POP {pop:?}\nTOPFREQ {topfreq:?}\nvitrine {v:?}");
    assert_eq!(v.cases, split.test.len());
    assert!(
        v.recall > 1.5 * pop.recall,
        "vitrine {} vs POP {}",
        v.recall,
        pop.recall
    );
    assert!(
        v.recall > topfreq.recall,
        "vitrine {} vs TOPFREQ {}",
        v.recall,
        topfreq.recall
    );
    assert!(
        v.ndcg > topfreq.ndcg,
        "vitrine {} vs TOPFREQ {}",
        v.ndcg,
        topfreq.ndcg
    );
    let _ = std::fs::remove_dir_all(&dir);
}
