//! The parts of the manage-users scenario that are not a prompt or a
//! printout: the calls of the account lifecycle that the scenario makes
//! itself, the offline stand-in for the user's inbox, and reading the
//! claims of a token.
//!
//! The other SDK calls come from the single-action examples under
//! `actions/` (one crate per call).

pub mod account;
pub mod claims;
pub mod outbox;
