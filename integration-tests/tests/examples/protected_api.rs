//! The protected API: its walk-through run as a user runs it, and the API's
//! router started in-process against real tokens of the emulator, for every
//! kind of token it must refuse: another pool's, another client's, an ID
//! token, a tampered signature, an expired one (the emulator's clock moved
//! forward), a user outside the group, a key rotated in after start-up, and
//! a signed-out user's token, which local verification cannot catch.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, MessageActionType,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use integration_tests::{PoolGuard, Target, unique};
use protected_api::{ApiState, HttpJwks, Verifier, VerifierConfig};
use serde_json::Value;
use tower::ServiceExt as _;

const PASSWORD: &str = "Correct-Horse-7";

/// The pools the account has whose name starts with `prefix`.
async fn pools_named(client: &Client, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pages = client
        .list_user_pools()
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for pool in page.expect("ListUserPools").user_pools() {
            if let Some(name) = pool.name().filter(|n| n.starts_with(prefix)) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn walk_through_shows_every_answer_and_cleans_up() {
    let target = Target::from_env().await;
    let client = target.client().await;
    let before = pools_named(&client, "protected-api-").await;
    let run = target
        .run("protected-api", &["walk-through"])
        .expect_success();
    let out = &run.stdout;
    // Each call, with its status and its one reason.
    let expected = [
        (
            "alice's access token",
            "/me",
            "200 username alice, groups [admins]",
        ),
        ("alice's access token", "/reports", "200 2 reports"),
        ("bob's access token", "/me", "200 username bob, groups []"),
        (
            "bob's access token",
            "/reports",
            "403 this route is only for members of the group admins",
        ),
        ("no token", "/me", "401 no Authorization: Bearer token"),
        (
            "a malformed token",
            "/me",
            "401 the token is not a well-formed JWT",
        ),
        (
            "bob's ID token",
            "/me",
            "401 the token is not an access token",
        ),
        (
            "bob's token of another app client",
            "/me",
            "401 the token was issued to an app client this API does not serve",
        ),
        (
            "a token of another pool",
            "/me",
            "401 the token was issued by another user pool",
        ),
        (
            "alice's token, signature tampered",
            "/me",
            "401 the token's signature is not valid",
        ),
        (
            "alice's token, two hours later",
            "/me",
            "401 the token has expired",
        ),
        (
            "bob's access token after sign-out",
            "/me",
            "200 username bob",
        ),
    ];
    for (label, path, answer) in expected {
        let line = out
            .lines()
            .find(|line| line.starts_with(label) && line.contains(&format!("GET {path} ")))
            .unwrap_or_else(|| panic!("no call {label} GET {path} in:\n{out}"));
        assert!(line.contains(&format!("-> {answer}")), "{line}");
    }
    assert!(out.contains(
        "WWW-Authenticate: Bearer realm=\"protected-api\", error=\"invalid_token\", \
         error_description=\"the token has expired\""
    ));
    assert!(out.contains(
        "GetUser with bob's access token: refused, NotAuthorizedException: Access Token has been revoked"
    ));
    // Tokens are shortened; the made-up password never shown.
    assert!(out.contains("alice: access token eyJ"));
    assert!(
        !out.lines().any(|line| line.len() > 400),
        "a full token was printed"
    );
    assert!(!out.contains("Pw-"));
    assert_eq!(out.matches("Deleted user pool").count(), 2, "{out}");
    assert_eq!(pools_named(&client, "protected-api-").await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_bad_flags_in_one_line() {
    let target = Target::from_env().await;
    let run = target.run(
        "protected-api",
        &[
            "serve",
            "--user-pool-id",
            "not-a-pool",
            "--client-id",
            "abc",
        ],
    );
    let err = run.expect_failure();
    assert_eq!(
        err.trim(),
        "error: --user-pool-id: \"not-a-pool\" is not a user pool id (they look like us-east-1_AbC123xyZ)."
    );
    // A pool that does not exist: its keys cannot be fetched, said at start-up.
    let run = target.run(
        "protected-api",
        &[
            "serve",
            "--user-pool-id",
            "us-east-1_Missing1",
            "--client-id",
            "abc",
            "--port",
            "0",
        ],
    );
    let err = run.expect_failure();
    assert!(
        err.starts_with("error: the user pool's signing keys could not be fetched: GET ")
            && err.contains("us-east-1_Missing1/.well-known/jwks.json"),
        "{err}"
    );
    if !target.is_live() {
        assert!(err.trim_end().ends_with("answered 404 Not Found"), "{err}");
    }
}

/// A user pool with the API's app client and another one, a group with
/// alice in it, and bob outside it.
struct Pool<'a> {
    id: String,
    served: String,
    other_client: String,
    _guard: PoolGuard<'a>,
}

async fn pool<'a>(target: &'a Target, client: &Client, users: &[&str]) -> Pool<'a> {
    let out = client
        .create_user_pool()
        .pool_name(unique("protected-api-test-"))
        .send()
        .await
        .expect("CreateUserPool");
    let id = out.user_pool().unwrap().id().unwrap().to_owned();
    let guard = PoolGuard::new(target, &id);
    let mut clients = Vec::new();
    for name in ["served", "other"] {
        let out = client
            .create_user_pool_client()
            .user_pool_id(&id)
            .client_name(name)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient");
        clients.push(
            out.user_pool_client()
                .unwrap()
                .client_id()
                .unwrap()
                .to_owned(),
        );
    }
    client
        .create_group()
        .user_pool_id(&id)
        .group_name("admins")
        .send()
        .await
        .expect("CreateGroup");
    for username in users {
        client
            .admin_create_user()
            .user_pool_id(&id)
            .username(*username)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("AdminCreateUser");
        client
            .admin_set_user_password()
            .user_pool_id(&id)
            .username(*username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    }
    if users.contains(&"alice") {
        client
            .admin_add_user_to_group()
            .user_pool_id(&id)
            .username("alice")
            .group_name("admins")
            .send()
            .await
            .expect("AdminAddUserToGroup");
    }
    let other_client = clients.pop().unwrap();
    let served = clients.pop().unwrap();
    Pool {
        id,
        served,
        other_client,
        _guard: guard,
    }
}

/// `(access token, ID token)` of one sign-in.
async fn sign_in(
    client: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> (String, String) {
    let out = client
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth");
    let result = out.authentication_result().expect("tokens");
    (
        result.access_token().unwrap().to_owned(),
        result.id_token().unwrap().to_owned(),
    )
}

/// One answer of the API: status, `WWW-Authenticate`, and the body.
struct Answer {
    status: u16,
    challenge: Option<String>,
    body: Value,
}

impl Answer {
    /// Asserts a refusal with this status and this reason, in the body and,
    /// for a 401, in the challenge's `error_description`.
    fn refused(&self, status: u16, reason: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["reason"], reason);
        if status == 401 {
            let challenge = self
                .challenge
                .as_deref()
                .expect("a WWW-Authenticate header");
            assert!(
                challenge.starts_with("Bearer realm=\"protected-api\""),
                "{challenge}"
            );
            assert!(
                challenge.contains(&format!("error_description=\"{reason}\"")),
                "{challenge}"
            );
        }
    }
}

async fn get(state: &Arc<ApiState>, path: &str, token: Option<&str>) -> Answer {
    let mut request = axum::http::Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = protected_api::router(state.clone())
        .oneshot(request.body(axum::body::Body::empty()).unwrap())
        .await
        .expect("the router answers");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Answer {
        status,
        challenge,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }
}

/// The API for a pool of the emulator, its clock the emulator's (so that
/// moving the emulator's clock expires tokens for the API too); its keys
/// fetched over HTTP from the emulator's JWKS, as in production.
async fn api(emulator: &emulator::Emulator, pool: &Pool<'_>) -> Arc<ApiState> {
    let issuer = protected_api::pool_issuer(&pool.id, None, Some(&emulator.endpoint()));
    let mut config = VerifierConfig::new(&issuer, vec![pool.served.clone()]);
    let system = protected_api::system_clock();
    let offset = emulator.clock_offset().as_secs() as i64;
    config.clock = Arc::new(move || system() + offset);
    let verifier = Verifier::new(config, HttpJwks::for_issuer(&issuer).expect("a JWKS URL"));
    assert_eq!(verifier.load_keys().await.expect("the pool's keys"), 1);
    Arc::new(ApiState {
        verifier,
        group: "admins".into(),
        required_scopes: vec!["aws.cognito.signin.user.admin".into()],
    })
}

/// The token with one character of its signature changed.
fn tampered(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 10;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_accepts_only_valid_access_tokens_of_its_pool_and_client() {
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        // Needs the emulator's clock and key rotation; the walk-through
        // test covers real AWS.
        return;
    };
    let client = target.client().await;
    let pool_a = pool(&target, &client, &["alice", "bob"]).await;
    let pool_b = pool(&target, &client, &["carol"]).await;
    let state = api(emulator, &pool_a).await;

    let (alice, _) = sign_in(&client, &pool_a.id, &pool_a.served, "alice").await;
    let (bob, bob_id) = sign_in(&client, &pool_a.id, &pool_a.served, "bob").await;
    let (bob_elsewhere, _) = sign_in(&client, &pool_a.id, &pool_a.other_client, "bob").await;
    let (carol, _) = sign_in(&client, &pool_b.id, &pool_b.served, "carol").await;

    let me = get(&state, "/me", Some(&alice)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["username"], "alice");
    assert_eq!(me.body["client_id"], pool_a.served.as_str());
    assert_eq!(me.body["groups"], serde_json::json!(["admins"]));
    assert_eq!(get(&state, "/reports", Some(&alice)).await.status, 200);
    assert_eq!(get(&state, "/me", Some(&bob)).await.status, 200);
    get(&state, "/reports", Some(&bob))
        .await
        .refused(403, "this route is only for members of the group admins");

    let missing = get(&state, "/me", None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.challenge.as_deref(),
        Some("Bearer realm=\"protected-api\"")
    );
    get(&state, "/me", Some("eyJhbGciOiJSUzI1NiJ9.e30"))
        .await
        .refused(401, "the token is not a well-formed JWT");
    get(&state, "/me", Some(&carol))
        .await
        .refused(401, "the token was issued by another user pool");
    get(&state, "/me", Some(&bob_elsewhere)).await.refused(
        401,
        "the token was issued to an app client this API does not serve",
    );
    get(&state, "/me", Some(&bob_id)).await.refused(
        401,
        "the token is not an access token (send the access token, not the ID token)",
    );
    get(&state, "/me", Some(&tampered(&alice)))
        .await
        .refused(401, "the token's signature is not valid");
    assert_eq!(
        state.verifier.jwks_fetches(),
        1,
        "no refused token fetched keys"
    );

    // Signed out: Cognito refuses the token, the API cannot know.
    client
        .global_sign_out()
        .access_token(&bob)
        .send()
        .await
        .expect("GlobalSignOut");
    assert_eq!(get(&state, "/me", Some(&bob)).await.status, 200);
    let err = client
        .get_user()
        .access_token(&bob)
        .send()
        .await
        .expect_err("GetUser refuses a signed-out user's token");
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    assert_eq!(err.message(), Some("Access Token has been revoked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_tokens_are_refused_by_the_emulators_clock() {
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        return;
    };
    let client = target.client().await;
    let pool_a = pool(&target, &client, &["alice"]).await;
    let issuer = protected_api::pool_issuer(&pool_a.id, None, Some(&emulator.endpoint()));
    let offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let mut config = VerifierConfig::new(&issuer, vec![pool_a.served.clone()]);
    let (system, seen) = (protected_api::system_clock(), offset.clone());
    config.clock = Arc::new(move || system() + seen.load(std::sync::atomic::Ordering::Relaxed));
    let state = Arc::new(ApiState {
        verifier: Verifier::new(config, HttpJwks::for_issuer(&issuer).unwrap()),
        group: "admins".into(),
        required_scopes: Vec::new(),
    });
    let (alice, _) = sign_in(&client, &pool_a.id, &pool_a.served, "alice").await;
    assert_eq!(get(&state, "/me", Some(&alice)).await.status, 200);

    // An hour (the default access token validity) and the 5 s leeway later.
    let later = Duration::from_secs(3600 + 10);
    emulator.advance_clock(later);
    offset.store(
        emulator.clock_offset().as_secs() as i64,
        std::sync::atomic::Ordering::Relaxed,
    );
    // The API remembered the token, and still refuses it now.
    get(&state, "/me", Some(&alice))
        .await
        .refused(401, "the token has expired");
    let err = client
        .get_user()
        .access_token(&alice)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("Access Token has expired"));
    // A token issued at the emulator's new time is accepted at it.
    let (fresh, _) = sign_in(&client, &pool_a.id, &pool_a.served, "alice").await;
    assert_eq!(get(&state, "/me", Some(&fresh)).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_rotated_in_after_start_up_is_fetched_once() {
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        return;
    };
    let client = target.client().await;
    let pool_a = pool(&target, &client, &["alice"]).await;
    let state = api(emulator, &pool_a).await;
    let (before, _) = sign_in(&client, &pool_a.id, &pool_a.served, "alice").await;
    assert_eq!(get(&state, "/me", Some(&before)).await.status, 200);
    assert_eq!(state.verifier.jwks_fetches(), 1);

    let new_kid = emulator.rotate_signing_key();
    let (after, _) = sign_in(&client, &pool_a.id, &pool_a.served, "alice").await;
    let header = jsonwebtoken::decode_header(&after).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new_kid.as_str()));
    let me = get(&state, "/me", Some(&after)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(
        state.verifier.jwks_fetches(),
        2,
        "one fetch for the new kid"
    );
    // The old key still verifies what it signed (a first-time verification).
    state.verifier.forget_tokens();
    assert_eq!(get(&state, "/me", Some(&before)).await.status, 200);

    // A flood of made-up kids costs no fetch within the interval.
    let (_, rest) = after.split_once('.').unwrap();
    for i in 0..50 {
        let header = serde_json::json!({"kid": format!("made-up-{i}"), "alg": "RS256"});
        let forged = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()));
        get(&state, "/me", Some(&forged)).await.refused(
            401,
            "the token names a signing key the user pool does not publish",
        );
    }
    assert_eq!(state.verifier.jwks_fetches(), 2);
}
