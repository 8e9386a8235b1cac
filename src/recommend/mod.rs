//! Recommendations: represent the shopper, generate and score candidates, apply the business
//! rules, re-rank for diversity and exploration, explain.
//!
//! Without personalization consent there is no profile: `for_you` (and `cart` without items)
//! fall back to `trending`, `recently_viewed` and `buy_again` return nothing, and `similar` /
//! `bought_together` work from the item on screen alone.

mod explain;
pub mod kernel;
mod represent;
pub mod request;
pub mod rerank;
mod rules;
mod score;
pub mod weights;

pub use represent::UserRep;
pub use request::{Filter, Request, Scenario, DEFAULT_K, MAX_K};
pub use score::Scratch;
pub use weights::Weights;

use crate::model::Model;
use crate::policy::Policy;
use crate::profile::View;
use crate::rng::Rng;
use explain::{strongest, Reason};
use rerank::Scored;
use rules::Rules;
use score::Ctx;
use serde::Serialize;

/// Most reasons given per result.
pub const MAX_REASONS: usize = 2;
/// Smallest candidate pool re-ranking chooses from (4·k when larger).
pub const MIN_POOL: usize = 50;

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

/// Says which features put an item in the pool.
type Explainer<'a> = Box<dyn Fn(&Scratch, u32) -> Vec<(Reason, f32)> + 'a>;

/// Everything one call reads.
pub struct Input<'a> {
    pub model: &'a Model,
    pub policy: &'a Policy,
    pub weights: &'a Weights,
    /// The profile, present only with personalization consent.
    pub profile: Option<View<'a>>,
    /// Whether the shopper allowed sensitive categories to be used.
    pub sensitive_ok: bool,
}

/// Runs one request. Deterministic for the same input and generator state.
pub fn recommend(
    input: &Input<'_>,
    req: &Request,
    scratch: &mut Scratch,
    rng: &mut Rng,
) -> Vec<Recommendation> {
    let model = input.model;
    let rep = input
        .profile
        .as_ref()
        .map(|v| UserRep::build(model, v, input.policy, input.weights, input.sensitive_ok));
    let mut anchors: Vec<u32> = req
        .anchors
        .iter()
        .filter_map(|id| model.index_of(id))
        .collect();
    let mut scenario = req.scenario;
    if scenario == Scenario::Cart && anchors.is_empty() {
        anchors = rep.as_ref().map(|r| r.cart.clone()).unwrap_or_default();
        if anchors.is_empty() {
            scenario = Scenario::ForYou;
        }
    }
    if scenario == Scenario::ForYou && rep.is_none() {
        scenario = Scenario::Trending;
    }
    let mut rules = Rules::new(model, input.policy, req, rep.as_ref(), input.sensitive_ok);
    if req.scenario == Scenario::Cart {
        rules.block(&anchors);
    }
    let ctx = Ctx {
        model,
        rep: rep.as_ref(),
        weights: input.weights,
        rules: &rules,
    };
    let m = (req.k * 4).max(MIN_POOL).min(model.len());

    let (pool, explain): (Vec<Scored>, Explainer<'_>) = match (scenario, rep.as_ref()) {
        (Scenario::ForYou, Some(r)) => {
            let mut s = score::ForYou::new(&ctx, r);
            let pool = s.pool(scratch, m);
            (pool, Box::new(move |sc, i| s.explain(sc, i)))
        }
        (Scenario::Similar, _) => {
            let s = score::Similar::new(&ctx, &anchors);
            let pool = s.pool(scratch, m);
            (pool, Box::new(move |_, i| s.explain(i)))
        }
        (Scenario::BoughtTogether | Scenario::Cart, _) => {
            let s = score::Together::new(&ctx, &anchors, scenario == Scenario::Cart);
            let pool = s.pool(scratch, m);
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
        (Scenario::Trending | Scenario::ForYou, _) => (
            score::trending(&ctx, m),
            Box::new(|_, i| vec![(Reason::Trending(model.category(i)), 1.0)]),
        ),
    };

    let ordered = matches!(scenario, Scenario::RecentlyViewed | Scenario::BuyAgain);
    let lambda = if ordered {
        0.0
    } else {
        req.diversity.unwrap_or(input.policy.diversity) as f32
    };
    let mut ranked = rerank::mmr(model, &pool, req.k, lambda);
    let explored = if ordered {
        Vec::new()
    } else {
        rerank::explore(&mut ranked, &pool, req.explore, rng)
    };

    let name_ok =
        |c: u32| input.sensitive_ok || !represent::sensitive_category(model, input.policy, c);
    let out = ranked
        .iter()
        .map(|s| {
            let mut reasons = if explored.contains(&s.item) {
                vec![Reason::Explore]
            } else {
                strongest(explain(scratch, s.item), MAX_REASONS)
            };
            if reasons.is_empty() {
                reasons.push(Reason::Popular(model.category(s.item)));
            }
            Recommendation {
                item_id: model.id(s.item).to_owned(),
                score: (f64::from(s.score) * 1e4).round() / 1e4,
                reasons: reasons
                    .into_iter()
                    .map(|r| r.render(model, &name_ok))
                    .collect(),
            }
        })
        .collect();
    scratch.reset();
    out
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
