//! Offline only: the user's inbox, played by the bundled emulator's outbox
//! (feature `scenario`; the manage-users and migrate-legacy-users scenarios
//! read their codes from it).
//!
//! Real Cognito emails the invitation and the codes, and the person at the
//! terminal types them in. The emulator keeps every message Cognito would
//! have sent at `GET /_emulator/outbox` (a JSON array, oldest first, each
//! with `userPoolId`, `username`, `destination`, `trigger` and `code`). When
//! the scenario runs against an emulator (`AWS_ENDPOINT_URL`), it reads the
//! codes from there, so it runs with no one typing. That address exists only
//! on the emulator: against AWS this module is never used.

use std::time::Duration;

use crate::ExampleError;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// One message the emulator would have sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub user_pool_id: String,
    pub username: String,
    pub destination: String,
    /// What sent it: `AdminCreateUser`, `ForgotPassword`, ...
    pub trigger: String,
    /// The code or temporary password it carries.
    pub code: Option<String>,
}

/// The outbox of the emulator at `endpoint`.
pub struct Outbox {
    url: String,
}

impl Outbox {
    /// The outbox of the emulator at `endpoint` (such as `http://127.0.0.1:4566`).
    pub fn at(endpoint: &str) -> Self {
        Self {
            url: format!("{}/_emulator/outbox", endpoint.trim_end_matches('/')),
        }
    }

    /// Every message so far, oldest first.
    pub async fn messages(&self) -> Result<Vec<Message>, ExampleError> {
        let failed = |why: String| {
            ExampleError::new(format!(
                "Cannot read the emulator's outbox at {}: {why}",
                self.url
            ))
        };
        let uri = self.url.parse().map_err(|err| failed(format!("{err}")))?;
        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let response = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
            .await
            .map_err(|_| failed("no answer within 10 s".into()))?
            .map_err(|err| failed(err.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!(
                "it answered {} (is AWS_ENDPOINT_URL the bundled emulator?)",
                response.status()
            )));
        }
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| failed(err.to_string()))?
            .to_bytes();
        parse(&body).map_err(failed)
    }

    /// The code of the first message to `username` of `user_pool_id` after
    /// the first `seen` messages of the outbox: the one the last call sent.
    pub async fn code_since(
        &self,
        seen: usize,
        user_pool_id: &str,
        username: &str,
    ) -> Result<Message, ExampleError> {
        self.messages()
            .await?
            .into_iter()
            .skip(seen)
            .find(|m| m.user_pool_id == user_pool_id && m.username == username && m.code.is_some())
            .ok_or_else(|| {
                ExampleError::new(format!(
                    "The emulator's outbox has no new message with a code for {username}."
                ))
            })
    }
}

/// The outbox's JSON, as [`Message`]s.
fn parse(body: &[u8]) -> Result<Vec<Message>, String> {
    let json: Value = serde_json::from_slice(body).map_err(|err| format!("not JSON ({err})"))?;
    let list = json.as_array().ok_or("not a JSON array")?;
    let field =
        |message: &Value, name: &str| message.get(name).and_then(Value::as_str).map(String::from);
    list.iter()
        .map(|message| {
            Ok(Message {
                user_pool_id: field(message, "userPoolId").ok_or("a message has no userPoolId")?,
                username: field(message, "username").ok_or("a message has no username")?,
                destination: field(message, "destination").unwrap_or_default(),
                trigger: field(message, "trigger").unwrap_or_default(),
                code: field(message, "code"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_emulators_messages() {
        let body = br#"[
            {"userPoolId":"us-east-1_a","username":"alice","destination":"alice@example.com",
             "deliveryMedium":"EMAIL","trigger":"AdminCreateUser","code":"Tmp-Pass-1",
             "message":"Your username is alice and temporary password is Tmp-Pass-1."},
            {"userPoolId":"us-east-1_a","username":"alice","destination":"alice@example.com",
             "deliveryMedium":"EMAIL","trigger":"Other","message":"No code here."}
        ]"#;
        let messages = parse(body).expect("parsed");
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].code.as_deref(), Some("Tmp-Pass-1"));
        assert_eq!(messages[0].trigger, "AdminCreateUser");
        assert_eq!(messages[1].code, None);
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(parse(b"<html>").is_err());
        assert!(parse(br#"{"not":"a list"}"#).is_err());
        assert!(parse(br#"[{"username":"no pool"}]"#).is_err());
    }

    #[tokio::test]
    async fn nothing_listening_is_one_clear_line() {
        // Port 9 (discard) on loopback: nothing listens there.
        let err = Outbox::at("http://127.0.0.1:9/")
            .messages()
            .await
            .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "Cannot read the emulator's outbox at http://127.0.0.1:9/_emulator/outbox: "
            ),
            "{err}"
        );
    }
}
