//! How long store calls take, for the server's metrics: each backend reports a call's
//! `(backend, kind)` and duration to the one observer the process sets.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

type Observer = fn(&'static str, &'static str, Duration);

static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Sends every store call's latency to `observer` (the first one set stays).
pub fn observe_with(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Reports the time since `started` of a call of `kind` on `backend`.
pub(crate) fn record(backend: &'static str, kind: &'static str, started: Instant) {
    if let Some(observer) = OBSERVER.get() {
        observer(backend, kind, started.elapsed());
    }
}
