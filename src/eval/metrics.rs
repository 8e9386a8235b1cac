//! Ranking metrics, one definition for every method in a report.
//!
//! For a ranked list `L` (truncated to `k`) and a set of relevant items `B`:
//! - Recall@k = |L ∩ B| / |B|
//! - HR@k = 1 if L ∩ B is not empty
//! - NDCG@k = Σ_{r: L_r ∈ B} 1/log2(r + 1) / Σ_{r=1}^{min(|B|, k)} 1/log2(r + 1)
//! - MRR@k = 1 / (rank of the first relevant item), 0 when none
//!
//! each averaged over the test cases. Items of `B` that the model never saw stay in `|B|`.

use serde::Serialize;
use std::collections::HashSet;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub cases: usize,
    pub recall: f64,
    pub hit_rate: f64,
    pub ndcg: f64,
    pub mrr: f64,
}

/// Accumulates cases.
#[derive(Clone, Debug, Default)]
pub struct Acc {
    n: usize,
    recall: f64,
    hr: f64,
    ndcg: f64,
    mrr: f64,
}

impl Acc {
    pub fn add<S: AsRef<str>>(&mut self, ranked: &[S], relevant: &HashSet<String>, k: usize) {
        if relevant.is_empty() {
            return;
        }
        self.n += 1;
        let mut hits = 0usize;
        let mut dcg = 0.0;
        let mut first = None;
        let mut seen = HashSet::new();
        for (r, item) in ranked.iter().take(k).enumerate() {
            let item = item.as_ref();
            if relevant.contains(item) && seen.insert(item) {
                hits += 1;
                dcg += 1.0 / ((r + 2) as f64).log2();
                first.get_or_insert(r + 1);
            }
        }
        let ideal: f64 = (0..relevant.len().min(k))
            .map(|r| 1.0 / ((r + 2) as f64).log2())
            .sum();
        self.recall += hits as f64 / relevant.len() as f64;
        self.hr += f64::from(u8::from(hits > 0));
        self.ndcg += dcg / ideal;
        self.mrr += first.map_or(0.0, |r| 1.0 / r as f64);
    }

    pub fn metrics(&self) -> Metrics {
        let n = self.n.max(1) as f64;
        Metrics {
            cases: self.n,
            recall: self.recall / n,
            hit_rate: self.hr / n,
            ndcg: self.ndcg / n,
            mrr: self.mrr / n,
        }
    }

    pub fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.recall += o.recall;
        self.hr += o.hr;
        self.ndcg += o.ndcg;
        self.mrr += o.mrr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let rel: HashSet<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let mut acc = Acc::default();
        acc.add(&["x", "a", "y"], &rel, 3);
        let m = acc.metrics();
        assert_eq!((m.cases, m.recall, m.hit_rate, m.mrr), (1, 0.5, 1.0, 0.5));
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg - (1.0 / 3f64.log2()) / ideal).abs() < 1e-12);
        acc.add(&["x"], &rel, 3);
        assert_eq!(acc.metrics().recall, 0.25);
        let mut top = Acc::default();
        top.add(&["a", "b", "c"], &rel, 2);
        assert_eq!(top.metrics().ndcg, 1.0);
    }
}
