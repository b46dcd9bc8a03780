//! The custom-auth scenario, end to end: it builds the four functions,
//! creates a user pool, a role and the functions, makes them the pool's
//! triggers, signs a user up (confirmed by the PreSignUp function) and in
//! with CUSTOM_AUTH (SRP, the captcha, the security question), and removes
//! everything. Offline the emulator really runs the functions (their
//! `bootstrap`s, as child processes of this test), so the tests also check
//! that none is left behind.
//!
//! Live (`COGNITO_EXAMPLES_LIVE=1`) the scenario needs the cargo-lambda zips:
//! `cargo lambda build --release --output-format zip -p auth-challenge-define
//! -p auth-challenge-create -p auth-challenge-verify -p sign-up-pre-auto-confirm-verify`.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use integration_tests::trigger_functions::FUNCTION_PROCESSES;
use integration_tests::{Run, Target};
use rexpect::process::wait::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::triggers::{assert_no_bootstrap_left, bootstrap_processes};

const SCENARIO: &str = "custom-auth";
const PASSWORD: &str = "Correct-Horse-7";

/// What the scenario said it created, read from its `Label: value` lines.
#[derive(Debug)]
struct Resources {
    user_pool_id: String,
    role_name: String,
    function_names: Vec<String>,
}

impl Resources {
    fn from_output(stdout: &str) -> Self {
        let values = |label: &str| -> Vec<String> {
            let prefix = format!("{label}: ");
            stdout
                .lines()
                .filter_map(|line| line.trim_start().strip_prefix(&prefix))
                .map(|value| value.trim().to_string())
                .collect()
        };
        let one = |label: &str| {
            values(label)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no `{label}:` line in\n{stdout}"))
        };
        Resources {
            user_pool_id: one("User pool id"),
            role_name: one("Role name"),
            function_names: values("Function name"),
        }
    }

    fn log_groups(&self) -> Vec<String> {
        self.function_names
            .iter()
            .map(|name| format!("/aws/lambda/{name}"))
            .collect()
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

    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam.get_role().role_name(&created.role_name).send().await;
    gone(
        role.map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "NoSuchEntity",
        "the role",
    );

    let lambda = aws_sdk_lambda::Client::new(&config);
    for function_name in &created.function_names {
        let function = lambda
            .get_function()
            .function_name(function_name)
            .send()
            .await;
        gone(
            function
                .map(drop)
                .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
            "ResourceNotFoundException",
            &format!("the function {function_name}"),
        );
    }

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    for log_group in created.log_groups() {
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(&log_group)
            .send()
            .await
            .expect("DescribeLogGroups");
        assert!(
            groups
                .log_groups()
                .iter()
                .all(|group| group.log_group_name() != Some(log_group.as_str())),
            "the log group {log_group} is still there: {groups:?}"
        );
    }
}

/// The lines the scenario printed under step `step`, up to the next step.
fn step(stdout: &str, step: u8) -> String {
    let start = format!("[{step}/7]");
    let Some(at) = stdout.find(&start) else {
        panic!("no step {start} in\n{stdout}");
    };
    let rest = &stdout[at + start.len()..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// The `error:` lines on stderr (cargo's build lines for the functions go
/// there too).
fn error_lines(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect()
}

/// Step 7 names each thing it removed.
fn assert_removal_printed(stdout: &str, created: &Resources) {
    let removed = step(stdout, 7);
    let mut expected = vec![
        format!("Deleted user pool {}", created.user_pool_id),
        format!("Deleted IAM role {}", created.role_name),
    ];
    for (function, log_group) in created.function_names.iter().zip(created.log_groups()) {
        expected.push(format!("Deleted Lambda function {function}."));
        expected.push(format!("Deleted log group {log_group}."));
    }
    for what in expected {
        assert!(removed.contains(&what), "step 7 lacks {what:?}:\n{removed}");
    }
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn srp_then_both_challenges_sign_the_user_in_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            "carol",
            "--password",
            PASSWORD,
        ],
    );
    let created = Resources::from_output(&run.stdout);
    let run = run.expect_success();
    assert!(!run.stdout.contains(PASSWORD), "the password was printed");
    assert_eq!(created.function_names.len(), 4, "{}", run.stdout);

    // Step 1: the client allows the custom flow and SRP.
    assert!(
        step(&run.stdout, 1).contains(
            "Sign-in flows: ALLOW_CUSTOM_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH"
        ),
        "{}",
        run.stdout
    );
    // Step 2: logs of this run's functions only.
    assert!(
        step(&run.stdout, 2).contains(&format!("/aws/lambda/{}-*", created.role_name)),
        "{}",
        run.stdout
    );
    // Step 4: each function is one of the pool's triggers.
    let triggers = step(&run.stdout, 4);
    for (trigger, suffix) in [
        ("DefineAuthChallenge", "define"),
        ("CreateAuthChallenge", "create"),
        ("VerifyAuthChallengeResponse", "verify"),
        ("PreSignUp", "pre-sign-up"),
    ] {
        let line = format!("{trigger} trigger: ");
        let arn = triggers
            .lines()
            .find_map(|l| l.trim().strip_prefix(&line))
            .unwrap_or_else(|| panic!("no {line:?} in\n{triggers}"));
        assert!(arn.ends_with(&format!("-{suffix}")), "{arn}");
    }
    // Step 5: confirmed at sign-up by the PreSignUp function.
    let signed_up = step(&run.stdout, 5);
    for line in [
        "Signed up carol.",
        "Confirmed: true",
        "No confirmation code was sent.",
        "User status: CONFIRMED",
        "Email verified: true",
    ] {
        assert!(
            signed_up.contains(line),
            "step 5 lacks {line:?}:\n{signed_up}"
        );
    }
    // Step 6: the challenges in order, then the (shortened) tokens.
    let signed_in = step(&run.stdout, 6);
    let in_order = [
        "InitiateAuth: CUSTOM_AUTH, with SRP_A",
        "Challenge: PASSWORD_VERIFIER",
        "Password proved",
        "Challenge: CUSTOM_CHALLENGE",
        "captchaUrl: url/123.jpg",
        "Answer: 5",
        "Correct.",
        "Challenge: CUSTOM_CHALLENGE",
        "securityQuestion: Who is your favorite team mascot?",
        "Answer: Peccy",
        "Correct.",
        "Signed in carol",
        "Access token: ",
    ];
    let mut rest = signed_in.as_str();
    for line in in_order {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("step 6 lacks {line:?} (in order):\n{signed_in}"));
        rest = &rest[at + line.len()..];
    }
    assert!(run.required("Access token").contains("characters)"));
    assert_removal_printed(&run.stdout, &created);

    if !target.is_live() {
        assert_eq!(target.latest_code("carol"), None, "no code was sent");
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn a_wrong_answer_is_refused_and_everything_is_still_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;

    let run = target.run(SCENARIO, &["--non-interactive", "--security-answer", "Tux"]);
    assert_eq!(run.exit_code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        error_lines(&run),
        [
            "error: The sign-in failed: \"Tux\" is not the answer to the security question, \
             and Cognito refused the sign-in (NotAuthorizedException: Incorrect username or \
             password.)."
        ],
        "{}",
        run.stderr
    );
    let signed_in = step(&run.stdout, 6);
    for line in [
        "Answer: 5",
        "Answer: Tux",
        "Cognito refused the sign-in: NotAuthorizedException",
    ] {
        assert!(
            signed_in.contains(line),
            "step 6 lacks {line:?}:\n{signed_in}"
        );
    }
    assert!(!signed_in.contains("Access token"), "{signed_in}");
    let created = Resources::from_output(&run.stdout);
    assert_removal_printed(&run.stdout, &created);
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

/// The scenario at a terminal of its own, with the environment `Target::run` gives.
/// Each question may wait long: the scenario first builds the four functions,
/// and cargo waits for any other build in the same target directory.
fn spawn_at_terminal(target: &Target, args: &[&str]) -> PtySession {
    let mut command = target.command(SCENARIO, args, &[]);
    command.env_remove("PASSWORD");
    spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(600_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("start the scenario in a pseudo-terminal")
}

/// Waits for `needle`, failing with what the terminal showed instead.
fn expect(session: &mut PtySession, needle: &str) -> String {
    session
        .exp_string(needle)
        .unwrap_or_else(|err| panic!("waiting for {needle:?}: {err}"))
}

/// Types an answer and presses Enter (a carriage return, as a terminal in
/// raw mode sends it).
fn answer(session: &mut PtySession, text: &str) {
    session.send(&format!("{text}\r")).expect("type");
    session.flush().expect("flush");
}

fn exit_status(session: &mut PtySession) -> WaitStatus {
    session.exp_eof().expect("the scenario ends");
    session.process.wait().expect("wait for the scenario")
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn at_a_terminal_a_wrong_answer_can_be_tried_again() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    let mut session = spawn_at_terminal(&target, &[]);

    // Enter takes the offered username and email.
    let mut printed = expect(&mut session, "Username:");
    answer(&mut session, "");
    printed.push_str(&expect(&mut session, "Email address of alice"));
    answer(&mut session, "");
    printed.push_str(&expect(&mut session, "Password:"));
    answer(&mut session, PASSWORD);
    expect(&mut session, "Password again:");
    answer(&mut session, PASSWORD);
    printed.push_str(&expect(&mut session, "User status: CONFIRMED"));
    // A wrong captcha answer ends the sign-in; the person starts again.
    printed.push_str(&expect(&mut session, "captcha at url/123.jpg show?"));
    answer(&mut session, "6");
    printed.push_str(&expect(
        &mut session,
        "Cognito refused the sign-in: NotAuthorizedException",
    ));
    printed.push_str(&expect(&mut session, "Try again from the start"));
    answer(&mut session, "");
    printed.push_str(&expect(&mut session, "Challenge: PASSWORD_VERIFIER"));
    printed.push_str(&expect(&mut session, "captcha at url/123.jpg show?"));
    answer(&mut session, "5");
    printed.push_str(&expect(&mut session, "Who is your favorite team mascot?"));
    answer(&mut session, "Peccy");
    printed.push_str(&expect(&mut session, "Access token: "));
    printed.push_str(&expect(&mut session, "Done."));
    let status = exit_status(&mut session);
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{printed}"
    );
    assert!(!printed.contains(PASSWORD), "the password was shown");

    let created = Resources::from_output(&printed);
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn ctrl_c_at_the_captcha_removes_everything_and_stops_the_functions() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    // Everything is given up to the captcha, the first question.
    let mut session = spawn_at_terminal(
        &target,
        &[
            "--username",
            "dave",
            "--email",
            "dave@example.com",
            "--password",
            PASSWORD,
        ],
    );

    let mut printed = expect(&mut session, "captcha at url/123.jpg show?");
    if !target.is_live() {
        assert!(
            !bootstrap_processes().is_empty(),
            "the functions' instances stay warm between invocations"
        );
    }
    // The terminal is in raw mode: Ctrl-C reaches the question as a key.
    session.send_control('c').expect("press Ctrl-C");
    printed.push_str(&expect(&mut session, "Interrupted."));
    printed.push_str(&expect(&mut session, "[7/7] Remove everything"));
    let status = exit_status(&mut session);
    assert!(
        matches!(status, WaitStatus::Exited(_, 130)),
        "{status:?}\n{printed}"
    );

    let created = Resources::from_output(&printed);
    assert_eq!(created.function_names.len(), 4, "{printed}");
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}
