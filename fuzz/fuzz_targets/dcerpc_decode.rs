//! Feed arbitrary bytes to every DCE/RPC decoder: they must return, never panic. What decodes
//! must survive a re-encode and decode again with the same fields.
#![no_main]

use kms_preflight_wire::dcerpc::{
    decode_bind, decode_bind_ack, decode_pdu_header, decode_server_pdu, encode_bind,
    encode_bind_ack, peek_frag_length, printable_prefix,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = peek_frag_length(data);
    let _ = decode_pdu_header(data);
    let _ = decode_server_pdu(data);
    let _ = printable_prefix(data, 64);
    if let Ok(bind) = decode_bind(data) {
        let again = decode_bind(&encode_bind(&bind)).expect("re-encoded bind must decode");
        assert_eq!(again.contexts, bind.contexts);
    }
    if let Ok(ack) = decode_bind_ack(data) {
        let again = decode_bind_ack(&encode_bind_ack(&ack)).expect("re-encoded ack must decode");
        assert_eq!(again.results, ack.results);
    }
});
