//! `route`: for each address of a KMS host and each source, the interface, local address and
//! gateway the OS would use, and whether that interface is a VPN/tunnel. Read-only: the route
//! is asked of the kernel, nothing is sent. `via` states what is expected:
//! `direct` (not through a VPN — split tunnel exempts KMS), `vpn`, or `any` (report only).

use crate::{CheckContext, CheckOutput, Finding, Kms};
use std::time::Duration;

use serde_saphyr::{Location, Spanned};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::route::{egress, EgressFailure, IfaceKind};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `route` check.
    RouteRule => RouteCheck {
        /// direct | vpn | any (default any).
        via: Option<Spanned<String>>,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
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

/// What to do when KMS traffic goes into a tunnel but should not (and the reverse).
pub fn split_tunnel_remediation(ip: &str, port: u16, iface: &str) -> String {
    format!(
        "KMS traffic to {ip} leaves through the VPN/tunnel interface {iface}. If the KMS host is not reachable through \
         the tunnel (forced tunnelling: Event 8198, 0xC004F074), exempt it from the tunnel:\n  \
         - VPN client / gateway: add a split-tunnel exclusion for {ip}/32 (or the KMS subnet) and TCP {port}\n  \
         - Windows Always On VPN: add {ip}/32 as an excluded route in the profile (<Route><Address>{ip}</Address><PrefixSize>32</PrefixSize><ExclusionRoute>true</ExclusionRoute></Route>)\n  \
         - or a host route outside the tunnel: route -p add {ip} mask 255.255.255.255 <lan-gateway>  (Linux: ip route add {ip}/32 via <lan-gateway>)\n\
         If clients cannot use DNS discovery over the VPN, point them at the host: slmgr /skms {ip}:{port}"
    )
}

impl Check<Kms> for RouteCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST_AND_SOURCE
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn validate(&self) -> Vec<(Location, String)> {
        match &self.via {
            Some(v) if !matches!(v.value.as_str(), "direct" | "vpn" | "any") => vec![(
                v.referenced,
                format!("via '{}' is not one of: direct, vpn, any", v.value),
            )],
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
                        let name = iface.map_or("(unknown interface)".to_string(), |i| i.name.clone());
                        let kind = iface.map_or(IfaceKind::Unknown, |i| i.kind);
                        let detail = iface.and_then(|i| i.detail.clone());
                        let kind_text = match (&detail, kind) {
                            (Some(d), IfaceKind::Vpn) => format!("VPN/tunnel, {d}"),
                            (Some(d), k) => format!("{}, {d}", k.as_str()),
                            (None, IfaceKind::Vpn) => "VPN/tunnel".into(),
                            (None, k) => k.as_str().into(),
                        };
                        let gw = e
                            .gateway
                            .map_or("directly connected".to_string(), |g| format!("gateway {g}"));
                        let path = format!("via {name} ({kind_text}), {gw}, local address {}", e.local);
                        let base = |status, msg: String| {
                            let mut f = Finding::new(status, msg).address(ip.to_string());
                            if let serde_json::Value::Object(m) = e.to_json() {
                                for (k, v) in m {
                                    f = f.evidence(&k, v);
                                }
                            }
                            f.evidence("expected_via", match via {
                                Via::Direct => "direct",
                                Via::Vpn => "vpn",
                                Via::Any => "any",
                            })
                        };
                        match (via, kind) {
                            (Via::Any, IfaceKind::Vpn) => base(
                                Status::Pass,
                                format!("{path}: KMS traffic enters the VPN/tunnel, so it works only if the KMS host is reachable through it (see tcp.port)"),
                            ),
                            (Via::Any, _) => base(Status::Pass, path),
                            (_, IfaceKind::Unknown) => base(
                                Status::Skip,
                                format!("{path}: cannot tell whether {name} is a VPN on this system"),
                            ),
                            (Via::Direct, IfaceKind::Vpn) => base(
                                Status::Fail,
                                format!("{path}: KMS traffic to {ip} goes into a VPN/tunnel, expected a direct path"),
                            )
                            .codes(&["0xC004F074", "0xC0020017"])
                            .remediation(split_tunnel_remediation(&ip.to_string(), port, &name)),
                            (Via::Vpn, k) if k != IfaceKind::Vpn => base(
                                Status::Fail,
                                format!("{path}: expected KMS traffic to {ip} to go through the VPN, but it leaves directly"),
                            )
                            .codes(&["0xC004F074"])
                            .remediation(format!(
                                "Connect the VPN, or add {ip}/32 to the VPN's included routes so KMS traffic enters the tunnel; \
                                 check with: ip route get {ip} (Windows: Find-NetRoute -RemoteIPAddress {ip})"
                            )),
                            _ => base(Status::Pass, path),
                        }
                    }
                    Err(EgressFailure::NoRoute(m)) => Finding::new(
                        Status::Fail,
                        format!("no route to {ip}{}: {m}", from_text(ctx)),
                    )
                    .address(ip.to_string())
                    .codes(&["0xC004F074", "0x800706BA"])
                    .evidence("result", "no-route")
                    .remediation(format!(
                        "Add a route to {ip} from this subnet (default gateway, static route, or the VPN's routes), \
                         or bring up the interface that should carry it. Check with: ip route get {ip} (Windows: Find-NetRoute -RemoteIPAddress {ip})"
                    )),
                    Err(EgressFailure::WrongFamily(m)) => {
                        Finding::new(Status::Skip, format!("skipped {ip}: {m}")).address(ip.to_string())
                    }
                    Err(EgressFailure::SourceUnusable(m)) | Err(EgressFailure::Other(m)) => {
                        Finding::new(Status::Error, format!("cannot find the route to {ip}: {m}"))
                            .address(ip.to_string())
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

fn from_text(ctx: &CheckContext<'_>) -> String {
    ctx.source
        .map(|s| format!(" from {}", s.label()))
        .unwrap_or_default()
}
