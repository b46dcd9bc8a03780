//! The ten steps of the scenario, in the order they run. The Cognito calls
//! are the single-action examples' functions; the DynamoDB calls are this
//! crate's own (`src/lib.rs`); deploying the function and removing
//! everything are the `trigger-deployment` crate's steps. What this file
//! adds is the order, the questions, and what to do when something fails.

use std::future::Future;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use auto_confirm::known_users::{self, KnownUser};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::Architecture;
use example_cli::{ExampleError, shorten};
use trigger_deployment::cleanup::Created;
use trigger_deployment::function::{NewFunction, TABLE_NAME_VARIABLE};
use trigger_deployment::input::{check_email, made_up_password};
use trigger_deployment::role;
use trigger_deployment::steps::{
    self, Clients, LogQuery, NewRole, Pool, ROLE_ATTEMPTS, ROLE_PAUSE, Trigger, ZipSource,
    role_not_in_effect_yet,
};

use example_cli::scenario::{self, Interrupt, Prompter, Stop};

use crate::Args;

/// The people in the table: the function confirms them without a code.
const KNOWN_USERS: [(&str, &str); 3] = [
    ("alice", "alice@example.com"),
    ("bob", "bob@example.com"),
    ("carol", "carol@example.com"),
];
/// Someone who is not in the table (step 8), unless `--other-username`.
pub const OTHER_USERNAME: &str = "dave";
/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "auto-confirm";
/// The function's package: the scenario builds (or finds) its zip.
const HANDLER_PACKAGE: &str = "auto-confirm-handler";
/// The name of the role's one inline policy.
const POLICY_NAME: &str = "read-known-users-and-write-logs";
/// Shown under the password question.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
const STEPS: u8 = 10;

/// The known user with this username, if there is one.
pub fn known_user(username: &str) -> Option<KnownUser> {
    KNOWN_USERS
        .iter()
        .find(|(name, _)| *name == username)
        .map(|(name, email)| KnownUser::new(name, email))
}

/// Every known username, in the table's order.
pub fn known_usernames() -> Vec<&'static str> {
    KNOWN_USERS.iter().map(|(name, _)| *name).collect()
}

/// Runs the scenario, cleans up, and says how it went.
pub async fn run(clients: Clients, args: Args) -> ExitCode {
    let interrupt = Interrupt::listen();
    let prompter = (!args.non_interactive).then(|| Prompter::new(interrupt.clone()));
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let mut scenario = Scenario {
        clients,
        args,
        interrupt,
        prompter,
        offline: steps::offline(),
        name: format!("auto-confirm-{suffix}"),
        started_at_ms: now_ms(),
        created: Created::default(),
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up().await;
    scenario::exit_code(outcome, cleaned_up)
}

/// A user the scenario signed up.
struct SignedUp {
    username: String,
    password: String,
    confirmed: bool,
}

struct Scenario {
    clients: Clients,
    args: Args,
    interrupt: Interrupt,
    /// The person at the terminal; `None` with `--non-interactive`.
    prompter: Option<Prompter>,
    /// Whether `AWS_ENDPOINT_URL` sends every call to an emulator.
    offline: bool,
    /// The name of everything the scenario creates: new for every run, so an
    /// interrupted run never gets in the way of the next.
    name: String,
    /// Log lines older than this are not the scenario's.
    started_at_ms: i64,
    /// What to remove at the end.
    created: Created,
}

impl Scenario {
    async fn steps(&mut self) -> Result<(), Stop> {
        println!("The function's code");
        let (zip, architecture) = self.handler_zip().await?;

        heading(1, "A DynamoDB table of known users");
        let table_arn = self.table().await?;

        heading(
            2,
            "An IAM role for the function: read that table, write its logs",
        );
        let role_arn = self.role(&table_arn).await?;

        heading(3, "The Lambda function");
        let function_arn = self.function(&role_arn, &zip, architecture).await?;
        drop(zip);

        heading(4, "A user pool that calls the function before each sign-up");
        let pool = self.pool(&function_arn).await?;

        heading(5, "A known user signs up");
        let user = self.sign_up_known_user(&pool).await?;

        heading(6, "What the function logged");
        self.show_function_log(&user.username, true).await?;
        if !user.confirmed {
            return Err(ExampleError::new(format!(
                "The function did not confirm {}: see its log lines above.",
                user.username
            ))
            .into());
        }

        heading(7, "Sign in");
        let access_token = self.sign_in(&pool, &user).await?;

        heading(8, "Someone who is not in the table signs up");
        self.sign_up_someone_else(&pool).await?;

        heading(9, "Delete the signed-in user");
        self.delete_signed_in_user(&user, &access_token).await
    }

    /// Before anything is created: the zip that step 3 uploads.
    async fn handler_zip(&self) -> Result<(Vec<u8>, Architecture), Stop> {
        let source = ZipSource {
            package: HANDLER_PACKAGE,
            zip: self.args.zip.as_deref(),
            build_handler: self.args.build_handler,
            offline: self.offline,
        };
        steps::handler_zip(source, &self.interrupt).await
    }

    /// Step 1: the table, active, with the known users in it. Returns its ARN.
    async fn table(&mut self) -> Result<String, Stop> {
        let table_name = self.name.clone();
        // CreateTable is not abandoned on Ctrl-C: its answer says what to delete.
        let created = known_users::create_table(&self.clients.dynamodb, &table_name).await?;
        let table_arn = steps::table_created(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &table_name,
            &created,
        )
        .await?;

        let users: Vec<KnownUser> = KNOWN_USERS
            .iter()
            .map(|(name, email)| KnownUser::new(name, email))
            .collect();
        let left = self
            .call(known_users::put_known_users(
                &self.clients.dynamodb,
                &table_name,
                &users,
                5,
            ))
            .await?;
        if left > 0 {
            return Err(ExampleError::new(format!(
                "DynamoDB did not take {left} of the known users (UnprocessedItems); try again later."
            ))
            .into());
        }
        println!("Known users (UserName, UserEmail):");
        for user in &users {
            println!("  {:<8} {}", user.username, user.email);
        }
        Ok(table_arn)
    }

    /// Step 2: the execution role and its one inline policy. Returns its ARN.
    async fn role(&mut self, table_arn: &str) -> Result<String, Stop> {
        let new_role = NewRole {
            role_name: &self.name,
            description: "Execution role of the auto-confirm example's PreSignUp function",
            policy_name: POLICY_NAME,
            statements: vec![role::allow(
                "ReadKnownUsers",
                &["dynamodb:GetItem"],
                table_arn,
            )],
            function_name: &self.name,
            arn_in_account: table_arn,
        };
        steps::role(&self.clients, &self.interrupt, &mut self.created, new_role).await
    }

    /// Step 3: the function, active. Returns its ARN.
    async fn function(
        &mut self,
        role_arn: &str,
        zip: &[u8],
        architecture: Architecture,
    ) -> Result<String, Stop> {
        let new_function = NewFunction {
            function_name: &self.name,
            role_arn,
            zip,
            architecture,
            environment: &[(TABLE_NAME_VARIABLE, &self.name)],
            description: "PreSignUp trigger of the auto-confirm example: confirms known users",
        };
        steps::function(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &new_function,
        )
        .await
    }

    /// Step 4: the pool and app client; Cognito may invoke the function for
    /// this pool, and does before each sign-up.
    async fn pool(&mut self, function_arn: &str) -> Result<Pool, Stop> {
        steps::pool_with_trigger(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &self.name,
            CLIENT_NAME,
            Trigger::PreSignUp,
            (&self.name, function_arn),
        )
        .await
    }

    /// Step 5: pick a known user, check they are not in the pool yet, sign
    /// them up: the function confirms them.
    async fn sign_up_known_user(&self, pool: &Pool) -> Result<SignedUp, Stop> {
        let user = match (&self.args.user, &self.prompter) {
            (Some(username), _) => known_user(username)
                .ok_or_else(|| ExampleError::new(format!("{username} is not a known user.")))?,
            (None, Some(prompter)) => {
                let options = KNOWN_USERS
                    .iter()
                    .map(|(name, email)| format!("{name} ({email})"))
                    .collect();
                let index = prompter
                    .select(
                        "Which known user signs up?",
                        options,
                        "The function finds them in the table and confirms them",
                    )
                    .await?;
                let (name, email) = KNOWN_USERS[index];
                KnownUser::new(name, email)
            }
            (None, None) => KnownUser::new(KNOWN_USERS[0].0, KNOWN_USERS[0].1),
        };
        println!("Username: {}", user.username);
        println!("Email: {}", user.email);

        let existing = self
            .interrupt
            .race(admin_get_user::admin_get_user(
                &self.clients.cognito,
                &pool.user_pool_id,
                &user.username,
            ))
            .await?;
        match existing {
            Err(err) if err.code() == Some("UserNotFoundException") => {
                println!("{} is not in the pool yet.", user.username);
            }
            Ok(_) => {
                return Err(ExampleError::new(format!(
                    "{} is already in the pool: nothing to sign up.",
                    user.username
                ))
                .into());
            }
            Err(err) => return Err(err.into()),
        }

        let mut password = match (&self.args.password, &self.prompter) {
            (Some(password), _) => password.clone(),
            (None, Some(prompter)) => prompter.password(PASSWORD_HELP).await?,
            (None, None) => {
                println!(
                    "Password: made up for this run and not shown (give --password to choose one)."
                );
                made_up_password()
            }
        };
        let mut denied_so_far = 0;
        loop {
            // SignUp is not abandoned on Ctrl-C: its answer says whether
            // there is a user (it goes with the pool in any case).
            let answer = sign_up::sign_up(
                &self.clients.cognito,
                &sign_up::NewUser {
                    client_id: &pool.client_id,
                    username: &user.username,
                    password: &password,
                    email: &user.email,
                    client_secret: None,
                },
            )
            .await;
            self.interrupt.check()?;
            let err = match answer {
                Ok(output) => {
                    println!("Signed up {}.", user.username);
                    println!("Confirmed: {}", output.user_confirmed());
                    match output.code_delivery_details() {
                        None => println!("No confirmation code was sent."),
                        Some(sent) => println!(
                            "A confirmation code was sent by {} to {}.",
                            sent.delivery_medium().map_or("(unknown)", |m| m.as_str()),
                            sent.destination().unwrap_or("(unknown)")
                        ),
                    }
                    self.show_user(pool, &user.username).await?;
                    return Ok(SignedUp {
                        username: user.username,
                        password,
                        confirmed: output.user_confirmed(),
                    });
                }
                Err(err) => ExampleError::from(err),
            };
            match (&self.prompter, err.code()) {
                // A refused sign-up creates no user, so it can be tried again.
                _ if role_not_in_effect_yet(&err) && denied_so_far < ROLE_ATTEMPTS => {
                    denied_so_far += 1;
                    println!(
                        "The function was denied access to the table: IAM takes a few seconds \
                         to apply a new role's policy. Trying again in {} s.",
                        ROLE_PAUSE.as_secs()
                    );
                    self.interrupt.race(tokio::time::sleep(ROLE_PAUSE)).await?;
                }
                // The function failed (or Cognito could not invoke it): what
                // it logged says why.
                (_, Some("UserLambdaValidationException")) => {
                    println!("Cognito refused the sign-up: the function failed.");
                    self.show_function_log(&user.username, false).await?;
                    return Err(err.into());
                }
                (Some(prompter), Some("InvalidPasswordException")) => {
                    println!("{err}");
                    password = prompter.password(PASSWORD_HELP).await?;
                }
                _ => return Err(err.into()),
            }
        }
    }

    /// Step 6 (and 8): the function's log lines about `username`'s sign-up.
    /// With `whole`, it also waits for Lambda's `REPORT` line that closes
    /// the invocation.
    async fn show_function_log(&self, username: &str, whole: bool) -> Result<(), Stop> {
        let query = LogQuery {
            function_name: &self.name,
            since_ms: self.started_at_ms - 60_000,
            decision: &format!("Sign-up of {username}:"),
            times: 1,
            about: username,
            whole,
        };
        steps::show_function_log(&self.clients, &self.interrupt, query).await
    }

    /// Step 7: sign in with the password; show the start of the access token.
    async fn sign_in(&self, pool: &Pool, user: &SignedUp) -> Result<String, Stop> {
        let answer = self
            .call(initiate_auth::initiate_auth(
                &self.clients.cognito,
                &pool.client_id,
                &user.username,
                &user.password,
                None,
            ))
            .await?;
        let Some(access_token) = answer
            .authentication_result()
            .and_then(|tokens| tokens.access_token())
        else {
            return Err(ExampleError::new(format!(
                "Cognito answered {} instead of tokens.",
                answer.challenge_name().map_or("nothing", |c| c.as_str())
            ))
            .into());
        };
        println!(
            "Signed in as {} (USER_PASSWORD_AUTH): no confirmation code was ever needed.",
            user.username
        );
        let shown = if self.args.show_tokens {
            access_token.to_string()
        } else {
            shorten(access_token)
        };
        println!("Access token: {shown}");
        Ok(access_token.to_string())
    }

    /// Step 8: someone not in the table signs up: the function finds no
    /// one, so Cognito sends a code and the user stays unconfirmed.
    async fn sign_up_someone_else(&self, pool: &Pool) -> Result<(), Stop> {
        let username = self.args.other_username.clone();
        let email = match (&self.args.other_email, &self.prompter) {
            (Some(email), _) => email.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        &format!("Email address of {username}, who is not in the table:"),
                        Some(format!("{username}@example.com")),
                        "Cognito sends the confirmation code there",
                        check_email,
                    )
                    .await?
            }
            (None, None) => format!("{username}@example.com"),
        };
        println!("Username: {username}");
        println!("Email: {email}");
        // The password is never used again: made up and not shown.
        let output = sign_up::sign_up(
            &self.clients.cognito,
            &sign_up::NewUser {
                client_id: &pool.client_id,
                username: &username,
                password: &made_up_password(),
                email: &email,
                client_secret: None,
            },
        )
        .await?;
        self.interrupt.check()?;
        println!("Signed up {username}.");
        println!("Confirmed: {}", output.user_confirmed());
        match output.code_delivery_details() {
            Some(sent) => println!(
                "A confirmation code was sent by {} to {}: {username} must type it in (ConfirmSignUp).",
                sent.delivery_medium().map_or("(unknown)", |m| m.as_str()),
                sent.destination().unwrap_or("(unknown)")
            ),
            None => println!("No confirmation code was sent."),
        }
        self.show_user(pool, &username).await?;
        self.show_function_log(&username, true).await?;
        if output.user_confirmed() {
            return Err(ExampleError::new(format!(
                "The function confirmed {username}, who is not in the table."
            ))
            .into());
        }
        Ok(())
    }

    /// Step 9: the signed-in user deletes themself (DeleteUser with their
    /// access token), if the person agrees.
    async fn delete_signed_in_user(&self, user: &SignedUp, access_token: &str) -> Result<(), Stop> {
        if let Some(prompter) = &self.prompter {
            let question = format!(
                "Delete {} with their own access token (DeleteUser)?",
                user.username
            );
            if !prompter.confirm(&question, true).await? {
                println!("{} stays (until the pool is deleted).", user.username);
                return Ok(());
            }
        }
        self.call(delete_user::delete_user(
            &self.clients.cognito,
            access_token,
        ))
        .await?;
        println!("Deleted {}: the user deleted themself.", user.username);
        Ok(())
    }

    /// AdminGetUser: the user's status and whether their email is verified.
    async fn show_user(&self, pool: &Pool, username: &str) -> Result<(), Stop> {
        let user = self
            .call(admin_get_user::admin_get_user(
                &self.clients.cognito,
                &pool.user_pool_id,
                username,
            ))
            .await?;
        println!(
            "User status: {}",
            user.user_status()
                .map_or("(unknown)", |status| status.as_str())
        );
        println!(
            "Email verified: {}",
            admin_get_user::attribute(&user, "email_verified").unwrap_or("false")
        );
        Ok(())
    }

    /// Step 10: remove what the scenario created, unless `--keep`. Returns
    /// whether everything went.
    async fn clean_up(&self) -> bool {
        steps::clean_up(&self.clients, &self.created, self.args.keep, || {
            heading(STEPS, "Remove everything the scenario created")
        })
        .await
    }

    /// Runs one SDK call, unless Ctrl-C comes first.
    async fn call<T, E>(&self, call: impl Future<Output = Result<T, E>>) -> Result<T, Stop>
    where
        Stop: From<E>,
    {
        Ok(self.interrupt.race(call).await??)
    }
}

fn heading(step: u8, title: &str) {
    println!("\n[{step}/{STEPS}] {title}");
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
    use aws_sdk_dynamodb::operation::create_table::CreateTableOutput;
    use aws_sdk_dynamodb::operation::delete_table::DeleteTableOutput;
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
    use aws_sdk_dynamodb::types::{TableDescription, TableStatus};
    use aws_sdk_iam::operation::create_role::CreateRoleOutput;
    use aws_sdk_iam::operation::delete_role::DeleteRoleOutput;
    use aws_sdk_iam::operation::delete_role_policy::DeleteRolePolicyOutput;
    use aws_sdk_iam::operation::put_role_policy::PutRolePolicyError;
    use aws_sdk_iam::types::Role;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_types::error::ErrorMetadata;
    use clap::Parser;
    use trigger_deployment::handler_zip;
    use trigger_deployment::test_clients::{mock_dynamodb, mock_iam, mock_lambda, mock_logs};

    /// A client of `$sdk` answered by `rules` (see
    /// `trigger_deployment::test_clients` for why this is not
    /// `aws_smithy_mocks::mock_client!`).
    macro_rules! mocked {
        ($sdk:ident, $rules:expr) => {{
            let answers = $rules.iter().fold(
                MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
                |answers, rule: &&Rule| answers.with_rule(rule),
            );
            $sdk::Client::from_conf(
                $sdk::Config::builder()
                    .with_test_defaults()
                    .region($sdk::config::Region::new("us-east-1"))
                    .http_client(create_mock_http_client())
                    .interceptor(answers)
                    .build(),
            )
        }};
    }

    /// A zip like cargo-lambda's, with an x86-64 Linux `bootstrap`, on disk.
    fn zip_file(name: &str) -> std::path::PathBuf {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[18] = 0x3e;
        let path = std::env::temp_dir().join(format!(
            "auto-confirm-test-{name}-{}.zip",
            std::process::id()
        ));
        std::fs::write(&path, handler_zip::zip_bootstrap(&elf).unwrap()).unwrap();
        path
    }

    fn denied(action: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code("AccessDeniedException")
            .message(format!("User is not authorized to perform: {action}"))
            .build()
    }

    fn table_rules() -> (Rule, Rule, Rule) {
        let create = mock!(aws_sdk_dynamodb::Client::create_table).then_output(|| {
            CreateTableOutput::builder()
                .table_description(
                    TableDescription::builder()
                        .table_arn("arn:aws:dynamodb:us-east-1:111122223333:table/t")
                        .table_status(TableStatus::Creating)
                        .build(),
                )
                .build()
        });
        let active = mock!(aws_sdk_dynamodb::Client::describe_table).then_output(|| {
            DescribeTableOutput::builder()
                .table(
                    TableDescription::builder()
                        .table_status(TableStatus::Active)
                        .build(),
                )
                .build()
        });
        let delete = mock!(aws_sdk_dynamodb::Client::delete_table)
            .match_requests(|req| {
                req.table_name()
                    .is_some_and(|name| name.starts_with("auto-confirm-"))
            })
            .then_output(|| DeleteTableOutput::builder().build());
        (create, active, delete)
    }

    fn scenario(clients: Clients, args: &[&str]) -> Scenario {
        let args = Args::parse_from(std::iter::once("auto-confirm").chain(args.iter().copied()));
        Scenario {
            clients,
            args,
            interrupt: Interrupt::listen(),
            prompter: None,
            offline: false,
            name: "auto-confirm-test".into(),
            started_at_ms: now_ms(),
            created: Created::default(),
        }
    }

    fn clients(dynamodb: &[&Rule], iam: &[&Rule]) -> Clients {
        let none: [&Rule; 0] = [];
        Clients {
            cognito: mocked!(aws_sdk_cognitoidentityprovider, none),
            dynamodb: mock_dynamodb(dynamodb),
            iam: mock_iam(iam),
            lambda: mock_lambda(&none),
            logs: mock_logs(&none),
        }
    }

    #[tokio::test]
    async fn a_failed_step_is_one_line_and_what_was_created_before_it_is_removed() {
        let (create, active, delete) = table_rules();
        let refuse = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .then_error(|| BatchWriteItemError::generic(denied("dynamodb:BatchWriteItem")));
        let zip = zip_file("batch");
        let mut scenario = scenario(
            clients(&[&create, &active, &refuse, &delete], &[]),
            &["--non-interactive", "--zip", zip.to_str().unwrap()],
        );

        let Err(Stop::Failed(err)) = scenario.steps().await else {
            panic!("the scenario should have failed");
        };
        assert_eq!(
            err.to_string(),
            "AccessDeniedException: User is not authorized to perform: dynamodb:BatchWriteItem"
        );
        assert_eq!(
            scenario.created.table_name.as_deref(),
            Some("auto-confirm-test")
        );
        assert!(scenario.clean_up().await, "everything removed");
        assert_eq!(
            (create.num_calls(), refuse.num_calls(), delete.num_calls()),
            (1, 1, 1)
        );
        let _ = std::fs::remove_file(zip);
    }

    #[tokio::test]
    async fn a_role_without_its_policy_is_deleted_without_deleting_a_policy() {
        let (create_table, active, delete_table) = table_rules();
        let write = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| {
            aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput::builder().build()
        });
        let create_role = mock!(aws_sdk_iam::Client::create_role).then_output(|| {
            CreateRoleOutput::builder()
                .role(
                    Role::builder()
                        .path("/")
                        .role_name("auto-confirm-test")
                        .role_id("AROAEXAMPLE")
                        .arn("arn:aws:iam::111122223333:role/auto-confirm-test")
                        .create_date(aws_smithy_types::DateTime::from_secs(0))
                        .build()
                        .unwrap(),
                )
                .build()
        });
        let refuse_policy = mock!(aws_sdk_iam::Client::put_role_policy).then_error(|| {
            PutRolePolicyError::generic(
                ErrorMetadata::builder()
                    .code("MalformedPolicyDocument")
                    .message("Policy document should not specify a principal.")
                    .build(),
            )
        });
        let delete_policy = mock!(aws_sdk_iam::Client::delete_role_policy)
            .then_output(|| DeleteRolePolicyOutput::builder().build());
        let delete_role = mock!(aws_sdk_iam::Client::delete_role)
            .match_requests(|req| req.role_name() == Some("auto-confirm-test"))
            .then_output(|| DeleteRoleOutput::builder().build());
        let zip = zip_file("role");
        let mut scenario = scenario(
            clients(
                &[&create_table, &active, &write, &delete_table],
                &[&create_role, &refuse_policy, &delete_policy, &delete_role],
            ),
            &["--non-interactive", "--zip", zip.to_str().unwrap()],
        );

        let Err(Stop::Failed(err)) = scenario.steps().await else {
            panic!("the scenario should have failed");
        };
        assert!(
            err.to_string().starts_with("MalformedPolicyDocument: "),
            "{err}"
        );
        assert!(scenario.clean_up().await);
        assert_eq!(delete_policy.num_calls(), 0, "the policy was never put");
        assert_eq!((delete_role.num_calls(), delete_table.num_calls()), (1, 1));
        let _ = std::fs::remove_file(zip);
    }

    #[tokio::test]
    async fn with_keep_nothing_is_removed() {
        let (create, active, delete) = table_rules();
        let refuse = mock!(aws_sdk_dynamodb::Client::batch_write_item)
            .then_error(|| BatchWriteItemError::generic(denied("dynamodb:BatchWriteItem")));
        let zip = zip_file("keep");
        let mut scenario = scenario(
            clients(&[&create, &active, &refuse, &delete], &[]),
            &[
                "--non-interactive",
                "--keep",
                "--zip",
                zip.to_str().unwrap(),
            ],
        );

        assert!(scenario.steps().await.is_err());
        assert!(scenario.clean_up().await);
        assert_eq!(delete.num_calls(), 0);
        let _ = std::fs::remove_file(zip);
    }

    #[tokio::test]
    async fn a_zip_lambda_cannot_run_stops_before_anything_is_created() {
        let path = std::env::temp_dir().join(format!(
            "auto-confirm-test-macho-{}.zip",
            std::process::id()
        ));
        std::fs::write(
            &path,
            handler_zip::zip_bootstrap(b"\xcf\xfa\xed\xfe not ELF at all").unwrap(),
        )
        .unwrap();
        let (create, active, delete) = table_rules();
        let mut scenario = scenario(
            clients(&[&create, &active, &delete], &[]),
            &["--non-interactive", "--zip", path.to_str().unwrap()],
        );

        let Err(Stop::Failed(err)) = scenario.steps().await else {
            panic!("the scenario should have failed");
        };
        assert!(err.to_string().contains("cargo lambda build"), "{err}");
        assert_eq!(create.num_calls(), 0);
        assert_eq!(scenario.created, Created::default());

        // Offline the emulator runs the same zip on this machine.
        scenario.offline = true;
        let (_, architecture) = scenario.handler_zip().await.expect("accepted offline");
        assert_eq!(architecture, Architecture::X8664);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn known_users_and_names() {
        assert_eq!(known_usernames(), ["alice", "bob", "carol"]);
        assert_eq!(
            known_user("bob"),
            Some(KnownUser::new("bob", "bob@example.com"))
        );
        assert_eq!(known_user("dave"), None);
        assert_eq!(
            known_user(OTHER_USERNAME),
            None,
            "the other user is not known"
        );
    }
}
