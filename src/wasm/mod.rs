//! The JavaScript boundary: the only code that touches wasm-bindgen, js-sys and web-sys.
//!
//! Inputs are read into [`crate::Value`] (see [`convert`]), handed to the core, and results come
//! back as plain objects; both cross as byte tapes (`crate::tape`, `src/wasm/tape.js`). Core errors become JS `Error`s here, once
//! (wasm-bindgen's `From<E: std::error::Error> for JsError` keeps each message).

mod convert;
mod load;
mod storage;
mod tcf;
mod types;
mod vitrine;
mod writes;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `navigator.globalPrivacyControl === true`: the only place vitrine reads the GPC signal, passed
/// into the core with every consent decision. Read through `catch` imports, so an odd `navigator`
/// (a throwing getter) reads as "no signal".
fn gpc() -> bool {
    global("navigator")
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("globalPrivacyControl")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// `document.URL` and `document.referrer`, read once at open to name the visit's channel (see
/// `crate::channel`), and `navigator.userAgent` when the referrer is empty (an in-app browser
/// names the app the shopper came from: `channel::referrer_or_app`): only the channel label is
/// kept, never the URL, the referrer or the user agent. `document.URL` is read rather than
/// `location.href` because it is the same address and read-only, so the module keeps no handle on
/// anything that navigates. Read through `catch` imports; a missing `document` (Node, a worker:
/// then the user agent is not read) or `navigator`, or a throwing getter, reads as empty. Each is
/// cut at `channel::MAX_URL_LEN` characters before it is copied.
fn landing() -> (String, String) {
    let read = |object: &Option<JsValue>, key: &str| {
        object
            .as_ref()
            .and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str(key)).ok())
            .filter(|v| v.is_string())
            .and_then(|v| {
                let s: js_sys::JsString = v.unchecked_into();
                let max = crate::channel::MAX_URL_LEN as u32;
                if s.length() > max {
                    s.slice(0, max).as_string()
                } else {
                    s.as_string()
                }
            })
            .unwrap_or_default()
    };
    let doc = global("document");
    let referrer = read(&doc, "referrer");
    // Outside a page (no document, as in a worker) there is no visit to name.
    let referrer = if doc.is_some() && referrer.trim().is_empty() {
        crate::channel::referrer_or_app(referrer, &read(&global("navigator"), "userAgent"))
    } else {
        referrer
    };
    (read(&doc, "URL"), referrer)
}

/// `globalThis[key]` when it is an object (`document`, `navigator`), read through `catch` imports.
fn global(key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(key))
        .ok()
        .filter(|o| o.is_object())
}

#[wasm_bindgen]
extern "C" {
    /// `Date.now()`. `catch`: a page (or a test's fake clock) that made it throw would otherwise
    /// throw through the call in the middle of its Rust code, which then never finishes.
    #[wasm_bindgen(catch, js_namespace = Date, js_name = now)]
    fn date_now() -> Result<f64, JsValue>;
}

/// The current time, ms since the epoch: the only clock the core sees. A `Date.now` that throws
/// reads as 0: a clock before 2001, which vitrine takes as wrong (`profile::true_time`).
fn now() -> f64 {
    date_now().unwrap_or(0.0)
}

/// A seed for the exploration generator, from `crypto.getRandomValues`.
fn seed() -> u64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => u64::from_le_bytes(b),
        Err(_) => now().to_bits(),
    }
}

/// The package version.
///
/// ```js
/// import { version } from 'vitrine';
/// console.log(version()); // "0.1.0"
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// Decodes an IAB TCF v2 TC string (TCF v2.2: core, disclosed vendors, allowed vendors and
/// publisher TC segments; bit-field and range vendor encodings; publisher restrictions). Ids are
/// 1-based and sorted; `created` and `lastUpdated` are ms since the epoch. A malformed string
/// throws an `Error` that says what is wrong (truncated, not base64url, unsupported version, bad
/// segment type, a TCF 2.2 rule broken, …); nothing is ever sent anywhere.
///
/// ```js
/// import { decodeTcString } from 'vitrine';
/// const tc = decodeTcString('CP_h-0AP_lRwABRACBENAPEgALIAAEAAAAqIAewAwABAAlAB6ABBFABCQAQA9gAA');
/// tc.purposeConsents;        // → [1, 3, 4, 7]
/// tc.vendorConsents;         // → [2, 37, 61]
/// tc.publisherRestrictions;  // → [{ purposeId: 2, restrictionType: 1, vendors: [123] }]
/// try { decodeTcString('CAA'); } catch (e) { (e as Error).message; }
/// // → 'invalid TC string: truncated: the core segment ends inside created'
/// ```
#[wasm_bindgen(js_name = decodeTcString, unchecked_return_type = "DecodedTcString")]
pub fn decode_tc_string(
    #[wasm_bindgen(js_name = tcString, unchecked_param_type = "string")] tc_string: JsValue,
) -> Result<JsValue, JsError> {
    let value = convert::to_value(&tc_string, convert::SMALL).map_err(|e| {
        let mut m = String::from("decodeTcString: ");
        m.push_str(&e.message(convert::SMALL));
        JsError::new(&m)
    })?;
    let Some(s) = value.as_str() else {
        return Err(
            crate::Error::wrong_type("decodeTcString", "tcString", "a string", &value).into(),
        );
    };
    let decoded = crate::consent::tcf::decode(s).map_err(crate::Error::from)?;
    convert::to_js(&decoded)
}

/// Net Promoter Score of a shop's own survey answers (an export of its survey tool), with a
/// confidence interval. `scores` is an array (or `Uint8Array`) of integers 0–10; `options.level`
/// is the confidence level (0.5–0.999, default 0.95). Promoters answer 9–10, passives 7–8,
/// detractors 0–6; NPS = %promoters − %detractors. The interval is the adjusted Wald interval
/// (Rocks 2016): 3/4 added to promoters and detractors and 3 to the count, then
/// `±z·√((p + d − (p − d)²)/n)`, clipped to −100…100. A pure computation: nothing is stored.
///
/// ```js
/// import { npsSummary } from 'vitrine';
/// const s = npsSummary([10, 9, 9, 8, 7, 6, 3, 10, 9, 0]);
/// s.nps;        // → 20   (5 promoters, 2 passives, 3 detractors of 10)
/// s.interval;   // → { level: 0.95, low: -30.33, high: 61.1 }
/// npsSummary(new Uint8Array(answers), { level: 0.9 });
/// npsSummary([11]); // throws Error: npsSummary: scores[0] must be an integer from 0 to 10, got 11
/// ```
#[wasm_bindgen(js_name = npsSummary, unchecked_return_type = "NpsSummary")]
pub fn nps_summary(
    #[wasm_bindgen(unchecked_param_type = "readonly number[] | Uint8Array")] scores: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ level?: number | undefined } | null")]
    options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let read = |v: &JsValue, limits| {
        convert::to_value(v, limits).map_err(|e| {
            let mut m = String::from("npsSummary: ");
            m.push_str(&e.message(limits));
            JsError::new(&m)
        })
    };
    let scores = read(&scores, convert::LARGE)?;
    let options = match options {
        Some(o) => read(&o, convert::SMALL)?,
        None => crate::Value::Undefined,
    };
    convert::to_js(&crate::nps::parse_and_summarize(&scores, &options)?)
}
