//! Whether a provider answers, as the calls Pay makes to it find: any answer (even a refusal)
//! is `Reachable`; a network error, a timeout or a 5xx after the connector's retries is
//! `Unreachable`. It holds times and the kind of the last failure only, never a request, an
//! answer or a key.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderState {
    /// No call has answered or failed yet.
    Unknown,
    Reachable,
    Unreachable,
}

impl ProviderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Reachable => "reachable",
            Self::Unreachable => "unreachable",
        }
    }
}

/// The state as it stands, for `/readyz` and the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachabilityReport {
    pub state: ProviderState,
    /// When the state last changed.
    pub since: Option<OffsetDateTime>,
    pub last_answer: Option<OffsetDateTime>,
    pub last_failure: Option<OffsetDateTime>,
    /// The kind of the last failure (`could not connect`, `timed out`, `HTTP 503`…).
    pub last_error: Option<&'static str>,
    /// Failures in a row since the last answer.
    pub failures: u32,
    /// How long ago the last answer or failure was.
    pub quiet_for: Option<Duration>,
}

impl ReachabilityReport {
    /// A provider in the process: nothing to reach.
    pub fn in_process() -> Self {
        Self {
            state: ProviderState::Reachable,
            since: None,
            last_answer: None,
            last_failure: None,
            last_error: None,
            failures: 0,
            quiet_for: None,
        }
    }
}

/// Updated by a connector after each call.
pub struct Reachability {
    provider: &'static str,
    report: Mutex<(ReachabilityReport, Option<Instant>)>,
}

impl Reachability {
    /// `Unknown` until the first call of the provider `provider`.
    pub fn new(provider: &'static str) -> Self {
        let mut unknown = ReachabilityReport::in_process();
        unknown.state = ProviderState::Unknown;
        Self {
            provider,
            report: Mutex::new((unknown, None)),
        }
    }

    /// The provider answered.
    pub fn answered(&self) {
        self.update(|r, now| {
            r.last_answer = Some(now);
            r.failures = 0;
            ProviderState::Reachable
        });
    }

    /// A call got no answer after its retries; `kind` says how it failed.
    pub fn failed(&self, kind: &'static str) {
        self.update(|r, now| {
            r.last_failure = Some(now);
            r.last_error = Some(kind);
            r.failures = r.failures.saturating_add(1);
            ProviderState::Unreachable
        });
    }

    pub fn report(&self) -> ReachabilityReport {
        let (mut report, last) = self.report.lock().expect("not poisoned").clone();
        report.quiet_for = last.map(|at| at.elapsed());
        report
    }

    fn update(&self, change: impl FnOnce(&mut ReachabilityReport, OffsetDateTime) -> ProviderState) {
        let now = OffsetDateTime::now_utc();
        let mut guard = self.report.lock().expect("not poisoned");
        let (report, last) = &mut *guard;
        let state = change(report, now);
        if state != report.state {
            let error = report.last_error.filter(|_| state == ProviderState::Unreachable);
            tracing::info!(
                provider = self.provider,
                state = state.as_str(),
                error,
                "the provider's state changed"
            );
            report.state = state;
            report.since = Some(now);
        }
        *last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_after_failures_is_reachable_again_from_then_on() {
        let r = Reachability::new("test");
        assert_eq!(r.report().state, ProviderState::Unknown);
        r.failed("could not connect");
        r.failed("timed out");
        let down = r.report();
        assert_eq!(
            (down.state, down.failures, down.last_error),
            (ProviderState::Unreachable, 2, Some("timed out"))
        );
        r.answered();
        let up = r.report();
        assert_eq!((up.state, up.failures), (ProviderState::Reachable, 0));
        assert!(up.since >= down.since && up.last_failure == down.last_failure);
    }
}
