//! `ipconfig /all`: the global block (host name, primary DNS suffix, suffix search list) and
//! one block per adapter (connection-specific suffix, DNS servers). Labels are matched in
//! English and in the Japanese Windows spelling seen in public samples (German too, as a
//! third check that the shape rules do not depend on English); list values continue on
//! deeply indented lines.

use crate::detect::is_adapter_header;
use crate::model::{Adapter, Machine};
use crate::shape::{ip, split_label, strip_note};
use crate::text::Line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    HostName,
    PrimarySuffix,
    SearchList,
    ConnectionSuffix,
    DnsServers,
    MediaState,
    Description,
    Ipv4,
    Other,
}

const LABELS: &[(Field, &[&str])] = &[
    (Field::HostName, &["host name", "ホスト名", "hostname"]),
    (
        Field::PrimarySuffix,
        &[
            "primary dns suffix",
            "プライマリ dns サフィックス",
            "primäres dns-suffix",
        ],
    ),
    (
        Field::SearchList,
        &[
            "dns suffix search list",
            "dns サフィックス検索一覧",
            "dns-suffixsuchliste",
        ],
    ),
    (
        Field::ConnectionSuffix,
        &[
            "connection-specific dns suffix",
            "接続固有の dns サフィックス",
            "verbindungsspezifisches dns-suffix",
        ],
    ),
    (
        Field::DnsServers,
        &["dns servers", "dns サーバー", "dns-server"],
    ),
    (
        Field::MediaState,
        &["media state", "メディアの状態", "medienstatus"],
    ),
    (Field::Description, &["description", "説明", "beschreibung"]),
    (
        Field::Ipv4,
        &[
            "ipv4 address",
            "ipv4 アドレス",
            "ipv4-adresse",
            "ip address",
        ],
    ),
];

fn field_of(label: &str) -> Field {
    let l = label
        .trim()
        .trim_end_matches(['.', ' '])
        .trim()
        .to_lowercase();
    let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
    LABELS
        .iter()
        .find(|(_, names)| names.contains(&l.as_str()))
        .map_or(Field::Other, |(f, _)| *f)
}

/// A continuation value line: indented far beyond a label line (ipconfig aligns it under the
/// value column, 39 or more spaces).
fn is_continuation(line: &str) -> bool {
    line.len() - line.trim_start().len() >= 20
}

#[derive(Debug, Default)]
pub(crate) struct IpconfigOutput {
    pub machine: Machine,
}

pub(crate) fn parse(lines: &[Line]) -> IpconfigOutput {
    let mut m = Machine::default();
    let mut adapter: Option<Adapter> = None;
    let mut last = Field::Other;
    let mut global_fields = 0usize;
    for l in lines {
        let text = l.text.as_str();
        let t = text.trim();
        if t.is_empty() || t.starts_with("Windows IP") || t.starts_with("Windows-IP") {
            continue;
        }
        if is_adapter_header(text) {
            if adapter.is_none() && global_fields > 0 && m.suffix_search_list.is_none() {
                // The global block ended without a search list line: ipconfig prints none
                // when the list is empty.
                m.suffix_search_list = Some(Vec::new());
            }
            if let Some(a) = adapter.take() {
                m.adapters.push(a);
            }
            adapter = Some(Adapter {
                name: t.trim_end_matches(':').trim().to_string(),
                ..Adapter::default()
            });
            last = Field::Other;
            continue;
        }
        if is_continuation(text) && !text.contains(" . ") {
            let v = t.to_string();
            match (last, adapter.as_mut()) {
                (Field::SearchList, None) => {
                    m.suffix_search_list.get_or_insert_with(Vec::new).push(v)
                }
                (Field::DnsServers, Some(a)) => {
                    if let Some(s) = ip(&v) {
                        a.dns_servers.push(s);
                    }
                }
                (Field::Ipv4, Some(a)) => {
                    if let Some(s) = ip(&v) {
                        a.ipv4_addresses.push(s);
                    }
                }
                _ => {}
            }
            continue;
        }
        let Some((label, value)) = split_label(text) else {
            continue;
        };
        let mut field = field_of(label);
        if field == Field::Other && label.contains("DNS") && ip(value).is_some() {
            field = Field::DnsServers;
        }
        last = field;
        let value = value.trim();
        match adapter.as_mut() {
            None => {
                global_fields += 1;
                match field {
                    Field::HostName => m.host_name = Some(value.to_string()),
                    Field::PrimarySuffix => m.primary_dns_suffix = Some(value.to_string()),
                    Field::SearchList => {
                        let list = m.suffix_search_list.get_or_insert_with(Vec::new);
                        if !value.is_empty() {
                            list.push(value.to_string());
                        }
                    }
                    // The first global line is the host name in every language.
                    Field::Other if global_fields == 1 && m.host_name.is_none() => {
                        m.host_name = Some(value.to_string())
                    }
                    _ => {}
                }
            }
            Some(a) => match field {
                Field::ConnectionSuffix => a.connection_dns_suffix = Some(value.to_string()),
                Field::DnsServers => {
                    if let Some(s) = ip(value) {
                        a.dns_servers.push(s);
                    }
                }
                Field::Ipv4 => {
                    if let Some(s) = ip(value) {
                        a.ipv4_addresses.push(strip_note(&s).to_string());
                    }
                }
                Field::Description => a.description = Some(value.to_string()),
                Field::MediaState => {
                    let v = value.to_lowercase();
                    a.media_disconnected = v.contains("disconnected")
                        || value.contains("切断")
                        || value.contains("接続されていません")
                        || v.contains("getrennt");
                }
                _ => {}
            },
        }
    }
    if let Some(a) = adapter.take() {
        m.adapters.push(a);
    }
    IpconfigOutput { machine: m }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn global_and_adapters() {
        let t = "Windows IP Configuration\n\n   Host Name . . . . . . . . . . . . : NIC\n   Primary Dns Suffix  . . . . . . . : c.cc\n   DNS Suffix Search List. . . . . . : c.cc\n                                       home\n\nEthernet adapter Ethernet:\n\n   Connection-specific DNS Suffix  . : home\n   IPv4 Address. . . . . . . . . . . : 192.168.0.185(Preferred) \n   DNS Servers . . . . . . . . . . . : 213.46.172.38\n                                       213.46.172.39\n   NetBIOS over Tcpip. . . . . . . . : Enabled\n\nTunnel adapter Teredo:\n\n   Media State . . . . . . . . . . . : Media disconnected\n   Connection-specific DNS Suffix  . : \n";
        let m = parse(&lines(t)).machine;
        assert_eq!(m.host_name.as_deref(), Some("NIC"));
        assert_eq!(m.primary_dns_suffix.as_deref(), Some("c.cc"));
        assert_eq!(
            m.suffix_search_list,
            Some(vec!["c.cc".into(), "home".into()])
        );
        assert_eq!(m.adapters.len(), 2);
        assert_eq!(
            m.adapters[0].dns_servers,
            ["213.46.172.38", "213.46.172.39"]
        );
        assert_eq!(m.adapters[0].ipv4_addresses, ["192.168.0.185"]);
        assert_eq!(m.adapters[1].connection_dns_suffix.as_deref(), Some(""));
        assert!(m.adapters[1].media_disconnected);
    }
}
