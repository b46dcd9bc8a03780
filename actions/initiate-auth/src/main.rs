//! Signs a user in from an app (InitiateAuth) and prints Cognito's answer:
//! a challenge and its session, or the tokens.
//!
//! ```sh
//! # USER_PASSWORD_AUTH: the password goes to Cognito (over TLS).
//! cargo run -p initiate-auth -- --client-id 1example23456789 --username alice --password 'Passw0rd!'
//!
//! # USER_SRP_AUTH: the password never leaves this program (SRP needs the pool id).
//! cargo run -p initiate-auth -- --srp --user-pool-id us-east-1_EXAMPLE \
//!     --client-id 1example23456789 --username alice --password 'Passw0rd!'
//!
//! # SRP from a remembered device (see confirm-device): no MFA code needed.
//! cargo run -p initiate-auth -- --srp --user-pool-id us-east-1_EXAMPLE \
//!     --client-id 1example23456789 --username alice --password 'Passw0rd!' \
//!     --device-key us-east-1_0000example --device-group-key -abcdEXAMPLE \
//!     --device-password "$DEVICE_PASSWORD"
//! ```

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use initiate_auth::{RememberedDevice, SrpSignIn};

/// Signs a user in with USER_PASSWORD_AUTH, or USER_SRP_AUTH with --srp (InitiateAuth).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The app client's id; it must allow the flow used (USER_PASSWORD_AUTH or USER_SRP_AUTH).
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
    /// Sign in with the Secure Remote Password protocol (USER_SRP_AUTH): the password is never sent.
    #[arg(long, requires = "user_pool_id")]
    srp: bool,
    /// The user pool's id, such as us-east-1_EXAMPLE (needed by --srp).
    #[arg(long, value_parser = user_pool_id)]
    user_pool_id: Option<String>,
    /// The key of a device remembered with confirm-device (with --srp).
    #[arg(long, requires_all = ["srp", "device_group_key", "device_password"])]
    device_key: Option<String>,
    /// That device's group key; it often starts with '-'.
    #[arg(long, allow_hyphen_values = true, requires = "device_key")]
    device_group_key: Option<String>,
    /// That device's password: DEVICE_PASSWORD in the file confirm-device wrote (or printed with --show-secret).
    #[arg(
        long,
        env = "DEVICE_PASSWORD",
        hide_env_values = true,
        requires = "device_key"
    )]
    device_password: Option<String>,
    /// Print the tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    // clap makes --srp require --user-pool-id.
    let lines = match (args.srp, args.user_pool_id.as_deref()) {
        (true, Some(user_pool_id)) => {
            let output =
                initiate_auth::sign_in_with_srp(client, &srp_sign_in(&args, user_pool_id)).await?;
            report(
                output.challenge_name(),
                output.session(),
                output.authentication_result(),
                &args,
            )?
        }
        _ => {
            let output = initiate_auth::initiate_auth(
                client,
                &args.client_id,
                &args.username,
                &args.password,
                args.client_secret.as_deref(),
            )
            .await?;
            report(
                output.challenge_name(),
                output.session(),
                output.authentication_result(),
                &args,
            )?
        }
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn srp_sign_in<'a>(args: &'a Args, user_pool_id: &'a str) -> SrpSignIn<'a> {
    // clap gives the device's key, group key and password all together or not at all.
    let device = match (
        &args.device_key,
        &args.device_group_key,
        &args.device_password,
    ) {
        (Some(key), Some(group_key), Some(password)) => Some(RememberedDevice {
            key,
            group_key,
            password,
        }),
        _ => None,
    };
    SrpSignIn {
        user_pool_id,
        client_id: &args.client_id,
        client_secret: args.client_secret.as_deref(),
        username: &args.username,
        password: &args.password,
        device,
    }
}

/// A user pool id is REGION_ID: SRP needs the part after the `_`.
fn user_pool_id(value: &str) -> Result<String, String> {
    if value
        .split_once('_')
        .is_some_and(|(region, id)| !region.is_empty() && !id.is_empty())
    {
        Ok(value.to_string())
    } else {
        Err("expected REGION_ID, such as us-east-1_EXAMPLE".to_string())
    }
}

/// The lines to print for Cognito's last answer: a challenge, or the tokens.
fn report(
    challenge: Option<&ChallengeNameType>,
    session: Option<&str>,
    result: Option<&AuthenticationResultType>,
    args: &Args,
) -> Result<Vec<String>, ExampleError> {
    if let Some(challenge) = challenge {
        return Ok(vec![
            format!("Challenge: {}", challenge.as_str()),
            // Printed in full: the next command needs it.
            format!("Session: {}", session.unwrap_or("")),
            next_step(challenge, args),
        ]);
    }
    match result {
        Some(result) => Ok(example_cli::authentication_result_lines(
            result,
            args.show_tokens,
        )),
        None => Err(ExampleError::new(
            "Cognito answered with neither a challenge nor tokens.",
        )),
    }
}

/// A friendly line saying which command answers the challenge.
fn next_step(challenge: &ChallengeNameType, args: &Args) -> String {
    let secret = if args.client_secret.is_some() {
        " --client-secret SECRET"
    } else {
        ""
    };
    match challenge {
        ChallengeNameType::SoftwareTokenMfa => format!(
            "Next: answer within 3 minutes with a code from the authenticator app: \
             cargo run -p respond-to-auth-challenge -- --client-id {} --username {}{secret} \
             --session SESSION --code 123456",
            args.client_id, args.username
        ),
        ChallengeNameType::MfaSetup => format!(
            "Next: add an authenticator app within 3 minutes, with the session above: \
             cargo run -p associate-software-token -- --username {} --session SESSION",
            args.username
        ),
        ChallengeNameType::NewPasswordRequired => "Next: the user must choose a new password: \
             answer NEW_PASSWORD_REQUIRED with RespondToAuthChallenge \
             (USERNAME and NEW_PASSWORD) and the session above."
            .to_string(),
        other => format!(
            "Next: answer {} with RespondToAuthChallenge and the session above.",
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

    const BASE: [&str; 7] = [
        "initiate-auth",
        "--client-id",
        "client123",
        "--username",
        "alice",
        "--password",
        "Passw0rd!",
    ];

    fn try_args(extra: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(BASE.iter().chain(extra))
    }

    #[test]
    fn srp_needs_the_pool_and_devices_need_srp_and_all_three_values() {
        assert!(try_args(&["--srp"]).is_err());
        assert!(try_args(&["--srp", "--user-pool-id", "us-east-1_p"]).is_ok());
        let device = [
            "--device-key",
            "us-east-1_dev",
            "--device-group-key",
            "-grp",
            "--device-password",
            "pw",
        ];
        assert!(try_args(&device).is_err(), "device sign-in needs --srp");
        let mut with_srp = vec!["--srp", "--user-pool-id", "us-east-1_p"];
        with_srp.extend_from_slice(&device);
        let args = try_args(&with_srp).expect("valid");
        let sign_in = srp_sign_in(&args, "us-east-1_p");
        let device = sign_in.device.expect("device");
        assert_eq!((device.key, device.group_key), ("us-east-1_dev", "-grp"));
        assert!(
            try_args(&[
                "--srp",
                "--user-pool-id",
                "us-east-1_p",
                "--device-key",
                "k"
            ])
            .is_err()
        );
    }

    #[test]
    fn a_malformed_pool_id_is_refused_before_any_call() {
        let err = try_args(&["--srp", "--user-pool-id", "nounderscore"]).unwrap_err();
        assert!(err.to_string().contains("REGION_ID"), "{err}");
        assert!(try_args(&["--srp", "--user-pool-id", "us-east-1_"]).is_err());
    }

    #[test]
    fn a_challenge_prints_its_name_full_session_and_next_command() {
        let args = try_args(&[]).unwrap();
        let session = "AYABeC0ffee".repeat(40);

        let lines = report(
            Some(&ChallengeNameType::SoftwareTokenMfa),
            Some(&session),
            None,
            &args,
        )
        .unwrap();

        assert_eq!(lines[0], "Challenge: SOFTWARE_TOKEN_MFA");
        assert_eq!(lines[1], format!("Session: {session}"));
        assert!(
            lines[2].contains("respond-to-auth-challenge"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn tokens_are_shortened_unless_asked() {
        let result = AuthenticationResultType::builder()
            .access_token("eyJaccess-token-that-is-long-enough")
            .refresh_token("eyJrefresh-token-that-is-long-enough")
            .build();

        let short = report(None, None, Some(&result), &try_args(&[]).unwrap()).unwrap();
        let full = report(
            None,
            None,
            Some(&result),
            &try_args(&["--show-tokens"]).unwrap(),
        )
        .unwrap();

        assert!(
            !short
                .iter()
                .any(|l| l.contains("token-that-is-long-enough"))
        );
        assert!(short.contains(&format!(
            "Access token: {}",
            example_cli::shorten("eyJaccess-token-that-is-long-enough")
        )));
        assert!(full.contains(&"Refresh token: eyJrefresh-token-that-is-long-enough".to_string()));
    }
}
