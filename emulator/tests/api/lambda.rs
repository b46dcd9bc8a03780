//! Lambda through the AWS SDK: functions built here as zips with a shell
//! `bootstrap` really run as child processes behind the Runtime API.

use crate::lambda_support::*;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, InvocationType, LogType, Runtime, State};
use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

async fn invoke_json(
    lambda: &aws_sdk_lambda::Client,
    name: &str,
    payload: Value,
) -> aws_sdk_lambda::operation::invoke::InvokeOutput {
    lambda
        .invoke()
        .function_name(name)
        .payload(Blob::new(payload.to_string()))
        .send()
        .await
        .expect("Invoke")
}

fn answer(output: &aws_sdk_lambda::operation::invoke::InvokeOutput) -> Value {
    let bytes = output.payload.as_ref().expect("payload").as_ref();
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| panic!("JSON answer: {}", String::from_utf8_lossy(bytes)))
}

#[tokio::test]
async fn create_wait_invoke_with_the_lambda_environment() {
    let env = start().await;
    let zip = package(&echo_function());
    let created = env
        .lambda
        .create_function()
        .function_name("echo")
        .runtime(Runtime::Providedal2023)
        .role(&env.role)
        .handler("my.handler")
        .memory_size(256)
        .timeout(7)
        .description("echoes")
        .environment(
            Environment::builder()
                .variables("GREETING", "hello")
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip.clone()))
                .build(),
        )
        .send()
        .await
        .expect("CreateFunction");
    assert_eq!(created.state, Some(State::Pending));
    assert_eq!(
        created.function_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:echo")
    );
    let sha = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&zip));
    assert_eq!(created.code_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(created.code_size, zip.len() as i64);

    // Right after creation the function is still Pending and cannot run.
    let pending = env
        .lambda
        .get_function()
        .function_name("echo")
        .send()
        .await
        .unwrap();
    assert_eq!(pending.configuration.unwrap().state, Some(State::Pending));
    let err = env
        .lambda
        .invoke()
        .function_name("echo")
        .send()
        .await
        .expect_err("a Pending function is not invoked");
    assert!(err.into_service_error().is_resource_conflict_exception());

    wait_active(&env.lambda, "echo").await;
    let config = env
        .lambda
        .get_function_configuration()
        .function_name("echo")
        .send()
        .await
        .unwrap();
    assert_eq!(config.state, Some(State::Active));
    assert_eq!(config.runtime, Some(Runtime::Providedal2023));
    assert_eq!(config.handler.as_deref(), Some("my.handler"));
    assert_eq!(config.timeout, Some(7));
    assert_eq!(config.memory_size, Some(256));
    assert_eq!(config.role.as_deref(), Some(env.role.as_str()));
    assert_eq!(
        config.environment.unwrap().variables.unwrap()["GREETING"],
        "hello"
    );

    let output = invoke_json(&env.lambda, "echo", json!({"hello": "world"})).await;
    assert_eq!(output.status_code, 200);
    assert_eq!(output.function_error, None);
    assert_eq!(output.executed_version.as_deref(), Some("$LATEST"));
    let answer = answer(&output);
    assert_eq!(answer["event"], json!({"hello": "world"}));
    assert_eq!(answer["name"], "echo");
    assert_eq!(answer["version"], "$LATEST");
    assert_eq!(answer["memory"], "256");
    assert_eq!(answer["region"], "us-east-1");
    assert_eq!(answer["defaultRegion"], "us-east-1");
    assert_eq!(answer["handler"], "my.handler");
    assert_eq!(answer["endpoint"], env.emulator.endpoint());
    assert_eq!(answer["group"], "/aws/lambda/echo");
    assert!(answer["stream"].as_str().unwrap().contains("/[$LATEST]"));
    assert_eq!(answer["greeting"], "hello");
    assert!(!answer["accessKey"].as_str().unwrap().is_empty());
    assert_eq!(
        answer["arn"],
        "arn:aws:lambda:us-east-1:000000000000:function:echo"
    );
    assert!(answer["trace"].as_str().unwrap().starts_with("Root=1-"));
    let deadline: i64 = answer["deadline"].as_str().unwrap().parse().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    assert!(
        deadline > now && deadline <= now + 7_000,
        "deadline {deadline} vs now {now}"
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn instances_stay_warm_and_tail_returns_the_log() {
    let env = start().await;
    create_function(&env.lambda, "warm", &env.role, &echo_function(), 3).await;
    let first = invoke_json(&env.lambda, "warm", json!({"n": 1})).await;
    let second = env
        .lambda
        .invoke()
        .function_name("warm")
        .log_type(LogType::Tail)
        .payload(Blob::new(r#"{"n":2}"#))
        .send()
        .await
        .unwrap();
    let (first, second_answer) = (answer(&first), answer(&second));
    assert_eq!(
        first["pid"], second_answer["pid"],
        "the same instance answers twice"
    );
    assert_ne!(first["requestId"], second_answer["requestId"]);
    assert_eq!(first["stream"], second_answer["stream"]);

    let tail = base64::engine::general_purpose::STANDARD
        .decode(second.log_result.expect("X-Amz-Log-Result"))
        .unwrap();
    let tail = String::from_utf8(tail).unwrap();
    let request_id = second_answer["requestId"].as_str().unwrap();
    assert!(
        tail.contains(&format!("START RequestId: {request_id} Version: $LATEST")),
        "{tail}"
    );
    assert!(tail.contains(r#"event {"n":2}"#), "{tail}");
    assert!(
        tail.contains(&format!("END RequestId: {request_id}")),
        "{tail}"
    );
    assert!(
        tail.contains(&format!("REPORT RequestId: {request_id}\tDuration: ")),
        "{tail}"
    );
    assert!(
        !tail.contains(r#"event {"n":1}"#),
        "only this invocation: {tail}"
    );
    assert!(!tail.contains("Init Duration"), "a warm start: {tail}");
    env.emulator.stop().await;
}

#[tokio::test]
async fn output_lands_in_cloudwatch_logs_one_stream_per_instance() {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    create_function(&env.lambda, "logged", &env.role, &echo_function(), 3).await;
    let answer = answer(&invoke_json(&env.lambda, "logged", json!({"k": "v"})).await);
    let request_id = answer["requestId"].as_str().unwrap().to_owned();
    let report = wait_for_line(&endpoint, "/aws/lambda/logged", |l| {
        l.starts_with(&format!("REPORT RequestId: {request_id}"))
    })
    .await
    .expect("a REPORT line");
    assert!(
        report.contains("\tInit Duration: "),
        "a cold start: {report}"
    );
    assert!(report.contains("\tMemory Size: 128 MB"), "{report}");
    let lines = log_lines(&endpoint, "/aws/lambda/logged").await;
    let position = |wanted: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(wanted))
            .unwrap_or_else(|| panic!("{wanted:?} in {lines:#?}"))
    };
    let init = position("init pid ");
    let start = position(&format!("START RequestId: {request_id}"));
    let event = position(r#"event {"k":"v"}"#);
    let end = position(&format!("END RequestId: {request_id}"));
    assert!(init < start && start < event && event < end, "{lines:#?}");

    let streams = logs(&endpoint)
        .describe_log_streams()
        .log_group_name("/aws/lambda/logged")
        .send()
        .await
        .unwrap()
        .log_streams
        .unwrap();
    assert_eq!(streams.len(), 1);
    assert_eq!(
        streams[0].log_stream_name.as_deref(),
        answer["stream"].as_str()
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn function_errors_are_unhandled_errors() {
    let env = start().await;
    create_function(
        &env.lambda,
        "fails",
        &env.role,
        &failing_function("no thanks"),
        3,
    )
    .await;
    let output = invoke_json(&env.lambda, "fails", json!({})).await;
    assert_eq!(output.status_code, 200);
    assert_eq!(output.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        answer(&output),
        json!({"errorMessage": "no thanks", "errorType": "Refused"})
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn a_slow_function_is_killed_at_its_timeout() {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    create_function(&env.lambda, "slow", &env.role, &sleeping_function(30), 1).await;
    // The outcome shows the timeout: a function that ran its 30 s would
    // answer without an error, and its process would still be there.
    let output = invoke_json(&env.lambda, "slow", json!({})).await;
    assert_eq!(output.function_error.as_deref(), Some("Unhandled"));
    let error = answer(&output);
    assert_eq!(error["errorType"], "Sandbox.Timedout");
    assert!(
        error["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Task timed out after 1.00 seconds"),
        "{error}"
    );
    let init = wait_for_line(&endpoint, "/aws/lambda/slow", |l| {
        l.starts_with("init pid ")
    })
    .await
    .expect("the pid in the log");
    let pid: u32 = init.trim_start_matches("init pid ").parse().unwrap();
    assert!(gone(pid).await, "the timed-out instance {pid} is killed");
    let report = wait_for_line(&endpoint, "/aws/lambda/slow", |l| l.starts_with("REPORT"))
        .await
        .unwrap();
    assert!(report.ends_with("\tStatus: timeout"), "{report}");
    assert!(
        wait_for_line(&endpoint, "/aws/lambda/slow", |l| l
            .ends_with("Task timed out after 1.00 seconds"))
        .await
        .is_some()
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn deleting_a_function_kills_its_instances_and_removes_its_code() {
    let env = start().await;
    create_function(&env.lambda, "doomed", &env.role, &echo_function(), 3).await;
    let answer = answer(&invoke_json(&env.lambda, "doomed", json!({})).await);
    let pid = answer["pid"].as_u64().unwrap() as u32;
    let task_root = std::path::PathBuf::from(answer["taskRoot"].as_str().unwrap());
    assert!(process_alive(pid));
    assert!(task_root.join("bootstrap").exists());

    env.lambda
        .delete_function()
        .function_name("doomed")
        .send()
        .await
        .expect("DeleteFunction");
    assert!(
        !process_alive(pid),
        "the instance is gone when DeleteFunction answers"
    );
    assert!(!task_root.exists(), "the unpacked code is removed");
    let err = env
        .lambda
        .get_function()
        .function_name("doomed")
        .send()
        .await
        .expect_err("deleted");
    let err = err.into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:doomed")
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn stopping_the_emulator_kills_every_instance() {
    let env = start().await;
    create_function(&env.lambda, "one", &env.role, &echo_function(), 3).await;
    create_function(&env.lambda, "two", &env.role, &sleeping_function(60), 30).await;
    let answer = answer(&invoke_json(&env.lambda, "one", json!({})).await);
    let pid = answer["pid"].as_u64().unwrap() as u32;
    let task_root = std::path::PathBuf::from(answer["taskRoot"].as_str().unwrap());
    // An invocation still running when the emulator stops.
    let busy = env.lambda.clone();
    let running = tokio::spawn(async move { busy.invoke().function_name("two").send().await });
    let endpoint = env.emulator.endpoint();
    let init = wait_for_line(&endpoint, "/aws/lambda/two", |l| l.starts_with("init pid "))
        .await
        .unwrap();
    let busy_pid: u32 = init.trim_start_matches("init pid ").parse().unwrap();
    assert!(process_alive(pid) && process_alive(busy_pid));

    env.emulator.stop().await;
    assert!(!process_alive(pid), "an idle instance is killed on stop");
    assert!(
        !process_alive(busy_pid),
        "a busy instance is killed on stop"
    );
    assert!(!task_root.exists());
    let _ = running.await;
}

#[tokio::test]
async fn dropping_the_emulator_kills_every_instance() {
    let env = start().await;
    create_function(&env.lambda, "dropped", &env.role, &echo_function(), 3).await;
    let answer = answer(&invoke_json(&env.lambda, "dropped", json!({})).await);
    let pid = answer["pid"].as_u64().unwrap() as u32;
    drop(env);
    assert!(gone(pid).await, "the instance dies with the emulator");
}

#[tokio::test]
async fn create_function_refuses_what_lambda_refuses() {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    let create = |name: &str, role: &str, runtime: Runtime, zip: Vec<u8>| {
        env.lambda
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .role(role)
            .handler("bootstrap")
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .send()
    };
    let zip = package(&echo_function());
    let role_error = "The role defined for the function cannot be assumed by Lambda.";

    let missing = create(
        "f",
        "arn:aws:iam::000000000000:role/nobody",
        Runtime::Providedal2023,
        zip.clone(),
    )
    .await
    .expect_err("no such role")
    .into_service_error();
    assert!(
        missing.is_invalid_parameter_value_exception(),
        "{missing:?}"
    );
    assert_eq!(missing.meta().message(), Some(role_error));

    let ec2_role = create_role(
        &endpoint,
        "ec2-role",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    )
    .await;
    let untrusted = create("f", &ec2_role, Runtime::Providedal2023, zip.clone())
        .await
        .expect_err("Lambda may not assume it")
        .into_service_error();
    assert!(untrusted.is_invalid_parameter_value_exception());
    assert_eq!(untrusted.meta().message(), Some(role_error));

    let python = create("f", &env.role, Runtime::Python312, zip.clone())
        .await
        .expect_err("not runnable here")
        .into_service_error();
    assert!(python.is_invalid_parameter_value_exception(), "{python:?}");

    let not_zip = create("f", &env.role, Runtime::Providedal2, b"not a zip".to_vec())
        .await
        .expect_err("not a zip")
        .into_service_error();
    assert!(not_zip.is_invalid_parameter_value_exception());
    assert_eq!(
        not_zip.meta().message(),
        Some("Could not unzip uploaded file. Please check your file, then try to upload again.")
    );

    let bad_name = create("bad name!", &env.role, Runtime::Providedal2, zip.clone())
        .await
        .expect_err("bad name")
        .into_service_error();
    assert_eq!(bad_name.meta().code(), Some("ValidationException"));

    create("f", &env.role, Runtime::Providedal2, zip.clone())
        .await
        .expect("provided.al2 is fine");
    let duplicate = create("f", &env.role, Runtime::Providedal2, zip)
        .await
        .expect_err("exists")
        .into_service_error();
    assert!(duplicate.is_resource_conflict_exception());
    assert_eq!(
        duplicate.meta().message(),
        Some("Function already exist: f")
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn permissions_make_up_the_resource_policy() {
    let env = start().await;
    create_function(&env.lambda, "guarded", &env.role, &echo_function(), 3).await;
    let no_policy = env
        .lambda
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .expect_err("no policy yet")
        .into_service_error();
    assert!(no_policy.is_resource_not_found_exception());

    let pool_arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";
    let added = env
        .lambda
        .add_permission()
        .function_name("guarded")
        .statement_id("cognito")
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .source_arn(pool_arn)
        .send()
        .await
        .expect("AddPermission");
    let statement: Value = serde_json::from_str(&added.statement.unwrap()).unwrap();
    assert_eq!(
        statement,
        json!({
            "Sid": "cognito",
            "Effect": "Allow",
            "Principal": {"Service": "cognito-idp.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-east-1:000000000000:function:guarded",
            "Condition": {"ArnLike": {"AWS:SourceArn": pool_arn}},
        })
    );
    let again = env
        .lambda
        .add_permission()
        .function_name("guarded")
        .statement_id("cognito")
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .send()
        .await
        .expect_err("the id is taken")
        .into_service_error();
    assert!(again.is_resource_conflict_exception());

    let policy = env
        .lambda
        .get_policy()
        .function_name("guarded")
        .send()
        .await
        .unwrap();
    let document: Value = serde_json::from_str(&policy.policy.unwrap()).unwrap();
    assert_eq!(document["Version"], "2012-10-17");
    assert_eq!(document["Statement"][0], statement);
    assert!(policy.revision_id.is_some());

    env.lambda
        .remove_permission()
        .function_name("guarded")
        .statement_id("cognito")
        .send()
        .await
        .expect("RemovePermission");
    let gone = env
        .lambda
        .remove_permission()
        .function_name("guarded")
        .statement_id("cognito")
        .send()
        .await
        .expect_err("already removed")
        .into_service_error();
    assert!(gone.is_resource_not_found_exception());
    assert_eq!(
        gone.meta().message(),
        Some("Statement cognito is not found in resource policy.")
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn runtimes_that_crash_or_fail_to_start_are_reported() {
    let env = start().await;
    create_function(
        &env.lambda,
        "crash",
        &env.role,
        "#!/bin/sh\necho about to fail\nexit 3\n",
        3,
    )
    .await;
    let output = invoke_json(&env.lambda, "crash", json!({})).await;
    assert_eq!(output.function_error.as_deref(), Some("Unhandled"));
    let error = answer(&output);
    assert_eq!(error["errorType"], "Runtime.ExitError");
    assert!(
        error["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Error: Runtime exited with error: exit status 3"),
        "{error}"
    );

    let init_error = r#"#!/bin/sh
curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigError' -d '{"errorMessage":"missing TABLE_NAME","errorType":"Runtime.ConfigError"}'
sleep 30
"#;
    create_function(&env.lambda, "misconfigured", &env.role, init_error, 3).await;
    let output = invoke_json(&env.lambda, "misconfigured", json!({})).await;
    assert_eq!(output.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        answer(&output),
        json!({"errorMessage": "missing TABLE_NAME", "errorType": "Runtime.ConfigError"})
    );

    // A zip without a bootstrap.
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("handler.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    let empty = writer.finish().unwrap().into_inner();
    env.lambda
        .create_function()
        .function_name("nobootstrap")
        .runtime(Runtime::Providedal2023)
        .role(&env.role)
        .handler("bootstrap")
        .code(FunctionCode::builder().zip_file(Blob::new(empty)).build())
        .send()
        .await
        .unwrap();
    wait_active(&env.lambda, "nobootstrap").await;
    let output = invoke_json(&env.lambda, "nobootstrap", json!({})).await;
    assert_eq!(answer(&output)["errorType"], "Runtime.InvalidEntrypoint");
    env.emulator.stop().await;
}

#[tokio::test]
async fn invocation_types_and_payload_checks() {
    let env = start().await;
    create_function(&env.lambda, "types", &env.role, &echo_function(), 3).await;
    let dry = env
        .lambda
        .invoke()
        .function_name("types")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status_code, 204);
    let event = env
        .lambda
        .invoke()
        .function_name("types")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(r#"{"async":true}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(event.status_code, 202);
    assert!(
        wait_for_line(&env.emulator.endpoint(), "/aws/lambda/types", |l| l
            == r#"event {"async":true}"#)
        .await
        .is_some(),
        "the asynchronous event ran"
    );
    let bad = env
        .lambda
        .invoke()
        .function_name("types")
        .payload(Blob::new("{not json"))
        .send()
        .await
        .expect_err("not JSON")
        .into_service_error();
    assert!(bad.is_invalid_request_content_exception(), "{bad:?}");
    let by_arn = env
        .lambda
        .invoke()
        .function_name("arn:aws:lambda:us-east-1:000000000000:function:types")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(&by_arn)["event"], json!({}));
    let version = env
        .lambda
        .invoke()
        .function_name("types")
        .qualifier("7")
        .send()
        .await
        .expect_err("no version 7")
        .into_service_error();
    assert!(version.is_resource_not_found_exception());
    env.emulator.stop().await;
}

/// Starts the `emulator` binary on a free port; returns it and its endpoint.
async fn emulator_process() -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = lines.next_line().await.unwrap().expect("a first line");
    let endpoint = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    (child, endpoint)
}

/// Creates a function in a separately running emulator and invokes it once.
async fn running_instance(endpoint: &str) -> Value {
    let role = create_role(endpoint, "role", LAMBDA_TRUST).await;
    let lambda = lambda(endpoint);
    create_function(&lambda, "survivor", &role, &echo_function(), 3).await;
    answer(&invoke_json(&lambda, "survivor", json!({})).await)
}

#[tokio::test]
async fn sigterm_stops_the_emulator_and_its_functions() {
    let (mut emulator, endpoint) = emulator_process().await;
    let answer = running_instance(&endpoint).await;
    let pid = answer["pid"].as_u64().unwrap() as u32;
    let task_root = std::path::PathBuf::from(answer["taskRoot"].as_str().unwrap());
    let emulator_pid = emulator.id().unwrap() as i32;
    // SAFETY: sending a signal to the child this test started.
    unsafe { libc::kill(emulator_pid, libc::SIGTERM) };
    let status = emulator.wait().await.unwrap();
    assert!(status.success(), "a clean stop: {status:?}");
    assert!(!process_alive(pid), "the function's process is gone");
    assert!(!task_root.exists(), "its code is removed");
}

#[tokio::test]
async fn a_killed_emulator_takes_its_functions_along() {
    let (mut emulator, endpoint) = emulator_process().await;
    let answer = running_instance(&endpoint).await;
    let pid = answer["pid"].as_u64().unwrap() as u32;
    let task_root = std::path::PathBuf::from(answer["taskRoot"].as_str().unwrap());
    emulator.kill().await.unwrap(); // SIGKILL: no chance to clean up
    assert!(
        gone(pid).await,
        "the kernel kills the bootstrap with its parent"
    );
    // The next emulator removes what the killed one left behind.
    let (mut next, _) = emulator_process().await;
    assert!(!task_root.exists(), "stale code is removed on start");
    next.kill().await.unwrap();
}

#[tokio::test]
async fn deleting_a_function_writes_its_last_lines_first() {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    create_function(&env.lambda, "brief", &env.role, &echo_function(), 3).await;
    let answer = answer(&invoke_json(&env.lambda, "brief", json!({})).await);
    let request_id = answer["requestId"].as_str().unwrap().to_owned();

    // Straight after the answer, before its REPORT line had to be written.
    env.lambda
        .delete_function()
        .function_name("brief")
        .send()
        .await
        .expect("DeleteFunction");
    let lines = log_lines(&endpoint, "/aws/lambda/brief").await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("REPORT RequestId: {request_id}"))),
        "the REPORT line is written by the time DeleteFunction answers: {lines:#?}"
    );

    // So deleting the log group now removes it for good: DeleteFunction
    // answered after the instance's log writer closed, so no line of the
    // function can come later and recreate the group.
    logs(&endpoint)
        .delete_log_group()
        .log_group_name("/aws/lambda/brief")
        .send()
        .await
        .expect("DeleteLogGroup");
    let groups = logs(&endpoint)
        .describe_log_groups()
        .log_group_name_prefix("/aws/lambda/brief")
        .send()
        .await
        .expect("DescribeLogGroups")
        .log_groups
        .unwrap_or_default();
    assert!(
        groups.is_empty(),
        "no late line recreates the group: {groups:?}"
    );
    env.emulator.stop().await;
}
