//! The catalog model: items and their attributes, popularity and trending, item-to-item
//! neighbours and embeddings. Public, non-personal data that the shop builds and ships.
//!
//! One type, [`Model`], whatever feeds it: a `catalog` array given to `open` (small shops) or a
//! model file made by the builder. Both go through [`ModelParts`] and [`Model::from_parts`],
//! which validates everything once, so ranking code never re-checks.

mod array;
#[cfg(not(target_arch = "wasm32"))]
pub mod build;
mod catalog;
pub mod file;
mod ids;
mod norms;
mod quant;
mod tables;

pub use array::{Array, FileBytes};
pub use catalog::parse_catalog;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use quant::simd::lane_totals;
pub use quant::{Quantized, LANES};
pub use tables::{Lists, Strings};

use ids::IdIndex;
use tables::Index;

use crate::error::{Error, Result};

/// "No category" / "no brand".
pub const NONE: u32 = u32::MAX;

/// Sparse item-to-item similarities in compressed rows: the neighbours of item `i` are
/// `targets[offsets[i]..offsets[i+1]]` with weights at the same positions, best first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Neighbours {
    pub offsets: Array<u32>,
    pub targets: Array<u32>,
    pub weights: Array<f32>,
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
        let mut offsets = Vec::with_capacity(rows.len() + 1);
        let (mut targets, mut weights) = (Vec::new(), Vec::new());
        offsets.push(0);
        for row in rows {
            for (t, w) in row {
                targets.push(t);
                weights.push(w);
            }
            offsets.push(targets.len() as u32);
        }
        Neighbours {
            offsets: offsets.into(),
            targets: targets.into(),
            weights: weights.into(),
        }
    }

    fn validate(&self, items: usize, what: &str, done: ListChecks) -> Result<()> {
        self.validate_rows(items, items, what, done)
    }

    /// Checks `rows` rows whose targets are item indexes below `items`; `done` holds the checks
    /// made already on the first targets and weights (while the file was copied in).
    fn validate_rows(
        &self,
        rows: usize,
        items: usize,
        what: &str,
        mut done: ListChecks,
    ) -> Result<()> {
        let bad = |why: &str| {
            Err(Error::Model(crate::args::concat(&[
                what,
                " neighbours: ",
                why,
            ])))
        };
        if self.offsets.is_empty() && self.targets.is_empty() {
            return Ok(());
        }
        if self.offsets.len() != rows + 1 {
            return bad("one offset per row plus one expected");
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
        if done.targets > self.targets.len() || done.weights > self.weights.len() {
            done = ListChecks::default();
        }
        done.add_targets(&self.targets[done.targets..]);
        done.add_weights(&self.weights[done.weights..]);
        if !self.targets.is_empty() && done.top as usize >= items {
            return bad("a neighbour is not an item");
        }
        if done.bad_weight {
            return bad("a weight is negative or not finite");
        }
        Ok(())
    }
}

/// The checks of a neighbour list's targets and weights (the largest target; every weight finite
/// and not negative, −0 allowed), made on each array as it arrives and resumable like
/// [`norms::Rows`]: loading makes them on a model file's `NBCP` and `NBCV` as they are copied in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListChecks {
    /// Targets checked: the first `targets`.
    pub targets: usize,
    pub top: u32,
    /// Weights checked: the first `weights`.
    pub weights: usize,
    pub bad_weight: bool,
}

impl ListChecks {
    pub fn add_targets(&mut self, t: &[u32]) {
        self.top = self.top.max(largest(t));
        self.targets += t.len();
    }

    pub fn add_weights(&mut self, w: &[f32]) {
        self.bad_weight |= !weights_ok(w);
        self.weights += w.len();
    }
}

/// The largest value, four lanes at a time in the SIMD build (a pass with a closure per value was
/// a tenth of opening a 100,000-item model, whose neighbour rows are 12.7 MB).
fn largest(v: &[u32]) -> u32 {
    let mut top = 0u32;
    let mut four = v.chunks_exact(4);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let mut tops = u32x4_splat(0);
        for c in &mut four {
            // SAFETY: a chunk of exactly four u32; v128_load allows any alignment.
            tops = u32x4_max(tops, unsafe { v128_load(c.as_ptr().cast::<v128>()) });
        }
        for lane in [
            u32x4_extract_lane::<0>(tops),
            u32x4_extract_lane::<1>(tops),
            u32x4_extract_lane::<2>(tops),
            u32x4_extract_lane::<3>(tops),
        ] {
            top = top.max(lane);
        }
    }
    for c in &mut four {
        top = top.max(c[0]).max(c[1]).max(c[2]).max(c[3]);
    }
    four.remainder().iter().fold(top, |t, &x| t.max(x))
}

/// Whether every weight is finite and not negative (−0 is allowed), without a branch: by the
/// bits, a finite non-negative f32 is at most the largest finite one's pattern, and −0 is the one
/// pattern above it that passes. NaN, infinities and negatives fail.
fn weights_ok(w: &[f32]) -> bool {
    const LARGEST: u32 = 0x7F7F_FFFF;
    const MINUS_ZERO: u32 = 0x8000_0000;
    let mut bad = 0u32;
    let mut four = w.chunks_exact(4);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let (mut bads, largest, minus_zero) = (
            u32x4_splat(0),
            u32x4_splat(LARGEST),
            u32x4_splat(MINUS_ZERO),
        );
        for c in &mut four {
            // SAFETY: a chunk of exactly four f32; v128_load allows any alignment.
            let v = unsafe { v128_load(c.as_ptr().cast::<v128>()) };
            bads = v128_or(
                bads,
                v128_andnot(u32x4_gt(v, largest), i32x4_eq(v, minus_zero)),
            );
        }
        bad |= u32::from(v128_any_true(bads));
    }
    let mut one = |x: f32| {
        let b = x.to_bits();
        bad |= u32::from(b > LARGEST && b != MINUS_ZERO);
    };
    for c in &mut four {
        c.iter().for_each(|&x| one(x));
    }
    four.remainder().iter().for_each(|&x| one(x));
    bad == 0
}

/// How a model was built: shown by `vitrine-model inspect`, never used for ranking.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Info {
    /// ms since the epoch of the latest interaction seen (popularity and trending are decayed
    /// to this time); 0 when unknown.
    pub reference_time: f64,
    /// Half-life of `popularity`, in days (0: not decayed).
    pub popularity_half_life_days: f32,
    /// Half-life of `trending`, in days (0: not decayed).
    pub trending_half_life_days: f32,
    /// Interaction lines counted.
    pub lines: u64,
}

/// Everything a model is made of, before validation. The builder, the model file reader and the
/// catalog parser fill this; [`Model::from_parts`] checks it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelParts {
    pub ids: Strings,
    /// One per item (empty strings when unknown).
    pub titles: Strings,
    /// Per item, an index into `categories`, or [`NONE`].
    pub category: Array<u32>,
    pub categories: Strings,
    /// Per item, an index into `brands`, or [`NONE`].
    pub brand: Array<u32>,
    pub brands: Strings,
    /// Per item, the price, NaN when unknown.
    pub price: Array<f32>,
    pub in_stock: Vec<bool>,
    pub sensitive: Vec<bool>,
    /// Per item, indexes into `tags` (no offsets at all when no item has tags).
    pub item_tags: Lists,
    pub tags: Strings,
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
    pub embeddings: Array<f32>,
    /// Channels with a trending list of their own (normalized labels such as `tiktok`, see
    /// [`crate::channel`]); may be empty.
    pub channels: Strings,
    /// Row `c`: the items trending among visitors from channel `c`, with a non-negative score
    /// (any scale; each row is scaled to a best of 1 on load and sorted best first).
    pub channel_trending: Neighbours,
    /// The ids' hash table as a model file stores it (`IDHX`, see [`ids`]); built when empty.
    pub id_index: Array<u32>,
    /// Item indexes by normalised popularity, best first, ties by index ([`order_by`]), as a
    /// model file stores them; computed when empty, or when they are not that order.
    pub popularity_order: Array<u32>,
    /// The same for `trending`.
    pub trending_order: Array<u32>,
    /// Per item, the share of its buyers who bought it in two or more orders (0..1, smoothed;
    /// see docs/MODEL.md); empty when unknown (catalog input, files built before it existed).
    pub repeat: Vec<f32>,
    pub info: Info,
}

/// Checks of a model file's embedding rows and codes made while it was copied in
/// (`file::Incoming`); loading makes the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prechecked {
    pub rows: norms::Rows,
    pub codes: quant::CodeRows,
    /// `NBCP`, `NBCV`.
    pub lists: [ListChecks; 2],
}

/// One item's unit-length embedding, as the model holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Embedding<'a> {
    /// Its f32 values.
    F32(&'a [f32]),
    /// `codes[j] · scale`: a model file without f32 rows (version 3) stores each row as int8 codes
    /// and the scale that makes them unit length (up to f32 rounding).
    Codes(&'a [i8], f32),
}

impl Embedding<'_> {
    /// `out[j] += weight · row[j]`.
    pub fn add_to(&self, out: &mut [f32], weight: f32) {
        match *self {
            Embedding::F32(r) => out.iter_mut().zip(r).for_each(|(o, x)| *o += weight * x),
            Embedding::Codes(c, scale) => {
                let w = weight * scale;
                out.iter_mut()
                    .zip(c)
                    .for_each(|(o, &x)| *o += w * f32::from(x));
            }
        }
    }

    /// The values, as f32.
    pub fn to_vec(&self) -> Vec<f32> {
        let mut v = vec![0.0; self.len()];
        self.add_to(&mut v, 1.0);
        v
    }

    pub fn len(&self) -> usize {
        match self {
            Embedding::F32(r) => r.len(),
            Embedding::Codes(c, _) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A validated catalog model, ready for ranking.
#[derive(Clone, Debug)]
pub struct Model {
    p: ModelParts,
    /// Per category, its name trimmed and in lower case (how policies and filters name it).
    category_keys: Strings,
    category_index: Index,
    /// Per brand, its name trimmed and in lower case.
    brand_keys: Strings,
    brand_index: Index,
    /// Item indexes by id.
    ids: IdIndex,
    /// Item indexes by popularity, best first.
    by_popularity: Array<u32>,
    /// Item indexes by trending score, best first.
    by_trending: Array<u32>,
    /// The embeddings as int8 codes: what the dense scans read.
    quantized: Quantized,
    /// Per item, its price band (`profile::price_band`), or [`NO_BAND`] when the price is unknown.
    bands: Vec<u8>,
    /// Whether the dense scans read the f32 rows instead of the int8 codes.
    exact_scan: bool,
    channel_index: Index,
}

/// The price band of an item without a price.
pub const NO_BAND: u8 = crate::profile::PRICE_BANDS.len() as u8;

/// Whether `x` is finite and stays finite as an `f32` (at most about 3.4e38 in size): what the
/// model stores of prices, popularity and embeddings. A JSON number such as 1e300 is finite but
/// becomes infinity in an `f32`.
pub fn fits_f32(x: f64) -> bool {
    x.is_finite() && x.abs() <= f64::from(f32::MAX)
}

/// The largest of `xs` and 0, NaNs ignored: a comparison, not `f32::max`, which in wasm is a call
/// to a NaN-aware `fmaxf` (a percent of a light `for_you` when it scaled the shopper's
/// affinities).
pub fn max_or_zero(xs: impl IntoIterator<Item = f32>) -> f32 {
    xs.into_iter().fold(0.0, |m, x| if x > m { x } else { m })
}

fn normalise(v: &mut [f32]) {
    let max = max_or_zero(v.iter().copied());
    if max > 0.0 {
        for x in v.iter_mut() {
            *x /= max;
        }
    }
}

/// Item indexes by `v` descending, ties by index: a radix sort of the values' bits, flipped so
/// that larger comes first.
pub(crate) fn order_by(v: &[f32]) -> Vec<u32> {
    // Non-negative finite floats (validated) order like their bit patterns; `+ 0.0` makes −0
    // the same as 0.
    let keys: Vec<u32> = v.iter().map(|x| !(x + 0.0).to_bits()).collect();
    crate::sort::order_by_key(&keys)
}

/// Each price's band (`profile::price_band`), [`NO_BAND`] for NaN. In the SIMD build four prices
/// at a time, counting the bounds at or below each (a search per price was 1 ms of a
/// 100,000-item `open`); the bounds are whole numbers, so comparing in f32 is comparing in f64.
fn bands_of(prices: &[f32]) -> Vec<u8> {
    let one = |x: f32| {
        if x.is_nan() {
            NO_BAND
        } else {
            crate::profile::price_band(f64::from(x)) as u8
        }
    };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let bounds = &crate::profile::PRICE_BANDS[..crate::profile::PRICE_BANDS.len() - 1];
        let bounds: Vec<v128> = bounds.iter().map(|&b| f32x4_splat(b as f32)).collect();
        let mut out = Vec::with_capacity(prices.len());
        let mut four = prices.chunks_exact(4);
        for c in &mut four {
            // SAFETY: a chunk of exactly four f32; v128_load allows any alignment.
            let p = unsafe { v128_load(c.as_ptr().cast::<v128>()) };
            // Each comparison is −1 where true: subtracting counts.
            let count = bounds
                .iter()
                .fold(i32x4_splat(0), |n, &b| i32x4_sub(n, f32x4_ge(p, b)));
            let band = v128_bitselect(i32x4_splat(i32::from(NO_BAND)), count, f32x4_ne(p, p));
            out.extend([
                i32x4_extract_lane::<0>(band) as u8,
                i32x4_extract_lane::<1>(band) as u8,
                i32x4_extract_lane::<2>(band) as u8,
                i32x4_extract_lane::<3>(band) as u8,
            ]);
        }
        out.extend(four.remainder().iter().map(|&x| one(x)));
        out
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    prices.iter().map(|&x| one(x)).collect()
}

/// `stored` when it is the [`order_by`] of `v`, checked in one pass (sorting is three times
/// slower), else `order_by(v)`.
fn order_or(v: &[f32], stored: Array<u32>) -> Array<u32> {
    if is_order_of(v, &stored) {
        stored
    } else {
        order_by(v).into()
    }
}

/// Whether `order` lists every index of `v` once, by value descending, ties by index.
fn is_order_of(v: &[f32], order: &[u32]) -> bool {
    if order.len() != v.len() {
        return false;
    }
    // Each entry strictly after the one before (by value descending, then index): so no index
    // appears twice, and with `n` entries below `n` every index appears once. No table of the
    // indexes seen (its random writes were half of this check), and no branch on the values, so
    // that the reads of `v` overlap.
    let (mut y, mut j, mut bad) = (f32::INFINITY, 0u32, false);
    for &i in order {
        // Validated values are finite and not negative, so −0 and 0 compare equal, as in
        // `order_by`; NaN marks an index out of range.
        let x = v.get(i as usize).copied().unwrap_or(f32::NAN);
        bad |= x.is_nan() | (x > y) | ((x == y) & (i <= j));
        (y, j) = (x, i);
    }
    !bad
}

/// `v` normalised as loading does (a copy): what the stored orders of a model file order.
pub(crate) fn normalised(v: &[f32]) -> Vec<f32> {
    let mut v = v.to_vec();
    normalise(&mut v);
    v
}

/// The bytewise order of two strings whose [`prefix`]es are equal: by length when neither is
/// longer than eight bytes (one is the other with zero bytes after it), else by what follows the
/// first eight (a call to `memcmp` per lookup was a twentieth of `track`).
pub(crate) fn after_prefix(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    if a.len() <= 8 && b.len() <= 8 {
        a.len().cmp(&b.len())
    } else {
        a[a.len().min(8)..].cmp(&b[b.len().min(8)..])
    }
}

/// The first eight bytes of `s` as a big-endian integer, zero-padded: ordering these never
/// contradicts the bytewise order of the strings ([`after_prefix`] orders those that tie).
pub(crate) fn prefix(s: &[u8]) -> u64 {
    // Without a copy of variable length: that is a call to `memcpy` per id in wasm.
    match s.first_chunk::<8>() {
        Some(head) => u64::from_be_bytes(*head),
        None => s
            .iter()
            .enumerate()
            .fold(0, |k, (j, &c)| k | u64::from(c) << (56 - 8 * j)),
    }
}

fn bad(why: &str) -> Error {
    Error::Model(why.to_owned())
}

impl Model {
    /// Validates the parts and prepares the lookup tables. Popularity and trending are scaled to
    /// 0..1 and embeddings to unit length (so a dot product is the cosine).
    pub fn from_parts(p: ModelParts) -> Result<Self> {
        Model::from_parts_with_codes(p, None, Prechecked::default())
    }

    /// [`Model::from_parts`] with the int8 codes a model file stores (`EMBQ`): they are checked
    /// (range, padding, each row's scale against its row, a full code at every non-zero row's
    /// largest component) and used instead of quantizing every value again. They are dropped, and
    /// the rows quantized, when any row had to be scaled to unit length here (the codes describe
    /// the rows as stored).
    pub fn from_parts_with_codes(
        p: ModelParts,
        codes: Option<Quantized>,
        pre: Prechecked,
    ) -> Result<Self> {
        Checked::new(p, codes, pre)?.build()
    }
}

/// Parts whose tables, lists and ids are checked and whose id index is built, the model not yet
/// derived from them: the two halves of [`Model::from_parts_with_codes`], which `Vitrine.load`
/// runs as separate tasks.
#[derive(Debug)]
pub struct Checked {
    p: ModelParts,
    codes: Option<Quantized>,
    /// The embeddings are the codes (no f32 rows).
    unit_rows: bool,
    /// The checks of the rows and codes made while the file was copied in.
    rows: norms::Rows,
    coded: quant::CodeRows,
    ids: IdIndex,
}

impl Checked {
    /// Checks what every later step relies on: lengths, indexes in range, the string tables,
    /// the tags, the weights, the neighbour and channel lists, and the ids (building their index,
    /// or checking the stored one).
    pub fn new(mut p: ModelParts, codes: Option<Quantized>, pre: Prechecked) -> Result<Self> {
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
            ("popularity", p.popularity.len()),
            ("trending", p.trending.len()),
        ];
        if let Some((name, len)) = per_item.iter().find(|(_, len)| *len != n) {
            let int = |x: usize| crate::args::int_to_string(x as i64);
            return Err(Error::Model(crate::args::concat(&[
                name,
                " has ",
                &int(*len),
                " entries for ",
                &int(n),
                " items",
            ])));
        }
        if p.category
            .iter()
            .any(|&c| c != NONE && c as usize >= p.categories.len())
            || p.brand
                .iter()
                .any(|&b| b != NONE && b as usize >= p.brands.len())
        {
            return Err(Error::Model("an attribute index is out of range".into()));
        }
        for (name, t) in [
            ("ids: ", &p.ids),
            ("titles: ", &p.titles),
            ("categories: ", &p.categories),
            ("brands: ", &p.brands),
            ("tags: ", &p.tags),
        ] {
            t.validate().map_err(|why| {
                let mut m = String::from(name);
                m.push_str(why);
                Error::Model(m)
            })?;
        }
        p.item_tags.validate(n, p.tags.len()).map_err(|why| {
            let mut m = String::from("item tags: ");
            m.push_str(why);
            Error::Model(m)
        })?;
        if !weights_ok(&p.popularity) || !weights_ok(&p.trending) {
            return Err(Error::Model(
                "popularity must be finite and non-negative".into(),
            ));
        }
        if !p.embeddings.is_empty() && n.checked_mul(p.dims) != Some(p.embeddings.len()) {
            return Err(Error::Model(
                "embeddings do not match the item count".into(),
            ));
        }
        if !p.repeat.is_empty() && p.repeat.len() != n {
            return Err(Error::Model(
                "repeat rates do not match the item count".into(),
            ));
        }
        if p.repeat.iter().any(|x| !(0.0..=1.0).contains(x)) {
            return Err(Error::Model("a repeat rate is not between 0 and 1".into()));
        }
        // A model file without f32 rows (version 3) has codes for every row.
        let codes = codes.filter(|q| p.dims > 0 && q.dims == p.dims && q.len() == n);
        let unit_rows = p.embeddings.is_empty() && codes.is_some();
        if p.embeddings.is_empty() && !unit_rows {
            p.dims = 0;
        }
        let Prechecked {
            rows,
            codes: coded,
            lists: [bought, viewed],
        } = pre;
        p.co_purchase.validate(n, "co-purchase", bought)?;
        p.co_view.validate(n, "co-view", viewed)?;
        p.channels.validate().map_err(|why| {
            let mut m = String::from("channels: ");
            m.push_str(why);
            Error::Model(m)
        })?;
        p.channel_trending.validate_rows(
            p.channels.len(),
            n,
            "channel trending",
            ListChecks::default(),
        )?;
        if p.channels.has_empty() {
            return Err(bad("a channel name is empty"));
        }
        sort_rows(&mut p.channel_trending);

        if p.ids.has_empty() {
            return Err(bad("an item id is empty"));
        }
        let ids = match core::mem::take(&mut p.id_index) {
            stored if !stored.is_empty() || n == 0 => {
                IdIndex::stored(stored, n).map_err(|why| Error::Model(why.into()))?
            }
            _ => IdIndex::build(&p.ids).map_err(|ids::Duplicate(i)| {
                let mut m = String::from("item id '");
                m.push_str(p.ids.get(i as usize));
                m.push_str("' appears twice");
                Error::Model(m)
            })?,
        };
        Ok(Checked {
            p,
            codes,
            unit_rows,
            rows,
            coded,
            ids,
        })
    }

    /// The model: popularity and trending scaled, the embeddings checked (and scaled, or their
    /// codes checked), the orders, bands and name indexes built.
    pub fn build(self) -> Result<Model> {
        let Checked {
            mut p,
            mut codes,
            unit_rows,
            mut rows,
            coded,
            ids,
        } = self;
        let n = p.ids.len();
        normalise(&mut p.popularity);
        normalise(&mut p.trending);
        if p.dims > 0 {
            // Rows checked while the file was copied in are not checked again.
            if rows.checked > n || rows.maxes.len() != rows.checked {
                rows = norms::Rows::default();
            }
            for row in p.embeddings.chunks_exact(p.dims).skip(rows.checked) {
                rows.check(row);
            }
            if rows.not_finite {
                return Err(Error::Model("an embedding value is not finite".into()));
            }
            // Rows that are not unit length are scaled, on a copy when the rows are read in place
            // from a model file (they never are in files that `vitrine-model` writes).
            if !rows.uneven.is_empty() {
                // The stored codes describe the rows before this: quantize instead.
                codes = None;
                let all = p.embeddings.to_mut();
                for &(r, norm) in &rows.uneven {
                    if let Some(row) = all.get_mut(r * p.dims..(r + 1) * p.dims) {
                        row.iter_mut()
                            .for_each(|x| *x = (f64::from(*x) / norm) as f32);
                    }
                }
            }
        }
        let codes_error =
            |why| Error::Model(crate::args::concat(&["embedding codes (EMBQ): ", why]));
        let quantized = match codes {
            Some(q) => {
                // Without f32 rows the codes are the embeddings ([`Model::embedding`] reads them).
                let maxes = (!unit_rows).then_some(&rows.maxes[..]);
                q.checked(maxes, coded).map_err(codes_error)?
            }
            None => Quantized::new(&p.embeddings, p.dims),
        };
        let keys = |names: &Strings| -> Strings { names.iter().map(crate::text::key).collect() };
        let (category_keys, brand_keys) = (keys(&p.categories), keys(&p.brands));
        Ok(Model {
            category_index: Index::of(&category_keys),
            category_keys,
            brand_index: Index::of(&brand_keys),
            brand_keys,
            ids,
            by_popularity: order_or(&p.popularity, core::mem::take(&mut p.popularity_order)),
            by_trending: order_or(&p.trending, core::mem::take(&mut p.trending_order)),
            quantized,
            bands: bands_of(&p.price),
            exact_scan: false,
            channel_index: Index::of(&p.channels),
            p,
        })
    }
}

impl Model {
    /// An empty model (a page that opens vitrine before it has a catalog).
    pub fn empty() -> Self {
        Model {
            p: ModelParts::default(),
            category_keys: Strings::default(),
            category_index: Index::default(),
            brand_keys: Strings::default(),
            brand_index: Index::default(),
            ids: IdIndex::default(),
            by_popularity: Array::default(),
            by_trending: Array::default(),
            quantized: Quantized::default(),
            bands: Vec::new(),
            exact_scan: false,
            channel_index: Index::default(),
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

    /// The index of the item with this id (a lookup in the ids' hash table, [`ids`]).
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.ids.find(&self.p.ids, id.as_bytes())
    }

    pub fn id(&self, i: u32) -> &str {
        self.p.ids.get(i as usize)
    }

    pub fn title(&self, i: u32) -> &str {
        self.p.titles.get(i as usize)
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
        ((c as usize) < self.p.categories.len()).then(|| self.p.categories.get(c as usize))
    }

    pub fn brand_name(&self, b: u32) -> Option<&str> {
        ((b as usize) < self.p.brands.len()).then(|| self.p.brands.get(b as usize))
    }

    /// Category `c`'s name's key ([`crate::text::key`]; `""` when out of range).
    pub fn category_key(&self, c: u32) -> &str {
        self.category_keys.get(c as usize)
    }

    /// Category index of a name, given by its key ([`crate::text::key`]).
    pub fn category_of_name(&self, key: &str) -> Option<u32> {
        self.category_index.find(&self.category_keys, key)
    }

    /// Brand index of a name, given by its key ([`crate::text::key`]).
    pub fn brand_of_name(&self, key: &str) -> Option<u32> {
        self.brand_index.find(&self.brand_keys, key)
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
        self.p.item_tags.row(i as usize)
    }

    /// Popularity scaled to 0..1.
    pub fn popularity(&self, i: u32) -> f32 {
        self.p.popularity.get(i as usize).copied().unwrap_or(0.0)
    }

    /// Trending score scaled to 0..1.
    pub fn trending(&self, i: u32) -> f32 {
        self.p.trending.get(i as usize).copied().unwrap_or(0.0)
    }

    /// How much item `i` sells above the catalog's least (by popularity or trend, whichever is
    /// more): what a reason may call "popular" or "trending". 0 for every item of a catalog given
    /// without popularity (each item then counts 1) or with one figure for all.
    pub fn sells(&self, i: u32) -> f32 {
        let above = |order: &[u32], value: fn(&Self, u32) -> f32| match order.last() {
            Some(&least) => value(self, i) - value(self, least),
            None => 0.0,
        };
        above(&self.by_popularity, Self::popularity).max(above(&self.by_trending, Self::trending))
    }

    /// Whether any item sells more than another ([`Model::sells`]): what a shelf of popular
    /// items may be called.
    pub fn sells_any(&self) -> bool {
        [self.by_popularity.first(), self.by_trending.first()]
            .into_iter()
            .flatten()
            .any(|&i| self.sells(i) > 0.0)
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
    pub fn embedding(&self, i: u32) -> Option<Embedding<'_>> {
        let d = self.p.dims;
        if d == 0 {
            return None;
        }
        if self.p.embeddings.is_empty() {
            let q = &self.quantized;
            let codes = q.row(i as usize).get(..d)?;
            return Some(Embedding::Codes(codes, q.scale(i as usize)));
        }
        let start = i as usize * d;
        self.p.embeddings.get(start..start + d).map(Embedding::F32)
    }

    /// All embeddings as f32 rows, row-major; empty when the model holds them as int8 codes only
    /// (a version-3 model file).
    pub fn embeddings(&self) -> &[f32] {
        &self.p.embeddings
    }

    /// The embeddings as int8 codes with per-row scales (what the dense scans read).
    pub fn quantized(&self) -> &Quantized {
        &self.quantized
    }

    /// Per item, its price band, or [`NO_BAND`] without a price.
    pub fn bands(&self) -> &[u8] {
        &self.bands
    }

    /// Makes the dense scans read the f32 rows (the exact scan) instead of the int8 codes. Only
    /// for measuring the codes against the exact scan: it reads four times the bytes. A model
    /// without f32 rows has no exact scan: this leaves it as it is.
    pub fn set_exact_scan(&mut self, exact: bool) {
        self.exact_scan = exact && !self.p.embeddings.is_empty();
    }

    pub fn exact_scan(&self) -> bool {
        self.exact_scan
    }

    /// The index of a channel with its own trending list (a normalized label, e.g. `tiktok`).
    pub fn channel_of_name(&self, label: &str) -> Option<u32> {
        self.channel_index.find(&self.p.channels, label)
    }

    pub fn channel_name(&self, c: u32) -> Option<&str> {
        ((c as usize) < self.p.channels.len()).then(|| self.p.channels.get(c as usize))
    }

    /// The items trending among channel `c`'s visitors, best first, scores scaled to 0..1.
    pub fn channel_trending(&self, c: u32) -> (&[u32], &[f32]) {
        self.p.channel_trending.of(c)
    }

    /// The share of the item's buyers who bought it again (0..1), when the model has it.
    pub fn repeat_rate(&self, i: u32) -> Option<f32> {
        self.p.repeat.get(i as usize).copied()
    }
}

/// Sorts each row best first (ties by item) and scales it to a best of 1.
fn sort_rows(nb: &mut Neighbours) {
    let rows = nb.offsets.len().saturating_sub(1);
    for r in 0..rows {
        let (Some(&a), Some(&b)) = (nb.offsets.get(r), nb.offsets.get(r + 1)) else {
            continue;
        };
        let range = a as usize..b as usize;
        let (Some(t), Some(w)) = (nb.targets.get(range.clone()), nb.weights.get(range.clone()))
        else {
            continue;
        };
        let mut top = crate::recommend::rerank::Top::new(t.len());
        for (&item, &weight) in t.iter().zip(w) {
            top.push(weight, item);
        }
        let row = top.into_sorted();
        let max = row.first().map_or(0.0, |x| x.score);
        for (k, x) in range.zip(row) {
            if let (Some(tt), Some(ww)) = (
                nb.targets.to_mut().get_mut(k),
                nb.weights.to_mut().get_mut(k),
            ) {
                *tt = x.item;
                *ww = if max > 0.0 { x.score / max } else { 0.0 };
            }
        }
    }
}

#[cfg(test)]
mod tests;
