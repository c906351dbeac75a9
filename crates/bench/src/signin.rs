//! W4 (USER_PASSWORD_AUTH), W4s (SRP, both round trips) and W5 (GetUser with an access
//! token), each for users drawn at random from a population.

use crate::client::{field, Conn, Result};
use crate::load::{BoxFuture, Op};
use crate::users::{username, PASSWORD};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ironpool_core::srp;
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// A population of `users` users named `<prefix><n>` with [`PASSWORD`], and an app client.
#[derive(Clone)]
pub struct Population {
    pub pool_id: String,
    pub client_id: String,
    pub prefix: String,
    pub users: usize,
}

impl Population {
    fn random_user(&self) -> String {
        username(&self.prefix, rand::random_range(0..self.users))
    }

    /// USER_PASSWORD_AUTH for `user`: the answer's AuthenticationResult.
    pub async fn password_sign_in(&self, conn: &mut Conn, user: &str) -> Result<Value> {
        let answer = conn
            .call(
                "InitiateAuth",
                &json!({
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": self.client_id,
                    "AuthParameters": { "USERNAME": user, "PASSWORD": PASSWORD }
                }),
            )
            .await?;
        field(&answer, "/AuthenticationResult/AccessToken")?;
        Ok(answer)
    }
}

/// W4: a password sign-in of a random user.
pub struct PasswordSignIn(pub Population);

impl Op for PasswordSignIn {
    fn run<'a>(&'a self, _: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.0.password_sign_in(conn, &self.0.random_user()).await?;
            Ok(())
        })
    }
}

/// W4s: USER_SRP_AUTH then PASSWORD_VERIFIER, with the client side computed as
/// amazon-cognito-identity-js computes it. That library draws its secret `a` and `A = g^a`
/// before the sign-in starts, so they are drawn here before the timed run; everything that
/// depends on the server's answer (`S`, the key, the signature) is computed inside it.
pub struct SrpSignIn {
    pub population: Population,
    /// One `(a, A, A as hex)` per operation.
    pub ephemerals: Vec<([u8; 32], Vec<u8>, String)>,
}

impl SrpSignIn {
    pub fn new(population: Population, ops: usize) -> Self {
        let ephemerals = (0..ops)
            .map(|_| {
                let a: [u8; 32] = rand::random();
                let big_a = srp::g_pow(&a);
                let hex = srp::to_hex(&big_a);
                (a, big_a, hex)
            })
            .collect();
        Self {
            population,
            ephemerals,
        }
    }

    async fn sign_in(&self, index: usize, conn: &mut Conn) -> Result<()> {
        let (a, big_a, big_a_hex) = &self.ephemerals[index];
        let user = self.population.random_user();
        let challenge = conn
            .call(
                "InitiateAuth",
                &json!({
                    "AuthFlow": "USER_SRP_AUTH",
                    "ClientId": self.population.client_id,
                    "AuthParameters": { "USERNAME": user, "SRP_A": big_a_hex }
                }),
            )
            .await?;
        let param = |name: &str| field(&challenge, &format!("/ChallengeParameters/{name}"));
        let user_id = param("USER_ID_FOR_SRP")?;
        let secret_block = param("SECRET_BLOCK")?;
        let hex = |name: &str| -> Result<Vec<u8>> {
            srp::parse_hex(param(name)?).ok_or_else(|| format!("{name} is not hex"))
        };
        let pool_name = srp::pool_name(&self.population.pool_id);
        let key = srp::client_key(
            a,
            big_a,
            &hex("SRP_B")?,
            &hex("SALT")?,
            pool_name,
            user_id,
            PASSWORD,
        );
        let block = STANDARD.decode(secret_block).map_err(|e| e.to_string())?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?;
        let timestamp = srp::format_timestamp(now.as_secs() as i64);
        let signature = srp::claim_signature(&key, pool_name, user_id, &block, &timestamp);
        let answer = conn
            .call(
                "RespondToAuthChallenge",
                &json!({
                    "ClientId": self.population.client_id,
                    "ChallengeName": "PASSWORD_VERIFIER",
                    "Session": challenge["Session"],
                    "ChallengeResponses": {
                        "USERNAME": user_id,
                        "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
                        "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(signature),
                        "TIMESTAMP": timestamp
                    }
                }),
            )
            .await?;
        field(&answer, "/AuthenticationResult/AccessToken")?;
        Ok(())
    }
}

impl Op for SrpSignIn {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.sign_in(index, conn))
    }
}

/// W5: GetUser with the access token of a random signed-in user.
pub struct GetUser {
    pub access_tokens: Vec<String>,
}

impl GetUser {
    /// Signs in the first `count` users of `population` to collect their access tokens.
    pub async fn signed_in(population: &Population, conn: &mut Conn, count: usize) -> Result<Self> {
        let mut access_tokens = Vec::with_capacity(count);
        for index in 0..count.min(population.users) {
            let answer = population
                .password_sign_in(conn, &username(&population.prefix, index))
                .await?;
            access_tokens.push(field(&answer, "/AuthenticationResult/AccessToken")?.to_owned());
        }
        Ok(Self { access_tokens })
    }
}

impl Op for GetUser {
    fn run<'a>(&'a self, _: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let token = &self.access_tokens[rand::random_range(0..self.access_tokens.len())];
            let user = conn
                .call("GetUser", &json!({ "AccessToken": token }))
                .await?;
            field(&user, "/Username")?;
            Ok(())
        })
    }
}

/// W0: GetUser with a token that is not a JWT, answered NotAuthorizedException before any
/// store read or cryptography: what one awsJson1.1 exchange (HTTP, routing, JSON in and out)
/// costs the server, the part of every operation that no workload can skip.
pub struct Exchange;

impl Op for Exchange {
    fn run<'a>(&'a self, _: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match conn
                .call("GetUser", &json!({ "AccessToken": "not-a-token" }))
                .await
            {
                Err(e) if e.contains("NotAuthorizedException") => Ok(()),
                Err(e) => Err(e),
                Ok(answer) => Err(format!("GetUser with no token answered {answer}")),
            }
        })
    }
}
