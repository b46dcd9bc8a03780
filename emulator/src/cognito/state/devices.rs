//! Remembered devices: the device a sign-in hands out when the pool tracks
//! devices, confirmed once ConfirmDevice stored its SRP verifier.

use super::random::{ALPHANUMERIC, random_string};
use crate::cognito::srp::Verifier;

/// A device a user was given at sign-in; confirmed once it has a verifier.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Device {
    pub key: Box<str>,
    pub group_key: Box<str>,
    #[serde(default)]
    pub verifier: Option<Verifier>,
    #[serde(default)]
    pub name: Option<Box<str>>,
    #[serde(default)]
    pub remembered: bool,
    pub created: i64,
    pub modified: i64,
    pub last_authenticated: i64,
}

impl Device {
    /// A new device key `{region}_{uuid}` and group key.
    pub fn new(region: &str, now: i64) -> Self {
        Device {
            key: format!("{region}_{}", crate::new_uuid()).into(),
            group_key: format!("-{}", random_string(ALPHANUMERIC, 9)).into(),
            verifier: None,
            name: None,
            remembered: false,
            created: now,
            modified: now,
            last_authenticated: now,
        }
    }
}
