//! Name resolution for Ironpool's own outbound calls (Lambda, KMS, identity providers):
//! `localhost` and every `*.localhost` name are loopback (RFC 6761), whatever the system
//! resolver says; other names go to the system resolver.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

pub struct LocalhostResolver;

/// Whether RFC 6761 makes `host` a loopback name.
pub fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

impl Resolve for LocalhostResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_localhost(&host) {
                let loopback = [
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
                    SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0),
                ];
                let addrs: Addrs = Box::new(loopback.into_iter());
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The resolver to give every outbound HTTP client.
pub fn resolver() -> Arc<LocalhostResolver> {
    Arc::new(LocalhostResolver)
}

#[cfg(test)]
mod tests {
    use super::is_localhost;

    #[test]
    fn localhost_names() {
        assert!(is_localhost("localhost"));
        assert!(is_localhost("lambda.localhost"));
        assert!(is_localhost("a.auth.us-east-1.LOCALHOST."));
        assert!(!is_localhost("localhost.example.com"));
        assert!(!is_localhost("notlocalhost"));
    }
}
