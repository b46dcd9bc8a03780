//! Remembers the device a user just signed in from (ConfirmDevice): makes up
//! a random device password, gives Cognito only its SRP verifier and salt,
//! and keeps what the device needs to sign in with it later.
//!
//! Cognito never sees the device password and cannot give it back, so it is
//! written, before Cognito is asked, to a file only you can read (refusing to
//! overwrite one), or printed with `--show-secret`.
//!
//! ```sh
//! # The device key and group key come from the sign-in's `Device key:` and
//! # `Device group key:` lines; the access token from the same sign-in.
//! cargo run -p confirm-device -- --access-token "$ACCESS_TOKEN" \
//!     --device-key us-east-1_0000example --device-group-key -abcdEXAMPLE
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Remembers the device a user signed in from, with an SRP password verifier (ConfirmDevice).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The access token from the sign-in that returned the device key.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// The device key from the sign-in (NewDeviceMetadata).
    #[arg(long)]
    device_key: String,
    /// The device group key from the sign-in (NewDeviceMetadata); it often starts with '-'.
    #[arg(long, allow_hyphen_values = true)]
    device_group_key: String,
    /// A name for the device that the user will recognise, such as "Alice's laptop".
    #[arg(long)]
    device_name: Option<String>,
    /// Where to keep the device key, group key and password, readable by you only; it must not exist yet (default: device-DEVICE_KEY.env here).
    #[arg(long, value_name = "PATH")]
    secrets_file: Option<PathBuf>,
    /// Print the device password instead of writing it to a file.
    #[arg(long, conflicts_with = "secrets_file")]
    show_secret: bool,
    #[command(flatten)]
    region: RegionArg,
}

impl Args {
    /// The file the device's secrets go to, unless they are printed.
    fn secrets_path(&self) -> Option<PathBuf> {
        if self.show_secret {
            return None;
        }
        Some(
            self.secrets_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("device-{}.env", self.device_key))),
        )
    }
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    let secrets = confirm_device::new_device_secrets(&args.device_group_key, &args.device_key);
    // Kept before Cognito is asked: once it has the verifier, a password
    // that is not kept is lost for good.
    let kept_in = match args.secrets_path() {
        Some(path) => {
            write_secrets(&path, &args, &secrets.password)?;
            Some(path)
        }
        None => None,
    };
    let confirmed = confirm_device::confirm_device(
        client,
        &args.access_token,
        &args.device_key,
        secrets.verifier_config,
        args.device_name.as_deref(),
    )
    .await;
    let output = match confirmed {
        Ok(output) => output,
        Err(err) => {
            // Cognito did not take the verifier: the file's password is of no use.
            if let Some(path) = &kept_in {
                let _ = std::fs::remove_file(path);
            }
            return Err(err.into());
        }
    };
    let password = match &kept_in {
        Some(path) => Kept::InFile(path),
        None => Kept::Shown(&secrets.password),
    };
    for line in report(output.user_confirmation_necessary(), password, &args) {
        println!("{line}");
    }
    Ok(())
}

/// Where the device password went.
#[derive(Debug, Clone, Copy)]
enum Kept<'a> {
    /// Written to this file.
    InFile(&'a Path),
    /// To be printed (`--show-secret`).
    Shown(&'a str),
}

/// Writes the device's key, group key and password to a new file that only
/// its owner can read, as shell variables (`. FILE` sets them; initiate-auth
/// reads `DEVICE_PASSWORD` from the environment).
/// Refuses a file that already exists.
fn write_secrets(path: &Path, args: &Args, password: &str) -> Result<(), ExampleError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|err| {
        let why = if err.kind() == std::io::ErrorKind::AlreadyExists {
            "it already exists (choose another --secrets-file, or move the old one away)"
                .to_string()
        } else {
            err.to_string()
        };
        ExampleError::new(format!(
            "Cannot write the device's secrets to {}: {why}. Nothing was sent to Cognito.",
            path.display()
        ))
    })?;
    let contents = format!(
        "# A device remembered by confirm-device. Cognito cannot give DEVICE_PASSWORD back.\n\
         export DEVICE_KEY={}\nexport DEVICE_GROUP_KEY={}\nexport DEVICE_PASSWORD={}\n",
        shell_quoted(&args.device_key),
        shell_quoted(&args.device_group_key),
        shell_quoted(password)
    );
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|err| {
            let _ = std::fs::remove_file(path);
            ExampleError::new(format!(
                "Cannot write the device's secrets to {}: {err}. Nothing was sent to Cognito.",
                path.display()
            ))
        })
}

/// `value` in single quotes, for a POSIX shell.
fn shell_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The lines to print: whether the user must still confirm, and what the device keeps.
fn report(user_confirmation_necessary: bool, password: Kept<'_>, args: &Args) -> Vec<String> {
    let mut lines = vec![format!(
        "User confirmation necessary: {user_confirmation_necessary}"
    )];
    if user_confirmation_necessary {
        lines.push(
            "The user must still choose to remember this device \
             (UpdateDeviceStatus with DeviceRememberedStatus=remembered)."
                .into(),
        );
    }
    lines.push(format!("Device key: {}", args.device_key));
    lines.push(format!("Device group key: {}", args.device_group_key));
    let next = "cargo run -p initiate-auth -- --srp --user-pool-id POOL --client-id CLIENT \
                --username USER";
    match password {
        Kept::InFile(path) => {
            lines.push(format!("Device secrets file: {}", path.display()));
            lines.push(
                "It holds the device password (DEVICE_PASSWORD), readable by you only: \
                 keep it, Cognito cannot give the password back."
                    .into(),
            );
            lines.push(format!(
                "Next: sign in from this device: . {} && {next} --device-key \"$DEVICE_KEY\" \
                 --device-group-key \"$DEVICE_GROUP_KEY\"",
                shell_quoted(&path.display().to_string())
            ));
        }
        Kept::Shown(password) => {
            lines.push(format!("Device password: {password}"));
            lines.push("Keep the device password: Cognito cannot give it back.".into());
            lines.push(format!(
                "Next: sign in from this device: {next} --device-key {} --device-group-key {} \
                 --device-password DEVICE_PASSWORD",
                args.device_key, args.device_group_key
            ));
        }
    }
    lines
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
    use aws_sdk_cognitoidentityprovider::operation::confirm_device::{
        ConfirmDeviceError, ConfirmDeviceOutput,
    };
    use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec![
            "confirm-device",
            "--access-token",
            "access",
            "--device-key",
            "us-east-1_device",
            "--device-group-key",
            "-group123",
        ];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    /// A path in a new temporary folder of this test's own.
    fn fresh_path(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("confirm-device-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        dir.join("device.env")
    }

    fn confirmed() -> aws_smithy_mocks::Rule {
        mock!(Client::confirm_device).then_output(|| {
            ConfirmDeviceOutput::builder()
                .user_confirmation_necessary(false)
                .build()
        })
    }

    /// The value of `NAME='value'` in a secrets file.
    fn assigned(contents: &str, name: &str) -> String {
        let line = contents
            .lines()
            .find_map(|line| line.strip_prefix(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("no {name} in {contents}"));
        line.trim_matches('\'').to_string()
    }

    #[tokio::test]
    async fn by_default_the_secrets_go_to_a_new_file_only_the_owner_reads() {
        let path = fresh_path("file");
        let confirm = confirmed();
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        run(
            &client,
            args(&["--secrets-file", path.to_str().expect("UTF-8")]),
        )
        .await
        .expect("confirmed");

        let contents = std::fs::read_to_string(&path).expect("the secrets file");
        assert_eq!(assigned(&contents, "DEVICE_KEY"), "us-east-1_device");
        assert_eq!(assigned(&contents, "DEVICE_GROUP_KEY"), "-group123");
        assert!(
            assigned(&contents, "DEVICE_PASSWORD").len() >= 20,
            "{contents}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(confirm.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_existing_file_is_kept_and_cognito_is_not_asked() {
        let path = fresh_path("exists");
        std::fs::write(&path, "an older device's secrets\n").expect("write");
        let confirm = confirmed();
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        let err = run(
            &client,
            args(&["--secrets-file", path.to_str().expect("UTF-8")]),
        )
        .await
        .unwrap_err();

        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "an older device's secrets\n"
        );
        assert_eq!(confirm.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_refused_confirmation_leaves_no_file() {
        let path = fresh_path("refused");
        let expired = mock!(Client::confirm_device).then_error(|| {
            ConfirmDeviceError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("NotAuthorizedException")
                            .message("Access Token has expired")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&expired]);

        let err = run(
            &client,
            args(&["--secrets-file", path.to_str().expect("UTF-8")]),
        )
        .await
        .unwrap_err();

        assert_eq!(err.code(), Some("NotAuthorizedException"));
        assert!(!path.exists(), "a password Cognito never took was kept");
    }

    #[test]
    fn the_report_names_the_file_or_shows_the_whole_password() {
        let password = "a-random-device-password-of-some-length";
        let path = Path::new("device-us-east-1_device.env");

        let in_file = report(false, Kept::InFile(path), &args(&[]));
        let shown = report(true, Kept::Shown(password), &args(&["--show-secret"]));

        assert!(in_file.contains(&"Device secrets file: device-us-east-1_device.env".to_string()));
        assert!(!in_file.iter().any(|l| l.contains(password)));
        assert!(!in_file.iter().any(|l| l.starts_with("Device password")));
        assert!(shown.contains(&format!("Device password: {password}")));
        for lines in [&in_file, &shown] {
            assert!(lines.contains(&"Device key: us-east-1_device".to_string()));
            assert!(lines.contains(&"Device group key: -group123".to_string()));
        }
        assert_eq!(shown[0], "User confirmation necessary: true");
        assert_eq!(in_file[0], "User confirmation necessary: false");
    }

    #[test]
    fn the_default_file_is_named_after_the_device_and_show_secret_writes_none() {
        assert_eq!(
            args(&[]).secrets_path(),
            Some(PathBuf::from("device-us-east-1_device.env"))
        );
        assert_eq!(args(&["--show-secret"]).secrets_path(), None);
        assert!(
            Args::try_parse_from([
                "confirm-device",
                "--access-token",
                "a",
                "--device-key",
                "k",
                "--device-group-key",
                "g",
                "--show-secret",
                "--secrets-file",
                "f",
            ])
            .is_err()
        );
    }
}
