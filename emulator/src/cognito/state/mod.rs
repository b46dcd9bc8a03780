//! What Cognito knows, apart from the requests that change it: pools and
//! their settings, app clients, users and their devices, groups, domains,
//! codes, software tokens, sign-in sessions, refresh grants and their
//! revocations, with typed methods for each
//! change. Nothing here reads a request's wire form beyond a stored settings
//! document, builds a response, or knows [`super::CognitoService`]; the
//! handler modules do that.
//!
//! Layering inside (each module uses only those above it):
//! `records` (the kinds and keys of a state folder's records), `random`, `codes`, `refresh`, `revocation`, `software_token`,
//! `password_policy`, `attributes`, `groups`, `domains` → `settings`,
//! `devices`, `clients`, `custom_auth` → `challenges` → `users` → `attribute_changes`,
//! `user_filter`, `pool` →
//! `sign_in`.

pub(crate) mod attribute_changes;
pub(crate) mod attributes;
pub(crate) mod challenges;
pub(crate) mod clients;
pub(crate) mod codes;
pub(crate) mod custom_auth;
pub(crate) mod devices;
pub(crate) mod domains;
pub(crate) mod groups;
pub(crate) mod oauth;
pub(crate) mod oauth_settings;
pub(crate) mod password_policy;
pub(crate) mod pool;
pub(crate) mod random;
pub(crate) mod records;
pub(crate) mod refresh;
pub(crate) mod resource_servers;
pub(crate) mod revocation;
pub(crate) mod settings;
pub(crate) mod sign_in;
pub(crate) mod software_token;
pub(crate) mod user_filter;
pub(crate) mod users;
