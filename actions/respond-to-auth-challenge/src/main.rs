//! Answers the `SOFTWARE_TOKEN_MFA` challenge of a sign-in with a code from
//! the authenticator app (RespondToAuthChallenge), and prints the tokens and
//! the new device's metadata.
//!
//! ```sh
//! # SESSION is the `Session:` that initiate-auth printed.
//! cargo run -p respond-to-auth-challenge -- --client-id 1example23456789 \
//!     --username alice --session "$SESSION" --code 123456
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Answers SOFTWARE_TOKEN_MFA with a code from the authenticator app (RespondToAuthChallenge).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id used to start the sign-in.
    #[arg(long)]
    client_id: String,
    /// The app client's secret, if it has one (used to compute SECRET_HASH).
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// The user's username.
    #[arg(long)]
    username: String,
    /// The six-digit code the authenticator app shows now.
    #[arg(long)]
    code: String,
    /// The session printed with the SOFTWARE_TOKEN_MFA challenge (valid for 3 minutes).
    #[arg(long, env = "SESSION", hide_env_values = true)]
    session: String,
    /// Print the tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let output = respond_to_auth_challenge::respond_to_auth_challenge(
        client,
        &respond_to_auth_challenge::MfaAnswer {
            client_id: &args.client_id,
            username: &args.username,
            code: &args.code,
            session: &args.session,
            client_secret: args.client_secret.as_deref(),
        },
    )
    .await?;
    for line in report(&output, args.show_tokens)? {
        println!("{line}");
    }
    Ok(())
}

/// The lines to print for Cognito's answer: the tokens, or a further challenge.
fn report(
    output: &RespondToAuthChallengeOutput,
    show_tokens: bool,
) -> Result<Vec<String>, ExampleError> {
    if let Some(result) = output.authentication_result() {
        return Ok(example_cli::authentication_result_lines(
            result,
            show_tokens,
        ));
    }
    match output.challenge_name() {
        Some(challenge) => Ok(vec![
            format!("Challenge: {}", challenge.as_str()),
            format!("Session: {}", output.session().unwrap_or("")),
            format!(
                "Next: answer {} with RespondToAuthChallenge and the session above.",
                challenge.as_str()
            ),
        ]),
        None => Err(ExampleError::new(
            "Cognito answered with neither tokens nor a challenge.",
        )),
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
    use aws_sdk_cognitoidentityprovider::types::{
        AuthenticationResultType, ChallengeNameType, NewDeviceMetadataType,
    };

    fn tokens() -> RespondToAuthChallengeOutput {
        RespondToAuthChallengeOutput::builder()
            .authentication_result(
                AuthenticationResultType::builder()
                    .access_token("eyJaccess-token-that-is-long-enough")
                    .id_token("eyJid-token-that-is-long-enough")
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
    fn tokens_are_shortened_unless_asked_and_device_metadata_is_shown() {
        let short = report(&tokens(), false).expect("lines");
        let full = report(&tokens(), true).expect("lines");

        assert!(short.contains(&format!(
            "ID token: {}",
            example_cli::shorten("eyJid-token-that-is-long-enough")
        )));
        assert!(
            !short
                .iter()
                .any(|l| l.contains("token-that-is-long-enough"))
        );
        assert!(full.contains(&"Access token: eyJaccess-token-that-is-long-enough".to_string()));
        for lines in [&short, &full] {
            assert!(lines.contains(&"Device key: us-east-1_0000-device".to_string()));
            assert!(lines.contains(&"Device group key: -group123".to_string()));
        }
    }

    #[test]
    fn a_further_challenge_is_printed_with_its_session() {
        let output = RespondToAuthChallengeOutput::builder()
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session("session-2")
            .build();

        let lines = report(&output, false).expect("lines");

        assert_eq!(lines[0], "Challenge: SOFTWARE_TOKEN_MFA");
        assert_eq!(lines[1], "Session: session-2");
    }
}
