//! The parts of the auto-confirm scenario that are not a prompt or a
//! printout: the table of known users. Deploying the function (its zip, role,
//! log group, the permission for the pool) and removing everything again is
//! the `trigger-deployment` crate's, shared with the other pools-triggers
//! scenarios.
//!
//! Every Cognito call comes from the single-action examples under
//! `actions/`; the DynamoDB calls live here, one public function per call,
//! each between snippet markers.

pub mod known_users;
