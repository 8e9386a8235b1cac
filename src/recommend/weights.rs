//! Every ranking knob, with its meaning, range and default.
//!
//! Each feature is scaled to 0..1 before weighting, so a weight says how much that feature can
//! add at most. Weights are non-negative; [`Weights::clamped`] enforces the ranges.
//!
//! The `for_you` and [`BuyAgain`] defaults were tuned by `vitrine-eval tune` (random search) on
//! the UCI Online Retail *training period only* (model from orders before 2011-03-01, scored on
//! each customer's first order from March to May), and `recent` by `vitrine-eval tune-yoochoose`
//! on the last training day of the Yoochoose sample; see docs/BENCHMARKS.md. The result was flat
//! near the optimum, so the defaults are central values of the best settings, not the single best.

/// Weights of the `for_you` blend.
#[derive(Clone, Debug, PartialEq)]
pub struct ForYou {
    /// Repeat-purchase propensity of items the shopper bought ([`BuyAgain`]: count, recency, the
    /// item's repeat rate and current demand). 0–10, default 5.
    pub buy_again: f32,
    /// Direct interest in the item itself: its decayed weight from views, adds and purchases.
    /// 0–10, default 2.
    pub interest: f32,
    /// Neighbours (co-purchase and co-view) of the shopper's items, weighted by interest.
    /// 0–10, default 0.7.
    pub neighbours: f32,
    /// Neighbours of the items viewed last: the most recent view's best neighbour gets this
    /// much, each earlier view half as much as the next (the last five count). 0–10, default 1.
    pub recent: f32,
    /// Cosine between the item's embedding and the shopper's (interest-weighted mean).
    /// 0–10, default 1.
    pub embedding: f32,
    /// Affinity to the item's category. 0–10, default 1.5.
    pub category: f32,
    /// Affinity to the item's brand. 0–10, default 0.5.
    pub brand: f32,
    /// Fit of the item's price to the shopper's usual price band. 0–10, default 0.15.
    pub price: f32,
    /// Long-run popularity. 0–10, default 0.4.
    pub popularity: f32,
    /// Recent popularity. 0–10, default 0.35.
    pub trending: f32,
}

impl Default for ForYou {
    fn default() -> Self {
        ForYou {
            buy_again: 5.0,
            interest: 2.0,
            neighbours: 0.7,
            recent: 1.0,
            embedding: 1.0,
            category: 1.5,
            brand: 0.5,
            price: 0.15,
            popularity: 0.4,
            trending: 0.35,
        }
    }
}

/// Weights of `similar`.
#[derive(Clone, Debug, PartialEq)]
pub struct Similar {
    /// Co-view neighbours of the item on screen. 0–10, default 2.
    pub co_view: f32,
    /// Co-purchase neighbours of the item on screen. 0–10, default 1.
    pub co_purchase: f32,
    /// Embedding cosine to the item on screen. 0–10, default 2.
    pub embedding: f32,
    /// Same category. 0–10, default 1.
    pub category: f32,
    /// Same brand. 0–10, default 0.4.
    pub brand: f32,
    /// Share of tags in common (Jaccard). 0–10, default 1.
    pub tags: f32,
    /// Closeness of price (ratio of the lower to the higher). 0–10, default 0.3.
    pub price: f32,
    /// Popularity, to break ties. 0–10, default 0.1.
    pub popularity: f32,
    /// The shopper's category and brand affinity, when known. 0–10, default 0.3.
    pub personal: f32,
}

impl Default for Similar {
    fn default() -> Self {
        Similar {
            co_view: 2.0,
            co_purchase: 1.0,
            embedding: 2.0,
            category: 1.0,
            brand: 0.4,
            tags: 1.0,
            price: 0.3,
            popularity: 0.1,
            personal: 0.3,
        }
    }
}

/// Weights of `bought_together` and `cart`.
#[derive(Clone, Debug, PartialEq)]
pub struct Together {
    /// Co-purchase neighbours of the anchor items. 0–10, default 3.
    pub co_purchase: f32,
    /// Co-view neighbours of the anchor items. 0–10, default 0.5.
    pub co_view: f32,
    /// Popularity, which fills the shelf when neighbours are few. 0–10, default 0.2.
    pub popularity: f32,
    /// The shopper's category and brand affinity, when known. 0–10, default 0.3.
    pub personal: f32,
}

impl Default for Together {
    fn default() -> Self {
        Together {
            co_purchase: 3.0,
            co_view: 0.5,
            popularity: 0.2,
            personal: 0.3,
        }
    }
}

/// The repeat-purchase propensity of an item the shopper bought, which ranks `buy_again` and
/// feeds `for_you`:
///
/// `ln(1 + count) / ln(1 + most) · 0.5^(age / half_life) · r^repeat · (t + ε)^trending / (p + ε)^popularity`
///
/// with `count` the shopper's orders holding the item, `most` the largest such count, `age` the
/// time since they last bought it, and from the model `r` the item's repeat rate (the share of
/// its buyers who bought it again; 1 when the model has none), `t` its trending and `p` its
/// popularity score (both 0..1), `ε = 0.001`. The shopper's highest propensity is scaled to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct BuyAgain {
    /// Days after which a past purchase's propensity halves. 1–3650, default 365 (current
    /// demand, below, says more about timing than the age of the purchase does).
    pub half_life_days: f32,
    /// Exponent on the item's repeat rate: items that buyers often buy again come first.
    /// 0 (ignored)–4, default 0.5.
    pub repeat: f32,
    /// Exponent on the item's trending score: items in demand now are bought again now.
    /// 0–4, default 1.
    pub trending: f32,
    /// Exponent on the item's long-run popularity, dividing: with `trending`, demand now counts
    /// relative to the item's usual level, which favours seasonal items in season. 0–4,
    /// default 0.6.
    pub popularity: f32,
}

impl Default for BuyAgain {
    fn default() -> Self {
        BuyAgain {
            half_life_days: 365.0,
            repeat: 0.5,
            trending: 1.0,
            popularity: 0.6,
        }
    }
}

/// All ranking weights.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Weights {
    pub for_you: ForYou,
    pub similar: Similar,
    pub together: Together,
    pub buy_again: BuyAgain,
}

impl Weights {
    /// The same weights with every knob inside its documented range.
    pub fn clamped(mut self) -> Self {
        let c = |x: &mut f32| {
            *x = if x.is_finite() {
                x.clamp(0.0, 10.0)
            } else {
                0.0
            }
        };
        let f = &mut self.for_you;
        for x in [
            &mut f.buy_again,
            &mut f.interest,
            &mut f.neighbours,
            &mut f.recent,
            &mut f.embedding,
            &mut f.category,
            &mut f.brand,
            &mut f.price,
            &mut f.popularity,
            &mut f.trending,
        ] {
            c(x);
        }
        let s = &mut self.similar;
        for x in [
            &mut s.co_view,
            &mut s.co_purchase,
            &mut s.embedding,
            &mut s.category,
            &mut s.brand,
            &mut s.tags,
            &mut s.price,
            &mut s.popularity,
            &mut s.personal,
        ] {
            c(x);
        }
        let t = &mut self.together;
        for x in [
            &mut t.co_purchase,
            &mut t.co_view,
            &mut t.popularity,
            &mut t.personal,
        ] {
            c(x);
        }
        let b = &mut self.buy_again;
        for x in [&mut b.repeat, &mut b.trending, &mut b.popularity] {
            *x = if x.is_finite() {
                x.clamp(0.0, 4.0)
            } else {
                0.0
            };
        }
        let h = b.half_life_days;
        b.half_life_days = if h.is_finite() {
            h.clamp(1.0, 3650.0)
        } else {
            BuyAgain::default().half_life_days
        };
        self
    }
}
