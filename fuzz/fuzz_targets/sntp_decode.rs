#![no_main]
//! Fuzz the SNTP reply decoder: the first 8 input bytes are the expected origin (nonce), the rest is
//! the datagram. Any successful decode is also pushed through the time conversions.

use kms_preflight_wire::sntp::{decode_response, offset_and_delay, NtpTimestamp};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, UNIX_EPOCH};

fuzz_target!(|data: &[u8]| {
    let (nonce, packet) = match data.get(..8) {
        Some(n) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(n);
            (NtpTimestamp::from_be_bytes(a), &data[8..])
        }
        None => (NtpTimestamp::ZERO, data),
    };
    // Also try with the nonce the packet itself carries, so the deeper checks are reached.
    let echoed = packet
        .get(24..32)
        .map(|s| {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            NtpTimestamp::from_be_bytes(a)
        })
        .unwrap_or(nonce);
    for origin in [nonce, echoed] {
        match decode_response(packet, origin) {
            Ok(r) => {
                let reference = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
                let _ = r.transmit.to_system_time(reference);
                let _ = r.receive.to_system_time_rfc4330();
                let _ = r.reference_id_string();
                let _ = r.root_delay.to_duration();
                let _ = offset_and_delay(r.origin, r.receive, r.transmit, r.reference);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
