//! Messages Cognito would send to users (invitations, verification and reset codes): each is
//! kept in a bounded in-memory outbox (newest kept, readable at `GET /_ironpool/outbox`),
//! logged in one line without its code, and handed to the [`MessageSender`].

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many messages the outbox keeps.
pub const OUTBOX_CAPACITY: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub pool_id: String,
    pub username: String,
    /// `invitation`, `sign_up`, `forgot_password`, `verify_attribute`, `admin_reset_password`.
    pub purpose: String,
    /// The email address or phone number.
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    pub subject: Option<String>,
    pub body: String,
    /// The code or temporary password the message carries.
    pub code: String,
    pub time: f64,
}

/// Where messages go besides the outbox (SMTP and SMS are later slices).
pub trait MessageSender: Send + Sync {
    fn send(&self, message: &Message);
}

/// Delivers nothing: the outbox and the log are the only destinations.
pub struct OutboxOnly;

impl MessageSender for OutboxOnly {
    fn send(&self, message: &Message) {
        crate::metrics::message(&message.medium, "sent");
    }
}

#[derive(Default)]
pub struct Outbox(Mutex<VecDeque<Message>>);

impl Outbox {
    pub fn push(&self, message: Message) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= OUTBOX_CAPACITY {
            q.pop_front();
        }
        q.push_back(message);
    }

    /// Oldest first, optionally of one pool and/or one username.
    pub fn list(&self, pool: Option<&str>, username: Option<&str>) -> Vec<Message> {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.iter()
            .filter(|m| pool.is_none_or(|p| m.pool_id == p))
            .filter(|m| username.is_none_or(|u| m.username == u))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
