#!/usr/bin/env python3
"""Writes src/text/key_tables.rs: the folding tables of `text::key` (src/text/key.rs).

The key of a character is what Unicode's compatibility decomposition (NFKD) leaves once the
combining marks are dropped, case-folded, with the dotless i as i: `É` and `E\u0301` → `e`,
`Ğ` → `g`, `ı` → `i`, `ά` → `α`, `ς` → `σ`, `й` → `и`, `ガ` and `ｶﾞ` → `カ`. The tables cover the
scripts whose letters carry such marks or widths (Latin, Greek, Cyrillic, kana, half-width
katakana); `key.rs` handles ASCII, full-width ASCII, whitespace and the ignorable and combining
characters itself. Run with the Python the repository's tools use (3.11: Unicode 14); the output
is committed, so builds need no Python.
"""
import unicodedata as u
from pathlib import Path


def key(c):
    d = u.normalize('NFKD', c)
    d = ''.join(ch for ch in d if not u.combining(ch))
    return d.casefold().replace('\u0131', 'i')


def table(name, lo, hi, encode, doc):
    out = bytearray()
    for cp in range(lo, hi + 1):
        c = chr(cp)
        k = key(c) if u.category(c) != 'Cn' else c
        b = encode(cp, k) if k != c else 0
        out.append(b or 0)
    body = ''.join(f'\\x{b:02x}' for b in out)
    return f'/// {doc}\npub const {name}: &[u8; {len(out)}] = b"{body}";\n'


def latin(cp, k):
    # An ASCII letter or digit; anything else is left to `key.rs`.
    return ord(k) if len(k) == 1 and k.isascii() and k.isalnum() else 0


def greek(cp, k):
    return ord(k) - 0x3B0 if len(k) == 1 and 0x3B1 <= ord(k) <= 0x3C9 else 0


def kana(cp, k):
    return cp - ord(k) if len(k) == 1 and 0 < cp - ord(k) < 256 else 0


def half(cp, k):
    return ord(k) - 0x3000 if len(k) == 1 and 0x3001 <= ord(k) <= 0x30FF else 0


cyrillic = []
for cp in range(0x400, 0x530):
    c = chr(cp)
    if u.category(c) == 'Cn':
        continue
    k = key(c)
    # Only what plain lower-casing (`lower_char`) does not already give.
    if len(k) == 1 and k != c and k != c.lower():
        cyrillic.append((cp, ord(k)))

src = ['// Written by scripts/gen-text-key.py from Unicode ' + u.unidata_version + '; do not edit.\n\n']
src.append(table('LATIN_00A0', 0xA0, 0x24F, latin,
                 'U+00A0..=U+024F: the ASCII letter or digit a character folds to, 0 for none.'))
src.append(table('LATIN_1E00', 0x1E00, 0x1EFF, latin, 'U+1E00..=U+1EFF: as `LATIN_00A0`.'))
src.append(table('GREEK_0370', 0x370, 0x3FF, greek,
                 'U+0370..=U+03FF: the basic small letter a character folds to, less U+03B0; 0 for none.'))
src.append(table('GREEK_1F00', 0x1F00, 0x1FFF, greek, 'U+1F00..=U+1FFF: as `GREEK_0370`.'))
src.append(table('KANA_3040', 0x3040, 0x30FF, kana,
                 'U+3040..=U+30FF: how far below a (voiced) kana its plain one is; 0 for none.'))
src.append(table('HALF_FF61', 0xFF61, 0xFF9F, half,
                 'U+FF61..=U+FF9F: the full-width character (less U+3000) a half-width one is; 0: dropped (the sound marks, which fold to nothing).'))
latin_b = []
for cp in list(range(0x180, 0x1C4)) + list(range(0x23A, 0x250)):
    c = chr(cp)
    if len(c.lower()) == 1 and c.lower() != c:
        latin_b.append((cp, ord(c.lower())))

pairs = ', '.join(f'(0x{a:04X}, 0x{b:04X})' for a, b in cyrillic)
src.append('/// Cyrillic letters whose mark lower-casing keeps (`ё` → `е`, `й` → `и`), sorted.\n')
src.append(f'pub const CYRILLIC: &[(u16, u16)] = &[{pairs}];\n')
pairs = ', '.join(f'(0x{a:04X}, 0x{b:04X})' for a, b in latin_b)
src.append('/// The irregular capitals of Latin Extended-B (`Ə` → `ə`, `Ɛ` → `ɛ`) and their small letters, sorted\n')
src.append('/// (`lower_char` handles the regular pairs).\n')
src.append(f'pub const LATIN_B_LOWER: &[(u16, u16)] = &[{pairs}];\n')
Path(__file__).resolve().parent.parent.joinpath('src/text/key_tables.rs').write_text(''.join(src))
