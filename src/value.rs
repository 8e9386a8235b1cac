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

use crate::error::Error;
use crate::model::file::{declared_len, length_mismatch, no_memory, Incoming, HEADER_LEN};

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
    /// each time, `at` already there), each piece handed to [`Incoming`] right after its copy
    /// ([`Arriving`]). An error when `len` bytes of memory cannot be had, or when an `append`
    /// fails or appends another number of bytes.
    pub fn copy_in(
        len: usize,
        piece: usize,
        mut append: impl FnMut(usize, usize, &mut Vec<u8>) -> bool,
    ) -> Result<Blob, NotCopied> {
        let mut file = Arriving::new(len).map_err(|_| NotCopied::NoMemory)?;
        while file.taken() < len {
            let at = file.taken();
            let n = piece.max(1).min(len - at);
            if !file.take(n, |v| append(at, n, v)) {
                return Err(NotCopied::Failed);
            }
        }
        file.finish().map_err(|_| NotCopied::Failed)
    }

    /// The piece [`Blob::copy_in`] copies at a time in the browser: a quarter of a 1–2 MB L2 cache
    /// (measured: 256 KB and 1 MB pieces took the same time).
    pub const PIECE: usize = 256 * 1024;
}

/// Why [`Blob::copy_in`] copied nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotCopied {
    /// The memory for the bytes could not be had.
    NoMemory,
    /// A piece could not be copied.
    Failed,
}

/// A model file of a known length arriving in pieces, each copied to its place in one
/// allocation and handed to [`Incoming`] right after, while it is still in cache: the checks
/// that loading would make in passes over the whole file, from memory, are made on the way.
#[derive(Debug)]
pub struct Arriving {
    bytes: Vec<u8>,
    len: usize,
    incoming: Incoming,
}

impl Arriving {
    /// For a file of `len` bytes; an error when that much memory cannot be had.
    pub fn new(len: usize) -> Result<Self, Error> {
        let mut bytes = Vec::new();
        if bytes.try_reserve_exact(len).is_err() {
            return Err(no_memory(len as u64));
        }
        Ok(Arriving {
            bytes,
            len,
            incoming: Incoming::new(len),
        })
    }

    /// The file's length (the bytes it will hold once it has arrived).
    pub fn expected(&self) -> usize {
        self.len
    }

    /// The bytes taken so far.
    pub fn taken(&self) -> usize {
        self.bytes.len()
    }

    /// Takes the next `n` bytes, which `append` appends to the file so far. False (and nothing
    /// taken) when they would pass the length, or when `append` fails or appends another number.
    pub fn take(&mut self, n: usize, append: impl FnOnce(&mut Vec<u8>) -> bool) -> bool {
        let at = self.bytes.len();
        if n > self.len - at {
            return false;
        }
        if !append(&mut self.bytes) || self.bytes.len() != at + n {
            self.bytes.truncate(at);
            return false;
        }
        self.incoming.piece(&self.bytes, at);
        true
    }

    /// The whole file; when fewer bytes than its length arrived, what loading says of such a
    /// file (that it is truncated, naming both lengths).
    pub fn finish(self) -> Result<Blob, Error> {
        if self.bytes.len() != self.len {
            return Err(length_mismatch(self.len as u64, self.bytes.len()));
        }
        Ok(Blob {
            bytes: self.bytes,
            incoming: Some(Box::new(self.incoming)),
        })
    }
}

/// A model file read from a stream of pieces of any size: its first [`HEADER_LEN`] bytes
/// checked as soon as they have arrived (they give the length), then every byte copied to its
/// place ([`Arriving`]).
#[derive(Debug, Default)]
pub struct Streamed {
    /// The first bytes, until the header is whole.
    head: Vec<u8>,
    /// The file, once its header has told its length.
    file: Option<Arriving>,
}

impl Streamed {
    /// Takes the next piece of `n` bytes: `copy(from, k, bytes)` appends its bytes `from..from +
    /// k` to `bytes`. An error as soon as the header is whole and is not a model file's (what
    /// loading says of such a file), or when the stream goes on past the length it gives.
    pub fn push(
        &mut self,
        n: usize,
        mut copy: impl FnMut(usize, usize, &mut Vec<u8>),
    ) -> Result<(), Error> {
        self.push_checked(n, |from, k, v| {
            copy(from, k, v);
            true
        })
    }

    /// [`Streamed::push`] with a `copy` that may fail (false: it appended nothing, as when the
    /// piece does not hold the bytes it was said to): an error, and what had arrived is kept, so
    /// the stream can go on.
    pub fn push_checked(
        &mut self,
        n: usize,
        mut copy: impl FnMut(usize, usize, &mut Vec<u8>) -> bool,
    ) -> Result<(), Error> {
        let not_copied = || {
            Error::invalid(
                "load",
                "a piece of the model file",
                "does not hold the bytes given",
            )
        };
        let mut from = 0;
        if self.file.is_none() {
            from = (HEADER_LEN - self.head.len()).min(n);
            let at = self.head.len();
            if from > 0 && (!copy(0, from, &mut self.head) || self.head.len() != at + from) {
                self.head.truncate(at);
                return Err(not_copied());
            }
            if self.head.len() < HEADER_LEN {
                return Ok(());
            }
            let mut file = Arriving::new(declared_len(&self.head)?)?;
            let head = core::mem::take(&mut self.head);
            if !file.take(HEADER_LEN, |v| {
                v.extend_from_slice(&head);
                true
            }) {
                return Err(longer(file.expected()));
            }
            self.file = Some(file);
        }
        let (Some(file), k) = (self.file.as_mut(), n - from) else {
            return Ok(());
        };
        if k > file.expected() - file.taken() {
            return Err(longer(file.expected()));
        }
        if k > 0 && !file.take(k, |v| copy(from, k, v)) {
            return Err(not_copied());
        }
        Ok(())
    }

    /// The whole file, once the stream has ended; what loading says of a file cut where the
    /// stream ended.
    pub fn finish(self) -> Result<Blob, Error> {
        match self.file {
            Some(file) => file.finish(),
            None => Err(match declared_len(&self.head) {
                Ok(len) => length_mismatch(len as u64, self.head.len()),
                Err(e) => e,
            }),
        }
    }
}

/// A stream that goes on past the `len` bytes its header gives.
fn longer(len: usize) -> Error {
    let mut m = String::from("the model file is longer than the ");
    m.push_str(&crate::args::int_to_string(len as i64));
    m.push_str(" bytes its header says");
    Error::Model(m)
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

    /// A model file's header, giving `len` as the file's length (its checksum made again).
    fn header_saying(len: u64) -> Vec<u8> {
        let file = std::fs::read("tests/fixtures/tiny-v1.vtr").unwrap();
        let mut head = file[..HEADER_LEN].to_vec();
        head[16..24].copy_from_slice(&len.to_le_bytes());
        let sum = crate::bytes::crc32(&head[..28]);
        head[28..32].copy_from_slice(&sum.to_le_bytes());
        head
    }

    #[test]
    fn a_header_of_a_length_memory_cannot_hold_is_refused_naming_that_length() {
        for len in [u64::MAX, 1 << 63, (1 << 62) + 3] {
            let mut s = Streamed::default();
            let head = header_saying(len);
            let e = s.push(HEADER_LEN, |from, k, v| {
                v.extend_from_slice(&head[from..from + k])
            });
            let said = format!("model: there is not enough memory for a model file of {len} bytes");
            assert_eq!(e.unwrap_err().to_string(), said);
        }
        // A header cut short of the length it gives says both, in full.
        let head = header_saying(u64::MAX);
        let e = crate::model::Model::from_bytes(&head)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "model: the model file is truncated or has extra bytes: the header says 18446744073709551615 bytes, there are 32"
        );
    }
}
