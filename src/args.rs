//! Reading typed options out of a [`Value`], with errors that name the function and the option.

use crate::error::{Error, Result};
use crate::value::Value;

/// The object of options given to one function, e.g. the argument of `recommend`.
pub struct Args<'a> {
    func: &'static str,
    prefix: &'static str,
    entries: &'a [(String, Value)],
}

impl<'a> Args<'a> {
    /// `value` must be an object, `undefined` or `null` (no options).
    /// `prefix` names it in messages, e.g. `"options"` gives `options.k must be …`.
    pub fn new(func: &'static str, prefix: &'static str, value: &'a Value) -> Result<Self> {
        let entries: &[(String, Value)] = match value {
            Value::Object(e) => e,
            v if v.is_absent() => &[],
            other => return Err(Error::wrong_type(func, prefix, "an object", other)),
        };
        Ok(Args {
            func,
            prefix,
            entries,
        })
    }

    fn what(&self, key: &str) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 1 + key.len());
        s.push_str(self.prefix);
        s.push('.');
        s.push_str(key);
        s
    }

    /// The raw value of `key`, if present and not null/undefined.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_absent())
    }

    /// Fails on any key not in `known`, so a typo such as `consnet` is caught at once.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<()> {
        match self
            .entries
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            None => Ok(()),
            Some((k, _)) => Err(Error::invalid(
                self.func,
                self.what(k),
                concat_known("is not a known option; expected one of ", known),
            )),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::wrong_type(
                self.func,
                self.what(key),
                "a boolean",
                other,
            )),
        }
    }

    /// A number within `[min, max]`.
    pub fn number(&self, key: &str, min: f64, max: f64) -> Result<Option<f64>> {
        self.ranged(key, min, max, false)
    }

    /// An integer within `[min, max]`.
    pub fn int(&self, key: &str, min: u32, max: u32) -> Result<Option<u32>> {
        let n = self.ranged(key, f64::from(min), f64::from(max), true)?;
        Ok(n.map(|n| n as u32))
    }

    /// A number within `[min, max]`, and a whole one when `integer`.
    fn ranged(&self, key: &str, min: f64, max: f64, integer: bool) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n))
                if n.is_finite() && *n >= min && *n <= max && (!integer || n.fract() == 0.0) =>
            {
                Ok(Some(*n))
            }
            Some(Value::Number(n)) => Err(Error::invalid(
                self.func,
                self.what(key),
                range_problem(*n, min, max, integer),
            )),
            Some(other) => Err(Error::wrong_type(
                self.func,
                self.what(key),
                "a number",
                other,
            )),
        }
    }

    /// A string of at most `max_len` bytes.
    pub fn string(&self, key: &str, max_len: usize) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.len() <= max_len => Ok(Some(s)),
            Some(Value::String(_)) => {
                Err(Error::invalid(self.func, self.what(key), too_long(max_len)))
            }
            Some(other) => Err(Error::wrong_type(
                self.func,
                self.what(key),
                "a string",
                other,
            )),
        }
    }

    /// An item id: a string, or an integer (as storefronts often use numeric ids).
    pub fn id(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => id_of(v)
                .map(Some)
                .ok_or_else(|| id_error(self.func, self.what(key), v)),
        }
    }

    /// An array of ids, at most `max_items`.
    pub fn ids(&self, key: &str, max_items: usize) -> Result<Option<Vec<String>>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::Array(items) = v else {
            return Err(Error::wrong_type(
                self.func,
                self.what(key),
                "an array of item ids",
                v,
            ));
        };
        if items.len() > max_items {
            return Err(Error::invalid(
                self.func,
                self.what(key),
                too_many(max_items),
            ));
        }
        items
            .iter()
            .map(|item| id_of(item).ok_or_else(|| id_error(self.func, self.what(key), item)))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// An array of short strings (names, categories).
    pub fn strings(
        &self,
        key: &str,
        max_items: usize,
        max_len: usize,
    ) -> Result<Option<Vec<String>>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let Value::Array(items) = v else {
            return Err(Error::wrong_type(
                self.func,
                self.what(key),
                "an array of strings",
                v,
            ));
        };
        if items.len() > max_items {
            return Err(Error::invalid(
                self.func,
                self.what(key),
                too_many(max_items),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(s) if s.len() <= max_len => out.push(s.clone()),
                Value::String(_) => {
                    return Err(Error::invalid(self.func, self.what(key), too_long(max_len)))
                }
                other => {
                    return Err(Error::wrong_type(
                        self.func,
                        self.what(key),
                        "an array of strings",
                        other,
                    ))
                }
            }
        }
        Ok(Some(out))
    }

    /// One of a fixed set of strings.
    pub fn choice(&self, key: &str, choices: &[&'static str]) -> Result<Option<&'static str>> {
        let Some(s) = self.string(key, 64)? else {
            return Ok(None);
        };
        choices
            .iter()
            .find(|c| **c == s)
            .copied()
            .map(Some)
            .ok_or_else(|| {
                Error::invalid(
                    self.func,
                    self.what(key),
                    concat_known("must be one of ", choices),
                )
            })
    }
}

/// Longest item id accepted anywhere, in bytes. Longer ids are refused, not truncated, so two
/// different ids can never collide.
pub const MAX_ID_LEN: usize = 128;

/// The canonical string form of an item id: strings as they are (1..=128 bytes, trimmed of
/// nothing), integers without a fraction (`42` → `"42"`). Anything else is not an id.
pub fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() && s.len() <= MAX_ID_LEN => Some(s.clone()),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
            Some(int_to_string(*n as i64))
        }
        _ => None,
    }
}

fn id_error(func: &'static str, what: String, got: &Value) -> Error {
    match got {
        Value::String(s) if s.is_empty() => Error::invalid(func, what, "must not be an empty id"),
        Value::String(_) => Error::invalid(func, what, too_long(MAX_ID_LEN)),
        Value::Number(_) => Error::invalid(func, what, "must be an integer when given as a number"),
        other => Error::wrong_type(func, what, "an item id (string or integer)", other),
    }
}

/// Concatenates message parts (what `format!` would do, without its machinery in the module).
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Joins parts with `sep` between them (`[_]::join` brings its own 1 KB copy loop).
pub fn join(parts: &[&str], sep: &str) -> String {
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push_str(sep);
        }
        s.push_str(p);
    }
    s
}

/// Formats an integer without pulling `format!` into the shipped module.
pub fn int_to_string(n: i64) -> String {
    let mut s = String::with_capacity(21);
    if n < 0 {
        s.push('-');
    }
    s.push_str(&u64_to_string(n.unsigned_abs()));
    s
}

/// [`int_to_string`] of every `u64`.
pub fn u64_to_string(mut m: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| char::from(d)).collect()
}

fn concat_known(lead: &str, known: &[&str]) -> String {
    let mut s = String::from(lead);
    for (i, k) in known.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(k);
    }
    s
}

fn range_problem(n: f64, min: f64, max: f64, integer: bool) -> String {
    let mut s = String::from("must be ");
    if integer {
        s.push_str("an integer-valued number from ");
    } else {
        s.push_str("a number from ");
    }
    push_num(&mut s, min);
    // No upper bound but the largest number (`minPrice`): none is named.
    if max < f64::MAX {
        s.push_str(" to ");
        push_num(&mut s, max);
    } else {
        s.push_str(" up");
    }
    s.push_str(", got ");
    // A number out of range that reads as a bound once rounded (1.0000000001 as 1) says so.
    let text = |x: f64| {
        let mut t = String::new();
        push_num(&mut t, x);
        t
    };
    let got = text(n);
    if n > max && got == text(max) {
        s.push_str("more than ");
    } else if n < min && got == text(min) {
        s.push_str("less than ");
    }
    s.push_str(&got);
    if integer && n.fract() != 0.0 && !got.bytes().any(|b| b == b'.' || b == b'e') {
        s.push_str(" (rounded: it is not an integer)");
    }
    s
}

/// Appends a readable number much as JavaScript writes it: integers exactly (below 9.2e18),
/// others to 9 decimals (15 under 0.001, 3 from 10⁷, 1 from 10¹³), trailing zeros left out,
/// NaN/∞ by name, and the rest (very large, under 0.000001) with an exponent, to 7 significant
/// digits (`1.797693e+308`, `1e-300`).
pub fn push_num(s: &mut String, n: f64) {
    let a = n.abs();
    if n.is_nan() {
        return s.push_str("NaN");
    }
    if n.is_infinite() {
        return s.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if n < 0.0 {
        s.push('-');
    }
    if n.fract() == 0.0 && a < 9.2e18 {
        return s.push_str(&int_to_string(a as i64));
    }
    // As many decimals as a double holds (about 16 significant digits in all).
    if (1e-6..9.2e15).contains(&a) {
        let scale = match a {
            _ if a < 1e-3 => 1_000_000_000_000_000,
            _ if a < 1e7 => 1_000_000_000,
            _ if a < 1e13 => 1000,
            _ => 10,
        };
        return push_fixed(s, a, scale);
    }
    // The exponent by steps of ten (a logarithm would bring libm's into the module): at most
    // 324 of them, for error messages only.
    let (mut m, mut e) = (a, 0i64);
    while m >= 10.0 {
        m /= 10.0;
        e += 1;
    }
    while m < 1.0 {
        m *= 10.0;
        e -= 1;
    }
    if (m * 1e6).round() >= 1e7 {
        m /= 10.0;
        e += 1;
    }
    push_fixed(s, m, 1_000_000);
    s.push_str(if e < 0 { "e-" } else { "e+" });
    s.push_str(&int_to_string(e.abs()));
}

/// Appends `a` (not negative, below 2^63) with up to as many decimals as `scale` has zeros, the
/// trailing zeros left out.
fn push_fixed(s: &mut String, a: f64, scale: u64) {
    let mut whole = a.trunc() as i64;
    let mut frac = (a.fract() * scale as f64).round() as u64;
    if frac >= scale {
        whole += 1;
        frac -= scale;
    }
    s.push_str(&int_to_string(whole));
    let mut place = scale / 10;
    if frac > 0 {
        s.push('.');
    }
    while frac > 0 {
        s.push((b'0' + (frac / place) as u8) as char);
        frac %= place;
        place /= 10;
    }
}

fn too_long(max_len: usize) -> String {
    let mut s = String::from("is longer than the limit of ");
    s.push_str(&int_to_string(max_len as i64));
    s.push_str(" bytes");
    s
}

fn too_many(max_items: usize) -> String {
    let mut s = String::from("has more than the limit of ");
    s.push_str(&int_to_string(max_items as i64));
    s.push_str(" entries");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn reads_typed_options_and_names_the_bad_one() {
        let v = from_json(&json!({"k": 5, "name": "x", "on": true, "ids": ["a", 7]}));
        let a = Args::new("recommend", "options", &v).unwrap();
        assert_eq!(a.int("k", 1, 100).unwrap(), Some(5));
        assert_eq!(a.string("name", 10).unwrap(), Some("x"));
        assert_eq!(a.bool("on").unwrap(), Some(true));
        assert_eq!(
            a.ids("ids", 10).unwrap(),
            Some(vec!["a".into(), "7".into()])
        );
        let err = a.int("name", 1, 2).unwrap_err().to_string();
        assert_eq!(err, "recommend: options.name must be a number, got string");
        let err = a.int("k", 1, 3).unwrap_err().to_string();
        assert_eq!(
            err,
            "recommend: options.k must be an integer-valued number from 1 to 3, got 5"
        );
        // A real-valued option with whole bounds is not asked to be whole (a diversity of 0–1).
        let err = a.number("k", 0.0, 1.0).unwrap_err().to_string();
        assert_eq!(
            err,
            "recommend: options.k must be a number from 0 to 1, got 5"
        );
        assert_eq!(a.number("k", 0.0, 10.0).unwrap(), Some(5.0));
        let err = a
            .reject_unknown(&["k", "name", "ids"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("options.on is not a known option"), "{err}");
    }

    #[test]
    fn ids_accept_strings_and_integers_only() {
        assert_eq!(id_of(&Value::Number(-12.0)).as_deref(), Some("-12"));
        assert_eq!(id_of(&Value::Number(1.5)), None);
        assert_eq!(id_of(&Value::String(String::new())), None);
        assert_eq!(id_of(&Value::String("x".repeat(129))), None);
        assert_eq!(id_of(&Value::Bool(true)), None);
    }

    #[test]
    fn numbers_print_without_format_machinery() {
        let mut s = String::new();
        push_num(&mut s, -2.5);
        s.push(' ');
        push_num(&mut s, f64::NAN);
        s.push(' ');
        push_num(&mut s, 0.0);
        assert_eq!(s, "-2.5 NaN 0");
        // Found by the security audit: 1e308 read 9223372036854775.807 (an i64 saturated) and
        // 1e-300 read 0.000.
        let num = |n: f64| {
            let mut s = String::new();
            push_num(&mut s, n);
            s
        };
        assert_eq!(num(f64::MAX), "1.797693e+308");
        assert_eq!(num(1e308), "1e+308");
        assert_eq!(num(-1e20), "-1e+20");
        assert_eq!(num(1.5e15 + 0.5), "1500000000000000.5");
        assert_eq!(num(123_456_789.123_456_78), "123456789.123");
        assert_eq!(num(2.9999999999), "3");
        assert_eq!(num(9_007_199_254_740_992.0), "9007199254740992");
        assert_eq!(num(1.0000001), "1.0000001");
        assert_eq!(num(-0.01), "-0.01");
        assert_eq!(num(1e21), "1e+21");
        assert_eq!(num(1e-300), "1e-300");
        assert_eq!(num(0.000123456), "0.000123456");
        assert_eq!(num(9.9999999e-5), "0.000099999999");
        assert_eq!(num(1.5e-7), "1.5e-7");
        assert_eq!(num(-0.000_001_234_567_8), "-0.0000012345678");
        assert_eq!(num(5e-324), "4.940656e-324");
        let mut range = range_problem(-5.0, 0.0, f64::MAX, false);
        assert_eq!(range, "must be a number from 0 up, got -5");
        range = range_problem(1e300, 0.0, 1.0, false);
        assert_eq!(range, "must be a number from 0 to 1, got 1e+300");
        // Out of range, and read as a bound once rounded (the re-audit: "got 1").
        range = range_problem(1.000_000_000_1, 0.0, 1.0, false);
        assert_eq!(range, "must be a number from 0 to 1, got more than 1");
        range = range_problem(0.099_999_999_9, 0.1, 1.0, false);
        assert_eq!(range, "must be a number from 0.1 to 1, got less than 0.1");
        range = range_problem(2.999_999_999_9, 1.0, 100.0, true);
        assert_eq!(
            range,
            "must be an integer-valued number from 1 to 100, got 3 (rounded: it is not an integer)"
        );
        assert_eq!(int_to_string(i64::MIN), "-9223372036854775808");
    }
}
