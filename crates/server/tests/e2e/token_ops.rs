//! Tokens after sign-in: refresh (with and without rotation), revocation (RevokeToken,
//! GlobalSignOut, AdminUserGlobalSignOut), and every token-authorized operation refusing
//! expired, revoked, forged, ID and foreign tokens; ChangePassword and DeleteUser.

use crate::harness::{err, raw_call};
use crate::signin_support::{decode, Fixture, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, FeatureType, RefreshTokenRotationType};
use base64::Engine;
use ironpool_api::types::UserStatusType;

fn not_authorized(message: &str) -> (String, String) {
    ("NotAuthorizedException".into(), message.into())
}

async fn get_user(f: &Fixture, token: &str) -> Result<String, (String, String)> {
    f.c.get_user()
        .access_token(token)
        .send()
        .await
        .map(|r| r.username().to_owned())
        .map_err(err)
}

#[tokio::test]
async fn refresh_token_auth_keeps_the_sign_in_and_issues_no_refresh_token() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    f.advance(10);
    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", t.refresh_token().unwrap())
            .send()
            .await
            .unwrap();
    let fresh = r.authentication_result().unwrap();
    assert!(fresh.refresh_token().is_none());
    let (_, old) = decode(t.access_token().unwrap());
    let (_, new) = decode(fresh.access_token().unwrap());
    assert_eq!(new["origin_jti"], old["origin_jti"]);
    assert_eq!(new["auth_time"], old["auth_time"]);
    assert_ne!(new["jti"], old["jti"]);
    assert_eq!(
        new["iat"].as_i64().unwrap(),
        old["iat"].as_i64().unwrap() + 10
    );
    assert_eq!(
        get_user(&f, fresh.access_token().unwrap()).await.unwrap(),
        "alice"
    );

    for (token, message) in [("not-a-token", "Invalid Refresh Token")] {
        let e =
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::RefreshToken)
                .auth_parameters("REFRESH_TOKEN", token)
                .send()
                .await
                .unwrap_err();
        assert_eq!(err(e), not_authorized(message));
    }
    // Thirty days later the refresh token has expired.
    f.advance(30 * 86_400);
    let e =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(t.refresh_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), not_authorized("Refresh Token has expired"));
}

#[tokio::test]
async fn rotation_replaces_the_refresh_token() {
    let f = Fixture::with_client(|b| {
        b.refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(0)
                .build()
                .unwrap(),
        )
    })
    .await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let first = t.refresh_token().unwrap();
    let r =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(first)
            .send()
            .await
            .unwrap();
    let next = r.authentication_result().unwrap();
    let second = next.refresh_token().unwrap();
    assert_ne!(second, first);
    let e =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(first)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), not_authorized("Invalid Refresh Token"));
    f.c.get_tokens_from_refresh_token()
        .client_id(&f.client_id)
        .refresh_token(second)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn revoke_token_ends_the_sign_in_and_only_that_one() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let one = f.sign_in("alice").await;
    let two = f.sign_in("alice").await;
    let e =
        f.c.revoke_token()
            .client_id(&f.client_id)
            .token(one.access_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "UnsupportedTokenTypeException");
    f.c.revoke_token()
        .client_id(&f.client_id)
        .token(one.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        get_user(&f, one.access_token().unwrap()).await.unwrap_err(),
        not_authorized("Access Token has been revoked")
    );
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", one.refresh_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), not_authorized("Refresh Token has been revoked"));
    assert_eq!(
        get_user(&f, two.access_token().unwrap()).await.unwrap(),
        "alice"
    );
}

#[tokio::test]
async fn global_sign_outs_end_every_sign_in_of_the_user() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    f.user("bob", &[]).await;
    let one = f.sign_in("alice").await;
    let two = f.sign_in("alice").await;
    let bob = f.sign_in("bob").await;
    f.c.global_sign_out()
        .access_token(one.access_token().unwrap())
        .send()
        .await
        .unwrap();
    for t in [&one, &two] {
        assert_eq!(
            get_user(&f, t.access_token().unwrap()).await.unwrap_err(),
            not_authorized("Access Token has been revoked")
        );
    }
    assert_eq!(
        get_user(&f, bob.access_token().unwrap()).await.unwrap(),
        "bob"
    );
    let again = f.sign_in("alice").await;
    assert_eq!(
        get_user(&f, again.access_token().unwrap()).await.unwrap(),
        "alice"
    );

    f.c.admin_user_global_sign_out()
        .user_pool_id(&f.pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        get_user(&f, bob.access_token().unwrap()).await.unwrap_err(),
        not_authorized("Access Token has been revoked")
    );
    let e =
        f.c.admin_user_global_sign_out()
            .user_pool_id(&f.pool)
            .username("nobody")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[tokio::test]
async fn token_authorized_operations_refuse_bad_tokens() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let access = t.access_token().unwrap();
    let invalid = not_authorized("Invalid Access Token");
    assert_eq!(
        get_user(&f, t.id_token().unwrap()).await.unwrap_err(),
        invalid
    );
    // Claims changed, signature kept.
    let parts: Vec<&str> = access.split('.').collect();
    let (_, mut claims) = decode(access);
    claims["username"] = "mallory".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(get_user(&f, &forged).await.unwrap_err(), invalid);
    assert_eq!(get_user(&f, "abc.def.ghi").await.unwrap_err(), invalid);
    // A token of another pool, presented with this pool's issuer, fails its signature.
    let other = Fixture::new().await;
    other.user("alice", &[]).await;
    let foreign = other.sign_in("alice").await;
    let fparts: Vec<&str> = foreign.access_token().unwrap().split('.').collect();
    let (_, mut fclaims) = decode(foreign.access_token().unwrap());
    fclaims["iss"] = format!("{}/{}", f.url(), f.pool).into();
    let moved = format!(
        "{}.{}.{}",
        fparts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(fclaims.to_string()),
        fparts[2]
    );
    assert_eq!(get_user(&f, &moved).await.unwrap_err(), invalid);

    f.advance(3600);
    for e in [
        get_user(&f, access).await.unwrap_err(),
        f.c.global_sign_out()
            .access_token(access)
            .send()
            .await
            .map_err(err)
            .unwrap_err(),
        f.c.change_password()
            .access_token(access)
            .previous_password(PASSWORD)
            .proposed_password("New-pass-12")
            .send()
            .await
            .map_err(err)
            .unwrap_err(),
        f.c.delete_user()
            .access_token(access)
            .send()
            .await
            .map_err(err)
            .unwrap_err(),
    ] {
        assert_eq!(e, not_authorized("Access Token has expired"));
    }
}

#[tokio::test]
async fn change_password_checks_the_old_and_the_policy() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let change = |previous: &str, proposed: &str| {
        f.c.change_password()
            .access_token(t.access_token().unwrap())
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
    };
    assert_eq!(
        err(change("Wrong-pass-1", "New-pass-12").await.unwrap_err()),
        not_authorized("Incorrect username or password.")
    );
    let (code, message) = err(change(PASSWORD, "alllowercase1!").await.unwrap_err());
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with policy: Password must have uppercase characters"
    );
    change(PASSWORD, "New-pass-12").await.unwrap();
    f.sign_in_with("alice", "New-pass-12").await.unwrap();
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err(),
        not_authorized("Incorrect username or password.")
    );
}

/// Seed 003: DeleteUser and every error it lists that can arise without AWS WAF.
#[tokio::test]
async fn delete_user_and_its_errors() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let delete = |token: String| {
        let c = f.c.clone();
        async move {
            c.delete_user()
                .access_token(token)
                .send()
                .await
                .map_err(err)
        }
    };

    // InvalidParameterException: not a token at all.
    let (status, _, body) = raw_call(
        &f.url(),
        Some("DeleteUser"),
        r#"{"AccessToken":"not a token!"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");

    // NotAuthorizedException: forged, ID token, revoked.
    assert_eq!(
        delete(t.id_token().unwrap().into()).await.unwrap_err(),
        not_authorized("Invalid Access Token")
    );
    let revoked = f.sign_in("alice").await;
    f.c.revoke_token()
        .client_id(&f.client_id)
        .token(revoked.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        delete(revoked.access_token().unwrap().into())
            .await
            .unwrap_err(),
        not_authorized("Access Token has been revoked")
    );

    // PasswordResetRequiredException and UserNotConfirmedException: the user's state changed
    // after the token was issued.
    f.change_user("alice", |u| u.status = UserStatusType::ResetRequired)
        .await;
    assert_eq!(
        delete(t.access_token().unwrap().into()).await.unwrap_err(),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    f.change_user("alice", |u| u.status = UserStatusType::Unconfirmed)
        .await;
    assert_eq!(
        delete(t.access_token().unwrap().into()).await.unwrap_err(),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        )
    );
    f.change_user("alice", |u| u.status = UserStatusType::Confirmed)
        .await;

    // Success, then UserNotFoundException for the same token; the user cannot sign in.
    delete(t.access_token().unwrap().into()).await.unwrap();
    assert_eq!(
        delete(t.access_token().unwrap().into()).await.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err().0,
        "UserNotFoundException"
    );

    // ResourceNotFoundException: the token's pool is gone.
    f.user("bob", &[]).await;
    let bob = f.sign_in("bob").await;
    f.c.delete_user_pool()
        .user_pool_id(&f.pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        delete(bob.access_token().unwrap().into())
            .await
            .unwrap_err(),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {} does not exist.", f.pool)
        )
    );
}

#[tokio::test]
async fn users_update_verify_and_delete_their_own_attributes() {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeType, DeliveryMediumType, VerifiedAttributeType,
    };
    let f = Fixture::with_client(|b| b.write_attributes("email").write_attributes("name")).await;
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    f.user(
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice"),
            ("locale", "en"),
        ],
    )
    .await;
    let token = f.sign_in("alice").await.access_token().unwrap().to_owned();
    let attr = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();

    let r =
        f.c.update_user_attributes()
            .access_token(&token)
            .user_attributes(attr("email", "new@example.com"))
            .send()
            .await
            .unwrap();
    let details = r.code_delivery_details_list();
    assert_eq!(details.len(), 1);
    assert_eq!(
        details[0].delivery_medium(),
        Some(&DeliveryMediumType::Email)
    );
    assert_eq!(details[0].attribute_name(), Some("email"));
    let me = f.c.get_user().access_token(&token).send().await.unwrap();
    let get = |n: &str| {
        me.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(get("email").as_deref(), Some("new@example.com"));
    assert_eq!(get("email_verified").as_deref(), Some("false"));

    let e =
        f.c.verify_user_attribute()
            .access_token(&token)
            .attribute_name("email")
            .code("000000")
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "CodeMismatchException");
    let code = f
        .app()
        .outbox
        .list(Some(&f.pool), Some("alice"))
        .last()
        .unwrap()
        .code
        .clone();
    f.c.verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    let stored = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attribute("email_verified"), Some("true"));

    // A fresh code on request; only email and phone_number can be verified.
    let r =
        f.c.get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("email")
            .send()
            .await
            .unwrap();
    assert_eq!(
        r.code_delivery_details().unwrap().delivery_medium(),
        Some(&DeliveryMediumType::Email)
    );
    let e =
        f.c.get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("name")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid attribute name. Only phone_number and email can be verified".into()
        )
    );

    // Not a write attribute of the client.
    let e =
        f.c.update_user_attributes()
            .access_token(&token)
            .user_attributes(attr("locale", "de"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        not_authorized("A client attempted to write unauthorized attribute")
    );

    f.c.delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("name")
        .send()
        .await
        .unwrap();
    let stored = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attribute("name"), None);
    let e =
        f.c.delete_user_attributes()
            .access_token(&token)
            .user_attribute_names("sub")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "user.sub: Attribute cannot be updated.".into()
        )
    );
}

#[tokio::test]
async fn refresh_with_a_client_secret_and_revocation_by_another_client() {
    let f = Fixture::with_client(|b| b.generate_secret(true)).await;
    f.user("alice", &[]).await;
    let secret =
        f.c.describe_user_pool_client()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_secret()
            .unwrap()
            .to_owned();
    let hash = ironpool_core::secret_hash::compute(&secret, "alice", &f.client_id);
    let t =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("SECRET_HASH", &hash)
            .send()
            .await
            .unwrap();
    let refresh = t.authentication_result().unwrap().refresh_token().unwrap();
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e).1,
        format!(
            "Client {} is configured for secret but secret was not received.",
            f.client_id
        )
    );
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .auth_parameters("SECRET_HASH", "bm9wZQ==")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e).1,
        format!("SecretHash does not match for the client: {}", f.client_id)
    );
    f.c.initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .auth_parameters("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap();
    // GetTokensFromRefreshToken and RevokeToken take the secret itself.
    let e =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(refresh)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "NotAuthorizedException");
    f.c.get_tokens_from_refresh_token()
        .client_id(&f.client_id)
        .client_secret(&secret)
        .refresh_token(refresh)
        .send()
        .await
        .unwrap();

    let other =
        f.c.create_user_pool_client()
            .user_pool_id(&f.pool)
            .client_name("other")
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
    let e =
        f.c.revoke_token()
            .client_id(&other)
            .token(refresh)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "UnauthorizedException");
    f.c.revoke_token()
        .client_id(&f.client_id)
        .client_secret(&secret)
        .token(refresh)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_rotated_refresh_token_works_for_the_retry_grace_period() {
    let f = Fixture::with_client(|b| {
        b.refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(10)
                .build()
                .unwrap(),
        )
    })
    .await;
    f.user("alice", &[]).await;
    let first = f.sign_in("alice").await.refresh_token().unwrap().to_owned();
    let refresh = |token: &str| {
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(token)
            .send()
    };
    let second = refresh(&first).await.unwrap();
    let second = second.authentication_result().unwrap();
    f.advance(5);
    // A retry with the first token (the answer was lost) still works within the grace.
    let third = refresh(&first).await.unwrap();
    let third = third
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_ne!(third, second.refresh_token().unwrap());
    f.advance(5);
    assert_eq!(
        err(refresh(&first).await.unwrap_err()),
        not_authorized("Invalid Refresh Token")
    );
    refresh(&third).await.unwrap();
}
