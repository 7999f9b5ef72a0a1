//! Fuzz target: arbitrary bytes into every decoder a KMS client (and the lab responder) runs
//! on untrusted input — RPC reply PDUs, NDR32/NDR64 response stubs, v4/v5/v6 response
//! payloads with their validation, request payloads, ePID parsing and emulator signs.
//!
//! Random bytes almost never pass the v5/v6 decryption checks, so the same bytes are also
//! fed as *plaintext*: encrypted with the real keys into a well-formed v5/v6 payload, which
//! drives the inner parsers (ePID, sizes, Hash, XoredIVs, HMAC) that a plain byte soup never
//! reaches. Invariants: no panic; anything that validates re-encodes to the same bytes.

#![no_main]

use kms_preflight_wire::dcerpc::Uuid;
use kms_preflight_wire::kms::{
    self, crypto, crypto::Cipher, ActivationResponse, BaseRequest, ProtocolVersion, RequestContext,
    SignInputs,
};
use kms_preflight_wire::rpc_call::{self, Ndr};
use libfuzzer_sys::fuzz_target;

const VERSIONS: [ProtocolVersion; 3] = [
    ProtocolVersion::V4,
    ProtocolVersion::V5,
    ProtocolVersion::V6,
];

fn request(version: ProtocolVersion) -> BaseRequest {
    BaseRequest::new(
        version,
        Uuid::from_fields(
            0x55c9_2734,
            0xd682,
            0x4d71,
            [0x98, 0x3e, 0xd6, 0xec, 0x3f, 0x16, 0x05, 0x9f],
        ),
        Uuid::from_fields(
            0x7311_1121,
            0x5638,
            0x40f6,
            [0xbc, 0x11, 0xf1, 0xd7, 0xb0, 0xd6, 0x43, 0x00],
        ),
        Uuid::from_fields(
            0x58e2_134f,
            0x8e11,
            0x4d17,
            [0x9c, 0xb2, 0x91, 0x06, 0x9c, 0x15, 0x11, 0x48],
        ),
        Uuid::from_fields(
            0x0011_2233,
            0x4455,
            0x4677,
            [0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff],
        ),
        25,
        0x01DB_0000_0000_0000,
        "FUZZ",
    )
}

/// The request context of each version, computed once (it is constant).
fn context(version: ProtocolVersion) -> RequestContext {
    static CONTEXTS: std::sync::OnceLock<[RequestContext; 3]> = std::sync::OnceLock::new();
    let all = CONTEXTS.get_or_init(|| {
        let iv: [u8; 16] = std::array::from_fn(|i| i as u8);
        VERSIONS.map(|v| kms::encode_request_blob(v, &request(v), iv).1)
    });
    all[usize::from(version.major() - 4)]
}

/// Whatever validates must be exactly what the server encoder produces from its fields.
fn check_reencode(a: &ActivationResponse, ctx: &RequestContext, blob: &[u8]) {
    let again = kms::encode_response_blob(
        a.version,
        &a.base,
        a.hwid.unwrap_or_default(),
        ctx,
        &a.response_random(),
    )
    .expect("a validated response re-encodes");
    assert_eq!(
        again, blob,
        "validated response must re-encode byte for byte"
    );
    let req = request(a.version);
    let _ = kms::emulator_signs(
        a,
        &SignInputs {
            request: &req,
            threshold: 25,
            previous_epid: Some("x"),
            bind: None,
        },
    );
}

fuzz_target!(|data: &[u8]| {
    // RPC layer.
    let _ = rpc_call::decode_call_reply(data);
    let _ = rpc_call::decode_request_pdu(data);
    for ndr in [Ndr::Ndr32, Ndr::Ndr64] {
        let _ = rpc_call::decode_response_stub(ndr, data);
        let _ = rpc_call::decode_request_stub(ndr, data);
    }
    if let Ok(rpc_call::CallReply::Response(r)) = rpc_call::decode_call_reply(data) {
        for v in VERSIONS {
            let _ = kms::decode_response(v, &r.stub, &context(v));
        }
    }
    // KMS payload as bytes, as an NDR32 stub, and as server input.
    for v in VERSIONS {
        let ctx = context(v);
        if let Ok(a) = kms::decode_response_blob(v, data, &ctx) {
            check_reencode(&a, &ctx, data);
        }
        let _ = kms::decode_response(v, data, &ctx);
    }
    let _ = kms::decode_request_blob(data);
    let _ = kms::decode_request(data);
    let _ = BaseRequest::decode(data);
    let _ = kms::parse_epid(&String::from_utf8_lossy(data));

    // The same bytes as the plaintext of well-formed v5 and v6 payloads.
    let mut plain = data.to_vec();
    crypto::pkcs7_pad(&mut plain);
    let ctx6 = context(ProtocolVersion::V6);
    let mut v6 = plain.clone();
    crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut v6);
    let blob6 = [&[0u8, 0, 6, 0][..], &v6].concat();
    if let Ok(a) = kms::decode_response_blob(ProtocolVersion::V6, &blob6, &ctx6) {
        check_reencode(&a, &ctx6, &blob6);
    }
    let ctx5 = context(ProtocolVersion::V5);
    let mut v5 = plain;
    crypto::cbc_encrypt(Cipher::V5, &ctx5.iv, &mut v5);
    let blob5 = [&[0u8, 0, 5, 0][..], &ctx5.iv, &v5].concat();
    if let Ok(a) = kms::decode_response_blob(ProtocolVersion::V5, &blob5, &ctx5) {
        check_reencode(&a, &ctx5, &blob5);
    }
});
