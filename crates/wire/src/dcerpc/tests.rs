//! Unit tests on hand-built PDUs and the captured KMS conversations.

use super::framing::*;
use super::*;
use crate::testjson::{hex, vectors};

#[test]
fn uuid_wire_layout_matches_notes() {
    assert_eq!(
        KMS_INTERFACE_UUID.to_wire().to_vec(),
        hex("7521c8514e845047b0d8ec255555bc06")
    );
    assert_eq!(
        NDR32_UUID.to_wire().to_vec(),
        hex("045d888aeb1cc9119fe808002b104860")
    );
    assert_eq!(
        NDR64_UUID.to_wire().to_vec(),
        hex("33057171babe37498319b5dbef9ccc36")
    );
    assert_eq!(
        BTFN.uuid.to_wire().to_vec(),
        hex("2c1cb76c12984045 0300000000000000")
    );
    assert_eq!(
        BTFN.uuid.to_string(),
        "6cb71c2c-9812-4540-0300-000000000000"
    );
    assert_eq!(btfn_bitmask(&BTFN.uuid), Some(3));
    assert_eq!(btfn_bitmask(&NDR32_UUID), None);
    let w = KMS_INTERFACE_UUID.to_wire();
    assert_eq!(Uuid::from_wire(w), KMS_INTERFACE_UUID);
}

#[test]
fn uuid_text_round_trip_and_rejects() {
    let text = "51c82175-844e-4750-b0d8-ec255555bc06";
    assert_eq!(Uuid::parse(text), Ok(KMS_INTERFACE_UUID));
    assert_eq!(KMS_INTERFACE_UUID.to_string(), text);
    assert_eq!(
        "{8A885D04-1CEB-11C9-9FE8-08002B104860}".parse::<Uuid>(),
        Ok(NDR32_UUID)
    );
    for bad in [
        "",
        "51c82175-844e-4750-b0d8-ec255555bc0",
        "51c82175-844e-4750-b0d8-ec255555bc066",
        "51c82175x844e-4750-b0d8-ec255555bc06",
        "51c82175-844e-4750-b0d8-ec255555bcg6",
        "51c82175-844e-4750-b0d8-ec255555bc\u{e9}",
        "51c82175844e4750b0d8ec255555bc06----",
    ] {
        assert_eq!(Uuid::parse(bad), Err(ParseUuidError), "{bad:?}");
    }
}

#[test]
fn kms_probe_is_the_72_byte_bind_from_the_notes() {
    let bytes = encode_bind(&BindRequest::kms_probe(2));
    let expected = hex(
        "05000b03 10000000 4800 0000 02000000 d016 d016 00000000 01 000000
         0000 01 00 7521c8514e845047b0d8ec255555bc06 0100 0000
         045d888aeb1cc9119fe808002b104860 02000000",
    );
    assert_eq!(bytes, expected);
    assert_eq!(
        decode_bind(&bytes),
        Ok(BindRequest {
            header: PduHeader {
                frag_length: 72,
                ..PduHeader::new(PTYPE_BIND, 3, 2)
            },
            ..BindRequest::kms_probe(2)
        })
    );
    assert_eq!(encode_bind(&BindRequest::kms_windows_style(2)).len(), 160);
}

#[test]
fn every_vector_bind_and_bind_ack() {
    for v in vectors() {
        let name = &v.name;
        let bind_bytes = v.first("c2s");
        let bind = decode_bind(bind_bytes).unwrap_or_else(|e| panic!("{name}: bind: {e}"));
        assert_eq!(bind.header.ptype, PTYPE_BIND, "{name}");
        assert_eq!(bind.header.call_id, 2, "{name}");
        assert_eq!(
            usize::from(bind.header.frag_length),
            bind_bytes.len(),
            "{name}"
        );
        assert_eq!(
            (bind.max_xmit_frag, bind.max_recv_frag),
            (5840, 5840),
            "{name}"
        );
        assert_eq!(bind.assoc_group_id, 0, "{name}");
        assert!(bind
            .contexts
            .iter()
            .all(|c| c.abstract_syntax == KMS_INTERFACE));
        // Re-encode from the decoded fields, byte for byte.
        assert_eq!(encode_bind(&bind), bind_bytes, "{name}: re-encoded bind");

        let ack_bytes = v.first("s2c");
        let ack = decode_bind_ack(ack_bytes).unwrap_or_else(|e| panic!("{name}: ack: {e}"));
        assert_eq!(ack.header.ptype, PTYPE_BIND_ACK, "{name}");
        assert_eq!(ack.header.call_id, bind.header.call_id, "{name}");
        assert_eq!(
            ack.header.flags, bind.header.flags,
            "{name}: flags mirrored"
        );
        assert_eq!(
            (ack.max_xmit_frag, ack.max_recv_frag),
            (5840, 5840),
            "{name}"
        );
        assert_ne!(ack.assoc_group_id, 0, "{name}");
        // The capture's emulator listened on 11688: a 5-digit port (L = 6).
        assert_eq!(ack.secondary_address, "11688", "{name}");
        assert_eq!(ack.results.len(), bind.contexts.len(), "{name}");
        assert_eq!(
            encode_bind_ack(&ack),
            ack_bytes,
            "{name}: re-encoded bind_ack"
        );
        assert_eq!(
            decode_server_pdu(ack_bytes),
            Ok(ServerPdu::BindAck(ack.clone()))
        );

        if bind.contexts.len() == 1 {
            // NDR32 only, no BTFN, no PFC_CONC_MPX.
            assert_eq!(bind.header.flags, PFC_FIRST_FRAG | PFC_LAST_FRAG, "{name}");
            assert_eq!(
                bind,
                BindRequest {
                    header: PduHeader {
                        frag_length: 72,
                        ..bind.header
                    },
                    ..BindRequest::kms_probe(2)
                }
            );
            assert_eq!(ack.results, vec![ContextResult::accepted(NDR32)], "{name}");
            assert_eq!(
                kms_bind_verdict(&bind, &ack),
                KmsBindVerdict::Accepted {
                    context_id: 0,
                    transfer_syntax: NDR32
                }
            );
        } else {
            // Windows 8+-style three contexts; this emulator models an NDR64 host.
            assert_eq!(
                bind,
                BindRequest {
                    header: PduHeader {
                        frag_length: 160,
                        ..bind.header
                    },
                    ..BindRequest::kms_windows_style(2)
                }
            );
            assert_eq!(
                ack.results,
                vec![
                    ContextResult::provider_rejection(REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED),
                    ContextResult::accepted(NDR64),
                    ContextResult::negotiate_ack(3),
                ],
                "{name}"
            );
            assert_eq!(
                ack.results[0].describe(),
                "provider_rejection (proposed_transfer_syntaxes_not_supported)"
            );
            assert_eq!(ack.results[2].describe(), "negotiate_ack (bitmask 0x3)");
            assert_eq!(
                kms_bind_verdict(&bind, &ack),
                KmsBindVerdict::Accepted {
                    context_id: 1,
                    transfer_syntax: NDR64
                }
            );
        }
    }
}

#[test]
fn every_vector_later_chunks() {
    for v in vectors() {
        let name = &v.name;
        for (dir, bytes) in &v.chunks {
            let header = decode_pdu_header(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(usize::from(header.frag_length), bytes.len(), "{name}");
            assert_eq!(peek_frag_length(&bytes[..10]), Ok(header.frag_length));
            match (dir.as_str(), header.ptype) {
                ("c2s", PTYPE_ALTER_CONTEXT) => {
                    let alter = decode_bind(bytes).unwrap();
                    assert_eq!(alter.contexts.len(), 1, "{name}");
                    assert_eq!(alter.contexts[0].transfer_syntaxes, vec![NDR32]);
                    assert_eq!(encode_bind(&alter), *bytes, "{name}: alter_context");
                }
                ("s2c", PTYPE_ALTER_CONTEXT_RESP) => {
                    // Secondary address length 0, results at 28, junk pad "11".
                    let resp = decode_bind_ack(bytes).unwrap();
                    assert_eq!(resp.secondary_address, "", "{name}");
                    assert_eq!(resp.results, vec![ContextResult::accepted(NDR32)]);
                    assert_eq!(bytes.get(26..28), Some(&b"11"[..]), "{name}: junk pad");
                }
                ("s2c", PTYPE_RESPONSE) => {
                    assert_eq!(decode_server_pdu(bytes), Ok(ServerPdu::Other { header }));
                }
                ("c2s", PTYPE_BIND | PTYPE_REQUEST) | ("s2c", PTYPE_BIND_ACK) => {}
                other => panic!("{name}: unexpected chunk {other:?}"),
            }
        }
    }
}

#[test]
fn vlmcsd_fault_from_the_notes() {
    let bytes = hex("05000323 10000000 20000000 02000000 20000000 0000 d4 ad 03000 11c 00000000");
    let ServerPdu::Fault(f) = decode_server_pdu(&bytes).unwrap() else {
        panic!("not a fault")
    };
    assert_eq!(f.status, NCA_S_UNK_IF);
    assert_eq!(f.status_name(), Some("nca_s_unk_if"));
    assert!(f.did_not_execute());
    assert_eq!(f.header.call_id, 2);
}

#[test]
fn bind_nak_round_trip_and_names() {
    let h = PduHeader::new(PTYPE_BIND_NAK, 3, 7);
    let bytes = encode_bind_nak(&h, NAK_PROTOCOL_VERSION_NOT_SUPPORTED, &[(5, 0)]);
    assert_eq!(bytes.len(), 21);
    let ServerPdu::BindNak(nak) = decode_server_pdu(&bytes).unwrap() else {
        panic!("not a bind_nak")
    };
    assert_eq!(nak.reason, 4);
    assert_eq!(nak.reason_name(), "protocol_version_not_supported");
    assert_eq!(nak.versions, vec![(5, 0)]);
    assert_eq!(nak.signature, None);
    // With the MS extended error signature appended and frag_length patched.
    let mut ext = bytes.clone();
    ext.extend_from_slice(&BIND_NAK_EXTENDED_ERROR_SIGNATURE.to_wire());
    ext[8] = ext.len() as u8;
    let nak = decode_bind_nak(&ext).unwrap();
    assert!(nak.has_extended_error_info());
    assert_eq!(bind_nak_reason_name(1), "temporary_congestion");
    assert_eq!(bind_nak_reason_name(200), "unknown reason");
}

#[test]
fn verdicts_for_rejections_and_mismatch() {
    let bind = BindRequest::kms_probe(2);
    let mut ack = BindAck {
        header: PduHeader::new(PTYPE_BIND_ACK, 3, 2),
        max_xmit_frag: 5840,
        max_recv_frag: 5840,
        assoc_group_id: 1,
        secondary_address: "1688".into(),
        results: vec![ContextResult::provider_rejection(1)],
    };
    let bytes = encode_bind_ack(&ack);
    assert_eq!(bytes.len(), 60);
    assert_eq!(&bytes[24..31], b"\x05\x001688\x00");
    match kms_bind_verdict(&bind, &ack) {
        KmsBindVerdict::Rejected { outcomes } => {
            assert_eq!(
                outcomes[0].result.describe(),
                "provider_rejection (abstract_syntax_not_supported)"
            );
        }
        other => panic!("{other:?}"),
    }
    ack.results.clear();
    assert_eq!(
        kms_bind_verdict(&bind, &ack),
        KmsBindVerdict::ResultCountMismatch {
            offered: 1,
            answered: 0
        }
    );
    // A BTFN answer alone is never a usable context.
    let mut bind2 = bind.clone();
    bind2.contexts[0].transfer_syntaxes = vec![BTFN];
    ack.results = vec![ContextResult::negotiate_ack(3)];
    assert!(matches!(
        kms_bind_verdict(&bind2, &ack),
        KmsBindVerdict::Rejected { .. }
    ));
}

#[test]
fn error_messages_are_precise() {
    let http = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    let e = decode_server_pdu(http).unwrap_err();
    assert_eq!(
        e,
        WireError::WrongVersion {
            major: b'H',
            minor: b'T'
        }
    );
    assert_eq!(
        printable_prefix(http, 26),
        "HTTP/1.1 400 Bad Request\\r\\n..."
    );
    assert_eq!(printable_prefix(b"\x05\x00\\", 10), "\\x05\\x00\\\\");
    let probe = encode_bind(&BindRequest::kms_probe(2));
    let e = decode_bind(&probe[..40]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "truncated: PDU (per frag_length) at offset 0 needs 72 bytes, but only 40 bytes were \
         received"
    );
    // frag_length shrunk to 50: the first context element runs past it.
    let mut short = probe.clone();
    short[8] = 50;
    assert_eq!(
        decode_bind(&short).unwrap_err().to_string(),
        "frag_length 50 inconsistent: abstract syntax at offset 32 needs 20 bytes and runs \
         past the end of the PDU"
    );
    assert_eq!(
        decode_bind_ack(&probe).unwrap_err().to_string(),
        "expected a bind_ack or alter_context_resp PDU, got PTYPE 11 (bind)"
    );
    let mut be = probe.clone();
    be[4] = 0x00;
    assert!(decode_pdu_header(&be)
        .unwrap_err()
        .to_string()
        .contains("00 00 00 00"));
    assert_eq!(
        decode_pdu_header(&probe[..12]).unwrap_err(),
        WireError::Truncated {
            what: "PDU header",
            offset: 0,
            needed: 16,
            available: 12
        }
    );
}

/// Every decoder on one input; must return, never panic.
fn decode_all(bytes: &[u8]) {
    let _ = peek_frag_length(bytes);
    let _ = decode_pdu_header(bytes);
    let _ = decode_server_pdu(bytes);
    let _ = decode_bind(bytes);
    let _ = decode_bind_ack(bytes);
    let _ = decode_bind_nak(bytes);
    let _ = decode_fault(bytes);
    let _ = printable_prefix(bytes, 64);
    if let Ok(b) = decode_bind(bytes) {
        // Whatever decodes must survive encode -> decode unchanged (trailing bytes inside
        // frag_length are tolerated by the decoder, so lengths may differ).
        let again = decode_bind(&encode_bind(&b)).expect("re-encoded bind decodes");
        assert_eq!(again.contexts, b.contexts);
        assert_eq!(again.header.call_id, b.header.call_id);
    }
    if let Ok(a) = decode_bind_ack(bytes) {
        let _ = encode_bind_ack(&a);
    }
}

#[test]
fn hostile_every_truncation_of_every_vector() {
    for v in vectors() {
        for (_, bytes) in &v.chunks {
            for n in 0..=bytes.len() {
                decode_all(&bytes[..n]);
            }
            // Also every single-byte corruption of the bind/ack-sized PDUs.
            if bytes.len() <= 160 {
                for i in 0..bytes.len() {
                    for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                        let mut m = bytes.clone();
                        m[i] = x;
                        decode_all(&m);
                    }
                }
            }
        }
    }
}

#[test]
fn hostile_random_bytes() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..20_000 {
        let len = (next() % 300) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Half the time, make the header look valid so the body parsers get exercised.
        if round % 2 == 0 && buf.len() >= 16 {
            buf[..8].copy_from_slice(&[5, 0, [3, 11, 12, 13, 14, 15][round % 6], 3, 0x10, 0, 0, 0]);
            let frag = (len as u16).wrapping_sub((next() % 4) as u16);
            buf[8..10].copy_from_slice(&frag.to_le_bytes());
            buf[10..12].copy_from_slice(&[0, 0]);
        }
        decode_all(&buf);
    }
}

#[test]
fn hostile_huge_counts_and_lengths() {
    // frag_length 65535 with only a header present.
    let mut h = encode_bind(&BindRequest::kms_probe(2));
    h[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(matches!(
        decode_bind(&h),
        Err(WireError::Truncated { needed: 65535, .. })
    ));
    // A real 65535-byte buffer claiming 255 contexts with 255 transfer syntaxes each.
    let mut big = vec![0xffu8; 65535];
    big[..16].copy_from_slice(&[5, 0, 11, 3, 0x10, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
    decode_all(&big);
    big[2] = 12; // bind_ack: secondary address length 0xffff runs past the end
    assert!(matches!(
        decode_bind_ack(&big),
        Err(WireError::FragLengthInconsistent {
            what: "secondary address",
            ..
        })
    ));
    // frag_length below the header size.
    let mut tiny = h.clone();
    tiny[8..10].copy_from_slice(&5u16.to_le_bytes());
    assert_eq!(
        peek_frag_length(&tiny),
        Err(WireError::FragLengthTooSmall {
            frag_length: 5,
            minimum: 16
        })
    );
    // Zero contexts / zero transfer syntaxes decode fine and round-trip.
    let mut empty = BindRequest::kms_probe(9);
    empty.contexts[0].transfer_syntaxes.clear();
    let bytes = encode_bind(&empty);
    assert_eq!(bytes.len(), 52);
    assert_eq!(
        decode_bind(&bytes).unwrap().contexts[0].transfer_syntaxes,
        vec![]
    );
    empty.contexts.clear();
    let bytes = encode_bind(&empty);
    assert_eq!(bytes.len(), 28);
    assert_eq!(decode_bind(&bytes).unwrap().contexts, vec![]);
    // Oversized requests are clamped into a consistent PDU instead of panicking.
    let ctx = PresentationContext {
        context_id: 0,
        abstract_syntax: KMS_INTERFACE,
        transfer_syntaxes: vec![NDR32; 300],
    };
    let huge = BindRequest {
        contexts: vec![ctx; 300],
        ..BindRequest::kms_probe(1)
    };
    let bytes = encode_bind(&huge);
    let back = decode_bind(&bytes).unwrap();
    assert_eq!(usize::from(back.header.frag_length), bytes.len());
    assert!(back
        .contexts
        .iter()
        .all(|c| c.transfer_syntaxes.len() == 255));
    // Fragmented and authenticated PDUs are refused with a reason.
    let mut frag = encode_bind(&BindRequest::kms_probe(2));
    frag[3] = PFC_FIRST_FRAG;
    assert_eq!(decode_bind(&frag), Err(WireError::Fragmented { flags: 1 }));
    frag[3] = 3;
    frag[10] = 8;
    assert_eq!(
        decode_bind(&frag),
        Err(WireError::AuthPresent { auth_length: 8 })
    );
}
