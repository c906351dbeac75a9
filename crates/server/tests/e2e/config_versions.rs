//! Configuration changes made at once lose nothing: each is written over the version of the
//! document it was made from, and made again from what is stored when another change came in
//! between. On one server, and with IRONPOOL_E2E_BACKEND=postgres on two servers sharing one
//! database.

use crate::harness::{client_with, err, pool, test_config, TestServer};
use aws_sdk_cognitoidentityprovider::Client;
use std::collections::BTreeSet;

const CLIENTS: usize = 8;
const UPDATES: usize = 4;
const TAGS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_of_clients_and_pools_lose_nothing() {
    let config = test_config();
    let mut servers = vec![TestServer::with_config(config.clone()).await];
    if config.database.is_some() {
        servers.push(TestServer::with_config(config).await);
    }
    let nodes: Vec<Client> = servers.iter().map(TestServer::client).collect();
    let node = |n: usize| nodes[n % nodes.len()].clone();
    let c = &nodes[0];
    let p = pool(c).await;
    let arn = c
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for _ in 0..CLIENTS {
        ids.push(client_with(c, &p, |b| b.generate_secret(true)).await);
    }

    // For each client at once: two AddUserPoolClientSecret (room for one more secret) and
    // UPDATES UpdateUserPoolClient; and TAGS TagResource of the pool.
    let mut adds = tokio::task::JoinSet::new();
    let mut updates = tokio::task::JoinSet::new();
    let mut tags = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        for n in 0..2 {
            let (c, p, id) = (node(i + n), p.clone(), id.clone());
            adds.spawn(async move {
                let added = c
                    .add_user_pool_client_secret()
                    .user_pool_id(&p)
                    .client_id(&id)
                    .send()
                    .await;
                let added = added.map(|r| {
                    let secret = r.client_secret_descriptor().unwrap();
                    secret.client_secret_id().unwrap().to_owned()
                });
                (id, added.map_err(err))
            });
        }
        for n in 0..UPDATES {
            let (c, p, id) = (node(i + n), p.clone(), id.clone());
            updates.spawn(async move {
                let name = format!("name-{n}");
                c.update_user_pool_client()
                    .user_pool_id(&p)
                    .client_id(&id)
                    .client_name(&name)
                    .send()
                    .await
                    .unwrap();
                (id, name)
            });
        }
    }
    for n in 0..TAGS {
        let (c, arn) = (node(n), arn.clone());
        tags.spawn(async move {
            c.tag_resource()
                .resource_arn(&arn)
                .tags(format!("k{n}"), "v")
                .send()
                .await
                .unwrap();
        });
    }
    let adds = adds.join_all().await;
    let updates = updates.join_all().await;
    tags.join_all().await;

    for id in &ids {
        let listed = c
            .list_user_pool_client_secrets()
            .user_pool_id(&p)
            .client_id(id)
            .send()
            .await
            .unwrap();
        let stored: BTreeSet<&str> = listed
            .client_secrets()
            .iter()
            .map(|s| s.client_secret_id().unwrap())
            .collect();
        let mut added = Vec::new();
        let mut refused = Vec::new();
        for (_, outcome) in adds.iter().filter(|(of, _)| of == id) {
            match outcome {
                Ok(secret) => added.push(secret.as_str()),
                Err(e) => refused.push(e.clone()),
            }
        }
        assert_eq!(added.len(), 1, "{id}: one secret more fits: {refused:?}");
        assert_eq!(
            refused,
            [(
                "LimitExceededException".to_string(),
                format!("Client {id} already has the maximum of 2 client secrets."),
            )]
        );
        assert_eq!(stored.len(), 2, "{id}: {stored:?}");
        assert!(
            stored.contains(added[0]),
            "{id}: {added:?} lost: {stored:?}"
        );

        let described = c
            .describe_user_pool_client()
            .user_pool_id(&p)
            .client_id(id)
            .send()
            .await
            .unwrap();
        let name = described.user_pool_client().unwrap().client_name().unwrap();
        assert!(
            updates.iter().any(|(of, n)| of == id && n == name),
            "{name}"
        );
    }
    let described = c
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap();
    let kept: BTreeSet<&str> = described
        .user_pool()
        .unwrap()
        .user_pool_tags()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let tagged: Vec<String> = (0..TAGS).map(|n| format!("k{n}")).collect();
    assert_eq!(kept, tagged.iter().map(String::as_str).collect());
}
