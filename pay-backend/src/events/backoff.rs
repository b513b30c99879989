//! When to try a failed delivery again: exponential steps with ±20 % jitter, about three days
//! in all, then the delivery is parked as dead.

use std::time::Duration;

/// Waits after the 1st, 2nd, … failed try. Sum: about 72 hours.
const STEPS_SECS: [u64; 12] = [
    5,
    30,
    120,
    600,
    1800,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    16 * 3600,
    16 * 3600,
    18 * 3600,
];

/// The wait before the next try after `failures` failed tries, or `None` when the delivery is
/// out of tries.
pub fn next_wait(failures: u32) -> Option<Duration> {
    let base = *STEPS_SECS.get(failures.checked_sub(1)? as usize)?;
    let jitter = 0.8 + fastrand::f64() * 0.4;
    Some(Duration::from_millis((base as f64 * 1000.0 * jitter) as u64))
}

/// How many tries a delivery gets.
pub const MAX_TRIES: u32 = STEPS_SECS.len() as u32 + 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_three_days_then_dead() {
        let total: u64 = STEPS_SECS.iter().sum();
        assert!((66 * 3600..=78 * 3600).contains(&total), "{total}");
        assert!(next_wait(MAX_TRIES).is_none());
        assert!(next_wait(MAX_TRIES - 1).is_some());
    }

    #[test]
    fn grows_and_jitters_within_bounds() {
        let first = next_wait(1).unwrap();
        assert!(first >= Duration::from_secs(4) && first <= Duration::from_secs(6));
        let waits: Vec<_> = (1..MAX_TRIES)
            .map(|n| next_wait(n).unwrap().as_secs_f64() / STEPS_SECS[n as usize - 1] as f64)
            .collect();
        assert!(waits.iter().all(|r| (0.8..=1.2).contains(r)));
    }
}
