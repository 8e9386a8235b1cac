//! `JsValue` → [`Value`], and results back, both through byte tapes (`crate::tape`).
//!
//! The walk of an argument runs in JS (`src/wasm/tape.js`) inside one try/catch, so a getter or
//! Proxy trap that throws becomes a status here instead of unwinding through Rust frames and
//! poisoning the instance. Depth, value count and string length are bounded.

use crate::value::{Blob, NotCopied, Value};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

// The glue's half of the tapes (`crate::tape`): it decodes results and walks arguments.
#[wasm_bindgen(module = "/src/wasm/tape.js")]
extern "C" {
    #[wasm_bindgen(js_name = fromTape)]
    fn from_tape(bytes: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = readValue)]
    fn read_value(
        v: &JsValue,
        depth: u32,
        nodes: u32,
        chars: u32,
        budget: u32,
        memory: &JsValue,
        at: u32,
        room: u32,
    ) -> f64;
    #[wasm_bindgen(js_name = readTrack)]
    #[allow(clippy::too_many_arguments)]
    fn read_track(
        event: &JsValue,
        properties: &JsValue,
        options: &JsValue,
        depth: u32,
        nodes: u32,
        chars: u32,
        budget: u32,
        memory: &JsValue,
        at: u32,
        space: u32,
    ) -> f64;
    #[wasm_bindgen(js_name = takeTape)]
    fn take_tape(into: &mut [u8]);
    #[wasm_bindgen(js_name = trackResult)]
    fn track_result(accepted: bool, reason: Option<&str>) -> JsValue;
    #[wasm_bindgen(js_name = bytesLength)]
    fn bytes_length(k: u32) -> u32;
    #[wasm_bindgen(js_name = copyBytes)]
    fn copy_bytes(k: u32, from: u32, n: u32, memory: &JsValue, ptr: u32) -> bool;
    #[wasm_bindgen(js_name = copyPiece)]
    fn copy_piece(piece: &JsValue, from: u32, n: u32, memory: &JsValue, ptr: u32) -> bool;
    // (A `bool` goes through a glue function, as every import must: docs/PRIVACY.md's proof.)
    #[wasm_bindgen(js_name = pieceHolds)]
    fn piece_holds(piece: &JsValue, n: u32) -> bool;
}

/// Appends `n` bytes to `v` that `write(memory, ptr)` copies from JS into wasm memory at `ptr`;
/// false, and nothing appended, when it says it could not. The bytes go straight into `v`'s spare
/// room: zeroing it first was a pass over every byte of a model file, and on a page's first
/// `open` the pass that first touched the fresh memory.
fn append_from_js(v: &mut Vec<u8>, n: usize, write: impl FnOnce(&JsValue, u32) -> bool) -> bool {
    let len = v.len();
    v.reserve(n);
    let ptr = v.spare_capacity_mut().as_mut_ptr() as usize;
    if !MEMORY.with(|memory| write(memory, ptr as u32)) {
        return false;
    }
    // SAFETY: `write` says true only after one `Uint8Array.prototype.set` of exactly `n` bytes
    // at `ptr` (`copyBytes`, `copyPiece` in tape.js; a `set` that throws returns nothing), inside
    // the `n` bytes of room reserved above.
    unsafe { v.set_len(len + n) };
    true
}

/// Whether `piece` is a genuine `Uint8Array` of at least `n` bytes (whatever its `length` or
/// `byteLength` getters say).
pub fn piece_has(piece: &JsValue, n: usize) -> bool {
    u32::try_from(n).is_ok_and(|n| piece_holds(piece, n))
}

/// Appends bytes `from..from + n` of `piece` (`Vitrine.load`'s pieces) to `v`; false, and nothing
/// appended, when `piece` is not a genuine `Uint8Array` holding them.
pub fn append_piece(piece: &JsValue, from: usize, n: usize, v: &mut Vec<u8>) -> bool {
    append_from_js(v, n, |memory, ptr| {
        copy_piece(piece, from as u32, n as u32, memory, ptr)
    })
}

/// The `k`th byte array of the last walk, copied into wasm memory piece by piece, the checks a
/// model file needs made on the way ([`Blob::copy_in`]).
fn take_bytes(k: u32) -> Result<Blob, NotCopied> {
    Blob::copy_in(bytes_length(k) as usize, Blob::PIECE, |at, n, v| {
        append_from_js(v, n, |memory, ptr| {
            copy_bytes(k, at as u32, n as u32, memory, ptr)
        })
    })
}

/// How much of a value is read.
#[derive(Clone, Copy)]
pub struct Limits {
    pub depth: u32,
    /// Total values (objects, arrays and leaves) across the whole tree.
    pub nodes: u32,
    /// Longest string, in UTF-16 units.
    pub string: u32,
    /// What one call may copy into wasm memory: UTF-16 units of strings and keys plus bytes of
    /// byte arrays, in all (`track`'s three arguments together). Checked before each is copied,
    /// so a call refused for its size has not grown memory for it.
    pub budget: u32,
}

/// For event properties and options: generous for real data layers (an order of 500 lines at
/// every documented limit is under half a megabyte), bounded for hostile input.
pub const SMALL: Limits = Limits {
    depth: 12,
    nodes: 50_000,
    string: 1 << 20,
    budget: 4 << 20,
};

/// For `open` (a catalog can hold millions of values, a model file is as large as memory allows)
/// and `npsSummary`'s answers: bounded by memory only.
pub const LARGE: Limits = Limits {
    depth: 8,
    nodes: 200_000_000,
    string: 1 << 20,
    budget: u32::MAX,
};

/// For `importHistory` (1,000 orders of up to 500 lines a call).
pub const HISTORY: Limits = Limits {
    budget: 64 << 20,
    ..LARGE
};

/// Why a value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertError {
    TooDeep,
    /// More values, or more characters and bytes in all, than the limits allow.
    TooLarge,
    /// A string longer than the limits allow.
    TooLong,
    /// A getter or Proxy trap threw.
    Threw,
    /// The tape did not read back (a bug of the walk, not of the caller).
    Unreadable,
    /// A byte array is larger than the memory the module can still have.
    NoMemory,
}

impl ConvertError {
    /// What went wrong, for a value read with `limits`.
    pub fn message(self, limits: Limits) -> String {
        if self == ConvertError::TooLarge {
            let mut m = String::from("the value is too large: more than ");
            m.push_str(&crate::args::int_to_string(limits.nodes.into()));
            m.push_str(" values, or more than ");
            m.push_str(&crate::args::int_to_string(limits.budget.into()));
            m.push_str(" characters and bytes in all");
            return m;
        }
        String::from(match self {
            ConvertError::TooDeep => "the value is nested too deeply",
            ConvertError::TooLarge | ConvertError::TooLong => "the value is too large",
            ConvertError::Threw => "reading the value threw an exception (a getter or Proxy)",
            ConvertError::Unreadable => "the value could not be read",
            ConvertError::NoMemory => "there is not enough memory to copy the bytes given",
        })
    }
}

thread_local! {
    /// Where `readValue` copies a tape: one buffer for every call, so that reading a small
    /// argument allocates nothing for its tape.
    static TAPE: RefCell<Vec<u8>> = RefCell::new(vec![0; 4096]);
    /// Wasm memory, for `readValue` and `copyBytes` to copy into (taken once: each `memory()` is a
    /// call).
    static MEMORY: JsValue = wasm_bindgen::memory();
    /// The values of the last `track` call's arguments ([`recycle`]).
    static SPARE: RefCell<Option<[Value; 3]>> = const { RefCell::new(None) };
}

/// Reads a JS value into a [`Value`]: `readValue` walks it in JS (one call out of wasm) into a
/// tape, which is read here (see [`with_tape`]).
pub fn to_value(v: &JsValue, limits: Limits) -> Result<Value, ConvertError> {
    with_tape(
        |m, at, room| {
            let l = limits;
            read_value(v, l.depth, l.nodes, l.string, l.budget, m, at, room)
        },
        value_of,
    )
}

/// `track`'s arguments, read in one call out of wasm (`readTrack`).
pub struct TrackArgs {
    pub properties: Result<Value, ConvertError>,
    pub options: Result<Value, ConvertError>,
    /// `Date.now()` after the walks: the time of the event.
    pub now: f64,
}

/// Reads `track`'s event name, properties and options as [`to_value`] reads each (each walk
/// with `limits`, in that order), and the time after them. `Err` when the name could not be read;
/// the rest is then not walked.
pub fn track_args(
    event: &JsValue,
    properties: Option<&JsValue>,
    options: Option<&JsValue>,
    limits: Limits,
) -> Result<(Value, TrackArgs), ConvertError> {
    let undefined = JsValue::UNDEFINED;
    let (properties, options) = (
        properties.unwrap_or(&undefined),
        options.unwrap_or(&undefined),
    );
    let walk = |m: &JsValue, at, room| {
        let l = limits;
        read_track(
            event, properties, options, l.depth, l.nodes, l.string, l.budget, m, at, room,
        )
    };
    let [mut name, mut props, mut opts] = SPARE.with(RefCell::take).unwrap_or_default();
    with_tape(walk, |tape| {
        let (part0, rest) = part(tape);
        read_into(part0?, &mut name)?;
        let (part1, rest) = part(rest);
        let (part2, rest) = part(rest);
        let now = rest
            .try_into()
            .map(f64::from_le_bytes)
            .map_err(|_| ConvertError::Unreadable)?;
        Ok((
            name,
            TrackArgs {
                properties: part1.and_then(|t| read_into(t, &mut props)).map(|()| props),
                options: part2.and_then(|t| read_into(t, &mut opts)).map(|()| opts),
                now,
            },
        ))
    })
}

/// Gives the values of `track`'s arguments back once the event is tracked, for the next call to
/// read into (`track_args`): they are kept when they are small and flat, as most events are.
pub fn recycle(values: [Value; 3]) {
    if values.iter().all(small_and_flat) {
        SPARE.with(|spare| spare.replace(Some(values)));
    }
}

/// A short string, or an object of at most 16 short keys and leaves (short strings, numbers, …):
/// what is kept between calls is at most some 16 KB.
fn small_and_flat(v: &Value) -> bool {
    let short = |s: &String| s.capacity() <= 256;
    match v {
        Value::String(s) => short(s),
        Value::Object(entries) => {
            entries.len() <= 16
                && entries.iter().all(|(k, v)| {
                    short(k)
                        && !matches!(v, Value::Array(_) | Value::Object(_))
                        && small_and_flat(v)
                })
        }
        Value::Array(_) | Value::Bytes(_) => false,
        _ => true,
    }
}

/// The first walk of a `readTrack` tape (after its u32 length), and what follows it.
fn part(tape: &[u8]) -> (Result<&[u8], ConvertError>, &[u8]) {
    let len = tape
        .first_chunk::<4>()
        .map(|n| u32::from_le_bytes(*n) as usize);
    match len.and_then(|n| tape.get(4..4 + n).zip(tape.get(4 + n..))) {
        Some((part, rest)) => (Ok(part), rest),
        None => (Err(ConvertError::Unreadable), &[]),
    }
}

/// Runs `walk(memory, at, room)`, which copies a tape into wasm memory at `at` when it is at most
/// `room` bytes long (and returns its length) or keeps it for `takeTape` (and returns minus its
/// length), then `read` on the tape. The tape goes into [`TAPE`] (by its address in wasm memory,
/// so that a getter that made memory grow does not leave it a stale view); a getter that calls back
/// into vitrine reads with a buffer of its own (`TAPE` is in use).
fn with_tape<T>(
    walk: impl FnOnce(&JsValue, u32, u32) -> f64,
    read: impl FnOnce(&[u8]) -> Result<T, ConvertError>,
) -> Result<T, ConvertError> {
    TAPE.with(|tape| {
        let mut taken = tape.try_borrow_mut();
        let buf: &mut [u8] = match &mut taken {
            Ok(buf) => buf,
            Err(_) => &mut [],
        };
        let (at, room) = (buf.as_mut_ptr() as usize as u32, buf.len() as u32);
        let copied = MEMORY.with(|m| walk(m, at, room));
        if copied >= 0.0 {
            read(buf.get(..copied as usize).ok_or(ConvertError::Unreadable)?)
        } else {
            let mut whole = vec![0; -copied as usize];
            take_tape(&mut whole);
            read(&whole)
        }
    })
}

/// The value of one walk's tape: its status byte, then the value when the status is 0.
fn value_of(tape: &[u8]) -> Result<Value, ConvertError> {
    let mut v = Value::Undefined;
    read_into(tape, &mut v).map(|()| v)
}

/// [`value_of`] into `into`, reusing what it holds (`tape::read_into`).
fn read_into(tape: &[u8], into: &mut Value) -> Result<(), ConvertError> {
    match tape.split_first() {
        Some((0, value)) => {
            let mut no_memory = false;
            let mut bytes = |k| {
                take_bytes(k)
                    .map_err(|e| no_memory |= e == NotCopied::NoMemory)
                    .ok()
            };
            match crate::tape::read_into(value, &mut bytes, into) {
                true => Ok(()),
                false if no_memory => Err(ConvertError::NoMemory),
                false => Err(ConvertError::Unreadable),
            }
        }
        Some((1, _)) => Err(ConvertError::TooDeep),
        Some((2, _)) => Err(ConvertError::TooLarge),
        Some((4, _)) => Err(ConvertError::TooLong),
        _ => Err(ConvertError::Threw),
    }
}

/// `track`'s result as the object `to_js` would make (`{accepted}` or `{accepted, reason}`),
/// without a tape: it is returned for every event.
pub fn track_to_js(r: &crate::session::TrackResult) -> JsValue {
    track_result(r.accepted, r.reason)
}

/// A result as a plain, JSON-compatible object (through [`crate::tape`]).
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    Ok(from_tape(&crate::tape::to_tape(v)))
}
