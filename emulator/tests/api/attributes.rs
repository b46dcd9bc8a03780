//! Attributes after sign-up: UpdateUserAttributes and its verification
//! codes (GetUserAttributeVerificationCode, VerifyUserAttribute), the
//! pool's AttributesRequireVerificationBeforeUpdate, the app client's
//! ReadAttributes / WriteAttributes, deletions, the Admin* forms, and
//! custom attributes (AddCustomAttributes, checked, in the ID token).

use crate::sdk_client;

use std::time::Duration;

use crate::sdk_client::{Client, PASSWORD, email};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AttributeType, DeliveryMediumType, ExplicitAuthFlowsType,
    NumberAttributeConstraintsType, SchemaAttributeType, UserAttributeUpdateSettingsType,
    VerifiedAttributeType,
};
use base64::Engine;
use emulator::Emulator;

/// `(code, message)` of a failed call.
fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

fn expect(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A code that is not `code`.
fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Signs a user up, confirms them with the emailed code (so the email is
/// verified) and signs them in: their access token and ID token.
async fn signed_in_user(
    emulator: &Emulator,
    client: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> (String, String) {
    client
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .user_attributes(email(&format!("{username}@example.com")))
        .send()
        .await
        .expect("SignUp");
    let code = emulator.latest_code(pool_id, username).expect("a code");
    client
        .confirm_sign_up()
        .client_id(client_id)
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
    let out = sdk_client::password_sign_in(client, client_id, username).await;
    let result = out.authentication_result().unwrap();
    (
        result.access_token().unwrap().to_owned(),
        result.id_token().unwrap().to_owned(),
    )
}

/// The user's attributes as GetUser shows them, sorted by name.
async fn own_attributes(client: &Client, access_token: &str) -> Vec<(String, String)> {
    let out = client
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .expect("GetUser");
    let mut attributes: Vec<(String, String)> = out
        .user_attributes()
        .iter()
        .filter(|a| a.name() != "sub")
        .map(|a| {
            (
                a.name().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    attributes.sort();
    attributes
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

async fn update(
    client: &Client,
    access_token: &str,
    attributes: &[(&str, &str)],
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::update_user_attributes::UpdateUserAttributesOutput,
    (String, String),
> {
    let mut request = client.update_user_attributes().access_token(access_token);
    for (name, value) in attributes {
        request = request.user_attributes(attribute(name, value));
    }
    request
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))
}

async fn verify(client: &Client, access_token: &str, code: &str) -> Result<(), (String, String)> {
    client
        .verify_user_attribute()
        .access_token(access_token)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .map(drop)
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn a_new_email_is_unverified_until_its_code_comes_back() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (token, _) = signed_in_user(&emulator, &client, &pool_id, &client_id, "amy").await;
    let out = update(
        &client,
        &token,
        &[("email", "amy.new@example.com"), ("name", "Amy")],
    )
    .await
    .unwrap();
    let details = out.code_delivery_details_list();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].attribute_name(), Some("email"));
    assert_eq!(
        details[0].delivery_medium(),
        Some(&DeliveryMediumType::Email)
    );
    assert_eq!(details[0].destination(), Some("a***@e***"));
    let message = emulator.outbox().pop().unwrap();
    assert_eq!(message.trigger, "UpdateUserAttribute");
    assert_eq!(message.destination, "amy.new@example.com");
    let code = message.code.unwrap();
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[
            ("email", "amy.new@example.com"),
            ("email_verified", "false"),
            ("name", "Amy")
        ])
    );
    assert_eq!(
        verify(&client, &token, wrong(&code)).await,
        Err(expect(
            "CodeMismatchException",
            "Invalid verification code provided, please try again."
        ))
    );
    verify(&client, &token, &code).await.expect("the code");
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[
            ("email", "amy.new@example.com"),
            ("email_verified", "true"),
            ("name", "Amy")
        ])
    );
    assert_eq!(
        verify(&client, &token, &code).await,
        Err(expect(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        ))
    );
    // Not a change: nothing to verify, nothing sent.
    let before = emulator.outbox().len();
    let out = update(&client, &token, &[("email", "amy.new@example.com")])
        .await
        .unwrap();
    assert!(out.code_delivery_details_list().is_empty());
    assert_eq!(emulator.outbox().len(), before);

    // A code asked for again replaces the last one.
    let resent = client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resent.code_delivery_details().unwrap().destination(),
        Some("a***@e***")
    );
    let message = emulator.outbox().pop().unwrap();
    assert_eq!(message.trigger, "VerifyUserAttribute");
    verify(&client, &token, &message.code.unwrap())
        .await
        .expect("the resent code");
    let err = client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()).0,
        "InvalidParameterException"
    );
}

#[tokio::test]
async fn verification_before_update_keeps_the_old_email_until_verified() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("verify-first")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (token, _) = signed_in_user(&emulator, &client, &pool_id, &client_id, "bea").await;
    let old = pairs(&[("email", "bea@example.com"), ("email_verified", "true")]);
    update(&client, &token, &[("email", "bea.new@example.com")])
        .await
        .unwrap();
    assert_eq!(own_attributes(&client, &token).await, old);
    let first = emulator.outbox().pop().unwrap();
    assert_eq!(first.destination, "bea.new@example.com");

    // Asked for again, the code goes to the waiting address; the first stops working.
    client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    let second = emulator.outbox().pop().unwrap();
    assert_eq!(second.destination, "bea.new@example.com");
    let (first, second) = (first.code.unwrap(), second.code.unwrap());
    if first != second {
        assert_eq!(
            verify(&client, &token, &first).await.unwrap_err().0,
            "CodeMismatchException"
        );
    }
    verify(&client, &token, &second).await.expect("the code");
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[("email", "bea.new@example.com"), ("email_verified", "true")])
    );

    // A change whose code expires never happens.
    update(&client, &token, &[("email", "bea.third@example.com")])
        .await
        .unwrap();
    let code = emulator.outbox().pop().unwrap().code.unwrap();
    emulator.advance_clock(Duration::from_secs(24 * 3600 + 60));
    let token = sdk_client::password_sign_in(&client, &client_id, "bea")
        .await
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    assert_eq!(
        verify(&client, &token, &code).await,
        Err(expect(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        ))
    );
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[("email", "bea.new@example.com"), ("email_verified", "true")])
    );
}

#[tokio::test]
async fn what_a_user_may_write_and_read() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("rules")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .mutable(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .sign_up()
        .client_id(&client_id)
        .username("cal")
        .password(PASSWORD)
        .user_attributes(email("cal@example.com"))
        .user_attributes(attribute("custom:tier", "gold"))
        .send()
        .await
        .unwrap();
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("cal")
        .send()
        .await
        .unwrap();
    let token = sdk_client::password_sign_in(&client, &client_id, "cal")
        .await
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let unauthorized = expect(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    );
    assert_eq!(
        update(&client, &token, &[("email_verified", "true")])
            .await
            .unwrap_err(),
        unauthorized
    );
    assert_eq!(
        update(&client, &token, &[("shoe_size", "9")])
            .await
            .unwrap_err(),
        expect(
            "InvalidParameterException",
            "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema."
        )
    );
    assert_eq!(
        update(&client, &token, &[("custom:tier", "silver")])
            .await
            .unwrap_err(),
        expect(
            "InvalidParameterException",
            "Attributes did not conform to the schema: custom:tier: Attribute cannot be updated."
        )
    );
    // A refused request changes nothing, not even its valid part.
    assert_eq!(
        update(&client, &token, &[("name", "Cal"), ("sub", "x")])
            .await
            .unwrap_err()
            .0,
        "InvalidParameterException"
    );
    assert!(
        !own_attributes(&client, &token)
            .await
            .iter()
            .any(|(n, _)| n == "name")
    );

    // A client that may write only `name` and read only `email`.
    let limited = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("limited")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .write_attributes("name")
        .read_attributes("email")
        .send()
        .await
        .unwrap();
    let limited = limited.user_pool_client().unwrap().client_id().unwrap();
    let token = sdk_client::password_sign_in(&client, limited, "cal")
        .await
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    assert_eq!(
        update(&client, &token, &[("email", "cal.new@example.com")])
            .await
            .unwrap_err(),
        unauthorized
    );
    update(&client, &token, &[("name", "Cal")])
        .await
        .expect("a writable attribute");
    let read = client.get_user().access_token(&token).send().await.unwrap();
    let mut names: Vec<&str> = read.user_attributes().iter().map(|a| a.name()).collect();
    names.sort();
    assert_eq!(names, ["email", "sub"]);
    let all = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("cal")
        .send()
        .await
        .unwrap();
    assert!(
        all.user_attributes()
            .iter()
            .any(|a| a.name() == "name" && a.value() == Some("Cal"))
    );
    assert_eq!(
        emulator.outbox().len(),
        1,
        "only the sign-up code: the refused changes sent nothing"
    );
}

#[tokio::test]
async fn deleting_attributes() {
    let (emulator, client) = sdk_client::start().await;
    let required = client
        .create_user_pool()
        .pool_name("required-email")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .required(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = required.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (token, _) = signed_in_user(&emulator, &client, &pool_id, &client_id, "dot").await;
    update(&client, &token, &[("name", "Dot"), ("nickname", "D")])
        .await
        .unwrap();
    client
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("name")
        .send()
        .await
        .unwrap();
    client
        .admin_delete_user_attributes()
        .user_pool_id(&pool_id)
        .username("dot")
        .user_attribute_names("nickname")
        .send()
        .await
        .unwrap();
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[("email", "dot@example.com"), ("email_verified", "true")])
    );
    let err = client
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("email")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "InvalidParameterException",
            "Attributes did not conform to the schema: email: The attribute email is required"
        )
    );

    // Where email is optional, deleting it deletes email_verified too.
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (token, _) = signed_in_user(&emulator, &client, &pool_id, &client_id, "eve").await;
    client
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("email")
        .send()
        .await
        .unwrap();
    assert!(own_attributes(&client, &token).await.is_empty());
    let err = client
        .admin_delete_user_attributes()
        .user_pool_id(&pool_id)
        .username("nobody")
        .user_attribute_names("name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn an_administrator_may_verify_in_the_same_call() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (token, _) = signed_in_user(&emulator, &client, &pool_id, &client_id, "flo").await;
    let admin_update = |attributes: Vec<AttributeType>| {
        client
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("flo")
            .set_user_attributes(Some(attributes))
            .send()
    };
    let before = emulator.outbox().len();
    admin_update(vec![
        attribute("email", "flo.admin@example.com"),
        attribute("email_verified", "true"),
    ])
    .await
    .unwrap();
    assert_eq!(emulator.outbox().len(), before, "nothing to verify");
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[
            ("email", "flo.admin@example.com"),
            ("email_verified", "true")
        ])
    );
    admin_update(vec![attribute("email", "flo.other@example.com")])
        .await
        .unwrap();
    let message = emulator.outbox().pop().unwrap();
    assert_eq!(message.destination, "flo.other@example.com");
    assert_eq!(
        own_attributes(&client, &token).await,
        pairs(&[
            ("email", "flo.other@example.com"),
            ("email_verified", "false")
        ])
    );
    let err = admin_update(vec![attribute("sub", "mine")])
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()).0,
        "InvalidParameterException"
    );
}

/// The claims of a JWT, read without checking it.
fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn custom_attributes_are_checked_and_in_the_id_token() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .add_custom_attributes()
        .user_pool_id(&pool_id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("level")
                .attribute_data_type(AttributeDataType::Number)
                .number_attribute_constraints(
                    NumberAttributeConstraintsType::builder()
                        .min_value("1")
                        .max_value("10")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = described
        .user_pool()
        .unwrap()
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    assert!(names.contains(&"custom:team") && names.contains(&"custom:level"));
    let add = |name: &str, required: bool| {
        client
            .add_custom_attributes()
            .user_pool_id(&pool_id)
            .custom_attributes(
                SchemaAttributeType::builder()
                    .name(name)
                    .required(required)
                    .build(),
            )
            .send()
    };
    assert_eq!(
        failure(add("team", false).await.unwrap_err().into_service_error()),
        expect(
            "InvalidParameterException",
            "Existing attribute already has name custom:team."
        )
    );
    assert_eq!(
        failure(add("badge", true).await.unwrap_err().into_service_error()),
        expect(
            "InvalidParameterException",
            "Required custom attributes are not supported currently. Attribute: custom:badge"
        )
    );

    let (token, id_token) = signed_in_user(&emulator, &client, &pool_id, &client_id, "gus").await;
    assert!(claims(&id_token).get("custom:team").is_none());
    for (value, ok) in [("abc", false), ("11", false), ("0", false), ("3", true)] {
        let result = update(&client, &token, &[("custom:level", value)]).await;
        assert_eq!(result.is_ok(), ok, "custom:level = {value}: {result:?}");
        if let Err((code, message)) = result {
            assert_eq!(code, "InvalidParameterException");
            assert!(
                message.starts_with("Attributes did not conform to the schema: custom:level: "),
                "{message}"
            );
        }
    }
    update(&client, &token, &[("custom:team", "blue")])
        .await
        .unwrap();
    let id_token = sdk_client::password_sign_in(&client, &client_id, "gus")
        .await
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let id = claims(&id_token);
    assert_eq!(id["custom:team"], "blue");
    assert_eq!(id["custom:level"], "3");
    assert!(claims(&token).get("custom:team").is_none());
}

#[tokio::test]
async fn the_id_token_carries_only_the_custom_attributes_a_client_reads() {
    let (_emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("readers")
        .schema(SchemaAttributeType::builder().name("team").build())
        .schema(SchemaAttributeType::builder().name("secret").build())
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .sign_up()
        .client_id(&client_id)
        .username("hal")
        .password(PASSWORD)
        .user_attributes(attribute("custom:team", "red"))
        .user_attributes(attribute("custom:secret", "s3"))
        .send()
        .await
        .unwrap();
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("hal")
        .send()
        .await
        .unwrap();
    let id_token = |client_id: String| {
        let client = client.clone();
        async move {
            let out = sdk_client::password_sign_in(&client, &client_id, "hal").await;
            claims(out.authentication_result().unwrap().id_token().unwrap())
        }
    };
    let all = id_token(client_id.clone()).await;
    assert_eq!(all["custom:team"], "red");
    assert_eq!(all["custom:secret"], "s3");
    let reader = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("reader")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .read_attributes("custom:team")
        .send()
        .await
        .unwrap();
    let reader = reader.user_pool_client().unwrap().client_id().unwrap();
    let limited = id_token(reader.to_owned()).await;
    assert_eq!(limited["custom:team"], "red");
    assert!(limited.get("custom:secret").is_none(), "{limited}");
}
