//! The verdicts on the captured conversations in testdata/kms: each captured request is
//! decoded the way a host does (which recovers the request context a client keeps), each
//! captured response is validated the way a client does, and the finding is checked.

use crate::testing::en;
use crate::{evidence::activation as ev, Outcome};
use std::net::SocketAddr;

use kms_preflight_engine::Status;
use kms_preflight_knowledge::products;
use kms_preflight_wire::dcerpc::{Uuid, PTYPE_REQUEST, PTYPE_RESPONSE};
use kms_preflight_wire::kms::{self, ProtocolVersion, Response};
use kms_preflight_wire::rpc_call::{decode_request_pdu, decode_response_pdu};
use serde_json::{Map, Value};

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
        // The captured host is vlmcsd: for v6 its default HwId is an emulator sign.
        assert_eq!(f.evidence[ev::HOST_BUILD], 17763, "{name}");
        assert_eq!(f.evidence[ev::LANGUAGE], "en-US", "{name}");
        assert_eq!(f.evidence[ev::LCID], 1033, "{name}");
        assert_eq!(
            f.evidence[ev::HOST_KEY],
            "Windows Server 2019 (CSVLK)",
            "{name}"
        );
        assert_eq!(f.evidence[ev::EPID_ACTIVATION_DATE], "2018-10-24", "{name}");
        assert!(
            f.evidence[ev::OS].as_str().unwrap().contains("Server 2019"),
            "{name}: {}",
            f.evidence[ev::OS]
        );
        assert_eq!(f.evidence[ev::PROTOCOL], format!("{}.0", version.major()));
        assert_eq!(f.evidence[ev::ACTIVATION_INTERVAL_MIN], 120);
        assert_eq!(f.evidence[ev::RENEWAL_INTERVAL_MIN], 10080);
        if version == ProtocolVersion::V6 {
            assert_eq!(f.evidence[ev::HWID], "3A1C049600B60076", "{name}");
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
    assert_eq!(f.evidence[ev::CURRENT_COUNT], 1);
    assert_eq!(f.evidence[ev::THRESHOLD], 25);
    assert_eq!(f.evidence[ev::CLIENTS_NEEDED], 24);
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
    assert_eq!(f.evidence[ev::HRESULT], "0xC004F042");
    assert_eq!(
        f.evidence[ev::HOST_KEY_NEEDED][0],
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

fn outcome(id: &str, kind: &str, status: Status, evidence: Map<String, Value>) -> Outcome {
    Outcome {
        id: id.into(),
        kind: kind.into(),
        title: id.into(),
        target: Some("kms.corp.test:1688".into()),
        address: Some("198.18.1.10".into()),
        source: None,
        status,
        message: format!("{id} message").into(),
        remediation: None,
        error_codes: Vec::new(),
        evidence: evidence.into(),
        run: Default::default(),
        duration_ms: 1,
    }
}

#[test]
fn time_rejection_is_cross_referenced_with_the_clock_check() {
    let mut e = Map::new();
    e.insert(ev::HRESULT.into(), "0xC004F06C".into());
    let mut clock = Map::new();
    clock.insert("offset_ms".into(), Value::from(18_000_000.0));
    let mut rs = vec![
        outcome("kms.activation", "kms-activation", Status::Fail, e.clone()),
        outcome("clock.kms-host", "clock", Status::Fail, clock),
    ];
    cross_reference_clock(&mut rs);
    assert!(
        en(&rs[0].message).contains("clock.kms-host from here says: fail: clock.kms-host message"),
        "{}",
        en(&rs[0].message)
    );
    assert_eq!(rs[0].evidence["clock_offset_ms"], 18_000_000.0);
    let mut alone = vec![outcome("kms.activation", "kms-activation", Status::Fail, e)];
    cross_reference_clock(&mut alone);
    assert!(en(&alone[0].message).contains("clock.kms-host did not run"));
}
