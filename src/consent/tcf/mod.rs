//! IAB TCF v2.2 TC strings: a complete decoder (core, disclosed vendors, allowed vendors and
//! publisher TC segments; bit-field and range vendor encodings; publisher restrictions).
//!
//! A TC string is base64url segments joined by `.`. The first is the core segment (it starts with
//! the 6-bit version); every other segment starts with a 3-bit segment type. Decoding never
//! panics: every read is bounds-checked and every problem is a [`TcError`] that says what and
//! where.
//!
//! Strictness, and why:
//! - version other than 2, characters outside base64url, a segment that ends inside a field,
//!   segment types 4–7, a repeated segment type, a range whose end is before its start, vendor id
//!   0 and letters outside A–Z are errors: the string's meaning is unknown, so consent based on it
//!   would be a guess.
//! - TCF 2.2 forbids legitimate interest for purposes 3–6 from policy version 4; a string that
//!   sets one is rejected (as LiveRamp's iabconsent does), since it was not made by a conforming
//!   CMP.
//! - Tolerated because the meaning is clear: trailing `=` padding, trailing bits after the last
//!   field, the same vendor listed twice (merged), a later segment of type 0 ("default", which
//!   iabtcf-java also skips), ranges past `MaxVendorId`, restriction type 3 (reported as is).
//! - Bounded: at most [`MAX_LEN`] characters and [`MAX_IDS`] vendor ids in all lists together, so
//!   a short string of huge ranges cannot exhaust memory.

mod bits;
mod error;
mod ids;
mod segments;

pub use error::TcError;
pub use ids::IdSet;

use bits::Bits;
use serde::Serialize;

/// Longest string accepted. Real strings are a few hundred to a few thousand characters; a string
/// listing every possible vendor id in every section as a bit field is about 44,000.
pub const MAX_LEN: usize = 100_000;

/// Most vendor ids all the lists of one string may hold together (after ranges are expanded).
pub const MAX_IDS: usize = 1 << 20;

/// One publisher restriction: vendors for whom `purposeId` is restricted to a legal basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restriction {
    pub purpose_id: u8,
    /// 0 not allowed, 1 require consent, 2 require legitimate interest, 3 undefined.
    pub restriction_type: u8,
    /// Sorted, may be empty.
    pub vendors: Vec<u16>,
}

/// The publisher TC segment: the publisher's own purposes and custom purposes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PublisherTc {
    pub purpose_consents: Vec<u8>,
    pub purpose_legitimate_interests: Vec<u8>,
    pub num_custom_purposes: u8,
    pub custom_purpose_consents: Vec<u8>,
    pub custom_purpose_legitimate_interests: Vec<u8>,
}

/// A decoded TC string, `decodeTcString`'s result. Ids are 1-based and sorted; times are ms since
/// the epoch (the string stores deciseconds).
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TcString {
    pub version: u8,
    pub created: f64,
    pub last_updated: f64,
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub consent_screen: u8,
    pub consent_language: String,
    pub vendor_list_version: u16,
    pub policy_version: u8,
    pub is_service_specific: bool,
    pub use_non_standard_stacks: bool,
    pub special_feature_optins: Vec<u8>,
    pub purpose_consents: Vec<u8>,
    pub purpose_legitimate_interests: Vec<u8>,
    pub purpose_one_treatment: bool,
    pub publisher_country_code: String,
    /// `MaxVendorId` of the vendor consent section as encoded.
    pub max_vendor_id_consent: u16,
    pub vendor_consents: Vec<u16>,
    /// `MaxVendorId` of the vendor legitimate interest section as encoded.
    pub max_vendor_id_legitimate_interest: u16,
    pub vendor_legitimate_interests: Vec<u16>,
    pub publisher_restrictions: Vec<Restriction>,
    /// Empty when the string has no disclosed vendors segment.
    pub disclosed_vendors: Vec<u16>,
    /// Empty when the string has no allowed vendors segment.
    pub allowed_vendors: Vec<u16>,
    /// `null` when the string has no publisher TC segment.
    #[serde(rename = "publisherTC")]
    pub publisher_tc: Option<PublisherTc>,
}

impl TcString {
    /// The purposes consented to in the core segment, or in the publisher TC segment (none
    /// when the string has no such segment).
    pub fn consents(&self, publisher: bool) -> &[u8] {
        match (&self.publisher_tc, publisher) {
            (_, false) => &self.purpose_consents,
            (Some(p), true) => &p.purpose_consents,
            (None, true) => &[],
        }
    }
}

/// Decodes a TC string.
pub fn decode(s: &str) -> Result<TcString, TcError> {
    if s.is_empty() {
        return Err(TcError::Empty);
    }
    if s.len() > MAX_LEN {
        return Err(TcError::TooLong);
    }
    let mut out = TcString::default();
    let mut total = 0usize;
    // Segment types seen so far, by type; a later type-0 segment is skipped at most once.
    let mut seen = [false; 4];
    let mut offset = 0;
    for (i, text) in s.split('.').enumerate() {
        let segment = u8::try_from(i + 1).unwrap_or(u8::MAX);
        if text.is_empty() {
            return Err(TcError::EmptySegment { segment });
        }
        let mut bits = Bits::new(text, offset, segment)?;
        offset += text.len() + 1;
        if i == 0 {
            let version = bits.uint(6, "version")?;
            if version != segments::VERSION {
                return Err(TcError::Version(version));
            }
            let (core, sets) = segments::core(&mut bits, version as u8)?;
            out = core;
            total += sets.consents.len() + sets.legitimate_interests.len();
            total += sets
                .restrictions
                .iter()
                .map(|(_, set)| set.len())
                .sum::<usize>();
            if total > MAX_IDS {
                return Err(TcError::TooManyIds);
            }
            out.vendor_consents = sets.consents.to_vec();
            out.vendor_legitimate_interests = sets.legitimate_interests.to_vec();
            out.publisher_restrictions = sets
                .restrictions
                .into_iter()
                .map(|((purpose_id, restriction_type), set)| Restriction {
                    purpose_id,
                    restriction_type,
                    vendors: set.to_vec(),
                })
                .collect();
            continue;
        }
        let kind = bits.u8(3, "segment type")?;
        if kind > 3 {
            return Err(TcError::SegmentType { segment, kind });
        }
        let slot = usize::from(kind);
        if seen[slot] {
            return Err(TcError::DuplicateSegment { segment, kind });
        }
        seen[slot] = true;
        match kind {
            // "Default": TCF v2 defines no content for it; skipped, as iabtcf-java does.
            0 => {}
            1 | 2 => {
                let field = if kind == 1 {
                    "disclosedVendors"
                } else {
                    "allowedVendors"
                };
                let set = segments::vendors(&mut bits, field)?;
                total += set.len();
                if total > MAX_IDS {
                    return Err(TcError::TooManyIds);
                }
                if kind == 1 {
                    out.disclosed_vendors = set.to_vec();
                } else {
                    out.allowed_vendors = set.to_vec();
                }
            }
            _ => out.publisher_tc = Some(segments::publisher(&mut bits)?),
        }
    }
    if out.policy_version >= 4 {
        if let Some(&p) = out
            .purpose_legitimate_interests
            .iter()
            .find(|p| (3..=6).contains(*p))
        {
            return Err(TcError::LegitimateInterest { purpose: p });
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
