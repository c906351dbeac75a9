//! The configuration resources that live inside a pool (app clients, domains, groups, ...),
//! each kept as the JSON of the Cognito type that describes it, keyed within its pool.
//! Deleting a pool deletes them all. Each document has a version that every change moves up
//! by one: a change names the version it was made from and is refused if another came in
//! between (optimistic concurrency, as for users).

use crate::StoreError;
use async_trait::async_trait;
use serde::{de::DeserializeOwned, Serialize};

/// What a resource is; each kind names the Cognito type stored for it and its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `UserPoolClientType`, keyed by client id; unique across all pools.
    Client,
    /// `DomainDescriptionType`, keyed by domain (prefix or custom); unique across all pools.
    Domain,
    /// `GroupType`, keyed by group name.
    Group,
    /// `ResourceServerType`, keyed by identifier.
    ResourceServer,
    /// `IdentityProviderType`, keyed by provider name.
    IdentityProvider,
    /// `UICustomizationType`, keyed by client id, or `ALL` for the pool's default.
    UiCustomization,
    /// `ManagedLoginBrandingType`, keyed by branding id.
    ManagedLoginBranding,
    /// `TermsType`, keyed by terms id.
    Terms,
    /// `RiskConfigurationType`, keyed by client id, or `ALL` for the pool's default.
    RiskConfiguration,
    /// `LogDeliveryConfigurationType`, keyed `ALL` (one per pool).
    LogDeliveryConfiguration,
    /// `GetUserPoolMfaConfigResponse` (the factors SetUserPoolMfaConfig turned on), keyed
    /// `ALL` (one per pool).
    MfaConfig,
    /// Session tracking: `SetUserPoolSessionConfigurationResponse` keyed `ALL` for the pool,
    /// `SetUserPoolClientSessionConfigurationResponse` keyed by client id.
    SessionConfiguration,
    /// The pool's SAML signing certificate and its sealed private key, keyed `ALL`.
    SigningCertificate,
    /// A user of an identity provider linked to a user of the pool (AdminLinkProviderForUser),
    /// keyed `<provider name>:<attribute name>:<attribute value>`.
    ProviderLink,
    /// A secondary region of the pool (multi-Region replication), keyed by region.
    Replica,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Client,
        Kind::Domain,
        Kind::Group,
        Kind::ResourceServer,
        Kind::IdentityProvider,
        Kind::UiCustomization,
        Kind::ManagedLoginBranding,
        Kind::Terms,
        Kind::RiskConfiguration,
        Kind::LogDeliveryConfiguration,
        Kind::MfaConfig,
        Kind::SessionConfiguration,
        Kind::SigningCertificate,
        Kind::ProviderLink,
        Kind::Replica,
    ];

    /// The name stored in the `kind` column; never change one that has shipped.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Domain => "domain",
            Kind::Group => "group",
            Kind::ResourceServer => "resource_server",
            Kind::IdentityProvider => "identity_provider",
            Kind::UiCustomization => "ui_customization",
            Kind::ManagedLoginBranding => "managed_login_branding",
            Kind::Terms => "terms",
            Kind::RiskConfiguration => "risk_configuration",
            Kind::LogDeliveryConfiguration => "log_delivery_configuration",
            Kind::MfaConfig => "mfa_config",
            Kind::SessionConfiguration => "session_configuration",
            Kind::SigningCertificate => "signing_certificate",
            Kind::ProviderLink => "provider_link",
            Kind::Replica => "replica",
        }
    }

    /// Kinds whose key is unique across every pool, and so can be looked up without one.
    pub fn globally_unique(self) -> bool {
        matches!(self, Kind::Client | Kind::Domain)
    }
}

/// The raw documents; use the typed methods of [`ResourcesExt`].
#[async_trait]
pub trait Resources: Send + Sync {
    /// Inserts, at version 0; `Conflict` if the key exists in the pool (or anywhere, for
    /// globally unique kinds). The pool must exist.
    async fn create_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
    ) -> Result<(), StoreError>;

    /// The document and its version.
    async fn get_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<Option<(String, i64)>, StoreError>;

    /// For globally unique kinds: the pool id and document under `key`, in whatever pool.
    async fn find_resource(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<(String, String)>, StoreError>;

    /// Replaces the document if its stored version is `version` (storing `version + 1`);
    /// `Conflict` if it changed meanwhile or is gone.
    async fn put_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
        version: i64,
    ) -> Result<(), StoreError>;

    /// False if there was none.
    async fn delete_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` (key, document) pairs of the pool in key order, after the key `after`.
    async fn list_resources(
        &self,
        kind: Kind,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError>;

    async fn count_resources(&self, kind: Kind, pool_id: &str) -> Result<u64, StoreError>;

    /// Up to `limit` (pool id, key, document) of `kind` in every pool, in (pool id, key)
    /// order after `after`: for rewriting stored documents at start-up.
    async fn scan_resources(
        &self,
        kind: Kind,
        after: Option<(String, String)>,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, StoreError>;
}

/// Typed access to [`Resources`]: documents go in and come out as their Cognito types.
#[async_trait]
pub trait ResourcesExt: Resources {
    async fn create<T: Serialize + Sync>(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        self.create_resource(kind, pool_id, key, serde_json::to_string(value)?)
            .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.get_resource(kind, pool_id, key).await? {
            Some((doc, _)) => Ok(Some(serde_json::from_str(&doc)?)),
            None => Ok(None),
        }
    }

    /// The value and its version, for a change written with [`ResourcesExt::put`].
    async fn get_versioned<T: DeserializeOwned>(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<Option<(T, i64)>, StoreError> {
        match self.get_resource(kind, pool_id, key).await? {
            Some((doc, version)) => Ok(Some((serde_json::from_str(&doc)?, version))),
            None => Ok(None),
        }
    }

    /// The pool id and value under a globally unique key.
    async fn find<T: DeserializeOwned>(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<(String, T)>, StoreError> {
        match self.find_resource(kind, key).await? {
            Some((pool, doc)) => Ok(Some((pool, serde_json::from_str(&doc)?))),
            None => Ok(None),
        }
    }

    /// Replaces the value read at `version`; `Conflict` if it changed meanwhile or is gone.
    async fn put<T: Serialize + Sync>(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        value: &T,
        version: i64,
    ) -> Result<(), StoreError> {
        self.put_resource(kind, pool_id, key, serde_json::to_string(value)?, version)
            .await
    }

    async fn list<T: DeserializeOwned>(
        &self,
        kind: Kind,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let rows = self.list_resources(kind, pool_id, after, limit).await?;
        rows.into_iter()
            .map(|(k, doc)| Ok((k, serde_json::from_str(&doc)?)))
            .collect()
    }
}

impl<S: Resources + ?Sized> ResourcesExt for S {}
