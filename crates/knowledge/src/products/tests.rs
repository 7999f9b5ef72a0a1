//! Unit tests: the embedded data parses and validates, lookups, ePID decoding, broken documents.

use super::*;

fn guid(s: &str) -> Uuid {
    Uuid::parse(s).expect("test GUID")
}

fn product(slug: &str) -> &'static Product {
    catalog().product(slug).expect("product in catalog")
}

fn host(key: &str) -> &'static HostKey {
    catalog().host_key(key).expect("host key in catalog")
}

#[test]
fn embedded_document_loads() {
    let c = ProductCatalog::from_yaml(PRODUCTS_YAML).expect("embedded data is valid");
    assert_eq!(c.version(), 1);
    assert!(c.products().len() >= 40);
    assert!(c.host_keys().len() >= 20);
}

#[test]
fn every_guid_in_the_file_parses() {
    // The loader parses them; this re-reads the raw text so a GUID-shaped value that the
    // schema does not route through the loader would still be caught.
    let mut count = 0;
    for line in PRODUCTS_YAML.lines() {
        let code = line.split('#').next().unwrap_or("");
        for word in code.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
            let w = word.trim_matches('-');
            if w.len() == 36 && w.matches('-').count() == 4 {
                assert!(Uuid::parse(w).is_ok(), "bad GUID {w}");
                count += 1;
            }
        }
    }
    assert!(count >= 100, "found only {count} GUIDs");
}

#[test]
fn references_resolve_and_slugs_are_unique() {
    let c = catalog();
    let mut slugs = HashSet::new();
    for p in c.products() {
        assert!(slugs.insert(p.slug()), "duplicate slug {}", p.slug());
        assert!(is_kebab_case(p.slug()));
        let g = c.kms_group(p.kms_group_key()).expect("group resolves");
        assert_eq!(g.id(), p.kms_id());
        assert_eq!(c.application_id(p.application()), p.application_id());
        for s in p.sources() {
            assert!(c.sources().contains_key(s));
        }
    }
    for h in c.host_keys() {
        assert_eq!(h.activated_kms_ids().len(), h.activated_group_keys().len());
        for key in h.activated_group_keys() {
            assert!(
                c.kms_group(key).is_some(),
                "{} activates unknown {key}",
                h.key()
            );
        }
    }
    assert_eq!(c.product_slugs().len(), c.products().len());
}

#[test]
fn windows_10_and_11_share_the_kms_id() {
    let w10 = product("windows-10-enterprise");
    let w11 = product("windows-11-enterprise");
    let expected = guid("58e2134f-8e11-4d17-9cb2-91069c151148");
    assert_eq!(w10.kms_id(), expected);
    assert_eq!(w11.kms_id(), expected);
    assert_eq!(w10.sku_id(), w11.sku_id());
    assert_eq!(w10.sku_id(), guid("73111121-5638-40f6-bc11-f1d7b0d64300"));
    assert_eq!(w11.gvlk(), Some("NPPR9-FWDCX-D2C8J-H872K-2YT43"));
    assert_eq!(product("windows-11-pro").kms_id(), expected);
    assert_eq!(product("windows-10-education").kms_id(), expected);
    assert_eq!(catalog().products_with_kms_id(expected).count(), 7);
}

#[test]
fn n_values_follow_the_family() {
    let c = catalog();
    for p in c.products() {
        let n = match p.family() {
            Family::WindowsClient => 25,
            Family::WindowsServer | Family::Office => 5,
        };
        assert_eq!(p.required_client_count(), n, "{}", p.slug());
    }
    assert_eq!(product("windows-11-enterprise").required_client_count(), 25);
    assert_eq!(
        product("windows-server-2022-standard").required_client_count(),
        5
    );
    assert_eq!(
        product("office-ltsc-2021-proplus").required_client_count(),
        5
    );
}

#[test]
fn application_ids() {
    let c = catalog();
    assert_eq!(
        product("windows-server-2025-datacenter").application_id(),
        guid("55c92734-d682-4d71-983e-d6ec3f16059f")
    );
    assert_eq!(
        product("office-2010-proplus").application_id(),
        guid("59a52881-a989-479d-af46-f275c6370663")
    );
    assert_eq!(
        product("office-ltsc-2024-proplus").application_id(),
        guid("0ff1ce15-a989-479d-af46-f275c6370663")
    );
    assert_eq!(
        c.application_for_id(guid("0ff1ce15-a989-479d-af46-f275c6370663")),
        Some(Application::Office2013Plus)
    );
    assert_eq!(c.application_for_id(Uuid::NIL), None);
}

#[test]
fn known_counted_ids() {
    let cases = [
        (
            "windows-7-enterprise",
            "7fde5219-fbfa-484a-82c9-34d1ad53e856",
            4,
        ),
        ("windows-8-1-pro", "cb8fc780-2c05-495a-9710-85afffc904d7", 6),
        (
            "windows-server-2012-datacenter",
            "8665cb71-468c-4aa3-a337-cb9bc9d5eaac",
            5,
        ),
        (
            "windows-server-2019-standard",
            "8449b1fb-f0ea-497a-99ab-66ca96e9a0f5",
            6,
        ),
        (
            "windows-server-2022-standard",
            "b74263e4-0f92-46c6-bcf8-c11d5efe2959",
            6,
        ),
        (
            "windows-server-2025-standard",
            "907f1f65-adcd-4a2e-95bc-4bf500bc6e58",
            6,
        ),
        (
            "office-2016-proplus",
            "85b5f61b-320b-4be3-814a-b76b2bfafc82",
            6,
        ),
        (
            "office-ltsc-2021-proplus",
            "86d50b16-4808-41af-b83b-b338274318b2",
            6,
        ),
        (
            "office-ltsc-2024-proplus",
            "a8973cb5-bf03-0a4c-9cef-703099645ab3",
            6,
        ),
    ];
    for (slug, kms, proto) in cases {
        let p = product(slug);
        assert_eq!(p.kms_id(), guid(kms), "{slug}");
        assert_eq!(p.protocol_version(), proto, "{slug}");
    }
    assert_eq!(
        product("office-ltsc-2021-proplus").sku_id(),
        guid("fbdb3e18-a8ef-4fb3-9183-dffd60bd0984")
    );
}

#[test]
fn os_builds_and_languages() {
    let c = catalog();
    assert!(c
        .os_name_for_build(9600)
        .unwrap()
        .contains("Windows Server 2012 R2"));
    assert!(c
        .os_name_for_build(17763)
        .unwrap()
        .contains("Windows Server 2019"));
    assert!(c
        .os_name_for_build(20348)
        .unwrap()
        .contains("Windows Server 2022"));
    assert!(c
        .os_name_for_build(26100)
        .unwrap()
        .contains("Windows Server 2025"));
    assert_eq!(c.os_build(9600).map(OsBuild::platform_id), Some(6401));
    assert_eq!(c.os_build(14393).map(OsBuild::platform_id), Some(3612));
    assert_eq!(c.os_name_for_build(1), None);
    assert_eq!(c.os_name_for_build(u32::MAX), None);
    assert_eq!(c.language_tag(1041), Some("ja-JP"));
    assert_eq!(c.language_tag(1033), Some("en-US"));
    assert_eq!(c.language_tag(2057), Some("en-GB"));
    assert_eq!(c.language_tag(0), None);
    assert_eq!(c.language_tag(u32::MAX), None);
}

#[test]
fn host_key_for_epid_ranges() {
    let c = catalog();
    // protocol-notes §3 example: group 206, key id 560 594 696 → Server 2019 CSVLK.
    assert_eq!(
        c.host_key_for_epid(206, 560_594_696).map(HostKey::key),
        Some("windows-server-2019")
    );
    assert_eq!(
        c.host_key_for_epid(206, 551_000_000).map(HostKey::key),
        Some("windows-server-2019")
    );
    assert_eq!(
        c.host_key_for_epid(206, 570_999_999).map(HostKey::key),
        Some("windows-server-2019")
    );
    assert_eq!(
        c.host_key_for_epid(206, 571_000_000).map(HostKey::key),
        Some("office-ltsc-2021")
    );
    assert_eq!(
        c.host_key_for_epid(96, 208_497_764).map(HostKey::key),
        Some("office-2010")
    );
    assert_eq!(
        c.host_key_for_epid(3858, 320_801_028).map(HostKey::key),
        Some("windows-10-china-gov")
    );
    assert_eq!(
        c.host_key_for_epid(4573, 586_025).map(HostKey::key),
        Some("windows-server-2022")
    );
    // The hole in the Server 2022 CSVLK's key ids.
    assert_eq!(c.host_key_for_epid(4573, 25_000), None);
    assert_eq!(
        c.host_key_for_epid(4919, 20_019_999).map(HostKey::key),
        Some("windows-server-2025")
    );
    // Same key id, wrong group; unknown group; out of range.
    assert_eq!(c.host_key_for_epid(96, 560_594_696), None);
    assert_eq!(c.host_key_for_epid(0, 0), None);
    assert_eq!(c.host_key_for_epid(206, 999_999_999), None);
    assert_eq!(c.host_key_for_epid(u32::MAX, u32::MAX), None);
}

#[test]
fn key_ranges_do_not_overlap_within_a_group() {
    let keys = catalog().host_keys();
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            if a.group_id() != b.group_id() {
                continue;
            }
            for ra in a.key_ranges() {
                for rb in b.key_ranges() {
                    assert!(!ra.overlaps(rb), "{} and {} overlap", a.key(), b.key());
                }
            }
        }
    }
}

#[test]
fn which_host_keys_activate_what() {
    let w10 = product("windows-10-enterprise");
    let w11 = product("windows-11-enterprise");
    assert!(host("windows-server-2019").activates(w10));
    assert!(host("windows-server-2019").activates(w11));
    assert!(host("windows-server-2016").activates(w10));
    assert!(host("windows-10-2015").activates(w10));
    // Windows 7-era host keys do not cover Windows 10.
    for key in [
        "windows-7",
        "windows-server-2008-r2-b",
        "windows-server-2008-r2-c",
        "windows-server-2012",
    ] {
        assert!(!host(key).activates(w10), "{key}");
    }
    assert!(host("windows-7").activates(product("windows-7-enterprise")));
    // Server editions need a server CSVLK of at least their own version.
    let s2022 = product("windows-server-2022-datacenter");
    assert!(!host("windows-server-2019").activates(s2022));
    assert!(host("windows-server-2022").activates(s2022));
    assert!(host("windows-server-2025").activates(s2022));
    assert!(!host("windows-10-2019").activates(product("windows-server-2019-standard")));
    // Windows host keys never activate Office, and Office keys only their own version.
    let office = product("office-ltsc-2021-proplus");
    assert!(!host("windows-server-2025").activates(office));
    assert!(host("office-ltsc-2021").activates(office));
    assert!(!host("office-2019").activates(office));
    let names: Vec<&str> = catalog()
        .host_keys_that_activate(office)
        .map(HostKey::key)
        .collect();
    assert_eq!(names, ["office-ltsc-2021"]);
    let for_2025: Vec<&str> = catalog()
        .host_keys_that_activate(product("windows-server-2025-standard"))
        .map(HostKey::key)
        .collect();
    assert_eq!(for_2025, ["windows-server-2025"]);
    // Every product can be activated by some listed host key.
    for p in catalog().products() {
        assert!(
            catalog().host_keys_that_activate(p).next().is_some(),
            "nothing activates {}",
            p.slug()
        );
    }
}

#[test]
fn default_products() {
    let d = catalog().default_products();
    assert_eq!(d.windows.slug(), DEFAULT_WINDOWS_PRODUCT);
    assert_eq!(d.windows.family(), Family::WindowsClient);
    assert_eq!(
        d.windows.kms_id(),
        product("windows-11-enterprise").kms_id()
    );
    assert_eq!(d.office.slug(), "office-ltsc-2021-proplus");
    assert_eq!(d.office.application(), Application::Office2013Plus);
}

#[test]
fn unknown_values_are_none() {
    let c = catalog();
    assert!(c.product("windows-12-enterprise").is_none());
    assert!(c.product("").is_none());
    assert!(c.product("Windows-10-Enterprise").is_none());
    assert!(c.kms_group("nope").is_none());
    assert!(c.kms_group_by_id(Uuid::NIL).is_none());
    assert!(c.host_key("nope").is_none());
    assert!(c.host_key_by_activation_id(Uuid::NIL).is_none());
    assert_eq!(c.products_with_sku(Uuid::NIL).count(), 0);
    assert!(c.decode_epid("not an epid").is_none());
}

#[test]
fn guid_text_and_wire_forms() {
    let g = guid("51c82175-844e-4750-b0d8-ec255555bc06");
    assert_eq!(
        g.to_wire(),
        [
            0x75, 0x21, 0xc8, 0x51, 0x4e, 0x84, 0x50, 0x47, 0xb0, 0xd8, 0xec, 0x25, 0x55, 0x55,
            0xbc, 0x06
        ]
    );
    assert_eq!(Uuid::from_wire(g.to_wire()), g);
    assert_eq!(
        guid("8a885d04-1ceb-11c9-9fe8-08002b104860").to_wire(),
        [
            0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10,
            0x48, 0x60
        ]
    );
    assert_eq!(g.to_string(), "51c82175-844e-4750-b0d8-ec255555bc06");
    assert_eq!(
        guid("{55C92734-D682-4D71-983E-D6EC3F16059F}"),
        guid("55c92734-d682-4d71-983e-d6ec3f16059f")
    );
    assert_eq!(
        "0ff1ce15-a989-479d-af46-f275c6370663"
            .parse::<Uuid>()
            .map(|g| g.as_bytes()[0]),
        Ok(0x0f)
    );
    for bad in [
        "",
        "55c92734-d682-4d71-983e-d6ec3f16059",
        "55c92734-d682-4d71-983e-d6ec3f16059f0",
        "55c92734d6824d71983ed6ec3f16059f",
        "55c92734-d682-4d71-983e-d6ec3f16059g",
        "{55c92734-d682-4d71-983e-d6ec3f16059f",
        "55c92734+d682-4d71-983e-d6ec3f16059f",
        "5５c92734-d682-4d71-983e-d6ec3f16059",
    ] {
        assert!(Uuid::parse(bad).is_err(), "{bad:?}");
        assert!(bad.parse::<Uuid>().is_err());
    }
}

#[test]
fn epid_decoding() {
    let d = catalog()
        .decode_epid("06401-00206-560-594696-03-1033-9600.0000-2962018")
        .expect("example ePID");
    assert_eq!(d.epid.platform_id, 6401);
    assert_eq!(d.epid.group_id, 206);
    assert_eq!(d.epid.key_id, 560_594_696);
    assert_eq!(d.epid.channel, 3);
    assert_eq!((d.epid.day_of_year, d.epid.year), (296, 2018));
    assert_eq!(d.host_key.map(HostKey::key), Some("windows-server-2019"));
    assert!(d
        .os_build
        .unwrap()
        .name()
        .contains("Windows Server 2012 R2"));
    assert_eq!(d.language.map(Language::tag), Some("en-US"));
    assert_eq!(d.platform_matches_build(), Some(true));

    let d = catalog()
        .decode_epid("03612-04573-000-586025-03-1041-20348.0000-2302021")
        .expect("5-digit build");
    assert_eq!(d.host_key.map(HostKey::key), Some("windows-server-2022"));
    assert_eq!(d.language.map(Language::tag), Some("ja-JP"));

    // A platform id that contradicts the build (emulator tell).
    let d = catalog()
        .decode_epid("03612-00206-560-594696-03-1033-6002.0000-2962018")
        .unwrap();
    assert_eq!(d.platform_matches_build(), Some(false));

    for bad in [
        "",
        "06401-00206-560-594696-03-1033-9600-2962018",
        "06401-00206-560-594696-03-1033-9600.0000-296201",
        "06401-00206-56-594696-03-1033-9600.0000-2962018",
        "06401-00206-560-594696-03-1033-9600.0000-2962018-1",
        "0640x-00206-560-594696-03-1033-9600.0000-2962018",
        "06401-00206-560-594696-03-99999999-9600.0000-2962018",
        "-----------",
    ] {
        assert!(catalog().decode_epid(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn rejects_broken_documents() {
    let broken_ref = PRODUCTS_YAML.replacen("kms_group: windows-7,", "kms_group: windows-70,", 1);
    assert!(matches!(
        ProductCatalog::from_yaml(&broken_ref),
        Err(ProductCatalogError::Entry {
            section: "products",
            ..
        })
    ));
    let dup_slug = PRODUCTS_YAML.replacen(
        "slug: windows-7-enterprise,",
        "slug: windows-7-professional,",
        1,
    );
    assert!(ProductCatalog::from_yaml(&dup_slug).is_err());
    let bad_guid = PRODUCTS_YAML.replacen(
        "b92e9980-b9d5-4821-9c94-140f632f6312",
        "b92e9980-b9d5-4821-9c94-140f632f631",
        1,
    );
    assert!(ProductCatalog::from_yaml(&bad_guid).is_err());
    let bad_activates = PRODUCTS_YAML.replacen(
        "activates: [windows-vista, windows-7]",
        "activates: [windows-vista, windows-77]",
        1,
    );
    assert!(ProductCatalog::from_yaml(&bad_activates).is_err());
    let overlap = PRODUCTS_YAML.replacen("[[437000000, 458999999]]", "[[437000000, 591000000]]", 1);
    assert!(ProductCatalog::from_yaml(&overlap).is_err());
    let version = PRODUCTS_YAML.replacen("\nversion: 1\n", "\nversion: 2\n", 1);
    assert_eq!(
        ProductCatalog::from_yaml(&version).err(),
        Some(ProductCatalogError::Version(2))
    );
    assert!(matches!(
        ProductCatalog::from_yaml("{"),
        Err(ProductCatalogError::Yaml(_))
    ));
    let unknown_key = PRODUCTS_YAML.replacen("\nversion: 1\n", "\nversion: 1\nextra: 1\n", 1);
    assert!(ProductCatalog::from_yaml(&unknown_key).is_err());
}
