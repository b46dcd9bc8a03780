//! Creates an app client for a user pool with the sign-in flows the examples
//! use (CreateUserPoolClient), optionally with a client secret.
//!
//! ```sh
//! cargo run -p create-user-pool-client -- --user-pool-id us-east-1_EXAMPLE --client-name examples
//! cargo run -p create-user-pool-client -- --user-pool-id us-east-1_EXAMPLE \
//!     --client-name examples-with-secret --generate-secret --show-secret
//! ```
//!
//! With a secret, pass it to the other examples as `--client-secret` (or the
//! `CLIENT_SECRET` environment variable).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolClientType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Creates an app client that allows password, SRP and refresh sign-ins (CreateUserPoolClient).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// A name for the new app client.
    #[arg(long)]
    client_name: String,
    /// Give the client a secret (every public call must then send SECRET_HASH).
    #[arg(long)]
    generate_secret: bool,
    /// Print the client secret in full instead of only its start.
    #[arg(long)]
    show_secret: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = create_user_pool_client::create_user_pool_client(
        client,
        &args.user_pool_id,
        &args.client_name,
        args.generate_secret,
    )
    .await?;
    let app_client = output.user_pool_client().ok_or_else(|| {
        ExampleError::new("CreateUserPoolClient answered without the new client.")
    })?;
    for line in report(app_client, args.show_secret)? {
        println!("{line}");
    }
    Ok(())
}

/// The client id and, if there is one, the client secret (shortened unless
/// `show_secret`).
fn report(app_client: &UserPoolClientType, show_secret: bool) -> Result<Vec<String>, ExampleError> {
    let client_id = app_client
        .client_id()
        .ok_or_else(|| ExampleError::new("CreateUserPoolClient answered without a client id."))?;
    let mut lines = vec![format!("Client id: {client_id}")];
    match app_client.client_secret() {
        Some(secret) if show_secret => lines.push(format!("Client secret: {secret}")),
        Some(secret) => lines.push(format!(
            "Client secret: {} (--show-secret prints it in full)",
            example_cli::shorten(secret)
        )),
        None => lines.push("No client secret.".to_string()),
    }
    Ok(lines)
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "1abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno";

    fn with_secret() -> UserPoolClientType {
        UserPoolClientType::builder()
            .client_id("client123")
            .client_secret(SECRET)
            .build()
    }

    #[test]
    fn the_secret_is_shortened_by_default() {
        let lines = report(&with_secret(), false).expect("report");
        assert_eq!(lines[0], "Client id: client123");
        assert!(lines[1].starts_with("Client secret: 1abcdefghijk..."));
        assert!(!lines.concat().contains(SECRET));
    }

    #[test]
    fn the_secret_is_shown_in_full_when_asked() {
        let lines = report(&with_secret(), true).expect("report");
        assert_eq!(lines[1], format!("Client secret: {SECRET}"));
    }

    #[test]
    fn a_client_without_secret_says_so() {
        let app_client = UserPoolClientType::builder().client_id("client123").build();
        let lines = report(&app_client, false).expect("report");
        assert_eq!(lines, ["Client id: client123", "No client secret."]);
    }
}
