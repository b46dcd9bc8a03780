//! The custom authentication flow (`CUSTOM_AUTH`) end to end: the three
//! challenge triggers run as shell-script functions in the emulator's
//! Lambda, behaving as the AWS SDK for JavaScript examples' functions do
//! (SRP first, then a CAPTCHA answered "5" and a security question answered
//! "Peccy"), with the password proved by the independent `aws-cognito-srp`
//! client.

use crate::lambda_support::*;
use crate::sdk_client::{PASSWORD, confirmed_user};
use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType,
    PreventUserExistenceErrorTypes,
};
use aws_sdk_cognitoidentityprovider::{Client, error::ProvideErrorMetadata};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// The session so far as `NAME=result NAME=result ` (each entry's
/// `challengeName` is next to its `challengeResult` in every key order).
const SESSION: &str = r#"S="$(printf '%s' "$EVENT" | grep -o '"challengeName":"[A-Z_]*","challengeResult":[a-z]*' | sed -e 's/"challengeName":"//' -e 's/","challengeResult":/=/' | tr '\n' ' ')""#;

/// Replaces the event's `response` object with `$R` (which holds no `|`)
/// and answers with it.
const ANSWER: &str = r#"  ANSWER="$(printf '%s' "$EVENT" | sed -e "s|\"response\":{[^}]*}|\"response\":{$R}|")"
  curl -sS -X POST "$API/invocation/$ID/response" -d "$ANSWER" >/dev/null"#;

/// DefineAuthChallenge as the JavaScript example decides (SRP_A →
/// PASSWORD_VERIFIER → two custom challenges → tokens; anything else
/// fails), and the same two challenges without SRP.
fn define_script() -> String {
    runtime_loop(
        "",
        &format!(
            r#"  {SESSION}
  CHALLENGE='"challengeName":"CUSTOM_CHALLENGE","issueTokens":false,"failAuthentication":false'
  case "$S" in
    "SRP_A=true ") R='"challengeName":"PASSWORD_VERIFIER","issueTokens":false,"failAuthentication":false' ;;
    "SRP_A=true PASSWORD_VERIFIER=true "|"SRP_A=true PASSWORD_VERIFIER=true CUSTOM_CHALLENGE=true ") R="$CHALLENGE" ;;
    ""|"CUSTOM_CHALLENGE=true ") R="$CHALLENGE" ;;
    "SRP_A=true PASSWORD_VERIFIER=true CUSTOM_CHALLENGE=true CUSTOM_CHALLENGE=true "|"CUSTOM_CHALLENGE=true CUSTOM_CHALLENGE=true ") R='"issueTokens":true,"failAuthentication":false' ;;
    *) R='"issueTokens":false,"failAuthentication":true' ;;
  esac
{ANSWER}"#
        ),
    )
}

/// CreateAuthChallenge: the CAPTCHA first, then the security question.
fn create_script() -> String {
    runtime_loop(
        "",
        &format!(
            r#"  DONE="$(printf '%s' "$EVENT" | grep -o '"challengeName":"CUSTOM_CHALLENGE","challengeResult"' | wc -l | tr -d ' ')"
  if [ "$DONE" = 0 ]; then
    R='"publicChallengeParameters":{{"captchaUrl":"url/123.jpg"}},"privateChallengeParameters":{{"answer":"5"}},"challengeMetadata":"CAPTCHA_CHALLENGE"'
  else
    R='"publicChallengeParameters":{{"securityQuestion":"Who is your favorite team mascot?"}},"privateChallengeParameters":{{"answer":"Peccy"}},"challengeMetadata":"QUESTION_CHALLENGE"'
  fi
{ANSWER}"#
        ),
    )
}

/// VerifyAuthChallengeResponse: the answer equals the private `answer`.
fn verify_script() -> String {
    runtime_loop(
        "",
        &format!(
            r#"  GIVEN="$(printf '%s' "$EVENT" | sed -n 's/.*"challengeAnswer":"\([^"]*\)".*/\1/p')"
  EXPECTED="$(printf '%s' "$EVENT" | sed -n 's/.*"privateChallengeParameters":{{"answer":"\([^"]*\)"}}.*/\1/p')"
  if [ -n "$GIVEN" ] && [ "$GIVEN" = "$EXPECTED" ]; then R='"answerCorrect":true'; else R='"answerCorrect":false'; fi
{ANSWER}"#
        ),
    )
}

/// A function that answers every event with `output`.
fn fixed_script(output: &str) -> String {
    runtime_loop(
        "",
        &format!(r#"  curl -sS -X POST "$API/invocation/$ID/response" -d '{output}' >/dev/null"#),
    )
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

/// An emulator with the three functions (and `extra` ones) created.
async fn start_with(extra: &[(&str, String)]) -> (Env, Client) {
    let env = start().await;
    let mut functions = vec![
        ("define", define_script()),
        ("create", create_script()),
        ("verify", verify_script()),
    ];
    functions.extend(extra.iter().cloned());
    for (name, script) in &functions {
        create_function(&env.lambda, name, &env.role, script, 3).await;
    }
    let cognito = cognito(&env.emulator.endpoint());
    (env, cognito)
}

/// A pool whose DefineAuthChallenge, CreateAuthChallenge and
/// VerifyAuthChallengeResponse are the named functions (`None`: not set),
/// which Cognito may invoke.
async fn pool_with(
    env: &Env,
    cognito: &Client,
    define: Option<&str>,
    create: &str,
    verify: &str,
) -> String {
    let mut config = LambdaConfigType::builder()
        .create_auth_challenge(function_arn(create))
        .verify_auth_challenge_response(function_arn(verify));
    if let Some(define) = define {
        config = config.define_auth_challenge(function_arn(define));
    }
    let pool = cognito
        .create_user_pool()
        .pool_name("custom")
        .lambda_config(config.build())
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .unwrap();
    let (id, arn) = (pool.id.unwrap(), pool.arn.unwrap());
    for function in [define.unwrap_or(create), create, verify] {
        // One grant per function and pool (a second one for the same pool is refused).
        let _ = env
            .lambda
            .add_permission()
            .function_name(function)
            .statement_id(format!("cognito-{id}"))
            .action("lambda:InvokeFunction")
            .principal("cognito-idp.amazonaws.com")
            .source_arn(&arn)
            .send()
            .await;
    }
    id
}

/// An app client with `flows`; `hide_users` sets PreventUserExistenceErrors.
async fn app_client(
    cognito: &Client,
    pool_id: &str,
    flows: &[ExplicitAuthFlowsType],
    hide_users: bool,
) -> String {
    let mut request = cognito
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("app");
    for flow in flows {
        request = request.explicit_auth_flows(flow.clone());
    }
    if hide_users {
        request = request.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    request
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

fn custom_flows() -> Vec<ExplicitAuthFlowsType> {
    vec![
        ExplicitAuthFlowsType::AllowCustomAuth,
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ]
}

/// A pool with the three triggers, a client allowing CUSTOM_AUTH and a
/// confirmed user `alice`; returns (pool id, client id).
async fn custom_pool(env: &Env, cognito: &Client) -> (String, String) {
    let pool_id = pool_with(env, cognito, Some("define"), "create", "verify").await;
    let client_id = app_client(cognito, &pool_id, &custom_flows(), false).await;
    confirmed_user(cognito, &pool_id, &client_id, "alice").await;
    (pool_id, client_id)
}

/// The events a function printed (`event {...}` lines), once there are `count`.
async fn events(env: &Env, function: &str, count: usize) -> Vec<Value> {
    let endpoint = env.emulator.endpoint();
    let group = format!("/aws/lambda/{function}");
    for _ in 0..100 {
        let events: Vec<Value> = log_lines(&endpoint, &group)
            .await
            .iter()
            .filter_map(|l| l.strip_prefix("event "))
            .map(|e| serde_json::from_str(e).expect("a JSON event"))
            .collect();
        if events.len() >= count {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{function} did not log {count} events");
}

/// The (code, message) of a failed call.
fn failure<E: ProvideErrorMetadata>(error: E) -> (String, String) {
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    )
}

/// One challenge the client was given: its name, parameters and session.
struct Step {
    name: Option<ChallengeNameType>,
    parameters: HashMap<String, String>,
    session: Option<String>,
    tokens: bool,
}

/// Answers a CUSTOM_CHALLENGE with RespondToAuthChallenge.
async fn answer(
    cognito: &Client,
    client_id: &str,
    session: &str,
    username: &str,
    answer: &str,
) -> Result<Step, (String, String)> {
    cognito
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .client_metadata("screen", "challenge")
        .send()
        .await
        .map(|out| Step {
            name: out.challenge_name,
            parameters: out.challenge_parameters.unwrap_or_default(),
            session: out.session,
            tokens: out.authentication_result.is_some(),
        })
        .map_err(|e| failure(e.into_service_error()))
}

/// InitiateAuth CUSTOM_AUTH without SRP.
async fn start_custom(
    cognito: &Client,
    client_id: &str,
    username: &str,
) -> Result<Step, (String, String)> {
    cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", username)
        .client_metadata("screen", "sign-in")
        .send()
        .await
        .map(|out| Step {
            name: out.challenge_name,
            parameters: out.challenge_parameters.unwrap_or_default(),
            session: out.session,
            tokens: out.authentication_result.is_some(),
        })
        .map_err(|e| failure(e.into_service_error()))
}

/// InitiateAuth CUSTOM_AUTH with SRP first, and the PASSWORD_VERIFIER
/// answered with `password`: what the proof was answered with.
async fn srp_first(
    cognito: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<Step, (String, String)> {
    let srp = SrpClient::new(User::new(pool_id, username, password), client_id, None);
    let params = srp.get_auth_parameters();
    let started = cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", &params.username)
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .auth_parameters("SRP_A", &params.a)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))?;
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p = started.challenge_parameters().unwrap();
    for key in [
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USER_ID_FOR_SRP",
        "USERNAME",
    ] {
        assert!(p.contains_key(key), "{key} in {p:?}");
    }
    let proof = srp
        .verify(
            &p["SECRET_BLOCK"],
            &p["USER_ID_FOR_SRP"],
            &p["SALT"],
            &p["SRP_B"],
        )
        .expect("the SRP client accepts the parameters");
    cognito
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &proof.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
        .challenge_responses("TIMESTAMP", &proof.timestamp)
        .send()
        .await
        .map(|out| Step {
            name: out.challenge_name,
            parameters: out.challenge_parameters.unwrap_or_default(),
            session: out.session,
            tokens: out.authentication_result.is_some(),
        })
        .map_err(|e| failure(e.into_service_error()))
}

fn entry(name: &str, result: bool, metadata: Option<&str>) -> Value {
    json!({"challengeName": name, "challengeResult": result, "challengeMetadata": metadata})
}

#[tokio::test]
async fn srp_first_then_two_custom_challenges_issue_tokens() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, client_id) = custom_pool(&env, &cognito).await;

    let captcha = srp_first(&cognito, &pool_id, &client_id, "alice", PASSWORD)
        .await
        .expect("the password is proved");
    assert_eq!(captcha.name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(
        captcha.parameters,
        HashMap::from([
            ("captchaUrl".to_owned(), "url/123.jpg".to_owned()),
            ("USERNAME".to_owned(), "alice".to_owned()),
        ]),
        "the public parameters and USERNAME, never the private answer"
    );
    let question = answer(
        &cognito,
        &client_id,
        captcha.session.as_deref().unwrap(),
        "alice",
        "5",
    )
    .await
    .expect("the CAPTCHA is answered");
    assert_eq!(question.name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(
        question.parameters["securityQuestion"],
        "Who is your favorite team mascot?"
    );
    let done = answer(
        &cognito,
        &client_id,
        question.session.as_deref().unwrap(),
        "alice",
        "Peccy",
    )
    .await
    .expect("the question is answered");
    assert!(done.tokens, "tokens after the last challenge");
    assert_eq!(done.name, None);

    // DefineAuthChallenge saw the session grow, one entry per challenge.
    let defined = events(&env, "define", 4).await;
    let sessions: Vec<&Value> = defined.iter().map(|e| &e["request"]["session"]).collect();
    let srp_a = entry("SRP_A", true, None);
    let verifier = entry("PASSWORD_VERIFIER", true, None);
    let captcha_done = entry("CUSTOM_CHALLENGE", true, Some("CAPTCHA_CHALLENGE"));
    let question_done = entry("CUSTOM_CHALLENGE", true, Some("QUESTION_CHALLENGE"));
    assert_eq!(
        sessions,
        [
            &json!([srp_a]),
            &json!([srp_a, verifier]),
            &json!([srp_a, verifier, captcha_done]),
            &json!([srp_a, verifier, captcha_done, question_done]),
        ]
    );
    let first = &defined[0];
    assert_eq!(first["triggerSource"], "DefineAuthChallenge_Authentication");
    assert_eq!(first["userName"], "alice");
    assert_eq!(first["userPoolId"], pool_id.as_str());
    assert_eq!(first["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        first["request"]["userAttributes"]["email"],
        "alice@example.com"
    );
    assert!(
        first["request"].get("userNotFound").is_none(),
        "only populated when the client hides users"
    );
    assert!(
        first["request"].get("clientMetadata").is_none(),
        "InitiateAuth passes no ClientMetadata to DefineAuthChallenge"
    );
    assert_eq!(
        first["response"],
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null})
    );
    assert_eq!(
        defined[3]["request"]["clientMetadata"],
        json!({"screen": "challenge"}),
        "RespondToAuthChallenge passes its ClientMetadata on"
    );

    let created = events(&env, "create", 2).await;
    assert_eq!(
        created[0]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(created[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(created[0]["request"]["session"], json!([srp_a, verifier]));
    assert_eq!(
        created[1]["request"]["session"],
        json!([srp_a, verifier, captcha_done])
    );

    let verified = events(&env, "verify", 2).await;
    assert_eq!(
        verified[0]["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(verified[0]["request"]["challengeAnswer"], "5");
    assert_eq!(
        verified[0]["request"]["privateChallengeParameters"],
        json!({"answer": "5"})
    );
    assert_eq!(verified[1]["request"]["challengeAnswer"], "Peccy");
    assert_eq!(
        verified[1]["request"]["clientMetadata"],
        json!({"screen": "challenge"})
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn custom_challenges_without_srp_and_a_wrong_answer() {
    let (env, cognito) = start_with(&[]).await;
    let (_, client_id) = custom_pool(&env, &cognito).await;

    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    assert_eq!(captcha.name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(captcha.parameters["captchaUrl"], "url/123.jpg");
    let question = answer(
        &cognito,
        &client_id,
        captcha.session.as_deref().unwrap(),
        "alice",
        "5",
    )
    .await
    .unwrap();
    let done = answer(
        &cognito,
        &client_id,
        question.session.as_deref().unwrap(),
        "alice",
        "Peccy",
    )
    .await
    .unwrap();
    assert!(done.tokens);
    let first = &events(&env, "define", 1).await[0];
    assert_eq!(first["request"]["session"], json!([]));

    // A wrong answer: DefineAuthChallenge sees it false and fails the sign-in.
    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    let wrong = answer(
        &cognito,
        &client_id,
        captcha.session.as_deref().unwrap(),
        "alice",
        "6",
    )
    .await
    .err()
    .expect("a wrong answer ends the sign-in");
    assert_eq!(
        wrong,
        (
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        )
    );
    let defined = events(&env, "define", 5).await;
    assert_eq!(
        defined[4]["request"]["session"],
        json!([entry("CUSTOM_CHALLENGE", false, Some("CAPTCHA_CHALLENGE"))])
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn a_wrong_password_ends_the_srp_step_at_once() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, client_id) = custom_pool(&env, &cognito).await;
    let refused = srp_first(&cognito, &pool_id, &client_id, "alice", "Wrong-Horse-1")
        .await
        .err()
        .expect("a wrong password fails");
    assert_eq!(
        refused,
        (
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        )
    );
    // Only the first round (SRP_A) reached DefineAuthChallenge.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(events(&env, "define", 1).await.len(), 1);
    env.emulator.stop().await;
}

#[tokio::test]
async fn clients_and_pools_that_do_not_allow_the_flow() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, _) = custom_pool(&env, &cognito).await;
    let srp_only = app_client(
        &cognito,
        &pool_id,
        &[ExplicitAuthFlowsType::AllowUserSrpAuth],
        false,
    )
    .await;
    assert_eq!(
        start_custom(&cognito, &srp_only, "alice").await.err(),
        Some((
            "InvalidParameterException".to_owned(),
            "CUSTOM_AUTH is not enabled for the client.".to_owned()
        ))
    );

    // A pool with Create and Verify but no Define has no custom flow.
    let undefined = pool_with(&env, &cognito, None, "create", "verify").await;
    let client_id = app_client(&cognito, &undefined, &custom_flows(), false).await;
    confirmed_user(&cognito, &undefined, &client_id, "bob").await;
    assert_eq!(
        start_custom(&cognito, &client_id, "bob").await.err(),
        Some((
            "InvalidParameterException".to_owned(),
            "Custom auth lambda trigger is not configured for the user pool.".to_owned()
        ))
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn sessions_are_single_use_and_expire() {
    let (env, cognito) = start_with(&[]).await;
    let (_, client_id) = custom_pool(&env, &cognito).await;
    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    let session = captcha.session.unwrap();
    answer(&cognito, &client_id, &session, "alice", "5")
        .await
        .expect("the first answer");
    assert_eq!(
        answer(&cognito, &client_id, &session, "alice", "5")
            .await
            .err(),
        Some((
            "NotAuthorizedException".to_owned(),
            "Invalid session for the user, session can only be used once.".to_owned()
        ))
    );

    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    env.emulator.advance_clock(Duration::from_secs(181));
    assert_eq!(
        answer(
            &cognito,
            &client_id,
            captcha.session.as_deref().unwrap(),
            "alice",
            "5"
        )
        .await
        .err(),
        Some((
            "NotAuthorizedException".to_owned(),
            "Invalid session for the user, session is expired.".to_owned()
        ))
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn the_admin_operations_run_the_same_flow() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, client_id) = custom_pool(&env, &cognito).await;
    let step = cognito
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .expect("AdminInitiateAuth");
    assert_eq!(
        step.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let mut session = step.session().unwrap().to_owned();
    for (round, reply) in ["5", "Peccy"].into_iter().enumerate() {
        let out = cognito
            .admin_respond_to_auth_challenge()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses("ANSWER", reply)
            .send()
            .await
            .expect("AdminRespondToAuthChallenge");
        if round == 0 {
            assert_eq!(
                out.challenge_parameters().unwrap()["securityQuestion"],
                "Who is your favorite team mascot?"
            );
            session = out.session().unwrap().to_owned();
        } else {
            let tokens = out.authentication_result().expect("tokens");
            assert!(tokens.id_token().is_some() && tokens.refresh_token().is_some());
        }
    }
    // The admin flow refuses a client that does not allow it, too.
    let srp_only = app_client(
        &cognito,
        &pool_id,
        &[ExplicitAuthFlowsType::AllowUserSrpAuth],
        false,
    )
    .await;
    let refused = cognito
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&srp_only)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))
        .err();
    assert_eq!(
        refused,
        Some((
            "InvalidParameterException".to_owned(),
            "CUSTOM_AUTH is not enabled for the client.".to_owned()
        ))
    );
    env.emulator.stop().await;
}

#[tokio::test]
async fn unknown_users_run_the_triggers_only_when_the_client_hides_them() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, client_id) = custom_pool(&env, &cognito).await;
    assert_eq!(
        start_custom(&cognito, &client_id, "nobody").await.err(),
        Some((
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        ))
    );

    let hiding = app_client(&cognito, &pool_id, &custom_flows(), true).await;
    let captcha = start_custom(&cognito, &hiding, "nobody")
        .await
        .expect("a challenge, as for a user that exists");
    assert_eq!(captcha.name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(captcha.parameters["USERNAME"], "nobody");
    let question = answer(
        &cognito,
        &hiding,
        captcha.session.as_deref().unwrap(),
        "nobody",
        "5",
    )
    .await
    .unwrap();
    let refused = answer(
        &cognito,
        &hiding,
        question.session.as_deref().unwrap(),
        "nobody",
        "Peccy",
    )
    .await
    .err()
    .expect("no tokens for a user that does not exist");
    assert_eq!(
        refused,
        (
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        )
    );
    let defined = events(&env, "define", 3).await;
    assert_eq!(defined[0]["request"]["userNotFound"], true);
    assert_eq!(defined[0]["request"]["userAttributes"], json!({}));
    assert_eq!(defined[0]["userName"], "nobody");
    let verified = events(&env, "verify", 2).await;
    assert_eq!(verified[1]["request"]["userNotFound"], true);

    // A known user through the hiding client: userNotFound is false.
    start_custom(&cognito, &hiding, "alice").await.unwrap();
    let defined = events(&env, "define", 4).await;
    assert_eq!(defined[3]["request"]["userNotFound"], false);
    env.emulator.stop().await;
}

#[tokio::test]
async fn failing_and_unusable_functions() {
    let (env, cognito) = start_with(&[
        ("broken", failing_function("no challenge today")),
        (
            "garbled",
            fixed_script(r#"{"response":{"issueTokens":"yes"}}"#),
        ),
    ])
    .await;
    let cases = [
        (
            "broken",
            "create",
            "verify",
            "UserLambdaValidationException",
            "DefineAuthChallenge failed with error no challenge today.",
        ),
        (
            "define",
            "broken",
            "verify",
            "UserLambdaValidationException",
            "CreateAuthChallenge failed with error no challenge today.",
        ),
        (
            "garbled",
            "create",
            "verify",
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
    ];
    for (define, create, verify, code, message) in cases {
        let pool_id = pool_with(&env, &cognito, Some(define), create, verify).await;
        let client_id = app_client(&cognito, &pool_id, &custom_flows(), false).await;
        confirmed_user(&cognito, &pool_id, &client_id, "alice").await;
        assert_eq!(
            start_custom(&cognito, &client_id, "alice").await.err(),
            Some((code.to_owned(), message.to_owned())),
            "{define} {create} {verify}"
        );
    }

    // A failing VerifyAuthChallengeResponse fails the answer.
    let pool_id = pool_with(&env, &cognito, Some("define"), "create", "broken").await;
    let client_id = app_client(&cognito, &pool_id, &custom_flows(), false).await;
    confirmed_user(&cognito, &pool_id, &client_id, "alice").await;
    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    assert_eq!(
        answer(
            &cognito,
            &client_id,
            captcha.session.as_deref().unwrap(),
            "alice",
            "5"
        )
        .await
        .err(),
        Some((
            "UserLambdaValidationException".to_owned(),
            "VerifyAuthChallengeResponse failed with error no challenge today.".to_owned()
        ))
    );
    env.emulator.stop().await;
}

/// `Base64(HMAC-SHA256(secret, username + client_id))`, computed here
/// independently of the emulator.
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_client_with_a_secret_needs_its_hash_in_every_step() {
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, _) = custom_pool(&env, &cognito).await;
    let created = cognito
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("server")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .unwrap();
    let (client_id, secret) = (created.client_id.unwrap(), created.client_secret.unwrap());
    let hash = secret_hash(&secret, "alice", &client_id);
    let initiate = |with_hash: bool| {
        let mut request = cognito
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "alice");
        if with_hash {
            request = request.auth_parameters("SECRET_HASH", &hash);
        }
        request.send()
    };
    let (code, message) = failure(initiate(false).await.unwrap_err().into_service_error());
    assert_eq!(code, "NotAuthorizedException");
    assert!(
        message.contains("SECRET_HASH was not received"),
        "{message}"
    );

    let respond = |session: String, reply: &'static str, with_hash: bool| {
        let mut request = cognito
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses("ANSWER", reply);
        if with_hash {
            request = request.challenge_responses("SECRET_HASH", &hash);
        }
        request.send()
    };
    let captcha = initiate(true).await.expect("with its SECRET_HASH");
    let (code, _) = failure(
        respond(captcha.session.unwrap(), "5", false)
            .await
            .unwrap_err()
            .into_service_error(),
    );
    assert_eq!(code, "NotAuthorizedException");

    let captcha = initiate(true).await.unwrap();
    let question = respond(captcha.session.unwrap(), "5", true)
        .await
        .expect("the CAPTCHA with the SECRET_HASH");
    let done = respond(question.session.unwrap(), "Peccy", true)
        .await
        .expect("the question with the SECRET_HASH");
    assert!(done.authentication_result.is_some());
    env.emulator.stop().await;
}

#[tokio::test]
async fn after_the_challenges_mfa_comes_as_after_a_password() {
    use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};
    let (env, cognito) = start_with(&[]).await;
    let (pool_id, client_id) = custom_pool(&env, &cognito).await;
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let captcha = start_custom(&cognito, &client_id, "alice").await.unwrap();
    let question = answer(
        &cognito,
        &client_id,
        captcha.session.as_deref().unwrap(),
        "alice",
        "5",
    )
    .await
    .unwrap();
    let mfa = answer(
        &cognito,
        &client_id,
        question.session.as_deref().unwrap(),
        "alice",
        "Peccy",
    )
    .await
    .unwrap();
    assert!(!mfa.tokens, "MFA is required before tokens");
    assert_eq!(mfa.name, Some(ChallengeNameType::MfaSetup));
    assert!(mfa.session.is_some());
    env.emulator.stop().await;
}
