//! Guessing the key on the sign-in page: each client address may get the key wrong a few times
//! a minute; past that, every sign-in from it is refused (429) until its oldest wrong try is a
//! minute old. A refused sign-in compares nothing, so the answer says nothing about the key.
//! Only wrong keys count: an operator who signs in often is never throttled.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong keys an address may send per minute.
pub const WRONG_KEYS_PER_MINUTE: usize = 5;
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses kept before the old ones are dropped.
const MAX_ADDRESSES: usize = 100_000;

#[derive(Default)]
pub struct WrongKeys {
    tries: Mutex<HashMap<Option<IpAddr>, VecDeque<Instant>>>,
}

impl WrongKeys {
    /// `Err(seconds to wait)` when `ip` sent too many wrong keys in the last minute.
    pub fn check(&self, ip: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let mut tries = self.tries.lock().unwrap_or_else(|e| e.into_inner());
        let Some(recent) = tries.get_mut(&ip) else {
            return Ok(());
        };
        while recent.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            recent.pop_front();
        }
        match recent.front() {
            Some(oldest) if recent.len() >= WRONG_KEYS_PER_MINUTE => {
                Err((WINDOW - now.duration_since(*oldest)).as_secs() + 1)
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong key from `ip`.
    pub fn record(&self, ip: Option<IpAddr>, now: Instant) {
        let mut tries = self.tries.lock().unwrap_or_else(|e| e.into_inner());
        if tries.len() >= MAX_ADDRESSES {
            tries.retain(|_, recent| recent.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        let recent = tries.entry(ip).or_default();
        recent.push_back(now);
        while recent.len() > WRONG_KEYS_PER_MINUTE {
            recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_wrong_keys_then_a_minute_of_refusals() {
        let limiter = WrongKeys::default();
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        let start = Instant::now();
        for i in 0..WRONG_KEYS_PER_MINUTE {
            assert_eq!(limiter.check(ip, start), Ok(()), "try {i}");
            limiter.record(ip, start);
        }
        assert_eq!(limiter.check(ip, start), Err(61));
        assert_eq!(limiter.check(ip, start + Duration::from_secs(30)), Err(31));
        assert_eq!(limiter.check(other, start), Ok(()));
        assert_eq!(limiter.check(ip, start + WINDOW), Ok(()));
    }
}
