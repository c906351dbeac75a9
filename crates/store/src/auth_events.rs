//! Each user's auth events (sign-in, sign-up, forgot password...), newest first, kept for the
//! user's lifetime up to a bound: the oldest beyond it go as new ones come.

use crate::StoreError;
use async_trait::async_trait;

/// One event: `doc` is opaque to the store (the JSON of the event as AdminListUserAuthEvents
/// shows it).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthEvent {
    pub pool_id: String,
    /// The user's `sub`; the events go with the user.
    pub sub: String,
    pub event_id: String,
    pub created: f64,
    pub doc: String,
}

#[async_trait]
pub trait AuthEvents: Send + Sync {
    /// Adds `event` to its user's events, keeping the newest `keep`.
    async fn add_auth_event(&self, event: &AuthEvent, keep: u32) -> Result<(), StoreError>;

    /// The user's events, newest first: up to `limit` of those older than `before` (the
    /// `created` and `event_id` of the last one of the previous page).
    async fn list_auth_events(
        &self,
        pool_id: &str,
        sub: &str,
        before: Option<(f64, String)>,
        limit: u32,
    ) -> Result<Vec<AuthEvent>, StoreError>;

    async fn get_auth_event(
        &self,
        pool_id: &str,
        sub: &str,
        event_id: &str,
    ) -> Result<Option<AuthEvent>, StoreError>;

    /// Replaces the event's document; false if there is no such event.
    async fn put_auth_event(&self, event: &AuthEvent) -> Result<bool, StoreError>;
}
