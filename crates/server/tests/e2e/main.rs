//! The end-to-end suite: a real server on 127.0.0.1:0, driven by real clients
//! (aws-sdk-cognitoidentityprovider, raw HTTP for the wire details, the AWS CLI).
//! Every test makes its own server or pool, so order never matters.

mod harness;

mod cli;
mod persistence;
mod protocol;
mod readme;
mod sigv4;
mod terraform;
mod user_pools;
mod validation;
