//! Consent decisions in a session: which one is in force (see [`crate::consent::precedence`]),
//! and what each change loads, keeps or erases.

use super::Session;
use crate::audit::Entry;
use crate::consent::precedence::effective;
use crate::consent::{ConsentInput, ConsentState, Decision, Source, TcfSignal, Withdrawn};
use crate::error::Result;
use crate::profile::Profile;
use crate::store::{Clock, Load};

/// How far ahead of now an erasure may be dated ([`Session::stamp_erasures`]): the longest a
/// clock may have been put back and still not date an erasure before what it erased.
pub(super) const ERASURE_LEAD_MS: f64 = 3_600_000.0;
use crate::value::Value;

/// The TCF events vitrine acts on (`__tcfapi` `addEventListener` statuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcfEvent {
    /// `tcloaded`: the CMP loaded a TC string it had stored; the decision dates from the string's
    /// `lastUpdated` (P7, P8).
    Loaded,
    /// `useractioncomplete`: the shopper just decided in the CMP (P6).
    UserAction,
}

impl Session {
    /// The shopper's stored decision (P2), read at open; a damaged record is reset and reported.
    pub(super) fn stored_decision(&mut self, now: f64) -> Option<Decision> {
        let found = self.store.load_consent();
        if let Load::Found((_, known)) = &found {
            self.erasures.join(*known);
        }
        match found.map(|(d, _)| d) {
            Load::Found(d) if self.policy.consent_expired(d.at, now) => {
                // Asked again: no decision until the shopper answers, which replaces the record.
                // Until then storage is left as it is (the record, and the profile it allowed,
                // which the answer finds again within its retention), as for a record this tab
                // cannot read; a refusal kept by `rememberRefusal` is asked again too.
                self.consent_stored = true;
                self.record_stored = true;
                self.note_expired(now);
                // …within its retention, as every page that opens keeps it: what has grown older
                // is deleted (the shopper may never answer), without reading it for anything else.
                let cutoff = now - self.policy.retention_ms();
                let hl = self.policy.half_life_ms();
                match self.store.prune_expiring(&self.gate.expiring(), cutoff, hl) {
                    Load::Found(0) | Load::Missing | Load::Newer => {}
                    Load::Found(signals) => self.history.push(Entry::Prune { at: now, signals }),
                    Load::Corrupt(reason) => {
                        let key = self.store.profile_key();
                        self.reset_key(&key, reason, now);
                    }
                    Load::Failed(e) => self.note_storage(Err(e), now),
                }
                None
            }
            Load::Found(d) => {
                // A decision dated later than now, or before 2001 (made while the clock was
                // wrong), is dated now, and written so: it ages from now on, or it would never
                // (or not until the clock caught up with it).
                use crate::profile::true_time;
                let wrong = true_time(now) && d.at.is_some_and(|t| t > now || !true_time(t));
                self.consent_stored = !wrong;
                self.record_stored = true;
                self.stored_source = d.source;
                Some(Decision {
                    source: Source::Stored,
                    at: if wrong {
                        Some(now)
                    } else {
                        d.at.map(|t| t.min(now))
                    },
                    ..d
                })
            }
            Load::Missing => None,
            Load::Corrupt(reason) => {
                let key = self.store.consent_key();
                self.reset_key(&key, reason, now);
                None
            }
            Load::Newer => {
                self.unread_consent = true;
                let key = self.store.consent_key();
                self.note_newer(key, now);
                None
            }
            Load::Failed(e) => {
                self.unread_consent = true;
                self.note_storage(Err(e), now);
                None
            }
        }
    }

    /// Follows the erasures the stored consent record knows of, as another tab's record
    /// ([`Session::follow_erasures`]), before a decision made here replaces the record's (a
    /// busy tab's yes would otherwise write its copy of before back, and the record's erasure
    /// times over); returns the record's decision.
    pub(super) fn follow_stored_erasures(&mut self, now: f64) -> Option<Decision> {
        match self.store.load_consent() {
            Load::Found((d, known)) => {
                self.follow_erasures(known, f64::INFINITY, now);
                Some(d)
            }
            _ => None,
        }
    }

    /// Notes the erasures a decision made here makes (`withdrawn`), at a time later than
    /// anything this tab knows of — the profile it holds and the stored one began, the writers
    /// last wrote, its own recent events, the erasures before — but no more than
    /// [`ERASURE_LEAD_MS`] ahead of now: a clock put back since would otherwise date the erasure
    /// before what it erased, and a record written while the clock ran ahead would date it so
    /// far ahead that every profile begun since looked older.
    fn stamp_erasures(&mut self, withdrawn: Withdrawn, now: f64) {
        if !(withdrawn.personalization || withdrawn.sensitive) {
            return;
        }
        let held = match self.profile {
            Some(_) => self.born,
            None => 0.0,
        };
        let known = [
            held,
            self.store.profile_times(),
            self.erasures.profile,
            self.erasures.sensitive,
        ];
        let latest = self
            .clock
            .entries()
            .iter()
            .map(|e| e.at)
            .chain(self.own.iter().map(|o| o.recorded))
            .fold(known.into_iter().fold(0.0, f64::max), f64::max);
        let at = now.max((latest + 1.0).min(now + ERASURE_LEAD_MS));
        if withdrawn.personalization {
            self.erasures.profile = self.erasures.profile.max(at);
        } else if withdrawn.sensitive {
            self.erasures.sensitive = self.erasures.sensitive.max(at);
        }
    }

    /// Notes that the decision stored is older than `policy.consentMaxAgeDays`, and leaves storage
    /// as it is until the shopper answers (as for a record this tab cannot read).
    fn note_expired(&mut self, now: f64) {
        self.unread_consent = true;
        let mut reason = self.store.consent_key();
        reason.push_str(
            " was decided more than policy.consentMaxAgeDays ago: asked again, the records kept until the answer, within their retention",
        );
        self.history.push(Entry::Ignored {
            at: now,
            source: "stored",
            reason,
        });
    }

    /// Notes that a stored record of a newer vitrine is left as it is.
    pub(super) fn note_newer(&mut self, key: String, now: f64) {
        let mut reason = key;
        reason.push_str(" was written by a newer vitrine: left as it is");
        self.history.push(Entry::Ignored {
            at: now,
            source: "stored",
            reason,
        });
    }

    /// Puts `decision` in force: works out the effective consent (GPC) and makes memory and
    /// storage agree with it.
    pub(super) fn apply(&mut self, decision: Decision, now: f64) {
        if decision.source != Source::Stored {
            self.taken_over = false;
        }
        if decision.source != Source::Default {
            self.vanished_at = f64::NEG_INFINITY;
        }
        self.decision = decision;
        let state = effective(&decision, self.gpc, self.policy.gpc);
        self.history.push(Entry::Consent {
            at: now,
            personalization: state.personalization,
            storage: state.storage,
            sensitive: state.sensitive,
            source: state.source.as_str(),
        });
        let withdrawn = self.gate.set(state);
        // A decision made here erases what the one before it allowed, here, in storage and,
        // through the records, in every tab (a copy of before is told apart by the time:
        // `store::lineage`): any that leaves personalization or `sensitive` denied (what came
        // before may be another tab's yes not heard of yet, an answer to a decision asked
        // again, a profile kept in memory elsewhere; a profile begun after it holds nothing it
        // covered). One taken over from storage, or none at all, brings its record's erasures
        // instead.
        if !matches!(decision.source, Source::Stored | Source::Default) {
            let erased = Withdrawn {
                personalization: self.gate.personalization().is_none(),
                sensitive: self.gate.sensitive().is_none(),
                ..withdrawn
            };
            self.stamp_erasures(erased, now);
        }
        if withdrawn.sensitive && !withdrawn.personalization {
            self.erase_sensitive(now);
        }
        if withdrawn.personalization {
            self.scratch.forget();
        }
        // Erasures are noted when there was something to erase (after `erase()`, nothing is).
        if withdrawn.personalization && self.profile.take().is_some() {
            self.history.push(Entry::Erase {
                at: now,
                what: "profile",
            });
        }
        if withdrawn.storage && !self.unread_consent && !self.store.own_keys().is_empty() {
            self.history.push(Entry::Erase {
                at: now,
                what: "storage",
            });
        }
        if withdrawn.personalization || withdrawn.storage {
            self.own.clear();
            self.clock = Clock::default();
        }
        if self.gate.personalization().is_some() && self.profile.is_none() {
            self.profile = Some(self.load_or_new(now));
            // What a stored profile holds under a `sensitive` consent the decision in force does
            // not give (withdrawn before this page, or a name on today's sensitive list) goes.
            if self.gate.sensitive().is_none() {
                self.erase_sensitive(now);
            }
        }
        self.sync_storage(now);
    }

    /// A new profile, begun now, or at the last erasure this tab knows of when the clock was
    /// put back since.
    pub(super) fn begin(&mut self, now: f64) -> Profile {
        self.born = now.max(self.erasures.profile);
        Profile::new(self.policy.half_life_ms())
    }

    /// The stored profile when both proofs allow reading it, else a new one; pruned to the
    /// retention period either way.
    fn load_or_new(&mut self, now: f64) -> Profile {
        let hl = self.policy.half_life_ms();
        let (loaded, revision) = match self.gate.persistent_profile() {
            Some((who, persist)) => self.store.load_profile(&who, &persist, hl),
            None => (Load::Missing, None),
        };
        // Whether what is stored must be written again (replaced, or screened).
        let mut rewrite = false;
        let mut profile = match loaded {
            Load::Found((mut p, clock, lineage)) if lineage.after(&self.erasures) => {
                self.revision = revision;
                self.clock = clock;
                self.born = lineage.born;
                if lineage.sensitive_stale(&self.erasures) {
                    rewrite = self.erase_sensitive_in(&mut p, now) > 0;
                }
                self.erasures.join(lineage.erasures);
                p
            }
            Load::Found(_) => {
                // Written from a copy made before an erasure this tab knows of: replaced.
                rewrite = true;
                self.revision = revision;
                self.note_stale_copy(now);
                self.begin(now)
            }
            Load::Missing => self.begin(now),
            Load::Corrupt(reason) => {
                let key = self.store.profile_key();
                self.reset_key(&key, reason, now);
                self.begin(now)
            }
            Load::Newer => {
                self.saw_newer_profile(now);
                self.begin(now)
            }
            Load::Failed(e) => {
                self.unread_profile = true;
                self.note_storage(Err(e), now);
                self.begin(now)
            }
        };
        self.dirty = self.prune(&mut profile, now) || rewrite;
        profile
    }

    /// Brings times later than now back to now (the device's clock was put back since they were
    /// kept), then deletes signals older than the policy's retention period; says whether
    /// anything changed.
    pub(super) fn prune(&mut self, profile: &mut Profile, now: f64) -> bool {
        let Some(who) = self.gate.personalization() else {
            return false;
        };
        let ahead = profile.clamp_future(&who, now);
        if let Some(ahead) = ahead {
            self.history.push(Entry::Clock { at: now, ahead });
        }
        let pruned = profile.prune(&who, now - self.policy.retention_ms());
        self.expiry = profile.expiry().unwrap_or(f64::INFINITY);
        if pruned > 0 {
            self.history.push(Entry::Prune {
                at: now,
                signals: pruned,
            });
        }
        ahead.is_some() || pruned > 0
    }

    /// Deletes what has grown older than the retention period since the profile was read or
    /// last pruned, in memory and storage: a page left open for days holds no more than a page
    /// opened now would read; and brings the profile's times back to now when the clock was put
    /// back while the page was open; and asks again for a decision of the site's banner that has
    /// stood longer than `policy.consentMaxAgeDays` (a page open since). Costs a look at whether
    /// the consent record is still stored and three comparisons until then. First of all,
    /// records the browser cleared are taken for an erasure
    /// ([`Session::check_vanished`]): what follows may write, and nothing the browser deleted is
    /// written back (a decision past its age wrote the profile back).
    pub fn tend(&mut self, now: f64) {
        self.check_vanished(now);
        self.keep(now);
    }

    /// [`Session::tend`] after the look at storage, or without it (`track` within the write
    /// interval: a look is a `localStorage.getItem`, a fifth of an event's cost). A call that
    /// skips it sets `unlooked`, and the next write looks first ([`Session::persist_profile`]).
    pub(super) fn keep(&mut self, now: f64) {
        let banner = matches!(self.decision.source, Source::Explicit | Source::Stored);
        if banner && self.policy.consent_expired(self.decision.at, now) {
            // What waits is stored under the decision that allowed it; the profile then stays
            // in storage for the answer (nothing was withdrawn), and leaves memory as it would
            // be absent from a page opened now.
            if self.unlooked {
                return self.tend(now);
            }
            // Within its retention, as a page opened now keeps the stored one: nothing past it
            // is written back (another tab may have just deleted it), nor an empty profile.
            if let Some(mut profile) = self.profile.take() {
                self.prune(&mut profile, now);
                let blank = profile.is_blank();
                self.profile = Some(profile);
                if self.gate.storage().is_some() && !blank {
                    self.persist_profile(now);
                }
            }
            self.note_expired(now);
            self.profile = None;
            self.scratch.forget();
            self.apply(Decision::default(), now);
        }
        let ahead = self.profile.as_ref().is_some_and(|p| p.ahead_of(now));
        if !ahead && self.expiry >= now - self.policy.retention_ms() {
            return;
        }
        let Some(mut profile) = self.profile.take() else {
            return;
        };
        let changed = self.prune(&mut profile, now);
        self.profile = Some(profile);
        if changed {
            self.dirty = true;
            self.scratch.forget();
            if self.gate.storage().is_some() {
                self.persist_profile(now);
            }
        }
    }

    /// `setConsent(consent)`: a decision made now (P3–P5); returns the state in force.
    pub fn set_consent(&mut self, v: &Value, now: f64, gpc: bool) -> Result<ConsentState> {
        let input = ConsentInput::parse("setConsent", v, self.policy.tcf_purposes)?;
        self.check_vanished(now);
        self.follow_stored_erasures(now);
        self.gpc = gpc;
        self.unread_consent = false;
        self.apply(input.decide(now, gpc), now);
        Ok(self.consent())
    }

    /// A TC string from the CMP (`listenTcf`): applied as P6/P7, ignored as P8. A malformed
    /// string changes nothing (P16); it is noted in the history and returned as the error.
    pub fn tcf_event(
        &mut self,
        tc_string: &str,
        event: TcfEvent,
        now: f64,
        gpc: bool,
    ) -> Result<ConsentState> {
        self.gpc = gpc;
        // What the browser cleared is an erasure before the CMP's decision applies (as for
        // `setConsent`): the profile it would keep is the one deleted.
        self.check_vanished(now);
        // A newer decision another tab stored, whose `storage` event this tab has not run yet
        // (busy), is taken over first: a string older than it is then ignored here as in a tab
        // that had heard of it (its refusal would otherwise be written over the newer yes, and
        // its erasure followed by every tab).
        if self
            .follow_stored_erasures(now)
            .is_some_and(|stored| stored.at > self.decision.at)
        {
            self.storage_changed(now);
        }
        let signal = match TcfSignal::decode(tc_string, self.policy.tcf_purposes) {
            Ok(s) => s,
            Err(e) => {
                self.note_ignored("tcf", e.to_string(), now);
                return Err(e);
            }
        };
        let at = match event {
            TcfEvent::UserAction => now,
            TcfEvent::Loaded => signal.last_updated.min(now),
        };
        // A `useractioncomplete` is the shopper's answer now (P6): it replaces the decision in
        // force even when that one is dated later (made while the clock ran ahead).
        let answered = event == TcfEvent::UserAction;
        // A stored decision a TC string made is the CMP's to make again from a string of its day
        // or later: the string is read under this page's `tcfPurposes` (a site that changed
        // it), and its `lastUpdated` is the day's. An older string is a CMP that lost the
        // decision: it may take consent away (a yes read under another `tcfPurposes`), never
        // give it.
        let day =
            |t: f64| (t / crate::profile::decay::DAY_MS).floor() * crate::profile::decay::DAY_MS;
        let d = &self.decision;
        let gives =
            (signal.personalization && !d.personalization) || (signal.storage && !d.storage);
        let takes =
            (!signal.personalization && d.personalization) || (!signal.storage && d.storage);
        let cmp_decides = d.source == Source::Stored
            && !self.taken_over
            && self.stored_source == Source::Tcf
            && (d.at.is_none_or(|t| at >= day(t)) || (takes && !gives));
        // The records vanished under this page (another tab's withdrawal removed them, or a
        // clearing): the default decision left has no date, yet a string the CMP loaded before
        // then is older than that withdrawal, as it is in a tab that reads the record the
        // withdrawal left (`rememberRefusal`).
        let vanished = event == TcfEvent::Loaded
            && self.decision.source == Source::Default
            && at < self.vanished_at;
        if vanished || (!answered && !cmp_decides && !self.decision.is_superseded_by(at)) {
            self.note_ignored(
                "tcf",
                "tcloaded: the TC string is older than the decision in force".to_owned(),
                now,
            );
            return Ok(self.consent());
        }
        // Re-read from a string older than the stored decision, it is dated now: other tabs,
        // which hold that decision, take over only a later one.
        let at = if self.decision.is_superseded_by(at) {
            at
        } else {
            now
        };
        self.unread_consent = false;
        self.apply(
            Decision {
                personalization: signal.personalization,
                storage: signal.storage,
                sensitive: false,
                source: Source::Tcf,
                at: Some(at),
                over_gpc: false,
            },
            now,
        );
        Ok(self.consent())
    }

    /// Notes a consent signal that changed nothing (e.g. TCF says GDPR does not apply).
    pub fn note_ignored(&mut self, source: &'static str, reason: String, now: f64) {
        self.history.push(Entry::Ignored {
            at: now,
            source,
            reason,
        });
    }

    /// The consent in force.
    pub fn consent(&self) -> ConsentState {
        self.gate.state().clone()
    }

    /// What [`Session::erase`] deletes from storage, in `other`: the records an instance kept in
    /// memory did not write (an earlier page's, in `localStorage`; `None` where there is none).
    /// A refusal this instance keeps (`policy.rememberRefusal`) keeps a stored refusal's record
    /// too; a failure, or a storage that cannot be reached, is noted.
    pub fn erase_other(
        &mut self,
        other: core::result::Result<
            Option<Box<dyn crate::store::Backend>>,
            crate::store::StoreError,
        >,
        now: f64,
    ) {
        let mut other = match other {
            Ok(Some(backend)) => crate::store::Store::new(backend, self.store.namespace()),
            Ok(None) => return,
            Err(e) => return self.note_storage(Err(e), now),
        };
        let keep = self.policy.remember_refusal
            && self.decision.is_refusal()
            && matches!(other.load_consent(), Load::Found((d, _)) if d.is_refusal());
        let consent = other.consent_key();
        let removed = other.erase_keeping(keep.then_some(consent.as_str()));
        if removed.is_err() {
            self.note_storage(removed, now);
        }
    }

    /// `erase()`: deletes the profile from memory and every key of the namespace from storage,
    /// and forgets the decision (P15), so nothing is collected again until the shopper decides
    /// anew. With `rememberRefusal`, a refusal in force is kept and its record rewritten.
    pub fn erase(&mut self, now: f64) {
        let all = Withdrawn {
            personalization: true,
            ..Withdrawn::default()
        };
        self.stamp_erasures(all, now);
        self.drop_profile();
        let r = self.store.erase_all();
        self.consent_stored = false;
        self.record_stored = false;
        self.unread_consent = false;
        self.newer_profile = false;
        self.unread_profile = false;
        self.note_storage(r, now);
        self.history.push(Entry::Erase {
            at: now,
            what: "all",
        });
        let keep = self.policy.remember_refusal && self.decision.is_refusal();
        let decision = if keep {
            self.decision
        } else {
            Decision::default()
        };
        self.apply(decision, now);
    }
}
