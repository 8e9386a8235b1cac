//! Consent: the purposes, the signals that grant or deny them, and the [`Gate`].
//!
//! Two purposes matter to vitrine:
//! - **personalization** — keeping a profile of the shopper's behaviour and using it to rank;
//! - **storage** — keeping that profile on the device across visits (`localStorage`).
//!
//! Absent consent is denied (fail closed).

mod gate;

pub use gate::{Gate, Persist, Personal, Withdrawn};

use crate::args::Args;
use crate::error::Result;
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

/// The consent in force: `{personalization, storage, source, updatedAt}` in JS.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConsentState {
    pub personalization: bool,
    pub storage: bool,
    pub source: Source,
    /// When it was decided, ms since the epoch; `null` for the default.
    pub updated_at: Option<f64>,
}

/// The argument of `setConsent` (and `open({consent})`), parsed but not yet resolved.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConsentInput {
    /// From the site's own banner. A purpose left out of an explicit decision is denied.
    pub explicit: Option<Explicit>,
}

/// Flags from the site's own banner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Explicit {
    pub personalization: bool,
    pub storage: bool,
}

/// Keys accepted in a consent object.
const KEYS: &[&str] = &["personalization", "storage"];

impl ConsentInput {
    /// Parses `{personalization?, storage?}`.
    pub fn parse(func: &'static str, v: &Value) -> Result<Self> {
        let args = Args::new(func, "consent", v)?;
        args.reject_unknown(KEYS)?;
        let personalization = args.bool("personalization")?;
        let storage = args.bool("storage")?;
        let explicit = (personalization.is_some() || storage.is_some()).then(|| Explicit {
            personalization: personalization.unwrap_or(false),
            storage: storage.unwrap_or(false),
        });
        Ok(ConsentInput { explicit })
    }

    /// The state this input asks for, decided at `now`.
    pub fn resolve(&self, now: f64) -> ConsentState {
        match self.explicit {
            Some(e) => ConsentState {
                personalization: e.personalization,
                storage: e.storage,
                source: Source::Explicit,
                updated_at: Some(now),
            },
            None => ConsentState {
                updated_at: Some(now),
                ..ConsentState::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn explicit_flags_absent_means_denied() {
        let input =
            ConsentInput::parse("setConsent", &from_json(&json!({"personalization": true})))
                .unwrap();
        let s = input.resolve(5.0);
        assert!(s.personalization && !s.storage);
        assert_eq!(s.source, Source::Explicit);
        let none = ConsentInput::parse("setConsent", &Value::Undefined)
            .unwrap()
            .resolve(5.0);
        assert!(!none.personalization && !none.storage);
        assert_eq!(none.source, Source::Default);
    }

    #[test]
    fn bad_consent_is_an_error() {
        let e = ConsentInput::parse("setConsent", &from_json(&json!({"personalization": "yes"})))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "setConsent: consent.personalization must be a boolean, got string"
        );
        let e = ConsentInput::parse("setConsent", &from_json(&json!({"personalisation": true})))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("consent.personalisation is not a known option"),
            "{e}"
        );
        assert!(ConsentInput::parse("setConsent", &Value::Number(1.0)).is_err());
    }
}
