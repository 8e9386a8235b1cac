//! The JavaScript boundary: the only code that touches wasm-bindgen, js-sys and web-sys.
//!
//! Inputs are read into [`crate::Value`] (see [`convert`]), handed to the core, and results come
//! back as plain objects through serde-wasm-bindgen. Core errors become JS `Error`s here, once
//! (wasm-bindgen's `From<E: std::error::Error> for JsError` keeps each message).

mod convert;
mod storage;
mod tcf;
mod types;
mod vitrine;
mod writes;

use wasm_bindgen::prelude::*;

/// `navigator.globalPrivacyControl === true`: the only place vitrine reads the GPC signal, passed
/// into the core with every consent decision. Read through `catch` imports, so an odd `navigator`
/// (a throwing getter) reads as "no signal".
fn gpc() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .ok()
        .filter(|n| n.is_object())
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("globalPrivacyControl")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The current time, ms since the epoch: the only clock the core sees.
fn now() -> f64 {
    js_sys::Date::now()
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
/// try { decodeTcString('CAA'); } catch (e) { e.message; }
/// // → 'invalid TC string: truncated: the core segment ends inside created'
/// ```
#[wasm_bindgen(js_name = decodeTcString, unchecked_return_type = "DecodedTcString")]
pub fn decode_tc_string(
    #[wasm_bindgen(js_name = tcString, unchecked_param_type = "string")] tc_string: JsValue,
) -> Result<JsValue, JsError> {
    let value = convert::to_value(&tc_string, convert::SMALL).map_err(|e| {
        let mut m = String::from("decodeTcString: ");
        m.push_str(e.message());
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
