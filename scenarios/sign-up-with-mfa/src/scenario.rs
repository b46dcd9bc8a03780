//! The eight steps of the scenario, in the order they run. Each SDK call is
//! one of the single-action examples' functions; what this file adds is the
//! order, the questions, and what to do when an answer is wrong.

use std::future::Future;
use std::process::ExitCode;

use associate_software_token::Credential as AssociateWith;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthenticationResultType, ChallengeNameType, UserPoolMfaType, UserPoolType,
};
use example_cli::{ExampleError, shorten};
use initiate_auth::{RememberedDevice, SrpSignIn};
use sign_up_with_mfa::authenticator::Authenticator;
use sign_up_with_mfa::cleanup::{self, Created, CreatedUser, Removal};
use verify_software_token::Credential as VerifyWith;

use example_cli::scenario::{self, Interrupt, Prompter, Stop};

use crate::{Args, input};

/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "sign-up-with-mfa";
/// What authenticator apps show above the account name.
const ISSUER: &str = "Cognito examples";
/// The name Cognito keeps for the authenticator app and for the device.
const DEVICE_NAME: &str = "sign-up-with-mfa scenario";
/// Shown under the password question.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
/// How many users step 4 lists before it just counts the rest.
const USERS_LISTED: usize = 10;

// snippet-start:[rust.cognito-idp.Scenario_SignUpUserWithMfa]
/// Runs the scenario, cleans up, and says how it went.
pub async fn run(client: &Client, args: Args) -> ExitCode {
    let interrupt = Interrupt::listen();
    let prompter = (!args.non_interactive).then(|| Prompter::new(interrupt.clone()));
    let mut scenario = Scenario {
        client,
        args,
        interrupt,
        prompter,
        created: Created::default(),
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up(&outcome).await;
    scenario::exit_code(outcome, cleaned_up)
}

/// The user pool and app client the scenario works with.
struct Pool {
    user_pool_id: String,
    client_id: String,
    client_secret: Option<String>,
}

/// The user the scenario signed up.
struct NewUser {
    username: String,
    password: String,
    confirmed: bool,
}

struct Scenario<'a> {
    client: &'a Client,
    args: Args,
    interrupt: Interrupt,
    /// The person at the terminal; `None` with `--non-interactive`.
    prompter: Option<Prompter>,
    /// What to clean up.
    created: Created,
}

impl Scenario<'_> {
    /// The steps in order; each one is a method below.
    async fn steps(&mut self) -> Result<(), Stop> {
        heading(1, "A user pool that requires MFA, and an app client");
        let pool = self.pool_and_client().await?;

        heading(2, "Sign up");
        let user = self.sign_up(&pool).await?;

        heading(3, "Confirm the user");
        self.confirm(&pool, &user).await?;

        heading(4, "The pool's users");
        self.show_users(&pool, &user).await?;

        heading(5, "Sign in and set up an authenticator app (MFA_SETUP)");
        let mut app = self.set_up_authenticator(&pool, &user).await?;

        heading(6, "Sign in with a code from the app (SOFTWARE_TOKEN_MFA)");
        let tokens = self.sign_in_with_code(&pool, &user, &mut app).await?;

        heading(
            7,
            "Remember this device, then sign in from it without a code",
        );
        self.remember_device(&pool, &user, &tokens).await
    }

    /// Step 1: create the pool (MFA required, devices tracked) and an app
    /// client, or check the ones given with flags.
    async fn pool_and_client(&mut self) -> Result<Pool, Stop> {
        if let (Some(user_pool_id), Some(client_id)) =
            (&self.args.user_pool_id, &self.args.client_id)
        {
            let described = self
                .call(update_user_pool::describe_user_pool(
                    self.client,
                    user_pool_id,
                ))
                .await?;
            if let Some(pool) = described.user_pool() {
                check_given_pool(user_pool_id, pool)?;
            }
            println!("Using the pool and app client given with --user-pool-id and --client-id.");
            println!("User pool id: {user_pool_id}");
            println!("Client id: {client_id}");
            return Ok(Pool {
                user_pool_id: user_pool_id.clone(),
                client_id: client_id.clone(),
                client_secret: self.args.client_secret.clone(),
            });
        }

        let default_name = format!("sign-up-with-mfa-{}", random_suffix());
        let name = match (&self.args.pool_name, &self.prompter) {
            (Some(name), _) => name.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Name of the new user pool:",
                        Some(default_name),
                        "A new name for every run, so an interrupted run never gets in the way",
                        input::check_pool_name,
                    )
                    .await?
            }
            (None, None) => default_name,
        };

        // CreateUserPool is not abandoned on Ctrl-C: its answer says what to delete.
        let created = create_user_pool::create_user_pool(self.client, &name, true).await?;
        let user_pool_id = created
            .user_pool()
            .and_then(|pool| pool.id())
            .ok_or_else(|| ExampleError::new("CreateUserPool answered without a user pool id."))?
            .to_string();
        self.created.user_pool_id = Some(user_pool_id.clone());
        println!("Created user pool {name}.");
        println!("User pool id: {user_pool_id}");
        self.interrupt.check()?;

        // CreateUserPool cannot require MFA by authenticator app by itself.
        self.call(set_user_pool_mfa_config::set_user_pool_mfa_config(
            self.client,
            &user_pool_id,
            UserPoolMfaType::On,
        ))
        .await?;
        println!("MFA: required, with authenticator apps. Device tracking: on.");

        let app = self
            .call(create_user_pool_client::create_user_pool_client(
                self.client,
                &user_pool_id,
                CLIENT_NAME,
                false,
            ))
            .await?;
        let client_id = app
            .user_pool_client()
            .and_then(|client| client.client_id())
            .ok_or_else(|| ExampleError::new("CreateUserPoolClient answered without a client id."))?
            .to_string();
        println!("Client id: {client_id}");
        Ok(Pool {
            user_pool_id,
            client_id,
            client_secret: None,
        })
    }

    /// Step 2: sign the user up, asking again for what Cognito refuses.
    async fn sign_up(&mut self, pool: &Pool) -> Result<NewUser, Stop> {
        let default_username = format!("user-{}", random_suffix());
        let mut username = match (&self.args.username, &self.prompter) {
            (Some(username), _) => username.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Username:",
                        Some(default_username),
                        "The name the user signs in with",
                        input::check_username,
                    )
                    .await?
            }
            (None, None) => default_username,
        };
        let mut email = match (&self.args.email, &self.prompter) {
            (Some(email), _) => email.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Email address:",
                        None,
                        "Cognito sends the confirmation code there",
                        input::check_email,
                    )
                    .await?
            }
            (None, None) => format!("{username}@example.com"),
        };
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
            // SignUp is not abandoned on Ctrl-C: its answer says whether there
            // is a user to delete.
            let answer = sign_up::sign_up(
                self.client,
                &sign_up::NewUser {
                    client_id: &pool.client_id,
                    username: &username,
                    password: &password,
                    email: &email,
                    client_secret: pool.client_secret.as_deref(),
                },
            )
            .await;
            let err = match answer {
                Ok(output) => {
                    self.created.user = Some(CreatedUser {
                        user_pool_id: pool.user_pool_id.clone(),
                        username: username.clone(),
                    });
                    println!("Signed up {username}.");
                    println!("Confirmed: {}", output.user_confirmed());
                    if let Some(sent) = output.code_delivery_details() {
                        println!(
                            "Confirmation code sent by {} to {}.",
                            sent.delivery_medium().map_or("(unknown)", |m| m.as_str()),
                            sent.destination().unwrap_or("(unknown)")
                        );
                    }
                    self.interrupt.check()?;
                    return Ok(NewUser {
                        username,
                        password,
                        confirmed: output.user_confirmed(),
                    });
                }
                Err(err) => ExampleError::from(err),
            };
            self.interrupt.check()?;
            let Some(prompter) = &self.prompter else {
                return Err(err.into());
            };
            match err.code() {
                Some("InvalidPasswordException") => {
                    println!("{err}");
                    password = prompter.password(PASSWORD_HELP).await?;
                }
                Some("UsernameExistsException") => {
                    println!("{err}");
                    username = prompter
                        .text(
                            "Another username:",
                            Some(format!("user-{}", random_suffix())),
                            "The name the user signs in with",
                            input::check_username,
                        )
                        .await?;
                }
                Some("InvalidParameterException") if err.to_string().contains("email") => {
                    println!("{err}");
                    email = prompter
                        .text(
                            "Email address:",
                            None,
                            "Cognito sends the confirmation code there",
                            input::check_email,
                        )
                        .await?;
                }
                _ => return Err(err.into()),
            }
        }
    }

    /// Step 3: confirm the user: with the emailed code when a person is
    /// there, as an administrator (AdminConfirmSignUp) otherwise.
    async fn confirm(&self, pool: &Pool, user: &NewUser) -> Result<(), Stop> {
        if user.confirmed {
            println!("Cognito confirmed the user at sign-up: nothing to do.");
            return Ok(());
        }
        let Some(prompter) = &self.prompter else {
            self.call(admin_confirm_sign_up::admin_confirm_sign_up(
                self.client,
                &pool.user_pool_id,
                &user.username,
            ))
            .await?;
            println!("Confirmed the user with AdminConfirmSignUp, without the emailed code.");
            println!("Confirmed: true");
            return Ok(());
        };
        loop {
            let answer = prompter
                .text(
                    "Confirmation code:",
                    None,
                    "The six digits Cognito emailed; type resend for a new code",
                    |answer| {
                        if answer.eq_ignore_ascii_case("resend") {
                            Ok(())
                        } else {
                            input::check_code(answer)
                        }
                    },
                )
                .await?;
            if answer.eq_ignore_ascii_case("resend") {
                let sent = self
                    .call(resend_confirmation_code::resend_confirmation_code(
                        self.client,
                        &pool.client_id,
                        &user.username,
                        pool.client_secret.as_deref(),
                    ))
                    .await?;
                let to = sent
                    .code_delivery_details()
                    .and_then(|sent| sent.destination())
                    .unwrap_or("the user's email address");
                println!("A new code is on its way to {to}.");
                continue;
            }
            let answer = self
                .interrupt
                .race(confirm_sign_up::confirm_sign_up(
                    self.client,
                    &pool.client_id,
                    &user.username,
                    &answer,
                    pool.client_secret.as_deref(),
                ))
                .await?;
            match answer.map_err(ExampleError::from) {
                Ok(_) => {
                    println!("Confirmed: true");
                    return Ok(());
                }
                Err(err) if err.code() == Some("CodeMismatchException") => {
                    println!("{err}");
                    println!("Type the code again, or resend for a new one.");
                }
                Err(err) if err.code() == Some("ExpiredCodeException") => {
                    println!("{err}");
                    if prompter.confirm("Send a new code?", true).await? {
                        self.call(resend_confirmation_code::resend_confirmation_code(
                            self.client,
                            &pool.client_id,
                            &user.username,
                            pool.client_secret.as_deref(),
                        ))
                        .await?;
                        println!("A new code is on its way.");
                    }
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Step 4: ListUsers, then AdminGetUser for the new user.
    async fn show_users(&self, pool: &Pool, user: &NewUser) -> Result<(), Stop> {
        let users = self
            .call(list_users::list_users(
                self.client,
                &pool.user_pool_id,
                None,
            ))
            .await?;
        println!("{} user(s) in the pool:", users.len());
        for listed in users.iter().take(USERS_LISTED) {
            println!(
                "  {}  {}  {}",
                listed.username().unwrap_or("(no username)"),
                listed.user_status().map_or("(unknown)", |s| s.as_str()),
                list_users::attribute(listed, "email").unwrap_or("(no email)")
            );
        }
        if users.len() > USERS_LISTED {
            println!("  ... and {} more", users.len() - USERS_LISTED);
        }

        let found = self
            .call(admin_get_user::admin_get_user(
                self.client,
                &pool.user_pool_id,
                &user.username,
            ))
            .await?;
        println!("The new user, with AdminGetUser:");
        println!("Username: {}", found.username());
        println!(
            "User status: {}",
            found.user_status().map_or("(unknown)", |s| s.as_str())
        );
        println!("Enabled: {}", found.enabled());
        println!(
            "Email: {} (verified: {})",
            admin_get_user::attribute(&found, "email").unwrap_or("(none)"),
            admin_get_user::attribute(&found, "email_verified").unwrap_or("false")
        );
        Ok(())
    }

    /// Step 5: the first sign-in answers MFA_SETUP; add an authenticator
    /// app with AssociateSoftwareToken and VerifySoftwareToken.
    ///
    /// Returns the stand-in authenticator of a non-interactive run, which
    /// step 6 needs for its code.
    async fn set_up_authenticator(
        &self,
        pool: &Pool,
        user: &NewUser,
    ) -> Result<Option<Authenticator>, Stop> {
        // Each pass is one sign-in; a new one starts when its session can no
        // longer be used (it lasts three minutes).
        loop {
            let session = self
                .start_sign_in(pool, user, ChallengeNameType::MfaSetup)
                .await?;
            let associated = self
                .call(associate_software_token::associate_software_token(
                    self.client,
                    AssociateWith::Session(&session),
                ))
                .await?;
            let secret = associated.secret_code().ok_or_else(|| {
                ExampleError::new("AssociateSoftwareToken answered without a secret code.")
            })?;
            let session = associated.session().ok_or_else(|| {
                ExampleError::new("AssociateSoftwareToken answered without a session.")
            })?;
            self.show_secret(secret, &user.username)?;
            let mut app = match &self.prompter {
                Some(_) => None,
                None => Some(Authenticator::new(secret)?),
            };

            loop {
                let code = self.totp_code(&mut app).await?;
                let answer = self
                    .interrupt
                    .race(verify_software_token::verify_software_token(
                        self.client,
                        VerifyWith::Session(session),
                        &code,
                        Some(DEVICE_NAME),
                    ))
                    .await?;
                let err = match answer {
                    Ok(verified) => {
                        println!(
                            "Authenticator app verified: {}",
                            verified.status().map_or("(no status)", |s| s.as_str())
                        );
                        return Ok(app);
                    }
                    Err(err) => ExampleError::from(err),
                };
                if self.prompter.is_none() {
                    return Err(err.into());
                }
                match err.code() {
                    Some("EnableSoftwareTokenMFAException" | "CodeMismatchException") => {
                        println!("{err}");
                        println!("Type the code the app shows now.");
                    }
                    Some("NotAuthorizedException") => {
                        println!("{err}");
                        println!(
                            "This sign-in's session can no longer be used: signing in again. \
                             Remove the old entry from the app and add the new secret."
                        );
                        break;
                    }
                    _ => return Err(err.into()),
                }
            }
        }
    }

    /// Step 6: sign in again; Cognito answers SOFTWARE_TOKEN_MFA, the code
    /// from the app gets the tokens and the new device's metadata.
    async fn sign_in_with_code(
        &self,
        pool: &Pool,
        user: &NewUser,
        app: &mut Option<Authenticator>,
    ) -> Result<AuthenticationResultType, Stop> {
        loop {
            let session = self
                .start_sign_in(pool, user, ChallengeNameType::SoftwareTokenMfa)
                .await?;
            loop {
                let code = self.totp_code(app).await?;
                let answer = self
                    .interrupt
                    .race(
                        admin_respond_to_auth_challenge::admin_respond_to_auth_challenge(
                            self.client,
                            &admin_respond_to_auth_challenge::MfaAnswer {
                                user_pool_id: &pool.user_pool_id,
                                client_id: &pool.client_id,
                                username: &user.username,
                                code: &code,
                                session: &session,
                                client_secret: pool.client_secret.as_deref(),
                            },
                        ),
                    )
                    .await?;
                let err = match answer {
                    Ok(answered) => {
                        let tokens = answered.authentication_result().ok_or_else(|| {
                            ExampleError::new(format!(
                                "Cognito answered the code with the {} challenge instead of tokens.",
                                answered.challenge_name().map_or("(none)", |c| c.as_str())
                            ))
                        })?;
                        println!("Signed in.");
                        self.print_tokens(tokens);
                        if let Some(device) = tokens.new_device_metadata() {
                            println!("New device:");
                            println!("Device key: {}", device.device_key().unwrap_or("(none)"));
                            println!(
                                "Device group key: {}",
                                device.device_group_key().unwrap_or("(none)")
                            );
                        }
                        return Ok(tokens.clone());
                    }
                    Err(err) => ExampleError::from(err),
                };
                if self.prompter.is_none() {
                    return Err(err.into());
                }
                match err.code() {
                    Some("CodeMismatchException") => {
                        println!("{err}");
                        println!(
                            "Each code works once: if you just used this one, wait for the next."
                        );
                    }
                    Some("NotAuthorizedException") => {
                        println!("{err}");
                        println!("This sign-in's session can no longer be used: signing in again.");
                        break;
                    }
                    _ => return Err(err.into()),
                }
            }
        }
    }

    /// Step 7: ConfirmDevice with an SRP verifier of a password the device
    /// makes up, then an SRP sign-in from the remembered device: Cognito
    /// asks the device to prove itself instead of asking for an MFA code.
    async fn remember_device(
        &self,
        pool: &Pool,
        user: &NewUser,
        tokens: &AuthenticationResultType,
    ) -> Result<(), Stop> {
        let Some(device) = tokens.new_device_metadata() else {
            println!(
                "Cognito sent no new-device metadata (the pool does not track devices): \
                 nothing to remember."
            );
            return Ok(());
        };
        let (Some(device_key), Some(device_group_key)) =
            (device.device_key(), device.device_group_key())
        else {
            return Err(ExampleError::new("The new-device metadata lacks a key.").into());
        };
        let access_token = tokens
            .access_token()
            .ok_or_else(|| ExampleError::new("The sign-in answered without an access token."))?;

        let secrets = confirm_device::new_device_secrets(device_group_key, device_key);
        let confirmed = self
            .call(confirm_device::confirm_device(
                self.client,
                access_token,
                device_key,
                secrets.verifier_config,
                Some(DEVICE_NAME),
            ))
            .await?;
        println!("Device confirmed: Cognito keeps an SRP verifier of the device's password.");
        println!("Device password: {}", self.secret(&secrets.password));
        if confirmed.user_confirmation_necessary() {
            println!(
                "User confirmation necessary: true. This pool remembers a device only when \
                 the user asks (UpdateDeviceStatus), so the next sign-in would still need a code."
            );
            return Ok(());
        }

        let sign_in = SrpSignIn {
            user_pool_id: &pool.user_pool_id,
            client_id: &pool.client_id,
            client_secret: pool.client_secret.as_deref(),
            username: &user.username,
            password: &user.password,
            device: Some(RememberedDevice {
                key: device_key,
                group_key: device_group_key,
                password: &secrets.password,
            }),
        };
        let answer = self
            .interrupt
            .race(initiate_auth::sign_in_with_srp(self.client, &sign_in))
            .await??;
        match answer.authentication_result() {
            Some(tokens) => {
                println!(
                    "Signed in with USER_SRP_AUTH from the remembered device: no MFA code asked."
                );
                self.print_tokens(tokens);
                Ok(())
            }
            None => Err(ExampleError::new(format!(
                "Cognito asked for {} although the device is remembered.",
                answer.challenge_name().map_or("(nothing)", |c| c.as_str())
            ))
            .into()),
        }
    }

    /// Step 8: remove what the scenario created (asking first when a person
    /// is there), unless `--keep`. Returns whether everything went.
    async fn clean_up(&self, outcome: &Result<(), Stop>) -> bool {
        let removals = cleanup::plan(&self.created);
        if removals.is_empty() {
            return true;
        }
        heading(8, "Clean up");
        let what = removals
            .iter()
            .map(Removal::describe)
            .collect::<Vec<_>>()
            .join(" and ");
        if self.args.keep {
            println!("Kept (--keep): {what}.");
            print_how_to_delete(&removals);
            return true;
        }
        let interrupted = matches!(outcome, Err(Stop::Interrupted)) || self.interrupt.raised();
        if let (Some(prompter), false, false) = (&self.prompter, self.args.yes, interrupted) {
            match prompter.confirm(&format!("Delete {what}?"), true).await {
                Ok(true) => {}
                Ok(false) => {
                    println!("Kept: {what}.");
                    print_how_to_delete(&removals);
                    return true;
                }
                Err(_) => println!("Interrupted: deleting anyway."),
            }
        }
        // Not raced against the Ctrl-C that may have stopped the steps
        // (cleaning up is what it asks for), only against another one.
        let presses = self.interrupt.presses();
        let mut all_gone = true;
        for removal in &removals {
            let removed = match removal {
                Removal::UserPool { user_pool_id } => {
                    let deleting = delete_user_pool::delete_user_pool(self.client, user_pool_id);
                    self.interrupt
                        .race_beyond(presses, deleting)
                        .await
                        .map(|result| result.map(drop).map_err(ExampleError::from))
                }
                Removal::User {
                    user_pool_id,
                    username,
                } => {
                    let deleting = cleanup::admin_delete_user(self.client, user_pool_id, username);
                    self.interrupt
                        .race_beyond(presses, deleting)
                        .await
                        .map(|result| result.map(drop).map_err(ExampleError::from))
                }
            };
            match removed {
                Ok(Ok(())) => println!("Deleted {}.", removal.describe()),
                Ok(Err(err)) => {
                    eprintln!("error: could not delete {}: {err}", removal.describe());
                    all_gone = false;
                }
                Err(_) => {
                    eprintln!("Stopped cleaning up: {} is left.", removal.describe());
                    all_gone = false;
                    break;
                }
            }
        }
        if !all_gone {
            print_how_to_delete(&removals);
        }
        all_gone
    }

    /// Starts a sign-in with AdminInitiateAuth and returns the session of
    /// the challenge it must answer with.
    async fn start_sign_in(
        &self,
        pool: &Pool,
        user: &NewUser,
        expected: ChallengeNameType,
    ) -> Result<String, Stop> {
        let started = self
            .call(admin_initiate_auth::admin_initiate_auth(
                self.client,
                &admin_initiate_auth::AdminSignIn {
                    user_pool_id: &pool.user_pool_id,
                    client_id: &pool.client_id,
                    username: &user.username,
                    password: &user.password,
                    client_secret: pool.client_secret.as_deref(),
                },
            ))
            .await?;
        let challenge = started.challenge_name();
        println!(
            "Challenge: {}",
            challenge.map_or("(none: signed in)", |c| c.as_str())
        );
        if challenge != Some(&expected) {
            return Err(ExampleError::new(format!(
                "Expected the {} challenge. Does the pool require MFA with authenticator apps?",
                expected.as_str()
            ))
            .into());
        }
        Ok(started
            .session()
            .ok_or_else(|| ExampleError::new("Cognito sent a challenge without a session."))?
            .to_string())
    }

    /// Shows the TOTP secret: as a QR code and in full to a person who must
    /// put it into an app; shortened (unless `--show-secret`) otherwise.
    fn show_secret(&self, secret: &str, username: &str) -> Result<(), Stop> {
        if self.prompter.is_none() {
            println!("Secret: {}", self.secret(secret));
            return Ok(());
        }
        // A colon separates issuer and account in the app's label.
        let account = username.replace(':', "_");
        let uri = associate_software_token::otpauth_uri(secret, &account, ISSUER)?;
        println!("Scan this QR code with your authenticator app:");
        println!("{}", associate_software_token::qr_code(&uri)?);
        println!("Or type this secret into the app:");
        println!("Secret: {secret}");
        Ok(())
    }

    /// The next TOTP code: asked from the person, or computed by the stand-in app.
    async fn totp_code(&self, app: &mut Option<Authenticator>) -> Result<String, Stop> {
        match (app, &self.prompter) {
            (Some(app), _) => {
                let wait = app.wait();
                if !wait.is_zero() {
                    println!(
                        "Waiting {} s for the next code (Cognito accepts each code once).",
                        wait.as_secs()
                    );
                }
                self.interrupt.race(app.next_code()).await
            }
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Code from the authenticator app:",
                        None,
                        "Six digits; a new one every 30 seconds",
                        input::check_code,
                    )
                    .await
            }
            (None, None) => Err(ExampleError::new("No authenticator to take a code from.").into()),
        }
    }

    fn print_tokens(&self, tokens: &AuthenticationResultType) {
        let show = |token: &str| {
            if self.args.show_tokens {
                token.to_string()
            } else {
                shorten(token)
            }
        };
        if let Some(token) = tokens.access_token() {
            println!("Access token: {}", show(token));
        }
        if let Some(token) = tokens.id_token() {
            println!("ID token: {}", show(token));
        }
        if let Some(token) = tokens.refresh_token() {
            println!("Refresh token: {}", show(token));
        }
    }

    /// A secret as it may be printed: in full only with `--show-secret`.
    fn secret(&self, secret: &str) -> String {
        if self.args.show_secret {
            secret.to_string()
        } else {
            shorten(secret)
        }
    }

    /// Runs one SDK call, unless Ctrl-C comes first.
    async fn call<T, E>(&self, call: impl Future<Output = Result<T, E>>) -> Result<T, Stop>
    where
        Stop: From<E>,
    {
        Ok(self.interrupt.race(call).await??)
    }
}

/// A pool given with `--user-pool-id` must require MFA, or step 5 cannot happen.
fn check_given_pool(user_pool_id: &str, pool: &UserPoolType) -> Result<(), ExampleError> {
    let mfa = pool.mfa_configuration();
    if mfa != Some(&UserPoolMfaType::On) {
        return Err(ExampleError::new(format!(
            "User pool {user_pool_id} does not require MFA (MFA configuration: {}). \
             Leave out --user-pool-id and --client-id to have a pool created that does.",
            mfa.map_or("OFF", |m| m.as_str())
        )));
    }
    if pool.device_configuration().is_none() {
        println!(
            "User pool {user_pool_id} does not track devices: step 7 will have nothing to do."
        );
    }
    Ok(())
}

fn print_how_to_delete(removals: &[Removal]) {
    for removal in removals {
        match removal {
            Removal::UserPool { user_pool_id } => println!(
                "Delete it later with: cargo run -p delete-user-pool -- --user-pool-id {user_pool_id}"
            ),
            Removal::User { .. } => {
                println!("Delete the user later with AdminDeleteUser (or in the console).")
            }
        }
    }
}

fn heading(step: u8, title: &str) {
    println!("\n[{step}/8] {title}");
}

/// Eight random hex digits, for names that no earlier run has used.
fn random_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// A password that meets Cognito's default policy (upper- and lower-case
/// letters, a number, a symbol, 36 characters), for non-interactive runs.
fn made_up_password() -> String {
    format!("Aa1-{}", uuid::Uuid::new_v4().simple())
}
// snippet-end:[rust.cognito-idp.Scenario_SignUpUserWithMfa]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::DeleteUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::SetUserPoolMfaConfigError;
    use aws_sdk_cognitoidentityprovider::types::DeviceConfigurationType;
    use aws_sdk_cognitoidentityprovider::types::error::InvalidParameterException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use clap::Parser;

    #[tokio::test]
    async fn a_step_that_fails_still_deletes_the_pool_created_before_it() {
        let create = mock!(Client::create_user_pool)
            .match_requests(|req| req.pool_name() == Some("scenario-test"))
            .then_output(|| {
                CreateUserPoolOutput::builder()
                    .user_pool(UserPoolType::builder().id("us-east-1_made").build())
                    .build()
            });
        let refuse_mfa = mock!(Client::set_user_pool_mfa_config).then_error(|| {
            SetUserPoolMfaConfigError::InvalidParameterException(
                InvalidParameterException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidParameterException")
                            .message("MFA cannot be turned on.")
                            .build(),
                    )
                    .build(),
            )
        });
        let delete = mock!(Client::delete_user_pool)
            .match_requests(|req| req.user_pool_id() == Some("us-east-1_made"))
            .then_output(|| DeleteUserPoolOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&create, &refuse_mfa, &delete]
        );
        let args = Args::parse_from([
            "sign-up-with-mfa",
            "--non-interactive",
            "--pool-name",
            "scenario-test",
        ]);

        let code = run(&client, args).await;

        assert_eq!(code, ExitCode::FAILURE);
        assert_eq!(create.num_calls(), 1);
        assert_eq!(refuse_mfa.num_calls(), 1);
        assert_eq!(
            delete.num_calls(),
            1,
            "the pool is deleted after the failure"
        );
    }

    #[tokio::test]
    async fn with_keep_a_failure_deletes_nothing() {
        let create = mock!(Client::create_user_pool).then_output(|| {
            CreateUserPoolOutput::builder()
                .user_pool(UserPoolType::builder().id("us-east-1_made").build())
                .build()
        });
        let refuse_mfa = mock!(Client::set_user_pool_mfa_config).then_error(|| {
            SetUserPoolMfaConfigError::InvalidParameterException(
                InvalidParameterException::builder().build(),
            )
        });
        let delete =
            mock!(Client::delete_user_pool).then_output(|| DeleteUserPoolOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&create, &refuse_mfa, &delete]
        );
        let args = Args::parse_from(["sign-up-with-mfa", "--non-interactive", "--keep"]);

        assert_eq!(run(&client, args).await, ExitCode::FAILURE);
        assert_eq!(delete.num_calls(), 0);
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

    #[test]
    fn every_run_gets_a_new_pool_name() {
        let (a, b) = (random_suffix(), random_suffix());
        assert_eq!(a.len(), 8);
        assert_ne!(a, b);
        assert!(input::check_pool_name(&format!("sign-up-with-mfa-{a}")).is_ok());
    }

    #[test]
    fn a_given_pool_must_require_mfa() {
        let optional = UserPoolType::builder()
            .mfa_configuration(UserPoolMfaType::Optional)
            .build();
        let err = check_given_pool("us-east-1_x", &optional).unwrap_err();
        assert!(
            err.to_string().contains("MFA configuration: OPTIONAL"),
            "{err}"
        );

        let required = UserPoolType::builder()
            .mfa_configuration(UserPoolMfaType::On)
            .device_configuration(DeviceConfigurationType::builder().build())
            .build();
        assert!(check_given_pool("us-east-1_x", &required).is_ok());
    }
}
