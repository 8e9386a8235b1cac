//! Next-basket evaluation: split orders by time, build the model from the training orders,
//! replay each test customer's own history through a fresh [`Session`] and ask `for_you`.
//! Peers (POP, TOPFREQ) are ranked on exactly the same split.

use super::metrics::{Acc, Metrics};
use crate::model::build::{self, Options};
use crate::model::Model;
use crate::recommend::Weights;
use crate::session::{Env, OpenOptions, Session};
use crate::store::MemoryBackend;
use crate::value::{from_json, Value};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

pub const DAY_MS: i64 = 86_400_000;
/// Lines per `Order Completed` event when replaying (the event limit is 500).
const EVENT_LINES: usize = 500;

/// One order: its customer, time and distinct items (with quantity and unit price).
#[derive(Clone, Debug)]
pub struct Order {
    pub customer: String,
    pub id: String,
    pub time: i64,
    pub lines: Vec<(String, f64, f64)>,
}

/// Train orders, and each test customer's first later order.
pub struct Split {
    pub cutoff: i64,
    pub train: Vec<Order>,
    /// Indexes into `train` of each customer's orders, in time order.
    pub history: HashMap<String, Vec<usize>>,
    /// `(customer, first order on or after the cutoff)`, customers with history only, sorted.
    pub test: Vec<(String, Order)>,
}

impl Split {
    /// Orders before `cutoff` train; the test is each customer's first order on or after it, for
    /// customers who also ordered before it.
    pub fn new(mut orders: Vec<Order>, cutoff: i64) -> Self {
        orders.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        let (train, later): (Vec<Order>, Vec<Order>) =
            orders.into_iter().partition(|o| o.time < cutoff);
        let mut history: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in train.iter().enumerate() {
            history.entry(o.customer.clone()).or_default().push(i);
        }
        let mut first: HashMap<String, Order> = HashMap::new();
        for o in later {
            if history.contains_key(&o.customer) && !first.contains_key(&o.customer) {
                first.insert(o.customer.clone(), o);
            }
        }
        let mut test: Vec<(String, Order)> = first.into_iter().collect();
        test.sort_by(|a, b| a.0.cmp(&b.0));
        Split {
            cutoff,
            train,
            history,
            test,
        }
    }

    /// The training orders as the builder's interactions CSV.
    pub fn write_train(&self, path: &Path) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(w, "user_id,order_id,item_id,quantity,price,timestamp")?;
        for o in &self.train {
            for (item, q, p) in &o.lines {
                writeln!(
                    w,
                    "{},{},{},{q},{p},{}",
                    o.customer,
                    o.id,
                    csv(item),
                    o.time
                )?;
            }
        }
        w.flush()
    }

    /// The test baskets: `user_id,item_id,timestamp`.
    pub fn write_test(&self, path: &Path) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(w, "user_id,item_id,timestamp")?;
        for (c, o) in &self.test {
            for (item, _, _) in &o.lines {
                writeln!(w, "{c},{},{}", csv(item), o.time)?;
            }
        }
        w.flush()
    }

    pub fn relevant(o: &Order) -> HashSet<String> {
        o.lines.iter().map(|l| l.0.clone()).collect()
    }
}

/// Quotes a CSV field when needed.
pub fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Builds the model from the training orders (titles optional), in `dir`.
pub fn build_model(
    split: &Split,
    titles: &HashMap<String, String>,
    dir: &Path,
    o: &Options,
) -> Result<Model, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let train = dir.join("train.csv");
    split.write_train(&train).map_err(|e| e.to_string())?;
    let catalog = if titles.is_empty() {
        None
    } else {
        let p = dir.join("catalog.csv");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&p).map_err(|e| e.to_string())?);
        writeln!(w, "item_id,title").map_err(|e| e.to_string())?;
        let mut ids: Vec<&String> = titles.keys().collect();
        ids.sort();
        for id in ids {
            writeln!(w, "{},{}", csv(id), csv(&titles[id])).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
        Some(p)
    };
    let (parts, _) = build::build(&train, catalog.as_deref(), o).map_err(|e| e.to_string())?;
    Model::from_parts(parts).map_err(|e| e.to_string())
}

/// The policy a shop selling repeat stock would set: signals kept a year, interest halving
/// every `half_life_days`.
pub fn policy_json(half_life_days: f64) -> serde_json::Value {
    json!({"halfLifeDays": half_life_days, "retentionDays": 365, "diversity": 0})
}

/// A session holding one customer's replayed history, opened as a page would: memory storage,
/// consent given.
pub fn replay(model: &Model, split: &Split, customer: &str, half_life_days: f64) -> Session {
    let opts = from_json(&json!({
        "consent": {"personalization": true, "storage": true},
        "storage": "memory",
        "policy": policy_json(half_life_days),
    }));
    let mut opts = match OpenOptions::parse(opts) {
        Ok(o) => o,
        Err(e) => panic!("evaluation options are valid: {e}"),
    };
    opts.model = model.clone();
    let first = split
        .history
        .get(customer)
        .and_then(|h| h.first())
        .map_or(0, |&i| split.train[i].time);
    let mut s = Session::open(
        opts,
        Box::new(MemoryBackend::new()),
        Env {
            now: first as f64,
            seed: 1,
            gpc: false,
        },
    );
    for &i in split
        .history
        .get(customer)
        .map_or(&[][..], |v| v.as_slice())
    {
        let o = &split.train[i];
        for chunk in o.lines.chunks(EVENT_LINES) {
            let products: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(id, q, p)| json!({"product_id": id, "quantity": q, "price": p}))
                .collect();
            let _ = s.track(
                &Value::from("Order Completed"),
                &from_json(&json!({"order_id": o.id, "products": products})),
                &Value::Undefined,
                o.time as f64,
            );
        }
    }
    s
}

/// The `for_you` shelf of a replayed session at time `now`.
pub fn for_you(s: &mut Session, k: usize, now: f64) -> Vec<String> {
    let req = from_json(&json!({"scenario": "for_you", "k": k}));
    s.recommend(&req, now)
        .map(|r| r.into_iter().map(|x| x.item_id).collect())
        .unwrap_or_default()
}

/// vitrine on the split: one fresh session per test customer, for each weight setting.
/// Returns one [`Metrics`] per setting, in order. Runs on two threads.
pub fn evaluate_vitrine(
    model: &Model,
    split: &Split,
    settings: &[Weights],
    half_life_days: f64,
    k: usize,
) -> Vec<Metrics> {
    let threads = 2;
    let chunks: Vec<&[(String, Order)]> = split
        .test
        .chunks(split.test.len().div_ceil(threads).max(1))
        .collect();
    let accs: Vec<Vec<Acc>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut accs = vec![Acc::default(); settings.len()];
                    for (c, o) in chunk.iter() {
                        let mut s = replay(model, split, c, half_life_days);
                        let rel = Split::relevant(o);
                        for (w, acc) in settings.iter().zip(accs.iter_mut()) {
                            s.set_weights(w.clone());
                            acc.add(&for_you(&mut s, k, o.time as f64), &rel, k);
                        }
                    }
                    accs
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    (0..settings.len())
        .map(|i| {
            let mut total = Acc::default();
            for a in &accs {
                if let Some(x) = a.get(i) {
                    total.merge(x);
                }
            }
            total.metrics()
        })
        .collect()
}

/// Items by the number of training orders holding them in the last `days` before the cutoff.
pub fn popular(split: &Split, days: i64) -> Vec<String> {
    let from = split.cutoff - days * DAY_MS;
    let mut counts: HashMap<&str, (u64, i64)> = HashMap::new();
    for o in split.train.iter().filter(|o| o.time >= from) {
        for (item, _, _) in &o.lines {
            let e = counts.entry(item.as_str()).or_insert((0, 0));
            e.0 += 1;
            e.1 = e.1.max(o.time);
        }
    }
    let mut v: Vec<(&str, (u64, i64))> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(i, _)| i.to_owned()).collect()
}

/// POP: the most bought items of the last 30 days, the same for everyone.
pub fn evaluate_pop(split: &Split, k: usize) -> Metrics {
    let pop = popular(split, 30);
    let mut acc = Acc::default();
    for (_, o) in &split.test {
        acc.add(&pop, &Split::relevant(o), k);
    }
    acc.metrics()
}

/// TOPFREQ: the customer's own items by the number of their orders holding them, ties by the
/// most recent, then POP.
pub fn topfreq(split: &Split, customer: &str, pop: &[String], k: usize) -> Vec<String> {
    let mut counts: HashMap<&str, (u64, i64)> = HashMap::new();
    for &i in split
        .history
        .get(customer)
        .map_or(&[][..], |v| v.as_slice())
    {
        let o = &split.train[i];
        for (item, _, _) in &o.lines {
            let e = counts.entry(item.as_str()).or_insert((0, 0));
            e.0 += 1;
            e.1 = e.1.max(o.time);
        }
    }
    let mut own: Vec<(&str, (u64, i64))> = counts.into_iter().collect();
    own.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<String> = own.iter().take(k).map(|(i, _)| (*i).to_owned()).collect();
    for p in pop {
        if out.len() >= k {
            break;
        }
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

pub fn evaluate_topfreq(split: &Split, k: usize) -> Metrics {
    let pop = popular(split, 30);
    let mut acc = Acc::default();
    for (c, o) in &split.test {
        acc.add(&topfreq(split, c, &pop, k), &Split::relevant(o), k);
    }
    acc.metrics()
}
