//! Suite cases for [`AuthEvents`](crate::AuthEvents); run through
//! [`backend_suite!`](crate::backend_suite).

use crate::suite::{user, users_pool, UP};
use crate::{AuthEvent, Store};

fn event(sub: &str, id: &str, created: f64) -> AuthEvent {
    AuthEvent {
        pool_id: UP.into(),
        sub: sub.into(),
        event_id: id.into(),
        created,
        doc: format!("{{\"EventId\":\"{id}\"}}"),
    }
}

async fn ids(store: &dyn Store, before: Option<(f64, String)>, limit: u32) -> Vec<String> {
    store
        .list_auth_events(UP, "sub-alice", before, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect()
}

/// Newest first in pages, the oldest beyond the bound dropped, documents replaced, and all of
/// them gone with their user.
pub async fn auth_events_page_newest_first_and_go_with_their_user(store: &dyn Store) {
    users_pool(store).await;
    for name in ["alice", "bob"] {
        store
            .create_user_if_absent(&user(name, &[]), false)
            .await
            .unwrap()
            .unwrap();
    }
    for (id, t) in [("a", 1.0), ("c", 2.0), ("b", 2.0), ("d", 3.0)] {
        store
            .add_auth_event(&event("sub-alice", id, t), 3)
            .await
            .unwrap();
    }
    store
        .add_auth_event(&event("sub-bob", "x", 5.0), 3)
        .await
        .unwrap();
    assert_eq!(
        ids(store, None, 10).await,
        ["d", "c", "b"],
        "the oldest beyond 3 went"
    );
    assert_eq!(ids(store, None, 2).await, ["d", "c"]);
    assert_eq!(ids(store, Some((2.0, "c".into())), 2).await, ["b"]);

    let mut c = store
        .get_auth_event(UP, "sub-alice", "c")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c, event("sub-alice", "c", 2.0));
    c.doc = "{\"changed\":true}".into();
    assert!(store.put_auth_event(&c).await.unwrap());
    assert_eq!(
        store.get_auth_event(UP, "sub-alice", "c").await.unwrap(),
        Some(c)
    );
    assert_eq!(
        store.get_auth_event(UP, "sub-bob", "c").await.unwrap(),
        None
    );
    assert!(!store
        .put_auth_event(&event("sub-alice", "a", 1.0))
        .await
        .unwrap());

    assert!(store.delete_user(UP, "alice").await.unwrap());
    assert!(ids(store, None, 10).await.is_empty());
    assert!(store
        .get_auth_event(UP, "sub-bob", "x")
        .await
        .unwrap()
        .is_some());
}
