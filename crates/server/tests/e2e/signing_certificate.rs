//! GetSigningCertificate: one certificate per pool, issued once, valid 10 years.

use crate::harness::{err, TestServer};
use base64::Engine;

#[tokio::test(flavor = "multi_thread")]
async fn each_pool_has_one_lasting_signing_certificate() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut pools = Vec::new();
    for name in ["a", "b"] {
        let out = c.create_user_pool().pool_name(name).send().await.unwrap();
        pools.push(out.user_pool().unwrap().id().unwrap().to_owned());
    }
    let get = |id: String| {
        let c = c.clone();
        async move {
            c.get_signing_certificate()
                .user_pool_id(id)
                .send()
                .await
                .unwrap()
                .certificate()
                .unwrap()
                .to_owned()
        }
    };
    let first = get(pools[0].clone()).await;
    assert_eq!(get(pools[0].clone()).await, first, "issued once, then kept");
    assert_ne!(get(pools[1].clone()).await, first, "each pool has its own");

    let der = base64::engine::general_purpose::STANDARD
        .decode(&first)
        .expect("base64 DER, no PEM armour");
    // Where openssl is installed, it must read the certificate: subject and 10-year validity.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cert.der");
    std::fs::write(&path, &der).unwrap();
    if let Ok(out) = std::process::Command::new("openssl")
        .args([
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-subject",
            "-startdate",
            "-enddate",
            "-in",
        ])
        .arg(&path)
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(&pools[0]), "{text}");
        let year = |prefix: &str| -> i32 {
            let line = text.lines().find(|l| l.starts_with(prefix)).unwrap();
            line.split_whitespace()
                .rev()
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()
        };
        assert_eq!(year("notAfter=") - year("notBefore="), 10, "{text}");
    }

    let e = c
        .get_signing_certificate()
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
