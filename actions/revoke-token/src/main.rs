//! Revokes a refresh token, and with it the access and ID tokens issued
//! with it (RevokeToken).
//!
//! ```sh
//! REFRESH_TOKEN='eyJ...' cargo run -p revoke-token -- --client-id 1example23456789
//! # An app client with a secret sends the secret itself:
//! REFRESH_TOKEN='eyJ...' CLIENT_SECRET='...' cargo run -p revoke-token -- --client-id 1example23456789
//! ```
//!
//! Get a refresh token by signing in (`initiate-auth --show-tokens`).
//! Afterwards `refresh-tokens` with it fails with NotAuthorizedException.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Revokes a refresh token and the tokens issued with it (RevokeToken).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client the refresh token was issued to.
    #[arg(long)]
    client_id: String,
    /// The refresh token to revoke.
    #[arg(long, env = "REFRESH_TOKEN", hide_env_values = true)]
    refresh_token: String,
    /// The app client's secret, if it has one (sent as is, not as a SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    revoke_token::revoke_token(
        client,
        &args.client_id,
        &args.refresh_token,
        args.client_secret.as_deref(),
    )
    .await?;
    println!(
        "Revoked: refresh token {}",
        example_cli::shorten(&args.refresh_token)
    );
    println!("The access and ID tokens issued with it are refused by Cognito from now on.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
