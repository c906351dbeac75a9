//! The UserMigration trigger: unknown users signing in with a password or resetting it are
//! created from what the pool's function returns.

use crate::harness::{client_with, err};
use crate::lambdas::lambdas;
use crate::triggers::pool_with_triggers;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, LambdaConfigType, PreventUserExistenceErrorTypes,
    UserStatusType,
};
use serde_json::json;

/// The legacy directory: `old-pw` is the password of every user except `reset-me`, who must
/// reset it; `nobody` does not exist there.
const MIGRATE: &str = r#"
export const handler = async (event) => {
  if (event.userName === 'nobody') throw new Error('Bad password');
  if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== 'old-pw') {
    throw new Error('Bad password');
  }
  event.response.userAttributes = { email: `${event.userName}@legacy.example`, email_verified: 'true', name: 'From legacy' };
  event.response.finalUserStatus = event.userName === 'reset-me' ? 'RESET_REQUIRED' : 'CONFIRMED';
  event.response.messageAction = 'SUPPRESS';
  return event;
};
"#;

#[tokio::test]
async fn users_are_migrated_on_sign_in_and_on_forgot_password() {
    let Some(l) = lambdas() else { return };
    let f = l.function(MIGRATE).await;
    let (s, c, p, _) =
        pool_with_triggers(l, LambdaConfigType::builder().user_migration(&f).build()).await;
    let cid = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
    })
    .await;
    let sign_in = |user: &str, password: &str| {
        c.initiate_auth()
            .client_id(&cid)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", password)
            .client_metadata("app", "web")
            .send()
    };

    // A weak legacy password signs in: the policy does not apply to migration.
    let signed = sign_in("old-user", "old-pw").await.unwrap();
    assert!(signed
        .authentication_result()
        .unwrap()
        .access_token()
        .is_some());
    let events = l.events(&f).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], "UserMigration_Authentication");
    assert_eq!(e["userName"], "old-user");
    assert_eq!(e["callerContext"]["clientId"], cid.as_str());
    assert_eq!(e["request"]["password"], "old-pw");
    assert_eq!(e["request"]["validationData"], json!({"app": "web"}));
    let u = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("old-user")
        .send()
        .await
        .unwrap();
    assert_eq!(u.user_status(), Some(&UserStatusType::Confirmed));
    let attr = |n: &str| {
        u.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(attr("email").as_deref(), Some("old-user@legacy.example"));
    assert_eq!(attr("email_verified").as_deref(), Some("true"));
    assert_eq!(attr("name").as_deref(), Some("From legacy"));
    // Once migrated, the user is the pool's: no second call, and a wrong password is wrong.
    sign_in("old-user", "old-pw").await.unwrap();
    let e = sign_in("old-user", "bad").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    assert_eq!(l.events(&f).await.len(), 1);

    // A refusal is Cognito's UserNotFoundException, and no user is created.
    let e = sign_in("other", "wrong").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".into(),
            format!("Exception migrating user in app client {cid}")
        )
    );
    let e = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotFoundException");

    // RESET_REQUIRED: the user exists and must reset the password.
    let e = sign_in("reset-me", "old-pw").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );

    // ForgotPassword migrates too, without a password, and the code goes out.
    let sent = c
        .forgot_password()
        .client_id(&cid)
        .username("forgetful")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.code_delivery_details().unwrap().destination(),
        Some("f***@l***")
    );
    let events = l.events(&f).await;
    let last = events.last().unwrap();
    assert_eq!(last["triggerSource"], "UserMigration_ForgotPassword");
    assert_eq!(last["userName"], "forgetful");
    assert!(last["request"].get("password").is_none());
    let code = s
        .server
        .app()
        .outbox
        .list(Some(&p), Some("forgetful"))
        .pop()
        .unwrap()
        .code;
    c.confirm_forgot_password()
        .client_id(&cid)
        .username("forgetful")
        .confirmation_code(code)
        .password("New-passw0rd!")
        .send()
        .await
        .unwrap();
    sign_in("forgetful", "New-passw0rd!").await.unwrap();
}

#[tokio::test]
async fn a_client_that_hides_users_hides_a_refused_migration() {
    let Some(l) = lambdas() else { return };
    let f = l.function(MIGRATE).await;
    let (_s, c, p, _) =
        pool_with_triggers(l, LambdaConfigType::builder().user_migration(&f).build()).await;
    let cid = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await;
    let e = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("PASSWORD", "old-pw")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // ForgotPassword answers a simulated delivery, as for any unknown user.
    let sent = c
        .forgot_password()
        .client_id(&cid)
        .username("nobody")
        .send()
        .await
        .unwrap();
    assert!(sent.code_delivery_details().is_some());
}
