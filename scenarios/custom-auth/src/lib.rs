//! A custom sign-in (`CUSTOM_AUTH`) through three Lambda trigger functions,
//! the whole way through, creating (and at the end removing) everything it
//! needs. The Rust counterpart of the AWS SDK for JavaScript's
//! `custom-auth-example.js` (Amplify with `authenticationFlowType:
//! CUSTOM_AUTH`):
//!
//! 1. a user pool, and an app client that allows `CUSTOM_AUTH` and SRP;
//! 2. one IAM role for the functions, allowed to write their logs and
//!    nothing else (they call no other service);
//! 3. four Lambda functions from `scenarios/lambda-triggers/`:
//!    `auth-challenge-define`, `auth-challenge-create`,
//!    `auth-challenge-verify` and `sign-up-pre-auto-confirm-verify`;
//! 4. Cognito allowed to invoke them for this pool only, and all four made
//!    the pool's triggers in one UpdateUserPool that keeps its settings;
//! 5. a user signs up: the PreSignUp function confirms them, no code;
//! 6. the user signs in: SRP proves the password (`PASSWORD_VERIFIER`),
//!    then a captcha (answer `5`), then a security question (answer
//!    `Peccy`), each challenge chosen by the functions; then the tokens. A
//!    wrong answer ends the sign-in (`NotAuthorizedException`);
//! 7. everything the scenario created is removed: at the end, on failure
//!    and on Ctrl-C.
//!
//! ```sh
//! # Offline, against the bundled emulator (which runs the functions on
//! # this machine): the scenario builds them itself.
//! cargo run -p emulator -- cargo run -p custom-auth -- --non-interactive
//! # Real AWS: build the functions' zips first (pip install cargo-lambda).
//! cargo lambda build --release --output-format zip -p auth-challenge-define \
//!   -p auth-challenge-create -p auth-challenge-verify -p sign-up-pre-auto-confirm-verify
//! cargo run -p custom-auth
//! ```

pub mod scenario;
pub mod triggers;

use std::path::PathBuf;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use trigger_deployment::handler_zip;

/// The username signed up and signed in, unless `--username`.
pub const USERNAME: &str = "alice";
/// The answers the CreateAuthChallenge function expects.
pub const CAPTCHA_ANSWER: &str = "5";
pub const SECURITY_ANSWER: &str = "Peccy";

/// Signs a user in through three Lambda trigger functions (CUSTOM_AUTH): SRP, a captcha, a security question.
#[derive(Debug, Parser)]
#[command(name = "custom-auth", version, about)]
pub struct Args {
    /// Ask nothing: take every answer from flags (or their defaults).
    #[arg(long)]
    pub non_interactive: bool,
    /// The user who signs up and signs in (default: asked, or alice).
    #[arg(long)]
    pub username: Option<String>,
    /// The user's password (asked if not given; with --non-interactive a random one is made up and never shown).
    #[arg(long, env = "PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The user's email address (default: asked, or USERNAME@example.com). No code is sent: the PreSignUp function confirms the user.
    #[arg(long)]
    pub email: Option<String>,
    /// With --non-interactive: the answer to the captcha. The function expects 5; anything else shows the sign-in refused.
    #[arg(long, value_name = "ANSWER", default_value = CAPTCHA_ANSWER)]
    pub captcha_answer: String,
    /// With --non-interactive: the answer to the security question. The function expects Peccy; anything else shows the sign-in refused.
    #[arg(long, value_name = "ANSWER", default_value = SECURITY_ANSWER)]
    pub security_answer: String,
    /// The folder where cargo-lambda left the functions' zips, one PACKAGE/bootstrap.zip per function (from `cargo lambda build --release --output-format zip -p ...`). Default: target/lambda/ of this source tree, or --build-handlers when AWS_ENDPOINT_URL is set.
    #[arg(long, value_name = "DIR", conflicts_with = "build_handlers")]
    pub lambda_dir: Option<PathBuf>,
    /// Build the four functions with a plain `cargo build` and zip each as `bootstrap`. Only for the bundled emulator, which runs them on this machine; Lambda needs cargo-lambda builds. The default when AWS_ENDPOINT_URL is set and --lambda-dir is not given.
    #[arg(long)]
    pub build_handlers: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    pub show_tokens: bool,
    #[command(flatten)]
    pub region: RegionArg,
}

/// Checks what clap cannot: the values themselves, before anything is created.
pub fn validate(args: &Args) -> Result<(), ExampleError> {
    if let Some(username) = &args.username {
        check_username(username).map_err(|problem| flag_error("--username", &problem))?;
    }
    if let Some(email) = &args.email {
        check_email(email).map_err(|problem| flag_error("--email", &problem))?;
    }
    if args.password.as_deref() == Some("") {
        return Err(ExampleError::new("--password: The password is empty."));
    }
    check_answer(&args.captcha_answer)
        .map_err(|problem| flag_error("--captcha-answer", &problem))?;
    check_answer(&args.security_answer)
        .map_err(|problem| flag_error("--security-answer", &problem))?;
    if let Some(dir) = &args.lambda_dir {
        for function in &triggers::FUNCTIONS {
            let zip = lambda_dir_zip(dir, function.package);
            if !zip.is_file() {
                return Err(ExampleError::new(format!(
                    "--lambda-dir: There is no {}. Build it with: {}",
                    zip.display(),
                    handler_zip::cargo_lambda_command(function.package)
                )));
            }
        }
    }
    Ok(())
}

/// Where cargo-lambda leaves `package`'s zip under `dir` (its `target/lambda/`).
pub fn lambda_dir_zip(dir: &std::path::Path, package: &str) -> PathBuf {
    dir.join(package).join("bootstrap.zip")
}

fn flag_error(flag: &str, problem: &str) -> ExampleError {
    ExampleError::new(format!("{flag}: {problem}"))
}

/// A username: 1 to 128 characters, no spaces or control characters.
pub fn check_username(username: &str) -> Result<(), String> {
    if username.is_empty() || username.chars().count() > 128 {
        return Err("A username has 1 to 128 characters.".into());
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("A username may not contain spaces.".into());
    }
    Ok(())
}

/// An email address: something before one `@`, and a domain with a dot.
pub fn check_email(email: &str) -> Result<(), String> {
    let problem = || Err(format!("{email:?} is not an email address."));
    let Some((local, domain)) = email.split_once('@') else {
        return problem();
    };
    let domain_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty()
        || domain.contains('@')
        || !domain_ok
        || email.chars().any(char::is_whitespace)
    {
        return problem();
    }
    Ok(())
}

/// An answer to a custom challenge: not empty (Cognito refuses an empty
/// `ANSWER`).
pub fn check_answer(answer: &str) -> Result<(), String> {
    if answer.trim().is_empty() {
        return Err("The answer is empty.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("custom-auth").chain(args.iter().copied()))
    }

    #[test]
    fn the_answers_default_to_the_right_ones() {
        let args = parse(&["--non-interactive"]).expect("parsed");
        assert_eq!(args.captcha_answer, "5");
        assert_eq!(args.security_answer, "Peccy");
        assert!(validate(&args).is_ok());
    }

    #[test]
    fn every_answer_can_come_from_flags() {
        let args = parse(&[
            "--non-interactive",
            "--build-handlers",
            "--username",
            "bob",
            "--password",
            "Correct-Horse-7",
            "--email",
            "bob@example.org",
            "--captcha-answer",
            "6",
            "--security-answer",
            "Tux",
        ])
        .expect("parsed");
        assert!(args.non_interactive && args.build_handlers);
        assert_eq!(args.username.as_deref(), Some("bob"));
        assert_eq!(
            (args.captcha_answer.as_str(), args.security_answer.as_str()),
            ("6", "Tux")
        );
        assert!(validate(&args).is_ok());
    }

    #[test]
    fn a_lambda_dir_and_building_the_handlers_exclude_each_other() {
        assert!(parse(&["--lambda-dir", "target/lambda", "--build-handlers"]).is_err());
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        let err = |args: &[&str]| {
            validate(&parse(args).expect("parsed"))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&["--username", "al ice"]),
            "--username: A username may not contain spaces."
        );
        assert_eq!(
            err(&["--email", "alice"]),
            "--email: \"alice\" is not an email address."
        );
        assert_eq!(
            err(&["--captcha-answer", " "]),
            "--captcha-answer: The answer is empty."
        );
        assert_eq!(
            err(&["--security-answer", ""]),
            "--security-answer: The answer is empty."
        );
        assert_eq!(
            err(&["--password", ""]),
            "--password: The password is empty."
        );
        let missing = err(&["--lambda-dir", "/nonexistent/lambda"]);
        assert!(
            missing.starts_with(
                "--lambda-dir: There is no /nonexistent/lambda/auth-challenge-define/bootstrap.zip."
            ),
            "{missing}"
        );
        assert!(
            missing.contains(
                "cargo lambda build --release --output-format zip -p auth-challenge-define"
            ),
            "{missing}"
        );
    }

    #[test]
    fn usernames_and_emails() {
        assert!(check_username(USERNAME).is_ok());
        assert!(check_username("").is_err());
        assert!(check_username(&"a".repeat(129)).is_err());
        assert!(check_email("alice@example.com").is_ok());
        assert!(check_email("alice@example").is_err());
        assert!(check_email("@example.com").is_err());
    }
}
