//! Net Promoter Score: the classes of one answer, and the summary of a shop's own survey export.
//!
//! The survey asks "How likely are you to recommend us?" on 0–10: 9–10 are promoters, 7–8
//! passives, 0–6 detractors; NPS = %promoters − %detractors, from −100 to 100.
//!
//! **Interval.** With `n` answers, `P` promoters and `D` detractors, the score is the difference
//! of two proportions of one multinomial sample, so its variance is
//! `Var(p − d) = (p + d − (p − d)²) / n` (the covariance of the two proportions is `−pd/n`).
//! The plain Wald interval `p − d ± z·√Var` covers too rarely with small samples or extreme
//! scores, so [`summary`] uses the adjusted Wald interval Rocks (2016, *Interval Estimation for
//! the Net Promoter Score*, The American Statistician 70(4)) found to perform best: add 3/4 to
//! the promoters, 3/4 to the detractors and 3 to `n` (so 3/2 to the passives), then apply the
//! formula above to the adjusted proportions. The bounds are clipped to [−100, 100]. The
//! coverage is checked by simulation in the tests.

use crate::args::{push_num, Args};
use crate::error::{Error, Result};
use crate::value::Value;
use serde::Serialize;

/// The class of one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Promoter,
    Passive,
    Detractor,
}

impl Class {
    /// 9–10 promoter, 7–8 passive, 0–6 detractor.
    pub fn of(score: u8) -> Self {
        match score {
            9.. => Class::Promoter,
            7 | 8 => Class::Passive,
            _ => Class::Detractor,
        }
    }
}

/// Highest score of the scale.
pub const MAX_SCORE: u8 = 10;

/// A confidence interval of the score, in NPS points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub level: f64,
    pub low: f64,
    pub high: f64,
}

/// `npsSummary`'s result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// %promoters − %detractors, −100 to 100; `null` without answers.
    pub nps: Option<f64>,
    /// Standard error of the (adjusted) score, in NPS points; `null` without answers.
    pub standard_error: Option<f64>,
    /// `null` without answers.
    pub interval: Option<Interval>,
    /// `"adjusted-wald"` (see the module documentation).
    pub method: &'static str,
}

/// Lowest and highest confidence level accepted.
pub const LEVELS: (f64, f64) = (0.5, 0.999);

/// Computes the summary from the counts of promoters, passives and detractors.
pub fn summary(promoters: u64, passives: u64, detractors: u64, level: f64) -> Summary {
    let n = promoters + passives + detractors;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let (nps, standard_error, interval) = if n == 0 {
        (None, None, None)
    } else {
        let nf = n as f64;
        let raw = (promoters as f64 - detractors as f64) / nf;
        let na = nf + 3.0;
        let p = (promoters as f64 + 0.75) / na;
        let d = (detractors as f64 + 0.75) / na;
        let diff = p - d;
        let se = ((p + d - diff * diff) / na).max(0.0).sqrt();
        let z = normal_quantile(1.0 - (1.0 - level) / 2.0);
        let clip = |x: f64| (x * 100.0).clamp(-100.0, 100.0);
        (
            Some(round(raw * 100.0)),
            Some(round(se * 100.0)),
            Some(Interval {
                level,
                low: round(clip(diff - z * se)),
                high: round(clip(diff + z * se)),
            }),
        )
    };
    Summary {
        responses: n,
        promoters,
        passives,
        detractors,
        nps,
        standard_error,
        interval,
        method: "adjusted-wald",
    }
}

/// `npsSummary(scores, options?)`: `scores` is an array of integers 0–10 (or a `Uint8Array`);
/// `options.level` is the confidence level (0.5–0.999, default 0.95).
pub fn parse_and_summarize(scores: &Value, options: &Value) -> Result<Summary> {
    const FUNC: &str = "npsSummary";
    let a = Args::new(FUNC, "options", options)?;
    a.reject_unknown(&["level"])?;
    let level = a.number("level", LEVELS.0, LEVELS.1)?.unwrap_or(0.95);
    let mut counts = [0u64; MAX_SCORE as usize + 1];
    let bad = |i: usize, got: &Value| {
        let mut what = String::from("scores[");
        push_num(&mut what, i as f64);
        what.push(']');
        let mut problem = String::from("must be an integer from 0 to 10, got ");
        match got {
            Value::Number(n) => push_num(&mut problem, *n),
            other => problem.push_str(other.type_name()),
        }
        Error::invalid(FUNC, what, problem)
    };
    match scores {
        Value::Bytes(b) => {
            for (i, &s) in b.bytes.iter().enumerate() {
                match counts.get_mut(s as usize) {
                    Some(c) => *c += 1,
                    None => return Err(bad(i, &Value::Number(f64::from(s)))),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let slot = match v {
                    Value::Number(n) if n.fract() == 0.0 && (0.0..=10.0).contains(n) => {
                        counts.get_mut(*n as usize)
                    }
                    _ => None,
                };
                match slot {
                    Some(c) => *c += 1,
                    None => return Err(bad(i, v)),
                }
            }
        }
        other => {
            return Err(Error::wrong_type(
                FUNC,
                "scores",
                "an array of integers from 0 to 10 (or a Uint8Array)",
                other,
            ))
        }
    }
    let sum = |r: core::ops::RangeInclusive<usize>| -> u64 { counts[r].iter().sum() };
    Ok(summary(sum(9..=10), sum(7..=8), sum(0..=6), level))
}

/// The standard normal quantile, by Acklam's rational approximation (relative error below
/// 1.2e-9), for `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn classes_follow_the_scale() {
        let classes: Vec<Class> = (0..=10).map(Class::of).collect();
        assert!(classes[..7].iter().all(|c| *c == Class::Detractor));
        assert_eq!(&classes[7..9], &[Class::Passive, Class::Passive]);
        assert_eq!(&classes[9..], &[Class::Promoter, Class::Promoter]);
    }

    #[test]
    fn quantiles_match_tables() {
        for (p, z) in [
            (0.975, 1.959_963_985),
            (0.95, 1.644_853_627),
            (0.995, 2.575_829_304),
            (0.5, 0.0),
            (0.01, -2.326_347_874),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-8,
                "{p}: {}",
                normal_quantile(p)
            );
        }
    }

    #[test]
    fn score_and_interval_by_hand() {
        // 50 promoters, 30 passives, 20 detractors: NPS 30. Adjusted: n 103, p 50.75/103,
        // d 20.75/103, diff 0.291262, var (0.694175 − 0.084834)/103 = 0.00591593, se 0.076915.
        let s = summary(50, 30, 20, 0.95);
        assert_eq!(s.nps, Some(30.0));
        assert_eq!(s.responses, 100);
        assert_eq!(s.standard_error, Some(7.69));
        let i = s.interval.unwrap();
        assert_eq!((i.low, i.high), (14.05, 44.2));
        let all_promoters = summary(10, 0, 0, 0.95);
        assert_eq!(all_promoters.nps, Some(100.0));
        let i = all_promoters.interval.unwrap();
        assert!(i.high == 100.0 && i.low > 40.0 && i.low < 60.0, "{i:?}");
        let empty = summary(0, 0, 0, 0.95);
        assert_eq!((empty.nps, empty.interval), (None, None));
    }

    #[test]
    fn parses_arrays_and_bytes_and_names_the_bad_entry() {
        let s = parse_and_summarize(&from_json(&json!([10, 9, 8, 0, 6, 10])), &Value::Undefined)
            .unwrap();
        assert_eq!((s.promoters, s.passives, s.detractors), (3, 1, 2));
        let b = parse_and_summarize(
            &Value::Bytes(vec![10, 9, 8, 0, 6, 10].into()),
            &Value::Undefined,
        )
        .unwrap();
        assert_eq!(s, b);
        let wide = parse_and_summarize(
            &Value::Bytes(vec![10, 9, 8, 0, 6, 10].into()),
            &from_json(&json!({"level": 0.99})),
        )
        .unwrap();
        let (w, n) = (wide.interval.unwrap(), s.interval.unwrap());
        assert!(w.low < n.low && w.high > n.high);
        let msg = |v: serde_json::Value| {
            parse_and_summarize(&from_json(&v), &Value::Undefined)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            msg(json!([1, 11])),
            "npsSummary: scores[1] must be an integer from 0 to 10, got 11"
        );
        assert_eq!(
            msg(json!([1, 2.5])),
            "npsSummary: scores[1] must be an integer from 0 to 10, got 2.5"
        );
        assert_eq!(
            msg(json!(["9"])),
            "npsSummary: scores[0] must be an integer from 0 to 10, got string"
        );
        assert!(msg(json!("9")).starts_with("npsSummary: scores must be an array"));
        assert!(parse_and_summarize(&Value::Bytes(vec![11].into()), &Value::Undefined).is_err());
        let e = parse_and_summarize(&from_json(&json!([1])), &from_json(&json!({"level": 1})))
            .unwrap_err();
        assert!(e.to_string().contains("options.level"), "{e}");
    }

    /// Draws `n` answers from a trinomial and says whether the interval covers the true score.
    fn covers(rng: &mut Rng, n: usize, p: f64, d: f64) -> bool {
        let (mut pro, mut pas, mut det) = (0, 0, 0);
        for _ in 0..n {
            let u = rng.unit();
            if u < p {
                pro += 1;
            } else if u < p + d {
                det += 1;
            } else {
                pas += 1;
            }
        }
        let i = summary(pro, pas, det, 0.95).interval.unwrap();
        let truth = (p - d) * 100.0;
        i.low <= truth && truth <= i.high
    }

    #[test]
    fn the_95_interval_covers_the_true_score_about_95_percent_of_the_time() {
        let mut rng = Rng::new(2016);
        for (n, p, d) in [
            (20, 0.5, 0.2),
            (30, 0.8, 0.05),
            (100, 0.3, 0.3),
            (400, 0.6, 0.15),
            (15, 0.1, 0.7),
        ] {
            let trials = 4000;
            let hits = (0..trials).filter(|_| covers(&mut rng, n, p, d)).count();
            let coverage = hits as f64 / trials as f64;
            assert!(
                (0.925..=0.985).contains(&coverage),
                "n {n}, p {p}, d {d}: coverage {coverage}"
            );
        }
    }
}
