//! AdminDisableUser revokes every token the user holds, those issued in the same second
//! included: enabling the user again does not bring them back.

use crate::harness::err;
use crate::signin_support::Fixture;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

#[tokio::test]
async fn tokens_of_a_disabled_user_stay_revoked_after_enabling() {
    let f = Fixture::new().await;
    f.user("alice", &[("email", "alice@example.com")]).await;
    // The fixture's clock stands still: sign-in and disabling fall in one second.
    let t = f.sign_in("alice").await;
    let access = t.access_token().unwrap();
    let refresh = t.refresh_token().unwrap();
    f.c.admin_disable_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    f.c.admin_enable_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let e =
        f.c.get_user()
            .access_token(access)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    // A new sign-in works.
    let again = f.sign_in("alice").await;
    let me =
        f.c.get_user()
            .access_token(again.access_token().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(me.username(), "alice");
}
