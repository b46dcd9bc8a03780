//! Starts adding an authenticator app to a user (AssociateSoftwareToken) and
//! shows the secret three ways: as text, as an `otpauth://` URI, and as a QR
//! code drawn in the terminal for the app to scan.
//!
//! ```sh
//! # During a sign-in that Cognito answered with MFA_SETUP:
//! cargo run -p associate-software-token -- --session "$SESSION" --username alice
//! # Or for a signed-in user:
//! cargo run -p associate-software-token -- --access-token "$ACCESS_TOKEN" --username alice
//! ```
//!
//! Then finish with verify-software-token and a code from the app.

use std::process::ExitCode;

use associate_software_token::Credential;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::associate_software_token::AssociateSoftwareTokenOutput;
use clap::{ArgGroup, Parser};
use example_cli::{ExampleError, RegionArg};

/// Adds an authenticator app (TOTP) to a user: prints the secret, its otpauth:// URI and a QR code (AssociateSoftwareToken).
#[derive(Debug, Parser)]
#[command(version, about)]
#[command(group(ArgGroup::new("credential").required(true).args(["session", "access_token"])))]
struct Args {
    /// The session of a sign-in that Cognito answered with MFA_SETUP (valid for 3 minutes).
    #[arg(long, env = "SESSION", hide_env_values = true)]
    session: Option<String>,
    /// The access token of a signed-in user (instead of --session).
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// The name the authenticator app shows for this account (default: "user").
    #[arg(long)]
    username: Option<String>,
    /// The issuer the authenticator app shows above the account name.
    #[arg(long, default_value = "Cognito examples")]
    issuer: String,
    /// Do not draw the QR code.
    #[arg(long)]
    no_qr: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    // clap's `credential` group gives exactly one of the two.
    let credential = match (&args.session, &args.access_token) {
        (Some(session), _) => Credential::Session(session),
        (None, token) => Credential::AccessToken(token.as_deref().unwrap_or_default()),
    };
    let output = associate_software_token::associate_software_token(client, credential).await?;
    for line in report(&output, &args)? {
        println!("{line}");
    }
    Ok(())
}

/// The lines to print: secret, URI, QR code, session, and the next step.
fn report(output: &AssociateSoftwareTokenOutput, args: &Args) -> Result<Vec<String>, ExampleError> {
    let secret = output
        .secret_code()
        .ok_or_else(|| ExampleError::new("Cognito answered without a secret code."))?;
    let account = args.username.as_deref().unwrap_or("user");
    let uri = associate_software_token::otpauth_uri(secret, account, &args.issuer)?;

    let mut lines = vec![format!("Secret: {secret}"), format!("URI: {uri}")];
    if !args.no_qr {
        lines.push("Scan this QR code with your authenticator app (or type the secret in):".into());
        lines.extend(
            associate_software_token::qr_code(&uri)?
                .lines()
                .map(String::from),
        );
    }
    match output.session() {
        Some(session) => {
            lines.push(format!("Session: {session}"));
            lines.push(
                "Next: within 3 minutes, send the code the app shows: \
                 cargo run -p verify-software-token -- --session SESSION --code 123456"
                    .into(),
            );
        }
        None => lines.push(
            "Next: send the code the app shows: \
             cargo run -p verify-software-token -- --access-token ACCESS_TOKEN --code 123456"
                .into(),
        ),
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

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn args(argv: &[&str]) -> Args {
        Args::try_parse_from(
            std::iter::once("associate-software-token").chain(argv.iter().copied()),
        )
        .expect("valid arguments")
    }

    #[test]
    fn exactly_one_of_session_and_access_token() {
        let program = "associate-software-token";
        assert!(Args::try_parse_from([program, "--session", "s", "--access-token", "t"]).is_err());
        // Neither given (and neither in the environment of this test).
        if std::env::var_os("SESSION").is_none() && std::env::var_os("ACCESS_TOKEN").is_none() {
            assert!(Args::try_parse_from([program]).is_err());
        }
    }

    #[test]
    fn prints_secret_uri_qr_code_and_new_session() {
        let output = AssociateSoftwareTokenOutput::builder()
            .secret_code(SECRET)
            .session("session-2")
            .build();

        let lines =
            report(&output, &args(&["--session", "s", "--username", "alice"])).expect("lines");

        assert_eq!(lines[0], format!("Secret: {SECRET}"));
        assert_eq!(
            lines[1],
            format!(
                "URI: otpauth://totp/Cognito%20examples:alice?secret={SECRET}&issuer=Cognito%20examples"
            )
        );
        assert!(
            lines.iter().any(|l| l.contains('\u{2588}')),
            "a QR code is drawn"
        );
        assert!(lines.contains(&"Session: session-2".to_string()));
    }

    #[test]
    fn no_qr_skips_the_drawing_and_the_account_defaults_to_user() {
        let output = AssociateSoftwareTokenOutput::builder()
            .secret_code(SECRET)
            .build();

        let lines = report(&output, &args(&["--access-token", "t", "--no-qr"])).expect("lines");

        assert!(lines[1].contains(":user?secret="), "{}", lines[1]);
        assert!(!lines.iter().any(|l| l.contains('\u{2588}')));
        assert!(!lines.iter().any(|l| l.starts_with("Session: ")));
        assert!(lines.last().unwrap().contains("--access-token"));
    }
}
