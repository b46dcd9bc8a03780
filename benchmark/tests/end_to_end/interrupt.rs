//! Ctrl-C in the middle of a run: the benchmark program stops early, prints
//! what it measured so far, removes its user pool and its trigger function,
//! and exits with 130.

use crate::common;

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use benchmark::TriggerClients;
use emulator::{Config, Emulator};

const BENCHMARK: &str = env!("CARGO_BIN_EXE_benchmark");
const HANDLER: &str = env!("CARGO_BIN_EXE_pass-through-trigger");

/// Waits for the child to exit, for at most `limit`; kills it if it has not.
async fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    None
}

fn read_all(pipe: Option<impl Read>) -> String {
    let mut text = String::new();
    pipe.unwrap().read_to_string(&mut text).unwrap();
    text
}

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
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "the workload never started");
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
    let status = wait_at_most(&mut child, Duration::from_secs(60))
        .await
        .expect("the benchmark stops soon after Ctrl-C");
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());

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
