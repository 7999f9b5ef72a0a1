//! The net layer's failure messages (kms_preflight_net::text) against the English it wrote
//! before they were messages: `--lang en` output must not change, to the byte, and a timeout
//! of any length reads as humantime wrote it. In Japanese the same messages are Japanese.

use std::time::Duration;

use kms_preflight_catalog::{Catalog, Lang};
use kms_preflight_net::clock::ProbeFailure;
use kms_preflight_net::tcp::ConnectFailure;
use kms_preflight_net::text;

use crate::testing::en;

fn ja(m: &kms_preflight_engine::Message) -> String {
    Catalog::get(Lang::Ja).text(m)
}

#[test]
fn english_is_what_the_net_layer_wrote_before() {
    let cases = [
        (text::connect_refused(), "connection refused (RST)"),
        (
            text::port_unreachable_ntp(),
            "ICMP port unreachable: no NTP server listens there",
        ),
        (
            text::during(
                "receive",
                text::os_error("Connection reset by peer (os error 104)"),
            ),
            "receive: Connection reset by peer (os error 104)",
        ),
        (
            text::io("socket", "Too many open files (os error 24)"),
            "socket: Too many open files (os error 24)",
        ),
        (
            text::bind_interface("eth9", "No such device (os error 19)"),
            "cannot bind to interface eth9: No such device (os error 19)",
        ),
        (
            text::wrong_family(
                "10.0.0.1".parse::<std::net::IpAddr>().unwrap(),
                "fd00::1".parse::<std::net::IpAddr>().unwrap(),
            ),
            "source 10.0.0.1 and destination fd00::1 are different address families",
        ),
        (
            text::no_ntp_reply_ignored(2000, 3),
            "no NTP reply within 2s (3 reply(s) with a wrong origin ignored)",
        ),
        (
            text::icmp_no_privilege("Permission denied (os error 13)"),
            "this process may not open an ICMP socket (Permission denied (os error 13)): it needs \
             CAP_NET_RAW (root, or setcap cap_net_raw+ep on the binary) or net.ipv4.ping_group_range \
             covering one of its groups (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")",
        ),
        (
            text::io("send", "Operation not permitted (os error 1)"),
            "send: Operation not permitted (os error 1)",
        ),
        (
            text::io_error("Network is unreachable (os error 101)"),
            "io error: Network is unreachable (os error 101)",
        ),
        (
            text::icmp_send_failed("Operation not permitted (os error 1)"),
            "ICMP send failed: Operation not permitted (os error 1)",
        ),
        (
            text::http_bad_date(format!("{:?}", "yesterday")),
            "HTTP Date header \"yesterday\" is not an HTTP-date",
        ),
    ];
    for (m, old) in cases {
        assert_eq!(en(&m), old, "{}", m.id);
        assert!(
            ja(&m)
                .chars()
                .any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}'))
                || m.id == "net-os-error",
            "{}: {}",
            m.id,
            ja(&m)
        );
    }
}

#[test]
fn timeouts_read_as_humantime_wrote_them_for_any_length() {
    for d in [
        Duration::from_millis(300),
        Duration::from_secs(2),
        Duration::from_millis(1500),
        Duration::from_nanos(1_734_512_345),
        Duration::from_micros(2_999_999),
        Duration::from_secs(90),
    ] {
        let f = ProbeFailure::from_connect(&ConnectFailure::TimedOut, d);
        assert_eq!(
            en(&f.detail),
            format!("no TCP handshake within {}", humantime::format_duration(d)),
            "{d:?}"
        );
        assert!(f.is_handshake_timeout());
        assert_eq!(f.class, "timeout");
    }
    assert_eq!(
        ja(&text::no_tcp_handshake(text::ms_arg(Duration::from_secs(
            2
        )))),
        "2 秒以内に TCP ハンドシェイクが完了しませんでした"
    );
}

#[test]
fn icmp_send_errors_are_english_evidence_and_translated_messages() {
    use kms_preflight_net::icmp::EchoStats;
    let stats = EchoStats {
        sent: 2,
        rtts: Vec::new(),
        socket: "raw",
        errors: vec![text::io("send", "Operation not permitted (os error 1)")],
    };
    let ip: std::net::IpAddr = "198.18.0.9".parse().unwrap();
    let f = crate::icmp::echo_finding(ip, Duration::from_secs(1), Ok(stats));
    assert_eq!(
        f.evidence.icmp().unwrap().errors.as_deref(),
        Some(&["send: Operation not permitted (os error 1)".to_string()][..])
    );
    assert!(
        en(&f.message).contains("(send: Operation not permitted (os error 1))"),
        "{}",
        en(&f.message)
    );
    assert!(
        ja(&f.message).contains("送信に失敗しました: Operation not permitted (os error 1)"),
        "{}",
        ja(&f.message)
    );
}

/// `--source`, `--interface` and sweep ranges: the refusals read as the net layer wrote them
/// before they were messages, and in Japanese they are Japanese.
#[test]
fn source_and_range_refusals_read_as_before() {
    use kms_preflight_net::scan::range::AddrRange;
    use kms_preflight_net::source::parse_sources;
    let expected = "(expected CIDR like 10.1.2.0/24, a range like 10.1.2.5-10.1.2.50 or 10.1.2.5-50, or one address)";
    for (range, why) in [
        ("10.1.2.1/24", "host bits set: the block is 10.1.2.0/24"),
        ("10.1.2.0/33", "prefix length must be 0-32"),
        ("fd00::/129", "prefix length must be 0-128"),
        ("x/24", "not an IP address before '/'"),
        ("x-5", "not an IP address before '-'"),
        ("10.1.2.50-5", "the range ends before it starts"),
        (
            "10.1.2.5-fd00::1",
            "the two ends are of different address families",
        ),
        (
            "10.1.2.5-300",
            "not an IP address (or IPv4 last octet) after '-'",
        ),
        ("kms.corp.example", "not an IP address"),
        ("  ", "empty"),
    ] {
        let m = AddrRange::parse(range).unwrap_err();
        assert_eq!(
            en(&m),
            format!("{:?}: {why} {expected}", range.trim()),
            "{range}"
        );
        assert!(ja(&m).contains("指定してください"), "{}", ja(&m));
    }
    let m = parse_sources(&["not-an-ip".into()], &[]).unwrap_err();
    assert_eq!(
        en(&m),
        "--source \"not-an-ip\": not an IP address (expected ADDR or ADDR%INTERFACE, e.g. 10.1.2.3 or 10.1.2.3%eth1)"
    );
    assert!(ja(&m).contains("IP アドレスではありません"), "{}", ja(&m));
    let m = parse_sources(&["0.0.0.0".into()], &[]).unwrap_err();
    assert_eq!(
        en(&m),
        "--source \"0.0.0.0\": 0.0.0.0 cannot be a source address"
    );
    let m = parse_sources(&["192.0.2.77".into()], &[]).unwrap_err();
    assert!(
        en(&m).starts_with(
            "--source \"192.0.2.77\": 192.0.2.77 is not an address of this machine (bind: "
        ) && en(&m).ends_with("); list them with: ip -brief address (Windows: ipconfig)"),
        "{}",
        en(&m)
    );
    assert!(
        ja(&m).contains("このコンピューターのアドレスではありません"),
        "{}",
        ja(&m)
    );
    #[cfg(target_os = "linux")]
    {
        let m = parse_sources(&[], &["nosuch-if0".into()]).unwrap_err();
        assert_eq!(
            en(&m),
            "--interface \"nosuch-if0\": no interface named nosuch-if0 on this machine; list them with: ip -brief link"
        );
        let m = parse_sources(&[], &["".into()]).unwrap_err();
        assert_eq!(en(&m), "--interface \"\": empty interface name");
    }
}
