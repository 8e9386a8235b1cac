//! Storage follows consent, and tabs follow each other.
//!
//! Every tab of a site holds the profile in memory and writes it whole, so two tabs writing could
//! lose each other's updates. They do not, because no tab overwrites a profile it has not seen:
//! before each write it compares the stored value's revision (its CRC-32) with the one it last
//! wrote or read, and when another tab wrote in between, it takes that profile and re-applies the
//! events of its own that the stored profile lacks. The stored [`Clock`] says which those are:
//! browsers propagate `localStorage` writes between tabs asynchronously, so a tab can write from
//! a stale copy, and its write may lack events another tab had already stored. Each tab therefore
//! keeps its own recent events (at most [`MAX_OWN`](super::MAX_OWN), each for
//! [`MERGE_WINDOW_MS`](super::MERGE_WINDOW_MS) once stored) and re-applies them when a stored
//! profile lacks them, so the tabs converge on one profile holding every event once.
//!
//! The wasm layer calls [`Session::storage_changed`] on the `storage` event (another tab wrote or
//! removed vitrine's keys): it adopts a newer decision (P9), treats removed records as a
//! withdrawal (P10), and merges the other tab's profile.

use super::{Session, MERGE_WINDOW_MS};
use crate::audit::Entry;
use crate::consent::{Decision, Source};
use crate::store::{Clock, Erasures, Lineage, Load, StoreError};

impl Session {
    /// Writes or removes stored records so storage holds exactly what consent allows.
    pub(super) fn sync_storage(&mut self, now: f64) {
        if self.gate.persistent_profile().is_some() && self.profile.is_some() {
            self.persist_profile(now);
        } else if !self.unread_consent {
            // A stored profile that no decision allows (its consent record is missing or was
            // damaged and reset) goes, and the history says so.
            let stored = self.store.present(&self.store.profile_key()) == Some(true);
            let r = self.store.remove_profile();
            self.revision = None;
            if stored && r.is_ok() {
                if self.decision.source == Source::Default {
                    self.history.push(Entry::Reset {
                        at: now,
                        key: self.store.profile_key(),
                        reason: "no consent decision allows it (the record is missing or damaged)",
                    });
                } else if self.history.last_is_consent() {
                    // A decision that erases at `open` (read from storage or given then) has no
                    // earlier state to withdraw from; its erasure is noted here.
                    self.history.push(Entry::Erase {
                        at: now,
                        what: "profile",
                    });
                }
            }
            self.note_storage(r, now);
        }
        let state = self.gate.state();
        let r = if self.unread_consent {
            // A record this tab cannot read (a newer vitrine's, or a read that failed) is left
            // as it is until the shopper decides here.
            Ok(())
        } else if state.storage || (self.policy.remember_refusal && self.decision.is_refusal()) {
            if self.consent_stored && self.decision.source == Source::Stored {
                // The decision was read from the record that is stored: writing it again would
                // change nothing but wake every other tab with a `storage` event.
                Ok(())
            } else {
                self.save_decision()
            }
        } else {
            let r = self.store.remove_consent();
            self.consent_stored = false;
            self.record_stored &= r.is_err();
            r
        };
        self.note_storage(r, now);
    }

    /// Another tab's newer decision arrives, and the profile record this tab wrote is gone: the
    /// browser cleared the site's data before that tab decided anew (no `storage` event tells
    /// of a clearing). What this tab holds of the old profile goes with it, or the merge that
    /// follows would write it into the new decision's storage.
    fn drop_vanished_profile(&mut self, now: f64) {
        if self.revision.is_some() && self.store.present(&self.store.profile_key()) == Some(false) {
            self.history.push(Entry::Cleared { at: now });
            self.drop_profile();
        }
    }

    /// Forgets the profile held and everything kept to write or merge it (`erase()`, or its
    /// record found gone).
    pub(super) fn drop_profile(&mut self) {
        self.profile = None;
        self.scratch.forget();
        self.own.clear();
        self.clock = Clock::default();
        self.revision = None;
        self.dirty = false;
        self.pending = false;
    }

    /// Writes the decision in force. A write that fails leaves the record that was stored, if
    /// any, which [`Session::check_vanished`] still looks for.
    fn save_decision(&mut self) -> Result<(), StoreError> {
        let mut d = self.decision;
        if d.source == Source::Stored {
            d.source = self.stored_source;
        }
        let r = self.store.save_consent(&d, &self.erasures);
        self.consent_stored = r.is_ok();
        self.record_stored |= r.is_ok();
        r
    }

    /// vitrine's records vanished from storage although this tab wrote them and no `storage`
    /// event said another tab removed them: the browser cleared the site's data (the shopper
    /// did, or Safari's seven-day limit on script-written storage), the page's own code called
    /// `localStorage.clear()`, or another tab erased them and its event has not arrived yet.
    /// Handled like another tab's erasure (P10): both purposes denied and the profile dropped,
    /// so nothing the browser deleted is written back.
    pub(super) fn check_vanished(&mut self, now: f64) {
        self.unlooked = false;
        // The consent record when one is stored; else the profile this tab wrote (its decision's
        // write failed), or there is nothing to look for.
        let key = if self.record_stored {
            self.store.consent_key()
        } else if self.revision.is_some() {
            self.store.profile_key()
        } else {
            return;
        };
        if self.gate.storage().is_some() && self.store.present(&key) == Some(false) {
            self.history.push(Entry::Cleared { at: now });
            self.consent_stored = false;
            self.record_stored = false;
            self.revision = None;
            self.apply(Decision::default(), now);
            self.vanished_at = now;
        }
    }

    /// Notes, once, that the stored profile is a newer vitrine's.
    pub(super) fn saw_newer_profile(&mut self, now: f64) {
        if !self.newer_profile {
            self.newer_profile = true;
            let key = self.store.profile_key();
            self.note_newer(key, now);
        }
    }

    /// Writes the profile, after merging what another tab wrote since this tab's last write.
    /// Nothing is written when storage already holds exactly what memory holds.
    pub(super) fn persist_profile(&mut self, now: f64) {
        if self.awaiting_model {
            return;
        }
        if self.unlooked {
            self.check_vanished(now);
        }
        self.merge_stored(now);
        if self.newer_profile
            || self.unread_profile
            || self.unread_consent
            || (!self.dirty && self.revision.is_some())
        {
            return;
        }
        if self.seq > 0 {
            self.clock.advance(self.writer, self.seq, now);
        }
        let lineage = Lineage {
            born: self.born,
            erasures: self.erasures,
        };
        let result = match (self.gate.persistent_profile(), &self.profile) {
            (Some((who, persist)), Some(p)) => {
                self.store
                    .save_profile(&who, &persist, p, &self.clock, &lineage)
            }
            _ => return,
        };
        match result {
            Ok(revision) => {
                self.revision = Some(revision);
                self.dirty = false;
                self.confirmed = self.seq;
                self.forget_own(now);
                // Storage works again after a failure (quota freed): the decision goes too, or
                // the next page would find a profile without the consent that allows it.
                let r = if self.consent_stored {
                    Ok(())
                } else {
                    self.save_decision()
                };
                self.note_storage(r, now);
            }
            Err(e) => self.note_storage(Err(e), now),
        }
    }

    /// Drops own events a stored profile holds once they are older than the merge window.
    pub(super) fn forget_own(&mut self, now: f64) {
        forget_stored(&mut self.own, self.confirmed, now);
    }

    /// When the stored profile is not the one this tab last wrote or read, takes it and
    /// re-applies the own events it lacks. `Some(true)` when some were re-applied (the stored
    /// profile then lacks them until this tab writes).
    fn merge_stored(&mut self, now: f64) -> Option<bool> {
        let hl = self.policy.half_life_ms();
        let (who, persist) = self.gate.persistent_profile()?;
        // Most writes follow this tab's own: comparing revisions first spares decoding the
        // stored profile (a full one is ~75 KB to base64-decode, checksum and parse per event).
        if let Ok(current) = self.store.profile_revision() {
            self.unread_profile = false;
            if current.is_none() || current == self.revision {
                // The record this tab wrote is gone while its decision's is not (a clearing is
                // looked for before any write): page code removed it, and it is written again —
                // also by a tab that only decides anew, so that another tab finding the record
                // gone under that decision can take it for a clearing.
                if current.is_none() && self.revision.is_some() {
                    self.dirty = true;
                }
                self.newer_profile = false;
                return None;
            }
        }
        let (load, revision) = self.store.load_profile(&who, &persist, hl);
        self.unread_profile = matches!(load, Load::Failed(_));
        if matches!(load, Load::Newer) {
            self.saw_newer_profile(now);
            return None;
        }
        self.newer_profile = false;
        if revision.is_none() || revision == self.revision {
            return None;
        }
        match load {
            Load::Found((mut stored, clock, lineage)) => {
                // Only the events a stale copy could lack are re-applied: the ones stored within
                // the merge window, and those not stored yet.
                forget_stored(&mut self.own, self.confirmed, now);
                // What this tab holds from before an erasure the copy knows of goes first, but
                // for its events recorded since that copy's profile began (under the new yes).
                self.follow_erasures(lineage.erasures, lineage.born, now);
                if !lineage.after(&self.erasures) {
                    // Written by a tab that had not seen an erasure this tab knows of: not
                    // taken, and this tab's profile is written over it.
                    self.revision = revision;
                    self.note_stale_copy(now);
                    if self.profile.is_none() {
                        let mut fresh = self.begin(now);
                        let who = self.gate.personalization()?;
                        for o in &self.own {
                            fresh.record(&who, &o.event, o.t);
                        }
                        self.profile = Some(fresh);
                    }
                    self.dirty = true;
                    return Some(true);
                }
                let mut screened = false;
                if lineage.sensitive_stale(&self.erasures) {
                    // …and one from before a `sensitive` withdrawal this tab knows of is
                    // screened before this tab's events of since are re-applied (and written
                    // over: storage holds it as it was).
                    screened = self.erase_sensitive_in(&mut stored, now) > 0;
                }
                self.born = match self.profile {
                    Some(_) => self.born.min(lineage.born),
                    None => lineage.born,
                };
                let who = self.gate.personalization()?;
                let seen = clock.seen(self.writer);
                let mut replayed = false;
                for o in self.own.iter().filter(|o| o.seq > seen) {
                    stored.record(&who, &o.event, o.t);
                    replayed = true;
                }
                self.clock = clock;
                self.confirmed = self.confirmed.max(seen);
                self.revision = revision;
                self.history.push(Entry::Sync {
                    at: now,
                    what: "profile",
                });
                let pruned = self.prune(&mut stored, now);
                self.dirty = replayed || pruned || screened;
                self.profile = Some(stored);
                self.forget_own(now);
                // A copy another tab wrote before it saw the `sensitive` consent go (or under
                // one this tab does not have) may hold what that consent covered.
                if self.gate.sensitive().is_none() {
                    self.erase_sensitive(now);
                }
                Some(replayed)
            }
            Load::Corrupt(reason) => {
                let key = self.store.profile_key();
                self.reset_key(&key, reason, now);
                self.revision = None;
                None
            }
            Load::Missing | Load::Newer | Load::Failed(_) => None,
        }
    }

    /// Another tab's record knows of erasures this tab missed (it was busy while the shopper
    /// withdrew there, and perhaps gave the consent again): the profile this tab holds, when it
    /// began before the profile's erasure, goes with the events it recorded before `since`
    /// (when the profile of the new yes began; `INFINITY`: not known), and what it holds from
    /// before the `sensitive` erasure is screened. See `store::lineage`.
    pub(super) fn follow_erasures(&mut self, known: Erasures, since: f64, now: f64) {
        if self.profile.is_some() && self.born < known.profile {
            // An event recorded later than now was recorded before the clock was put back:
            // it cannot be placed after the erasure.
            let since = since.max(known.profile);
            self.own
                .retain(|o| o.recorded >= since && o.recorded <= now);
            self.profile = None;
            self.scratch.forget();
            self.history.push(Entry::Erase {
                at: now,
                what: "profile",
            });
        }
        // What was recorded before a `sensitive` erasure goes; a profile begun since holds
        // nothing from before it (a yes given where it was not known of).
        if known.sensitive > self.erasures.sensitive {
            self.screen_own(known.sensitive, now);
            if self.profile.is_some() && self.born < known.sensitive {
                self.erase_sensitive_held(now);
            }
        }
        self.erasures.join(known);
    }

    /// Notes that the stored profile, a copy made before an erasure this tab knows of, is
    /// replaced.
    pub(super) fn note_stale_copy(&mut self, now: f64) {
        self.history.push(Entry::Reset {
            at: now,
            key: self.store.profile_key(),
            reason: "written from a copy made before an erasure (a tab busy while it happened)",
        });
    }

    /// Another tab changed vitrine's storage (the `storage` event): take over its newer decision
    /// (P9), follow its withdrawal or erasure (P10), and merge its profile.
    pub fn storage_changed(&mut self, now: f64) {
        let found = self.store.load_consent();
        if let Load::Found((_, known)) = &found {
            self.follow_erasures(*known, f64::INFINITY, now);
        }
        match found.map(|(d, _)| d) {
            // Another tab's decision older than `consentMaxAgeDays` (a CMP's of long ago) stands
            // no more here than at open.
            Load::Found(d) if self.policy.consent_expired(d.at, now) => {}
            Load::Found(d) => {
                let source = d.source;
                let d = Decision {
                    source: Source::Stored,
                    at: d.at.map(|t| t.min(now)),
                    ..d
                };
                // The record reads again (another tab of this version decided over a newer
                // vitrine's record): this tab writes again, the latest decision winning.
                self.unread_consent = false;
                // Or, when the decision in force is dated later than now (made while the clock
                // ran ahead: when, on a right clock, is unknown), a different one stored (the
                // re-audit: an idle tab kept personalizing under another tab's later refusal).
                // The same millisecond as the decision in force, and different, when that one
                // was stored or read from storage: it was written after it (one instance opening
                // with a refusal in the same task as another with a yes; the fourth re-audit).
                // One made here whose write failed may be the later (the fifth).
                let mine = &self.decision;
                let differs = (d.personalization, d.storage, d.sensitive)
                    != (mine.personalization, mine.storage, mine.sensitive);
                let stored = self.consent_stored || mine.source == Source::Stored;
                let tie = d.at == mine.at && differs && stored;
                let unsure = mine.at.is_some_and(|t| t > now) && differs;
                if d.at > mine.at || tie || unsure {
                    // Under a decision that stores the profile (a withdrawal in another tab
                    // removes the record, and is followed as one).
                    if d.personalization && d.storage {
                        self.drop_vanished_profile(now);
                    }
                    self.history.push(Entry::Sync {
                        at: now,
                        what: "consent",
                    });
                    // Taken over from the record stored, which need not be written again.
                    self.taken_over = true;
                    self.consent_stored = true;
                    self.record_stored = true;
                    self.stored_source = source;
                    self.apply(d, now);
                }
            }
            Load::Missing if self.record_stored => {
                self.history.push(Entry::Sync {
                    at: now,
                    what: "consent",
                });
                self.consent_stored = false;
                self.record_stored = false;
                self.unread_consent = false;
                self.apply(Decision::default(), now);
                self.vanished_at = now;
            }
            Load::Missing => self.unread_consent = false,
            Load::Corrupt(reason) => {
                let key = self.store.consent_key();
                self.reset_key(&key, reason, now);
            }
            // A tab running a later deploy decided: what it decided is unknown here, so this tab
            // keeps the decision in force and its profile, in memory only, and writes nothing
            // over the newer vitrine's records until the shopper decides here (RELIABILITY.md).
            // Were the newer decision a withdrawal, nothing of this tab would reach storage;
            // its removal of the records is followed as any tab's (P10).
            Load::Newer if !self.unread_consent => {
                self.unread_consent = true;
                let key = self.store.consent_key();
                self.note_newer(key, now);
            }
            Load::Newer => {}
            Load::Failed(e) => self.note_storage(Err(e), now),
        }
        if self.merge_stored(now).is_some() && self.dirty {
            // The stored profile lacks some of this tab's events, or held expired signals.
            self.persist_profile(now);
        }
    }

    /// Removes a damaged record and says so in the history.
    pub(super) fn reset_key(&mut self, key: &str, reason: &'static str, now: f64) {
        let removed = if key == self.store.profile_key() {
            self.store.remove_profile()
        } else {
            self.store.remove_consent()
        };
        self.note_storage(removed, now);
        self.history.push(Entry::Reset {
            at: now,
            key: key.to_owned(),
            reason,
        });
    }

    pub(super) fn note_storage(&mut self, r: Result<(), StoreError>, now: f64) {
        match r {
            Ok(()) => self.last_storage_error = None,
            Err(e) => {
                if self.last_storage_error.as_deref() != Some(e.0.as_str()) {
                    self.history.push(Entry::StorageError {
                        at: now,
                        message: e.0.clone(),
                    });
                    self.last_storage_error = Some(e.0);
                }
            }
        }
    }
}

/// Keeps of a tab's own events those not stored yet (`seq` past `confirmed`) and those stored
/// within the merge window ([`Session::forget_own`]).
fn forget_stored(own: &mut std::collections::VecDeque<super::Own>, confirmed: u32, now: f64) {
    own.retain(|o| o.seq > confirmed || now - o.recorded <= MERGE_WINDOW_MS);
}
