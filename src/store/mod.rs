//! Persistence: versioned, checksummed records in a key-value back-end.
//!
//! Keys (with the default namespace `vitrine`):
//! - `vitrine:profile` — the profile, written only with personalization *and* storage consent;
//! - `vitrine:consent` — the consent decision, written with storage consent (or, when the policy
//!   says `rememberRefusal`, a refusal).
//!
//! Every value is `base64url(magic · version · crc32(payload) · payload)`; see [`envelope`].
//! A value that is not base64url, has the wrong magic or an older version, fails its checksum, or
//! does not decode is reported as [`Load::Corrupt`] and the caller resets it. A value of a newer
//! version is [`Load::Newer`]: a later vitrine, running in another tab of the site (a deploy
//! while tabs stay open), wrote it, and this one leaves it alone rather than destroy data it
//! cannot read.
//!
//! The consent record's payload (29 bytes, little-endian; 12 in version 2, without `sensitive`;
//! 13 in versions 3 to 5, without the erasures):
//!
//! ```text
//! u8 personalization (0|1) · u8 storage (0|1) · u8 source · f64 decided at (ms; 0 = never)
//! · u8 over_gpc (0|1: an explicit opt-in made while the browser sent GPC) · u8 sensitive (0|1)
//! · f64 profile erased at · f64 sensitive erased at (ms; 0 = never: see [`lineage`])
//! ```
//!
//! Sources: 0 default, 1 explicit, 2 tcf, 3 googleConsentMode, 4 gpc, 5 stored.
//!
//! The profile record's payload is the writers' [`Clock`] (`u8 n · n × (u32 writer, u32 seq,
//! f64 at)`), then (from version 6) its [`Lineage`] (`f64 born · f64 profile erased at · f64
//! sensitive erased at`), then the profile itself (see [`crate::profile::codec`]).
//!
//! A profile's *revision* is the payload checksum its envelope declares (read from the first 12
//! characters, so a full 100 KB record is not checksummed again per event), or the CRC-32 of the
//! whole value when that is not an envelope: a tab compares it with the one it
//! last wrote or read to notice another tab's writes (see `session::sync`).

pub mod clock;
pub mod envelope;
pub mod lineage;
mod memory;

pub use clock::Clock;
pub use lineage::{Erasures, Lineage};
pub use memory::MemoryBackend;

use crate::bytes::{crc32, Reader, Writer};
use crate::consent::{Decision, Expiring, Persist, Personal, Source};
use crate::profile::Profile;
use envelope::{open, seal, Kind};

/// A stored profile, with the writers' clock and its lineage.
pub type Stored = (Profile, Clock, Lineage);

/// A failure of the storage back-end (quota exceeded, storage disabled, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

/// Where records are kept. `local` (the browser's `localStorage`) lives in the wasm layer;
/// `memory` here. Only this crate's records are touched: every key starts with the namespace.
pub trait Backend {
    /// `"local"` or `"memory"`, as `audit()` reports it.
    fn name(&self) -> &'static str;
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Whether `key` holds a value, without copying it out (asked of the consent record before
    /// every write when storage is allowed; see `Session::check_vanished`).
    fn contains(&self, key: &str) -> Result<bool, StoreError>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str) -> Result<(), StoreError>;
    /// All keys the back-end holds (the store filters its own).
    fn keys(&self) -> Result<Vec<String>, StoreError>;
}

/// The outcome of reading a record.
#[derive(Debug, PartialEq)]
pub enum Load<T> {
    Missing,
    Found(T),
    /// Present but unusable; the reason says why (for `audit()`).
    Corrupt(&'static str),
    /// Written by a newer vitrine: unreadable here, but not damaged.
    Newer,
    /// Storage could not be read (disabled, or its database damaged): nothing is known.
    Failed(StoreError),
}

/// The profile record's payload up to the profile: the writers' clock and (from version 6) the
/// lineage, each `None` when damaged.
fn decode_head(
    r: &mut Reader<'_>,
    version: u8,
) -> Result<(Option<Clock>, Option<Lineage>), crate::bytes::Truncated> {
    let clock = Clock::decode(r)?;
    let lineage = if version >= 6 {
        Lineage::decode(r)?
    } else {
        Some(Lineage::default())
    };
    Ok((clock, lineage))
}

/// Identifies a stored profile value (see the module documentation).
fn revision(value: &str) -> u32 {
    envelope::declared_crc(value).unwrap_or_else(|| crc32(value.as_bytes()))
}

/// The outcome of [`envelope::open`] as a [`Load`] of the payload.
fn opened(kind: Kind, value: &str) -> Result<(u8, Vec<u8>), Load<core::convert::Infallible>> {
    open(kind, value).map_err(|why| {
        if why == envelope::NEWER {
            Load::Newer
        } else {
            Load::Corrupt(why)
        }
    })
}

impl<T> Load<T> {
    /// The same outcome, what was found passed through `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Load<U> {
        match self {
            Load::Found(t) => Load::Found(f(t)),
            other => other.cast(),
        }
    }

    /// The same outcome for another payload type, when there is none.
    fn cast<U>(self) -> Load<U> {
        match self {
            Load::Missing | Load::Found(_) => Load::Missing,
            Load::Corrupt(why) => Load::Corrupt(why),
            Load::Newer => Load::Newer,
            Load::Failed(e) => Load::Failed(e),
        }
    }
}

/// A namespaced view of a back-end.
pub struct Store {
    backend: Box<dyn Backend>,
    namespace: String,
}

/// A key and the size of its value, for the storage inventory.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyInfo {
    pub key: String,
    /// Size of the stored string in bytes (UTF-16 code units × 2, as browsers count quota).
    pub bytes: usize,
}

fn source_code(s: Source) -> u8 {
    match s {
        Source::Default => 0,
        Source::Explicit => 1,
        Source::Tcf => 2,
        Source::ConsentMode => 3,
        Source::Gpc => 4,
        Source::Stored => 5,
    }
}

fn source_of(code: u8) -> Option<Source> {
    Some(match code {
        0 => Source::Default,
        1 => Source::Explicit,
        2 => Source::Tcf,
        3 => Source::ConsentMode,
        4 => Source::Gpc,
        5 => Source::Stored,
        _ => return None,
    })
}

impl Store {
    pub fn new(backend: Box<dyn Backend>, namespace: &str) -> Self {
        Store {
            backend,
            namespace: namespace.to_owned(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn key(&self, name: &str) -> String {
        let mut k = String::with_capacity(self.namespace.len() + 1 + name.len());
        k.push_str(&self.namespace);
        k.push(':');
        k.push_str(name);
        k
    }

    pub fn profile_key(&self) -> String {
        self.key("profile")
    }

    pub fn consent_key(&self) -> String {
        self.key("consent")
    }

    /// Writes the profile with its clock and lineage, and returns its revision. Needs both
    /// proofs.
    pub fn save_profile(
        &mut self,
        who: &Personal<'_>,
        _: &Persist<'_>,
        p: &Profile,
        clock: &Clock,
        lineage: &Lineage,
    ) -> Result<u32, StoreError> {
        self.write_profile(who, p, clock, lineage)
    }

    fn write_profile(
        &mut self,
        who: &Personal<'_>,
        p: &Profile,
        clock: &Clock,
        lineage: &Lineage,
    ) -> Result<u32, StoreError> {
        let mut w = Writer::default();
        clock.encode(&mut w);
        lineage.encode(&mut w);
        w.buf.extend_from_slice(&p.encode(who));
        let (value, crc) = envelope::seal_with_crc(Kind::Profile, &w.buf);
        let key = self.profile_key();
        self.backend.set(&key, &value)?;
        Ok(crc)
    }

    /// Reads the profile, its clock and lineage, with the revision of what is stored (`None` when
    /// nothing is). Reading personal data also needs both proofs.
    pub fn load_profile(
        &self,
        who: &Personal<'_>,
        _: &Persist<'_>,
        half_life_ms: f64,
    ) -> (Load<Stored>, Option<u32>) {
        self.read_profile(who, half_life_ms)
    }

    /// Deletes from the stored profile what is older than `cutoff` while no decision stands
    /// ([`Expiring`]): the record is written again without it, or removed when nothing is left.
    /// Returns how many signals went (`Found(0)` when none did), `Missing` when nothing is
    /// stored, `Corrupt` for a damaged record (for the caller to reset, as when a decision
    /// stands), `Newer` for one this version cannot read (left as it is).
    pub fn prune_expiring(
        &mut self,
        proof: &Expiring<'_>,
        cutoff: f64,
        half_life_ms: f64,
    ) -> Load<usize> {
        let who = proof.reading();
        let (mut p, clock, lineage) = match self.read_profile(who, half_life_ms).0 {
            Load::Found(found) => found,
            other => return other.cast(),
        };
        let pruned = p.prune(who, cutoff);
        let written = if p.is_blank() {
            self.remove_profile()
        } else if pruned > 0 {
            self.write_profile(who, &p, &clock, &lineage).map(drop)
        } else {
            Ok(())
        };
        match written {
            Ok(()) => Load::Found(pruned),
            Err(e) => Load::Failed(e),
        }
    }

    fn read_profile(&self, who: &Personal<'_>, half_life_ms: f64) -> (Load<Stored>, Option<u32>) {
        let v = match self.backend.get(&self.profile_key()) {
            Err(e) => return (Load::Failed(e), None),
            Ok(None) => return (Load::Missing, None),
            Ok(Some(v)) => v,
        };
        let revision = Some(revision(&v));
        let load = match opened(Kind::Profile, &v) {
            Err(e) => e.cast(),
            Ok((version, payload)) => {
                let mut r = Reader::new(&payload);
                match decode_head(&mut r, version) {
                    Err(_) => Load::Corrupt("truncated"),
                    Ok((None, _)) => Load::Corrupt("bad writer clock"),
                    Ok((_, None)) => Load::Corrupt("bad lineage"),
                    Ok((Some(clock), Some(lineage))) => {
                        let rest = payload.get(r.position()..).unwrap_or_default();
                        match Profile::decode_version(who, rest, half_life_ms, version) {
                            Ok(p) => Load::Found((p, clock, lineage)),
                            Err(e) => Load::Corrupt(e.describe()),
                        }
                    }
                }
            }
        };
        (load, revision)
    }

    /// The latest time the stored profile record names — when its profile began, when each
    /// writer last wrote — read from the record's head alone, without the profile (no personal
    /// data) and unverified (0: none stored, or it does not read): what an erasure is dated
    /// after, which bounds how far ahead any time may take it.
    pub fn profile_times(&self) -> f64 {
        let Ok(Some(v)) = self.backend.get(&self.profile_key()) else {
            return 0.0;
        };
        let head = 1 + clock::MAX_WRITERS * 16 + 24;
        let Some((version, payload)) = envelope::peek(Kind::Profile, &v, head) else {
            return 0.0;
        };
        match decode_head(&mut Reader::new(&payload), version) {
            Ok((Some(clock), Some(lineage))) => clock
                .entries()
                .iter()
                .map(|e| e.at)
                .fold(lineage.born, f64::max),
            _ => 0.0,
        }
    }

    /// The revision of the stored profile (`None`: none stored), without decoding it.
    pub fn profile_revision(&self) -> Result<Option<u32>, StoreError> {
        Ok(self.backend.get(&self.profile_key())?.map(|v| revision(&v)))
    }

    /// Writes the consent record (layout in the module documentation).
    pub fn save_consent(&mut self, d: &Decision, erasures: &Erasures) -> Result<(), StoreError> {
        let mut w = Writer::default();
        w.u8(u8::from(d.personalization));
        w.u8(u8::from(d.storage));
        w.u8(source_code(d.source));
        w.f64(d.at.unwrap_or(0.0));
        w.u8(u8::from(d.over_gpc));
        w.u8(u8::from(d.sensitive));
        erasures.encode(&mut w);
        let value = seal(Kind::Consent, &w.buf);
        let key = self.consent_key();
        self.backend.set(&key, &value)
    }

    /// Reads the consent record: the decision, and the erasures its writer knew of.
    pub fn load_consent(&self) -> Load<(Decision, Erasures)> {
        let v = match self.backend.get(&self.consent_key()) {
            Err(e) => return Load::Failed(e),
            Ok(None) => return Load::Missing,
            Ok(Some(v)) => v,
        };
        let (version, payload) = match opened(Kind::Consent, &v) {
            Ok(p) => p,
            Err(e) => return e.cast(),
        };
        let mut r = Reader::new(&payload);
        let parsed = (|| {
            let p = r.u8().ok()?;
            let s = r.u8().ok()?;
            let source = source_of(r.u8().ok()?)?;
            let at = r.f64().ok()?;
            let g = r.u8().ok()?;
            let sensitive = if version >= 3 { r.u8().ok()? } else { 0 };
            let erasures = if version >= 6 {
                Erasures::decode(&mut r).ok()??
            } else {
                Erasures::default()
            };
            let valid = p <= 1 && s <= 1 && g <= 1 && sensitive <= 1 && at.is_finite() && at >= 0.0;
            let d = Decision {
                personalization: p == 1,
                storage: s == 1,
                sensitive: sensitive == 1 && p == 1,
                source,
                at: (at > 0.0).then_some(at),
                over_gpc: g == 1,
            };
            (valid && r.remaining() == 0).then_some((d, erasures))
        })();
        parsed.map_or(Load::Corrupt("bad consent record"), Load::Found)
    }

    /// Whether a record is stored under `key` (without reading it); `None` when storage cannot
    /// be read. Unlike the loads, a failing read is not taken for a missing record.
    pub fn present(&self, key: &str) -> Option<bool> {
        self.backend.contains(key).ok()
    }

    pub fn remove_profile(&mut self) -> Result<(), StoreError> {
        let k = self.profile_key();
        self.backend.remove(&k)
    }

    pub fn remove_consent(&mut self) -> Result<(), StoreError> {
        let k = self.consent_key();
        self.backend.remove(&k)
    }

    /// Removes every key of this namespace, including ones a newer or older version wrote.
    pub fn erase_all(&mut self) -> Result<(), StoreError> {
        self.erase_keeping(None)
    }

    /// [`Store::erase_all`], except the key `kept`.
    pub fn erase_keeping(&mut self, kept: Option<&str>) -> Result<(), StoreError> {
        let mut first_err = None;
        for k in self.listed_keys()? {
            if Some(k.as_str()) == kept {
                continue;
            }
            if let Err(e) = self.backend.remove(&k) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Keys of this namespace, sorted.
    pub fn own_keys(&self) -> Vec<String> {
        self.listed_keys().unwrap_or_default()
    }

    /// [`Store::own_keys`], or why the back-end could not list them.
    fn listed_keys(&self) -> Result<Vec<String>, StoreError> {
        let mut prefix = self.namespace.clone();
        prefix.push(':');
        let mut keys: Vec<String> = self
            .backend
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(&prefix))
            .collect();
        crate::sort::sort(&mut keys);
        Ok(keys)
    }

    /// Every key of this namespace with its size.
    pub fn inventory(&self) -> Vec<KeyInfo> {
        self.own_keys()
            .into_iter()
            .map(|key| {
                let value_units = self
                    .backend
                    .get(&key)
                    .ok()
                    .flatten()
                    .map_or(0, |v| v.encode_utf16().count());
                let bytes = 2 * (key.encode_utf16().count() + value_units);
                KeyInfo { key, bytes }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
