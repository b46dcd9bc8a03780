//! The Lambda REST-JSON API: routes under `/2015-03-31/functions`, request
//! validation with Lambda's error codes, and responses.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use regex::Regex;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::code::{CodeDir, CodeError};
use super::errors::{self, bad_content, invalid_value, missing, validation};
use super::function::{AddStatementError, Function, FunctionConfig};
use super::persist;
use super::policy::{self, Grant, Statement};
use super::{LambdaService, log_result};
use crate::aws_json::ServiceError;
use crate::iam::RoleCheck;

/// Largest request Lambda takes for CreateFunction (the zip, base64 in JSON).
pub(crate) const MAX_CREATE_REQUEST: usize = 69_905_067;
/// Largest zip Lambda takes uploaded directly (50 MB).
const MAX_ZIP: usize = 52_428_800;
/// Largest synchronous Invoke payload (6 MB).
const MAX_PAYLOAD: usize = 6_291_456;

/// The runtimes this emulator can run: a `bootstrap` executable.
const RUNNABLE_RUNTIMES: &[&str] = &["provided.al2023", "provided.al2"];

/// Environment variables Lambda sets itself and refuses in a function's configuration.
const RESERVED_VARIABLES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// A successful answer.
struct Reply {
    status: StatusCode,
    body: Bytes,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: StatusCode, value: &Value) -> Reply {
        Reply {
            status,
            body: Bytes::from(value.to_string()),
            headers: Vec::new(),
        }
    }

    fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            body: Bytes::new(),
            headers: Vec::new(),
        }
    }
}

type Outcome = Result<Reply, ServiceError>;

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

fn role_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$",
    )
}

fn source_arn_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$",
    )
}

/// Typed access to a request body, answering wrong JSON types as Lambda does.
struct Body<'a>(&'a Map<String, Value>);

impl<'a> Body<'a> {
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>, ServiceError> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad_content(format!(
                "Could not parse request body into json: {key} must be a string"
            ))),
        }
    }

    fn required(&self, key: &str, member: &str) -> Result<&'a str, ServiceError> {
        self.str(key)?.ok_or_else(|| missing(member))
    }

    fn int(&self, key: &str) -> Result<Option<i64>, ServiceError> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                bad_content(format!(
                    "Could not parse request body into json: {key} must be an integer"
                ))
            }),
        }
    }

    fn object(&self, key: &str) -> Result<Option<Body<'a>>, ServiceError> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Body(map))),
            Some(_) => Err(bad_content(format!(
                "Could not parse request body into json: {key} must be an object"
            ))),
        }
    }

    fn string_map(&self, key: &str) -> Result<Option<BTreeMap<String, String>>, ServiceError> {
        let Some(map) = self.object(key)? else {
            return Ok(None);
        };
        map.0
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(bad_content(format!(
                    "Could not parse request body into json: the values of {key} must be strings"
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<&'a str>>, ServiceError> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().ok_or_else(|| {
                        bad_content(format!(
                            "Could not parse request body into json: {key} must be a list of strings"
                        ))
                    })
                })
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(bad_content(format!(
                "Could not parse request body into json: {key} must be a list"
            ))),
        }
    }
}

/// Decodes `%XX` escapes of a path segment or query value.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2)) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// A function name: 1 to 64 letters, digits, `-` and `_`.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn error_response(error: &ServiceError, request_id: &str) -> Response {
    let kind = if error.status >= 500 {
        "Service"
    } else {
        "User"
    };
    let body = json!({ "Type": kind, "message": error.message });
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(kind) = HeaderValue::from_str(error.code) {
        headers.insert("x-amzn-errortype", kind);
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

impl LambdaService {
    /// Serves one Lambda API request (`/2015-03-31/functions...`).
    pub async fn handle(
        self: &Arc<Self>,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Response {
        let started = Instant::now();
        let request_id = crate::new_uuid().to_string();
        let rest = uri
            .path()
            .strip_prefix("/2015-03-31/functions")
            .unwrap_or_default();
        let segments: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let qualifier = query_param(uri, "Qualifier");
        let qualifier = qualifier.as_deref();
        let (action, outcome) = match (method.clone(), segments.as_slice()) {
            (Method::POST, []) => ("CreateFunction", self.create_function(&body).await),
            (Method::GET, []) => ("ListFunctions", self.list_functions(uri)),
            (Method::GET, [name]) => ("GetFunction", self.get_function(name, qualifier)),
            (Method::DELETE, [name]) => (
                "DeleteFunction",
                self.delete_function(name, qualifier).await,
            ),
            (Method::GET, [name, "configuration"]) => (
                "GetFunctionConfiguration",
                self.get_function_configuration(name, qualifier),
            ),
            (Method::POST, [name, "invocations"]) => {
                ("Invoke", self.invoke(name, qualifier, headers, body).await)
            }
            (Method::POST, [name, "policy"]) => {
                ("AddPermission", self.add_permission(name, qualifier, &body))
            }
            (Method::GET, [name, "policy"]) => ("GetPolicy", self.get_policy(name, qualifier)),
            (Method::DELETE, [name, "policy", sid]) => (
                "RemovePermission",
                self.remove_permission(name, sid, qualifier, uri),
            ),
            _ => (
                "Unknown",
                Err(errors::unknown_operation(method.as_str(), uri.path())),
            ),
        };
        let outcome = if cfg!(debug_assertions) {
            outcome.and_then(|reply| self.checked(action, reply))
        } else {
            outcome
        };
        let response = match &outcome {
            Ok(reply) => {
                let mut response = (reply.status, reply.body.clone()).into_response();
                let headers = response.headers_mut();
                headers.insert("content-type", HeaderValue::from_static("application/json"));
                if let Ok(id) = HeaderValue::from_str(&request_id) {
                    headers.insert("x-amzn-requestid", id);
                }
                for (name, value) in &reply.headers {
                    if let Ok(value) = HeaderValue::from_str(value) {
                        headers.insert(*name, value);
                    }
                }
                response
            }
            Err(error) => error_response(error, &request_id),
        };
        let status = response.status().as_u16();
        let micros = started.elapsed().as_micros() as u64;
        match &outcome {
            Ok(_) => tracing::info!(service = "lambda", action, status, micros, "request"),
            Err(error) => tracing::info!(
                service = "lambda",
                action,
                status,
                micros,
                error = error.code,
                "request"
            ),
        }
        response
    }

    /// In debug builds (every test), a JSON answer that does not match the
    /// operation's output shape becomes a 500 `InternalFailure` naming the
    /// mismatch, as for the JSON-protocol services ([`crate::aws_json::call`]).
    /// Invoke's body is the function's own answer and goes unchecked.
    fn checked(&self, action: &str, reply: Reply) -> Outcome {
        let Some(operation) = self.model.operation(action) else {
            return Ok(reply);
        };
        if reply.body.is_empty() {
            return Ok(reply);
        }
        let mismatch = |problem: &str| crate::aws_json::response_mismatch(action, problem);
        let output: Value = serde_json::from_slice(&reply.body)
            .map_err(|err| mismatch(&format!("the body is not JSON: {err}")))?;
        self.model
            .check_response(operation, &output)
            .map_err(|problem| mismatch(&problem))?;
        Ok(reply)
    }

    /// The function a path names, or Lambda's errors for a bad or unknown name.
    fn find(
        &self,
        reference: &str,
        qualifier: Option<&str>,
    ) -> Result<Arc<Function>, ServiceError> {
        if reference.is_empty() || reference.len() > 170 {
            return Err(validation(
                "functionName",
                reference,
                "Member must have length less than or equal to 170",
            ));
        }
        let Some((name, embedded)) = self.parse_reference(reference) else {
            return Err(errors::function_not_found(reference));
        };
        if !valid_name(name) {
            return Err(validation(
                "functionName",
                reference,
                "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
            ));
        }
        let qualifier = qualifier.or(embedded);
        let arn = match qualifier {
            Some(q) => format!("{}:{q}", self.function_arn(name)),
            None => self.function_arn(name),
        };
        let not_found = || errors::function_not_found(&arn);
        if qualifier.is_some_and(|q| q != "$LATEST") {
            return Err(not_found());
        }
        self.functions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
            .ok_or_else(not_found)
    }

    async fn create_function(&self, body: &[u8]) -> Outcome {
        if body.len() > MAX_CREATE_REQUEST {
            return Err(errors::create_request_too_large(MAX_CREATE_REQUEST));
        }
        let request = crate::aws_json::parse_body(body).map_err(bad_content)?;
        let Some(fields) = request.as_object() else {
            return Err(bad_content(
                "Could not parse request body into json: the body must be an object",
            ));
        };
        let r = Body(fields);
        let reference = r.required("FunctionName", "functionName")?;
        let name = match self.parse_reference(reference) {
            Some((name, None)) if valid_name(name) && reference.len() <= 140 => name.to_owned(),
            Some((_, Some(_))) => {
                return Err(invalid_value(
                    "Version or alias qualifiers are not allowed in CreateFunction",
                ));
            }
            _ => {
                return Err(validation(
                    "functionName",
                    reference,
                    "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                ));
            }
        };
        let role = r.required("Role", "role")?;
        if !role_pattern().is_match(role) {
            return Err(validation(
                "role",
                role,
                "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
            ));
        }
        let code = r.object("Code")?.ok_or_else(|| missing("code"))?;
        let package_type = r.str("PackageType")?.unwrap_or("Zip");
        match package_type {
            "Zip" => {}
            "Image" => {
                return Err(invalid_value(
                    "This emulator runs zip packages only (PackageType Zip).",
                ));
            }
            other => {
                return Err(validation(
                    "packageType",
                    other,
                    "Member must satisfy enum value set: [Zip, Image]",
                ));
            }
        }
        let runtime = r.str("Runtime")?;
        let handler = r.str("Handler")?;
        let (Some(runtime), Some(handler)) = (runtime, handler) else {
            return Err(invalid_value(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
            ));
        };
        check_runtime(runtime)?;
        if handler.len() > 128 || handler.is_empty() || handler.chars().any(char::is_whitespace) {
            return Err(validation(
                "handler",
                handler,
                "Member must satisfy regular expression pattern: [^\\s]+",
            ));
        }
        let description = r.str("Description")?.unwrap_or_default();
        if description.chars().count() > 256 {
            return Err(validation(
                "description",
                description,
                "Member must have length less than or equal to 256",
            ));
        }
        let timeout = r.int("Timeout")?.unwrap_or(3);
        if timeout < 1 {
            return Err(validation(
                "timeout",
                timeout,
                "Member must have value greater than or equal to 1",
            ));
        }
        if timeout > 900 {
            return Err(invalid_value(format!(
                "Timeout must be at most 900 seconds (got {timeout})."
            )));
        }
        let memory_size = r.int("MemorySize")?.unwrap_or(128);
        if memory_size < 128 {
            return Err(validation(
                "memorySize",
                memory_size,
                "Member must have value greater than or equal to 128",
            ));
        }
        if memory_size > 10240 {
            return Err(validation(
                "memorySize",
                memory_size,
                "Member must have value less than or equal to 10240",
            ));
        }
        let variables = match r.object("Environment")? {
            Some(environment) => Some(check_variables(
                environment.string_map("Variables")?.unwrap_or_default(),
            )?),
            None => None,
        };
        let architectures: Vec<String> = match r.strings("Architectures")? {
            None => vec!["x86_64".to_owned()],
            Some(list) => {
                if list.len() != 1 {
                    return Err(validation(
                        "architectures",
                        format!("{list:?}"),
                        "Member must have length less than or equal to 1",
                    ));
                }
                if !matches!(list[0], "x86_64" | "arm64") {
                    return Err(validation(
                        "architectures",
                        format!("{list:?}"),
                        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
                    ));
                }
                list.iter().map(|s| s.to_string()).collect()
            }
        };
        if r.strings("Layers")?.is_some_and(|l| !l.is_empty()) {
            return Err(invalid_value("This emulator does not support layers."));
        }
        let logging = r.object("LoggingConfig")?;
        let log_format = logging
            .as_ref()
            .map(|l| l.str("LogFormat"))
            .transpose()?
            .flatten()
            .unwrap_or("Text");
        if !matches!(log_format, "Text" | "JSON") {
            return Err(validation(
                "loggingConfig.logFormat",
                log_format,
                "Member must satisfy enum value set: [JSON, Text]",
            ));
        }
        let log_group = logging
            .as_ref()
            .map(|l| l.str("LogGroup"))
            .transpose()?
            .flatten()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("/aws/lambda/{name}"));
        let tracing_mode = r
            .object("TracingConfig")?
            .map(|t| t.str("Mode"))
            .transpose()?
            .flatten()
            .unwrap_or("PassThrough");
        if !matches!(tracing_mode, "Active" | "PassThrough") {
            return Err(validation(
                "tracingConfig.mode",
                tracing_mode,
                "Member must satisfy enum value set: [Active, PassThrough]",
            ));
        }
        let ephemeral_storage = r
            .object("EphemeralStorage")?
            .map(|e| e.int("Size"))
            .transpose()?
            .flatten()
            .unwrap_or(512);
        if !(512..=10240).contains(&ephemeral_storage) {
            return Err(validation(
                "ephemeralStorage.size",
                ephemeral_storage,
                "Member must have value between 512 and 10240",
            ));
        }
        let tags = r.string_map("Tags")?.unwrap_or_default();
        let zip_text = match code.str("ZipFile")? {
            Some(zip) => zip,
            None if code.value("S3Bucket").is_some() || code.value("ImageUri").is_some() => {
                return Err(invalid_value(
                    "This emulator takes function code as Code.ZipFile only.",
                ));
            }
            None => {
                return Err(invalid_value(
                    "Please provide a source for function code (Code.ZipFile).",
                ));
            }
        };
        let zip = Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(zip_text)
                .map_err(|_| {
                    bad_content(
                        "Could not parse request body into json: ZipFile is not valid base64",
                    )
                })?,
        );
        if zip.len() > MAX_ZIP {
            return Err(errors::zip_too_large(zip.len(), MAX_ZIP));
        }
        match self.iam.role_assumable_by(role, "lambda.amazonaws.com") {
            RoleCheck::Ok => {}
            RoleCheck::Missing | RoleCheck::NotAssumable => {
                return Err(invalid_value(
                    "The role defined for the function cannot be assumed by Lambda.",
                ));
            }
        }
        let conflict = || errors::function_exists(&name);
        if self.lookup(&name).is_some() {
            return Err(conflict());
        }
        let code_sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
        let code_size = zip.len();
        let package = zip.clone();
        let unpacked = tokio::task::spawn_blocking(move || CodeDir::unpack(&package))
            .await
            .map_err(|err| errors::service(err.to_string()))?;
        let code_dir = match unpacked {
            Ok(dir) => dir,
            Err(CodeError::NotAZip(reason)) => {
                tracing::debug!(service = "lambda", "cannot unzip the code: {reason}");
                return Err(invalid_value(
                    "Could not unzip uploaded file. Please check your file, then try to upload again.",
                ));
            }
            Err(CodeError::TooLarge) => {
                return Err(invalid_value(
                    "Unzipped size must be smaller than 262144000 bytes",
                ));
            }
            Err(CodeError::Io(err)) => {
                return Err(errors::service(format!("cannot unpack the code: {err}")));
            }
        };
        let config = FunctionConfig {
            runtime: runtime.to_owned(),
            role: role.to_owned(),
            handler: handler.to_owned(),
            description: description.to_owned(),
            timeout,
            memory_size,
            variables,
            architectures,
            code_size,
            code_sha256,
            last_modified: chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
                .to_string(),
            log_group,
            log_format: log_format.to_owned(),
            ephemeral_storage,
            tracing_mode: tracing_mode.to_owned(),
            tags,
        };
        let function = Arc::new(Function::new(
            name.clone(),
            self.function_arn(&name),
            config,
            code_dir,
            zip,
        ));
        {
            let mut functions = self.functions.write().unwrap_or_else(|p| p.into_inner());
            if functions.contains_key(&name) {
                return Err(conflict());
            }
            if self.stopped.load(std::sync::atomic::Ordering::Acquire) {
                return Err(errors::shutting_down());
            }
            self.journal
                .put(persist::CODE, &name, &function.code_record());
            self.journal.put(
                persist::FUNCTION,
                &name,
                &function.record(&function.policy()),
            );
            functions.insert(name, function.clone());
        }
        Ok(Reply::json(StatusCode::CREATED, &function.configuration()))
    }

    fn get_function(&self, name: &str, qualifier: Option<&str>) -> Outcome {
        let function = self.find(name, qualifier)?;
        let mut output = json!({
            "Configuration": function.configuration(),
            "Code": { "RepositoryType": "S3" },
        });
        if !function.config.tags.is_empty() {
            output["Tags"] = function.tags();
        }
        Ok(Reply::json(StatusCode::OK, &output))
    }

    fn get_function_configuration(&self, name: &str, qualifier: Option<&str>) -> Outcome {
        let function = self.find(name, qualifier)?;
        Ok(Reply::json(StatusCode::OK, &function.configuration()))
    }

    fn list_functions(&self, uri: &Uri) -> Outcome {
        let max_items = match query_param(uri, "MaxItems") {
            None => 50,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => {
                    return Err(validation(
                        "maxItems",
                        text,
                        "Member must have value between 1 and 10000",
                    ));
                }
            },
        };
        let marker = query_param(uri, "Marker");
        let mut functions: Vec<Arc<Function>> = self
            .functions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        let start = match &marker {
            Some(marker) => functions.partition_point(|f| f.name.as_str() <= marker.as_str()),
            None => 0,
        };
        let page: Vec<&Arc<Function>> = functions[start..].iter().take(max_items).collect();
        let mut output = json!({
            "Functions": page.iter().map(|f| f.configuration()).collect::<Vec<_>>(),
        });
        if start + page.len() < functions.len() {
            if let Some(last) = page.last() {
                output["NextMarker"] = json!(last.name);
            }
        }
        Ok(Reply::json(StatusCode::OK, &output))
    }

    async fn delete_function(&self, name: &str, qualifier: Option<&str>) -> Outcome {
        if qualifier == Some("$LATEST") {
            return Err(invalid_value(
                "$LATEST version cannot be deleted without deleting the function.",
            ));
        }
        let function = self.find(name, qualifier)?;
        let removed = {
            let mut functions = self.functions.write().unwrap_or_else(|p| p.into_inner());
            let removed = functions.remove(&function.name);
            if let Some(function) = &removed {
                function.mark_deleted(&self.journal);
            }
            removed
        };
        if let Some(function) = removed {
            // Answer only once the instances are gone and the code removed.
            function.shut_down().await;
        }
        Ok(Reply::empty(StatusCode::NO_CONTENT))
    }

    async fn invoke(
        self: &Arc<Self>,
        name: &str,
        qualifier: Option<&str>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Outcome {
        let function = self.find(name, qualifier)?;
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let invocation_type = header("x-amz-invocation-type").unwrap_or("RequestResponse");
        if !matches!(invocation_type, "RequestResponse" | "Event" | "DryRun") {
            return Err(validation(
                "invocationType",
                invocation_type,
                "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            ));
        }
        let log_type = header("x-amz-log-type").unwrap_or("None");
        if !matches!(log_type, "None" | "Tail") {
            return Err(validation(
                "logType",
                log_type,
                "Member must satisfy enum value set: [None, Tail]",
            ));
        }
        let client_context = match header("x-amz-client-context") {
            None => None,
            Some(encoded) => {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .filter(|text| serde_json::from_str::<Value>(text).is_ok())
                    .ok_or_else(|| {
                        bad_content("Client context must be a valid Base64-encoded JSON object.")
                    })?;
                Some(decoded)
            }
        };
        if body.len() > MAX_PAYLOAD {
            return Err(errors::payload_too_large(MAX_PAYLOAD));
        }
        let payload = if body.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            if let Err(err) = serde_json::from_slice::<Value>(&body) {
                return Err(bad_content(format!(
                    "Could not parse request body into json: Could not parse payload into json: {err}"
                )));
            }
            body
        };
        match invocation_type {
            "DryRun" => Ok(Reply::empty(StatusCode::NO_CONTENT)),
            "Event" => {
                if !function.is_active() {
                    return Err(errors::function_pending());
                }
                let lambda = self.clone();
                tokio::spawn(async move {
                    if let Err(err) = lambda
                        .invoke_function(&function, payload, false, None)
                        .await
                    {
                        tracing::info!(service = "lambda", "asynchronous invocation failed: {err}");
                    }
                });
                Ok(Reply::empty(StatusCode::ACCEPTED))
            }
            _ => {
                let output = self
                    .invoke_function(&function, payload, log_type == "Tail", client_context)
                    .await?;
                let mut reply = Reply {
                    status: StatusCode::OK,
                    body: output.payload,
                    headers: vec![("x-amz-executed-version", "$LATEST".to_owned())],
                };
                if output.function_error {
                    reply
                        .headers
                        .push(("x-amz-function-error", "Unhandled".to_owned()));
                }
                if let Some(log) = output.log {
                    reply.headers.push(("x-amz-log-result", log_result(&log)));
                }
                Ok(reply)
            }
        }
    }

    fn add_permission(&self, name: &str, qualifier: Option<&str>, body: &[u8]) -> Outcome {
        let function = self.find(name, qualifier)?;
        let request = crate::aws_json::parse_body(body).map_err(bad_content)?;
        let Some(fields) = request.as_object() else {
            return Err(bad_content(
                "Could not parse request body into json: the body must be an object",
            ));
        };
        let r = Body(fields);
        let sid = r.required("StatementId", "statementId")?;
        if sid.is_empty()
            || sid.len() > 100
            || !sid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(validation(
                "statementId",
                sid,
                "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
            ));
        }
        let action = r.required("Action", "action")?;
        let action_ok = action == "*"
            || action.strip_prefix("lambda:").is_some_and(|rest| {
                rest == "*" || (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic()))
            });
        if !action_ok {
            return Err(validation(
                "action",
                action,
                "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
            ));
        }
        let principal = r.required("Principal", "principal")?;
        if principal.is_empty() || principal.chars().any(char::is_whitespace) {
            return Err(validation(
                "principal",
                principal,
                "Member must satisfy regular expression pattern: [^\\s]+",
            ));
        }
        let source_arn = r.str("SourceArn")?;
        if let Some(arn) = source_arn {
            if !source_arn_pattern().is_match(arn) {
                return Err(validation(
                    "sourceArn",
                    arn,
                    "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)",
                ));
            }
        }
        let source_account = r.str("SourceAccount")?;
        if let Some(account) = source_account {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(validation(
                    "sourceAccount",
                    account,
                    "Member must satisfy regular expression pattern: \\d{12}",
                ));
            }
        }
        if let Some(revision) = r.str("RevisionId")? {
            if revision != function.revision_id() {
                return Err(errors::revision_mismatch());
            }
        }
        let grant = Grant {
            sid,
            action,
            principal,
            source_arn,
            source_account,
            principal_org_id: r.str("PrincipalOrgID")?,
            event_source_token: r.str("EventSourceToken")?,
            function_url_auth_type: r.str("FunctionUrlAuthType")?,
        };
        let statement = Statement::new(&grant, &function.arn);
        let text = statement.json.to_string();
        function
            .add_statement(statement, &self.journal)
            .map_err(|err| match err {
                AddStatementError::Exists => errors::statement_exists(sid),
                AddStatementError::Gone => errors::function_not_found(&function.arn),
            })?;
        Ok(Reply::json(
            StatusCode::CREATED,
            &json!({ "Statement": text }),
        ))
    }

    fn get_policy(&self, name: &str, qualifier: Option<&str>) -> Outcome {
        let function = self.find(name, qualifier)?;
        let statements = function.statements();
        if statements.is_empty() {
            return Err(errors::no_policy());
        }
        Ok(Reply::json(
            StatusCode::OK,
            &json!({
                "Policy": policy::document(&statements),
                "RevisionId": function.revision_id(),
            }),
        ))
    }

    fn remove_permission(
        &self,
        name: &str,
        sid: &str,
        qualifier: Option<&str>,
        uri: &Uri,
    ) -> Outcome {
        let function = self.find(name, qualifier)?;
        if let Some(revision) = query_param(uri, "RevisionId") {
            if revision != function.revision_id() {
                return Err(errors::revision_mismatch());
            }
        }
        if !function.remove_statement(sid, &self.journal) {
            return Err(errors::statement_not_found(sid));
        }
        Ok(Reply::empty(StatusCode::NO_CONTENT))
    }
}

/// Accepts the runtimes this emulator runs; names a Lambda runtime it
/// cannot run as such, and anything else as Lambda's validation error.
fn check_runtime(runtime: &str) -> Result<(), ServiceError> {
    if RUNNABLE_RUNTIMES.contains(&runtime) {
        return Ok(());
    }
    let lambda_runtime = [
        "nodejs", "python", "java", "dotnet", "ruby", "go1", "provided",
    ]
    .iter()
    .any(|family| runtime.starts_with(family));
    if lambda_runtime {
        return Err(invalid_value(format!(
            "The runtime parameter of {runtime} is not supported by this emulator: it runs provided.al2023 and provided.al2 functions (a bootstrap executable)."
        )));
    }
    Err(validation(
        "runtime",
        runtime,
        "Member must satisfy enum value set: [provided.al2023, provided.al2, nodejs22.x, python3.13, java21, dotnet8, ruby3.3]",
    ))
}

/// Checks a function's environment variables as Lambda does.
fn check_variables(
    variables: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ServiceError> {
    for key in variables.keys() {
        let mut chars = key.chars();
        let valid = key.len() >= 2
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(errors::invalid_variable_name(key));
        }
    }
    let reserved: Vec<&str> = variables
        .keys()
        .map(String::as_str)
        .filter(|k| RESERVED_VARIABLES.contains(k))
        .collect();
    if !reserved.is_empty() {
        return Err(invalid_value(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let measured = json!(variables).to_string();
    if measured.len() > 4096 {
        return Err(invalid_value(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )));
    }
    Ok(variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%3Ab"), "a:b");
        assert_eq!(percent_decode("%24LATEST"), "$LATEST");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn runtimes() {
        assert!(check_runtime("provided.al2023").is_ok());
        assert!(check_runtime("provided.al2").is_ok());
        assert_eq!(
            check_runtime("python3.12").unwrap_err().code,
            "InvalidParameterValueException"
        );
        assert_eq!(
            check_runtime("cobol85").unwrap_err().code,
            "ValidationException"
        );
    }

    #[test]
    fn environment_rules() {
        let vars = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        assert!(check_variables(vars(&[("TABLE", "t")])).is_ok());
        let reserved = check_variables(vars(&[("AWS_REGION", "x")])).unwrap_err();
        assert!(
            reserved
                .message
                .ends_with("Reserved keys used in this request: AWS_REGION")
        );
        assert_eq!(
            check_variables(vars(&[("1BAD", "x")])).unwrap_err().code,
            "ValidationException"
        );
        let big = "v".repeat(5000);
        assert_eq!(
            check_variables(vars(&[("BIG", &big)])).unwrap_err().code,
            "InvalidParameterValueException"
        );
    }

    #[test]
    fn names() {
        assert!(valid_name("my-function_1"));
        assert!(!valid_name(""));
        assert!(!valid_name("has space"));
        assert!(!valid_name(&"x".repeat(65)));
    }
}
