//! Creates a user pool where users sign up with a username and a verified
//! email address (CreateUserPool). `--mfa-required` then requires MFA by
//! authenticator app (SetUserPoolMfaConfig); `--device-tracking` makes the
//! pool remember users' devices.
//!
//! ```sh
//! cargo run -p create-user-pool -- --pool-name examples
//! cargo run -p create-user-pool -- --pool-name examples-mfa --mfa-required --device-tracking
//! ```
//!
//! Next: an app client (`create-user-pool-client`); remove the pool with
//! `delete-user-pool`.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Creates a user pool with required, auto-verified email (CreateUserPool).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// A name for the new user pool.
    #[arg(long)]
    pool_name: String,
    /// Require MFA by authenticator app. CreateUserPool cannot do that by
    /// itself, so the pool is created first and MFA is then turned on with
    /// SetUserPoolMfaConfig (as `set-user-pool-mfa-config` does).
    #[arg(long)]
    mfa_required: bool,
    /// Remember users' devices: every new device is challenged, then
    /// remembered without asking the user.
    #[arg(long)]
    device_tracking: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output =
        create_user_pool::create_user_pool(client, &args.pool_name, args.device_tracking).await?;
    let pool_id = output
        .user_pool()
        .and_then(|pool| pool.id())
        .ok_or_else(|| ExampleError::new("CreateUserPool answered without a user pool id."))?;
    println!("User pool id: {pool_id}");

    if args.mfa_required {
        // CreateUserPool refuses MFA ON without SMS, and has no setting for
        // authenticator apps: SetUserPoolMfaConfig turns both on.
        set_user_pool_mfa_config::set_user_pool_mfa_config(client, pool_id, UserPoolMfaType::On)
            .await?;
        println!("MFA: ON (authenticator apps)");
    } else {
        println!("MFA: OFF");
    }
    println!(
        "Device tracking: {}",
        if args.device_tracking { "on" } else { "off" }
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::SetUserPoolMfaConfigOutput;
    use aws_sdk_cognitoidentityprovider::types::UserPoolType;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["create-user-pool", "--pool-name", "examples"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    fn created() -> CreateUserPoolOutput {
        CreateUserPoolOutput::builder()
            .user_pool(
                UserPoolType::builder()
                    .id("us-east-1_new")
                    .name("examples")
                    .build(),
            )
            .build()
    }

    #[tokio::test]
    async fn mfa_required_creates_without_mfa_then_requires_authenticator_apps() {
        let create = mock!(Client::create_user_pool)
            .match_requests(|req| {
                req.mfa_configuration().is_none() && req.device_configuration().is_some()
            })
            .then_output(created);
        let set_mfa = mock!(Client::set_user_pool_mfa_config)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_new")
                    && req.mfa_configuration() == Some(&UserPoolMfaType::On)
                    && req
                        .software_token_mfa_configuration()
                        .is_some_and(|totp| totp.enabled())
            })
            .then_output(|| {
                SetUserPoolMfaConfigOutput::builder()
                    .mfa_configuration(UserPoolMfaType::On)
                    .build()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            [&create, &set_mfa]
        );

        run(&client, args(&["--mfa-required", "--device-tracking"]))
            .await
            .expect("created");

        assert_eq!(create.num_calls(), 1);
        assert_eq!(set_mfa.num_calls(), 1);
    }

    #[tokio::test]
    async fn without_mfa_required_mfa_is_left_alone() {
        let create = mock!(Client::create_user_pool).then_output(created);
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        // A SetUserPoolMfaConfig call would find no rule and fail the test.
        run(&client, args(&[])).await.expect("created");

        assert_eq!(create.num_calls(), 1);
    }
}
