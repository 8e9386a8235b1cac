//! When the profile that `track` changed is written (see `session::WRITE_INTERVAL_MS`): a timer
//! at the end of the interval, and at once when the page is hidden (`visibilitychange`) or
//! left (`pagehide`), the last moments a page is sure to run, so no event is lost when the tab
//! closes. `free()` writes too.

use crate::session::Session;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (windows, workers and Node alike). `catch`: a page that replaced
    /// it with something that throws only loses the timer, and the next event or the page's
    /// hiding writes instead.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> Result<JsValue, JsValue>;
}

/// Writes what waits, now.
pub fn flush(session: &Weak<RefCell<Session>>) {
    if let Some(rc) = session.upgrade() {
        let before = super::storage::writes();
        if let Ok(mut s) = rc.try_borrow_mut() {
            s.flush(super::now());
        }
        super::storage::after_writes(&rc, before);
    }
}

/// One timer at a time per instance.
pub struct Timer {
    armed: Rc<Cell<bool>>,
}

impl Timer {
    pub fn new() -> Self {
        Timer {
            armed: Rc::new(Cell::new(false)),
        }
    }

    /// After `track`: when events wait, a timer writes them when they are due.
    pub fn schedule(&self, session: &Rc<RefCell<Session>>) {
        let due = match session.try_borrow() {
            Ok(s) => s.flush_due(),
            Err(_) => None,
        };
        let Some(due) = due else { return };
        if self.armed.get() {
            return;
        }
        let (weak, armed) = (Rc::downgrade(session), self.armed.clone());
        let callback = Closure::once_into_js(move || {
            armed.set(false);
            flush(&weak);
        });
        let wait = (due - super::now()).max(0.0);
        self.armed.set(set_timeout(&callback, wait).is_ok());
    }
}

/// The `pagehide` and `visibilitychange` listeners of one instance; removed when dropped.
pub struct PageEvents {
    window: web_sys::Window,
    closure: Closure<dyn FnMut()>,
}

const EVENTS: [&str; 2] = ["pagehide", "visibilitychange"];

impl PageEvents {
    /// `None` outside a window (Node, workers): nothing there hides or closes.
    pub fn listen(session: Weak<RefCell<Session>>) -> Option<Self> {
        let window = web_sys::window()?;
        let closure = Closure::<dyn FnMut()>::new(move || flush(&session));
        for e in EVENTS {
            window
                .add_event_listener_with_callback(e, closure.as_ref().unchecked_ref())
                .ok()?;
        }
        Some(PageEvents { window, closure })
    }
}

impl Drop for PageEvents {
    fn drop(&mut self) {
        for e in EVENTS {
            let _ = self
                .window
                .remove_event_listener_with_callback(e, self.closure.as_ref().unchecked_ref());
        }
    }
}
