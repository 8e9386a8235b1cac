//! A plain, JSON-like value: what the boundary hands to the core.
//!
//! The wasm layer converts any `JsValue` into a [`Value`] before the core sees it (bounded in depth
//! and size, without running user code that could throw past Rust frames); native tests and fuzz
//! targets build the same values from JSON. Parsing the shapes of the public contract (events,
//! consent, options) from a `Value` therefore happens once, in the core, with typed errors.

/// A value received from the caller.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// `undefined` (or a missing argument).
    #[default]
    Undefined,
    Null,
    Bool(bool),
    /// Any JS number, including NaN and the infinities (validation decides what is allowed).
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// An object's own enumerable string-keyed properties, in order.
    Object(Vec<(String, Value)>),
    /// The bytes of a `Uint8Array` or `ArrayBuffer` (a model file).
    Bytes(Blob),
    /// A value that has no data meaning here (function, symbol, bigint, …); the name is its type.
    Unsupported(&'static str),
}

/// Bytes received from the caller, with the checks a model file needs that were made while they
/// were copied into wasm memory ([`Blob::copy_in`]).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Blob {
    pub bytes: Vec<u8>,
    /// The checks made during the copy (`None` for bytes made here, as in tests).
    pub incoming: Option<Box<Incoming>>,
}

use crate::model::file::Incoming;

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob {
            bytes,
            incoming: None,
        }
    }
}

impl Blob {
    /// `len` bytes that `append(at, n, bytes)` appends to `bytes` piece by piece (`n` of them
    /// each time, `at` already there), each piece handed to [`Incoming`] right after its copy,
    /// while it is still in cache: the model file checks that loading would make in passes over
    /// the whole file, from memory, are made on the way. `None` when an `append` fails or appends
    /// another number of bytes.
    pub fn copy_in(
        len: usize,
        piece: usize,
        mut append: impl FnMut(usize, usize, &mut Vec<u8>) -> bool,
    ) -> Option<Blob> {
        let mut bytes = Vec::with_capacity(len);
        let mut incoming = Incoming::new(len);
        let mut at = 0;
        while at < len {
            let end = len.min(at + piece.max(1));
            if !append(at, end - at, &mut bytes) || bytes.len() != end {
                return None;
            }
            incoming.piece(&bytes, at);
            at = end;
        }
        Some(Blob {
            bytes,
            incoming: Some(Box::new(incoming)),
        })
    }

    /// The piece [`Blob::copy_in`] copies at a time in the browser: a quarter of a 1–2 MB L2 cache
    /// (measured: 256 KB and 1 MB pieces took the same time).
    pub const PIECE: usize = 256 * 1024;
}

impl Value {
    /// The JS type name used in error messages: `"string"`, `"number"`, `"array"`, ….
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Bytes(_) => "Uint8Array",
            Value::Unsupported(t) => t,
        }
    }

    /// `undefined` and `null` both mean "not given".
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }

    /// The property `key` of an object; `None` for a missing key, an absent value or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| !v.is_absent()),
            _ => None,
        }
    }

    /// The first present property among `keys` (vocabularies name the same thing differently).
    pub fn get_any(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// Follows a path of object keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Object keys, for "unknown option" checks.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let entries: &[(String, Value)] = match self {
            Value::Object(e) => e,
            _ => &[],
        };
        entries.iter().map(|(k, _)| k.as_str())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Builds an object value: `obj(&[("k", Value::from(1.0))])`. Handy in tests and tools.
pub fn obj(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// Converts a `serde_json::Value`-shaped tree; used by native tests, tools and fuzz targets.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_skips_absent_values_and_follows_paths() {
        let v = from_json(&serde_json::json!({"a": null, "b": {"c": 3}}));
        assert_eq!(v.get("a"), None);
        assert_eq!(v.path(&["b", "c"]).and_then(Value::as_f64), Some(3.0));
        assert_eq!(v.get_any(&["a", "b"]).map(Value::type_name), Some("object"));
        assert_eq!(Value::Number(1.0).get("x"), None);
    }
}
