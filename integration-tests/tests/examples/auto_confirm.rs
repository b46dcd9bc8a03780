//! The auto-confirm scenario, end to end: it builds the handler, creates a
//! table, a role, a Lambda function and a user pool with the function as
//! PreSignUp trigger, signs a known user and an unknown one up, and removes
//! everything. Offline the emulator really runs the function (the handler's
//! `bootstrap`, as a child process of this test), so the test also checks
//! that no such process is left behind.
//!
//! Live (`COGNITO_EXAMPLES_LIVE=1`) the scenario needs the cargo-lambda zip:
//! `cargo lambda build --release --output-format zip -p auto-confirm-handler`.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use integration_tests::trigger_functions::FUNCTION_PROCESSES;
use integration_tests::{Run, Target, unique};
use rexpect::process::wait::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

const SCENARIO: &str = "auto-confirm";
const PASSWORD: &str = "Correct-Horse-7";

/// What the scenario said it created, read from its `Label: value` lines.
#[derive(Debug)]
struct Resources {
    table_name: String,
    role_name: String,
    function_name: String,
    user_pool_id: String,
    log_group: String,
}

impl Resources {
    fn from_output(stdout: &str) -> Self {
        let value = |label: &str| {
            let prefix = format!("{label}: ");
            stdout
                .lines()
                .find_map(|line| line.trim_start().strip_prefix(&prefix))
                .map(|value| value.trim().to_string())
                .unwrap_or_else(|| panic!("no `{label}:` line in\n{stdout}"))
        };
        Resources {
            table_name: value("Table name"),
            role_name: value("Role name"),
            function_name: value("Function name"),
            user_pool_id: value("User pool id"),
            log_group: value("Log group"),
        }
    }
}

/// Checks through the SDKs that nothing the scenario created is left.
async fn assert_all_removed(target: &Target, created: &Resources) {
    let config = target.sdk_config().await;
    let gone =
        |answer: Result<(), (Option<String>, String)>, expected: &str, what: &str| match answer {
            Ok(()) => panic!("{what} is still there"),
            Err((code, err)) => assert_eq!(code.as_deref(), Some(expected), "{what}: {err}"),
        };

    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table = dynamodb
        .describe_table()
        .table_name(&created.table_name)
        .send()
        .await;
    gone(
        table
            .map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the table",
    );

    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam.get_role().role_name(&created.role_name).send().await;
    gone(
        role.map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "NoSuchEntity",
        "the role",
    );

    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda
        .get_function()
        .function_name(&created.function_name)
        .send()
        .await;
    gone(
        function
            .map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the function",
    );

    let cognito = target.client().await;
    let pool = cognito
        .describe_user_pool()
        .user_pool_id(&created.user_pool_id)
        .send()
        .await;
    gone(
        pool.map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the user pool",
    );

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix(&created.log_group)
        .send()
        .await
        .expect("DescribeLogGroups");
    assert!(
        groups
            .log_groups()
            .iter()
            .all(|group| group.log_group_name() != Some(created.log_group.as_str())),
        "the log group is still there: {groups:?}"
    );
}

/// Processes named `bootstrap` (the handler, as Lambda names it) that
/// descend from this test process, zombies included: the emulator runs in
/// this process, so the functions it starts are its children.
pub(crate) fn bootstrap_processes() -> Vec<String> {
    let mut parents = HashMap::new();
    let mut named = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let mut rest = stat[close + 1..].split_whitespace();
        let state = rest.next().unwrap_or("?").to_string();
        let Some(ppid) = rest.next().and_then(|ppid| ppid.parse::<u32>().ok()) else {
            continue;
        };
        parents.insert(pid, ppid);
        if comm == "bootstrap" {
            named.push((pid, state));
        }
    }
    let me = std::process::id();
    named
        .into_iter()
        .filter(|(pid, _)| {
            let mut current = *pid;
            while let Some(&parent) = parents.get(&current) {
                if parent == me {
                    return true;
                }
                if parent <= 1 || parent == current {
                    break;
                }
                current = parent;
            }
            false
        })
        .map(|(pid, state)| format!("pid {pid} state {state}"))
        .collect()
}

/// No `bootstrap` is left under this process. The emulator's DeleteFunction
/// answers only once the function's processes have exited and been reaped,
/// so after the scenario deleted its function there is nothing to wait for.
pub(crate) fn assert_no_bootstrap_left() {
    let left = bootstrap_processes();
    assert!(left.is_empty(), "bootstrap processes left behind: {left:?}");
}

/// The lines the scenario printed under step `step`, up to the next step.
fn step(run: &Run, step: u8) -> String {
    let start = format!("[{step}/10]");
    let Some(at) = run.stdout.find(&start) else {
        panic!("no step {start} in\n{}", run.stdout);
    };
    let rest = &run.stdout[at + start.len()..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn a_known_user_is_confirmed_by_the_function_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    let other = unique("dave");

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--user",
            "bob",
            "--password",
            PASSWORD,
            "--other-username",
            &other,
        ],
    );
    let created = Resources::from_output(&run.stdout);
    let run = run.expect_success();
    assert!(!run.stdout.contains(PASSWORD), "the password was printed");

    // Step 5: confirmed at sign-up, email verified, no code sent.
    let known = step(&run, 5);
    for line in [
        "Signed up bob.",
        "Confirmed: true",
        "No confirmation code was sent.",
        "User status: CONFIRMED",
        "Email verified: true",
    ] {
        assert!(known.contains(line), "step 5 lacks {line:?}:\n{known}");
    }
    // Step 6: the function's own line, read back from CloudWatch Logs.
    let log = step(&run, 6);
    assert!(
        log.contains("| Sign-up of bob: known user: confirmed and email verified without a code"),
        "{log}"
    );
    assert_eq!(
        created.log_group,
        format!("/aws/lambda/{}", created.function_name)
    );
    // Step 7: signed in; only the start of the token is shown.
    let sign_in = step(&run, 7);
    assert!(sign_in.contains("Access token: "), "{sign_in}");
    assert!(run.required("Access token").contains("characters)"));
    // Step 8: someone else stays unconfirmed and gets a code.
    let unknown = step(&run, 8);
    for line in [
        format!("Signed up {other}."),
        "Confirmed: false".to_string(),
        "A confirmation code was sent by EMAIL".to_string(),
        "User status: UNCONFIRMED".to_string(),
        format!("| Sign-up of {other}: the email is not in the table: not confirmed"),
    ] {
        assert!(unknown.contains(&line), "step 8 lacks {line:?}:\n{unknown}");
    }
    // Step 9 and 10.
    assert!(step(&run, 9).contains("Deleted bob"), "{}", run.stdout);
    let removed = step(&run, 10);
    for what in [
        format!("Deleted user pool {}", created.user_pool_id),
        format!("Deleted Lambda function {}", created.function_name),
        format!("Deleted log group {}", created.log_group),
        format!("Deleted IAM role {}", created.role_name),
        format!("Deleted DynamoDB table {}", created.table_name),
    ] {
        assert!(
            removed.contains(&what),
            "step 10 lacks {what:?}:\n{removed}"
        );
    }

    if !target.is_live() {
        // The known user was never sent a code; the other one was.
        assert_eq!(target.latest_code("bob"), None);
        let code = target
            .latest_code(&other)
            .expect("a code for the unknown user");
        assert_eq!(code.len(), 6, "{code}");
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

/// The scenario at a terminal of its own, with the environment `Target::run` gives.
fn spawn_at_terminal(target: &Target, args: &[&str]) -> PtySession {
    let mut command = target.command(SCENARIO, args, &[]);
    command.env_remove("PASSWORD");
    spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(180_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("start the scenario in a pseudo-terminal")
}

fn expect(session: &mut PtySession, needle: &str) -> String {
    session
        .exp_string(needle)
        .unwrap_or_else(|err| panic!("waiting for {needle:?}: {err}"))
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn ctrl_c_after_the_function_ran_removes_everything_and_stops_it() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    // Everything is given but the unknown user's email, so the scenario
    // stops at that question after the function has run once.
    let mut session = spawn_at_terminal(&target, &["--user", "carol", "--password", PASSWORD]);

    let mut printed = expect(&mut session, "Email address of dave");
    assert!(
        printed.contains("Sign-up of carol: known user"),
        "the function ran:\n{printed}"
    );
    if !target.is_live() {
        assert!(
            !bootstrap_processes().is_empty(),
            "the function's instance stays warm between invocations"
        );
    }
    // The terminal is in raw mode: Ctrl-C reaches the question as a key.
    session.send_control('c').expect("press Ctrl-C");
    printed.push_str(&expect(&mut session, "Deleted DynamoDB table"));
    session.exp_eof().expect("the scenario ends");
    let status = session.process.wait().expect("wait for the scenario");
    assert!(
        matches!(status, WaitStatus::Exited(_, 130)),
        "{status:?}\n{printed}"
    );

    let created = Resources::from_output(&printed);
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn at_a_terminal_a_person_picks_a_known_user_and_answers() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    let mut session = spawn_at_terminal(&target, &[]);

    // The second known user: one arrow down, then Enter.
    let mut printed = expect(&mut session, "Which known user signs up?");
    session.send("\x1b[B").expect("arrow down");
    answer(&mut session, "");
    printed.push_str(&expect(&mut session, "Password:"));
    answer(&mut session, PASSWORD);
    expect(&mut session, "Password again:");
    answer(&mut session, PASSWORD);
    printed.push_str(&expect(&mut session, "Signed up bob."));
    printed.push_str(&expect(&mut session, "Confirmed: true"));
    printed.push_str(&expect(&mut session, "Sign-up of bob: known user"));
    printed.push_str(&expect(&mut session, "Access token: "));
    // Enter takes the default address; the code goes there.
    printed.push_str(&expect(&mut session, "Email address of dave"));
    answer(&mut session, "");
    printed.push_str(&expect(&mut session, "Confirmed: false"));
    // Keep bob: the pool goes at the end anyway.
    printed.push_str(&expect(
        &mut session,
        "Delete bob with their own access token",
    ));
    answer(&mut session, "n");
    printed.push_str(&expect(&mut session, "bob stays"));
    printed.push_str(&expect(&mut session, "Done."));
    session.exp_eof().expect("the scenario ends");
    let status = session.process.wait().expect("wait for the scenario");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{printed}"
    );
    assert!(!printed.contains(PASSWORD), "the password was shown");

    if !target.is_live() {
        assert_eq!(target.latest_code("bob"), None);
        assert!(target.latest_code("dave").is_some());
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &Resources::from_output(&printed)).await;
}

/// Types an answer and presses Enter (a carriage return, as a terminal in
/// raw mode sends it).
fn answer(session: &mut PtySession, text: &str) {
    session.send(&format!("{text}\r")).expect("type");
    session.flush().expect("flush");
}

/// A zip whose `bootstrap` is a shell script that prints a line and exits
/// with an error before it ever asks the Runtime API for an event.
fn failing_function_zip() -> std::path::PathBuf {
    use std::io::Write;
    let script = "#!/bin/sh\necho \"Sign-up of alice: this bootstrap fails on purpose\"\nexit 3\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    zip.start_file("bootstrap", options)
        .expect("start bootstrap");
    zip.write_all(script.as_bytes()).expect("write bootstrap");
    let bytes = zip.finish().expect("zip").into_inner();
    let path = std::env::temp_dir().join(format!("auto-confirm-failing-{}.zip", unique("")));
    std::fs::write(&path, bytes).expect("write the zip");
    path
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn a_function_that_fails_is_one_error_line_after_its_log_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the failing function is a shell script");
        return;
    }
    let zip = failing_function_zip();

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--zip",
            zip.to_str().expect("a UTF-8 path"),
        ],
    );
    let _ = std::fs::remove_file(&zip);
    assert_eq!(run.exit_code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with("error: UserLambdaValidationException: PreSignUp failed with error"),
        "{}",
        errors[0]
    );
    // What the function printed before it failed is shown.
    assert!(
        run.stdout
            .contains("| Sign-up of alice: this bootstrap fails on purpose"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("[6/10]"), "no step after the failure");
    assert!(
        step(&run, 10).contains("Deleted DynamoDB table"),
        "{}",
        run.stdout
    );
    assert_no_bootstrap_left();
    assert_all_removed(&target, &Resources::from_output(&run.stdout)).await;
}
