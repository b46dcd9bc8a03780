//! Lets a disabled user sign in again, as an administrator
//! (AdminEnableUser).
//!
//! ```sh
//! cargo run -p admin-enable-user -- --user-pool-id us-east-1_EXAMPLE --username alice
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Lets a disabled user sign in again (AdminEnableUser).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The username of the user to enable.
    #[arg(long)]
    username: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_enable_user::admin_enable_user(client, &args.user_pool_id, &args.username).await?;

    println!("Enabled: true");
    println!(
        "{} can sign in again (tokens revoked while disabled stay revoked).",
        args.username
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
