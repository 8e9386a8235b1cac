//! The `local` back-end: `window.localStorage`. Every call is a `catch` import, so a disabled or
//! full storage gives an error value, never an exception through Rust. And the `storage` event,
//! through which tabs of one site keep one profile, with its stand-in for instances of one page
//! that share a namespace ([`Shared`]) and for the page's other copies of vitrine ([`copy_wrote`]):
//! a page receives no `storage` event of its own writes.

use crate::session::Session;
use crate::store::{Backend, StoreError};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub struct LocalStorage(web_sys::Storage);

#[wasm_bindgen]
extern "C" {
    /// `getItem` with the value left in JS: a presence check then costs no copy of the record
    /// into wasm (0.2–0.3 µs of `track`'s 4.5–6 µs with storage consent in Chromium, measured).
    #[wasm_bindgen(js_name = Storage)]
    type RawStorage;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_value(this: &RawStorage, key: &str) -> Result<JsValue, JsValue>;
}

fn err(e: JsValue) -> StoreError {
    let name = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string());
    StoreError(match name.as_deref() {
        Some("QuotaExceededError") => "localStorage is full (quota exceeded)".to_owned(),
        Some("SecurityError") => "localStorage is disabled".to_owned(),
        Some(other) => {
            let mut s = String::from("localStorage failed: ");
            s.push_str(other);
            s
        }
        None => "localStorage failed".to_owned(),
    })
}

impl LocalStorage {
    /// `Ok(None)` where there is no window (Node, workers); an error where the page has one but
    /// its `localStorage` throws (cookies blocked, Safari's private mode in older versions, a
    /// sandboxed frame) or is missing, so the fall-back to memory is reported.
    pub fn open() -> Result<Option<Self>, StoreError> {
        let Some(window) = web_sys::window() else {
            return Ok(None);
        };
        match window.local_storage() {
            Ok(Some(s)) => Ok(Some(LocalStorage(s))),
            Ok(None) => Err(StoreError("localStorage is missing".to_owned())),
            Err(e) => Err(err(e)),
        }
    }
}

impl Backend for LocalStorage {
    fn name(&self) -> &'static str {
        "local"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get_item(key).map_err(err)
    }

    fn contains(&self, key: &str) -> Result<bool, StoreError> {
        self.0
            .unchecked_ref::<RawStorage>()
            .get_item_value(key)
            .map(|v| !v.is_null())
            .map_err(err)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.set_item(key, value).map_err(err)?;
        WRITES.set(WRITES.get().wrapping_add(1));
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        // Removing what is not there changes nothing: not a write, which would have the page's
        // other instances told again (the fourth re-audit). A look that fails removes anyway.
        if let Ok(false) = self.contains(key) {
            return Ok(());
        }
        self.0.remove_item(key).map_err(err)?;
        WRITES.set(WRITES.get().wrapping_add(1));
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let n = self.0.length().map_err(err)?;
        let mut keys = Vec::with_capacity(n as usize);
        for i in 0..n {
            if let Some(k) = self.0.key(i).map_err(err)? {
                keys.push(k);
            }
        }
        Ok(keys)
    }
}

/// Listens for `storage` events (another tab of the site changed `localStorage`) and lets the
/// session take over what changed under its namespace. Removed when dropped.
pub struct StorageEvents {
    window: web_sys::Window,
    closure: Closure<dyn FnMut(web_sys::StorageEvent)>,
}

impl StorageEvents {
    pub fn listen(session: Weak<RefCell<Session>>, namespace: &str) -> Option<Self> {
        let window = web_sys::window()?;
        let mut prefix = namespace.to_owned();
        prefix.push(':');
        let closure =
            Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |e: web_sys::StorageEvent| {
                // `key` is null when the other tab called localStorage.clear().
                if e.key().is_some_and(|k| !k.starts_with(&prefix)) {
                    return;
                }
                let Some(rc) = session.upgrade() else {
                    return;
                };
                let before = writes();
                if let Ok(mut s) = rc.try_borrow_mut() {
                    s.storage_changed(super::now());
                };
                // What it merged of its own and wrote reaches the page's other instances.
                after_writes(&rc, before);
            });
        window
            .add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(StorageEvents { window, closure })
    }
}

impl Drop for StorageEvents {
    fn drop(&mut self) {
        let _ = self
            .window
            .remove_event_listener_with_callback("storage", self.closure.as_ref().unchecked_ref());
    }
}

thread_local! {
    /// Writes and removals this module made in `localStorage`, to tell whether a call wrote.
    static WRITES: Cell<u64> = const { Cell::new(0) };
    /// The open instances with the `local` back-end, by namespace.
    static SHARED: RefCell<Vec<(String, Weak<RefCell<Session>>)>> = const { RefCell::new(Vec::new()) };
    /// Instances [`after_writes`] could not tell because a call of theirs was running (page code
    /// run inside it wrote): told when that call ends ([`told_late`]).
    static SKIPPED: RefCell<Vec<Weak<RefCell<Session>>>> = const { RefCell::new(Vec::new()) };
}

/// An instance's place among the page's instances that keep their records in `localStorage`.
/// Two instances of one namespace on one page (the page's tracking code and a shelf widget, each
/// opening its own) share the records as two tabs do, but the browser sends the `storage` event
/// only to *other* pages: without this, one never saw the other's events on its shelves, and kept
/// showing a profile the other had erased until its own next event. Removed when dropped.
pub struct Shared {
    session: Weak<RefCell<Session>>,
}

impl Shared {
    pub fn join(session: Weak<RefCell<Session>>, namespace: &str) -> Self {
        join_page_copies();
        SHARED.with_borrow_mut(|all| all.push((namespace.to_owned(), session.clone())));
        Shared { session }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        SHARED.with_borrow_mut(|all| all.retain(|(_, s)| !s.ptr_eq(&self.session)));
    }
}

/// The count of writes so far; [`after_writes`] compares with it.
pub fn writes() -> u64 {
    WRITES.get()
}

/// After a call on `session` that began when [`writes`] was `before`: when it wrote, the other
/// open instances of its namespace take over what changed, as another tab does on the `storage`
/// event (and what one of them writes in turn reaches the rest, so every instance ends with
/// every event), and so do the page's other copies of vitrine ([`copy_wrote`]). Costs nothing on
/// a page with one instance per namespace and one copy.
pub fn after_writes(session: &Rc<RefCell<Session>>, before: u64) {
    // Passed over while this call ran (page code inside it opened an instance that wrote): what
    // changed is taken over now that it has ended, whatever the call was (the fifth re-audit).
    if told_late(session) {
        if let Ok(mut s) = session.try_borrow_mut() {
            s.storage_changed(super::now());
        }
    }
    if WRITES.get() == before {
        return;
    }
    let Ok(namespace) = session.try_borrow().map(|s| s.namespace().to_owned()) else {
        return;
    };
    tell_instances(&namespace, Some(session));
    tell_copies(&namespace);
}

/// Has this copy's open instances of `namespace` (all but `from`, whose call wrote) take over
/// what changed.
fn tell_instances(namespace: &str, from: Option<&Rc<RefCell<Session>>>) {
    // Copied out at each turn: the page's own `Storage` methods, called below, may open or free
    // one (one opened during a turn is told in the next: the seventh re-audit).
    let others = || -> Vec<Weak<RefCell<Session>>> {
        SHARED.with_borrow(|all| {
            all.iter()
                .filter(|(n, s)| {
                    n == namespace && from.is_none_or(|f| !std::ptr::eq(s.as_ptr(), Rc::as_ptr(f)))
                })
                .map(|(_, s)| s.clone())
                .collect()
        })
    };
    let mut turn = others();
    // In turns, each instance told once a turn: one that writes in a turn (what it merged of its
    // own) has every other take it over in the next, `from` included. Each writes what it
    // holds of its own once, so a turn without a write comes soon; three at most (re-telling
    // those told before at each write ran out of its bound at ten instances with events
    // waiting: the fifth re-audit).
    for _ in 0..3 {
        let start = WRITES.get();
        for other in &turn {
            let Some(rc) = other.upgrade() else { continue };
            let told = match rc.try_borrow_mut() {
                Ok(mut s) => {
                    s.storage_changed(super::now());
                    true
                }
                Err(_) => false,
            };
            if !told {
                SKIPPED.with_borrow_mut(|all| all.push(other.clone()));
            }
        }
        if WRITES.get() == start {
            return;
        }
        turn = others();
        turn.extend(from.map(Rc::downgrade));
    }
}

// The page's other copies of vitrine (two bundles each holding one, a module loaded again by a
// hot reload): each lists its instances in its own memory, so without this a copy never heard of
// another's refusal and wrote the withdrawn profile back (the two-copies audit).
#[wasm_bindgen(module = "/src/wasm/copies.js")]
extern "C" {
    #[wasm_bindgen(js_name = joinCopies)]
    fn join_copies(told: &JsValue);
    #[wasm_bindgen(js_name = tellCopies)]
    fn tell_copies_js(told: &JsValue, namespace: &str);
}

thread_local! {
    /// This copy's entry in the page's list of copies ([`copy_wrote`]), made when its first
    /// `local` instance opens.
    static TOLD: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Puts this copy on the page's list of copies, once.
fn join_page_copies() {
    TOLD.with_borrow_mut(|told| {
        if told.is_none() {
            let f = Closure::<dyn Fn(String)>::new(copy_wrote).into_js_value();
            join_copies(&f);
            *told = Some(f);
        }
    });
}

/// Tells the page's other copies that this one wrote under `namespace`.
fn tell_copies(namespace: &str) {
    let told = TOLD.with_borrow(|t| t.clone());
    if let Some(told) = told {
        tell_copies_js(&told, namespace);
    }
}

/// Another copy of vitrine on the page wrote under `namespace`: this copy's instances take it
/// over, as from another tab, and what they write in turn reaches the other copies (three deep
/// at most: `copies.js` counts, so that an exception through it cannot leave the count up).
fn copy_wrote(namespace: String) {
    let before = WRITES.get();
    tell_instances(&namespace, None);
    if WRITES.get() != before {
        tell_copies(&namespace);
    }
}

/// Whether `session` was passed over by [`after_writes`] while a call of its own ran, and is to
/// take over what changed now that the call has ended.
fn told_late(session: &Rc<RefCell<Session>>) -> bool {
    SKIPPED.with_borrow_mut(|all| {
        let before = all.len();
        all.retain(|s| s.strong_count() > 0 && !std::ptr::eq(s.as_ptr(), Rc::as_ptr(session)));
        all.len() != before
    })
}
