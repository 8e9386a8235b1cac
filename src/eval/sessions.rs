//! Session-based next-click evaluation (Yoochoose clicks): the last day's sessions are the test;
//! the model is built from the sessions before. After each click of a test session, `for_you`
//! (k = 20) is asked and scored against the next click: HR@20 and MRR@20. Peers: POP (most
//! clicked) and session-kNN (Ludewig & Jannach's SKNN: cosine between the current session and
//! the most recent past sessions sharing an item, 100 neighbours from a sample of 500).

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

#[derive(Clone, Debug)]
pub struct Click {
    pub session: String,
    pub item: String,
    pub time: i64,
}

/// Sessions as ordered clicks.
pub type Sessions = Vec<(String, Vec<Click>)>;

/// Reads a `SessionId<TAB>ItemId<TAB>Time(epoch seconds)` file.
pub fn load(path: &Path) -> Result<Vec<Click>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [s, i, t] = f[..] {
            if let Ok(t) = t.trim().parse::<f64>() {
                out.push(Click {
                    session: s.trim().to_owned(),
                    item: i.trim().to_owned(),
                    time: (t * 1000.0).floor() as i64,
                });
            }
        }
    }
    Ok(out)
}

/// Groups clicks into sessions ordered by time.
pub fn sessions(clicks: Vec<Click>) -> Sessions {
    let mut by: HashMap<String, Vec<Click>> = HashMap::new();
    for c in clicks {
        by.entry(c.session.clone()).or_default().push(c);
    }
    let mut out: Sessions = by
        .into_iter()
        .map(|(s, mut v)| {
            v.sort_by_key(|c| c.time);
            (s, v)
        })
        .collect();
    out.sort_by_key(|(s, v)| (v.last().map_or(0, |c| c.time), s.clone()));
    out
}

/// Sessions ending within the last day are the test; the rest train. Test clicks on items the
/// training never saw are removed, and test sessions left with fewer than two clicks dropped.
pub fn split(all: Sessions) -> (Sessions, Sessions) {
    let end = all
        .iter()
        .filter_map(|(_, v)| v.last().map(|c| c.time))
        .max()
        .unwrap_or(0);
    let (test, train): (Sessions, Sessions) = all
        .into_iter()
        .partition(|(_, v)| v.last().is_some_and(|c| c.time > end - DAY_MS));
    let known: HashSet<&str> = train
        .iter()
        .flat_map(|(_, v)| v.iter().map(|c| c.item.as_str()))
        .collect();
    let test = test
        .into_iter()
        .map(|(s, v)| {
            let kept: Vec<Click> = v
                .into_iter()
                .filter(|c| known.contains(c.item.as_str()))
                .collect();
            (s, kept)
        })
        .filter(|(_, v)| v.len() >= 2)
        .collect();
    (train, test)
}

/// Builds the model from training sessions (views).
pub fn build_model(train: &Sessions, dir: &Path, o: &Options) -> Result<Model, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join("train.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| e.to_string())?);
    let e = |e: std::io::Error| e.to_string();
    writeln!(w, "user_id,order_id,item_id,quantity,price,timestamp,event").map_err(e)?;
    for (s, clicks) in train {
        for c in clicks {
            writeln!(w, "{s},{s},{},1,,{},view", c.item, c.time).map_err(e)?;
        }
    }
    w.flush().map_err(e)?;
    let (parts, _) = build::build(&path, None, o).map_err(|e| e.to_string())?;
    Model::from_parts(parts).map_err(|e| e.to_string())
}

fn open(model: &Model, now: i64) -> Session {
    let opts = from_json(&json!({
        "consent": {"personalization": true, "storage": true},
        "storage": "memory",
        "policy": {"diversity": 0},
    }));
    let mut opts = match OpenOptions::parse(opts) {
        Ok(o) => o,
        Err(e) => panic!("evaluation options are valid: {e}"),
    };
    opts.model = model.clone();
    Session::open(
        opts,
        Box::new(MemoryBackend::new()),
        Env {
            now: now as f64,
            seed: 1,
            gpc: false,
        },
    )
}

/// vitrine: a fresh session per test session, `for_you` after each click, per weight setting.
pub fn evaluate_vitrine(
    model: &Model,
    test: &Sessions,
    settings: &[Weights],
    k: usize,
) -> Vec<Metrics> {
    let chunks: Vec<&[(String, Vec<Click>)]> = test.chunks(test.len().div_ceil(2).max(1)).collect();
    let accs: Vec<Vec<Acc>> = std::thread::scope(|scope| {
        let hs: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut accs = vec![Acc::default(); settings.len()];
                    for (_, clicks) in chunk.iter() {
                        let mut s = open(model, clicks[0].time);
                        for (p, c) in clicks.iter().enumerate().take(clicks.len() - 1) {
                            let _ = s.track(
                                &Value::from("Product Viewed"),
                                &from_json(&json!({"product_id": c.item})),
                                &Value::Undefined,
                                c.time as f64,
                            );
                            let target: HashSet<String> = [clicks[p + 1].item.clone()].into();
                            for (w, acc) in settings.iter().zip(accs.iter_mut()) {
                                s.set_weights(w.clone());
                                let req = from_json(&json!({"scenario": "for_you", "k": k}));
                                let got: Vec<String> = s
                                    .recommend(&req, c.time as f64)
                                    .map(|r| r.into_iter().map(|x| x.item_id).collect())
                                    .unwrap_or_default();
                                acc.add(&got, &target, k);
                            }
                        }
                    }
                    accs
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    (0..settings.len())
        .map(|i| {
            let mut t = Acc::default();
            for a in &accs {
                if let Some(x) = a.get(i) {
                    t.merge(x);
                }
            }
            t.metrics()
        })
        .collect()
}

/// POP: the most clicked training items.
pub fn evaluate_pop(train: &Sessions, test: &Sessions, k: usize) -> Metrics {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for (_, v) in train {
        for c in v {
            *counts.entry(c.item.as_str()).or_default() += 1;
        }
    }
    let mut pop: Vec<(&str, u64)> = counts.into_iter().collect();
    pop.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let pop: Vec<&str> = pop.into_iter().take(k).map(|x| x.0).collect();
    let mut acc = Acc::default();
    for (_, clicks) in test {
        for w in clicks.windows(2) {
            acc.add(&pop, &[w[1].item.clone()].into(), k);
        }
    }
    acc.metrics()
}

/// Session-kNN over the training sessions.
pub struct Sknn<'a> {
    sets: Vec<HashSet<&'a str>>,
    /// Item → training sessions holding it, most recent first.
    by_item: HashMap<&'a str, Vec<usize>>,
    pub neighbours: usize,
    pub sample: usize,
}

impl<'a> Sknn<'a> {
    pub fn new(train: &'a Sessions) -> Self {
        let sets: Vec<HashSet<&str>> = train
            .iter()
            .map(|(_, v)| v.iter().map(|c| c.item.as_str()).collect())
            .collect();
        let mut by_item: HashMap<&str, Vec<usize>> = HashMap::new();
        // `train` is sorted by end time: walking it backwards lists recent sessions first.
        for (i, set) in sets.iter().enumerate().rev() {
            for item in set {
                by_item.entry(item).or_default().push(i);
            }
        }
        Sknn {
            sets,
            by_item,
            neighbours: 100,
            sample: 500,
        }
    }

    pub fn recommend(&self, current: &[&str], k: usize) -> Vec<String> {
        let cur: HashSet<&str> = current.iter().copied().collect();
        let mut cand: Vec<usize> = cur
            .iter()
            .flat_map(|i| self.by_item.get(i).into_iter().flatten().copied())
            .collect();
        cand.sort_unstable_by(|a, b| b.cmp(a));
        cand.dedup();
        cand.truncate(self.sample);
        let mut sims: Vec<(f64, usize)> = cand
            .into_iter()
            .map(|s| {
                let set = &self.sets[s];
                let common = cur.iter().filter(|i| set.contains(*i)).count();
                (common as f64 / ((cur.len() * set.len()) as f64).sqrt(), s)
            })
            .collect();
        sims.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        sims.truncate(self.neighbours);
        let mut scores: HashMap<&str, f64> = HashMap::new();
        for (sim, s) in sims {
            for item in &self.sets[s] {
                *scores.entry(item).or_default() += sim;
            }
        }
        let mut v: Vec<(&str, f64)> = scores.into_iter().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().take(k).map(|x| x.0.to_owned()).collect()
    }
}

pub fn evaluate_sknn(train: &Sessions, test: &Sessions, k: usize) -> Metrics {
    let knn = Sknn::new(train);
    let mut acc = Acc::default();
    for (_, clicks) in test {
        for p in 0..clicks.len() - 1 {
            let cur: Vec<&str> = clicks[..=p].iter().map(|c| c.item.as_str()).collect();
            acc.add(
                &knn.recommend(&cur, k),
                &[clicks[p + 1].item.clone()].into(),
                k,
            );
        }
    }
    acc.metrics()
}
