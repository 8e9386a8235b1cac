//! The human-first side of a session: where the visit comes from, sensitive categories kept out
//! unless the shopper allowed them, the shopper's own order history, survey answers, and when to
//! offer a person.

use super::{Own, Session, TrackResult, MAX_OWN};
use crate::assist::{self, Assistance};
use crate::audit::Entry;
use crate::channel::{self, Arrival};
use crate::consent::Sensitive;
use crate::error::Result;
use crate::event::{import, Event, Refusal};
use crate::model::Model;
use crate::nps::Class;
use crate::policy::{Detractors, Policy};
use crate::profile::{Profile, View};
use crate::recommend::represent::usable;
use crate::value::Value;
use serde::Serialize;

/// `importHistory`'s answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportResult {
    /// Orders folded into the profile.
    pub imported: usize,
    /// Orders already counted (seen live, or imported before), left out.
    pub duplicates: usize,
    /// Records refused, with the reason (the same codes as `track`).
    pub refused: Vec<ImportRefusal>,
    /// `no_consent` when nothing could be imported at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// One refused record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportRefusal {
    pub index: usize,
    pub reason: &'static str,
}

/// Whether a name is on the policy's sensitive list, however it is spelled ([`crate::text::key`]).
pub(super) fn sensitive_name(policy: &Policy, name: &str) -> bool {
    !policy.sensitive_categories.is_empty() && policy.is_sensitive(&crate::text::key(name))
}

/// Whether a search query names a sensitive category (`"pregnancy test"` when `pregnancy` is on
/// the list; `"TEST DE GROSSESSE"` when `grossesse` is).
fn sensitive_query(policy: &Policy, query: &str) -> bool {
    if policy.sensitive_categories.is_empty() {
        return false;
    }
    let q = crate::text::key(query);
    policy
        .sensitive_keys()
        .iter()
        .any(|c| !c.is_empty() && q.as_bytes().windows(c.len()).any(|w| w == c.as_bytes()))
}

/// Whether an item the catalog knows is sensitive (flagged, or in a sensitive category).
fn sensitive_item(model: &Model, policy: &Policy, id: &str) -> bool {
    model
        .index_of(id)
        .is_some_and(|i| !usable(model, policy, false, i))
}

/// The catalog index of each line's item (`None`: no id, or one the catalog does not know).
pub(super) fn catalog_indices<'a>(
    model: &'a Model,
    e: &'a Event,
) -> impl Iterator<Item = Option<u32>> + 'a {
    e.lines
        .iter()
        .map(|l| l.item_id.as_deref().and_then(|id| model.index_of(id)))
}

/// Keeps sensitive data out of an event before it reaches the profile. `known` holds the catalog
/// index of each line's item ([`catalog_indices`]; enrichment looks them up once for both).
///
/// Without the `sensitive` proof, lines about sensitive items or categories, list views of a
/// sensitive category and searches naming one are dropped; `Err(Sensitive)` when nothing is left.
/// With it, they are kept, but a sensitive line only feeds signals that withdrawal can erase
/// exactly: the item's own (when the catalog knows it) and the sensitive category's, not brand,
/// price band or an ordinary category; and the event is marked `sensitive`, so that its count
/// can go too.
pub fn screen(
    model: &Model,
    policy: &Policy,
    e: &mut Event,
    known: &[Option<u32>],
    allowed: Option<&Sensitive<'_>>,
) -> core::result::Result<(), Refusal> {
    // An item the catalog makes sensitive (flagged, or in a sensitive category of its own).
    let listed = |known: Option<u32>| known.is_some_and(|i| !usable(model, policy, false, i));
    let line_sensitive = |l: &crate::event::Line, known: Option<u32>| {
        listed(known)
            || l.category
                .as_deref()
                .is_some_and(|c| sensitive_name(policy, c))
    };
    let mut known = known.iter().copied();
    if allowed.is_some() {
        e.sensitive = e.list.as_deref().is_some_and(|l| sensitive_name(policy, l))
            || e.query
                .as_deref()
                .is_some_and(|q| sensitive_query(policy, q));
        for l in &mut e.lines {
            let i = known.next().flatten();
            if line_sensitive(l, i) {
                e.sensitive = true;
                l.sensitive = true;
                l.brand = None;
                l.price = None;
                l.category = l.category.take().filter(|c| sensitive_name(policy, c));
                // The item is kept only when the catalog makes it sensitive, which withdrawal
                // finds it by; one only the event puts in a sensitive category (an unknown item,
                // a catalog 'Mugs' mug the event calls 'Health') leaves its category alone.
                if !listed(i) {
                    l.item_id = None;
                }
            }
        }
        return Ok(());
    }
    let before = (e.lines.len(), e.list.is_some(), e.query.is_some());
    // `retain` visits each line once, in order: `known` stays in step.
    e.lines
        .retain(|l| !line_sensitive(l, known.next().flatten()));
    e.list = e.list.take().filter(|l| !sensitive_name(policy, l));
    e.query = e.query.take().filter(|q| !sensitive_query(policy, q));
    // An event kept under the consent keeps its mark (`sensitive`) when screened again after
    // withdrawal: replayed onto another tab's copy, it is counted as one, and the erasure that
    // follows the merge takes it out of the counts whole, as withdrawal did here.
    let removed = before != (e.lines.len(), e.list.is_some(), e.query.is_some());
    let empty = e.lines.is_empty() && e.list.is_none() && e.query.is_none();
    if removed && empty {
        return Err(Refusal::Sensitive);
    }
    Ok(())
}

impl Session {
    /// Works out the visit's channel from the page's URL and referrer (`document.URL`,
    /// `document.referrer`, read by the wasm layer at open). Only the label is kept.
    pub fn arrive(&mut self, url: &str, referrer: &str) {
        self.arrival = channel::detect(url, referrer);
    }

    /// The channel of this visit: where the shopper arrived from, or, on a page reached from the
    /// shop's own pages, the channel of their latest activity within the visit (with a profile),
    /// else `direct`. `None` outside a page.
    pub fn visit_channel(&self, now: f64) -> Option<String> {
        match self.arrival {
            Arrival::Channel(c) => Some(c.to_owned()),
            Arrival::Unknown => None,
            Arrival::Internal => {
                let latest = match (self.gate.personalization(), &self.profile) {
                    (Some(who), Some(p)) => p
                        .view(&who, now)
                        .latest_channel()
                        .filter(|(_, at)| *at >= now - channel::VISIT_GAP_MS)
                        .map(|(c, _)| c.to_owned()),
                    _ => None,
                };
                Some(latest.unwrap_or_else(|| channel::DIRECT.to_owned()))
            }
        }
    }

    /// Whether the shopper's latest survey answer makes shelves gentler (policy `detractors`).
    pub(super) fn gentle(&self, view: Option<&View<'_>>) -> bool {
        self.policy.detractors == Detractors::Gentle
            && view
                .and_then(View::survey)
                .is_some_and(|(score, _)| Class::of(score) == Class::Detractor)
    }

    /// Screens an event and folds it into the profile; `Err` when it is refused.
    pub(super) fn fold(
        &mut self,
        mut event: Event,
        known: &[Option<u32>],
        t: f64,
        now: f64,
    ) -> core::result::Result<(), Refusal> {
        if self.gate.personalization().is_none() {
            return Err(Refusal::NoConsent);
        }
        let storage = self.gate.storage().is_some();
        if storage {
            self.forget_own(now);
            // The merge buffer is full and its oldest event is not stored yet: dropping it could
            // lose it (another tab's write would overtake it and nothing could re-apply it), so
            // everything is written first, before this event is recorded (a merge of another
            // tab's profile replaces the one in memory). Not while writes fail or are not this
            // tab's to make: a write per event would fail all the same (the oldest goes, as
            // RELIABILITY.md says of an outage).
            let writable = self.last_storage_error.is_none()
                && !(self.newer_profile || self.unread_profile || self.unread_consent);
            if writable
                && self.own.len() >= MAX_OWN
                && self.own.front().is_some_and(|o| o.seq > self.confirmed)
            {
                self.last_write = now;
                self.persist_profile(now);
            }
        }
        if self.gate.personalization().is_none() {
            return Err(Refusal::NoConsent);
        }
        screen(
            &self.model,
            &self.policy,
            &mut event,
            known,
            self.gate.sensitive().as_ref(),
        )?;
        if self.profile.is_none() {
            self.profile = Some(self.begin(now));
        }
        let (Some(who), Some(profile)) = (self.gate.personalization(), self.profile.as_mut())
        else {
            return Err(Refusal::NoConsent);
        };
        if !profile.record(&who, &event, t) {
            return Err(Refusal::Duplicate);
        }
        self.expiry = self.expiry.min(t);
        if storage {
            self.seq += 1;
            // Stored by now, unless storage failed or is not ours to write (a newer vitrine's,
            // or unreadable): then the oldest goes, as documented (RELIABILITY.md).
            if self.own.len() >= MAX_OWN {
                self.own.pop_front();
            }
            self.own.push_back(Own {
                seq: self.seq,
                event,
                t,
                recorded: now,
            });
            self.dirty = true;
        }
        Ok(())
    }

    /// `importHistory(records)`: the shopper's own past orders, under personalization consent.
    pub fn import_history(&mut self, records: &Value, now: f64) -> Result<ImportResult> {
        let parsed = import::parse_records(records)?;
        if self.gate.personalization().is_none() {
            return Ok(ImportResult {
                reason: Some(Refusal::NoConsent.code()),
                ..Default::default()
            });
        }
        let mut out = ImportResult::default();
        let oldest = now - self.policy.retention_ms();
        // In the orders' rank (time, then fingerprint), whatever order the page lists them in (an
        // account page lists the latest first): the profile remembers the latest orders, and one
        // ranked below all it remembers is taken for one already counted (`Profile::record`).
        // (`crate::sort` on (rank, index): std's sort of the records was 4 KB gzip.)
        let rank = |r: &Result<Event, Refusal>| match r {
            Ok(e) => {
                let h = e.order.map_or(0, |o| {
                    crate::profile::order_fingerprint(o, e.items().map(|(id, _)| id))
                });
                (crate::profile::event_time(e.timestamp, now), h)
            }
            Err(_) => (now, 0),
        };
        let mut order: Vec<((f64, u64), usize)> = parsed
            .iter()
            .enumerate()
            .map(|(i, r)| (rank(r), i))
            .collect();
        crate::sort::sort_by(&mut order, &mut |a, b| {
            crate::profile::order_rank(a.0, b.0)
                .then(a.1.cmp(&b.1))
                .is_lt()
        });
        let mut parsed: Vec<Option<_>> = parsed.into_iter().map(Some).collect();
        for (_, index) in order {
            let Some(record) = parsed.get_mut(index).and_then(Option::take) else {
                continue;
            };
            let folded = record.and_then(|mut e| {
                let t = crate::profile::event_time(e.timestamp, now);
                if t < oldest {
                    return Err(Refusal::Expired);
                }
                let mut known = Vec::new();
                self.enrich(&mut e, &mut known);
                self.fold(e, &known, t, now)
            });
            match folded {
                Ok(()) => out.imported += 1,
                Err(Refusal::Duplicate) => out.duplicates += 1,
                Err(r) => out.refused.push(ImportRefusal {
                    index,
                    reason: r.code(),
                }),
            }
        }
        crate::sort::sort_by(&mut out.refused, &mut |a, b| a.index < b.index);
        if out.imported > 0 {
            self.persist_profile(now);
        }
        Ok(out)
    }

    /// `assistance()`: whether to offer the shopper a person, and why. Without personalization
    /// consent nothing is known, so nothing is suggested.
    pub fn assistance(&self, now: f64) -> Assistance {
        match (self.gate.personalization(), &self.profile) {
            (Some(who), Some(p)) => assist::assess(&p.view(&who, now)),
            _ => Assistance::default(),
        }
    }

    /// Erases every sensitive signal from the profile (the sensitive consent was withdrawn), and
    /// from this tab's merge buffer, so a merge cannot bring them back.
    pub(super) fn erase_sensitive(&mut self, now: f64) {
        self.screen_own(f64::INFINITY, now);
        self.erase_sensitive_held(now);
    }

    /// Erases every sensitive signal from the profile held.
    pub(super) fn erase_sensitive_held(&mut self, now: f64) {
        let Some(mut p) = self.profile.take() else {
            return;
        };
        if self.erase_sensitive_in(&mut p, now) > 0 {
            self.dirty = true;
        }
        self.profile = Some(p);
        // What ranking kept may name what was just erased.
        self.scratch.forget();
    }

    /// Screens the events of this tab's merge buffer recorded before `before` as without the
    /// `sensitive` consent (and those recorded later than `now`: before the clock was put back,
    /// they cannot be placed after it).
    pub(super) fn screen_own(&mut self, before: f64, now: f64) {
        let (model, policy) = (&self.model, &self.policy);
        self.own.retain_mut(|o| {
            if o.recorded >= before && o.recorded <= now {
                return true;
            }
            let known: Vec<_> = catalog_indices(model, &o.event).collect();
            screen(model, policy, &mut o.event, &known, None).is_ok()
        });
    }

    /// Erases every sensitive signal of `p` (this tab's profile, or a stored copy), and notes
    /// it in the history; returns how many went.
    pub(super) fn erase_sensitive_in(&mut self, p: &mut Profile, now: f64) -> usize {
        let (model, policy) = (&self.model, &self.policy);
        let Some(who) = self.gate.personalization() else {
            return 0;
        };
        let erased = p.erase_sensitive(&who, &|id| sensitive_item(model, policy, id), &|name| {
            sensitive_name(policy, name) || sensitive_query(policy, name)
        });
        if erased > 0 {
            self.history.push(Entry::Erase {
                at: now,
                what: "sensitive",
            });
        }
        erased
    }

    /// `channel()`: the channel of this visit.
    pub fn channel(&self, now: f64) -> Option<String> {
        self.visit_channel(now)
    }

    /// Accepted, in `track`'s terms.
    pub(super) fn accepted() -> TrackResult {
        TrackResult {
            accepted: true,
            reason: None,
        }
    }
}
