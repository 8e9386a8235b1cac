//! JSON with stand-ins for the JS values JSON cannot express, so a readable corpus file can carry
//! everything the wasm boundary may hand the core ([`Value`]).
//!
//! | string | value |
//! |---|---|
//! | `"$undefined"` | `undefined` |
//! | `"$NaN"`, `"$Infinity"`, `"$-Infinity"`, `"$-0"` | those numbers |
//! | `"$max"`, `"$tiny"` | `Number.MAX_VALUE`, `Number.MIN_VALUE` (subnormal) |
//! | `"$function"`, `"$symbol"`, `"$bigint"` | a value with no data meaning |
//! | `"$bytes:…"` | a `Uint8Array` of the UTF-8 bytes after the colon |
//! | `"$repeat:N:s"` | `s` repeated `N` times (at most 1 MiB): long strings from short inputs |
//!
//! Numbers JSON cannot hold as an `f64` become NaN, as [`crate::value::from_json`] does.

use crate::value::Value;

/// Longest string `$repeat` makes: the wasm boundary's own limit (2²⁰ UTF-16 units).
pub const MAX_REPEAT: usize = 1 << 20;

/// Parses `data` as JSON with stand-ins; `None` when it is not JSON.
pub fn value(data: &[u8]) -> Option<Value> {
    let j: serde_json::Value = serde_json::from_slice(data).ok()?;
    Some(convert(&j))
}

fn convert(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => stand_in(s),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        serde_json::Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
        }
    }
}

fn stand_in(s: &str) -> Value {
    match s {
        "$undefined" => Value::Undefined,
        "$NaN" => Value::Number(f64::NAN),
        "$Infinity" => Value::Number(f64::INFINITY),
        "$-Infinity" => Value::Number(f64::NEG_INFINITY),
        "$-0" => Value::Number(-0.0),
        "$max" => Value::Number(f64::MAX),
        "$tiny" => Value::Number(f64::from_bits(1)),
        "$function" => Value::Unsupported("function"),
        "$symbol" => Value::Unsupported("symbol"),
        "$bigint" => Value::Unsupported("bigint"),
        _ => {
            if let Some(b) = s.strip_prefix("$bytes:") {
                return Value::Bytes(b.as_bytes().to_vec().into());
            }
            if let Some(rest) = s.strip_prefix("$repeat:") {
                if let Some((n, unit)) = rest.split_once(':') {
                    if let Ok(n) = n.parse::<usize>() {
                        let n = n.min(MAX_REPEAT / unit.len().max(1));
                        return Value::String(unit.repeat(n));
                    }
                }
            }
            Value::String(s.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins() {
        let v = value(br#"["$NaN", "$undefined", "$repeat:3:ab", "$bytes:xy", "$x", 1e999]"#);
        // 1e999 is not valid JSON for serde_json (out of range): the whole input is refused.
        assert!(v.is_none());
        let v = value(br#"["$NaN", "$undefined", "$repeat:3:ab", "$bytes:xy", "$x"]"#).unwrap();
        let Value::Array(a) = v else { panic!() };
        assert!(a[0].as_f64().unwrap().is_nan());
        assert_eq!(a[1], Value::Undefined);
        assert_eq!(a[2], Value::from("ababab"));
        assert_eq!(a[3], Value::Bytes(b"xy".to_vec().into()));
        assert_eq!(a[4], Value::from("$x"));
        let Some(Value::String(long)) = value(br#""$repeat:99999999:abc""#) else {
            panic!()
        };
        assert!(long.len() <= MAX_REPEAT);
    }
}
