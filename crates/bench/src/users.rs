//! Pools, app clients and users created through the API (W2, W3 and the populations the
//! other workloads sign in to or search).

use crate::client::{field, Conn, Result};
use crate::load::{BoxFuture, Op};
use serde_json::json;
use std::sync::Mutex;

/// Every benchmark user's password (it meets the default policy).
pub const PASSWORD: &str = "Bench-pass-1";

/// A pool and an app client allowed every sign-in flow measured here.
pub struct Pool {
    pub id: String,
    pub client_id: String,
}

pub async fn create_pool(conn: &mut Conn, name: &str) -> Result<Pool> {
    create_pool_with(conn, json!({ "PoolName": name })).await
}

/// A pool made by the CreateUserPool request `request`, and an app client.
pub async fn create_pool_with(conn: &mut Conn, request: serde_json::Value) -> Result<Pool> {
    let pool = conn.call("CreateUserPool", &request).await?;
    let id = field(&pool, "/UserPool/Id")?.to_owned();
    let client_id = create_client(conn, &id).await?;
    Ok(Pool { id, client_id })
}

async fn create_client(conn: &mut Conn, pool_id: &str) -> Result<String> {
    let client = conn
        .call(
            "CreateUserPoolClient",
            &json!({
                "UserPoolId": pool_id,
                "ClientName": "bench",
                "ExplicitAuthFlows": [
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH"
                ]
            }),
        )
        .await?;
    Ok(field(&client, "/UserPoolClient/ClientId")?.to_owned())
}

/// The `index`th user of a population: its user name is also the start of its email.
pub fn username(prefix: &str, index: usize) -> String {
    format!("{prefix}{index}")
}

pub fn email(prefix: &str, index: usize) -> String {
    format!("{prefix}{index}@example.com")
}

/// W3: one user = AdminCreateUser (no message sent) + AdminSetUserPassword (permanent).
pub struct CreateUsers {
    pub pool_id: String,
    pub prefix: String,
}

impl CreateUsers {
    /// Creates one user; `acknowledged` hears of each call the server answered.
    pub async fn create(
        &self,
        index: usize,
        conn: &mut Conn,
        acknowledged: impl Fn(bool),
    ) -> Result<()> {
        let username = username(&self.prefix, index);
        conn.call(
            "AdminCreateUser",
            &json!({
                "UserPoolId": self.pool_id,
                "Username": username,
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": email(&self.prefix, index) }]
            }),
        )
        .await?;
        acknowledged(false);
        conn.call(
            "AdminSetUserPassword",
            &json!({
                "UserPoolId": self.pool_id,
                "Username": username,
                "Password": PASSWORD,
                "Permanent": true
            }),
        )
        .await?;
        acknowledged(true);
        Ok(())
    }
}

impl Op for CreateUsers {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.create(index, conn, |_| {}))
    }
}

/// W2, first half: CreateUserPool; the ids are kept for the second half.
pub struct CreatePools {
    pub name: String,
    pub ids: Mutex<Vec<String>>,
}

impl Op for CreatePools {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let pool = conn
                .call(
                    "CreateUserPool",
                    &json!({ "PoolName": format!("{}-{index}", self.name) }),
                )
                .await?;
            let id = field(&pool, "/UserPool/Id")?.to_owned();
            self.ids.lock().map_err(|e| e.to_string())?.push(id);
            Ok(())
        })
    }
}

/// W2, second half: CreateUserPoolClient in each pool the first half created.
pub struct CreateClients {
    pub pool_ids: Vec<String>,
}

impl Op for CreateClients {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            create_client(conn, &self.pool_ids[index]).await?;
            Ok(())
        })
    }
}
