//! Candidate generation and scoring, one scorer per scenario. Each returns a pool of the best
//! candidates (best first) and can say, for any item of it, which features put it there.

use super::explain::Reason;
use super::kernel;
use super::represent::UserRep;
use super::rerank::{Scored, Top};
use super::rules::Rules;
use super::weights::Weights;
use crate::model::{Model, Neighbours, NONE};

/// Views that feed the `recent` part of `for_you`.
pub const RECENT_VIEWS: usize = 5;

/// Buffers reused across calls so the hot path does not allocate per item.
#[derive(Default, Debug)]
pub struct Scratch {
    /// Per item: the dense part of the score (embedding, then everything sparse added in).
    score: Vec<f32>,
    /// Per item: neighbour evidence scattered from the profile or the anchors.
    nb: Vec<f32>,
    /// Items whose `nb` is non-zero, to reset only those.
    touched: Vec<u32>,
}

impl Scratch {
    fn prepare(&mut self, n: usize) {
        self.reset();
        self.score.resize(n, 0.0);
        self.nb.resize(n, 0.0);
    }

    fn scatter(&mut self, i: u32, v: f32) {
        // Only positive evidence: a slot still at 0 is then one never touched, so `touched`
        // lists each item once. (A zero weight, which a model file may hold, listed an item
        // twice, and it came out twice.)
        if v <= 0.0 || v.is_nan() {
            return;
        }
        if let Some(slot) = self.nb.get_mut(i as usize) {
            if *slot == 0.0 {
                self.touched.push(i);
            }
            *slot += v;
        }
    }

    fn nb(&self, i: u32) -> f32 {
        self.nb.get(i as usize).copied().unwrap_or(0.0)
    }

    /// Clears the neighbour evidence (the score buffer is overwritten by every use).
    pub fn reset(&mut self) {
        for &t in &self.touched {
            if let Some(slot) = self.nb.get_mut(t as usize) {
                *slot = 0.0;
            }
        }
        self.touched.clear();
    }

    /// Bytes held by the buffers.
    pub fn memory_bytes(&self) -> usize {
        (self.score.capacity() + self.nb.capacity() + self.touched.capacity()) * 4
    }
}

/// What every scorer reads.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub rep: Option<&'a UserRep>,
    pub weights: &'a Weights,
    pub rules: &'a Rules<'a>,
}

fn row_max(w: &[f32]) -> f32 {
    w.iter().copied().fold(0.0f32, f32::max)
}

/// Scatters the neighbours of `from`, each row scaled to a best of `weight`.
fn scatter_rows(s: &mut Scratch, rel: &Neighbours, from: impl Iterator<Item = (u32, f32)>) {
    for (item, weight) in from {
        let (targets, ws) = rel.of(item);
        let max = row_max(ws);
        if max <= 0.0 || weight <= 0.0 {
            continue;
        }
        for (&t, &w) in targets.iter().zip(ws) {
            // Scaled first: `weight · w` overflows to infinity for weights near f32::MAX.
            s.scatter(t, weight * (w / max));
        }
    }
}

/// The anchor with the largest `weight · (row weight / row max)` towards `target`.
fn best_source(
    rel: &Neighbours,
    from: impl Iterator<Item = (u32, f32)>,
    target: u32,
) -> Option<(u32, f32)> {
    let mut best: Option<(u32, f32)> = None;
    for (item, weight) in from {
        let (targets, ws) = rel.of(item);
        let max = row_max(ws);
        if let Some(p) = targets.iter().position(|&t| t == target) {
            let v = weight * (ws.get(p).copied().unwrap_or(0.0) / max.max(f32::MIN_POSITIVE));
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((item, v));
            }
        }
    }
    best
}

fn pool_dense(ctx: &Ctx<'_>, s: &Scratch, m: usize, attrs: impl Fn(u32) -> f32) -> Vec<Scored> {
    let mut top = Top::new(m);
    for (i, &base) in s.score.iter().enumerate() {
        let i = i as u32;
        if ctx.rules.allows(i) {
            top.push(base + attrs(i), i);
        }
    }
    top.into_sorted()
}

/// The shopper's own shelf.
pub struct ForYou<'a> {
    ctx: &'a Ctx<'a>,
    rep: &'a UserRep,
    nb_max: f32,
}

impl<'a> ForYou<'a> {
    pub fn new(ctx: &'a Ctx<'a>, rep: &'a UserRep) -> Self {
        ForYou {
            ctx,
            rep,
            nb_max: 0.0,
        }
    }

    fn attrs(&self, i: u32) -> [f32; 5] {
        let (m, r, w) = (self.ctx.model, self.rep, &self.ctx.weights.for_you);
        [
            w.category * r.category_affinity(m, i),
            w.brand * r.brand_affinity(m, i),
            w.price * r.price_fit(m, i),
            w.popularity * m.popularity(i),
            w.trending * m.trending(i),
        ]
    }

    fn interests(&self) -> impl Iterator<Item = (u32, f32)> + 'a {
        self.rep.items.iter().map(|x| (x.item, x.weight))
    }

    /// The last views, the most recent weighing 1 and each earlier one half the next.
    fn recent(&self) -> impl Iterator<Item = (u32, f32)> + 'a {
        self.rep
            .recent
            .iter()
            .take(RECENT_VIEWS)
            .scan(1.0f32, |w, &(i, _)| {
                let out = (i, *w);
                *w *= 0.5;
                Some(out)
            })
    }

    /// Adds `weight · decay · (w / row max)` of the recent views' neighbours to the score.
    fn add_recent(&self, s: &mut Scratch) {
        let (model, w) = (self.ctx.model, self.ctx.weights.for_you.recent);
        if w <= 0.0 {
            return;
        }
        for (rel, share) in [(model.co_view(), 1.0), (model.co_purchase(), 0.5)] {
            for (item, decay) in self.recent() {
                let (targets, ws) = rel.of(item);
                let max = row_max(ws);
                if max <= 0.0 {
                    continue;
                }
                for (&t, &x) in targets.iter().zip(ws) {
                    if let Some(v) = s.score.get_mut(t as usize) {
                        *v += w * share * decay * x / max;
                    }
                }
            }
        }
    }

    pub fn pool(&mut self, s: &mut Scratch, m: usize) -> Vec<Scored> {
        let (model, rep, w) = (self.ctx.model, self.rep, &self.ctx.weights.for_you);
        s.prepare(model.len());
        kernel::dot_rows(
            model.embeddings(),
            model.dims(),
            &rep.embedding,
            w.embedding,
            &mut s.score,
        );
        scatter_rows(s, model.co_purchase(), self.interests());
        scatter_rows(
            s,
            model.co_view(),
            self.interests().map(|(i, x)| (i, x * 0.5)),
        );
        self.nb_max = s.touched.iter().map(|&t| s.nb(t)).fold(0.0, f32::max);
        let scale = if self.nb_max > 0.0 {
            w.neighbours / self.nb_max
        } else {
            0.0
        };
        for &t in &s.touched {
            if let Some(x) = s.score.get_mut(t as usize) {
                *x += scale * s.nb.get(t as usize).copied().unwrap_or(0.0);
            }
        }
        self.add_recent(s);
        for &(i, p) in &rep.purchases {
            if let Some(x) = s.score.get_mut(i as usize) {
                *x += w.buy_again * p;
            }
        }
        for x in &rep.items {
            if let Some(v) = s.score.get_mut(x.item as usize) {
                *v += w.interest * x.weight;
            }
        }
        pool_dense(self.ctx, s, m, |i| self.attrs(i).iter().sum())
    }

    pub fn explain(&self, s: &Scratch, i: u32) -> Vec<(Reason, f32)> {
        let (model, rep, w) = (self.ctx.model, self.rep, &self.ctx.weights.for_you);
        let (c, b) = (model.category(i), model.brand(i));
        let [cat, brand, price, pop, trend] = self.attrs(i);
        let mut parts = vec![
            (Reason::BoughtBefore, w.buy_again * rep.propensity(i)),
            (Reason::LikesCategory(c), cat),
            (Reason::LikesBrand(b), brand),
            (Reason::PriceRange, price),
            (Reason::Popular(c), pop),
            (Reason::Trending(c), trend),
        ];
        if let Some(x) = rep.interest(i) {
            let r = if x.bought {
                Reason::BoughtBefore
            } else {
                Reason::ViewedBefore
            };
            parts.push((r, w.interest * x.weight));
        }
        if self.nb_max > 0.0 && s.nb(i) > 0.0 {
            let src = best_source(model.co_purchase(), self.interests(), i)
                .into_iter()
                .chain(best_source(model.co_view(), self.interests(), i))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((j, _)) = src {
                let bought = rep.interest(j).is_some_and(|x| x.bought);
                let r = if bought {
                    Reason::Bought(j)
                } else {
                    Reason::Viewed(j)
                };
                parts.push((r, w.neighbours * s.nb(i) / self.nb_max));
            }
        }
        if let Some((j, v)) = best_source(model.co_view(), self.recent(), i) {
            parts.push((Reason::Viewed(j), w.recent * v));
        }
        if let (Some(e), false) = (model.embedding(i), rep.embedding.is_empty()) {
            let closest = rep
                .items
                .iter()
                .filter(|x| x.item != i)
                .filter_map(|x| {
                    model
                        .embedding(x.item)
                        .map(|ej| (x.item, x.weight * kernel::dot(ej, e)))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((j, _)) = closest {
                parts.push((
                    Reason::SimilarTo(j),
                    w.embedding * kernel::dot(&rep.embedding, e).max(0.0),
                ));
            }
        }
        parts
    }
}

/// Items like the one(s) on screen.
pub struct Similar<'a> {
    ctx: &'a Ctx<'a>,
    anchors: &'a [u32],
    categories: Vec<u32>,
    brands: Vec<u32>,
    tags: Vec<u32>,
    price: Option<f32>,
    embedding: Vec<f32>,
}

impl<'a> Similar<'a> {
    pub fn new(ctx: &'a Ctx<'a>, anchors: &'a [u32]) -> Self {
        let m = ctx.model;
        let mut categories: Vec<u32> = anchors
            .iter()
            .map(|&a| m.category(a))
            .filter(|&c| c != NONE)
            .collect();
        let mut brands: Vec<u32> = anchors
            .iter()
            .map(|&a| m.brand(a))
            .filter(|&b| b != NONE)
            .collect();
        let mut tags: Vec<u32> = anchors
            .iter()
            .flat_map(|&a| m.tags(a).iter().copied())
            .collect();
        for v in [&mut categories, &mut brands, &mut tags] {
            v.sort_unstable();
            v.dedup();
        }
        let prices: Vec<f32> = anchors.iter().filter_map(|&a| m.price(a)).collect();
        let price = (!prices.is_empty()).then(|| prices.iter().sum::<f32>() / prices.len() as f32);
        let mut embedding = vec![0.0f32; m.dims()];
        for &a in anchors {
            if let Some(e) = m.embedding(a) {
                embedding.iter_mut().zip(e).for_each(|(u, x)| *u += x);
            }
        }
        let norm = embedding.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            embedding.iter_mut().for_each(|x| *x /= norm);
        } else {
            embedding.clear();
        }
        Similar {
            ctx,
            anchors,
            categories,
            brands,
            tags,
            price,
            embedding,
        }
    }

    fn anchors(&self, weight: f32) -> impl Iterator<Item = (u32, f32)> + 'a {
        self.anchors.iter().map(move |&a| (a, weight))
    }

    fn attrs(&self, i: u32) -> [f32; 6] {
        let (m, w) = (self.ctx.model, &self.ctx.weights.similar);
        let same_cat = self.categories.binary_search(&m.category(i)).is_ok();
        let same_brand = self.brands.binary_search(&m.brand(i)).is_ok();
        let t = m.tags(i);
        let tags = if t.is_empty() || self.tags.is_empty() {
            0.0
        } else {
            let common = t
                .iter()
                .filter(|x| self.tags.binary_search(x).is_ok())
                .count();
            common as f32 / (t.len() + self.tags.len() - common) as f32
        };
        let price = match (self.price, m.price(i)) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 => a.min(b) / a.max(b),
            _ => 0.0,
        };
        let personal = self.ctx.rep.map_or(0.0, |r| {
            0.5 * (r.category_affinity(m, i) + r.brand_affinity(m, i))
        });
        [
            if same_cat { w.category } else { 0.0 },
            if same_brand { w.brand } else { 0.0 },
            w.tags * tags,
            w.price * price,
            w.popularity * m.popularity(i),
            w.personal * personal,
        ]
    }

    pub fn pool(&self, s: &mut Scratch, m: usize) -> Vec<Scored> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.similar);
        s.prepare(model.len());
        kernel::dot_rows(
            model.embeddings(),
            model.dims(),
            &self.embedding,
            w.embedding,
            &mut s.score,
        );
        scatter_rows(s, model.co_view(), self.anchors(w.co_view));
        scatter_rows(s, model.co_purchase(), self.anchors(w.co_purchase));
        for &t in &s.touched {
            if let Some(x) = s.score.get_mut(t as usize) {
                *x += s.nb.get(t as usize).copied().unwrap_or(0.0);
            }
        }
        pool_dense(self.ctx, s, m, |i| self.attrs(i).iter().sum())
    }

    pub fn explain(&self, i: u32) -> Vec<(Reason, f32)> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.similar);
        let (c, b) = (model.category(i), model.brand(i));
        let [cat, brand, tags, price, pop, personal] = self.attrs(i);
        let first = self.anchors.first().copied().unwrap_or(0);
        let mut parts = vec![
            (Reason::SameCategory(c), cat),
            (Reason::SameBrand(b), brand),
            (Reason::SimilarTo(first), tags),
            (Reason::SimilarPrice, price),
            (Reason::Popular(c), pop),
            (Reason::LikesCategory(c), personal),
        ];
        if let Some((a, v)) = best_source(model.co_view(), self.anchors(w.co_view), i) {
            parts.push((Reason::ViewedWith(a), v));
        }
        if let Some((a, v)) = best_source(model.co_purchase(), self.anchors(w.co_purchase), i) {
            parts.push((Reason::BoughtWith(a), v));
        }
        if let (Some(e), false) = (model.embedding(i), self.embedding.is_empty()) {
            let closest = self
                .anchors
                .iter()
                .filter_map(|&a| model.embedding(a).map(|ea| (a, kernel::dot(ea, e))))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((a, _)) = closest {
                parts.push((
                    Reason::SimilarTo(a),
                    w.embedding * kernel::dot(&self.embedding, e).max(0.0),
                ));
            }
        }
        parts
    }
}

/// What goes with the anchor items: `bought_together` (item on screen) and `cart`.
pub struct Together<'a> {
    ctx: &'a Ctx<'a>,
    anchors: &'a [u32],
    cart: bool,
}

impl<'a> Together<'a> {
    pub fn new(ctx: &'a Ctx<'a>, anchors: &'a [u32], cart: bool) -> Self {
        Together { ctx, anchors, cart }
    }

    fn anchors(&self, weight: f32) -> impl Iterator<Item = (u32, f32)> + 'a {
        self.anchors.iter().map(move |&a| (a, weight))
    }

    fn extra(&self, i: u32) -> [f32; 2] {
        let (m, w) = (self.ctx.model, &self.ctx.weights.together);
        let personal = self.ctx.rep.map_or(0.0, |r| {
            0.5 * (r.category_affinity(m, i) + r.brand_affinity(m, i))
        });
        [w.popularity * m.popularity(i), w.personal * personal]
    }

    pub fn pool(&self, s: &mut Scratch, m: usize) -> Vec<Scored> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.together);
        s.prepare(model.len());
        scatter_rows(s, model.co_purchase(), self.anchors(w.co_purchase));
        scatter_rows(s, model.co_view(), self.anchors(w.co_view));
        let mut top = Top::new(m);
        let mut found = 0;
        for &t in &s.touched {
            if self.ctx.rules.allows(t) {
                top.push(s.nb(t) + self.extra(t).iter().sum::<f32>(), t);
                found += 1;
            }
        }
        // Too few neighbours: fill with what is popular.
        for &i in model.by_popularity() {
            if found >= m {
                break;
            }
            if s.nb(i) == 0.0 && self.ctx.rules.allows(i) {
                top.push(self.extra(i).iter().sum(), i);
                found += 1;
            }
        }
        top.into_sorted()
    }

    pub fn explain(&self, i: u32) -> Vec<(Reason, f32)> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.together);
        let c = model.category(i);
        let [pop, personal] = self.extra(i);
        let mut parts = vec![
            (Reason::Popular(c), pop),
            (Reason::LikesCategory(c), personal),
        ];
        if let Some((a, v)) = best_source(model.co_purchase(), self.anchors(w.co_purchase), i) {
            let r = if self.cart {
                Reason::CartWith(a)
            } else {
                Reason::BoughtWith(a)
            };
            parts.push((r, v));
        }
        if let Some((a, v)) = best_source(model.co_view(), self.anchors(w.co_view), i) {
            parts.push((Reason::ViewedWith(a), v));
        }
        parts
    }
}

/// Recency-weighted popularity, straight from the model (popularity when the model has no
/// trending signal).
pub fn trending(ctx: &Ctx<'_>, m: usize) -> Vec<Scored> {
    let model = ctx.model;
    let use_trend = model
        .by_trending()
        .first()
        .is_some_and(|&i| model.trending(i) > 0.0);
    type Value = fn(&Model, u32) -> f32;
    let (order, value): (&[u32], Value) = if use_trend {
        (model.by_trending(), Model::trending)
    } else {
        (model.by_popularity(), Model::popularity)
    };
    order
        .iter()
        .filter(|&&i| ctx.rules.allows(i))
        .take(m)
        .map(|&i| Scored {
            score: value(model, i).max(f32::MIN_POSITIVE),
            item: i,
        })
        .collect()
}

/// The shopper's recently viewed items, most recent first.
pub fn recently_viewed(ctx: &Ctx<'_>, rep: &UserRep, m: usize) -> Vec<Scored> {
    rep.recent
        .iter()
        .filter(|(i, _)| ctx.rules.allows(*i))
        .take(m)
        .enumerate()
        .map(|(rank, &(i, _))| Scored {
            score: 1.0 / (1.0 + rank as f32),
            item: i,
        })
        .collect()
}

/// The shopper's past purchases, by repeat propensity.
pub fn buy_again(ctx: &Ctx<'_>, rep: &UserRep, m: usize) -> Vec<Scored> {
    let mut top = Top::new(m);
    for &(i, p) in &rep.purchases {
        if ctx.rules.allows(i) {
            top.push(p.max(f32::MIN_POSITIVE), i);
        }
    }
    top.into_sorted()
}
