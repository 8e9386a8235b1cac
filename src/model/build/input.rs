//! Reading input files: plain or gzip, CSV or JSON Lines, one record at a time, with the line
//! number of each record for error reports.

use super::progress::Progress;
use super::BuildError;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts the bytes read from the file (before decompression), for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

/// One field of a record.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A JSON value that is neither (arrays of tags or embeddings stay as JSON).
    Json(&'a serde_json::Value),
}

impl Field<'_> {
    /// The field as text (numbers printed as integers when whole).
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Field::Text(s) => Some(Cow::Borrowed(s.as_ref())),
            Field::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                Some(Cow::Owned((*n as i64).to_string()))
            }
            Field::Number(n) => Some(Cow::Owned(n.to_string())),
            Field::Json(_) => None,
        }
    }

    /// The field as it was given, at most 40 characters, for an error message.
    pub fn shown(&self) -> String {
        let s = match self {
            Field::Text(s) => s.to_string(),
            Field::Number(n) => n.to_string(),
            Field::Json(v) => v.to_string(),
        };
        s.chars().take(40).collect()
    }

    /// The field as a number (text is parsed).
    pub fn number(&self) -> Option<f64> {
        match self {
            Field::Number(n) => Some(*n),
            Field::Text(s) => s.trim().parse().ok(),
            Field::Json(_) => None,
        }
    }
}

/// A record being read: CSV cells or a JSON object.
pub enum Record {
    Csv(Vec<String>),
    Json(serde_json::Map<String, serde_json::Value>),
}

/// A reader of records from one file.
pub struct Input {
    path: PathBuf,
    reader: Box<dyn BufRead>,
    pub format: Format,
    /// CSV header, lower-cased.
    header: Vec<String>,
    line: u64,
    buf: String,
    raw: Vec<u8>,
    pub bytes_read: Arc<AtomicU64>,
    pub total_bytes: u64,
}

impl Input {
    /// Opens `path`, decompressing gzip (by its magic bytes, whatever the name), and detects the
    /// format: JSON Lines when the first non-blank character is `{`, CSV otherwise.
    pub fn open(path: &Path) -> Result<Self, BuildError> {
        let io = |e: std::io::Error| BuildError::io(path, e);
        let file = File::open(path).map_err(io)?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: file,
            read: bytes_read.clone(),
        };
        let mut peek = BufReader::with_capacity(1 << 16, counting);
        let gz = peek.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
        let mut reader: Box<dyn BufRead> = if gz {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(peek),
            ))
        } else {
            Box::new(peek)
        };
        // A UTF-8 byte-order mark (Excel, pandas' utf-8-sig) is not part of the first field.
        if reader.fill_buf().map_err(io)?.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
        let first = reader.fill_buf().map_err(io)?;
        if first.is_empty() {
            return Err(BuildError::input(path, 0, "is empty"));
        }
        if let Some(what) = not_text(first) {
            return Err(BuildError::input(path, 0, what));
        }
        let format = match first.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::JsonLines,
            _ => Format::Csv,
        };
        let mut input = Input {
            path: path.to_owned(),
            reader,
            format,
            header: Vec::new(),
            line: 0,
            buf: String::new(),
            raw: Vec::new(),
            bytes_read,
            total_bytes,
        };
        if format == Format::Csv {
            // Blank lines before the header are skipped, as they are between records.
            loop {
                match input.next_line()? {
                    Some(Ok(())) if input.buf.trim().is_empty() => continue,
                    Some(Ok(())) => {
                        input.header = split_csv(&input.buf)
                            .into_iter()
                            .map(|h| h.trim().to_lowercase())
                            .collect();
                        break;
                    }
                    Some(Err(_)) => {
                        return Err(BuildError::input(
                            path,
                            input.line,
                            format!("the header line is not UTF-8 {LATIN1}"),
                        ))
                    }
                    None => return Err(BuildError::input(path, 0, "has no header line")),
                }
            }
        }
        Ok(input)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// A progress bar that follows this file.
    pub fn progress(&self, label: &str, enabled: bool) -> Progress {
        Progress::bytes(label, self.total_bytes, self.bytes_read.clone(), enabled)
    }

    /// Reads the next line into `buf`: `None` at the end, `Some(Err)` for a line that is not UTF-8.
    fn next_line(&mut self) -> Result<Option<Result<(), String>>, BuildError> {
        self.raw.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.raw)
            .map_err(|e| BuildError::io(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        while matches!(self.raw.last(), Some(b'\n' | b'\r')) {
            self.raw.pop();
        }
        self.buf.clear();
        match std::str::from_utf8(&self.raw) {
            Ok(s) => {
                self.buf.push_str(s);
                Ok(Some(Ok(())))
            }
            Err(_) => Ok(Some(Err(format!("is not UTF-8 {LATIN1}")))),
        }
    }

    /// The next record and its line number. Blank lines are skipped; a record that cannot be
    /// read at all is `Err(reason)`.
    #[allow(clippy::type_complexity)]
    pub fn next_record(&mut self) -> Result<Option<(u64, Result<Record, String>)>, BuildError> {
        loop {
            let Some(read) = self.next_line()? else {
                return Ok(None);
            };
            let line = self.line;
            if let Err(e) = read {
                return Ok(Some((line, Err(e))));
            }
            if blank(&self.buf, self.format) {
                continue;
            }
            let rec = match self.format {
                Format::Csv => {
                    let cells = split_csv(&self.buf);
                    if cells.len() != self.header.len() {
                        // An odd number of quotes: a quoted field that goes on past the line.
                        let open = self.buf.bytes().filter(|&b| b == b'"').count() % 2 == 1;
                        Err(format!(
                            "has {} fields, the header has {}{}",
                            cells.len(),
                            self.header.len(),
                            if open {
                                " (a quoted field is not closed on its line: fields cannot span lines)"
                            } else {
                                ""
                            }
                        ))
                    } else {
                        Ok(Record::Csv(cells))
                    }
                }
                Format::JsonLines => match serde_json::from_str::<serde_json::Value>(&self.buf) {
                    Ok(serde_json::Value::Object(o)) => Ok(Record::Json(o)),
                    Ok(_) => Err("is not a JSON object".into()),
                    // `{"a": 1,` then `"b": 2}`: pretty-printed JSON, not JSON Lines.
                    Err(e) if e.is_eof() => Err(format!(
                        "is not valid JSON ({e}): the object does not end on its line; JSON Lines \
                         holds one object per line (jq -c . FILE writes them so)"
                    )),
                    Err(e) => Err(format!("is not valid JSON ({e})")),
                },
            };
            return Ok(Some((line, rec)));
        }
    }

    /// Field `name` of a record (CSV: by header name, which is lower-cased; JSON: by key, any of
    /// `names`, which are lower case: a key matches whatever its case, as a CSV header does).
    /// Empty (or blank) CSV cells, JSON empty strings and JSON nulls are absent.
    pub fn field<'a>(&self, rec: &'a Record, names: &[&str]) -> Option<Field<'a>> {
        match rec {
            Record::Csv(cells) => names.iter().find_map(|n| {
                let at = self.header.iter().position(|h| h == n)?;
                let c = cells.get(at)?;
                (!c.trim().is_empty()).then_some(Field::Text(Cow::Borrowed(c.as_str())))
            }),
            Record::Json(o) => names.iter().find_map(|n| match json_key(o, n)? {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) if s.trim().is_empty() => None,
                serde_json::Value::String(s) => Some(Field::Text(Cow::Borrowed(s.as_str()))),
                // Numbers beyond 2^53 stay JSON: as an f64 an integer there would be another
                // number (serde_json reads integers beyond 64 bits as f64 already).
                serde_json::Value::Number(x)
                    if x.as_u64()
                        .or(x.as_i64().map(i64::unsigned_abs))
                        .map_or_else(
                            || x.as_f64().is_some_and(|v| v.abs() > 2f64.powi(53)),
                            |v| v > (1 << 53),
                        ) =>
                {
                    Some(Field::Json(json_key(o, n)?))
                }
                serde_json::Value::Number(x) => x.as_f64().map(Field::Number),
                other => Some(Field::Json(other)),
            }),
        }
    }

    /// What to add to a missing-column error when the header looks split by something else.
    pub fn separator_hint(&self) -> &'static str {
        match self.header.as_slice() {
            [one] if one.contains(';') || one.contains('\t') => {
                "; the header is one column: columns are separated by commas, not ';' or tabs"
            }
            _ => "",
        }
    }

    /// Whether the file has a column (CSV) — JSON records may have any key.
    pub fn has_column(&self, names: &[&str]) -> bool {
        self.format == Format::JsonLines || names.iter().any(|n| self.header.iter().any(|h| h == n))
    }

    /// A hash of the line just read, as it was in the file: equal for lines that are the same
    /// bytes (exact duplicates), different otherwise but for a chance of 2^-32.
    pub fn line_hash(&self) -> u32 {
        crate::model::tables::hash(&self.raw) as u32
    }

    /// Field `names` of the line just read when it could not be read as a record (a CSV line
    /// with the wrong number of fields, one that is not UTF-8): the cell in that column, or the
    /// key of a JSON object, with bytes that are not UTF-8 replaced. The id of a catalog row
    /// refused this way still names the item that must not be shown.
    pub fn salvage(&self, names: &[&str]) -> Option<String> {
        let line = String::from_utf8_lossy(&self.raw);
        let found = match self.format {
            Format::Csv => {
                let at = self
                    .header
                    .iter()
                    .position(|h| names.iter().any(|n| h == n))?;
                split_csv(&line).into_iter().nth(at)
            }
            Format::JsonLines => match serde_json::from_str::<serde_json::Value>(&line).ok()? {
                serde_json::Value::Object(o) => names
                    .iter()
                    .find_map(|n| json_key(&o, n))
                    .and_then(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Number(x) => Some(x.to_string()),
                        _ => None,
                    }),
                _ => None,
            },
        }?;
        let id = found.trim();
        (!id.is_empty()).then(|| id.to_owned())
    }
}

/// What to do about a file that is not UTF-8, for its messages.
const LATIN1: &str = "(Latin-1 or Windows-1252, as Excel writes CSV?): save the file as \
     CSV UTF-8, or convert it (iconv -f windows-1252 -t utf-8)";

/// Key `name` (lower case) of a JSON object: the key itself, or one that differs only in case.
fn json_key<'a>(
    o: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A line with nothing in it: blank, or (CSV) only separators, as spreadsheets write the empty
/// rows below a table (`,,,,`).
fn blank(line: &str, format: Format) -> bool {
    line.bytes()
        .all(|b| b.is_ascii_whitespace() || (format == Format::Csv && matches!(b, b',' | b'"')))
}

/// Why the start of a file (decompressed) shows it is not UTF-8 CSV or JSON Lines, and what to
/// do about it; `None` when it may be.
fn not_text(head: &[u8]) -> Option<String> {
    const WHAT: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            "is a zip archive (an .xlsx workbook is one): unzip it, or save the sheet as CSV UTF-8",
        ),
        (
            b"PK\x05\x06",
            "is an empty zip archive: give the CSV or JSON Lines file itself",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "is an Excel 97-2003 workbook (.xls): save the sheet as CSV UTF-8",
        ),
        (
            b"PAR1",
            "is a Parquet file: export it as CSV or JSON Lines (DuckDB: COPY (FROM 'FILE') TO 'out.csv')",
        ),
        (
            b"\x28\xB5\x2F\xFD",
            "is zstd-compressed: decompress it (zstd -d), or compress it with gzip, which is read as it is",
        ),
        (
            b"BZh",
            "is bzip2-compressed: decompress it (bunzip2), or compress it with gzip, which is read as it is",
        ),
        (
            b"\xFD7zXZ\x00",
            "is xz-compressed: decompress it (unxz), or compress it with gzip, which is read as it is",
        ),
    ];
    if let Some((_, what)) = WHAT.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some((*what).to_owned());
    }
    // UTF-16 with its byte-order mark (Excel's "Unicode text"), or without one: ASCII text in
    // UTF-16 is a zero byte beside every character (after it, or before it), which a binary
    // file's zero bytes are not.
    let units = head[..head.len().min(64) & !1].chunks_exact(2);
    let ascii = |b: u8| b != 0 && b.is_ascii();
    let utf16 =
        |lead: usize| units.len() >= 4 && units.clone().all(|u| u[lead] == 0 && ascii(u[1 - lead]));
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || utf16(1) || utf16(0) {
        return Some(
            "is UTF-16 (Excel's \"Unicode text\"): save it as CSV UTF-8 (or convert it: iconv -f utf-16 -t utf-8)"
                .into(),
        );
    }
    if head.iter().take(512).any(|&b| b == 0) {
        return Some(
            "is not a text file (it holds zero bytes): give a CSV or JSON Lines file".into(),
        );
    }
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Some(
            "is a JSON array: write one object per line (JSON Lines), e.g. jq -c '.[]' FILE".into(),
        );
    }
    // Lines ended by CR alone (classic Mac OS, some spreadsheet exports): the whole file would
    // be one line. A CR followed by LF is Windows', which is read.
    let end = head.iter().position(|&b| b == b'\r' || b == b'\n');
    if let Some(at) = end.filter(|&at| head[at] == b'\r') {
        if head.get(at + 1).is_some_and(|&b| b != b'\n') {
            return Some(
                "uses CR line endings (classic Mac): convert them to LF (tr '\\r' '\\n' < FILE) or save it as CSV UTF-8"
                    .into(),
            );
        }
    }
    None
}

/// Splits one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote). Fields cannot span lines.
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A timestamp read from a field.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Time {
    /// Milliseconds since the epoch.
    pub ms: f64,
    /// Given as a number (epoch milliseconds), not as an ISO-8601 date.
    pub numeric: bool,
}

/// Why a field is not a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Neither ISO-8601 nor a number.
    Unreadable,
    /// Eight digits that make a date (`20240601`, GA4's `event_date`): as epoch milliseconds they
    /// would be the first hours of 1970, so they are refused rather than misread.
    CompactDate,
    /// A well-formed date that does not exist (`2024-02-30`).
    NoSuchDay,
}

/// Parses a timestamp: epoch milliseconds (a number), or ISO-8601 (`2011-06-01`,
/// `2011-06-01T10:15:00Z`, `2011-06-01 10:15:00.5+01:00`, `2011-06-01 10:15:00 +0100`,
/// `2011-06-01 10:15:00 UTC`; no zone means UTC). Returns ms since the epoch.
pub fn parse_time(f: &Field<'_>) -> Option<f64> {
    read_time(f).ok().map(|t| t.ms)
}

/// [`parse_time`], saying whether the time was a number and why a field is not a time.
pub fn read_time(f: &Field<'_>) -> Result<Time, TimeError> {
    let numeric = |n: f64| {
        if !n.is_finite() {
            return Err(TimeError::Unreadable);
        }
        if compact_date(n) {
            return Err(TimeError::CompactDate);
        }
        Ok(Time {
            ms: n,
            numeric: true,
        })
    };
    match f {
        Field::Number(n) => numeric(*n),
        Field::Text(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<f64>() {
                return numeric(n);
            }
            parse_iso(s).map(|ms| Time { ms, numeric: false })
        }
        Field::Json(_) => Err(TimeError::Unreadable),
    }
}

/// Whether a number is a date written `YYYYMMDD` (years 1000–9999).
fn compact_date(n: f64) -> bool {
    if n.fract() != 0.0 || !(10_000_101.0..=99_991_231.0).contains(&n) {
        return false;
    }
    let n = n as i64;
    let (y, m, d) = (n / 10_000, n / 100 % 100, n % 100);
    (1..=12).contains(&m) && (1..=crate::event::iso::days_in_month(y, m)).contains(&d)
}

/// Whether text is a number in scientific notation (`5.55E+12`), as Excel shows, and saves in
/// CSV, long numbers: ids and epoch times saved that way have lost their last digits.
pub fn scientific(s: &str) -> bool {
    let s = s.trim();
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && !exponent.is_empty()
        && digits(whole)
        && digits(fraction)
        && digits(exponent)
}

/// ISO 8601 text ([`crate::event::iso::read`], the reader events' times go through too): without
/// a zone, UTC.
fn parse_iso(s: &str) -> Result<f64, TimeError> {
    use crate::event::iso::{read, IsoError};
    read(s).map(|t| t.ms).map_err(|e| match e {
        IsoError::Unreadable => TimeError::Unreadable,
        IsoError::NoSuchDay => TimeError::NoSuchDay,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<f64> {
        parse_time(&Field::Text(Cow::Borrowed(s)))
    }

    #[test]
    fn timestamps_in_every_accepted_form() {
        assert_eq!(t("1970-01-01"), Some(0.0));
        assert_eq!(t("2011-06-01T00:00:00Z"), Some(1_306_886_400_000.0));
        assert_eq!(t("2011-06-01 00:00:00"), Some(1_306_886_400_000.0));
        assert_eq!(t("2011-06-01T01:00:00+01:00"), Some(1_306_886_400_000.0));
        assert_eq!(t("2011-06-01T01:00+0100"), Some(1_306_886_400_000.0));
        assert_eq!(t("2011-06-01T00:00:00.250Z"), Some(1_306_886_400_250.0));
        assert_eq!(t("2000-02-29T12:00:00Z"), Some(951_825_600_000.0));
        assert_eq!(t("1306886400000"), Some(1_306_886_400_000.0));
        for bad in [
            "",
            "yesterday",
            "2011-13-01",
            "2011-06-01T25:00",
            "2011/06/01",
            "2011-06-01T10:00X",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    fn read(s: &str) -> Result<Time, TimeError> {
        read_time(&Field::Text(Cow::Borrowed(s)))
    }

    /// Shopify (`2024-06-01 13:45:00 +0200`) and BigQuery (`2024-06-01 13:45:00 UTC`) write a
    /// space before the zone; GA4's `event_date` is a compact date; dates that do not exist
    /// were moved to the next month.
    #[test]
    fn shop_and_warehouse_timestamps_are_read_and_misreadings_refused() {
        let utc = t("2024-06-01T11:45:00Z").unwrap();
        for same in [
            "2024-06-01 13:45:00 +0200",
            "2024-06-01 13:45:00 +02:00",
            "2024-06-01 09:45:00 -0200",
            "2024-06-01 11:45:00 UTC",
            "2024-06-01 11:45:00 utc",
            "2024-06-01T11:45:00 GMT",
            "2024-06-01T11:45:00 Z",
            "2024-06-01 11:45:00.000 UTC",
        ] {
            assert_eq!(t(same), Some(utc), "{same}");
        }
        assert_eq!(t("2024-06-01 11:45:00.5 UTC"), Some(utc + 500.0));
        for bad in [
            "2024-06-01 11:45:00  UTC",
            "2024-06-01 11:45:00 CEST",
            "2024-06-01 11:45:00 +2500",
        ] {
            assert_eq!(read(bad), Err(TimeError::Unreadable), "{bad}");
        }
        assert_eq!(read("20240601"), Err(TimeError::CompactDate));
        assert_eq!(
            read_time(&Field::Number(20_240_601.0)),
            Err(TimeError::CompactDate)
        );
        // Eight digits that are no date stay epoch milliseconds (and a warning covers 1970).
        assert_eq!(read("20241399").map(|t| t.ms), Ok(20_241_399.0));
        for no_day in ["2024-02-30", "2023-02-29", "2024-04-31", "1900-02-29"] {
            assert_eq!(read(no_day), Err(TimeError::NoSuchDay), "{no_day}");
        }
        assert_eq!(t("2024-02-29"), Some(1_709_164_800_000.0));
        assert_eq!(t("2000-02-29"), Some(951_782_400_000.0));
        assert!(read("1717242300000").unwrap().numeric);
        assert!(!read("2024-06-01").unwrap().numeric);
        assert!(scientific("5.55E+12") && scientific(" 1e9") && scientific("-2.5e-3"));
        for not in ["5E", "E5", "sku-1e5", "1.2.3e4", "12345", "e+12", "5.55E+"] {
            assert!(!scientific(not), "{not}");
        }
    }

    #[test]
    fn what_a_file_is_when_it_is_not_csv_or_json_lines() {
        let said = |head: &[u8]| not_text(head).unwrap_or_default();
        assert!(said(b"PK\x03\x04\x14\x00").starts_with("is a zip archive"));
        assert!(said(b"\xFF\xFEu\x00s\x00").starts_with("is UTF-16"));
        assert!(said(b"u\x00s\x00e\x00r\x00_\x00i\x00d\x00,\x00").starts_with("is UTF-16"));
        assert!(said(b"\x00u\x00s\x00e\x00r\x00_\x00i\x00d").starts_with("is UTF-16"));
        // A program, say, is no text of any kind.
        assert!(
            said(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00")
                .starts_with("is not a text file")
        );
        assert!(said(b" [{\"a\": 1}]").starts_with("is a JSON array"));
        assert!(said(b"a,b\rc,d\r").starts_with("uses CR line endings"));
        for fine in [
            &b"a,b\r\nc,d\r\n"[..],
            b"a,b\nc,d\n",
            b"{\"a\": 1}\n",
            b"a,b\r",
        ] {
            assert_eq!(not_text(fine), None, "{fine:?}");
        }
        assert!(blank(",,, ,", Format::Csv) && blank(" \"\",\"\"", Format::Csv));
        assert!(!blank(",,1,", Format::Csv) && !blank(",,", Format::JsonLines));
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            split_csv(r#"a,"b, c","d ""q""",,e"#),
            ["a", "b, c", "d \"q\"", "", "e"]
        );
        assert_eq!(split_csv(""), [""]);
    }
}
