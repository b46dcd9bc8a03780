//! Messages Cognito would have sent by email or SMS, and the mail Amazon SES
//! would have delivered, kept for tests to read at `GET /_emulator/outbox`.
//!
//! An SES message (`trigger: "SES.SendEmail"` or `"SES.VerifyEmailIdentity"`)
//! comes from no user pool: `userPoolId` and `username` are empty, and it is
//! listed once per recipient (To, Cc and Bcc alike), `destination` being that
//! recipient; `message` is the text body (the HTML body when there is no text
//! body), `subject`, `source`, `html` and `messageId` are what SES was given
//! and answered.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::persist::{Journal, Persistent, Record};

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
    /// The subject line (email only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
    /// SES: the sender (`Source`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
    /// SES: the HTML body, when the message has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub html: Option<String>,
    /// SES: the `MessageId` SendEmail answered.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message_id: Option<String>,
}

/// A message as stored: compact, with the text rendered only when read.
pub(crate) struct Envelope {
    pub user_pool_id: Arc<str>,
    pub username: Box<str>,
    pub destination: Box<str>,
    pub medium: DeliveryMedium,
    pub trigger: &'static str,
    pub code: Option<Box<str>>,
    /// Text with `{####}` standing for the code and `{username}` for the
    /// user name (Cognito's messages; an SES body is kept as sent).
    pub template: Arc<str>,
    /// The subject (email only), with the same placeholders as `template`.
    pub subject: Option<Arc<str>>,
    /// What only an SES message has (`None` for Cognito's).
    pub mail: Option<Box<Mail>>,
}

/// The parts of an SES message that Cognito's messages do not have.
pub(crate) struct Mail {
    pub source: Arc<str>,
    pub html: Option<Arc<str>>,
    pub message_id: Arc<str>,
}

impl Envelope {
    /// `text` with the placeholders filled in (Cognito's messages only).
    fn fill(&self, text: &str) -> String {
        if self.mail.is_some() {
            return text.to_owned();
        }
        let mut filled = text.replace("{username}", &self.username);
        if let Some(code) = &self.code {
            filled = filled.replace("{####}", code);
        }
        filled
    }

    fn render(&self) -> OutboxMessage {
        OutboxMessage {
            user_pool_id: self.user_pool_id.to_string(),
            username: self.username.to_string(),
            destination: self.destination.to_string(),
            delivery_medium: self.medium,
            trigger: self.trigger.to_owned(),
            code: self.code.as_ref().map(|c| c.to_string()),
            message: self.fill(&self.template),
            subject: self.subject.as_deref().map(|s| self.fill(s)),
            source: self.mail.as_ref().map(|m| m.source.to_string()),
            html: self
                .mail
                .as_ref()
                .and_then(|m| m.html.as_ref().map(|h| h.to_string())),
            message_id: self.mail.as_ref().map(|m| m.message_id.to_string()),
        }
    }
}

/// Every message of one emulator, oldest first.
#[derive(Default)]
pub(crate) struct Outbox {
    /// Each message with its record key, in the order they were sent.
    envelopes: Mutex<Vec<(u64, Envelope)>>,
    journal: Journal,
}

/// The record kind of one outbox message, keyed by its position.
const MESSAGE: &str = "outbox.message";

/// A message's record key: its number, zero-padded so keys sort in order.
fn message_key(number: u64) -> String {
    format!("{number:012}")
}

/// A message as written to the state folder: the envelope, unrendered.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredMessage<'a> {
    user_pool_id: Cow<'a, str>,
    username: Cow<'a, str>,
    destination: Cow<'a, str>,
    delivery_medium: DeliveryMedium,
    trigger: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<Cow<'a, str>>,
    template: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    html: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_id: Option<Cow<'a, str>>,
}

impl Envelope {
    fn stored(&self) -> StoredMessage<'_> {
        StoredMessage {
            user_pool_id: Cow::Borrowed(&self.user_pool_id),
            username: Cow::Borrowed(&self.username),
            destination: Cow::Borrowed(&self.destination),
            delivery_medium: self.medium,
            trigger: Cow::Borrowed(self.trigger),
            code: self.code.as_deref().map(Cow::Borrowed),
            template: Cow::Borrowed(&self.template),
            subject: self.subject.as_deref().map(Cow::Borrowed),
            source: self.mail.as_ref().map(|m| Cow::Borrowed(&*m.source)),
            html: self
                .mail
                .as_ref()
                .and_then(|m| m.html.as_deref().map(Cow::Borrowed)),
            message_id: self.mail.as_ref().map(|m| Cow::Borrowed(&*m.message_id)),
        }
    }

    fn from_stored(stored: StoredMessage<'_>) -> Envelope {
        let mail = match (stored.source, stored.message_id) {
            (Some(source), Some(message_id)) => Some(Box::new(Mail {
                source: source.into(),
                html: stored.html.map(Into::into),
                message_id: message_id.into(),
            })),
            _ => None,
        };
        Envelope {
            user_pool_id: stored.user_pool_id.into(),
            username: stored.username.into(),
            destination: stored.destination.into(),
            medium: stored.delivery_medium,
            trigger: intern(&stored.trigger),
            code: stored.code.map(Into::into),
            template: stored.template.into(),
            subject: stored.subject.map(Into::into),
            mail,
        }
    }
}

/// The `&'static str` for a trigger name read back from the state folder.
/// The names are a handful of constants; each is leaked at most once.
fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

impl Outbox {
    pub fn new(journal: Journal) -> Self {
        Outbox {
            envelopes: Mutex::default(),
            journal,
        }
    }

    pub fn push(&self, envelope: Envelope) {
        let mut envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        // One past the last message's number, not the count: after a crash
        // that lost an unanswered message, the numbers have a gap, and a
        // new message must not take the number of one stored after it.
        let number = envelopes.last().map_or(0, |(number, _)| number + 1);
        self.journal
            .put(MESSAGE, &message_key(number), &envelope.stored());
        envelopes.push((number, envelope));
    }

    pub fn messages(&self) -> Vec<OutboxMessage> {
        let envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        envelopes.iter().map(|(_, e)| e.render()).collect()
    }

    pub fn latest_code(&self, user_pool_id: &str, username: &str) -> Option<String> {
        let envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        envelopes
            .iter()
            .rev()
            .map(|(_, e)| e)
            .find(|e| {
                &*e.user_pool_id == user_pool_id && &*e.username == username && e.code.is_some()
            })
            .and_then(|e| e.code.as_ref().map(|c| c.to_string()))
    }
}

impl Persistent for Outbox {
    fn kind_prefix(&self) -> &'static str {
        "outbox."
    }

    fn records(&self) -> Vec<Record> {
        let envelopes = self.envelopes.lock().unwrap_or_else(|p| p.into_inner());
        envelopes
            .iter()
            .map(|(number, envelope)| Record {
                kind: MESSAGE.to_owned(),
                key: message_key(*number),
                value: serde_json::to_value(envelope.stored()).unwrap_or_default(),
            })
            .collect()
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut restored = Vec::with_capacity(records.len());
        for record in records {
            if record.kind != MESSAGE {
                return Err(format!("unknown record kind {}", record.kind));
            }
            let number: u64 = record
                .key
                .parse()
                .map_err(|_| format!("{} {}: the key is not a number", record.kind, record.key))?;
            let stored: StoredMessage<'_> = serde_json::from_value(record.value)
                .map_err(|err| format!("{} {}: {err}", record.kind, record.key))?;
            restored.push((number, Envelope::from_stored(stored)));
        }
        restored.sort_by_key(|(number, _)| *number);
        *self.envelopes.lock().unwrap_or_else(|p| p.into_inner()) = restored;
        Ok(())
    }

    fn clear(&self) {
        self.envelopes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_and_a_restore_keep_every_message() {
        let journal = Journal::capture();
        let outbox = Outbox::new(journal.clone());
        outbox.push(cognito_envelope());
        let mut sms = cognito_envelope();
        sms.medium = DeliveryMedium::Sms;
        sms.subject = None;
        sms.code = Some("123456".into());
        outbox.push(sms);
        assert_eq!(journal.replayed(), outbox.records());
        assert_eq!(outbox.records().len(), 2);

        let restored = Outbox::default();
        restored.restore(outbox.records()).unwrap();
        assert_eq!(restored.messages(), outbox.messages());
        assert_eq!(
            restored.latest_code("us-east-1_a", "alice").as_deref(),
            Some("123456")
        );
        restored.clear();
        assert!(restored.messages().is_empty());
    }

    #[test]
    fn after_a_gap_left_by_a_lost_message_no_stored_message_is_overwritten() {
        let journal = Journal::capture();
        let outbox = Outbox::new(journal.clone());
        for _ in 0..3 {
            outbox.push(cognito_envelope());
        }
        // The second message's write was lost in a crash: 0 and 2 remain.
        let mut stored = outbox.records();
        stored.remove(1);
        let restored_journal = Journal::capture();
        let restored = Outbox::new(restored_journal.clone());
        restored.restore(stored.clone()).unwrap();
        restored.push(cognito_envelope());
        let keys: Vec<String> = restored.records().into_iter().map(|r| r.key).collect();
        assert_eq!(keys, ["000000000000", "000000000002", "000000000003"]);
        assert_eq!(restored_journal.replayed()[0].key, "000000000003");
    }

    fn cognito_envelope() -> Envelope {
        Envelope {
            user_pool_id: "us-east-1_a".into(),
            username: "alice".into(),
            destination: "alice@example.com".into(),
            medium: DeliveryMedium::Email,
            trigger: "AdminCreateUser",
            code: Some("Temp-Pass-1".into()),
            template: "Hello {username}, use {####}".into(),
            subject: Some("Welcome {username}".into()),
            mail: None,
        }
    }

    #[test]
    fn cognito_messages_have_their_placeholders_filled() {
        let message = cognito_envelope().render();
        assert_eq!(message.message, "Hello alice, use Temp-Pass-1");
        assert_eq!(message.subject.as_deref(), Some("Welcome alice"));
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["userPoolId"], "us-east-1_a");
        assert_eq!(json["code"], "Temp-Pass-1");
        // The SES members are left out of Cognito's messages.
        assert!(json.get("source").is_none() && json.get("messageId").is_none());
        // An SMS has no subject member at all.
        let mut sms = cognito_envelope();
        sms.medium = DeliveryMedium::Sms;
        sms.subject = None;
        let json = serde_json::to_value(sms.render()).unwrap();
        assert!(json.get("subject").is_none(), "{json}");
    }

    #[test]
    fn ses_mail_is_kept_as_sent() {
        let envelope = Envelope {
            user_pool_id: "".into(),
            username: "".into(),
            destination: "bob@example.com".into(),
            medium: DeliveryMedium::Email,
            trigger: "SES.SendEmail",
            code: None,
            template: "Literally {username} and {####}".into(),
            subject: Some("About {username}".into()),
            mail: Some(Box::new(Mail {
                source: "sender@example.com".into(),
                html: Some("<p>hi</p>".into()),
                message_id: "0123-id-000000".into(),
            })),
        };
        let json = serde_json::to_value(envelope.render()).unwrap();
        assert_eq!(json["message"], "Literally {username} and {####}");
        assert_eq!(json["subject"], "About {username}");
        assert_eq!(json["source"], "sender@example.com");
        assert_eq!(json["html"], "<p>hi</p>");
        assert_eq!(json["messageId"], "0123-id-000000");
        assert_eq!(json["trigger"], "SES.SendEmail");
        assert_eq!(json["userPoolId"], "");
    }
}
