//! The `signup-trigger` workload against the bundled emulator: Cognito runs
//! the deployed pass-through function on every SignUp, and the function, its
//! role and its log group are gone afterwards.

use crate::common;

use std::path::Path;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use benchmark::TriggerClients;
use benchmark::trigger::Trigger;
use benchmark::workload::{self, Workload};
use emulator::{Config, Emulator};

const HANDLER: &str = env!("CARGO_BIN_EXE_pass-through-trigger");

/// Invocations of the function so far: the START lines Lambda wrote to its log group.
async fn invocations(clients: &TriggerClients, function_name: &str) -> usize {
    let mut started = 0;
    let mut pages = clients
        .logs
        .filter_log_events()
        .log_group_name(format!("/aws/lambda/{function_name}"))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            // No log group yet: the function never ran.
            Err(err) if err.code() == Some("ResourceNotFoundException") => return 0,
            Err(err) => panic!("FilterLogEvents: {err:?}"),
        };
        started += page
            .events()
            .iter()
            .filter(|event| {
                event
                    .message()
                    .is_some_and(|line| line.starts_with("START RequestId"))
            })
            .count();
    }
    started
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sign_up_runs_the_trigger_and_nothing_is_left_behind() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let endpoint = emulator.endpoint();
    let cognito = benchmark::client_for(&endpoint, "us-east-1");
    let clients = TriggerClients::for_endpoint(&endpoint, "us-east-1");

    let trigger = Trigger::deploy(&clients, Path::new(HANDLER))
        .await
        .expect("the trigger deploys");
    let workers = 2;
    let result = workload::run(
        &cognito,
        Workload::SignUpTrigger,
        workers,
        Duration::from_millis(300),
        None,
        Some(&trigger),
        &Default::default(),
    )
    .await
    .expect("the workload runs");

    let sign_up = &result.operations[0];
    assert_eq!(sign_up.errors, 0, "{:?}", sign_up.first_error);
    assert!(result.completed >= workers as u64);
    // One invocation per SignUp: the timed ones and one warm-up call per
    // worker. Lambda writes its log lines after the answer, so this waits
    // for them to arrive; one invocation too many fails.
    let expected = result.completed as usize + workers;
    let mut seen = invocations(&clients, trigger.function_name()).await;
    while seen < expected {
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = invocations(&clients, trigger.function_name()).await;
    }
    assert_eq!(seen, expected, "one invocation per SignUp");

    trigger.remove().await;
    common::assert_nothing_left_behind(&cognito, &clients).await;
    emulator.stop().await;
}

#[tokio::test]
async fn a_missing_handler_is_named_with_how_to_build_it() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let clients = TriggerClients::for_endpoint(&emulator.endpoint(), "us-east-1");

    let err = Trigger::deploy(&clients, Path::new("no/such/pass-through-trigger"))
        .await
        .expect_err("no handler, no trigger");

    let message = err.to_string();
    assert!(
        message.starts_with("cannot read the trigger function no/such/pass-through-trigger"),
        "{message}"
    );
    assert!(
        message.contains("cargo build --release -p benchmark"),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    let roles = clients.iam.list_roles().send().await.unwrap();
    assert!(roles.roles().is_empty(), "nothing was created: {roles:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn a_handler_that_is_not_an_executable_is_refused_before_anything_is_created() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let clients = TriggerClients::for_endpoint(&emulator.endpoint(), "us-east-1");
    let script = std::env::temp_dir().join(format!("not-a-handler-{}", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\necho hello\n").unwrap();

    let err = Trigger::deploy(&clients, &script)
        .await
        .expect_err("a shell script is no Lambda executable here");
    std::fs::remove_file(&script).unwrap();

    let message = err.to_string();
    assert!(
        message.ends_with("is not a Linux executable, which Lambda cannot run"),
        "{message}"
    );
    let roles = clients.iam.list_roles().send().await.unwrap();
    assert!(roles.roles().is_empty(), "nothing was created: {roles:?}");
    emulator.stop().await;
}
