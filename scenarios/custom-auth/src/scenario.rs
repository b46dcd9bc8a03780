//! The steps of the scenario, in the order they run. The Cognito calls are
//! the single-action examples' functions (and this crate's
//! [`set_custom_auth_triggers`]); deploying the functions and removing
//! everything are the `trigger-deployment` crate's steps. What this file
//! adds is the order, the questions, and what to do when something fails.

use std::collections::HashMap;
use std::future::Future;
use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use aws_sdk_lambda::types::Architecture;
use example_cli::ExampleError;
use example_cli::scenario::{self, Interrupt, Prompter, Stop};
use initiate_auth::SrpSignIn;
use respond_to_auth_challenge::CustomAnswer;
use trigger_deployment::cleanup::{self, Created};
use trigger_deployment::function::{self, NewFunction};
use trigger_deployment::handler_zip;
use trigger_deployment::steps::{self, Clients, NewRole, Pool, ZipSource};
use update_user_pool::SetTriggerError;

use crate::triggers::{
    CustomAuthTriggers, FUNCTIONS, TriggerFunction, custom_auth_triggers_of,
    set_custom_auth_triggers,
};
use crate::{Args, USERNAME, check_answer, check_email, check_username, lambda_dir_zip};

/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "custom-auth";
/// The name of the role's one inline policy.
const POLICY_NAME: &str = "write-the-functions-logs";
/// Shown under the password question.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
const STEPS: u8 = 7;

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
        name: format!("custom-auth-{suffix}"),
        created: Created::default(),
        function_names: Vec::new(),
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up().await;
    scenario::exit_code(outcome, cleaned_up)
}

/// One function of [`FUNCTIONS`], deployed.
struct Deployed {
    function: TriggerFunction,
    name: String,
    arn: String,
}

/// The user the scenario signed up.
struct SignedUp {
    username: String,
    password: String,
}

/// The question of one `CUSTOM_CHALLENGE`, from its public parameters (as
/// the CreateAuthChallenge function wrote them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// `captchaUrl`: what does the picture show?
    Captcha { url: String },
    /// `securityQuestion`.
    Security { question: String },
}

impl Question {
    /// The question in a challenge's public parameters.
    pub fn from_parameters(parameters: &HashMap<String, String>) -> Result<Question, String> {
        if let Some(url) = parameters.get("captchaUrl") {
            return Ok(Question::Captcha { url: url.clone() });
        }
        if let Some(question) = parameters.get("securityQuestion") {
            return Ok(Question::Security {
                question: question.clone(),
            });
        }
        let mut names: Vec<&str> = parameters.keys().map(String::as_str).collect();
        names.sort_unstable();
        Err(format!(
            "The custom challenge has neither a captchaUrl nor a securityQuestion parameter \
             (it has: {}).",
            names.join(", ")
        ))
    }

    /// What the challenge is called in what the scenario prints.
    fn name(&self) -> &'static str {
        match self {
            Question::Captcha { .. } => "captcha",
            Question::Security { .. } => "security question",
        }
    }
}

/// How one sign-in ended.
enum SignIn {
    Tokens(AuthenticationResultType),
    /// A wrong answer: DefineAuthChallenge failed the sign-in.
    Refused {
        err: ExampleError,
        question: Question,
        answer: String,
    },
}

struct Scenario {
    clients: Clients,
    args: Args,
    interrupt: Interrupt,
    /// The person at the terminal; `None` with `--non-interactive`.
    prompter: Option<Prompter>,
    /// Whether `AWS_ENDPOINT_URL` sends every call to an emulator.
    offline: bool,
    /// The name of everything the scenario creates (the functions add their
    /// suffix): new for every run, so an interrupted run never gets in the
    /// way of the next.
    name: String,
    /// The pool, the role and its policy, once created.
    created: Created,
    /// The functions created so far.
    function_names: Vec<String>,
}

impl Scenario {
    async fn steps(&mut self) -> Result<(), Stop> {
        println!("The functions' code");
        let zips = self.handler_zips().await?;

        heading(1, "A user pool, and an app client for custom sign-ins");
        let (pool, pool_arn) = self.pool().await?;

        heading(
            2,
            "An IAM role for the functions: write their logs, nothing else",
        );
        let role_arn = self.role(&pool_arn).await?;

        heading(3, "The four Lambda functions");
        let deployed = self.functions(&role_arn, zips).await?;

        heading(4, "The functions become the pool's triggers");
        self.attach(&pool, &pool_arn, &deployed).await?;

        heading(5, "Sign up: the PreSignUp function confirms the user");
        let user = self.sign_up(&pool).await?;

        heading(
            6,
            "Sign in: SRP, then the captcha, then the security question",
        );
        self.sign_in(&pool, &user).await
    }

    /// Before anything is created: the four zips that step 3 uploads.
    async fn handler_zips(&self) -> Result<Vec<(Vec<u8>, Architecture)>, Stop> {
        let build = self.args.build_handlers || (self.offline && self.args.lambda_dir.is_none());
        if !build && self.args.lambda_dir.is_none() {
            // Say at once which zips are missing, rather than one at a time.
            let missing: Vec<&str> = FUNCTIONS
                .iter()
                .filter(|f| handler_zip::cargo_lambda_zip(f.package).is_none())
                .map(|f| f.package)
                .collect();
            if !missing.is_empty() {
                return Err(ExampleError::new(format!(
                    "No cargo-lambda zip of {}. Build them with: cargo lambda build --release \
                     --output-format zip -p {} (cargo-lambda installs with: pip install \
                     cargo-lambda), or name their folder with --lambda-dir. Against the \
                     bundled emulator, set AWS_ENDPOINT_URL or pass --build-handlers instead.",
                    missing.join(", "),
                    missing.join(" -p ")
                ))
                .into());
            }
        }
        let mut zips = Vec::new();
        for function in &FUNCTIONS {
            let zip = self
                .args
                .lambda_dir
                .as_deref()
                .map(|dir| lambda_dir_zip(dir, function.package));
            let source = ZipSource {
                package: function.package,
                zip: zip.as_deref(),
                build_handler: self.args.build_handlers,
                offline: self.offline,
            };
            zips.push(steps::handler_zip(source, &self.interrupt).await?);
        }
        Ok(zips)
    }

    /// Step 1: the pool (users sign up with an email address), and an app
    /// client that allows `CUSTOM_AUTH` and SRP. Returns them and the pool's
    /// ARN, which names the account and Region the role's policy needs.
    async fn pool(&mut self) -> Result<(Pool, String), Stop> {
        let cognito = &self.clients.cognito;
        // Not abandoned on Ctrl-C: its answer says what to delete.
        let answer = create_user_pool::create_user_pool(cognito, &self.name, false).await?;
        let pool = answer
            .user_pool()
            .ok_or_else(|| ExampleError::new("CreateUserPool answered without the user pool."))?;
        let user_pool_id = pool
            .id()
            .ok_or_else(|| ExampleError::new("CreateUserPool answered without a user pool id."))?
            .to_string();
        self.created.user_pool_id = Some(user_pool_id.clone());
        println!("Created user pool {}.", self.name);
        println!("User pool id: {user_pool_id}");
        self.interrupt.check()?;
        let pool_arn = pool
            .arn()
            .ok_or_else(|| ExampleError::new("CreateUserPool answered without the pool's ARN."))?
            .to_string();

        let app = self
            .call(create_user_pool_client::create_custom_auth_client(
                cognito,
                &user_pool_id,
                CLIENT_NAME,
            ))
            .await?;
        let client_id = app
            .user_pool_client()
            .and_then(|client| client.client_id())
            .ok_or_else(|| ExampleError::new("CreateUserPoolClient answered without a client id."))?
            .to_string();
        println!("Client id: {client_id}");
        let flows: Vec<&str> = create_user_pool_client::CUSTOM_AUTH_FLOWS
            .iter()
            .map(|flow| flow.as_str())
            .collect();
        println!("Sign-in flows: {} (no client secret)", flows.join(", "));
        Ok((
            Pool {
                user_pool_id,
                client_id,
            },
            pool_arn,
        ))
    }

    /// Step 2: one execution role for the four functions. They call no other
    /// service, so its policy allows writing their own log groups
    /// (`/aws/lambda/NAME-*`: this run's functions only) and nothing else.
    async fn role(&mut self, pool_arn: &str) -> Result<String, Stop> {
        let functions = format!("{}-*", self.name);
        let new_role = NewRole {
            role_name: &self.name,
            description: "Execution role of the custom-auth example's trigger functions",
            policy_name: POLICY_NAME,
            statements: Vec::new(),
            function_name: &functions,
            arn_in_account: pool_arn,
        };
        steps::role(&self.clients, &self.interrupt, &mut self.created, new_role).await
    }

    /// Step 3: the four functions, each active.
    async fn functions(
        &mut self,
        role_arn: &str,
        zips: Vec<(Vec<u8>, Architecture)>,
    ) -> Result<Vec<Deployed>, Stop> {
        let mut deployed = Vec::new();
        for (function, (zip, architecture)) in FUNCTIONS.into_iter().zip(zips) {
            let function_name = format!("{}-{}", self.name, function.suffix);
            println!("{} ({}):", function.trigger, function.package);
            let new_function = NewFunction {
                function_name: &function_name,
                role_arn,
                zip: &zip,
                architecture,
                environment: &[],
                description: function.description,
            };
            let mut created = Created::default();
            let arn =
                steps::function(&self.clients, &self.interrupt, &mut created, &new_function).await;
            // Recorded even when waiting for it failed: it exists.
            self.function_names.extend(created.function_name);
            deployed.push(Deployed {
                function,
                name: function_name,
                arn: arn?,
            });
        }
        Ok(deployed)
    }

    /// Step 4: Cognito may invoke each function for this pool only, and one
    /// UpdateUserPool (keeping the pool's settings) sets the four triggers.
    async fn attach(&self, pool: &Pool, pool_arn: &str, deployed: &[Deployed]) -> Result<(), Stop> {
        for function in deployed {
            self.call(function::allow_cognito(
                &self.clients.lambda,
                &function.name,
                pool_arn,
            ))
            .await?;
        }
        println!(
            "Cognito may invoke the four functions for this pool only (SourceArn {pool_arn})."
        );

        let arn_of = |trigger: &str| {
            deployed
                .iter()
                .find(|d| d.function.trigger == trigger)
                .map_or("", |d| d.arn.as_str())
        };
        let triggers = CustomAuthTriggers {
            define_auth_challenge: arn_of("DefineAuthChallenge"),
            create_auth_challenge: arn_of("CreateAuthChallenge"),
            verify_auth_challenge_response: arn_of("VerifyAuthChallengeResponse"),
            pre_sign_up: arn_of("PreSignUp"),
        };
        let config = self
            .interrupt
            .race(set_custom_auth_triggers(
                &self.clients.cognito,
                &pool.user_pool_id,
                &triggers,
            ))
            .await?
            .map_err(trigger_not_set)?;
        println!("The pool's triggers (UpdateUserPool, every other setting kept):");
        for (trigger, arn) in custom_auth_triggers_of(&config) {
            println!("  {trigger} trigger: {}", arn.unwrap_or("(not set)"));
        }
        Ok(())
    }

    /// Step 5: ask for a username, password and email, and sign the user up:
    /// the PreSignUp function confirms them and verifies their email.
    async fn sign_up(&self, pool: &Pool) -> Result<SignedUp, Stop> {
        let username = match (&self.args.username, &self.prompter) {
            (Some(username), _) => username.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Username:",
                        Some(USERNAME.to_string()),
                        "The user who signs up, then signs in",
                        check_username,
                    )
                    .await?
            }
            (None, None) => USERNAME.to_string(),
        };
        println!("Username: {username}");
        let default_email = format!("{username}@example.com");
        let email = match (&self.args.email, &self.prompter) {
            (Some(email), _) => email.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        &format!("Email address of {username}:"),
                        Some(default_email),
                        "Nothing is sent there: the PreSignUp function confirms the user",
                        check_email,
                    )
                    .await?
            }
            (None, None) => default_email,
        };
        println!("Email: {email}");
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

        loop {
            // SignUp is not abandoned on Ctrl-C: its answer says whether
            // there is a user (it goes with the pool in any case).
            let answer = sign_up::sign_up(
                &self.clients.cognito,
                &sign_up::NewUser {
                    client_id: &pool.client_id,
                    client_secret: None,
                    username: &username,
                    password: &password,
                    email: &email,
                },
            )
            .await;
            self.interrupt.check()?;
            let output = match (answer, &self.prompter) {
                (Ok(output), _) => output,
                (Err(err), Some(prompter)) if err.code() == Some("InvalidPasswordException") => {
                    println!("{}", ExampleError::from(err));
                    password = prompter.password(PASSWORD_HELP).await?;
                    continue;
                }
                (Err(err), _) => return Err(err.into()),
            };
            println!("Signed up {username}.");
            println!("Confirmed: {}", output.user_confirmed());
            match output.code_delivery_details() {
                None => println!("No confirmation code was sent."),
                Some(sent) => println!(
                    "A confirmation code was sent by {} to {}.",
                    sent.delivery_medium().map_or("(unknown)", |m| m.as_str()),
                    sent.destination().unwrap_or("(unknown)")
                ),
            }
            self.show_user(pool, &username).await?;
            if !output.user_confirmed() {
                return Err(ExampleError::new(format!(
                    "The PreSignUp function did not confirm {username}."
                ))
                .into());
            }
            return Ok(SignedUp { username, password });
        }
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

    /// Step 6: the custom sign-in, until it issues tokens. After a wrong
    /// answer, the person may start again; with `--non-interactive` the
    /// scenario stops there.
    async fn sign_in(&self, pool: &Pool, user: &SignedUp) -> Result<(), Stop> {
        loop {
            match self.custom_sign_in(pool, user).await? {
                SignIn::Tokens(tokens) => {
                    println!("Signed in {}: Cognito issued the tokens.", user.username);
                    for line in
                        example_cli::authentication_result_lines(&tokens, self.args.show_tokens)
                    {
                        println!("{line}");
                    }
                    return Ok(());
                }
                SignIn::Refused {
                    err,
                    question,
                    answer,
                } => {
                    println!("Cognito refused the sign-in: {err}");
                    println!(
                        "The VerifyAuthChallengeResponse function found {answer:?} wrong, so \
                         the DefineAuthChallenge function failed the sign-in."
                    );
                    let again = match &self.prompter {
                        Some(prompter) => {
                            prompter
                                .confirm(
                                    "Try again from the start (SRP, then both challenges)?",
                                    true,
                                )
                                .await?
                        }
                        None => false,
                    };
                    if !again {
                        return Err(ExampleError::new(format!(
                            "The sign-in failed: {answer:?} is not the answer to the {}, and \
                             Cognito refused the sign-in ({err}).",
                            question.name()
                        ))
                        .into());
                    }
                }
            }
        }
    }

    /// One custom sign-in: InitiateAuth `CUSTOM_AUTH` with `SRP_A`, the SRP
    /// proof for `PASSWORD_VERIFIER`, then one answer per `CUSTOM_CHALLENGE`.
    async fn custom_sign_in(&self, pool: &Pool, user: &SignedUp) -> Result<SignIn, Stop> {
        let cognito = &self.clients.cognito;
        let sign_in = SrpSignIn {
            user_pool_id: &pool.user_pool_id,
            client_id: &pool.client_id,
            client_secret: None,
            username: &user.username,
            password: &user.password,
            device: None,
        };
        println!("InitiateAuth: CUSTOM_AUTH, with SRP_A (CHALLENGE_NAME SRP_A)");
        let started = self
            .call(initiate_auth::start_custom_auth_with_srp(cognito, &sign_in))
            .await?;
        show_challenge(
            started.answer.challenge_name(),
            started.answer.challenge_parameters(),
        );
        let mut answer: RespondToAuthChallengeOutput = self
            .call(initiate_auth::prove_password(cognito, &sign_in, &started))
            .await?;
        println!("Password proved (PASSWORD_CLAIM_SIGNATURE); the password itself was never sent.");

        loop {
            if let Some(tokens) = answer.authentication_result() {
                return Ok(SignIn::Tokens(tokens.clone()));
            }
            show_challenge(answer.challenge_name(), answer.challenge_parameters());
            match answer.challenge_name() {
                Some(ChallengeNameType::CustomChallenge) => {}
                Some(other) => {
                    return Err(ExampleError::new(format!(
                        "Cognito asked for {}, which this scenario does not answer.",
                        other.as_str()
                    ))
                    .into());
                }
                None => {
                    return Err(ExampleError::new(
                        "Cognito answered with neither tokens nor a challenge.",
                    )
                    .into());
                }
            }
            let parameters = answer.challenge_parameters().cloned().unwrap_or_default();
            let question = Question::from_parameters(&parameters).map_err(ExampleError::new)?;
            let reply = self.ask(&question).await?;
            let session = answer
                .session()
                .ok_or_else(|| ExampleError::new("The challenge came without a session."))?;
            let custom = CustomAnswer {
                client_id: &pool.client_id,
                client_secret: None,
                username: parameters
                    .get("USERNAME")
                    .map_or(user.username.as_str(), String::as_str),
                answer: &reply,
                session,
            };
            answer = match self
                .interrupt
                .race(respond_to_auth_challenge::answer_custom_challenge(
                    cognito, &custom,
                ))
                .await?
            {
                Ok(next) => {
                    println!("Correct.");
                    next
                }
                Err(err) if err.code() == Some("NotAuthorizedException") => {
                    return Ok(SignIn::Refused {
                        err: err.into(),
                        question,
                        answer: reply,
                    });
                }
                Err(err) => return Err(err.into()),
            };
        }
    }

    /// The answer to one question: asked, or from the flags.
    async fn ask(&self, question: &Question) -> Result<String, Stop> {
        let (message, hint, flag) = match question {
            Question::Captcha { url } => (
                format!("What number does the captcha at {url} show?"),
                "Hint: 5 (any other answer fails the sign-in)",
                &self.args.captcha_answer,
            ),
            Question::Security { question } => (
                question.clone(),
                "Hint: Peccy (any other answer fails the sign-in)",
                &self.args.security_answer,
            ),
        };
        let answer = match &self.prompter {
            Some(prompter) => prompter.text(&message, None, hint, check_answer).await?,
            None => flag.clone(),
        };
        println!("Answer: {answer}");
        Ok(answer)
    }

    /// Step 7: remove what the scenario created: the pool first (nothing
    /// invokes the functions any more), the first function, the role (so no
    /// late log line creates a log group again), then every log group and
    /// the other functions. Returns whether everything went.
    async fn clean_up(&self) -> bool {
        let records = removal_records(&self.created, &self.function_names);
        if records
            .iter()
            .all(|record| cleanup::plan(record).is_empty())
        {
            return true;
        }
        heading(STEPS, "Remove everything the scenario created");
        let mut all_gone = true;
        for record in &records {
            all_gone &= steps::clean_up(&self.clients, record, false, || {}).await;
        }
        all_gone
    }

    /// Runs one SDK call, unless Ctrl-C comes first.
    async fn call<T, E>(&self, call: impl Future<Output = Result<T, E>>) -> Result<T, Stop>
    where
        Stop: From<E>,
    {
        Ok(self.interrupt.race(call).await??)
    }
}

/// What to remove, as `trigger-deployment`'s clean-up takes it (one function
/// per record): the pool, role and first function together, in the shared
/// plan's order (pool, function, role, log group), then each other function
/// and its log group, when the role is gone already.
fn removal_records(created: &Created, function_names: &[String]) -> Vec<Created> {
    let mut functions = function_names.iter().cloned();
    let first = Created {
        function_name: functions.next(),
        ..created.clone()
    };
    std::iter::once(first)
        .chain(functions.map(|function_name| Created {
            function_name: Some(function_name),
            ..Created::default()
        }))
        .collect()
}

/// Prints a challenge as it comes: its name and public parameters (the SRP
/// values only by name, they are long and mean nothing to a reader).
fn show_challenge(
    challenge: Option<&ChallengeNameType>,
    parameters: Option<&HashMap<String, String>>,
) {
    let Some(challenge) = challenge else {
        return;
    };
    println!("Challenge: {}", challenge.as_str());
    let mut parameters: Vec<(&String, &String)> = parameters.into_iter().flatten().collect();
    parameters.sort();
    if challenge == &ChallengeNameType::PasswordVerifier {
        let names: Vec<&str> = parameters.iter().map(|(name, _)| name.as_str()).collect();
        println!("  parameters: {}", names.join(", "));
        return;
    }
    for (name, value) in parameters {
        println!("  {name}: {value}");
    }
}

/// Setting the triggers failed at one of its two calls.
fn trigger_not_set(err: SetTriggerError) -> Stop {
    match err {
        SetTriggerError::Describe(err) => err.into(),
        SetTriggerError::Update(err) => err.into(),
        SetTriggerError::NoPool => {
            ExampleError::new("DescribeUserPool answered without the user pool.").into()
        }
    }
}

fn heading(step: u8, title: &str) {
    println!("\n[{step}/{STEPS}] {title}");
}

/// A password that meets Cognito's default policy (upper- and lower-case
/// letters, a number, a symbol, 36 characters), for non-interactive runs.
fn made_up_password() -> String {
    format!("Aa1-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientOutput;
    use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::DeleteUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::types::{UserPoolClientType, UserPoolType};
    use aws_sdk_iam::operation::create_role::CreateRoleOutput;
    use aws_sdk_iam::operation::delete_role::DeleteRoleOutput;
    use aws_sdk_iam::operation::delete_role_policy::DeleteRolePolicyOutput;
    use aws_sdk_iam::operation::put_role_policy::PutRolePolicyError;
    use aws_sdk_iam::types::Role;
    use aws_smithy_mocks::{Rule, RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;
    use clap::Parser;
    use trigger_deployment::cleanup::Removal;
    use trigger_deployment::test_clients::{mock_dynamodb, mock_iam, mock_lambda, mock_logs};

    const POOL_ID: &str = "us-east-1_custom";
    const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_custom";

    /// A folder like cargo-lambda's `target/lambda/`: one zip per function,
    /// each with an x86-64 Linux `bootstrap`.
    fn lambda_dir(name: &str) -> std::path::PathBuf {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[18] = 0x3e;
        let dir =
            std::env::temp_dir().join(format!("custom-auth-test-{name}-{}", std::process::id()));
        for function in &FUNCTIONS {
            let zip = lambda_dir_zip(&dir, function.package);
            std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
            std::fs::write(&zip, handler_zip::zip_bootstrap(&elf).unwrap()).unwrap();
        }
        dir
    }

    fn scenario(clients: Clients, args: &[&str]) -> Scenario {
        let args = Args::parse_from(std::iter::once("custom-auth").chain(args.iter().copied()));
        Scenario {
            clients,
            args,
            interrupt: Interrupt::listen(),
            prompter: None,
            offline: false,
            name: "custom-auth-test".into(),
            created: Created::default(),
            function_names: Vec::new(),
        }
    }

    fn pool_rules() -> (Rule, Rule, Rule) {
        let create = mock!(aws_sdk_cognitoidentityprovider::Client::create_user_pool)
            .match_requests(|req| req.pool_name() == Some("custom-auth-test"))
            .then_output(|| {
                CreateUserPoolOutput::builder()
                    .user_pool(UserPoolType::builder().id(POOL_ID).arn(POOL_ARN).build())
                    .build()
            });
        let client = mock!(aws_sdk_cognitoidentityprovider::Client::create_user_pool_client)
            .match_requests(|req| {
                req.user_pool_id() == Some(POOL_ID)
                    && req
                        .explicit_auth_flows()
                        .contains(&aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowCustomAuth)
            })
            .then_output(|| {
                CreateUserPoolClientOutput::builder()
                    .user_pool_client(UserPoolClientType::builder().client_id("client1").build())
                    .build()
            });
        let delete = mock!(aws_sdk_cognitoidentityprovider::Client::delete_user_pool)
            .match_requests(|req| req.user_pool_id() == Some(POOL_ID))
            .then_output(|| DeleteUserPoolOutput::builder().build());
        (create, client, delete)
    }

    fn clients(cognito: &[&Rule], iam: &[&Rule]) -> Clients {
        let none: [&Rule; 0] = [];
        let mut answers =
            aws_smithy_mocks::MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in cognito {
            answers = answers.with_rule(rule);
        }
        Clients {
            cognito: aws_sdk_cognitoidentityprovider::Client::from_conf(
                aws_sdk_cognitoidentityprovider::Config::builder()
                    .with_test_defaults()
                    .region(aws_sdk_cognitoidentityprovider::config::Region::new(
                        "us-east-1",
                    ))
                    .http_client(aws_smithy_mocks::create_mock_http_client())
                    .interceptor(answers)
                    .build(),
            ),
            dynamodb: mock_dynamodb(&none),
            iam: mock_iam(iam),
            lambda: mock_lambda(&none),
            logs: mock_logs(&none),
        }
    }

    #[tokio::test]
    async fn a_failed_step_is_one_line_and_what_was_created_before_it_is_removed() {
        let (create_pool, create_client, delete_pool) = pool_rules();
        let create_role = mock!(aws_sdk_iam::Client::create_role)
            .match_requests(|req| req.role_name() == Some("custom-auth-test"))
            .then_output(|| {
                CreateRoleOutput::builder()
                    .role(
                        Role::builder()
                            .path("/")
                            .role_name("custom-auth-test")
                            .role_id("AROAEXAMPLE")
                            .arn("arn:aws:iam::111122223333:role/custom-auth-test")
                            .create_date(aws_smithy_types::DateTime::from_secs(0))
                            .build()
                            .unwrap(),
                    )
                    .build()
            });
        // The policy names this run's log groups, in the pool's account and Region.
        let refuse_policy = mock!(aws_sdk_iam::Client::put_role_policy)
            .match_requests(|req| {
                req.policy_document().is_some_and(|policy| {
                    policy.contains(
                        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/custom-auth-test-*",
                    )
                })
            })
            .then_error(|| {
                PutRolePolicyError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDenied")
                        .message("User is not authorized to perform: iam:PutRolePolicy")
                        .build(),
                )
            });
        let delete_policy = mock!(aws_sdk_iam::Client::delete_role_policy)
            .then_output(|| DeleteRolePolicyOutput::builder().build());
        let delete_role = mock!(aws_sdk_iam::Client::delete_role)
            .match_requests(|req| req.role_name() == Some("custom-auth-test"))
            .then_output(|| DeleteRoleOutput::builder().build());
        let dir = lambda_dir("policy");
        let mut scenario = scenario(
            clients(
                &[&create_pool, &create_client, &delete_pool],
                &[&create_role, &refuse_policy, &delete_policy, &delete_role],
            ),
            &["--non-interactive", "--lambda-dir", dir.to_str().unwrap()],
        );

        let Err(Stop::Failed(err)) = scenario.steps().await else {
            panic!("the scenario should have failed");
        };
        assert_eq!(
            err.to_string(),
            "AccessDenied: User is not authorized to perform: iam:PutRolePolicy"
        );
        assert_eq!(scenario.created.user_pool_id.as_deref(), Some(POOL_ID));
        assert!(scenario.function_names.is_empty());
        assert!(scenario.clean_up().await, "everything removed");
        assert_eq!(delete_policy.num_calls(), 0, "the policy was never put");
        assert_eq!(
            (
                create_client.num_calls(),
                delete_role.num_calls(),
                delete_pool.num_calls()
            ),
            (1, 1, 1)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn without_zips_against_aws_nothing_is_created() {
        let (create_pool, create_client, delete_pool) = pool_rules();
        let mut scenario = scenario(
            clients(&[&create_pool, &create_client, &delete_pool], &[]),
            &["--non-interactive"],
        );
        if FUNCTIONS
            .iter()
            .all(|f| handler_zip::cargo_lambda_zip(f.package).is_some())
        {
            eprintln!("skipped: cargo-lambda zips of the functions are in target/lambda");
            return;
        }

        let Err(Stop::Failed(err)) = scenario.steps().await else {
            panic!("the scenario should have failed");
        };
        let err = err.to_string();
        assert!(err.starts_with("No cargo-lambda zip of "), "{err}");
        assert!(err.contains("cargo lambda build --release"), "{err}");
        assert!(err.contains("--build-handlers"), "{err}");
        assert_eq!(create_pool.num_calls(), 0);
        assert_eq!(scenario.created, Created::default());
        assert!(scenario.clean_up().await);
    }

    #[test]
    fn the_pool_goes_first_and_every_log_group_after_the_role() {
        let created = Created {
            user_pool_id: Some(POOL_ID.into()),
            role_name: Some("r".into()),
            role_policy_name: Some("p".into()),
            ..Created::default()
        };
        let functions: Vec<String> = ["f-define", "f-create"].map(String::from).to_vec();
        let removals: Vec<Removal> = removal_records(&created, &functions)
            .iter()
            .flat_map(cleanup::plan)
            .collect();
        assert_eq!(
            removals,
            [
                Removal::UserPool {
                    user_pool_id: POOL_ID.into()
                },
                Removal::Function {
                    function_name: "f-define".into()
                },
                Removal::RolePolicy {
                    role_name: "r".into(),
                    policy_name: "p".into()
                },
                Removal::Role {
                    role_name: "r".into()
                },
                Removal::LogGroup {
                    log_group: "/aws/lambda/f-define".into()
                },
                Removal::Function {
                    function_name: "f-create".into()
                },
                Removal::LogGroup {
                    log_group: "/aws/lambda/f-create".into()
                },
            ]
        );

        // Before any function: the pool and the role only.
        let removals: Vec<Removal> = removal_records(&created, &[])
            .iter()
            .flat_map(cleanup::plan)
            .collect();
        assert_eq!(removals.len(), 3, "{removals:?}");
        // Nothing created, nothing to remove.
        assert!(
            removal_records(&Created::default(), &[])
                .iter()
                .all(|record| cleanup::plan(record).is_empty())
        );
    }

    #[test]
    fn the_questions_come_from_the_public_parameters() {
        let params = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            Question::from_parameters(&params(&[
                ("captchaUrl", "url/123.jpg"),
                ("USERNAME", "alice")
            ])),
            Ok(Question::Captcha {
                url: "url/123.jpg".into()
            })
        );
        assert_eq!(
            Question::from_parameters(&params(&[(
                "securityQuestion",
                "Who is your favorite team mascot?"
            )])),
            Ok(Question::Security {
                question: "Who is your favorite team mascot?".into()
            })
        );
        assert_eq!(
            Question::from_parameters(&params(&[("USERNAME", "alice"), ("colour", "?")])),
            Err(
                "The custom challenge has neither a captchaUrl nor a securityQuestion \
                 parameter (it has: USERNAME, colour)."
                    .into()
            )
        );
    }

    #[test]
    fn made_up_passwords_meet_the_default_policy_and_differ() {
        let first = made_up_password();
        assert!(first.len() >= 8);
        assert!(first.chars().any(|c| c.is_ascii_uppercase()));
        assert!(first.chars().any(|c| c.is_ascii_lowercase()));
        assert!(first.chars().any(|c| c.is_ascii_digit()));
        assert!(first.chars().any(|c| !c.is_ascii_alphanumeric()));
        assert_ne!(first, made_up_password());
    }
}
