//! Sends a user a new sign-up confirmation code and shows where it went
//! (ResendConfirmationCode).
//!
//! ```sh
//! cargo run -p resend-confirmation-code -- --client-id 1example23456789 --username alice
//! ```
//!
//! Then confirm with the new code: `confirm-sign-up --code ...`.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Sends a new confirmation code and shows where it went (ResendConfirmationCode).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id.
    #[arg(long)]
    client_id: String,
    /// The username the user signed up with.
    #[arg(long)]
    username: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = resend_confirmation_code::resend_confirmation_code(
        client,
        &args.client_id,
        &args.username,
        args.client_secret.as_deref(),
    )
    .await?;

    match output.code_delivery_details() {
        Some(details) => println!("Code sent: {}", example_cli::code_delivery(details)),
        None => println!("Code sent: yes (Cognito did not say where)"),
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
