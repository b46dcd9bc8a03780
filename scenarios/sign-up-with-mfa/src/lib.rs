//! The parts of the sign-up-with-MFA scenario that are not a prompt or a
//! printout: the authenticator app's stand-in for non-interactive runs, and
//! the plan for removing what the scenario created.
//!
//! Every SDK call the scenario makes comes from the single-action examples
//! under `actions/` (one crate per call), except AdminDeleteUser, which no
//! single-action example shows; it lives in [`cleanup`].

pub mod authenticator;
pub mod cleanup;
