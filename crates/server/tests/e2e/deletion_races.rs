//! Writes racing the deletion of what they write into (a pool, a user, a group), on the test
//! backend: each either lands before the deletion or is answered as if it came after it,
//! with the not-found error of the operation, never an InternalErrorException.

use crate::harness::err;
use crate::signin_support::{Fixture, PASSWORD as PW};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType};
use std::future::Future;
use std::pin::Pin;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

const USERS: usize = 8;

/// A failed call's error as `Type: message`; `None` on success.
type Answer = Option<String>;

fn answer<T, E, R>(r: Result<T, aws_sdk_cognitoidentityprovider::error::SdkError<E, R>>) -> Answer
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    r.err().map(|e| {
        let (code, message) = err(e);
        format!("{code}: {message}")
    })
}

/// A fresh server with a pool, an app client allowing the password flows, a group "g" and
/// `USERS` confirmed users with verified emails.
async fn fixture() -> Fixture {
    let f = Fixture::new().await;
    f.c.create_group()
        .user_pool_id(&f.pool)
        .group_name("g")
        .send()
        .await
        .unwrap();
    for n in 0..USERS {
        let email = format!("u{n}@example.com");
        f.user(
            &format!("u{n}"),
            &[("email", &email), ("email_verified", "true")],
        )
        .await;
    }
    f
}

fn email(name: &str) -> AttributeType {
    AttributeType::builder()
        .name("email")
        .value(format!("{name}@example.com"))
        .build()
        .unwrap()
}

/// One write of each kind on user `n` (or a new user, group or client numbered `n`).
fn write(f: &Fixture, kind: usize, n: usize) -> BoxFuture<(String, Answer)> {
    let (c, pool, client_id) = (f.c.clone(), f.pool.clone(), f.client_id.clone());
    let user = format!("u{}", n % USERS);
    Box::pin(async move {
        let (name, answer) = match kind % 10 {
            0 => (
                "SignUp",
                answer(
                    c.sign_up()
                        .client_id(&client_id)
                        .username(format!("new{n}"))
                        .password(PW)
                        .user_attributes(email(&format!("new{n}")))
                        .send()
                        .await,
                ),
            ),
            1 => (
                "AdminInitiateAuth",
                answer(
                    c.admin_initiate_auth()
                        .user_pool_id(&pool)
                        .client_id(&client_id)
                        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                        .auth_parameters("USERNAME", &user)
                        .auth_parameters("PASSWORD", PW)
                        .send()
                        .await,
                ),
            ),
            2 => (
                "InitiateAuth (wrong password)",
                answer(
                    c.initiate_auth()
                        .client_id(&client_id)
                        .auth_flow(AuthFlowType::UserPasswordAuth)
                        .auth_parameters("USERNAME", &user)
                        .auth_parameters("PASSWORD", "Wrong-Pass-123")
                        .send()
                        .await,
                ),
            ),
            3 => (
                "AdminAddUserToGroup",
                answer(
                    c.admin_add_user_to_group()
                        .user_pool_id(&pool)
                        .username(&user)
                        .group_name("g")
                        .send()
                        .await,
                ),
            ),
            4 => (
                "ForgotPassword",
                answer(
                    c.forgot_password()
                        .client_id(&client_id)
                        .username(&user)
                        .send()
                        .await,
                ),
            ),
            5 => (
                "AdminUpdateUserAttributes",
                answer(
                    c.admin_update_user_attributes()
                        .user_pool_id(&pool)
                        .username(&user)
                        .user_attributes(
                            AttributeType::builder()
                                .name("name")
                                .value(format!("n{n}"))
                                .build()
                                .unwrap(),
                        )
                        .send()
                        .await,
                ),
            ),
            6 => (
                "CreateGroup",
                answer(
                    c.create_group()
                        .user_pool_id(&pool)
                        .group_name(format!("g{n}"))
                        .send()
                        .await,
                ),
            ),
            7 => (
                "AdminCreateUser",
                answer(
                    c.admin_create_user()
                        .user_pool_id(&pool)
                        .username(format!("made{n}"))
                        .temporary_password(PW)
                        .send()
                        .await,
                ),
            ),
            8 => (
                "InitiateAuth (unknown user)",
                answer(
                    c.initiate_auth()
                        .client_id(&client_id)
                        .auth_flow(AuthFlowType::UserPasswordAuth)
                        .auth_parameters("USERNAME", format!("nobody{n}"))
                        .auth_parameters("PASSWORD", PW)
                        .send()
                        .await,
                ),
            ),
            _ => (
                "AdminUserGlobalSignOut",
                answer(
                    c.admin_user_global_sign_out()
                        .user_pool_id(&pool)
                        .username(&user)
                        .send()
                        .await,
                ),
            ),
        };
        (name.to_owned(), answer)
    })
}

type Writes = Vec<BoxFuture<(String, Answer)>>;

/// Ten rounds, each on a fresh fixture (and server): `race` makes the writes and the deletion, the
/// deletion starts halfway through them, and every answer must be a success or one of
/// `allowed` (an error type with the start of its message).
async fn ten_rounds(race: impl Fn(&Fixture) -> (Writes, BoxFuture<Answer>), allowed: &[&str]) {
    let (mut refused, mut wrong) = (0, std::collections::BTreeSet::new());
    for _round in 0..10 {
        let f = fixture().await;
        let (writes, deletion) = race(&f);
        let mut tasks = tokio::task::JoinSet::new();
        let half = writes.len() / 2;
        let mut deletion = Some(deletion);
        for (i, w) in writes.into_iter().enumerate() {
            if i == half {
                let d = deletion.take().unwrap();
                tasks.spawn(async move { ("the deletion".to_owned(), d.await) });
            }
            tasks.spawn(w);
        }
        for (name, answer) in tasks.join_all().await {
            if let Some(e) = answer {
                if !allowed.iter().any(|a| e.starts_with(a)) {
                    wrong.insert(format!("{name}: {e}"));
                }
                refused += 1;
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers racing a deletion:\n{}",
        Vec::from_iter(wrong).join("\n")
    );
    assert!(
        refused > 0,
        "no write came after a deletion: no race was run"
    );
}

/// Every kind of write racing DeleteUserPool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_racing_delete_user_pool() {
    ten_rounds(
        |f| {
            let (c, pool) = (f.c.clone(), f.pool.clone());
            (
                (0..60).map(|i| write(f, i, i)).collect(),
                Box::pin(
                    async move { answer(c.delete_user_pool().user_pool_id(&pool).send().await) },
                ),
            )
        },
        &[
            "ResourceNotFoundException: User pool ",
            // The client went with its pool.
            "ResourceNotFoundException: User pool client ",
            // What was in the pool, read after the pool was, went with it.
            "ResourceNotFoundException: Group not found.",
            "UserNotFoundException: User does not exist.",
            "UserNotFoundException: Username/client id combination not found.",
            // A wrong password, and the pool's unknown users, stay what they were.
            "NotAuthorizedException: Incorrect username or password.",
        ],
    )
    .await;
}

/// The writes on an existing user (kinds 1 to 5 and 9), all on u0, racing AdminDeleteUser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_racing_admin_delete_user() {
    ten_rounds(
        |f| {
            let (c, pool) = (f.c.clone(), f.pool.clone());
            (
                (0..60)
                    .map(|i| write(f, [1, 2, 3, 4, 5, 9][i % 6], 0))
                    .collect(),
                Box::pin(async move {
                    answer(
                        c.admin_delete_user()
                            .user_pool_id(&pool)
                            .username("u0")
                            .send()
                            .await,
                    )
                }),
            )
        },
        &[
            "UserNotFoundException: User does not exist.",
            "UserNotFoundException: Username/client id combination not found.",
            "NotAuthorizedException: Incorrect username or password.",
            // Ten of the writes are wrong passwords for u0: when five of them come in a row,
            // before a sign-in that succeeds, u0 is locked out as Cognito would lock it.
            "NotAuthorizedException: Password attempts exceeded",
        ],
    )
    .await;
}

/// AdminAddUserToGroup racing DeleteGroup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_racing_delete_group() {
    ten_rounds(
        |f| {
            let (c, pool) = (f.c.clone(), f.pool.clone());
            (
                (0..USERS * 4).map(|n| write(f, 3, n)).collect(),
                Box::pin(async move {
                    answer(
                        c.delete_group()
                            .user_pool_id(&pool)
                            .group_name("g")
                            .send()
                            .await,
                    )
                }),
            )
        },
        &["ResourceNotFoundException: Group not found."],
    )
    .await;
}
