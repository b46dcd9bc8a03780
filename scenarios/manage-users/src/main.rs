//! The account lifecycle of one user, as an administrator and the user run it:
//!
//! 1. create a user pool (email required) and an app client;
//! 2. the administrator invites the user (AdminCreateUser): Cognito emails
//!    a temporary password;
//! 3. the user signs in with it and answers NEW_PASSWORD_REQUIRED with a
//!    password of their own;
//! 4. the administrator puts them in a group; their refreshed ID and access
//!    tokens list it in `cognito:groups`;
//! 5. the user changes their email address and verifies it with the code
//!    sent to the new one;
//! 6. the user forgets their password and sets a new one with the emailed code;
//! 7. the administrator disables them (sign-in is refused) and enables them;
//! 8. the user's refresh token is revoked: refreshing is refused;
//! 9. everything is deleted: at the end, on failure and on Ctrl-C.
//!
//! ```sh
//! # Against AWS, guided: the person types the temporary password and the
//! # codes from the emails (so use an address you can read):
//! cargo run -p manage-users -- --email you@example.com
//! # Offline, no questions: the emulator's outbox stands in for the inbox.
//! cargo run -p emulator -- cargo run -p manage-users -- --non-interactive
//! ```

mod input;
mod scenario;

use std::process::ExitCode;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// An administrator invites a user, who sets a password, joins a group, changes their email and resets their password; then disabled, enabled, refresh token revoked, all deleted.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Ask nothing: take every answer from flags (or defaults). The invitation and the codes are read from the emulator's outbox, so this needs AWS_ENDPOINT_URL to point at the bundled emulator.
    #[arg(long)]
    non_interactive: bool,
    /// Name of the user pool to create (default: manage-users- and a random suffix).
    #[arg(long)]
    pool_name: Option<String>,
    /// The invited user's username (default: user- and a random suffix).
    #[arg(long)]
    username: Option<String>,
    /// Where the invitation goes (default with --non-interactive: USERNAME@example.com).
    #[arg(long)]
    email: Option<String>,
    /// The email address the user changes to (default with --non-interactive: USERNAME+new@example.com).
    #[arg(long)]
    new_email: Option<String>,
    /// The password the user chooses at their first sign-in (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The password the user sets after forgetting theirs (asked if not given; with --non-interactive made up).
    #[arg(long, env = "NEW_PASSWORD", hide_env_values = true)]
    new_password: Option<String>,
    /// The group the administrator puts the user in.
    #[arg(long, default_value = "editors")]
    group_name: String,
    /// Keep the user pool instead of deleting it at the end.
    #[arg(long, conflicts_with = "yes")]
    keep: bool,
    /// Delete the user pool at the end without asking.
    #[arg(long)]
    yes: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
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
        input::check_name(username).map_err(|p| refuse("username", p))?;
    }
    input::check_name(&args.group_name).map_err(|p| refuse("group-name", p))?;
    for (flag, email) in [("email", &args.email), ("new-email", &args.new_email)] {
        if let Some(email) = email {
            input::check_email(email).map_err(|p| refuse(flag, p))?;
        }
    }
    if let (Some(old), Some(new)) = (&args.email, &args.new_email) {
        if old.eq_ignore_ascii_case(new) {
            return Err(refuse(
                "new-email",
                "The new address must differ from --email.".into(),
            ));
        }
    }
    for (flag, password) in [
        ("password", &args.password),
        ("new-password", &args.new_password),
    ] {
        if password.as_deref() == Some("") {
            return Err(refuse(flag, "The password is empty.".into()));
        }
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
        let config = example_cli::load_config(&args.region).await;
        let endpoint = config.endpoint_url().map(String::from);
        if args.non_interactive && endpoint.is_none() {
            return example_cli::exit_code(Err(ExampleError::new(
                "--non-interactive reads the invitation and the codes from the bundled \
                 emulator's outbox, and AWS_ENDPOINT_URL is not set: run \
                 `cargo run -p emulator -- cargo run -p manage-users -- --non-interactive`, \
                 or leave out --non-interactive to type them from the emails.",
            )));
        }
        let client = aws_sdk_cognitoidentityprovider::Client::new(&config);
        scenario::run(&client, args, endpoint.as_deref()).await
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
        Args::try_parse_from(std::iter::once("manage-users").chain(args.iter().copied()))
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--username",
            "alice",
            "--email",
            "alice@example.com",
            "--new-email",
            "alice@example.org",
            "--password",
            "Correct-Horse-7",
            "--new-password",
            "Correct-Horse-8",
            "--group-name",
            "admins",
            "--yes",
        ])
        .expect("parsed");
        assert!(validate(&args).is_ok());
        assert_eq!(args.group_name, "admins");
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        let args = parse(&["--new-email", "alice"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--new-email: \"alice\" is not an email address."
        );
        let args = parse(&["--group-name", "two words"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--group-name: A name may not contain spaces."
        );
        let args =
            parse(&["--email", "a@example.com", "--new-email", "A@example.com"]).expect("parsed");
        assert!(
            validate(&args)
                .unwrap_err()
                .to_string()
                .starts_with("--new-email: ")
        );
        assert!(parse(&["--keep", "--yes"]).is_err());
    }
}
