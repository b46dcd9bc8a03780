//! Sets a user's password as an administrator (AdminSetUserPassword):
//! temporary by default (the user must choose a new one at their next
//! sign-in), permanent with `--permanent`.
//!
//! ```sh
//! PASSWORD='Correct-Horse-7' cargo run -p admin-set-user-password -- \
//!     --user-pool-id us-east-1_EXAMPLE --username alice --permanent
//! ```
//!
//! Cognito does not tell the user: give them the password yourself.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Sets a user's password, temporary or --permanent (AdminSetUserPassword).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The user's username.
    #[arg(long)]
    username: String,
    /// The password to set; it must meet the pool's password policy.
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: String,
    /// Make it the user's password (CONFIRMED); without it the password is
    /// temporary (FORCE_CHANGE_PASSWORD).
    #[arg(long)]
    permanent: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    admin_set_user_password::admin_set_user_password(
        client,
        &args.user_pool_id,
        &args.username,
        &args.password,
        args.permanent,
    )
    .await?;

    if args.permanent {
        println!("Password set: permanent");
        println!(
            "User status: CONFIRMED ({} signs in with it)",
            args.username
        );
    } else {
        println!("Password set: temporary");
        println!(
            "User status: FORCE_CHANGE_PASSWORD ({} chooses a new one at the next sign-in)",
            args.username
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
