//! Shared by the Lambda and trigger tests: SDK clients pointed at an
//! emulator, an execution role, and small functions built in the test as
//! zips whose `bootstrap` is a shell script talking to the Runtime API with
//! curl (present on Linux machines and CI runners).

use std::io::Write;
use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use emulator::{Config, Emulator};

pub const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

macro_rules! client_for {
    ($name:ident, $sdk:ident) => {
        pub fn $name(endpoint: &str) -> $sdk::Client {
            let config = $sdk::config::Builder::new()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new("us-east-1"))
                .endpoint_url(endpoint)
                .credentials_provider($sdk::config::Credentials::new(
                    "AKIDEXAMPLE",
                    "not-a-secret",
                    None,
                    None,
                    "tests",
                ))
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

client_for!(lambda, aws_sdk_lambda);
client_for!(iam, aws_sdk_iam);
client_for!(logs, aws_sdk_cloudwatchlogs);
client_for!(cognito, aws_sdk_cognitoidentityprovider);

/// An emulator and its Lambda client.
pub struct Env {
    pub emulator: Emulator,
    pub lambda: aws_sdk_lambda::Client,
    pub role: String,
}

/// Starts an emulator and creates a role Lambda can assume.
pub async fn start() -> Env {
    let emulator = Emulator::start(Config::default())
        .await
        .expect("emulator starts");
    let endpoint = emulator.endpoint();
    let role = create_role(&endpoint, "function-role", LAMBDA_TRUST).await;
    Env {
        lambda: lambda(&endpoint),
        emulator,
        role,
    }
}

/// Creates a role with `trust` as its trust policy; returns its ARN.
pub async fn create_role(endpoint: &str, name: &str, trust: &str) -> String {
    iam(endpoint)
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole")
        .role
        .expect("role")
        .arn
}

/// A zip holding `bootstrap` (mode 0755) with `script` as its contents.
pub fn package(script: &str) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    writer.start_file("bootstrap", options).expect("zip entry");
    writer.write_all(script.as_bytes()).expect("zip write");
    writer.finish().expect("zip").into_inner()
}

/// The loop every test function runs: take the next event, print it, and
/// answer with whatever `answer` (shell, with `$EVENT` and `$ID` set) does.
pub fn runtime_loop(init: &str, answer: &str) -> String {
    format!(
        r#"#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
{init}
header() {{ printf '%s\n' "$RESPONSE" | grep -i "^$1:" | tr -d '\r' | cut -d' ' -f2; }}
while true; do
  # Headers and the (one-line JSON) event in one response, no temporary files.
  RESPONSE="$(curl -sS -i "$API/invocation/next")"
  EVENT="$(printf '%s\n' "$RESPONSE" | tail -n 1)"
  ID="$(header lambda-runtime-aws-request-id)"
  DEADLINE="$(header lambda-runtime-deadline-ms)"
  ARN="$(header lambda-runtime-invoked-function-arn)"
  TRACE="$(header lambda-runtime-trace-id)"
  printf 'event %s\n' "$EVENT"
{answer}
done
"#
    )
}

/// Answers every event with its pid, the event, and its environment.
pub fn echo_function() -> String {
    runtime_loop(
        r#"echo "init pid $$""#,
        r#"  BODY="{\"pid\":$$,\"event\":$EVENT,\"name\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"version\":\"$AWS_LAMBDA_FUNCTION_VERSION\",\"memory\":\"$AWS_LAMBDA_FUNCTION_MEMORY_SIZE\",\"region\":\"$AWS_REGION\",\"defaultRegion\":\"$AWS_DEFAULT_REGION\",\"handler\":\"$_HANDLER\",\"endpoint\":\"$AWS_ENDPOINT_URL\",\"group\":\"$AWS_LAMBDA_LOG_GROUP_NAME\",\"stream\":\"$AWS_LAMBDA_LOG_STREAM_NAME\",\"runtimeApi\":\"$AWS_LAMBDA_RUNTIME_API\",\"greeting\":\"${GREETING:-}\",\"accessKey\":\"${AWS_ACCESS_KEY_ID:-}\",\"taskRoot\":\"$LAMBDA_TASK_ROOT\",\"requestId\":\"$ID\",\"deadline\":\"$DEADLINE\",\"arn\":\"$ARN\",\"trace\":\"$TRACE\"}"
  curl -sS -X POST "$API/invocation/$ID/response" -d "$BODY" >/dev/null"#,
    )
}

/// Reports every event as a function error.
pub fn failing_function(message: &str) -> String {
    runtime_loop(
        "",
        &format!(
            r#"  curl -sS -X POST "$API/invocation/$ID/error" -H 'Lambda-Runtime-Function-Error-Type: Refused' -d '{{"errorMessage":"{message}","errorType":"Refused"}}' >/dev/null"#
        ),
    )
}

/// Prints its pid, then sleeps `seconds` before answering each event.
pub fn sleeping_function(seconds: u32) -> String {
    runtime_loop(
        r#"echo "init pid $$""#,
        &format!(
            r#"  sleep {seconds}
  curl -sS -X POST "$API/invocation/$ID/response" -d "$EVENT" >/dev/null"#
        ),
    )
}

/// A Cognito trigger: prints the event and answers with it, auto-confirming
/// and auto-verifying the email of PreSignUp events.
pub fn confirming_trigger() -> String {
    runtime_loop(
        "",
        r#"  ANSWER="$(printf '%s' "$EVENT" | sed -e 's/"autoConfirmUser":false/"autoConfirmUser":true/' -e 's/"autoVerifyEmail":false/"autoVerifyEmail":true/')"
  curl -sS -X POST "$API/invocation/$ID/response" -d "$ANSWER" >/dev/null"#,
    )
}

/// A Cognito trigger that answers with its event rewritten by `sed`
/// (`sed_arguments`, shell words such as `-e 's/a/b/'`), with `$SOURCE` set
/// to the event's `triggerSource`.
pub fn rewriting_trigger(sed_arguments: &str) -> String {
    runtime_loop(
        "",
        &format!(
            r#"  SOURCE="$(printf '%s' "$EVENT" | sed -e 's/.*"triggerSource":"\([^"]*\)".*/\1/')"
  ANSWER="$(printf '%s' "$EVENT" | sed {sed_arguments})"
  curl -sS -X POST "$API/invocation/$ID/response" -d "$ANSWER" >/dev/null"#
        ),
    )
}

/// A Cognito trigger that answers with its event unchanged.
pub fn passing_trigger() -> String {
    runtime_loop(
        "",
        r#"  curl -sS -X POST "$API/invocation/$ID/response" -d "$EVENT" >/dev/null"#,
    )
}

/// Creates a `provided.al2023` function from `script` and waits until it is Active.
pub async fn create_function(
    lambda: &aws_sdk_lambda::Client,
    name: &str,
    role: &str,
    script: &str,
    timeout: i32,
) -> String {
    let created = lambda
        .create_function()
        .function_name(name)
        .runtime(aws_sdk_lambda::types::Runtime::Providedal2023)
        .role(role)
        .handler("bootstrap")
        .timeout(timeout)
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(Blob::new(package(script)))
                .build(),
        )
        .send()
        .await
        .expect("CreateFunction");
    wait_active(lambda, name).await;
    created.function_arn.expect("FunctionArn")
}

/// Waits with the SDK's `function_active_v2` waiter.
pub async fn wait_active(lambda: &aws_sdk_lambda::Client, name: &str) {
    use aws_sdk_lambda::client::Waiters;
    lambda
        .wait_until_function_active_v2()
        .function_name(name)
        .wait(Duration::from_secs(30))
        .await
        .expect("the function becomes Active");
}

/// Whether a process with this pid still exists (and is not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => false,
        Ok(stat) => {
            // The state follows the command name in parentheses.
            let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
            !matches!(state, Some(Some('Z')) | Some(Some('X')))
        }
    }
}

/// Waits up to 5 seconds for a process to be gone.
pub async fn gone(pid: u32) -> bool {
    for _ in 0..100 {
        if !process_alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Every message in the function's log group, oldest first per stream.
pub async fn log_lines(endpoint: &str, group: &str) -> Vec<String> {
    let logs = logs(endpoint);
    let streams = logs
        .describe_log_streams()
        .log_group_name(group)
        .send()
        .await
        .expect("DescribeLogStreams")
        .log_streams
        .unwrap_or_default();
    let mut lines = Vec::new();
    for stream in streams {
        let events = logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream.log_stream_name.unwrap_or_default())
            .start_from_head(true)
            .send()
            .await
            .expect("GetLogEvents")
            .events
            .unwrap_or_default();
        lines.extend(events.into_iter().filter_map(|e| e.message));
    }
    lines
}

/// Polls the log group until a line satisfies `wanted` (logs are written
/// asynchronously); returns that line.
pub async fn wait_for_line(
    endpoint: &str,
    group: &str,
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    for _ in 0..100 {
        let lines = log_lines(endpoint, group).await;
        if let Some(line) = lines.into_iter().find(|l| wanted(l)) {
            return Some(line);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}
