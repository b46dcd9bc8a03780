//! The signed-in user changes their own attributes, with their access token
//! (UpdateUserAttributes), and sees where a verification code was sent.
//!
//! ```sh
//! ACCESS_TOKEN='eyJ...' cargo run -p update-user-attributes -- \
//!     --attribute email=alice@example.org --attribute name='Alice Smith'
//! ```
//!
//! A changed email needs the code Cognito sends to it: enter it with
//! `verify-user-attribute`. Get an access token by signing in
//! (`initiate-auth --show-tokens`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Changes the signed-in user's attributes (UpdateUserAttributes).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user's access token, from signing in.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// An attribute to set, as NAME=VALUE (repeat for several), such as email=alice@example.org.
    #[arg(long = "attribute", required = true, value_parser = update_user_attributes::parse_attribute)]
    attributes: Vec<(String, String)>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let attributes: Vec<(&str, &str)> = args
        .attributes
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let output =
        update_user_attributes::update_user_attributes(client, &args.access_token, &attributes)
            .await?;

    let names: Vec<&str> = attributes.iter().map(|(name, _)| *name).collect();
    println!("Updated: {}", names.join(", "));
    for line in update_user_attributes::delivery_lines(output.code_delivery_details_list()) {
        println!("{line}");
    }
    if !output.code_delivery_details_list().is_empty() {
        println!(
            "Next: enter the code: cargo run -p verify-user-attribute -- --attribute-name NAME --code 123456"
        );
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
