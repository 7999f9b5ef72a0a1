//! One SMB2 NEGOTIATE exchange on TCP 445 to read the server's SystemTime. Only the NEGOTIATE
//! request is sent (no session setup, no credentials); the connection is closed after the reply.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::clock::{reading_from_remote_time, Detail, ProbeFailure, Reading, Stopwatch};
use super::tcp::connect;
use super::text;
use crate::source::Source;
use kms_preflight_wire::smb2::{self, Smb2Error, FRAMING_LEN};

/// SystemTime is a FILETIME: 100 ns ticks.
const FILETIME_RESOLUTION_NS: i128 = 100;

fn client_guid() -> [u8; 16] {
    let mut g = [0u8; 16];
    // A zero GUID is valid for SMB 2.0.2 and harmless for later dialects; randomness is nicer.
    let _ = getrandom::fill(&mut g);
    g
}

/// Connects (within `timeout`), sends the NEGOTIATE, reads the framed reply (within `timeout`).
pub async fn exchange(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
) -> Result<Reading, ProbeFailure> {
    let conn = connect(addr, source, timeout)
        .await
        .map_err(|f| ProbeFailure::from_connect(&f, timeout))?;
    let mut stream = conn.stream;
    let request = smb2::encode_negotiate_request(client_guid());
    let watch = Stopwatch::start();
    let io = async {
        stream.write_all(&request).await.map_err(|e| {
            ProbeFailure::new("closed", text::smb2_send_failed(e.to_string()), true)
        })?;
        let mut head = [0u8; FRAMING_LEN];
        read_exact(&mut stream, &mut head).await?;
        let len = smb2::framed_message_len(&head).map_err(not_smb2)?;
        let mut msg = vec![0u8; FRAMING_LEN + len];
        msg[..FRAMING_LEN].copy_from_slice(&head);
        read_exact(&mut stream, &mut msg[FRAMING_LEN..]).await?;
        Ok::<_, ProbeFailure>(msg)
    };
    let msg = match tokio::time::timeout(timeout, io).await {
        Err(_) => {
            return Err(ProbeFailure::timeout(text::no_smb2_reply(text::ms_arg(
                timeout,
            ))))
        }
        Ok(r) => r?,
    };
    let stamps = watch.stop();
    let _ = stream.shutdown().await;
    let info = smb2::decode_negotiate_response(&msg).map_err(not_smb2)?;
    let Some(system_time) = info.system_time else {
        return Err(ProbeFailure::new(
            "invalid",
            text::smb2_no_system_time(),
            true,
        ));
    };
    Ok(reading_from_remote_time(
        system_time,
        FILETIME_RESOLUTION_NS,
        stamps,
        conn.local,
        Detail::Smb2 {
            dialect: info.dialect.to_string(),
            signing_required: info.signing_required(),
        },
    ))
}

async fn read_exact(
    stream: &mut tokio::net::TcpStream,
    buf: &mut [u8],
) -> Result<(), ProbeFailure> {
    stream.read_exact(buf).await.map(|_| ()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ProbeFailure::new("closed", text::smb2_closed(), true)
        } else {
            ProbeFailure::new("closed", text::read_failed(e.to_string()), true)
        }
    })
}

fn not_smb2(e: Smb2Error) -> ProbeFailure {
    match e {
        Smb2Error::Status { .. } => {
            ProbeFailure::new("rejected", text::smb2_rejected(e.to_string()), true)
        }
        _ => ProbeFailure::new("invalid", text::not_smb2(e.to_string()), true),
    }
}
