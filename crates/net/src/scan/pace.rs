//! The sweep's rate limit: new connections per second, as a token bucket whose capacity is
//! 10 ms worth of connections (at least one), so a timer that wakes late does not lower the
//! rate, and a pause never turns into a burst larger than that. The bookkeeping
//! ([`Pacer`]) is pure and tested with made-up instants; [`RateLimiter`] sleeps on it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Slots for new connections, `1/rate` apart.
#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    /// How far behind `now` the next slot may lag (the bucket's capacity minus one slot).
    slack: Duration,
    next: Option<Instant>,
}

impl Pacer {
    /// `rate` connections per second (at least 1).
    pub fn new(rate: u32) -> Pacer {
        let rate = rate.max(1);
        let interval = Duration::from_nanos(1_000_000_000 / u64::from(rate));
        let capacity = (rate / 100).max(1);
        Pacer {
            interval,
            slack: interval * (capacity - 1),
            next: None,
        }
    }

    /// Takes the next slot for a connection wanted at `now`: the instant it may start (at
    /// or before `now` means at once).
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let earliest = now.checked_sub(self.slack).unwrap_or(now);
        let slot = match self.next {
            Some(n) if n > earliest => n,
            _ => earliest,
        };
        self.next = Some(slot + self.interval);
        slot
    }
}

/// A [`Pacer`] shared by the sweep's workers.
#[derive(Debug)]
pub struct RateLimiter {
    pacer: Mutex<Pacer>,
}

impl RateLimiter {
    pub fn new(rate: u32) -> RateLimiter {
        RateLimiter {
            pacer: Mutex::new(Pacer::new(rate)),
        }
    }

    /// Waits for this worker's slot.
    pub async fn acquire(&self) {
        let now = Instant::now();
        let slot = self
            .pacer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(now);
        if slot > now {
            tokio::time::sleep_until(tokio::time::Instant::from_std(slot)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots taken by a caller that asks again as soon as its slot arrives.
    fn slots_within(rate: u32, window: Duration) -> usize {
        let mut p = Pacer::new(rate);
        let t0 = Instant::now();
        let mut now = t0;
        let mut n = 0;
        loop {
            let slot = p.reserve(now);
            if slot >= t0 + window {
                return n;
            }
            n += 1;
            now = now.max(slot);
        }
    }

    #[test]
    fn the_rate_is_kept_over_a_second() {
        // A full bucket at the start: at most one bucket (10 ms) more than the rate.
        let n = slots_within(200, Duration::from_secs(1));
        assert!((200..=202).contains(&n), "{n}");
        assert_eq!(slots_within(1, Duration::from_secs(3)), 3);
        let n = slots_within(100_000, Duration::from_secs(1));
        assert!((100_000..=101_000).contains(&n), "{n}");
    }

    #[test]
    fn a_pause_gives_at_most_ten_milliseconds_of_burst() {
        let mut p = Pacer::new(10_000);
        let t0 = Instant::now();
        p.reserve(t0);
        // Idle for a second, then 1000 callers at once: 100 go at once, the rest are paced.
        let later = t0 + Duration::from_secs(1);
        let at_once = (0..1000).filter(|_| p.reserve(later) <= later).count();
        assert_eq!(at_once, 100);
        // At 50/s the bucket holds one slot: no burst at all.
        let mut p = Pacer::new(50);
        let at_once = (0..10).filter(|_| p.reserve(later) <= later).count();
        assert_eq!(at_once, 1);
    }
}
