//! `importHistory(records)`: a signed-in shopper's own past orders, from any channel (the shop's
//! account page, a receipt's QR code), loaded on the device so that recommendations know about
//! purchases made in a store or on another device. The page fetches them from the shop as it
//! fetches any page of the shopper's account; vitrine only reads what it is handed.
//!
//! Each record is an order in the shape of an `Order Completed` (Segment), `purchase` (GA4) or
//! `checkout_completed` (Shopify) event's properties (or the whole Shopify event, or the whole
//! Tag Manager push, as `track` takes them), with two more fields:
//! `timestamp` (required: ms since the epoch, or a `Date`) and `channel` (optional, e.g.
//! `'in_store'`). Records are validated exactly like events and refused with the same reasons.

use super::{Event, Kind, Parsed, Refusal};
use crate::error::{Error, Result};
use crate::value::Value;

/// Most records one call may import (a few years of a regular shopper's orders).
pub const MAX_RECORDS: usize = 1000;

/// Parses the argument of `importHistory`: one outcome per record. `Err` only for a call of the
/// wrong shape (not an array, or more than [`MAX_RECORDS`] records).
pub fn parse_records(v: &Value) -> Result<Vec<Parsed>> {
    let Value::Array(records) = v else {
        return Err(Error::wrong_type(
            "importHistory",
            "records",
            "an array of orders {timestamp, channel?, products | items, order_id?}",
            v,
        ));
    };
    if records.len() > MAX_RECORDS {
        return Err(Error::invalid(
            "importHistory",
            "records",
            "has more than the limit of 1000 orders; import them in several calls",
        ));
    }
    Ok(records.iter().map(parse_record).collect())
}

fn parse_record(record: &Value) -> Parsed {
    if !record.is_object() {
        return Err(Refusal::InvalidProperty);
    }
    // As `track` reads it: a Shopify event in `data`, a Tag Manager push in `ecommerce`.
    let event = Event::parse_kind(Kind::Purchase, super::payload(record), record)?;
    if event.timestamp.is_none() {
        return Err(Refusal::InvalidTimestamp);
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::fnv1a;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn records_are_orders_validated_like_events() {
        let v = from_json(&json!([
            {"order_id": "POS-1", "timestamp": 1.7e12, "channel": "In Store",
             "products": [{"product_id": "mug-1", "quantity": 2, "price": 9}]},
            {"transaction_id": 77, "timestamp": 1.7e12, "items": [{"item_id": "mug-2"}]},
            {"order_id": "x", "products": [{"product_id": "mug-1"}]},
            {"timestamp": 1.7e12, "products": [{"product_id": "mug-1", "price": -3}]},
            {"timestamp": 1.7e12, "products": []},
            "POS-9",
            {"timestamp": -1, "products": [{"product_id": "a"}]},
        ]));
        let out = parse_records(&v).unwrap();
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.kind, Kind::Purchase);
        assert_eq!(e.channel.as_deref(), Some("in_store"));
        assert_eq!(e.order, Some(fnv1a("POS-1")));
        assert_eq!(e.lines[0].quantity, Some(2.0));
        assert_eq!(out[1].as_ref().unwrap().order, Some(fnv1a("77")));
        assert_eq!(out[2], Err(Refusal::InvalidTimestamp));
        assert_eq!(out[3], Err(Refusal::InvalidPrice));
        assert_eq!(out[4], Err(Refusal::MissingItemId));
        assert_eq!(out[5], Err(Refusal::InvalidProperty));
        assert_eq!(out[6], Err(Refusal::InvalidTimestamp));
    }

    #[test]
    fn a_record_may_be_a_whole_shopify_event_or_tag_manager_push() {
        let v = from_json(&json!([
            {"event": "purchase", "timestamp": 1.7e12, "channel": "in_store",
             "ecommerce": {"transaction_id": "T-9", "items": [{"item_id": "mug-2", "quantity": 2}]}},
            {"name": "checkout_completed", "timestamp": 1.7e12,
             "data": {"checkout": {"order": {"id": "o-1"},
                "lineItems": [{"quantity": 1, "variant": {"id": "v1", "product": {"id": "mug-3"}}}]}}},
        ]));
        let out = parse_records(&v).unwrap();
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.items().map(|(id, _)| id).collect::<Vec<_>>(), ["mug-2"]);
        assert_eq!(
            (e.order, e.lines[0].quantity, e.channel.as_deref()),
            (Some(fnv1a("T-9")), Some(2.0), Some("in_store"))
        );
        let e = out[1].as_ref().unwrap();
        assert_eq!(e.items().map(|(id, _)| id).collect::<Vec<_>>(), ["mug-3"]);
        assert_eq!(e.order, Some(fnv1a("o-1")));
    }

    #[test]
    fn a_whole_shopify_event_or_segment_message_keeps_its_own_iso_timestamp() {
        // Found by the storefront audit: their `timestamp` is ISO 8601 text, and every such
        // record was refused as `invalid_timestamp`.
        let v = from_json(&json!([
            {"id": "sh-1", "name": "checkout_completed", "timestamp": "2026-11-20T09:14:03.512Z",
             "data": {"checkout": {"order": {"id": "o-1"},
                "lineItems": [{"quantity": 1, "variant": {"id": "v1", "product": {"id": "mug-3"}}}]}}},
            {"type": "track", "event": "Order Completed", "timestamp": "2026-11-20T10:14:03.512+01:00",
             "properties": {"order_id": "o-2", "products": [{"product_id": "mug-4"}]}},
            {"name": "checkout_completed", "timestamp": "2026-11-20T09:14:03",
             "data": {"checkout": {"order": {"id": "o-3"},
                "lineItems": [{"quantity": 1, "variant": {"id": "v1", "product": {"id": "mug-3"}}}]}}},
        ]));
        let out = parse_records(&v).unwrap();
        for e in &out[..2] {
            assert_eq!(e.as_ref().unwrap().timestamp, Some(1_795_166_043_512.0));
        }
        // Without its zone the time is not read (the device's is not the writer's).
        assert_eq!(out[2], Err(Refusal::InvalidTimestamp));
    }

    #[test]
    fn a_call_of_the_wrong_shape_is_an_error() {
        let e = parse_records(&from_json(&json!({"orders": []}))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "importHistory: records must be an array of orders {timestamp, channel?, products | items, order_id?}, got object"
        );
        let many = Value::Array(vec![Value::Null; MAX_RECORDS + 1]);
        assert!(parse_records(&many)
            .unwrap_err()
            .to_string()
            .contains("1000"));
        assert_eq!(
            parse_records(&Value::Array(Vec::new())).unwrap(),
            Vec::new()
        );
    }
}
