//! Every sample in testdata/client-state/ parses, field by field and encoding by encoding.

use kms_preflight_client::*;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/client-state")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn parse_ok(rel: &str) -> ClientState {
    parse(rel, &read(rel)).unwrap_or_else(|e| panic!("{e}"))
}

fn only(rel: &str) -> (ClientState, Product) {
    let s = parse_ok(rel);
    assert_eq!(s.products.len(), 1, "{rel}: {:#?}", s.products);
    let p = s.products[0].clone();
    (s, p)
}

/// The sample files: every file under en/, ja/, public/ (recursively), sorted.
fn sample_files() -> Vec<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let r = format!("{rel}/{name}");
            if e.path().is_dir() {
                walk(&e.path(), &r, out);
            } else {
                out.push(r);
            }
        }
    }
    let mut out = Vec::new();
    for d in ["en", "ja", "public"] {
        walk(&root().join(d), d, &mut out);
    }
    out.sort();
    out
}

#[test]
fn every_sample_parses_and_is_listed_with_its_source() {
    let files = sample_files();
    // A floor, so that a moved directory fails here instead of testing nothing.
    assert!(files.len() >= 40, "only {} samples found", files.len());
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for f in &files {
        let s = parse(f, &read(f)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.formats.is_empty(), "{f}");
        assert!(
            !s.products.is_empty() || s.machine != Machine::default(),
            "{f}: nothing read"
        );
        assert!(
            readme.contains(&format!("`{f}`")),
            "{f} is not listed in README.md"
        );
    }
    // And the README lists no file that does not exist.
    for line in readme.lines() {
        for part in line.split('`').skip(1).step_by(2) {
            if ["en/", "ja/", "public/"]
                .iter()
                .any(|p| part.starts_with(p))
                && part.ends_with(".txt")
            {
                assert!(
                    files.iter().any(|f| f == part),
                    "README lists {part}, which does not exist"
                );
            }
        }
    }
}

#[test]
fn regression_inputs_never_panic() {
    let dir = root().join("regressions");
    // The directory is committed with its README; crash inputs are added as they are found.
    assert!(dir.join("README.md").exists());
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        if let Ok(s) = parse(&p.display().to_string(), &bytes) {
            for prod in &s.products {
                let _ = discovery(prod, &s.machine);
            }
            let _ = shared_cmids(&group_by_machine(&[s]));
        }
    }
}

fn pinned(host: &str, origin: PinOrigin) -> Route {
    Route::Pinned {
        pinned: PinnedHost {
            host: host.into(),
            port: 1688,
            origin,
        },
    }
}

#[test]
fn windows_client_pinned_with_skms() {
    for f in [
        "en/slmgr-dlv-pinned-kms-old-crlf.txt",
        "en/slmgr-dlv-pinned-kms-old-lf.txt",
        "ja/slmgr-dlv-pinned-kms-old-cp932.txt",
        "ja/slmgr-dlv-pinned-kms-old-utf16le.txt",
    ] {
        let (s, p) = only(f);
        assert_eq!(s.formats, [InputFormat::SlmgrDlv], "{f}");
        assert_eq!(p.app, Some(App::Windows));
        assert_eq!(p.name.as_deref(), Some("Windows(R), Enterprise edition"));
        assert_eq!(
            p.description.as_deref(),
            Some("Windows(R) Operating System, VOLUME_KMSCLIENT channel")
        );
        assert_eq!(
            p.activation_id.as_deref(),
            Some("73111121-5638-40f6-bc11-f1d7b0d64300")
        );
        assert_eq!(p.application_id.as_deref(), Some(WINDOWS_APP_ID));
        assert!(p
            .extended_pid
            .as_deref()
            .unwrap()
            .starts_with("03612-04854-000-000000-03-"));
        assert_eq!(p.channel, Some(Channel::KmsClient));
        assert_eq!(p.partial_key.as_deref(), Some("2YT43"));
        assert_eq!(p.license_status, Some(LicenseStatus::Licensed));
        assert_eq!(p.grace_minutes_left, Some(257_903));
        assert_eq!(p.remaining_rearm_count, Some(1001));
        assert_eq!(p.activation_type, Some(ActivationType::All));
        assert_eq!(
            p.cmid.as_deref(),
            Some("5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21")
        );
        assert_eq!(
            p.pinned,
            Some(PinnedHost {
                host: "kms-old.corp.example".into(),
                port: 1688,
                origin: PinOrigin::SlmgrRegistered
            })
        );
        assert_eq!(
            p.kms_from_dns, None,
            "slmgr prints no DNS line for a pinned host"
        );
        assert_eq!(p.kms_ip, Some(KmsIp::Address("192.0.2.10".into())));
        assert!(p.kms_host_epid.as_deref().unwrap().contains("-17763.0000-"));
        assert_eq!(p.activation_interval_minutes, Some(120));
        assert_eq!(p.renewal_interval_minutes, Some(10080));
        assert_eq!(p.host_caching, Some(true));
        assert_eq!(p.error_code, None);
        assert!(s.missing.is_empty(), "{f}: {:?}", s.missing);
        let d = discovery(&p, &s.machine);
        assert_eq!(
            d.route,
            pinned("kms-old.corp.example", PinOrigin::SlmgrRegistered)
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }
    assert_eq!(
        parse_ok("en/slmgr-dlv-pinned-kms-old-crlf.txt").encoding,
        TextEncoding::Utf8
    );
    let ja = parse_ok("ja/slmgr-dlv-pinned-kms-old-cp932.txt");
    assert_eq!(
        (ja.encoding, ja.language),
        (TextEncoding::Cp932, Language::Japanese)
    );
    assert_eq!(
        ja.products[0].license_status_text.as_deref(),
        Some("ライセンスされています")
    );
    let u16 = parse_ok("ja/slmgr-dlv-pinned-kms-old-utf16le.txt");
    assert_eq!(u16.encoding, TextEncoding::Utf16LeBom);
    // The same output in CP932 and UTF-16LE is the same model.
    assert_eq!(ja.products, u16.products);
    // English and Japanese differ only in the status text and the ePIDs' language ID.
    let en = parse_ok("en/slmgr-dlv-pinned-kms-old-crlf.txt");
    assert_eq!(en.language, Language::English);
    assert_eq!(en.products[0].pinned, ja.products[0].pinned);
    assert_eq!(en.products[0].cmid, ja.products[0].cmid);
}

#[test]
fn grace_client_pinned_through_the_registry() {
    let s = parse_ok("en/slmgr-dli-grace-pinned-with-reg.txt");
    assert_eq!(s.formats, [InputFormat::SlmgrDli, InputFormat::RegQuery]);
    let p = &s.products[0];
    assert_eq!(p.license_status, Some(LicenseStatus::InitialGrace));
    assert_eq!(p.grace_minutes_left, Some(41_562));
    assert!(p.kms_info_withheld);
    assert_eq!((p.cmid.as_ref(), p.pinned.as_ref()), (None, None));
    assert_eq!(s.machine.registry.len(), 8);
    let name = &s.machine.registry[1];
    assert_eq!(
        (name.name.as_str(), name.kind.as_str(), name.data.as_str()),
        ("KeyManagementServiceName", "REG_SZ", "kms-old.corp.example")
    );
    assert_eq!(s.machine.registry[6].number, Some(0x2760));
    assert!(s.missing.is_empty(), "{:?}", s.missing);
    let d = discovery(p, &s.machine);
    assert_eq!(
        d.route,
        pinned("kms-old.corp.example", PinOrigin::RegistryGlobal)
    );
}

#[test]
fn office_registry_override_and_its_codes() {
    for f in [
        "en/ospp-dstatus-override-kms-old.txt",
        "ja/ospp-dstatus-override-and-slmgr-dli-cp932.txt",
    ] {
        let s = parse_ok(f);
        let p = &s.products[0];
        assert_eq!(p.format, InputFormat::OsppDstatus);
        assert_eq!(p.app, Some(App::Office));
        assert_eq!(p.product_id.as_deref(), Some("00339-10000-00000-AA586"));
        assert_eq!(
            p.activation_id.as_deref(),
            Some("fbdb3e18-a8ef-4fb3-9183-dffd60bd0984")
        );
        assert_eq!(
            p.name.as_deref(),
            Some("Office 21, Office21ProPlus2021VL_KMS_Client_AE edition")
        );
        assert_eq!(p.channel, Some(Channel::KmsClient));
        assert_eq!(p.license_status, Some(LicenseStatus::InitialGrace));
        assert_eq!(p.error_code.as_deref(), Some("0x4004F00C"));
        assert!(p
            .error_description
            .as_deref()
            .unwrap()
            .contains("valid grace period"));
        assert_eq!(p.grace_minutes_left, Some(31_184));
        assert_eq!(p.partial_key.as_deref(), Some("6F7TH"));
        assert_eq!(p.activation_type, Some(ActivationType::All));
        assert_eq!(p.kms_from_dns, Some(DnsDiscovered::NotAvailable));
        assert_eq!(
            p.pinned,
            Some(PinnedHost {
                host: "kms-old.corp.example".into(),
                port: 1688,
                origin: PinOrigin::OsppRegistryOverride
            })
        );
        assert_eq!(
            (p.activation_interval_minutes, p.renewal_interval_minutes),
            (Some(120), Some(10080))
        );
        assert_eq!(p.host_caching, Some(true));
        let d = discovery(p, &s.machine);
        assert_eq!(
            d.route,
            pinned("kms-old.corp.example", PinOrigin::OsppRegistryOverride)
        );
        assert!(s.missing.is_empty(), "{f}: {:?}", s.missing);
    }
    let s = parse_ok("en/ospp-dstatus-override-kms-old.txt");
    let project = &s.products[1];
    assert_eq!(project.license_status, Some(LicenseStatus::Notification));
    assert_eq!(project.error_code.as_deref(), Some("0xC004F074"));
    assert_eq!(project.partial_key.as_deref(), Some("QV9H8"));
    // The combined Japanese paste: ospp then slmgr, both products, the cscript banner skipped.
    let ja = parse_ok("ja/ospp-dstatus-override-and-slmgr-dli-cp932.txt");
    assert_eq!(
        ja.formats,
        [InputFormat::OsppDstatus, InputFormat::SlmgrDli]
    );
    assert_eq!(
        (ja.encoding, ja.language),
        (TextEncoding::Cp932, Language::Japanese)
    );
    assert_eq!(ja.products.len(), 2);
    assert_eq!(ja.products[1].app, Some(App::Windows));
    assert_eq!(
        ja.products[1].kms_from_dns,
        Some(DnsDiscovered::Host(HostPort {
            host: "kms1.corp.example".into(),
            port: 1688
        }))
    );
    // The Office CMID is the service's, shown by /dcmid.
    let c = parse_ok("en/ospp-dcmid.txt");
    assert_eq!(
        c.machine.office_cmid.as_deref(),
        Some("5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21")
    );
    assert!(c.cmids().contains("5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21"));
}

#[test]
fn lookup_domain_and_suffix_lists() {
    let (s, p) = only("en/slmgr-dli-lookup-domain.txt");
    assert_eq!(p.format, InputFormat::SlmgrDli);
    assert_eq!(p.lookup_domain.as_deref(), Some("kms.corp.example"));
    let dns = HostPort {
        host: "kms1.kms.corp.example".into(),
        port: 1688,
    };
    assert_eq!(p.kms_from_dns, Some(DnsDiscovered::Host(dns.clone())));
    assert!(s.missing.is_empty(), "{:?}", s.missing);
    let ip = parse_ok("en/ipconfig-all-two-suffixes.txt");
    let d = discovery(&p, &ip.machine);
    assert_eq!(
        d.route,
        Route::LookupDomain {
            domain: "kms.corp.example".into(),
            cached: Some(dns)
        }
    );
    assert_eq!(d.notes, [DiscoveryNote::SuffixListIgnored]);

    for f in [
        "en/ipconfig-all-two-suffixes.txt",
        "ja/ipconfig-all-two-suffixes-cp932.txt",
        "ja/ipconfig-all-two-suffixes-utf16le.txt",
    ] {
        let s = parse_ok(f);
        let m = &s.machine;
        assert_eq!(s.formats, [InputFormat::IpconfigAll], "{f}");
        assert!(
            m.host_name.as_deref().unwrap().starts_with("PC-LAB0"),
            "{f}"
        );
        assert_eq!(
            m.primary_dns_suffix.as_deref(),
            Some("branch.corp.example"),
            "{f}"
        );
        assert_eq!(
            m.suffix_search_list.as_deref(),
            Some(
                &[
                    "branch.corp.example".to_string(),
                    "corp.example".to_string()
                ][..]
            ),
            "{f}"
        );
        assert_eq!(
            m.adapters[0].connection_dns_suffix.as_deref(),
            Some("branch.corp.example")
        );
        assert_eq!(m.dns_servers(), ["192.0.2.53", "192.0.2.54"], "{f}");
        assert_eq!(
            m.client_suffixes(),
            ["branch.corp.example", "corp.example"],
            "{f}"
        );
        assert!(s.missing.is_empty(), "{f}: {:?}", s.missing);
    }
    let en = parse_ok("en/ipconfig-all-two-suffixes.txt");
    assert_eq!(en.machine.adapters.len(), 2);
    assert!(en.machine.adapters[1].media_disconnected);
    assert_eq!(en.machine.adapters[0].ipv4_addresses, ["192.0.2.101"]);
    let ja = parse_ok("ja/ipconfig-all-two-suffixes-cp932.txt");
    assert_eq!(ja.language, Language::Japanese);
    assert_eq!(
        ja.machine.adapters[0].name,
        "イーサネット アダプター イーサネット"
    );
    assert_eq!(ja.machine.adapters[0].ipv4_addresses, ["192.0.2.102"]);
    // A client that discovers: the primary suffix first, then the list.
    let (s, p) = only("en/slmgr-dlv-clone-a.txt");
    let d = discovery(&p, &s.machine);
    assert_eq!(
        d.route,
        Route::SuffixList {
            suffixes: vec!["corp.example".into()],
            cached: Some(HostPort {
                host: "kms1.corp.example".into(),
                port: 1688
            })
        }
    );
}

#[test]
fn cloned_machines_share_one_cmid() {
    let states: Vec<ClientState> = ["a", "b", "c"]
        .iter()
        .map(|x| parse_ok(&format!("en/slmgr-dlv-clone-{x}.txt")))
        .collect();
    for s in &states {
        assert_eq!(s.formats, [InputFormat::SlmgrDlv, InputFormat::IpconfigAll]);
        assert_eq!(s.products.len(), 1);
        assert!(s.missing.is_empty(), "{:?}", s.missing);
    }
    let machines = group_by_machine(&states);
    assert_eq!(machines.len(), 3);
    assert_eq!(
        machines.iter().map(|m| m.label()).collect::<Vec<_>>(),
        ["PC-CLONE-A", "PC-CLONE-B", "PC-CLONE-C"]
    );
    assert_eq!(
        shared_cmids(&machines),
        [SharedCmid {
            cmid: "3e6f0c2a-91d4-4b7e-a5c8-6d2f1e0b9a47".into(),
            machines: vec![
                "PC-CLONE-A".into(),
                "PC-CLONE-B".into(),
                "PC-CLONE-C".into()
            ],
            certain: true,
        }]
    );
    // The same CMID in two files of one machine is not a duplicate.
    let twice = group_by_machine(&[states[0].clone(), states[0].clone()]);
    assert_eq!(twice.len(), 1);
    assert!(shared_cmids(&twice).is_empty());
    assert_eq!(twice[0].products.len(), 1);
    // Unnamed inputs cannot be told apart: a shared CMID is reported, but not as certain.
    let dlv = parse_ok("en/slmgr-dlv-pinned-kms-old-crlf.txt");
    let all = parse_ok("en/slmgr-dlv-all-cscript.txt");
    let unnamed = group_by_machine(&[dlv, all]);
    assert_eq!(unnamed.len(), 2);
    let shared = shared_cmids(&unnamed);
    assert_eq!(shared.len(), 1);
    assert!(!shared[0].certain);
}

#[test]
fn one_machine_from_slmgr_reg_and_ipconfig() {
    let dli = parse_ok("en/slmgr-dli-notification-0xC004F074.txt");
    let dlv = parse_ok("en/slmgr-dlv-pinned-kms-old-crlf.txt");
    let reg = parse_ok("en/reg-query-spp-s-sku-override.txt");
    let ip = parse_ok("en/ipconfig-all-two-suffixes.txt");
    let m = merge(&[&dli, &reg, &ip]);
    assert_eq!(m.host_name.as_deref(), Some("PC-LAB01"));
    assert_eq!(m.sources.len(), 3);
    assert_eq!(m.products.len(), 1);
    let p = &m.products[0];
    // /dli shows no activation ID: the SKU-specific override cannot be matched, the global
    // value applies, and the reader is told.
    let d = discovery(p, &m.machine);
    assert_eq!(
        d.route,
        pinned("kms1.corp.example", PinOrigin::RegistryGlobal)
    );
    assert_eq!(
        d.notes,
        [DiscoveryNote::SkuOverrideUnmatched {
            sku_ids: vec!["73111121-5638-40f6-bc11-f1d7b0d64300".into()]
        }]
    );
    // With /dlv (activation ID known) the SKU-specific value wins over the global one, and
    // over what slmgr printed.
    let m = merge(&[&dli, &dlv, &reg, &ip]);
    assert_eq!(m.products.len(), 1, "{:#?}", m.products);
    let p = &m.products[0];
    assert_eq!(
        p.activation_id.as_deref(),
        Some("73111121-5638-40f6-bc11-f1d7b0d64300")
    );
    let d = discovery(p, &m.machine);
    assert_eq!(
        d.route,
        pinned("kms-old.corp.example", PinOrigin::RegistrySku)
    );
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    // The /dli said Notification, the /dlv Licensed: kept from the first, reported.
    assert_eq!(p.license_status, Some(LicenseStatus::Notification));
    assert!(m
        .conflicts
        .iter()
        .any(|c| c.field.ends_with(".license_status")
            && c.kept_from == dli.source
            && c.other_from == dlv.source));
    // Office on Windows 7 reads osppsvc's key.
    let ospp_reg = parse_ok("en/reg-query-ospp.txt");
    let office = parse_ok("public/ospp-office16-standard-oob-grace.txt");
    let m = merge(&[&office, &ospp_reg]);
    let d = discovery(&m.products[0], &m.machine);
    assert_eq!(
        d.route,
        pinned("kms-old.corp.example", PinOrigin::RegistryGlobal)
    );
    // The merged model round-trips through JSON.
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<ClientMachine>(&json).unwrap(), m);
}

#[test]
fn not_kms_clients() {
    let (s, p) = only("en/slmgr-dlv-mak-0xC004C020.txt");
    assert_eq!(
        p.name.as_deref(),
        Some("Windows(R), ServerStandard edition")
    );
    assert_eq!(p.channel, Some(Channel::Mak));
    assert_eq!(p.license_status, Some(LicenseStatus::Notification));
    assert_eq!(p.error_code.as_deref(), Some("0xC004C020"));
    assert_eq!(
        p.activation_id.as_deref(),
        Some("de32eafd-aaee-4662-9444-c1befb41bde2")
    );
    assert_eq!(p.activation_type, None);
    assert!(s.missing.is_empty(), "{:?}", s.missing);
    assert_eq!(
        discovery(&p, &s.machine).route,
        Route::NotKmsClient {
            channel: Channel::Mak
        }
    );
    let (_, oem) = only("public/checkmk-win10pro-oem-dli.txt");
    assert_eq!(oem.channel, Some(Channel::Oem));
    let (_, eval) = only("public/checkmk-win7-timebased-eval-dli.txt");
    assert_eq!(eval.channel, Some(Channel::Other("TIMEBASED_EVAL".into())));
    assert_eq!(eval.license_status, Some(LicenseStatus::InitialGrace));
    assert_eq!(eval.grace_minutes_left, Some(12_960));
    let (_, mak) = only("public/ospp-office24-mak-oob-grace-excerpt.txt");
    assert_eq!(
        mak.channel,
        Some(Channel::Mak),
        "Office's RETAIL(MAK) channel is a MAK"
    );
}

#[test]
fn notification_and_grace_withhold_the_kms_block() {
    for f in [
        "en/slmgr-dli-notification-0xC004F074.txt",
        "ja/slmgr-dli-notification-cp932.txt",
    ] {
        let (s, p) = only(f);
        assert_eq!(p.license_status, Some(LicenseStatus::Notification), "{f}");
        assert_eq!(p.error_code.as_deref(), Some("0xC004F074"), "{f}");
        assert_eq!(p.activation_type, Some(ActivationType::All), "{f}");
        assert!(p.kms_info_withheld, "{f}");
        assert!(s.missing.is_empty(), "{f}: {:?}", s.missing);
        let d = discovery(&p, &s.machine);
        assert_eq!(
            d.notes,
            [DiscoveryNote::PinUnknown, DiscoveryNote::SuffixesUnknown],
            "{f}"
        );
    }
}

#[test]
fn windows7_and_server2008_outputs() {
    let (s, p) = only("en/slmgr-dli-win7-kms.txt");
    assert_eq!(p.name.as_deref(), Some("Windows(R) 7, Enterprise edition"));
    assert_eq!(p.partial_key.as_deref(), Some("HVTHH"));
    assert_eq!(
        p.cmid.as_deref(),
        Some("0d4c3b2a-1f0e-4d9c-8b7a-695847362514")
    );
    assert_eq!(p.kms_ip, None);
    assert_eq!(p.lookup_domain, None);
    assert_eq!(p.activation_type, None);
    assert!(
        s.missing.is_empty(),
        "Windows 7 does not print these lines: {:?}",
        s.missing
    );
    // A description a console wrapped at 80 columns.
    let (s, p) = only("public/checkmk-server2008-wrapped-dli.txt");
    assert_eq!(
        p.description.as_deref(),
        Some("Windows Operating System - Windows Server(R), VOLUME_KMSCLIENT channel")
    );
    assert_eq!(p.channel, Some(Channel::KmsClient));
    assert_eq!(p.renewal_interval_minutes, Some(10080));
    assert!(s.missing.is_empty(), "{:?}", s.missing);
    // Unindented lines (the monitoring fixture) read the same.
    let (s, p) = only("public/checkmk-server2012-dli.txt");
    assert_eq!(p.kms_ip, Some(KmsIp::Address("192.0.2.229".into())));
    assert_eq!(
        p.kms_host_epid.as_deref(),
        Some("06401-00206-491-411285-03-1031-9600.0000-0802017")
    );
    assert!(s.missing.is_empty(), "{:?}", s.missing);
}

#[test]
fn truncated_input_lists_what_is_missing() {
    let (s, p) = only("en/slmgr-dlv-truncated.txt");
    assert_eq!(
        p.cmid.as_deref(),
        Some("5a1f7c3e-2b9d-4e61-8c4a-0d3f9b7e6a21")
    );
    assert_eq!(
        s.missing,
        [
            "products[0].kms_ip",
            "products[0].kms_host_epid",
            "products[0].pinned_or_kms_from_dns",
            "products[0].activation_interval_minutes",
            "products[0].renewal_interval_minutes",
            "products[0].host_caching",
        ]
    );
    let s = parse_ok("public/ospp-office21-override-chinese-banner-truncated.txt");
    assert_eq!(s.products.len(), 2);
    assert!(s.missing.contains(&"products[1].host_caching".to_string()));
    assert!(!s.missing.iter().any(|m| m.starts_with("products[0].host")));
    // Placeholders instead of IDs are not IDs.
    assert_eq!(s.products[0].activation_id, None);
    let ip = parse_ok("public/ipconfig-ja-virtualbox-truncated.txt");
    assert_eq!(ip.encoding, TextEncoding::Utf16LeBom);
    assert_eq!(ip.machine.host_name.as_deref(), Some("DESKTOP-ABC1234"));
    assert_eq!(ip.machine.primary_dns_suffix.as_deref(), Some(""));
    assert_eq!(ip.machine.suffix_search_list.as_deref(), Some(&[][..]));
    assert_eq!(ip.machine.adapters.len(), 2);
    assert_eq!(ip.machine.dns_servers().len(), 3);
    assert_eq!(ip.machine.dns_servers()[0], "fec0:0:0:ffff::1%1");
}

#[test]
fn slmgr_dlv_all_and_xpr() {
    let s = parse_ok("en/slmgr-dlv-all-cscript.txt");
    assert_eq!(s.products.len(), 2);
    assert_eq!(s.licenses_not_in_use, ["Windows(R), EnterpriseN edition"]);
    let office = &s.products[1];
    assert_eq!(office.app, Some(App::Office));
    assert_eq!(office.application_id.as_deref(), Some(OFFICE_APP_ID));
    assert_eq!(office.remaining_rearm_count, Some(5));
    assert_eq!(
        discovery(office, &s.machine).route,
        pinned("kms-old.corp.example", PinOrigin::SlmgrRegistered)
    );
    assert!(matches!(
        discovery(&s.products[0], &s.machine).route,
        Route::SuffixList { .. }
    ));
    assert!(s.missing.is_empty(), "{:?}", s.missing);

    let (_, p) = only("en/slmgr-xpr-volume.txt");
    assert_eq!(p.format, InputFormat::SlmgrXpr);
    assert_eq!(p.license_status, Some(LicenseStatus::Licensed));
    assert_eq!(p.expiry_text.as_deref(), Some("5/19/2027 9:14:02 AM"));
    for f in [
        "en/slmgr-xpr-notification.txt",
        "ja/slmgr-xpr-notification-cp932.txt",
    ] {
        let (s, p) = only(f);
        assert_eq!(p.license_status, Some(LicenseStatus::Notification), "{f}");
        assert_eq!(p.name.as_deref(), Some("Windows(R), Enterprise edition"));
        assert!(s.missing.is_empty());
        let d = discovery(&p, &s.machine);
        assert!(d.notes.contains(&DiscoveryNote::ChannelUnknown));
    }
    assert_eq!(
        parse_ok("ja/slmgr-xpr-notification-cp932.txt").language,
        Language::Japanese
    );
}

#[test]
fn japanese_dli_by_shape_and_bom() {
    let a = parse_ok("ja/slmgr-dli-dns-utf8.txt");
    let b = parse_ok("ja/slmgr-dli-dns-utf8bom-lf.txt");
    assert_eq!(
        (a.encoding, b.encoding),
        (TextEncoding::Utf8, TextEncoding::Utf8Bom)
    );
    assert_eq!(a.products, b.products);
    let p = &a.products[0];
    assert_eq!(
        p.cmid.as_deref(),
        Some("9c3d2e1f-4a5b-4c6d-8e7f-0a1b2c3d4e5f")
    );
    assert_eq!(p.kms_ip, Some(KmsIp::Address("192.0.2.21".into())));
    assert_eq!(p.grace_minutes_left, Some(259_135));
    assert_eq!(
        (p.activation_interval_minutes, p.renewal_interval_minutes),
        (Some(120), Some(10080))
    );
    assert_eq!(p.host_caching, Some(false));
    // Host caching off: no cached host is tried first.
    assert_eq!(
        discovery(p, &Machine::default()).route,
        Route::SuffixList {
            suffixes: vec![],
            cached: None
        }
    );
}

#[test]
fn public_ospp_samples() {
    let (s, p) = only("public/ospp-office16-standard-oob-grace.txt");
    assert_eq!(p.license_status, Some(LicenseStatus::InitialGrace));
    assert_eq!(p.error_code.as_deref(), Some("0x4004F00C"));
    assert_eq!(p.grace_minutes_left, Some(43_194));
    assert!(s.missing.is_empty(), "{:?}", s.missing);
    let (_, p) = only("public/ospp-office15-licensed-dns-russian-banner.txt");
    assert_eq!(p.license_status, Some(LicenseStatus::Licensed));
    assert_eq!(p.error_code.as_deref(), Some("0x4004F040"));
    assert_eq!(
        p.error_note.as_deref(),
        Some("for information purposes only as the status is licensed")
    );
    assert!(matches!(p.kms_from_dns, Some(DnsDiscovered::Host(_))));
    let (_, p) = only("public/ospp-office16-proplus-override-ip-port.txt");
    assert_eq!(
        p.pinned.as_ref().map(PinnedHost::host_port),
        Some(HostPort {
            host: "203.0.113.78".into(),
            port: 16886
        })
    );
    let (_, p) = only("public/ospp-office15-unpkey-and-dstatus-chinese-banner.txt");
    assert_eq!(p.activation_interval_minutes, Some(1));
    assert_eq!(
        p.name.as_deref(),
        Some("Office 15, OfficeStandardVL_KMS_Client edition")
    );
}

#[test]
fn public_ipconfig_samples() {
    let s = parse_ok("public/ipconfig-en-two-suffixes.txt");
    assert_eq!(s.machine.client_suffixes(), ["c.cc", "home"]);
    assert_eq!(s.machine.dns_servers(), ["198.51.100.38", "198.51.100.39"]);
    let s = parse_ok("public/ipconfig-ja-win2019-ec2-excerpt.txt");
    assert_eq!(s.encoding, TextEncoding::Cp932);
    assert_eq!(s.machine.primary_dns_suffix.as_deref(), Some(""));
    assert_eq!(s.machine.suffix_search_list.as_ref().map(Vec::len), Some(3));
    assert_eq!(s.machine.dns_servers(), ["10.2.64.115"]);
    let s = parse_ok("public/ipconfig-ja-win7-wrapped.txt");
    assert_eq!(s.machine.host_name.as_deref(), Some("PC-WIN7"));
    assert_eq!(s.machine.client_suffixes(), ["workgroup"]);
    assert_eq!(
        s.machine.adapters[0].description.as_deref(),
        Some("Intel(R) 82579LM Gigabit Network Connection")
    );
    let s = parse_ok("public/ipconfig-de.txt");
    assert_eq!(s.language, Language::Other);
    assert_eq!(s.machine.host_name.as_deref(), Some("vujh"));
    assert_eq!(s.machine.client_suffixes(), ["fritz.box"]);
    assert!(s.machine.adapters[0].media_disconnected);
}

#[test]
fn json_round_trip_of_every_sample() {
    for f in sample_files() {
        let s = parse_ok(&f);
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["machine"].is_object() && json["products"].is_array());
        let back: ClientState = serde_json::from_value(json).unwrap();
        assert_eq!(back, s, "{f}");
        for p in &s.products {
            let d = discovery(p, &s.machine);
            let back: Discovery =
                serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
            assert_eq!(back, d);
        }
    }
}
