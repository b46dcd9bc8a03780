//! Remembers the device a user just signed in from (ConfirmDevice): makes up
//! a random device password, gives Cognito only its SRP verifier and salt,
//! and prints what the device must keep to sign in with it later.
//!
//! ```sh
//! # The device key and group key come from the sign-in's `Device key:` and
//! # `Device group key:` lines; the access token from the same sign-in.
//! cargo run -p confirm-device -- --access-token "$ACCESS_TOKEN" \
//!     --device-key us-east-1_0000example --device-group-key -abcdEXAMPLE --show-secret
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Remembers the device a user signed in from, with an SRP password verifier (ConfirmDevice).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The access token from the sign-in that returned the device key.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// The device key from the sign-in (NewDeviceMetadata).
    #[arg(long)]
    device_key: String,
    /// The device group key from the sign-in (NewDeviceMetadata); it often starts with '-'.
    #[arg(long, allow_hyphen_values = true)]
    device_group_key: String,
    /// A name for the device that the user will recognise, such as "Alice's laptop".
    #[arg(long)]
    device_name: Option<String>,
    /// Print the device password in full (the device needs it to sign in later).
    #[arg(long)]
    show_secret: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let secrets = confirm_device::new_device_secrets(&args.device_group_key, &args.device_key);
    let output = confirm_device::confirm_device(
        client,
        &args.access_token,
        &args.device_key,
        secrets.verifier_config,
        args.device_name.as_deref(),
    )
    .await?;
    for line in report(
        output.user_confirmation_necessary(),
        &secrets.password,
        &args,
    ) {
        println!("{line}");
    }
    Ok(())
}

/// The lines to print: whether the user must still confirm, and what the device keeps.
fn report(user_confirmation_necessary: bool, password: &str, args: &Args) -> Vec<String> {
    let mut lines = vec![format!(
        "User confirmation necessary: {user_confirmation_necessary}"
    )];
    if user_confirmation_necessary {
        lines.push(
            "The user must still choose to remember this device \
             (UpdateDeviceStatus with DeviceRememberedStatus=remembered)."
                .into(),
        );
    }
    lines.push("The device must keep:".into());
    lines.push(format!("Device key: {}", args.device_key));
    lines.push(format!("Device group key: {}", args.device_group_key));
    if args.show_secret {
        lines.push(format!("Device password: {password}"));
    } else {
        lines.push(format!(
            "Device password: {}",
            example_cli::shorten(password)
        ));
        lines.push(
            "The device password is shown in full only with --show-secret; \
             Cognito cannot give it back."
                .into(),
        );
    }
    lines.push(format!(
        "Next: sign in from this device: cargo run -p initiate-auth -- --srp \
         --user-pool-id POOL --client-id CLIENT --username USER --device-key {} \
         --device-group-key {} --device-password DEVICE_PASSWORD",
        args.device_key, args.device_group_key
    ));
    lines
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
    use aws_sdk_cognitoidentityprovider::operation::confirm_device::ConfirmDeviceError;
    use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec![
            "confirm-device",
            "--access-token",
            "access",
            "--device-key",
            "us-east-1_device",
            "--device-group-key",
            "-group123",
        ];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[tokio::test]
    async fn an_expired_token_is_one_line_with_its_code() {
        let expired = mock!(Client::confirm_device).then_error(|| {
            ConfirmDeviceError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("Access Token has expired")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&expired]);

        let err = run(&client, args(&[])).await.unwrap_err();

        assert_eq!(
            err.to_string(),
            "NotAuthorizedException: Access Token has expired"
        );
    }

    #[test]
    fn the_password_is_shortened_unless_asked() {
        let password = "a-random-device-password-of-some-length";

        let short = report(false, password, &args(&[]));
        let full = report(true, password, &args(&["--show-secret"]));

        assert!(short.contains(&format!(
            "Device password: {}",
            example_cli::shorten(password)
        )));
        assert!(!short.iter().any(|l| l.contains(password)));
        assert!(full.contains(&format!("Device password: {password}")));
        for lines in [&short, &full] {
            assert!(lines.contains(&"Device key: us-east-1_device".to_string()));
            assert!(lines.contains(&"Device group key: -group123".to_string()));
        }
        assert_eq!(full[0], "User confirmation necessary: true");
        assert_eq!(short[0], "User confirmation necessary: false");
    }
}
