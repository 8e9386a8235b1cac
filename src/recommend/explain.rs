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
//! | nothing known, not even popularity (the shop's order) | `more from the shop` |
//!
//! Category names are shown in lower case, brand names as the catalog writes them. A sensitive
//! category is never named in a reason unless the shopper allowed sensitive personalization.

use crate::model::{Model, NONE};
use std::borrow::Cow;

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
    /// Nothing known recommends it, not even popularity (a catalog given without any): the shop's
    /// own order fills the shelf.
    Catalog,
}

impl Reason {
    /// The string shown to the shopper. `name_ok(c)` says whether category `c` may be named.
    pub fn render(self, m: &Model, name_ok: &dyn Fn(u32) -> bool) -> String {
        let id = |i: u32| Some(Cow::Borrowed(m.id(i)));
        let cat = |c: u32| {
            (c != NONE && name_ok(c))
                .then(|| m.category_name(c))
                .flatten()
                .map(|s| Cow::Owned(crate::text::lower(s.trim())))
        };
        // A brand is a name: shown as the catalog writes it ("because you like loom" read as
        // liking looms; a category reads as a common noun, in lower case).
        let brand = |b: u32| m.brand_name(b).map(|s| Cow::Borrowed(s.trim()));
        // Each reason is `before` + a name + `after`, or `plain` when it names nothing: one
        // concatenation for all of them (a string built per arm was 2.5 KB more WebAssembly).
        let (before, name, after, plain) = match self {
            Reason::Viewed(i) => ("because you viewed ", id(i), "", ""),
            Reason::Bought(i) => ("because you bought ", id(i), "", ""),
            Reason::SimilarTo(i) => ("similar to ", id(i), "", ""),
            Reason::BoughtWith(i) => ("often bought with ", id(i), "", ""),
            Reason::ViewedWith(i) => ("often viewed with ", id(i), "", ""),
            Reason::CartWith(i) => ("goes with ", id(i), " in your cart", ""),
            Reason::BoughtBefore => ("", None, "", "you bought this before"),
            Reason::ViewedBefore => ("", None, "", "you viewed this before"),
            Reason::RecentlyViewed => ("", None, "", "you viewed this recently"),
            Reason::LikesCategory(c) => {
                ("because you like ", cat(c), "", "based on your interests")
            }
            Reason::LikesBrand(b) => ("because you like ", brand(b), "", "based on your interests"),
            Reason::SameCategory(c) => ("also in ", cat(c), "", "similar item"),
            Reason::SameBrand(b) => ("also by ", brand(b), "", "similar item"),
            Reason::PriceRange => ("", None, "", "in your usual price range"),
            Reason::SimilarPrice => ("", None, "", "similar price"),
            Reason::Popular(c) => ("popular in ", cat(c), "", "popular right now"),
            Reason::Trending(c) => ("trending in ", cat(c), "", "trending now"),
            Reason::TrendingOn(c) => (
                "trending among visitors from ",
                m.channel_name(c).map(Cow::Borrowed),
                "",
                "trending now",
            ),
            Reason::Explore => ("", None, "", "something new to discover"),
            Reason::Catalog => ("", None, "", "more from the shop"),
        };
        match name {
            Some(name) => crate::args::concat(&[before, &name, after]),
            None => plain.to_owned(),
        }
    }
}

/// Smallest contribution a reason needs to be shown.
const SHOWN: f32 = 1e-6;

/// Whether a part of contribution `c` added after `parts` could not be among the reasons
/// [`rank`] picks from them, at most `max`: at least `max` different reasons already come
/// before it (their contributions are at least `c`, and equal ones keep their places).
pub fn outranked(parts: &[(Reason, f32)], c: f32, max: usize) -> bool {
    if c <= SHOWN {
        return true;
    }
    let mut ahead: Vec<Reason> = Vec::with_capacity(max);
    for &(r, x) in parts {
        if x >= c && !ahead.contains(&r) {
            ahead.push(r);
            if ahead.len() >= max {
                return true;
            }
        }
    }
    false
}

/// Picks the reasons to show, in place: leaves in `parts` the largest contributions first, at
/// most `max`, each reason once.
pub fn rank(parts: &mut Vec<(Reason, f32)>, max: usize) {
    parts.retain(|(_, c)| *c > SHOWN);
    // Stable for short lists (crate::sort::SHORT): equal contributions keep their order.
    crate::sort::sort_by(parts, &mut |a, b| a.1 > b.1);
    let mut kept = 0;
    for k in 0..parts.len() {
        if kept == max {
            break;
        }
        let r = parts[k].0;
        if !parts[..kept].iter().any(|x| x.0 == r) {
            parts[kept] = parts[k];
            kept += 1;
        }
    }
    parts.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_keeps_the_largest_contributions_each_reason_once() {
        let parts = vec![
            (Reason::Popular(3), 0.2),
            (Reason::Viewed(7), 0.5),
            (Reason::PriceRange, SHOWN),
            (Reason::Viewed(7), 0.9),
            (Reason::LikesBrand(1), 0.5),
            (Reason::Trending(3), 0.2),
        ];
        let ranked = |max| {
            let mut p = parts.clone();
            rank(&mut p, max);
            p
        };
        assert_eq!(
            ranked(2),
            [(Reason::Viewed(7), 0.9), (Reason::LikesBrand(1), 0.5)]
        );
        // Equal contributions keep their order; a part at or below SHOWN is never shown.
        assert_eq!(
            ranked(9),
            [
                (Reason::Viewed(7), 0.9),
                (Reason::LikesBrand(1), 0.5),
                (Reason::Popular(3), 0.2),
                (Reason::Trending(3), 0.2),
            ]
        );
        assert!(ranked(0).is_empty());
    }
}
