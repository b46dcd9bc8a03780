//! Signs a user in as an administrator with their username and password
//! (AdminInitiateAuth, `ADMIN_USER_PASSWORD_AUTH`), and prints Cognito's
//! answer: a challenge and its session, or the tokens.
//!
//! ```sh
//! cargo run -p admin-initiate-auth -- --user-pool-id us-east-1_EXAMPLE \
//!     --client-id 1example23456789 --username alice --password 'Passw0rd!'
//! # The password can come from the environment instead: PASSWORD='Passw0rd!'
//! ```
//!
//! Prints `Challenge:` and `Session:` when Cognito asks for more (for
//! example `MFA_SETUP` or `SOFTWARE_TOKEN_MFA`) and suggests the command that
//! answers it; otherwise prints the tokens (shortened unless `--show-tokens`)
//! and the new device's key and group key.

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Signs a user in with their username and password, as an administrator (AdminInitiateAuth).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool's id, such as us-east-1_EXAMPLE.
    #[arg(long)]
    user_pool_id: String,
    /// The app client's id; it must allow ALLOW_ADMIN_USER_PASSWORD_AUTH.
    #[arg(long)]
    client_id: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// The user's username.
    #[arg(long)]
    username: String,
    /// The user's password.
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: String,
    /// Print the tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = admin_initiate_auth::admin_initiate_auth(
        client,
        &admin_initiate_auth::AdminSignIn {
            user_pool_id: &args.user_pool_id,
            client_id: &args.client_id,
            username: &args.username,
            password: &args.password,
            client_secret: args.client_secret.as_deref(),
        },
    )
    .await?;
    for line in report(&output, &args)? {
        println!("{line}");
    }
    Ok(())
}

/// The lines to print for Cognito's answer.
fn report(output: &AdminInitiateAuthOutput, args: &Args) -> Result<Vec<String>, ExampleError> {
    if let Some(challenge) = output.challenge_name() {
        let mut lines = vec![
            format!("Challenge: {}", challenge.as_str()),
            // Printed in full: the next command needs it.
            format!("Session: {}", output.session().unwrap_or("")),
        ];
        lines.push(next_step(challenge, args));
        return Ok(lines);
    }
    let Some(result) = output.authentication_result() else {
        return Err(ExampleError::new(
            "Cognito answered with neither a challenge nor tokens.",
        ));
    };
    Ok(example_cli::authentication_result_lines(
        result,
        args.show_tokens,
    ))
}

/// A friendly line saying which command answers the challenge.
fn next_step(challenge: &ChallengeNameType, args: &Args) -> String {
    let secret = if args.client_secret.is_some() {
        " --client-secret SECRET"
    } else {
        ""
    };
    match challenge {
        ChallengeNameType::MfaSetup => format!(
            "Next: add an authenticator app within 3 minutes, with the session above: \
             cargo run -p associate-software-token -- --username {} --session SESSION",
            args.username
        ),
        ChallengeNameType::SoftwareTokenMfa => format!(
            "Next: answer within 3 minutes with a code from the authenticator app: \
             cargo run -p admin-respond-to-auth-challenge -- --user-pool-id {} --client-id {} \
             --username {}{secret} --session SESSION --code 123456",
            args.user_pool_id, args.client_id, args.username
        ),
        ChallengeNameType::NewPasswordRequired => "Next: the user must choose a new password: \
             answer NEW_PASSWORD_REQUIRED with AdminRespondToAuthChallenge \
             (USERNAME and NEW_PASSWORD) and the session above."
            .to_string(),
        other => format!(
            "Next: answer {} with AdminRespondToAuthChallenge and the session above.",
            other.as_str()
        ),
    }
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
    use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, NewDeviceMetadataType};

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec![
            "admin-initiate-auth",
            "--user-pool-id",
            "us-east-1_pool",
            "--client-id",
            "client123",
            "--username",
            "alice",
            "--password",
            "Passw0rd!",
        ];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[test]
    fn a_challenge_prints_its_name_the_full_session_and_the_next_command() {
        let session = "AYABeC0ffee".repeat(40);
        let output = AdminInitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(&session)
            .build();

        let lines = report(&output, &args(&[])).expect("lines");

        assert_eq!(lines[0], "Challenge: SOFTWARE_TOKEN_MFA");
        assert_eq!(lines[1], format!("Session: {session}"));
        assert!(
            lines[2].contains("admin-respond-to-auth-challenge"),
            "{}",
            lines[2]
        );
        assert!(
            lines[2].contains("--user-pool-id us-east-1_pool"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn mfa_setup_points_to_associate_software_token() {
        let output = AdminInitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::MfaSetup)
            .session("s")
            .build();

        let lines = report(&output, &args(&[])).expect("lines");

        assert_eq!(lines[0], "Challenge: MFA_SETUP");
        assert!(
            lines[2].contains("associate-software-token"),
            "{}",
            lines[2]
        );
    }

    fn tokens() -> AdminInitiateAuthOutput {
        AdminInitiateAuthOutput::builder()
            .authentication_result(
                AuthenticationResultType::builder()
                    .access_token("eyJaccess-token-that-is-long-enough")
                    .id_token("eyJid-token-that-is-long-enough")
                    .refresh_token("eyJrefresh-token-that-is-long-enough")
                    .expires_in(3600)
                    .new_device_metadata(
                        NewDeviceMetadataType::builder()
                            .device_key("us-east-1_0000-device")
                            .device_group_key("-group123")
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    #[test]
    fn tokens_are_shortened_and_device_metadata_is_shown() {
        let lines = report(&tokens(), &args(&[])).expect("lines");

        assert!(lines.contains(&format!(
            "Access token: {}",
            example_cli::shorten("eyJaccess-token-that-is-long-enough")
        )));
        assert!(
            !lines
                .iter()
                .any(|l| l.contains("token-that-is-long-enough"))
        );
        assert!(lines.contains(&"Device key: us-east-1_0000-device".to_string()));
        assert!(lines.contains(&"Device group key: -group123".to_string()));
    }

    #[test]
    fn show_tokens_prints_them_in_full() {
        let lines = report(&tokens(), &args(&["--show-tokens"])).expect("lines");

        assert!(lines.contains(&"Access token: eyJaccess-token-that-is-long-enough".to_string()));
        assert!(lines.contains(&"Refresh token: eyJrefresh-token-that-is-long-enough".to_string()));
    }
}
