//! The emulator's API tests: real AWS SDK clients against an emulator started
//! in-process, one module per service area.
//!
//! One test binary instead of one per file: each binary links the five AWS
//! SDKs (~40 MB), and one binary lets the test harness run tests of every
//! area side by side instead of one file after another.

mod lambda_support;
mod sdk_client;
mod service_client;

mod attributes;
mod auth;
mod challenges;
mod clients;
mod clock;
mod command;
mod conformance;
mod custom_auth;
mod devices;
mod domains;
mod dynamodb;
mod groups;
mod iam;
mod invitations;
mod lambda;
mod logs;
mod migration;
mod oauth;
mod passwords;
mod persistence;
mod pools;
mod resource_servers;
mod revocation;
mod robustness;
mod server;
mod ses;
mod signing_keys;
mod tags;
mod token_generation;
mod triggers;
mod usernames;
mod users;
