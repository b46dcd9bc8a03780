//! Creates a group in a user pool (CreateGroup). Its members find the
//! group's name in the `cognito:groups` claim of their tokens.
//!
//! ```sh
//! cargo run -p create-group -- --user-pool-id us-east-1_EXAMPLE --group-name editors \
//!     --description 'Can edit articles' --precedence 1
//! ```
//!
//! Then add users with `admin-add-user-to-group`.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use create_group::NewGroup;
use example_cli::{ExampleError, RegionArg};

/// Creates a group in a user pool (CreateGroup).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The group's name (unique in the pool; it cannot be renamed).
    #[arg(long)]
    group_name: String,
    /// What the group is for.
    #[arg(long)]
    description: Option<String>,
    /// Which group's role wins for a user in several groups: the lowest number (0 or more).
    #[arg(long, value_parser = clap::value_parser!(i32).range(0..))]
    precedence: Option<i32>,
    /// The ARN of an IAM role for the group's members.
    #[arg(long)]
    role_arn: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = create_group::create_group(
        client,
        &NewGroup {
            user_pool_id: &args.user_pool_id,
            group_name: &args.group_name,
            description: args.description.as_deref(),
            precedence: args.precedence,
            role_arn: args.role_arn.as_deref(),
        },
    )
    .await?;

    let group = output.group();
    println!(
        "Group: {}",
        group
            .and_then(|g| g.group_name())
            .unwrap_or(&args.group_name)
    );
    if let Some(precedence) = group.and_then(|g| g.precedence()) {
        println!("Precedence: {precedence}");
    }
    if let Some(role) = group.and_then(|g| g.role_arn()) {
        println!("Role: {role}");
    }
    println!(
        "Next: add a user: cargo run -p admin-add-user-to-group -- --user-pool-id {} \
         --username USERNAME --group-name {}",
        args.user_pool_id, args.group_name
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
