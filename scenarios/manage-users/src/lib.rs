//! The parts of the manage-users scenario that are not a prompt or a
//! printout: reading the claims of a token. (The offline stand-in for the
//! user's inbox, the emulator's outbox, is `example_cli::outbox`.)
//!
//! Every SDK call comes from the single-action examples under `actions/`
//! (one crate per call).

pub mod claims;
