//! Amazon Cognito user pools (`cognito-idp`).

pub mod srp;
pub mod tokens;
pub mod totp;
