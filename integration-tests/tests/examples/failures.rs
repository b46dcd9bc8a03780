//! The most common way each example fails, run for real: what the user sees
//! must be one line naming the service's error, and the exit code must be 1.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, DeviceConfigurationType, ExplicitAuthFlowsType, SoftwareTokenMfaConfigType,
    UserPoolMfaType, VerifiedAttributeType,
};
use integration_tests::{Authenticator, PoolGuard, Target, fresh_dir, unique};

const PASSWORD: &str = "Correct-Horse-7";

/// A pool that requires MFA and remembers devices, an app client without a
/// secret and one with, and a confirmed user.
struct Setup {
    pool_id: String,
    client_id: String,
    secret_client_id: String,
    secret: String,
    username: String,
}

async fn set_up(target: &Target, client: &Client) -> Setup {
    let pool_id = client
        .create_user_pool()
        .pool_name(unique("examples-failures-"))
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .expect("create pool")
        .user_pool
        .and_then(|pool| pool.id)
        .expect("pool id");
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("require MFA");
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
    let username = unique("user");
    client
        .sign_up()
        .client_id(plain.client_id().expect("id"))
        .username(&username)
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{username}@example.com"))
                .build()
                .expect("attribute"),
        )
        .send()
        .await
        .expect("sign up");
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username(&username)
        .send()
        .await
        .expect("confirm");
    let _ = target;
    Setup {
        pool_id,
        client_id: plain.client_id.expect("id"),
        secret_client_id: with_secret.client_id.expect("id"),
        secret: with_secret.client_secret.expect("secret"),
        username,
    }
}

fn assert_error(line: &str, code: &str, message: &str) {
    assert_eq!(line, format!("error: {code}: {message}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pool_and_user_administration_failures() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&target, &client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let missing_pool = format!("{}_Nope0000", target.region());

    // No endpoint listening: the SDK's own failure, still one line.
    let line = target
        .run_with_env("hello", &[], &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9")])
        .expect_failure();
    assert!(
        line.starts_with("error: Cannot reach http://127.0.0.1:9 "),
        "{line}"
    );

    let line = target
        .run("create-user-pool", &["--pool-name", "no/slashes"])
        .expect_failure();
    assert!(
        line.starts_with("error: InvalidParameterException: "),
        "{line}"
    );
    assert!(line.contains("poolName"), "{line}");

    for (example, extra) in [
        ("create-user-pool-client", &["--client-name", "x"][..]),
        ("set-user-pool-mfa-config", &[][..]),
        ("delete-user-pool", &[][..]),
        (
            "update-user-pool",
            &[
                "--pre-sign-up-lambda-arn",
                "arn:aws:lambda:us-east-1:000000000000:function:f",
            ][..],
        ),
        ("list-users", &[][..]),
    ] {
        let mut args = vec!["--user-pool-id", missing_pool.as_str()];
        args.extend_from_slice(extra);
        let line = target.run(example, &args).expect_failure();
        assert!(
            line.starts_with("error: ResourceNotFoundException: "),
            "{example}: {line}"
        );
    }

    let line = target
        .run(
            "list-users",
            &[
                "--user-pool-id",
                &setup.pool_id,
                "--filter",
                "shoe_size = \"42\"",
            ],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: InvalidParameterException: "),
        "{line}"
    );

    for example in ["admin-get-user", "admin-confirm-sign-up"] {
        let line = target
            .run(
                example,
                &["--user-pool-id", &setup.pool_id, "--username", "nobody"],
            )
            .expect_failure();
        assert_error(&line, "UserNotFoundException", "User does not exist.");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_failures() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&target, &client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let email = "someone@example.com";

    let line = target
        .run(
            "sign-up",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                "weak",
                "--password",
                "password",
                "--email",
                email,
            ],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: InvalidPasswordException: "),
        "{line}"
    );
    assert!(line.contains("uppercase"), "names the broken rule: {line}");

    let line = target
        .run(
            "sign-up",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                &setup.username,
                "--password",
                PASSWORD,
                "--email",
                email,
            ],
        )
        .expect_failure();
    assert_error(&line, "UsernameExistsException", "User already exists");

    // A new user, then a wrong confirmation code.
    let newcomer = unique("new");
    target
        .run(
            "sign-up",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                &newcomer,
                "--password",
                PASSWORD,
                "--email",
                email,
            ],
        )
        .expect_success();
    let line = target
        .run(
            "confirm-sign-up",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                &newcomer,
                "--code",
                "000000",
            ],
        )
        .expect_failure();
    // (A one-in-a-million chance that 000000 is the real code is accepted.)
    assert_error(
        &line,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );

    let line = target
        .run(
            "resend-confirmation-code",
            &[
                "--client-id",
                &setup.client_id,
                "--username",
                &setup.username,
            ],
        )
        .expect_failure();
    assert_error(
        &line,
        "InvalidParameterException",
        "User is already confirmed.",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_failures() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let setup = set_up(&target, &client).await;
    let _guard = PoolGuard::new(&target, &setup.pool_id);
    let admin_auth = |password: &str| {
        target.run(
            "admin-initiate-auth",
            &[
                "--user-pool-id",
                &setup.pool_id,
                "--client-id",
                &setup.client_id,
                "--username",
                &setup.username,
                "--password",
                password,
            ],
        )
    };

    let line = admin_auth("Wrong-Horse-7").expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );

    // App client with a secret: a missing or wrong SECRET_HASH is refused.
    let line = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &setup.secret_client_id,
                "--username",
                &setup.username,
                "--password",
                PASSWORD,
            ],
        )
        .expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        &format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            setup.secret_client_id
        ),
    );
    let line = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &setup.secret_client_id,
                "--username",
                &setup.username,
                "--password",
                PASSWORD,
                "--client-secret",
                "not-the-secret",
            ],
        )
        .expect_failure();
    assert_error(
        &line,
        "NotAuthorizedException",
        &format!(
            "Unable to verify secret hash for client {}",
            setup.secret_client_id
        ),
    );
    // With the right secret it gets as far as MFA setup.
    let run = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &setup.secret_client_id,
                "--username",
                &setup.username,
                "--password",
                PASSWORD,
                "--client-secret",
                &setup.secret,
            ],
        )
        .expect_success();
    assert_eq!(run.required("Challenge"), "MFA_SETUP");

    // MFA setup: a reused session, then a wrong code.
    let setup_session = admin_auth(PASSWORD).expect_success().required("Session");
    let associated = target
        .run(
            "associate-software-token",
            &["--session", &setup_session, "--no-qr"],
        )
        .expect_success();
    let line = target
        .run(
            "associate-software-token",
            &["--session", &setup_session, "--no-qr"],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: NotAuthorizedException: "),
        "{line}"
    );
    let line = target
        .run(
            "verify-software-token",
            &[
                "--session",
                &associated.required("Session"),
                "--code",
                "000000",
            ],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: EnableSoftwareTokenMFAException: "),
        "{line}"
    );

    // Set MFA up properly this time.
    let setup_session = admin_auth(PASSWORD).expect_success().required("Session");
    let associated = target
        .run(
            "associate-software-token",
            &["--session", &setup_session, "--no-qr"],
        )
        .expect_success();
    let mut authenticator = Authenticator::new(&target, &associated.required("Secret"));
    target
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

    // SOFTWARE_TOKEN_MFA: a wrong code, then a session used twice.
    let session = admin_auth(PASSWORD).expect_success().required("Session");
    let respond = |example: &str, session: &str, code: &str| {
        let mut args = vec![
            "--client-id",
            &setup.client_id,
            "--username",
            &setup.username,
            "--session",
            session,
            "--code",
            code,
            "--show-tokens",
        ];
        if example == "admin-respond-to-auth-challenge" {
            args.extend_from_slice(&["--user-pool-id", &setup.pool_id]);
        }
        target.run(example, &args)
    };
    let line = respond("admin-respond-to-auth-challenge", &session, "000000").expect_failure();
    assert_error(
        &line,
        "CodeMismatchException",
        "Invalid code received for user",
    );
    let session = admin_auth(PASSWORD).expect_success().required("Session");
    let signed_in = respond(
        "admin-respond-to-auth-challenge",
        &session,
        &authenticator.next_code(),
    )
    .expect_success();
    let line = respond(
        "respond-to-auth-challenge",
        &session,
        &authenticator.next_code(),
    )
    .expect_failure();
    assert!(
        line.starts_with("error: NotAuthorizedException: "),
        "{line}"
    );
    assert!(line.contains("session"), "{line}");

    // A device key Cognito never issued.
    let access_token = signed_in.required("Access token");
    let line = target
        .run(
            "confirm-device",
            &[
                "--access-token",
                &access_token,
                "--device-key",
                &format!("{}_00000000-0000-0000-0000-000000000000", target.region()),
                "--device-group-key",
                "-nope",
                "--show-secret",
            ],
        )
        .expect_failure();
    assert!(
        line.starts_with("error: ResourceNotFoundException: "),
        "{line}"
    );

    // A revoked token: refused everywhere.
    target
        .run("global-sign-out", &["--access-token", &access_token])
        .expect_success();
    for example in ["global-sign-out", "delete-user"] {
        let line = target
            .run(example, &["--access-token", &access_token])
            .expect_failure();
        assert_error(
            &line,
            "NotAuthorizedException",
            "Access Token has been revoked",
        );
    }
}

/// A local port that nothing listens on: bound, then let go.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    listener.local_addr().expect("its address").port()
}

/// What a newcomer meets first, run with the real binaries on a machine
/// with no AWS setup: each is one line that says what to do, exit code 1,
/// and none of the SDK's log records. No request leaves 127.0.0.1.
#[test]
fn a_newcomers_first_mistakes_get_one_line_that_says_what_to_do() {
    let home = fresh_dir("newcomer");

    // No credentials anywhere: say how to run offline, or how to configure them.
    let line = integration_tests::run_in_fresh_home("hello", &[], &home, &[]).expect_failure();
    assert!(
        line.starts_with("error: No AWS credentials found: "),
        "{line}"
    );
    assert!(
        line.contains("`cargo run -p emulator -- cargo run -p hello`"),
        "{line}"
    );
    assert!(line.contains("`aws configure`"), "{line}");
    // The same for every example, with its own name.
    let line = integration_tests::run_in_fresh_home(
        "list-users",
        &["--user-pool-id", "us-east-1_EXAMPLE"],
        &home,
        &[],
    )
    .expect_failure();
    assert!(
        line.contains("`cargo run -p emulator -- cargo run -p list-users`"),
        "{line}"
    );

    // AWS_ENDPOINT_URL names an emulator that is not running.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let offline = [
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let line = integration_tests::run_in_fresh_home("hello", &[], &home, &offline).expect_failure();
    assert_eq!(
        line,
        format!(
            "error: Cannot reach {url} (connection refused): is the emulator running at that \
             address? Start it with `cargo run -p emulator`, or unset AWS_ENDPOINT_URL to use AWS."
        )
    );
    // A call that needs no credentials says the same.
    let line = integration_tests::run_in_fresh_home(
        "sign-up",
        &[
            "--client-id",
            "1example23456789",
            "--username",
            "alice",
            "--password",
            PASSWORD,
            "--email",
            "alice@example.com",
        ],
        &home,
        &offline[..1],
    )
    .expect_failure();
    assert!(
        line.starts_with(&format!("error: Cannot reach {url} ")),
        "{line}"
    );

    // Credentials but no Region (the examples do not guess one: a pool
    // lives in one Region). Without an endpoint URL the SDK cannot choose
    // an endpoint; with one, it cannot sign: the same line either way.
    let no_region = "error: No AWS Region is set: pass --region (such as --region us-east-1) \
                     or set AWS_REGION.";
    let line =
        integration_tests::run_in_fresh_home("hello", &[], &home, &offline[2..]).expect_failure();
    assert_eq!(line, no_region);
    let without_region = [offline[0], offline[2], offline[3]];
    let line =
        integration_tests::run_in_fresh_home("hello", &[], &home, &without_region).expect_failure();
    assert_eq!(line, no_region);
    // `--region` is enough.
    let line = integration_tests::run_in_fresh_home(
        "hello",
        &["--region", "us-east-1"],
        &home,
        &without_region,
    )
    .expect_failure();
    assert!(
        line.starts_with(&format!("error: Cannot reach {url} ")),
        "{line}"
    );

    // An SSO profile whose cached token has expired and cannot be refreshed:
    // the SDK stops before sending anything.
    let aws = home.join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).expect("create .aws/sso/cache");
    std::fs::write(
        aws.join("config"),
        "[default]\nsso_session = examples\nsso_account_id = 111122223333\n\
         sso_role_name = ReadOnly\nregion = us-east-1\n\n\
         [sso-session examples]\nsso_start_url = https://example.awsapps.com/start\n\
         sso_region = us-east-1\n",
    )
    .expect("write the AWS config file");
    // The cache file is named by the SHA-1 of the session name, "examples".
    std::fs::write(
        aws.join("sso/cache/99345ce680cd3e48acdb9ab4212e4bd9bf9358b7.json"),
        r#"{"accessToken": "expired-token", "expiresAt": "2020-01-01T00:00:00Z",
            "region": "us-east-1", "startUrl": "https://example.awsapps.com/start"}"#,
    )
    .expect("write the cached SSO token");
    let line = integration_tests::run_in_fresh_home("hello", &[], &home, &[]).expect_failure();
    assert!(
        line.starts_with("error: Your AWS SSO session has expired")
            && line.contains("run `aws sso login`"),
        "{line}"
    );

    let _ = std::fs::remove_dir_all(&home);
}
