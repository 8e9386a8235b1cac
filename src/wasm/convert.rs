//! `JsValue` → [`Value`], and back via serde.
//!
//! The walk only uses operations declared `catch` (Reflect.get, Object.keys, Array.isArray), so a
//! getter or Proxy trap that throws becomes an error here instead of unwinding through Rust
//! frames and poisoning the instance. Depth, entry count and string length are bounded.

use crate::value::Value;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The decoder of `crate::tape` (its format is documented there): reads the bytes once, from a
// view into wasm memory, and keeps nothing of them. `__proto__` is defined, never assigned, so a
// key can never change an object's prototype.
#[wasm_bindgen(inline_js = "
const text = new TextDecoder();
let u8, view, p;
function string() {
  const n = view.getUint32(p, true);
  p += 4;
  const end = p + n;
  // Keys and short ASCII strings: TextDecoder's fixed cost is higher than a loop.
  if (n <= 24) {
    let s = '';
    let i = p;
    for (; i < end && u8[i] < 128; i++) s += String.fromCharCode(u8[i]);
    if (i === end) {
      p = end;
      return s;
    }
  }
  const s = text.decode(u8.subarray(p, end));
  p = end;
  return s;
}
function value() {
  switch (u8[p++]) {
    case 0: return null;
    case 1: return false;
    case 2: return true;
    case 3: { const x = view.getFloat64(p, true); p += 8; return x; }
    case 4: return string();
    case 5: { const a = []; while (u8[p] !== 7) a.push(value()); p++; return a; }
    case 6: {
      const o = {};
      while (u8[p] !== 7) {
        p++;
        const k = string();
        const v = value();
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      p++;
      return o;
    }
    default: throw new Error('vitrine: a result could not be read');
  }
}
export function fromTape(bytes) {
  if (u8 === undefined || u8.buffer !== bytes.buffer) {
    u8 = new Uint8Array(bytes.buffer);
    view = new DataView(bytes.buffer);
  }
  p = bytes.byteOffset;
  return value();
}
")]
extern "C" {
    #[wasm_bindgen(js_name = fromTape)]
    fn from_tape(bytes: &[u8]) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(v: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// How much of a value is read.
#[derive(Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    /// Total values (objects, arrays and leaves) across the whole tree.
    pub nodes: usize,
    /// Longest string, in UTF-16 units.
    pub string: u32,
}

/// For event properties and options: generous for real data layers, bounded for hostile input.
pub const SMALL: Limits = Limits {
    depth: 12,
    nodes: 50_000,
    string: 1 << 20,
};

/// For `open` (a catalog can hold millions of values).
pub const LARGE: Limits = Limits {
    depth: 8,
    nodes: 200_000_000,
    string: 1 << 20,
};

/// Why a value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertError {
    TooDeep,
    TooLarge,
    /// A getter or Proxy trap threw.
    Threw,
}

impl ConvertError {
    pub fn message(self) -> &'static str {
        match self {
            ConvertError::TooDeep => "the value is nested too deeply",
            ConvertError::TooLarge => "the value is too large",
            ConvertError::Threw => "reading the value threw an exception (a getter or Proxy)",
        }
    }
}

struct Walker {
    limits: Limits,
    nodes: usize,
}

/// Reads a JS value into a [`Value`].
pub fn to_value(v: &JsValue, limits: Limits) -> Result<Value, ConvertError> {
    Walker { limits, nodes: 0 }.walk(v, 0)
}

impl Walker {
    fn walk(&mut self, v: &JsValue, depth: usize) -> Result<Value, ConvertError> {
        self.nodes += 1;
        if self.nodes > self.limits.nodes {
            return Err(ConvertError::TooLarge);
        }
        if v.is_undefined() {
            return Ok(Value::Undefined);
        }
        if v.is_null() {
            return Ok(Value::Null);
        }
        if let Some(b) = v.as_bool() {
            return Ok(Value::Bool(b));
        }
        if let Some(n) = v.as_f64() {
            return Ok(Value::Number(n));
        }
        if v.is_string() {
            let s: &js_sys::JsString = v.unchecked_ref();
            if s.length() > self.limits.string {
                return Err(ConvertError::TooLarge);
            }
            return Ok(Value::String(v.as_string().unwrap_or_default()));
        }
        if v.is_bigint() {
            return Ok(Value::Unsupported("bigint"));
        }
        if v.is_symbol() {
            return Ok(Value::Unsupported("symbol"));
        }
        if v.is_function() {
            return Ok(Value::Unsupported("function"));
        }
        if !v.is_object() {
            return Ok(Value::Unsupported("unknown"));
        }
        if depth >= self.limits.depth {
            return Err(ConvertError::TooDeep);
        }
        if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            return Ok(Value::Number(d.get_time()));
        }
        if let Some(bytes) = v.dyn_ref::<js_sys::Uint8Array>() {
            return Ok(Value::Bytes(bytes.to_vec()));
        }
        if let Some(buf) = v.dyn_ref::<js_sys::ArrayBuffer>() {
            return Ok(Value::Bytes(js_sys::Uint8Array::new(buf).to_vec()));
        }
        if is_array(v).map_err(|_| ConvertError::Threw)? {
            let len = js_sys::Reflect::get(v, &JsValue::from_str("length"))
                .map_err(|_| ConvertError::Threw)?
                .as_f64()
                .unwrap_or(0.0);
            if !(0.0..=self.limits.nodes as f64).contains(&len) {
                return Err(ConvertError::TooLarge);
            }
            let mut out = Vec::with_capacity((len as usize).min(1024));
            for i in 0..len as u32 {
                let item = js_sys::Reflect::get_u32(v, i).map_err(|_| ConvertError::Threw)?;
                out.push(self.walk(&item, depth + 1)?);
            }
            return Ok(Value::Array(out));
        }
        let keys = object_keys(v).map_err(|_| ConvertError::Threw)?;
        let mut out = Vec::with_capacity((keys.length() as usize).min(64));
        for key in keys.iter() {
            let Some(name) = key.as_string() else {
                continue;
            };
            let item = js_sys::Reflect::get(v, &key).map_err(|_| ConvertError::Threw)?;
            out.push((name, self.walk(&item, depth + 1)?));
        }
        Ok(Value::Object(out))
    }
}

/// A result as a plain, JSON-compatible object (through [`crate::tape`]).
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    let tape = crate::tape::to_tape(v).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(from_tape(&tape))
}
