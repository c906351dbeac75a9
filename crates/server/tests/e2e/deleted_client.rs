//! Tokens of a deleted app client: every token-authorized operation refuses its access token as
//! revoked (so nothing falls back to "no client, no restrictions"), and its refresh token gets
//! no new tokens, through the deleted client or another one.

use crate::harness::err;
use crate::signin_support::{Fixture, PASSWORD};
use crate::users::attr;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

fn revoked() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Access Token has been revoked".into(),
    )
}

#[tokio::test]
async fn a_deleted_clients_tokens_are_refused_everywhere() {
    // WriteAttributes without `locale`: after the deletion, nothing may write it.
    let f = Fixture::with_client(|b| {
        b.write_attributes("email")
            .write_attributes("name")
            .read_attributes("email")
    })
    .await;
    f.user("alice", &[("email", "alice@example.com"), ("locale", "en")])
        .await;
    let t = f.sign_in("alice").await;
    let access = t.access_token().unwrap();
    let refresh = t.refresh_token().unwrap();
    f.c.get_user().access_token(access).send().await.unwrap();

    f.c.delete_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .send()
        .await
        .unwrap();

    let c = &f.c;
    let refusals = [
        c.get_user()
            .access_token(access)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.update_user_attributes()
            .access_token(access)
            .user_attributes(attr("locale", "fr"))
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.delete_user_attributes()
            .access_token(access)
            .user_attribute_names("locale")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.change_password()
            .access_token(access)
            .previous_password(PASSWORD)
            .proposed_password("New-pass-12")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.get_user_attribute_verification_code()
            .access_token(access)
            .attribute_name("email")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.verify_user_attribute()
            .access_token(access)
            .attribute_name("email")
            .code("123456")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.global_sign_out()
            .access_token(access)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        c.delete_user()
            .access_token(access)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
    ];
    for (i, r) in refusals.into_iter().enumerate() {
        assert_eq!(r, Err(revoked()), "operation {i}");
    }
    // Nothing changed.
    let user = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .expect("the user is still there");
    assert_eq!(user.attribute("locale"), Some("en"));
    assert!(f.app().outbox.list(Some(&f.pool), None).is_empty());
    f.c.admin_get_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();

    // The refresh token: the deleted client is not found, and another client's refresh with it
    // is refused.
    let gone = (
        "ResourceNotFoundException".to_owned(),
        format!("User pool client {} does not exist.", f.client_id),
    );
    let e = c
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), gone);
    let e = c
        .admin_initiate_auth()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), gone);
    let e = c
        .get_tokens_from_refresh_token()
        .client_id(&f.client_id)
        .refresh_token(refresh)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), gone);
    let other = c
        .create_user_pool_client()
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
    let e = c
        .initiate_auth()
        .client_id(&other)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token".into()
        )
    );
}

#[tokio::test]
async fn a_live_clients_tokens_still_work_after_another_client_is_deleted() {
    let f = Fixture::new().await;
    f.user("alice", &[("email", "alice@example.com")]).await;
    let t = f.sign_in("alice").await;
    let doomed =
        f.c.create_user_pool_client()
            .user_pool_id(&f.pool)
            .client_name("doomed")
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
    f.c.delete_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&doomed)
        .send()
        .await
        .unwrap();
    let me =
        f.c.get_user()
            .access_token(t.access_token().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(me.username(), "alice");
    f.c.update_user_attributes()
        .access_token(t.access_token().unwrap())
        .user_attributes(attr("name", "Alice"))
        .send()
        .await
        .unwrap();
}
