//! Address ranges for the sweep. Pure: parsing, merging and indexing, tested without a
//! network.
//!
//! Accepted forms: a CIDR block (`10.1.2.0/24`, `fd00::/120`: every address of the block,
//! network and broadcast included, as nmap counts them), a range `FIRST-LAST`
//! (`10.1.2.5-10.1.2.50`), a range whose end is the last octet of an IPv4 start
//! (`10.1.2.5-50`), or one address. Overlapping ranges are merged so that every address is
//! probed once, and the set is indexed so that workers can take "the n-th address" without
//! ever materialising the list.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::text::{self, Message};

/// One range as given on the command line: inclusive, both ends of the same family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrRange {
    pub first: IpAddr,
    pub last: IpAddr,
    /// The text it was parsed from, for reports.
    pub text: String,
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_u128(v: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(v))
    } else {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    }
}

impl AddrRange {
    /// Parses `CIDR`, `FIRST-LAST`, `A.B.C.D-E` or a single address. The refusal is a
    /// message (the report layer renders it in the user's language).
    pub fn parse(s: &str) -> Result<AddrRange, Message> {
        let text = s.trim();
        let bad = |why: Message| text::range_bad(format!("{text:?}"), why);
        if text.is_empty() {
            return Err(bad(text::range_empty()));
        }
        let range = |first: IpAddr, last: IpAddr| AddrRange {
            first,
            last,
            text: text.to_string(),
        };
        if let Some((addr, bits)) = text.split_once('/') {
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| bad(text::range_not_ip_before("/")))?;
            let width: u32 = if ip.is_ipv4() { 32 } else { 128 };
            let bits: u32 = bits
                .parse()
                .ok()
                .filter(|b| *b <= width)
                .ok_or_else(|| bad(text::range_prefix_length(width as i64)))?;
            let host_bits = width - bits;
            let host_mask: u128 = if host_bits == 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            let base = to_u128(ip) & !host_mask;
            if base != to_u128(ip) {
                return Err(bad(text::range_host_bits(format!(
                    "{}/{bits}",
                    from_u128(base, ip.is_ipv6())
                ))));
            }
            return Ok(range(
                from_u128(base, ip.is_ipv6()),
                from_u128(base | host_mask, ip.is_ipv6()),
            ));
        }
        if let Some((a, b)) = text.split_once('-') {
            let first: IpAddr = a
                .trim()
                .parse()
                .map_err(|_| bad(text::range_not_ip_before("-")))?;
            let b = b.trim();
            let last: IpAddr = match (first, b.parse::<IpAddr>(), b.parse::<u8>()) {
                (_, Ok(ip), _) => ip,
                (IpAddr::V4(v4), Err(_), Ok(octet)) => {
                    let o = v4.octets();
                    IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], octet))
                }
                _ => return Err(bad(text::range_not_ip_after())),
            };
            if first.is_ipv4() != last.is_ipv4() {
                return Err(bad(text::range_families()));
            }
            if to_u128(last) < to_u128(first) {
                return Err(bad(text::range_reversed()));
            }
            return Ok(range(first, last));
        }
        let ip: IpAddr = text.parse().map_err(|_| bad(text::range_not_ip()))?;
        Ok(range(ip, ip))
    }

    /// Number of addresses (a /0 of IPv6 does not fit a u128 count: saturates).
    pub fn len(&self) -> u128 {
        (to_u128(self.last) - to_u128(self.first)).saturating_add(1)
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Merged, sorted ranges with cumulative counts: `get(n)` is O(log ranges), no list of
/// addresses is ever built.
#[derive(Debug, Clone, Default)]
pub struct AddressSet {
    /// (first, last, is_v6, addresses before this span); IPv4 spans sort first.
    spans: Vec<(u128, u128, bool, u128)>,
    total: u128,
}

impl AddressSet {
    pub fn new(ranges: &[AddrRange]) -> AddressSet {
        let mut raw: Vec<(bool, u128, u128)> = ranges
            .iter()
            .map(|r| (r.first.is_ipv6(), to_u128(r.first), to_u128(r.last)))
            .collect();
        raw.sort();
        let mut merged: Vec<(bool, u128, u128)> = Vec::new();
        for (v6, a, b) in raw {
            match merged.last_mut() {
                Some((pv6, _, pb)) if *pv6 == v6 && a <= pb.saturating_add(1) => {
                    *pb = (*pb).max(b);
                }
                _ => merged.push((v6, a, b)),
            }
        }
        let mut spans = Vec::with_capacity(merged.len());
        let mut total: u128 = 0;
        for (v6, a, b) in merged {
            spans.push((a, b, v6, total));
            total = total.saturating_add((b - a).saturating_add(1));
        }
        AddressSet { spans, total }
    }

    /// Number of distinct addresses.
    pub fn len(&self) -> u128 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The n-th address in order (IPv4 first, ascending).
    pub fn get(&self, n: u128) -> Option<IpAddr> {
        if n >= self.total {
            return None;
        }
        let i = self.spans.partition_point(|s| s.3 <= n) - 1;
        let (a, _, v6, before) = self.spans[i];
        Some(from_u128(a + (n - before), v6))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (v6, v) = (ip.is_ipv6(), to_u128(ip));
        self.spans
            .iter()
            .any(|&(a, b, s6, _)| s6 == v6 && a <= v && v <= b)
    }

    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.spans.iter().flat_map(|&(a, b, v6, _)| {
            // Bounded by the caller's size limit; RangeInclusive<u128> iterates lazily.
            (a..=b).map(move |v| from_u128(v, v6))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_covers_the_whole_block() {
        let r = AddrRange::parse("10.1.2.0/24").unwrap();
        assert_eq!(
            (r.first, r.last, r.len()),
            (ip("10.1.2.0"), ip("10.1.2.255"), 256)
        );
        assert_eq!(AddrRange::parse("10.1.2.7/32").unwrap().len(), 1);
        assert_eq!(AddrRange::parse("0.0.0.0/0").unwrap().len(), 1 << 32);
        let r = AddrRange::parse("fd00::/120").unwrap();
        assert_eq!(
            (r.first, r.last, r.len()),
            (ip("fd00::"), ip("fd00::ff"), 256)
        );
        assert_eq!(AddrRange::parse("::/0").unwrap().len(), u128::MAX);
    }

    #[test]
    fn dash_ranges_and_single_addresses() {
        let r = AddrRange::parse("10.1.2.5-10.1.2.50").unwrap();
        assert_eq!(
            (r.first, r.last, r.len()),
            (ip("10.1.2.5"), ip("10.1.2.50"), 46)
        );
        let r = AddrRange::parse("10.1.2.5-50").unwrap();
        assert_eq!(r.last, ip("10.1.2.50"));
        let r = AddrRange::parse("10.1.2.250-10.1.3.5").unwrap();
        assert_eq!(r.len(), 12);
        let r = AddrRange::parse(" 198.18.0.9 ").unwrap();
        assert_eq!(
            (r.first, r.last, r.text.as_str()),
            (ip("198.18.0.9"), ip("198.18.0.9"), "198.18.0.9")
        );
        assert_eq!(AddrRange::parse("fd00::1-fd00::10").unwrap().len(), 16);
    }

    #[test]
    fn bad_ranges_say_why() {
        use kms_preflight_message::Arg;
        for (s, why) in [
            ("10.1.2.1/24", "net-range-host-bits"),
            ("10.1.2.0/33", "net-range-prefix-length"),
            ("10.1.2.50-10.1.2.5", "net-range-reversed"),
            ("10.1.2.50-5", "net-range-reversed"),
            ("10.1.2.5-fd00::1", "net-range-families"),
            ("10.1.2.5-300", "net-range-not-ip-after"),
            ("kms.corp.example", "net-range-not-ip"),
            ("x/24", "net-range-not-ip-before"),
            ("", "net-range-empty"),
        ] {
            let e = AddrRange::parse(s).unwrap_err();
            assert_eq!(e.id, "net-range-bad", "{s}: {e:?}");
            assert_eq!(e.get("text"), Some(&Arg::Text(format!("{:?}", s.trim()))));
            match e.get("why") {
                Some(Arg::Message(m)) => assert_eq!(m.id, why, "{s}: {e:?}"),
                other => panic!("{s}: why is {other:?}"),
            }
        }
    }

    #[test]
    fn set_merges_overlaps_and_indexes_without_a_list() {
        let set = AddressSet::new(&[
            AddrRange::parse("10.0.0.10-20").unwrap(),
            AddrRange::parse("fd00::1").unwrap(),
            AddrRange::parse("10.0.0.0/28").unwrap(),
            AddrRange::parse("10.0.0.21").unwrap(),
            AddrRange::parse("10.0.1.0/30").unwrap(),
        ]);
        // 10.0.0.0-10.0.0.21 (22), 10.0.1.0-3 (4), fd00::1 (1).
        assert_eq!(set.len(), 27);
        assert_eq!(set.get(0), Some(ip("10.0.0.0")));
        assert_eq!(set.get(21), Some(ip("10.0.0.21")));
        assert_eq!(set.get(22), Some(ip("10.0.1.0")));
        assert_eq!(set.get(26), Some(ip("fd00::1")));
        assert_eq!(set.get(27), None);
        let all: Vec<IpAddr> = set.iter().collect();
        assert_eq!(all.len(), 27);
        for (n, a) in all.iter().enumerate() {
            assert_eq!(set.get(n as u128), Some(*a));
            assert!(set.contains(*a));
        }
        assert!(!set.contains(ip("10.0.0.22")));
        assert!(!set.contains(ip("fd00::2")));
    }
}
