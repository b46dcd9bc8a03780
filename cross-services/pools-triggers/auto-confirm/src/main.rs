//! Automatically confirms known users with a Lambda function, the whole way
//! through, creating (and at the end removing) everything it needs:
//!
//! 1. a DynamoDB table of known users (`UserEmail`, `UserName`) with a few
//!    users in it;
//! 2. an IAM role that Lambda can assume, allowed to read that table and
//!    write the function's logs, and nothing else;
//! 3. the Lambda function (the `auto-confirm-handler` crate), active;
//! 4. a user pool and app client, with the function as PreSignUp trigger,
//!    and Cognito allowed to invoke it for this pool only;
//! 5. a known user signs up: the function finds them in the table and the
//!    user is confirmed without any code;
//! 6. the function's log lines, from CloudWatch Logs;
//! 7. the user signs in;
//! 8. someone not in the table signs up: UNCONFIRMED, a code is sent;
//! 9. the signed-in user deletes themself (if you agree);
//! 10. everything the scenario created is removed: at the end, on failure
//!     and on Ctrl-C.
//!
//! ```sh
//! # Real AWS: build the function's zip first (pip install cargo-lambda).
//! cargo lambda build --release --output-format zip -p auto-confirm-handler
//! cargo run -p auto-confirm
//! # Offline, against the bundled emulator (which runs the function on this
//! # machine): the scenario builds the handler itself.
//! AWS_ENDPOINT_URL=http://127.0.0.1:4566 cargo run -p auto-confirm -- --non-interactive
//! ```

mod scenario;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Auto-confirms known users with a PreSignUp Lambda trigger that reads a DynamoDB table.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Ask nothing: take every answer from flags (or defaults) and delete the signed-in user at step 9.
    #[arg(long)]
    non_interactive: bool,
    /// The function's zip, with the `bootstrap` executable at its root (from `cargo lambda build --release --output-format zip -p auto-confirm-handler`). Default: the zip cargo-lambda left in this source tree's target/lambda/, or --build-handler when AWS_ENDPOINT_URL is set.
    #[arg(long, value_name = "PATH", conflicts_with = "build_handler")]
    zip: Option<PathBuf>,
    /// Build the handler with a plain `cargo build` and zip it as `bootstrap`. Only for the bundled emulator, which runs it on this machine; Lambda needs a cargo-lambda build. The default when AWS_ENDPOINT_URL is set and --zip is not given.
    #[arg(long)]
    build_handler: bool,
    /// The known user who signs up: one of the usernames in the table (default: asked, or the first).
    #[arg(long, value_name = "USERNAME")]
    user: Option<String>,
    /// The known user's password (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The username of someone who is not in the table, signed up at step 8.
    #[arg(long, value_name = "USERNAME", default_value = scenario::OTHER_USERNAME)]
    other_username: String,
    /// That person's email address: Cognito sends them a confirmation code (default: USERNAME@example.com).
    #[arg(long, value_name = "EMAIL")]
    other_email: Option<String>,
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
    if let Some(user) = &args.user {
        if scenario::known_user(user).is_none() {
            return Err(ExampleError::new(format!(
                "--user: {user:?} is not in the table of known users; choose one of: {}.",
                scenario::known_usernames().join(", ")
            )));
        }
    }
    if scenario::known_user(&args.other_username).is_some() {
        return Err(ExampleError::new(format!(
            "--other-username: {} is a known user; give a name that is not in the table.",
            args.other_username
        )));
    }
    trigger_deployment::input::check_username(&args.other_username)
        .map_err(|problem| ExampleError::new(format!("--other-username: {problem}")))?;
    if let Some(email) = &args.other_email {
        trigger_deployment::input::check_email(email)
            .map_err(|problem| ExampleError::new(format!("--other-email: {problem}")))?;
    }
    if args.password.as_deref() == Some("") {
        return Err(ExampleError::new("--password: The password is empty."));
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
        scenario::run(trigger_deployment::steps::Clients::new(&config), args).await
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
        Args::try_parse_from(std::iter::once("auto-confirm").chain(args.iter().copied()))
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--build-handler",
            "--user",
            "bob",
            "--password",
            "Correct-Horse-7",
            "--other-username",
            "erin",
            "--other-email",
            "erin@example.org",
        ])
        .expect("parsed");
        assert!(args.non_interactive && args.build_handler);
        assert_eq!(args.user.as_deref(), Some("bob"));
        assert!(validate(&args).is_ok());
    }

    #[test]
    fn a_zip_and_building_the_handler_exclude_each_other() {
        assert!(parse(&["--zip", "bootstrap.zip", "--build-handler"]).is_err());
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        let args = parse(&["--user", "mallory"]).expect("parsed");
        let err = validate(&args).unwrap_err().to_string();
        assert!(
            err.starts_with("--user: \"mallory\" is not in the table"),
            "{err}"
        );
        assert!(err.contains("alice"), "{err}");

        let args = parse(&["--other-username", "alice"]).expect("parsed");
        assert!(
            validate(&args)
                .unwrap_err()
                .to_string()
                .starts_with("--other-username: alice is a known user")
        );

        let args = parse(&["--other-email", "dave"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--other-email: \"dave\" is not an email address."
        );

        let args = parse(&["--zip", "/nonexistent/bootstrap.zip"]).expect("parsed");
        assert!(
            validate(&args)
                .unwrap_err()
                .to_string()
                .starts_with("--zip: There is no file")
        );
    }
}
