//! Cognito's request rate quotas (`--rate-limits aws`): every operation belongs to a category
//! with a rate per account and region, and a request over it is refused with
//! `TooManyRequestsException` before it runs. Off by default, so local development and tests
//! are never throttled. An IAM call counts in the account and region it is signed for; calls
//! authorized by a token, session or client id count in `--account-id` and `--region`.
//!
//! Each category of each account and region is one GCRA token bucket (one second of burst)
//! kept in atomics, so the check takes no lock once the account and region are known. The
//! rates are AWS's defaults, or what UpdateProvisionedLimit provisioned: read from the store
//! for an account and region first seen, and again every [`REFRESH`], so every server of one
//! database follows a change.

use crate::app::App;
use crate::scope::Scope;
use clap::ValueEnum;
use ironpool_api::{ApiError, ErrorCode, Operation};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long provisioned rates read from the store are used before they are read again.
pub const REFRESH: Duration = Duration::from_secs(10);

/// How many accounts and regions the limiter keeps buckets for at most.
const MAX_SCOPES: usize = 10_000;

/// The categories whose rate UpdateProvisionedLimit may raise.
pub const ADJUSTABLE: &[&str] = &[
    "UserAuthentication",
    "UserCreation",
    "UserFederation",
    "UserRead",
    "UserToken",
    "UserResourceRead",
];

/// The highest rate that may be provisioned, as a multiple of the default: AWS's maximum is
/// each account's Service Quotas value, which no document gives.
pub const MAX_PROVISIONED_FACTOR: i32 = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum RateLimits {
    /// No throttling.
    #[default]
    Off,
    /// AWS's default quotas per operation category.
    Aws,
}

/// AWS's message for a throttled call.
pub const MESSAGE: &str = "Rate exceeded";

/// The user pool operation categories of "Quotas in Amazon Cognito", their default quota in
/// requests per second, and their operations (UserFederation and ClientAuthentication count
/// the managed login pages' requests, not operations). Operations not listed (and those whose
/// model does not declare TooManyRequestsException) are never throttled.
pub const CATEGORIES: &[(&str, f64, &[Operation])] = {
    use Operation::*;
    &[
        (
            "UserAuthentication",
            120.0,
            &[
                AdminInitiateAuth,
                AdminRespondToAuthChallenge,
                InitiateAuth,
                RespondToAuthChallenge,
            ],
        ),
        (
            "UserCreation",
            50.0,
            &[AdminConfirmSignUp, AdminCreateUser, ConfirmSignUp, SignUp],
        ),
        (
            "UserAccountRecovery",
            30.0,
            &[
                AdminResetUserPassword,
                AdminSetUserPassword,
                ChangePassword,
                ConfirmForgotPassword,
                ForgotPassword,
                ResendConfirmationCode,
            ],
        ),
        (
            "UserRead",
            120.0,
            &[
                AdminGetUser,
                AdminGetUserAuthFactors,
                GetUser,
                GetUserAttributeVerificationCode,
                GetUserAuthFactors,
            ],
        ),
        (
            "UserUpdate",
            25.0,
            &[
                AdminDeleteUser,
                AdminDeleteUserAttributes,
                AdminDisableProviderForUser,
                AdminDisableUser,
                AdminEnableUser,
                AdminLinkProviderForUser,
                AdminSetUserMFAPreference,
                AdminSetUserSettings,
                AdminUpdateAuthEventFeedback,
                AdminUpdateUserAttributes,
                AssociateSoftwareToken,
                DeleteUser,
                DeleteUserAttributes,
                SetUserMFAPreference,
                SetUserSettings,
                UpdateAuthEventFeedback,
                UpdateUserAttributes,
                VerifySoftwareToken,
                VerifyUserAttribute,
            ],
        ),
        (
            "UserResourceRead",
            50.0,
            &[
                AdminGetDevice,
                AdminListDevices,
                AdminListGroupsForUser,
                AdminListUserAuthEvents,
                GetDevice,
                ListDevices,
                ListWebAuthnCredentials,
            ],
        ),
        (
            "UserResourceUpdate",
            25.0,
            &[
                AdminAddUserToGroup,
                AdminForgetDevice,
                AdminRemoveUserFromGroup,
                AdminUpdateDeviceStatus,
                CompleteWebAuthnRegistration,
                ConfirmDevice,
                DeleteWebAuthnCredential,
                ForgetDevice,
                StartWebAuthnRegistration,
                UpdateDeviceStatus,
            ],
        ),
        ("UserList", 30.0, &[ListUsers, ListUsersInGroup]),
        (
            "UserToken",
            120.0,
            &[
                AdminUserGlobalSignOut,
                GetTokensFromRefreshToken,
                GlobalSignOut,
                RevokeToken,
            ],
        ),
        (
            "UserPoolRead",
            15.0,
            &[DescribeUserPool, GetUserPoolMfaConfig, ListUserPools],
        ),
        (
            "UserPoolUpdate",
            15.0,
            &[
                AddCustomAttributes,
                CreateUserPool,
                DeleteUserPool,
                SetUserPoolMfaConfig,
                UpdateUserPool,
            ],
        ),
        (
            "UserPoolResourceRead",
            20.0,
            &[
                DescribeIdentityProvider,
                DescribeResourceServer,
                DescribeRiskConfiguration,
                DescribeUserImportJob,
                DescribeUserPoolDomain,
                GetCSVHeader,
                GetGroup,
                GetIdentityProviderByIdentifier,
                GetLogDeliveryConfiguration,
                GetSigningCertificate,
                GetUICustomization,
                ListGroups,
                ListIdentityProviders,
                ListResourceServers,
                ListTagsForResource,
                ListUserImportJobs,
            ],
        ),
        (
            "UserPoolResourceUpdate",
            15.0,
            &[
                CreateGroup,
                CreateIdentityProvider,
                CreateResourceServer,
                CreateUserImportJob,
                CreateUserPoolDomain,
                DeleteGroup,
                DeleteIdentityProvider,
                DeleteResourceServer,
                DeleteUserPoolDomain,
                SetLogDeliveryConfiguration,
                SetRiskConfiguration,
                SetUICustomization,
                StartUserImportJob,
                StopUserImportJob,
                TagResource,
                UntagResource,
                UpdateGroup,
                UpdateIdentityProvider,
                UpdateResourceServer,
                UpdateUserPoolDomain,
            ],
        ),
        ("UserFederation", 25.0, &[]),
        ("ClientAuthentication", 150.0, &[]),
        (
            "LimitManagement",
            1.0,
            &[GetProvisionedLimit, UpdateProvisionedLimit],
        ),
        (
            "UserPoolClientRead",
            15.0,
            &[DescribeUserPoolClient, ListUserPoolClients],
        ),
        (
            "UserPoolClientUpdate",
            15.0,
            &[
                CreateUserPoolClient,
                DeleteUserPoolClient,
                UpdateUserPoolClient,
            ],
        ),
    ]
};

/// One category's bucket, as GCRA: the time (µs) at which the bucket would be full again.
struct Bucket {
    /// Microseconds one request costs.
    interval: AtomicU64,
    /// How far ahead of now the full time may run: one second of requests.
    burst: AtomicU64,
    full_at: AtomicU64,
}

impl Bucket {
    fn new(rate: f64) -> Self {
        let bucket = Self {
            interval: AtomicU64::new(0),
            burst: AtomicU64::new(0),
            full_at: AtomicU64::new(0),
        };
        bucket.set_rate(rate);
        bucket
    }

    fn set_rate(&self, rate: f64) {
        let interval = (1_000_000.0 / rate).round().max(1.0) as u64;
        self.interval.store(interval, Ordering::Relaxed);
        self.burst
            .store(interval * rate.round().max(1.0) as u64, Ordering::Relaxed);
    }

    fn take(&self, now: u64) -> bool {
        let interval = self.interval.load(Ordering::Relaxed);
        let burst = self.burst.load(Ordering::Relaxed);
        let mut current = self.full_at.load(Ordering::Relaxed);
        loop {
            let next = current.max(now) + interval;
            if next - now > burst {
                return false;
            }
            match self.full_at.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }
}

/// The buckets of one account and region, one per category, and when their rates were read.
struct Buckets {
    buckets: Vec<Bucket>,
    read_at: AtomicU64,
}

/// The buckets of every account and region seen, and for each operation its category.
#[derive(Default)]
pub struct Limiter {
    /// Multiplies every rate; 0 when throttling is off.
    scale: f64,
    by_operation: Vec<Option<usize>>,
    scopes: RwLock<HashMap<Scope, Arc<Buckets>>>,
}

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl Limiter {
    /// `scale` multiplies every quota (0.5: half of AWS's rates).
    pub fn new(limits: RateLimits, scale: f64) -> Result<Self, String> {
        if limits == RateLimits::Off {
            return Ok(Self::default());
        }
        if !(scale.is_finite() && scale > 0.0) {
            return Err(format!(
                "--rate-limit-scale must be a positive number, not {scale}"
            ));
        }
        let mut by_operation = vec![None; Operation::ALL.len()];
        for (i, (_, _, operations)) in CATEGORIES.iter().enumerate() {
            for op in operations.iter().filter(|op| throttleable(**op)) {
                by_operation[*op as usize] = Some(i);
            }
        }
        Ok(Self {
            scale,
            by_operation,
            scopes: RwLock::default(),
        })
    }

    fn category_of(&self, op: Operation) -> Option<usize> {
        self.by_operation.get(op as usize).copied().flatten()
    }

    fn buckets(&self, scope: &Scope) -> Arc<Buckets> {
        if let Some(b) = self.scopes.read().ok().and_then(|m| m.get(scope).cloned()) {
            return b;
        }
        let mut scopes = self.scopes.write().unwrap_or_else(|e| e.into_inner());
        // Regions are many: past a bound, start over (rates are read again from the store).
        if scopes.len() >= MAX_SCOPES && !scopes.contains_key(scope) {
            scopes.clear();
        }
        scopes
            .entry(scope.clone())
            .or_insert_with(|| {
                Arc::new(Buckets {
                    buckets: CATEGORIES
                        .iter()
                        .map(|(_, rps, _)| Bucket::new(rps * self.scale))
                        .collect(),
                    read_at: AtomicU64::new(0),
                })
            })
            .clone()
    }

    /// Whether a request of `op` in `scope` at `now` should first read the provisioned rates.
    pub fn needs_rates(&self, scope: &Scope, op: Operation, now: SystemTime) -> bool {
        if self.category_of(op).is_none() {
            return false;
        }
        let read_at = self.buckets(scope).read_at.load(Ordering::Relaxed);
        read_at == 0 || micros(now).saturating_sub(read_at) >= REFRESH.as_micros() as u64
    }

    /// Sets the rates of `scope`: `provisioned` (category, requests per second) where given,
    /// the default elsewhere.
    pub fn provision(&self, scope: &Scope, provisioned: &[(String, i32)], now: SystemTime) {
        if self.scale == 0.0 {
            return;
        }
        let buckets = self.buckets(scope);
        for (bucket, (name, rps, _)) in buckets.buckets.iter().zip(CATEGORIES) {
            let rate = provisioned
                .iter()
                .find(|(category, _)| category == name)
                .map_or(*rps, |(_, value)| f64::from(*value));
            bucket.set_rate(rate * self.scale);
        }
        buckets.read_at.store(micros(now).max(1), Ordering::Relaxed);
    }

    /// Takes one request of `op` in `scope` at `now` from its category's quota.
    pub fn check(&self, scope: &Scope, op: Operation, now: SystemTime) -> Result<(), ApiError> {
        let Some(i) = self.category_of(op) else {
            return Ok(());
        };
        if self.buckets(scope).buckets[i].take(micros(now)) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::TooManyRequestsException, MESSAGE))
        }
    }
}

/// Takes one request of `op` in `scope` (`None`: the server's own account and region) from
/// its quota, reading the rates provisioned for `scope` when they are not known or are older
/// than [`REFRESH`].
pub async fn admit(app: &App, scope: Option<&Scope>, op: Operation) -> Result<(), ApiError> {
    if app.limiter.category_of(op).is_none() {
        return Ok(());
    }
    let default;
    let scope = match scope {
        Some(scope) => scope,
        None => {
            default = Scope::default_of(app);
            &default
        }
    };
    let now = app.clock.now();
    if app.limiter.needs_rates(scope, op, now) {
        match app
            .store
            .provisioned_limits(&scope.account_id, &scope.region)
            .await
        {
            Ok(provisioned) => app.limiter.provision(scope, &provisioned, now),
            // The rates known so far hold until the store answers.
            Err(e) => tracing::warn!(error = %e, "reading provisioned limits"),
        }
    }
    let admitted = app.limiter.check(scope, op, now);
    if admitted.is_err() {
        crate::metrics::rate_limited(category(op).unwrap_or("-"));
    }
    admitted
}

/// The default rate of `category`, if it is one.
pub fn default_rate(category: &str) -> Option<i32> {
    CATEGORIES
        .iter()
        .find(|(name, _, _)| *name == category)
        .map(|(_, rps, _)| *rps as i32)
}

/// Only operations whose model declares the error may answer with it.
fn throttleable(op: Operation) -> bool {
    op.errors().contains(&ErrorCode::TooManyRequestsException)
}

/// The category an operation is counted in, if any.
pub fn category(op: Operation) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|(_, _, ops)| ops.contains(&op))
        .map(|(name, _, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_in_at_most_one_category() {
        for op in Operation::ALL {
            let n = CATEGORIES
                .iter()
                .filter(|(_, _, ops)| ops.contains(&op))
                .count();
            assert!(n <= 1, "{op:?} is in {n} categories");
        }
        assert_eq!(category(Operation::DeleteUser), Some("UserUpdate"));
    }

    #[test]
    fn a_bucket_allows_one_second_of_requests_then_refills() {
        let limiter = Limiter::new(RateLimits::Aws, 1.0).unwrap();
        let here = Scope {
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
        };
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let ms = std::time::Duration::from_millis;
        let allowed = (0..100)
            .filter(|_| limiter.check(&here, Operation::DeleteUser, t).is_ok())
            .count();
        assert_eq!(allowed, 25);
        let sign_ins = (0..200)
            .filter(|_| limiter.check(&here, Operation::InitiateAuth, t).is_ok())
            .count();
        assert_eq!(sign_ins, 120);
        let e = limiter.check(&here, Operation::DeleteUser, t).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::TooManyRequestsException, MESSAGE)
        );
        // Another category is untouched; a 25th of a second later one more fits.
        assert!(limiter.check(&here, Operation::GetUser, t).is_ok());
        assert!(limiter
            .check(&here, Operation::DeleteUser, t + ms(40))
            .is_ok());
        assert!(limiter
            .check(&here, Operation::DeleteUser, t + ms(40))
            .is_err());
        // Another region has quotas of its own.
        let there = Scope {
            region: "eu-west-1".into(),
            ..here.clone()
        };
        assert!(limiter.check(&there, Operation::DeleteUser, t).is_ok());
        assert!(Limiter::new(RateLimits::Off, 1.0)
            .unwrap()
            .check(&here, Operation::DeleteUser, t)
            .is_ok());
    }

    #[test]
    fn provisioned_rates_replace_the_defaults_and_are_read_again() {
        let limiter = Limiter::new(RateLimits::Aws, 1.0).unwrap();
        let here = Scope {
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
        };
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert!(limiter.needs_rates(&here, Operation::InitiateAuth, t));
        assert!(!limiter.needs_rates(&here, Operation::AdminSetUserSettings, t));
        limiter.provision(&here, &[("UserAuthentication".into(), 300)], t);
        assert!(!limiter.needs_rates(&here, Operation::InitiateAuth, t));
        assert!(limiter.needs_rates(&here, Operation::InitiateAuth, t + REFRESH));
        let sign_ins = (0..400)
            .filter(|_| limiter.check(&here, Operation::InitiateAuth, t).is_ok())
            .count();
        assert_eq!(sign_ins, 300);
        assert_eq!(default_rate("UserAuthentication"), Some(120));
        assert_eq!(default_rate("LimitManagement"), Some(1));
        assert_eq!(default_rate("Nothing"), None);
    }
}
