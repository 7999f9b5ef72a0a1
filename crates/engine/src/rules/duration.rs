//! Durations and retry bounds in rule files and on the command line.

use std::time::Duration;

/// Bounds on `retries`: enough to ride out a flap, not enough to hide an outage.
pub const MAX_RETRIES: u32 = 10;
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Parses `3s`, `1500ms`, `2m`, `1m30s` (humantime syntax); zero and absurd values are errors.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid duration '{s}': {e} (write e.g. 500ms, 3s, 1m)"))?;
    if d.is_zero() {
        return Err(format!("invalid duration '{s}': must be greater than zero"));
    }
    if d > Duration::from_secs(24 * 3600) {
        return Err(format!("invalid duration '{s}': more than 24 hours"));
    }
    Ok(d)
}
