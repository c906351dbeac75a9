//! Tokens: issuing ID, access and refresh tokens with Cognito's claims, checking access
//! tokens for the token-authorized operations, refreshing (GetTokensFromRefreshToken, with
//! rotation) and revocation (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut), and the
//! pool's JWKS and OpenID discovery documents.

use super::auth::find_client;
use super::client_documents::{self, StoredClient};
use super::token_triggers::{pre_token_generation, Generation};
use super::user_pools::{get_pool, pool_not_found};
use crate::app::{App, OrInternal};
use crate::config::IssuerStyle;
use crate::keys::{pool_keys, PoolKeys};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::client::TimeUnit;
use ironpool_core::{ids, jwt};
use ironpool_store::{Kind, RefreshToken, ResourcesExt, User};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The issuer of a pool's tokens: `<public URL>/<pool id>`, or Cognito's with
/// `--issuer-style aws`.
pub(crate) fn issuer(app: &App, pool_id: &str) -> String {
    match app.config.issuer_style {
        IssuerStyle::PublicUrl => format!("{}/{pool_id}", app.public_url.trim_end_matches('/')),
        IssuerStyle::Aws => format!(
            "https://cognito-idp.{}.amazonaws.com/{pool_id}",
            crate::scope::region_of_pool_id(pool_id)
        ),
    }
}

fn unit_seconds(unit: Option<&TimeUnitsType>, default: TimeUnit) -> i64 {
    match unit {
        Some(TimeUnitsType::Seconds) => 1,
        Some(TimeUnitsType::Minutes) => 60,
        Some(TimeUnitsType::Hours) => 3600,
        Some(TimeUnitsType::Days) => 86_400,
        None => default.seconds(),
    }
}

/// (access, id, refresh) validity of the client's tokens, in seconds.
pub(crate) fn validities(client: &UserPoolClientType) -> (i64, i64, i64) {
    let units = client.token_validity_units.clone().unwrap_or_default();
    let access = client.access_token_validity.map_or(3600, |v| {
        i64::from(v) * unit_seconds(units.access_token.as_ref(), TimeUnit::Hours)
    });
    let id = client.id_token_validity.map_or(3600, |v| {
        i64::from(v) * unit_seconds(units.id_token.as_ref(), TimeUnit::Hours)
    });
    let refresh = client.refresh_token_validity.map_or(30 * 86_400, |v| {
        i64::from(v) * unit_seconds(units.refresh_token.as_ref(), TimeUnit::Days)
    });
    (access, id, refresh)
}

/// A refresh token: opaque, shaped like Cognito's (a five-part JWE), 256+ random bits.
fn new_refresh_token(app: &App) -> String {
    let mut parts =
        vec!["eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ".to_owned()];
    for len in [256usize, 12, 384, 16] {
        let mut bytes = vec![0u8; len];
        app.rng.fill(&mut bytes);
        parts.push(B64URL.encode(bytes));
    }
    parts.join(".")
}

/// What the store keeps of a refresh token.
pub(crate) fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts the refresh token family of a sign-in (a durable write): the tokens of `origin`
/// are valid while it is, and its refresh token (returned) renews them until `expires_at`.
pub(crate) async fn sign_in_family(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
    origin: &Origin,
    expires_at: i64,
) -> Result<String, ApiError> {
    let token = new_refresh_token(app);
    let family = RefreshToken {
        pool_id: user.pool_id.clone(),
        origin_jti: origin.origin_jti.clone(),
        client_id: client_documents::client_id_of(client),
        username: user.username.clone(),
        sub: user.sub.clone(),
        auth_time: origin.auth_time as f64,
        expires_at: expires_at as f64,
        revoked: false,
        scopes: origin.scopes.clone(),
        superseded_until: None,
    };
    app.store
        .create_refresh_token(&family, &refresh_hash(&token))
        .await
        .or_internal()?;
    Ok(token)
}

/// The sign-in a set of tokens belongs to.
pub(crate) struct Origin {
    pub origin_jti: String,
    pub auth_time: i64,
    /// The OAuth scopes of a sign-in through the authorization server (space-separated).
    pub scopes: Option<String>,
}

/// What a sign-in through the authorization server (`/oauth2/authorize`) asked for: the
/// access token's scopes, the ID token's `nonce`, and, for a sign-in that the SSO session
/// skipped, when the user did authenticate.
#[derive(Clone, Debug, Default)]
pub(crate) struct OAuthGrant {
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub auth_time: Option<i64>,
}

/// The scope of an access token from the API's sign-ins.
const API_SCOPE: &str = "aws.cognito.signin.user.admin";

/// OIDC's `at_hash`: the left half of the access token's SHA-256, base64url.
fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    B64URL.encode(&digest[..16])
}

/// An ID token's and an access token's claims, before signing.
pub(crate) struct Claims {
    pub id: Map<String, Value>,
    pub access: Map<String, Value>,
}

/// A sign-in's or a refresh's claims: [`user_claims`], then what a PreTokenGeneration trigger
/// changes in them.
async fn claims(
    app: &App,
    generation: &Generation<'_>,
    client: &UserPoolClientType,
    user: &User,
    origin: &Origin,
    now: i64,
    validities: (i64, i64),
) -> Result<Claims, ApiError> {
    let nonce = generation.oauth.and_then(|g| g.nonce.as_deref());
    let Claims { mut id, mut access } =
        user_claims(app, nonce, client, user, origin, now, validities).await?;
    pre_token_generation(app, generation, client, user, &mut id, &mut access).await?;
    Ok(Claims { id, access })
}

/// The one place a user's claims are built, as Cognito's: attributes limited to the client's
/// ReadAttributes, `cognito:groups` (and roles) when the user is in any group; the ID token
/// carries `nonce` when the authorization request had one.
pub(crate) async fn user_claims(
    app: &App,
    nonce: Option<&str>,
    client: &UserPoolClientType,
    user: &User,
    origin: &Origin,
    now: i64,
    (access_validity, id_validity): (i64, i64),
) -> Result<Claims, ApiError> {
    let pool_id = user.pool_id.as_str();
    let client_id = client_documents::client_id_of(client);
    let event_id = ids::uuid_v4(app.rng.as_ref());
    let groups = app
        .store
        .list_groups_for_user(pool_id, &user.username, None, 10_000)
        .await
        .or_internal()?;
    let iss = issuer(app, pool_id);

    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        id.insert("cognito:groups".into(), json!(groups));
        // Roles of the groups; the preferred one is the role of the group with the lowest
        // precedence.
        let mut roles: Vec<(i32, String)> = Vec::new();
        for name in &groups {
            let group: Option<GroupType> = app
                .store
                .get(Kind::Group, pool_id, name)
                .await
                .or_internal()?;
            if let Some(GroupType {
                role_arn: Some(arn),
                precedence,
                ..
            }) = group
            {
                roles.push((precedence.unwrap_or(i32::MAX), arn));
            }
        }
        if !roles.is_empty() {
            let preferred = roles.iter().min_by_key(|(p, _)| *p).map(|(_, r)| r.clone());
            let mut arns: Vec<String> = roles.into_iter().map(|(_, r)| r).collect();
            arns.dedup();
            id.insert("cognito:roles".into(), json!(arns));
            if let Some(role) = preferred {
                id.insert("cognito:preferred_role".into(), json!(role));
            }
        }
    }
    let readable = |name: &str| {
        client
            .read_attributes
            .as_ref()
            .is_none_or(|list| list.iter().any(|a| a == name))
    };
    for (name, value) in &user.attributes {
        if !readable(name) {
            continue;
        }
        let v = match name.as_str() {
            "email_verified" | "phone_number_verified" => json!(value == "true"),
            "updated_at" => value.parse::<i64>().map_or(json!(value), |n| json!(n)),
            "identities" => serde_json::from_str(value).unwrap_or_else(|_| json!(value)),
            _ => json!(value),
        };
        id.insert(name.clone(), v);
    }
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    id.insert("origin_jti".into(), json!(origin.origin_jti));
    id.insert("aud".into(), json!(client_id));
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(origin.auth_time));
    id.insert("exp".into(), json!(now + id_validity));
    id.insert("iat".into(), json!(now));
    id.insert("jti".into(), json!(ids::uuid_v4(app.rng.as_ref())));
    if let Some(nonce) = nonce {
        id.insert("nonce".into(), json!(nonce));
    }

    let mut access = Map::new();
    access.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        access.insert("cognito:groups".into(), json!(groups));
    }
    access.insert("iss".into(), json!(iss));
    access.insert("client_id".into(), json!(client_id));
    access.insert("origin_jti".into(), json!(origin.origin_jti));
    access.insert("event_id".into(), json!(event_id));
    access.insert("token_use".into(), json!("access"));
    access.insert(
        "scope".into(),
        json!(origin.scopes.as_deref().unwrap_or(API_SCOPE)),
    );
    access.insert("auth_time".into(), json!(origin.auth_time));
    access.insert("exp".into(), json!(now + access_validity));
    access.insert("iat".into(), json!(now));
    access.insert("jti".into(), json!(ids::uuid_v4(app.rng.as_ref())));
    access.insert("username".into(), json!(user.username));
    Ok(Claims { id, access })
}

/// Signs an ID and an access token for `user` (their claims from [`claims`]); without an
/// `origin` (a new sign-in), also starts a refresh token family.
pub(crate) async fn issue(
    app: &App,
    generation: &Generation<'_>,
    client: &UserPoolClientType,
    user: &User,
    origin: Option<Origin>,
) -> Result<AuthenticationResultType, ApiError> {
    let pool_id = user.pool_id.as_str();
    let keys = pool_keys(app, pool_id).await?;
    let now = app.now().floor() as i64;
    let (access_validity, id_validity, refresh_validity) = validities(client);
    let new_sign_in = origin.is_none();
    let origin = origin.unwrap_or_else(|| Origin {
        origin_jti: ids::uuid_v4(app.rng.as_ref()),
        auth_time: generation.oauth.and_then(|g| g.auth_time).unwrap_or(now),
        scopes: generation.oauth.map(|g| g.scopes.join(" ")),
    });
    let Claims { mut id, access } = claims(
        app,
        generation,
        client,
        user,
        &origin,
        now,
        (access_validity, id_validity),
    )
    .await?;

    // The new refresh token is stored (a durable write) while the tokens are signed; none is
    // handed out unless the write succeeded.
    let store_refresh_token = async {
        if !new_sign_in {
            return Ok(None);
        }
        let token = sign_in_family(app, client, user, &origin, now + refresh_validity).await?;
        Ok(Some(Sensitive(token)))
    };
    let sign = async {
        let access_token = keys.access.sign(&access).or_internal()?;
        if generation.oauth.is_some() || origin.scopes.is_some() {
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
        }
        let id_token = keys.id.sign(&id).or_internal()?;
        Ok::<_, ApiError>((access_token, id_token))
    };
    let (refresh_token, (access_token, id_token)) = tokio::try_join!(store_refresh_token, sign)?;

    Ok(AuthenticationResultType {
        access_token: Some(Sensitive(access_token)),
        expires_in: Some(access_validity as i32),
        token_type: Some("Bearer".into()),
        refresh_token,
        id_token: Some(Sensitive(id_token)),
        new_device_metadata: None,
    })
}

/// The two kinds of token a user holds that this pool signs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TokenUse {
    Access,
    Id,
}

impl TokenUse {
    /// Its `token_use` claim.
    pub(crate) fn claim(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
        }
    }

    pub(crate) fn invalid(self) -> ApiError {
        ApiError::not_authorized(match self {
            Self::Access => "Invalid Access Token",
            Self::Id => "Invalid Id Token",
        })
    }

    /// The pool's key that signs this kind of token.
    pub(crate) fn key(self, keys: &PoolKeys) -> &jwt::SigningKey {
        match self {
            Self::Access => &keys.access,
            Self::Id => &keys.id,
        }
    }

    fn named(self) -> &'static str {
        match self {
            Self::Access => "Access Token",
            Self::Id => "Id Token",
        }
    }
}

/// The user an access token speaks for and the app client it was issued to, for the
/// operations that take one: [`verify`]'s checks, and the `aws.cognito.signin.user.admin`
/// scope, which the API's sign-ins grant and an authorization server's grants have only when
/// asked for.
pub(crate) async fn authorize(
    app: &App,
    token: &str,
) -> Result<(User, Map<String, Value>, UserPoolClientType), ApiError> {
    verify(app, token, TokenUse::Access, Some(API_SCOPE)).await
}

/// The user a token of this server speaks for and the app client it was issued to, after every
/// check Cognito makes: the pool still there, signature by the pool's key for that kind of
/// token (an ID token fails as an access token and the other way round), `token_use`, expiry,
/// the scope required (when one is), the user still there, revocation (its sign-in's refresh
/// token family, GlobalSignOut, its app client deleted), and the user enabled, confirmed and
/// not awaiting a password reset. Pool, user, sign-in and client come from one store read, made
/// afresh for every request.
pub(crate) async fn verify(
    app: &App,
    token: &str,
    kind: TokenUse,
    required_scope: Option<&str>,
) -> Result<(User, Map<String, Value>, UserPoolClientType), ApiError> {
    let (header, claims) = jwt::decode_unverified(token).map_err(|_| kind.invalid())?;
    let claim = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    let pool_id = Some(claim("iss"))
        .and_then(|iss| iss.rsplit('/').next())
        .filter(|p| !p.is_empty() && p.len() <= 55 && p.contains('_'))
        .filter(|p| claim("iss") == issuer(app, p))
        .ok_or_else(|| kind.invalid())?;
    let client_claim = match kind {
        TokenUse::Access => "client_id",
        TokenUse::Id => "aud",
    };
    let found = app
        .store
        .token_authorization(
            pool_id,
            claim("sub"),
            claim("origin_jti"),
            claim(client_claim),
        )
        .await
        .or_internal()?;
    if !found.pool_exists {
        // A token of a pool that is gone: the pool is named, nothing else is told.
        return Err(pool_not_found(pool_id));
    }
    let keys = pool_keys(app, pool_id).await?;
    // Only now, with the signature checked, are the claims read above to be trusted.
    app.verified_signatures
        .check(token, &header, &[kind.key(&keys)])
        .map_err(|_| kind.invalid())?;
    if claims.get("token_use").and_then(Value::as_str) != Some(kind.claim()) {
        return Err(kind.invalid());
    }
    let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
    if app.now() >= exp {
        return Err(ApiError::not_authorized(format!(
            "{} has expired",
            kind.named()
        )));
    }
    if let Some(required) = required_scope {
        let scope = claims.get("scope").and_then(Value::as_str).unwrap_or("");
        if !scope.split(' ').any(|s| s == required) {
            return Err(ApiError::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
    }
    let user = found
        .user
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFoundException, "User does not exist."))?;
    let iat = claims.get("iat").and_then(Value::as_f64).unwrap_or(0.0);
    if found.family_revoked.unwrap_or(true)
        || user
            .tokens_valid_after
            .is_some_and(|after| iat < after.floor())
    {
        return Err(ApiError::not_authorized(format!(
            "{} has been revoked",
            kind.named()
        )));
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatusType::Unconfirmed => {
            return Err(ApiError::new(
                ErrorCode::UserNotConfirmedException,
                "User is not confirmed.",
            ))
        }
        UserStatusType::ResetRequired => {
            return Err(ApiError::new(
                ErrorCode::PasswordResetRequiredException,
                "Password reset required for the user",
            ))
        }
        _ => {}
    }
    // A token whose app client is gone is refused as revoked: nothing falls back to "no
    // client, no restrictions".
    let client = found
        .client_doc
        .ok_or_else(|| ApiError::not_authorized(format!("{} has been revoked", kind.named())))?;
    let client = client_documents::settings(&client)?;
    Ok((user, claims, client))
}

/// The refresh token family a presented refresh token belongs to, for `client`.
pub(crate) async fn refresh_family(
    app: &App,
    client: &UserPoolClientType,
    token: &str,
) -> Result<RefreshToken, ApiError> {
    let invalid = || ApiError::not_authorized("Invalid Refresh Token");
    let family = app
        .store
        .get_refresh_token(&refresh_hash(token))
        .await
        .or_internal()?
        .ok_or_else(invalid)?;
    let client_id = client.client_id.as_ref().map(|c| c.expose().as_str());
    if Some(family.client_id.as_str()) != client_id {
        return Err(invalid());
    }
    if family.revoked {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if app.now() >= family.expires_at {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    if family
        .superseded_until
        .is_some_and(|until| app.now() >= until)
    {
        return Err(invalid());
    }
    Ok(family)
}

/// New ID and access tokens from a refresh token (and, with rotation, a new refresh token);
/// PreTokenGeneration receives the call's `client_metadata`.
pub(crate) async fn refresh(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    token: &str,
    rotate: bool,
    device_key: Option<&str>,
    client_metadata: Option<&BTreeMap<String, String>>,
) -> Result<AuthenticationResultType, ApiError> {
    let family = refresh_family(app, client, token).await?;
    let user = app
        .store
        .get_user_by_sub(&family.pool_id, &family.sub)
        .await
        .or_internal()?
        .ok_or_else(|| ApiError::not_authorized("Invalid Refresh Token"))?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    super::devices::refreshed(app, &family.pool_id, &family.sub, device_key).await?;
    let origin = Origin {
        origin_jti: family.origin_jti.clone(),
        auth_time: family.auth_time as i64,
        scopes: family.scopes.clone(),
    };
    // The session's last use is recorded while the tokens are signed.
    let touch = app
        .store
        .touch_token_family(&family.pool_id, &family.origin_jti, app.now());
    let generation = Generation {
        pool,
        source: "TokenGeneration_RefreshTokens",
        client_metadata,
        oauth: None,
    };
    let issued = issue(app, &generation, client, &user, Some(origin));
    let (result, touched) = tokio::join!(issued, touch);
    touched.or_internal()?;
    let mut result = result?;
    if rotate {
        let next = new_refresh_token(app);
        let (_, _, refresh_validity) = validities(client);
        let grace = client
            .refresh_token_rotation
            .as_ref()
            .and_then(|r| r.retry_grace_period_seconds)
            .unwrap_or(0);
        let now = app.now();
        let rotated = app
            .store
            .rotate_refresh_token(
                &refresh_hash(token),
                &refresh_hash(&next),
                now.floor() + refresh_validity as f64,
                now,
                now + f64::from(grace),
            )
            .await
            .or_internal()?;
        if !rotated {
            return Err(ApiError::not_authorized("Invalid Refresh Token"));
        }
        result.refresh_token = Some(Sensitive(next));
    }
    Ok(result)
}

pub(crate) fn rotation_enabled(client: &UserPoolClientType) -> bool {
    client
        .refresh_token_rotation
        .as_ref()
        .is_some_and(|r| r.feature == FeatureType::Enabled)
}

/// Checks the ClientSecret parameter of the token endpoints-style operations.
pub(crate) fn check_plain_secret(
    stored: &StoredClient,
    client_id: &str,
    given: Option<&Sensitive<String>>,
) -> Result<(), ApiError> {
    if !stored.has_secret() {
        return Ok(());
    }
    let given = given.map(|s| s.expose().as_str()).unwrap_or("");
    let ok = stored.active_secrets().iter().any(|s| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            s.as_bytes(),
            given.as_bytes(),
        ))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Client {client_id} is configured with secret but the secret is invalid or missing"
        )))
    }
}

/// Refresh, with rotation when the client has it on: the old refresh token stops working after
/// the client's RetryGracePeriodSeconds (a retry within it gets fresh tokens).
pub async fn get_tokens_from_refresh_token(
    app: &App,
    input: GetTokensFromRefreshTokenRequest,
) -> Result<GetTokensFromRefreshTokenResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (pool_id, stored) = find_client(app, client_id).await?;
    check_plain_secret(&stored, client_id, input.client_secret.as_ref())?;
    super::auth::check_flow(&stored.client, "REFRESH_TOKEN_AUTH")?;
    let rotate = rotation_enabled(&stored.client);
    let pool = get_pool(app, &pool_id).await?;
    let result = refresh(
        app,
        &pool,
        &stored.client,
        input.refresh_token.expose(),
        rotate,
        input.device_key.as_deref(),
        input.client_metadata.as_ref(),
    )
    .await?;
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: Some(result),
    })
}

/// RevokeToken takes a refresh token only, and ends every token of its sign-in (origin_jti);
/// an access token is UnsupportedTokenTypeException, a token of another client is refused.
pub async fn revoke_token(
    app: &App,
    input: RevokeTokenRequest,
) -> Result<RevokeTokenResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (_, stored) = find_client(app, client_id).await?;
    check_plain_secret(&stored, client_id, input.client_secret.as_ref())?;
    if stored.client.enable_token_revocation == Some(false) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedOperationException,
            "Token revocation is not enabled for this app client.",
        ));
    }
    let token = input.token.expose();
    if jwt::decode_unverified(token).is_ok() {
        return Err(ApiError::new(
            ErrorCode::UnsupportedTokenTypeException,
            "Unsupported token type.",
        ));
    }
    let Some(family) = app
        .store
        .get_refresh_token(&refresh_hash(token))
        .await
        .or_internal()?
    else {
        // Cognito answers success for a token it does not know.
        return Ok(RevokeTokenResponse::default());
    };
    if family.client_id != *client_id {
        return Err(ApiError::new(
            ErrorCode::UnauthorizedException,
            "Client ID does not match.",
        ));
    }
    app.store
        .revoke_refresh_token(&refresh_hash(token))
        .await
        .or_internal()?;
    Ok(RevokeTokenResponse::default())
}

pub(crate) async fn sign_out_everywhere(app: &App, user: &User) -> Result<(), ApiError> {
    app.store
        .revoke_user_refresh_tokens(&user.pool_id, &user.sub)
        .await
        .or_internal()?;
    Ok(())
}

/// Revokes every refresh token of the user and the access and ID tokens issued with them.
pub async fn global_sign_out(
    app: &App,
    input: GlobalSignOutRequest,
) -> Result<GlobalSignOutResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    sign_out_everywhere(app, &user).await?;
    Ok(GlobalSignOutResponse::default())
}

/// As GlobalSignOut, for an administrator; works on disabled users too.
pub async fn admin_user_global_sign_out(
    app: &App,
    input: AdminUserGlobalSignOutRequest,
) -> Result<AdminUserGlobalSignOutResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let user = app
        .store
        .get_user(&input.user_pool_id, input.username.expose())
        .await
        .or_internal()?
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFoundException, "User does not exist."))?;
    sign_out_everywhere(app, &user).await?;
    Ok(AdminUserGlobalSignOutResponse::default())
}

/// `/<pool>/.well-known/jwks.json`: both keys, ID first.
pub async fn jwks(app: &App, pool_id: &str) -> Result<Value, ApiError> {
    get_pool(app, pool_id).await?;
    let keys = pool_keys(app, pool_id).await?;
    Ok(jwt::jwks(&[&keys.id, &keys.access]))
}

/// `/<pool>/.well-known/openid-configuration`: the tokens' issuer, and the keys served here
/// whatever the issuer style. Cognito's
/// document has the same members plus the endpoints of the pool's domain (authorization, token,
/// userinfo, revocation, end session) and the token endpoint's client authentication methods;
/// this server has no such endpoints, so it lists none of them rather than URLs that 404.
pub async fn openid_configuration(app: &App, pool_id: &str) -> Result<Value, ApiError> {
    get_pool(app, pool_id).await?;
    let iss = issuer(app, pool_id);
    let base = format!("{}/{pool_id}", app.public_url.trim_end_matches('/'));
    let mut doc = json!({
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": iss,
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
    });
    // With a domain, its endpoints, reached under the issuer URL (every client can reach
    // that; the domain's own host name resolves in browsers).
    if !crate::oauth::pool_domains(app, pool_id).await?.is_empty() {
        doc["authorization_endpoint"] = json!(format!("{base}/oauth2/authorize"));
        doc["end_session_endpoint"] = json!(format!("{base}/logout"));
        doc["revocation_endpoint"] = json!(format!("{base}/oauth2/revoke"));
        doc["token_endpoint"] = json!(format!("{base}/oauth2/token"));
        doc["token_endpoint_auth_methods_supported"] =
            json!(["client_secret_basic", "client_secret_post"]);
        doc["userinfo_endpoint"] = json!(format!("{base}/oauth2/userInfo"));
    }
    Ok(doc)
}
