//! Every example binary run end to end, the way a user runs it, against an
//! emulator started in-process (or real AWS with `COGNITO_EXAMPLES_LIVE=1`).
//!
//! One test binary, one module per group of examples: each binary links the
//! AWS SDKs, and one binary lets the slow scenario tests run side by side.

mod account_actions;
mod actions;
mod activity_log;
mod auto_confirm;
mod custom_auth;
mod failures;
mod groups_tokens;
mod lambda_triggers;
mod manage_users;
mod migrate_legacy_users;
mod oauth_sign_in;
mod protected_api;
mod sign_up_with_mfa;
mod triggers;
