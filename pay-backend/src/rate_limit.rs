//! Card-testing protection: payment attempts per client address, as a token bucket
//! (`governor`): a burst of the per-minute quota, refilled evenly over the minute.

use crate::error::PayError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct AttemptLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
}

impl AttemptLimiter {
    /// `per_minute = 0` turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Self {
            limiter,
            clock: DefaultClock::default(),
        }
    }

    /// One attempt from `ip`, or `rate_limited` with the seconds to wait.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), PayError> {
        let (Some(limiter), Some(ip)) = (&self.limiter, ip) else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            PayError::RateLimited {
                retry_after_secs: wait.as_secs() + 1,
            }
        })?;
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        Ok(())
    }
}
