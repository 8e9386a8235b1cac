//! The gate every read and write of personal data passes through.
//!
//! Personal data is only reachable through functions that take a [`Personal`] (personalization
//! consent) or [`Persist`] (storage consent) proof, and only [`Gate`] can mint them. A proof
//! borrows the gate, so it cannot outlive a consent change: code that forgets the check, or keeps
//! using data after a withdrawal, does not compile.

use super::ConsentState;
use core::marker::PhantomData;

/// Proof that the shopper consented to personalization, valid while the gate is borrowed.
#[derive(Debug)]
pub struct Personal<'g>(PhantomData<&'g Gate>);

/// Proof that the shopper consented to storing data on the device, valid while the gate is
/// borrowed. Storing a profile needs both proofs.
#[derive(Debug)]
pub struct Persist<'g>(PhantomData<&'g Gate>);

/// Proof that the shopper gave the separate consent to sensitive categories (which implies
/// personalization), valid while the gate is borrowed. Keeping or ranking with a sensitive
/// signal needs it.
#[derive(Debug)]
pub struct Sensitive<'g>(PhantomData<&'g Gate>);

/// Proof that a stored profile is read only to delete what has passed its retention while no
/// decision stands (one past `policy.consentMaxAgeDays`, the shopper not asked again yet):
/// deleting needs no consent, and nothing read is used, kept or shown. Any gate mints it
/// ([`Gate::expiring`]); only [`crate::store::Store::prune_expiring`] takes it.
#[derive(Debug)]
pub struct Expiring<'g>(Personal<'g>);

impl<'g> Expiring<'g> {
    /// The proof the profile's codec and pruning take, for the store's pruning alone.
    pub(crate) fn reading(&self) -> &Personal<'g> {
        &self.0
    }
}

/// What a consent change took away; the caller must erase what each withdrawn purpose covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Withdrawn {
    pub personalization: bool,
    pub storage: bool,
    /// The sensitive purpose went (alone, or with personalization).
    pub sensitive: bool,
}

/// Holds the current consent. Fails closed: until told otherwise, everything is denied.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    state: ConsentState,
}

impl Gate {
    pub fn new(state: ConsentState) -> Self {
        Gate { state }
    }

    pub fn state(&self) -> &ConsentState {
        &self.state
    }

    /// A proof of personalization consent, if given.
    pub fn personalization(&self) -> Option<Personal<'_>> {
        self.state.personalization.then_some(Personal(PhantomData))
    }

    /// A proof of storage consent, if given.
    pub fn storage(&self) -> Option<Persist<'_>> {
        self.state.storage.then_some(Persist(PhantomData))
    }

    /// A proof of the sensitive consent, if given (never without personalization).
    pub fn sensitive(&self) -> Option<Sensitive<'_>> {
        (self.state.sensitive && self.state.personalization).then_some(Sensitive(PhantomData))
    }

    /// The proof for deleting what a stored profile holds past its retention, whatever the
    /// consent ([`Expiring`]).
    pub fn expiring(&self) -> Expiring<'_> {
        Expiring(Personal(PhantomData))
    }

    /// Both proofs, when the profile may be kept on the device.
    pub fn persistent_profile(&self) -> Option<(Personal<'_>, Persist<'_>)> {
        Some((self.personalization()?, self.storage()?))
    }

    /// Replaces the state and reports which purposes were withdrawn by the change.
    pub fn set(&mut self, state: ConsentState) -> Withdrawn {
        let withdrawn = Withdrawn {
            personalization: self.state.personalization && !state.personalization,
            storage: self.state.storage && !state.storage,
            sensitive: self.sensitive().is_some() && !(state.sensitive && state.personalization),
        };
        self.state = state;
        withdrawn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Source;

    #[test]
    fn fails_closed_and_reports_withdrawals() {
        let mut g = Gate::default();
        assert!(g.personalization().is_none() && g.storage().is_none());
        let granted = ConsentState {
            personalization: true,
            storage: true,
            sensitive: true,
            source: Source::Explicit,
            updated_at: Some(1.0),
        };
        assert_eq!(g.set(granted.clone()), Withdrawn::default());
        assert!(g.persistent_profile().is_some() && g.sensitive().is_some());
        let w = g.set(ConsentState {
            storage: false,
            ..granted.clone()
        });
        assert_eq!(
            w,
            Withdrawn {
                personalization: false,
                storage: true,
                sensitive: false,
            }
        );
        assert!(g.personalization().is_some() && g.storage().is_none());
        let w = g.set(ConsentState {
            personalization: false,
            ..granted
        });
        assert!(w.personalization && w.sensitive);
        assert!(g.sensitive().is_none(), "never without personalization");
    }
}
