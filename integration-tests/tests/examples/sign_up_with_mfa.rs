//! The sign-up-with-MFA scenario, run the ways people run it: with flags and
//! no questions (as CI would), at a terminal answering the questions as a
//! person would (through a pseudo-terminal), and interrupted halfway. After
//! each run the state it left behind is read back through the SDK.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserStatusType;
use integration_tests::{Authenticator, PoolGuard, Target, unique};
use rexpect::ReadUntil;
use rexpect::process::Signal;
use rexpect::process::wait::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

const SCENARIO: &str = "sign-up-with-mfa";
const PASSWORD: &str = "Correct-Horse-7";

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
    let username = unique("mfa-user");
    let email = format!("{username}@example.com");

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            &username,
            "--email",
            &email,
            "--password",
            PASSWORD,
        ],
    );
    let user_pool_id = run.required("User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);
    let run = run.expect_success();

    assert_eq!(run.required("Challenge"), "MFA_SETUP");
    assert!(
        run.stdout.contains("Challenge: SOFTWARE_TOKEN_MFA"),
        "{}",
        run.stdout
    );
    assert_eq!(run.required("User status"), "CONFIRMED");
    assert!(run.required("Device key").starts_with(target.region()));
    assert!(
        run.stdout
            .contains("Signed in with USER_SRP_AUTH from the remembered device"),
        "{}",
        run.stdout
    );
    // Secrets stay shortened without --show-tokens / --show-secret.
    for label in ["Access token", "Refresh token", "Secret", "Device password"] {
        assert!(
            run.required(label).contains("characters)"),
            "{label} printed in full"
        );
    }
    assert!(!run.stdout.contains(PASSWORD));

    assert!(
        pool_is_gone(&client, &user_pool_id).await,
        "the scenario deleted its pool"
    );
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn with_keep_the_user_is_confirmed_with_mfa_and_one_remembered_device() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let username = unique("mfa-keep");
    let email = format!("{username}@example.com");

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            &username,
            "--email",
            &email,
            "--password",
            PASSWORD,
            "--keep",
            "--show-tokens",
        ],
    );
    let user_pool_id = run.required("User pool id");
    let _guard = PoolGuard::new(&target, &user_pool_id);
    let run = run.expect_success();
    assert!(run.stdout.contains("Kept (--keep)"), "{}", run.stdout);

    let user = client
        .admin_get_user()
        .user_pool_id(&user_pool_id)
        .username(&username)
        .send()
        .await
        .expect("the user is still there");
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(
        user.user_mfa_setting_list()
            .iter()
            .any(|mfa| mfa == "SOFTWARE_TOKEN_MFA"),
        "TOTP MFA is on: {:?}",
        user.user_mfa_setting_list()
    );

    // The user's own view of their devices, with the access token the
    // scenario printed in full (--show-tokens).
    let devices = client
        .list_devices()
        .access_token(run.required("Access token"))
        .send()
        .await
        .expect("list the user's devices");
    assert_eq!(devices.devices().len(), 1, "one device remembered");
    assert_eq!(
        devices.devices()[0].device_key(),
        Some(run.required("Device key").as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_flags_are_refused_before_anything_is_created() {
    let target = Target::from_env().await;
    let line = target
        .run(
            SCENARIO,
            &["--non-interactive", "--email", "not-an-address"],
        )
        .expect_failure();
    assert_eq!(
        line,
        "error: --email: \"not-an-address\" is not an email address."
    );
}

/// The scenario at a terminal of its own, with the environment `Target::run` gives.
fn spawn_at_terminal(target: &Target, args: &[&str]) -> PtySession {
    let mut command = target.command(SCENARIO, args, &[]);
    command.env_remove("PASSWORD").env_remove("CLIENT_SECRET");
    spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(60_000))
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

/// The value after `label: ` on the next line that has it.
fn expect_value(session: &mut PtySession, label: &str) -> String {
    let (_, line) = session
        .exp_regex(&format!(r"{label}: \S+"))
        .unwrap_or_else(|err| panic!("waiting for {label:?}: {err}"));
    line[label.len() + 2..].to_string()
}

/// Types an answer and presses Enter (a carriage return, as a terminal in
/// raw mode sends it).
fn answer(session: &mut PtySession, text: &str) {
    session.send(&format!("{text}\r")).expect("type");
    session.flush().expect("flush");
}

/// The same code with its first digit changed: certainly wrong.
fn wrong(code: &str) -> String {
    let first = code.as_bytes()[0] - b'0';
    format!("{}{}", (first + 1) % 10, &code[1..])
}

fn exit_code(session: &mut PtySession) -> Option<i32> {
    session.exp_eof().expect("the scenario ends");
    match session.process.wait().expect("wait for the scenario") {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_a_terminal_a_person_answers_and_mistypes() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the confirmation code is emailed");
        return;
    }
    let client = target.client().await;
    let username = unique("mfa-person");
    let email = format!("{username}@example.com");
    let mut session = spawn_at_terminal(&target, &[]);

    expect(&mut session, "Name of the new user pool:");
    answer(&mut session, ""); // the default
    let user_pool_id = expect_value(&mut session, "User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);

    expect(&mut session, "Username:");
    answer(&mut session, &username);
    expect(&mut session, "Email address:");
    answer(&mut session, &email);

    // A password that breaks the policy is refused by Cognito, with the rule.
    expect(&mut session, "Password:");
    answer(&mut session, "short");
    expect(&mut session, "Password again:");
    answer(&mut session, "short");
    expect(&mut session, "InvalidPasswordException");
    expect(&mut session, "Password:");
    answer(&mut session, PASSWORD);
    expect(&mut session, "Password again:");
    answer(&mut session, PASSWORD);
    expect(&mut session, "Signed up");

    // A wrong confirmation code, then a new code, then the right one.
    expect(&mut session, "Confirmation code:");
    let first_code = target.latest_code(&username).expect("a code in the outbox");
    answer(&mut session, &wrong(&first_code));
    expect(&mut session, "CodeMismatchException");
    expect(&mut session, "Confirmation code:");
    answer(&mut session, "resend");
    expect(&mut session, "A new code is on its way");
    expect(&mut session, "Confirmation code:");
    let new_code = target.latest_code(&username).expect("a new code");
    answer(&mut session, &new_code);
    expect(&mut session, "Confirmed: true");
    expect(&mut session, "User status: CONFIRMED");

    // The authenticator app: a QR code and the secret; a mistyped code first.
    expect(&mut session, "Challenge: MFA_SETUP");
    expect(
        &mut session,
        "Scan this QR code with your authenticator app:",
    );
    let drawn = expect(&mut session, "Or type this secret into the app");
    // rexpect reads bytes, not UTF-8, so the block characters come out
    // garbled: count the rows instead (a QR code for this URI has dozens).
    let rows = drawn.lines().filter(|row| row.trim().len() > 20).count();
    assert!(rows >= 15, "a QR code is drawn, got {rows} rows:\n{drawn}");
    let mut app = Authenticator::new(&target, &expect_value(&mut session, "Secret"));
    expect(&mut session, "Code from the authenticator app:");
    let good = app.next_code();
    answer(&mut session, &wrong(&good));
    expect(&mut session, "Type the code the app shows now");
    expect(&mut session, "Code from the authenticator app:");
    answer(&mut session, &app.next_code());
    let (_, outcome) = session
        .exp_any(vec![
            ReadUntil::String("Authenticator app verified: SUCCESS".into()),
            ReadUntil::String("signing in again".into()),
        ])
        .expect("the second code is taken, or the sign-in starts over");
    if outcome.contains("signing in again") {
        // Cognito used up the session on the wrong code: a new sign-in, a
        // new secret for the app.
        app = Authenticator::new(&target, &expect_value(&mut session, "Secret"));
        expect(&mut session, "Code from the authenticator app:");
        answer(&mut session, &app.next_code());
        expect(&mut session, "Authenticator app verified: SUCCESS");
    }

    // Signing in again takes a fresh code from the app.
    expect(&mut session, "Challenge: SOFTWARE_TOKEN_MFA");
    expect(&mut session, "Code from the authenticator app:");
    answer(&mut session, &app.next_code());
    expect(&mut session, "Signed in.");
    expect(&mut session, "Device key:");
    expect(
        &mut session,
        "Signed in with USER_SRP_AUTH from the remembered device",
    );

    // Clean up: Enter takes the default, yes.
    expect(&mut session, "Delete user pool");
    answer(&mut session, "");
    expect(&mut session, "Deleted user pool");
    assert_eq!(exit_code(&mut session), Some(0));
    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_at_a_question_deletes_the_pool_created_so_far() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let mut session = spawn_at_terminal(&target, &[]);

    expect(&mut session, "Name of the new user pool:");
    answer(&mut session, "");
    let user_pool_id = expect_value(&mut session, "User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);
    expect(&mut session, "Username:");
    // The terminal is in raw mode: Ctrl-C reaches the question as a key.
    session.send_control('c').expect("press Ctrl-C");

    expect(&mut session, "Deleted user pool");
    assert_eq!(exit_code(&mut session), Some(130));
    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_while_a_question_waits_deletes_the_pool() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let username = unique("mfa-sigint");
    let mut session = spawn_at_terminal(
        &target,
        &[
            "--username",
            &username,
            "--email",
            &format!("{username}@example.com"),
            "--password",
            PASSWORD,
        ],
    );

    expect(&mut session, "Name of the new user pool:");
    answer(&mut session, "");
    let user_pool_id = expect_value(&mut session, "User pool id");
    let guard = PoolGuard::new(&target, &user_pool_id);
    expect(&mut session, "Signed up");
    // The question is on screen (inquire draws it once the terminal is in
    // raw mode): SIGINT from outside, as `kill -INT` sends it, while it waits.
    expect(&mut session, "Confirmation code:");
    session.process.signal(Signal::SIGINT).expect("send SIGINT");

    expect(&mut session, "Deleted user pool");
    assert_eq!(exit_code(&mut session), Some(130));
    assert!(pool_is_gone(&client, &user_pool_id).await);
    guard.deleted();
}

#[tokio::test(flavor = "multi_thread")]
async fn in_a_pool_it_did_not_create_it_deletes_only_its_user() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let pool = target
        .run(
            "create-user-pool",
            &[
                "--pool-name",
                &unique("mfa-given-"),
                "--mfa-required",
                "--device-tracking",
            ],
        )
        .expect_success();
    let user_pool_id = pool.required("User pool id");
    let _guard = PoolGuard::new(&target, &user_pool_id);
    let client_id = target
        .run(
            "create-user-pool-client",
            &["--user-pool-id", &user_pool_id, "--client-name", "given"],
        )
        .expect_success()
        .required("Client id");
    let username = unique("mfa-given");

    let run = target
        .run(
            SCENARIO,
            &[
                "--non-interactive",
                "--user-pool-id",
                &user_pool_id,
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--password",
                PASSWORD,
            ],
        )
        .expect_success();
    assert!(
        run.stdout
            .contains("Signed in with USER_SRP_AUTH from the remembered device"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("Deleted user {username}")),
        "{}",
        run.stdout
    );

    // The pool and its client are still there; the user is not.
    assert!(!pool_is_gone(&client, &user_pool_id).await);
    client
        .describe_user_pool_client()
        .user_pool_id(&user_pool_id)
        .client_id(&client_id)
        .send()
        .await
        .expect("the app client is still there");
    let err = client
        .admin_get_user()
        .user_pool_id(&user_pool_id)
        .username(&username)
        .send()
        .await
        .expect_err("the user is gone");
    assert!(
        err.as_service_error()
            .is_some_and(|err| err.is_user_not_found_exception()),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pool_that_does_not_require_mfa_is_refused_before_any_sign_up() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let user_pool_id = target
        .run("create-user-pool", &["--pool-name", &unique("mfa-off-")])
        .expect_success()
        .required("User pool id");
    let _guard = PoolGuard::new(&target, &user_pool_id);
    let client_id = target
        .run(
            "create-user-pool-client",
            &["--user-pool-id", &user_pool_id, "--client-name", "given"],
        )
        .expect_success()
        .required("Client id");

    let line = target
        .run(
            SCENARIO,
            &[
                "--non-interactive",
                "--user-pool-id",
                &user_pool_id,
                "--client-id",
                &client_id,
            ],
        )
        .expect_failure();
    assert!(line.contains("does not require MFA"), "{line}");
    let users = client
        .list_users()
        .user_pool_id(&user_pool_id)
        .send()
        .await
        .expect("list users");
    assert!(users.users().is_empty(), "nobody was signed up");
}
