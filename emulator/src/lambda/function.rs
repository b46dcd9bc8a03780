//! One function: its configuration as GetFunctionConfiguration reports it,
//! its unpacked code, its resource policy and its execution environments.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::code::CodeDir;
use super::instance::{Instance, Launch};
use super::persist;
use super::policy::Statement;
use crate::persist::Journal;

/// How long a new function stays `Pending` (so `function_active_v2` has
/// something to wait for, as with Lambda).
pub(crate) const PENDING_FOR: Duration = Duration::from_millis(400);

/// The settings CreateFunction stored (and, as they are, the bulk of the
/// function's stored record: see `persist`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionConfig {
    pub runtime: String,
    pub role: String,
    pub handler: String,
    #[serde(default)]
    pub description: String,
    pub timeout: i64,
    pub memory_size: i64,
    /// `None` when the request had no `Environment`.
    #[serde(default)]
    pub variables: Option<BTreeMap<String, String>>,
    #[serde(default = "default_architectures")]
    pub architectures: Vec<String>,
    pub code_size: usize,
    pub code_sha256: String,
    pub last_modified: String,
    pub log_group: String,
    #[serde(default = "default_log_format")]
    pub log_format: String,
    #[serde(default = "default_ephemeral_storage")]
    pub ephemeral_storage: i64,
    #[serde(default = "default_tracing_mode")]
    pub tracing_mode: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

fn default_architectures() -> Vec<String> {
    vec!["x86_64".to_owned()]
}

fn default_log_format() -> String {
    "Text".to_owned()
}

fn default_ephemeral_storage() -> i64 {
    512
}

fn default_tracing_mode() -> String {
    "PassThrough".to_owned()
}

/// The resource policy and what changes with it.
pub(crate) struct Policy {
    pub revision: String,
    pub statements: Vec<Statement>,
    /// Set (under this lock) when the function is deleted, so that a
    /// permission change racing the deletion neither applies nor writes the
    /// function's record again.
    pub deleted: bool,
}

/// Why [`Function::add_statement`] refused.
pub(crate) enum AddStatementError {
    /// The statement id is taken.
    Exists,
    /// The function was deleted meanwhile.
    Gone,
}

#[derive(Default)]
struct Instances {
    /// Every live instance (idle or busy).
    all: Vec<Arc<Instance>>,
    /// Instances waiting for an event, most recently used last.
    idle: Vec<Arc<Instance>>,
    /// Set when the function is deleted or the emulator stops: no new instances.
    closed: bool,
}

/// A function of one emulator.
pub(crate) struct Function {
    pub name: String,
    pub arn: String,
    pub config: FunctionConfig,
    created: Instant,
    policy: Mutex<Policy>,
    code: CodeDir,
    /// The deployment package as uploaded (kept for the state folder and
    /// export: it is what a restart unpacks again).
    pub zip: Bytes,
    instances: Mutex<Instances>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn new_revision() -> String {
    crate::new_uuid().to_string()
}

impl Function {
    /// A function just created: `Pending` for a moment.
    pub fn new(
        name: String,
        arn: String,
        config: FunctionConfig,
        code: CodeDir,
        zip: Bytes,
    ) -> Self {
        Function {
            name,
            arn,
            config,
            created: Instant::now(),
            policy: Mutex::new(Policy {
                revision: new_revision(),
                statements: Vec::new(),
                deleted: false,
            }),
            code,
            zip,
            instances: Mutex::new(Instances::default()),
        }
    }

    /// A function read back from a state folder: `Active` at once.
    pub fn restored(
        name: String,
        arn: String,
        config: FunctionConfig,
        code: CodeDir,
        zip: Bytes,
        revision: String,
        statements: Vec<Statement>,
    ) -> Self {
        let mut function = Function::new(name, arn, config, code, zip);
        function.created = Instant::now()
            .checked_sub(PENDING_FOR)
            .unwrap_or(function.created);
        let policy = function.policy.get_mut().unwrap_or_else(|p| p.into_inner());
        policy.revision = revision;
        policy.statements = statements;
        function
    }

    /// The function's policy and revision, locked (for its stored record).
    pub fn policy(&self) -> MutexGuard<'_, Policy> {
        lock(&self.policy)
    }

    /// Marks the function deleted and reports it gone (its record and its
    /// code), under the policy lock: see [`Policy::deleted`].
    pub fn mark_deleted(&self, journal: &Journal) {
        let mut policy = lock(&self.policy);
        policy.deleted = true;
        journal.delete(persist::FUNCTION, &self.name);
        journal.delete(persist::CODE, &self.name);
    }

    /// `Pending` for a moment after creation, then `Active`.
    pub fn is_active(&self) -> bool {
        self.created.elapsed() >= PENDING_FOR
    }

    pub fn revision_id(&self) -> String {
        lock(&self.policy).revision.clone()
    }

    /// The `FunctionConfiguration` structure.
    pub fn configuration(&self) -> Value {
        let c = &self.config;
        let mut out = json!({
            "FunctionName": self.name,
            "FunctionArn": self.arn,
            "Runtime": c.runtime,
            "Role": c.role,
            "Handler": c.handler,
            "CodeSize": c.code_size,
            "Description": c.description,
            "Timeout": c.timeout,
            "MemorySize": c.memory_size,
            "LastModified": c.last_modified,
            "CodeSha256": c.code_sha256,
            "Version": "$LATEST",
            "TracingConfig": { "Mode": c.tracing_mode },
            "RevisionId": self.revision_id(),
            "PackageType": "Zip",
            "Architectures": c.architectures,
            "EphemeralStorage": { "Size": c.ephemeral_storage },
            "SnapStart": { "ApplyOn": "None", "OptimizationStatus": "Off" },
            "LoggingConfig": { "LogFormat": c.log_format, "LogGroup": c.log_group },
        });
        if let Some(variables) = &c.variables {
            out["Environment"] = json!({ "Variables": variables });
        }
        if self.is_active() {
            out["State"] = json!("Active");
            out["LastUpdateStatus"] = json!("Successful");
        } else {
            out["State"] = json!("Pending");
            out["StateReason"] = json!("The function is being created.");
            out["StateReasonCode"] = json!("Creating");
        }
        out
    }

    /// What an instance of this function is started with.
    pub fn launch(&self, region: &str, endpoint: &str) -> Launch {
        Launch {
            function_name: self.name.clone(),
            runtime: self.config.runtime.clone(),
            function_arn: self.arn.clone(),
            handler: self.config.handler.clone(),
            memory_mb: self.config.memory_size,
            timeout: Duration::from_secs(self.config.timeout.max(1) as u64),
            region: region.to_owned(),
            endpoint: endpoint.to_owned(),
            log_group: self.config.log_group.clone(),
            code_dir: self.code.path().to_path_buf(),
            variables: self
                .config
                .variables
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// A warm instance, if one is waiting.
    pub fn take_idle(&self) -> Option<Arc<Instance>> {
        let mut instances = lock(&self.instances);
        while let Some(instance) = instances.idle.pop() {
            if instance.is_alive() {
                return Some(instance);
            }
        }
        None
    }

    /// How many instances are alive.
    pub fn live_instances(&self) -> usize {
        let mut instances = lock(&self.instances);
        instances.all.retain(|i| i.is_alive());
        instances.all.len()
    }

    /// Adds a new instance; `false` (and the caller kills it) once the
    /// function is closed.
    pub fn register(&self, instance: &Arc<Instance>) -> bool {
        let mut instances = lock(&self.instances);
        if instances.closed {
            return false;
        }
        instances.all.retain(|i| i.is_alive());
        instances.all.push(instance.clone());
        true
    }

    /// Puts an instance that finished an event back in the warm pool.
    pub fn release(&self, instance: Arc<Instance>) {
        let mut instances = lock(&self.instances);
        if !instances.closed && instance.is_alive() {
            instances.idle.push(instance);
        }
    }

    /// Closes the function to new instances and returns the live ones (to kill).
    pub fn close(&self) -> Vec<Arc<Instance>> {
        let mut instances = lock(&self.instances);
        instances.closed = true;
        instances.idle.clear();
        std::mem::take(&mut instances.all)
    }

    /// Kills every instance, waits until they are gone, and removes the code.
    pub async fn shut_down(&self) {
        for instance in self.close() {
            instance.kill_and_wait().await;
        }
        self.code.remove();
    }

    /// Kills every instance without waiting and removes the code (for `Drop`).
    pub fn shut_down_now(&self) {
        for instance in self.close() {
            instance.kill_now();
        }
        self.code.remove();
    }

    /// Adds a statement and reports the function's new record to `journal`.
    pub fn add_statement(
        &self,
        statement: Statement,
        journal: &Journal,
    ) -> Result<String, AddStatementError> {
        let mut policy = lock(&self.policy);
        if policy.deleted {
            return Err(AddStatementError::Gone);
        }
        if policy.statements.iter().any(|s| s.sid == statement.sid) {
            return Err(AddStatementError::Exists);
        }
        policy.statements.push(statement);
        policy.revision = new_revision();
        journal.put(persist::FUNCTION, &self.name, &self.record(&policy));
        Ok(policy.revision.clone())
    }

    /// Removes a statement and reports the function's new record to
    /// `journal`; `false` if there is none with this id (or the function
    /// was deleted meanwhile).
    pub fn remove_statement(&self, sid: &str, journal: &Journal) -> bool {
        let mut policy = lock(&self.policy);
        let before = policy.statements.len();
        if policy.deleted {
            return false;
        }
        policy.statements.retain(|s| s.sid != sid);
        if policy.statements.len() == before {
            return false;
        }
        policy.revision = new_revision();
        journal.put(persist::FUNCTION, &self.name, &self.record(&policy));
        true
    }

    /// The function's stored record, given its (locked) policy.
    pub fn record<'a>(&'a self, policy: &'a Policy) -> persist::FunctionRecord<'a> {
        persist::FunctionRecord {
            function_name: &self.name,
            config: &self.config,
            revision_id: &policy.revision,
            policy: &policy.statements,
        }
    }

    /// The policy statements.
    pub fn statements(&self) -> Vec<Statement> {
        lock(&self.policy).statements.clone()
    }

    /// Whether the resource policy lets service `principal` invoke the
    /// function for `source_arn`.
    pub fn allows_service(&self, principal: &str, source_arn: &str) -> bool {
        let account = source_arn.split(':').nth(4).unwrap_or_default();
        lock(&self.policy)
            .statements
            .iter()
            .any(|s| s.allows_service(principal, source_arn, account))
    }

    /// Tags as GetFunction reports them.
    pub fn tags(&self) -> Value {
        Value::Object(
            self.config
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect::<Map<String, Value>>(),
        )
    }
}
