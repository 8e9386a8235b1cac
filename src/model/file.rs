//! Model files (`.vtr`), written by `vitrine-model build` and loaded by `Vitrine.open({model})`.
//!
//! A 32-byte header, a table of sections, then the sections, each a flat little-endian array at
//! an 8-byte aligned offset. Loading checks the header and the checksum, then reads each array
//! into [`ModelParts`]: the large ones (embedding rows and codes, neighbour rows) in place from the
//! file's bytes ([`Array`]), the others by one copy each. There is no per-item record to decode,
//! and every read is bounds-checked, so a damaged or hostile file gives [`Error::Model`], never a
//! panic or garbage.
//! The layout is specified in `docs/MODEL.md`.

use super::array::Plain;
use super::{
    Array, Checked, FileBytes, Info, Lists, Model, ModelParts, Neighbours, Prechecked, Quantized,
    Strings, LANES,
};
use crate::args::u64_to_string;
use crate::bytes::{crc32, xxh64, Reader, Truncated, Writer, Xxh64};
use crate::error::{Error, Result};
use std::borrow::Cow;

/// The first eight bytes of every model file (like PNG's: a high byte, then line endings that
/// text-mode transfers would mangle).
pub const MAGIC: [u8; 8] = *b"\x89VTR\r\n\x1a\n";
/// The newest format version this build reads and writes: version 3 files hold the embeddings as
/// int8 codes only ([`Embeddings::Int8`]), version 2 files as f32 rows and codes. It also reads
/// version 1 (the sections of version 2; the body checksum is CRC-32 there, the low half of XXH64
/// from version 2 on).
pub const VERSION: u16 = 3;
/// The oldest format version this build reads.
pub const OLDEST_VERSION: u16 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 32;
/// Section table entry length in bytes.
const ENTRY_LEN: usize = 16;
/// Most sections a file may list (a damaged count must not make us loop for long).
const MAX_SECTIONS: u32 = 64;

/// Section tags.
mod tag {
    pub const META: [u8; 4] = *b"META";
    pub const IDS: [u8; 4] = *b"IDS_";
    pub const ID_INDEX: [u8; 4] = *b"IDHX";
    pub const TITLES: [u8; 4] = *b"TITL";
    pub const CATEGORY_NAMES: [u8; 4] = *b"CATN";
    pub const CATEGORY: [u8; 4] = *b"ICAT";
    pub const BRAND_NAMES: [u8; 4] = *b"BRDN";
    pub const BRAND: [u8; 4] = *b"IBRD";
    pub const TAG_NAMES: [u8; 4] = *b"TAGN";
    pub const TAGS: [u8; 4] = *b"ITAG";
    pub const PRICE: [u8; 4] = *b"PRIC";
    pub const FLAGS: [u8; 4] = *b"FLAG";
    pub const POPULARITY: [u8; 4] = *b"POPU";
    pub const TRENDING: [u8; 4] = *b"TRND";
    pub const CO_PURCHASE: [u8; 4] = *b"NBCP";
    pub const CO_VIEW: [u8; 4] = *b"NBCV";
    pub const EMBEDDINGS: [u8; 4] = *b"EMBD";
    pub const CHANNEL_NAMES: [u8; 4] = *b"CHAN";
    pub const CHANNEL_TRENDING: [u8; 4] = *b"CHTR";
    pub const REPEAT: [u8; 4] = *b"REPT";
    pub const CODES: [u8; 4] = *b"EMBQ";
    pub const POPULARITY_ORDER: [u8; 4] = *b"ORDP";
    pub const TRENDING_ORDER: [u8; 4] = *b"ORDT";
}

const FLAG_IN_STOCK: u8 = 1;
const FLAG_SENSITIVE: u8 = 2;

fn err(why: &str) -> Error {
    let mut m = String::from("not a usable model file: ");
    m.push_str(why);
    Error::Model(m)
}

fn truncated(what: &str) -> Error {
    let mut m = String::from("the model file is damaged: section ");
    m.push_str(what);
    m.push_str(" is shorter than its contents say");
    Error::Model(m)
}

/// Serialises validated or raw parts into a model file.
/// How a model file holds the embeddings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Embeddings {
    /// Int8 codes and per-row scales only (`EMBQ`, format version 3): a quarter of the bytes of
    /// f32 rows, so the file downloads and opens faster. Each row is its codes scaled to unit
    /// length, read as codes (no f32 rows are made); the values differ from the built rows by the
    /// codes' rounding. What `vitrine-model` writes unless told.
    #[default]
    Int8,
    /// The f32 rows as built (`EMBD`) and their int8 codes (format version 2).
    F32,
}

/// The parts as a file with f32 rows (format version 2), unchecked (tests write damaged models
/// with it).
pub fn encode(p: &ModelParts) -> Vec<u8> {
    encode_with(p, None, Embeddings::F32)
}

/// The parts as a file, the embeddings held as `embeddings` says; `codes`: the model's int8 codes
/// (needed when it holds its embeddings as codes only; computed from the rows when `None`).
fn encode_with(p: &ModelParts, codes: Option<&Quantized>, embeddings: Embeddings) -> Vec<u8> {
    let n = p.ids.len();
    let mut sections: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    let mut meta = Writer::default();
    meta.u32(n as u32);
    meta.u32(p.dims as u32);
    meta.f64(p.info.reference_time);
    meta.f32(p.info.popularity_half_life_days);
    meta.f32(p.info.trending_half_life_days);
    meta.buf.extend_from_slice(&p.info.lines.to_le_bytes());
    sections.push((tag::META, meta.buf));
    sections.push((tag::IDS, strings(&p.ids)));
    // The ids' hash table (docs/MODEL.md), when the ids are unique (tests write files whose
    // are not; loading reports them). It replaced `IDOR`, the ids' sorted order.
    if let Ok(index) = super::ids::IdIndex::build(&p.ids) {
        sections.push((tag::ID_INDEX, u32s(index.slots())));
    }
    sections.push((tag::TITLES, strings(&p.titles)));
    sections.push((tag::CATEGORY_NAMES, strings(&p.categories)));
    sections.push((tag::CATEGORY, u32s(&p.category)));
    sections.push((tag::BRAND_NAMES, strings(&p.brands)));
    sections.push((tag::BRAND, u32s(&p.brand)));
    sections.push((tag::TAG_NAMES, strings(&p.tags)));
    sections.push((tag::TAGS, lists(&p.item_tags)));
    sections.push((tag::PRICE, f32s(&p.price)));
    let flags: Vec<u8> = (0..n)
        .map(|i| {
            let mut f = 0;
            if p.in_stock.get(i).copied().unwrap_or(true) {
                f |= FLAG_IN_STOCK;
            }
            if p.sensitive.get(i).copied().unwrap_or(false) {
                f |= FLAG_SENSITIVE;
            }
            f
        })
        .collect();
    sections.push((tag::FLAGS, flags));
    sections.push((tag::POPULARITY, f32s(&p.popularity)));
    sections.push((tag::TRENDING, f32s(&p.trending)));
    // Optional: the orders loading would compute from the two (it checks them in one pass).
    if n > 0 {
        let order = |v: &[f32]| u32s(&super::order_by(&super::normalised(v)));
        sections.push((tag::POPULARITY_ORDER, order(&p.popularity)));
        sections.push((tag::TRENDING_ORDER, order(&p.trending)));
    }
    sections.push((tag::CO_PURCHASE, neighbours(&p.co_purchase)));
    sections.push((tag::CO_VIEW, neighbours(&p.co_view)));
    let codes = codes.filter(|q| !q.is_empty() && p.dims > 0);
    let has_embeddings = p.dims > 0 && (!p.embeddings.is_empty() || codes.is_some());
    let int8_only = has_embeddings && embeddings == Embeddings::Int8;
    // The f32 rows: the model's, or (a model read from a version-3 file) its codes' values.
    let rows: Cow<'_, [f32]> = match codes {
        Some(q) if p.embeddings.is_empty() && !int8_only => Cow::Owned(q.values()),
        _ => Cow::Borrowed(&p.embeddings),
    };
    if !int8_only {
        let mut e = Writer::default();
        e.u32(p.dims as u32);
        e.buf.extend_from_slice(&f32s(&rows));
        sections.push((tag::EMBEDDINGS, e.buf));
    }
    // Optional in version 2: the int8 codes the dense scans read, as loading would compute them
    // from `EMBD`, so that loading copies them instead of quantizing every value. Alone in version
    // 3, with the scales that make them unit length.
    if has_embeddings {
        let q = match codes {
            Some(q) if int8_only => Cow::Borrowed(q),
            _ => Cow::Owned(Quantized::new(&rows, p.dims)),
        };
        let scales = if int8_only {
            q.unit_scales()
        } else {
            q.scales.to_vec()
        };
        let mut w = Writer::default();
        w.u32(q.dims as u32);
        w.u32(q.stride as u32);
        w.buf.extend_from_slice(&f32s(&scales));
        w.buf.extend(q.codes.iter().map(|&c| c as u8));
        sections.push((tag::CODES, w.buf));
    }
    // Optional: written only when there are channels, so files without them stay as they were.
    if !p.channels.is_empty() {
        sections.push((tag::CHANNEL_NAMES, strings(&p.channels)));
        sections.push((tag::CHANNEL_TRENDING, neighbours(&p.channel_trending)));
    }
    // Optional (added after the first version-1 files): absent when the model has none, so
    // files without repeat rates stay byte for byte what they were.
    if !p.repeat.is_empty() {
        sections.push((tag::REPEAT, f32s(&p.repeat)));
    }

    let table_end = HEADER_LEN + sections.len() * ENTRY_LEN;
    let mut out = vec![0u8; table_end];
    let mut entries = Writer::default();
    for (t, body) in &sections {
        while out.len() % 8 != 0 {
            out.push(0);
        }
        entries.buf.extend_from_slice(t);
        entries.u32(out.len() as u32);
        entries.u32(body.len() as u32);
        entries.u32(0);
        out.extend_from_slice(body);
    }
    out[HEADER_LEN..table_end].copy_from_slice(&entries.buf);
    let mut h = Writer::default();
    h.buf.extend_from_slice(&MAGIC);
    // Version 2 readers take every file without int8-only embeddings.
    h.u16(if int8_only { VERSION } else { 2 });
    h.u16(HEADER_LEN as u16);
    h.u32(sections.len() as u32);
    h.buf.extend_from_slice(&(out.len() as u64).to_le_bytes());
    h.u32(xxh64(&out[HEADER_LEN..]) as u32);
    let head_crc = crc32(&h.buf);
    h.u32(head_crc);
    out[..HEADER_LEN].copy_from_slice(&h.buf);
    out
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn strings(t: &Strings) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(t.len() as u32);
    if !t.offsets.is_empty() {
        w.buf.extend_from_slice(&u32s(&t.offsets));
    }
    w.buf.extend_from_slice(t.text().as_bytes());
    w.buf
}

fn lists(l: &Lists) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(l.offsets.len().saturating_sub(1) as u32);
    w.u32(l.values.len() as u32);
    w.buf.extend_from_slice(&u32s(&l.offsets));
    w.buf.extend_from_slice(&u32s(&l.values));
    w.buf
}

fn neighbours(nb: &Neighbours) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(nb.offsets.len().saturating_sub(1) as u32);
    w.u32(nb.targets.len() as u32);
    w.buf.extend_from_slice(&u32s(&nb.offsets));
    w.buf.extend_from_slice(&u32s(&nb.targets));
    w.buf.extend_from_slice(&f32s(&nb.weights));
    w.buf
}

/// The sections of a checked file, by tag.
struct Sections<'a> {
    data: &'a [u8],
    version: u16,
    table: Vec<([u8; 4], usize, usize)>,
}

impl<'a> Sections<'a> {
    fn get(&self, t: [u8; 4]) -> Option<&'a [u8]> {
        self.table
            .iter()
            .find(|(x, _, _)| *x == t)
            .and_then(|&(_, off, len)| self.data.get(off..off.checked_add(len)?))
    }

    fn required(&self, t: [u8; 4]) -> Result<&'a [u8]> {
        self.get(t).ok_or_else(|| {
            let mut m = String::from("the model file has no ");
            m.push_str(core::str::from_utf8(&t).unwrap_or("?"));
            m.push_str(" section");
            Error::Model(m)
        })
    }
}

/// What the header says: the format version, the section count and the body checksum.
struct Header {
    version: u16,
    count: u32,
    body_sum: u32,
}

/// Checks the header of a file of `len` bytes (its first bytes: `data`, at least the header).
fn header(data: &[u8], len: u64) -> Result<Header> {
    if data.len() >= 2 && data[..2] == [0x1f, 0x8b] {
        return Err(err(
            "it is gzip-compressed; serve it with Content-Encoding: gzip or decompress it first",
        ));
    }
    if data.len() < HEADER_LEN || data[..8] != MAGIC {
        return Err(err("it does not start with the vitrine model signature"));
    }
    let mut r = Reader::new(&data[8..]);
    let head = |x: core::result::Result<u64, Truncated>| x.map_err(|_| err("short header"));
    let version = head(r.u16().map(u64::from))? as u16;
    let header_len = head(r.u16().map(u64::from))? as usize;
    let count = head(r.u32().map(u64::from))? as u32;
    let length = head(r.u64())?;
    let body_sum = head(r.u32().map(u64::from))? as u32;
    let head_crc = head(r.u32().map(u64::from))? as u32;
    if crc32(&data[..28]) != head_crc {
        return Err(Error::Model(
            "the model file is damaged: its header checksum does not match".into(),
        ));
    }
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        let mut m = String::from("the model file has format version ");
        m.push_str(&crate::args::int_to_string(i64::from(version)));
        m.push_str(if version > VERSION {
            ", newer than this vitrine reads (versions 1 to 3); update vitrine"
        } else {
            ", older than this vitrine reads (versions 1 to 3); rebuild it with vitrine-model"
        });
        return Err(Error::Model(m));
    }
    if header_len != HEADER_LEN || count > MAX_SECTIONS {
        return Err(err("the header is malformed"));
    }
    if length != len {
        return Err(length_mismatch(length, len as usize));
    }
    Ok(Header {
        version,
        count,
        body_sum,
    })
}

/// A file of `len` bytes whose header says `length`.
pub fn length_mismatch(length: u64, len: usize) -> Error {
    let mut m = String::from("the model file is truncated or has extra bytes: the header says ");
    m.push_str(&u64_to_string(length));
    m.push_str(" bytes, there are ");
    m.push_str(&u64_to_string(len as u64));
    Error::Model(m)
}

/// A model file of `len` bytes that this memory cannot hold.
pub fn no_memory(len: u64) -> Error {
    let mut m = String::from("there is not enough memory for a model file of ");
    m.push_str(&u64_to_string(len));
    m.push_str(" bytes");
    Error::Model(m)
}

/// The length a model file's header declares, the header checked as loading checks it (a
/// file that starts with another signature, is gzip-compressed or has a damaged header is
/// refused here, before the rest arrives). `head`: the file's first [`HEADER_LEN`] bytes or more.
/// A length this target's memory cannot address (4 GiB or more in wasm32) is refused as too
/// large for memory, naming the length the header gives.
pub fn declared_len(head: &[u8]) -> Result<usize> {
    let mut length = [0u8; 8];
    if let Some(b) = head.get(16..24) {
        length.copy_from_slice(b);
    }
    let length = u64::from_le_bytes(length);
    header(head, length)?;
    usize::try_from(length).map_err(|_| no_memory(length))
}

/// Reads the section table of a file of `len` bytes (`data`: its first bytes, at least the
/// header and the table), every section checked to lie inside the file and to appear once.
fn table(data: &[u8], count: u32, len: usize) -> Result<Vec<([u8; 4], usize, usize)>> {
    let table_end = HEADER_LEN + count as usize * ENTRY_LEN;
    let mut r = Reader::new(
        data.get(HEADER_LEN..table_end)
            .ok_or_else(|| err("short table"))?,
    );
    let mut table = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let entry = (|| -> core::result::Result<_, Truncated> {
            let mut t = [0u8; 4];
            t.copy_from_slice(r.bytes(4)?);
            let off = r.u32()? as usize;
            let len = r.u32()? as usize;
            r.u32()?;
            Ok((t, off, len))
        })()
        .map_err(|_| err("short table"))?;
        let (t, off, size) = entry;
        if off < table_end || off.checked_add(size).is_none_or(|end| end > len) {
            return Err(err("a section lies outside the file"));
        }
        if table.iter().any(|(x, _, _)| *x == t) {
            return Err(err("a section appears twice"));
        }
        table.push((t, off, size));
    }
    Ok(table)
}

/// Checks the header, the length and the checksum, and reads the section table. `body_xxh64` is
/// the body's XXH64 when the caller has it already (taken while copying the file in:
/// [`Incoming`]).
fn sections(data: &[u8], body_xxh64: Option<u64>) -> Result<Sections<'_>> {
    let h = header(data, data.len() as u64)?;
    let body = &data[HEADER_LEN..];
    let sum = if h.version == 1 {
        crc32(body)
    } else {
        body_xxh64.unwrap_or_else(|| xxh64(body)) as u32
    };
    if sum != h.body_sum {
        return Err(Error::Model(
            "the model file is damaged: its checksum does not match".into(),
        ));
    }
    Ok(Sections {
        data,
        version: h.version,
        table: table(data, h.count, data.len())?,
    })
}

/// A model file's checks made while it is copied into wasm memory piece by piece, each piece
/// right after its copy, while it is still in cache: the body's XXH64, and the checks of the
/// embedding rows (`EMBD`) and their int8 codes (`EMBQ`) that have arrived. Loading uses them
/// ([`Model::from_file_incoming`]) and checks only what is left, so no check is skipped: only
/// the passes over memory are fewer (each pass over the 50 MB of a 100,000-item file from memory
/// cost as much as the checks themselves).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Incoming {
    len: usize,
    /// Bytes taken so far.
    taken: usize,
    sum: Xxh64,
    /// Where the rows and codes lie, once the header, the table and `META` have arrived; `None`
    /// inside when the file is not one these checks can follow (loading then reports why).
    layout: Option<Option<Layout>>,
    pre: Prechecked,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Layout {
    n: usize,
    dims: usize,
    /// Where `EMBD` starts, when its length fits `META`.
    rows: Option<usize>,
    /// Where `EMBQ` starts and its stride, when it comes after the rows and its length fits them.
    codes: Option<(usize, usize)>,
    /// Where `NBCP` and `NBCV` start.
    lists: [Option<usize>; 2],
}

/// The targets and weights of the neighbour list at `at` that have arrived in `bytes`, checked
/// (a list whose head does not fit its length is left to loading, which says what is wrong).
fn list_piece(list: &mut super::ListChecks, bytes: &[u8], at: usize) {
    let Some(head) = bytes.get(at..at + 8) else {
        return;
    };
    let (rows, links) = (word(head, 0) as usize, word(head, 4) as usize);
    // Where loading reads them (it refuses the file when they do not fit the section).
    let place = || {
        let targets = (rows.checked_add(1)?.checked_mul(4)?).checked_add(at + 8)?;
        Some((targets, targets.checked_add(links.checked_mul(4)?)?))
    };
    let Some((targets, weights)) = place() else {
        return;
    };
    let arrived =
        |from: usize, done: usize| (bytes.len().saturating_sub(from) / 4).min(links).max(done);
    let (t, w) = (
        arrived(targets, list.targets),
        arrived(weights, list.weights),
    );
    if let Some(new) = bytes
        .get(targets + 4 * list.targets..targets + 4 * t)
        .and_then(as_u32s)
    {
        list.add_targets(new);
    }
    if let Some(new) = bytes
        .get(weights + 4 * list.weights..weights + 4 * w)
        .and_then(as_f32s)
    {
        list.add_weights(new);
    }
}

impl Incoming {
    /// For a file of `len` bytes.
    pub fn new(len: usize) -> Self {
        Incoming {
            len,
            ..Incoming::default()
        }
    }

    /// Takes the piece `bytes[from..]` (`bytes`: the file so far).
    pub fn piece(&mut self, bytes: &[u8], from: usize) {
        self.taken = bytes.len();
        if bytes.len() > HEADER_LEN {
            self.sum.update(&bytes[from.max(HEADER_LEN)..]);
        }
        if self.layout.is_none() {
            self.layout = Layout::of(bytes, self.len);
            if let Some(Some(l)) = self.layout {
                if l.rows.is_some() {
                    self.pre.rows.maxes.reserve_exact(l.n.min(self.len / 4));
                }
            }
        }
        let Some(Some(l)) = self.layout else {
            return;
        };
        let Prechecked { rows, codes, lists } = &mut self.pre;
        for (list, at) in lists.iter_mut().zip(l.lists) {
            if let Some(at) = at {
                list_piece(list, bytes, at);
            }
        }
        // Codes are checked against their f32 rows, so only as far as the rows; without rows
        // (version 3) as they arrive.
        let mut codes_limit = l.n;
        if let Some(at) = l.rows {
            let Some(head) = bytes.get(at..at + 4) else {
                return;
            };
            if word(head, 0) as usize != l.dims {
                // Loading refuses such rows; nothing to check ahead.
                self.layout = Some(Some(Layout {
                    rows: None,
                    codes: None,
                    ..l
                }));
                return;
            }
            // The rows that have arrived whole, in one slice (a slice per row cost a tenth of
            // the checks themselves).
            let (start, row_bytes) = (at + 4, l.dims * 4);
            let arrived = (bytes.len().saturating_sub(start) / row_bytes).min(l.n);
            if arrived > rows.checked {
                let Some(new) = bytes
                    .get(start + rows.checked * row_bytes..start + arrived * row_bytes)
                    .and_then(as_f32s)
                else {
                    self.layout = Some(None);
                    return;
                };
                new.chunks_exact(l.dims).for_each(|row| rows.check(row));
            }
            codes_limit = rows.checked;
        }
        let Some((q, stride)) = l.codes else {
            return;
        };
        let Some(head) = bytes.get(q..q + 8) else {
            return;
        };
        if word(head, 0) as usize != l.dims || word(head, 4) as usize != stride {
            // Loading refuses such codes; nothing to check ahead.
            self.layout = Some(Some(Layout { codes: None, ..l }));
            return;
        }
        let (scales, at) = (q + 8, q + 8 + 4 * l.n);
        let arrived = (bytes.len().saturating_sub(at) / stride).min(codes_limit);
        if arrived > codes.checked {
            let (from, to) = (codes.checked, arrived);
            let (Some(new), Some(s)) = (
                bytes.get(at + from * stride..at + to * stride),
                bytes.get(scales + 4 * from..scales + 4 * to),
            ) else {
                return;
            };
            let pending = i8s(new).chunks_exact(stride).zip(s.chunks_exact(4));
            if l.rows.is_some() {
                for ((row, scale), &max) in pending.zip(&rows.maxes[from..to]) {
                    codes.check(row, l.dims, word_f32(scale), max);
                }
            } else {
                // Model files align every array; a copy only for one that is not.
                let copied: Vec<f32>;
                let scales = match as_f32s(s) {
                    Some(scales) => scales,
                    None => {
                        copied = s.chunks_exact(4).map(word_f32).collect();
                        &copied
                    }
                };
                codes.check_units(i8s(new), scales, stride, l.dims);
            }
        }
    }

    /// The body's XXH64 (when the whole file has been taken) and the checks made.
    fn finish(self) -> (Option<u64>, Prechecked) {
        let whole = self.taken == self.len;
        (whole.then(|| self.sum.finish()), self.pre)
    }
}

impl Layout {
    /// The layout, from the file's first bytes: `None` until the header, the table and `META`
    /// have arrived; `Some(None)` when the file cannot be followed (loading then checks
    /// everything, and says what is wrong).
    fn of(bytes: &[u8], len: usize) -> Option<Option<Layout>> {
        if bytes.len() < HEADER_LEN {
            return None;
        }
        let Ok(h) = header(&bytes[..HEADER_LEN], len as u64) else {
            return Some(None);
        };
        if bytes.len() < HEADER_LEN + h.count as usize * ENTRY_LEN {
            return None;
        }
        let Ok(table) = table(bytes, h.count, len) else {
            return Some(None);
        };
        let find = |t: [u8; 4]| table.iter().find(|e| e.0 == t).map(|e| (e.1, e.2));
        let Some(meta) = find(tag::META) else {
            return Some(None);
        };
        let m = bytes.get(meta.0..meta.0 + 8)?;
        let (n, dims) = (word(m, 0) as usize, word(m, 4) as usize);
        let stride = dims.div_ceil(LANES) * LANES;
        let sized = |size: usize, per_row: usize, extra: usize| {
            n.checked_mul(per_row).and_then(|b| b.checked_add(extra)) == Some(size)
        };
        // Rows (their head is checked when it arrives) and codes after them, of the right sizes;
        // or, in version 3, codes alone.
        let plausible = dims > 0 && dims < 1 << 20;
        let rows = find(tag::EMBEDDINGS).filter(|&(_, size)| plausible && sized(size, dims * 4, 4));
        let codes = find(tag::CODES).filter(|&(off, size)| {
            let after_rows = match find(tag::EMBEDDINGS) {
                Some(_) => rows.is_some_and(|(at, _)| off > at),
                None => h.version >= 3,
            };
            plausible && after_rows && sized(size, 4 + stride, 8)
        });
        Some(Some(Layout {
            n,
            dims,
            rows: rows.map(|(at, _)| at),
            codes: codes.map(|(at, _)| (at, stride)),
            lists: [tag::CO_PURCHASE, tag::CO_VIEW].map(|t| find(t).map(|(at, _)| at)),
        }))
    }
}

fn word(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn word_f32(b: &[u8]) -> f32 {
    f32::from_bits(word(b, 0))
}

/// `b` as f32 values, when it is aligned for them (model files align every array).
fn as_f32s(b: &[u8]) -> Option<&[f32]> {
    // SAFETY: every bit pattern is an f32; `align_to` puts in the middle only what is aligned.
    let (head, mid, tail) = unsafe { b.align_to::<f32>() };
    (head.is_empty() && tail.is_empty() && cfg!(target_endian = "little")).then_some(mid)
}

/// `b` as u32 values, when it is aligned for them.
fn as_u32s(b: &[u8]) -> Option<&[u32]> {
    // SAFETY: every bit pattern is a u32; `align_to` puts in the middle only what is aligned.
    let (head, mid, tail) = unsafe { b.align_to::<u32>() };
    (head.is_empty() && tail.is_empty() && cfg!(target_endian = "little")).then_some(mid)
}

/// `b` as i8 values.
fn i8s(b: &[u8]) -> &[i8] {
    // SAFETY: i8 and u8 have the same size and alignment, and every bit pattern is both.
    unsafe { core::slice::from_raw_parts(b.as_ptr().cast::<i8>(), b.len()) }
}

/// Bulk readers of little-endian arrays; every length is checked first. On little-endian targets
/// (wasm32, x86-64) the bytes are the values already: one copy, instead of assembling each value
/// (a sixth of `open` on a 100k × 64 catalog).
fn read_u32s(b: &[u8]) -> Vec<u32> {
    copy_le(b, |c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The `b.len() / 4` values of the little-endian bytes `b`. The vector is filled by one copy
/// without being zeroed first (zeroing tens of megabytes was a tenth of `open`).
fn copy_le<T: Copy>(b: &[u8], one: impl Fn(&[u8]) -> T) -> Vec<T> {
    const { assert!(core::mem::size_of::<T>() == 4) };
    let n = b.len() / 4;
    if cfg!(target_endian = "little") {
        let mut v = Vec::<T>::with_capacity(n);
        // SAFETY: `T` is a 4-byte plain number type (u32 or f32: every bit pattern is a value),
        // `v` has room for `n` of them and `b` holds at least `4 n` bytes; the two cannot overlap
        // (`v` was just allocated). After the copy the first `n` values are initialised.
        unsafe {
            core::ptr::copy_nonoverlapping(b.as_ptr(), v.as_mut_ptr().cast::<u8>(), n * 4);
            v.set_len(n);
        }
        v
    } else {
        b.chunks_exact(4).map(one).collect()
    }
}

/// The values whose bytes are `b` (a part of `file`), read in place.
fn view<T: Plain>(file: &FileBytes, b: &[u8], what: &str) -> Result<Array<T>> {
    Array::in_file(file, b).ok_or_else(|| truncated(what))
}

/// `count` little-endian 4-byte values at the reader's position.
fn take4<'a>(r: &mut Reader<'a>, count: u32, what: &str) -> Result<&'a [u8]> {
    let len = (count as usize)
        .checked_mul(4)
        .ok_or_else(|| truncated(what))?;
    r.bytes(len).map_err(|_| truncated(what))
}

/// A per-item column of `n` values, read in place.
fn column<T: Plain>(file: &FileBytes, b: &[u8], n: usize, what: &str) -> Result<Array<T>> {
    if b.len() != n * core::mem::size_of::<T>() {
        return Err(truncated(what));
    }
    view(file, b, what)
}

/// A per-item column of `n` values, copied: one that loading changes (normalises) or keeps owned.
fn array_f32(file: &FileBytes, b: &[u8], n: usize, what: &str) -> Result<Vec<f32>> {
    column::<f32>(file, b, n, what).map(|a| a.to_vec())
}

fn read_strings(file: &FileBytes, b: &[u8], what: &str) -> Result<Strings> {
    let mut r = Reader::new(b);
    let count = r.u32().map_err(|_| truncated(what))?;
    if count == 0 {
        return Ok(Strings::default());
    }
    let offsets = take4(&mut r, count.saturating_add(1), what)?;
    let text = r.bytes(r.remaining()).map_err(|_| truncated(what))?;
    Strings::in_file(file, offsets, text).ok_or_else(|| {
        let mut m = String::from("the model file is damaged: section ");
        m.push_str(what);
        m.push_str(" is not UTF-8");
        Error::Model(m)
    })
}

fn read_lists(b: &[u8], what: &str) -> Result<Lists> {
    let mut r = Reader::new(b);
    let rows = r.u32().map_err(|_| truncated(what))?;
    let values = r.u32().map_err(|_| truncated(what))?;
    let offsets = if rows == 0 && b.len() == 8 {
        Vec::new()
    } else {
        read_u32s(take4(&mut r, rows.saturating_add(1), what)?)
    };
    let values = read_u32s(take4(&mut r, values, what)?);
    Ok(Lists { offsets, values })
}

fn read_neighbours(file: &FileBytes, b: &[u8], what: &str) -> Result<Neighbours> {
    let mut r = Reader::new(b);
    let rows = r.u32().map_err(|_| truncated(what))?;
    let nnz = r.u32().map_err(|_| truncated(what))?;
    let offsets = if rows == 0 && nnz == 0 && r.remaining() == 0 {
        Array::default()
    } else {
        view(file, take4(&mut r, rows.saturating_add(1), what)?, what)?
    };
    let targets = view(file, take4(&mut r, nnz, what)?, what)?;
    let weights = view(file, take4(&mut r, nnz, what)?, what)?;
    Ok(Neighbours {
        offsets,
        targets,
        weights,
    })
}

/// Reads a model file into parts (not yet validated: [`Model::from_parts`] does that).
pub fn decode(data: &[u8]) -> Result<ModelParts> {
    decode_with_codes(&FileBytes::new(data.to_vec()), None).map(|(p, _)| p)
}

/// The `EMBQ` section (int8 codes and per-row scales) as stored, its shape checked against the
/// embeddings; its values are checked by [`Model::from_parts_with_codes`].
fn read_codes(file: &FileBytes, b: &[u8], n: usize, dims: usize) -> Result<Quantized> {
    let mut r = Reader::new(b);
    let what = "EMBQ";
    let qdims = r.u32().map_err(|_| truncated(what))? as usize;
    let stride = r.u32().map_err(|_| truncated(what))? as usize;
    if qdims != dims || dims == 0 || stride != dims.div_ceil(LANES) * LANES {
        return Err(err("the EMBQ section does not match the embeddings"));
    }
    let scales = view(file, take4(&mut r, n as u32, what)?, what)?;
    let len = n.checked_mul(stride).ok_or_else(|| truncated(what))?;
    let codes = r.bytes(len).map_err(|_| truncated(what))?;
    if r.remaining() != 0 {
        return Err(truncated(what));
    }
    Ok(Quantized {
        dims,
        stride,
        codes: view(file, codes, what)?,
        scales,
        max_norm: 0.0,
    })
}

/// [`decode`], with the stored int8 codes when the file has them (`body_xxh64`: see [`sections`]).
fn decode_with_codes(
    file: &FileBytes,
    body_xxh64: Option<u64>,
) -> Result<(ModelParts, Option<Quantized>)> {
    let data: &[u8] = file;
    let s = sections(data, body_xxh64)?;
    let mut m = Reader::new(s.required(tag::META)?);
    let meta = (|| -> core::result::Result<_, Truncated> {
        let n = m.u32()? as usize;
        let dims = m.u32()? as usize;
        let info = Info {
            reference_time: m.f64()?,
            popularity_half_life_days: m.f32()?,
            trending_half_life_days: m.f32()?,
            lines: m.u64()?,
        };
        Ok((n, dims, info))
    })();
    let (n, dims, info) = meta.map_err(|_| truncated("META"))?;
    if n.checked_mul(8).is_none_or(|b| b > data.len()) {
        return Err(err("the item count does not fit the file"));
    }
    let flags = s.required(tag::FLAGS)?;
    if flags.len() != n {
        return Err(truncated("FLAG"));
    }
    let codes = match s.get(tag::CODES) {
        Some(b) => Some(read_codes(file, b, n, dims)?),
        None => None,
    };
    // Without `EMBD`, the codes are the embeddings (version 3).
    let embeddings = match s.get(tag::EMBEDDINGS) {
        None if codes.is_some() && s.version >= 3 => Array::default(),
        emb => {
            let emb = emb.unwrap_or(&[0, 0, 0, 0]);
            let mut er = Reader::new(emb);
            let edims = er.u32().map_err(|_| truncated("EMBD"))? as usize;
            if emb.len() % 4 != 0 || edims != dims {
                return Err(truncated("EMBD"));
            }
            let rows: Array<f32> = view(file, er.bytes(er.remaining()).unwrap_or(&[]), "EMBD")?;
            if rows.len() != n.saturating_mul(dims) {
                return Err(truncated("EMBD"));
            }
            rows
        }
    };
    let order = |t: [u8; 4], what: &str| match s.get(t) {
        Some(b) if !b.is_empty() => column(file, b, n, what),
        _ => Ok(Array::default()),
    };
    let id_index = match s.get(tag::ID_INDEX) {
        Some(b) if b.len() % 4 == 0 => view(file, b, "IDHX")?,
        Some(_) => return Err(truncated("IDHX")),
        None => Array::default(),
    };
    let nb = |t: [u8; 4], what: &str| match s.get(t) {
        Some(b) => read_neighbours(file, b, what),
        None => Ok(Neighbours::default()),
    };
    let parts = ModelParts {
        ids: read_strings(file, s.required(tag::IDS)?, "IDS_")?,
        titles: read_strings(file, s.required(tag::TITLES)?, "TITL")?,
        category: column(file, s.required(tag::CATEGORY)?, n, "ICAT")?,
        categories: read_strings(file, s.required(tag::CATEGORY_NAMES)?, "CATN")?,
        brand: column(file, s.required(tag::BRAND)?, n, "IBRD")?,
        brands: read_strings(file, s.required(tag::BRAND_NAMES)?, "BRDN")?,
        price: column(file, s.required(tag::PRICE)?, n, "PRIC")?,
        in_stock: flags.iter().map(|f| f & FLAG_IN_STOCK != 0).collect(),
        sensitive: flags.iter().map(|f| f & FLAG_SENSITIVE != 0).collect(),
        item_tags: read_lists(s.required(tag::TAGS)?, "ITAG")?,
        tags: read_strings(file, s.required(tag::TAG_NAMES)?, "TAGN")?,
        popularity: array_f32(file, s.required(tag::POPULARITY)?, n, "POPU")?,
        trending: array_f32(file, s.required(tag::TRENDING)?, n, "TRND")?,
        co_purchase: nb(tag::CO_PURCHASE, "NBCP")?,
        co_view: nb(tag::CO_VIEW, "NBCV")?,
        dims,
        embeddings,
        channels: match s.get(tag::CHANNEL_NAMES) {
            Some(b) => read_strings(file, b, "CHAN")?,
            None => Strings::default(),
        },
        channel_trending: nb(tag::CHANNEL_TRENDING, "CHTR")?,
        id_index,
        popularity_order: order(tag::POPULARITY_ORDER, "ORDP")?,
        trending_order: order(tag::TRENDING_ORDER, "ORDT")?,
        repeat: match s.get(tag::REPEAT) {
            Some(b) => array_f32(file, b, n, "REPT")?,
            None => Vec::new(),
        },
        info,
    };
    Ok((parts, codes))
}

/// A model file read and its sections checked, the model not yet built: the first half of
/// [`Model::from_file_incoming`] (`Vitrine.load` runs each step as a task of its own).
#[derive(Debug)]
pub struct Decoded {
    parts: ModelParts,
    codes: Option<Quantized>,
    pre: Prechecked,
}

impl Decoded {
    /// Checks the file (`incoming`: the checks made while it was copied in, which must have
    /// taken all of `bytes`) and reads its sections, in place.
    pub fn new(bytes: Vec<u8>, incoming: Option<Incoming>) -> Result<Self> {
        let (sum, pre) = match incoming {
            Some(i) if i.len == bytes.len() => i.finish(),
            _ => (None, Prechecked::default()),
        };
        let (parts, codes) = decode_with_codes(&FileBytes::new(bytes), sum)?;
        Ok(Decoded { parts, codes, pre })
    }

    /// The parts checked ([`Checked`]; its `build` makes the model).
    pub fn check(self) -> Result<Checked> {
        Checked::new(self.parts, self.codes, self.pre)
    }

    /// The model: what is left to check, and its indexes built.
    pub fn build(self) -> Result<Model> {
        self.check()?.build()
    }
}

impl Model {
    /// Loads a model file made by `vitrine-model build` (a copy of `bytes`: see
    /// [`Model::from_file`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Model::from_file(bytes.to_vec())
    }

    /// Loads a model file, keeping its bytes: the embedding rows and codes and the neighbour rows
    /// are read in place from them rather than copied.
    pub fn from_file(bytes: Vec<u8>) -> Result<Self> {
        Model::from_file_incoming(bytes, None)
    }

    /// [`Model::from_file`] given the checks made while the file was copied in ([`Incoming`],
    /// which must have taken all of `bytes`): its checksum is compared, not computed again, and
    /// the rows and codes checked there are not checked again.
    pub fn from_file_incoming(bytes: Vec<u8>, incoming: Option<Incoming>) -> Result<Self> {
        Decoded::new(bytes, incoming)?.build()
    }

    /// The model as a file that loads back to exactly this model: with f32 rows (format version
    /// 2), or with int8 codes only (version 3) when that is how the model holds its embeddings.
    pub fn to_bytes(&self) -> Vec<u8> {
        let codes_only = self.dims() > 0 && self.embeddings().is_empty();
        self.to_file(if codes_only {
            Embeddings::Int8
        } else {
            Embeddings::F32
        })
    }

    /// The model as a file, its embeddings held as `embeddings` says (what `vitrine-model build`
    /// writes).
    pub fn to_file(&self, embeddings: Embeddings) -> Vec<u8> {
        encode_with(self.parts(), Some(self.quantized()), embeddings)
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
