//! Deploys one of the Lambda trigger functions under
//! `scenarios/lambda-triggers/` and attaches it to a user pool, the way the
//! README there does it by hand, for the integration tests. The steps are
//! the `trigger-deployment` crate's, which the trigger scenarios use too:
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

use std::sync::RwLock;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use aws_sdk_lambda::types::Architecture;
use serde_json::Value;
use trigger_deployment::handler_zip::{self, Platform};
use trigger_deployment::{ArnParts, function, logs, role};

use crate::{Target, unique};

/// Tests that count the `bootstrap` processes under this test process (the
/// auto-confirm scenario's) take this for writing; tests that run trigger
/// functions take it for reading, so they run side by side but never while
/// such a count is going on. (A plain lock held across `.await` is fine:
/// each test has a runtime of its own, so a test waiting for its turn
/// blocks nothing but itself.)
pub static FUNCTION_PROCESSES: RwLock<()> = RwLock::new(());

/// The name of the role's inline policy.
const POLICY_NAME: &str = "trigger-function";
/// How often, and how far apart, CreateFunction is tried while IAM has not
/// told Lambda about the new role yet.
const ROLE_ATTEMPTS: u32 = 20;
const ROLE_PAUSE: Duration = Duration::from_secs(3);

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
    /// Policy statements the role gets besides writing the function's logs
    /// (see `trigger_deployment::role::allow`).
    pub extra_statements: &'a [Value],
}

impl TriggerFunction {
    /// Creates a role and the function from the binary `crate_name` (a crate
    /// under `scenarios/lambda-triggers/`), and waits until it is Active.
    pub async fn deploy(target: &Target, crate_name: &str, settings: &Settings<'_>) -> Self {
        let config = target.sdk_config().await;
        let (zip, architecture) = function_zip(target, crate_name);
        let function_name = unique(&format!("{crate_name}-"));
        let mut deployed = TriggerFunction {
            config,
            role_name: function_name.clone(),
            function_name,
            function_arn: String::new(),
            removed: false,
        };

        let iam = aws_sdk_iam::Client::new(&deployed.config);
        let role_arn = role::create_role(
            &iam,
            &deployed.role_name,
            "Execution role of a Cognito trigger function under test",
        )
        .await
        .expect("CreateRole")
        .role
        .expect("a role")
        .arn;
        let where_ = ArnParts {
            partition: "aws".to_string(),
            region: target.region().to_string(),
            account: role_arn
                .split(':')
                .nth(4)
                .expect("an account in the role ARN")
                .to_string(),
        };
        let policy = role::function_policy(
            settings.extra_statements.to_vec(),
            &where_,
            &deployed.function_name,
        );
        role::put_role_policy(&iam, &deployed.role_name, POLICY_NAME, &policy)
            .await
            .expect("PutRolePolicy");

        let lambda = aws_sdk_lambda::Client::new(&deployed.config);
        let new_function = function::NewFunction {
            function_name: &deployed.function_name,
            role_arn: &role_arn,
            zip: &zip,
            architecture,
            environment: settings.environment,
            description: "A Cognito trigger function under test",
        };
        let created = function::create_function_when_role_is_ready(
            &lambda,
            &new_function,
            ROLE_ATTEMPTS,
            ROLE_PAUSE,
        )
        .await
        .expect("CreateFunction");
        deployed.function_arn = created.function_arn.expect("FunctionArn");
        function::wait_until_active(&lambda, &deployed.function_name, Duration::from_secs(120))
            .await
            .expect("the function becomes Active");
        deployed
    }

    /// Lets Cognito invoke the function on behalf of the pool `user_pool_arn` only.
    pub async fn allow_pool(&self, user_pool_arn: &str) {
        let lambda = aws_sdk_lambda::Client::new(&self.config);
        function::allow_cognito(&lambda, &self.function_name, user_pool_arn)
            .await
            .expect("AddPermission");
    }

    /// The function's CloudWatch Logs group.
    pub fn log_group(&self) -> String {
        logs::log_group_name(&self.function_name)
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

    /// Waits (up to two minutes: live, logs arrive late) until the log has a
    /// line for which `wanted` holds; returns the log.
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
                let cleanup = scope.spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime for the clean-up")
                        .block_on(remove(config, function, role))
                });
                // Joined here, a panic of the clean-up is reported, not
                // raised again in a destructor that may run while unwinding.
                if cleanup.join().is_err() {
                    eprintln!("the clean-up of function {function} failed");
                }
            })
        });
    }
}

/// Deletes the function, its log group and its role, saying on standard
/// error what could not be deleted (a test's own assertions say the rest).
async fn remove(config: &aws_config::SdkConfig, function_name: &str, role_name: &str) {
    let lambda = aws_sdk_lambda::Client::new(config);
    if let Err(err) = function::delete_function(&lambda, function_name).await {
        eprintln!(
            "could not delete function {function_name}: {}",
            aws_sdk_lambda::error::DisplayErrorContext(&err)
        );
    }
    let cloudwatch = aws_sdk_cloudwatchlogs::Client::new(config);
    let group = logs::log_group_name(function_name);
    if let Err(err) = logs::delete_log_group(&cloudwatch, &group).await {
        use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
        if err.code() != Some("ResourceNotFoundException") {
            eprintln!(
                "could not delete log group {group}: {}",
                aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&err)
            );
        }
    }
    let iam = aws_sdk_iam::Client::new(config);
    let _ = role::delete_role_policy(&iam, role_name, POLICY_NAME).await;
    if let Err(err) = role::delete_role(&iam, role_name).await {
        eprintln!(
            "could not delete role {role_name}: {}",
            aws_sdk_iam::error::DisplayErrorContext(&err)
        );
    }
}

/// The zip to upload and the processor it runs on. Offline: the debug (or
/// release) build of the crate's binary, zipped as `bootstrap`. Live: the
/// cargo-lambda zip, which must have been built.
fn function_zip(target: &Target, crate_name: &str) -> (Vec<u8>, Architecture) {
    if target.is_live() {
        let zip = handler_zip::cargo_lambda_zip(crate_name)
            .and_then(|path| std::fs::read(path).ok())
            .unwrap_or_else(|| {
                panic!(
                    "live tests need the function built for Lambda: {}",
                    handler_zip::cargo_lambda_command(crate_name)
                )
            });
        return match handler_zip::inspect(&zip, crate_name) {
            Ok(Platform::Lambda(architecture)) => (zip, architecture),
            other => panic!("the {crate_name} zip cannot run in Lambda: {other:?}"),
        };
    }
    let executable = std::fs::read(crate::example_binary(crate_name))
        .unwrap_or_else(|err| panic!("read the {crate_name} binary: {err}"));
    let architecture = match std::env::consts::ARCH {
        "aarch64" => Architecture::Arm64,
        _ => Architecture::X8664,
    };
    let zip = handler_zip::zip_bootstrap(&executable).expect("zip the executable");
    (zip, architecture)
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
