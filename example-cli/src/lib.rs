//! What every example program needs besides the one SDK call it shows:
//! a Cognito client configured the usual way, `--region`, one-line errors
//! with a non-zero exit, the `SECRET_HASH` that app clients with a secret
//! require, shortened tokens and where a code went, for printing.
//!
//! With the feature `scenario`, also what the guided scenarios share:
//! prompts and Ctrl-C handling ([`scenario`]).
//!
//! The SDK calls themselves live in each example's own `lib.rs`.

mod connection;
mod delivery;
mod error;
#[cfg(feature = "scenario")]
pub mod outbox;
#[cfg(feature = "scenario")]
pub mod scenario;
mod secret_hash;
mod tokens;

pub use delivery::code_delivery;
pub use error::ExampleError;
pub use secret_hash::secret_hash;
pub use tokens::{authentication_result_lines, shorten};

use std::process::ExitCode;

use aws_config::{BehaviorVersion, Region, meta::region::RegionProviderChain};
use aws_sdk_cognitoidentityprovider::Client;

/// `--region`, flattened into every example's arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RegionArg {
    /// AWS Region of the user pool (default: from AWS_REGION or your profile).
    #[arg(long)]
    pub region: Option<String>,
}

/// Loads the shared AWS configuration the standard way: credentials chain,
/// profile, and `AWS_ENDPOINT_URL` (which is how the examples reach the
/// bundled emulator instead of AWS).
pub async fn load_config(region: &RegionArg) -> aws_config::SdkConfig {
    // No fallback Region: a pool lives in one Region, and guessing one turns
    // "no Region set" into a misleading "user pool does not exist".
    let region = RegionProviderChain::first_try(region.region.clone().map(Region::new))
        .or_default_provider();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .load()
        .await;
    connection::remember(&config);
    config
}

/// A Cognito user pools client for the given `--region`.
pub async fn cognito_client(region: &RegionArg) -> Client {
    Client::new(&load_config(region).await)
}

/// Logs go to stderr, and only when asked for: `RUST_LOG=debug` shows the
/// SDK at work. Without it nothing is logged, not even the SDK's warnings
/// (such as each credential source it tried): an example's failure is its
/// one error line, which says what to do.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Turns the outcome of an example's `run` into its exit status, printing a
/// failure as one line on stderr.
pub fn exit_code(outcome: Result<(), ExampleError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
