//! Every single-action example, run as a user would run them, in the order a
//! user would: create a pool that requires MFA, sign a user up, confirm them,
//! set up an authenticator app, sign in with MFA, remember the device, sign
//! out everywhere, delete the user and the pool. After each step the state is
//! read back through the SDK rather than trusted from what was printed.

use aws_sdk_cognitoidentityprovider::types::{UserPoolMfaType, UserStatusType};
use integration_tests::{Authenticator, PoolGuard, Target, fresh_dir, unique};

const PASSWORD: &str = "Correct-Horse-7";

#[tokio::test(flavor = "multi_thread")]
async fn every_action_in_a_realistic_order() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let pool_name = unique("examples-actions-");
    let username = unique("user");
    let email = format!("{username}@example.com");

    // hello before: the pool does not exist yet.
    let hello = target.run("hello", &[]).expect_success();
    assert!(!hello.stdout.contains(&pool_name));

    // A pool that requires MFA and tracks devices, and an app client.
    let created = target
        .run(
            "create-user-pool",
            &[
                "--pool-name",
                &pool_name,
                "--mfa-required",
                "--device-tracking",
            ],
        )
        .expect_success();
    let pool_id = created.required("User pool id");
    let guard = PoolGuard::new(&target, &pool_id);
    let pool = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("describe the new pool")
        .user_pool
        .expect("pool");
    assert_eq!(pool.name(), Some(pool_name.as_str()));
    assert!(pool.device_configuration().is_some(), "device tracking on");
    assert_eq!(
        pool.username_configuration().map(|c| c.case_sensitive()),
        Some(false)
    );

    let hello = target.run("hello", &[]).expect_success();
    assert!(
        hello.stdout.contains(&pool_name),
        "hello lists the new pool"
    );

    let app = target
        .run(
            "create-user-pool-client",
            &["--user-pool-id", &pool_id, "--client-name", "examples"],
        )
        .expect_success();
    let client_id = app.required("Client id");

    target
        .run("set-user-pool-mfa-config", &["--user-pool-id", &pool_id])
        .expect_success();
    let mfa = client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("MFA config");
    assert_eq!(mfa.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(
        mfa.software_token_mfa_configuration()
            .is_some_and(|c| c.enabled())
    );

    // Sign up; the user waits for confirmation.
    let signed_up = target
        .run(
            "sign-up",
            &[
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--password",
                PASSWORD,
                "--email",
                &email,
            ],
        )
        .expect_success();
    assert_eq!(signed_up.required("Confirmed"), "false");
    assert!(
        !signed_up.stdout.contains(PASSWORD),
        "never print the password"
    );
    assert_eq!(
        user_status(&client, &pool_id, &username).await,
        UserStatusType::Unconfirmed
    );

    // A new code replaces the first one.
    let first_code = target.latest_code(&username);
    target
        .run(
            "resend-confirmation-code",
            &["--client-id", &client_id, "--username", &username],
        )
        .expect_success();
    if target.is_live() {
        target
            .run(
                "admin-confirm-sign-up",
                &["--user-pool-id", &pool_id, "--username", &username],
            )
            .expect_success();
    } else {
        let code = target.latest_code(&username).expect("a code in the outbox");
        let first_code = first_code.expect("the sign-up code in the outbox");
        if first_code != code {
            let line = target
                .run(
                    "confirm-sign-up",
                    &[
                        "--client-id",
                        &client_id,
                        "--username",
                        &username,
                        "--code",
                        &first_code,
                    ],
                )
                .expect_failure();
            assert!(line.contains("CodeMismatchException"), "{line}");
        }
        target
            .run(
                "confirm-sign-up",
                &[
                    "--client-id",
                    &client_id,
                    "--username",
                    &username,
                    "--code",
                    &code,
                ],
            )
            .expect_success();
    }
    assert_eq!(
        user_status(&client, &pool_id, &username).await,
        UserStatusType::Confirmed
    );

    // The user shows up in the pool.
    let listed = target
        .run("list-users", &["--user-pool-id", &pool_id])
        .expect_success();
    assert!(listed.stdout.contains(&username) && listed.stdout.contains(&email));
    let filtered = target
        .run(
            "list-users",
            &[
                "--user-pool-id",
                &pool_id,
                "--filter",
                &format!("email = \"{email}\""),
            ],
        )
        .expect_success();
    assert!(filtered.stdout.contains(&username));
    let shown = target
        .run(
            "admin-get-user",
            &["--user-pool-id", &pool_id, "--username", &username],
        )
        .expect_success();
    assert_eq!(shown.required("User status"), "CONFIRMED");
    assert_eq!(shown.required("Email"), email);

    // First sign-in: the pool requires MFA and the user has none yet.
    let admin_auth_args = [
        "--user-pool-id",
        &pool_id,
        "--client-id",
        &client_id,
        "--username",
        &username,
        "--password",
        PASSWORD,
    ];
    let first = target
        .run("admin-initiate-auth", &admin_auth_args)
        .expect_success();
    assert_eq!(first.required("Challenge"), "MFA_SETUP");
    let associated = target
        .run(
            "associate-software-token",
            &[
                "--session",
                &first.required("Session"),
                "--username",
                &username,
            ],
        )
        .expect_success();
    let secret = associated.required("Secret");
    assert!(associated.stdout.contains("otpauth://totp/"));
    let mut authenticator = Authenticator::new(&target, &secret);
    let verified = target
        .run(
            "verify-software-token",
            &[
                "--session",
                &associated.required("Session"),
                "--code",
                &authenticator.next_code(),
            ],
        )
        .expect_success();
    assert_eq!(verified.required("Status"), "SUCCESS");

    // Second sign-in: now Cognito asks for a code from the app.
    let second = target
        .run("admin-initiate-auth", &admin_auth_args)
        .expect_success();
    assert_eq!(second.required("Challenge"), "SOFTWARE_TOKEN_MFA");
    let signed_in = target
        .run(
            "admin-respond-to-auth-challenge",
            &[
                "--user-pool-id",
                &pool_id,
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--session",
                &second.required("Session"),
                "--code",
                &authenticator.next_code(),
                "--show-tokens",
            ],
        )
        .expect_success();
    let access_token = signed_in.required("Access token");
    let device_key = signed_in.required("Device key");
    let device_group_key = signed_in.required("Device group key");
    let me = client
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .expect("the access token works");
    assert_eq!(me.username(), username);
    assert!(
        me.user_mfa_setting_list()
            .contains(&"SOFTWARE_TOKEN_MFA".to_string())
    );

    // Remember the device. Its password goes to a new file only the user
    // can read, named in the output, and is not printed.
    let secrets_dir = fresh_dir("confirm-device");
    let secrets_file = secrets_dir.join("device.env");
    let confirm_args = [
        "--access-token",
        &access_token,
        "--device-key",
        &device_key,
        "--device-group-key",
        &device_group_key,
        "--secrets-file",
        secrets_file.to_str().expect("a UTF-8 path"),
    ];
    let confirmed = target.run("confirm-device", &confirm_args).expect_success();
    assert_eq!(
        confirmed.required("Device secrets file"),
        secrets_file.display().to_string()
    );
    let secrets = std::fs::read_to_string(&secrets_file).expect("the secrets file");
    let device_password = secrets
        .lines()
        .find_map(|line| line.strip_prefix("export DEVICE_PASSWORD="))
        .expect("DEVICE_PASSWORD in the secrets file")
        .trim_matches('\'')
        .to_string();
    assert!(device_password.len() >= 20, "{secrets}");
    assert!(
        !confirmed.stdout.contains(&device_password),
        "the password was printed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets_file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the user only");
    }
    // A second run refuses to overwrite the file, before asking Cognito.
    let line = target.run("confirm-device", &confirm_args).expect_failure();
    assert!(line.contains("already exists"), "{line}");
    assert_eq!(
        std::fs::read_to_string(&secrets_file).expect("read"),
        secrets
    );
    let _ = std::fs::remove_dir_all(&secrets_dir);
    let device = client
        .get_device()
        .access_token(&access_token)
        .device_key(&device_key)
        .send()
        .await
        .expect("the device is known");
    assert_eq!(
        device.device().and_then(|d| d.device_key()),
        Some(device_key.as_str())
    );

    // The user's own sign-in: InitiateAuth, then the MFA code.
    let auth = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--password",
                PASSWORD,
            ],
        )
        .expect_success();
    assert_eq!(auth.required("Challenge"), "SOFTWARE_TOKEN_MFA");
    let responded = target
        .run(
            "respond-to-auth-challenge",
            &[
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--session",
                &auth.required("Session"),
                "--code",
                &authenticator.next_code(),
                "--show-tokens",
            ],
        )
        .expect_success();
    let second_access_token = responded.required("Access token");

    // Sign out everywhere: every token of the user stops working.
    target
        .run("global-sign-out", &["--access-token", &second_access_token])
        .expect_success();
    for token in [&access_token, &second_access_token] {
        let err = client
            .get_user()
            .access_token(token)
            .send()
            .await
            .expect_err("revoked");
        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_not_authorized_exception()),
            "{err:?}"
        );
    }

    // The remembered device signs in with SRP and needs no MFA code, even
    // after the global sign-out. Its token deletes the user.
    let fresh = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &client_id,
                "--username",
                &username,
                "--password",
                PASSWORD,
                "--srp",
                "--user-pool-id",
                &pool_id,
                "--device-key",
                &device_key,
                "--device-group-key",
                &device_group_key,
                "--device-password",
                &device_password,
                "--show-tokens",
            ],
        )
        .expect_success();
    assert_eq!(fresh.value("Challenge"), None, "no MFA code asked for");
    target
        .run(
            "delete-user",
            &["--access-token", &fresh.required("Access token")],
        )
        .expect_success();
    let err = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username(&username)
        .send()
        .await
        .expect_err("the user is gone");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_user_not_found_exception())
    );

    // Delete the pool; hello no longer lists it.
    target
        .run("delete-user-pool", &["--user-pool-id", &pool_id])
        .expect_success();
    guard.deleted();
    let err = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect_err("the pool is gone");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception())
    );
    let hello = target.run("hello", &[]).expect_success();
    assert!(!hello.stdout.contains(&pool_name));
}

async fn user_status(
    client: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
    username: &str,
) -> UserStatusType {
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
