//! Google Consent Mode v2: `{googleConsentMode: {personalization_storage: 'granted', …}}`.
//!
//! Only `personalization_storage` decides anything: `granted` grants both of vitrine's purposes
//! (personalization and storage on the device), `denied` or absent denies both. Every other key
//! of Consent Mode v2 is accepted and ignored, because vitrine does not do what it governs:
//!
//! | key | vitrine |
//! |---|---|
//! | `personalization_storage` | **used**: personalization and storage |
//! | `ad_storage` | ignored: vitrine stores nothing for advertising |
//! | `ad_user_data` | ignored: vitrine sends no user data anywhere |
//! | `ad_personalization` | ignored: vitrine personalizes product shelves, not ads |
//! | `analytics_storage` | ignored: vitrine does no analytics or measurement |
//! | `functionality_storage` | ignored: vitrine's storage is personalization storage |
//! | `security_storage` | ignored: vitrine stores nothing for security |
//! | `wait_for_update`, `region` | ignored: parameters of gtag's `default` command |
//!
//! Any other key is an error (a typo such as `personalisation_storage` must not silently deny).

use crate::args::Args;
use crate::error::{Error, Result};
use crate::value::Value;

/// Consent types of Consent Mode v2 whose value is `'granted' | 'denied'`.
const TYPES: &[&str] = &[
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
];

/// Every key accepted.
const KEYS: &[&str] = &[
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
    "wait_for_update",
    "region",
];

/// A parsed Consent Mode object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ConsentMode {
    /// `personalization_storage`: `Some(true)` granted, `Some(false)` denied, `None` absent.
    pub personalization_storage: Option<bool>,
}

impl ConsentMode {
    pub fn parse(func: &'static str, v: &Value) -> Result<Self> {
        let a = Args::new(func, "consent.googleConsentMode", v)?;
        a.reject_unknown(KEYS)?;
        let mut out = ConsentMode::default();
        for &key in TYPES {
            let granted = match a.choice(key, &["granted", "denied"])? {
                None => continue,
                Some(c) => c == "granted",
            };
            if key == "personalization_storage" {
                out.personalization_storage = Some(granted);
            }
        }
        if let Some(w) = a.get("wait_for_update") {
            if !matches!(w, Value::Number(n) if n.is_finite() && *n >= 0.0) {
                return Err(Error::wrong_type(
                    func,
                    "consent.googleConsentMode.wait_for_update",
                    "a number of milliseconds",
                    w,
                ));
            }
        }
        a.strings("region", 1000, 16)?;
        Ok(out)
    }

    /// `(personalization, storage)`.
    pub fn purposes(&self) -> (bool, bool) {
        let granted = self.personalization_storage == Some(true);
        (granted, granted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<ConsentMode> {
        ConsentMode::parse("setConsent", &from_json(&v))
    }

    #[test]
    fn personalization_storage_decides_both_purposes() {
        let all_ads = json!({"ad_storage": "granted", "ad_user_data": "granted",
            "ad_personalization": "granted", "analytics_storage": "granted",
            "functionality_storage": "granted", "security_storage": "granted"});
        assert_eq!(parse(all_ads).unwrap().purposes(), (false, false));
        let p = parse(
            json!({"personalization_storage": "granted", "ad_storage": "denied",
            "wait_for_update": 500, "region": ["DE", "FR"]}),
        )
        .unwrap();
        assert_eq!(p.purposes(), (true, true));
        let p = parse(json!({"personalization_storage": "denied"})).unwrap();
        assert_eq!(p.purposes(), (false, false));
    }

    #[test]
    fn unknown_keys_and_values_are_errors() {
        let e = parse(json!({"personalisation_storage": "granted"})).unwrap_err();
        assert!(
            e.to_string().contains(
                "consent.googleConsentMode.personalisation_storage is not a known option"
            ),
            "{e}"
        );
        let e = parse(json!({"personalization_storage": true})).unwrap_err();
        assert!(e.to_string().contains("must be a string"), "{e}");
        let e = parse(json!({"personalization_storage": "yes"})).unwrap_err();
        assert!(
            e.to_string().contains("must be one of granted, denied"),
            "{e}"
        );
        assert!(parse(json!({"wait_for_update": "soon"})).is_err());
        assert!(parse(json!("granted")).is_err());
    }
}
