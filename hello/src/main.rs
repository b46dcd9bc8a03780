//! Hello Amazon Cognito: prints the name and id of every user pool in your
//! account and Region.
//!
//! ```sh
//! cargo run -p hello
//! cargo run -p hello -- --region eu-west-1
//! ```
//!
//! Against the bundled emulator instead of AWS, set `AWS_ENDPOINT_URL`
//! (see the README).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Lists the user pools in your account and Region (ListUserPools).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, _args: Args) -> Result<(), ExampleError> {
    let pools = hello::list_user_pools(client).await?;
    if pools.is_empty() {
        println!(
            "No user pools in this account and Region. Create one with `cargo run -p create-user-pool`."
        );
        return Ok(());
    }
    println!("{} user pool(s):", pools.len());
    for pool in &pools {
        println!(
            "  {}  {}",
            pool.id().unwrap_or("(no id)"),
            pool.name().unwrap_or("(no name)")
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
