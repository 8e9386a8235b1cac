//! Product lines out of the property shapes of Segment, GA4 and Shopify Web Pixels.
//!
//! | shape | where the products are | id | category | brand | price |
//! |---|---|---|---|---|---|
//! | Segment single product | the properties themselves | `product_id`, else `item_id`, else `sku`, else `id` | `category` | `brand` | `price` |
//! | Segment list / order | `products[]` | same | same | same | same |
//! | GA4 | `items[]` | `item_id` | most specific non-empty of `item_category5`…`item_category` | `item_brand` | `price` |
//! | Shopify product | `productVariant` | `product.id`, else variant `id` | `product.type` | `product.vendor` | `price.amount` |
//! | Shopify cart line | `cartLine`, `cart.lines[]` | of `merchandise` | | | |
//! | Shopify checkout | `checkout.lineItems[]` | of `variant` | | | |
//! | Shopify collection | `collection.productVariants[]`, `searchResult.productVariants[]` | | | | |
//!
//! A Shopify event may be passed whole (`{name, data: {...}}`) or as its `data`. The ids a line
//! gives after the first are kept as its other ids, for a catalog keyed by one of them (a
//! Segment `sku`). An empty string (a blank one for a price or quantity) is a property not given.

use super::{Line, Name, Refusal, MAX_LINES, MAX_TEXT_LEN};
use crate::args::{id_of, MAX_ID_LEN};
use crate::value::Value;

/// Highest price accepted, in the shop's currency; above it is a bug, not a product.
pub const MAX_PRICE: f64 = 1e9;
/// Highest quantity accepted on one line.
pub const MAX_QUANTITY: f64 = 100_000.0;
/// Lowest quantity accepted on one line: a millionth (of a kilogram, a metre…). Far smaller ones
/// are no quantity, and below 10⁻⁴⁵ the profile's `f32` would keep 0, a cart line the stored
/// record cannot hold (found by the security audit: `quantity: 1e-50` was accepted, and the next
/// page load reset the whole profile as "bad cart quantity").
pub const MIN_QUANTITY: f64 = 1e-6;

/// Collects every product line the properties describe.
pub fn lines(props: &Value) -> Result<Vec<Line>, Refusal> {
    let mut out = Vec::new();
    for key in ["products", "items"] {
        if let Some(v) = props.get(key) {
            push_array(&mut out, v, flat_line)?;
        }
    }
    if let Some(variant) = props.get("productVariant") {
        push(&mut out, shopify_variant(variant, None)?)?;
    }
    if let Some(line) = props.get("cartLine") {
        push(&mut out, shopify_cart_line(line)?)?;
    }
    if let Some(v) = props.path(&["cart", "lines"]) {
        push_array(&mut out, v, shopify_cart_line)?;
    }
    if let Some(v) = props.path(&["checkout", "lineItems"]) {
        push_array(&mut out, v, |item| {
            let variant = item.get("variant").unwrap_or(&Value::Undefined);
            shopify_variant(variant, item.get("quantity"))
        })?;
    }
    for path in [
        &["collection", "productVariants"][..],
        &["searchResult", "productVariants"][..],
    ] {
        if let Some(v) = props.path(path) {
            push_array(&mut out, v, |variant| shopify_variant(variant, None))?;
        }
    }
    if out.is_empty()
        && ["product_id", "sku", "id", "item_id"]
            .iter()
            .any(|k| props.get(k).is_some_and(|v| v.as_str() != Some("")))
    {
        // The usual event, about one product: a vector of one line (pushed, it would hold four,
        // 256 bytes, a large chunk for the allocator).
        out = vec![flat_line(props)?];
    }
    // The event's currency (Segment and GA4 `currency`, a Shopify checkout's `currencyCode`)
    // for the lines that name none of their own.
    let currency = currency(props.get("currency"))
        .or_else(|| currency(props.path(&["checkout", "currencyCode"])));
    for line in out.iter_mut().filter(|l| l.currency.is_none()) {
        line.currency = currency;
    }
    Ok(out)
}

/// A currency code, when the property holds one; anything else is none (the property was never
/// read before it was used, and a label such as 'US$' is no reason to refuse an event).
fn currency(v: Option<&Value>) -> Option<super::Currency> {
    v.and_then(Value::as_str).and_then(super::currency_of)
}

/// Whether the properties give a product list as an array (however long): `products`, `items`,
/// Shopify `cart.lines` or `checkout.lineItems`.
pub fn listed(props: &Value) -> bool {
    let array = |v: Option<&Value>| matches!(v, Some(Value::Array(_)));
    array(props.get("products"))
        || array(props.get("items"))
        || array(props.path(&["cart", "lines"]))
        || array(props.path(&["checkout", "lineItems"]))
}

fn push(out: &mut Vec<Line>, line: Line) -> Result<(), Refusal> {
    if out.len() >= MAX_LINES {
        return Err(Refusal::TooManyItems);
    }
    out.push(line);
    Ok(())
}

fn push_array(
    out: &mut Vec<Line>,
    v: &Value,
    f: impl Fn(&Value) -> Result<Line, Refusal>,
) -> Result<(), Refusal> {
    let items = v.as_array().ok_or(Refusal::InvalidProperty)?;
    if items.len() > MAX_LINES {
        return Err(Refusal::TooManyItems);
    }
    for item in items {
        if !item.is_object() {
            return Err(Refusal::InvalidProperty);
        }
        push(out, f(item)?)?;
    }
    Ok(())
}

/// A Segment product or a GA4 item.
fn flat_line(p: &Value) -> Result<Line, Refusal> {
    let mut levels = named_levels(
        p,
        &[
            "item_category5",
            "item_category4",
            "item_category3",
            "item_category2",
            "item_category",
            "category",
        ],
    );
    let category = levels.next().transpose()?;
    let (item_id, other_ids) = ids(["product_id", "item_id", "sku", "id"].map(|k| p.get(k)))?;
    Ok(Line {
        item_id,
        other_ids,
        category,
        brand: first_name(p, &["brand", "item_brand"])?,
        price: price(p.get("price"))?,
        quantity: quantity(p.get("quantity"))?,
        currency: currency(p.get("currency")),
        // Less specific levels are read as before they were kept: one that is not a name is
        // passed over, not a refusal.
        broader: levels.filter_map(Result::ok).collect(),
        sensitive: false,
    })
}

/// A Shopify `ProductVariant`.
fn shopify_variant(variant: &Value, qty: Option<&Value>) -> Result<Line, Refusal> {
    let product = variant.get("product");
    let (item_id, other_ids) = ids([
        product.and_then(|p| p.get("id")),
        variant.get("id"),
        variant.get("sku"),
    ])?;
    Ok(Line {
        item_id,
        other_ids,
        category: name(product.and_then(|p| p.get("type")))?,
        brand: name(product.and_then(|p| p.get("vendor")))?,
        price: price(variant.path(&["price", "amount"]))?,
        quantity: quantity(qty)?,
        currency: currency(variant.path(&["price", "currencyCode"])),
        broader: Vec::new(),
        sensitive: false,
    })
}

/// A Shopify `CartLine`.
fn shopify_cart_line(line: &Value) -> Result<Line, Refusal> {
    let merchandise = line.get("merchandise").unwrap_or(&Value::Undefined);
    shopify_variant(merchandise, line.get("quantity"))
}

/// An order id: like an item id, a non-empty string of at most 128 bytes or an integer.
pub(super) fn order_id(v: Option<&Value>) -> Result<Option<String>, Refusal> {
    id_or(v, Refusal::InvalidProperty)
}

/// A line's ids, in the order its vocabulary ranks them: the first given is its item id, the
/// others (each once) the ids the catalog may know it by instead ([`Line::other_ids`]).
fn ids<const N: usize>(
    given: [Option<&Value>; N],
) -> Result<(Option<String>, Vec<String>), Refusal> {
    let mut first = None;
    let mut others: Vec<String> = Vec::new();
    for v in given {
        let Some(id) = id_or(v, Refusal::InvalidItemId)? else {
            continue;
        };
        if first.is_none() {
            first = Some(id);
        } else if first.as_ref() != Some(&id) && !others.contains(&id) {
            others.push(id);
        }
    }
    Ok((first, others))
}

/// An id when one is given: too long is `TooLong`, any other bad value `invalid`. An empty
/// string is none given, as a tag manager sends for a variable it has no value for (one of
/// spaces is an id, as the catalog takes it: ids are never trimmed).
fn id_or(v: Option<&Value>, invalid: Refusal) -> Result<Option<String>, Refusal> {
    match v.filter(|v| v.as_str() != Some("")) {
        None => Ok(None),
        Some(v) => match id_of(v) {
            Some(id) => Ok(Some(id)),
            None => Err(match v {
                Value::String(s) if s.len() > MAX_ID_LEN => Refusal::TooLong,
                _ => invalid,
            }),
        },
    }
}

/// A short text property (query, list, channel): trimmed; empty means absent.
pub(super) fn text(v: Option<&Value>) -> Result<Option<String>, Refusal> {
    Ok(trimmed(v)?.map(str::to_owned))
}

/// A category or brand name, checked and trimmed as [`text`] is.
fn name(v: Option<&Value>) -> Result<Option<Name>, Refusal> {
    Ok(trimmed(v)?.map(Name::from))
}

/// The first of `keys` that holds a name: an empty level (`item_category2: ''`, as themes send
/// for the levels a product lacks) gives way to the next, less specific one.
fn first_name(p: &Value, keys: &[&str]) -> Result<Option<Name>, Refusal> {
    named_levels(p, keys).next().transpose()
}

/// The names `keys` hold, in order, empty ones left out; a bad one is its refusal.
fn named_levels<'a>(
    p: &'a Value,
    keys: &'a [&str],
) -> impl Iterator<Item = Result<Name, Refusal>> + 'a {
    keys.iter()
        .filter_map(|key| trimmed(p.get(key)).transpose())
        .map(|t| t.map(Name::from))
}

/// The text of a short text property, trimmed; `None` when absent or empty.
pub(super) fn trimmed(v: Option<&Value>) -> Result<Option<&str>, Refusal> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) if s.len() > MAX_TEXT_LEN => Err(Refusal::TooLong),
        Some(Value::String(s)) => Ok(Some(s.trim()).filter(|t| !t.is_empty())),
        Some(_) => Err(Refusal::InvalidProperty),
    }
}

/// A number, or a string holding one (`"12.99"`), as storefront data layers often send.
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) if s.len() <= 32 => crate::text::parse_number(s.trim()),
        _ => None,
    }
}

/// `v`, unless it is a blank string: an empty price or quantity is one not given (a tag
/// manager's unset variable), not a bad one that loses the whole event.
pub(crate) fn given(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
}

fn price(v: Option<&Value>) -> Result<Option<f64>, Refusal> {
    match given(v) {
        None => Ok(None),
        Some(v) => match number(v) {
            Some(p) if p.is_finite() && (0.0..=MAX_PRICE).contains(&p) => Ok(Some(p)),
            _ => Err(Refusal::InvalidPrice),
        },
    }
}

fn quantity(v: Option<&Value>) -> Result<Option<f64>, Refusal> {
    match given(v) {
        None => Ok(None),
        Some(v) => match number(v) {
            Some(q) if (MIN_QUANTITY..=MAX_QUANTITY).contains(&q) => Ok(Some(q)),
            _ => Err(Refusal::InvalidQuantity),
        },
    }
}
