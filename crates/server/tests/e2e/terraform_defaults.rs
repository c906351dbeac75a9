//! Defaults Terraform's aws provider reads back: a pool's SignInPolicy (`["PASSWORD"]`, which
//! Cognito reports for every pool) and a custom String attribute created without constraints.
//! Neither may leave a perpetual diff. For the attribute, provider 5.100.0 suppresses reported
//! default constraints only when the API's attribute name equals the configured one, which for
//! `custom:` attributes it never does: both `{}` and `{"MinLength":"0","MaxLength":"2048"}`
//! plan a replacement of the schema block on every run, so none are reported.

use crate::harness::TestServer;
use crate::terraform::Terraform;

const CONFIG: &str = r#"
resource "aws_cognito_user_pool" "plain" {
  name = "tf-defaults"
  schema {
    name                = "nick"
    attribute_data_type = "String"
    mutable             = true
  }
}

output "id" {
  value = aws_cognito_user_pool.plain.id
}

output "sign_in_policy" {
  value = aws_cognito_user_pool.plain.sign_in_policy
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn defaults_read_back_without_a_diff() {
    let s = TestServer::start().await;
    let Some(tf) = Terraform::init(&s.url(), CONFIG) else {
        return;
    };
    tf.apply();
    tf.assert_no_changes();
    let out = tf.outputs();
    assert_eq!(
        out["sign_in_policy"],
        serde_json::json!([{"allowed_first_auth_factors": ["PASSWORD"]}])
    );
    let pool = s
        .client()
        .describe_user_pool()
        .user_pool_id(out["id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let policy = pool.policies().unwrap().sign_in_policy().unwrap();
    assert_eq!(policy.allowed_first_auth_factors()[0].as_str(), "PASSWORD");
    let nick = pool
        .schema_attributes()
        .iter()
        .find(|a| a.name() == Some("custom:nick"))
        .unwrap();
    assert!(nick.string_attribute_constraints().is_none());
    tf.destroy();
}
