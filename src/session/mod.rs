//! A session: one storefront page's vitrine. Ties the model, the consent gate, the profile, the
//! store and the audit trail together; this is what the JS class `Vitrine` wraps.
//!
//! Time and randomness come from outside (`now` arguments, [`Env::seed`]), so every behaviour is
//! reproducible in tests.

use crate::args::Args;
use crate::audit::{self, Entry, ExportData, History, ProfileReport, Report, StorageReport};
use crate::consent::{ConsentInput, ConsentState, Gate};
use crate::error::{Error, Result};
use crate::event::{Event, Refusal};
use crate::model::{parse_catalog, Model};
use crate::policy::Policy;
use crate::profile::{Profile, Summary};
use crate::recommend::{self, Recommendation, Request, Scratch, Weights};
use crate::rng::Rng;
use crate::store::{Backend, Load, Store};
use crate::value::Value;
use serde::Serialize;

/// Where the profile is kept when storage consent is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageChoice {
    /// `window.localStorage` where it exists, memory otherwise (the default).
    Default,
    Local,
    Memory,
}

/// The options of `Vitrine.open`, parsed.
pub struct OpenOptions {
    pub model: Model,
    /// `None`: use the shopper's stored decision, if any; otherwise everything is denied.
    pub consent: Option<ConsentInput>,
    pub storage: StorageChoice,
    pub namespace: String,
    pub policy: Policy,
}

/// Longest namespace accepted.
pub const MAX_NAMESPACE: usize = 64;

const OPEN_KEYS: &[&str] = &[
    "model",
    "catalog",
    "consent",
    "storage",
    "namespace",
    "policy",
];

impl OpenOptions {
    pub fn parse(v: &Value) -> Result<Self> {
        let a = Args::new("open", "options", v)?;
        a.reject_unknown(OPEN_KEYS)?;
        let model = match (a.get("model"), a.get("catalog")) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "open",
                    "options",
                    "must give either model or catalog, not both",
                ))
            }
            (Some(Value::Bytes(bytes)), None) => Model::from_bytes(bytes)?,
            (Some(other), None) => {
                return Err(Error::wrong_type(
                    "open",
                    "options.model",
                    "a Uint8Array holding a model file",
                    other,
                ))
            }
            (None, Some(catalog)) => parse_catalog(catalog)?,
            (None, None) => Model::empty(),
        };
        let namespace = a.string("namespace", MAX_NAMESPACE)?.unwrap_or("vitrine");
        if namespace.is_empty()
            || !namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(Error::invalid(
                "open",
                "options.namespace",
                "must be 1 to 64 characters among A-Z a-z 0-9 - _ .",
            ));
        }
        Ok(OpenOptions {
            model,
            consent: a
                .get("consent")
                .map(|c| ConsentInput::parse("open", c))
                .transpose()?,
            storage: match a.choice("storage", &["local", "memory"])? {
                Some("local") => StorageChoice::Local,
                Some(_) => StorageChoice::Memory,
                None => StorageChoice::Default,
            },
            namespace: namespace.to_owned(),
            policy: Policy::parse(a.get("policy").unwrap_or(&Value::Undefined))?,
        })
    }
}

/// What the environment provides at open.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// ms since the epoch.
    pub now: f64,
    /// Seed of the exploration generator (the wasm layer draws it from `crypto.getRandomValues`).
    pub seed: u64,
}

/// `track`'s answer: `{accepted, reason?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackResult {
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl TrackResult {
    fn refused(r: Refusal) -> Self {
        TrackResult {
            accepted: false,
            reason: Some(r.code()),
        }
    }
}

/// One page's vitrine.
pub struct Session {
    model: Model,
    policy: Policy,
    weights: Weights,
    gate: Gate,
    /// Present only while personalization consent is given.
    profile: Option<Profile>,
    store: Store,
    history: History,
    scratch: Scratch,
    rng: Rng,
    /// The last storage failure logged, so a full quota is reported once, not per event.
    last_storage_error: Option<String>,
}

impl Session {
    /// Opens a session. The consent given (or, without one, the shopper's stored decision) is
    /// applied at once: a withdrawal found at open erases what it covers.
    pub fn open(opts: OpenOptions, backend: Box<dyn Backend>, env: Env) -> Self {
        let mut s = Session {
            model: opts.model,
            weights: Weights::default(),
            gate: Gate::default(),
            profile: None,
            store: Store::new(backend, &opts.namespace),
            history: History::default(),
            scratch: Scratch::default(),
            rng: Rng::new(env.seed),
            last_storage_error: None,
            policy: opts.policy,
        };
        let state = match opts.consent {
            Some(input) => input.resolve(env.now),
            None => s.stored_consent(env.now).unwrap_or_default(),
        };
        s.apply_consent(state, env.now);
        s
    }

    fn stored_consent(&mut self, now: f64) -> Option<ConsentState> {
        match self.store.load_consent() {
            Load::Found(c) => Some(ConsentState {
                source: crate::consent::Source::Stored,
                ..c
            }),
            Load::Missing => None,
            Load::Corrupt(reason) => {
                let key = self.store.consent_key();
                self.reset_key(&key, reason, now);
                None
            }
        }
    }

    fn reset_key(&mut self, key: &str, reason: &'static str, now: f64) {
        let removed = if key.ends_with(":profile") {
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

    fn note_storage(&mut self, r: core::result::Result<(), crate::store::StoreError>, now: f64) {
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

    /// Makes memory and storage agree with `state`: erases what a withdrawn purpose covered,
    /// loads or creates the profile when personalization is given, persists it with storage.
    fn apply_consent(&mut self, state: ConsentState, now: f64) {
        self.history.push(Entry::Consent {
            at: now,
            personalization: state.personalization,
            storage: state.storage,
            source: state.source.as_str(),
        });
        let withdrawn = self.gate.set(state);
        if withdrawn.personalization {
            self.profile = None;
            self.history.push(Entry::Erase {
                at: now,
                what: "profile",
            });
        }
        if withdrawn.storage {
            self.history.push(Entry::Erase {
                at: now,
                what: "storage",
            });
        }
        if self.gate.personalization().is_some() && self.profile.is_none() {
            self.profile = Some(self.load_or_new(now));
        }
        self.sync_storage(now);
    }

    fn load_or_new(&mut self, now: f64) -> Profile {
        let hl = self.policy.half_life_ms();
        let loaded = match self.gate.persistent_profile() {
            Some((who, persist)) => self.store.load_profile(&who, &persist, hl),
            None => Load::Missing,
        };
        let mut profile = match loaded {
            Load::Found(p) => p,
            Load::Missing => Profile::new(hl),
            Load::Corrupt(reason) => {
                let key = self.store.profile_key();
                self.reset_key(&key, reason, now);
                Profile::new(hl)
            }
        };
        if let Some(who) = self.gate.personalization() {
            let pruned = profile.prune(&who, now - self.policy.retention_ms());
            if pruned > 0 {
                self.history.push(Entry::Prune {
                    at: now,
                    signals: pruned,
                });
            }
        }
        profile
    }

    /// Writes or removes stored records so storage holds exactly what consent allows.
    fn sync_storage(&mut self, now: f64) {
        let state = self.gate.state().clone();
        let profile_result = match (self.gate.persistent_profile(), &self.profile) {
            (Some((who, persist)), Some(p)) => self.store.save_profile(&who, &persist, p),
            _ => self.store.remove_profile(),
        };
        self.note_storage(profile_result, now);
        let consent_result =
            if state.storage || (self.policy.remember_refusal && !state.personalization) {
                self.store.save_consent(&state)
            } else {
                self.store.remove_consent()
            };
        self.note_storage(consent_result, now);
    }

    /// `track(event, properties?, options?)`.
    pub fn track(
        &mut self,
        name: &Value,
        props: &Value,
        options: &Value,
        now: f64,
    ) -> Result<TrackResult> {
        let parsed = Event::parse(name, props, options)?;
        let Some(who) = self.gate.personalization() else {
            return Ok(TrackResult::refused(Refusal::NoConsent));
        };
        let mut event = match parsed {
            Ok(e) => e,
            Err(r) => return Ok(TrackResult::refused(r)),
        };
        let t = event.timestamp.unwrap_or(now).min(now);
        if t < now - self.policy.retention_ms() {
            return Ok(TrackResult::refused(Refusal::Expired));
        }
        for line in &mut event.lines {
            let Some(i) = line
                .item_id
                .as_deref()
                .and_then(|id| self.model.index_of(id))
            else {
                continue;
            };
            if line.category.is_none() {
                line.category = self
                    .model
                    .category_name(self.model.category(i))
                    .map(str::to_owned);
            }
            if line.brand.is_none() {
                line.brand = self
                    .model
                    .brand_name(self.model.brand(i))
                    .map(str::to_owned);
            }
            if line.price.is_none() {
                line.price = self.model.price(i).map(f64::from);
            }
        }
        let hl = self.policy.half_life_ms();
        let profile = self.profile.get_or_insert_with(|| Profile::new(hl));
        profile.record(&who, &event, t);
        if let (Some((who, persist)), Some(p)) = (self.gate.persistent_profile(), &self.profile) {
            let r = self.store.save_profile(&who, &persist, p);
            self.note_storage(r, now);
        }
        Ok(TrackResult {
            accepted: true,
            reason: None,
        })
    }

    /// `recommend(options)`.
    pub fn recommend(&mut self, options: &Value, now: f64) -> Result<Vec<Recommendation>> {
        let req = Request::parse(options)?;
        let who = self.gate.personalization();
        let input = recommend::Input {
            model: &self.model,
            policy: &self.policy,
            weights: &self.weights,
            profile: match (&who, &self.profile) {
                (Some(who), Some(p)) => Some(p.view(who, now)),
                _ => None,
            },
            sensitive_ok: false,
        };
        Ok(recommend::recommend(
            &input,
            &req,
            &mut self.scratch,
            &mut self.rng,
        ))
    }

    /// `setConsent(consent)`: applies a new decision and returns the state in force.
    pub fn set_consent(&mut self, v: &Value, now: f64) -> Result<ConsentState> {
        let input = ConsentInput::parse("setConsent", v)?;
        self.apply_consent(input.resolve(now), now);
        Ok(self.gate.state().clone())
    }

    pub fn consent(&self) -> ConsentState {
        self.gate.state().clone()
    }

    /// `profile()`: `None` when no profile is held (no personalization consent).
    pub fn profile(&self, now: f64) -> Option<Summary> {
        let who = self.gate.personalization()?;
        self.profile.as_ref().map(|p| p.summary(&who, now))
    }

    /// `exportData()`.
    pub fn export(&self, now: f64) -> ExportData {
        let who = self.gate.personalization();
        ExportData {
            format: "vitrine-export",
            version: crate::VERSION,
            exported_at: now,
            consent: self.consent(),
            profile: who.and_then(|w| self.profile.as_ref().map(|p| p.export(&w, now))),
            storage: self.store.inventory(),
            history: self.history.entries(),
        }
    }

    /// `erase()`: deletes the profile from memory and every key of the namespace from storage.
    /// Consent stays as it is; with personalization, a new empty profile starts.
    pub fn erase(&mut self, now: f64) {
        self.profile = None;
        let r = self.store.erase_all();
        self.note_storage(r, now);
        self.history.push(Entry::Erase {
            at: now,
            what: "all",
        });
        if self.gate.personalization().is_some() {
            self.profile = Some(Profile::new(self.policy.half_life_ms()));
        }
    }

    /// `audit()`.
    pub fn audit(&self, now: f64) -> Report {
        let keys = self.store.inventory();
        let who = self.gate.personalization();
        let held = who.is_some() && self.profile.is_some();
        let profile = self.profile.as_ref().filter(|_| held);
        Report {
            mode: "local-only",
            version: crate::VERSION,
            network: audit::NETWORK,
            consent: self.consent(),
            storage: StorageReport {
                backend: self.store.backend_name(),
                namespace: self.store.namespace().to_owned(),
                persistent: self.gate.storage().is_some(),
                total_bytes: keys.iter().map(|k| k.bytes).sum(),
                keys,
            },
            profile: ProfileReport {
                held,
                signals: profile.map_or(0, Profile::signal_count),
                oldest: profile.and_then(Profile::oldest),
                retention_days: self.policy.retention_days,
                half_life_days: self.policy.half_life_days,
                memory_bytes: profile.map_or(0, Profile::memory_bytes),
            },
            history: self.history.entries(),
            generated_at: now,
        }
    }

    /// Records a storage problem found outside the core (e.g. `localStorage` missing) in the
    /// audit history.
    pub fn report_storage_problem(&mut self, message: &str, now: f64) {
        self.note_storage(Err(crate::store::StoreError(message.to_owned())), now);
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Replaces the ranking weights (clamped to their documented ranges). The evaluation uses
    /// this to tune them; pages use the defaults.
    pub fn set_weights(&mut self, weights: Weights) {
        self.weights = weights.clamped();
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

#[cfg(test)]
mod tests;
