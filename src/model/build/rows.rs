//! Rows of the builder's inputs, checked: interaction lines and catalog items.

use super::input::{read_time, scientific, Field, Input, Record, TimeError};
use crate::args::MAX_ID_LEN;
use crate::event::iso::LATEST_MS;
use crate::event::MAX_TEXT_LEN;
use crate::model::catalog::{MAX_DIMS, MAX_TAGS, MAX_TITLE_LEN};
use crate::model::fits_f32;

/// What a line says the shopper did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum EventKind {
    Purchase = 0,
    Add = 1,
    View = 2,
}

impl EventKind {
    pub fn from_u8(b: u8) -> Self {
        match b {
            0 => EventKind::Purchase,
            1 => EventKind::Add,
            _ => EventKind::View,
        }
    }

    /// How much one line adds to popularity: a purchase counts fully, an add to cart a quarter, a
    /// view a twentieth (so view-only data still ranks, and purchases dominate mixed data).
    pub fn popularity_weight(self) -> f64 {
        match self {
            EventKind::Purchase => 1.0,
            EventKind::Add => 0.25,
            EventKind::View => 0.05,
        }
    }
}

/// One checked interaction line.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// [`hash`] of the buyer's id, 0 when none is given (only counted into per-item repeat
    /// rates, never stored).
    pub user: u64,
    pub order: String,
    pub item: String,
    /// ms since the epoch, whole.
    pub time: i64,
    pub quantity: f64,
    pub price: Option<f64>,
    pub event: EventKind,
    /// The timestamp was a number (epoch milliseconds), not an ISO-8601 date.
    pub numeric_time: bool,
    /// The column whose value looks like Excel's scientific notation (`5.55E+12`), if any.
    pub scientific: Option<&'static str>,
}

/// Orders and buyers are grouped by their ids' FNV-1a hash, the one events keep of an order id
/// (a collision among a million orders has a chance of about 3·10⁻⁸).
pub use crate::event::fnv1a as hash;

/// Why a line was left out.
#[derive(Clone, Debug, PartialEq)]
pub enum Skip {
    /// A return or cancellation (quantity zero or below): valid, not counted.
    NonPositiveQuantity,
    /// A line that cannot be used; the string says why.
    Bad(String),
}

// Column names, lower case: CSV headers and JSON keys match them whatever their case. The first
// is the documented one; the others are the aliases docs/MODEL.md lists.
pub const USER: &[&str] = &["user_id", "userid", "customer_id", "customerid"];
pub const ORDER: &[&str] = &["order_id", "orderid", "session_id"];
pub const ITEM: &[&str] = &["item_id", "itemid", "product_id"];
pub const TIME: &[&str] = &["timestamp", "time", "ts"];
pub const QUANTITY: &[&str] = &["quantity", "qty"];
pub const PRICE: &[&str] = &["price"];
/// Why a price is refused, with the value given.
fn price_error(f: &Field<'_>) -> String {
    let given = match f {
        Field::Number(n) => format!("{n:e}"),
        _ => f.shown(),
    };
    format!("price '{given}' is not a non-negative number of at most 3.4e38")
}

/// Why an id given as a JSON number beyond 2^53 is refused.
fn too_large(what: &str, n: &serde_json::Number) -> Skip {
    Skip::Bad(format!(
        "{what} {n} is too large an integer to be exact as a number: write it as a string"
    ))
}
pub const EVENT: &[&str] = &["event", "event_type"];

fn id(f: Option<Field<'_>>, what: &str) -> Result<String, Skip> {
    let Some(f) = f else {
        return Err(Skip::Bad(format!("has no {what}")));
    };
    if let Field::Json(serde_json::Value::Number(n)) = f {
        // An integer beyond 2^53: a browser's number would round it, and so would this tool.
        return Err(too_large(what, n));
    }
    let s = f
        .text()
        .ok_or_else(|| Skip::Bad(format!("{what} must be a string or a number")))?;
    let s = s.trim();
    if s.is_empty() {
        return Err(Skip::Bad(format!("has no {what}")));
    }
    if s.len() > MAX_ID_LEN {
        return Err(Skip::Bad(format!(
            "{what} is longer than {MAX_ID_LEN} bytes"
        )));
    }
    Ok(s.to_owned())
}

/// Earliest and latest timestamps accepted (0000-01-01 and 9999-12-31T23:59:59.999Z, in ms):
/// beyond them a time is a typo or garbage, and differences of times could overflow.
const EARLIEST_MS: f64 = -62_167_219_200_000.0;

/// Why a timestamp is refused, with the value given and what it may be instead.
fn time_error(f: &Field<'_>, e: Option<TimeError>) -> Skip {
    let given = f.shown();
    Skip::Bad(match e {
        Some(TimeError::CompactDate) => format!(
            "timestamp '{given}' is a compact date (YYYYMMDD), which is not read: write it as \
             YYYY-MM-DD (2024-06-01), or give epoch milliseconds"
        ),
        Some(TimeError::NoSuchDay) => format!("timestamp '{given}' is a day that does not exist"),
        Some(TimeError::Unreadable) => {
            format!("timestamp '{given}' is neither ISO-8601 nor epoch milliseconds")
        }
        // Read, but out of range: microseconds (GA4's event_timestamp) or nanoseconds read as
        // milliseconds are thousands of years away.
        None => {
            let ms = f.number().unwrap_or(f64::NAN).abs();
            let hint = if (ms / 1e3) <= LATEST_MS {
                "; microseconds? divide by 1000"
            } else if (ms / 1e6) <= LATEST_MS {
                "; nanoseconds? divide by 1000000"
            } else {
                ""
            };
            format!(
                "timestamp '{given}' is outside the years 0000–9999 as epoch milliseconds{hint}"
            )
        }
    })
}

/// Checks one interaction record.
pub fn interaction(input: &Input, rec: &Record) -> Result<Interaction, Skip> {
    let order = id(input.field(rec, ORDER), "order_id")?;
    let item = id(input.field(rec, ITEM), "item_id")?;
    let (time, numeric_time, time_scientific) = match input.field(rec, TIME) {
        None => return Err(Skip::Bad("has no timestamp".into())),
        Some(f) => {
            let t = read_time(&f).map_err(|e| time_error(&f, Some(e)))?;
            if !(EARLIEST_MS..=LATEST_MS).contains(&t.ms) {
                return Err(time_error(&f, None));
            }
            let sci = t.numeric && matches!(&f, Field::Text(s) if scientific(s));
            (t.ms, t.numeric, sci)
        }
    };
    let quantity = match input.field(rec, QUANTITY) {
        None => 1.0,
        Some(f) => f
            .number()
            .filter(|q| q.is_finite())
            .ok_or_else(|| Skip::Bad(format!("quantity '{}' is not a number", f.shown())))?,
    };
    // A return or cancellation, whatever its (often negative) amount says.
    if quantity <= 0.0 {
        return Err(Skip::NonPositiveQuantity);
    }
    let price = match input.field(rec, PRICE) {
        None => None,
        Some(f) => Some(
            f.number()
                .filter(|&p| fits_f32(p) && p >= 0.0)
                .ok_or_else(|| Skip::Bad(price_error(&f)))?,
        ),
    };
    let event = match input.field(rec, EVENT) {
        None => EventKind::Purchase,
        Some(f) => match f.text().as_deref().map(|s| s.trim().to_ascii_lowercase()) {
            Some(e) if e == "purchase" => EventKind::Purchase,
            Some(e) if e == "add" => EventKind::Add,
            Some(e) if e == "view" => EventKind::View,
            other => {
                return Err(Skip::Bad(format!(
                    "event '{}' is not view, add or purchase",
                    other.unwrap_or_default()
                )))
            }
        },
    };
    let user = match input.field(rec, USER) {
        Some(Field::Json(serde_json::Value::Number(n))) => return Err(too_large("user_id", n)),
        f => f
            .and_then(|f| f.text().map(|s| hash(s.trim())))
            .filter(|&h| h != hash(""))
            .unwrap_or(0),
    };
    let scientific = if scientific(&order) {
        Some("order_id")
    } else if scientific(&item) {
        Some("item_id")
    } else if time_scientific {
        Some("timestamp")
    } else {
        None
    };
    Ok(Interaction {
        user,
        order,
        item,
        time: time.floor() as i64,
        quantity,
        price,
        event,
        numeric_time,
        scientific,
    })
}

/// One checked catalog item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogItem {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price: Option<f64>,
    pub in_stock: bool,
    pub sensitive: bool,
    pub tags: Vec<String>,
    pub embedding: Vec<f32>,
}

/// Catalog columns (lower case, as [`USER`]).
pub const CATALOG_ID: &[&str] = &["item_id", "id", "itemid", "product_id"];
pub const TITLE: &[&str] = &["title", "name"];
pub const IN_STOCK: &[&str] = &["in_stock", "instock"];

/// A catalog row refused: why, and the id it gave when that could be read (its item, if sold,
/// must then not be shown: see `read_catalog`).
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub id: Option<String>,
    pub why: String,
}

fn text(input: &Input, rec: &Record, names: &[&str], max: usize) -> Result<Option<String>, String> {
    match input.field(rec, names) {
        None => Ok(None),
        Some(f) => {
            let s = f
                .text()
                .ok_or_else(|| format!("{} must be a string", names[0]))?;
            let s = s.trim();
            if s.len() > max {
                return Err(format!("{} is longer than {max} bytes", names[0]));
            }
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
    }
}

fn flag(input: &Input, rec: &Record, names: &[&str], default: bool) -> Result<bool, String> {
    match input.field(rec, names) {
        None => Ok(default),
        Some(Field::Json(serde_json::Value::Bool(b))) => Ok(*b),
        Some(f) => match f
            .text()
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("true" | "1" | "yes" | "y") => Ok(true),
            Some("false" | "0" | "no" | "n") => Ok(false),
            _ => Err(format!("{} must be true or false", names[0])),
        },
    }
}

/// Checks one catalog record. CSV tags are separated by `|`; JSON tags are an array.
pub fn catalog_item(input: &Input, rec: &Record) -> Result<CatalogItem, Refused> {
    let id = id(input.field(rec, CATALOG_ID), "id").map_err(|s| Refused {
        id: None,
        why: match s {
            Skip::Bad(m) => m,
            Skip::NonPositiveQuantity => String::new(),
        },
    })?;
    catalog_fields(input, rec, id.clone()).map_err(|why| Refused { id: Some(id), why })
}

fn catalog_fields(input: &Input, rec: &Record, id: String) -> Result<CatalogItem, String> {
    let price = match input.field(rec, PRICE) {
        None => None,
        Some(f) => Some(
            f.number()
                .filter(|&p| fits_f32(p) && p >= 0.0)
                .ok_or_else(|| price_error(&f))?,
        ),
    };
    let tags: Vec<String> = match input.field(rec, &["tags"]) {
        None => Vec::new(),
        Some(Field::Json(serde_json::Value::Array(a))) => a
            .iter()
            .map(|t| t.as_str().map(|s| s.trim().to_owned()))
            .collect::<Option<Vec<_>>>()
            .ok_or("tags must be strings")?,
        Some(f) => f
            .text()
            .unwrap_or_default()
            .split('|')
            .map(|t| t.trim().to_owned())
            .collect(),
    };
    let mut tags: Vec<String> = tags.into_iter().filter(|t| !t.is_empty()).collect();
    // The browser's `catalog` option refuses longer tags (docs/API.md, Limits).
    if let Some(t) = tags.iter().find(|t| t.len() > MAX_TEXT_LEN) {
        let start: String = t.chars().take(20).collect();
        return Err(format!(
            "tag '{start}…' is longer than {MAX_TEXT_LEN} bytes"
        ));
    }
    tags.truncate(MAX_TAGS);
    let embedding = match input.field(rec, &["embedding"]) {
        None => Vec::new(),
        Some(Field::Json(serde_json::Value::Array(a))) => {
            let e: Option<Vec<f32>> = a
                .iter()
                .map(|x| x.as_f64().filter(|&x| fits_f32(x)).map(|x| x as f32))
                .collect();
            let e = e.ok_or("embedding must hold finite numbers of at most 3.4e38")?;
            if e.len() > MAX_DIMS {
                return Err(format!("embedding has more than {MAX_DIMS} numbers"));
            }
            e
        }
        Some(_) => return Err("embedding must be an array of numbers".into()),
    };
    Ok(CatalogItem {
        title: text(input, rec, TITLE, MAX_TITLE_LEN)?.unwrap_or_default(),
        category: text(input, rec, &["category"], MAX_TEXT_LEN)?,
        brand: text(input, rec, &["brand"], MAX_TEXT_LEN)?,
        price,
        in_stock: flag(input, rec, IN_STOCK, true)?,
        sensitive: flag(input, rec, &["sensitive"], false)?,
        tags,
        embedding,
        id,
    })
}
