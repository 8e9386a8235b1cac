//! Sixth re-audit: telling the page's other instances in turns (`storage::after_writes`), the
//! `storage` listener running it, and a tie taken over only from a stored decision.
//!
//! [`Page`] is the port of `storage::after_writes` of `tell_audit_tests`.

use super::sync_tests::seed;
use super::tell_audit_tests::*;
use super::tests::NOW;
use super::*;
use crate::value::from_json;
use serde_json::json;

impl Page {
    /// Another tab of the same browser: its own instances and write count, the same storage.
    fn tab_of(other: &Page) -> Self {
        let mut p = Page::new();
        p.local.mem = other.local.mem.clone();
        p
    }

    /// The `storage` event reaching every instance of this tab (each has its own listener):
    /// `storage_changed`, then `after_writes` (as `StorageEvents::listen` does since 2a38470).
    fn storage_event(&mut self, now: f64) {
        let all: Vec<Inst> = self
            .shared
            .iter()
            .filter_map(|(_, s)| s.upgrade())
            .collect();
        for rc in all {
            let before = self.writes();
            if let Ok(mut s) = rc.try_borrow_mut() {
                s.storage_changed(now);
            }
            self.after_writes(&rc, before, now);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

/// (Guard.) The reverse of the fifth re-audit's tie: the main instance's yes cannot be stored
/// (`localStorage` full), a widget's refusal of the same millisecond is. The main instance
/// follows the refusal, tracks nothing, and writes no yes over it; the widget keeps it.
#[test]
fn a_refusal_stored_after_a_yes_whose_write_failed_in_the_same_millisecond_is_followed() {
    let mut page = Page::new();
    *page.mem().fail_writes_of.borrow_mut() = Some("consent");
    let main = page.open(yes(), NOW);
    *page.mem().fail_writes_of.borrow_mut() = None;
    assert!(personalizes(&main));
    let widget = page.open(no(), NOW);
    assert!(!personalizes(&widget));
    let stored_refusal = {
        let next = Session::open(
            options(json!({})),
            Box::new(page.mem().clone()),
            Env {
                now: NOW + 1.0,
                seed: seed(),
                gpc: false,
            },
        );
        !next.consent().personalization
    };
    assert!(stored_refusal, "storage holds the refusal");
    let t = NOW + 300.0;
    let main_tracks = page.call(&main, t, |s| track(s, "mugs-2", t));
    let next = Session::open(
        options(json!({})),
        Box::new(page.mem().clone()),
        Env {
            now: t + 1.0,
            seed: seed(),
            gpc: false,
        },
    );
    assert_eq!(
        (
            main_tracks,
            next.consent().personalization,
            personalizes(&widget)
        ),
        (false, false, false)
    );
}

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/// A busy page (a main instance and nine idle cards): of 200 `track`s 2 ms apart, those that
/// write nothing (within the write interval) tell no instance; those that write, each card once.
#[test]
fn a_track_that_writes_nothing_tells_no_one() {
    let mut page = Page::new();
    let all: Vec<Inst> = (0..10).map(|i| page.open(yes(), NOW + i as f64)).collect();
    let (mut quiet, mut writing) = (0, 0);
    for i in 0..200 {
        let t = NOW + 100.0 + f64::from(i) * 2.0;
        let (w, told) = (page.writes(), page.tellings);
        assert!(page.call(&all[0], t, |s| track(s, &item(i as usize), t)));
        if page.writes() == w {
            quiet += 1;
            assert_eq!(page.tellings, told, "call {i} wrote nothing and told");
        } else {
            writing += 1;
            assert_eq!(page.tellings, told + 9, "call {i}: each card once");
        }
    }
    assert!(
        quiet > 100 && writing > 0,
        "{quiet} quiet, {writing} writing"
    );
}

/// Two tabs of three instances each, every instance with an event waiting; one flushes. The
/// `storage` event reaches every instance of the other tab, whose listener now runs
/// `after_writes`; its writes reach the first tab, and so on. It settles within a few
/// exchanges, every instance holds every event, and each is stored once.
#[test]
fn two_tabs_of_three_instances_settle_with_every_event_once() {
    let mut a = Page::new();
    let mut b = Page::tab_of(&a);
    let mut all = Vec::new();
    for (k, tab) in [&mut a, &mut b].into_iter().enumerate() {
        for i in 0..3 {
            let n = k * 3 + i;
            let v = tab.open(yes(), NOW + n as f64);
            let t = NOW + 100.0 + n as f64;
            assert!(tab.call(&v, t, |s| track(s, &item(n), t)));
            all.push(v);
        }
    }
    for (n, v) in all.iter().enumerate() {
        let tab = if n < 3 { &mut a } else { &mut b };
        let t = NOW + 150.0 + n as f64;
        assert!(tab.call(v, t, |s| track(s, &item(n + 20), t)));
    }
    let t = NOW + 200.0;
    a.call(&all[0], t, |s| s.flush(t));
    let mut exchanges = 0;
    loop {
        let (wa, wb) = (a.writes(), b.writes());
        b.storage_event(t + 1.0 + f64::from(exchanges));
        let b_wrote = b.writes() != wb;
        a.storage_event(t + 2.0 + f64::from(exchanges));
        let a_wrote = a.writes() != wa;
        exchanges += 1;
        if !a_wrote && !b_wrote {
            break;
        }
        assert!(exchanges < 10, "written back and forth");
    }
    assert_eq!(stored_events(&a, t + 50.0), 12);
    let held: Vec<u32> = all.iter().map(|v| events(&v.borrow(), t + 50.0)).collect();
    assert_eq!(held, [12; 6]);
}

/// A refusal made in one tab reaches, through the `storage` event and the listener's
/// `after_writes`, every instance of the other tab, each with an event waiting; nothing of the
/// profile is written back.
#[test]
fn a_refusal_in_one_tab_reaches_every_instance_of_another_with_events_waiting() {
    let mut a = Page::new();
    let mut b = Page::tab_of(&a);
    let main = a.open(yes(), NOW);
    let cards: Vec<Inst> = (0..5)
        .map(|i| b.open(yes(), NOW + 1.0 + i as f64))
        .collect();
    for (i, c) in cards.iter().enumerate() {
        let t = NOW + 100.0 + i as f64;
        assert!(b.call(c, t, |s| track(s, &item(i), t)));
        let t = t + 50.0;
        assert!(b.call(c, t, |s| track(s, &item(i + 20), t)));
    }
    let t = NOW + 300.0;
    a.call(&main, t, |s| {
        s.set_consent(
            &from_json(&json!({"personalization": false, "storage": true})),
            t,
            false,
        )
        .unwrap()
    });
    b.storage_event(t + 1.0);
    a.storage_event(t + 2.0);
    assert!(cards.iter().all(|c| !personalizes(c)));
    assert!(!personalizes(&main));
    assert_eq!(
        a.mem().snapshot().into_keys().collect::<Vec<_>>(),
        ["vitrine:consent"]
    );
}

/// Two instances of a namespace screening differently (the page's tracking code puts Throws on
/// `sensitiveCategories`, a widget opened without that policy), under a yes without `sensitive`.
/// The widget views a throw and writes it; the tracking instance, told, screens it out and
/// writes; the widget, told, finds its own event missing and writes it back; and so on. Within
/// the page, the turns stop it at three; across two tabs, each tab's `storage` listener (now
/// running the turns) answers the other's write: it should settle, with the throw stored or not
/// — not be written back and forth.
#[test]
fn instances_screening_differently_do_not_write_back_and_forth() {
    let mut a = Page::new();
    let strict = a.open(
        json!({"consent": {"personalization": true, "storage": true}, "policy": {"sensitiveCategories": ["Throws"]}}),
        NOW,
    );
    let mut b = Page::tab_of(&a);
    let widget = b.open(yes(), NOW + 1.0);
    let t = NOW + 100.0;
    assert!(b.call(&widget, t, |s| track(s, "throws-1", t)));
    let mut exchanges = 0;
    loop {
        let (wa, wb) = (a.writes(), b.writes());
        a.storage_event(t + 1.0 + f64::from(exchanges));
        let a_wrote = a.writes() != wa;
        b.storage_event(t + 2.0 + f64::from(exchanges));
        let b_wrote = b.writes() != wb;
        exchanges += 1;
        if !a_wrote && !b_wrote {
            break;
        }
        assert!(
            exchanges < 20,
            "two tabs: written back and forth ({} + {} writes)",
            a.writes(),
            b.writes()
        );
    }
    drop((strict, widget));
    // The same two on one page: the widget's write, then the turns.
    let mut page = Page::new();
    let strict = page.open(
        json!({"consent": {"personalization": true, "storage": true}, "policy": {"sensitiveCategories": ["Throws"]}}),
        NOW,
    );
    let widget = page.open(yes(), NOW + 1.0);
    page.tellings = 0;
    let w = page.writes();
    assert!(page.call(&widget, t, |s| track(s, "throws-1", t)));
    assert!(
        page.writes() - w <= 2,
        "one page: {} writes, {} tellings",
        page.writes() - w,
        page.tellings
    );
    drop(strict);
}
