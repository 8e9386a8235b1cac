//! When a person should help: frustration signals read from the profile, on the device.
//!
//! `assistance()` tells the page whether to offer a human (chat, WhatsApp, a phone number)
//! instead of another automated answer, and why. It reads only what the profile already holds
//! under personalization consent; nothing is sent, and the page decides what to do.
//!
//! | reason | signal |
//! |---|---|
//! | `searches_without_click` | at least [`SEARCHES_WITHOUT_CLICK`] searches in the last 30 minutes, none followed by a product view or add to cart |
//! | `cart_hesitation` | the same item taken out of the cart at least [`CART_REMOVALS`] times in the last 30 minutes (added and removed again) |
//! | `checkout_abandoned` | a checkout started between 10 minutes and 24 hours ago, with no purchase since |
//! | `detractor` | the latest survey answer, given in the last 7 days, was 0–6 |

use crate::nps::Class;
use crate::profile::View;
use serde::Serialize;

/// Searches without a click that call for help.
pub const SEARCHES_WITHOUT_CLICK: usize = 3;
/// Removals of the same item that call for help.
pub const CART_REMOVALS: usize = 2;
/// How far back searches and cart removals count: one visit.
pub const WINDOW_MS: f64 = crate::channel::VISIT_GAP_MS;
/// A checkout counts as abandoned this long after it started without a purchase…
pub const CHECKOUT_IDLE_MS: f64 = 10.0 * 60_000.0;
/// …and stops counting this long after.
pub const CHECKOUT_WINDOW_MS: f64 = 24.0 * 3_600_000.0;
/// How long a detractor's answer calls for a person.
pub const DETRACTOR_WINDOW_MS: f64 = 7.0 * 86_400_000.0;

/// `assistance()`'s answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assistance {
    /// Whether to offer a person.
    pub suggest_human: bool,
    /// Why, as stable codes (see the module documentation), strongest first.
    pub reasons: Vec<&'static str>,
}

/// Reads the frustration signals of a profile, as of the view's time.
pub fn assess(v: &View<'_>) -> Assistance {
    let now = v.now();
    let recent = |at: f64| at >= now - WINDOW_MS;
    let mut reasons = Vec::new();
    if let Some((score, at)) = v.survey() {
        if Class::of(score) == Class::Detractor && at >= now - DETRACTOR_WINDOW_MS {
            reasons.push("detractor");
        }
    }
    if let Some(at) = v.open_checkout() {
        if now - at >= CHECKOUT_IDLE_MS && now - at <= CHECKOUT_WINDOW_MS {
            reasons.push("checkout_abandoned");
        }
    }
    let removals: Vec<&str> = v
        .removals()
        .filter(|(_, at)| recent(*at))
        .map(|(id, _)| id)
        .collect();
    if removals
        .iter()
        .any(|id| removals.iter().filter(|x| *x == id).count() >= CART_REMOVALS)
    {
        reasons.push("cart_hesitation");
    }
    let engaged = v
        .recent()
        .map(|(_, at)| at)
        .chain(v.cart_times())
        .fold(f64::NEG_INFINITY, f64::max);
    let searches = v
        .searches()
        .filter(|(_, at)| recent(*at) && *at > engaged)
        .count();
    if searches >= SEARCHES_WITHOUT_CLICK {
        reasons.push("searches_without_click");
    }
    Assistance {
        suggest_human: !reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentState, Gate};
    use crate::event::{Event, Kind, Line};
    use crate::profile::Profile;

    const T: f64 = 1_750_000_000_000.0;
    const MIN: f64 = 60_000.0;

    fn ev(kind: Kind, id: Option<&str>) -> Event {
        Event {
            kind,
            lines: id
                .map(|id| Line {
                    item_id: Some(id.into()),
                    other_ids: Vec::new(),
                    currency: None,
                    category: None,
                    brand: None,
                    price: None,
                    quantity: None,
                    broader: Vec::new(),
                    sensitive: false,
                })
                .into_iter()
                .collect(),
            query: (kind == Kind::Search).then(|| "blue lamp".to_owned()),
            list: None,
            timestamp: None,
            channel: None,
            score: (kind == Kind::Survey).then_some(3),
            order: None,
            empty_list: false,
            sensitive: false,
        }
    }

    fn gate() -> Gate {
        Gate::new(ConsentState {
            personalization: true,
            ..Default::default()
        })
    }

    fn reasons(p: &Profile, now: f64) -> Vec<&'static str> {
        let g = gate();
        let who = g.personalization().unwrap();
        assess(&p.view(&who, now)).reasons
    }

    #[test]
    fn a_calm_visit_needs_no_one() {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(1e9);
        for i in 0..3 {
            p.record(&who, &ev(Kind::Search, None), T + f64::from(i) * MIN);
            p.record(
                &who,
                &ev(Kind::View, Some("a")),
                T + f64::from(i) * MIN + 1.0,
            );
        }
        p.record(&who, &ev(Kind::Add, Some("a")), T + 5.0 * MIN);
        let a = assess(&p.view(&who, T + 6.0 * MIN));
        assert_eq!(a, Assistance::default());
    }

    #[test]
    fn repeated_searches_without_a_click() {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(1e9);
        p.record(&who, &ev(Kind::View, Some("a")), T);
        for i in 1..=2 {
            p.record(&who, &ev(Kind::Search, None), T + f64::from(i) * MIN);
        }
        assert_eq!(
            reasons(&p, T + 3.0 * MIN),
            Vec::<&str>::new(),
            "two are not enough"
        );
        p.record(&who, &ev(Kind::Search, None), T + 3.0 * MIN);
        assert_eq!(reasons(&p, T + 4.0 * MIN), ["searches_without_click"]);
        assert!(reasons(&p, T + 40.0 * MIN).is_empty(), "the visit is over");
        p.record(&who, &ev(Kind::View, Some("b")), T + 5.0 * MIN);
        assert!(
            reasons(&p, T + 6.0 * MIN).is_empty(),
            "a click answers the searches"
        );
    }

    #[test]
    fn adding_and_removing_the_same_item_again_and_again() {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(1e9);
        p.record(&who, &ev(Kind::Remove, Some("a")), T);
        p.record(&who, &ev(Kind::Remove, Some("a")), T + 1.0);
        assert!(
            reasons(&p, T + 2.0).is_empty(),
            "not in the cart: not a hesitation"
        );
        for i in 0..2 {
            let t = T + f64::from(i) * MIN;
            p.record(&who, &ev(Kind::Add, Some("a")), t);
            p.record(&who, &ev(Kind::Remove, Some("a")), t + 1.0);
        }
        assert_eq!(reasons(&p, T + 2.0 * MIN), ["cart_hesitation"]);
        let mut q = Profile::new(1e9);
        for id in ["a", "b"] {
            q.record(&who, &ev(Kind::Add, Some(id)), T);
            q.record(&who, &ev(Kind::Remove, Some(id)), T + 1.0);
        }
        assert!(reasons(&q, T + 2.0).is_empty(), "two different items");
    }

    #[test]
    fn an_abandoned_checkout_and_a_detractor() {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(1e9);
        p.record(&who, &ev(Kind::Checkout, Some("a")), T);
        assert!(reasons(&p, T + 5.0 * MIN).is_empty(), "still checking out");
        assert_eq!(reasons(&p, T + 15.0 * MIN), ["checkout_abandoned"]);
        assert!(reasons(&p, T + 25.0 * 60.0 * MIN).is_empty(), "a day later");
        p.record(&who, &ev(Kind::Purchase, Some("a")), T + 12.0 * MIN);
        assert!(reasons(&p, T + 15.0 * MIN).is_empty(), "bought after all");
        p.record(&who, &ev(Kind::Survey, None), T + 20.0 * MIN);
        assert_eq!(reasons(&p, T + 21.0 * MIN), ["detractor"]);
        assert!(
            reasons(&p, T + 8.0 * 1440.0 * MIN).is_empty(),
            "a week later"
        );
    }
}
