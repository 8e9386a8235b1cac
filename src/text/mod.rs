//! Text helpers for the shipped module that keep large tables out of it.
//!
//! `str::to_lowercase` pulls the Unicode case tables (about 12 KB of code and data) and
//! `str::parse::<f64>` the exact decimal-to-binary conversion tables (about 20 KB). vitrine only
//! lower-cases names to compare them (categories, brands, channels, tags) and only parses the
//! prices and quantities that data layers send as strings, so it uses these instead:
//!
//! - [`lower`]: lower case, for showing a name, for ASCII, Latin-1, Latin Extended-A, the regular
//!   Latin Extended-B (Romanian `Ș`, Azerbaijani `Ə`), Latin Extended Additional (Vietnamese),
//!   Greek (with the final `ς` at the end of a word), Cyrillic, Armenian and Georgian capitals, and
//!   full-width Latin — the scripts of storefronts that have case; other characters are kept as
//!   they are;
//! - [`key`]: what names are matched by (module [`key`]: marks, widths, invisible characters and
//!   case folded away);
//! - [`parse_number`]: a decimal number (`"12.99"`, `"-3"`, `".5"`, `"1e3"`), correctly rounded
//!   whenever the digits fit in 15 significant digits and the exponent in ±22, which covers every
//!   price and quantity; longer inputs are within one unit in the last place.

mod key;
mod key_tables;

pub use key::key;

/// `s` in lower case (see the module notes for the scripts covered).
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out: String = s.chars().map(lower_char).collect();
    // A capital sigma ending a word is the final form: `ΟΔΥΣΣΕΥΣ` → `οδυσσευς`. (A Greek letter
    // is what counts as a letter here: `char::is_alphabetic` would bring Unicode's tables.)
    if s.chars().any(|c| c == 'Σ') {
        let letter = |c: Option<char>| {
            c.is_some_and(|c| matches!(c as u32, 0x386..=0x3FF | 0x1F00..=0x1FFF) && c != '·')
        };
        let chars: Vec<char> = s.chars().collect();
        out = chars
            .iter()
            .zip(out.chars())
            .enumerate()
            .map(|(i, (&c, l))| {
                let ends = !letter(chars.get(i + 1).copied());
                let after = i > 0 && letter(chars.get(i - 1).copied());
                if c == 'Σ' && ends && after {
                    'ς'
                } else {
                    l
                }
            })
            .collect();
    }
    out
}

fn lower_char(c: char) -> char {
    let u = c as u32;
    let l = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => u + 0x20,
        // Capital I with dot above: `i` (Unicode's full mapping adds a combining dot, U+0307).
        0x130 => 0x69,
        // Latin Extended-A: capitals at even code points, but for the ranges that start odd.
        0x100..=0x137 | 0x14A..=0x177 if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF,
        // Greek capitals (without the gap at U+03A2) and the accented ones.
        0x391..=0x3A1 | 0x3A3..=0x3AB => u + 0x20,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 0x25,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 0x3F,
        // Latin Extended-B's regular pairs (`Ǎ`, `Ș`, `Ț`, …) and Latin Extended Additional.
        0x180..=0x1C3 | 0x23A..=0x24F => key::pair(key_tables::LATIN_B_LOWER, u).unwrap_or(u),
        0x1C4 | 0x1C7 | 0x1CA | 0x1F1 => u + 2,
        0x1C5 | 0x1C8 | 0x1CB | 0x1F2 | 0x1F4 => u + 1,
        0x1F6 => 0x195,
        0x1F7 => 0x1BF,
        0x220 => 0x19E,
        0x1CD..=0x1DC if u % 2 == 1 => u + 1,
        0x1DE..=0x1EF | 0x1F8..=0x21F | 0x222..=0x233 if u % 2 == 0 => u + 1,
        0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if u % 2 == 0 => u + 1,
        // Cyrillic.
        0x400..=0x40F => u + 0x50,
        0x410..=0x42F => u + 0x20,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if u % 2 == 0 => u + 1,
        // Armenian, and Georgian capitals (Mtavruli, as `toUpperCase` writes them).
        0x531..=0x556 => u + 0x30,
        0x1C90..=0x1CBA | 0x1CBD..=0x1CBF => u - 0xBC0,
        // Full-width Latin capitals (`Ｓ` → `ｓ`).
        0xFF21..=0xFF3A => u + 0x20,
        _ => u,
    };
    char::from_u32(l).unwrap_or(c)
}

/// A decimal number: optional sign, digits with an optional fraction, optional exponent. `None`
/// for anything else (including `inf` and `NaN`, which no price or quantity can be).
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    // Up to 19 significant digits in an integer; the rest only move the exponent.
    let (mut mantissa, mut digits, mut exp, mut seen) = (0u64, 0u32, 0i32, false);
    let mut fraction = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                seen = true;
                if mantissa == 0 && c == b'0' {
                    if fraction {
                        exp -= 1;
                    }
                } else if digits < 19 {
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    digits += 1;
                    if fraction {
                        exp -= 1;
                    }
                } else if !fraction {
                    exp += 1;
                }
            }
            b'.' if !fraction => fraction = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let sign = match b.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut e = 0i32;
        while let Some(&c @ b'0'..=b'9') = b.get(i) {
            e = (e * 10 + i32::from(c - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp = exp.saturating_add(sign * e);
    }
    if i != b.len() {
        return None;
    }
    let value = scale(mantissa, exp);
    Some(if negative { -value } else { value })
}

/// `m · 10^e`: exact when `m < 2^53` and `|e| ≤ 22` (both exact in f64, one rounding).
fn scale(m: u64, e: i32) -> f64 {
    const POW: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mut x = m as f64;
    if m == 0 {
        return 0.0;
    }
    let mut e = e;
    while e > 22 {
        x *= 1e22;
        e -= 22;
        if x.is_infinite() {
            return x;
        }
    }
    while e < -22 {
        x /= 1e22;
        e += 22;
        if x == 0.0 {
            return x;
        }
    }
    if e >= 0 {
        x * POW[e as usize]
    } else {
        x / POW[(-e) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_matches_unicode_for_european_scripts() {
        let ranges = [0x20u32..0x250, 0x386..0x3CF, 0x400..0x4C0, 0x4D0..0x530];
        let more = [
            0x531..0x557,
            0x1C90..0x1CC0,
            0x1E00..0x1E96,
            0x1EA0..0x1F00,
            0xFF00..0xFF70,
        ];
        for range in ranges.into_iter().chain(more) {
            for u in range {
                let Some(c) = char::from_u32(u) else { continue };
                let want: String = c.to_lowercase().collect();
                if want.chars().count() == 1 {
                    assert_eq!(lower_char(c).to_string(), want, "U+{u:04X}");
                }
            }
        }
        assert_eq!(lower("  Épicerie FINE "), "  épicerie fine ");
        assert_eq!(lower("ОДЕЖДА"), "одежда");
        assert_eq!(lower("Ωμέγα"), "ωμέγα");
        assert_eq!(lower("日本"), "日本");
        assert_eq!(lower("İLAÇ"), "ilaç");
        assert_eq!(lower("ȘAMPON"), "șampon");
        assert_eq!(lower("SỨC KHỎE"), "sức khỏe");
        assert_eq!(lower("ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΠΙΤΙ"), "οδυσσευς και σπιτι");
        assert_eq!(lower("ΘΡΗΣΚΕΥΤΙΚΌΣ."), "θρησκευτικός.");
        assert_eq!(lower("Σ"), "σ");
    }

    #[test]
    fn parse_number_agrees_with_the_standard_parser() {
        for s in [
            "0",
            "12.99",
            "-3",
            "+7",
            ".5",
            "5.",
            "1e3",
            "1E-3",
            "2.5e+2",
            "0.1",
            "0.3",
            "123456789012345",
            "19.990000000000001",
            "0000.000100",
            "1e22",
            "1e-22",
            "3.14159265358979",
            "99999999999999999999",
            "1e300",
            "1e-300",
            "1e400",
            "0e5",
            "-0",
        ] {
            let ours = parse_number(s).unwrap();
            let std: f64 = s.parse().unwrap();
            let ulp = (std.abs() * f64::EPSILON).max(f64::MIN_POSITIVE);
            assert!(
                ours == std || (ours - std).abs() <= ulp,
                "{s}: {ours} vs {std}"
            );
        }
        for s in ["12.99", "0.1", "1e-5", "450.75", "19.95"] {
            assert_eq!(parse_number(s), s.parse().ok(), "exact: {s}");
        }
        for s in [
            "", "-", ".", "e3", "1e", "1e+", "1.2.3", "12a", " 1", "inf", "NaN", "0x10", "1_000",
        ] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
    }
}
