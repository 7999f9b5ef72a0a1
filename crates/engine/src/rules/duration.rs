//! Durations and retry bounds in rule files and on the command line.

use std::time::Duration;

use super::error::{self, duration_invalid, duration_too_long, duration_zero};
use crate::Message;

/// Bounds on `retries`: enough to ride out a flap, not enough to hide an outage.
pub const MAX_RETRIES: u32 = 10;
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Parses `3s`, `1500ms`, `2m`, `1m30s` (humantime syntax); zero and absurd values are errors.
pub fn parse_duration(s: &str) -> Result<Duration, Message> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| duration_invalid(s, reason(&e)))?;
    if d.is_zero() {
        return Err(duration_zero(s));
    }
    if d > Duration::from_secs(24 * 3600) {
        return Err(duration_too_long(s));
    }
    Ok(d)
}

/// What humantime found wrong in a duration, as a message (its English words in English).
pub fn reason(e: &humantime::DurationError) -> Message {
    use humantime::DurationError as E;
    match e {
        E::InvalidCharacter(at) => error::duration_bad_char(*at),
        E::NumberExpected(at) => error::duration_number_expected(*at),
        E::UnknownUnit { unit, value, .. } if unit.is_empty() => {
            error::duration_unit_needed(*value)
        }
        E::UnknownUnit { unit, .. } => error::duration_unknown_unit(format!("{unit:?}")),
        E::NumberOverflow => error::duration_overflow(),
        E::Empty => error::duration_empty(),
    }
}
