//! What a client address counts as, for the abuse limits.
//!
//! An IPv6 client usually holds a whole /64 and can pick a new address in it for every request,
//! so an IPv6 "address" is its /64. Above that, a *network* (an IPv4 /24, an IPv6 /48) has a
//! looser limit of its own, so a pool of addresses from one provider cannot burn the daily LLM
//! cap or flood the team with notifications. IPv4-mapped IPv6 addresses count as IPv4.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The identity the per-address limit counts: an IPv4 address, or an IPv6 /64.
pub fn address_identity(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("{}/64", masked_v6(v6, 64)),
    }
}

/// The identity the per-network limit counts: an IPv4 /24, or an IPv6 /48.
pub fn network_identity(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{}/24", Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(v6) => format!("{}/48", masked_v6(v6, 48)),
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn masked_v6(ip: Ipv6Addr, prefix: u32) -> Ipv6Addr {
    let mask = u128::MAX << (128 - prefix);
    Ipv6Addr::from(u128::from(ip) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_in_one_64_are_one_client() {
        let a = address_identity(ip("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(a, address_identity(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assert_ne!(a, address_identity(ip("2001:db8:1:3::1")));
        assert_eq!(
            network_identity(ip("2001:db8:1:2::1")),
            network_identity(ip("2001:db8:1:ffff::1"))
        );
        assert_eq!(network_identity(ip("2001:db8:1:2::1")), "2001:db8:1::/48");
    }

    #[test]
    fn ipv4_addresses_are_themselves_and_their_24() {
        assert_eq!(address_identity(ip("203.0.113.7")), "203.0.113.7");
        assert_ne!(
            address_identity(ip("203.0.113.7")),
            address_identity(ip("203.0.113.8"))
        );
        assert_eq!(network_identity(ip("203.0.113.7")), "203.0.113.0/24");
        assert_eq!(
            network_identity(ip("203.0.113.7")),
            network_identity(ip("203.0.113.250"))
        );
        assert_ne!(
            network_identity(ip("203.0.113.7")),
            network_identity(ip("203.0.114.7"))
        );
    }

    #[test]
    fn ipv4_mapped_ipv6_counts_as_ipv4() {
        assert_eq!(address_identity(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(network_identity(ip("::ffff:203.0.113.7")), "203.0.113.0/24");
    }
}
