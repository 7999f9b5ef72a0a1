//! The open-file limit (RLIMIT_NOFILE) and the default `--concurrency` sized by it.
//!
//! Probing is I/O-bound: a running check mostly waits on sockets, so many run at once. Each
//! holds a few descriptors (UDP sockets for the DNS servers asked side by side, up to four
//! connection attempts per address), counted here as [`FDS_PER_CHECK`]. At start the soft limit
//! is raised to the hard limit (the process may do that without privilege), and the default
//! concurrency is [`DEFAULT_CONCURRENCY`] unless the limit is too low for it.

/// Default `--concurrency` when the open-file limit allows it.
pub const DEFAULT_CONCURRENCY: usize = 512;
/// Descriptors one running check may hold at once (a budget, not a measurement).
pub const FDS_PER_CHECK: u64 = 8;
/// Descriptors kept for everything else (stdio, the runtime, DNS TCP fallbacks).
pub const FDS_RESERVED: u64 = 64;

/// The soft and hard limits, and the soft limit found at start before raising it.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub soft: u64,
    pub hard: u64,
    pub soft_at_start: u64,
}

/// Reads RLIMIT_NOFILE and raises the soft limit to the hard one (capped at 1,048,576).
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every unix
pub fn raise() -> Option<Limit> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    let soft_at_start = lim.rlim_cur as u64;
    let want = (lim.rlim_max as u64).min(1 << 20);
    if want > soft_at_start {
        let new = libc::rlimit {
            rlim_cur: want as libc::rlim_t,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) } == 0 {
            lim.rlim_cur = new.rlim_cur;
        }
    }
    Some(Limit {
        soft: lim.rlim_cur as u64,
        hard: lim.rlim_max as u64,
        soft_at_start,
    })
}

#[cfg(not(unix))]
pub fn raise() -> Option<Limit> {
    None
}

/// The default concurrency for a soft limit: [`DEFAULT_CONCURRENCY`], or fewer so that the
/// running checks stay within the limit; at least 16.
pub fn default_for(soft: Option<u64>) -> usize {
    match soft {
        None => DEFAULT_CONCURRENCY,
        Some(s) => {
            let fit = s.saturating_sub(FDS_RESERVED) / FDS_PER_CHECK;
            (fit as usize).clamp(16, DEFAULT_CONCURRENCY)
        }
    }
}

/// `--help` text of `--concurrency`, with the limit of this process.
pub fn help(limit: Option<Limit>) -> String {
    let now = match limit {
        Some(l) if l.soft_at_start != l.soft => format!(
            "Here the open-file limit (RLIMIT_NOFILE) was {} and was raised to the hard limit {}, so the default is {}",
            l.soft_at_start,
            l.soft,
            default_for(Some(l.soft))
        ),
        Some(l) => format!(
            "Here the open-file limit (RLIMIT_NOFILE) is {} (hard {}), so the default is {}",
            l.soft,
            l.hard,
            default_for(Some(l.soft))
        ),
        None => format!("The open-file limit is unknown here; default {DEFAULT_CONCURRENCY}"),
    };
    format!(
        "Most checks running at once. Default {DEFAULT_CONCURRENCY} (probing is I/O-bound), lowered to \
         (open-file limit − {FDS_RESERVED}) / {FDS_PER_CHECK} when the limit is low; the soft limit is raised \
         to the hard limit at start. {now}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_fits_the_limit() {
        assert_eq!(default_for(None), 512);
        assert_eq!(default_for(Some(1_048_576)), 512);
        assert_eq!(default_for(Some(1024)), 120);
        assert_eq!(default_for(Some(100)), 16);
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        if let Some(l) = raise() {
            assert!(l.soft >= l.soft_at_start);
            assert!(l.soft <= l.hard);
            assert!(help(Some(l)).contains("RLIMIT_NOFILE"));
        }
    }
}
