//! Finishes adding an authenticator app to a user: sends a code the app
//! shows (VerifySoftwareToken) and prints the status and the session to
//! continue with.
//!
//! ```sh
//! # SESSION is the `Session:` that associate-software-token printed.
//! cargo run -p verify-software-token -- --session "$SESSION" --code 123456
//! # Or for a signed-in user:
//! cargo run -p verify-software-token -- --access-token "$ACCESS_TOKEN" --code 123456
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::verify_software_token::VerifySoftwareTokenOutput;
use aws_sdk_cognitoidentityprovider::types::VerifySoftwareTokenResponseType;
use clap::{ArgGroup, Parser};
use example_cli::{ExampleError, RegionArg};
use verify_software_token::Credential;

/// Sends a code from the authenticator app to finish setting it up (VerifySoftwareToken).
#[derive(Debug, Parser)]
#[command(version, about)]
#[command(group(ArgGroup::new("credential").required(true).args(["session", "access_token"])))]
struct Args {
    /// The six-digit code the authenticator app shows now.
    #[arg(long)]
    code: String,
    /// The session that associate-software-token printed (valid for 3 minutes).
    #[arg(long, env = "SESSION", hide_env_values = true)]
    session: Option<String>,
    /// The access token of a signed-in user (instead of --session).
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// A name for the authenticator app that Cognito keeps, such as "Alice's phone".
    #[arg(long)]
    friendly_device_name: Option<String>,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    // clap's `credential` group gives exactly one of the two.
    let credential = match (&args.session, &args.access_token) {
        (Some(session), _) => Credential::Session(session),
        (None, token) => Credential::AccessToken(token.as_deref().unwrap_or_default()),
    };
    let output = verify_software_token::verify_software_token(
        client,
        credential,
        &args.code,
        args.friendly_device_name.as_deref(),
    )
    .await?;
    let (lines, outcome) = report(&output);
    for line in lines {
        println!("{line}");
    }
    outcome
}

/// The lines to print, and whether the code was accepted.
fn report(output: &VerifySoftwareTokenOutput) -> (Vec<String>, Result<(), ExampleError>) {
    let status = output.status();
    let mut lines = vec![format!(
        "Status: {}",
        status.map_or("(none)", |status| status.as_str())
    )];
    if let Some(session) = output.session() {
        lines.push(format!("Session: {session}"));
    }
    if status != Some(&VerifySoftwareTokenResponseType::Success) {
        return (
            lines,
            Err(ExampleError::new(
                "The code was not accepted: check the device's clock and send a fresh code.",
            )),
        );
    }
    lines.push(if output.session().is_some() {
        "The authenticator app is set up. Next: finish the sign-in by answering MFA_SETUP \
         with (Admin)RespondToAuthChallenge and the session above, or sign in again and \
         answer SOFTWARE_TOKEN_MFA with a fresh code."
            .into()
    } else {
        "The authenticator app is registered for this user.".into()
    });
    (lines, Ok(()))
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

    #[test]
    fn success_prints_status_and_the_session_to_continue_with() {
        let output = VerifySoftwareTokenOutput::builder()
            .status(VerifySoftwareTokenResponseType::Success)
            .session("session-3")
            .build();

        let (lines, outcome) = report(&output);

        assert!(outcome.is_ok());
        assert_eq!(lines[0], "Status: SUCCESS");
        assert_eq!(lines[1], "Session: session-3");
    }

    #[test]
    fn error_status_is_printed_and_fails() {
        let output = VerifySoftwareTokenOutput::builder()
            .status(VerifySoftwareTokenResponseType::Error)
            .build();

        let (lines, outcome) = report(&output);

        assert_eq!(lines, ["Status: ERROR"]);
        assert!(outcome.is_err());
    }

    #[test]
    fn exactly_one_of_session_and_access_token() {
        let both = [
            "verify-software-token",
            "--code",
            "1",
            "--session",
            "s",
            "--access-token",
            "t",
        ];
        assert!(Args::try_parse_from(both).is_err());
    }
}
