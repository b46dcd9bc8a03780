//! What the pools-triggers scenario tests share: the `Label: value` lines a
//! scenario prints for what it created, the check that all of it is gone,
//! and the check that no function process (`bootstrap`) is left behind.
//! The scenarios' functions run as children of this test process, so a
//! test that counts them holds `FUNCTION_PROCESSES` for writing.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use integration_tests::{Run, Target};

/// What the scenario said it created, read from its `Label: value` lines.
#[derive(Debug)]
pub struct Resources {
    pub table_name: String,
    pub role_name: String,
    pub function_name: String,
    pub user_pool_id: String,
    pub log_group: String,
}

impl Resources {
    pub fn from_output(stdout: &str) -> Self {
        let value = |label: &str| {
            let prefix = format!("{label}: ");
            stdout
                .lines()
                .find_map(|line| line.trim_start().strip_prefix(&prefix))
                .map(|value| value.trim().to_string())
                .unwrap_or_else(|| panic!("no `{label}:` line in\n{stdout}"))
        };
        Resources {
            table_name: value("Table name"),
            role_name: value("Role name"),
            function_name: value("Function name"),
            user_pool_id: value("User pool id"),
            // A run that stopped before it read the function's log printed
            // no `Log group:` line; the group's name is Lambda's convention.
            log_group: stdout
                .lines()
                .find_map(|line| line.trim_start().strip_prefix("Log group: "))
                .map_or_else(
                    || format!("/aws/lambda/{}", value("Function name")),
                    |group| group.trim().to_string(),
                ),
        }
    }
}

/// Checks through the SDKs that nothing the scenario created is left.
pub async fn assert_all_removed(target: &Target, created: &Resources) {
    let config = target.sdk_config().await;
    let gone =
        |answer: Result<(), (Option<String>, String)>, expected: &str, what: &str| match answer {
            Ok(()) => panic!("{what} is still there"),
            Err((code, err)) => assert_eq!(code.as_deref(), Some(expected), "{what}: {err}"),
        };

    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table = dynamodb
        .describe_table()
        .table_name(&created.table_name)
        .send()
        .await;
    gone(
        table
            .map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the table",
    );

    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam.get_role().role_name(&created.role_name).send().await;
    gone(
        role.map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "NoSuchEntity",
        "the role",
    );

    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda
        .get_function()
        .function_name(&created.function_name)
        .send()
        .await;
    gone(
        function
            .map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the function",
    );

    let cognito = target.client().await;
    let pool = cognito
        .describe_user_pool()
        .user_pool_id(&created.user_pool_id)
        .send()
        .await;
    gone(
        pool.map(drop)
            .map_err(|e| (e.code().map(str::to_string), format!("{e:?}"))),
        "ResourceNotFoundException",
        "the user pool",
    );

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix(&created.log_group)
        .send()
        .await
        .expect("DescribeLogGroups");
    assert!(
        groups
            .log_groups()
            .iter()
            .all(|group| group.log_group_name() != Some(created.log_group.as_str())),
        "the log group is still there: {groups:?}"
    );
}

/// Processes named `bootstrap` (the handler, as Lambda names it) that
/// descend from this test process, zombies included: the emulator runs in
/// this process, so the functions it starts are its children.
pub fn bootstrap_processes() -> Vec<String> {
    let mut parents = HashMap::new();
    let mut named = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let mut rest = stat[close + 1..].split_whitespace();
        let state = rest.next().unwrap_or("?").to_string();
        let Some(ppid) = rest.next().and_then(|ppid| ppid.parse::<u32>().ok()) else {
            continue;
        };
        parents.insert(pid, ppid);
        if comm == "bootstrap" {
            named.push((pid, state));
        }
    }
    let me = std::process::id();
    named
        .into_iter()
        .filter(|(pid, _)| {
            let mut current = *pid;
            while let Some(&parent) = parents.get(&current) {
                if parent == me {
                    return true;
                }
                if parent <= 1 || parent == current {
                    break;
                }
                current = parent;
            }
            false
        })
        .map(|(pid, state)| format!("pid {pid} state {state}"))
        .collect()
}

/// No `bootstrap` is left under this process. The emulator's DeleteFunction
/// answers only once the function's processes have exited and been reaped,
/// so after the scenario deleted its function there is nothing to wait for.
pub fn assert_no_bootstrap_left() {
    let left = bootstrap_processes();
    assert!(left.is_empty(), "bootstrap processes left behind: {left:?}");
}

/// The lines the scenario printed under step `step` of `steps`, up to the next step.
pub fn step(run: &Run, step: u8, steps: u8) -> String {
    let start = format!("[{step}/{steps}]");
    let Some(at) = run.stdout.find(&start) else {
        panic!("no step {start} in\n{}", run.stdout);
    };
    let rest = &run.stdout[at + start.len()..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_string()
}
