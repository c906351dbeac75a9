//! Cognito's request rate quotas (`--rate-limits aws`): every operation belongs to a category
//! with a per-account rate, and a request over it is refused with `TooManyRequestsException`
//! before it runs. Off by default, so local development and tests are never throttled.
//!
//! Each category is one GCRA token bucket (one second of burst) kept in a single atomic, so
//! the check takes no lock and calls of different categories never touch the same memory.

use clap::ValueEnum;
use ironpool_api::{ApiError, ErrorCode, Operation};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

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
/// requests per second, and their operations. Operations not listed (and those whose model
/// does not declare TooManyRequestsException) are never throttled.
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
    interval: u64,
    /// How far ahead of now the full time may run: one second of requests.
    burst: u64,
    full_at: AtomicU64,
}

impl Bucket {
    fn take(&self, now: u64) -> bool {
        let mut current = self.full_at.load(Ordering::Relaxed);
        loop {
            let next = current.max(now) + self.interval;
            if next - now > self.burst {
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

/// The buckets, and for each operation the index of its bucket.
#[derive(Default)]
pub struct Limiter {
    buckets: Vec<Bucket>,
    by_operation: Vec<Option<usize>>,
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
        let mut buckets = Vec::with_capacity(CATEGORIES.len());
        for (_, rps, operations) in CATEGORIES {
            let rate = rps * scale;
            let interval = (1_000_000.0 / rate).round().max(1.0) as u64;
            for op in operations.iter().filter(|op| throttleable(**op)) {
                by_operation[*op as usize] = Some(buckets.len());
            }
            buckets.push(Bucket {
                interval,
                burst: interval * rate.round().max(1.0) as u64,
                full_at: AtomicU64::new(0),
            });
        }
        Ok(Self {
            buckets,
            by_operation,
        })
    }

    /// Takes one request of `op` at `now` from its category's quota.
    pub fn check(&self, op: Operation, now: SystemTime) -> Result<(), ApiError> {
        let Some(Some(i)) = self.by_operation.get(op as usize) else {
            return Ok(());
        };
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        if self.buckets[*i].take(now) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::TooManyRequestsException, MESSAGE))
        }
    }
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
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let ms = std::time::Duration::from_millis;
        let allowed = (0..100)
            .filter(|_| limiter.check(Operation::DeleteUser, t).is_ok())
            .count();
        assert_eq!(allowed, 25);
        let sign_ins = (0..200)
            .filter(|_| limiter.check(Operation::InitiateAuth, t).is_ok())
            .count();
        assert_eq!(sign_ins, 120);
        let e = limiter.check(Operation::DeleteUser, t).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::TooManyRequestsException, MESSAGE)
        );
        // Another category is untouched; a 25th of a second later one more fits.
        assert!(limiter.check(Operation::GetUser, t).is_ok());
        assert!(limiter.check(Operation::DeleteUser, t + ms(40)).is_ok());
        assert!(limiter.check(Operation::DeleteUser, t + ms(40)).is_err());
        assert!(Limiter::new(RateLimits::Off, 1.0)
            .unwrap()
            .check(Operation::DeleteUser, t)
            .is_ok());
    }
}
