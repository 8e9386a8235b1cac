//! `Vitrine.listenTcf`: follows the page's IAB TCF CMP through `__tcfapi('addEventListener', 2,
//! callback)`, acts on `tcloaded` and `useractioncomplete` only, and removes its listener when the
//! `Vitrine` is freed.

use super::{gpc, now};
use crate::consent::tcf::MAX_LEN;
use crate::session::{Session, TcfEvent};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
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

/// The session a listener acts on; emptied when the `Vitrine` is freed.
type Target = Rc<RefCell<Option<Weak<RefCell<Session>>>>>;

/// A registered TCF event listener.
pub struct TcfListener {
    /// The `listenerId` the CMP gave in its first callback; needed to remove the listener.
    id: Rc<Cell<Option<f64>>>,
    /// Shared with the callback. The callback itself is freed only when the CMP's reference to
    /// it is garbage-collected; emptying this at `free()` lets the session's memory go at once
    /// instead (about 1 KB per `open`/`listenTcf`/`free` cycle otherwise held until a JS GC).
    target: Target,
}

impl TcfListener {
    /// Subscribes when a CMP is present.
    pub fn listen(session: Weak<RefCell<Session>>) -> Option<Self> {
        if !cmp_present() {
            return None;
        }
        let id = Rc::new(Cell::new(None));
        let seen = id.clone();
        let target: Target = Rc::new(RefCell::new(Some(session)));
        let for_callback = target.clone();
        let callback =
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |data: JsValue, success: JsValue| {
                let session = for_callback.borrow().clone().unwrap_or_default();
                on_event(&session, &seen, &data, &success)
            })
            // Owned by the CMP from here: a CMP calling after `free()` reaches a dead Weak, not freed
            // memory.
            .into_js_value();
        tcfapi("addEventListener", 2, &callback, &JsValue::UNDEFINED).ok()?;
        Some(TcfListener { id, target })
    }
}

impl Drop for TcfListener {
    fn drop(&mut self) {
        self.target.borrow_mut().take();
        if let Some(id) = self.id.get() {
            let done = Closure::once_into_js(|_: JsValue| {});
            let _ = tcfapi("removeEventListener", 2, &done, &JsValue::from_f64(id));
        }
    }
}

fn on_event(
    session: &Weak<RefCell<Session>>,
    id: &Cell<Option<f64>>,
    data: &JsValue,
    ok: &JsValue,
) {
    if let Some(n) = field(data, "listenerId").as_f64() {
        id.set(Some(n));
    }
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
