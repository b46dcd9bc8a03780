//! IAM roles through the real aws-sdk-iam client: trust policies, managed and
//! inline policies, DeleteConflict, validation errors, concurrency.

use crate::service_client;

use aws_sdk_iam::error::ProvideErrorMetadata;

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const BASIC_EXECUTION: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"*"}]}"#;

/// IAM returns policy documents percent-encoded.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn create_and_get_role_keep_the_trust_policy() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    let created = iam
        .create_role()
        .role_name("handler-role")
        .path("/service-role/")
        .description("runs the handler")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    let role = created.role().unwrap();
    assert_eq!(role.role_name(), "handler-role");
    assert_eq!(
        role.arn(),
        "arn:aws:iam::000000000000:role/service-role/handler-role"
    );
    assert!(role.role_id().starts_with("AROA"), "{}", role.role_id());
    assert_eq!(role.path(), "/service-role/");

    let got = iam
        .get_role()
        .role_name("handler-role")
        .send()
        .await
        .expect("GetRole");
    let role = got.role().unwrap();
    assert_eq!(
        decode(role.assume_role_policy_document().unwrap()),
        LAMBDA_TRUST
    );
    assert_eq!(role.description(), Some("runs the handler"));
    assert_eq!(role.max_session_duration(), Some(3600));
    assert_eq!(role.create_date(), created.role().unwrap().create_date());

    let listed = iam.list_roles().send().await.expect("ListRoles");
    assert_eq!(listed.roles().len(), 1);
    assert!(!listed.is_truncated());
    emulator.stop().await;
}

#[tokio::test]
async fn unknown_and_duplicate_roles_are_typed_errors() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    let err = iam
        .get_role()
        .role_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The role with name nobody cannot be found.")
    );

    iam.create_role()
        .role_name("Twice")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    // Names are unique without regard to case.
    let err = iam
        .create_role()
        .role_name("twice")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_entity_already_exists_exception(), "{err:?}");

    let err = iam
        .delete_role()
        .role_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn policies_attach_detach_and_block_deletion() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    iam.create_role()
        .role_name("worker")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    iam.attach_role_policy()
        .role_name("worker")
        .policy_arn(BASIC_EXECUTION)
        .send()
        .await
        .expect("AttachRolePolicy");
    iam.put_role_policy()
        .role_name("worker")
        .policy_name("write-table")
        .policy_document(INLINE)
        .send()
        .await
        .expect("PutRolePolicy");

    let attached = iam
        .list_attached_role_policies()
        .role_name("worker")
        .send()
        .await
        .expect("ListAttachedRolePolicies");
    let policies = attached.attached_policies();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].policy_arn(), Some(BASIC_EXECUTION));
    assert_eq!(
        policies[0].policy_name(),
        Some("AWSLambdaBasicExecutionRole")
    );
    let inline = iam
        .list_role_policies()
        .role_name("worker")
        .send()
        .await
        .expect("ListRolePolicies");
    assert_eq!(inline.policy_names(), ["write-table"]);
    let document = iam
        .get_role_policy()
        .role_name("worker")
        .policy_name("write-table")
        .send()
        .await
        .expect("GetRolePolicy");
    assert_eq!(decode(document.policy_document()), INLINE);

    // Attached managed policies block deletion first, then inline ones.
    let err = iam
        .delete_role()
        .role_name("worker")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Cannot delete entity, must detach all policies first.")
    );
    iam.detach_role_policy()
        .role_name("worker")
        .policy_arn(BASIC_EXECUTION)
        .send()
        .await
        .expect("DetachRolePolicy");
    let err = iam
        .delete_role()
        .role_name("worker")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_delete_conflict_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Cannot delete entity, must delete policies first.")
    );
    iam.delete_role_policy()
        .role_name("worker")
        .policy_name("write-table")
        .send()
        .await
        .expect("DeleteRolePolicy");
    iam.delete_role()
        .role_name("worker")
        .send()
        .await
        .expect("DeleteRole");
    let err = iam
        .get_role()
        .role_name("worker")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn detaching_or_deleting_what_is_not_there_is_no_such_entity() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    iam.create_role()
        .role_name("empty")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    let err = iam
        .detach_role_policy()
        .role_name("empty")
        .policy_arn(BASIC_EXECUTION)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    let err = iam
        .delete_role_policy()
        .role_name("empty")
        .policy_name("none")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    let err = iam
        .attach_role_policy()
        .role_name("missing")
        .policy_arn(BASIC_EXECUTION)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_no_such_entity_exception(), "{err:?}");
    let err = iam
        .attach_role_policy()
        .role_name("empty")
        .policy_arn("arn:aws:s3:::not-a-policy-arn")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_input_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn invalid_requests_get_validation_errors() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    let err = iam
        .create_role()
        .role_name("has space")
        .assume_role_policy_document(LAMBDA_TRUST)
        .max_session_duration(60)
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().map(|r| r.status().as_u16());
    let err = err.into_service_error();
    assert_eq!(raw, Some(400));
    assert_eq!(err.code(), Some("ValidationError"), "{err:?}");
    let message = err.message().unwrap();
    assert!(
        message.starts_with("2 validation errors detected"),
        "{message}"
    );
    assert!(
        message.contains("Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        "{message}"
    );
    assert!(
        message.contains("Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"),
        "{message}"
    );

    let err = iam
        .create_role()
        .role_name("bad-policy")
        .assume_role_policy_document("{not json")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_malformed_policy_document_exception(), "{err:?}");
    let err = iam
        .put_role_policy()
        .role_name("x")
        .policy_name("p")
        .policy_document(LAMBDA_TRUST)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    // A permissions policy may not name a principal (checked before the role).
    assert!(err.is_malformed_policy_document_exception(), "{err:?}");
    emulator.stop().await;
}

#[tokio::test]
async fn malformed_query_requests_get_xml_errors() {
    let emulator = service_client::emulator().await;
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        service_client::SIGNED,
    ];
    let missing = service_client::post(
        &emulator.endpoint(),
        &form,
        b"Action=GetRole&Version=2010-05-08",
    )
    .await;
    assert_eq!(missing.status, 400);
    assert!(
        missing.body.contains("<Code>ValidationError</Code>"),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains(
            "Value null at 'roleName' failed to satisfy constraint: Member must not be null"
        ),
        "{}",
        missing.body
    );
    let unknown = service_client::post(
        &emulator.endpoint(),
        &form,
        b"Action=CreateUser&Version=2010-05-08&UserName=x",
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.body.contains("<Code>InvalidAction</Code>"),
        "{}",
        unknown.body
    );
    let garbage =
        service_client::post(&emulator.endpoint(), &form, b"Action=GetRole&RoleName=%zz").await;
    assert_eq!(garbage.status, 400);
    assert!(garbage.body.contains("<ErrorResponse"), "{}", garbage.body);
    assert_eq!(garbage.header("content-type"), Some("text/xml"));
    let unsigned = service_client::post(
        &emulator.endpoint(),
        &form[..1],
        b"Action=ListRoles&Version=2010-05-08",
    )
    .await;
    assert_eq!(unsigned.status, 403);
    assert!(
        unsigned
            .body
            .contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        unsigned.body
    );
    emulator.stop().await;
}

#[tokio::test]
async fn list_role_policies_pages_with_markers() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    iam.create_role()
        .role_name("many")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    for name in ["c", "a", "b"] {
        iam.put_role_policy()
            .role_name("many")
            .policy_name(name)
            .policy_document(INLINE)
            .send()
            .await
            .expect("PutRolePolicy");
    }
    let first = iam
        .list_role_policies()
        .role_name("many")
        .max_items(2)
        .send()
        .await
        .expect("ListRolePolicies");
    assert_eq!(first.policy_names(), ["a", "b"]);
    assert!(first.is_truncated());
    let second = iam
        .list_role_policies()
        .role_name("many")
        .marker(first.marker().unwrap())
        .send()
        .await
        .expect("ListRolePolicies");
    assert_eq!(second.policy_names(), ["c"]);
    assert!(!second.is_truncated());
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_creates_of_one_role_make_exactly_one() {
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let iam = iam.clone();
        tasks.push(tokio::spawn(async move {
            iam.create_role()
                .role_name("racy")
                .assume_role_policy_document(LAMBDA_TRUST)
                .send()
                .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(err) => assert!(
                err.into_service_error()
                    .is_entity_already_exists_exception()
            ),
        }
    }
    assert_eq!(created, 1);
    emulator.stop().await;
}

#[tokio::test]
async fn no_request_makes_a_server_error() {
    use emulator::iam::model::{OPERATIONS, SHAPES};
    use emulator::validation::Shape;
    let emulator = service_client::emulator().await;
    let iam = service_client::iam(&emulator.endpoint());
    iam.create_role()
        .role_name("r")
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        service_client::SIGNED,
    ];
    let values = [
        "",
        "x",
        "-1",
        "99999999999999999999",
        "true",
        "%",
        "%zz",
        "%C3%A9",
        "{",
        "[]",
        "arn:aws:iam::aws:policy/x",
        "/",
        "//",
        "a%26b%3Dc",
    ];
    let long = "x".repeat(5000);
    let mut sent = 0;
    for operation in OPERATIONS {
        let Some(Shape::Structure { members, .. }) = operation.input.map(|i| &SHAPES[i]) else {
            continue;
        };
        for member in *members {
            for value in values.iter().copied().chain([long.as_str()]) {
                for suffix in ["", ".member.1", ".member.1.Key", ".member.2.Value"] {
                    let body = format!(
                        "Action={}&Version=2010-05-08&RoleName=r&{}{suffix}={value}",
                        operation.name, member.name
                    );
                    let response =
                        service_client::post(&emulator.endpoint(), &form, body.as_bytes()).await;
                    assert!(
                        (200..500).contains(&response.status),
                        "{body}: HTTP {} {}",
                        response.status,
                        response.body
                    );
                    if response.status >= 400 {
                        assert!(
                            response.body.contains("<ErrorResponse"),
                            "{body}: {}",
                            response.body
                        );
                    }
                    sent += 1;
                }
            }
        }
    }
    assert!(sent > 500, "{sent}");
    iam.get_role().role_name("r").send().await.expect("GetRole");
    emulator.stop().await;
}
