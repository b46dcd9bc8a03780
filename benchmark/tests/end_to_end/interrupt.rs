//! Ctrl-C in the middle of a run: the benchmark program stops early, prints
//! what it measured so far, removes its user pool and its trigger function,
//! and exits with 130.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use benchmark::TriggerClients;
use emulator::{Config, Emulator};

const BENCHMARK: &str = env!("CARGO_BIN_EXE_benchmark");
const HANDLER: &str = env!("CARGO_BIN_EXE_pass-through-trigger");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_run_and_removes_what_it_created() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let endpoint = emulator.endpoint();
    let cognito = benchmark::client_for(&endpoint, "us-east-1");
    let clients = TriggerClients::for_endpoint(&endpoint, "us-east-1");

    // A run that would last ten minutes, with a trigger function whose warm
    // instances would otherwise keep running in the emulator.
    let mut child = Command::new(BENCHMARK)
        .args(["--endpoint", &endpoint, "--workload", "signup-trigger"])
        .args(["--concurrency", "2", "--duration", "10m"])
        .args(["--trigger-handler", HANDLER])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Once the pool holds more users than the warm-up made, the timed calls run.
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the benchmark ended early"
        );
        if let Some(id) = common::user_pool_ids(&cognito).await.first() {
            let users = cognito.list_users().user_pool_id(id).send().await;
            if users.is_ok_and(|users| users.users().len() > 2) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    // The run would last ten minutes: it ends because of the signal.
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let (status, stdout, stderr) = (
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );

    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("Ctrl-C: finishing the calls in flight"),
        "{stderr}"
    );
    assert!(
        stderr.contains("interrupted: the results above"),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|line| line.starts_with("warning:")),
        "{stderr}"
    );
    let line = stdout
        .lines()
        .find(|line| line.starts_with("signup-trigger: "))
        .unwrap_or_else(|| panic!("no result line: {stdout}"));
    assert!(!line.starts_with("signup-trigger: 0 calls"), "{line}");

    common::assert_nothing_left_behind(&cognito, &clients).await;
    emulator.stop().await;
}
