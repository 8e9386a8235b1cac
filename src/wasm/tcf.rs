//! `Vitrine.listenTcf`: follows the page's IAB TCF CMP through `__tcfapi('addEventListener', 2,
//! callback)`, acts on `tcloaded` and `useractioncomplete` only, and removes its listener when the
//! `Vitrine` is freed.

use super::{gpc, now};
use crate::consent::tcf::MAX_LEN;
use crate::session::{Session, TcfEvent};
use std::cell::{Cell, RefCell};
use std::rc::Weak;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The CMP's API (TCF v2.2 §"How does the CMP API work"). Declared `catch`: a CMP that throws,
    /// or no CMP at all, is an error value here, never an exception through Rust.
    #[wasm_bindgen(catch, js_name = __tcfapi)]
    fn tcfapi(
        command: &str,
        version: u32,
        callback: &JsValue,
        parameter: &JsValue,
    ) -> Result<(), JsValue>;
}

/// Whether the page has a CMP (or the CMP's stub that queues calls until it loads).
fn cmp_present() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("__tcfapi"))
        .is_ok_and(|f| f.is_function())
}

fn field(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A listener's state, kept here rather than in its callback: the CMP keeps the callback until
/// the JS engine collects it, but `free()` removes the entry at once, so nothing of a freed
/// `Vitrine` stays in wasm memory however long the CMP holds on.
struct Entry {
    handle: u32,
    session: Weak<RefCell<Session>>,
    /// The `listenerId` the CMP gave in its first callback; needed to remove the listener.
    id: Option<f64>,
    /// The `Vitrine` was freed before the CMP gave the id: the entry waits for it, to remove the
    /// listener then (without this, each instance freed while the CMP was still its stub left a
    /// listener the CMP kept calling for the life of the page).
    freed: bool,
}

thread_local! {
    /// The live listeners, by handle (handles only grow, so pushing keeps them sorted).
    static LISTENERS: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u32> = const { Cell::new(1) };
    /// The one Rust callback, made once per module: each listener gives the CMP this function
    /// bound to its handle (`dispatch.bind(null, handle)`, a plain JS function). A CMP calling
    /// after `free()` reaches a handle that is gone, never freed memory.
    static DISPATCH: js_sys::Function =
        Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(dispatch)
            .into_js_value()
            .unchecked_into();
}

fn dispatch(handle: JsValue, data: JsValue, success: JsValue) {
    let Some(handle) = handle.as_f64() else {
        return; // the CMP's answer to removeEventListener
    };
    let id = field(&data, "listenerId").as_f64();
    let session = LISTENERS.with_borrow_mut(|all| {
        let at = position(all, handle as u32).ok()?;
        let entry = &mut all[at];
        if entry.freed {
            // Freed before the CMP's first answer (its stub queued the call until it loaded):
            // the listener goes now that its id is known.
            if id.is_some() {
                all.remove(at);
            }
            return None;
        }
        entry.id = entry.id.or(id);
        Some(entry.session.clone())
    });
    match (session, id) {
        (Some(session), _) => on_event(&session, &data, &success),
        (None, Some(id)) if handle_gone(handle as u32) => remove(id),
        _ => {}
    }
}

/// Whether no entry has `handle` (any more).
fn handle_gone(handle: u32) -> bool {
    LISTENERS.with_borrow(|all| position(all, handle).is_err())
}

/// `__tcfapi('removeEventListener', 2, …, id)`.
fn remove(id: f64) {
    let done = DISPATCH.with(|f| f.clone());
    let _ = tcfapi("removeEventListener", 2, &done, &JsValue::from_f64(id));
}

fn position(all: &[Entry], handle: u32) -> Result<usize, usize> {
    all.binary_search_by_key(&handle, |e| e.handle)
}

/// A registered TCF event listener.
pub struct TcfListener {
    handle: u32,
}

impl TcfListener {
    /// Subscribes when a CMP is present.
    pub fn listen(session: Weak<RefCell<Session>>) -> Option<Self> {
        if !cmp_present() {
            return None;
        }
        let handle = NEXT.replace(NEXT.get() + 1);
        LISTENERS.with_borrow_mut(|all| {
            all.push(Entry {
                handle,
                session,
                id: None,
                freed: false,
            })
        });
        // Registered before the call: the CMP may answer inside it. Dropped (entry removed) if
        // the call throws.
        let listener = TcfListener { handle };
        let callback = DISPATCH.with(|f| f.bind1(&JsValue::NULL, &JsValue::from(handle)));
        tcfapi("addEventListener", 2, &callback, &JsValue::UNDEFINED).ok()?;
        Some(listener)
    }
}

impl Drop for TcfListener {
    fn drop(&mut self) {
        let handle = self.handle;
        let id = LISTENERS.with_borrow_mut(|all| {
            let at = position(all, handle).ok()?;
            let entry = &mut all[at];
            if entry.id.is_none() {
                entry.freed = true;
                entry.session = Weak::new();
                return None;
            }
            all.remove(at).id
        });
        if let Some(id) = id {
            remove(id);
        }
    }
}

fn on_event(session: &Weak<RefCell<Session>>, data: &JsValue, ok: &JsValue) {
    if ok.as_bool() == Some(false) {
        return;
    }
    let event = match field(data, "eventStatus").as_string().as_deref() {
        Some("tcloaded") => TcfEvent::Loaded,
        Some("useractioncomplete") => TcfEvent::UserAction,
        _ => return,
    };
    let Some(rc) = session.upgrade() else {
        return;
    };
    let before = super::storage::writes();
    on_tcdata(&rc, data, event);
    super::storage::after_writes(&rc, before);
}

fn on_tcdata(rc: &RefCell<Session>, data: &JsValue, event: TcfEvent) {
    let Ok(mut s) = rc.try_borrow_mut() else {
        return;
    };
    let at = now();
    if field(data, "gdprApplies").as_bool() == Some(false) {
        s.note_ignored(
            "tcf",
            "the CMP says GDPR does not apply (gdprApplies: false)".into(),
            at,
        );
        return;
    }
    let tc = field(data, "tcString");
    let too_long = tc
        .dyn_ref::<js_sys::JsString>()
        .is_some_and(|t| t.length() as usize > MAX_LEN);
    match tc.as_string() {
        Some(tc) if !too_long => {
            // A malformed string is noted in the history by the session.
            let _ = s.tcf_event(&tc, event, at, gpc());
        }
        _ => s.note_ignored("tcf", "the CMP's tcData has no usable tcString".into(), at),
    }
}
