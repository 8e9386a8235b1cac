//! Candidate generation and scoring, one scorer per scenario. Each returns a pool of the best
//! candidates (best first) and can say, for any item of it, which features put it there.

use super::explain::{outranked, Reason};
use super::groups::Groups;
use super::kernel::{self, Floor, Query};
use super::represent::{model_key, Kept, UserRep};
use super::rerank::{self, Scored, Top};
use super::rules::Rules;
use super::tagged::{self, Related};
use super::weights::Weights;
use super::MAX_REASONS;
use crate::model::{max_or_zero, Model, Neighbours, NONE};

/// Views that feed the `recent` part of `for_you`.
pub const RECENT_VIEWS: usize = 5;

/// Buffers reused across calls so the hot path does not allocate per item.
#[derive(Default, Debug)]
pub struct Scratch {
    /// Per item: neighbour evidence scattered from the profile or the anchors.
    nb: Vec<f32>,
    /// Items whose `nb` is non-zero, to reset only those.
    touched: Vec<u32>,
    /// Per item with `nb`, when `for_you` scattered it: the profile item whose row gave it the
    /// largest share, and that share ([`Scratch::source`]); `sourced_by_view` has a bit set for
    /// those from a co-view row. Valid only where `nb` is non-zero: the first share an item gets
    /// in a call overwrites what an earlier call left.
    sources: Vec<(u32, f32)>,
    sourced_by_view: Vec<u32>,
    /// Per item: the sparse part of a score (neighbours, recent views, buy-again, interest).
    extra: Vec<f32>,
    /// Items with a sparse part, each once; `marks` has their bits set.
    extra_touched: Vec<u32>,
    /// One bit per item: the dense pass leaves these to the sparse pass.
    marks: Vec<u32>,
    /// Per item, `a · popularity + b · trending` for `prior_key = (a, b)`.
    prior: Vec<f32>,
    prior_key: Option<(f32, f32)>,
    /// The items by category and `prior`, in the order the dense scan meets them.
    groups: Groups,
    /// The items of each category, brand and tag (`similar`).
    related: Related,
    /// The shopper's representation, kept between calls.
    pub(super) kept: Kept,
    /// What `for_you` scored of the sparse part for a kept representation: while it holds,
    /// `nb`, `sources`, `extra` and `marks` are that call's and stay between calls.
    for_you: Option<SparseScores>,
}

/// The sparse part of `for_you` for one representation, weights and model: the items with a
/// sparse part, each either scored in full (dense + sparse) or with the upper bound of its score
/// but the dot product, and the largest neighbour evidence.
#[derive(Debug)]
struct SparseScores {
    /// `None` for a representation that is not kept (`UserRep::id` 0): used for one call only.
    tag: Option<(u64, super::weights::ForYou, (usize, usize))>,
    nb_max: f32,
    /// The items scored in full, as [`rerank::key`]s, in ascending order (the best last) when
    /// `in_order`: the call that scores them leaves them unsorted, and the next sorts them (after
    /// an event the next call has another representation and never reads them).
    scored: Vec<u64>,
    in_order: bool,
    /// The others with `base + extra`, in the same form: a call reads them from the highest
    /// down only as far as that bound, with the dot product's own, can still reach its pool.
    bounded: Vec<u64>,
    /// The dense part's category and brand terms ([`kernel::Terms`]), between calls.
    tables: (Vec<f32>, Vec<f32>),
}

impl Scratch {
    fn prepare(&mut self, n: usize) {
        self.reset();
        zeros(&mut self.nb, n);
        zeros(&mut self.extra, n);
        zeros(&mut self.marks, n.div_ceil(32));
    }

    /// [`Scratch::prepare`], and room for the sources `for_you` keeps.
    fn prepare_sources(&mut self, n: usize) {
        self.prepare(n);
        zeros(&mut self.sources, n);
        zeros(&mut self.sourced_by_view, n.div_ceil(32));
    }

    /// Adds `v` to item `i`'s neighbour evidence. With `from`, also offers `from`'s unscaled
    /// share `(item, share, by_view)` as `i`'s source.
    #[inline(always)]
    fn scatter(&mut self, i: u32, v: f32, from: Option<(u32, f32, bool)>) {
        // Only positive evidence: a slot still at 0 is then one never touched, so `touched`
        // lists each item once. (A zero weight, which a model file may hold, listed an item
        // twice, and it came out twice.)
        if v <= 0.0 || v.is_nan() {
            return;
        }
        let Some(slot) = self.nb.get_mut(i as usize) else {
            return;
        };
        let first = *slot == 0.0;
        if first {
            self.touched.push(i);
        }
        *slot += v;
        if let Some(offer) = from {
            self.offer_source(i, first, offer);
        }
    }

    /// Keeps `(item, share)` as `i`'s source when it is the first this call, or beats the one
    /// kept: co-purchase rows are scattered first and co-view rows after, and the source is the
    /// first largest share of each relation, the co-view one when the two are equal (what
    /// comparing each relation's best, the later winning ties, gives).
    #[inline(always)]
    fn offer_source(&mut self, i: u32, first: bool, (item, share, by_view): (u32, f32, bool)) {
        let Some((kept, word, bit)) =
            entry_and_bit(&mut self.sources, &mut self.sourced_by_view, i)
        else {
            return;
        };
        let kept_by_view = *word & bit != 0;
        let wins = first || share > kept.1 || (by_view && !kept_by_view && share == kept.1);
        if wins {
            *kept = (item, share);
            if by_view {
                *word |= bit;
            } else {
                *word &= !bit;
            }
        }
    }

    /// The profile item whose neighbour row gave item `i` its largest share in the last
    /// `for_you` scatter (see [`Scratch::offer_source`]); `None` when it got none.
    fn source(&self, i: u32) -> Option<u32> {
        (self.nb(i) > 0.0)
            .then(|| self.sources.get(i as usize).map(|s| s.0))
            .flatten()
    }

    fn nb(&self, i: u32) -> f32 {
        self.nb.get(i as usize).copied().unwrap_or(0.0)
    }

    /// Adds to item `i`'s sparse part and marks it.
    fn add(&mut self, i: u32, v: f32) {
        let Some((slot, word, bit)) = entry_and_bit(&mut self.extra, &mut self.marks, i) else {
            return;
        };
        if *word & bit == 0 {
            *word |= bit;
            self.extra_touched.push(i);
        }
        *slot += v;
    }

    fn marked(&self, i: u32) -> bool {
        tagged::has(&self.marks, i)
    }

    fn extra(&self, i: u32) -> f32 {
        self.extra.get(i as usize).copied().unwrap_or(0.0)
    }

    /// [`Scratch::source`], for tests.
    #[cfg(test)]
    pub fn source_of(&self, i: u32) -> Option<u32> {
        self.source(i)
    }

    /// Item `i`'s sparse part from the last pool (for tests).
    #[cfg(test)]
    pub fn extra_of(&self, i: u32) -> f32 {
        if self.marked(i) {
            self.extra(i)
        } else {
            0.0
        }
    }

    /// Fills `prior` with `a · popularity + b · trending` per item, and `groups` in its order,
    /// once per `(a, b)`.
    fn ensure_prior(&mut self, model: &Model, a: f32, b: f32) {
        if self.prior_key != Some((a, b)) || self.prior.len() != model.len() {
            self.prior.clear();
            self.prior.extend(
                (0..model.len() as u32).map(|i| a * model.popularity(i) + b * model.trending(i)),
            );
            self.prior_key = Some((a, b));
            let (p, prior) = (model.parts(), &self.prior);
            let row = |i| kernel::Row::of(prior, &p.category, &p.brand, model.bands(), i);
            self.groups = Groups::new(prior.len(), row, model.category_count() + 1);
        }
    }

    /// Drops what the buffers keep of a profile between calls (the representation, the sparse
    /// part `for_you` scored from it, and which of the shopper's items gave each item its
    /// neighbour share): a withdrawal or an erasure leaves nothing of it here.
    pub fn forget(&mut self) {
        self.reset();
        self.kept = Kept::default();
        self.sources = Vec::new();
        self.sourced_by_view = Vec::new();
    }

    /// Whether the buffers keep anything of a profile ([`Scratch::forget`]).
    pub fn holds_profile(&self) -> bool {
        self.kept.holds()
            || !self.sources.is_empty()
            || self.for_you.is_some()
            || !self.touched.is_empty()
            || !self.extra_touched.is_empty()
    }

    /// Ends a call: clears the sparse parts, unless they are `for_you`'s for a kept
    /// representation (the next `for_you` for it reuses them).
    pub fn finish(&mut self) {
        if self.for_you.as_ref().is_none_or(|k| k.tag.is_none()) {
            self.reset();
        }
    }

    /// Clears the sparse parts.
    pub fn reset(&mut self) {
        self.for_you = None;
        for &t in &self.touched {
            if let Some(slot) = self.nb.get_mut(t as usize) {
                *slot = 0.0;
            }
        }
        self.touched.clear();
        for &t in &self.extra_touched {
            if let Some(slot) = self.extra.get_mut(t as usize) {
                *slot = 0.0;
            }
            if let Some(w) = self.marks.get_mut(t as usize / 32) {
                *w = 0;
            }
        }
        self.extra_touched.clear();
    }

    /// Bytes held by the buffers.
    pub fn memory_bytes(&self) -> usize {
        (self.nb.capacity()
            + self.touched.capacity()
            + 2 * self.sources.capacity()
            + self.sourced_by_view.capacity()
            + self.extra.capacity()
            + self.extra_touched.capacity()
            + self.marks.capacity()
            + self.prior.capacity())
            * 4
            + self.groups.memory_bytes()
            + self.related.memory_bytes()
            + self.kept.memory_bytes()
            + self.for_you.as_ref().map_or(0, |k| {
                (k.scored.capacity() + k.bounded.capacity()) * 8
                    + (k.tables.0.capacity() + k.tables.1.capacity()) * 4
            })
    }
}

/// Sorts [`rerank::key`]s in ascending order of their scores, by a radix sort of the scores' bits
/// (a heapsort through a comparison closure was a quarter of a `for_you` after an event). Equal
/// scores come in any order: the pool reads these lists only as far as a score can enter, which
/// equal scores both can or both cannot, and leaves ties to [`Top::push`].
fn by_score(keys: &mut Vec<u64>) {
    crate::sort::sort_by_high(keys);
}

/// Makes `v` `n` long, the new entries zero. An empty `v` gets a zeroed allocation (fresh memory
/// is zero already): `resize` wrote each entry, 3 ms of a session's first `for_you` at 100,000
/// items, run before the engine optimizes the code (bench/first.mjs: 20.4 → 17.3 ms).
fn zeros<T: Clone + Default>(v: &mut Vec<T>, n: usize) {
    if v.is_empty() {
        *v = vec![T::default(); n];
    } else {
        v.resize(n, T::default());
    }
}

/// Item `i`'s entry of `values`, its word of the bitset `bits`, and its bit in that word.
#[inline(always)]
fn entry_and_bit<'a, T>(
    values: &'a mut [T],
    bits: &'a mut [u32],
    i: u32,
) -> Option<(&'a mut T, &'a mut u32, u32)> {
    let bit = 1u32 << (i % 32);
    Some((
        values.get_mut(i as usize)?,
        bits.get_mut(i as usize / 32)?,
        bit,
    ))
}

/// Dot products of the catalog's rows with one vector: the int8 codes (or, when the model asks
/// for the exact scan, the f32 rows).
pub struct Dots<'a> {
    model: &'a Model,
    u: &'a [f32],
    q: Option<Query>,
}

impl<'a> Dots<'a> {
    /// `u` is unit length and as wide as the model's embeddings; anything else gives zeros.
    pub fn new(model: &'a Model, u: &'a [f32]) -> Self {
        let usable = model.dims() > 0 && u.len() == model.dims();
        let q = (usable && !model.exact_scan()).then(|| Query::new(u, model.quantized().stride));
        Dots {
            model,
            u: if usable { u } else { &[] },
            q,
        }
    }

    /// Calls `f(i, dot_i)` for every item, in order: one pass over the rows.
    pub fn each(&self, mut f: impl FnMut(u32, f32)) {
        let m = self.model;
        match (&self.q, self.u.is_empty()) {
            (Some(q), _) => kernel::scan(m.quantized(), q, |i, x| f(i as u32, x)),
            (None, false) => {
                for (i, row) in m.embeddings().chunks_exact(m.dims()).enumerate() {
                    f(i as u32, kernel::dot(row, self.u));
                }
            }
            (None, true) => (0..m.len() as u32).for_each(|i| f(i, 0.0)),
        }
    }

    /// [`Dots::each`] for a caller that keeps a threshold ([`kernel::scan_above`]): `f(i, dot_i)`
    /// only for the items whose `floor.upper(dot_i)` reaches it (`start`, then what `f` returns).
    pub fn each_above(&self, floor: Floor, start: f32, mut f: impl FnMut(u32, f32) -> f32) {
        if let Some(q) = &self.q {
            return kernel::scan_above(self.model.quantized(), q, floor, start, |i, d| {
                f(i as u32, d)
            });
        }
        let mut thr = start;
        self.each(|i, d| {
            if floor.upper(d) >= thr {
                thr = f(i, d);
            }
        });
    }

    /// The int8 query, unless the model asks for the exact scan or there is nothing to scan.
    pub fn query(&self) -> Option<&Query> {
        self.q.as_ref()
    }

    /// The most `max(0, dot) · weight` can be for any item.
    pub fn bound(&self, weight: f32) -> f32 {
        match &self.q {
            Some(q) => weight * self.model.quantized().max_norm * q.norm,
            // Unit rows and a unit vector: at most 1, and a little for rounding.
            None if !self.u.is_empty() => weight * 1.001,
            None => 0.0,
        }
    }

    /// Item `i`'s dot product, equal to what [`Dots::each`] gives for it.
    pub fn one(&self, i: u32) -> f32 {
        match &self.q {
            Some(q) => kernel::dot_row(self.model.quantized(), q, i as usize),
            None => self
                .model
                .embedding(i)
                .filter(|_| !self.u.is_empty())
                .map_or(0.0, |e| kernel::dot_embedding(e, self.u)),
        }
    }
}

/// The `m` best allowed items: marked items by `dense(i, dot_i, −∞) + s.extra(i)`, first (they
/// are the anchors' neighbours and relations, often the best, so the threshold starts high), then
/// every other item by `dense(i, dot_i, threshold)` in one pass over the embedding rows, looking
/// at the rules only for items that would enter the pool. `dense` may return, instead of the
/// score, an upper bound of it that is below `threshold` (the score the item would need,
/// [`Top::threshold`]): the item cannot enter, whatever the rest is. `floor` bounds what an
/// unmarked item scores from its dot alone: the scan does not call `dense` for an item below it.
fn pool_scan(
    ctx: &Ctx<'_>,
    s: &Scratch,
    dots: &Dots<'_>,
    m: usize,
    floor: Floor,
    dense: impl Fn(u32, f32, f32) -> f32,
) -> Vec<Scored> {
    let mut top = Top::new(m);
    for &i in &s.extra_touched {
        if ctx.rules.allows(i) {
            top.push(dense(i, dots.one(i), f32::NEG_INFINITY) + s.extra(i), i);
        }
    }
    dots.each_above(floor, top.threshold(), |i, d| {
        if !s.marked(i) {
            let score = dense(i, d, top.threshold());
            if top.accepts(score) && ctx.rules.allows(i) {
                top.push(score, i);
            }
        }
        top.threshold()
    });
    top.into_sorted()
}

/// What every scorer reads.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub rep: Option<&'a UserRep>,
    pub weights: &'a Weights,
    pub rules: &'a Rules<'a>,
}

/// How [`scatter_rows`] scatters a relation.
#[derive(Clone, Copy)]
struct Spread {
    /// Each row's best share is `weight · times`.
    times: f32,
    /// Offer each share to [`Scratch::offer_source`], as from a co-view row or not.
    sources: Option<bool>,
}

impl Spread {
    const PLAIN: Spread = Spread {
        times: 1.0,
        sources: None,
    };
}

/// Scatters the neighbours of `from`, each row scaled to a best of `weight · spread.times`.
#[inline(never)]
fn scatter_rows(
    s: &mut Scratch,
    rel: &Neighbours,
    from: impl Iterator<Item = (u32, f32)>,
    spread: Spread,
) {
    for (item, weight) in from {
        let (targets, ws) = rel.of(item);
        let max = max_or_zero(ws.iter().copied());
        if max <= 0.0 || weight <= 0.0 {
            continue;
        }
        for (&t, &w) in targets.iter().zip(ws) {
            // Scaled first: `weight · w` overflows to infinity for weights near f32::MAX.
            let share = weight * (w / max);
            let offer = spread.sources.map(|by_view| (item, share, by_view));
            s.scatter(t, share * spread.times, offer);
        }
    }
}

/// The anchor with the largest `weight · (row weight / row max)` towards `target`.
pub(super) fn best_source(
    rel: &Neighbours,
    from: impl Iterator<Item = (u32, f32)>,
    target: u32,
) -> Option<(u32, f32)> {
    let mut best: Option<(u32, f32)> = None;
    for (item, weight) in from {
        let (targets, ws) = rel.of(item);
        let max = max_or_zero(ws.iter().copied());
        if let Some(p) = targets.iter().position(|&t| t == target) {
            let v = weight * (ws.get(p).copied().unwrap_or(0.0) / max.max(f32::MIN_POSITIVE));
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((item, v));
            }
        }
    }
    best
}

/// The shopper's own shelf.
pub struct ForYou<'a> {
    ctx: &'a Ctx<'a>,
    rep: &'a UserRep,
    nb_max: f32,
    looking_past: bool,
}

impl<'a> ForYou<'a> {
    pub fn new(ctx: &'a Ctx<'a>, rep: &'a UserRep) -> Self {
        ForYou {
            ctx,
            rep,
            nb_max: 0.0,
            looking_past: false,
        }
    }

    /// For a shelf looking past the signals it has filled (`Rules::look_past`): the pool is
    /// drawn from the shopper's own items and their neighbours, as always, and from the most
    /// popular and most trending items the rules leave — not from a scan. What is left to rank
    /// there scores close together, so the grouped scan's bounds skip almost nothing: it read
    /// all 100,000 rows, and put every category in order the first time (a new shopper's first
    /// `for_you` after one view: 22 ms in Node, 2.6 each time after; a flat pass 1.5).
    pub fn looking_past(mut self) -> Self {
        self.looking_past = true;
        self
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

    /// The dense attributes' total (for tests).
    #[cfg(test)]
    pub fn attrs_sum(&self, i: u32) -> f32 {
        self.attrs(i).iter().sum()
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

    /// Adds `weight · decay · (w / row max)` of the recent views' neighbours to the sparse part.
    #[inline(never)]
    fn add_recent(&self, s: &mut Scratch) {
        let (model, w) = (self.ctx.model, self.ctx.weights.for_you.recent);
        if w <= 0.0 {
            return;
        }
        for (rel, share) in [(model.co_view(), 1.0), (model.co_purchase(), 0.5)] {
            for (item, decay) in self.recent() {
                let (targets, ws) = rel.of(item);
                let max = max_or_zero(ws.iter().copied());
                if max <= 0.0 {
                    continue;
                }
                for (&t, &x) in targets.iter().zip(ws) {
                    s.add(t, w * share * decay * x / max);
                }
            }
        }
    }

    /// Scatters the sparse part: neighbours of the shopper's items, of the recent views,
    /// buy-again and interest.
    fn scatter(&mut self, s: &mut Scratch) {
        let (model, rep, w) = (self.ctx.model, self.rep, &self.ctx.weights.for_you);
        s.prepare_sources(model.len());
        let spread = |times, by_view| Spread {
            times,
            sources: Some(by_view),
        };
        scatter_rows(s, model.co_purchase(), self.interests(), spread(1.0, false));
        scatter_rows(s, model.co_view(), self.interests(), spread(0.5, true));
        self.nb_max = max_or_zero(s.touched.iter().map(|&t| s.nb(t)));
        let scale = if self.nb_max > 0.0 {
            w.neighbours / self.nb_max
        } else {
            0.0
        };
        for k in 0..s.touched.len() {
            let t = s.touched[k];
            s.add(t, scale * s.nb(t));
        }
        self.add_recent(s);
        for &(i, p) in &rep.purchases {
            s.add(i, w.buy_again * p);
        }
        for x in &rep.items {
            s.add(x.item, w.interest * x.weight);
        }
    }

    /// The `m` best allowed items: those with a sparse part first, then the dense scan.
    ///
    /// Everything but the rules depends only on the representation, the weights and the model:
    /// for a kept representation ([`UserRep::id`]), the sparse part and the full scores of its
    /// items are computed once and reused while those stay the same; each call then reads them
    /// best first and stops at the first that cannot enter the pool.
    #[inline(never)]
    pub fn pool(&mut self, s: &mut Scratch, m: usize) -> Vec<Scored> {
        let (model, rep, w) = (self.ctx.model, self.rep, &self.ctx.weights.for_you);
        let tag = (rep.id != 0).then(|| (rep.id, w.clone(), model_key(model)));
        let fresh = tag.is_none() || s.for_you.as_ref().map(|k| &k.tag) != Some(&tag);
        if fresh {
            self.scatter(s);
        }
        // The dense part of `attrs` as lookups: per category, per brand (the last entry stands for
        // none), per price band, and the cached popularity + trending prior.
        // The category and brand tables are the representation's and the weights' alone: made
        // with the sparse part and kept with it (a catalog's brands can number thousands).
        let (cat_t, brand_t) = match &mut s.for_you {
            Some(kept) if !fresh => core::mem::take(&mut kept.tables),
            _ => {
                let table = |aff: &[f32], weight: f32, len: usize| -> Vec<f32> {
                    (0..=len)
                        .map(|c| weight * aff.get(c).copied().unwrap_or(0.0))
                        .collect()
                };
                (
                    table(&rep.categories, w.category, model.category_count()),
                    table(&rep.brands, w.brand, model.brand_count()),
                )
            }
        };
        let mut band_t = [0.0f32; 16];
        for (slot, x) in band_t.iter_mut().zip(rep.price_bands) {
            *slot = w.price * x;
        }
        s.ensure_prior(model, w.popularity, w.trending);
        let terms = kernel::Terms {
            embedding: w.embedding,
            prior: &s.prior,
            category: &model.parts().category,
            category_table: &cat_t,
            brand: &model.parts().brand,
            brand_table: &brand_t,
            band: model.bands(),
            band_table: &band_t,
        };
        let dots = Dots::new(model, &rep.embedding);
        let bound = dots.bound(w.embedding);
        let extra = &s.extra;
        let extra = |i: u32| extra.get(i as usize).copied().unwrap_or(0.0);
        let full = |i: u32| terms.score_of(&terms.row(i as usize), dots.one(i)) + extra(i);
        if fresh {
            let mut bounded: Vec<u64> = s
                .extra_touched
                .iter()
                .map(|&i| Scored {
                    score: terms.base_of(&terms.row(i as usize)) + extra(i),
                    item: i,
                })
                // A NaN bound is a NaN score, which the pool never takes.
                .filter(|x| !x.score.is_nan())
                .map(rerank::key)
                .collect();
            by_score(&mut bounded);
            s.for_you = Some(SparseScores {
                tag,
                nb_max: self.nb_max,
                scored: Vec::new(),
                in_order: true,
                bounded,
                tables: Default::default(),
            });
        }
        let rules = self.ctx.rules;
        let mut top = Top::new(m);
        // The items with a sparse part first: they are the shopper's own and their neighbours,
        // often the best, so the threshold starts high and the dense pass skips more rows. Those
        // scored in full by an earlier call, best first, as far as they can enter; then the rest
        // by their bound, highest first, each scored (and kept so) only when the bound reaches
        // the pool: the first that cannot ends the pass.
        if let Some(kept) = &mut s.for_you {
            self.nb_max = kept.nb_max;
            if !kept.in_order {
                by_score(&mut kept.scored);
                kept.in_order = true;
            }
            for x in kept.scored.iter().rev().map(|&k| rerank::unkey(k)) {
                if !top.accepts(x.score) {
                    break;
                }
                if rules.allows(x.item) {
                    top.push(x.score, x.item);
                }
            }
            let before = kept.scored.len();
            while let Some(&k) = kept.bounded.last() {
                let x = rerank::unkey(k);
                if !kernel::reachable(x.score + bound, top.threshold()) {
                    break;
                }
                kept.bounded.pop();
                let score = full(x.item);
                if rules.allows(x.item) {
                    top.push(score, x.item);
                }
                if !score.is_nan() {
                    kept.scored.push(rerank::key(Scored {
                        score,
                        item: x.item,
                    }));
                }
            }
            kept.in_order &= kept.scored.len() == before;
        }
        if self.looking_past {
            let allowed =
                |order: &'a [u32]| order.iter().copied().filter(|&i| rules.allows(i)).take(m);
            let popular: Vec<u32> = allowed(model.by_popularity()).collect();
            let mut first = popular.clone();
            crate::sort::sort(&mut first);
            let trending = allowed(model.by_trending()).filter(|i| first.binary_search(i).is_err());
            for i in popular.into_iter().chain(trending) {
                // One with a sparse part was scored with it above.
                let score = terms.at(i as usize, dots.one(i));
                if !s.marked(i) && top.accepts(score) {
                    top.push(score, i);
                }
            }
        } else if model.exact_scan() {
            dots.each(|i, d| {
                let score = terms.at(i as usize, d);
                if !s.marked(i) && top.accepts(score) && rules.allows(i) {
                    top.push(score, i);
                }
            });
        } else {
            let start = top.threshold();
            kernel::scan_groups(
                model.quantized(),
                dots.query(),
                &terms,
                &mut s.groups,
                &s.marks,
                start,
                |i, score| {
                    if top.accepts(score) && rules.allows(i) {
                        top.push(score, i);
                    }
                    top.threshold()
                },
            );
        }
        if let Some(kept) = &mut s.for_you {
            kept.tables = (cat_t, brand_t);
        }
        top.into_sorted()
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
            (Reason::Popular(c), if_sold(model, i, pop)),
            (Reason::Trending(c), if_sold(model, i, trend)),
        ];
        if let Some(x) = rep.interest(i) {
            let r = if x.bought {
                Reason::BoughtBefore
            } else {
                Reason::ViewedBefore
            };
            parts.push((r, w.interest * x.weight));
        }
        if self.nb_max > 0.0 {
            if let Some(j) = s.source(i) {
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
            let c = w.embedding * kernel::dot_embedding(e, &rep.embedding).max(0.0);
            // Which of the shopper's items it is closest to (a dot product with each) is only
            // worth finding when the part could be shown.
            if !outranked(&parts, c, MAX_REASONS) {
                let closest = rep
                    .items
                    .iter()
                    .filter(|x| x.item != i)
                    .filter_map(|x| {
                        model
                            .embedding(x.item)
                            .map(|ej| (x.item, x.weight * kernel::dot_embeddings(ej, e)))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((j, _)) = closest {
                    parts.push((Reason::SimilarTo(j), c));
                }
            }
        }
        parts
    }
}

/// A popularity part of item `i`'s reasons: none when it sells no more than the catalog's least
/// ([`Model::sells`]: a catalog given without popularity has nothing "popular" or "trending").
fn if_sold(model: &Model, i: u32, part: f32) -> f32 {
    if model.sells(i) > 0.0 {
        part
    } else {
        0.0
    }
}

/// The lower price over the higher from which `similar` says "similar price".
const SIMILAR_PRICE: f32 = 0.75;

/// The lower of two prices over the higher; 0 when either is missing or not positive.
/// (`f32::min`/`max` are calls in wasm, for NaN: a comparison is not.)
fn price_ratio(a: Option<f32>, b: Option<f32>) -> f32 {
    match (a, b) {
        (Some(a), Some(b)) if a > 0.0 && b > 0.0 => {
            if a < b {
                a / b
            } else {
                b / a
            }
        }
        _ => 0.0,
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
            crate::sort::sort(v);
            v.dedup();
        }
        let prices: Vec<f32> = anchors.iter().filter_map(|&a| m.price(a)).collect();
        let price = (!prices.is_empty()).then(|| prices.iter().sum::<f32>() / prices.len() as f32);
        let mut embedding = vec![0.0f32; m.dims()];
        for &a in anchors {
            if let Some(e) = m.embedding(a) {
                e.add_to(&mut embedding, 1.0);
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

    /// The weighted parts of item `i`'s score besides the embedding: same category, same brand,
    /// tags in common, price, popularity, the shopper's affinity.
    fn attrs(&self, i: u32) -> [f32; 6] {
        let [cat, brand, price, pop] = self.cheap(i);
        let [tags, personal] = self.costly(i);
        [cat, brand, tags, price, pop, personal]
    }

    /// The parts that cost an array read or two: same category, same brand, price, popularity.
    fn cheap(&self, i: u32) -> [f32; 4] {
        let (m, w) = (self.ctx.model, &self.ctx.weights.similar);
        // The anchors' few categories and brands: a linear search, inlined, beats a call to
        // the binary search at every item of the scan.
        let same_cat = self.categories.contains(&m.category(i));
        let same_brand = self.brands.contains(&m.brand(i));
        let price = price_ratio(self.price, m.price(i));
        [
            if same_cat { w.category } else { 0.0 },
            if same_brand { w.brand } else { 0.0 },
            w.price * price,
            w.popularity * m.popularity(i),
        ]
    }

    /// The parts that read lists: tags in common (Jaccard), the shopper's category and brand
    /// affinity.
    fn costly(&self, i: u32) -> [f32; 2] {
        let (m, w) = (self.ctx.model, &self.ctx.weights.similar);
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
        let personal = self.ctx.rep.map_or(0.0, |r| {
            0.5 * (r.category_affinity(m, i) + r.brand_affinity(m, i))
        });
        [w.tags * tags, w.personal * personal]
    }

    /// The most each part of [`Similar::attrs`] can be: its weight (the shares, the price ratio
    /// and popularity are at most 1), and for the affinity the shopper's largest ones. Each is the
    /// same arithmetic on values no smaller, so in floating point too (rounding is monotone).
    fn attrs_max(&self) -> Maxima {
        let w = &self.ctx.weights.similar;
        let personal = self.ctx.rep.map_or(0.0, |r| {
            0.5 * (max_or_zero(r.categories.iter().copied())
                + max_or_zero(r.brands.iter().copied()))
        });
        let parts = [
            w.category,
            w.brand,
            w.tags,
            w.price,
            w.popularity,
            w.personal * personal,
        ];
        let unrelated = [0.0, 0.0, 0.0, parts[3], parts[4], parts[5]];
        Maxima {
            parts,
            unrelated: unrelated.iter().sum::<f32>(),
        }
    }

    /// `i`'s score, from its embedding's dot `d` with the anchors'; or an upper bound of it below
    /// `threshold` (see [`pool_scan`]) as soon as one shows that the item cannot enter the pool.
    /// The scan passes a threshold only for items unrelated to the anchors ([`Similar::pool`]
    /// marks the related ones, which it scores first with none): for those, the first bound is
    /// from `d` alone. Then, from the parts that cost an array read, with tags and affinity at
    /// their most, so that the lists of most items are never read. Each bound is the score's
    /// sum, in its order, with parts replaced by their maxima.
    fn score(&self, i: u32, d: f32, threshold: f32, max: &Maxima) -> f32 {
        // `f32::max` is a call in wasm (for NaN); a NaN dot counts as 0 either way.
        let e = (if d > 0.0 { d } else { 0.0 }) * self.ctx.weights.similar.embedding;
        // The bound of the scan's `Floor` (the scan skips the items it puts below `threshold`).
        if e + max.unrelated < threshold {
            return e + max.unrelated;
        }
        let max = &max.parts;
        let [cat, brand, price, pop] = self.cheap(i);
        let sum =
            |tags: f32, personal: f32| [cat, brand, tags, price, pop, personal].iter().sum::<f32>();
        let bound = e + sum(max[2], max[5]);
        if bound < threshold {
            return bound;
        }
        let [tags, personal] = self.costly(i);
        e + sum(tags, personal)
    }

    /// Item `i`'s score with every part computed, as [`Similar::pool`] ranks it (for tests).
    #[cfg(test)]
    pub fn full_score(&self, s: &Scratch, i: u32) -> f32 {
        let d = Dots::new(self.ctx.model, &self.embedding).one(i);
        let score = self.score(i, d, f32::NEG_INFINITY, &self.attrs_max());
        if s.marked(i) {
            score + s.extra(i)
        } else {
            score
        }
    }

    pub fn pool(&self, s: &mut Scratch, m: usize) -> Vec<Scored> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.similar);
        s.prepare(model.len());
        scatter_rows(s, model.co_view(), self.anchors(w.co_view), Spread::PLAIN);
        scatter_rows(
            s,
            model.co_purchase(),
            self.anchors(w.co_purchase),
            Spread::PLAIN,
        );
        for k in 0..s.touched.len() {
            let t = s.touched[k];
            s.add(t, s.nb(t));
        }
        // The items related to the anchors (a category, a brand or a tag in common) are marked,
        // with nothing added: the scan scores them first, and then, for all the others, knows
        // that the first three parts of their scores are 0.
        s.related.ensure(model);
        let related = core::mem::take(&mut s.related);
        related.each(&self.categories, &self.brands, &self.tags, |i| {
            s.add(i, 0.0)
        });
        s.related = related;
        let dots = Dots::new(model, &self.embedding);
        let max = self.attrs_max();
        // What an unrelated item scores at most from its dot: `score`'s first bound.
        let floor = Floor {
            weight: w.embedding,
            rest: max.unrelated,
        };
        pool_scan(self.ctx, s, &dots, m, floor, |i, d, threshold| {
            self.score(i, d, threshold, &max)
        })
    }

    pub fn explain(&self, i: u32) -> Vec<(Reason, f32)> {
        let (model, w) = (self.ctx.model, &self.ctx.weights.similar);
        let (c, b) = (model.category(i), model.brand(i));
        let [cat, brand, tags, price, pop, _] = self.attrs(i);
        // "Similar price" to one of the items on screen (the lower over the higher at least
        // 0.75); the price still counts further apart, but a plate at 11 is no similar price to
        // a mug at 300, nor is an item at 150 to the two of them (their mean is what scores).
        let near = |a: u32| price_ratio(model.price(a), model.price(i)) >= SIMILAR_PRICE;
        let price = if self.anchors.iter().any(|&a| near(a)) {
            price
        } else {
            0.0
        };
        // The tags' part is the anchors' together; it is told as the anchor sharing most of them.
        let t = model.tags(i);
        let shared = |a: u32| model.tags(a).iter().filter(|x| t.contains(x)).count();
        let most = self.anchors.iter().copied().max_by_key(|&a| shared(a));
        let mut parts = vec![
            (Reason::SameCategory(c), cat),
            (Reason::SameBrand(b), brand),
            (Reason::SimilarTo(most.unwrap_or(0)), tags),
            (Reason::SimilarPrice, price),
            (Reason::Popular(c), if_sold(model, i, pop)),
        ];
        parts.extend(personal_parts(self.ctx, i, w.personal));
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
                .filter_map(|&a| {
                    model
                        .embedding(a)
                        .map(|ea| (a, kernel::dot_embeddings(ea, e)))
                })
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((a, _)) = closest {
                parts.push((
                    Reason::SimilarTo(a),
                    w.embedding * kernel::dot_embedding(e, &self.embedding).max(0.0),
                ));
            }
        }
        parts
    }
}

/// The most each part of a `similar` score can be, and the most the parts of an item unrelated
/// to the anchors (no category, brand or tag in common) can add up to.
pub struct Maxima {
    parts: [f32; 6],
    unrelated: f32,
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
        scatter_rows(
            s,
            model.co_purchase(),
            self.anchors(w.co_purchase),
            Spread::PLAIN,
        );
        scatter_rows(s, model.co_view(), self.anchors(w.co_view), Spread::PLAIN);
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
        let [pop, _] = self.extra(i);
        let mut parts = vec![(Reason::Popular(model.category(i)), if_sold(model, i, pop))];
        parts.extend(personal_parts(self.ctx, i, w.personal));
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

/// The shopper's part of a `similar` or `bought_together` score (`weight` times the mean of
/// the item's category and brand affinities), told as its two halves: a shopper who only likes
/// the brand is not told "because you like" the category.
fn personal_parts(ctx: &Ctx<'_>, i: u32, weight: f32) -> [(Reason, f32); 2] {
    let m = ctx.model;
    let half =
        |a: fn(&UserRep, &Model, u32) -> f32| ctx.rep.map_or(0.0, |r| 0.5 * weight * a(r, m, i));
    [
        (
            Reason::LikesCategory(m.category(i)),
            half(UserRep::category_affinity),
        ),
        (
            Reason::LikesBrand(m.brand(i)),
            half(UserRep::brand_affinity),
        ),
    ]
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
