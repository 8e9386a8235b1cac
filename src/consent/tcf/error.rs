//! Why a TC string was rejected. Messages are built from static text and integers (no `format!`
//! in the shipped module) and say what is wrong and where.

use crate::args::{concat, int_to_string};

/// A malformed TC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcError {
    Empty,
    TooLong,
    /// A character outside the base64url alphabet, at this character index of the string.
    Base64 {
        at: usize,
        found: char,
    },
    /// Two dots in a row, or a dot at either end.
    EmptySegment {
        segment: u8,
    },
    /// The segment ended inside `field`.
    Truncated {
        segment: u8,
        field: &'static str,
    },
    /// The core segment's version is not 2.
    Version(u64),
    /// A segment after the core declares a type TCF v2 does not define.
    SegmentType {
        segment: u8,
        kind: u8,
    },
    /// A segment type appears twice.
    DuplicateSegment {
        segment: u8,
        kind: u8,
    },
    /// A range entry whose end is before its start.
    Range {
        field: &'static str,
        start: u16,
        end: u16,
    },
    /// Vendor ids start at 1.
    VendorZero {
        field: &'static str,
    },
    /// A language or country code letter outside A–Z.
    Letter {
        field: &'static str,
    },
    /// The vendor lists together hold more than [`super::MAX_IDS`] ids.
    TooManyIds,
    /// Legitimate interest set for one of purposes 3–6 in a TCF 2.2 string.
    LegitimateInterest {
        purpose: u8,
    },
}

/// The name of an out-of-band segment type, as the spec calls it.
pub fn segment_name(kind: u8) -> &'static str {
    match kind {
        0 => "core",
        1 => "disclosed vendors",
        2 => "allowed vendors",
        3 => "publisher TC",
        _ => "undefined",
    }
}

/// "the core segment" or "segment N".
fn segment_text(segment: u8) -> String {
    if segment <= 1 {
        "the core segment".to_owned()
    } else {
        concat(&["segment ", &int(segment)])
    }
}

fn int(n: impl Into<i64>) -> String {
    int_to_string(n.into())
}

impl TcError {
    /// What is wrong, completing "invalid TC string: …".
    // Each message is one `concat` of its parts: a `push_str` per part inlined a capacity check
    // and a copy each, 2.5 KB of WebAssembly for this function.
    pub fn message(&self) -> String {
        match self {
            TcError::Empty => "empty string".to_owned(),
            TcError::TooLong => {
                concat(&["longer than ", &int(super::MAX_LEN as i64), " characters"])
            }
            TcError::Base64 { at, found } => concat(&[
                "not base64url: '",
                found.encode_utf8(&mut [0; 4]),
                "' at position ",
                &int(*at as i64),
            ]),
            TcError::EmptySegment { segment } => concat(&[
                "segment ",
                &int(*segment),
                " is empty (two dots in a row, or a dot at an end)",
            ]),
            TcError::Truncated { segment, field } => concat(&[
                "truncated: ",
                &segment_text(*segment),
                " ends inside ",
                field,
            ]),
            TcError::Version(v) => concat(&[
                "unsupported version ",
                &int(*v as i64),
                " (vitrine reads TCF v2 strings, version 2)",
            ]),
            TcError::SegmentType { segment, kind } => concat(&[
                "bad segment type ",
                &int(*kind),
                " in segment ",
                &int(*segment),
                " (TCF v2 defines 1 disclosed vendors, 2 allowed vendors, 3 publisher TC)",
            ]),
            TcError::DuplicateSegment { segment, kind } => concat(&[
                "bad segment type: segment ",
                &int(*segment),
                " repeats segment type ",
                &int(*kind),
                " (",
                segment_name(*kind),
                ")",
            ]),
            TcError::Range { field, start, end } => concat(&[
                field,
                " has a range from ",
                &int(*start),
                " down to ",
                &int(*end),
            ]),
            TcError::VendorZero { field } => {
                concat(&[field, " lists vendor id 0 (ids start at 1)"])
            }
            TcError::Letter { field } => concat(&[field, " is not two letters A-Z"]),
            TcError::TooManyIds => concat(&[
                "its vendor lists hold more than ",
                &int(super::MAX_IDS as i64),
                " ids in total",
            ]),
            TcError::LegitimateInterest { purpose } => concat(&[
                "legitimate interest is set for purpose ",
                &int(*purpose),
                ", which TCF 2.2 (policy version 4 and later) forbids for purposes 3 to 6",
            ]),
        }
    }
}

impl From<TcError> for crate::Error {
    fn from(e: TcError) -> Self {
        crate::Error::TcString(e.message())
    }
}
