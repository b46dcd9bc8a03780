//! The account-lifecycle examples (passwords, invitations, disabled users),
//! run as a user would run them, each with the failure its users meet most
//! often, checked as they see it: one line naming the service's error, and
//! exit code 1. State is read back through the SDK rather than trusted from
//! what was printed.
//!
//! Steps that need an emailed code or the emulator's clock run offline only;
//! against real AWS (`COGNITO_EXAMPLES_LIVE=1`) the rest still runs.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType, UserStatusType,
    VerifiedAttributeType,
};
use integration_tests::{PoolGuard, Target, unique};

const PASSWORD: &str = "Correct-Horse-7";
const NEW_PASSWORD: &str = "Correct-Horse-8";
/// Breaks the default policy: no uppercase letter, digit or symbol.
const WEAK_PASSWORD: &str = "password";

/// A pool that auto-verifies email, an app client without a secret and one
/// with (both allowing password and refresh sign-in).
struct Setup {
    pool_id: String,
    client_id: String,
    secret_client_id: String,
    secret: String,
}

async fn set_up(client: &Client) -> Setup {
    let pool_id = client
        .create_user_pool()
        .pool_name(unique("examples-accounts-"))
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("create pool")
        .user_pool
        .and_then(|pool| pool.id)
        .expect("pool id");
    let flows = [
        ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ];
    let plain = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("plain")
        .set_explicit_auth_flows(Some(flows.to_vec()))
        .send()
        .await
        .expect("client")
        .user_pool_client
        .expect("client");
    let with_secret = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("with-secret")
        .generate_secret(true)
        .set_explicit_auth_flows(Some(flows.to_vec()))
        .send()
        .await
        .expect("client with secret")
        .user_pool_client
        .expect("client");
    Setup {
        pool_id,
        client_id: plain.client_id.expect("id"),
        secret_client_id: with_secret.client_id.expect("id"),
        secret: with_secret.client_secret.expect("secret"),
    }
}

/// A `CONFIRMED` user with a verified email address and [`PASSWORD`], made
/// the administrator's way (it works the same offline and live).
async fn confirmed_user(client: &Client, setup: &Setup) -> String {
    let username = unique("user");
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .expect("attribute")
    };
    client
        .admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username(&username)
        .temporary_password("Temporary-Horse-1")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", &format!("{username}@example.com")))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .expect("create the user");
    client
        .admin_set_user_password()
        .user_pool_id(&setup.pool_id)
        .username(&username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("set a permanent password");
    username
}

fn assert_error(line: &str, code: &str, message: &str) {
    assert_eq!(line, format!("error: {code}: {message}"));
}

/// A code that is not `code`.
fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Moves the emulator's clock forward; `false` against real AWS, where time
/// cannot be hurried.
fn advance_clock(target: &Target, by: Duration) -> bool {
    match target {
        Target::Offline(emulator) => {
            emulator.advance_clock(by);
            true
        }
        Target::Live { .. } => false,
    }
}

/// The user's own sign-in (`initiate-auth`, USER_PASSWORD_AUTH).
fn sign_in(
    target: &Target,
    setup: &Setup,
    username: &str,
    password: &str,
) -> integration_tests::Run {
    target.run(
        "initiate-auth",
        &[
            "--client-id",
            &setup.client_id,
            "--username",
            username,
            "--password",
            password,
            "--show-tokens",
        ],
    )
}

async fn user_status(client: &Client, pool_id: &str, username: &str) -> UserStatusType {
    client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("the user exists")
        .user_status
        .expect("a status")
}

#[tokio::test(flavor = "multi_thread")]
async fn forgot_password_then_confirm_it_with_the_emailed_code() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let username = confirmed_user(&client, &setup).await;
    let forgot = |client_id: &str, secret: Option<&str>| {
        let mut args = vec!["--client-id", client_id, "--username", username.as_str()];
        if let Some(secret) = secret {
            args.extend_from_slice(&["--client-secret", secret]);
        }
        target.run("forgot-password", &args)
    };
    let confirm = |code: &str, new_password: &str| {
        target.run(
            "confirm-forgot-password",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                &username,
                "--code",
                code,
                "--new-password",
                new_password,
            ],
        )
    };

    let sent = forgot(&setup.client_id, None).expect_success();
    let delivery = sent.required("Code sent");
    assert!(delivery.starts_with("EMAIL to "), "{delivery}");
    assert!(
        !delivery.contains(&format!("{username}@example.com")),
        "the destination is masked: {delivery}"
    );
    // The code does not replace the password until it is used.
    sign_in(&target, &setup, &username, PASSWORD).expect_success();

    // An app client with a secret needs the SECRET_HASH.
    let line = forgot(&setup.secret_client_id, None).expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        &format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            setup.secret_client_id
        ),
    );
    forgot(&setup.secret_client_id, Some(&setup.secret)).expect_success();

    // A user whose email address was never verified has nowhere to get a
    // code (an administrator confirmed them without the emailed code).
    let unverified = unique("unverified");
    client
        .sign_up()
        .client_id(&setup.client_id)
        .username(&unverified)
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{unverified}@example.com"))
                .build()
                .expect("attribute"),
        )
        .send()
        .await
        .expect("sign up");
    client
        .admin_confirm_sign_up()
        .user_pool_id(&setup.pool_id)
        .username(&unverified)
        .send()
        .await
        .expect("confirm");
    let line = target
        .run(
            "forgot-password",
            &["--client-id", &setup.client_id, "--username", &unverified],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: InvalidParameterException: "),
        "{line}"
    );

    let Some(code) = target.latest_code(&username) else {
        assert!(target.is_live(), "offline, the code is in the outbox");
        return;
    };
    // The most common mistakes: a mistyped code, then a password the
    // policy refuses. Neither changes the password.
    let line = confirm(wrong(&code), NEW_PASSWORD).expect_failure();
    assert_error(
        &line,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    let line = confirm(&code, WEAK_PASSWORD).expect_failure();
    assert!(
        line.starts_with("error: InvalidPasswordException: "),
        "{line}"
    );
    assert!(line.contains("uppercase"), "names the broken rule: {line}");

    let reset = confirm(&code, NEW_PASSWORD).expect_success();
    assert_eq!(reset.required("Password reset"), "true");
    assert!(
        !reset.stdout.contains(NEW_PASSWORD),
        "never print the password"
    );
    let line = sign_in(&target, &setup, &username, PASSWORD).expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    sign_in(&target, &setup, &username, NEW_PASSWORD).expect_success();
    // A code works once.
    let line = confirm(&code, PASSWORD).expect_failure();
    assert!(
        line.starts_with("error: CodeMismatchException: ")
            || line.starts_with("error: ExpiredCodeException: "),
        "{line}"
    );

    // A code older than an hour has expired: ask for a new one.
    forgot(&setup.client_id, None).expect_success();
    let code = target.latest_code(&username).expect("a new code");
    assert!(advance_clock(&target, Duration::from_secs(61 * 60)));
    let line = confirm(&code, PASSWORD).expect_failure();
    assert_error(
        &line,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    sign_in(&target, &setup, &username, NEW_PASSWORD).expect_success();
}

#[tokio::test(flavor = "multi_thread")]
async fn change_password_with_the_access_token() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let username = confirmed_user(&client, &setup).await;
    let signed_in = sign_in(&target, &setup, &username, PASSWORD).expect_success();
    let access_token = signed_in.required("Access token");
    let change = |previous: &str, new: &str| {
        target.run(
            "change-password",
            &[
                "--access-token",
                &access_token,
                "--previous-password",
                previous,
                "--new-password",
                new,
            ],
        )
    };

    // The most common failure: the current password mistyped.
    let line = change("Wrong-Horse-7", NEW_PASSWORD).expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    let line = change(PASSWORD, WEAK_PASSWORD).expect_failure();
    assert!(
        line.starts_with("error: InvalidPasswordException: "),
        "{line}"
    );
    sign_in(&target, &setup, &username, PASSWORD).expect_success();

    // Secrets come from the environment too, and are never printed.
    let changed = target
        .run_with_env(
            "change-password",
            &[],
            &[
                ("ACCESS_TOKEN", access_token.as_str()),
                ("PREVIOUS_PASSWORD", PASSWORD),
                ("NEW_PASSWORD", NEW_PASSWORD),
            ],
        )
        .expect_success();
    assert_eq!(changed.required("Password changed"), "true");
    for secret in [PASSWORD, NEW_PASSWORD, access_token.as_str()] {
        assert!(!changed.stdout.contains(secret), "printed a secret");
    }
    let line = sign_in(&target, &setup, &username, PASSWORD).expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    sign_in(&target, &setup, &username, NEW_PASSWORD).expect_success();
    // As the example says, the session it was changed from stays signed in.
    client
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .expect("the access token still works");
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_create_user_invites_with_a_temporary_password() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let username = unique("invited");
    let email = format!("{username}@example.com");
    let email_attribute = format!("email={email}");
    let admin_sign_in = |username: &str, password: &str| {
        target.run(
            "admin-initiate-auth",
            &[
                "--user-pool-id",
                &setup.pool_id,
                "--client-id",
                &setup.client_id,
                "--username",
                username,
                "--password",
                password,
            ],
        )
    };

    // An emailed invitation with a password Cognito generates.
    let invite = [
        "--user-pool-id",
        &setup.pool_id,
        "--username",
        &username,
        "--attribute",
        &email_attribute,
        "--attribute",
        "email_verified=true",
        "--desired-delivery-mediums",
        "EMAIL",
    ];
    let invited = target.run("admin-create-user", &invite).expect_success();
    assert_eq!(invited.required("User status"), "FORCE_CHANGE_PASSWORD");
    assert_eq!(invited.required("Invitation"), "sent by EMAIL");
    assert!(
        invited
            .required("Temporary password")
            .starts_with("generated by Cognito"),
        "{}",
        invited.stdout
    );
    assert_eq!(
        user_status(&client, &setup.pool_id, &username).await,
        UserStatusType::ForceChangePassword
    );
    // The most common mistake: inviting the same user twice.
    let line = target.run("admin-create-user", &invite).expect_failure();
    assert_error(
        &line,
        "UsernameExistsException",
        "User account already exists",
    );

    if let Some(temporary) = target.latest_code(&username) {
        assert!(
            !invited.stdout.contains(&temporary),
            "the generated password was printed"
        );
        let first = admin_sign_in(&username, &temporary).expect_success();
        assert_eq!(first.required("Challenge"), "NEW_PASSWORD_REQUIRED");

        // Unused for longer than the pool's 7 days, the temporary password
        // expires; RESEND sends a new one and restarts the clock.
        assert!(advance_clock(&target, Duration::from_secs(8 * 86_400)));
        let line = admin_sign_in(&username, &temporary).expect_failure();
        assert_error(
            &line,
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator.",
        );
        let resent = target
            .run(
                "admin-create-user",
                &[
                    "--user-pool-id",
                    &setup.pool_id,
                    "--username",
                    &username,
                    "--message-action",
                    "RESEND",
                    "--desired-delivery-mediums",
                    "EMAIL",
                ],
            )
            .expect_success();
        assert_eq!(resent.required("Invitation"), "sent again by EMAIL");
        let renewed = target.latest_code(&username).expect("a new invitation");
        assert_ne!(renewed, temporary, "a new temporary password");
        assert!(!resent.stdout.contains(&renewed));
        let again = admin_sign_in(&username, &renewed).expect_success();
        assert_eq!(again.required("Challenge"), "NEW_PASSWORD_REQUIRED");
    }

    // A temporary password of the administrator's choosing, sent to nobody.
    let quiet = unique("quiet");
    let run = |password: &str| {
        target.run_with_env(
            "admin-create-user",
            &[
                "--user-pool-id",
                &setup.pool_id,
                "--username",
                &quiet,
                "--message-action",
                "SUPPRESS",
            ],
            &[("TEMPORARY_PASSWORD", password)],
        )
    };
    // A temporary password must meet the policy too.
    let line = run(WEAK_PASSWORD).expect_failure();
    assert!(
        line.starts_with("error: InvalidPasswordException: "),
        "{line}"
    );
    let created = run("Temporary-Horse-2").expect_success();
    assert_eq!(created.required("Invitation"), "not sent (SUPPRESS)");
    assert_eq!(
        created.required("Temporary password"),
        "the one you gave (not shown)"
    );
    assert!(!created.stdout.contains("Temporary-Horse-2"));
    if !target.is_live() {
        assert_eq!(target.latest_code(&quiet), None, "SUPPRESS sends nothing");
    }
    let first = admin_sign_in(&quiet, "Temporary-Horse-2").expect_success();
    assert_eq!(first.required("Challenge"), "NEW_PASSWORD_REQUIRED");

    // RESEND only reaches users who have not chosen a password yet.
    let confirmed = confirmed_user(&client, &setup).await;
    let line = target
        .run(
            "admin-create-user",
            &[
                "--user-pool-id",
                &setup.pool_id,
                "--username",
                &confirmed,
                "--message-action",
                "RESEND",
            ],
        )
        .expect_failure();
    assert_error(
        &line,
        "UnsupportedUserStateException",
        &format!("Resend not possible. {confirmed} status is not FORCE_CHANGE_PASSWORD"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_set_and_reset_user_password() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let username = confirmed_user(&client, &setup).await;
    let set = |password: &str, permanent: bool| {
        let mut args = vec![
            "--user-pool-id",
            setup.pool_id.as_str(),
            "--username",
            username.as_str(),
            "--password",
            password,
        ];
        if permanent {
            args.push("--permanent");
        }
        target.run("admin-set-user-password", &args)
    };

    // The most common failure: a password the policy refuses.
    let line = set(WEAK_PASSWORD, true).expect_failure();
    assert!(
        line.starts_with("error: InvalidPasswordException: "),
        "{line}"
    );
    sign_in(&target, &setup, &username, PASSWORD).expect_success();

    // Temporary: the next sign-in must choose a new password.
    let temporary = set("Temporary-Horse-3", false).expect_success();
    assert_eq!(temporary.required("Password set"), "temporary");
    assert!(!temporary.stdout.contains("Temporary-Horse-3"));
    assert_eq!(
        user_status(&client, &setup.pool_id, &username).await,
        UserStatusType::ForceChangePassword
    );
    let run = sign_in(&target, &setup, &username, "Temporary-Horse-3").expect_success();
    assert_eq!(run.required("Challenge"), "NEW_PASSWORD_REQUIRED");

    // Permanent: confirmed, and it signs in at once.
    let permanent = set(NEW_PASSWORD, true).expect_success();
    assert_eq!(permanent.required("Password set"), "permanent");
    assert_eq!(
        user_status(&client, &setup.pool_id, &username).await,
        UserStatusType::Confirmed
    );
    let line = sign_in(&target, &setup, &username, "Temporary-Horse-3").expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    sign_in(&target, &setup, &username, NEW_PASSWORD).expect_success();

    // Reset: the password stops working and sign-in says why.
    let reset = target
        .run(
            "admin-reset-user-password",
            &["--user-pool-id", &setup.pool_id, "--username", &username],
        )
        .expect_success();
    assert_eq!(reset.required("User status"), "RESET_REQUIRED");
    assert_eq!(
        user_status(&client, &setup.pool_id, &username).await,
        UserStatusType::ResetRequired
    );
    let line = sign_in(&target, &setup, &username, NEW_PASSWORD).expect_failure();
    assert!(
        line.starts_with("error: PasswordResetRequiredException: "),
        "{line}"
    );
    // The user finishes with the code Cognito sent them.
    if let Some(code) = target.latest_code(&username) {
        target
            .run(
                "confirm-forgot-password",
                &[
                    "--client-id",
                    &setup.client_id,
                    "--username",
                    &username,
                    "--code",
                    &code,
                    "--new-password",
                    PASSWORD,
                ],
            )
            .expect_success();
        assert_eq!(
            user_status(&client, &setup.pool_id, &username).await,
            UserStatusType::Confirmed
        );
        sign_in(&target, &setup, &username, PASSWORD).expect_success();
    }

    for example in ["admin-set-user-password", "admin-reset-user-password"] {
        let mut args = vec![
            "--user-pool-id",
            setup.pool_id.as_str(),
            "--username",
            "nobody",
        ];
        if example == "admin-set-user-password" {
            args.extend_from_slice(&["--password", PASSWORD]);
        }
        let line = target.run(example, &args).expect_failure();
        assert_error(&line, "UserNotFoundException", "User does not exist.");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_user_cannot_sign_in_until_enabled() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let username = confirmed_user(&client, &setup).await;
    let signed_in = sign_in(&target, &setup, &username, PASSWORD).expect_success();
    let access_token = signed_in.required("Access token");
    let refresh_token = signed_in.required("Refresh token");
    let admin = |example: &str, username: &str| {
        target.run(
            example,
            &["--user-pool-id", &setup.pool_id, "--username", username],
        )
    };

    let disabled = admin("admin-disable-user", &username).expect_success();
    assert_eq!(disabled.required("Enabled"), "false");
    let user = client
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username(&username)
        .send()
        .await
        .expect("a disabled user is still there");
    assert!(!user.enabled());

    // What the user sees: sign-in refused, with the right password.
    let line = sign_in(&target, &setup, &username, PASSWORD).expect_failure();
    assert_error(&line, "NotAuthorizedException", "User is disabled.");
    // Their tokens are revoked, and the refresh token gets no new ones.
    let err = client
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .expect_err("the access token is revoked");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_not_authorized_exception()),
        "{err:?}"
    );
    let err = client
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh_token)
        .send()
        .await
        .expect_err("no refresh for a disabled user");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_not_authorized_exception()),
        "{err:?}"
    );

    let enabled = admin("admin-enable-user", &username).expect_success();
    assert_eq!(enabled.required("Enabled"), "true");
    sign_in(&target, &setup, &username, PASSWORD).expect_success();
    let user = client
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username(&username)
        .send()
        .await
        .expect("the user");
    assert!(user.enabled());

    for example in ["admin-disable-user", "admin-enable-user"] {
        let line = admin(example, "nobody").expect_failure();
        assert_error(&line, "UserNotFoundException", "User does not exist.");
    }
}
