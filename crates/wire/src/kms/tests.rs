//! Unit tests: the notes' vectors, every captured conversation, round trips, hostile input.

use super::crypto::{self, Cipher, V6Aes};
use super::*;
use crate::dcerpc::{
    decode_bind, decode_bind_ack, PTYPE_ALTER_CONTEXT_RESP, PTYPE_BIND, PTYPE_BIND_ACK,
    PTYPE_REQUEST, PTYPE_RESPONSE,
};
use crate::rpc_call::{decode_request_pdu, decode_response_pdu};
use crate::testjson::{hex, vectors, Vector};
use aes::Aes128;
use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

fn h16(s: &str) -> [u8; 16] {
    hex(s).try_into().expect("16 bytes")
}

// ---- §8 cipher and MAC vectors -----------------------------------------------------------

#[test]
fn cipher_vectors_from_the_notes() {
    let zero = [0u8; 16];
    assert_eq!(
        crypto::encrypt_block(Cipher::V5, zero),
        h16("ec7c7e75b1923978eac4b2d2260235d5")
    );
    let mut b = Array::from(zero);
    BlockCipherEncrypt::encrypt_block(&V6Aes::with_tweak(false), &mut b);
    assert_eq!(<[u8; 16]>::from(b), h16("b4c3c015f6fb320c9b64aecd52fa58c8"));
    assert_eq!(
        crypto::encrypt_block(Cipher::V6, zero),
        h16("8ca59de0c483c04aa7026a22d6dd208e")
    );
    assert_eq!(crypto::v4_mac(&[]), h16("d144963029e2bd12f9970c9f52b27f09"));
    assert_eq!(
        crypto::v4_mac(&[0; 16]),
        h16("2a090d7c1155251ab86445447d060335")
    );
    assert_eq!(
        crypto::v4_mac(&[0; 236]),
        h16("4c1b4de4008508d66d9ed22963ae52b2")
    );
}

#[test]
fn v4_raw_rijndael_160_vector() {
    assert_eq!(
        crypto::v4_encrypt_block([0; 16]),
        h16("933030f10e2e7782b80915d5778a4957")
    );
}

#[test]
fn composed_aes_equals_the_aes_crate() {
    // With the tweak off, our hazmat composition must be bit-identical to aes::Aes128
    // (encrypt and decrypt), which validates key expansion, round order and last rounds.
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let std_v6 = Aes128::new(&V6_KEY.into());
    let ours = V6Aes::with_tweak(false);
    let tweaked = V6Aes::new();
    for _ in 0..200 {
        let mut blk = [0u8; 16];
        for c in blk.chunks_mut(8) {
            c.copy_from_slice(&next().to_le_bytes());
        }
        let (mut a, mut b) = (Array::from(blk), Array::from(blk));
        BlockCipherEncrypt::encrypt_block(&std_v6, &mut a);
        BlockCipherEncrypt::encrypt_block(&ours, &mut b);
        assert_eq!(a, b);
        BlockCipherDecrypt::decrypt_block(&std_v6, &mut a);
        BlockCipherDecrypt::decrypt_block(&ours, &mut b);
        assert_eq!(<[u8; 16]>::from(a), blk);
        assert_eq!(<[u8; 16]>::from(b), blk);
        let mut t = Array::from(blk);
        BlockCipherEncrypt::encrypt_block(&tweaked, &mut t);
        assert_ne!(<[u8; 16]>::from(t), <[u8; 16]>::from(a));
        BlockCipherDecrypt::decrypt_block(&tweaked, &mut t);
        assert_eq!(<[u8; 16]>::from(t), blk);
        assert_eq!(
            crypto::decrypt_block(Cipher::V6, crypto::encrypt_block(Cipher::V6, blk)),
            blk
        );
    }
}

#[test]
fn v6_hmac_key_derivation_vector() {
    let ft = 0x01DB_0000_0000_0000;
    assert_eq!(format_filetime(ft), "2024-09-06 01:56:33");
    let slot = (ft / V6_TIME_C1)
        .wrapping_mul(V6_TIME_C2)
        .wrapping_add(V6_TIME_C3);
    assert_eq!(slot, 0x3316_E0FF_6856_3C11);
    assert_eq!(slot.to_le_bytes().to_vec(), hex("113c5668ffe01633"));
    let key = crypto::v6_hmac_key(ft, 0);
    assert_eq!(key, h16("e40d3eacb9f20ff20bdc713da90f7002"));
    assert_eq!(
        crypto::v6_hmac(&key, b"abc"),
        h16("d91f4f498fdf244b2cab761343dffc7a")
    );
    assert_eq!(
        crypto::v6_hmac_verify(ft, b"abc", &h16("d91f4f498fdf244b2cab761343dffc7a")),
        Some(0)
    );
    let k_plus = crypto::v6_hmac_key(ft, 1);
    let tag = crypto::v6_hmac(&k_plus, b"abc");
    assert_eq!(crypto::v6_hmac_verify(ft, b"abc", &tag), Some(1));
    let k_far = crypto::v6_hmac_key(ft, 2);
    let tag = crypto::v6_hmac(&k_far, b"abc");
    assert_eq!(crypto::v6_hmac_verify(ft, b"abc", &tag), None);
}

#[test]
fn pkcs7_rules() {
    assert_eq!(crypto::pkcs7_unpadded_len(&[]), None);
    assert_eq!(crypto::pkcs7_unpadded_len(&[1, 2, 3, 1]), Some(3));
    assert_eq!(crypto::pkcs7_unpadded_len(&[4, 4, 4, 4]), Some(0));
    assert_eq!(crypto::pkcs7_unpadded_len(&[3, 4, 4, 4]), None);
    assert_eq!(crypto::pkcs7_unpadded_len(&[5, 4, 3, 4, 4]), None);
    assert_eq!(crypto::pkcs7_unpadded_len(&[0]), None);
    assert_eq!(crypto::pkcs7_unpadded_len(&[17; 17]), None);
    assert_eq!(crypto::pkcs7_unpadded_len(&[16; 16]), Some(0));
    assert_eq!(crypto::pkcs7_unpadded_len(&[2]), None);
    let mut v = vec![0u8; 16];
    crypto::pkcs7_pad(&mut v);
    assert_eq!(v.len(), 32);
    assert_eq!(pad16(236), 240);
    assert_eq!(pad16(240), 256);
}

// ---- §8 deterministic request -----------------------------------------------------------

fn notes_request(version: ProtocolVersion) -> BaseRequest {
    BaseRequest::new(
        version,
        Uuid::parse("55c92734-d682-4d71-983e-d6ec3f16059f").unwrap(),
        Uuid::parse("73111121-5638-40f6-bc11-f1d7b0d64300").unwrap(),
        Uuid::parse("58e2134f-8e11-4d17-9cb2-91069c151148").unwrap(),
        Uuid::parse("00112233-4455-4677-8899-aabbccddeeff").unwrap(),
        25,
        0x01DB_0000_0000_0000,
        "TEST",
    )
}

const NOTES_BASE: &str = "000006000000000002000000c0a800003427c95582d6714d983ed6ec3f16059f\
    211111733856f640bc11f1d7b0d643004f13e258118e174d9cb291069c15114833221100554477468899\
    aabbccddeeff19000000000000000000db01000000000000000000000000000000005400450053005400";

const NOTES_V5: &str = "00000500 000102030405060708090a0b0c0d0e0f 953cccda1e87c124691cbb4bd7bba5f70b4b401990ad011bf5e10bf0
    02647e0b16b5e9892dd0aa4dbcd36c9f314d6c6b8f3e12257346db611420eeab1cc5f71ea822d47e35a3eb72ff0d54a0
    0397a63642ba8c203f270e1f4d0b545095e294f0d22f8f837289eecbc7489ab3e0ad365684bc6294fe27d68a9e9ea453
    ab4ea1bf08858964803661efcde914ef7a11662b95a713dae9231fe0f8f34bd3212729d48ff2c1e653c2ac11ae988506
    d1b6e0c555f5f2e2db3f5775bf1033ffc6aec248af82687e71d8ce2751a8fd1c86ecde399fae1aad34d25a084d48a40a
    7080c7029ea282dd6fcd84abb45de82757a46ea0";

const NOTES_V6: &str = "00000600 000102030405060708090a0b0c0d0e0f 0e9fd870b28b8285f736f82c6cd0e06b03fcffed0b5b85dd300094ca
    c36be16529362786518b4d232dfb1a3bdc8eab5c08cc00381df7bb7944addbdc295c5c59a7e452b060022407c01ba530
    2cc9655d42427aac499b92225bd1b4c6918593245f1f497c35e69bee5047c1d3fa07caa57c9df91cfc3f898e1d81a97d
    82d0e36019df5279a720ef4f240a3f8fcb64d7be1277f01bfec54155173053cf1a96137761ab843bb1cacb96541edfcc
    22ce7617bdc6fd1997b8520795edc5c6b72c6600affc8317869dcc61a3ce3a70a822d255f953825d657687ccf206f7fa
    3517984958539f26fde84caa04fce8e33cda6110";

#[test]
fn deterministic_request_vectors() {
    let req = notes_request(ProtocolVersion::V6);
    let mut expected = hex(NOTES_BASE);
    expected.resize(BASE_REQUEST_LEN, 0);
    assert_eq!(req.encode().to_vec(), expected);
    assert_eq!(BaseRequest::decode(&expected).unwrap(), req);

    let iv = h16("000102030405060708090a0b0c0d0e0f");
    let (v6, ctx6) = encode_request_blob(ProtocolVersion::V6, &req, iv);
    assert_eq!(v6, hex(NOTES_V6));
    assert_eq!(ctx6.div, crypto::decrypt_block(Cipher::V6, iv));
    let v5req = BaseRequest {
        major_version: 5,
        ..req.clone()
    };
    let (v5, _) = encode_request_blob(ProtocolVersion::V5, &v5req, iv);
    assert_eq!(v5, hex(NOTES_V5));
    let v4req = BaseRequest {
        major_version: 4,
        ..req.clone()
    };
    let (v4, _) = encode_request_blob(ProtocolVersion::V4, &v4req, iv);
    assert_eq!(v4.len(), V4_REQUEST_LEN);
    assert_eq!(v4[236..], hex("27132504fcc826afadfa4c77ac63c89c")[..]);

    // The server side reads all three back.
    for (blob, base) in [(&v4, &v4req), (&v5, &v5req), (&v6, &req)] {
        let d = decode_request_blob(blob).unwrap();
        assert_eq!(&d.request, base);
    }
    let d6 = decode_request_blob(&v6).unwrap();
    assert_eq!(d6.context, ctx6);
}

#[test]
fn workstation_name_truncation() {
    let mut req = notes_request(ProtocolVersion::V6);
    req.workstation_name = "x".repeat(100);
    let back = BaseRequest::decode(&req.encode()).unwrap();
    assert_eq!(back.workstation_name, "x".repeat(63));
    // A surrogate pair that would straddle unit 63 is dropped whole.
    req.workstation_name = format!("{}\u{1F600}", "y".repeat(62));
    let enc = req.encode();
    assert_eq!(&enc[108 + 124..108 + 128], &[0, 0, 0, 0]);
    let back = BaseRequest::decode(&enc).unwrap();
    assert_eq!(back.workstation_name, "y".repeat(62));
    req.workstation_name = format!("{}\u{1F600}", "y".repeat(61));
    let back = BaseRequest::decode(&req.encode()).unwrap();
    assert_eq!(back.workstation_name, req.workstation_name);
    // Non-ASCII and an embedded NUL.
    req.workstation_name = "pc-ä\0tail".into();
    assert_eq!(
        BaseRequest::decode(&req.encode()).unwrap().workstation_name,
        "pc-ä"
    );
    assert_eq!(
        BaseRequest::decode(&[0; 235]).unwrap_err(),
        KmsError::Truncated {
            what: "workstation name",
            offset: 108,
            needed: 128,
            available: 235
        }
    );
}

// ---- captured vectors ---------------------------------------------------------------------

fn field<'a>(v: &'a Vector, path: &[&str]) -> &'a str {
    let mut cur = &v.expected;
    for p in path {
        cur = &cur[p];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{}: no {path:?}", v.name))
}

/// The leading token of an expected value like "55c92734-… (Windows)" or "43200 minutes".
fn head<'a>(v: &'a Vector, path: &[&str]) -> &'a str {
    field(v, path).split(' ').next().unwrap_or_default()
}

fn uuid_of(v: &Vector, path: &[&str]) -> Uuid {
    Uuid::parse(head(v, path)).unwrap()
}

fn num(v: &Vector, path: &[&str]) -> u32 {
    head(v, path).parse().unwrap()
}

fn version_of(v: &Vector) -> ProtocolVersion {
    let text = field(v, &["request", "protocol_version"]);
    let major: u16 = text.strip_suffix(".0").unwrap().parse().unwrap();
    ProtocolVersion::from_major(major).unwrap()
}

fn request_stub(v: &Vector) -> Vec<u8> {
    decode_request_pdu(v.pdu("c2s", PTYPE_REQUEST))
        .unwrap()
        .stub
}

fn response_stub(v: &Vector) -> Vec<u8> {
    decode_response_pdu(v.pdu("s2c", PTYPE_RESPONSE))
        .unwrap()
        .stub
}

fn check_expected_request(v: &Vector, r: &BaseRequest) {
    let name = &v.name;
    let version = version_of(v);
    assert_eq!((r.minor_version, r.major_version), (0, version.major()));
    assert_eq!(r.application_id, uuid_of(v, &["request", "application_id"]));
    assert_eq!(r.sku_id, uuid_of(v, &["request", "sku_id"]), "{name}");
    assert_eq!(
        r.kms_counted_id,
        uuid_of(v, &["request", "kms_counted_id"]),
        "{name}"
    );
    assert_eq!(r.cmid, uuid_of(v, &["request", "client_machine_id"]));
    assert_eq!(
        format_filetime(r.client_time),
        field(v, &["request", "timestamp_utc"]),
        "{name}"
    );
    assert_eq!(r.workstation_name, field(v, &["request", "workstation"]));
    assert_eq!(
        r.required_client_count,
        num(v, &["request", "required_client_count"]),
        "{name}"
    );
    assert_eq!(r.license_status, num(v, &["request", "license_status"]));
    assert_eq!(
        field(v, &["request", "license_status"]),
        format!(
            "{} ({})",
            r.license_status,
            license_status_name(r.license_status)
        )
    );
    assert_eq!(
        r.binding_expiration,
        num(v, &["request", "binding_expiration_minutes"])
    );
    assert_eq!(r.is_client_vm, 0);
    assert_eq!(r.previous_cmid, Uuid::NIL);
}

#[test]
fn every_vector_bind_pdus_decode() {
    for v in vectors() {
        let bind = decode_bind(v.pdu("c2s", PTYPE_BIND)).unwrap();
        let ack = decode_bind_ack(v.pdu("s2c", PTYPE_BIND_ACK)).unwrap();
        assert_eq!(bind.contexts.len(), ack.results.len(), "{}", v.name);
        if v.chunks.len() > 4 {
            decode_bind_ack(v.pdu("s2c", PTYPE_ALTER_CONTEXT_RESP)).unwrap();
        }
    }
}

#[test]
fn every_vector_request_server_decode_and_client_reencode() {
    for v in vectors() {
        let name = &v.name;
        let stub = request_stub(&v);
        let d = decode_request(&stub).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.version, version_of(&v), "{name}");
        check_expected_request(&v, &d.request);
        // Re-encode with the IV taken from the capture: same bytes.
        let blob = rpc_call::decode_request_stub(Ndr::Ndr32, &stub).unwrap();
        let iv = block_at(blob, 4);
        let (again, ctx) = encode_request(d.version, &d.request, iv);
        assert_eq!(again, stub, "{name}: request re-encode");
        assert_eq!(ctx, d.context, "{name}: client and server contexts agree");
        if d.version == ProtocolVersion::V4 {
            assert_eq!(ctx.iv, [0; 16]);
        } else {
            assert_eq!(ctx.div, crypto::decrypt_block(cipher_for(d.version), iv));
        }
    }
}

#[test]
fn every_vector_response_client_decode_and_server_reencode() {
    let mut activated = 0;
    for v in vectors() {
        let name = &v.name;
        let d = decode_request(&request_stub(&v)).unwrap();
        let blob = rpc_call::decode_request_stub(Ndr::Ndr32, &request_stub(&v))
            .unwrap()
            .to_vec();
        let (_, ctx) = encode_request(d.version, &d.request, block_at(&blob, 4));
        let stub = response_stub(&v);
        let resp =
            decode_response(d.version, &stub, &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
        if !v.expected["error_hresult"].is_null() {
            let hr = field(&v, &["error_hresult"]);
            let hr = u32::from_str_radix(hr.trim_start_matches("0x"), 16).unwrap();
            assert_eq!(resp, Response::Error(hr), "{name}");
            assert_eq!(
                hresult_name(hr),
                Some("SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH")
            );
            assert!(v.expected["response"].is_null());
            assert_eq!(encode_error_response(hr), stub, "{name}: error re-encode");
            continue;
        }
        let Response::Activated(a) = resp else {
            panic!("{name}: {resp:?}")
        };
        activated += 1;
        let r = &a.base;
        let size = head(&v, &["response", "size"]).parse::<usize>().unwrap();
        assert_eq!(a.size, size, "{name}");
        assert_eq!(
            field(&v, &["response", "size"]),
            format!("{size} (0x{size:x})")
        );
        assert_eq!(
            format!("{}.{}", r.major_version, r.minor_version),
            field(&v, &["response", "protocol_version"])
        );
        assert_eq!(r.epid, field(&v, &["response", "epid"]), "{name}");
        assert_eq!(r.cmid, uuid_of(&v, &["response", "client_machine_id"]));
        assert_eq!(
            format_filetime(r.client_time),
            field(&v, &["response", "timestamp_utc"])
        );
        assert_eq!(r.current_count, num(&v, &["response", "current_count"]));
        assert_eq!(
            r.renewal_interval,
            num(&v, &["response", "renewal_interval_minutes"])
        );
        assert_eq!(
            r.activation_interval,
            num(&v, &["response", "activation_interval_minutes"])
        );
        match v.expected["response"]["hwid"].as_str() {
            Some(hw) => assert_eq!(a.hwid_hex().as_deref(), Some(hw), "{name}"),
            None => assert_eq!(a.hwid, None, "{name}"),
        }
        match a.version {
            ProtocolVersion::V4 => assert!(a.response_iv.is_none()),
            ProtocolVersion::V5 => assert_eq!(a.response_iv, Some(ctx.iv)),
            ProtocolVersion::V6 => {
                assert_ne!(a.response_iv, Some(ctx.iv));
                assert!(a.hmac_slot_offset.is_some());
            }
        }
        // The ePID decodes (§3).
        let e = parse_epid(&r.epid).unwrap();
        assert_eq!(
            (e.platform_id, e.group_id, e.build, e.lcid),
            (3612, 206, 17763, 1033)
        );
        assert_eq!(e.csvlk_name(), Some("Server 2019"));
        // Server side: the same bytes from the decoded fields and the captured randomness.
        let again = encode_response(
            a.version,
            &a.base,
            a.hwid.unwrap_or_default(),
            &d.context,
            &a.response_random(),
        )
        .unwrap();
        assert_eq!(again, stub, "{name}: response re-encode");
        // And from a fresh BaseResponse built the way a responder would.
        let fresh = BaseResponse::for_request(
            &d.context,
            &r.epid,
            r.current_count,
            r.activation_interval,
            r.renewal_interval,
        );
        assert_eq!(&fresh, r, "{name}");
    }
    assert_eq!(activated, 6);
}

#[test]
fn every_vector_emulator_signs() {
    for v in vectors() {
        let name = &v.name;
        let d = decode_request(&request_stub(&v)).unwrap();
        let Ok(Response::Activated(a)) = decode_response(d.version, &response_stub(&v), &d.context)
        else {
            continue;
        };
        let bind = decode_bind(v.pdu("c2s", PTYPE_BIND)).unwrap();
        let ack = decode_bind_ack(v.pdu("s2c", PTYPE_BIND_ACK)).unwrap();
        let inputs = SignInputs {
            request: &d.request,
            threshold: d.request.required_client_count,
            previous_epid: None,
            bind: Some((&bind, &ack)),
        };
        let signs = emulator_signs(&a, &inputs);
        let mut expected = Vec::new();
        if a.version == ProtocolVersion::V6 {
            expected.push(EmulatorSign::KnownEmulatorHwId {
                hwid: VLMCSD_DEFAULT_HWID,
                emulator: "vlmcsd",
            });
        }
        if a.base.current_count == 2 * d.request.required_client_count {
            expected.push(EmulatorSign::CountExactlyTwiceThreshold {
                count: a.base.current_count,
                threshold: d.request.required_client_count,
            });
        }
        assert_eq!(signs, expected, "{name}");
        for s in &signs {
            assert!(!s.describe().is_empty());
        }
        if name.contains("below-threshold") {
            assert_eq!(a.base.current_count, 1);
            assert!(a.base.current_count < d.request.required_client_count);
        }
        // A different earlier ePID is a sign too.
        let again = emulator_signs(
            &a,
            &SignInputs {
                previous_epid: Some("06401-00206-560-594696-03-1033-9600.0000-2962018"),
                ..inputs
            },
        );
        assert!(again
            .iter()
            .any(|s| matches!(s, EmulatorSign::EpidChanged { .. })));
    }
}

// ---- tampering -----------------------------------------------------------------------------

/// Decoded request context and response payload of the captured vector `n`.
fn captured(n: usize) -> (DecodedRequest, Vec<u8>) {
    let vs = vectors();
    let v = &vs[n];
    let d = decode_request(&request_stub(v)).unwrap();
    let stub = response_stub(v);
    let ResponseStub::Data { payload, .. } =
        rpc_call::decode_response_stub(Ndr::Ndr32, &stub).unwrap()
    else {
        panic!()
    };
    (d, payload.to_vec())
}

/// Decrypt a v6 payload to view 2, let `f` edit it, re-encrypt.
fn edit_v6(blob: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut view2 = blob[4..].to_vec();
    crypto::cbc_decrypt(Cipher::V6, &[0; 16], &mut view2);
    f(&mut view2);
    crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut view2);
    [&blob[..4], &view2[..]].concat()
}

fn edit_v5(blob: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let iv = block_at(blob, 4);
    let mut plain = blob[20..].to_vec();
    crypto::cbc_decrypt(Cipher::V5, &iv, &mut plain);
    f(&mut plain);
    crypto::cbc_encrypt(Cipher::V5, &iv, &mut plain);
    [&blob[..20], &plain[..]].concat()
}

fn check_of(r: Result<ActivationResponse, KmsError>) -> ResponseCheck {
    match r {
        Err(KmsError::Response(c)) => c,
        other => panic!("expected a response check failure, got {other:?}"),
    }
}

#[test]
fn tampered_v4_mac_is_named() {
    let (d, blob) = captured(0);
    let ctx = &d.context;
    let mut m = blob.clone();
    *m.last_mut().unwrap() ^= 1;
    assert_eq!(
        check_of(decode_response_blob(ProtocolVersion::V4, &m, ctx)),
        ResponseCheck::MacMismatch
    );
    let mut m = blob.clone();
    m[40] ^= 0x20; // inside the ePID: MAC catches it before the content checks
    assert_eq!(
        check_of(decode_response_blob(ProtocolVersion::V4, &m, ctx)),
        ResponseCheck::MacMismatch
    );
    // Request MAC on the server side.
    let req = rpc_call::decode_request_stub(Ndr::Ndr32, &request_stub(&vectors()[0]))
        .unwrap()
        .to_vec();
    let mut bad = req.clone();
    bad[100] ^= 4;
    assert_eq!(
        decode_request_blob(&bad),
        Err(KmsError::Request(RequestCheck::MacMismatch))
    );
    // A valid MAC over a changed CMID is caught by the echo check.
    let mut cmid = blob.clone();
    let p = 100;
    cmid[8 + p] ^= 1;
    let base_len = 44 + p;
    let mac = crypto::v4_mac(&cmid[..base_len]);
    cmid[base_len..].copy_from_slice(&mac);
    assert!(matches!(
        check_of(decode_response_blob(ProtocolVersion::V4, &cmid, ctx)),
        ResponseCheck::CmidMismatch { .. }
    ));
}

#[test]
fn tampered_v6_fields_are_named() {
    let (d, blob) = captured(2);
    let ctx = &d.context;
    let v6 = ProtocolVersion::V6;
    let p = 100;
    assert!(decode_response_blob(v6, &blob, ctx).is_ok());
    // view-2 offsets: base at 16, RandomXor 60+P, Hash 76+P, HwId 108+P, XoredIVs 116+P,
    // HMAC 132+P.
    let cases: [(usize, ResponseCheck); 5] = [
        (132 + p + 15, ResponseCheck::HmacMismatch),
        (108 + p, ResponseCheck::HmacMismatch),
        (116 + p, ResponseCheck::XoredIvsMismatch),
        (76 + p, ResponseCheck::HashMismatch),
        (60 + p, ResponseCheck::HashMismatch),
    ];
    for (at, check) in cases {
        let m = edit_v6(&blob, |v| v[at] ^= 0x01);
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            check,
            "at {at}"
        );
    }
    // The base response is covered by the HMAC: current count, ePID, time.
    for at in [16 + 44 + p - 12, 16 + 10, 16 + 24 + p] {
        let m = edit_v6(&blob, |v| v[at] ^= 0x01);
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            ResponseCheck::HmacMismatch,
            "at {at}"
        );
    }
    // Padding and size.
    let m = edit_v6(&blob, |v| {
        let n = v.len();
        v[n - 1] = 0x11;
    });
    assert_eq!(
        check_of(decode_response_blob(v6, &m, ctx)),
        ResponseCheck::PaddingInvalid
    );
    let m = edit_v6(&blob, |v| v.extend_from_slice(&[16; 16]));
    assert_eq!(
        check_of(decode_response_blob(v6, &m, ctx)),
        ResponseCheck::SizeMismatch {
            what: "v6 response",
            expected: 260,
            got: 276
        }
    );
    let m = edit_v6(&blob, |v| v[16 + 4] = 99);
    assert_eq!(
        check_of(decode_response_blob(v6, &m, ctx)),
        ResponseCheck::EpidSizeInvalid { size: 99 }
    );
    assert!(matches!(
        check_of(decode_response_blob(v6, &blob[..blob.len() - 3], ctx)),
        ResponseCheck::NotBlockAligned { encrypted_len: 253 }
    ));
    // Clear version.
    let mut m = blob.clone();
    m[2] = 5;
    assert_eq!(
        check_of(decode_response_blob(v6, &m, ctx)),
        ResponseCheck::VersionMismatch {
            request: (0, 6),
            outer: Some((0, 5)),
            inner: (0, 6)
        }
    );
    // A response for another request (different CMID / time in the context).
    let other = RequestContext {
        cmid: Uuid::NIL,
        ..*ctx
    };
    assert!(matches!(
        check_of(decode_response_blob(v6, &blob, &other)),
        ResponseCheck::CmidMismatch { .. }
    ));
    let other = RequestContext {
        client_time: ctx.client_time + 1,
        ..*ctx
    };
    assert!(matches!(
        check_of(decode_response_blob(v6, &blob, &other)),
        ResponseCheck::ClientTimeMismatch { .. }
    ));
    let other = RequestContext {
        div: [0; 16],
        ..*ctx
    };
    assert_eq!(
        check_of(decode_response_blob(v6, &blob, &other)),
        ResponseCheck::HashMismatch
    );
    assert_eq!(
        decode_response_blob(ProtocolVersion::V5, &blob, ctx),
        Err(KmsError::ContextVersionMismatch {
            called: ProtocolVersion::V5,
            context: ProtocolVersion::V6
        })
    );
}

#[test]
fn v6_iv_reuse_is_a_named_check_and_a_sign() {
    let (d, blob) = captured(2);
    let ctx = &d.context;
    let a = decode_response_blob(ProtocolVersion::V6, &blob, ctx).unwrap();
    let quirk = ResponseRandom {
        iv: ctx.iv,
        ..a.response_random()
    };
    let m =
        encode_response_blob(ProtocolVersion::V6, &a.base, a.hwid.unwrap(), ctx, &quirk).unwrap();
    let check = check_of(decode_response_blob(ProtocolVersion::V6, &m, ctx));
    assert_eq!(check, ResponseCheck::ResponseIvReused);
    assert_eq!(
        EmulatorSign::from_check(&check),
        Some(EmulatorSign::V6ResponseIvReused)
    );
    assert_eq!(EmulatorSign::from_check(&ResponseCheck::HmacMismatch), None);
}

#[test]
fn tampered_v5_fields_are_named() {
    let (d, blob) = captured(1);
    let ctx = &d.context;
    let v5 = ProtocolVersion::V5;
    let p = 100;
    assert!(decode_response_blob(v5, &blob, ctx).is_ok());
    let m = edit_v5(&blob, |v| v[44 + p + 16 + 3] ^= 1);
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::HashMismatch
    );
    let m = edit_v5(&blob, |v| v[44 + p] ^= 1);
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::HashMismatch
    );
    // v5 has no integrity over the base response: a changed ePID NUL is caught by the
    // content check, a changed CMID by the echo check.
    let m = edit_v5(&blob, |v| v[8] = 0);
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::EpidContainsNul { at: 0 }
    );
    let m = edit_v5(&blob, |v| v[8 + p - 2] = b'x');
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::EpidNotTerminated
    );
    let m = edit_v5(&blob, |v| {
        v[8] = 0x00;
        v[9] = 0xD8; // lone high surrogate
    });
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::EpidNotUtf16
    );
    let m = edit_v5(&blob, |v| v[8 + p] ^= 1);
    assert!(matches!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::CmidMismatch { .. }
    ));
    let m = edit_v5(&blob, |v| v[2] = 6);
    assert!(matches!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::VersionMismatch {
            inner: (0, 6),
            outer: Some((0, 5)),
            ..
        }
    ));
    // A response encrypted under a different IV (but the right DIV).
    let a = decode_response_blob(v5, &blob, ctx).unwrap();
    let wrong = RequestContext {
        iv: [7; 16],
        ..*ctx
    };
    let m = encode_response_blob(v5, &a.base, [0; 8], &wrong, &a.response_random()).unwrap();
    assert_eq!(
        check_of(decode_response_blob(v5, &m, ctx)),
        ResponseCheck::ResponseIvMismatch
    );
}

#[test]
fn server_request_checks_are_named() {
    let (v6, _) = encode_request_blob(
        ProtocolVersion::V6,
        &notes_request(ProtocolVersion::V6),
        [9; 16],
    );
    assert_eq!(
        decode_request_blob(&v6[..259]),
        Err(KmsError::Request(RequestCheck::SizeMismatch {
            expected: 260,
            got: 259
        }))
    );
    let mut bad = v6.clone();
    bad[2] = 5; // v6 ciphertext read as v5: garbage padding
    assert_eq!(
        decode_request_blob(&bad),
        Err(KmsError::Request(RequestCheck::PaddingInvalid))
    );
    let mut bad = v6.clone();
    bad[2] = 7;
    let e = decode_request_blob(&bad).unwrap_err();
    assert_eq!(e, KmsError::UnsupportedVersion { minor: 0, major: 7 });
    assert_eq!(e.responder_hresult(), HRESULT_ERROR_INVALID_DATA);
    let mut bad = v6.clone();
    bad[0] = 1;
    assert_eq!(
        decode_request_blob(&bad),
        Err(KmsError::UnsupportedVersion { minor: 1, major: 6 })
    );
    // Inner version 5 inside a v6 frame.
    let inner5 = BaseRequest {
        major_version: 5,
        ..notes_request(ProtocolVersion::V6)
    };
    let (mixed, _) = encode_request_blob(ProtocolVersion::V6, &inner5, [9; 16]);
    assert_eq!(
        decode_request_blob(&mixed),
        Err(KmsError::Request(RequestCheck::VersionMismatch {
            outer: (0, 6),
            inner: (0, 5)
        }))
    );
    assert!(matches!(
        decode_request(&[1, 2]),
        Err(KmsError::Stub(StubError::Truncated { .. }))
    ));
}

#[test]
fn encode_response_refuses_bad_epids() {
    let ctx = encode_request_blob(
        ProtocolVersion::V6,
        &notes_request(ProtocolVersion::V6),
        [1; 16],
    )
    .1;
    let mut base = BaseResponse::for_request(&ctx, &"9".repeat(63), 50, 120, 10080);
    let r = ResponseRandom {
        iv: [2; 16],
        random: [3; 16],
    };
    let blob = encode_response_blob(ProtocolVersion::V6, &base, [4; 8], &ctx, &r).unwrap();
    assert_eq!(blob.len(), ProtocolVersion::V6.response_len(128));
    let back = decode_response_blob(ProtocolVersion::V6, &blob, &ctx).unwrap();
    assert_eq!(back.base, base);
    assert_eq!(back.hwid, Some([4; 8]));
    assert_eq!(back.random, Some([3; 16]));
    assert_eq!(back.response_iv, Some([2; 16]));
    base.epid.push('9');
    assert_eq!(
        encode_response_blob(ProtocolVersion::V6, &base, [4; 8], &ctx, &r),
        Err(KmsError::EpidTooLong { units: 64 })
    );
    base.epid = "a\0b".into();
    assert_eq!(base.encode(), Err(KmsError::EpidContainsNul));
}

#[test]
fn round_trip_every_version_and_size() {
    // Every ePID length 1..=63, every version: the server's answer passes the client.
    for version in [
        ProtocolVersion::V4,
        ProtocolVersion::V5,
        ProtocolVersion::V6,
    ] {
        let req = BaseRequest {
            major_version: version.major(),
            ..notes_request(version)
        };
        let (stub, ctx) = encode_request(version, &req, [0x5a; 16]);
        let d = decode_request(&stub).unwrap();
        assert_eq!(d.context, ctx);
        for n in 1..=63 {
            let base = BaseResponse::for_request(&ctx, &"7".repeat(n), 3, 15, 43_200);
            let r = ResponseRandom {
                iv: [n as u8; 16],
                random: [0xc3; 16],
            };
            let stub = encode_response(version, &base, [1; 8], &d.context, &r).unwrap();
            let Response::Activated(a) = decode_response(version, &stub, &ctx).unwrap() else {
                panic!()
            };
            assert_eq!(a.base, base);
            assert_eq!(a.size, version.response_len(2 * n + 2));
        }
    }
}

// ---- hostile input -------------------------------------------------------------------------

fn decode_all(blob: &[u8], ctxs: &[RequestContext]) {
    for ctx in ctxs {
        for v in [
            ProtocolVersion::V4,
            ProtocolVersion::V5,
            ProtocolVersion::V6,
        ] {
            let _ = decode_response_blob(v, blob, ctx);
            let _ = decode_response(v, blob, ctx);
        }
    }
    let _ = decode_request_blob(blob);
    let _ = decode_request(blob);
    let _ = BaseRequest::decode(blob);
    let _ = parse_epid(&String::from_utf8_lossy(blob));
}

#[test]
fn hostile_every_prefix_and_bit_flip_of_every_capture() {
    for v in vectors() {
        let name = &v.name;
        let d = decode_request(&request_stub(&v)).unwrap();
        let ctx = d.context;
        let ctxs = [ctx];
        let req_stub = request_stub(&v);
        let req_blob = rpc_call::decode_request_stub(Ndr::Ndr32, &req_stub)
            .unwrap()
            .to_vec();
        let resp_stub = response_stub(&v);
        let resp = decode_response(d.version, &resp_stub, &ctx).unwrap();
        let resp_blob = match rpc_call::decode_response_stub(Ndr::Ndr32, &resp_stub) {
            Ok(ResponseStub::Data { payload, .. }) => payload.to_vec(),
            _ => resp_stub.clone(),
        };
        for n in 0..req_blob.len() {
            assert!(decode_request_blob(&req_blob[..n]).is_err(), "{name} {n}");
            decode_all(&req_blob[..n], &ctxs);
        }
        for n in 0..req_stub.len() {
            assert!(decode_request(&req_stub[..n]).is_err(), "{name} {n}");
        }
        for n in 0..resp_stub.len() {
            assert!(
                decode_response(d.version, &resp_stub[..n], &ctx).is_err(),
                "{name}: response stub prefix {n}"
            );
        }
        for n in 0..resp_blob.len() {
            assert!(
                decode_response_blob(d.version, &resp_blob[..n], &ctx).is_err(),
                "{name}: response prefix {n}"
            );
            decode_all(&resp_blob[..n], &ctxs);
        }
        for bit in 0..req_blob.len() * 8 {
            let mut m = req_blob.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            let r = decode_request_blob(&m);
            // v4 is MAC-protected. v5/v6 requests have no integrity check at all: a flip
            // may decode to different fields, or to the same ones when it lands in the
            // zero fill after the workstation name's NUL, which decoding ignores.
            if d.version == ProtocolVersion::V4 {
                assert!(r.is_err(), "{name}: request bit {bit}");
            }
        }
        if matches!(resp, Response::Error(_)) {
            for bit in 0..resp_stub.len() * 8 {
                let mut m = resp_stub.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                let r = decode_response(d.version, &m, &ctx);
                // §1.8: referent 0 *or* size 0 means "read the HRESULT", so one flipped
                // leading word still gives the same error; a flipped HRESULT never does.
                if bit / 8 >= 8 {
                    assert_ne!(r, Ok(resp.clone()), "{name}: error stub bit {bit}");
                }
            }
            continue;
        }
        for bit in 0..resp_stub.len() * 8 {
            let mut m = resp_stub.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            let r = decode_response(d.version, &m, &ctx);
            if (4..8).contains(&(bit / 8)) {
                // The referent id: any non-zero value is a valid NDR pointer.
                continue;
            }
            match d.version {
                // MAC / HMAC cover everything: a flip never yields an activation.
                ProtocolVersion::V4 | ProtocolVersion::V6 => assert!(
                    !matches!(r, Ok(Response::Activated(_))),
                    "{name}: response stub bit {bit}: {r:?}"
                ),
                // v5 protects only Random; a flip inside the base response can survive.
                ProtocolVersion::V5 => assert_ne!(r, Ok(resp.clone()), "{name}: bit {bit}"),
            }
        }
        for bit in 0..resp_blob.len() * 8 {
            let mut m = resp_blob.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            let r = decode_response_blob(d.version, &m, &ctx);
            if d.version != ProtocolVersion::V5 {
                assert!(r.is_err(), "{name}: response bit {bit}");
            }
            decode_all(&m, &ctxs);
        }
    }
}

#[test]
fn hostile_random_payloads() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (_, ctx) = encode_request_blob(
        ProtocolVersion::V6,
        &notes_request(ProtocolVersion::V6),
        [0; 16],
    );
    for round in 0..3000 {
        let len = (next() % 400) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 3 == 0 && len >= 8 {
            // Plausible headers: version 4..6 and a plausible ePID size.
            b[..8].copy_from_slice(&[0, 0, 4 + (round % 3) as u8, 0, 100, 0, 0, 0]);
        }
        decode_all(&b, &[ctx]);
        // Valid v6 structure with random content: exercises the inner parsers.
        if round % 2 == 0 {
            let mut view2 = b.clone();
            crypto::pkcs7_pad(&mut view2);
            crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut view2);
            let blob = [&[0u8, 0, 6, 0][..], &view2].concat();
            assert!(decode_response_blob(ProtocolVersion::V6, &blob, &ctx).is_err());
        }
    }
}

// ---- ePID and signs ------------------------------------------------------------------------

#[test]
fn epid_parsing() {
    let e = parse_epid("06401-00206-560-594696-03-1033-9600.0000-2962018").unwrap();
    assert_eq!(
        e,
        Epid {
            platform_id: 6401,
            group_id: 206,
            key_id: 560_594_696,
            channel: 3,
            lcid: 1033,
            build: 9600,
            day_of_year: 296,
            year: 2018,
        }
    );
    assert_eq!(e.activation_date(), Some((2018, 10, 23)));
    assert_eq!(e.platform_name(), Some("Windows 8.1 / Server 2012 R2"));
    assert_eq!(e.csvlk_name(), Some("Server 2019"));
    assert_eq!(e.expected_platform(), Some(6401));
    let e = parse_epid("55041-00096-199-000000-03-1031-7601.0000-0012010").unwrap();
    assert_eq!(e.csvlk_name(), Some("Office 2010"));
    assert_eq!(e.activation_date(), Some((2010, 1, 1)));
    for (bad, err) in [
        ("", EpidError::PartCount { found: 1 }),
        (
            "06401-00206-560-594696-03-1033-9600.0000",
            EpidError::PartCount { found: 7 },
        ),
        (
            "6401-00206-560-594696-03-1033-9600.0000-2962018",
            EpidError::Field {
                field: "platform id",
                text: "6401".into(),
            },
        ),
        (
            "06401-00206-560-594696-03-1033-9600-2962018",
            EpidError::BuildSuffix {
                text: "9600".into(),
            },
        ),
        (
            "06401-00206-560-59469x-03-1033-9600.0000-2962018",
            EpidError::Field {
                field: "key id (low part)",
                text: "59469x".into(),
            },
        ),
        (
            "06401-00206-560-594696-03-+033-9600.0000-2962018",
            EpidError::Field {
                field: "LCID",
                text: "+033".into(),
            },
        ),
        (
            "06401-00206-560-594696-03-1033-.0000-2962018",
            EpidError::Field {
                field: "build",
                text: "".into(),
            },
        ),
        (
            "06401-00206-560-594696-03-1033-9600.0000-296201",
            EpidError::Field {
                field: "activation date (DDDYYYY)",
                text: "296201".into(),
            },
        ),
    ] {
        assert_eq!(parse_epid(bad), Err(err.clone()), "{bad}");
        assert!(!err.to_string().is_empty());
    }
    assert!(parse_epid("é6401-00206-560-594696-03-1033-9600.0000-2962018").is_err());
}

fn synthetic(epid: &str, count: u32, hwid: Option<[u8; 8]>) -> ActivationResponse {
    ActivationResponse {
        version: ProtocolVersion::V6,
        base: BaseResponse {
            minor_version: 0,
            major_version: 6,
            epid: epid.into(),
            cmid: Uuid::NIL,
            client_time: 0,
            current_count: count,
            activation_interval: 120,
            renewal_interval: 10080,
        },
        hwid,
        response_iv: Some([1; 16]),
        random: Some([2; 16]),
        hmac_slot_offset: Some(0),
        size: 260,
    }
}

#[test]
fn signs_from_the_notes() {
    let req = notes_request(ProtocolVersion::V6); // 2024-09-06, N = 25
    let inputs = SignInputs {
        request: &req,
        threshold: 25,
        previous_epid: None,
        bind: None,
    };
    // The §2.8 lab example: Server-2019 key range on build 6002 with platform 03612.
    let r = synthetic(
        "03612-00206-556-123727-03-1033-6002.0000-0002030",
        51,
        Some(PY_KMS_DEFAULT_HWID),
    );
    let signs = emulator_signs(&r, &inputs);
    assert_eq!(
        signs,
        vec![
            EmulatorSign::KnownEmulatorHwId {
                hwid: PY_KMS_DEFAULT_HWID,
                emulator: "py-kms"
            },
            EmulatorSign::CountAboveCap { count: 51, cap: 50 },
            EmulatorSign::EpidPlatformBuildMismatch {
                platform_id: 3612,
                build: 6002,
                expected_platform: 55041
            },
            EmulatorSign::EpidInvalidDay {
                day_of_year: 0,
                year: 2030
            },
        ]
    );
    // Future date relative to the request (2024-09-06 is day 250).
    let r = synthetic(
        "03612-00206-556-123727-03-1033-17763.0000-2512024",
        7,
        Some([9; 8]),
    );
    assert_eq!(
        emulator_signs(&r, &inputs),
        vec![EmulatorSign::EpidDateInFuture {
            day_of_year: 251,
            year: 2024
        }]
    );
    let r = synthetic(
        "03612-00206-556-123727-03-1033-17763.0000-2502024",
        7,
        Some([9; 8]),
    );
    assert_eq!(emulator_signs(&r, &inputs), vec![]);
    assert_eq!(filetime_year_day(req.client_time), (2024, 250));
    // Bind-level signs: NDR64 refused on a modern build, py-kms assoc group and flags.
    let bind = BindRequest {
        header: crate::dcerpc::PduHeader::new(PTYPE_BIND, 3, 2),
        ..BindRequest::kms_windows_style(2)
    };
    let ack = crate::dcerpc::BindAck {
        header: crate::dcerpc::PduHeader::new(PTYPE_BIND_ACK, 0x13, 2),
        max_xmit_frag: 5840,
        max_recv_frag: 5840,
        assoc_group_id: PY_KMS_ASSOC_GROUP,
        secondary_address: "1688".into(),
        results: vec![
            crate::dcerpc::ContextResult::accepted(crate::dcerpc::NDR32),
            crate::dcerpc::ContextResult::provider_rejection(2),
            crate::dcerpc::ContextResult::negotiate_ack(3),
        ],
    };
    let signs = emulator_signs(
        &r,
        &SignInputs {
            bind: Some((&bind, &ack)),
            ..inputs
        },
    );
    assert_eq!(
        signs,
        vec![
            EmulatorSign::NoNdr64OnModernBuild { build: 17763 },
            EmulatorSign::PyKmsAssocGroup,
            EmulatorSign::BindAckConcMpxNotRequested { flags: 0x13 },
        ]
    );
    for s in signs {
        assert!(!s.describe().is_empty());
    }
}

#[test]
fn names_and_time_helpers() {
    assert_eq!(
        hresult_name(SL_E_VL_INVALID_TIMESTAMP),
        Some("SL_E_VL_INVALID_TIMESTAMP")
    );
    assert_eq!(hresult_name(1), None);
    assert_eq!(license_status_name(2), "OOB grace");
    assert_eq!(
        filetime_to_unix(unix_to_filetime(1_800_000_000)),
        1_800_000_000
    );
    assert_eq!(format_filetime(0), "1601-01-01 00:00:00");
    assert!(format_filetime(u64::MAX).starts_with("60056-"));
    assert_eq!(ProtocolVersion::try_from(6), Ok(ProtocolVersion::V6));
    assert!(ProtocolVersion::try_from(7).is_err());
    assert_eq!(ProtocolVersion::V6.to_string(), "6.0");
    assert_eq!(ProtocolVersion::V4.response_len(100), 160);
    assert_eq!(ProtocolVersion::V5.response_len(100), 228);
    assert_eq!(ProtocolVersion::V5.response_len(98), 212);
    assert_eq!(ProtocolVersion::V6.response_len(98), 260);
    let e = KmsError::Response(ResponseCheck::HmacMismatch);
    assert_eq!(
        e.to_string(),
        "KMS response check failed: v6 HMAC does not match for time slots -1, 0 or +1"
    );
    assert_eq!(e.response_check(), Some(&ResponseCheck::HmacMismatch));
}
