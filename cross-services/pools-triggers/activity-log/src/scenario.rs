//! The nine steps of the scenario, in the order they run. The Cognito calls
//! are the single-action examples' functions; the table calls are this
//! crate's own (`src/lib.rs`); deploying the function and removing
//! everything are the `trigger-deployment` crate's steps. What this file
//! adds is the order, the questions, and what to do when something fails.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use aws_sdk_lambda::types::Architecture;
use example_cli::ExampleError;
use example_cli::scenario::{self, Interrupt, Prompter, Stop};
use trigger_deployment::cleanup::Created;
use trigger_deployment::function::{NewFunction, TABLE_NAME_VARIABLE};
use trigger_deployment::input::{check_email, check_username, made_up_password};
use trigger_deployment::role;
use trigger_deployment::steps::{
    self, Clients, LogQuery, NewRole, Pool, ROLE_ATTEMPTS, ROLE_PAUSE, Trigger, ZipSource, call,
    role_not_in_effect_yet,
};

use crate::Args;

/// The function's package: the scenario builds (or finds) its zip.
const HANDLER_PACKAGE: &str = "activity-log-handler";
/// The name of the role's one inline policy.
const POLICY_NAME: &str = "write-sign-ins-and-logs";
/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "activity-log";
/// The user the administrator creates, unless `--username`.
const DEFAULT_USERNAME: &str = "ana";
/// Shown under the password question.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
const STEPS: u8 = 9;

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
        name: format!("activity-log-{suffix}"),
        started_at_ms: now_ms(),
        created: Created::default(),
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up().await;
    scenario::exit_code(outcome, cleaned_up)
}

/// The user the administrator created.
struct User {
    username: String,
    password: String,
    sub: String,
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

        heading(1, "A DynamoDB table for the sign-ins");
        let table_arn = self.table().await?;

        heading(
            2,
            "An IAM role for the function: write to that table and its logs",
        );
        let role_arn = self.role(&table_arn).await?;

        heading(3, "The Lambda function");
        let function_arn = self.function(&role_arn, &zip, architecture).await?;
        drop(zip);

        heading(4, "A user pool that calls the function after each sign-in");
        let pool = steps::pool_with_trigger(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &self.name,
            CLIENT_NAME,
            Trigger::PostAuthentication,
            (&self.name, &function_arn),
        )
        .await?;

        heading(5, "An administrator creates a user");
        let user = self.create_user(&pool).await?;

        heading(6, "The user signs in");
        self.sign_in(&pool, &user).await?;

        heading(7, "What the function logged");
        let query = LogQuery {
            function_name: &self.name,
            since_ms: self.started_at_ms - 60_000,
            decision: &format!("Sign-in of {}:", user.username),
            times: self.args.sign_ins as usize,
            about: &format!("{}'s sign-ins", user.username),
            whole: true,
        };
        steps::show_function_log(&self.clients, &self.interrupt, query).await?;

        heading(8, "The activity log, from the table");
        self.show_activity(&user).await
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

    /// Step 1: the table, active. Returns its ARN.
    async fn table(&mut self) -> Result<String, Stop> {
        let table_name = self.name.clone();
        // CreateTable is not abandoned on Ctrl-C: its answer says what to delete.
        let created = activity_log::create_table(&self.clients.dynamodb, &table_name).await?;
        let table_arn = steps::table_created(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &table_name,
            &created,
        )
        .await?;
        println!(
            "Keys: {} (partition), {} (sort): a Query on one user lists their sign-ins in order.",
            activity_log::SUB_KEY,
            activity_log::TIME_KEY
        );
        Ok(table_arn)
    }

    /// Step 2: the execution role and its one inline policy. Returns its ARN.
    async fn role(&mut self, table_arn: &str) -> Result<String, Stop> {
        let new_role = NewRole {
            role_name: &self.name,
            description: "Execution role of the activity-log example's PostAuthentication function",
            policy_name: POLICY_NAME,
            statements: vec![role::allow(
                "WriteSignIns",
                &["dynamodb:PutItem"],
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
            description: "PostAuthentication trigger of the activity-log example: logs sign-ins",
        };
        steps::function(
            &self.clients,
            &self.interrupt,
            &mut self.created,
            &new_function,
        )
        .await
    }

    /// Step 5: AdminCreateUser without an invitation, then a permanent
    /// password (AdminSetUserPassword): the user is CONFIRMED and can sign in.
    async fn create_user(&self, pool: &Pool) -> Result<User, Stop> {
        let username = match (&self.args.username, &self.prompter) {
            (Some(username), _) => username.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Username of the new user:",
                        Some(DEFAULT_USERNAME.to_string()),
                        "The administrator creates them; nothing is sent",
                        check_username,
                    )
                    .await?
            }
            (None, None) => DEFAULT_USERNAME.to_string(),
        };
        let email = match &self.args.email {
            Some(email) => email.clone(),
            None => format!("{username}@example.com"),
        };
        check_email(&email).map_err(ExampleError::new)?;
        let password = match (&self.args.password, &self.prompter) {
            (Some(password), _) => password.clone(),
            (None, Some(prompter)) => prompter.password(PASSWORD_HELP).await?,
            (None, None) => {
                println!(
                    "Password: made up for this run and not shown (give --password to choose one)."
                );
                made_up_password()
            }
        };
        println!("Username: {username}");
        println!("Email: {email}");

        let attributes = [("email", email.as_str()), ("email_verified", "true")];
        let created = call(
            &self.interrupt,
            admin_create_user::admin_create_user(
                &self.clients.cognito,
                &admin_create_user::Invitation {
                    user_pool_id: &pool.user_pool_id,
                    username: &username,
                    temporary_password: None,
                    attributes: &attributes,
                    message_action: Some(MessageActionType::Suppress),
                    delivery_mediums: &[],
                },
            ),
        )
        .await?;
        let sub = created
            .user()
            .and_then(|user| {
                user.attributes()
                    .iter()
                    .find(|attribute| attribute.name() == "sub")
            })
            .and_then(|attribute| attribute.value())
            .ok_or_else(|| ExampleError::new("AdminCreateUser answered without the user's sub."))?
            .to_string();
        println!("Created {username} (AdminCreateUser, no invitation sent).");
        println!("Sub: {sub}");

        call(
            &self.interrupt,
            admin_set_user_password::admin_set_user_password(
                &self.clients.cognito,
                &pool.user_pool_id,
                &username,
                &password,
                true,
            ),
        )
        .await?;
        println!("Set a permanent password (AdminSetUserPassword): {username} is CONFIRMED.");
        Ok(User {
            username,
            password,
            sub,
        })
    }

    /// Step 6: sign in `--sign-ins` times (InitiateAuth, USER_PASSWORD_AUTH).
    /// After each, Cognito calls the function before it hands out tokens.
    async fn sign_in(&self, pool: &Pool, user: &User) -> Result<(), Stop> {
        let total = self.args.sign_ins;
        let mut done = 0;
        let mut denied_so_far = 0;
        while done < total {
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
                Ok(output) if output.authentication_result().is_some() => {
                    done += 1;
                    println!("Signed in ({done}/{total}).");
                }
                Ok(output) => {
                    return Err(ExampleError::new(format!(
                        "Cognito answered {} instead of tokens.",
                        output.challenge_name().map_or("nothing", |c| c.as_str())
                    ))
                    .into());
                }
                // A brand-new role's policy takes a few seconds to apply; the
                // function's write was denied, and so was the sign-in.
                Err(err) if role_not_in_effect_yet(&err) && denied_so_far < ROLE_ATTEMPTS => {
                    denied_so_far += 1;
                    println!(
                        "The function was denied writing to the table: IAM takes a few seconds \
                         to apply a new role's policy. Trying again in {} s.",
                        ROLE_PAUSE.as_secs()
                    );
                    self.interrupt.race(tokio::time::sleep(ROLE_PAUSE)).await?;
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Step 8: the user's sign-ins, oldest first (Query on their `sub`).
    async fn show_activity(&self, user: &User) -> Result<(), Stop> {
        let logged = call(
            &self.interrupt,
            activity_log::sign_ins(&self.clients.dynamodb, &self.name, &user.sub),
        )
        .await?;
        println!(
            "Sign-ins of {} ({} = {}), oldest first:",
            user.username,
            activity_log::SUB_KEY,
            user.sub
        );
        for sign_in in &logged {
            println!(
                "  {}  {}  {}  app client {}",
                sign_in.signed_in_at, sign_in.username, sign_in.trigger_source, sign_in.client_id
            );
        }
        println!("Logged sign-ins: {}", logged.len());
        let wanted = self.args.sign_ins as usize;
        if logged.len() != wanted {
            return Err(ExampleError::new(format!(
                "The table lists {} sign-ins of {}, not {wanted}.",
                logged.len(),
                user.username
            ))
            .into());
        }
        Ok(())
    }

    /// Step 9: remove what the scenario created, unless `--keep`. Returns
    /// whether everything went.
    async fn clean_up(&self) -> bool {
        steps::clean_up(&self.clients, &self.created, self.args.keep, || {
            heading(STEPS, "Remove everything the scenario created")
        })
        .await
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
