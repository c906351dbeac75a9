//! A user's devices (remembered devices): each one the key Cognito handed out at a sign-in,
//! its group key and, once confirmed, its SRP verifier (sealed by the caller). A device goes
//! with its user.

use crate::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub pool_id: String,
    /// The `sub` of the user the device belongs to.
    pub sub: String,
    /// `{region}_{uuid}`, unique within the pool.
    pub device_key: String,
    pub group_key: String,
    /// The device's SRP salt and verifier, sealed; none until ConfirmDevice.
    pub sealed_verifier: Option<String>,
    pub remembered: bool,
    pub name: Option<String>,
    pub last_ip: Option<String>,
    pub created: f64,
    pub modified: f64,
    pub last_authenticated: f64,
}

impl Device {
    pub fn confirmed(&self) -> bool {
        self.sealed_verifier.is_some()
    }
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("pool_id", &self.pool_id)
            .field("sub", &self.sub)
            .field("device_key", &self.device_key)
            .field("remembered", &self.remembered)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait Devices: Send + Sync {
    /// Inserts or replaces the device; the user (`pool_id`, `sub`) must exist.
    async fn put_device(&self, device: &Device) -> Result<(), StoreError>;

    /// The device `device_key` of the user `sub`.
    async fn get_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<Option<Device>, StoreError>;

    /// Up to `limit` remembered devices of the user, in device key order after `after`.
    async fn list_devices(
        &self,
        pool_id: &str,
        sub: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Device>, StoreError>;

    /// False if there was none.
    async fn delete_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<bool, StoreError>;
}
