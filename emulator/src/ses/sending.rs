//! SendEmail: checks the message as SES does, then puts it in the outbox
//! once per recipient.

use std::sync::Arc;

use serde_json::Value;

use super::identities::address;
use super::{Outcome, SesService, errors, message_id, text, texts};
use crate::aws_query::element;
use crate::outbox::{DeliveryMedium, Envelope, Mail};

/// Most recipients (To, Cc and Bcc together) one message may have.
const MAX_RECIPIENTS: usize = 50;

/// `Message.{path}.Data`, if present.
fn content<'a>(input: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut value = input.get("Message")?;
    for name in path {
        value = value.get(*name)?;
    }
    value.get("Data").and_then(Value::as_str)
}

impl SesService {
    pub(super) fn send_email(&self, input: &Value) -> Outcome {
        // The model makes Source, Destination, Message, its Subject and Body
        // required; they are here.
        let source = text(input, "Source").unwrap_or_default();
        let sender = address(source)?;
        let destination = input.get("Destination").cloned().unwrap_or(Value::Null);
        let mut recipients = Vec::new();
        for list in ["ToAddresses", "CcAddresses", "BccAddresses"] {
            for mailbox in texts(&destination, list) {
                recipients.push(address(mailbox)?);
            }
        }
        for reply_to in texts(input, "ReplyToAddresses") {
            address(reply_to)?;
        }
        if recipients.is_empty() {
            return Err(errors::no_recipients());
        }
        if recipients.len() > MAX_RECIPIENTS {
            return Err(errors::too_many_recipients());
        }
        if !self.is_verified(sender) {
            return Err(errors::not_verified(&self.region, &[sender]));
        }
        let subject: Arc<str> = content(input, &["Subject"]).unwrap_or_default().into();
        let html: Option<Arc<str>> = content(input, &["Body", "Html"]).map(Arc::from);
        let body: Arc<str> = match content(input, &["Body", "Text"]) {
            Some(text) => text.into(),
            None => html.clone().unwrap_or_else(|| "".into()),
        };
        let message_id = message_id();
        let id: Arc<str> = Arc::from(message_id.as_str());
        let source: Arc<str> = Arc::from(source);
        for recipient in recipients {
            self.outbox.push(Envelope {
                user_pool_id: "".into(),
                username: "".into(),
                destination: recipient.into(),
                medium: DeliveryMedium::Email,
                trigger: "SES.SendEmail",
                code: None,
                template: body.clone(),
                subject: Some(subject.clone()),
                mail: Some(Box::new(Mail {
                    source: source.clone(),
                    html: html.clone(),
                    message_id: id.clone(),
                })),
            });
        }
        let mut out = String::new();
        element(&mut out, "MessageId", &message_id);
        Ok(out)
    }
}
