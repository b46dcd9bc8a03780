//! Shows one user of a user pool: status, whether it is enabled, and every
//! attribute by name (AdminGetUser).
//!
//! ```sh
//! cargo run -p admin-get-user -- --user-pool-id us-east-1_EXAMPLE --username alice
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Shows a user's status, whether it is enabled, and its attributes (AdminGetUser).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The user's username (or an alias the pool accepts, such as the email).
    #[arg(long)]
    username: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let user = admin_get_user::admin_get_user(client, &args.user_pool_id, &args.username).await?;

    println!("Username: {}", user.username());
    println!(
        "User status: {}",
        user.user_status()
            .map_or("(unknown)", |status| status.as_str())
    );
    println!("Enabled: {}", user.enabled());
    if let Some(email) = admin_get_user::attribute(&user, "email") {
        println!("Email: {email}");
    }
    println!("Attributes:");
    let mut attributes: Vec<_> = user.user_attributes().iter().collect();
    attributes.sort_by_key(|attribute| attribute.name());
    for attribute in attributes {
        println!(
            "  {} = {}",
            attribute.name(),
            attribute.value().unwrap_or("")
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
