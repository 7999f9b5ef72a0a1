//! The discovery order, rule by rule, on small inputs.

use kms_preflight_client::*;

const WIN_ID: &str = "73111121-5638-40f6-bc11-f1d7b0d64300";
const SPP: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform";

fn dlv(kms_block: &str) -> String {
    format!(
        "\r\nName: Windows(R), Enterprise edition\r\nDescription: Windows(R) Operating System, VOLUME_KMSCLIENT channel\r\nActivation ID: {WIN_ID}\r\nApplication ID: {WINDOWS_APP_ID}\r\nPartial Product Key: 2YT43\r\nLicense Status: Licensed\r\nConfigured Activation Type: All\r\n\r\nMost recent activation information:\r\nKey Management Service client information\r\n{kms_block}    KMS host caching is enabled\r\n\r\n"
    )
}

/// A value line: name, type, data.
type Value<'a> = (&'a str, &'a str, &'a str);

fn reg(keys: &[(&str, &[Value])]) -> String {
    let mut s = String::from("\r\n");
    for (key, values) in keys {
        s.push_str(key);
        s.push_str("\r\n");
        for (name, kind, data) in *values {
            s.push_str(&format!("    {name}    {kind}    {data}\r\n"));
        }
        s.push_str("\r\n");
    }
    s
}

fn route(text: &str) -> Discovery {
    let s = parse("t", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    discovery(&s.products[0], &s.machine)
}

fn pinned(host: &str, port: u16, origin: PinOrigin) -> Route {
    Route::Pinned {
        pinned: PinnedHost {
            host: host.into(),
            port,
            origin,
        },
    }
}

#[test]
fn registry_order_sku_then_app_then_global() {
    let sku = format!("{SPP}\\{WINDOWS_APP_ID}\\{WIN_ID}");
    let app = format!("{SPP}\\{WINDOWS_APP_ID}");
    let all = reg(&[
        (
            SPP,
            &[("KeyManagementServiceName", "REG_SZ", "global.example")],
        ),
        (
            &app,
            &[("KeyManagementServiceName", "REG_SZ", "app.example")],
        ),
        (
            &sku,
            &[
                ("KeyManagementServiceName", "REG_SZ", "sku.example"),
                ("KeyManagementServicePort", "REG_SZ", "1700"),
            ],
        ),
    ]);
    let base = dlv("    KMS machine name from DNS: kms1.corp.example:1688\r\n");
    assert_eq!(
        route(&(base.clone() + &all)).route,
        pinned("sku.example", 1700, PinOrigin::RegistrySku)
    );
    let no_sku = reg(&[
        (
            SPP,
            &[("KeyManagementServiceName", "REG_SZ", "global.example")],
        ),
        (
            &app,
            &[("KeyManagementServiceName", "REG_SZ", "app.example")],
        ),
    ]);
    assert_eq!(
        route(&(base.clone() + &no_sku)).route,
        pinned("app.example", 1688, PinOrigin::RegistryApp)
    );
    // The port lives beside the name; a DWORD port reads too, and so does host:port.
    let global = reg(&[(
        SPP,
        &[
            ("KeyManagementServiceName", "REG_SZ", "global.example"),
            ("KeyManagementServicePort", "REG_DWORD", "0x6a5"),
        ],
    )]);
    assert_eq!(
        route(&(base.clone() + &global)).route,
        pinned("global.example", 1701, PinOrigin::RegistryGlobal)
    );
    let hp = reg(&[(
        SPP,
        &[("KeyManagementServiceName", "REG_SZ", "[2001:db8::7]:1702")],
    )]);
    assert_eq!(
        route(&(base.clone() + &hp)).route,
        pinned("2001:db8::7", 1702, PinOrigin::RegistryGlobal)
    );
    // An empty value pins nothing; another product's SKU key does not apply.
    let other_sku = format!("{SPP}\\{WINDOWS_APP_ID}\\e272e3e2-732f-4c65-a8f0-484747d0d947");
    let none = reg(&[
        (SPP, &[("KeyManagementServiceName", "REG_SZ", "")]),
        (
            &other_sku,
            &[("KeyManagementServiceName", "REG_SZ", "other.example")],
        ),
    ]);
    let d = route(&(base + &none));
    assert!(matches!(d.route, Route::SuffixList { .. }), "{d:?}");
}

#[test]
fn registry_wins_over_what_slmgr_printed_and_says_so() {
    let text = dlv("    Registered KMS machine name: kms-new.corp.example:1688\r\n")
        + &reg(&[(
            SPP,
            &[("KeyManagementServiceName", "REG_SZ", "kms-old.corp.example")],
        )]);
    let d = route(&text);
    assert_eq!(
        d.route,
        pinned("kms-old.corp.example", 1688, PinOrigin::RegistryGlobal)
    );
    assert_eq!(
        d.notes,
        [DiscoveryNote::PinDiffers {
            registry: HostPort {
                host: "kms-old.corp.example".into(),
                port: 1688
            },
            printed: HostPort {
                host: "kms-new.corp.example".into(),
                port: 1688
            },
        }]
    );
}

#[test]
fn pinned_host_overrides_the_lookup_domain() {
    let text = dlv("    Registered KMS SRV record lookup domain: kms.corp.example\r\n    Registered KMS machine name: kms-old.corp.example:1688\r\n");
    let d = route(&text);
    assert_eq!(
        d.route,
        pinned("kms-old.corp.example", 1688, PinOrigin::SlmgrRegistered)
    );
    assert_eq!(
        d.notes,
        [DiscoveryNote::LookupDomainIgnored {
            domain: "kms.corp.example".into()
        }]
    );
}

#[test]
fn activation_type_that_excludes_kms() {
    let text = dlv("    KMS machine name from DNS: kms1.corp.example:1688\r\n").replace(
        "Configured Activation Type: All",
        "Configured Activation Type: AD",
    );
    let d = route(&text);
    assert!(d
        .notes
        .contains(&DiscoveryNote::KmsExcludedByActivationType {
            activation_type: ActivationType::Ad
        }));
}

#[test]
fn office_on_windows_7_reads_osppsvc_keys() {
    let office = "---Processing--------------------------\r\n---------------------------------------\r\nSKU ID: d450596f-894d-49e0-966a-fd39ed4c4c64\r\nLICENSE NAME: Office 16, Office16ProPlusVL_KMS_Client edition\r\nLICENSE DESCRIPTION: Office 16, VOLUME_KMSCLIENT channel\r\nLICENSE STATUS:  ---LICENSED---\r\nLast 5 characters of installed product key: WFG99\r\n\tDNS auto-discovery: KMS name not available\r\n---------------------------------------\r\n";
    let ospp = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\OfficeSoftwareProtectionPlatform";
    let sku = format!("{ospp}\\{OFFICE_APP_ID}\\d450596f-894d-49e0-966a-fd39ed4c4c64");
    let text = office.to_string()
        + &reg(&[
            (
                ospp,
                &[(
                    "KeyManagementServiceName",
                    "REG_SZ",
                    "office-global.example",
                )],
            ),
            (
                &sku,
                &[("KeyManagementServiceName", "REG_SZ", "office-sku.example")],
            ),
        ]);
    assert_eq!(
        route(&text).route,
        pinned("office-sku.example", 1688, PinOrigin::RegistrySku)
    );
    // Windows' own SKU key is not Office's.
    let win_sku = format!("{SPP}\\{WINDOWS_APP_ID}\\{WIN_ID}");
    let text = office.to_string()
        + &reg(&[(
            &win_sku,
            &[("KeyManagementServiceName", "REG_SZ", "win.example")],
        )]);
    assert!(matches!(route(&text).route, Route::SuffixList { .. }));
}

#[test]
fn suffixes_in_client_order() {
    let ip = "Windows IP Configuration\r\n\r\n   Host Name . . . . . . . . . . . . : pc\r\n   Primary Dns Suffix  . . . . . . . : Corp.Example.\r\n   Node Type . . . . . . . . . . . . : Hybrid\r\n\r\nEthernet adapter A:\r\n\r\n   Connection-specific DNS Suffix  . : branch.corp.example\r\n   DNS Servers . . . . . . . . . . . : 192.0.2.53\r\n\r\nEthernet adapter B:\r\n\r\n   Media State . . . . . . . . . . . : Media disconnected\r\n   Connection-specific DNS Suffix  . : wifi.example\r\n\r\nEthernet adapter C:\r\n\r\n   Connection-specific DNS Suffix  . : corp.example\r\n   DNS Servers . . . . . . . . . . . : 192.0.2.54\r\n                                       192.0.2.53\r\n";
    let s = parse("ip", ip.as_bytes()).unwrap();
    // No search list printed: ipconfig omits an empty one.
    assert_eq!(s.machine.suffix_search_list, Some(vec![]));
    // Primary first; then the connected adapters' suffixes; repeats (any case, trailing dot)
    // once.
    assert_eq!(
        s.machine.client_suffixes(),
        ["Corp.Example", "branch.corp.example"]
    );
    assert_eq!(s.machine.dns_servers(), ["192.0.2.53", "192.0.2.54"]);
    let (text, _) = (
        dlv("    KMS machine name from DNS: kms1.corp.example:1688\r\n"),
        (),
    );
    let p = parse("dlv", text.as_bytes()).unwrap();
    let d = discovery(&p.products[0], &s.machine);
    assert_eq!(
        d.route,
        Route::SuffixList {
            suffixes: vec!["Corp.Example".into(), "branch.corp.example".into()],
            cached: Some(HostPort {
                host: "kms1.corp.example".into(),
                port: 1688
            }),
        }
    );
    assert!(d.notes.is_empty());

    // A workgroup machine with no suffix anywhere: nothing to query.
    let bare = "Windows IP Configuration\r\n\r\n   Host Name . . . . . . . . . . . . : pc\r\n   Primary Dns Suffix  . . . . . . . : \r\n\r\nEthernet adapter A:\r\n\r\n   Connection-specific DNS Suffix  . : \r\n";
    let m = parse("ip", bare.as_bytes()).unwrap().machine;
    let d = discovery(&p.products[0], &m);
    assert_eq!(
        d.route,
        Route::SuffixList {
            suffixes: vec![],
            cached: Some(HostPort {
                host: "kms1.corp.example".into(),
                port: 1688
            })
        }
    );
    assert_eq!(d.notes, [DiscoveryNote::NoSuffix]);
}
