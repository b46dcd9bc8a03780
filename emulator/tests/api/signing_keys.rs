//! What a relying party reads beside the tokens: the pool's OpenID Connect
//! discovery document and its JWKS, and the JWKS across a key rotation
//! (`POST /_emulator/signing-keys/rotate`).

use crate::sdk_client;

use crate::sdk_client::raw;
use serde_json::Value;

async fn get(endpoint: &str, path: &str) -> (u16, Value) {
    let response = raw(endpoint, "GET", path, &[], b"").await;
    let status = response.status;
    (status, response.json())
}

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .expect("a JWT header")
        .kid
        .expect("a kid")
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .expect("a keys array")
        .iter()
        .map(|key| key["kid"].as_str().expect("a kid").to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_document_names_the_issuer_and_the_jwks() {
    let (emulator, client) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    let pool_id = sdk_client::pool(&client).await;
    let (status, document) = get(
        &endpoint,
        &format!("/{pool_id}/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(status, 200);
    let issuer = format!("{endpoint}/{pool_id}");
    assert_eq!(document["issuer"], issuer.as_str());
    assert_eq!(
        document["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json").as_str()
    );
    assert_eq!(
        document["id_token_signing_alg_values_supported"][0],
        "RS256"
    );
    assert_eq!(document["subject_types_supported"][0], "public");
    // Without a domain the OAuth endpoints sit under the issuer.
    assert_eq!(
        document["token_endpoint"],
        format!("{issuer}/token").as_str()
    );
    assert!(document.get("revocation_endpoint").is_none());

    // With a domain they move to it: to where the emulator serves it.
    client
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("discovery-test")
        .send()
        .await
        .expect("CreateUserPoolDomain");
    let (_, document) = get(
        &endpoint,
        &format!("/{pool_id}/.well-known/openid-configuration"),
    )
    .await;
    let domain = format!("{endpoint}/domains/discovery-test");
    assert_eq!(
        document["token_endpoint"],
        format!("{domain}/oauth2/token").as_str()
    );
    assert_eq!(
        document["revocation_endpoint"],
        format!("{domain}/oauth2/revoke").as_str()
    );
    assert_eq!(
        document["end_session_endpoint"],
        format!("{domain}/logout").as_str()
    );
    // And they answer there: the token endpoint knows the grant types.
    let answer = raw(
        &endpoint,
        "POST",
        "/domains/discovery-test/oauth2/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"grant_type=password&client_id=none",
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.json()["error"].is_string(), "{}", answer.body);

    let (status, body) = get(
        &endpoint,
        "/us-east-1_NoSuchPool/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "User pool us-east-1_NoSuchPool does not exist."
    );
}

#[tokio::test]
async fn rotated_key_signs_new_tokens_and_the_jwks_keeps_the_old_one() {
    let (emulator, client) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "alice").await;
    let jwks_path = format!("/{pool_id}/.well-known/jwks.json");

    let before = sdk_client::password_sign_in(&client, &client_id, "alice").await;
    let old_token = before
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let (_, jwks) = get(&endpoint, &jwks_path).await;
    assert_eq!(kids(&jwks), [kid(old_token)]);

    let rotated = raw(
        &endpoint,
        "POST",
        "/_emulator/signing-keys/rotate",
        &[],
        b"",
    )
    .await;
    assert_eq!(rotated.status, 200);
    let new_kid = rotated.json()["kid"]
        .as_str()
        .expect("the new kid")
        .to_owned();
    assert_ne!(new_kid, kid(old_token));

    let (_, jwks) = get(&endpoint, &jwks_path).await;
    assert_eq!(kids(&jwks), [kid(old_token), new_kid.clone()]);
    let after = sdk_client::password_sign_in(&client, &client_id, "alice").await;
    let result = after.authentication_result().unwrap();
    assert_eq!(kid(result.access_token().unwrap()), new_kid);
    assert_eq!(kid(result.id_token().unwrap()), new_kid);

    // Both keys still verify what they signed.
    for token in [old_token, result.access_token().unwrap()] {
        let me = client.get_user().access_token(token).send().await;
        assert_eq!(me.expect("GetUser").username(), "alice");
    }

    // The library call rotates the same way.
    let third = emulator.rotate_signing_key();
    let (_, jwks) = get(&endpoint, &jwks_path).await;
    assert_eq!(kids(&jwks).len(), 3);
    assert_eq!(kids(&jwks)[2], third);
}
