//! kill -9 at random points under a mixed load, again and again on one data directory:
//! sign-ups, confirmations, group changes, sign-ins, refreshes, refresh-token revocations,
//! wrong passwords, group updates and app client updates from several clients at once. After
//! each restart every acknowledged write is there, a write that was not acknowledged is there
//! whole or not at all, every refresh token answers as its last acknowledged revocation says, and each user's
//! lockout counts exactly the wrong passwords acknowledged (plus, perhaps, the one cut off). `IRONPOOL_CRASH_ROUNDS` sets the
//! number of rounds (50; `scripts/crash-soak` runs more).

use crate::harness::{err, sdk_client, Process, KEY_ID, SECRET};
use crate::users::{attr, attribute, PW};
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType, UserStatusType};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_core::lockout;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WORKERS: usize = 6;

/// What the clients were told, and what they sent without hearing back.
#[derive(Default)]
struct Ledger {
    signed_up: Vec<String>,
    confirmed: Vec<String>,
    /// (user, group)
    grouped: Vec<(String, String)>,
    /// Refresh tokens handed out and not revoked (as far as any answer said).
    live: Vec<String>,
    revoked: Vec<String>,
    /// Per group: the last description acknowledged, and one sent without an answer.
    described: Vec<(String, Option<String>, Option<String>)>,
    /// Per worker's own app client: the last name and refresh token validity acknowledged
    /// (`name/days`), and one sent without an answer.
    configured: Vec<(String, Option<String>, Option<String>)>,
    /// Users whose SignUp got no answer: there whole or not at all.
    unanswered: Vec<String>,
    /// (user, wrong passwords refused, one more sent without an answer)
    failures: Vec<(String, u32, bool)>,
}

const WRONG: &str = "Not-the-passw0rd!";
const INCORRECT: (&str, &str) = ("NotAuthorizedException", "Incorrect username or password.");
const LOCKED: (&str, &str) = ("NotAuthorizedException", "Password attempts exceeded");

/// A wrong password's answer: Some(()) when refused as incorrect, None when the server went
/// away mid-call; anything else fails the test.
fn refused<T: std::fmt::Debug, E, R: std::fmt::Debug>(
    result: Result<T, SdkError<E, R>>,
) -> Option<()>
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + std::fmt::Debug,
{
    match result {
        Ok(t) => panic!("a wrong password signed in: {t:?}"),
        Err(
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_),
        ) => None,
        Err(e) => {
            let e = err(e);
            assert_eq!((e.0.as_str(), e.1.as_str()), INCORRECT);
            Some(())
        }
    }
}

async fn sign_in(
    c: &Client,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<(), (String, String)> {
    c.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

/// The answer, or None when the server went away mid-call (a kill -9); any answer the server
/// gave that is an error fails the test.
fn answered<T, E: std::fmt::Debug, R: std::fmt::Debug>(
    what: &str,
    result: Result<T, SdkError<E, R>>,
) -> Option<T> {
    match result {
        Ok(t) => Some(t),
        Err(
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_),
        ) => None,
        Err(e) => panic!("{what}: the server answered an error: {e:?}"),
    }
}

/// One client's endless sequence, until the server goes away under it.
async fn worker(
    c: Client,
    pool: String,
    client_id: String,
    round: usize,
    w: usize,
    ledger: Arc<Mutex<Ledger>>,
) -> Option<()> {
    let group = format!("g{w}");
    for n in 0.. {
        let name = format!("r{round}w{w}n{n}");
        ledger.lock().unwrap().unanswered.push(name.clone());
        let sent = c
            .sign_up()
            .client_id(&client_id)
            .username(&name)
            .password(PW)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .user_attributes(attr("name", &name))
            .send()
            .await;
        answered("SignUp", sent)?;
        {
            let mut l = ledger.lock().unwrap();
            l.unanswered.pop();
            l.signed_up.push(name.clone());
        }
        let sent = c
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username(&name)
            .send()
            .await;
        answered("AdminConfirmSignUp", sent)?;
        ledger.lock().unwrap().confirmed.push(name.clone());
        let sent = c
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username(&name)
            .group_name(&group)
            .send()
            .await;
        answered("AdminAddUserToGroup", sent)?;
        ledger
            .lock()
            .unwrap()
            .grouped
            .push((name.clone(), group.clone()));
        let sent = c
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", &name)
            .auth_parameters("PASSWORD", PW)
            .send()
            .await;
        let signed_in = answered("InitiateAuth", sent)?;
        let refresh = signed_in
            .authentication_result()
            .unwrap()
            .refresh_token()
            .unwrap()
            .to_owned();
        ledger.lock().unwrap().live.push(refresh.clone());
        if n % 3 == 0 {
            let sent = c
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", &refresh)
                .send()
                .await;
            answered("InitiateAuth REFRESH_TOKEN_AUTH", sent)?;
        }
        if n % 2 == 1 {
            let sent = c
                .revoke_token()
                .client_id(&client_id)
                .token(&refresh)
                .send()
                .await;
            // Sent: revoked or not, the token is no longer counted as live either way.
            ledger.lock().unwrap().live.retain(|t| *t != refresh);
            answered("RevokeToken", sent)?;
            ledger.lock().unwrap().revoked.push(refresh);
        }
        let tries = n % 3;
        if tries > 0 {
            ledger
                .lock()
                .unwrap()
                .failures
                .push((name.clone(), 0, false));
        }
        for _ in 0..tries {
            let mark = |ledger: &Mutex<Ledger>, refused: bool| {
                let mut l = ledger.lock().unwrap();
                let entry = l.failures.iter_mut().find(|f| f.0 == name).unwrap();
                entry.1 += u32::from(refused);
                entry.2 = !refused;
            };
            mark(&ledger, false);
            let sent = c
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", &name)
                .auth_parameters("PASSWORD", WRONG)
                .send()
                .await;
            refused(sent)?;
            mark(&ledger, true);
        }
        let description = format!("after {name}");
        ledger.lock().unwrap().described[w].2 = Some(description.clone());
        let sent = c
            .update_group()
            .user_pool_id(&pool)
            .group_name(&group)
            .description(&description)
            .send()
            .await;
        answered("UpdateGroup", sent)?;
        {
            let mut l = ledger.lock().unwrap();
            l.described[w].1 = Some(description);
            l.described[w].2 = None;
        }
        let days = 1 + (round * 37 + n) % 3650;
        let (own, config) = {
            let mut l = ledger.lock().unwrap();
            let config = format!("{name}/{days}");
            l.configured[w].2 = Some(config.clone());
            (l.configured[w].0.clone(), config)
        };
        let sent = c
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&own)
            .client_name(&name)
            .refresh_token_validity(days as i32)
            .send()
            .await;
        answered("UpdateUserPoolClient", sent)?;
        let mut l = ledger.lock().unwrap();
        l.configured[w].1 = Some(config);
        l.configured[w].2 = None;
    }
    Some(())
}

async fn refresh(c: &Client, client_id: &str, token: &str) -> Result<(), (String, String)> {
    c.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

/// Checks everything the ledger holds against the restarted server; returns each group's
/// description and each worker's client configuration as stored.
async fn check(
    c: &Client,
    pool: &str,
    client_id: &str,
    l: &Ledger,
) -> (Vec<Option<String>>, Vec<Option<String>>) {
    for name in &l.signed_up {
        let user = c
            .admin_get_user()
            .user_pool_id(pool)
            .username(name)
            .send()
            .await
            .unwrap();
        let email = format!("{name}@example.com");
        assert_eq!(
            attribute(user.user_attributes(), "email"),
            Some(email.as_str()),
            "{name}"
        );
        if l.confirmed.contains(name) {
            assert_eq!(
                user.user_status(),
                Some(&UserStatusType::Confirmed),
                "{name}"
            );
        }
    }
    for name in &l.unanswered {
        // Not acknowledged: absent, or there with everything it was sent with.
        if let Ok(user) = c
            .admin_get_user()
            .user_pool_id(pool)
            .username(name)
            .send()
            .await
        {
            let email = format!("{name}@example.com");
            assert_eq!(
                attribute(user.user_attributes(), "email"),
                Some(email.as_str()),
                "{name}"
            );
            assert_eq!(
                attribute(user.user_attributes(), "name"),
                Some(name.as_str()),
                "{name}"
            );
        }
    }
    for (name, group) in &l.grouped {
        let groups = c
            .admin_list_groups_for_user()
            .user_pool_id(pool)
            .username(name)
            .send()
            .await
            .unwrap();
        let names: Vec<_> = groups
            .groups()
            .iter()
            .filter_map(|g| g.group_name())
            .collect();
        assert!(
            names.contains(&group.as_str()),
            "{name} not in {group}: {names:?}"
        );
    }
    for token in &l.live {
        refresh(c, client_id, token)
            .await
            .unwrap_or_else(|e| panic!("a live refresh token: {e:?}"));
    }
    for token in &l.revoked {
        let e = refresh(c, client_id, token).await.unwrap_err();
        assert_eq!(
            e.0, "NotAuthorizedException",
            "a revoked refresh token: {e:?}"
        );
    }
    // The fifth wrong password in a row locks the user: exactly as many more as the
    // acknowledged ones leave are refused as incorrect, then the right one is locked out.
    for (name, acked, cut_off) in &l.failures {
        let more = lockout::FREE_ATTEMPTS - acked - u32::from(*cut_off);
        for i in 0..more {
            let e = sign_in(c, client_id, name, WRONG).await.unwrap_err();
            assert_eq!(
                (e.0.as_str(), e.1.as_str()),
                INCORRECT,
                "{name}: wrong password {} after {acked} acknowledged",
                i + 1
            );
        }
        let right = sign_in(c, client_id, name, PW).await;
        // The one cut off counted or not: locked now, or one short of it.
        if !(*cut_off && right.is_ok()) {
            let e = right.unwrap_err();
            assert_eq!(
                (e.0.as_str(), e.1.as_str()),
                LOCKED,
                "{name}: after {acked} acknowledged and {more} more"
            );
        }
    }
    let mut stored = Vec::new();
    for (w, (group, acked, sent)) in l.described.iter().enumerate() {
        let got = c
            .get_group()
            .user_pool_id(pool)
            .group_name(group)
            .send()
            .await
            .unwrap();
        let got = got.group().unwrap().description().map(str::to_owned);
        assert!(
            got == *acked || (sent.is_some() && got == *sent),
            "group {w}: {got:?}, acknowledged {acked:?}, sent {sent:?}"
        );
        stored.push(got);
    }
    let mut configured = Vec::new();
    for (w, (id, acked, sent)) in l.configured.iter().enumerate() {
        let got = c
            .describe_user_pool_client()
            .user_pool_id(pool)
            .client_id(id)
            .send()
            .await
            .unwrap();
        let got = got.user_pool_client().unwrap();
        let got = Some(format!(
            "{}/{}",
            got.client_name().unwrap(),
            got.refresh_token_validity()
        ));
        // Name and validity come from one update: never one's name with another's days.
        assert!(
            got == *acked || (sent.is_some() && got == *sent),
            "client {w}: {got:?}, acknowledged {acked:?}, sent {sent:?}"
        );
        configured.push(got);
    }
    (stored, configured)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_under_a_mixed_load_loses_and_half_applies_nothing() {
    let rounds: usize = std::env::var("IRONPOOL_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let server = Process::spawn(&["--data-dir", data]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = crate::harness::pool(&c).await;
    let client_id = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let mut described = Vec::new();
    for w in 0..WORKERS {
        c.create_group()
            .user_pool_id(&pool)
            .group_name(format!("g{w}"))
            .send()
            .await
            .unwrap();
        described.push((format!("g{w}"), None, None));
    }
    let mut configured = Vec::new();
    for w in 0..WORKERS {
        let name = format!("c{w}");
        let created = c
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(&name)
            .refresh_token_validity(30)
            .send()
            .await
            .unwrap();
        let id = created.user_pool_client().unwrap().client_id().unwrap();
        configured.push((id.to_owned(), Some(format!("{name}/30")), None));
    }
    let ledger = Arc::new(Mutex::new(Ledger {
        described,
        configured,
        ..Default::default()
    }));
    let mut server = Some(server);
    // Acknowledged sign-ups, revocations, unanswered sign-ups and users given wrong
    // passwords, over all rounds.
    let mut totals = (0, 0, 0, 0);
    for round in 0..rounds {
        let running = server
            .take()
            .unwrap_or_else(|| Process::spawn(&["--data-dir", data]));
        let c = sdk_client(&running.url(), KEY_ID, SECRET, "us-east-1");
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                tokio::spawn(worker(
                    c.clone(),
                    pool.clone(),
                    client_id.clone(),
                    round,
                    w,
                    ledger.clone(),
                ))
            })
            .collect();
        // The kill comes after a random number of acknowledged sign-ups (so every round does
        // work, however slow the machine), then a random moment later.
        let target = rand::random_range(1..=18);
        let started = std::time::Instant::now();
        while ledger.lock().unwrap().signed_up.len() < target
            && started.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_micros(rand::random_range(0..20_000))).await;
        running.kill9();
        for worker in workers {
            worker.await.unwrap();
        }
        let restarted = Process::spawn(&["--data-dir", data]);
        let c = sdk_client(&restarted.url(), KEY_ID, SECRET, "us-east-1");
        let this_round = std::mem::take(&mut *ledger.lock().unwrap());
        let (stored, configs) = check(&c, &pool, &client_id, &this_round).await;
        totals.0 += this_round.signed_up.len();
        totals.1 += this_round.revoked.len();
        totals.2 += this_round.unanswered.len();
        totals.3 += this_round.failures.len();
        // A few tokens stay checked in later rounds (a revocation must not come undone), and
        // each group's description and client's configuration is now what is stored.
        {
            let mut l = ledger.lock().unwrap();
            l.live.extend(this_round.live.iter().rev().take(3).cloned());
            l.revoked
                .extend(this_round.revoked.iter().rev().take(3).cloned());
            l.described = (0..WORKERS)
                .map(|w| (format!("g{w}"), stored[w].clone(), None))
                .collect();
            l.configured = this_round
                .configured
                .iter()
                .zip(configs)
                .map(|((id, _, _), got)| (id.clone(), got, None))
                .collect();
        }
        server = Some(restarted);
    }
    eprintln!(
        "{rounds} kill -9 rounds: {} sign-ups acknowledged, {} revocations, {} sign-ups cut off, \
         {} lockout counts checked",
        totals.0, totals.1, totals.2, totals.3
    );
    assert!(
        totals.0 >= rounds && totals.1 > 0 && totals.2 > 0 && totals.3 > 0,
        "{totals:?}"
    );
}
