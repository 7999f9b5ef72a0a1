//! The verdicts on the captured conversations in testdata/kms: each captured request is
//! decoded the way a host does (which recovers the request context a client keeps), each
//! captured response is validated the way a client does, and the finding is checked.

use crate::testing::en;
use crate::Outcome;
use std::net::SocketAddr;

use kms_preflight_engine::Status;
use kms_preflight_knowledge::products;
use kms_preflight_wire::dcerpc::{Uuid, PTYPE_REQUEST, PTYPE_RESPONSE};
use kms_preflight_wire::kms::{self, ProtocolVersion, Response};
use kms_preflight_wire::rpc_call::{decode_request_pdu, decode_response_pdu};
use serde_json::Value;

use super::verdict::{finding, signs_for, Probe, ProbeEnd};
use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// (file name, first request PDU, its response PDU).
fn vectors() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kms");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 7, "{paths:?}");
    paths
        .iter()
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            let chunks: Vec<(String, Vec<u8>)> = v["chunks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["dir"].as_str().unwrap().to_string(),
                        hex(c["hex"].as_str().unwrap()),
                    )
                })
                .collect();
            let find = |dir: &str, ptype: u8| {
                chunks
                    .iter()
                    .find(|(d, b)| d == dir && b.get(2) == Some(&ptype))
                    .map(|(_, b)| b.clone())
                    .unwrap_or_else(|| panic!("{}: no {dir} PTYPE {ptype}", p.display()))
            };
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                find("c2s", PTYPE_REQUEST),
                find("s2c", PTYPE_RESPONSE),
            )
        })
        .collect()
}

/// The captured exchange as the probe would have ended it, for `slug`.
fn end_of(name: &str, slug: &str) -> (ProbeEnd, ProtocolVersion, kms::BaseRequest) {
    let (_, req, resp) = vectors().into_iter().find(|v| v.0 == name).unwrap();
    let req = decode_request_pdu(&req).unwrap();
    let decoded = kms::decode_request(&req.stub).unwrap();
    let resp = decode_response_pdu(&resp).unwrap();
    let version = decoded.version;
    let end = match kms::decode_response(version, &resp.stub, &decoded.context).unwrap() {
        Response::Error(hr) => ProbeEnd::Hresult(hr),
        Response::Activated(r) => {
            let product = products::catalog().product(slug).unwrap();
            let wire = kms::emulator_signs(
                &r,
                &kms::SignInputs {
                    request: &decoded.request,
                    threshold: product.required_client_count(),
                    previous_epid: None,
                    bind: None,
                },
            );
            let signs = signs_for(&r, &wire, product, false, products::catalog());
            ProbeEnd::Activated { response: r, signs }
        }
    };
    (end, version, decoded.request)
}

fn probe(slug: &str, version: ProtocolVersion) -> Probe<'static> {
    Probe {
        addr: "198.18.1.10:1688".parse::<SocketAddr>().unwrap(),
        product: products::catalog().product(slug).unwrap(),
        version,
        cmid: "11111111-2222-3333-4444-555555555555".into(),
        cmid_origin: "--cmid".into(),
        cmid_new: false,
        workstation: "probe.corp.test".into(),
        fell_back_from: Vec::new(),
    }
}

#[test]
fn every_captured_response_gives_a_verdict() {
    let cases = [
        ("01-v4-windows7-enterprise.json", "windows-7-enterprise"),
        ("02-v5-windows81-enterprise.json", "windows-8-1-enterprise"),
        ("03-v6-windows10-enterprise.json", "windows-10-enterprise"),
        (
            "04-v6-windows10-enterprise-ndr32-only.json",
            "windows-10-enterprise",
        ),
        (
            "05-v6-windows-server-2019-datacenter.json",
            "windows-server-2019-datacenter",
        ),
    ];
    for (name, slug) in cases {
        let (end, version, _) = end_of(name, slug);
        let f = finding(&probe(slug, version), &end, None);
        let e = f.evidence.activation().expect("activation evidence");
        // The captured host is vlmcsd: for v6 its default HwId is an emulator sign.
        assert_eq!(e.host_build, Some(17763), "{name}");
        assert_eq!(e.language.as_deref(), Some("en-US"), "{name}");
        assert_eq!(e.lcid, Some(1033), "{name}");
        assert_eq!(
            e.host_key.as_deref(),
            Some("Windows Server 2019 (CSVLK)"),
            "{name}"
        );
        assert_eq!(
            e.epid_activation_date.as_deref(),
            Some("2018-10-24"),
            "{name}"
        );
        assert!(
            e.os.as_deref().unwrap().contains("Server 2019"),
            "{name}: {:?}",
            e.os
        );
        assert_eq!(e.protocol, Some(format!("{}.0", version.major())));
        assert_eq!(e.activation_interval_min, Some(120));
        assert_eq!(e.renewal_interval_min, Some(10080));
        if version == ProtocolVersion::V6 {
            assert_eq!(e.hwid.as_deref(), Some("3A1C049600B60076"), "{name}");
            assert_eq!(f.status, Status::Warn, "{name}: {}", en(&f.message));
            assert!(
                en(&f.message).contains("HwId 3A1C049600B60076 is vlmcsd's default"),
                "{name}: {}",
                en(&f.message)
            );
            assert!(!en(&f.message).contains("genuine"), "{}", en(&f.message));
        } else {
            assert_eq!(f.status, Status::Pass, "{name}: {}", en(&f.message));
            assert!(
                en(&f.message).contains("no emulator sign seen"),
                "{}",
                en(&f.message)
            );
        }
    }
}

#[test]
fn count_below_threshold_fails_with_how_many_more() {
    let (end, version, _) = end_of("07-v6-count-below-threshold.json", "windows-10-enterprise");
    let f = finding(&probe("windows-10-enterprise", version), &end, None);
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.error_codes, ["0xC004F038"]);
    let e = f.evidence.activation().expect("activation evidence");
    assert_eq!(e.current_count, Some(1));
    assert_eq!(e.threshold, Some(25));
    assert_eq!(e.clients_needed, Some(24));
    assert!(
        en(&f.message).contains("24 more client(s) needed"),
        "{}",
        en(&f.message)
    );
}

#[test]
fn declined_product_names_the_host_key_needed() {
    let (end, version, _) = end_of(
        "06-v6-error-declined-0xC004F042.json",
        "windows-10-enterprise",
    );
    assert!(matches!(end, ProbeEnd::Hresult(0xC004_F042)));
    let f = finding(
        &probe("office-ltsc-2021-proplus", version),
        &end,
        Some("Windows Server 2019 (CSVLK)"),
    );
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.error_codes, ["0xC004F042"]);
    let e = f.evidence.activation().expect("activation evidence");
    assert_eq!(e.hresult.as_deref(), Some("0xC004F042"));
    assert_eq!(
        e.host_key_needed.as_ref().unwrap()[0],
        "Office LTSC 2021 (CSVLK)"
    );
    assert!(
        en(&f.message).contains("the host needs host key Office LTSC 2021 (CSVLK)")
            && en(&f.message).contains("names Windows Server 2019 (CSVLK)"),
        "{}",
        en(&f.message)
    );
}

#[test]
fn time_rejection_and_other_hresults() {
    let p = probe("windows-10-enterprise", ProtocolVersion::V6);
    let f = finding(&p, &ProbeEnd::Hresult(0xC004_F06C), None);
    assert_eq!(
        (f.status, f.error_codes.clone()),
        (Status::Fail, vec!["0xC004F06C".to_string()])
    );
    assert!(
        en(&f.message).contains("more than 4 hours"),
        "{}",
        en(&f.message)
    );
    // A catalog code: its title and meaning.
    let f = finding(&p, &ProbeEnd::Hresult(0xC004_F041), None);
    assert_eq!(f.error_codes, ["0xC004F041"]);
    assert!(
        en(&f.message).contains("The KMS host is not activated"),
        "{}",
        en(&f.message)
    );
    // Not in the catalog: the HRESULT fields, never a guess.
    let f = finding(&p, &ProbeEnd::Hresult(0x8007_000D), None);
    assert_eq!(f.error_codes, ["0x8007000D"]);
    assert_eq!(f.status, Status::Fail);
}

#[test]
fn a_tampered_response_names_the_failed_check() {
    let (_, req, resp) = vectors()
        .into_iter()
        .find(|v| v.0.starts_with("03-"))
        .unwrap();
    let req = decode_request_pdu(&req).unwrap();
    let decoded = kms::decode_request(&req.stub).unwrap();
    let mut resp = decode_response_pdu(&resp).unwrap();
    let n = resp.stub.len();
    resp.stub[n - 30] ^= 0x01;
    let e = kms::decode_response(decoded.version, &resp.stub, &decoded.context).unwrap_err();
    let f = finding(
        &probe("windows-10-enterprise", decoded.version),
        &ProbeEnd::Rejected(e),
        None,
    );
    assert_eq!(f.status, Status::Fail);
    assert!(
        en(&f.message).contains("KMS response check failed"),
        "{}",
        en(&f.message)
    );
}

#[test]
fn requests_say_honestly_what_the_probe_is() {
    let cat = products::catalog();
    let p = cat.product("office-ltsc-2021-proplus").unwrap();
    let cmid = Uuid::parse("11111111-2222-4333-8444-555555555555").unwrap();
    let r = base_request(
        ProtocolVersion::V6,
        p,
        cmid,
        "probe.corp.test",
        0x01DB_0000_0000_0000,
        false,
    );
    assert_eq!((r.license_status, r.binding_expiration), (0, 0));
    assert_eq!(r.required_client_count, 5);
    assert_eq!(r.workstation_name, "probe.corp.test");
    assert_eq!(r.cmid, cmid);
    assert_eq!(r.previous_cmid, Uuid::NIL);
    assert_eq!(
        r.kms_counted_id.to_string(),
        "86d50b16-4808-41af-b83b-b338274318b2"
    );
    assert_eq!(
        r.application_id.to_string(),
        "0ff1ce15-a989-479d-af46-f275c6370663"
    );
    // The encrypted request decodes back to the same fields on the host side.
    let (stub, _) = kms::encode_request(ProtocolVersion::V6, &r, [7; 16]);
    assert_eq!(kms::decode_request(&stub).unwrap().request, r);
}

#[test]
fn protocol_versions_and_fallback_order() {
    let cat = products::catalog();
    let auto = KmsActivationCheck {
        port: None,
        protocol: None,
    };
    let win10 = cat.product("windows-10-enterprise").unwrap();
    let win7 = cat.product("windows-7-enterprise").unwrap();
    assert_eq!(
        auto.versions(win10),
        [
            ProtocolVersion::V6,
            ProtocolVersion::V5,
            ProtocolVersion::V4
        ]
    );
    assert_eq!(auto.versions(win7), [ProtocolVersion::V4]);
}

fn outcome(id: &str, kind: &str, status: Status, evidence: crate::Evidence) -> Outcome {
    Outcome {
        id: id.into(),
        kind: kind.into(),
        title: id.into(),
        target: Some("kms.corp.test:1688".into()),
        address: Some("198.18.1.10".into()),
        source: None,
        status,
        message: kms_preflight_engine::Message::recorded(format!("{id} message")),
        remediation: None,
        error_codes: Vec::new(),
        evidence,
        run: Default::default(),
        duration_ms: 1,
    }
}

#[test]
fn time_rejection_is_cross_referenced_with_the_clock_check() {
    let e = KmsActivationEvidence {
        hresult: Some("0xC004F06C".into()),
        ..Default::default()
    };
    let clock = crate::clock::ClockEvidence {
        offset_ms: Some(18_000_000.0),
        ..Default::default()
    };
    let mut rs = vec![
        outcome(
            "kms.activation",
            "kms-activation",
            Status::Fail,
            e.clone().into(),
        ),
        outcome("clock.kms-host", "clock", Status::Fail, clock.into()),
    ];
    cross_reference_clock("kms.activation", &mut rs);
    assert!(
        en(&rs[0].message).contains("clock.kms-host from here says: fail: clock.kms-host message"),
        "{}",
        en(&rs[0].message)
    );
    assert_eq!(
        rs[0].evidence.activation().unwrap().clock_offset_ms,
        Some(18_000_000.0)
    );
    let mut alone = vec![outcome(
        "kms.activation",
        "kms-activation",
        Status::Fail,
        e.into(),
    )];
    cross_reference_clock("kms.activation", &mut alone);
    assert!(en(&alone[0].message).contains("clock.kms-host did not run"));
}

/// The English of the verdicts and the evidence of a response, byte for byte what the code
/// wrote before messages had ids (the catalog renders the sentences now).
#[test]
fn english_and_evidence_are_byte_for_byte_what_they_were() {
    let (end, version, _) = end_of("07-v6-count-below-threshold.json", "windows-10-enterprise");
    let f = finding(&probe("windows-10-enterprise", version), &end, None);
    assert_eq!(en(&f.message), "Windows 10 Enterprise at 198.18.1.10:1688: the host answered but will not activate yet: it counts 1 client(s) for Windows 10/11 2015 (Volume) and activates from 25 (0xC004F038): 24 more client(s) needed; host Windows Server 2019 / Windows 10 version 1809 (build 17763), language en-US (LCID 1033), host key Windows Server 2019 (CSVLK), key activated 2018-10-24, intervals 120 / 10080 min (activation / renewal)");
    assert_eq!(en(f.remediation.as_ref().unwrap()), "Normal for a new host: it activates clients once 25 distinct machines have asked it within 30 days. Check the count on the host with slmgr /dlv; if it stays low, look for cloned machines sharing a CMID (sysprep /generalize), or several KMS hosts splitting the clients between them (srv.inventory).");
    let (end, version, _) = end_of("03-v6-windows10-enterprise.json", "windows-10-enterprise");
    let f = finding(&probe("windows-10-enterprise", version), &end, None);
    assert_eq!(en(&f.message), "Windows 10 Enterprise at 198.18.1.10:1688: the host would activate (count 50, threshold 25), but it shows emulator signs: HwId 3A1C049600B60076 is vlmcsd's default; host Windows Server 2019 / Windows 10 version 1809 (build 17763), language en-US (LCID 1033), host key Windows Server 2019 (CSVLK), key activated 2018-10-24, intervals 120 / 10080 min (activation / renewal)");
    // Keys in the order reports have always had them; the sign as its English text.
    assert_eq!(
        serde_json::to_string(&f.evidence).unwrap(),
        "{\"epid\":\"03612-00206-556-123727-03-1033-17763.0000-2972018\",\"current_count\":50,\"activation_interval_min\":120,\"renewal_interval_min\":10080,\"hwid\":\"3A1C049600B60076\",\"host_build\":17763,\"lcid\":1033,\"os\":\"Windows Server 2019 / Windows 10 version 1809\",\"language\":\"en-US\",\"host_key\":\"Windows Server 2019 (CSVLK)\",\"host_key_activates\":[\"Windows Vista\",\"Windows 7\",\"Windows 8 (Volume)\",\"Windows 8.1 (Volume)\",\"Windows 10/11 2015 (Volume)\",\"Windows 10 2016 (Volume; LTSB 2016)\",\"Windows 10 2019 (Volume; LTSC 2019)\",\"Windows 10 Unknown (Volume)\",\"Windows Server 2008 A (Web and HPC)\",\"Windows Server 2008 B (Standard and Enterprise)\",\"Windows Server 2008 C (Datacenter and Itanium)\",\"Windows Server 2008 R2 A (Web and HPC)\",\"Windows Server 2008 R2 B (Standard and Enterprise)\",\"Windows Server 2008 R2 C (Datacenter and Itanium)\",\"Windows Server 2012\",\"Windows Server 2012 R2\",\"Windows Server 2016\",\"Windows Server 2019\"],\"epid_activation_date\":\"2018-10-24\",\"emulator_signs\":[\"HwId 3A1C049600B60076 is vlmcsd's default\"],\"port\":1688,\"product\":\"windows-10-enterprise\",\"kms_id\":\"58e2134f-8e11-4d17-9cb2-91069c151148\",\"protocol\":\"6.0\",\"threshold\":25,\"cmid\":\"11111111-2222-3333-4444-555555555555\",\"cmid_origin\":\"--cmid\",\"workstation\":\"probe.corp.test\"}"
    );
    let (end, version, _) = end_of(
        "06-v6-error-declined-0xC004F042.json",
        "windows-10-enterprise",
    );
    let f = finding(
        &probe("office-ltsc-2021-proplus", version),
        &end,
        Some("Windows Server 2019 (CSVLK)"),
    );
    assert_eq!(en(&f.message), "Office LTSC Professional Plus 2021 at 198.18.1.10:1688: the host refused the product (0xC004F042): its host key does not cover Office LTSC 2021 (its ePID for another product names Windows Server 2019 (CSVLK)); to activate it, the host needs host key Office LTSC 2021 (CSVLK)");
    assert_eq!(en(f.remediation.as_ref().unwrap()), "Install and activate the right host key (CSVLK) on the KMS host: slmgr /ipk <CSVLK>, slmgr /ato (for Office: the Office KMS host license pack, then the Office CSVLK). Or point these clients at a host that has it: slmgr /skms <kms-host>:<port>. Needed: Office LTSC 2021 (CSVLK).");
    // The cross-reference nests the clock result's own message.
    let rejected = finding(
        &probe("windows-10-enterprise", ProtocolVersion::V6),
        &ProbeEnd::Hresult(0xC004_F06C),
        None,
    );
    let clock = crate::clock::ClockEvidence {
        offset_ms: Some(18_000_000.0),
        ..Default::default()
    };
    let mut rs = vec![
        outcome(
            "kms.activation",
            "kms-activation",
            Status::Fail,
            rejected.evidence,
        ),
        outcome("clock.kms-host", "clock", Status::Fail, clock.into()),
    ];
    rs[0].message = rejected.message;
    cross_reference_clock("kms.activation", &mut rs);
    assert_eq!(
        en(&rs[0].message),
        "Windows 10 Enterprise at 198.18.1.10:1688: the host rejected the request's timestamp \
         (0xC004F06C): it judges this machine's clock to differ from its own by more than 4 hours; \
         clock.kms-host from here says: fail: clock.kms-host message"
    );
    assert_eq!(
        rs[0].message.get("message").map(|_| ()),
        Some(()),
        "nested, not concatenated"
    );
    let e = serde_json::to_value(&rs[0].evidence).unwrap();
    assert_eq!(
        e["clock_cross_reference"],
        serde_json::json!(["fail: clock.kms-host message"])
    );
}
