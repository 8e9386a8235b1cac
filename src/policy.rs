//! The marketer's policy: how long signals last, how consent signals are handled, what is off
//! limits. Every knob has a documented meaning, range and default; inputs are clamped to the
//! range by refusing values outside it with a clear error.

use crate::args::Args;
use crate::error::Result;
use crate::profile::decay::DAY_MS;
use crate::value::Value;
use serde::Serialize;

/// How the Global Privacy Control signal is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GpcHandling {
    /// GPC denies personalization unless the shopper opted in explicitly on this site after the
    /// signal was seen.
    Deny,
    /// GPC is recorded in the audit but does not change consent.
    Ignore,
}

/// What changes for a shopper whose latest survey answer was a detractor's (0–6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detractors {
    /// Gentler shelves: no promotional `trending` shelf (it answers `[]`), no exploration, and
    /// `for_you` leads with what the shopper bought before instead of what is popular.
    Gentle,
    /// Shelves as for everyone.
    Same,
}

/// Which purpose consents of a TC string are vitrine's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TcfPurposes {
    /// The core segment's: the purposes as the shopper answered them on the CMP's layers.
    Core,
    /// The publisher TC segment's: the CMP declares purposes 1, 5 and 6 as the publisher's own
    /// (vitrine is the publisher's code), and the core segment's are the vendors'. A string
    /// without that segment gives no consent.
    Publisher,
}

/// The marketer's policy (`open({policy})`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Days after which a signal weighs half as much. Range 0.1–365, default 14.
    pub half_life_days: f64,
    /// Days after which a signal is deleted, whatever its weight. Range 1–730, default 30.
    pub retention_days: f64,
    /// Global Privacy Control handling. Default `deny`.
    pub gpc: GpcHandling,
    /// Categories that are never used for recommendations or reasons without the shopper's
    /// separate `sensitive` consent, in lower case. At most 256. Default none.
    pub sensitive_categories: Vec<String>,
    /// Their keys ([`crate::text::key`]), which names are matched against: however an event, a
    /// catalog or a query spells one (case, accents, width, invisible characters), it is found.
    #[serde(skip)]
    sensitive_keys: Vec<String>,
    /// Diversity applied when `recommend` does not say: 0 = pure relevance, 1 = maximal spread
    /// across categories and brands. Range 0–1, default 0.2.
    pub diversity: f64,
    /// Whether a refusal is remembered in storage (a small consent record, no behaviour) so the
    /// banner need not ask again. Default false: a refusal leaves storage empty.
    pub remember_refusal: bool,
    /// Largest share of a personal shelf (`for_you`, `cart` from the profile) whose main reason
    /// may be the same signal — one viewed item, one category, one brand, the price band, the
    /// items viewed before taken together — so that one click does not fill the shelf, nor does
    /// the recently viewed list. Range 0.1–1 (1: no cap), default 0.5. When the
    /// whole catalog cannot fill the shelf within the cap, the cap gives way for the slots left.
    pub max_signal_share: f64,
    /// Shelves for detractors. Default `gentle`.
    pub detractors: Detractors,
    /// Days a stored decision stands: an older one is asked again (no decision until the shopper
    /// answers), as consent guidance expects (13 months at most for consent to cookies and
    /// similar storage, e.g. the CNIL's). Range 1–3650, default 395.
    pub consent_max_age_days: f64,
    /// Which purpose consents of a TC string count. Default `core`.
    pub tcf_purposes: TcfPurposes,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            half_life_days: 14.0,
            retention_days: 30.0,
            gpc: GpcHandling::Deny,
            sensitive_categories: Vec::new(),
            sensitive_keys: Vec::new(),
            diversity: 0.2,
            remember_refusal: false,
            max_signal_share: 0.5,
            detractors: Detractors::Gentle,
            consent_max_age_days: 395.0,
            tcf_purposes: TcfPurposes::Core,
        }
    }
}

const KEYS: &[&str] = &[
    "halfLifeDays",
    "retentionDays",
    "gpc",
    "sensitiveCategories",
    "diversity",
    "rememberRefusal",
    "maxSignalShare",
    "detractors",
    "consentMaxAgeDays",
    "tcfPurposes",
];

/// What separates the parts of a category path.
const PATH: [char; 6] = ['/', '>', '|', '\\', '»', '›'];

impl Policy {
    /// Parses `open({policy})`; missing knobs keep their defaults.
    pub fn parse(v: &Value) -> Result<Self> {
        let a = Args::new("open", "policy", v)?;
        a.reject_unknown(KEYS)?;
        let d = Policy::default();
        let sensitive = a
            .strings("sensitiveCategories", 256, crate::event::MAX_TEXT_LEN)?
            .unwrap_or_default();
        Ok(Policy {
            half_life_days: a
                .number("halfLifeDays", 0.1, 365.0)?
                .unwrap_or(d.half_life_days),
            retention_days: a
                .number("retentionDays", 1.0, 730.0)?
                .unwrap_or(d.retention_days),
            gpc: match a.choice("gpc", &["deny", "ignore"])? {
                Some("ignore") => GpcHandling::Ignore,
                Some(_) => GpcHandling::Deny,
                None => d.gpc,
            },
            sensitive_keys: sensitive.iter().map(|c| crate::text::key(c)).collect(),
            sensitive_categories: sensitive
                .into_iter()
                .map(|c| crate::text::lower(c.trim()))
                .collect(),
            diversity: a.number("diversity", 0.0, 1.0)?.unwrap_or(d.diversity),
            remember_refusal: a.bool("rememberRefusal")?.unwrap_or(d.remember_refusal),
            max_signal_share: a
                .number("maxSignalShare", 0.1, 1.0)?
                .unwrap_or(d.max_signal_share),
            detractors: match a.choice("detractors", &["gentle", "same"])? {
                Some("same") => Detractors::Same,
                Some(_) => Detractors::Gentle,
                None => d.detractors,
            },
            consent_max_age_days: a
                .number("consentMaxAgeDays", 1.0, 3650.0)?
                .unwrap_or(d.consent_max_age_days),
            tcf_purposes: match a.choice("tcfPurposes", &["core", "publisher"])? {
                Some("publisher") => TcfPurposes::Publisher,
                Some(_) => TcfPurposes::Core,
                None => d.tcf_purposes,
            },
        })
    }

    pub fn half_life_ms(&self) -> f64 {
        self.half_life_days * DAY_MS
    }

    pub fn retention_ms(&self) -> f64 {
        self.retention_days * DAY_MS
    }

    /// Whether a decision made at `at` has stood longer than `consentMaxAgeDays` at `now`. One of
    /// unknown time (none, or a clock before 2001: `profile::EARLIEST`) stands, and no decision
    /// expires while the clock reads before 2001: a wrong clock neither ends a decision nor
    /// saves it from its end.
    pub fn consent_expired(&self, at: Option<f64>, now: f64) -> bool {
        use crate::profile::true_time;
        at.is_some_and(|at| {
            true_time(at) && true_time(now) && now - at > self.consent_max_age_days * DAY_MS
        })
    }

    /// Whether a category, given by its key ([`crate::text::key`]), is on the sensitive list, or
    /// is a path of categories one of whose parts is (`'Health/Vitamins'`, `'Health > Vitamins'`,
    /// as Universal Analytics' data layers and some feeds write them).
    pub fn is_sensitive(&self, key: &str) -> bool {
        let listed = |k: &str| self.sensitive_keys.iter().any(|c| c == k);
        listed(key) || (key.contains(PATH) && key.split(PATH).any(|part| listed(part.trim())))
    }

    /// The keys of the sensitive categories.
    pub fn sensitive_keys(&self) -> &[String] {
        &self.sensitive_keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    #[test]
    fn defaults_and_ranges() {
        let p = Policy::parse(&Value::Undefined).unwrap();
        assert_eq!(p, Policy::default());
        let p = Policy::parse(&from_json(
            &json!({"halfLifeDays": 7, "gpc": "ignore", "sensitiveCategories": [" Health "]}),
        ))
        .unwrap();
        assert_eq!(p.half_life_days, 7.0);
        assert_eq!(p.gpc, GpcHandling::Ignore);
        assert!(p.is_sensitive("health"));
        let e = Policy::parse(&from_json(&json!({"retentionDays": 0}))).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("open: policy.retentionDays must be"),
            "{e}"
        );
        assert!(Policy::parse(&from_json(&json!({"gpc": "maybe"}))).is_err());
        let p = Policy::parse(&from_json(
            &json!({"maxSignalShare": 1, "detractors": "same"}),
        ))
        .unwrap();
        assert_eq!((p.max_signal_share, p.detractors), (1.0, Detractors::Same));
        assert!(Policy::parse(&from_json(&json!({"maxSignalShare": 0}))).is_err());
        assert!(Policy::parse(&from_json(&json!({"detractors": "ignore"}))).is_err());
        let p = Policy::parse(&from_json(&json!({"tcfPurposes": "publisher"}))).unwrap();
        assert_eq!(p.tcf_purposes, TcfPurposes::Publisher);
        let e = Policy::parse(&from_json(&json!({"tcfPurposes": "vendors"}))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "open: policy.tcfPurposes must be one of core, publisher"
        );
    }
}
