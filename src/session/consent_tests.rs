//! Precedence rows (P2–P16 of `consent::precedence`) that involve storage, time or the CMP.

use super::tests::{catalog, open_at, open_with, NOW};
use super::*;
use crate::audit::Entry;
use crate::consent::tcf::testing::tc_string;
use crate::consent::Source;
use crate::store::MemoryBackend;
use crate::value::from_json;
use serde_json::{json, Value as Json};

const HOUR: f64 = 3_600_000.0;

fn set(s: &mut Session, v: Json, now: f64, gpc: bool) -> ConsentStateLite {
    lite(&s.set_consent(&from_json(&v), now, gpc).unwrap())
}

/// `(personalization, storage, source)`.
type ConsentStateLite = (bool, bool, Source);

fn lite(c: &crate::consent::ConsentState) -> ConsentStateLite {
    (c.personalization, c.storage, c.source)
}

fn open_gpc(mem: &MemoryBackend, extra: Json, now: f64, gpc: bool) -> Session {
    let mut opts = json!({"catalog": catalog()});
    if let (Json::Object(o), Json::Object(e)) = (&mut opts, extra) {
        o.extend(e);
    }
    let opts = OpenOptions::parse(from_json(&opts)).unwrap();
    Session::open(opts, Box::new(mem.clone()), Env { now, seed: 1, gpc })
}

fn view(s: &mut Session, id: &str, now: f64) -> bool {
    s.track(
        &Value::from("Product Viewed"),
        &from_json(&json!({ "product_id": id })),
        &Value::Undefined,
        now,
    )
    .unwrap()
    .accepted
}

/// The shopper says yes to personalization and storage on the site's banner.
fn grant(s: &mut Session, now: f64) {
    set(
        s,
        json!({"personalization": true, "storage": true}),
        now,
        false,
    );
}

fn ignored(s: &Session) -> Vec<String> {
    s.audit(NOW)
        .history
        .into_iter()
        .filter_map(|e| match e {
            Entry::Ignored { reason, .. } => Some(reason),
            _ => None,
        })
        .collect()
}

#[test]
fn p2_p3_stored_decision_at_open_and_later_calls_replace_it() {
    let mem = MemoryBackend::new();
    let mut a = open_with(&mem, json!({}));
    assert_eq!(lite(&a.consent()), (false, false, Source::Default));
    set(
        &mut a,
        json!({"personalization": true, "storage": true}),
        NOW,
        false,
    );
    let b = open_with(&mem, json!({}));
    assert_eq!(lite(&b.consent()), (true, true, Source::Stored));
    assert_eq!(b.consent().updated_at, Some(NOW));
    let c = open_with(&mem, json!({"consent": {"personalization": true}}));
    assert_eq!(lite(&c.consent()), (true, false, Source::Explicit));
    assert!(
        mem.snapshot().is_empty(),
        "the new decision withdrew storage"
    );
}

#[test]
fn p3_p4_consent_inputs_map_tcf_and_consent_mode() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({}));
    let all = tc_string(&[1, 5, 6], NOW - HOUR);
    assert_eq!(
        set(&mut s, json!({"tcf": all}), NOW, false),
        (true, true, Source::Tcf)
    );
    let no6 = tc_string(&[1, 5], NOW);
    assert_eq!(
        set(&mut s, json!({"tcf": no6}), NOW, false),
        (false, true, Source::Tcf)
    );
    let only56 = tc_string(&[5, 6], NOW);
    assert_eq!(
        set(&mut s, json!({"tcf": only56}), NOW, false),
        (true, false, Source::Tcf)
    );
    let gcm = json!({"googleConsentMode": {"personalization_storage": "granted", "ad_storage": "denied"}});
    assert_eq!(
        set(&mut s, gcm, NOW, false),
        (true, true, Source::ConsentMode)
    );
    let gcm = json!({"googleConsentMode": {"ad_storage": "granted"}});
    assert_eq!(
        set(&mut s, gcm, NOW, false),
        (false, false, Source::ConsentMode)
    );
    let both =
        json!({"personalization": false, "storage": true, "tcf": tc_string(&[1, 5, 6], NOW)});
    assert_eq!(
        set(&mut s, both, NOW, false),
        (false, true, Source::Explicit)
    );
}

#[test]
fn tcf_purposes_publisher_reads_the_publishers_own_purposes() {
    use crate::consent::tcf::testing::with_publisher;
    // The IAB encoder writes a publisher TC segment into every service-specific string, empty
    // unless the CMP declares publisher purposes: the core segment counts by default.
    let vendors_only = with_publisher(&tc_string(&[1, 5, 6], NOW), &[]);
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({}));
    assert_eq!(
        set(&mut s, json!({"tcf": vendors_only}), NOW, false),
        (true, true, Source::Tcf)
    );
    // With `tcfPurposes: 'publisher'`, a yes for vendors and a no for the shop is a no.
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"policy": {"tcfPurposes": "publisher"}}));
    assert_eq!(
        set(&mut s, json!({"tcf": vendors_only}), NOW, false),
        (false, false, Source::Tcf)
    );
    let own = with_publisher(&tc_string(&[], NOW), &[1, 5, 6]);
    assert_eq!(
        set(&mut s, json!({"tcf": own}), NOW, false),
        (true, true, Source::Tcf)
    );
    // From the CMP too; a string without the segment gives nothing.
    let c = s
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW),
            TcfEvent::UserAction,
            NOW + 1.0,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (false, false, Source::Tcf));
    let c = s
        .tcf_event(&own, TcfEvent::UserAction, NOW + 2.0, false)
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Tcf));
}

#[test]
fn a_stored_tcf_decision_is_the_cmps_to_make_again_under_this_pages_tcf_purposes() {
    // Found by a re-audit: a yes stored from a string read under 'core' stood on a page opened
    // with 'publisher' (the CMP's tcloaded of the same string, dated by the day, was older than
    // the stored decision), so a shopper who refused the site's own purposes was personalized.
    use crate::consent::tcf::testing::with_publisher;
    let vendors_only = with_publisher(&tc_string(&[1, 5, 6], NOW - HOUR), &[]);
    let mem = MemoryBackend::new();
    let mut core = open_with(&mem, json!({}));
    assert_eq!(
        set(&mut core, json!({"tcf": vendors_only}), NOW, false),
        (true, true, Source::Tcf)
    );
    view(&mut core, "mugs-1", NOW);
    let mut publisher = open_with(&mem, json!({"policy": {"tcfPurposes": "publisher"}}));
    assert_eq!(lite(&publisher.consent()), (true, true, Source::Stored));
    let c = publisher
        .tcf_event(&vendors_only, TcfEvent::Loaded, NOW + 1.0, false)
        .unwrap();
    assert_eq!(lite(&c), (false, false, Source::Tcf));
    assert!(publisher.profile(NOW + 1.0).is_none());
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    // A decision of the site's banner stands: the CMP merely reloading its string is older.
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({}));
    set(
        &mut s,
        json!({"personalization": true, "storage": true}),
        NOW,
        false,
    );
    let mut next = open_with(&mem, json!({"policy": {"tcfPurposes": "publisher"}}));
    let c = next
        .tcf_event(&vendors_only, TcfEvent::Loaded, NOW + 1.0, false)
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Stored));
}

#[test]
fn a_stored_tcf_refusal_stands_against_an_older_string() {
    // Found by a re-audit: a CMP's tcloaded of a yes dated a week before a stored TCF refusal
    // overturned it; a string older than the decision's day is a CMP that lost the decision.
    let day = 86_400_000.0;
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({"policy": {"rememberRefusal": true}}));
    let refusal = tc_string(&[], NOW);
    assert_eq!(
        set(&mut s, json!({"tcf": refusal}), NOW, false),
        (false, false, Source::Tcf)
    );
    let mut next = open_at(
        &mem,
        json!({"policy": {"rememberRefusal": true}}),
        NOW + 60_000.0,
    );
    assert_eq!(lite(&next.consent()), (false, false, Source::Stored));
    let old_yes = tc_string(&[1, 5, 6], NOW - 7.0 * day);
    let c = next
        .tcf_event(&old_yes, TcfEvent::Loaded, NOW + 60_000.0, false)
        .unwrap();
    assert_eq!(lite(&c), (false, false, Source::Stored), "an older yes");
    // The same day's string is the CMP's to read again.
    let today_yes = tc_string(&[1, 5, 6], NOW - 1_000.0);
    let c = next
        .tcf_event(&today_yes, TcfEvent::Loaded, NOW + 60_000.0, false)
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Tcf));
}

#[test]
fn an_older_cmp_string_takes_away_what_a_stored_tcf_decision_gave_never_gives() {
    // Found by a re-audit: a CMP that keeps an older `lastUpdated` left a yes read under 'core'
    // standing on a page opened with 'publisher'.
    use crate::consent::tcf::testing::with_publisher;
    let day = 86_400_000.0;
    let vendors_only = with_publisher(&tc_string(&[1, 5, 6], NOW - 3.0 * day), &[]);
    let mem = MemoryBackend::new();
    let mut core = open_with(&mem, json!({}));
    assert_eq!(
        set(&mut core, json!({"tcf": vendors_only}), NOW, false),
        (true, true, Source::Tcf)
    );
    let mut publisher = open_at(
        &mem,
        json!({"policy": {"tcfPurposes": "publisher"}}),
        NOW + 60_000.0,
    );
    let c = publisher
        .tcf_event(&vendors_only, TcfEvent::Loaded, NOW + 60_000.0, false)
        .unwrap();
    assert_eq!(lite(&c), (false, false, Source::Tcf));
    // Dated now, so that a tab still holding the stored yes takes it over (a fourth re-audit:
    // dated by the older string, it was ignored there, and that tab kept personalizing).
    assert_eq!(c.updated_at, Some(NOW + 60_000.0));
    core.storage_changed(NOW + 60_001.0);
    assert!(!core.consent().personalization);
    assert!(!view(&mut core, "mugs-2", NOW + 60_002.0));
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
}

#[test]
fn p6_p7_p8_cmp_events_follow_the_latest_decision() {
    let mem = MemoryBackend::new();
    let mut s = open_with(&mem, json!({}));
    // P7: tcloaded with nothing decided yet applies, dated by the string.
    let c = s
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW - 48.0 * HOUR),
            TcfEvent::Loaded,
            NOW,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Tcf));
    assert_eq!(c.updated_at, Some(NOW - 48.0 * HOUR));
    // The shopper then refuses on the site's banner.
    set(
        &mut s,
        json!({"personalization": false, "storage": true}),
        NOW,
        false,
    );
    // P8: the CMP reloads the older string: the banner decision stands.
    let c = s
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW - 48.0 * HOUR),
            TcfEvent::Loaded,
            NOW + 1.0,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (false, true, Source::Explicit));
    assert_eq!(
        ignored(&s),
        ["tcloaded: the TC string is older than the decision in force"]
    );
    // P8 holds across page loads: the stored decision is as old as the banner click.
    let mut next = open_with(&mem, json!({}));
    let c = next
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW - 48.0 * HOUR),
            TcfEvent::Loaded,
            NOW + HOUR,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (false, true, Source::Stored));
    // P7: a string updated after the banner decision (the shopper changed it in the CMP on
    // another page) wins.
    let c = next
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW + 10.0 * HOUR),
            TcfEvent::Loaded,
            NOW + 20.0 * HOUR,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Tcf));
    // P6: a user action is dated now, whatever the string's (day-rounded) LastUpdated says.
    set(
        &mut next,
        json!({"personalization": false}),
        NOW + 21.0 * HOUR,
        false,
    );
    let c = next
        .tcf_event(
            &tc_string(&[1, 5, 6], NOW),
            TcfEvent::UserAction,
            NOW + 22.0 * HOUR,
            false,
        )
        .unwrap();
    assert_eq!(lite(&c), (true, true, Source::Tcf));
    assert_eq!(c.updated_at, Some(NOW + 22.0 * HOUR));
    // A TC string claiming to be from the future is dated now at most.
    let c = next
        .tcf_event(
            &tc_string(&[1], NOW + 1e12),
            TcfEvent::Loaded,
            NOW + 23.0 * HOUR,
            false,
        )
        .unwrap();
    assert_eq!(c.updated_at, Some(NOW + 23.0 * HOUR));
}

#[test]
fn p16_malformed_tc_strings_change_nothing() {
    let mem = MemoryBackend::new();
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    view(&mut s, "mugs-1", NOW);
    let before = s.consent();
    let e = s
        .set_consent(&from_json(&json!({"tcf": "CP_h-0AP!"})), NOW + 1.0, false)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid TC string: not base64url: '!' at position 8"
    );
    let e = s
        .tcf_event("CAA", TcfEvent::UserAction, NOW + 2.0, false)
        .unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    assert_eq!(s.consent(), before);
    assert_eq!(s.profile(NOW).unwrap().events, 1);
    assert_eq!(
        ignored(&s),
        ["invalid TC string: truncated: the core segment ends inside created"]
    );
}

#[test]
fn p11_p12_gpc_denies_until_the_shopper_opts_in_explicitly_with_it() {
    let mem = MemoryBackend::new();
    // An explicit opt-in made before the browser sent GPC.
    let mut s = open_gpc(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
        NOW,
        false,
    );
    assert!(view(&mut s, "mugs-1", NOW));
    // Next visit, GPC is on: personalization is denied and its data erased; storage stays.
    let mut s = open_gpc(&mem, json!({}), NOW + HOUR, true);
    assert_eq!(lite(&s.consent()), (false, true, Source::Gpc));
    assert!(!view(&mut s, "mugs-2", NOW + HOUR));
    assert_eq!(
        mem.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    assert!(s.audit(NOW).gpc);
    // Signals from a CMP do not override GPC either.
    let tcf = json!({"tcf": tc_string(&[1, 5, 6], NOW + HOUR)});
    assert_eq!(
        set(&mut s, tcf, NOW + 2.0 * HOUR, true),
        (false, true, Source::Gpc)
    );
    // The shopper opts in on this site's banner, with GPC on: that stands (P12) …
    let c = set(
        &mut s,
        json!({"personalization": true, "storage": true}),
        NOW + 3.0 * HOUR,
        true,
    );
    assert_eq!(c, (true, true, Source::Explicit));
    assert!(view(&mut s, "mugs-3", NOW + 3.0 * HOUR));
    // … and is remembered as such.
    let mut s = open_gpc(&mem, json!({}), NOW + 4.0 * HOUR, true);
    assert_eq!(lite(&s.consent()), (true, true, Source::Stored));
    assert_eq!(s.profile(NOW + 4.0 * HOUR).unwrap().events, 1);
    assert!(view(&mut s, "mugs-4", NOW + 4.0 * HOUR));
}

#[test]
fn p13_p14_gpc_ignored_by_policy_or_absent() {
    let mem = MemoryBackend::new();
    let tcf = json!({"tcf": tc_string(&[1, 5, 6], NOW)});
    let mut s = open_gpc(
        &mem,
        json!({"policy": {"gpc": "ignore"}, "consent": tcf}),
        NOW,
        true,
    );
    assert_eq!(lite(&s.consent()), (true, true, Source::Tcf));
    assert!(s.audit(NOW).gpc, "the signal is still reported");
    assert!(view(&mut s, "mugs-1", NOW));
    let s = open_gpc(&mem, json!({"consent": tcf}), NOW, false);
    assert_eq!(lite(&s.consent()), (true, true, Source::Tcf));
    assert!(!s.audit(NOW).gpc);
}

#[test]
fn p15_erase_leaves_no_key_unless_a_refusal_is_to_be_remembered() {
    let mem = MemoryBackend::new();
    mem.put_raw("other:key", "kept");
    let mut s = open_with(
        &mem,
        json!({"consent": {"personalization": true, "storage": true}}),
    );
    view(&mut s, "mugs-1", NOW);
    s.erase(NOW);
    assert_eq!(mem.snapshot().keys().collect::<Vec<_>>(), ["other:key"]);
    // rememberRefusal: an expressed refusal survives erase() as its small record …
    let mem = MemoryBackend::new();
    let policy = json!({"policy": {"rememberRefusal": true}});
    let mut s = open_with(&mem, policy.clone());
    assert!(
        mem.snapshot().is_empty(),
        "no decision yet: nothing to remember"
    );
    set(
        &mut s,
        json!({"personalization": false, "storage": false}),
        NOW,
        false,
    );
    assert_eq!(
        mem.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    s.erase(NOW);
    assert_eq!(
        mem.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    let again = open_with(&mem, policy.clone());
    assert_eq!(lite(&again.consent()), (false, false, Source::Stored));
    // … but consent that was given is forgotten.
    set(
        &mut s,
        json!({"personalization": true, "storage": true}),
        NOW,
        false,
    );
    s.erase(NOW);
    assert!(mem.snapshot().is_empty());
}

#[test]
fn corrupt_truncated_and_foreign_values_are_reset_and_reported() {
    use crate::store::envelope::{seal, Kind};
    let cases: [(&str, String, &str); 6] = [
        (
            "vitrine:consent",
            "{\"consent\":true}".into(),
            "not base64url",
        ),
        ("vitrine:consent", "VkMC".into(), "truncated"),
        (
            "vitrine:consent",
            "VkMBAAAAAA".into(),
            "written by an older, unsupported vitrine",
        ),
        (
            "vitrine:consent",
            seal(Kind::Profile, b"x"),
            "foreign value (wrong magic)",
        ),
        ("vitrine:profile", seal(Kind::Profile, &[0; 9]), "truncated"),
        (
            "vitrine:profile",
            seal(Kind::Consent, &[0; 12]),
            "foreign value (wrong magic)",
        ),
    ];
    for (key, value, reason) in cases {
        let mem = MemoryBackend::new();
        let mut first = open_with(
            &mem,
            json!({"consent": {"personalization": true, "storage": true}}),
        );
        view(&mut first, "mugs-1", NOW);
        mem.put_raw(key, &value);
        let mut s = open_with(&mem, json!({}));
        let resets: Vec<_> = s
            .audit(NOW)
            .history
            .into_iter()
            .filter_map(|e| match e {
                Entry::Reset { key, reason, .. } => Some((key, reason)),
                _ => None,
            })
            .collect();
        let mut expected = vec![(key.to_owned(), reason)];
        if key.ends_with("consent") {
            // The profile it allowed goes too, and says why (no decision allows it now).
            expected.push((
                "vitrine:profile".to_owned(),
                "no consent decision allows it (the record is missing or damaged)",
            ));
        }
        assert_eq!(resets, expected, "{key} = {value}");
        assert_ne!(mem.snapshot().get(key), Some(&value), "reset");
        // Still working: a damaged consent record means no decision; a damaged profile, a new one.
        if key.ends_with("consent") {
            assert_eq!(s.consent().source, Source::Default);
            assert!(!mem.snapshot().contains_key("vitrine:profile"));
        } else {
            assert!(view(&mut s, "mugs-2", NOW));
            assert_eq!(s.profile(NOW).unwrap().events, 1);
        }
    }
}

#[test]
fn an_erasure_by_the_decision_given_at_open_is_in_the_history_once() {
    let erasures = |s: &Session| {
        let h = s.audit(NOW).history;
        h.iter()
            .filter(|e| matches!(e, Entry::Erase { .. }))
            .count()
    };
    let stored = || {
        let mem = MemoryBackend::new();
        let mut s = open_with(
            &mem,
            json!({"consent": {"personalization": true, "storage": true}}),
        );
        assert!(view(&mut s, "candles-1", NOW));
        mem
    };
    for (consent, gpc) in [
        (
            json!({"consent": {"personalization": false, "storage": true}}),
            false,
        ),
        (json!({}), true),
    ] {
        let mem = stored();
        let s = open_gpc(&mem, consent, NOW, gpc);
        assert!(!s.consent().personalization);
        assert!(!mem.snapshot().contains_key("vitrine:profile"));
        assert_eq!(erasures(&s), 1, "gpc {gpc}");
    }
    // Withdrawn later, it is noted once as well.
    let mem = stored();
    let mut s = open_with(&mem, json!({}));
    set(
        &mut s,
        json!({"personalization": false, "storage": true}),
        NOW,
        false,
    );
    assert_eq!(erasures(&s), 1);
}

#[test]
fn a_profile_under_a_lapsed_decision_keeps_to_its_retention() {
    // Found by the privacy audit: a decision past its age left the profile stored for ever when
    // the shopper never answered, pruned by nothing (signals 40 days old under a 3-day retention).
    const DAY: f64 = 24.0 * HOUR;
    let policy = json!({"policy": {"consentMaxAgeDays": 1, "retentionDays": 3}});
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, policy.clone(), NOW, false);
    grant(&mut s, NOW);
    assert!(view(&mut s, "mugs-1", NOW));
    assert!(view(&mut s, "mugs-2", NOW + 0.9 * DAY));
    s.flush(NOW + 0.9 * DAY);
    let stored = |mem: &MemoryBackend| mem.snapshot().get("vitrine:profile").cloned();
    let before = stored(&mem);
    // Lapsed, all of it within its retention: left as it is.
    let within = open_gpc(&mem, policy.clone(), NOW + 2.9 * DAY, false);
    assert_eq!(lite(&within.consent()).2, Source::Default);
    assert_eq!(stored(&mem), before);
    // Lapsed, part of it older than the retention: that part goes, and the answer finds the rest.
    let t = NOW + 3.5 * DAY;
    let mut late = open_gpc(&mem, policy.clone(), t, false);
    assert!(
        late.profile(t).is_none(),
        "nothing read for use without a decision"
    );
    assert_ne!(stored(&mem), before);
    let h = late.audit(t).history;
    assert!(h.iter().any(|e| matches!(e, Entry::Prune { .. })), "{h:?}");
    grant(&mut late, t);
    let items: Vec<String> = late
        .export(t)
        .profile
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.item_id)
        .collect();
    assert_eq!(items, ["mugs-2"]);
    // Lapsed again and all of it past retention: the record goes.
    late.flush(t);
    let _ = open_gpc(&mem, policy.clone(), t + 40.0 * DAY, false);
    assert_eq!(stored(&mem), None, "{:?}", mem.snapshot());
    // A damaged record under a lapsed decision is reset, as under a decision that stands (found
    // by the second re-audit: it was kept, unread, until the shopper answered).
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, policy.clone(), NOW, false);
    grant(&mut s, NOW);
    mem.put_raw("vitrine:profile", "garbage");
    let late = open_gpc(&mem, policy, NOW + 40.0 * DAY, false);
    assert_eq!(stored(&mem), None);
    let h = late.audit(NOW + 40.0 * DAY).history;
    assert!(h.iter().any(|e| matches!(e, Entry::Reset { .. })), "{h:?}");
}

#[test]
fn a_page_left_open_past_the_decisions_age_writes_nothing_past_retention_back() {
    // Found by the second re-audit: a page open since day 390 asked again at day 430 and wrote
    // its 40-day-old view back, right after a page opened that day had deleted it.
    const DAY: f64 = 24.0 * HOUR;
    let mem = MemoryBackend::new();
    let mut a = open_gpc(&mem, json!({}), NOW, false);
    grant(&mut a, NOW);
    assert!(view(&mut a, "mugs-1", NOW + 390.0 * DAY));
    a.flush(NOW + 390.0 * DAY);
    let _b = open_gpc(&mem, json!({}), NOW + 430.0 * DAY, false);
    assert!(!mem.snapshot().contains_key("vitrine:profile"));
    // A's next call (the wasm layer tends the session first).
    a.tend(NOW + 430.0 * DAY);
    assert!(a.profile(NOW + 430.0 * DAY).is_none());
    a.flush(NOW + 430.0 * DAY);
    assert!(
        !mem.snapshot().contains_key("vitrine:profile"),
        "{:?}",
        mem.snapshot()
    );
}

#[test]
fn erasing_what_another_store_holds_keeps_a_remembered_refusal_and_notes_a_failure() {
    // Found by the second re-audit: an instance kept in memory erased an earlier page's stored
    // refusal that `rememberRefusal` keeps, and a failing erasure there was silent.
    let refuse = json!({"policy": {"rememberRefusal": true}});
    let local = MemoryBackend::new();
    let mut earlier = open_gpc(&local, refuse.clone(), NOW, false);
    set(&mut earlier, json!({"personalization": false}), NOW, false);
    assert!(local.snapshot().contains_key("vitrine:consent"));
    let store = || {
        Ok(Some(
            Box::new(local.clone()) as Box<dyn crate::store::Backend>
        ))
    };
    let mut memory = open_gpc(&MemoryBackend::new(), refuse, NOW, false);
    set(&mut memory, json!({"personalization": false}), NOW, false);
    memory.erase(NOW);
    memory.erase_other(store(), NOW);
    assert_eq!(
        local.snapshot().keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
    // Without a refusal to keep, everything goes; a storage that fails says so.
    let mut granted = open_gpc(&MemoryBackend::new(), json!({}), NOW, false);
    grant(&mut granted, NOW);
    granted.erase(NOW);
    *local.disabled.borrow_mut() = true;
    granted.erase_other(store(), NOW);
    let h = granted.audit(NOW).history;
    assert!(
        h.iter().any(|e| matches!(e, Entry::StorageError { .. })),
        "{h:?}"
    );
    *local.disabled.borrow_mut() = false;
    granted.erase_other(store(), NOW);
    assert!(local.snapshot().is_empty(), "{:?}", local.snapshot());
}

#[test]
fn a_decision_older_than_consent_max_age_days_is_asked_again() {
    // Found by the upgrade audit: a decision of day 0 was still in force on day 200, and would
    // be for ever; consent guidance expects it asked again after 13 months at most.
    const DAY: f64 = 24.0 * HOUR;
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, json!({}), NOW, false);
    grant(&mut s, NOW);
    assert!(view(&mut s, "mugs-1", NOW));
    let within = open_gpc(&mem, json!({}), NOW + 395.0 * DAY, false);
    assert_eq!(lite(&within.consent()), (true, true, Source::Stored));
    let stored = mem.snapshot();
    let mut late = open_gpc(&mem, json!({}), NOW + 396.0 * DAY, false);
    assert_eq!(lite(&late.consent()), (false, false, Source::Default));
    assert!(
        ignored(&late)[0].contains("consentMaxAgeDays"),
        "{:?}",
        ignored(&late)
    );
    assert!(
        late.profile(NOW + 396.0 * DAY).is_none(),
        "nothing read without a decision"
    );
    // The decision's record is left as it is until the shopper answers (found by the re-audit:
    // the profile and the record were deleted, the profile's removal noted as a damaged record's
    // reset); the profile keeps to its retention (30 days by default): nothing of it is left.
    let now = mem.snapshot();
    assert_eq!(now.get("vitrine:consent"), stored.get("vitrine:consent"));
    assert!(stored.contains_key("vitrine:profile") && !now.contains_key("vitrine:profile"));
    let h = late.audit(NOW + 396.0 * DAY).history;
    assert!(!h.iter().any(|e| matches!(e, Entry::Reset { .. })), "{h:?}");
    // The answer replaces the record; the profile is read again, within its retention.
    let t = NOW + 396.0 * DAY;
    grant(&mut late, t);
    assert_eq!(
        lite(&open_gpc(&mem, json!({}), t + DAY, false).consent()).2,
        Source::Stored
    );
    let policy = json!({"policy": {"consentMaxAgeDays": 30, "retentionDays": 730}});
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, policy.clone(), NOW, false);
    grant(&mut s, NOW);
    assert!(view(&mut s, "mugs-1", NOW + 25.0 * DAY));
    let mut again = open_gpc(&mem, policy.clone(), NOW + 31.0 * DAY, false);
    assert_eq!(lite(&again.consent()).2, Source::Default);
    let t = NOW + 31.0 * DAY;
    grant(&mut again, t);
    assert_eq!(
        again.profile(t).unwrap().events,
        1,
        "the profile found again"
    );
    // A stale decision another tab writes (a CMP's of long ago) stands no more here.
    let mem = MemoryBackend::new();
    let mut other = open_gpc(&mem, json!({}), NOW + 400.0 * DAY, false);
    let mut tab = open_gpc(&mem, json!({}), NOW + 400.0 * DAY, false);
    grant(&mut other, NOW);
    tab.storage_changed(NOW + 400.0 * DAY);
    assert_eq!(lite(&tab.consent()).2, Source::Default);
    // A wrong clock neither ends a decision (before 2001) nor saves it from its end (a decision
    // dated ahead is dated now, and ages from then).
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, json!({}), NOW + 100.0 * DAY, false);
    grant(&mut s, NOW + 100.0 * DAY);
    assert_eq!(
        lite(&open_gpc(&mem, json!({}), 0.0, false).consent()).2,
        Source::Stored
    );
    let fixed = open_gpc(&mem, json!({}), NOW, false);
    assert_eq!(
        fixed.consent().updated_at,
        Some(NOW),
        "dated now, and written so"
    );
    let late = open_gpc(&mem, json!({}), NOW + 396.0 * DAY, false);
    assert_eq!(lite(&late.consent()).2, Source::Default);
    // A decision made while the clock read 1970 is dated at the first true reading (the
    // re-audit: it never ended).
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, json!({}), 7.0, false);
    grant(&mut s, 7.0);
    let fixed = open_gpc(&mem, json!({}), NOW, false);
    assert_eq!(fixed.consent().updated_at, Some(NOW));
    let late = open_gpc(&mem, json!({}), NOW + 396.0 * DAY, false);
    assert_eq!(lite(&late.consent()).2, Source::Default);
    // A policy of its own; a refusal kept by rememberRefusal is asked again too.
    let policy = json!({"policy": {"consentMaxAgeDays": 30, "rememberRefusal": true}});
    let mem = MemoryBackend::new();
    let mut s = open_gpc(&mem, policy.clone(), NOW, false);
    set(&mut s, json!({"personalization": false}), NOW, false);
    let again = open_gpc(&mem, policy.clone(), NOW + 29.0 * DAY, false);
    assert_eq!(lite(&again.consent()), (false, false, Source::Stored));
    let again = open_gpc(&mem, policy, NOW + 31.0 * DAY, false);
    assert_eq!(lite(&again.consent()), (false, false, Source::Default));
}

#[test]
fn a_page_left_open_past_consent_max_age_days_asks_again() {
    // Found by the privacy re-audit: a decision on a page left open stood for ever; a page
    // opened then would have asked again.
    const DAY: f64 = 24.0 * HOUR;
    let policy = json!({"policy": {"consentMaxAgeDays": 30, "retentionDays": 730}});
    for stored in [false, true] {
        let mem = MemoryBackend::new();
        let mut s = open_gpc(&mem, policy.clone(), NOW, false);
        grant(&mut s, NOW);
        if stored {
            s = open_gpc(&mem, policy.clone(), NOW + DAY, false);
            assert_eq!(lite(&s.consent()).2, Source::Stored);
        }
        assert!(view(&mut s, "mugs-1", NOW + 2.0 * DAY));
        assert!(view(&mut s, "mugs-2", NOW + 29.0 * DAY));
        assert!(
            !view(&mut s, "mugs-3", NOW + 32.0 * DAY),
            "asked again: nothing kept"
        );
        assert_eq!(lite(&s.consent()), (false, false, Source::Default));
        assert!(ignored(&s).iter().any(|r| r.contains("consentMaxAgeDays")));
        let h = s.audit(NOW + 32.0 * DAY).history;
        assert!(
            !h.iter()
                .any(|e| matches!(e, Entry::Erase { .. } | Entry::Reset { .. })),
            "{h:?}"
        );
        assert!(
            mem.snapshot().contains_key("vitrine:profile"),
            "left for the answer"
        );
        // The answer finds every event made while the decision stood.
        let t = NOW + 33.0 * DAY;
        grant(&mut s, t);
        assert_eq!(s.profile(t).unwrap().events, 2);
    }
}
