//! A session: one storefront page's vitrine. Ties the model, the consent gate, the profile, the
//! store and the audit trail together; this is what the JS class `Vitrine` wraps.
//!
//! Time, randomness and the browser's Global Privacy Control signal come from outside (`now`
//! arguments, [`Env`]), so every behaviour is reproducible in tests.
//!
//! - `mod.rs`: opening, tracking, recommending, reading (profile, export, audit);
//! - [`consent`](self::consent): decisions, their precedence and what a change erases;
//! - [`sync`](self::sync): keeping storage equal to what consent allows, and in step with other
//!   tabs of the same site.

use crate::args::Args;
mod consent;
mod human;
mod names;
mod sync;

pub use consent::TcfEvent;
pub use human::{screen, ImportRefusal, ImportResult};

use crate::audit::{self, ExportData, History, ProfileReport, Report, StorageReport};
use crate::channel::Arrival;
use crate::consent::{ConsentInput, Decision, Gate};
use crate::error::{Error, Result};
use crate::event::{currency_of, Currency, Event, Refusal};
use crate::model::{parse_catalog, Model};
use crate::policy::Policy;
use crate::profile::{Profile, Summary};
use crate::recommend::{self, Recommendation, Request, Scratch, Shelf, Weights};
use crate::rng::Rng;
use crate::store::{Backend, Clock, Erasures, Store};
use crate::value::{Blob, Value};
use serde::Serialize;
use std::collections::VecDeque;

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
    /// The currency of the catalog's prices (`currency: 'EUR'`): an event's price in another
    /// currency is not taken for one of them. `None`: every price is taken as given.
    pub currency: Option<Currency>,
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
    "currency",
];

/// The bytes of `options.model`, moved out of the options (left empty there): the model keeps
/// them and reads its large arrays in place, so a model file is copied once, into wasm memory.
fn take_model_file(v: &mut Value) -> Option<Blob> {
    let Value::Object(entries) = v else {
        return None;
    };
    match entries.iter_mut().find(|(k, _)| k == "model") {
        Some((_, Value::Bytes(bytes))) => Some(core::mem::take(bytes)),
        _ => None,
    }
}

impl OpenOptions {
    pub fn parse(v: Value) -> Result<Self> {
        OpenOptions::parse_with(v, None)
    }

    /// [`OpenOptions::parse`], the model given already built (`Vitrine.load`: `options.model`
    /// held the stream it was read from, and is not read again).
    pub fn parse_with(mut v: Value, given: Option<Model>) -> Result<Self> {
        let file = take_model_file(&mut v);
        let a = Args::new("open", "options", &v)?;
        a.reject_unknown(OPEN_KEYS)?;
        let model = match (given, a.get("model"), a.get("catalog")) {
            (Some(_), _, Some(_)) | (None, Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "open",
                    "options",
                    "give both model and catalog; give one of them",
                ))
            }
            (Some(model), _, None) => model,
            (None, Some(Value::Bytes(_)), None) => {
                let file = file.unwrap_or_default();
                Model::from_file_incoming(file.bytes, file.incoming.map(|i| *i))?
            }
            (None, Some(other), None) => {
                return Err(Error::wrong_type(
                    "open",
                    "options.model",
                    "a Uint8Array or an ArrayBuffer holding a model file (Vitrine.load also reads a Response, a Blob, a stream or a promise of one)",
                    other,
                ))
            }
            (None, None, Some(catalog)) => parse_catalog(catalog)?,
            (None, None, None) => Model::empty(),
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
        let currency = match a.string("currency", 16)? {
            None => None,
            Some(c) => Some(currency_of(c).ok_or_else(|| {
                Error::invalid(
                    "open",
                    "options.currency",
                    "must be a currency code of three letters, such as 'EUR'",
                )
            })?),
        };
        let policy = Policy::parse(a.get("policy").unwrap_or(&Value::Undefined))?;
        Ok(OpenOptions {
            currency,
            model,
            consent: a
                .get("consent")
                .map(|c| ConsentInput::parse("open", c, policy.tcf_purposes))
                .transpose()?,
            storage: match a.choice("storage", &["local", "memory"])? {
                Some("local") => StorageChoice::Local,
                Some(_) => StorageChoice::Memory,
                None => StorageChoice::Default,
            },
            namespace: namespace.to_owned(),
            policy,
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
    /// `navigator.globalPrivacyControl === true` (the wasm layer reads it).
    pub gpc: bool,
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

/// Most of its own recent events a tab keeps to re-apply onto another tab's write (see
/// [`sync`](self::sync)). They are also in the profile. An event is never dropped from the buffer
/// before it is stored: when the buffer is full of events a timed write still waits for (a burst
/// of more than 64 within [`WRITE_INTERVAL_MS`], an `importHistory` of more than 64 orders), the
/// tab writes first. Only while storage fails or holds another vitrine's records does the oldest
/// unstored one go (RELIABILITY.md, storage faults).
pub const MAX_OWN: usize = 64;

/// How long a tab keeps an event after a stored profile holds it: longer than any delay with
/// which a browser propagates `localStorage` writes between tabs (milliseconds in practice).
pub const MERGE_WINDOW_MS: f64 = 5_000.0;

/// How often the wasm layer lets `track` write the profile: the first event after a quiet
/// period is written at once, later ones within this many ms together at its end (and at once
/// when the page is hidden or closed). Writing the whole profile costs about a millisecond, a
/// hundred times an event; a burst of events now costs one or two writes.
pub const WRITE_INTERVAL_MS: f64 = 200.0;

/// An event this tab recorded, kept to re-apply if another tab's write overtakes it.
#[derive(Debug)]
struct Own {
    seq: u32,
    event: Event,
    t: f64,
    recorded: f64,
}

/// One page's vitrine.
pub struct Session {
    model: Model,
    policy: Policy,
    /// [`OpenOptions::currency`].
    currency: Option<Currency>,
    weights: Weights,
    /// The consent enforced: [`Decision`] after Global Privacy Control.
    gate: Gate,
    /// The shopper's decision in force, before GPC.
    decision: Decision,
    /// The browser's GPC signal, as last read.
    gpc: bool,
    /// Present only while personalization consent is given.
    profile: Option<Profile>,
    /// When that profile began ([`crate::store::Lineage::born`]; read only while it is held).
    born: f64,
    /// The erasures this tab knows of, its own and those other tabs' records told of.
    erasures: Erasures,
    /// This tab's recent events (at most [`MAX_OWN`], for [`MERGE_WINDOW_MS`] once stored).
    own: VecDeque<Own>,
    /// This tab's id as a writer of the stored profile, and its last event number.
    writer: u32,
    seq: u32,
    /// Highest own event number a stored profile is known to hold.
    confirmed: u32,
    /// Which writers' events the profile in memory holds.
    clock: Clock,
    /// Revision of the stored profile this tab last wrote or read.
    revision: Option<u32>,
    /// Whether the profile in memory differs from that revision (an event, a prune, a merge).
    dirty: bool,
    /// When the profile's signal that leaves first was last touched ([`Profile::expiry`]): a
    /// page open longer than the retention period prunes it then ([`Session::tend`]).
    expiry: f64,
    /// Whether this tab wrote the consent record that should be in storage now.
    consent_stored: bool,
    /// Whether a consent record of this vitrine's is in storage (this tab's, or the one a write
    /// that failed left): what [`Session::check_vanished`] looks for.
    record_stored: bool,
    /// The signal that made the decision in force, when it was read from storage
    /// (`Source::Stored` stands for it in `decision`); written back with the decision.
    stored_source: crate::consent::Source,
    /// A call skipped the look at storage (`track` within the write interval): the next write
    /// looks first, so that nothing the browser cleared is written back.
    unlooked: bool,
    /// The stored decision is not in force here — a newer vitrine's record (another tab runs a
    /// later deploy), a read that failed, or a decision older than `policy.consentMaxAgeDays` —
    /// and the shopper has not decided in this tab: nothing is personalized, and storage is left
    /// as it is (a failed read is never taken for a missing record, RELIABILITY.md).
    unread_consent: bool,
    /// The stored profile is a newer vitrine's: this tab neither merges nor overwrites it, and
    /// keeps its own profile in memory.
    newer_profile: bool,
    /// The last read of the stored profile failed: it is not overwritten (it may hold what this
    /// tab never saw) until a read succeeds, which merges this tab's events into it.
    unread_profile: bool,
    /// The decision in force was taken over from another tab's record while this page was open
    /// (not read at open): this page's CMP string is not the one that made it, and does not
    /// make it again (`tcf_event`).
    taken_over: bool,
    /// When this page last saw the records another tab wrote vanish (P10, a clearing), leaving
    /// the default decision in force (`NEG_INFINITY`: never, or a decision made since): a CMP
    /// string loaded before then is not this page's to apply over that withdrawal
    /// (`tcf_event`).
    vanished_at: f64,
    store: Store,
    history: History,
    scratch: Scratch,
    rng: Rng,
    /// The last storage failure logged, so a full quota is reported once, not per event.
    last_storage_error: Option<String>,
    /// Least time between two profile writes caused by `track` (0: every event is written).
    write_interval: f64,
    /// When `track` last wrote the profile.
    last_write: f64,
    /// Whether events recorded since then still wait for [`Session::flush`].
    pending: bool,
    /// What the page's URL and referrer said about the visit (see [`Session::arrive`]).
    arrival: Arrival,
    /// The catalog index of each line of the event being tracked: kept, to spare an allocation
    /// per event.
    known: Vec<Option<u32>>,
    /// The catalog names events were filled in with, shared by the events.
    names: names::Names,
    /// Opened by `Vitrine.load` before its model arrived: the profile is not written until it
    /// has ([`Session::open_awaiting_model`]).
    awaiting_model: bool,
}

impl Session {
    /// Opens a session. The consent given (or, without one, the shopper's stored decision) is
    /// applied at once: a withdrawal found at open erases what it covers, and signals older than
    /// the retention period are pruned from the stored profile.
    pub fn open(opts: OpenOptions, backend: Box<dyn Backend>, env: Env) -> Self {
        Session::open_with(opts, backend, env, false)
    }

    /// [`Session::open`] for `Vitrine.load`, whose model is still to come
    /// ([`Session::set_model`]): until it has, the profile is not written — without the model,
    /// what it flags sensitive cannot be screened, and a copy written then would be taken for a
    /// screened one (the load's re-audit).
    pub fn open_awaiting_model(opts: OpenOptions, backend: Box<dyn Backend>, env: Env) -> Self {
        Session::open_with(opts, backend, env, true)
    }

    fn open_with(opts: OpenOptions, backend: Box<dyn Backend>, env: Env, awaiting: bool) -> Self {
        let mut s = Session {
            awaiting_model: awaiting,
            model: opts.model,
            weights: Weights::default(),
            gate: Gate::default(),
            decision: Decision::default(),
            gpc: env.gpc,
            profile: None,
            born: 0.0,
            erasures: Erasures::default(),
            own: VecDeque::new(),
            writer: Rng::new(env.seed ^ 0x5752_4954_4552).next_u64() as u32,
            seq: 0,
            confirmed: 0,
            clock: Clock::default(),
            revision: None,
            dirty: false,
            expiry: f64::INFINITY,
            consent_stored: false,
            record_stored: false,
            unlooked: false,
            stored_source: crate::consent::Source::Default,
            unread_consent: false,
            newer_profile: false,
            unread_profile: false,
            taken_over: false,
            vanished_at: f64::NEG_INFINITY,
            store: Store::new(backend, &opts.namespace),
            history: History::default(),
            scratch: Scratch::default(),
            rng: Rng::new(env.seed),
            last_storage_error: None,
            write_interval: 0.0,
            last_write: f64::NEG_INFINITY,
            pending: false,
            arrival: Arrival::Unknown,
            known: Vec::new(),
            names: names::Names::default(),
            policy: opts.policy,
            currency: opts.currency,
        };
        let decision = match opts.consent {
            Some(input) => {
                // The decision given replaces the stored one, not what that one's record knows
                // of erasures (a copy of before one may be stored); what it leaves denied is an
                // erasure made here (`apply`).
                s.follow_stored_erasures(env.now);
                input.decide(env.now, env.gpc)
            }
            None => s.stored_decision(env.now).unwrap_or_default(),
        };
        s.apply(decision, env.now);
        s
    }

    /// The model a `Vitrine.load` read while its instance was open already: opened when the
    /// page called it, its consent applied then, it has followed since what every instance of
    /// the page follows (other instances' and tabs' writes, a clearing), so a decision the
    /// shopper made while the file arrived stands (the model lifecycle audit: applied at the
    /// end, the consent given undid a withdrawal made meanwhile). What the catalog's caches held
    /// goes, and what the model flags sensitive goes from the profile, as at open.
    pub fn set_model(&mut self, model: Model, now: f64) {
        self.model = model;
        self.awaiting_model = false;
        self.scratch = Scratch::default();
        self.known.clear();
        self.names = names::Names::default();
        if self.profile.is_some() && self.gate.sensitive().is_none() {
            self.erase_sensitive(now);
        }
        // What waited for the model is written now, as `open` would have written it.
        self.sync_storage(now);
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
        // Whether the browser cleared vitrine's records is looked at before a write: now, when
        // this event is written at once, else by `flush`, before it writes the events that
        // wait (until then an event after a clearing is held in memory only, and goes with the
        // rest when the look finds the records gone).
        if self.write_due(now) {
            self.tend(now);
        } else {
            self.unlooked = true;
            self.keep(now);
        }
        if self.gate.personalization().is_none() {
            return Ok(TrackResult::refused(Refusal::NoConsent));
        }
        let mut event = match parsed {
            Ok(e) => e,
            Err(r) => return Ok(TrackResult::refused(r)),
        };
        let t = crate::profile::event_time(event.timestamp, now);
        if t < now - self.policy.retention_ms() {
            return Ok(TrackResult::refused(Refusal::Expired));
        }
        if event.channel.is_none() {
            event.channel = self.visit_channel(now);
        }
        let mut known = core::mem::take(&mut self.known);
        self.enrich(&mut event, &mut known);
        let folded = self.fold(event, &known, t, now);
        self.known = known;
        if let Err(r) = folded {
            return Ok(TrackResult::refused(r));
        }
        if self.gate.storage().is_some() {
            if self.write_due(now) {
                self.last_write = now;
                self.pending = false;
                self.persist_profile(now);
            } else {
                self.pending = true;
            }
        }
        Ok(Self::accepted())
    }

    /// Keeps a list view's category only when the catalog has it; gives each line about an item
    /// the catalog knows the catalog's category and brand (where it has them) and, when the event
    /// has none, its price; sets `known` to the catalog index of each line's item, which
    /// screening needs too. A name on the policy's sensitive list is never replaced or dropped
    /// here: screening decides what becomes of it, as it would have without the catalog.
    fn enrich(&mut self, event: &mut Event, known: &mut Vec<Option<u32>>) {
        let (model, names, policy) = (&self.model, &mut self.names, &self.policy);
        let sensitive = |name: Option<&str>| name.is_some_and(|n| human::sensitive_name(policy, n));
        // A list counts for its category only when the catalog has that category: a collection
        // titled 'Frontpage' or 'Summer sale' is merchandising, no taste, and kept it would take
        // one of the profile's category slots.
        if model.category_count() > 0 {
            event.list = event.list.take().filter(|l| {
                let key = crate::text::key(l);
                policy.is_sensitive(&key) || model.category_of_name(&key).is_some()
            });
        }
        for line in &mut event.lines {
            // A price in another currency than the catalog's (a shop selling abroad in the
            // shopper's currency) would put the shopper in a price band of the wrong magnitude:
            // it is not read, and the catalog's price counts where the catalog has the item.
            if line
                .currency
                .is_some_and(|c| self.currency.is_some_and(|shop| c != shop))
            {
                line.price = None;
            }
            // A line's item is the one of its ids the catalog knows (a Segment event names its
            // product by `product_id` and `sku`; the catalog may be keyed by either).
            let unknown = |id: &String| model.index_of(id).is_none();
            if line.item_id.as_ref().is_some_and(unknown) {
                if let Some(k) = line.other_ids.iter().position(|id| !unknown(id)) {
                    line.item_id = Some(line.other_ids.swap_remove(k));
                }
            }
        }
        known.clear();
        known.extend(human::catalog_indices(model, event));
        for (line, i) in event.lines.iter_mut().zip(known.iter()) {
            // A line is in a sensitive category when any level the event gives is ('Health' >
            // 'Vitamins'): that level is then its category, for the screen and what it keeps.
            if !sensitive(line.category.as_deref()) {
                if let Some(level) = line.broader.iter().find(|c| sensitive(Some(c))) {
                    line.category = Some(level.clone());
                }
            }
            let Some(i) = *i else {
                continue;
            };
            // The catalog's category and brand, where it has them, over the event's: they are
            // what shelves are ranked by (GA4's `item_category5: 'Short sleeve'` kept as a taste
            // matched no catalog category). The price the event gives is the one the shopper saw.
            if !sensitive(line.category.as_deref()) {
                if let Some(c) = names.category(model, model.category(i)) {
                    line.category = Some(c);
                }
            }
            if let Some(b) = names.brand(model, model.brand(i)) {
                line.brand = Some(b);
            }
            if line.price.is_none() {
                line.price = model.price(i).map(f64::from);
            }
        }
    }

    /// `recommend(options)`.
    pub fn recommend(&mut self, options: &Value, now: f64) -> Result<Vec<Recommendation>> {
        let req = Request::parse(options)?;
        self.tend(now);
        // Taken out for the call, so that the input can borrow the rest of the session.
        let (mut scratch, mut rng) = (
            core::mem::take(&mut self.scratch),
            core::mem::replace(&mut self.rng, Rng::new(0)),
        );
        let shelf = self.with_input(&req, now, |input| {
            recommend::recommend(input, &req, &mut scratch, &mut rng)
        });
        (self.scratch, self.rng) = (scratch, rng);
        Ok(shelf)
    }

    /// `explainShelf(options)`: what `recommend(options)` serves and why, in one sentence, with
    /// the parts of the profile it uses.
    pub fn explain_shelf(&self, options: &Value, now: f64) -> Result<Shelf> {
        let req = Request::parse_for("explainShelf", options)?;
        Ok(self.with_input(&req, now, |input| recommend::shelf_of(input, &req)))
    }

    /// `f` given what ranking reads for `req`: the model, the policy, the profile as consent
    /// allows it, and the channel (the request's, else the visit's).
    fn with_input<T>(&self, req: &Request, now: f64, f: impl FnOnce(&recommend::Input) -> T) -> T {
        let channel = req.channel.clone().or_else(|| self.visit_channel(now));
        let who = self.gate.personalization();
        let profile = match (&who, &self.profile) {
            (Some(who), Some(p)) => Some(p.view(who, now)),
            _ => None,
        };
        f(&recommend::Input {
            gentle: self.gentle(profile.as_ref()),
            model: &self.model,
            policy: &self.policy,
            weights: &self.weights,
            profile,
            sensitive_ok: self.gate.sensitive().is_some(),
            channel: channel.as_deref(),
        })
    }

    /// `profile()`: `None` when no profile is held (no personalization consent).
    pub fn profile(&self, now: f64) -> Option<Summary> {
        let who = self.gate.personalization()?;
        self.profile.as_ref().map(|p| p.summary(&who, now))
    }

    /// `exportData()`: everything held about the shopper.
    pub fn export(&self, now: f64) -> ExportData {
        let who = self.gate.personalization();
        ExportData {
            format: "vitrine-export",
            version: crate::VERSION,
            exported_at: now,
            consent: self.consent(),
            profile: who
                .as_ref()
                .and_then(|w| self.profile.as_ref().map(|p| p.export(w, now))),
            writers: match (&who, &self.profile) {
                (Some(_), Some(_)) => self
                    .clock
                    .entries()
                    .iter()
                    .map(audit::Writer::from)
                    .collect(),
                _ => Vec::new(),
            },
            profile_began_at: who.and(self.profile.as_ref()).map(|_| self.born),
            erased_at: self.erasures.into(),
            storage: self.store.inventory(),
            history: self.history.entries(),
        }
    }

    /// `audit()`: everything true of this instance now.
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
            gpc: self.gpc,
            policy: self.policy.clone(),
            storage: StorageReport {
                backend: self.store.backend_name(),
                namespace: self.store.namespace().to_owned(),
                // Written to the browser's storage now: a full or failing one holds only what it
                // took before (the history says since when).
                persistent: self.gate.storage().is_some()
                    && self.store.backend_name() != "memory"
                    && self.last_storage_error.is_none(),
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
                merge_buffer: self.own.len(),
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

    /// Writes of the profile caused by `track` happen at most every `ms` (0, the default: at every
    /// event). The caller must then call [`Session::flush`] at [`Session::flush_due`], and when
    /// the page goes away; the wasm layer does, with [`WRITE_INTERVAL_MS`].
    pub fn set_write_interval(&mut self, ms: f64) {
        self.write_interval = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
    }

    /// Whether an event at `now` is written at once: the write interval has passed since the
    /// last write, or the clock was put back before it (the events would wait as long).
    fn write_due(&self, now: f64) -> bool {
        now - self.last_write >= self.write_interval || now < self.last_write
    }

    /// When the events that wait to be written are due (`None`: nothing waits).
    pub fn flush_due(&self) -> Option<f64> {
        self.pending
            .then_some(self.last_write + self.write_interval)
    }

    /// Writes the events that wait, if any (nothing is written without storage consent), and
    /// forgets the own events stored longer ago than the merge window.
    pub fn flush(&mut self, now: f64) {
        // Records the browser cleared since the last write are not written back (P10).
        self.tend(now);
        if self.pending {
            self.pending = false;
            self.last_write = now;
            if self.gate.storage().is_some() {
                self.persist_profile(now);
            }
        }
        self.forget_own(now);
    }

    /// Replaces the ranking weights (clamped to their documented ranges). The evaluation uses
    /// this to tune them; pages use the defaults.
    pub fn set_weights(&mut self, weights: Weights) {
        self.weights = weights.clamped();
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn namespace(&self) -> &str {
        self.store.namespace()
    }
}

#[cfg(test)]
mod clock_ahead_tests;
#[cfg(test)]
mod consent_tests;
#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod human_tests;
#[cfg(test)]
mod lineage_audit2_tests;
#[cfg(test)]
mod lineage_audit3_tests;
#[cfg(test)]
mod lineage_audit4_tests;
#[cfg(test)]
mod lineage_audit5_tests;
#[cfg(test)]
mod lineage_tests;
#[cfg(test)]
mod load_pending_audit_tests;
#[cfg(test)]
mod open_shared_audit_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tell_audit_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod time_tests;
#[cfg(test)]
mod turns_audit_tests;
