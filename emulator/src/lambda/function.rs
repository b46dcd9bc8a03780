//! One function: its configuration as GetFunctionConfiguration reports it,
//! its unpacked code, its resource policy and its execution environments.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::code::CodeDir;
use super::instance::{Instance, Launch};
use super::policy::Statement;

/// How long a new function stays `Pending` (so `function_active_v2` has
/// something to wait for, as with Lambda).
pub(crate) const PENDING_FOR: Duration = Duration::from_millis(400);

/// The settings CreateFunction stored.
#[derive(Debug, Clone)]
pub(crate) struct FunctionConfig {
    pub runtime: String,
    pub role: String,
    pub handler: String,
    pub description: String,
    pub timeout: i64,
    pub memory_size: i64,
    /// `None` when the request had no `Environment`.
    pub variables: Option<BTreeMap<String, String>>,
    pub architectures: Vec<String>,
    pub code_size: usize,
    pub code_sha256: String,
    pub last_modified: String,
    pub log_group: String,
    pub log_format: String,
    pub ephemeral_storage: i64,
    pub tracing_mode: String,
    pub tags: BTreeMap<String, String>,
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
    revision: Mutex<String>,
    policy: Mutex<Vec<Statement>>,
    code: CodeDir,
    instances: Mutex<Instances>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn new_revision() -> String {
    crate::new_uuid().to_string()
}

impl Function {
    pub fn new(name: String, arn: String, config: FunctionConfig, code: CodeDir) -> Self {
        Function {
            name,
            arn,
            config,
            created: Instant::now(),
            revision: Mutex::new(new_revision()),
            policy: Mutex::new(Vec::new()),
            code,
            instances: Mutex::new(Instances::default()),
        }
    }

    /// `Pending` for a moment after creation, then `Active`.
    pub fn is_active(&self) -> bool {
        self.created.elapsed() >= PENDING_FOR
    }

    pub fn revision_id(&self) -> String {
        lock(&self.revision).clone()
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

    /// Adds a statement; `Err(())` if its id is taken.
    pub fn add_statement(&self, statement: Statement) -> Result<String, ()> {
        let mut policy = lock(&self.policy);
        if policy.iter().any(|s| s.sid == statement.sid) {
            return Err(());
        }
        policy.push(statement);
        let revision = new_revision();
        *lock(&self.revision) = revision.clone();
        Ok(revision)
    }

    /// Removes a statement; `false` if there is none with this id.
    pub fn remove_statement(&self, sid: &str) -> bool {
        let mut policy = lock(&self.policy);
        let before = policy.len();
        policy.retain(|s| s.sid != sid);
        if policy.len() == before {
            return false;
        }
        *lock(&self.revision) = new_revision();
        true
    }

    /// The policy statements.
    pub fn statements(&self) -> Vec<Statement> {
        lock(&self.policy).clone()
    }

    /// Whether the resource policy lets service `principal` invoke the
    /// function for `source_arn`.
    pub fn allows_service(&self, principal: &str, source_arn: &str) -> bool {
        let account = source_arn.split(':').nth(4).unwrap_or_default();
        lock(&self.policy)
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
