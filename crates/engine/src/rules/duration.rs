//! Durations and retry bounds in rule files and on the command line.

use std::time::Duration;

use super::error::{duration_invalid, duration_too_long, duration_zero};
use crate::Message;

/// Bounds on `retries`: enough to ride out a flap, not enough to hide an outage.
pub const MAX_RETRIES: u32 = 10;
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Parses `3s`, `1500ms`, `2m`, `1m30s` (humantime syntax); zero and absurd values are errors.
pub fn parse_duration(s: &str) -> Result<Duration, Message> {
    // humantime's reason stays its English text (an argument of our sentence).
    let d = humantime::parse_duration(s.trim()).map_err(|e| duration_invalid(s, e.to_string()))?;
    if d.is_zero() {
        return Err(duration_zero(s));
    }
    if d > Duration::from_secs(24 * 3600) {
        return Err(duration_too_long(s));
    }
    Ok(d)
}
