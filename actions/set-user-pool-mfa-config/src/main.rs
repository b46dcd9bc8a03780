//! Requires MFA by authenticator app for every user of a pool
//! (SetUserPoolMfaConfig); `--optional` makes it optional instead.
//!
//! ```sh
//! cargo run -p set-user-pool-mfa-config -- --user-pool-id us-east-1_EXAMPLE
//! cargo run -p set-user-pool-mfa-config -- --user-pool-id us-east-1_EXAMPLE --optional
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::SetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Turns on MFA by authenticator app for a user pool (SetUserPoolMfaConfig).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// Make MFA optional (users who set up an app use it) instead of required.
    #[arg(long)]
    optional: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let mfa = if args.optional {
        UserPoolMfaType::Optional
    } else {
        UserPoolMfaType::On
    };
    let output =
        set_user_pool_mfa_config::set_user_pool_mfa_config(client, &args.user_pool_id, mfa).await?;
    for line in report(&output) {
        println!("{line}");
    }
    Ok(())
}

/// The MFA setting and the factors the pool now accepts, as Cognito reports them.
fn report(output: &SetUserPoolMfaConfigOutput) -> Vec<String> {
    let enabled = |on: bool| if on { "enabled" } else { "disabled" };
    vec![
        format!(
            "MFA: {}",
            output
                .mfa_configuration()
                .map_or("(not reported)", |mfa| mfa.as_str())
        ),
        format!(
            "Authenticator apps: {}",
            enabled(
                output
                    .software_token_mfa_configuration()
                    .is_some_and(|totp| totp.enabled())
            )
        ),
        format!("SMS: {}", enabled(output.sms_mfa_configuration().is_some())),
    ]
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
    use aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType;
    use aws_smithy_mocks::{mock, mock_client};

    #[test]
    fn reports_the_setting_and_the_factors() {
        let output = SetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::On)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .build();
        assert_eq!(
            report(&output),
            ["MFA: ON", "Authenticator apps: enabled", "SMS: disabled"]
        );
    }

    #[tokio::test]
    async fn optional_flag_sends_optional() {
        let set_mfa = mock!(Client::set_user_pool_mfa_config)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.mfa_configuration() == Some(&UserPoolMfaType::Optional)
            })
            .then_output(|| SetUserPoolMfaConfigOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&set_mfa]);
        let args = Args::parse_from([
            "set-user-pool-mfa-config",
            "--user-pool-id",
            "us-east-1_pool",
            "--optional",
        ]);

        run(&client, args).await.expect("set");

        assert_eq!(set_mfa.num_calls(), 1);
    }
}
