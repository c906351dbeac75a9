//! Declarative seeding (`--seed FILE`) and `ironpool export`: what a seed file makes, checked
//! with the SDK; a second start with the same file writes nothing, a changed file updates what
//! changed, a bad file stops the start with its path and the API's error and leaves nothing.

use crate::harness::{err, sdk_client, Process, KEY_ID, SECRET};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserStatusType};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_server::{App, Config, Server};
use std::path::{Path, PathBuf};

const POOL: &str = "us-east-1_Seed12345";
const WEST_POOL: &str = "eu-west-1_Seed54321";
const WEB: &str = "webappclient00000000000001";
const API: &str = "apiclient00000000000000002";
const SECRET_VALUE: &str = "fixedsecretfixedsecretfixedsecret0123456789abcdefg";

const YAML: &str = r#"
# The application's pools, as CreateUserPool & co. take them.
UserPools:
  - Id: us-east-1_Seed12345
    PoolName: app
    Policies:
      PasswordPolicy:
        MinimumLength: 10
    UsernameAttributes: [email]
    Schema:
      - Name: tenant
        AttributeDataType: String
        Mutable: true
    ResourceServers:
      - Identifier: https://api.example.com
        Name: api
        Scopes:
          - ScopeName: read
            ScopeDescription: Read things
    UserPoolClients:
      - ClientId: webappclient00000000000001
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
        CallbackURLs: [http://localhost:3000/callback]
      - ClientId: apiclient00000000000000002
        ClientName: api
        GenerateSecret: true
        ClientSecret: fixedsecretfixedsecretfixedsecret0123456789abcdefg
        AllowedOAuthFlows: [client_credentials]
        AllowedOAuthScopes: [https://api.example.com/read]
        AllowedOAuthFlowsUserPoolClient: true
    Domains:
      - Domain: seeded-app
    Groups:
      - GroupName: admins
        Description: Administrators
        Precedence: 1
      - GroupName: readers
    Users:
      - Username: alice@example.com
        Password: Passw0rd!long
        UserAttributes:
          - {Name: email_verified, Value: "true"}
          - {Name: custom:tenant, Value: acme}
        Groups: [admins, readers]
      - Username: bob@example.com
        Password: Temp0rary!pw
        Permanent: false
      - Username: carol@example.com
        Password: Passw0rd!long
        Enabled: false
  - Id: eu-west-1_Seed54321
    AccountId: "111122223333"
    PoolName: west
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A server on the data directory `dir`, seeded with `seed` if given.
fn config(dir: &Path, seed: Option<&Path>) -> Config {
    Config {
        memory: false,
        data_dir: dir.to_owned(),
        seed: seed.map(Path::to_owned),
        ..Config::ephemeral()
    }
}

async fn start(dir: &Path, seed: Option<&Path>) -> Server {
    let app = App::from_config(config(dir, seed)).await.expect("app");
    Server::start(app).await.expect("server starts")
}

fn client(s: &Server) -> Client {
    sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1")
}

async fn sign_in(c: &Client, username: &str, password: &str) -> Result<String, (String, String)> {
    c.admin_initiate_auth()
        .user_pool_id(POOL)
        .client_id(WEB)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|r| {
            r.authentication_result()
                .and_then(|a| a.access_token())
                .unwrap_or_default()
                .to_owned()
        })
        .map_err(err)
}

async fn user_status(c: &Client, username: &str) -> (UserStatusType, bool) {
    let u = c
        .admin_get_user()
        .user_pool_id(POOL)
        .username(username)
        .send()
        .await
        .unwrap();
    (u.user_status().unwrap().clone(), u.enabled())
}

#[tokio::test]
async fn seed_yaml_makes_pools_clients_groups_domains_and_users_with_fixed_ids() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(dir.path(), "seed.yaml", YAML);
    let s = start(&dir.path().join("data"), Some(&seed)).await;
    let c = client(&s);

    let pool = c
        .describe_user_pool()
        .user_pool_id(POOL)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.name(), Some("app"));
    assert_eq!(
        pool.arn(),
        Some("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Seed12345")
    );
    assert_eq!(
        pool.policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(10)
    );
    assert_eq!(pool.domain(), Some("seeded-app"));
    assert!(pool
        .schema_attributes()
        .iter()
        .any(|a| a.name() == Some("custom:tenant")));

    // The pool of another account and region: its ARN, and only there.
    let west = sdk_client(&s.url(), "111122223333", SECRET, "eu-west-1");
    let described = west
        .describe_user_pool()
        .user_pool_id(WEST_POOL)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().arn(),
        Some("arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Seed54321")
    );
    let (code, _) = err(c
        .describe_user_pool()
        .user_pool_id(WEST_POOL)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");

    let api = c
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(API)
        .send()
        .await
        .unwrap();
    let api = api.user_pool_client().unwrap();
    assert_eq!(api.client_secret(), Some(SECRET_VALUE));
    assert_eq!(api.client_name(), Some("api"));
    assert_eq!(
        api.allowed_o_auth_scopes(),
        ["https://api.example.com/read"]
    );
    let web = c
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(WEB)
        .send()
        .await
        .unwrap();
    assert_eq!(
        web.user_pool_client().unwrap().callback_urls(),
        ["http://localhost:3000/callback"]
    );
    assert_eq!(web.user_pool_client().unwrap().client_secret(), None);

    let server = c
        .describe_resource_server()
        .user_pool_id(POOL)
        .identifier("https://api.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(server.resource_server().unwrap().name(), Some("api"));
    let group = c
        .get_group()
        .user_pool_id(POOL)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    assert_eq!(group.group().unwrap().description(), Some("Administrators"));
    assert_eq!(group.group().unwrap().precedence(), Some(1));

    // Users: alice signs in with her seeded password, with her groups and attributes.
    assert!(!sign_in(&c, "alice@example.com", "Passw0rd!long")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        user_status(&c, "alice@example.com").await,
        (UserStatusType::Confirmed, true)
    );
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(POOL)
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    let mut names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "readers"]);
    let alice = c
        .admin_get_user()
        .user_pool_id(POOL)
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    let attr = |n: &str| {
        alice
            .user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(attr("custom:tenant").as_deref(), Some("acme"));
    assert_eq!(attr("email").as_deref(), Some("alice@example.com"));
    // bob's password is temporary; carol is disabled.
    assert_eq!(
        user_status(&c, "bob@example.com").await,
        (UserStatusType::ForceChangePassword, true)
    );
    assert_eq!(
        user_status(&c, "carol@example.com").await,
        (UserStatusType::Confirmed, false)
    );
    // Nothing was sent to the seeded users (MessageAction SUPPRESS unless the file says).
    assert!(s.app().outbox.list(None, None).is_empty());
    s.stop().await;
}

#[tokio::test]
async fn seed_json_a_second_start_with_the_same_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let doc: serde_json::Value = serde_norway::from_str(YAML).unwrap();
    let seed = write(
        dir.path(),
        "seed.json",
        &serde_json::to_string_pretty(&doc).unwrap(),
    );
    let data = dir.path().join("data");
    let s = start(&data, Some(&seed)).await;
    let c = client(&s);
    let dates = |c: Client| async move {
        let pool = c
            .describe_user_pool()
            .user_pool_id(POOL)
            .send()
            .await
            .unwrap();
        let client = c
            .describe_user_pool_client()
            .user_pool_id(POOL)
            .client_id(API)
            .send()
            .await
            .unwrap();
        let user = c
            .admin_get_user()
            .user_pool_id(POOL)
            .username("alice@example.com")
            .send()
            .await
            .unwrap();
        let group = c
            .get_group()
            .user_pool_id(POOL)
            .group_name("admins")
            .send()
            .await
            .unwrap();
        (
            pool.user_pool().unwrap().last_modified_date().cloned(),
            client
                .user_pool_client()
                .unwrap()
                .last_modified_date()
                .cloned(),
            user.user_last_modified_date().cloned(),
            group.group().unwrap().last_modified_date().cloned(),
        )
    };
    let before = dates(c.clone()).await;
    // alice changes her password after the seed made her.
    c.admin_set_user_password()
        .user_pool_id(POOL)
        .username("alice@example.com")
        .password("Changed!pw123")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let after_change = dates(c.clone()).await;
    s.stop().await;

    // The same file again, applied to the store as it is: no call writes.
    let app = App::open(config(&data, None)).await.unwrap();
    assert_eq!(ironpool_server::seed::apply_file(&app, &seed).await, Ok(0));
    drop(app);
    let s = start(&data, Some(&seed)).await;
    let c = client(&s);
    assert_eq!(dates(c.clone()).await, after_change);
    assert_eq!(before.0, after_change.0);
    // Her own password stays; the seeded one is not set again.
    assert!(sign_in(&c, "alice@example.com", "Changed!pw123")
        .await
        .is_ok());
    let (code, _) = sign_in(&c, "alice@example.com", "Passw0rd!long")
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    s.stop().await;
}

#[tokio::test]
async fn seed_a_changed_file_updates_what_changed_and_leaves_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seed = write(dir.path(), "seed.yaml", YAML);
    let s = start(&data, Some(&seed)).await;
    let c = client(&s);
    // Made through the API, not in the file: left alone.
    c.create_group()
        .user_pool_id(POOL)
        .group_name("outside")
        .send()
        .await
        .unwrap();
    let web_before = c
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(WEB)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .last_modified_date()
        .cloned();
    s.stop().await;

    let changed = YAML
        .replace("MinimumLength: 10", "MinimumLength: 12")
        .replace(
            "ClientName: api\n",
            "ClientName: api\n        AccessTokenValidity: 2\n",
        )
        .replace("Value: acme}", "Value: globex}")
        .replace(
            "      - GroupName: readers\n",
            "      - GroupName: readers\n      - GroupName: writers\n",
        )
        .replace(
            "Groups: [admins, readers]",
            "Groups: [admins, readers, writers]",
        )
        .replace("Enabled: false", "Enabled: true")
        + "    Groups:\n      - GroupName: west-admins\n";
    let seed = write(dir.path(), "seed.yaml", &changed);
    let s = start(&data, Some(&seed)).await;
    let c = client(&s);
    let pool = c
        .describe_user_pool()
        .user_pool_id(POOL)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pool.user_pool()
            .unwrap()
            .policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(12)
    );
    let api = c
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(API)
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.user_pool_client().unwrap().access_token_validity(),
        Some(2)
    );
    assert_eq!(
        api.user_pool_client().unwrap().client_secret(),
        Some(SECRET_VALUE)
    );
    let web_after = c
        .describe_user_pool_client()
        .user_pool_id(POOL)
        .client_id(WEB)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .last_modified_date()
        .cloned();
    assert_eq!(web_before, web_after, "an unchanged client is not written");
    let alice = c
        .admin_get_user()
        .user_pool_id(POOL)
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    assert!(alice
        .user_attributes()
        .iter()
        .any(|a| a.name() == "custom:tenant" && a.value() == Some("globex")));
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(POOL)
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 3);
    assert_eq!(
        user_status(&c, "carol@example.com").await,
        (UserStatusType::Confirmed, true)
    );
    let listed = c.list_groups().user_pool_id(POOL).send().await.unwrap();
    let mut names: Vec<_> = listed
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "outside", "readers", "writers"]);
    let west = sdk_client(&s.url(), "111122223333", SECRET, "eu-west-1");
    west.get_group()
        .user_pool_id(WEST_POOL)
        .group_name("west-admins")
        .send()
        .await
        .unwrap();
    s.stop().await;

    // And the changed file once more: nothing left to do.
    let app = App::open(config(&data, None)).await.unwrap();
    assert_eq!(ironpool_server::seed::apply_file(&app, &seed).await, Ok(0));
}

/// The error of starting with `seed` on `data`, and that the store was left empty.
async fn refused(data: &Path, seed: &Path) -> String {
    let e = match App::from_config(config(data, Some(seed))).await {
        Ok(_) => panic!("a bad seed file was applied"),
        Err(e) => e,
    };
    let app = App::open(config(data, None)).await.unwrap();
    assert!(
        app.store
            .list_user_pools(None, 10)
            .await
            .unwrap()
            .is_empty(),
        "a refused seed file left pools behind: {e}"
    );
    e
}

#[tokio::test]
async fn seed_bad_files_name_the_path_and_the_apis_error_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cases = [
        // The API's model validation, at the member it names.
        (
            YAML.replace("ClientName: api\n", "ClientName: bad/name\n"),
            "UserPools[0].UserPoolClients[1].ClientName: InvalidParameterException: 1 validation \
             error detected: Value 'bad/name' at 'clientName' failed to satisfy constraint: Member must \
             satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ),
        // A handler's own rule.
        (
            YAML.replace(
                "http://localhost:3000/callback",
                "http://example.com/callback",
            ),
            "UserPools[0].UserPoolClients[0]: InvalidParameterException: CallbackURLs must use \
             HTTPS except for http://localhost: http://example.com/callback",
        ),
        (
            YAML.replace("Password: Temp0rary!pw", "Password: short"),
            "UserPools[0].Users[1]: InvalidPasswordException: ",
        ),
        (
            YAML.replace("Groups: [admins, readers]", "Groups: [admins, nobody]"),
            "UserPools[0].Users[0].Groups[1]: ResourceNotFoundException: ",
        ),
        (
            YAML.replace("Id: eu-west-1_Seed54321", "Id: eu-west-1_Seed"),
            "UserPools[1].Id: \"eu-west-1_Seed\" is not a user pool id",
        ),
        (
            YAML.replace("ClientId: apiclient00000000000000002", "ClientId: APIclient"),
            "UserPools[0].UserPoolClients[1].ClientId: \"APIclient\" is not an app client id",
        ),
        (
            YAML.replace("PoolName: west", "PoolNmae: west"),
            "UserPools[1].PoolNmae: unknown member: neither CreateUserPool nor the seed file \
             takes it",
        ),
        (
            YAML.replace("PoolName: app", "PoolName: app\n    MfaConfiguration: SOMETIMES"),
            "UserPools[0].MfaConfiguration: InvalidParameterException: 1 validation error \
             detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: \
             Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
        ),
        ("UserPools: [\n".to_owned(), "not valid YAML"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let seed = write(dir.path(), &format!("bad{i}.yaml"), text);
        let e = refused(&data, &seed).await;
        let file = format!("seed file {}: ", seed.display());
        assert!(e.starts_with(&file), "{e}");
        assert!(
            e[file.len()..].starts_with(expected),
            "case {i}:\n{e}\nexpected\n{expected}"
        );
    }
}

#[tokio::test]
async fn seed_refused_by_the_binary_at_start_with_its_path_and_nothing_applied() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = YAML.replace(
        "http://localhost:3000/callback",
        "http://example.com/callback",
    );
    let seed = write(dir.path(), "seed.yaml", &bad);
    let data_arg = data.to_str().unwrap();
    let output = Process::try_spawn(&["--data-dir", data_arg, "--seed", seed.to_str().unwrap()])
        .err()
        .expect("the server refused to start");
    assert!(
        output.contains(&format!("seed file {}", seed.display())),
        "{output}"
    );
    assert!(
        output.contains("UserPools[0].UserPoolClients[0]: InvalidParameterException: CallbackURLs must use HTTPS except for http://localhost"),
        "{output}"
    );
    // The same data directory, with IRONPOOL_SEED naming a good file: the pools are there, and
    // nothing of the refused file was.
    let p = Process::spawn(&["--data-dir", data_arg]);
    let c = sdk_client(&p.url(), KEY_ID, SECRET, "us-east-1");
    let pools = c.list_user_pools().max_results(10).send().await.unwrap();
    assert!(pools.user_pools().is_empty());
    drop(p);
    let good = write(dir.path(), "good.yaml", YAML);
    let p = Process::try_spawn_with_env(
        &["--data-dir", data_arg],
        &[("IRONPOOL_SEED", good.to_str().unwrap())],
    )
    .unwrap();
    let c = sdk_client(&p.url(), KEY_ID, SECRET, "us-east-1");
    let pools = c.list_user_pools().max_results(10).send().await.unwrap();
    assert_eq!(pools.user_pools().len(), 1);
    assert_eq!(pools.user_pools()[0].id(), Some(POOL));
}

#[tokio::test]
async fn seed_the_readme_example_makes_its_pool_client_domain_and_user() {
    let readme = include_str!("../../../../README.md");
    let section = &readme[readme.find("## Seeding").unwrap()..];
    let start_at = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let example = &section[start_at..start_at + section[start_at..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let seed = write(dir.path(), "seed.yaml", example);
    let s = start(&dir.path().join("data"), Some(&seed)).await;
    let c = client(&s);
    let signed_in = c
        .admin_initiate_auth()
        .user_pool_id("us-east-1_Example01")
        .client_id("myappwebclient000000000001")
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice@example.com")
        .auth_parameters("PASSWORD", "Passw0rd!long")
        .send()
        .await
        .map_err(err);
    // alice exists, CONFIRMED; the example's client allows SRP and refresh only.
    let alice = c
        .admin_get_user()
        .user_pool_id("us-east-1_Example01")
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(alice.user_status(), Some(&UserStatusType::Confirmed));
    assert_eq!(
        signed_in.unwrap_err(),
        (
            "InvalidParameterException".into(),
            "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client".into()
        )
    );
    let d = c
        .describe_user_pool_domain()
        .domain("my-app")
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.domain_description().unwrap().user_pool_id(),
        Some("us-east-1_Example01")
    );
    s.stop().await;
}

/// Every pool's described settings, clients, groups and users, without what a server sets
/// itself (dates, subs, user statuses).
async fn state(c: &Client, pool: &str) -> serde_json::Value {
    use serde_json::json;
    let p = c
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    let p = p.user_pool().unwrap();
    let mut clients = Vec::new();
    let listed = c
        .list_user_pool_clients()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    for l in listed.user_pool_clients() {
        let d = c
            .describe_user_pool_client()
            .user_pool_id(pool)
            .client_id(l.client_id().unwrap())
            .send()
            .await
            .unwrap();
        let d = d.user_pool_client().unwrap();
        clients.push(json!([
            d.client_id(),
            d.client_name(),
            d.client_secret(),
            format!("{:?}", d.explicit_auth_flows()),
            d.callback_urls(),
            d.allowed_o_auth_scopes(),
            d.refresh_token_validity(),
        ]));
    }
    clients.sort_by_key(|c| c.to_string());
    let groups = c.list_groups().user_pool_id(pool).send().await.unwrap();
    let groups: Vec<_> = groups
        .groups()
        .iter()
        .map(|g| json!([g.group_name(), g.description(), g.precedence()]))
        .collect();
    let users = c.list_users().user_pool_id(pool).send().await.unwrap();
    let mut out = Vec::new();
    for u in users.users() {
        let mut attributes: Vec<_> = u
            .attributes()
            .iter()
            .filter(|a| a.name() != "sub")
            .map(|a| format!("{}={}", a.name(), a.value().unwrap_or_default()))
            .collect();
        attributes.sort();
        let email = u
            .attributes()
            .iter()
            .find(|a| a.name() == "email")
            .and_then(|a| a.value())
            .unwrap()
            .to_owned();
        let groups = c
            .admin_list_groups_for_user()
            .user_pool_id(pool)
            .username(&email)
            .send()
            .await
            .unwrap();
        let mut groups: Vec<_> = groups
            .groups()
            .iter()
            .filter_map(|g| g.group_name())
            .collect();
        groups.sort();
        out.push(json!([email, attributes, groups, u.enabled()]));
    }
    out.sort_by_key(|u| u.to_string());
    let policy = p.policies().unwrap().password_policy().unwrap();
    json!({
        "name": p.name(),
        "arn": p.arn(),
        "domain": p.domain(),
        "minimum_length": policy.minimum_length(),
        "username_attributes": format!("{:?}", p.username_attributes()),
        "schema": p.schema_attributes().len(),
        "clients": clients,
        "groups": groups,
        "users": out,
    })
}

#[tokio::test]
async fn export_then_seed_recreates_the_pools_clients_groups_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(dir.path(), "seed.yaml", YAML);
    let first = dir.path().join("first");
    let s = start(&first, Some(&seed)).await;
    let before = state(&client(&s), POOL).await;
    s.stop().await;

    // The binary's export of the data directory, as YAML and as JSON.
    let exported = dir.path().join("exported.yaml");
    let status = std::process::Command::new(Process::binary())
        .args(["export", "--data-dir", first.to_str().unwrap(), "--output"])
        .arg(&exported)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("Id: us-east-1_Seed12345"), "{text}");
    assert!(text.contains(SECRET_VALUE), "{text}");
    assert!(!text.contains("Passw0rd"), "no password is exported");
    let one = std::process::Command::new(Process::binary())
        .args(["export", "--data-dir", first.to_str().unwrap()])
        .args(["--user-pool-id", WEST_POOL])
        .output()
        .unwrap();
    assert!(one.status.success());
    let one: serde_json::Value = serde_norway::from_slice(&one.stdout).unwrap();
    let pools = one["UserPools"].as_array().unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0]["Id"], WEST_POOL);
    assert_eq!(pools[0]["AccountId"], "111122223333");
    assert_eq!(pools[0]["PoolName"], "west");
    assert_eq!(pools[0]["DeletionProtection"], "INACTIVE");
    assert!(pools[0].get("Users").is_none() && pools[0].get("UserPoolClients").is_none());

    let second = dir.path().join("second");
    let s = start(&second, Some(&exported)).await;
    let c = client(&s);
    assert_eq!(state(&c, POOL).await, before);
    let west = sdk_client(&s.url(), "111122223333", SECRET, "eu-west-1");
    west.describe_user_pool()
        .user_pool_id(WEST_POOL)
        .send()
        .await
        .unwrap();
    // Passwords did not travel: alice starts again with a temporary one.
    assert_eq!(
        user_status(&c, "alice@example.com").await,
        (UserStatusType::ForceChangePassword, true)
    );
    s.stop().await;
    // And the export, seeded again over what it made, changes nothing.
    let app = App::open(config(&second, None)).await.unwrap();
    assert_eq!(
        ironpool_server::seed::apply_file(&app, &exported).await,
        Ok(0)
    );
}

const SEALED_YAML: &str = r#"
UserPools:
  - Id: us-east-1_Sealed123
    PoolName: sealed
    UserPoolClients:
      - ClientId: sealedclient00000000000001
        ClientName: app
        ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    Users:
      - Username: dana
        Password: Passw0rd!long
      - Username: erin
        Password: Temp0rary!pw
        Permanent: false
"#;

/// AdminInitiateAuth with a password in the sealed pool: tokens, or the challenge's name.
async fn sealed_sign_in(
    c: &Client,
    username: &str,
    password: &str,
) -> Result<String, (String, String)> {
    let out = c
        .admin_initiate_auth()
        .user_pool_id("us-east-1_Sealed123")
        .client_id("sealedclient00000000000001")
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(err)?;
    Ok(match out.authentication_result() {
        Some(_) => "tokens".to_owned(),
        None => out.challenge_name().unwrap().as_str().to_owned(),
    })
}

#[tokio::test]
async fn export_with_sealed_passwords_keeps_them_for_a_server_of_the_same_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(dir.path(), "seed.yaml", SEALED_YAML);
    let first = dir.path().join("first");
    start(&first, Some(&seed)).await.stop().await;
    let exported = dir.path().join("exported.yaml");
    let status = std::process::Command::new(Process::binary())
        .args(["export", "--sealed-passwords", "--data-dir"])
        .arg(&first)
        .arg("--output")
        .arg(&exported)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(text.matches("SealedPassword:").count(), 2, "{text}");
    assert!(
        !text.contains("Passw0rd") && !text.contains("Temp0rary"),
        "{text}"
    );
    assert!(text.contains("Permanent: false"), "{text}");

    // A server of the same master key: the users sign in with their passwords.
    let second = dir.path().join("second");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::copy(first.join("master.key"), second.join("master.key")).unwrap();
    let s = start(&second, Some(&exported)).await;
    let c = client(&s);
    assert_eq!(
        sealed_sign_in(&c, "dana", "Passw0rd!long").await,
        Ok("tokens".into())
    );
    assert_eq!(
        sealed_sign_in(&c, "dana", "wrong-Passw0rd!")
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        sealed_sign_in(&c, "erin", "Temp0rary!pw").await,
        Ok("NEW_PASSWORD_REQUIRED".into())
    );
    s.stop().await;
    // Seeded again over itself: nothing changes.
    let app = App::open(config(&second, None)).await.unwrap();
    assert_eq!(
        ironpool_server::seed::apply_file(&app, &exported).await,
        Ok(0)
    );

    // A server of another master key refuses the file at start, and nothing is applied.
    let third = dir.path().join("third");
    let refused = App::from_config(config(&third, Some(&exported)))
        .await
        .err()
        .unwrap();
    assert!(
        refused.contains(
            "UserPools[0].Users[0].SealedPassword: does not open with this server's master key"
        ),
        "{refused}"
    );
    let app = App::open(config(&third, None)).await.unwrap();
    let pools = app.store.list_user_pools(None, 10).await.unwrap();
    assert!(pools.is_empty(), "nothing applied");
}
