//! The group, attribute and token examples, run as a user runs them, each
//! with the failure people meet most (a group that exists already or does
//! not exist, a wrong verification code, a revoked refresh token, the
//! SECRET_HASH of a refresh computed over the wrong name). State is read
//! back through the SDK rather than trusted from what was printed.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, ExplicitAuthFlowsType, MessageActionType, UsernameAttributeType,
    VerifiedAttributeType,
};
use integration_tests::{PoolGuard, Target, unique};
use serde_json::Value;

const PASSWORD: &str = "Correct-Horse-7";

/// The claims of a JWT, unverified: the examples printed it a moment ago.
fn claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("a JWT")
        .claims
}

fn groups(token: &str) -> Vec<String> {
    claims(token)
        .get("cognito:groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The same code with its first digit changed: certainly wrong.
fn wrong(code: &str) -> String {
    let first = code.as_bytes()[0] - b'0';
    format!("{}{}", (first + 1) % 10, &code[1..])
}

/// A pool, an app client without a secret, and a confirmed user, made with
/// the examples themselves.
struct Setup<'a> {
    pool_id: String,
    client_id: String,
    username: String,
    email: String,
    _guard: PoolGuard<'a>,
}

fn setup<'a>(target: &'a Target, prefix: &str) -> Setup<'a> {
    let pool_id = target
        .run("create-user-pool", &["--pool-name", &unique(prefix)])
        .expect_success()
        .required("User pool id");
    let guard = PoolGuard::new(target, &pool_id);
    let client_id = target
        .run(
            "create-user-pool-client",
            &["--user-pool-id", &pool_id, "--client-name", "examples"],
        )
        .expect_success()
        .required("Client id");
    let username = unique("user");
    let email = format!("{username}@example.com");
    target
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
    target
        .run(
            "admin-confirm-sign-up",
            &["--user-pool-id", &pool_id, "--username", &username],
        )
        .expect_success();
    Setup {
        pool_id,
        client_id,
        username,
        email,
        _guard: guard,
    }
}

/// Signs in with `initiate-auth --show-tokens`: (access, ID, refresh).
fn sign_in(target: &Target, client_id: &str, username: &str) -> (String, String, String) {
    let run = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                client_id,
                "--username",
                username,
                "--password",
                PASSWORD,
                "--show-tokens",
            ],
        )
        .expect_success();
    (
        run.required("Access token"),
        run.required("ID token"),
        run.required("Refresh token"),
    )
}

async fn email_and_verified(client: &Client, pool_id: &str, username: &str) -> (String, String) {
    let user = client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("the user exists");
    let attribute = |name: &str| {
        user.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .unwrap_or("")
            .to_string()
    };
    (attribute("email"), attribute("email_verified"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_shows_in_the_tokens_of_its_members() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let s = setup(&target, "examples-groups-");
    let create = [
        "--user-pool-id",
        &s.pool_id,
        "--group-name",
        "editors",
        "--description",
        "Can edit",
        "--precedence",
        "1",
    ];

    let created = target.run("create-group", &create).expect_success();
    assert_eq!(created.required("Group"), "editors");
    assert_eq!(created.required("Precedence"), "1");
    let group = client
        .get_group()
        .user_pool_id(&s.pool_id)
        .group_name("editors")
        .send()
        .await
        .expect("the group exists")
        .group
        .expect("a group");
    assert_eq!(group.precedence(), Some(1));
    assert_eq!(group.description(), Some("Can edit"));

    // The same name twice is refused.
    let line = target.run("create-group", &create).expect_failure();
    assert!(line.contains("GroupExistsException"), "{line}");

    // A group that does not exist cannot be joined or listed.
    let line = target
        .run(
            "admin-add-user-to-group",
            &[
                "--user-pool-id",
                &s.pool_id,
                "--username",
                &s.username,
                "--group-name",
                "nobody",
            ],
        )
        .expect_failure();
    assert!(line.contains("ResourceNotFoundException"), "{line}");
    let line = target
        .run(
            "list-users-in-group",
            &["--user-pool-id", &s.pool_id, "--group-name", "nobody"],
        )
        .expect_failure();
    assert!(line.contains("ResourceNotFoundException"), "{line}");

    // Tokens from before joining list no group; the next sign-in's do.
    let (_, id_before, refresh_before) = sign_in(&target, &s.client_id, &s.username);
    assert!(groups(&id_before).is_empty(), "{:?}", claims(&id_before));
    let empty = target
        .run(
            "list-users-in-group",
            &["--user-pool-id", &s.pool_id, "--group-name", "editors"],
        )
        .expect_success();
    assert!(empty.stdout.contains("Group editors has no members."));

    target
        .run(
            "admin-add-user-to-group",
            &[
                "--user-pool-id",
                &s.pool_id,
                "--username",
                &s.username,
                "--group-name",
                "editors",
            ],
        )
        .expect_success();
    let memberships = client
        .admin_list_groups_for_user()
        .user_pool_id(&s.pool_id)
        .username(&s.username)
        .send()
        .await
        .expect("the user's groups");
    let names: Vec<_> = memberships
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["editors"]);

    let listed = target
        .run(
            "list-users-in-group",
            &["--user-pool-id", &s.pool_id, "--group-name", "editors"],
        )
        .expect_success();
    assert_eq!(listed.required("Members of editors"), "1");
    assert!(listed.stdout.contains(&s.username) && listed.stdout.contains(&s.email));

    let (access, id, _) = sign_in(&target, &s.client_id, &s.username);
    assert_eq!(groups(&id), ["editors"]);
    assert_eq!(groups(&access), ["editors"]);
    // A refresh of the earlier sign-in picks the group up too.
    let refreshed = target
        .run(
            "refresh-tokens",
            &[
                "--client-id",
                &s.client_id,
                "--refresh-token",
                &refresh_before,
                "--show-tokens",
            ],
        )
        .expect_success();
    assert_eq!(groups(&refreshed.required("ID token")), ["editors"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_users_in_group_follows_every_page() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let s = setup(&target, "examples-group-pages-");
    target
        .run(
            "create-group",
            &["--user-pool-id", &s.pool_id, "--group-name", "everyone"],
        )
        .expect_success();
    // More members than one page (60) holds.
    let mut members = vec![s.username.clone()];
    for n in 0..64 {
        let username = format!("member{n:02}");
        client
            .admin_create_user()
            .user_pool_id(&s.pool_id)
            .username(&username)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(format!("{username}@example.com"))
                    .build()
                    .expect("name"),
            )
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("create a member");
        members.push(username);
    }
    for username in &members {
        client
            .admin_add_user_to_group()
            .user_pool_id(&s.pool_id)
            .username(username)
            .group_name("everyone")
            .send()
            .await
            .expect("add to the group");
    }

    let listed = target
        .run(
            "list-users-in-group",
            &["--user-pool-id", &s.pool_id, "--group-name", "everyone"],
        )
        .expect_success();

    assert_eq!(listed.required("Members of everyone"), "65");
    for username in &members {
        assert!(
            listed.stdout.contains(&format!("  {username}  ")),
            "{username} missing"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_email_is_unverified_until_its_code_is_entered() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let s = setup(&target, "examples-attributes-");
    let (access, _, _) = sign_in(&target, &s.client_id, &s.username);
    let new_email = format!("{}+new@example.com", s.username);

    let updated = target
        .run(
            "update-user-attributes",
            &[
                "--access-token",
                &access,
                "--attribute",
                &format!("email={new_email}"),
                "--attribute",
                "name=Alice Smith",
            ],
        )
        .expect_success();
    assert_eq!(updated.required("Updated"), "email, name");
    let sent = updated.required("Verification code sent");
    assert!(sent.starts_with("email by EMAIL to "), "{sent}");
    assert!(!updated.stdout.contains(&access), "the token was printed");
    let (email, verified) = email_and_verified(&client, &s.pool_id, &s.username).await;
    assert_eq!(
        (email.as_str(), verified.as_str()),
        (new_email.as_str(), "false")
    );

    // A wrong code is refused as the user sees it; the address stays unverified.
    let code = target.latest_code(&s.username);
    let wrong_code = code.as_deref().map_or("000000".to_string(), wrong);
    let line = target
        .run(
            "verify-user-attribute",
            &["--access-token", &access, "--code", &wrong_code],
        )
        .expect_failure();
    assert!(line.contains("CodeMismatchException"), "{line}");
    assert_eq!(
        email_and_verified(&client, &s.pool_id, &s.username).await.1,
        "false"
    );

    let Some(code) = code else {
        eprintln!("live: the verification code went by email; the right code is not entered");
        return;
    };
    let verified = target
        .run(
            "verify-user-attribute",
            &["--access-token", &access, "--code", &code],
        )
        .expect_success();
    assert_eq!(verified.required("email_verified"), "true");
    let (email, verified) = email_and_verified(&client, &s.pool_id, &s.username).await;
    assert_eq!(
        (email.as_str(), verified.as_str()),
        (new_email.as_str(), "true")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_refresh_token_is_refused_at_the_next_refresh() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let s = setup(&target, "examples-revoke-");
    let (access, _, refresh) = sign_in(&target, &s.client_id, &s.username);
    let refresh_args = [
        "--client-id",
        &s.client_id,
        "--refresh-token",
        &refresh,
        "--show-tokens",
    ];

    let refreshed = target.run("refresh-tokens", &refresh_args).expect_success();
    assert_eq!(
        refreshed.required("Refresh token"),
        "unchanged (keep using the one you have)."
    );
    let new_access = refreshed.required("Access token");
    let me = client
        .get_user()
        .access_token(&new_access)
        .send()
        .await
        .expect("the refreshed access token works");
    assert_eq!(me.username(), s.username);

    let revoked = target
        .run(
            "revoke-token",
            &["--client-id", &s.client_id, "--refresh-token", &refresh],
        )
        .expect_success();
    assert!(
        !revoked.stdout.contains(&refresh),
        "the refresh token was printed in full"
    );

    let line = target.run("refresh-tokens", &refresh_args).expect_failure();
    assert!(line.contains("NotAuthorizedException"), "{line}");
    // The access tokens issued with it are refused too.
    for token in [&access, &new_access] {
        let err = client
            .get_user()
            .access_token(token)
            .send()
            .await
            .expect_err("revoked with its refresh token");
        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_not_authorized_exception()),
            "{err:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_email_as_username_a_refresh_hashes_the_sub() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let pool_id = client
        .create_user_pool()
        .pool_name(unique("examples-email-username-"))
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("create a pool with email as the username")
        .user_pool
        .and_then(|pool| pool.id)
        .expect("a pool id");
    let _guard = PoolGuard::new(&target, &pool_id);
    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("with-secret")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("an app client with a secret")
        .user_pool_client
        .expect("a client");
    let client_id = app.client_id().expect("id").to_string();
    let secret = app.client_secret().expect("secret").to_string();
    let email = format!("{}@example.com", unique("email-user"));

    target
        .run(
            "sign-up",
            &[
                "--client-id",
                &client_id,
                "--client-secret",
                &secret,
                "--username",
                &email,
                "--password",
                PASSWORD,
                "--email",
                &email,
            ],
        )
        .expect_success();
    target
        .run(
            "admin-confirm-sign-up",
            &["--user-pool-id", &pool_id, "--username", &email],
        )
        .expect_success();
    let signed_in = target
        .run(
            "initiate-auth",
            &[
                "--client-id",
                &client_id,
                "--client-secret",
                &secret,
                "--username",
                &email,
                "--password",
                PASSWORD,
                "--show-tokens",
            ],
        )
        .expect_success();
    let refresh = signed_in.required("Refresh token");
    let access_claims = claims(&signed_in.required("Access token"));
    let stored = access_claims["username"]
        .as_str()
        .expect("a username claim")
        .to_string();
    assert_eq!(Some(stored.as_str()), access_claims["sub"].as_str());
    assert_ne!(stored, email, "Cognito stores the user under their sub");

    let refresh_as = |username: &str| {
        target.run_with_env(
            "refresh-tokens",
            &["--client-id", &client_id, "--username", username],
            &[("REFRESH_TOKEN", &refresh), ("CLIENT_SECRET", &secret)],
        )
    };
    // The SECRET_HASH of the email the user signed in with is refused ...
    let line = refresh_as(&email).expect_failure();
    assert!(line.contains("NotAuthorizedException"), "{line}");
    // ... the one of the stored username (the sub) is accepted.
    let refreshed = refresh_as(&stored).expect_success();
    assert!(refreshed.required("Access token").contains("characters)"));
    assert!(!refreshed.stdout.contains(&refresh));

    // Revoking with a secret sends the secret itself.
    target
        .run_with_env(
            "revoke-token",
            &["--client-id", &client_id],
            &[("REFRESH_TOKEN", &refresh), ("CLIENT_SECRET", &secret)],
        )
        .expect_success();
    let line = refresh_as(&stored).expect_failure();
    assert!(line.contains("NotAuthorizedException"), "{line}");
}
