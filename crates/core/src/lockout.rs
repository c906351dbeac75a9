//! Cognito's password lockout: from the fifth failed attempt on, each failure locks the user
//! for 2^(n-5) seconds, at most 15 minutes; 15 quiet minutes after the lock ends, the count
//! starts over. During a lock every password attempt, right or wrong, answers
//! NotAuthorizedException "Password attempts exceeded".

/// Failures before the first lock.
pub const FREE_ATTEMPTS: u32 = 5;
/// The longest lock, in seconds.
pub const MAX_LOCK_SECONDS: f64 = 900.0;
/// Quiet time after which the failure count is forgotten, in seconds.
pub const RESET_AFTER_SECONDS: f64 = 900.0;

/// The lockout state kept on a user record.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Lockout {
    /// Failed attempts since the count last started over.
    pub failed_attempts: u32,
    /// When the current lock ends; after a failure that locks nothing, the failure's time.
    pub locked_until: Option<f64>,
}

impl Lockout {
    /// Whether a password attempt at `now` is refused without being checked.
    pub fn is_locked(&self, now: f64) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The state after a failed attempt at `now`.
    pub fn after_failure(&self, now: f64) -> Lockout {
        let stale = self
            .locked_until
            .is_none_or(|until| now >= until + RESET_AFTER_SECONDS);
        let n = if stale {
            1
        } else {
            self.failed_attempts.saturating_add(1)
        };
        let lock = if n >= FREE_ATTEMPTS {
            let exp = (n - FREE_ATTEMPTS).min(20);
            f64::from(1u32 << exp).min(MAX_LOCK_SECONDS)
        } else {
            0.0
        };
        Lockout {
            failed_attempts: n,
            locked_until: Some(now + lock),
        }
    }

    /// The state after a successful sign-in.
    pub fn after_success() -> Lockout {
        Lockout::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_from_the_fifth_failure_and_are_capped() {
        let mut state = Lockout::default();
        let mut now = 1000.0;
        for _ in 0..4 {
            state = state.after_failure(now);
            assert!(!state.is_locked(now), "no lock before the fifth failure");
            now += 1.0;
        }
        state = state.after_failure(now);
        assert_eq!(state.failed_attempts, 5);
        assert!(state.is_locked(now));
        assert!(state.is_locked(now + 0.5));
        assert!(
            !state.is_locked(now + 1.0),
            "the fifth failure locks for 1 s"
        );
        now += 1.0;
        state = state.after_failure(now);
        assert_eq!(state.locked_until, Some(now + 2.0));
        for _ in 0..20 {
            now = state.locked_until.unwrap();
            state = state.after_failure(now);
        }
        assert_eq!(state.locked_until, Some(now + MAX_LOCK_SECONDS));
    }

    #[test]
    fn the_count_starts_over_after_fifteen_quiet_minutes() {
        let mut state = Lockout::default();
        for i in 0..5 {
            state = state.after_failure(f64::from(i));
        }
        let end = state.locked_until.unwrap();
        let later = state.after_failure(end + RESET_AFTER_SECONDS - 1.0);
        assert_eq!(later.failed_attempts, 6);
        let fresh = state.after_failure(end + RESET_AFTER_SECONDS);
        assert_eq!(fresh.failed_attempts, 1);
        assert!(!fresh.is_locked(end + RESET_AFTER_SECONDS));
        assert_eq!(Lockout::after_success(), Lockout::default());
    }
}
