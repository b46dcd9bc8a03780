//! Migrates users from a legacy directory into a user pool with a Lambda
//! function, the first time each of them needs it, creating (and at the end
//! removing) everything it needs:
//!
//! 1. a DynamoDB table that plays the legacy directory: a few users, each
//!    with an email address and a salted password hash;
//! 2. an IAM role that Lambda can assume, allowed to read that table and
//!    write the function's logs, and nothing else;
//! 3. the Lambda function (the `migrate-legacy-users-handler` crate), active;
//! 4. a user pool and app client, with the function as UserMigration
//!    trigger, and Cognito allowed to invoke it for this pool only;
//! 5. the pool has no users yet;
//! 6. a legacy user signs in with their old password: the function finds
//!    them, Cognito creates them CONFIRMED and signs them in;
//! 7. another legacy user has forgotten their password: ForgotPassword
//!    migrates them, the code goes to their email, they choose a new
//!    password and sign in;
//! 8. someone who is not in the legacy directory is refused;
//! 9. the function's log lines, from CloudWatch Logs;
//! 10. everything the scenario created is removed: at the end, on failure
//!     and on Ctrl-C.
//!
//! ```sh
//! # Real AWS: build the function's zip first (pip install cargo-lambda).
//! cargo lambda build --release --output-format zip -p migrate-legacy-users-handler
//! cargo run -p migrate-legacy-users
//! # Offline, against the bundled emulator (which runs the function on this
//! # machine, and whose outbox stands in for the email inbox).
//! cargo run -p emulator -- cargo run -p migrate-legacy-users -- --non-interactive
//! ```

mod scenario;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use trigger_deployment::input::{check_email, check_username};

/// Migrates users of a legacy directory into a user pool with a UserMigration Lambda trigger.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Ask nothing: take every answer from flags (or defaults). The reset code is read from the emulator's outbox, so this needs AWS_ENDPOINT_URL to point at the bundled emulator.
    #[arg(long)]
    non_interactive: bool,
    /// The function's zip, with the `bootstrap` executable at its root (from `cargo lambda build --release --output-format zip -p migrate-legacy-users-handler`). Default: the zip cargo-lambda left in this source tree's target/lambda/, or --build-handler when AWS_ENDPOINT_URL is set.
    #[arg(long, value_name = "PATH", conflicts_with = "build_handler")]
    zip: Option<PathBuf>,
    /// Build the handler with a plain `cargo build` and zip it as `bootstrap`. Only for the bundled emulator, which runs it on this machine; Lambda needs a cargo-lambda build. The default when AWS_ENDPOINT_URL is set and --zip is not given.
    #[arg(long)]
    build_handler: bool,
    /// The password the legacy users had in the old system, hashed into the table (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "OLD_PASSWORD", hide_env_values = true)]
    old_password: Option<String>,
    /// The legacy user who signs in with their old password (step 6).
    #[arg(long, value_name = "USERNAME", default_value = scenario::SIGNS_IN)]
    user: String,
    /// The legacy user who has forgotten their password (step 7).
    #[arg(long, value_name = "USERNAME", default_value = scenario::FORGOT)]
    forgetful_user: String,
    /// The forgetful user's email address in the legacy directory, where Cognito sends the reset code (default: USERNAME@example.com, which nobody reads).
    #[arg(long, value_name = "EMAIL")]
    forgetful_email: Option<String>,
    /// The new password the forgetful user chooses (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "NEW_PASSWORD", hide_env_values = true)]
    new_password: Option<String>,
    /// Someone who is not in the legacy directory and is refused (step 8).
    #[arg(long, value_name = "USERNAME", default_value = scenario::STRANGER)]
    stranger: String,
    /// Keep what the scenario created instead of removing it at the end (it prints how to remove it later).
    #[arg(long)]
    keep: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// Checks what clap cannot: the values themselves, before anything is created.
fn validate(args: &Args) -> Result<(), ExampleError> {
    let legacy = scenario::legacy_usernames();
    for (flag, name) in [
        ("--user", &args.user),
        ("--forgetful-user", &args.forgetful_user),
    ] {
        if !legacy.contains(&name.as_str()) {
            return Err(ExampleError::new(format!(
                "{flag}: {name:?} is not in the legacy directory; choose one of: {}.",
                legacy.join(", ")
            )));
        }
    }
    if args.user == args.forgetful_user {
        return Err(ExampleError::new(
            "--forgetful-user: give another legacy user than --user (each is migrated once).",
        ));
    }
    if legacy.contains(&args.stranger.as_str()) {
        return Err(ExampleError::new(format!(
            "--stranger: {} is in the legacy directory; give a name that is not.",
            args.stranger
        )));
    }
    check_username(&args.stranger)
        .map_err(|problem| ExampleError::new(format!("--stranger: {problem}")))?;
    if let Some(email) = &args.forgetful_email {
        check_email(email)
            .map_err(|problem| ExampleError::new(format!("--forgetful-email: {problem}")))?;
    }
    for (flag, password) in [
        ("--old-password", &args.old_password),
        ("--new-password", &args.new_password),
    ] {
        if password.as_deref() == Some("") {
            return Err(ExampleError::new(format!("{flag}: The password is empty.")));
        }
    }
    if let Some(zip) = &args.zip {
        if !zip.is_file() {
            return Err(ExampleError::new(format!(
                "--zip: There is no file {}.",
                zip.display()
            )));
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
                "--non-interactive reads the password reset code from the bundled emulator's \
                 outbox, and AWS_ENDPOINT_URL is not set: run without --non-interactive to \
                 type the code from the email.",
            )));
        }
        let clients = trigger_deployment::steps::Clients::new(&config);
        scenario::run(clients, args, endpoint).await
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
        Args::try_parse_from(std::iter::once("migrate-legacy-users").chain(args.iter().copied()))
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--build-handler",
            "--old-password",
            "Old-Secret-1",
            "--user",
            "carlos",
            "--forgetful-user",
            "bella",
            "--new-password",
            "New-Secret-2",
            "--stranger",
            "erin",
        ])
        .expect("parsed");
        assert!(args.non_interactive && args.build_handler);
        assert!(validate(&args).is_ok());
        assert!(validate(&parse(&[]).expect("parsed")).is_ok());
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        let err = |args: &[&str]| {
            validate(&parse(args).expect("parsed"))
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(&["--user", "mallory"]).starts_with("--user: \"mallory\" is not in the legacy"),
            "{}",
            err(&["--user", "mallory"])
        );
        assert!(
            err(&["--forgetful-user", "bella", "--user", "bella"]).starts_with("--forgetful-user:")
        );
        assert!(err(&["--stranger", "bella"]).starts_with("--stranger: bella is in the legacy"));
        assert_eq!(
            err(&["--stranger", "mal lory"]),
            "--stranger: A username may not contain spaces."
        );
        assert_eq!(
            err(&["--new-password", ""]),
            "--new-password: The password is empty."
        );
        assert!(
            err(&["--zip", "/nonexistent/bootstrap.zip"]).starts_with("--zip: There is no file")
        );
        assert_eq!(
            err(&["--forgetful-email", "carlos"]),
            "--forgetful-email: \"carlos\" is not an email address."
        );
        assert!(parse(&["--zip", "b.zip", "--build-handler"]).is_err());
    }
}
