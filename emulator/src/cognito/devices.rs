//! Remembered devices: ConfirmDevice (which stores the device's SRP
//! verifier), GetDevice, ListDevices, UpdateDeviceStatus and ForgetDevice,
//! and the administrator's AdminGetDevice, AdminListDevices,
//! AdminUpdateDeviceStatus and AdminForgetDevice. The device itself lives
//! in `state::devices`.

use serde_json::{Value, json};

use super::srp::Verifier;
use super::state::devices::Device;
use super::{CognitoService, Input, Outcome, epoch, errors};
use crate::aws_json::ServiceError;

/// The `DeviceType` of GetDevice and ListDevices.
fn device_json(device: &Device) -> Value {
    let mut attributes = vec![json!({"Name": "device_status", "Value": "valid"})];
    if let Some(name) = &device.name {
        attributes.push(json!({"Name": "device_name", "Value": &**name}));
    }
    attributes.push(json!({
        "Name": "dev:device_remembered_status",
        "Value": if device.remembered { "remembered" } else { "not_remembered" },
    }));
    json!({
        "DeviceKey": &*device.key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": epoch(device.created),
        "DeviceLastModifiedDate": epoch(device.modified),
        "DeviceLastAuthenticatedDate": epoch(device.last_authenticated),
    })
}

impl CognitoService {
    pub(super) fn confirm_device(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let device_key = input.required("DeviceKey")?;
        let config = input
            .object("DeviceSecretVerifierConfig")
            .ok_or_else(|| errors::invalid_parameter("DeviceSecretVerifierConfig is required"))?;
        let prompt = caller
            .pool
            .settings()
            .devices
            .is_some_and(|d| d.only_remembered_on_user_prompt);
        let mut table = caller.pool.users.lock();
        let user = table
            .user_mut(&caller.user_key)
            .ok_or_else(errors::access_token_revoked)?;
        let device = user
            .devices
            .iter_mut()
            .find(|d| &*d.key == device_key)
            .ok_or_else(errors::device_not_found)?;
        let verifier = Verifier::from_device_config(
            config.str("PasswordVerifier").unwrap_or_default(),
            config.str("Salt").unwrap_or_default(),
        )
        .map_err(|err| {
            errors::invalid_parameter(format!("Invalid DeviceSecretVerifierConfig: {err}"))
        })?;
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
        f: impl FnOnce(&mut Vec<Device>, usize) -> T,
    ) -> Result<T, ServiceError> {
        let token = input
            .str("AccessToken")
            .ok_or_else(|| errors::not_authorized("Missing Access Token"))?;
        let caller = self.authenticate(token)?;
        let device_key = input.required("DeviceKey")?;
        let mut table = caller.pool.users.lock();
        let user = table
            .user_mut(&caller.user_key)
            .ok_or_else(errors::access_token_revoked)?;
        confirmed_device(&mut user.devices, device_key).map(|i| f(&mut user.devices, i))
    }

    /// Runs `f` on a confirmed device of the user an administrator names.
    fn with_admin_device<T>(
        &self,
        input: &Input<'_>,
        f: impl FnOnce(&mut Vec<Device>, usize) -> T,
    ) -> Result<T, ServiceError> {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let device_key = input.required("DeviceKey")?;
        let mut table = pool.users.lock();
        let user = table
            .find_mut(&settings, name)
            .ok_or_else(errors::user_not_found)?;
        confirmed_device(&mut user.devices, device_key).map(|i| f(&mut user.devices, i))
    }

    pub(super) fn get_device(&self, input: &Input<'_>) -> Outcome {
        let device = self.with_device(input, |devices, i| device_json(&devices[i]))?;
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
        let table = caller.pool.users.lock();
        let user = table
            .users()
            .get(&caller.user_key)
            .ok_or_else(errors::access_token_revoked)?;
        Ok(list_page(&user.devices, input))
    }

    pub(super) fn admin_get_device(&self, input: &Input<'_>) -> Outcome {
        let device = self.with_admin_device(input, |devices, i| device_json(&devices[i]))?;
        Ok(json!({ "Device": device }))
    }

    pub(super) fn admin_update_device_status(&self, input: &Input<'_>) -> Outcome {
        let remembered = input.str("DeviceRememberedStatus") == Some("remembered");
        self.with_admin_device(input, |devices, i| {
            devices[i].remembered = remembered;
            devices[i].modified = self.now_millis();
        })?;
        Ok(json!({}))
    }

    pub(super) fn admin_forget_device(&self, input: &Input<'_>) -> Outcome {
        self.with_admin_device(input, |devices, i| {
            devices.remove(i);
        })?;
        Ok(json!({}))
    }

    /// An unknown user is a `UserNotFoundException`, as in every other
    /// administrator operation on a user (the service model lists that code
    /// for AdminForgetDevice and AdminUpdateDeviceStatus, and none for
    /// AdminListDevices and AdminGetDevice).
    pub(super) fn admin_list_devices(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let table = pool.users.lock();
        let user = table
            .find(&settings, input.required("Username")?)
            .ok_or_else(errors::user_not_found)?;
        Ok(list_page(&user.devices, input))
    }
}

/// The index of the confirmed device `key`, or `ResourceNotFoundException`.
fn confirmed_device(devices: &mut [Device], key: &str) -> Result<usize, ServiceError> {
    devices
        .iter()
        .position(|d| &*d.key == key && d.verifier.is_some())
        .ok_or_else(errors::device_not_found)
}

/// A page of ListDevices / AdminListDevices: confirmed devices by key,
/// `Limit` of them (60 when 0 or none) from `PaginationToken`.
fn list_page(devices: &[Device], input: &Input<'_>) -> Value {
    let limit = match input.i64("Limit") {
        Some(0) | None => 60,
        Some(n) => n as usize,
    };
    let start = input.str("PaginationToken").unwrap_or_default();
    let mut confirmed: Vec<&Device> = devices
        .iter()
        .filter(|d| d.verifier.is_some() && *d.key >= *start)
        .collect();
    confirmed.sort_by(|a, b| a.key.cmp(&b.key));
    let next = confirmed.get(limit).map(|d| d.key.to_string());
    let listed: Vec<Value> = confirmed
        .iter()
        .take(limit)
        .map(|d| device_json(d))
        .collect();
    let mut output = json!({ "Devices": listed });
    if let Some(next) = next {
        output["PaginationToken"] = json!(next);
    }
    output
}
