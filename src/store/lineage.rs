//! Which erasures a record's writer knew of, and when a stored profile began: what tells a copy
//! made before an erasure from one made after.
//!
//! When the shopper withdraws (or calls `erase()`) in one tab and gives the consent again, a tab
//! that was busy all along (a long task holding back its `storage` events) still holds the
//! profile of before, and its events of the last seconds. Its next write, or its merge of the
//! new profile, would bring back what the withdrawal erased. So every record says when its
//! writer last saw the profile erased and the `sensitive` signals erased ([`Erasures`]), and
//! the profile record also when its profile began ([`Lineage::born`]): a profile that began
//! before an erasure the other side knows of holds what that erasure covered.
//!
//! Times are the device's clock, as every time vitrine keeps, with two guards against a clock
//! put back: an erasure is dated later than anything its tab knows of (when the profile it holds
//! and the stored one began, the writers' last writes, its own recent events, the erasures
//! before), though no more than an hour ahead, and a profile begins no earlier than the last
//! erasure its tab knows of. An erasure dated ahead (a clock that ran ahead, corrected since)
//! makes profiles begun within that lead by a tab that did not learn of it look older than the
//! erasure to a page that knows of it: their events are lost, nothing comes back
//! (docs/RELIABILITY.md).

use crate::bytes::{Reader, Truncated, Writer};

/// When a tab last knew the profile erased (a withdrawal of personalization, `erase()`) and
/// the `sensitive` signals erased (a withdrawal of `sensitive`), ms since the epoch; 0: never.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Erasures {
    pub profile: f64,
    pub sensitive: f64,
}

impl Erasures {
    /// Takes in the erasures `other` knew of.
    pub fn join(&mut self, other: Erasures) {
        self.profile = self.profile.max(other.profile);
        self.sensitive = self.sensitive.max(other.sensitive);
    }

    /// `f64 profile · f64 sensitive`.
    pub fn encode(&self, w: &mut Writer) {
        w.f64(self.profile);
        w.f64(self.sensitive);
    }

    /// `None` when a time is not finite or before the epoch.
    pub fn decode(r: &mut Reader<'_>) -> Result<Option<Self>, Truncated> {
        let e = Erasures {
            profile: r.f64()?,
            sensitive: r.f64()?,
        };
        Ok([e.profile, e.sensitive]
            .iter()
            .all(|t| t.is_finite() && *t >= 0.0)
            .then_some(e))
    }
}

/// When a stored profile began, and the erasures its writer knew of.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lineage {
    /// When the profile began (ms since the epoch): its earliest event was recorded no
    /// earlier. 0 in records of versions before 6, which did not say.
    pub born: f64,
    pub erasures: Erasures,
}

impl Lineage {
    /// Whether this profile began after every erasure `known` holds: otherwise it holds what
    /// one of them erased.
    pub fn after(&self, known: &Erasures) -> bool {
        self.born >= known.profile
    }

    /// Whether this profile may hold sensitive signals a `sensitive` erasure in `known` covered:
    /// its writer did not know of it, and it began before it.
    pub fn sensitive_stale(&self, known: &Erasures) -> bool {
        self.erasures.sensitive < known.sensitive && self.born < known.sensitive
    }

    /// `f64 born · erasures`.
    pub fn encode(&self, w: &mut Writer) {
        w.f64(self.born);
        self.erasures.encode(w);
    }

    /// `None` when a time is not finite or before the epoch, or the profile began before an
    /// erasure its writer knew of (no writer begins one then).
    pub fn decode(r: &mut Reader<'_>) -> Result<Option<Self>, Truncated> {
        let born = r.f64()?;
        let erasures = Erasures::decode(r)?;
        let valid = born.is_finite() && erasures.is_some_and(|e| born >= e.profile);
        Ok(erasures
            .filter(|_| valid)
            .map(|erasures| Lineage { born, erasures }))
    }
}
