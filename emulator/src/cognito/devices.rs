//! Remembered devices: the NewDeviceMetadata a sign-in hands out when the
//! pool tracks devices, ConfirmDevice (which stores the device's SRP
//! verifier), GetDevice, ListDevices, UpdateDeviceStatus and ForgetDevice.

use serde_json::{Value, json};

use super::srp::Verifier;
use super::{
    ALPHANUMERIC, CognitoService, Input, Outcome, epoch, invalid_parameter, random_string,
};
use crate::aws_json::ServiceError;

/// A device a user was given at sign-in; confirmed once it has a verifier.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub key: Box<str>,
    pub group_key: Box<str>,
    pub verifier: Option<Verifier>,
    pub name: Option<Box<str>>,
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

    fn to_json(&self) -> Value {
        let mut attributes = vec![json!({"Name": "device_status", "Value": "valid"})];
        if let Some(name) = &self.name {
            attributes.push(json!({"Name": "device_name", "Value": &**name}));
        }
        attributes.push(json!({
            "Name": "dev:device_remembered_status",
            "Value": if self.remembered { "remembered" } else { "not_remembered" },
        }));
        json!({
            "DeviceKey": &*self.key,
            "DeviceAttributes": attributes,
            "DeviceCreateDate": epoch(self.created),
            "DeviceLastModifiedDate": epoch(self.modified),
            "DeviceLastAuthenticatedDate": epoch(self.last_authenticated),
        })
    }
}

fn device_not_found() -> ServiceError {
    ServiceError::new("ResourceNotFoundException", "Device does not exist.")
}

impl CognitoService {
    pub(super) fn confirm_device(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let device_key = input.required("DeviceKey")?;
        let config = input
            .object("DeviceSecretVerifierConfig")
            .ok_or_else(|| invalid_parameter("DeviceSecretVerifierConfig is required"))?;
        let prompt = caller
            .pool
            .settings()
            .devices
            .is_some_and(|d| d.only_remembered_on_user_prompt);
        let mut table = caller.pool.users.lock();
        let user = table
            .users
            .get_mut(&caller.user_key)
            .ok_or_else(super::access::revoked)?;
        let device = user
            .devices
            .iter_mut()
            .find(|d| &*d.key == device_key)
            .ok_or_else(device_not_found)?;
        let verifier = Verifier::from_device_config(
            config.str("PasswordVerifier").unwrap_or_default(),
            config.str("Salt").unwrap_or_default(),
        )
        .map_err(|err| invalid_parameter(format!("Invalid DeviceSecretVerifierConfig: {err}")))?;
        device.verifier = Some(verifier);
        device.name = input.str("DeviceName").map(Into::into);
        device.remembered = !prompt;
        device.modified = self.now_millis();
        Ok(json!({ "UserConfirmationNecessary": prompt }))
    }

    /// Runs `f` on a confirmed device of the caller.
    fn with_device<T>(
        &self,
        input: &Input<'_>,
        f: impl FnOnce(&mut Vec<super::devices::Device>, usize) -> T,
    ) -> Result<T, ServiceError> {
        let token = input
            .str("AccessToken")
            .ok_or_else(|| super::not_authorized("Missing Access Token"))?;
        let caller = self.authenticate(token)?;
        let device_key = input.required("DeviceKey")?;
        let mut table = caller.pool.users.lock();
        let user = table
            .users
            .get_mut(&caller.user_key)
            .ok_or_else(super::access::revoked)?;
        let index = user
            .devices
            .iter()
            .position(|d| &*d.key == device_key && d.verifier.is_some())
            .ok_or_else(device_not_found)?;
        Ok(f(&mut user.devices, index))
    }

    pub(super) fn get_device(&self, input: &Input<'_>) -> Outcome {
        let device = self.with_device(input, |devices, i| devices[i].to_json())?;
        Ok(json!({ "Device": device }))
    }

    pub(super) fn update_device_status(&self, input: &Input<'_>) -> Outcome {
        let remembered = input.str("DeviceRememberedStatus") == Some("remembered");
        self.with_device(input, |devices, i| {
            devices[i].remembered = remembered;
            devices[i].modified = self.now_millis();
        })?;
        Ok(json!({}))
    }

    pub(super) fn forget_device(&self, input: &Input<'_>) -> Outcome {
        self.with_device(input, |devices, i| {
            devices.remove(i);
        })?;
        Ok(json!({}))
    }

    pub(super) fn list_devices(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let limit = match input.i64("Limit") {
            Some(0) | None => 60,
            Some(n) => n as usize,
        };
        let start = input.str("PaginationToken").unwrap_or_default();
        let table = caller.pool.users.lock();
        let user = table
            .users
            .get(&caller.user_key)
            .ok_or_else(super::access::revoked)?;
        let mut confirmed: Vec<&Device> = user
            .devices
            .iter()
            .filter(|d| d.verifier.is_some() && *d.key >= *start)
            .collect();
        confirmed.sort_by(|a, b| a.key.cmp(&b.key));
        let next = confirmed.get(limit).map(|d| d.key.to_string());
        let devices: Vec<Value> = confirmed.iter().take(limit).map(|d| d.to_json()).collect();
        let mut output = json!({ "Devices": devices });
        if let Some(next) = next {
            output["PaginationToken"] = json!(next);
        }
        Ok(output)
    }
}
