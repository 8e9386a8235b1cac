//! The privacy report: what vitrine holds, where, for how long, under which consent, and what
//! happened to it (consent changes, erasures, resets of damaged storage).

use crate::consent::ConsentState;
use crate::store::KeyInfo;
use serde::Serialize;

/// Most history entries kept (oldest dropped first).
pub const MAX_HISTORY: usize = 100;

/// Something that happened to the shopper's data.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Entry {
    /// The consent in force changed.
    #[serde(rename_all = "camelCase")]
    Consent {
        at: f64,
        personalization: bool,
        storage: bool,
        sensitive: bool,
        source: &'static str,
    },
    /// Data was erased: `what` is `profile` (personalization withdrawn), `storage` (storage
    /// withdrawn), `sensitive` (the sensitive consent withdrawn: its signals) or `all`
    /// (`erase()`).
    Erase { at: f64, what: &'static str },
    /// A stored record could not be read and was reset.
    Reset {
        at: f64,
        key: String,
        reason: &'static str,
    },
    /// Signals older than the retention period were deleted.
    Prune { at: f64, signals: usize },
    /// The profile held times up to `ahead` ms later than now (kept while the device's clock ran
    /// ahead, then put back): they were brought back to now.
    Clock { at: f64, ahead: f64 },
    /// The storage back-end refused a write or delete; data stayed in memory.
    StorageError { at: f64, message: String },
    /// A consent signal that changed nothing: a malformed TC string, a `tcloaded` string older
    /// than the decision in force, a CMP saying GDPR does not apply; or (`source: 'stored'`) a
    /// stored record of a newer vitrine, left as it is.
    Ignored {
        at: f64,
        source: &'static str,
        reason: String,
    },
    /// Another tab of the site changed vitrine's storage and this instance took it over: `what`
    /// is `consent` (a newer decision, or a withdrawal) or `profile` (its events merged in).
    Sync { at: f64, what: &'static str },
    /// vitrine's records vanished from storage without a `storage` event (the browser or the
    /// page cleared the site's data): handled as an erasure, nothing is written back.
    Cleared { at: f64 },
}

/// The history of this instance, bounded, oldest first. A `Vec`, not a `VecDeque` (whose code
/// for this entry type was 0.6 KB of the module): an entry comes with a consent change, an
/// erasure or a merge of another tab's profile, each far costlier than shifting 99 entries.
#[derive(Clone, Debug, Default)]
pub struct History(Vec<Entry>);

impl History {
    pub fn push(&mut self, e: Entry) {
        if self.0.len() == MAX_HISTORY {
            self.0.remove(0);
        }
        self.0.push(e);
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.0.clone()
    }

    /// Whether the latest entry is a consent decision (nothing noted after it yet).
    pub fn last_is_consent(&self) -> bool {
        matches!(self.0.last(), Some(Entry::Consent { .. }))
    }
}

/// What vitrine can do on the network: nothing. The proof is static (see docs/PRIVACY.md):
/// a test reads the wasm import section, the module's data and the JS glue of every build. This
/// text is in the module's data, so it names no network API itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub capable: bool,
    /// What the module can call outside itself.
    pub imports: &'static str,
    /// How to check it yourself.
    pub proof: &'static str,
}

pub const NETWORK: Network = Network {
    capable: false,
    imports: "JavaScript built-ins (Object, Array, Reflect, Date, Math, Error, DataView, Uint8Array, TextEncoder, TextDecoder; bind, on its own CMP callback), setTimeout (to write the profile at the end of a burst of events), localStorage and its storage event, the window's pagehide and visibilitychange events (to write the profile before the page goes), navigator.globalPrivacyControl, document.URL, document.referrer and navigator.userAgent (read once at open, to name the visit's channel), crypto.getRandomValues, the CMP's __tcfapi, and the page's list of copies of vitrine on globalThis (each copy's own function, called with the namespace it wrote under, so that two copies of the package on one page follow each other's writes) only: no network API, no element or script creation, no way to call a function it was not built to call",
    proof: "tests/js/network_proof.test.mjs checks the wasm import section and the glue of the built package; run `make test`",
};

/// Storage as it is now.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageReport {
    /// `local` or `memory`.
    pub backend: &'static str,
    pub namespace: String,
    /// Whether anything outlives the page: storage consent is given and the back-end is
    /// `local` (the `memory` back-end keeps nothing beyond the page, whatever the consent).
    pub persistent: bool,
    pub keys: Vec<KeyInfo>,
    pub total_bytes: usize,
}

/// The profile, described without its content.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileReport {
    /// Whether a profile is held in memory (only with personalization consent).
    pub held: bool,
    pub signals: usize,
    /// Time of the oldest signal, ms since the epoch.
    pub oldest: Option<f64>,
    pub retention_days: f64,
    pub half_life_days: f64,
    pub memory_bytes: usize,
    /// Events this tab recorded in the last seconds, kept in memory (never stored on their own)
    /// to re-apply if another tab's write overtakes them; at most 64, each dropped at the first
    /// `track`, write or `audit()` 5 s or more after it is stored.
    pub merge_buffer: usize,
}

/// `audit()`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub mode: &'static str,
    pub version: &'static str,
    pub network: Network,
    pub consent: ConsentState,
    /// Whether the browser sends Global Privacy Control (`navigator.globalPrivacyControl`), as
    /// last read (at open and at every consent call). What it does is `policy.gpc`.
    pub gpc: bool,
    /// The marketer's policy in force.
    pub policy: crate::policy::Policy,
    pub storage: StorageReport,
    pub profile: ProfileReport,
    pub history: Vec<Entry>,
    pub generated_at: f64,
}

/// `exportData()`: everything vitrine holds about the shopper.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportData {
    pub format: &'static str,
    pub version: &'static str,
    pub exported_at: f64,
    pub consent: ConsentState,
    /// `null` when no profile is held.
    pub profile: Option<crate::profile::Export>,
    /// The writers' clock the profile record carries with it (empty when no profile is held):
    /// each page that wrote it in the last minute (a random id per page), how many events it
    /// recorded, when it last wrote — what lets another tab's write keep this one's events.
    pub writers: Vec<Writer>,
    /// When the profile held began (`None` when none is held): stored with it.
    pub profile_began_at: Option<f64>,
    /// The last erasures this page knows of, which both records carry (`store::lineage`).
    pub erased_at: ErasedAt,
    pub storage: Vec<KeyInfo>,
    pub history: Vec<Entry>,
}

/// [`ExportData::erased_at`]: ms since the epoch, `None` for none known.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErasedAt {
    pub profile: Option<f64>,
    pub sensitive: Option<f64>,
}

impl From<crate::store::Erasures> for ErasedAt {
    fn from(e: crate::store::Erasures) -> Self {
        let known = |t: f64| (t > 0.0).then_some(t);
        ErasedAt {
            profile: known(e.profile),
            sensitive: known(e.sensitive),
        }
    }
}

/// One entry of the writers' clock ([`ExportData::writers`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Writer {
    pub writer: u32,
    pub events: u32,
    pub last_write_at: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_latest_entries_oldest_first() {
        let mut h = History::default();
        for i in 0..MAX_HISTORY + 5 {
            h.push(Entry::Cleared { at: i as f64 });
        }
        let at: Vec<f64> = h
            .entries()
            .iter()
            .map(|e| match e {
                Entry::Cleared { at } => *at,
                _ => unreachable!(),
            })
            .collect();
        let expected: Vec<f64> = (5..MAX_HISTORY + 5).map(|i| i as f64).collect();
        assert_eq!(at, expected);
    }
}
