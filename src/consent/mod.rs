//! Consent: the purposes, the signals that grant or deny them, and the [`Gate`].
//!
//! Three purposes matter to vitrine:
//! - **personalization** — keeping a profile of the shopper's behaviour and using it to rank;
//! - **storage** — keeping that profile on the device across visits (`localStorage`);
//! - **sensitive** — also keeping and using signals about sensitive categories (health,
//!   intimate products, religion, … — items the catalog flags `sensitive`, categories on the
//!   policy's `sensitiveCategories`). It needs personalization, only the site's own banner can
//!   give it (TCF and Consent Mode have no such purpose), and it is denied by default.
//!
//! Signals: the site's own banner (explicit flags), IAB TCF v2.2 ([`tcf`]), Google Consent Mode
//! v2 ([`consent_mode`]) and Global Privacy Control; [`precedence`] says which one decides.
//! Absent consent is denied (fail closed).

pub mod consent_mode;
mod gate;
pub mod precedence;
pub mod tcf;

pub use consent_mode::ConsentMode;
pub use gate::{Expiring, Gate, Persist, Personal, Sensitive, Withdrawn};
pub use precedence::Decision;

use crate::args::Args;
use crate::error::{Error, Result};
use crate::policy::TcfPurposes;
use crate::value::Value;
use serde::Serialize;

/// Where the current consent came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
pub enum Source {
    /// Nothing was said: everything is denied.
    #[default]
    #[serde(rename = "default")]
    Default,
    /// The site's own banner: `{personalization, storage}`.
    #[serde(rename = "explicit")]
    Explicit,
    /// An IAB TCF v2 consent string.
    #[serde(rename = "tcf")]
    Tcf,
    /// Google Consent Mode v2.
    #[serde(rename = "googleConsentMode")]
    ConsentMode,
    /// The browser's Global Privacy Control signal.
    #[serde(rename = "gpc")]
    Gpc,
    /// The shopper's earlier decision, read back from storage.
    #[serde(rename = "stored")]
    Stored,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Explicit => "explicit",
            Source::Tcf => "tcf",
            Source::ConsentMode => "googleConsentMode",
            Source::Gpc => "gpc",
            Source::Stored => "stored",
        }
    }
}

/// The consent in force: `{personalization, storage, sensitive, source, updatedAt}` in JS.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConsentState {
    pub personalization: bool,
    pub storage: bool,
    /// Sensitive categories may be used too; never true without personalization.
    pub sensitive: bool,
    pub source: Source,
    /// When it was decided, ms since the epoch; `null` for the default.
    pub updated_at: Option<f64>,
}

/// The argument of `setConsent` (and `open({consent})`), parsed but not yet resolved.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConsentInput {
    /// From the site's own banner. A purpose left out of an explicit decision is denied.
    pub explicit: Option<Explicit>,
    /// From a TC string (already decoded and validated).
    pub tcf: Option<TcfSignal>,
    /// From Google Consent Mode v2.
    pub consent_mode: Option<ConsentMode>,
}

/// What a TC string says about vitrine's purposes: storage needs TCF purpose 1 ("store and/or
/// access information on a device"); personalization needs purposes 5 ("create profiles for
/// personalised content") and 6 ("use profiles to select personalised content"). Consents of the
/// segment `policy.tcfPurposes` names; legitimate interest never counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TcfSignal {
    pub personalization: bool,
    pub storage: bool,
    /// The string's `LastUpdated`, ms since the epoch.
    pub last_updated: f64,
}

impl TcfSignal {
    pub fn of(t: &tcf::TcString, from: TcfPurposes) -> Self {
        let purposes = t.consents(from == TcfPurposes::Publisher);
        TcfSignal {
            personalization: purposes.contains(&5) && purposes.contains(&6),
            storage: purposes.contains(&1),
            last_updated: t.last_updated,
        }
    }

    /// Decodes a TC string and maps it.
    pub fn decode(s: &str, from: TcfPurposes) -> Result<Self> {
        Ok(TcfSignal::of(&tcf::decode(s)?, from))
    }
}

/// Flags from the site's own banner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Explicit {
    pub personalization: bool,
    pub storage: bool,
    /// The separate consent to use sensitive categories (meaningless without personalization).
    pub sensitive: bool,
}

/// Keys accepted in a consent object.
const KEYS: &[&str] = &[
    "personalization",
    "storage",
    "sensitive",
    "tcf",
    "googleConsentMode",
];

const EXPECTED: &str = "an object such as {personalization, storage}, {tcf} or {googleConsentMode}";
const NO_DECISION: &str =
    "decides nothing: give personalization, storage, sensitive, tcf or googleConsentMode";

/// Longest `tcf` string read from a consent object (the decoder's own limit).
const MAX_TC_LEN: usize = tcf::MAX_LEN;

impl ConsentInput {
    /// Parses `{personalization?, storage?, sensitive?, tcf?, googleConsentMode?}`. A malformed
    /// TC string is an error that says why; a good one counts the consents `tcf` names.
    pub fn parse(func: &'static str, v: &Value, tcf: TcfPurposes) -> Result<Self> {
        if v.is_absent() {
            return Err(Error::wrong_type(func, "consent", EXPECTED, v));
        }
        let args = Args::new(func, "consent", v)?;
        args.reject_unknown(KEYS)?;
        let personalization = args.bool("personalization")?;
        let storage = args.bool("storage")?;
        let sensitive = args.bool("sensitive")?;
        let explicit = (personalization.is_some() || storage.is_some() || sensitive.is_some())
            .then(|| Explicit {
                personalization: personalization.unwrap_or(false),
                storage: storage.unwrap_or(false),
                sensitive: sensitive.unwrap_or(false),
            });
        let tcf = args
            .string("tcf", MAX_TC_LEN)?
            .map(|s| TcfSignal::decode(s, tcf))
            .transpose()?;
        let consent_mode = args
            .get("googleConsentMode")
            .map(|v| ConsentMode::parse(func, v))
            .transpose()?;
        if explicit.is_none() && tcf.is_none() && consent_mode.is_none() {
            // `{}` (or only undefined purposes) decides nothing; taking it as a refusal would
            // erase the profile because a banner's state was not filled in yet.
            return Err(Error::invalid(func, "consent", NO_DECISION));
        }
        Ok(ConsentInput {
            explicit,
            tcf,
            consent_mode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const CORE: TcfPurposes = TcfPurposes::Core;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn sensitive_is_a_banner_flag_that_needs_personalization() {
        let parse = |v| ConsentInput::parse("setConsent", &from_json(&v), CORE).unwrap();
        let d = parse(json!({"personalization": true, "sensitive": true})).decide(5.0, false);
        assert!(d.personalization && d.sensitive && !d.storage);
        let d = parse(json!({"sensitive": true})).decide(5.0, false);
        assert!(
            !d.personalization && !d.sensitive,
            "a purpose left out is denied; sensitive needs personalization"
        );
        let d = parse(json!({"personalization": true})).decide(5.0, false);
        assert!(!d.sensitive, "denied unless given");
        let e = ConsentInput::parse("setConsent", &from_json(&json!({"sensitive": 1})), CORE)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "setConsent: consent.sensitive must be a boolean, got number"
        );
    }

    #[test]
    fn explicit_flags_absent_means_denied() {
        let input = ConsentInput::parse(
            "setConsent",
            &from_json(&json!({"personalization": true})),
            CORE,
        )
        .unwrap();
        let d = input.decide(5.0, false);
        assert!(d.personalization && !d.storage);
        assert_eq!(d.source, Source::Explicit);
        let refusal =
            ConsentInput::parse("setConsent", &from_json(&json!({"storage": false})), CORE);
        let d = refusal.unwrap().decide(5.0, false);
        assert!(!d.personalization && !d.storage && !d.sensitive);
        assert_eq!(d.source, Source::Explicit);
    }

    #[test]
    fn a_consent_that_decides_nothing_is_an_error() {
        // `setConsent(bannerState)` before the banner filled it in must not erase the profile.
        let err = |v: Value| {
            ConsentInput::parse("setConsent", &v, CORE)
                .unwrap_err()
                .to_string()
        };
        let expected = "setConsent: consent must be an object such as {personalization, storage}, {tcf} or {googleConsentMode}";
        assert_eq!(err(Value::Undefined), format!("{expected}, got undefined"));
        assert_eq!(err(Value::Null), format!("{expected}, got null"));
        let nothing = "setConsent: consent decides nothing: give personalization, storage, sensitive, tcf or googleConsentMode";
        assert_eq!(err(from_json(&json!({}))), nothing);
        assert_eq!(
            err(Value::Object(vec![("storage".into(), Value::Undefined)])),
            nothing
        );
    }

    #[test]
    fn tcf_maps_purpose_1_to_storage_and_purposes_5_and_6_to_personalization() {
        // Purposes 1, 3, 6, 7, 8, 10: storage, but no personalization without purpose 5.
        let p1_6 = tcf::testing::tc_string(&[1, 3, 6, 7, 8, 10], 1_583_436_280_900.0);
        let s = TcfSignal::decode(&p1_6, CORE).unwrap();
        assert!(s.storage && !s.personalization);
        let t = tcf::decode(&p1_6).unwrap();
        let mut all = t.clone();
        all.purpose_consents = vec![1, 5, 6];
        let s = TcfSignal::of(&all, CORE);
        assert!(s.storage && s.personalization);
        all.purpose_consents = vec![5, 6];
        all.purpose_legitimate_interests = vec![1];
        let s = TcfSignal::of(&all, CORE);
        assert!(
            !s.storage && s.personalization,
            "legitimate interest never counts"
        );
        assert_eq!(s.last_updated, 1_583_436_280_900.0);
        // `tcfPurposes: 'publisher'`: the publisher TC segment decides (a shopper who refused the
        // publisher's own purposes 5 and 6 while consenting to them for vendors is not
        // personalized, and the other way round she is); without the segment, nothing is given.
        let from = TcfPurposes::Publisher;
        let mut publisher = t.clone();
        publisher.purpose_consents = vec![1, 5, 6];
        assert_eq!(TcfSignal::of(&publisher, from), TcfSignal::of(&t, from));
        assert!(!TcfSignal::of(&publisher, from).storage);
        publisher.publisher_tc = Some(tcf::PublisherTc {
            purpose_consents: vec![1],
            ..Default::default()
        });
        let s = TcfSignal::of(&publisher, from);
        assert!(s.storage && !s.personalization);
        assert!(TcfSignal::of(&publisher, CORE).personalization);
        publisher.purpose_consents = vec![];
        publisher.publisher_tc = Some(tcf::PublisherTc {
            purpose_consents: vec![5, 6],
            purpose_legitimate_interests: vec![1],
            ..Default::default()
        });
        let s = TcfSignal::of(&publisher, from);
        assert!(!s.storage && s.personalization);
        let e = ConsentInput::parse("setConsent", &from_json(&json!({"tcf": "CAA"})), CORE)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid TC string: truncated: the core segment ends inside created"
        );
        let e =
            ConsentInput::parse("setConsent", &from_json(&json!({"tcf": 5})), CORE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "setConsent: consent.tcf must be a string, got number"
        );
    }

    #[test]
    fn bad_consent_is_an_error() {
        let e = ConsentInput::parse(
            "setConsent",
            &from_json(&json!({"personalization": "yes"})),
            CORE,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "setConsent: consent.personalization must be a boolean, got string"
        );
        let e = ConsentInput::parse(
            "setConsent",
            &from_json(&json!({"personalisation": true})),
            CORE,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("consent.personalisation is not a known option"),
            "{e}"
        );
        assert!(ConsentInput::parse("setConsent", &Value::Number(1.0), CORE).is_err());
    }
}
