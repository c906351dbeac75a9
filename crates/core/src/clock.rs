//! Time, injected.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;

    /// Seconds since the epoch with millisecond precision, as Cognito puts in its JSON dates.
    fn epoch_seconds(&self) -> f64 {
        let d = self.now().duration_since(UNIX_EPOCH).unwrap_or_default();
        (d.as_millis() as f64) / 1000.0
    }
}

/// `yyyyMMddHHmmss` in UTC: the shape of a domain's `Version` and a UI customization's
/// `CSSVersion`.
pub fn compact_timestamp(epoch_seconds: f64) -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]");
    utc(epoch_seconds).format(format).unwrap_or_default()
}

/// Epoch seconds as a UTC date and time (whole seconds; before 1970 reads as 1970).
pub fn utc(epoch_seconds: f64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(epoch_seconds.max(0.0) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; for tests of expiry and lockout.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    pub fn new(start: SystemTime) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    pub fn set(&self, to: SystemTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_timestamps_are_utc_digits() {
        assert_eq!(compact_timestamp(0.0), "19700101000000");
        assert_eq!(compact_timestamp(1_700_000_000.0), "20231114221320");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        assert_eq!(clock.epoch_seconds(), 1_700_000_000.0);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.epoch_seconds(), 1_700_000_001.5);
    }
}
