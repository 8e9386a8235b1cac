//! A shelf as a whole: what is served after fallbacks (the [`Plan`]), the cap on how much of a
//! personal shelf one signal may fill, the channel's own trending list, and the explanation of
//! every shelf ([`explain_shelf`]).

use super::explain::Reason;
use super::represent::{usable, UserRep};
use super::request::{Request, Scenario};
use super::rerank::{self, Scored};
use super::score::Ctx;
use super::weights::Weights;
use super::Input;
use crate::args::concat;
use crate::model::{Model, NONE};
use serde::Serialize;

/// What one call serves, decided before any scoring; `recommend` and `explainShelf` share it, so
/// an explanation always says what was served.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The scenario after fallbacks (`for_you` without a profile → `trending`; `cart` without
    /// items → `for_you`; `similar` or `bought_together` when none of the items on screen is in
    /// the catalog → `trending`); `None` when the policy keeps the shelf empty (`trending` for a
    /// detractor with `detractors: 'gentle'`, and their `for_you` while nothing else is known).
    pub served: Option<Scenario>,
    /// The items on screen, or the cart vitrine saw being built.
    pub anchors: Vec<u32>,
    /// Whether the anchors are the profile's cart (a personal shelf) rather than the page's.
    pub anchors_from_profile: bool,
    /// The channel whose own trending list `trending` uses, when the model has one.
    pub channel: Option<u32>,
}

/// Works out the [`Plan`] of a request.
pub fn plan(input: &Input<'_>, req: &Request, rep: Option<&UserRep>) -> Plan {
    let model = input.model;
    // A cart the page gives is the shopper's, as personal as the one vitrine saw: its sensitive
    // items are neither used nor named without that consent (the recommend audit). The items
    // on screen of `similar` and `bought_together` are the page's context.
    let mut anchors: Vec<u32> = req
        .anchors
        .iter()
        .filter_map(|id| model.index_of(id))
        .filter(|&i| {
            !req.scenario.is_personal() || usable(model, input.policy, input.sensitive_ok, i)
        })
        .collect();
    let mut scenario = req.scenario;
    let mut anchors_from_profile = false;
    if scenario == Scenario::Cart && anchors.is_empty() {
        anchors = rep.map(|r| r.cart.clone()).unwrap_or_default();
        anchors_from_profile = !anchors.is_empty();
        if anchors.is_empty() {
            scenario = Scenario::ForYou;
        }
    }
    let unknown =
        anchors.is_empty() && matches!(scenario, Scenario::Similar | Scenario::BoughtTogether);
    // The channel's own trending list, when the model has one for it.
    let listed = || {
        input
            .channel
            .and_then(|c| model.channel_of_name(c))
            .filter(|&c| !model.channel_trending(c).0.is_empty())
    };
    // `for_you` before anything is known about the shopper is what trends among visitors from
    // their channel, with consent as without it (a gentle shelf stays without promotions).
    let unknown_shopper = scenario == Scenario::ForYou
        && !input.gentle
        && rep.is_some_and(knows_nothing)
        && listed().is_some();
    if unknown || unknown_shopper || (scenario == Scenario::ForYou && rep.is_none()) {
        scenario = Scenario::Trending;
    }
    // A detractor's own `trending` shelf pauses; a fallback to it (an item not in the catalog)
    // still shows something. So does their `for_you` when nothing else is known: without the
    // popularity push it has nothing to show.
    let paused = input.gentle
        && (req.scenario == Scenario::Trending
            || (scenario == Scenario::ForYou && rep.is_some_and(knows_nothing)));
    let served = (!paused).then_some(scenario);
    // Named only when the shelf shows one of its items: with every one of them sold out,
    // filtered or excluded, the shelf is the shop's trending (the recommend audit).
    let channel = match served {
        Some(Scenario::Trending) => listed().filter(|&c| {
            let rules = super::shelf_rules(input, req, rep, &anchors);
            model.channel_trending(c).0.iter().any(|&i| rules.allows(i))
        }),
        _ => None,
    };
    Plan {
        served,
        anchors,
        anchors_from_profile,
        channel,
    }
}

/// The weights of a gentler `for_you` (see [`Input::gentle`]): no popularity or trending push,
/// and twice the weight on what the shopper bought before.
pub fn gentler(w: &Weights) -> Weights {
    let mut g = w.clone();
    g.for_you.popularity = 0.0;
    g.for_you.trending = 0.0;
    g.for_you.buy_again = (w.for_you.buy_again * 2.0).min(10.0);
    g
}

/// The items trending among a channel's visitors (the model's list for it), then the shop's
/// trending items to fill the pool.
pub fn channel_trending(ctx: &Ctx<'_>, c: u32, m: usize) -> Vec<Scored> {
    let model = ctx.model;
    let (items, scores) = model.channel_trending(c);
    let mut pool: Vec<Scored> = items
        .iter()
        .zip(scores)
        .filter(|(&i, _)| ctx.rules.allows(i))
        .take(m)
        .map(|(&i, &s)| Scored {
            score: 1.0 + s,
            item: i,
        })
        .collect();
    if pool.len() < m {
        let fill: Vec<Scored> = super::score::trending(ctx, m)
            .into_iter()
            .filter(|s| !items.contains(&s.item))
            .take(m - pool.len())
            .collect();
        pool.extend(fill);
    }
    pool
}

/// The signal a result's main reason comes from, for the cap on a shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// One item of the shopper's (viewed, bought, in the cart).
    Item(u32),
    Category(u32),
    Brand(u32),
    PriceBand,
    /// Items the shopper looked at before: the shelf is not their recently viewed list again.
    Seen,
}

impl Signal {
    /// The personal signal behind a reason, if it is one.
    pub fn of(r: Reason) -> Option<Self> {
        match r {
            Reason::Viewed(j) | Reason::Bought(j) | Reason::SimilarTo(j) | Reason::CartWith(j) => {
                Some(Signal::Item(j))
            }
            Reason::LikesCategory(c) => Some(Signal::Category(c)),
            Reason::LikesBrand(b) => Some(Signal::Brand(b)),
            Reason::PriceRange => Some(Signal::PriceBand),
            Reason::ViewedBefore => Some(Signal::Seen),
            _ => None,
        }
    }
}

/// How many of `k` results one signal may explain under `share` (at least 1).
pub fn cap_of(share: f64, k: usize) -> usize {
    ((share * k as f64 + 1e-9).floor() as usize).max(1)
}

/// What [`capped_mmr`] made of a pool.
pub struct Capped {
    /// The picks, best first.
    pub ranked: Vec<Scored>,
    /// The pool without what the cap refused (for exploration), or all of it when the cap gave
    /// way.
    pub pool: Vec<Scored>,
    /// The items the cap refused, sorted.
    pub refused: Vec<u32>,
    /// The signals that explain as many picks as the cap lets them.
    pub full: Vec<Signal>,
}

/// Re-ranks like [`rerank::mmr`] while no signal explains more than `cap_of(share, k)` of the
/// picks: a would-be pick whose main reason (`signal`) has reached the cap leaves the pool and the
/// next best is taken. Only would-be picks are explained, so the cost is one re-ranking, not an
/// explanation of the whole pool. `last`: the pool holds every item the rules allow, so when the
/// cap leaves the shelf short (a `filter` to the one category the shopper likes), it gives way:
/// the refused items fill the slots nothing else can, re-ranked with the picks.
pub fn capped_mmr(
    model: &Model,
    mut pool: Vec<Scored>,
    k: usize,
    lambda: f32,
    share: f64,
    last: bool,
    signal: impl Fn(u32) -> Option<Signal>,
) -> Capped {
    let limit = cap_of(share, k);
    let mut seen: Vec<(Signal, usize)> = Vec::new();
    let (mut ranked, mut refused) = rerank::mmr_admitting(model, &pool, k, lambda, &mut |i| {
        let Some(sig) = signal(i) else {
            return true;
        };
        match seen.iter_mut().find(|(x, _)| *x == sig) {
            Some((_, n)) if *n >= limit => false,
            Some((_, n)) => {
                *n += 1;
                true
            }
            None => {
                seen.push((sig, 1));
                true
            }
        }
    });
    let full = seen
        .iter()
        .filter(|(_, n)| *n >= limit)
        .map(|&(x, _)| x)
        .collect();
    if !refused.is_empty() {
        crate::sort::sort(&mut refused);
        if last && ranked.len() < k {
            // Every item is either picked or refused: the picks and the best of the refused
            // that fill the shelf, re-ranked together.
            let mut short = k - ranked.len();
            ranked = rerank::mmr_admitting(model, &pool, k, lambda, &mut |i| {
                let capped = refused.binary_search(&i).is_ok();
                if capped && short == 0 {
                    return false;
                }
                short -= usize::from(capped);
                true
            })
            .0;
            return Capped {
                ranked,
                pool,
                refused,
                full,
            };
        }
        pool.retain(|s| refused.binary_search(&s.item).is_err());
    }
    Capped {
        ranked,
        pool,
        refused,
        full,
    }
}

/// `explainShelf(options)`: why this shelf shows what it shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shelf {
    /// The scenario asked for.
    pub scenario: &'static str,
    /// The scenario served after fallbacks; `null` when the shelf stays empty.
    pub served: Option<&'static str>,
    /// Whether anything from the shopper's profile shapes it.
    pub personal: bool,
    /// One sentence a page can show under the shelf's title.
    pub explanation: String,
    /// What of the profile it uses: `views`, `cart`, `purchases`, `categories`, `brands`,
    /// `priceBand`; and `channel` (the visit's channel context), `survey` (gentler shelves).
    pub signals: Vec<&'static str>,
    /// The channel whose own trending list is used, if any.
    pub channel: Option<String>,
    /// Whether sensitive items are left out (a shelf asked for a personal scenario, `for_you`,
    /// `cart`, `recently_viewed`, `buy_again`, without `sensitive` consent).
    pub sensitive_excluded: bool,
    /// The policy's cap on the share of the shelf one signal may explain (1: no cap).
    pub max_signal_share: f64,
}

fn name_of(s: Scenario) -> &'static str {
    Scenario::NAMES
        .iter()
        .find(|(_, x)| *x == s)
        .map_or("", |(n, _)| n)
}

/// Whether the representation holds nothing `for_you` could use: what [`used`] finds nothing of.
fn knows_nothing(rep: &UserRep) -> bool {
    let none = |v: &[f32]| !v.iter().any(|x| *x > 0.0);
    rep.items.is_empty()
        && rep.recent.is_empty()
        && rep.purchases.is_empty()
        && none(&rep.categories)
        && none(&rep.brands)
        && none(&rep.price_bands)
}

/// What a personal scenario reads from the profile.
fn used(rep: &UserRep, scenario: Scenario, from_profile_cart: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |on: bool, name: &'static str| {
        if on {
            out.push(name);
        }
    };
    let any = |v: &[f32]| v.iter().any(|x| *x > 0.0);
    match scenario {
        Scenario::ForYou => {
            add(!rep.items.is_empty() || !rep.recent.is_empty(), "views");
            add(!rep.purchases.is_empty(), "purchases");
            add(any(&rep.categories), "categories");
            add(any(&rep.brands), "brands");
            add(any(&rep.price_bands), "priceBand");
        }
        Scenario::Similar | Scenario::BoughtTogether => {
            add(any(&rep.categories), "categories");
            add(any(&rep.brands), "brands");
        }
        Scenario::Cart => {
            add(from_profile_cart, "cart");
            add(any(&rep.categories), "categories");
            add(any(&rep.brands), "brands");
        }
        Scenario::RecentlyViewed => add(!rep.recent.is_empty(), "views"),
        Scenario::BuyAgain => add(!rep.purchases.is_empty(), "purchases"),
        Scenario::Trending => {}
    }
    out
}

/// Whether the model knows nothing of item `a` that `similar` compares.
fn bare(model: &Model, a: u32) -> bool {
    model.category(a) == NONE
        && model.brand(a) == NONE
        && model.tags(a).is_empty()
        && model.price(a).is_none()
        && model.embedding(a).is_none()
        && model.co_view().of(a).0.is_empty()
}

/// Explains what `recommend` serves for `req`; `rep` is the shopper as ranking sees them.
pub fn explain_shelf(input: &Input<'_>, req: &Request, rep: Option<&UserRep>) -> Shelf {
    let p = plan(input, req, rep);
    let model = input.model;
    let channel = p.channel.and_then(|c| model.channel_name(c));
    let mut signals = match (rep, p.served) {
        (Some(r), Some(s)) => used(r, s, p.anchors_from_profile),
        _ => Vec::new(),
    };
    let personal = !signals.is_empty();
    // A catalog given without popularity has no popular items: its fill is the shop's order.
    let popular = match model.sells_any() {
        true => "popular right now",
        false => "more from the shop",
    };
    let trending = |tail: &str| match channel {
        Some(c) => concat(&["trending among visitors from ", c, tail]),
        None => concat(&[popular, tail]),
    };
    let nudged = if personal {
        ", nudged by your tastes"
    } else {
        ""
    };
    let unrelated = p
        .anchors
        .iter()
        .all(|&a| model.co_purchase().of(a).0.is_empty());
    let explanation = match p.served {
        // An instance opened without a model or catalog (say, `catalog` still undefined).
        _ if model.is_empty() => {
            "nothing to show: the catalog is empty (open was given no model or catalog, or an empty one)".to_owned()
        }
        None => "promotions are paused after your feedback".to_owned(),
        Some(Scenario::Trending) if req.scenario == Scenario::Trending => trending(""),
        Some(Scenario::Trending)
            if matches!(req.scenario, Scenario::Similar | Scenario::BoughtTogether) =>
        {
            trending(": the item on screen is not in the catalog")
        }
        Some(Scenario::Trending) if rep.is_some() => trending(": nothing is known about you yet"),
        Some(Scenario::Trending) => {
            trending(": personalization is off, so nothing about you is used")
        }
        Some(Scenario::ForYou) if !personal => {
            concat(&[popular, ": nothing is known about you yet"])
        }
        Some(Scenario::ForYou) if input.gentle => concat(&[
            "picked for you from your activity on this device, ",
            "what you bought before first; promotions are paused",
        ]),
        Some(Scenario::ForYou) => "picked for you from your activity on this device".to_owned(),
        // An item the catalog says nothing of (no category, brand, tags, price, embedding or
        // co-views) has nothing like it: the shelf is the fill, and says so.
        Some(Scenario::Similar) if p.anchors.iter().all(|&a| bare(model, a)) => concat(&[
            popular,
            ": nothing is known of what is like the item you are looking at",
            nudged,
        ]),
        Some(Scenario::Similar) => concat(&["similar to the item you are looking at", nudged]),
        // Without a purchase known to go with any item on screen (or in the cart), the shelf is
        // its fill: popular items (nudged by the shopper's tastes), and it says so.
        Some(Scenario::BoughtTogether) if unrelated => concat(&[
            popular,
            ": nothing is known yet of what is bought with the item you are looking at",
            nudged,
        ]),
        Some(Scenario::BoughtTogether) => {
            concat(&["often bought with the item you are looking at", nudged])
        }
        Some(Scenario::Cart) if unrelated => concat(&[
            popular,
            ": nothing is known yet of what is bought with what is in your cart",
            nudged,
        ]),
        Some(Scenario::Cart) => concat(&["goes with what is in your cart", nudged]),
        Some(Scenario::RecentlyViewed) if rep.is_some() => {
            "what you viewed recently, on this device".to_owned()
        }
        Some(Scenario::BuyAgain) if rep.is_some() => {
            "what you bought before, online or in store".to_owned()
        }
        Some(_) => "personalization is off".to_owned(),
    };
    // A cart shelf for items the page names, none of them in the catalog (or usable: sensitive
    // ones without that consent), is another shelf, which says why.
    let explanation = match p.served {
        Some(s)
            if req.scenario == Scenario::Cart && s != Scenario::Cart && !req.anchors.is_empty() =>
        {
            let why = match req.anchors.iter().any(|id| model.index_of(id).is_some()) {
                true => " (the items in the cart are left out: sensitive categories need their own consent)",
                false => " (no item in the cart is in the catalog)",
            };
            concat(&[&explanation, why])
        }
        _ => explanation,
    };
    if channel.is_some() {
        signals.push("channel");
    }
    if input.gentle && matches!(p.served, None | Some(Scenario::ForYou)) {
        signals.push("survey");
    }
    Shelf {
        scenario: name_of(req.scenario),
        served: p.served.map(name_of),
        personal,
        explanation,
        signals,
        channel: channel.map(str::to_owned),
        // As the rules leave them out: from every shelf asked for a personal scenario, also when
        // it falls back to popular items (for_you without consent or before anything is known,
        // cart given its items).
        sensitive_excluded: req.scenario.is_personal() && !input.sensitive_ok,
        max_signal_share: input.policy.max_signal_share,
    }
}
