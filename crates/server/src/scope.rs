//! Accounts and regions: one server holds the pools of every account in every region.
//!
//! An IAM call (one that takes SigV4) acts in the account and region it is signed for: the
//! region of its credential scope, and the account of its access key (the `aws_account_id` of
//! the key's credentials-file profile, else `--account-id`). A server without credentials
//! verifies nothing and believes what a signed request says of itself: its scope's region, and
//! for an access key id of twelve digits that account (other keys: `--account-id`); an
//! unsigned call is in `--account-id` and `--region`. Calls authorized by a token, a session or
//! a client id act wherever the pool they name lives.
//!
//! A pool lives in the account and region of its ARN (from before ARNs were kept: the server's
//! account, and the region its id names), and is served too in the regions of its replicas
//! (`ops::replicas`); an IAM call naming a pool or ARN of another account or region finds
//! nothing, as it would in AWS.

use crate::app::{App, OrInternal};
use crate::ops::replicas;
use crate::request_context::RequestContext;
use ironpool_api::types::UserPoolType;
use ironpool_api::{ApiError, Operation};
use ironpool_sigv4::{Outcome, Scope as Claimed};

/// An account and a region.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub account_id: String,
    pub region: String,
}

impl Scope {
    /// The server's own: `--account-id` and `--region`.
    pub fn default_of(app: &App) -> Self {
        Self {
            account_id: app.config.account_id.clone(),
            region: app.config.region.clone(),
        }
    }

    /// Of a request verified (or, on a server without credentials, only claimed) as signed
    /// for `region` with a key of `account_id`.
    pub fn verified(app: &App, outcome: &Outcome) -> Option<Self> {
        match outcome {
            Outcome::Verified {
                region, account_id, ..
            } => Some(Self {
                account_id: account_id
                    .clone()
                    .unwrap_or_else(|| app.config.account_id.clone()),
                region: region.clone(),
            }),
            Outcome::Unsigned => None,
        }
    }

    /// Of a request on a server without credentials: what its signature claims, or the
    /// server's own for an unsigned one.
    pub fn claimed(app: &App, claimed: Option<Claimed>) -> Self {
        match claimed {
            Some(c) => Self {
                account_id: if c.access_key_id.len() == 12
                    && c.access_key_id.bytes().all(|b| b.is_ascii_digit())
                {
                    c.access_key_id
                } else {
                    app.config.account_id.clone()
                },
                region: c.region,
            },
            None => Self::default_of(app),
        }
    }

    /// Where `pool` lives.
    pub fn of_pool(app: &App, pool: &UserPoolType) -> Self {
        let id = pool.id.as_deref().unwrap_or_default();
        pool.arn
            .as_deref()
            .and_then(of_arn)
            .unwrap_or_else(|| Self {
                account_id: app.config.account_id.clone(),
                region: region_of_pool_id(id).to_owned(),
            })
    }

    /// Where the pool `id` lives; the server's account and the id's region for a pool that
    /// does not exist.
    pub async fn of_pool_id(app: &App, id: &str) -> Result<Self, ApiError> {
        Ok(pool_scope(app, id).await?.unwrap_or_else(|| Self {
            account_id: app.config.account_id.clone(),
            region: region_of_pool_id(id).to_owned(),
        }))
    }
}

/// The region a pool id names (`us-west-2_aBc123456` is in us-west-2).
pub fn region_of_pool_id(id: &str) -> &str {
    id.split_once('_').map_or("", |(region, _)| region)
}

/// Whether `id` has the model's shape of a pool id: `[\w-]+_[0-9a-zA-Z]+`, at most 55 long.
fn is_pool_id(id: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    id.len() <= 55
        && id.rsplit_once('_').is_some_and(|(region, rest)| {
            !region.is_empty()
                && region.bytes().all(word)
                && !rest.is_empty()
                && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// The account and region of `arn:<partition>:cognito-idp:<region>:<account>:...`.
pub fn of_arn(arn: &str) -> Option<Scope> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, _, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    Some(Scope {
        account_id: account.to_owned(),
        region: region.to_owned(),
    })
}

/// The account and region of the IAM call being handled; `None` for calls authorized by a
/// token, session or client id, and outside a request.
pub fn caller() -> Option<Scope> {
    RequestContext::current().scope
}

/// Where a new resource of the call being handled goes: the caller's account and region, or
/// the server's own.
pub fn current(app: &App) -> Scope {
    caller().unwrap_or_else(|| Scope::default_of(app))
}

/// Refuses, as not found, an IAM call in `scope` naming (by `UserPoolId` or `ResourceArn`) a
/// pool of another account or region; in a region where the pool has a replica, refuses the
/// operations that region does not answer. A pool that does not exist is left to the handler.
pub async fn check_input(
    app: &App,
    op: Operation,
    scope: &Scope,
    input: &serde_json::Value,
) -> Result<(), ApiError> {
    if let Some(arn) = input["ResourceArn"].as_str() {
        if of_arn(arn).is_some_and(|s| s != *scope) {
            return Err(ApiError::resource_not_found(format!(
                "Resource {arn} does not exist."
            )));
        }
    }
    // An id the model refuses is left for validation to refuse.
    let Some(id) = input["UserPoolId"].as_str().filter(|id| is_pool_id(id)) else {
        return Ok(());
    };
    let Some(home) = pool_scope(app, id).await? else {
        return Ok(());
    };
    if home == *scope {
        return Ok(());
    }
    if home.account_id == scope.account_id {
        if let Some(replica) = replicas::replica_in(app, id, &scope.region).await? {
            return replicas::check_secondary(op, &replica);
        }
    }
    Err(super::ops::user_pools::pool_not_found(id))
}

/// Where the pool `id` lives (`None` when there is no such pool); remembered, since it never
/// changes.
async fn pool_scope(app: &App, id: &str) -> Result<Option<Scope>, ApiError> {
    if let Some(known) = app.pool_scopes.lock().ok().and_then(|m| m.get(id).cloned()) {
        return Ok(Some(known));
    }
    let Some(pool) = app.store.get_user_pool(id).await.or_internal()? else {
        return Ok(None);
    };
    let scope = Scope::of_pool(app, &pool);
    if let Ok(mut known) = app.pool_scopes.lock() {
        known.insert(id.to_owned(), scope.clone());
    }
    Ok(Some(scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_pool_ids_name_their_region_and_account() {
        assert_eq!(
            of_arn("arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_abc"),
            Some(Scope {
                account_id: "111122223333".into(),
                region: "eu-west-1".into()
            })
        );
        assert_eq!(of_arn("arn:aws:cognito-idp"), None);
        assert_eq!(region_of_pool_id("us-west-2_aBc123456"), "us-west-2");
        assert_eq!(region_of_pool_id("nounderscore"), "");
        assert!(is_pool_id("us-west-2_aBc123456"));
        assert!(!is_pool_id("us-west-2_"));
        assert!(!is_pool_id("nounderscore"));
        assert!(!is_pool_id("us-west-2_a.b"));
    }
}
