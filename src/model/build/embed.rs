//! Item embeddings learned from co-occurrence, when the catalog gives none: a truncated
//! eigendecomposition of the symmetric item-item similarity matrix `A = (S + Sᵀ) / 2`, where `S`
//! holds the top-M co-purchase and co-view similarities, found by randomized subspace iteration
//! (Halko, Martinsson & Tropp 2011): a seeded Gaussian start, two power iterations, then the
//! eigenvectors of the small projected matrix. Item `i` gets `U_i · sqrt(λ)` over the `d`
//! largest eigenvalues, so dot products approximate `A`. Cost: a few passes over the neighbour
//! lists, `O(n · (d + 8))` memory; `A` itself is never materialised.

use crate::model::Neighbours;
use crate::rng::Rng;

const OVERSAMPLE: usize = 8;
const POWER_ITERATIONS: usize = 2;

/// `y = A x` for `A = (S + Sᵀ) / 2` summed over the relations, column by column.
fn multiply(rel: &[&Neighbours], n: usize, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut y: Vec<Vec<f64>> = x.iter().map(|_| vec![0.0; n]).collect();
    for nb in rel {
        for i in 0..n {
            let (targets, weights) = nb.of(i as u32);
            for (&j, &w) in targets.iter().zip(weights) {
                let (j, w) = (j as usize, 0.5 * f64::from(w));
                for (yc, xc) in y.iter_mut().zip(x) {
                    yc[i] += w * xc[j];
                    yc[j] += w * xc[i];
                }
            }
        }
    }
    y
}

/// Orthonormalises columns in place (modified Gram-Schmidt); columns that vanish become zero.
fn orthonormalise(cols: &mut [Vec<f64>]) {
    for k in 0..cols.len() {
        let (done, rest) = cols.split_at_mut(k);
        let c = &mut rest[0];
        for q in done.iter() {
            let d: f64 = q.iter().zip(c.iter()).map(|(a, b)| a * b).sum();
            c.iter_mut().zip(q).for_each(|(x, qv)| *x -= d * qv);
        }
        let norm = c.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-12 {
            c.iter_mut().for_each(|x| *x /= norm);
        } else {
            c.iter_mut().for_each(|x| *x = 0.0);
        }
    }
}

/// Eigenvalues and eigenvectors (columns of the returned matrix) of a small symmetric matrix,
/// by cyclic Jacobi rotations.
fn jacobi(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let l = a.len();
    let mut v: Vec<Vec<f64>> = (0..l)
        .map(|i| (0..l).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..l)
            .flat_map(|i| (0..l).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..l {
            for q in p + 1..l {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (head, tail) = a.split_at_mut(q);
                for (x, y) in head[p].iter_mut().zip(tail[0].iter_mut()) {
                    let (apk, aqk) = (*x, *y);
                    *x = c * apk - s * aqk;
                    *y = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..l).map(|i| a[i][i]).collect(), v)
}

fn gaussian(rng: &mut Rng) -> f64 {
    let u1 = rng.unit().max(1e-300);
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// `d`-dimensional embeddings of `n` items, row-major (all zero for an item with no neighbours).
pub fn learn(rel: &[&Neighbours], n: usize, d: usize, seed: u64) -> Vec<f32> {
    if n == 0 || d == 0 {
        return Vec::new();
    }
    let l = (d + OVERSAMPLE).min(n);
    let mut rng = Rng::new(seed);
    let mut q: Vec<Vec<f64>> = (0..l)
        .map(|_| (0..n).map(|_| gaussian(&mut rng)).collect())
        .collect();
    q = multiply(rel, n, &q);
    orthonormalise(&mut q);
    for _ in 0..POWER_ITERATIONS {
        q = multiply(rel, n, &q);
        orthonormalise(&mut q);
    }
    let z = multiply(rel, n, &q);
    let b: Vec<Vec<f64>> = (0..l)
        .map(|i| {
            (0..l)
                .map(|j| q[i].iter().zip(&z[j]).map(|(a, b)| a * b).sum())
                .collect()
        })
        .collect();
    let (values, vectors) = jacobi(b);
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut out = vec![0.0f32; n * d];
    for (k, &e) in order.iter().take(d).enumerate() {
        let scale = values[e].max(0.0).sqrt();
        if scale == 0.0 {
            continue;
        }
        for i in 0..n {
            let u: f64 = (0..l).map(|j| q[j][i] * vectors[j][e]).sum();
            out[i * d + k] = (u * scale) as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_known_eigenvalues() {
        let (mut v, _) = jacobi(vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
        v.sort_by(f64::total_cmp);
        assert!((v[0] - 1.0).abs() < 1e-9 && (v[1] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn two_clusters_embed_apart() {
        // Items 0-4 co-occur with each other, 5-9 with each other, never across.
        let rows: Vec<Vec<(u32, f32)>> = (0..10u32)
            .map(|i| {
                let base = if i < 5 { 0 } else { 5 };
                (base..base + 5)
                    .filter(|&j| j != i)
                    .map(|j| (j, 1.0))
                    .collect()
            })
            .collect();
        let nb = Neighbours::from_rows(rows);
        let e = learn(&[&nb], 10, 2, 7);
        let cos = |a: usize, b: usize| {
            let (x, y) = (&e[a * 2..a * 2 + 2], &e[b * 2..b * 2 + 2]);
            let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
            let n = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
            dot / (n(x) * n(y))
        };
        assert!(cos(0, 1) > 0.99, "{}", cos(0, 1));
        assert!(cos(0, 7).abs() < 0.05, "{}", cos(0, 7));
        assert_eq!(learn(&[&nb], 10, 2, 7), e, "seeded: the same every time");
    }
}
