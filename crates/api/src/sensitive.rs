//! A wrapper for values the model marks `sensitive`: passwords, codes, tokens, sessions.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Deref;

/// A secret value. It serializes as the bare value (the wire does not change), but its
/// `Debug` output is redacted as the AWS SDKs do, so logging a request leaks nothing.
///
/// Comparing two secrets should go through a constant-time comparison of
/// [`expose`](Sensitive::expose)d bytes; `PartialEq` here is for tests and plain data.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(pub T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself; call sites make it visible where a secret is read.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Sensitive<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Sensitive(value.to_owned())
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"*** Sensitive Data Redacted ***\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Sensitive;

    #[test]
    fn serializes_transparently_and_redacts_debug() {
        let secret: Sensitive<String> = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(secret.len(), 7, "derefs to the value");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2\"");
        assert_eq!(format!("{secret:?}"), "\"*** Sensitive Data Redacted ***\"");
        let nested = Some(Sensitive::<String>::from("x"));
        assert!(!format!("{nested:?}").contains('x'));
        assert_eq!(Sensitive::<String>::default().into_inner(), "");
    }
}
