//! Keeps an activity log of sign-ins with a Lambda function, the whole way
//! through, creating (and at the end removing) everything it needs:
//!
//! 1. a DynamoDB table of sign-ins (partition key `UserSub`, sort key
//!    `SignedInAt`);
//! 2. an IAM role that Lambda can assume, allowed to put items in that table
//!    and write the function's logs, and nothing else;
//! 3. the Lambda function (the `activity-log-handler` crate), active;
//! 4. a user pool and app client, with the function as PostAuthentication
//!    trigger, and Cognito allowed to invoke it for this pool only;
//! 5. an administrator creates a user (AdminCreateUser without a message,
//!    AdminSetUserPassword permanent);
//! 6. the user signs in a few times; after each sign-in, Cognito calls the
//!    function, which writes a line to the table;
//! 7. the function's log lines, from CloudWatch Logs;
//! 8. the user's sign-ins, read back from the table (Query);
//! 9. everything the scenario created is removed: at the end, on failure and
//!    on Ctrl-C.
//!
//! ```sh
//! # Real AWS: build the function's zip first (pip install cargo-lambda).
//! cargo lambda build --release --output-format zip -p activity-log-handler
//! cargo run -p activity-log
//! # Offline, against the bundled emulator (which runs the function on this
//! # machine): the scenario builds the handler itself.
//! cargo run -p emulator -- cargo run -p activity-log -- --non-interactive
//! ```

mod scenario;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Logs every sign-in to a DynamoDB table with a PostAuthentication Lambda trigger.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Ask nothing: take every answer from flags (or defaults).
    #[arg(long)]
    non_interactive: bool,
    /// The function's zip, with the `bootstrap` executable at its root (from `cargo lambda build --release --output-format zip -p activity-log-handler`). Default: the zip cargo-lambda left in this source tree's target/lambda/, or --build-handler when AWS_ENDPOINT_URL is set.
    #[arg(long, value_name = "PATH", conflicts_with = "build_handler")]
    zip: Option<PathBuf>,
    /// Build the handler with a plain `cargo build` and zip it as `bootstrap`. Only for the bundled emulator, which runs it on this machine; Lambda needs a cargo-lambda build. The default when AWS_ENDPOINT_URL is set and --zip is not given.
    #[arg(long)]
    build_handler: bool,
    /// The username of the user the administrator creates (default: asked, or ana).
    #[arg(long, value_name = "USERNAME")]
    username: Option<String>,
    /// Their email address (default: USERNAME@example.com). Nothing is sent to it.
    #[arg(long, value_name = "EMAIL")]
    email: Option<String>,
    /// Their password (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// How many times the user signs in.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    sign_ins: u32,
    /// Keep what the scenario created instead of removing it at the end (it prints how to remove it later).
    #[arg(long)]
    keep: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// Checks what clap cannot: the values themselves, before anything is created.
fn validate(args: &Args) -> Result<(), ExampleError> {
    if let Some(username) = &args.username {
        trigger_deployment::input::check_username(username)
            .map_err(|problem| ExampleError::new(format!("--username: {problem}")))?;
    }
    if let Some(email) = &args.email {
        trigger_deployment::input::check_email(email)
            .map_err(|problem| ExampleError::new(format!("--email: {problem}")))?;
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
        Args::try_parse_from(std::iter::once("activity-log").chain(args.iter().copied()))
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--build-handler",
            "--username",
            "bea",
            "--email",
            "bea@example.org",
            "--password",
            "Correct-Horse-7",
            "--sign-ins",
            "5",
        ])
        .expect("parsed");
        assert!(args.non_interactive && args.build_handler);
        assert_eq!(args.sign_ins, 5);
        assert!(validate(&args).is_ok());
        assert_eq!(parse(&[]).expect("parsed").sign_ins, 3);
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        assert!(parse(&["--sign-ins", "0"]).is_err());
        assert!(parse(&["--sign-ins", "21"]).is_err());
        assert!(parse(&["--zip", "bootstrap.zip", "--build-handler"]).is_err());

        let args = parse(&["--username", "b e a"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--username: A username may not contain spaces."
        );
        let args = parse(&["--email", "bea"]).expect("parsed");
        assert_eq!(
            validate(&args).unwrap_err().to_string(),
            "--email: \"bea\" is not an email address."
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
