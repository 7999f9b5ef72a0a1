//! SNTP client messages (RFC 4330, RFC 5905 §7.3/§7.4): encode a 48-byte client request, validate a
//! server reply, and compute clock offset / round-trip delay.
//!
//! Pure code, std only, no I/O. [`decode_response`] never panics: every read is length-checked and all
//! timestamp arithmetic is done in 64-bit modular or `i128` fixed-point integers.
//!
//! Wire layout (all fields big-endian), see protocol-notes §6:
//!
//! | Off | Size | Field |
//! |---:|---:|---|
//! | 0 | 1 | LI (2 bits) ‖ VN (3) ‖ Mode (3) |
//! | 1 | 1 | Stratum |
//! | 2 | 1 | Poll (signed log2 s) |
//! | 3 | 1 | Precision (signed log2 s) |
//! | 4 | 4 | Root delay (16.16) |
//! | 8 | 4 | Root dispersion (16.16) |
//! | 12 | 4 | Reference ID |
//! | 16 | 8 | Reference timestamp |
//! | 24 | 8 | Origin timestamp (echo of our transmit timestamp) |
//! | 32 | 8 | Receive timestamp (T2) |
//! | 40 | 8 | Transmit timestamp (T3) |

use std::fmt;
use std::net::Ipv4Addr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of an SNTP packet without extension fields or MAC.
pub const PACKET_LEN: usize = 48;
/// The NTP version we send.
pub const CLIENT_VERSION: u8 = 4;
/// Mode 3: client.
pub const MODE_CLIENT: u8 = 3;
/// Mode 4: server. The only mode [`decode_response`] accepts.
pub const MODE_SERVER: u8 = 4;
/// Lowest reply version accepted. NTPv1..v3 servers still answer with the same 48-byte header layout
/// (RFC 4330 §5 says to accept replies whose VN is 3 or 4; we are slightly more lenient and accept
/// 1..=4 because the fields we read are identical). 0 and 5..=7 are rejected.
pub const MIN_ACCEPTED_VERSION: u8 = 1;
/// Highest reply version accepted (see [`MIN_ACCEPTED_VERSION`]).
pub const MAX_ACCEPTED_VERSION: u8 = 4;

/// Seconds from 1900-01-01 (NTP era 0 epoch) to 1970-01-01 (Unix epoch).
pub const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

const NANOS_PER_SEC: i128 = 1_000_000_000;
const ERA_SECS: i128 = 1 << 32;
const ERA_NANOS: i128 = ERA_SECS * NANOS_PER_SEC;

/// A 64-bit NTP timestamp: `seconds << 32 | fraction`, seconds counted from the start of the NTP era
/// the value belongs to (era 0 starts 1900-01-01 00:00:00 UTC, era 1 on 2036-02-07 06:28:16 UTC).
/// The era itself is not on the wire; the conversions to [`SystemTime`] resolve it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NtpTimestamp(pub u64);

impl NtpTimestamp {
    /// The all-zero timestamp, which NTP uses for "not set".
    pub const ZERO: NtpTimestamp = NtpTimestamp(0);

    /// Builds a timestamp from its seconds and fraction halves.
    pub const fn from_parts(seconds: u32, fraction: u32) -> Self {
        NtpTimestamp(((seconds as u64) << 32) | fraction as u64)
    }

    /// Seconds within the era.
    pub const fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// Binary fraction of a second (units of 2⁻³² s).
    pub const fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// True for the "not set" value 0.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Big-endian wire form.
    pub const fn to_be_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    /// From the big-endian wire form. Also handy for turning 8 random bytes into a request nonce.
    pub const fn from_be_bytes(bytes: [u8; 8]) -> Self {
        NtpTimestamp(u64::from_be_bytes(bytes))
    }

    /// Converts a [`SystemTime`] to an NTP timestamp (era number dropped, i.e. seconds since 1900
    /// modulo 2³²). Never fails: times before 1900 or after 2036 wrap into the 32-bit field exactly as
    /// NTP defines. The fraction is truncated, so converting back loses at most 0.24 ns, which
    /// [`NtpTimestamp::to_system_time`] rounds away.
    pub fn from_system_time(t: SystemTime) -> Self {
        Self::from_unix_nanos(system_time_to_unix_nanos(t))
    }

    fn from_unix_nanos(unix_nanos: i128) -> Self {
        let ntp_nanos = unix_nanos + NTP_UNIX_OFFSET_SECS as i128 * NANOS_PER_SEC;
        let secs = ntp_nanos.div_euclid(NANOS_PER_SEC).rem_euclid(ERA_SECS) as u64;
        let sub = ntp_nanos.rem_euclid(NANOS_PER_SEC) as u64; // < 1e9 < 2^30
        let frac = (sub << 32) / NANOS_PER_SEC as u64; // < 2^32
        NtpTimestamp((secs << 32) | frac)
    }

    /// Fraction in nanoseconds, rounded to nearest (0..=1_000_000_000).
    fn fraction_nanos(self) -> i128 {
        ((self.fraction() as i128 * NANOS_PER_SEC) + (1 << 31)) >> 32
    }

    /// Unix nanoseconds assuming era 0 (1900..2036).
    fn era0_unix_nanos(self) -> i128 {
        (self.seconds() as i128 - NTP_UNIX_OFFSET_SECS as i128) * NANOS_PER_SEC
            + self.fraction_nanos()
    }

    /// Unix nanoseconds, choosing the NTP era that puts the result closest to `reference_unix_nanos`
    /// (ties go to the later era). Valid for any reference a [`SystemTime`] can hold.
    fn unix_nanos_near(self, reference_unix_nanos: i128) -> i128 {
        let t0 = self.era0_unix_nanos();
        // k = round((reference - t0) / ERA_NANOS); saturate so absurd references cannot overflow.
        let diff = reference_unix_nanos.saturating_sub(t0);
        let era = diff.saturating_add(ERA_NANOS / 2).div_euclid(ERA_NANOS);
        t0.saturating_add(era.saturating_mul(ERA_NANOS))
    }

    /// Converts to a [`SystemTime`], picking the NTP era (136-year cycle) that lands closest to
    /// `reference` — normally the local clock at the time the packet was received. This handles the
    /// 2036 rollover in both directions and is correct as long as the true time is within ±68 years
    /// of the reference. Returns `None` only if the platform's `SystemTime` cannot represent the result.
    pub fn to_system_time(self, reference: SystemTime) -> Option<SystemTime> {
        unix_nanos_to_system_time(self.unix_nanos_near(system_time_to_unix_nanos(reference)))
    }

    /// Converts to a [`SystemTime`] with the fixed RFC 4330 §3 rule, which needs no reference: if the
    /// most significant bit of the seconds is set the time is in 1968-01-20..2036-02-07 (era 0),
    /// otherwise in 2036-02-07..2104-02-26 (era 1).
    pub fn to_system_time_rfc4330(self) -> Option<SystemTime> {
        let mut n = self.era0_unix_nanos();
        if self.seconds() & 0x8000_0000 == 0 {
            n += ERA_NANOS;
        }
        unix_nanos_to_system_time(n)
    }
}

impl fmt::Display for NtpTimestamp {
    /// `ssssssss.ffffffff` in hex, the usual way NTP tools print raw timestamps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}.{:08x}", self.seconds(), self.fraction())
    }
}

fn system_time_to_unix_nanos(t: SystemTime) -> i128 {
    // Duration::as_nanos() < 2^64 * 1e9 < 2^94, so the casts to i128 are lossless.
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn unix_nanos_to_system_time(n: i128) -> Option<SystemTime> {
    let magnitude = n.unsigned_abs();
    let secs = u64::try_from(magnitude / NANOS_PER_SEC as u128).ok()?;
    let nanos = (magnitude % NANOS_PER_SEC as u128) as u32;
    let d = Duration::new(secs, nanos);
    if n >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    }
}

/// NTP "short format": unsigned 16.16 fixed-point seconds (root delay, root dispersion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct NtpShort(pub u32);

impl NtpShort {
    /// As a [`Duration`] (exact to the nanosecond, truncated).
    pub fn to_duration(self) -> Duration {
        let secs = (self.0 >> 16) as u64;
        let frac = (self.0 & 0xFFFF) as u64;
        Duration::new(secs, ((frac * 1_000_000_000) >> 16) as u32)
    }
}

/// Leap indicator (top two bits of byte 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeapIndicator {
    /// 0: no warning.
    NoWarning,
    /// 1: last minute of the day has 61 seconds.
    InsertSecond,
    /// 2: last minute of the day has 59 seconds.
    DeleteSecond,
    /// 3: clock unsynchronised (alarm). [`decode_response`] rejects this unless stratum is 0 (KoD).
    Unsynchronized,
}

impl LeapIndicator {
    fn from_bits(bits: u8) -> Self {
        match bits & 3 {
            0 => LeapIndicator::NoWarning,
            1 => LeapIndicator::InsertSecond,
            2 => LeapIndicator::DeleteSecond,
            _ => LeapIndicator::Unsynchronized,
        }
    }
}

/// The 4-byte reference identifier. Its meaning depends on the stratum (see
/// [`ReferenceId::render`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ReferenceId(pub [u8; 4]);

impl ReferenceId {
    /// Human-readable form: for stratum 0 and 1 the 4 ASCII characters (kiss code / source such as
    /// `GPS`, `LOCL`), trailing NULs dropped and non-printable bytes escaped; for stratum ≥ 2 the IPv4
    /// address of the upstream server in dotted form (for IPv6 upstreams this is the first 4 bytes of
    /// an MD5 hash of the address, which still prints as a dotted quad).
    pub fn render(&self, stratum: u8) -> String {
        if stratum <= 1 {
            ascii_code(&self.0)
        } else {
            Ipv4Addr::from(self.0).to_string()
        }
    }
}

fn ascii_code(bytes: &[u8; 4]) -> String {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let mut s = String::new();
    for &b in &bytes[..end] {
        if b.is_ascii_graphic() || b == b' ' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

/// A Kiss-o'-Death code (reference id of a stratum-0 reply), RFC 5905 §7.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KissCode(pub [u8; 4]);

impl KissCode {
    /// `DENY` or `RSTR`: the client must stop querying this server.
    pub fn is_access_denied(&self) -> bool {
        &self.0 == b"DENY" || &self.0 == b"RSTR"
    }

    /// `RATE`: the client must back off (increase its poll interval).
    pub fn is_rate_limit(&self) -> bool {
        &self.0 == b"RATE"
    }
}

impl fmt::Display for KissCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&ascii_code(&self.0))
    }
}

/// A validated SNTP server reply. Timestamps are raw (era not resolved); use
/// [`NtpTimestamp::to_system_time`] and [`offset_and_delay`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SntpReply {
    /// Leap indicator (never `Unsynchronized` in a successfully decoded reply).
    pub leap: LeapIndicator,
    /// Version number of the reply (1..=4).
    pub version: u8,
    /// Stratum, 1..=15.
    pub stratum: u8,
    /// Poll exponent, signed log2 seconds.
    pub poll: i8,
    /// Precision exponent, signed log2 seconds (e.g. −26 ≈ 15 ns).
    pub precision: i8,
    /// Round-trip delay to the primary reference.
    pub root_delay: NtpShort,
    /// Dispersion relative to the primary reference.
    pub root_dispersion: NtpShort,
    /// Reference identifier; see [`SntpReply::reference_id_string`].
    pub reference_id: ReferenceId,
    /// When the server's clock was last set or corrected.
    pub reference: NtpTimestamp,
    /// Echo of our request's transmit timestamp (checked equal to the expected value).
    pub origin: NtpTimestamp,
    /// T2: server time when the request arrived.
    pub receive: NtpTimestamp,
    /// T3: server time when the reply left (non-zero).
    pub transmit: NtpTimestamp,
}

impl SntpReply {
    /// Reference id rendered for this reply's stratum (see [`ReferenceId::render`]).
    pub fn reference_id_string(&self) -> String {
        self.reference_id.render(self.stratum)
    }

    /// [`offset_and_delay`] with this reply's T2/T3 and the caller's local send (T1) and receive (T4)
    /// times. Returns `(offset_ns, delay_ns)`.
    pub fn offset_and_delay(&self, t1_send: SystemTime, t4_receive: SystemTime) -> (i128, i128) {
        offset_and_delay(
            NtpTimestamp::from_system_time(t1_send),
            self.receive,
            self.transmit,
            NtpTimestamp::from_system_time(t4_receive),
        )
    }
}

/// Why a reply was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SntpError {
    /// Fewer than 48 bytes.
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// Mode field is not 4 (server).
    WrongMode {
        /// Mode received (0..=7).
        mode: u8,
    },
    /// Version field outside 1..=4.
    UnsupportedVersion {
        /// Version received (0..=7).
        version: u8,
    },
    /// The origin timestamp does not echo our transmit timestamp: a stale, duplicated or spoofed reply.
    OriginMismatch {
        /// What we sent in the transmit field.
        expected: NtpTimestamp,
        /// What the reply carried in the origin field.
        received: NtpTimestamp,
    },
    /// Stratum 0: Kiss-o'-Death with its 4-character code (RATE, DENY, RSTR, …).
    KissOfDeath {
        /// The kiss code.
        code: KissCode,
    },
    /// Leap indicator 3: the server's clock is not synchronised.
    Unsynchronized,
    /// Stratum 16..=255 (16 means unsynchronised, above is invalid).
    InvalidStratum {
        /// Stratum received.
        stratum: u8,
    },
    /// The receive timestamp (T2) is zero.
    ZeroReceiveTimestamp,
    /// The transmit timestamp (T3) is zero.
    ZeroTransmitTimestamp,
}

impl fmt::Display for SntpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SntpError::TooShort { len } => {
                write!(f, "SNTP reply too short: {len} bytes, need at least {PACKET_LEN}")
            }
            SntpError::WrongMode { mode } => {
                write!(f, "SNTP reply has mode {mode}, expected {MODE_SERVER} (server)")
            }
            SntpError::UnsupportedVersion { version } => write!(
                f,
                "SNTP reply has version {version}, accepted {MIN_ACCEPTED_VERSION}..={MAX_ACCEPTED_VERSION}"
            ),
            SntpError::OriginMismatch { expected, received } => write!(
                f,
                "SNTP origin mismatch: reply echoes {received}, we sent {expected} (stale or spoofed reply)"
            ),
            SntpError::KissOfDeath { code } => {
                write!(f, "SNTP Kiss-o'-Death from server: {code}")?;
                if code.is_access_denied() {
                    f.write_str(" (access denied: stop querying this server)")
                } else if code.is_rate_limit() {
                    f.write_str(" (rate exceeded: back off)")
                } else {
                    f.write_str(" (reply unusable)")
                }
            }
            SntpError::Unsynchronized => {
                f.write_str("SNTP server clock is unsynchronized (leap indicator 3)")
            }
            SntpError::InvalidStratum { stratum } => write!(
                f,
                "SNTP reply has stratum {stratum}, expected 1..=15 (16 = unsynchronized)"
            ),
            SntpError::ZeroReceiveTimestamp => f.write_str("SNTP reply has a zero receive timestamp"),
            SntpError::ZeroTransmitTimestamp => {
                f.write_str("SNTP reply has a zero transmit timestamp")
            }
        }
    }
}

impl std::error::Error for SntpError {}

/// Builds a 48-byte client request: LI 0, VN 4, mode 3 (`0x23`), everything zero except the transmit
/// timestamp.
///
/// `transmit` is what the server will echo in the origin field, so it doubles as a nonce. RFC 4330
/// allows either the local send time or random bytes; the notes (§6) recommend 8 random bytes
/// ([`NtpTimestamp::from_be_bytes`]) and keeping the real T1 locally: nothing about the local clock
/// leaks and the origin check becomes a real anti-spoofing nonce. Pass the same value to
/// [`decode_response`] as `expected_origin`.
pub fn encode_request(transmit: NtpTimestamp) -> [u8; PACKET_LEN] {
    let mut p = [0u8; PACKET_LEN];
    p[0] = (CLIENT_VERSION << 3) | MODE_CLIENT;
    p[40..48].copy_from_slice(&transmit.to_be_bytes());
    p
}

fn be_u32(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    u32::from_be_bytes(a)
}

fn ts(b: &[u8], off: usize) -> NtpTimestamp {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(off..off + 8) {
        a.copy_from_slice(s);
    }
    NtpTimestamp::from_be_bytes(a)
}

/// Validates a server reply to a request built with [`encode_request`]`(expected_origin)`.
///
/// Checks, in order: length ≥ 48 (extension fields / MACs after byte 48 are ignored; MS-SNTP signed
/// replies are 68 bytes); mode = 4 only (broadcast mode 5 and everything else are rejected, we never
/// ask for broadcasts); version 1..=4; origin = `expected_origin`; stratum 0 → [`SntpError::KissOfDeath`]
/// (checked before the leap indicator because KoD packets normally carry LI 3, and after the origin
/// check so a spoofed KoD cannot silence a server); LI 3 → [`SntpError::Unsynchronized`];
/// stratum > 15 → [`SntpError::InvalidStratum`]; receive and transmit timestamps non-zero.
pub fn decode_response(buf: &[u8], expected_origin: NtpTimestamp) -> Result<SntpReply, SntpError> {
    if buf.len() < PACKET_LEN {
        return Err(SntpError::TooShort { len: buf.len() });
    }
    let b0 = buf[0];
    let leap = LeapIndicator::from_bits(b0 >> 6);
    let version = (b0 >> 3) & 7;
    let mode = b0 & 7;
    if mode != MODE_SERVER {
        return Err(SntpError::WrongMode { mode });
    }
    if !(MIN_ACCEPTED_VERSION..=MAX_ACCEPTED_VERSION).contains(&version) {
        return Err(SntpError::UnsupportedVersion { version });
    }
    let origin = ts(buf, 24);
    if origin != expected_origin {
        return Err(SntpError::OriginMismatch {
            expected: expected_origin,
            received: origin,
        });
    }
    let stratum = buf[1];
    let reference_id = ReferenceId([buf[12], buf[13], buf[14], buf[15]]);
    if stratum == 0 {
        return Err(SntpError::KissOfDeath {
            code: KissCode(reference_id.0),
        });
    }
    if leap == LeapIndicator::Unsynchronized {
        return Err(SntpError::Unsynchronized);
    }
    if stratum > 15 {
        return Err(SntpError::InvalidStratum { stratum });
    }
    let receive = ts(buf, 32);
    let transmit = ts(buf, 40);
    if receive.is_zero() {
        return Err(SntpError::ZeroReceiveTimestamp);
    }
    if transmit.is_zero() {
        return Err(SntpError::ZeroTransmitTimestamp);
    }
    Ok(SntpReply {
        leap,
        version,
        stratum,
        poll: buf[2] as i8,
        precision: buf[3] as i8,
        root_delay: NtpShort(be_u32(buf, 4)),
        root_dispersion: NtpShort(be_u32(buf, 8)),
        reference_id,
        reference: ts(buf, 16),
        origin,
        receive,
        transmit,
    })
}

/// Signed difference `a − b` of two NTP timestamps in 32.32 fixed point, computed modulo 2⁶⁴ as
/// RFC 5905 prescribes (correct whenever the true difference is within ±68 years, whatever the eras).
fn fixed_diff(a: NtpTimestamp, b: NtpTimestamp) -> i128 {
    a.0.wrapping_sub(b.0) as i64 as i128
}

/// Converts a 32.32 fixed-point value divided by `2^shift_extra` to nanoseconds, rounded to nearest.
fn fixed_to_nanos(fx: i128, shift_extra: u32) -> i128 {
    let shift = 32 + shift_extra;
    // |fx| ≤ 2^65, × 1e9 < 2^95: no overflow in i128.
    (fx * NANOS_PER_SEC + (1i128 << (shift - 1))).div_euclid(1i128 << shift)
}

/// RFC 5905 clock offset and round-trip delay, in nanoseconds, as `(offset_ns, delay_ns)`.
///
/// * T1 `t1_send`: local time the request left (keep it locally even if the request carried a nonce);
/// * T2 `t2_server_receive`: [`SntpReply::receive`];
/// * T3 `t3_server_transmit`: [`SntpReply::transmit`];
/// * T4 `t4_receive`: local time the reply arrived.
///
/// offset θ = ((T2 − T1) + (T3 − T4)) / 2 — positive means the server clock is ahead of ours;
/// delay δ = (T4 − T1) − (T3 − T2).
///
/// All arithmetic is exact 32.32 fixed point in `i128` (differences taken modulo 2⁶⁴, so the 2036 era
/// rollover is transparent); only the final conversion rounds to the nearest nanosecond. Offsets of
/// hours or years keep full precision. A negative delay is possible with a broken server and is
/// returned as is for the caller to reject.
pub fn offset_and_delay(
    t1_send: NtpTimestamp,
    t2_server_receive: NtpTimestamp,
    t3_server_transmit: NtpTimestamp,
    t4_receive: NtpTimestamp,
) -> (i128, i128) {
    let offset_fx =
        fixed_diff(t2_server_receive, t1_send) + fixed_diff(t3_server_transmit, t4_receive);
    let delay_fx =
        fixed_diff(t4_receive, t1_send) - fixed_diff(t3_server_transmit, t2_server_receive);
    (fixed_to_nanos(offset_fx, 1), fixed_to_nanos(delay_fx, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// chrony 4.3 reply from protocol-notes §9 (stratum 8, local clock, random nonce echoed).
    const CHRONY_REPLY: &str = "240801e6 00000000 00000000 7f7f0101 eeacdf7ec6c20c7b \
                                781d0651f8c40f25 eeacdf8064f158f5 eeacdf8064f6d670";
    const CHRONY_NONCE: NtpTimestamp = NtpTimestamp(0x781d_0651_f8c4_0f25);

    fn unix(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn encode_request_layout() {
        let p = encode_request(CHRONY_NONCE);
        assert_eq!(p.len(), 48);
        assert_eq!(p[0], 0x23);
        assert!(p[1..40].iter().all(|&b| b == 0));
        assert_eq!(&p[40..], &hex("781d0651f8c40f25")[..]);
    }

    #[test]
    fn decodes_chrony_reply() {
        let buf = hex(CHRONY_REPLY);
        assert_eq!(buf.len(), 48);
        let r = decode_response(&buf, CHRONY_NONCE).unwrap();
        assert_eq!(r.leap, LeapIndicator::NoWarning);
        assert_eq!(r.version, 4);
        assert_eq!(r.stratum, 8);
        assert_eq!(r.poll, 1);
        assert_eq!(r.precision, -26);
        assert_eq!(r.root_delay, NtpShort(0));
        assert_eq!(r.root_dispersion, NtpShort(0));
        assert_eq!(r.reference_id_string(), "127.127.1.1");
        assert_eq!(r.reference, NtpTimestamp(0xeeac_df7e_c6c2_0c7b));
        assert_eq!(r.origin, CHRONY_NONCE);
        assert_eq!(r.receive, NtpTimestamp(0xeeac_df80_64f1_58f5));
        assert_eq!(r.transmit, NtpTimestamp(0xeeac_df80_64f6_d670));
        // 0xeeacdf80 = 4004306816 s since 1900 = Unix 1795318016 (2026-11-22 03:26:56 UTC);
        // fraction 0x64f6d670 = 0.3943914436 s, rounded to the nearest ns.
        let near = unix(1_795_000_000, 0);
        assert_eq!(
            r.transmit.to_system_time(near),
            Some(unix(1_795_318_016, 394_391_444))
        );
        assert_eq!(
            r.transmit.to_system_time_rfc4330(),
            Some(unix(1_795_318_016, 394_391_444))
        );
        // Trailing bytes (extension fields / MS-SNTP signature) are ignored.
        let mut longer = buf.clone();
        longer.extend_from_slice(&[0u8; 20]);
        assert_eq!(decode_response(&longer, CHRONY_NONCE).unwrap(), r);
    }

    /// Live reply from chronyd 4.3 running as a server under `faketime -f '+5h'` in a network
    /// namespace (notes/clock-lab.md); the client sent the random nonce 977be55e46ae3bf6. The host
    /// clock read 04:07:48 UTC; the served transmit time is 09:07:48 UTC.
    const CHRONY_FAKETIME: &str = "240800e8 00000000 00000000 7f7f0101 eead2f62c385e384 \
                                   977be55e46ae3bf6 eead2f64082b313f eead2f64082ecdba";

    #[test]
    fn decodes_live_chrony_faketime_capture() {
        let buf = hex(CHRONY_FAKETIME);
        let nonce = NtpTimestamp(0x977b_e55e_46ae_3bf6);
        let r = decode_response(&buf, nonce).unwrap();
        assert_eq!((r.stratum, r.precision), (8, -24));
        let served = r.transmit.to_system_time(unix(1_795_320_000, 0)).unwrap();
        assert_eq!(served, unix(1_795_338_468, 31_964_167));
        // Local send/receive around 04:07:48 UTC (5 h earlier): offset ≈ +5 h.
        let local = unix(1_795_338_468 - 5 * 3600, 31_000_000);
        let (off, del) = r.offset_and_delay(local, local + Duration::from_millis(2));
        assert!((off - 18_000_000_000_000).abs() < 2_000_000, "{off}");
        assert!((0..3_000_000).contains(&del), "{del}");
        assert!(matches!(
            decode_response(&buf, CHRONY_NONCE),
            Err(SntpError::OriginMismatch { .. })
        ));
    }

    #[test]
    fn every_truncation_is_too_short() {
        let buf = hex(CHRONY_REPLY);
        for n in 0..buf.len() {
            assert_eq!(
                decode_response(&buf[..n], CHRONY_NONCE),
                Err(SntpError::TooShort { len: n })
            );
        }
    }

    #[test]
    fn kiss_of_death() {
        for (code, denied, rate) in [
            (b"RATE", false, true),
            (b"DENY", true, false),
            (b"RSTR", true, false),
            (b"INIT", false, false),
        ] {
            let mut buf = hex(CHRONY_REPLY);
            buf[0] = 0xe4; // LI 3, VN 4, mode 4: typical KoD header
            buf[1] = 0;
            buf[12..16].copy_from_slice(code);
            let err = decode_response(&buf, CHRONY_NONCE).unwrap_err();
            let SntpError::KissOfDeath { code: k } = err.clone() else {
                panic!("expected KoD, got {err:?}");
            };
            assert_eq!(&k.0, code);
            assert_eq!(k.is_access_denied(), denied);
            assert_eq!(k.is_rate_limit(), rate);
            assert!(err.to_string().contains(std::str::from_utf8(code).unwrap()));
        }
        // A KoD that does not echo our nonce is reported as an origin mismatch instead.
        let mut buf = hex(CHRONY_REPLY);
        buf[1] = 0;
        buf[12..16].copy_from_slice(b"DENY");
        assert!(matches!(
            decode_response(&buf, NtpTimestamp(1)),
            Err(SntpError::OriginMismatch { .. })
        ));
    }

    #[test]
    fn wrong_mode_and_version() {
        for mode in [0u8, 1, 2, 3, 5, 6, 7] {
            let mut buf = hex(CHRONY_REPLY);
            buf[0] = (buf[0] & !7) | mode;
            assert_eq!(
                decode_response(&buf, CHRONY_NONCE),
                Err(SntpError::WrongMode { mode })
            );
        }
        for version in 0u8..8 {
            let mut buf = hex(CHRONY_REPLY);
            buf[0] = (version << 3) | 4;
            let r = decode_response(&buf, CHRONY_NONCE);
            if (1..=4).contains(&version) {
                assert_eq!(r.unwrap().version, version);
            } else {
                assert_eq!(r, Err(SntpError::UnsupportedVersion { version }));
            }
        }
    }

    #[test]
    fn origin_mismatch() {
        let buf = hex(CHRONY_REPLY);
        let err = decode_response(&buf, NtpTimestamp(0x781d_0651_f8c4_0f26)).unwrap_err();
        assert_eq!(
            err,
            SntpError::OriginMismatch {
                expected: NtpTimestamp(0x781d_0651_f8c4_0f26),
                received: CHRONY_NONCE
            }
        );
        assert!(err.to_string().contains("origin mismatch"));
    }

    #[test]
    fn unsynchronized_stratum_and_zero_timestamps() {
        let mut buf = hex(CHRONY_REPLY);
        buf[0] = 0xe4;
        assert_eq!(
            decode_response(&buf, CHRONY_NONCE),
            Err(SntpError::Unsynchronized)
        );
        for stratum in [16u8, 17, 255] {
            let mut buf = hex(CHRONY_REPLY);
            buf[1] = stratum;
            assert_eq!(
                decode_response(&buf, CHRONY_NONCE),
                Err(SntpError::InvalidStratum { stratum })
            );
        }
        let mut buf = hex(CHRONY_REPLY);
        buf[40..48].fill(0);
        assert_eq!(
            decode_response(&buf, CHRONY_NONCE),
            Err(SntpError::ZeroTransmitTimestamp)
        );
        let mut buf = hex(CHRONY_REPLY);
        buf[32..40].fill(0);
        assert_eq!(
            decode_response(&buf, CHRONY_NONCE),
            Err(SntpError::ZeroReceiveTimestamp)
        );
        // Leap second warnings are fine.
        let mut buf = hex(CHRONY_REPLY);
        buf[0] = 0x64;
        assert_eq!(
            decode_response(&buf, CHRONY_NONCE).unwrap().leap,
            LeapIndicator::InsertSecond
        );
    }

    #[test]
    fn reference_id_rendering() {
        assert_eq!(ReferenceId(*b"GPS\0").render(1), "GPS");
        assert_eq!(ReferenceId(*b"LOCL").render(1), "LOCL");
        assert_eq!(ReferenceId([0x47, 0x01, 0, 0]).render(1), "G\\x01");
        assert_eq!(ReferenceId([192, 0, 2, 7]).render(2), "192.0.2.7");
        assert_eq!(ReferenceId([192, 0, 2, 7]).render(15), "192.0.2.7");
    }

    #[test]
    fn root_delay_short_format() {
        assert_eq!(
            NtpShort(0x0001_8000).to_duration(),
            Duration::from_millis(1500)
        );
        assert_eq!(NtpShort(0).to_duration(), Duration::ZERO);
        assert!(NtpShort(u32::MAX).to_duration() < Duration::from_secs(65536));
    }

    #[test]
    fn system_time_round_trip_and_eras() {
        // Unix epoch = NTP 2208988800 (0x83aa7e80).
        let t = NtpTimestamp::from_system_time(UNIX_EPOCH);
        assert_eq!(t, NtpTimestamp::from_parts(0x83aa_7e80, 0));
        assert_eq!(t.to_system_time(UNIX_EPOCH), Some(UNIX_EPOCH));
        // Nanosecond round trip.
        for (s, n) in [
            (1_700_000_000u64, 0u32),
            (1_700_000_000, 1),
            (1_700_000_000, 999_999_999),
            (1_795_318_016, 394_391_444),
        ] {
            let st = unix(s, n);
            let ts = NtpTimestamp::from_system_time(st);
            assert_eq!(ts.to_system_time(st), Some(st), "{s}.{n}");
        }
        // The 2036 rollover: 2036-02-07 06:28:16 UTC = Unix 2085978496 is NTP seconds 0 of era 1.
        let rollover = unix(2_085_978_496, 0);
        assert_eq!(NtpTimestamp::from_system_time(rollover), NtpTimestamp(0));
        let just_after = NtpTimestamp::from_parts(10, 0);
        let just_before = NtpTimestamp::from_parts(u32::MAX - 9, 0);
        // With a 2035 reference, both sides of the rollover resolve correctly.
        let ref2035 = unix(2_050_000_000, 0);
        assert_eq!(
            just_after.to_system_time(ref2035),
            Some(unix(2_085_978_506, 0))
        );
        assert_eq!(
            just_before.to_system_time(ref2035),
            Some(unix(2_085_978_486, 0))
        );
        // With a 2037 reference too.
        let ref2037 = unix(2_120_000_000, 0);
        assert_eq!(
            just_before.to_system_time(ref2037),
            Some(unix(2_085_978_486, 0))
        );
        // RFC 4330 fixed rule: MSB clear → era 1.
        assert_eq!(
            just_after.to_system_time_rfc4330(),
            Some(unix(2_085_978_506, 0))
        );
        // A 1950 reference picks era 0 for the same low value (1900-01-01 + 10 s).
        let before_1970 = UNIX_EPOCH - Duration::from_secs(20 * 365 * 86400);
        let got = just_after.to_system_time(before_1970).unwrap();
        assert_eq!(
            UNIX_EPOCH.duration_since(got).unwrap(),
            Duration::from_secs(NTP_UNIX_OFFSET_SECS - 10)
        );
        // Times before 1900 wrap without panicking.
        let y1800 = UNIX_EPOCH - Duration::from_secs(170 * 365 * 86400);
        let t = NtpTimestamp::from_system_time(y1800);
        assert_eq!(t.to_system_time(y1800), Some(y1800));
    }

    #[test]
    fn offset_and_delay_basic() {
        let base = 1_795_318_016u64;
        let t1 = unix(base, 0);
        let t2 = unix(base + 5 * 3600, 10_000_000); // server +5 h, 10 ms one-way
        let t3 = unix(base + 5 * 3600, 11_000_000); // 1 ms processing
        let t4 = unix(base, 21_000_000);
        let c = NtpTimestamp::from_system_time;
        let (off, del) = offset_and_delay(c(t1), c(t2), c(t3), c(t4));
        assert_eq!(off, 5 * 3600 * 1_000_000_000);
        assert_eq!(del, 20_000_000);

        // Server behind by 3 h, asymmetric path: offset error = half the asymmetry.
        let t2 = unix(base - 3 * 3600, 2_000_000);
        let t3 = unix(base - 3 * 3600, 2_000_000);
        let t4 = unix(base, 10_000_000);
        let (off, del) = offset_and_delay(c(t1), c(t2), c(t3), c(t4));
        assert_eq!(off, -3 * 3600 * 1_000_000_000 - 3_000_000);
        assert_eq!(del, 10_000_000);

        // Sub-nanosecond exactness: hours-scale offset plus an odd fraction.
        let t2 = unix(base + 4 * 3600, 123_456_789);
        let (off, _) = offset_and_delay(c(t1), c(t2), c(t2), c(t1));
        assert_eq!(off, 4 * 3600 * 1_000_000_000 + 123_456_789);

        // Across the 2036 rollover (client in era 0, server already in era 1).
        let t1 = NtpTimestamp::from_parts(u32::MAX, 0);
        let t2 = NtpTimestamp::from_parts(99, 0);
        let (off, del) = offset_and_delay(t1, t2, t2, t1);
        assert_eq!(off, 100 * 1_000_000_000);
        assert_eq!(del, 0);

        // Reply-level helper agrees with the chrony sample (T1 = T2, T4 = T3 ⇒ offset 0, delay 0).
        let r = decode_response(&hex(CHRONY_REPLY), CHRONY_NONCE).unwrap();
        let near = unix(base, 0);
        let (off, del) = r.offset_and_delay(
            r.receive.to_system_time(near).unwrap(),
            r.transmit.to_system_time(near).unwrap(),
        );
        assert!(off.abs() <= 1 && del.abs() <= 1, "{off} {del}");
    }

    #[test]
    fn offset_extremes_do_not_overflow() {
        let vals = [
            0u64,
            1,
            u64::MAX,
            1 << 63,
            (1 << 63) - 1,
            0x8000_0000_0000_0001,
        ];
        for &a in &vals {
            for &b in &vals {
                for &c in &vals {
                    for &d in &vals {
                        let _ = offset_and_delay(
                            NtpTimestamp(a),
                            NtpTimestamp(b),
                            NtpTimestamp(c),
                            NtpTimestamp(d),
                        );
                    }
                }
                let _ = NtpTimestamp(a).to_system_time(UNIX_EPOCH);
                let _ = NtpTimestamp(a).to_system_time_rfc4330();
            }
        }
    }

    #[test]
    fn error_display_is_readable() {
        let errs = [
            SntpError::TooShort { len: 3 },
            SntpError::WrongMode { mode: 3 },
            SntpError::UnsupportedVersion { version: 7 },
            SntpError::Unsynchronized,
            SntpError::InvalidStratum { stratum: 16 },
            SntpError::ZeroReceiveTimestamp,
            SntpError::ZeroTransmitTimestamp,
            SntpError::KissOfDeath {
                code: KissCode(*b"RATE"),
            },
        ];
        for e in errs {
            let s = e.to_string();
            assert!(s.starts_with("SNTP"), "{s}");
            let _: &dyn std::error::Error = &e;
        }
    }

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let valid = hex(CHRONY_REPLY);
        let mut ok = 0;
        for i in 0..20_000 {
            let buf: Vec<u8> = if i % 2 == 0 {
                let len = (rng.next() % 80) as usize;
                (0..len).map(|_| rng.next() as u8).collect()
            } else {
                // Mutate a few bytes of the valid reply (keeping the nonce most of the time) so the
                // deeper checks are exercised too.
                let mut b = valid.clone();
                for _ in 0..(rng.next() % 4 + 1) {
                    let pos = (rng.next() % 48) as usize;
                    if !(24..32).contains(&pos) || rng.next().is_multiple_of(8) {
                        b[pos] = rng.next() as u8;
                    }
                }
                b
            };
            let origin = if i % 3 == 0 {
                NtpTimestamp(rng.next())
            } else {
                CHRONY_NONCE
            };
            if let Ok(r) = decode_response(&buf, origin) {
                ok += 1;
                let _ = r.reference_id_string();
                let _ = r.transmit.to_system_time(SystemTime::now());
                let _ = r.offset_and_delay(SystemTime::now(), SystemTime::now());
            }
        }
        assert!(
            ok > 100,
            "mutation loop should also produce valid replies ({ok})"
        );
    }
}
