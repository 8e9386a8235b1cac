//! The UCI Online Retail data (`uci-online-retail/by-day/*.csv`), cleaned as its README says:
//! cancellations (invoice `C…`), non-positive quantities, guest rows (no CustomerID) and
//! non-product stock codes are dropped.

use super::basket::Order;
use crate::model::build::input::{split_csv, Field};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// Stock codes that are not products (postage, discounts, fees, samples…).
pub const NON_PRODUCT: &[&str] = &[
    "POST",
    "D",
    "M",
    "BANK CHARGES",
    "DOT",
    "AMAZONFEE",
    "C2",
    "CRUK",
    "PADS",
    "S",
    "B",
];

/// What loading kept and dropped.
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    pub rows: u64,
    pub cancellations: u64,
    pub non_positive: u64,
    pub guests: u64,
    pub non_product: u64,
    pub orders: Vec<Order>,
    /// Item id → description (the first seen).
    pub titles: HashMap<String, String>,
}

/// Loads every day file of `dir`, in name order.
pub fn load(dir: &Path) -> Result<Loaded, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    let mut out = Loaded::default();
    let mut orders: HashMap<String, Order> = HashMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let mut lines = text.lines();
        let header: Vec<String> = lines.next().map(split_csv).unwrap_or_default();
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let (Some(inv), Some(code), Some(desc), Some(qty), Some(date), Some(price), Some(cust)) = (
            col("InvoiceNo"),
            col("StockCode"),
            col("Description"),
            col("Quantity"),
            col("InvoiceDate"),
            col("UnitPrice"),
            col("CustomerID"),
        ) else {
            return Err(format!("{}: unexpected header", f.display()));
        };
        for line in lines {
            let c = split_csv(line);
            if c.len() != header.len() {
                continue;
            }
            out.rows += 1;
            let invoice = c[inv].trim();
            if invoice.starts_with('C') {
                out.cancellations += 1;
                continue;
            }
            let quantity: f64 = c[qty].trim().parse().unwrap_or(0.0);
            if quantity <= 0.0 {
                out.non_positive += 1;
                continue;
            }
            let customer = c[cust].trim().trim_end_matches(".0");
            if customer.is_empty() {
                out.guests += 1;
                continue;
            }
            let item = c[code].trim().to_uppercase();
            if NON_PRODUCT.contains(&item.as_str()) {
                out.non_product += 1;
                continue;
            }
            let Some(time) =
                crate::model::build::input::parse_time(&Field::Text(Cow::Borrowed(c[date].trim())))
            else {
                continue;
            };
            let unit: f64 = c[price].trim().parse().unwrap_or(0.0);
            out.titles
                .entry(item.clone())
                .or_insert_with(|| c[desc].trim().to_owned());
            let o = orders.entry(invoice.to_owned()).or_insert_with(|| Order {
                customer: customer.to_owned(),
                id: invoice.to_owned(),
                time: time as i64,
                lines: Vec::new(),
            });
            // One line per distinct item; repeated lines of an item add their quantity.
            match o.lines.iter_mut().find(|l| l.0 == item) {
                Some(l) => l.1 += quantity,
                None => o.lines.push((item, quantity, unit)),
            }
        }
    }
    out.orders = orders.into_values().collect();
    Ok(out)
}
