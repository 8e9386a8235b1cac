//! Seeded synthetic retail data: customers with a few favourite themes who re-buy their staples
//! and add neighbours of them, over a catalog whose popularity is skewed. Used by the replay test
//! in `make test` and for the 20-million-line build benchmark; never a substitute for real data.

use super::basket::{Order, DAY_MS};
use crate::rng::Rng;
use std::io::Write;

/// The shape of a synthetic shop.
#[derive(Clone, Debug)]
pub struct Shop {
    pub customers: usize,
    pub items: usize,
    /// Items per theme (items `t·size .. (t+1)·size`).
    pub theme_size: usize,
    pub orders_per_customer: usize,
    pub start_ms: i64,
    pub days: i64,
    pub seed: u64,
}

impl Default for Shop {
    fn default() -> Self {
        Shop {
            customers: 400,
            items: 300,
            theme_size: 30,
            orders_per_customer: 8,
            start_ms: 1_293_840_000_000, // 2011-01-01
            days: 180,
            seed: 1,
        }
    }
}

/// Skewed pick in `0..n`: small indexes are far more likely.
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let u = rng.unit();
    ((u * u * u) * n as f64) as usize % n.max(1)
}

/// Every order of the shop, customer by customer. Each customer has one or two themes and a few
/// staples inside them, bought again with probability 0.5 per order; the rest of each basket
/// comes from the themes, favouring each theme's first (most popular) items.
pub fn orders(s: &Shop, mut each: impl FnMut(Order)) {
    let mut rng = Rng::new(s.seed);
    let themes = (s.items / s.theme_size.max(1)).max(1);
    for c in 0..s.customers {
        let mine: Vec<usize> = (0..1 + rng.below(2))
            .map(|_| skewed(&mut rng, themes))
            .collect();
        let pick = |rng: &mut Rng| {
            let t = mine[rng.below(mine.len())];
            (t * s.theme_size + skewed(rng, s.theme_size)) % s.items
        };
        let staples: Vec<usize> = (0..2 + rng.below(4)).map(|_| pick(&mut rng)).collect();
        let mut t = s.start_ms + rng.below((s.days * DAY_MS / 4) as usize) as i64;
        for o in 0..s.orders_per_customer {
            let mut lines: Vec<(String, f64, f64)> = Vec::new();
            let mut add = |item: usize, rng: &mut Rng| {
                let id = format!("sku-{item}");
                if !lines.iter().any(|l| l.0 == id) {
                    lines.push((id, 1.0 + rng.below(6) as f64, 1.0 + (item % 13) as f64));
                }
            };
            for &st in &staples {
                if rng.unit() < 0.5 {
                    add(st, &mut rng);
                }
            }
            for _ in 0..1 + rng.below(6) {
                let item = pick(&mut rng);
                add(item, &mut rng);
            }
            each(Order {
                customer: format!("c{c}"),
                id: format!("c{c}-o{o}"),
                time: t,
                lines,
            });
            t += DAY_MS
                + rng.below((s.days * DAY_MS / s.orders_per_customer as i64) as usize) as i64;
        }
    }
}

/// Writes order lines in the builder's CSV format until `lines` lines are written; returns the
/// number written. Orders are interleaved in the file in customer order, not time order, so the
/// builder cannot rely on sorted input.
pub fn write_lines(s: &Shop, lines: u64, w: &mut impl Write) -> std::io::Result<u64> {
    writeln!(w, "user_id,order_id,item_id,quantity,price,timestamp")?;
    let mut written = 0u64;
    let mut err = None;
    let mut shop = s.clone();
    while written < lines && err.is_none() {
        orders(&shop, |o| {
            for (item, q, p) in &o.lines {
                if written >= lines || err.is_some() {
                    return;
                }
                if let Err(e) = writeln!(
                    w,
                    "{},{}-{},{item},{q},{p},{}",
                    o.customer, shop.seed, o.id, o.time
                ) {
                    err = Some(e);
                    return;
                }
                written += 1;
            }
        });
        shop.seed += 1;
    }
    match err {
        Some(e) => Err(e),
        None => Ok(written),
    }
}
