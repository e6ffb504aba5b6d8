//! Who is asking, for rate limits: the socket's peer address, or — behind a reverse proxy —
//! the address a configured header carries, believed only when the peer is one of the
//! configured proxies (anyone else could write that header).

use crate::SharedState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// `[proxy]` of the configuration.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyConfig {
    /// The header the proxy writes the client's address into (`X-Forwarded-For`,
    /// `X-Real-IP` …); none: the peer address is the client.
    pub header: Option<String>,
    /// The proxies' addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `::1`).
    pub trusted: Vec<String>,
}

/// The checked form of [`ProxyConfig`].
#[derive(Debug, Clone, Default)]
pub struct ClientAddress {
    header: Option<axum::http::HeaderName>,
    trusted: Vec<ipnet::IpNet>,
}

impl ClientAddress {
    /// Checks the configuration: the header's name and every network, or what is wrong with
    /// which.
    pub fn new(config: &ProxyConfig) -> Result<Self, String> {
        let header = match config.header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(h) => Some(
                axum::http::HeaderName::try_from(h)
                    .map_err(|_| format!("[proxy] header: «{h}» is not a header name"))?,
            ),
        };
        let mut trusted = Vec::with_capacity(config.trusted.len());
        for t in &config.trusted {
            let t = t.trim();
            let net = t
                .parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("[proxy] trusted: «{t}» is not an address or network"))?;
            trusted.push(net);
        }
        if header.is_some() && trusted.is_empty() {
            return Err(
                "[proxy] header needs [proxy] trusted: the proxies whose header is believed".into(),
            );
        }
        Ok(Self { header, trusted })
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn of(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> String {
        let Some(peer) = peer else {
            return "local".into();
        };
        let from_proxy = self.trusted.iter().any(|n| n.contains(&peer));
        if let (Some(h), true) = (&self.header, from_proxy) {
            // X-Forwarded-For lists client, proxy1, proxy2 …: the last address not one of
            // ours is the client as far as our proxies can tell.
            let listed: Vec<IpAddr> = headers
                .get_all(h)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .collect();
            if let Some(a) = listed
                .iter()
                .rev()
                .find(|a| !self.trusted.iter().any(|n| n.contains(*a)))
                .or(listed.first())
            {
                return a.to_string();
            }
        }
        peer.to_string()
    }
}

/// The requesting client's address (see the module).
pub struct Client(pub String);

impl FromRequestParts<SharedState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Self(state.client.of(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn a_header_is_believed_only_from_a_trusted_proxy() {
        let c = ClientAddress::new(&ProxyConfig {
            header: Some("X-Forwarded-For".into()),
            trusted: vec!["10.0.0.0/8".into(), "127.0.0.1".into()],
        })
        .unwrap();
        let proxy = Some("10.1.2.3".parse().unwrap());
        let h = headers("203.0.113.7, 10.9.9.9");
        assert_eq!(c.of(proxy, &h), "203.0.113.7");
        // A client spoofing the first entry is not believed past the proxy's own append.
        let h = headers("1.1.1.1, 198.51.100.4");
        assert_eq!(c.of(proxy, &h), "198.51.100.4");
        // Straight from the internet: the header is someone's say-so.
        assert_eq!(
            c.of(Some("198.51.100.9".parse().unwrap()), &h),
            "198.51.100.9"
        );
        // No usable header: the proxy's own address.
        assert_eq!(c.of(proxy, &HeaderMap::new()), "10.1.2.3");
        // No proxy configured: the peer.
        let plain = ClientAddress::default();
        assert_eq!(plain.of(proxy, &headers("203.0.113.7")), "10.1.2.3");
    }

    #[test]
    fn a_wrong_configuration_says_which_entry() {
        let e = ClientAddress::new(&ProxyConfig {
            header: Some("X-Forwarded-For".into()),
            trusted: vec!["10.0.0.0/33".into()],
        })
        .unwrap_err();
        assert!(e.contains("10.0.0.0/33"), "{e}");
        let e = ClientAddress::new(&ProxyConfig {
            header: Some("X-Real-IP".into()),
            trusted: vec![],
        })
        .unwrap_err();
        assert!(e.contains("trusted"), "{e}");
        assert!(
            ClientAddress::new(&ProxyConfig {
                header: Some("bad header".into()),
                trusted: vec!["::1".into()],
            })
            .is_err()
        );
    }
}
