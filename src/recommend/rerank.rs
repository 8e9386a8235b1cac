//! Re-ranking: keep the best candidates, spread them out (MMR), and optionally explore.

use super::kernel::dot_embeddings;
use crate::model::{Embedding, Model, NONE};
use crate::rng::Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;

/// A scored candidate; better = higher score, then lower index (so ties are deterministic).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    pub score: f32,
    pub item: u32,
}

impl Eq for Scored {}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.item.cmp(&self.item))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the `m` best of a stream of candidates.
pub struct Top {
    m: usize,
    /// [`key`]s, worst on top.
    heap: BinaryHeap<Reverse<u64>>,
}

/// A candidate as one integer that orders as [`Scored`] does: the score's bits made to sort as
/// `f32::total_cmp` does, above the complement of the index (lower index, larger key). One
/// integer compare per step instead of two float orderings: the pool's heap was a tenth of a
/// light `for_you`.
pub(super) fn key(s: Scored) -> u64 {
    let bits = s.score.to_bits();
    let ordered = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    };
    (u64::from(ordered) << 32) | u64::from(!s.item)
}

/// The candidate a [`key`] stands for.
pub(super) fn unkey(k: u64) -> Scored {
    let ordered = (k >> 32) as u32;
    let bits = if ordered >> 31 == 1 {
        ordered & !(1 << 31)
    } else {
        !ordered
    };
    Scored {
        score: f32::from_bits(bits),
        item: !(k as u32),
    }
}

impl Top {
    pub fn new(m: usize) -> Self {
        Top {
            m,
            heap: BinaryHeap::with_capacity(m + 1),
        }
    }

    pub fn push(&mut self, score: f32, item: u32) {
        if self.m == 0 || score.is_nan() {
            return;
        }
        let k = key(Scored { score, item });
        if self.heap.len() < self.m {
            self.heap.push(Reverse(k));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if k > worst.0 {
                *worst = Reverse(k);
            }
        }
    }

    /// The score a candidate needs to enter: −∞ until `m` are kept, then the worst kept.
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.m {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::INFINITY, |w| unkey(w.0).score)
        }
    }

    /// Whether a candidate with this score could enter (a cheap test before checking the rules;
    /// [`Top::push`] decides ties by index).
    pub fn accepts(&self, score: f32) -> bool {
        self.heap.len() < self.m || score >= self.threshold()
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        // Ascending `Reverse`s: best first. The heap's own sort skips the heapify a sort of the
        // items would start with, and reuses the heap's sift.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| unkey(r.0))
            .collect()
    }
}

/// Similarity of two items for diversity: embedding cosine when both have one, otherwise
/// 0.6 for the same category plus 0.4 for the same brand, each half when either item has none
/// (unknown, not different: a gift card or a jar of honey without a category came next after
/// the first pick of every shelf, as the item least like it).
pub fn similarity(model: &Model, a: u32, b: u32) -> f32 {
    similarity_of(model, (a, model.embedding(a)), (b, model.embedding(b)))
}

/// [`similarity`] of two items with their embeddings already looked up (MMR looks up each
/// candidate's once per call, not once per comparison).
fn similarity_of(model: &Model, (a, ea): Looked<'_>, (b, eb): Looked<'_>) -> f32 {
    if let (Some(x), Some(y)) = (ea, eb) {
        // A comparison, not f32::max: in wasm that is a call to a NaN-aware fmaxf.
        let d = dot_embeddings(x, y);
        return if d > 0.0 { d } else { 0.0 };
    }
    let alike = |x: u32, y: u32, weight: f32| match (x, y) {
        (NONE, _) | (_, NONE) => weight * 0.5,
        _ if x == y => weight,
        _ => 0.0,
    };
    alike(model.category(a), model.category(b), 0.6) + alike(model.brand(a), model.brand(b), 0.4)
}

/// An item and its embedding.
type Looked<'a> = (u32, Option<Embedding<'a>>);

/// A candidate MMR has not picked yet.
struct Left<'a> {
    scored: Scored,
    /// Its highest similarity to the first `seen` picks.
    max_sim: f32,
    seen: usize,
    embedding: Option<Embedding<'a>>,
}

/// Maximal marginal relevance: picks `k` of `pool` (best first), each maximising
/// `(1 − λ)·relevance − λ·(highest similarity to those already picked)`, where relevance is the
/// score relative to the best. Returns the picks with that objective as their score, which never
/// increases down the list. With `λ = 0` this is the top `k` by relevance.
pub fn mmr(model: &Model, pool: &[Scored], k: usize, lambda: f32) -> Vec<Scored> {
    mmr_admitting(model, pool, k, lambda, &mut |_| true).0
}

/// [`mmr`] where each would-be pick is first offered to `admit`: one it refuses leaves the pool
/// (the similarities of the others do not change, as nothing was picked) and the next best is
/// offered. Returns the picks and the items refused. (`admit` is a `dyn`: one copy of this
/// function serves every caller, where each closure type made its own.)
pub fn mmr_admitting(
    model: &Model,
    pool: &[Scored],
    k: usize,
    lambda: f32,
    admit: &mut dyn FnMut(u32) -> bool,
) -> (Vec<Scored>, Vec<u32>) {
    let best = pool.first().map_or(0.0, |s| s.score);
    let rel = |s: &Scored| if best > 0.0 { s.score / best } else { 0.0 };
    let mut picked: Vec<Scored> = Vec::with_capacity(k);
    let mut refused = Vec::new();
    if lambda <= 0.0 {
        for s in pool {
            if picked.len() == k {
                break;
            }
            if admit(s.item) {
                picked.push(Scored {
                    score: rel(s),
                    item: s.item,
                });
            } else {
                refused.push(s.item);
            }
        }
        return (picked, refused);
    }
    let mut left: Vec<Left<'_>> = pool
        .iter()
        .map(|s| Left {
            scored: *s,
            max_sim: 0.0,
            seen: 0,
            embedding: model.embedding(s.item),
        })
        .collect();
    // The picks so far with their embeddings, in order: a candidate compared with the first
    // `seen` of them is brought up to date with the rest.
    let mut picks: Vec<Looked<'_>> = Vec::with_capacity(k);
    let objective = |c: &Left<'_>| (1.0 - lambda) * rel(&c.scored) - lambda * c.max_sim;
    let update = |c: &mut Left<'_>, picks: &[Looked<'_>]| {
        for &pick in &picks[c.seen..] {
            let sim = similarity_of(model, pick, (c.scored.item, c.embedding));
            if sim > c.max_sim {
                c.max_sim = sim;
            }
        }
        c.seen = picks.len();
    };
    // Every candidate still in the pool, once, by its objective when it was last brought up to
    // date (ties by position, as `Scored` orders). An objective only falls as picks are added, so
    // an entry not compared with the latest picks is at most what it says: candidates come off
    // the heap and are brought up to date as they come; the first that is up to date is the best.
    // Most of the pool, the weak candidates, is never compared with most picks. Picks and
    // refusals leave the heap as they come off it.
    let mut heap: BinaryHeap<u64> = left
        .iter()
        .enumerate()
        .map(|(at, c)| {
            key(Scored {
                score: objective(c),
                item: at as u32,
            })
        })
        .collect();
    while picked.len() < k {
        let mut best = None;
        // A candidate out of date is brought up to date where it stands, on top: its entry is
        // replaced and sifted down once (a pop and a push would sift twice).
        while let Some(mut top) = heap.peek_mut() {
            let at = unkey(*top).item;
            let c = &mut left[at as usize];
            if c.seen == picks.len() {
                best = Some((at as usize, unkey(PeekMut::pop(top)).score));
                break;
            }
            update(c, &picks);
            *top = key(Scored {
                score: objective(c),
                item: at,
            });
        }
        // Every candidate comes up to date before the heap runs out.
        let Some((at, value)) = best else {
            break;
        };
        let pick = &left[at];
        // A refusal leaves the others' objectives as they are (nothing was picked): the next
        // best comes off the heap as before.
        if !admit(pick.scored.item) {
            refused.push(pick.scored.item);
            continue;
        }
        picks.push((pick.scored.item, pick.embedding));
        picked.push(Scored {
            score: value,
            item: pick.scored.item,
        });
    }
    (picked, refused)
}

/// With probability `epsilon`, each slot after the first is given to a random candidate from
/// the rest of the pool. The newcomer takes the slot's score, so the list stays sorted. Returns
/// the items that were explored.
pub fn explore(ranked: &mut [Scored], pool: &[Scored], epsilon: f64, rng: &mut Rng) -> Vec<u32> {
    let mut explored = Vec::new();
    if epsilon <= 0.0 {
        return explored;
    }
    let mut spare: Vec<u32> = pool
        .iter()
        .map(|s| s.item)
        .filter(|i| !ranked.iter().any(|r| r.item == *i))
        .collect();
    for slot in ranked.iter_mut().skip(1) {
        if spare.is_empty() {
            break;
        }
        if rng.unit() < epsilon {
            let pick = spare.swap_remove(rng.below(spare.len()));
            slot.item = pick;
            explored.push(pick);
        }
    }
    explored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_scored_and_give_it_back() {
        let scores = [
            f32::NEG_INFINITY,
            -3.5,
            -f32::MIN_POSITIVE,
            -0.0,
            0.0,
            f32::MIN_POSITIVE,
            1e-7,
            0.25,
            1.0,
            f32::MAX,
            f32::INFINITY,
        ];
        let all: Vec<Scored> = scores
            .iter()
            .flat_map(|&score| [0, 1, 7, u32::MAX].map(|item| Scored { score, item }))
            .collect();
        for &a in &all {
            let back = unkey(key(a));
            assert_eq!(
                (back.score.to_bits(), back.item),
                (a.score.to_bits(), a.item)
            );
            for &b in &all {
                assert_eq!(key(a).cmp(&key(b)), a.cmp(&b), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn top_keeps_the_best_with_deterministic_ties() {
        let mut t = Top::new(3);
        for (s, i) in [
            (1.0, 5),
            (3.0, 1),
            (2.0, 2),
            (3.0, 0),
            (0.5, 9),
            (f32::NAN, 4),
        ] {
            t.push(s, i);
        }
        let v: Vec<u32> = t.into_sorted().iter().map(|s| s.item).collect();
        assert_eq!(v, [0, 1, 2]);
    }
}
