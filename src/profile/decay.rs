//! Exponential time decay: a signal loses half its weight every half-life.

/// Milliseconds in a day.
pub const DAY_MS: f64 = 86_400_000.0;

/// A weight as it stood at time `at` (ms since the epoch). Its value at any later time is
/// `weight · 2^(-(t - at) / half_life)`; adding at an earlier time than `at` (an event reported
/// late) decays the addition instead, so the order in which events arrive does not matter.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Decayed {
    pub weight: f32,
    pub at: f64,
}

/// `2^(-dt / half_life)`, 1 for `dt <= 0`.
pub fn factor(dt_ms: f64, half_life_ms: f64) -> f64 {
    if dt_ms <= 0.0 {
        1.0
    } else {
        (-dt_ms / half_life_ms * core::f64::consts::LN_2).exp()
    }
}

impl Decayed {
    pub fn new(weight: f64, at: f64) -> Self {
        Decayed {
            weight: weight as f32,
            at,
        }
    }

    /// The weight at time `now`.
    pub fn value(&self, now: f64, half_life_ms: f64) -> f64 {
        f64::from(self.weight) * factor(now - self.at, half_life_ms)
    }

    /// Adds `w` (which may be negative) at time `t`; the result never goes below zero.
    pub fn add(&mut self, w: f64, t: f64, half_life_ms: f64) {
        let total = if t >= self.at {
            let v = self.value(t, half_life_ms) + w;
            self.at = t;
            v
        } else {
            f64::from(self.weight) + w * factor(self.at - t, half_life_ms)
        };
        self.weight = total.max(0.0) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HL: f64 = 14.0 * DAY_MS;

    #[test]
    fn halves_every_half_life_and_is_monotone() {
        let d = Decayed::new(8.0, 0.0);
        assert!((d.value(HL, HL) - 4.0).abs() < 1e-9);
        assert!((d.value(3.0 * HL, HL) - 1.0).abs() < 1e-9);
        let mut last = f64::INFINITY;
        for day in 0..400 {
            let v = d.value(f64::from(day) * DAY_MS, HL);
            assert!(v <= last && v >= 0.0);
            last = v;
        }
        assert_eq!(d.value(-5.0, HL), 8.0, "no growth into the past");
    }

    #[test]
    fn order_of_arrival_does_not_matter() {
        let mut a = Decayed::default();
        a.add(1.0, 0.0, HL);
        a.add(2.0, HL, HL);
        let mut b = Decayed::default();
        b.add(2.0, HL, HL);
        b.add(1.0, 0.0, HL);
        assert!((a.value(2.0 * HL, HL) - b.value(2.0 * HL, HL)).abs() < 1e-6);
        assert!((a.value(HL, HL) - 2.5).abs() < 1e-6);
    }

    #[test]
    fn never_negative() {
        let mut d = Decayed::new(1.0, 0.0);
        d.add(-5.0, 10.0, HL);
        assert_eq!(d.weight, 0.0);
    }
}
