//! The end-to-end suite: a real server on 127.0.0.1:0, driven by real clients
//! (aws-sdk-cognitoidentityprovider, raw HTTP for the wire details, the AWS CLI).
//! Every test makes its own server or pool, so order never matters.

mod harness;

mod attribute_updates;
mod attribute_writes;
mod audit;
mod cli;
mod cli_signin;
mod clients;
mod config_versions;
mod deleted_client;
mod disabled_user;
mod domains;
mod existence_parity;
mod groups;
mod identity_providers;
mod issuer_style;
mod js_clients;
mod log_delivery;
mod managed_login_branding;
mod multi_node;
mod outbox;
mod persistence;
mod pool_config;
mod pool_mfa_tags;
mod protocol;
mod pycognito;
mod readme;
mod readme_snippets;
mod resource_servers;
mod risk_configuration;
mod sealed_client_secrets;
mod secret_free_logs;
mod seed;
mod sessions;
mod sign_in_guards;
mod sign_up;
mod signin;
mod signin_support;
mod signing_certificate;
mod sigv4;
mod smtp;
mod srp;
mod terms;
mod terraform;
mod terraform_defaults;
mod throttling;
mod token_ops;
mod ui_customization;
mod user_existence;
mod user_groups;
mod user_names;
mod user_pools;
mod users;
mod validation;
