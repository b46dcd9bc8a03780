//! The activity-log scenario, end to end: it builds the handler, creates a
//! table, a role, a Lambda function and a user pool with the function as
//! PostAuthentication trigger; an administrator creates a user who signs in
//! a few times; the scenario reads the sign-ins back from the table and
//! removes everything. Offline the emulator really runs the function.
//!
//! Live (`COGNITO_EXAMPLES_LIVE=1`) the scenario needs the cargo-lambda zip:
//! `cargo lambda build --release --output-format zip -p activity-log-handler`.

use integration_tests::trigger_functions::FUNCTION_PROCESSES;
use integration_tests::{Run, Target, unique};

use crate::triggers::{self, Resources, assert_all_removed, assert_no_bootstrap_left};

const SCENARIO: &str = "activity-log";
const PASSWORD: &str = "Correct-Horse-7";

fn step(run: &Run, step: u8) -> String {
    triggers::step(run, step, 9)
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn every_sign_in_is_logged_in_the_table_in_order_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;
    let username = unique("ana");

    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            &username,
            "--password",
            PASSWORD,
            "--sign-ins",
            "4",
        ],
    );
    let created = Resources::from_output(&run.stdout);
    let run = run.expect_success();
    assert!(!run.stdout.contains(PASSWORD), "the password was printed");

    // Step 4: the function is the pool's PostAuthentication trigger.
    assert!(
        step(&run, 4).contains("PostAuthentication trigger: arn:"),
        "{}",
        run.stdout
    );
    // Step 5: created without an invitation, with a permanent password.
    let create = step(&run, 5);
    assert!(
        create.contains(&format!(
            "Created {username} (AdminCreateUser, no invitation sent)."
        )),
        "{create}"
    );
    let sub = run.required("Sub");
    // Step 6: four sign-ins.
    let sign_ins = step(&run, 6);
    for n in 1..=4 {
        assert!(
            sign_ins.contains(&format!("Signed in ({n}/4).")),
            "{sign_ins}"
        );
    }
    // Step 7: the function's own lines, one per sign-in, from CloudWatch Logs.
    let log = step(&run, 7);
    let logged_lines = log
        .lines()
        .filter(|line| line.contains(&format!("| Sign-in of {username}: logged at ")))
        .count();
    assert_eq!(logged_lines, 4, "{log}");
    // Step 8: the table lists the four sign-ins of that sub, oldest first.
    let table = step(&run, 8);
    assert!(table.contains(&format!("UserSub = {sub}")), "{table}");
    let times: Vec<&str> = table
        .lines()
        .filter(|line| line.contains("PostAuthentication_Authentication"))
        .map(|line| line.split_whitespace().next().expect("a time"))
        .collect();
    assert_eq!(times.len(), 4, "{table}");
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "{times:?}");
    assert_eq!(run.required("Logged sign-ins"), "4");
    let client_id = run.required("Client id");
    assert!(
        table.contains(&format!("app client {client_id}")),
        "{table}"
    );
    // Step 9.
    let removed = step(&run, 9);
    for what in [
        format!("Deleted user pool {}", created.user_pool_id),
        format!("Deleted Lambda function {}", created.function_name),
        format!("Deleted log group {}", created.log_group),
        format!("Deleted IAM role {}", created.role_name),
        format!("Deleted DynamoDB table {}", created.table_name),
    ] {
        assert!(removed.contains(&what), "step 9 lacks {what:?}:\n{removed}");
    }
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn a_password_the_pool_refuses_stops_halfway_and_everything_is_removed() {
    // Alone: no other test's function runs while this one counts `bootstrap` processes.
    let _turn = FUNCTION_PROCESSES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let target = Target::from_env().await;

    // Everything exists by step 5, where AdminSetUserPassword refuses the
    // password (the pool's policy wants 8 characters and more).
    let run = target.run(
        SCENARIO,
        &[
            "--non-interactive",
            "--username",
            &unique("ana"),
            "--password",
            "short",
        ],
    );
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
    assert!(!run.stdout.contains("[6/9]"), "no step after the failure");
    assert!(
        step(&run, 9).contains("Deleted DynamoDB table"),
        "{}",
        run.stdout
    );
    let created = Resources::from_output(&run.stdout);
    if !target.is_live() {
        assert_no_bootstrap_left();
    }
    assert_all_removed(&target, &created).await;
}
