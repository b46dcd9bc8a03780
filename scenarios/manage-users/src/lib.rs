//! The parts of the manage-users scenario that are not a prompt or a
//! printout: the offline stand-in for the user's inbox, and reading the
//! claims of a token.
//!
//! Every SDK call comes from the single-action examples under `actions/`
//! (one crate per call).

pub mod claims;
pub mod outbox;
