//! The steps every pools-triggers scenario takes to deploy its function and
//! to remove everything again, as the scenario runs them: each prints what it
//! did (`Label: value` lines the integration tests read back), records what
//! it created in [`Created`] as soon as it exists, and stops on Ctrl-C
//! (except where the answer of a call already sent says what to delete).

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_lambda::types::Architecture;
use example_cli::ExampleError;
use example_cli::scenario::{Interrupt, Stop};
use update_user_pool::SetTriggerError;

use crate::ArnParts;
use crate::cleanup::{self, Created, Removal};
use crate::function::{self, NewFunction};
use crate::handler_zip::{self, Platform};
use crate::logs::{self, Arrived};
use crate::{role, table};

/// How long a new table or function may take to become active.
pub const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);
/// A new role can take a few seconds to reach Lambda: CreateFunction is tried
/// this often, this far apart, while Lambda says it cannot assume the role.
/// (The same pause serves a scenario waiting for a new policy to apply.)
pub const ROLE_ATTEMPTS: u32 = 10;
pub const ROLE_PAUSE: Duration = Duration::from_secs(3);
/// Log lines reach CloudWatch Logs a few seconds after the function printed
/// them: FilterLogEvents is tried this often, first after a short pause that
/// doubles up to the longest one (about half a minute in all). Where the
/// lines are there at once (the emulator), nobody waits two seconds for them.
const LOG_ATTEMPTS: u32 = 18;
const LOG_FIRST_PAUSE: Duration = Duration::from_millis(100);
const LOG_LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// One client per service a scenario uses, all from the same configuration
/// (credentials, Region, and `AWS_ENDPOINT_URL` for the emulator).
pub struct Clients {
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub iam: aws_sdk_iam::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

impl Clients {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Clients {
            cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
        }
    }
}

/// Whether `AWS_ENDPOINT_URL` sends every call to an emulator.
pub fn offline() -> bool {
    std::env::var_os("AWS_ENDPOINT_URL").is_some_and(|url| !url.is_empty())
}

/// Where the handler's zip comes from.
#[derive(Debug, Clone, Copy)]
pub struct ZipSource<'a> {
    /// The handler's package (its executable has the same name).
    pub package: &'a str,
    /// `--zip`: a zip given by the person running the scenario.
    pub zip: Option<&'a Path>,
    /// `--build-handler`: a plain `cargo build`, zipped here.
    pub build_handler: bool,
    /// Whether the calls go to the bundled emulator (which can run a plain
    /// build, and builds one unless a zip is given).
    pub offline: bool,
}

/// Before anything is created: the zip to upload, and the processor its
/// `bootstrap` was built for. `--zip` if given; else a plain build offline
/// (or with `--build-handler`); else the zip cargo-lambda left in `target/`.
pub async fn handler_zip(
    source: ZipSource<'_>,
    interrupt: &Interrupt,
) -> Result<(Vec<u8>, Architecture), Stop> {
    let package = source.package;
    let path = match (source.zip, source.build_handler || source.offline) {
        (Some(path), _) => path.to_path_buf(),
        (None, true) => {
            println!("Building the handler (cargo build -p {package})...");
            let executable = interrupt
                .race(handler_zip::cargo_build_handler(package))
                .await?
                .map_err(ExampleError::new)?;
            let bytes = read(&executable)?;
            let zip = handler_zip::zip_bootstrap(&bytes)
                .map_err(|err| ExampleError::new(format!("Cannot zip the handler: {err}")))?;
            println!(
                "Zipped {} as bootstrap ({} KiB).",
                executable
                    .file_name()
                    .map_or("the handler".into(), |name| name.to_string_lossy()),
                zip.len() / 1024
            );
            return check_platform(zip, package, source.offline);
        }
        (None, false) => handler_zip::cargo_lambda_zip(package).ok_or_else(|| {
            ExampleError::new(format!(
                "Give the function's zip with --zip. Build it with: {} (cargo-lambda \
                 installs with: pip install cargo-lambda). Against the bundled emulator, \
                 set AWS_ENDPOINT_URL or pass --build-handler instead.",
                handler_zip::cargo_lambda_command(package)
            ))
        })?,
    };
    let zip = read(&path)?;
    println!("Zip: {} ({} KiB)", path.display(), zip.len() / 1024);
    check_platform(zip, package, source.offline)
}

/// Reads what the zip's `bootstrap` was built for: Lambda must be told the
/// processor, and cannot run anything but a Linux executable. The emulator,
/// which runs it on this machine, can.
pub fn check_platform(
    zip: Vec<u8>,
    package: &str,
    offline: bool,
) -> Result<(Vec<u8>, Architecture), Stop> {
    match handler_zip::inspect(&zip, package).map_err(ExampleError::new)? {
        Platform::Lambda(architecture) => {
            println!("Architecture: {}", architecture.as_str());
            Ok((zip, architecture))
        }
        Platform::Other(what) if offline => {
            println!(
                "The bootstrap is {what}: the emulator runs it on this machine, Lambda could not."
            );
            Ok((zip, Architecture::X8664))
        }
        Platform::Other(what) => Err(ExampleError::new(format!(
            "The zip's bootstrap is {what}, which Lambda cannot run. Build it with: {}",
            handler_zip::cargo_lambda_command(package)
        ))
        .into()),
    }
}

/// A new table, once CreateTable has answered: recorded for removal, and
/// waited on until it is active. Returns its ARN.
pub async fn table_created(
    clients: &Clients,
    interrupt: &Interrupt,
    created: &mut Created,
    table_name: &str,
    answer: &aws_sdk_dynamodb::operation::create_table::CreateTableOutput,
) -> Result<String, Stop> {
    created.table_name = Some(table_name.to_string());
    println!("Table name: {table_name}");
    interrupt.check()?;
    let table_arn = answer
        .table_description()
        .and_then(|table| table.table_arn())
        .ok_or_else(|| ExampleError::new("CreateTable answered without the table's ARN."))?
        .to_string();
    interrupt
        .race(table::wait_for_table(
            &clients.dynamodb,
            table_name,
            ACTIVE_TIMEOUT,
        ))
        .await?
        .map_err(|err| ExampleError::new(format!("The table did not become active: {err}")))?;
    println!("The table is active.");
    Ok(table_arn)
}

/// The execution role to create.
#[derive(Debug, Clone)]
pub struct NewRole<'a> {
    pub role_name: &'a str,
    /// What the role is for, shown in the IAM console.
    pub description: &'a str,
    /// The name of its one inline policy.
    pub policy_name: &'a str,
    /// What the function may do besides writing its logs (see [`role::allow`]).
    pub statements: Vec<serde_json::Value>,
    /// The function's name: its log group is `/aws/lambda/FUNCTION_NAME`.
    pub function_name: &'a str,
    /// An ARN in the account and Region of the function (the table's).
    pub arn_in_account: &'a str,
}

/// The execution role and its one inline policy, printed. Returns its ARN.
pub async fn role(
    clients: &Clients,
    interrupt: &Interrupt,
    created: &mut Created,
    new_role: NewRole<'_>,
) -> Result<String, Stop> {
    let answer = role::create_role(&clients.iam, new_role.role_name, new_role.description).await?;
    created.role_name = Some(new_role.role_name.to_string());
    println!("Role name: {}", new_role.role_name);
    interrupt.check()?;
    let role_arn = answer
        .role()
        .map(|role| role.arn().to_string())
        .ok_or_else(|| ExampleError::new("CreateRole answered without the role."))?;

    let account = ArnParts::parse(new_role.arn_in_account).ok_or_else(|| {
        ExampleError::new(format!(
            "Cannot read the account from the ARN {}.",
            new_role.arn_in_account
        ))
    })?;
    let policy = role::function_policy(new_role.statements, &account, new_role.function_name);
    role::put_role_policy(
        &clients.iam,
        new_role.role_name,
        new_role.policy_name,
        &policy,
    )
    .await?;
    created.role_policy_name = Some(new_role.policy_name.to_string());
    interrupt.check()?;
    println!(
        "Lambda may assume the role. Its inline policy {}:",
        new_role.policy_name
    );
    let pretty = serde_json::from_str::<serde_json::Value>(&policy)
        .and_then(|policy| serde_json::to_string_pretty(&policy))
        .unwrap_or(policy);
    for line in pretty.lines() {
        println!("  {line}");
    }
    Ok(role_arn)
}

/// The function, active. Returns its ARN.
pub async fn function(
    clients: &Clients,
    interrupt: &Interrupt,
    created: &mut Created,
    new_function: &NewFunction<'_>,
) -> Result<String, Stop> {
    let settings: Vec<String> = ["provided.al2023".into(), "handler bootstrap".into()]
        .into_iter()
        .chain(
            new_function
                .environment
                .iter()
                .map(|(name, value)| format!("{name}={value}")),
        )
        .collect();
    println!("Creating the function ({})...", settings.join(", "));
    // Not abandoned on Ctrl-C once sent: its answer says what to delete.
    let answer = function::create_function_when_role_is_ready(
        &clients.lambda,
        new_function,
        ROLE_ATTEMPTS,
        ROLE_PAUSE,
    )
    .await?;
    created.function_name = Some(new_function.function_name.to_string());
    println!("Function name: {}", new_function.function_name);
    interrupt.check()?;
    let function_arn = answer
        .function_arn()
        .ok_or_else(|| ExampleError::new("CreateFunction answered without the function's ARN."))?
        .to_string();

    interrupt
        .race(function::wait_until_active(
            &clients.lambda,
            new_function.function_name,
            ACTIVE_TIMEOUT,
        ))
        .await?
        .map_err(|err| waiter_failed("The function did not become active", &err))?;
    println!("The function is active.");
    println!("Function ARN: {function_arn}");
    Ok(function_arn)
}

/// The Cognito triggers these scenarios set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    PreSignUp,
    UserMigration,
    PostAuthentication,
}

impl Trigger {
    /// The trigger's name, as the Cognito console and `LambdaConfig` call it.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::UserMigration => "UserMigration",
            Trigger::PostAuthentication => "PostAuthentication",
        }
    }

    /// `current` with this trigger set to `function_arn`, every other
    /// trigger as it was.
    pub fn set_in(
        self,
        current: Option<&LambdaConfigType>,
        function_arn: &str,
    ) -> LambdaConfigType {
        let mut config = current
            .cloned()
            .unwrap_or_else(|| LambdaConfigType::builder().build());
        let arn = Some(function_arn.to_string());
        match self {
            Trigger::PreSignUp => config.pre_sign_up = arn,
            Trigger::UserMigration => config.user_migration = arn,
            Trigger::PostAuthentication => config.post_authentication = arn,
        }
        config
    }
}

// snippet-start:[rust.cross-service.trigger-deployment.SetTrigger]
/// Sets one Lambda trigger of the pool, keeping every other setting of the
/// pool (other triggers included): UpdateUserPool resets whatever the
/// request leaves out, so the pool is read first (DescribeUserPool) and all
/// of its settings are sent back with the new trigger, as the
/// `update-user-pool` example explains.
pub async fn set_trigger(
    client: &aws_sdk_cognitoidentityprovider::Client,
    user_pool_id: &str,
    trigger: Trigger,
    function_arn: &str,
) -> Result<LambdaConfigType, SetTriggerError> {
    let described = update_user_pool::describe_user_pool(client, user_pool_id)
        .await
        .map_err(SetTriggerError::Describe)?;
    let pool = described.user_pool().ok_or(SetTriggerError::NoPool)?;
    let lambda_config = trigger.set_in(pool.lambda_config(), function_arn);
    update_user_pool::update_user_pool_request_from(pool)
        .user_pool_id(user_pool_id)
        .lambda_config(lambda_config.clone())
        .send_with(client)
        .await
        .map_err(SetTriggerError::Update)?;
    Ok(lambda_config)
}
// snippet-end:[rust.cross-service.trigger-deployment.SetTrigger]

/// The user pool and app client a scenario works with.
#[derive(Debug, Clone)]
pub struct Pool {
    pub user_pool_id: String,
    pub client_id: String,
}

/// A user pool named `pool_name` and an app client without a secret (it
/// allows `USER_PASSWORD_AUTH`); Cognito may invoke the function for this
/// pool only, and does as its `trigger`.
pub async fn pool_with_trigger(
    clients: &Clients,
    interrupt: &Interrupt,
    created: &mut Created,
    pool_name: &str,
    client_name: &str,
    trigger: Trigger,
    function: (&str, &str),
) -> Result<Pool, Stop> {
    let (function_name, function_arn) = function;
    let answer = create_user_pool::create_user_pool(&clients.cognito, pool_name, false).await?;
    let pool = answer
        .user_pool()
        .ok_or_else(|| ExampleError::new("CreateUserPool answered without the user pool."))?;
    let user_pool_id = pool
        .id()
        .ok_or_else(|| ExampleError::new("CreateUserPool answered without a user pool id."))?
        .to_string();
    created.user_pool_id = Some(user_pool_id.clone());
    println!("Created user pool {pool_name}.");
    println!("User pool id: {user_pool_id}");
    interrupt.check()?;
    let pool_arn = pool
        .arn()
        .ok_or_else(|| ExampleError::new("CreateUserPool answered without the pool's ARN."))?
        .to_string();

    let app = call(
        interrupt,
        create_user_pool_client::create_user_pool_client(
            &clients.cognito,
            &user_pool_id,
            client_name,
            false,
        ),
    )
    .await?;
    let client_id = app
        .user_pool_client()
        .and_then(|client| client.client_id())
        .ok_or_else(|| ExampleError::new("CreateUserPoolClient answered without a client id."))?
        .to_string();
    println!("Client id: {client_id}");

    call(
        interrupt,
        function::allow_cognito(&clients.lambda, function_name, &pool_arn),
    )
    .await?;
    println!("Cognito may invoke the function for this pool only (SourceArn {pool_arn}).");

    interrupt
        .race(set_trigger(
            &clients.cognito,
            &user_pool_id,
            trigger,
            function_arn,
        ))
        .await?
        .map_err(trigger_not_set)?;
    println!("{} trigger: {function_arn}", trigger.name());
    Ok(Pool {
        user_pool_id,
        client_id,
    })
}

/// What [`show_function_log`] looks for.
#[derive(Debug, Clone, Copy)]
pub struct LogQuery<'a> {
    /// The function whose log group is read.
    pub function_name: &'a str,
    /// Lines older than this (milliseconds since the Unix epoch) are skipped.
    pub since_ms: i64,
    /// The start of the function's line about the invocation wanted.
    pub decision: &'a str,
    /// How many invocations with such a line to wait for.
    pub times: usize,
    /// What that invocation was about, for the line when nothing came.
    pub about: &'a str,
    /// Also wait for Lambda's `REPORT` line that closes the last invocation.
    pub whole: bool,
}

/// The function's log lines, once its lines about `times` invocations are there.
/// CloudWatch Logs takes a few seconds to show them: this asks again until
/// they are there, for half a minute at most.
pub async fn show_function_log(
    clients: &Clients,
    interrupt: &Interrupt,
    query: LogQuery<'_>,
) -> Result<(), Stop> {
    let log_group = logs::log_group_name(query.function_name);
    println!("Log group: {log_group}");
    let mut lines = Vec::new();
    let mut pause = LOG_FIRST_PAUSE;
    for attempt in 1..=LOG_ATTEMPTS {
        let answer = interrupt
            .race(logs::function_log(
                &clients.logs,
                &log_group,
                query.since_ms,
            ))
            .await?;
        lines = match answer {
            Ok(lines) => lines,
            // Lambda creates the group with the function's first line.
            Err(err) if err.code() == Some("ResourceNotFoundException") => Vec::new(),
            Err(err) => return Err(err.into()),
        };
        match logs::arrived(&lines, query.decision, query.times) {
            Arrived::WholeInvocation => break,
            Arrived::Decision if !query.whole => break,
            _ => {}
        }
        if attempt == 1 {
            println!("Waiting for the lines to reach CloudWatch Logs...");
        }
        if attempt < LOG_ATTEMPTS {
            interrupt.race(tokio::time::sleep(pause)).await?;
            pause = (pause * 2).min(LOG_LONGEST_PAUSE);
        }
    }
    if logs::arrived(&lines, query.decision, query.times) == Arrived::Nothing {
        println!(
            "No log line about {} yet. CloudWatch Logs can take a minute; \
             with --keep, read them later with: aws logs tail {log_group}",
            query.about
        );
        return Ok(());
    }
    println!("The function's log lines (FilterLogEvents):");
    for line in lines.iter().filter(|line| !line.trim().is_empty()) {
        println!("  | {line}");
    }
    Ok(())
}

/// Removes what `created` lists, unless `keep` (then it prints how to remove
/// it by hand). Not raced against Ctrl-C: cleaning up is what Ctrl-C asks
/// for. `heading` prints the step's title, if there is anything to remove.
/// Returns whether everything went.
pub async fn clean_up(
    clients: &Clients,
    created: &Created,
    keep: bool,
    heading: impl FnOnce(),
) -> bool {
    let removals = cleanup::plan(created);
    if removals.is_empty() {
        return true;
    }
    heading();
    if keep {
        println!("Kept (--keep). Remove it later with:");
        for removal in &removals {
            println!("  {}", removal.by_hand());
        }
        return true;
    }
    let mut all_gone = true;
    for removal in &removals {
        match remove(clients, removal).await {
            Ok(true) => println!("Deleted {}.", removal.describe()),
            Ok(false) => println!(
                "No {} to delete (the function never ran).",
                removal.describe()
            ),
            Err(err) => {
                eprintln!("error: could not delete {}: {err}", removal.describe());
                eprintln!("  remove it with: {}", removal.by_hand());
                all_gone = false;
            }
        }
    }
    all_gone
}

/// One removal; `Ok(false)` when there was nothing to remove.
async fn remove(clients: &Clients, removal: &Removal) -> Result<bool, ExampleError> {
    match removal {
        Removal::UserPool { user_pool_id } => {
            delete_user_pool::delete_user_pool(&clients.cognito, user_pool_id).await?;
        }
        Removal::Function { function_name } => {
            function::delete_function(&clients.lambda, function_name).await?;
        }
        Removal::LogGroup { log_group } => {
            match logs::delete_log_group(&clients.logs, log_group).await {
                Ok(_) => {}
                Err(err) if err.code() == Some("ResourceNotFoundException") => {
                    return Ok(false);
                }
                Err(err) => return Err(err.into()),
            }
        }
        Removal::RolePolicy {
            role_name,
            policy_name,
        } => {
            role::delete_role_policy(&clients.iam, role_name, policy_name).await?;
        }
        Removal::Role { role_name } => {
            role::delete_role(&clients.iam, role_name).await?;
        }
        Removal::Table { table_name } => {
            table::delete_table(&clients.dynamodb, table_name).await?;
        }
    }
    Ok(true)
}

/// Runs one SDK call, unless Ctrl-C comes first.
pub async fn call<T, E>(
    interrupt: &Interrupt,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, Stop>
where
    Stop: From<E>,
{
    Ok(interrupt.race(call).await??)
}

/// A failed waiter as one line: the time ran out, the resource ended in a
/// failed state, or a call failed.
fn waiter_failed(what: &str, err: &(dyn std::error::Error + 'static)) -> ExampleError {
    ExampleError::new(format!("{what}: {}", DisplayErrorContext(err)))
}

/// Setting the trigger failed at one of its two calls.
fn trigger_not_set(err: SetTriggerError) -> Stop {
    match err {
        SetTriggerError::Describe(err) => err.into(),
        SetTriggerError::Update(err) => err.into(),
        SetTriggerError::NoPool => {
            ExampleError::new("DescribeUserPool answered without the user pool.").into()
        }
    }
}

/// Whether a trigger failed only because the function's brand-new role does
/// not allow its table call yet: IAM applies a new policy within seconds, so
/// trying again (after [`ROLE_PAUSE`]) is worth it.
pub fn role_not_in_effect_yet(err: &ExampleError) -> bool {
    err.code() == Some("UserLambdaValidationException")
        && err.to_string().contains("AccessDeniedException")
}

fn read(path: &Path) -> Result<Vec<u8>, ExampleError> {
    std::fs::read(path)
        .map_err(|err| ExampleError::new(format!("Cannot read {}: {err}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_is_set_and_every_other_kept() {
        let current = LambdaConfigType::builder()
            .post_confirmation("arn:welcome")
            .pre_sign_up("arn:old")
            .build();
        let config = Trigger::UserMigration.set_in(Some(&current), "arn:migrate");
        assert_eq!(config.user_migration(), Some("arn:migrate"));
        assert_eq!(config.post_confirmation(), Some("arn:welcome"));
        assert_eq!(config.pre_sign_up(), Some("arn:old"));

        let config = Trigger::PostAuthentication.set_in(None, "arn:log");
        assert_eq!(config.post_authentication(), Some("arn:log"));
        assert_eq!(config.pre_sign_up(), None);
        let config = Trigger::PreSignUp.set_in(Some(&current), "arn:new");
        assert_eq!(config.pre_sign_up(), Some("arn:new"));
        assert_eq!(Trigger::PostAuthentication.name(), "PostAuthentication");
    }

    #[test]
    fn only_a_denied_table_call_in_the_function_is_worth_another_try() {
        let refused = |code: &str, message: &str| {
            ExampleError::from(aws_sdk_lambda::error::SdkError::<
                aws_sdk_lambda::operation::invoke::InvokeError,
                aws_smithy_runtime_api::http::Response,
            >::service_error(
                aws_sdk_lambda::operation::invoke::InvokeError::generic(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code(code)
                        .message(message)
                        .build(),
                ),
                aws_smithy_runtime_api::http::Response::new(
                    400.try_into().unwrap(),
                    aws_smithy_types::body::SdkBody::empty(),
                ),
            ))
        };
        assert!(role_not_in_effect_yet(&refused(
            "UserLambdaValidationException",
            "PreSignUp failed with error Looking up the email in table t failed: \
             AccessDeniedException: User is not authorized to perform: dynamodb:GetItem."
        )));
        assert!(!role_not_in_effect_yet(&refused(
            "UserLambdaValidationException",
            "PreSignUp failed with error Runtime exited with error: exit status 3."
        )));
        assert!(!role_not_in_effect_yet(&refused(
            "AccessDeniedException",
            "not a trigger failure"
        )));
    }
}
