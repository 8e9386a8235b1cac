//! Readable forms of the profile: the short summary `profile()` returns, and the complete
//! export `exportData()` includes.

use super::{Profile, View, PRICE_BANDS};
use crate::consent::Personal;
use crate::event::Kind;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// How many categories, brands and channels the summary lists.
pub const SUMMARY_TOP: usize = 5;

/// A named weight: `{name, weight, share}`; `share` is the weight's part of its collection's sum.
/// The export adds `updatedAt`, when it was last touched.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Affinity {
    pub name: String,
    pub weight: f64,
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<f64>,
}

/// A price range in the shop's currency; `max` is `null` for the open-ended top band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceBand {
    pub min: f64,
    pub max: Option<f64>,
}

/// The latest survey answer, classified.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NpsAnswer {
    pub score: u8,
    /// `promoter` (9–10), `passive` (7–8) or `detractor` (0–6).
    pub class: crate::nps::Class,
    pub at: f64,
}

/// A remembered order: the fingerprint of its id (64-bit FNV-1a, hex), never the id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderExport {
    pub fingerprint: String,
    pub at: f64,
}

/// `profile()`: what the device knows, at a glance.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Events folded in, by kind (`view`, `add`, `purchase`, …).
    pub counts: Counts,
    /// All events folded in.
    pub events: u32,
    pub categories: Vec<Affinity>,
    pub brands: Vec<Affinity>,
    /// The band holding most of the price weight, or `null` before any price was seen.
    pub price_band: Option<PriceBand>,
    pub channels: Vec<Affinity>,
    pub recently_viewed: Vec<String>,
    pub cart: Vec<String>,
    /// Distinct items bought.
    pub purchased_items: usize,
    pub signals: usize,
    pub first_seen: Option<f64>,
    pub last_seen: Option<f64>,
    /// The latest survey answer, or `null`.
    pub nps: Option<NpsAnswer>,
}

/// One item's interest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemExport {
    pub item_id: String,
    pub weight: f64,
    pub views: u32,
    pub adds: u32,
    pub updated_at: f64,
}

/// One remembered purchase.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseExport {
    pub item_id: String,
    pub count: u32,
    pub quantity: f64,
    pub first_at: f64,
    pub last_at: f64,
}

/// A timestamped value (a view, a cart line, a query).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StampedExport {
    pub value: String,
    pub at: f64,
}

/// A line of the cart: the item, when it was put there, how many.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CartExport {
    pub value: String,
    pub at: f64,
    pub quantity: f64,
}

/// A weighted price band.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandExport {
    pub min: f64,
    pub max: Option<f64>,
    pub weight: f64,
    pub updated_at: f64,
}

/// Everything the profile holds, each weight as of the export time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub half_life_days: f64,
    pub counts: Counts,
    /// Of `counts`, the events kept under the `sensitive` consent (they leave both when it is
    /// withdrawn).
    pub sensitive_counts: Counts,
    pub items: Vec<ItemExport>,
    pub categories: Vec<Affinity>,
    pub brands: Vec<Affinity>,
    pub channels: Vec<Affinity>,
    pub price_bands: Vec<BandExport>,
    pub recently_viewed: Vec<StampedExport>,
    pub purchases: Vec<PurchaseExport>,
    pub cart: Vec<CartExport>,
    pub searches: Vec<StampedExport>,
    pub first_seen: Option<f64>,
    pub last_seen: Option<f64>,
    /// The latest survey answer (its comment is never kept).
    pub survey: Option<NpsAnswer>,
    /// Items taken out of the cart after being put in, most recent first.
    pub cart_removals: Vec<StampedExport>,
    /// A checkout started and not yet followed by a purchase.
    pub checkout_started_at: Option<f64>,
    /// Orders already counted, by fingerprint.
    pub orders: Vec<OrderExport>,
}

fn hex(h: u64) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..16)
        .rev()
        .map(|i| DIGITS[((h >> (i * 4)) & 0xf) as usize] as char)
        .collect()
}

fn answer(survey: Option<(u8, f64)>) -> Option<NpsAnswer> {
    survey.map(|(score, at)| NpsAnswer {
        score,
        class: crate::nps::Class::of(score),
        at,
    })
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The names whose weight has not decayed to nothing, as shown (four decimals): what a summary
/// lists (the export lists every name the profile holds, with when it was last touched).
fn weighed<'a>(
    it: impl Iterator<Item = (&'a str, f64)>,
) -> impl Iterator<Item = (&'a str, f64, Option<f64>)> {
    it.filter(|(_, w)| round(*w) > 0.0)
        .map(|(k, w)| (k, w, None))
}

/// Every name of a collection with its weight now and when it was last touched: the export's.
fn touched(
    names: &super::bounded::Bounded<super::decay::Decayed>,
    now: f64,
    half_life_ms: f64,
) -> impl Iterator<Item = (&str, f64, Option<f64>)> {
    names
        .iter()
        .map(move |(k, d)| (k, d.value(now, half_life_ms), Some(d.at)))
}

/// Weights (and, for the export, when each was last touched) as affinities, heaviest first
/// (ties by name), at most `top`.
fn affinities<'a>(
    it: impl Iterator<Item = (&'a str, f64, Option<f64>)>,
    top: usize,
) -> Vec<Affinity> {
    let mut v: Vec<(&str, f64, Option<f64>)> = it.collect();
    let sum: f64 = v.iter().map(|(_, w, _)| w).sum();
    crate::sort::sort_by_cmp(&mut v, &mut |a, b| {
        b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0))
    });
    v.truncate(top);
    v.into_iter()
        .map(|(name, w, updated_at)| Affinity {
            name: name.to_owned(),
            weight: round(w),
            share: if sum > 0.0 { round(w / sum) } else { 0.0 },
            updated_at,
        })
        .collect()
}

fn band(i: usize) -> PriceBand {
    PriceBand {
        min: if i == 0 { 0.0 } else { PRICE_BANDS[i - 1] },
        max: PRICE_BANDS.get(i).copied().filter(|m| m.is_finite()),
    }
}

/// The non-zero event counts by kind name, in name order: an object `{add: 1, view: 3}`.
///
/// A sorted `Vec` of at most 11 pairs rather than a `BTreeMap`: the map's B-tree code was the
/// only one left in the module once the memory store stopped using one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts(Vec<(&'static str, u32)>);

impl Counts {
    /// The count of a kind, if not zero.
    pub fn get(&self, kind: &str) -> Option<u32> {
        self.0.iter().find(|(k, _)| *k == kind).map(|&(_, n)| n)
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (kind, n) in &self.0 {
            map.serialize_entry(kind, n)?;
        }
        map.end()
    }
}

fn counts(p: &Profile) -> Counts {
    counted(p.counts)
}

/// Event counts by kind, the kinds by name; kinds never counted left out.
fn counted(by_kind: [u32; Kind::ALL.len()]) -> Counts {
    let mut out: Vec<(&'static str, u32)> = Vec::new();
    for (k, n) in Kind::ALL.iter().zip(by_kind) {
        if n > 0 {
            let name = k.as_str();
            let at = out.partition_point(|(other, _)| *other < name);
            out.insert(at, (name, n));
        }
    }
    Counts(out)
}

fn seen(t: f64) -> Option<f64> {
    (t > 0.0).then_some(t)
}

impl Profile {
    /// The summary `profile()` returns.
    pub fn summary(&self, proof: &Personal<'_>, now: f64) -> Summary {
        let v: View<'_> = self.view(proof, now);
        let bands = v.price_bands();
        let price_band = bands
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| band(i));
        Summary {
            counts: counts(self),
            events: self.counts.iter().fold(0u32, |a, n| a.saturating_add(*n)),
            categories: affinities(weighed(v.categories()), SUMMARY_TOP),
            brands: affinities(weighed(v.brands()), SUMMARY_TOP),
            price_band,
            channels: affinities(weighed(v.channels()), SUMMARY_TOP),
            recently_viewed: v.recent().map(|(id, _)| id.to_owned()).collect(),
            cart: v.cart().map(str::to_owned).collect(),
            purchased_items: self.purchases.len(),
            signals: self.signal_count(),
            first_seen: seen(self.first_at),
            last_seen: seen(self.last_at),
            nps: answer(self.survey),
        }
    }

    /// The complete export `exportData()` includes.
    pub fn export(&self, _: &Personal<'_>, now: f64) -> Export {
        let hl = self.half_life_ms;
        let stamped = |s: &super::Stamped| StampedExport {
            value: s.value.clone(),
            at: s.at,
        };
        Export {
            half_life_days: hl / super::decay::DAY_MS,
            counts: counts(self),
            sensitive_counts: counted(self.sensitive_counts),
            items: self
                .items
                .sorted()
                .into_iter()
                .map(|(id, s)| ItemExport {
                    item_id: id.to_owned(),
                    weight: round(s.score.value(now, hl)),
                    views: s.views,
                    adds: s.adds,
                    updated_at: s.score.at,
                })
                .collect(),
            categories: affinities(touched(&self.categories, now, hl), usize::MAX),
            brands: affinities(touched(&self.brands, now, hl), usize::MAX),
            channels: affinities(touched(&self.channels, now, hl), usize::MAX),
            price_bands: self
                .prices
                .iter()
                .enumerate()
                .filter(|(_, b)| b.weight > 0.0)
                .map(|(i, b)| {
                    let PriceBand { min, max } = band(i);
                    BandExport {
                        min,
                        max,
                        weight: round(b.value(now, hl)),
                        updated_at: b.at,
                    }
                })
                .collect(),
            recently_viewed: self.recent.iter().map(stamped).collect(),
            purchases: self
                .purchases
                .sorted()
                .into_iter()
                .map(|(id, p)| PurchaseExport {
                    item_id: id.to_owned(),
                    count: p.count,
                    quantity: f64::from(p.quantity),
                    first_at: p.first,
                    last_at: p.last,
                })
                .collect(),
            cart: self
                .cart
                .iter()
                .map(|c| CartExport {
                    value: c.item.value.clone(),
                    at: c.item.at,
                    quantity: f64::from(c.quantity),
                })
                .collect(),
            searches: self.queries.iter().map(stamped).collect(),
            first_seen: seen(self.first_at),
            last_seen: seen(self.last_at),
            survey: answer(self.survey),
            cart_removals: self.removals.iter().map(stamped).collect(),
            checkout_started_at: seen(self.checkout_at),
            orders: self
                .orders
                .iter()
                .map(|(h, at)| OrderExport {
                    fingerprint: hex(*h),
                    at: *at,
                })
                .collect(),
        }
    }
}
