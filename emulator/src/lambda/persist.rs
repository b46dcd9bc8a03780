//! What Lambda keeps in a state folder: per function, its configuration
//! and resource policy in one record, and its deployment package in another
//! (written once, at creation: a permission change rewrites only the first).
//!
//! - `lambda.function`, key `{name}`: the configuration (camelCase), the
//!   revision id and the policy statements as GetPolicy shows them.
//! - `lambda.code`, key `{name}`: the zip, base64, and its SHA-256.
//!
//! A restored function's zip is unpacked again into a new private
//! directory; its instances start on its first invocation, as always.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::LambdaService;
use super::code::CodeDir;
use super::function::{Function, FunctionConfig};
use super::policy::Statement;
use crate::persist::{Persistent, Record};

pub(crate) const FUNCTION: &str = "lambda.function";
pub(crate) const CODE: &str = "lambda.code";

/// A function's record, as it is written: borrows the function.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionRecord<'a> {
    pub function_name: &'a str,
    #[serde(flatten)]
    pub config: &'a FunctionConfig,
    pub revision_id: &'a str,
    pub policy: &'a [Statement],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredFunction {
    #[serde(flatten)]
    config: FunctionConfig,
    revision_id: String,
    #[serde(default)]
    policy: Vec<Statement>,
}

/// A function's code record, as it is written: borrows the zip.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CodeRecord<'a> {
    pub code_sha256: &'a str,
    #[serde(serialize_with = "base64")]
    pub zip_file: &'a [u8],
}

fn base64<S: Serializer>(bytes: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(bytes))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredCode {
    zip_file: String,
}

impl Function {
    pub(crate) fn code_record(&self) -> CodeRecord<'_> {
        CodeRecord {
            code_sha256: &self.config.code_sha256,
            zip_file: &self.zip,
        }
    }
}

fn record<T: Serialize>(kind: &str, key: &str, value: &T) -> Record {
    Record {
        kind: kind.to_owned(),
        key: key.to_owned(),
        value: serde_json::to_value(value).expect("Lambda records serialize"),
    }
}

fn unreadable(record: &Record, err: impl std::fmt::Display) -> String {
    format!(
        "cannot read the record {} {:?}: {err}",
        record.kind, record.key
    )
}

impl Persistent for LambdaService {
    fn kind_prefix(&self) -> &'static str {
        "lambda."
    }

    fn records(&self) -> Vec<Record> {
        let functions = self.functions.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::with_capacity(functions.len() * 2);
        for (name, function) in functions.iter() {
            let policy = function.policy();
            out.push(record(FUNCTION, name, &function.record(&policy)));
            out.push(record(CODE, name, &function.code_record()));
        }
        out.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        out
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut codes: HashMap<&str, &Record> = HashMap::new();
        let mut stored = Vec::new();
        for record in &records {
            match record.kind.as_str() {
                FUNCTION => stored.push(record),
                CODE => {
                    codes.insert(&record.key, record);
                }
                _ => return Err(unreadable(record, "unknown kind")),
            }
        }
        let mut functions = HashMap::with_capacity(stored.len());
        for record in stored {
            let function: StoredFunction = serde_json::from_value(record.value.clone())
                .map_err(|err| unreadable(record, err))?;
            let code = codes
                .get(record.key.as_str())
                .ok_or_else(|| unreadable(record, format!("its {CODE} record is missing")))?;
            let code_record: StoredCode =
                serde_json::from_value(code.value.clone()).map_err(|err| unreadable(code, err))?;
            let zip = STANDARD
                .decode(&code_record.zip_file)
                .map_err(|err| unreadable(code, format!("zipFile: {err}")))?;
            if STANDARD.encode(Sha256::digest(&zip)) != function.config.code_sha256 {
                return Err(unreadable(
                    code,
                    "the zip does not match the function's codeSha256",
                ));
            }
            let dir = CodeDir::unpack(&zip)
                .map_err(|err| unreadable(code, format!("cannot unpack the zip: {err:?}")))?;
            let name = record.key.clone();
            let arn = self.function_arn(&name);
            functions.insert(
                name.clone(),
                Arc::new(Function::restored(
                    name,
                    arn,
                    function.config,
                    dir,
                    Bytes::from(zip),
                    function.revision_id,
                    function.policy,
                )),
            );
        }
        // The service is empty: nothing to shut down in what is replaced.
        *self.functions.write().unwrap_or_else(|p| p.into_inner()) = functions;
        Ok(())
    }

    fn clear(&self) {
        self.forget_functions_now();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use axum::http::{HeaderMap, Method, Uri};
    use serde_json::{Value, json};

    use super::*;
    use crate::Config;
    use crate::aws_query::QueryService;
    use crate::iam::IamService;
    use crate::logs::LogsService;
    use crate::persist::Journal;

    const ROLE: &str = "arn:aws:iam::000000000000:role/function-role";
    const POOL: &str = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";

    /// A Lambda whose changes go to `journal`, with a role it may assume.
    fn service(journal: Journal) -> Arc<LambdaService> {
        let config = Config::default();
        let iam = Arc::new(IamService::new(&config, Journal::memory()));
        let trust = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }],
        });
        iam.route(
            "CreateRole",
            &json!({"RoleName": "function-role", "AssumeRolePolicyDocument": trust.to_string()}),
        )
        .expect("CreateRole");
        Arc::new(LambdaService::new(
            &config,
            "http://127.0.0.1:1",
            iam,
            Arc::new(LogsService::new(&config, Journal::memory())),
            journal,
        ))
    }

    /// A zip whose `bootstrap` answers every event with the event itself.
    fn echo_package() -> Vec<u8> {
        let script = r#"#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  RESPONSE="$(curl -sS -i "$API/invocation/next")"
  EVENT="$(printf '%s\n' "$RESPONSE" | tail -n 1)"
  ID="$(printf '%s\n' "$RESPONSE" | grep -i '^lambda-runtime-aws-request-id:' | tr -d '\r' | cut -d' ' -f2)"
  echo "event $EVENT"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\"echo\":$EVENT,\"greeting\":\"${GREETING:-}\"}" >/dev/null
done
"#;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        writer.start_file("bootstrap", options).unwrap();
        writer.write_all(script.as_bytes()).unwrap();
        writer.finish().unwrap().into_inner()
    }

    /// One API request, as the front door makes it: (status, JSON body).
    async fn call(
        lambda: &Arc<LambdaService>,
        method: Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let uri: Uri = path.parse().unwrap();
        let body = if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        };
        let response = lambda.handle(&method, &uri, &HeaderMap::new(), body).await;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    async fn create(lambda: &Arc<LambdaService>, name: &str) -> Value {
        let (status, out) = call(
            lambda,
            Method::POST,
            "/2015-03-31/functions",
            json!({
                "FunctionName": name,
                "Runtime": "provided.al2023",
                "Role": ROLE,
                "Handler": "bootstrap",
                "Description": "echoes",
                "Timeout": 5,
                "MemorySize": 256,
                "Architectures": ["arm64"],
                "Environment": {"Variables": {"GREETING": "hello"}},
                "Tags": {"team": "auth"},
                "Code": {"ZipFile": STANDARD.encode(echo_package())},
            }),
        )
        .await;
        assert_eq!(status, 201, "{out}");
        out
    }

    async fn add_permission(lambda: &Arc<LambdaService>, name: &str, sid: &str) -> u16 {
        let path = format!("/2015-03-31/functions/{name}/policy");
        let body = json!({
            "StatementId": sid,
            "Action": "lambda:InvokeFunction",
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": POOL,
        });
        call(lambda, Method::POST, &path, body).await.0
    }

    fn assert_journaled(journal: &Journal, lambda: &LambdaService) {
        assert_eq!(journal.replayed(), lambda.records());
    }

    #[tokio::test]
    async fn every_change_is_journaled() {
        let journal = Journal::capture();
        let lambda = service(journal.clone());
        create(&lambda, "f").await;
        assert_journaled(&journal, &lambda);
        let records = lambda.records();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].kind, CODE);
        assert_eq!(records[0].key, "f");
        let zip = STANDARD
            .decode(records[0].value["zipFile"].as_str().expect("base64 text"))
            .unwrap();
        let sha = json!(STANDARD.encode(Sha256::digest(&zip)));
        assert_eq!(records[0].value["codeSha256"], sha);
        assert_eq!(records[1].kind, FUNCTION);
        assert_eq!(records[1].value["codeSha256"], sha);
        let function = &records[1].value;
        assert_eq!(function["functionName"], "f");
        assert_eq!(function["role"], ROLE);
        assert_eq!(function["memorySize"], 256);
        assert_eq!(function["variables"], json!({"GREETING": "hello"}));
        assert_eq!(function["tags"], json!({"team": "auth"}));
        assert_eq!(function["policy"], json!([]));

        assert_eq!(add_permission(&lambda, "f", "one").await, 201);
        assert_eq!(add_permission(&lambda, "f", "two").await, 201);
        assert_journaled(&journal, &lambda);
        let policy = &lambda.records()[1].value["policy"];
        assert_eq!(policy[1]["Sid"], "two");
        assert_eq!(policy[1]["Condition"]["ArnLike"]["AWS:SourceArn"], POOL);
        // A refused change changes nothing.
        assert_eq!(add_permission(&lambda, "f", "one").await, 409);
        assert_journaled(&journal, &lambda);

        let (status, _) = call(
            &lambda,
            Method::DELETE,
            "/2015-03-31/functions/f/policy/one",
            Value::Null,
        )
        .await;
        assert_eq!(status, 204);
        assert_journaled(&journal, &lambda);
        let policy = &lambda.records()[1].value["policy"];
        assert_eq!(policy.as_array().unwrap().len(), 1);

        create(&lambda, "g").await;
        assert_eq!(lambda.records().len(), 4);
        assert_journaled(&journal, &lambda);
        let (status, _) = call(
            &lambda,
            Method::DELETE,
            "/2015-03-31/functions/g",
            Value::Null,
        )
        .await;
        assert_eq!(status, 204);
        assert_journaled(&journal, &lambda);
        assert_eq!(lambda.records().len(), 2);
        lambda.shutdown().await;
        // Stopping the emulator deletes nothing.
        assert_eq!(journal.replayed().len(), 2);
    }

    #[tokio::test]
    async fn restored_functions_run_as_before() {
        let lambda = service(Journal::capture());
        create(&lambda, "echo").await;
        assert_eq!(add_permission(&lambda, "echo", "cognito").await, 201);
        let (_, before) = call(
            &lambda,
            Method::GET,
            "/2015-03-31/functions/echo/configuration",
            Value::Null,
        )
        .await;
        let records = lambda.records();
        lambda.shutdown().await;

        let journal = Journal::capture();
        let restored = service(journal.clone());
        restored.restore(records.clone()).expect("restore");
        assert_eq!(restored.records(), records);
        assert!(journal.replayed().is_empty(), "restore does not journal");

        let (status, after) = call(
            &restored,
            Method::GET,
            "/2015-03-31/functions/echo/configuration",
            Value::Null,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(after["State"], "Active", "no Pending after a restart");
        for member in [
            "FunctionArn",
            "RevisionId",
            "CodeSha256",
            "CodeSize",
            "LastModified",
            "Environment",
            "MemorySize",
            "Timeout",
            "Architectures",
            "Description",
        ] {
            assert_eq!(after[member], before[member], "{member}");
        }
        let (_, got) = call(
            &restored,
            Method::GET,
            "/2015-03-31/functions/echo",
            Value::Null,
        )
        .await;
        assert_eq!(got["Tags"], json!({"team": "auth"}));

        // The code was unpacked again and runs; the policy still admits Cognito.
        let answer = restored
            .invoke_as_service(
                "arn:aws:lambda:us-east-1:000000000000:function:echo",
                "cognito-idp.amazonaws.com",
                POOL,
                json!({"n": 1}),
                Duration::from_secs(20),
            )
            .await
            .expect("the restored function answers");
        assert_eq!(answer, json!({"echo": {"n": 1}, "greeting": "hello"}));
        let refused = restored
            .invoke_as_service(
                "arn:aws:lambda:us-east-1:000000000000:function:echo",
                "cognito-idp.amazonaws.com",
                "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_other",
                json!({}),
                Duration::from_secs(20),
            )
            .await;
        assert_eq!(refused, Err(crate::lambda::InvokeError::AccessDenied));

        // Deleting it after the restart is journaled as well.
        let (status, _) = call(
            &restored,
            Method::DELETE,
            "/2015-03-31/functions/echo",
            Value::Null,
        )
        .await;
        assert_eq!(status, 204);
        assert!(restored.records().is_empty());
        restored.shutdown().await;
    }

    #[tokio::test]
    async fn restore_names_what_it_cannot_read_and_skips_orphans() {
        let lambda = service(Journal::memory());
        create(&lambda, "f").await;
        let records = lambda.records();
        lambda.shutdown().await;

        // Code without its function: skipped.
        let orphan = service(Journal::memory());
        orphan.restore(vec![records[0].clone()]).unwrap();
        assert!(orphan.records().is_empty());

        // A function without its code: an error naming it.
        let error = service(Journal::memory())
            .restore(vec![records[1].clone()])
            .unwrap_err();
        assert!(
            error.contains("lambda.function") && error.contains("\"f\""),
            "{error}"
        );

        // A zip that is not the function's.
        let mut bad = records.clone();
        bad[0].value["zipFile"] = json!(STANDARD.encode(b"not a zip"));
        let error = service(Journal::memory()).restore(bad).unwrap_err();
        assert!(error.contains("lambda.code"), "{error}");

        // A configuration that cannot be read.
        let mut bad = records.clone();
        bad[1].value["timeout"] = json!("long");
        let error = service(Journal::memory()).restore(bad).unwrap_err();
        assert!(error.contains("lambda.function"), "{error}");
    }

    #[tokio::test]
    async fn clear_forgets_every_function_without_journaling() {
        let journal = Journal::capture();
        let lambda = service(journal.clone());
        create(&lambda, "f").await;
        lambda.clear();
        assert!(lambda.records().is_empty());
        assert_eq!(journal.replayed().len(), 2);
        let (status, _) = call(&lambda, Method::GET, "/2015-03-31/functions/f", Value::Null).await;
        assert_eq!(status, 404);
        // The name is free again.
        create(&lambda, "f").await;
        lambda.shutdown().await;
    }
}
