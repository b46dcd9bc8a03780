//! Signing in through a user pool domain with OAuth 2.0 and OpenID Connect,
//! as a command-line program does it: the authorization code flow with PKCE
//! and a loopback redirect, the ID token verified against the pool's keys,
//! userInfo, refresh, revocation and sign-out.
//!
//! Everything here follows the Cognito developer guide's "User pool
//! endpoints and managed login reference" and talks only to those
//! endpoints, so it works against a real Cognito domain and against the
//! bundled emulator alike.

pub mod demo;
pub mod discovery;
pub mod display;
pub mod flow;
pub mod http;
pub mod listener;

pub use discovery::{Endpoints, issuer_url};
pub use http::HttpClient;
