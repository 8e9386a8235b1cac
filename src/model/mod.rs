//! The catalog model: items and their attributes, popularity and trending, item-to-item
//! neighbours and embeddings. Public, non-personal data that the shop builds and ships.
//!
//! One type, [`Model`], whatever feeds it: a `catalog` array given to `open` (small shops) or a
//! model file made by the builder. Both go through [`ModelParts`] and [`Model::from_parts`],
//! which validates everything once, so ranking code never re-checks.

mod catalog;
mod file;

pub use catalog::parse_catalog;

use crate::error::{Error, Result};
use std::collections::HashMap;

/// "No category" / "no brand".
pub const NONE: u32 = u32::MAX;

/// Sparse item-to-item similarities in compressed rows: the neighbours of item `i` are
/// `targets[offsets[i]..offsets[i+1]]` with weights at the same positions, best first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Neighbours {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
    pub weights: Vec<f32>,
}

impl Neighbours {
    /// The neighbours of `i` and their weights (empty when there are none).
    pub fn of(&self, i: u32) -> (&[u32], &[f32]) {
        let i = i as usize;
        let (Some(&a), Some(&b)) = (self.offsets.get(i), self.offsets.get(i + 1)) else {
            return (&[], &[]);
        };
        let r = a as usize..b as usize;
        match (self.targets.get(r.clone()), self.weights.get(r)) {
            (Some(t), Some(w)) => (t, w),
            _ => (&[], &[]),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Builds the rows from per-item lists (already sorted best first).
    pub fn from_rows(rows: Vec<Vec<(u32, f32)>>) -> Self {
        let mut n = Neighbours {
            offsets: Vec::with_capacity(rows.len() + 1),
            ..Default::default()
        };
        n.offsets.push(0);
        for row in rows {
            for (t, w) in row {
                n.targets.push(t);
                n.weights.push(w);
            }
            n.offsets.push(n.targets.len() as u32);
        }
        n
    }

    fn validate(&self, items: usize, what: &str) -> Result<()> {
        let bad = |why: &str| Err(Error::Model(format!("{what} neighbours: {why}")));
        if self.offsets.is_empty() && self.targets.is_empty() {
            return Ok(());
        }
        if self.offsets.len() != items + 1 {
            return bad("one offset per item plus one expected");
        }
        if self.targets.len() != self.weights.len()
            || self.offsets.last().copied() != Some(self.targets.len() as u32)
            || self.offsets.first() != Some(&0)
        {
            return bad("offsets and lists disagree");
        }
        if self.offsets.windows(2).any(|w| w[0] > w[1]) {
            return bad("offsets decrease");
        }
        if self.targets.iter().any(|&t| t as usize >= items) {
            return bad("a neighbour is not an item");
        }
        if self.weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return bad("a weight is negative or not finite");
        }
        Ok(())
    }
}

/// Everything a model is made of, before validation. The builder and the catalog parser fill
/// this; [`Model::from_parts`] checks it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelParts {
    pub ids: Vec<String>,
    pub titles: Vec<String>,
    /// Per item, an index into `categories`, or [`NONE`].
    pub category: Vec<u32>,
    pub categories: Vec<String>,
    /// Per item, an index into `brands`, or [`NONE`].
    pub brand: Vec<u32>,
    pub brands: Vec<String>,
    /// Per item, the price, NaN when unknown.
    pub price: Vec<f32>,
    pub in_stock: Vec<bool>,
    pub sensitive: Vec<bool>,
    /// Per item, indexes into `tags`.
    pub item_tags: Vec<Vec<u32>>,
    pub tags: Vec<String>,
    /// Per item, how popular it is (any non-negative scale; normalised on load).
    pub popularity: Vec<f32>,
    /// Per item, recency-weighted popularity (any non-negative scale; normalised on load).
    pub trending: Vec<f32>,
    /// Bought in the same order.
    pub co_purchase: Neighbours,
    /// Viewed in the same session.
    pub co_view: Neighbours,
    /// Embedding width, 0 for none.
    pub dims: usize,
    /// `dims` floats per item, row-major.
    pub embeddings: Vec<f32>,
}

/// A validated catalog model, ready for ranking.
#[derive(Clone, Debug)]
pub struct Model {
    p: ModelParts,
    index: HashMap<String, u32>,
    category_index: HashMap<String, u32>,
    brand_index: HashMap<String, u32>,
    /// Item indexes by popularity, best first.
    by_popularity: Vec<u32>,
    /// Item indexes by trending score, best first.
    by_trending: Vec<u32>,
}

fn normalise(v: &mut [f32]) {
    let max = v.iter().copied().fold(0.0f32, f32::max);
    if max > 0.0 {
        for x in v.iter_mut() {
            *x /= max;
        }
    }
}

fn order_by(v: &[f32]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..v.len() as u32).collect();
    order.sort_by(|&a, &b| v[b as usize].total_cmp(&v[a as usize]).then(a.cmp(&b)));
    order
}

impl Model {
    /// Validates the parts and prepares the lookup tables. Popularity and trending are scaled to
    /// 0..1 and embeddings to unit length (so a dot product is the cosine).
    pub fn from_parts(mut p: ModelParts) -> Result<Self> {
        let n = p.ids.len();
        if n >= NONE as usize {
            return Err(Error::Model("too many items".into()));
        }
        let per_item = [
            ("titles", p.titles.len()),
            ("category", p.category.len()),
            ("brand", p.brand.len()),
            ("price", p.price.len()),
            ("inStock", p.in_stock.len()),
            ("sensitive", p.sensitive.len()),
            ("tags", p.item_tags.len()),
            ("popularity", p.popularity.len()),
            ("trending", p.trending.len()),
        ];
        if let Some((name, len)) = per_item.iter().find(|(_, len)| *len != n) {
            return Err(Error::Model(format!(
                "{name} has {len} entries for {n} items"
            )));
        }
        if p.category
            .iter()
            .any(|&c| c != NONE && c as usize >= p.categories.len())
            || p.brand
                .iter()
                .any(|&b| b != NONE && b as usize >= p.brands.len())
            || p.item_tags
                .iter()
                .flatten()
                .any(|&t| t as usize >= p.tags.len())
        {
            return Err(Error::Model("an attribute index is out of range".into()));
        }
        if p.popularity
            .iter()
            .chain(&p.trending)
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            return Err(Error::Model(
                "popularity must be finite and non-negative".into(),
            ));
        }
        if p.dims == 0 && !p.embeddings.is_empty()
            || p.embeddings.len() != n * p.dims && !p.embeddings.is_empty()
        {
            return Err(Error::Model(
                "embeddings do not match the item count".into(),
            ));
        }
        if p.embeddings.iter().any(|x| !x.is_finite()) {
            return Err(Error::Model("an embedding value is not finite".into()));
        }
        if p.embeddings.is_empty() {
            p.dims = 0;
        }
        p.co_purchase.validate(n, "co-purchase")?;
        p.co_view.validate(n, "co-view")?;

        let mut index = HashMap::with_capacity(n);
        for (i, id) in p.ids.iter().enumerate() {
            if index.insert(id.clone(), i as u32).is_some() {
                return Err(Error::Model(format!("item id '{id}' appears twice")));
            }
        }
        normalise(&mut p.popularity);
        normalise(&mut p.trending);
        if p.dims > 0 {
            for row in p.embeddings.chunks_exact_mut(p.dims) {
                let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|x| *x /= norm);
                }
            }
        }
        let lower_index = |names: &[String]| -> HashMap<String, u32> {
            names
                .iter()
                .enumerate()
                .map(|(i, s)| (s.trim().to_lowercase(), i as u32))
                .collect()
        };
        Ok(Model {
            category_index: lower_index(&p.categories),
            brand_index: lower_index(&p.brands),
            by_popularity: order_by(&p.popularity),
            by_trending: order_by(&p.trending),
            index,
            p,
        })
    }

    /// An empty model (a page that opens vitrine before it has a catalog).
    pub fn empty() -> Self {
        Model {
            p: ModelParts::default(),
            index: HashMap::new(),
            category_index: HashMap::new(),
            brand_index: HashMap::new(),
            by_popularity: Vec::new(),
            by_trending: Vec::new(),
        }
    }

    pub fn parts(&self) -> &ModelParts {
        &self.p
    }

    pub fn len(&self) -> usize {
        self.p.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.p.ids.is_empty()
    }

    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn id(&self, i: u32) -> &str {
        self.p.ids.get(i as usize).map_or("", String::as_str)
    }

    pub fn title(&self, i: u32) -> &str {
        self.p.titles.get(i as usize).map_or("", String::as_str)
    }

    /// The item's category index, or [`NONE`].
    pub fn category(&self, i: u32) -> u32 {
        self.p.category.get(i as usize).copied().unwrap_or(NONE)
    }

    /// The item's brand index, or [`NONE`].
    pub fn brand(&self, i: u32) -> u32 {
        self.p.brand.get(i as usize).copied().unwrap_or(NONE)
    }

    pub fn category_name(&self, c: u32) -> Option<&str> {
        self.p.categories.get(c as usize).map(String::as_str)
    }

    pub fn brand_name(&self, b: u32) -> Option<&str> {
        self.p.brands.get(b as usize).map(String::as_str)
    }

    /// Category index of a name, case-insensitively.
    pub fn category_of_name(&self, lower: &str) -> Option<u32> {
        self.category_index.get(lower).copied()
    }

    /// Brand index of a name, case-insensitively.
    pub fn brand_of_name(&self, lower: &str) -> Option<u32> {
        self.brand_index.get(lower).copied()
    }

    pub fn category_count(&self) -> usize {
        self.p.categories.len()
    }

    pub fn brand_count(&self) -> usize {
        self.p.brands.len()
    }

    pub fn price(&self, i: u32) -> Option<f32> {
        self.p
            .price
            .get(i as usize)
            .copied()
            .filter(|p| !p.is_nan())
    }

    pub fn in_stock(&self, i: u32) -> bool {
        self.p.in_stock.get(i as usize).copied().unwrap_or(false)
    }

    pub fn sensitive(&self, i: u32) -> bool {
        self.p.sensitive.get(i as usize).copied().unwrap_or(false)
    }

    pub fn tags(&self, i: u32) -> &[u32] {
        self.p.item_tags.get(i as usize).map_or(&[], Vec::as_slice)
    }

    /// Popularity scaled to 0..1.
    pub fn popularity(&self, i: u32) -> f32 {
        self.p.popularity.get(i as usize).copied().unwrap_or(0.0)
    }

    /// Trending score scaled to 0..1.
    pub fn trending(&self, i: u32) -> f32 {
        self.p.trending.get(i as usize).copied().unwrap_or(0.0)
    }

    pub fn by_popularity(&self) -> &[u32] {
        &self.by_popularity
    }

    pub fn by_trending(&self) -> &[u32] {
        &self.by_trending
    }

    pub fn co_purchase(&self) -> &Neighbours {
        &self.p.co_purchase
    }

    pub fn co_view(&self) -> &Neighbours {
        &self.p.co_view
    }

    pub fn dims(&self) -> usize {
        self.p.dims
    }

    /// The item's unit-length embedding, if the model has embeddings.
    pub fn embedding(&self, i: u32) -> Option<&[f32]> {
        let d = self.p.dims;
        if d == 0 {
            return None;
        }
        let start = i as usize * d;
        self.p.embeddings.get(start..start + d)
    }

    /// All embeddings, row-major.
    pub fn embeddings(&self) -> &[f32] {
        &self.p.embeddings
    }
}

#[cfg(test)]
mod tests;
