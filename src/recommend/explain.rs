//! Why an item was recommended, as short stable strings a UI can show.
//!
//! | reason | string |
//! |---|---|
//! | an item the shopper viewed led here | `because you viewed <id>` |
//! | an item the shopper bought led here | `because you bought <id>` |
//! | close in embedding space to a shopper's item | `similar to <id>` |
//! | co-purchase with the item on screen | `often bought with <id>` |
//! | co-view with the item on screen | `often viewed with <id>` |
//! | co-purchase with a cart item | `goes with <id> in your cart` |
//! | bought before | `you bought this before` |
//! | viewed before | `you viewed this before` |
//! | viewed recently (recently_viewed) | `you viewed this recently` |
//! | category affinity | `because you like <category>` |
//! | brand affinity | `because you like <brand>` |
//! | same category as the item on screen | `also in <category>` |
//! | same brand as the item on screen | `also by <brand>` |
//! | price band | `in your usual price range` |
//! | similar price to the item on screen | `similar price` |
//! | popularity | `popular in <category>` or `popular right now` |
//! | trending | `trending in <category>` or `trending now` |
//! | trending among a channel's visitors | `trending among visitors from <channel>` |
//! | exploration | `something new to discover` |
//!
//! Category and brand names are shown in lower case. A sensitive category is never named in a
//! reason unless the shopper allowed sensitive personalization.

use crate::model::{Model, NONE};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reason {
    Viewed(u32),
    Bought(u32),
    SimilarTo(u32),
    BoughtWith(u32),
    ViewedWith(u32),
    CartWith(u32),
    BoughtBefore,
    ViewedBefore,
    RecentlyViewed,
    LikesCategory(u32),
    LikesBrand(u32),
    SameCategory(u32),
    SameBrand(u32),
    PriceRange,
    SimilarPrice,
    Popular(u32),
    Trending(u32),
    /// On the list of a channel (model channel index).
    TrendingOn(u32),
    Explore,
}

impl Reason {
    /// The string shown to the shopper. `name_ok(c)` says whether category `c` may be named.
    pub fn render(self, m: &Model, name_ok: &dyn Fn(u32) -> bool) -> String {
        let id = |i: u32| m.id(i).to_owned();
        let cat = |c: u32| {
            (c != NONE && name_ok(c))
                .then(|| m.category_name(c))
                .flatten()
                .map(|s| crate::text::lower(s.trim()))
        };
        let brand = |b: u32| m.brand_name(b).map(|s| crate::text::lower(s.trim()));
        let join = |a: &str, b: String| {
            let mut s = String::with_capacity(a.len() + b.len());
            s.push_str(a);
            s.push_str(&b);
            s
        };
        match self {
            Reason::Viewed(i) => join("because you viewed ", id(i)),
            Reason::Bought(i) => join("because you bought ", id(i)),
            Reason::SimilarTo(i) => join("similar to ", id(i)),
            Reason::BoughtWith(i) => join("often bought with ", id(i)),
            Reason::ViewedWith(i) => join("often viewed with ", id(i)),
            Reason::CartWith(i) => {
                let mut s = join("goes with ", id(i));
                s.push_str(" in your cart");
                s
            }
            Reason::BoughtBefore => "you bought this before".into(),
            Reason::ViewedBefore => "you viewed this before".into(),
            Reason::RecentlyViewed => "you viewed this recently".into(),
            Reason::LikesCategory(c) => cat(c).map_or_else(
                || "based on your interests".into(),
                |n| join("because you like ", n),
            ),
            Reason::LikesBrand(b) => brand(b).map_or_else(
                || "based on your interests".into(),
                |n| join("because you like ", n),
            ),
            Reason::SameCategory(c) => {
                cat(c).map_or_else(|| "similar item".into(), |n| join("also in ", n))
            }
            Reason::SameBrand(b) => {
                brand(b).map_or_else(|| "similar item".into(), |n| join("also by ", n))
            }
            Reason::PriceRange => "in your usual price range".into(),
            Reason::SimilarPrice => "similar price".into(),
            Reason::Popular(c) => {
                cat(c).map_or_else(|| "popular right now".into(), |n| join("popular in ", n))
            }
            Reason::Trending(c) => {
                cat(c).map_or_else(|| "trending now".into(), |n| join("trending in ", n))
            }
            Reason::TrendingOn(c) => m.channel_name(c).map_or_else(
                || "trending now".into(),
                |n| join("trending among visitors from ", n.to_owned()),
            ),
            Reason::Explore => "something new to discover".into(),
        }
    }
}

/// Picks the reasons to show: the largest contributions first, at most `max`, each string once.
pub fn strongest(mut parts: Vec<(Reason, f32)>, max: usize) -> Vec<Reason> {
    parts.retain(|(_, c)| *c > 1e-6);
    // Stable for short lists (crate::sort::SHORT): equal contributions keep their order.
    crate::sort::sort_by(&mut parts, &mut |a, b| a.1 > b.1);
    let mut out: Vec<Reason> = Vec::with_capacity(max);
    for (r, _) in parts {
        if out.len() == max {
            break;
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}
