//! The manage-users scenario, run the ways people run it: offline with no
//! questions (as the README's command does), failing halfway, interrupted
//! at a question, and without an emulator to read the codes from. After each
//! run the state it left behind is read back through the SDK: the pool is
//! gone.

use aws_sdk_cognitoidentityprovider::Client;
use integration_tests::{PoolGuard, Target, fresh_dir, run_in_fresh_home, unique};
use rexpect::process::wait::WaitStatus;
use rexpect::session::{Options, spawn_with_options};

const SCENARIO: &str = "manage-users";
const PASSWORD: &str = "Correct-Horse-7";
const NEW_PASSWORD: &str = "Battery-Staple-8";

/// Whether the pool is gone (DescribeUserPool says ResourceNotFoundException).
async fn pool_is_gone(client: &Client, user_pool_id: &str) -> bool {
    match client
        .describe_user_pool()
        .user_pool_id(user_pool_id)
        .send()
        .await
    {
        Ok(_) => false,
        Err(err) => err
            .as_service_error()
            .is_some_and(|err| err.is_resource_not_found_exception()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn non_interactive_run_goes_through_every_step_and_deletes_its_pool() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let username = unique("managed");
    let email = format!("{username}@example.com");
    let new_email = format!("{username}@example.org");
    let args = [
        "--non-interactive",
        "--username",
        &username,
        "--email",
        &email,
        "--new-email",
        &new_email,
        "--password",
        PASSWORD,
        "--new-password",
        NEW_PASSWORD,
    ];
    if target.is_live() {
        // Against AWS the codes arrive by email: refused before anything is made.
        let line = target.run(SCENARIO, &args).expect_failure();
        assert!(line.contains("--non-interactive reads"), "{line}");
        return;
    }

    let run = target.run(SCENARIO, &args);
    let user_pool_id = run.required("User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);
    let run = run.expect_success();

    let out = &run.stdout;
    for expected in [
        "User status: FORCE_CHANGE_PASSWORD",
        "Read from the emulator's outbox",
        "Challenge: NEW_PASSWORD_REQUIRED",
        "User status: CONFIRMED",
        "Groups in the tokens from before: (none)",
        "ID token cognito:groups: editors",
        "Access token cognito:groups: editors",
        "Verification code sent: email by EMAIL",
        &format!("Email: {new_email} (verified: false)"),
        &format!("Email: {new_email} (verified: true)"),
        "Sign-in with the old password refused: NotAuthorizedException",
        "Signed in with the new password.",
        "Sign-in refused: NotAuthorizedException",
        "Signed in again.",
        "Refresh refused: NotAuthorizedException",
        &format!("Deleted user pool {user_pool_id}"),
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
    // Passwords never, tokens only shortened.
    for secret in [PASSWORD, NEW_PASSWORD] {
        assert!(!out.contains(secret), "a password was printed");
    }
    for label in ["Access token", "ID token", "Refresh token"] {
        assert!(
            run.required(label).contains("characters)"),
            "{label} printed in full"
        );
    }
    let Target::Offline(emulator) = &target else {
        unreachable!("live returned above");
    };
    // The invitation is the first message with a code to the user.
    let temporary = emulator
        .outbox()
        .into_iter()
        .find(|message| message.username == username && message.code.is_some())
        .and_then(|message| message.code)
        .expect("the invitation in the outbox");
    assert!(
        !out.contains(&temporary),
        "the temporary password was printed"
    );

    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_step_that_fails_halfway_still_deletes_the_pool() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: --non-interactive needs the emulator's outbox");
        return;
    }
    let client = target.client().await;
    let username = unique("managed-fail");

    // A password that breaks the policy, chosen at the first sign-in: step 3
    // (NEW_PASSWORD_REQUIRED) fails, after the pool and the user were made.
    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            &username,
            "--password",
            "short",
        ],
    );
    let user_pool_id = run.required("User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);
    let stdout = run.stdout.clone();
    let line = run.expect_failure();

    assert!(line.contains("InvalidPasswordException"), "{line}");
    assert!(
        stdout.contains("Challenge: NEW_PASSWORD_REQUIRED"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("[4/9]"),
        "a step after the failure ran:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("Deleted user pool {user_pool_id}")),
        "{stdout}"
    );
    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_at_a_question_deletes_the_pool_created_so_far() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let mut command = target.command(SCENARIO, &[], &[]);
    command.env_remove("PASSWORD").env_remove("NEW_PASSWORD");
    let mut session = spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("start the scenario in a pseudo-terminal");

    session
        .exp_string("Name of the new user pool:")
        .expect("the first question");
    session.send("\r").expect("Enter: the default name");
    session.flush().expect("flush");
    let (_, line) = session
        .exp_regex(r"User pool id: \S+")
        .expect("the pool is created");
    let user_pool_id = line["User pool id: ".len()..].to_string();
    let guard = PoolGuard::new(&target, &user_pool_id);
    session
        .exp_string("Username of the user to invite:")
        .expect("the next question");
    // The terminal is in raw mode: Ctrl-C reaches the question as a key.
    session.send_control('c').expect("press Ctrl-C");

    session
        .exp_string("Deleted user pool")
        .expect("the pool is deleted");
    session.exp_eof().expect("the scenario ends");
    let status = session.process.wait().expect("wait for the scenario");
    assert!(
        matches!(status, WaitStatus::Exited(_, 130)),
        "exit status {status:?}"
    );
    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[test]
fn without_an_emulator_non_interactive_is_refused_before_anything_is_made() {
    let home = fresh_dir("manage-users-home");
    let run = run_in_fresh_home(
        SCENARIO,
        &["--non-interactive"],
        &home,
        &[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let _ = std::fs::remove_dir_all(&home);
    let line = run.expect_failure();
    assert!(
        line.contains("cargo run -p emulator -- cargo run -p manage-users -- --non-interactive"),
        "{line}"
    );
}
