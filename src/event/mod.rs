//! The shopper's events: the three vocabularies parsed into one typed [`Event`], and validated.
//!
//! `track(event, properties?, options?)` follows analytics.js. A call whose *shape* is wrong
//! (`track(42)`, properties that are not an object) is a programming error and becomes an
//! [`Error`]; an event whose *data* is bad (unknown name, missing id, negative price, a string over
//! its limit) is refused with a [`Refusal`] and never stored.

pub mod import;
pub mod iso;
mod lines;
pub mod names;

use crate::error::{Error, Result};
use crate::value::Value;
use serde::Serialize;

pub(crate) use lines::{given, number};
pub use lines::{MAX_PRICE, MAX_QUANTITY, MIN_QUANTITY};
pub use names::{ignored, kind_of, Vocabulary, EVENT_NAMES, IGNORED_NAMES};

/// Longest category, brand, search query or channel accepted, in bytes.
pub const MAX_TEXT_LEN: usize = 256;
/// Most product lines one event may carry (an order with more is refused, not truncated).
pub const MAX_LINES: usize = 500;

/// What the shopper did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    View,
    Click,
    Add,
    Remove,
    Search,
    ListView,
    CartView,
    Checkout,
    Purchase,
    Wishlist,
    /// A satisfaction survey answer (`Survey Answered`, `{score: 0..10}`).
    Survey,
    /// A page of the shop was shown (`page_view`, `page_viewed`): activity from the visit's
    /// channel, about no product; nothing of the page is kept.
    PageView,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::View,
        Kind::Click,
        Kind::Add,
        Kind::Remove,
        Kind::Search,
        Kind::ListView,
        Kind::CartView,
        Kind::Checkout,
        Kind::Purchase,
        Kind::Wishlist,
        Kind::Survey,
        Kind::PageView,
    ];

    /// Stable snake_case name, as in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::Click => "click",
            Kind::Add => "add",
            Kind::Remove => "remove",
            Kind::Search => "search",
            Kind::ListView => "list_view",
            Kind::CartView => "cart_view",
            Kind::Checkout => "checkout",
            Kind::Purchase => "purchase",
            Kind::Wishlist => "wishlist",
            Kind::Survey => "survey",
            Kind::PageView => "page_view",
        }
    }

    /// Whether the event is about specific products and must name at least one.
    fn needs_item(self) -> bool {
        matches!(
            self,
            Kind::View | Kind::Click | Kind::Add | Kind::Remove | Kind::Wishlist | Kind::Purchase
        )
    }
}

/// A category or brand name on a [`Line`]. Shared: a name the catalog fills in is the session's
/// one copy of it (a count goes up), not a new string per event — the two copies an event made
/// were a twentieth of `track` on the 100k catalog.
pub type Name = std::rc::Rc<str>;

/// One product an event is about. Fields the event does not give are filled from the catalog
/// model when the item is known to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub item_id: Option<String>,
    /// The line's other ids, when it gives more than one (Segment sends `product_id` and `sku`;
    /// a Shopify variant its product's id, its own and its SKU): the first the catalog knows
    /// takes `item_id`'s place when the catalog does not know `item_id`.
    pub other_ids: Vec<String>,
    pub category: Option<Name>,
    pub brand: Option<Name>,
    pub price: Option<f64>,
    /// Positive; `None` when not given (a purchase or an addition counts it as 1; a removal
    /// without one takes the whole line out of the cart).
    pub quantity: Option<f64>,
    /// The currency of `price` when the event names one (the line's, else the event's): a price
    /// in another currency than the catalog's (`open`'s `currency`) is not read as one of its.
    pub currency: Option<Currency>,
    /// The less specific category levels the event gave as well (GA4's `item_category` when
    /// `item_category2` is the line's category, …), most specific first: read only by the
    /// sensitive screen, which treats a line as in a sensitive category when any level is.
    pub broader: Vec<Name>,
    /// Kept under the `sensitive` consent (the screen marks it): it leaves no trace outside the
    /// signals that consent covers, so that withdrawing it erases them all.
    pub sensitive: bool,
}

/// A validated event, whatever vocabulary it came in.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: Kind,
    pub lines: Vec<Line>,
    /// Search query (`query`, `search_term`, Shopify `searchResult.query`).
    pub query: Option<String>,
    /// The category of a list viewed (Segment `category`, Shopify `collection.title`).
    pub list: Option<String>,
    /// When it happened, ms since the epoch; `None` means now.
    pub timestamp: Option<f64>,
    /// Where the shopper came from (`options.channel`), normalized by [`crate::channel::normalize`].
    pub channel: Option<String>,
    /// A survey answer's score, 0–10 (`Survey Answered`). The comment is never kept.
    pub score: Option<u8>,
    /// The order of a purchase (`order_id`, `transaction_id`, Shopify `checkout.order.id`), so
    /// the same order is counted once however often it is reported: the 64-bit FNV-1a hash of
    /// its id ([`fnv1a`]), taken as the event is read, so the id itself is not kept.
    pub order: Option<u64>,
    /// A cart view that gave its product list, and the list was empty (`products: []`,
    /// `items: []`, Shopify `cart.lines: []`): the cart is empty.
    pub empty_list: bool,
    /// Screening kept something of it under the `sensitive` consent (a line, the list or the
    /// query): its count leaves the profile's event counts when that consent is withdrawn.
    pub sensitive: bool,
}

/// An ISO 4217 currency code, in capitals (`*b"EUR"`).
pub type Currency = [u8; 3];

/// The currency code a string names: three ASCII letters, in any case (`'eur'`), around them
/// white space. Anything else names none.
pub fn currency_of(s: &str) -> Option<Currency> {
    match s.trim().as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => {
            Some([a, b, c].map(|x| x.to_ascii_uppercase()))
        }
        _ => None,
    }
}

/// The 64-bit FNV-1a hash of a string: what an [`Event`] keeps of an order id.
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Why an event was not accepted. The codes are stable: pages may switch on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No personalization consent: nothing was kept, not even in memory.
    NoConsent,
    /// The event name is not in any supported vocabulary.
    UnknownEvent,
    /// An event of the three vocabularies that vitrine has no use for ([`names::IGNORED_NAMES`]:
    /// checkout steps, coupons, promotions, sign-ins, refunds, …).
    IgnoredEvent,
    /// A product event without any product id.
    MissingItemId,
    /// An id that is neither a non-empty string nor an integer.
    InvalidItemId,
    /// A price that is not a finite number from 0 to 1e9.
    InvalidPrice,
    /// A quantity that is not a number from 0.000001 to 100,000.
    InvalidQuantity,
    /// A string longer than its documented limit.
    TooLong,
    /// More than 500 product lines.
    TooManyItems,
    /// A search without a query.
    MissingQuery,
    /// A list view with neither a list name nor products.
    MissingList,
    /// A property of the wrong type (e.g. `category: 5`, `products: "x"`).
    InvalidProperty,
    /// `options.timestamp` that is not a time: a number from 0 to the end of the year 9999 (ms),
    /// or ISO 8601 text with its zone.
    InvalidTimestamp,
    /// `options.channel` that is not a string.
    InvalidChannel,
    /// The properties are nested too deeply or are too large to read.
    TooLarge,
    /// `options.timestamp` is older than the policy's retention period.
    Expired,
    /// A survey answer without an integer `score` from 0 to 10.
    InvalidScore,
    /// A purchase whose order was already counted (a reloaded confirmation page, an imported
    /// order the device saw live).
    Duplicate,
    /// Everything the event was about is in a sensitive category, and the shopper did not give
    /// the separate `sensitive` consent: nothing of it was kept.
    Sensitive,
}

impl Refusal {
    /// The `reason` string `track` returns.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NoConsent => "no_consent",
            Refusal::UnknownEvent => "unknown_event",
            Refusal::IgnoredEvent => "ignored_event",
            Refusal::MissingItemId => "missing_item_id",
            Refusal::InvalidItemId => "invalid_item_id",
            Refusal::InvalidPrice => "invalid_price",
            Refusal::InvalidQuantity => "invalid_quantity",
            Refusal::TooLong => "string_too_long",
            Refusal::TooManyItems => "too_many_items",
            Refusal::MissingQuery => "missing_query",
            Refusal::MissingList => "missing_list",
            Refusal::InvalidProperty => "invalid_property",
            Refusal::InvalidTimestamp => "invalid_timestamp",
            Refusal::InvalidChannel => "invalid_channel",
            Refusal::TooLarge => "too_large",
            Refusal::Expired => "expired",
            Refusal::InvalidScore => "invalid_score",
            Refusal::Duplicate => "duplicate",
            Refusal::Sensitive => "sensitive",
        }
    }
}

/// The outcome of parsing a `track` call that had the right shape.
pub type Parsed = core::result::Result<Event, Refusal>;

impl Event {
    /// Parses the three arguments of `track`. `Err` only for a call of the wrong shape.
    pub fn parse(name: &Value, properties: &Value, options: &Value) -> Result<Parsed> {
        let Value::String(name) = name else {
            return Err(Error::wrong_type(
                "track",
                "event",
                "an event name string such as 'Product Viewed', 'view_item' or 'product_viewed'",
                name,
            ));
        };
        let props = match properties {
            Value::Object(_) => payload(properties),
            v if v.is_absent() => &Value::Undefined,
            other => {
                return Err(Error::wrong_type(
                    "track",
                    "properties",
                    "an object (or undefined)",
                    other,
                ))
            }
        };
        if !(options.is_object() || options.is_absent()) {
            return Err(Error::wrong_type(
                "track",
                "options",
                "an object such as {timestamp, channel} (or undefined)",
                options,
            ));
        }
        Ok(Self::parse_fields(name, props, options))
    }

    fn parse_fields(name: &str, props: &Value, options: &Value) -> Parsed {
        // Looked through only for a name that is none of vitrine's (`ok_or` would look at every
        // event: a tenth of `track`).
        let kind = kind_of(name).ok_or_else(|| match ignored(name) {
            true => Refusal::IgnoredEvent,
            false => Refusal::UnknownEvent,
        })?;
        Self::parse_kind(kind, props, options)
    }

    /// Parses the properties and options of an event of a known kind.
    pub(crate) fn parse_kind(kind: Kind, props: &Value, options: &Value) -> Parsed {
        let mut lines = lines::lines(props)?;
        let empty_list = kind == Kind::CartView && lines.is_empty() && lines::listed(props);
        if matches!(kind, Kind::Search | Kind::PageView | Kind::Survey) {
            // The results a search showed (Shopify `searchResult.productVariants`, GA4 `items`)
            // are not what the shopper chose: read, so bad ones are refused as anywhere, but a
            // search keeps its query only (each result became an item held at weight 0). A
            // survey answer keeps its score only: the product it names stayed in the profile as
            // an item at weight 0 (the docs audit).
            lines.clear();
        }
        if kind.needs_item() && !lines.iter().any(|l| l.item_id.is_some()) {
            return Err(Refusal::MissingItemId);
        }
        let query = lines::text(
            props
                .get_any(&["query", "search_term"])
                .or_else(|| props.path(&["searchResult", "query"])),
        )?;
        if kind == Kind::Search && query.is_none() {
            return Err(Refusal::MissingQuery);
        }
        let list = if kind == Kind::ListView {
            // Only a category names what the shopper browsed: Segment's `category`, a Shopify
            // collection. A GA4 `item_list_name` ('Related products') or a list id
            // ('todays_deals_may_11') says where a list was shown; it names the list, but kept
            // it became one of the shopper's "categories".
            let list = lines::text(
                props
                    .get("category")
                    .or_else(|| props.path(&["collection", "title"])),
            )?;
            let named =
                lines::trimmed(props.get_any(&["item_list_name", "list_id", "item_list_id"]))?;
            if list.is_none() && named.is_none() && lines.is_empty() {
                return Err(Refusal::MissingList);
            }
            list
        } else {
            None
        };
        let timestamp = match options.get("timestamp") {
            None => None,
            // Epoch milliseconds up to the year 9999: past it, a GA4 `event_timestamp`
            // (microseconds) or nanoseconds, which dated now would be kept whatever their age.
            Some(Value::Number(t)) if (0.0..=iso::LATEST_MS).contains(t) => Some(*t),
            // The ISO 8601 text of a Segment message or a Shopify event (`importHistory` reads
            // whole ones, their `timestamp` beside the properties).
            Some(Value::String(s)) => Some(iso::parse(s).ok_or(Refusal::InvalidTimestamp)?),
            Some(_) => return Err(Refusal::InvalidTimestamp),
        };
        let channel = match lines::text(options.get("channel")) {
            Err(Refusal::InvalidProperty) => return Err(Refusal::InvalidChannel),
            given => given?.and_then(|c| crate::channel::normalize(&c)),
        };
        let score = if kind == Kind::Survey {
            if props.get("comment").is_some_and(|c| c.as_str().is_none()) {
                return Err(Refusal::InvalidProperty);
            }
            match props.get("score") {
                Some(Value::Number(n)) if n.fract() == 0.0 && (0.0..=10.0).contains(n) => {
                    Some(*n as u8)
                }
                _ => return Err(Refusal::InvalidScore),
            }
        } else {
            None
        };
        let order = if kind == Kind::Purchase {
            lines::order_id(
                props
                    .get_any(&["order_id", "transaction_id"])
                    .or_else(|| props.path(&["checkout", "order", "id"])),
            )?
            .map(|id| fnv1a(&id))
        } else {
            None
        };
        Ok(Event {
            kind,
            lines,
            query,
            list,
            timestamp,
            channel,
            score,
            order,
            empty_list,
            sensitive: false,
        })
    }

    /// Product lines that name an item.
    pub fn items(&self) -> impl Iterator<Item = (&str, &Line)> {
        self.lines
            .iter()
            .filter_map(|l| l.item_id.as_deref().map(|id| (id, l)))
    }

    /// Whether something of the event is not sensitive: a line, or an event that screening did
    /// not mark. Only such an event leaves signals beyond the items and names it is about (its
    /// channel's weight, a checkout started), which withdrawing the `sensitive` consent could not
    /// tell apart from the others'.
    pub fn ordinary(&self) -> bool {
        !self.sensitive || self.lines.iter().any(|l| !l.sensitive)
    }
}

/// Where a whole event object carries its properties: a Shopify event (`{name, data: {…}}`) in
/// `data`, a Google Tag Manager `dataLayer` push (`{event, ecommerce: {…}}`) in `ecommerce`, a
/// Segment message (`{type: 'track', event, properties: {…}, context}`, as a source middleware or
/// `analytics.on('track', …)` hands it over) in `properties`.
fn payload(props: &Value) -> &Value {
    let inner = |envelope: &str, key: &str| match props.get(key) {
        Some(data @ Value::Object(_)) if props.get(envelope).is_some() => Some(data),
        _ => None,
    };
    // A Segment message says it is one (`type: 'track'`): a payload of another shape may carry
    // its own `event` and `properties` fields.
    let message = props.get("type").and_then(Value::as_str) == Some("track");
    inner("name", "data")
        .or_else(|| inner("event", "ecommerce"))
        .or_else(|| inner("event", "properties").filter(|_| message))
        .unwrap_or(props)
}

#[cfg(test)]
mod tests;
