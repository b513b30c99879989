//! The claim rules: may a payment take this payment attempt now? A pure function of the
//! payment's state, next to the transition table ([`crate::status`]); the store applies it
//! inside the transaction that locks the payment, so its answer holds when it is acted on.

use crate::status::TransactionStatus;

/// An attempt id the payment has seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownAttempt {
    /// Its details (fingerprint) match the new request's.
    pub same_request: bool,
    /// It is at the processor now.
    pub in_flight: bool,
}

/// The state of a payment the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimState {
    pub status: TransactionStatus,
    /// Some attempt of this payment is at the processor now.
    pub attempt_in_flight: bool,
    /// Declined attempts so far.
    pub declined: u32,
    /// Declines the payment accepts before refusing more attempts.
    pub max_declined: u32,
    /// Its `expiresAt` has passed.
    pub expired: bool,
}

/// What to do with an attempt that the rules accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimDecision {
    /// Reserve the payment for this attempt and go to the processor.
    Grant,
    /// The attempt was answered already: send that answer again, charge nothing.
    Replay,
}

/// Why an attempt is refused. Each maps to one stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimRefusal {
    #[error("this attemptId was used with different details; use a new attemptId")]
    AttemptConflict,
    #[error("this attempt is being processed")]
    ThisAttemptInProgress,
    #[error("another attempt is being processed")]
    OtherAttemptInProgress,
    #[error("this payment is {0} and cannot be paid again")]
    NotPayable(TransactionStatus),
    #[error("too many declined attempts for this payment")]
    TooManyDeclines,
    #[error("this payment has expired and takes no more attempts")]
    Expired,
}

impl ClaimState {
    /// Declined attempts left before the payment refuses more.
    pub fn attempts_left(&self) -> u32 {
        self.max_declined.saturating_sub(self.declined)
    }

    /// Whether a new attempt would be granted now (the popup's `payable`).
    pub fn payable(&self) -> bool {
        self.decide(None) == Ok(ClaimDecision::Grant)
    }

    /// The rules, in order: a known attempt id replays (or conflicts, or waits); otherwise
    /// one attempt at a time, only in a status that was never charged, before the payment
    /// expires, within the declines.
    pub fn decide(&self, known: Option<KnownAttempt>) -> Result<ClaimDecision, ClaimRefusal> {
        if let Some(known) = known {
            return match known {
                KnownAttempt {
                    same_request: false, ..
                } => Err(ClaimRefusal::AttemptConflict),
                KnownAttempt { in_flight: true, .. } => Err(ClaimRefusal::ThisAttemptInProgress),
                KnownAttempt { in_flight: false, .. } => Ok(ClaimDecision::Replay),
            };
        }
        if self.attempt_in_flight {
            Err(ClaimRefusal::OtherAttemptInProgress)
        } else if !self.status.accepts_attempt() {
            Err(ClaimRefusal::NotPayable(self.status))
        } else if self.expired {
            Err(ClaimRefusal::Expired)
        } else if self.declined >= self.max_declined {
            Err(ClaimRefusal::TooManyDeclines)
        } else {
            Ok(ClaimDecision::Grant)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransactionStatus::*;

    fn state(status: TransactionStatus, in_flight: bool, declined: u32) -> ClaimState {
        ClaimState {
            status,
            attempt_in_flight: in_flight,
            declined,
            max_declined: 3,
            expired: false,
        }
    }

    #[test]
    fn new_attempts_by_status() {
        for status in TransactionStatus::ALL {
            let expected = if status.accepts_attempt() {
                Ok(ClaimDecision::Grant)
            } else {
                Err(ClaimRefusal::NotPayable(status))
            };
            assert_eq!(state(status, false, 0).decide(None), expected, "{status}");
        }
    }

    #[test]
    fn one_attempt_at_a_time_and_bounded_declines() {
        let cases = [
            (state(Undefined, true, 0), Err(ClaimRefusal::OtherAttemptInProgress)),
            // In flight is checked first: a second tab hears "in progress", not "not payable".
            (state(Pending, true, 0), Err(ClaimRefusal::OtherAttemptInProgress)),
            (state(Failed, false, 2), Ok(ClaimDecision::Grant)),
            (state(Failed, false, 3), Err(ClaimRefusal::TooManyDeclines)),
            (state(Failed, false, 9), Err(ClaimRefusal::TooManyDeclines)),
            (state(Successful, false, 3), Err(ClaimRefusal::NotPayable(Successful))),
        ];
        for (s, expected) in cases {
            assert_eq!(s.decide(None), expected, "{s:?}");
            assert_eq!(s.payable(), expected.is_ok(), "{s:?}");
        }
    }

    #[test]
    fn known_attempt_ids() {
        // Whatever the payment's state, a known id answers from its own record.
        for s in [state(Successful, false, 0), state(Failed, true, 3)] {
            let known = |same_request, in_flight| {
                Some(KnownAttempt {
                    same_request,
                    in_flight,
                })
            };
            assert_eq!(s.decide(known(true, false)), Ok(ClaimDecision::Replay));
            assert_eq!(s.decide(known(true, true)), Err(ClaimRefusal::ThisAttemptInProgress));
            assert_eq!(s.decide(known(false, false)), Err(ClaimRefusal::AttemptConflict));
            assert_eq!(s.decide(known(false, true)), Err(ClaimRefusal::AttemptConflict));
        }
    }

    #[test]
    fn an_expired_payment_takes_no_new_attempt_but_answers_known_ones() {
        let expired = |status, in_flight, declined| ClaimState {
            expired: true,
            ..state(status, in_flight, declined)
        };
        assert_eq!(expired(Undefined, false, 0).decide(None), Err(ClaimRefusal::Expired));
        assert_eq!(expired(Failed, false, 1).decide(None), Err(ClaimRefusal::Expired));
        assert!(!expired(Undefined, false, 0).payable());
        // A paid payment says so rather than "expired"; one in flight says it is in flight.
        assert_eq!(
            expired(Successful, false, 0).decide(None),
            Err(ClaimRefusal::NotPayable(Successful))
        );
        assert_eq!(
            expired(Undefined, true, 0).decide(None),
            Err(ClaimRefusal::OtherAttemptInProgress)
        );
        // The answer of an attempt made before the expiry is still given again.
        let answered = Some(KnownAttempt {
            same_request: true,
            in_flight: false,
        });
        assert_eq!(expired(Failed, false, 1).decide(answered), Ok(ClaimDecision::Replay));
    }

    #[test]
    fn attempts_left_never_underflows() {
        assert_eq!(state(Failed, false, 1).attempts_left(), 2);
        assert_eq!(state(Failed, false, 7).attempts_left(), 0);
    }
}
