//! The JS class `Vitrine`: a thin wrapper over [`Session`].

use super::convert::{
    to_js, to_value, track_args, track_to_js, ConvertError, Limits, HISTORY, LARGE, SMALL,
};
use super::load::ModelLoad;
use super::storage::{self, LocalStorage, Shared, StorageEvents};
use super::tcf::TcfListener;
use super::writes::{PageEvents, Timer};
use super::{gpc, landing, now, seed};
use crate::model::Model;
use crate::session::{Env, OpenOptions, Session, StorageChoice, TrackResult, WRITE_INTERVAL_MS};
use crate::store::{Backend, MemoryBackend};
use crate::value::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// On-device personalization for one page.
///
/// ```js
/// import init, { Vitrine } from 'vitrine';
/// await init();
/// const v = Vitrine.open({ catalog, consent: { personalization: true, storage: true } });
/// v.track('Product Viewed', { product_id: 'sku-9', category: 'Candles', price: 12 });
/// const shelf = v.recommend({ scenario: 'for_you', k: 8 });
/// // [{ itemId: 'sku-12', score: 0.8, reasons: ['because you like candles'] }, …]
/// ```
#[wasm_bindgen]
pub struct Vitrine {
    inner: Rc<RefCell<Session>>,
    /// The `storage` event listener (with the `local` back-end); removed when freed.
    _storage_events: Option<StorageEvents>,
    /// Its place among the page's instances of its namespace (with the `local` back-end; `None`:
    /// the instance keeps everything in memory).
    shared: Option<Shared>,
    /// The CMP listener of `listenTcf`; removed when freed.
    tcf: RefCell<Option<TcfListener>>,
    /// Writes the profile that `track` changed at the end of the write interval …
    timer: Timer,
    /// … or when the page is hidden or left; removed when freed.
    _page_events: Option<PageEvents>,
}

impl Drop for Vitrine {
    fn drop(&mut self) {
        super::writes::flush(&Rc::downgrade(&self.inner));
    }
}

pub(super) fn read(v: &JsValue, limits: Limits, func: &str) -> Result<Value, JsError> {
    to_value(v, limits).map_err(|e| {
        let mut m = String::from(func);
        m.push_str(": ");
        m.push_str(&e.message(limits));
        JsError::new(&m)
    })
}

fn busy() -> JsError {
    JsError::new("vitrine: called again while a call on the same instance was running")
}

impl Vitrine {
    /// Runs `f` on the session, for a call whose session method first ends what time has ended
    /// (`track`, `recommend`, and `flush` for `audit` and `exportData`: [`Session::tend`]).
    fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, JsError>) -> Result<T, JsError> {
        let before = storage::writes();
        let result = {
            let mut s = self.inner.try_borrow_mut().map_err(|_| busy())?;
            f(&mut s)
        };
        storage::after_writes(&self.inner, before);
        result
    }

    /// [`Vitrine::with`] for every other call: time's end first (a decision older than
    /// `consentMaxAgeDays`, signals past the retention period, records the browser cleared, on a
    /// page left open), so that no call answers under what has ended.
    fn tended<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, JsError>) -> Result<T, JsError> {
        self.with(|s| {
            s.tend(now());
            f(s)
        })
    }
}

#[wasm_bindgen]
impl Vitrine {
    /// Opens vitrine on this page. Throws an `Error` that names the option when an option is
    /// wrong (e.g. `open: catalog[3] has no id`).
    ///
    /// ```js
    /// const v = Vitrine.open({
    ///   catalog: [{ id: 'sku-1', title: 'Amber candle', category: 'Candles', price: 12 }],
    ///   consent: { personalization: true, storage: true },
    ///   storage: 'local',           // or 'memory'
    ///   policy: { halfLifeDays: 14, retentionDays: 30 },
    /// });
    /// ```
    pub fn open(
        #[wasm_bindgen(unchecked_param_type = "OpenOptions")] options: JsValue,
    ) -> Result<Vitrine, JsError> {
        Vitrine::open_parsed(OpenOptions::parse(read(&options, LARGE, "open")?)?, false)
    }

    /// `Vitrine.load`'s end (`src/wasm/load.js`): the instance `load` opened when the page called
    /// it, given the model file that arrived since.
    #[wasm_bindgen(js_name = openLoaded, skip_typescript)]
    pub fn open_loaded(load: ModelLoad) -> Result<Vitrine, JsError> {
        let (model, vitrine) = load.finish()?;
        vitrine.given_model(model)?;
        Ok(vitrine)
    }
}

impl Vitrine {
    /// The model of an instance `Vitrine.load` opened before it arrived.
    pub(super) fn given_model(&self, model: Model) -> Result<(), JsError> {
        self.tended(|s| {
            s.set_model(model, now());
            Ok(())
        })
    }

    /// Opens an instance; `awaiting`: its model is still to come (`Vitrine.load`).
    pub(super) fn open_parsed(opts: OpenOptions, awaiting: bool) -> Result<Vitrine, JsError> {
        let before = storage::writes();
        let at = now();
        let (local, problem) = match opts.storage {
            StorageChoice::Memory => (None, None),
            StorageChoice::Local | StorageChoice::Default => match LocalStorage::open() {
                Ok(Some(l)) => (Some(l), None),
                Ok(None) if opts.storage == StorageChoice::Local => (
                    None,
                    Some("localStorage is not available here; using memory".to_owned()),
                ),
                Ok(None) => (None, None),
                Err(mut e) => {
                    e.0.push_str("; using memory");
                    (None, Some(e.0))
                }
            },
        };
        let is_local = local.is_some();
        let backend: Box<dyn Backend> = match local {
            Some(l) => Box::new(l),
            None => Box::new(MemoryBackend::new()),
        };
        let env = Env {
            now: at,
            seed: seed(),
            gpc: gpc(),
        };
        let mut session = match awaiting {
            true => Session::open_awaiting_model(opts, backend, env),
            false => Session::open(opts, backend, env),
        };
        if let Some(problem) = problem {
            session.report_storage_problem(&problem, at);
        }
        session.set_write_interval(WRITE_INTERVAL_MS);
        let (url, referrer) = landing();
        session.arrive(&url, &referrer);
        let namespace = session.namespace().to_owned();
        let inner = Rc::new(RefCell::new(session));
        let (storage_events, shared) = if is_local {
            (
                StorageEvents::listen(Rc::downgrade(&inner), &namespace),
                Some(Shared::join(Rc::downgrade(&inner), &namespace)),
            )
        } else {
            (None, None)
        };
        // What opening wrote (the decision given) reaches the page's other instances, as another
        // tab's write reaches them (the load's re-audit: a refusal given to a later `open` or
        // `load` left the instance serving the page personalizing).
        storage::after_writes(&inner, before);
        let page_events = PageEvents::listen(Rc::downgrade(&inner));
        Ok(Vitrine {
            inner,
            _storage_events: storage_events,
            shared,
            tcf: RefCell::new(None),
            timer: Timer::new(),
            _page_events: page_events,
        })
    }
}

#[wasm_bindgen]
impl Vitrine {
    /// Follows the page's IAB TCF CMP: subscribes with `__tcfapi('addEventListener', 2, …)` and
    /// applies the TC string on `tcloaded` (when it is not older than the decision in force) and
    /// on `useractioncomplete` (a decision made now). Other statuses, `gdprApplies: false` and
    /// malformed strings change nothing and are noted in `audit().history`. Returns whether a CMP
    /// was found; calling it again is harmless. `free()` removes the listener.
    ///
    /// ```js
    /// const v = Vitrine.open({ catalog });
    /// if (!Vitrine.listenTcf(v)) v.setConsent({ personalization: false }); // no CMP on this page
    /// // … the shopper decides in the CMP: v.consent() → { …, source: 'tcf' }
    /// v.free(); // also removes the CMP listener
    /// ```
    #[wasm_bindgen(js_name = listenTcf)]
    pub fn listen_tcf(v: &Vitrine) -> bool {
        if v.tcf.borrow().is_some() {
            return true;
        }
        let listener = TcfListener::listen(Rc::downgrade(&v.inner));
        let found = listener.is_some();
        *v.tcf.borrow_mut() = listener;
        found
    }

    /// Records what the shopper did, in Segment, GA4 or Shopify Web Pixels form. Returns
    /// `{accepted: true}`, or `{accepted: false, reason}` for events that are refused (no
    /// consent, unknown name, bad data). Throws only when the call itself has the wrong shape.
    ///
    /// ```js
    /// v.track('Product Viewed', { product_id: 'sku-9', category: 'Candles', price: 12 });
    /// v.track('add_to_cart', { items: [{ item_id: 'sku-9', quantity: 2 }] });
    /// // a Google Tag Manager dataLayer push as it is:
    /// v.track('view_item', { event: 'view_item', ecommerce: { items: [{ item_id: 'sku-9' }] } });
    /// v.track('Order Completed', { products: [{ product_id: 'sku-9' }] }, { channel: 'instagram' });
    /// // → { accepted: true }   or   { accepted: false, reason: 'no_consent' }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TrackResult")]
    pub fn track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EventName")] event: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "EventProperties")] properties: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "TrackOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        // The three arguments and the time in one call out of wasm, as three `read`s and a
        // `now()` would read them.
        let (name, args) = track_args(&event, properties.as_ref(), options.as_ref(), SMALL)
            .map_err(|e| {
                let mut m = String::from("track: ");
                m.push_str(&e.message(SMALL));
                JsError::new(&m)
            })?;
        let (props, opts) = match (args.properties, args.options) {
            (Ok(p), Ok(o)) => (p, o),
            (Err(ConvertError::Threw), _) | (_, Err(ConvertError::Threw)) => {
                return Err(JsError::new(
                    "track: reading the properties threw an exception (a getter or Proxy)",
                ))
            }
            (p, o) => {
                // A string longer than any property may hold is refused as such, whatever else.
                let long = p.err() == Some(ConvertError::TooLong)
                    || o.err() == Some(ConvertError::TooLong);
                return Ok(track_to_js(&TrackResult {
                    accepted: false,
                    reason: Some(if long { "string_too_long" } else { "too_large" }),
                }));
            }
        };
        let result = self.with(|s| Ok(s.track(&name, &props, &opts, args.now)?))?;
        super::convert::recycle([name, props, opts]);
        self.timer.schedule(&self.inner);
        Ok(track_to_js(&result))
    }

    /// Recommendations for a shelf, best first, at most `k` (default 10, max 100). Throws an
    /// `Error` naming the option when the options are wrong: an unknown scenario or option, `k`
    /// not an integer from 1 to 100, `diversity` or `explore` outside 0–1, no `itemId` or
    /// `itemIds` for 'similar' or 'bought_together'.
    ///
    /// ```js
    /// v.recommend({ scenario: 'for_you', k: 8 });
    /// v.recommend({ scenario: 'similar', itemId: 'sku-9', filter: { maxPrice: 30 } });
    /// v.recommend({ scenario: 'cart', itemIds: ['sku-9', 'sku-2'], diversity: 0.5 });
    /// // → [{ itemId: 'sku-12', score: 0.5, reasons: ['because you viewed sku-9'] }, …]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Recommendation[]")]
    pub fn recommend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecommendOptions")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        let value = read(&options, SMALL, "recommend")?;
        let recs = self.with(|s| Ok(s.recommend(&value, now())?))?;
        to_js(&recs)
    }

    /// Applies the shopper's consent decision, made now, and returns the state in force.
    /// Withdrawing a purpose erases what it covered, at once. The input is the site's banner
    /// flags, a TC string (storage ← TCF purpose 1, personalization ← purposes 5 and 6), Google
    /// Consent Mode v2 (`personalization_storage` decides both), or a mix (banner flags win, then
    /// TCF). With Global Privacy Control on and `policy.gpc: 'deny'`, personalization stays
    /// denied unless this is the site's own explicit opt-in. A malformed TC string, or a consent
    /// that decides nothing (`undefined`, `null`, `{}`), throws and changes nothing.
    ///
    /// ```js
    /// v.setConsent({ personalization: true, storage: false });
    /// // → { personalization: true, storage: false, sensitive: false, source: 'explicit', updatedAt: 1732… }
    /// v.setConsent({ tcf: tcString });
    /// v.setConsent({ googleConsentMode: { personalization_storage: 'granted', ad_storage: 'denied' } });
    /// ```
    #[wasm_bindgen(js_name = setConsent, unchecked_return_type = "ConsentState")]
    pub fn set_consent(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConsentInput")] consent: JsValue,
    ) -> Result<JsValue, JsError> {
        let value = read(&consent, SMALL, "setConsent")?;
        let state = self.tended(|s| Ok(s.set_consent(&value, now(), gpc())?))?;
        to_js(&state)
    }

    /// The consent in force.
    ///
    /// ```js
    /// v.consent(); // → { personalization: false, storage: false, sensitive: false, source: 'default', updatedAt: null }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ConsentState")]
    pub fn consent(&self) -> Result<JsValue, JsError> {
        let state = self.tended(|s| Ok(s.consent()))?;
        to_js(&state)
    }

    /// What the device knows about the shopper, at a glance; `null` without personalization
    /// consent.
    ///
    /// ```js
    /// v.profile()?.categories; // → [{ name: 'candles', weight: 3, share: 0.75 }, …]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "ProfileSummary | null")]
    pub fn profile(&self) -> Result<JsValue, JsError> {
        let summary = self.tended(|s| {
            let at = now();
            Ok(s.profile(at))
        })?;
        to_js(&summary)
    }

    /// Everything vitrine holds about the shopper, as plain JSON (data portability).
    ///
    /// ```js
    /// const blob = new Blob([JSON.stringify(v.exportData())], { type: 'application/json' });
    /// ```
    #[wasm_bindgen(js_name = exportData, unchecked_return_type = "ExportData")]
    pub fn export_data(&self) -> Result<JsValue, JsError> {
        let data = self.with(|s| {
            let at = now();
            s.flush(at);
            Ok(s.export(at))
        })?;
        to_js(&data)
    }

    /// Deletes everything vitrine holds about the shopper, in memory and in storage, and forgets
    /// the consent decision: nothing is collected again until the shopper decides anew. Only with
    /// `policy.rememberRefusal`, a refusal in force keeps its small consent record. Other tabs of
    /// the site follow when they see the stored records go (with storage consent). An instance
    /// opened with `storage: 'memory'` deletes the namespace's records from `localStorage` too,
    /// where the page has it: what another instance (an earlier page) stored is the shopper's too.
    ///
    /// ```js
    /// v.erase();
    /// Object.keys(localStorage).filter(k => k.startsWith('vitrine:')); // → []
    /// v.consent().source; // → 'default'
    /// ```
    pub fn erase(&self) -> Result<(), JsError> {
        let memory = self.shared.is_none();
        self.with(|s| {
            s.erase(now());
            if memory {
                let local =
                    LocalStorage::open().map(|l| l.map(|l| Box::new(l) as Box<dyn Backend>));
                s.erase_other(local, now());
            }
            Ok(())
        })
    }

    /// The channel of this visit: from the landing page's campaign tags (`utm_source`,
    /// `utm_medium`), a platform's click id (`fbclid`, `gclid`, `ttclid`, …), the referrer, or,
    /// with no referrer, the app whose in-app browser shows the page (instagram, facebook, tiktok,
    /// pinterest, whatsapp, threads, email, search, direct, in_store, …), as read at `open`. On a
    /// page reached from the shop's own pages it is the channel of the shopper's latest activity
    /// within the visit (with personalization consent, and storage consent to read it from the
    /// stored profile), else `'direct'`; `null` outside a page. Every tracked event without
    /// `options.channel` carries it. Only this label is kept, never the URL, the referrer or the
    /// user agent.
    ///
    /// ```js
    /// // landed on https://shop.example/?utm_source=ig&utm_medium=social
    /// v.channel(); // → 'instagram'
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Channel | null")]
    pub fn channel(&self) -> Result<JsValue, JsError> {
        let c = self.tended(|s| Ok(s.channel(now())))?;
        Ok(c.map_or(JsValue::NULL, |c| JsValue::from_str(&c)))
    }

    /// Loads the signed-in shopper's own past orders — from any channel: the shop's account
    /// page, a receipt's QR code — so recommendations know what was bought in a store or on
    /// another device. The page fetches them as it fetches any page of the account; vitrine only
    /// reads what it is handed and sends nothing. Needs personalization consent (otherwise
    /// nothing is read: `{imported: 0, duplicates: 0, refused: [], reason: 'no_consent'}`).
    /// Each record is an order as `Order Completed` / `purchase` properties plus `timestamp`
    /// (required) and `channel`; records are validated like events, at most 1,000 per call; an
    /// order already counted (live, or imported before) is counted once.
    ///
    /// ```js
    /// const r = v.importHistory([
    ///   { order_id: 'POS-1042', timestamp: Date.now() - 3 * 86_400_000, channel: 'in_store',
    ///     products: [{ product_id: 'sku-9', quantity: 2, price: 12 }] },
    /// ]);
    /// // → { imported: 1, duplicates: 0, refused: [] }
    /// v.recommend({ scenario: 'buy_again' }); // → [{ itemId: 'sku-9', … }]
    /// ```
    #[wasm_bindgen(js_name = importHistory, unchecked_return_type = "ImportResult")]
    pub fn import_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly ImportRecord[]")] records: JsValue,
    ) -> Result<JsValue, JsError> {
        let value = read(&records, HISTORY, "importHistory")?;
        let result = self.tended(|s| Ok(s.import_history(&value, now())?))?;
        to_js(&result)
    }

    /// Whether to offer the shopper a person (chat, WhatsApp, a phone call) rather than another
    /// automated answer, from frustration signals on the device: repeated searches with no
    /// click, the same item put in and taken out of the cart again and again, a checkout started
    /// and abandoned, a detractor's survey answer. Nothing of it leaves the device; the page
    /// decides what to show. Without personalization consent nothing is known:
    /// `{suggestHuman: false, reasons: []}`.
    ///
    /// ```js
    /// const help = v.assistance();
    /// // → { suggestHuman: true, reasons: ['searches_without_click'] }
    /// if (help.suggestHuman) showChatInvite();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Assistance")]
    pub fn assistance(&self) -> Result<JsValue, JsError> {
        let a = self.tended(|s| Ok(s.assistance(now())))?;
        to_js(&a)
    }

    /// Why a shelf shows what it shows: the scenario served after fallbacks, one sentence for
    /// the page to show under the shelf, the parts of the profile it uses, the channel whose own
    /// trending list it uses, and whether sensitive categories are left out. Takes the options
    /// of `recommend` and explains exactly what `recommend` serves for them.
    ///
    /// ```js
    /// v.explainShelf({ scenario: 'for_you' });
    /// // → { scenario: 'for_you', served: 'for_you', personal: true,
    /// //     explanation: 'picked for you from your activity on this device',
    /// //     signals: ['views', 'categories'], channel: null, sensitiveExcluded: true,
    /// //     maxSignalShare: 0.5 }
    /// ```
    #[wasm_bindgen(js_name = explainShelf, unchecked_return_type = "ShelfExplanation")]
    pub fn explain_shelf(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecommendOptions")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        let value = read(&options, SMALL, "explainShelf")?;
        let shelf = self.tended(|s| {
            let at = now();
            Ok(s.explain_shelf(&value, at)?)
        })?;
        to_js(&shelf)
    }

    /// The privacy report: mode, network capability, consent and its history, every storage key
    /// with its size, and what the profile holds.
    ///
    /// ```js
    /// const report = v.audit();
    /// report.network.capable;      // → false
    /// report.storage.keys;         // → [{ key: 'vitrine:profile', bytes: 1840 }, …]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "AuditReport")]
    pub fn audit(&self) -> Result<JsValue, JsError> {
        let report = self.with(|s| {
            let at = now();
            s.flush(at);
            Ok(s.audit(at))
        })?;
        to_js(&report)
    }
}
