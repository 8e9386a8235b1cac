//! Recommendations: represent the shopper, generate and score candidates, apply the business
//! rules, re-rank for diversity and exploration, explain.
//!
//! Without personalization consent there is no profile: `for_you` (and `cart` without items)
//! fall back to `trending`, `recently_viewed` and `buy_again` return nothing, and `similar` /
//! `bought_together` work from the item on screen alone.

mod explain;
pub mod groups;
pub mod kernel;
pub mod represent;
pub mod request;
pub mod rerank;
mod rules;
mod score;
pub mod shelf;
mod tagged;
pub mod weights;

pub use represent::{represent, UserRep};
pub use request::{Filter, Request, Scenario, DEFAULT_K, MAX_K};
pub use score::Scratch;
pub use shelf::{explain_shelf, Shelf};
pub use weights::Weights;

use crate::model::Model;
use crate::policy::Policy;
use crate::profile::View;
use crate::rng::Rng;
use core::cell::RefCell;
use explain::Reason;
use rerank::Scored;
use rules::Rules;
use score::Ctx;
use serde::Serialize;

/// Most reasons given per result.
pub const MAX_REASONS: usize = 2;
/// Smallest candidate pool re-ranking chooses from (4·k when larger).
pub const MIN_POOL: usize = 50;

/// How many times a capped `for_you` looks past the signals it has filled before the cap gives
/// way ([`serve`]).
const MAX_LOOKS: usize = 8;

/// One result: `{itemId, score, reasons}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub item_id: String,
    /// Ranking score after diversity, at most 1 (the best candidate's relevance); it never
    /// increases down the list.
    pub score: f64,
    pub reasons: Vec<String>,
}

/// What contributed to an item's score, and how much.
type Parts = Vec<(Reason, f32)>;

/// Says which features put an item in the pool.
type Explainer<'a> = Box<dyn Fn(&Scratch, u32) -> Parts + 'a>;

/// The reasons a result shows, strongest first.
#[derive(Clone, Copy)]
struct Shown([Option<Reason>; MAX_REASONS]);

/// The reasons `explain` gives each item (see [`explain::rank`]), remembered for the rest of the
/// call: a capped shelf explains its picks twice, for the cap and for the reasons shown.
fn remembered<'a>(
    explain: Explainer<'a>,
    seen: &'a RefCell<Vec<(u32, Shown)>>,
) -> impl Fn(&Scratch, u32) -> Shown + 'a {
    move |s, i| {
        if let Some(&(_, shown)) = seen.borrow().iter().find(|(j, _)| *j == i) {
            return shown;
        }
        let mut parts = explain(s, i);
        explain::rank(&mut parts, MAX_REASONS);
        let mut shown = Shown([None; MAX_REASONS]);
        for (slot, (r, _)) in shown.0.iter_mut().zip(parts) {
            *slot = Some(r);
        }
        seen.borrow_mut().push((i, shown));
        shown
    }
}

/// Everything one call reads.
pub struct Input<'a> {
    pub model: &'a Model,
    pub policy: &'a Policy,
    pub weights: &'a Weights,
    /// The profile, present only with personalization consent.
    pub profile: Option<View<'a>>,
    /// Whether the shopper allowed sensitive categories to be used (the gate's `sensitive`
    /// proof exists; the session sets it, never a caller's wish).
    pub sensitive_ok: bool,
    /// Channel context (`recommend({channel})`, else the visit's channel): `trending` favours
    /// what is trending among that channel's visitors when the model has a list for it.
    pub channel: Option<&'a str>,
    /// Gentler shelves for a shopper whose latest survey answer was a detractor's, when the
    /// policy says `detractors: 'gentle'`: `trending` stays empty, nothing is explored, and
    /// `for_you` leads with what they bought before (see [`shelf::gentler`]).
    pub gentle: bool,
}

/// Runs one request. Deterministic for the same input and generator state.
pub fn recommend(
    input: &Input<'_>,
    req: &Request,
    scratch: &mut Scratch,
    rng: &mut Rng,
) -> Vec<Recommendation> {
    let rep = scratch.kept.take(input);
    let out = serve(input, req, rep.as_ref(), scratch, rng);
    scratch.kept.keep(rep);
    out
}

/// What a request's shelf may show: [`Rules::new`]'s, and nothing already in the cart — the cart
/// shelf's own items (`anchors`: those the page names or the profile holds), and what the shopper
/// is about to buy on their own shelf and buy-again (whatever those serve while little is known).
fn shelf_rules<'a>(
    input: &Input<'a>,
    req: &Request,
    rep: Option<&UserRep>,
    anchors: &[u32],
) -> Rules<'a> {
    let mut rules = Rules::new(input.model, input.policy, req, rep, input.sensitive_ok);
    if req.scenario == Scenario::Cart {
        rules.block(anchors);
    }
    if let (Scenario::ForYou | Scenario::BuyAgain | Scenario::Cart, Some(r)) = (req.scenario, rep) {
        rules.block(&r.cart);
    }
    rules
}

fn serve(
    input: &Input<'_>,
    req: &Request,
    rep: Option<&UserRep>,
    scratch: &mut Scratch,
    rng: &mut Rng,
) -> Vec<Recommendation> {
    let model = input.model;
    let plan = shelf::plan(input, req, rep);
    let Some(scenario) = plan.served else {
        return Vec::new();
    };
    let anchors = plan.anchors;
    let gentle_weights;
    let weights = if input.gentle {
        gentle_weights = shelf::gentler(input.weights);
        &gentle_weights
    } else {
        input.weights
    };
    let rules = shelf_rules(input, req, rep, &anchors);
    let ctx = Ctx {
        model,
        rep,
        weights,
        rules: &rules,
    };
    let m = (req.k * 4).max(MIN_POOL).min(model.len());
    let share = input.policy.max_signal_share;
    let capped = share < 1.0
        && (scenario == Scenario::ForYou
            || (scenario == Scenario::Cart && plan.anchors_from_profile));
    // A capped shelf draws from a pool twice as deep, so that what the cap drops can be replaced;
    // when the cap still leaves it short of `k` and the pool was full, it looks further, and
    // when even every item the rules allow cannot fill it within the cap, the cap gives way for
    // the slots left: a shelf never comes out shorter because of it. `for_you` looks further by
    // drawing a pool as deep again past what the cap has filled (the categories and brands whose
    // signal is full, the items it refused), kept with what it had; the cart shelf and a
    // detractor's deepen their pool (×4, up to the whole catalog). Deepening `for_you` too cost
    // a new shopper's first shelves a scan of most of the catalog each time (one category viewed
    // explains the top thousands: 2.6 ms native and 22 ms in Node for the first at 100,000
    // items, against 0.1; the phone audit).
    let mut depth = if capped { (m * 2).min(model.len()) } else { m };
    let mut kept: Vec<Scored> = Vec::new();
    let mut looks = 0;
    // What each item's reasons are: the same in every look (the scorer's parts are the
    // profile's), so a look past the filled signals does not explain the last look's pool again.
    let shown = RefCell::default();
    let ordered = matches!(scenario, Scenario::RecentlyViewed | Scenario::BuyAgain);
    let lambda = if ordered {
        0.0
    } else {
        req.diversity.unwrap_or(input.policy.diversity) as f32
    };
    let (ranked, pool, explain) = loop {
        let (pool, explain): (Vec<Scored>, Explainer<'_>) = match (scenario, rep) {
            (Scenario::ForYou, Some(r)) => {
                let mut s = score::ForYou::new(&ctx, r);
                if !kept.is_empty() {
                    s = s.looking_past();
                }
                let pool = s.pool(scratch, depth);
                (pool, Box::new(move |sc, i| s.explain(sc, i)))
            }
            (Scenario::Similar, _) => {
                let s = score::Similar::new(&ctx, &anchors);
                let pool = s.pool(scratch, m);
                (pool, Box::new(move |_, i| s.explain(i)))
            }
            (Scenario::BoughtTogether | Scenario::Cart, _) => {
                let s = score::Together::new(&ctx, &anchors, scenario == Scenario::Cart);
                let pool = s.pool(scratch, depth);
                (pool, Box::new(move |_, i| s.explain(i)))
            }
            (Scenario::RecentlyViewed, Some(r)) => (
                score::recently_viewed(&ctx, r, m),
                Box::new(|_, _| vec![(Reason::RecentlyViewed, 1.0)]),
            ),
            (Scenario::BuyAgain, Some(r)) => (
                score::buy_again(&ctx, r, m),
                Box::new(|_, _| vec![(Reason::BoughtBefore, 1.0)]),
            ),
            (Scenario::RecentlyViewed | Scenario::BuyAgain, None) => {
                (Vec::new(), Box::new(|_, _| Vec::new()))
            }
            (Scenario::Trending, _) if plan.channel.is_some() => {
                let c = plan.channel.unwrap_or(0);
                let (listed, _) = model.channel_trending(c);
                (
                    shelf::channel_trending(&ctx, c, m),
                    Box::new(move |_, i| {
                        if listed.contains(&i) {
                            return vec![(Reason::TrendingOn(c), 1.0)];
                        }
                        vec![(Reason::Trending(model.category(i)), model.sells(i))]
                    }),
                )
            }
            (Scenario::Trending | Scenario::ForYou, _) => (
                score::trending(&ctx, m),
                // An item trends as much as it sells: one the catalog gives no figure for is
                // not said to trend.
                Box::new(|_, i| vec![(Reason::Trending(model.category(i)), model.sells(i))]),
            ),
        };

        let explain = remembered(explain, &shown);
        let full = pool.len() >= depth;
        let mut pool = pool;
        if input.gentle {
            // Without the popularity push, what nothing recommends is not filler to show.
            pool.retain(|s| s.score > 0.0);
        }
        if !kept.is_empty() {
            // What the last look kept (its picks among them), with what this one found past it.
            pool.append(&mut kept);
            crate::sort::sort_by_cmp(&mut pool, &mut |a, b| b.cmp(a));
            pool.dedup_by_key(|s| s.item);
        }
        if !capped {
            break (rerank::mmr(model, &pool, req.k, lambda), pool, explain);
        }
        // Each look past the filled signals leaves out at least the items the last refused, so
        // the looks end; eight at most, then the cap gives way.
        let last = !full || depth >= model.len() || looks == MAX_LOOKS;
        // An item the shopper has seen (and not bought) counts as one, whichever of its reasons
        // lead, shown or not (one led by "because you like tea" filled the shelf with seen items
        // all the same).
        // The whole pool goes on to a look past the filled signals: what the cap refuses here
        // is what fills the shelf if the cap gives way there.
        let whole = (scenario == Scenario::ForYou && !input.gentle).then(|| pool.clone());
        let capped = shelf::capped_mmr(model, pool, req.k, lambda, share, last, |i| {
            let shown = explain(scratch, i).0;
            let seen = shown.contains(&Some(Reason::ViewedBefore))
                || rep.is_some_and(|r| r.interest(i).is_some_and(|x| !x.bought));
            // The first reason that is not popularity leads ("popular in dresses; because you
            // like dresses" is the shopper's liking of dresses: the cart shelf after one dress
            // was five dresses whatever the cap).
            let popular = |r: &&Reason| {
                matches!(
                    r,
                    Reason::Popular(_) | Reason::Trending(_) | Reason::TrendingOn(_)
                )
            };
            let lead = shown.iter().flatten().find(|r| !popular(r));
            let lead = lead.and_then(|&r| shelf::Signal::of(r));
            if seen {
                Some(shelf::Signal::Seen)
            } else {
                lead
            }
        });
        if capped.ranked.len() >= req.k || last {
            break (capped.ranked, capped.pool, explain);
        }
        // A detractor's shelf leaves out what scores 0 without the popularity push, so the most
        // popular items are no filler there: it deepens, as the cart shelf does (looking past
        // gave a shelf of nine "similar to" one item: the re-audit).
        if scenario == Scenario::ForYou && !input.gentle {
            if capped.refused.is_empty() {
                // Short with nothing refused: looking past nothing would draw the same pool
                // again (a full pool is deeper than `k`, so this is a guard, not a path).
                break (capped.ranked, capped.pool, explain);
            }
            looks += 1;
            let full = |f: fn(shelf::Signal) -> Option<u32>| -> Vec<u32> {
                capped.full.iter().filter_map(|&x| f(x)).collect()
            };
            let categories = full(|x| match x {
                shelf::Signal::Category(c) => Some(c),
                _ => None,
            });
            let brands = full(|x| match x {
                shelf::Signal::Brand(b) => Some(b),
                _ => None,
            });
            rules.look_past(&categories, &brands, &capped.refused);
            kept = whole.unwrap_or_default();
        } else {
            depth = (depth * 4).min(model.len());
        }
    };
    let mut ranked = ranked;
    let explored = if ordered || input.gentle {
        Vec::new()
    } else {
        rerank::explore(&mut ranked, &pool, req.explore, rng)
    };

    let name_ok =
        |c: u32| input.sensitive_ok || !represent::sensitive_category(model, input.policy, c);
    let out = ranked
        .iter()
        .map(|s| {
            let mut reasons: Vec<Reason> = if explored.contains(&s.item) {
                vec![Reason::Explore]
            } else {
                explain(scratch, s.item).0.into_iter().flatten().collect()
            };
            if reasons.is_empty() {
                // Popular, when it is: a catalog given without popularity has no figure to say so.
                reasons.push(match model.sells(s.item) > 0.0 {
                    true => Reason::Popular(model.category(s.item)),
                    false => Reason::Catalog,
                });
            }
            let mut reasons: Vec<String> = reasons
                .into_iter()
                .map(|r| r.render(model, &name_ok))
                .collect();
            // A category and a brand of one name read the same ("because you like kiln" and
            // "… Kiln"): one of them is said.
            reasons.dedup_by(|a, b| crate::text::lower(a) == crate::text::lower(b));
            Recommendation {
                item_id: model.id(s.item).to_owned(),
                score: (f64::from(s.score) * 1e4).round() / 1e4,
                reasons,
            }
        })
        .collect();
    scratch.finish();
    out
}

/// `explainShelf(options)`: what `recommend(options)` would serve, and why.
pub fn shelf_of(input: &Input<'_>, req: &Request) -> Shelf {
    explain_shelf(input, req, represent(input).as_ref())
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod look_past_audit_tests;
