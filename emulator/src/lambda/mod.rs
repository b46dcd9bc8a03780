//! AWS Lambda (`lambda`), REST-JSON under `/2015-03-31/functions`:
//! CreateFunction (zip packages for the `provided.al2023` and `provided.al2`
//! runtimes), GetFunction, GetFunctionConfiguration, ListFunctions, Invoke,
//! AddPermission, RemovePermission, GetPolicy, DeleteFunction.
//!
//! Functions really run, without Docker: the zip is unpacked into a private
//! directory and its `bootstrap` runs as a child process that talks to the
//! Lambda Runtime API (see `instance`). Instances stay warm between
//! invocations, are killed when they exceed the function's timeout, when
//! the function is deleted and when the emulator stops. Their output goes to
//! CloudWatch Logs, group `/aws/lambda/{name}`, one stream per instance.
//!
//! Cognito invokes its triggers through [`LambdaService::invoke_as_service`],
//! which checks the function's resource policy first, as Lambda does.

mod api;
mod code;
mod errors;
mod function;
mod instance;
pub mod model;
mod persist;
mod policy;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use base64::Engine;
use serde_json::Value;

use crate::Config;
use crate::aws_json::ServiceError;
use crate::iam::IamService;
use crate::logs::LogsService;
use crate::persist::Journal;
use function::Function;
use instance::{Death, Instance, RunResult, SpawnError};

/// Instances one function may run at once; more concurrent invocations are
/// throttled (`TooManyRequestsException`), as Lambda does at its limit.
const MAX_INSTANCES: usize = 16;

/// The request body limit the front door needs for Lambda (CreateFunction
/// carries a zip of up to 50 MB, base64, in JSON).
pub const MAX_REQUEST_BODY: usize = api::MAX_CREATE_REQUEST;

/// Why [`LambdaService::invoke_as_service`] did not return the function's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// No such function (or a version/alias other than `$LATEST`).
    NotFound,
    /// The function's resource policy does not let the caller invoke it.
    AccessDenied,
    /// The function failed: its error type and message (a timeout of the
    /// function itself is one: `Sandbox.Timedout`).
    FunctionError { error_type: String, message: String },
    /// The caller's own time limit passed first.
    Timeout,
    /// Lambda refused the invocation (the function is still `Pending`,
    /// throttled, the emulator is stopping): the Lambda error code and message.
    Unavailable { code: &'static str, message: String },
}

/// One emulator's Lambda.
pub struct LambdaService {
    region: String,
    account_id: String,
    /// `AWS_ENDPOINT_URL` for the functions: the emulator itself.
    endpoint: String,
    iam: Arc<IamService>,
    logs: Arc<LogsService>,
    functions: RwLock<HashMap<String, Arc<Function>>>,
    stopped: AtomicBool,
    /// Where changes are reported: functions created and deleted, their
    /// permissions (see `persist`).
    journal: Journal,
    /// The API's output shapes, which debug builds check each answer against.
    model: crate::validation::Model,
}

/// The answer of one invocation.
pub(crate) struct InvokeOutput {
    pub payload: Bytes,
    /// `X-Amz-Function-Error: Unhandled`.
    pub function_error: bool,
    /// The invocation's log (START to REPORT), when asked for.
    pub log: Option<String>,
}

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl LambdaService {
    pub(crate) fn new(
        config: &Config,
        endpoint: &str,
        iam: Arc<IamService>,
        logs: Arc<LogsService>,
        journal: Journal,
    ) -> Self {
        // A function reaches the emulator over loopback even when the
        // emulator listens on every interface.
        let endpoint = endpoint
            .replace("://0.0.0.0:", "://127.0.0.1:")
            .replace("://[::]:", "://[::1]:");
        code::remove_stale();
        LambdaService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            endpoint,
            iam,
            logs,
            functions: RwLock::new(HashMap::new()),
            model: crate::validation::Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            stopped: AtomicBool::new(false),
            journal,
        }
    }

    fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.region, self.account_id
        )
    }

    /// The function a name, partial ARN or ARN (with optional `:$LATEST`)
    /// names, if it exists.
    fn lookup(&self, reference: &str) -> Option<Arc<Function>> {
        let (name, qualifier) = self.parse_reference(reference)?;
        if qualifier.is_some_and(|q| q != "$LATEST") {
            return None;
        }
        self.functions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    /// Splits `name`, `account:function:name` or
    /// `arn:aws:lambda:region:account:function:name`, each with an optional
    /// `:qualifier`; `None` when it names a function of another Region or account.
    fn parse_reference<'a>(&self, reference: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        let parts: Vec<&str> = reference.split(':').collect();
        match parts.as_slice() {
            [name] => Some((name, None)),
            [name, qualifier] => Some((name, Some(qualifier))),
            [account, "function", name] => (*account == self.account_id).then_some((name, None)),
            [account, "function", name, qualifier] => {
                (*account == self.account_id).then_some((name, Some(qualifier)))
            }
            [
                "arn",
                _,
                "lambda",
                region,
                account,
                "function",
                name,
                rest @ ..,
            ] if rest.len() <= 1 => (*region == self.region && *account == self.account_id)
                .then_some((name, rest.first().copied())),
            _ => None,
        }
    }

    /// Invokes `function_arn` synchronously as the service `principal` (e.g.
    /// `cognito-idp.amazonaws.com`) on behalf of `source_arn` (the user
    /// pool's ARN), after checking the function's resource policy as Lambda
    /// does. Gives up after `timeout` (the function keeps running until its
    /// own timeout, as in Lambda). Returns the function's answer as JSON
    /// (`Value::Null` when it is not JSON).
    pub async fn invoke_as_service(
        &self,
        function_arn: &str,
        principal: &str,
        source_arn: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, InvokeError> {
        let Some(function) = self.lookup(function_arn) else {
            return Err(InvokeError::NotFound);
        };
        if !function.allows_service(principal, source_arn) {
            return Err(InvokeError::AccessDenied);
        }
        let payload = Bytes::from(payload.to_string());
        let invocation = self.invoke_function(&function, payload, false, None);
        let output = match tokio::time::timeout(timeout, invocation).await {
            Err(_) => return Err(InvokeError::Timeout),
            Ok(Err(error)) => {
                return Err(InvokeError::Unavailable {
                    code: error.code,
                    message: error.message,
                });
            }
            Ok(Ok(output)) => output,
        };
        let answer: Value = serde_json::from_slice(&output.payload).unwrap_or(Value::Null);
        if output.function_error {
            let text = |key: &str| {
                answer
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            return Err(InvokeError::FunctionError {
                error_type: text("errorType"),
                message: text("errorMessage"),
            });
        }
        Ok(answer)
    }

    /// Runs one invocation on a warm instance or a new one. The work runs
    /// in a task of its own, so a caller that stops waiting (a client that
    /// hangs up, Cognito's 5-second limit) leaves the timeout, the logs and
    /// the instance's return to the pool intact.
    pub(crate) async fn invoke_function(
        &self,
        function: &Arc<Function>,
        payload: Bytes,
        tail: bool,
        client_context: Option<String>,
    ) -> Result<InvokeOutput, ServiceError> {
        if self.stopped.load(Ordering::Acquire) {
            return Err(errors::shutting_down());
        }
        if !function.is_active() {
            return Err(errors::function_pending());
        }
        let (instance, cold) = match function.take_idle() {
            Some(instance) => (instance, false),
            None => match self.start_instance(function).await? {
                Ok(instance) => (instance, true),
                Err(output) => return Ok(output),
            },
        };
        let function = function.clone();
        let task = tokio::spawn(async move {
            run_on(function, instance, cold, payload, tail, client_context).await
        });
        task.await
            .map_err(|err| errors::service(format!("invocation failed: {err}")))
    }

    /// Starts a new instance; `Ok(Err(output))` is the function error a
    /// bootstrap that cannot start produces.
    async fn start_instance(
        &self,
        function: &Arc<Function>,
    ) -> Result<Result<Arc<Instance>, InvokeOutput>, ServiceError> {
        if function.live_instances() >= MAX_INSTANCES {
            return Err(errors::too_many_requests());
        }
        let launch = function.launch(&self.region, &self.endpoint);
        match Instance::spawn(&launch, self.logs.clone()).await {
            Ok(instance) => {
                if !function.register(&instance) || self.stopped.load(Ordering::Acquire) {
                    instance.kill_and_wait().await;
                    return Err(errors::function_not_found(&function.arn));
                }
                Ok(Ok(instance))
            }
            Err(SpawnError::Internal(message)) => Err(errors::service(message)),
            Err(SpawnError::InvalidEntrypoint(message)) => {
                let request_id = crate::new_uuid().to_string();
                let stream = format!(
                    "{}/[$LATEST]{}",
                    chrono::Utc::now().format("%Y/%m/%d"),
                    crate::new_uuid().simple()
                );
                let message = format!("RequestId: {request_id} Error: {message}");
                self.logs.append(
                    &function.config.log_group,
                    &stream,
                    vec![
                        (
                            now_millis(),
                            format!("START RequestId: {request_id} Version: $LATEST"),
                        ),
                        (now_millis(), message.clone()),
                        (now_millis(), "Runtime.InvalidEntrypoint".to_owned()),
                        (now_millis(), format!("END RequestId: {request_id}")),
                    ],
                );
                Ok(Err(InvokeOutput {
                    payload: instance::error_document("Runtime.InvalidEntrypoint", &message),
                    function_error: true,
                    log: None,
                }))
            }
        }
    }

    /// Kills every instance of every function, waits until they are gone
    /// and removes the unpacked code. Lambda refuses work afterwards.
    pub async fn shutdown(&self) {
        self.stopped.store(true, Ordering::Release);
        let functions: Vec<Arc<Function>> = self
            .functions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, f)| f)
            .collect();
        for function in functions {
            function.shut_down().await;
        }
    }

    /// [`LambdaService::shutdown`] without waiting: kills every process
    /// group at once (for an emulator dropped without `stop`).
    pub fn kill_now(&self) {
        self.stopped.store(true, Ordering::Release);
        self.forget_functions_now();
    }

    /// Forgets every function, killing its processes at once.
    pub(crate) fn forget_functions_now(&self) {
        let functions: Vec<Arc<Function>> = self
            .functions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, f)| f)
            .collect();
        for function in functions {
            function.shut_down_now();
        }
    }
}

impl Drop for LambdaService {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// One invocation on `instance`, with Lambda's START/END/REPORT lines.
async fn run_on(
    function: Arc<Function>,
    instance: Arc<Instance>,
    cold: bool,
    payload: Bytes,
    tail: bool,
    client_context: Option<String>,
) -> InvokeOutput {
    let request_id = crate::new_uuid().to_string();
    let started = Instant::now();
    let (result, delivered) = instance.run(&request_id, payload, client_context).await;
    let duration = started.elapsed();
    if !delivered {
        instance.start(format!("START RequestId: {request_id} Version: $LATEST"));
    }
    let mut lines = Vec::new();
    let mut status = None;
    // A runtime that answered takes the next event; one that did not is killed.
    let reusable = matches!(result, RunResult::Response(_) | RunResult::Error(_));
    let (payload, function_error) = match result {
        RunResult::Response(body) => (body, false),
        RunResult::Error(body) => (body, true),
        RunResult::Timeout => {
            instance.kill();
            let seconds = function.config.timeout as f64;
            lines.push(format!(
                "{} {request_id} Task timed out after {seconds:.2} seconds",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ")
            ));
            status = Some("timeout");
            let message =
                format!("RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds");
            (instance::error_document("Sandbox.Timedout", &message), true)
        }
        RunResult::Died(Death::InitError(body)) => {
            instance.kill();
            status = Some("error");
            (body, true)
        }
        RunResult::Died(death) => {
            instance.kill();
            let reason = match death {
                Death::Exited(reason) => reason,
                _ => "signal: killed".to_owned(),
            };
            let message =
                format!("RequestId: {request_id} Error: Runtime exited with error: {reason}");
            lines.push(message.clone());
            lines.push("Runtime.ExitError".to_owned());
            status = Some("error");
            (
                instance::error_document("Runtime.ExitError", &message),
                true,
            )
        }
    };
    let millis = duration.as_secs_f64() * 1000.0;
    let mut report = format!(
        "REPORT RequestId: {request_id}\tDuration: {millis:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        millis.ceil().max(1.0) as u64,
        instance.memory_mb,
        instance.max_memory_used_mb(),
    );
    if cold {
        if let Some(init) = instance.init_duration() {
            report.push_str(&format!(
                "\tInit Duration: {:.2} ms",
                init.as_secs_f64() * 1000.0
            ));
        }
    }
    if let Some(status) = status {
        report.push_str(&format!("\tStatus: {status}"));
    }
    lines.push(format!("END RequestId: {request_id}"));
    lines.push(report);
    let log = instance.finish(lines, tail);
    // Back to the pool only once its closing lines are queued, so that they
    // come before the next invocation's START.
    if reusable {
        function.release(instance);
    }
    let log = match log {
        Some(log) => log.await.ok(),
        None => None,
    };
    InvokeOutput {
        payload,
        function_error,
        log,
    }
}

/// The last 4 KB of an invocation's log, base64 (`X-Amz-Log-Result`).
pub(crate) fn log_result(log: &str) -> String {
    let mut start = log.len().saturating_sub(4096);
    while !log.is_char_boundary(start) {
        start += 1;
    }
    base64::engine::general_purpose::STANDARD.encode(&log.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> LambdaService {
        let config = Config::default();
        LambdaService::new(
            &config,
            "http://0.0.0.0:4566",
            Arc::new(IamService::new(&config, Journal::memory())),
            Arc::new(LogsService::new(&config, Journal::memory())),
            Journal::memory(),
        )
    }

    #[test]
    fn references_resolve_names_and_arns() {
        let lambda = service();
        assert_eq!(lambda.parse_reference("f"), Some(("f", None)));
        assert_eq!(
            lambda.parse_reference("f:$LATEST"),
            Some(("f", Some("$LATEST")))
        );
        assert_eq!(
            lambda.parse_reference("000000000000:function:f"),
            Some(("f", None))
        );
        assert_eq!(
            lambda.parse_reference("arn:aws:lambda:us-east-1:000000000000:function:f:7"),
            Some(("f", Some("7")))
        );
        assert_eq!(
            lambda.parse_reference("arn:aws:lambda:eu-west-1:000000000000:function:f"),
            None
        );
        assert_eq!(lambda.parse_reference("111111111111:function:f"), None);
    }

    #[test]
    fn functions_call_back_over_loopback() {
        assert_eq!(service().endpoint, "http://127.0.0.1:4566");
    }

    #[test]
    fn log_result_keeps_the_last_4_kb() {
        let log = format!("{}END", "x".repeat(5000));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(log_result(&log))
            .unwrap();
        assert_eq!(decoded.len(), 4096);
        assert!(decoded.ends_with(b"END"));
    }
}
