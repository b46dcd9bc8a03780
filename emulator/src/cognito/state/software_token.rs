//! A user's TOTP software token.

use crate::cognito::totp;

/// A user's software token: the secret being set up, the verified one, the
/// last accepted time step (no replays), and the user's MFA preference.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct SoftwareToken {
    pub pending_secret: Option<Box<str>>,
    pub secret: Option<Box<str>>,
    pub last_step: Option<u64>,
    pub enabled: bool,
    pub preferred: bool,
}

impl SoftwareToken {
    /// Whether `code` is current for the verified secret at `now` (epoch
    /// seconds) and not a replay of the last accepted one; an accepted
    /// code's time step is remembered.
    pub fn accept(&mut self, code: &str, now: i64) -> bool {
        let Some(secret) = &self.secret else {
            return false;
        };
        match totp::verify(secret, code, now as u64, self.last_step) {
            Ok(step) => {
                self.last_step = Some(step);
                true
            }
            Err(_) => false,
        }
    }
}
