//! The argument of `recommend`, parsed and checked.

use crate::args::Args;
use crate::error::{Error, Result};
use crate::event::MAX_TEXT_LEN;
use crate::value::Value;

/// Results returned when `k` is not given.
pub const DEFAULT_K: usize = 10;
/// Most results one call may ask for.
pub const MAX_K: usize = 100;
/// Most ids in `itemIds` or `exclude`.
pub const MAX_LIST: usize = 1000;

/// Which shelf to fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// The shopper's own shelf: everything known on the device, blended.
    ForYou,
    /// Items like the one on screen (`itemId`).
    Similar,
    /// Items bought with the one(s) on screen.
    BoughtTogether,
    /// Recency-weighted popularity.
    Trending,
    /// The shopper's recently viewed items, most recent first.
    RecentlyViewed,
    /// Items the shopper bought before and may need again.
    BuyAgain,
    /// What completes the cart (`itemIds`, or the cart vitrine saw being built).
    Cart,
}

impl Scenario {
    pub const NAMES: [(&'static str, Scenario); 7] = [
        ("for_you", Scenario::ForYou),
        ("similar", Scenario::Similar),
        ("bought_together", Scenario::BoughtTogether),
        ("trending", Scenario::Trending),
        ("recently_viewed", Scenario::RecentlyViewed),
        ("buy_again", Scenario::BuyAgain),
        ("cart", Scenario::Cart),
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }

    /// Whether the scenario is built from the shopper's profile (and so needs consent).
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Scenario::ForYou | Scenario::RecentlyViewed | Scenario::BuyAgain | Scenario::Cart
        )
    }
}

/// Restrictions on what may be returned.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Only these categories (lower-case); empty means any.
    pub categories: Vec<String>,
    /// Only these brands (lower-case); empty means any.
    pub brands: Vec<String>,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    /// Only items in stock. Default true: out-of-stock items appear only when asked with
    /// `filter: {inStock: false}`.
    pub in_stock: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            categories: Vec::new(),
            brands: Vec::new(),
            min_price: None,
            max_price: None,
            in_stock: true,
        }
    }
}

/// A parsed `recommend` call.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub scenario: Scenario,
    /// The item(s) on screen: `itemId` first, then `itemIds`. Never returned.
    pub anchors: Vec<String>,
    /// At most this many results (1..=100, default 10).
    pub k: usize,
    /// Item ids never to return.
    pub exclude: Vec<String>,
    pub filter: Filter,
    /// 0..1; `None` uses the policy's default.
    pub diversity: Option<f64>,
    /// Chance (0..1) that a slot after the first shows an item from further down the list, to
    /// let shoppers discover; default 0.
    pub explore: f64,
    /// Leave out every item the shopper already bought (`excludePurchased: true`). Default false.
    pub exclude_purchased: bool,
    /// Leave out items already bought in these (lower-case) categories only: durable goods
    /// nobody buys twice (`excludePurchased: ['Sofas', 'Lamps']`), while consumables stay.
    pub durable_categories: Vec<String>,
    /// Channel context (`channel: 'tiktok'`), normalized; `None` uses the visit's channel.
    pub channel: Option<String>,
}

const KEYS: &[&str] = &[
    "scenario",
    "itemId",
    "itemIds",
    "k",
    "exclude",
    "filter",
    "diversity",
    "explore",
    "excludePurchased",
    "channel",
];
const FILTER_KEYS: &[&str] = &["category", "brand", "minPrice", "maxPrice", "inStock"];

impl Request {
    /// `recommend(options)`.
    pub fn parse(v: &Value) -> Result<Self> {
        Self::parse_for("recommend", v)
    }

    /// The options of `func`: `recommend`, or `explainShelf`, which takes the same.
    pub fn parse_for(func: &'static str, v: &Value) -> Result<Self> {
        let a = Args::new(func, "options", v)?;
        if v.is_absent() {
            return Err(Error::wrong_type(
                func,
                "options",
                "an object such as {scenario: 'for_you', k: 10}",
                v,
            ));
        }
        a.reject_unknown(KEYS)?;
        let name = match a.get("scenario") {
            None => return Err(Error::invalid(func, "options.scenario", "is required")),
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(Error::wrong_type(
                    func,
                    "options.scenario",
                    "a string",
                    other,
                ))
            }
        };
        let scenario = Scenario::parse(name).ok_or_else(|| {
            let mut shown: String = name.chars().take(64).collect();
            if shown.len() < name.len() {
                shown.push('…');
            }
            Error::UnknownScenario(func, shown)
        })?;
        let mut anchors: Vec<String> = a.id("itemId")?.into_iter().collect();
        anchors.extend(a.ids("itemIds", MAX_LIST)?.unwrap_or_default());
        if scenario == Scenario::Similar && anchors.is_empty() {
            return Err(Error::invalid(
                func,
                "options.itemId",
                "is required for the 'similar' scenario",
            ));
        }
        if scenario == Scenario::BoughtTogether && anchors.is_empty() {
            return Err(Error::invalid(
                func,
                "options.itemId",
                "(or itemIds) is required for the 'bought_together' scenario",
            ));
        }
        let (exclude_purchased, durable_categories) = match a.get("excludePurchased") {
            Some(Value::Array(_)) => (false, names(func, &a, "excludePurchased")?),
            None | Some(Value::Bool(_)) => {
                (a.bool("excludePurchased")?.unwrap_or(false), Vec::new())
            }
            Some(other) => {
                return Err(Error::wrong_type(
                    func,
                    "options.excludePurchased",
                    "true, false or a list of categories",
                    other,
                ))
            }
        };
        Ok(Request {
            scenario,
            anchors,
            k: a.int("k", 1, MAX_K as u32)?
                .map_or(DEFAULT_K, |k| k as usize),
            exclude: a.ids("exclude", MAX_LIST)?.unwrap_or_default(),
            filter: parse_filter(func, a.get("filter").unwrap_or(&Value::Undefined))?,
            diversity: a.number("diversity", 0.0, 1.0)?,
            explore: a.number("explore", 0.0, 1.0)?.unwrap_or(0.0),
            exclude_purchased,
            durable_categories,
            channel: a
                .string("channel", MAX_TEXT_LEN)?
                .and_then(crate::channel::normalize),
        })
    }
}

/// The keys of a filter's names. A list's blank entries (`''`, white space: a facet list's empty
/// value) are left out; a name, or a list, with nothing to match by is an error, not a filter
/// nothing passes (a page's empty variable gave an empty shelf without a word).
fn names(func: &'static str, a: &Args<'_>, key: &'static str) -> Result<Vec<String>> {
    let list = match a.get(key) {
        Some(Value::String(_)) => a.string(key, MAX_TEXT_LEN)?.map(|s| vec![s.to_owned()]),
        _ => a.strings(key, 256, MAX_TEXT_LEN)?,
    };
    let given = list.as_ref().is_some_and(|l| !l.is_empty());
    let keys: Vec<String> = list
        .unwrap_or_default()
        .into_iter()
        .map(|s| crate::text::key(&s))
        .filter(|k| !k.is_empty())
        .collect();
    if given && keys.is_empty() {
        let what = match key {
            "brand" => "options.filter.brand",
            "category" => "options.filter.category",
            _ => "options.excludePurchased",
        };
        return Err(Error::invalid(func, what, "must not name an empty string"));
    }
    Ok(keys)
}

fn parse_filter(func: &'static str, v: &Value) -> Result<Filter> {
    let a = Args::new(func, "options.filter", v)?;
    a.reject_unknown(FILTER_KEYS)?;
    let f = Filter {
        categories: names(func, &a, "category")?,
        brands: names(func, &a, "brand")?,
        min_price: a.number("minPrice", 0.0, f64::MAX)?,
        max_price: a.number("maxPrice", 0.0, f64::MAX)?,
        in_stock: a.bool("inStock")?.unwrap_or(true),
    };
    if let (Some(lo), Some(hi)) = (f.min_price, f.max_price) {
        if lo > hi {
            return Err(Error::invalid(
                func,
                "options.filter.minPrice",
                "must not be above maxPrice",
            ));
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<Request> {
        Request::parse(&from_json(&v))
    }

    #[test]
    fn defaults_and_full_options() {
        let r = parse(json!({"scenario": "for_you"})).unwrap();
        assert_eq!(
            (r.scenario, r.k, r.filter.in_stock),
            (Scenario::ForYou, 10, true)
        );
        let r = parse(
            json!({"scenario": "similar", "itemId": 5, "k": 3, "exclude": ["x"],
            "filter": {"category": "Candles", "minPrice": 1, "maxPrice": 9, "inStock": false},
            "diversity": 0.5, "explore": 0.1, "excludePurchased": true}),
        )
        .unwrap();
        assert_eq!(r.anchors, ["5"]);
        assert_eq!(r.filter.categories, ["candles"]);
        assert!(!r.filter.in_stock && r.exclude_purchased);
        let r =
            parse(json!({"scenario": "for_you", "excludePurchased": ["Sofas", " lamps"]})).unwrap();
        assert!(!r.exclude_purchased);
        assert_eq!(r.durable_categories, ["sofas", "lamps"]);
        assert_eq!(
            parse(json!({"scenario": "for_you", "excludePurchased": "yes"}))
                .unwrap_err()
                .to_string(),
            "recommend: options.excludePurchased must be true, false or a list of categories, got string"
        );
        let shelf = Request::parse_for("explainShelf", &from_json(&json!({"scenario": "nope"})));
        assert!(shelf
            .unwrap_err()
            .to_string()
            .starts_with("explainShelf: unknown scenario 'nope'"));
        let r = parse(json!({"scenario": "trending", "channel": "TikTok"})).unwrap();
        assert_eq!(r.channel.as_deref(), Some("tiktok"));
        assert!(parse(json!({"scenario": "trending", "channel": 3})).is_err());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let msg = |v| parse(v).unwrap_err().to_string();
        assert!(msg(json!({})).contains("options.scenario is required"));
        assert!(
            msg(json!({"scenario": "for_me"})).starts_with("recommend: unknown scenario 'for_me'")
        );
        assert!(msg(json!({"scenario": "similar"})).contains("required for the 'similar' scenario"));
        assert!(msg(json!({"scenario": "for_you", "k": 0})).contains("options.k must be"));
        // An empty name filtered out everything without a word (recommendation-quality audit).
        for f in [json!({"category": ""}), json!({"brand": ["", " \u{200b}"]})] {
            let m = msg(json!({"scenario": "for_you", "filter": f}));
            assert!(m.contains("must not name an empty string"), "{m}");
        }
        assert!(parse(json!({"scenario": "for_you", "filter": {"category": []}})).is_ok());
        // A list's blank entries are left out (a facet list's empty value; the re-audit).
        let r = parse(json!({"scenario": "for_you", "filter": {"brand": ["Kiln", " "]}})).unwrap();
        assert_eq!(r.filter.brands, ["kiln"]);
        assert!(msg(json!({"scenario": "for_you", "k": 101})).contains("from 1 to 100"));
        assert!(msg(json!({"scenario": "for_you", "diversity": 2})).contains("options.diversity"));
        assert!(
            msg(json!({"scenario": "for_you", "filter": {"minPrice": 5, "maxPrice": 1}}))
                .contains("minPrice")
        );
        assert!(
            msg(json!({"scenario": "for_you", "filter": {"colour": "red"}}))
                .contains("options.filter.colour")
        );
        assert!(Request::parse(&Value::Undefined).is_err());
        assert!(Request::parse(&Value::from("for_you")).is_err());
    }
}
