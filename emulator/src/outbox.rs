//! Messages Cognito would have sent by email or SMS, kept for tests to read
//! at `GET /_emulator/outbox`.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// How a message would have been delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeliveryMedium {
    Email,
    Sms,
}

impl DeliveryMedium {
    /// The name Cognito uses (`EMAIL`, `SMS`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMedium::Email => "EMAIL",
            DeliveryMedium::Sms => "SMS",
        }
    }
}

/// One message, as `/_emulator/outbox` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub user_pool_id: String,
    pub username: String,
    pub destination: String,
    pub delivery_medium: DeliveryMedium,
    /// What caused it: `SignUp`, `ResendCode`, `AdminCreateUser`, ...
    pub trigger: String,
    /// The code (or temporary password) the message carries, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    pub message: String,
}

/// A message as stored: compact, with the text rendered only when read.
pub(crate) struct Envelope {
    pub user_pool_id: Arc<str>,
    pub username: Box<str>,
    pub destination: Box<str>,
    pub medium: DeliveryMedium,
    pub trigger: &'static str,
    pub code: Option<Box<str>>,
    /// Text with `{####}` standing for the code and `{username}` for the user name.
    pub template: Arc<str>,
}

impl Envelope {
    fn render(&self) -> OutboxMessage {
        let mut message = self.template.replace("{username}", &self.username);
        if let Some(code) = &self.code {
            message = message.replace("{####}", code);
        }
        OutboxMessage {
            user_pool_id: self.user_pool_id.to_string(),
            username: self.username.to_string(),
            destination: self.destination.to_string(),
            delivery_medium: self.medium,
            trigger: self.trigger.to_owned(),
            code: self.code.as_ref().map(|c| c.to_string()),
            message,
        }
    }
}

/// Every message of one emulator, oldest first.
#[derive(Default)]
pub(crate) struct Outbox {
    envelopes: Mutex<Vec<Envelope>>,
}

impl Outbox {
    pub fn push(&self, envelope: Envelope) {
        self.envelopes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(envelope);
    }

    pub fn messages(&self) -> Vec<OutboxMessage> {
        let envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        envelopes.iter().map(Envelope::render).collect()
    }

    pub fn latest_code(&self, user_pool_id: &str, username: &str) -> Option<String> {
        let envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        envelopes
            .iter()
            .rev()
            .find(|e| {
                &*e.user_pool_id == user_pool_id && &*e.username == username && e.code.is_some()
            })
            .and_then(|e| e.code.as_ref().map(|c| c.to_string()))
    }
}
