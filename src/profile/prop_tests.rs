//! Properties of the profile for any event sequence: it stays under its size bound, decay never
//! makes a weight grow, and the stored form reads back as the same profile.

use super::*;
use crate::args::MAX_ID_LEN;
use crate::consent::{ConsentState, Gate};
use crate::event::{fnv1a, Line, MAX_TEXT_LEN};
use proptest::prelude::*;

const DAY: f64 = decay::DAY_MS;
const T0: f64 = 1_700_000_000_000.0;

fn gate() -> Gate {
    Gate::new(ConsentState {
        personalization: true,
        storage: true,
        ..Default::default()
    })
}

/// A string of `1..=max` bytes: short ids that repeat (so weights accumulate), and long ones of
/// characters that lengthen when lower-cased.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..400u32).prop_map(|i| format!("id-{i}")),
        1 => ("[a-zA-Zİ ẞ0-9-]{1,40}", 1..=max).prop_map(move |(unit, n)| {
            let mut s = unit.repeat(n.div_ceil(unit.len()).max(1));
            let mut end = max.min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            if s.trim().is_empty() { "x".into() } else { s }
        }),
    ]
}

fn line() -> impl Strategy<Value = Line> {
    (
        proptest::option::weighted(0.9, text(MAX_ID_LEN)),
        proptest::option::of(text(MAX_TEXT_LEN)),
        proptest::option::of(text(MAX_TEXT_LEN)),
        proptest::option::of(0.0..2000.0f64),
        proptest::option::of(1.0..10.0f64),
    )
        .prop_map(|(item_id, category, brand, price, quantity)| Line {
            item_id,
            other_ids: Vec::new(),
            currency: None,
            category: category.map(Into::into),
            brand: brand.map(Into::into),
            price,
            quantity,
            broader: Vec::new(),
            sensitive: false,
        })
}

/// An event at an offset (ms) from T0; offsets go back and forth, as late events do.
fn event() -> impl Strategy<Value = (Event, f64)> {
    (
        proptest::sample::select(Kind::ALL.to_vec()),
        proptest::collection::vec(line(), 0..4),
        proptest::option::of(text(MAX_TEXT_LEN)),
        proptest::option::of(text(MAX_TEXT_LEN)),
        proptest::option::of(text(MAX_TEXT_LEN)),
        0.0..(60.0 * DAY),
        proptest::option::of(text(MAX_ID_LEN)),
        (
            proptest::option::of(0u8..=10),
            proptest::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |(kind, lines, query, list, channel, dt, order_id, (score, sensitive))| {
                let e = Event {
                    kind,
                    lines,
                    query,
                    list,
                    timestamp: None,
                    channel,
                    order: order_id.as_deref().map(fnv1a),
                    empty_list: false,
                    sensitive,
                    score,
                };
                (e, T0 + dt)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_event_sequence_stays_bounded_and_round_trips(
        events in proptest::collection::vec(event(), 0..900),
        half_life_days in 0.1..365.0f64,
    ) {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(half_life_days * DAY);
        for (e, t) in &events {
            p.record(&who, e, *t);
        }
        prop_assert!(p.memory_bytes() <= MAX_BYTES, "{} bytes", p.memory_bytes());
        prop_assert!(p.items.len() <= MAX_ITEMS && p.categories.len() <= MAX_CATEGORIES);
        prop_assert!(p.brands.len() <= MAX_BRANDS && p.channels.len() <= MAX_CHANNELS);
        prop_assert!(p.recent.len() <= RECENT_VIEWS && p.purchases.len() <= MAX_PURCHASES);
        prop_assert!(p.cart.len() <= MAX_CART && p.queries.len() <= RECENT_QUERIES);
        let bytes = p.encode(&who);
        prop_assert!(bytes.len() <= MAX_BYTES);
        let back = Profile::decode(&who, &bytes, half_life_days * DAY);
        prop_assert_eq!(back.as_ref(), Ok(&p), "the stored form reads back equal");
    }

    #[test]
    fn expiry_is_when_prune_first_deletes(
        events in proptest::collection::vec(event(), 1..80),
        cut in 0.0..(60.0 * DAY),
    ) {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(14.0 * DAY);
        for (e, t) in &events {
            p.record(&who, e, *t);
        }
        // Also after a prune, as a page's profile is.
        p.prune(&who, T0 + cut);
        let e = p.expiry();
        let mut q = p.clone();
        prop_assert_eq!(q.prune(&who, e.unwrap_or(f64::MAX)), 0);
        prop_assert_eq!(q.counts, p.counts);
        if let Some(e) = e {
            let mut r = p.clone();
            let gone = r.prune(&who, e + 1.0);
            prop_assert!(gone > 0 || r.counts != p.counts, "nothing went after {e}");
        }
    }

    #[test]
    fn erasing_sensitive_events_leaves_counts_and_times_of_the_rest(
        events in proptest::collection::vec(event(), 1..80),
    ) {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(14.0 * DAY);
        let mut ordinary = [0u32; Kind::ALL.len()];
        for (e, t) in &events {
            if p.record(&who, e, *t) && !e.sensitive {
                ordinary[e.kind as usize] += 1;
            }
        }
        // Which signals are sensitive does not matter here: whatever erasing deletes, the
        // counts become those of the ordinary events, and no time is later than a kept signal's.
        let mut q = p.clone();
        q.erase_sensitive(&who, &|id| id.len() % 2 == 0, &|_| false);
        let had_sensitive = events.iter().any(|(e, _)| e.sensitive);
        prop_assert_eq!(q.counts, if had_sensitive { ordinary } else { p.counts });
        prop_assert_eq!(q.sensitive_counts, [0; Kind::ALL.len()]);
        if had_sensitive {
            prop_assert_eq!(q.last_at, q.fold_times(|p| p.last, f64::max).unwrap_or(0.0));
            prop_assert_eq!(q.first_at, q.oldest().unwrap_or(0.0));
        }
        let bytes = q.encode(&who);
        let back = Profile::decode(&who, &bytes, 14.0 * DAY);
        prop_assert_eq!(back.as_ref(), Ok(&q));
    }

    #[test]
    fn times_brought_back_are_none_later_than_now(
        events in proptest::collection::vec(event(), 1..80),
        back in 0.0..(60.0 * DAY),
    ) {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(14.0 * DAY);
        for (e, t) in &events {
            p.record(&who, e, *t);
        }
        let (signals, counts) = (p.signal_count(), p.counts);
        let latest = p.last_at;
        let now = latest - back;
        let ahead = p.clamp_future(&who, now);
        prop_assert_eq!(ahead, (latest > now).then_some(latest - now));
        prop_assert!(!p.ahead_of(now));
        prop_assert_eq!((p.signal_count(), p.counts), (signals, counts), "nothing lost");
        prop_assert_eq!(p.clamp_future(&who, now), None, "once is enough");
        // Every time is at most `now`: a prune just after it deletes every signal.
        prop_assert_eq!(p.prune(&who, now + 1.0), signals);
    }

    #[test]
    fn decay_never_makes_a_weight_grow(
        events in proptest::collection::vec(event(), 1..60),
        later in proptest::collection::vec(0.0..(400.0 * DAY), 1..8),
    ) {
        let g = gate();
        let who = g.personalization().unwrap();
        let mut p = Profile::new(14.0 * DAY);
        for (e, t) in &events {
            p.record(&who, e, *t);
        }
        let start = p.last_at;
        let mut times: Vec<f64> = later.iter().map(|dt| start + dt).collect();
        times.sort_by(f64::total_cmp);
        let snapshot = |now: f64| {
            let v = p.view(&who, now);
            let mut w: Vec<(String, f64)> = v.items().map(|(k, x)| (format!("i:{k}"), x)).collect();
            w.extend(v.categories().map(|(k, x)| (format!("c:{k}"), x)));
            w.extend(v.brands().map(|(k, x)| (format!("b:{k}"), x)));
            w.extend(v.channels().map(|(k, x)| (format!("h:{k}"), x)));
            w.extend(v.price_bands().iter().enumerate().map(|(i, x)| (format!("p:{i}"), *x)));
            w.sort_by(|a, b| a.0.cmp(&b.0));
            w
        };
        let mut previous = snapshot(start);
        for now in times {
            let current = snapshot(now);
            prop_assert_eq!(current.len(), previous.len());
            for ((k, before), (_, after)) in previous.iter().zip(&current) {
                prop_assert!(*after <= *before && *after >= 0.0, "{k}: {before} then {after}");
            }
            previous = current;
        }
    }

    #[test]
    fn one_weight_decays_monotonically(
        weight in 0.0..1e6f64,
        at in 0.0..2e12f64,
        hl in 1.0..1e11f64,
        mut dts in proptest::collection::vec(0.0..1e12f64, 2..10),
    ) {
        dts.sort_by(f64::total_cmp);
        let d = Decayed::new(weight, at);
        let values: Vec<f64> = dts.iter().map(|dt| d.value(at + dt, hl)).collect();
        for w in values.windows(2) {
            prop_assert!(w[1] <= w[0] && w[1] >= 0.0, "{values:?}");
        }
        prop_assert!(values[0] <= f64::from(d.weight));
    }
}
