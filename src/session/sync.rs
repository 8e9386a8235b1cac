//! Storage follows consent, and tabs follow each other.
//!
//! Every tab of a site holds the profile in memory and writes it whole. To lose no update when
//! two tabs write, a tab never overwrites a profile it has not seen: before each write it compares
//! the stored value's revision (its CRC-32) with the one it last wrote or read, and when another
//! tab wrote in between, it takes that profile and replays onto it the events it recorded since
//! its own last write ([`super::MAX_UNSYNCED`] at most; in practice one, since every accepted
//! event is written at once). On a `storage` event (another tab wrote or removed vitrine's keys)
//! the wasm layer calls [`Session::storage_changed`], which adopts a newer decision (P9), treats
//! removed records as a withdrawal (P10), and folds in the other tab's profile.

use super::Session;
use crate::audit::Entry;
use crate::consent::{Decision, Source};
use crate::store::{Load, StoreError};

impl Session {
    /// Writes or removes stored records so storage holds exactly what consent allows.
    pub(super) fn sync_storage(&mut self, now: f64) {
        if self.gate.persistent_profile().is_some() && self.profile.is_some() {
            self.persist_profile(now);
        } else {
            let r = self.store.remove_profile();
            self.revision = None;
            self.note_storage(r, now);
        }
        let state = self.gate.state();
        let r = if state.storage || (self.policy.remember_refusal && self.decision.is_refusal()) {
            let r = self.store.save_consent(&self.decision);
            self.consent_stored = r.is_ok();
            r
        } else {
            self.consent_stored = false;
            self.store.remove_consent()
        };
        self.note_storage(r, now);
    }

    /// Writes the profile, after folding in what another tab wrote since this tab's last write.
    pub(super) fn persist_profile(&mut self, now: f64) {
        self.merge_stored(now);
        let result = match (self.gate.persistent_profile(), &self.profile) {
            (Some((who, persist)), Some(p)) => self.store.save_profile(&who, &persist, p),
            _ => return,
        };
        match result {
            Ok(revision) => {
                self.revision = Some(revision);
                self.unsynced.clear();
                self.note_storage(Ok(()), now);
            }
            Err(e) => self.note_storage(Err(e), now),
        }
    }

    /// When the stored profile is not the one this tab last wrote or read, takes it and replays
    /// this tab's unsynced events onto it. Returns whether it did.
    fn merge_stored(&mut self, now: f64) -> bool {
        let hl = self.policy.half_life_ms();
        let Some((who, persist)) = self.gate.persistent_profile() else {
            return false;
        };
        let (load, revision) = self.store.load_profile(&who, &persist, hl);
        if revision.is_none() || revision == self.revision {
            return false;
        }
        match load {
            Load::Found(mut stored) => {
                for (event, t) in &self.unsynced {
                    stored.record(&who, event, *t);
                }
                self.revision = revision;
                self.history.push(Entry::Sync {
                    at: now,
                    what: "profile",
                });
                self.prune(&mut stored, now);
                self.profile = Some(stored);
                true
            }
            Load::Corrupt(reason) => {
                let key = self.store.profile_key();
                self.reset_key(&key, reason, now);
                self.revision = None;
                false
            }
            Load::Missing => false,
        }
    }

    /// Another tab changed vitrine's storage (the `storage` event): take over its newer decision
    /// (P9), follow its withdrawal or erasure (P10), and fold in its profile.
    pub fn storage_changed(&mut self, now: f64) {
        match self.store.load_consent() {
            Load::Found(d) => {
                let d = Decision {
                    source: Source::Stored,
                    at: d.at.map(|t| t.min(now)),
                    ..d
                };
                if d.at > self.decision.at {
                    self.history.push(Entry::Sync {
                        at: now,
                        what: "consent",
                    });
                    self.apply(d, now);
                }
            }
            Load::Missing if self.consent_stored => {
                self.history.push(Entry::Sync {
                    at: now,
                    what: "consent",
                });
                self.consent_stored = false;
                self.apply(Decision::default(), now);
            }
            Load::Missing => {}
            Load::Corrupt(reason) => {
                let key = self.store.consent_key();
                self.reset_key(&key, reason, now);
            }
        }
        self.merge_stored(now);
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
