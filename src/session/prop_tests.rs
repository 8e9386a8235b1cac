//! Properties of a session for any history: a withdrawal leaves no personal data in memory or
//! storage; what is stored reads back as what is held; two tabs writing in any interleaving,
//! with storage events late and writes from stale copies, end with every event once.

use super::tests::{catalog, NOW};
use super::*;
use crate::store::MemoryBackend;
use crate::value::from_json;
use proptest::prelude::*;
use serde_json::json;

/// Personal strings are recognisable: `~` appears in nothing vitrine writes of its own.
fn personal(kind: u8, n: u8) -> String {
    format!("~{kind}-{n}")
}

#[derive(Clone, Debug)]
enum Op {
    /// An event; `n` picks an id of the catalog or a personal one.
    Track {
        name: &'static str,
        n: u8,
        known: bool,
    },
    Search {
        n: u8,
    },
    Channel {
        n: u8,
    },
    /// Storage fills up, or has room again.
    Full(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let names = [
        "Product Viewed",
        "Product Added",
        "Order Completed",
        "Product Removed",
        "Product Added to Wishlist",
    ];
    prop_oneof![
        8 => (proptest::sample::select(names.to_vec()), any::<u8>(), any::<bool>())
            .prop_map(|(name, n, known)| Op::Track { name, n, known }),
        1 => any::<u8>().prop_map(|n| Op::Search { n }),
        1 => any::<u8>().prop_map(|n| Op::Channel { n }),
        1 => any::<bool>().prop_map(Op::Full),
    ]
}

fn apply(s: &mut Session, mem: &MemoryBackend, op: &Op, t: f64) {
    let call = |s: &mut Session, name: &str, props: serde_json::Value, opts: serde_json::Value| {
        let r = s.track(&Value::from(name), &from_json(&props), &from_json(&opts), t);
        assert!(r.is_ok());
    };
    match op {
        Op::Track { name, n, known } => {
            let id = if *known {
                ["candles", "mugs", "throws"][usize::from(*n) % 3].to_owned()
                    + &format!("-{}", n % 12)
            } else {
                personal(0, *n)
            };
            let props = json!({"product_id": id, "category": personal(1, n % 7)});
            call(s, name, props, json!({}));
        }
        Op::Search { n } => call(
            s,
            "Products Searched",
            json!({"query": personal(2, *n)}),
            json!({}),
        ),
        Op::Channel { n } => call(
            s,
            "Product Viewed",
            json!({"product_id": "mugs-1"}),
            json!({"channel": personal(3, *n)}),
        ),
        Op::Full(full) => *mem.fail_writes.borrow_mut() = *full,
    }
}

fn open(mem: &MemoryBackend, consent: Option<serde_json::Value>, seed: u64) -> Session {
    open_at(mem, consent, seed, NOW)
}

/// A later page: opened at `now`, after the events it reads (see `Profile::clamp_future`).
fn open_at(
    mem: &MemoryBackend,
    consent: Option<serde_json::Value>,
    seed: u64,
    now: f64,
) -> Session {
    let mut o = json!({ "catalog": catalog() });
    if let Some(c) = consent {
        o["consent"] = c;
    }
    let opts = OpenOptions::parse(from_json(&o)).unwrap();
    Session::open(
        opts,
        Box::new(mem.clone()),
        Env {
            now,
            seed,
            gpc: false,
        },
    )
}

#[derive(Clone, Copy, Debug)]
enum Withdrawal {
    Personalization {
        storage: bool,
    },
    Storage,
    ConsentModeDenied,
    TcfWithoutPurposes,
    Erase,
    /// Another tab erased: its storage event arrives.
    OtherTabErase,
    /// The browser cleared the site's data; the next event finds it.
    BrowserCleared,
}

fn withdrawal() -> impl Strategy<Value = Withdrawal> {
    prop_oneof![
        any::<bool>().prop_map(|storage| Withdrawal::Personalization { storage }),
        Just(Withdrawal::Storage),
        Just(Withdrawal::ConsentModeDenied),
        Just(Withdrawal::TcfWithoutPurposes),
        Just(Withdrawal::Erase),
        Just(Withdrawal::OtherTabErase),
        Just(Withdrawal::BrowserCleared),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_withdrawal_leaves_no_personal_data(
        ops in proptest::collection::vec(op(), 0..80),
        w in withdrawal(),
    ) {
        let mem = MemoryBackend::new();
        let mut s = open(&mem, Some(json!({"personalization": true, "storage": true})), 1);
        for (i, o) in ops.iter().enumerate() {
            apply(&mut s, &mem, o, NOW + i as f64);
        }
        s.recommend(&from_json(&json!({"scenario": "for_you"})), NOW + 999.0).unwrap();
        *mem.fail_writes.borrow_mut() = false;
        let t = NOW + 1000.0;
        let set = |s: &mut Session, v: serde_json::Value| {
            s.set_consent(&from_json(&v), t, false).unwrap();
        };
        match w {
            Withdrawal::Personalization { storage } => {
                set(&mut s, json!({"personalization": false, "storage": storage}))
            }
            Withdrawal::Storage => set(&mut s, json!({"personalization": true, "storage": false})),
            Withdrawal::ConsentModeDenied => {
                set(&mut s, json!({"googleConsentMode": {"personalization_storage": "denied"}}))
            }
            Withdrawal::TcfWithoutPurposes => set(
                &mut s,
                json!({"tcf": crate::consent::tcf::testing::tc_string(&[2, 3], t)}),
            ),
            Withdrawal::Erase => s.erase(t),
            Withdrawal::OtherTabErase => {
                open(&mem, None, 2).erase(t);
                s.storage_changed(t);
            }
            Withdrawal::BrowserCleared => {
                mem.clear();
                apply(&mut s, &mem, &Op::Search { n: 0 }, t);
            }
        }
        let state = s.consent();
        match w {
            Withdrawal::Storage => prop_assert!(!state.storage && state.personalization),
            _ => prop_assert!(!state.personalization, "{w:?} not in force: {state:?}"),
        }
        let stored = mem.snapshot();
        if !state.personalization {
            prop_assert!(s.profile.is_none(), "profile held");
            prop_assert!(!s.scratch.holds_profile(), "ranking's buffers keep the profile");
            prop_assert!(!stored.contains_key("vitrine:profile"), "profile stored");
        }
        if !state.storage {
            prop_assert!(stored.is_empty(), "storage holds {:?}", stored.keys());
        }
        if !(state.personalization && state.storage) {
            prop_assert!(s.own.is_empty() && s.clock.is_empty(), "merge buffer or clock kept");
        }
        // Everything observable: no personal string anywhere but in a profile still allowed.
        let seen = serde_json::to_string(&(s.audit(t), s.export(t))).unwrap()
            + &stored.values().cloned().collect::<String>();
        if !state.personalization {
            prop_assert!(!seen.contains('~'), "personal data after withdrawal: {seen}");
        }
    }

    #[test]
    fn what_is_stored_reads_back_as_what_is_held(ops in proptest::collection::vec(op(), 0..120)) {
        let mem = MemoryBackend::new();
        let mut s = open(&mem, Some(json!({"personalization": true, "storage": true})), 1);
        for (i, o) in ops.iter().enumerate() {
            apply(&mut s, &mem, o, NOW + i as f64);
        }
        *mem.fail_writes.borrow_mut() = false;
        apply(&mut s, &mem, &Op::Search { n: 1 }, NOW + 500.0);
        let next_page = open_at(&mem, None, 2, NOW + 500.0);
        prop_assert_eq!(next_page.profile.as_ref(), s.profile.as_ref());
        prop_assert_eq!(next_page.consent().personalization, true);
    }

    #[test]
    fn two_tabs_in_any_interleaving_keep_every_event_once(
        steps in proptest::collection::vec((0..2usize, 0..4u8, 0..40u8), 1..60),
    ) {
        let mem = MemoryBackend::new();
        let mut tabs = [
            open(&mem, Some(json!({"personalization": true, "storage": true})), 11),
            open(&mem, None, 12),
        ];
        // What each tab last wrote or read: a write "from a stale copy" puts it back first.
        let mut last_seen = [mem.snapshot(), mem.snapshot()];
        let mut tracked = 0u32;
        for (i, &(tab, action, n)) in steps.iter().enumerate() {
            let t = NOW + i as f64;
            match action {
                0 | 1 => {
                    apply(&mut tabs[tab], &mem, &Op::Track { name: "Product Viewed", n, known: false }, t);
                    tracked += 1;
                }
                2 => tabs[tab].storage_changed(t),
                _ => {
                    if let Some(v) = last_seen[tab].get("vitrine:profile") {
                        mem.put_raw("vitrine:profile", v);
                    }
                    apply(&mut tabs[tab], &mem, &Op::Track { name: "Product Viewed", n, known: false }, t);
                    tracked += 1;
                }
            }
            last_seen[tab] = mem.snapshot();
        }
        // Every storage event arrives, in both orders.
        let end = NOW + 1000.0;
        for _ in 0..2 {
            tabs[0].storage_changed(end);
            tabs[1].storage_changed(end);
        }
        let stored = open_at(&mem, None, 13, end);
        let events = |s: &Session| s.profile(end).map_or(0, |p| p.events);
        prop_assert_eq!(events(&stored), tracked, "stored");
        prop_assert_eq!(events(&tabs[0]), tracked, "tab a");
        prop_assert_eq!(events(&tabs[1]), tracked, "tab b");
    }

    /// What ranking keeps of the profile between calls (`recommend::represent::Kept`) never
    /// serves a shelf a freshly built one would not: across events, other tabs' writes,
    /// consent changes and a clock that moves both ways, every shelf equals the one from a
    /// session's first call.
    #[test]
    fn a_kept_representation_serves_what_a_fresh_one_does(
        steps in proptest::collection::vec((0..6u8, any::<u8>()), 1..60),
    ) {
        let mem = MemoryBackend::new();
        let consent = json!({"personalization": true, "storage": true, "sensitive": true});
        let extra = json!({"consent": consent, "policy": {"sensitiveCategories": ["Mugs"]}});
        let mut s = super::tests::open_with(&mem, extra.clone());
        let mut other = super::tests::open_with(&mem, extra);
        let scenarios = ["for_you", "buy_again", "recently_viewed", "cart", "trending", "similar"];
        let mut t = NOW;
        for &(action, n) in &steps {
            t += f64::from(n % 16) * 3_600_000.0 - 4.0 * 3_600_000.0;
            match action {
                0 | 1 => {
                    let name = ["Product Viewed", "Order Completed", "Product Added"][usize::from(n) % 3];
                    apply(&mut s, &mem, &Op::Track { name, n, known: true }, t);
                }
                2 => {
                    apply(&mut other, &mem, &Op::Track { name: "Order Completed", n, known: true }, t);
                    s.storage_changed(t);
                }
                3 => {
                    let c = json!({"personalization": n % 4 != 0, "storage": true, "sensitive": n % 2 == 0});
                    s.set_consent(&from_json(&c), t, false).unwrap();
                }
                _ => {
                    // Asked twice, with other rules the second time: what the first call kept
                    // serves the second.
                    let scenario = scenarios[usize::from(n) % scenarios.len()];
                    let first = json!({"scenario": scenario, "itemId": "mugs-1", "k": 6});
                    let exclude = ["candles-1", "mugs-2", "throws-3", "throws-0"][usize::from(n / 8) % 4];
                    let second = json!({"scenario": scenario, "itemId": "mugs-1", "k": 4 + n % 5,
                        "exclude": [exclude], "filter": {"inStock": n % 3 != 0}});
                    for o in [first, second] {
                        let opts = from_json(&o);
                        let req = Request::parse(&opts).unwrap();
                        let mut rng = s.rng.clone();
                        let fresh = s.with_input(&req, t, |input| {
                            recommend::recommend(input, &req, &mut Scratch::default(), &mut rng)
                        });
                        prop_assert_eq!(s.recommend(&opts, t).unwrap(), fresh, "{}", o);
                    }
                }
            }
        }
    }
}
