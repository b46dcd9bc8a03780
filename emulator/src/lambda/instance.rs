//! One execution environment of a function: its `bootstrap` running as a
//! child process, the Lambda Runtime API it polls, and its log stream.
//!
//! Lambda gives every execution environment its own Runtime API endpoint,
//! and the runtime clients (the `lambda_runtime` crate, `aws-lambda-go`,
//! a shell script with curl) build their URLs from `AWS_LAMBDA_RUNTIME_API`
//! as `host:port` with nothing else. So each instance gets a listener of its
//! own on the loopback interface, serving the Runtime API routes of the
//! emulator for that instance only: that is how a `/next` request is known to
//! come from this process and not from another function's.
//!
//! The process runs in a process group of its own; it is killed (the whole
//! group, so nothing it started survives) on timeout, when its function is
//! deleted, when the emulator stops, and when the instance is dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::logs::LogsService;

/// The largest response a function may return (Lambda's synchronous limit).
pub(crate) const MAX_RESPONSE: usize = 6 * 1024 * 1024;
/// How long the runtime may take to ask for its first event (Lambda's init limit).
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// After an invocation ends, output that arrives within this much of the
/// previous line still belongs to it (the pipes are read asynchronously).
const SETTLE: Duration = Duration::from_millis(5);
/// How much log text an instance keeps for `LogType=Tail`.
const TAIL_KEEP: usize = 8 * 1024;

/// What an instance needs to know about its function.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub function_name: String,
    pub runtime: String,
    pub function_arn: String,
    pub handler: String,
    pub memory_mb: i64,
    pub timeout: Duration,
    pub region: String,
    /// Where SDK calls made by the function go (`AWS_ENDPOINT_URL`).
    pub endpoint: String,
    pub log_group: String,
    pub code_dir: PathBuf,
    /// The function's own environment variables.
    pub variables: Vec<(String, String)>,
}

/// How an instance ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Death {
    /// The process exited by itself (`exit status 1`, `signal: 9 (SIGKILL)`).
    Exited(String),
    /// The runtime reported an initialization error (the body it posted).
    InitError(Bytes),
    /// The emulator killed it.
    Killed,
}

/// What the runtime answered for one event.
#[derive(Debug)]
pub(crate) enum RunResult {
    Response(Bytes),
    /// The error document the runtime posted (normalized to a JSON object).
    Error(Bytes),
    /// No answer within the function's timeout.
    Timeout,
    /// The instance died before answering.
    Died(Death),
}

/// What a runtime posts to `.../response` or `.../error`.
enum Answer {
    Response(Bytes),
    Error(Bytes),
}

/// An event waiting for (or handed to) the runtime.
struct Invocation {
    request_id: String,
    payload: Bytes,
    client_context: Option<String>,
    answer: oneshot::Sender<Answer>,
    delivered: oneshot::Sender<()>,
}

/// The event the runtime is working on.
struct InFlight {
    request_id: String,
    answer: oneshot::Sender<Answer>,
}

/// Messages to the instance's log writer.
enum LogMsg {
    /// A line of output or a line the platform writes.
    Line(String),
    /// `START ...`: the tail kept for `LogType=Tail` starts again.
    Start(String),
    /// The closing lines of an invocation (END, REPORT), written after the
    /// function's last output; the tail is sent back when asked for.
    Finish(Vec<String>, Option<oneshot::Sender<String>>),
    /// The instance is gone: write what came before, then stop, so that no
    /// late line recreates a log group deleted after the function.
    Close,
}

/// Why an instance could not start.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// The bootstrap is missing or cannot be executed (`Runtime.InvalidEntrypoint`).
    InvalidEntrypoint(String),
    /// The emulator could not set the instance up.
    Internal(String),
}

/// A running execution environment.
pub(crate) struct Instance {
    pub pid: u32,
    pub memory_mb: i64,
    spawned: Instant,
    first_poll: OnceLock<Instant>,
    timeout: Duration,
    function_arn: String,
    work_tx: mpsc::Sender<Invocation>,
    work_rx: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    current: Mutex<Option<InFlight>>,
    kill_tx: watch::Sender<bool>,
    death: watch::Sender<Option<Death>>,
    log_tx: mpsc::UnboundedSender<LogMsg>,
    server: Mutex<Option<JoinHandle<()>>>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    log_writer: Mutex<Option<JoinHandle<()>>>,
}

/// Kills a process group when dropped (and on request), so that nothing a
/// bootstrap started outlives it, even if the supervising task is dropped.
struct ProcessGroup(i32);

impl ProcessGroup {
    fn kill(&self) {
        kill_group(self.0);
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Sends SIGKILL to the process group `pgid` (no-op for an invalid id).
pub(crate) fn kill_group(pgid: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

impl Instance {
    /// Starts the function's bootstrap with the Lambda environment and its
    /// own Runtime API endpoint. Ready to take an event when this returns
    /// (the runtime initializes while the first event waits).
    pub async fn spawn(
        launch: &Launch,
        logs: Arc<LogsService>,
    ) -> Result<Arc<Instance>, SpawnError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|err| SpawnError::Internal(format!("cannot bind the Runtime API: {err}")))?;
        let runtime_api: SocketAddr = listener
            .local_addr()
            .map_err(|err| SpawnError::Internal(err.to_string()))?;
        let stream = stream_name();
        let bootstrap = launch.code_dir.join("bootstrap");
        let mut command = Command::new(&bootstrap);
        command
            .current_dir(&launch.code_dir)
            .env_clear()
            .envs(environment(launch, runtime_api, &stream))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        // If the emulator itself is killed (SIGKILL leaves it no chance to
        // clean up), the kernel kills the bootstrap too.
        #[cfg(target_os = "linux")]
        // SAFETY: the closure runs in the child between fork and exec and
        // only calls prctl(2), which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|err| {
            SpawnError::InvalidEntrypoint(if err.kind() == std::io::ErrorKind::NotFound {
                "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]".to_owned()
            } else {
                format!("fork/exec /var/task/bootstrap: {}", error_text(&err))
            })
        })?;
        let Some(pid) = child.id() else {
            return Err(SpawnError::Internal("the bootstrap exited at once".into()));
        };
        let group = ProcessGroup(pid as i32);
        let (work_tx, work_rx) = mpsc::channel(1);
        let (kill_tx, kill_rx) = watch::channel(false);
        let (log_tx, log_rx) = mpsc::unbounded_channel();
        let instance = Arc::new(Instance {
            pid,
            memory_mb: launch.memory_mb,
            spawned: Instant::now(),
            first_poll: OnceLock::new(),
            timeout: launch.timeout,
            function_arn: launch.function_arn.clone(),
            work_tx,
            work_rx: tokio::sync::Mutex::new(work_rx),
            current: Mutex::new(None),
            kill_tx,
            death: watch::channel(None).0,
            log_tx,
            server: Mutex::new(None),
            supervisor: Mutex::new(None),
            log_writer: Mutex::new(None),
        });
        *lock(&instance.log_writer) = Some(tokio::spawn(write_logs(
            log_rx,
            logs,
            launch.log_group.clone(),
            stream,
        )));
        instance.line(format!(
            "INIT_START Runtime Version: {}",
            launch.runtime.replace('.', ":")
        ));
        if let Some(out) = child.stdout.take() {
            tokio::spawn(forward_lines(out, instance.log_tx.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(forward_lines(err, instance.log_tx.clone()));
        }
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(post_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(post_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .fallback(unknown_route)
            .layer(DefaultBodyLimit::max(MAX_RESPONSE * 2))
            .with_state(instance.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                tracing::warn!("runtime API stopped: {err}");
            }
        });
        *lock(&instance.server) = Some(server);
        let supervisor = tokio::spawn(supervise(child, group, kill_rx, instance.clone()));
        *lock(&instance.supervisor) = Some(supervisor);
        Ok(instance)
    }

    /// Whether the process is still running.
    pub fn is_alive(&self) -> bool {
        self.death.borrow().is_none()
    }

    /// How long the runtime took to initialize (spawn to first `/next`).
    pub fn init_duration(&self) -> Option<Duration> {
        self.first_poll
            .get()
            .map(|at| at.saturating_duration_since(self.spawned))
    }

    /// Hands `payload` to the runtime and waits for its answer, the
    /// function's timeout, or the end of the instance.
    /// The `START` line is written when the runtime takes the event (after
    /// its initialization output); the flag says whether it did.
    pub async fn run(
        &self,
        request_id: &str,
        payload: Bytes,
        client_context: Option<String>,
    ) -> (RunResult, bool) {
        let mut death = self.death.subscribe();
        let (answer_tx, answer_rx) = oneshot::channel();
        let (delivered_tx, delivered_rx) = oneshot::channel();
        let invocation = Invocation {
            request_id: request_id.to_owned(),
            payload,
            client_context,
            answer: answer_tx,
            delivered: delivered_tx,
        };
        if self.work_tx.send(invocation).await.is_err() {
            return (RunResult::Died(Death::Killed), false);
        }
        let delivered = tokio::select! {
            delivered = delivered_rx => delivered.is_ok(),
            _ = death.wait_for(Option::is_some) => false,
            _ = tokio::time::sleep(INIT_TIMEOUT) => return (RunResult::Timeout, false),
        };
        if !delivered {
            return (self.died(&mut death).await, false);
        }
        let answer = tokio::select! {
            answer = answer_rx => answer.ok(),
            _ = death.wait_for(Option::is_some) => None,
            _ = tokio::time::sleep(self.timeout) => return (RunResult::Timeout, true),
        };
        let result = match answer {
            Some(Answer::Response(body)) => RunResult::Response(body),
            Some(Answer::Error(body)) => RunResult::Error(body),
            None => self.died(&mut death).await,
        };
        (result, true)
    }

    async fn died(&self, death: &mut watch::Receiver<Option<Death>>) -> RunResult {
        // An answer channel can close a moment before the death is recorded.
        let reason =
            match tokio::time::timeout(Duration::from_secs(2), death.wait_for(Option::is_some))
                .await
            {
                Ok(Ok(reason)) => reason.clone().unwrap_or(Death::Killed),
                _ => Death::Exited("the runtime dropped the event".into()),
            };
        RunResult::Died(reason)
    }

    /// Asks the supervisor to kill the process group (returns at once).
    pub fn kill(&self) {
        let _ = self.kill_tx.send(true);
    }

    /// Kills the process group and waits until the process has been reaped.
    pub async fn kill_and_wait(&self) {
        self.kill();
        let mut death = self.death.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(5), death.wait_for(Option::is_some)).await;
        let supervisor = lock(&self.supervisor).take();
        if let Some(supervisor) = supervisor {
            let _ = tokio::time::timeout(Duration::from_secs(5), supervisor).await;
        }
        let _ = self.log_tx.send(LogMsg::Close);
        let writer = lock(&self.log_writer).take();
        if let Some(writer) = writer {
            let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
        }
    }

    /// Kills the process group at once, without waiting (for `Drop`).
    pub fn kill_now(&self) {
        kill_group(self.pid as i32);
        self.kill();
    }

    /// Writes a line to the instance's log stream.
    pub fn line(&self, line: String) {
        let _ = self.log_tx.send(LogMsg::Line(line));
    }

    /// Writes `START ...` and starts a new tail.
    pub fn start(&self, line: String) {
        let _ = self.log_tx.send(LogMsg::Start(line));
    }

    /// Writes the closing lines after the function's own output; with
    /// `tail`, the invocation's log text arrives on the returned channel.
    pub fn finish(&self, lines: Vec<String>, tail: bool) -> Option<oneshot::Receiver<String>> {
        let (reply, log) = if tail {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let _ = self.log_tx.send(LogMsg::Finish(lines, reply));
        log
    }

    /// Peak resident memory of the bootstrap process in MB (best effort).
    pub fn max_memory_used_mb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map_or(0, |kb| kb.div_ceil(1024))
    }

    fn record_death(&self, reason: Death) {
        self.death.send_if_modified(|death| {
            if death.is_none() {
                *death = Some(reason);
                true
            } else {
                false
            }
        });
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn error_text(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// The environment of a Lambda execution environment; nothing of the
/// emulator's own environment leaks in but `PATH`.
fn environment(launch: &Launch, runtime_api: SocketAddr, stream: &str) -> Vec<(String, String)> {
    let task_root = launch.code_dir.display().to_string();
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    let mut env: Vec<(String, String)> = [
        ("PATH", path.as_str()),
        ("LANG", "en_US.UTF-8"),
        ("TZ", ":UTC"),
        ("LAMBDA_TASK_ROOT", task_root.as_str()),
        ("LAMBDA_RUNTIME_DIR", task_root.as_str()),
        ("_HANDLER", launch.handler.as_str()),
        ("AWS_LAMBDA_RUNTIME_API", &runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", launch.function_name.as_str()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            &launch.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", launch.log_group.as_str()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("AWS_REGION", launch.region.as_str()),
        ("AWS_DEFAULT_REGION", launch.region.as_str()),
        ("AWS_ACCESS_KEY_ID", "ASIAEMULATOREXAMPLE0"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "emulator/secret/access/key/not/a/real/one",
        ),
        ("AWS_SESSION_TOKEN", "emulator-session-token"),
        ("AWS_ENDPOINT_URL", launch.endpoint.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    // The function's own variables come last; reserved names were refused
    // when the function was created, so these only add (or set
    // AWS_ENDPOINT_URL, which a function may point elsewhere).
    env.extend(launch.variables.iter().cloned());
    env
}

/// `2026/11/26/[$LATEST]` + 32 hex digits, as Lambda names instance streams.
fn stream_name() -> String {
    format!(
        "{}/[$LATEST]{}",
        chrono::Utc::now().format("%Y/%m/%d"),
        crate::new_uuid().simple()
    )
}

/// Waits for the process to exit or for a kill request; then kills the
/// group, records why the instance ended and stops its Runtime API.
async fn supervise(
    mut child: Child,
    group: ProcessGroup,
    mut kill_rx: watch::Receiver<bool>,
    instance: Arc<Instance>,
) {
    let exited = tokio::select! {
        status = child.wait() => Some(match status {
            Ok(status) => describe_exit(status),
            Err(err) => err.to_string(),
        }),
        _ = kill_rx.wait_for(|kill| *kill) => None,
    };
    let reason = match exited {
        Some(exit) => Death::Exited(exit),
        None => {
            group.kill();
            let _ = child.kill().await;
            Death::Killed
        }
    };
    // Whatever the bootstrap left running in its group goes too.
    group.kill();
    drop(group);
    instance.record_death(reason);
    // A runtime that was waiting for an event gets no answer; close it.
    let server = lock(&instance.server).take();
    if let Some(server) = server {
        server.abort();
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(9)) => "signal: killed".into(),
        (None, Some(signal)) => format!("signal: {signal}"),
        _ => status.to_string(),
    }
}

/// Sends each line of `pipe` to the log writer.
async fn forward_lines(pipe: impl AsyncRead + Unpin, tx: mpsc::UnboundedSender<LogMsg>) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if tx.send(LogMsg::Line(line)).is_err() {
            break;
        }
    }
}

/// Appends the instance's lines to its log stream, keeping the text since
/// the last `START` for `LogType=Tail`.
async fn write_logs(
    mut rx: mpsc::UnboundedReceiver<LogMsg>,
    logs: Arc<LogsService>,
    group: String,
    stream: String,
) {
    let mut tail = String::new();
    let push = |line: String, tail: &mut String| {
        tail.push_str(&line);
        tail.push('\n');
        if tail.len() > TAIL_KEEP {
            let mut cut = tail.len() - TAIL_KEEP / 2;
            while !tail.is_char_boundary(cut) {
                cut += 1;
            }
            tail.drain(..cut);
        }
        logs.append(&group, &stream, vec![(super::now_millis(), line)]);
    };
    let mut pending: Option<LogMsg> = None;
    loop {
        let msg = match pending.take() {
            Some(msg) => msg,
            None => match rx.recv().await {
                Some(msg) => msg,
                None => break,
            },
        };
        match msg {
            LogMsg::Close => break,
            LogMsg::Line(line) => push(line, &mut tail),
            LogMsg::Start(line) => {
                tail.clear();
                push(line, &mut tail);
            }
            LogMsg::Finish(lines, reply) => {
                // Output the function wrote before answering may still be in
                // the pipe: take what follows closely before closing.
                loop {
                    match tokio::time::timeout(SETTLE, rx.recv()).await {
                        Ok(Some(LogMsg::Line(line))) => push(line, &mut tail),
                        Ok(Some(other)) => {
                            pending = Some(other);
                            break;
                        }
                        Ok(None) | Err(_) => break,
                    }
                }
                for line in lines {
                    push(line, &mut tail);
                }
                if let Some(reply) = reply {
                    let _ = reply.send(tail.clone());
                }
            }
        }
    }
}

// ---- The Runtime API (one server per instance) ----

fn runtime_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json!({ "errorMessage": message, "errorType": error_type }).to_string(),
    )
        .into_response()
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        [("content-type", "application/json")],
        r#"{"status":"OK"}"#,
    )
        .into_response()
}

/// `GET /2018-06-01/runtime/invocation/next`: waits for the next event.
async fn next(State(instance): State<Arc<Instance>>) -> Response {
    instance.first_poll.get_or_init(Instant::now);
    let invocation = {
        let mut rx = instance.work_rx.lock().await;
        rx.recv().await
    };
    let Some(invocation) = invocation else {
        return runtime_error(
            StatusCode::GONE,
            "Runtime.Shutdown",
            "The environment is shutting down",
        );
    };
    // Let the pipe readers pass on what the runtime printed while it
    // initialized, so that it comes before START.
    tokio::task::yield_now().await;
    instance.start(format!(
        "START RequestId: {} Version: $LATEST",
        invocation.request_id
    ));
    let deadline_ms = super::now_millis() + instance.timeout.as_millis() as i64;
    let request_id = invocation.request_id.clone();
    *lock(&instance.current) = Some(InFlight {
        request_id: request_id.clone(),
        answer: invocation.answer,
    });
    let _ = invocation.delivered.send(());
    let mut response = (StatusCode::OK, invocation.payload).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", &request_id);
    set("lambda-runtime-deadline-ms", &deadline_ms.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        &instance.function_arn,
    );
    set("lambda-runtime-trace-id", &trace_id());
    if let Some(context) = &invocation.client_context {
        set("lambda-runtime-client-context", context);
    }
    response
}

/// An X-Ray trace header (`Root=1-{time}-{id};Parent=...;Sampled=0`).
fn trace_id() -> String {
    let now = super::now_millis() / 1000;
    let root = crate::new_uuid().simple().to_string();
    let parent = crate::new_uuid().simple().to_string();
    format!(
        "Root=1-{now:08x}-{};Parent={};Sampled=0",
        &root[..24],
        &parent[..16]
    )
}

/// The in-flight event if `id` names it.
fn take_current(instance: &Instance, id: &str) -> Option<InFlight> {
    let mut current = lock(&instance.current);
    if current.as_ref().is_some_and(|c| c.request_id == id) {
        current.take()
    } else {
        None
    }
}

/// `POST /2018-06-01/runtime/invocation/{id}/response`.
async fn post_response(
    State(instance): State<Arc<Instance>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(in_flight) = take_current(&instance, &id) else {
        return runtime_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            "Invalid request ID",
        );
    };
    if body.len() > MAX_RESPONSE {
        let error = error_document(
            "Function.ResponseSizeTooLarge",
            &format!(
                "Response payload size ({} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE} bytes).",
                body.len()
            ),
        );
        let _ = in_flight.answer.send(Answer::Error(error));
        return runtime_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "Response payload too large",
        );
    }
    let _ = in_flight.answer.send(Answer::Response(body));
    accepted()
}

/// `POST /2018-06-01/runtime/invocation/{id}/error`.
async fn post_error(
    State(instance): State<Arc<Instance>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(in_flight) = take_current(&instance, &id) else {
        return runtime_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            "Invalid request ID",
        );
    };
    let _ = in_flight
        .answer
        .send(Answer::Error(normalize_error(&headers, &body)));
    accepted()
}

/// `POST /2018-06-01/runtime/init/error`: the runtime could not start.
async fn init_error(
    State(instance): State<Arc<Instance>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let error = normalize_error(&headers, &body);
    if let Ok(text) = std::str::from_utf8(&error) {
        instance.line(format!("INIT_REPORT Status: error Error Type: {text}"));
    }
    instance.record_death(Death::InitError(error));
    instance.kill();
    accepted()
}

async fn unknown_route() -> Response {
    runtime_error(
        StatusCode::NOT_FOUND,
        "InvalidRequest",
        "Unknown Runtime API route",
    )
}

/// `{"errorMessage","errorType"}` as Lambda returns a function error: the
/// runtime's own document when it posted JSON, else one built from the
/// `Lambda-Runtime-Function-Error-Type` header and the text it sent.
fn normalize_error(headers: &HeaderMap, body: &[u8]) -> Bytes {
    if let Ok(Value::Object(_)) = serde_json::from_slice::<Value>(body) {
        return Bytes::copy_from_slice(body);
    }
    let error_type = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("Runtime.Unknown");
    error_document(error_type, String::from_utf8_lossy(body).trim())
}

/// A function error document.
pub(crate) fn error_document(error_type: &str, message: &str) -> Bytes {
    Bytes::from(json!({ "errorMessage": message, "errorType": error_type }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_normalized_to_lambda_documents() {
        let mut headers = HeaderMap::new();
        let posted = br#"{"errorMessage":"boom","errorType":"MyError"}"#;
        assert_eq!(&normalize_error(&headers, posted)[..], posted);
        headers.insert(
            "lambda-runtime-function-error-type",
            HeaderValue::from_static("Custom"),
        );
        let built: Value =
            serde_json::from_slice(&normalize_error(&headers, b"plain text")).unwrap();
        assert_eq!(
            built,
            json!({"errorMessage": "plain text", "errorType": "Custom"})
        );
    }

    #[test]
    fn stream_names_look_like_lambda_ones() {
        let name = stream_name();
        let (date, rest) = name.split_once("/[$LATEST]").unwrap();
        assert_eq!(date.len(), 10);
        assert_eq!(rest.len(), 32);
        assert!(rest.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn trace_ids_have_the_xray_shape() {
        let id = trace_id();
        assert!(id.starts_with("Root=1-"));
        assert!(id.contains(";Parent="));
        assert!(id.ends_with(";Sampled=0"));
    }
}
