//! Resource servers: an identifier (the prefix of its scopes), a name and
//! custom scopes. A client asks for `{identifier}/{scope}`.

use serde_json::{Value, json};

/// One resource server of a pool.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceServer {
    pub identifier: String,
    pub name: String,
    /// `(ScopeName, ScopeDescription)`, in the order sent.
    #[serde(with = "scope_list")]
    pub scopes: Vec<(String, String)>,
}

/// Scopes as the API writes them: `[{"ScopeName": .., "ScopeDescription": ..}]`.
mod scope_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Scope<'a> {
        #[serde(rename = "ScopeName", borrow)]
        name: std::borrow::Cow<'a, str>,
        #[serde(rename = "ScopeDescription", borrow)]
        description: std::borrow::Cow<'a, str>,
    }

    pub fn serialize<S: Serializer>(
        scopes: &[(String, String)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(scopes.iter().map(|(name, description)| Scope {
            name: name.into(),
            description: description.into(),
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, String)>, D::Error> {
        let list = Vec::<Scope<'de>>::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|s| (s.name.into_owned(), s.description.into_owned()))
            .collect())
    }
}

impl ResourceServer {
    /// The `ResourceServerType` of the API.
    pub fn describe(&self, pool_id: &str) -> Value {
        let scopes: Vec<Value> = self
            .scopes
            .iter()
            .map(|(name, description)| json!({"ScopeName": name, "ScopeDescription": description}))
            .collect();
        json!({
            "UserPoolId": pool_id,
            "Identifier": self.identifier,
            "Name": self.name,
            "Scopes": scopes,
        })
    }

    /// Whether `scope` (`identifier/name`) is one of this server's scopes.
    pub fn has_scope(&self, scope: &str) -> bool {
        scope
            .strip_prefix(self.identifier.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|name| self.scopes.iter().any(|(n, _)| n == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_named_by_identifier_and_scope() {
        let server = ResourceServer {
            identifier: "https://api.example.com".into(),
            name: "api".into(),
            scopes: vec![("read".into(), "Read".into())],
        };
        assert!(server.has_scope("https://api.example.com/read"));
        assert!(!server.has_scope("https://api.example.com/write"));
        assert!(!server.has_scope("https://api.example.comread"));
        assert!(!server.has_scope("read"));
    }
}
