//! The steps of the scenario, in the order they run. Most SDK calls are the
//! single-action examples' functions; the account calls that have no
//! example of this scenario's own are in [`manage_users::account`]. What
//! this file adds is the order, the questions, and what to do when an
//! answer is wrong.

use std::collections::HashMap;
use std::future::Future;
use std::process::ExitCode;

use admin_create_user::Invitation;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::DeliveryMediumType;
use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use confirm_forgot_password::PasswordReset;
use example_cli::outbox::Outbox;
use example_cli::scenario::{self, Interrupt, Prompter, Stop};
use example_cli::{ExampleError, shorten};
use manage_users::claims;

use crate::{Args, input};

/// The name of the app client the scenario creates.
const CLIENT_NAME: &str = "manage-users";
/// Shown under the password questions.
const PASSWORD_HELP: &str =
    "At least 8 characters with upper- and lower-case letters, a number and a symbol";
/// How many steps there are, for the headings.
const STEPS: u8 = 9;

// snippet-start:[rust.cognito-idp.Scenario_ManageUsers]
/// Runs the scenario, cleans up, and says how it went. `endpoint` is
/// `AWS_ENDPOINT_URL`: when set (the bundled emulator), the invitation and
/// the codes are read from the emulator's outbox instead of being typed.
pub async fn run(client: &Client, args: Args, endpoint: Option<&str>) -> ExitCode {
    let interrupt = Interrupt::listen();
    let prompter = (!args.non_interactive).then(|| Prompter::new(interrupt.clone()));
    let mut scenario = Scenario {
        client,
        args,
        interrupt,
        prompter,
        outbox: endpoint.map(Outbox::at),
        created_pool: None,
    };

    let outcome = scenario.steps().await;
    scenario::report(&outcome);
    let cleaned_up = scenario.clean_up(&outcome).await;
    scenario::exit_code(outcome, cleaned_up)
}

/// The user pool and app client the scenario created.
struct Pool {
    user_pool_id: String,
    client_id: String,
}

/// The invited user, as the scenario knows them so far.
struct User {
    username: String,
    email: String,
    password: String,
    tokens: Tokens,
}

/// The tokens of the user's latest sign-in.
#[derive(Default)]
struct Tokens {
    access: String,
    id: String,
    refresh: String,
}

struct Scenario<'a> {
    client: &'a Client,
    args: Args,
    interrupt: Interrupt,
    /// The person at the terminal; `None` with `--non-interactive`.
    prompter: Option<Prompter>,
    /// The emulator's outbox, standing in for the user's inbox offline.
    outbox: Option<Outbox>,
    /// The pool to delete at the end, once created.
    created_pool: Option<String>,
}

impl Scenario<'_> {
    /// The steps in order; each one is a method below.
    async fn steps(&mut self) -> Result<(), Stop> {
        heading(1, "A user pool and an app client");
        let pool = self.pool_and_client().await?;

        heading(2, "The administrator invites a user (AdminCreateUser)");
        let (username, email, temporary_password) = self.invite(&pool).await?;

        heading(
            3,
            "The user signs in and chooses a password (NEW_PASSWORD_REQUIRED)",
        );
        let mut user = self
            .first_sign_in(&pool, username, email, &temporary_password)
            .await?;

        heading(4, "The administrator puts the user in a group");
        self.join_group(&pool, &mut user).await?;

        heading(5, "The user changes their email address and verifies it");
        self.change_email(&pool, &mut user).await?;

        heading(6, "The user forgets their password and resets it");
        self.reset_password(&pool, &mut user).await?;

        heading(7, "The administrator disables the user, then enables them");
        self.disable_and_enable(&pool, &mut user).await?;

        heading(8, "The refresh token is revoked");
        self.revoke(&pool, &user).await
    }

    /// Step 1: a pool where every user has an email address that Cognito
    /// verifies, and an app client for password and refresh sign-ins.
    async fn pool_and_client(&mut self) -> Result<Pool, Stop> {
        let default_name = format!("manage-users-{}", random_suffix());
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
        let created = create_user_pool::create_user_pool(self.client, &name, false).await?;
        let user_pool_id = created
            .user_pool()
            .and_then(|pool| pool.id())
            .ok_or_else(|| ExampleError::new("CreateUserPool answered without a user pool id."))?
            .to_string();
        self.created_pool = Some(user_pool_id.clone());
        println!("Created user pool {name}.");
        println!("User pool id: {user_pool_id}");
        self.interrupt.check()?;

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
        })
    }

    /// Step 2: AdminCreateUser; Cognito emails a temporary password. Returns
    /// the username, the email address and that password.
    async fn invite(&self, pool: &Pool) -> Result<(String, String, String), Stop> {
        let default_username = format!("user-{}", random_suffix());
        let username = match (&self.args.username, &self.prompter) {
            (Some(username), _) => username.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Username of the user to invite:",
                        Some(default_username),
                        "The name they sign in with",
                        input::check_name,
                    )
                    .await?
            }
            (None, None) => default_username,
        };
        let email = match (&self.args.email, &self.prompter) {
            (Some(email), _) => email.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "Their email address:",
                        None,
                        "The invitation with the temporary password goes there",
                        input::check_email,
                    )
                    .await?
            }
            (None, None) => format!("{username}@example.com"),
        };

        let seen = self.outbox_seen().await?;
        let invited = self
            // The administrator vouches for the address (`email_verified`),
            // so codes such as ForgotPassword's can go there.
            .call(admin_create_user::admin_create_user(
                self.client,
                &Invitation {
                    user_pool_id: &pool.user_pool_id,
                    username: &username,
                    temporary_password: None,
                    attributes: &[("email", &email), ("email_verified", "true")],
                    message_action: None,
                    delivery_mediums: &[DeliveryMediumType::Email],
                },
            ))
            .await?;
        println!("Invited {username}.");
        println!(
            "User status: {}",
            invited
                .user()
                .and_then(|user| user.user_status())
                .map_or("(unknown)", |status| status.as_str())
        );
        println!("Invitation sent by EMAIL to {email}.");
        let temporary_password = self
            .sent_to_user(
                seen,
                pool,
                &username,
                "Temporary password from the invitation:",
            )
            .await?;
        println!("Temporary password: received (not shown).");
        Ok((username, email, temporary_password))
    }

    /// Step 3: the first sign-in with the temporary password answers
    /// NEW_PASSWORD_REQUIRED; the user's own password gets the tokens.
    async fn first_sign_in(
        &self,
        pool: &Pool,
        username: String,
        email: String,
        temporary_password: &str,
    ) -> Result<User, Stop> {
        let mut password = self.password_from(&self.args.password, "first").await?;
        loop {
            let started = self
                .call(initiate_auth::initiate_auth(
                    self.client,
                    &pool.client_id,
                    &username,
                    temporary_password,
                    None,
                ))
                .await?;
            let challenge = started.challenge_name();
            println!(
                "Challenge: {}",
                challenge.map_or("(none: signed in)", |c| c.as_str())
            );
            if challenge != Some(&ChallengeNameType::NewPasswordRequired) {
                return Err(ExampleError::new(
                    "Expected NEW_PASSWORD_REQUIRED: an invited user must choose a password.",
                )
                .into());
            }
            let responses = HashMap::from([
                ("USERNAME".to_string(), username.clone()),
                ("NEW_PASSWORD".to_string(), password.clone()),
            ]);
            let answer = self
                .interrupt
                .race(initiate_auth::respond_to_auth_challenge(
                    self.client,
                    &pool.client_id,
                    ChallengeNameType::NewPasswordRequired,
                    started.session(),
                    responses,
                ))
                .await?
                .map_err(ExampleError::from);
            match (answer, &self.prompter) {
                (Ok(answered), _) => {
                    let tokens = tokens_of(answered.authentication_result())?;
                    println!("Password set; signed in.");
                    self.print_tokens(&tokens);
                    self.show_user(pool, &username).await?;
                    return Ok(User {
                        username,
                        email,
                        password,
                        tokens,
                    });
                }
                (Err(err), Some(prompter)) if err.code() == Some("InvalidPasswordException") => {
                    println!("{err}");
                    password = prompter.password(PASSWORD_HELP).await?;
                }
                (Err(err), _) => return Err(err.into()),
            }
        }
    }

    /// Step 4: CreateGroup and AdminAddUserToGroup, then a refresh: the new
    /// ID and access tokens list the group in `cognito:groups`.
    async fn join_group(&self, pool: &Pool, user: &mut User) -> Result<(), Stop> {
        let group_name = &self.args.group_name;
        self.call(create_group::create_group(
            self.client,
            &create_group::NewGroup {
                user_pool_id: &pool.user_pool_id,
                group_name,
                description: Some("Created by the manage-users scenario"),
                precedence: Some(1),
                role_arn: None,
            },
        ))
        .await?;
        println!("Created group {group_name}.");
        self.call(admin_add_user_to_group::admin_add_user_to_group(
            self.client,
            &pool.user_pool_id,
            &user.username,
            group_name,
        ))
        .await?;
        println!("Added {} to {group_name}.", user.username);

        let before = claims::groups(&claims::payload(&user.tokens.id)?);
        println!(
            "Groups in the tokens from before: {}",
            list_or_none(&before)
        );
        let refreshed = self
            .call(refresh_tokens::refresh_tokens(
                self.client,
                &pool.client_id,
                &user.tokens.refresh,
                None,
            ))
            .await?;
        let result = refreshed
            .authentication_result()
            .ok_or_else(|| ExampleError::new("The refresh answered without tokens."))?;
        let (Some(access), Some(id)) = (result.access_token(), result.id_token()) else {
            return Err(
                ExampleError::new("The refresh answered without ID and access tokens.").into(),
            );
        };
        println!("Refreshed the tokens (REFRESH_TOKEN_AUTH).");
        let id_groups = claims::groups(&claims::payload(id)?);
        let access_groups = claims::groups(&claims::payload(access)?);
        println!("ID token cognito:groups: {}", list_or_none(&id_groups));
        println!(
            "Access token cognito:groups: {}",
            list_or_none(&access_groups)
        );
        if !id_groups.contains(group_name) || !access_groups.contains(group_name) {
            return Err(ExampleError::new(format!(
                "The refreshed tokens do not list group {group_name}."
            ))
            .into());
        }
        user.tokens.access = access.to_string();
        user.tokens.id = id.to_string();
        Ok(())
    }

    /// Step 5: UpdateUserAttributes sends a code to the new address, which
    /// is unverified until VerifyUserAttribute takes the code.
    async fn change_email(&self, pool: &Pool, user: &mut User) -> Result<(), Stop> {
        let new_email = match (&self.args.new_email, &self.prompter) {
            (Some(email), _) => email.clone(),
            (None, Some(prompter)) => {
                prompter
                    .text(
                        "The user's new email address:",
                        None,
                        "Cognito sends a verification code there",
                        input::check_email,
                    )
                    .await?
            }
            (None, None) => plus_address(&user.email, "new"),
        };
        let seen = self.outbox_seen().await?;
        let updated = self
            .call(update_user_attributes::update_user_attributes(
                self.client,
                &user.tokens.access,
                &[("email", &new_email)],
            ))
            .await?;
        println!("Changed the email address to {new_email}.");
        for line in update_user_attributes::delivery_lines(updated.code_delivery_details_list()) {
            println!("{line}");
        }
        self.show_user(pool, &user.username).await?;

        loop {
            let code = self
                .sent_to_user(
                    seen,
                    pool,
                    &user.username,
                    "Verification code sent to the new address:",
                )
                .await?;
            let answer = self
                .interrupt
                .race(verify_user_attribute::verify_user_attribute(
                    self.client,
                    &user.tokens.access,
                    "email",
                    &code,
                ))
                .await?
                .map_err(ExampleError::from);
            match (answer, &self.prompter) {
                (Ok(_), _) => break,
                (Err(err), Some(_)) if err.code() == Some("CodeMismatchException") => {
                    println!("{err}");
                    println!("Type the code again.");
                }
                (Err(err), _) => return Err(err.into()),
            }
        }
        println!("Verified the new address with the code.");
        user.email = new_email;
        self.show_user(pool, &user.username).await
    }

    /// Step 6: ForgotPassword sends a code to the (verified) address;
    /// ConfirmForgotPassword sets a new password with it. The old password
    /// no longer works; the new one does.
    async fn reset_password(&self, pool: &Pool, user: &mut User) -> Result<(), Stop> {
        let seen = self.outbox_seen().await?;
        let sent = self
            .call(forgot_password::forgot_password(
                self.client,
                &pool.client_id,
                &user.username,
                None,
            ))
            .await?;
        if let Some(sent) = sent.code_delivery_details() {
            println!(
                "Password reset code sent by {} to {}.",
                sent.delivery_medium().map_or("(unknown)", |m| m.as_str()),
                sent.destination().unwrap_or("(unknown)")
            );
        }
        let mut code = self
            .sent_to_user(seen, pool, &user.username, "Password reset code:")
            .await?;
        let mut new_password = self.password_from(&self.args.new_password, "new").await?;
        loop {
            let answer = self
                .interrupt
                .race(confirm_forgot_password::confirm_forgot_password(
                    self.client,
                    &PasswordReset {
                        client_id: &pool.client_id,
                        client_secret: None,
                        username: &user.username,
                        code: &code,
                        new_password: &new_password,
                    },
                ))
                .await?
                .map_err(ExampleError::from);
            match (answer, &self.prompter) {
                (Ok(_), _) => break,
                (Err(err), Some(prompter)) if err.code() == Some("InvalidPasswordException") => {
                    println!("{err}");
                    new_password = prompter.password(PASSWORD_HELP).await?;
                }
                (Err(err), Some(prompter)) if err.code() == Some("CodeMismatchException") => {
                    println!("{err}");
                    code = prompter
                        .text(
                            "Password reset code:",
                            None,
                            "Six digits",
                            input::check_code,
                        )
                        .await?;
                }
                (Err(err), _) => return Err(err.into()),
            }
        }
        println!("New password set with the code.");

        let old = self.sign_in(pool, &user.username, &user.password).await?;
        match old {
            Err(err) => println!("Sign-in with the old password refused: {err}"),
            Ok(_) => {
                return Err(ExampleError::new("The old password still signs in.").into());
            }
        }
        user.password = new_password;
        user.tokens = self.sign_in(pool, &user.username, &user.password).await??;
        println!("Signed in with the new password.");
        Ok(())
    }

    /// Step 7: AdminDisableUser (the sign-in is refused), AdminEnableUser
    /// (it works again).
    async fn disable_and_enable(&self, pool: &Pool, user: &mut User) -> Result<(), Stop> {
        self.call(admin_disable_user::admin_disable_user(
            self.client,
            &pool.user_pool_id,
            &user.username,
        ))
        .await?;
        println!("Disabled {}.", user.username);
        match self.sign_in(pool, &user.username, &user.password).await? {
            Err(err) => println!("Sign-in refused: {err}"),
            Ok(_) => {
                return Err(ExampleError::new("Cognito let the disabled user sign in.").into());
            }
        }

        self.call(admin_enable_user::admin_enable_user(
            self.client,
            &pool.user_pool_id,
            &user.username,
        ))
        .await?;
        println!("Enabled {} again.", user.username);
        user.tokens = self.sign_in(pool, &user.username, &user.password).await??;
        println!("Signed in again.");
        self.print_tokens(&user.tokens);
        Ok(())
    }

    /// Step 8: RevokeToken on the latest refresh token; refreshing with it
    /// is refused from then on.
    async fn revoke(&self, pool: &Pool, user: &User) -> Result<(), Stop> {
        self.call(revoke_token::revoke_token(
            self.client,
            &pool.client_id,
            &user.tokens.refresh,
            None,
        ))
        .await?;
        println!(
            "Revoked refresh token {} (and the access and ID tokens issued with it).",
            self.token(&user.tokens.refresh)
        );
        let refreshed = self
            .interrupt
            .race(refresh_tokens::refresh_tokens(
                self.client,
                &pool.client_id,
                &user.tokens.refresh,
                None,
            ))
            .await?
            .map_err(ExampleError::from);
        match refreshed {
            Err(err) => {
                println!("Refresh refused: {err}");
                Ok(())
            }
            Ok(_) => Err(ExampleError::new("The revoked refresh token still refreshes.").into()),
        }
    }

    /// Step 9: delete the pool (asking first when a person is there), unless
    /// `--keep`. The pool takes its user, group and app client with it.
    /// Returns whether it went.
    async fn clean_up(&self, outcome: &Result<(), Stop>) -> bool {
        let Some(user_pool_id) = &self.created_pool else {
            return true;
        };
        heading(STEPS, "Clean up");
        let what = format!("user pool {user_pool_id} (with its user, group and app client)");
        if self.args.keep {
            println!("Kept (--keep): {what}.");
            print_how_to_delete(user_pool_id);
            return true;
        }
        let interrupted = matches!(outcome, Err(Stop::Interrupted)) || self.interrupt.raised();
        if let (Some(prompter), false, false) = (&self.prompter, self.args.yes, interrupted) {
            match prompter.confirm(&format!("Delete {what}?"), true).await {
                Ok(true) => {}
                Ok(false) => {
                    println!("Kept: {what}.");
                    print_how_to_delete(user_pool_id);
                    return true;
                }
                Err(_) => println!("Interrupted: deleting anyway."),
            }
        }
        // Not raced against the Ctrl-C that may have stopped the steps
        // (cleaning up is what it asks for), only against another one.
        let presses = self.interrupt.presses();
        let deleting = delete_user_pool::delete_user_pool(self.client, user_pool_id);
        match self.interrupt.race_beyond(presses, deleting).await {
            Ok(Ok(_)) => {
                println!("Deleted {what}.");
                true
            }
            Ok(Err(err)) => {
                eprintln!(
                    "error: could not delete {what}: {}",
                    ExampleError::from(err)
                );
                print_how_to_delete(user_pool_id);
                false
            }
            Err(_) => {
                eprintln!("Stopped cleaning up: {what} is left.");
                print_how_to_delete(user_pool_id);
                false
            }
        }
    }

    /// Signs in with USER_PASSWORD_AUTH. The outer error stops the scenario
    /// (Ctrl-C); the inner one is Cognito refusing, which a step may expect.
    async fn sign_in(
        &self,
        pool: &Pool,
        username: &str,
        password: &str,
    ) -> Result<Result<Tokens, ExampleError>, Stop> {
        let answer = self
            .interrupt
            .race(initiate_auth::initiate_auth(
                self.client,
                &pool.client_id,
                username,
                password,
                None,
            ))
            .await?;
        Ok(match answer {
            Ok(output) => match output.challenge_name() {
                Some(challenge) => Err(ExampleError::new(format!(
                    "Cognito asked for the {} challenge instead of signing the user in.",
                    challenge.as_str()
                ))),
                None => tokens_of(output.authentication_result()),
            },
            Err(err) => Err(err.into()),
        })
    }

    /// How many messages the outbox holds now (offline), so that the next
    /// code is looked for only among the messages sent after this.
    async fn outbox_seen(&self) -> Result<usize, Stop> {
        match &self.outbox {
            Some(outbox) => Ok(self.call(outbox.messages()).await?.len()),
            None => Ok(0),
        }
    }

    /// What Cognito just sent the user (a temporary password or a code):
    /// from the emulator's outbox offline, typed by the person otherwise.
    async fn sent_to_user(
        &self,
        seen: usize,
        pool: &Pool,
        username: &str,
        question: &str,
    ) -> Result<String, Stop> {
        if let Some(outbox) = &self.outbox {
            let message = self
                .call(outbox.code_since(seen, &pool.user_pool_id, username))
                .await?;
            println!(
                "Read from the emulator's outbox: the {} message to {}.",
                message.trigger, message.destination
            );
            return Ok(message.code.unwrap_or_default());
        }
        let Some(prompter) = &self.prompter else {
            // main refuses --non-interactive without an emulator.
            return Err(ExampleError::new("No one to type the code in.").into());
        };
        if question.starts_with("Temporary password") {
            // Shown as it is typed, like a code: it works once, for the
            // sign-in that replaces it a moment later.
            prompter
                .text(
                    question,
                    None,
                    "As in the invitation email; it only works for the first sign-in",
                    |answer| {
                        if answer.is_empty() {
                            Err("Type the temporary password.".into())
                        } else {
                            Ok(())
                        }
                    },
                )
                .await
        } else {
            prompter
                .text(
                    question,
                    None,
                    "Six digits, from the email",
                    input::check_code,
                )
                .await
        }
    }

    /// A password from its flag, a question, or made up for a non-interactive run.
    async fn password_from(&self, flag: &Option<String>, which: &str) -> Result<String, Stop> {
        match (flag, &self.prompter) {
            (Some(password), _) => Ok(password.clone()),
            (None, Some(prompter)) => {
                println!("The user's {which} password:");
                prompter.password(PASSWORD_HELP).await
            }
            (None, None) => {
                println!("The user's {which} password: made up for this run and not shown.");
                Ok(made_up_password())
            }
        }
    }

    /// AdminGetUser: the user's status, whether enabled, and their email.
    async fn show_user(&self, pool: &Pool, username: &str) -> Result<(), Stop> {
        let found = self
            .call(admin_get_user::admin_get_user(
                self.client,
                &pool.user_pool_id,
                username,
            ))
            .await?;
        println!(
            "User status: {}",
            found.user_status().map_or("(unknown)", |s| s.as_str())
        );
        println!(
            "Email: {} (verified: {})",
            admin_get_user::attribute(&found, "email").unwrap_or("(none)"),
            admin_get_user::attribute(&found, "email_verified").unwrap_or("false")
        );
        Ok(())
    }

    fn print_tokens(&self, tokens: &Tokens) {
        println!("Access token: {}", self.token(&tokens.access));
        println!("ID token: {}", self.token(&tokens.id));
        println!("Refresh token: {}", self.token(&tokens.refresh));
    }

    /// A token as it may be printed: in full only with `--show-tokens`.
    fn token(&self, token: &str) -> String {
        if self.args.show_tokens {
            token.to_string()
        } else {
            shorten(token)
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

/// The three tokens of a sign-in that ended with tokens.
fn tokens_of(result: Option<&AuthenticationResultType>) -> Result<Tokens, ExampleError> {
    let missing = || ExampleError::new("Cognito answered the sign-in without all three tokens.");
    let result = result.ok_or_else(missing)?;
    match (
        result.access_token(),
        result.id_token(),
        result.refresh_token(),
    ) {
        (Some(access), Some(id), Some(refresh)) => Ok(Tokens {
            access: access.to_string(),
            id: id.to_string(),
            refresh: refresh.to_string(),
        }),
        _ => Err(missing()),
    }
}

/// `local+tag@domain` for `local@domain`: a second address of the same mailbox
/// at most providers.
fn plus_address(email: &str, tag: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{local}+{tag}@{domain}"),
        None => format!("{email}+{tag}"),
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

fn print_how_to_delete(user_pool_id: &str) {
    println!(
        "Delete it later with: cargo run -p delete-user-pool -- --user-pool-id {user_pool_id}"
    );
}

fn heading(step: u8, title: &str) {
    println!("\n[{step}/{STEPS}] {title}");
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
// snippet-end:[rust.cognito-idp.Scenario_ManageUsers]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientError;
    use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::DeleteUserPoolOutput;
    use aws_sdk_cognitoidentityprovider::types::UserPoolType;
    use aws_sdk_cognitoidentityprovider::types::error::LimitExceededException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use clap::Parser;

    fn failing_after_the_pool() -> (
        aws_smithy_mocks::Rule,
        aws_smithy_mocks::Rule,
        aws_smithy_mocks::Rule,
    ) {
        let create = mock!(Client::create_user_pool)
            .match_requests(|req| req.pool_name() == Some("scenario-test"))
            .then_output(|| {
                CreateUserPoolOutput::builder()
                    .user_pool(UserPoolType::builder().id("us-east-1_made").build())
                    .build()
            });
        let refuse_client = mock!(Client::create_user_pool_client).then_error(|| {
            CreateUserPoolClientError::LimitExceededException(
                LimitExceededException::builder().build(),
            )
        });
        let delete = mock!(Client::delete_user_pool)
            .match_requests(|req| req.user_pool_id() == Some("us-east-1_made"))
            .then_output(|| DeleteUserPoolOutput::builder().build());
        (create, refuse_client, delete)
    }

    #[tokio::test]
    async fn a_step_that_fails_still_deletes_the_pool_created_before_it() {
        let (create, refuse_client, delete) = failing_after_the_pool();
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&create, &refuse_client, &delete]
        );
        let args = Args::parse_from([
            "manage-users",
            "--non-interactive",
            "--pool-name",
            "scenario-test",
        ]);

        let code = run(&client, args, Some("http://127.0.0.1:9")).await;

        assert_eq!(code, ExitCode::FAILURE);
        assert_eq!(refuse_client.num_calls(), 1);
        assert_eq!(
            delete.num_calls(),
            1,
            "the pool is deleted after the failure"
        );
    }

    #[tokio::test]
    async fn with_keep_a_failure_deletes_nothing() {
        let (create, refuse_client, delete) = failing_after_the_pool();
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&create, &refuse_client, &delete]
        );
        let args = Args::parse_from([
            "manage-users",
            "--non-interactive",
            "--pool-name",
            "scenario-test",
            "--keep",
        ]);

        assert_eq!(
            run(&client, args, Some("http://127.0.0.1:9")).await,
            ExitCode::FAILURE
        );
        assert_eq!(delete.num_calls(), 0);
    }

    #[test]
    fn the_default_new_address_is_a_plus_address_of_the_old() {
        assert_eq!(
            plus_address("alice@example.com", "new"),
            "alice+new@example.com"
        );
    }

    #[test]
    fn only_complete_sign_ins_give_tokens() {
        let all = AuthenticationResultType::builder()
            .access_token("a")
            .id_token("i")
            .refresh_token("r")
            .build();
        assert_eq!(tokens_of(Some(&all)).expect("tokens").refresh, "r");
        let no_refresh = AuthenticationResultType::builder()
            .access_token("a")
            .id_token("i")
            .build();
        assert!(tokens_of(Some(&no_refresh)).is_err());
        assert!(tokens_of(None).is_err());
    }

    #[test]
    fn made_up_passwords_meet_the_default_policy_and_differ() {
        let first = made_up_password();
        assert!(first.chars().any(|c| c.is_ascii_uppercase()));
        assert!(first.chars().any(|c| c.is_ascii_lowercase()));
        assert!(first.chars().any(|c| c.is_ascii_digit()));
        assert!(first.chars().any(|c| !c.is_ascii_alphanumeric()));
        assert_ne!(first, made_up_password());
    }
}
