//! User pool configuration: CreateUserPool's defaults, its validation rules, UpdateUserPool's
//! replace semantics (seed 001), AddCustomAttributes, DeleteUserPool with a domain.

use crate::harness::{err, raw_call, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AliasAttributeType, AttributeDataType, DeletionProtectionType,
    EmailConfigurationType, EmailSendingAccountType, LambdaConfigType, MessageTemplateType,
    SchemaAttributeType, UserAttributeUpdateSettingsType, UserPoolMfaType, UsernameAttributeType,
    VerifiedAttributeType,
};
use serde_json::{json, Value};

async fn call(s: &TestServer, op: &str, body: Value) -> Value {
    let (status, _, out) = raw_call(&s.url(), Some(op), &body.to_string()).await;
    assert_eq!(status, 200, "{op}: {out}");
    out
}

async fn call_err(s: &TestServer, op: &str, body: Value) -> (String, String) {
    let (status, _, out) = raw_call(&s.url(), Some(op), &body.to_string()).await;
    assert_eq!(status, 400, "{op}: {out}");
    (
        out["__type"].as_str().unwrap().to_owned(),
        out["message"].as_str().unwrap().to_owned(),
    )
}

fn s_attr(name: &str, mutable: bool, required: bool, min: &str, max: &str) -> Value {
    json!({"Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
           "Mutable": mutable, "Required": required,
           "StringAttributeConstraints": {"MinLength": min, "MaxLength": max}})
}

fn b_attr(name: &str) -> Value {
    json!({"Name": name, "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": false,
           "Mutable": true, "Required": false})
}

fn standard_schema() -> Vec<Value> {
    let mut v = vec![s_attr("sub", false, true, "1", "2048")];
    for n in [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
    ] {
        v.push(s_attr(n, true, false, "0", "2048"));
    }
    v.push(b_attr("email_verified"));
    v.push(s_attr("gender", true, false, "0", "2048"));
    v.push(s_attr("birthdate", true, false, "10", "10"));
    for n in ["zoneinfo", "locale", "phone_number"] {
        v.push(s_attr(n, true, false, "0", "2048"));
    }
    v.push(b_attr("phone_number_verified"));
    v.push(s_attr("address", true, false, "0", "2048"));
    v.push(json!({"Name": "updated_at", "AttributeDataType": "Number",
        "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false,
        "NumberAttributeConstraints": {"MinValue": "0"}}));
    v
}

#[tokio::test]
async fn a_name_only_pool_has_cognitos_defaults_field_by_field() {
    let s = TestServer::start().await;
    let created = call(&s, "CreateUserPool", json!({"PoolName": "defaults"})).await;
    let mut pool = created["UserPool"].clone();
    let id = pool["Id"].as_str().unwrap().to_owned();
    assert_eq!(
        pool["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    assert!(pool["CreationDate"].is_f64() || pool["CreationDate"].is_u64());
    assert_eq!(pool["CreationDate"], pool["LastModifiedDate"]);
    let obj = pool.as_object_mut().unwrap();
    for k in ["Id", "Arn", "CreationDate", "LastModifiedDate"] {
        obj.remove(k);
    }
    let expected = json!({
        "Name": "defaults",
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": true,
            "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true,
            "TemporaryPasswordValidityDays": 7},
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "SchemaAttributes": standard_schema(),
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
        "MfaConfiguration": "OFF",
        "EstimatedNumberOfUsers": 0,
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7},
        "AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"},
            {"Priority": 2, "Name": "verified_phone_number"}]},
        "UserPoolTier": "ESSENTIALS",
    });
    assert_eq!(pool, expected);
    let described = call(&s, "DescribeUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(described["UserPool"], created["UserPool"]);
    let listed = call(&s, "ListUserPools", json!({"MaxResults": 10})).await;
    assert_eq!(
        listed["UserPools"][0],
        json!({"Id": id, "Name": "defaults", "LambdaConfig": {},
               "CreationDate": created["UserPool"]["CreationDate"],
               "LastModifiedDate": created["UserPool"]["LastModifiedDate"]})
    );
}

#[tokio::test]
async fn custom_attributes_and_standard_overrides_in_the_schema() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = c
        .create_user_pool()
        .pool_name("schema")
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("secret")
                .attribute_data_type(AttributeDataType::Number)
                .developer_only_attribute(true)
                .mutable(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let schema = pool.user_pool().unwrap().schema_attributes();
    assert_eq!(schema.len(), 22);
    let email = schema.iter().find(|a| a.name() == Some("email")).unwrap();
    assert_eq!(email.required(), Some(true));
    let tenant = &schema[20];
    assert_eq!(tenant.name(), Some("custom:tenant"));
    assert_eq!(tenant.mutable(), Some(true));
    assert_eq!(tenant.required(), Some(false));
    assert_eq!(tenant.developer_only_attribute(), Some(false));
    // Without constraints none are reported (see terraform_defaults).
    assert!(tenant.string_attribute_constraints().is_none());
    let secret = &schema[21];
    assert_eq!(secret.name(), Some("dev:custom:secret"));
    assert_eq!(secret.mutable(), Some(false));
    assert_eq!(
        secret.attribute_data_type(),
        Some(&AttributeDataType::Number)
    );
}

#[tokio::test]
async fn create_user_pool_validation_rules_and_messages() {
    let s = TestServer::start().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"AliasAttributes": ["email"], "UsernameAttributes": ["email"]}),
            "Only one of the aliasAttributes or usernameAttributes can be set in a User pool.",
        ),
        (
            json!({"MfaConfiguration": "ON"}),
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
        ),
        (
            json!({"MfaConfiguration": "OPTIONAL"}),
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
        ),
        (
            json!({"EmailConfiguration": {"EmailSendingAccount": "DEVELOPER"}}),
            "SourceArn is required when EmailSendingAccount is DEVELOPER.",
        ),
        (
            json!({"UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}}),
            "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
        ),
        (
            json!({"AdminCreateUserConfig": {"InviteMessageTemplate": {"SMSMessage": "code {####} only"}}}),
            "The invite message must contain the placeholders {username} and {####}.",
        ),
        (
            json!({"AdminCreateUserConfig": {"InviteMessageTemplate": {"EmailMessage": "hi {username}"}}}),
            "The invite message must contain the placeholders {username} and {####}.",
        ),
        (
            json!({"Schema": [{"Name": "x", "AttributeDataType": "String", "Required": true}]}),
            "Required custom attributes are not supported currently.",
        ),
        (
            json!({"Schema": [{"Name": "x"}]}),
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ),
        (
            json!({"Schema": [{"Name": "email", "AttributeDataType": "Number"}]}),
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            json!({"Schema": [{"Name": "x", "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "2"}}]}),
            "user.custom:x: Max length cannot be less than min length.",
        ),
        (
            json!({"Schema": [{"Name": "x", "AttributeDataType": "String",
                "StringAttributeConstraints": {"MaxLength": "4096"}}]}),
            "user.custom:x: String attributes cannot have a length of more than 2048",
        ),
        (
            json!({"Schema": [{"Name": "n", "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "abc"}}]}),
            "Invalid NumberAttributeConstraints for schema attribute custom:n",
        ),
        (
            json!({"Schema": [{"Name": "x", "AttributeDataType": "String"},
                              {"Name": "x", "AttributeDataType": "Number"}]}),
            "custom:x: Existing attribute already has name custom:x.",
        ),
        (
            json!({"AccountRecoverySetting": {"RecoveryMechanisms": [
                {"Name": "admin_only", "Priority": 1}, {"Name": "verified_email", "Priority": 2}]}}),
            "admin_only cannot be combined with other recovery mechanisms.",
        ),
        (
            json!({"Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 3}},
                   "AdminCreateUserConfig": {"UnusedAccountValidityDays": 5}}),
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
        ),
    ];
    for (mut body, message) in cases {
        body["PoolName"] = json!("bad");
        let got = call_err(&s, "CreateUserPool", body.clone()).await;
        assert_eq!(
            got,
            ("InvalidParameterException".into(), message.into()),
            "{body}"
        );
    }
    // A placeholder the model's pattern requires is checked before any rule.
    let (code, message) = call_err(
        &s,
        "CreateUserPool",
        json!({"PoolName": "p", "SmsAuthenticationMessage": "no code here"}),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.starts_with(
            "1 validation error detected: Value 'no code here' at 'smsAuthenticationMessage'"
        ),
        "{message}"
    );
    let mut fifty_one = Vec::new();
    for i in 0..51 {
        fifty_one.push(json!({"Name": format!("a{i}"), "AttributeDataType": "String"}));
    }
    let got = call_err(
        &s,
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": fifty_one}),
    )
    .await;
    // The model caps Schema at 50 entries before the 50-custom-attribute rule is reached.
    assert!(got
        .1
        .starts_with("1 validation error detected: Value '[{AttributeDataType=String, Name=a0}"));
    assert!(got.1.ends_with("at 'schema' failed to satisfy constraint: Member must have length less than or equal to 50"));
    let listed = call(&s, "ListUserPools", json!({"MaxResults": 10})).await;
    assert_eq!(listed["UserPools"], json!([]));
}

#[tokio::test]
async fn seed_001_describe_then_update_with_the_rest_changes_nothing() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("round-trip")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .email_verification_message("Code: {####}")
        .email_verification_subject("Your code")
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up("arn:aws:lambda:us-east-1:000000000000:function:f")
                .build(),
        )
        .user_pool_tags("team", "auth")
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap().to_owned();
    let before = call(&s, "DescribeUserPool", json!({"UserPoolId": id})).await["UserPool"].clone();
    let mut update = before.clone();
    let obj = update.as_object_mut().unwrap();
    for k in [
        "Arn",
        "CreationDate",
        "CustomDomain",
        "Domain",
        "EmailConfigurationFailure",
        "EstimatedNumberOfUsers",
        "Id",
        "LastModifiedDate",
        "Name",
        "SchemaAttributes",
        "SmsConfigurationFailure",
        "Status",
        "AliasAttributes",
        "UsernameAttributes",
        "UsernameConfiguration",
    ] {
        obj.remove(k);
    }
    obj.insert("UserPoolId".into(), json!(id));
    std::thread::sleep(std::time::Duration::from_millis(20));
    call(&s, "UpdateUserPool", update).await;
    let after = call(&s, "DescribeUserPool", json!({"UserPoolId": id})).await["UserPool"].clone();
    assert_ne!(after["LastModifiedDate"], before["LastModifiedDate"]);
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("LastModifiedDate");
        v
    };
    assert_eq!(strip(after), strip(before.clone()));
    assert_eq!(before["EmailVerificationMessage"], "Code: {####}");
    assert_eq!(
        before["VerificationMessageTemplate"]["EmailMessage"],
        "Code: {####}"
    );
}

#[tokio::test]
async fn update_user_pool_resets_what_is_left_out_and_keeps_what_cannot_change() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("replace")
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up("arn:aws:lambda:us-east-1:000000000000:function:f")
                .build(),
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .invite_message_template(
                    MessageTemplateType::builder()
                        .sms_message("Hi {username}, code {####}")
                        .build(),
                )
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:000000000000:identity/a@example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap().to_owned();
    c.update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.name(), Some("replace"));
    assert_eq!(pool.username_attributes(), &[UsernameAttributeType::Email]);
    assert_eq!(pool.schema_attributes().len(), 20);
    assert_eq!(
        pool.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    assert_eq!(
        pool.lambda_config().unwrap(),
        &LambdaConfigType::builder().build()
    );
    assert!(pool.auto_verified_attributes().is_empty());
    let admin = pool.admin_create_user_config().unwrap();
    assert!(!admin.allow_admin_create_user_only());
    assert!(admin.invite_message_template().is_none());
    assert_eq!(
        pool.email_configuration().unwrap().email_sending_account(),
        Some(&EmailSendingAccountType::CognitoDefault)
    );
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));

    // PoolName renames.
    c.update_user_pool()
        .user_pool_id(&id)
        .pool_name("renamed")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.user_pool().unwrap().name(), Some("renamed"));

    // Validation applies to updates too; an unknown pool is ResourceNotFoundException.
    let e = c
        .update_user_pool()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional".into()
        )
    );
    let e = c
        .update_user_pool()
        .user_pool_id("us-east-1_AAAAAAAAA")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_AAAAAAAAA does not exist.".into()
        )
    );
}

#[tokio::test]
async fn seed_000_update_to_inactive_then_delete_succeeds() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("protected")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap().to_owned();
    let e = c
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
    c.update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    c.delete_user_pool().user_pool_id(&id).send().await.unwrap();
    let e = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn add_custom_attributes_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let id = c
        .create_user_pool()
        .pool_name("custom")
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let attr = |name: &str| {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(AttributeDataType::String)
            .build()
    };
    c.add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(attr("tier"))
        .send()
        .await
        .unwrap();
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let schema = pool.user_pool().unwrap().schema_attributes();
    assert_eq!(schema.len(), 21);
    assert_eq!(schema[20].name(), Some("custom:tier"));

    let e = c
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(attr("tier"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "custom:tier: Existing attribute already has name custom:tier.".into()
        )
    );
    let e = c
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("must")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "Required custom attributes are not supported currently."
    );

    // 1 + 25 + 24 = 50 is the limit; one more is refused and nothing of it is added.
    let mut batch = c.add_custom_attributes().user_pool_id(&id);
    for i in 0..25 {
        batch = batch.custom_attributes(attr(&format!("a{i}")));
    }
    batch.send().await.unwrap();
    let mut batch = c.add_custom_attributes().user_pool_id(&id);
    for i in 0..25 {
        batch = batch.custom_attributes(attr(&format!("b{i}")));
    }
    let e = batch.send().await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Exceeded the maximum number of custom attributes (50).".into()
        )
    );
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.user_pool().unwrap().schema_attributes().len(), 46);

    let e = c
        .add_custom_attributes()
        .user_pool_id("us-east-1_AAAAAAAAA")
        .custom_attributes(attr("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn a_pool_with_a_domain_is_not_deleted_and_describe_shows_its_domains() {
    use ironpool_api::types::{CustomDomainConfigType, DomainDescriptionType};
    use ironpool_store::{Kind, ResourcesExt};
    let s = TestServer::start().await;
    let c = s.client();
    let id = c
        .create_user_pool()
        .pool_name("with-domain")
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    // Domains are another slice's operations; here they are written to the store directly.
    let store = &s.server.app().store;
    let prefix = DomainDescriptionType {
        user_pool_id: Some(id.clone()),
        domain: Some("my-prefix".into()),
        ..Default::default()
    };
    store
        .create(Kind::Domain, &id, "my-prefix", &prefix)
        .await
        .unwrap();
    let custom = DomainDescriptionType {
        user_pool_id: Some(id.clone()),
        domain: Some("auth.example.com".into()),
        custom_domain_config: Some(CustomDomainConfigType {
            certificate_arn: "arn:aws:acm:us-east-1:000000000000:certificate/x".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    store
        .create(Kind::Domain, &id, "auth.example.com", &custom)
        .await
        .unwrap();
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.domain(), Some("my-prefix"));
    assert_eq!(pool.custom_domain(), Some("auth.example.com"));

    let e = c
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
                .into()
        )
    );
    store
        .delete_resource(Kind::Domain, &id, "my-prefix")
        .await
        .unwrap();
    store
        .delete_resource(Kind::Domain, &id, "auth.example.com")
        .await
        .unwrap();
    c.delete_user_pool().user_pool_id(&id).send().await.unwrap();
}
