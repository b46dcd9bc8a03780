//! The workloads: each sets up its own user pool, drives it from N concurrent
//! workers until the duration is over, then deletes the pool.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, LambdaConfigType,
};
use example_cli::ExampleError;
use serde::Serialize;

use crate::latency::{Latencies, OperationSummary};
use crate::procfs::{self, MachineTicks, Usage};
use crate::setup_failed_at as step;
use crate::trigger::Trigger;

/// Every user the benchmark creates gets this password; it meets the default
/// password policy (8+ characters, upper and lower case, a digit, a symbol).
const PASSWORD: &str = "Bench-Passw0rd!";

/// The one user the `initiate-auth` workload signs in again and again.
const FIXED_USERNAME: &str = "benchmark-user";

/// What the workers do in a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum Workload {
    /// SignUp (a new user) → AdminConfirmSignUp → InitiateAuth USER_PASSWORD_AUTH → GetUser.
    #[value(name = "auth-cycle")]
    #[serde(rename = "auth-cycle")]
    AuthCycle,
    /// SignUp only, a new user each call.
    #[value(name = "signup")]
    #[serde(rename = "signup")]
    SignUp,
    /// InitiateAuth USER_PASSWORD_AUTH, always for the same confirmed user.
    #[value(name = "initiate-auth")]
    #[serde(rename = "initiate-auth")]
    InitiateAuth,
    /// SignUp only, a new user each call, in a pool whose PreSignUp trigger
    /// is a warm Lambda function that returns the event unchanged (needs an
    /// endpoint that runs Lambda functions locally: the bundled emulator).
    #[value(name = "signup-trigger")]
    #[serde(rename = "signup-trigger")]
    SignUpTrigger,
}

impl Workload {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::AuthCycle => "auth-cycle",
            Workload::SignUp => "signup",
            Workload::InitiateAuth => "initiate-auth",
            Workload::SignUpTrigger => "signup-trigger",
        }
    }

    /// The operations one unit of work calls, in order.
    pub fn operations(self) -> &'static [&'static str] {
        match self {
            Workload::AuthCycle => &["SignUp", "AdminConfirmSignUp", "InitiateAuth", "GetUser"],
            Workload::SignUp | Workload::SignUpTrigger => &["SignUp"],
            Workload::InitiateAuth => &["InitiateAuth"],
        }
    }

    /// What the rate counts.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::AuthCycle => "cycles",
            Workload::SignUp | Workload::InitiateAuth | Workload::SignUpTrigger => "calls",
        }
    }

    /// Whether the workload's pool has a PreSignUp trigger.
    pub fn needs_trigger(self) -> bool {
        self == Workload::SignUpTrigger
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The outcome of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadResult {
    pub workload: Workload,
    /// `cycles` for the auth cycle (all four calls succeeded), else `calls`.
    pub unit: &'static str,
    /// Units completed without an error.
    pub completed: u64,
    /// From the first worker's start to the last worker's end.
    pub elapsed_s: f64,
    /// `completed / elapsed_s`.
    pub rate_per_s: f64,
    pub operations: Vec<OperationSummary>,
    /// CPU time the benchmark itself used while the workers ran: when it
    /// nears the machine's cores, the client, not the server, is the limit.
    pub client_cpu_s: Option<f64>,
    /// The share of the machine's cores that stood idle while the workers ran
    /// (0.0 to 1.0). With the server the limit it should be near zero: idle
    /// cores while calls wait mean the client did not keep the server busy.
    pub machine_idle: Option<f64>,
    /// The server process's CPU and memory, when its process id was given.
    pub server: Option<ServerUsage>,
}

/// What the server process used during one workload.
#[derive(Debug, Clone, Serialize)]
pub struct ServerUsage {
    /// CPU time the server used while the workers ran.
    pub cpu_s: f64,
    /// Resident memory before the workload's pool was created.
    pub rss_kb_before: u64,
    /// Resident memory when the workers had finished, before the pool was deleted.
    pub rss_kb_loaded: u64,
    /// The server's highest resident memory so far.
    pub peak_rss_kb: u64,
    /// Users in the pool at that moment.
    pub users_stored: u64,
    /// `(rss_kb_loaded - rss_kb_before) / users_stored`, in bytes. For the
    /// first workload a fresh server runs, an upper bound of what one stored
    /// user costs (it includes buffers and whatever else grew meanwhile).
    /// Later workloads reuse memory the allocator kept from earlier, deleted
    /// pools, so there it understates.
    pub bytes_per_user: Option<f64>,
}

impl ServerUsage {
    fn between(before: Usage, started: Usage, loaded: Usage, users_stored: u64) -> Self {
        let grown_kb = loaded.rss_kb.saturating_sub(before.rss_kb);
        Self {
            cpu_s: loaded.cpu_s - started.cpu_s,
            rss_kb_before: before.rss_kb,
            rss_kb_loaded: loaded.rss_kb,
            peak_rss_kb: loaded.peak_rss_kb,
            users_stored,
            bytes_per_user: (users_stored > 0)
                .then(|| grown_kb as f64 * 1024.0 / users_stored as f64),
        }
    }
}

/// The pool and app client the workers use.
#[derive(Debug)]
struct Target {
    user_pool_id: String,
    client_id: String,
}

/// Runs one workload: creates a user pool (default password policy) and an
/// app client, lets `concurrency` workers loop until `duration` is over
/// (each finishes the unit it has started), and deletes the pool, also when
/// the setup fails half-way. With `server_pid`, the server's CPU time and
/// memory are read from `/proc` around the run.
///
/// A workload that [needs a trigger](Workload::needs_trigger) gets the
/// deployed function as `trigger`; the pool names it as its PreSignUp
/// trigger, and one untimed SignUp per worker warms it up before the clock
/// starts.
///
/// Setting `stop` ends the run early (Ctrl-C): each worker finishes the
/// unit it has started, and the pool is deleted as usual.
pub async fn run(
    client: &Client,
    workload: Workload,
    concurrency: usize,
    duration: Duration,
    server_pid: Option<u32>,
    trigger: Option<&Trigger>,
    stop: &Arc<AtomicBool>,
) -> Result<WorkloadResult, ExampleError> {
    if workload.needs_trigger() != trigger.is_some() {
        return Err(ExampleError::new(format!(
            "the {workload} workload {} a PreSignUp trigger function",
            if workload.needs_trigger() {
                "needs"
            } else {
                "takes no"
            }
        )));
    }
    let server_before = server_pid.and_then(|pid| procfs::usage(Some(pid)));
    let pool = create_user_pool(client, workload, trigger.map(Trigger::function_arn)).await?;
    let user_pool_id = pool.id.clone();
    let outcome = async {
        if let Some(trigger) = trigger {
            trigger.allow(&pool.arn).await?;
        }
        let client_id = create_app_client(client, &user_pool_id).await?;
        let target = Arc::new(Target {
            user_pool_id: user_pool_id.clone(),
            client_id,
        });
        if workload == Workload::InitiateAuth {
            create_confirmed_user(client, &target, FIXED_USERNAME).await?;
        }
        if workload.needs_trigger() {
            warm_up(client, &target, concurrency).await?;
        }
        let server_started = server_pid.and_then(|pid| procfs::usage(Some(pid)));
        let client_started = procfs::usage(None);
        let machine_started = MachineTicks::now();
        let mut result = drive(client, target, workload, concurrency, duration, stop).await?;
        let machine_done = MachineTicks::now();
        let client_done = procfs::usage(None);
        let server_loaded = server_pid.and_then(|pid| procfs::usage(Some(pid)));
        result.client_cpu_s = client_started
            .zip(client_done)
            .map(|(started, done)| done.cpu_s - started.cpu_s);
        result.machine_idle = machine_started
            .zip(machine_done)
            .and_then(|(started, done)| started.idle_share_until(done));
        if let (Some(before), Some(started), Some(loaded)) =
            (server_before, server_started, server_loaded)
        {
            result.server = Some(ServerUsage::between(
                before,
                started,
                loaded,
                users_stored(workload, &result),
            ));
        }
        Ok(result)
    }
    .await;
    if let Err(err) = client
        .delete_user_pool()
        .user_pool_id(&user_pool_id)
        .send()
        .await
    {
        eprintln!(
            "warning: could not delete user pool {user_pool_id}: {}",
            ExampleError::from(err)
        );
    }
    outcome
}

/// A created user pool.
struct Pool {
    id: String,
    arn: String,
}

async fn create_user_pool(
    client: &Client,
    workload: Workload,
    pre_sign_up: Option<&str>,
) -> Result<Pool, ExampleError> {
    let output = client
        .create_user_pool()
        .pool_name(format!("benchmark-{workload}"))
        .set_lambda_config(
            pre_sign_up.map(|arn| LambdaConfigType::builder().pre_sign_up(arn).build()),
        )
        .send()
        .await
        .map_err(|err| step("CreateUserPool")(err.into()))?;
    let pool = output.user_pool();
    let id = pool.and_then(|pool| pool.id());
    let arn = pool.and_then(|pool| pool.arn());
    match (id, arn) {
        (Some(id), arn) => Ok(Pool {
            id: id.to_string(),
            arn: arn.unwrap_or_default().to_string(),
        }),
        (None, _) => Err(ExampleError::new(
            "setup failed at CreateUserPool: no pool id in the answer",
        )),
    }
}

async fn create_app_client(client: &Client, user_pool_id: &str) -> Result<String, ExampleError> {
    let output = client
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name("benchmark")
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(|err| step("CreateUserPoolClient")(err.into()))?;
    output
        .user_pool_client()
        .and_then(|app| app.client_id())
        .map(str::to_string)
        .ok_or_else(|| {
            ExampleError::new("setup failed at CreateUserPoolClient: no client id in the answer")
        })
}

async fn create_confirmed_user(
    client: &Client,
    target: &Target,
    username: &str,
) -> Result<(), ExampleError> {
    client
        .sign_up()
        .client_id(&target.client_id)
        .username(username)
        .password(PASSWORD)
        .send()
        .await
        .map_err(|err| step("SignUp")(err.into()))?;
    client
        .admin_confirm_sign_up()
        .user_pool_id(&target.user_pool_id)
        .username(username)
        .send()
        .await
        .map_err(|err| step("AdminConfirmSignUp")(err.into()))?;
    Ok(())
}

/// One untimed SignUp per worker, all at once, so that the trigger has as
/// many warm instances as the workers can keep busy.
async fn warm_up(client: &Client, target: &Target, concurrency: usize) -> Result<(), ExampleError> {
    let mut sign_ups = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let request = client
            .sign_up()
            .client_id(&target.client_id)
            .username(format!("warm-up-{worker}"))
            .password(PASSWORD);
        sign_ups.spawn(request.send());
    }
    while let Some(answer) = sign_ups.join_next().await {
        answer
            .map_err(|err| {
                ExampleError::new(format!("a warm-up call stopped unexpectedly: {err}"))
            })?
            .map_err(|err| step("warming up the trigger (SignUp)")(err.into()))?;
    }
    Ok(())
}

async fn drive(
    client: &Client,
    target: Arc<Target>,
    workload: Workload,
    concurrency: usize,
    duration: Duration,
    stop: &Arc<AtomicBool>,
) -> Result<WorkloadResult, ExampleError> {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            tokio::spawn(work(
                client.clone(),
                Arc::clone(&target),
                workload,
                worker,
                deadline,
                Arc::clone(stop),
            ))
        })
        .collect();

    let mut completed = 0;
    let mut operations = vec![Latencies::new(); workload.operations().len()];
    for worker in workers {
        let (done, latencies) = worker
            .await
            .map_err(|err| ExampleError::new(format!("a worker stopped unexpectedly: {err}")))?;
        completed += done;
        for (total, part) in operations.iter_mut().zip(&latencies) {
            total.merge(part);
        }
    }
    let elapsed_s = started.elapsed().as_secs_f64();

    Ok(WorkloadResult {
        workload,
        unit: workload.unit(),
        completed,
        elapsed_s,
        rate_per_s: completed as f64 / elapsed_s,
        operations: workload
            .operations()
            .iter()
            .zip(&operations)
            .map(|(name, latencies)| latencies.summary(name))
            .collect(),
        client_cpu_s: None,
        machine_idle: None,
        server: None,
    })
}

/// Users in the workload's pool once the workers are done.
fn users_stored(workload: Workload, result: &WorkloadResult) -> u64 {
    match workload {
        Workload::InitiateAuth => 1,
        Workload::AuthCycle | Workload::SignUp | Workload::SignUpTrigger => result
            .operations
            .iter()
            .find(|op| op.operation == "SignUp")
            .map_or(0, |op| op.count),
    }
}

/// One worker: loops until the deadline or `stop`, returns the units it
/// completed and the latencies of each operation (indexed as
/// `workload.operations()`).
async fn work(
    client: Client,
    target: Arc<Target>,
    workload: Workload,
    worker: usize,
    deadline: Instant,
    stop: Arc<AtomicBool>,
) -> (u64, Vec<Latencies>) {
    let mut latencies = vec![Latencies::new(); workload.operations().len()];
    let mut completed = 0;
    let mut sequence = 0u64;
    // Every worker completes at least one unit, however short the duration.
    loop {
        sequence += 1;
        let username = format!("w{worker}-{sequence}");
        let done = match workload {
            Workload::AuthCycle => auth_cycle(&client, &target, &username, &mut latencies).await,
            Workload::SignUp | Workload::SignUpTrigger => {
                sign_up(&client, &target, &username, &mut latencies[0])
                    .await
                    .is_some()
            }
            Workload::InitiateAuth => {
                initiate_auth(&client, &target, FIXED_USERNAME, &mut latencies[0])
                    .await
                    .is_some()
            }
        };
        if done {
            completed += 1;
        }
        if Instant::now() >= deadline || stop.load(Ordering::Relaxed) {
            break;
        }
    }
    (completed, latencies)
}

/// Times one call: a success records its latency, a failure counts as an error.
async fn timed<T>(
    latencies: &mut Latencies,
    call: impl Future<Output = Result<T, ExampleError>>,
) -> Option<T> {
    let start = Instant::now();
    match call.await {
        Ok(output) => {
            latencies.record(start.elapsed());
            Some(output)
        }
        Err(err) => {
            latencies.record_error(|| err.to_string());
            None
        }
    }
}

async fn auth_cycle(
    client: &Client,
    target: &Target,
    username: &str,
    latencies: &mut [Latencies],
) -> bool {
    let [sign_up_calls, confirm_calls, auth_calls, get_user_calls] = latencies else {
        unreachable!("the auth cycle has four operations");
    };
    if sign_up(client, target, username, sign_up_calls)
        .await
        .is_none()
    {
        return false;
    }
    let confirmed = timed(confirm_calls, async {
        client
            .admin_confirm_sign_up()
            .user_pool_id(&target.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(ExampleError::from)
    })
    .await;
    if confirmed.is_none() {
        return false;
    }
    let Some(access_token) = initiate_auth(client, target, username, auth_calls).await else {
        return false;
    };
    timed(get_user_calls, async {
        client
            .get_user()
            .access_token(access_token)
            .send()
            .await
            .map_err(ExampleError::from)
    })
    .await
    .is_some()
}

async fn sign_up(
    client: &Client,
    target: &Target,
    username: &str,
    latencies: &mut Latencies,
) -> Option<()> {
    timed(latencies, async {
        client
            .sign_up()
            .client_id(&target.client_id)
            .username(username)
            .password(PASSWORD)
            .send()
            .await
            .map(drop)
            .map_err(ExampleError::from)
    })
    .await
}

/// Signs in with USER_PASSWORD_AUTH and returns the access token. An answer
/// without tokens (a challenge) counts as an error: this pool has no MFA.
async fn initiate_auth(
    client: &Client,
    target: &Target,
    username: &str,
    latencies: &mut Latencies,
) -> Option<String> {
    timed(latencies, async {
        let output = client
            .initiate_auth()
            .client_id(&target.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await?;
        output
            .authentication_result()
            .and_then(|result| result.access_token())
            .map(str::to_string)
            .ok_or_else(|| {
                ExampleError::new(format!(
                    "no access token in the answer (challenge: {:?})",
                    output.challenge_name()
                ))
            })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::admin_confirm_sign_up::AdminConfirmSignUpOutput;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::{
        CreateUserPoolClientError, CreateUserPoolClientOutput,
    };
    use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::DeleteUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput;
    use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
        InitiateAuthError, InitiateAuthOutput,
    };
    use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput;
    use aws_sdk_cognitoidentityprovider::types::error::{
        LimitExceededException, NotAuthorizedException,
    };
    use aws_sdk_cognitoidentityprovider::types::{
        AuthenticationResultType, UserPoolClientType, UserPoolType,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    const POOL_ID: &str = "us-east-1_bench";

    fn no_stop() -> Arc<AtomicBool> {
        Arc::new(AtomicBool::new(false))
    }

    fn create_pool() -> Rule {
        mock!(Client::create_user_pool)
            .match_requests(|req| {
                req.pool_name()
                    .is_some_and(|name| name.starts_with("benchmark-"))
            })
            .then_output(|| {
                CreateUserPoolOutput::builder()
                    .user_pool(UserPoolType::builder().id(POOL_ID).build())
                    .build()
            })
    }

    fn create_app_client() -> Rule {
        mock!(Client::create_user_pool_client)
            .match_requests(|req| {
                req.user_pool_id() == Some(POOL_ID)
                    && req.generate_secret() == Some(false)
                    && req.explicit_auth_flows()
                        == [
                            ExplicitAuthFlowsType::AllowUserPasswordAuth,
                            ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                        ]
            })
            .then_output(|| {
                CreateUserPoolClientOutput::builder()
                    .user_pool_client(UserPoolClientType::builder().client_id("app").build())
                    .build()
            })
    }

    fn delete_pool() -> Rule {
        mock!(Client::delete_user_pool)
            .match_requests(|req| req.user_pool_id() == Some(POOL_ID))
            .then_output(|| DeleteUserPoolOutput::builder().build())
    }

    fn sign_up() -> Rule {
        mock!(Client::sign_up)
            .match_requests(|req| {
                req.client_id() == Some("app")
                    && req.password() == Some(PASSWORD)
                    && req.username().is_some_and(|name| !name.is_empty())
            })
            .then_output(|| {
                SignUpOutput::builder()
                    .user_confirmed(false)
                    .user_sub("sub")
                    .build()
                    .unwrap()
            })
    }

    fn signed_in() -> Rule {
        mock!(Client::initiate_auth)
            .match_requests(|req| {
                req.auth_flow() == Some(&AuthFlowType::UserPasswordAuth)
                    && req.auth_parameters().is_some_and(|params| {
                        params.get("PASSWORD").map(String::as_str) == Some(PASSWORD)
                            && params.contains_key("USERNAME")
                    })
            })
            .then_output(|| {
                InitiateAuthOutput::builder()
                    .authentication_result(
                        AuthenticationResultType::builder()
                            .access_token("access-token")
                            .build(),
                    )
                    .build()
            })
    }

    fn error_meta(code: &str, message: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(code).message(message).build()
    }

    #[tokio::test]
    async fn auth_cycle_runs_the_four_calls_and_deletes_the_pool() {
        let (pool, app, delete, sign_up) =
            (create_pool(), create_app_client(), delete_pool(), sign_up());
        let confirm = mock!(Client::admin_confirm_sign_up)
            .match_requests(|req| req.user_pool_id() == Some(POOL_ID))
            .then_output(|| AdminConfirmSignUpOutput::builder().build());
        let auth = signed_in();
        let get_user = mock!(Client::get_user)
            .match_requests(|req| req.access_token() == Some("access-token"))
            .then_output(|| {
                GetUserOutput::builder()
                    .username("u")
                    .set_user_attributes(Some(Vec::new()))
                    .build()
                    .unwrap()
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&pool, &app, &delete, &sign_up, &confirm, &auth, &get_user]
        );

        let result = run(
            &client,
            Workload::AuthCycle,
            2,
            Duration::from_millis(1),
            None,
            None,
            &no_stop(),
        )
        .await
        .unwrap();

        assert!(result.completed >= 2, "each worker completes a cycle");
        let names: Vec<_> = result
            .operations
            .iter()
            .map(|op| op.operation.as_str())
            .collect();
        assert_eq!(
            names,
            ["SignUp", "AdminConfirmSignUp", "InitiateAuth", "GetUser"]
        );
        for op in &result.operations {
            assert_eq!((op.count, op.errors), (result.completed, 0), "{op:?}");
        }
        assert_eq!(get_user.num_calls() as u64, result.completed);
        assert_eq!(delete.num_calls(), 1);
        assert!(result.server.is_none());
        assert!(result.client_cpu_s.is_some());
    }

    #[tokio::test]
    async fn failed_calls_are_counted_not_fatal() {
        let (pool, app, delete, sign_up) =
            (create_pool(), create_app_client(), delete_pool(), sign_up());
        let confirm = mock!(Client::admin_confirm_sign_up)
            .then_output(|| AdminConfirmSignUpOutput::builder().build());
        let refused = mock!(Client::initiate_auth).then_error(|| {
            InitiateAuthError::NotAuthorizedException(
                NotAuthorizedException::builder()
                    .meta(error_meta(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ))
                    .build(),
            )
        });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&pool, &app, &delete, &sign_up, &confirm, &refused]
        );

        let result = run(
            &client,
            Workload::InitiateAuth,
            3,
            Duration::from_millis(1),
            Some(u32::MAX),
            None,
            &no_stop(),
        )
        .await
        .unwrap();

        assert_eq!(sign_up.num_calls(), 1, "one user for the whole workload");
        assert_eq!(result.completed, 0);
        let auth = &result.operations[0];
        assert_eq!(auth.count, 0);
        assert!(auth.errors >= 3);
        assert_eq!(
            auth.first_error.as_deref(),
            Some("NotAuthorizedException: Incorrect username or password.")
        );
        assert!(result.server.is_none(), "no such process");
        assert_eq!(delete.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_failed_setup_names_the_step_and_still_deletes_the_pool() {
        let (pool, delete) = (create_pool(), delete_pool());
        let limit = mock!(Client::create_user_pool_client).then_error(|| {
            CreateUserPoolClientError::LimitExceededException(
                LimitExceededException::builder()
                    .meta(error_meta("LimitExceededException", "Too many clients."))
                    .build(),
            )
        });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&pool, &limit, &delete]
        );

        let err = run(
            &client,
            Workload::SignUp,
            1,
            Duration::from_millis(1),
            None,
            None,
            &no_stop(),
        )
        .await
        .unwrap_err();

        assert_eq!(
            err.to_string(),
            "setup failed at CreateUserPoolClient: LimitExceededException: Too many clients."
        );
        assert_eq!(delete.num_calls(), 1);
    }

    #[tokio::test]
    async fn stop_ends_the_run_early_and_the_pool_is_still_deleted() {
        let stop = no_stop();
        let (pool, app, delete) = (create_pool(), create_app_client(), delete_pool());
        let pressed = Arc::clone(&stop);
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Ctrl-C arrives while the first SignUp is in flight. A worker that
        // starts another call after it fails the test (the call panics the
        // worker, and the run reports it), instead of running its hour.
        let sign_up = mock!(Client::sign_up).then_output(move || {
            pressed.store(true, Ordering::Relaxed);
            let call = calls.fetch_add(1, Ordering::Relaxed) + 1;
            assert!(call <= 3, "SignUp call {call} began after Ctrl-C");
            SignUpOutput::builder()
                .user_confirmed(false)
                .user_sub("sub")
                .build()
                .unwrap()
        });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&pool, &app, &delete, &sign_up]
        );

        let an_hour = Duration::from_secs(3600);
        let run = run(&client, Workload::SignUp, 3, an_hour, None, None, &stop);
        let result = run
            .await
            .expect("the run stops instead of lasting its hour");

        assert_eq!(
            result.completed, 3,
            "each worker finishes the call it started"
        );
        assert_eq!(delete.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_trigger_workload_refuses_to_run_without_its_function() {
        let pool = create_pool();
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&pool]);

        let err = run(
            &client,
            Workload::SignUpTrigger,
            1,
            Duration::from_millis(1),
            None,
            None,
            &no_stop(),
        )
        .await
        .unwrap_err();

        assert_eq!(
            err.to_string(),
            "the signup-trigger workload needs a PreSignUp trigger function"
        );
        assert_eq!(pool.num_calls(), 0, "no pool is created");
    }

    #[test]
    fn memory_per_user_is_the_growth_over_the_users() {
        let at = |cpu_s, rss_kb| Usage {
            cpu_s,
            rss_kb,
            peak_rss_kb: rss_kb,
        };
        let usage = ServerUsage::between(at(1.0, 10_000), at(1.5, 10_100), at(9.5, 11_000), 2048);
        assert_eq!(usage.cpu_s, 8.0);
        assert_eq!(usage.bytes_per_user, Some(500.0));
        let none = ServerUsage::between(at(1.0, 10_000), at(1.0, 10_000), at(1.0, 9_000), 0);
        assert_eq!(none.bytes_per_user, None);
    }
}
