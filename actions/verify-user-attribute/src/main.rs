//! The signed-in user enters the code Cognito sent to their changed email
//! address (or phone number), with their access token (VerifyUserAttribute).
//!
//! ```sh
//! ACCESS_TOKEN='eyJ...' cargo run -p verify-user-attribute -- --code 123456
//! ACCESS_TOKEN='eyJ...' cargo run -p verify-user-attribute -- --attribute-name phone_number --code 123456
//! ```
//!
//! The code comes from `update-user-attributes` changing the address.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Verifies the user's email or phone number with the code sent to it (VerifyUserAttribute).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user's access token, from signing in.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// The attribute the code verifies.
    #[arg(long, default_value = "email")]
    attribute_name: String,
    /// The code Cognito sent to the new address (the latest one).
    #[arg(long)]
    code: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    verify_user_attribute::verify_user_attribute(
        client,
        &args.access_token,
        &args.attribute_name,
        &args.code,
    )
    .await?;
    println!("Verified: {}", args.attribute_name);
    println!("{}_verified: true", args.attribute_name);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
