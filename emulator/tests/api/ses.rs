//! Amazon SES (v1) through the real aws-sdk-ses client: identities are
//! verified at once (the verification mail lands in the outbox), SendEmail
//! puts the message in the outbox once per recipient, and SES's checks
//! refuse what SES refuses.

use crate::service_client;

use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::types::{Body, Content, Destination, IdentityType, Message, VerificationStatus};

const SENDER: &str = "sender@example.com";

fn message(subject: &str, text: Option<&str>, html: Option<&str>) -> Message {
    let content = |data: &str| Content::builder().data(data).build().unwrap();
    let mut body = Body::builder();
    if let Some(text) = text {
        body = body.text(content(text));
    }
    if let Some(html) = html {
        body = body.html(content(html));
    }
    Message::builder()
        .subject(content(subject))
        .body(body.build())
        .build()
}

async fn verified(ses: &aws_sdk_ses::Client, address: &str) {
    ses.verify_email_identity()
        .email_address(address)
        .send()
        .await
        .expect("VerifyEmailIdentity");
}

#[tokio::test]
async fn a_verified_sender_s_mail_reaches_the_outbox_once_per_recipient() {
    let emulator = service_client::emulator().await;
    let ses = service_client::ses(&emulator.endpoint());
    verified(&ses, SENDER).await;
    let sent = ses
        .send_email()
        .source(format!("\"The Team\" <{SENDER}>"))
        .destination(
            Destination::builder()
                .to_addresses("alice@example.com")
                .cc_addresses("bob@example.com")
                .bcc_addresses("carol@example.com")
                .build(),
        )
        .message(message(
            "Registration completed",
            Some("Congratulations alice, you have been confirmed."),
            Some("<p>Congratulations alice</p>"),
        ))
        .reply_to_addresses("help@example.com")
        .send()
        .await
        .expect("SendEmail");
    let id = sent.message_id;
    assert!(id.ends_with("-000000") && id.len() > 40, "{id}");

    let mail: Vec<_> = emulator
        .outbox()
        .into_iter()
        .filter(|m| m.trigger == "SES.SendEmail")
        .collect();
    let destinations: Vec<&str> = mail.iter().map(|m| m.destination.as_str()).collect();
    assert_eq!(
        destinations,
        ["alice@example.com", "bob@example.com", "carol@example.com"]
    );
    for m in &mail {
        assert_eq!(m.subject.as_deref(), Some("Registration completed"));
        assert_eq!(m.message, "Congratulations alice, you have been confirmed.");
        assert_eq!(m.html.as_deref(), Some("<p>Congratulations alice</p>"));
        assert_eq!(
            m.source.as_deref(),
            Some("\"The Team\" <sender@example.com>")
        );
        assert_eq!(m.message_id.as_deref(), Some(id.as_str()));
        assert_eq!(m.user_pool_id, "");
        assert_eq!(m.code, None);
    }

    // An HTML-only message: the HTML is the message.
    ses.send_email()
        .source(SENDER)
        .destination(
            Destination::builder()
                .to_addresses("dave@example.com")
                .build(),
        )
        .message(message("Hi", None, Some("<b>hi</b>")))
        .send()
        .await
        .expect("SendEmail");
    let last = emulator.outbox().pop().unwrap();
    assert_eq!(last.destination, "dave@example.com");
    assert_eq!(last.message, "<b>hi</b>");
    emulator.stop().await;
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_as_in_the_sandbox() {
    let emulator = service_client::emulator().await;
    let ses = service_client::ses(&emulator.endpoint());
    let send = || {
        ses.send_email()
            .source(SENDER)
            .destination(Destination::builder().to_addresses("a@example.com").build())
            .message(message("s", Some("t"), None))
            .send()
    };
    let err = send().await.expect_err("not verified").into_service_error();
    assert!(err.is_message_rejected(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            "Email address is not verified. The following identities failed the check in region US-EAST-1: sender@example.com"
        )
    );
    // Identities are case sensitive.
    verified(&ses, "Sender@example.com").await;
    assert!(send().await.is_err());
    verified(&ses, SENDER).await;
    send().await.expect("verified now");
    // Deleted, it is refused again.
    ses.delete_identity()
        .identity(SENDER)
        .send()
        .await
        .expect("DeleteIdentity");
    let err = send().await.unwrap_err().into_service_error();
    assert!(err.is_message_rejected(), "{err:?}");
    assert!(
        emulator
            .outbox()
            .iter()
            .filter(|m| m.trigger == "SES.SendEmail")
            .count()
            == 1,
        "only the accepted message was sent"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn identities_are_verified_at_once_and_listed() {
    let emulator = service_client::emulator().await;
    let ses = service_client::ses(&emulator.endpoint());
    for address in ["a@example.com", "b@example.com", "c@example.com"] {
        verified(&ses, address).await;
    }
    // Verifying again changes nothing.
    verified(&ses, "a@example.com").await;
    let notice = emulator
        .outbox()
        .into_iter()
        .find(|m| m.trigger == "SES.VerifyEmailIdentity")
        .expect("a verification mail");
    assert_eq!(notice.destination, "a@example.com");
    assert!(
        notice.subject.as_deref().unwrap().contains("Verification"),
        "{notice:?}"
    );

    let attributes = ses
        .get_identity_verification_attributes()
        .identities("a@example.com")
        .identities("unknown@example.com")
        .send()
        .await
        .expect("GetIdentityVerificationAttributes")
        .verification_attributes;
    assert_eq!(attributes.len(), 1, "unknown identities are left out");
    assert_eq!(
        attributes["a@example.com"].verification_status,
        VerificationStatus::Success
    );

    let first = ses
        .list_identities()
        .max_items(2)
        .send()
        .await
        .expect("ListIdentities");
    assert_eq!(first.identities, ["a@example.com", "b@example.com"]);
    let token = first.next_token.expect("a second page");
    let second = ses
        .list_identities()
        .max_items(2)
        .next_token(token)
        .send()
        .await
        .expect("ListIdentities");
    assert_eq!(second.identities, ["c@example.com"]);
    assert_eq!(second.next_token, None);
    let domains = ses
        .list_identities()
        .identity_type(IdentityType::Domain)
        .send()
        .await
        .unwrap();
    assert!(domains.identities.is_empty());

    ses.delete_identity()
        .identity("b@example.com")
        .send()
        .await
        .unwrap();
    // Deleting what does not exist succeeds, as in SES.
    ses.delete_identity()
        .identity("never@example.com")
        .send()
        .await
        .expect("DeleteIdentity of an unknown identity");
    let all = ses.list_identities().send().await.unwrap();
    assert_eq!(all.identities, ["a@example.com", "c@example.com"]);
    emulator.stop().await;
}

#[tokio::test]
async fn send_email_checks_recipients_and_addresses() {
    let emulator = service_client::emulator().await;
    let ses = service_client::ses(&emulator.endpoint());
    verified(&ses, SENDER).await;
    let send = |destination: Destination, source: &str| {
        ses.send_email()
            .source(source)
            .destination(destination)
            .message(message("s", Some("t"), None))
            .send()
    };
    // A Destination with no address at all leaves the member out of the
    // request: the model's check names it.
    let err = send(Destination::builder().build(), SENDER)
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationError"), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            "1 validation error detected: Value null at 'destination' failed to satisfy constraint: Member must not be null"
        )
    );
    // Empty address lists: no recipient.
    let err = send(
        Destination::builder()
            .set_to_addresses(Some(Vec::new()))
            .set_cc_addresses(Some(Vec::new()))
            .build(),
        SENDER,
    )
    .await
    .unwrap_err()
    .into_service_error();
    assert_eq!(err.code(), Some("InvalidParameterValue"), "{err:?}");
    assert_eq!(err.message(), Some("Missing required header 'To'."));

    let mut crowd = Destination::builder();
    for n in 0..30 {
        crowd = crowd.to_addresses(format!("to{n}@example.com"));
    }
    for n in 0..21 {
        crowd = crowd.bcc_addresses(format!("bcc{n}@example.com"));
    }
    let err = send(crowd.build(), SENDER)
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert_eq!(err.message(), Some("Recipient count exceeds 50."));

    let one = || Destination::builder().to_addresses("a@example.com").build();
    let err = send(one(), "not-an-address")
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.message(), Some("Missing final '@domain'"));
    let bad_recipient = Destination::builder()
        .to_addresses("a@example.com")
        .to_addresses("broken")
        .build();
    let err = send(bad_recipient, SENDER)
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let err = ses
        .verify_email_identity()
        .email_address("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert!(
        !emulator
            .outbox()
            .iter()
            .any(|m| m.trigger == "SES.SendEmail"),
        "nothing was sent"
    );
    emulator.stop().await;
}

const SIGNED_FOR_SES: (&str, &str) = (
    "authorization",
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0",
);

#[tokio::test]
async fn malformed_requests_get_ses_validation_errors() {
    let emulator = service_client::emulator().await;
    let endpoint = emulator.endpoint();
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        SIGNED_FOR_SES,
    ];
    // No Source.
    let missing = service_client::post(
        &endpoint,
        &form,
        b"Action=SendEmail&Version=2010-12-01&Destination.ToAddresses.member.1=a%40example.com&Message.Subject.Data=s&Message.Body.Text.Data=t",
    )
    .await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(
        missing.body.contains("<Code>ValidationError</Code>")
            && missing.body.contains("'source'")
            && missing.body.contains("ses.amazonaws.com/doc/2010-12-01/"),
        "{}",
        missing.body
    );
    // No Message.
    let no_message = service_client::post(
        &endpoint,
        &form,
        b"Action=SendEmail&Version=2010-12-01&Source=a%40example.com&Destination.ToAddresses.member.1=a%40example.com",
    )
    .await;
    assert!(
        no_message.body.contains("<Code>ValidationError</Code>"),
        "{}",
        no_message.body
    );
    // A value of the wrong kind, an unknown action, a broken form, no signature.
    let wrong_type = service_client::post(
        &endpoint,
        &form,
        b"Action=ListIdentities&Version=2010-12-01&MaxItems=many",
    )
    .await;
    assert!(
        wrong_type.body.contains("<Code>ValidationError</Code>"),
        "{}",
        wrong_type.body
    );
    let bad_enum = service_client::post(
        &endpoint,
        &form,
        b"Action=ListIdentities&Version=2010-12-01&IdentityType=Phone",
    )
    .await;
    assert!(
        bad_enum.body.contains("<Code>ValidationError</Code>"),
        "{}",
        bad_enum.body
    );
    let unknown = service_client::post(
        &endpoint,
        &form,
        b"Action=SendTemplatedEmail&Version=2010-12-01",
    )
    .await;
    assert!(
        unknown.body.contains("<Code>InvalidAction</Code>"),
        "{}",
        unknown.body
    );
    let garbage = service_client::post(&endpoint, &form, b"Action=SendEmail&Source=%zz").await;
    assert_eq!(garbage.status, 400);
    assert!(
        garbage.body.contains("<Code>MalformedQueryString</Code>"),
        "{}",
        garbage.body
    );
    let token = service_client::post(
        &endpoint,
        &form,
        b"Action=ListIdentities&Version=2010-12-01&NextToken=abc",
    )
    .await;
    assert!(
        token.body.contains("<Code>InvalidParameterValue</Code>"),
        "{}",
        token.body
    );
    let unsigned = service_client::post(
        &endpoint,
        &form[..1],
        b"Action=ListIdentities&Version=2010-12-01",
    )
    .await;
    assert_eq!(unsigned.status, 403);
    emulator.stop().await;
}
