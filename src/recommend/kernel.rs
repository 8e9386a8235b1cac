//! The numeric kernel of ranking: one pass over the embedding matrix.

/// `out[i] = max(0, dot(row_i, u)) · scale` for every `dims`-wide row of `matrix`.
///
/// Four independent accumulators let the compiler keep four multiply-adds in flight; a single
/// running sum serialises on the add latency.
pub fn dot_rows(matrix: &[f32], dims: usize, u: &[f32], scale: f32, out: &mut [f32]) {
    if dims == 0 || u.len() != dims {
        out.iter_mut().for_each(|x| *x = 0.0);
        return;
    }
    for (row, o) in matrix.chunks_exact(dims).zip(out.iter_mut()) {
        *o = dot(row, u).max(0.0) * scale;
    }
}

/// Dot product of two equal-length slices (the shorter length when they differ).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_naive_sum() {
        let a: Vec<f32> = (0..13).map(|i| i as f32 * 0.5 - 2.0).collect();
        let b: Vec<f32> = (0..13).map(|i| 1.0 - i as f32 * 0.25).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-4);
        let mut out = [0.0; 2];
        dot_rows(&[1.0, 0.0, -1.0, 0.0], 2, &[1.0, 0.0], 2.0, &mut out);
        assert_eq!(out, [2.0, 0.0]);
    }
}
