//! Suite cases for [`Devices`](crate::Devices); run through [`backend_suite!`](crate::backend_suite).

use crate::suite::{user, users_pool, UP};
use crate::{Device, Store};

fn device(sub: &str, key: &str, remembered: bool) -> Device {
    Device {
        pool_id: UP.into(),
        sub: sub.into(),
        device_key: key.into(),
        group_key: "-group".into(),
        sealed_verifier: Some("sealed".into()),
        remembered,
        name: None,
        last_ip: None,
        created: 1.0,
        modified: 1.0,
        last_authenticated: 1.0,
    }
}

pub async fn devices_list_in_pages_and_go_with_their_user(store: &dyn Store) {
    users_pool(store).await;
    for name in ["ann", "bob"] {
        store
            .create_user_if_absent(&user(name, &[]), false)
            .await
            .unwrap()
            .unwrap();
    }
    for key in ["k3", "k1", "k2"] {
        store
            .put_device(&device("sub-ann", key, true))
            .await
            .unwrap();
    }
    store
        .put_device(&device("sub-ann", "k0", false))
        .await
        .unwrap();
    store
        .put_device(&device("sub-bob", "k9", true))
        .await
        .unwrap();

    let keys = |list: Vec<Device>| list.into_iter().map(|d| d.device_key).collect::<Vec<_>>();
    let page = store.list_devices(UP, "sub-ann", None, 2).await.unwrap();
    assert_eq!(
        keys(page),
        ["k1", "k2"],
        "devices not remembered are not listed"
    );
    let page = store
        .list_devices(UP, "sub-ann", Some("k2"), 2)
        .await
        .unwrap();
    assert_eq!(keys(page), ["k3"]);

    let mut changed = device("sub-ann", "k0", true);
    changed.name = Some("laptop".into());
    store.put_device(&changed).await.unwrap();
    let got = store.get_device(UP, "sub-ann", "k0").await.unwrap();
    assert_eq!(got, Some(changed));
    assert_eq!(store.get_device(UP, "sub-bob", "k0").await.unwrap(), None);
    assert!(!store.delete_device(UP, "sub-bob", "k1").await.unwrap());
    assert!(store.delete_device(UP, "sub-ann", "k1").await.unwrap());
    assert_eq!(store.get_device(UP, "sub-ann", "k1").await.unwrap(), None);

    store.delete_user(UP, "ann").await.unwrap();
    assert!(store
        .list_devices(UP, "sub-ann", None, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .get_device(UP, "sub-bob", "k9")
        .await
        .unwrap()
        .is_some());
    assert!(
        store
            .put_device(&device("sub-ann", "k5", true))
            .await
            .is_err(),
        "a device needs its user"
    );
}
