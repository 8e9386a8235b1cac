//! Business rules: what may never be returned, whatever the score.

use super::represent::{usable, UserRep};
use super::request::Request;
use crate::model::{Model, NONE};
use crate::policy::Policy;
use core::cell::RefCell;

/// What a capped shelf looks past when it looks further ([`Rules::look_past`]): the categories
/// and brands whose signal already explains as much of the shelf as the cap lets it, and the
/// items the cap refused. Each sorted.
#[derive(Default)]
struct Past {
    categories: Vec<u32>,
    brands: Vec<u32>,
    items: Vec<u32>,
}

/// The rules of one call, resolved against the model once.
pub struct Rules<'a> {
    model: &'a Model,
    policy: &'a Policy,
    /// Item indexes never returned (on screen, excluded, in the cart for `cart`), sorted.
    blocked: Vec<u32>,
    /// `Some` when the filter names categories: their indexes, sorted (may be empty: no match).
    categories: Option<Vec<u32>>,
    brands: Option<Vec<u32>>,
    min_price: Option<f32>,
    max_price: Option<f32>,
    in_stock: bool,
    /// Personal shelves never show sensitive items without the shopper's consent to it.
    block_sensitive: bool,
    sensitive_ok: bool,
    past: RefCell<Past>,
}

fn resolve(names: &[String], lookup: impl Fn(&str) -> Option<u32>) -> Option<Vec<u32>> {
    if names.is_empty() {
        return None;
    }
    let mut v: Vec<u32> = names.iter().filter_map(|n| lookup(n)).collect();
    crate::sort::sort(&mut v);
    v.dedup();
    Some(v)
}

impl<'a> Rules<'a> {
    pub fn new(
        model: &'a Model,
        policy: &'a Policy,
        req: &Request,
        rep: Option<&UserRep>,
        sensitive_ok: bool,
    ) -> Self {
        let mut blocked: Vec<u32> = req
            .anchors
            .iter()
            .chain(&req.exclude)
            .filter_map(|id| model.index_of(id))
            .collect();
        if let Some(rep) = rep {
            if req.exclude_purchased {
                blocked.extend(&rep.bought);
            } else if let Some(durable) =
                resolve(&req.durable_categories, |n| model.category_of_name(n))
            {
                blocked.extend(
                    rep.bought
                        .iter()
                        .filter(|&&i| durable.binary_search(&model.category(i)).is_ok()),
                );
            }
        }
        crate::sort::sort(&mut blocked);
        blocked.dedup();
        let f = &req.filter;
        Rules {
            model,
            policy,
            blocked,
            categories: resolve(&f.categories, |n| model.category_of_name(n)),
            brands: resolve(&f.brands, |n| model.brand_of_name(n)),
            min_price: f.min_price.map(|p| p as f32),
            max_price: f.max_price.map(|p| p as f32),
            in_stock: f.in_stock,
            block_sensitive: req.scenario.is_personal(),
            sensitive_ok,
            past: RefCell::default(),
        }
    }

    /// From now on, a pool is drawn past these too (shared through `&self`: the scorers hold the
    /// rules while the shelf looks further). A shelf looks further because the cap refused
    /// items, so `items` is never empty.
    pub fn look_past(&self, categories: &[u32], brands: &[u32], items: &[u32]) {
        debug_assert!(!items.is_empty());
        let past = &mut *self.past.borrow_mut();
        for (into, from) in [
            (&mut past.categories, categories),
            (&mut past.brands, brands),
            (&mut past.items, items),
        ] {
            into.extend_from_slice(from);
            crate::sort::sort(into);
            into.dedup();
        }
    }

    /// Whether a pool is drawn past item `i` ([`Self::look_past`]). Costs one flag on a shelf
    /// that does not look past anything: this is every scan's check of every candidate.
    fn looked_past(&self, i: u32) -> bool {
        let past = self.past.borrow();
        if past.items.is_empty() {
            return false;
        }
        let m = self.model;
        past.items.binary_search(&i).is_ok()
            || (!past.categories.is_empty()
                && past.categories.binary_search(&m.category(i)).is_ok())
            || (!past.brands.is_empty() && past.brands.binary_search(&m.brand(i)).is_ok())
    }

    /// Also never return these (e.g. the cart's own items).
    pub fn block(&mut self, items: &[u32]) {
        self.blocked.extend_from_slice(items);
        crate::sort::sort(&mut self.blocked);
        self.blocked.dedup();
    }

    /// Whether item `i` may be returned.
    pub fn allows(&self, i: u32) -> bool {
        let m = self.model;
        if self.in_stock && !m.in_stock(i) {
            return false;
        }
        if let Some(cats) = &self.categories {
            let c = m.category(i);
            if c == NONE || cats.binary_search(&c).is_err() {
                return false;
            }
        }
        if let Some(brands) = &self.brands {
            let b = m.brand(i);
            if b == NONE || brands.binary_search(&b).is_err() {
                return false;
            }
        }
        if self.min_price.is_some() || self.max_price.is_some() {
            let Some(p) = m.price(i) else {
                return false;
            };
            if self.min_price.is_some_and(|lo| p < lo) || self.max_price.is_some_and(|hi| p > hi) {
                return false;
            }
        }
        if self.block_sensitive && !usable(m, self.policy, self.sensitive_ok, i) {
            return false;
        }
        self.blocked.binary_search(&i).is_err() && !self.looked_past(i)
    }
}
