//! What the hosted sign-in pages of a domain remember between requests:
//! authorization codes (single use, five minutes: "The authorization code
//! is valid for five minutes", Cognito developer guide, token endpoint),
//! browser sessions behind the `cognito` cookie (an hour, as Cognito's
//! managed login session cookie), and sign-ins waiting for an MFA code or
//! a new password on the login page.

use std::collections::HashMap;
use std::sync::Mutex;

use super::random::{ALPHANUMERIC, random_string};

/// How long an authorization code may be redeemed (seconds).
pub(crate) const CODE_LIFETIME: i64 = 300;
/// How long the browser stays signed in to the domain (seconds).
pub(crate) const SESSION_LIFETIME: i64 = 3600;
/// How long a sign-in waits on the login page for its next step (seconds).
pub(crate) const PENDING_LIFETIME: i64 = 180;

/// What an authorization code stands for.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationCode {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    pub redirect_uri: String,
    /// The granted scopes, space-separated.
    pub scope: String,
    pub nonce: Option<String>,
    /// The PKCE `code_challenge` (its method is S256, the only one served).
    pub challenge: Option<String>,
    pub expires_at: i64,
}

/// A browser signed in to a pool's domain.
#[derive(Debug, Clone)]
pub(crate) struct BrowserSession {
    pub pool_id: String,
    pub user_key: String,
    pub expires_at: i64,
}

/// The step a sign-in on the login page waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingStep {
    /// A code from the user's authenticator app.
    SoftwareTokenMfa,
    /// A new password in place of a temporary one.
    NewPassword,
}

/// A sign-in between its password and its next step.
#[derive(Debug, Clone)]
pub(crate) struct PendingLogin {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    pub username: String,
    pub step: PendingStep,
    pub failures: u32,
    pub expires_at: i64,
}

/// The codes, sessions and pending sign-ins of one emulator.
#[derive(Default)]
pub(crate) struct HostedState {
    codes: Mutex<HashMap<String, AuthorizationCode>>,
    sessions: Mutex<HashMap<String, BrowserSession>>,
    pending: Mutex<HashMap<String, PendingLogin>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A new random value for a code, cookie or form token.
pub(crate) fn new_secret() -> String {
    random_string(ALPHANUMERIC, 40)
}

impl HostedState {
    /// Forgets every code, browser session and pending sign-in (`/_emulator/reset`).
    pub fn clear(&self) {
        lock(&self.codes).clear();
        lock(&self.sessions).clear();
        lock(&self.pending).clear();
    }

    /// Stores a code and returns its value.
    pub fn issue_code(&self, code: AuthorizationCode, now: i64) -> String {
        let value = new_secret();
        let mut codes = lock(&self.codes);
        codes.retain(|_, c| c.expires_at >= now);
        codes.insert(value.clone(), code);
        value
    }

    /// Redeems a code: it is gone afterwards, whether it was still valid or not.
    pub fn take_code(&self, value: &str, now: i64) -> Option<AuthorizationCode> {
        lock(&self.codes)
            .remove(value)
            .filter(|c| c.expires_at >= now)
    }

    pub fn open_session(&self, session: BrowserSession) -> String {
        let value = new_secret();
        let mut sessions = lock(&self.sessions);
        let now = session.expires_at - SESSION_LIFETIME;
        sessions.retain(|_, s| s.expires_at >= now);
        sessions.insert(value.clone(), session);
        value
    }

    /// The live session of this cookie value in this pool.
    pub fn session(&self, value: &str, pool_id: &str, now: i64) -> Option<BrowserSession> {
        lock(&self.sessions)
            .get(value)
            .filter(|s| s.pool_id == pool_id && s.expires_at >= now)
            .cloned()
    }

    pub fn end_session(&self, value: &str) {
        lock(&self.sessions).remove(value);
    }

    pub fn start_pending(&self, pending: PendingLogin) -> String {
        let value = new_secret();
        let mut all = lock(&self.pending);
        let now = pending.expires_at - PENDING_LIFETIME;
        all.retain(|_, p| p.expires_at >= now);
        all.insert(value.clone(), pending);
        value
    }

    /// Takes a pending sign-in (the caller puts it back to allow a retry).
    pub fn take_pending(&self, value: &str, now: i64) -> Option<PendingLogin> {
        lock(&self.pending)
            .remove(value)
            .filter(|p| p.expires_at >= now)
    }

    pub fn restore_pending(&self, value: &str, pending: PendingLogin) {
        lock(&self.pending).insert(value.to_owned(), pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(expires_at: i64) -> AuthorizationCode {
        AuthorizationCode {
            pool_id: "p".into(),
            client_id: "c".into(),
            user_key: "u".into(),
            redirect_uri: "https://app".into(),
            scope: "openid".into(),
            nonce: None,
            challenge: None,
            expires_at,
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let state = HostedState::default();
        let value = state.issue_code(code(100), 0);
        assert!(state.take_code(&value, 50).is_some());
        assert!(state.take_code(&value, 50).is_none());
        let value = state.issue_code(code(100), 0);
        assert!(state.take_code(&value, 101).is_none());
    }

    #[test]
    fn sessions_belong_to_one_pool() {
        let state = HostedState::default();
        let value = state.open_session(BrowserSession {
            pool_id: "p".into(),
            user_key: "u".into(),
            expires_at: 100,
        });
        assert!(state.session(&value, "p", 10).is_some());
        assert!(state.session(&value, "q", 10).is_none());
        assert!(state.session(&value, "p", 101).is_none());
        state.end_session(&value);
        assert!(state.session(&value, "p", 10).is_none());
    }
}
