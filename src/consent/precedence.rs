//! Which signal decides. The rule: **the latest explicit decision of the shopper wins**, and
//! Global Privacy Control, when the policy says so, denies personalization unless the shopper
//! opted in explicitly on this site while sending it.
//!
//! A [`Decision`] is what the shopper decided, through which signal, and when. The session keeps
//! the decision in force and replaces it when a newer one arrives; [`effective`] turns it into
//! the [`ConsentState`] the gate enforces, applying GPC. The rows below are numbered as in
//! docs/PRIVACY.md, and each has a test (here, or in `session::tests` for rows that involve
//! storage or time).
//!
//! | row | situation | result |
//! |---|---|---|
//! | P1 | no signal yet | both purposes denied, source `default` |
//! | P2 | `open()` without `consent`, a decision is stored | the stored decision, source `stored` |
//! | P3 | `open({consent})`, `setConsent(input)`; `Vitrine.load({consent})` when called | replaces the decision in force |
//! | P4 | one input with explicit flags and `tcf`/`googleConsentMode` | the explicit flags decide |
//! | P5 | one input with `tcf` and `googleConsentMode` | TCF decides |
//! | P6 | TCF `useractioncomplete` (`listenTcf`) | replaces the decision in force, dated now |
//! | P7 | TCF `tcloaded`, `lastUpdated` not older than the decision in force | replaces it, dated `lastUpdated` |
//! | P8 | TCF `tcloaded` older than the decision in force | ignored, noted in the history |
//! | P9 | another tab stores a newer decision | adopted, source `stored` |
//! | P10 | another tab removes vitrine's records (withdrawal, erase) | both denied here too |
//! | P11 | GPC on, policy `deny`, decision not an explicit opt-in made while GPC was on | personalization denied, source `gpc`; storage as decided |
//! | P12 | GPC on, policy `deny`, explicit opt-in made while GPC was on | as decided |
//! | P13 | GPC on, policy `ignore` | as decided (`audit().gpc` still reports the signal) |
//! | P14 | GPC off | as decided |
//! | P15 | `erase()` | the decision is forgotten (P1), unless `rememberRefusal` and it was a refusal |
//! | P16 | malformed TC string | `setConsent` throws and nothing changes; from `listenTcf`, ignored and noted |
//! | P17 | the `sensitive` purpose | granted only by the banner flag `sensitive: true` with personalization; TCF and Consent Mode decisions deny it |
//! | P18 | personalization denied (by the decision or by GPC) | sensitive denied too |
//! | P19 | sensitive withdrawn (alone, or with personalization) | every sensitive signal is erased at once |

use super::{ConsentInput, ConsentState, Source};
use crate::policy::GpcHandling;

/// The shopper's decision in force.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Decision {
    pub personalization: bool,
    pub storage: bool,
    /// The separate consent to sensitive categories (P17).
    pub sensitive: bool,
    pub source: Source,
    /// When it was decided, ms since the epoch; `None` when nothing was decided (P1).
    pub at: Option<f64>,
    /// An explicit opt-in to personalization made on this site while the browser sent GPC: the
    /// shopper chose personalization after the signal, so GPC does not override it (P12).
    pub over_gpc: bool,
}

impl Decision {
    /// Whether a signal dated `at` is at least as recent as this decision (P7, P8).
    pub fn is_superseded_by(&self, at: f64) -> bool {
        self.at.is_none_or(|t| at >= t)
    }

    /// A refusal the shopper actually expressed (not the default of P1).
    pub fn is_refusal(&self) -> bool {
        !self.personalization && self.at.is_some()
    }
}

impl ConsentInput {
    /// The decision this input expresses, made at `at` with GPC `gpc` (P3–P5).
    pub fn decide(&self, at: f64, gpc: bool) -> Decision {
        let (personalization, storage, sensitive, source) = if let Some(e) = self.explicit {
            (e.personalization, e.storage, e.sensitive, Source::Explicit)
        } else if let Some(t) = self.tcf {
            (t.personalization, t.storage, false, Source::Tcf)
        } else if let Some(m) = self.consent_mode {
            let (p, s) = m.purposes();
            (p, s, false, Source::ConsentMode)
        } else {
            (false, false, false, Source::Default)
        };
        Decision {
            personalization,
            storage,
            sensitive: sensitive && personalization,
            source,
            at: Some(at),
            over_gpc: gpc && source == Source::Explicit && personalization,
        }
    }
}

/// The consent the gate enforces, given the decision in force and the GPC signal (P11–P14).
pub fn effective(d: &Decision, gpc: bool, handling: GpcHandling) -> ConsentState {
    let gpc_denies = gpc && handling == GpcHandling::Deny && d.personalization && !d.over_gpc;
    let personalization = d.personalization && !gpc_denies;
    ConsentState {
        personalization,
        storage: d.storage,
        sensitive: d.sensitive && personalization,
        source: if gpc_denies { Source::Gpc } else { d.source },
        updated_at: d.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentMode, Explicit, TcfSignal};
    use GpcHandling::{Deny, Ignore};

    const T: f64 = 1_700_000_000_000.0;

    fn input(
        explicit: Option<(bool, bool)>,
        tcf: Option<(bool, bool)>,
        mode: Option<bool>,
    ) -> ConsentInput {
        ConsentInput {
            explicit: explicit.map(|(p, s)| Explicit {
                personalization: p,
                storage: s,
                sensitive: false,
            }),
            tcf: tcf.map(|(p, s)| TcfSignal {
                personalization: p,
                storage: s,
                last_updated: T - 1e6,
            }),
            consent_mode: mode.map(|g| ConsentMode {
                personalization_storage: Some(g),
            }),
        }
    }

    fn state(d: &Decision, gpc: bool, h: GpcHandling) -> (bool, bool, Source) {
        let s = effective(d, gpc, h);
        (s.personalization, s.storage, s.source)
    }

    #[test]
    fn p1_nothing_decided_is_denied() {
        let d = Decision::default();
        assert_eq!(state(&d, false, Deny), (false, false, Source::Default));
        assert_eq!(effective(&d, false, Deny).updated_at, None);
        assert!(!d.is_refusal());
    }

    #[test]
    fn p4_explicit_flags_beat_other_signals_in_the_same_input() {
        let d = input(Some((false, true)), Some((true, true)), Some(true)).decide(T, false);
        assert_eq!(state(&d, false, Deny), (false, true, Source::Explicit));
        let d = input(Some((true, false)), Some((false, false)), None).decide(T, false);
        assert_eq!(state(&d, false, Deny), (true, false, Source::Explicit));
    }

    #[test]
    fn p5_tcf_beats_consent_mode_in_the_same_input() {
        let d = input(None, Some((false, true)), Some(true)).decide(T, false);
        assert_eq!(state(&d, false, Deny), (false, true, Source::Tcf));
        let d = input(None, None, Some(true)).decide(T, false);
        assert_eq!(state(&d, false, Deny), (true, true, Source::ConsentMode));
        assert_eq!(
            d.at,
            Some(T),
            "dated when it was given, not by the TC string"
        );
    }

    #[test]
    fn p7_p8_a_loaded_signal_replaces_only_a_decision_not_newer_than_itself() {
        let d = input(Some((true, true)), None, None).decide(T, false);
        assert!(d.is_superseded_by(T));
        assert!(d.is_superseded_by(T + 1.0));
        assert!(!d.is_superseded_by(T - 1.0));
        assert!(Decision::default().is_superseded_by(0.0));
    }

    #[test]
    fn p11_gpc_denies_personalization_unless_opted_in_explicitly_with_it() {
        for (tcf, mode) in [(Some((true, true)), None), (None, Some(true))] {
            let d = input(None, tcf, mode).decide(T, true);
            assert_eq!(state(&d, true, Deny), (false, true, Source::Gpc));
        }
        // An explicit opt-in made before GPC was seen: GPC, the later signal, wins.
        let before = input(Some((true, true)), None, None).decide(T, false);
        assert_eq!(state(&before, true, Deny), (false, true, Source::Gpc));
        let stored = Decision {
            source: Source::Stored,
            ..before
        };
        assert_eq!(state(&stored, true, Deny), (false, true, Source::Gpc));
        // A refusal stays a refusal, reported as the shopper's own.
        let refused = input(Some((false, false)), None, None).decide(T, true);
        assert_eq!(
            state(&refused, true, Deny),
            (false, false, Source::Explicit)
        );
    }

    #[test]
    fn p12_an_explicit_opt_in_made_while_gpc_was_on_stands() {
        let d = input(Some((true, false)), None, None).decide(T, true);
        assert!(d.over_gpc);
        assert_eq!(state(&d, true, Deny), (true, false, Source::Explicit));
        // It survives being stored and read back.
        let stored = Decision {
            source: Source::Stored,
            ..d
        };
        assert_eq!(state(&stored, true, Deny), (true, false, Source::Stored));
        // TCF and Consent Mode are not this site's explicit opt-in, even with GPC on.
        assert!(
            !input(None, Some((true, true)), None)
                .decide(T, true)
                .over_gpc
        );
    }

    #[test]
    fn p17_p18_sensitive_only_from_the_banner_and_never_without_personalization() {
        let mut with = input(Some((true, true)), Some((true, true)), None);
        if let Some(e) = &mut with.explicit {
            e.sensitive = true;
        }
        let d = with.decide(T, false);
        assert!(effective(&d, false, Deny).sensitive);
        // GPC denies personalization, and so sensitive (P18).
        assert!(!effective(&d, true, Deny).sensitive);
        assert!(effective(&d, true, Ignore).sensitive);
        // TCF and Consent Mode have no such purpose (P17).
        for d in [
            input(None, Some((true, true)), None).decide(T, false),
            input(None, None, Some(true)).decide(T, false),
        ] {
            let s = effective(&d, false, Deny);
            assert!(s.personalization && !s.sensitive, "{s:?}");
        }
        // A decision read back with sensitive but without personalization is not sensitive.
        let odd = Decision {
            sensitive: true,
            ..input(Some((false, true)), None, None).decide(T, false)
        };
        assert!(!effective(&odd, false, Deny).sensitive);
    }

    #[test]
    fn p13_p14_gpc_ignored_by_policy_or_absent() {
        let d = input(None, Some((true, true)), None).decide(T, true);
        assert_eq!(state(&d, true, Ignore), (true, true, Source::Tcf));
        assert_eq!(state(&d, false, Deny), (true, true, Source::Tcf));
    }
}
