//! Signs a user up with a user pool that requires MFA, the whole way through:
//!
//! 1. create a user pool that requires MFA by authenticator app and tracks
//!    devices, and an app client (or use the ones given with flags);
//! 2. sign a user up (a password that breaks the pool's policy is asked again);
//! 3. confirm the user with the emailed code (with an offer to resend it);
//! 4. list the pool's users and show the new one;
//! 5. sign in: Cognito asks to set up MFA, so add an authenticator app
//!    (QR code in the terminal) and verify a code from it;
//! 6. sign in again with a code from the app: tokens and a new device;
//! 7. remember the device (ConfirmDevice), then sign in with SRP from it:
//!    no MFA code needed;
//! 8. clean up what the scenario created: at the end, on failure and on Ctrl-C.
//!
//! ```sh
//! # Guided, with questions:
//! cargo run -p sign-up-with-mfa
//! # For automation: every answer from flags, the user confirmed with
//! # AdminConfirmSignUp and the TOTP codes computed from the secret:
//! cargo run -p sign-up-with-mfa -- --non-interactive
//! PASSWORD='Correct-Horse-7' cargo run -p sign-up-with-mfa -- --non-interactive \
//!     --username alice --email alice@example.com --keep
//! ```
//!
//! Every call comes from the single-action examples under `actions/`.

mod input;
mod scenario;

use std::process::ExitCode;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Signs a user up with a user pool that requires MFA: confirmation, an authenticator app, a remembered device.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Ask nothing: take every answer from flags (or defaults), confirm the user with AdminConfirmSignUp instead of the emailed code, and compute TOTP codes from the secret instead of an authenticator app.
    #[arg(long)]
    non_interactive: bool,
    /// Use this existing user pool instead of creating one (give --client-id too). It must require MFA with authenticator apps; only the user the scenario signs up is deleted at the end.
    #[arg(long, requires = "client_id")]
    user_pool_id: Option<String>,
    /// The app client of --user-pool-id to use. It must allow ADMIN_USER_PASSWORD_AUTH and USER_SRP_AUTH.
    #[arg(long, requires = "user_pool_id")]
    client_id: Option<String>,
    /// The secret of the app client given with --client-id, if it has one.
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Name of the user pool to create (default: sign-up-with-mfa- and a random suffix, new for every run).
    #[arg(long, conflicts_with = "user_pool_id")]
    pool_name: Option<String>,
    /// The new user's username (default: user- and a random suffix).
    #[arg(long)]
    username: Option<String>,
    /// The new user's password (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The new user's email address, where Cognito sends the confirmation code (default with --non-interactive: USERNAME@example.com).
    #[arg(long)]
    email: Option<String>,
    /// Keep what the scenario created instead of deleting it at the end.
    #[arg(long, conflicts_with = "yes")]
    keep: bool,
    /// Delete what the scenario created at the end without asking.
    #[arg(long)]
    yes: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    /// Print the TOTP secret and the device password in full (the TOTP secret is always shown in full when you are asked to type it into an app).
    #[arg(long)]
    show_secret: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// Checks what clap cannot: the values themselves, before anything is created.
fn validate(args: &Args) -> Result<(), ExampleError> {
    let refuse = |flag: &str, problem: String| ExampleError::new(format!("--{flag}: {problem}"));
    if let Some(name) = &args.pool_name {
        input::check_pool_name(name).map_err(|p| refuse("pool-name", p))?;
    }
    if let Some(username) = &args.username {
        input::check_username(username).map_err(|p| refuse("username", p))?;
    }
    if let Some(email) = &args.email {
        input::check_email(email).map_err(|p| refuse("email", p))?;
    }
    if args.password.as_deref() == Some("") {
        return Err(refuse("password", "The password is empty.".into()));
    }
    if args.client_secret.is_some() && args.client_id.is_none() {
        return Err(ExampleError::new(
            "--client-secret (or CLIENT_SECRET) is the secret of the app client given with \
             --client-id; the app client the scenario creates has none.",
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    if let Err(err) = validate(&args) {
        return example_cli::exit_code(Err(err));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            return example_cli::exit_code(Err(ExampleError::new(format!(
                "Cannot start the async runtime: {err}"
            ))));
        }
    };
    let code = runtime.block_on(async {
        let client = example_cli::cognito_client(&args.region).await;
        scenario::run(&client, args).await
    });
    // A question abandoned on SIGINT still waits for a key on its own thread:
    // leave without waiting for it.
    runtime.shutdown_background();
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("sign-up-with-mfa").chain(args.iter().copied()))
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--username",
            "alice",
            "--password",
            "Correct-Horse-7",
            "--email",
            "alice@example.com",
            "--keep",
        ])
        .expect("parsed");
        assert!(args.non_interactive && args.keep && !args.yes);
        assert_eq!(args.username.as_deref(), Some("alice"));
        assert!(validate(&args).is_ok());
    }

    #[test]
    fn an_existing_pool_needs_its_client_and_the_other_way_round() {
        assert!(parse(&["--user-pool-id", "us-east-1_x"]).is_err());
        assert!(parse(&["--client-id", "abc"]).is_err());
        let both = parse(&["--user-pool-id", "us-east-1_x", "--client-id", "abc"]).expect("parsed");
        assert!(validate(&both).is_ok());
    }

    #[test]
    fn keep_and_yes_contradict_each_other() {
        assert!(parse(&["--keep", "--yes"]).is_err());
    }

    #[test]
    fn a_pool_name_makes_no_sense_with_an_existing_pool() {
        assert!(
            parse(&[
                "--user-pool-id",
                "us-east-1_x",
                "--client-id",
                "abc",
                "--pool-name",
                "p"
            ])
            .is_err()
        );
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        let args = parse(&["--email", "alice"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--email: \"alice\" is not an email address."
        );
        let args = parse(&["--username", "alice smith"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--username: A username may not contain spaces."
        );
        let args = parse(&["--pool-name", "a/b"]).expect("parsed");
        assert!(
            validate(&args)
                .unwrap_err()
                .to_string()
                .starts_with("--pool-name: ")
        );
    }

    #[test]
    fn a_client_secret_needs_the_client_it_belongs_to() {
        let args = parse(&["--client-secret", "s3cr3t"]).expect("parsed");
        assert!(
            validate(&args)
                .unwrap_err()
                .to_string()
                .contains("--client-id")
        );
    }
}
