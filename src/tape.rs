//! Values as a compact byte tape: results, which the JS side turns into plain objects in one pass,
//! and call arguments, which it walks into a tape that [`read`] turns into a [`Value`].
//!
//! `serde-wasm-bindgen` builds a JS object by calling into JavaScript for every field: correct,
//! but every serialized type then instantiates JS interop code for every field, about 40 KB of
//! the shipped module. Here a serde `Serializer` writes the same JSON-like value into bytes — a
//! few bytes of code per field — and the wasm layer hands the bytes to a small decoder in the glue
//! (a `Uint8Array` view into wasm memory, read once, never kept). The output is what
//! `serde_wasm_bindgen::Serializer::json_compatible()` gave: objects, arrays, strings, numbers
//! (every integer as a JS number), booleans and `null`; `None` is `null`, unit variants are
//! their name, maps are objects.
//!
//! Format: a value is one tag byte then its payload.
//!
//! | tag | value | payload |
//! |---|---|---|
//! | 0 | `null` | — |
//! | 1, 2 | `false`, `true` | — |
//! | 3 | number | f64, little-endian |
//! | 4 | string | u32 length, UTF-8 bytes |
//! | 5 | array | values, then tag 7 |
//! | 6 | object | (key as a tag-4 string, value)*, then tag 7 |
//!
//! Arguments (`src/wasm/tape.js`, `readValue`) use three tags more, for what JSON lacks:
//!
//! | tag | value | payload |
//! |---|---|---|
//! | 8 | `undefined` | — |
//! | 9 | a `Uint8Array` or `ArrayBuffer` | u32 index; the bytes are fetched apart, copied once |
//! | 10 | a value with no data meaning | one byte: 0 bigint, 1 symbol, 2 function, 3 other |

use crate::value::{Blob, Value};
use serde::ser::{self, Serialize};

pub const NULL: u8 = 0;
pub const FALSE: u8 = 1;
pub const TRUE: u8 = 2;
pub const NUMBER: u8 = 3;
pub const STRING: u8 = 4;
pub const ARRAY: u8 = 5;
pub const OBJECT: u8 = 6;
pub const END: u8 = 7;
pub const UNDEFINED: u8 = 8;
pub const BYTES: u8 = 9;
pub const UNSUPPORTED: u8 = 10;

/// The tape of a value.
pub fn to_tape<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut t = Tape(Vec::with_capacity(256));
    match v.serialize(&mut t) {
        Ok(()) => t.0,
        Err(e) => match e {},
    }
}

/// Writing a tape cannot fail: every value vitrine returns is JSON-like, with string keys. The
/// error type has no value, so the `?` after every field compiles to nothing; a value that is not
/// JSON-like (a map key that is not a string, a `Serialize` that fails) is a bug and panics.
#[derive(Debug)]
pub enum Error {}

impl core::fmt::Display for Error {
    fn fmt(&self, _: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {}
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: core::fmt::Display>(_: T) -> Self {
        panic!("a value could not be serialized")
    }
}

/// What a map key that is not a string gives (see [`Error`]).
fn not_a_key<T>() -> Result<T, Error> {
    panic!("a map key is not a string")
}

struct Tape(Vec<u8>);

impl Tape {
    fn str(&mut self, s: &str) {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn number(&mut self, x: f64) {
        self.0.push(NUMBER);
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.0.push(STRING);
        self.str(s);
    }
}

type R = Result<(), Error>;

impl ser::Serializer for &mut Tape {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> R {
        self.0.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i16(self, v: i16) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i32(self, v: i32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_i64(self, v: i64) -> R {
        self.serialize_f64(v as f64)
    }
    fn serialize_u8(self, v: u8) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u16(self, v: u16) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u32(self, v: u32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_u64(self, v: u64) -> R {
        self.serialize_f64(v as f64)
    }
    fn serialize_f32(self, v: f32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        self.0.push(ARRAY);
        for &b in v {
            self.number(f64::from(b));
        }
        self.0.push(END);
        Ok(())
    }
    fn serialize_none(self) -> R {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.0.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> R {
        self.0.push(OBJECT);
        self.string(variant);
        v.serialize(&mut *self)?;
        self.0.push(END);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        self.0.push(ARRAY);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.0.push(OBJECT);
        self.string(variant);
        self.0.push(ARRAY);
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        self.0.push(OBJECT);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.0.push(OBJECT);
        self.string(variant);
        self.0.push(OBJECT);
        Ok(self)
    }
}

/// The sequence-like serializers: each element is a value, and the end closes the array (for a
/// tuple variant, also the object around it: `{"Variant": [...]}`).
macro_rules! elements {
    ($($trait:ident::$f:ident => $end:expr),*) => {$(
        impl ser::$trait for &mut Tape {
            type Ok = ();
            type Error = Error;
            fn $f<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
                v.serialize(&mut **self)
            }
            fn end(self) -> R {
                self.0.extend_from_slice($end);
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element => &[END],
    SerializeTuple::serialize_element => &[END],
    SerializeTupleStruct::serialize_field => &[END],
    SerializeTupleVariant::serialize_field => &[END, END]
);

/// Map keys must be strings (JSON objects); anything else is refused.
struct Key<'a>(&'a mut Tape);

macro_rules! no_key {
    ($($f:ident($t:ty)),*) => {$(
        fn $f(self, _: $t) -> R { not_a_key() }
    )*};
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> R {
        self.0.string(v);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> R {
        self.serialize_str(v)
    }
    no_key!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    );
    fn serialize_none(self) -> R {
        not_a_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> R {
        not_a_key()
    }
    fn serialize_unit(self) -> R {
        not_a_key()
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> R {
        not_a_key()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        not_a_key()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        not_a_key()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        not_a_key()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_a_key()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        not_a_key()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        not_a_key()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_a_key()
    }
}

impl ser::SerializeMap for &mut Tape {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> R {
        k.serialize(Key(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.0.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Tape {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> R {
        self.string(key);
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.0.push(END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Tape {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> R {
        self.string(key);
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.0.extend_from_slice(&[END, END]);
        Ok(())
    }
}

/// The value of an argument tape. `bytes(k)` gives the `k`th byte array (tag 9), `None` when it
/// could not be copied. `None` when the tape is not one `readValue` writes (cut short, an unknown
/// tag, a string that is not UTF-8) or a byte array could not be copied.
pub fn read(tape: &[u8], bytes: &mut dyn FnMut(u32) -> Option<Blob>) -> Option<Value> {
    let mut v = Value::Undefined;
    read_into(tape, bytes, &mut v).then_some(v)
}

/// [`read`] into `into`, reusing the strings and vectors of the value it held where the new one
/// has the same shape (the next event's properties mostly have that of the last: reading them
/// then allocates nothing). False, leaving `into` some value, where [`read`] gives `None`.
pub fn read_into(
    tape: &[u8],
    bytes: &mut dyn FnMut(u32) -> Option<Blob>,
    into: &mut Value,
) -> bool {
    let mut r = Reader { tape, at: 0, bytes };
    r.value(0, into).is_some() && r.at == tape.len()
}

/// Deeper than any limit of the boundary (`src/wasm/convert.rs`): a bound for the recursion only.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    tape: &'a [u8],
    at: usize,
    bytes: &'a mut dyn FnMut(u32) -> Option<Blob>,
}

/// `s` holding `with`, in the buffer it had.
fn set_string(s: &mut String, with: &str) {
    s.clear();
    s.push_str(with);
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.tape.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        core::str::from_utf8(self.take(n)?).ok()
    }

    fn peek_end(&mut self) -> Option<bool> {
        let end = *self.tape.get(self.at)? == END;
        if end {
            self.at += 1;
        }
        Some(end)
    }

    /// Reads a value into `into`, reusing what it holds (see [`read_into`]).
    fn value(&mut self, depth: usize, into: &mut Value) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        *into = match self.byte()? {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            NUMBER => Value::Number(f64::from_le_bytes(self.take(8)?.try_into().ok()?)),
            STRING => {
                let s = self.string()?;
                if let Value::String(old) = into {
                    set_string(old, s);
                    return Some(());
                }
                Value::String(s.to_owned())
            }
            ARRAY => {
                let mut items = match core::mem::replace(into, Value::Undefined) {
                    Value::Array(items) => items,
                    _ => Vec::new(),
                };
                let mut n = 0;
                while !self.peek_end()? {
                    if n == items.len() {
                        items.push(Value::Undefined);
                    }
                    self.value(depth + 1, &mut items[n])?;
                    n += 1;
                }
                items.truncate(n);
                Value::Array(items)
            }
            OBJECT => {
                let mut entries = match core::mem::replace(into, Value::Undefined) {
                    Value::Object(entries) => entries,
                    _ => Vec::new(),
                };
                let mut n = 0;
                while !self.peek_end()? {
                    if self.byte()? != STRING {
                        return None;
                    }
                    let k = self.string()?;
                    match entries.get_mut(n) {
                        Some((key, _)) => set_string(key, k),
                        None => entries.push((k.to_owned(), Value::Undefined)),
                    }
                    self.value(depth + 1, &mut entries[n].1)?;
                    n += 1;
                }
                entries.truncate(n);
                Value::Object(entries)
            }
            UNDEFINED => Value::Undefined,
            BYTES => {
                let k = self.u32()?;
                Value::Bytes((self.bytes)(k)?)
            }
            UNSUPPORTED => Value::Unsupported(match self.byte()? {
                0 => "bigint",
                1 => "symbol",
                2 => "function",
                _ => "unknown",
            }),
            _ => return None,
        };
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::{json, Value as Json};
    use std::collections::BTreeMap;

    /// The decoder the glue runs, in Rust, for the tests.
    fn decode(t: &[u8]) -> Json {
        fn str(t: &[u8], p: &mut usize) -> String {
            let n = u32::from_le_bytes(t[*p..*p + 4].try_into().unwrap()) as usize;
            *p += 4;
            let s = std::str::from_utf8(&t[*p..*p + n]).unwrap().to_owned();
            *p += n;
            s
        }
        fn value(t: &[u8], p: &mut usize) -> Json {
            let tag = t[*p];
            *p += 1;
            match tag {
                NULL => Json::Null,
                FALSE => json!(false),
                TRUE => json!(true),
                NUMBER => {
                    let x = f64::from_le_bytes(t[*p..*p + 8].try_into().unwrap());
                    *p += 8;
                    // JS has one number type; serde_json tells integers apart.
                    if x.fract() == 0.0 && x.abs() < 2f64.powi(53) {
                        json!(x as i64)
                    } else {
                        json!(x)
                    }
                }
                STRING => Json::String(str(t, p)),
                ARRAY => {
                    let mut a = Vec::new();
                    while t[*p] != END {
                        a.push(value(t, p));
                    }
                    *p += 1;
                    Json::Array(a)
                }
                OBJECT => {
                    let mut o = serde_json::Map::new();
                    while t[*p] != END {
                        assert_eq!(t[*p], STRING, "keys are strings");
                        *p += 1;
                        let k = str(t, p);
                        o.insert(k, value(t, p));
                    }
                    *p += 1;
                    Json::Object(o)
                }
                _ => panic!("bad tag {tag}"),
            }
        }
        let mut p = 0;
        let v = value(t, &mut p);
        assert_eq!(p, t.len(), "the whole tape is one value");
        v
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Shelf {
        item_id: String,
        score: f64,
        reasons: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'static str>,
        missing: Option<u32>,
        counts: BTreeMap<&'static str, u32>,
        kind: Kind,
        entry: Entry,
        pair: (u8, bool),
    }

    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Deny,
    }

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "camelCase")]
    enum Entry {
        Erase { at: f64, what: &'static str },
    }

    #[test]
    fn decodes_to_what_json_would_say() {
        let v = Shelf {
            item_id: "sku-1 ✓".into(),
            score: 0.125,
            reasons: vec!["because you viewed \"x\"".into(), String::new()],
            reason: None,
            missing: None,
            counts: [("view", 3), ("add", 1)].into_iter().collect(),
            kind: Kind::Deny,
            entry: Entry::Erase {
                at: 1.25,
                what: "all",
            },
            pair: (7, true),
        };
        assert_eq!(decode(&to_tape(&v)), serde_json::to_value(&v).unwrap());
        assert_eq!(
            decode(&to_tape(&[1.5f32, 0.1])),
            json!([1.5, 0.10000000149011612])
        );
        assert_eq!(decode(&to_tape(&u64::MAX)), json!(u64::MAX as f64));
    }

    #[test]
    #[should_panic(expected = "a map key is not a string")]
    fn a_map_key_that_is_not_a_string_is_a_bug() {
        let bad: BTreeMap<u32, u32> = [(1, 2)].into_iter().collect();
        to_tape(&bad);
    }

    #[test]
    fn reads_arguments_back_as_values() {
        // What `readValue` writes for `{a: [1, 'é', null, undefined, true], b: <bytes>, c: 10n}`.
        let mut t = vec![OBJECT, STRING, 1, 0, 0, 0, b'a', ARRAY, NUMBER];
        t.extend_from_slice(&1.0f64.to_le_bytes());
        t.extend_from_slice(&[STRING, 2, 0, 0, 0, 0xc3, 0xa9, NULL, UNDEFINED, TRUE, END]);
        t.extend_from_slice(&[STRING, 1, 0, 0, 0, b'b', BYTES, 3, 0, 0, 0]);
        t.extend_from_slice(&[STRING, 1, 0, 0, 0, b'c', UNSUPPORTED, 0, END]);
        let mut asked = Vec::new();
        let v = read(&t, &mut |k| {
            asked.push(k);
            Some(vec![9, 8].into())
        });
        let expect = Value::Object(vec![
            (
                "a".into(),
                Value::Array(vec![
                    Value::Number(1.0),
                    Value::String("é".into()),
                    Value::Null,
                    Value::Undefined,
                    Value::Bool(true),
                ]),
            ),
            ("b".into(), Value::Bytes(vec![9, 8].into())),
            ("c".into(), Value::Unsupported("bigint")),
        ]);
        assert_eq!(v, Some(expect));
        assert_eq!(asked, [3]);
        // A result tape reads as the same value.
        let shelf = to_tape(&serde_json::json!({"k": [1.5, "x", {"z": false}]}));
        let back = read(&shelf, &mut |_| unreachable!()).unwrap();
        assert_eq!(back, crate::value::from_json(&decode(&shelf)));
    }

    #[test]
    fn reading_into_a_value_gives_what_reading_gives_whatever_it_held() {
        let tapes = [
            json!({"product_id": "sku-1", "price": 12.5}),
            json!({"product_id": "sku-22222", "price": "12"}),
            json!({"items": [{"item_id": "a"}, {"item_id": "b", "quantity": 2}]}),
            json!({"items": [{"item_id": "c"}]}),
            json!("Product Viewed"),
            json!({"product_id": "x"}),
            json!([1, "two", [3]]),
        ]
        .map(|v| to_tape(&v));
        let mut into = Value::Undefined;
        for t in tapes.iter().chain(tapes.iter().rev()) {
            assert!(read_into(t, &mut |_| unreachable!(), &mut into));
            assert_eq!(Some(&into), read(t, &mut |_| unreachable!()).as_ref());
        }
        assert!(!read_into(
            &[OBJECT, STRING],
            &mut |_| unreachable!(),
            &mut into
        ));
    }

    #[test]
    fn a_damaged_argument_tape_reads_as_nothing() {
        let mut t = vec![OBJECT, STRING, 1, 0, 0, 0, b'a', ARRAY, NUMBER];
        t.extend_from_slice(&2.0f64.to_le_bytes());
        t.extend_from_slice(&[END, END]);
        assert!(read(&t, &mut |_| Some(Blob::default())).is_some());
        for cut in 0..t.len() {
            assert_eq!(
                read(&t[..cut], &mut |_| Some(Blob::default())),
                None,
                "cut at {cut}"
            );
        }
        let mut extra = t.clone();
        extra.push(NULL);
        assert_eq!(
            read(&extra, &mut |_| Some(Blob::default())),
            None,
            "bytes after the value"
        );
        for bad in [
            vec![11],
            vec![OBJECT, NUMBER, 0, 0, 0, 0, 0, 0, 0, 0, NULL, END],
            vec![STRING, 2, 0, 0, 0, 0xc3, 0x28],
            vec![STRING, 255, 255, 255, 255],
        ] {
            assert_eq!(read(&bad, &mut |_| Some(Blob::default())), None, "{bad:?}");
        }
        // Nesting deeper than any boundary limit is refused, not recursed into.
        let deep: Vec<u8> = [vec![ARRAY; 100], vec![END; 100]].concat();
        assert_eq!(read(&deep, &mut |_| Some(Blob::default())), None);
        let ok: Vec<u8> = [vec![ARRAY; 20], vec![END; 20]].concat();
        assert!(read(&ok, &mut |_| Some(Blob::default())).is_some());
    }
}
