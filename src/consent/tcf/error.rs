//! Why a TC string was rejected. Messages are built from static text and integers (no `format!`
//! in the shipped module) and say what is wrong and where.

use crate::args::int_to_string;

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

fn push_int(s: &mut String, n: impl Into<i64>) {
    push_i64(s, n.into());
}

#[inline(never)]
fn push_i64(s: &mut String, n: i64) {
    s.push_str(&int_to_string(n));
}

fn push_segment(s: &mut String, segment: u8) {
    if segment <= 1 {
        s.push_str("the core segment");
    } else {
        s.push_str("segment ");
        push_int(s, segment);
    }
}

impl TcError {
    /// What is wrong, completing "invalid TC string: …".
    pub fn message(&self) -> String {
        let mut s = String::new();
        match self {
            TcError::Empty => s.push_str("empty string"),
            TcError::TooLong => {
                s.push_str("longer than ");
                push_int(&mut s, super::MAX_LEN as i64);
                s.push_str(" characters");
            }
            TcError::Base64 { at, found } => {
                s.push_str("not base64url: '");
                s.push(*found);
                s.push_str("' at position ");
                push_int(&mut s, *at as i64);
            }
            TcError::EmptySegment { segment } => {
                s.push_str("segment ");
                push_int(&mut s, *segment);
                s.push_str(" is empty (two dots in a row, or a dot at an end)");
            }
            TcError::Truncated { segment, field } => {
                s.push_str("truncated: ");
                push_segment(&mut s, *segment);
                s.push_str(" ends inside ");
                s.push_str(field);
            }
            TcError::Version(v) => {
                s.push_str("unsupported version ");
                push_int(&mut s, *v as i64);
                s.push_str(" (vitrine reads TCF v2 strings, version 2)");
            }
            TcError::SegmentType { segment, kind } => {
                s.push_str("bad segment type ");
                push_int(&mut s, *kind);
                s.push_str(" in segment ");
                push_int(&mut s, *segment);
                s.push_str(
                    " (TCF v2 defines 1 disclosed vendors, 2 allowed vendors, 3 publisher TC)",
                );
            }
            TcError::DuplicateSegment { segment, kind } => {
                s.push_str("bad segment type: segment ");
                push_int(&mut s, *segment);
                s.push_str(" repeats segment type ");
                push_int(&mut s, *kind);
                s.push_str(" (");
                s.push_str(segment_name(*kind));
                s.push(')');
            }
            TcError::Range { field, start, end } => {
                s.push_str(field);
                s.push_str(" has a range from ");
                push_int(&mut s, *start);
                s.push_str(" down to ");
                push_int(&mut s, *end);
            }
            TcError::VendorZero { field } => {
                s.push_str(field);
                s.push_str(" lists vendor id 0 (ids start at 1)");
            }
            TcError::Letter { field } => {
                s.push_str(field);
                s.push_str(" is not two letters A-Z");
            }
            TcError::TooManyIds => {
                s.push_str("its vendor lists hold more than ");
                push_int(&mut s, super::MAX_IDS as i64);
                s.push_str(" ids in total");
            }
            TcError::LegitimateInterest { purpose } => {
                s.push_str("legitimate interest is set for purpose ");
                push_int(&mut s, *purpose);
                s.push_str(
                    ", which TCF 2.2 (policy version 4 and later) forbids for purposes 3 to 6",
                );
            }
        }
        s
    }
}

impl From<TcError> for crate::Error {
    fn from(e: TcError) -> Self {
        crate::Error::TcString(e.message())
    }
}
