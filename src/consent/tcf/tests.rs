use super::testing::W;
use super::*;
use crate::rng::Rng;

const CREATED_DS: u64 = 15_834_362_809; // 2020-03-05T19:24:40.9Z

/// Core fields up to and including the publisher country code.
fn core_head(w: &mut W, policy: u64, li: &[u16]) {
    w.n(2, 6)
        .n(CREATED_DS, 36)
        .n(CREATED_DS + 10, 36)
        .n(123, 12)
        .n(7, 12)
        .n(3, 6)
        .letters("FR")
        .n(150, 12)
        .n(policy, 6)
        .flag(true)
        .flag(false)
        .ids(&[1, 2], 12)
        .ids(&[1, 3, 5, 6, 24], 24)
        .ids(li, 24)
        .flag(true)
        .letters("DE");
}

fn full_string() -> String {
    let mut w = W::default();
    core_head(&mut w, 4, &[2, 7]);
    w.vendor_field(&[2, 6, 8, 700]);
    w.vendor_ranges(900, &[(5, 9), (3, 3), (7, 12), (900, 900)]);
    w.n(4, 12); // restrictions
    w.n(2, 6).n(1, 2).ranges(&[(10, 12), (11, 11)]);
    w.n(1, 6).n(0, 2).ranges(&[]);
    w.n(2, 6).n(1, 2).ranges(&[(40, 40)]); // same pair again: merged
    w.n(7, 6).n(3, 2).ranges(&[(1, 1)]);
    let core = w.finish();
    let mut d = W::default();
    d.n(1, 3).vendor_ranges(65535, &[(1, 3), (65535, 65535)]);
    let mut a = W::default();
    a.n(2, 3).vendor_field(&[4, 9]);
    let mut p = W::default();
    p.n(3, 3)
        .ids(&[1, 24], 24)
        .ids(&[2], 24)
        .n(3, 6)
        .ids(&[1, 3], 3)
        .ids(&[2], 3);
    [core, d.finish(), a.finish(), p.finish()].join(".")
}

#[test]
fn decodes_every_field_of_every_segment() {
    let t = decode(&full_string()).unwrap();
    assert_eq!(t.version, 2);
    assert_eq!(t.created, 1_583_436_280_900.0);
    assert_eq!(t.last_updated, 1_583_436_281_900.0);
    assert_eq!((t.cmp_id, t.cmp_version, t.consent_screen), (123, 7, 3));
    assert_eq!(t.consent_language, "FR");
    assert_eq!((t.vendor_list_version, t.policy_version), (150, 4));
    assert!(t.is_service_specific && !t.use_non_standard_stacks && t.purpose_one_treatment);
    assert_eq!(t.special_feature_optins, [1, 2]);
    assert_eq!(t.purpose_consents, [1, 3, 5, 6, 24]);
    assert_eq!(t.purpose_legitimate_interests, [2, 7]);
    assert_eq!(t.publisher_country_code, "DE");
    assert_eq!(t.max_vendor_id_consent, 700);
    assert_eq!(t.vendor_consents, [2, 6, 8, 700]);
    assert_eq!(t.max_vendor_id_legitimate_interest, 900);
    assert_eq!(
        t.vendor_legitimate_interests,
        [3, 5, 6, 7, 8, 9, 10, 11, 12, 900]
    );
    let r: Vec<(u8, u8, Vec<u16>)> = t
        .publisher_restrictions
        .iter()
        .map(|r| (r.purpose_id, r.restriction_type, r.vendors.clone()))
        .collect();
    assert_eq!(
        r,
        [
            (1, 0, vec![]),
            (2, 1, vec![10, 11, 12, 40]),
            (7, 3, vec![1])
        ]
    );
    assert_eq!(t.disclosed_vendors, [1, 2, 3, 65535]);
    assert_eq!(t.allowed_vendors, [4, 9]);
    assert_eq!(
        t.publisher_tc,
        Some(PublisherTc {
            purpose_consents: vec![1, 24],
            purpose_legitimate_interests: vec![2],
            num_custom_purposes: 3,
            custom_purpose_consents: vec![1, 3],
            custom_purpose_legitimate_interests: vec![2],
        })
    );
    assert_eq!(t.consents(false), [1, 3, 5, 6, 24]);
    assert_eq!(t.consents(true), [1, 24]);
    let core_only = full_string()
        .split('.')
        .take(3)
        .collect::<Vec<_>>()
        .join(".");
    assert_eq!(decode(&core_only).unwrap().consents(true), [0u8; 0]);
}

#[test]
fn decodes_a_string_made_by_the_iab_encoder() {
    // Encoded by @iabtechlabtcf/core 1.5.21 (TCString.encode, core segment); the expected values
    // are what its own decoder reads back.
    let t = decode("CP_h-0AP_lRwABRACBENAPEgALIAAEAAAAqIAewAwABAAlAB6ABBFABCQAQA9gAA").unwrap();
    assert_eq!(
        (t.created, t.last_updated),
        (1_717_200_000_000.0, 1_717_286_400_000.0)
    );
    assert_eq!(
        (t.cmp_id, t.cmp_version, t.vendor_list_version),
        (81, 2, 15)
    );
    assert_eq!(t.policy_version, 4);
    assert_eq!(t.purpose_consents, [1, 3, 4, 7]);
    assert_eq!(t.purpose_legitimate_interests, [2]);
    assert_eq!(t.vendor_consents, [2, 37, 61]);
    assert_eq!(t.vendor_legitimate_interests, [2, 6, 8]);
    assert_eq!(t.publisher_country_code, "FR");
    assert_eq!(
        t.publisher_restrictions,
        [Restriction {
            purpose_id: 2,
            restriction_type: 1,
            vendors: vec![123]
        }]
    );
    assert_eq!(t.publisher_tc, None);
    assert!(t.disclosed_vendors.is_empty());
}

fn err(s: &str) -> String {
    crate::Error::from(decode(s).unwrap_err()).to_string()
}

#[test]
fn malformed_strings_say_what_is_wrong() {
    let good = full_string();
    let core = good.split('.').next().unwrap().to_owned();
    assert_eq!(err(""), "invalid TC string: empty string");
    assert_eq!(
        err("CAA"),
        "invalid TC string: truncated: the core segment ends inside created"
    );
    assert_eq!(
        err(&format!("{}!A", &core[..20])),
        "invalid TC string: not base64url: '!' at position 20"
    );
    for v in [1u64, 3, 63] {
        let mut w = W::default();
        w.n(v, 6).n(0, 36).n(0, 36).n(0, 60).n(0, 60);
        assert!(
            err(&w.finish()).contains(&format!("unsupported version {v} ")),
            "{v}"
        );
    }
    let mut w = W::default();
    w.n(5, 3).n(0, 20);
    assert_eq!(
        err(&format!("{core}.{}", w.finish())),
        "invalid TC string: bad segment type 5 in segment 2 (TCF v2 defines 1 disclosed vendors, 2 allowed vendors, 3 publisher TC)"
    );
    let seg: Vec<&str> = good.split('.').collect();
    assert_eq!(
        err(&format!("{}.{}.{}", seg[0], seg[1], seg[1])),
        "invalid TC string: bad segment type: segment 3 repeats segment type 1 (disclosed vendors)"
    );
    assert!(err(&format!("{core}..{}", seg[1])).contains("segment 2 is empty"));
    assert!(err(&format!("{core}.")).contains("segment 2 is empty"));
    assert!(err(&format!("{core}.{}", &seg[3][..2]))
        .contains("segment 2 ends inside publisherTC.purposeConsents"));
    assert!(err(&"A".repeat(MAX_LEN + 1)).contains("longer than 100000 characters"));
    // The whole string minus its last characters: truncated inside the last section.
    assert!(err(&core[..core.len() - 6]).contains("ends inside publisherRestrictions"));
}

fn with_vendor_section(ranges: &[(u16, u16)]) -> String {
    let mut w = W::default();
    core_head(&mut w, 2, &[]);
    w.vendor_ranges(100, ranges).vendor_field(&[]).n(0, 12);
    w.finish()
}

#[test]
fn ranges_are_checked_and_bounded() {
    assert_eq!(
        decode(&with_vendor_section(&[(9, 3)])),
        Err(TcError::Range {
            field: "vendorConsents",
            start: 9,
            end: 3
        })
    );
    assert_eq!(
        decode(&with_vendor_section(&[(0, 3)])),
        Err(TcError::VendorZero {
            field: "vendorConsents"
        })
    );
    // Overlapping and repeated ranges are merged.
    let t = decode(&with_vendor_section(&[(5, 8), (1, 6), (8, 8)])).unwrap();
    assert_eq!(t.vendor_consents, [1, 2, 3, 4, 5, 6, 7, 8]);
    // Twenty restrictions over every vendor id expand to 1.3 million ids: refused, quickly.
    let mut w = W::default();
    core_head(&mut w, 2, &[]);
    w.vendor_field(&[]).vendor_field(&[]).n(20, 12);
    for p in 0..20 {
        w.n(p, 6).n(1, 2).ranges(&[(1, 65535)]);
    }
    assert_eq!(decode(&w.finish()), Err(TcError::TooManyIds));
}

#[test]
fn tcf_2_2_forbids_legitimate_interest_for_purposes_3_to_6() {
    for p in 3..=6u16 {
        let mut w = W::default();
        core_head(&mut w, 4, &[2, p]);
        w.vendor_field(&[]).vendor_field(&[]).n(0, 12);
        let e = decode(&w.finish()).unwrap_err();
        assert_eq!(e, TcError::LegitimateInterest { purpose: p as u8 });
        assert!(
            e.message().contains(&format!("purpose {p},")),
            "{}",
            e.message()
        );
        // Before policy version 4 the same string is fine.
        let mut w = W::default();
        core_head(&mut w, 2, &[2, p]);
        w.vendor_field(&[]).vendor_field(&[]).n(0, 12);
        assert!(decode(&w.finish()).is_ok());
    }
    // Purpose 1 legitimate interest is not a TCF 2.2 decoding error (LiveRamp's fixtures).
    let mut w = W::default();
    core_head(&mut w, 5, &[1, 2, 7]);
    w.vendor_field(&[]).vendor_field(&[]).n(0, 12);
    assert!(decode(&w.finish()).is_ok());
}

#[test]
fn tolerates_padding_a_default_segment_and_letters_are_checked() {
    let good = full_string();
    let core = good.split('.').next().unwrap();
    let padded = format!("{core}==");
    assert_eq!(decode(&padded).unwrap().vendor_consents, [2, 6, 8, 700]);
    assert!(decode(&format!("{core}.AA=="))
        .unwrap()
        .publisher_tc
        .is_none());
    assert!(decode(&format!("{core}.AA.AA")).is_err(), "at most once");
    let mut w = W::default();
    w.n(2, 6).n(0, 36).n(0, 36).n(0, 30).n(26, 6).n(0, 6);
    assert!(err(&w.finish()).contains("consentLanguage is not two letters A-Z"));
}

#[test]
fn no_input_panics() {
    let good = full_string();
    for cut in 0..good.len() {
        let _ = decode(&good[..cut]);
    }
    let mut rng = Rng::new(42);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/!";
    for _ in 0..3000 {
        let n = (rng.next_u64() % 300) as usize;
        let s: String = (0..n)
            .map(|_| char::from(alphabet[(rng.next_u64() % alphabet.len() as u64) as usize]))
            .collect();
        let _ = decode(&s);
        let mut bytes = good.clone().into_bytes();
        let i = (rng.next_u64() % bytes.len() as u64) as usize;
        bytes[i] = alphabet[(rng.next_u64() % 64) as usize];
        let _ = decode(core::str::from_utf8(&bytes).unwrap());
    }
    for s in ["é", "C\u{1F600}", ".", "..", "C.", "CAAA.B"] {
        assert!(decode(s).is_err(), "{s}");
    }
}
