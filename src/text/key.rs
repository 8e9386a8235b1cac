//! The key names are matched by: one spelling of a name however a shop, a data layer or a
//! keyboard wrote it.
//!
//! Categories, brands, sensitive categories, search queries naming one and list names are
//! compared by key, never shown by it. The key of a name is its text with
//!
//! - white space of any kind (no-break, ideographic, several in a row) as one space, none at the
//!   ends; invisible characters (zero-width space, soft hyphen, direction marks, byte-order mark,
//!   variation selectors) dropped;
//! - combining marks dropped, and letters carrying them folded to the plain letter (`É`,
//!   `E\u{301}` → `e`; `Ğ` → `g`; `ά` → `α`; `й` → `и`; `ガ` → `カ`): Unicode's compatibility
//!   decomposition (NFKD) less its marks, for Latin, Greek, Cyrillic and kana;
//! - full-width and half-width forms as their usual ones (`ＳＡＮＴÉ` → `sante`, `ｺﾝﾄﾞｰﾑ` →
//!   `コントーム`);
//! - case folded: `ß` and `ẞ` → `ss`, `ς` → `σ`, `ı` and `İ` → `i`, and the scripts of
//!   [`super::lower`].
//!
//! So `Santé`, `SANTE`, `Sante\u{301}`, `ＳＡＮＴÉ` and `sante\u{200b}` share the key `sante`,
//! `Sağlık` and `SAĞLIK` the key `saglik`, `Υγεία` and `ΥΓΕΙΑ` the key `υγεια`. Names that differ
//! only by such marks become one (a shop rarely has both `Año` and `Ano`); scripts without case
//! or marks (Han, Hangul, Thai, Arabic letters) are kept as they are, less the marks above.
//! The tables are written by `scripts/gen-text-key.py` from Unicode's data.

use super::key_tables::{
    CYRILLIC, GREEK_0370, GREEK_1F00, HALF_FF61, KANA_3040, LATIN_00A0, LATIN_1E00,
};

/// The key of `s` (see the module notes).
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_whitespace() {
            gap = !out.is_empty();
            continue;
        }
        fold(c, &mut |k| {
            if gap {
                out.push(' ');
                gap = false;
            }
            out.push(k);
        });
    }
    out
}

/// In a table covering `lo..`, the entry of `u`.
fn entry(table: &[u8], lo: u32, u: u32) -> u32 {
    u32::from(
        u.checked_sub(lo)
            .and_then(|i| table.get(i as usize))
            .copied()
            .unwrap_or(0),
    )
}

/// In a sorted table of pairs, what `u` maps to.
pub(super) fn pair(table: &[(u16, u16)], u: u32) -> Option<u32> {
    let i = table
        .binary_search_by_key(&u, |&(from, _)| u32::from(from))
        .ok()?;
    table.get(i).map(|&(_, to)| u32::from(to))
}

/// Gives `push` the key of `c`: nothing, one character or a few.
fn fold(c: char, push: &mut impl FnMut(char)) {
    let u = c as u32;
    let low = |u: u32| char::from_u32(u).map_or(c, super::lower_char);
    if u < 0x80 {
        return push(low(u));
    }
    if ignorable(u) {
        return;
    }
    match u {
        0xDF | 0x1E9E => return each("ss", push),
        0x130 | 0x131 => return each("i", push),
        0xB5 => return each("μ", push),
        0x132 | 0x133 => return each("ij", push),
        0x1C4..=0x1C6 | 0x1F1..=0x1F3 => return each("dz", push),
        0x1C7..=0x1C9 => return each("lj", push),
        0x1CA..=0x1CC => return each("nj", push),
        0x587 => return each("եւ", push),
        0xFB00 => return each("ff", push),
        0xFB01 => return each("fi", push),
        0xFB02 => return each("fl", push),
        0xFB03 => return each("ffi", push),
        0xFB04 => return each("ffl", push),
        0xFB05 | 0xFB06 => return each("st", push),
        // Typographic quotes, apostrophes and dashes as their ASCII forms ('Women’s' = 'Women's').
        0x2018 | 0x2019 | 0x201B | 0x2032 | 0x2BC => return each("'", push),
        0x201C | 0x201D | 0x201F | 0x2033 => return each("\"", push),
        0x2010..=0x2015 | 0x2212 => return each("-", push),
        // Arabic: letters with a hamza or madda as their base letter (their marks are dropped
        // when they come apart), and the Persian forms of yeh and kaf as the Arabic ones.
        0x622 | 0x623 | 0x625 => return each("ا", push),
        0x624 => return each("و", push),
        0x626 | 0x649 | 0x6CC => return each("ي", push),
        0x6A9 => return each("ك", push),
        0x6C0 => return each("ه", push),
        // Devanagari letters with a nukta, as NFC writes them: the letter, then the nukta.
        0x958..=0x95F => {
            let base = [0x915, 0x916, 0x917, 0x91C, 0x921, 0x922, 0x92B, 0x92F];
            push(low(base.get((u - 0x958) as usize).copied().unwrap_or(u)));
            return push(low(0x93C));
        }
        // Hangul syllables as their letters (jamo), as NFD writes them.
        0xAC00..=0xD7A3 => {
            let s = u - 0xAC00;
            push(low(0x1100 + s / 588));
            push(low(0x1161 + s % 588 / 28));
            if s % 28 != 0 {
                push(low(0x11A7 + s % 28));
            }
            return;
        }
        // Full-width ASCII.
        0xFF01..=0xFF5E => return push(low(u - 0xFEE0)),
        _ => {}
    }
    let (table, lo, base): (&[u8], u32, u32) = match u {
        0xA0..=0x24F => (LATIN_00A0, 0xA0, 0),
        0x1E00..=0x1EFF => (LATIN_1E00, 0x1E00, 0),
        0x370..=0x3FF => (GREEK_0370, 0x370, 0x3B0),
        0x1F00..=0x1FFF => (GREEK_1F00, 0x1F00, 0x3B0),
        0x3040..=0x30FF => return push(low(u - entry(KANA_3040, 0x3040, u))),
        0xFF61..=0xFF9F => {
            return match entry(HALF_FF61, 0xFF61, u) {
                0 => {}
                k => push(low(0x3000 + k)),
            };
        }
        0x400..=0x52F => return push(low(pair(CYRILLIC, u).unwrap_or(u))),
        _ => return push(low(u)),
    };
    match entry(table, lo, u) {
        0 => push(low(u)),
        k => push(low(base + k)),
    }
}

fn each(s: &str, push: &mut impl FnMut(char)) {
    s.chars().for_each(push);
}

/// Characters that change nothing a reader sees, and the combining marks of the scripts the key
/// folds (Latin, Greek, Cyrillic, Hebrew and Arabic vowel points, kana sound marks)); the marks of
/// scripts where they are letters' vowels (Devanagari, Thai, …) are kept.
fn ignorable(u: u32) -> bool {
    matches!(
        u,
        0xAD | 0x34F
            | 0x61C
            | 0x640
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xE0000..=0xE0FFF
            | 0x300..=0x36F
            | 0x483..=0x489
            | 0x591..=0x5BD
            | 0x5BF
            | 0x5C1..=0x5C2
            | 0x5C4..=0x5C5
            | 0x5C7
            | 0x610..=0x61A
            | 0x64B..=0x65F
            | 0x670
            | 0x6D6..=0x6DC
            | 0x6DF..=0x6E4
            | 0x6E7..=0x6E8
            | 0x6EA..=0x6ED
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x3099..=0x309A
            | 0xFE20..=0xFE2F
    )
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn spellings_of_one_name_share_its_key() {
        for (names, want) in [
            (
                &[
                    "Santé",
                    "SANTÉ",
                    "Sante\u{301}",
                    "ＳＡＮＴÉ",
                    "\u{200b}Santé",
                    "sante",
                ][..],
                "sante",
            ),
            (&["Sağlık", "SAĞLIK", "sağlik", "Saglik"], "saglik"),
            (
                &[
                    "Cinsel sağlık",
                    "CİNSEL SAĞLIK",
                    "Cinsel\u{a0}sağlık",
                    " cinsel  sağlık ",
                ],
                "cinsel saglik",
            ),
            (&["Υγεία", "ΥΓΕΙΑ", "υγεια"], "υγεια"),
            (&["Θρησκευτικός", "ΘΡΗΣΚΕΥΤΙΚΌΣ"], "θρησκευτικοσ"),
            (&["Fußpflege", "FUSSPFLEGE", "FUẞPFLEGE"], "fusspflege"),
            (
                &["șampon medicinal", "ȘAMPON MEDICINAL", "şampon medicinal"],
                "sampon medicinal",
            ),
            (&["Sức khỏe", "SỨC KHỎE"], "suc khoe"),
            (&["コンドーム", "ｺﾝﾄﾞｰﾑ"], "コントーム"),
            (&["صحة", "صحة\u{200f}", "صِحَّة"], "صحة"),
            (
                &["Gesundheit", "Gesund\u{ad}heit", "GESUNDHEIT"],
                "gesundheit",
            ),
            (&["Ёлки", "ЕЛКИ", "ёлки"], "елки"),
            (
                &[
                    "Épicerie fine",
                    "E\u{301}picerie fine",
                    "épicerie\u{3000}fine",
                ],
                "epicerie fine",
            ),
            (&["ﬁlms", "FILMS"], "films"),
            (&["ﬃ", "FFI"], "ffi"),
            (
                &["Women’s health", "WOMEN'S HEALTH", "Women‘s health"],
                "women's health",
            ),
            (&["Səhiyyə", "SƏHIYYƏ"], "səhiyyə"),
            (&["ჯანმრთელობა", "ᲯᲐᲜᲛᲠᲗᲔᲚᲝᲑᲐ"], "ჯანმრთელობა"),
            (&["և", "ԵՒ", "եւ"], "եւ"),
            (
                &["صحة المرأة", "صحة المرا\u{654}ة", "صحـة المرأة"],
                "صحة المراة",
            ),
            (&["ی", "ي", "ى"], "ي"),
            (
                &["건강", "\u{1100}\u{1165}\u{11ab}\u{1100}\u{1161}\u{11bc}"],
                "\u{1100}\u{1165}\u{11ab}\u{1100}\u{1161}\u{11bc}",
            ),
            (&["फ़", "फ\u{93c}"], "फ\u{93c}"),
        ] {
            for n in names {
                assert_eq!(key(n), want, "{n:?}");
            }
        }
        // Kept: scripts without case, and the vowel signs that are part of their letters.
        assert_eq!(key("健康食品"), "健康食品");
        assert_eq!(key("स्वास्थ्य"), "स्वास्थ्य");
        assert_eq!(key(""), "");
        assert_eq!(key(" \u{200b} "), "");
    }
}
