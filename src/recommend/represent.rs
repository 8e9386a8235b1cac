//! Represent: the shopper's profile mapped onto the model's indexes, each signal scaled to 0..1.
//! Ranking reads only this, never the profile itself.

use super::weights::{BuyAgain, Weights};
use super::Input;
use crate::model::{max_or_zero, Model, NONE};
use crate::policy::Policy;
use crate::profile::decay::{factor, DAY_MS};
use crate::profile::{price_band, View, PRICE_BANDS};
use core::sync::atomic::{AtomicU64, Ordering};

/// The shopper as the ranking sees them.
#[derive(Clone, Debug, Default)]
pub struct UserRep {
    /// Which build this is: drawn by [`UserRep::build`], so that what ranking keeps of it between
    /// calls can tell it from any other; 0 (never kept) for one made otherwise.
    pub id: u64,
    /// Known items with interest in 0..1, sorted by item index; `bought` marks purchases.
    pub items: Vec<Interest>,
    /// Per model category, affinity in 0..1.
    pub categories: Vec<f32>,
    /// Per model brand, affinity in 0..1.
    pub brands: Vec<f32>,
    /// Per price band, weight in 0..1.
    pub price_bands: [f32; PRICE_BANDS.len()],
    /// Interest-weighted mean of item embeddings, unit length; empty when unknown.
    pub embedding: Vec<f32>,
    /// Bought items with repeat propensity in 0..1, sorted by item index.
    pub purchases: Vec<(u32, f32)>,
    /// Every bought item of the model, sensitive ones too, sorted: what `excludePurchased`
    /// leaves out of every shelf (the list above only feeds ranking).
    pub bought: Vec<u32>,
    /// Recently viewed known items, most recent first, with when.
    pub recent: Vec<(u32, f64)>,
    /// Known items in the cart.
    pub cart: Vec<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interest {
    pub item: u32,
    pub weight: f32,
    pub bought: bool,
}

/// The shopper's representation, read as of their latest signal (see [`View::latest`]: later
/// than that, every weight has lost the same share, and each part is scaled to a largest of 1), so
/// that it is the same whenever it is asked for until the profile changes. `None` without a
/// profile.
pub fn represent(input: &Input<'_>) -> Option<UserRep> {
    let view = input.profile.as_ref()?;
    Some(build(input, &view.at(view.latest().min(view.now()))))
}

fn build(input: &Input<'_>, view: &View<'_>) -> UserRep {
    UserRep::build(
        input.model,
        view,
        input.policy,
        input.weights,
        input.sensitive_ok,
    )
}

/// The last representation [`Kept::take`] gave, kept between calls: a session's shelves reuse it
/// until the profile changes (a third of a `trending` call was building it each time).
#[derive(Debug, Default)]
pub struct Kept {
    key: Option<Key>,
    rep: Option<UserRep>,
}

/// Everything a representation is built from besides the clock.
#[derive(Debug)]
struct Key {
    /// The profile's revision and [`View::latest`] of it.
    revision: u64,
    latest: f64,
    /// The time it is read as of: the latest signal, or `now` when that is earlier.
    at: f64,
    sensitive_ok: bool,
    /// The model, by address and size (a session keeps one model).
    model: (usize, usize),
    sensitive_categories: Vec<String>,
    buy_again: BuyAgain,
}

impl Key {
    fn holds(&self, input: &Input<'_>, view: &View<'_>) -> bool {
        self.revision == view.revision()
            && self.at.to_bits() == self.latest.min(view.now()).to_bits()
            && self.sensitive_ok == input.sensitive_ok
            && self.model == model_key(input.model)
            && self.sensitive_categories == input.policy.sensitive_keys()
            && self.buy_again == input.weights.buy_again
    }
}

/// A model as a kept value remembers it: its address and size (a session keeps one model).
pub(super) fn model_key(model: &Model) -> (usize, usize) {
    (core::ptr::from_ref(model) as usize, model.len())
}

impl Kept {
    /// [`represent`], reusing the one kept when it was built from the same profile revision,
    /// read as of the same time, with the same model, policy and weights. Hand it back with
    /// [`Kept::keep`] after the call.
    pub fn take(&mut self, input: &Input<'_>) -> Option<UserRep> {
        let view = input.profile.as_ref()?;
        if let (Some(key), Some(_)) = (&self.key, &self.rep) {
            if key.holds(input, view) {
                return self.rep.take();
            }
        }
        let latest = view.latest();
        let at = latest.min(view.now());
        self.key = Some(Key {
            revision: view.revision(),
            latest,
            at,
            sensitive_ok: input.sensitive_ok,
            model: model_key(input.model),
            sensitive_categories: input.policy.sensitive_keys().to_vec(),
            buy_again: input.weights.buy_again.clone(),
        });
        Some(build(input, &view.at(at)))
    }

    /// Keeps what [`Kept::take`] gave.
    pub fn keep(&mut self, rep: Option<UserRep>) {
        if rep.is_some() {
            self.rep = rep;
        }
    }

    /// Whether a representation is kept.
    pub fn holds(&self) -> bool {
        self.rep.is_some()
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.rep.as_ref().map_or(0, UserRep::memory_bytes)
    }
}

/// Whether an item may be used for personalization: not flagged sensitive, not in a sensitive
/// category of the policy — unless the shopper allowed sensitive personalization.
pub fn usable(model: &Model, policy: &Policy, sensitive_ok: bool, i: u32) -> bool {
    sensitive_ok || !(model.sensitive(i) || sensitive_category(model, policy, model.category(i)))
}

pub fn sensitive_category(model: &Model, policy: &Policy, c: u32) -> bool {
    c != NONE
        && !policy.sensitive_categories.is_empty()
        && (c as usize) < model.category_count()
        && policy.is_sensitive(model.category_key(c))
}

/// `ε` of the buy-again propensity: an item that sold nothing lately is damped, not zeroed.
const DEMAND_FLOOR: f64 = 0.001;

/// Scales the values so the largest is 1.
fn scale_pairs(v: &mut [(u32, f32)]) {
    let max = max_or_zero(v.iter().map(|x| x.1));
    if max > 0.0 && max.is_finite() {
        v.iter_mut().for_each(|x| x.1 /= max);
    }
}

fn scale(v: &mut [f32]) {
    let max = max_or_zero(v.iter().copied());
    if max > 0.0 {
        v.iter_mut().for_each(|x| *x /= max);
    }
}

impl UserRep {
    #[inline(never)]
    pub fn build(
        model: &Model,
        view: &View<'_>,
        policy: &Policy,
        w: &Weights,
        sensitive_ok: bool,
    ) -> Self {
        let ok = |i: u32| usable(model, policy, sensitive_ok, i);
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut rep = UserRep {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            categories: vec![0.0; model.category_count()],
            brands: vec![0.0; model.brand_count()],
            ..Default::default()
        };

        // Looked up as the profile holds them, then sorted by item index (the ids are unique, so
        // the order they come in changes nothing; sorting them by id first was a tenth of a call
        // for a shopper with a long history).
        for (id, weight) in view.items() {
            if let Some(i) = model.index_of(id).filter(|&i| ok(i)) {
                rep.items.push(Interest {
                    item: i,
                    weight: weight as f32,
                    bought: view.purchased(id),
                });
            }
        }
        let max = max_or_zero(rep.items.iter().map(|x| x.weight));
        if max > 0.0 {
            rep.items.iter_mut().for_each(|x| x.weight /= max);
        }
        crate::sort::sort_by(&mut rep.items, &mut |a, b| a.item < b.item);

        for (name, weight) in view.categories() {
            let key = crate::text::key(name);
            if let Some(c) = model.category_of_name(&key) {
                if sensitive_ok || !policy.is_sensitive(&key) {
                    // Two spellings the profile kept apart are one category here.
                    if let Some(slot) = rep.categories.get_mut(c as usize) {
                        *slot += weight as f32;
                    }
                }
            }
        }
        scale(&mut rep.categories);
        for (name, weight) in view.brands() {
            if let Some(slot) = model
                .brand_of_name(&crate::text::key(name))
                .and_then(|b| rep.brands.get_mut(b as usize))
            {
                *slot += weight as f32;
            }
        }
        scale(&mut rep.brands);
        for (slot, w) in rep.price_bands.iter_mut().zip(view.price_bands()) {
            *slot = w as f32;
        }
        scale(&mut rep.price_bands);

        if model.dims() > 0 {
            let mut u = vec![0.0f32; model.dims()];
            for x in &rep.items {
                if let Some(e) = model.embedding(x.item) {
                    e.add_to(&mut u, x.weight);
                }
            }
            let norm = u.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                u.iter_mut().for_each(|x| *x /= norm);
                rep.embedding = u;
            }
        }

        // Repeat propensity (see `weights::BuyAgain`): how often the item was bought, relative
        // to the shopper's most repeated item on a log scale (so 1 of 1 and 10 of 10 both count
        // fully, 1 of 10 a third), times the decay since the last purchase, times what the model
        // says of the item: how often its buyers buy it again and how much it sells now.
        let ba = &w.buy_again;
        let ba_half_life = f64::from(ba.half_life_days) * DAY_MS;
        let max_count = view.purchases().map(|p| p.1).max().unwrap_or(1).max(1);
        let log_max = (1.0 + f64::from(max_count)).ln();
        for (id, count, _qty, _first, last) in view.purchases() {
            let i = model.index_of(id);
            rep.bought.extend(i);
            if let Some(i) = i.filter(|&i| ok(i)) {
                let log_item = f64::from(ba.repeat)
                    * f64::from(model.repeat_rate(i).unwrap_or(1.0))
                        .max(DEMAND_FLOOR)
                        .ln()
                    + f64::from(ba.trending) * (f64::from(model.trending(i)) + DEMAND_FLOOR).ln()
                    - f64::from(ba.popularity)
                        * (f64::from(model.popularity(i)) + DEMAND_FLOOR).ln();
                let propensity = (1.0 + f64::from(count)).ln() / log_max
                    * factor(view.now() - last, ba_half_life)
                    * log_item.exp();
                rep.purchases.push((i, propensity as f32));
            }
        }
        scale_pairs(&mut rep.purchases);
        crate::sort::sort_by(&mut rep.purchases, &mut |a, b| a.0 < b.0);
        crate::sort::sort_by(&mut rep.bought, &mut |a, b| a < b);
        rep.recent = view
            .recent()
            .filter_map(|(id, at)| model.index_of(id).filter(|&i| ok(i)).map(|i| (i, at)))
            .collect();
        rep.cart = view
            .cart()
            .filter_map(|id| model.index_of(id).filter(|&i| ok(i)))
            .collect();
        rep
    }

    /// Bytes held by its lists.
    pub fn memory_bytes(&self) -> usize {
        self.items.capacity() * core::mem::size_of::<Interest>()
            + (self.categories.capacity() + self.brands.capacity() + self.embedding.capacity()) * 4
            + self.purchases.capacity() * 8
            + (self.bought.capacity() + self.cart.capacity()) * 4
            + self.recent.capacity() * 16
    }

    /// Interest in item `i` (0 when none).
    pub fn interest(&self, i: u32) -> Option<&Interest> {
        self.items
            .binary_search_by_key(&i, |x| x.item)
            .ok()
            .and_then(|p| self.items.get(p))
    }

    /// Repeat propensity of item `i` (0 when never bought).
    pub fn propensity(&self, i: u32) -> f32 {
        self.purchases
            .binary_search_by_key(&i, |x| x.0)
            .ok()
            .and_then(|p| self.purchases.get(p))
            .map_or(0.0, |x| x.1)
    }

    /// Category affinity of item `i`.
    pub fn category_affinity(&self, model: &Model, i: u32) -> f32 {
        self.categories
            .get(model.category(i) as usize)
            .copied()
            .unwrap_or(0.0)
    }

    /// Brand affinity of item `i`.
    pub fn brand_affinity(&self, model: &Model, i: u32) -> f32 {
        self.brands
            .get(model.brand(i) as usize)
            .copied()
            .unwrap_or(0.0)
    }

    /// How well item `i`'s price fits the shopper's bands (0 when unknown).
    pub fn price_fit(&self, model: &Model, i: u32) -> f32 {
        model
            .price(i)
            .and_then(|p| self.price_bands.get(price_band(f64::from(p))))
            .copied()
            .unwrap_or(0.0)
    }
}
