//! The migrate-legacy-users scenario, end to end: it builds the handler,
//! creates a legacy directory (a table with password hashes), a role, a
//! Lambda function and a user pool with the function as UserMigration
//! trigger; one legacy user is migrated at sign-in, another through
//! ForgotPassword (the code read from the emulator's outbox), a stranger is
//! refused, and everything is removed. Offline the emulator really runs the
//! function.
//!
//! Live (`COGNITO_EXAMPLES_LIVE=1`) the scenario needs the cargo-lambda zip
//! and someone to type the emailed code, so these tests run offline only.

use integration_tests::trigger_functions::FUNCTION_PROCESSES;
use integration_tests::{Run, Target};

use crate::triggers::{self, Resources, assert_all_removed, assert_no_bootstrap_left};

const SCENARIO: &str = "migrate-legacy-users";
const OLD_PASSWORD: &str = "Old-Secret-1";
const NEW_PASSWORD: &str = "New-Secret-2";

fn step(run: &Run, step: u8) -> String {
    triggers::step(run, step, 10)
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn legacy_users_are_migrated_at_sign_in_and_at_reset_a_stranger_is_not() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the reset code is emailed");
        return;
    }

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--old-password",
            OLD_PASSWORD,
            "--user",
            "dana",
            "--forgetful-user",
            "bella",
            "--new-password",
            NEW_PASSWORD,
            "--stranger",
            "erin",
        ],
    );
    let created = Resources::from_output(&run.stdout);
    let run = run.expect_success();
    for password in [OLD_PASSWORD, NEW_PASSWORD] {
        assert!(!run.stdout.contains(password), "a password was printed");
    }

    assert!(
        step(&run, 4).contains("UserMigration trigger: arn:"),
        "{}",
        run.stdout
    );
    assert!(
        step(&run, 5).contains("Users in the pool: 0"),
        "{}",
        run.stdout
    );
    // Step 6: dana signs in with her old password: migrated, CONFIRMED, tokens.
    let sign_in = step(&run, 6);
    for line in [
        "Signed in as dana (USER_PASSWORD_AUTH).",
        "User status: CONFIRMED",
        "Email verified: true",
        "Users in the pool: 1",
    ] {
        assert!(sign_in.contains(line), "step 6 lacks {line:?}:\n{sign_in}");
    }
    assert!(sign_in.contains("Access token: ") && sign_in.contains("characters)"));
    // Step 7: bella is migrated by ForgotPassword, resets, signs in.
    let reset = step(&run, 7);
    for line in [
        "Migrated on ForgotPassword; the reset code was sent: EMAIL to b***@e***",
        "User status: RESET_REQUIRED",
        "New password set (ConfirmForgotPassword).",
        "Signed in as bella (USER_PASSWORD_AUTH).",
        "User status: CONFIRMED",
        "Users in the pool: 2",
    ] {
        assert!(reset.contains(line), "step 7 lacks {line:?}:\n{reset}");
    }
    // Step 8: erin is not in the directory: refused, nobody added.
    let stranger = step(&run, 8);
    assert!(
        stranger.contains("Refused: NotAuthorizedException: Incorrect username or password.")
            || stranger.contains("Refused: UserNotFoundException"),
        "{stranger}"
    );
    assert!(stranger.contains("Users in the pool: 2"), "{stranger}");
    // Step 9: the function's three decisions, without any password.
    let log = step(&run, 9);
    for line in [
        "| Migration of dana: legacy user, password matches: migrated, CONFIRMED",
        "| Migration of bella: legacy user who forgot their password: migrated",
        "| Migration of erin: not in the legacy directory: not migrated",
    ] {
        assert!(log.contains(line), "step 9 lacks {line:?}:\n{log}");
    }
    // The reset code went to bella's legacy address.
    let code = target.latest_code("bella").expect("a reset code for bella");
    assert_eq!(code.len(), 6, "{code}");
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
    assert_no_bootstrap_left();
    assert_all_removed(&target, &created).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn a_new_password_the_pool_refuses_stops_halfway_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the reset code is emailed");
        return;
    }

    // The function has run (step 6) when ConfirmForgotPassword refuses the
    // new password in step 7.
    let run = target.run(SCENARIO, &["--non-interactive", "--new-password", "short"]);
    assert_eq!(run.exit_code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with("error: InvalidPasswordException: "),
        "{}",
        errors[0]
    );
    assert!(
        step(&run, 6).contains("User status: CONFIRMED"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("[8/10]"), "no step after the failure");
    assert!(
        step(&run, 10).contains("Deleted log group"),
        "{}",
        run.stdout
    );
    let created = Resources::from_output(&run.stdout);
    assert_no_bootstrap_left();
    assert_all_removed(&target, &created).await;
}
