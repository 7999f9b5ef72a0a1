//! `route`: for each address of a KMS host and each source, the interface, local address and
//! gateway the OS would use, and whether that interface is a VPN/tunnel. Read-only: the route
//! is asked of the kernel, nothing is sent. `via` states what is expected:
//! `direct` (not through a VPN — split tunnel exempts KMS), `vpn`, or `any` (report only).

use crate::{CheckContext, CheckOutput, Finding, Kms};
use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use crate::common::validation as invalid;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{Arg, Message, Status};
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::route::{egress, subnet_of, Egress, EgressFailure, IfaceKind};

kms_preflight_engine::messages! {
    /// via {interface} ({kind}), {gateway}, local address {local}
    path = "route-path" (interface, kind, gateway, local);
    /// (unknown interface)
    unknown_interface = "route-unknown-interface" ();
    /// {kind}: the interface kind (`VPN/tunnel` for `vpn`, else the kind's name)
    kind = "route-kind" (kind);
    /// {kind}, {detail}
    kind_detail = "route-kind-detail" (kind, detail);
    /// directly connected
    direct = "route-direct" ();
    /// gateway {gateway}
    gateway = "route-gateway" (gateway);
    /// {path}: KMS traffic enters the VPN/tunnel, so it works only if the KMS host is reachable
    /// through it (see tcp.port)
    enters_vpn = "route-enters-vpn" (path);
    /// {path}: cannot tell whether {interface} is a VPN on this system
    kind_unknown = "route-kind-unknown" (path, interface);
    /// {path}: KMS traffic to {ip} goes into a VPN/tunnel, expected a direct path
    vpn_not_expected = "route-vpn-not-expected" (path, ip);
    /// {path}: expected KMS traffic to {ip} to go through the VPN, but it leaves directly
    vpn_expected = "route-vpn-expected" (path, ip);
    /// no route to {ip}: {error}
    no_route = "route-no-route" (ip, error);
    /// no route to {ip} from {source}: {error}
    no_route_from = "route-no-route-from" (ip, source, error);
    /// skipped {ip}: {error}
    wrong_family = "route-wrong-family" (ip, error);
    /// cannot find the route to {ip}: {error}
    failed = "route-failed" (ip, error);
    /// KMS traffic to {ip} leaves through the VPN/tunnel interface {interface}. If the KMS host
    /// is not reachable through the tunnel (forced tunnelling: Event 8198, 0xC004F074), exempt
    /// it from the tunnel:⏎  - VPN client / gateway: add a split-tunnel exclusion for {ip}/32
    /// (or the KMS subnet) and TCP {port}⏎  - Windows Always On VPN: add {ip}/32 as an
    /// excluded route in the profile ({profile_route})⏎  - or a host route outside the tunnel:
    /// {host_route}  (Linux: {linux_route})⏎If clients cannot use DNS discovery over the VPN,
    /// point them at the host: {skms}
    fix_split_tunnel = "route-fix-split-tunnel"
        (ip, interface, port, profile_route, host_route, linux_route, skms);
    /// Connect the VPN, or add {ip}/32 to the VPN's included routes so KMS traffic enters the
    /// tunnel; check with: {route_get} (Windows: {find_route})
    fix_enter_vpn = "route-fix-enter-vpn" (ip, route_get, find_route);
    /// Add a route to {ip} from this subnet (default gateway, static route, or the VPN's
    /// routes), or bring up the interface that should carry it. Check with: {route_get}
    /// (Windows: {find_route})
    fix_no_route = "route-fix-no-route" (ip, route_get, find_route);
}

kms_preflight_engine::check_rule! {
    /// Parameters of a `route` check.
    RouteRule => RouteCheck {
        /// direct | vpn | any (default any).
        via: Option<Spanned<String>>,
    }
}

/// What a `route` rule expects of the path (`via`, evidence `expected_via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Direct,
    Vpn,
    Any,
}

impl RouteCheck {
    fn via(&self) -> Via {
        match self.via.as_ref().map(|v| v.value.as_str()) {
            Some("direct") => Via::Direct,
            Some("vpn") => Via::Vpn,
            _ => Via::Any,
        }
    }
}

/// The evidence of a `route` result: the path found, no route, or nothing measured (a skip).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RouteEvidence {
    Path(RoutePath),
    NoRoute {
        /// `no-route`.
        result: String,
    },
    Nothing(crate::NothingMeasured),
}

impl Default for RouteEvidence {
    fn default() -> Self {
        RouteEvidence::Nothing(crate::NothingMeasured {})
    }
}

/// The path the OS would use (keys as `net::route` names them; null where unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutePath {
    pub destination: IpAddr,
    pub local: IpAddr,
    /// The local address's subnet (`198.18.1.0/24`), when the interface lists it.
    pub local_subnet: Option<String>,
    /// The egress interface's name.
    pub interface: Option<String>,
    /// `physical`, `vpn`, `virtual`, `loopback` or `unknown`.
    pub interface_kind: String,
    /// The link type (`veth`, `tun`, `wireguard`, …).
    pub interface_type: Option<String>,
    /// How the kind was decided.
    pub kind_evidence: Vec<String>,
    pub gateway: Option<IpAddr>,
    /// How the route was found.
    pub method: Vec<String>,
    pub expected_via: Via,
}

impl RoutePath {
    fn of(e: &Egress, via: Via) -> RoutePath {
        let i = e.interface.as_ref();
        RoutePath {
            destination: e.destination,
            local: e.local,
            local_subnet: subnet_of(e.local),
            interface: i.map(|i| i.name.clone()),
            interface_kind: i.map_or(IfaceKind::Unknown, |i| i.kind).as_str().into(),
            interface_type: i.and_then(|i| i.detail.clone()),
            kind_evidence: i.map(|i| i.evidence.clone()).unwrap_or_default(),
            gateway: e.gateway,
            method: e.method.clone(),
            expected_via: via,
        }
    }
}

impl RouteEvidence {
    /// The path, when one was found.
    pub fn path(&self) -> Option<&RoutePath> {
        match self {
            RouteEvidence::Path(p) => Some(p),
            _ => None,
        }
    }
}

impl crate::Evidence {
    /// The evidence of a `route` result.
    pub fn route(&self) -> Option<&RouteEvidence> {
        match self {
            crate::Evidence::Route(e) => Some(e),
            _ => None,
        }
    }
}

/// What to do when KMS traffic goes into a tunnel but should not.
pub fn split_tunnel_remediation(ip: IpAddr, port: u16, iface: &str) -> Message {
    fix_split_tunnel(
        ip,
        iface,
        port,
        format!(
            "<Route><Address>{ip}</Address><PrefixSize>32</PrefixSize><ExclusionRoute>true</ExclusionRoute></Route>"
        ),
        format!("route -p add {ip} mask 255.255.255.255 <lan-gateway>"),
        format!("ip route add {ip}/32 via <lan-gateway>"),
        format!("slmgr /skms {ip}:{port}"),
    )
}

/// The commands that show the route to `ip` (Linux, Windows).
fn route_commands(ip: IpAddr) -> (String, String) {
    (
        format!("ip route get {ip}"),
        format!("Find-NetRoute -RemoteIPAddress {ip}"),
    )
}

impl Check<Kms> for RouteCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST_AND_SOURCE
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn validate(&self) -> Vec<(Location, Message)> {
        match &self.via {
            Some(v) if !matches!(v.value.as_str(), "direct" | "vpn" | "any") => {
                vec![(v.referenced, invalid::route_via(v.value.as_str()))]
            }
            _ => Vec::new(),
        }
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["interface", "interface_kind", "local", "gateway"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let addrs = match crate::common::address::addresses_for(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let port = ctx.target.map_or(1688, |t| t.port);
            let via = self.via();
            let mut findings = Vec::new();
            for ip in addrs {
                let f = match egress(ip, ctx.source, ctx.timeout).await {
                    Ok(e) => {
                        let iface = e.interface.as_ref();
                        let name: Arg = match iface {
                            Some(i) => i.name.clone().into(),
                            None => unknown_interface().into(),
                        };
                        let kind_of = iface.map_or(IfaceKind::Unknown, |i| i.kind);
                        let kind_text = match iface.and_then(|i| i.detail.clone()) {
                            Some(d) => kind_detail(kind(kind_of.as_str()), d),
                            None => kind(kind_of.as_str()),
                        };
                        let gw = match e.gateway {
                            Some(g) => gateway(g),
                            None => direct(),
                        };
                        let via_path = path(name.clone(), kind_text, gw, e.local);
                        let evidence = RouteEvidence::Path(RoutePath::of(&e, via));
                        let base = |status, msg: Message| {
                            Finding::new(status, msg)
                                .address(ip.to_string())
                                .with(evidence.clone())
                        };
                        match (via, kind_of) {
                            (Via::Any, IfaceKind::Vpn) => base(Status::Pass, enters_vpn(via_path)),
                            (Via::Any, _) => base(Status::Pass, via_path),
                            (_, IfaceKind::Unknown) => {
                                base(Status::Skip, kind_unknown(via_path, name))
                            }
                            (Via::Direct, IfaceKind::Vpn) => {
                                let iface_name = iface.map_or("", |i| i.name.as_str());
                                base(Status::Fail, vpn_not_expected(via_path, ip))
                                    .codes(&["0xC004F074", "0xC0020017"])
                                    .remediation(split_tunnel_remediation(ip, port, iface_name))
                            }
                            (Via::Vpn, k) if k != IfaceKind::Vpn => {
                                let (route_get, find_route) = route_commands(ip);
                                base(Status::Fail, vpn_expected(via_path, ip))
                                    .codes(&["0xC004F074"])
                                    .remediation(fix_enter_vpn(ip, route_get, find_route))
                            }
                            _ => base(Status::Pass, via_path),
                        }
                    }
                    Err(EgressFailure::NoRoute(m)) => {
                        let (route_get, find_route) = route_commands(ip);
                        let msg = match ctx.source {
                            Some(s) => no_route_from(ip, s.label(), m),
                            None => no_route(ip, m),
                        };
                        Finding::new(Status::Fail, msg)
                            .address(ip.to_string())
                            .codes(&["0xC004F074", "0x800706BA"])
                            .with(RouteEvidence::NoRoute {
                                result: "no-route".into(),
                            })
                            .remediation(fix_no_route(ip, route_get, find_route))
                    }
                    Err(EgressFailure::WrongFamily(m)) => {
                        Finding::new(Status::Skip, wrong_family(ip, m)).address(ip.to_string())
                    }
                    Err(EgressFailure::SourceUnusable(m)) | Err(EgressFailure::Other(m)) => {
                        Finding::new(Status::Error, failed(ip, m)).address(ip.to_string())
                    }
                };
                findings.push(f);
            }
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    #[test]
    fn path_and_failure_texts() {
        let ip: IpAddr = "198.18.0.10".parse().unwrap();
        let local: IpAddr = "198.18.1.2".parse().unwrap();
        let unknown = path(
            Arg::from(unknown_interface()),
            kind("unknown"),
            direct(),
            local,
        );
        assert_eq!(
            en(&unknown),
            "via (unknown interface) (unknown), directly connected, local address 198.18.1.2"
        );
        assert_eq!(
            en(&kind_unknown(unknown, unknown_interface())),
            "via (unknown interface) (unknown), directly connected, local address 198.18.1.2: \
             cannot tell whether (unknown interface) is a VPN on this system"
        );
        let tun = path(
            "wg0",
            kind_detail(kind("vpn"), "wireguard"),
            gateway("198.18.1.1".parse::<IpAddr>().unwrap()),
            local,
        );
        assert_eq!(
            en(&vpn_expected(tun.clone(), ip)),
            "via wg0 (VPN/tunnel, wireguard), gateway 198.18.1.1, local address 198.18.1.2: \
             expected KMS traffic to 198.18.0.10 to go through the VPN, but it leaves directly"
        );
        assert_eq!(
            en(&path(
                "eth0",
                kind_detail(kind("physical"), "e1000"),
                direct(),
                local
            )),
            "via eth0 (physical, e1000), directly connected, local address 198.18.1.2"
        );
        let (route_get, find_route) = route_commands(ip);
        assert_eq!(
            en(&fix_enter_vpn(ip, route_get.clone(), find_route.clone())),
            "Connect the VPN, or add 198.18.0.10/32 to the VPN's included routes so KMS traffic \
             enters the tunnel; check with: ip route get 198.18.0.10 (Windows: Find-NetRoute \
             -RemoteIPAddress 198.18.0.10)"
        );
        assert_eq!(
            en(&fix_no_route(ip, route_get, find_route)),
            "Add a route to 198.18.0.10 from this subnet (default gateway, static route, or the \
             VPN's routes), or bring up the interface that should carry it. Check with: ip route \
             get 198.18.0.10 (Windows: Find-NetRoute -RemoteIPAddress 198.18.0.10)"
        );
        assert_eq!(
            en(&no_route_from(
                ip,
                "198.18.2.2",
                "Network is unreachable (os error 101)"
            )),
            "no route to 198.18.0.10 from 198.18.2.2: Network is unreachable (os error 101)"
        );
        assert_eq!(en(&no_route(ip, "x")), "no route to 198.18.0.10: x");
        assert_eq!(en(&wrong_family(ip, "y")), "skipped 198.18.0.10: y");
        assert_eq!(
            en(&failed(ip, "z")),
            "cannot find the route to 198.18.0.10: z"
        );
    }

    #[test]
    fn split_tunnel_fix_keeps_its_layout() {
        let m = split_tunnel_remediation("198.18.0.10".parse().unwrap(), 1688, "tun0");
        let text = en(&m);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[1].starts_with("  - VPN client / gateway: "), "{text}");
        assert!(
            lines[3].ends_with(
                "route -p add 198.18.0.10 mask 255.255.255.255 <lan-gateway>  (Linux: ip route add \
                 198.18.0.10/32 via <lan-gateway>)"
            ),
            "{text}"
        );
        assert_eq!(
            lines[4],
            "If clients cannot use DNS discovery over the VPN, point them at the host: slmgr /skms \
             198.18.0.10:1688"
        );
    }

    #[test]
    fn recorded_evidence_reads_back() {
        use kms_preflight_engine::EvidenceSet;
        for text in [
            r#"{"destination":"198.18.100.20","local":"198.18.1.2","local_subnet":"198.18.1.0/24","interface":"tunk","interface_kind":"vpn","interface_type":"tun","kind_evidence":["link kind tun"],"gateway":null,"method":["ip route get"],"expected_via":"direct"}"#,
            r#"{"destination":"198.18.0.10","local":"198.18.1.2","local_subnet":null,"interface":null,"interface_kind":"unknown","interface_type":null,"kind_evidence":[],"gateway":"198.18.1.1","method":[],"expected_via":"any"}"#,
            r#"{"result":"no-route"}"#,
            "{}",
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("route", v).unwrap();
            // An empty object is "nothing measured" (an engine-made skip), whatever the kind.
            assert!(e.route().is_some() || text == "{}", "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
    }
}
