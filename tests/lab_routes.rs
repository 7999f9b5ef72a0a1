//! The in-process kernel lookups of `net::route` (rtnetlink) against what `ip` says, inside a
//! namespace this test builds: policy routing (`ip rule`), gateways, on-link and local routes,
//! IPv6, an unreachable route, and the kind of every link the kernel here can create (veth,
//! bridge, tun, vxlan, macvlan, and dummy/VLAN/WireGuard/IPIP/GRE/VTI/XFRM/SIT when the kernel
//! has them). The test may spawn `ip`; the product does not.
//!
//! The lookups run on a thread that joined the namespace (`setns`), so their netlink sockets
//! talk to that namespace's kernel tables, exactly as `ip -n NS` does.

mod lab;

use std::net::IpAddr;
use std::os::fd::AsRawFd;

use kms_preflight_net::route::{kernel_link, kernel_route, KernelQueryError, LinkSelector};
use lab::{require_root, run, Lab};

/// `ip -n NS -j ARGS`, parsed; `Err(stderr)` when `ip` fails.
fn ip_json(ns: &str, args: &[&str]) -> Result<serde_json::Value, String> {
    let mut full = vec!["-n", ns, "-j"];
    full.extend_from_slice(args);
    let out = run("ip", &full);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("ip -j output: {e}"))
}

/// Runs `f` on a thread inside network namespace `ns`.
fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let fd = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // SAFETY: a namespace file descriptor; only this thread changes namespace.
        let rc = unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .expect("lookup thread")
}

fn ip_of(v: &serde_json::Value) -> Option<IpAddr> {
    v.as_str().and_then(|s| s.parse().ok())
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn netlink_route_and_link_answers_equal_ip_route_get() {
    require_root("netlink_route_and_link_answers_equal_ip_route_get");
    let mut lab = Lab::new("nl");
    let c = lab.netns("client");
    let s = lab.netns("server");
    let (a, _) = lab.veth(
        &c,
        &["198.18.5.1/24", "2001:db8:5::1/64"],
        &s,
        &["198.18.5.254/24", "2001:db8:5::fe/64"],
    );
    let (b, _) = lab.veth(&c, &["198.18.6.1/24"], &s, &["198.18.6.254/24"]);
    // A tunnel-like device holding the address that policy routing sends elsewhere.
    lab.ip(&c, &["tuntap", "add", "mode", "tun", "name", "nltun0"]);
    lab.addr(&c, "nltun0", "198.18.7.1/24");
    lab.ip(&c, &["link", "set", "nltun0", "up"]);
    lab.ip(&c, &["route", "add", "default", "via", "198.18.5.254"]);
    lab.ip(
        &c,
        &["-6", "route", "add", "default", "via", "2001:db8:5::fe"],
    );
    lab.ip(
        &c,
        &[
            "route",
            "add",
            "203.0.113.0/24",
            "via",
            "198.18.6.254",
            "table",
            "100",
        ],
    );
    lab.ip(
        &c,
        &[
            "rule",
            "add",
            "from",
            "198.18.7.1",
            "lookup",
            "100",
            "priority",
            "100",
        ],
    );
    lab.ip(&c, &["route", "add", "unreachable", "198.51.100.0/24"]);

    // Route lookups: (destination, from, oif).
    let cases: Vec<(&str, Option<&str>, Option<String>)> = vec![
        ("203.0.113.9", Some("198.18.5.1"), None),
        ("203.0.113.9", Some("198.18.7.1"), None), // the rule: table 100, via .6.254
        ("203.0.113.9", None, None),
        ("198.18.6.20", None, None),
        ("198.18.6.20", Some("198.18.6.1"), Some(b.clone())),
        ("203.0.113.9", None, Some(b.clone())), // oif beats the default route
        ("198.18.7.5", Some("198.18.7.1"), None),
        ("2001:db8:99::1", None, None),
        ("2001:db8:5::fe", Some("2001:db8:5::1"), Some(a.clone())),
        ("127.0.0.1", None, None),
        ("198.51.100.7", None, None), // an unreachable route: both fail, EHOSTUNREACH
    ];
    let mut answers = Vec::new();
    for (dst, from, oif) in &cases {
        let mut args = vec!["route", "get", *dst];
        if let Some(f) = from {
            args.extend(["from", *f]);
        }
        if let Some(o) = oif {
            args.extend(["oif", o.as_str()]);
        }
        let theirs = ip_json(&c, &args);
        let (d, f, o) = (
            dst.parse::<IpAddr>().unwrap(),
            from.map(|f| f.parse::<IpAddr>().unwrap()),
            oif.clone(),
        );
        let ours = in_netns(&c, move || kernel_route(d, f, o.as_deref()));
        let what = format!("ip route get {}", args[2..].join(" "));
        match (&theirs, &ours) {
            (Ok(t), Ok(r)) => {
                let t = &t[0];
                assert_eq!(
                    r.interface.as_deref(),
                    t["dev"].as_str(),
                    "{what}: {t} vs {r:?}"
                );
                let gw = ip_of(&t["gateway"]).or_else(|| ip_of(&t["via"]["host"]));
                assert_eq!(r.gateway, gw, "{what}: {t} vs {r:?}");
                assert_eq!(r.prefsrc, ip_of(&t["prefsrc"]), "{what}: {t} vs {r:?}");
            }
            (Err(e), Err(KernelQueryError::Refused { message, .. })) => {
                assert!(
                    e.contains(message.as_str()),
                    "{what}: ip said {e:?}, we {message:?}"
                );
            }
            _ => panic!("{what}: ip {theirs:?}, netlink {ours:?}"),
        }
        answers.push(ours);
    }
    // The policy rule really decided: same destination, other source, other table and path.
    let main = answers[0].as_ref().unwrap();
    let policy = answers[1].as_ref().unwrap();
    assert_eq!(main.interface.as_deref(), Some(a.as_str()));
    assert_eq!(main.table, Some(254));
    assert_eq!(policy.interface.as_deref(), Some(b.as_str()));
    assert_eq!(policy.gateway, Some("198.18.6.254".parse().unwrap()));
    assert_eq!(policy.table, Some(100));
    assert!(
        matches!(
            answers.last().unwrap(),
            Err(KernelQueryError::Refused { errno, .. }) if *errno == libc::EHOSTUNREACH
        ),
        "{:?}",
        answers.last()
    );

    // Link kinds: create what this kernel can, then compare every link with `ip -d link`.
    lab.ip(&c, &["link", "add", "nlbr0", "type", "bridge"]);
    lab.ip(
        &c,
        &[
            "link", "add", "nlvx0", "type", "vxlan", "id", "5", "dstport", "4789", "dev", &a,
        ],
    );
    lab.ip(
        &c,
        &[
            "link", "add", "link", &a, "name", "nlmv0", "type", "macvlan",
        ],
    );
    let optional: &[&[&str]] = &[
        &["nlwg0", "type", "wireguard"],
        &[
            "nlipip0",
            "type",
            "ipip",
            "local",
            "198.18.5.1",
            "remote",
            "198.18.5.254",
        ],
        &[
            "nlgre0",
            "type",
            "gre",
            "local",
            "198.18.5.1",
            "remote",
            "198.18.5.254",
        ],
        &[
            "nlvti0",
            "type",
            "vti",
            "local",
            "198.18.5.1",
            "remote",
            "198.18.5.254",
        ],
        &["nlxfrm0", "type", "xfrm", "if_id", "7"],
        &[
            "nlsit0",
            "type",
            "sit",
            "local",
            "198.18.5.1",
            "remote",
            "198.18.5.254",
        ],
        &["nldummy0", "type", "dummy"],
        &[
            "link",
            "va1PARENT",
            "name",
            "nlvlan5",
            "type",
            "vlan",
            "id",
            "5",
        ],
    ];
    for spec in optional {
        let mut args = vec!["-n", c.as_str(), "link", "add"];
        args.extend(
            spec.iter()
                .map(|w| if *w == "va1PARENT" { a.as_str() } else { w }),
        );
        let _ = run("ip", &args); // absent from this kernel: compared only when created
    }
    let links = ip_json(&c, &["-d", "link", "show"]).expect("ip -d link show");
    let mut kinds = Vec::new();
    for l in links.as_array().unwrap() {
        let name = l["ifname"].as_str().unwrap().to_string();
        let index = l["ifindex"].as_u64().unwrap() as u32;
        let theirs = l["linkinfo"]["info_kind"].as_str().map(str::to_string);
        let n = name.clone();
        let (by_name, by_index) = in_netns(&c, move || {
            (
                kernel_link(LinkSelector::Name(&n)),
                kernel_link(LinkSelector::Index(index)),
            )
        });
        let by_name = by_name.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(by_name.kind, theirs, "{name}: {l}");
        assert_eq!(by_name.index, index, "{name}");
        assert_eq!(by_index.unwrap().name, name);
        kinds.push(theirs.unwrap_or_default());
    }
    for required in ["veth", "tun", "bridge", "vxlan", "macvlan"] {
        assert!(
            kinds.iter().any(|k| k == required),
            "{required} not seen: {kinds:?}"
        );
    }
    assert!(
        kinds.iter().any(String::is_empty),
        "loopback has no link kind: {kinds:?}"
    );
    // A name the kernel does not know is its refusal, not a guess.
    let missing = in_netns(&c, || kernel_link(LinkSelector::Name("nl-nosuch")));
    assert!(
        matches!(missing, Err(KernelQueryError::Refused { errno, .. }) if errno == libc::ENODEV),
        "{missing:?}"
    );
}
