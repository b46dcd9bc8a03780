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
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
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
            result.add_custom(attribute)?;
        }
        Ok(result)
    }

    /// Adds one custom attribute (a `SchemaAttributeType` of CreateUserPool
    /// or AddCustomAttributes; its name without the `custom:` prefix).
    fn add_custom(&mut self, attribute: &Input<'_>) -> Result<(), ServiceError> {
        let name = attribute.str("Name").unwrap_or_default();
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
        self.described.push(Value::Object(entry));
        self.custom.push(full);
        Ok(())
    }

    /// This schema with the custom attributes AddCustomAttributes asks for.
    /// A name the pool already has is refused (the wording is the
    /// emulator's: the API reference gives only the error code).
    pub fn with_custom(&self, requested: &[Value]) -> Result<AttributeSchema, ServiceError> {
        let mut schema = self.clone();
        for attribute in requested.iter().filter_map(Value::as_object) {
            let attribute = Input::new(attribute);
            let name = attribute.str("Name").unwrap_or_default();
            let full = format!("custom:{name}");
            if schema.knows(&full) || STANDARD.iter().any(|(standard, ..)| *standard == name) {
                return Err(errors::invalid_parameter(format!(
                    "Existing attribute already has name {full}."
                )));
            }
            schema.add_custom(&attribute)?;
        }
        Ok(schema)
    }

    /// The `SchemaAttributes` entry of an attribute.
    fn entry(&self, name: &str) -> Option<&Value> {
        self.described
            .iter()
            .find(|e| e.get("Name").and_then(Value::as_str) == Some(name))
    }

    /// Whether an attribute can change after the user is created.
    pub fn is_mutable(&self, name: &str) -> bool {
        name != "sub"
            && self
                .entry(name)
                .and_then(|e| e.get("Mutable"))
                .and_then(Value::as_bool)
                .unwrap_or(true)
    }

    /// Checks a value against its attribute's data type and constraints.
    /// AWS's own texts for these are undocumented; these keep its
    /// "Attributes did not conform to the schema: <name>: " prefix.
    fn check_value(&self, name: &str, value: &str) -> Result<(), ServiceError> {
        let Some(entry) = self.entry(name) else {
            return Ok(());
        };
        let refuse = |why: String| {
            errors::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: {why}"
            ))
        };
        let bound = |group: &str, member: &str| {
            entry.get(group).and_then(|c| c.get(member)).and_then(|v| {
                v.as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .or(v.as_f64())
            })
        };
        match entry.get("AttributeDataType").and_then(Value::as_str) {
            Some("Number") if !value.is_empty() => {
                let number: f64 = value
                    .parse()
                    .map_err(|_| refuse("Number must be a valid number".into()))?;
                if let Some(min) = bound("NumberAttributeConstraints", "MinValue") {
                    if number < min {
                        return Err(refuse(format!("Number must be at least {min}")));
                    }
                }
                if let Some(max) = bound("NumberAttributeConstraints", "MaxValue") {
                    if number > max {
                        return Err(refuse(format!("Number must be at most {max}")));
                    }
                }
            }
            Some("Boolean")
                if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
            {
                return Err(refuse("Boolean must be true or false".into()));
            }
            Some("String") => {
                let length = value.chars().count() as f64;
                if let Some(min) = bound("StringAttributeConstraints", "MinLength") {
                    if length < min {
                        return Err(refuse(format!("String must be at least {min} characters")));
                    }
                }
                if let Some(max) = bound("StringAttributeConstraints", "MaxLength") {
                    if length > max {
                        return Err(refuse(format!("String must be at most {max} characters")));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub fn knows(&self, name: &str) -> bool {
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
    pub fn check_writable<N: AsRef<str>, V: AsRef<str>>(
        &self,
        attributes: &[(N, V)],
    ) -> Result<(), ServiceError> {
        for (name, value) in attributes {
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
            self.check_value(name, value.as_ref())?;
        }
        Ok(())
    }

    /// Checks attributes an update changes: writable as above, and mutable.
    pub fn check_updatable<N: AsRef<str>, V: AsRef<str>>(
        &self,
        attributes: &[(N, V)],
    ) -> Result<(), ServiceError> {
        self.check_writable(attributes)?;
        if let Some((name, _)) = attributes
            .iter()
            .find(|(n, _)| !self.is_mutable(n.as_ref()))
        {
            return Err(errors::invalid_parameter(format!(
                "Attributes did not conform to the schema: {}: Attribute cannot be updated.",
                name.as_ref()
            )));
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
    fn values_follow_their_types_and_constraints() {
        let schema = json!([
            {"Name": "level", "AttributeDataType": "Number",
             "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
            {"Name": "code", "AttributeDataType": "String",
             "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "3"}},
            {"Name": "frozen", "Mutable": false}
        ]);
        let schema = AttributeSchema::from_request(Some(&schema)).unwrap();
        for (name, value, ok) in [
            ("custom:level", "5", true),
            ("custom:level", "five", false),
            ("custom:level", "11", false),
            ("custom:code", "ab", true),
            ("custom:code", "a", false),
            ("custom:code", "abcd", false),
            ("email_verified", "True", true),
            ("email_verified", "yes", false),
        ] {
            assert_eq!(
                schema.check_writable(&[(name, value)]).is_ok(),
                ok,
                "{name} = {value}"
            );
        }
        assert!(schema.check_writable(&[("custom:frozen", "x")]).is_ok());
        let err = schema
            .check_updatable(&[("custom:frozen", "x")])
            .unwrap_err();
        assert!(
            err.message
                .ends_with("custom:frozen: Attribute cannot be updated.")
        );
        let added = schema.with_custom(&[json!({"Name": "extra"})]).unwrap();
        assert!(added.knows("custom:extra") && !schema.knows("custom:extra"));
        assert!(added.with_custom(&[json!({"Name": "extra"})]).is_err());
    }

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
