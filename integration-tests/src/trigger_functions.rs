//! Deploys one of the Lambda trigger functions under
//! `scenarios/lambda-triggers/` and attaches it to a user pool, the way the
//! README there does it by hand, for the integration tests:
//!
//! 1. the function's zip: offline, the workspace's own `cargo build` of it,
//!    zipped as `bootstrap` (the emulator runs it on this machine); live, the
//!    zip `cargo lambda build --release --output-format zip -p NAME` leaves
//!    in `target/lambda/NAME/bootstrap.zip`;
//! 2. an IAM role Lambda can assume, allowed to write the function's logs
//!    (and whatever else the function needs);
//! 3. CreateFunction (`provided.al2023`), waiting until it is Active;
//! 4. AddPermission for `cognito-idp.amazonaws.com`, scoped to the pool;
//! 5. the pool's `LambdaConfig`, set with UpdateUserPool keeping every other
//!    setting of the pool.
//!
//! [`TriggerFunction::remove`] deletes the function, its log group and its
//! role; a test that fails before it gets there removes them when the
//! [`TriggerFunction`] is dropped.

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, Runtime};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::{Target, unique};

/// Tests that count the `bootstrap` processes under this test process (the
/// auto-confirm scenario's) take this for writing; tests that run trigger
/// functions take it for reading, so they run side by side but never while
/// such a count is going on. (A plain lock held across `.await` is fine:
/// each test has a runtime of its own, so a test waiting for its turn
/// blocks nothing but itself.)
pub static FUNCTION_PROCESSES: RwLock<()> = RwLock::new(());

/// The trust policy of a role that Lambda can assume.
pub const LAMBDA_TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
/// The principal Cognito invokes triggers as.
pub const COGNITO_PRINCIPAL: &str = "cognito-idp.amazonaws.com";
/// The name of the role's inline policy.
const POLICY_NAME: &str = "trigger-function";

/// A trigger function deployed for one test.
pub struct TriggerFunction {
    config: aws_config::SdkConfig,
    pub function_name: String,
    pub function_arn: String,
    pub role_name: String,
    removed: bool,
}

/// What the function is made of, beyond its binary.
#[derive(Debug, Default, Clone)]
pub struct Settings<'a> {
    /// Environment variables of the function.
    pub environment: &'a [(&'a str, &'a str)],
    /// Policy statements (JSON objects) the role gets besides writing logs.
    pub extra_statements: &'a [String],
}

impl TriggerFunction {
    /// Creates a role and the function from the binary `crate_name` (a crate
    /// under `scenarios/lambda-triggers/`), and waits until it is Active.
    pub async fn deploy(target: &Target, crate_name: &str, settings: &Settings<'_>) -> Self {
        let config = target.sdk_config().await;
        let (zip, architecture) = function_zip(target, crate_name);
        let function_name = unique(&format!("{crate_name}-"));
        let role_name = function_name.clone();
        let mut function = TriggerFunction {
            config,
            function_name,
            function_arn: String::new(),
            role_name,
            removed: false,
        };

        let iam = aws_sdk_iam::Client::new(&function.config);
        let role_arn = iam
            .create_role()
            .role_name(&function.role_name)
            .assume_role_policy_document(LAMBDA_TRUST_POLICY)
            .description("Execution role of a Cognito trigger function under test")
            .send()
            .await
            .expect("CreateRole")
            .role
            .expect("a role")
            .arn;
        let region = target.region();
        let account = role_arn
            .split(':')
            .nth(4)
            .expect("an account in the role ARN");
        iam.put_role_policy()
            .role_name(&function.role_name)
            .policy_name(POLICY_NAME)
            .policy_document(permissions_policy(
                region,
                account,
                &function.function_name,
                settings.extra_statements,
            ))
            .send()
            .await
            .expect("PutRolePolicy");

        let lambda = aws_sdk_lambda::Client::new(&function.config);
        let mut environment = Environment::builder();
        for (name, value) in settings.environment {
            environment = environment.variables(*name, *value);
        }
        // A role created moments ago may not be assumable by Lambda yet (IAM
        // is eventually consistent): try again for up to a minute.
        let mut attempts = 0;
        let created = loop {
            attempts += 1;
            let answer = lambda
                .create_function()
                .function_name(&function.function_name)
                .runtime(Runtime::Providedal2023)
                .handler("bootstrap")
                .architectures(architecture.clone())
                .role(&role_arn)
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(zip.clone()))
                        .build(),
                )
                .environment(environment.clone().build())
                .timeout(5)
                .memory_size(128)
                .send()
                .await;
            match answer {
                Err(err)
                    if attempts < 20
                        && err.code() == Some("InvalidParameterValueException")
                        && err
                            .message()
                            .is_some_and(|message| message.contains("cannot be assumed")) =>
                {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                answer => break answer.expect("CreateFunction"),
            }
        };
        function.function_arn = created.function_arn.expect("FunctionArn");
        lambda
            .wait_until_function_active_v2()
            .function_name(&function.function_name)
            .wait(Duration::from_secs(120))
            .await
            .expect("the function becomes Active");
        function
    }

    /// Lets Cognito invoke the function on behalf of the pool `user_pool_arn`
    /// only (one statement per pool).
    pub async fn allow_pool(&self, user_pool_arn: &str) {
        let pool_id = user_pool_arn.rsplit('/').next().unwrap_or_default();
        aws_sdk_lambda::Client::new(&self.config)
            .add_permission()
            .function_name(&self.function_name)
            .statement_id(format!("cognito-{pool_id}"))
            .action("lambda:InvokeFunction")
            .principal(COGNITO_PRINCIPAL)
            .source_arn(user_pool_arn)
            .send()
            .await
            .expect("AddPermission");
    }

    /// The function's CloudWatch Logs group.
    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.function_name)
    }

    /// Every message in the function's log group so far, oldest first per stream.
    pub async fn log_lines(&self) -> Vec<String> {
        let logs = aws_sdk_cloudwatchlogs::Client::new(&self.config);
        let Ok(streams) = logs
            .describe_log_streams()
            .log_group_name(self.log_group())
            .send()
            .await
        else {
            // No group yet: the function has not logged anything.
            return Vec::new();
        };
        let mut lines = Vec::new();
        for stream in streams.log_streams() {
            let events = logs
                .get_log_events()
                .log_group_name(self.log_group())
                .log_stream_name(stream.log_stream_name().unwrap_or_default())
                .start_from_head(true)
                .send()
                .await
                .expect("GetLogEvents");
            lines.extend(
                events
                    .events()
                    .iter()
                    .filter_map(|event| event.message().map(|m| m.trim_end().to_string())),
            );
        }
        lines
    }

    /// Waits (up to 30 seconds offline, 2 minutes live: logs arrive late)
    /// until the log has a line for which `wanted` holds; returns the log.
    pub async fn wait_for_log_line(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        for _ in 0..240 {
            let lines = self.log_lines().await;
            if lines.iter().any(|line| wanted(line)) {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        panic!(
            "no such line in {} after waiting:\n{}",
            self.log_group(),
            self.log_lines().await.join("\n")
        );
    }

    /// Deletes the function, its log group and its role.
    pub async fn remove(mut self) {
        self.removed = true;
        remove(&self.config, &self.function_name, &self.role_name).await;
    }
}

impl Drop for TriggerFunction {
    /// A test that failed before [`TriggerFunction::remove`]: remove the
    /// resources from a thread of its own while the test's runtime goes on
    /// serving (the emulator, the SDK's connections). That needs the
    /// multi-threaded runtime, which these tests use; on any other the
    /// resources are named instead.
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        let multi_threaded = tokio::runtime::Handle::try_current().is_ok_and(|handle| {
            handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        });
        if !multi_threaded {
            eprintln!(
                "not removed: function {}, its log group and role {}",
                self.function_name, self.role_name
            );
            return;
        }
        let (config, function, role) = (&self.config, &self.function_name, &self.role_name);
        tokio::task::block_in_place(|| {
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime for the clean-up")
                        .block_on(remove(config, function, role))
                });
            })
        });
    }
}

/// Deletes the function, its log group and its role, saying on standard
/// error what could not be deleted (a test's own assertions say the rest).
async fn remove(config: &aws_config::SdkConfig, function_name: &str, role_name: &str) {
    let lambda = aws_sdk_lambda::Client::new(config);
    if let Err(err) = lambda
        .delete_function()
        .function_name(function_name)
        .send()
        .await
    {
        eprintln!(
            "could not delete function {function_name}: {}",
            aws_sdk_lambda::error::DisplayErrorContext(&err)
        );
    }
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let group = format!("/aws/lambda/{function_name}");
    if let Err(err) = logs.delete_log_group().log_group_name(&group).send().await {
        if err.code() != Some("ResourceNotFoundException") {
            eprintln!(
                "could not delete log group {group}: {}",
                aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&err)
            );
        }
    }
    let iam = aws_sdk_iam::Client::new(config);
    let _ = iam
        .delete_role_policy()
        .role_name(role_name)
        .policy_name(POLICY_NAME)
        .send()
        .await;
    if let Err(err) = iam.delete_role().role_name(role_name).send().await {
        eprintln!(
            "could not delete role {role_name}: {}",
            aws_sdk_iam::error::DisplayErrorContext(&err)
        );
    }
}

/// The role's permissions: write the function's own logs, plus `extra`.
pub fn permissions_policy(
    region: &str,
    account: &str,
    function_name: &str,
    extra: &[String],
) -> String {
    let group = format!("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function_name}");
    let mut statements = vec![
        format!(r#"{{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"{group}"}}"#),
        format!(
            r#"{{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"{group}:*"}}"#
        ),
    ];
    statements.extend(extra.iter().cloned());
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

/// The zip to upload and the processor it runs on. Offline: the debug (or
/// release) build of the crate's binary, zipped as `bootstrap`. Live: the
/// cargo-lambda zip, which must have been built (x86_64, its default).
fn function_zip(target: &Target, crate_name: &str) -> (Vec<u8>, Architecture) {
    if target.is_live() {
        let path = cargo_lambda_zip(crate_name);
        let zip = std::fs::read(&path).unwrap_or_else(|err| {
            panic!(
                "live tests need the function built for Lambda ({}: {err}); build it with \
                 `cargo lambda build --release --output-format zip -p {crate_name}`",
                path.display()
            )
        });
        return (zip, Architecture::X8664);
    }
    let executable = std::fs::read(crate::example_binary(crate_name))
        .unwrap_or_else(|err| panic!("read the {crate_name} binary: {err}"));
    let architecture = match std::env::consts::ARCH {
        "aarch64" => Architecture::Arm64,
        _ => Architecture::X8664,
    };
    (zip_bootstrap(&executable), architecture)
}

/// Where cargo-lambda leaves a crate's zip: `target/lambda/NAME/bootstrap.zip`.
fn cargo_lambda_zip(crate_name: &str) -> PathBuf {
    let profile_dir = crate::binaries_dir();
    profile_dir
        .parent()
        .unwrap_or(profile_dir)
        .join("lambda")
        .join(crate_name)
        .join("bootstrap.zip")
}

/// A zip holding `executable` as `bootstrap` (mode 755), compressed.
pub fn zip_bootstrap(executable: &[u8]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options).expect("a zip entry");
    zip.write_all(executable).expect("zip the executable");
    zip.finish().expect("a zip").into_inner()
}

/// Sets the pool's Lambda triggers with UpdateUserPool: `set` changes the
/// pool's current `LambdaConfig`, and every other setting of the pool is
/// sent back as it is (UpdateUserPool resets whatever a request leaves out).
pub async fn attach(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    user_pool_id: &str,
    set: impl FnOnce(&mut LambdaConfigType),
) {
    let pool = update_user_pool::describe_user_pool(cognito, user_pool_id)
        .await
        .expect("DescribeUserPool")
        .user_pool
        .expect("a user pool");
    let mut lambda_config = pool
        .lambda_config()
        .cloned()
        .unwrap_or_else(|| LambdaConfigType::builder().build());
    set(&mut lambda_config);
    update_user_pool::update_user_pool_request_from(&pool)
        .lambda_config(lambda_config)
        .send_with(cognito)
        .await
        .expect("UpdateUserPool");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_may_write_only_its_own_logs_and_the_extra_statements() {
        let policy: serde_json::Value = serde_json::from_str(&permissions_policy(
            "us-east-1",
            "111122223333",
            "authentication-post-1",
            &[r#"{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}"#.to_string()],
        ))
        .expect("JSON");
        let statements = policy["Statement"].as_array().expect("statements");
        assert_eq!(statements.len(), 3);
        assert_eq!(
            statements[0]["Resource"],
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/authentication-post-1"
        );
        assert_eq!(
            statements[1]["Resource"],
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/authentication-post-1:*"
        );
        assert_eq!(statements[2]["Action"], "ses:SendEmail");
    }

    #[test]
    fn the_zip_holds_an_executable_bootstrap() {
        let zip = zip_bootstrap(b"\x7fELF-executable");
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a zip");
        let entry = archive.by_name("bootstrap").expect("bootstrap");
        assert_eq!(entry.unix_mode().map(|mode| mode & 0o777), Some(0o755));
        assert_eq!(entry.size(), 15);
    }
}
