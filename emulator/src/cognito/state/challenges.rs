//! Sign-in sessions: the opaque `Session` strings of challenges, valid for
//! the app client's `AuthSessionValidity` (three minutes by default) on the
//! emulator's clock, and usable once. An SRP handshake is also found by the
//! SECRET_BLOCK it issued, since widely used clients answer
//! PASSWORD_VERIFIER without the `Session`; and a pending DEVICE_SRP_AUTH
//! step by its app client and device key, since AWS's own device examples
//! (DeviceAuthDemo of the AWS SDK examples) and pycognito answer it
//! without the `Session` too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use rand::RngCore;

use crate::aws_json::ServiceError;
use crate::clock::Clock;
use crate::cognito::errors;
use crate::cognito::srp::ServerHandshake;
use crate::cognito::state::custom_auth::CustomAuth;

/// How long a session lasts unless the app client says otherwise.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(180);
/// How long a spent or expired session is remembered (to answer "used once").
const REMEMBERED: i64 = 15 * 60 * 1000;

/// The step a sign-in waits at.
pub(crate) enum Step {
    NewPasswordRequired,
    /// MFA_SETUP; `verified` once VerifySoftwareToken accepted a code.
    MfaSetup {
        verified: bool,
    },
    SoftwareTokenMfa,
    PasswordVerifier {
        handshake: Box<ServerHandshake>,
        secret_block: String,
    },
    DeviceSrpAuth,
    DevicePasswordVerifier {
        handshake: Box<ServerHandshake>,
        secret_block: String,
        device_key: String,
    },
    /// CUSTOM_CHALLENGE: a challenge CreateAuthChallenge made.
    CustomChallenge(Box<CustomAuth>),
    /// PASSWORD_VERIFIER inside a custom authentication flow.
    CustomPasswordVerifier {
        handshake: Box<ServerHandshake>,
        secret_block: String,
        flow: Box<CustomAuth>,
    },
}

impl Step {
    pub fn challenge_name(&self) -> &'static str {
        match self {
            Step::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Step::MfaSetup { .. } => "MFA_SETUP",
            Step::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Step::PasswordVerifier { .. } | Step::CustomPasswordVerifier { .. } => {
                "PASSWORD_VERIFIER"
            }
            Step::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Step::DevicePasswordVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
            Step::CustomChallenge(_) => "CUSTOM_CHALLENGE",
        }
    }
}

/// A sign-in in progress.
pub(crate) struct Challenge {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    pub username: String,
    pub step: Step,
    /// The device key the client sent, if any (device tracking).
    pub device_key: Option<String>,
    /// Whether a remembered device already proved itself (skips MFA).
    pub device_authenticated: bool,
    pub failures: u8,
}

/// A session and when it expires (epoch milliseconds on the emulator's clock).
enum Slot {
    Live(Challenge, i64),
    Used(i64),
}

pub(crate) struct ChallengeStore {
    clock: Arc<Clock>,
    sessions: Mutex<HashMap<String, Slot>>,
    by_secret_block: Mutex<HashMap<String, String>>,
    /// `{client id} {device key}` of a pending DEVICE_SRP_AUTH → its session.
    by_device: Mutex<HashMap<String, String>>,
}

/// The key of a pending DEVICE_SRP_AUTH step in `by_device`.
fn device_index(client_id: &str, device_key: &str) -> String {
    format!("{client_id} {device_key}")
}

fn random_token(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut raw);
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// A fresh SECRET_BLOCK for an SRP handshake (raw bytes, base64 for the wire).
pub(crate) fn new_secret_block() -> (Vec<u8>, String) {
    let mut raw = vec![0u8; 64];
    rand::thread_rng().fill_bytes(&mut raw);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&raw);
    (raw, encoded)
}

impl ChallengeStore {
    /// Forgets every session (`/_emulator/reset`).
    pub fn clear(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        for map in [&self.by_secret_block, &self.by_device] {
            map.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    pub fn new(clock: Arc<Clock>) -> Self {
        ChallengeStore {
            clock,
            sessions: Mutex::new(HashMap::new()),
            by_secret_block: Mutex::new(HashMap::new()),
            by_device: Mutex::new(HashMap::new()),
        }
    }

    /// Stores a challenge and returns its new `Session`, valid for `lifetime`.
    pub fn open(&self, challenge: Challenge, lifetime: Duration) -> String {
        let session = random_token(96);
        let now = self.clock.now_millis();
        let expires = now.saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX));
        let block = match &challenge.step {
            Step::PasswordVerifier { secret_block, .. }
            | Step::CustomPasswordVerifier { secret_block, .. }
            | Step::DevicePasswordVerifier { secret_block, .. } => Some(secret_block.clone()),
            _ => None,
        };
        let device = match (&challenge.step, &challenge.device_key) {
            (Step::DeviceSrpAuth, Some(key)) => Some(device_index(&challenge.client_id, key)),
            _ => None,
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if sessions.len() > 1024 && sessions.len().is_power_of_two() {
            sessions.retain(|_, slot| match slot {
                Slot::Live(_, expires) | Slot::Used(expires) => *expires + REMEMBERED > now,
            });
            let mut blocks = self
                .by_secret_block
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            blocks.retain(|_, session| sessions.contains_key(session));
            let mut devices = self.by_device.lock().unwrap_or_else(|p| p.into_inner());
            devices.retain(|_, session| sessions.contains_key(session));
        }
        sessions.insert(session.clone(), Slot::Live(challenge, expires));
        drop(sessions);
        if let Some(block) = block {
            self.by_secret_block
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(block, session.clone());
        }
        if let Some(device) = device {
            self.by_device
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(device, session.clone());
        }
        session
    }

    /// Takes the challenge of `session` out (single use).
    pub fn take(&self, session: &str) -> Result<Challenge, ServiceError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = self.clock.now_millis();
        match sessions.remove(session) {
            Some(Slot::Live(challenge, expires)) => {
                sessions.insert(session.to_owned(), Slot::Used(expires));
                if now > expires {
                    Err(errors::not_authorized(
                        "Invalid session for the user, session is expired.",
                    ))
                } else {
                    Ok(challenge)
                }
            }
            Some(Slot::Used(expires)) => {
                sessions.insert(session.to_owned(), Slot::Used(expires));
                Err(errors::not_authorized(
                    "Invalid session for the user, session can only be used once.",
                ))
            }
            None => Err(errors::invalid_session()),
        }
    }

    /// Takes the SRP handshake that issued `secret_block` (when no Session was sent).
    pub fn take_by_secret_block(&self, secret_block: &str) -> Result<Challenge, ServiceError> {
        let session = self
            .by_secret_block
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(secret_block)
            .ok_or_else(errors::invalid_session)?;
        self.take(&session)
    }

    /// Takes the pending DEVICE_SRP_AUTH step that the app client's sign-in
    /// with this device key is waiting at (when no Session was sent), if
    /// `belongs` accepts it (the caller checks the user it names). What binds
    /// the answer to the sign-in it continues: the app client, the device
    /// key (known only to that device) and the user; the step is the latest
    /// one opened for that client and device, is found only while its
    /// session lives (the client's `AuthSessionValidity`, three minutes by
    /// default), and is spent by being taken, as a session is.
    pub fn take_by_device(
        &self,
        client_id: &str,
        device_key: &str,
        belongs: impl FnOnce(&Challenge) -> bool,
    ) -> Result<Challenge, ServiceError> {
        let index = device_index(client_id, device_key);
        let mut devices = self.by_device.lock().unwrap_or_else(|p| p.into_inner());
        let session = devices.get(&index).ok_or_else(errors::invalid_session)?;
        {
            let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            match sessions.get(session) {
                Some(Slot::Live(challenge, _)) if belongs(challenge) => {}
                _ => return Err(errors::invalid_session()),
            }
        }
        let session = devices.remove(&index).unwrap_or_default();
        drop(devices);
        self.take(&session)
    }

    /// Puts a challenge back under its session after a wrong answer, so the
    /// user may try again until the session expires or too many failures.
    pub fn restore(&self, session: &str, challenge: Challenge) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(Slot::Used(expires)) = sessions.get(session) {
            let expires = *expires;
            sessions.insert(session.to_owned(), Slot::Live(challenge, expires));
        }
    }
}
