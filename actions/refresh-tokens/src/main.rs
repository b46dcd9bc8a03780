//! Gets new ID and access tokens from a refresh token (InitiateAuth with
//! REFRESH_TOKEN_AUTH), without the user's password.
//!
//! ```sh
//! REFRESH_TOKEN='eyJ...' cargo run -p refresh-tokens -- --client-id 1example23456789
//! # An app client with a secret: SECRET_HASH is computed over the username
//! # Cognito stores (the `username` claim of the access token; in a pool with
//! # email as the username, that is the user's sub):
//! REFRESH_TOKEN='eyJ...' CLIENT_SECRET='...' cargo run -p refresh-tokens -- \
//!     --client-id 1example23456789 --username 0f1e2d3c-aaaa-bbbb-cccc-0123456789ab
//! ```
//!
//! Get a refresh token by signing in (`initiate-auth --show-tokens`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use refresh_tokens::ClientSecret;

/// Gets new ID and access tokens from a refresh token (InitiateAuth, REFRESH_TOKEN_AUTH).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client the refresh token was issued to; it must allow REFRESH_TOKEN_AUTH.
    #[arg(long)]
    client_id: String,
    /// The refresh token, from signing in.
    #[arg(long, env = "REFRESH_TOKEN", hide_env_values = true)]
    refresh_token: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH; needs --username).
    #[arg(
        long,
        env = "CLIENT_SECRET",
        hide_env_values = true,
        requires = "username"
    )]
    client_secret: Option<String>,
    /// The username Cognito stores for the user, for SECRET_HASH: the `username` claim of the access token, or Username in admin-get-user. With email as the username, the user's sub.
    #[arg(long)]
    username: Option<String>,
    /// Print the new tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    // clap makes --client-secret require --username.
    let secret = match (&args.client_secret, &args.username) {
        (Some(secret), Some(stored_username)) => Some(ClientSecret {
            secret,
            stored_username,
        }),
        _ => None,
    };
    let output =
        refresh_tokens::refresh_tokens(client, &args.client_id, &args.refresh_token, secret)
            .await?;
    let tokens = output
        .authentication_result()
        .ok_or_else(|| ExampleError::new("Cognito answered the refresh without tokens."))?;
    for line in example_cli::authentication_result_lines(tokens, args.show_tokens) {
        println!("{line}");
    }
    if tokens.refresh_token().is_none() {
        println!("Refresh token: unchanged (keep using the one you have).");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
