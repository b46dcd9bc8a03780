//! Deletes a user pool with all its users and app clients (DeleteUserPool).
//!
//! ```sh
//! cargo run -p delete-user-pool -- --user-pool-id us-east-1_EXAMPLE
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Deletes a user pool, its users and app clients (DeleteUserPool).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The id of the user pool to delete, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    delete_user_pool::delete_user_pool(client, &args.user_pool_id).await?;
    println!("Deleted user pool: {}", args.user_pool_id);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}
