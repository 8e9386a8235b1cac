//! The segments of a TC string, field by field, in the order of the IAB's "Consent string and
//! vendor list formats v2" (TCF v2.2). Bit widths are the spec's.

use super::bits::Bits;
use super::error::TcError;
use super::ids::{read_ranges, read_vendors, IdSet};
use super::{PublisherTc, TcString};

/// The core segment's version field: the only one this decoder reads.
pub const VERSION: u64 = 2;

fn letters(bits: &mut Bits, field: &'static str) -> Result<String, TcError> {
    let mut s = String::with_capacity(2);
    for _ in 0..2 {
        let v = bits.u8(6, field)?;
        if v > 25 {
            return Err(TcError::Letter { field });
        }
        s.push(char::from(b'A' + v));
    }
    Ok(s)
}

/// Deciseconds since the epoch → ms.
fn time(bits: &mut Bits, field: &'static str) -> Result<f64, TcError> {
    Ok(bits.uint(36, field)? as f64 * 100.0)
}

/// The vendor sets of the core segment, before they become sorted lists.
#[derive(Default)]
pub struct CoreSets {
    pub consents: IdSet,
    pub legitimate_interests: IdSet,
    /// Publisher restrictions grouped by (purpose, restriction type), sorted by the pair: a string
    /// may list the same pair more than once, and a vendor more than once within a pair; both are
    /// merged. A sorted `Vec` (at most 256 pairs) rather than a `BTreeMap`, whose B-tree code
    /// would be the only one in the module.
    pub restrictions: Vec<((u8, u8), IdSet)>,
}

impl CoreSets {
    /// The vendor set of a (purpose, restriction type) pair, added empty if it is new.
    fn restriction(&mut self, pair: (u8, u8)) -> &mut IdSet {
        let at = self.restrictions.partition_point(|(p, _)| *p < pair);
        if self.restrictions.get(at).is_none_or(|(p, _)| *p != pair) {
            self.restrictions.insert(at, (pair, IdSet::default()));
        }
        &mut self.restrictions[at].1
    }
}

/// The core segment (the first), after its version was checked.
pub fn core(bits: &mut Bits, version: u8) -> Result<(TcString, CoreSets), TcError> {
    let mut t = TcString {
        version,
        created: time(bits, "created")?,
        last_updated: time(bits, "lastUpdated")?,
        cmp_id: bits.u16(12, "cmpId")?,
        cmp_version: bits.u16(12, "cmpVersion")?,
        consent_screen: bits.u8(6, "consentScreen")?,
        consent_language: letters(bits, "consentLanguage")?,
        vendor_list_version: bits.u16(12, "vendorListVersion")?,
        policy_version: bits.u8(6, "policyVersion")?,
        is_service_specific: bits.flag("isServiceSpecific")?,
        use_non_standard_stacks: bits.flag("useNonStandardStacks")?,
        special_feature_optins: bits.id_field(12, "specialFeatureOptins")?,
        purpose_consents: bits.id_field(24, "purposeConsents")?,
        purpose_legitimate_interests: bits.id_field(24, "purposeLegitimateInterests")?,
        purpose_one_treatment: bits.flag("purposeOneTreatment")?,
        publisher_country_code: letters(bits, "publisherCountryCode")?,
        ..TcString::default()
    };
    let mut sets = CoreSets::default();
    (t.max_vendor_id_consent, sets.consents) = read_vendors(bits, "vendorConsents")?;
    (
        t.max_vendor_id_legitimate_interest,
        sets.legitimate_interests,
    ) = read_vendors(bits, "vendorLegitimateInterests")?;
    let n = bits.u16(12, "publisherRestrictions")?;
    for _ in 0..n {
        let purpose = bits.u8(6, "publisherRestrictions")?;
        let kind = bits.u8(2, "publisherRestrictions")?;
        let set = sets.restriction((purpose, kind));
        read_ranges(bits, "publisherRestrictions", set)?;
    }
    Ok((t, sets))
}

/// Disclosed or allowed vendors (segment types 1 and 2): a vendor section after the type.
pub fn vendors(bits: &mut Bits, field: &'static str) -> Result<IdSet, TcError> {
    read_vendors(bits, field).map(|(_, set)| set)
}

/// The publisher TC segment (type 3).
pub fn publisher(bits: &mut Bits) -> Result<PublisherTc, TcError> {
    let purpose_consents = bits.id_field(24, "publisherTC.purposeConsents")?;
    let purpose_legitimate_interests =
        bits.id_field(24, "publisherTC.purposeLegitimateInterests")?;
    let n = bits.u8(6, "publisherTC.numCustomPurposes")?;
    Ok(PublisherTc {
        purpose_consents,
        purpose_legitimate_interests,
        num_custom_purposes: n,
        custom_purpose_consents: bits
            .id_field(u32::from(n), "publisherTC.customPurposeConsents")?,
        custom_purpose_legitimate_interests: bits
            .id_field(u32::from(n), "publisherTC.customPurposeLegitimateInterests")?,
    })
}
