//! Pure domain logic of Ironpool: no I/O and no async runtime. Time comes in through a
//! [`Clock`] and randomness through an [`Rng`], so tests can move time and fix randomness.

pub mod attributes;
mod bignum;
pub mod certificate;
pub mod client;
pub mod clock;
pub mod encryption_sdk;
pub mod ids;
pub mod jwt;
pub mod lockout;
pub mod password;
pub mod rng;
pub mod saml;
pub mod seal;
pub mod secret_hash;
pub mod srp;
pub mod totp;
pub mod user_import;
pub mod webauthn;

pub use clock::{Clock, ManualClock, SystemClock};
pub use rng::{OsRng, Rng};
