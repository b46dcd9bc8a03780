//! User attributes: the standard schema every pool has, custom attributes,
//! and the checks SignUp and AdminCreateUser apply.

use serde_json::{Value, json};

use crate::aws_json::ServiceError;
use crate::cognito::{errors, input::Input};

/// Standard attributes: name, data type, mutable.
const STANDARD: &[(&str, &str, bool)] = &[
    ("sub", "String", false),
    ("name", "String", true),
    ("given_name", "String", true),
    ("family_name", "String", true),
    ("middle_name", "String", true),
    ("nickname", "String", true),
    ("preferred_username", "String", true),
    ("profile", "String", true),
    ("picture", "String", true),
    ("website", "String", true),
    ("email", "String", true),
    ("email_verified", "Boolean", true),
    ("gender", "String", true),
    ("birthdate", "String", true),
    ("zoneinfo", "String", true),
    ("locale", "String", true),
    ("phone_number", "String", true),
    ("phone_number_verified", "Boolean", true),
    ("address", "String", true),
    ("updated_at", "Number", true),
    ("identities", "String", true),
];

/// The attributes of a pool: standard ones plus those its `Schema` adds.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttributeSchema {
    /// Full names (`custom:x`) of custom attributes.
    pub custom: Vec<String>,
    /// Attributes the pool requires at sign-up.
    pub required: Vec<String>,
    /// The `SchemaAttributes` DescribeUserPool shows.
    pub described: Vec<Value>,
}

impl AttributeSchema {
    /// From the `Schema` member of CreateUserPool.
    pub fn from_request(schema: Option<&Value>) -> Result<Self, ServiceError> {
        let requested: Vec<Input<'_>> = schema
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(Input::new)
                    .collect()
            })
            .unwrap_or_default();
        let mut result = AttributeSchema::default();
        for &(name, kind, mutable) in STANDARD {
            let overridden = requested.iter().find(|a| a.str("Name") == Some(name));
            let required =
                name == "sub" || overridden.and_then(|a| a.bool("Required")).unwrap_or(false);
            let mutable = overridden
                .and_then(|a| a.bool("Mutable"))
                .unwrap_or(mutable);
            if required && name != "sub" {
                result.required.push(name.to_owned());
            }
            let mut entry = json!({
                "Name": name,
                "AttributeDataType": kind,
                "DeveloperOnlyAttribute": false,
                "Mutable": mutable,
                "Required": required,
            });
            match kind {
                "String" => {
                    let min = if name == "sub" { "1" } else { "0" };
                    entry["StringAttributeConstraints"] =
                        json!({"MinLength": min, "MaxLength": "2048"});
                }
                "Number" => entry["NumberAttributeConstraints"] = json!({"MinValue": "0"}),
                _ => {}
            }
            result.described.push(entry);
        }
        for attribute in &requested {
            let Some(name) = attribute.str("Name") else {
                continue;
            };
            if STANDARD.iter().any(|(standard, ..)| *standard == name) {
                continue;
            }
            if attribute.bool("Required") == Some(true) {
                return Err(errors::invalid_parameter(format!(
                    "Required custom attributes are not supported currently. Attribute: custom:{name}"
                )));
            }
            let full = format!("custom:{name}");
            let mut entry = attribute.fields().clone();
            entry.insert("Name".into(), json!(full));
            entry.entry("AttributeDataType").or_insert(json!("String"));
            entry
                .entry("DeveloperOnlyAttribute")
                .or_insert(json!(false));
            entry.entry("Mutable").or_insert(json!(true));
            entry.insert("Required".into(), json!(false));
            result.described.push(Value::Object(entry));
            result.custom.push(full);
        }
        Ok(result)
    }

    fn knows(&self, name: &str) -> bool {
        STANDARD.iter().any(|(standard, ..)| *standard == name)
            || self.custom.iter().any(|c| c == name)
    }

    /// Checks attributes a caller sends: each must exist in the schema, `sub`
    /// is never writable, required ones must be present (SignUp).
    pub fn check(&self, attributes: &[(&str, &str)]) -> Result<(), ServiceError> {
        self.check_writable(attributes)?;
        let present = |name: &str| {
            attributes
                .iter()
                .any(|(n, value)| *n == name && !value.is_empty())
        };
        if let Some(required) = self.missing_required(present).first() {
            return Err(errors::invalid_parameter(format!(
                "Attributes did not conform to the schema: {required}: The attribute {required} is required"
            )));
        }
        Ok(())
    }

    /// Checks that each attribute exists in the schema and is not `sub`
    /// (AdminCreateUser: required attributes may come later, from the
    /// user's answer to NEW_PASSWORD_REQUIRED).
    pub fn check_writable<N: AsRef<str>, V>(
        &self,
        attributes: &[(N, V)],
    ) -> Result<(), ServiceError> {
        for (name, _) in attributes {
            let name = name.as_ref();
            if name == "sub" {
                return Err(errors::invalid_parameter(
                    "Attributes did not conform to the schema: sub: Attribute cannot be updated.",
                ));
            }
            if !self.knows(name) {
                return Err(errors::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
                )));
            }
        }
        Ok(())
    }

    /// The required attributes for which `present` says no, in schema order.
    pub fn missing_required(&self, present: impl Fn(&str) -> bool) -> Vec<&str> {
        self.required
            .iter()
            .map(String::as_str)
            .filter(|name| !present(name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_required_attributes_are_refused() {
        let schema = json!([{"Name": "email", "Required": true}, {"Name": "team", "AttributeDataType": "String"}]);
        let schema = AttributeSchema::from_request(Some(&schema)).unwrap();
        assert!(
            schema
                .check(&[("email", "a@b.c"), ("custom:team", "x")])
                .is_ok()
        );
        let err = schema
            .check(&[("email", "a@b.c"), ("favourite", "x")])
            .unwrap_err();
        assert!(
            err.message.contains("favourite: Attribute does not exist"),
            "{}",
            err.message
        );
        let err = schema.check(&[("name", "x")]).unwrap_err();
        assert!(err.message.contains("email"), "{}", err.message);
    }
}
