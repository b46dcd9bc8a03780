//! Runs the example programs end to end, the way a user would: the real
//! binaries, the real flags, checking what they print, their exit codes, and
//! the state they leave behind (read back through the SDK).
//!
//! Offline (the default) every test starts its own in-process emulator.
//! Live mode runs the same tests against real AWS:
//!
//! ```sh
//! COGNITO_EXAMPLES_LIVE=1 AWS_PROFILE=... AWS_REGION=us-east-1 cargo test -p integration-tests
//! ```
//!
//! Live mode confirms users with AdminConfirmSignUp where offline the tests
//! read the code from the emulator's outbox, and deletes every user pool it
//! created, also when a test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Credentials;
use emulator::Emulator;

#[cfg(test)]
mod snippets;
pub mod trigger_functions;

/// Set to `1` to run against real AWS with your usual credentials.
pub const LIVE_ENV: &str = "COGNITO_EXAMPLES_LIVE";

/// Where the examples under test send their requests.
pub enum Target {
    /// A fresh emulator owned by this test.
    Offline(Emulator),
    /// Real AWS, in the Region the environment names.
    Live { region: String },
}

impl Target {
    /// Offline unless `COGNITO_EXAMPLES_LIVE=1`.
    pub async fn from_env() -> Self {
        if std::env::var(LIVE_ENV).as_deref() == Ok("1") {
            let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
            let region = config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".to_string());
            Target::Live { region }
        } else {
            let emulator = Emulator::start(emulator::Config::default())
                .await
                .expect("start the emulator");
            Target::Offline(emulator)
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, Target::Live { .. })
    }

    pub fn region(&self) -> &str {
        match self {
            Target::Offline(_) => "us-east-1",
            Target::Live { region } => region,
        }
    }

    /// An SDK client aimed where the examples are aimed, for checking state.
    pub async fn client(&self) -> Client {
        match self {
            Target::Offline(emulator) => {
                let config = aws_sdk_cognitoidentityprovider::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new("us-east-1"))
                    .endpoint_url(emulator.endpoint())
                    .credentials_provider(Credentials::for_tests())
                    .build();
                Client::from_conf(config)
            }
            Target::Live { region } => {
                let config = aws_config::defaults(BehaviorVersion::latest())
                    .region(Region::new(region.clone()))
                    .load()
                    .await;
                Client::new(&config)
            }
        }
    }

    /// The configuration the examples run with, for SDK clients of the other
    /// services (DynamoDB, IAM, Lambda, CloudWatch Logs) that check state.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let loader = aws_config::defaults(BehaviorVersion::latest());
        match self {
            Target::Offline(emulator) => {
                loader
                    .region(Region::new("us-east-1"))
                    .endpoint_url(emulator.endpoint())
                    .credentials_provider(Credentials::for_tests())
                    .load()
                    .await
            }
            Target::Live { region } => loader.region(Region::new(region.clone())).load().await,
        }
    }

    /// Runs one example binary with the given flags.
    pub fn run(&self, example: &str, args: &[&str]) -> Run {
        self.run_with_env(example, args, &[])
    }

    /// Runs one example binary with the given flags and extra environment
    /// variables, which override the target's own.
    pub fn run_with_env(&self, example: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = self
            .command(example, args, env)
            .output()
            .unwrap_or_else(|err| panic!("could not start {example}: {err}"));
        Run::new(example, args, output)
    }

    /// The command that [`Target::run_with_env`] runs, for tests that start
    /// an example and interact with it while it runs.
    pub fn command(&self, example: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(example_binary(example));
        command.args(args).env_remove("RUST_LOG");
        if let Target::Offline(emulator) = self {
            // Exactly what a user does to go offline, plus dummy credentials and
            // no profile files, so nothing from this machine leaks in.
            command
                .env("AWS_ENDPOINT_URL", emulator.endpoint())
                .env("AWS_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_CONFIG_FILE", empty_file())
                .env("AWS_SHARED_CREDENTIALS_FILE", empty_file())
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_SESSION_TOKEN");
        }
        command.envs(env.iter().copied());
        command
    }

    /// The confirmation code Cognito sent `username` most recently (offline
    /// only: real AWS emails it).
    pub fn latest_code(&self, username: &str) -> Option<String> {
        match self {
            Target::Offline(emulator) => emulator
                .outbox()
                .into_iter()
                .rev()
                .find(|message| message.username == username)
                .and_then(|message| message.code),
            Target::Live { .. } => None,
        }
    }
}

/// Runs one example binary as a newcomer's machine would: nothing of this
/// machine's AWS setup (every `AWS_*` variable removed, `HOME` and the AWS
/// config and credentials files inside `home`), the EC2 instance metadata
/// service off so nothing is asked beyond this machine, and `env` on top.
/// For the tests of what an example says when its setup is wrong.
pub fn run_in_fresh_home(example: &str, args: &[&str], home: &Path, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(example_binary(example));
    command.args(args).env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&name);
        }
    }
    let aws = home.join(".aws");
    command
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied());
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("could not start {example}: {err}"));
    Run::new(example, args, output)
}

/// A new, empty folder for one test, under the system's temporary folder.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(&format!("{name}-")));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    dir
}

/// An empty AWS config file: offline runs must not pick up this machine's profiles.
fn empty_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join("cognito-examples-empty-aws-config");
        std::fs::write(&path, "").expect("write an empty AWS config file");
        path
    })
}

/// What one run of an example did.
pub struct Run {
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
    pub exit_code: Option<i32>,
}

impl Run {
    fn new(example: &str, args: &[&str], output: Output) -> Self {
        Run {
            command: format!("{example} {}", args.join(" ")),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            success: output.status.success(),
            exit_code: output.status.code(),
        }
    }

    /// Panics with everything the example printed unless it succeeded.
    pub fn expect_success(self) -> Self {
        assert!(
            self.success,
            "`{}` failed (exit {:?})\nstdout:\n{}\nstderr:\n{}",
            self.command, self.exit_code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts the example failed with exit code 1 and exactly one line on
    /// stderr, and returns that line.
    pub fn expect_failure(self) -> String {
        assert!(
            !self.success,
            "`{}` should have failed\nstdout:\n{}",
            self.command, self.stdout
        );
        assert_eq!(self.exit_code, Some(1), "`{}` exit code", self.command);
        let lines: Vec<_> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "`{}` should print one error line, printed:\n{}",
            self.command,
            self.stderr
        );
        lines[0].to_string()
    }

    /// The value printed as `Label: value`, if any.
    pub fn value(&self, label: &str) -> Option<String> {
        let prefix = format!("{label}: ");
        self.stdout
            .lines()
            .find_map(|line| line.trim_start().strip_prefix(&prefix))
            .map(|value| value.trim().to_string())
    }

    /// Like [`Run::value`], but the value must be there.
    pub fn required(&self, label: &str) -> String {
        self.value(label).unwrap_or_else(|| {
            panic!(
                "`{}` printed no `{label}:` line\nstdout:\n{}",
                self.command, self.stdout
            )
        })
    }
}

/// Deletes a user pool when dropped unless [`PoolGuard::deleted`] was
/// called: tests that fail halfway leave nothing behind in a real account.
/// It uses the `delete-user-pool` example itself, synchronously.
pub struct PoolGuard<'a> {
    target: &'a Target,
    user_pool_id: String,
    armed: bool,
}

impl<'a> PoolGuard<'a> {
    pub fn new(target: &'a Target, user_pool_id: &str) -> Self {
        PoolGuard {
            target,
            user_pool_id: user_pool_id.to_string(),
            armed: true,
        }
    }

    /// The test deleted the pool itself.
    pub fn deleted(mut self) {
        self.armed = false;
    }
}

impl Drop for PoolGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let run = self
                .target
                .run("delete-user-pool", &["--user-pool-id", &self.user_pool_id]);
            if !run.success {
                eprintln!(
                    "could not delete user pool {}: {}",
                    self.user_pool_id, run.stderr
                );
            }
        }
    }
}

/// A name no other run has used, for pools and users.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("{prefix}{}", nanos % 10_000_000_000)
}

/// TOTP codes for one secret, each for a later 30-second step than the
/// last, as an authenticator app would produce them over time. Cognito
/// refuses a code for a step it already accepted; it accepts one step of
/// clock drift either side, so the first three codes need no waiting.
/// Offline, a later code moves the emulator's clock forward instead of
/// waiting for real time to pass; against real AWS it waits.
pub struct Authenticator<'a> {
    target: &'a Target,
    secret: String,
    last_step: Option<u64>,
}

impl<'a> Authenticator<'a> {
    pub fn new(target: &'a Target, secret: &str) -> Self {
        Authenticator {
            target,
            secret: secret.to_string(),
            last_step: None,
        }
    }

    /// The time the service checks codes against, in Unix seconds.
    fn service_now(&self) -> u64 {
        match self.target {
            Target::Offline(emulator) => unix_now() + emulator.clock_offset().as_secs(),
            Target::Live { .. } => unix_now(),
        }
    }

    pub fn next_code(&mut self) -> String {
        let now_step = self.service_now() / 30;
        let step = match self.last_step {
            None => now_step.saturating_sub(1),
            Some(last) => (last + 1).max(now_step.saturating_sub(1)),
        };
        // A step more than one ahead of the service's clock would be refused.
        match self.target {
            Target::Offline(emulator) => {
                let earliest = step.saturating_sub(1) * 30;
                let now = self.service_now();
                if now < earliest {
                    emulator.advance_clock(std::time::Duration::from_secs(earliest - now));
                }
            }
            Target::Live { .. } => {
                while self.service_now() / 30 + 1 < step {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
            }
        }
        self.last_step = Some(step);
        totp(&self.secret, step)
    }
}

fn totp(secret_base32: &str, step: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("the secret is base32");
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .expect("a valid TOTP configuration");
    totp.generate(step * 30).to_string()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// The path of an example's binary, building every example binary once per
/// test process first (the same `cargo build` a user's `cargo run` does).
pub fn example_binary(name: &str) -> PathBuf {
    let dir = binaries_dir();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "no binary {}", path.display());
    path
}

fn binaries_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // This test binary lives in target/<profile>/deps/.
        let exe = std::env::current_exe().expect("test binary path");
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .to_path_buf();
        let mut build = Command::new(env!("CARGO"));
        // `--tests` gives the binaries the same dependency features as the
        // `cargo test` that is running (dev-dependencies switch some on), so
        // the dependencies it already built are reused, not built again.
        build.args(["build", "--workspace", "--bins", "--tests", "--quiet"]);
        // Cargo gives this test process the variables it sets for a crate
        // (CARGO_MANIFEST_DIR, CARGO_PKG_NAME ...). Passed on, they reach
        // build scripts that watch them (ring's does, under aws-config),
        // which then rerun and rebuild every example: minutes per test run.
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(set_by_cargo_for_a_crate) {
                build.env_remove(key);
            }
        }
        if dir.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build of the examples failed");
        dir
    })
}

/// Whether `name` is one of the variables Cargo sets when it runs a crate's
/// tests (the Cargo book, "Environment variables Cargo sets for crates"), as
/// opposed to configuration a user sets for Cargo itself.
fn set_by_cargo_for_a_crate(name: &str) -> bool {
    const PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_EXE_"];
    const NAMES: &[&str] = &[
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    PREFIXES.iter().any(|prefix| name.starts_with(prefix)) || NAMES.contains(&name)
}

#[cfg(test)]
mod cargo_environment_tests {
    use super::set_by_cargo_for_a_crate;

    #[test]
    fn the_variables_cargo_sets_for_a_crate_are_not_passed_on() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_MANIFEST_PATH",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_CRATE_NAME",
            "CARGO_BIN_EXE_hello",
            "OUT_DIR",
        ] {
            assert!(set_by_cargo_for_a_crate(name), "{name}");
        }
    }

    #[test]
    fn a_users_cargo_configuration_is_passed_on() {
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_JOBS",
            "PATH",
        ] {
            assert!(!set_by_cargo_for_a_crate(name), "{name}");
        }
    }
}
