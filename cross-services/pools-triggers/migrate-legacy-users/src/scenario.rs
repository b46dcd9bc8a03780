//! The ten steps of the scenario, in the order they run. The Cognito calls
//! are the single-action examples' functions; the table calls are this
//! crate's own (`src/lib.rs`); deploying the function and removing
//! everything are the `trigger-deployment` crate's steps. What this file
//! adds is the order, the questions, and what to do when something fails.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_lambda::types::Architecture;
use example_cli::outbox::Outbox;
use example_cli::scenario::{self, Interrupt, Prompter, Stop};
use example_cli::{ExampleError, code_delivery, shorten};
use migrate_legacy_users::LegacyUser;
use trigger_deployment::cleanup::Created;
use trigger_deployment::function::{NewFunction, TABLE_NAME_VARIABLE};
use trigger_deployment::input::made_up_password;
use trigger_deployment::role;
use trigger_deployment::steps::{
    self, Clients, LogQuery, NewRole, Pool, ROLE_ATTEMPTS, ROLE_PAUSE, Trigger, ZipSource, call,
    role_not_in_effect_yet,
};

use crate::Args;

/// The legacy directory: user name and email address.
const LEGACY_USERS: [(&str, &str); 3] = [
    ("bella", "bella@example.com"),
    ("carlos", "carlos@example.com"),
    ("dana", "dana@example.com"),
];
/// Who signs in with their old password (step 6), unless `--user`.
pub const SIGNS_IN: &str = "bella";
/// Who has forgotten their password (step 7), unless `--forgetful-user`.
pub const FORGOT: &str = "carlos";
/// Someone not in the legacy directory (step 8), unless `--stranger`.
pub const STRANGER: &str = "mallory";
/// The function's package: the scenario builds (or finds) its zip.
const HANDLER_PACKAGE: &str = "migrate-legacy-users-handler";
/// The name of the role's one inline policy.
const POLICY_NAME: &str = "read-legacy-users-and-write-logs";
/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "migrate-legacy-users";
/// Shown under the password questions.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
const STEPS: u8 = 10;

/// Every legacy user name, in the table's order.
pub fn legacy_usernames() -> Vec<&'static str> {
    LEGACY_USERS.iter().map(|(name, _)| *name).collect()
}

/// Runs the scenario, cleans up, and says how it went. `endpoint` is the
/// emulator's address when `AWS_ENDPOINT_URL` is set.
pub async fn run(clients: Clients, args: Args, endpoint: Option<String>) -> ExitCode {
    let interrupt = Interrupt::listen();
    let prompter = (!args.non_interactive).then(|| Prompter::new(interrupt.clone()));
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let mut scenario = Scenario {
        clients,
        args,
        interrupt,
        prompter,
        outbox: endpoint.as_deref().map(Outbox::at),
        offline: steps::offline(),
        name: format!("migrate-legacy-users-{suffix}"),
        started_at_ms: now_ms(),
        created: Created::default(),
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up().await;
    scenario::exit_code(outcome, cleaned_up)
}

struct Scenario {
    clients: Clients,
    args: Args,
    interrupt: Interrupt,
    /// The person at the terminal; `None` with `--non-interactive`.
    prompter: Option<Prompter>,
    /// The emulator's outbox, which stands in for the email inbox offline.
    outbox: Option<Outbox>,
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

        heading(1, "A DynamoDB table plays the legacy directory");
        let (table_arn, users) = self.table().await?;

        heading(
            2,
            "An IAM role for the function: read that table, write its logs",
        );
        let role_arn = self.role(&table_arn).await?;

        heading(3, "The Lambda function");
        let function_arn = self.function(&role_arn, &zip, architecture).await?;
        drop(zip);

        heading(
            4,
            "A user pool that asks the function about users it does not have",
        );
        let pool = steps::pool_with_trigger(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &self.name,
            CLIENT_NAME,
            Trigger::UserMigration,
            (&self.name, &function_arn),
        )
        .await?;

        heading(5, "The pool has no users yet");
        self.count_users(&pool).await?;

        heading(6, "A legacy user signs in with their old password");
        let user = legacy(&users, &self.args.user)?;
        self.sign_in_migrating(&pool, user).await?;

        heading(7, "A legacy user who forgot their password resets it");
        let forgetful = legacy(&users, &self.args.forgetful_user)?;
        self.reset_forgotten_password(&pool, forgetful).await?;

        heading(8, "Someone who is not in the legacy directory");
        self.stranger_is_refused(&pool).await?;

        heading(9, "What the function logged");
        let query = LogQuery {
            function_name: &self.name,
            since_ms: self.started_at_ms - 60_000,
            decision: "Migration of ",
            times: 3,
            about: "the migrations",
            whole: true,
        };
        steps::show_function_log(&self.clients, &self.interrupt, query).await
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

    /// Step 1: the table, active, with the legacy users in it. Returns its
    /// ARN and the users, with the password they know.
    async fn table(&mut self) -> Result<(String, Vec<LegacyUser>), Stop> {
        let old_password = match (&self.args.old_password, &self.prompter) {
            (Some(password), _) => password.clone(),
            (None, Some(prompter)) => {
                println!("The password the legacy users had in the old system:");
                prompter.password(PASSWORD_HELP).await?
            }
            (None, None) => {
                println!(
                    "Old password: made up for this run and not shown (give --old-password to choose one)."
                );
                made_up_password()
            }
        };
        let table_name = self.name.clone();
        // CreateTable is not abandoned on Ctrl-C: its answer says what to delete.
        let created =
            migrate_legacy_users::create_table(&self.clients.dynamodb, &table_name).await?;
        let table_arn = steps::table_created(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &table_name,
            &created,
        )
        .await?;

        let users: Vec<LegacyUser> = LEGACY_USERS
            .iter()
            .map(|(username, email)| LegacyUser {
                username: username.to_string(),
                email: match &self.args.forgetful_email {
                    Some(given) if *username == self.args.forgetful_user => given.clone(),
                    _ => email.to_string(),
                },
                password: old_password.clone(),
            })
            .collect();
        let left = call(
            &self.interrupt,
            migrate_legacy_users::put_legacy_users(&self.clients.dynamodb, &table_name, &users, 5),
        )
        .await?;
        if left > 0 {
            return Err(ExampleError::new(format!(
                "DynamoDB did not take {left} of the legacy users (UnprocessedItems); try again later."
            ))
            .into());
        }
        println!(
            "Legacy users (UserName, Email, and a salted PBKDF2-SHA256 hash of the password):"
        );
        for user in &users {
            println!("  {:<8} {}", user.username, user.email);
        }
        Ok((table_arn, users))
    }

    /// Step 2: the execution role and its one inline policy. Returns its ARN.
    async fn role(&mut self, table_arn: &str) -> Result<String, Stop> {
        let new_role = NewRole {
            role_name: &self.name,
            description: "Execution role of the migrate-legacy-users example's UserMigration function",
            policy_name: POLICY_NAME,
            statements: vec![role::allow(
                "ReadLegacyUsers",
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
            description: "UserMigration trigger of the migrate-legacy-users example",
        };
        steps::function(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &new_function,
        )
        .await
    }

    /// ListUsers: how many users the pool has now.
    async fn count_users(&self, pool: &Pool) -> Result<usize, Stop> {
        let users = call(
            &self.interrupt,
            list_users::list_users(&self.clients.cognito, &pool.user_pool_id, None),
        )
        .await?;
        println!("Users in the pool: {}", users.len());
        Ok(users.len())
    }

    /// Step 6: the user signs in with the password of the old system
    /// (InitiateAuth USER_PASSWORD_AUTH, which sends Cognito the password:
    /// SRP never does, so it cannot migrate anyone). Cognito does not know
    /// them, asks the function, creates them, and signs them in.
    async fn sign_in_migrating(&self, pool: &Pool, user: &LegacyUser) -> Result<(), Stop> {
        println!("Username: {}", user.username);
        let mut denied_so_far = 0;
        loop {
            let answer = self
                .interrupt
                .race(initiate_auth::initiate_auth(
                    &self.clients.cognito,
                    &pool.client_id,
                    &user.username,
                    &user.password,
                    None,
                ))
                .await?;
            match answer.map_err(ExampleError::from) {
                Ok(output) => {
                    self.show_tokens(&user.username, &output)?;
                    break;
                }
                // A brand-new role's policy takes a few seconds to apply;
                // until then the function cannot read the table.
                Err(err) if role_not_in_effect_yet(&err) && denied_so_far < ROLE_ATTEMPTS => {
                    denied_so_far += 1;
                    println!(
                        "The function was denied reading the table: IAM takes a few seconds \
                         to apply a new role's policy. Trying again in {} s.",
                        ROLE_PAUSE.as_secs()
                    );
                    self.interrupt.race(tokio::time::sleep(ROLE_PAUSE)).await?;
                }
                // What the function logged says why it vouched for no one.
                Err(err) => {
                    println!("Cognito refused the sign-in.");
                    let decision = format!("Migration of {}:", user.username);
                    let query = LogQuery {
                        function_name: &self.name,
                        since_ms: self.started_at_ms - 60_000,
                        decision: &decision,
                        times: 1,
                        about: &user.username,
                        whole: false,
                    };
                    steps::show_function_log(&self.clients, &self.interrupt, query).await?;
                    return Err(err.into());
                }
            }
        }
        self.show_user(pool, &user.username).await?;
        self.count_users(pool).await?;
        Ok(())
    }

    /// Step 7: ForgotPassword for a user the pool does not have: the
    /// function migrates them (with a verified email), Cognito sends the
    /// code there; the user sets a new password with it and signs in.
    async fn reset_forgotten_password(&self, pool: &Pool, user: &LegacyUser) -> Result<(), Stop> {
        println!("Username: {}", user.username);
        let seen = match &self.outbox {
            Some(outbox) => self.interrupt.race(outbox.messages()).await??.len(),
            None => 0,
        };
        let sent = call(
            &self.interrupt,
            forgot_password::forgot_password(
                &self.clients.cognito,
                &pool.client_id,
                &user.username,
                None,
            ),
        )
        .await?;
        match sent.code_delivery_details() {
            Some(details) => println!(
                "Migrated on ForgotPassword; the reset code was sent: {}",
                code_delivery(details)
            ),
            None => {
                println!("Migrated on ForgotPassword; Cognito did not say where the code went.")
            }
        }
        self.show_user(pool, &user.username).await?;

        let code = match (&self.outbox, &self.prompter) {
            (Some(outbox), _) => {
                let message = self
                    .interrupt
                    .race(outbox.code_since(seen, &pool.user_pool_id, &user.username))
                    .await??;
                println!(
                    "The code, read from the emulator's outbox (the email to {}).",
                    message.destination
                );
                message.code.unwrap_or_default()
            }
            (None, Some(prompter)) => {
                prompter
                    .text(
                        &format!("The code emailed to {}:", user.username),
                        None,
                        "Six digits, from the email Cognito sent",
                        check_code,
                    )
                    .await?
            }
            (None, None) => {
                return Err(ExampleError::new(
                    "The reset code was emailed; without the emulator's outbox it must be typed in: \
                     run without --non-interactive.",
                )
                .into());
            }
        };
        let new_password = match (&self.args.new_password, &self.prompter) {
            (Some(password), _) => password.clone(),
            (None, Some(prompter)) => {
                println!("{}'s new password:", user.username);
                prompter.password(PASSWORD_HELP).await?
            }
            (None, None) => {
                println!(
                    "New password: made up for this run and not shown (give --new-password to choose one)."
                );
                made_up_password()
            }
        };
        call(
            &self.interrupt,
            confirm_forgot_password::confirm_forgot_password(
                &self.clients.cognito,
                &confirm_forgot_password::PasswordReset {
                    client_id: &pool.client_id,
                    client_secret: None,
                    username: &user.username,
                    code: &code,
                    new_password: &new_password,
                },
            ),
        )
        .await?;
        println!("New password set (ConfirmForgotPassword).");

        let output = call(
            &self.interrupt,
            initiate_auth::initiate_auth(
                &self.clients.cognito,
                &pool.client_id,
                &user.username,
                &new_password,
                None,
            ),
        )
        .await?;
        self.show_tokens(&user.username, &output)?;
        self.show_user(pool, &user.username).await?;
        self.count_users(pool).await?;
        Ok(())
    }

    /// Step 8: a name the legacy directory does not have: the function
    /// leaves the event unchanged, and Cognito refuses the sign-in as it
    /// does for any unknown user.
    async fn stranger_is_refused(&self, pool: &Pool) -> Result<(), Stop> {
        let username = &self.args.stranger;
        println!("Username: {username}");
        let answer = self
            .interrupt
            .race(initiate_auth::initiate_auth(
                &self.clients.cognito,
                &pool.client_id,
                username,
                &made_up_password(),
                None,
            ))
            .await?;
        match answer {
            Ok(_) => Err(ExampleError::new(format!(
                "{username} signed in, though the legacy directory does not have them."
            ))
            .into()),
            Err(err)
                if matches!(
                    err.code(),
                    Some("NotAuthorizedException" | "UserNotFoundException")
                ) =>
            {
                println!(
                    "Refused: {}: {}",
                    err.code().unwrap_or_default(),
                    err.message().unwrap_or_default()
                );
                self.count_users(pool).await?;
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The tokens of a sign-in, shortened unless `--show-tokens`.
    fn show_tokens(&self, username: &str, output: &InitiateAuthOutput) -> Result<(), Stop> {
        let Some(tokens) = output.authentication_result() else {
            return Err(ExampleError::new(format!(
                "Cognito answered {} instead of tokens.",
                output.challenge_name().map_or("nothing", |c| c.as_str())
            ))
            .into());
        };
        println!("Signed in as {username} (USER_PASSWORD_AUTH).");
        let show = |token: &str| {
            if self.args.show_tokens {
                token.to_string()
            } else {
                shorten(token)
            }
        };
        if let Some(token) = tokens.id_token() {
            println!("ID token: {}", show(token));
        }
        if let Some(token) = tokens.access_token() {
            println!("Access token: {}", show(token));
        }
        Ok(())
    }

    /// AdminGetUser: the user's status and whether their email is verified.
    async fn show_user(&self, pool: &Pool, username: &str) -> Result<(), Stop> {
        let user = call(
            &self.interrupt,
            admin_get_user::admin_get_user(&self.clients.cognito, &pool.user_pool_id, username),
        )
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
}

/// The legacy user named `username` (the flags were checked against the list).
fn legacy<'a>(users: &'a [LegacyUser], username: &str) -> Result<&'a LegacyUser, ExampleError> {
    users
        .iter()
        .find(|user| user.username == username)
        .ok_or_else(|| ExampleError::new(format!("{username} is not a legacy user.")))
}

/// A confirmation code: six digits.
fn check_code(code: &str) -> Result<(), String> {
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("The code is six digits.".into())
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
