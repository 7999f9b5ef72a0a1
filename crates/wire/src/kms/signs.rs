//! Emulator signs (§2.8, §3 consistency checks, §7 item 8).

use super::*;

/// A deviation from genuine-host behaviour that protocol notes §2.8 / §3 / §7 item 8
/// attribute to emulators. Warnings, never proof either way: the absence of signs does not
/// mean a host is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmulatorSign {
    /// v6 HwId is an emulator's built-in default.
    KnownEmulatorHwId {
        hwid: [u8; 8],
        emulator: &'static str,
    },
    /// Current count is exactly 2·N — emulators report it immediately, a genuine host only
    /// once it has seen that many distinct clients (most telling on first contact).
    CountExactlyTwiceThreshold { count: u32, threshold: u32 },
    /// Count above the 2·N cap a genuine host applies to the request's N.
    CountAboveCap { count: u32, cap: u64 },
    /// ePID platform id does not match its build (§3).
    EpidPlatformBuildMismatch {
        platform_id: u32,
        build: u32,
        expected_platform: u32,
    },
    /// ePID day of year is 000 (py-kms can emit it) or past the end of the year.
    EpidInvalidDay { day_of_year: u16, year: u16 },
    /// ePID activation date lies after the request's own timestamp.
    EpidDateInFuture { day_of_year: u16, year: u16 },
    /// ePID differs from the one this host sent before (emulators randomise it).
    EpidChanged { previous: String, current: String },
    /// v6 response reused the request IV (v5 behaviour in a v6 answer).
    V6ResponseIvReused,
    /// NDR64 was offered and refused although the ePID claims build ≥ 9200.
    NoNdr64OnModernBuild { build: u32 },
    /// bind_ack assoc_group_id is py-kms's constant 0x1063BF3F.
    PyKmsAssocGroup,
    /// bind_ack set PFC_CONC_MPX although the bind did not (py-kms always answers 0x13).
    BindAckConcMpxNotRequested { flags: u8 },
}

impl EmulatorSign {
    /// The sign a failed response check stands for, if any: only
    /// [`ResponseCheck::ResponseIvReused`] is both a §2.6 check and a §2.8 sign.
    pub fn from_check(check: &ResponseCheck) -> Option<EmulatorSign> {
        match check {
            ResponseCheck::ResponseIvReused => Some(EmulatorSign::V6ResponseIvReused),
            _ => None,
        }
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        match self {
            EmulatorSign::KnownEmulatorHwId { hwid, emulator } => format!(
                "HwId {} is {emulator}'s default",
                hwid.iter().map(|b| format!("{b:02X}")).collect::<String>()
            ),
            EmulatorSign::CountExactlyTwiceThreshold { count, threshold } => format!(
                "current count {count} is exactly 2 x N (N = {threshold}); emulators report this \
                 at once"
            ),
            EmulatorSign::CountAboveCap { count, cap } => {
                format!("current count {count} exceeds the 2 x N cap {cap} a genuine host applies")
            }
            EmulatorSign::EpidPlatformBuildMismatch {
                platform_id,
                build,
                expected_platform,
            } => format!(
                "ePID platform {platform_id:05} does not match build {build} (expected \
                 {expected_platform:05})"
            ),
            EmulatorSign::EpidInvalidDay { day_of_year, year } => {
                format!("ePID activation day {day_of_year:03} of {year} is not a real date")
            }
            EmulatorSign::EpidDateInFuture { day_of_year, year } => format!(
                "ePID activation date (day {day_of_year:03} of {year}) is after the request time"
            ),
            EmulatorSign::EpidChanged { previous, current } => {
                format!("ePID changed between calls: {previous} then {current}")
            }
            EmulatorSign::V6ResponseIvReused => {
                "v6 response reuses the request IV (v5 behaviour)".to_string()
            }
            EmulatorSign::NoNdr64OnModernBuild { build } => {
                format!("NDR64 refused although the ePID claims build {build} (>= 9200)")
            }
            EmulatorSign::PyKmsAssocGroup => {
                "bind_ack assoc_group_id 0x1063BF3F is py-kms's constant".to_string()
            }
            EmulatorSign::BindAckConcMpxNotRequested { flags } => {
                format!("bind_ack flags 0x{flags:02x} set PFC_CONC_MPX the bind did not ask for")
            }
        }
    }
}

/// What [`emulator_signs`] may compare the response with.
#[derive(Debug, Clone, Copy)]
pub struct SignInputs<'a> {
    /// The request this response answers.
    pub request: &'a BaseRequest,
    /// N of the product family (usually the request's required client count).
    pub threshold: u32,
    /// ePID this host returned on an earlier call, if any.
    pub previous_epid: Option<&'a str>,
    /// The bind and its answer on this connection, if the caller has them.
    pub bind: Option<(&'a BindRequest, &'a BindAck)>,
}

/// Emulator signs visible in a validated response (§2.8, §3 consistency checks, §7 item 8).
pub fn emulator_signs(resp: &ActivationResponse, inputs: &SignInputs<'_>) -> Vec<EmulatorSign> {
    let mut signs = Vec::new();
    if let Some(hwid) = resp.hwid {
        let emulator = match hwid {
            VLMCSD_DEFAULT_HWID => Some("vlmcsd"),
            PY_KMS_DEFAULT_HWID => Some("py-kms"),
            _ => None,
        };
        if let Some(emulator) = emulator {
            signs.push(EmulatorSign::KnownEmulatorHwId { hwid, emulator });
        }
    }
    let count = resp.base.current_count;
    if inputs.threshold > 0 && u64::from(count) == 2 * u64::from(inputs.threshold) {
        signs.push(EmulatorSign::CountExactlyTwiceThreshold {
            count,
            threshold: inputs.threshold,
        });
    }
    let cap = 2 * u64::from(inputs.request.required_client_count);
    if u64::from(count) > cap {
        signs.push(EmulatorSign::CountAboveCap { count, cap });
    }
    if let Ok(epid) = parse_epid(&resp.base.epid) {
        if let Some(expected) = epid.expected_platform() {
            if expected != epid.platform_id {
                signs.push(EmulatorSign::EpidPlatformBuildMismatch {
                    platform_id: epid.platform_id,
                    build: epid.build,
                    expected_platform: expected,
                });
            }
        }
        if epid.activation_date().is_none() {
            signs.push(EmulatorSign::EpidInvalidDay {
                day_of_year: epid.day_of_year,
                year: epid.year,
            });
        } else {
            let (ry, rd) = filetime_year_day(inputs.request.client_time);
            let claimed = (i64::from(epid.year), u32::from(epid.day_of_year));
            if claimed > (ry, rd) {
                signs.push(EmulatorSign::EpidDateInFuture {
                    day_of_year: epid.day_of_year,
                    year: epid.year,
                });
            }
        }
        if let Some((bind, ack)) = inputs.bind {
            let offered = bind
                .contexts
                .iter()
                .any(|c| c.transfer_syntaxes.iter().any(|s| s.uuid == NDR64_UUID));
            let accepted = ack
                .results
                .iter()
                .any(|r| r.is_accepted() && r.transfer_syntax.uuid == NDR64_UUID);
            if offered && !accepted && epid.build >= 9200 {
                signs.push(EmulatorSign::NoNdr64OnModernBuild { build: epid.build });
            }
        }
    }
    if let Some(prev) = inputs.previous_epid {
        if prev != resp.base.epid {
            signs.push(EmulatorSign::EpidChanged {
                previous: prev.to_string(),
                current: resp.base.epid.clone(),
            });
        }
    }
    if let Some((bind, ack)) = inputs.bind {
        if ack.assoc_group_id == PY_KMS_ASSOC_GROUP {
            signs.push(EmulatorSign::PyKmsAssocGroup);
        }
        if ack.header.flags & PFC_CONC_MPX != 0 && bind.header.flags & PFC_CONC_MPX == 0 {
            signs.push(EmulatorSign::BindAckConcMpxNotRequested {
                flags: ack.header.flags,
            });
        }
    }
    signs
}
