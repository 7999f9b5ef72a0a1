#![no_main]
//! Fuzz the SMB2 NEGOTIATE response decoder and the framing-length helper. The input is used both
//! raw and with its framing header rewritten to match, so the inner parser is reached.

use kms_preflight_wire::smb2::{decode_negotiate_response, framed_message_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = framed_message_len(data);
    if let Err(e) = decode_negotiate_response(data) {
        let _ = e.to_string();
    }
    if data.len() >= 4 && data.len() - 4 <= 0xFF_FFFF {
        let mut framed = data.to_vec();
        let len = (data.len() - 4) as u32;
        framed[0] = 0;
        framed[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        match decode_negotiate_response(&framed) {
            Ok(info) => {
                let _ = info.dialect.to_string();
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
