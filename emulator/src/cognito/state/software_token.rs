//! A user's TOTP software token.

/// A user's software token: the secret being set up, the verified one, the
/// last accepted time step (no replays), and the user's MFA preference.
#[derive(Debug, Clone, Default)]
pub(crate) struct SoftwareToken {
    pub pending_secret: Option<Box<str>>,
    pub secret: Option<Box<str>>,
    pub last_step: Option<u64>,
    pub enabled: bool,
    pub preferred: bool,
}
