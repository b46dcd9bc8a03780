//! A local emulator of Amazon Cognito user pools, speaking the real AWS wire
//! protocols so that unmodified AWS SDK clients work against it.

pub mod cognito;
