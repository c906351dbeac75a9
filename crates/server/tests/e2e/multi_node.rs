//! Two `ironpool` processes on one PostgreSQL database behave as one service: tokens issued by
//! one are accepted by the other, and revocations, lockouts, disabled users, deleted pools,
//! username uniqueness and single-use codes hold across them at once. Skipped, with a message,
//! when PostgreSQL is not installed (and failing instead under IRONPOOL_REQUIRE_CLIENTS=1).

use crate::harness::{err, sdk_client, Process, KEY_ID, SECRET};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ExplicitAuthFlowsType, MessageActionType,
};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_testpg::TestPostgres;

const PUBLIC_URL: &str = "http://cognito.internal";

/// Two servers on one fresh database with one master key and one public URL.
struct Nodes {
    a: Process,
    b: Process,
    _db: TestPostgres,
    _dir: tempfile::TempDir,
}

impl Nodes {
    fn start() -> Option<Self> {
        let db = TestPostgres::start()?;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("master.key");
        std::fs::write(&key, format!("{}\n", "5a".repeat(32))).unwrap();
        let args = [
            "--database",
            db.url(),
            "--master-key-file",
            key.to_str().unwrap(),
            "--public-url",
            PUBLIC_URL,
        ];
        Some(Self {
            a: Process::spawn(&args),
            b: Process::spawn(&args),
            _db: db,
            _dir: dir,
        })
    }

    fn clients(&self) -> (Client, Client) {
        let client = |p: &Process| sdk_client(&p.url(), KEY_ID, SECRET, "us-east-1");
        (client(&self.a), client(&self.b))
    }
}

/// A pool and an app client allowing password sign-in; (pool id, client id).
async fn pool_and_client(c: &Client) -> (String, String) {
    let pool = crate::harness::pool(c).await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let id = client.user_pool_client().unwrap().client_id().unwrap();
    (pool, id.to_owned())
}

/// A confirmed user with a verified email and the password `PW`.
async fn confirmed_user(c: &Client, pool: &str, name: &str) {
    c.admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(pool)
        .username(name)
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

async fn sign_in(
    c: &Client,
    pool: &str,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<AuthenticationResultType, (String, String)> {
    c.admin_initiate_auth()
        .user_pool_id(pool)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|r| r.authentication_result().unwrap().clone())
        .map_err(err)
}

fn not_authorized(message: &str) -> (String, String) {
    ("NotAuthorizedException".into(), message.into())
}

#[tokio::test]
async fn tokens_revocations_lockouts_and_deletions_hold_across_nodes() {
    let Some(nodes) = Nodes::start() else {
        return;
    };
    let (a, b) = nodes.clients();
    let (pool, client_id) = pool_and_client(&a).await;
    confirmed_user(&a, &pool, "alice").await;

    // A token issued by A is accepted by B; revoked at A, refused at B at once.
    let tokens = sign_in(&a, &pool, &client_id, "alice", PW).await.unwrap();
    let access = tokens.access_token().unwrap();
    let me = b.get_user().access_token(access).send().await.unwrap();
    assert_eq!(me.username(), "alice");
    a.revoke_token()
        .client_id(&client_id)
        .token(tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let refused = b.get_user().access_token(access).send().await.unwrap_err();
    assert_eq!(
        err(refused),
        not_authorized("Access Token has been revoked")
    );

    // Failed passwords counted at both nodes add up to one lockout.
    confirmed_user(&b, &pool, "bob").await;
    for i in 0..5 {
        let node = if i % 2 == 0 { &a } else { &b };
        let wrong = sign_in(node, &pool, &client_id, "bob", "Wrong-password-1").await;
        assert_eq!(
            wrong.unwrap_err(),
            not_authorized("Incorrect username or password.")
        );
    }
    let locked = sign_in(&a, &pool, &client_id, "bob", PW).await;
    assert_eq!(
        locked.unwrap_err(),
        not_authorized("Password attempts exceeded")
    );

    // Disabled at A: B refuses the sign-in.
    a.admin_disable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let disabled = sign_in(&b, &pool, &client_id, "alice", PW).await;
    assert_eq!(disabled.unwrap_err(), not_authorized("User is disabled."));

    // Deleted at B: gone at A.
    b.delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let gone = a
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(gone),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {pool} does not exist.")
        )
    );
}

/// Tokens each node has accepted before (so verified already) are refused at both nodes as
/// soon as either disables the user, signs it out everywhere, deletes it or deletes the pool.
#[tokio::test]
async fn tokens_both_nodes_accepted_are_refused_at_once_after_a_change_at_either() {
    let Some(nodes) = Nodes::start() else {
        return;
    };
    let (a, b) = nodes.clients();
    let (pool, client_id) = pool_and_client(&a).await;
    confirmed_user(&a, &pool, "carol").await;
    let get_user = |c: &Client, token: &str| {
        let call = c.get_user().access_token(token).send();
        async move { call.await.map(|me| me.username().to_owned()).map_err(err) }
    };
    let signed_in = || async {
        let tokens = sign_in(&a, &pool, &client_id, "carol", PW).await.unwrap();
        let access = tokens.access_token().unwrap().to_owned();
        for node in [&a, &b, &a, &b] {
            assert_eq!(get_user(node, &access).await.unwrap(), "carol");
        }
        access
    };

    let refused_at_both = |access: String, expected: (String, String)| {
        let (a, b, get_user) = (&a, &b, &get_user);
        async move {
            for node in [a, b] {
                assert_eq!(get_user(node, &access).await.unwrap_err(), expected);
            }
        }
    };

    // Disabling a user revokes its tokens (and enabling it again gives none back).
    let access = signed_in().await;
    a.admin_disable_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    let revoked = not_authorized("Access Token has been revoked");
    refused_at_both(access.clone(), revoked.clone()).await;
    b.admin_enable_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(get_user(&a, &access).await.unwrap_err(), revoked);

    let access = signed_in().await;
    b.global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    refused_at_both(access, revoked).await;

    let access = signed_in().await;
    b.admin_delete_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    let gone = (
        "UserNotFoundException".into(),
        "User does not exist.".into(),
    );
    refused_at_both(access, gone).await;

    confirmed_user(&b, &pool, "carol").await;
    let access = signed_in().await;
    a.delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let gone = (
        "ResourceNotFoundException".into(),
        format!("User pool {pool} does not exist."),
    );
    refused_at_both(access, gone).await;
}

#[tokio::test]
async fn fifty_sign_ups_of_one_username_over_two_nodes_make_one_user() {
    let Some(nodes) = Nodes::start() else {
        return;
    };
    let (a, b) = nodes.clients();
    let (pool, client_id) = pool_and_client(&a).await;
    let mut sign_ups = tokio::task::JoinSet::new();
    for i in 0..50 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        let client_id = client_id.clone();
        sign_ups.spawn(async move {
            node.sign_up()
                .client_id(client_id)
                .username("sam")
                .password(PW)
                .send()
                .await
                .map(|r| r.user_sub().to_owned())
                .map_err(err)
        });
    }
    let results = sign_ups.join_all().await;
    let subs: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(subs.len(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(
                *e,
                (
                    "UsernameExistsException".into(),
                    "User already exists".into()
                )
            );
        }
    }
    let users = b.list_users().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(users.users().len(), 1);
    let user = a
        .admin_get_user()
        .user_pool_id(&pool)
        .username("sam")
        .send()
        .await
        .unwrap();
    let sub = user.user_attributes().iter().find(|x| x.name() == "sub");
    assert_eq!(sub.and_then(|x| x.value()), Some(subs[0].as_str()));
}

#[tokio::test]
async fn a_code_is_used_once_across_nodes() {
    let Some(nodes) = Nodes::start() else {
        return;
    };
    let (a, b) = nodes.clients();
    let (pool, client_id) = pool_and_client(&a).await;
    confirmed_user(&a, &pool, "carol").await;
    a.forgot_password()
        .client_id(&client_id)
        .username("carol")
        .send()
        .await
        .unwrap();
    let outbox: serde_json::Value = reqwest::get(format!(
        "{}/_ironpool/outbox?pool={pool}&username=carol",
        nodes.a.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let code = outbox[0]["code"].as_str().unwrap().to_owned();

    let mut uses = tokio::task::JoinSet::new();
    for (i, node) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        let (client_id, code) = (client_id.clone(), code.clone());
        uses.spawn(async move {
            node.confirm_forgot_password()
                .client_id(client_id)
                .username("carol")
                .confirmation_code(code)
                .password(format!("New-password-{i}"))
                .send()
                .await
                .map(|_| i)
                .map_err(err)
        });
    }
    let results = uses.join_all().await;
    let winners: Vec<usize> = results.iter().filter_map(|r| r.clone().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(
                *e,
                (
                    "ExpiredCodeException".into(),
                    "Invalid code provided, please request a code again.".into()
                )
            );
        }
    }
    let new_password = format!("New-password-{}", winners[0]);
    sign_in(&b, &pool, &client_id, "carol", &new_password)
        .await
        .unwrap();
}

#[test]
fn a_shared_database_needs_an_explicit_master_key() {
    let out = Process::try_spawn(&["--database", "postgres://ironpool@127.0.0.1:1/none"])
        .err()
        .expect("refused");
    assert!(
        out.contains("--database needs --master-key-file (IRONPOOL_MASTER_KEY_FILE)"),
        "{out}"
    );
}
